"""A choice question's choices in the schedule editor: add, rename, reorder, remove.

A choice's stored name is what answers keep. Renaming a choice that answers use changes its
label only (``schedule.rename_choice``), so the answers follow; removing one asks first (the
question form does that). A plain choice no answer uses keeps one text as name and label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fieldkit import schedule
from fieldkit.ui.qt import (
    QAbstractItemView,
    QEvent,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    Qt,
    QTimer,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from fieldkit.ui.schedule_form import QuestionForm

_NAME = Qt.ItemDataRole.UserRole


class ChoicesEditor(QWidget):
    """A question's choices in order: add, rename (F2: the label; Shift+F2: the stored name of a
    choice no answer uses; Ctrl+F2: the attributes a choice filter tests, ``region=west; size=2``),
    move (Alt+Up / Alt+Down), remove (Delete)."""

    def __init__(self, form: QuestionForm):
        super().__init__()
        self.form = form
        self.items: list[str | dict[str, Any]] = []
        self.use: dict[str, int] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Choices")
        self.tree.setHeaderLabels(["Label", "Stored as", "Attributes", "In answers"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setToolTip("F2: change the label · Shift+F2: the stored name (of a choice no answer uses) · "
                             "Ctrl+F2: the attributes a choice filter tests (region=west; size=2)")
        self.tree.setMinimumHeight(self.tree.fontMetrics().lineSpacing() * 6 + 30)
        self.tree.setMaximumHeight(self.tree.fontMetrics().lineSpacing() * 9 + 30)
        self.tree.itemChanged.connect(self._edited)
        self.tree.itemDoubleClicked.connect(lambda item, column: self.rename(column))
        self.tree.installEventFilter(self)
        left.addWidget(self.tree)
        row = QHBoxLayout()
        self.new = QLineEdit()
        self.new.setAccessibleName("New choice")
        self.new.setPlaceholderText("New choice")
        self.new.returnPressed.connect(self.add)
        self.add_button = QPushButton("Add choice")
        self.add_button.setAccessibleName("Add the new choice")
        self.add_button.clicked.connect(self.add)
        row.addWidget(self.new, 1)
        row.addWidget(self.add_button)
        left.addLayout(row)
        layout.addLayout(left, 1)
        side = QVBoxLayout()
        for text, tip, slot in (("Rename", "Change the choice's label (F2)", lambda: self.rename(0)),
                                ("Move up", "Move up (Alt+Up)", lambda: self.move_by(-1)),
                                ("Move down", "Move down (Alt+Down)", lambda: self.move_by(1)),
                                ("Remove", "Remove the choice (Delete)", self.remove)):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setAccessibleName(f"{text}: choice")
            button.clicked.connect(slot)
            side.addWidget(button)
        side.addStretch(1)
        layout.addLayout(side)

    @staticmethod
    def name_of(item: str | dict[str, Any]) -> str:
        return item if isinstance(item, str) else item["name"]

    @staticmethod
    def label_of(item: str | dict[str, Any]) -> str:
        return item if isinstance(item, str) else item.get("label", item["name"])

    @staticmethod
    def attributes_of(item: str | dict[str, Any]) -> dict[str, Any]:
        if isinstance(item, str):
            return {}
        return {k: v for k, v in item.items() if k not in ("name", "label") and "::" not in k}

    def load(self, items: list[Any], use: dict[str, int]) -> None:
        self.items = [dict(i) if isinstance(i, dict) else i for i in items]
        self.use = use
        self.fill()

    def fill(self, select: str | None = None) -> None:
        keep = select if select is not None else self.current()
        self.tree.blockSignals(True)
        self.tree.clear()
        for item in self.items:
            name, n = self.name_of(item), self.use.get(self.name_of(item), 0)
            attributes = "; ".join(f"{k}={v}" for k, v in self.attributes_of(item).items())
            row = QTreeWidgetItem([self.label_of(item), name, attributes, str(n) if n else "–"])
            row.setData(0, _NAME, name)
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsEditable)
            row.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row.setToolTip(3, f"{n} answer{'s' if n != 1 else ''} pick it" if n else "No answer picks it")
            self.tree.addTopLevelItem(row)
            if name == keep:
                self.tree.setCurrentItem(row)
        self.tree.blockSignals(False)

    def current(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, _NAME) if item is not None else None

    def index_of(self, name: str) -> int:
        return [self.name_of(i) for i in self.items].index(name)

    def add(self) -> None:
        text = self.new.text().strip()
        if not text:
            return
        self.items.append(text)
        if self.form.commit("choices", select_choice=text):
            self.new.clear()

    def move_by(self, step: int) -> None:
        name = self.current()
        if name is None:
            return
        i = self.index_of(name)
        j = max(0, min(len(self.items) - 1, i + step))
        if i != j:
            self.items.insert(j, self.items.pop(i))
            self.form.commit("choices", select_choice=name)

    def remove(self) -> None:
        name = self.current()
        if name is not None:
            self.form.remove_choice(name)

    def count_use(self) -> None:
        """How many answers pick each choice, now (an interview may have been saved meanwhile)."""
        self.use = dict(schedule.choice_use(self.form.editor.study, self.form.item_id))

    def rename(self, column: int = 0) -> None:
        item = self.tree.currentItem()
        if item is None or column > 2:
            return
        self.count_use()
        if column == 1 and self.use.get(item.data(0, _NAME)):
            self.form.show_field_problem("choices", "answers use this stored name: rename the label instead "
                                         "(the answers follow)")
            return
        self.tree.editItem(item, column)

    def _edited(self, row: QTreeWidgetItem, column: int) -> None:
        name, text = row.data(0, _NAME), row.text(column).strip()
        # after the list's editor has closed: the change redraws the list
        QTimer.singleShot(0, self, lambda: self.renamed(name, text, column=column))

    def renamed(self, name: str, text: str, *, column: int = 0) -> None:
        """The choice ``name`` given the label ``text`` (column 1: the stored name, of a choice
        no answer uses; column 2: attributes, ``region=west; size=2``)."""
        self.count_use()
        i = self.index_of(name)
        item = self.items[i]
        stored_name = column == 1
        if column == 2:
            self._set_attributes(i, text)
            return
        if not text or text == (name if stored_name else self.label_of(item)):
            self.fill()
            return
        if stored_name:
            self.items[i] = {**item, "name": text} if isinstance(item, dict) else {"name": text, "label": item}
            self.form.commit("choices", select_choice=text)
        elif self.use.get(name) or isinstance(item, dict):
            self.form.rename_choice(name, text)
        else:  # a plain choice no answer uses: name and label stay one
            self.items[i] = text
            self.form.commit("choices", select_choice=text)

    def _set_attributes(self, i: int, text: str) -> None:
        attributes: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            key, equals, value = part.partition("=")
            if not equals or not key.strip():
                self.fill()
                self.form.show_field_problem("choices", f"“{part}”: write attributes as name=value; name=value")
                return
            attributes[key.strip()] = value.strip()
        item = self.items[i]
        d = {k: v for k, v in (item.items() if isinstance(item, dict) else {"name": item, "label": item}.items())
             if k in ("name", "label") or "::" in k}
        self.items[i] = {**d, **attributes}
        self.form.commit("choices", select_choice=self.name_of(item))

    def with_translations(self, texts: dict[tuple[str, str], str]) -> list[str | dict[str, Any]]:
        """The choices with these labels in other languages ((name, language) → text; empty:
        none), as the template format writes them."""
        out: list[str | dict[str, Any]] = []
        for item in self.items:
            name = self.name_of(item)
            d = dict(item) if isinstance(item, dict) else {"name": item, "label": item}
            for (n, language), text in texts.items():
                if n == name:
                    if text:
                        d[f"label::{language}"] = text
                    else:
                        d.pop(f"label::{language}", None)
            out.append(item if isinstance(item, str) and d == {"name": item, "label": item} else d)
        return out

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.tree and event.type() == QEvent.Type.KeyPress \
                and self.tree.state() != QAbstractItemView.State.EditingState:
            key, mods = event.key(), event.modifiers()
            if key == Qt.Key.Key_F2:
                self.rename(1 if mods & Qt.KeyboardModifier.ShiftModifier
                            else 2 if mods & Qt.KeyboardModifier.ControlModifier else 0)
                return True
            if key == Qt.Key.Key_Delete:
                self.remove()
                return True
            if mods & Qt.KeyboardModifier.AltModifier and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.move_by(-1 if key == Qt.Key.Key_Up else 1)
                return True
        return super().eventFilter(watched, event)
