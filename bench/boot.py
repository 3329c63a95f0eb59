"""webdash's benchmark: the built site in headless Chromium beside the same app under real Flask.

Run: .venv/bin/python bench/boot.py [--callbacks 200] [--cold-visits 3] [--warm-visits 5]
                                    [--heap-callbacks 10000] [--apps hello sales]

For each demo app it builds the site, serves it from a local static server, starts the app
with ``webdash run``, and drives both in the same Chromium, in the same run:

- cold boot: a new browser profile (empty caches) -> first callback output visible (all of it:
  the text and the chart drawn); the median of --cold-visits profiles;
- warm boot: a new page in the same profile (caches warm) -> first callback output visible; the
  median of --warm-visits repeat visits (one visit moves by a few hundred ms on a busy machine), and
  the first of them on its own. The first visit waits for what the browser target does for the next
  ones once a page is left alone: its memory snapshot stored, its scripts' compiled code stored;
- the Dash page from Python, in warm visits: when the page's HTML arrived from Python (Flask's answer
  to the navigation; in the browser target, the resumed Python's answer to the boot page's request),
  the part of a warm boot before Dash's scripts run, which moves less from one visit to the next;
- callback round trip: p50 and p95 over --callbacks callbacks driven through the page, as a user would,
  timed by the page's own clock from the user's input event to the DOM change that shows the output
  (the driver's view adds ~20 ms of its own round trips to both targets; its p50 is shown too);
- bytes fetched from the network on the cold load: raw, and gzipped as a gzip-capable server sends them;
- (browser only) the wasm heap, Python's allocated blocks and the page's JS heap (after a full
  collection) after boot and after --heap-callbacks callbacks sent straight to _dash-update-component.

Boots are timed in pages no debugger watches, as in a user's browser (bench/devtools.py explains
why: with Playwright attached, V8 records a detailed stack trace of every error object a page or
worker makes, which on this machine made apps/hello's Flask boots ~0.5 s slower and its first visits
in the browser ~1 s slower). A boot runs from the start of the navigation (the driver's clock) to the
first DOM change after which the output shows (the page's clock; both read the system's wall clock),
the same way for both targets, so the ratio is the comparison that counts. The bytes, the callbacks
and the memory are measured in pages Playwright drives, after a first and a repeat visit of their
own (a debugger watching moved the callbacks' p50 by 0-2 ms). Each measurement is taken on both
targets in turn (cold visit, warm visit, block of callbacks), the order swapped every other time: a
machine whose speed drifts during the run (this one moves by up to 40 %) then moves both columns
alike.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devtools import Profile, Session
from playwright.sync_api import Browser, BrowserContext, Page, Request, sync_playwright

from webdash import _build, _serve
from webdash.testing import FlaskApp, launch_chromium, python_worker

REPO = Path(__file__).parent.parent
BOOT_TIMEOUT_MS = 180_000
#: Callbacks sent before the memory baseline.
WARM_UP = 1_000


@dataclass
class Demo:
    """How to tell an app has booted, and how to fire one callback in it and see its output."""

    ready: str  # a JS expression, true once the first callback's output is visible
    trigger: Callable[[Page, int], None]  # what a user does to fire callback i
    shown: Callable[[int], str]  # a JS expression, true once callback i's output is in the page
    request: Callable[[int], dict[str, object]] | None = None  # a raw _dash-update-component body


def hello_trigger(page: Page, i: int) -> None:
    page.fill("#name", f"n{i}")


def hello_shown(i: int) -> str:
    return f"document.querySelector('#greeting').textContent === 'Hello, n{i}!'"


def hello_request(i: int) -> dict[str, object]:
    return {
        "output": "..greeting.children...letters.figure..",
        "outputs": [{"id": "greeting", "property": "children"}, {"id": "letters", "property": "figure"}],
        "inputs": [{"id": "name", "property": "value", "value": f"n{i}"}],
        "changedPropIds": ["name.value"],
        "state": [],
    }


def sales_region(i: int) -> str:
    # The table starts with every region, North's rows first: the first pick must change it.
    return ("South", "East", "West", "North")[i % 4]


def sales_trigger(page: Page, i: int) -> None:
    page.click("#region")
    page.get_by_role("option", name=sales_region(i), exact=True).click()


def sales_shown(i: int) -> str:
    first_region = "document.querySelector('#table td[data-dash-column=\"region\"]')?.textContent"
    return f"{first_region} === {json.dumps(sales_region(i))}"


#: A graph's bars are drawn: plotly.js has loaded and rendered the figure the callback returned.
BARS_DRAWN = "document.querySelector('#{} .bars path') !== null"

DEMOS = {
    # Each app's first callback returns a text and a figure: it is visible when both are.
    "hello": Demo(
        "document.querySelector('#greeting')?.textContent === 'Hello, world!' && "
        + BARS_DRAWN.format("letters"),
        hello_trigger,
        hello_shown,
        hello_request,
    ),
    "sales": Demo(
        "document.querySelector('#total')?.textContent.includes('192 rows') && "
        + BARS_DRAWN.format("by-month"),
        sales_trigger,
        sales_shown,
    ),
}


@dataclass
class Result:
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    warm_page: list[float] = field(default_factory=list)  # the Dash page from Python, in warm visits
    rtt: list[float] = field(default_factory=list)  # in the page
    rtt_driver: list[float] = field(default_factory=list)  # as the driver sees it
    raw_bytes: int = 0
    gzip_bytes: int = 0
    memory: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # boot, warmed, +N


def first_output(page: Page, url: str, demo: Demo) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(demo.ready, timeout=BOOT_TIMEOUT_MS)
    return time.perf_counter() - started


#: Run in every document of a timed page: the wall-clock time (ms) at which the demo's ``ready``
#: expression first holds, checked at each change of the DOM.
SEES_READY = """(() => {
    const ready = () => { try { return Boolean(%s); } catch { return false; } };
    const check = () => {
        if (window.__benchReady === undefined && ready()) window.__benchReady = Date.now();
    };
    const all = { subtree: true, childList: true, characterData: true, attributes: true };
    new MutationObserver(check).observe(document, all);
})()"""


def timed_visit(profile: Profile, url: str, demo: Demo) -> tuple[float, str, Session]:
    """A visit of ``url`` in a new page of ``profile``: seconds from the navigation's start to the
    first output, and the page (its target id and its session)."""
    target_id, page = profile.open(SEES_READY % demo.ready)
    started = time.time()
    page.send("Page.navigate", {"url": url})
    ready = lambda: page.evaluate("window.__benchReady ?? null")  # noqa: E731
    try:
        ready_at = page.wait(ready, BOOT_TIMEOUT_MS / 1000, f"{url}: no output")
    except TimeoutError as error:
        shows = page.evaluate("document.body?.innerText.slice(0, 2000) ?? ''")
        raise TimeoutError(f"{error}; the page shows:\n{shows}") from None
    return ready_at / 1000 - started, target_id, page


#: When the Dash page's HTML arrived from Python, in seconds after the navigation started: the boot
#: page's own request for it (the browser target), else the navigation's response (Flask).
PAGE_FROM_PYTHON = """() => {
    const asked = performance.getEntriesByType("resource")
        .find((entry) => entry.initiatorType === "fetch" && entry.name === location.href);
    return (asked ?? performance.getEntriesByType("navigation")[0]).responseEnd / 1000;
}"""


#: Installed in a booted page: the time of the user's last input or click (where a callback starts)
#: and of the first DOM change after which the armed callback's output shows. Listeners are added
#: once the Dash page is in place: the browser target writes it over its loading page, which drops
#: the window's listeners.
PROBE = """() => {
    const probe = { event: 0, shown: 0, test: null };
    const started = () => { probe.event = performance.now(); };
    for (const type of ["input", "click"]) addEventListener(type, started, true);
    new MutationObserver(() => {
        if (probe.test && !probe.shown && probe.test()) probe.shown = performance.now();
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    window.__benchProbe = probe;
}"""


def round_trip(page: Page, demo: Demo, i: int) -> tuple[float, float]:
    """Fire callback ``i`` as a user would; its round trip in the page, and as the driver sees it."""
    shown = demo.shown(i)
    if page.evaluate(shown):
        raise ValueError(f"callback {i}'s output shows before it is fired: no round trip to time ({shown})")
    arm = "(shown) => Object.assign(window.__benchProbe, {test: new Function('return ' + shown), shown: 0})"
    page.evaluate(arm, shown)
    started = time.perf_counter()
    demo.trigger(page, i)
    page.wait_for_function(shown)
    driver = time.perf_counter() - started
    event, at = page.evaluate("[window.__benchProbe.event, window.__benchProbe.shown]")
    return (at - event) / 1000, driver


def network_bytes(requests: list[Request]) -> tuple[int, int]:
    """Bytes that came from the network (not from the service worker): raw, and gzipped.

    GET bodies are fetched again afterwards (the browser does not keep them); others count as sent.
    """
    raw = compressed = 0
    for request in requests:
        response = request.response()
        if response is None or response.from_service_worker or not request.url.startswith("http"):
            continue
        if request.method != "GET":
            size = request.sizes()["responseBodySize"]
            raw, compressed = raw + size, compressed + size
            continue
        with urllib.request.urlopen(request.url) as again:
            body = again.read()
        raw += len(body)
        compressed += len(gzip.compress(body, 6))
    return raw, compressed


def memory(page: Page) -> dict[str, float]:
    stats = python_worker(page).evaluate("webdash.memory()")
    # The page's live JS objects: what a full collection leaves (performance.memory would count
    # garbage not yet collected, and rounds its figure).
    devtools = page.context.new_cdp_session(page)
    try:
        devtools.send("HeapProfiler.collectGarbage")
        js_heap = devtools.send("Runtime.getHeapUsage")["usedSize"]
    finally:
        devtools.detach()
    return {
        "wasm heap (MB)": stats["wasmBytes"] / 1e6,
        "Python objects (k)": stats["pythonObjects"] / 1e3,
        "page JS heap (MB)": js_heap / 1e6,
    }


def first_visit(
    browser: Browser, url: str, demo: Demo, target: str, result: Result
) -> tuple[BrowserContext, Page]:
    """A first visit in a new profile driven by Playwright, for its bytes, then a repeat visit (the
    page the callbacks and the memory are measured in)."""
    context = browser.new_context()  # a fresh profile: empty caches
    requests: list[Request] = []
    context.on("requestfinished", lambda r: requests.append(r))
    page = context.new_page()
    first_output(page, url, demo)
    page.wait_for_load_state("networkidle")  # scripts Dash loads after the first output count too
    result.raw_bytes, result.gzip_bytes = network_bytes(requests)
    if target != "flask":  # what left_alone waits for, through Playwright
        python_worker(page).evaluate("webdash.saved")
        page.evaluate("window.webdashCompiledAhead")
    page.close()
    page = context.new_page()
    first_output(page, url, demo)
    return context, page


def left_alone(page: Session) -> None:
    """Wait for what the browser target does once a visit is left alone, for the next visit: its
    memory snapshot stored, its scripts' compiled code stored."""
    page.worker().evaluate("webdash.saved")  # the Python worker
    page.evaluate("window.webdashCompiledAhead")


def heap(page: Page, demo: Demo, args: argparse.Namespace) -> dict[str, tuple[float, float, float]]:
    """Memory after boot, after WARM_UP callbacks, and after --heap-callbacks more."""
    assert demo.request
    bodies = [demo.request(i % 50) for i in range(50)]
    after_boot = memory(page)
    send(page, bodies, WARM_UP)  # the wasm heap grows once, in steps, to its working size
    warmed = memory(page)
    send(page, bodies, args.heap_callbacks)
    after = memory(page)
    return {name: (after_boot[name], warmed[name], after[name]) for name in after}


def send(page: Page, bodies: list[dict[str, object]], count: int) -> None:
    """``count`` callbacks straight to _dash-update-component from the page, one after another."""
    page.evaluate(
        """async ([bodies, n]) => {
            for (let i = 0; i < n; i++) {
                const body = JSON.stringify(bodies[i % bodies.length]);
                const response = await fetch('_dash-update-component',
                    {method: 'POST', headers: {'Content-Type': 'application/json'}, body});
                if (!response.ok) throw new Error('callback ' + i + ': HTTP ' + response.status);
                await response.arrayBuffer();
            }
        }""",
        [bodies, count],
    )


#: Callbacks driven on one target before the other takes its turn.
CALLBACK_BLOCK = 20


def time_boots(
    browser: Browser,
    urls: dict[str, str],
    demo: Demo,
    in_turn: Callable[[int], list[str]],
    args: argparse.Namespace,
    results: dict[str, Result],
) -> None:
    """The cold and warm boots of every target, in turn, in profiles no debugger watches; their
    pages are closed once all are timed."""
    profiles: dict[str, tuple[Profile, str]] = {}  # the warm visits' profile, its open page
    try:
        for target in in_turn(0):
            profile = Profile(browser)
            seconds, page_id, page = timed_visit(profile, urls[target], demo)
            results[target].cold.append(seconds)
            if target != "flask":
                left_alone(page)
            profiles[target] = profile, page_id
        for turn in range(1, args.cold_visits):
            for target in in_turn(turn):
                profile = Profile(browser)
                results[target].cold.append(timed_visit(profile, urls[target], demo)[0])
                profile.close()
        for turn in range(args.warm_visits):
            for target in in_turn(turn):
                profile, page_id = profiles[target]
                profile.close_page(page_id)
                seconds, page_id, page = timed_visit(profile, urls[target], demo)
                results[target].warm.append(seconds)
                results[target].warm_page.append(page.evaluate(f"({PAGE_FROM_PYTHON})()"))
                profiles[target] = profile, page_id
    finally:
        for profile, _ in profiles.values():
            profile.close()


def bench_app(name: str, args: argparse.Namespace, browser: Browser) -> dict[str, Result]:
    """Every measurement taken on both targets in turn (in alternating order), so that a machine
    that speeds up or slows down during the run moves both alike."""
    demo = DEMOS[name]
    app = REPO / "apps" / name
    with tempfile.TemporaryDirectory() as tmp, _serve.serving(Path(tmp)) as base_url:
        _build.build(app, Path(tmp) / name)
        urls = {"browser": f"{base_url}{name}/"}
        if args.snapshot:
            # The CLI in a process of its own: it drives a Chromium of its own through Playwright's
            # sync API, which cannot run inside this one's.
            at = f"/{name}-snapshot/"
            command = [sys.executable, "-m", "webdash", "build", str(app), "-o", tmp + at, "--snapshot", at]
            subprocess.run(command, check=True, capture_output=True)
            urls["snapshot"] = base_url + at.lstrip("/")
        native = FlaskApp(app, Path(tmp))  # `webdash run`, listening once this returns
        urls = {"flask": native.url, **urls}
        results = {target: Result() for target in urls}
        sessions: dict[str, tuple[BrowserContext, Page]] = {}
        targets = list(urls)

        def in_turn(turn: int) -> list[str]:
            """Every target, the order turned by one at each turn."""
            return targets[turn % len(targets) :] + targets[: turn % len(targets)]

        try:
            time_boots(browser, urls, demo, in_turn, args, results)
            for target in in_turn(0):
                sessions[target] = first_visit(browser, urls[target], demo, target, results[target])
            for _, page in sessions.values():
                page.evaluate(PROBE)
            for turn, first in enumerate(range(0, args.callbacks, CALLBACK_BLOCK)):
                for target in in_turn(turn):
                    page = sessions[target][1]
                    for i in range(first, min(first + CALLBACK_BLOCK, args.callbacks)):
                        in_page, driver = round_trip(page, demo, i)
                        results[target].rtt.append(in_page)
                        results[target].rtt_driver.append(driver)
            if demo.request and args.heap_callbacks:
                results["browser"].memory = heap(sessions["browser"][1], demo, args)
        finally:
            for context, _ in sessions.values():
                context.close()
            native.close()
    return results


PAGE_ROW = "warm boot, Dash page from Python (s)"
#: Rows shown without a ratio: Flask answers the navigation itself, before any script runs.
UNCOMPARED = {PAGE_ROW}


def report(name: str, results: dict[str, Result], args: argparse.Namespace) -> None:
    def pct(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    targets = list(results)
    others = targets[1:]  # each compared with Flask, the first
    rows: list[tuple[str, Callable[[Result], float], str]] = [
        (f"cold boot, median of {args.cold_visits} (s)", lambda r: statistics.median(r.cold), "{:.2f}"),
        ("cold boot, fastest (s)", lambda r: min(r.cold), "{:.2f}"),
        ("cold boot, slowest (s)", lambda r: max(r.cold), "{:.2f}"),
        (f"warm boot, median of {args.warm_visits} (s)", lambda r: statistics.median(r.warm), "{:.2f}"),
        ("warm boot, fastest (s)", lambda r: min(r.warm), "{:.2f}"),
        ("warm boot, slowest (s)", lambda r: max(r.warm), "{:.2f}"),
        ("warm boot, first repeat visit (s)", lambda r: r.warm[0], "{:.2f}"),
        (PAGE_ROW, lambda r: statistics.median(r.warm_page), "{:.2f}"),
        (f"callback p50 (ms, n={args.callbacks})", lambda r: pct(r.rtt, 50), "{:.1f}"),
        (f"callback p95 (ms, n={args.callbacks})", lambda r: pct(r.rtt, 95), "{:.1f}"),
        ("callback p50, driver (ms)", lambda r: pct(r.rtt_driver, 50), "{:.1f}"),
        ("cold load, raw (MB)", lambda r: r.raw_bytes / 1e6, "{:.2f}"),
        ("cold load, gzip (MB)", lambda r: r.gzip_bytes / 1e6, "{:.2f}"),
    ]
    ratios = "".join(f"{'ratio':>8}" for _ in others)
    print(f"\n{name}{'':<34}" + "".join(f"{t:>10}" for t in targets) + ratios)
    for label, measure, fmt in rows:
        values = [measure(results[t]) for t in targets]
        cells = "".join(f"{fmt.format(v):>10}" for v in values)
        if label in UNCOMPARED:
            cells += "".join(f"{'-':>8}" for _ in values[1:])
        else:
            cells += "".join(f"{v / values[0] if values[0] else float('nan'):>8.2f}" for v in values[1:])
        print(f"  {label:<36}{cells}")
    memory = results["browser"].memory
    if memory:
        calls = f"+{args.heap_callbacks}"
        print(f"  {'browser memory':<24}{'start':>8}{f'+{WARM_UP}':>8}{calls:>9}{'growth':>8}")
        for label, (boot, warmed, after) in memory.items():
            growth = f"{(after / warmed - 1) * 100:.1f}%" if warmed else "-"
            print(f"  {label:<24}{boot:>8.1f}{warmed:>8.1f}{after:>9.1f}{growth:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=200)
    parser.add_argument("--cold-visits", type=int, default=3)
    parser.add_argument("--warm-visits", type=int, default=5)
    parser.add_argument("--heap-callbacks", type=int, default=10_000)
    parser.add_argument("--apps", nargs="+", choices=sorted(DEMOS), default=sorted(DEMOS))
    parser.add_argument(
        "--snapshot", action="store_true",
        help="also measure the site built with `webdash build --snapshot` (a third column)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.cold_visits < 1 or args.warm_visits < 1:
        parser.error("--cold-visits and --warm-visits must be at least 1")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for name in args.apps:
            report(name, bench_app(name, args, browser), args)
        browser.close()


if __name__ == "__main__":
    main()
