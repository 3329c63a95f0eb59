"""Council income by service: filter, sort and edit a table, and the chart follows.

Drop in your own CSV with the same columns: Python reads it inside your browser,
and it never leaves your computer.
"""

import base64
import csv
import io
from pathlib import Path

import plotly.graph_objects as go
from dash import Dash, Input, Output, dash_table, dcc, html
from dash.exceptions import PreventUpdate

with (Path(__file__).parent / "data" / "sales.csv").open(newline="") as data:
    ROWS = list(csv.DictReader(data))
COLUMNS = ["month", "region", "service", "units", "revenue"]
for row in ROWS:
    row["units"] = int(row["units"])
    row["revenue"] = int(row["revenue"])
REGIONS = sorted({row["region"] for row in ROWS})

app = Dash(__name__, title="Council income")

app.layout = html.Main(
    [
        html.H1("Council income by service, 2025"),
        html.Label(
            [
                "Region ",
                dcc.Dropdown(
                    id="region", options=["All", *REGIONS], value="All", clearable=False,
                    style={"width": "12rem"},
                ),
            ],
        ),
        dcc.Upload(
            id="upload",
            children=html.Div(["Drop your own CSV here or ", html.A("choose a file")]),
            className="upload",
        ),
        html.P(id="upload-status", children=f"Showing data/sales.csv ({len(ROWS)} rows)."),
        dcc.Store(id="rows", data=ROWS),
        html.P(id="total"),
        dcc.Graph(id="by-month"),
        dash_table.DataTable(
            id="table",
            columns=[
                {"name": "Month", "id": "month"},
                {"name": "Region", "id": "region"},
                {"name": "Service", "id": "service"},
                {"name": "Units", "id": "units", "type": "numeric", "editable": True},
                {"name": "Revenue (£)", "id": "revenue", "type": "numeric", "editable": True},
            ],
            sort_action="native",
            filter_action="native",
            page_action="native",
            page_size=12,
            style_cell={"fontFamily": "system-ui, sans-serif", "padding": "4px 8px"},
        ),
    ]
)


@app.callback(
    Output("rows", "data"), Output("upload-status", "children"),
    Input("upload", "contents"), Input("upload", "filename"),
    prevent_initial_call=True,
)  # fmt: skip
def load_csv(contents, filename):
    """Read an uploaded CSV with the same columns; it is parsed here, in the browser's Python."""
    if not contents:
        raise PreventUpdate
    data = base64.b64decode(contents.split(",", 1)[1])
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        missing = set(COLUMNS) - set(rows[0] if rows else [])
        if missing:
            raise ValueError(f"missing column(s) {', '.join(sorted(missing))}")
        for row in rows:
            row["units"], row["revenue"] = int(row["units"]), float(row["revenue"])
    except (UnicodeDecodeError, ValueError) as exc:
        return ROWS, f"{filename} was not loaded ({exc}); showing data/sales.csv."
    return rows, f"Showing {filename} ({len(rows)} rows)."


@app.callback(Output("table", "data"), Input("region", "value"), Input("rows", "data"))
def pick_region(region, rows):
    return [row for row in rows if region in ("All", row["region"])]


@app.callback(
    Output("by-month", "figure"), Output("total", "children"), Input("table", "derived_virtual_data")
)
def summarise(rows):
    rows = rows or []
    months = sorted({row["month"] for row in rows})
    totals = {month: 0 for month in months}
    for row in rows:
        totals[row["month"]] += float(row["revenue"] or 0)
    figure = go.Figure(go.Bar(x=months, y=[totals[m] for m in months], marker_color="#1f6feb"))
    figure.update_layout(height=300, margin=dict(t=20, b=40, l=60, r=10), yaxis_title="Revenue (£)")
    return figure, f"{len(rows)} rows, £{sum(totals.values()):,.0f} in total"


if __name__ == "__main__":
    app.run(debug=True)
