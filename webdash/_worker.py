"""What the Pyodide worker imports: boot the app once, then answer requests.

This is the one seam between Pyodide and CPython: values arrive here as
JavaScript proxies and leave as plain Python; everything below
(``_appdir``, ``_requests``) is ordinary CPython code.
``bootstrap/python.js`` calls :func:`boot` and :func:`handle` (and, before
the app is unpacked, ``_install.install_archive``).
"""

from __future__ import annotations

import os
import sys
from typing import Any
from urllib.parse import urlsplit

from . import _appdir, _requests
from ._protocol import HttpRequest, HttpResponse

_client: Any = None  # the app's Flask test client, once booted
_root: str = ""


def boot(root: str, app_dir: str) -> None:
    """Import the app in ``app_dir`` for a site whose root URL is ``root``, and warm it up."""
    global _client, _root
    # Dash reads its public prefix from the environment when Dash() is constructed.
    os.environ["DASH_REQUESTS_PATHNAME_PREFIX"] = urlsplit(root).path
    app = _appdir.load_app(app_dir)
    client = app.server.test_client()
    # Dash finishes setting up its server on the first request: pay for it now.
    client.get("/", base_url=root.rstrip("/")).close()
    _client, _root = client, root


def resumed() -> None:
    """Called once Python is restored from a memory snapshot (``bootstrap/snapshot.js``).

    The snapshot holds the state of ``random``'s generator: without a new seed
    every visit would draw the same "random" numbers.
    """
    random = sys.modules.get("random")
    if random is not None:
        random.seed()


def handle(js_request: Any) -> HttpResponse:
    """Answer one ``http:request`` message (see ``_protocol.HttpRequest``)."""
    if _client is None:
        return _requests.text_response(503, "The app has not finished starting.")
    request: HttpRequest = {
        "method": str(js_request.method),
        "url": str(js_request.url),
        "headers": [(str(k), str(v)) for k, v in js_request.headers],
        "body": _to_bytes(js_request.body) if js_request.body else None,
    }
    return _requests.handle(_client, request, _root)


def _to_bytes(data: Any) -> bytes:
    """Bytes from a JS ArrayBuffer/Uint8Array proxy or from Python bytes."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    return bytes(data.to_bytes())
