"""The comment pool: what interviewees said in answer to anonymous questions, by theme and
question, to read, redact, tag and search.

Nothing on this screen says or hints at who said what: there is no organisation, interviewer,
date, interview or number here, and comments come in the pool's own order (by random id),
which has nothing to do with when they were said. Answers to choice and scale questions are
shown as overall counts, not one by one, each choice under its label (the stored choice name
is what is counted), also for a question since removed from the schedule.

Above them, "Held with interviews" (fieldkit/ui/held.py) lists the answers still waiting with
their interviews for k finished interviews to have answered the same question, with "Move to
the pool now…" for the end of fieldwork. Beside them, "Report quotations"
(fieldkit/ui/pool_quotations.py): the comments the report quotes under each theme, in order;
comments are chosen with the selected comment's "Quote in the report" boxes, and several
selected at once can be merged as duplicates (never quoted, never deleted).
"""

from __future__ import annotations

import html

from fieldkit import quotations
from fieldkit.pool import Comment
from fieldkit.templates import Question, Template
from fieldkit.ui import pool_quotations as quotes
from fieldkit.ui import icons, palette
from fieldkit.ui.held import HeldPanel
from fieldkit.ui.qt import (
    QAbstractItemView,
    QBrush,
    QCheckBox,
    QEvent,
    QFont,
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QHeaderView,
    QItemSelectionModel,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPalette,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    Qt,
    QTimer,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import DETAILS, INTERVIEWS, ORGANISATIONS, POOL, TEMPLATE, StudySession
from fieldkit.ui.welcome import heading
from fieldkit.ui.wrapping import FlowLayout, WrappedRows, WrappingCheckBox

#: Changes to the pool itself. (An anonymous answer being typed changes "interviews": it is held
#: with its interview, and only the "Held with interviews" panel redraws.)
RELEVANT = {POOL, TEMPLATE}
#: Changes that can move answers from interviews into the pool, or regroup those held.
HELD_RELEVANT = {POOL, TEMPLATE, INTERVIEWS, ORGANISATIONS, DETAILS}
SEARCH_DELAY_MS = 250
SAVE_DELAY_MS = 700
#: Tree and list item roles
_GROUP = Qt.ItemDataRole.UserRole          # (theme or None for all or "" for none, question id or None)
_COMMENT = quotes.COMMENT     # a Comment
ALL, NO_THEME = None, ""


def _question(template: Template, question_id: str) -> Question | None:
    try:
        return template.question(question_id)
    except KeyError:
        return None


def is_counted(question: Question | None) -> bool:
    """Choice, yes/no and scale answers are shown as counts rather than one by one."""
    return question is not None and question.qtype.countable


def choice_counts(question: Question, counts: dict[str, int]) -> dict[str, int]:
    """Counts keyed by what answers store (``Pool.distribution``), keyed by the choices' labels
    instead, in the same order (two choices that share a label are added together)."""
    labelled: dict[str, int] = {}
    for key, n in counts.items():
        label = question.qtype.key_label(question, key)
        labelled[label] = labelled.get(label, 0) + n
    return labelled


def distribution_html(counts: dict[str, int], width: int = 220) -> str:
    """Counts as a small table of bars (rich text for a QLabel)."""
    top = max(counts.values(), default=0) or 1
    rows = []
    colour = palette.edge("chart").name()  # a bar, not text: 3:1 against the window
    for choice, n in counts.items():
        bar = max(1, round(width * n / top)) if n else 0
        cell = f'<td bgcolor="{colour}" width="{bar}">&nbsp;</td>' if bar else ""
        rows.append(f'<tr><td>{html.escape(choice)}&nbsp;&nbsp;</td><td align="right">{n}&nbsp;</td>'
                    f'<td><table cellspacing="0" cellpadding="0"><tr>{cell}</tr></table></td></tr>')
    return f'<table cellspacing="3">{"".join(rows)}</table>'


class PoolScreen(quotes.Quoting, QWidget):
    """Themes and questions on the left; their comments on the right, with the selected one
    open for redacting, tagging or deleting."""

    def __init__(self, session: StudySession, window=None):
        super().__init__(window)
        self.session = session
        self._comments: list[Comment] = []
        self._current: Comment | None = None
        self._own_change = False
        self._quoted: dict[int, list[str]] = {}  # comment id -> themes it is quoted under
        self._merged: dict[int, int] = {}        # duplicate -> the comment kept

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Pool"))
        intro = QLabel("Answers to anonymous questions, kept apart from the named records. Nothing here "
                       "shows who said what, and comments appear in no particular order.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.held = HeldPanel(session, self)
        layout.addWidget(self.held)

        top = QHBoxLayout()
        search_label = QLabel("&Search")
        self.search = QLineEdit()
        self.search.setAccessibleName("Search comments")
        self.search.setPlaceholderText("Words in the comments (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        search_label.setBuddy(self.search)
        self.found = QLabel()
        self.found.setAccessibleName("Comments shown")
        top.addWidget(search_label)
        top.addWidget(self.search, 2)
        top.addWidget(self.found, 1)
        layout.addLayout(top)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _: self._search_timer.start())

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.groups = QTreeWidget()
        self.groups.setAccessibleName("Themes and questions")
        self.groups.setHeaderHidden(True)
        self.groups.setColumnCount(2)
        self.groups.header().setStretchLastSection(False)
        self.groups.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.groups.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.groups.setIndentation(14)
        self.groups_rows = WrappedRows(self.groups)  # long questions take more lines, not "…"
        self.groups.setMinimumWidth(self.groups.fontMetrics().horizontalAdvance("x") * 26)
        self.groups.currentItemChanged.connect(lambda *_: self._fill_list())
        self.groups.currentItemChanged.connect(lambda item, _: self._follow_theme(item))
        self.splitter.addWidget(self.groups)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.list_title = heading("", 1.1)
        self.list_title.setAccessibleName("Shown")
        right_layout.addWidget(self.list_title)
        self.list = QListWidget()
        self.list.setAccessibleName("Comments")
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setUniformItemSizes(False)
        self.list.setSpacing(3)
        self.list.setAlternatingRowColors(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # a steady width, so wrapped comments are measured at the width they are drawn at
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.list.viewport().installEventFilter(self)
        self._sized_width = 0
        # several at once, to merge as duplicates; the editor follows the current one
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.list.itemSelectionChanged.connect(self._enable_merge)
        self.list.installEventFilter(self)
        right_layout.addWidget(self.list, 3)
        # The editor scrolls in a short window rather than squeezing its tick boxes together.
        editor = QScrollArea()
        editor.setWidgetResizable(True)
        editor.setFrameShape(QFrame.Shape.NoFrame)
        editor.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        editor.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        editor.setWidget(self._build_editor())
        editor.setMinimumHeight(160)
        right_layout.addWidget(editor, 2)
        self.splitter.addWidget(right)
        self.quotes = quotes.QuotationsPanel(session, self._quote_edit)
        self.quotes.open_comment.connect(self.select_comment)
        self.splitter.addWidget(self.quotes)
        for pane, stretch in enumerate((1, 2, 1)):  # a narrow window takes from all three
            self.splitter.setStretchFactor(pane, stretch)
        self.splitter.setSizes([270, 510, 320])
        layout.addWidget(self.splitter, 1)

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_text)

        self.setTabOrder(self.search, self.groups)
        self.setTabOrder(self.groups, self.list)
        self.setTabOrder(self.list, self.editor)
        self.setTabOrder(self.delete_button, self.quotes.theme)
        session.changed.connect(self._on_changed)
        self.refresh()

    def _build_editor(self) -> QFrame:
        panel = QFrame()
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(panel)
        label = QLabel("Selected &comment (edit to redact a name or a detail; saved as you type)")
        label.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Comment text")
        self.editor.setTabChangesFocus(True)
        self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * 4 + 14)
        label.setBuddy(self.editor)
        self.editor.textChanged.connect(self._text_changed)
        self.editor.installEventFilter(self)
        box.addWidget(label)
        box.addWidget(self.editor)
        self.themes_label = QLabel("Themes")
        box.addWidget(self.themes_label)
        self.theme_grid = FlowLayout(spacing=16, line_spacing=2)  # as many to a line as fit
        box.addLayout(self.theme_grid)
        self.theme_boxes: dict[str, QCheckBox] = {}
        self.quote_boxes = quotes.QuoteBoxes()
        self.quote_boxes.toggled.connect(self.set_quoted)
        box.addWidget(self.quote_boxes)
        buttons = FlowLayout()  # on two lines in a narrow window
        self.merge_button = QPushButton(icons.icon("merge"), "&Merge as duplicates…")
        self.merge_button.setAccessibleName("Merge as duplicates")
        self.merge_button.setToolTip("Select two or more comments that say the same thing (Ctrl+click or "
                                     "Shift+click) to quote only one of them.")
        self.merge_button.clicked.connect(self.merge_selected)
        self.unmerge_button = QPushButton("U&nmerge")
        self.unmerge_button.setAccessibleName("Unmerge")
        self.unmerge_button.setToolTip("The comment is no longer a duplicate: the report may quote it again.")
        self.unmerge_button.clicked.connect(self.unmerge_selected)
        self.delete_button = QPushButton(icons.icon("delete"), "&Delete comment…")
        self.delete_button.setAccessibleName("Delete comment")
        self.delete_button.clicked.connect(self.delete_current)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.unmerge_button)
        buttons.addWidget(self.delete_button)
        box.addLayout(buttons)
        return panel

    # --- drawing -----------------------------------------------------------------------------

    def _on_changed(self, kinds: set[str]) -> None:
        if kinds & HELD_RELEVANT:
            self.held.refresh()
        # finishing an interview can move answers in: redraw when the pool has grown
        moved_in = INTERVIEWS in kinds and self.session.study.pool.count() != self._pool_count
        if not kinds & RELEVANT and not moved_in:
            return
        if self._own_change:
            self._fill_groups()  # counts may have moved; the list and the editor are current
            self._mark_rows()
            return
        if self._save_timer.isActive():  # an Undo or another screen: keep what is being typed
            self._save_timer.stop()
            self.save_text(undoable=False)
        self.refresh()

    def refresh(self) -> None:
        """Read the pool again (with the search) and redraw, keeping the group and comment."""
        study = self.session.study
        self._template = study.template
        self._pool_count = study.pool.count()
        self._comments = study.pool.comments(search=self.search.text() or None)
        self._fill_theme_boxes()
        self._fill_groups()

    def _fill_theme_boxes(self) -> None:
        themes = [(t.id, t.label) for t in self._template.themes]
        if [(k, b.text()) for k, b in self.theme_boxes.items()] == themes and self.quote_boxes.boxes:
            return
        quote_boxes = self.quote_boxes.set_themes(themes + [(NO_THEME, quotations.OTHER_COMMENTS)])
        for box in self.theme_boxes.values():
            box.deleteLater()
        self.theme_boxes = {}
        previous: QWidget = self.editor
        for theme_id, label in themes:
            box = WrappingCheckBox(label)
            box.setAccessibleName(f"Theme: {label}")
            box.toggled.connect(lambda on, t=theme_id: self.set_theme(t, on))
            self.theme_grid.addWidget(box)
            self.theme_boxes[theme_id] = box
            self.setTabOrder(previous, box)
            previous = box
        for widget in quote_boxes + [self.merge_button, self.unmerge_button, self.delete_button]:
            self.setTabOrder(previous, widget)
            previous = widget
        self.themes_label.setVisible(bool(themes))

    def _fill_groups(self) -> None:
        """The tree: all comments, each theme with its questions, comments with no theme."""
        current = self.groups.currentItem()
        keep = current.data(0, _GROUP) if current is not None else (ALL, None)
        comments = self._comments
        if self._own_change:
            comments = self.session.study.pool.comments(search=self.search.text() or None)
            self._comments = comments
            self._pool_count = self.session.study.pool.count()
        bold = QFont(self.groups.font())
        bold.setBold(True)
        self.groups.blockSignals(True)
        self.groups.clear()
        select = None

        def add(parent, text: str, key: tuple, count: int, tip: str = "") -> QTreeWidgetItem:
            nonlocal select
            item = QTreeWidgetItem([text, str(count)])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(0, _GROUP, key)
            item.setToolTip(0, tip or text)
            (self.groups.addTopLevelItem(item) if parent is None else parent.addChild(item))
            if key == keep:
                select = item
            return item

        everything = add(None, "All comments", (ALL, None), len(comments))
        everything.setFont(0, bold)
        everything.setFont(1, bold)
        themes = [(t.id, t.label) for t in self._template.themes] + [(NO_THEME, "No theme")]
        for theme_id, label in themes:
            inside = [c for c in comments if (theme_id in c.themes if theme_id else not c.themes)]
            if not inside:
                continue
            item = add(None, label, (theme_id, None), len(inside))
            for qid, qlabel, n in _by_question(inside):
                add(item, qlabel, (theme_id, qid), n)
            item.setExpanded(True)
        self.groups.setCurrentItem(select or everything)
        self.groups.blockSignals(False)
        if not self._own_change:
            self._fill_list()

    def _fill_list(self) -> None:
        self.flush()
        item = self.groups.currentItem()
        theme, question_id = item.data(0, _GROUP) if item is not None else (ALL, None)
        keep = self._current.id if self._current is not None else None
        shown = [c for c in self._comments
                 if (theme is ALL or (theme in c.themes if theme else not c.themes))
                 and (question_id is None or c.question_id == question_id)]
        if item is None or theme is ALL:
            self.list_title.setText("All comments")
        else:
            self.list_title.setText(item.toolTip(0))
        self.list.blockSignals(True)
        self.list.clear()
        header_font = QFont(self.list.font())
        header_font.setBold(True)
        select = None
        written = 0
        self._read_marks()
        searching = bool(self.search.text().strip())
        questions: dict[str, Question | None] = {}

        def question_of(qid: str) -> Question | None:
            """The current schedule's question, or a removed one's newest wording."""
            if qid not in questions:
                questions[qid] = _question(self._template, qid) or self.session.study.pool.question(qid)
            return questions[qid]

        for qid, qlabel, n in _by_question(shown):
            question = question_of(qid)
            counted = is_counted(question)
            if counted and searching:
                continue
            header = QListWidgetItem(f"{qlabel}  ·  {n} {'answer' if counted else 'comment'}{'s' if n != 1 else ''}")
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            header.setFont(header_font)
            header.setForeground(QBrush(self.palette().color(QPalette.ColorRole.WindowText)))
            header.setBackground(QBrush(self.palette().color(QPalette.ColorRole.Window)))
            self.list.addItem(header)
            if counted:
                assert question is not None  # only a question is counted
                self._add_distribution(question)
                continue
            for c in (c for c in shown if c.question_id == qid):
                row = QListWidgetItem()
                row.setData(_COMMENT, c)
                self._draw_row(row, c)
                self.list.addItem(row)
                written += 1
                if c.id == keep:
                    select = row
        self.list.blockSignals(False)
        total = sum(1 for c in shown if not is_counted(question_of(c.question_id)))
        if searching:
            self.found.setText(f"{total} comment{'s' if total != 1 else ''} found" if total else "No comments found")
        else:
            self.found.setText("")
        if select is not None:
            self.list.setCurrentItem(select)
        else:
            self._current = None
            self.list.setCurrentRow(-1)
        self._show_current()
        if not self.list.count():
            empty = QListWidgetItem("No comments match the search." if searching else
                                    "No comments yet. Answers to anonymous questions arrive here in groups, "
                                    f"once {self.session.study.anonymity_k} finished interviews have answered "
                                    "a question.")
            empty.setFlags(Qt.ItemFlag.ItemIsEnabled)
            empty.setForeground(QBrush(self.palette().color(QPalette.ColorRole.PlaceholderText)))
            self.list.addItem(empty)
        self._size_items()

    def _size_items(self) -> None:
        """Give each comment the height its words need at the list's width. (Measured here,
        generously, because the stock measure can come out a line short and cut a comment.)"""
        self._sized_width = self.list.viewport().width()
        quotes.size_rows(self.list)
        for row in range(self.list.count()):  # the bars of counted answers, to the new width
            item = self.list.item(row)
            label = self.list.itemWidget(item)
            counts = getattr(label, "counts", None)
            if isinstance(label, QLabel) and counts is not None:
                label.setText(distribution_html(counts, self._bar_width(counts)))
                item.setSizeHint(label.sizeHint())

    def _bar_width(self, counts: dict[str, int]) -> int:
        """The longest bar that leaves the choices and counts room at the list's width."""
        metrics = self.list.fontMetrics()
        words = max((metrics.horizontalAdvance(f"{c}  {n} ") for c, n in counts.items()), default=0)
        return max(40, min(220, self.list.viewport().width() - 2 * self.list.spacing() - words - 40))

    def _add_distribution(self, question: Question) -> None:
        counts = choice_counts(question, self.session.study.pool.distribution(question.id))
        label = QLabel(distribution_html(counts, self._bar_width(counts)))
        label.counts = counts  # type: ignore[attr-defined]  # drawn again when the list is resized
        label.setAccessibleName("Answers counted")
        label.setContentsMargins(12, 2, 6, 6)
        item = QListWidgetItem()
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setSizeHint(label.sizeHint())
        self.list.addItem(item)
        self.list.setItemWidget(item, label)

    # --- the selected comment ------------------------------------------------------------------

    def _show_current(self) -> None:
        self.flush()
        item = self.list.currentItem()
        comment = item.data(_COMMENT) if item is not None else None
        self._current = comment
        self.editor.blockSignals(True)
        self.editor.setPlainText(comment.text if comment else "")
        self.editor.blockSignals(False)
        for theme_id, box in self.theme_boxes.items():
            box.blockSignals(True)
            box.setChecked(bool(comment) and theme_id in comment.themes)
            box.blockSignals(False)
            box.setEnabled(comment is not None)
        self.editor.setEnabled(comment is not None)
        self.editor.setPlaceholderText("" if comment else "Choose a comment to edit, tag or delete it.")
        self.delete_button.setEnabled(comment is not None)
        self._show_quotes()

    def _follow_theme(self, item) -> None:
        """Choosing a theme on the left shows its report quotations."""
        theme = item.data(0, _GROUP)[0] if item is not None else ALL
        if theme is not ALL:
            self.quotes.show_theme(theme)

    def _text_changed(self) -> None:
        if self._current is not None:
            self._save_timer.start()

    def flush(self) -> None:
        """Save the comment being edited now, if it has changed (before moving away)."""
        if self._save_timer.isActive():
            self._save_timer.stop()
            self.save_text()

    def save_text(self, *, undoable: bool = True) -> None:
        """Save the editor's words to the selected comment (Undo takes them back)."""
        comment = self._current
        text = self.editor.toPlainText()
        if comment is None or text == comment.text:
            return
        if not text.strip():
            return  # an empty comment is not saved; Delete removes one
        pool = self.session.study.pool
        old = comment.text
        if undoable:
            done = self._edit("redaction of a comment", lambda: pool.edit(comment.id, text),
                              lambda: pool.edit(comment.id, old), comment.id)
        else:
            self._own_change = True
            try:
                done = self.session.run(pool.edit, comment.id, text, changes={POOL}, what="the comment")
            finally:
                self._own_change = False
        if done:
            self._replace(comment, text=text)

    def set_theme(self, theme_id: str, on: bool) -> None:
        """Tag (or untag) the selected comment with a theme."""
        comment = self._current
        if comment is None or (theme_id in comment.themes) == on:
            return
        pool = self.session.study.pool
        tag, untag = (lambda: pool.tag(comment.id, theme_id)), (lambda: pool.untag(comment.id, theme_id))
        label = self._template.theme_label(theme_id)
        text = f"tagging of a comment with {label}" if on else f"removal of the tag {label} from a comment"
        if self._edit(text, *((tag, untag) if on else (untag, tag)), comment.id):
            themes = sorted(set(comment.themes) | {theme_id} if on else set(comment.themes) - {theme_id})
            self._replace(comment, themes=tuple(themes))

    def delete_current(self) -> None:
        comment = self._current
        if comment is None:
            return
        self.flush()
        comment = self._current or comment
        answer = QMessageBox.question(
            self,
            "Delete the comment",
            "Delete this comment from the pool? It will not appear in reports. (Edit ▸ Undo puts it back.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        pool = self.session.study.pool
        row = self.list.currentRow()
        restore_quotes = quotes.undo_of(self.session.study)  # the delete takes its quotations and merges

        def undo() -> None:
            pool.restore(comment)
            restore_quotes()

        if self.session.edit("deletion of a comment", lambda: pool.delete(comment.id), undo, {POOL},
                             show=lambda undone: undone and self.select_comment(comment.id)):
            self._select_near(row)

    def _select_near(self, row: int) -> None:
        """Select the comment at ``row`` or the nearest one after it (else before it)."""
        rows = list(range(row, self.list.count())) + list(range(min(row, self.list.count()) - 1, -1, -1))
        for r in rows:
            if self.list.item(r).data(_COMMENT) is not None:
                self.list.setCurrentRow(r, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                return

    def _edit(self, text: str, do, undo, comment_id: int | None = None) -> bool:
        """An undoable change to the pool; Undo and Redo select ``comment_id`` again."""
        show = None if comment_id is None else (lambda _undone: self.select_comment(comment_id))
        self._own_change = True
        try:
            return self.session.edit(text, do, undo, {POOL}, show=show)
        finally:
            self._own_change = False

    def _replace(self, comment: Comment, **changes) -> None:
        """Keep the list's copy of a comment in step with what was just saved."""
        from dataclasses import replace

        new = replace(comment, **changes)
        self._comments = [new if c.id == comment.id else c for c in self._comments]
        if self._current is not None and self._current.id == comment.id:
            self._current = new
        for row in range(self.list.count()):
            item = self.list.item(row)
            held = item.data(_COMMENT)
            if held is not None and held.id == comment.id:
                item.setData(_COMMENT, new)
                self._draw_row(item, new)
        self._show_quotes()  # a theme added or taken away: its "Quote in the report" box

    # --- keyboard ------------------------------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress:
            if watched is self.list and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
                if self._current is not None:
                    self.editor.setFocus(Qt.FocusReason.TabFocusReason)
                return True
            if watched is self.list and event.key() == Qt.Key.Key_Delete:
                self.delete_current()
                return True
            if watched is self.editor and event.key() == Qt.Key.Key_Escape:
                self.flush()
                self.list.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        if event.type() == QEvent.Type.Resize and watched is self.list.viewport() \
                and self.list.viewport().width() != self._sized_width:
            self._size_items()
        if event.type() == QEvent.Type.FocusOut and watched is self.editor:
            self.flush()
        return super().eventFilter(watched, event)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def close_study(self) -> None:
        """The window is closing the study: save what is being typed first."""
        self.flush()


def _by_question(comments: list[Comment]) -> list[tuple[str, str, int]]:
    """(question id, label, count) in the order the comments come (schedule order)."""
    out: dict[str, list] = {}
    for c in comments:
        entry = out.setdefault(c.question_id, [c.question_label, 0])
        entry[1] += 1
    return [(qid, label, n) for qid, (label, n) in out.items()]
