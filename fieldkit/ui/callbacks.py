"""Call-backs: who to phone now. Overdue, later today and upcoming, each with the number to
ring, who to ask for, how the last attempt went; and from one, log the attempt (Enter), start
the interview (Ctrl+I) or open the case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fieldkit.attempts import CallBack
from fieldkit.ui.qt import (
    QAbstractItemView,
    QBrush,
    QCheckBox,
    QColor,
    QComboBox,
    QDateTimeEdit,
    QEvent,
    QFont,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPalette,
    QPushButton,
    QShortcut,
    Qt,
    QTimer,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import StudySession
from fieldkit.ui.welcome import heading

RELEVANT = {"attempts", "organisations", "interviews", "contacts", "template"}
COLUMNS = ("Due", "Organisation", "Ask for", "Phone", "Last attempt")
GROUPS = (("overdue", "Overdue"), ("today", "Later today"), ("upcoming", "Upcoming"))
_CALLBACK = Qt.UserRole
OVERDUE_COLOUR = "#a4262c"


def due_text(due: dt.datetime, now: dt.datetime) -> str:
    """When a call-back is due, in the words a researcher uses: "Today 15:30", "Mon 24 Nov 10:00"."""
    days = (due.date() - now.date()).days
    time = due.strftime("%H:%M")
    named = {0: "Today", -1: "Yesterday", 1: "Tomorrow"}
    if days in named:
        return f"{named[days]} {time}"
    year = f" {due.year}" if due.year != now.year else ""
    return f"{due:%a} {due.day} {due:%b}{year} {time}"


def next_working_morning(now: dt.datetime) -> dt.datetime:
    """The default call-back: the next weekday at 10:00."""
    day = now.date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10, 0))


class CallbacksScreen(QWidget):
    """Open call-backs grouped around now, with the one-step actions a researcher needs."""

    def __init__(self, session: StudySession, window=None):
        super().__init__(window)
        self.session = session
        self.window_ = window
        #: the clock the groups are drawn against (tests set a fixed one)
        self.now: Callable[[], dt.datetime] = dt.datetime.now
        self._callbacks: list[CallBack] = []
        self._shown_org: int | None = None

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Call-backs"))
        self.summary = QLabel()
        self.summary.setAccessibleName("Call-backs due")
        layout.addWidget(self.summary)

        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Open call-backs")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(14)
        self.tree.setStyleSheet("QTreeView::item { padding: 3px 0px; }")
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.Interactive)
        self.tree.currentItemChanged.connect(lambda *_: self._show_selected())
        self.tree.itemDoubleClicked.connect(lambda item, _: self.open_case() if item.data(0, _CALLBACK) else None)
        self.tree.installEventFilter(self)
        layout.addWidget(self.tree, 1)

        self.empty = QLabel("No call-backs are open. Log an attempt with a call-back time on a case "
                            "and it appears here.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setAccessibleName("No call-backs")
        layout.addWidget(self.empty, 1)

        layout.addWidget(self._build_panel())

        QShortcut(QKeySequence("Ctrl+I"), self, self.start_interview, context=Qt.WidgetWithChildrenShortcut)
        self.setTabOrder(self.tree, self.outcome)
        self.setTabOrder(self.outcome, self.callback_on)
        self.setTabOrder(self.callback_on, self.callback_at)
        self.setTabOrder(self.callback_at, self.note)
        self.setTabOrder(self.note, self.log_button)
        self.setTabOrder(self.log_button, self.interview_button)
        self.setTabOrder(self.interview_button, self.case_button)

        self._timer = QTimer(self)  # the groups move as the day goes on
        self._timer.setInterval(60_000)
        self._timer.timeout.connect(lambda: self.refresh() if self.isVisible() else None)
        self._timer.start()
        self._logging = False
        session.changed.connect(lambda kinds: self.refresh() if kinds & RELEVANT and not self._logging else None)
        self.refresh()

    # --- building --------------------------------------------------------------------------

    def _build_panel(self) -> QFrame:
        panel = QFrame()
        panel.setFrameShape(QFrame.StyledPanel)
        grid = QGridLayout(panel)
        self.selected = heading("", 1.15)
        self.selected.setAccessibleName("Selected call-back")
        self.selected_detail = QLabel()
        self.selected_detail.setAccessibleName("Selected call-back details")
        self.selected_detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        grid.addWidget(self.selected, 0, 0, 1, 7)
        grid.addWidget(self.selected_detail, 1, 0, 1, 7)

        self.outcome = QComboBox()
        self.outcome.setAccessibleName("Outcome")
        outcome_label = QLabel("O&utcome")
        outcome_label.setBuddy(self.outcome)
        self.callback_on = QCheckBox("&Call back at")
        self.callback_on.setAccessibleName("Call back")
        self.callback_at = QDateTimeEdit()
        self.callback_at.setAccessibleName("Call-back time")
        self.callback_at.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.callback_at.setCalendarPopup(True)
        self.callback_at.setEnabled(False)
        self.callback_on.toggled.connect(self.callback_at.setEnabled)
        self.note = QLineEdit()
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("What happened (optional)")
        note_label = QLabel("&Note")
        note_label.setBuddy(self.note)
        self.log_button = QPushButton("&Log attempt")
        self.log_button.setToolTip("Log the attempt (Enter)")
        self.log_button.setDefault(False)
        self.log_button.clicked.connect(self.log_attempt)
        for widget in (self.outcome, self.callback_on, self.callback_at, self.note):
            widget.installEventFilter(self)
        self.note.returnPressed.connect(self.log_attempt)

        grid.addWidget(outcome_label, 2, 0)
        grid.addWidget(self.outcome, 2, 1)
        grid.addWidget(self.callback_on, 2, 2)
        grid.addWidget(self.callback_at, 2, 3)
        grid.addWidget(note_label, 2, 4)
        grid.addWidget(self.note, 2, 5)
        grid.addWidget(self.log_button, 2, 6)
        grid.setColumnStretch(5, 1)

        actions = QHBoxLayout()
        self.interview_button = QPushButton("Start &interview")
        self.interview_button.setToolTip("Start the interview with this organisation (Ctrl+I)")
        self.interview_button.clicked.connect(self.start_interview)
        self.case_button = QPushButton("&Open case")
        self.case_button.setToolTip("Open the organisation's case form (or double-click the row)")
        self.case_button.clicked.connect(self.open_case)
        hint = QLabel("Enter logs the attempt · Ctrl+I starts the interview · Esc goes back to the list")
        hint.setForegroundRole(QPalette.PlaceholderText)
        actions.addWidget(hint, 1)
        actions.addWidget(self.interview_button)
        actions.addWidget(self.case_button)
        grid.addLayout(actions, 3, 0, 1, 7)
        self._controls = (self.outcome, self.callback_on, self.note, self.log_button,
                          self.interview_button, self.case_button)
        return panel

    def refresh(self) -> None:
        """Redraw the groups around ``now()``, keeping the selected organisation selected."""
        current = self.current()
        self._fill(keep_org=current.organisation_id if current else None)

    def _fill(self, *, keep_org: int | None = None, keep_row: int | None = None) -> None:
        study = self.session.study
        now = self.now()
        due = study.attempts.callbacks_due(now)
        outcomes = list(study.template.outcomes)
        if [self.outcome.itemText(i) for i in range(self.outcome.count())] != outcomes:
            chosen = self.outcome.currentText()
            self.outcome.clear()
            self.outcome.addItems(outcomes)
            if chosen in outcomes:
                self.outcome.setCurrentText(chosen)

        counts = [(len(due.overdue), "overdue"), (len(due.today), "later today"), (len(due.upcoming), "upcoming")]
        self.summary.setText(" · ".join(f"{n} {words}" for n, words in counts) if len(due) else "")
        self.tree.blockSignals(True)
        self.tree.clear()
        self._callbacks = []
        select: QTreeWidgetItem | None = None
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for key, title in GROUPS:
            items: list[CallBack] = getattr(due, key)
            if not items:
                continue
            group = QTreeWidgetItem([f"{title} ({len(items)})"])
            group.setFlags(Qt.ItemIsEnabled)
            group.setFont(0, bold)
            if key == "overdue":
                group.setForeground(0, QBrush(QColor(OVERDUE_COLOUR)))
            self.tree.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            for cb in items:
                last = cb.outcome + (f": {' '.join(cb.note.split())}" if cb.note else "")
                item = QTreeWidgetItem([due_text(cb.due, now), cb.organisation_name, cb.contact or "",
                                        cb.phone or "", last])
                item.setData(0, _CALLBACK, cb)
                item.setToolTip(1, cb.organisation_name)
                item.setToolTip(4, last)
                group.addChild(item)
                if cb.organisation_id == keep_org:
                    select = item
                if keep_row is not None and len(self._callbacks) == keep_row:
                    select = select or item
                self._callbacks.append(cb)
            group.setExpanded(True)
        if select is None and keep_row is not None and self._callbacks:
            select = self._item_at(len(self._callbacks) - 1)
        if select is None and self._callbacks:
            select = self._item_at(0)
        if select is not None:
            self.tree.setCurrentItem(select)
        self.tree.blockSignals(False)
        self._size_columns()
        has_any = bool(self._callbacks)
        self.tree.setVisible(has_any)
        self.empty.setVisible(not has_any)
        self._show_selected()

    def _size_columns(self) -> None:
        """Each column as wide as its widest entry (within reason); the last attempt takes the rest."""
        metrics = self.tree.fontMetrics()
        caps = {0: 170, 1: 320, 2: 190, 3: 140}
        for column, cap in caps.items():
            texts = [COLUMNS[column]] + [self._item_at(i).text(column) for i in range(len(self._callbacks))]
            widest = max(metrics.horizontalAdvance(t) for t in texts) + 20 + (self.tree.indentation() if column == 0 else 0)
            self.tree.setColumnWidth(column, min(widest, cap))

    def _item_at(self, flat: int) -> QTreeWidgetItem | None:
        seen = 0
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            if flat < seen + group.childCount():
                return group.child(flat - seen)
            seen += group.childCount()
        return None

    # --- the selected call-back --------------------------------------------------------------

    def current(self) -> CallBack | None:
        item = self.tree.currentItem()
        return item.data(0, _CALLBACK) if item is not None else None

    def _current_row(self) -> int | None:
        cb = self.current()
        return None if cb is None else self._callbacks.index(cb)

    def _show_selected(self) -> None:
        cb = self.current()
        org = cb.organisation_id if cb is not None else None
        if org != self._shown_org:  # a note or call-back typed for one organisation is not for the next
            self._shown_org = org
            self.note.clear()
            self.callback_on.setChecked(False)
        for widget in self._controls:
            widget.setEnabled(cb is not None)
        self.callback_at.setEnabled(cb is not None and self.callback_on.isChecked())
        if cb is None:
            self.selected.setText("No call-back selected")
            self.selected_detail.setText("Choose a call-back in the list to log the attempt or start the interview.")
            return
        self.selected.setText(cb.organisation_name)
        parts = [f"Due {due_text(cb.due, self.now())}"]
        if cb.contact:
            parts.append(f"ask for {cb.contact}")
        if cb.phone:
            parts.append(cb.phone)
        parts.append(f"last: {cb.outcome}" + (f" — {' '.join(cb.note.split())}" if cb.note else ""))
        self.selected_detail.setText(" · ".join(parts))
        if not self.callback_on.isChecked():
            self.callback_at.setDateTime(next_working_morning(self.now()))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter):
            if event.modifiers() & Qt.ControlModifier:
                return False
            if watched is self.tree:
                if self.current() is not None:
                    self.outcome.setFocus(Qt.TabFocusReason)
                return True
            if watched is self.outcome and self.outcome.view().isVisible():
                return False  # Enter picks from the open list
            self.log_attempt()
            return True
        if event.type() == QEvent.KeyPress and event.key() == Qt.Key_Escape and watched is not self.tree:
            self.tree.setFocus(Qt.OtherFocusReason)
            return True
        return super().eventFilter(watched, event)

    # --- actions -----------------------------------------------------------------------------

    def log_attempt(self) -> bool:
        """Log the attempt for the selected call-back from the row of fields; True if stored."""
        cb = self.current()
        if cb is None:
            return False
        attempts = self.session.study.attempts
        fields = {
            "outcome": self.outcome.currentText(),
            "note": self.note.text().strip() or None,
            "callback_at": self.callback_at.dateTime().toPython() if self.callback_on.isChecked() else None,
        }
        logged: list[int] = []

        def do() -> None:
            logged.append(attempts.log(cb.organisation_id, **fields))

        def undo() -> None:
            attempts.delete(logged.pop())

        row = self._current_row()
        self._logging = True
        try:
            done = self.session.edit(f"log an attempt for {cb.organisation_name}", do, undo,
                                     {"attempts", "organisations"})
        finally:
            self._logging = False
        if done:
            self.note.clear()
            self.callback_on.setChecked(False)
            self._fill(keep_row=row)
            self.tree.setFocus(Qt.OtherFocusReason)
        return done

    def start_interview(self) -> None:
        cb = self.current()
        if cb is not None and self.window_ is not None:
            self.window_.start_interview(cb.organisation_id)

    def open_case(self) -> None:
        cb = self.current()
        if cb is not None and self.window_ is not None:
            self.window_.open_case(cb.organisation_id, [c.organisation_id for c in self._callbacks])
