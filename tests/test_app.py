"""The main window: opening studies, bad files, navigation, recent studies.

The Organisations screen has its own tests in test_ui_organisations.py and test_ui_case_form.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.study import Study
from studies import mapping_template


@pytest.fixture
def study_file(tmp_path: Path) -> Path:
    path = tmp_path / "overview.fieldkit"
    with Study.create(path, mapping_template(), client="The Trust", author="A. Researcher") as s:
        for i in range(450):
            s.organisations.add(f"Organisation {i:03d}", category="BME network", area="Coventry")
        org = s.organisations.add("Wolverhampton Somali Women's Network", category="BME network")
        s.interviews.start(org)
        s.organisations.add("陈美玲 Chinese Elders", category="General network")
    return path


@pytest.fixture
def window(qtbot, study_file: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from fieldkit.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(study_file)
    yield w
    w.close()


def test_bad_file_is_a_dialog_not_a_crash(qtbot, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from fieldkit.ui import errors
    from fieldkit.ui.main_window import MainWindow

    shown = []
    monkeypatch.setattr(errors, "warn", lambda parent, title, text: shown.append((title, text)))
    w = MainWindow()
    qtbot.addWidget(w)
    bad = tmp_path / "bad.fieldkit"
    bad.write_bytes(b"")
    assert w.open_study(bad) is False
    assert shown == [("Cannot open the study", f"{bad}: the file is empty (0 bytes), not a fieldkit study")]
    assert w.session is None


def test_every_screen_opens_and_navigation_follows(window):
    from fieldkit.ui.main_window import SCREENS

    for key, label, _, _ in SCREENS:
        widget = window.show_screen(key)
        assert window.stack.currentWidget() is widget
        assert window.nav.currentItem().text() == label
    window.nav.setCurrentRow(0)
    assert window.stack.currentWidget() is window.screen_for("organisations")


def test_recent_studies_and_close(window, study_file: Path):
    assert window.recent_studies()[0] == str(study_file)
    window.close_study()
    assert window.session is None
    assert not window.undo_action.isEnabled()
    assert window.open_study(study_file)  # the lock was released on close


def test_welcome_lists_recent_studies(window, study_file: Path, qtbot):
    window.close_study()
    welcome = window.centralWidget()
    button = welcome.recent_buttons[0]  # the most recent first
    assert button.text() == study_file.stem and button.toolTip() == str(study_file)
    button.click()
    assert window.session is not None and window.session.study.path == study_file


def test_unexpected_errors_are_logged_and_shown_with_details(qtbot, tmp_path: Path, monkeypatch):
    import sys

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    from fieldkit.ui import errors

    shown = []
    monkeypatch.setattr(errors, "show_unexpected", lambda parent, details: shown.append(details))
    monkeypatch.setattr(errors, "log_path", lambda: tmp_path / "logs" / "fieldkit.log")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    for handler in list(errors.log.handlers):
        errors.log.removeHandler(handler)
    errors.install_excepthook()
    try:
        raise RuntimeError("a bug in a slot")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    for handler in errors.log.handlers:
        handler.flush()
    assert len(shown) == 1 and "RuntimeError: a bug in a slot" in shown[0]
    assert "RuntimeError: a bug in a slot" in (tmp_path / "logs" / "fieldkit.log").read_text(encoding="utf-8")
    for handler in list(errors.log.handlers):
        handler.close()
        errors.log.removeHandler(handler)
