"""Request translation (webdash/_requests.py) on CPython, through a real Flask test client."""

from __future__ import annotations

import hashlib
import json

import pytest

from webdash._requests import handle, split_url

from .conftest import DEMO_APPS, TEST_APPS, hello_callback

ROOT = "http://127.0.0.1:8000/team/echo/"


@pytest.fixture
def client(load):
    return load(TEST_APPS / "echo", prefix="/team/echo/").server.test_client()


def request(method: str, path: str, headers=(), body: bytes | None = None, root: str = ROOT):
    return {"method": method, "url": root + path, "headers": list(headers), "body": body}


def body_json(response):
    return json.loads(response["body"])


def test_get_with_query_string_keeps_repeated_keys(client):
    response = handle(client, request("GET", "echo?a=1&a=2&b=x%20y"), ROOT)
    assert response["status"] == 200
    echoed = body_json(response)
    assert echoed["args"] == {"a": ["1", "2"], "b": ["x y"]}
    assert echoed["path"] == "/echo"
    assert echoed["script_root"] == "/team/echo"


def test_json_post(client):
    payload = {"name": "Zoë 🚀", "n": [1, 2, 3]}
    headers = [("Content-Type", "application/json")]
    response = handle(client, request("POST", "echo", headers, json.dumps(payload).encode()), ROOT)
    assert body_json(response)["json"] == payload
    assert body_json(response)["method"] == "POST"


def test_repeated_request_headers_all_arrive(client):
    headers = [("X-Tag", "a"), ("X-Tag", "b"), ("Accept", "application/json")]
    echoed = body_json(handle(client, request("GET", "echo", headers), ROOT))
    assert echoed["headers"]["x-tag"] == "a, b"
    assert echoed["headers"]["accept"] == "application/json"


def test_page_cookie_header_is_not_forwarded(client):
    # The service worker cannot see the page's cookies; the test client keeps the jar.
    echoed = body_json(handle(client, request("GET", "echo", [("Cookie", "stolen=1")]), ROOT))
    assert "cookie" not in echoed["headers"]


def test_binary_request_body_is_intact(client):
    body = bytes(range(256)) * 100
    headers = [("Content-Type", "application/octet-stream")]
    echoed = body_json(handle(client, request("PUT", "echo", headers, body), ROOT))
    assert echoed["body_len"] == len(body)
    assert echoed["body_sha256"] == hashlib.sha256(body).hexdigest()


def test_binary_response_body_is_intact(client):
    response = handle(client, request("GET", "binary"), ROOT)
    assert response["body"] == bytes(range(256)) * 4
    assert ("Content-Type", "application/octet-stream") in response["headers"]


def test_204_has_no_body(client):
    response = handle(client, request("GET", "empty"), ROOT)
    assert (response["status"], response["statusText"], response["body"]) == (204, "NO CONTENT".title(), b"")


def test_redirect_is_returned_not_followed_and_keeps_the_prefix(client):
    response = handle(client, request("GET", "go"), ROOT)
    assert response["status"] == 302
    assert dict(response["headers"])["Location"] == "/team/echo/echo?came=from-go"


def test_repeated_response_headers_are_kept(client):
    response = handle(client, request("GET", "many"), ROOT)
    assert [v for k, v in response["headers"] if k == "X-Many"] == ["one", "two"]


def test_session_cookie_lives_in_the_test_client(client):
    stored = handle(client, request("POST", "session/blue", body=b""), ROOT)
    # A service worker's Response cannot set cookies, so none are sent back...
    assert not [k for k, _ in stored["headers"] if k.lower() == "set-cookie"]
    # ...but the worker's client keeps them, so the session works.
    assert body_json(handle(client, request("GET", "session"), ROOT)) == {"value": "blue"}


def test_head_has_headers_but_no_body(client):
    response = handle(client, request("HEAD", "binary"), ROOT)
    assert response["status"] == 200
    assert response["body"] == b""


def test_unknown_path_gets_dash_index(client):
    # Dash answers unknown paths with its index page; dcc.Location decides what to show.
    response = handle(client, request("GET", "no/such/page"), ROOT)
    assert response["status"] == 200
    assert b'"requests_pathname_prefix":"\\u002fteam\\u002fecho\\u002f"' in response["body"]


def test_url_outside_the_site_is_404(client):
    response = handle(client, request("GET", "x", root="http://127.0.0.1:8000/other/"), ROOT)
    assert response["status"] == 404
    assert b"outside this site" in response["body"]


def test_dash_callback_post(load):
    client = load(DEMO_APPS / "hello", prefix="/").server.test_client()
    root = "http://localhost/"
    handle(client, request("GET", "", root=root), root)
    body = hello_callback("Ada")
    headers = [("Content-Type", "application/json")]
    response = handle(
        client, request("POST", "_dash-update-component", headers, json.dumps(body).encode(), root), root
    )
    assert response["status"] == 200
    assert body_json(response)["response"]["greeting"]["children"] == "Hello, Ada!"


@pytest.mark.parametrize(
    ("url", "root", "expected"),
    [
        ("http://h/team/app/", "http://h/team/app/", ("http://h/team/app", "/", "")),
        ("http://h/team/app", "http://h/team/app/", ("http://h/team/app", "/", "")),
        ("http://h/team/app/a/b?x=1", "http://h/team/app/", ("http://h/team/app", "/a/b", "x=1")),
        ("http://h/x", "http://h/", ("http://h", "/x", "")),
        ("http://h/team/other/", "http://h/team/app/", None),
        ("http://other/team/app/", "http://h/team/app/", None),
    ],
)
def test_split_url(url, root, expected):
    assert split_url(url, root) == expected


def test_callback_that_raises_gets_dash_error_path_and_app_keeps_working(load):
    client = load(TEST_APPS / "raising_callback", prefix="/").server.test_client()
    root = "http://localhost/"
    headers = [("Content-Type", "application/json")]

    def update(output: str, value: str):
        body = {
            "output": f"{output}.children",
            "outputs": {"id": output, "property": "children"},
            "inputs": [{"id": "text", "property": "value", "value": value}],
            "changedPropIds": ["text.value"],
            "state": [],
        }
        return handle(
            client, request("POST", "_dash-update-component", headers, json.dumps(body).encode(), root), root
        )

    failed = update("echo", "boom")
    assert failed["status"] == 500  # what Dash answers under real Flask, shown by its renderer
    assert update("length", "boom")["status"] == 200
    recovered = update("echo", "fine")
    assert recovered["status"] == 200
    assert body_json(recovered)["response"]["echo"]["children"] == "fine"
