"""Boot and callback timings of apps/hello: the built site in Chromium beside the same app under real Flask.

Run: .venv/bin/python bench/boot.py [--callbacks 200]
Prints one table. Numbers are wall-clock as the Playwright driver sees them, the same way for
both targets, so the ratio is the comparison that counts.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from webdash import _build, _serve
from webdash.testing import launch_chromium

REPO = Path(__file__).parent.parent
APP = REPO / "apps" / "hello"


def first_output(page: Page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.locator("#greeting", has_text="Hello, world!").wait_for(timeout=120_000)
    return time.perf_counter() - started


def callbacks(page: Page, count: int) -> list[float]:
    times = []
    for i in range(count):
        name = f"n{i}"
        started = time.perf_counter()
        page.fill("#name", name)
        page.wait_for_function(f"document.querySelector('#greeting').textContent === 'Hello, {name}!'")
        times.append(time.perf_counter() - started)
    return times


def wait_for_port(port: int, seconds: float = 60) -> None:
    """Return once something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"webdash run did not listen on port {port} within {seconds:.0f} s"
                ) from None
            time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        _build.build(APP, Path(tmp) / "hello")
        server = _serve.make_server(Path(tmp))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        site = f"http://127.0.0.1:{server.server_address[1]}/hello/"
        port = free_port()
        native = subprocess.Popen(
            [sys.executable, "-m", "webdash", "run", str(APP), "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for_port(port)
            results = {}
            with sync_playwright() as p:
                browser = launch_chromium(p)
                for target, url in (("flask", f"http://127.0.0.1:{port}/"), ("browser", site)):
                    context = browser.new_context()
                    page = context.new_page()
                    cold = first_output(page, url)
                    page.close()
                    page = context.new_page()
                    warm = first_output(page, url)
                    rtt = callbacks(page, args.callbacks)
                    results[target] = (cold, warm, rtt)
                    context.close()
                browser.close()
        finally:
            native.terminate()
            server.shutdown()

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] * 1000

    print(f"{'':28}{'flask':>10}{'browser':>10}{'ratio':>8}")
    rows = [
        ("cold boot -> first output (s)", lambda r: r[0], "{:.2f}"),
        ("warm boot -> first output (s)", lambda r: r[1], "{:.2f}"),
        (f"callback p50 (ms, n={args.callbacks})", lambda r: p(r[2], 50), "{:.1f}"),
        (f"callback p95 (ms, n={args.callbacks})", lambda r: p(r[2], 95), "{:.1f}"),
    ]
    for label, pick, fmt in rows:
        native_v, browser_v = pick(results["flask"]), pick(results["browser"])
        print(f"{label:28}{fmt.format(native_v):>10}{fmt.format(browser_v):>10}{browser_v / native_v:>8.2f}")


if __name__ == "__main__":
    main()
