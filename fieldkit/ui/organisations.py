"""The Organisations screen: a filtered, sorted list of every organisation, and the case form.

The list (``organisation_list.py``) holds only ids and reads a page of rows when one is
drawn, so it stays smooth on 100,000 organisations; the ids themselves (the filters, the
search, the sort and the counts) are asked of the core off the UI thread, so typing in the
search box never waits for a search.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from fieldkit import dispositions, outcome_rates
from fieldkit.organisations import STATUS_LABELS, STATUSES, OrganisationQuery, StatusCounts
from fieldkit.study import Study
from fieldkit.summary import NOT_RECORDED
from fieldkit.ui.organisation_list import (
    COLUMNS,
    IN_INTERVIEW,
    PAGE,
    ListLoader,
    OrganisationTableModel,
    code_text,
)
from fieldkit.ui import icons
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    QStackedWidget,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import ATTEMPTS, CONTACTS, INTERVIEWS, ORGANISATIONS, TEMPLATE, StudySession
from fieldkit.ui.welcome import buddy_label, heading

if TYPE_CHECKING:
    from fieldkit.ui.case_form import CaseForm

#: Columns a click on the header sorts by (the core's ``order_by`` names).
SORTABLE = ("name", "category", "area", "status")
#: The "Sort by" choices: (label, order_by, newest first by default).
SORT_CHOICES = (
    ("Name", "name", False),
    ("Category", "category", False),
    ("Area", "area", False),
    ("Status", "status", False),
    ("Last changed", "updated", True),
    ("Date added", "created", True),
)
SEARCH_DELAY_MS = 250
#: Milliseconds after the list first shows before the case form is built, ready for the first case.
CASE_FORM_AFTER_MS = 300
#: The flags' drop-downs on a line of the filters (more go on the next line).
FLAGS_PER_ROW = 3
#: The kinds of change that can alter the list, and those that can alter a disposition.
LIST_KINDS = {ORGANISATIONS, CONTACTS, ATTEMPTS, INTERVIEWS, TEMPLATE}
DISPOSITION_KINDS = {ORGANISATIONS, ATTEMPTS, INTERVIEWS, TEMPLATE}
#: The narrowest the name column is let be, and the characters the columns that give way keep.
NAME_MIN = 220
SHRINK_TO = {"category": 12, "area": 10, "status": 11, "disposition": 16}
#: The disposition filter's groups of codes, as ``dispositions.matching`` takes them.
DISPOSITION_GROUPS = (
    ("1", "1 Interviews"),
    ("2.1", "2.1 Refusals and break-offs"),
    ("2.2", "2.2 Non-contacts"),
    ("2.3", "2.3 Other eligible"),
    ("3", "3 Unknown eligibility"),
    ("4", "4 Not eligible"),
)
__all__ = ["COLUMNS", "PAGE", "ListLoader", "OrganisationTableModel", "OrganisationsScreen"]


def _combo(name: str, items: list[tuple[str, Any]]) -> ComboBox:
    box = ComboBox()
    box.setAccessibleName(name)
    for text, value in items:
        box.addItem(text, value)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return box



class AddOrganisationDialog(QDialog):
    """Name, category and area of a new organisation; the case form takes the rest."""

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add an organisation")
        self.setMinimumWidth(420)
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        self.category = _combo("Category", [("", None)] + [(c, c) for c in study.template.categories])
        self.area = _combo("Area", [("", None)] + [(a, a) for a in study.template.areas])
        form.addRow("&Name", self.name)
        form.addRow("&Category", self.category)
        form.addRow("&Area", self.area)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, Any]:
        return {"name": self.name.text(), "category": self.category.currentData(),
                "area": self.area.currentData()}


class OrganisationsScreen(QWidget):
    """The list of organisations with its search, filters and counts; the case form on top."""

    def __init__(self, session: StudySession, window: Any = None):
        super().__init__(window)
        self.session = session
        self.window_ = window
        self.study = session.study
        self._order = ("name", False)
        self._stale = False
        self._codes_stale = False
        self._select_after_load: int | None = None

        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        self.list_page = QWidget()
        self.pages.addWidget(self.list_page)
        self._case_form: CaseForm | None = None
        self._closing = False
        self._window = window

        self.model = OrganisationTableModel(self.study, self)
        self.loader = ListLoader(self.study.open_reader, self._loaded,
                                 lambda text: self.counts.setText(f"Cannot list the organisations: {text}"), self,
                                 on_codes=self._codes_loaded)
        #: the study's disposition codes and how many have each (the filter lists them)
        self._codes: dict[str, int] = {}
        self._build_list_page()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.refresh_list)
        self.search.textChanged.connect(self._debounce.start)
        session.changed.connect(self._on_changed)
        # The first list is read here and now (tens of milliseconds even for 100,000
        # organisations), so the screen never opens empty; later ones in the background,
        # like the codes the disposition filter lists (a pass over every organisation).
        first = replace(self.query(), disposition=None)  # "All" when the screen opens
        self._loaded(*self.study.organisations.ids_with_counts(first))
        self.loader.request_codes()
        # The case form is built once the list has been shown, not before: opening the study
        # shows the list without waiting for it, and the first case opened does not wait either.
        QTimer.singleShot(CASE_FORM_AFTER_MS, self, self._prepare_case_form)

    @property
    def case_form(self) -> CaseForm:
        """The case form shown over the list (built when first needed)."""
        return self._build_case_form()

    def _prepare_case_form(self) -> None:
        if not self._closing:
            self._build_case_form()

    def _build_case_form(self) -> CaseForm:
        if self._case_form is None:
            from fieldkit.ui.case_form import CaseForm

            self._case_form = CaseForm(self.session, self._window, self)
            self._case_form.back_requested.connect(self.show_list)
            self.pages.addWidget(self._case_form)
        return self._case_form

    # --- building ----------------------------------------------------------------------------

    def _build_list_page(self) -> None:
        layout = QVBoxLayout(self.list_page)
        top = QHBoxLayout()
        top.addWidget(heading("Organisations"))
        top.addStretch(1)
        self.counts = QLabel()
        self.counts.setAccessibleName("Counts for the list")
        font = self.counts.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.counts.setFont(font)
        top.addWidget(self.counts, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(top)

        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names, places, people, phone numbers and answers")
        self.search.setAccessibleName("Search organisations")
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        row.addWidget(buddy_label("&Search", self.search))
        row.addWidget(self.search, 1)
        self.sort = _combo("Sort by", [(label, (key, desc)) for label, key, desc in SORT_CHOICES])
        self.sort.activated.connect(self._sort_chosen)
        row.addWidget(buddy_label("S&ort by", self.sort))
        row.addWidget(self.sort)
        self.reverse = QPushButton("Reverse")
        self.reverse.setCheckable(True)
        self.reverse.setAccessibleName("Reverse the order")
        self.reverse.clicked.connect(self._reverse_clicked)
        row.addWidget(self.reverse)
        self.add_button = QPushButton(icons.icon("add"), "&Add organisation…")
        self.add_button.clicked.connect(self.add_organisation)
        row.addWidget(self.add_button)
        layout.addLayout(row)

        self.filters_row = QGridLayout()
        layout.addLayout(self.filters_row)
        self._build_filters()

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Organisations")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no measuring of rows: that would read them all
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        self._natural: dict[str, int] = {}
        self._floors: dict[str, int] = {}
        self._fitting = False
        self._user_sized = False
        self._size_columns()
        header.sectionResized.connect(self._section_resized)
        self.table.viewport().installEventFilter(self)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.installEventFilter(self)
        layout.addWidget(self.table, 1)

    def _build_filters(self) -> None:
        """Category, area and status on the first line; one drop-down per flag on the second."""
        grid = self.filters_row
        while grid.count():
            item = grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        template = self.study.template
        not_recorded = [(NOT_RECORDED, "")]
        self.category = _combo("Category filter", [("All categories", None)]
                               + [(c, c) for c in template.categories] + not_recorded)
        self.area = _combo("Area filter", [("All areas", None)] + [(a, a) for a in template.areas] + not_recorded)
        self.status = _combo("Status filter", [("All statuses", None)] + [(STATUS_LABELS[s], s) for s in STATUSES])
        for box in (self.category, self.area, self.status):
            box.shrink_to(12)  # a narrow window elides the choice rather than cutting off the screen
        self.disposition = self._disposition_combo()
        # a code chosen that no organisation has any more goes once another is chosen
        self.disposition.activated.connect(lambda _: self._fill_codes(self.disposition))
        self.flag_filters: dict[str, QComboBox] = {}
        line = QHBoxLayout()
        for text, box in (("&Category", self.category), ("A&rea", self.area), ("Stat&us", self.status),
                          ("&Disposition", self.disposition)):
            line.addWidget(buddy_label(text, box))
            line.addWidget(box)
            line.addSpacing(8)
            box.activated.connect(self.refresh_list)
        line.addStretch(1)
        self.clear_button = QPushButton("C&lear filters")
        self.clear_button.clicked.connect(self.clear_filters)
        holder = QWidget()
        holder.setLayout(line)
        line.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(holder, 0, 0)
        # The flags' drop-downs in rows of FLAGS_PER_ROW, so that a template with many tick boxes
        # (the directory's permission for each detail) does not make the screen wider than a laptop's.
        flags = QGridLayout()
        flags.setContentsMargins(0, 0, 0, 0)
        flags.setHorizontalSpacing(6)
        for n, flag in enumerate(template.flag_ids()):
            label = template.flag_label(flag)
            box = _combo(f"Filter: {label}", [("Any", None), ("Ticked", True), ("Not ticked", False)])
            box.setToolTip(label)
            box.activated.connect(self.refresh_list)
            self.flag_filters[flag] = box
            row, column = divmod(n, FLAGS_PER_ROW)
            name = buddy_label(label, box)
            name.setWordWrap(True)  # a long label takes two lines in a narrow window
            flags.addWidget(name, row, 2 * column)
            flags.addWidget(box, row, 2 * column + 1)
        flags.setColumnStretch(2 * FLAGS_PER_ROW, 1)
        # On the flags' first line, not the first line's end: that one is long enough already.
        flags.addWidget(self.clear_button, 0, 2 * FLAGS_PER_ROW + 1)
        holder = QWidget()
        holder.setLayout(flags)
        grid.addWidget(holder, 1, 0)
        chain = [self.add_button, self.category, self.area, self.status, self.disposition,
                 *self.flag_filters.values(),
                 self.clear_button] + ([self.table] if hasattr(self, "table") else [])
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _disposition_combo(self) -> ComboBox:
        """All, the states (in interview, temporary, final), the groups, then each code the
        study has (filled in when counted: ``_codes_loaded``)."""
        box = ComboBox()
        box.setAccessibleName("Disposition filter")
        box.addItem("All dispositions", None)
        box.insertSeparator(box.count())
        for state, label in dispositions.STATES.items():
            box.addItem(label, state)
        box.insertSeparator(box.count())
        for group, label in DISPOSITION_GROUPS:
            box.addItem(label, group)
        box.setToolTip("AAPOR dispositions: where each organisation stands, by the Standard Definitions")
        # narrow enough to leave the sidebar its width; the long labels show in full in the open list
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(18)
        self._fixed_dispositions = box.count()
        self._fill_codes(box)
        return box

    def _fill_codes(self, box: QComboBox) -> None:
        """The study's codes after the fixed choices, keeping the one chosen (even at 0)."""
        chosen = box.currentData()
        codes = dict(self._codes)
        if chosen in outcome_rates.CODES and chosen not in codes:
            codes[chosen] = 0
        while box.count() > self._fixed_dispositions:
            box.removeItem(box.count() - 1)
        if codes:
            box.insertSeparator(box.count())
        for code, n in sorted(codes.items(), key=lambda kv: outcome_rates.sort_key(kv[0])):
            box.addItem(f"{code_text(code)} ({n:,})", code)
        view = box.view()
        metrics = view.fontMetrics()
        view.setMinimumWidth(max(metrics.horizontalAdvance(box.itemText(i)) for i in range(box.count())) + 40)
        index = box.findData(chosen)
        box.setCurrentIndex(max(index, 0))

    def _codes_loaded(self, codes: dict[str, int]) -> None:
        self._codes = dict(codes)
        self._fill_codes(self.disposition)

    def _size_columns(self) -> None:
        """Widths from the vocabularies, not the rows: measuring rows would read them all."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        template = self.study.template

        def width(texts, cap: int) -> int:
            return min(max([metrics.horizontalAdvance(t) for t in texts] + [60]) + 24, cap)

        in_interview = f"{STATUS_LABELS['contacting']} · {IN_INTERVIEW}"
        codes = {template.outcome_rule(o).disposition for o in template.outcomes} | {
            template.exclusion_code(r) for r in template.exclusion_reasons} | {"1.1", "1.2", "2.11", "2.12", "3.11"}
        widths = {"category": width(template.categories, 210), "area": width(template.areas, 130),
                  "status": width([*STATUS_LABELS.values(), in_interview], 180),
                  "disposition": width([code_text(c) for c in codes], 230),
                  "phone": metrics.horizontalAdvance("0121 496 0000") + 24}
        self._natural = {key: widths.get(key, metrics.horizontalAdvance(title) + 28)
                         for key, title in COLUMNS if key != "name"}
        self._floors = {key: min(self._natural[key], metrics.averageCharWidth() * chars + 24)
                        for key, chars in SHRINK_TO.items()}
        header.setMinimumSectionSize(40)
        for column, (key, _title) in enumerate(COLUMNS):
            if key != "name":
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The natural widths while they leave the name a fifth of the list; on a narrower
        window category, area and disposition give way (down to a floor each, their full
        text in the tooltip). Once the researcher drags a column, the widths are theirs."""
        if self._user_sized:
            return
        widths = dict(self._natural)
        room = self.table.viewport().width()
        excess = sum(widths.values()) + max(NAME_MIN, room // 5) - room
        slack = {key: widths[key] - floor for key, floor in self._floors.items() if widths[key] > floor}
        if excess > 0 and slack:
            total = sum(slack.values())
            for key, give in slack.items():
                widths[key] -= min(give, round(excess * give / total))
        header = self.table.horizontalHeader()
        self._fitting = True
        try:
            for column, (key, _title) in enumerate(COLUMNS):
                if key != "name" and header.sectionSize(column) != widths[key]:
                    header.resizeSection(column, widths[key])
        finally:
            self._fitting = False

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        if column != 0 and not self._fitting:
            self._user_sized = True

    # --- the query -------------------------------------------------------------------------

    def query(self) -> OrganisationQuery:
        """What the filters, search box and sort ask for."""
        flags = [f for f, box in self.flag_filters.items() if box.currentData() is True]
        without = [f for f, box in self.flag_filters.items() if box.currentData() is False]
        order_by, descending = self._order
        return OrganisationQuery(category=self.category.currentData(), area=self.area.currentData(),
                                 status=self.status.currentData(), flags=tuple(flags), without_flags=tuple(without),
                                 search=self.search.text(), order_by=order_by, descending=descending,
                                 disposition=self.disposition.currentData())

    def filtered(self) -> bool:
        return self.query().filtered

    def refresh_list(self) -> None:
        """Ask for the list again (in the background); ``_loaded`` shows it."""
        self._debounce.stop()
        self._stale = False
        query = self.query()
        if (query.search or "").strip():
            self.study.search.write_pending()  # the reader finds the answers just saved too
        self.loader.request(query)
        if self._codes_stale:
            self._codes_stale = False
            self.loader.request_codes()

    def _loaded(self, ids: list[int], counts: StatusCounts) -> None:
        current = self.current_id()
        scroll = self.table.verticalScrollBar().value()
        same = ids == self.model._ids
        self.model.set_ids(ids)
        keep = self._select_after_load or current
        self._select_after_load = None
        if not same and keep is not None:
            row = self.model.row_of(keep)
            if row is not None:
                self.table.selectRow(row)
                self.table.verticalScrollBar().setValue(scroll)
                self.table.scrollTo(self.model.index(row, 0))
        self._show_counts(counts)

    def _show_counts(self, counts: StatusCounts) -> None:
        total = self.study.organisations.count()
        shown = f"{counts.total:,} organisation{'s' if counts.total != 1 else ''}"
        if self.filtered():
            shown = f"{counts.total:,} of {total:,} organisations"
        text = f"{shown} · {counts.on_database:,} on database · {counts.interviewed:,} interviewed"
        if counts.in_interview:
            text += f" · {counts.in_interview:,} {IN_INTERVIEW}"
        self.counts.setText(text)
        self.counts.setToolTip("\n".join(f"{STATUS_LABELS[s]}: {n:,}" for s, n in counts.by_status.items()))

    def clear_filters(self) -> None:
        for box in (self.category, self.area, self.status, self.disposition, *self.flag_filters.values()):
            box.setCurrentIndex(0)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.refresh_list()

    # --- sorting -------------------------------------------------------------------------------

    def set_order(self, order_by: str, descending: bool) -> None:
        """Sort the list (what a header click or the Sort by drop-down does)."""
        self._order = (order_by, descending)
        header = self.table.horizontalHeader()
        keys = [c[0] for c in COLUMNS]
        if order_by in keys:
            header.setSortIndicator(
                keys.index(order_by), Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            )
        else:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        index = next(i for i, c in enumerate(SORT_CHOICES) if c[1] == order_by)
        self.sort.setCurrentIndex(index)
        self.reverse.setChecked(descending != SORT_CHOICES[index][2])
        self.refresh_list()

    def _header_clicked(self, column: int) -> None:
        key = COLUMNS[column][0]
        if key not in SORTABLE:  # put the indicator back where the order really is
            self.set_order(*self._order)
            return
        descending = not self._order[1] if self._order[0] == key else False
        self.set_order(key, descending)

    def _sort_chosen(self, index: int) -> None:
        _, key, newest_first = SORT_CHOICES[index]
        self.set_order(key, newest_first)  # a new order starts the natural way round

    def _reverse_clicked(self) -> None:
        self.set_order(self._order[0], not self._order[1])

    # --- changes ---------------------------------------------------------------------------------

    def _on_changed(self, kinds: set[str]) -> None:
        if TEMPLATE in kinds:
            self._rebuild_for_template()
        if kinds & DISPOSITION_KINDS:
            self.loader.forget()
            self._codes_stale = True
        if kinds & LIST_KINDS:
            if self.pages.currentWidget() is self.list_page and self.isVisible():
                self.refresh_list()
            else:
                self._stale = True  # asked for when the list is next shown

    def _rebuild_for_template(self) -> None:
        old = {"category": self.category.currentData(), "area": self.area.currentData(),
               "status": self.status.currentData(), "disposition": self.disposition.currentData()}
        self._build_filters()
        for name, value in old.items():
            box = getattr(self, name)
            index = box.findData(value)
            box.setCurrentIndex(max(index, 0))
        self._size_columns()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale and self.pages.currentWidget() is self.list_page:
            self.refresh_list()

    # --- moving about ------------------------------------------------------------------------

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.organisation_id(index.row()) if index.isValid() else None

    def open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_case(self.model.organisation_id(row), self.model.ids)

    def open_case(self, org_id: int, ids: list[int] | None = None) -> None:
        """Show the case form for ``org_id``; Previous/Next walk ``ids`` (the list shown, when
        not given, or just this organisation when it is not in the list)."""
        if ids is None:
            ids = self.model.ids if self.model.row_of(org_id) is not None else [org_id]
        elif org_id not in ids:
            ids = [org_id]
        self.case_form.show_organisation(org_id, list(ids))
        self.pages.setCurrentWidget(self.case_form)
        self.case_form.focus_first()

    def show_list(self) -> None:
        """Back from the case form, with its organisation selected in the list."""
        org_id = self._case_form.org_id if self._case_form is not None else None
        self.pages.setCurrentWidget(self.list_page)
        if org_id is not None:
            row = self.model.row_of(org_id)
            if row is not None:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
            self._select_after_load = org_id
        if self._stale:
            self.refresh_list()
        self.table.setFocus()

    def focus_search(self) -> None:
        if self.pages.currentWidget() is not self.list_page:
            self.show_list()
        self.search.setFocus()
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self._fit_columns()
            return False
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_row(self.table.currentIndex().row())
                return True
            if watched is self.search and key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._debounce.isActive():
                    self.refresh_list()
                self.table.setFocus()
                if not self.table.currentIndex().isValid() and self.model.rowCount():
                    self.table.selectRow(0)
                return True
        return super().eventFilter(watched, event)

    def add_organisation(self) -> None:
        dialog = AddOrganisationDialog(self.study, self)
        dialog.setObjectName("add-organisation")
        dialog.accepted.connect(lambda: self._add(dialog.values()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self._add_dialog = dialog

    def _add(self, values: dict[str, Any]) -> None:
        name = values.pop("name")
        org_id = self.session.call(self.study.organisations.add, name, **values, changes={ORGANISATIONS},
                                   what="the new organisation")
        if org_id is not None:
            self._select_after_load = org_id
            self.open_case(org_id, [org_id])

    def close_study(self) -> None:
        """The study is closing: save what the case form holds, stop the background reader."""
        self._closing = True
        if self._case_form is not None:
            self._case_form.commit_pending()
        self.loader.close()

