"""Hello: type a name, see a greeting and a chart update. Runs unchanged under Flask or in the browser."""

import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

app = Dash(__name__, title="Hello, webdash")

app.layout = html.Main(
    [
        html.H1("Hello, webdash"),
        html.P("This Dash app runs in your browser: Python, Flask and Dash included."),
        html.Label(["Your name ", dcc.Input(id="name", value="world", debounce=False)]),
        html.H2(id="greeting"),
        dcc.Graph(id="letters"),
    ]
)


@app.callback(Output("greeting", "children"), Output("letters", "figure"), Input("name", "value"))
def greet(name):
    name = name or ""
    counts = {c: name.lower().count(c) for c in sorted(set(name.lower())) if c.isalpha()}
    figure = go.Figure(go.Bar(x=list(counts), y=list(counts.values())))
    figure.update_layout(title=f"Letters in {name!r}", height=320, margin=dict(t=40, b=30, l=30, r=10))
    return f"Hello, {name}!", figure


@app.server.route("/api/greeting/<name>")
def greeting_api(name):
    return {"greeting": f"Hello, {name}!"}


if __name__ == "__main__":
    app.run(debug=True)
