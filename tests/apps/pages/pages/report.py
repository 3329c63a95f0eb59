import dash
from dash import html

dash.register_page(__name__, path_template="/report/<year>", title="Report")


def layout(year=None, **query):
    return html.H1(f"Report {year} {query.get('region', 'all')}", id="page-title")
