"""Cycles holding Qt objects are freed on the UI thread, never on a worker's (fieldkit.ui.collector)."""

from __future__ import annotations

import gc
import threading
import weakref


def test_a_qt_object_in_a_cycle_is_freed_on_the_ui_thread_only(qapp):
    from fieldkit.ui.collector import Collector
    from fieldkit.ui.qt import QObject, QTimer

    gc.enable()  # as a fresh app process starts
    collector = Collector(interval_ms=60_000)
    try:
        assert not gc.isenabled()
        freed_on: list[str] = []

        class Holder:
            def __init__(self):
                self.timer = QTimer()
                self.me = self  # a cycle: reference counting alone never frees it

            def __del__(self):
                freed_on.append(threading.current_thread().name)

        holder = Holder()
        timer = weakref.ref(holder.timer)
        del holder
        assert timer() is not None

        def busy_worker():  # allocates plenty, as the list loader does: no collection runs here
            junk = [[object()] * 3 for _ in range(200_000)]
            del junk
        worker = threading.Thread(target=busy_worker, name="worker")
        worker.start()
        worker.join()
        assert freed_on == [] and timer() is not None

        assert collector.collect() > 0
        assert freed_on == [threading.current_thread().name] and timer() is None
        assert isinstance(collector.timer, QObject) and collector.timer.isActive()
        # What survived is frozen, so the next collections are quick; closing a study lets go.
        assert gc.get_freeze_count() > 0
        Collector.release()
        assert gc.get_freeze_count() == 0
    finally:
        collector.timer.stop()
        gc.unfreeze()
        gc.disable()  # the test session's setting (tests/conftest.py)
