"""How an interview ends, through the runner and the list: complete or partial by the study's
rule (and the researcher's override), broken off for good and taken up again, left for now
with or without a call-back; and the list's result, paradata, filters and counts."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import open_study_window
from ui_typing import type_text

from fieldkit import fieldwork
from fieldkit.callback_times import format_when
from fieldkit.interviews import InterviewRow
from fieldkit.study import Study

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def pick(qtbot, runner, qid: str, choice: str) -> None:
    from fieldkit.ui.qt import QPoint, Qt

    field = runner.cards[qid].field
    button = field.buttons[list(runner.cards[qid].question.choices).index(choice)]
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(8, button.height() // 2))


def started_runner(qtbot, study: Study, name: str, *, minutes_ago: int = 0):
    """A window with an interview with a new organisation ``name`` open in the runner. With
    ``minutes_ago``, the interview began that long ago (resumed from the list)."""
    org = study.organisations.add(name, category="Network")
    if minutes_ago:
        session = study.interviews.start(org, started=dt.datetime.now() - dt.timedelta(minutes=minutes_ago))
        session.close()
        w = open_study_window(qtbot, study)
        w.resume_interview(session.interview_id)
    else:
        w = open_study_window(qtbot, study)
        w.start_interview(org)
    return w, w.screens["interviews"].runner, org


def test_finishing_with_required_answers_missing_records_partial_and_no_tick(qtbot, small_study, warnings):
    path = small_study.path
    w, runner, org = started_runner(qtbot, small_study, "Gaps Trust")
    type_text(runner.cards["role"].field.editor, "Chair")
    dialog = runner.finish()
    assert dialog.verdict.text() == ("This interview will be recorded as <b>partial</b> "
                                     "(2 of 3 required questions unanswered).")
    assert dialog.rule.text() == ("This study's rule — Complete: every relevant required question answered. "
                                  "Partial: any other finished interview.")
    assert not dialog.full.isChecked() and dialog.partial.isHidden()
    assert [b.text() for b in dialog.jumps] == ["Size", "What holds small groups back?"]
    assert dialog.finish_button.text() == "Finish as partial" and dialog.break_button.isVisible()
    dialog.finish_button.click()
    screen = w.screens["interviews"]
    assert screen.runner is None
    assert screen.list.message.text() == "Finished the interview with Gaps Trust: partial."
    assert screen.list.model.data(screen.list.model.index(0, 4)) == "Partial"
    runner = w.resume_interview(screen.list.model.rows[0].id) or screen.runner  # to correct it
    assert runner.state.text().startswith("Partial ")
    assert runner.leave() is None and screen.runner is None  # finished: no call-back to offer
    assert screen.list.message.text() == "Closed the interview with Gaps Trust; it stays recorded as partial."
    w.close_study()
    with Study.open(path) as study:
        (record,) = study.interviews.for_organisation(org)
        assert record.result == "partial" and record.completed is not None
        assert record.sittings == 1 and record.seconds is not None
        assert study.organisations.get(org).status == "interviewed"
        assert "full_interview" not in study.organisations.get(org).flags
    assert warnings == []


def test_ticking_full_interview_records_complete(qtbot, small_study, warnings):
    path = small_study.path
    w, runner, org = started_runner(qtbot, small_study, "Ticked Trust")
    type_text(runner.cards["role"].field.editor, "Chair")
    dialog = runner.finish()
    dialog.full.setChecked(True)
    assert dialog.verdict.text() == ("This interview will be recorded as <b>complete</b> (2 of 3 required "
                                     "questions unanswered), as you ticked “Full interview completed”.")
    dialog.finish_button.click()
    assert w.screens["interviews"].list.message.text() == "Finished the interview with Ticked Trust: complete."
    w.close_study()
    with Study.open(path) as study:
        assert study.interviews.for_organisation(org)[0].result == "complete"
        assert "full_interview" in study.organisations.get(org).flags
    assert warnings == []


def test_when_the_rule_says_break_off_finishing_records_one_unless_counted(qtbot, small_study, warnings):
    fieldwork.set_settings(small_study, partial_share=0.5)
    path = small_study.path
    w, runner, org = started_runner(qtbot, small_study, "Little Said")
    type_text(runner.cards["role"].field.editor, "Chair")  # 1 of 3: below the study's 50%
    dialog = runner.finish()
    assert dialog.verdict.text().startswith("Too little is answered to count it by this study's rule (2 of 3 "
                                            "required questions unanswered), so finishing records a <b>break-off</b>.")
    assert "Little Said will be recorded as declined" in dialog.verdict.text()
    assert dialog.rule.text().endswith("Partial: at least 50% answered.")
    assert dialog.finish_button.text() == "Record the break-off" and dialog.break_button.isHidden()
    assert dialog.partial.isVisible() and not dialog.partial.isChecked()
    dialog.partial.setChecked(True)  # the researcher counts it after all ...
    assert dialog.finish_button.text() == "Finish as partial"
    assert dialog.verdict.text() == ("This interview will be recorded as <b>partial</b> (2 of 3 required "
                                     "questions unanswered), as you chose.")
    dialog.full.setChecked(True)  # ... or as full: the tick wins
    assert not dialog.partial.isEnabled() and dialog.finish_button.text() == "Finish as complete"
    dialog.full.setChecked(False)
    dialog.partial.setChecked(False)
    dialog.finish_button.click()  # as the rule says
    screen = w.screens["interviews"]
    assert screen.list.message.text() == ("Broke off the interview with Little Said: it does not count as an "
                                          "interview, and Little Said is recorded as declined. Resume it from "
                                          "here to take it up again.")
    assert screen.list.model.data(screen.list.model.index(0, 4)) == "Break-off"
    w.close_study()
    with Study.open(path) as study:
        assert study.interviews.for_organisation(org)[0].result == "break_off"
        assert study.organisations.get(org).status == "declined"
    assert warnings == []


def test_break_off_is_confirmed_recorded_listed_and_taken_up_again(qtbot, small_study, warnings):
    path = small_study.path
    w, runner, org = started_runner(qtbot, small_study, "Gave Up")
    type_text(runner.cards["role"].field.editor, "Chair")
    dialog = runner.finish()
    dialog.break_button.click()
    box = dialog.confirmation
    assert box is not None and box.isVisible()
    assert "will not count as an interview and Gave Up will be recorded as declined" in box.text()
    box.button(box.StandardButton.Cancel).click()  # thought better of it: nothing happens
    assert dialog.isVisible() and w.session.study.interviews.get(runner.interview.interview_id).result is None
    dialog.break_button.click()
    dialog.confirmation.confirm_button.click()
    screen = w.screens["interviews"]
    assert screen.runner is None and not dialog.isVisible()
    study = w.session.study
    (record,) = study.interviews.for_organisation(org)
    assert record.result == "break_off" and study.organisations.get(org).status == "declined"
    lst = screen.list
    assert lst.model.data(lst.model.index(0, 4)) == "Break-off"
    assert lst.counts.text() == "1 interview · 0 finished (0 complete, 0 partial) · 0 in interview · 1 broken off"
    assert lst.resume_button.text() == "&Take up again…"
    lst.filter.setCurrentIndex(1)  # in interview
    assert lst.model.rows == [] and lst.empty.text() == "No interviews match the name and the filter chosen."
    lst.filter.setCurrentIndex(3)  # broken off
    assert [r.id for r in lst.model.rows] == [record.id]

    lst.resume_button.click()  # asks first
    assert screen.runner is None and screen.confirmation is not None
    assert "Take it up again?" in screen.confirmation.text()
    screen.confirmation.take_up_button.click()
    runner = screen.runner
    assert runner is not None and runner.state.text() == "In interview ·"
    assert runner.cards["role"].field.editor.text() == "Chair"
    assert study.interviews.get(record.id).result is None
    assert study.organisations.get(org).status == "contacting"
    runner.leave().leave_button.click()
    w.close_study()
    with Study.open(path) as study:
        assert study.interviews.get(record.id).result is None
    assert warnings == []


def test_leave_for_now_with_a_call_back_logs_an_attempt_that_is_due(qtbot, small_study, warnings):
    w, runner, org = started_runner(qtbot, small_study, "Ring Later", minutes_ago=5)
    assert runner.state.text() == "In interview ·"
    dialog = runner.leave()
    assert dialog.isVisible() and dialog.callback.text() == ""  # nothing pending
    assert dialog.outcome.currentText() == "Call back requested"
    type_text(dialog.callback, "someday")
    assert dialog.reading.text().startswith("Cannot read “someday” as a call-back time")
    dialog.set_button.click()  # refused: the dialog stays
    assert dialog.isVisible() and w.session.study.attempts.for_organisation(org) == []
    dialog.callback.clear()
    type_text(dialog.callback, "tomorrow 10")
    tomorrow = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(10, 0))
    assert dialog.reading.text() == f"Call back {format_when(tomorrow)}."
    dialog.set_button.click()
    screen = w.screens["interviews"]
    assert screen.runner is None
    assert screen.list.message.text() == (f"Left the interview with Ring Later for now: it is still in interview; "
                                          f"resume it from here. Call back {format_when(tomorrow)} "
                                          "(on the Call-backs screen).")
    attempts = w.session.study.attempts
    (attempt,) = attempts.for_organisation(org)
    assert (attempt.outcome, attempt.callback_at) == ("Call back requested", tomorrow.isoformat())
    assert [(cb.organisation_id, cb.callback_at) for cb in attempts.callbacks()] == [(org, tomorrow.isoformat())]
    assert w.session.study.interviews.for_organisation(org)[0].result is None  # still in interview

    runner = w.resume_interview(screen.list.model.rows[0].id) or screen.runner
    assert runner.state.toolTip().startswith("Started ") and "1 sitting" in runner.state.toolTip()
    dialog = runner.leave()
    assert dialog.callback.text() == format_when(tomorrow)  # the one pending, offered again
    dialog.back_button.click()  # back to the interview
    assert screen.runner is runner and runner.leave_dialog is None
    w.close_study()
    assert warnings == []


def test_leave_without_a_call_back_logs_nothing(qtbot, small_study, warnings):
    org = small_study.organisations.add("Quiet", category="Network")
    soon = (dt.datetime.now() + dt.timedelta(days=2)).replace(hour=11, minute=0, second=0, microsecond=0)
    small_study.attempts.log(org, outcome="Call back requested", callback_at=soon,
                             at=dt.datetime.now() - dt.timedelta(hours=1))
    session = small_study.interviews.start(org)
    session.close()
    assert small_study.attempts.callbacks() == []  # the interview settled it
    w = open_study_window(qtbot, small_study)
    runner = w.resume_interview(session.interview_id) or w.screens["interviews"].runner
    dialog = runner.leave()
    assert dialog.callback.text() == format_when(soon)  # the latest attempt's call-back, pre-filled
    assert dialog.set_button.isDefault()
    dialog.leave_button.click()
    screen = w.screens["interviews"]
    assert screen.runner is None
    assert screen.list.message.text() == ("Left the interview with Quiet for now: it is still in interview; "
                                          "resume it from here.")
    assert len(w.session.study.attempts.for_organisation(org)) == 1 and w.session.study.attempts.callbacks() == []
    w.close_study()
    assert warnings == []


def row(id_, result, *, started=None, sittings=None, seconds=None, name="Org", date="2026-11-03", before=0):
    return InterviewRow(id_, id_, name, date, "phone", "AK", None if result is None else f"{date}T11:00:00",
                        result, started, sittings, seconds, before)


def test_the_list_model_shows_result_started_length_and_sittings(qtbot):
    from fieldkit.ui.interview_list import InterviewListModel, counts_words
    from fieldkit.ui.qt import Qt

    model = InterviewListModel()
    model.set_rows([
        row(1, "complete", started="2026-11-03T10:00:00", sittings=2, seconds=35 * 60 + 20, before=3),
        row(2, "partial", started="2026-11-03T14:30:00", sittings=1, seconds=45),
        row(3, None, started="2026-11-04T09:15:00", sittings=0, seconds=0),
        row(4, "break_off"),  # recorded before fieldkit kept paradata
    ])
    assert model.HEADS == ("Organisation", "Date", "Mode", "Interviewer", "Result", "Started", "Length", "Sittings",
                           "Attempts before")
    cells = [[model.data(model.index(r, c)) for c in range(4, 9)] for r in range(4)]
    year = "" if dt.date.today().year == 2026 else " 2026"
    assert cells == [
        ["Complete", f"Tue 3 Nov{year}, 10:00", "35 min", "2", "3"],
        ["Partial", f"Tue 3 Nov{year}, 14:30", "<1 min", "1", "0"],
        ["In interview", f"Wed 4 Nov{year}, 09:15", "0 min", "0", "0"],
        ["Break-off", "—", "—", "—", "0"],
    ]
    assert model.data(model.index(0, 4), Qt.ToolTipRole) == "Complete (AAPOR 1.1); finished 3 Nov 2026"
    assert model.data(model.index(3, 4), Qt.ToolTipRole) == "Break-off (AAPOR 2.12); broken off 3 Nov 2026"
    model.sort(6, Qt.DescendingOrder)  # longest first; unknown last
    assert [r.id for r in model.rows] == [1, 2, 3, 4]
    model.sort(4)
    assert [r.result for r in model.rows] == [None, "complete", "partial", "break_off"]
    assert counts_words(model.rows) == ("4 interviews · 2 finished (1 complete, 1 partial) · 1 in interview · "
                                        "1 broken off")


def test_the_list_filters_and_counts(qtbot, small_study, warnings):
    study = small_study
    orgs = study.organisations
    names = ("Complete One", "Complete Two", "Partial One", "Under Way", "Broken")
    ids = {name: orgs.add(name, category="Network") for name in names}
    for name in names:
        session = study.interviews.start(ids[name], started=dt.datetime(2026, 11, 3, 10, 0))
        if name.startswith("Complete"):
            session.finish("complete", at=dt.datetime(2026, 11, 3, 10, 40))
        elif name.startswith("Partial"):
            session.finish("partial", at=dt.datetime(2026, 11, 3, 10, 20))
        elif name == "Broken":
            session.break_off()
        session.close()
    from fieldkit.ui.interview_list import InterviewList

    lst = InterviewList(study)
    qtbot.addWidget(lst)
    assert lst.counts.text() == "5 interviews · 3 finished (2 complete, 1 partial) · 1 in interview · 1 broken off"
    assert [lst.filter.itemText(i) for i in range(lst.filter.count())] == [
        "All interviews", "In interview", "Finished", "Broken off"]

    def shown():
        return sorted(r.organisation for r in lst.model.rows)

    assert shown() == sorted(names)
    lst.filter.setCurrentIndex(1)
    assert shown() == ["Under Way"]
    lst.filter.setCurrentIndex(2)
    assert shown() == ["Complete One", "Complete Two", "Partial One"]
    lengths = {r.organisation: lst.model.data(lst.model.index(i, 6)) for i, r in enumerate(lst.model.rows)}
    assert lengths == {"Complete One": "40 min", "Complete Two": "40 min", "Partial One": "20 min"}
    lst.filter.setCurrentIndex(3)
    assert shown() == ["Broken"] and lst.resume_button.text() == "&Take up again…"
    lst.filter.setCurrentIndex(2)
    lst.search.setText("two")
    qtbot.waitUntil(lambda: shown() == ["Complete Two"])
    assert lst.resume_button.text() == "&Resume interview"
    assert lst.counts.text().startswith("5 interviews")  # the counts are the study's, not the filter's
