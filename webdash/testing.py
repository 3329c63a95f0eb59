"""Run one browser test against both targets: the app under real Flask, and its built site in Chromium.

A pytest plugin, registered when webdash is installed (``pip install webdash[testing]``)::

    def test_greeting(webdash_duo):
        webdash_duo.start("apps/hello")
        webdash_duo.type("#name", "Ada")
        webdash_duo.wait_for_text("#greeting", "Hello, Ada!")

The test runs twice, as ``test_greeting[flask]`` (the app under ``webdash run``,
real Flask on 127.0.0.1) and ``test_greeting[browser]`` (``webdash build`` of the
app, served from a static server under a sub-path, booted in Chromium). A
difference between the two is a bug in webdash. Every test gets a fresh Flask
process or a fresh Python in the browser, and a fresh browser profile, so no
state leaks from one test to the next; a console error fails the test.

Options: ``--webdash-target flask|browser|both``, ``--webdash-chromium PATH``
(else ``$WEBDASH_CHROMIUM``, else ``chromium`` on the PATH) and
``--webdash-pyodide-packages URL|DIR`` (as for ``webdash build``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, Playwright, Worker

TARGETS = ("flask", "browser")
#: Launch flags for headless Chromium in containers and CI machines.
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
)  # fmt: skip
#: Chrome features turned off in every browser these tools start: the omnibox popup of Chrome's own
#: UI, which headless Chrome otherwise loads in a renderer of its own for every new page's window,
#: taking a core for ~0.5 s while the page loads (Puppeteer turns both off as well).
DISABLED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
#: A cold boot in the browser on a slow, busy machine (ms).
BOOT_TIMEOUT_MS = 120_000
#: Waiting for a callback's result (ms).
WAIT_TIMEOUT_MS = 15_000
#: The built sites are served under this sub-path, as on a shared host.
SUB_PATH = "webdash-tests"


def find_chromium(explicit: str | None = None) -> str:
    """The Chromium to drive: ``explicit``, ``$WEBDASH_CHROMIUM``, or one on the PATH."""
    candidates = [explicit, os.environ.get("WEBDASH_CHROMIUM")]
    candidates += [shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome", "chrome")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    raise pytest.UsageError(
        "webdash.testing needs Chromium: install it (Debian: apt-get install chromium) and pass "
        "--webdash-chromium PATH or set WEBDASH_CHROMIUM."
    )


def launch_chromium(
    playwright: Playwright, executable: str | None = None, args: tuple[str, ...] = ()
) -> Browser:
    """Headless Chromium with flags that work in containers; ``args`` adds more.

    The Chrome features in ``DISABLED_FEATURES`` are turned off as well as those Playwright turns
    off. Chromium honours only the last ``--disable-features`` switch, so both lists go into one,
    which replaces Playwright's.
    """
    path = find_chromium(executable)
    playwrights = _playwright_disabled_features(playwright, path)
    features = [*(playwrights.partition("=")[2].split(",") if playwrights else ()), *DISABLED_FEATURES]
    flags = [*CHROMIUM_FLAGS, "--disable-features=" + ",".join(features), *args]
    ignored = [playwrights] if playwrights else None
    return playwright.chromium.launch(executable_path=path, args=flags, ignore_default_args=ignored)


#: Playwright's own ``--disable-features`` switch, by Chromium (see _playwright_disabled_features).
_PLAYWRIGHT_DISABLED: dict[str, str | None] = {}


def _playwright_disabled_features(playwright: Playwright, executable: str) -> str | None:
    """The ``--disable-features`` switch Playwright passes to ``executable``, if any.

    Read back from a browser Playwright starts (Chromium tells its command line to automation
    clients), once per process and executable.
    """
    if executable not in _PLAYWRIGHT_DISABLED:
        flags = [*CHROMIUM_FLAGS, "--enable-automation"]
        browser = playwright.chromium.launch(executable_path=executable, args=flags)
        try:
            arguments = browser.new_browser_cdp_session().send("Browser.getBrowserCommandLine")["arguments"]
        finally:
            browser.close()
        switch = next((a for a in arguments if a.startswith("--disable-features=")), None)
        _PLAYWRIGHT_DISABLED[executable] = switch
    return _PLAYWRIGHT_DISABLED[executable]


def python_worker(page: Page) -> Worker:
    """The built site's Python worker on ``page`` (it sets ``self.webdash``: ``memory()``,
    ``saved``, ``resumed``)."""
    return next(w for w in page.workers if w.evaluate("'webdash' in self"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FlaskApp:
    """``webdash run APP`` in a child process: real Flask on 127.0.0.1."""

    def __init__(self, app_dir: Path, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self._log = log_dir / f"{app_dir.name}-{self.port}.log"
        with self._log.open("w") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "webdash", "run", str(app_dir), "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError(f"`webdash run {app_dir}` did not start:\n{self.log()}") from None
                time.sleep(0.05)

    def log(self) -> str:
        return self._log.read_text(errors="replace")

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()


class Sites:
    """Built sites for the browser target: each app built once per session, served on loopback."""

    def __init__(self, folder: Path, pyodide_packages: str | None = None) -> None:
        from ._serve import serving

        self.folder = folder
        self.pyodide_packages = pyodide_packages
        self._roots: dict[Path, str] = {}
        self._server = contextlib.ExitStack()
        self.base_url = self._server.enter_context(serving(folder))

    def root(self, app_dir: Path) -> str:
        """The URL of the site built from ``app_dir`` (building it the first time)."""
        from ._build import BuildError, build

        app_dir = app_dir.resolve()
        if app_dir not in self._roots:
            name = f"{len(self._roots)}-{app_dir.name}"
            try:
                build(app_dir, self.folder / SUB_PATH / name, pyodide_packages=self.pyodide_packages)
            except BuildError as exc:
                raise RuntimeError(f"webdash build {app_dir} failed:\n{exc}") from exc
            self._roots[app_dir] = f"{self.base_url}{SUB_PATH}/{name}/"
        return self._roots[app_dir]

    def close(self) -> None:
        self._server.close()


class DashDuo:
    """One test's view of one target, with helpers in the spirit of Dash's ``dash_duo``."""

    def __init__(self, target: str, context: BrowserContext, sites: Sites, log_dir: Path) -> None:
        self.target = target
        self.context = context
        self.page: Page = context.new_page()
        self.url = ""  # the app's root URL, once started
        self.console_errors: list[str] = []
        self._allowed: list[re.Pattern[str]] = []
        self._sites = sites
        self._log_dir = log_dir
        self._flask: FlaskApp | None = None
        context.on("page", self._watch)
        context.on("weberror", lambda error: self._error(f"uncaught: {error.error}"))
        self._watch(self.page)

    # -- starting --------------------------------------------------------------------------------
    def start(self, app_dir: str | os.PathLike[str], path: str = "") -> None:
        """Start the app on this test's target and open ``path`` (relative to the app's root)."""
        app = Path(app_dir)
        if self.target == "flask":
            self._flask = FlaskApp(app, self._log_dir)
            self.url = self._flask.url
        else:
            self.url = self._sites.root(app)
        self.navigate(path)

    def navigate(self, path: str = "") -> None:
        """Open ``path`` of the app and wait until Dash has rendered its layout."""
        self.page.goto(self.url + path.lstrip("/"))
        self.wait_for_dash()

    def wait_for_dash(self, timeout: float = BOOT_TIMEOUT_MS) -> None:
        """Wait until Dash has rendered the layout (in the browser target, after Python has booted)."""
        ready = (
            "() => { const root = document.getElementById('react-entry-point');"
            " return !!root && root.children.length > 0 && !root.querySelector('._dash-loading')"
            " || !!document.querySelector('.failed #webdash-error'); }"
        )
        self.page.wait_for_function(ready, timeout=timeout)
        failure = self.page.locator(".failed #webdash-error")
        if failure.count():
            raise AssertionError(f"The app did not start in the browser: {failure.text_content()}")

    # -- reading and acting ------------------------------------------------------------------------
    def find(self, selector: str) -> Locator:
        return self.page.locator(selector)

    def text(self, selector: str) -> str:
        return self.find(selector).inner_text()

    def click(self, selector: str) -> None:
        self.find(selector).click()

    def type(self, selector: str, text: str, *, enter: bool = False) -> None:
        """Replace the value of an input with ``text`` (then press Enter if asked)."""
        self.find(selector).fill(text)
        if enter:
            self.find(selector).press("Enter")

    def wait_for_text(
        self, selector: str, text: str | re.Pattern[str], timeout: float = WAIT_TIMEOUT_MS
    ) -> None:
        """Wait until the element's whole text is ``text`` (a string or a compiled regex)."""
        from playwright.sync_api import expect

        expect(self.find(selector)).to_have_text(text, timeout=timeout)

    def wait_for_contains_text(self, selector: str, text: str, timeout: float = WAIT_TIMEOUT_MS) -> None:
        from playwright.sync_api import expect

        expect(self.find(selector)).to_contain_text(text, timeout=timeout)

    def wait_for_element(self, selector: str, timeout: float = WAIT_TIMEOUT_MS) -> Locator:
        locator = self.find(selector)
        locator.first.wait_for(state="attached", timeout=timeout)
        return locator

    def allow_console_errors(self, pattern: str) -> None:
        """Console errors matching ``pattern`` (a regex) do not fail this test."""
        self._allowed.append(re.compile(pattern))

    # -- bookkeeping -------------------------------------------------------------------------------
    def _watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._error(f"pageerror: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self._error(f"{message.text} @ {message.location}")

    def _error(self, message: str) -> None:
        if not any(p.search(message) for p in self._allowed):
            self.console_errors.append(message)

    def close(self) -> None:
        self.context.close()
        if self._flask:
            self._flask.close()


# -- the pytest plugin ---------------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("webdash", "webdash: run browser tests against Flask and the built site")
    group.addoption("--webdash-target", choices=("both", *TARGETS), default="both",
                    help="Which targets webdash_duo tests run against (default: both).")  # fmt: skip
    group.addoption("--webdash-chromium", default=None, metavar="PATH",
                    help="Chromium to drive (default: $WEBDASH_CHROMIUM, else chromium).")  # fmt: skip
    group.addoption("--webdash-pyodide-packages", default=None, metavar="URL|DIR",
                    help="Where the built sites load Pyodide's distribution packages from.")  # fmt: skip


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "webdash_duo" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("webdash_target")
        targets = TARGETS if chosen == "both" else (chosen,)
        metafunc.parametrize("webdash_target", targets)


@pytest.fixture(scope="session")
def webdash_playwright() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise pytest.UsageError("webdash.testing needs Playwright: pip install 'webdash[testing]'.") from exc
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def webdash_browser(webdash_playwright: Playwright, pytestconfig: pytest.Config) -> Iterator[Browser]:
    """One headless Chromium for the session."""
    browser = launch_chromium(webdash_playwright, pytestconfig.getoption("webdash_chromium"))
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def webdash_sites(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[Sites]:
    """The sites built for the browser target, served from one static server."""
    folder = tmp_path_factory.mktemp("webdash-sites")
    sites = Sites(folder, pytestconfig.getoption("webdash_pyodide_packages"))
    yield sites
    sites.close()


@pytest.fixture
def webdash_duo(
    webdash_target: str, webdash_browser: Browser, webdash_sites: Sites, tmp_path: Path
) -> Iterator[DashDuo]:
    """The app under test on one target; call ``.start(app_dir)`` first."""
    duo = DashDuo(webdash_target, webdash_browser.new_context(), webdash_sites, tmp_path)
    try:
        yield duo
    finally:
        duo.close()
    assert not duo.console_errors, f"console errors ({webdash_target}):\n" + "\n".join(duo.console_errors)
