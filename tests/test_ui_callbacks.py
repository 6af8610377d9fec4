"""The Call-backs screen: groups around a fixed now, logging by keyboard, starting interviews."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fieldkit.study import Study
from ui_typing import type_text

NOW = dt.datetime(2026, 11, 23, 13, 0)


@pytest.fixture
def study_path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from studies import small_template

    path = tmp_path / "calls.fieldkit"
    with Study.create(path, small_template()) as study:
        orgs, attempts = study.organisations, study.attempts
        a = orgs.add("Yesterday's Trust", phone="0121 496 0001", contacts=[{"name": "Zofia Wiśniewska"}])
        attempts.log(a, outcome="Left a message", at="2026-11-20T10:00", callback_at="2026-11-22T16:00",
                     note="Ask for the chair")
        b = orgs.add("Morning Group", phone="0121 496 0002")
        attempts.log(b, outcome="No answer", at="2026-11-20T10:00", callback_at="2026-11-23T10:30")
        c = orgs.add("Afternoon Network", phone="0121 496 0003")
        attempts.log(c, outcome="Call back requested", at="2026-11-20T10:00", callback_at="2026-11-23T15:30")
        d = orgs.add("Next Week Forum", phone="0121 496 0004")
        attempts.log(d, outcome="Call back requested", at="2026-11-20T10:00", callback_at="2026-11-30T09:00")
        orgs.add("Never Called")
    return path


def _screen(w):
    screen = w.show_screen("callbacks")
    screen.now = lambda: NOW
    screen.refresh()
    return screen


def _rows(screen) -> dict[str, list[list[str]]]:
    tree = screen.tree
    out = {}
    for g in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(g)
        out[group.text(0)] = [[group.child(i).text(c) for c in range(tree.columnCount())]
                              for i in range(group.childCount())]
    return out


def test_groups_overdue_today_upcoming_around_now(window):
    screen = _screen(window)
    rows = _rows(screen)
    assert list(rows) == ["Overdue (2)", "Later today (1)", "Upcoming (1)"]
    assert rows["Overdue (2)"] == [
        ["Yesterday 16:00", "Yesterday's Trust", "Zofia Wiśniewska", "0121 496 0001",
         "Left a message: Ask for the chair"],
        ["Today 10:30", "Morning Group", "", "0121 496 0002", "No answer"],
    ]
    assert rows["Later today (1)"][0][:2] == ["Today 15:30", "Afternoon Network"]
    assert rows["Upcoming (1)"][0][:2] == ["Mon 30 Nov 09:00", "Next Week Forum"]
    assert screen.summary.text() == "2 overdue · 1 later today · 1 upcoming"
    # an hour later the afternoon call is still today; at 16:00 it is overdue
    screen.now = lambda: dt.datetime(2026, 11, 23, 16, 0)
    screen.refresh()
    assert list(_rows(screen)) == ["Overdue (3)", "Upcoming (1)"]


def test_log_an_attempt_by_keyboard(window, qtbot):
    from fieldkit.ui.qt import Qt

    screen = _screen(window)
    study = window.session.study
    screen.tree.setFocus()
    assert screen.current().organisation_name == "Yesterday's Trust"  # first overdue is selected
    qtbot.keyClick(screen.tree, Qt.Key_Down)
    assert screen.current().organisation_name == "Morning Group"
    qtbot.keyClick(screen.tree, Qt.Key_Return)
    assert screen.outcome.hasFocus()
    screen.outcome.setCurrentText("Left a message")
    qtbot.keyClick(screen.outcome, Qt.Key_Tab)
    assert screen.callback.hasFocus() and screen.callback.text() == ""
    qtbot.keyClick(screen.callback, Qt.Key_Tab)  # no call-back: the box is left empty
    assert screen.note.hasFocus()
    type_text(screen.note, "Zostawiłam wiadomość · پیغام چھوڑا · 留言了")
    qtbot.keyClick(screen.note, Qt.Key_Return)

    org = study.organisations.many([cb.organisation_id for cb in study.attempts.callbacks()])
    assert "Morning Group" not in [o.name for o in org]
    assert "Morning Group" not in str(_rows(screen))
    assert screen.current().organisation_name == "Afternoon Network"  # the next one, ready
    assert screen.tree.hasFocus()
    assert screen.note.text() == ""
    path = study.path
    window.close()
    with Study.open(path) as again:
        morning = next(o for o in again.search.organisation_ids("Morning"))
        latest = again.attempts.for_organisation(morning)[0]
        assert (latest.outcome, latest.note, latest.callback_at) == (
            "Left a message", "Zostawiłam wiadomość · پیغام چھوڑا · 留言了", None)


def test_log_with_a_new_callback_moves_it_and_undo_takes_it_back(window, qtbot):
    from fieldkit.ui.qt import Qt

    screen = _screen(window)
    study = window.session.study
    screen.tree.setFocus()
    qtbot.keyClick(screen.tree, Qt.Key_Return)
    screen.outcome.setCurrentText("Call back requested")
    qtbot.keyClick(screen.outcome, Qt.Key_Tab)
    type_text(screen.callback, "wed 11")  # the case form's words, read against the screen's now
    assert screen.callback_preview.text() == "Call back Wed 25 Nov 2026, 11:00."
    qtbot.keyClick(screen.callback, Qt.Key_Enter)
    rows = _rows(screen)
    assert [r[1] for r in rows["Overdue (1)"]] == ["Morning Group"]
    assert [r[:2] for r in rows["Upcoming (2)"]] == [["Wed 25 Nov 11:00", "Yesterday's Trust"],
                                                     ["Mon 30 Nov 09:00", "Next Week Forum"]]
    trust = next(cb for cb in study.attempts.callbacks() if cb.organisation_name == "Yesterday's Trust")
    assert (trust.outcome, trust.callback_at) == ("Call back requested", "2026-11-25T11:00:00")
    window.session.undo_stack.undo()
    assert [r[1] for r in _rows(screen)["Overdue (2)"]] == ["Yesterday's Trust", "Morning Group"]
    assert len(study.attempts.for_organisation(trust.organisation_id)) == 1


def test_start_interview_and_open_case_call_the_window(window, qtbot, monkeypatch):
    from fieldkit.ui.qt import Qt

    calls = []
    monkeypatch.setattr(window, "start_interview", lambda org_id: calls.append(("interview", org_id)))
    monkeypatch.setattr(window, "open_case", lambda org_id, ids=None: calls.append(("case", org_id, ids)))
    screen = _screen(window)
    screen.tree.setFocus()
    qtbot.keyClick(screen.tree, Qt.Key_Down)
    org_id = screen.current().organisation_id
    qtbot.keyClick(screen.tree, Qt.Key_I, Qt.ControlModifier)
    assert calls == [("interview", org_id)]
    qtbot.mouseClick(screen.case_button, Qt.LeftButton)
    assert calls[1][:2] == ("case", org_id)
    assert len(calls[1][2]) == 4  # Previous/Next walks the call-backs


def test_follows_changes_made_elsewhere_and_shows_when_empty(window):
    screen = _screen(window)
    study = window.session.study
    for cb in study.attempts.callbacks():
        window.session.call(study.attempts.log, cb.organisation_id, outcome="Interview arranged",
                            changes={"attempts"})
    assert _rows(screen) == {}
    assert screen.empty.isVisibleTo(screen) and not screen.tree.isVisibleTo(screen)
    assert not screen.log_button.isEnabled()
    org = study.organisations.add("Late Addition")
    window.session.call(study.attempts.log, org, outcome="No answer", callback_at="2026-11-24T10:00",
                        changes={"attempts"})
    assert _rows(screen) == {"Upcoming (1)": [["Tomorrow 10:00", "Late Addition", "", "", "No answer"]]}
    assert screen.log_button.isEnabled()


def test_a_note_typed_for_one_call_back_is_not_logged_for_another(window, qtbot):
    from fieldkit.ui.qt import Qt

    screen = _screen(window)
    study = window.session.study
    first = screen.current()
    screen.note.setFocus()
    type_text(screen.note, "Dla pierwszej")
    type_text(screen.callback, "fri 2pm")
    screen.tree.setFocus()
    qtbot.keyClick(screen.tree, Qt.Key_Down)
    assert screen.note.text() == "" and screen.callback.text() == ""
    screen.refresh()  # the minute timer: same call-back, nothing lost
    type_text(screen.note, "Druga")
    screen.refresh()
    assert screen.note.text() == "Druga"
    assert len(study.attempts.for_organisation(first.organisation_id)) == 1


def test_the_outcome_chosen_shows_the_rules_proposal_and_down_fills_it_in(window, qtbot):
    from fieldkit.ui.qt import Qt

    screen = _screen(window)
    study = window.session.study
    trust = screen.current()
    screen.outcome.setCurrentText("No answer")
    assert screen.callback.text() == ""  # shown, not filled in
    assert screen.callback_preview.text() == (
        'No answer: again in 3 hours (Mon 23 Nov, 16:00). <a href="propose">Use this call-back</a> (or ↓ in the box).')
    screen.outcome.setCurrentText("Left a message")
    assert screen.callback_preview.text().startswith("Left a message: again next working day (Tue 24 Nov, 10:00).")
    screen.outcome.setCurrentText("No answer")
    screen.callback.setFocus()
    qtbot.keyClick(screen.callback, Qt.Key_Down)
    assert screen.callback.text() == "Mon 23 Nov 2026, 16:00"
    assert screen.callback_preview.text() == "Call back Mon 23 Nov 2026, 16:00."
    qtbot.keyClick(screen.callback, Qt.Key_Down)  # a box with text in it is left alone
    assert screen.callback.text() == "Mon 23 Nov 2026, 16:00"
    qtbot.keyClick(screen.callback, Qt.Key_Return)
    assert study.attempts.for_organisation(trust.organisation_id)[0].callback_at == "2026-11-23T16:00:00"
    # on a Friday afternoon a message left is called back on Monday; the link fills it in too
    screen.now = lambda: dt.datetime(2026, 11, 27, 16, 0)
    screen.refresh()
    screen.outcome.setCurrentText("Left a message")
    screen.callback_preview.linkActivated.emit("propose")
    assert screen.callback.text() == "Mon 30 Nov 2026, 10:00" and screen.callback.hasFocus()
    # an outcome that proposes no call-back: says so, and ↓ fills in nothing
    screen.callback.clear()
    screen.outcome.setCurrentText("Interview arranged")
    assert screen.callback_preview.text() == "Interview arranged: no call-back proposed."
    qtbot.keyClick(screen.callback, Qt.Key_Down)
    assert screen.callback.text() == ""


def _set_max_attempts(window, n: int) -> None:
    from fieldkit import fieldwork

    fieldwork.set_settings(window.session.study, max_attempts=n)


def _close_question(answer: str):
    """A step for answer_modals: check the question, then press the button whose text starts with ``answer``."""
    def step(dialog):
        from fieldkit.ui.qt import QMessageBox

        assert isinstance(dialog, QMessageBox) and dialog.objectName() == "close-organisation"
        step.text = dialog.text()
        button = next(b for b in dialog.buttons() if b.text().replace("&", "").startswith(answer))
        button.click()
    return step


def test_the_studys_maximum_of_attempts_asks_and_yes_records_not_reached(window, qtbot):
    from ui_dialogs import answer_modals

    _set_max_attempts(window, 2)
    screen = _screen(window)
    study = window.session.study
    screen.tree.setCurrentItem(screen._item_at(1))
    morning = screen.current()
    assert morning.organisation_name == "Morning Group"
    screen.outcome.setCurrentText("No answer")
    assert screen.proposal.close_as == "unreachable"
    assert screen.callback_preview.text() == (
        "Attempt 2: the study's maximum is 2. Logging it asks whether to record Morning Group as not reached.")
    step = _close_question("Record as not reached")
    answered = answer_modals(step)
    assert screen.log_attempt()
    assert len(answered) == 1
    assert step.text.startswith("Attempt 2: the study's maximum is 2. Record Morning Group as not reached")
    assert study.organisations.get(morning.organisation_id).status == "unreachable"
    assert len(study.attempts.for_organisation(morning.organisation_id)) == 2
    assert "Morning Group" not in str(_rows(screen))
    window.session.undo_stack.undo()  # the status, then the attempt, come back one by one
    assert study.organisations.get(morning.organisation_id).status == "contacting"
    assert len(study.attempts.for_organisation(morning.organisation_id)) == 2


def test_keep_calling_leaves_the_status_alone(window, qtbot):
    from ui_dialogs import answer_modals

    _set_max_attempts(window, 2)
    screen = _screen(window)
    study = window.session.study
    trust = screen.current()
    screen.outcome.setCurrentText("Left a message")
    answered = answer_modals(_close_question("Keep calling"))
    assert screen.log_attempt()
    assert len(answered) == 1
    assert study.organisations.get(trust.organisation_id).status == "contacting"
    assert len(study.attempts.for_organisation(trust.organisation_id)) == 2


def test_no_question_while_calling_goes_on_or_a_call_back_is_given(window, qtbot, monkeypatch):
    screen = _screen(window)
    study = window.session.study
    asked = []
    monkeypatch.setattr(screen, "_offer_to_close", lambda *args: asked.append(args))
    screen.outcome.setCurrentText("No answer")
    assert screen.log_attempt()
    assert asked == []
    _set_max_attempts(window, 2)
    screen.refresh()
    morning = screen.current()
    assert morning.organisation_name == "Morning Group"
    screen.outcome.setCurrentText("No answer")
    assert screen.proposal.close_as == "unreachable"
    screen.callback.setText("wed 11")  # the researcher goes on calling
    assert screen.log_attempt()
    assert asked == []
    assert study.organisations.get(morning.organisation_id).status == "contacting"


def test_the_call_is_timed_and_the_number_rung_kept(window, qtbot):
    from fieldkit.ui.qt import Qt

    screen = _screen(window)
    study = window.session.study
    clock = [1000.0]
    screen.clock = lambda: clock[0]
    screen.tree.setFocus()
    qtbot.keyClick(screen.tree, Qt.Key_Down)  # choosing the row starts the call
    morning = screen.current()
    clock[0] += 95.4
    screen._show_call_time()
    assert screen.call_timer.text() == "Call 01:35"
    screen.outcome.setCurrentText("Left a message")
    assert screen.log_attempt()
    latest = study.attempts.for_organisation(morning.organisation_id)[0]
    assert (latest.seconds, latest.tried) == (95, "+441214960002")  # the number as stored
    assert screen.call_timer.text() == "Call 00:00"  # the next call-back is a new call
    after = screen.current()
    clock[0] = 5000.0
    qtbot.mouseClick(screen.restart_button, Qt.LeftButton)  # dialled a while later: time from now
    clock[0] = 8725.0
    screen._show_call_time()
    assert screen.call_timer.text() == "Call 1:02:05"
    screen.outcome.setCurrentText("No answer")
    assert screen.log_attempt()
    latest = study.attempts.for_organisation(after.organisation_id)[0]
    assert (latest.seconds, latest.tried) == (3725, after.phone)
    # a new call-back that leaves the same organisation chosen: its next call is timed afresh
    names = [cb.organisation_name for cb in screen._callbacks]
    screen.tree.setCurrentItem(screen._item_at(names.index("Yesterday's Trust")))
    afternoon = screen.current()
    clock[0] = 9000.0
    screen.outcome.setCurrentText("Call back requested")
    screen.callback.setText("today 14:00")
    assert screen.log_attempt()
    assert screen.current().organisation_id == afternoon.organisation_id
    assert study.attempts.for_organisation(afternoon.organisation_id)[0].seconds == 9000 - 8725
    clock[0] = 9010.0
    screen._show_call_time()
    assert screen.call_timer.text() == "Call 00:10"


@pytest.mark.parametrize(("text", "said"), [
    ("someday", "Cannot read “someday” as a call-back time"),
    ("today 9:00", "Mon 23 Nov 2026, 09:00 has already passed"),
])
def test_a_call_back_that_cannot_be_read_logs_nothing_and_says_why(window, qtbot, text, said):
    from fieldkit.ui.qt import Qt

    screen = _screen(window)
    study = window.session.study
    first = screen.current()
    screen.callback.setFocus()
    type_text(screen.callback, text)
    assert said in screen.callback_preview.text()
    screen.note.setFocus()
    qtbot.keyClick(screen.note, Qt.Key_Return)
    assert len(study.attempts.for_organisation(first.organisation_id)) == 1
    assert screen.callback.hasFocus() and screen.callback.text() == text
    assert said in screen.callback_preview.text()
    assert screen.current().organisation_id == first.organisation_id
