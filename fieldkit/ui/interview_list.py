"""The list of a study's interviews: who, when, how, by whom, how each ended (in interview,
complete, partial, break-off) and its paradata (when it began, its length, its sittings).
Resume any; a broken-off one is taken up again after asking.

It shows what ``Interviews.listing`` returns and nothing else: no answers, and never
anything from the comment pool.
"""

from __future__ import annotations

import datetime as dt

from fieldkit.callback_times import format_when
from fieldkit.collation import sort_key
from fieldkit.fieldwork import RESULT_CODES, RESULT_LABELS
from fieldkit.interviews import MODE_LABELS, InterviewRow
from fieldkit.study import Study
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
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


#: Unknown paradata (an interview recorded before fieldkit kept it).
UNKNOWN = "—"
IN_INTERVIEW = "In interview"


def result_label(result: str | None) -> str:
    """"In interview" (no result yet), "Complete", "Partial" or "Break-off"."""
    return IN_INTERVIEW if result is None else RESULT_LABELS.get(result, result)


def started_text(iso: str | None) -> str:
    """When the first sitting began, "Tue 24 Nov, 10:00" (the year when not this one), or "—"."""
    if not iso:
        return UNKNOWN
    try:
        return format_when(iso, year=None)
    except ValueError:
        return iso


def length_text(seconds: int | None) -> str:
    """Time spent in the sittings in minutes, "35 min" ("<1 min" under one), or "—" unknown."""
    if seconds is None:
        return UNKNOWN
    if 0 < seconds < 60:
        return "<1 min"
    return f"{round(seconds / 60)} min"


def paradata_words(started: str | None, sittings: int | None, seconds: int | None) -> str:
    """"Started Tue 24 Nov, 10:00 · 2 sittings · 35 min", leaving out what is unknown."""
    parts = []
    if started:
        parts.append(f"Started {started_text(started)}")
    if sittings:
        parts.append(f"{sittings} sitting{'s' if sittings != 1 else ''}")
    if seconds is not None and sittings:
        parts.append(length_text(seconds))
    return " · ".join(parts)


#: The list's filters: words, and which results they keep (None: all).
FILTERS = (
    ("All interviews", None),
    ("In interview", (None,)),
    ("Finished", ("complete", "partial")),
    ("Broken off", ("break_off",)),
)


def counts_words(rows: list[InterviewRow]) -> str:
    """"12 interviews · 9 finished (7 complete, 2 partial) · 2 in interview · 1 broken off"."""
    by = {result: sum(1 for r in rows if r.result == result) for result in (None, "complete", "partial", "break_off")}
    total, finished = len(rows), by["complete"] + by["partial"]
    return (f"{total} interview{'s' if total != 1 else ''} · {finished} finished ({by['complete']} complete, "
            f"{by['partial']} partial) · {by[None]} in interview · {by['break_off']} broken off")


class InterviewListModel(QAbstractTableModel):
    """Interviews as the core lists them: organisation, date, mode, interviewer, result, and
    the paradata (started, length, sittings, attempts before it began)."""

    HEADS = ("Organisation", "Date", "Mode", "Interviewer", "Result", "Started", "Length", "Sittings",
             "Attempts before")
    RESULT, STARTED, LENGTH, SITTINGS, ATTEMPTS = 4, 5, 6, 7, 8

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
        column = index.column()
        if role in (Qt.DisplayRole, Qt.AccessibleTextRole):
            return (row.organisation, day(row.date), MODE_LABELS.get(row.mode, row.mode), row.interviewer,
                    result_label(row.result), started_text(row.started), length_text(row.seconds),
                    UNKNOWN if row.sittings is None else str(row.sittings), str(row.attempts_before))[column]
        if role == Qt.ToolTipRole and column == self.RESULT:
            if row.result is None:
                return "Under way: not finished yet"
            ended = "Broken off" if row.result == "break_off" else "Finished"
            return (f"{result_label(row.result)} (AAPOR {RESULT_CODES.get(row.result, '?')}); "
                    f"{ended.lower()} {day(row.completed)}" if row.completed else result_label(row.result))
        if role == Qt.ToolTipRole and column == self.STARTED and row.started:
            return format_when(row.started)
        if role == Qt.ToolTipRole and column in (self.LENGTH, self.SITTINGS) and row.seconds is None:
            return "Not known: recorded before fieldkit kept the time spent"
        if role == Qt.ToolTipRole and column == self.ATTEMPTS:
            return "Attempts to reach the organisation up to when the interview began"
        if role == Qt.TextAlignmentRole and column in (self.LENGTH, self.SITTINGS, self.ATTEMPTS):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return self.HEADS[section]
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        results = (None, "complete", "partial", "break_off")
        keys = (lambda r: sort_key(r.organisation), lambda r: (r.date, r.id), lambda r: r.mode,
                lambda r: sort_key(r.interviewer),
                lambda r: (results.index(r.result) if r.result in results else 9, r.date),
                lambda r: (r.started or "", r.id), lambda r: (r.seconds is not None, r.seconds or 0),
                lambda r: (r.sittings is not None, r.sittings or 0), lambda r: r.attempts_before)
        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=keys[column], reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


class InterviewList(QWidget):
    """Counts, a name filter, in interview / finished / broken off, the table, Resume and Open buttons."""

    FILTERS = FILTERS
    EMPTY = ("No interviews here yet. Start one from an organisation's case form or from Call-backs; it stays "
             "listed here, in interview and once finished.")
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
        self.filter = ComboBox()
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
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(InterviewListModel.HEADS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _index: self.resume_selected())
        self.table.activated.connect(lambda _index: self.resume_selected())
        layout.addWidget(self.table, 1)
        self.empty = QLabel(self.EMPTY)
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
        self.table.selectionModel().currentRowChanged.connect(lambda _current, _previous: self._name_resume())
        self.reload()

    def reload(self) -> None:
        interviews = self.study.interviews
        every = interviews.listing()
        name = self.search.text()
        rows = interviews.listing(name=name) if name.strip() else list(every)
        kept = self.FILTERS[self.filter.currentIndex()][1]
        if kept is not None:
            rows = [r for r in rows if r.result in kept]
        self.model.set_rows(rows)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.counts.setText(counts_words(every))
        self.empty.setText(self.EMPTY if not every else "No interviews match the name and the filter chosen.")
        self.empty.setVisible(not rows)
        for button in (self.resume_button, self.open_button):
            button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)
        self._name_resume()

    def _name_resume(self) -> None:
        """Resume, or for a broken-off interview "Take up again…" (it asks first)."""
        row = self.selected()
        broken = row is not None and row.result == "break_off"
        self.resume_button.setText("&Take up again…" if broken else "&Resume interview")
        self.resume_button.setToolTip("Take the broken-off interview up again: it is back in interview"
                                      if broken else "Go on with the interview where it was left")

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
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
