"""The Organisations screen: a filtered, sorted list of every organisation, and the case form.

The list is a table model that holds only ids and reads a page of rows when one is drawn,
so it stays smooth on 100,000 organisations. The ids themselves (the filters, the search,
the sort and the counts) are asked of the core on a read-only connection of their own, off
the UI thread, so typing in the search box never waits for a search.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from fieldkit.errors import FieldkitError
from fieldkit.organisations import STATUS_LABELS, STATUSES, Organisation, StatusCounts
from fieldkit.study import Study
from fieldkit.summary import NOT_RECORDED
from fieldkit.ui.case_form import CaseForm
from fieldkit.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
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
from fieldkit.ui.welcome import heading

#: (key, header) of the list's columns.
COLUMNS = (
    ("name", "Organisation"),
    ("category", "Category"),
    ("area", "Area"),
    ("status", "Status"),
    ("phone", "Phone"),
    ("full_interview", "Full interview"),
    ("follow_up", "Follow-up"),
)
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
#: What the model reads at a time, and how many rows it keeps.
PAGE = 100
CACHE_ROWS = 2000
SEARCH_DELAY_MS = 250
# Roles as plain ints, compared on every cell drawn.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole.value
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ACCESSIBLE, _ALIGNMENT})
_CENTRE = Qt.AlignmentFlag.AlignCenter.value
_KEYS = tuple(key for key, _ in COLUMNS)
_FLAG_COLUMNS = frozenset({"full_interview", "follow_up"})
#: The kinds of change that can alter the list.
LIST_KINDS = {ORGANISATIONS, CONTACTS, ATTEMPTS, INTERVIEWS, TEMPLATE}


class OrganisationTableModel(QAbstractTableModel):
    """Rows of organisations for the ids given; only the pages drawn are read from the core."""

    def __init__(self, study: Study, parent: QObject | None = None):
        super().__init__(parent)
        self.study = study
        self._ids: list[int] = []
        self._cache: OrderedDict[int, Organisation] = OrderedDict()
        #: pages read from the core since the model was made (for tests and diagnostics)
        self.pages_read = 0

    # --- the ids ---------------------------------------------------------------------------

    def set_ids(self, ids: list[int]) -> None:
        """Show ``ids``; the same list again only re-reads the rows (selection and scroll stay)."""
        if ids == self._ids:
            self.reload_rows()
            return
        self.beginResetModel()
        self._ids = list(ids)
        self._cache.clear()
        self.endResetModel()

    def reload_rows(self) -> None:
        """Forget the rows read so far: they are read again when drawn."""
        self._cache.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    @property
    def ids(self) -> list[int]:
        """The ids in the order shown (a copy: what the case form walks)."""
        return list(self._ids)

    def organisation_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, org_id: int) -> int | None:
        try:
            return self._ids.index(org_id)
        except ValueError:
            return None

    def organisation(self, row: int) -> Organisation:
        org_id = self._ids[row]
        if org_id not in self._cache:
            start = (row // PAGE) * PAGE
            self.pages_read += 1
            for org in self.study.organisations.many(self._ids[start:start + PAGE]):
                self._cache[org.id] = org
            while len(self._cache) > CACHE_ROWS:
                self._cache.popitem(last=False)
        return self._cache[org_id]

    # --- Qt's model interface --------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's name
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Horizontal and role in (Qt.DisplayRole, Qt.AccessibleTextRole):
            return COLUMNS[section][1]
        return None

    def data(self, index: QModelIndex, role: int = _DISPLAY) -> Any:
        if role not in _ROLES:  # most calls ask for roles the list leaves to the style: answer fast
            return None
        if not index.isValid():
            return None
        role = int(role)
        key = _KEYS[index.column()]
        flag = key in _FLAG_COLUMNS
        if role == _ALIGNMENT:
            return _CENTRE if flag else None
        org = self.organisation(index.row())
        if flag:
            ticked = key in org.flags
            if role == _DISPLAY:
                return "✓" if ticked else ""
            return "Yes" if ticked else "No"
        if key == "status":
            label = STATUS_LABELS[org.status]
            return f"{label}: {org.exclusion_reason}" if org.exclusion_reason else label
        value = getattr(org, key) or ""
        if role == _ACCESSIBLE and not value:
            return "Not recorded"
        if role == _TOOLTIP and key not in ("name", "category"):
            return None
        return value


class ListLoader(QObject):
    """Asks the core for the list's ids and counts off the UI thread; the newest request wins.

    The queries run on a read-only connection of their own (SQLite lets it read while the
    study's own connection writes), so the window stays responsive during a slow search.
    The worker thread never touches Qt: the UI thread polls for the answer while one is
    due, and hands it to ``on_loaded(ids, counts)`` (or ``on_failed(text)``).
    """

    POLL_MS = 10

    def __init__(self, path: Path, on_loaded: Callable[[list[int], StatusCounts], None],
                 on_failed: Callable[[str], None], parent: QObject | None = None):
        super().__init__(parent)
        self._path = path
        self._on_loaded, self._on_failed = on_loaded, on_failed
        self._executor: ThreadPoolExecutor | None = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="fieldkit-list")
        self._reader: Study | None = None
        self._generation = 0
        self._pending: Future | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._check)

    @property
    def busy(self) -> bool:
        """True while the newest request has not been answered."""
        return self._pending is not None

    def request(self, query: dict[str, Any]) -> None:
        """Run ``organisations.ids_with_counts(**query)`` in the background."""
        if self._executor is None:
            return
        self._generation += 1
        self._pending = self._executor.submit(self._run, self._generation, dict(query))
        self._poll.start()

    def _run(self, generation: int, query: dict[str, Any]) -> Any:
        if generation != self._generation:
            return None  # overtaken before it started: its answer would be thrown away
        if self._reader is None:
            self._reader = Study.open(self._path, read_only=True)
        return self._reader.organisations.ids_with_counts(**query)

    def _check(self) -> None:
        future = self._pending
        if future is None or not future.done():
            return
        self._pending = None
        self._poll.stop()
        try:
            ids, counts = future.result()
        except FieldkitError as e:
            self._on_failed(str(e))
            return
        self._on_loaded(ids, counts)

    def wait(self) -> None:
        """Block until the newest request is answered and handed on (for scripts and tests)."""
        if self._pending is not None:
            wait([self._pending])
            self._check()

    def close(self) -> None:
        """Wait for a running query, then close the reading connection."""
        if self._executor is None:
            return
        self._generation += 1
        self._poll.stop()
        self._pending = None
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None


def _combo(name: str, items: list[tuple[str, Any]]) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    for text, value in items:
        box.addItem(text, value)
    box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
    return box


def _labelled(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


class AddOrganisationDialog(QDialog):
    """Name, category and area of a new organisation; the case form takes the rest."""

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add an organisation")
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        self.category = _combo("Category", [("", None)] + [(c, c) for c in study.template.categories])
        self.area = _combo("Area", [("", None)] + [(a, a) for a in study.template.areas])
        form.addRow("&Name", self.name)
        form.addRow("&Category", self.category)
        form.addRow("&Area", self.area)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Add")
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
        self._select_after_load: int | None = None

        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        self.list_page = QWidget()
        self.pages.addWidget(self.list_page)
        self.case_form = CaseForm(session, window, self)
        self.case_form.back_requested.connect(self.show_list)
        self.pages.addWidget(self.case_form)

        self.model = OrganisationTableModel(self.study, self)
        self.loader = ListLoader(self.study.path, self._loaded,
                                 lambda text: self.counts.setText(f"Cannot list the organisations: {text}"), self)
        self._build_list_page()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.refresh_list)
        self.search.textChanged.connect(self._debounce.start)
        session.changed.connect(self._on_changed)
        # The first list is read here and now (tens of milliseconds even for 100,000
        # organisations), so the screen never opens empty; later ones in the background.
        self._loaded(*self.study.organisations.ids_with_counts(**self.query()))

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
        top.addWidget(self.counts, 0, Qt.AlignBottom)
        layout.addLayout(top)

        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names, places, people, phone numbers and answers")
        self.search.setAccessibleName("Search organisations")
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        row.addWidget(_labelled("&Search", self.search))
        row.addWidget(self.search, 1)
        self.sort = _combo("Sort by", [(label, (key, desc)) for label, key, desc in SORT_CHOICES])
        self.sort.activated.connect(self._sort_chosen)
        row.addWidget(_labelled("S&ort by", self.sort))
        row.addWidget(self.sort)
        self.reverse = QPushButton("Reverse")
        self.reverse.setCheckable(True)
        self.reverse.setAccessibleName("Reverse the order")
        self.reverse.clicked.connect(self._reverse_clicked)
        row.addWidget(self.reverse)
        self.add_button = QPushButton("&Add organisation…")
        self.add_button.clicked.connect(self.add_organisation)
        row.addWidget(self.add_button)
        layout.addLayout(row)

        self.filters_row = QGridLayout()
        layout.addLayout(self.filters_row)
        self._build_filters()

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Organisations")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.Fixed)  # no measuring of rows: that would read them all
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.AscendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        self._size_columns()
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.installEventFilter(self)
        layout.addWidget(self.table, 1)

    def _build_filters(self) -> None:
        """Category, area and status on the first line; one drop-down per flag on the second."""
        grid = self.filters_row
        while grid.count():
            item = grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        template = self.study.template
        not_recorded = [(NOT_RECORDED, "")]
        self.category = _combo("Category filter", [("All categories", None)]
                               + [(c, c) for c in template.categories] + not_recorded)
        self.area = _combo("Area filter", [("All areas", None)] + [(a, a) for a in template.areas] + not_recorded)
        self.status = _combo("Status filter", [("All statuses", None)] + [(STATUS_LABELS[s], s) for s in STATUSES])
        self.flag_filters: dict[str, QComboBox] = {}
        line = QHBoxLayout()
        for text, box in (("&Category", self.category), ("A&rea", self.area), ("Stat&us", self.status)):
            line.addWidget(_labelled(text, box))
            line.addWidget(box)
            line.addSpacing(8)
            box.activated.connect(self.refresh_list)
        line.addStretch(1)
        self.clear_button = QPushButton("C&lear filters")
        self.clear_button.clicked.connect(self.clear_filters)
        line.addWidget(self.clear_button)
        holder = QWidget()
        holder.setLayout(line)
        line.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(holder, 0, 0)
        flags = QHBoxLayout()
        flags.setContentsMargins(0, 0, 0, 0)
        for flag in template.flag_ids():
            label = template.flag_label(flag)
            box = _combo(f"Filter: {label}", [("Any", None), ("Ticked", True), ("Not ticked", False)])
            box.setToolTip(label)
            box.activated.connect(self.refresh_list)
            self.flag_filters[flag] = box
            flags.addWidget(_labelled(label, box))
            flags.addWidget(box)
            flags.addSpacing(8)
        flags.addStretch(1)
        holder = QWidget()
        holder.setLayout(flags)
        grid.addWidget(holder, 1, 0)
        chain = [self.add_button, self.category, self.area, self.status, *self.flag_filters.values(),
                 self.clear_button] + ([self.table] if hasattr(self, "table") else [])
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)

    def _size_columns(self) -> None:
        """Widths from the vocabularies, not the rows: measuring rows would read them all."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        template = self.study.template

        def width(texts, cap: int) -> int:
            return min(max([metrics.horizontalAdvance(t) for t in texts] + [60]) + 24, cap)

        widths = {"category": width(template.categories, 210), "area": width(template.areas, 130),
                  "status": width(STATUS_LABELS.values(), 150), "phone": metrics.horizontalAdvance("0121 496 0000") + 24}
        header.setMinimumSectionSize(40)
        for column, (key, title) in enumerate(COLUMNS):
            if key == "name":
                continue
            header.setSectionResizeMode(column, QHeaderView.Interactive)
            header.resizeSection(column, widths.get(key, metrics.horizontalAdvance(title) + 28))
        header.setSectionResizeMode(0, QHeaderView.Stretch)

    # --- the query -------------------------------------------------------------------------

    def query(self) -> dict[str, Any]:
        """What the filters, search box and sort ask for, as ``ids_with_counts`` arguments."""
        flags = [f for f, box in self.flag_filters.items() if box.currentData() is True]
        without = [f for f, box in self.flag_filters.items() if box.currentData() is False]
        order_by, descending = self._order
        return {"category": self.category.currentData(), "area": self.area.currentData(),
                "status": self.status.currentData(), "flags": flags, "without_flags": without,
                "search": self.search.text(), "order_by": order_by, "descending": descending}

    def filtered(self) -> bool:
        q = self.query()
        return any(q[k] is not None for k in ("category", "area", "status")) or bool(
            q["flags"] or q["without_flags"] or q["search"].strip())

    def refresh_list(self) -> None:
        """Ask for the list again (in the background); ``_loaded`` shows it."""
        self._debounce.stop()
        self._stale = False
        self.loader.request(self.query())

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
        self.counts.setText(f"{shown} · {counts.on_database:,} on database · {counts.interviewed:,} interviewed")
        self.counts.setToolTip("\n".join(f"{STATUS_LABELS[s]}: {n:,}" for s, n in counts.by_status.items()))

    def clear_filters(self) -> None:
        for box in (self.category, self.area, self.status, *self.flag_filters.values()):
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
            header.setSortIndicator(keys.index(order_by), Qt.DescendingOrder if descending else Qt.AscendingOrder)
        else:
            header.setSortIndicator(-1, Qt.AscendingOrder)
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
        if kinds & LIST_KINDS:
            if self.pages.currentWidget() is self.list_page and self.isVisible():
                self.refresh_list()
            else:
                self._stale = True  # asked for when the list is next shown

    def _rebuild_for_template(self) -> None:
        old = {"category": self.category.currentData(), "area": self.area.currentData()}
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
        org_id = self.case_form.org_id
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
        if event.type() == QEvent.KeyPress:
            key = event.key()
            if watched is self.table and key in (Qt.Key_Return, Qt.Key_Enter):
                self.open_row(self.table.currentIndex().row())
                return True
            if watched is self.search and key in (Qt.Key_Down, Qt.Key_Return, Qt.Key_Enter):
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
        self.case_form.commit_pending()
        self.loader.close()

