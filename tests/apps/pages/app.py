"""A multi-page app (pages/ folder), downloads and uploads, and Flask routes with a session."""

import base64
import hashlib
from pathlib import Path

import dash
import flask
from dash import Dash, Input, Output, State, dcc, html

app = Dash(__name__, use_pages=True)
app.server.secret_key = "only-for-tests"
DATA = Path(__file__).parent / "data"

app.layout = html.Div(
    [
        html.Nav(
            [
                # Relative to wherever the app is served, as Dash's docs ask of multi-page apps.
                dcc.Link("Home", href=dash.get_relative_path("/"), id="to-home"),
                dcc.Link("Report", href=dash.get_relative_path("/report/2024?region=north"), id="to-report"),
            ]
        ),
        dash.page_container,
        html.Hr(),
        html.Button("Text", id="get-text"), html.Button("Bytes", id="get-bytes"),
        html.Button("File", id="get-file"), dcc.Download(id="download"),
        dcc.Upload(html.Div("Drop a file"), id="upload"), html.P(id="upload-out"),
    ]
)


@app.callback(
    Output("download", "data"),
    Input("get-text", "n_clicks"), Input("get-bytes", "n_clicks"), Input("get-file", "n_clicks"),
    prevent_initial_call=True,
)  # fmt: skip
def download(*_):
    if dash.ctx.triggered_id == "get-text":
        return {"content": "naïve text ✓", "filename": "note.txt"}
    if dash.ctx.triggered_id == "get-bytes":
        return dcc.send_bytes(bytes(range(256)), "all-bytes.bin")
    return dcc.send_file(DATA / "figures.csv")


@app.callback(Output("upload-out", "children"), Input("upload", "contents"), State("upload", "filename"),
              prevent_initial_call=True)  # fmt: skip
def upload(contents, filename):
    data = base64.b64decode(contents.split(",", 1)[1])
    return f"{filename}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:12]}"


@app.server.route("/api/count")
def count():
    flask.session["count"] = flask.session.get("count", 0) + 1
    return {"count": flask.session["count"]}


@app.server.route("/files/figures.csv")
def figures():
    return flask.send_file(DATA / "figures.csv", as_attachment=True)
