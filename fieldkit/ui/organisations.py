"""The organisations list: a table model that holds ids and fetches rows as they are drawn."""

from __future__ import annotations

from collections import OrderedDict

from fieldkit.organisations import STATUS_LABELS, Organisation
from fieldkit.study import Study
from fieldkit.ui.qt import QAbstractTableModel, QModelIndex, Qt

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
