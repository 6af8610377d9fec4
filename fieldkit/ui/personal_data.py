"""Personal data in the app: an organisation's change history, subject access, erasure, and
the study's retention date with the action that removes personal details when it comes.

The rules live in ``fieldkit.personal_data``; this module only asks, confirms and shows.
Erasure and removal cannot be undone with Edit ▸ Undo, so after either the undo history is
cleared: an older edit must never try to put back a record (or a name) that is gone. Before
erasing, the pooled comments that name the organisation are listed, each a click away in the
Pool screen for redaction; afterwards, whatever the erasure could not remove yet is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit import personal_data
from fieldkit.errors import FieldkitError, NotFoundError
from fieldkit.organisations import STATUS_LABELS, Change
from fieldkit.reports.names import NameHit, excerpt, find_names_of_organisation
from fieldkit.ui import errors, palette
from fieldkit.callback_times import format_when
from fieldkit.contact_details import display_phone
from fieldkit.ui.case_records import CONTACT_LABELS
from fieldkit.ui.qt import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDate,
    QDateEdit,
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QLocale,
    QMessageBox,
    QObject,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSettings,
    QSizePolicy,
    QSpacerItem,
    QStandardPaths,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QUrl,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.retention_banner import day_words
from fieldkit.ui.session import ATTEMPTS, CONTACTS, DETAILS, INTERVIEWS, ORGANISATIONS, StudySession
from fieldkit.ui.welcome import heading

if TYPE_CHECKING:
    from fieldkit.study import Study

#: Pooled comments naming an organisation that its erase dialog lists without scrolling.
MAX_LISTED = 5
#: Everything erasure or removal can touch, for ``session.changed``.
PERSONAL_KINDS = {ORGANISATIONS, CONTACTS, ATTEMPTS, INTERVIEWS}
ORGANISATION_FIELDS = {
    "name": "Name", "coverage": "Coverage", "address": "Address", "phone": "Phone", "email": "Email",
    "website": "Website", "notes": "Notes", "category": "Category", "area": "Area",
    "referred_by": "Referred by", "status": "Status", "exclusion_reason": "Reason excluded",
}
#: What removing personal details takes away and what it keeps, as the confirmation says it.
STRIP_GOES = ("every contact's name, role, phone, e-mail and notes (the contact stays, unnamed, so no count changes)",
              "every organisation's phone, e-mail and address",
              "the notes on attempts",
              "the change history of every organisation")
STRIP_STAYS = (("the organisations, with their names, categories, areas, coverage, websites, statuses "
                "and tick boxes"),
               "the attempts (when, how and the outcome) and call-backs",
               "the interviews and their answers, the comment pool, targets and every figure in the report")


# --- change history --------------------------------------------------------------------------


def _blank(value: str | None) -> str:
    return value if value not in (None, "") else "—"


class ChangeHistory:
    """An organisation's change log in words: (when, record, field, before, after), newest first."""

    def __init__(self, study: Study, org_id: int):
        self.study = study
        self.changes = list(reversed(study.organisations.changes(org_id)))
        self.contact_names: dict[int | None, str] = {c.id: c.name for c in study.organisations.contacts(org_id)}
        for change in self.changes:  # a removed contact is named by its removal
            if change.record == "contact" and change.field == "removed" and change.old:
                self.contact_names.setdefault(change.contact_id, change.old)

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        return [self.row(c) for c in self.changes]

    def row(self, change: Change) -> tuple[str, str, str, str, str]:
        when = format_when(change.at)
        if change.record == "contact":
            name = self.contact_names.get(change.contact_id) or "no name"
            record = f"Contact: \u2068{name}\u2069"  # isolated, so a right-to-left name keeps its place
            if change.field == "removed":
                return when, record, "Contact removed", _blank(change.old), "—"
            if change.field in ("added", "restored"):
                return when, record, f"Contact {change.field}", "—", _blank(change.new)
            field = CONTACT_LABELS.get(change.field, change.field.replace("_", " ").capitalize())
        else:
            record = "Organisation"
            field = self._field(change.field)
        return when, record, field, self._value(change.field, change.old), self._value(change.field, change.new)

    def _field(self, field: str) -> str:
        if field.startswith("flag "):
            flag = field[5:]
            try:
                label = self.study.template.flag_label(flag)
            except KeyError:  # a tick box the study no longer has
                label = flag.replace("_", " ")
            return f"Tick box “{label}”"
        return ORGANISATION_FIELDS.get(field, field.replace("_", " ").capitalize())

    def _value(self, field: str, value: str | None) -> str:
        if value in (None, ""):
            return "—"
        if field == "status":
            return STATUS_LABELS.get(value, value)
        if field.startswith("flag "):
            return value.capitalize()
        if field == "referred_by":
            try:
                return self.study.organisations.get(int(value)).name
            except (NotFoundError, ValueError):
                return "an organisation no longer in the study"
        if field == "phone" or field.startswith("phone "):
            return display_phone(value, self.study.country)
        return value


class ChangeHistoryDialog(QDialog):
    """Every recorded change to an organisation and its contacts, newest first; the full
    before and after of the chosen change below the list."""

    HEADS = ("When", "Record", "What", "Before", "After")

    def __init__(self, study: Study, org_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        org = study.organisations.get(org_id)
        self.setWindowTitle(f"Change history: {org.name}")
        self.resize(860, 520)
        self.history = ChangeHistory(study, org_id)
        self.rows = self.history.rows()
        layout = QVBoxLayout(self)
        title = heading(f"Change history of {org.name}", 1.2)
        layout.addWidget(title)
        note = QLabel("Every change to the organisation's details, status, tick boxes and contacts, newest first. "
                      "Anonymous answers are never recorded here.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.table = QTableWidget(len(self.rows), len(self.HEADS))
        self.table.setAccessibleName("Changes, newest first")
        self.table.setHorizontalHeaderLabels(list(self.HEADS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        for row, values in enumerate(self.rows):
            for column, text in enumerate(values):
                item = QTableWidgetItem(text.replace("\n", " ⏎ "))
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        metrics = self.table.fontMetrics()
        header.resizeSection(0, metrics.horizontalAdvance("Wed 30 Nov 2026, 10:00") + 18)
        for column, cap in ((1, 220), (2, 260)):  # as wide as the longest entry, within reason
            widest = max((metrics.horizontalAdvance(r[column]) for r in self.rows), default=0)
            header.resizeSection(column, min(cap, max(widest, metrics.horizontalAdvance(self.HEADS[column])) + 18))
        for column in (3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel("No changes are recorded for this organisation yet. Changes to its details, status, "
                            "tick boxes and contacts are listed here as they are made.")
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("No changes")
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("The chosen change in full")
        self.detail.setMaximumHeight(self.detail.fontMetrics().lineSpacing() * 6 + 16)
        if self.rows:
            layout.addWidget(self.table, 1)
            layout.addWidget(self.detail)
        else:
            note.hide()
            self.table.hide()
            self.detail.hide()
            layout.addWidget(self.empty)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if not self.rows:
            self.resize(560, self.sizeHint().height())
        self.table.itemSelectionChanged.connect(self._show_detail)
        if self.rows:
            self.table.selectRow(0)
            self.table.setFocus()

    def _show_detail(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.detail.clear()
            return
        when, record, field, old, new = self.rows[rows[0].row()]
        self.detail.setPlainText(f"{record} · {field} · {when}\nBefore: {old}\nAfter: {new}")

    def texts(self) -> list[tuple[str, ...]]:
        """What the list shows, row by row (for tests and the screen reader's sake)."""
        return [tuple(self._cell(r, c).toolTip() for c in range(self.table.columnCount()))
                for r in range(self.table.rowCount())]

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        assert item is not None  # every cell of every row is filled
        return item


# --- subject access --------------------------------------------------------------------------


def ask_subject_access(study: Study, org_id: int, parent: QWidget) -> QMessageBox | None:
    """Ask for a folder, save the subject-access record there, and say where it went.
    Returns the (open, non-blocking) message, or None when nothing was saved."""
    settings = QSettings("fieldkit", "fieldkit")
    start = settings.value("personal_data/folder") or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    name = study.organisations.get(org_id).name
    chosen = QFileDialog.getExistingDirectory(parent, f"Save everything stored about {name} in…", str(start))
    if not chosen:
        return None
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        paths = personal_data.save_subject_access(study, org_id, Path(chosen))
    except (FieldkitError, OSError) as e:
        QApplication.restoreOverrideCursor()
        errors.warn(parent, "Subject access not saved", str(e))
        return None
    QApplication.restoreOverrideCursor()
    settings.setValue("personal_data/folder", chosen)
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "Subject access saved",
        f"Everything stored about {name} is saved in the folder {chosen}:",
        QMessageBox.StandardButton.Close,
        parent,
    )
    box.setInformativeText("\n".join(f"• {p.name}" for p in paths) +
                           "\n\nThe record as data (JSON) and as a readable case sheet (PDF). Anonymous comments "
                           "are not in them: nothing links them to anyone. Both files hold personal data: send "
                           "them securely and delete your copies when the request is answered.")
    show = box.addButton("Show the folder", QMessageBox.ButtonRole.ActionRole)
    show.clicked.disconnect()  # keep the message open
    show.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(chosen)))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    grid = box.layout()  # wide enough for long file names on one line each
    assert isinstance(grid, QGridLayout)  # a message box lays itself out on a grid
    grid.addItem(QSpacerItem(580, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding), grid.rowCount(), 0, 1,
                 grid.columnCount())
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


# --- erasure ---------------------------------------------------------------------------------


def _same_name(typed: str, name: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


class EraseDialog(QDialog):
    """Says what erasing an organisation deletes and asks for its name before the red button
    wakes up. Cancel is the default; Enter in the name box never erases. Pooled comments that
    name the organisation or its contacts (``hits``) are listed, each with a button that opens
    it in the Pool screen for redaction instead."""

    def __init__(self, name: str, summary: str, parent: QWidget | None = None, *,
                 hits: Sequence[NameHit] = ()):
        super().__init__(parent)
        self.name = name
        self.hits = list(hits)
        #: the comment the researcher chose to open in the Pool (the dialog then closes)
        self.chosen_comment: int | None = None
        self.open_buttons: list[QPushButton] = []
        self._rows: list[tuple[str, str, str]] = []
        self.setWindowTitle("Erase the organisation")
        self.setMinimumWidth(560 if self.hits else 520)  # room for a button beside each comment
        layout = QVBoxLayout(self)
        title = heading(f"Erase {name} for good?", 1.2)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(title)
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What erasing deletes")
        layout.addWidget(self.summary)
        if self.hits:
            layout.addWidget(self._named_comments())
        warning = QLabel("This cannot be undone with Edit ▸ Undo, and the undo history is cleared. The backup "
                         "is the only way back (File ▸ Backups and restore). That backup, and any older one, still "
                         "holds this organisation until age clears it away (within a year); once you are sure, "
                         "delete them with Delete older backups… in File ▸ Backups and restore.")
        warning.setWordWrap(True)
        palette.set_style_sheet(warning, "color: $problem;")
        layout.addWidget(warning)
        layout.addSpacing(6)
        ask = QLabel("To confirm, type the organisation's name:")
        layout.addWidget(ask)
        self.typed = QLineEdit()
        self.typed.setAccessibleName("The organisation's name, to confirm")
        self.typed.setPlaceholderText(name)
        self.typed.installEventFilter(self)
        ask.setBuddy(self.typed)
        layout.addWidget(self.typed)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.erase_button = QPushButton("Erase organisation")
        self.erase_button.setAccessibleName(f"Erase {name}")
        self.erase_button.setEnabled(False)
        self.erase_button.setAutoDefault(False)
        buttons.addButton(self.erase_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.cancel_button.setDefault(True)
        self.erase_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.typed.textChanged.connect(self._typed)
        self.typed.setFocus()
        if self.hits:  # as tall as the wrapped lines need at this width: no gaps between comments
            width = max(self.minimumWidth(), self.sizeHint().width())
            self.resize(width, layout.totalHeightForWidth(width))

    def _named_comments(self) -> QWidget:
        """The pooled comments that name the organisation: question, names, the words around
        them, and a button to open each in the Pool screen."""
        box = QFrame()
        box.setObjectName("named_comments")
        palette.set_style_sheet(box, "QFrame#named_comments { background: $warning_tint; border: 1px solid "
                                     "$warning_edge; border-radius: 3px; }")
        outer = QVBoxLayout(box)
        outer.setContentsMargins(10, 8, 10, 8)
        n = len(self.hits)
        self.names_intro = QLabel(
            f"<b>{n} pooled comment{'s' if n != 1 else ''} name{'s' if n == 1 else ''} {escape(self.name)} or its "
            f"contacts.</b> {'They stay' if n != 1 else 'It stays'} when the organisation is erased, and the "
            "report's names check goes on flagging "
            f"{'them' if n != 1 else 'it'}. Open {'each' if n != 1 else 'it'} in the Pool screen to redact the "
            "names first.")
        self.names_intro.setTextFormat(Qt.TextFormat.RichText)
        self.names_intro.setWordWrap(True)
        self.names_intro.setAccessibleName("Pooled comments that name it")
        outer.addWidget(self.names_intro)
        rows = QWidget()
        column = QVBoxLayout(rows)
        column.setContentsMargins(0, 4, 0, 0)
        for number, hit in enumerate(self.hits, start=1):
            names, words = ", ".join(hit.names), f"“{excerpt(hit.text, hit.names)}”"
            self._rows.append((hit.question_label, names, words))
            text = QLabel(f"<b>{escape(hit.question_label)}</b> — {escape(names)}<br>{escape(words)}")
            text.setTextFormat(Qt.TextFormat.RichText)
            text.setWordWrap(True)
            text.setToolTip(hit.text)
            text.setAccessibleName(f"Comment {number}: {hit.question_label}, names {names}")
            text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            button = QPushButton("Open in the Pool")
            button.setAccessibleName(f"Open comment {number} in the Pool screen to redact it")
            button.setToolTip("Close this and show the comment in the Pool screen, ready to redact; nothing is "
                              "erased")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, cid=hit.comment_id: self.open_comment(cid))
            self.open_buttons.append(button)
            row = QHBoxLayout()
            row.setSpacing(12)
            row.addWidget(text, 1)
            beside = QVBoxLayout()  # the button at the top of its comment, however many lines
            beside.addWidget(button)
            beside.addStretch(1)
            row.addLayout(beside)
            column.addLayout(row)
        if len(self.hits) > MAX_LISTED:  # a long list scrolls; the name box and the buttons stay in view
            column.addStretch(1)
            scroll = QScrollArea()
            scroll.setWidget(rows)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setFixedHeight(self.fontMetrics().lineSpacing() * 16)
            outer.addWidget(scroll)
        else:
            outer.addWidget(rows)
        return box

    def comment_rows(self) -> list[tuple[str, str, str]]:
        """The comments listed: (question, names, the words around them)."""
        return list(self._rows)

    def open_comment(self, comment_id: int) -> None:
        """Close without erasing, and show the comment in the Pool screen for redaction."""
        self.chosen_comment = comment_id
        self.reject()
        parent = self.parentWidget()
        window = parent.window() if parent is not None else None
        if window is not None and hasattr(window, "show_screen"):
            from fieldkit.ui.report_panel import show_comment

            show_comment(window, comment_id)
            window.activateWindow()  # back from the dialog, with the comment's words in focus

    def _typed(self, text: str) -> None:
        ok = _same_name(text, self.name)
        self.erase_button.setEnabled(ok)
        palette.set_style_sheet(self.erase_button, "color: $problem; font-weight: bold;" if ok else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            watched is self.typed
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            if self.erase_button.isEnabled():
                self.erase_button.setFocus(Qt.FocusReason.TabFocusReason)  # one more deliberate press
            return True
        return super().eventFilter(watched, event)


def names_before_erasure(study: Study, org_id: int, window: Any = None) -> list[NameHit]:
    """The pooled comments that name ``org_id`` or its contacts, counting a redaction still
    being typed in the Pool screen."""
    pool_screen = getattr(window, "screens", {}).get("pool") if window is not None else None
    if pool_screen is not None:
        pool_screen.flush()
    return find_names_of_organisation(study, org_id)


def erase_now(session: StudySession, org_id: int, parent: QWidget,
              window: Any = None) -> personal_data.ErasureResult | None:
    """Erase ``org_id`` through the session (the core takes a backup first), after closing an
    interview with it that is open; then clear the undo history, so no edit can try to undo
    into a record that is gone, and say what the erasure could not remove yet (pooled comments
    that name it, old pages another reader holds on the disk). None, with nothing changed, if
    it could not be done."""
    study = session.study
    name = study.organisations.get(org_id).name
    interviews = window.screens.get("interviews") if window is not None else None
    if interviews is not None and not interviews.let_go_of(org_id):
        return None  # its open interview could not be saved: leave everything as it is
    before = len(study.warnings)
    result = session.call(personal_data.erase, study, org_id, changes=PERSONAL_KINDS, what=f"erasing {name}")
    if result is None:
        return None
    session.undo_stack.clear()
    problems = result.problems()
    if problems:
        errors.warn(parent, "Not all of it is gone yet",
                    f"{name} is erased from the study's records, but:\n\n" + "\n\n".join(f"• {p}" for p in problems))
    for warning in study.warnings[before:]:
        errors.warn(parent, "Please note", warning)
    return result


def erased_message(name: str, result: personal_data.ErasureResult) -> str:
    """The status bar's word on an erasure: "everything" only when it is true."""
    if result.clean:
        return (f"Erased {name} and everything named about it. A backup was taken first "
                "(File ▸ Backups and restore); the undo history is cleared.")
    return (f"Erased {name} from the records; not all of it is gone yet (see the message). A backup was taken "
            "first; the undo history is cleared.")


# --- retention -------------------------------------------------------------------------------


class StripConfirmation(QMessageBox):
    """The question before personal details are removed, with its two answers."""

    remove_button: QPushButton
    cancel_button: QPushButton


def strip_confirmation(parent: QWidget) -> StripConfirmation:
    """The question before personal details are removed: exactly what goes and what stays."""
    box = StripConfirmation(
        QMessageBox.Icon.Warning,
        "Remove personal details?",
        "Remove the personal details from the whole study now?",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    goes = "".join(f"<li>{line}</li>" for line in STRIP_GOES)
    stays = "".join(f"<li>{line}</li>" for line in STRIP_STAYS)
    box.setInformativeText(
        f"<p><b>Removed:</b></p><ul>{goes}</ul><p><b>Kept:</b></p><ul>{stays}</ul>"
        "<p>Organisation notes and named answers are kept as the researcher wrote them: check them for names "
        "first. A backup is taken before anything is removed, and the deletion date is then cleared. This cannot "
        "be undone with Edit ▸ Undo.</p>")
    box.remove_button = box.addButton("Remove personal details", QMessageBox.ButtonRole.DestructiveRole)
    box.cancel_button = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(box.cancel_button)
    box.setEscapeButton(box.cancel_button)
    return box


def strip_now(session: StudySession, parent: QWidget) -> int | None:
    """Remove the personal details (after the confirmation said what goes): backup, strip,
    clear the deletion date and the undo history. The number of contacts stripped, or None."""
    study = session.study
    before = len(study.warnings)
    stripped = session.call(personal_data.strip_personal_data, study, changes=PERSONAL_KINDS,
                            what="removing the personal details")
    if stripped is None:
        return None
    session.undo_stack.clear()  # an undo must never put a name or number back
    session.call(personal_data.set_retention_date, study, None, changes={DETAILS}, what="the deletion date")
    for warning in study.warnings[before:]:
        errors.warn(parent, "Please note", warning)
    return stripped


class RetentionPanel(QFrame):
    """Study settings ▸ Personal data: the date by which personal data is to be deleted, and
    the action that removes it."""

    def __init__(self, session: StudySession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.study = session.study
        self.confirmation: StripConfirmation | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Personal data", 1.1))
        about = QLabel("Set the date by which the study's personal data is to be deleted, as your privacy notice "
                       "or contract says. When it comes, fieldkit reminds you each time the study is opened. "
                       "To answer a request about one organisation, or to erase it, use Personal data at the top "
                       "of its case form.")
        about.setWordWrap(True)
        layout.addWidget(about)
        row = QHBoxLayout()
        self.has_date = QCheckBox("Personal &data to be deleted by")
        self.has_date.setAccessibleName("Personal data to be deleted by a date")
        self.date = QDateEdit()
        self.date.setAccessibleName("Personal data to be deleted by")
        self.date.setCalendarPopup(True)
        self.date.setLocale(
            QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
        )  # the app's words are English
        self.date.setDisplayFormat("d MMMM yyyy")
        self.date.setMinimumWidth(self.date.fontMetrics().horizontalAdvance("30 September 2026") + 56)
        self.state = QLabel()
        self.state.setAccessibleName("Deletion date state")
        self.state.setWordWrap(True)
        row.addWidget(self.has_date)
        row.addWidget(self.date)
        row.addSpacing(12)
        row.addWidget(self.state, 1)
        layout.addLayout(row)
        strip_row = QHBoxLayout()
        self.strip_button = QPushButton("Remove personal details now…")
        self.strip_button.setToolTip("Remove contact names, phones, e-mails, addresses, attempt notes and the change "
                                     "history from the whole study; keep organisations, statuses and answers")
        self.strip_button.clicked.connect(self.ask_strip)
        strip_row.addWidget(self.strip_button)
        strip_row.addStretch(1)
        layout.addLayout(strip_row)
        self.has_date.toggled.connect(self._ticked)
        self.date.editingFinished.connect(self._date_left)
        self.date.dateChanged.connect(self._date_changed)
        self.refresh()

    def refresh(self) -> None:
        day = personal_data.retention_date(self.study)
        for widget in (self.has_date, self.date):
            widget.blockSignals(True)
        self.has_date.setChecked(day is not None)
        self.date.setEnabled(day is not None)
        if not self.date.hasFocus():  # never under the cursor of someone choosing a date
            self.date.setDate(QDate(day.year, day.month, day.day) if day is not None else self._suggested())
        for widget in (self.has_date, self.date):
            widget.blockSignals(False)
        self._show_state(day)

    @staticmethod
    def _suggested() -> QDate:
        return QDate.currentDate().addYears(1)

    def _show_state(self, day: dt.date | None) -> None:
        if day is None:
            self.state.setText("No date set.")
            palette.set_style_sheet(self.state, "")
        elif personal_data.retention_due(self.study):
            self.state.setText(f"The date has {'come' if day == dt.date.today() else 'passed'}: remove the "
                               "personal details, or set a later date.")
            palette.set_style_sheet(self.state, "color: $problem; font-weight: bold;")
        else:
            days = (day - dt.date.today()).days
            self.state.setText(f"In {days} day{'s' if days != 1 else ''}.")
            palette.set_style_sheet(self.state, "")

    def chosen(self) -> dt.date | None:
        if not self.has_date.isChecked():
            return None
        q = self.date.date()
        return dt.date(q.year(), q.month(), q.day())

    def _ticked(self, on: bool) -> None:
        self.date.setEnabled(on)
        if on:
            self.date.setFocus(Qt.FocusReason.OtherFocusReason)
        self.save()

    def _date_changed(self, _date: QDate) -> None:
        if not self.date.hasFocus():  # chosen from the calendar, or by a program: save at once
            self.save()

    def _date_left(self) -> None:
        self.save()

    def save(self) -> bool:
        """Save the date shown (or no date) if it differs from the study's; undoable."""
        new, old = self.chosen(), personal_data.retention_date(self.study)
        if new == old:
            return False
        words = f"deletion date set to {day_words(new)}" if new else "clearing of the deletion date"
        done = self.session.edit(words, lambda: personal_data.set_retention_date(self.study, new),
                                 lambda: personal_data.set_retention_date(self.study, old), {DETAILS})
        if not done:
            self.refresh()
        return done

    def ask_strip(self) -> StripConfirmation:
        """The confirmation (non-blocking); removing happens only on its red button."""
        self.save()
        box = strip_confirmation(self)
        box.finished.connect(lambda _r: self._answered(box))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirmation = box
        box.open()
        return box

    def _answered(self, box: StripConfirmation) -> None:
        self.confirmation = None
        if box.clickedButton() is not box.remove_button:
            return
        stripped = strip_now(self.session, self)
        if stripped is not None:
            self.refresh()
            window = self.window()
            message = (f"Removed the personal details of {stripped} contact{'s' if stripped != 1 else ''} and of "
                       "every organisation. A backup was taken first; the undo history is cleared.")
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(message, 20_000)
