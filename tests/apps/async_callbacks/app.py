"""An ``async def`` callback that awaits several coroutines at once (Dash's async callbacks, dash[async])."""

import asyncio

from dash import Dash, Input, Output, callback, dcc, html

app = Dash(__name__)
server = app.server

app.layout = html.Div([dcc.Input(id="count", type="number", value=3), html.Div(id="squares")])


async def square(i: int) -> int:
    await asyncio.sleep(0.05)
    return i * i


@callback(Output("squares", "children"), Input("count", "value"))
async def squares(count):
    results = await asyncio.gather(*(square(i) for i in range(int(count or 0))))
    return f"squares: {results}"
