"""The Interviews screen: the list of interviews (resume any), and the runner for the one
being taken (``runner``)."""

from __future__ import annotations

from fieldkit.interviews import MODES, InterviewSession
from fieldkit.ui.answer_saver import Saver
from fieldkit.ui.interview_list import InterviewList, day
from fieldkit.ui.interview_runner.runner import Runner
from fieldkit.ui.qt import (
    QMessageBox,
    QPushButton,
    QSettings,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import INTERVIEWS, ORGANISATIONS, StudySession

#: What the list shows: it reloads when these change.
RELEVANT = {INTERVIEWS, ORGANISATIONS}


class TakeUpBox(QMessageBox):
    """The question whether to take a broken-off interview up again; ``take_up_button`` says yes."""

    take_up_button: QPushButton


class InterviewsScreen(QWidget):
    """The list of interviews (resume any), and the runner for the one being taken."""

    def __init__(self, session: StudySession, window=None):
        super().__init__(window)
        self.session, self.window_ = session, window
        self.runner: Runner | None = None
        self.saver: Saver | None = None
        #: the question open before a broken-off interview is taken up again
        self.confirmation: TakeUpBox | None = None
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

    def start(self, org_id: int, *, language: str | None = None) -> Runner | None:
        """Start a new interview with ``org_id`` and show it (the one already open for it, if any).
        ``language``: one of the schedule's (None: its default; the header switches it later)."""
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
                                      language=language,
                                      changes={INTERVIEWS, ORGANISATIONS}, what="starting the interview")
        return None if interview is None else self._show(interview, resumed=False)

    def resume(self, interview_id: int) -> Runner | None:
        """Reopen an interview to go on answering: its held anonymous answers are shown with
        the named ones; those already moved to the pool are not. A broken-off one is taken up
        again only after asking (the question opens; None is returned)."""
        if self.runner is not None and self.runner.interview.interview_id == interview_id:
            self.stack.setCurrentWidget(self.runner)
            return self.runner
        study = self.session.study
        record = study.interviews.get(interview_id)
        if record.result == "break_off":
            self.ask_take_up(interview_id)
            return None
        if not self._let_go():
            return None
        interview = self.session.call(study.interviews.resume, interview_id, changes=set(),
                                      what="resuming the interview")
        return None if interview is None else self._show(interview, resumed=True)

    def ask_take_up(self, interview_id: int) -> TakeUpBox:
        """Ask whether to take a broken-off interview up again (non-blocking)."""
        study = self.session.study
        record = study.interviews.get(interview_id)
        name = study.organisations.get(record.organisation_id).name
        when = f" on {day(record.completed)}" if record.completed else ""
        box = TakeUpBox(QMessageBox.Icon.Question, "Take up the interview again?",
                          f"The interview with {name} was broken off{when}.\n\nTake it up again? It goes back to "
                          "“in interview” with the answers given so far, and counts once it is finished"
                          f"{f'; {name} will no longer be recorded as declined' if self._declined(record) else ''}.",
                          parent=self)
        box.take_up_button = box.addButton("Take up again", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        box.finished.connect(lambda _r: self._take_up(box, interview_id))
        self.confirmation = box
        box.open()
        return box

    def _declined(self, record) -> bool:
        return self.session.study.organisations.get(record.organisation_id).status == "declined"

    def _take_up(self, box: TakeUpBox, interview_id: int) -> Runner | None:
        self.confirmation = None
        if box.clickedButton() is not box.take_up_button or not self._let_go():
            return None
        interview = self.session.call(self.session.study.interviews.resume, interview_id, changes=set(),
                                      what="taking up the interview again")
        if interview is None:
            return None

        if not self.session.run(interview.reopen, changes={INTERVIEWS, ORGANISATIONS},
                                what="taking up the interview again"):
            interview.close()
            return None
        return self._show(interview, resumed=True)

    def _show(self, interview: InterviewSession, *, resumed: bool) -> Runner:
        if self.saver is None:
            self.saver = Saver(self)
        self.runner = Runner(self.session, interview, self.saver, resumed=resumed)
        self.runner.closed.connect(self._runner_closed)
        self.stack.addWidget(self.runner)
        self.stack.setCurrentWidget(self.runner)
        self.runner.show_section(self.runner.start_row)  # where the interviewer left it
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
        self.list.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_study(self) -> None:
        """Save what is typed and wait for it, before the main window closes the study."""
        if self.runner is not None:
            self.runner.flush()
            self.runner.shut()
            self._drop_runner()
        if self.saver is not None:
            self.saver.stop()
            self.saver = None
