from dash import Dash, html

app = Dash(__name__)
app.layout = html.Div("never shown")

raise RuntimeError("the data file sales.csv is missing")
