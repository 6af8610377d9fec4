"""Reports screen ▸ Write: the report's sections in the researcher's order, and the words of each.

On the left, the outline (``report_cover.OutlineList``, the same list the Client report tab
shows): every section, ticked when it is printed, moved with Move up / Move down (Alt+Up /
Alt+Down) or by dragging. On the right, the section chosen: its heading (blank: the section's own, shown
greyed) and its text in Markdown beside a live preview (``markdown_editor.MarkdownEditor``).
The method is fieldkit's words until the researcher chooses to write their own, which start
from fieldkit's; the recommendations are a table of what should be done and who should act;
the findings have an introduction and a write-up for each theme, printed before that theme's
quotations (which are chosen in the Pool).

Everything is saved through the core (``fieldkit.reports.outline``, ``fieldkit.quotations``)
as it is made: typing after a pause, and at once when the section, the tab or the study is
left. Each save announces "report", so the preview redraws.
"""

from __future__ import annotations

from typing import Any

from fieldkit import quotations
from fieldkit.reports import outline
from fieldkit.reports.sections import BY_NAME
from fieldkit.ui.debounced import Debounced
from fieldkit.ui.markdown_editor import MarkdownEditor, button, problem_label, row, show_problem
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.report_cover import CHANGES, OutlineList
from fieldkit.ui.session import ATTEMPTS, DETAILS, INTERVIEWS, ORGANISATIONS, POOL, REPORT, TEMPLATE, StudySession
from fieldkit.ui.welcome import heading

#: Changes that move the figures a text is filled with (and fieldkit's words for the method).
FIGURES_RELEVANT = {ORGANISATIONS, ATTEMPTS, INTERVIEWS, TEMPLATE, DETAILS}
#: Changes that can alter what a page shows: its texts, the themes, the quotations chosen.
PAGE_RELEVANT = {REPORT, TEMPLATE, DETAILS, POOL}
_KEY = Qt.ItemDataRole.UserRole


def confirm(parent: QWidget, title: str, text: str) -> bool:
    return QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                QMessageBox.StandardButton.No) == QMessageBox.StandardButton.Yes


# --- one section -------------------------------------------------------------------------------

class SectionPage(QWidget):
    """A section's heading and its Markdown text, each saved as it is typed."""

    #: the editor's share of the page's height (the recommendations' table takes some)
    stretch_editor = 1

    def __init__(self, tab: WriteTab):
        super().__init__()
        self.tab = tab
        self.session = tab.session
        self.key: str | None = None
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.title = heading("", 1.2)
        self.layout_.addWidget(self.title)
        self.heading_edit = QLineEdit()
        self.heading_edit.setAccessibleName("Heading")
        self.heading_edit.setToolTip("The heading the section is printed under; blank: the one shown greyed")
        label = QLabel("&Heading")
        label.setBuddy(self.heading_edit)
        self.layout_.addLayout(row(label, self.heading_edit, stretch_last=True))
        self.note = QLabel()
        self.note.setAccessibleName("About the section")
        self.note.setWordWrap(True)
        self.layout_.addWidget(self.note)
        self.extra = QVBoxLayout()  # a page's own controls, between the note and the editor
        self.layout_.addLayout(self.extra)
        self.editor = MarkdownEditor("Text", tab.figures, groups=tab.groups)
        self.layout_.addWidget(self.editor, self.stretch_editor)
        self._heading_save = Debounced(self, self._save_heading)
        self._text_save = Debounced(self, self._save_text)
        self.heading_edit.textEdited.connect(self._heading_typed)
        self.heading_edit.editingFinished.connect(self._heading_save.flush)
        self.editor.edited.connect(self._text_save.start)

    @property
    def study(self) -> Any:
        return self.session.study

    def where(self) -> str:
        """The heading printed (what a problem in the text is said to be in)."""
        if self.key is None:
            return ""
        return self.heading_edit.text().strip() or BY_NAME[self.key].heading

    def load(self, key: str) -> None:
        self.flush()
        self.key = key
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        """Show the section as the study has it, leaving alone what is still being typed."""
        if self.key is None:
            return
        part = outline.part(self.study, self.key)
        self.title.setText(part.label)
        self.heading_edit.setPlaceholderText(BY_NAME[self.key].heading)
        if force or not self._heading_save.pending:
            wanted = part.heading if part.custom_heading else ""
            if self.heading_edit.text().strip() != wanted:
                self.heading_edit.setText(wanted)
        self.note.setText(self.about(part))
        self.load_text(part, force)

    def about(self, part: outline.Part) -> str:
        if part.written:
            self.editor.set_empty_note("Nothing written yet: the section is not printed.")
            return "Your own words; the section is printed when there is something written."
        self.editor.set_empty_note("Nothing written: fieldkit's own introduction is printed.")
        return ("fieldkit draws this section from the study. A text written here is printed under the heading "
                "as its introduction, in place of fieldkit's.")

    def stored_text(self, part: outline.Part) -> str:
        return part.body or ""

    def load_text(self, part: outline.Part, force: bool) -> None:
        self.editor.set_name(self.where())
        if force or (not self._text_save.pending and self.editor.text() != self.stored_text(part)):
            self.editor.set_text(self.stored_text(part), self.where())

    def _heading_typed(self) -> None:
        self._heading_save.start()
        self.editor.set_where(self.where())

    def _save_heading(self) -> None:
        if self.key is None:
            return
        text = self.heading_edit.text().strip()
        part = outline.part(self.study, self.key)
        if text != (part.heading if part.custom_heading else ""):
            self.session.call(outline.set_heading, self.study, self.key, text or None, changes=CHANGES,
                              what="the heading")

    def _save_text(self) -> None:
        if self.key is None:
            return
        text = self.editor.text()
        if text != self.stored_text(outline.part(self.study, self.key)):
            self.session.call(outline.set_text, self.study, self.key, text, changes=CHANGES, what="the text")

    def figures_changed(self) -> None:
        self.editor.show_preview()

    def flush(self) -> None:
        self._heading_save.flush()
        self._text_save.flush()


class MethodPage(SectionPage):
    """The method: fieldkit's words (always current), or the researcher's, starting from them."""

    def __init__(self, tab: WriteTab):
        super().__init__(tab)
        self.fieldkit_words = QRadioButton("&fieldkit's words, kept up to date with the study")
        self.fieldkit_words.setAccessibleName("The method in fieldkit's words")
        self.own_words = QRadioButton("My &own words, starting from fieldkit's")
        self.own_words.setAccessibleName("The method in my own words")
        group = QButtonGroup(self)
        group.addButton(self.fieldkit_words)
        group.addButton(self.own_words)
        self.extra.addWidget(self.fieldkit_words)
        self.extra.addWidget(self.own_words)
        self.own_words.toggled.connect(lambda on: self._own_chosen() if on else None)
        self.fieldkit_words.toggled.connect(lambda on: self._fieldkit_chosen() if on else None)

    def about(self, part: outline.Part) -> str:
        self.editor.set_empty_note("Nothing written: the method section prints only its heading.")
        return ("How the study was done: the counts, the exclusions and the response rates. A line holding only "
                "{table:counts}, {table:excluded} or {table:rates} places fieldkit's table there.")

    def _show_choice(self, own: bool) -> None:
        for radio, on in ((self.own_words, own), (self.fieldkit_words, not own)):
            radio.blockSignals(True)
            radio.setChecked(on)
            radio.blockSignals(False)
        self.editor.set_read_only(not own)

    def load_text(self, part: outline.Part, force: bool) -> None:
        own = part.body is not None
        self._show_choice(own)
        if not own:
            self.editor.set_name(self.where())
            self.editor.set_text(self.tab.generated_method(), self.where())
        else:
            super().load_text(part, force)

    def _save_text(self) -> None:
        if self.own_words.isChecked():
            super()._save_text()

    def _own_chosen(self) -> None:
        self.session.call(outline.set_text, self.study, "method", self.tab.generated_method(), changes=CHANGES,
                          what="the method in your own words")
        if outline.part(self.study, "method").body is None:  # refused
            self._show_choice(False)
            return
        self.refresh(force=True)
        self.editor.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fieldkit_chosen(self) -> None:
        if not confirm(self, "Back to fieldkit's words",
                       "Print fieldkit's words for the method again? Your own words for it are deleted."):
            self._show_choice(True)
            self._text_save.flush()
            return
        self._text_save.timer.stop()  # what is still being typed goes too
        self.session.call(outline.set_text, self.study, "method", None, changes=CHANGES, what="the method")
        self.refresh(force=True)

    def figures_changed(self) -> None:
        if self.key is not None and not self.own_words.isChecked():
            self.editor.set_text(self.tab.generated_method(), self.where())
        else:
            super().figures_changed()


class RecommendationsPage(SectionPage):
    """The recommendations: an introduction, then a table of what to do and who should act."""

    stretch_editor = 2
    COLUMNS = ("Recommendation", "Who should act")

    def __init__(self, tab: WriteTab):
        super().__init__(tab)
        self._filling = False
        self.editor.editor.setMinimumHeight(90)
        self.table = QTableWidget(0, 2)
        self.table.setAccessibleName("Recommendations")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMinimumHeight(150)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 220)
        self.table.itemChanged.connect(self._cell_changed)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        about_rows = QLabel("What should be done, and who should act: a row each, printed as a table "
                            "after the text. Double-click or press F2 to change a cell.")
        about_rows.setWordWrap(True)
        self.layout_.addWidget(about_rows)
        self.layout_.addWidget(self.table, 3)
        self.add_button = button("&Add", "Add a recommendation", self.add)
        self.remove_button = button("&Remove", "Remove the recommendation", self.remove)
        self.up_button = button("Move u&p", "Move the recommendation up", lambda: self.move_by(-1))
        self.down_button = button("Move do&wn", "Move the recommendation down", lambda: self.move_by(1))
        self.layout_.addLayout(row(self.add_button, self.remove_button, self.up_button, self.down_button))
        self.rows_problem = problem_label("Problem in the recommendations")
        self.layout_.addWidget(self.rows_problem)

    def about(self, part: outline.Part) -> str:
        self.editor.set_empty_note("No introduction: the table is printed under the heading.")
        return "An introduction (it may be left empty), then the table below."

    def refresh(self, force: bool = False) -> None:
        super().refresh(force)
        if self.key is not None and (force or self.table.state() != QAbstractItemView.State.EditingState):
            self.fill()

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        assert item is not None  # fill makes every cell of every row
        return item

    def ids(self) -> list[int]:
        return [self._cell(r, 0).data(_KEY) for r in range(self.table.rowCount())]

    def current_id(self) -> int | None:
        r = self.table.currentRow()
        return self._cell(r, 0).data(_KEY) if 0 <= r < self.table.rowCount() else None

    def fill(self, select: int | None = None) -> None:
        recs = outline.recommendations(self.study)
        select = self.current_id() if select is None else select
        self._filling = True
        try:
            self.table.setRowCount(len(recs))
            for r, rec in enumerate(recs):
                for c, text in enumerate((rec.text, rec.who)):
                    item = QTableWidgetItem(text)
                    item.setData(_KEY, rec.id)
                    self.table.setItem(r, c, item)
                if rec.id == select:
                    self.table.setCurrentCell(r, max(self.table.currentColumn(), 0))
            self.table.resizeRowsToContents()
        finally:
            self._filling = False
        self._check(recs)
        self._update_buttons()

    def _check(self, recs: list[outline.Recommendation]) -> None:
        figures = self.tab.figures()
        problems = [p for n, rec in enumerate(recs, 1) for text in (rec.text, rec.who)
                    for p in figures.check(text, f"Recommendations, row {n}")]
        show_problem(self.rows_problem, "\n".join(problems))

    def _update_buttons(self) -> None:
        r, n = self.table.currentRow(), self.table.rowCount()
        self.remove_button.setEnabled(0 <= r < n)
        self.up_button.setEnabled(0 < r < n)
        self.down_button.setEnabled(0 <= r < n - 1)

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        rec_id, field, text = item.data(_KEY), ("text", "who")[item.column()], item.text()
        QTimer.singleShot(0, self, lambda: self._save_cell(rec_id, field, text))  # after the editor closes

    def _save_cell(self, rec_id: int, field: str, text: str) -> None:
        old = next((r for r in outline.recommendations(self.study) if r.id == rec_id), None)
        if old is not None and getattr(old, field) != text:
            self.session.call(outline.update_recommendation, self.study, rec_id, **{field: text},
                              changes=CHANGES, what="the recommendation")

    def add(self) -> None:
        rec_id = self.session.call(outline.add_recommendation, self.study, changes=CHANGES,
                                   what="a new recommendation")
        if rec_id is not None:
            self.fill(select=rec_id)
            r = self.ids().index(rec_id)
            self.table.setCurrentCell(r, 0)
            self.table.editItem(self._cell(r, 0))

    def remove(self) -> None:
        rec_id, r = self.current_id(), self.table.currentRow()
        if rec_id is None:
            return
        written = any(self._cell(r, c).text().strip() for c in (0, 1))
        if written and not confirm(self, "Remove the recommendation",
                                   f"Remove “{self._cell(r, 0).text().strip() or 'this row'}” from the report?"):
            return
        self.session.call(outline.remove_recommendation, self.study, rec_id, changes=CHANGES,
                          what="the recommendation")
        ids = self.ids()
        if ids:
            self.fill(select=ids[min(r, len(ids) - 1)])

    def move_by(self, by: int) -> None:
        rec_id = self.current_id()
        if rec_id is not None:
            self.session.call(outline.move_recommendation, self.study, rec_id, by, changes=CHANGES,
                              what="the order of the recommendations")
            self.fill(select=rec_id)

    def figures_changed(self) -> None:
        super().figures_changed()
        if self.key is not None:
            self._check(outline.recommendations(self.study))


class FindingsPage(SectionPage):
    """The findings: an introduction, then each theme's write-up, printed before its quotations."""

    INTRO = "introduction"

    def __init__(self, tab: WriteTab):
        super().__init__(tab)
        self._target: str = self.INTRO  # a theme's id ("" for other comments) once picked
        self.picker = ComboBox()
        self.picker.setAccessibleName("Text to write")
        self.picker.setMinimumContentsLength(24)
        label = QLabel("&Write")
        label.setBuddy(self.picker)
        self.extra.addLayout(row(label, self.picker))
        self.quotes = QLabel()
        self.quotes.setAccessibleName("Quotations chosen")
        self.quotes.setWordWrap(True)
        self.pool_button = button("Choose in the &Pool", "Choose the quotations in the Pool", self.show_pool)
        self.pool_button.setEnabled(tab.window_ is not None)
        quotes_row = QHBoxLayout()
        quotes_row.addWidget(self.quotes, 1)
        quotes_row.addWidget(self.pool_button)
        self.extra.addLayout(quotes_row)
        self.per_theme = QSpinBox()
        self.per_theme.setRange(0, 50)
        self.per_theme.setKeyboardTracking(False)
        self.per_theme.setAccessibleName("Quotations per theme without a choice")
        self.per_theme.setMinimumWidth(self.per_theme.fontMetrics().horizontalAdvance("50") + 48)
        per_label = QLabel("Quotations &printed for a theme with none chosen")
        per_label.setBuddy(self.per_theme)
        self.extra.addLayout(row(per_label, self.per_theme))
        self._per_theme_save = Debounced(self, self._save_per_theme)
        self.per_theme.valueChanged.connect(lambda _: self._per_theme_save.start())
        self.per_theme.editingFinished.connect(self._per_theme_save.flush)
        self.picker.currentIndexChanged.connect(self._picked)

    def about(self, part: outline.Part) -> str:
        self.editor.set_empty_note("Nothing written yet." if self._target != self.INTRO else
                                   "No introduction: the themes follow the heading.")
        return ("Theme by theme: your write-up, then the quotations chosen for it. Choose what to write: the "
                "introduction under the heading, or a theme's write-up.")

    def _fill_picker(self) -> None:
        wanted = [(self.INTRO, "The introduction, under the heading")]
        wanted += [(t.id, f"Theme: {t.label}") for t in self.study.template.themes]
        wanted.append(("", f"Theme: {quotations.OTHER_COMMENTS}"))
        have = [(self.picker.itemData(i), self.picker.itemText(i)) for i in range(self.picker.count())]
        if have == wanted:
            return
        self.picker.blockSignals(True)
        self.picker.clear()
        for data, text in wanted:
            self.picker.addItem(text, data)
        found = self.picker.findData(self._target)
        self.picker.setCurrentIndex(max(found, 0))
        self._target = self.picker.currentData()
        self.picker.blockSignals(False)

    def theme_label(self) -> str:
        return self.picker.currentText().removeprefix("Theme: ")

    def where(self) -> str:
        return super().where() if self._target == self.INTRO else self.theme_label()

    def refresh(self, force: bool = False) -> None:
        if self.key is None:
            return
        self._fill_picker()
        if not self._per_theme_save.pending:
            self.per_theme.blockSignals(True)
            self.per_theme.setValue(min(quotations.per_theme(self.study), self.per_theme.maximum()))
            self.per_theme.blockSignals(False)
        super().refresh(force)
        self._show_quotes()

    def stored_text(self, part: outline.Part) -> str:
        if self._target == self.INTRO:
            return part.body or ""
        return outline.theme_text(self.study, self._target)

    def _save_text(self) -> None:
        if self.key is None:
            return
        text = self.editor.text()
        if text == self.stored_text(outline.part(self.study, self.key)):
            return
        if self._target == self.INTRO:
            self.session.call(outline.set_text, self.study, self.key, text, changes=CHANGES, what="the introduction")
        else:
            self.session.call(outline.set_theme_text, self.study, self._target, text, changes=CHANGES,
                              what=f"the write-up of {self.theme_label()}")

    def _picked(self) -> None:
        self._text_save.flush()  # to the text it was typed in
        self._target = self.picker.currentData()
        self.refresh(force=True)

    def _show_quotes(self) -> None:
        if self._target == self.INTRO:
            self.quotes.setText("The quotations are chosen theme by theme in the Pool.")
            return
        n, per = len(quotations.chosen_for(self.study, self._target)), quotations.per_theme(self.study)
        if n:
            self.quotes.setText(f"{n} quotation{'s' if n != 1 else ''} chosen for this theme, printed in your "
                                "order after the write-up.")
        elif per:
            self.quotes.setText(f"No quotations chosen for this theme: the report prints up to {per} of its "
                                "comments, drawn afresh for each report.")
        else:
            self.quotes.setText("No quotations chosen for this theme: the report prints none.")

    def _save_per_theme(self) -> None:
        n = self.per_theme.value()
        if n != quotations.per_theme(self.study):
            self.session.call(quotations.set_per_theme, self.study, n, changes=CHANGES,
                              what="the quotations per theme")

    def show_pool(self) -> None:
        """The Pool screen, its Report quotations showing this theme (when it has that panel)."""
        self.tab.flush()
        if self.tab.window_ is None:
            return
        pool = self.tab.window_.show_screen("pool")
        show_theme = getattr(getattr(pool, "quotes", None), "show_theme", None)
        if show_theme is not None and self._target != self.INTRO:
            show_theme(self._target)

    def flush(self) -> None:
        super().flush()
        self._per_theme_save.flush()


# --- the tab ----------------------------------------------------------------------------------

class WriteTab(QWidget):
    """The outline on the left, the section chosen on the right."""

    def __init__(self, session: StudySession, window: Any = None):
        super().__init__()
        self.session = session
        self.window_ = window
        self._figures: Any = None
        self._method: str | None = None
        outer = QHBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        intro = QLabel("Choose a section to write. Tick the sections to print, and move them into the order "
                       "you want.")
        intro.setWordWrap(True)
        column.addWidget(intro)
        self.outline = OutlineList(session, name="Sections of the report")
        column.addWidget(self.outline, 1)
        left.setMinimumWidth(240)
        splitter.addWidget(left)
        self.stack = QStackedWidget()
        self.text_page = SectionPage(self)
        self.pages: dict[str, SectionPage] = {"method": MethodPage(self), "recommendations": RecommendationsPage(self),
                                              "comments": FindingsPage(self)}
        for page in (self.text_page, *self.pages.values()):
            self.stack.addWidget(page)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 900])
        self.outline.current_changed.connect(self.show_section)
        session.changed.connect(self._changed)
        self.outline.list.setCurrentRow(0)

    @property
    def page(self) -> SectionPage:
        page = self.stack.currentWidget()
        assert isinstance(page, SectionPage)  # the stack holds only section pages
        return page

    def page_for(self, key: str) -> SectionPage:
        return self.pages.get(key, self.text_page)

    def show_section(self, key: str) -> None:
        """Edit section ``key`` (what was being typed in the one before is saved first)."""
        self.flush()
        if self.outline.current_key() != key:
            self.outline.select(key)
        page = self.page_for(key)
        page.load(key)
        self.stack.setCurrentWidget(page)

    def figures(self) -> Any:
        """The study's figures, worked out once until the study changes (not on every keystroke)."""
        if self._figures is None:
            from fieldkit.reports.figures import Figures

            self._figures = Figures.of(self.session.study)
        return self._figures

    def groups(self, figure: str) -> list[str]:
        """The names a figure with a group may take: categories, and for counts areas too."""
        template = self.session.study.template
        if figure.startswith(("{target:", "{achieved:")):
            return list(template.categories)
        return list(template.categories) + [a for a in template.areas if a not in template.categories]

    def generated_method(self) -> str:
        """fieldkit's words for the method, as Markdown (where the researcher's own start)."""
        if self._method is None:
            from fieldkit.reports.data import ReportOptions, build_report_data
            from fieldkit.reports.method import method_markdown

            data = build_report_data(self.session.study, ReportOptions(sections=("method",)))
            assert data.method_section is not None and data.method is not None  # the method was asked for
            self._method = method_markdown(data.method_section, data.method)
        return self._method

    def _changed(self, kinds: set[str]) -> None:
        if kinds & FIGURES_RELEVANT:
            self._figures = None
            self._method = None
        if kinds & PAGE_RELEVANT:
            self.page.refresh()
        if kinds & FIGURES_RELEVANT:
            self.page.figures_changed()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.flush()
        super().hideEvent(event)

    def flush(self) -> None:
        """Save what is being typed (leaving the section, the tab or the study)."""
        for page in (self.text_page, *self.pages.values()):
            page.flush()
