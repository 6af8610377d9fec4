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
        ["Yesterday 16:00", "Yesterday's Trust", "Zofia Wiśniewska", "0121 496 0001", "Left a message: Ask for the chair"],
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
    qtbot.keyClick(screen.callback_on, Qt.Key_Tab)  # no call-back: the time field is skipped
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
    from fieldkit.ui.qt import QDateTime, Qt

    screen = _screen(window)
    study = window.session.study
    screen.tree.setFocus()
    qtbot.keyClick(screen.tree, Qt.Key_Return)
    screen.outcome.setCurrentText("Call back requested")
    screen.callback_on.setChecked(True)
    screen.callback_at.setDateTime(QDateTime(dt.datetime(2026, 11, 25, 11, 0)))
    qtbot.keyClick(screen.callback_at, Qt.Key_Enter)
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
    screen.callback_on.setChecked(True)
    screen.tree.setFocus()
    qtbot.keyClick(screen.tree, Qt.Key_Down)
    assert screen.note.text() == "" and not screen.callback_on.isChecked()
    screen.refresh()  # the minute timer: same call-back, nothing lost
    type_text(screen.note, "Druga")
    screen.refresh()
    assert screen.note.text() == "Druga"
    assert len(study.attempts.for_organisation(first.organisation_id)) == 1
