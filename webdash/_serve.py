"""A static file server for built sites, on loopback (service workers need localhost or https).

Besides files, it answers a page navigation to a URL the site has no file for
(a deep link such as ``/hello/reports/2024``, opened before the service worker
is installed) with that app's loading page, as a host's rewrite rule would
(nginx: ``try_files $uri $uri/ /hello/index.html``). Once the service worker runs,
it does the same itself.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import mimetypes
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# Module scripts must be served as JavaScript, and wasm as wasm for streaming compilation.
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/wasm", ".wasm")

SITE_DIR = "_webdash"


def with_base(index_html: str, root_url: str) -> str:
    """The loading page, resolving its relative URLs from ``root_url`` (as the service worker serves it)."""
    return index_html.replace("<head>", f'<head><base href="{root_url}">', 1)


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self) -> BinaryIO | None:
        path = Path(self.translate_path(self.path))
        navigation = self.headers.get("Sec-Fetch-Mode") == "navigate" or "text/html" in self.headers.get(
            "Accept", ""
        )
        if not path.exists() and navigation:
            app_root = self._app_root_of(path)
            if app_root is not None:
                return self._send_loader(app_root)
        return super().send_head()

    def _app_root_of(self, path: Path) -> Path | None:
        """The app folder a missing path falls under (not inside its _webdash/), if any."""
        top = Path(self.directory).resolve()
        for parent in path.parents:
            if parent.name == SITE_DIR or not parent.is_relative_to(top):
                return None
            if (parent / SITE_DIR / "manifest.json").is_file() and (parent / "service_worker.js").is_file():
                return parent
        return None

    def _send_loader(self, app_root: Path) -> BinaryIO:
        top = Path(self.directory).resolve()
        relative = app_root.relative_to(top).as_posix()
        root_url = "/" + urllib.parse.quote(relative + "/" if relative != "." else "")
        body = with_base((app_root / "index.html").read_text(), root_url).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 0) -> http.server.ThreadingHTTPServer:
    """A threading server for ``directory``; ``port=0`` picks a free port."""
    handler = functools.partial(_SiteHandler, directory=str(directory))
    return http.server.ThreadingHTTPServer((host, port), handler)


@contextlib.contextmanager
def serving(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free loopback port from a background thread; yields its base URL."""
    server = make_server(directory)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
