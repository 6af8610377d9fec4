"""The schedule editor's tree: sections and their questions, moved with Alt+Up / Alt+Down or
by dragging. A move is made by the core (``schedule.move_question``, ``move_section``) and the
tree is drawn again from the template; Qt never moves the rows itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldkit.ui.qt import QAbstractItemView, QHeaderView, Qt, QTimer, QTreeWidget

if TYPE_CHECKING:
    from fieldkit.ui.schedule import ScheduleEditor

#: Each row's (kind, id): ("section", "about") or ("question", "member").
KEY = Qt.ItemDataRole.UserRole


class ScheduleTree(QTreeWidget):
    """Sections and their questions. Alt+Up / Alt+Down and drag and drop move the selected one;
    Delete deletes it; Enter goes to its form (and Escape there comes back)."""

    def __init__(self, editor: ScheduleEditor):
        super().__init__()
        self.editor = editor
        self.setAccessibleName("Sections and questions")
        self.setHeaderLabels(["Id", "Question", "Type", "Note"])
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(True)
        self.setExpandsOnDoubleClick(False)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        key, mods = event.key(), event.modifiers()
        if mods & Qt.KeyboardModifier.AltModifier and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.editor.move_by(-1 if key == Qt.Key.Key_Up else 1)
        elif key == Qt.Key.Key_Delete:
            self.editor.delete()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.editor.focus_form()
        else:
            super().keyPressEvent(event)

    def _ours(self, event) -> bool:
        return event.mimeData().hasFormat(self.mimeTypes()[0]) and self.currentItem() is not None

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._ours(event):
            super().dragEnterEvent(event)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._ours(event):
            super().dragMoveEvent(event)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Move through the core, never by Qt moving rows: the tree is redrawn from the template."""
        if not self._ours(event):
            event.ignore()
            return
        target = self.drop_target(event.position().toPoint())
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if target is not None:
            QTimer.singleShot(0, self.editor, lambda: self.editor.move_to(*target))

    def drop_target(self, pos) -> tuple[str, int] | None:
        """Where the dragged item goes: (section id, index counted without it) for a question,
        ("", index) for a section."""
        moving = self.currentItem()
        assert moving is not None  # a drag is of the current item (_ours)
        kind = moving.data(0, KEY)[0]
        item = self.itemAt(pos)
        sections = [s for s in map(self.topLevelItem, range(self.topLevelItemCount())) if s is not None]
        if item is None:
            if not sections:
                return None
            last = sections[-1]
            return ("", len(sections) - 1) if kind == "section" else (last.data(0, KEY)[1], last.childCount())
        rect = self.visualItemRect(item)
        y = (pos.y() - rect.top()) / max(1, rect.height())
        zone = "above" if y < 0.25 else "below" if y > 0.75 else "on"
        parent = item.parent()
        if kind == "section":
            row = sections.index(parent or item)
            index = row if zone == "above" and parent is None else row + 1
            return "", index - (1 if sections.index(moving) < index else 0)
        if parent is None:  # onto a section's heading: into it
            row = sections.index(item)
            if zone == "above" and row > 0:
                before = sections[row - 1]
                section, index = before, before.childCount()
            else:
                section, index = item, 0 if zone != "on" else item.childCount()
        else:
            section = parent
            index = parent.indexOfChild(item) + (0 if zone == "above" else 1)
        if moving.parent() is section and section.indexOfChild(moving) < index:
            index -= 1
        return section.data(0, KEY)[1], index
