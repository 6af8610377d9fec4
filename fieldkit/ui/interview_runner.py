"""Interviews screen: the list of interviews, and the runner that takes one while you talk.

The runner shows the schedule the interview was taken with, section by section. Answers are
saved as the researcher pauses (and at once on leaving a question), by one background
thread working through an ordered queue where the latest value of each question wins, so
typing never waits for the disk. The study serialises access with its own lock; the UI
thread does not touch the study while the researcher types. Anonymous answers are held with
the interview (shown again on resuming, and open to correction) until enough finished
interviews have answered the same question; then they move to the pool, and from there no
sitting can find them again. Each anonymous card says which of the two its answer is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from fieldkit.errors import FieldkitError, InvalidValueError
from fieldkit.held import Group
from fieldkit.interviews import MODE_LABELS, MODES, InterviewSession
from fieldkit.ui import errors
from fieldkit.ui import held as held_words
from fieldkit.ui.answer_saver import Saver
from fieldkit.ui.answer_widgets import (
    ANONYMOUS_BAND,
    ANONYMOUS_TEXT,
    ERROR_COLOUR,
    INSTANT,
    FinishDialog,
    QuestionCard,
    SectionPage,
)
from fieldkit.ui.qt import (
    QApplication,
    QColor,
    QComboBox,
    QDate,
    QDateEdit,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSettings,
    QShortcut,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.interview_list import InterviewList, day
from fieldkit.ui.session import StudySession
from fieldkit.ui.welcome import heading

RELEVANT = {"interviews", "organisations"}


# --- the runner --------------------------------------------------------------------------

class Runner(QWidget):
    """One open interview: header, sections, questions; saves as the researcher pauses."""

    #: what happened, for the list ("kept in progress", "finished ...")
    closed = Signal(str)

    DEBOUNCE_MS = 500
    MAX_WAIT_MS = 3000

    def __init__(self, session: StudySession, interview: InterviewSession, saver: Saver, *, resumed: bool,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.interview, self.saver, self.resumed = session, interview, saver, resumed
        study = session.study
        record = study.interviews.get(interview.interview_id)
        self.organisation = study.organisations.get(interview.organisation_id).name
        contacts = study.organisations.contacts(interview.organisation_id)
        self.template = interview.template
        self.cards: dict[str, QuestionCard] = {}
        self._dirty: dict[tuple[str, str], Callable[[], None]] = {}
        self._dirty_since = 0.0
        self._failed: dict[tuple[str, str], str] = {}
        self._kinds: set[str] = set()
        self._failures: list[str] = []
        self._warning_open = False
        self.save_seconds: list[float] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._pause_over)
        self._last_edit = 0.0
        saver.landed.connect(self._landed)
        self.completed_before = record.completed is not None
        self.k = study.anonymity_k
        held = study.held.for_interview(interview.interview_id)
        #: anonymous questions answered here (held at opening, or given in this sitting)
        self._given: set[str] = set(held)
        self._waiting_lock = threading.Lock()
        self._waiting: dict[str, Group] | None = None  # set by the saver thread, shown on landing

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.title = heading(f"Interview: {self.organisation}", 1.4)
        self.title.setTextFormat(Qt.PlainText)
        top.addWidget(self.title, 1)
        self.state = QLabel(f"Completed {day(record.completed)} ·" if record.completed else "In progress ·")
        self.state.setAccessibleName("Interview state")
        top.addWidget(self.state)
        self.save_state = QLabel("All answers saved")
        self.save_state.setAccessibleName("Save state")
        self.save_state.setMinimumWidth(self.save_state.fontMetrics().horizontalAdvance("All answers saved") + 16)
        self.save_state.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        top.addWidget(self.save_state)
        layout.addLayout(top)

        header = QHBoxLayout()
        self.mode = QComboBox()
        for mode in MODES:
            self.mode.addItem(MODE_LABELS[mode], mode)
        self.mode.setCurrentIndex(MODES.index(record.mode))
        self.mode.currentIndexChanged.connect(
            lambda: self._put(("header", "mode"), lambda m=self.mode.currentData(): interview.update(mode=m)))
        self.interviewer = QLineEdit(record.interviewer)
        self.interviewer.setPlaceholderText("Your initials")
        self.interviewer.textEdited.connect(lambda text: self._later(
            ("header", "interviewer"), lambda: self._put(("header", "interviewer"),
                                                         lambda: interview.update(interviewer=text))))
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("d MMM yyyy")
        self.date.setDate(QDate.fromString(record.date, Qt.ISODate))
        self.date.dateChanged.connect(lambda d: self._later(("header", "date"), lambda: self._put(
            ("header", "date"), lambda: interview.update(date=d.toString(Qt.ISODate)))))
        self.contact = QComboBox()
        self.contact.addItem("Not recorded", None)
        for c in contacts:
            self.contact.addItem(f"{c.name}{f' ({c.role})' if c.role else ''}" or f"Contact {c.id}", c.id)
        if record.contact_id is not None:
            self.contact.setCurrentIndex(max(0, self.contact.findData(record.contact_id)))
        self.contact.currentIndexChanged.connect(self._contact_changed)
        for text, widget in (("&Mode", self.mode), ("Inter&viewer", self.interviewer), ("&Date", self.date),
                             ("&Person interviewed", self.contact)):
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            header.addWidget(label)
            header.addWidget(widget)
            header.addSpacing(8)
        if not contacts:
            self.contact.setEnabled(False)
            self.contact.setToolTip("No contacts recorded for this organisation")
        self.interviewer.setMinimumWidth(self.interviewer.fontMetrics().horizontalAdvance("Dr Ruth Amankwah-Wells") + 16)
        self.contact.setMaximumWidth(self.contact.fontMetrics().horizontalAdvance("M" * 22))
        header.addStretch(1)
        layout.addLayout(header)

        body = QHBoxLayout()
        self.sections = QListWidget()
        self.sections.setAccessibleName("Sections")
        self.sections.setWordWrap(True)
        self.sections.setFixedWidth(250)
        self.sections.setSpacing(2)
        body.addWidget(self.sections)
        self.pages = QStackedWidget()
        body.addWidget(self.pages, 1)
        layout.addLayout(body, 1)
        self.section_cards: list[list[QuestionCard]] = []
        for section in self.template.sections:
            item = QListWidgetItem(section.title)
            if section.questions and all(q.anonymous for q in section.questions):
                item.setBackground(QColor(ANONYMOUS_BAND))
                item.setForeground(QColor(ANONYMOUS_TEXT))
            self.sections.addItem(item)
            page = SectionPage(section, k=self.k)
            for card in page.cards:
                card.field.edited.connect(lambda card=card: self._edited(card))
                self.cards[card.question.id] = card
            self.section_cards.append(page.cards)
            self.pages.addWidget(page)
        self.sections.currentRowChanged.connect(self._section_changed)
        self.sections.itemClicked.connect(lambda _item: self.focus_first())
        self.sections.itemActivated.connect(lambda _item: self.focus_first())

        footer = QHBoxLayout()
        self.previous_button = QPushButton("◀ Previous section")
        self.previous_button.setToolTip("Alt+Left or Ctrl+Page Up")
        self.previous_button.clicked.connect(lambda: self.go(-1))
        self.next_button = QPushButton("Next section ▶")
        self.next_button.setToolTip("Alt+Right or Ctrl+Page Down")
        self.next_button.clicked.connect(lambda: self.go(1))
        self.leave_button = QPushButton("Leave for now")
        self.leave_button.setToolTip("Keep the interview in progress, to resume later")
        self.leave_button.clicked.connect(self.leave)
        self.finish_button = QPushButton("Finish interview…")
        self.finish_button.setToolTip("Ctrl+Return")
        self.finish_button.clicked.connect(self.finish)
        for button in (self.previous_button, self.next_button):
            footer.addWidget(button)
        footer.addStretch(1)
        footer.addWidget(self.leave_button)
        footer.addWidget(self.finish_button)
        layout.addLayout(footer)

        for keys, slot in ((("Alt+Right", "Ctrl+PgDown"), lambda: self.go(1)),
                           (("Alt+Left", "Ctrl+PgUp"), lambda: self.go(-1)),
                           (("Ctrl+Return", "Ctrl+Enter"), self.finish)):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)

        for qid, value in {**record.answers, **held}.items():
            if qid in self.cards:
                self.cards[qid].field.set_value(value)
        self._show_whereabouts(study.held.waiting_for(interview.interview_id))
        self.finish_dialog: FinishDialog | None = None
        QApplication.instance().focusChanged.connect(self._focus_changed)
        self.sections.setCurrentRow(0)
        self._update_progress()

    # --- building ----------------------------------------------------------------------

    # --- moving around -----------------------------------------------------------------

    @property
    def section(self) -> int:
        return self.sections.currentRow()

    def go(self, step: int) -> None:
        """Next (+1) or previous (-1) section; focus lands on its first question."""
        row = self.section + step
        if 0 <= row < self.sections.count():
            self.sections.setCurrentRow(row)
            self.focus_first()

    def show_section(self, row: int) -> None:
        self.sections.setCurrentRow(row)
        self.focus_first()

    def focus_first(self) -> None:
        cards = self.section_cards[self.section]
        if cards:
            cards[0].field.focus_target().setFocus(Qt.TabFocusReason)
            self.pages.currentWidget().verticalScrollBar().setValue(0)

    def _section_changed(self, row: int) -> None:
        self.save_now()
        self.pages.setCurrentIndex(row)
        self.previous_button.setEnabled(row > 0)
        self.next_button.setEnabled(row < self.sections.count() - 1)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.isAncestorOf(new):
            page = self.pages.currentWidget()
            if page.isAncestorOf(new):
                page.ensureWidgetVisible(new, 10, 40)
        if old is not None and self.isAncestorOf(old) and self._dirty:
            if new is None or self._card_of(old) is not self._card_of(new):
                self.save_now()

    def _card_of(self, widget: QWidget | None) -> QWidget | None:
        while widget is not None and not isinstance(widget, QuestionCard) and widget is not self:
            widget = widget.parentWidget()
        return widget

    # --- answering and saving ----------------------------------------------------------

    def _edited(self, card: QuestionCard) -> None:
        key = ("answer", card.question.id)
        try:
            self._check(card)
        except InvalidValueError:  # marked on the card, and not saved
            self._dirty.pop(key, None)
            self._update_progress(card)
            self._show_state()
            return
        self._update_progress(card)
        if card.field.timing == INSTANT:
            self._dirty.pop(key, None)
            self._queue(card)
        else:
            self._later(key, lambda: self._queue(card))

    def _check(self, card: QuestionCard) -> Any:
        """The card's value, marking it when it does not fit (then nothing is saved)."""
        try:
            value = card.field.value()
        except InvalidValueError as e:
            card.show_problem(f"{str(e)[0].upper()}{str(e)[1:]}. Not saved.")
            raise
        card.show_problem(None)
        return value

    def _answered(self, card: QuestionCard) -> bool:
        try:
            return card.field.value() is not None and not card.has_problem
        except InvalidValueError:
            return False

    def _later(self, key: tuple[str, str], job: Callable[[], None]) -> None:
        """Save when the researcher pauses, but never later than MAX_WAIT_MS after the first change."""
        now = time.monotonic()
        if not self._dirty:
            self._dirty_since = now
        self._dirty[key] = job
        self._last_edit = now
        if not self._timer.isActive():  # not restarted per keystroke: _pause_over looks at the clock
            self._timer.start(self.DEBOUNCE_MS)
        self._show_state()

    def _pause_over(self) -> None:
        """Timer: save if the researcher has paused (or has typed for MAX_WAIT_MS), else wait on."""
        due = min(self._last_edit + self.DEBOUNCE_MS / 1000, self._dirty_since + self.MAX_WAIT_MS / 1000)
        left_ms = int((due - time.monotonic()) * 1000)
        if left_ms > 0:
            self._timer.start(left_ms)
        else:
            self.save_now()

    def save_now(self) -> None:
        """Queue everything typed but not yet saved (never waits for the writes)."""
        self._timer.stop()
        dirty, self._dirty = self._dirty, {}
        for job in dirty.values():
            job()
        self._show_state()

    def _queue(self, card: QuestionCard) -> None:
        try:
            value = self._check(card)
        except InvalidValueError:
            return
        q = card.question
        self._kinds |= {"interviews", "organisations"} if q.flag else {"interviews"}  # held answers too
        if q.anonymous:
            self._given.add(q.id)
            self._put(("answer", q.id), lambda: self._hold(q.id, value))
        else:
            self._put(("answer", q.id), lambda: self.interview.save_answer(q.id, value))

    def _hold(self, question_id: str, value: Any) -> None:
        """On the saver's thread: save an anonymous answer, then read where the interview's
        held answers stand, for the cards to show once the save has landed."""
        self.interview.save_answer(question_id, value)
        try:
            waiting = self.session.study.held.waiting_for(self.interview.interview_id)
        except Exception:  # noqa: BLE001 - the answer is saved: not a failed save; the cards catch up next time
            errors.log.exception("reading where the held answers stand")
            return
        with self._waiting_lock:
            self._waiting = waiting

    def _show_whereabouts(self, waiting: dict[str, Group]) -> None:
        """Tell each anonymous card where its answer is (``waiting``: ``held.waiting_for``)."""
        for qid, card in self.cards.items():
            if card.question.anonymous:
                moved_earlier = self.completed_before and qid not in self._given
                card.show_whereabouts(held_words.card_line(card.question, waiting.get(qid), self.k,
                                                           moved_earlier=moved_earlier))

    def _put(self, key: tuple[str, str], job: Callable[[], Any]) -> None:
        if key[0] == "header":
            self._kinds.add("interviews")
        self.saver.put(key, job)
        self._show_state()

    def _contact_changed(self) -> None:
        contact_id = self.contact.currentData()
        if contact_id is not None:
            self._put(("header", "contact"), lambda: self.interview.update(contact_id=contact_id))

    def _landed(self) -> None:
        for result in self.saver.take_results():
            self.save_seconds.append(result.seconds)
            card = self.cards.get(result.key[1]) if result.key[0] == "answer" else None
            if result.error is None:
                if self._failed.pop(result.key, None) is not None and card is not None:
                    card.show_problem(None)
                continue
            if isinstance(result.error, FieldkitError):
                message = str(result.error)
            else:
                errors.log.error("saving an answer failed\n%s", result.details)
                message = f"an unexpected error ({type(result.error).__name__}); details are in {errors.log_path()}"
            self._failed[result.key] = message
            what = card.question.label if card is not None else f"the interview's {result.key[1]}"
            if card is not None:
                card.show_problem(f"Not saved: {message}. Your answer is still here; change it to try again.")
            self._failures.append(f"{what}: {message}")
            if not self._warning_open:
                QTimer.singleShot(0, self._warn)
        with self._waiting_lock:
            waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._show_whereabouts(waiting)
        if not self.saver.busy() and self._kinds:
            kinds, self._kinds = self._kinds, set()
            self.session.notify(kinds)
        self._show_state()
        self._update_progress()

    def _warn(self) -> None:
        self._warning_open = True
        try:
            while self._failures:
                items, self._failures = self._failures, []
                errors.warn(self, "Not saved", "These could not be saved:\n\n" + "\n".join(items))
        finally:
            self._warning_open = False

    def _show_state(self) -> None:
        problem = bool(self._failed) or any(c.has_problem for c in self.cards.values())
        if problem:
            text = "Not saved — see the marked answers"
        elif self._dirty or self.saver.busy():
            text = "Saving…"
        else:
            text = "All answers saved"
        if text != self.save_state.text():  # runs on every keystroke: touch the label only on a change
            self.save_state.setText(text)
            self.save_state.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;" if problem else "")
            self.session.report_save_state("All changes saved" if text == "All answers saved" else text)

    def flush(self) -> bool:
        """Save everything now and wait for it (closing and finishing only). False if any failed."""
        self.save_now()
        self.saver.wait()
        self._landed()
        return not self._failed

    # --- progress ----------------------------------------------------------------------

    def _update_progress(self, card: QuestionCard | None = None) -> None:
        rows = range(len(self.section_cards))
        if card is not None:
            rows = [i for i, cards in enumerate(self.section_cards) if card in cards]
        for i in rows:
            cards = self.section_cards[i]
            done = sum(self._answered(c) for c in cards)
            to_go = sum(c.question.required and not self._answered(c) for c in cards)
            section = self.template.sections[i]
            state = f"{done} of {len(cards)} answered"
            if to_go:
                state += f" · {to_go} required to go"
            elif any(c.question.required for c in cards):
                state += " · required done"
            anonymous = " · anonymous" if cards and all(c.question.anonymous for c in cards) else ""
            item = self.sections.item(i)
            if item.toolTip() != state:
                item.setText(f"{section.title}\n{state}{anonymous}")
                item.setToolTip(state)

    # --- leaving and finishing ---------------------------------------------------------

    def leave(self) -> None:
        """Keep the interview in progress and go back to the list (not while an answer does not fit)."""
        misfits = [c for c in self.cards.values() if c.has_problem and ("answer", c.question.id) not in self._failed]
        if misfits:
            errors.warn(self, "Some answers do not fit", "These answers are not saved because they do not fit; "
                        "correct or clear them first:\n\n" + "\n".join(c.question.label for c in misfits))
            self.show_section(next(i for i, cards in enumerate(self.section_cards) if misfits[0] in cards))
            misfits[0].field.focus_target().setFocus(Qt.OtherFocusReason)
            return
        if self.flush():
            self.shut()
            self.closed.emit(f"The interview with {self.organisation} is kept in progress; resume it from here.")

    def finish(self) -> FinishDialog | None:
        """Ask what to do about missing answers and the "full interview" tick, then complete."""
        if self.finish_dialog is not None or not self.flush():
            return None
        gaps = {q.id for q in self.interview.missing_required()}
        missing = [f"{s.title}: {q.label}" for s in self.template.sections for q in s.questions if q.id in gaps]
        unsaved = [c.question.label for c in self.cards.values() if c.has_problem]
        moved = self.completed_before and any(c.question.anonymous and q not in self._given
                                              for q, c in self.cards.items())  # some may have moved
        dialog = FinishDialog(self, self.organisation, missing, unsaved, moved)
        self.finish_dialog = dialog
        dialog.accepted.connect(lambda: self._complete(dialog.full.isChecked()))
        dialog.finished.connect(lambda _r: setattr(self, "finish_dialog", None))
        dialog.open()
        return dialog

    def _complete(self, full: bool) -> None:
        self.flush()
        held = self.session.study.held
        before = held.waiting_for(self.interview.interview_id)
        tick = self.session.call(self.interview.complete, full_interview=full,
                                 changes={"interviews", "organisations", "pool"}, what="finishing the interview")
        if tick is None:
            return
        after = held.waiting_for(self.interview.interview_id)
        self._show_whereabouts(after)
        self.shut()
        anonymous = held_words.finished_words(before, after, self.k)
        self.closed.emit(" ".join(filter(None, (f"Finished the interview with {self.organisation}.",
                                                f"Full interview: {'ticked' if tick else 'not ticked'}.", anonymous))))

    def shut(self) -> None:
        """Flush, stop listening, and let go of the study (held answers stay held)."""
        self.flush()
        try:
            QApplication.instance().focusChanged.disconnect(self._focus_changed)
        except (RuntimeError, TypeError):
            pass
        try:
            self.saver.landed.disconnect(self._landed)
        except (RuntimeError, TypeError):
            pass
        self.interview.close()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.save_now()
        super().hideEvent(event)


# --- the screen ----------------------------------------------------------------------------

class InterviewsScreen(QWidget):
    """The list of interviews (resume any), and the runner for the one being taken."""

    def __init__(self, session: StudySession, window=None):
        super().__init__(window)
        self.session, self.window_ = session, window
        self.runner: Runner | None = None
        self.saver: Saver | None = None
        self._stale = False
        self.stack = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.addWidget(self.stack)
        self.list = InterviewList(session.study)
        self.list.resume_requested.connect(self.resume)
        self.list.open_requested.connect(self._open_case)
        self.stack.addWidget(self.list)
        session.changed.connect(self._changed)

    def _changed(self, kinds: set[str]) -> None:
        if kinds & RELEVANT:
            self._stale = True
            if self.isVisible() and self.stack.currentWidget() is self.list:
                self._reload()

    def _reload(self) -> None:
        self.list.reload()
        self._stale = False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._stale and self.stack.currentWidget() is self.list:
            self._reload()
        super().showEvent(event)

    def _open_case(self, org_id: int) -> None:
        if self.window_ is not None and hasattr(self.window_, "open_case"):
            self.window_.open_case(org_id)

    def focus_search(self) -> None:
        if self.stack.currentWidget() is self.list:
            self.list.focus_search()

    # --- the runner --------------------------------------------------------------------

    def start(self, org_id: int) -> Runner | None:
        """Start a new interview with ``org_id`` and show it (the one already open for it, if any)."""
        if self.runner is not None and self.runner.interview.organisation_id == org_id:
            self.stack.setCurrentWidget(self.runner)
            return self.runner
        if not self._let_go():
            return None
        settings = QSettings("fieldkit", "fieldkit")
        mode = settings.value("interview/mode", "phone")
        interviewer = settings.value("interview/interviewer", "") or self.session.study.author
        study = self.session.study
        contacts = study.organisations.contacts(org_id)  # the one contact is the usual interviewee
        interview = self.session.call(study.interviews.start, org_id, mode=mode if mode in MODES else "phone",
                                      interviewer=interviewer,
                                      contact_id=contacts[0].id if len(contacts) == 1 else None,
                                      changes={"interviews", "organisations"}, what="starting the interview")
        return None if interview is None else self._show(interview, resumed=False)

    def resume(self, interview_id: int) -> Runner | None:
        """Reopen an interview to go on answering: its held anonymous answers are shown with
        the named ones; those already moved to the pool are not."""
        if self.runner is not None and self.runner.interview.interview_id == interview_id:
            self.stack.setCurrentWidget(self.runner)
            return self.runner
        if not self._let_go():
            return None
        interview = self.session.call(self.session.study.interviews.resume, interview_id, changes=set(),
                                      what="resuming the interview")
        return None if interview is None else self._show(interview, resumed=True)

    def _show(self, interview: InterviewSession, *, resumed: bool) -> Runner:
        if self.saver is None:
            self.saver = Saver(self)
        self.runner = Runner(self.session, interview, self.saver, resumed=resumed)
        self.runner.closed.connect(self._runner_closed)
        self.stack.addWidget(self.runner)
        self.stack.setCurrentWidget(self.runner)
        self.runner.show_section(0)
        return self.runner

    def _let_go(self) -> bool:
        """Leave the open interview in progress (its answers saved) before opening another."""
        if self.runner is None:
            return True
        if not self.runner.flush():
            return False
        self.runner.shut()
        self._drop_runner()
        return True

    def let_go_of(self, org_id: int) -> bool:
        """Close the open interview if it is with ``org_id`` (its answers saved first), as before
        the organisation is erased. False if its answers could not be saved."""
        if self.runner is None or self.runner.interview.organisation_id != org_id:
            return True
        return self._let_go()

    def _drop_runner(self) -> None:
        runner, self.runner = self.runner, None
        if runner is not None:
            settings = QSettings("fieldkit", "fieldkit")
            settings.setValue("interview/mode", runner.mode.currentData())
            settings.setValue("interview/interviewer", runner.interviewer.text())
            self.stack.setCurrentWidget(self.list)
            self.stack.removeWidget(runner)
            runner.deleteLater()

    def _runner_closed(self, message: str) -> None:
        self._drop_runner()
        self.list.say(message)
        self._reload()
        self.list.table.setFocus(Qt.OtherFocusReason)

    def close_study(self) -> None:
        """Save what is typed and wait for it, before the main window closes the study."""
        if self.runner is not None:
            self.runner.flush()
            self.runner.shut()
            self._drop_runner()
        if self.saver is not None:
            self.saver.stop()
            self.saver = None
