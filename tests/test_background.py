"""webdash.BackgroundCallbackManager on CPython (jobs on threads), below Dash's polling protocol.

The parity tests (tests/test_parity.py, tests/apps/background) run it through Dash on both targets.
"""

from __future__ import annotations

import time

from webdash import BackgroundCallbackManager


def wait_until_finished(manager: BackgroundCallbackManager, job: str) -> None:
    deadline = time.monotonic() + 10
    while manager.job_running(job):
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.01)


def test_result_is_read_once_without_cache_by():
    manager = BackgroundCallbackManager()
    job = manager.call_job_fn("key", manager.make_job_fn(lambda x: x * 2, progress=None), [21], {})
    wait_until_finished(manager, job)
    assert manager.result_ready("key")
    assert manager.get_result("key", job) == 42
    assert manager.get_result("key", job) is manager.UNDEFINED


def test_cache_by_keeps_the_result_until_it_expires():
    manager = BackgroundCallbackManager(cache_by=[lambda: "v1"], expire=0.3)
    job = manager.call_job_fn("key", manager.make_job_fn(lambda x: x * 2, progress=None), [21], {})
    wait_until_finished(manager, job)
    assert manager.get_result("key", job) == 42
    assert manager.get_result("key", None) == 42
    time.sleep(0.5)
    assert manager.get_result("key", None) is manager.UNDEFINED


def test_progress_set_props_and_errors():
    manager = BackgroundCallbackManager()

    def job_fn(set_progress, n):
        from dash import set_props

        set_progress((1, "one"))
        set_props("note", {"children": "a"})
        set_props("note", {"title": "b"})
        raise ValueError(f"bad {n}")

    job = manager.call_job_fn("key", manager.make_job_fn(job_fn, progress=True), [7], {})
    wait_until_finished(manager, job)
    assert manager.get_progress("key") == [1, "one"]
    assert manager.get_progress("key") is None  # each report is read once
    assert manager.get_updated_props("key") == {"note": {"children": "a", "title": "b"}}
    error = manager.get_result("key", job)["background_callback_error"]
    assert error["msg"] == "bad 7" and "ValueError: bad 7" in error["tb"]


def test_cancelled_job_stops_at_its_next_progress_and_leaves_no_result():
    manager = BackgroundCallbackManager()
    steps = []

    def job_fn(set_progress):
        for step in range(100):
            steps.append(step)
            set_progress(step)
            time.sleep(0.02)
        return "finished"

    job = manager.call_job_fn("key", manager.make_job_fn(job_fn, progress=True), [], {})
    time.sleep(0.1)
    manager.terminate_job(job)
    assert not manager.job_running(job)
    time.sleep(0.2)
    stopped_at = len(steps)
    time.sleep(0.2)
    assert len(steps) == stopped_at < 100
    assert manager.get_result("key", job) is manager.UNDEFINED


def test_signing_secret_is_made_once():
    manager = BackgroundCallbackManager()
    first = manager.get_or_create_signing_secret(lambda: b"one")
    assert manager.get_or_create_signing_secret(lambda: b"two") == first == b"one"
