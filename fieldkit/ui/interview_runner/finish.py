"""Finishing an interview: what is still missing, a way back to each, and the "full interview" tick.

While required questions are unanswered the dialog's default is "Go back", so an Enter
pressed out of habit never finishes an interview with gaps; each missing question is a
button that closes the dialog and puts the cursor in that question.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldkit.ui.answer_widgets import FocusRing
from fieldkit.ui.qt import (
    QApplication,
    QCheckBox,
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QLabel,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.welcome import heading

#: The most missing questions listed (the rest are counted).
LISTED = 12


@dataclass(frozen=True)
class Missing:
    """A required question without an answer, as the dialog lists it."""

    question_id: str
    label: str
    section: str
    #: The question's ``required_message`` (what to ask), or "".
    message: str = ""


class FinishDialog(QDialog):
    """What is still missing, and the "full interview" tick (the researcher's call either way)."""

    #: The id of the missing question to go back to (the dialog has closed).
    go_to = Signal(str)

    def __init__(self, parent: QWidget, organisation: str, missing: list[Missing], unsaved: list[str],
                 moved_earlier: bool):
        super().__init__(parent)
        self.setWindowTitle("Finish the interview")
        layout = QVBoxLayout(self)
        title = heading(f"Finish the interview with {organisation}", 1.2)
        title.setTextFormat(Qt.PlainText)
        layout.addWidget(title)
        if missing:
            n = len(missing)
            text = (f"{n} required question{'s have' if n > 1 else ' has'} no answer. "
                    f"Go back to {'one' if n > 1 else 'it'}:")
        else:
            text = "Every required question has an answer."
        self.summary = QLabel(text)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        #: One button per missing question (the first LISTED): it goes back to that question.
        self.jumps: list[QCommandLinkButton] = []
        for m in missing[:LISTED]:
            button = QCommandLinkButton(m.label, m.message or f"In “{m.section}”")
            button.setToolTip(f"Close this and go to the question, in “{m.section}”")
            button.setAccessibleName(f"Go to: {m.label}")
            button.setAccessibleDescription(m.message)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, qid=m.question_id: self._go(qid))
            self.jumps.append(button)
            layout.addWidget(button)
        if len(missing) > LISTED:
            layout.addWidget(QLabel(f"and {len(missing) - LISTED} more."))
        if unsaved:
            bad = QLabel("Not saved, because they do not fit: " + "; ".join(unsaved))
            bad.setTextFormat(Qt.PlainText)
            bad.setWordWrap(True)
            layout.addWidget(bad)
        if moved_earlier:
            note = QLabel("Anonymous answers that have moved to the pool are not counted here.")
            note.setWordWrap(True)
            layout.addWidget(note)
        self.full = QCheckBox("Full interview completed")
        self.full.setChecked(not missing)
        self.full.setToolTip("Ticks “Full interview completed” on the organisation's record")
        layout.addWidget(self.full)
        buttons = QDialogButtonBox()
        self.finish_button = buttons.addButton("Finish interview", QDialogButtonBox.AcceptRole)
        self.back_button = buttons.addButton("Go back", QDialogButtonBox.RejectRole)
        self.back_button.setToolTip("Carry on with the interview")
        #: What Enter does: go back while anything required is missing, else finish.
        self.default_button = self.back_button if missing else self.finish_button
        self.default_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.ring = FocusRing(self)
        QApplication.instance().focusChanged.connect(self._focus_changed)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.default_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def done(self, result: int) -> None:
        try:
            QApplication.instance().focusChanged.disconnect(self._focus_changed)
        except (RuntimeError, TypeError):
            pass
        super().done(result)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        self.ring.follow(new if new is not None and self.isAncestorOf(new) else None)

    def _go(self, question_id: str) -> None:
        self.reject()
        self.go_to.emit(question_id)
