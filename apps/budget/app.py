"""Council budget by department: a Mantine layout and an AG Grid table, two component libraries from PyPI."""

import dash_ag_grid as dag
import dash_mantine_components as dmc
from dash import Dash, Input, Output

DEPARTMENTS = ["Parks", "Roads", "Libraries", "Housing"]
LINES = [
    {"department": d, "item": f"{d} {item}", "budget": (i + 1) * 12_500 + len(d) * 1_000}
    for d in DEPARTMENTS
    for i, item in enumerate(["staff", "maintenance", "equipment", "grants", "services"])
]

app = Dash(__name__, title="Council budget")

app.layout = dmc.MantineProvider(
    dmc.Container(
        [
            dmc.Title("Council budget 2025", order=2),
            dmc.Text("Pick a department; the grid and the total follow.", c="dimmed"),
            dmc.SegmentedControl(id="department", data=["All", *DEPARTMENTS], value="All", mt="md"),
            dmc.Badge(id="total", size="xl", mt="md", variant="light"),
            dag.AgGrid(
                id="grid",
                columnDefs=[
                    {"field": "department"},
                    {"field": "item"},
                    {
                        "field": "budget",
                        "type": "numericColumn",
                        "valueFormatter": {"function": "d3.format(',')(params.value)"},
                    },
                ],
                defaultColDef={"sortable": True, "filter": True, "flex": 1},
                dashGridOptions={"domLayout": "autoHeight"},
                style={"marginTop": "1rem"},
            ),
        ],
        size="md",
        py="lg",
    )
)


@app.callback(Output("grid", "rowData"), Output("total", "children"), Input("department", "value"))
def pick(department):
    rows = [line for line in LINES if department in ("All", line["department"])]
    return rows, f"£{sum(line['budget'] for line in rows):,} across {len(rows)} lines"


if __name__ == "__main__":
    app.run(debug=True)
