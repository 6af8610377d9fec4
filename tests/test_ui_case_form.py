"""The case form: edits saved as made (and undoable), the attempts log, contacts, walking the list.

Every test drives the real widgets from the keyboard or mouse and reads the result back
through the core, most of them from a fresh ``Study.open`` after the window closed the study.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from studies import small_template
from ui_typing import type_text

from fieldkit.study import Study

# What the offscreen platform says about windows it cannot raise or grab.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise|grabbing)")

NAME = "Stowarzyszenie Łódź — مرکز اردو 华人社区"
OUTCOME = 2  # the attempts table's Outcome column (ATTEMPT_COLUMNS)


@pytest.fixture
def study_file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.fieldkit"
    with Study.create(path, small_template(), title="Cases") as s:
        orgs = s.organisations
        alpha = orgs.add("Alpha Network", category="Network", area="Birmingham", phone="0121 496 0001",
                         contacts=[{"name": "Hodan Warsame", "role": "Coordinator"}])
        s.attempts.log(alpha, outcome="No answer", at="2026-11-02T10:00")
        s.attempts.log(alpha, outcome="Left a message", at="2026-11-03T11:30", note="Spoke to a volunteer")
        for name in ("Bravo Forum", "Delta Group"):
            s.attempts.log(orgs.add(name, category="Infrastructure"), outcome="No answer")
        orgs.add("Charlie Trust", area="Coventry")
        echo = orgs.add("Echo Collective", category="Network")
        s.interviews.start(echo, interviewer="AK", date="2026-11-10").complete(full_interview=True)
    return path


@pytest.fixture
def study_path(study_file: Path) -> Path:
    return study_file


def key(qtbot, k, modifier=None) -> None:
    """A key press to whatever has the focus, as from the keyboard."""
    from fieldkit.ui.qt import QApplication, Qt

    qtbot.keyClick(QApplication.focusWidget(), k, modifier if modifier is not None else Qt.NoModifier)


def open_by_enter(qtbot, window, name: str):
    """Select ``name`` in the list with the arrow keys and open it with Enter."""
    from fieldkit.ui.qt import Qt

    screen = window.screen_for("organisations")
    qtbot.waitUntil(lambda: not screen.loader.busy and not screen._debounce.isActive())
    names = [screen.model.data(screen.model.index(r, 0)) for r in range(screen.model.rowCount())]
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key_Home)
    for _ in range(names.index(name)):
        qtbot.keyClick(screen.table, Qt.Key_Down)
    qtbot.keyClick(screen.table, Qt.Key_Return)
    form = screen.case_form
    assert screen.pages.currentWidget() is form and form.fields["name"].text() == name
    return form


def reopen(window, path: Path) -> Study:
    window.close_study()
    return Study.open(path)


def test_edits_are_saved_as_they_are_made(window, qtbot, study_file: Path):
    from fieldkit.ui.qt import Qt

    form = open_by_enter(qtbot, window, "Charlie Trust")
    org_id = form.org_id
    name = form.fields["name"]
    name.setFocus()
    qtbot.keyClick(name, Qt.Key_A, Qt.ControlModifier)
    type_text(name, NAME)
    key(qtbot, Qt.Key_Tab)  # leaving the field saves it
    assert window.session.study.organisations.get(org_id).name == NAME
    assert form.title.text() == NAME

    form.category.setFocus()
    qtbot.keyClicks(form.category, "Inf")  # type-ahead in the drop-down
    assert form.category.currentText() == "Infrastructure"
    form.flag_boxes["follow_up"].setFocus()
    key(qtbot, Qt.Key_Space)
    form.status.setFocus()
    qtbot.keyClicks(form.status, "Ex")
    assert form.reason.isEnabled() and form.reason.hasFocus()  # the next thing to say is why
    qtbot.keyClicks(form.reason, "Clo")
    assert form.reason.currentText() == "Closed down"
    form.fields["phone"].setFocus()
    type_text(form.fields["phone"], "024 7696 0000")  # typed, not yet left: saved on closing

    study = reopen(window, study_file)
    org = study.organisations.get(org_id)
    assert (org.name, org.category, org.area, org.status, org.exclusion_reason, org.phone) == (
        NAME, "Infrastructure", "Coventry", "excluded", "Closed down", "+442476960000")  # E.164
    assert org.flags == {"follow_up"}
    study.close()


def test_undo_and_redo_restore_and_reapply_an_edit(window, qtbot, study_file: Path):
    from fieldkit.ui.qt import Qt

    form = open_by_enter(qtbot, window, "Alpha Network")
    org_id, orgs = form.org_id, window.session.study.organisations
    name = form.fields["name"]
    name.setFocus()
    qtbot.keyClick(name, Qt.Key_End)
    type_text(name, " 华人")
    qtbot.keyClick(name, Qt.Key_Return)
    form.area.setFocus()
    qtbot.keyClicks(form.area, "Cov")
    assert (orgs.get(org_id).name, orgs.get(org_id).area) == ("Alpha Network 华人", "Coventry")

    window.undo_action.trigger()
    assert orgs.get(org_id).area == "Birmingham" and form.area.currentText() == "Birmingham"
    window.undo_action.trigger()
    assert orgs.get(org_id).name == "Alpha Network" and form.fields["name"].text() == "Alpha Network"
    window.redo_action.trigger()
    assert orgs.get(org_id).name == "Alpha Network 华人" and form.fields["name"].text() == "Alpha Network 华人"

    study = reopen(window, study_file)
    assert (study.organisations.get(org_id).name, study.organisations.get(org_id).area) == (
        "Alpha Network 华人", "Birmingham")
    study.close()


def test_undo_after_walking_on_brings_the_form_back_to_that_organisation(window, qtbot):
    from fieldkit.ui.qt import Qt

    form = open_by_enter(qtbot, window, "Alpha Network")
    orgs = window.session.study.organisations
    form.flag_boxes["invite"].setFocus()
    key(qtbot, Qt.Key_Space)
    alpha = form.org_id
    key(qtbot, Qt.Key_PageDown)
    assert form.org_id != alpha
    window.undo_action.trigger()
    assert "invite" not in orgs.get(alpha).flags
    assert form.org_id == alpha and not form.flag_boxes["invite"].isChecked()


def test_log_an_attempt_with_a_call_back_from_the_keyboard(window, qtbot, study_file: Path):
    from fieldkit.ui.qt import QApplication, Qt

    form = open_by_enter(qtbot, window, "Charlie Trust")
    org_id = form.org_id
    attempts = form.attempts
    key(qtbot, Qt.Key_L, Qt.ControlModifier)
    assert attempts.outcome.hasFocus()
    key(qtbot, Qt.Key_Return)  # no outcome yet: nothing is logged, and the row says why
    assert window.session.study.attempts.for_organisation(org_id) == []
    assert "Choose an outcome" in attempts.hint.text()

    qtbot.keyClicks(attempts.outcome, "Call")
    key(qtbot, Qt.Key_Tab)
    assert QApplication.focusWidget() is attempts.callback
    type_text(attempts.callback, "tomorrow 10:30")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert "10:30" in attempts.hint.text()
    key(qtbot, Qt.Key_Tab)
    type_text(attempts.note, "Pani Zofia oddzwoni — اردو بولنے والی 说中文")
    key(qtbot, Qt.Key_Return)

    assert attempts.table.rowCount() == 1 and attempts.table.item(0, OUTCOME).text() == "Call back requested"
    assert attempts.outcome.currentIndex() == -1 and attempts.outcome.hasFocus()  # ready for the next
    assert form.status.currentText() == "Contacting"  # the first attempt moves it on

    key(qtbot, Qt.Key_L, Qt.ControlModifier)
    qtbot.wait(QApplication.keyboardInputInterval() + 50)  # a fresh type-ahead, not "CallNo"
    qtbot.keyClicks(attempts.outcome, "No")
    key(qtbot, Qt.Key_Tab)
    type_text(attempts.callback, "someday soon")
    key(qtbot, Qt.Key_Return)
    assert "Cannot read" in attempts.hint.text() and attempts.table.rowCount() == 1

    study = reopen(window, study_file)
    [a] = study.attempts.for_organisation(org_id)
    assert (a.outcome, a.channel, a.note) == ("Call back requested", "phone",
                                              "Pani Zofia oddzwoni — اردو بولنے والی 说中文")
    assert a.callback_at == f"{tomorrow.isoformat()}T10:30:00"
    assert study.organisations.get(org_id).status == "contacting"
    assert [cb.organisation_id for cb in study.attempts.callbacks()] == [org_id]
    study.close()


def test_add_edit_and_remove_contacts(window, qtbot, study_file: Path):
    from fieldkit.ui.qt import QDialogButtonBox, Qt

    form = open_by_enter(qtbot, window, "Alpha Network")
    org_id = form.org_id
    panel = form.contacts
    qtbot.mouseClick(panel.add_button, Qt.LeftButton)
    dialog = panel.dialog
    type_text(dialog.fields["name"], "Zofia Wójcik")
    dialog.fields["role"].setFocus()
    type_text(dialog.fields["role"], "Przewodnicząca")
    type_text(dialog.fields["phone"], "07700 900123")
    type_text(dialog.fields["notes"], "بولتی ہیں اردو · 会说中文")
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert panel.table.rowCount() == 2 and panel.table.item(1, 0).text() == "Zofia Wójcik"

    panel.table.setFocus()
    panel.table.selectRow(0)
    qtbot.keyClick(panel.table, Qt.Key_Return)  # edit Hodan's record
    dialog = panel.dialog
    dialog.fields["email"].setFocus()
    type_text(dialog.fields["email"], "hodan@example.org")
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok), Qt.LeftButton)

    panel.table.selectRow(0)
    qtbot.keyClick(panel.table, Qt.Key_Delete)
    assert panel.table.rowCount() == 1
    window.undo_action.trigger()  # Hodan comes back, with the e-mail address
    assert panel.table.rowCount() == 2

    study = reopen(window, study_file)
    contacts = {c.name: c for c in study.organisations.contacts(org_id)}
    assert set(contacts) == {"Hodan Warsame", "Zofia Wójcik"}
    z = contacts["Zofia Wójcik"]
    assert (z.role, z.phone, z.email, z.notes) == ("Przewodnicząca", "07700 900123", None, "بولتی ہیں اردو · 会说中文")
    assert (contacts["Hodan Warsame"].role, contacts["Hodan Warsame"].email) == ("Coordinator", "hodan@example.org")
    assert study.organisations.ids(search="wojcik") == [org_id]
    study.close()


def test_page_down_walks_the_filtered_sorted_list(window, qtbot, study_file: Path):
    from fieldkit.ui.qt import Qt

    screen = window.screen_for("organisations")
    screen.status.setFocus()
    qtbot.keyClicks(screen.status, "Con")  # Contacting: Alpha, Bravo, Delta
    qtbot.waitUntil(lambda: not screen.loader.busy)
    walk = window.session.study.organisations.ids(status="contacting")
    assert screen.model.ids == walk and len(walk) == 3

    form = open_by_enter(qtbot, window, "Alpha Network")
    assert form.where.text() == "1 of 3" and not form.previous_button.isEnabled()
    form.fields["website"].setFocus()
    type_text(form.fields["website"], "https://alpha.example.org")  # saved by walking on
    key(qtbot, Qt.Key_PageDown)
    assert form.org_id == walk[1] and form.fields["name"].text() == "Bravo Forum"
    assert form.where.text() == "2 of 3"
    assert form.attempts.table.item(0, OUTCOME).text() == "No answer"
    qtbot.mouseClick(form.next_button, Qt.LeftButton)
    assert form.fields["name"].text() == "Delta Group" and not form.next_button.isEnabled()
    key(qtbot, Qt.Key_PageDown)  # the end of the list: stays
    assert form.org_id == walk[2]
    key(qtbot, Qt.Key_PageUp)
    key(qtbot, Qt.Key_PageUp)
    assert form.org_id == walk[0] and form.fields["website"].text() == "https://alpha.example.org"
    assert form.contacts.table.item(0, 0).text() == "Hodan Warsame"
    assert [form.attempts.table.item(r, OUTCOME).text() for r in range(2)] == ["Left a message", "No answer"]
    key(qtbot, Qt.Key_Escape)
    assert screen.pages.currentWidget() is screen.list_page and screen.current_id() == walk[0]

    study = reopen(window, study_file)
    assert study.organisations.get(walk[0]).website == "https://alpha.example.org"
    study.close()


def test_interviews_listed_with_start_and_resume(window, qtbot, monkeypatch):
    from fieldkit.ui.qt import Qt

    calls = []
    monkeypatch.setattr(window, "start_interview", lambda org_id: calls.append(("start", org_id)))
    monkeypatch.setattr(window, "resume_interview", lambda interview_id: calls.append(("resume", interview_id)))
    form = open_by_enter(qtbot, window, "Echo Collective")
    panel = form.interviews
    [interview] = window.session.study.interviews.for_organisation(form.org_id)
    assert [panel.table.item(0, c).text() for c in range(3)] == ["2026-11-10", "Phone", "AK"]
    assert panel.table.item(0, 3).text().startswith("Complete ")
    qtbot.mouseClick(panel.resume_button, Qt.LeftButton)
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    assert calls == [("resume", interview.id), ("start", form.org_id)]
    assert form.flag_boxes["full_interview"].isChecked()  # what completing the interview ticked


def test_referred_by_is_picked_by_typing_part_of_a_name(window, qtbot, study_file: Path):
    from fieldkit.ui.qt import Qt

    form = open_by_enter(qtbot, window, "Charlie Trust")
    org_id = form.org_id
    picker = form.referred_by
    picker.setFocus()
    qtbot.keyClicks(picker, "alpha")
    popup = picker.completer().popup()
    qtbot.waitUntil(lambda: popup.isVisible())
    assert picker.names.stringList() == ["Alpha Network (Birmingham)"]
    qtbot.keyClick(popup, Qt.Key_Down)
    qtbot.keyClick(popup, Qt.Key_Return)
    alpha = window.session.study.organisations.find_by_name("Alpha Network")[0]
    assert window.session.study.organisations.get(org_id).referred_by == alpha
    picker.setFocus()
    qtbot.keyClick(picker, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClick(picker, Qt.Key_Delete)
    qtbot.keyClick(picker, Qt.Key_Return)  # cleared: no referral
    assert window.session.study.organisations.get(org_id).referred_by is None
    window.undo_action.trigger()
    assert picker.text() == "Alpha Network (Birmingham)"
    study = reopen(window, study_file)
    assert study.organisations.get(org_id).referred_by == alpha
    study.close()


def test_a_value_added_to_a_vocabulary_is_offered_at_once(window, qtbot):
    screen = window.screen_for("organisations")
    study = window.session.study
    form = open_by_enter(qtbot, window, "Bravo Forum")
    window.session.call(study.add_vocabulary_values, {"categories": ["Grupa wyznaniowa 信仰"],
                                                      "outcomes": ["Sent a text"]}, changes={"template"})
    assert screen.category.findText("Grupa wyznaniowa 信仰") > 0  # the list's filter
    assert form.attempts.outcome.findText("Sent a text") >= 0
    form.category.setFocus()
    qtbot.keyClicks(form.category, "Grupa")
    assert study.organisations.get(form.org_id).category == "Grupa wyznaniowa 信仰"
    assert form.category.currentText() == "Grupa wyznaniowa 信仰"


def test_a_refused_edit_says_why_and_shows_what_is_recorded(window, qtbot, monkeypatch):
    from fieldkit.ui import errors
    from fieldkit.ui.qt import Qt

    shown = []
    monkeypatch.setattr(errors, "warn", lambda parent, title, text: shown.append((title, text)))
    form = open_by_enter(qtbot, window, "Delta Group")
    name = form.fields["name"]
    name.setFocus()
    qtbot.keyClick(name, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClick(name, Qt.Key_Delete)
    qtbot.keyClick(name, Qt.Key_Return)
    assert shown == [("Not saved: rename of Delta Group", "an organisation needs a name")]
    assert name.text() == "Delta Group" and window.session.study.organisations.get(form.org_id).name == "Delta Group"
    assert window.session.undo_stack.count() == 0
