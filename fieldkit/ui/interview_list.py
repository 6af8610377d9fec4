"""The list of a study's interviews: who, when, how, by whom, finished or not. Resume any.

It shows what ``Interviews.listing`` returns and nothing else: no answers, and never
anything from the comment pool.
"""

from __future__ import annotations

import datetime as dt

from fieldkit.interviews import MODE_LABELS, InterviewRow
from fieldkit.study import Study
from fieldkit.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QObject,
    QPushButton,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.welcome import heading


def day(iso: str | None) -> str:
    """An ISO date (or date-time) as "3 Nov 2026"."""
    if not iso:
        return ""
    try:
        value = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{value.day} {value:%b %Y}"


class InterviewListModel(QAbstractTableModel):
    """Interviews as the core lists them: organisation, date, mode, interviewer, state."""

    HEADS = ("Organisation", "Date", "Mode", "Interviewer", "State")

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.rows: list[InterviewRow] = []

    def set_rows(self, rows: list[InterviewRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 - Qt's names
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADS)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.DisplayRole, Qt.AccessibleTextRole):
            return (row.organisation, day(row.date), MODE_LABELS.get(row.mode, row.mode), row.interviewer,
                    "Completed" if row.completed else "In progress")[index.column()]
        if role == Qt.ToolTipRole and index.column() == 4 and row.completed:
            return f"Completed {day(row.completed)}"
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return self.HEADS[section]
        return None

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        keys = (lambda r: r.organisation.casefold(), lambda r: (r.date, r.id), lambda r: r.mode,
                lambda r: r.interviewer.casefold(), lambda r: (r.completed is not None, r.date))
        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=keys[column], reverse=order == Qt.DescendingOrder)
        self.layoutChanged.emit()


class InterviewList(QWidget):
    """Counts, a name filter, in progress / completed, the table, Resume and Open buttons."""

    FILTERS = (("All interviews", None), ("In progress", False), ("Completed", True))
    #: interview id
    resume_requested = Signal(int)
    #: organisation id
    open_requested = Signal(int)

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(heading("Interviews"))
        top.addStretch(1)
        self.counts = QLabel()
        self.counts.setAccessibleName("Interview counts")
        top.addWidget(self.counts)
        layout.addLayout(top)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Last action")
        self.message.hide()
        layout.addWidget(self.message)

        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Organisation name")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find an organisation's interviews")
        self.filter = QComboBox()
        self.filter.setAccessibleName("Show")
        for text, _ in self.FILTERS:
            self.filter.addItem(text)
        for text, widget in (("&Find:", self.search), ("&Show:", self.filter)):
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget)
        filters.addStretch(1)
        layout.addLayout(filters)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda: self._search_timer.start())
        self.filter.currentIndexChanged.connect(self.reload)

        self.model = InterviewListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Interviews")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(1, Qt.DescendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        self.table.doubleClicked.connect(lambda _index: self.resume_selected())
        self.table.activated.connect(lambda _index: self.resume_selected())
        layout.addWidget(self.table, 1)
        self.empty = QLabel("No interviews here yet. Start one from an organisation's case form or from "
                            "Call-backs; it stays listed here, in progress and once finished.")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)
        buttons = QHBoxLayout()
        self.resume_button = QPushButton("&Resume interview")
        self.resume_button.clicked.connect(self.resume_selected)
        self.open_button = QPushButton("Open the &organisation")
        self.open_button.clicked.connect(self.open_selected)
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        interviews = self.study.interviews
        rows = interviews.listing(completed=self.FILTERS[self.filter.currentIndex()][1], name=self.search.text())
        self.model.set_rows(rows)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        total, done = interviews.count(), interviews.count(completed=True)
        self.counts.setText(f"{total} interview{'s' if total != 1 else ''} · {done} completed · "
                            f"{total - done} in progress")
        self.empty.setVisible(not rows)
        for button in (self.resume_button, self.open_button):
            button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)

    def say(self, message: str) -> None:
        """Show what just happened (an interview left or finished) above the list."""
        self.message.setText(message)
        self.message.setVisible(bool(message))

    def selected(self) -> InterviewRow | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def resume_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.resume_requested.emit(row.id)

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_requested.emit(row.organisation_id)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.ShortcutFocusReason)
        self.search.selectAll()
