"""The pinned Pyodide core: fetched once from the npm registry, verified, cached."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class PackageSource:
    """Where a site loads packages of Pyodide's own distribution (numpy, pandas, …) from."""

    #: The URL the browser fetches them from, ending in "/"; None when they are vendored into the site.
    url: str | None
    #: A local folder mirroring the distribution, copied into the site (air-gapped sites).
    mirror: Path | None
    #: Its lock file: ``info`` and ``packages``.
    lock: dict[str, Any]

    def describe(self) -> str:
        return f"vendored from {self.mirror}" if self.mirror else f"loaded at run time from {self.url}"


def package_source(location: str | None) -> PackageSource:
    """The distribution at ``location``: a URL, a local mirror folder, or (None) Pyodide's CDN."""
    if location is None or location.startswith(("https://", "http://")):
        core_lock = json.loads((ensure_core() / "pyodide-lock.json").read_text())
        url = location or _versions.PYODIDE_CDN
        return PackageSource(url if url.endswith("/") else url + "/", None, core_lock)
    mirror = Path(location)
    lock_file = mirror / "pyodide-lock.json"
    if not lock_file.is_file():
        raise PyodideError(
            f"{mirror} is not a mirror of Pyodide's package distribution: it has no pyodide-lock.json. "
            f"Copy the files of {_versions.PYODIDE_CDN} (pyodide-lock.json and the packages' wheels) into it."
        )
    try:
        lock = json.loads(lock_file.read_text())
        info, packages = lock["info"], lock["packages"]
    except (ValueError, KeyError, TypeError) as exc:
        raise PyodideError(f"{lock_file} is not a Pyodide lock file ({exc}).") from exc
    wanted = {"python": _versions.PYTHON_FULL_VERSION, "abi_version": _versions.PYODIDE_ABI}
    found = {key: info.get(key) for key in wanted}
    if found != wanted:
        raise PyodideError(
            f"{lock_file} is for Python {found['python']}, ABI {found['abi_version']}; this webdash runs "
            f"Pyodide {_versions.PYODIDE_VERSION} (Python {wanted['python']}, ABI {wanted['abi_version']}). "
            f"Mirror the packages of {_versions.PYODIDE_CDN} instead."
        )
    if not isinstance(packages, dict):
        raise PyodideError(f"{lock_file}: `packages` is not a table.")
    return PackageSource(None, mirror.resolve(), lock)


def vendor(source: PackageSource, file_name: str, sha256: str, dest: Path) -> None:
    """Copy one package of a local mirror into the site, checking its sha256 against the lock."""
    assert source.mirror is not None
    path = source.mirror / file_name
    if not path.is_file():
        raise PyodideError(f"The mirror {source.mirror} lists {file_name} but does not have the file.")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise PyodideError(
            f"{path}: sha256 {digest} does not match its pyodide-lock.json entry ({sha256}). "
            "The mirror is corrupt or out of date; copy the file again."
        )
    shutil.copyfile(path, dest / file_name)
