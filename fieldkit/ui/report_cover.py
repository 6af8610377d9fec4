"""The shape of the client report around its words: the outline, and the cover.

``OutlineList``: every section of the report in the study's order (``fieldkit.reports.outline``),
ticked when it is printed, moved with Move up / Move down (Alt+Up / Alt+Down) or by dragging;
each change saved at once. The Client report and Write tabs both show it.

``CoverTab`` (Reports screen ▸ Cover): what the report's first page says, and its two logos.

Title, subtitle, who the report is prepared for and by, its date (blank: the month it is
exported, as the greyed text shows) and a confidentiality line, each saved through the core
(``fieldkit.reports.outline.set_cover``) after a pause in typing and at once when the field is
left. The client's and the author's logos are PNG or JPEG files kept in the study
(``outline.set_logo``); a file the core refuses is named in one line and nothing is kept.
The title, client and author are the study's own details: Study settings shows the same.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from fieldkit.errors import FieldkitError
from fieldkit.reports import outline
from fieldkit.ui.debounced import Debounced
from fieldkit.ui.markdown_editor import button, problem_label, show_problem
from fieldkit.ui.qt import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPixmap,
    QPushButton,
    QScrollArea,
    QShortcut,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.session import DETAILS, REPORT, StudySession
from fieldkit.ui.wrapping import WrappedRows

CHANGES = {REPORT}
_KEY = Qt.ItemDataRole.UserRole
#: Changes that can alter the cover: its own fields, and the study's details (title, client, author).
RELEVANT = {REPORT, DETAILS}
#: A cover field: (the name set_cover takes, its label, its accessible name, a hint when empty).
FIELDS = (
    ("title", "&Title", "Title", "The study's title"),
    ("subtitle", "&Subtitle", "Subtitle", "For example: Final report"),
    ("client", "Prepared &for", "Prepared for", "The client: who commissioned the study"),
    ("author", "Prepared &by", "Prepared by", "You, or your organisation"),
    ("date", "&Date", "Date", ""),
    ("confidentiality", "&Confidentiality", "Confidentiality line", "For example: Confidential: not for circulation"),
)
LOGOS = (("client", "The client's logo", "Printed on the cover beside “Prepared for”"),
         ("author", "Your logo", "Printed on the cover beside “Prepared by”"))
THUMBNAIL = (160, 80)
IMAGE_FILTER = "PNG or JPEG images (*.png *.jpg *.jpeg)"


# --- the outline ------------------------------------------------------------------------------

class _DragList(QListWidget):
    dropped = Signal()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().dropEvent(event)
        self.dropped.emit()


class OutlineList(QWidget):
    """Every section of the report in the study's order: ticked to print, moved to reorder."""

    #: the key of the section chosen
    current_changed = Signal(str)

    def __init__(self, session: StudySession, parent: QWidget | None = None, *, name: str = "Report outline"):
        super().__init__(parent)
        self.session = session
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = _DragList()
        self.list.setAccessibleName(name)
        self.list.setToolTip("Tick the sections to print; drag one, or press Alt+Up / Alt+Down, to move it")
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.rows = WrappedRows(self.list)  # a long section name takes two lines in a narrow window
        layout.addWidget(self.list, 1)
        self.up_button = button("Move &up", "Move the section up", lambda: self.move_by(-1))
        self.down_button = button("Move &down", "Move the section down", lambda: self.move_by(1))
        self.up_button.setToolTip("Earlier in the report (Alt+Up)")
        self.down_button.setToolTip("Later in the report (Alt+Down)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        for keys, by in (("Alt+Up", -1), ("Alt+Down", 1)):
            QShortcut(QKeySequence(keys), self.list, lambda b=by: self.move_by(b),
                      context=Qt.ShortcutContext.WidgetShortcut)
        self.list.itemChanged.connect(self._item_changed)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.dropped.connect(lambda: QTimer.singleShot(0, self, self._save_order))
        session.changed.connect(lambda kinds: self.refresh() if kinds & CHANGES else None)
        self.refresh()

    def keys(self) -> list[str]:
        return [self.list.item(i).data(_KEY) for i in range(self.list.count())]

    def item(self, key: str) -> QListWidgetItem | None:
        return next((self.list.item(i) for i in range(self.list.count()) if self.list.item(i).data(_KEY) == key),
                    None)

    def current_key(self) -> str | None:
        item = self.list.currentItem()
        return item.data(_KEY) if item is not None else None

    def select(self, key: str) -> None:
        item = self.item(key)
        if item is not None:
            self.list.setCurrentItem(item)

    def refresh(self) -> None:
        """Show the outline as the study has it; the section chosen stays chosen."""
        parts = outline.parts(self.session.study)
        current = self.current_key()
        self._filling = True
        self.list.blockSignals(True)
        try:
            while self.list.count() < len(parts):
                self.list.addItem(QListWidgetItem())
            for i, part in enumerate(parts):  # in place: an item may be the one being clicked
                item = self.list.item(i)
                item.setText(part.label)
                item.setData(_KEY, part.key)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
                item.setCheckState(Qt.CheckState.Checked if part.included else Qt.CheckState.Unchecked)
                item.setToolTip(f"Printed under the heading “{part.heading}”" if part.included
                                else "Not printed")
                if part.key == current:
                    self.list.setCurrentItem(item)
        finally:
            self.list.blockSignals(False)
            self._filling = False
        self._update_buttons()

    def _update_buttons(self) -> None:
        r = self.list.currentRow()
        self.up_button.setEnabled(r > 0)
        self.down_button.setEnabled(0 <= r < self.list.count() - 1)

    def _current_changed(self, item: QListWidgetItem | None, _previous: Any = None) -> None:
        self._update_buttons()
        if item is not None and not self._filling:
            self.current_changed.emit(item.data(_KEY))

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        key, on = item.data(_KEY), item.checkState() == Qt.CheckState.Checked
        if on != outline.part(self.session.study, key).included:
            self.session.call(outline.set_included, self.session.study, key, on, changes=CHANGES,
                              what="the sections printed")

    def move_by(self, by: int) -> None:
        key = self.current_key()
        if key is not None:
            self.session.call(outline.move, self.session.study, key, by, changes=CHANGES, what="the order")

    def _save_order(self) -> None:
        keys = self.keys()
        if keys != [p.key for p in outline.parts(self.session.study)]:
            self.session.call(outline.set_order, self.session.study, keys, changes=CHANGES, what="the order")
        self.refresh()


# --- the cover --------------------------------------------------------------------------------

class CoverTab(QScrollArea):
    """The cover's words and logos, saved as they are made."""

    def __init__(self, session: StudySession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        note = QLabel("What the report's first page says. Changes are saved as you make them; the title, the "
                      "client and the author are the study's details, as in Study settings.")
        note.setWordWrap(True)
        layout.addWidget(note)

        words = QGroupBox("Cover")
        form = QFormLayout(words)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLineEdit] = {}
        self._saves: dict[str, Debounced] = {}
        for key, label, name, hint in FIELDS:
            field = QLineEdit()
            field.setAccessibleName(name)
            field.setPlaceholderText(hint)
            field.setMaximumWidth(640)
            self.fields[key] = field
            self._saves[key] = Debounced(self, partial(self._save, key))
            field.textEdited.connect(lambda _=None, k=key: self._saves[k].start())
            field.editingFinished.connect(lambda k=key: self._saves[k].flush())
            form.addRow(label, field)
        self.fields["date"].setToolTip("Blank: the month and year the report is exported")
        self.cover_problem = problem_label("Cover not changed")
        form.addRow(self.cover_problem)
        layout.addWidget(words)

        logos = QGroupBox("Logos")
        grid = QGridLayout(logos)
        grid.setColumnStretch(3, 1)
        self.thumbnails: dict[str, QLabel] = {}
        self.logo_names: dict[str, QLabel] = {}
        self.remove_buttons: dict[str, QPushButton] = {}
        for r, (role, title, tip) in enumerate(LOGOS):
            caption = QLabel(title)
            caption.setToolTip(tip)
            thumbnail = QLabel()
            thumbnail.setAccessibleName(f"{title}, as it is kept")
            thumbnail.setFixedSize(*THUMBNAIL)
            thumbnail.setFrameShape(QFrame.Shape.StyledPanel)
            thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
            file_name = QLabel()
            file_name.setAccessibleName(f"{title}: file")
            file_name.setWordWrap(True)
            choose = QPushButton("Choose…")
            choose.setAccessibleName(f"Choose {title[0].lower() + title[1:]}")
            choose.clicked.connect(lambda _=False, ro=role: self.choose_logo(ro))
            remove = QPushButton("Remove")
            remove.setAccessibleName(f"Remove {title[0].lower() + title[1:]}")
            remove.clicked.connect(lambda _=False, ro=role: self.remove_logo(ro))
            grid.addWidget(caption, r, 0)
            grid.addWidget(thumbnail, r, 1)
            buttons = QVBoxLayout()
            buttons.addWidget(choose)
            buttons.addWidget(remove)
            buttons.addStretch(1)
            grid.addLayout(buttons, r, 2)
            grid.addWidget(file_name, r, 3)
            self.thumbnails[role], self.logo_names[role], self.remove_buttons[role] = thumbnail, file_name, remove
        self.logo_problem = problem_label("Logo not kept")
        grid.addWidget(self.logo_problem, len(LOGOS), 0, 1, 4)
        logo_hint = QLabel("A PNG or JPEG file of at most 5 MB; it is kept in the study, so the file itself may move.")
        logo_hint.setWordWrap(True)
        grid.addWidget(logo_hint, len(LOGOS) + 1, 0, 1, 4)
        layout.addWidget(logos)
        layout.addStretch(1)
        session.changed.connect(lambda kinds: self.refresh() if kinds & RELEVANT else None)
        self.refresh()

    @property
    def study(self) -> Any:
        return self.session.study

    def refresh(self) -> None:
        """Show the cover as the study has it, leaving alone what is still being typed."""
        cover = outline.cover(self.study)
        for key, field in self.fields.items():
            value = getattr(cover, key)
            if not self._saves[key].pending and field.text().strip() != value.strip():
                field.setText(value)
        self.fields["date"].setPlaceholderText(f"The month of export: {replace(cover, date='').date_text()}")
        for role, _title, _tip in LOGOS:
            self._show_logo(role, outline.logo(self.study, role))

    def _show_logo(self, role: str, logo: outline.Logo | None) -> None:
        thumbnail = self.thumbnails[role]
        pixmap = QPixmap()
        if logo is not None and pixmap.loadFromData(logo.data):
            thumbnail.setPixmap(pixmap.scaled(THUMBNAIL[0] - 8, THUMBNAIL[1] - 8, Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))
        else:
            thumbnail.clear()
            thumbnail.setText("No logo" if logo is None else "Cannot be shown")
        self.logo_names[role].setText(logo.name if logo is not None else "")
        self.remove_buttons[role].setEnabled(logo is not None)

    def _attempt(self, label: QLabel, fn: Any, *args: Any, **kwargs: Any) -> bool:
        """Call the core; a refusal is named in one line under the group, and nothing changes."""
        try:
            fn(self.study, *args, **kwargs)
        except FieldkitError as e:
            show_problem(label, f"Not saved: {str(e).splitlines()[0] if str(e) else 'refused'}")
            return False
        show_problem(label, "")
        self.session.notify(CHANGES_OF.get(fn, {REPORT}))
        return True

    def _save(self, key: str) -> None:
        text = self.fields[key].text()
        if text.strip() != getattr(outline.cover(self.study), key).strip():
            self._attempt(self.cover_problem, outline.set_cover, **{key: text})

    def choose_logo(self, role: str) -> None:
        title = {r: t for r, t, _ in LOGOS}[role]
        name, _ = QFileDialog.getOpenFileName(self, f"Choose {title[0].lower() + title[1:]}", str(Path.home()),
                                              IMAGE_FILTER)
        if name:
            self.set_logo(role, Path(name))

    def set_logo(self, role: str, path: Path) -> bool:
        """Keep the image at ``path`` as the ``role`` logo, or say in one line why not."""
        return self._attempt(self.logo_problem, outline.set_logo, role, path)

    def remove_logo(self, role: str) -> None:
        self._attempt(self.logo_problem, outline.remove_logo, role)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.flush()
        super().hideEvent(event)

    def flush(self) -> None:
        """Save what is being typed (the tab or the study is being left)."""
        for save in self._saves.values():
            save.flush()


#: The title, client and author are the study's details: the window title and Study settings follow.
CHANGES_OF = {outline.set_cover: {REPORT, DETAILS}}
