"""Leaving an interview for now: it stays in interview, and a call-back can be set on the way out.

Starting the interview settled the organisation's earlier call-backs; one set here is an
attempt made after the interview began, so it is due again and shows on the Call-backs screen.
The call-back box reads the same words as the case form's and the Call-backs screen's
(fieldkit.callback_times), and says under it how it reads them as they are typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from fieldkit.callback_times import format_when, parse_when
from fieldkit.errors import InvalidValueError
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    Qt,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.welcome import heading

if TYPE_CHECKING:
    from fieldkit.study import Study

#: The outcome the call-back is logged with, when the study has it.
DEFAULT_OUTCOME = "Call back requested"


def pending_callback(study: Study, org_id: int, now: dt.datetime | None = None) -> str | None:
    """The organisation's call-back still to come, to offer again on leaving: one still open,
    else the latest attempt's (the interview settled it), if its time has not passed."""
    now = now or dt.datetime.now()
    attempts = study.attempts
    open_: list[str | None] = [cb.callback_at for cb in attempts.callbacks() if cb.organisation_id == org_id]
    latest = attempts.for_organisation(org_id)[:1]
    for when in open_ or [a.callback_at for a in latest]:
        if when and dt.datetime.fromisoformat(when) > now:
            return when
    return None


class LeaveDialog(QDialog):
    """Leave the interview for now: set a call-back (an attempt with that time), or just leave.

    Accepted with ``callback_at`` set (and ``outcome()``) for "Set call-back", or with
    ``callback_at`` None for "Leave without call-back"; rejected, it stays in the interview.
    """

    def __init__(self, parent: QWidget, organisation: str, *, outcomes: tuple[str, ...], pending: str | None = None,
                 now: Callable[[], dt.datetime] = dt.datetime.now):
        super().__init__(parent)
        self.now = now
        #: the call-back to log (None: leave without one)
        self.callback_at: dt.datetime | None = None
        self.setWindowTitle("Leave the interview for now")
        layout = QVBoxLayout(self)
        title = heading(f"Leave the interview with {organisation} for now", 1.2)
        title.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(title)
        intro = QLabel("It stays in interview, with every answer saved; resume it from the Interviews list. "
                       "Set a call-back to have it on the Call-backs screen when it is due.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.callback = QLineEdit()
        self.callback.setPlaceholderText("e.g. tomorrow 10:00, fri 14:30, 24/11 9:30")
        self.callback.setAccessibleName("Call back")
        self.callback.setClearButtonEnabled(True)
        self.outcome = ComboBox()
        self.outcome.setAccessibleName("Outcome")
        for outcome in outcomes:
            self.outcome.addItem(outcome)
        if DEFAULT_OUTCOME in outcomes:
            self.outcome.setCurrentIndex(outcomes.index(DEFAULT_OUTCOME))
        form.addRow("&Call back:", self.callback)
        #: how the box reads what is typed (or why it cannot)
        self.reading = QLabel()
        self.reading.setWordWrap(True)
        self.reading.setAccessibleName("Call-back time as read")
        form.addRow("", self.reading)
        form.addRow("&Outcome:", self.outcome)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        self.set_button = buttons.addButton("Set call-back", QDialogButtonBox.ButtonRole.AcceptRole)
        self.leave_button = buttons.addButton("Leave without call-back", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.leave_button.setToolTip("Leave the interview in interview; no call-back is set")
        self.back_button = buttons.addButton("Go back", QDialogButtonBox.ButtonRole.RejectRole)
        self.back_button.setToolTip("Carry on with the interview")
        self.set_button.setAutoDefault(False)
        self.leave_button.setAutoDefault(False)
        self.back_button.setAutoDefault(False)
        self.set_button.clicked.connect(self.set_callback)
        self.leave_button.clicked.connect(self.leave_without)
        self.back_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.callback.textChanged.connect(self._show_reading)
        if pending:
            self.callback.setText(format_when(pending))
        self._show_reading()
        self.setMinimumWidth(520)

    def outcome_text(self) -> str:
        return self.outcome.currentText()

    def _read(self) -> dt.datetime | None:
        return parse_when(self.callback.text(), self.now())

    def _show_reading(self) -> None:
        try:
            moment = self._read()
        except InvalidValueError as e:
            self.reading.setText(escape(str(e)))
            self.set_button.setDefault(False)
            return
        if moment is None:
            self.reading.setText("No call-back typed.")
        else:
            self.reading.setText(escape(f"Call back {format_when(moment)}."))
        self.set_button.setDefault(moment is not None)
        self.leave_button.setDefault(moment is None)

    def set_callback(self) -> None:
        """Log the call-back typed (the dialog closes), or say why it cannot be read."""
        try:
            moment = self._read()
        except InvalidValueError as e:
            self.reading.setText(escape(str(e)))
            self.callback.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if moment is None:
            self.reading.setText("Type when to call back, or leave without a call-back.")
            self.callback.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if not self.outcome_text():
            self.reading.setText("The study has no attempt outcomes to log the call-back with.")
            return
        self.callback_at = moment
        self.accept()

    def leave_without(self) -> None:
        self.callback_at = None
        self.accept()
