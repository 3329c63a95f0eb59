"""The pinned Pyodide core: fetched once from the npm registry, verified, cached."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from . import _versions


class PyodideError(Exception):
    """The Pyodide core could not be fetched or did not verify."""


def cache_root() -> Path:
    """Where webdash caches downloads between builds (``$WEBDASH_CACHE``, else the XDG cache)."""
    if "WEBDASH_CACHE" in os.environ:
        return Path(os.environ["WEBDASH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "webdash"


def cached_core_dir() -> Path:
    return cache_root() / f"pyodide-{_versions.PYODIDE_VERSION}"


def ensure_core() -> Path:
    """Return a directory holding the pinned Pyodide core files, fetching them if needed."""
    target = cached_core_dir()
    if all((target / name).is_file() for name in _versions.PYODIDE_CORE_FILES):
        return target
    if shutil.which("npm") is None:
        raise PyodideError(
            f"webdash needs npm to fetch Pyodide {_versions.PYODIDE_VERSION} once; install Node.js "
            "and npm (or fill the cache with WEBDASH_CACHE pointing at a copy)."
        )
    with tempfile.TemporaryDirectory() as tmp:
        spec = f"pyodide@{_versions.PYODIDE_VERSION}"
        result = subprocess.run(
            ["npm", "pack", spec, "--pack-destination", tmp, "--silent"],
            capture_output=True,
            text=True,
        )
        tarballs = list(Path(tmp).glob("pyodide-*.tgz"))
        if result.returncode != 0 or not tarballs:
            raise PyodideError(f"`npm pack {spec}` failed:\n{result.stderr.strip()}")
        verify_integrity(tarballs[0], _versions.PYODIDE_INTEGRITY)
        staging = Path(tmp) / "core"
        with tarfile.open(tarballs[0]) as tar:
            members = [
                m for m in tar.getmembers() if m.name.removeprefix("package/") in _versions.PYODIDE_CORE_FILES
            ]
            for member in members:
                member.name = member.name.removeprefix("package/")
            tar.extractall(staging, members=members, filter="data")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(staging, target)
    return target


def verify_integrity(path: Path, integrity: str) -> None:
    """Check ``path`` against an npm/SRI integrity string (``sha512-<base64>``)."""
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, path.read_bytes()).digest()).decode()
    if digest != expected:
        raise PyodideError(
            f"{path.name} does not match the pinned integrity {integrity} (got {algorithm}-{digest}). "
            "The download was altered or the pin is wrong; nothing was installed."
        )
