"""The case form: one organisation at a time, like an Access form, with nothing to save.

Every field is saved as it is changed (text when the field is left, drop-downs and tick boxes
at once) through ``session.edit``, so Edit ▸ Undo and Redo work on it. Previous / Next and
Page Up / Page Down walk the list the form was opened from; Escape goes back to the list.
The top row also leads to the organisation's change history and its personal-data duties
(subject access, erasure), which ``fieldkit/ui/personal_data.py`` carries out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fieldkit import personal_data
from fieldkit.errors import NotFoundError
from fieldkit.organisations import STATUS_LABELS, STATUSES, Organisation
from fieldkit.ui.case_records import AttemptsPanel, ContactsPanel, InterviewsPanel
from fieldkit.ui.personal_data import (ChangeHistoryDialog, EraseDialog, ask_subject_access, erase_now,
                                        erased_message, names_before_erasure)
from fieldkit.ui.qt import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QEvent,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMenu,
    QObject,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QShortcut,
    QSizePolicy,
    QSplitter,
    QStringListModel,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.session import ATTEMPTS, CONTACTS, INTERVIEWS, ORGANISATIONS, TEMPLATE, StudySession
from fieldkit.ui.welcome import heading

#: (field, label) of the organisation's text fields, in the order shown.
TEXT_FIELDS = (
    ("name", "Name"),
    ("coverage", "Coverage"),
    ("address", "Address"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("website", "Website"),
)
FORM_KINDS = {ORGANISATIONS, CONTACTS, ATTEMPTS, INTERVIEWS, TEMPLATE}


def display_name(org: Organisation) -> str:
    """How an organisation is offered in a pick list: its name, and its area when known."""
    return f"{org.name} ({org.area})" if org.area else org.name


class OrganisationPicker(QLineEdit):
    """A line to pick another organisation by typing part of its name (searched by the core)."""

    picked = Signal(object)  # the organisation's id, or None when cleared

    def __init__(self, form: CaseForm):
        super().__init__()
        self.form = form
        self.current: int | None = None
        self._current_text = ""
        self._choices: dict[str, int] = {}
        self.setPlaceholderText("Type part of a name")
        self.setClearButtonEnabled(True)
        self.names = QStringListModel(self)
        completer = QCompleter(self.names, self)
        completer.setCompletionMode(QCompleter.UnfilteredPopupCompletion)
        completer.activated.connect(self._chosen)
        self.setCompleter(completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self._search)
        self.textEdited.connect(self._edited)
        self.editingFinished.connect(self._finished)

    def _edited(self, text: str) -> None:
        if len(text.strip()) < 2:  # too short to search: offer nothing
            self._timer.stop()
            self.names.setStringList([])
            self.completer().popup().hide()
        else:
            self._timer.start()

    def show_organisation(self, org_id: int | None) -> None:
        self.current = org_id
        text = ""
        if org_id is not None:
            try:
                text = display_name(self.form.study.organisations.get(org_id))
            except NotFoundError:
                text = ""
        self._current_text = text
        if not (self.hasFocus() and self.isModified()):
            self.setText(text)
            self.setCursorPosition(0)  # the start of the name, not its end

    def _search(self) -> None:
        text = self.text().strip()
        if len(text) < 2:
            self.names.setStringList([])
            return
        orgs = self.form.study.organisations
        found = [o for o in orgs.many(orgs.ids(search=text, limit=30)) if o.id != self.form.org_id]
        self._choices = {}
        for org in found:
            label = display_name(org)
            if label in self._choices:
                label = f"{label} #{org.id}"
            self._choices[label] = org.id
        self.names.setStringList(list(self._choices))
        if self._choices and self.hasFocus():
            self.completer().complete()

    def _chosen(self, text: str) -> None:
        org_id = self._choices.get(text)
        if org_id is not None and org_id != self.current:
            self.picked.emit(org_id)

    def _finished(self) -> None:
        self.setModified(False)
        text = self.text().strip()
        if not text:
            self.completer().popup().hide()
            if self.current is not None:
                self.picked.emit(None)
            return
        if self.completer().popup().isVisible():
            return
        elif text in self._choices:
            self._chosen(text)
        elif text != self._current_text:
            self.setText(self._current_text)  # not a pick: show what is recorded


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
        self.flag_boxes: dict[str, QCheckBox] = {}
        self.dialog: QWidget | None = None  # the dialog last opened from the form

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_top())
        splitter = QSplitter(Qt.Horizontal)
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

        for keys, slot in ((QKeySequence(Qt.Key_PageDown), lambda: self.walk(1)),
                           (QKeySequence(Qt.Key_PageUp), lambda: self.walk(-1)),
                           (QKeySequence(Qt.Key_Escape), self.go_back),
                           (QKeySequence("Ctrl+L"), self.attempts.focus_log)):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        session.changed.connect(self._on_changed)

    # --- building ----------------------------------------------------------------------------

    def _build_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        self.back_button = QPushButton("◀  Back to list")
        self.back_button.setAccessibleName("Back to the list")
        self.back_button.setToolTip("Back to the list (Esc)")
        self.back_button.clicked.connect(self.go_back)
        top.addWidget(self.back_button)
        top.addSpacing(8)
        self.title = heading("", 1.4)
        self.title.setWordWrap(False)
        self.title.setMinimumWidth(100)
        top.addWidget(self.title, 1)
        self.where = QLabel()
        self.where.setAccessibleName("Place in the list")
        top.addWidget(self.where)
        self.previous_button = QPushButton("Previous")
        self.previous_button.setToolTip("Previous organisation in the list (Page Up)")
        self.previous_button.clicked.connect(lambda: self.walk(-1))
        self.next_button = QPushButton("Next")
        self.next_button.setToolTip("Next organisation in the list (Page Down)")
        self.next_button.clicked.connect(lambda: self.walk(1))
        top.addWidget(self.previous_button)
        top.addWidget(self.next_button)
        top.addSpacing(12)
        self.history_button = QPushButton("History…")
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
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        column.addLayout(form, 1)
        self.form_layout = form
        form.addRow(*self._text_field(*TEXT_FIELDS[0]))
        self.category = self._vocab_combo("Category", "category")
        self.area = self._vocab_combo("Area", "area")
        form.addRow("&Category", self.category)
        form.addRow("&Area", self.area)
        for key, label in TEXT_FIELDS[1:]:
            form.addRow(*self._text_field(key, label))
        self.referred_by = OrganisationPicker(self)
        self.referred_by.setAccessibleName("Referred by")
        self.referred_by.picked.connect(self._save_referrer)
        form.addRow("Re&ferred by", self.referred_by)

        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        for status in STATUSES:
            self.status.addItem(STATUS_LABELS[status], status)
        self.status.activated.connect(self._status_chosen)
        self.reason = QComboBox()
        self.reason.setAccessibleName("Exclusion reason")
        self.reason.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.reason.setMinimumContentsLength(16)
        self.reason.activated.connect(self._reason_chosen)
        form.addRow("&Status", self.status)
        self.reason_label = QLabel("&Reason excluded")
        self.reason_label.setBuddy(self.reason)
        form.addRow(self.reason_label, self.reason)

        self.flags_frame = QFrame()
        self.flags_frame.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        self.flags_grid = QGridLayout(self.flags_frame)
        self.flags_grid.setContentsMargins(0, 0, 0, 0)
        form.addRow("Flags", self.flags_frame)

        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(self.notes.fontMetrics().lineSpacing() * 4 + 16)
        self.notes.installEventFilter(self)
        notes_label = QLabel("&Notes")
        notes_label.setBuddy(self.notes)
        form.addRow(notes_label, self.notes)
        self._fill_vocabularies()

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(inner)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.NoFocus)
        scroll.setMinimumWidth(320)
        return scroll

    def _text_field(self, key: str, label: str) -> tuple[QLabel, QLineEdit]:
        edit = QLineEdit()
        edit.setAccessibleName(label)
        edit.editingFinished.connect(lambda k=key: self._save_text(k))
        self.fields[key] = edit
        caption = QLabel(f"&{label}" if key != "email" else "E&mail")
        caption.setBuddy(edit)
        return caption, edit

    def _vocab_combo(self, name: str, key: str) -> QComboBox:
        box = QComboBox()
        box.setAccessibleName(name)
        box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(16)
        box.activated.connect(lambda _, k=key: self._vocab_chosen(k))
        return box

    def _fill_vocabularies(self) -> None:
        """The drop-downs and tick boxes from the study's template (again after it changes)."""
        template = self.study.template
        for box, values in ((self.category, template.categories), (self.area, template.areas),
                            (self.reason, template.exclusion_reasons)):
            box.clear()
            box.addItem("", None)
            for value in values:
                box.addItem(value, value)
        for box in self.flag_boxes.values():
            box.deleteLater()
        self.flag_boxes = {}
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
        chain = [self.status, self.reason, *self.flag_boxes.values(), self.notes]
        for before, after in zip(chain, chain[1:]):
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
        self.title.setText(org.name)
        self.title.setToolTip(org.name)
        self.where.setText(f"{self.position + 1:,} of {len(self.ids):,}")
        self.previous_button.setEnabled(self.position > 0)
        self.next_button.setEnabled(self.position < len(self.ids) - 1)
        for key, edit in self.fields.items():
            value = getattr(org, key) or ""
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
        for box, value in ((self.category, org.category), (self.area, org.area)):
            index = box.findData(value)
            if index < 0 and value is not None:  # a value no longer offered: still shown
                box.addItem(value, value)
                index = box.count() - 1
            box.setCurrentIndex(max(index, 0))
        self.status.setCurrentIndex(STATUSES.index(org.status))
        self.reason.setCurrentIndex(max(self.reason.findData(org.exclusion_reason), 0))
        excluded = org.status == "excluded"
        self.reason.setEnabled(excluded)
        self.reason_label.setEnabled(excluded)
        for flag, box in self.flag_boxes.items():
            box.setChecked(flag in org.flags)
        self.referred_by.show_organisation(org.referred_by)
        self.attempts.load(org.id)
        self.contacts.load(org.id)
        self.interviews.load(org.id)

    def reload(self) -> None:
        if self.org is not None:
            self._load(self.org.id)

    def focus_first(self) -> None:
        self.fields["name"].setFocus(Qt.OtherFocusReason)
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
        to that organisation if the list it walks holds it."""
        org_id = self.org_id

        def reveal(fn: Callable[[], Any]) -> Callable[[], None]:
            def run() -> None:
                fn()
                self._reveal = org_id
            return run

        done = self.session.edit(what, reveal(do), reveal(undo), changes)
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
        edit.setModified(False)  # committed: from now on the form shows what is recorded
        if new == old or (not new.strip() and not old):
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
        return self.edit(f"change the {what} of {self.org.name}", lambda: orgs.update(org_id, **{key: new}),
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

    def _set_status(self, status: str, reason: str | None) -> bool:
        assert self.org is not None
        org_id, orgs = self.org.id, self.study.organisations
        old = (self.org.status, self.org.exclusion_reason)
        return self.edit(f"set the status of {self.org.name} to {STATUS_LABELS[status].lower()}",
                         lambda: orgs.set_status(org_id, status, reason),
                         lambda: orgs.set_status(org_id, *old), {ORGANISATIONS})

    def _status_chosen(self, index: int) -> None:
        if self.org is None:
            return
        status = STATUSES[index]
        if status == self.org.status:
            return
        if self._set_status(status, None) and status == "excluded":
            self.reason.setFocus()  # the next thing to say is why

    def _reason_chosen(self, index: int) -> None:
        if self.org is None or self.org.status != "excluded":
            return
        reason = self.reason.itemData(index)
        if reason != self.org.exclusion_reason:
            self._set_status("excluded", reason)

    def _flag_clicked(self, flag: str, on: bool) -> None:
        if self.org is None:
            return
        org_id, orgs = self.org.id, self.study.organisations
        label = self.study.template.flag_label(flag).lower()
        self.edit(f"{'tick' if on else 'untick'} “{label}” for {self.org.name}",
                  lambda: orgs.set_flag(org_id, flag, on), lambda: orgs.set_flag(org_id, flag, not on),
                  {ORGANISATIONS})

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
        if watched is self.notes and event.type() == QEvent.FocusOut:
            self._save_notes()
        return super().eventFilter(watched, event)
