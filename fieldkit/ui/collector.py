"""Python's cycle collector, run on the UI thread only.

A Qt object caught in a reference cycle is destroyed when the collector frees the cycle, on
whichever thread happens to be allocating at that moment. When that is a worker thread (the
list loader, the report renderer, the answer saver), Qt tears a timer or a widget down from
the wrong thread, the timer stays registered with the event loop, and the app crashes the
next time it fires. So the app switches the automatic collector off and runs it here, on the
UI thread, every few seconds (Anki does the same). Reference counting, which frees almost
everything, is not affected.

A full collection with a study open looks at some 80,000 objects (about 50 ms: a stall the
researcher would feel while typing), so what survives one is frozen (``gc.freeze``): the next
ones look only at what is new, in well under a millisecond. Closing a study unfreezes them,
so its windows' cycles are freed with the next collection.
"""

from __future__ import annotations

import gc

from fieldkit.ui.qt import QObject, QTimer

#: How often the collector runs. A collection with a large study open takes a few milliseconds.
INTERVAL_MS = 5_000


class Collector(QObject):
    """Runs ``gc.collect()`` on the UI thread on a timer, with automatic collection off."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    @staticmethod
    def collect() -> int:
        """Free the cycles now (on the calling thread: call it from the UI thread), then
        freeze what is left so that the next collection is quick."""
        freed = gc.collect()
        gc.freeze()
        return freed

    @staticmethod
    def release() -> None:
        """Let the next collection look at everything again (a study was closed)."""
        gc.unfreeze()
