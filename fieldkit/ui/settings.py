"""Study settings: the study's details, its vocabularies, targets and flags, its anonymity
setting k (``fieldkit/ui/anonymity.py``), and the date by which its personal data is to be
deleted (``fieldkit/ui/personal_data.py``); the interview schedule has a tab of its own
(``fieldkit/ui/schedule.py``), and so do the fieldwork rules: results, attempts, e and what each
outcome means (``fieldkit/ui/fieldwork_settings.py``).

Every change is saved as it is made: a vocabulary, target or flag change is a new version of
the study's template (interviews already taken keep theirs). The core refuses to remove a
value still in use and says so in a dialog; renaming a value renames it on every organisation
and attempt too. Changes can be undone from the Edit menu.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import partial

from fieldkit import template_edits
from fieldkit.collation import sort_key
from fieldkit.contact_details import calling_code, phone_regions
from fieldkit.templates import BUILTIN_FLAGS, Template
from fieldkit.ui.qt import (
    QAbstractItemView,
    QEvent,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QLocale,
    QPalette,
    QPushButton,
    QScrollArea,
    QSpinBox,
    Qt,
    QTabWidget,
    QTimer,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.anonymity import AnonymityPanel
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.fieldwork_settings import FieldworkSettingsTab
from fieldkit.ui.personal_data import RetentionPanel
from fieldkit.ui.schedule import ScheduleEditor
from fieldkit.ui.debounced import Debounced
from fieldkit.ui.session import ATTEMPTS, DETAILS, ORGANISATIONS, TEMPLATE, StudySession
from fieldkit.ui.vocabulary_editor import VALUE_ROLE, VocabularyEditor, settings_list
from fieldkit.ui.welcome import heading

RELEVANT = {TEMPLATE, DETAILS, ORGANISATIONS, ATTEMPTS}
#: (kind, title, what one value is called, what uses it)
VOCABULARIES = (
    ("categories", "Categories", "category", "organisations"),
    ("areas", "Areas", "area", "organisations"),
    ("exclusion_reasons", "Exclusion reasons", "exclusion reason", "organisations"),
    ("outcomes", "Attempt outcomes", "outcome", "attempts"),
)
TEMPLATE_CHANGES = {TEMPLATE, ORGANISATIONS, ATTEMPTS}


def countries() -> list[tuple[str, str]]:
    """(name in the user's language, ISO code) of every country phone numbers can be read for,
    sorted by name."""
    named = []
    for code in phone_regions():
        territory = QLocale.codeToTerritory(code)
        name = QLocale.territoryToString(territory) if territory != QLocale.Country.AnyTerritory else code
        named.append((name, code))
    return sorted(named, key=lambda pair: sort_key(pair[0]))


class SettingsScreen(QWidget):
    def __init__(self, session: StudySession, window=None):
        super().__init__(window)
        self.session = session
        self.study = session.study
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Study settings")
        self.tabs.addTab(scroll, "Stud&y")
        self.schedule = ScheduleEditor(session, self)
        self.tabs.addTab(self.schedule, "Interview sche&dule")
        self.fieldwork = FieldworkSettingsTab(session, self)
        self.tabs.addTab(self.fieldwork, "Field&work")
        outer.addWidget(self.tabs)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.addWidget(heading("Study settings"))
        note = QLabel("Changes are saved as you make them; Edit ▸ Undo takes them back. A value still "
                      "used by organisations or attempts cannot be removed: rename it instead, and "
                      "everything that uses it follows.")
        note.setWordWrap(True)
        layout.addWidget(note)

        top = QHBoxLayout()
        top.addWidget(self._build_details(), 1)
        top.addWidget(self._build_flags(), 1)
        layout.addLayout(top)

        layout.addWidget(heading("Vocabularies", 1.2))
        grid = QGridLayout()
        self.vocabularies: dict[str, VocabularyEditor] = {}
        for i, (kind, title, noun, users) in enumerate(VOCABULARIES):
            editor = VocabularyEditor(self, kind, title, noun, users)
            self.vocabularies[kind] = editor
            grid.addWidget(editor, i // 2, i % 2)
        layout.addLayout(grid)

        layout.addWidget(self._build_targets())
        self.anonymity = AnonymityPanel(session)
        layout.addWidget(self.anonymity)
        self.retention = RetentionPanel(session)
        layout.addWidget(self.retention)
        layout.addStretch(1)
        self.scroll_area = scroll
        session.changed.connect(lambda kinds: self.refresh(kinds) if kinds & RELEVANT else None)
        self.refresh(RELEVANT)

    # --- building ------------------------------------------------------------------------------

    def _build_details(self) -> QFrame:
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(box)
        layout.addWidget(heading("Study details", 1.1))
        about = QLabel("What the report's cover shows, and the country phone numbers are dialled in.")
        about.setWordWrap(True)
        layout.addWidget(about)
        form = QFormLayout()
        self.details: dict[str, QLineEdit] = {}
        self._details_save: dict[str, Debounced] = {}
        for key, label in (("title", "&Title"), ("client", "&Client"), ("author", "&Author")):
            field = QLineEdit()
            field.setAccessibleName(f"Study {key}")
            field.textEdited.connect(lambda _, k=key: self._detail_typed(k))
            field.editingFinished.connect(lambda k=key: self._detail_left(k))
            self.details[key] = field
            self._details_save[key] = Debounced(self, partial(self.save_detail, key))
            form.addRow(label, field)
            name = form.labelForField(field)
            assert isinstance(name, QLabel)  # addRow made it from the text
            name.setBuddy(field)
        self.country = ComboBox()
        self.country.setAccessibleName("The country the study's phone numbers are dialled in")
        self.country.setToolTip("Phone numbers are read, and shown in their national form, for this country; "
                                "numbers already stored keep what they are")
        for country_name, code in countries():
            self.country.addItem(f"{country_name} (+{calling_code(code)})", code)
        # Saved after a pause, as the fields are: typing "Pola" passes Pakistan on the way to Poland,
        # and one undo should put back the country there was before.
        self._country_save = Debounced(self, self.save_country)
        self.country.activated.connect(lambda _: self._country_save.start())
        form.addRow("&Phone numbers in", self.country)
        name = form.labelForField(self.country)
        assert isinstance(name, QLabel)
        name.setBuddy(self.country)
        layout.addLayout(form)
        layout.addStretch(1)
        return box

    def _build_flags(self) -> QFrame:
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QGridLayout(box)
        layout.addWidget(heading("Flags", 1.1), 0, 0, 1, 2)
        builtin = QLabel("Always there: " + ", ".join(BUILTIN_FLAGS.values()) + ".")
        builtin.setWordWrap(True)
        builtin.setAccessibleName("Built-in flags")
        layout.addWidget(builtin, 1, 0, 1, 2)
        self.flags = settings_list(QTreeWidget(), "The study's own flags", ["Tick box", "Id"])
        self.flags.itemChanged.connect(self._flag_relabelled)
        self.flags.itemDoubleClicked.connect(lambda item, _: self.flags.editItem(item, 0))
        self.flags.installEventFilter(self)
        self.flags.setFixedHeight(self.flags.fontMetrics().lineSpacing() * 5 + 30)
        layout.addWidget(self.flags, 2, 0)
        side = QVBoxLayout()
        relabel = QPushButton("Rename")
        relabel.setToolTip("Change the tick box's label (F2)")
        relabel.setAccessibleName("Rename the flag")
        relabel.clicked.connect(self._rename_flag)
        self.remove_flag_button = QPushButton("Remove")
        self.remove_flag_button.setAccessibleName("Remove the flag")
        self.remove_flag_button.clicked.connect(self.remove_flag)
        side.addWidget(relabel)
        side.addWidget(self.remove_flag_button)
        side.addStretch(1)
        layout.addLayout(side, 2, 1)
        add = QHBoxLayout()
        self.flag_label = QLineEdit()
        self.flag_label.setAccessibleName("New flag label")
        self.flag_label.setPlaceholderText("New tick box, e.g. Invite to the launch")
        self.flag_id = QLineEdit()
        self.flag_id.setAccessibleName("New flag id")
        self.flag_id.setPlaceholderText("id")
        self.flag_id.setMaximumWidth(170)
        self._id_typed = False
        self.flag_label.textEdited.connect(self._suggest_flag_id)
        self.flag_id.textEdited.connect(lambda text: setattr(self, "_id_typed", bool(text)))
        self.flag_label.returnPressed.connect(self.add_flag)
        self.flag_id.returnPressed.connect(self.add_flag)
        add_button = QPushButton("Add")
        add_button.setAccessibleName("Add the flag")
        add_button.clicked.connect(self.add_flag)
        add.addWidget(self.flag_label, 1)
        add.addWidget(self.flag_id)
        add.addWidget(add_button)
        layout.addLayout(add, 3, 0, 1, 2)
        return box

    def _build_targets(self) -> QFrame:
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(box)
        layout.addWidget(heading("Targets", 1.1))
        layout.addWidget(QLabel("How many organisations of each category the study aims to interview "
                                "(the report shows achieved against target)."))
        self.targets_grid = QGridLayout()
        self.targets_grid.setHorizontalSpacing(12)
        layout.addLayout(self.targets_grid)
        self.targets: dict[str, QSpinBox] = {}
        self._target_save: dict[str, Debounced] = {}
        return box

    # --- drawing -------------------------------------------------------------------------------

    def refresh(self, kinds: AbstractSet[str]) -> None:
        template = self.study.template
        if kinds & {DETAILS}:
            self.anonymity.refresh()
            self.retention.refresh()
            for key, field in self.details.items():
                value = getattr(self.study, key)
                if not self._details_save[key].pending and field.text() != value:
                    field.setText(value)
            if not self._country_save.pending:
                self.country.setCurrentIndex(self.country.findData(self.study.country))
        for editor in self.vocabularies.values():
            editor.fill()
        if kinds & {TEMPLATE}:
            self._fill_flags(template)
            self._fill_targets(template)

    def _fill_flags(self, template: Template) -> None:
        current = self.flags.currentItem()
        keep = current.data(0, VALUE_ROLE) if current is not None else None
        self.flags.blockSignals(True)
        self.flags.clear()
        for flag in template.flags:
            item = QTreeWidgetItem([flag.label, flag.id])
            item.setData(0, VALUE_ROLE, flag.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setForeground(1, self.palette().brush(QPalette.ColorRole.PlaceholderText))
            self.flags.addTopLevelItem(item)
            if flag.id == keep:
                self.flags.setCurrentItem(item)
        self.flags.blockSignals(False)
        self.remove_flag_button.setEnabled(bool(template.flags))

    def _fill_targets(self, template: Template) -> None:
        categories = list(template.categories)
        if list(self.targets) != categories:
            while self.targets_grid.count():
                taken = self.targets_grid.takeAt(0)
                widget = taken.widget() if taken is not None else None
                if widget is not None:
                    widget.deleteLater()
            self.targets, self._target_save = {}, {}
            columns = 2
            for i, category in enumerate(categories):
                spin = QSpinBox()
                spin.setRange(0, 100_000)
                spin.setSpecialValueText("No target")
                spin.setAccessibleName(f"Target: {category}")
                spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance("No target") + 48)
                label = QLabel(category)
                label.setBuddy(spin)
                self.targets[category] = spin
                self._target_save[category] = Debounced(self, partial(self.save_target, category))
                spin.valueChanged.connect(lambda _, c=category: self._target_save[c].start())
                spin.editingFinished.connect(lambda c=category: self._target_save[c].flush())
                self.targets_grid.addWidget(label, i // columns, (i % columns) * 2)
                self.targets_grid.addWidget(spin, i // columns, (i % columns) * 2 + 1)
            self.targets_grid.setHorizontalSpacing(24)
            self.targets_grid.setColumnStretch(columns * 2, 1)
            if not categories:
                self.targets_grid.addWidget(QLabel("Add categories above to set targets for them."), 0, 0)
        for category, spin in self.targets.items():
            if not self._target_save[category].pending:
                spin.blockSignals(True)
                spin.setValue(template.targets.get(category, 0))
                spin.blockSignals(False)

    def place(self) -> Callable[[], None]:
        """What shows this screen as it is now (its tab), for an undo of a change made here."""
        index = self.tabs.currentIndex()
        return lambda: self.tabs.setCurrentIndex(index)

    def show_retention(self) -> None:
        """Scroll to the deletion date and put the cursor there."""
        self.scroll_area.ensureWidgetVisible(self.retention)
        QTimer.singleShot(0, self, lambda: self.scroll_area.ensureWidgetVisible(self.retention))  # once laid out
        target = self.retention.date if self.retention.date.isEnabled() else self.retention.has_date
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- changes -------------------------------------------------------------------------------

    def edit(self, text: str, do: Callable[[], object], undo: Callable[[], object],
             changes: AbstractSet[str] = TEMPLATE_CHANGES) -> bool:
        """An undoable change through the session (a dialog says why if the core refuses)."""
        return self.session.edit(text, do, undo, changes)

    def _detail_typed(self, key: str) -> None:
        if key == "title" and not self.details[key].text().strip():
            self._details_save[key].timer.stop()  # a title is needed: wait for one
            return
        self._details_save[key].start()

    def _detail_left(self, key: str) -> None:
        field = self.details[key]
        if key == "title" and not field.text().strip():
            self.save_detail(key)  # the core says why, then the title comes back
            field.setText(self.study.title)
            return
        self._details_save[key].flush()

    def save_detail(self, key: str) -> None:
        new, old = self.details[key].text(), getattr(self.study, key)
        if new == old:
            return
        words = {"title": "the study title", "client": "the client", "author": "the author"}[key]
        self.edit(f"change to {words}", lambda: self.study.set_details(**{key: new}),
                  lambda: self.study.set_details(**{key: old}), {DETAILS})

    def save_country(self) -> None:
        new, old = self.country.currentData(), self.study.country
        if new == old:
            return
        self.edit(f"change of the phone numbers' country to {self.country.currentText()}",
                  lambda: self.study.set_country(new), lambda: self.study.set_country(old), {DETAILS})

    def save_target(self, category: str) -> None:
        value = self.targets[category].value()
        old = self.study.template.targets.get(category)
        if (old or 0) == value:
            return
        self.edit(f"change to the target for {category}",
                  lambda: template_edits.set_target(self.study, category, value or None),
                  lambda: template_edits.set_target(self.study, category, old), {TEMPLATE})

    def _suggest_flag_id(self, label: str) -> None:
        if not self._id_typed:
            self.flag_id.setText(template_edits.suggested_flag_id(self.study, label))

    def add_flag(self) -> None:
        label = self.flag_label.text().strip()
        if not label:
            return
        fid = self.flag_id.text().strip() or template_edits.suggested_flag_id(self.study, label)
        if self.edit(f"addition of the flag {label}", lambda: template_edits.add_flag(self.study, label, fid),
                     lambda: template_edits.remove_flag(self.study, fid), {TEMPLATE}):
            self.flag_label.clear()
            self.flag_id.clear()
            self._id_typed = False

    def _rename_flag(self) -> None:
        item = self.flags.currentItem()
        if item is not None:
            self.flags.editItem(item, 0)

    def remove_flag(self) -> None:
        item = self.flags.currentItem()
        if item is None:
            return
        fid = item.data(0, VALUE_ROLE)
        index = next(i for i, f in enumerate(self.study.template.flags) if f.id == fid)
        flag = self.study.template.flags[index]
        self.edit(f"removal of the flag {flag.label}", lambda: template_edits.remove_flag(self.study, fid),
                  lambda: template_edits.restore_flag(self.study, flag, index), {TEMPLATE})

    def _flag_relabelled(self, item: QTreeWidgetItem, column: int) -> None:
        fid, label = item.data(0, VALUE_ROLE), item.text(0).strip()
        if column == 0:
            QTimer.singleShot(0, lambda: self.relabel_flag(fid, label))

    def relabel_flag(self, fid: str, label: str) -> None:
        """Give the study's own flag ``fid`` a new label."""
        old = self.study.template.flag_label(fid)
        if label == old:
            return

        if not label or not self.edit(f"rename of the flag {old}",
                                      lambda: template_edits.relabel_flag(self.study, fid, label),
                                      lambda: template_edits.relabel_flag(self.study, fid, old), {TEMPLATE}):
            self._fill_flags(self.study.template)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.flags and event.type() == QEvent.Type.KeyPress \
                and self.flags.state() != QAbstractItemView.State.EditingState:
            if event.key() == Qt.Key.Key_F2 and self.flags.currentItem() is not None:
                self.flags.editItem(self.flags.currentItem(), 0)
                return True
            if event.key() == Qt.Key.Key_Delete:
                self.remove_flag()
                return True
        return super().eventFilter(watched, event)

    def close_study(self) -> None:
        """Save what is being typed before the study closes."""
        self.schedule.close_study()
        self.fieldwork.flush()
        for saver in [*self._details_save.values(), *self._target_save.values(), self._country_save]:
            saver.flush()
        self.anonymity.flush()
        self.retention.save()
