"""Pages the benchmark times with no debugger watching them, as a user's browser runs them.

Playwright enables the DevTools ``Runtime`` domain in every page and worker it drives. V8 then
records a detailed stack trace (up to 200 frames, with line and column numbers) for every error
object made, caught or not. Dash's scripts and plotly.js make dozens while they load (core-js
probing what the engine supports); finding the line numbers makes V8 parse plotly.js's 4.8 MB
function again: in a first visit of apps/hello, plotly.js ran ~0.5 s longer than in a browser
nobody debugs (Chromium 156). DevTools' own setting for it (``Runtime.setMaxCallStackSizeToCapture``)
cannot lower it: V8 takes the largest asked for by any client, and Playwright's asks for 200.

So the timed visits open their pages in browser contexts of their own, made through Playwright's
browser-level CDP session: Playwright leaves targets of a context it did not make alone. The bench
attaches to such a page (non-flat session: messages are relayed through the browser session, so it
needs nothing but that session) and sends only ``Page`` and ``Runtime.evaluate`` commands, which
turn on no stack capture.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from playwright.sync_api import Browser

#: How often a waiting command looks for its reply (s). Each look is one round trip to the browser,
#: which also lets Playwright hand over the events that have arrived.
POLL_S = 0.01

T = TypeVar("T")


def relay(send: Callable[..., Any], session_id: str) -> Callable[[str], None]:
    """Hands a message for session ``session_id`` to its parent session's ``send``."""
    return lambda text: send("Target.sendMessageToTarget", {"sessionId": session_id, "message": text})


class Session:
    """A DevTools session to one target, relayed through its parent's ``Target.sendMessageToTarget``."""

    def __init__(self, relay: Callable[[str], None], pump: Callable[[], None]) -> None:
        self._relay = relay
        self._pump = pump
        self._ids = itertools.count(1)
        self._replies: dict[int, dict[str, Any]] = {}
        self._children: dict[str, Session] = {}
        self.attached: list[dict[str, Any]] = []  # Target.attachedToTarget events (auto-attach)

    def receive(self, message: dict[str, Any]) -> None:
        """A message from the target: a reply, or an event (relayed ones go to the child session)."""
        if "id" in message:
            self._replies[message["id"]] = message
        elif message.get("method") == "Target.receivedMessageFromTarget":
            child = self._children.get(message["params"]["sessionId"])
            if child is not None:
                child.receive(json.loads(message["params"]["message"]))
        elif message.get("method") == "Target.attachedToTarget":
            self.attached.append(message["params"])

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 180.0) -> Any:
        """Send a command and wait for its result."""
        number = next(self._ids)
        self._relay(json.dumps({"id": number, "method": method, "params": params or {}}))
        reply = self.wait(lambda: self._replies.pop(number, None), timeout, f"no reply to {method}")
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error'].get('message')}")
        return reply["result"]

    def evaluate(self, expression: str, timeout: float = 180.0) -> Any:
        """The value of ``expression`` (awaited if it is a promise), in the target's main world."""
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        result = self.send("Runtime.evaluate", params, timeout)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def child(self, session_id: str) -> Session:
        """The session ``session_id`` this target attached to (``Target.attachToTarget``/auto-attach)."""
        child = self._children[session_id] = Session(relay(self.send, session_id), self._pump)
        return child

    def worker(self, timeout: float = 30.0) -> Session:
        """A session to this page's dedicated worker (the one it has)."""
        auto = {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": False}
        self.send("Target.setAutoAttach", auto)

        def worker_session() -> str | None:
            found = (e["sessionId"] for e in self.attached if e["targetInfo"]["type"] == "worker")
            return next(found, None)

        return self.child(self.wait(worker_session, timeout, "no dedicated worker in the page"))

    def wait(self, check: Callable[[], T | None], timeout: float, failure: str) -> T:
        """The first value of ``check()`` that is not None, looked for every POLL_S (messages that
        have arrived are handed over in between); TimeoutError ``failure`` after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while (value := check()) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{failure} within {timeout} s")
            time.sleep(POLL_S)
            self._pump()
        return value


class Profile:
    """A browser context (empty caches, its own service workers) whose pages nobody debugs."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser.new_browser_cdp_session()
        self._sessions: dict[str, Session] = {}
        self._browser.on("Target.receivedMessageFromTarget", self._received)
        made = self._browser.send("Target.createBrowserContext", {"disposeOnDetach": True})
        self._id = made["browserContextId"]

    def _received(self, event: dict[str, Any]) -> None:
        session = self._sessions.get(event["sessionId"])
        if session is not None:
            session.receive(json.loads(event["message"]))

    def _pump(self) -> None:
        self._browser.send("Browser.getVersion")

    def open(self, init_script: str) -> tuple[str, Session]:
        """A new blank page in this profile, with ``init_script`` run in every document it loads."""
        send = self._browser.send
        blank = {"url": "about:blank", "browserContextId": self._id}
        target_id = send("Target.createTarget", blank)["targetId"]
        session_id = send("Target.attachToTarget", {"targetId": target_id, "flatten": False})["sessionId"]
        page = self._sessions[session_id] = Session(relay(send, session_id), self._pump)
        page.send("Page.enable")  # (scripts to evaluate on new documents run only with it)
        page.send("Page.addScriptToEvaluateOnNewDocument", {"source": init_script})
        return target_id, page

    def close_page(self, target_id: str) -> None:
        self._browser.send("Target.closeTarget", {"targetId": target_id})

    def close(self) -> None:
        self._browser.send("Target.disposeBrowserContext", {"browserContextId": self._id})
        self._browser.detach()
