"""Fixtures shared by every tier: test apps, built sites, and a static server for them."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import shutil
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from webdash import _build, _serve
from webdash._appdir import load_app

from .mirror import make_mirror

REPO = Path(__file__).parent.parent
TEST_APPS = Path(__file__).parent / "apps"
DEMO_APPS = REPO / "apps"
#: Sites are served under a sub-path, as on a shared internal host.
SUB_PATH = "team"


def hello_callback(name: str) -> dict[str, object]:
    """The body Dash's renderer POSTs to _dash-update-component when apps/hello's input changes."""
    return {
        "output": "..greeting.children...letters.figure..",
        "outputs": [{"id": "greeting", "property": "children"}, {"id": "letters", "property": "figure"}],
        "inputs": [{"id": "name", "property": "value", "value": name}],
        "changedPropIds": ["name.value"],
        "state": [],
    }


@pytest.fixture
def app_state(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Undo what loading an app changes (cwd, sys.path), as `python app.py` in its folder would set them."""
    monkeypatch.chdir(Path.cwd())
    monkeypatch.setattr(sys, "path", list(sys.path))
    return monkeypatch


@pytest.fixture
def load(app_state: pytest.MonkeyPatch) -> Callable[..., object]:
    """Load an app as the worker does, under the site prefix ``prefix``."""

    def _load(app_dir: Path, prefix: str = "/") -> object:
        app_state.setenv("DASH_REQUESTS_PATHNAME_PREFIX", prefix)
        app = load_app(app_dir)
        # With asgiref installed (dash[async]) Dash answers callbacks with async views, which
        # Flask runs through asgiref; asgiref refuses in a thread that runs an event loop, as
        # this one does once Playwright's sync API has started. The worker replaces this hook
        # too (webdash._worker); here each coroutine runs on its own loop on another thread.
        app.server.async_to_sync = _run_on_another_thread  # type: ignore[attr-defined]
        return app

    return _load


def _run_on_another_thread(func: Callable[..., object]) -> Callable[..., object]:
    @functools.wraps(func)
    def run(*args: object, **kwargs: object) -> object:
        # In this thread's context: Flask's request context lives in context variables.
        context = contextvars.copy_context()
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(context.run, asyncio.run, func(*args, **kwargs)).result()

    return run


@dataclass
class Served:
    """Built sites under one static server."""

    base_url: str  # http://127.0.0.1:PORT/
    folder: Path  # what the server serves
    paths: dict[str, str]  # app name -> its path under the server

    def root(self, name: str) -> str:
        """The root URL of the app ``name``."""
        return self.base_url + self.paths[name]

    def site_dir(self, name: str) -> Path:
        return self.folder / self.paths[name]


#: The gallery the browser tests visit, under /team/.
GALLERY_APPS = (DEMO_APPS / "hello", DEMO_APPS / "sales", TEST_APPS / "broken_import")


@pytest.fixture(scope="session")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny local mirror of Pyodide's package distribution (see tests/mirror.py)."""
    return make_mirror(tmp_path_factory.mktemp("mirror"))


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> Iterator[Served]:
    """A gallery of GALLERY_APPS under /team/, and a single-app site under /solo/ that takes
    packages from the test mirror, on one static server on loopback."""
    folder = tmp_path_factory.mktemp("www")
    source = tmp_path_factory.mktemp("gallery")
    for app_dir in GALLERY_APPS:
        shutil.copytree(app_dir, source / app_dir.name)
    paths = {app.info.name: f"{SUB_PATH}/{app.path}" for app in _build.build(source, folder / SUB_PATH).apps}
    _build.build(TEST_APPS / "distribution_package", folder / "solo", pyodide_packages=str(mirror))
    paths["distribution_package"] = "solo/"
    with _serve.serving(folder) as base_url:
        yield Served(base_url, folder, paths)
