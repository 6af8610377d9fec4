"""The case form's list of every phone number and email address of an organisation and its
contacts (fieldkit/numbers.py): add one, strike a wrong one through (or bring it back), and
remove one typed by mistake.

The first phone and email of the organisation stay in its Phone and Email fields above the
list; striking the first one through moves the next working one into its place. Changes go
through ``session.call``, so the Phone and Email fields, the contacts and the Call-backs
screen redraw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldkit.contact_details import DEFAULT_COUNTRY, display_phone
from fieldkit.numbers import KINDS, Number
from fieldkit.ui.case_records import table_widget
from fieldkit.ui.contact_warnings import FieldWarning, checker
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QLineEdit,
    QMessageBox,
    QObject,
    QPushButton,
    Qt,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import CONTACTS, ORGANISATIONS

if TYPE_CHECKING:
    from fieldkit.ui.case_form import CaseForm

KIND_LABELS = {"phone": "Phone", "email": "Email"}
#: Rows shown before the list scrolls.
VISIBLE_ROWS = 5
WRONG = "wrong: struck through, not to be tried again"


def owner_name(number: Number, contacts: dict[int, str]) -> str:
    """Whose a number is, in a word: "Organisation", or the contact's name."""
    if number.contact_id is None:
        return "Organisation"
    return contacts.get(number.contact_id) or "A contact"


def shown_value(number: Number, country: str = DEFAULT_COUNTRY) -> str:
    """A number or address as screens show it: a phone number stored in E.164 in its national
    form for the study's ``country`` (fieldkit.contact_details)."""
    return display_phone(number.value, country) if number.kind == "phone" else number.value


def number_text(number: Number, contacts: dict[int, str], country: str = DEFAULT_COUNTRY) -> str:
    """How a number is offered in a pick list: "0121 496 0001", "07700 900123 (Hodan Warsame, mobile)"."""
    whose = [contacts.get(number.contact_id) or "a contact"] if number.contact_id is not None else []
    extra = ", ".join(whose + ([number.label] if number.label else []))
    value = shown_value(number, country)
    return f"{value} ({extra})" if extra else value


class AddNumberDialog(QDialog):
    """A further phone number or email address: its kind, the value, whose it is, a label."""

    def __init__(self, parent: QWidget, org_name: str, contacts: dict[int, str], kind: str = "phone",
                 country: str = DEFAULT_COUNTRY):
        super().__init__(parent)
        self.setWindowTitle("Add a phone number or email address")
        self.setMinimumWidth(420)
        form = QFormLayout(self)
        self.kind = ComboBox()
        self.kind.setAccessibleName("Kind")
        for k in KINDS:
            self.kind.addItem(KIND_LABELS[k], k)
        self.kind.setCurrentIndex(max(self.kind.findData(kind), 0))
        self.value = QLineEdit()
        self.value.setAccessibleName("Number or address")
        self.whose = ComboBox()
        self.whose.setAccessibleName("Whose")
        self.whose.addItem(f"The organisation ({org_name})", None)
        for contact_id, name in contacts.items():
            self.whose.addItem(name or "A contact (no name)", contact_id)
        self.label = QLineEdit()
        self.label.setAccessibleName("Label")
        self.label.setPlaceholderText("Optional, e.g. reception, mobile")
        form.addRow("&Kind", self.kind)
        form.addRow("&Number or address", self.value)
        # Warned about as typed, for the kind chosen; never refused for it.
        self.warning = FieldWarning(self.value, lambda text: checker(self.kind.currentData(), lambda: country)(text),
                                    "Number or address").place_in(form)
        self.kind.currentIndexChanged.connect(lambda _: self.warning.refresh())
        form.addRow("&Whose", self.whose)
        form.addRow("&Label", self.label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        #: Called with the dialog on OK; the dialog closes only when it returns True.
        self.on_ok = lambda dialog: True

    def accept(self) -> None:
        if self.on_ok(self):
            super().accept()


class NumbersPanel(QWidget):
    """Every number and address of the organisation and its contacts, wrong ones struck through."""

    def __init__(self, form: CaseForm):
        super().__init__()
        self.form = form
        self.numbers: list[Number] = []
        self.contact_names: dict[int, str] = {}
        self.dialog: AddNumberDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = table_widget(["Number or email", "Kind", "Whose"], "Phone numbers and email addresses")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.installEventFilter(self)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add…")
        self.add_button.setAccessibleName("Add a phone number or email address")
        self.add_button.clicked.connect(self.add_number)
        self.wrong_button = QPushButton("Mark as wrong")
        self.wrong_button.setToolTip("Strike it through: it stays listed, so nobody tries it again or types it back in")
        self.wrong_button.clicked.connect(self.toggle_wrong)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName("Remove the number")
        self.remove_button.setToolTip("Only for a number typed by mistake: a wrong one is struck through instead")
        self.remove_button.clicked.connect(self.remove_number)
        for button in (self.add_button, self.wrong_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._enable()

    # --- showing -------------------------------------------------------------------------------

    def load(self, org_id: int) -> None:
        study = self.form.study
        chosen = self.selected()
        self.numbers = study.numbers.for_organisation(org_id)
        self.contact_names = {c.id: c.name or "" for c in study.organisations.contacts(org_id)}
        self.table.setRowCount(len(self.numbers))
        country = study.country
        for row, n in enumerate(self.numbers):
            whose = owner_name(n, self.contact_names) + (f", {n.label}" if n.label else "")
            for column, text in enumerate((shown_value(n, country), KIND_LABELS.get(n.kind, n.kind), whose)):
                item = QTableWidgetItem(text)
                tip = text
                if n.wrong:
                    font = item.font()
                    font.setStrikeOut(True)
                    item.setFont(font)
                    item.setForeground(self.palette().placeholderText())
                    item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "(wrong)")
                    tip = f"{text} ({WRONG})" if column == 0 else text
                elif n.main and column == 0:
                    tip = f"{text} (the first {'phone number' if n.kind == 'phone' else 'email address'}, "\
                          "shown in the field above)" if n.contact_id is None else f"{text} (in the contact's record)"
                item.setToolTip(tip)
                self.table.setItem(row, column, item)
            if chosen is not None and _same(n, chosen):
                self.table.selectRow(row)
        rows = min(max(len(self.numbers), 1), VISIBLE_ROWS)
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + rows * self.table.verticalHeader().defaultSectionSize()
                                  + 2 * self.table.frameWidth())
        self._enable()

    def selected(self) -> Number | None:
        rows = self.table.selectionModel().selectedRows()
        return self.numbers[rows[0].row()] if rows and rows[0].row() < len(self.numbers) else None

    def _enable(self) -> None:
        number = self.selected()
        self.wrong_button.setEnabled(number is not None)
        wrong = number is not None and number.wrong
        self.wrong_button.setText("Not wrong after all" if wrong else "Mark as wrong")
        self.wrong_button.setAccessibleName("Not wrong after all" if wrong else "Mark the number as wrong")
        self.remove_button.setEnabled(number is not None and not number.main)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Delete:
            self.remove_number()
            return True
        return super().eventFilter(watched, event)

    # --- changing ------------------------------------------------------------------------------

    def _call(self, fn, *args, what: str, **kwargs) -> bool:
        """A change through the session; True once made."""
        return self.form.session.run(fn, *args, changes={ORGANISATIONS, CONTACTS}, what=what, **kwargs)

    def add_number(self) -> AddNumberDialog | None:
        org = self.form.org
        if org is None:
            return None
        self.form.commit_pending()  # a Phone or Email typed above counts as the first one
        dialog = AddNumberDialog(self, org.name, self.contact_names, country=self.form.study.country)
        dialog.on_ok = self._add
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _add(self, dialog: AddNumberDialog) -> bool:
        org_id = self.form.org_id
        if org_id is None:
            return True
        kind, value = dialog.kind.currentData(), dialog.value.text().strip()
        if not value:
            dialog.value.setFocus()
            return False
        done = self._call(self.form.study.numbers.add, org_id, kind, value, contact_id=dialog.whose.currentData(),
                          label=dialog.label.text().strip() or None, what=f"adding {value}")
        if done:
            self.form.status_message(f"Added {value}.")
        return done

    def toggle_wrong(self) -> bool:
        """Strike the chosen number through, or bring a struck one back."""
        number = self.selected()
        if number is None:
            return False
        wrong = not number.wrong
        return self.mark(number, wrong)

    def mark(self, number: Number, wrong: bool = True) -> bool:
        done = self._call(self.form.study.numbers.mark_wrong, number, wrong,
                          what=f"marking {number.value} as {'wrong' if wrong else 'working'}")
        if done:
            value = shown_value(number, self.form.study.country)
            self.form.status_message(f"{value} struck through as wrong." if wrong
                                     else f"{value} is no longer marked wrong.")
        return done

    def remove_number(self) -> bool:
        """Remove a further number, once the researcher confirms it was typed by mistake."""
        number = self.selected()
        if number is None or number.main:
            return False
        answer = QMessageBox.question(
            self, "Remove the number",
            f"Remove {number.value}?\n\nOnly for a number typed by mistake. A number found wrong is better "
            "marked as wrong: it stays listed, struck through, so nobody tries it or types it in again.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        done = self._call(self.form.study.numbers.remove, number.id, what=f"removing {number.value}")
        if done:
            self.form.status_message(f"Removed {number.value}.")
        return done


def _same(a: Number, b: Number) -> bool:
    return (a.kind, a.value, a.contact_id) == (b.kind, b.value, b.contact_id)
