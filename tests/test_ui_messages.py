"""Messages that must never be stale or contradict each other: the case form's note after
logging an attempt, the interview's save state beside the status bar's, the study's title in
the status bar and the window title after a rename, and "Encrypted" once the study is closed.

Each drives the real window on a study made through ``Study.create``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from studies import small_template
from test_ui_case_form import key, open_by_enter
from test_ui_interview_runner import focused, press, settle
from test_ui_logic_runner import start
from ui_dialogs import answer_modals, unlock_with
from ui_typing import type_text

from fieldkit.study import Study

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise|grabbing)")

PASSPHRASE = "heron lantern 1912"


@pytest.fixture
def study_path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "messages.fieldkit"
    with Study.create(path, small_template(), title="Leeds mapping") as s:
        for name in ("Alpha Network", "Bravo Forum", "Charlie Trust"):
            s.organisations.add(name, category="Network")
    return path


def test_the_logged_note_goes_when_page_down_moves_to_another_organisation(window, qtbot):
    from fieldkit.ui.qt import Qt

    form = open_by_enter(qtbot, window, "Alpha Network")
    attempts = form.attempts
    key(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(attempts.outcome, "No")
    key(qtbot, Qt.Key.Key_Return)
    assert attempts.hint.text().startswith("Logged “No answer”")
    alpha = form.org_id
    key(qtbot, Qt.Key.Key_PageDown)
    assert form.org_id != alpha
    assert "Logged" not in attempts.hint.text()  # said of Alpha Network, not of the one now shown
    assert attempts.hint.text().startswith("Ctrl+L")  # what the row is for, as on any fresh row
    key(qtbot, Qt.Key.Key_PageUp)
    assert form.org_id == alpha and "Logged" not in attempts.hint.text()
    form.go_back()


def _agree(window, runner) -> bool:
    """The interview's header and the window's status bar say the same of saving."""
    from fieldkit.ui.interview_runner.header import SAVED

    header, bar = runner.save_state.text(), window._saved_label.text()
    return bar == ("All changes saved" if header == SAVED else header)


def test_the_interview_header_and_the_status_bar_agree_on_what_is_saved(qtbot, tmp_path: Path, warnings):
    from fieldkit.template_toml import load_template
    from fieldkit.ui.qt import Qt
    from test_ui_logic_runner import LOGIC_TEMPLATE

    study = Study.create(tmp_path / "logic.fieldkit", load_template(LOGIC_TEMPLATE), title="Logic study")
    w, runner = start(qtbot, study)
    type_text(focused(), "Shazia")  # the contact's name: saved once typing pauses
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Y)
    press(qtbot, Qt.Key.Key_Tab)
    type_text(focused(), "0")  # does not fit: not saved
    assert runner.save_state.text() == "Not saved — see the marked answers"
    assert _agree(w, runner)
    # the contact's name lands, and the study says it saved it
    qtbot.waitUntil(lambda: not runner._dirty and not runner.saver.busy(), timeout=5000)
    qtbot.wait(50)
    assert runner.interview.answer("contact_name") == "Shazia"
    assert runner.save_state.text() == "Not saved — see the marked answers"
    assert w._saved_label.text() == "Not saved — see the marked answers"
    w.session.notify(set())  # any other change saved meanwhile does not make it so
    assert _agree(w, runner)
    staff = runner.cards["staff"]
    staff.field.editor.selectAll()
    type_text(staff.field.editor, "7")
    settle(qtbot, runner)
    assert runner.save_state.text() == "All answers saved" and _agree(w, runner)
    assert runner.interview.answer("staff") == 7
    staff.field.editor.selectAll()
    type_text(staff.field.editor, "0")  # wrong again, then the interview is left as it is
    assert _agree(w, runner)
    assert w._saved_label.text() == "Not saved — see the marked answers"
    runner.shut()
    w.show_screen("interviews")._drop_runner()
    assert w._saved_label.text() == "All changes saved"  # nothing on screen waits to be saved now
    w.close()


def test_a_renamed_study_shows_its_new_title_in_the_status_bar_and_the_window_title(window, qtbot):
    screen = window.show_screen("settings")
    study = window.session.study
    assert window.statusBar().currentMessage() == f"Leeds mapping · {study.path}"
    title = screen.details["title"]
    title.setFocus()
    title.selectAll()
    type_text(title, "Leeds mapping 2026 · نقشہ")
    qtbot.waitUntil(lambda: study.title == "Leeds mapping 2026 · نقشہ", timeout=3000)
    assert window.statusBar().currentMessage() == f"Leeds mapping 2026 · نقشہ · {study.path}"
    assert window.windowTitle() == "Leeds mapping 2026 · نقشہ — fieldkit"
    window.session.undo_stack.undo()  # the old title back: said everywhere too
    assert study.title == "Leeds mapping"
    assert window.windowTitle() == "Leeds mapping — fieldkit"
    assert "Leeds mapping 2026" not in window.statusBar().currentMessage()


def test_closing_an_encrypted_study_leaves_no_encrypted_in_the_status_bar(qtbot, tmp_path: Path):
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.welcome import Welcome

    path = tmp_path / "locked.fieldkit"
    Study.create(path, small_template(), title="Locked", passphrase=PASSPHRASE).close()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    answer_modals(unlock_with(PASSPHRASE))
    assert w.open_study(path)
    w.wait_for_checks()
    assert w._lock_label.text() == "Encrypted"
    w.close_study()
    assert isinstance(w.centralWidget(), Welcome)
    assert w._lock_label.text() == "" and w._lock_label.toolTip() == ""
    assert w.statusBar().currentMessage() == "No study open"
    w.close()
