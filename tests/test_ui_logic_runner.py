"""The interview runner with a schedule that has logic and a second language
(tests/forms/logic.toml), driven with the mouse and the keyboard as an interviewer would:
questions appear and go as answers change without moving the one being answered, a rule
that an answer breaks is said at the question, progress counts only what is asked, the
interview reopens where it was left, Finish leads back to what is missing, the keyboard
focus stays visible, and the whole interview switches to Urdu, right to left. What was
saved is read back through the core."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import open_study_window
from test_ui_interview_runner import focused, press, settle
from ui_typing import type_text

from fieldkit.study import Study
from fieldkit.template_toml import load_template

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

LOGIC_TEMPLATE = Path(__file__).parent / "forms" / "logic.toml"
NAME = "شازیہ خان"


@pytest.fixture
def logic_study(tmp_path: Path):
    study = Study.create(tmp_path / "logic.fieldkit", load_template(LOGIC_TEMPLATE), title="Logic study")
    yield study
    study.close()



def open_window(qtbot, study: Study):
    return open_study_window(qtbot, study, size=(1280, 800))


def start(qtbot, study: Study, name: str = "Alum Rock Community Forum", **kwargs):
    """A window on ``study`` running a new interview with a new organisation."""
    org = study.organisations.add(name, category="Network", area="Birmingham")
    w = open_window(qtbot, study)
    runner = w.show_screen("interviews").start(org, **kwargs)
    qtbot.waitUntil(lambda: focused() is runner.cards["contact_name"].field.editor)
    return w, runner


def click(qtbot, runner, qid: str, index: int) -> None:
    """Click the ``index``-th button of a choice or yes/no question with the mouse."""
    from fieldkit.ui.qt import QPoint, Qt

    button = runner.cards[qid].field.buttons[index]
    assert button.isVisible()
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(8, button.height() // 2))


def where(card):
    """Where ``card`` is on screen (its top left corner in the window)."""
    from fieldkit.ui.qt import QPoint

    return card.mapTo(card.window(), QPoint(0, 0))


def shown(runner) -> set[str]:
    return {qid for qid, card in runner.cards.items() if not card.isHidden()}


def test_the_widget_registry_has_an_input_for_every_question_type(qtbot):
    from fieldkit.question_types import REGISTRY
    from fieldkit.template_toml import template_from_dict
    from fieldkit.ui.answer_widgets import (
        WIDGETS,
        CalculatedField,
        QuestionCard,
        make_field,
    )
    from fieldkit.ui.qt import Qt

    assert {t.widget for t in REGISTRY.values()} <= set(WIDGETS)
    template = load_template(LOGIC_TEMPLATE)
    for q in template.questions():
        assert isinstance(make_field(q), WIDGETS[q.qtype.widget])
    card = QuestionCard(template.question("people"))  # without a language: still works
    assert isinstance(card.field, CalculatedField) and not card.field.takes_focus
    card.field.set_value(13)
    assert card.field.display.text() == "13" and card.field.value() == 13
    urdu = QuestionCard(template.question("paid"), language="Urdu")
    assert urdu.layoutDirection() == Qt.RightToLeft and "کیا گروپ میں" in urdu.label.text()
    plain = template_from_dict({"template": {"name": "x", "title": "X", "description": "X"},
                                "sections": [{"id": "A", "title": "A", "questions": [
                                    {"id": "q", "type": "short_text", "label": "Q"}]}]}, source="test")
    assert QuestionCard(plain.question("q")).label.text().count("Q") == 1


def test_questions_come_and_go_with_the_answers_and_the_focused_card_stays_put(qtbot, logic_study, warnings):
    from fieldkit.ui.qt import Qt

    path = logic_study.path
    w, runner = start(qtbot, logic_study)
    asked_first = {"contact_name", "paid", "volunteers", "people", "region", "funding", "activities",
                   "barriers", "follow_up"}
    assert shown(runner) == asked_first  # nothing hangs on an unanswered question
    assert runner.cards["volunteers"].field.editor.text() == "0"  # the default, saved at the start
    type_text(focused(), NAME)
    press(qtbot, Qt.Key_Tab)
    assert focused() is runner.cards["paid"].field.buttons[0]
    press(qtbot, Qt.Key_Y)  # paid staff: yes ...
    assert shown(runner) == asked_first | {"staff"}  # ... asks how many
    press(qtbot, Qt.Key_Tab)
    staff = runner.cards["staff"]
    assert focused() is staff.field.editor
    before = where(staff)
    type_text(focused(), "1")
    assert runner.cards["manager"].isHidden()  # one member of staff manages nobody
    type_text(focused(), "2")
    manager = runner.cards["manager"]
    assert not manager.isHidden()  # shown as the answer is typed, before it is saved ...
    assert "Does one of the 12 staff manage the volunteers?" in manager.label.text()  # ... with it in its label
    assert where(staff) == before and focused() is staff.field.editor  # the card being typed in never moved
    press(qtbot, Qt.Key_Tab)
    assert focused() is manager.field.buttons[0]  # Tab lands on the question the answer just opened
    assert runner.cards["people"].field.display.text() == "12"  # calculated as the answers come
    settle(qtbot, runner)
    assert runner.interview.answer("people") == 12  # ... and stored by the core

    volunteers = runner.cards["volunteers"].field.editor
    volunteers.setFocus()
    page = runner.pages.currentWidget()
    page.verticalScrollBar().setValue(page.verticalScrollBar().maximum())
    qtbot.wait(10)
    before = where(runner.cards["volunteers"])
    runner.cards["paid"].field.buttons[1].click()  # "No" from elsewhere: two cards above go ...
    assert runner.cards["staff"].isHidden() and manager.isHidden()
    assert where(runner.cards["volunteers"]) == before  # ... and the one with the cursor stays where it was
    assert focused() is volunteers
    settle(qtbot, runner)
    assert runner.interview.answer("staff") == 12  # kept, but no longer asked
    assert w.session.study.interviews.irrelevant_answers(runner.interview.interview_id) == ["staff"]
    click(qtbot, runner, "paid", 0)  # yes again: the kept answer is there again
    assert not runner.cards["staff"].isHidden() and runner.cards["staff"].field.editor.text() == "12"
    assert not manager.isHidden()

    click(qtbot, runner, "funding", 3)  # "Something else" asks what
    other = runner.cards["funding_other"]
    assert not other.isHidden()
    other.field.editor.setFocus()
    type_text(other.field.editor, "Zakat")
    click(qtbot, runner, "funding", 0)  # grants: the question goes
    assert other.isHidden()
    click(qtbot, runner, "funding", 3)
    assert not other.isHidden() and other.field.editor.text() == "Zakat"

    click(qtbot, runner, "region", 1)  # the North: only its places are offered
    place = runner.cards["place"]
    assert not place.isHidden() and "Where in The North?" in place.label.text()
    assert [b.text() for b in place.field.shown_buttons()] == ["Leeds", "York"]
    click(qtbot, runner, "place", 3)  # York
    click(qtbot, runner, "region", 0)  # the Midlands after all: York is no longer offered ...
    assert [b.text() for b in place.field.shown_buttons()] == ["Birmingham", "Coventry", "York"]  # (still seen)
    assert "“York” is not offered" in place.note.text() and place.note.isVisible()
    click(qtbot, runner, "place", 1)  # ... Coventry
    assert [b.text() for b in place.field.shown_buttons()] == ["Birmingham", "Coventry"] and place.note.isHidden()
    settle(qtbot, runner)
    interview_id = runner.interview.interview_id
    w.close_study()
    assert warnings == []
    with Study.open(path) as study:
        answers = study.interviews.get(interview_id).answers
        assert (answers["contact_name"], answers["paid"], answers["staff"], answers["region"], answers["place"],
                answers["funding"], answers["funding_other"], answers["people"]) == (
            NAME, True, 12, "midlands", "cov", "other", "Zakat", 12)
        assert study.interviews.irrelevant_answers(interview_id) == []


def test_answers_that_depend_on_each_other_are_saved_in_the_order_given(qtbot, logic_study, warnings,
                                                                         monkeypatch):
    """The place offered depends on the region: with slow writes queued, the latest place is
    still saved after the latest region, so the core never refuses it."""
    import time

    from fieldkit.interviews import InterviewSession

    path = logic_study.path
    w, runner = start(qtbot, logic_study)
    real = InterviewSession.save_answer

    def slow(self, question_id, value):
        time.sleep(0.15)
        real(self, question_id, value)

    monkeypatch.setattr(InterviewSession, "save_answer", slow)
    click(qtbot, runner, "region", 1)  # the North (being written) ...
    qtbot.wait(30)
    click(qtbot, runner, "place", 3)  # ... York (waiting)
    click(qtbot, runner, "region", 0)  # the Midlands after all (waiting)
    click(qtbot, runner, "place", 1)  # Coventry: replaces York, and waits behind the Midlands
    settle(qtbot, runner)
    assert not any(card.has_problem for card in runner.cards.values())
    interview_id = runner.interview.interview_id
    w.close_study()
    with Study.open(path) as study:
        answers = study.interviews.get(interview_id).answers
        assert (answers["region"], answers["place"]) == ("midlands", "cov")
    assert warnings == []


def test_a_section_not_asked_is_greyed_and_passed_over(qtbot, logic_study, warnings):
    from fieldkit.ui.qt import Qt

    w, runner = start(qtbot, logic_study)
    volunteers = runner.sections.item(1)
    assert volunteers.text() == "Volunteers\nNot asked, given the answers so far"
    assert not volunteers.flags() & Qt.ItemIsEnabled  # greyed, and still in its place
    press(qtbot, Qt.Key_Right, Qt.AltModifier)
    assert runner.section == 2 and focused() is runner.cards["barriers"].field.editor  # passed over
    press(qtbot, Qt.Key_Left, Qt.AltModifier)
    assert runner.section == 0
    editor = runner.cards["volunteers"].field.editor
    editor.setFocus()
    editor.selectAll()
    type_text(editor, "25")  # 25 people: the volunteers section is asked
    assert volunteers.flags() & Qt.ItemIsEnabled
    assert volunteers.text() == "Volunteers\n0 of 2 answered · 1 required to go"
    runner.next_button.click()
    assert runner.section == 1 and focused() is runner.cards["training"].field.buttons[0]
    assert runner.section_pages[1].skipped.isHidden()
    w.close_study()
    assert warnings == []


def test_an_answer_that_breaks_a_rule_is_said_at_the_question_and_not_saved(qtbot, logic_study, warnings,
                                                                              monkeypatch):
    from fieldkit.ui.qt import Qt

    path = logic_study.path
    w, runner = start(qtbot, logic_study)
    press(qtbot, Qt.Key_Tab)
    press(qtbot, Qt.Key_Y)
    press(qtbot, Qt.Key_Tab)
    staff = runner.cards["staff"]
    type_text(focused(), "0")
    assert staff.problem.isVisible()
    assert staff.problem.text() == "Between 1 and 500 staff: a group with none answers No above. Not saved."
    assert runner.save_state.text() == "Not saved — see the marked answers"
    press(qtbot, Qt.Key_Tab)  # leaving the question does not save it either
    runner.flush()
    assert runner.interview.answer("staff") is None
    click(qtbot, runner, "paid", 1)  # no paid staff after all: the misfit no longer holds anything up
    assert staff.isHidden()
    settle(qtbot, runner)
    click(qtbot, runner, "paid", 0)  # asked again: still marked
    assert staff.problem.isVisible() and runner.save_state.text() == "Not saved — see the marked answers"
    staff.field.editor.setFocus()
    staff.field.editor.selectAll()
    type_text(staff.field.editor, "7")  # fixed: the message goes, and it is saved
    assert staff.problem.isHidden()
    settle(qtbot, runner)
    assert runner.interview.answer("staff") == 7

    # A refusal the screen could not see coming (the core checks every save again) is said
    # at the question as well, without a dialog.
    from fieldkit.ui.interview_runner.logic import RunnerLogic

    monkeypatch.setattr(RunnerLogic, "problem", lambda self, question, value: None)
    staff.field.editor.selectAll()
    type_text(staff.field.editor, "900")
    runner.save_now()
    qtbot.waitUntil(lambda: staff.problem.isVisible(), timeout=3000)
    assert staff.problem.text() == "Between 1 and 500 staff: a group with none answers No above. Not saved."
    assert runner.cards["people"].field.display.text() == "7"  # worked out from the 7 the study keeps
    assert warnings == []
    monkeypatch.undo()
    staff.field.editor.selectAll()
    type_text(staff.field.editor, "8")
    settle(qtbot, runner)
    assert staff.problem.isHidden()
    interview_id = runner.interview.interview_id
    w.close_study()
    with Study.open(path) as study:
        assert study.interviews.get(interview_id).answers["staff"] == 8


def test_progress_counts_only_the_questions_asked(qtbot, logic_study, warnings):
    from fieldkit.ui.qt import Qt

    w, runner = start(qtbot, logic_study)
    first = runner.sections.item(0)
    # asked: contact_name, paid, volunteers (0 by default), region, funding, activities
    assert first.text() == "About the group\n1 of 6 answered · 1 required to go"
    assert runner.progress.text() == "1 of 8 questions answered ·"  # and the two of the last section
    type_text(focused(), NAME)  # counted as it is typed
    assert first.text() == "About the group\n2 of 6 answered · required done"
    assert runner.progress.text() == "2 of 8 questions answered ·"
    press(qtbot, Qt.Key_Tab)
    press(qtbot, Qt.Key_Y)  # staff is asked now, and required
    assert first.text() == "About the group\n3 of 7 answered · 1 required to go"
    assert runner.progress.text() == "3 of 9 questions answered ·"
    press(qtbot, Qt.Key_N)  # no paid staff: the question goes from the count, its answer or not
    assert first.text() == "About the group\n3 of 6 answered · required done"
    assert runner.progress.text() == "3 of 8 questions answered ·"
    w.close_study()


def test_resuming_opens_at_the_section_left_with_every_answer_shown(qtbot, logic_study, warnings):
    from fieldkit.ui.qt import Qt

    path = logic_study.path
    w, runner = start(qtbot, logic_study)
    type_text(focused(), NAME)
    press(qtbot, Qt.Key_Right, Qt.AltModifier)
    assert runner.section == 2
    type_text(focused(), "Brak lokalu — 没有场地")  # anonymous: held with the interview
    runner.leave_button.click()
    runner.leave_dialog.leave_button.click()
    screen = w.screen_for("interviews")
    assert screen.runner is None
    interview_id = screen.list.model.rows[0].id
    assert w.session.study.interviews.get(interview_id).section == "C"
    runner = w.resume_interview(interview_id) or screen.runner
    assert runner.section == 2 and runner.sections.currentRow() == 2  # where it was left
    assert focused() is runner.cards["barriers"].field.editor
    assert runner.cards["barriers"].field.editor.toPlainText() == "Brak lokalu — 没有场地"
    assert runner.cards["barriers"].whereabouts.text().startswith("Held with this interview")
    assert runner.cards["contact_name"].field.editor.text() == NAME
    runner.leave().leave_button.click()
    w.close_study()

    # An answer kept but no longer asked: hidden on resuming, and back when asked again.
    with Study.open(path) as study:
        org = study.organisations.add("Kept Answers", category="Network")
        session = study.interviews.start(org)
        session.save_answer("paid", True)
        session.save_answer("staff", 3)
        session.save_answer("paid", False)
        assert study.interviews.irrelevant_answers(session.interview_id) == ["staff"]
        kept = session.interview_id
    assert w.open_study(path)
    runner = w.resume_interview(kept) or w.screen_for("interviews").runner
    qtbot.waitUntil(runner.isVisible)  # the window shows its new contents from the event loop
    staff = runner.cards["staff"]
    assert staff.isHidden() and staff.field.editor.text() == "3"
    click(qtbot, runner, "paid", 0)
    assert not staff.isHidden() and staff.field.editor.text() == "3"
    settle(qtbot, runner)
    assert runner.session.study.interviews.irrelevant_answers(kept) == []
    w.close_study()
    assert warnings == []


def test_finish_defaults_to_going_back_and_leads_to_each_missing_question(qtbot, logic_study, warnings):
    from fieldkit.ui.qt import Qt

    path = logic_study.path
    w, runner = start(qtbot, logic_study)
    press(qtbot, Qt.Key_Tab)
    press(qtbot, Qt.Key_Y)  # staff becomes required; volunteers' "training" is not asked
    press(qtbot, Qt.Key_Return, Qt.ControlModifier)
    dialog = runner.finish_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.summary.text() == "2 required questions have no answer. Go back to one:"
    assert [(b.text(), b.description()) for b in dialog.jumps] == [
        ("Who are you speaking to?", "Ask for the name of the person you are speaking to."),
        ("How many paid staff?", "Ask how many paid staff the group has.")]
    assert dialog.back_button.isDefault() and not dialog.finish_button.isDefault()
    qtbot.waitUntil(lambda: focused() is dialog.back_button)
    assert dialog.ring.widget() is dialog.back_button and dialog.ring.isVisible()  # the focus shows
    press(qtbot, Qt.Key_Return)  # Enter out of habit: back to the interview, not finished
    assert runner.finish_dialog is None and not dialog.isVisible()
    assert w.screen_for("interviews").runner is runner
    runner.go(2)
    dialog = runner.finish()
    qtbot.waitUntil(lambda: focused() is dialog.back_button)
    dialog.jumps[1].setFocus(Qt.TabFocusReason)
    qtbot.waitUntil(lambda: focused() is dialog.jumps[1])
    press(qtbot, Qt.Key_Space)  # "How many paid staff?"
    assert not dialog.isVisible() and runner.section == 0
    qtbot.waitUntil(lambda: focused() is runner.cards["staff"].field.editor)  # once the window is active again
    type_text(focused(), "4")
    runner.cards["contact_name"].field.editor.setFocus()
    type_text(focused(), NAME)
    dialog = runner.finish()
    assert dialog.summary.text() == "Every required question has an answer." and not dialog.jumps
    assert dialog.finish_button.isDefault() and dialog.full.isChecked()
    qtbot.waitUntil(lambda: focused() is dialog.finish_button)
    press(qtbot, Qt.Key_Return)
    assert w.screen_for("interviews").runner is None
    w.close_study()
    with Study.open(path) as study:
        (record,) = study.interviews.listing()
        assert record.completed is not None
        assert study.interviews.get(record.id).answers["staff"] == 4
    assert warnings == []


def test_the_focus_stays_visible_after_arrow_keys_in_radio_and_tick_box_groups(qtbot, logic_study, warnings):
    from fieldkit.ui.qt import QColor, QPalette, Qt

    w, runner = start(qtbot, logic_study)

    def ringed(widget) -> bool:
        """The focus ring is drawn around ``widget``: highlight-coloured pixels along its edge."""
        ring = runner.ring
        if ring.widget() is not widget or not ring.isVisible():
            return False
        image = ring.parentWidget().grab().toImage()
        colour = widget.palette().color(QPalette.Highlight)
        g = ring.geometry()
        edge = [QColor(image.pixel(x, g.top() + 1)) for x in range(g.left() + 4, g.right() - 4)]
        near = [c for c in edge if abs(c.red() - colour.red()) + abs(c.green() - colour.green())
                + abs(c.blue() - colour.blue()) < 60]
        return len(near) > len(edge) // 2

    press(qtbot, Qt.Key_Tab)
    paid = runner.cards["paid"].field
    assert focused() is paid.buttons[0] and ringed(paid.buttons[0])
    press(qtbot, Qt.Key_Right)
    assert focused() is paid.buttons[1] and paid.buttons[1].hasFocus()
    assert w.testAttribute(Qt.WA_KeyboardFocusChange)  # the style still draws its own focus mark too
    assert ringed(paid.buttons[1]) and not ringed(paid.buttons[0])
    press(qtbot, Qt.Key_Left)
    assert focused() is paid.buttons[0] and ringed(paid.buttons[0])
    activities = runner.cards["activities"].field
    activities.buttons[0].setFocus(Qt.TabFocusReason)
    press(qtbot, Qt.Key_Down)
    press(qtbot, Qt.Key_Down)
    assert focused() is activities.buttons[2] and w.testAttribute(Qt.WA_KeyboardFocusChange)
    assert ringed(activities.buttons[2])
    press(qtbot, Qt.Key_Space)
    assert activities.buttons[2].isChecked() and ringed(activities.buttons[2])
    press(qtbot, Qt.Key_2)  # picks "Youth work", and the focus goes with it
    assert focused() is activities.buttons[1] and ringed(activities.buttons[1])
    assert w.testAttribute(Qt.WA_KeyboardFocusChange)
    runner.cards["volunteers"].field.editor.setFocus(Qt.TabFocusReason)
    assert ringed(runner.cards["volunteers"].field.editor)
    runner.next_button.setFocus(Qt.TabFocusReason)
    assert ringed(runner.next_button)
    w.close_study()


def test_switching_to_urdu_rewords_everything_in_place_right_to_left(qtbot, logic_study, warnings):
    from fieldkit.ui.qt import Qt

    path = logic_study.path
    w, runner = start(qtbot, logic_study)
    type_text(focused(), NAME)
    press(qtbot, Qt.Key_Tab)
    press(qtbot, Qt.Key_Y)
    press(qtbot, Qt.Key_Tab)
    type_text(focused(), "3")
    staff = runner.cards["staff"].field.editor
    assert runner.language_box is not None and runner.language_box.currentText() == "English"
    runner.language_box.setCurrentIndex(1)  # Urdu
    assert focused() is staff and staff.text() == "3"  # the answer and the cursor stay
    assert runner.cards["contact_name"].field.editor.text() == NAME
    assert "کیا گروپ میں تنخواہ دار عملہ ہے؟" in runner.cards["paid"].label.text()
    assert "کیا 3 ملازمین میں سے کوئی رضاکاروں کا انتظام کرتا ہے؟" in runner.cards["manager"].label.text()
    assert runner.cards["staff"].help.text() == "جز وقتی عملے کو ایک ایک شمار کریں۔"
    assert [b.text() for b in runner.cards["region"].field.buttons] == ["مڈلینڈز", "شمال"]
    assert "Volunteer hours a week" in runner.cards["hours"].label.text()  # no Urdu text: the English one
    assert runner.sections.item(0).text().startswith("گروپ کے بارے میں\n")
    assert runner.section_pages[0].title.text() == "گروپ کے بارے میں"
    assert all(page.layoutDirection() == Qt.RightToLeft for page in runner.section_pages)
    assert runner.cards["paid"].layoutDirection() == Qt.RightToLeft
    paid = runner.cards["paid"].field
    assert paid.buttons[0].mapTo(paid, paid.buttons[0].rect().center()).x() > \
        paid.buttons[1].mapTo(paid, paid.buttons[1].rect().center()).x()  # "Yes" is on the right
    assert [b.text() for b in paid.buttons] == ["ہاں", "نہیں"]
    staff.selectAll()
    type_text(staff, "0")
    assert runner.cards["staff"].problem.text() == "ایک سے پانچ سو تک ملازمین. Not saved."
    staff.selectAll()
    type_text(staff, "3")
    settle(qtbot, runner)
    assert runner.interview.language == "Urdu"
    runner.language_box.setCurrentIndex(0)  # and back
    assert "Does the group have paid staff?" in runner.cards["paid"].label.text()
    assert [b.text() for b in runner.cards["paid"].field.buttons] == ["Yes", "No"]
    assert runner.section_pages[0].layoutDirection() == Qt.LeftToRight
    assert runner.cards["paid"].layoutDirection() == Qt.LeftToRight
    runner.language_box.setCurrentIndex(1)
    settle(qtbot, runner)
    interview_id = runner.interview.interview_id
    runner.leave().leave_button.click()

    # An interview started in Urdu is recorded so, and opens right to left.
    org = w.session.study.organisations.add("Sparkbrook Women's Group", category="Network")
    runner = w.show_screen("interviews").start(org, language="Urdu")
    assert runner.language_box.currentText() == "Urdu"
    assert runner.section_pages[0].layoutDirection() == Qt.RightToLeft
    assert w.session.study.interviews.get(runner.interview.interview_id).language == "Urdu"
    second = runner.interview.interview_id
    runner.leave().leave_button.click()
    w.close_study()
    with Study.open(path) as study:
        assert study.interviews.get(interview_id).language == "Urdu"
        assert study.interviews.get(interview_id).answers["staff"] == 3
        assert study.interviews.get(second).language == "Urdu"
    assert warnings == []
