"""The organisations list: a table model that holds ids and fetches rows as they are drawn."""

from __future__ import annotations

from collections import OrderedDict

from fieldkit.organisations import STATUS_LABELS, Organisation
from fieldkit import summary
from fieldkit.study import Study
from fieldkit.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    Qt,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import StudySession
from fieldkit.ui.welcome import heading

COLUMNS = (
    ("name", "Organisation"),
    ("category", "Category"),
    ("area", "Area"),
    ("status", "Status"),
    ("full_interview", "Full interview"),
    ("follow_up", "Follow-up"),
)
_PAGE = 200
_CACHE_ROWS = 2000


class OrganisationTableModel(QAbstractTableModel):
    """Rows of organisations for the ids given; only the rows on screen are read."""

    def __init__(self, study: Study, parent=None):
        super().__init__(parent)
        self.study = study
        self._ids: list[int] = []
        self._cache: OrderedDict[int, Organisation] = OrderedDict()

    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids = list(ids)
        self._cache.clear()
        self.endResetModel()

    def organisation_id(self, row: int) -> int:
        return self._ids[row]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return COLUMNS[section][1]
        return None

    def _row(self, row: int) -> Organisation:
        org_id = self._ids[row]
        if org_id not in self._cache:
            start = (row // _PAGE) * _PAGE
            page = self._ids[start:start + _PAGE]
            for org in self.study.organisations.many(page):
                self._cache[org.id] = org
            while len(self._cache) > _CACHE_ROWS:
                self._cache.popitem(last=False)
        return self._cache[org_id]

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.CheckStateRole, Qt.ToolTipRole):
            return None
        key = COLUMNS[index.column()][0]
        org = self._row(index.row())
        if key in ("full_interview", "follow_up"):
            if role == Qt.CheckStateRole:
                return Qt.Checked if key in org.flags else Qt.Unchecked
            return None
        if role == Qt.CheckStateRole or (role == Qt.ToolTipRole and key not in ("status", "name", "category")):
            return None
        if key == "status":
            label = STATUS_LABELS[org.status]
            return f"{label}: {org.exclusion_reason}" if org.exclusion_reason else label
        return getattr(org, key) or ""


class OrganisationsScreen(QWidget):
    """Overview of an open study: its numbers, a searchable organisation list, a summary."""

    def __init__(self, session: StudySession, window=None):
        super().__init__(window)
        self.session = session
        self.window_ = window
        study = self.study = session.study
        layout = QVBoxLayout(self)
        layout.addWidget(heading(study.title))
        details = " · ".join(x for x in (f"Client: {study.client}" if study.client else "",
                                          f"Author: {study.author}" if study.author else "") if x)
        self.details = QLabel(details or study.template.title)
        layout.addWidget(self.details)
        self.counts = QLabel()
        self.counts.setAccessibleName("Study counts")
        layout.addWidget(self.counts)

        layout = layout
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search organisations, contacts and answers")
        self.search.setAccessibleName("Search organisations")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.model = OrganisationTableModel(study, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self._size_columns()
        self.table.setAccessibleName("Organisations")
        layout.addWidget(self.table, 1)

        self.summary = QTableWidget()
        self.summary.setAccessibleName("Organisations by category")
        self.summary.verticalHeader().setVisible(False)
        self.summary.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.summary.setEditTriggers(QAbstractItemView.NoEditTriggers)
        layout.addWidget(self.summary)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh_list)
        self.search.textChanged.connect(self._debounce.start)
        self.refresh()

    def _size_columns(self) -> None:
        """Widths from the vocabularies, not the rows: measuring rows would read them all."""
        from fieldkit.organisations import STATUS_LABELS

        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        template = self.study.template

        def width(texts, cap: int) -> int:
            return min(max([metrics.horizontalAdvance(t) for t in texts] + [60]) + 24, cap)

        widths = {1: width(template.categories, 200), 2: width(template.areas, 130),
                  3: width(STATUS_LABELS.values(), 160)}
        for column in range(1, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.Interactive)
            title = self.model.headerData(column, Qt.Horizontal)
            header.resizeSection(column, widths.get(column, metrics.horizontalAdvance(title) + 24))
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setMinimumSectionSize(48)

    def refresh_list(self) -> None:
        self.model.set_ids(self.study.organisations.ids(search=self.search.text()))

    def refresh(self) -> None:
        self.refresh_list()
        m = summary.method(self.study)
        self.counts.setText(f"{m.total} organisations · {m.on_database} on database · "
                            f"{m.interviewed} interviewed · {m.excluded} excluded · "
                            f"{len(self.study.attempts.callbacks())} call-backs open")
        s = summary.by_group(self.study, "category")
        has_targets = any(r.target is not None for r in s.rows)
        heads = ["Category", "On database", "Interviewed"] + (["Target"] if has_targets else [])
        self.summary.setColumnCount(len(heads))
        self.summary.setHorizontalHeaderLabels(heads)
        rows = s.rows + [s.total]
        self.summary.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = [r.group, r.on_database, r.interviewed] + ([r.target if r.target is not None else ""]
                                                              if has_targets else [])
            for j, v in enumerate(values):
                item = QTableWidgetItem(str(v))
                if j:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.summary.setItem(i, j, item)
        header = self.summary.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for column in range(1, len(heads)):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        # Tall enough for every row, no taller: the organisation list gets the rest.
        self.summary.setFixedHeight(self.summary.horizontalHeader().height() + 4 + sum(
            self.summary.rowHeight(i) for i in range(self.summary.rowCount())))

    def open_case(self, org_id: int, ids: list[int] | None = None) -> None:
        """Placeholder until the case form exists: select the organisation in the list."""
        if org_id in self.model._ids:
            self.table.selectRow(self.model._ids.index(org_id))

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
