"""A static file server for built sites, on loopback (service workers need localhost or https)."""

from __future__ import annotations

import functools
import http.server
import mimetypes
from pathlib import Path

# Module scripts must be served as JavaScript, and wasm as wasm for streaming compilation.
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/wasm", ".wasm")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 0) -> http.server.ThreadingHTTPServer:
    """A threading server for ``directory``; ``port=0`` picks a free port."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    return http.server.ThreadingHTTPServer((host, port), handler)
