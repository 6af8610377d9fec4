"""The runner: one open interview, taken while you talk.

It shows the schedule the interview was taken with, section by section. Answers are saved
as the researcher pauses (and at once on leaving a question), by one background thread
working through an ordered queue where the latest value of each question wins, so typing
never waits for the disk (fieldkit/ui/answer_saver.py). The study serialises access with its
own lock; the UI thread does not touch the study while the researcher types. Anonymous
answers are held with the interview (shown again on resuming, and open to correction) until
enough finished interviews have answered the same question; then they move to the pool, and
from there no sitting can find them again. Each anonymous card says which of the two its
answer is.

The schedule's logic (which questions are asked, calculated values, the choices offered)
follows every answer as it is given (``logic``). An interview is asked in one of the
schedule's languages, switched in the header at any time, right to left where the language
is written so; it reopens at the section where the interviewer left it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from fieldkit import fieldwork
from fieldkit.callback_times import format_when
from fieldkit.errors import FieldkitError, InvalidValueError
from fieldkit.held import Group
from fieldkit.interviews import InterviewSession
from fieldkit.templates import Question
from fieldkit.ui import errors
from fieldkit.ui import held as held_words
from fieldkit.ui.answer_saver import Pauses, Saver
from fieldkit.ui import icons, palette
from fieldkit.ui.answer_widgets import (
    INSTANT,
    FocusRing,
    QuestionCard,
    SectionPage,
)
from fieldkit.ui.interview_runner.finish import FinishDialog, Missing
from fieldkit.ui.interview_runner.header import SAVED, InterviewHeader
from fieldkit.ui.interview_runner.leave import LeaveDialog, pending_callback
from fieldkit.ui.interview_runner.logic import RunnerLogic
from fieldkit.ui.qt import (
    QApplication,
    QHBoxLayout,
    QKeySequence,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QShortcut,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.session import ATTEMPTS, INTERVIEWS, ORGANISATIONS, POOL, StudySession


def not_saved(reason: str) -> str:
    """``reason`` as a sentence, then "Not saved." (what a card says of an answer it refuses)."""
    reason = reason.strip()
    reason = reason[:1].upper() + reason[1:]
    return f"{reason}{'' if reason.endswith(('.', '!', '?', '…', '۔', '؟')) else '.'} Not saved."


def _reason(error: Exception, question_id: str) -> str:
    """The core's refusal without its "question 'x': " prefix (the card says which question)."""
    text = str(error)
    prefix = f"question '{question_id}': "
    return text.removeprefix(prefix)


class Runner(QWidget):
    """One open interview: header, sections, questions; saves as the researcher pauses."""

    #: what happened, for the list ("left for now ...", "finished ...")
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
        #: the language the interview is asked in now (one of the template's)
        self.language: str = interview.language
        self.cards: dict[str, QuestionCard] = {}
        #: what is typed, waiting for the researcher to pause
        self.pauses = Pauses(self.save_now, lambda: (self.DEBOUNCE_MS, self.MAX_WAIT_MS), self)
        self._failed: dict[tuple[str, str], str] = {}
        self._kinds: set[str] = set()
        self._failures: list[str] = []
        self._warning_open = False
        self.save_seconds: list[float] = []
        saver.landed.connect(self._landed)
        self.completed_before = record.completed is not None
        self.k = study.anonymity_k
        answers = interview.answers()  # named and held: everything given so far, shown again
        #: anonymous questions answered here (held at opening, or given in this sitting)
        self._given: set[str] = {qid for qid in answers if self._anonymous(qid)}
        self._waiting_lock = threading.Lock()
        self._waiting: dict[str, Group] | None = None  # set by the saver thread, shown on landing
        self._kept: dict[str, Any] = {}  # the same: what the study keeps of an answer it refused
        self._refused: set[tuple[str, str]] = set()  # answers the core refused, marked on their cards

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.header = InterviewHeader(self.organisation, record, contacts, languages=self.template.languages,
                                      language=self.language)
        h = self.header
        self.title, self.state, self.progress, self.save_state = h.title, h.state, h.progress, h.save_state
        self.mode, self.interviewer, self.date, self.contact = h.mode, h.interviewer, h.date, h.contact
        self.language_box = h.language
        h.mode_changed.connect(lambda m: self._put(("header", "mode"), lambda: interview.update(mode=m)))
        h.interviewer_edited.connect(lambda text: self._later(("header", "interviewer"), lambda: self._put(
            ("header", "interviewer"), lambda: interview.update(interviewer=text))))
        h.date_changed.connect(lambda d: self._later(("header", "date"), lambda: self._put(
            ("header", "date"), lambda: interview.update(date=d))))
        h.contact_changed.connect(lambda c: self._put(("header", "contact"), lambda: interview.update(contact_id=c)))
        h.language_changed.connect(self.set_language)
        layout.addWidget(h)

        body = QHBoxLayout()
        self.sections = QListWidget()
        self.sections.setAccessibleName("Sections")
        self.sections.setWordWrap(True)
        self.sections.setFixedWidth(250)
        self.sections.setSpacing(2)
        self.sections.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body.addWidget(self.sections)
        self.pages = QStackedWidget()
        body.addWidget(self.pages, 1)
        layout.addLayout(body, 1)
        self.section_cards: list[list[QuestionCard]] = []
        self.section_pages: list[SectionPage] = []
        for section in self.template.sections:
            self.sections.addItem(QListWidgetItem(section.text("title", self.language)))
            page = SectionPage(section, k=self.k, language=self.language)
            for card in page.cards:
                card.field.edited.connect(lambda card=card: self._edited(card))
                self.cards[card.question.id] = card
            self.section_cards.append(page.cards)
            self.section_pages.append(page)
            self.pages.addWidget(page)
        self.sections.itemClicked.connect(lambda _item: self.focus_first())
        self.sections.itemActivated.connect(lambda _item: self.focus_first())

        footer = QHBoxLayout()
        self.previous_button = QPushButton(icons.icon("previous"), "Previous section")
        self.previous_button.setToolTip("Alt+Left or Ctrl+Page Up")
        self.previous_button.clicked.connect(lambda: self.go(-1))
        self.next_button = QPushButton(icons.icon("next"), "Next section")
        self.next_button.setToolTip("Alt+Right or Ctrl+Page Down")
        self.next_button.clicked.connect(lambda: self.go(1))
        self.leave_button = QPushButton("Leave for now")
        self.leave_button.setToolTip("Leave the interview unfinished, to resume later (a call-back can be set)")
        self.leave_button.clicked.connect(self.leave)
        self.finish_button = QPushButton(icons.icon("finish"), "Finish interview…")
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
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)

        for qid, value in answers.items():
            if qid in self.cards:
                self.cards[qid].field.set_value(value)
        self.logic = RunnerLogic(self, answers)
        self._show_whereabouts(study.held.waiting_for(interview.interview_id))
        self.finish_dialog: FinishDialog | None = None
        self.leave_dialog: LeaveDialog | None = None
        self.ring = FocusRing(self)
        app = QApplication.instance()
        assert isinstance(app, QApplication)  # the desktop app is running
        app.focusChanged.connect(self._focus_changed)
        ids = [s.id for s in self.template.sections]
        #: where the interview opens: the section the interviewer was last in (if still asked)
        self.start_row = ids.index(record.section) if record.section in ids else 0
        if not self.logic.section_asked(self.start_row):
            self.start_row = self.logic.asked_row(self.start_row, 1) or 0
        self._recorded_section = ids[self.start_row] if ids else None
        self.logic.apply()
        self.sections.currentRowChanged.connect(self._section_changed)
        self.sections.setCurrentRow(self.start_row)

    # --- moving around -----------------------------------------------------------------

    @property
    def section(self) -> int:
        return self.sections.currentRow()

    def _page(self) -> SectionPage:
        """The section page shown."""
        page = self.pages.currentWidget()
        assert isinstance(page, SectionPage)  # the pages are the sections'
        return page

    def go(self, step: int) -> None:
        """On (+1) or back (-1) a section, passing over those not asked; focus lands on its
        first question."""
        row: int | None = self.section
        for _ in range(abs(step)):
            row = self.logic.asked_row(row, 1 if step > 0 else -1) if row is not None else None
        if row is not None:
            self.sections.setCurrentRow(row)
            self.focus_first()

    def show_section(self, row: int) -> None:
        self.sections.setCurrentRow(row)
        self.focus_first()

    def focus_first(self) -> None:
        cards = [c for c in self.section_cards[self.section] if not c.isHidden() and c.field.takes_focus]
        if cards:
            cards[0].field.focus_target().setFocus(Qt.FocusReason.TabFocusReason)
        self._page().verticalScrollBar().setValue(0)

    def jump_to(self, question_id: str) -> None:
        """Show ``question_id``'s section and put the cursor in its input (Finish's way back)."""
        card = self.cards[question_id]
        row = next(i for i, cards in enumerate(self.section_cards) if card in cards)
        self.sections.setCurrentRow(row)
        self.activateWindow()  # back from the dialog: the cursor goes straight into the question
        card.field.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
        self._page().ensureWidgetVisible(card, 10, 40)

    def _section_changed(self, row: int) -> None:
        self.save_now()
        self.pages.setCurrentIndex(row)
        self._update_buttons()
        section_id = self.template.sections[row].id if row >= 0 else None
        if section_id is not None and section_id != self._recorded_section:
            self._recorded_section = section_id  # to reopen here (one small write, by the saver)
            self._put(("sitting", "section"), lambda: self.interview.set_section(section_id))

    def _update_buttons(self) -> None:
        row = self.section
        self.previous_button.setEnabled(self.logic.asked_row(row, -1) is not None)
        self.next_button.setEnabled(self.logic.asked_row(row, 1) is not None)

    def _anonymous(self, question_id: str) -> bool:
        try:
            return self.template.question(question_id).anonymous
        except KeyError:
            return False

    def set_language(self, language: str) -> None:
        """Ask the rest of the interview in ``language``: every text is reworded where it is,
        answers and focus stay; the choice is recorded with the interview."""
        if language == self.language or language not in self.template.languages:
            return
        self.language = language
        self.header.show_language(language)
        self._put(("sitting", "language"), lambda: self.interview.set_language(language))
        self.logic.reword()
        for card in self.cards.values():  # a refusal is said again in the new language
            if card.has_problem and ("answer", card.question.id) not in self._failed:
                self._recheck(card)
        self._update_progress()

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        inside = new is not None and self.isAncestorOf(new)
        self.ring.follow(new if inside else None)
        if new is not None and inside:
            page = self._page()
            if page.isAncestorOf(new):
                page.ensureWidgetVisible(new, 10, 40)
        left_card = self._card_of(old) is not self._card_of(new)
        if old is not None and self.isAncestorOf(old) and self._dirty and (new is None or left_card):
            self.save_now()
        if self.logic.deferred and left_card:
            self.logic.refresh()  # the card left behind may hide now

    def _card_of(self, widget: QWidget | None) -> QWidget | None:
        while widget is not None and not isinstance(widget, QuestionCard) and widget is not self:
            widget = widget.parentWidget()
        return widget

    # --- answering and saving ----------------------------------------------------------

    def _edited(self, card: QuestionCard) -> None:
        key = ("answer", card.question.id)
        try:
            value = self._check(card)
        except InvalidValueError:  # marked on the card, and not saved
            self._dirty.pop(key, None)
            if not self.logic.refused(card.question.id):
                self._update_progress(card)
            self._show_state()
            return
        if not self.logic.answer(card.question.id, value):  # what is asked may follow the answer
            self._update_progress(card)
        if card.field.timing == INSTANT:
            self._dirty.pop(key, None)
            self._queue(card)
        else:
            self._later(key, lambda: self._queue(card))

    def _check(self, card: QuestionCard) -> Any:
        """The card's value, marking it when it does not fit or breaks the question's rule (its
        constraint_message says how; then nothing is saved)."""
        try:
            value = card.field.value()
            problem = self.logic.problem(card.question, value)
        except InvalidValueError as e:
            problem = str(e)
        if problem:
            card.show_problem(not_saved(problem))
            raise InvalidValueError(problem)
        card.show_problem(None)
        return value

    def _recheck(self, card: QuestionCard) -> None:
        """Mark the card again by what it holds now (nothing is saved)."""
        with contextlib.suppress(InvalidValueError):
            self._check(card)

    @staticmethod
    def _misfit(card: QuestionCard) -> bool:
        """An answer on screen that is not saved because it does not fit, in a question still
        asked (one the logic has since left out no longer holds anything up)."""
        return card.has_problem and not card.isHidden()

    def _answered(self, card: QuestionCard) -> bool:
        try:
            return card.field.value() is not None and not card.has_problem
        except InvalidValueError:
            return False

    @property
    def _dirty(self) -> dict[tuple[str, str], Callable[[], Any]]:
        """The saves waiting for a pause in typing."""
        return self.pauses.jobs

    def _later(self, key: tuple[str, str], job: Callable[[], None]) -> None:
        """Save when the researcher pauses, but never later than MAX_WAIT_MS after the first change."""
        self.pauses.put(key, job)
        self._show_state()

    def save_now(self) -> None:
        """Queue everything typed but not yet saved (never waits for the writes)."""
        for job in self.pauses.take():
            job()
        self._show_state()

    def _queue(self, card: QuestionCard) -> None:
        try:
            value = self._check(card)
        except InvalidValueError:
            return
        q = card.question
        self.logic.sent[q.id] = value
        self._kinds |= {INTERVIEWS, ORGANISATIONS} if q.flag else {INTERVIEWS}  # held answers too
        if q.anonymous:
            self._given.add(q.id)
        self._put(("answer", q.id), lambda: self._save(q, value))

    def _save(self, question: Question, value: Any) -> None:
        """On the saver's thread: save one answer. When the core refuses it, note what the study
        keeps instead (for the logic); after an anonymous one, read where the interview's held
        answers stand, for the cards to show once the save has landed."""
        try:
            self.interview.save_answer(question.id, value)
        except InvalidValueError:
            kept = self.interview.answer(question.id)
            with self._waiting_lock:
                self._kept[question.id] = kept
            raise
        if not question.anonymous:
            return
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
            self._kinds.add(INTERVIEWS)
        self.saver.put(key, job)
        self._show_state()

    def _landed(self) -> None:
        for result in self.saver.take_results():
            self.save_seconds.append(result.seconds)
            card = self.cards.get(result.key[1]) if result.key[0] == "answer" else None
            if result.error is None:
                if self._failed.pop(result.key, None) is not None and card is not None:
                    card.show_problem(None)
                if result.key in self._refused and card is not None:
                    self._refused.discard(result.key)
                    self._recheck(card)  # a later answer was saved: marked only if what is there now is wrong
                continue
            if isinstance(result.error, InvalidValueError) and card is not None:
                # the core refused it (a rule the screen could not check yet): said at the question,
                # and the logic goes on from the answer the study keeps
                qid = card.question.id
                self._refused.add(result.key)
                card.show_problem(not_saved(_reason(result.error, qid)))
                with self._waiting_lock:
                    self.logic.sent[qid] = self._kept.pop(qid, None)
                self.logic.refused(qid)
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
        problem = bool(self._failed) or any(self._misfit(c) for c in self.cards.values())
        if problem:
            text = "Not saved — see the marked answers"
        elif self._dirty or self.saver.busy():
            text = "Saving…"
        else:
            text = SAVED
        if text != self.save_state.text():  # runs on every keystroke: touch the label only on a change
            self.save_state.setText(text)
            palette.set_style_sheet(self.save_state, "color: $problem; font-weight: bold;" if problem else "")
            self.session.report_save_state("All changes saved" if text == SAVED else text)

    def flush(self) -> bool:
        """Save everything now and wait for it (closing and finishing only). False if any failed."""
        self.save_now()
        self.saver.wait()
        self._landed()
        return not self._failed

    # --- progress ----------------------------------------------------------------------

    def _update_progress(self, card: QuestionCard | None = None) -> None:
        """Each section's "N of M answered" and the interview's (only the questions asked);
        ``card``: only its section has changed."""
        self.logic.show_progress(None if card is None else
                                 [i for i, cards in enumerate(self.section_cards) if card in cards])

    # --- leaving and finishing ---------------------------------------------------------

    def leave(self) -> LeaveDialog | None:
        """Leave the interview unfinished (in interview) and go back to the list, not while an
        answer does not fit. The dialog offers to set a call-back first; a finished interview,
        opened again to correct it, just closes."""
        if self.leave_dialog is not None:
            return None
        misfits = [c for c in self.cards.values() if self._misfit(c) and ("answer", c.question.id) not in self._failed]
        if misfits:
            errors.warn(self, "Some answers do not fit", "These answers are not saved because they do not fit; "
                        "correct or clear them first:\n\n" + "\n".join(c.question.label for c in misfits))
            self.show_section(next(i for i, cards in enumerate(self.section_cards) if misfits[0] in cards))
            misfits[0].field.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        if not self.flush():
            return None
        study = self.session.study
        result = study.interviews.get(self.interview.interview_id).result
        if result is not None:  # finished before, and opened again to correct it
            self.shut()
            self.closed.emit(f"Closed the interview with {self.organisation}; it stays recorded as "
                             f"{fieldwork.RESULT_LABELS.get(result, result).lower()}.")
            return None
        dialog = LeaveDialog(self, self.organisation, outcomes=study.template.outcomes,
                             pending=pending_callback(study, self.interview.organisation_id))
        self.leave_dialog = dialog
        dialog.accepted.connect(lambda: self._leave(dialog.callback_at, dialog.outcome_text()))
        dialog.finished.connect(lambda _r: setattr(self, "leave_dialog", None))
        dialog.open()
        return dialog

    def _leave(self, callback_at: dt.datetime | None, outcome: str) -> None:
        """Log the call-back, if one was set (an attempt made now: due again), then close."""
        if callback_at is not None:
            logged = self.session.call(self.session.study.attempts.log, self.interview.organisation_id,
                                       outcome=outcome, callback_at=callback_at,
                                       changes={ATTEMPTS, ORGANISATIONS}, what="setting the call-back")
            if logged is None:
                return  # said why; still in the interview
        self.shut()
        words = f"Left the interview with {self.organisation} for now: it is still in interview; resume it from here."
        if callback_at is not None:
            words += f" Call back {format_when(callback_at)} (on the Call-backs screen)."
        self.closed.emit(words)

    def finish(self) -> FinishDialog | None:
        """Show how finishing will record the interview (the researcher's call), what is
        missing, and the way to break it off; then record what was chosen."""
        if self.finish_dialog is not None or not self.flush():
            return None
        language = self.language
        where = {q.id: s for s in self.template.sections for q in s.questions}
        missing = [Missing(q.id, self.logic.label(q), where[q.id].text("title", language),
                           q.text("required_message", language))
                   for q in self.interview.missing_required()]  # relevant ones only, in order
        unsaved = [self.logic.label(c.question) for c in self.cards.values() if self._misfit(c)]
        moved = self.completed_before and any(c.question.anonymous and q not in self._given
                                              for q, c in self.cards.items())  # some may have moved
        study = self.session.study
        others = [r for r in study.interviews.for_organisation(self.interview.organisation_id)
                  if r.id != self.interview.interview_id]
        declines = not any(r.result in ("complete", "partial") for r in others)  # else it stays interviewed
        dialog = FinishDialog(self, self.organisation, missing, unsaved, moved,
                              proposed=self.interview.proposed_result(),
                              progress=self.interview.required_progress(),
                              rule=fieldwork.settings(study).describe_partial(), declines=declines)
        self.finish_dialog = dialog
        dialog.accepted.connect(lambda: self._complete(dialog.chosen()))
        dialog.go_to.connect(self.jump_to)
        dialog.finished.connect(lambda _r: setattr(self, "finish_dialog", None))
        dialog.open()
        return dialog

    def _complete(self, result: str) -> None:
        """Record the interview as ``result`` (complete, partial or break_off) and close."""
        self.flush()
        study = self.session.study
        held = study.held
        before = held.waiting_for(self.interview.interview_id)
        changes = {INTERVIEWS, ORGANISATIONS, POOL}
        if result == "break_off":
            def break_off() -> str:
                self.interview.break_off()
                return result

            recorded = self.session.call(break_off, changes=changes, what="breaking off the interview")
        else:
            recorded = self.session.call(self.interview.finish, result, changes=changes,
                                         what="finishing the interview")
        if recorded is None:
            return
        after = held.waiting_for(self.interview.interview_id)
        self._show_whereabouts(after)
        self.shut()
        anonymous = held_words.finished_words(before, after, self.k)
        if recorded == "break_off":
            declined = study.organisations.get(self.interview.organisation_id).status == "declined"
            words = (f"Broke off the interview with {self.organisation}: it does not count as an interview"
                     f"{f', and {self.organisation} is recorded as declined' if declined else ''}. "
                     "Resume it from here to take it up again.")
        else:
            words = f"Finished the interview with {self.organisation}: {recorded}."
        self.closed.emit(" ".join(filter(None, (words, anonymous))))

    def shut(self) -> None:
        """Flush, stop listening, and let go of the study (held answers stay held)."""
        self.flush()
        self.session.report_save_state(None)  # nothing of this interview's waits on screen any more
        with contextlib.suppress(RuntimeError, TypeError):
            app = QApplication.instance()
            assert isinstance(app, QApplication)  # the desktop app is running
            app.focusChanged.disconnect(self._focus_changed)
        self.ring.follow(None)
        with contextlib.suppress(RuntimeError, TypeError):
            self.saver.landed.disconnect(self._landed)
        self.interview.close()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.save_now()
        super().hideEvent(event)
