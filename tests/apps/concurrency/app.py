"""Callbacks that wait (time.sleep), a quick one, and a Flask route, all sharing one module-level log."""

import time

import flask
from dash import Dash, Input, Output, callback, ctx, html

app = Dash(__name__)
server = app.server

#: What ran, in order: the callbacks and the route all see this one list.
log: list[str] = []

app.layout = html.Div(
    [
        html.Button("Slow", id="slow"),
        html.Button("Medium", id="medium"),
        html.Button("Quick", id="quick"),
        html.Div(id="slow-out"),
        html.Div(id="medium-out"),
        html.Div(id="quick-out"),
    ]
)


def wait(name: str, seconds: float) -> str:
    log.append(f"{name} started")
    time.sleep(seconds)
    log.append(f"{name} finished")
    # Each request keeps its own Flask request and Dash context across the wait.
    return f"{ctx.triggered_id} done ({flask.request.path}); log: {', '.join(log)}"


@callback(Output("slow-out", "children"), Input("slow", "n_clicks"), prevent_initial_call=True)
def slow(n_clicks):
    return wait("slow", 3)


@callback(Output("medium-out", "children"), Input("medium", "n_clicks"), prevent_initial_call=True)
def medium(n_clicks):
    return wait("medium", 1)


@callback(Output("quick-out", "children"), Input("quick", "n_clicks"), prevent_initial_call=True)
def quick(n_clicks):
    log.append("quick")
    return f"quick done; log: {', '.join(log)}"


@server.route("/api/log")
def read_log():
    return {"log": log}
