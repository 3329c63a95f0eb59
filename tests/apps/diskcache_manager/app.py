"""An app written for Dash's DiskcacheManager (its requirements.txt left out)."""

import diskcache
from dash import Dash, DiskcacheManager, Input, Output, callback, html

cache = diskcache.Cache("./cache")
app = Dash(__name__, background_callback_manager=DiskcacheManager(cache))

app.layout = html.Div([html.Button("Run", id="run"), html.Div(id="result")])


@callback(Output("result", "children"), Input("run", "n_clicks"), background=True, prevent_initial_call=True)
def run(n_clicks):
    return f"run {n_clicks}"
