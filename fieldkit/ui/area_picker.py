"""Choosing a new study's areas from the official lists (fieldkit.areas), or none.

Offered when a study is made from a template that asks for it (``pick_areas``): the list can be
narrowed by kind, by the area others lie within (a county, for its districts) and by name or code,
and what is ticked becomes the study's areas, each with its code.
"""

from __future__ import annotations

from fieldkit.areas import Area, AreaList, kind, shipped_areas, with_areas
from fieldkit.templates import Template
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    Qt,
    QVBoxLayout,
    QWidget,
)

_AREA = Qt.ItemDataRole.UserRole


class AreaPicker(QDialog):
    """Pick the study's areas: keep the template's (when it has some), none, or those ticked."""

    def __init__(self, parent: QWidget | None, template: Template, areas: AreaList | None = None) -> None:
        super().__init__(parent)
        self.template = template
        self.areas = areas if areas is not None else shipped_areas()
        self.setWindowTitle("Areas of the new study")
        layout = QVBoxLayout(self)
        intro = QLabel("Organisations are placed in the study's areas, and the report counts and lists them "
                       "by area. Pick the areas from the official lists for England, Wales, Scotland and "
                       "Northern Ireland (each is kept with its ONS code), or start with none. Either way you "
                       "can add, rename and remove areas later in Study settings ▸ Vocabularies.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.choice = QButtonGroup(self)
        self.keep = QRadioButton(f"Keep the template's {len(template.areas)} areas")
        self.none = QRadioButton("Start with no areas")
        self.pick = QRadioButton("Pick the areas from the official lists:")
        for button in (self.keep, self.none, self.pick):
            self.choice.addButton(button)
            layout.addWidget(button)
        self.keep.setVisible(bool(template.areas))

        self.picker = QWidget()
        picker = QVBoxLayout(self.picker)
        picker.setContentsMargins(24, 0, 0, 0)
        filters = QFormLayout()
        self.kind = ComboBox()
        self.kind.setAccessibleName("Kind of area")
        self.kind.addItem(f"All kinds ({len(self.areas)})", None)
        for k in self.areas.kinds():
            self.kind.addItem(f"{k.label} ({len(self.areas.of_kind(k.id))})", k.id)
        filters.addRow("&Kind:", self.kind)
        self.within = ComboBox()
        self.within.setAccessibleName("Within")
        self.within.addItem("Anywhere", None)
        for parent_area in self.areas.parents():
            self.within.addItem(f"{parent_area.name} ({kind(parent_area.kind).singular})", parent_area.code)
        filters.addRow("&Within:", self.within)
        self.search = QLineEdit()
        self.search.setAccessibleName("Search the areas")
        self.search.setPlaceholderText("Part of a name, or a code such as E08000025")
        self.search.setClearButtonEnabled(True)
        filters.addRow("&Search:", self.search)
        picker.addLayout(filters)
        self.list = QListWidget()
        self.list.setAccessibleName("Official areas")
        self.list.setMinimumHeight(260)
        for area in sorted(self.areas, key=lambda a: (a.name.casefold(), a.code)):
            item = QListWidgetItem(f"{area.name}  ·  {kind(area.kind).singular}  ·  {area.code}")
            item.setData(_AREA, area)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        picker.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.tick_shown = QPushButton("Tick all shown")
        self.tick_shown.setAccessibleName("Tick all the areas shown")
        self.untick = QPushButton("Untick all")
        self.untick.setAccessibleName("Untick every area")
        self.count = QLabel()
        self.count.setAccessibleName("Areas ticked")
        row.addWidget(self.tick_shown)
        row.addWidget(self.untick)
        row.addStretch(1)
        row.addWidget(self.count)
        picker.addLayout(row)
        layout.addWidget(self.picker, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Continue")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.kind.currentIndexChanged.connect(self._filter)
        self.within.currentIndexChanged.connect(self._filter)
        self.search.textChanged.connect(self._filter)
        self.list.itemChanged.connect(self._counted)
        self.tick_shown.clicked.connect(lambda: self._tick(shown_only=True, state=Qt.CheckState.Checked))
        self.untick.clicked.connect(lambda: self._tick(shown_only=False, state=Qt.CheckState.Unchecked))
        self.choice.buttonToggled.connect(self._chosen)
        (self.keep if template.areas else self.pick).setChecked(True)
        self._chosen()
        self._counted()
        self.resize(620, 640)

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())]

    def _filter(self) -> None:
        kind_id, within = self.kind.currentData(), self.within.currentData()
        words = self.search.text().strip().casefold()
        for item in self._items():
            area: Area = item.data(_AREA)
            shown = ((kind_id is None or area.kind == kind_id) and (within is None or area.parent_code == within)
                     and (not words or words in area.name.casefold() or words in area.code.casefold()))
            item.setHidden(not shown)

    def _tick(self, *, shown_only: bool, state: Qt.CheckState) -> None:
        for item in self._items():
            if not (shown_only and item.isHidden()):
                item.setCheckState(state)

    def _counted(self, _item: QListWidgetItem | None = None) -> None:
        n = len(self.ticked())
        self.count.setText("No areas ticked" if n == 0 else f"{n} area{'s' if n != 1 else ''} ticked")

    def _chosen(self, *_args: object) -> None:
        self.picker.setEnabled(self.pick.isChecked())

    def ticked(self) -> list[Area]:
        """The areas ticked, in alphabetical order of name."""
        chosen = [item.data(_AREA) for item in self._items() if item.checkState() == Qt.CheckState.Checked]
        return sorted(chosen, key=lambda a: a.name.casefold())

    def chosen_template(self) -> Template:
        """The template with the areas chosen: its own, none, or those ticked."""
        if self.keep.isChecked():
            return self.template
        return with_areas(self.template, [] if self.none.isChecked() else self.ticked())


def ask_areas(parent: QWidget | None, template: Template) -> Template | None:
    """The template with the areas the researcher chose for the new study, or None if they
    cancelled. A template that does not ask for it (``pick_areas``) comes back as it is."""
    if not template.pick_areas:
        return template
    dialog = AreaPicker(parent, template)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen_template()
