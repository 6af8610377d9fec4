"""The interview runner, driven as a researcher on the phone would: typing, ticking, moving
between sections with the keyboard, leaving and resuming, finishing. What it saved is read
back through the core from the study file after the window has closed it. Anonymous answers
are held with the interview until k finished interviews have answered the same question
(fieldkit.held); the cards say where each one is."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from conftest import open_study_window
from ui_typing import type_text

from fieldkit.errors import StudyFileError
from fieldkit.interviews import InterviewSession
from fieldkit.pool import Comment
from fieldkit.study import Study

# Showing a window on the offscreen platform says this; it is not about the code under test.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

POLISH = "Koordynatorka wolontariuszy — zażółć gęślą jaźń"
URDU = "فنڈنگ کی کمی اور مناسب جگہ کا نہ ہونا"
CHINESE = "我们参加了地方战略伙伴关系论坛，每季度一次。"
POOLED = "Małe grupy nie mają czasu — 小组没有资金 — چھوٹے گروپ"



def open_window(qtbot, study: Study):
    return open_study_window(qtbot, study)


def settle(qtbot, runner) -> None:
    """Wait until everything typed has been written and the results are back."""
    qtbot.waitUntil(lambda: not runner._dirty and not runner.saver.busy()
                    and runner.save_state.text() == "All answers saved", timeout=5000)


def focused():
    from fieldkit.ui.qt import QApplication

    return QApplication.focusWidget()


def press(qtbot, key, modifier=None) -> None:
    from fieldkit.ui.qt import Qt

    qtbot.keyClick(focused(), key, modifier or Qt.NoModifier)


def pick(qtbot, runner, qid: str, choice: str) -> None:
    """Click a choice's button with the mouse."""
    from fieldkit.ui.qt import QPoint, Qt

    field = runner.cards[qid].field
    labels = list(runner.cards[qid].question.choices) or ["Yes", "No"]
    button = field.buttons[labels.index(choice)]
    assert button.isVisible()
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(8, button.height() // 2))  # on the box itself


def test_an_interview_typed_in_three_scripts_lands_named_and_held(qtbot, mapping_study: Study, warnings):
    from fieldkit.ui.qt import QDate, Qt

    orgs = mapping_study.organisations
    org = orgs.add("Stowarzyszenie Polaków w Coventry", category="BME network", area="Coventry")
    orgs.add_contact(org, "Zofia Wójcik", role="Coordinator")
    path = mapping_study.path
    w = open_window(qtbot, mapping_study)
    w.start_interview(org)
    screen = w.screens["interviews"]
    runner = screen.runner
    assert w.stack.currentWidget() is screen and screen.stack.currentWidget() is runner
    assert runner.title.text() == "Interview: Stowarzyszenie Polaków w Coventry"
    qtbot.waitUntil(lambda: focused() is runner.cards["a1"].field.editor)  # first question of section A

    runner.interviewer.clear()
    type_text(runner.interviewer, "Zoë Ł.")
    runner.mode.setCurrentIndex(1)  # face to face
    assert runner.contact.currentText() == "Zofia Wójcik (Coordinator)"  # the one contact, chosen for you
    runner.date.setDate(QDate(2026, 11, 20))
    runner.cards["a1"].field.editor.setFocus()
    type_text(focused(), POLISH)
    press(qtbot, Qt.Key_Tab)
    assert focused() is runner.cards["a2"].field.editor  # Tab goes to the next question
    type_text(focused(), "1987")
    press(qtbot, Qt.Key_Tab)
    a3 = runner.cards["a3"].field
    assert focused() is a3.buttons[0]  # one Tab stop for the group of boxes
    choices = list(a3.question.choices)
    for _ in range(choices.index("Chinese")):
        press(qtbot, Qt.Key_Down)
    press(qtbot, Qt.Key_Space)
    for _ in range(choices.index("Pakistani") - choices.index("Chinese")):
        press(qtbot, Qt.Key_Down)
    press(qtbot, Qt.Key_Space)
    press(qtbot, Qt.Key_Tab)
    assert focused() is runner.cards["a4"].field.editor
    press(qtbot, Qt.Key_Tab)
    press(qtbot, Qt.Key_3)  # the third area
    pick(qtbot, runner, "a8", "£50,000 to £99,999")

    press(qtbot, Qt.Key_Right, Qt.AltModifier)
    assert runner.section == 1 and focused() is runner.cards["b1"].field.editor
    type_text(focused(), URDU)
    press(qtbot, Qt.Key_Tab)
    press(qtbot, Qt.Key_4)  # "Very much"
    pick(qtbot, runner, "b5", "No")
    pick(qtbot, runner, "b7", "Premises")
    pick(qtbot, runner, "b7", "A voice with decision-makers")

    press(qtbot, Qt.Key_PageDown, Qt.ControlModifier)
    assert runner.section == 2
    pick(qtbot, runner, "c1", "Fairly well informed")
    runner.cards["c3"].field.editor.setFocus()
    type_text(focused(), CHINESE)

    press(qtbot, Qt.Key_Right, Qt.AltModifier)
    assert runner.section == 3 and focused() is runner.cards["d1"].field.editor
    type_text(focused(), POOLED)
    pick(qtbot, runner, "d2", "Slightly engaged")
    settle(qtbot, runner)
    held = ("Held with this interview until 5 finished interviews have answered it, then moved to the pool "
            "(0 of 5 so far)")
    assert runner.cards["d1"].whereabouts.text() == held  # where the answer is, once saved
    assert runner.cards["d2"].whereabouts.text() == held
    assert runner.cards["d3"].whereabouts.text().startswith("An answer here is held with this interview until 5")
    assert runner.cards["d1"].whereabouts.isVisible()
    press(qtbot, Qt.Key_Right, Qt.AltModifier)
    assert runner.section == 4
    press(qtbot, Qt.Key_PageUp, Qt.ControlModifier)
    press(qtbot, Qt.Key_Left, Qt.AltModifier)
    assert runner.section == 2 and focused() is runner.cards["c1"].field.buttons[2]  # Tab stop: the answer
    runner.go(2)
    assert focused() is runner.cards["e1"].field.buttons[0]
    press(qtbot, Qt.Key_Y)  # e1: keen for follow-up
    settle(qtbot, runner)
    assert runner.sections.item(0).text().endswith("5 of 8 answered · required done")
    interview_id = runner.interview.interview_id

    w.close_study()  # the runner saves and lets go; the study file is closed
    assert warnings == []
    with Study.open(path) as study:
        record = study.interviews.get(interview_id)
        assert (record.mode, record.interviewer, record.date, record.completed) == (
            "face_to_face", "Zoë Ł.", "2026-11-20", None)
        assert record.contact_id == study.organisations.contacts(org)[0].id
        assert record.answers == {
            "a1": POLISH,
            "a2": 1987,
            "a3": ["Chinese", "Pakistani"],
            "a5": "A county",
            "a8": "£50,000 to £99,999",
            "b1": URDU,
            "b2": "Very much",
            "b5": False,
            "b7": ["Premises", "A voice with decision-makers"],
            "c1": "Fairly well informed",
            "c3": CHINESE,
            "e1": True,
        }
        assert "follow_up" in study.organisations.get(org).flags
        assert study.pool.comments() == []  # an unfinished interview's anonymous answers wait with it
        assert study.held.for_interview(interview_id) == {"d1": POOLED, "d2": "Slightly engaged"}
        assert {f.name for f in dataclasses.fields(Comment)} == {
            "id", "question_id", "question_label", "text", "value", "themes"}  # nothing that links back
        assert not any(qid.startswith("d") for qid in record.answers)
        assert study.interviews.listing()[0].id == interview_id


def test_finishing_ticks_full_interview_only_when_complete_and_can_be_overridden(qtbot, small_study: Study,
                                                                                  warnings):
    from fieldkit.ui.qt import Qt

    orgs = small_study.organisations
    partial = orgs.add("Partial", category="Network")
    whole = orgs.add("Whole", category="Network")
    untick = orgs.add("Untick", category="Network")
    path = small_study.path
    w = open_window(qtbot, small_study)

    w.start_interview(partial)
    assert w.session.study.organisations.get(partial).status == "contacting"  # in interview, not interviewed
    runner = w.screens["interviews"].runner
    assert runner.state.text() == "In interview ·"
    type_text(runner.cards["role"].field.editor, "Chair")
    press(qtbot, Qt.Key_Return, Qt.ControlModifier)  # Ctrl+Return: finish
    dialog = runner.finish_dialog
    assert dialog is not None and dialog.isVisible()
    assert "2 required questions have no answer" in dialog.summary.text()
    assert [b.text() for b in dialog.jumps] == ["Size", "What holds small groups back?"]  # a way back to each
    assert dialog.back_button.isDefault() and not dialog.finish_button.isDefault()
    assert not dialog.full.isChecked()  # not ticked by default
    assert dialog.verdict.text() == ("This interview will be recorded as <b>partial</b> "
                                     "(2 of 3 required questions unanswered).")
    assert dialog.finish_button.text() == "Finish as partial"
    dialog.full.setChecked(True)  # ... but the researcher knows better
    assert dialog.verdict.text().startswith("This interview will be recorded as <b>complete</b>")
    assert dialog.finish_button.text() == "Finish as complete"
    dialog.finish_button.click()
    assert w.screens["interviews"].runner is None
    message = w.screens["interviews"].list.message.text()
    assert message == "Finished the interview with Partial: complete."  # it gave no anonymous answer

    w.start_interview(whole)
    runner = w.screens["interviews"].runner
    type_text(runner.cards["role"].field.editor, "Treasurer")
    pick(qtbot, runner, "size", "Medium")
    runner.go(1)
    type_text(runner.cards["sector_barriers"].field.editor, "Czas i pieniądze")
    dialog = runner.finish()
    assert dialog.summary.text() == "Every required question has an answer."
    assert dialog.verdict.text() == "This interview will be recorded as <b>complete</b>."
    assert dialog.full.isChecked()
    dialog.finish_button.click()

    w.start_interview(untick)
    runner = w.screens["interviews"].runner
    type_text(runner.cards["role"].field.editor, "Worker")
    pick(qtbot, runner, "size", "Small")
    runner.go(1)
    type_text(runner.cards["sector_barriers"].field.editor, "时间")
    dialog = runner.finish()
    assert dialog.full.isChecked()
    dialog.full.setChecked(False)  # overridden the other way
    assert dialog.finish_button.text() == "Finish as partial"
    dialog.finish_button.click()
    assert w.screens["interviews"].list.message.text() == (
        "Finished the interview with Untick: partial. 1 anonymous answer is held with it until 5 finished "
        "interviews have answered the same question.")
    w.close_study()

    with Study.open(path) as study:
        flags = {org: study.organisations.get(org).flags for org in (partial, whole, untick)}
        assert "full_interview" in flags[partial] and "full_interview" in flags[whole]
        assert "full_interview" not in flags[untick]
        results = {r.organisation_id: r.result for r in study.interviews.listing()}
        assert results == {partial: "complete", whole: "complete", untick: "partial"}
        assert {study.organisations.get(org).status for org in (partial, whole, untick)} == {"interviewed"}
        assert all(r.completed for r in study.interviews.listing())
        assert study.pool.comments() == []  # two finished interviews are too few to hide among
        [group] = study.held.groups()
        assert (group.question_id, group.finished, group.unfinished) == ("sector_barriers", 2, 0)
    assert warnings == []


def test_finishing_the_kth_interview_moves_the_answers_and_says_so(qtbot, small_study: Study, warnings):
    from fieldkit import anonymity

    anonymity.set_k(small_study, 3)
    orgs = small_study.organisations
    earlier = [orgs.add(f"Earlier {i}", category="Network") for i in range(2)]
    for org, text in zip(earlier, ("Mało czasu", "没有钱"), strict=True):
        session = small_study.interviews.start(org)
        session.save_answer("sector_barriers", text)
        session.complete()
    third = orgs.add("Third", category="Network")
    path = small_study.path
    w = open_window(qtbot, small_study)
    pool = w.screen_for("pool")
    assert [(g.question_id, g.finished) for g in pool.held.groups] == [("sector_barriers", 2)]
    w.start_interview(third)
    runner = w.screens["interviews"].runner
    runner.go(1)
    type_text(runner.cards["sector_barriers"].field.editor, "Brak lokalu")
    settle(qtbot, runner)
    assert runner.cards["sector_barriers"].whereabouts.text() == (
        "Held with this interview until 3 finished interviews have answered it, then moved to the pool "
        "(2 of 3 so far)")
    runner.finish().finish_button.click()
    message = w.screens["interviews"].list.message.text()
    assert message.endswith("1 anonymous answer moved to the pool with other interviews' answers.")
    assert pool.held.groups == [] and len(pool._comments) == 3  # the Pool screen followed
    w.close_study()
    with Study.open(path) as study:
        assert sorted(c.text for c in study.pool.comments()) == sorted(["Mało czasu", "没有钱", "Brak lokalu"])
        assert study.held.count() == 0
    assert warnings == []


def test_resuming_shows_the_held_answers_and_counts_them(qtbot, small_study: Study, warnings):
    """Held anonymous answers come back on resuming, in the widgets and in "N of M answered"."""
    org = small_study.organisations.add("Held Trust", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("role", "Chair")
    session.save_answer("sector_barriers", "Brak wolontariuszy — 没有志愿者")
    session.save_answer("sector_help", "Stałe finansowanie")
    session.save_answer("sector_engaged", "Medium")
    interview_id = session.interview_id
    path = small_study.path
    w = open_window(qtbot, small_study)
    runner = w.resume_interview(interview_id) or w.screens["interviews"].runner
    assert runner.cards["sector_barriers"].field.editor.toPlainText() == "Brak wolontariuszy — 没有志愿者"
    assert runner.cards["sector_help"].field.editor.toPlainText() == "Stałe finansowanie"
    assert runner.cards["sector_engaged"].field.value() == "Medium"
    assert runner.sections.item(1).text() == "The wider sector\n3 of 3 answered · required done · anonymous"
    assert runner.sections.item(0).text().startswith("About you\n1 of 9 answered")
    held = ("Held with this interview until 5 finished interviews have answered it, then moved to the pool "
            "(0 of 5 so far)")
    assert all(runner.cards[q].whereabouts.text() == held for q in ("sector_barriers", "sector_help", "sector_engaged"))
    runner.go(1)
    dialog = runner.finish()
    assert "What holds small groups back?" not in dialog.summary.text()  # the held answer counts
    dialog.reject()
    editor = runner.cards["sector_help"].field.editor
    editor.setFocus()
    editor.selectAll()
    type_text(editor, "Lepsze szkolenia")  # a held answer can still be corrected
    settle(qtbot, runner)
    w.close_study()
    with Study.open(path) as study:
        assert study.held.for_interview(interview_id) == {
            "sector_barriers": "Brak wolontariuszy — 没有志愿者", "sector_help": "Lepsze szkolenia",
            "sector_engaged": "Medium"}
    assert warnings == []


def test_a_finished_interview_says_its_earlier_answers_have_moved(qtbot, small_study: Study, warnings):
    from fieldkit import anonymity
    from fieldkit.ui.held import MOVED_LINE

    anonymity.set_k(small_study, 1, accept_risk=True)
    org = small_study.organisations.add("Moved On", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("sector_barriers", "Za mało pieniędzy")
    session.complete()  # with k = 1 its answer moves at once
    w = open_window(qtbot, small_study)
    runner = w.resume_interview(session.interview_id) or w.screens["interviews"].runner
    card = runner.cards["sector_barriers"]
    assert card.field.value() is None and card.whereabouts.text() == MOVED_LINE
    assert runner.sections.item(1).text().startswith("The wider sector\n0 of 3 answered")
    dialog = runner.finish()
    assert any("have moved to the pool are not counted here" in label.text()
               for label in dialog.findChildren(type(card.whereabouts)))
    dialog.reject()
    w.close_study()


def test_leave_then_resume_from_the_list_and_carry_on(qtbot, small_study: Study, warnings):
    from fieldkit.ui.qt import Qt

    org = small_study.organisations.add("Resumed Trust", category="Network")
    path = small_study.path
    w = open_window(qtbot, small_study)
    w.start_interview(org)
    screen = w.screens["interviews"]
    runner = screen.runner
    assert runner.cards["sector_barriers"].whereabouts.text().startswith("An answer here is held")
    assert runner.cards["role"].whereabouts is None  # named: nothing to say
    type_text(runner.cards["role"].field.editor, "Dyrektor")
    runner.go(1)
    type_text(runner.cards["sector_barriers"].field.editor, "Brak wolontariuszy")
    runner.leave_button.click()
    runner.leave_dialog.leave_button.click()  # no call-back
    assert screen.runner is None and screen.stack.currentWidget() is screen.list
    assert screen.list.model.rows[0].completed is None
    index = screen.list.model.index(0, 4)
    assert screen.list.model.data(index) == "In interview"
    assert "Brak" not in " ".join(str(screen.list.model.data(screen.list.model.index(0, c))) for c in range(8))

    screen.list.table.setFocus()
    screen.list.table.selectRow(0)
    press(qtbot, Qt.Key_Return)  # Enter resumes
    runner = screen.runner
    assert runner is not None and runner.resumed
    assert runner.cards["role"].field.editor.text() == "Dyrektor"
    anonymous = runner.cards["sector_barriers"]
    assert anonymous.field.value() == "Brak wolontariuszy"  # held with the interview: shown again ...
    assert anonymous.whereabouts.text().startswith("Held with this interview")  # ... and it says where it is
    assert runner.section == 1  # it reopens where it was left
    runner.go(-1)
    field = runner.cards["role"].field.editor
    field.setFocus()
    field.end(False)
    type_text(field, " (港)")
    pick(qtbot, runner, "size", "Large")
    dialog = runner.finish()
    assert dialog.summary.text() == "Every required question has an answer."  # the held one counts
    dialog.finish_button.click()
    w.close_study()
    with Study.open(path) as study:
        (record,) = study.interviews.for_organisation(org)
        assert record.answers == {"role": "Dyrektor (港)", "size": "Large"}
        assert record.completed is not None
        assert study.held.for_interview(record.id) == {"sector_barriers": "Brak wolontariuszy"}
    assert warnings == []


def test_every_type_reads_back_and_clears(qtbot, small_study: Study, warnings):
    from fieldkit.ui.qt import QDate, Qt

    org = small_study.organisations.add("All types", category="Network")
    path = small_study.path
    w = open_window(qtbot, small_study)
    w.start_interview(org)
    runner = w.screens["interviews"].runner
    story = runner.cards["story"].field.editor
    story.setFocus()
    type_text(story, "Pierwsza linia\n第二行")
    pick(qtbot, runner, "work", "Youth")
    pick(qtbot, runner, "work", "Advice")
    pick(qtbot, runner, "work", "Youth")  # and off again
    board = runner.cards["board"].field
    board.buttons[0].setFocus()
    press(qtbot, Qt.Key_Y)
    press(qtbot, Qt.Key_Delete)  # back to "not answered"
    assert board.raw() is None
    runner.cards["informed"].field.buttons[2].setFocus()
    press(qtbot, Qt.Key_Space)
    staff = runner.cards["staff"].field.editor
    staff.setFocus()
    type_text(staff, "1,200")
    founded = runner.cards["founded"].field.editor
    assert founded.text() == "Not answered"
    founded.setFocus()
    press(qtbot, Qt.Key_Up)  # the first arrow starts from today
    assert founded.date() == QDate.currentDate()
    founded.setDate(QDate(1998, 3, 14))
    pick(qtbot, runner, "listing", "Yes")
    settle(qtbot, runner)
    w.close_study()
    with Study.open(path) as study:
        (record,) = study.interviews.for_organisation(org)
        assert record.answers == {"story": "Pierwsza linia\n第二行", "work": ["Advice"], "informed": "Very",
                                  "staff": 1200, "founded": "1998-03-14", "listing": True}
        assert "permission_to_list" in study.organisations.get(org).flags
    assert warnings == []


def test_invalid_number_is_marked_and_not_saved(qtbot, small_study: Study, warnings):
    org = small_study.organisations.add("Numbers", category="Network")
    path = small_study.path
    w = open_window(qtbot, small_study)
    w.start_interview(org)
    runner = w.screens["interviews"].runner
    card = runner.cards["staff"]
    card.field.editor.setFocus()
    type_text(card.field.editor, "12a")
    assert card.problem.isVisible() and card.problem.text() == "“12a” is not a number. Not saved."
    assert runner.save_state.text() == "Not saved — see the marked answers"
    type_text(runner.cards["role"].field.editor, "x")  # focus moves on; nothing is queued for staff
    runner.flush()
    assert runner.interview.answer("staff") is None
    runner.leave_button.click()  # refused, so the misfit is not silently dropped
    assert warnings and warnings[-1][0] == "Some answers do not fit" and "Paid staff" in warnings[-1][1]
    assert w.screens["interviews"].runner is runner and focused() is card.field.editor
    warnings.clear()
    card.field.editor.clear()
    type_text(card.field.editor, "-3")
    assert card.problem.text() == "-3 is below the lowest allowed, 0. Not saved."
    card.field.editor.clear()
    type_text(card.field.editor, "7")
    assert card.problem.isHidden()
    settle(qtbot, runner)
    assert runner.interview.answer("staff") == 7
    w.close_study()
    with Study.open(path) as study:
        assert study.interviews.for_organisation(org)[0].answers["staff"] == 7
    assert warnings == []


def test_a_failed_save_is_reported_and_the_answer_stays(qtbot, small_study: Study, warnings, monkeypatch):
    org = small_study.organisations.add("Full disk", category="Network")
    path = small_study.path
    w = open_window(qtbot, small_study)
    w.start_interview(org)
    runner = w.screens["interviews"].runner
    real = InterviewSession.save_answer

    def failing(self, question_id, value):
        raise StudyFileError("the disk is full")

    monkeypatch.setattr(InterviewSession, "save_answer", failing)
    editor = runner.cards["role"].field.editor
    type_text(editor, "Sekretarz")
    runner.save_now()
    qtbot.waitUntil(lambda: bool(warnings), timeout=3000)
    assert warnings == [("Not saved", "These could not be saved:\n\nYour role: the disk is full")]
    assert editor.text() == "Sekretarz"
    assert runner.cards["role"].problem.text().startswith("Not saved: the disk is full.")
    assert runner.save_state.text() == "Not saved — see the marked answers"
    runner.leave_button.click()  # refused: something is not saved
    assert w.screens["interviews"].runner is runner

    monkeypatch.setattr(InterviewSession, "save_answer", real)
    editor.backspace()  # an edit, as typed: saved again
    type_text(editor, "ka")
    settle(qtbot, runner)
    assert runner.cards["role"].problem.isHidden()
    w.close_study()
    with Study.open(path) as study:
        assert study.interviews.for_organisation(org)[0].answers == {"role": "Sekretarka"}


class _WatchedLock:
    """The study's lock, noting each time the UI thread had to wait for it (what stalls typing)."""

    def __init__(self, lock, ui_thread: int):
        self.lock, self.ui_thread = lock, ui_thread
        self.ui_waits = 0

    def __enter__(self):
        if not self.lock.acquire(blocking=False):
            if threading.get_ident() == self.ui_thread:
                self.ui_waits += 1
            self.lock.acquire()
        return self

    def __exit__(self, *exc):
        self.lock.release()
        return False


def test_typing_never_waits_for_slow_saves(qtbot, small_study: Study, warnings, monkeypatch):
    """Each save holds the study's lock for 100 ms while the researcher types on: the saves run
    off the UI thread and the UI thread never has to wait for the lock. (How long the event loop
    stalls is measured, not asserted: a timing on a shared machine is noise.)"""
    from fieldkit.ui.interview_runner import Runner

    org = small_study.organisations.add("Slow disk", category="Network")
    path = small_study.path
    monkeypatch.setattr(Runner, "DEBOUNCE_MS", 40)  # save on every short pause, to overlap with typing
    w = open_window(qtbot, small_study)
    w.start_interview(org)
    runner = w.screens["interviews"].runner
    real = InterviewSession.save_answer
    saves: list[str] = []
    main = threading.get_ident()
    study = w.session.study
    watched = _WatchedLock(study._mutex, main)
    monkeypatch.setattr(study, "_mutex", watched)

    def slow(self, question_id, value):
        assert threading.get_ident() != main  # never on the UI thread
        with self.study._mutex:
            time.sleep(0.1)
            real(self, question_id, value)
        saves.append(value)

    monkeypatch.setattr(InterviewSession, "save_answer", slow)
    text = ("Brak pieniędzy na lokal; فنڈنگ نہیں؛ 没有场地。" * 4).strip()
    editor = runner.cards["story"].field.editor
    editor.setFocus()
    for i, ch in enumerate(text):
        type_text(editor, ch)
        qtbot.wait(50 if i % 10 == 9 else 4)  # short pauses now and then, as people type
    settle(qtbot, runner)
    assert len(saves) >= 5  # saves really ran while typing went on
    assert watched.ui_waits == 0, f"the UI thread waited {watched.ui_waits} times for a save"
    assert saves[-1] == text
    monkeypatch.setattr(study, "_mutex", watched.lock)
    w.close_study()
    with Study.open(path) as study:
        assert study.interviews.for_organisation(org)[0].answers == {"story": text}


def test_long_typing_without_a_pause_is_still_saved_every_few_seconds(qtbot, small_study: Study, warnings,
                                                                      monkeypatch):
    from fieldkit.ui.interview_runner import Runner

    org = small_study.organisations.add("Non-stop", category="Network")
    monkeypatch.setattr(Runner, "DEBOUNCE_MS", 200)
    monkeypatch.setattr(Runner, "MAX_WAIT_MS", 300)
    w = open_window(qtbot, small_study)
    w.start_interview(org)
    runner = w.screens["interviews"].runner
    saved: list[str] = []
    real = InterviewSession.save_answer
    monkeypatch.setattr(InterviewSession, "save_answer",
                        lambda self, qid, value: (real(self, qid, value), saved.append(value)))
    editor = runner.cards["story"].field.editor
    editor.setFocus()
    for ch in "Bez przerwy 不停地 بغیر رکے " * 3:
        type_text(editor, ch)
        qtbot.wait(15)  # never a 200 ms pause
    assert len(saved) >= 2 and all(editor.toPlainText().startswith(v) for v in saved)
    settle(qtbot, runner)
    assert saved[-1] == editor.toPlainText()
    w.close_study()


def test_leaving_the_study_waits_for_queued_saves(qtbot, small_study: Study, warnings, monkeypatch):
    org = small_study.organisations.add("Closing", category="Network")
    path = small_study.path
    w = open_window(qtbot, small_study)
    w.start_interview(org)
    runner = w.screens["interviews"].runner
    real = InterviewSession.save_answer

    def slow(self, question_id, value):
        time.sleep(0.2)
        real(self, question_id, value)

    monkeypatch.setattr(InterviewSession, "save_answer", slow)
    type_text(runner.cards["role"].field.editor, "Skarbnik")
    runner.go(1)
    type_text(runner.cards["sector_help"].field.editor, "更多的培训")
    w.close_study()  # straight away: pending saves are written first
    with Study.open(path) as study:
        (record,) = study.interviews.for_organisation(org)
        assert record.answers == {"role": "Skarbnik"}
        assert study.held.for_interview(record.id) == {"sector_help": "更多的培训"}


def test_list_filters_and_starting_twice_shows_the_open_interview(qtbot, small_study: Study, warnings):
    orgs = small_study.organisations
    a = orgs.add("Łódzkie Forum", category="Network")
    b = orgs.add("Birmingham Network", category="Network")
    done = small_study.interviews.start(b, interviewer="AK", date="2026-10-01")
    done.complete()
    w = open_window(qtbot, small_study)
    w.start_interview(a)
    screen = w.screens["interviews"]
    runner = screen.runner
    w.start_interview(a)
    assert screen.runner is runner  # not a second interview
    runner.leave().leave_button.click()
    assert screen.list.counts.text() == ("2 interviews · 1 finished (0 complete, 1 partial) · 1 in interview · "
                                         "0 broken off")
    screen.list.filter.setCurrentIndex(2)  # finished
    assert [r.organisation for r in screen.list.model.rows] == ["Birmingham Network"]
    screen.list.filter.setCurrentIndex(0)
    type_text(screen.list.search, "łódz")
    qtbot.waitUntil(lambda: [r.organisation for r in screen.list.model.rows] == ["Łódzkie Forum"])
    assert screen.list.empty.isHidden()
    type_text(screen.list.search, "zzz")
    qtbot.waitUntil(lambda: not screen.list.model.rows)
    assert not screen.list.empty.isHidden() and not screen.list.resume_button.isEnabled()
    w.close_study()


def test_status_bar_follows_background_saves(qtbot, tmp_path, monkeypatch):
    """While answers wait to be written the window says so; once written, "All changes saved"."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from fieldkit.study import Study
    from fieldkit.template_toml import find_template
    from fieldkit.ui.main_window import MainWindow
    from ui_typing import type_text

    path = tmp_path / "status.fieldkit"
    with Study.create(path, find_template("regional-mapping")) as study:
        org = study.organisations.add("Status Bar Trust", category="BME network")
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(path)
    w.start_interview(org)
    runner = w.screen_for("interviews").runner
    card = next(c for c in runner.cards.values() if c.question.type == "long_text" and not c.question.anonymous)
    card.field.setFocus()
    type_text(card.field.editor, "Rent has doubled")
    assert w._saved_label.text() == "Saving…"
    qtbot.waitUntil(lambda: w._saved_label.text() == "All changes saved", timeout=5000)
    w.close()
