"""Ctrl+Shift+N (Edit ▸ Add organisation…): from any screen, the Organisations screen adding one."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import open_window
from fieldkit.study import Study
from studies import small_template


@pytest.fixture
def window(qtbot, tmp_path: Path):
    path = tmp_path / "add.fieldkit"
    with Study.create(path, small_template(), title="Adding") as s:
        s.organisations.add("Already Here", category="Network")
    w = open_window(qtbot, path)
    yield w
    w.close()


def _add_dialog(window):
    from fieldkit.ui.organisations import AddOrganisationDialog

    return window.findChild(AddOrganisationDialog, "add-organisation")


def test_the_key_opens_adding_from_another_screen(window, qtbot):
    from fieldkit.ui.qt import QApplication, Qt

    from fieldkit.ui.main_window import ADD_ORGANISATION_KEY

    action = next(a for top in window.menuBar().actions() for a in top.menu().actions()
                  if a.text().replace("&", "") == "Add organisation…")
    assert action.shortcut().toString() == ADD_ORGANISATION_KEY == "Ctrl+Shift+N"
    window.show_screen("pool")
    window.activateWindow()
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: _add_dialog(window) is not None and _add_dialog(window).isVisible())
    organisations = window.screens["organisations"]
    assert window.stack.currentWidget() is organisations
    dialog = _add_dialog(window)
    qtbot.keyClicks(dialog.name, "Brand New Trust")
    dialog.accept()
    study = window.session.study
    org_id = study.organisations.find("Brand New Trust")
    qtbot.waitUntil(lambda: organisations.case_form.org is not None and organisations.case_form.org.id == org_id)
    assert organisations.pages.currentWidget() is organisations.case_form  # as the add button does


def test_the_key_does_nothing_without_a_study(qtbot):
    from fieldkit.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.add_organisation()  # the menu entry is disabled; the method is safe too
    assert w.session is None and not w.screens


def test_help_lists_every_menu_key_with_the_new_one_among_them(window):
    """Help ▸ Keyboard shortcuts is read from the menus: every command with a key is in it,
    Ctrl+Shift+N among them, beside the keys of particular screens."""
    from fieldkit.ui.main_window import SCREEN_KEYS
    from fieldkit.ui.qt import QKeySequence

    rows = window.shortcut_rows()
    keys = {key for key, _ in rows}
    assert ("Ctrl+Shift+N", "Edit ▸ Add organisation") in rows
    assert {"F1", "F5", "Ctrl+1", "Ctrl+6"} <= keys
    for top in window.menuBar().actions():
        for action in top.menu().actions():
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            assert not key or key in keys, action.text()
    assert rows[-len(SCREEN_KEYS):] == list(SCREEN_KEYS)
