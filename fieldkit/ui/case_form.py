"""The case form: one organisation at a time, like an Access form, with nothing to save.

Every field is saved as it is changed (text when the field is left, drop-downs and tick boxes
at once) through ``session.edit``, so Edit ▸ Undo and Redo work on it. Previous / Next and
Page Up / Page Down walk the list the form was opened from; Escape goes back to the list.
The top row also leads to the organisation's case sheet (printed or saved as a PDF,
``fieldkit/ui/printing.py``), its change history and its personal-data duties (subject access,
erasure), which ``fieldkit/ui/personal_data.py`` carries out.

Beside the status: "In interview" while an interview is under way, and the organisation's
AAPOR disposition now (fieldkit.dispositions). "Reaching them" holds the phone, email and
opening hours (read back in words, refused with the reason when unreadable) over the list of
every number and address (fieldkit/ui/numbers.py).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

from fieldkit import dispositions, personal_data
from fieldkit.contact_details import DEFAULT_COUNTRY, display_phone
from fieldkit.errors import InvalidValueError, NotFoundError
from fieldkit.opening_hours import parse_hours
from fieldkit.organisations import STATUS_LABELS, STATUSES, Organisation
from fieldkit.ui import icons, palette
from fieldkit.ui.case_attempts import AttemptsPanel
from fieldkit.ui.case_records import ContactsPanel, InterviewsPanel
from fieldkit.ui.contact_warnings import FieldWarning, checker
from fieldkit.ui.numbers import NumbersPanel
from fieldkit.ui.organisation_picker import OrganisationPicker
from fieldkit.ui.personal_data import (
    ChangeHistoryDialog,
    EraseDialog,
    ask_subject_access,
    erase_now,
    erased_message,
    names_before_erasure,
)
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.elided import elided_heading
from fieldkit.ui.qt import (
    QCheckBox,
    QComboBox,
    QEvent,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMenu,
    QObject,
    QPalette,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QShortcut,
    QSizePolicy,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.session import ATTEMPTS, CONTACTS, INTERVIEWS, ORGANISATIONS, TEMPLATE, StudySession

#: (field, label) of the organisation's text fields, in the order shown: who it is, then
#: (in "Reaching them") how to reach it.
TEXT_FIELDS = (
    ("name", "Name"),
    ("coverage", "Coverage"),
    ("address", "Address"),
    ("website", "Website"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("opening_hours", "Opening hours"),
)
REACH_FIELDS = ("phone", "email", "opening_hours")
FORM_KINDS = {ORGANISATIONS, CONTACTS, ATTEMPTS, INTERVIEWS, TEMPLATE}
#: Colours of the "In interview" mark and of opening hours that cannot be read.


class CaseForm(QWidget):
    """One organisation's record: fields, status and flags, attempts, contacts, interviews."""

    back_requested = Signal()

    def __init__(self, session: StudySession, window: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.window_ = window
        self.study = session.study
        self.org: Organisation | None = None
        self.ids: list[int] = []
        self.position = 0
        self._reveal: int | None = None
        self._stale = False
        self.fields: dict[str, QLineEdit] = {}
        self.warnings: dict[str, FieldWarning] = {}
        #: The study's country, which phone numbers are read and shown for (read with each organisation:
        #: the form is built ahead of need, while a save may hold the study).
        self.country = DEFAULT_COUNTRY
        self.flag_boxes: dict[str, QCheckBox] = {}
        self.listing_button: QPushButton | None = None  # beside "Permission to list": Directory listing…
        self.dialog: QWidget | None = None  # the dialog last opened from the form

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_top())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_details())
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.attempts = AttemptsPanel(self)
        self.contacts = ContactsPanel(self)
        self.interviews = InterviewsPanel(self)
        right_layout.addWidget(self.attempts, 5)
        right_layout.addWidget(self.contacts, 3)
        right_layout.addWidget(self.interviews, 3)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 6)
        splitter.setSizes([400, 600])
        self.splitter = splitter
        layout.addWidget(splitter, 1)

        for keys, slot in ((QKeySequence(Qt.Key.Key_PageDown), lambda: self.walk(1)),
                           (QKeySequence(Qt.Key.Key_PageUp), lambda: self.walk(-1)),
                           (QKeySequence(Qt.Key.Key_Escape), self.go_back),
                           (QKeySequence("Ctrl+L"), self.attempts.focus_log)):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        session.changed.connect(self._on_changed)

    # --- building ----------------------------------------------------------------------------

    def _build_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        self.back_button = QPushButton(icons.icon("back"), "Back to list")
        self.back_button.setAccessibleName("Back to the list")
        self.back_button.setToolTip("Back to the list (Esc)")
        self.back_button.clicked.connect(self.go_back)
        top.addWidget(self.back_button)
        top.addSpacing(8)
        self.title = elided_heading("", 1.4)
        top.addWidget(self.title, 1)
        self.where = QLabel()
        self.where.setAccessibleName("Place in the list")
        top.addWidget(self.where)
        self.previous_button = QPushButton(icons.icon("previous"), "Previous")
        self.previous_button.setToolTip("Previous organisation in the list (Page Up)")
        self.previous_button.clicked.connect(lambda: self.walk(-1))
        self.next_button = QPushButton(icons.icon("next"), "Next")
        self.next_button.setToolTip("Next organisation in the list (Page Down)")
        self.next_button.clicked.connect(lambda: self.walk(1))
        top.addWidget(self.previous_button)
        top.addWidget(self.next_button)
        top.addSpacing(12)
        self.sheet_button = QPushButton("Case sheet")
        self.sheet_button.setAccessibleName("Case sheet")
        self.sheet_button.setToolTip("This organisation's named record on paper or as a PDF (no anonymous answers)")
        sheet_menu = QMenu(self.sheet_button)
        self.print_sheet_action = sheet_menu.addAction("&Print case sheet…", self.print_case_sheet)
        self.save_sheet_action = sheet_menu.addAction("&Save case sheet as PDF…", lambda: self.save_case_sheet())
        self.sheet_button.setMenu(sheet_menu)
        top.addWidget(self.sheet_button)
        self.history_button = QPushButton(icons.icon("history"), "History…")
        self.history_button.setAccessibleName("Change history")
        self.history_button.setToolTip("Every recorded change to this organisation and its contacts")
        self.history_button.clicked.connect(self.show_history)
        top.addWidget(self.history_button)
        self.personal_button = QPushButton("Personal data")
        self.personal_button.setAccessibleName("Personal data")
        self.personal_button.setToolTip("Answer a subject-access request for this organisation, or erase it")
        menu = QMenu(self.personal_button)
        self.access_action = menu.addAction("Subject access: save everything stored…", self.ask_subject_access)
        menu.addSeparator()
        self.erase_action = menu.addAction("Erase this organisation…", self.ask_erase)
        self.personal_button.setMenu(menu)
        top.addWidget(self.personal_button)
        return top

    def _build_details(self) -> QScrollArea:
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 6, 0)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        column.addLayout(form)
        self.form_layout = form
        form.addRow(*self._text_field("name", "Name"))
        self.category = self._vocab_combo("Category", "category")
        self.area = self._vocab_combo("Area", "area")
        form.addRow("&Category", self.category)
        form.addRow("&Area", self.area)
        for key, label in TEXT_FIELDS[1:]:
            if key not in REACH_FIELDS:
                form.addRow(*self._text_field(key, label))
                if key == "website":
                    self._warning(key, form)
        self.referred_by = OrganisationPicker(self)
        self.referred_by.setAccessibleName("Referred by")
        self.referred_by.picked.connect(self._save_referrer)
        form.addRow("Re&ferred by", self.referred_by)
        column.addWidget(self._build_state())
        column.addWidget(self._build_reach())

        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(self.notes.fontMetrics().lineSpacing() * 4 + 16)
        self.notes.installEventFilter(self)
        notes_label = QLabel("&Notes")
        notes_label.setBuddy(self.notes)
        column.addWidget(notes_label)
        column.addWidget(self.notes, 1)
        self._fill_vocabularies()

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Never narrower than what it holds: with no horizontal scroll bar, it would be cut off.
        scroll.setMinimumWidth(max(300, inner.minimumSizeHint().width()
                                   + scroll.verticalScrollBar().sizeHint().width() + 2))
        return scroll

    def _build_reach(self) -> QGroupBox:
        """Phone, email and opening hours, over the list of every number and address."""
        box = QGroupBox("Reaching them")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key in REACH_FIELDS:
            form.addRow(*self._text_field(key, dict(TEXT_FIELDS)[key]))
            if key in ("phone", "email"):
                self._warning(key, form)
        hours = self.fields["opening_hours"]
        hours.setPlaceholderText("e.g. Mon–Fri 9–5; Sat 10–1 (empty: any time)")
        hours.setToolTip("When someone can answer, as you would write it on a door: “Mon–Fri 9–5”, "
                         "“Tue, Thu 9.30–12.30”, “weekdays 9am–5pm”, “24/7”")
        hours.textEdited.connect(lambda _: self._show_hours())
        self.hours_reading = QLabel()
        self.hours_reading.setAccessibleName("Opening hours as read")
        self.hours_reading.setWordWrap(True)
        self._small(self.hours_reading)
        form.addRow("", self.hours_reading)
        self._hours_refused: str | None = None  # unreadable hours typed, shown but not saved
        self.numbers = NumbersPanel(self)
        form.addRow(self.numbers)
        return box

    def _build_state(self) -> QGroupBox:
        """Status (with "In interview" beside it), the AAPOR disposition, exclusion, flags."""
        box = QGroupBox("Where it stands")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # the tick boxes go under "Flags" when narrow
        self.status = ComboBox()
        self.status.setAccessibleName("Status")
        for status in STATUSES:
            self.status.addItem(STATUS_LABELS[status], status)
        self.status.activated.connect(self._status_chosen)
        self.in_interview = QLabel("In interview")
        self.in_interview.setObjectName("in_interview")
        self.in_interview.setAccessibleName("In interview")
        self.in_interview.setToolTip("An interview is under way: it counts once it is finished")
        palette.set_style_sheet(self.in_interview, "QLabel#in_interview { background: $note_tint; "
                                "color: $note_on_tint; font-weight: bold; padding: 2px 8px; border-radius: 8px; }")
        self.in_interview.hide()
        status_row = QHBoxLayout()
        status_row.addWidget(self.status)
        status_row.addWidget(self.in_interview)
        status_row.addStretch(1)
        status_label = QLabel("&Status")
        status_label.setBuddy(self.status)
        form.addRow(status_label, status_row)

        self.disposition = QLabel()
        self.disposition.setAccessibleName("Disposition")
        self.disposition.setWordWrap(True)
        self.disposition.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.disposition_reason = QLabel()
        self.disposition_reason.setAccessibleName("Why this disposition")
        self.disposition_reason.setWordWrap(True)
        self._small(self.disposition_reason)
        disposition = QVBoxLayout()
        disposition.setSpacing(0)
        disposition.addWidget(self.disposition)
        disposition.addWidget(self.disposition_reason)
        caption = QLabel("Disposition")
        caption.setToolTip("The AAPOR disposition code the outcome rates count this organisation under")
        form.addRow(caption, disposition)

        self.reason = ComboBox()
        self.reason.setAccessibleName("Exclusion reason")
        self.reason.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reason.setMinimumContentsLength(16)
        self.reason.activated.connect(self._reason_chosen)
        self.reason_label = QLabel("&Reason excluded")
        self.reason_label.setBuddy(self.reason)
        form.addRow(self.reason_label, self.reason)

        self.flags_frame = QFrame()
        self.flags_frame.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.flags_grid = QGridLayout(self.flags_frame)
        self.flags_grid.setContentsMargins(0, 0, 0, 0)
        form.addRow("Flags", self.flags_frame)
        return box

    @staticmethod
    def _small(label: QLabel) -> None:
        """Secondary text: a little smaller, in the placeholder colour."""
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        label.setFont(font)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

    def _warning(self, key: str, form: QFormLayout) -> None:
        """The warning under the phone, email or website field, as it is typed (never refusing it)."""
        warning = FieldWarning(self.fields[key], checker(key, lambda: self.country), dict(TEXT_FIELDS)[key])
        self.warnings[key] = warning.place_in(form)

    def _text_field(self, key: str, label: str) -> tuple[QLabel, QLineEdit]:
        edit = QLineEdit()
        edit.setAccessibleName(label)
        edit.editingFinished.connect(lambda k=key: self._save_text(k))
        self.fields[key] = edit
        caption = QLabel(f"&{label}" if key != "email" else "E&mail")
        caption.setBuddy(edit)
        return caption, edit

    def _vocab_combo(self, name: str, key: str) -> QComboBox:
        box = ComboBox()
        box.setAccessibleName(name)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(16)
        box.activated.connect(lambda _, k=key: self._vocab_chosen(k))
        return box

    def _fill_vocabularies(self) -> None:
        """The drop-downs and tick boxes from the study's template (again after it changes)."""
        template = self.study.template
        for combo, values in ((self.category, template.categories), (self.area, template.areas),
                              (self.reason, template.exclusion_reasons)):
            combo.clear()
            combo.addItem("", None)
            for value in values:
                combo.addItem(value, value)
        for box in self.flag_boxes.values():
            box.deleteLater()
        self.flag_boxes = {}
        if self.listing_button is not None:
            self.listing_button.deleteLater()
            self.listing_button = None
        set_by = {q.flag: q.label for q in template.questions() if q.flag}
        for n, flag in enumerate(template.flag_ids()):
            box = QCheckBox(template.flag_label(flag))
            if flag in set_by:
                box.setToolTip(f"Also ticked or unticked by the interview answer to “{set_by[flag]}”")
            elif flag == "full_interview":
                box.setToolTip("Ticked when an interview is completed with every required answer")
            box.clicked.connect(lambda on, f=flag: self._flag_clicked(f, on))
            self.flags_grid.addWidget(box, n, 0)
            self.flag_boxes[flag] = box
            if flag == "permission_to_list":  # which details a shared directory may list (fieldkit.directory)
                button = QPushButton("Directory listing…")
                button.setToolTip("Which details it agreed to have listed in a consortium's shared directory, "
                                  "and its charity and company numbers")
                button.clicked.connect(self.ask_listing)
                self.listing_button = button
        if self.listing_button is not None:  # under the tick boxes: beside them, the form would be wider
            self.flags_grid.addWidget(self.listing_button, len(self.flag_boxes), 0,
                                      Qt.AlignmentFlag.AlignLeft)
        numbers = self.numbers
        chain = [self.status, self.reason, *self.flag_boxes.values(), *(self.fields[k] for k in REACH_FIELDS),
                 numbers.table, numbers.add_button, numbers.wrong_button, numbers.remove_button, self.notes]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    # --- showing an organisation -------------------------------------------------------------

    @property
    def org_id(self) -> int | None:
        return self.org.id if self.org is not None else None

    def show_organisation(self, org_id: int, ids: list[int]) -> None:
        """Show ``org_id``; Previous / Next walk ``ids``."""
        self.commit_pending()
        self.ids = list(ids) if org_id in ids else [org_id]
        self.position = self.ids.index(org_id)
        self._load(org_id, force=True)

    def _load(self, org_id: int, *, force: bool = False) -> None:
        try:
            org = self.study.organisations.get(org_id)
        except NotFoundError:  # removed meanwhile: drop it from the walk
            if org_id in self.ids:
                self.ids.remove(org_id)
            self.org = None
            self.back_requested.emit()
            return
        self.org = org
        self._stale = False
        self.country = self.study.country
        self.title.setText(org.name)
        self.title.setToolTip(org.name)
        self.where.setText(f"{self.position + 1:,} of {len(self.ids):,}")
        self.previous_button.setEnabled(self.position > 0)
        self.next_button.setEnabled(self.position < len(self.ids) - 1)
        if force:
            self._hours_refused = None
        for key, edit in self.fields.items():
            value = getattr(org, key) or ""
            if key == "phone":
                value = display_phone(value, self.country)  # stored in E.164 when valid
            if key == "opening_hours" and self._hours_refused is not None and edit.text() == self._hours_refused:
                continue  # unreadable hours stay shown, with why, until corrected
            if force or not (edit.hasFocus() and edit.isModified()):
                if edit.text() != value:
                    edit.setText(value)
                edit.setModified(False)
                if not edit.hasFocus():
                    edit.setCursorPosition(0)
        if force or not (self.notes.hasFocus() and self.notes.document().isModified()):
            if self.notes.toPlainText() != (org.notes or ""):
                self.notes.setPlainText(org.notes or "")
            self.notes.document().setModified(False)
        for combo, value in ((self.category, org.category), (self.area, org.area)):
            index = combo.findData(value)
            if index < 0 and value is not None:  # a value no longer offered: still shown
                combo.addItem(value, value)
                index = combo.count() - 1
            combo.setCurrentIndex(max(index, 0))
        self.status.setCurrentIndex(STATUSES.index(org.status))
        self.reason.setCurrentIndex(max(self.reason.findData(org.exclusion_reason), 0))
        excluded = org.status == "excluded"
        self.reason.setEnabled(excluded)
        self.reason_label.setEnabled(excluded)
        for flag, box in self.flag_boxes.items():
            box.setChecked(flag in org.flags)
        self.referred_by.show_organisation(org.referred_by)
        self._show_hours()
        for warning in self.warnings.values():
            warning.refresh()
        self._show_disposition()
        self.numbers.load(org.id)
        self.attempts.load(org.id)
        self.contacts.load(org.id)
        self.interviews.load(org.id)

    def _show_disposition(self) -> None:
        """The AAPOR disposition now, why, and "In interview" beside the status."""
        assert self.org is not None
        found = dispositions.of_organisation(self.study, self.org.id)
        self.in_interview.setVisible(found.in_interview)
        self.disposition.setText(found.text)
        self.disposition.setToolTip(found.reason)
        self.disposition.setAccessibleDescription(found.reason)
        self.disposition_reason.setText(found.reason[:1].upper() + found.reason[1:])
        self.disposition_reason.setHidden(found.in_interview)  # "In interview" says it already

    def _show_hours(self) -> None:
        """How the opening hours typed read, or why they cannot be read."""
        text = self.fields["opening_hours"].text()
        refused = self._hours_refused is not None and text == self._hours_refused
        try:
            reading = parse_hours(text)
        except InvalidValueError as e:
            reason = str(e).removeprefix("opening hours: ")  # said by the field's place
            self.hours_reading.setText(f"{'Not saved: ' if refused else ''}{reason[:1].upper()}{reason[1:]}")
            palette.set_style_sheet(self.hours_reading, "color: $problem;")
            return
        palette.set_style_sheet(self.hours_reading, "")
        self.hours_reading.setText(reading.describe() if text.strip() else "No hours given: any time")

    def reload(self) -> None:
        if self.org is not None:
            self._load(self.org.id)

    def focus_first(self) -> None:
        self.fields["name"].setFocus(Qt.FocusReason.OtherFocusReason)
        self.fields["name"].setCursorPosition(0)

    def walk(self, step: int) -> None:
        """Previous (-1) or next (+1) organisation of the list the form was opened from."""
        target = self.position + step
        if not self.ids or not 0 <= target < len(self.ids):
            return
        self.commit_pending()
        self.position = target
        self._load(self.ids[target], force=True)

    def go_back(self) -> None:
        self.commit_pending()
        self.back_requested.emit()

    def status_message(self, text: str, timeout: int = 8000) -> None:
        if self.window_ is not None:
            self.window_.statusBar().showMessage(text, timeout)

    # --- saving --------------------------------------------------------------------------------

    def edit(self, what: str, do: Callable[[], Any], undo: Callable[[], Any], changes: set[str]) -> bool:
        """An undoable change to the organisation shown; Undo / Redo later bring the form back
        to that organisation (opening it again if the form was left)."""
        org_id, ids = self.org_id, list(self.ids)

        def reveal(fn: Callable[[], Any]) -> Callable[[], None]:
            def run() -> None:
                fn()
                self._reveal = org_id
            return run

        def show(_undone: bool) -> None:
            if org_id is None or (self.isVisible() and self.org is not None and self.org.id == org_id):
                return
            if self.window_ is not None:
                self.window_.open_case(org_id, ids)

        done = self.session.edit(what, reveal(do), reveal(undo), changes, show=show)
        if not done:
            self.reload()  # show what is really recorded
        return done

    def commit_pending(self) -> None:
        """Save text typed but not yet saved (before walking, going back or closing)."""
        if self.org is None:
            return
        for key in self.fields:
            self._save_text(key)
        self._save_notes()

    def _save_text(self, key: str) -> None:
        if self.org is None:
            return
        edit = self.fields[key]
        old = getattr(self.org, key) or ""
        new = edit.text()
        if key == "name":
            new = new.strip()
        elif key == "phone" and new == display_phone(old, self.country):
            new = old  # the stored number as shown: unchanged
        edit.setModified(False)  # committed: from now on the form shows what is recorded
        if key == "opening_hours":
            self._hours_refused = None
        if new == old or (not new.strip() and not old):
            if key == "opening_hours":
                self._show_hours()
            return
        if key == "opening_hours":
            try:
                parse_hours(new)  # the core refuses it too; here the reason is shown under the field
            except InvalidValueError as e:
                self._hours_refused = new
                self._show_hours()
                self.status_message(f"Opening hours not saved: {e}")
                return
        self._update(key, new, old, dict(TEXT_FIELDS)[key].lower())

    def _save_notes(self) -> None:
        if self.org is None:
            return
        new, old = self.notes.toPlainText(), self.org.notes or ""
        self.notes.document().setModified(False)
        if new == old or (not new.strip() and not old):
            return
        self._update("notes", new, old, "notes")

    def _update(self, key: str, new: Any, old: Any, what: str) -> bool:
        assert self.org is not None
        org_id, orgs = self.org.id, self.study.organisations
        text = f"rename of {self.org.name}" if key == "name" else f"change to the {what} of {self.org.name}"
        return self.edit(text, lambda: orgs.update(org_id, **{key: new}),
                         lambda: orgs.update(org_id, **{key: old or None}), {ORGANISATIONS})

    def _vocab_chosen(self, key: str) -> None:
        if self.org is None:
            return
        new = (self.category if key == "category" else self.area).currentData()
        old = getattr(self.org, key)
        if new != old:
            self._update(key, new, old, key)

    def _save_referrer(self, referrer: int | None) -> None:
        if self.org is not None and referrer != self.org.referred_by:
            self._update("referred_by", referrer, self.org.referred_by, "referral")

    def set_status(self, status: str, reason: str | None) -> bool:
        """Set the status (undoable); False, with the reason shown, if refused."""
        assert self.org is not None
        org_id, orgs = self.org.id, self.study.organisations
        old = (self.org.status, self.org.exclusion_reason)
        return self.edit(f"status change of {self.org.name} to {STATUS_LABELS[status].lower()}",
                         lambda: orgs.set_status(org_id, status, reason),
                         lambda: orgs.set_status(org_id, *old), {ORGANISATIONS})

    def _status_chosen(self, index: int) -> None:
        if self.org is None:
            return
        status = STATUSES[index]
        if status == self.org.status:
            return
        if self.set_status(status, None) and status == "excluded":
            self.reason.setFocus()  # the next thing to say is why

    def _reason_chosen(self, index: int) -> None:
        if self.org is None or self.org.status != "excluded":
            return
        reason = self.reason.itemData(index)
        if reason != self.org.exclusion_reason:
            self.set_status("excluded", reason)

    def _flag_clicked(self, flag: str, on: bool) -> None:
        if self.org is None:
            return
        org_id, orgs = self.org.id, self.study.organisations
        label = self.study.template.flag_label(flag).lower()
        self.edit(f"{'ticking' if on else 'unticking'} of “{label}” for {self.org.name}",
                  lambda: orgs.set_flag(org_id, flag, on), lambda: orgs.set_flag(org_id, flag, not on),
                  {ORGANISATIONS})

    def ask_listing(self) -> Any:
        """Directory listing…: what the organisation agreed to have listed (a window-modal dialog,
        saved undoably when accepted)."""
        from fieldkit.directory.listing import set_listing
        from fieldkit.ui.directory_listing import ListingDialog

        if self.org is None:
            return None
        org_id, name, study = self.org.id, self.org.name, self.study
        dialog = ListingDialog(study, org_id, self)

        def save() -> None:
            after, before = dialog.chosen(), dialog.previous()
            if after != before:
                self.edit(f"directory listing of {name}", lambda: set_listing(study, org_id, **after),
                          lambda: set_listing(study, org_id, **before), {ORGANISATIONS})

        dialog.accepted.connect(save)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    # --- personal data ---------------------------------------------------------------------------

    def show_history(self) -> ChangeHistoryDialog | None:
        """The organisation's change history, newest first (a window-modal dialog)."""
        if self.org is None:
            return None
        self.commit_pending()
        dialog = ChangeHistoryDialog(self.study, self.org.id, self)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def print_case_sheet(self) -> bool:
        """Case sheet ▸ Print case sheet…: the organisation's named record on paper."""
        if self.org is None:
            return False
        from fieldkit.ui import printing

        self.commit_pending()
        return printing.print_case_sheet(self, self.study, self.org.id)

    def save_case_sheet(self, path: Path | None = None) -> Path | None:
        """Case sheet ▸ Save case sheet as PDF… (to ``path`` when given, else where asked)."""
        if self.org is None:
            return None
        from fieldkit.ui import printing

        self.commit_pending()
        return printing.save_case_sheet(self.window_, self, self.study, self.org.id, path)

    def ask_subject_access(self) -> Any:
        """Save the JSON record and the case sheet in a folder the researcher picks."""
        if self.org is None:
            return None
        self.commit_pending()
        self.dialog = ask_subject_access(self.study, self.org.id, self)
        return self.dialog

    def ask_erase(self) -> EraseDialog | None:
        """Say what erasing deletes, and erase only once the name is typed and the red button pressed."""
        if self.org is None:
            return None
        self.commit_pending()
        org_id = self.org.id
        dialog = EraseDialog(self.org.name, personal_data.erasure_summary(self.study, org_id), self,
                             hits=names_before_erasure(self.study, org_id, self.window_))
        dialog.accepted.connect(lambda: self.erase(org_id))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def erase(self, org_id: int) -> bool:
        """Erase the organisation (see ``erase_now``) and go back to the list."""
        name = self.study.organisations.get(org_id).name
        result = erase_now(self.session, org_id, self, self.window_)
        if result is None:
            return False
        if org_id in self.ids:
            self.ids.remove(org_id)
        if self.org is not None and self.org.id == org_id:  # not already gone back on the change notice
            self.org = None
            self.back_requested.emit()
        self.status_message(erased_message(name, result), 20_000)
        return True

    # --- changes from anywhere -------------------------------------------------------------------

    def _on_changed(self, kinds: set[str]) -> None:
        if TEMPLATE in kinds:
            self._fill_vocabularies()
            self.attempts.template_changed()
        if not kinds & FORM_KINDS or self.org is None:
            self._reveal = None
            return
        reveal, self._reveal = self._reveal, None
        if reveal is not None and reveal != self.org.id and reveal in self.ids and self.isVisible():
            self.position = self.ids.index(reveal)  # an undo or redo of an edit made elsewhere in the list
            self._load(reveal, force=True)
        elif self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.reload()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.commit_pending()
        super().hideEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.notes and event.type() == QEvent.Type.FocusOut:
            self._save_notes()
        return super().eventFilter(watched, event)
