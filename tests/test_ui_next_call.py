"""Next call (F5 from anywhere) and the sidebar's count of call-backs due."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import open_window
from fieldkit.study import Study

NOW = dt.datetime(2026, 11, 23, 13, 0)  # a Monday


@pytest.fixture
def study_path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from studies import small_template

    path = tmp_path / "calls.fieldkit"
    with Study.create(path, small_template()) as study:
        orgs, attempts = study.organisations, study.attempts
        # never tried, in a category below its target: comes after any due call-back
        orgs.add("Quiet Trust", category="Network", phone="0121 496 0001")
        busy = orgs.add("Busy Bee Network", category="Infrastructure", phone="0121 496 0002",
                        contacts=[{"name": "Zofia Wiśniewska"}])
        attempts.log(busy, outcome="No answer", at="2026-11-20T10:00", callback_at="2026-11-23T11:30")
        later = orgs.add("Later Ltd", category="Network", phone="0121 496 0003")
        attempts.log(later, outcome="Call back requested", at="2026-11-20T10:00", callback_at="2026-11-25T10:00")
        done = orgs.add("Done Group", category="Network")
        orgs.set_status(done, "declined")
    return path


@pytest.fixture
def window(qtbot, study_path):
    w = open_window(qtbot, study_path)
    w.now = lambda: NOW
    w.show_due_count()
    yield w
    w.close()


def _ids(study) -> dict[str, int]:
    orgs = study.organisations
    return {o.name: o.id for o in orgs.many(orgs.ids())}


def _press_f5(window, qtbot):
    from fieldkit.ui.qt import QApplication, Qt

    window.activateWindow()
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key_F5)
    qtbot.waitUntil(lambda: window.next_call_dialog is not None and window.next_call_dialog.isVisible())
    return window.next_call_dialog


def test_f5_shows_the_due_call_back_first_with_why(window, qtbot):
    assert window.next_call_action.shortcut().toString() == "F5"
    dialog = _press_f5(window, qtbot)
    assert dialog.name.text() == "Busy Bee Network"
    assert dialog.phone.text() == "0121 496 0002"
    assert dialog.contact.text() == "Zofia Wiśniewska"
    assert dialog.why.text().startswith("Call-back due since ")
    assert "11:30" in dialog.why.text()
    assert dialog.open_button.isDefault() and dialog.details.isVisible() and not dialog.message.isVisible()


def test_skip_shows_the_next_and_stays_skipped(window, qtbot):
    dialog = _press_f5(window, qtbot)
    dialog.skip_button.click()
    assert dialog.name.text() == "Quiet Trust"
    assert "Network: 0 of 4 interviewed" in dialog.why.text() and "not tried yet" in dialog.why.text()
    assert window.skipped_calls == [_ids(window.session.study)["Busy Bee Network"]]
    dialog.skip_button.click()  # Later Ltd waits for its call-back; Done Group is finished
    assert not dialog.details.isVisible() and dialog.message.isVisible()
    assert dialog.message.text().startswith("No one else to call now")
    dialog.close_button.click()
    again = _press_f5(window, qtbot)  # the skips hold until the study is closed
    assert not again.details.isVisible()
    again.again_button.click()
    assert again.name.text() == "Busy Bee Network"


def test_enter_opens_the_case_and_escape_closes(window, qtbot):
    from fieldkit.ui.qt import Qt

    dialog = _press_f5(window, qtbot)
    qtbot.keyClick(dialog, Qt.Key_Escape)
    qtbot.waitUntil(lambda: window.next_call_dialog is None)
    window.show_screen("pool")
    dialog = _press_f5(window, qtbot)
    qtbot.keyClick(dialog, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.next_call_dialog is None)
    organisations = window.screens["organisations"]
    assert window.stack.currentWidget() is organisations
    assert organisations.pages.currentWidget() is organisations.case_form
    assert organisations.case_form.org_id == _ids(window.session.study)["Busy Bee Network"]


def test_start_interview_from_next_call(window, qtbot):
    dialog = _press_f5(window, qtbot)
    dialog.interview_button.click()
    screen = window.screens["interviews"]
    assert window.stack.currentWidget() is screen
    assert screen.runner.interview.organisation_id == _ids(window.session.study)["Busy Bee Network"]


def test_nobody_waiting_says_so(qtbot, tmp_path, monkeypatch):
    from fieldkit.ui.next_call import NOBODY
    from studies import small_template

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "finished.fieldkit"
    with Study.create(path, small_template()) as study:
        org = study.organisations.add("All Done")
        study.organisations.set_status(org, "declined")
        shut = study.organisations.add("Shut Now", opening_hours="Mon–Fri 9–17")
    w = open_window(qtbot, path)
    w.now = lambda: dt.datetime(2026, 11, 22, 13, 0)  # a Sunday: Shut Now is closed
    dialog = _press_f5(w, qtbot)
    assert dialog.message.isVisible() and not dialog.details.isVisible()
    assert dialog.message.text() == NOBODY == ("No one to call now: every organisation is finished, waiting for a "
                                               "later call-back or outside its opening hours.")
    assert not dialog.open_button.isVisible() and not dialog.skip_button.isVisible()
    assert dialog.close_button.isDefault()
    dialog.close_button.click()
    w.now = lambda: dt.datetime(2026, 11, 23, 13, 0)  # Monday afternoon: open
    dialog = _press_f5(w, qtbot)
    assert dialog.name.text() == "Shut Now" and dialog.call.organisation_id == shut
    w.close()


def test_sidebar_counts_due_call_backs_and_follows_changes(window, qtbot):
    from fieldkit.ui.session import ATTEMPTS, ORGANISATIONS

    item = window.nav.item(1)
    assert item.text() == "Call-backs (1 due)"
    study = window.session.study
    ids = _ids(study)
    # logging an attempt with a call-back already due (as the case form does, through the session)
    window.session.call(study.attempts.log, ids["Quiet Trust"], outcome="No answer", at="2026-11-23T09:00",
                        callback_at="2026-11-23T12:00", changes={ATTEMPTS, ORGANISATIONS})
    assert item.text() == "Call-backs (2 due)"
    window.session.call(study.attempts.log, ids["Busy Bee Network"], outcome="Interview arranged",
                        at="2026-11-23T12:30", callback_at="2026-11-24T10:00", changes={ATTEMPTS, ORGANISATIONS})
    assert item.text() == "Call-backs (1 due)"
    window.session.undo_stack.clear()
    # as the minutes pass the timer counts the ones that fall due
    window.now = lambda: dt.datetime(2026, 11, 25, 10, 30)
    assert window._due_timer.isActive() and window._due_timer.interval() == 60_000
    window._due_timer.timeout.emit()
    assert item.text() == "Call-backs (3 due)"
    assert window.nav.currentItem().text() == "Organisations"  # the count does not move the selection
