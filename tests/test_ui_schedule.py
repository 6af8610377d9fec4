"""Study settings ▸ Interview schedule: a schedule built from the Blank template by typing and
clicking, stored as template versions, undone, refused when it would break answers, and
saved as a template file."""

from __future__ import annotations

import os

import re
from pathlib import Path

import pytest
from ui_typing import type_text

from fieldkit import schedule
from fieldkit.errors import InvalidValueError, TemplateError
from fieldkit.study import Study
from fieldkit.template_toml import find_template, load_template

#: Where test_screenshots saves its pictures: a temporary folder, or the one named by
#: FIELDKIT_SCREENSHOTS (docs/screenshots, to renew the guide's).
SCREENSHOTS_FOLDER = os.environ.get("FIELDKIT_SCREENSHOTS")


@pytest.fixture
def study_path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "schedule.fieldkit"
    with Study.create(path, find_template("blank"), title="Volunteering in Walsall") as study:
        study.organisations.add("Walsall Hub")
        study.organisations.add("Friends of the Arboretum")
    return path


# --- driving the editor as a person would ------------------------------------------------------


def _editor(window, qtbot):
    from fieldkit.ui.qt import Qt

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # typing goes where the focus is
    screen = window.show_screen("settings")
    bar = screen.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(1).center())
    assert screen.tabs.currentWidget() is screen.schedule
    return screen.schedule


def _click(qtbot, button) -> None:
    from fieldkit.ui.qt import Qt

    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.LeftButton)


def _type(qtbot, field, text: str, *, enter: bool = True) -> None:
    """Replace what ``field`` holds by typing, then press Enter (which commits)."""
    from fieldkit.ui.qt import Qt

    qtbot.waitUntil(field.isVisible, timeout=1000)  # a field just added shows once events run
    field.setFocus()
    field.selectAll()
    if text:
        qtbot.keyClicks(field, text)
    else:
        qtbot.keyClick(field, Qt.Key_Backspace)
    if enter:
        qtbot.keyClick(field, Qt.Key_Return)


def _choose(qtbot, combo, text: str) -> None:
    """Pick ``text`` in a combo box with the keyboard."""
    from fieldkit.ui.qt import Qt

    assert combo.isVisible() and combo.findText(text) >= 0, (text, [combo.itemText(i) for i in range(combo.count())])
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key_Home)
    while combo.currentText() != text:
        qtbot.keyClick(combo, Qt.Key_Down)


def _field(editor, key: str):
    form = editor.form()
    return form.fields[key][0]


def _problem(editor, key: str) -> str:
    label = editor.form().fields[key][1]
    return label.text() if label.isVisible() else ""


def _select(editor, qtbot, ident: str) -> None:
    """Click the tree row of the section or question ``ident``."""
    from fieldkit.ui.qt import Qt

    tree = editor.tree
    item = next(i for i in _rows(tree) if i.data(0, Qt.UserRole)[1] == ident)
    tree.scrollToItem(item)
    qtbot.mouseClick(tree.viewport(), Qt.LeftButton, pos=tree.visualItemRect(item).center())
    assert editor.selected[1] == ident


def _rows(tree):
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        yield top
        for j in range(top.childCount()):
            yield top.child(j)


def _outline(template) -> list[tuple[str, list[str]]]:
    return [(s.id, [q.id for q in s.questions]) for s in template.sections]


def _add_question(editor, qtbot, type_title: str, qid: str, label: str) -> None:
    _choose(qtbot, editor.types, type_title)
    _click(qtbot, editor.add_question_button)
    label_field = _field(editor, "label")
    assert label_field.hasFocus()  # the new question's wording is ready to be typed
    qtbot.keyClicks(label_field, label)
    qtbot.keyClick(label_field, _key("Return"))
    _type(qtbot, _field(editor, "id"), qid)
    assert editor.selected == ("question", qid)


def _key(name: str):
    from fieldkit.ui.qt import Qt

    return getattr(Qt, f"Key_{name}")


def _add_section(editor, qtbot, sid: str, title: str) -> None:
    _click(qtbot, editor.add_section_button)
    title_field = _field(editor, "title")
    assert title_field.hasFocus()
    qtbot.keyClicks(title_field, title)
    qtbot.keyClick(title_field, _key("Return"))
    _type(qtbot, _field(editor, "id"), sid)
    assert editor.selected == ("section", sid)


def _answer_box(qtbot, button: str) -> list[str]:
    """Answer the next message box with Yes or No (its default must be No); what it said."""
    from fieldkit.ui.qt import QApplication, QMessageBox, QTimer

    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        assert box.defaultButton() is box.button(QMessageBox.No)
        box.button(QMessageBox.Yes if button == "Yes" else QMessageBox.No).click()

    QTimer.singleShot(0, answer)
    return seen


def build_schedule(editor, qtbot) -> None:
    """Two sections with logic, typed into the editor from an empty schedule."""
    from fieldkit.ui.qt import Qt

    assert editor.template.sections == ()
    assert not editor.add_question_button.isEnabled()  # a question goes into a section
    _add_section(editor, qtbot, "about", "About the organisation")
    _add_question(editor, qtbot, "Yes or no", "member", "Are you a member of the network?")
    _add_question(editor, qtbot, "Number", "volunteers", "How many volunteers do you have?")
    # the form shows what the type has (the registry says), nothing else
    assert _field(editor, "min").isVisible() and not _field(editor, "flag").isVisible()
    assert not editor.question_form.choice_box.isVisible() and not _field(editor, "calculation").isVisible()
    _type(qtbot, _field(editor, "constraint"), ". >= 0 and . <= 500")
    _type(qtbot, _field(editor, "constraint_message"), "Between 0 and 500, please")

    _select(editor, qtbot, "about")
    _add_section(editor, qtbot, "membership", "Membership")
    _add_question(editor, qtbot, "Long text", "why", "Why did you join?")
    _type(qtbot, _field(editor, "relevant"), "${member} = 'yes'")
    _add_question(editor, qtbot, "One choice", "kind", "What kind of organisation are you?")
    choices = editor.question_form.choices
    for text in ("Charity", "Social enterprise", "Community group"):
        _type(qtbot, choices.new, text)
    for text in ("Choice 1", "Choice 2"):  # the two a new choice question starts with
        item = next(choices.tree.topLevelItem(i) for i in range(choices.tree.topLevelItemCount())
                    if choices.tree.topLevelItem(i).text(0) == text)
        choices.tree.setCurrentItem(item)
        choices.tree.setFocus()
        qtbot.keyClick(choices.tree, Qt.Key_Delete)
    other = _field(editor, "other")
    other.setFocus()
    qtbot.keyClick(other, Qt.Key_Space)
    _add_question(editor, qtbot, "Calculated value", "hours", "Volunteer hours a week")
    assert not _field(editor, "anonymous").isVisible() and not _field(editor, "constraint").isVisible()
    _type(qtbot, _field(editor, "calculation"), "${volunteers} * 2")


EXPECTED = [("about", ["member", "volunteers"]), ("membership", ["why", "kind", "kind_other", "hours"])]


def test_build_a_schedule_with_logic_and_use_it(window, qtbot, tmp_path, monkeypatch):
    from fieldkit.ui.qt import QFileDialog

    editor = _editor(window, qtbot)
    study = window.session.study
    build_schedule(editor, qtbot)
    t = study.template
    assert _outline(t) == EXPECTED
    assert [s.title for s in t.sections] == ["About the organisation", "Membership"]
    volunteers, why, kind, hours = (t.question(x) for x in ("volunteers", "why", "kind", "hours"))
    assert (volunteers.type, volunteers.constraint, volunteers.constraint_message) == (
        "number", ". >= 0 and . <= 500", "Between 0 and 500, please")
    assert why.relevant == "${member} = 'yes'"
    assert kind.other and kind.choices == ("Charity", "Social enterprise", "Community group", "other")
    assert hours.calculation == "${volunteers} * 2"
    versions = study.template_versions()
    assert len(versions) > 10  # every committed change is a version of its own

    # the tree lists the questions a person wrote, not the generated "kind_other"
    assert [i.text(0) for i in _rows(editor.tree)] == ["about", "member", "volunteers", "membership", "why",
                                                       "kind", "hours"]
    kind_row = next(i for i in _rows(editor.tree) if i.text(0) == "kind")
    assert (kind_row.text(1), kind_row.text(2)) == ("What kind of organisation are you?", "One choice")

    # Save schedule as template…
    target = tmp_path / "walsall volunteering.toml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    _click(qtbot, editor.save_button)
    assert str(target) in editor.saved_note.text()
    saved, current = load_template(target).to_dict(), study.template.to_dict()
    for d in (saved, current):
        d["template"].pop("version")
        d["template"].pop("name")
    assert saved == current

    # reopen the study: the same schedule
    before = study.template.to_dict()
    path = study.path
    window.close()
    with Study.open(path) as again:
        assert again.template.to_dict() == before
        # and the logic works in an interview run through the core
        org = again.organisations.ids()[0]
        session = again.interviews.start(org)
        session.save_answer("member", False)
        assert "why" not in session.state().relevant
        with pytest.raises(InvalidValueError, match="Between 0 and 500, please"):
            session.save_answer("volunteers", 600)
        session.save_answer("volunteers", 40)
        assert session.state().calculated["hours"] == 80
        session.save_answer("member", True)
        assert "why" in session.state().relevant
        session.save_answer("kind", "other")
        assert "kind_other" in session.state().relevant


@pytest.fixture
def built(window, qtbot):
    editor = _editor(window, qtbot)
    build_schedule(editor, qtbot)
    return editor


def test_undo_brings_the_previous_schedule_back(window, built, qtbot):
    editor, study = built, window.session.study
    _select(editor, qtbot, "volunteers")
    before = study.template.to_dict()
    _type(qtbot, _field(editor, "label"), "How many volunteers, roughly?")
    assert study.template.question("volunteers").label == "How many volunteers, roughly?"
    window.undo_action.trigger()  # Edit ▸ Undo
    assert study.template.to_dict()["sections"] == before["sections"]
    assert _field(editor, "label").text() == "How many volunteers do you have?"
    window.redo_action.trigger()
    assert study.template.question("volunteers").label == "How many volunteers, roughly?"


def test_a_bad_expression_is_located_and_not_stored(window, built, qtbot):
    editor, study = built, window.session.study
    _select(editor, qtbot, "why")
    versions = study.template_versions()
    relevant = _field(editor, "relevant")
    _type(qtbot, relevant, "${zz} = 'yes'", enter=False)
    # while typing: the core's problem with this field, after a pause, where it is
    with pytest.raises(TemplateError) as refused:
        schedule.replace_question(study.template, "why", {**schedule.question_data(study.template, "why"),
                                                          "relevant": "${zz} = 'yes'"})
    located = refused.value.problems[0].split("relevant: ", 1)[1]
    assert re.fullmatch(r"unknown question 'zz' \(at character \d+\)", located)
    qtbot.waitUntil(lambda: _problem(editor, "relevant") == located, timeout=2000)
    qtbot.keyClick(relevant, _key("Return"))
    assert _problem(editor, "relevant") == located
    assert study.template_versions() == versions
    assert study.template.question("why").relevant == "${member} = 'yes'"
    assert relevant.text() == "${zz} = 'yes'"  # kept, to be fixed
    _type(qtbot, relevant, "${member} = 'no'")
    assert _problem(editor, "relevant") == ""
    assert study.template.question("why").relevant == "${member} = 'no'"
    # a question cannot refer to a later one
    _select(editor, qtbot, "member")
    _type(qtbot, _field(editor, "relevant"), "${volunteers} > 3")
    assert "comes later" in _problem(editor, "relevant") or "later" in _problem(editor, "relevant")


def test_alt_up_and_down_move_questions(window, built, qtbot):
    from fieldkit.ui.qt import Qt

    editor, study = built, window.session.study
    _select(editor, qtbot, "volunteers")
    editor.tree.setFocus()
    qtbot.keyClick(editor.tree, Qt.Key_Up, Qt.AltModifier)
    assert _outline(study.template)[0] == ("about", ["volunteers", "member"])
    assert editor.selected == ("question", "volunteers")
    qtbot.keyClick(editor.tree, Qt.Key_Down, Qt.AltModifier)
    assert _outline(study.template) == EXPECTED
    # from the last of a section into the next
    qtbot.keyClick(editor.tree, Qt.Key_Down, Qt.AltModifier)
    assert _outline(study.template) == [("about", ["member"]),
                                        ("membership", ["volunteers", "why", "kind", "kind_other", "hours"])]
    qtbot.keyClick(editor.tree, Qt.Key_Up, Qt.AltModifier)
    assert _outline(study.template) == EXPECTED
    # a move the logic forbids is refused and said
    _select(editor, qtbot, "why")
    editor.tree.setFocus()
    qtbot.keyClick(editor.tree, Qt.Key_Up, Qt.AltModifier)
    qtbot.keyClick(editor.tree, Qt.Key_Up, Qt.AltModifier)
    assert _outline(study.template)[0] == ("about", ["member", "why", "volunteers"])
    versions = study.template_versions()
    qtbot.keyClick(editor.tree, Qt.Key_Up, Qt.AltModifier)  # "why" is asked only if "member" says yes
    assert study.template_versions() == versions
    assert _outline(study.template)[0] == ("about", ["member", "why", "volunteers"])
    assert editor.problems.isVisible() and "unknown question 'member'" in editor.problems.text() \
        or "later" in editor.problems.text()


def test_drag_and_drop_moves_questions_and_sections(window, built, qtbot):
    from fieldkit.ui.qt import (
        QApplication,
        QDragEnterEvent,
        QDragMoveEvent,
        QDropEvent,
        QPointF,
        Qt,
    )

    editor, study = built, window.session.study
    tree = editor.tree

    def drag(ident: str, onto: str, where: str) -> None:
        _select(editor, qtbot, ident)
        source = next(i for i in _rows(tree) if i.text(0) == ident)
        target = next(i for i in _rows(tree) if i.text(0) == onto)
        rect = tree.visualItemRect(target)
        y = {"above": rect.top() + 2, "below": rect.bottom() - 2, "on": rect.center().y()}[where]
        mime = tree.mimeData([source])
        at = QPointF(rect.center().x(), y)
        # what a drag does: enter, move over the target, drop (Qt drops where the drag entered)
        for kind in (QDragEnterEvent, QDragMoveEvent, QDropEvent):
            args = (at.toPoint(),) if kind is not QDropEvent else (at,)
            QApplication.sendEvent(tree.viewport(), kind(*args, Qt.MoveAction, mime, Qt.LeftButton, Qt.NoModifier))
        qtbot.wait(20)

    drag("hours", "volunteers", "below")
    assert _outline(study.template) == [("about", ["member", "volunteers", "hours"]),
                                        ("membership", ["why", "kind", "kind_other"])]
    drag("hours", "kind", "below")
    assert _outline(study.template) == EXPECTED
    drag("membership", "about", "above")
    assert [s.id for s in study.template.sections] == ["about", "membership"]  # refused: "why" needs "member"
    assert "member" in editor.problems.text()
    drag("hours", "about", "on")  # onto a section: to its end
    assert _outline(study.template) == [("about", ["member", "volunteers", "hours"]),
                                        ("membership", ["why", "kind", "kind_other"])]
    _select(editor, qtbot, "why")
    _type(qtbot, _field(editor, "relevant"), "")
    drag("membership", "about", "above")
    assert [s.id for s in study.template.sections] == ["membership", "about"]
    assert tree.topLevelItem(0).text(0) == "membership"


def _record(study, session, **answers) -> int:
    """An interview recorded through the core, as the runner does; its id."""
    interview = study.interviews.start(study.organisations.ids()[0])
    for qid, value in answers.items():
        interview.save_answer(qid, value)
    session.notify({"interviews"})
    return interview.interview_id


def test_renaming_a_used_choice_keeps_answers_and_removing_it_asks(window, built, qtbot):
    from fieldkit.ui.qt import QApplication, QLineEdit, Qt

    editor, study = built, window.session.study
    taken = _record(study, window.session, member=True, kind="Charity")
    _select(editor, qtbot, "kind")
    choices = editor.question_form.choices
    assert [choices.tree.topLevelItem(i).text(3) for i in range(3)] == ["1", "–", "–"]
    choices.tree.setCurrentItem(choices.tree.topLevelItem(0))
    choices.tree.setFocus()
    qtbot.keyClick(choices.tree, Qt.Key_F2)
    line = QApplication.focusWidget()
    assert isinstance(line, QLineEdit)
    line.selectAll()
    qtbot.keyClicks(line, "Registered charity")
    qtbot.keyClick(line, Qt.Key_Return)
    qtbot.waitUntil(lambda: study.template.question("kind").choice("Charity").label == "Registered charity")
    kind = study.template.question("kind")
    assert kind.choices[0] == "Charity"  # the stored name stays: answers follow
    answer = study.interviews.get(taken).answers["kind"]
    assert (answer, kind.as_text(answer)) == ("Charity", "Registered charity")

    versions = study.template_versions()
    choices.tree.setCurrentItem(choices.tree.topLevelItem(0))
    choices.tree.setFocus()
    seen = _answer_box(qtbot, "No")
    qtbot.keyClick(choices.tree, Qt.Key_Delete)
    assert seen == [("The choice 'Registered charity' is in 1 answer. Remove it anyway? Old interviews keep it; "
                     "counts will no longer show it.")]
    assert study.template_versions() == versions
    assert study.template.question("kind").choice("Charity") is not None
    choices.tree.setCurrentItem(choices.tree.topLevelItem(0))
    seen = _answer_box(qtbot, "Yes")
    qtbot.keyClick(choices.tree, Qt.Key_Delete)
    assert seen and study.template.question("kind").choice("Charity") is None
    assert study.template.question("kind").choices == ("Social enterprise", "Community group", "other")


def test_a_used_question_cannot_switch_to_anonymous_but_can_be_added_again(window, built, qtbot):
    editor, study = built, window.session.study
    _record(study, window.session, member=True, why="To meet others")
    _select(editor, qtbot, "why")
    versions = study.template_versions()
    anonymous = _field(editor, "anonymous")
    anonymous.setFocus()
    qtbot.keyClick(anonymous, _key("Space"))
    assert "cannot become anonymous" in _problem(editor, "anonymous")
    assert study.template_versions() == versions
    _click(qtbot, editor.instead_button)
    t = study.template
    assert _outline(t)[1] == ("membership", ["why", "why_2", "kind", "kind_other", "hours"])
    assert not t.question("why").anonymous and t.question("why_2").anonymous
    assert editor.selected == ("question", "why_2")


def test_delete_asks_when_the_question_has_answers(window, built, qtbot):
    editor, study = built, window.session.study
    _record(study, window.session, member=True, volunteers=12)
    _select(editor, qtbot, "kind")
    _click(qtbot, editor.delete_button)  # no answers: gone at once (Undo brings it back)
    assert _outline(study.template)[1] == ("membership", ["why", "hours"])
    assert editor.selected == ("question", "hours")
    _select(editor, qtbot, "volunteers")
    versions = study.template_versions()
    seen = _answer_box(qtbot, "No")
    _click(qtbot, editor.delete_button)
    assert seen == [("The question 'volunteers' has 1 answer. Delete it from the schedule? Interviews already "
                     "taken keep their answers; from now on it is not asked, counted or reported.")]
    assert study.template_versions() == versions
    seen = _answer_box(qtbot, "Yes")
    _click(qtbot, editor.delete_button)  # yes, but the calculation of "hours" needs it: refused, and said
    assert seen and study.template_versions() == versions
    assert "hours" in editor.problems.text() and "volunteers" in editor.problems.text()


def test_languages_translations_and_missing_texts(window, built, qtbot):
    editor, study = built, window.session.study
    _type(qtbot, editor.languages.new, "Polish")
    assert study.template.languages == ("English", "Polish")
    missing = study.template.missing_texts()["Polish"]
    assert "question 'member' label" in missing
    top = editor.languages.missing.topLevelItem(0)
    assert top.text(0) == f"Polish: {len(missing)} missing"
    _select(editor, qtbot, "member")
    polish = editor.question_form.translations["label", "Polish"]
    polish.setFocus()
    type_text(polish, "Czy jesteś członkiem sieci?")
    qtbot.keyClick(polish, _key("Return"))
    assert study.template.question("member").translations["label::Polish"] == "Czy jesteś członkiem sieci?"
    assert "question 'member' label" not in study.template.missing_texts()["Polish"]
    _select(editor, qtbot, "kind")
    _type(qtbot, editor.question_form.translations["choice:Charity", "Polish"], "Organizacja charytatywna")
    assert study.template.question("kind").choice("Charity").translations == {"Polish": "Organizacja charytatywna"}
    assert study.template.question("kind").choice_label("Charity", "Polish") == "Organizacja charytatywna"
    # Enter on a missing text goes to its field
    top = editor.languages.missing.topLevelItem(0)
    child = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0) == "question 'why' label")
    editor.languages.missing.setCurrentItem(child)
    editor.languages.missing.setFocus()
    qtbot.keyClick(editor.languages.missing, _key("Return"))
    assert editor.selected == ("question", "why")
    assert editor.question_form.translations["label", "Polish"].hasFocus()


def test_every_control_has_an_accessible_name(window, built, qtbot):
    from fieldkit.ui.qt import (
        QAbstractButton,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QTreeWidget,
    )

    editor = built
    for ident in ("about", "kind"):
        _select(editor, qtbot, ident)
        controls = [w for kind in (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTreeWidget)
                    for w in editor.findChildren(kind)]
        for widget in controls:
            if widget.isVisible() and widget.focusPolicy() != 0 and not widget.parent().inherits("QComboBox"):
                assert widget.accessibleName() or (isinstance(widget, QAbstractButton) and widget.text()), widget


def test_screenshots(window, built, qtbot, tmp_path):
    from fieldkit.ui.fonts import install_app_fonts

    SCREENSHOTS = Path(SCREENSHOTS_FOLDER) if SCREENSHOTS_FOLDER else tmp_path  # noqa: N806

    install_app_fonts()  # as the app does: Urdu shows in its own script
    window.resize(1280, 800)
    editor, study = built, window.session.study
    _select(editor, qtbot, "why")
    qtbot.wait(50)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SCREENSHOTS / "schedule-editor.png"))
    _type(qtbot, editor.languages.new, "Urdu")
    _select(editor, qtbot, "kind")
    for key, text in (("label", "آپ کس قسم کی تنظیم ہیں؟"), ("choice:Charity", "خیراتی ادارہ")):
        field = editor.question_form.translations[key, "Urdu"]
        field.setFocus()
        type_text(field, text)
        qtbot.keyClick(field, _key("Return"))
    assert study.template.question("kind").text("label", "Urdu") == "آپ کس قسم کی تنظیم ہیں؟"
    _choose(qtbot, editor.language_box, "Urdu")  # the preview in Urdu
    field = editor.question_form.translations["choice:Social enterprise", "Urdu"]
    field.setFocus()  # the next text to write
    editor.form_area.ensureWidgetVisible(field, 0, 120)
    qtbot.wait(50)
    assert window.grab().save(str(SCREENSHOTS / "schedule-languages.png"))


def test_what_is_typed_is_saved_when_the_field_is_left_or_the_study_closed(window, built, qtbot):
    editor, study = built, window.session.study
    _select(editor, qtbot, "volunteers")
    _type(qtbot, _field(editor, "label"), "Volunteers, roughly?", enter=False)
    _select(editor, qtbot, "member")  # clicking elsewhere leaves the field: stored
    assert study.template.question("volunteers").label == "Volunteers, roughly?"
    _type(qtbot, _field(editor, "help"), "Ask about the last year", enter=False)
    path = study.path
    window.close()
    with Study.open(path) as again:
        assert again.template.question("member").help == "Ask about the last year"


def test_the_form_follows_the_type(window, built, qtbot):
    editor, study = built, window.session.study
    _select(editor, qtbot, "why")
    form = editor.question_form
    _choose(qtbot, _field(editor, "type"), "One choice")
    why = study.template.question("why")
    assert (why.type, why.choices) == ("single_choice", ("Choice 1", "Choice 2"))  # ready to be renamed
    assert form.choice_box.isVisible() and _field(editor, "other").isVisible()
    assert not _field(editor, "min").isVisible() and not _field(editor, "calculation").isVisible()
    _choose(qtbot, _field(editor, "type"), "Scale")
    assert study.template.question("why").type == "scale"
    assert not _field(editor, "other").isVisible()  # a scale has no "Other, please specify"
    # a problem the change makes elsewhere is shown under the form, where it is
    _select(editor, qtbot, "volunteers")
    versions = study.template_versions()
    _choose(qtbot, _field(editor, "type"), "Short text (one line)")
    assert "question 'hours', calculation: '*' needs numbers" in editor.problems.text()
    assert study.template_versions() == versions
    # an answered question keeps its type: the reason, and a way on
    _record(study, window.session, member=True, kind="Charity")
    _select(editor, qtbot, "kind")
    _choose(qtbot, _field(editor, "type"), "Several choices")
    assert "cannot become multiple_choice" in _problem(editor, "type")
    assert study.template_versions() == versions
    _click(qtbot, editor.instead_button)
    assert study.template.question("kind_2").type == "multiple_choice"
    assert study.template.question("kind").type == "single_choice"


def test_a_flag_and_anonymity_follow_the_rules(window, built, qtbot):
    editor, study = built, window.session.study
    _select(editor, qtbot, "member")
    _choose(qtbot, _field(editor, "flag"), "Keen for follow-up")
    assert study.template.question("member").flag == "follow_up"
    assert not _field(editor, "count_by").isVisible()
    versions = study.template_versions()
    anonymous = _field(editor, "anonymous")
    anonymous.setFocus()
    qtbot.keyClick(anonymous, _key("Space"))
    # "why" is asked only if "member" says yes: an anonymous answer cannot decide that
    assert not _field(editor, "flag").isVisible() and _field(editor, "count_by").isVisible()
    assert "question 'why', relevant" in editor.problems.text() and "anonymous" in editor.problems.text()
    assert study.template_versions() == versions and not study.template.question("member").anonymous


def test_a_section_is_asked_only_if(window, built, qtbot):
    editor, study = built, window.session.study
    _select(editor, qtbot, "membership")
    _type(qtbot, _field(editor, "relevant"), "${member} = 'yes'")
    intro = _field(editor, "intro")
    intro.setFocus()
    qtbot.keyClicks(intro, "Now a few questions about being a member.")
    qtbot.keyClick(intro, _key("Tab"))  # leaving it stores it
    section = study.template.sections[1]
    assert (section.relevant, section.intro) == ("${member} = 'yes'", "Now a few questions about being a member.")
    editor.tree.setFocus()
    qtbot.keyClick(editor.tree, _key("Return"))  # Enter goes to the form
    assert _field(editor, "title").hasFocus()
    qtbot.keyClick(_field(editor, "title"), _key("Escape"))  # and Escape comes back
    assert editor.tree.hasFocus()


def test_choice_attributes_and_a_choice_filter(window, built, qtbot):
    from fieldkit.ui.qt import QApplication, Qt

    editor, study = built, window.session.study
    _select(editor, qtbot, "kind")
    choices = editor.question_form.choices
    for row, attributes in ((0, "registered=yes"), (2, "registered=no")):
        choices.tree.setCurrentItem(choices.tree.topLevelItem(row))
        choices.tree.setFocus()
        qtbot.keyClick(choices.tree, Qt.Key_F2, Qt.ControlModifier)
        line = QApplication.focusWidget()
        qtbot.keyClicks(line, attributes)
        qtbot.keyClick(line, Qt.Key_Return)
        key, value = attributes.split("=")
        qtbot.waitUntil(lambda r=row, k=key, v=value: study.template.question("kind").options[r].attributes == {k: v})
        assert choices.tree.topLevelItem(row).text(2) == attributes
    kind = study.template.question("kind")
    assert [c.attributes for c in kind.options] == [{"registered": "yes"}, {}, {"registered": "no"}, {}]
    _type(qtbot, _field(editor, "choice_filter"), "registered = 'yes'")
    kind = study.template.question("kind")
    assert kind.choice_filter == "registered = 'yes'"
    state = study.template.logic.state({})
    assert [c.name for c in study.template.logic.choices(kind, state)] == ["Charity", "other"]


def test_problems_are_taken_apart_by_place():
    from fieldkit.ui.schedule_form import locate

    p = locate("interview schedule: section 'b', question 'b2', relevant: unknown question 'b9' (at character 3)")
    assert (p.section, p.question, p.key, p.message) == (
        "b", "b2", "relevant", "unknown question 'b9' (at character 3)")
    p = locate("interview schedule: section 'b', question 'b2': 'min' (5) is greater than 'max' (3)")
    assert (p.question, p.key) == ("b2", "min")
    p = locate("interview schedule: section 'b', question 'b2', choice 2: 'name' is missing or empty")
    assert (p.key, p.message) == ("choices", "choice 2: 'name' is missing or empty")
    p = locate("interview schedule: section 'b': 'title' is empty")
    assert (p.section, p.question, p.key) == ("b", None, "title")
    p = locate("interview schedule: [template]: 'languages' does not list: Urdu")
    assert (p.section, p.key, p.line) == (None, None, "[template]: 'languages' does not list: Urdu")


def test_duplicate_a_question_and_a_section(window, built, qtbot):
    editor, study = built, window.session.study
    _select(editor, qtbot, "volunteers")
    _click(qtbot, editor.duplicate_button)
    assert _outline(study.template)[0] == ("about", ["member", "volunteers", "volunteers_2"])
    assert editor.selected == ("question", "volunteers_2")
    assert study.template.question("volunteers_2").constraint == ". >= 0 and . <= 500"
    _select(editor, qtbot, "membership")
    _click(qtbot, editor.duplicate_button)
    t = study.template
    assert _outline(t)[2] == ("membership_2", ["why_2", "kind_2", "kind_2_other", "hours_2"])
    assert t.question("why_2").relevant == "${member} = 'yes'"  # an earlier question: the same one
    assert editor.selected == ("section", "membership_2")
    window.undo_action.trigger()
    assert [s.id for s in study.template.sections] == ["about", "membership"]
