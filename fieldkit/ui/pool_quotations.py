"""The Pool screen's part in shaping the client report: which comments are quoted under each
theme, in what order, and which say the same as another (duplicates, never printed).

The choices are the core's (fieldkit.quotations): a comment id, a theme and a position, and
for a duplicate the comment it repeats. Nothing here shows who said what or when: chosen
quotations are listed in the researcher's order, and a theme with nothing chosen is printed
as a fresh random sample on every export.

Here: the "Quote in the report under …" boxes of the selected comment, the words a comment's
row carries, the "Merge as duplicates" dialog, and the "Report quotations" panel.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

from fieldkit import quotations
from fieldkit.pool import Comment
from fieldkit.study import Study
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.wrapping import FlowLayout, WrappingCheckBox
from fieldkit.ui.qt import (
    QAbstractItemView,
    QBrush,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFontMetrics,
    QHBoxLayout,
    QItemSelectionModel,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPalette,
    QPlainTextEdit,
    QPushButton,
    QRect,
    QSize,
    Qt,
    QTimer,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.session import POOL, REPORT, TEMPLATE, StudySession
from fieldkit.ui.welcome import heading

OTHER = ""  # the theme of comments without one, printed under quotations.OTHER_COMMENTS
DUPLICATE_LINE = "(duplicate, not quoted)"
QUOTED_MARK = "★"
COMMENT = Qt.ItemDataRole.UserRole + 1  # a Comment, in the pool's list
_ID = Qt.ItemDataRole.UserRole + 10  # a chosen quotation's comment id, in the panel's list

#: Changes that can alter what the panel shows ("report": the report's own settings, such as
#: how many quotations a theme with nothing chosen prints).
RELEVANT = {POOL, TEMPLATE, REPORT}
#: An undoable change as the Pool screen makes it: (what, do) -> saved?
Edit = Callable[[str, Callable[[], object]], bool]


def theme_name(study: Study, theme: str) -> str:
    return study.template.theme_label(theme) if theme else quotations.OTHER_COMMENTS


def row_text(comment: Comment, quoted_under: Sequence[str], merged: bool) -> str:
    """A comment's row: its words, then whether the report quotes it (and where)."""
    lines = [comment.text]
    if quoted_under:
        lines.append(f"{QUOTED_MARK} In the report: {', '.join(quoted_under)}")
    if merged:
        lines.append(DUPLICATE_LINE)
    return "\n".join(lines)


def size_rows(view: QListWidget, *, spare: int = 18) -> None:
    """Give each row the height its wrapped words need at the list's width."""
    width = max(view.viewport().width() - 2 * view.spacing() - spare, 80)
    for row in range(view.count()):
        item = view.item(row)
        if item.flags() & Qt.ItemFlag.ItemIsEnabled:
            bounds = QFontMetrics(item.font()).boundingRect(QRect(0, 0, width, 1_000_000), Qt.TextFlag.TextWordWrap,
                                                            item.text())
            item.setSizeHint(QSize(width, bounds.height() + 10))


# --- saving, and taking back -------------------------------------------------------------------


def undo_of(study: Study) -> Callable[[], None]:
    """What puts the quotations and duplicates back as they are now (for Undo): the core's
    ``quotations.restorer``."""
    return quotations.restorer(study)


def merge_into(study: Study, duplicates: Sequence[int], kept: int) -> None:
    """Mark ``duplicates`` as saying what ``kept`` says (``kept`` itself is printed, so it is no
    longer anyone's duplicate)."""
    with study.transaction():
        if kept in quotations.duplicates(study):
            quotations.unmerge(study, kept)
        for comment_id in duplicates:
            quotations.merge(study, comment_id, into=kept)


# --- the selected comment's boxes -------------------------------------------------------------


class QuoteBoxes(QWidget):
    """"Quote in the report under <theme>" for each theme the selected comment is under."""

    toggled = Signal(str, bool)  # theme, quoted

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = FlowLayout(self, spacing=16, line_spacing=2)  # as many to a line as fit
        self.boxes: dict[str, QCheckBox] = {}

    def set_themes(self, themes: Sequence[tuple[str, str]]) -> list[QCheckBox]:
        """One box per (theme id, label), "" for comments without a theme; returns them in order."""
        for box in self.boxes.values():
            box.deleteLater()
        self.boxes = {}
        for theme, label in themes:
            box = WrappingCheckBox(f"Quote in the report under “{label}”", self)
            box.setAccessibleName(f"Quote in the report under {label}")
            box.toggled.connect(lambda on, t=theme: self.toggled.emit(t, on))
            box.hide()
            self.boxes[theme] = box
        return list(self.boxes.values())

    def show_for(self, themes: Collection[str], quoted: set[str], *, enabled: bool, tip: str = "") -> None:
        """Show the boxes of ``themes`` (ticked if quoted there), as many to a line as fit."""
        while self.grid.count():
            self.grid.takeAt(0)
        shown = 0
        for theme, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(theme in quoted)
            box.blockSignals(False)
            box.setEnabled(enabled)
            box.setToolTip(tip)
            if theme in themes:
                self.grid.addWidget(box)
                box.show()
                shown += 1
            else:
                box.hide()
        self.setVisible(bool(shown))


# --- merging ------------------------------------------------------------------------------------


class MergeDialog(QDialog):
    """Which of the selected comments to keep; the others become its duplicates."""

    def __init__(self, comments: Sequence[Comment], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Merge as duplicates")
        self.comments = list(comments)
        layout = QVBoxLayout(self)
        intro = QLabel("These comments say the same thing. Choose the one to &keep: the report can quote it, "
                       "and the others stay in the pool as its duplicates, never quoted.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setAccessibleName("Comment to keep")
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setSpacing(2)
        intro.setBuddy(self.list)
        for c in self.comments:
            item = QListWidgetItem(c.text)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.list.addItem(item)
        longest = max(range(len(self.comments)), key=lambda i: len(self.comments[i].text.strip()))
        self.list.setCurrentRow(longest)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Merge")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 360)
        QTimer.singleShot(0, lambda: size_rows(self.list, spare=8))

    def kept(self) -> Comment | None:
        row = self.list.currentRow()
        return self.comments[row] if 0 <= row < len(self.comments) else None


def ask_which_to_keep(parent: QWidget, comments: Sequence[Comment]) -> Comment | None:
    dialog = MergeDialog(comments, parent)
    try:
        return dialog.kept() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


# --- the Pool screen's side of it ----------------------------------------------------------------


if TYPE_CHECKING:
    class _PoolScreenParts(QWidget):
        """What quoting uses of the Pool screen (fieldkit.ui.pool.PoolScreen has each of them)."""

        session: StudySession
        list: QListWidget  # rows holding a Comment under COMMENT
        editor: QPlainTextEdit
        _current: Comment | None
        quote_boxes: QuoteBoxes
        merge_button: QPushButton
        unmerge_button: QPushButton
        quotes: QuotationsPanel
        search: QLineEdit
        groups: QTreeWidget
        _search_timer: QTimer

        def refresh(self) -> None: ...
        def flush(self) -> None: ...
        def _size_items(self) -> None: ...
        def _edit(self, text: str, do: Callable[[], object], undo: Callable[[], object],
                  comment_id: int | None = None) -> bool: ...
else:
    _PoolScreenParts = object


class Quoting(_PoolScreenParts):
    """The Pool screen (fieldkit.ui.pool.PoolScreen) as it quotes comments and merges duplicates,
    through the parts of it that ``_PoolScreenParts`` names."""

    def _read_marks(self) -> None:
        study = self.session.study
        self._quoted: dict[int, list[str]] = {}
        for theme, ids in quotations.chosen(study).items():
            for comment_id in ids:
                self._quoted.setdefault(comment_id, []).append(theme)
        self._merged = quotations.duplicates(study)

    def _draw_row(self, item: QListWidgetItem, c: Comment) -> None:
        study = self.session.study
        merged = c.id in self._merged
        item.setText(row_text(c, [theme_name(study, t) for t in self._quoted.get(c.id, ())], merged))
        item.setData(
            Qt.ItemDataRole.ForegroundRole,
            QBrush(self.palette().color(QPalette.ColorRole.PlaceholderText)) if merged else None,
        )

    def _mark_rows(self) -> None:
        """Redraw what each row says about the report after a choice or a merge made here."""
        self._read_marks()
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(COMMENT) is not None:
                self._draw_row(item, item.data(COMMENT))
        self._size_items()
        self._show_quotes()

    def _show_quotes(self) -> None:
        """The current comment's "Quote in the report under …" boxes, and what can be merged."""
        c = self._current
        question = self.session.study.pool.question(c.question_id) if c is not None else None
        quoted = set(self._quoted.get(c.id, ())) if c is not None else set()
        if c is None or (question is not None and not question.qtype.worded):
            self.quote_boxes.show_for((), set(), enabled=False)  # a count or a number is not quoted
        else:
            merged = c.id in self._merged
            self.quote_boxes.show_for(set(c.themes or (OTHER,)) | quoted, quoted, enabled=not merged,
                                      tip="A duplicate is not quoted; Unmerge it first." if merged else "")
        self._enable_merge()

    def _selected(self) -> list[Comment]:
        """The selected comments, in the list's order."""
        rows = sorted(self.list.row(item) for item in self.list.selectedItems() if item.data(COMMENT) is not None)
        return [self.list.item(r).data(COMMENT) for r in rows]

    def _enable_merge(self) -> None:
        selected = self._selected()
        self.merge_button.setEnabled(len(selected) > 1)
        self.unmerge_button.setEnabled(any(c.id in self._merged for c in selected + [self._current] if c))

    def _quote_edit(self, text: str, do, comment_id: int | None = None) -> bool:
        """A change to the report's quotations or duplicates; Undo puts back how they were
        (and selects ``comment_id`` again, when given)."""
        self.flush()
        return self._edit(text, do, undo_of(self.session.study), comment_id)

    def set_quoted(self, theme: str, on: bool) -> None:
        """Quote (or stop quoting) the selected comment in the report under ``theme``."""
        comment, study = self._current, self.session.study
        if comment is None:
            return
        name = theme_name(study, theme)
        if on:
            self._quote_edit(f"quotation of a comment under {name}",
                             lambda: quotations.choose(study, theme, comment.id), comment.id)
        else:
            self._quote_edit(f"removal of a quotation under {name}",
                             lambda: quotations.unchoose(study, theme, comment.id), comment.id)
        self.quotes.show_theme(theme)
        self._show_quotes()  # refused: the box goes back

    def merge_selected(self) -> None:
        selected = self._selected()
        if len(selected) < 2:
            return
        self.flush()
        kept = ask_which_to_keep(self, selected)
        if kept is None:
            return
        others = [c.id for c in selected if c.id != kept.id]
        study = self.session.study
        if self._quote_edit(f"merging of {len(selected)} comments as duplicates",
                            lambda: merge_into(study, others, kept.id), kept.id):
            self.select_comment(kept.id)

    def unmerge_selected(self) -> None:
        study = self.session.study
        ids = [c.id for c in self._selected() + [self._current] if c and c.id in self._merged]
        ids = list(dict.fromkeys(ids))

        def unmerge() -> None:
            for i in ids:
                quotations.unmerge(study, i)

        if ids:
            self._quote_edit(f"unmerging of {'a comment' if len(ids) == 1 else f'{len(ids)} comments'}", unmerge,
                             ids[0])

    def select_comment(self, comment_id: int, *, edit: bool = False) -> bool:
        """Show and select a comment in the list (all comments, and no search, if it is hidden),
        with the focus on the list, or with ``edit`` on its words, ready for redacting."""
        def pick() -> bool:
            for row in range(self.list.count()):
                c = self.list.item(row).data(COMMENT)
                if c is not None and c.id == comment_id:
                    self.list.setCurrentRow(row, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                    self.list.scrollToItem(self.list.item(row))
                    (self.editor if edit else self.list).setFocus(Qt.FocusReason.OtherFocusReason)
                    return True
            return False

        if pick():
            return True
        if self.search.text():
            self.search.clear()
            self._search_timer.stop()
            self.refresh()
        first = self.groups.topLevelItem(0)
        if first is not None:
            self.groups.setCurrentItem(first)  # "All comments"
        return pick()


# --- the panel ------------------------------------------------------------------------------


class QuotationsPanel(QWidget):
    """A theme's chosen quotations in the order the report prints them."""

    #: a chosen quotation was double-clicked: show this comment id in the pool's list
    open_comment = Signal(object)  # (ids are 62-bit: more than a C++ int holds)

    def __init__(self, session: StudySession, edit: Edit, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._edit = edit
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Report quotations", 1.1))
        row = QHBoxLayout()
        label = QLabel("&Theme")
        self.theme = ComboBox()
        self.theme.setAccessibleName("Report theme")
        self.theme.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.theme.setMinimumContentsLength(12)
        label.setBuddy(self.theme)
        self.theme.currentIndexChanged.connect(lambda _: self.refresh())
        row.addWidget(label)
        row.addWidget(self.theme, 1)
        layout.addLayout(row)
        self.summary = QLabel()
        self.summary.setAccessibleName("What the report prints")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)

        self.list = QListWidget()
        self.list.setAccessibleName("Chosen quotations, in report order")
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setSpacing(2)
        self.list.setAlternatingRowColors(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.model().rowsMoved.connect(lambda *_: QTimer.singleShot(0, self._dropped))
        self.list.itemDoubleClicked.connect(self._open)
        self.list.currentRowChanged.connect(lambda _: self._enable())
        self.list.installEventFilter(self)
        self.list.viewport().installEventFilter(self)
        layout.addWidget(self.list, 1)

        buttons = QHBoxLayout()
        self.up_button = QPushButton("Move &up")
        self.up_button.setAccessibleName("Move the quotation up")
        self.up_button.clicked.connect(lambda: self.move_by(-1))
        self.down_button = QPushButton("Move do&wn")
        self.down_button.setAccessibleName("Move the quotation down")
        self.down_button.clicked.connect(lambda: self.move_by(1))
        self.remove_button = QPushButton("Remo&ve")
        self.remove_button.setAccessibleName("Remove the quotation from the report")
        self.remove_button.setToolTip("The comment stays in the pool; the report no longer quotes it.")
        self.remove_button.clicked.connect(self.remove)
        for b in (self.up_button, self.down_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.setTabOrder(self.theme, self.list)
        self.setTabOrder(self.list, self.up_button)
        self.setTabOrder(self.up_button, self.down_button)
        self.setTabOrder(self.down_button, self.remove_button)
        self._ids: list[int] = []
        self._width = 0
        session.changed.connect(lambda kinds: self.refresh() if kinds & RELEVANT else None)
        self.refresh()

    # --- reading -----------------------------------------------------------------------------

    def current_theme(self) -> str:
        theme = self.theme.currentData()
        return theme if isinstance(theme, str) else OTHER

    def show_theme(self, theme: str) -> None:
        i = self.theme.findData(theme)
        if i >= 0:
            self.theme.setCurrentIndex(i)

    def _fill_themes(self) -> None:
        study = self.session.study
        themes = [(t.id, t.label) for t in study.template.themes] + [(OTHER, quotations.OTHER_COMMENTS)]
        if [(self.theme.itemData(i), self.theme.itemText(i)) for i in range(self.theme.count())] == themes:
            return
        keep = self.current_theme() if self.theme.count() else themes[0][0]
        self.theme.blockSignals(True)
        self.theme.clear()
        for theme, label in themes:
            self.theme.addItem(label, theme)
        self.theme.setCurrentIndex(max(0, self.theme.findData(keep)))
        self.theme.blockSignals(False)

    def refresh(self) -> None:
        study = self.session.study
        self._fill_themes()
        theme = self.current_theme()
        name = theme_name(study, theme)
        row = self.list.currentRow()
        self._ids = quotations.chosen_for(study, theme)
        texts = {c.id: c.text for c in study.pool.comments(ids=self._ids)} if self._ids else {}
        self._ids = [i for i in self._ids if i in texts]
        self.list.blockSignals(True)
        self.list.clear()
        for n, comment_id in enumerate(self._ids, 1):
            item = QListWidgetItem(f"{n}. {texts[comment_id]}")
            item.setData(_ID, comment_id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if self._ids:
            n = len(self._ids)
            self.summary.setText(f"The report quotes {'this' if n == 1 else f'these {n}'} under “{name}”, "
                                 f"in this order. Double-click one to find it in the pool.")
            self.list.setCurrentRow(min(max(row, 0), n - 1))
        else:
            self.summary.setText(self._sample_line(name, theme))
        self._width = self.list.viewport().width()
        size_rows(self.list)
        self._enable()

    def _sample_line(self, name: str, theme: str) -> str:
        from fieldkit.reports.data import text_comments

        study = self.session.study
        limit = quotations.per_theme(study)
        found = [t for t in quotations.for_report(study, text_comments(study), limit=0) if t.theme == theme]
        available = found[0].available if found else 0
        if not available:
            return f"Nothing is chosen under “{name}”, and it has no comments to quote yet."
        if not limit:
            return f"Nothing is chosen under “{name}”: the report quotes none of its {available} comments."
        return (f"Nothing is chosen under “{name}”: the report prints a fresh random sample of up to {limit} of "
                f"its {available} comment{'s' if available != 1 else ''}, drawn anew on every export. "
                "Tick “Quote in the report” on a comment to choose.")

    def _enable(self) -> None:
        row = self.list.currentRow()
        chosen = 0 <= row < len(self._ids)
        self.up_button.setEnabled(chosen and row > 0)
        self.down_button.setEnabled(chosen and row < len(self._ids) - 1)
        self.remove_button.setEnabled(chosen)

    def _current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(_ID) if item is not None else None

    # --- changing -----------------------------------------------------------------------------

    def move_by(self, by: int) -> None:
        comment_id = self._current_id()
        if comment_id is None:
            return
        study, theme = self.session.study, self.current_theme()
        row = self.list.currentRow()
        if self._edit("move of a quotation", lambda: quotations.move(study, theme, comment_id, by)):
            self.list.setCurrentRow(max(0, min(len(self._ids) - 1, row + by)))

    def remove(self) -> None:
        comment_id = self._current_id()
        if comment_id is None:
            return
        study, theme = self.session.study, self.current_theme()
        self._edit("removal of a quotation from the report", lambda: quotations.unchoose(study, theme, comment_id))

    def _dropped(self) -> None:
        """Rows dragged into a new order: save it (unless nothing moved)."""
        ids = [self.list.item(r).data(_ID) for r in range(self.list.count())]
        if ids == self._ids or sorted(ids) != sorted(self._ids):
            return
        study, theme = self.session.study, self.current_theme()
        self._edit("new order of the quotations", lambda: quotations.set_chosen(study, theme, ids))

    def _open(self, item: QListWidgetItem) -> None:
        comment_id = item.data(_ID)
        if comment_id is not None:
            self.open_comment.emit(comment_id)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.list and event.type() == event.Type.KeyPress:
            arrows = (Qt.Key.Key_Up, Qt.Key.Key_Down)
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier and event.key() in arrows:
                self.move_by(-1 if event.key() == Qt.Key.Key_Up else 1)
                return True
            if event.key() == Qt.Key.Key_Delete:
                self.remove()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.list.currentItem() is not None:
                self._open(self.list.currentItem())
                return True
        if watched is self.list.viewport() and event.type() == event.Type.Resize \
                and self.list.viewport().width() != self._width:
            self._width = self.list.viewport().width()
            size_rows(self.list)
        return super().eventFilter(watched, event)
