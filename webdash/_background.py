"""Dash background callbacks without processes: :class:`BackgroundCallbackManager`.

Dash's own managers run each job in another process (diskcache) or on a Celery
worker, and keep results in a store those processes share. A browser has
neither processes nor threads, so this manager runs jobs in the app's own
Python and keeps their progress and results in memory:

- in the browser, each job is a task on Pyodide's event loop. Where the browser
  can suspend WebAssembly (JSPI), the job pauses whenever it calls
  ``time.sleep`` or ``set_progress``, and the page's other callbacks, and the
  polls that fetch the job's progress, are answered meanwhile;
- under ``webdash run`` (or ``python app.py``), each job runs on a thread.

Either way the job sees the same module-level state as every other callback.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
import sys
import threading
import time
import traceback
from collections.abc import Callable
from contextvars import copy_context
from typing import Any

from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.background_callback._proxy_set_props import ProxySetProps
from dash.background_callback.managers import BaseBackgroundCallbackManager
from dash.exceptions import PreventUpdate

#: What Dash's renderer takes as "this job chose not to update its outputs".
_NO_UPDATE = {"_dash_no_update": "_dash_no_update"}
IN_BROWSER = sys.platform == "emscripten"


def process_manager_message(what: str) -> str:
    """What to change when an app uses Dash's DiskcacheManager or CeleryManager (``what``)."""
    return (
        f"{what} runs background callbacks in other processes (diskcache) or on Celery workers, and "
        "a browser can start neither. webdash has a manager that runs them in the browser, and "
        "under `webdash run` and `python app.py` too. Change the line that creates the manager to\n"
        "    background_callback_manager = webdash.BackgroundCallbackManager()\n"
        "(after `import webdash`), and drop dash[diskcache], dash[celery], diskcache and celery "
        "from requirements.txt."
    )


def refuse_process_managers() -> None:
    """In the browser: make ``DiskcacheManager()``/``CeleryManager()`` say what to change.

    Without this, Dash's own message would ask to ``pip install dash[diskcache]``,
    which cannot help in a browser.
    """
    import dash

    for manager in (dash.DiskcacheManager, dash.CeleryManager):

        def refuse(self: Any, *args: Any, _name: str = manager.__name__, **kwargs: Any) -> None:
            raise RuntimeError(process_manager_message(_name))

        manager.__init__ = refuse  # type: ignore[method-assign]


class JobCancelled(BaseException):
    """Raised inside a job at its next ``set_progress`` once the user cancelled it.

    A BaseException, like KeyboardInterrupt, so that a job's own ``except Exception``
    does not swallow it.
    """


class _Job:
    def __init__(self) -> None:
        self.cancelled = False
        self.finished = False


class BackgroundCallbackManager(BaseBackgroundCallbackManager):
    """Runs Dash background callbacks in the browser (and under ``webdash run``).

    Use it where an app passes ``DiskcacheManager`` or ``CeleryManager``::

        from webdash import BackgroundCallbackManager
        app = Dash(__name__, background_callback_manager=BackgroundCallbackManager())

    :param cache_by: as for Dash's managers: zero-argument functions whose values
        join the cache key; with it, a result is kept and served again for the
        same inputs instead of running the job again.
    :param expire: with ``cache_by``, drop a kept result after this many seconds
        without use.

    A cancelled job (``cancel=``) stops at its next ``set_progress`` call, and
    what it returns is never shown; a job that never reports progress runs on to
    its end in the background, as no thread can be stopped from outside.
    """

    def __init__(self, cache_by: Any = None, expire: float | None = None) -> None:
        self.expire = expire
        self._lock = threading.Lock()
        self._store: dict[str, tuple[float, Any]] = {}  # key -> (last used, value)
        self._jobs: dict[str, _Job] = {}
        self._ids = itertools.count(1)
        super().__init__(cache_by)

    # -- the store: results, progress and set_props, by key ---------------------------------------
    def _put(self, key: str, value: Any) -> None:
        with self._lock:
            self._store[key] = (time.monotonic(), value)

    def _get(self, key: str, default: Any = None, *, pop: bool = False) -> Any:
        with self._lock:
            entry = self._store.pop(key, None) if pop else self._store.get(key)
            if entry is None:
                return default
            used, value = entry
            if self.expire is not None and time.monotonic() - used > self.expire:
                self._store.pop(key, None)
                return default
            if not pop:
                self._store[key] = (time.monotonic(), value)
            return value

    def clear_cache_entry(self, key: str) -> None:
        with self._lock:
            self._store.pop(key, None)

    def get_or_create_signing_secret(self, generate: Callable[[], bytes]) -> bytes:
        with self._lock:
            if self.SIGNING_SECRET_KEY not in self._store:
                self._store[self.SIGNING_SECRET_KEY] = (float("inf"), generate())  # never expires
            return self._store[self.SIGNING_SECRET_KEY][1]  # type: ignore[no-any-return]

    # -- jobs ---------------------------------------------------------------------------------------
    def make_job_fn(
        self, fn: Callable[..., Any], progress: Any, key: str | None = None
    ) -> Callable[..., Any]:
        return functools.partial(self._run_job, fn, bool(progress))

    def call_job_fn(self, key: str, job_fn: Callable[..., Any], args: Any, context: Any) -> str:
        job_id = str(next(self._ids))
        job = self._jobs[job_id] = _Job()
        # The job reads Dash's callback context, which belongs to this request: copy it now.
        start = functools.partial(copy_context().run, job_fn, job, key, args, context)
        if IN_BROWSER:
            # A task of Pyodide's event loop runs on a stack that can be suspended (time.sleep).
            asyncio.get_event_loop().call_soon(start)
        else:
            threading.Thread(target=start, name=f"webdash background job {job_id}", daemon=True).start()
        return job_id

    def _run_job(
        self, fn: Callable[..., Any], has_progress: bool, job: _Job, key: str, args: Any, context: Any
    ) -> None:
        def set_progress(value: Any) -> None:
            if job.cancelled:
                raise JobCancelled
            self._put(
                self._make_progress_key(key), list(value) if isinstance(value, (list, tuple)) else [value]
            )
            if IN_BROWSER:
                time.sleep(0)  # let the page's polls and other callbacks in (where the browser can suspend)

        def set_props(component_id: str, props: dict[str, Any]) -> None:
            if job.cancelled:
                return
            with self._lock:
                _, updates = self._store.get(self._make_set_props_key(key), (0.0, {}))
                merged = {**updates, component_id: {**updates.get(component_id, {}), **props}}
                self._store[self._make_set_props_key(key)] = (time.monotonic(), merged)

        callback_context = AttributeDict(**context)
        callback_context.ignore_register_page = False
        callback_context.updated_props = ProxySetProps(set_props)
        context_value.set(callback_context)
        call_args = [set_progress] if has_progress else []
        try:
            if isinstance(args, dict):
                result = fn(*call_args, **args)
            else:
                result = fn(*call_args, *(args if isinstance(args, (list, tuple)) else [args]))
            if inspect.isawaitable(result):
                result = _await(result)
        except JobCancelled:
            result = self.UNDEFINED
        except PreventUpdate:
            result = _NO_UPDATE
        except Exception as exc:  # the error goes to the page, as with Dash's managers
            result = {"background_callback_error": {"msg": str(exc), "tb": traceback.format_exc()}}
        # The result is stored before the job counts as finished: a poll in between would
        # otherwise take a finished job without a result for a cancelled one.
        if not job.cancelled and result is not self.UNDEFINED:
            self._put(key, result)
        job.finished = True

    def terminate_job(self, job: Any) -> None:
        found = self._jobs.pop(str(job), None) if job is not None else None
        if found is not None:
            found.cancelled = True

    def terminate_unhealthy_job(self, job: Any) -> bool:
        return False

    def job_running(self, job: Any) -> bool:
        found = self._jobs.get(str(job))
        return found is not None and not found.finished

    # -- what Dash's polls read ---------------------------------------------------------------------
    def get_progress(self, key: str) -> Any:
        return self._get(self._make_progress_key(key), pop=True)

    def result_ready(self, key: str) -> bool:
        return self._get(key, self.UNDEFINED) is not self.UNDEFINED

    def get_result(self, key: str, job: Any) -> Any:
        result = self._get(key, self.UNDEFINED, pop=self.cache_by is None)
        if result is self.UNDEFINED:
            return self.UNDEFINED
        self.clear_cache_entry(self._make_progress_key(key))
        if job is not None:
            self._jobs.pop(str(job), None)
        return result

    def get_updated_props(self, key: str) -> dict[str, Any]:
        return self._get(self._make_set_props_key(key), {}, pop=True)  # type: ignore[no-any-return]


def _await(awaitable: Any) -> Any:
    """The result of an ``async def`` background callback, from the job's own stack."""
    if IN_BROWSER:
        from pyodide.ffi import run_sync

        return run_sync(awaitable)
    return asyncio.run(awaitable)
