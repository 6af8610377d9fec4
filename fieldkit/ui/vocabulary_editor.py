"""One vocabulary of a study (its categories, areas, exclusion reasons or attempt outcomes) in
Study settings: the values in order with how many records use each, to add, rename, move or
remove; every change through the study session, undoable, and refused by the core with its
reason when a value is still in use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldkit import template_edits
from fieldkit.ui.qt import (
    QAbstractItemView,
    QEvent,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    Qt,
    QTimer,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)
from fieldkit.ui.welcome import heading

if TYPE_CHECKING:
    from fieldkit.ui.settings import SettingsScreen

#: Where an item of a settings list keeps the value it shows.
VALUE_ROLE = Qt.ItemDataRole.UserRole


def settings_list(tree: QTreeWidget, name: str, heads: list[str]) -> QTreeWidget:
    tree.setAccessibleName(name)
    tree.setHeaderLabels(heads)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # F2 and double-click edit the first column
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, len(heads)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return tree


class VocabularyEditor(QFrame):
    """One vocabulary as an ordered list: add, rename in place (F2), remove (Delete), move
    (Ctrl+Up / Ctrl+Down). Shows how many organisations or attempts use each value."""

    def __init__(self, screen: SettingsScreen, kind: str, title: str, noun: str, users: str):
        super().__init__()
        self.screen_, self.kind, self.title, self.noun, self.users = screen, kind, title, noun, users
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QGridLayout(self)
        layout.addWidget(heading(title, 1.1), 0, 0, 1, 2)
        self.tree = settings_list(QTreeWidget(), title, [title[:-1] if title.endswith("s") else title, "In use"])
        self.tree.headerItem().setText(0, noun.capitalize())
        self.tree.itemChanged.connect(self._renamed)
        self.tree.itemDoubleClicked.connect(lambda item, _: self.rename())
        self.tree.currentItemChanged.connect(lambda *_: self._enable())
        self.tree.installEventFilter(self)
        self.tree.setMinimumHeight(self.tree.fontMetrics().lineSpacing() * 12 + 30)
        layout.addWidget(self.tree, 1, 0)

        buttons = QVBoxLayout()
        self.rename_button = self._button("Rename", f"Rename the {noun} (F2)", self.rename)
        self.remove_button = self._button("Remove", f"Remove the {noun} (Delete)", self.remove)
        self.up_button = self._button("Move up", "Move up (Ctrl+Up)", lambda: self.move_by(-1))
        self.down_button = self._button("Move down", "Move down (Ctrl+Down)", lambda: self.move_by(1))
        for b in (self.rename_button, self.remove_button, self.up_button, self.down_button):
            b.setAccessibleName(f"{b.text()}: {title.lower()}")
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons, 1, 1)

        self.new = QLineEdit()
        self.new.setAccessibleName(f"New {noun}")
        self.new.setPlaceholderText(f"New {noun}")
        self.new.returnPressed.connect(self.add)
        add = QPushButton("Add")
        add.setAccessibleName(f"Add the new {noun}")
        add.clicked.connect(self.add)
        row = QHBoxLayout()
        row.addWidget(self.new, 1)
        row.addWidget(add)
        layout.addLayout(row, 2, 0, 1, 2)
        layout.setRowStretch(1, 1)

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def values(self) -> list[str]:
        return list(self.screen_.study.template.vocabulary(self.kind))

    def fill(self) -> None:
        current = self.current()
        usage = self.screen_.study.vocabulary_usage(self.kind)
        self.tree.blockSignals(True)
        self.tree.clear()
        for value in self.values():
            n = usage.get(value, 0)
            item = QTreeWidgetItem([value, str(n) if n else "–"])
            item.setData(0, VALUE_ROLE, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(1, f"{n} {self.users}" if n else f"No {self.users} use it")
            self.tree.addTopLevelItem(item)
            if value == current:
                self.tree.setCurrentItem(item)
        self.tree.blockSignals(False)
        self._enable()

    def current(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, VALUE_ROLE) if item is not None else None

    def select(self, value: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(0, VALUE_ROLE) == value:
                self.tree.setCurrentItem(item)

    def _enable(self) -> None:
        current = self.tree.currentItem()
        row = self.tree.indexOfTopLevelItem(current) if current else -1
        for button in (self.rename_button, self.remove_button):
            button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.tree.topLevelItemCount() - 1)

    # --- changes ---------------------------------------------------------------------------

    def add(self) -> None:
        value = self.new.text().strip()
        if not value:
            return
        study = self.screen_.study
        done = self.screen_.edit(f"addition of {value} to the {self.title.lower()}",
                                 lambda: template_edits.add_value(study, self.kind, value),
                                 lambda: template_edits.remove_value(study, self.kind, value))
        if done:
            self.new.clear()
            self.select(value)

    def remove(self) -> None:
        value = self.current()
        if value is None:
            return
        study = self.screen_.study
        index = self.values().index(value)
        target = study.template.targets.get(value) if self.kind == "categories" else None
        self.screen_.edit(f"removal of {value} from the {self.title.lower()}",
                          lambda: template_edits.remove_value(study, self.kind, value),
                          lambda: template_edits.restore_value(study, self.kind, value, index, target))

    def move_by(self, step: int) -> None:
        value = self.current()
        if value is None:
            return
        study = self.screen_.study
        if self.screen_.edit(f"move of {value} {'up' if step < 0 else 'down'}",
                             lambda: template_edits.move_value(study, self.kind, value, step),
                             lambda: template_edits.move_value(study, self.kind, value, -step)):
            self.select(value)

    def rename(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.tree.editItem(item, 0)

    def _renamed(self, item: QTreeWidgetItem, column: int) -> None:
        old, new = item.data(0, VALUE_ROLE), item.text(0).strip()
        if column != 0 or new == old:
            return
        # after the list's editor has closed: the rename redraws the list
        QTimer.singleShot(0, lambda: self.rename_value(old, new))

    def rename_value(self, old: str, new: str) -> None:
        """Rename ``old`` to ``new`` here and on everything that uses it."""
        study = self.screen_.study
        if not new:
            self.fill()
            return
        done = self.screen_.edit(f"rename of {old} to {new}",
                                 lambda: study.rename_vocabulary_value(self.kind, old, new),
                                 lambda: study.rename_vocabulary_value(self.kind, new, old))
        if done:
            self.select(new)
        else:
            self.fill()  # put the old name back in the list

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if (watched is self.tree and event.type() == QEvent.Type.KeyPress
                and self.tree.state() != QAbstractItemView.State.EditingState):
            key, mods = event.key(), event.modifiers()
            if key == Qt.Key.Key_F2:
                self.rename()
                return True
            if key == Qt.Key.Key_Delete:
                self.remove()
                return True
            if mods & Qt.KeyboardModifier.ControlModifier and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.move_by(-1 if key == Qt.Key.Key_Up else 1)
                return True
        return super().eventFilter(watched, event)
