"""File ▸ Backups and restore in the app, the periodic backup, and the unsafe-place dialog."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.storage import backups
from fieldkit.study import Study
from studies import small_template


@pytest.fixture
def window(qtbot, tmp_path: Path):
    from fieldkit.ui.main_window import MainWindow

    path = tmp_path / "safe.fieldkit"
    Study.create(path, small_template()).close()
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(path)
    w.wait_for_checks()  # the opening backup taken, as once the study is open and checked
    yield w
    w.close()


def test_dialog_lists_backups_and_restore_brings_the_study_back(window, qtbot, monkeypatch):
    from fieldkit.ui import backups as backups_ui

    study = window.session.study
    path = study.path
    window.session.call(study.organisations.add, "Before", category="Network", changes={"organisations"})
    good = study.backup("manual")
    window.session.call(study.organisations.add, "Regretted", category="Network", changes={"organisations"})

    dialog = backups_ui.BackupsDialog(path, window)
    qtbot.addWidget(dialog)
    rows = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert "Taken by hand" in rows
    assert str(backups.folder_for(path)) in dialog.findChildren(backups_ui.QLabel)[0].text()
    dialog.close()

    def choose(self):
        self.chosen = good
        return 1
    monkeypatch.setattr(backups_ui.BackupsDialog, "exec", choose)
    window.show_backups()
    names = [o.name for o in window.session.study.organisations.many(window.session.study.organisations.ids())]
    assert names == ["Before"]
    assert backups.is_paused(path)
    assert any(p.name.startswith("safe.fieldkit.before-restore-") for p in path.parent.iterdir())


def test_periodic_backup_runs_only_after_changes(window):
    study = window.session.study
    count = len(backups.list_backups(study.path))
    window.backup_now()
    assert len(backups.list_backups(study.path)) == count
    window.session.call(study.organisations.add, "Changed", category="Network", changes={"organisations"})
    window.backup_now()
    assert len(backups.list_backups(study.path)) == count + 1
    assert window._backup_timer.isActive()


def test_a_study_in_a_cloud_folder_asks_before_opening(qtbot, tmp_path: Path, monkeypatch):
    from fieldkit.ui import main_window
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.qt import QMessageBox

    path = tmp_path / "OneDrive" / "s.fieldkit"
    Study.create(path, small_template(), allow_risky_location=True).close()
    answers = [QMessageBox.Cancel, QMessageBox.Open]
    asked = []

    def warning(parent, title, text, buttons=None, default=None):
        asked.append((title, text))
        return answers.pop(0) if answers else QMessageBox.Ok
    monkeypatch.setattr(main_window.QMessageBox, "warning", staticmethod(warning))
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(path) is False and w.session is None
    assert asked[0][0] == "This is not a safe place for a study" and "OneDrive" in asked[0][1]
    assert w.open_study(path) is True and w.session is not None
    assert asked[-1][0] == "Please note" and "OneDrive" in asked[-1][1]  # said again once open
    w.close()


def test_deleting_the_backups_older_than_one(window, qtbot):
    """After an erasure: the backups older than the chosen one go (they may still hold what
    was erased); it and newer ones stay. Cancelling deletes nothing."""
    from fieldkit.ui import backups as backups_ui
    from fieldkit.ui.qt import QApplication, QMessageBox, QTimer

    study = window.session.study
    path = study.path
    for name in ("One", "Two", "Three"):
        study.organisations.add(name, category="Network")
        study.backup("manual")
    before = backups.list_backups(path)
    assert len(before) >= 3
    dialog = backups_ui.BackupsDialog(path, window)
    qtbot.addWidget(dialog)
    assert not dialog.delete_button.isEnabled()
    dialog.table.selectRow(len(before) - 1)  # the oldest: nothing older to delete
    assert dialog.restore_button.isEnabled() and not dialog.delete_button.isEnabled()
    dialog.table.selectRow(1)

    def answer(label):
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and f"Delete the {len(before) - 2} backups" in box.text()
        [button] = [b for b in box.buttons() if b.text() == label]
        button.click()

    QTimer.singleShot(0, lambda: answer("Cancel"))
    dialog.delete_button.click()
    assert backups.list_backups(path) == before
    QTimer.singleShot(0, lambda: answer(f"Delete {len(before) - 2} backups"))
    dialog.delete_button.click()
    assert [b.path for b in backups.list_backups(path)] == [b.path for b in before[:2]]
    assert dialog.table.rowCount() == 2 and not dialog.delete_button.isEnabled()


def _hold_answers(study, finished: int, unfinished: int) -> None:
    for i in range(finished + unfinished):
        org = study.organisations.add(f"Held {i}", category="Network")
        session = study.interviews.start(org)
        session.save_answer("sector_barriers", f"Za mało czasu {i}")
        if i < finished:
            session.complete()


LACKS = ("lacks the anonymous answers still held with their interviews: at most the last 4 finished interviews' "
         "answers to each question, and any unfinished interview's. The study file itself keeps them.")


def test_the_restore_dialog_says_a_backup_lacks_the_held_answers(window, qtbot, monkeypatch):
    from fieldkit.ui import backups as backups_ui
    from fieldkit.ui.qt import QLabel, QMessageBox

    study = window.session.study
    _hold_answers(study, finished=2, unfinished=1)
    study.backup("manual")
    dialog = backups_ui.BackupsDialog(study.path, window, study=study)
    qtbot.addWidget(dialog)
    note = dialog.findChild(QLabel, "held_note")
    assert note is not None and not note.isHidden()
    assert note.text().startswith(f"A study restored from a backup {LACKS}")
    assert "Right now it holds 3 such answers; the file as it is now is kept beside a restored study" in note.text()
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *a: asked.append(text)
                        or QMessageBox.StandardButton.Cancel)
    dialog.table.selectRow(0)
    dialog.restore_button.click()
    assert LACKS in asked[0] and dialog.chosen is None  # said before restoring; Cancel restores nothing


def test_saving_a_copy_says_what_the_copy_lacks(window, tmp_path: Path, monkeypatch):
    from fieldkit.ui import main_window
    from fieldkit.ui.qt import QFileDialog, QMessageBox

    study = window.session.study
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
    names = iter(["copy 0.fieldkit", "copy 1.fieldkit"])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / next(names)), ""))
    window.save_copy()
    assert told == []  # nothing held: nothing to say beyond the status bar
    assert (tmp_path / "copy 0.fieldkit").exists()
    _hold_answers(study, finished=1, unfinished=1)
    window.save_copy()
    [text] = told
    assert f"The copy {LACKS}" in text and "Right now it holds 2 such answers" in text
    assert main_window.QMessageBox is QMessageBox
    with Study.open(tmp_path / "copy 1.fieldkit") as copy:
        assert copy.held.count() == 0 and copy.interviews.count() == 2
    assert study.held.count() == 2  # the study file keeps them
