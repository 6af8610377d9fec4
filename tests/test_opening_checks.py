"""Opening a study with its checks left to run off the UI thread (``defer_checks``).

The desktop app shows a study at once and reads the whole file (SQLite's quick_check) and
takes the opening backup on a worker thread. Until the checks pass the study can be read and
refuses to be changed without them: a change waits for them. A damaged file is then moved
aside untouched with the same message and the same backup on offer as opening it would give.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fieldkit.errors import StudyDamagedError
from fieldkit.storage import backups
from fieldkit.study import Study
from crash_children import crash_while_open
import test_damaged_files
from test_damaged_files import _zero_a_page, copy_of

good_study = test_damaged_files.good_study  # the same 300-organisation study, as a fixture here too


def test_a_study_opens_for_reading_at_once_and_is_writable_once_checked(good_study, tmp_path):
    path = copy_of(good_study, tmp_path)
    study = Study.open(path, defer_checks=True)
    try:
        assert study.checking
        assert backups.list_backups(path) == []  # the opening backup is the checks' to take
        assert len(study.organisations.ids()) == 300
        checks = study.opening_checks()
        assert checks is not None
        worker = threading.Thread(target=checks.run)
        worker.start()
        found = [len(study.organisations.ids(search="Organisation 1")) for _ in range(20)]  # read meanwhile
        worker.join()
        assert set(found) == {sum(str(i).startswith('1') for i in range(300))}  # a word of the name starts so
        study.finish_opening()
        assert not study.checking and checks.problem is None
        assert [b.reason for b in backups.list_backups(path)] == ["open"]
        study.organisations.add("Added once checked", category="Network")
    finally:
        study.close()
    with Study.open(path) as again:
        assert len(again.organisations.ids()) == 301


def test_a_change_before_the_checks_ran_waits_for_them(good_study, tmp_path):
    path = copy_of(good_study, tmp_path)
    with Study.open(path, defer_checks=True) as study:
        assert study.checking
        study.organisations.add("Added at once", category="Network")  # runs the checks first, here
        assert not study.checking
        assert [b.reason for b in backups.list_backups(path)] == ["open"]
        assert study.organisations.find("Added at once")


def test_a_damaged_study_opens_but_the_checks_move_it_aside_untouched(good_study, tmp_path):
    path = copy_of(good_study, tmp_path / "study")
    with Study.open(path) as study:
        study.organisations.add("Kept in the backup", category="Network")
    taken = backups.list_backups(path)[0].path  # the backup opening took, as a good one to offer
    _zero_a_page(path)
    content, mtime = path.read_bytes(), path.stat().st_mtime_ns
    study = Study.open(path, defer_checks=True)
    assert study.checking
    checks = study.opening_checks()
    assert checks is not None
    checks.run()
    assert checks.problem is not None
    with pytest.raises(StudyDamagedError) as info:
        study.finish_opening()
    assert str(info.value).startswith(f"{path}: the study file is damaged (")
    assert info.value.backup == taken
    aside = Path(f"{path}.damaged")
    assert aside.read_bytes() == content and aside.stat().st_mtime_ns == mtime
    assert not path.exists()
    with pytest.raises(StudyDamagedError):  # the same answer again, nothing moved twice
        study.finish_opening()
    study.close()
    assert aside.read_bytes() == content


def test_a_change_to_a_damaged_study_is_refused_and_writes_nothing(good_study, tmp_path):
    path = copy_of(good_study, tmp_path)
    _zero_a_page(path)
    content = path.read_bytes()
    study = Study.open(path, defer_checks=True)
    with pytest.raises(StudyDamagedError):
        study.organisations.add("Never written", category="Network")
    study.close()
    assert Path(f"{path}.damaged").read_bytes() == content


def test_after_a_crash_the_checks_are_not_deferred(good_study, tmp_path):
    path = copy_of(good_study, tmp_path)
    crash_while_open(path, ["Added before the crash"])  # a -wal with frames: the full check is due now
    with Study.open(path, defer_checks=True) as study:
        assert not study.checking and study.opening_checks() is None
        assert study.organisations.find("Added before the crash")


def test_the_app_shows_a_damaged_study_then_closes_it_and_offers_its_backup(qtbot, good_study, tmp_path,
                                                                             monkeypatch):
    from fieldkit.ui import main_window
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.qt import QMessageBox

    path = copy_of(good_study, tmp_path / "study")
    with Study.open(path):
        pass  # the opening backup: what the app will offer
    _zero_a_page(path)
    asked: list[str] = []

    def warning(parent, title, text, buttons=None, default=None):
        asked.append(title)
        return QMessageBox.StandardButton.No
    monkeypatch.setattr(main_window.QMessageBox, "warning", staticmethod(warning))
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(path)  # shown at once: the list is there while the file is read
    assert w.session is not None and w.checking
    assert w.screens["organisations"].model.rowCount() == 300
    qtbot.waitUntil(lambda: asked == ["The study is damaged"], timeout=10_000)
    assert w.session is None and not w.checking
    assert Path(f"{path}.damaged").exists() and not path.exists()
    w.close()


def test_the_app_says_it_is_checking_when_the_checks_take_a_while(qtbot, good_study, tmp_path, monkeypatch):
    from fieldkit import study as study_module
    from fieldkit.ui.main_window import MainWindow

    path = copy_of(good_study, tmp_path)
    release = threading.Event()
    run = study_module.OpeningChecks._run

    def slow_run(self):
        release.wait(10)  # a large study on a slow disk
        run(self)
    monkeypatch.setattr(study_module.OpeningChecks, "_run", slow_run)
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(path)
    label = w._saved_label
    qtbot.waitUntil(lambda: label.text() == "Checking the study…", timeout=5_000)
    release.set()
    qtbot.waitUntil(lambda: label.text() == "All changes saved", timeout=10_000)
    assert not w.session.study.checking
    w.close()


def test_closing_a_study_waits_for_its_opening_checks(qtbot, good_study, tmp_path, monkeypatch):
    """The opening backup is finished before the study closes: opening it again straight away
    must not take its own backup beside one still being written."""
    from fieldkit import study as study_module
    from fieldkit.ui.main_window import MainWindow

    path = copy_of(good_study, tmp_path)
    release = threading.Event()
    run = study_module.OpeningChecks._run

    def slow_run(self):
        release.wait(10)
        run(self)
    monkeypatch.setattr(study_module.OpeningChecks, "_run", slow_run)
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(path)
    checks = w.session.study.opening_checks()
    threading.Timer(0.3, release.set).start()
    w.close_study()
    assert checks.done and [b.reason for b in backups.list_backups(path)] == ["open"]
    w.close()
