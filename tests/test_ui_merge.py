"""File ▸ Merge another copy…: the dialog shows the plan, settles conflicts, ticks matches, merges."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import open_study_window
from studies import small_template

from fieldkit.study import Study
from fieldkit.ui import errors

@pytest.fixture
def copies(tmp_path: Path):
    """This study (open in a window by the test) and the other researcher's copy, closed, with
    a field edited in both, a field edited in the copy alone, and one organisation added in both."""
    mine = Study.create(tmp_path / "mine.fieldkit", small_template(), title="Advice mapping")
    alpha = mine.organisations.add(name="Alpha Advice Network", category="Network")
    other = Study.open(mine.save_copy(tmp_path / "theirs.fieldkit"))
    mine.organisations.update(alpha, phone="0121 496 0000")
    other.organisations.update(alpha, phone="0121 496 0999", notes="Ring after two")
    mine.organisations.add(name="Gamma Community Trust")
    other.organisations.add(name="Gamma Community Trust")
    other.attempts.log(alpha, outcome="No answer")
    other.close()
    return mine, tmp_path / "theirs.fieldkit"


def test_the_dialog_shows_the_plan_and_merges_as_chosen(qtbot, copies, tmp_path: Path):
    from fieldkit.ui.merge import MergeDialog

    mine, theirs = copies
    window = open_study_window(qtbot, mine)
    dialog = window.merge_copy()
    assert isinstance(dialog, MergeDialog)
    assert not dialog.merge_button.isEnabled() and dialog.conflicts.isHidden()
    shots = tmp_path / "shots"
    shots.mkdir()
    assert dialog.grab().save(str(shots / "merge-dialog-empty.png"))
    assert dialog.load(theirs)
    summary = dialog.summary.toPlainText()
    assert "add: 1 organisation, 1 attempt" in summary and "take: Alpha Advice Network: notes:" in summary
    assert dialog.conflicts.rowCount() == 1 and dialog.conflicts.item(0, 1).text() == "phone"
    assert "the other copy: 0121 496 0999" in dialog.conflicts.item(0, 2).text()  # as the case form shows it
    assert dialog.matches.count() == 1 and "Gamma Community Trust" in dialog.matches.item(0).text()
    assert dialog.merge_button.isEnabled()
    dialog.resize(820, 620)
    qtbot.waitExposed(dialog)
    assert dialog.grab().save(str(shots / "merge-dialog.png"))

    dialog.choose(0, "theirs")
    dialog.tick_match(0)
    assert dialog.merge()
    study = window.session.study
    alpha, *_ = study.organisations.find_by_name("Alpha Advice Network")
    assert study.organisations.get(alpha).phone == "+441214960999"
    assert study.organisations.get(alpha).notes == "Ring after two"
    assert len(study.organisations.find_by_name("Gamma Community Trust")) == 1  # matched, not added
    assert window.statusBar().currentMessage().startswith(
        "Merged theirs.fieldkit: added 0 organisations, 1 attempt, 0 interviews")
    window.close()


def test_a_copy_of_another_study_is_refused_in_a_dialog(qtbot, tmp_path: Path, monkeypatch):
    from fieldkit.ui.merge import MergeDialog

    mine = Study.create(tmp_path / "mine.fieldkit", small_template())
    Study.create(tmp_path / "stranger.fieldkit", small_template(), title="Youth clubs").close()
    window = open_study_window(qtbot, mine)
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "warn", lambda parent, title, text: shown.append((title, text)))
    dialog = MergeDialog(window.session, window)
    qtbot.addWidget(dialog)
    assert not dialog.load(tmp_path / "stranger.fieldkit")
    assert shown and "a copy of a different study (“Youth clubs”)" in shown[0][1]
    assert dialog.plan is None and not dialog.merge_button.isEnabled()
    window.close()


def test_an_encrypted_copy_asks_for_its_passphrase_until_given_or_cancelled(qtbot, tmp_path: Path, monkeypatch):
    """The other copy's passphrase is asked for (again, said as wrong, after a wrong one); cancel
    changes nothing; the busy cursor never stays behind."""
    from fieldkit.ui import passphrase as asking
    from fieldkit.ui.merge import MergeDialog
    from fieldkit.ui.qt import QApplication

    mine = Study.create(tmp_path / "mine.fieldkit", small_template(), passphrase="correct horse battery")
    mine.organisations.add(name="Alpha Advice Network", category="Network")
    other = Study.open(mine.save_copy(tmp_path / "theirs.fieldkit"), passphrase="correct horse battery")
    other.organisations.add(name="Delta Youth Forum", category="Network")
    other.close()
    mine.set_passphrase(None)  # this one opens without asking; the other copy stays encrypted
    window = open_study_window(qtbot, mine)
    answers = iter(["wrong guess here", "correct horse battery", None])
    asked: list[bool] = []

    def ask(parent, path, wrong=False):
        asked.append(wrong)
        return next(answers)

    monkeypatch.setattr(asking, "ask_passphrase", ask)
    dialog = MergeDialog(window.session, window)
    qtbot.addWidget(dialog)
    assert dialog.load(tmp_path / "theirs.fieldkit")
    assert asked == [False, True]  # asked, then told the first was wrong
    assert dialog.plan is not None and [o["name"] for o in dialog.plan.organisations] == ["Delta Youth Forum"]
    assert QApplication.overrideCursor() is None
    assert not dialog.load(tmp_path / "theirs.fieldkit")  # cancelled: nothing shown anew, nothing written
    assert QApplication.overrideCursor() is None
    window.close()
