"""The benchmark's pages that no debugger watches (bench/devtools.py): Playwright leaves them alone,
and the bench can still run scripts in them and in their worker."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from webdash import _serve

pytestmark = pytest.mark.browser

_spec = importlib.util.spec_from_file_location(
    "bench_devtools", Path(__file__).parent.parent / "bench" / "devtools.py"
)
assert _spec and _spec.loader
devtools = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(devtools)

PAGE = """<!doctype html><title>unwatched</title><p id="out"></p><script>
const source = "self.answer = new Promise((done) => setTimeout(() => done(6 * 7), 50));";
new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
setTimeout(() => { document.querySelector("#out").textContent = "shown"; }, 100);
</script>"""

#: Like the bench's SEES_READY: when the page's own output first shows.
SEES_OUT = """(() => {
    new MutationObserver(() => {
        const shown = document.querySelector("#out")?.textContent === "shown";
        if (shown && !window.seenAt) window.seenAt = Date.now();
    }).observe(document, { subtree: true, childList: true, characterData: true });
})()"""


def test_a_bench_page_runs_unwatched_by_playwright_and_the_bench_reads_it_and_its_worker(
    webdash_browser: Browser, tmp_path: Path
):
    (tmp_path / "index.html").write_text(PAGE)
    profile = devtools.Profile(webdash_browser)
    try:
        with _serve.serving(tmp_path) as base_url:
            target_id, page = profile.open(SEES_OUT)
            page.send("Page.navigate", {"url": base_url})
            seen_at = lambda: page.evaluate("window.seenAt ?? null")  # noqa: E731
            seen = page.wait(seen_at, 30, "the init script never saw the page's output")
            assert isinstance(seen, int | float) and seen > 0
            assert page.evaluate("document.title") == "unwatched"
            assert page.worker().evaluate("self.answer") == 42  # a promise, awaited
            # Playwright drives none of it: no context of its own holds the page.
            drives = [p.url for c in webdash_browser.contexts for p in c.pages]
            assert base_url not in drives
            browser_session = webdash_browser.new_browser_cdp_session()
            targets = {t["targetId"]: t for t in browser_session.send("Target.getTargets")["targetInfos"]}
            browser_session.detach()
            assert targets[target_id]["url"] == base_url
            profile.close_page(target_id)
    finally:
        profile.close()
