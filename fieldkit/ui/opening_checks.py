"""Running a study's opening checks off the UI thread, so its window shows at once.

``Study.open(defer_checks=True)`` leaves reading the whole file and the opening backup to be
run; this runs them on a worker thread (on connections of their own) and hands the result
back on the UI thread, where the study is told (``finish_opening``) and becomes writable or,
when the file is damaged, is closed with the usual offer of a backup.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from fieldkit.study import Study
from fieldkit.ui.qt import QObject, QTimer


class OpeningChecks(QObject):
    """The checks of one opening, polled from the UI thread until done.

    ``on_done()`` runs on the UI thread once the checks have run (whatever they found); after
    ``slow_ms`` without a result, ``on_slow()`` runs first, so the window can say why changes
    wait.
    """

    POLL_MS = 20

    def __init__(self, study: Study, on_done: Callable[[], None], on_slow: Callable[[], None],
                 parent: QObject | None = None, *, slow_ms: int = 400):
        super().__init__(parent)
        checks = study.opening_checks()
        if checks is None:
            raise ValueError("the study has no opening checks left to run")
        self._checks = checks
        self._on_done = on_done
        self._thread = threading.Thread(target=checks.run, name="fieldkit-opening-checks", daemon=True)
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._check)
        self._slow = QTimer(self)
        self._slow.setSingleShot(True)
        self._slow.setInterval(slow_ms)
        self._slow.timeout.connect(on_slow)
        self._thread.start()
        self._poll.start()
        self._slow.start()

    @property
    def running(self) -> bool:
        return self._poll.isActive()

    def wait(self) -> None:
        """Block until the checks are done and act on them now (closing a study, tests)."""
        if self.running:
            self._thread.join()
            self._check()

    def cancel(self) -> None:
        """Stop listening, once the thread has finished: the study is being closed, and its
        opening backup must not still be written when the next opening takes its own."""
        self._poll.stop()
        self._slow.stop()
        self._thread.join()

    def _check(self) -> None:
        if not self._checks.done or not self._poll.isActive():
            return
        self.cancel()
        self._on_done()
