"""Repeat visits, offline starts, new deployments and Shift+Reload, in Chromium.

Each test builds its own small app into a folder of its own, so that it can
deploy a new build to the same URL.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dash.fingerprint import check_fingerprint
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, expect

from webdash import _build, _serve
from webdash._archive import read_pack
from webdash.testing import BOOT_TIMEOUT_MS, launch_chromium, python_worker

pytestmark = pytest.mark.browser

APP = """
from dash import Dash, Input, Output, dcc, html

app = Dash(__name__)
app.layout = html.Div([html.P("{version}"), dcc.Input(id="word", value="start"), html.P(id="out")])


@app.callback(Output("out", "children"), Input("word", "value"))
def shout(word):
    return "{version}: " + (word or "").upper()
"""


@pytest.fixture(scope="module")
def browser(webdash_playwright: Playwright) -> Iterator[Browser]:
    # One Playwright for the whole session (webdash.testing's): the sync API cannot nest.
    browser = launch_chromium(webdash_playwright)
    yield browser
    browser.close()


class Deployment:
    """One app folder, built to one URL, re-deployable."""

    def __init__(self, tmp_path: Path, base_url: str) -> None:
        self.source = tmp_path / "app"
        self.source.mkdir()
        self.www = tmp_path / "www"
        self.url = base_url + "www/"

    def deploy(self, version: str, app: str = APP) -> None:
        (self.source / "app.py").write_text(app.replace("{version}", version))
        _build.build(self.source, self.www)


#: An app whose page differs from one request to the next: each carries an id of its own.
UNIQUE_PAGES = (
    APP
    + """
import uuid


@app.server.after_request
def number_the_page(response):
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        response.set_data(page.replace("</body>", f"<!-- {uuid.uuid4()} --></body>"))
    return response
"""
)
BACKGROUND_APP = Path(__file__).parent / "apps" / "background"
#: An app with a graph: Dash loads dcc's graph chunk and plotly.js when it renders one.
GRAPH_APP = """
from dash import Dash, Input, Output, dcc, html

app = Dash(__name__)
app.layout = html.Div([dcc.Input(id="word", value="start"), html.P(id="out"), dcc.Graph(id="graph")])


@app.callback(Output("out", "children"), Output("graph", "figure"), Input("word", "value"))
def shout(word):
    letters = list(word or "-")
    figure = {"data": [{"type": "bar", "x": letters, "y": [1] * len(letters)}]}
    return "{version}: " + (word or "").upper(), figure
"""
PLOTLY_JS = "_dash-component-suites/plotly/package_data/plotly.min.js"
#: An app whose callback imports a module of the standard library that nothing imported before.
LATE_IMPORT_APP = """
from dash import Dash, Input, Output, dcc, html

app = Dash(__name__)
app.layout = html.Div([dcc.Input(id="word", value="start"), html.P(id="out")])


@app.callback(Output("out", "children"), Input("word", "value"))
def shout(word):
    import graphlib

    order = graphlib.TopologicalSorter({"b": {"a"}}).static_order()
    return (word or "").upper() + " " + "".join(order)
"""


@pytest.fixture
def site(tmp_path) -> Iterator[Deployment]:
    with _serve.serving(tmp_path) as base_url:
        deployment = Deployment(tmp_path, base_url)
        deployment.deploy("v1")
        yield deployment


@pytest.fixture
def context(browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    errors: list[str] = []
    context.on("page", lambda page: page.on("console", lambda m: m.type == "error" and errors.append(m.text)))
    context.on("weberror", lambda error: errors.append(str(error.error)))
    yield context
    context.close()
    assert not errors, "console errors:\n" + "\n".join(errors)


def booted(page: Page, version: str = "v1") -> None:
    expect(page.locator("#out")).to_have_text(f"{version}: START", timeout=BOOT_TIMEOUT_MS)


def visit(context: BrowserContext, site: Deployment) -> Page:
    """A new page on the site, once its app has booted."""
    page = context.new_page()
    page.goto(site.url)
    booted(page)
    return page


def works(page: Page, version: str, word: str) -> None:
    page.fill("#word", word)
    expect(page.locator("#out")).to_have_text(f"{version}: {word.upper()}")


def snapshot_saved(page: Page) -> None:
    python_worker(page).evaluate("webdash.saved")


#: The kept snapshot's index, and how many bytes its memory entry holds.
KEPT_SNAPSHOT = """async () => {
    const name = (await caches.keys()).find((name) => name.startsWith('webdash-app '));
    const cache = await caches.open(name);
    const entry = async (what) => (await cache.match(location.href + '_webdash/snapshot/' + what));
    return [await (await entry('index.json')).json(), (await (await entry('memory')).blob()).size];
}"""


#: Empties the kept snapshot's list of files to read ahead.
FORGET_READ_AHEAD = """async () => {
    const name = (await caches.keys()).find((name) => name.startsWith('webdash-app '));
    const cache = await caches.open(name);
    const url = location.href + '_webdash/snapshot/index.json';
    const index = await (await cache.match(url)).json();
    await cache.put(url, Response.json({...index, readAhead: []}));
}"""


def test_repeat_visit_resumes_from_a_snapshot(context, site):
    page = visit(context, site)
    assert python_worker(page).evaluate("webdash.resumed") is False
    snapshot_saved(page)
    # Kept without the wasm memory's pages of zeros (there are always some: its free end).
    index, kept = page.evaluate(KEPT_SNAPSHOT)
    parts = index["memoryParts"]
    assert parts == sorted(parts) and all(start < end for start, end in parts)
    assert kept == index["memoryHeader"] + sum(end - start for start, end in parts)
    assert kept < index["memorySize"] * 0.9, (kept, index["memorySize"])
    page.reload()
    booted(page)
    assert python_worker(page).evaluate("webdash.resumed") is True
    # What a restore reads at once was read ahead, not file by file as Python asked for it.
    read_late = python_worker(page).evaluate("webdash.readLate()")
    assert not [path for path in read_late if path.endswith((".so", ".dist-info/METADATA"))], read_late
    works(page, "v1", "resumed")
    # The snapshot lives in the build's cache: an offline visit resumes too.
    context.set_offline(True)
    try:
        page.reload()
        booted(page)
        assert python_worker(page).evaluate("webdash.resumed") is True
        works(page, "v1", "offline")
    finally:
        context.set_offline(False)


#: An app whose callback imports a module of its packages that nothing imported before.
LATE_PACKAGE_APP = LATE_IMPORT_APP.replace(
    "import graphlib", "import graphlib, werkzeug.middleware.proxy_fix"
)


@contextmanager
def first_visit_saved(context: BrowserContext, tmp_path: Path, app: str) -> Iterator[Page]:
    """A first visit to one of the apps above, its snapshot stored."""
    with _serve.serving(tmp_path) as base_url:
        site = Deployment(tmp_path, base_url)
        site.deploy("v1", app)
        page = context.new_page()
        page.goto(site.url)
        expect(page.locator("#out")).to_have_text("START ab", timeout=BOOT_TIMEOUT_MS)
        snapshot_saved(page)
        yield page


def test_a_resumed_python_reads_ahead_the_files_earlier_visits_opened_after_they_started(context, tmp_path):
    """A file a callback opens (a module imported late) is read ahead by the next restore, not as
    Python opens it: the visit that saved the snapshot records what it opened after, and a resumed
    visit adds what it read late."""
    module = "/werkzeug/middleware/proxy_fix.pyc"
    with first_visit_saved(context, tmp_path, LATE_PACKAGE_APP) as page:
        index, _ = page.evaluate(KEPT_SNAPSHOT)
        assert [path for path in index["readAhead"] if path.endswith(module)], index["readAhead"]
        # The standard library's zip, which graphlib was imported from, is read ahead whole.
        assert [path for path in index["readAhead"] if re.fullmatch(r"/lib/python\d+\.zip", path)]
        # Not the scripts Python served this visit: the service worker keeps them.
        assert all(re.search(r"\.pyc?$|\.zip$", path) for path in index["readAhead"]), index["readAhead"]
        # Forgotten, the file is read late once, and learned again.
        page.evaluate(FORGET_READ_AHEAD)
        for read_late in (True, False):
            page.reload()
            expect(page.locator("#out")).to_have_text("START ab", timeout=BOOT_TIMEOUT_MS)
            assert python_worker(page).evaluate("webdash.resumed") is True
            late = python_worker(page).evaluate("webdash.readLate()")
            assert bool([path for path in late if path.endswith(module)]) is read_late, late
            snapshot_saved(page)
        index, _ = page.evaluate(KEPT_SNAPSHOT)
        assert [path for path in index["readAhead"] if path.endswith(module)], index["readAhead"]


def test_a_resumed_python_reads_the_standard_library_when_it_first_needs_it(context, tmp_path):
    with first_visit_saved(context, tmp_path, LATE_IMPORT_APP) as page:
        # (Else the restore reads it ahead: this visit opened it after it saved the snapshot.)
        page.evaluate(FORGET_READ_AHEAD)
        for offline in (False, True):
            context.set_offline(offline)
            try:
                page.reload()
                # The snapshot was saved before the first callback: this one imports graphlib anew.
                expect(page.locator("#out")).to_have_text("START ab", timeout=BOOT_TIMEOUT_MS)
                assert python_worker(page).evaluate("webdash.resumed") is True
                read_late = python_worker(page).evaluate("webdash.readLate()")
                assert [path for path in read_late if re.fullmatch(r"/lib/python\d+\.zip", path)], read_late
                page.fill("#word", "later")
                expect(page.locator("#out")).to_have_text("LATER ab")
                snapshot_saved(page)  # what this visit read late, learned
                page.evaluate(FORGET_READ_AHEAD)
            finally:
                context.set_offline(False)


def test_a_repeat_visit_shows_the_page_while_python_resumes(context, site):
    page = visit(context, site)
    assert page.evaluate("webdashShownAhead") is False
    snapshot_saved(page)
    page.reload()
    booted(page)
    # Dash's page was shown, its scripts loading, before Python was ready; Python gave the same page.
    assert page.evaluate("webdashShownAhead") is True
    assert python_worker(page).evaluate("webdash.resumed") is True
    works(page, "v1", "ahead")


def test_background_callbacks_work_on_a_page_shown_while_python_resumes(context, tmp_path):
    # The page shown ahead carries the token Dash signed into the previous visit's page.
    with _serve.serving(tmp_path) as base_url:
        _build.build(BACKGROUND_APP, tmp_path / "background")
        page = context.new_page()
        page.goto(base_url + "background/")
        expect(page.locator("#status")).to_have_text("idle", timeout=BOOT_TIMEOUT_MS)
        snapshot_saved(page)
        page.reload()
        expect(page.locator("#status")).to_have_text("idle", timeout=BOOT_TIMEOUT_MS)
        assert page.evaluate("webdashShownAhead") is True
        page.click("#run")
        expect(page.locator("#status")).to_have_text("step 2 of 5", timeout=10_000)
        expect(page.locator("#result")).to_have_text("finished run 1", timeout=15_000)


def test_a_page_that_differs_per_request_is_not_shown_ahead_again(context, tmp_path):
    with _serve.serving(tmp_path) as base_url:
        site = Deployment(tmp_path, base_url)
        site.deploy("v1", UNIQUE_PAGES)
        snapshot_saved(visit(context, site))
        # Shown ahead, then found to differ from Python's page: the page reloads itself once.
        page = context.new_page()
        page.goto(site.url)
        page.wait_for_function(
            "performance.getEntriesByType('navigation')[0]?.type === 'reload'", timeout=BOOT_TIMEOUT_MS
        )
        booted(page)
        assert page.evaluate("webdashShownAhead") is False
        works(page, "v1", "reloaded")
        # From then on it waits for Python's page.
        page = visit(context, site)
        assert page.evaluate("webdashShownAhead") is False
        works(page, "v1", "later")


def test_a_snapshot_that_does_not_fit_is_replaced(context, site):
    page = visit(context, site)
    snapshot_saved(page)
    # As if saved by another browser version: its function table has another size.
    python_worker(page).evaluate(
        """async () => {
            const cache = await caches.open((await caches.keys()).find(k => k.startsWith('webdash-app ')));
            const url = (await cache.keys()).map(r => r.url).find(u => u.endsWith('/snapshot/index.json'));
            const index = await (await cache.match(url)).json();
            index.tableSize += 1;
            await cache.put(url, Response.json(index));
        }"""
    )
    page.reload()
    booted(page)
    assert python_worker(page).evaluate("webdash.resumed") is False
    works(page, "v1", "afresh")
    snapshot_saved(page)
    page.reload()
    booted(page)
    assert python_worker(page).evaluate("webdash.resumed") is True


def test_repeat_visit_fetches_nothing_from_the_network(context, site):
    page = visit(context, site)
    network: list[str] = []

    def record(request: Request) -> None:
        response = request.response()
        if response is not None and not response.from_service_worker and request.url.startswith("http"):
            network.append(request.url)

    context.on("requestfinished", record)
    page.reload()
    booted(page)
    works(page, "v1", "again")
    # Only the browser's check for a new service worker may reach the host.
    assert {urlsplit(u).path for u in network} <= {"/www/service_worker.js"}


def test_the_first_repeat_visit_starts_with_pyodides_compiled_code(browser, context, site):
    page = visit(context, site)
    snapshot_saved(page)
    page.close()
    page = context.new_page()
    # Chrome's trace shows whether the wasm module came out of its code cache: one the first visit
    # made, from the module the service worker answered out of Cache Storage.
    browser.start_tracing(page=page, categories=["v8.wasm"])
    try:
        page.goto(site.url)
        booted(page)
    finally:
        events = json.loads(browser.stop_tracing())["traceEvents"]
    assert "wasm.Deserialize" in {event["name"] for event in events}
    works(page, "v1", "compiled")


def test_reload_offline_boots_from_the_cache(context, site):
    page = visit(context, site)
    context.set_offline(True)
    try:
        page.reload()
        booted(page)
        works(page, "v1", "offline")
        page.goto(site.url + "some/deep/link")
        booted(page)
        works(page, "v1", "deep")
    finally:
        context.set_offline(False)


def test_new_deployment_runs_on_the_next_visit(context, site):
    old = visit(context, site)
    site.deploy("v2")
    new = context.new_page()
    new.goto(site.url)
    booted(new, "v2")
    works(new, "v2", "fresh")
    # The page that was open keeps running its own build, whole.
    works(old, "v1", "still")
    # The previous build's cache is gone; one build's files remain.
    app_caches = new.evaluate("caches.keys().then(keys => keys.filter(k => k.startsWith('webdash-app ')))")
    manifest = new.evaluate("fetch('_webdash/manifest.json').then(r => r.json())")
    assert app_caches == [f"webdash-app {site.url} {manifest['buildId']}"]
    cached = shared_cache_urls(new)
    app_zip = manifest["files"]["_webdash/app.zip"]["sha256"]
    assert [u for u in cached if "/_webdash/app.zip" in u] == [f"{site.url}_webdash/app.zip?sha256={app_zip}"]


def test_a_file_the_host_cuts_short_is_not_kept(browser, tmp_path):
    """A deployment caught while it uploads: the host serves the packages archive cut short. The
    loading page names the file and says what to do, and the short file is not kept under the
    whole file's hash: once the upload has finished, a reload boots the app."""
    with _serve.serving(tmp_path) as base_url:
        site = Deployment(tmp_path, base_url)
        site.deploy("v1")
        (pack,) = (site.www / "_webdash").glob("packages-*.pack")
        whole = pack.read_bytes()
        pack.write_bytes(whole[: len(whole) // 2])
        context = browser.new_context()  # its console shows the failed boot
        page = context.new_page()
        page.goto(site.url)
        error = page.locator("#webdash-error")
        expect(error).to_contain_text(f"{pack.name} could not be read", timeout=BOOT_TIMEOUT_MS)
        expect(error).to_contain_text("Is the site fully deployed?")

        def copies() -> list[str]:
            return [url for url in shared_cache_urls(page) if pack.name in url]

        deadline = time.monotonic() + 10
        while copies() and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert not copies()
        pack.write_bytes(whole)
        page.reload()
        booted(page)
        works(page, "v1", "uploaded")
        assert copies()
        context.close()


def test_shift_reload_ends_in_a_working_app(context, site):
    page = visit(context, site)
    # Shift+Reload: reload bypassing the cache and the service worker.
    context.new_cdp_session(page).send("Page.reload", {"ignoreCache": True})
    booted(page)
    works(page, "v1", "shifted")
    assert page.evaluate("navigator.serviceWorker.controller !== null")


def shared_cache_urls(page: Page) -> list[str]:
    """The keys of the files the service worker keeps for every build (URL plus ``?sha256=``)."""
    return page.evaluate("caches.open('webdash-shared').then(c => c.keys()).then(ks => ks.map(r => r.url))")


def kept_copy(page: Page, url: str) -> dict | None:
    """The build cache's answer for ``url``: the URL it carries ('' if the service worker made it), sha256."""
    return page.evaluate(
        """async (url) => {
            const name = (await caches.keys()).find(k => k.startsWith('webdash-app '));
            const response = await (await caches.open(name)).match(url);
            if (!response) return null;
            const bytes = await response.arrayBuffer();
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
            const hex = Array.from(digest, b => b.toString(16).padStart(2, '0')).join('');
            return {url: response.url, sha256: hex};
        }""",
        url,
    )


def kept_with_its_url(page: Page, url: str) -> dict | None:
    """``kept_copy`` once the page has put ``url`` back with its URL (it does so after the service
    worker has stored Python's answer), or as it is after 10 s."""
    deadline = time.monotonic() + 10
    while True:
        kept = kept_copy(page, url)
        if (kept is not None and kept["url"] == url) or time.monotonic() > deadline:
            return kept
        page.wait_for_timeout(100)


def graph_drawn(page: Page, bars: int) -> None:
    expect(page.locator("#graph .bars .point")).to_have_count(bars)


def packed_script(www: Path, url: str) -> str:
    """The sha256 of the script the site's packages hold for a component-suite ``url``."""
    path, _ = check_fingerprint(url.partition("/_dash-component-suites/")[2])
    (pack,) = (www / "_webdash").glob("packages-*.pack")
    return hashlib.sha256(read_pack(pack, lambda name: name == path)[path]).hexdigest()


def test_package_scripts_run_from_compiled_code_from_the_first_repeat_visit(browser, context, tmp_path):
    with _serve.serving(tmp_path) as base_url:
        site = Deployment(tmp_path, base_url)
        site.deploy("v1", GRAPH_APP)
        page = visit(context, site)
        graph_drawn(page, 5)
        # Python served each script once: the page's (Dash's fingerprinted names, like
        # `polyfill@7.v4_4_1m….12.1.min.js`) and those Dash loads on demand (plotly.js). The page put
        # each back into the build's cache with its URL, the bytes Python served.
        scripts = page.evaluate(
            "[...document.querySelectorAll('script[src*=\"/_dash-component-suites/\"]')].map(s => s.src)"
        )
        assert any("polyfill@" in url for url in scripts) and site.url + PLOTLY_JS in scripts, scripts
        for url in scripts:
            assert kept_with_its_url(page, url) == {"url": url, "sha256": packed_script(site.www, url)}
        snapshot_saved(page)
        # Chrome compiles a script kept so into its code cache when it first runs from there: the
        # page runs them once more in a hidden frame, once left alone. Every later visit, the first
        # one included, starts from their compiled code.
        # (The scripts Dash loads on demand that remove their tags once run count too.)
        assert page.evaluate("window.webdashCompiledAhead") >= len(scripts)
        assert page.locator("iframe").count() == 0, "the frame is gone"
        browser.start_tracing(page=page, categories=["v8"])
        try:
            page.reload()
            booted(page)
            graph_drawn(page, 5)
        finally:
            events = json.loads(browser.stop_tracing())["traceEvents"]
        consumed = {}
        for event in events:
            data = event.get("args", {}).get("data", {})
            if event.get("name") == "v8.compile" and data.get("url") in scripts:
                consumed[data["url"]] = data.get("consumedCacheSize", 0)
        assert set(consumed) == set(scripts) and all(consumed.values()), consumed
        # And offline too.
        context.set_offline(True)
        try:
            page.reload()
            booted(page)
            graph_drawn(page, 5)
            works(page, "v1", "abc")
            graph_drawn(page, 3)
        finally:
            context.set_offline(False)


# -- a snapshot shipped by `webdash build --snapshot` ---------------------------------------------
#: An app that shows the local time zone Python knows: a snapshot made on the build machine must not
#: bring the build machine's.
ZONE_APP = """
import time

from dash import Dash, Input, Output, dcc, html

app = Dash(__name__)
app.layout = html.Div([dcc.Input(id="word", value="start"), html.P(id="out"), html.P(id="zone")])


@app.callback(Output("out", "children"), Output("zone", "children"), Input("word", "value"))
def shout(word):
    return "v1: " + (word or "").upper(), str(time.timezone)
"""


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    """ZONE_APP built with `webdash build --snapshot /www/` (a process of its own: the build drives
    a Chromium of its own through Playwright's sync API, which cannot run inside the tests')."""
    source = tmp_path_factory.mktemp("zone") / "app"
    source.mkdir()
    (source / "app.py").write_text(ZONE_APP)
    out = tmp_path_factory.mktemp("shipped") / "www"
    command = [sys.executable, "-m", "webdash", "build", str(source), "-o", str(out), "--snapshot", "/www/"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "memory snapshot shipped" in done.stdout, done.stdout
    return out


def served_copy(shipped: Path, tmp_path: Path, at: str = "www") -> Path:
    """A copy of the shipped build, to be served at /<at>/ from tmp_path."""
    shutil.copytree(shipped, tmp_path / at)
    return tmp_path / at


def test_a_first_visit_resumes_from_the_snapshot_the_build_shipped(browser, shipped, tmp_path):
    served_copy(shipped, tmp_path)
    # Made in the build machine's time zone (UTC here); visited from Tokyo.
    context = browser.new_context(timezone_id="Asia/Tokyo")
    try:
        with _serve.serving(tmp_path) as base_url:
            page = context.new_page()
            page.goto(base_url + "www/")
            booted(page)
            assert python_worker(page).evaluate("webdash.resumed") is True
            expect(page.locator("#zone")).to_have_text(str(-9 * 3600))
            works(page, "v1", "shipped")
            # The service worker kept it: offline, the next visit resumes from it too.
            context.set_offline(True)
            page.reload()
            booted(page)
            assert python_worker(page).evaluate("webdash.resumed") is True
            works(page, "v1", "offline")
    finally:
        context.close()


#: Deletes the snapshot a visit saved of its own from the build's cache (not the other entries).
FORGET_OWN_SNAPSHOT = """async () => {
    const cache = await caches.open((await caches.keys()).find(k => k.startsWith('webdash-app ')));
    for (const name of ['memory', 'files', 'index.json']) {
        const url = (await cache.keys()).map(r => r.url).find(u => u.endsWith('/snapshot/' + name));
        await cache.delete(url);
    }
}"""


def test_a_shipped_snapshot_that_does_not_fit_is_tried_once(browser, shipped, tmp_path):
    www = served_copy(shipped, tmp_path)
    # As if made by an engine whose function table differs: the size shows once the module is made.
    index_file = www / "_webdash/prebuilt/index.json"
    index = json.loads(index_file.read_text())
    index["tableSize"] += 1
    index_file.write_text(json.dumps(index))
    manifest_file = www / "_webdash/manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["files"]["_webdash/prebuilt/index.json"] = {
        "size": index_file.stat().st_size, "sha256": hashlib.sha256(index_file.read_bytes()).hexdigest(),
    }  # fmt: skip
    manifest_file.write_text(json.dumps(manifest))
    context = browser.new_context()
    refusals: list[str] = []
    context.on("console", lambda m: "shipped snapshot did not restore" in m.text and refusals.append(m.text))
    try:
        with _serve.serving(tmp_path) as base_url:
            page = context.new_page()
            page.goto(base_url + "www/")
            booted(page)
            assert python_worker(page).evaluate("webdash.resumed") is False
            assert len(refusals) == 1
            works(page, "v1", "afresh")
            snapshot_saved(page)
            # Its own snapshot from now on; and with that one gone, the shipped one is not tried again.
            page.reload()
            booted(page)
            assert python_worker(page).evaluate("webdash.resumed") is True
            page.evaluate(FORGET_OWN_SNAPSHOT)
            page.reload()
            booted(page)
            assert python_worker(page).evaluate("webdash.resumed") is False
            assert len(refusals) == 1
            works(page, "v1", "again")
    finally:
        context.close()


#: Marks the shipped snapshot as not fitting this browser, as a restore that failed does.
REFUSE_SHIPPED_SNAPSHOT = """async () => {
    const cache = await caches.open((await caches.keys()).find(k => k.startsWith('webdash-app ')));
    await cache.put(new URL('_webdash/snapshot/shipped-refused', location.href).href, new Response(''));
}"""


def test_offline_a_fresh_start_that_needs_files_never_downloaded_says_so(browser, shipped, tmp_path):
    served_copy(shipped, tmp_path)
    context = browser.new_context()
    try:
        with _serve.serving(tmp_path) as base_url:
            page = context.new_page()
            page.goto(base_url + "www/")
            booted(page)
            assert python_worker(page).evaluate("webdash.resumed") is True
            snapshot_saved(page)
            # Resumed from the shipped snapshot, this visit never downloaded Python's packages.
            context.set_offline(True)
            # As if both snapshots had stopped fitting this browser (after an update, say).
            page.evaluate(FORGET_OWN_SNAPSHOT)
            page.evaluate(REFUSE_SHIPPED_SNAPSHOT)
            page.reload()
            error = page.locator(".failed #webdash-error")
            expect(error).to_contain_text("this start needs the network. Reconnect, then reload.")
            expect(error).to_contain_text("/www/_webdash/packages-")
            # Back online, a reload starts afresh and keeps what it downloads.
            context.set_offline(False)
            page.reload()
            booted(page)
            assert python_worker(page).evaluate("webdash.resumed") is False
            works(page, "v1", "online")
    finally:
        context.close()


def test_a_snapshot_shipped_for_another_url_path_is_not_downloaded(browser, shipped, tmp_path):
    served_copy(shipped, tmp_path, at="elsewhere")
    context = browser.new_context()
    fetched: list[str] = []
    context.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    try:
        with _serve.serving(tmp_path) as base_url:
            page = context.new_page()
            page.goto(base_url + "elsewhere/")
            booted(page)
            assert python_worker(page).evaluate("webdash.resumed") is False
            works(page, "v1", "here")
            assert "/elsewhere/_webdash/prebuilt/index.json" in fetched
            assert not [path for path in fetched if re.search(r"/prebuilt/(memory|files)", path)], fetched
    finally:
        context.close()
