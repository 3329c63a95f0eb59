"""The ``webdash`` command line: parse, then call one library function."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from dash import Dash

from . import _versions


@click.group()
@click.version_option(message=_versions.describe(), version=_versions.__version__)
def main() -> None:
    """Run unmodified Plotly Dash apps entirely in the browser."""


@main.command()
@click.argument("app_dir", type=click.Path(path_type=Path))
@click.option(
    "-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
    help="Folder to write the site into (default: site/<app name>). An earlier build there is replaced.",
)  # fmt: skip
def build(app_dir: Path, out_dir: Path | None) -> None:
    """Build APP_DIR into a static site that runs the app in the browser."""
    from ._build import BuildError
    from ._build import build as build_site

    out_dir = out_dir or Path("site") / app_dir.resolve().name
    try:
        result = build_site(app_dir, out_dir, log=lambda m: click.echo(m, err=True))
    except BuildError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Built {result.out_dir} ({len(result.packages)} packages, {result.total_bytes / 1e6:.1f} MB)."
    )
    click.echo(
        f"Next: serve it from any static host over https or localhost, e.g. "
        f"`python -m http.server -d {result.out_dir} -b 127.0.0.1`, or `webdash serve {app_dir}`."
    )


@main.command()
@click.argument("app_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True, help="Folder to build the sites into, one sub-folder per app.")  # fmt: skip
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
def serve(app_dirs: tuple[Path, ...], out_dir: Path, port: int) -> None:
    """Build each APP_DIR and serve the sites on 127.0.0.1, each app under /<app name>/."""
    from ._build import BuildError
    from ._build import build as build_site
    from ._serve import make_server

    names = []
    for app_dir in app_dirs:
        name = app_dir.resolve().name
        click.echo(f"Building {app_dir} …", err=True)
        try:
            build_site(app_dir, out_dir / name, log=lambda m: click.echo(f"  {m}", err=True))
        except BuildError as exc:
            raise click.ClickException(str(exc)) from exc
        names.append(name)
    try:
        server = make_server(out_dir, port=port)
    except OSError as exc:
        raise click.ClickException(
            f"Cannot listen on 127.0.0.1:{port}: {exc.strerror}. Try --port 0."
        ) from exc
    host, bound = str(server.server_address[0]), server.server_address[1]
    for name in names:
        click.echo(f"Serving {name} at http://{host}:{bound}/{name}/")
    click.echo("Open the URL in Chrome, Edge or Firefox. Press Ctrl+C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


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

    try:
        app = load_app(app_dir)
    except AppError as exc:
        raise click.ClickException(str(exc)) from exc
    if get_path is not None:
        sys.exit(_print_one(app, get_path))
    click.echo(f"Running {app_dir} under Flask at http://127.0.0.1:{port}/ (Ctrl+C to stop).")
    app.run(host="127.0.0.1", port=port, debug=debug)


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
