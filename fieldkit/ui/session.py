"""The one way the UI changes a study: call the core, then say what changed.

Every screen holds the same ``StudySession``. A change goes through ``session.call`` (or
``session.edit`` when it can be undone); a user error becomes a plain-words dialog, and on
success ``changed`` is emitted with the kinds of records touched, so each screen decides for
itself whether to redraw.

Kinds (``ChangeKind``): organisations, contacts, attempts, interviews, pool, template, details,
report (the client report's outline, texts, cover, logos and recommendations).

An undoable change is named in words that follow "Undo" and "Undid" ("redaction of a comment",
"rename of Leeds Trust"), and remembers where it was made (``Place``, which the window gives)
and how to show what it touched again, so Undo can go there and say what it took back.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet  # read-only: a set of ChangeKind is one of str
from dataclasses import dataclass
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


#: What the status bar says when nothing waits to be written.
ALL_SAVED = "All changes saved"


@dataclass(frozen=True)
class Place:
    """Where a change was made: the screen's key, the words for it ("in the Pool"), and what
    puts that screen back as it was then (its tab, say), or None."""

    screen: str
    words: str
    restore: Callable[[], Any] | None = None


class Edit(QUndoCommand):
    """A change already made once; Undo and Redo replay it through the session."""

    def __init__(self, session: StudySession, text: str, do: Callable[[], Any], undo: Callable[[], Any],
                 changes: AbstractSet[str], place: Place | None, show: Callable[[bool], Any] | None):
        super().__init__(text)
        self.session, self.do, self.undo_, self.changes = session, do, undo, changes
        #: where it was made, and what shows the item it touched (given True after an undo)
        self.place, self.show = place, show
        #: False when the last undo or redo was refused (a dialog said why)
        self.ok = True
        self._done = True  # QUndoStack.push calls redo(); the change is already made

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.ok = self.session._apply(self.do, self.changes, self.text(), title="Not redone")

    def undo(self) -> None:
        self.ok = self.session._apply(self.undo_, self.changes, self.text(), title="Not undone")


class StudySession(QObject):
    """An open study as the UI sees it: the core object, the undo stack, change notices."""

    #: set[str] of the kinds of records a change touched
    changed = Signal(object)
    #: emitted after every successful write (the status bar then shows ``save_text``)
    saved = Signal()
    #: ``save_text`` after a screen saving in the background reported ("Saving…", "Not saved …")
    save_state = Signal(str)

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
        self.undo_stack = QUndoStack(self)
        #: where the researcher is when an edit is made (the window sets it; None: nowhere to go back to)
        self.place_of_edit: Callable[[], Place | None] = lambda: None
        self._dialog_parent = parent
        self._pending: str | None = None  # what a screen saving in the background last said

    def _apply(self, fn: Callable[[], Any], changes: AbstractSet[str], what: str, *, title: str = "Not saved") -> bool:
        try:
            fn()
        except FieldkitError as e:
            errors.warn(self._dialog_parent, f"{title}: {what}", str(e))
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

    def edit(self, text: str, do: Callable[[], Any], undo: Callable[[], Any], changes: AbstractSet[str], *,
             show: Callable[[bool], Any] | None = None) -> bool:
        """An undoable change: ``do`` now (and on Redo), ``undo`` on Undo. False if refused,
        in which case nothing is added to the undo history.

        ``text`` names the change after "Undo" ("redaction of a comment"); ``show``, called
        with True after an undo and False after a redo, selects what the change touched."""
        place = self.place_of_edit()
        if not self._apply(do, changes, text):
            return False
        self.undo_stack.push(Edit(self, text, do, undo, changes, place, show))
        return True

    def next_change(self, *, undo: bool) -> Edit | None:
        """The change Undo (or, with ``undo=False``, Redo) would take back or make again."""
        stack = self.undo_stack
        command = stack.command(stack.index() - 1) if undo else stack.command(stack.index())
        return command if isinstance(command, Edit) and (stack.canUndo() if undo else stack.canRedo()) else None

    @property
    def save_text(self) -> str:
        """What the status bar says of saving: what a screen saving in the background last
        reported ("Saving…", "Not saved — …") until it reports all saved, else ALL_SAVED. The
        one source of that state: a write made meanwhile elsewhere does not make it so."""
        return self._pending or ALL_SAVED

    def report_save_state(self, text: str | None) -> None:
        """A screen that saves in the background says how far it has got (None or ALL_SAVED:
        nothing of its own waits to be written, as when it closes)."""
        self._pending = None if text in (None, ALL_SAVED) else text
        self.save_state.emit(self.save_text)

    def notify(self, changes: AbstractSet[str]) -> None:
        """Tell the screens about a change made by a long-lived core object (an interview session)."""
        self.saved.emit()
        self.changed.emit(set(changes))
