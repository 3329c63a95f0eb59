from dash import Dash, html

dashboard = Dash(__name__)
dashboard.layout = html.Div("named dashboard, not app")
