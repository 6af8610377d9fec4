"""The one way the UI changes a study: call the core, then say what changed.

Every screen holds the same ``StudySession``. A change goes through ``session.call`` (or
``session.edit`` when it can be undone); a user error becomes a plain-words dialog, and on
success ``changed`` is emitted with the kinds of records touched, so each screen decides for
itself whether to redraw.

Kinds (``ChangeKind``): organisations, contacts, attempts, interviews, pool, template, details,
report (the client report's outline, texts, cover, logos and recommendations).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet  # read-only: a set of ChangeKind is one of str
from enum import StrEnum
from typing import Any

from fieldkit.errors import FieldkitError
from fieldkit.study import Study
from fieldkit.ui import errors
from fieldkit.ui.qt import QObject, QUndoCommand, QUndoStack, QWidget, Signal

class ChangeKind(StrEnum):
    """The kinds of records a change touches, as ``changed`` reports them. Members are strings
    ("pool" == POOL), so a screen's set of relevant kinds may be matched against either."""

    ORGANISATIONS = "organisations"
    CONTACTS = "contacts"
    ATTEMPTS = "attempts"
    INTERVIEWS = "interviews"
    POOL = "pool"
    TEMPLATE = "template"
    DETAILS = "details"
    REPORT = "report"


ORGANISATIONS, CONTACTS, ATTEMPTS, INTERVIEWS, POOL, TEMPLATE, DETAILS, REPORT = ChangeKind


class _Edit(QUndoCommand):
    """A change already made once; Undo and Redo replay it through the session."""

    def __init__(self, session: StudySession, text: str, do: Callable[[], Any], undo: Callable[[], Any],
                 changes: AbstractSet[str]):
        super().__init__(text)
        self.session, self.do, self.undo_, self.changes = session, do, undo, changes
        self._done = True  # QUndoStack.push calls redo(); the change is already made

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.session._apply(self.do, self.changes, self.text())

    def undo(self) -> None:
        self.session._apply(self.undo_, self.changes, f"undo {self.text()}")


class StudySession(QObject):
    """An open study as the UI sees it: the core object, the undo stack, change notices."""

    #: set[str] of the kinds of records a change touched
    changed = Signal(object)
    #: emitted after every successful write, for the "All changes saved" status
    saved = Signal()
    #: words for the status bar while writes are pending elsewhere ("Saving…", "Not saved …")
    save_state = Signal(str)

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
        self.undo_stack = QUndoStack(self)
        self._dialog_parent = parent

    def _apply(self, fn: Callable[[], Any], changes: AbstractSet[str], what: str) -> bool:
        try:
            fn()
        except FieldkitError as e:
            errors.warn(self._dialog_parent, f"Not saved: {what}", str(e))
            return False
        self.saved.emit()
        self.changed.emit(set(changes))
        return True

    def call(self, fn: Callable[..., Any], *args: Any, changes: AbstractSet[str], what: str = "the change",
             **kwargs: Any) -> Any:
        """Run a core call that changes the study. Returns its result, or None after telling
        the user (in a dialog) why it could not be done."""
        result: list[Any] = []
        if self._apply(lambda: result.append(fn(*args, **kwargs)), changes, what):
            return result[0]
        return None

    def run(self, fn: Callable[..., Any], *args: Any, changes: AbstractSet[str], what: str = "the change",
            **kwargs: Any) -> bool:
        """Run a core call that changes the study, for calls whose value does not matter (most
        return None): True once it is made, False after telling the user why it could not be."""
        return self._apply(lambda: fn(*args, **kwargs), changes, what)

    def edit(self, text: str, do: Callable[[], Any], undo: Callable[[], Any], changes: AbstractSet[str]) -> bool:
        """An undoable change: ``do`` now (and on Redo), ``undo`` on Undo. False if refused,
        in which case nothing is added to the undo history."""
        if not self._apply(do, changes, text):
            return False
        self.undo_stack.push(_Edit(self, text, do, undo, changes))
        return True

    def report_save_state(self, text: str) -> None:
        """A screen that saves in the background says how far it has got."""
        self.save_state.emit(text)

    def notify(self, changes: AbstractSet[str]) -> None:
        """Tell the screens about a change made by a long-lived core object (an interview session)."""
        self.saved.emit()
        self.changed.emit(set(changes))
