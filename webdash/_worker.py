"""What the Pyodide worker imports: boot the app once, then answer requests.

This is the one seam between Pyodide and CPython: values arrive here as
JavaScript proxies and leave as plain Python; everything below
(``_appdir``, ``_requests``) is ordinary CPython code.
``bootstrap/python.js`` calls :func:`boot` and :func:`handle` (and, before
the app is unpacked, ``_install.install_archive``).
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from . import _appdir, _background, _requests
from ._protocol import HttpRequest, HttpResponse

_client: Any = None  # the app's Flask test client, once booted
_root: str = ""


def boot(root: str, app_dir: str) -> None:
    """Import the app in ``app_dir`` for a site whose root URL is ``root``, and warm it up."""
    global _client, _root
    # Dash reads its public prefix from the environment when Dash() is constructed.
    os.environ["DASH_REQUESTS_PATHNAME_PREFIX"] = urlsplit(root).path
    _background.refuse_process_managers()
    app = _appdir.load_app(app_dir)
    app.server.async_to_sync = _await_on_this_stack
    client = app.server.test_client()
    # Dash finishes setting up its server on the first request: pay for it now.
    client.get("/", base_url=root.rstrip("/")).close()
    _warm_up_plotly()
    # What booting made lives as long as the app: Python's collector need not walk it again (a
    # collection then walks the few thousand objects made since, not ~100,000 for apps/hello).
    gc.freeze()
    _client, _root = client, root


def _warm_up_plotly() -> None:
    """Plotly reads its property validators and builds its layout classes when the first figure
    is made; an app that uses plotly's figures pays for it in its first callback. Pay now, before
    the memory snapshot, so a resumed visit does not. Only plotly's caches change, none of the
    app's state."""
    if "plotly.graph_objs" not in sys.modules:
        return
    import plotly.graph_objects as go

    figure = go.Figure(layout={"title": {"text": "warm-up"}, "height": 320, "margin": {"t": 40}})
    figure.to_json()


def _await_on_this_stack(func: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
    """Flask's ``async_to_sync`` for the browser, where Dash's async callbacks run.

    On a server, asgiref runs the coroutine in an event loop on a thread of its
    own; a browser has no threads. Here the request's own stack waits for it
    (``run_sync``: the request was entered through JavaScript Promise Integration),
    and the other requests are answered meanwhile.
    """
    from pyodide.ffi import can_run_sync, run_sync

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        coroutine = func(*args, **kwargs)
        if can_run_sync():
            return run_sync(coroutine)
        # Without stack switching, a coroutine that never waits on anything still runs to its
        # end (with dash[async] installed, Dash answers every callback through one).
        try:
            while coroutine.send(None) is None:
                pass
        except StopIteration as done:
            return done.value
        coroutine.close()
        raise RuntimeError(
            "This app has async callbacks (async def) that wait, which needs a browser that can "
            "suspend WebAssembly (JavaScript Promise Integration; Chrome and Edge have it since "
            "version 137), and this browser cannot. Open the app in one of those, or make the "
            "callbacks plain def functions."
        )

    return run


def resumed(root: str) -> None:
    """Called once Python is restored from a memory snapshot (``bootstrap/snapshot.js``), for the
    site at ``root``.

    The snapshot holds what Python read from its surroundings when it started, as they were then:
    ``random``'s generator (without a new seed every visit would draw the same "random" numbers),
    the local time zone (``time.timezone``, read again from the C library, which
    ``bootstrap/snapshot.js`` has filled with this browser's; a snapshot shipped by
    ``webdash build --snapshot`` was made on the build machine), and the site's address (the host
    it was made at; its URL path is the same, or it would not have been used).
    """
    global _root
    _root = root
    random = sys.modules.get("random")
    if random is not None:
        random.seed()
    _read_time_zone_again()


def _read_time_zone_again() -> None:
    """``time.timezone``, ``altzone``, ``daylight`` and ``tzname`` as the time module sets them
    when it is imported. Pyodide's has no ``tzset()`` to do it again, so this does what the module
    does on a platform like it: it asks ``localtime`` about the start and the middle of this year."""
    import time

    year = (365 * 24 + 6) * 3600
    start = int(time.time()) // year * year
    jan, jul = time.localtime(start), time.localtime(start + year // 2)
    jan_zone, jul_zone = -(jan.tm_gmtoff or 0), -(jul.tm_gmtoff or 0)
    if jan_zone < jul_zone:  # daylight saving time in January: the southern hemisphere
        jan, jul, jan_zone, jul_zone = jul, jan, jul_zone, jan_zone
    time.timezone, time.altzone, time.daylight = jan_zone, jul_zone, int(jan_zone != jul_zone)
    time.tzname = (jan.tm_zone, jul.tm_zone)


def tidy() -> None:
    """Called once the requests in flight are answered, before the next one arrives.

    A Dash callback leaves hundreds of objects in reference cycles (a plotly figure's parts
    point back at it). Collected at once, they cost ~0.2 ms; left alone, a collection in a
    later request promotes them to the old generation, where they pile up until a full
    collection frees tens of thousands at once: a pause of ~50-80 ms in one callback in a
    hundred (apps/hello in Chromium).
    """
    gc.collect(0)


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
