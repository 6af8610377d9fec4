"""The case form's lists of contacts and interviews (with their results and length), and what
its panels share; the attempts log is in fieldkit.ui.case_attempts.

Each panel is handed the case form, and changes data through its ``edit`` (undoable) or
the session's ``call``; after a change the form reloads every panel from the core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fieldkit.contact_details import display_phone
from fieldkit.fieldwork import RESULT_LABELS
from fieldkit.interviews import MODE_LABELS, Interview
from fieldkit.organisations import CONTACT_FIELDS, Contact
from fieldkit.ui.qt import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QLineEdit,
    QObject,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui import icons
from fieldkit.ui.contact_warnings import FieldWarning, checker
from fieldkit.ui.interview_list import length_text
from fieldkit.ui.session import CONTACTS

if TYPE_CHECKING:
    from fieldkit.ui.case_form import CaseForm

CONTACT_LABELS = {"name": "Name", "role": "Role", "phone": "Phone", "email": "Email", "notes": "Notes"}


def table_widget(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setHighlightSections(False)
    return table


def table_item(text: str | None, data: Any = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text or "")
    item.setToolTip(text or "")
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def duration_text(seconds: int | float | None, *, clock: bool = False) -> str:
    """A call's or interview's length as a clock reads: "0:42", "12:05", "1:02:05" (``clock``:
    minutes always two digits, "00:42", as a running timer shows them)."""
    if seconds is None:
        return ""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    if hours:
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{rest // 60:02d}:{rest % 60:02d}" if clock else f"{rest // 60}:{rest % 60:02d}"


# --- contacts ------------------------------------------------------------------------------


def contact_shown(contact: Contact, key: str, country: str) -> str:
    """A contact's field as screens show it: the phone number in its national form."""
    value = getattr(contact, key) or ""
    return display_phone(value, country) if key == "phone" else value


class ContactDialog(QDialog):
    """A contact's name, role, phone, e-mail and notes; the phone and e-mail warned about
    as they are typed, never refused."""

    def __init__(self, parent: QWidget, title: str, contact: Contact | None = None, country: str = "GB"):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        form = QFormLayout(self)
        self.fields: dict[str, QLineEdit] = {}
        self.warnings: dict[str, FieldWarning] = {}
        #: What each field showed when the dialog opened (the phone in its national form).
        self.shown = {key: contact_shown(contact, key, country) if contact else "" for key in CONTACT_FIELDS}
        for key in CONTACT_FIELDS:
            edit = QLineEdit(self.shown[key])
            edit.setAccessibleName(CONTACT_LABELS[key])
            self.fields[key] = edit
            form.addRow(f"&{CONTACT_LABELS[key]}", edit)
            if key in ("phone", "email"):
                warning = FieldWarning(edit, checker(key, lambda: country), CONTACT_LABELS[key])
                self.warnings[key] = warning.place_in(form)
                warning.refresh()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
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
        self.table = table_widget([CONTACT_LABELS[k] for k in CONTACT_FIELDS], "Contacts")
        header = self.table.horizontalHeader()
        # The phone column holds an international number whole ("+48 12 345 67 89").
        phone_width = max(100, self.table.fontMetrics().horizontalAdvance("+48 12 345 67 89") + 16)
        for column, width in ((1, 100), (2, phone_width)):
            header.resizeSection(column, width)
        for column in (0, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _: self.edit_contact())
        self.table.installEventFilter(self)
        self.table.itemSelectionChanged.connect(self._enable)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(icons.icon("add"), "Add contact…")
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
        country = self.form.study.country
        for row, c in enumerate(self.contacts):
            for column, key in enumerate(CONTACT_FIELDS):
                self.table.setItem(row, column, table_item(contact_shown(c, key, country), c.id))
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
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.edit_contact()
                return True
            if event.key() == Qt.Key.Key_Delete:
                self.remove_contact()
                return True
        return super().eventFilter(watched, event)

    def _open(self, title: str, contact: Contact | None, done) -> ContactDialog:
        dialog = ContactDialog(self, title, contact, self.form.study.country)
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

        self.form.edit(f"addition of {_contact_words(values['name'])}", do,
                       lambda: orgs.delete_contact(added[0].id), {CONTACTS})

    def edit_contact(self) -> ContactDialog | None:
        contact = self.selected()
        if contact is None:
            return None
        return self._open("Edit the contact", contact, lambda values: self._edit(contact, values))

    def _edit(self, contact: Contact, values: dict[str, str]) -> None:
        orgs = self.form.study.organisations
        country = self.form.study.country
        new = {k: v for k, v in values.items() if v != contact_shown(contact, k, country)}
        if not new:
            return
        old = {k: getattr(contact, k) for k in new}
        self.form.edit(f"change to {_contact_words(contact.name)}", lambda: orgs.update_contact(contact.id, **new),
                       lambda: orgs.update_contact(contact.id, **old), {CONTACTS})

    def remove_contact(self) -> None:
        contact = self.selected()
        if contact is None:
            return
        orgs = self.form.study.organisations
        if self.form.edit(f"removal of {_contact_words(contact.name)}", lambda: orgs.delete_contact(contact.id),
                          lambda: orgs.restore_contact(contact), {CONTACTS}):
            self.form.status_message(f"Removed {contact.name or 'the contact'}. Edit ▸ Undo puts them back.")


def _contact_words(name: str | None) -> str:
    """A contact as an undoable change names it: "the contact Hodan Warsame", or "a contact"."""
    return f"the contact {name.strip()}" if name and name.strip() else "a contact"


# --- interviews ----------------------------------------------------------------------------


def interview_state(iv: Interview) -> str:
    """ "In interview", "Complete 2026-11-10", "Break-off 2026-11-12", with the time spent in
    its sittings when known: "Partial 2026-11-10 · 42 min in 2 sittings"."""
    if iv.result is None and iv.completed is None:
        state = "In interview"
    else:
        label = RESULT_LABELS.get(iv.result or "", "Finished")
        state = f"{label} {iv.completed[:10]}" if iv.completed else label
    if iv.seconds:
        state += f" · {length_text(iv.seconds)}"
        if iv.sittings and iv.sittings > 1:
            state += f" in {iv.sittings} sittings"
    return state


class InterviewsPanel(QGroupBox):
    """The organisation's interviews; start a new one or go back into one."""

    def __init__(self, form: CaseForm):
        super().__init__("Interviews")
        self.form = form
        self.interview_ids: list[int] = []
        self.completed: list[bool] = []
        layout = QVBoxLayout(self)
        self.table = table_widget(["Date", "Mode", "Interviewer", "State"], "Interviews")
        header = self.table.horizontalHeader()
        for column, width in enumerate((110, 110, 150)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _: self.resume())
        self.table.itemSelectionChanged.connect(self._enable)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.start_button = QPushButton(icons.icon("start_interview"), "Start interview")
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
            state = interview_state(iv)
            if not iv.completed:
                open_row = row
            for column, value in enumerate((iv.date, MODE_LABELS.get(iv.mode, iv.mode), iv.interviewer, state)):
                self.table.setItem(row, column, table_item(value, iv.id))
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
