"""The demo apps behave the same under real Flask and as a built site in Chromium.

Each test runs twice through webdash.testing's ``webdash_duo`` fixture: ``[flask]``
against ``webdash run`` and ``[browser]`` against the built site, served under a
sub-path. Any console error fails the test.
"""

from __future__ import annotations

import csv

import pytest

from .conftest import DEMO_APPS

pytestmark = pytest.mark.browser

HELLO = DEMO_APPS / "hello"
SALES = DEMO_APPS / "sales"


def test_hello_greets_and_charts(webdash_duo):
    webdash_duo.start(HELLO)
    webdash_duo.wait_for_text("#greeting", "Hello, world!")
    webdash_duo.type("#name", "Ada Lovelace")
    webdash_duo.wait_for_text("#greeting", "Hello, Ada Lovelace!")
    # One bar per distinct letter: a, d, l, o, v, e, c.
    webdash_duo.wait_for_element("#letters .bars .point")
    assert webdash_duo.find("#letters .bars .point").count() == 7
    # assets/style.css reached the page.
    color = webdash_duo.find("#greeting").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(31, 111, 235)"


def test_hello_unicode_round_trip(webdash_duo):
    webdash_duo.start(HELLO)
    webdash_duo.type("#name", "Zoë 🦉 東京")
    webdash_duo.wait_for_text("#greeting", "Hello, Zoë 🦉 東京!")


def test_hello_flask_route_from_the_page(webdash_duo):
    webdash_duo.start(HELLO)
    api = webdash_duo.page.evaluate("fetch('api/greeting/Zo%C3%AB').then(r => r.json())")
    assert api == {"greeting": "Hello, Zoë!"}
    favicon = webdash_duo.page.evaluate(
        "fetch('_favicon.ico').then(r => [r.status, r.headers.get('content-type')])"
    )
    assert favicon == [200, "image/x-icon"]


def test_hello_deep_link_and_reload(webdash_duo):
    webdash_duo.start(HELLO, "reports/2024?region=north")
    assert webdash_duo.page.url == webdash_duo.url + "reports/2024?region=north"
    webdash_duo.wait_for_text("#greeting", "Hello, world!")
    webdash_duo.page.reload()
    webdash_duo.wait_for_dash()
    webdash_duo.type("#name", "Reloaded")
    webdash_duo.wait_for_text("#greeting", "Hello, Reloaded!")


# -- apps/sales: Dropdown, DataTable (filter, sort, edit, pages), Upload --------------------------------
def sales_rows() -> list[dict[str, str]]:
    with (SALES / "data/sales.csv").open(newline="") as data:
        return list(csv.DictReader(data))


def total_text(rows: list[dict[str, str]]) -> str:
    return f"{len(rows)} rows, £{sum(float(r['revenue']) for r in rows):,.0f} in total"


def test_sales_dropdown_filters_table_and_chart(webdash_duo):
    rows = sales_rows()
    webdash_duo.start(SALES)
    webdash_duo.wait_for_text("#total", total_text(rows))
    webdash_duo.click("#region")
    webdash_duo.page.get_by_role("option", name="North").click()
    webdash_duo.wait_for_text("#total", total_text([r for r in rows if r["region"] == "North"]))
    # One bar per month.
    assert webdash_duo.find("#by-month .bars .point").count() == 12


def test_sales_table_filter_sort_and_edit(webdash_duo):
    rows = sales_rows()
    webdash_duo.start(SALES)
    webdash_duo.wait_for_text("#total", total_text(rows))
    service = webdash_duo.find('th.dash-filter[data-dash-column="service"] input[type=text]')
    service.fill("Library cards")
    service.press("Enter")
    library = [r for r in rows if r["service"] == "Library cards"]
    webdash_duo.wait_for_text("#total", total_text(library))
    # Sort by revenue, descending (two clicks): the first row is the largest.
    sort = webdash_duo.find('th[data-dash-column="revenue"] .column-header--sort')
    sort.click()
    sort.click()
    top = max(library, key=lambda r: int(r["revenue"]))
    webdash_duo.wait_for_text('td[data-dash-column="revenue"] >> nth=0', top["revenue"])
    # Edit that cell: the chart's total follows the table's data.
    cell = webdash_duo.find('td[data-dash-column="revenue"]').first
    cell.dblclick()
    cell.locator("input").fill("0")
    cell.locator("input").press("Enter")
    expected = sum(float(r["revenue"]) for r in library) - float(top["revenue"])
    webdash_duo.wait_for_text("#total", f"{len(library)} rows, £{expected:,.0f} in total")


def test_sales_table_pages(webdash_duo):
    rows = sales_rows()
    webdash_duo.start(SALES)
    webdash_duo.wait_for_element('td[data-dash-column="month"]')
    assert webdash_duo.find('td[data-dash-column="month"]').count() == 12
    webdash_duo.wait_for_text("div.last-page", "16")  # 192 rows, 12 a page
    webdash_duo.click("button.next-page")
    webdash_duo.wait_for_text(".current-page-shadow", "2")
    first = f"{rows[12]['month']} {rows[12]['region']} {rows[12]['service']}"
    cells = webdash_duo.find("tr:has(td) >> nth=0").locator("td")
    assert " ".join(cells.all_inner_texts()[:3]) == first


def test_sales_upload_is_parsed_in_python(webdash_duo):
    webdash_duo.start(SALES)
    webdash_duo.wait_for_element("#total")
    upload = webdash_duo.find("#upload input[type=file]")
    mine = "month,region,service,units,revenue\n2025-01,North,Bins,3,30.5\n2025-02,Südstadt,Bins,1,12\n"
    upload.set_input_files(files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": mine.encode()}])
    webdash_duo.wait_for_text("#upload-status", "Showing mine.csv (2 rows).")
    webdash_duo.wait_for_text("#total", "2 rows, £42 in total")
    assert "Südstadt" in webdash_duo.text("#table")
    # A file that is not a matching CSV is explained, and the app keeps working.
    photo = {"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG\x00\xff"}
    upload.set_input_files(files=[photo])
    webdash_duo.wait_for_contains_text("#upload-status", "photo.png was not loaded")
    webdash_duo.wait_for_text("#total", total_text(sales_rows()))
