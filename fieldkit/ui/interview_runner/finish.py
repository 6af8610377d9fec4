"""Finishing an interview: how it will be recorded, what is still missing, a way back to each.

The dialog says which of the three results finishing records — complete, partial or a
break-off (AAPOR 1.1, 1.2, 2.12) — as the study's rule judges it, with the rule in a line
below. The researcher can override it: the "full interview" tick records complete, no tick
partial; where the rule judges too little answered for a partial, finishing records a
break-off unless the researcher ticks the interview full or asks for a partial. A separate
button breaks the interview off for good (confirmed first).

While required questions are unanswered the dialog's default is "Go back", so an Enter
pressed out of habit never finishes an interview with gaps; each missing question is a
button that closes the dialog and puts the cursor in that question.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from html import escape

from fieldkit.fieldwork import RESULT_CODES
from fieldkit.ui.answer_widgets import FocusRing
from fieldkit.ui.qt import (
    QApplication,
    QCheckBox,
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QFont,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.welcome import heading

#: The most missing questions listed (the rest are counted).
LISTED = 12
#: What the finish button says for each result.
FINISH_WORDS = {"complete": "Finish as complete", "partial": "Finish as partial", "break_off": "Record the break-off"}


@dataclass(frozen=True)
class Missing:
    """A required question without an answer, as the dialog lists it."""

    question_id: str
    label: str
    section: str
    #: The question's ``required_message`` (what to ask), or "".
    message: str = ""


def unanswered_words(answered: int, asked: int) -> str:
    """"2 of 5 required questions unanswered" (or "" when none is)."""
    missing = asked - answered
    if missing <= 0:
        return ""
    return f"{missing} of {asked} required question{'s' if asked != 1 else ''} unanswered"


def break_off_text(organisation: str, *, declines: bool) -> str:
    """What a break-off means, in the words both the dialog and its confirmation use."""
    who = f" and {organisation} will be recorded as declined" if declines else ""
    return (f"It will not count as an interview{who}. The answers given are kept, and it can be taken up "
            "again from the Interviews list.")


class BreakOffBox(QMessageBox):
    """The confirmation of a break-off; ``confirm_button`` is its "Break off"."""

    confirm_button: QPushButton


class FinishDialog(QDialog):
    """How finishing will record the interview (the researcher's call), what is missing, and
    the way to break it off for good."""

    #: The id of the missing question to go back to (the dialog has closed).
    go_to = Signal(str)

    def __init__(self, parent: QWidget, organisation: str, missing: list[Missing], unsaved: list[str],
                 moved_earlier: bool, *, proposed: str = "complete", progress: tuple[int, int] = (0, 0),
                 rule: str = "", declines: bool = True):
        super().__init__(parent)
        self.organisation, self.proposed, self.progress, self.declines = organisation, proposed, progress, declines
        #: set when the researcher confirmed breaking off (overrides the ticks)
        self._broken_off = False
        self.confirmation: BreakOffBox | None = None
        self.setWindowTitle("Finish the interview")
        layout = QVBoxLayout(self)
        title = heading(f"Finish the interview with {organisation}", 1.2)
        title.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(title)
        #: how finishing will record the interview, following the ticks
        self.verdict = QLabel()
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("How it will be recorded")
        layout.addWidget(self.verdict)
        #: the study's rule, in a small line
        self.rule = QLabel(f"This study's rule — {rule}" if rule else "")
        self.rule.setWordWrap(True)
        self.rule.setAccessibleName("The study's rule")
        small = QFont(self.rule.font())
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.rule.setFont(small)
        self.rule.setVisible(bool(rule))
        layout.addWidget(self.rule)
        layout.addSpacing(4)
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
            bad.setTextFormat(Qt.TextFormat.PlainText)
            bad.setWordWrap(True)
            layout.addWidget(bad)
        if moved_earlier:
            note = QLabel("Anonymous answers that have moved to the pool are not counted here.")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addSpacing(4)
        self.full = QCheckBox("Full interview completed")
        self.full.setChecked(proposed == "complete")
        self.full.setToolTip("Ticked: recorded as complete, and “Full interview completed” is ticked on the "
                             "organisation's record. Not ticked: recorded as partial.")
        layout.addWidget(self.full)
        #: Where the rule says break-off: the way to count it as a partial interview instead.
        self.partial = QCheckBox("Count it as a partial interview instead")
        self.partial.setToolTip("Recorded as partial (AAPOR 1.2): it counts as an interview")
        self.partial.setVisible(proposed == "break_off")
        layout.addWidget(self.partial)
        self.full.toggled.connect(self._update)
        self.partial.toggled.connect(self._update)

        row = QHBoxLayout()
        self.break_button = QPushButton("Break off (abandoned for good)…")
        self.break_button.setAutoDefault(False)
        self.break_button.setToolTip("Record that the interview was abandoned: it does not count as an interview")
        self.break_button.clicked.connect(self.ask_break_off)
        row.addWidget(self.break_button)
        row.addStretch(1)
        buttons = QDialogButtonBox()
        self.finish_button = buttons.addButton(FINISH_WORDS[proposed], QDialogButtonBox.ButtonRole.AcceptRole)
        self.back_button = buttons.addButton("Go back", QDialogButtonBox.ButtonRole.RejectRole)
        self.back_button.setToolTip("Carry on with the interview")
        #: What Enter does: go back while anything required is missing, else finish.
        self.default_button = self.back_button if missing else self.finish_button
        self.default_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.setMinimumWidth(560)
        self._update()
        self.ring = FocusRing(self)
        app = QApplication.instance()
        assert isinstance(app, QApplication)  # the desktop app is running
        app.focusChanged.connect(self._focus_changed)

    def chosen(self) -> str:
        """The result finishing records now: complete, partial or break_off."""
        if self._broken_off:
            return "break_off"
        if self.full.isChecked():
            return "complete"
        if self.proposed == "break_off" and not self.partial.isChecked():
            return "break_off"
        return "partial"

    def _update(self) -> None:
        """Say how the interview will be recorded, as the ticks stand."""
        self.partial.setEnabled(not self.full.isChecked())
        result = self.chosen()
        gaps = unanswered_words(*self.progress)
        if result == "break_off":
            text = (f"Too little is answered to count it by this study's rule ({escape(gaps)}), so finishing "
                    f"records a <b>break-off</b>. {escape(break_off_text(self.organisation, declines=self.declines))}"
                    "<br>To count it, tick “Full interview completed” or “Count it as a partial interview instead”.")
        else:
            why = ""
            if result != self.proposed:
                why = (", as you ticked “Full interview completed”" if result == "complete"
                       else ", as you chose" if self.proposed == "break_off"
                       else ", as “Full interview completed” is not ticked")
            text = f"This interview will be recorded as <b>{result}</b>{f' ({escape(gaps)})' if gaps else ''}{why}."
        self.verdict.setText(text)
        self.verdict.setToolTip(f"AAPOR disposition {RESULT_CODES[result]}")
        self.finish_button.setText(FINISH_WORDS[result])
        # breaking off is the finish button's own job when that is what it records
        self.break_button.setVisible(result != "break_off")
        self._fit()

    def _fit(self) -> None:
        """As tall as the wrapped words need at the dialog's width (no gaps, nothing cut off)."""
        layout = self.layout()
        assert layout is not None  # set in __init__
        width = max(self.width() if self.isVisible() else 0, self.minimumWidth(), layout.sizeHint().width())
        self.resize(width, max(layout.heightForWidth(width), layout.minimumSize().height()))

    def ask_break_off(self) -> BreakOffBox:
        """The confirmation (non-blocking); the interview is broken off only on its "Break off"."""
        box = BreakOffBox(QMessageBox.Icon.Warning, "Break off the interview?",
                          f"Break off the interview with {self.organisation} for good?\n\n"
                          f"{break_off_text(self.organisation, declines=self.declines)}", parent=self)
        box.confirm_button = box.addButton("Break off", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.finished.connect(lambda _r: self._answered(box))
        self.confirmation = box
        box.open()
        return box

    def _answered(self, box: BreakOffBox) -> None:
        self.confirmation = None
        if box.clickedButton() is box.confirm_button:
            self._broken_off = True
            self.accept()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.default_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def done(self, result: int) -> None:
        with contextlib.suppress(RuntimeError, TypeError):
            app = QApplication.instance()
            assert isinstance(app, QApplication)  # the desktop app is running
            app.focusChanged.disconnect(self._focus_changed)
        super().done(result)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        self.ring.follow(new if new is not None and self.isAncestorOf(new) else None)

    def _go(self, question_id: str) -> None:
        self.reject()
        self.go_to.emit(question_id)
