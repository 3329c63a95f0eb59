"""One callback raises for the input "boom"; the other keeps working."""

from dash import Dash, Input, Output, dcc, html

app = Dash(__name__)
app.layout = html.Div([dcc.Input(id="text", value="ok"), html.Div(id="echo"), html.Div(id="length")])


@app.callback(Output("echo", "children"), Input("text", "value"))
def echo(value):
    if value == "boom":
        raise ValueError("boom is not allowed")
    return value


@app.callback(Output("length", "children"), Input("text", "value"))
def length(value):
    return len(value or "")
