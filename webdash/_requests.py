"""Request translation: a protocol message in, Flask's test client, a protocol message out.

Sans-IO: this module imports neither ``js`` nor ``pyodide``; the worker
(``_worker.py``) and ``webdash run --get`` both push requests through
:func:`handle`, and the tests run it on CPython.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from ._protocol import HttpRequest, HttpResponse

#: Statuses whose responses must not carry a body (``new Response()`` rejects one).
NULL_BODY_STATUSES = frozenset({101, 103, 204, 205, 304})

#: Request headers the test client sets itself, or that belong to the page, not the app.
#: ``Cookie``: the test client keeps the cookie jar, because a service worker can
#: neither read the page's cookies nor set them.
_DROPPED_REQUEST_HEADERS = frozenset({"cookie", "host", "content-length"})

#: Response headers a service worker's ``Response`` cannot carry.
_DROPPED_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2"})


def split_url(url: str, root: str) -> tuple[str, str, str] | None:
    """Split ``url`` into (base URL, path below ``root``, query string).

    ``root`` is the site's root URL, ending in ``/`` (``http://host/team/sales/``).
    The base URL becomes the WSGI ``SCRIPT_NAME`` so that ``url_for`` and Dash's
    ``requests_pathname_prefix`` agree with the address bar. Returns None for a URL
    outside the site.
    """
    parts = urlsplit(url)
    site = urlsplit(root)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    prefix = site.path if site.path.endswith("/") else site.path + "/"
    path = parts.path
    if path + "/" == prefix:  # "/team/sales" without its slash is the site's root too
        path = prefix
    if not path.startswith(prefix):
        return None
    base_url = f"{site.scheme}://{site.netloc}{prefix.rstrip('/')}"
    return base_url, "/" + path[len(prefix) :], parts.query


def handle(client: FlaskClient, request: HttpRequest, root: str) -> HttpResponse:
    """Run one request through ``client`` and return the response as a message.

    Status, headers (in order, repeated ones kept) and body bytes come back as
    Flask produced them; redirects are returned, not followed, so the browser
    follows them as usual.
    """
    split = split_url(request["url"], root)
    if split is None:
        return text_response(404, f"{request['url']} is outside this site ({root}).")
    base_url, path, query = split
    headers = [(k, v) for k, v in request["headers"] if k.lower() not in _DROPPED_REQUEST_HEADERS]
    response = client.open(
        path,
        base_url=base_url,
        method=request["method"],
        query_string=query,
        headers=headers,
        data=request["body"] or b"",
        follow_redirects=False,
    )
    try:
        body = b"" if response.status_code in NULL_BODY_STATUSES else response.get_data()
        if request["method"].upper() == "HEAD":
            body = b""
        return {
            "status": response.status_code,
            "statusText": _reason(response.status_code),
            "headers": [
                (k, v)
                for k, v in response.headers.to_wsgi_list()
                if k.lower() not in _DROPPED_RESPONSE_HEADERS
            ],
            "body": body,
        }
    finally:
        response.close()


def text_response(status: int, text: str) -> HttpResponse:
    """A plain-text response, for errors that happen before Flask is reached."""
    return {
        "status": status,
        "statusText": _reason(status),
        "headers": [("Content-Type", "text/plain; charset=utf-8")],
        "body": text.encode(),
    }


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
