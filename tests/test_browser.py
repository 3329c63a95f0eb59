"""The built site in Debian's Chromium, driven by Playwright, served under a sub-path.

Every test fails on any console error or uncaught page error.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
#: Flags that work on these machines (see DESIGN.md); the resolver rule gives an insecure origin.
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--host-resolver-rules=MAP insecure.test 127.0.0.1",
]  # fmt: skip
BOOT_TIMEOUT = 90_000  # ms; a cold boot on a loaded 2-core machine


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
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
    expect(page.locator("#greeting")).to_have_text(greeting, timeout=BOOT_TIMEOUT)


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


def test_every_request_goes_through_flask(page, served):
    page.goto(served.root("hello"))
    booted(page)
    api = page.evaluate("fetch('api/greeting/Zo%C3%AB').then(r => r.json())")
    assert api == {"greeting": "Hello, Zoë!"}
    # Script tags and the favicon reached Flask (the static host has no such paths).
    scripts = page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
    assert any("/team/hello/_dash-component-suites/" in s for s in scripts)
    favicon = page.evaluate("fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)")
    assert favicon == 200


def test_deep_link_and_reload(page, served):
    deep = served.root("hello") + "reports/2024?region=north"
    page.goto(deep)
    booted(page)
    assert page.url == deep
    page.reload()
    booted(page)
    assert page.url == deep
    page.fill("#name", "Reloaded")
    expect(page.locator("#greeting")).to_have_text("Hello, Reloaded!")


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
    expect(page.locator("#webdash-stage")).to_have_text("The app could not start", timeout=BOOT_TIMEOUT)
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
