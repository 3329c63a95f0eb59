"""Scale: a layout of 2,000 components, and a callback answering about 1 MB of text with emoji."""

import hashlib

from dash import Dash, Input, Output, dcc, html

app = Dash(__name__)
CELLS = 2000
CHUNK = "Zoë 🦉 東京 — naïve café. "  # 4-byte, 3-byte and 2-byte UTF-8 characters

app.layout = html.Div(
    [
        html.Div([html.Span(str(i), className="cell") for i in range(CELLS)], id="grid"),
        dcc.Input(id="repeat", type="number", value=0),
        html.Pre(id="big"),
        html.P(id="digest"),
    ]
)


@app.callback(Output("big", "children"), Output("digest", "children"), Input("repeat", "value"))
def big(repeat):
    text = CHUNK * int(repeat or 0)
    return text, f"{len(text.encode())} bytes, sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}"
