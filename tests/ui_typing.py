"""Typing into widgets as a person would, in any script.

``qtbot.keyClicks`` aborts the whole process on non-ASCII characters, so text is sent one
character at a time as key events that carry the text (what a keyboard layout produces).
"""

from __future__ import annotations

from fieldkit.ui.qt import QApplication, QEvent, QKeyEvent, Qt, QWidget


def type_text(widget: QWidget, text: str, *, process_every: int = 1) -> None:
    """Send ``text`` to ``widget`` as key presses and releases, one character each."""
    for i, ch in enumerate(text):
        key = Qt.Key_Return if ch == "\n" else Qt.Key_unknown
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.NoModifier, ch))
        if process_every and i % process_every == 0:
            QApplication.processEvents()
