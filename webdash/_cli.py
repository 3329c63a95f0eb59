"""The ``webdash`` command line: parse, then call one library function."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from dash import Dash

    from ._build import BuildResult

from . import _versions


@click.group()
@click.version_option(message=_versions.describe(), version=_versions.__version__)
def main() -> None:
    """Run unmodified Plotly Dash apps entirely in the browser."""


_PYODIDE_PACKAGES = click.option(
    "--pyodide-packages", metavar="URL|DIR", envvar="WEBDASH_PYODIDE_PACKAGES", default=None,
    help="Where packages of Pyodide's own distribution (numpy, pandas, …) load from: a URL, or a local "
    "mirror folder that is copied into the site so it needs no internet. Default: Pyodide's CDN.",
)  # fmt: skip


@main.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
    help="Folder to write the site into (default: site/<app name> for an app, site for a folder of apps). "
    "An earlier build there is replaced.",
)  # fmt: skip
@_PYODIDE_PACKAGES
@click.option(
    "--snapshot", "snapshot_at", metavar="URL_PATH", default=None,
    help="Boot each app once in headless Chromium (needs webdash[testing] and Chromium) and ship its "
    "Python's memory snapshot, for the site served at URL_PATH (e.g. / or /team/): first visits in "
    "Chromium-based browsers then start without importing the app, for ~15 MB more to download.",
)  # fmt: skip
def build(source: Path, out_dir: Path | None, pyodide_packages: str | None, snapshot_at: str | None) -> None:
    """Build SOURCE into a static site that runs it in the browser.

    SOURCE is an app folder (with app.py), or a folder of app folders: that
    builds a gallery, one site with an index page and each app at <name>/.
    """
    if out_dir is None:
        out_dir = Path("site") / source.resolve().name if _is_app(source) else Path("site")
    result = _build(source, out_dir, pyodide_packages, snapshot_at)
    click.echo(
        f"Next: serve {result.out_dir} from any static host over https or localhost, e.g. "
        f"`python -m http.server -d {result.out_dir} -b 127.0.0.1`, or run `webdash serve {source}`."
    )


@main.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("site"), show_default=True,
    help="Folder to build the site into (an app goes into a sub-folder).",
)  # fmt: skip
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
@_PYODIDE_PACKAGES
def serve(source: Path, out_dir: Path, port: int, pyodide_packages: str | None) -> None:
    """Build SOURCE (an app, or a folder of apps) and serve the site on 127.0.0.1."""
    from ._serve import make_server

    single = _is_app(source)
    result = _build(source, out_dir / source.resolve().name if single else out_dir, pyodide_packages)
    try:
        server = make_server(out_dir, port=port)
    except OSError as exc:
        raise click.ClickException(
            f"Cannot listen on 127.0.0.1:{port}: {exc.strerror}. Try --port 0."
        ) from exc
    host, bound = str(server.server_address[0]), server.server_address[1]
    base = f"http://{host}:{bound}/" + (f"{source.resolve().name}/" if single else "")
    if result.gallery:
        click.echo(f"Serving the gallery at {base}")
    for app in result.apps:
        click.echo(f"Serving {app.info.name} at {base}{app.path}")
    click.echo("Open the URL in Chrome, Edge or Firefox. Press Ctrl+C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _is_app(source: Path) -> bool:
    """Whether ``source`` is one app (else a folder of apps)."""
    from ._appdir import APP_FILE

    return (source / APP_FILE).is_file()


def _build(
    source: Path, out_dir: Path, pyodide_packages: str | None, snapshot_at: str | None = None
) -> BuildResult:
    """Build, then report what was built, where packages come from, and the origins the site may contact."""
    from ._build import SELF, BuildError
    from ._build import build as build_site

    try:
        result = build_site(
            source, out_dir, pyodide_packages=pyodide_packages, snapshot_at=snapshot_at,
            log=lambda m: click.echo(m, err=True),
        )  # fmt: skip
    except BuildError as exc:
        raise click.ClickException(str(exc)) from exc
    count = len(result.apps)
    kind = f"a gallery of {count} app{'s' if count != 1 else ''}" if result.gallery else "1 app"
    click.echo(f"Built {result.out_dir} ({kind}, {result.total_bytes / 1e6:.1f} MB):")
    for app in result.apps:
        where = f"{app.path or './'}"
        shipped = ", memory snapshot shipped" if app.info.name in result.snapshots else ""
        click.echo(f"  {where:<16} {app.info.title}: {len(app.packages)} packages bundled{shipped}")
        if app.pyodide_packages:
            names = ", ".join(f"{p.name} {p.version}" for p in app.pyodide_packages)
            click.echo(f"  {'':<16} from Pyodide's distribution, {result.package_source.describe()}: {names}")
    click.echo("At run time the site may contact:")
    for origin in result.origins:
        name = "its own origin" if origin.origin == SELF else origin.origin
        click.echo(f"  {name}: {origin.why}")
    click.echo("(Written to _webdash/manifest.json, under \"origins\".)")
    return result


@main.command()
@click.argument("app_dir", type=click.Path(path_type=Path))
@click.option("--port", default=8050, show_default=True, help="Port on 127.0.0.1.")
@click.option("--debug/--no-debug", default=False, help="Dash dev tools and Flask's reloader.")
@click.option(
    "--get", "get_path", metavar="PATH", default=None,
    help="Send one GET for PATH through the request path the browser's worker uses, print it, exit.",
)  # fmt: skip
def run(app_dir: Path, port: int, debug: bool, get_path: str | None) -> None:
    """Run APP_DIR under real Flask on 127.0.0.1, for debugging."""
    from ._appdir import AppError, load_app

    _check_host_requirements(app_dir)
    try:
        app = load_app(app_dir)
    except AppError as exc:
        raise click.ClickException(str(exc)) from exc
    if get_path is not None:
        sys.exit(_print_one(app, get_path))
    click.echo(f"Running {app_dir} under Flask at http://127.0.0.1:{port}/ (Ctrl+C to stop).")
    app.run(host="127.0.0.1", port=port, debug=debug)


def _check_host_requirements(app_dir: Path) -> None:
    """`webdash run` uses this Python's packages: say which of the app's requirements it lacks."""
    from importlib.metadata import PackageNotFoundError, version

    from packaging.requirements import Requirement

    from ._bundle import BundleError, read_requirements

    requirements_file = app_dir / "requirements.txt"
    try:
        requirements = [Requirement(line) for line in read_requirements(requirements_file)]
    except BundleError as exc:
        raise click.ClickException(str(exc)) from exc
    missing = []
    for requirement in requirements:
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            missing.append(str(requirement))
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            missing.append(f"{requirement} (this Python has {installed})")
    if missing:
        raise click.ClickException(
            f"{app_dir} needs {', '.join(missing)}, which this Python does not have. "
            f"Install them with: {sys.executable} -m pip install -r {requirements_file}"
        )


def _print_one(app: Dash, path: str) -> int:
    """Print status, headers and body of GET ``path``; exit status 0 for 2xx/3xx, else 1."""
    from ._requests import handle

    root = "http://127.0.0.1/"
    response = handle(
        app.server.test_client(),
        {"method": "GET", "url": root + path.lstrip("/"), "headers": [], "body": None},
        root,
    )
    click.echo(f"{response['status']} {response['statusText']}")
    for name, value in response["headers"]:
        click.echo(f"{name}: {value}")
    click.echo()
    body = response["body"]
    try:
        click.echo(body.decode())
    except UnicodeDecodeError:
        click.echo(f"<{len(body)} bytes of binary data>")
    return 0 if response["status"] < 400 else 1
