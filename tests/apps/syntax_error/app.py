from dash import Dash

app = Dash(__name__
