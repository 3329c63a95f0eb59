import dash
from dash import html

dash.register_page(__name__, path="/", title="Home")

layout = html.H1("Home page", id="page-title")
