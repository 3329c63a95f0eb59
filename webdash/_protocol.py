"""Messages between the service worker, the boot page and the Python worker.

Same as the JSDoc typedefs in ``bootstrap/protocol.js``; ``tests/test_protocol.py``
checks that the two agree. Bodies are raw bytes (``ArrayBuffer`` on the JS side,
always transferred, never base64).
"""

from __future__ import annotations

from typing import Literal, TypedDict

#: Message types, namespaced by the part of the system they concern.
HTTP_REQUEST = "http:request"  # service worker -> worker (directly, or through the page), carries a port
HTTP_RESPONSE = "http:response"  # worker -> service worker, on that port
HTTP_ERROR = "http:error"  # worker -> service worker, on that port
BOOT_START = "boot:start"  # page -> worker
BOOT_PROGRESS = "boot:progress"  # worker -> page
BOOT_RESUMING = "boot:resuming"  # worker -> page: a snapshot fits; its memory is being restored
BOOT_READY = "boot:ready"  # worker -> page, with whether Python was resumed from a snapshot
BOOT_ERROR = "boot:error"  # worker -> page; terminal, keeps the first cause
SW_CLAIM = "sw:claim"  # page -> service worker: take control of this page (after Shift+Reload)
SW_PORT = "sw:port"  # page -> worker and page -> service worker: the two ends of a channel between them
SW_KEEP = "sw:keep"  # service worker -> page: put the cached answer for a URL back, with its URL

MESSAGE_TYPES = (
    HTTP_REQUEST,
    HTTP_RESPONSE,
    HTTP_ERROR,
    BOOT_START,
    BOOT_PROGRESS,
    BOOT_RESUMING,
    BOOT_READY,
    BOOT_ERROR,
    SW_CLAIM,
    SW_PORT,
    SW_KEEP,
)

#: Boot stages, in order, as the loading page names them.
BOOT_STAGES = ("service-worker", "python", "packages", "app", "ready")


class HttpRequest(TypedDict):
    """Same as ``HttpRequest`` in bootstrap/protocol.js."""

    method: str
    url: str  # absolute URL, as the page asked for it
    headers: list[tuple[str, str]]  # in order, repeated names kept
    body: bytes | None


class HttpResponse(TypedDict):
    """Same as ``HttpResponse`` in bootstrap/protocol.js."""

    status: int
    statusText: str
    headers: list[tuple[str, str]]
    body: bytes


class ErrorInfo(TypedDict):
    """Same as ``ErrorInfo`` in bootstrap/protocol.js."""

    name: str
    message: str
    stack: str


class BootConfig(TypedDict):
    """Same as ``BootConfig`` in bootstrap/protocol.js: what the worker needs to start the app."""

    root: str  # the site's root URL (the service worker's scope), ends with "/"
    appDir: str  # where the app was unpacked in the worker's filesystem


class BootProgress(TypedDict):
    """Same as ``BootProgress`` in bootstrap/protocol.js."""

    type: Literal["boot:progress"]
    stage: str
    label: str
    loaded: int  # bytes so far, over all downloads
    total: int  # bytes in all, from the manifest
