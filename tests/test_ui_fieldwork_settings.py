"""Study settings ▸ Fieldwork: results, attempts, e, and what outcomes and exclusion reasons
mean, saved as they are edited and kept when the study is reopened."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import open_window
from fieldkit import fieldwork
from fieldkit.outcome_rules import OutcomeRule
from fieldkit.study import Study
from ui_typing import type_text


@pytest.fixture
def study_path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from studies import small_template

    path = tmp_path / "fieldwork.fieldkit"
    with Study.create(path, small_template(), title="Fieldwork rules") as study:
        orgs = study.organisations
        orgs.add("Unknown A", category="Network")
        done = orgs.add("Interviewed", category="Network")
        study.interviews.start(done).complete()
        for name in ("Out One", "Out Two"):
            out = orgs.add(name, category="Network")
            orgs.set_status(out, "excluded", "Outside the region")
    return path


@pytest.fixture
def window(qtbot, study_path):
    w = open_window(qtbot, study_path)
    yield w
    w.close()


def _tab(window):
    screen = window.show_screen("settings")
    index = screen.tabs.indexOf(screen.fieldwork)
    assert screen.tabs.tabText(index) == "Field&work"
    screen.tabs.setCurrentIndex(index)
    assert screen.fieldwork.isVisible()
    return screen.fieldwork


def _reopen(window) -> Study:
    path = window.session.study.path
    window.close()
    return Study.open(path)


def _type_into_spin(qtbot, spin, text: str) -> None:
    from fieldkit.ui.qt import Qt

    spin.setFocus()
    spin.selectAll()
    type_text(spin, text)
    qtbot.keyClick(spin, Qt.Key_Tab)  # leaving the box saves at once


def _edit_cell(qtbot, table, row: int, column: int, text: str) -> None:
    """F2 on the cell, type ``text`` over what is there, Enter."""
    from fieldkit.ui.qt import QApplication, QComboBox, Qt

    table.setFocus()
    table.setCurrentCell(row, column)
    qtbot.keyClick(table, Qt.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not table
    if isinstance(editor, QComboBox):  # the code's list, typed into
        editor = editor.lineEdit()
    editor.selectAll()
    type_text(editor, text)
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.wait(10)  # the save runs once the editor has closed


def _row(table, name: str) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text() == name)


def test_maximum_attempts_is_saved_and_undone(window, qtbot):
    tab = _tab(window)
    study = window.session.study
    assert tab.max_attempts.value() == 8
    _type_into_spin(qtbot, tab.max_attempts, "5")
    assert fieldwork.settings(study).max_attempts == 5
    _type_into_spin(qtbot, tab.max_attempts, "12")
    window.session.undo_stack.undo()
    assert fieldwork.settings(study).max_attempts == 5 == tab.max_attempts.value()
    with _reopen(window) as again:
        assert fieldwork.settings(again).max_attempts == 5


def test_shares_for_complete_and_partial_with_the_rule_in_words(window, qtbot):
    tab = _tab(window)
    study = window.session.study
    assert (tab.complete_share.value(), tab.partial_share.value()) == (100, 0)
    assert tab.rule_words.text() == ("Complete: every relevant required question answered. "
                                     "Partial: any other finished interview.")
    _type_into_spin(qtbot, tab.complete_share, "90")
    _type_into_spin(qtbot, tab.partial_share, "50")
    s = fieldwork.settings(study)
    assert (s.complete_share, s.partial_share) == (0.9, 0.5)
    assert tab.rule_words.text() == s.describe_partial() == (
        "Complete: at least 90% of the relevant required questions answered. Partial: at least 50% answered.")
    with _reopen(window) as again:
        s = fieldwork.settings(again)
        assert (s.complete_share, s.partial_share) == (0.9, 0.5)


def test_a_partial_share_above_the_complete_one_is_refused(window, qtbot, warnings):
    tab = _tab(window)
    _type_into_spin(qtbot, tab.complete_share, "60")
    _type_into_spin(qtbot, tab.partial_share, "80")
    assert warnings and "cannot be above the share for a complete one" in warnings[-1][1]
    assert fieldwork.settings(window.session.study).partial_share == 0.0
    assert tab.partial_share.value() == 0  # the box shows what is in force


def test_eligibility_rate_estimated_or_fixed(window, qtbot):
    tab = _tab(window)
    study = window.session.study
    # one interviewed (eligible), two excluded (not eligible): e is estimated as 1/3
    assert tab.estimate.isChecked() and not tab.e_value.isEnabled()
    assert "(currently 0.33)" in tab.estimate.text()
    tab.fixed.click()
    assert tab.e_value.isEnabled()
    assert fieldwork.settings(study).eligibility_rate == 0.33  # starts from the estimate
    _type_into_spin(qtbot, tab.e_value, "0.8")
    assert fieldwork.settings(study).eligibility_rate == 0.8
    with _reopen(window) as again:
        assert fieldwork.settings(again).eligibility_rate == 0.8


def test_back_to_the_estimate(window, qtbot):
    tab = _tab(window)
    study = window.session.study
    fieldwork_rate = 0.6
    tab.fixed.click()
    _type_into_spin(qtbot, tab.e_value, str(fieldwork_rate))
    assert fieldwork.settings(study).eligibility_rate == fieldwork_rate
    tab.estimate.click()
    assert fieldwork.settings(study).eligibility_rate is None
    assert not tab.e_value.isEnabled()


def test_an_outcome_code_and_retry_are_saved(window, qtbot):
    tab = _tab(window)
    study = window.session.study
    table = tab.outcomes
    row = _row(table, "No answer")
    assert [table.item(row, c).text() for c in range(4)] == ["No answer", "3.13 No answer", "3 hours", "No limit"]
    _edit_cell(qtbot, table, row, 1, "2.111")
    assert study.template.outcome_rule("No answer") == OutcomeRule("2.111", "3 hours")
    assert table.item(row, 1).text() == "2.111 Refusal by the organisation"
    _edit_cell(qtbot, table, row, 2, "2 days")
    _edit_cell(qtbot, table, row, 3, "2")
    assert study.template.outcome_rule("No answer") == OutcomeRule("2.111", "2 days", 2)
    window.session.undo_stack.undo()  # the retry limit
    assert study.template.outcome_rule("No answer") == OutcomeRule("2.111", "2 days")
    assert not tab.outcome_problem.isVisible()
    with _reopen(window) as again:
        assert again.template.outcome_rule("No answer") == OutcomeRule("2.111", "2 days")


def test_final_is_ticked_in_the_table(window, qtbot):
    from fieldkit.ui.qt import Qt

    tab = _tab(window)
    study = window.session.study
    row = _row(tab.outcomes, "Interview arranged")
    tab.outcomes.item(row, 4).setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: study.template.outcome_rule("Interview arranged").final)
    assert study.template.outcome_rule("Interview arranged") == OutcomeRule("2.21", final=True)


def test_a_bad_retry_says_why_and_stores_nothing(window, qtbot, warnings):
    tab = _tab(window)
    study = window.session.study
    version = study.template_version
    table = tab.outcomes
    row = _row(table, "No answer")
    _edit_cell(qtbot, table, row, 2, "3 hourz")
    assert tab.outcome_problem.isVisible()
    assert tab.outcome_problem.text() == ("Not changed: No answer: retry: cannot read '3 hourz' as a delay "
                                          '(for example "3 hours", "next working day", "1 week")')
    assert study.template_version == version
    assert study.template.outcome_rule("No answer") == OutcomeRule("3.13", "3 hours")
    assert table.item(row, 2).text() == "3 hours"  # the table shows what is in force
    assert warnings == [] and not window.session.undo_stack.canUndo()
    _edit_cell(qtbot, table, row, 2, "4 hours")  # a good value clears the message
    assert not tab.outcome_problem.isVisible()
    assert study.template.outcome_rule("No answer").retry == "4 hours"


def test_an_exclusion_reason_code_is_saved(window, qtbot):
    tab = _tab(window)
    study = window.session.study
    table = tab.exclusions
    row = _row(table, "Closed down")
    assert table.item(row, 1).text() == "4.90 Other ineligible"
    _edit_cell(qtbot, table, row, 1, "4.50")
    assert study.template.exclusion_code("Closed down") == "4.50"
    assert table.item(row, 1).text() == "4.50 Not an eligible organisation"
    _edit_cell(qtbot, table, row, 1, "3.13")  # not a "not eligible" code
    assert "an exclusion reason is a \"not eligible\" code (4.x), not 3.13" in tab.exclusion_problem.text()
    assert study.template.exclusion_code("Closed down") == "4.50"
    with _reopen(window) as again:
        assert again.template.exclusion_code("Closed down") == "4.50"


def test_the_tab_says_where_the_codes_are_explained(window):
    tab = _tab(window)
    assert "How these codes work" in tab.docs.text() and "docs/dispositions.md" in tab.docs.text()
