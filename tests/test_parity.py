"""The demo apps behave the same under real Flask and as a built site in Chromium.

Each test runs twice through webdash.testing's ``webdash_duo`` fixture: ``[flask]``
against ``webdash run`` and ``[browser]`` against the built site, served under a
sub-path. Any console error fails the test.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from webdash import _serve

from .conftest import DEMO_APPS, TEST_APPS

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


#: Requests to Dash's callback route, sent from the page as Dash's renderer sends them; the echo app
#: answers those with an X-Echo header itself (see tests/apps/echo).
CALLBACK_REQUESTS = """async () => {
    const body = new Uint8Array(1024).map((_, i) => i % 256);
    const send = (echo, init = {}) => fetch('_dash-update-component?endId=page-token', {
        method: 'POST', body, ...init,
        headers: {'Content-Type': 'application/octet-stream', 'X-Echo': echo, 'X-Tag': 'a, b'},
    });
    const seen = async (r) => ({
        status: r.status, type: r.headers.get('content-type'), url: r.url.slice(location.href.length),
        redirected: r.redirected, echo: await r.json(),
    });
    const failure = (promise) => promise.then(() => 'answered', (error) => error.name);
    const bad = await fetch('_dash-update-component', {
        method: 'POST', body: '{not json', headers: {'Content-Type': 'application/json'},
    });
    return {
        echoed: await seen(await send('1')),
        moved307: await seen(await send('307')),
        moved303: await seen(await send('303')),
        refused: await failure(send('302', {redirect: 'error'})),
        aborted: await failure(send('1', {signal: AbortSignal.abort()})),
        bad: [bad.status, bad.headers.get('content-type')],
    };
}"""


def test_callback_requests_reach_flask_as_the_page_sent_them(webdash_duo):
    """The page's requests to Dash's callback route (which the browser target sends straight to
    its Python worker) arrive as sent, and come back as Flask answered, redirects followed."""
    webdash_duo.start(TEST_APPS / "echo")
    # Chromium logs the bad request's status and the refused redirect of a request it sent itself.
    webdash_duo.allow_console_errors(
        r"^Failed to load resource: (the server responded with a status of 400|net::ERR_FAILED)"
    )
    got = webdash_duo.page.evaluate(CALLBACK_REQUESTS)
    sent_sha256 = hashlib.sha256(bytes(i % 256 for i in range(1024))).hexdigest()
    echoed = got["echoed"]
    assert (echoed["status"], echoed["type"], echoed["redirected"]) == (200, "application/json", False)
    assert echoed["url"] == "_dash-update-component?endId=page-token"
    assert echoed["echo"]["method"] == "POST"
    assert echoed["echo"]["args"] == {"endId": ["page-token"]}
    assert echoed["echo"]["headers"]["x-tag"] == "a, b"
    assert echoed["echo"]["headers"]["content-type"] == "application/octet-stream"
    assert (echoed["echo"]["body_len"], echoed["echo"]["body_sha256"]) == (1024, sent_sha256)
    # A 307 asks again with the same method and body; a 303 with a GET.
    moved = got["moved307"]
    assert (moved["status"], moved["url"], moved["redirected"]) == (200, "echo?came=callback", True)
    assert (moved["echo"]["method"], moved["echo"]["body_sha256"]) == ("POST", sent_sha256)
    assert (got["moved303"]["echo"]["method"], got["moved303"]["echo"]["body_len"]) == ("GET", 0)
    assert got["refused"] == "TypeError"
    assert got["aborted"] == "AbortError"
    assert got["bad"] == [400, "text/html; charset=utf-8"]


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


# -- tests/apps/callbacks: Dash's callback features -----------------------------------------------------
CALLBACKS = TEST_APPS / "callbacks"


def test_callbacks_outputs_state_chains_and_triggers(webdash_duo):
    duo = webdash_duo
    duo.start(CALLBACKS)
    # Several outputs from one callback; State is read, not listened to.
    duo.wait_for_text("#full", "Ada Lovelace")
    duo.wait_for_text("#initials", "AL")
    duo.type("#first", "Grace")
    duo.wait_for_text("#full", "Ada Lovelace")
    duo.click("#join")
    duo.wait_for_text("#full", "Grace Lovelace")
    # A chain: a -> b -> c.
    duo.wait_for_text("#chain-c", "3")
    duo.type("#chain-a", "20")
    duo.wait_for_text("#chain-b", "40")
    duo.wait_for_text("#chain-c", "41")
    # A circular callback keeps two inputs in step, whichever changes.
    expect(duo.find("#fahrenheit")).to_have_value("212")
    duo.type("#fahrenheit", "32")
    expect(duo.find("#celsius")).to_have_value("0")
    # prevent_initial_call, then ctx.triggered_id and callback_context.triggered.
    duo.wait_for_text("#which", "untouched")
    duo.click("#btn-b")
    duo.wait_for_text("#which", "btn-b via btn-b.n_clicks")
    # PreventUpdate leaves everything; no_update leaves one output.
    duo.wait_for_text("#even-out", "2 is even")
    duo.type("#even", "x")
    duo.type("#even", "7")
    duo.wait_for_text("#even-count", "2")
    duo.wait_for_text("#even-out", "2 is even")
    # The layout is a function: a reload builds it again.
    built = duo.text("#built")
    duo.page.reload()
    duo.wait_for_dash()
    expect(duo.find("#built")).not_to_have_text(built)


def test_callbacks_patch_set_props_running_and_errors(webdash_duo):
    duo = webdash_duo
    duo.start(CALLBACKS)
    # Patch appends; allow_duplicate lets a second callback write the same output.
    duo.click("#add")
    duo.click("#add")
    expect(duo.find("#items li")).to_have_text(["item 1", "item 2"])
    duo.click("#clear")
    expect(duo.find("#items li")).to_have_count(0)
    # set_props from inside a callback.
    duo.click("#side")
    duo.wait_for_text("#side-out", "side 1")
    duo.wait_for_text("#error-report", "set_props 1")
    # running= shows a state while the callback runs, and puts it back after.
    duo.click("#slow")
    duo.wait_for_text("#slow-state", "running")
    duo.wait_for_text("#slow-out", "slow 1 done")
    duo.wait_for_text("#slow-state", "idle")
    # A callback that raises goes to the app's on_error handler; the others keep working.
    duo.click("#boom")
    duo.wait_for_text("#error-report", "handled: boom 1")
    duo.click("#side")
    duo.wait_for_text("#side-out", "side 2")


def test_callbacks_pattern_matching_and_clientside(webdash_duo):
    duo = webdash_duo
    duo.start(CALLBACKS)
    # Pattern-matching ids: MATCH per row, ALL across rows.
    duo.wait_for_text("#total", "total 1")
    duo.click("#new-row")
    duo.click("#new-row")
    duo.wait_for_text("#total", "total 6")
    expect(duo.find("#rows span")).to_have_text(["x1", "x2", "x3"])
    expect(duo.find("#rows b")).to_have_text(["=1", "=3", "=6"])  # ALLSMALLER: a running total
    duo.type('[id=\'{"index":1,"type":"qty"}\']', "10")
    duo.wait_for_text("#total", "total 14")
    expect(duo.find("#rows span").nth(1)).to_have_text("x10")
    expect(duo.find("#rows b")).to_have_text(["=1", "=11", "=14"])
    # Clientside callbacks: inline JS, and a function from assets/clientside.js.
    duo.wait_for_text("#cs-inline", "ABC")
    duo.wait_for_text("#cs-namespace", "cba")
    duo.type("#cs-in", "Zoë 🦉")
    duo.wait_for_text("#cs-inline", "ZOË 🦉")
    duo.wait_for_text("#unicode", "🦉 Zoë")


# -- tests/apps/pages: multi-page navigation, files, Flask routes and the session ------------------------
PAGES = TEST_APPS / "pages"


def test_pages_navigation_history_and_reload(webdash_duo):
    duo = webdash_duo
    duo.start(PAGES)
    duo.wait_for_text("#page-title", "Home page")
    duo.click("#to-report")
    duo.wait_for_text("#page-title", "Report 2024 north")
    assert duo.page.url == duo.url + "report/2024?region=north"
    duo.page.go_back()
    duo.wait_for_text("#page-title", "Home page")
    duo.page.go_forward()
    duo.wait_for_text("#page-title", "Report 2024 north")
    duo.page.reload()
    duo.wait_for_dash()
    duo.wait_for_text("#page-title", "Report 2024 north")
    duo.navigate("report/1999")
    duo.wait_for_text("#page-title", "Report 1999 all")
    duo.navigate("no/such/page")
    duo.wait_for_text("#page-title", "No such page here")


def test_pages_downloads_uploads_and_flask_session(webdash_duo):
    duo = webdash_duo
    duo.start(PAGES)
    expected = {
        "#get-text": ("note.txt", "naïve text ✓".encode()),
        "#get-bytes": ("all-bytes.bin", bytes(range(256))),
        "#get-file": ("figures.csv", (PAGES / "data/figures.csv").read_bytes()),
    }
    for button, (name, content) in expected.items():
        with duo.page.expect_download() as info:
            duo.click(button)
        download = info.value
        assert download.suggested_filename == name
        assert Path(download.path()).read_bytes() == content
    # A binary upload is parsed by the app's Python.
    data = bytes(range(256)) * 40
    duo.find("#upload input[type=file]").set_input_files(
        files=[{"name": "blob.bin", "mimeType": "application/octet-stream", "buffer": data}]
    )
    duo.wait_for_text("#upload-out", f"blob.bin: 10240 bytes, sha256 {hashlib.sha256(data).hexdigest()[:12]}")
    # Flask routes answer fetches from the page, and flask.session keeps its cookie.
    counts = duo.page.evaluate(
        "(async () => { const r = []; for (let i = 0; i < 3; i++) "
        "r.push((await (await fetch('api/count')).json()).count); return r; })()"
    )
    assert counts == [1, 2, 3]
    csv = duo.page.evaluate("fetch('files/figures.csv').then(r => r.text())")
    assert csv == (PAGES / "data/figures.csv").read_text()


def test_scale_two_thousand_components_and_a_megabyte_answer(webdash_duo):
    duo = webdash_duo
    duo.start(TEST_APPS / "scale")
    expect(duo.find("#grid .cell")).to_have_count(2000)
    chunk = "Zoë 🦉 東京 — naïve café. "
    repeat = 1_000_000 // len(chunk.encode()) + 1
    text = chunk * repeat
    duo.type("#repeat", str(repeat))
    data = text.encode()
    duo.wait_for_text("#digest", f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}")
    # The text arrived whole in the page too.
    received = duo.page.evaluate("document.querySelector('#big').textContent")
    assert received == text


# -- apps/budget: two component libraries from PyPI (Mantine, AG Grid) ---------------------------------
def test_budget_component_libraries_render_and_update(webdash_duo):
    duo = webdash_duo
    duo.start(DEMO_APPS / "budget")
    duo.wait_for_text("#total", "£880,000 across 20 lines")
    expect(duo.find("#grid .ag-center-cols-container .ag-row")).to_have_count(20)
    duo.find("#department").get_by_text("Parks", exact=True).click()
    duo.wait_for_text("#total", "£212,500 across 5 lines")
    expect(duo.find("#grid .ag-center-cols-container .ag-row")).to_have_count(5)
    # AG Grid's own JS formats the numbers; Mantine's CSS styles the badge.
    expect(duo.find('#grid [col-id="budget"].ag-cell').first).to_have_text("17,500")
    assert duo.find("#total").evaluate("e => getComputedStyle(e).borderRadius") != "0px"


# -- tests/apps/components: dcc components, stores, persistence, index_string, assets_ignore -----------
COMPONENTS = TEST_APPS / "components"


def test_components_answer_their_callbacks(webdash_duo):
    duo = webdash_duo
    duo.start(COMPONENTS)
    # app.index_string and assets_ignore: the custom page, styled by site.css and not by ignored.css.
    assert duo.find("#brand").evaluate("e => getComputedStyle(e).color") == "rgb(0, 128, 0)"
    duo.wait_for_text("#tick-out", "ticks 3")  # dcc.Interval, stopped by max_intervals
    duo.find("#slider [role=slider]").press("ArrowRight")
    duo.wait_for_text("#slider-out", "slider 4")
    duo.find("#range [role=slider]").first.press("ArrowRight")
    duo.wait_for_text("#range-out", "range 30-60")
    duo.find("#checks").get_by_text("Roads").click()
    duo.wait_for_text("#checks-out", "checked Parks, Roads")
    duo.find("#radio").get_by_text("Monthly").click()
    duo.wait_for_text("#radio-out", "every Monthly")
    duo.find("#tabs").get_by_text("Two").click()
    duo.wait_for_text("#tabs-out", "tab two")
    duo.click("#load")
    duo.wait_for_text("#loaded", "loaded 1")
    # dcc.DatePickerSingle: pick a day in its calendar.
    duo.wait_for_text("#date-out", "date 2025-03-14")
    duo.click("#date")
    duo.find("td.dash-datepicker-calendar-date-inside").filter(has_text=re.compile("^21$")).click()
    duo.wait_for_text("#date-out", "date 2025-03-21")
    # clickData from a plotly bar.
    duo.find("#chart").scroll_into_view_if_needed()
    bar = duo.find("#chart .bars .point").first.bounding_box()
    x, y = bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2
    duo.page.mouse.move(x, y)  # plotly picks the point under the pointer as it hovers
    duo.wait_for_text("#hovered", "hovered a=3")
    duo.page.mouse.click(x, y)
    duo.wait_for_text("#clicked", "clicked a=3")


def test_stores_and_persistence_across_a_reload(webdash_duo):
    duo = webdash_duo
    duo.start(COMPONENTS)
    duo.wait_for_text("#stores-out", "memory=None local=None session=None")
    duo.click("#remember")
    duo.wait_for_text("#stores-out", "memory=m1 local=l1 session=s1")
    duo.type("#persisted", "second")
    duo.page.reload()
    duo.wait_for_dash()
    # Memory stores start again; local and session storage survive; so does a persisted input.
    duo.wait_for_text("#stores-out", "memory=None local=l1 session=s1")
    expect(duo.find("#persisted")).to_have_value("second")


# -- concurrency: a slow callback does not hold up a quick one; one shared Python state ----------------
CONCURRENCY = TEST_APPS / "concurrency"


def test_waiting_callbacks_do_not_hold_up_the_others(webdash_duo):
    webdash_duo.start(CONCURRENCY)
    webdash_duo.click("#slow")  # time.sleep(3)
    webdash_duo.click("#medium")  # time.sleep(1)
    webdash_duo.click("#quick")
    # The quick one answers while both others still wait, and sees what they logged so far…
    quick = "quick done; log: slow started, medium started, quick"
    webdash_duo.wait_for_text("#quick-out", quick, timeout=900)
    assert webdash_duo.text("#slow-out") == webdash_duo.text("#medium-out") == ""
    # …then the medium one, then the slow one, each with its own request and triggered id.
    update = "/_dash-update-component"
    webdash_duo.wait_for_text(
        "#medium-out", f"medium done ({update}); log: slow started, medium started, quick, medium finished"
    )
    assert webdash_duo.text("#slow-out") == ""
    webdash_duo.wait_for_text(
        "#slow-out",
        f"slow done ({update}); log: slow started, medium started, quick, medium finished, slow finished",
    )
    # A Flask route reads the same module-level state.
    log = webdash_duo.page.evaluate("fetch('api/log').then(r => r.json())")
    assert log["log"][-1] == "slow finished"


# -- async callbacks (dash[async]) ------------------------------------------------------------------
def test_async_callback(webdash_duo):
    webdash_duo.start(TEST_APPS / "async_callbacks")
    webdash_duo.wait_for_text("#squares", "squares: [0, 1, 4]")
    webdash_duo.type("#count", "5")
    webdash_duo.wait_for_text("#squares", "squares: [0, 1, 4, 9, 16]")


# -- background callbacks on webdash.BackgroundCallbackManager ----------------------------------------
BACKGROUND = TEST_APPS / "background"


def test_background_callback_progress_while_the_app_keeps_working(webdash_duo):
    webdash_duo.start(BACKGROUND)
    expect(webdash_duo.find("#cancel")).to_be_disabled()
    # Every status the page shows, in order.
    webdash_duo.page.evaluate(
        """() => { const status = document.getElementById('status'); window.statuses = [];
        new MutationObserver(() => statuses.push(status.textContent))
            .observe(status, {childList: true, characterData: true, subtree: true}); }"""
    )
    webdash_duo.click("#run")
    expect(webdash_duo.find("#run")).to_be_disabled()
    expect(webdash_duo.find("#cancel")).to_be_enabled()
    webdash_duo.wait_for_text("#status", "step 1 of 5")
    # An ordinary callback answers while the job runs, and sees the job's module-level state.
    webdash_duo.click("#ping")
    webdash_duo.wait_for_text("#pong", re.compile(r"pong 1: the job is at step [1-4]"))
    assert webdash_duo.text("#result") == ""
    webdash_duo.wait_for_text("#result", "finished run 1", timeout=10_000)
    # Progress arrived step by step while the job ran (a poll may fall between two steps).
    statuses = [s for s in webdash_duo.page.evaluate("statuses") if s.startswith("step")]
    steps = [int(s.split()[1]) for s in statuses]
    assert steps == sorted(set(steps)) and len(steps) >= 3 and steps[-1] == 5, statuses
    assert webdash_duo.find("#progress").get_attribute("value") == "5"
    webdash_duo.wait_for_text("#note", "set from the job")
    expect(webdash_duo.find("#run")).to_be_enabled()
    expect(webdash_duo.find("#cancel")).to_be_disabled()
    # A second run starts from the beginning.
    webdash_duo.click("#run")
    webdash_duo.wait_for_text("#result", "finished run 2", timeout=10_000)


def test_background_callback_cancel(webdash_duo):
    webdash_duo.start(BACKGROUND)
    webdash_duo.click("#run")
    webdash_duo.wait_for_text("#status", "step 2 of 5")
    webdash_duo.click("#cancel")
    expect(webdash_duo.find("#run")).to_be_enabled()
    # The cancelled job never shows a result, and stops reporting progress.
    webdash_duo.page.wait_for_timeout(3000)
    assert webdash_duo.text("#result") == ""
    assert webdash_duo.text("#status") in ("step 2 of 5", "step 3 of 5")


def test_background_callback_that_raises(webdash_duo):
    webdash_duo.start(BACKGROUND)
    webdash_duo.click("#fail")
    webdash_duo.wait_for_text(
        "#failure", "failed: An error occurred inside a background callback: the data file is empty"
    )
    # The app keeps working.
    webdash_duo.click("#ping")
    webdash_duo.wait_for_text("#pong", "pong 1: the job is at step 0")


# -- external_scripts / external_stylesheets: loaded from their own host, as Dash writes them ------------
def test_external_scripts_and_stylesheets(webdash_duo, tmp_path):
    host = tmp_path / "cdn"
    host.mkdir()
    (host / "banner.js").write_text("window.externalScriptRan = true;\n")
    (host / "theme.css").write_text("#title { color: rgb(128, 0, 128); }\n")
    with _serve.serving(host) as cdn:  # another origin than the app's
        app = tmp_path / "external"
        app.mkdir()
        (app / "app.py").write_text(
            "from dash import Dash, html\n"
            f"app = Dash(__name__, external_scripts=[{cdn + 'banner.js'!r}],\n"
            f"           external_stylesheets=[{cdn + 'theme.css'!r}])\n"
            "app.layout = html.H1('External', id='title')\n"
        )
        webdash_duo.start(app)
        webdash_duo.wait_for_text("#title", "External")
        assert webdash_duo.page.evaluate("window.externalScriptRan") is True
        color = webdash_duo.find("#title").evaluate("e => getComputedStyle(e).color")
        assert color == "rgb(128, 0, 128)"
        tags = webdash_duo.page.evaluate(
            "cdn => [...document.querySelectorAll('script[src], link[rel=stylesheet]')]"
            ".map(e => e.src || e.href).filter(u => u.startsWith(cdn))",
            cdn,
        )
        assert sorted(tags) == [cdn + "banner.js", cdn + "theme.css"]
