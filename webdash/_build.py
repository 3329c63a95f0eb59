"""``webdash build``: an app directory -> a static site that runs it in the browser.

Layout of a built site (every file of it is listed in ``_webdash/manifest.json``)::

    index.html              the loading page (loader.html)
    service_worker.js       hands the page's requests to Python
    _webdash/bootstrap/     the boot page's and the Python worker's JS
    _webdash/pyodide/       the pinned Pyodide core
    _webdash/wheels/        every wheel of the lock
    _webdash/runtime.zip    webdash's own worker-side modules
    _webdash/app.zip        the app directory, as it is
    _webdash/lock.json      the exact package set the browser installs
    _webdash/manifest.json  versions, and size and sha256 of every file
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import _appdir, _bundle, _pyodide, _versions

SITE_DIR = "_webdash"
#: webdash's modules the worker imports (nothing else of the package runs in the browser).
RUNTIME_MODULES = ("__init__.py", "_appdir.py", "_protocol.py", "_requests.py", "_versions.py", "_worker.py")
BOOTSTRAP_FILES = ("loader.js", "worker.js", "python.js", "protocol.js")
#: What never belongs in an app's bundle.
_SKIPPED_NAMES = frozenset({"__pycache__", "requirements.txt"})


class BuildError(Exception):
    """The site cannot be built; the message says why and what to do."""


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    packages: list[_bundle.LockedWheel]
    total_bytes: int


def build(
    app_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    log: Callable[[str], None] = lambda message: None,
) -> BuildResult:
    """Build the static site for the app in ``app_dir`` into ``out_dir``."""
    try:
        app_path = _appdir.check_app_dir(app_dir)
    except _appdir.AppError as exc:
        raise BuildError(str(exc)) from exc
    out = Path(out_dir).resolve()
    _check_sources(app_path)
    _prepare_out_dir(out, app_path)

    log(f"Fetching Pyodide {_versions.PYODIDE_VERSION} (cached after the first build)")
    core = _pyodide.ensure_core()
    log("Resolving packages for the browser")
    try:
        requirements = _bundle.read_requirements(app_path / "requirements.txt")
        locked = _bundle.lock(requirements, _pyodide.cache_root())
    except _bundle.BundleError as exc:
        raise BuildError(str(exc)) from exc

    site = out / SITE_DIR
    for sub in ("bootstrap", "pyodide", "wheels"):
        (site / sub).mkdir(parents=True, exist_ok=True)
    static = static_dir()
    shutil.copyfile(static / "loader.html", out / "index.html")
    shutil.copyfile(static / "service_worker.js", out / "service_worker.js")
    for name in BOOTSTRAP_FILES:
        shutil.copyfile(static / "bootstrap" / name, site / "bootstrap" / name)
    for name in _versions.PYODIDE_CORE_FILES:
        shutil.copyfile(core / name, site / "pyodide" / name)
    for wheel, path in locked:
        shutil.copyfile(path, site / "wheels" / wheel.file)
    _zip_tree(Path(__file__).parent, site / "runtime.zip", include=RUNTIME_MODULES, prefix="webdash/")
    _zip_tree(app_path, site / "app.zip")

    lock_doc = {
        "python": _versions.PYTHON_FULL_VERSION,
        "platform": _versions.WHEEL_PLATFORM,
        "packages": [wheel.to_json() for wheel, _ in locked],
    }
    _write_json(site / "lock.json", lock_doc)
    files = _file_table(out)
    manifest = {
        "webdash": _versions.__version__,
        "pyodide": _versions.PYODIDE_VERSION,
        "python": _versions.PYTHON_FULL_VERSION,
        "dash": _versions.DASH_VERSION,
        "app": app_path.name,
        "built": datetime.now(UTC).isoformat(timespec="seconds"),
        "buildId": hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16],
        "files": files,
    }
    _write_json(site / "manifest.json", manifest)
    total = sum(f["size"] for f in files.values())
    return BuildResult(out, [wheel for wheel, _ in locked], total)


def static_dir() -> Path:
    """Where loader.html, service_worker.js and bootstrap/ live (source tree or installed copy)."""
    for candidate in (Path(__file__).parent.parent, Path(sys.prefix) / "share" / "webdash"):
        if (candidate / "loader.html").is_file():
            return candidate
    raise BuildError("webdash's loader.html is missing: reinstall webdash.")


def _check_sources(app_path: Path) -> None:
    """Fail the build on a syntax error now rather than on the loading page later."""
    for source in sorted(app_path.rglob("*.py")):
        if _skipped(source.relative_to(app_path)):
            continue
        try:
            compile(source.read_bytes(), str(source), "exec")
        except SyntaxError as exc:
            raise BuildError(
                f"{source}:{exc.lineno}: {exc.msg}. Fix the syntax error and build again."
            ) from exc


def _prepare_out_dir(out: Path, app_path: Path) -> None:
    """Empty ``out`` if it holds an earlier build; refuse to touch anything else."""
    if app_path == out or app_path in out.parents:
        raise BuildError(f"The output folder {out} is inside the app folder; choose another with -o.")
    if out.exists():
        if not out.is_dir():
            raise BuildError(f"{out} exists and is not a folder.")
        earlier_build = (out / SITE_DIR / "manifest.json").is_file()
        if any(out.iterdir()) and not earlier_build:
            raise BuildError(
                f"{out} exists and is not a webdash site; nothing was deleted. Choose an empty or new folder."
            )
        shutil.rmtree(out)
    out.mkdir(parents=True)


def _skipped(relative: Path) -> bool:
    return any(part.startswith(".") or part in _SKIPPED_NAMES for part in relative.parts) or (
        relative.suffix == ".pyc"
    )


def _zip_tree(root: Path, target: Path, *, include: tuple[str, ...] = (), prefix: str = "") -> None:
    """Zip ``root`` (only ``include`` if given), keeping each file's mtime.

    Dash fingerprints asset URLs with mtimes; the worker restores them from the zip.
    """
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if not path.is_file() or _skipped(relative) or (include and str(relative) not in include):
                continue
            archive.write(path, prefix + relative.as_posix())


def _file_table(out: Path) -> dict[str, dict[str, Any]]:
    table = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            table[path.relative_to(out).as_posix()] = {
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
    return table


def _write_json(path: Path, doc: object) -> None:
    path.write_text(json.dumps(doc, indent=1) + "\n")
