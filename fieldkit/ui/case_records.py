"""The case form's three lists: an organisation's attempts (with the quick-log row), its
contacts and its interviews.

Each panel is handed the case form, and changes data through its ``edit`` (undoable) or
the session's ``call``; after a change the form reloads every panel from the core.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from fieldkit.attempts import CHANNELS, Attempt
from fieldkit.interviews import MODE_LABELS
from fieldkit.organisations import CONTACT_FIELDS, Contact
from fieldkit.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import ATTEMPTS, CONTACTS, ORGANISATIONS
from fieldkit.ui.welcome import buddy_label

if TYPE_CHECKING:
    from fieldkit.ui.case_form import CaseForm

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CHANNEL_LABELS = {"phone": "Phone", "email": "Email", "visit": "Visit", "letter": "Letter"}
CONTACT_LABELS = {"name": "Name", "role": "Role", "phone": "Phone", "email": "Email", "notes": "Notes"}
#: A call-back given as a day with no time is at this hour.
DEFAULT_HOUR = 9
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(am|pm|h)?$")


def format_when(value: str | dt.datetime | None, *, year: bool | None = True) -> str:
    """A stored local time in words a researcher reads at a glance: "Tue 24 Nov 2026, 10:00"
    (``year=None``: the year only when it is not this year)."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    day = f"{DAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]}"
    if year or (year is None and moment.year != dt.date.today().year):
        day += f" {moment.year}"
    return f"{day}, {moment:%H:%M}"


def parse_when(text: str, now: dt.datetime) -> dt.datetime | None:
    """Read a call-back time as people type it: "tomorrow 10", "fri 2:30pm", "24/11 9:30",
    "24 nov", "2026-11-24 10:00", "+2" (days), "+1w", "15:00" (today, or tomorrow once past).

    Returns None for empty text; raises ValueError with a plain-words reason otherwise.
    """
    words = text.strip().lower().replace(",", " ").split()
    if not words:
        return None
    fail = ValueError(f"Cannot read “{text.strip()}” as a call-back time: try “tomorrow 10:00”, "
                      "“fri 14:30” or “24/11 9:30”")
    today = now.date()
    day: dt.date | None = None
    hour_minute: tuple[int, int] | None = None
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else ""
        if following in ("am", "pm"):  # "2 pm"
            word, i = word + following, i + 1
        if word in ("at", "on", "next"):
            pass
        elif word == "today":
            day = today
        elif word in ("tomorrow", "tmrw", "tomorow"):
            day = today + dt.timedelta(days=1)
        elif word == "noon":
            hour_minute = (12, 0)
        elif len(word) >= 3 and any(w.startswith(word) for w in WEEKDAYS):
            wanted = next(n for n, w in enumerate(WEEKDAYS) if w.startswith(word))
            day = today + dt.timedelta(days=(wanted - today.weekday() - 1) % 7 + 1)
        elif m := re.fullmatch(r"\+(\d{1,3})([dw]?)", word):
            day = today + dt.timedelta(days=int(m[1]) * (7 if m[2] == "w" else 1))
        elif m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:t(\d{1,2}:\d{2}))?", word):
            try:
                day = dt.date.fromisoformat(m[1])
            except ValueError:
                raise fail from None
            if m[2]:
                words.insert(i + 1, m[2])
        elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?", word):
            day = _day(int(m[1]), int(m[2]), m[3], today, fail)
        elif word.isdigit() and following[:3].capitalize() in MONTHS:
            year = words[i + 2] if i + 2 < len(words) and re.fullmatch(r"\d{4}", words[i + 2]) else None
            day = _day(int(word), MONTHS.index(following[:3].capitalize()) + 1, year, today, fail)
            i += 2 if year is None else 3
            continue
        elif m := _TIME.fullmatch(word):
            hour, minute = int(m[1]), int(m[2] or 0)
            if m[3] == "pm" and hour < 12:
                hour += 12
            elif m[3] == "am" and hour == 12:
                hour = 0
            if hour > 23 or minute > 59:
                raise fail
            hour_minute = (hour, minute)
        else:
            raise fail
        i += 1
    if day is None and hour_minute is None:
        raise fail
    if day is None:
        day = today
        if dt.datetime.combine(day, dt.time(*hour_minute)) <= now:
            day += dt.timedelta(days=1)
    moment = dt.datetime.combine(day, dt.time(*(hour_minute or (DEFAULT_HOUR, 0))))
    if moment < now.replace(second=0, microsecond=0):
        raise ValueError(f"{format_when(moment)} has already passed")
    return moment


def _day(day: int, month: int, year: str | None, today: dt.date, fail: ValueError) -> dt.date:
    """Day and month (UK order), in the given year or else the next time that date comes round."""
    try:
        if year is not None:
            number = int(year)
            return dt.date(number + 2000 if number < 100 else number, month, day)
        found = dt.date(today.year, month, day)
        return found if found >= today else dt.date(today.year + 1, month, day)
    except ValueError:
        raise fail from None


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setSelectionMode(QAbstractItemView.SingleSelection)
    table.setTabKeyNavigation(False)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setHighlightSections(False)
    return table


def _item(text: str | None, data: Any = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text or "")
    item.setToolTip(text or "")
    if data is not None:
        item.setData(Qt.UserRole, data)
    return item



# --- attempts ------------------------------------------------------------------------------


class AttemptsPanel(QGroupBox):
    """The attempts log, newest first, under a row that logs one in a few keystrokes:
    Ctrl+L, a letter or two of the outcome, optionally a call-back time and a note, Enter."""

    def __init__(self, form: CaseForm):
        super().__init__("Attempts")
        self.form = form
        self.attempts: list[Attempt] = []
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.outcome = QComboBox()
        self.outcome.setAccessibleName("Outcome of the attempt")
        self.outcome.setPlaceholderText("Choose an outcome")
        self.outcome.setMinimumContentsLength(18)
        self.outcome.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.channel = QComboBox()
        self.channel.setAccessibleName("How")
        for channel in CHANNELS:
            self.channel.addItem(CHANNEL_LABELS[channel], channel)
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
        grid.addWidget(buddy_label("Out&come", self.outcome), 0, 0)
        grid.addWidget(self.outcome, 0, 1)
        grid.addWidget(buddy_label("Call &back", self.callback), 0, 2)
        grid.addWidget(self.callback, 0, 3)
        grid.addWidget(buddy_label("Not&e", self.note), 1, 0)
        grid.addWidget(self.note, 1, 1)
        by = QHBoxLayout()
        by.addWidget(buddy_label("By", self.channel))
        by.addWidget(self.channel)
        by.addStretch(1)
        grid.addLayout(by, 1, 2)
        grid.addWidget(self.log_button, 1, 3, Qt.AlignRight)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        layout.addLayout(grid)
        self.hint = QLabel()
        self.hint.setAccessibleName("Attempt hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        order = (self.outcome, self.callback, self.note, self.channel, self.log_button)
        for before, after in zip(order, order[1:]):
            QWidget.setTabOrder(before, after)
        for widget in order[:-1]:
            widget.installEventFilter(self)
        self.table = _table(["When", "By", "Outcome", "Call back", "Note"], "Attempts, newest first")
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        wide = metrics.horizontalAdvance("Wed 30 Nov, 10:00") + 16
        for column, width in ((0, wide), (1, metrics.horizontalAdvance("Letter") + 16), (2, 150), (3, wide)):
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
        self.attempts = self.form.study.attempts.for_organisation(org_id)
        self.table.setRowCount(len(self.attempts))
        for row, a in enumerate(self.attempts):
            values = [format_when(a.at, year=None), CHANNEL_LABELS.get(a.channel, a.channel), a.outcome,
                      format_when(a.callback_at, year=None), a.note]
            for column, value in enumerate(values):
                item = _item(value, a.id)
                if column in (0, 3) and value:
                    item.setToolTip(format_when(a.at if column == 0 else a.callback_at))
                self.table.setItem(row, column, item)
        self.setTitle(f"Attempts ({len(self.attempts)})" if self.attempts else "Attempts")

    def focus_log(self) -> None:
        """Ctrl+L: the outcome drop-down, ready for a letter or two of the outcome."""
        self.outcome.setFocus(Qt.ShortcutFocusReason)

    def _show_callback(self) -> None:
        try:
            moment = parse_when(self.callback.text(), dt.datetime.now())
        except ValueError as e:
            self.hint.setText(str(e))
            return
        if moment is None:
            self.hint.setText("Ctrl+L, the first letters of the outcome, Enter: logged. "
                              "A call-back time and a note are optional.")
        else:
            self.hint.setText(f"Call back {format_when(moment)}. Press Enter to log.")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter) \
                and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            self.log()
            return True
        return super().eventFilter(watched, event)

    def log(self) -> bool:
        """Log the attempt the row describes; on a problem, say so under the row and log nothing."""
        org_id = self.form.org_id
        if org_id is None:
            return False
        if self.outcome.currentIndex() < 0:
            self.hint.setText("Choose an outcome first (type its first letters).")
            self.outcome.setFocus()
            return False
        try:
            callback = parse_when(self.callback.text(), dt.datetime.now())
        except ValueError as e:
            self.hint.setText(str(e))
            self.callback.setFocus()
            return False
        outcome = self.outcome.currentText()
        attempt = self.form.session.call(
            self.form.study.attempts.log, org_id, outcome=outcome, channel=self.channel.currentData(),
            note=self.note.text().strip() or None, callback_at=callback,
            changes={ATTEMPTS, ORGANISATIONS}, what="the attempt")
        if attempt is None:
            return False
        self.outcome.setCurrentIndex(-1)
        self.callback.clear()
        self.note.clear()
        self.channel.setCurrentIndex(0)
        done = f"Logged “{outcome}”" + (f", call back {format_when(callback)}" if callback else "") + "."
        self.hint.setText(done)
        self.form.status_message(done)
        self.outcome.setFocus()
        return True


# --- contacts ------------------------------------------------------------------------------


class ContactDialog(QDialog):
    """A contact's name, role, phone, e-mail and notes."""

    def __init__(self, parent: QWidget, title: str, contact: Contact | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        form = QFormLayout(self)
        self.fields: dict[str, QLineEdit] = {}
        for key in CONTACT_FIELDS:
            edit = QLineEdit(getattr(contact, key) or "" if contact else "")
            edit.setAccessibleName(CONTACT_LABELS[key])
            self.fields[key] = edit
            form.addRow(f"&{CONTACT_LABELS[key]}", edit)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.fields.items()}


class ContactsPanel(QGroupBox):
    """The organisation's contacts: add, edit, remove (each undoable)."""

    def __init__(self, form: CaseForm):
        super().__init__("Contacts")
        self.form = form
        self.contacts: list[Contact] = []
        self.dialog: ContactDialog | None = None
        layout = QVBoxLayout(self)
        self.table = _table([CONTACT_LABELS[k] for k in CONTACT_FIELDS], "Contacts")
        header = self.table.horizontalHeader()
        for column, width in ((1, 100), (2, 100)):
            header.resizeSection(column, width)
        for column in (0, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.Stretch)
        self.table.doubleClicked.connect(lambda _: self.edit_contact())
        self.table.installEventFilter(self)
        self.table.itemSelectionChanged.connect(self._enable)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add contact…")
        self.add_button.clicked.connect(self.add_contact)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setAccessibleName("Edit the contact")
        self.edit_button.clicked.connect(self.edit_contact)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName("Remove the contact")
        self.remove_button.clicked.connect(self.remove_contact)
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._enable()

    def load(self, org_id: int) -> None:
        selected = self.selected()
        self.contacts = self.form.study.organisations.contacts(org_id)
        self.table.setRowCount(len(self.contacts))
        for row, c in enumerate(self.contacts):
            for column, key in enumerate(CONTACT_FIELDS):
                self.table.setItem(row, column, _item(getattr(c, key), c.id))
            if selected is not None and c.id == selected.id:
                self.table.selectRow(row)
        self.setTitle(f"Contacts ({len(self.contacts)})" if self.contacts else "Contacts")
        self._enable()

    def selected(self) -> Contact | None:
        rows = self.table.selectionModel().selectedRows()
        return self.contacts[rows[0].row()] if rows and rows[0].row() < len(self.contacts) else None

    def _enable(self) -> None:
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.KeyPress:
            if event.key() in (Qt.Key_Return, Qt.Key_Enter):
                self.edit_contact()
                return True
            if event.key() == Qt.Key_Delete:
                self.remove_contact()
                return True
        return super().eventFilter(watched, event)

    def _open(self, title: str, contact: Contact | None, done) -> ContactDialog:
        dialog = ContactDialog(self, title, contact)
        dialog.accepted.connect(lambda: done(dialog.values()))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def add_contact(self) -> ContactDialog:
        return self._open("Add a contact", None, self._add)

    def _add(self, values: dict[str, str]) -> None:
        org_id = self.form.org_id
        if org_id is None or not any(values.values()):
            return
        orgs = self.form.study.organisations
        added: list[Contact] = []

        def do() -> None:
            if added:
                orgs.restore_contact(added[0])
            else:
                added.append(orgs.contact(orgs.add_contact(org_id, **values)))

        self.form.edit(f"add the contact {values['name']}".strip(), do,
                       lambda: orgs.delete_contact(added[0].id), {CONTACTS})

    def edit_contact(self) -> ContactDialog | None:
        contact = self.selected()
        if contact is None:
            return None
        return self._open("Edit the contact", contact, lambda values: self._edit(contact, values))

    def _edit(self, contact: Contact, values: dict[str, str]) -> None:
        orgs = self.form.study.organisations
        new = {k: v for k, v in values.items() if v != (getattr(contact, k) or "")}
        if not new:
            return
        old = {k: getattr(contact, k) for k in new}
        self.form.edit(f"change the contact {contact.name}".strip(), lambda: orgs.update_contact(contact.id, **new),
                       lambda: orgs.update_contact(contact.id, **old), {CONTACTS})

    def remove_contact(self) -> None:
        contact = self.selected()
        if contact is None:
            return
        orgs = self.form.study.organisations
        if self.form.edit(f"remove the contact {contact.name}".strip(), lambda: orgs.delete_contact(contact.id),
                          lambda: orgs.restore_contact(contact), {CONTACTS}):
            self.form.status_message(f"Removed {contact.name or 'the contact'}. Edit ▸ Undo puts them back.")


# --- interviews ----------------------------------------------------------------------------


class InterviewsPanel(QGroupBox):
    """The organisation's interviews; start a new one or go back into one."""

    def __init__(self, form: CaseForm):
        super().__init__("Interviews")
        self.form = form
        self.interview_ids: list[int] = []
        self.completed: list[bool] = []
        layout = QVBoxLayout(self)
        self.table = _table(["Date", "Mode", "Interviewer", "State"], "Interviews")
        header = self.table.horizontalHeader()
        for column, width in enumerate((110, 110, 150)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _: self.resume())
        self.table.itemSelectionChanged.connect(self._enable)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start interview")
        self.start_button.clicked.connect(self.start)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setAccessibleName("Resume the interview")
        self.resume_button.clicked.connect(self.resume)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.resume_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._enable()

    def load(self, org_id: int) -> None:
        interviews = self.form.study.interviews.for_organisation(org_id)
        self.interview_ids = [iv.id for iv in interviews]
        self.completed = [iv.completed is not None for iv in interviews]
        self.table.setRowCount(len(interviews))
        open_row = None
        for row, iv in enumerate(interviews):
            state = f"Completed {iv.completed[:10]}" if iv.completed else "In progress"
            if not iv.completed:
                open_row = row
            for column, value in enumerate((iv.date, MODE_LABELS.get(iv.mode, iv.mode), iv.interviewer, state)):
                self.table.setItem(row, column, _item(value, iv.id))
        if open_row is not None:
            self.table.selectRow(open_row)
        elif interviews:
            self.table.selectRow(len(interviews) - 1)
        self.setTitle(f"Interviews ({len(interviews)})" if interviews else "Interviews")
        self._enable()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.interview_ids[rows[0].row()] if rows else None

    def _enable(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        done = bool(rows) and self.completed[rows[0].row()]
        self.resume_button.setEnabled(bool(rows))
        self.resume_button.setText("Open" if done else "Resume")
        self.resume_button.setAccessibleName("Open the interview" if done else "Resume the interview")

    def start(self) -> None:
        if self.form.org_id is not None and self.form.window_ is not None:
            self.form.commit_pending()
            self.form.window_.start_interview(self.form.org_id)

    def resume(self) -> None:
        interview_id = self.selected_id()
        if interview_id is not None and self.form.window_ is not None:
            self.form.commit_pending()
            self.form.window_.resume_interview(interview_id)
