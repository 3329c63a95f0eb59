"""The Chromium that webdash's test tools and benchmark start (webdash.testing.launch_chromium)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Playwright

from webdash.testing import CHROMIUM_FLAGS, DISABLED_FEATURES, find_chromium, launch_chromium

pytestmark = pytest.mark.browser

#: Chromium tells its command line to automation clients started with this switch.
TELL = "--enable-automation"


def disabled_features(arguments: list[str]) -> list[list[str]]:
    """The features each ``--disable-features`` switch of a command line names."""
    return [a.split("=", 1)[1].split(",") for a in arguments if a.startswith("--disable-features=")]


def test_chromium_turns_off_playwrights_features_and_webdashs_in_one_switch(webdash_playwright: Playwright):
    plain = webdash_playwright.chromium.launch(executable_path=find_chromium(), args=[*CHROMIUM_FLAGS, TELL])
    playwrights = plain.new_browser_cdp_session().send("Browser.getBrowserCommandLine")["arguments"]
    plain.close()
    browser = launch_chromium(webdash_playwright, args=(TELL,))
    ours = browser.new_browser_cdp_session().send("Browser.getBrowserCommandLine")["arguments"]
    browser.close()
    (playwright_features,) = disabled_features(playwrights)
    # Chromium honours only the last --disable-features: there must be one, naming both lists.
    (features,) = disabled_features(ours)
    assert set(playwright_features) | set(DISABLED_FEATURES) == set(features)
