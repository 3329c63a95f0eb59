"""``webdash build --snapshot``: ship a memory snapshot of each app's booted Python with the site.

Without it, a first visit imports Flask, Dash and the app before the first page shows, and saves
a snapshot that later visits resume from (``bootstrap/snapshot.js``). With it, the build makes that
snapshot itself: it serves the built site at the URL path it will be deployed at, boots each app
once in headless Chromium, and writes what that visit saved into the app's ``_webdash/prebuilt/``::

    index.json     the snapshot's index, with the build id, URL path and browser features it fits
    memory.gz      Python's memory
    files.gz       the files Python was started from, end to end

A first visit then resumes from it, if it fits: the same build, served at the same URL path, in a
browser whose WebAssembly engine lays out Python's function table the same way (a restore checks
that; one that does not fit boots afresh and keeps its own snapshot, as without ``--snapshot``).
The visit inflates it as it downloads and then keeps it as its own snapshot, which later visits
resume from as usual. The files are listed in the app's manifest, so the service worker keeps them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import deflate

from . import _archive, _serve

#: Where the snapshot goes, relative to an app's root (bootstrap/python.js reads it from there).
PREBUILT = "_webdash/prebuilt/"
#: How long one app may take to boot and save its snapshot in the build's Chromium.
BOOT_TIMEOUT_S = 180
#: Reads one entry of the page's Cache Storage as base64 (Playwright carries strings, not bytes).
_READ_ENTRY = """async (url) => {
    for (const name of await caches.keys()) {
        const response = await (await caches.open(name)).match(url);
        if (!response) continue;
        const bytes = new Uint8Array(await response.arrayBuffer());
        const parts = [];
        for (let i = 0; i < bytes.length; i += 0x8000) {
            parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
        }
        return btoa(parts.join(""));
    }
    return null;
}"""


class SnapshotError(Exception):
    """No snapshot could be made; the message says why and what to do."""


def url_path(value: str) -> str:
    """``value`` as a URL path from the host's root, starting and ending with "/"."""
    path = "/" + value.strip("/")
    return path if path == "/" else path + "/"


def make(out: Path, apps: list[tuple[str, str]], at: str, log: Callable[[str], None]) -> list[str]:
    """Make and ship a snapshot for each ``(name, path)`` of ``apps`` (``path`` below ``out``), for
    the site ``out`` served at the URL path ``at``. Returns the names of those that got one."""
    if not apps:
        return []
    try:
        from playwright.sync_api import sync_playwright

        from .testing import launch_chromium
    except ImportError as exc:
        raise SnapshotError(
            f"--snapshot boots the app in Chromium, through Playwright ({exc.name} is not installed): "
            "pip install 'webdash[testing]', and install Chromium (Debian: apt-get install chromium)."
        ) from exc
    made = []
    with _served_at(out, at) as base, sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except Exception as exc:  # pytest.UsageError when there is no Chromium, or a failed launch
            raise SnapshotError(f"--snapshot cannot start Chromium: {exc}") from exc
        try:
            for name, path in apps:
                log(f"Making the memory snapshot of {name} in Chromium")
                if _snapshot_one(browser, base + at.lstrip("/") + path, out / path, at + path, log):
                    made.append(name)
        finally:
            browser.close()
    return made


@contextlib.contextmanager
def _served_at(out: Path, at: str) -> Iterator[str]:
    """Serve ``out`` at the URL path ``at`` on loopback; yields the server's base URL."""
    with tempfile.TemporaryDirectory() as tmp:
        mount = Path(tmp, *at.strip("/").split("/")) if at != "/" else None
        if mount is not None:
            mount.parent.mkdir(parents=True, exist_ok=True)
            mount.symlink_to(out, target_is_directory=True)
        with _serve.serving(Path(tmp) if mount is not None else out) as base:
            yield base


def _snapshot_one(browser: Any, root: str, app_root: Path, path: str, log: Callable[[str], None]) -> bool:
    context = browser.new_context()
    console: list[str] = []
    try:
        page = context.new_page()
        context.on("console", lambda message: console.append(message.text))
        page.goto(root)
        worker = _python_worker(page, root)
        jspi = worker.evaluate("typeof WebAssembly.Suspending === 'function'")
        worker.evaluate("webdash.saved")
        entries = {}
        for entry in ("index.json", "memory", "files"):
            encoded = page.evaluate(_READ_ENTRY, root + "_webdash/snapshot/" + entry)
            if encoded is None:
                said = [line for line in console if "snapshot" in line] or ["no reason given"]
                log(f"  no snapshot: {said[-1]}")
                return False
            entries[entry] = base64.b64decode(encoded)
    finally:
        context.close()
    manifest_path = app_root / "_webdash" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    index = json.loads(entries["index.json"])
    index.update(buildId=manifest["buildId"], path=path, jspi=jspi)
    target = app_root / PREBUILT
    target.mkdir(parents=True, exist_ok=True)
    (target / "index.json").write_text(json.dumps(index, separators=(",", ":")))
    manifest["files"][PREBUILT + "index.json"] = _described(target / "index.json")
    for entry in ("memory", "files"):
        (target / f"{entry}.gz").write_bytes(deflate.gzip_compress(entries[entry], _archive.GZIP_LEVEL))
        manifest["files"][PREBUILT + f"{entry}.gz"] = _described(target / f"{entry}.gz")
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    sizes = [(target / f"{entry}.gz").stat().st_size / 1e6 for entry in ("memory", "files")]
    log(f"  memory {sizes[0]:.1f} MB and files {sizes[1]:.1f} MB gzipped")
    return True


def _python_worker(page: Any, root: str) -> Any:
    """The page's Python worker once it has booted; a boot that fails or hangs is an error."""
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    while time.monotonic() < deadline:
        for worker in page.workers:
            with contextlib.suppress(Exception):  # a worker that is still starting, or gone
                if worker.evaluate("'webdash' in self"):
                    return worker
        if page.locator(".failed #webdash-error").count():
            break
        page.wait_for_timeout(100)
    raise SnapshotError(f"{root} did not boot in Chromium within {BOOT_TIMEOUT_S} s: {_reason(page)}")


def _reason(page: Any) -> str:
    """What the loading page says (an error, if the boot failed)."""
    text = " ".join(page.locator("#webdash-error").inner_text().split())
    return text[:500] or "the loading page shows no error"


def _described(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
