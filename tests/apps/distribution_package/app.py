"""Uses a package that only Pyodide's distribution carries (a test mirror provides it)."""

from dash import Dash, Input, Output, dcc, html
from probe_stats import describe

app = Dash(__name__)
app.layout = html.Div([dcc.Input(id="numbers", value="1 2 3"), html.P(id="summary")])


@app.callback(Output("summary", "children"), Input("numbers", "value"))
def summarise(numbers):
    values = [float(n) for n in (numbers or "").split()]
    return describe(values) if values else "no numbers"
