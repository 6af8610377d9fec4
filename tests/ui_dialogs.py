"""Answering the modal dialogs a UI test makes the app open, in order, through their widgets."""

from __future__ import annotations

from collections.abc import Callable

from ui_typing import type_text


def answer_modals(*steps: Callable) -> list:
    """Answer the modal dialogs that will open, in order: each step gets the dialog.
    Returns the list of dialogs answered (for the test to check afterwards)."""
    from fieldkit.ui.qt import QApplication, QTimer

    pending, seen = list(steps), []

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is not None and dialog not in seen and pending:
            seen.append(dialog)
            pending.pop(0)(dialog)
        if pending:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    return seen


def unlock_with(text: str) -> Callable:
    """A step that types ``text`` into the passphrase dialog and opens."""
    def step(dialog):
        from fieldkit.ui.passphrase import UnlockDialog

        assert isinstance(dialog, UnlockDialog)
        type_text(dialog.field, text)
        dialog.accept()
    return step
