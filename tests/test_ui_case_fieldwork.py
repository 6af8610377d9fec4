"""The case form's fieldwork: the disposition beside the status, opening hours, every number and
address (struck through when wrong), the number tried and the call timer, the call-back the
rules propose, and the question before the calling ends.

Clocks are fixed (the panel's ``now`` and ``clock``); nothing sleeps. Results are read back
through the core.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
from studies import SMALL_TEMPLATE
from ui_dialogs import answer_modals
from ui_typing import type_text

from fieldkit import fieldwork
from fieldkit.callback_times import format_when
from fieldkit.opening_hours import parse_hours
from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise|grabbing)")

NOW = dt.datetime(2026, 11, 23, 12, 5)  # a Monday
BY, OUTCOME, LENGTH = 1, 2, 3  # columns of the attempts table (ATTEMPT_COLUMNS)


def _template():
    data = copy.deepcopy(SMALL_TEMPLATE)
    data["organisations"]["outcomes"] += [
        "Wrong number", "Declined",
        {"name": "Not a community group", "disposition": "4.50", "final": True}]
    return template_from_dict(data, source="fieldwork test template")


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "fieldwork.fieldkit"
    with Study.create(path, _template(), title="Fieldwork") as s:
        orgs = s.organisations
        orgs.add("Alpha Network", phone="0121 496 0001", email="info@alpha.example.org",
                 contacts=[{"name": "Hodan Warsame", "phone": "07700 900123"}])
        bravo = orgs.add("Bravo Forum", phone="0121 496 0002")
        s.attempts.log(bravo, outcome="No answer", at="2026-11-02T10:00")
        s.attempts.log(bravo, outcome="No answer", at="2026-11-03T10:00")
        s.attempts.log(bravo, outcome="Left a message", at="2026-11-04T10:00")
        orgs.add("Charlie Trust", phone="024 7696 0000")
        fieldwork.set_settings(s, max_attempts=4)
    return path


def open_case(qtbot, window, name: str):
    study = window.session.study
    [org_id] = study.organisations.find_by_name(name)
    window.open_case(org_id, study.organisations.ids())
    form = window.screen_for("organisations").case_form
    assert form.org_id == org_id and form.isVisible()
    form.attempts.now = lambda: NOW
    return form


def choose(combo, text: str) -> None:
    """Pick ``text`` in a drop-down as the keyboard would (the signals of a real choice)."""
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


class Clock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def _number_rows(form) -> list[tuple[str, str, bool]]:
    from fieldkit.ui.qt import Qt

    table = form.numbers.table
    rows = []
    for r in range(table.rowCount()):
        item = table.item(r, 0)
        struck = item.font().strikeOut()
        assert (item.data(Qt.AccessibleDescriptionRole) == "(wrong)") is struck
        rows.append((item.text(), table.item(r, 2).text(), struck))
    return rows


def _tried(form) -> list[str]:
    combo = form.attempts.tried
    return [combo.itemData(i) for i in range(combo.count())]


# --- status and disposition ------------------------------------------------------------------


def test_disposition_follows_the_attempts_and_an_interview_under_way(window, qtbot):
    from fieldkit.ui.qt import Qt

    form = open_case(qtbot, window, "Charlie Trust")
    assert form.disposition.text() == "3.11 Not attempted or worked (temporary)"
    assert form.in_interview.isHidden()
    choose(form.attempts.outcome, "No answer")
    assert form.attempts.log()
    assert form.disposition.text() == "3.13 No answer (temporary)"
    assert form.disposition_reason.text() == "Latest attempt: No answer"
    assert form.disposition.toolTip() == "latest attempt: No answer"

    qtbot.mouseClick(form.interviews.start_button, Qt.LeftButton)  # the real runner opens
    assert window.screen_for("interviews").runner is not None
    window.show_screen("organisations")
    assert form.isVisible() and not form.in_interview.isHidden()
    assert form.status.currentText() == "Contacting"  # under way: not yet interviewed
    assert form.disposition.text() == "2.12 In interview, counted as a break-off until finished"
    assert form.interviews.table.item(0, 3).text() == "In interview"
    assert window.session.study.organisations.get(form.org_id).status == "contacting"


# --- opening hours -----------------------------------------------------------------------------


def test_opening_hours_are_saved_and_read_back_in_words(window, qtbot, study_path: Path):
    from fieldkit.ui.qt import Qt

    form = open_case(qtbot, window, "Alpha Network")
    org_id, hours = form.org_id, form.fields["opening_hours"]
    assert form.hours_reading.text() == "No hours given: any time"
    hours.setFocus()
    type_text(hours, "Mon–Fri 9–5; Sat 10–1")
    assert form.hours_reading.text() == "Open Mon–Fri 09:00–17:00; Sat 10:00–13:00; closed Sun"  # as typed
    qtbot.keyClick(hours, Qt.Key_Tab)
    assert window.session.study.organisations.get(org_id).opening_hours == "Mon–Fri 9–5; Sat 10–1"
    assert form.hours_reading.text() == parse_hours("Mon–Fri 9–5; Sat 10–1").describe()
    window.close_study()
    with Study.open(study_path) as study:
        assert study.organisations.get(org_id).opening_hours == "Mon–Fri 9–5; Sat 10–1"


def test_unreadable_opening_hours_are_refused_with_the_reason_and_nothing_saved(window, qtbot, warnings):
    from fieldkit.errors import InvalidValueError
    from fieldkit.ui.qt import Qt

    form = open_case(qtbot, window, "Alpha Network")
    org_id, hours, orgs = form.org_id, form.fields["opening_hours"], window.session.study.organisations
    with pytest.raises(InvalidValueError) as refused:
        parse_hours("whenever they like")
    hours.setFocus()
    type_text(hours, "whenever they like")
    qtbot.keyClick(hours, Qt.Key_Tab)
    assert orgs.get(org_id).opening_hours is None
    reading = form.hours_reading.text()
    assert reading.startswith("Not saved: Cannot read") and "'whenever they like'" in reading
    assert reading.endswith(str(refused.value)[-40:])  # the core's reason, with its example
    assert hours.text() == "whenever they like"  # kept to be corrected
    assert window.session.undo_stack.count() == 0 and warnings == []  # said under the field, not in a dialog

    form.flag_boxes["invite"].click()  # another change reloads the form: the text and why stay
    assert hours.text() == "whenever they like" and form.hours_reading.text().startswith("Not saved: ")
    hours.setFocus()
    qtbot.keyClick(hours, Qt.Key_A, Qt.ControlModifier)
    type_text(hours, "weekdays 9-5")
    qtbot.keyClick(hours, Qt.Key_Tab)
    assert orgs.get(org_id).opening_hours == "weekdays 9-5"
    assert form.hours_reading.text() == "Open Mon–Fri 09:00–17:00; closed Sat, Sun"


# --- numbers -----------------------------------------------------------------------------------


def test_a_second_number_then_the_first_struck_through(window, qtbot, monkeypatch):
    from fieldkit.ui.qt import QDialogButtonBox, QMessageBox, Qt

    form = open_case(qtbot, window, "Alpha Network")
    panel, study = form.numbers, window.session.study
    assert _number_rows(form) == [("0121 496 0001", "Organisation", False),
                                  ("info@alpha.example.org", "Organisation", False),
                                  ("07700 900123", "Hodan Warsame", False)]
    qtbot.mouseClick(panel.add_button, Qt.LeftButton)
    dialog = panel.dialog
    type_text(dialog.value, "0121 496 0009")
    type_text(dialog.label, "reception")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert not dialog.isVisible()
    assert _number_rows(form)[2] == ("0121 496 0009", "Organisation, reception", False)

    panel.table.selectRow(0)
    assert not panel.remove_button.isEnabled()  # the first one is struck through, never removed
    assert panel.wrong_button.text() == "Mark as wrong"
    qtbot.mouseClick(panel.wrong_button, Qt.LeftButton)
    assert study.organisations.get(form.org_id).phone == "+441214960009"  # the next one moved up (E.164)
    assert form.fields["phone"].text() == "0121 496 0009"  # shown as dialled
    rows = _number_rows(form)
    assert rows[0] == ("0121 496 0009", "Organisation", False)
    assert ("0121 496 0001", "Organisation", True) in rows  # still listed, struck through
    assert _tried(form) == ["+441214960009", "07700 900123"]

    struck = [r[0] for r in rows].index("0121 496 0001")
    panel.table.selectRow(struck)
    assert panel.wrong_button.text() == "Not wrong after all" and panel.remove_button.isEnabled()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.No)
    qtbot.mouseClick(panel.remove_button, Qt.LeftButton)
    assert "typed by mistake" in asked[0] and len(_number_rows(form)) == 4  # No: kept
    qtbot.mouseClick(panel.wrong_button, Qt.LeftButton)
    assert ("0121 496 0001", "Organisation", False) in _number_rows(form)
    assert "+441214960001" in _tried(form)

    panel.table.selectRow([r[0] for r in _number_rows(form)].index("0121 496 0001"))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    qtbot.mouseClick(panel.remove_button, Qt.LeftButton)
    assert "0121 496 0001" not in [n.value for n in study.numbers.for_organisation(form.org_id)]


def test_a_number_already_listed_is_refused_and_the_dialog_stays(window, qtbot, warnings):
    from fieldkit.ui.qt import QDialogButtonBox, Qt

    form = open_case(qtbot, window, "Alpha Network")
    qtbot.mouseClick(form.numbers.add_button, Qt.LeftButton)
    dialog = form.numbers.dialog
    type_text(dialog.value, "0121 496 0001")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert warnings and "already listed" in warnings[0][1]
    assert dialog.isVisible() and dialog.value.text() == "0121 496 0001"
    dialog.reject()


# --- the attempts row ----------------------------------------------------------------------------


def test_the_number_tried_and_the_call_time_are_kept_with_the_attempt(window, qtbot, study_path: Path):
    from fieldkit.ui.qt import Qt

    form = open_case(qtbot, window, "Alpha Network")
    org_id, attempts = form.org_id, form.attempts
    clock = Clock()
    attempts.clock = clock
    assert _tried(form) == ["+441214960001", "07700 900123"]  # as stored: E.164 when valid
    assert attempts.tried.itemText(1) == "07700 900123 (Hodan Warsame)"
    attempts.tried.setCurrentIndex(1)
    qtbot.mouseClick(attempts.call_button, Qt.LeftButton)  # dialling
    assert attempts.call_button.text() == "End call"
    clock.t += 185
    attempts._ticker.timeout.emit()
    assert attempts.call_time.text() == "03:05"
    choose(attempts.outcome, "Left a message")
    clock.t += 10  # still talking when it is logged
    assert attempts.log()
    assert attempts.call_time.text() == "00:00" and attempts.call_button.text() == "Star&t call"
    assert attempts.table.item(0, BY).text() == "07700 900123"
    assert attempts.table.item(0, LENGTH).text() == "3:15"

    qtbot.mouseClick(attempts.call_button, Qt.LeftButton)
    clock.t += 42
    qtbot.mouseClick(attempts.call_button, Qt.LeftButton)  # ended: the time stops there
    clock.t += 300
    assert attempts.call_time.text() == "00:42"
    choose(attempts.outcome, "No answer")
    assert attempts.log()

    choose(attempts.channel, "Email")
    assert _tried(form) == ["info@alpha.example.org"]
    choose(attempts.outcome, "Left a message")
    assert attempts.log()  # not timed
    choose(attempts.channel, "Letter")
    assert not attempts.tried.isEnabled()

    window.close_study()
    with Study.open(study_path) as study:
        logged = sorted(study.attempts.for_organisation(org_id), key=lambda a: a.id)
        assert [(a.channel, a.tried, a.seconds) for a in logged] == [
            ("phone", "07700 900123", 195), ("phone", "+441214960001", 42), ("email", "info@alpha.example.org", None)]


def test_the_proposed_call_back_fills_the_box_but_never_what_was_typed(window, qtbot, study_path: Path):
    from fieldkit.ui.qt import Qt

    form = open_case(qtbot, window, "Alpha Network")
    org_id, attempts = form.org_id, form.attempts
    choose(attempts.outcome, "No answer")
    assert attempts.callback.text() == format_when(dt.datetime(2026, 11, 23, 15, 5)) == "Mon 23 Nov 2026, 15:05"
    assert attempts.why.isVisible() and attempts.why.text().startswith("No answer: again in 3 hours")
    choose(attempts.outcome, "Left a message")  # the box still held the proposal: the new one replaces it
    assert attempts.callback.text() == "Tue 24 Nov 2026, 10:00"
    choose(attempts.outcome, "Declined")  # final: nothing proposed
    assert attempts.callback.text() == ""

    attempts.callback.setFocus()
    type_text(attempts.callback, "fri 11")
    choose(attempts.outcome, "No answer")
    assert attempts.callback.text() == "fri 11"  # typed: kept
    assert attempts.why.text().startswith("No answer: again in 3 hours")
    qtbot.keyClick(attempts.callback, Qt.Key_Return)
    assert attempts.callback.text() == "" and not attempts.why.isVisible()
    window.close_study()
    with Study.open(study_path) as study:
        [a] = study.attempts.for_organisation(org_id)
        assert (a.outcome, a.callback_at) == ("No answer", "2026-11-27T11:00:00")


@pytest.mark.parametrize("yes", [True, False])
def test_the_studys_maximum_of_attempts_asks_before_closing(window, qtbot, yes: bool):
    from fieldkit.ui.qt import QMessageBox

    form = open_case(qtbot, window, "Bravo Forum")
    org_id, attempts, orgs = form.org_id, form.attempts, window.session.study.organisations
    choose(attempts.outcome, "No answer")  # the fourth of at most four
    assert attempts.callback.text() == ""
    assert "the study's maximum is 4" in attempts.why.text() and "not reached" in attempts.why.text()
    assert orgs.get(org_id).status == "contacting"  # nothing set before asking

    def answer(box):
        assert isinstance(box, QMessageBox) and box.text() == "Record Bravo Forum as not reached?"
        assert box.informativeText() == "Attempt 4: the study's maximum is 4."
        box.button(QMessageBox.Yes if yes else QMessageBox.No).click()

    answered = answer_modals(answer)
    assert attempts.log()
    assert len(answered) == 1
    assert orgs.get(org_id).status == ("unreachable" if yes else "contacting")
    assert form.status.currentText() == ("Unreachable" if yes else "Contacting")
    assert len(window.session.study.attempts.for_organisation(org_id)) == 4
    if yes:
        assert form.disposition.text() == "3.13 No answer"  # final now
        window.undo_action.trigger()
        assert orgs.get(org_id).status == "contacting"


def test_a_not_eligible_outcome_points_to_the_status_box(window, qtbot):
    from fieldkit.ui.qt import QApplication

    form = open_case(qtbot, window, "Charlie Trust")
    attempts, orgs = form.attempts, window.session.study.organisations
    choose(attempts.outcome, "Not a community group")
    assert "Status box" in attempts.why.text()
    assert attempts.log()  # no question: an exclusion needs a reason
    assert QApplication.activeModalWidget() is None
    assert "choose Excluded in the Status box" in attempts.hint.text() and form.status.hasFocus()
    assert orgs.get(form.org_id).status == "contacting"


@pytest.mark.parametrize("yes", [True, False])
def test_a_wrong_number_offers_to_strike_the_number_tried(window, qtbot, yes: bool):
    from fieldkit.ui.qt import QMessageBox

    form = open_case(qtbot, window, "Alpha Network")
    attempts, study = form.attempts, window.session.study
    assert attempts.tried.currentData() == "+441214960001"
    choose(attempts.outcome, "Wrong number")
    assert "strike the number tried through" in attempts.why.text()

    def answer(box):
        assert box.text() == "Strike 0121 496 0001 through as wrong?"
        box.button(QMessageBox.Yes if yes else QMessageBox.No).click()

    answered = answer_modals(answer)
    assert attempts.log()
    assert len(answered) == 1
    [a] = study.attempts.for_organisation(form.org_id)
    assert (a.outcome, a.tried) == ("Wrong number", "+441214960001")
    wrong = [n.value for n in study.numbers.for_organisation(form.org_id) if n.wrong]
    assert wrong == (["+441214960001"] if yes else [])
    assert _tried(form) == (["07700 900123"] if yes else ["+441214960001", "07700 900123"])
    assert form.fields["phone"].text() == ("" if yes else "0121 496 0001")


def test_the_interviews_panel_says_result_length_and_sittings():
    from fieldkit.interviews import Interview
    from fieldkit.ui.case_records import interview_state

    def iv(result, completed, seconds, sittings):
        return Interview(1, 1, None, 1, "2026-11-10", "phone", "AK", completed, result=result,
                         started="2026-11-10T10:00:00", sittings=sittings, seconds=seconds)

    assert interview_state(iv(None, None, 0, 0)) == "In interview"
    assert interview_state(iv("partial", "2026-11-10T11:00:00", 42 * 60 + 10, 2)) == \
        "Partial 2026-11-10 · 42 min in 2 sittings"
    assert interview_state(iv("break_off", "2026-11-10T10:05:00", 40, 1)) == "Break-off 2026-11-10 · <1 min"
