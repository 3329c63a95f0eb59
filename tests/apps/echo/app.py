"""Flask routes that echo what arrived, to test request translation on every target."""

import hashlib

import flask
from dash import Dash, html

app = Dash(__name__)
app.layout = html.Div("echo")
server = app.server
server.secret_key = "only-for-tests"


@server.route("/echo", methods=["GET", "POST", "PUT", "DELETE"])
def echo():
    request = flask.request
    body = request.get_data()
    return {
        "method": request.method,
        "path": request.path,
        "script_root": request.script_root,
        "args": request.args.to_dict(flat=False),
        "json": request.get_json(silent=True),
        "headers": {k.lower(): v for k, v in request.headers.items()},
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "body_len": len(body),
    }


@server.before_request
def echo_callbacks():
    """A request to Dash's callback route with an ``X-Echo`` header is echoed (``X-Echo: 1``), or
    redirected to /echo with the status it names (``X-Echo: 307``): what the page sent, as Flask got it."""
    how = flask.request.headers.get("X-Echo")
    if how is None or not flask.request.path.endswith("/_dash-update-component"):
        return None
    if how != "1":
        return flask.redirect(flask.url_for("echo", came="callback"), code=int(how))
    return echo()


@server.route("/binary")
def binary():
    return flask.Response(bytes(range(256)) * 4, mimetype="application/octet-stream")


@server.route("/empty")
def empty():
    return "", 204


@server.route("/go")
def go():
    return flask.redirect(flask.url_for("echo", came="from-go"))


@server.route("/many")
def many():
    response = flask.Response("many")
    response.headers.add("X-Many", "one")
    response.headers.add("X-Many", "two")
    return response


@server.route("/session/<value>", methods=["POST"])
def remember(value):
    flask.session["value"] = value
    return {"stored": value}


@server.route("/session")
def recall():
    return {"value": flask.session.get("value")}
