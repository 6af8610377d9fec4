"""Saving interview answers off the UI thread, so typing never waits for the disk.

``Pauses`` holds what is typed until the researcher pauses; ``Saver`` is the one background
thread that then works through an ordered queue in which a newer value for a question
replaces the one still waiting. The study serialises access with its own lock.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fieldkit.ui.qt import QObject, QTimer, Signal

Key = tuple[str, str]


class Pauses(QObject):
    """Jobs that wait for a pause in typing: due when nothing has been added for the first of
    ``timings()`` milliseconds, or at the latest the second after the first job came; a newer
    job for a key replaces the waiting one. ``due`` is called then (it runs ``take()``)."""

    def __init__(self, due: Callable[[], None], timings: Callable[[], tuple[int, int]],
                 parent: QObject | None = None):
        super().__init__(parent)
        #: the jobs waiting, by key (in the order they first came)
        self.jobs: dict[Key, Callable[[], Any]] = {}
        self._due, self._timings = due, timings
        self._since = self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fired)

    def put(self, key: Key, job: Callable[[], Any]) -> None:
        now = time.monotonic()
        if not self.jobs:
            self._since = now
        self.jobs[key] = job
        self._last = now
        if not self._timer.isActive():  # not restarted per keystroke: _fired looks at the clock
            self._timer.start(self._timings()[0])

    def take(self) -> list[Callable[[], Any]]:
        """Every waiting job, now (the researcher left the question, or paused)."""
        self._timer.stop()
        jobs, self.jobs = self.jobs, {}
        return list(jobs.values())

    def _fired(self) -> None:
        pause, longest = self._timings()
        due = min(self._last + pause / 1000, self._since + longest / 1000)
        left_ms = int((due - time.monotonic()) * 1000)
        if left_ms > 0:
            self._timer.start(left_ms)
        else:
            self._due()


@dataclass(frozen=True)
class SaveResult:
    key: tuple[str, str]
    error: BaseException | None
    details: str
    seconds: float


class Saver(QObject):
    """One background thread doing writes in order; a newer job for a key replaces the queued
    one and takes its place at the end.

    ``put`` never waits for a write. Results come back on the UI thread through ``landed``.
    """

    landed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs: OrderedDict[tuple[str, str], Callable[[], Any]] = OrderedDict()
        self._results: list[SaveResult] = []
        self._cond = threading.Condition()
        self._running = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._work, name="fieldkit-saver", daemon=True)
        self._thread.start()

    def put(self, key: tuple[str, str], job: Callable[[], Any]) -> None:
        """Queue ``job``; one still waiting for ``key`` is dropped, and the new one goes last, so
        the writes keep the order the answers were given in (a later answer can depend on an
        earlier one: a choice offered only for some region is saved after that region)."""
        with self._cond:
            self._jobs.pop(key, None)
            self._jobs[key] = job
            self._cond.notify_all()

    def busy(self) -> bool:
        """Anything queued or being written."""
        with self._cond:
            return bool(self._jobs) or self._running > 0

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every queued write is done (for closing and finishing only)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._jobs and not self._running, timeout)

    def take_results(self) -> list[SaveResult]:
        with self._cond:
            results, self._results = self._results, []
        return results

    def stop(self) -> None:
        self.wait()
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._jobs or self._stopping)
                if not self._jobs:
                    return
                key, job = self._jobs.popitem(last=False)
                self._running += 1
            start = time.perf_counter()
            error, details = None, ""
            try:
                job()
            except BaseException as e:  # reported on the UI thread; the answer stays on screen
                error, details = e, "".join(traceback.format_exception(e))
            result = SaveResult(key, error, details, time.perf_counter() - start)
            with self._cond:
                self._results.append(result)
                self._running -= 1
                self._cond.notify_all()
            self.landed.emit()
