"""Dash's callback features, one small widget each, for the parity tests."""

import time

from dash import (
    ALL,
    ALLSMALLER,
    MATCH,
    ClientsideFunction,
    Dash,
    Input,
    Output,
    Patch,
    State,
    callback_context,
    ctx,
    dcc,
    html,
    no_update,
    set_props,
)
from dash.exceptions import PreventUpdate


def on_error(error):
    set_props("error-report", {"children": f"handled: {error}"})


app = Dash(__name__, on_error=on_error)


def layout():
    """A layout function: built afresh for every page load."""
    return html.Div(
        [
            html.P(f"built {int(time.time() * 1000) % 100000}", id="built"),
            # multiple outputs, State
            dcc.Input(id="first", value="Ada"), dcc.Input(id="last", value="Lovelace"),
            html.Button("Join", id="join"), html.P(id="full"), html.P(id="initials"),
            # chained: a -> b -> c
            dcc.Input(id="chain-a", value="1"), html.P(id="chain-b"), html.P(id="chain-c"),
            # circular: two inputs kept in sync
            dcc.Input(id="celsius", type="number", value=100), dcc.Input(id="fahrenheit", type="number"),
            # prevent_initial_call, PreventUpdate, no_update, triggered_id
            html.Button("A", id="btn-a"), html.Button("B", id="btn-b"), html.P("untouched", id="which"),
            dcc.Input(id="even", value="2"), html.P(id="even-out"), html.P(id="even-count", children="0"),
            # allow_duplicate, Patch
            html.Button("Add", id="add"), html.Button("Clear", id="clear"), html.Ul([], id="items"),
            # set_props, running=, on_error, a callback that raises
            html.Button("Side effect", id="side"), html.P(id="side-out"),
            html.Button("Slow", id="slow"), html.P("idle", id="slow-state"), html.P(id="slow-out"),
            html.Button("Boom", id="boom"), html.P(id="boom-out"), html.P(id="error-report"),
            # pattern matching
            html.Button("New row", id="new-row"), html.Div([], id="rows"), html.P(id="total"),
            # clientside callbacks: inline, and a namespace in assets/clientside.js
            dcc.Input(id="cs-in", value="abc"), html.P(id="cs-inline"), html.P(id="cs-namespace"),
            html.P("🦉 Zoë", id="unicode"),
        ]
    )


app.layout = layout


@app.callback(
    Output("full", "children"), Output("initials", "children"),
    Input("join", "n_clicks"), State("first", "value"), State("last", "value"),
)  # fmt: skip
def join(_, first, last):
    return f"{first} {last}", f"{first[:1]}{last[:1]}"


@app.callback(Output("chain-b", "children"), Input("chain-a", "value"))
def double(value):
    return str(int(value or 0) * 2)


@app.callback(Output("chain-c", "children"), Input("chain-b", "children"))
def plus_one(value):
    return str(int(value or 0) + 1)


@app.callback(
    Output("celsius", "value"), Output("fahrenheit", "value"),
    Input("celsius", "value"), Input("fahrenheit", "value"),
)  # fmt: skip
def convert(celsius, fahrenheit):
    if ctx.triggered_id == "fahrenheit":
        return (None if fahrenheit is None else round((float(fahrenheit) - 32) * 5 / 9, 1)), no_update
    return no_update, (None if celsius is None else round(float(celsius) * 9 / 5 + 32, 1))


@app.callback(Output("which", "children"), Input("btn-a", "n_clicks"), Input("btn-b", "n_clicks"),
              prevent_initial_call=True)  # fmt: skip
def which(_, __):
    return f"{ctx.triggered_id} via {callback_context.triggered[0]['prop_id']}"


@app.callback(Output("even-out", "children"), Output("even-count", "children"), Input("even", "value"),
              State("even-count", "children"))  # fmt: skip
def even(value, count):
    if not (value or "").isdigit():
        raise PreventUpdate
    if int(value) % 2:
        return no_update, str(int(count) + 1)
    return f"{value} is even", str(int(count) + 1)


@app.callback(Output("items", "children"), Input("add", "n_clicks"), prevent_initial_call=True)
def add(n):
    patch = Patch()
    patch.append(html.Li(f"item {n}"))
    return patch


@app.callback(Output("items", "children", allow_duplicate=True), Input("clear", "n_clicks"),
              prevent_initial_call=True)  # fmt: skip
def clear(_):
    return []


@app.callback(Output("side-out", "children"), Input("side", "n_clicks"), prevent_initial_call=True)
def side(n):
    set_props("error-report", {"children": f"set_props {n}"})
    return f"side {n}"


@app.callback(Output("slow-out", "children"), Input("slow", "n_clicks"), prevent_initial_call=True,
              running=[(Output("slow-state", "children"), "running", "idle")])  # fmt: skip
def slow(n):
    time.sleep(0.5)
    return f"slow {n} done"


@app.callback(Output("boom-out", "children"), Input("boom", "n_clicks"), prevent_initial_call=True)
def boom(n):
    raise ValueError(f"boom {n}")


@app.callback(Output("rows", "children"), Input("new-row", "n_clicks"), State("rows", "children"))
def new_row(n, rows):
    index = len(rows or [])
    row = html.Div(
        [
            dcc.Input(id={"type": "qty", "index": index}, value=str(index + 1)),
            html.Span(id={"type": "label", "index": index}),
            html.B(id={"type": "running", "index": index}),
        ]
    )
    return [*(rows or []), row]


@app.callback(
    Output({"type": "label", "index": MATCH}, "children"), Input({"type": "qty", "index": MATCH}, "value")
)
def label(value):
    return f"x{value}"


@app.callback(
    Output({"type": "running", "index": MATCH}, "children"),
    Input({"type": "qty", "index": MATCH}, "value"),
    Input({"type": "qty", "index": ALLSMALLER}, "value"),
)
def running_total(value, before):
    return f"={sum(int(v or 0) for v in [*before, value])}"


@app.callback(Output("total", "children"), Input({"type": "qty", "index": ALL}, "value"))
def total(values):
    return f"total {sum(int(v or 0) for v in values)}"


app.clientside_callback("(value) => (value || '').toUpperCase()", Output("cs-inline", "children"),
                        Input("cs-in", "value"))  # fmt: skip
app.clientside_callback(ClientsideFunction("webdash_tests", "reverse"), Output("cs-namespace", "children"),
                        Input("cs-in", "value"))  # fmt: skip
