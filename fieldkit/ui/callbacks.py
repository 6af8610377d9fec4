"""Call-backs: who to phone now. Overdue, later today and upcoming, each with the number to
ring, who to ask for, how the last attempt went; and from one, log the attempt (Enter), start
the interview (Ctrl+I) or open the case.

The outcome chosen shows what the study's fieldwork rules propose (``attempts.propose``): the
call-back its retry delay suggests (↓ in the box fills it in), or, when the calling should
end, a question after logging whether to record the organisation as not reached or declined.
The call is timed from the moment its row is chosen; the attempt keeps the time and the
number rung.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from html import escape

from fieldkit.attempts import CallBack, Proposal
from fieldkit.callback_times import due_text, format_when, parse_when
from fieldkit.contact_details import display_phone
from fieldkit.errors import FieldkitError, InvalidValueError
from fieldkit.organisations import STATUS_LABELS
from fieldkit.ui import icons, palette
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QAbstractItemView,
    QBrush,
    QEvent,
    QFont,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMessageBox,
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
from fieldkit.ui.session import ATTEMPTS, CONTACTS, INTERVIEWS, ORGANISATIONS, TEMPLATE, StudySession
from fieldkit.ui.welcome import heading

RELEVANT = {ATTEMPTS, ORGANISATIONS, INTERVIEWS, CONTACTS, TEMPLATE}
COLUMNS = ("Due", "Organisation", "Ask for", "Phone", "Last attempt")
GROUPS = (("overdue", "Overdue"), ("today", "Later today"), ("upcoming", "Upcoming"))
_CALLBACK = Qt.ItemDataRole.UserRole
#: How the question after the last attempt names each closing status.
CLOSE_WORDS = {"unreachable": "not reached", "declined": "declined", "excluded": "excluded"}
#: Longer than this since the row was chosen is no call's duration: it is not recorded.
LONGEST_CALL = 4 * 3600


def call_time(seconds: float) -> str:
    """A running call's length: "04:07", "1:02:09"."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class CallbacksScreen(QWidget):
    """Open call-backs grouped around now, with the one-step actions a researcher needs."""

    def __init__(self, session: StudySession, window=None):
        super().__init__(window)
        self.session = session
        self.window_ = window
        #: the clock the groups are drawn against (tests set a fixed one)
        self.now: Callable[[], dt.datetime] = dt.datetime.now
        #: the clock a call is timed by, in seconds (tests set one they move on)
        self.clock: Callable[[], float] = time.monotonic
        self._callbacks: list[CallBack] = []
        self._shown_org: int | None = None
        self._call_started: float | None = None
        #: what the rules propose for the selected call-back and the chosen outcome
        self._proposal: Proposal | None = None

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
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(14)
        self.tree.setStyleSheet("QTreeView::item { padding: 3px 0px; }")
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.tree.currentItemChanged.connect(lambda *_: self._show_selected())
        self.tree.itemDoubleClicked.connect(lambda item, _: self.open_case() if item.data(0, _CALLBACK) else None)
        self.tree.installEventFilter(self)
        layout.addWidget(self.tree, 1)

        self.empty = QLabel("No call-backs are open. Log an attempt with a call-back time on a case "
                            "and it appears here.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName("No call-backs")
        layout.addWidget(self.empty, 1)

        layout.addWidget(self._build_panel())

        QShortcut(
            QKeySequence("Ctrl+I"), self, self.start_interview, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        self.setTabOrder(self.tree, self.outcome)
        self.setTabOrder(self.outcome, self.callback)
        self.setTabOrder(self.callback, self.note)
        self.setTabOrder(self.note, self.log_button)
        self.setTabOrder(self.log_button, self.interview_button)
        self.setTabOrder(self.interview_button, self.case_button)
        self.setTabOrder(self.case_button, self.restart_button)

        self._timer = QTimer(self)  # the groups move as the day goes on
        self._timer.setInterval(60_000)
        self._timer.timeout.connect(lambda: self.refresh() if self.isVisible() else None)
        self._timer.start()
        self._ticker = QTimer(self)  # the call's running time
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(lambda: self._show_call_time() if self.isVisible() else None)
        self._ticker.start()
        self._logging = False
        session.changed.connect(lambda kinds: self.refresh() if kinds & RELEVANT and not self._logging else None)
        self.refresh()

    # --- building --------------------------------------------------------------------------

    def _build_panel(self) -> QFrame:
        panel = QFrame()
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(panel)
        self.selected = heading("", 1.15)
        self.selected.setAccessibleName("Selected call-back")
        self.selected_detail = QLabel()
        self.selected_detail.setAccessibleName("Selected call-back details")
        self.selected_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.call_timer = QLabel()
        self.call_timer.setAccessibleName("Time on this call")
        self.call_timer.setToolTip("Time since this call-back was chosen: logged with the attempt as the "
                                   "call's length. Restart it when you dial.")
        self.restart_button = QPushButton("Res&tart")
        self.restart_button.setToolTip("Start timing the call again from now")
        self.restart_button.setAccessibleName("Restart the call timer")
        self.restart_button.clicked.connect(self.restart_call)
        timing = QHBoxLayout()
        timing.addStretch(1)
        timing.addWidget(self.call_timer)
        timing.addWidget(self.restart_button)
        grid.addWidget(self.selected, 0, 0, 1, 5)
        grid.addLayout(timing, 0, 5, 1, 2)
        grid.addWidget(self.selected_detail, 1, 0, 1, 7)

        self.outcome = ComboBox()
        self.outcome.setAccessibleName("Outcome")
        self.outcome.currentTextChanged.connect(lambda _: self._propose())
        outcome_label = QLabel("O&utcome")
        outcome_label.setBuddy(self.outcome)
        # the same words as the case form's call-back box (fieldkit.callback_times)
        self.callback = QLineEdit()
        self.callback.setAccessibleName("Call back at")
        self.callback.setPlaceholderText("e.g. tomorrow 10:00")
        self.callback.setToolTip("Empty: no call-back. ↓ fills in the call-back the outcome proposes. For "
                                 "example: tomorrow 10:00, fri 2pm, 24/11 9:30, +2 (days), 2026-11-30 14:00")
        self.callback.setMinimumWidth(self.callback.fontMetrics().horizontalAdvance("Wed 30 Nov 2026, 10:00") + 24)
        self.callback.textChanged.connect(self._show_callback)
        callback_label = QLabel("&Call back")
        callback_label.setBuddy(self.callback)
        self.callback_preview = QLabel()
        self.callback_preview.setAccessibleName("Call-back time read as")
        self.callback_preview.setWordWrap(True)
        self.callback_preview.setTextFormat(Qt.TextFormat.RichText)
        self.callback_preview.linkActivated.connect(lambda _: self.propose_callback())
        self.note = QLineEdit()
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("What happened (optional)")
        note_label = QLabel("&Note")
        note_label.setBuddy(self.note)
        self.log_button = QPushButton("&Log attempt")
        self.log_button.setToolTip("Log the attempt (Enter)")
        self.log_button.setDefault(False)
        self.log_button.clicked.connect(self.log_attempt)
        for widget in (self.outcome, self.callback, self.note):
            widget.installEventFilter(self)
        self.note.returnPressed.connect(self.log_attempt)

        grid.addWidget(outcome_label, 2, 0)
        grid.addWidget(self.outcome, 2, 1)
        grid.addWidget(callback_label, 2, 2)
        grid.addWidget(self.callback, 2, 3)
        grid.addWidget(note_label, 2, 4)
        grid.addWidget(self.note, 2, 5)
        grid.addWidget(self.log_button, 2, 6)
        grid.addWidget(self.callback_preview, 3, 2, 1, 5)
        grid.setColumnStretch(5, 1)

        actions = QHBoxLayout()
        self.interview_button = QPushButton(icons.icon("start_interview"), "Start &interview")
        self.interview_button.setToolTip("Start the interview with this organisation (Ctrl+I)")
        self.interview_button.clicked.connect(self.start_interview)
        self.case_button = QPushButton("&Open case")
        self.case_button.setToolTip("Open the organisation's case form (or double-click the row)")
        self.case_button.clicked.connect(self.open_case)
        hint = QLabel("Enter logs the attempt · Ctrl+I starts the interview · Esc goes back to the list")
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        actions.addWidget(hint, 1)
        actions.addWidget(self.interview_button)
        actions.addWidget(self.case_button)
        grid.addLayout(actions, 4, 0, 1, 7)
        self._controls = (self.outcome, self.callback, self.note, self.log_button,
                          self.interview_button, self.case_button, self.restart_button)
        return panel

    def refresh(self) -> None:
        """Redraw the groups around ``now()``, keeping the selected organisation selected."""
        current = self.current()
        self._fill(keep_org=current.organisation_id if current else None)

    def _fill(self, *, keep_org: int | None = None, keep_row: int | None = None) -> None:
        study = self.session.study
        now = self.now()
        due = study.attempts.callbacks_due(now)
        country = study.country
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
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setFont(0, bold)
            if key == "overdue":
                group.setForeground(0, QBrush(palette.text("problem", palette.base())))
            self.tree.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            for cb in items:
                last = cb.outcome + (f": {' '.join(cb.note.split())}" if cb.note else "")
                item = QTreeWidgetItem([due_text(cb.due, now), cb.organisation_name, cb.contact or "",
                                        display_phone(cb.phone, country), last])
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
            items = [self._item_at(i) for i in range(len(self._callbacks))]
            texts = [COLUMNS[column]] + [item.text(column) for item in items if item is not None]
            indent = self.tree.indentation() if column == 0 else 0
            widest = max(metrics.horizontalAdvance(t) for t in texts) + 20 + indent
            self.tree.setColumnWidth(column, min(widest, cap))

    def _item_at(self, flat: int) -> QTreeWidgetItem | None:
        seen = 0
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            assert group is not None  # g is in range
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
            self.callback.clear()
            self._call_started = self.clock() if cb is not None else None  # a new call
        for widget in self._controls:
            widget.setEnabled(cb is not None)
        self._show_call_time()
        self._propose()
        if cb is None:
            self.selected.setText("No call-back selected")
            self.selected_detail.setText("Choose a call-back in the list to log the attempt or start the interview.")
            return
        self.selected.setText(cb.organisation_name)
        parts = [f"Due {due_text(cb.due, self.now())}"]
        if cb.contact:
            parts.append(f"ask for {cb.contact}")
        if cb.phone:
            parts.append(display_phone(cb.phone, self.session.study.country))
        parts.append(f"last: {cb.outcome}" + (f" — {' '.join(cb.note.split())}" if cb.note else ""))
        self.selected_detail.setText(" · ".join(parts))

    def _propose(self) -> None:
        """Ask the rules what the chosen outcome means for the selected call-back."""
        cb = self.current()
        outcome = self.outcome.currentText()
        self._proposal = None
        if cb is not None and outcome:
            try:
                self._proposal = self.session.study.attempts.propose(cb.organisation_id, outcome, now=self.now())
            except FieldkitError:  # deleted meanwhile, or an outcome the study no longer has
                self._proposal = None
        self._show_callback()

    @property
    def proposal(self) -> Proposal | None:
        """What the rules propose for the selected call-back with the outcome chosen."""
        return self._proposal

    def proposed_callback(self) -> str | None:
        """The call-back the rules propose, as the words the box reads; None when they propose none."""
        p = self._proposal
        return format_when(p.callback_at) if p is not None and p.callback_at is not None else None

    def propose_callback(self) -> bool:
        """Fill the call-back box with the proposal (↓ in the empty box, or the link under it)."""
        text = self.proposed_callback()
        if self.current() is None or text is None:
            return False
        self.callback.setText(text)
        self.callback.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _show_callback(self) -> None:
        """Under the box, the call-back time as read (or why it cannot be), like the case form's;
        while it is empty, what the rules propose and why."""
        current = self.current()
        if current is None:
            self.callback_preview.clear()
            return
        try:
            moment = parse_when(self.callback.text(), self.now())
        except InvalidValueError as e:
            self.callback_preview.setText(escape(str(e)))
            return
        if moment is not None:
            self.callback_preview.setText(escape(f"Call back {format_when(moment)}."))
            return
        p = self._proposal
        if p is None:
            self.callback_preview.setText("No call-back.")
            return
        why = escape(p.why[:1].upper() + p.why[1:], quote=False)
        if p.callback_at is not None:
            self.callback_preview.setText(f'{why}. <a href="propose">Use this call-back</a> (or ↓ in the box).')
        elif p.close_as is not None:
            name = escape(current.organisation_name, quote=False)
            self.callback_preview.setText(f"{why}. Logging it asks whether to record {name} as "
                                          f"{CLOSE_WORDS[p.close_as]}.")
        else:
            self.callback_preview.setText(f"{why}.")

    # --- the call's time -----------------------------------------------------------------------

    def restart_call(self) -> None:
        """Time the call from now (when dialling comes a while after choosing the row)."""
        if self.current() is not None:
            self._call_started = self.clock()
        self._show_call_time()

    def call_seconds(self) -> int | None:
        """Seconds on the call so far; None when no call is being timed (or it is implausibly long)."""
        if self._call_started is None:
            return None
        seconds = max(0, round(self.clock() - self._call_started))
        return seconds if seconds <= LONGEST_CALL else None

    def _show_call_time(self) -> None:
        seconds = None if self._call_started is None else max(0.0, self.clock() - self._call_started)
        self.call_timer.setText("" if seconds is None else f"Call {call_time(seconds)}")

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                return False
            if watched is self.tree:
                if self.current() is not None:
                    self.outcome.setFocus(Qt.FocusReason.TabFocusReason)
                return True
            if watched is self.outcome and self.outcome.view().isVisible():
                return False  # Enter picks from the open list
            self.log_attempt()
            return True
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down and watched is self.callback \
                and not self.callback.text().strip() and self.propose_callback():
            return True
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape and watched is not self.tree:
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return super().eventFilter(watched, event)

    # --- actions -----------------------------------------------------------------------------

    def log_attempt(self) -> bool:
        """Log the attempt for the selected call-back from the row of fields; True if stored.
        When the rules say the calling should end, ask whether to record that status."""
        cb = self.current()
        if cb is None:
            return False
        attempts = self.session.study.attempts
        try:
            callback_at = parse_when(self.callback.text(), self.now())
        except InvalidValueError as e:
            self.callback_preview.setText(escape(str(e)))
            self.callback.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        self._propose()  # the rules as they stand when it is logged
        proposal = self._proposal
        outcome, note, seconds = self.outcome.currentText(), self.note.text().strip() or None, self.call_seconds()
        logged: list[int] = []

        def do() -> None:
            logged.append(attempts.log(cb.organisation_id, outcome=outcome, note=note, callback_at=callback_at,
                                       tried=cb.phone, seconds=seconds))

        def undo() -> None:
            attempts.delete(logged.pop())

        row = self._current_row()
        self._logging = True
        try:
            done = self.session.edit(f"logging of an attempt for {cb.organisation_name}", do, undo,
                                     {ATTEMPTS, ORGANISATIONS})
            if done and proposal is not None and proposal.close_as is not None and callback_at is None:
                self._offer_to_close(cb, proposal)
        finally:
            self._logging = False
        if done:
            self.note.clear()
            self.callback.clear()
            self._shown_org = None  # whichever call-back is chosen next is a new call
            self._fill(keep_row=row)
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
        return done

    def _offer_to_close(self, cb: CallBack, proposal: Proposal) -> None:
        """The rules say the calling should end: ask, and record the status only on Yes."""
        status = proposal.close_as
        assert status is not None  # offered only when the rules end the calling
        words = CLOSE_WORDS[status]
        why = proposal.why[:1].upper() + proposal.why[1:]
        box = QMessageBox(QMessageBox.Icon.Question, f"Stop calling {cb.organisation_name}?", "",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("close-organisation")
        no = box.button(QMessageBox.StandardButton.No)
        assert isinstance(no, QPushButton)  # a message box's standard buttons are push buttons
        no.setText("&Keep calling")
        yes = box.button(QMessageBox.StandardButton.Yes)
        if status == "excluded":  # an exclusion needs its reason, chosen on the case form
            box.setText(f"{why}. Exclude {cb.organisation_name} from the study? Its reason is chosen "
                        f"on its case form.")
            yes.setText("&Open the case")
        else:
            box.setText(f"{why}. Record {cb.organisation_name} as {words} "
                        f"({STATUS_LABELS[status]})? Its call-backs end.")
            yes.setText(f"&Record as {words}")
        box.setDefaultButton(no)
        box.exec()
        if box.clickedButton() is not yes:
            return
        if status == "excluded":
            if self.window_ is not None:
                self.window_.open_case(cb.organisation_id, [cb.organisation_id])
            return
        orgs = self.session.study.organisations
        before = orgs.get(cb.organisation_id)
        self.session.edit(f"recording of {cb.organisation_name} as {words}",
                          lambda: orgs.set_status(cb.organisation_id, status),
                          lambda: orgs.set_status(cb.organisation_id, before.status, before.exclusion_reason),
                          {ORGANISATIONS})

    def start_interview(self) -> None:
        cb = self.current()
        if cb is not None and self.window_ is not None:
            self.window_.start_interview(cb.organisation_id)

    def open_case(self) -> None:
        cb = self.current()
        if cb is not None and self.window_ is not None:
            self.window_.open_case(cb.organisation_id, [c.organisation_id for c in self._callbacks])
