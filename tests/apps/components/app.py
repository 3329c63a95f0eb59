"""dcc components beyond the basics, each wired to one output, for the parity tests."""

import time

import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

app = Dash(__name__, assets_ignore=r"ignored\.css")
# A custom index page, as apps that brand their page do.
app.index_string = """<!DOCTYPE html>
<html><head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body><header id="brand">Council dashboards</header>{%app_entry%}
<footer>{%config%}{%scripts%}{%renderer%}</footer></body></html>"""

app.layout = html.Div(
    [
        dcc.Slider(0, 10, 1, value=3, id="slider"), html.P(id="slider-out"),
        dcc.RangeSlider(0, 100, 10, value=[20, 60], id="range"), html.P(id="range-out"),
        dcc.Checklist(["Parks", "Roads", "Libraries"], ["Parks"], id="checks"), html.P(id="checks-out"),
        dcc.RadioItems(["Weekly", "Monthly"], "Weekly", id="radio"), html.P(id="radio-out"),
        dcc.DatePickerSingle(id="date", date="2025-03-14"), html.P(id="date-out"),
        dcc.Tabs([dcc.Tab(label="One", value="one"), dcc.Tab(label="Two", value="two")], id="tabs"),
        html.P(id="tabs-out"),
        dcc.Interval(id="tick", interval=200, max_intervals=3), html.P(id="tick-out"),
        dcc.Loading(html.P(id="loaded"), id="loading"), html.Button("Load", id="load"),
        dcc.Store(id="memory", storage_type="memory"), dcc.Store(id="local", storage_type="local"),
        dcc.Store(id="session", storage_type="session"),
        html.Button("Remember", id="remember"), html.P(id="stores-out"),
        dcc.Input(id="persisted", value="first", persistence=True, persistence_type="local"),
        dcc.Graph(id="chart", figure=go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2]))),
        html.P(id="clicked"), html.P(id="hovered"),
    ]
)


@app.callback(Output("slider-out", "children"), Input("slider", "value"))
def slider(value):
    return f"slider {value}"


@app.callback(Output("range-out", "children"), Input("range", "value"))
def range_(value):
    return f"range {value[0]}-{value[1]}"


@app.callback(Output("checks-out", "children"), Input("checks", "value"))
def checks(value):
    return "checked " + ", ".join(value)


@app.callback(Output("radio-out", "children"), Input("radio", "value"))
def radio(value):
    return f"every {value}"


@app.callback(Output("date-out", "children"), Input("date", "date"))
def date(value):
    return f"date {value}"


@app.callback(Output("tabs-out", "children"), Input("tabs", "value"))
def tabs(value):
    return f"tab {value}"


@app.callback(Output("tick-out", "children"), Input("tick", "n_intervals"))
def tick(n):
    return f"ticks {n}"


@app.callback(Output("loaded", "children"), Input("load", "n_clicks"), prevent_initial_call=True)
def load(n):
    time.sleep(0.3)
    return f"loaded {n}"


@app.callback(
    Output("memory", "data"), Output("local", "data"), Output("session", "data"),
    Input("remember", "n_clicks"), prevent_initial_call=True,
)  # fmt: skip
def remember(n):
    return f"m{n}", f"l{n}", f"s{n}"


@app.callback(
    Output("stores-out", "children"),
    Input("memory", "data"), Input("local", "data"), Input("session", "data"),
)  # fmt: skip
def stores(memory, local, session):
    return f"memory={memory} local={local} session={session}"


@app.callback(Output("clicked", "children"), Input("chart", "clickData"), prevent_initial_call=True)
def clicked(data):
    point = data["points"][0]
    return f"clicked {point['x']}={point['y']}"


@app.callback(Output("hovered", "children"), Input("chart", "hoverData"), prevent_initial_call=True)
def hovered(data):
    point = data["points"][0]
    return f"hovered {point['x']}={point['y']}"
