"""The case form's attempts: the log of every try at reaching the organisation, newest first,
under a row that logs one in a few keystrokes, with the number tried, a call timer and the
call-back the fieldwork rules propose (``Attempts.propose``; the rules are the core's).

The panel is handed the case form, and changes data through its ``edit`` (undoable) or the
session's ``call``; after a change the form reloads every panel from the core.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from fieldkit.attempts import CHANNELS, Attempt, Proposal
from fieldkit.callback_times import format_when, parse_when
from fieldkit.contact_details import display_phone
from fieldkit.errors import InvalidValueError
from fieldkit.ui.case_records import duration_text, table_item, table_widget
from fieldkit.ui.numbers import number_text
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QComboBox,
    QEvent,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QMessageBox,
    QObject,
    QPalette,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import ATTEMPTS, ORGANISATIONS
from fieldkit.ui.welcome import buddy_label

if TYPE_CHECKING:
    from fieldkit.ui.case_form import CaseForm

#: The columns of the attempts table.
#: "By" shows the number or address tried, else the channel.
ATTEMPT_COLUMNS = ("When", "By", "Outcome", "Length", "Call back", "Note")
CHANNEL_LABELS = {"phone": "Phone", "email": "Email", "visit": "Visit", "letter": "Letter"}
def means_wrong_number(form: CaseForm, outcome: str) -> bool:
    """Whether an outcome says the number itself was wrong (the core's rule)."""
    return form.study.template.outcome_rule(outcome).means_wrong_number(outcome)


#: How a proposed closing status is asked about.
CLOSE_WORDS = {"unreachable": "not reached", "declined": "declined", "excluded": "excluded"}


class AttemptsPanel(QGroupBox):
    """The attempts log, newest first, under a row that logs one in a few keystrokes:
    Ctrl+L, a letter or two of the outcome, optionally a call-back time and a note, Enter.

    Above it, the number or address tried and a call timer ("Start call" when dialling);
    choosing an outcome proposes the call-back the study's rules give, and when the rules say
    the calling should end, logging asks whether to record that status."""

    def __init__(self, form: CaseForm):
        super().__init__("Attempts")
        self.form = form
        self.attempts: list[Attempt] = []
        #: The clocks read (tests set fixed ones): the local time, and the call timer's.
        self.now: Callable[[], dt.datetime] = dt.datetime.now
        self.clock: Callable[[], float] = time.monotonic
        self._org_id: int | None = None
        self._proposed = ""  # the call-back text last proposed (replaced while untouched)
        self._call_started: float | None = None
        self._call_seconds: float | None = None  # once the call is ended
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.channel = ComboBox()
        self.channel.setAccessibleName("How")
        for channel in CHANNELS:
            self.channel.addItem(CHANNEL_LABELS[channel], channel)
        self.channel.currentIndexChanged.connect(lambda _: self._fill_tried())
        self.tried = ComboBox()
        self.tried.setAccessibleName("Number or address tried")
        self.tried.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.tried.setMinimumContentsLength(13)  # a phone number whole; an email address elides
        self.call_button = QPushButton("Star&t call")
        self.call_button.setAccessibleName("Start the call timer")
        self.call_button.setToolTip("Start timing the call as you dial; the time is kept with the attempt")
        self.call_button.clicked.connect(self.toggle_call)
        self.call_time = QLabel("00:00")
        self.call_time.setAccessibleName("Call time")
        self.call_time.setMinimumWidth(self.call_time.fontMetrics().horizontalAdvance("00:00") + 4)  # an hour widens it
        self.call_time.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.call_time.setEnabled(False)
        self._ticker = QTimer(self)
        self._ticker.setInterval(500)
        self._ticker.timeout.connect(self._show_call_time)
        self.outcome = ComboBox()
        self.outcome.setAccessibleName("Outcome of the attempt")
        self.outcome.setPlaceholderText("Choose an outcome")
        self.outcome.setMinimumContentsLength(13)  # longer outcomes elide (the open list shows them)
        self.outcome.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.outcome.currentIndexChanged.connect(lambda _: self._propose())
        self.callback = QLineEdit()
        self.callback.setAccessibleName("Call back at")
        self.callback.setPlaceholderText("e.g. tomorrow 10:00")
        self.callback.setToolTip("For example: tomorrow 10:00, fri 2pm, 24/11 9:30, +2 (days), 2026-11-30 14:00")
        self.callback.textChanged.connect(self._show_callback)
        self.note = QLineEdit()
        self.note.setAccessibleName("Note on the attempt")
        self.note.setPlaceholderText("Optional")
        self.log_button = QPushButton("Log")
        self.log_button.setAccessibleName("Log the attempt")
        self.log_button.setToolTip("Log the attempt (Enter)")
        self.log_button.clicked.connect(self.log)
        grid.addWidget(buddy_label("By", self.channel), 0, 0)
        call = QHBoxLayout()
        call.addWidget(self.channel)
        call.addSpacing(6)
        call.addWidget(buddy_label("T&ried", self.tried))
        call.addWidget(self.tried, 1)
        call.addSpacing(6)
        call.addWidget(self.call_button)
        call.addWidget(self.call_time)
        grid.addLayout(call, 0, 1, 1, 3)
        grid.addWidget(buddy_label("Out&come", self.outcome), 1, 0)
        grid.addWidget(self.outcome, 1, 1)
        grid.addWidget(buddy_label("Call &back", self.callback), 1, 2)
        grid.addWidget(self.callback, 1, 3)
        grid.addWidget(buddy_label("Not&e", self.note), 2, 0)
        grid.addWidget(self.note, 2, 1, 1, 2)
        grid.addWidget(self.log_button, 2, 3, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        layout.addLayout(grid)
        self.why = QLabel()
        self.why.setAccessibleName("What the fieldwork rules propose")
        self.why.setWordWrap(True)
        font = self.why.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.why.setFont(font)
        self.why.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.why.hide()
        layout.addWidget(self.why)
        self.hint = QLabel()
        self.hint.setAccessibleName("Attempt hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        order = (self.channel, self.tried, self.call_button, self.outcome, self.callback, self.note, self.log_button)
        for before, after in pairwise(order):
            QWidget.setTabOrder(before, after)
        for widget in (self.channel, self.tried, self.outcome, self.callback, self.note):
            widget.installEventFilter(self)
        self.table = table_widget(list(ATTEMPT_COLUMNS), "Attempts, newest first")
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        wide = metrics.horizontalAdvance("Wed 30 Nov, 10:00") + 16
        for column, width in ((0, wide), (1, metrics.horizontalAdvance("0121 496 0000") + 16), (2, 150),
                              (3, metrics.horizontalAdvance("Length") + 16), (4, wide)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self._fill_outcomes()
        self._show_callback()

    def _fill_outcomes(self) -> None:
        self.outcome.clear()
        for outcome in self.form.study.template.outcomes:
            self.outcome.addItem(outcome)
        self.outcome.setCurrentIndex(-1)

    def template_changed(self) -> None:
        self._fill_outcomes()

    def load(self, org_id: int) -> None:
        if org_id != self._org_id:  # another organisation: a fresh row, and no word of the last one's
            self._org_id = org_id
            self._reset_row()
            self._show_callback()
        self.attempts = self.form.study.attempts.for_organisation(org_id)
        self.table.setRowCount(len(self.attempts))
        country = self.form.study.country
        for row, a in enumerate(self.attempts):
            channel = CHANNEL_LABELS.get(a.channel, a.channel)
            tried = display_phone(a.tried, country) if a.tried and a.channel == "phone" else a.tried
            values = [format_when(a.at, year=None), tried or channel, a.outcome,
                      duration_text(a.seconds), format_when(a.callback_at, year=None), a.note]
            for column, value in enumerate(values):
                item = table_item(value, a.id)
                if column in (0, 4) and value:
                    item.setToolTip(format_when(a.at if column == 0 else a.callback_at))
                elif column == 1 and tried:
                    item.setToolTip(f"{channel}: {tried}")
                elif column == 3 and value:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    item.setToolTip(f"The call took {value}")
                self.table.setItem(row, column, item)
        self.setTitle(f"Attempts ({len(self.attempts)})" if self.attempts else "Attempts")
        self._fill_tried()

    def _fill_tried(self) -> None:
        """The working numbers (or email addresses) to pick the one tried from; keeps the pick."""
        org_id = self.form.org_id
        kind = {"phone": "phone", "email": "email"}.get(self.channel.currentData())
        current = self.tried.currentData()
        self.tried.clear()
        if org_id is None or kind is None:
            self.tried.setPlaceholderText("—")
            self.tried.setEnabled(False)
            return
        numbers = self.form.study.numbers.working(org_id, kind)
        names = {c.id: c.name or "" for c in self.form.study.organisations.contacts(org_id)}
        for n in numbers:
            self.tried.addItem(number_text(n, names, self.form.study.country), n.value)
        self.tried.setPlaceholderText(f"No {'number' if kind == 'phone' else 'address'} recorded")
        self.tried.setEnabled(bool(numbers))
        self.tried.setCurrentIndex(max(self.tried.findData(current), 0) if numbers else -1)

    def _reset_row(self) -> None:
        self._stop_timer(reset=True)
        self._proposed = ""
        self.outcome.setCurrentIndex(-1)
        self.callback.clear()
        self.note.clear()
        self.channel.setCurrentIndex(0)
        self.why.hide()

    def focus_log(self) -> None:
        """Ctrl+L: the outcome drop-down, ready for a letter or two of the outcome."""
        self.outcome.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- the call timer --------------------------------------------------------------------

    def toggle_call(self) -> None:
        """Start timing the call, or end it (the time then waits for the attempt to be logged)."""
        if self._call_started is None:
            self._call_started, self._call_seconds = self.clock(), None
            self._ticker.start()
            self.call_time.setEnabled(True)
            self.call_button.setText("End call")
            self.call_button.setAccessibleName("End the call timer")
        else:
            self._stop_timer()
        self._show_call_time()

    def call_seconds(self) -> float | None:
        """How long the call has taken (None when it was not timed)."""
        if self._call_started is not None:
            return max(0.0, self.clock() - self._call_started)
        return self._call_seconds

    def _stop_timer(self, *, reset: bool = False) -> None:
        self._call_seconds = None if reset else self.call_seconds()
        self._call_started = None
        self._ticker.stop()
        self.call_button.setText("Star&t call")
        self.call_button.setAccessibleName("Start the call timer")
        self.call_time.setEnabled(not reset and self._call_seconds is not None)
        self._show_call_time()

    def _show_call_time(self) -> None:
        seconds = self.call_seconds()
        self.call_time.setText(duration_text(seconds or 0, clock=True))
        self.call_time.setToolTip("" if seconds is None else f"The call has taken {duration_text(seconds)}")

    # --- the proposal and the call-back ----------------------------------------------------

    def _propose(self) -> None:
        """The call-back the rules propose for the outcome chosen, in the box unless the
        researcher has typed one; and why, in a small line."""
        org_id = self.form.org_id
        if org_id is None or self.outcome.currentIndex() < 0:
            self.why.hide()
            if self._proposed and self.callback.text() == self._proposed:
                self.callback.clear()
            self._proposed = ""
            return
        outcome = self.outcome.currentText()
        try:
            proposal = self.form.study.attempts.propose(org_id, outcome, now=self.now())
        except InvalidValueError as e:  # the template changed under the form
            self.why.setText(str(e))
            self.why.show()
            return
        text = format_when(proposal.callback_at) if proposal.callback_at else ""
        if self.callback.text().strip() in ("", self._proposed):
            self.callback.setText(text)
            self._proposed = text
        why = proposal.why[:1].upper() + proposal.why[1:] + "."
        if proposal.close_as in ("unreachable", "declined"):
            why += f" Logging it asks whether to record the organisation as {CLOSE_WORDS[proposal.close_as]}."
        elif proposal.close_as == "excluded":
            why += " Once logged, record the exclusion and its reason in the Status box."
        if means_wrong_number(self.form, outcome):
            why += " Logging it offers to strike the number tried through."
        self.why.setText(why)
        self.why.show()

    def _show_callback(self) -> None:
        try:
            moment = parse_when(self.callback.text(), self.now())
        except InvalidValueError as e:
            self.hint.setText(str(e))
            return
        if moment is None:
            self.hint.setText("Ctrl+L, the first letters of the outcome, Enter: logged. "
                              "A call-back time and a note are optional.")
        else:
            self.hint.setText(f"Call back {format_when(moment)}. Press Enter to log.")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            self.log()
            return True
        return super().eventFilter(watched, event)

    # --- logging ---------------------------------------------------------------------------

    def log(self) -> bool:
        """Log the attempt the row describes; on a problem, say so under the row and log nothing.
        Then, as the rules propose, offer to strike a wrong number through and ask whether to
        close the organisation."""
        org_id = self.form.org_id
        if org_id is None:
            return False
        if self.outcome.currentIndex() < 0:
            self.hint.setText("Choose an outcome first (type its first letters).")
            self.outcome.setFocus()
            return False
        now = self.now()
        try:
            callback = parse_when(self.callback.text(), now)
        except InvalidValueError as e:
            self.hint.setText(str(e))
            self.callback.setFocus()
            return False
        outcome = self.outcome.currentText()
        study = self.form.study
        try:
            proposal = study.attempts.propose(org_id, outcome, now=now)  # before this attempt counts
        except InvalidValueError:
            proposal = None
        tried = self.tried.currentData() if self.tried.isEnabled() else None
        seconds = self.call_seconds()
        attempt = self.form.session.call(
            study.attempts.log, org_id, outcome=outcome, channel=self.channel.currentData(),
            note=self.note.text().strip() or None, callback_at=callback, tried=tried,
            seconds=None if seconds is None else round(seconds),
            changes={ATTEMPTS, ORGANISATIONS}, what="the attempt")
        if attempt is None:
            return False
        self._reset_row()
        self.tried.setCurrentIndex(0 if self.tried.count() else -1)  # the next try starts at the first
        done = f"Logged “{outcome}”" + (f", call back {format_when(callback)}" if callback else "") + "."
        self.hint.setText(done)
        self.form.status_message(done)
        self.outcome.setFocus()  # ready for the next (unless the status box is the next thing)
        if tried and means_wrong_number(self.form, outcome):
            self._offer_strike(org_id, tried)
        if proposal is not None and proposal.close_as:
            self._offer_close(proposal)
        return True

    def _offer_strike(self, org_id: int, tried: str) -> None:
        number = next((n for n in self.form.study.numbers.for_organisation(org_id)
                       if n.value == tried and not n.wrong), None)
        if number is None:
            return
        shown = display_phone(tried, self.form.study.country)
        if ask(self, "Wrong number", f"Strike {shown} through as wrong?",
               "It stays listed, struck through, so nobody tries it again or types it back in; "
               "the next number moves up."):
            self.form.numbers.mark(number, True)

    def _offer_close(self, proposal: Proposal) -> None:
        """Ask whether to set the status the rules propose; never set it silently."""
        assert proposal.close_as is not None  # offered only when the rules end the calling
        org = self.form.org
        if org is None or org.status == proposal.close_as:
            return
        why = proposal.why[:1].upper() + proposal.why[1:] + "."
        if proposal.close_as == "excluded":  # a reason is needed: the status box asks for it
            self.hint.setText(f"{why} To record {org.name} as excluded, choose Excluded in the Status box "
                              "and the reason.")
            self.form.status.setFocus()
            return
        words = CLOSE_WORDS.get(proposal.close_as, proposal.close_as)
        if ask(self, "End the calling?", f"Record {org.name} as {words}?", why) \
                and self.form.set_status(proposal.close_as, None):
            self.hint.setText(f"Recorded {org.name} as {words}. Edit ▸ Undo takes it back.")


def ask(parent: QWidget, title: str, text: str, detail: str = "") -> bool:
    """A yes-or-no question (No by default)."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    if detail:
        box.setInformativeText(detail)
    return box.exec() == QMessageBox.StandardButton.Yes
