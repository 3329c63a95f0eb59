"""Background callbacks with progress, running=, cancel= and set_props, on webdash's manager.

A long job reports its progress while the page's other callbacks keep answering.
"""

import time

from dash import Dash, Input, Output, callback, html, set_props

from webdash import BackgroundCallbackManager

app = Dash(__name__, background_callback_manager=BackgroundCallbackManager())
server = app.server

#: Module-level state: the job and the ordinary callbacks see the same dict.
shared = {"steps": 0}

app.layout = html.Div(
    [
        html.Button("Run", id="run"),
        html.Button("Cancel", id="cancel", disabled=True),
        html.Progress(id="progress", value="0", max="5"),
        html.Div(id="status", children="idle"),
        html.Div(id="result"),
        html.Div(id="note"),
        html.Button("Ping", id="ping"),
        html.Div(id="pong"),
        html.Button("Fail", id="fail"),
        html.Div(id="failure"),
    ]
)


@callback(
    Output("result", "children"),
    Input("run", "n_clicks"),
    background=True,
    progress=[Output("progress", "value"), Output("status", "children")],
    running=[(Output("run", "disabled"), True, False), (Output("cancel", "disabled"), False, True)],
    cancel=Input("cancel", "n_clicks"),
    interval=200,
    prevent_initial_call=True,
)
def run_job(set_progress, n_clicks):
    for step in range(1, 6):
        time.sleep(0.5)
        shared["steps"] = step
        set_progress((str(step), f"step {step} of 5"))
    set_props("note", {"children": "set from the job"})
    return f"finished run {n_clicks}"


@callback(Output("pong", "children"), Input("ping", "n_clicks"), prevent_initial_call=True)
def ping(n_clicks):
    return f"pong {n_clicks}: the job is at step {shared['steps']}"


def show_failure(error):
    # Dash adds the job's traceback below the message.
    return f"failed: {str(error).splitlines()[0]}"


@callback(
    Output("failure", "children"),
    Input("fail", "n_clicks"),
    background=True,
    interval=200,
    on_error=show_failure,
    prevent_initial_call=True,
)
def failing_job(n_clicks):
    raise ValueError("the data file is empty")
