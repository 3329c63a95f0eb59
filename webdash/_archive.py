"""The packages archive a site installs: its wheels unpacked into one pack, trimmed, with ``.pyc``.

One archive is downloaded and unpacked once instead of one wheel at a time. It is
a "pack": one gzip stream holding an index and then every file's bytes, end to
end. One stream compresses better than a zip's separately deflated files (the
many similar modules share their words; files of one kind and name go next to each
other, within deflate's reach of each other), and the browser inflates it natively
while it downloads (``DecompressionStream``), then makes each file a view on the
result, so installing costs no Python (see ``bootstrap/python.js``).
What no Dash app in a browser uses is left out (Dash's and React's dev bundles
and source maps, which Dash serves only with dev tools on; files Dash never
serves; plotly's Jupyter widget and JupyterLab extension). Every module is
compiled to a ``.pyc`` by the site's own Pyodide (run in Node), so the browser
imports without compiling, and the ``.pyc`` takes the place of its ``.py``
(``module.pyc`` beside the package's other files, which Python imports as a
sourceless module): the source would be downloaded and kept only for tracebacks
to quote lines of Dash or Flask. The app's own files
keep their source. plotly's figure classes (``plotly.graph_objs``, generated code
that is mostly docstrings) are compiled without their docstrings, which only
``help()`` shows: 7.8 of the 52 MB a Dash app's packages unpack to.
Archives are cached by the wheels they hold, so a rebuild costs nothing.
"""

from __future__ import annotations

import calendar
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import deflate

from . import _versions

#: Bump when what goes into an archive changes, so cached archives are rebuilt.
FORMAT = "7"
#: libdeflate's strongest level: any gzip reader inflates it, and it is 2-4 % smaller than zlib's 9.
GZIP_LEVEL = 12
#: A pack starts with this, then the index's length (4 bytes, little-endian) and the index (JSON).
PACK_MAGIC = b"WDPK"
#: Files no Dash app in a browser reads (paths inside site-packages).
TRIMMED = (
    "*.map",  # source maps: only a browser's dev tools ask for them
    "*.dev.js",  # development bundles: served with dev tools on (webdash runs apps without)
    "plotly/package_data/widgetbundle.js",  # plotly.graph_objects.FigureWidget, for Jupyter
    "plotly/labextension/*",  # the JupyterLab extension
    # React's development builds: Dash serves them (for its "dev" paths) only with dev tools on.
    "dash/deps/react@*[0-9].js",
    "dash/deps/react-dom@*[0-9].js",
    "dash/deps/prop-types@*[0-9].js",
    # Build leftovers of the DataTable's own test page, which Dash never registers (so never serves).
    "dash/dash_table/commons.js",
    "dash/dash_table/demo.js",
    "dash/dash_table/index.html",
)
#: Packages compiled without docstrings (as ``python -OO`` would; they hold no asserts either).
WITHOUT_DOCSTRINGS = ("plotly/graph_objs",)
#: Parts of a wheel's ``<name>.data/`` folder that are importable.
_DATA_TO_SITE = ("purelib", "platlib")
#: Compiled by the site's Pyodide in Node (see bootstrap/compile_pyc.mjs).
_COMPILER = "compile_pyc.mjs"


class ArchiveError(Exception):
    """The packages archive could not be made."""


@dataclass(frozen=True)
class Packed:
    path: Path
    trimmed_bytes: int  # uncompressed bytes of the files left out


def pack(
    wheels: Iterable[tuple[str, Path]], cache_dir: Path, pyodide_dir: Path, bootstrap_dir: Path
) -> Packed:
    """One archive of ``wheels`` (each given with its sha256), cached in ``cache_dir``."""
    wheels = sorted(wheels, key=lambda pair: pair[1].name)
    key = hashlib.sha256(
        "\n".join([FORMAT, _versions.PYODIDE_VERSION, *(f"{p.name} {sha}" for sha, p in wheels)]).encode()
    ).hexdigest()[:16]
    target = cache_dir / "archives" / f"packages-{key}.pack"
    trimmed_note = target.with_suffix(".trimmed")
    if target.is_file() and trimmed_note.is_file():
        return Packed(target, int(trimmed_note.read_text()))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "site-packages"
        staging.mkdir()
        times: dict[str, tuple[int, int, int, int, int, int]] = {}
        trimmed = sum(_unpack(wheel, staging, times) for _, wheel in wheels)
        _compile(staging, pyodide_dir, bootstrap_dir, without_docstrings=WITHOUT_DOCSTRINGS)
        _drop_sources(staging)
        partial = Path(tmp) / target.name
        _write_pack(staging, times, partial)
        shutil.move(partial, target)
    trimmed_note.write_text(str(trimmed))
    return Packed(target, trimmed)


def _write_pack(staging: Path, times: dict[str, tuple[int, int, int, int, int, int]], target: Path) -> None:
    """Write every file under ``staging`` into a pack at ``target``; files keep their wheel's times
    (Dash fingerprints the URLs of the scripts it serves with their mtimes)."""
    # Alike files side by side: by kind, then name (plotly's hundreds of `_font.pyc`, `_marker.pyc`…).
    paths = sorted(
        (p for p in staging.rglob("*") if p.is_file()),
        key=lambda p: (p.suffix, p.name, p.stat().st_size, p.as_posix()),
    )
    files = []
    for path in paths:
        name = path.relative_to(staging).as_posix()
        files.append([name, path.stat().st_size, calendar.timegm(times.get(name, (1980, 1, 1, 0, 0, 0)))])
    index = json.dumps({"files": files}, separators=(",", ":")).encode()
    parts = [PACK_MAGIC, len(index).to_bytes(4, "little"), index, *(path.read_bytes() for path in paths)]
    target.write_bytes(deflate.gzip_compress(b"".join(parts), GZIP_LEVEL))


def gzipped(path: Path, cache_dir: Path) -> Path:
    """``path`` gzipped (at GZIP_LEVEL), cached in ``cache_dir`` by its content."""
    data = path.read_bytes()
    target = cache_dir / "archives" / f"{path.name}-{hashlib.sha256(data).hexdigest()[:16]}.gz"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(deflate.gzip_compress(data, GZIP_LEVEL))
        partial.replace(target)
    return target


def read_pack(pack: Path, select: Callable[[str], bool] = lambda name: True) -> dict[str, bytes]:
    """The files in a pack (those whose path ``select`` accepts), by their path in site-packages."""
    files = {}
    with gzip.open(pack, "rb") as stream:
        if stream.read(len(PACK_MAGIC)) != PACK_MAGIC:
            raise ArchiveError(f"{pack} is not a webdash packages archive")
        index = json.loads(stream.read(int.from_bytes(stream.read(4), "little")))
        for name, size, _ in index["files"]:
            if select(name):
                files[name] = stream.read(size)
            else:
                stream.seek(size, io.SEEK_CUR)
    return files


def _unpack(wheel: Path, staging: Path, times: dict[str, tuple[int, int, int, int, int, int]]) -> int:
    """Unpack one wheel as an installer would, leaving out TRIMMED files; return the bytes left out."""
    trimmed = 0
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = _installed_name(info.filename)
            if name is None or any(fnmatch(name, pattern) for pattern in TRIMMED):
                trimmed += info.file_size
                continue
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(info))
            times[name] = info.date_time
    return trimmed


def _installed_name(name: str) -> str | None:
    """Where a wheel member lands in site-packages (None: outside it, e.g. Jupyter's share/)."""
    top, _, rest = name.partition("/")
    if not top.endswith(".data"):
        return name
    scheme, _, inner = rest.partition("/")
    return inner if scheme in _DATA_TO_SITE and inner else None


def compiled_stdlib(pyodide_dir: Path, cache_dir: Path, bootstrap_dir: Path) -> Path:
    """Pyodide's ``python_stdlib.zip`` with every module compiled, in place of its source.

    Pyodide ships the standard library as source, so a fresh boot compiles every
    module it imports (Pyodide's own start-up, Flask, Dash: hundreds). Compiled once
    here instead, a fresh boot starts about 1.4 s sooner (apps/hello, in Chromium).
    The modules are stored, not deflated one by one: the site sends the zip gzipped as
    one stream, which is smaller, and imports read them without inflating.
    """
    target = cache_dir / "archives" / f"python_stdlib-{_versions.PYODIDE_VERSION}-{FORMAT}.zip"

    def extract(staging: Path) -> None:
        with zipfile.ZipFile(pyodide_dir / "python_stdlib.zip") as source:
            source.extractall(staging)

    major, minor = _versions.PYTHON_VERSION.split(".")
    recorded = f"/lib/python{major}{minor}.zip"
    return _compiled_zip(target, extract, pyodide_dir, bootstrap_dir, zipfile.ZIP_STORED, recorded)


def compiled_runtime(
    package_dir: Path, modules: Iterable[str], pyodide_dir: Path, cache_dir: Path, bootstrap_dir: Path
) -> Path:
    """A zip of webdash's worker-side ``modules`` (in ``package_dir``), compiled, at ``webdash/``.

    Unpacked into site-packages on a fresh boot; compiled there, they cost ~25 ms of every first
    visit. Cached by the modules' bytes.
    """
    sources = {name: (package_dir / name).read_bytes() for name in sorted(modules)}
    key = hashlib.sha256(FORMAT.encode() + _versions.PYODIDE_VERSION.encode())
    for name, data in sources.items():
        key.update(f"{name} {len(data)} ".encode() + data)

    def copy(staging: Path) -> None:
        (staging / "webdash").mkdir()
        for name, data in sources.items():
            (staging / "webdash" / name).write_bytes(data)

    target = cache_dir / "archives" / f"runtime-{key.hexdigest()[:16]}.zip"
    return _compiled_zip(target, copy, pyodide_dir, bootstrap_dir, zipfile.ZIP_DEFLATED)


def _compiled_zip(
    target: Path,
    fill: Callable[[Path], None],
    pyodide_dir: Path,
    bootstrap_dir: Path,
    compression: int,
    recorded: str | None = None,
) -> Path:
    """``target``, made unless cached: the modules ``fill`` puts in a folder, compiled in place of
    their sources, zipped with a fixed time (the same input gives the same bytes, and the same
    build id)."""
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "modules"
        staging.mkdir()
        fill(staging)
        _compile(staging, pyodide_dir, bootstrap_dir, recorded=recorded)
        _drop_sources(staging)
        partial = Path(tmp) / target.name
        with zipfile.ZipFile(partial, "w", compression) as out:
            for path in sorted(p for p in staging.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(path.relative_to(staging).as_posix(), (1980, 1, 1, 0, 0, 0))
                out.writestr(info, path.read_bytes(), compression)
        shutil.move(partial, target)
    return target


def _drop_sources(staging: Path) -> None:
    """Put each compiled module's ``__pycache__/<name>.cpython-3XX.pyc`` in place of its ``<name>.py``.

    A module also compiled without docstrings (``<name>.cpython-3XX.opt-2.pyc``) gets that one.
    A module that did not compile keeps its source (and compiles when first imported).
    """
    tag = "cpython-" + _versions.PYTHON_VERSION.replace(".", "")
    for cache in sorted(staging.rglob("__pycache__")):
        for pyc in cache.glob(f"*.{tag}.pyc"):
            name = pyc.name.removesuffix(f".{tag}.pyc")
            source = cache.parent / f"{name}.py"
            if source.is_file():
                source.unlink()
                docless = cache / f"{name}.{tag}.opt-2.pyc"
                if docless.is_file():
                    docless.replace(pyc)
                pyc.rename(cache.parent / f"{name}.pyc")
        if not any(cache.iterdir()):
            cache.rmdir()


def _compile(
    staging: Path,
    pyodide_dir: Path,
    bootstrap_dir: Path,
    recorded: str | None = None,
    without_docstrings: Iterable[str] = (),
) -> None:
    node = shutil.which("node")
    if node is None:
        raise ArchiveError("webdash build needs Node.js to compile the packages for the browser's Python.")
    where = [recorded] if recorded else []
    docless = [arg for folder in without_docstrings for arg in ("--without-docstrings", folder)]
    result = subprocess.run(
        [node, str(bootstrap_dir / _COMPILER), str(pyodide_dir), str(staging), *where, *docless],
        capture_output=True, text=True, env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )  # fmt: skip
    if result.returncode != 0:
        raise ArchiveError(f"Compiling the packages with Pyodide failed:\n{result.stderr.strip()[-2000:]}")
