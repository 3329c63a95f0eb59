"""The packages archive a site installs: its wheels unpacked into one zip, trimmed, with ``.pyc``.

One archive is downloaded and unpacked once instead of one wheel at a time.
What no Dash app in a browser uses is left out (dev bundles and source maps,
which Dash serves only with dev tools on; plotly's Jupyter widget and
JupyterLab extension). Every module gets a ``.pyc`` compiled by the site's own
Pyodide (run in Node), so the browser imports without compiling: the ``.pyc``
files are "unchecked-hash" ones, valid whatever the unpacked files' times.
Archives are cached by the wheels they hold, so a rebuild costs nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from . import _versions

#: Bump when what goes into an archive changes, so cached archives are rebuilt.
FORMAT = "2"
#: Files no Dash app in a browser reads (paths inside site-packages).
TRIMMED = (
    "*.map",  # source maps: only a browser's dev tools ask for them
    "*.dev.js",  # development bundles: served with dev tools on (webdash runs apps without)
    "plotly/package_data/widgetbundle.js",  # plotly.graph_objects.FigureWidget, for Jupyter
    "plotly/labextension/*",  # the JupyterLab extension
)
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
    target = cache_dir / "archives" / f"packages-{key}.zip"
    trimmed_note = target.with_suffix(".trimmed")
    if target.is_file() and trimmed_note.is_file():
        return Packed(target, int(trimmed_note.read_text()))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "site-packages"
        staging.mkdir()
        times: dict[str, tuple[int, int, int, int, int, int]] = {}
        trimmed = sum(_unpack(wheel, staging, times) for _, wheel in wheels)
        _compile(staging, pyodide_dir, bootstrap_dir)
        partial = Path(tmp) / target.name
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(staging.rglob("*")):
                if path.is_file():
                    name = path.relative_to(staging).as_posix()
                    info = zipfile.ZipInfo(name, times.get(name, (1980, 1, 1, 0, 0, 0)))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, path.read_bytes())
        shutil.move(partial, target)
    trimmed_note.write_text(str(trimmed))
    return Packed(target, trimmed)


def dynlibs(archive: Path) -> list[dict[str, object]]:
    """Where each compiled extension module (``.so``) lies in ``archive``, so the browser can
    load it before Python starts (the memory snapshot needs each one at the same place every
    time): its path in site-packages and its raw-deflated bytes' offset and size in the zip."""
    found: list[dict[str, object]] = []
    with archive.open("rb") as raw, zipfile.ZipFile(raw) as listing:
        for info in listing.infolist():
            if not info.filename.endswith(".so"):
                continue
            raw.seek(info.header_offset)
            header = raw.read(_LOCAL_HEADER.size)
            fields = _LOCAL_HEADER.unpack(header)
            if fields[0] != _LOCAL_HEADER_MAGIC or info.compress_type != zipfile.ZIP_DEFLATED:
                raise ArchiveError(f"{archive.name}: {info.filename} is not a deflated zip member")
            name_length, extra_length = fields[-2], fields[-1]
            found.append({
                "path": info.filename,
                "offset": info.header_offset + _LOCAL_HEADER.size + name_length + extra_length,
                "size": info.compress_size,
            })  # fmt: skip
    return found


#: A zip member's local header (APPNOTE 4.3.7); its last two fields are the name and extra lengths.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_HEADER_MAGIC = b"PK\x03\x04"


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


def _compile(staging: Path, pyodide_dir: Path, bootstrap_dir: Path) -> None:
    node = shutil.which("node")
    if node is None:
        raise ArchiveError("webdash build needs Node.js to compile the packages for the browser's Python.")
    result = subprocess.run(
        [node, str(bootstrap_dir / _COMPILER), str(pyodide_dir), str(staging)],
        capture_output=True, text=True, env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )  # fmt: skip
    if result.returncode != 0:
        raise ArchiveError(f"Compiling the packages with Pyodide failed:\n{result.stderr.strip()[-2000:]}")
