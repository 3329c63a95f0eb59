"""Requirements -> a locked set of wheels that install in Pyodide.

pip resolves the set (``pip install --dry-run --report``) for Pyodide's wheel
platform, accepting only wheels: pure ``py3-none-any`` ones and
``pyemscripten`` builds such as pydantic-core's. A package with neither but
whose C code is optional (MarkupSafe) gets a pure wheel built from its sdist
with the compiler disabled. pip evaluates environment markers for the machine it
runs on, so the graph is walked again with Pyodide's markers to drop what the
browser does not need and to catch what it needs that pip left out.

Packages with no wheel on PyPI that Pyodide's own distribution carries (numpy,
pandas, …, listed in its ``pyodide-lock.json``) come from that distribution.
pip still resolves around them: each gets a placeholder wheel with the name,
version and dependencies of its lock entry, so the rest of the graph (and what
those packages need from PyPI) is resolved as one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from . import _versions

#: Environment markers as Pyodide's Python reports them.
TARGET_MARKERS = {
    "implementation_name": "cpython",
    "implementation_version": _versions.PYTHON_FULL_VERSION,
    "os_name": "posix",
    "platform_machine": "wasm32",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_system": "Emscripten",
    "platform_version": "",
    "python_full_version": _versions.PYTHON_FULL_VERSION,
    "python_version": _versions.PYTHON_VERSION,
    "sys_platform": "emscripten",
}

_PIP_TARGET = [
    "--only-binary=:all:",
    f"--platform={_versions.WHEEL_PLATFORM}",
    f"--python-version={_versions.PYTHON_VERSION}",
    "--implementation=cp",
    f"--abi={_versions.WHEEL_ABI}",
]

#: Packages a running Dash app never imports in a browser, though Dash depends on them.
#: (setuptools: Dash lists it for pkg_resources on old Pythons only.)
_NEVER_NEEDED = frozenset({"setuptools"})


class BundleError(Exception):
    """The requirements cannot be made into a browser bundle; the message says why."""


@dataclass(frozen=True)
class LockedWheel:
    """One wheel of the lock: what the browser installs, byte for byte."""

    name: str
    version: str
    file: str
    sha256: str
    size: int

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class PyodidePackage:
    """A package from Pyodide's distribution, as its lock file describes it."""

    name: str  # normalized, as the lock file's keys (and pyodide.loadPackage) spell it
    version: str
    file: str
    sha256: str
    #: Its lock entry, with ``depends`` narrowed to packages that also come from the distribution.
    entry: dict[str, Any] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Lock:
    """What one app installs: wheels bundled into the site, and packages from Pyodide's distribution."""

    wheels: list[tuple[LockedWheel, Path]]
    pyodide: list[PyodidePackage]


def read_requirements(path: Path) -> list[str]:
    """The requirement lines of a requirements.txt (comments and blanks dropped)."""
    if not path.is_file():
        return []
    lines = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            raise BundleError(
                f"{path}:{number}: pip options ({line.split()[0]}) are not supported in a webdash "
                "requirements.txt; list one requirement per line."
            )
        try:
            requirement = Requirement(line)
        except InvalidRequirement as exc:
            raise BundleError(f"{path}:{number}: {line!r} is not a valid requirement: {exc}") from exc
        manager = _process_manager(requirement)
        if manager:
            from ._background import process_manager_message

            raise BundleError(f"{path}:{number}: {line}: " + process_manager_message(manager))
        lines.append(line)
    return lines


def _process_manager(requirement: Requirement) -> str | None:
    """Which of Dash's process-based background managers ``requirement`` is there for, if any."""
    name = canonicalize_name(requirement.name)
    extras = requirement.extras if name == "dash" else set()
    if name == "celery" or "celery" in extras:
        return "CeleryManager"
    if name == "diskcache" or "diskcache" in extras:
        return "DiskcacheManager"
    return None


def lock(requirements: Iterable[str], cache_dir: Path, distribution: Mapping[str, dict[str, Any]]) -> Lock:
    """Resolve ``requirements`` (plus Dash) and fetch the wheels into ``cache_dir``.

    ``distribution`` is the ``packages`` table of a Pyodide lock file: what may
    come from Pyodide's own distribution when PyPI has no browser build.
    """
    by_name: dict[str, dict[str, Any]] = {canonicalize_name(n): entry for n, entry in distribution.items()}
    roots = [f"dash=={_versions.DASH_VERSION}", *requirements]
    pure_dir = cache_dir / "pure"
    wheel_dir = cache_dir / "wheels"
    pure_dir.mkdir(parents=True, exist_ok=True)
    wheel_dir.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as stub_dir:
        tried: set[str] = set()
        from_pyodide: set[str] = set()
        while True:
            report, missing = _resolve(roots, [pure_dir, Path(stub_dir)])
            if report is not None:
                break
            new = [name for name in missing if name not in tried]
            if not new:
                raise BundleError(_no_browser_build_message(missing, by_name))
            for name in new:
                tried.add(name)
                # A wheel bundled into the site beats one fetched from Pyodide's distribution.
                if not _build_pure_wheel(name, pure_dir) and name in by_name:
                    _write_placeholder(by_name[name], Path(stub_dir))
                    from_pyodide.add(name)

    installs = _needed_in_browser(report, roots)
    bundled = [i for i in installs if canonicalize_name(i["metadata"]["name"]) not in from_pyodide]
    pins = [f"{i['metadata']['name']}=={i['metadata']['version']}" for i in bundled]
    _pip("download", "--no-deps", *_PIP_TARGET, f"--find-links={pure_dir}", "-d", str(wheel_dir), *pins)

    wheels = []
    for item in bundled:
        url = item["download_info"]["url"]
        path = wheel_dir / url.rsplit("/", 1)[-1]
        digest = _sha256(path)
        expected = item["download_info"].get("archive_info", {}).get("hashes", {}).get("sha256")
        if expected and expected != digest:
            raise BundleError(f"{path.name}: sha256 {digest} does not match the index's {expected}.")
        meta = item["metadata"]
        wheel = LockedWheel(meta["name"], meta["version"], path.name, digest, path.stat().st_size)
        wheels.append((wheel, path))
    wheels.sort(key=lambda pair: canonicalize_name(pair[0].name))

    needed = {canonicalize_name(i["metadata"]["name"]) for i in installs} & from_pyodide
    pyodide = []
    for name in sorted(needed):
        entry = dict(by_name[name])
        entry["depends"] = [d for d in entry.get("depends", []) if canonicalize_name(d) in needed]
        pyodide.append(PyodidePackage(name, entry["version"], entry["file_name"], entry["sha256"], entry))
    return Lock(wheels, pyodide)


def _write_placeholder(entry: Mapping[str, Any], stub_dir: Path) -> None:
    """A metadata-only wheel standing in for a distribution package while pip resolves."""
    dist = f"{re.sub(r'[-_.]+', '_', entry['name'])}-{entry['version']}"
    info = f"{dist}.dist-info/"
    metadata = f"Metadata-Version: 2.1\nName: {entry['name']}\nVersion: {entry['version']}\n"
    metadata += "".join(f"Requires-Dist: {d}\n" for d in entry.get("depends", []))
    with zipfile.ZipFile(stub_dir / f"{dist}-py3-none-any.whl", "w") as wheel:
        wheel.writestr(info + "METADATA", metadata)
        tags = "Wheel-Version: 1.0\nGenerator: webdash\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        wheel.writestr(info + "WHEEL", tags)
        wheel.writestr(info + "RECORD", "")


def _resolve(roots: list[str], find_links: list[Path]) -> tuple[dict[str, Any] | None, list[str]]:
    """Run pip's resolver for Pyodide; return its report, or the packages that had no wheel."""
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        result = _pip(
            "install", "--dry-run", "--ignore-installed", *_PIP_TARGET,
            *(f"--find-links={d}" for d in find_links), "--target", str(Path(tmp) / "target"),
            "--report", str(report_path), *roots, check=False,
        )  # fmt: skip
        if result.returncode == 0:
            return json.loads(report_path.read_text()), []
    output = result.stdout + result.stderr  # pip explains conflicts on stdout
    missing = _packages_without_wheel(output)
    if not missing:  # a genuine conflict, not a missing browser build
        raise BundleError("pip could not resolve the requirements:\n" + _errors_only(output))
    return None, missing


def _packages_without_wheel(pip_stderr: str) -> list[str]:
    """The packages pip's failure names that really have no wheel for Pyodide.

    pip words this several ways ("No matching distribution found for X", a list
    of packages with "no matching distributions available", or a conflict that
    "depends on X"); each name is then checked against the index.
    """
    names = re.findall(r"No matching distribution found for ([A-Za-z0-9._-]+)", pip_stderr)
    names += re.findall(r"depends on ([A-Za-z0-9._-]+)", pip_stderr)
    block = re.search(
        r"no matching distributions available for your environment:\n((?:[ \t]+\S+\n?)+)", pip_stderr
    )
    if block:
        names += block.group(1).split()
    return [n for n in sorted({canonicalize_name(n) for n in names}) if not _has_target_wheel(n)]


def _has_target_wheel(name: str) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        return _pip("download", "--no-deps", *_PIP_TARGET, "-d", tmp, name, check=False).returncode == 0


def _build_pure_wheel(name: str, pure_dir: Path) -> bool:
    """Build a pure wheel of ``name`` from its sdist with the C compiler disabled; True if it worked.

    Packages whose C extension is an optional speed-up (MarkupSafe) fall back to
    pure Python when compiling fails; any other outcome is no browser build. A
    package that failed to build is remembered in ``pure_dir``, so later builds
    do not try again.
    """
    failed_marker = pure_dir / f"{name}.no-pure-wheel"
    if failed_marker.exists():
        return False
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CC": "false", "CXX": "false"}
        result = _pip(
            "wheel", "--no-deps", "--quiet", f"--no-binary={name}", "-w", tmp, name, check=False, env=env
        )
        for wheel in Path(tmp).glob("*.whl"):
            tags = parse_wheel_filename(wheel.name)[3]
            if result.returncode == 0 and all(t.platform == "any" for t in tags):
                shutil.copy2(wheel, pure_dir / wheel.name)
                return True
    # pip's words for a build that ran and failed (rather than a download that failed).
    output = result.stdout + result.stderr
    if "Failed to build" in output or "issue with the package mentioned above" in output:
        failed_marker.write_text(_errors_only(output) + "\n")
    return False


def _needed_in_browser(report: dict[str, Any], roots: list[str]) -> list[dict[str, Any]]:
    """The report's packages reachable from ``roots`` under Pyodide's markers."""
    by_name = {canonicalize_name(i["metadata"]["name"]): i for i in report["install"]}
    needed: dict[str, dict[str, Any]] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [r for r in map(Requirement, roots) if _applies(r, frozenset())]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        key = (name, frozenset(req.extras))
        if name in _NEVER_NEEDED or key in seen:
            continue
        seen.add(key)
        item = by_name.get(name)
        if item is None:
            raise BundleError(
                f"{req.name} is needed in the browser but pip did not select it (pip evaluates "
                "markers for this machine, not for Pyodide). Add it to requirements.txt."
            )
        needed[name] = item
        deps = map(Requirement, item["metadata"].get("requires_dist") or [])
        todo += [d for d in deps if _applies(d, frozenset(req.extras))]
    return sorted(needed.values(), key=lambda i: canonicalize_name(i["metadata"]["name"]))


def _applies(req: Requirement, extras: frozenset[str]) -> bool:
    """Whether ``req`` is needed in Pyodide when its parent was asked for with ``extras``."""
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**TARGET_MARKERS, "extra": e}) for e in {"", *extras})


def _no_browser_build_message(names: list[str], distribution: Mapping[str, dict[str, Any]]) -> str:
    listed = ", ".join(names)
    lines = [f"No browser build of: {listed}."]
    for name in names:
        if name in distribution:
            lines.append(
                f"{name}: Pyodide's package distribution has only version {distribution[name]['version']}, "
                "which the requirements rule out; relax the version in requirements.txt."
            )
    others = [name for name in names if name not in distribution]
    if others:
        lines.append(
            f"{', '.join(others)}: PyPI has no pure-Python or Pyodide (pyemscripten) wheel, building a "
            "pure wheel from source failed, and Pyodide's package distribution does not carry it. "
            "Packages with C extensions run in the browser only when built for Pyodide."
        )
    lines.append("Remove it from requirements.txt, or replace it with a pure-Python alternative.")
    return "\n".join(lines)


def _pip(
    *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise BundleError(f"`pip {args[0]}` failed:\n{_errors_only(result.stderr)}")
    return result


def _errors_only(pip_stderr: str) -> str:
    """pip's output without its warnings, which say nothing about the failure."""
    keep = ("ERROR", "The conflict", "    ", "Additionally")
    return "\n".join(line for line in pip_stderr.splitlines() if line.startswith(keep)).strip()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
