"""Saving a field after a pause in typing, and at once when the field is left (the settings screens)."""

from __future__ import annotations

from collections.abc import Callable

from fieldkit.ui.qt import QTimer, QWidget

#: The pause in typing after which a field is saved.
SAVE_DELAY_MS = 600


class Debounced:
    """Save a field's value after a pause in typing, and at once when the field is left."""

    def __init__(self, parent: QWidget, save: Callable[[], None]):
        self.timer = QTimer(parent)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SAVE_DELAY_MS)
        self.timer.timeout.connect(save)
        self.save = save

    def start(self) -> None:
        self.timer.start()

    def flush(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.save()

    @property
    def pending(self) -> bool:
        return self.timer.isActive()
