"""``webdash build``: an app folder, or a folder of apps, -> a static site that runs them in the browser.

A single app (``webdash build apps/hello -o site``)::

    index.html               the loading page (loader.html)
    service_worker.js        hands the page's requests to Python
    _webdash/                the shared files (below) and the app's own:
        app.zip              the app folder, as it is
        lock.json            the exact package set the browser installs (wheels of the site, and
                             packages of Pyodide's distribution, if any, with where they load from)
        manifest.json        versions, origins, and size and sha256 of every file the app loads

A gallery (``webdash build apps/ -o site``) puts each app under ``<name>/``
with its own ``index.html``, ``service_worker.js`` and ``_webdash/``; the
shared files live once, in the site's top ``_webdash/``, next to an
``index.html`` listing the apps::

    _webdash/bootstrap/      the boot page's and the Python worker's JS
    _webdash/pyodide/        the pinned Pyodide core (and vendored distribution packages)
    _webdash/packages-*.pack the apps' wheels, unpacked, trimmed and compiled (see _archive.py)
    _webdash/runtime.zip     webdash's own worker-side modules, compiled
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import _appdir, _archive, _bundle, _gallery, _pyodide, _snapshot, _versions

SITE_DIR = "_webdash"
#: webdash's modules the worker imports (nothing else of the package runs in the browser).
RUNTIME_MODULES = (
    "__init__.py", "_appdir.py", "_background.py", "_install.py", "_protocol.py", "_requests.py",
    "_versions.py", "_worker.py",
)  # fmt: skip
BOOTSTRAP_FILES = ("loader.js", "worker.js", "python.js", "protocol.js", "snapshot.js")
#: Pyodide core files the site also holds gzipped (``<name>.gz``), with their content types: the
#: service worker downloads those and inflates them, so any host sends a third of the bytes.
#: The plain files stay for what the service worker does not handle (Shift+Reload, Node).
#: Not Pyodide's JavaScript: the service worker caches it from the network while it installs, which
#: Chrome compiles into its code cache at once; and most hosts compress JavaScript anyway.
GZIPPED_CORE = {"pyodide.asm.wasm": "application/wasm", "python_stdlib.zip": "application/zip"}
#: What never belongs in an app's bundle.
_SKIPPED_NAMES = frozenset({"__pycache__", "requirements.txt"})
#: An app's folder name is its URL path in a gallery.
_APP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
#: XML namespace names look like URLs but are never fetched.
_NOT_FETCHED = ("http://www.w3.org/",)
SELF = "self"


class BuildError(Exception):
    """The site cannot be built; the message says why and what to do."""


@dataclass(frozen=True)
class Origin:
    """An origin the built site may contact at run time, and why."""

    origin: str  # "self" for the site's own origin
    why: str

    def to_json(self) -> dict[str, str]:
        return {"origin": self.origin, "why": self.why}


@dataclass(frozen=True)
class BuiltApp:
    info: _appdir.AppInfo
    path: str  # the app's URL path from the site's root: "" for a single app, "<name>/" in a gallery
    packages: list[_bundle.LockedWheel]
    pyodide_packages: list[_bundle.PyodidePackage]
    origins: list[Origin] = field(default_factory=list)


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    apps: list[BuiltApp]
    total_bytes: int
    package_source: _pyodide.PackageSource
    snapshots: list[str] = field(default_factory=list)  # the apps shipped with a memory snapshot

    @property
    def gallery(self) -> bool:
        return any(app.path for app in self.apps)

    @property
    def origins(self) -> list[Origin]:
        """Every origin any app of the site may contact (the site's own first)."""
        return _all_origins(self.apps)


def build(
    source: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    pyodide_packages: str | None = None,
    snapshot_at: str | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> BuildResult:
    """Build the app in ``source``, or every app in the folder ``source`` (a gallery), into ``out_dir``.

    ``pyodide_packages`` is where packages of Pyodide's own distribution load
    from: a URL, a local mirror folder (vendored into the site), or None for
    Pyodide's CDN. With ``snapshot_at`` (the URL path the site will be served at), each app's
    booted Python is shipped as a memory snapshot that first visits resume from (see _snapshot.py).
    """
    app_dirs, gallery = find_apps(Path(source))
    out = Path(out_dir).resolve()
    infos = []
    for app_dir in app_dirs:
        _check_sources(app_dir)
        try:
            infos.append(_appdir.describe_app(app_dir))
        except _appdir.AppError as exc:
            raise BuildError(str(exc)) from exc

    log(f"Fetching Pyodide {_versions.PYODIDE_VERSION} (cached after the first build)")
    try:
        core = _pyodide.ensure_core()
        source_of = _pyodide.package_source(pyodide_packages)
    except _pyodide.PyodideError as exc:
        raise BuildError(str(exc)) from exc
    locks = _lock_each(app_dirs, source_of, log)
    _prepare_out_dir(out, app_dirs)
    # GitHub Pages runs Jekyll on a site unless told not to, and Jekyll drops every path that starts
    # with "_" (_webdash/).
    (out / ".nojekyll").touch()

    shared = out / SITE_DIR
    for sub in ("bootstrap", "pyodide"):
        (shared / sub).mkdir(parents=True, exist_ok=True)
    static = static_dir()
    for name in BOOTSTRAP_FILES:
        shutil.copyfile(static / "bootstrap" / name, shared / "bootstrap" / name)
    try:
        stdlib = _archive.compiled_stdlib(core, _pyodide.cache_root(), static / "bootstrap")
    except _archive.ArchiveError as exc:
        raise BuildError(str(exc)) from exc
    for name in _versions.PYODIDE_SITE_FILES:
        # The standard library goes in compiled; the other files as Pyodide ships them.
        shutil.copyfile(stdlib if name == "python_stdlib.zip" else core / name, shared / "pyodide" / name)
    for name in GZIPPED_CORE:
        gz = _archive.gzipped(shared / "pyodide" / name, _pyodide.cache_root())
        shutil.copyfile(gz, shared / "pyodide" / f"{name}.gz")
    try:
        archives = _pack(locks, core, shared, log)
    except _archive.ArchiveError as exc:
        raise BuildError(str(exc)) from exc
    for lock in locks:
        for package in lock.pyodide:
            if source_of.mirror and not (shared / "pyodide" / package.file).is_file():
                try:
                    _pyodide.vendor(source_of, package.file, package.sha256, shared / "pyodide")
                except _pyodide.PyodideError as exc:
                    raise BuildError(str(exc)) from exc
    try:
        runtime = _archive.compiled_runtime(
            Path(__file__).parent, RUNTIME_MODULES, core, _pyodide.cache_root(), static / "bootstrap"
        )
    except _archive.ArchiveError as exc:
        raise BuildError(str(exc)) from exc
    shutil.copyfile(runtime, shared / "runtime.zip")

    hashes = _FileHashes()
    built = []
    for app_dir, info, lock, app_archives in zip(app_dirs, infos, locks, archives, strict=True):
        url_path = f"{info.name}/" if gallery else ""
        origins = _origins(app_dir, lock, source_of)
        _write_app(out / url_path, app_dir, info, lock, app_archives, source_of, origins, shared, hashes)
        built.append(BuiltApp(info, url_path, [w for w, _ in lock.wheels], lock.pyodide, origins))
    snapshots = _ship_snapshots(out, built, snapshot_at, log) if snapshot_at is not None else []
    if gallery:
        _write_gallery(out, built, hashes)
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return BuildResult(out, built, total, source_of, snapshots)


def _ship_snapshots(out: Path, apps: list[BuiltApp], at: str, log: Callable[[str], None]) -> list[str]:
    """Boot each app in Chromium and ship its memory snapshot (apps with packages of Pyodide's
    distribution load libraries a snapshot cannot hold: they boot afresh on every visit)."""
    for app in apps:
        if app.pyodide_packages:
            names = ", ".join(p.name for p in app.pyodide_packages)
            log(f"No memory snapshot for {app.info.name}: its packages from Pyodide's distribution ({names}) "
                "bring libraries a snapshot cannot hold.")  # fmt: skip
    try:
        return _snapshot.make(
            out, [(a.info.name, a.path) for a in apps if not a.pyodide_packages], _snapshot.url_path(at), log
        )
    except _snapshot.SnapshotError as exc:
        raise BuildError(str(exc)) from exc


def find_apps(source: Path) -> tuple[list[Path], bool]:
    """The app folders to build, and whether ``source`` is a folder of apps (a gallery)."""
    if not source.is_dir():
        raise BuildError(f"{source} is not a directory. Point webdash at the folder that holds app.py.")
    if (source / _appdir.APP_FILE).is_file():
        return [source.resolve()], False
    apps = sorted(
        d.resolve()
        for d in source.iterdir()
        if d.is_dir() and not d.name.startswith((".", "_")) and (d / _appdir.APP_FILE).is_file()
    )
    if not apps:
        raise BuildError(
            f"{source} has no {_appdir.APP_FILE}, and no sub-folder with one. A webdash app is a folder "
            f"whose {_appdir.APP_FILE} defines a module-level `app = Dash(__name__)`; a gallery is a folder "
            "of such app folders."
        )
    for app in apps:
        if not _APP_NAME.fullmatch(app.name):
            raise BuildError(
                f"{app}: in a gallery, an app's folder name is its URL; "
                "use letters, digits, '.', '_' and '-'."
            )
    return apps, True


def static_dir() -> Path:
    """Where loader.html, service_worker.js and bootstrap/ live (source tree or installed copy)."""
    for candidate in (Path(__file__).parent.parent, Path(sys.prefix) / "share" / "webdash"):
        if (candidate / "loader.html").is_file():
            return candidate
    raise BuildError("webdash's loader.html is missing: reinstall webdash.")


def _lock_each(
    app_dirs: list[Path], source: _pyodide.PackageSource, log: Callable[[str], None]
) -> list[_bundle.Lock]:
    """Resolve each app's packages; apps with the same requirements share one resolution."""
    resolved: dict[tuple[str, ...], _bundle.Lock] = {}
    locks = []
    for app_dir in app_dirs:
        try:
            requirements = tuple(_bundle.read_requirements(app_dir / "requirements.txt"))
            if requirements not in resolved:
                log(f"Resolving packages for the browser: {app_dir.name}")
                resolved[requirements] = _bundle.lock(
                    requirements, _pyodide.cache_root(), source.lock["packages"]
                )
        except _bundle.BundleError as exc:
            raise BuildError(f"{app_dir.name}: {exc}" if len(app_dirs) > 1 else str(exc)) from exc
        locks.append(resolved[requirements])
    return locks


def _pack(locks: list[_bundle.Lock], core: Path, shared: Path, log: Callable[[str], None]) -> list[list[str]]:
    """Each app's packages archives (file names in ``shared``): one with the wheels every app has,
    and, for an app that has more, one with the rest. Identical archives are written once."""
    wheel_sets = [{wheel.file: (wheel.sha256, path) for wheel, path in lock.wheels} for lock in locks]
    common = set.intersection(*(set(wheels) for wheels in wheel_sets))
    bootstrap = static_dir() / "bootstrap"

    def archive_of(wheels: dict[str, tuple[str, Path]], names: set[str]) -> str:
        packed = _archive.pack([wheels[n] for n in sorted(names)], _pyodide.cache_root(), core, bootstrap)
        target = shared / packed.path.name
        if not target.exists():
            left_out = packed.trimmed_bytes / 1e6
            log(f"Packed {len(names)} packages ({left_out:.1f} MB of files no browser app uses left out)")
            shutil.copyfile(packed.path, target)
        return target.name

    log("Compiling packages for the browser's Python (cached after the first build)")
    archives = []
    for wheels in wheel_sets:
        names = [archive_of(wheels, common)] if common else []
        if set(wheels) - common:
            names.append(archive_of(wheels, set(wheels) - common))
        archives.append(names)
    return archives


def _write_app(
    root: Path,
    app_dir: Path,
    info: _appdir.AppInfo,
    lock: _bundle.Lock,
    archives: list[str],
    source: _pyodide.PackageSource,
    origins: list[Origin],
    shared: Path,
    hashes: _FileHashes,
) -> None:
    """Write one app's own files under ``root`` and its manifest."""
    site = root / SITE_DIR
    site.mkdir(parents=True, exist_ok=True)
    shared_url = os.path.relpath(shared, root).replace(os.sep, "/") + "/"
    boot_script = 'src="{}bootstrap/loader.js"'
    _fill_template(
        "loader.html", root / "index.html", boot_script.format(f"{SITE_DIR}/"), boot_script.format(shared_url)
    )
    _zip_tree(app_dir, site / "app.zip")
    _write_json(
        site / "lock.json",
        {
            "python": _versions.PYTHON_FULL_VERSION,
            "platform": _versions.WHEEL_PLATFORM,
            "packages": [wheel.to_json() for wheel, _ in lock.wheels],
            # The wheels above, unpacked and compiled into archives in the shared folder.
            "archives": archives,
            # Packages from Pyodide's distribution, for pyodide.loadPackage: where they
            # load from (relative to the app's root when vendored) and their lock entries.
            "pyodide": {
                "baseURL": source.url if source.url else shared_url + "pyodide/",
                "lock": {"info": source.lock["info"], "packages": {p.name: p.entry for p in lock.pyodide}},
            },
        },
    )

    loads = [root / "index.html", site / "app.zip", site / "lock.json", shared / "runtime.zip"]
    loads += [shared / "bootstrap" / name for name in BOOTSTRAP_FILES]
    loads += [shared / "pyodide" / name for name in _versions.PYODIDE_SITE_FILES]
    loads += [shared / name for name in archives]
    if source.mirror:
        loads += [shared / "pyodide" / p.file for p in lock.pyodide]
    files = {os.path.relpath(p, root).replace(os.sep, "/"): _describe_load(p, root, hashes) for p in loads}
    build_id = _build_id(files)
    # The service worker is told its build (so a new build is a new worker) and the shared folder.
    _fill_template(
        "service_worker.js", root / "service_worker.js",
        'const BUILD = { id: "unbuilt", shared: "_webdash/" };',
        f"const BUILD = {json.dumps({'id': build_id, 'shared': shared_url})};",
    )  # fmt: skip
    _write_json(
        site / "manifest.json",
        {
            **_versions_doc(),
            "app": {"name": info.name, "title": info.title, "description": info.description},
            "shared": shared_url,
            "buildId": build_id,
            "origins": [o.to_json() for o in origins],
            "files": files,
        },
    )


def _describe_load(path: Path, root: Path, hashes: _FileHashes) -> dict[str, Any]:
    """A manifest entry: size and sha256, and for GZIPPED_CORE files where the gzipped copy is."""
    entry = hashes.describe(path)
    if path.parent.name == "pyodide" and path.name in GZIPPED_CORE:
        gz = os.path.relpath(path.with_name(f"{path.name}.gz"), root).replace(os.sep, "/")
        entry = {**entry, "gzip": gz, "type": GZIPPED_CORE[path.name]}
    return entry


def _fill_template(name: str, target: Path, placeholder: str, value: str) -> None:
    """Write webdash's static file ``name`` to ``target`` with its one ``placeholder`` replaced."""
    source = (static_dir() / name).read_text()
    if source.count(placeholder) != 1:
        raise BuildError(f"webdash's {name} does not hold {placeholder!r} once: reinstall webdash.")
    target.write_text(source.replace(placeholder, value))


def _write_gallery(out: Path, apps: list[BuiltApp], hashes: _FileHashes) -> None:
    """The site's index page listing the apps, and the gallery's manifest."""
    thumbnails = out / SITE_DIR / "thumbnails"
    entries = []
    for app in apps:
        thumbnail = None
        if app.info.thumbnail:
            thumbnails.mkdir(exist_ok=True)
            target = thumbnails / (app.info.name + app.info.thumbnail.suffix.lower())
            shutil.copyfile(app.info.thumbnail, target)
            thumbnail = target.relative_to(out).as_posix()
        entries.append(_gallery.Entry(app.info.title, app.info.description, app.path, thumbnail))
    (out / "index.html").write_text(_gallery.render(entries))
    # Every file of every app: the service workers keep cached what this lists, and drop the rest.
    every_file = {
        p.relative_to(out).as_posix(): hashes.describe(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in {"service_worker.js", "manifest.json"}
    }
    _write_json(
        out / SITE_DIR / "manifest.json",
        {
            **_versions_doc(),
            "apps": [
                {
                    "name": a.info.name,
                    "path": a.path,
                    "title": a.info.title,
                    "description": a.info.description,
                }
                for a in apps
            ],
            "buildId": _build_id(every_file),
            "origins": [o.to_json() for o in _all_origins(apps)],
            "files": every_file,
        },
    )


def _all_origins(apps: list[BuiltApp]) -> list[Origin]:
    seen: dict[str, Origin] = {}
    for app in apps:
        for origin in app.origins:
            seen.setdefault(origin.origin, origin)
    return list(seen.values())


def _origins(app_dir: Path, lock: _bundle.Lock, source: _pyodide.PackageSource) -> list[Origin]:
    """Every origin one app may contact at run time: its own, a package CDN, and URLs in its code."""
    origins = [Origin(SELF, "the app, Python, its packages and every request the page makes")]
    if lock.pyodide and source.url:
        names = ", ".join(p.name for p in lock.pyodide)
        origins.append(Origin(_origin_of(source.url), f"packages from Pyodide's distribution: {names}"))
    for origin, where in sorted(_urls_in_code(app_dir).items()):
        if origin not in {o.origin for o in origins}:
            origins.append(Origin(origin, f"named in the app's code ({', '.join(sorted(where))})"))
    return origins


def _urls_in_code(app_dir: Path) -> dict[str, set[str]]:
    """Origins of the absolute URLs written in the app's Python, CSS, JS and HTML files."""
    found: dict[str, set[str]] = {}
    for path in sorted(app_dir.rglob("*")):
        relative = path.relative_to(app_dir)
        if not path.is_file() or _skipped(relative):
            continue
        if path.suffix == ".py":
            module = ast.parse(path.read_bytes())
            texts: Iterable[str] = (
                node.value for node in ast.walk(module)
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            )  # fmt: skip
        elif path.suffix in {".css", ".js", ".html", ".htm"}:
            texts = [path.read_text(errors="replace")]
        else:
            continue
        for text in texts:
            for url in re.findall(r"https?://[^\s\"'()<>`]+", text):
                if not url.startswith(_NOT_FETCHED):
                    found.setdefault(_origin_of(url), set()).add(relative.as_posix())
    return found


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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


def _prepare_out_dir(out: Path, app_dirs: list[Path]) -> None:
    """Empty ``out`` if it holds an earlier build; refuse to touch anything else."""
    for app_path in app_dirs:
        if app_path == out or app_path in out.parents or out in app_path.parents:
            raise BuildError(
                f"The output folder {out} and the app folder {app_path} overlap; choose another with -o."
            )
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


def _zip_tree(root: Path, target: Path) -> None:
    """Zip ``root``, keeping each file's mtime.

    Dash fingerprints asset URLs with mtimes; the worker restores them from the zip.
    """
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and not _skipped(relative):
                archive.write(path, relative.as_posix())


class _FileHashes:
    """Size and sha256 of files, each read once however many apps share it."""

    def __init__(self) -> None:
        self._known: dict[Path, dict[str, Any]] = {}

    def describe(self, path: Path) -> dict[str, Any]:
        if path not in self._known:
            data = path.read_bytes()
            self._known[path] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        return self._known[path]


def _versions_doc() -> dict[str, str]:
    return {
        "webdash": _versions.__version__,
        "pyodide": _versions.PYODIDE_VERSION,
        "python": _versions.PYTHON_FULL_VERSION,
        "dash": _versions.DASH_VERSION,
        "built": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _build_id(files: dict[str, dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]


def _write_json(path: Path, doc: object) -> None:
    path.write_text(json.dumps(doc, indent=1) + "\n")
