"""What only the built site does, in Debian's Chromium driven by Playwright, served under /team/:
the loading page, service-worker routing, offline callbacks, tabs, errors, the gallery, packages
from a distribution mirror, and that no request leaves the site's origin.

(What must behave the same as under Flask is in test_parity.py.) Every test fails on any console
error or uncaught page error.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, expect

from webdash.testing import BOOT_TIMEOUT_MS, launch_chromium

pytestmark = pytest.mark.browser

#: An extra name for loopback that is not a secure context.
INSECURE = ("--host-resolver-rules=MAP insecure.test 127.0.0.1",)


@pytest.fixture(scope="module")
def browser(webdash_playwright: Playwright) -> Iterator[Browser]:
    # One Playwright for the whole session (webdash.testing's): the sync API cannot nest.
    browser = launch_chromium(webdash_playwright, args=INSECURE)
    yield browser
    browser.close()


class ConsoleWatch:
    """Collects console errors and uncaught exceptions of every page of a context."""

    def __init__(self, context: BrowserContext) -> None:
        self.errors: list[str] = []
        context.on("page", self.watch)
        context.on("weberror", lambda error: self.errors.append(f"uncaught: {error.error}"))

    def watch(self, page: Page) -> None:
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"{m.text} @ {m.location}"))
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[tuple[BrowserContext, ConsoleWatch]]:
    """One browser profile for the module: the service worker is installed once, as for a user."""
    context = browser.new_context()
    watch = ConsoleWatch(context)
    yield context, watch
    context.close()


@pytest.fixture
def page(context) -> Iterator[Page]:
    ctx, watch = context
    page = ctx.new_page()
    yield page
    page.close()
    errors, watch.errors[:] = list(watch.errors), []
    assert not errors, "console errors:\n" + "\n".join(errors)


def booted(page: Page, greeting: str = "Hello, world!") -> None:
    expect(page.locator("#greeting")).to_have_text(greeting, timeout=BOOT_TIMEOUT_MS)


def test_first_visit_shows_progress_then_the_app(page, served):
    page.goto(served.root("hello"), wait_until="commit")
    expect(page.locator("#webdash-progress")).to_be_attached()
    booted(page)
    expect(page).to_have_title("Hello, webdash")
    page.fill("#name", "Ada Lovelace")
    expect(page.locator("#greeting")).to_have_text("Hello, Ada Lovelace!")
    # The graph rendered the callback's figure: one bar per distinct letter.
    expect(page.locator("#letters .bars .point")).to_have_count(7)  # a, d, l, o, v, e, c
    # assets/ CSS is served through Flask too.
    color = page.locator("#greeting").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(31, 111, 235)"


#: Records each change of the loading page's stage, byte count and bar, as the page sees it.
PROGRESS_WATCH = """
window.__progress = [];
new MutationObserver(() => {
  const bar = document.getElementById("webdash-progress");
  if (!bar) return;
  const now = [document.getElementById("webdash-stage").textContent,
               document.getElementById("webdash-bytes").textContent, bar.value / bar.max];
  const last = window.__progress.at(-1);
  if (!last || now.some((value, i) => value !== last[i])) window.__progress.push(now);
}).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
"""


def test_the_progress_bar_moves_on_through_every_stage_of_a_first_visit(browser, served):
    context = browser.new_context()  # a first visit: nothing cached
    try:
        context.add_init_script(PROGRESS_WATCH)
        page = context.new_page()
        page.goto(served.root("hello"))
        booted(page)
        steps = page.evaluate("window.__progress")
    finally:
        context.close()
    # "Starting Python" shows once every byte is in, when the worker gets to count the last ones
    # before Python has started (on a busy machine it may not).
    labels = [label for label in dict.fromkeys(label for label, _, _ in steps) if label != "Starting Python"]
    assert labels[-4:] == ["Downloading Python", "Installing packages", "Starting the app", "Ready"], steps
    values = [value for _, _, value in steps]
    assert values == sorted(values), f"the bar went back: {steps}"
    # The bytes move the bar on while they download, within the first stages; after them each stage
    # has its own step of the bar (the app's imports take a second or more: not at the end of it).
    assert len({value for label, _, value in steps if label == "Downloading Python"}) > 2, steps
    assert all(value <= 0.75 for label, _, value in steps if label != "Ready"), steps


def test_script_tags_go_through_flask(page, served):
    page.goto(served.root("hello"))
    booted(page)
    # Script tags and the favicon reached Flask (the static host has no such paths: Dash puts its
    # fingerprint in a script tag's URL).
    scripts = page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
    assert any("/team/hello/_dash-component-suites/" in s for s in scripts)
    favicon = page.evaluate("fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)")
    assert favicon == 200


def test_callbacks_work_offline_after_boot(page, served, context):
    ctx, _ = context
    page.goto(served.root("hello"))
    booted(page)
    ctx.set_offline(True)
    try:
        for name in ("offline", "still offline"):
            page.fill("#name", name)
            expect(page.locator("#greeting")).to_have_text(f"Hello, {name}!")
    finally:
        ctx.set_offline(False)


def test_requests_go_straight_to_python_and_survive_a_service_worker_restart(page, served, context):
    ctx, _ = context
    seen: list[str] = []
    ctx.on("request", lambda request: seen.append(request.url))
    page.goto(served.root("hello"))
    booted(page)
    relayed_at_boot, sent_at_boot = page.evaluate("[webdashRelayed, webdashCallbacks]")
    greet = "(name) => fetch('api/greeting/' + name).then(r => r.json()).then(j => j.greeting)"
    for name in ("one", "two", "three"):
        page.fill("#name", name)
        expect(page.locator("#greeting")).to_have_text(f"Hello, {name}!")
        assert page.evaluate(greet, name) == f"Hello, {name}!"
    # Dash's callbacks went from the page to its Python worker: no request the browser saw…
    assert not [url for url in seen if "_dash-update-component" in url]
    assert page.evaluate("webdashCallbacks") == sent_at_boot + 3
    # …and the Flask route's requests went on the service worker's channel to it, not via the page.
    assert any("/api/greeting/three" in url for url in seen)
    assert page.evaluate("webdashRelayed") == relayed_at_boot
    # The browser stops idle service workers; the restarted one has lost its channel.
    cdp = ctx.new_cdp_session(page)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    page.fill("#name", "after a restart")
    expect(page.locator("#greeting")).to_have_text("Hello, after a restart!")
    assert page.evaluate(greet, "again") == "Hello, again!"
    relayed_after_restart = page.evaluate("webdashRelayed")
    assert relayed_after_restart > relayed_at_boot  # it went through the page…
    page.wait_for_timeout(300)
    assert page.evaluate(greet, "direct") == "Hello, direct!"
    assert page.evaluate("webdashRelayed") == relayed_after_restart  # …which sent a new channel


def test_two_tabs_each_work(page, served, context):
    ctx, _ = context
    page.goto(served.root("hello"))
    booted(page)
    second = ctx.new_page()
    try:
        second.goto(served.root("hello"))
        booted(second)
        second.fill("#name", "tab two")
        expect(second.locator("#greeting")).to_have_text("Hello, tab two!")
    finally:
        second.close()
    page.fill("#name", "tab one")
    expect(page.locator("#greeting")).to_have_text("Hello, tab one!")


def test_broken_app_shows_a_readable_error(page, served):
    page.goto(served.root("broken_import"))
    expect(page.locator("#webdash-stage")).to_have_text("The app could not start", timeout=BOOT_TIMEOUT_MS)
    expect(page.locator("#webdash-error")).to_contain_text(
        "app.py raised RuntimeError while being imported: the data file sales.csv is missing"
    )
    expect(page.locator("#webdash-error")).to_be_visible()
    expect(page.locator("#webdash-progress")).to_be_hidden()


def test_insecure_origin_is_explained(page, served):
    port = served.base_url.rsplit(":", 1)[1].rstrip("/")
    page.goto(f"http://insecure.test:{port}/team/hello/")
    expect(page.locator("#webdash-stage")).to_have_text("This address cannot run the app")
    expect(page.locator("#webdash-error")).to_contain_text("https://")
    expect(page.locator("#webdash-error")).to_contain_text("localhost")


def test_gallery_lists_the_apps_and_opens_one(page, served):
    page.goto(served.base_url + "team/")
    expect(page).to_have_title("Dash apps")
    cards = page.locator("#webdash-apps li")
    expect(cards).to_have_count(3)
    expect(cards.nth(2)).to_contain_text("Council income")
    # The thumbnail loaded (assets/thumbnail.svg of apps/sales).
    page.wait_for_function(
        "() => { const img = document.querySelector('#webdash-apps li:nth-child(3) img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    cards.nth(2).locator("a").click()
    expect(page.locator("#total")).to_contain_text("192 rows", timeout=BOOT_TIMEOUT_MS)
    assert page.url == served.root("sales")


def test_packages_from_a_distribution_mirror(page, served):
    page.goto(served.root("distribution_package"))
    expect(page.locator("#summary")).to_have_text("mean 2 of 3", timeout=BOOT_TIMEOUT_MS)
    page.fill("#numbers", "10 20 60")
    expect(page.locator("#summary")).to_have_text("mean 30 of 3")


def test_no_request_leaves_the_sites_origin(browser, served):
    """From the first load through callbacks and an upload, every request stays on the site's origin.

    Requests of the page, of its Python worker and of the service worker are all recorded.
    """
    context = browser.new_context()
    requests: list[Request] = []
    context.on("request", lambda request: requests.append(request))
    page = context.new_page()
    try:
        page.goto(served.root("sales"))
        expect(page.locator("#total")).to_contain_text("192 rows", timeout=BOOT_TIMEOUT_MS)
        page.click("#region")
        page.get_by_role("option", name="West").click()
        expect(page.locator("#total")).to_contain_text("48 rows")
        csv = b"month,region,service,units,revenue\n2025-03,Private,Secret,1,999\n"
        page.locator("#upload input[type=file]").set_input_files(
            files=[{"name": "private.csv", "mimeType": "text/csv", "buffer": csv}]
        )
        expect(page.locator("#upload-status")).to_have_text("Showing private.csv (1 rows).")
        callbacks_sent = page.evaluate("webdashCallbacks")
        page.reload()
        expect(page.locator("#total")).to_contain_text("192 rows", timeout=BOOT_TIMEOUT_MS)
    finally:
        context.close()
    site = urlsplit(served.base_url).netloc
    urls = [r.url for r in requests]
    assert [u for u in urls if urlsplit(u).netloc != site and not u.startswith(("data:", "blob:"))] == []
    # The recording saw the worker's downloads and the callbacks, including the upload's body.
    assert any("/_webdash/packages-" in u for u in urls)
    # The service worker downloaded Pyodide's wasm and standard library as their gzipped copies,
    # never the plain files.
    by_service_worker = [r.url for r in requests if r.service_worker]
    for name in ("pyodide.asm.wasm", "python_stdlib.zip"):
        assert any(u.endswith(f"/pyodide/{name}.gz") for u in by_service_worker)
        assert not [u for u in by_service_worker if u.endswith(f"/pyodide/{name}")]
    # Pyodide's JavaScript it fetched while installing (before Python's worker asked for anything),
    # as the network sends it: Chrome keeps compiled code only for such responses.
    first_glue = urls.index(next(u for u in by_service_worker if u.endswith("/pyodide/pyodide.asm.mjs")))
    assert first_glue < next(i for i, u in enumerate(urls) if u.endswith("/_webdash/lock.json"))
    assert not [u for u in urls if u.endswith(".mjs.gz")]
    # The callbacks, the upload's included, went from the page to its Python worker, and the file's
    # contents to no request at all.
    assert callbacks_sent >= 3
    encoded = base64.b64encode(csv).decode()
    assert not [r for r in requests if encoded in (r.post_data or "")]
