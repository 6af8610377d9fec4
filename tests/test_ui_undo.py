"""Edit ▸ Undo and Redo say what they will take back, and taking it back shows what changed
and where: the screen it was made on comes back (as it was), the item is selected, and the
status bar says it. Undo never reaches into another study.

Each drives the real window on studies made through ``Study.create``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from studies import small_template
from ui_typing import type_text

from fieldkit.study import Study

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise|grabbing)")

NAME = "Leeds & Bradford Trust"
SAID = ["Nowhere to meet that we can afford", "The council never calls back", "No volunteers for the accounts"]


@pytest.fixture
def study_path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "undo.fieldkit"
    with Study.create(path, small_template(), title="Undo study") as study:
        for i, said in enumerate(SAID):
            org = study.organisations.add(NAME if i == 0 else f"Organisation {i}", category="Network")
            interview = study.interviews.start(org, interviewer="Ruth")
            interview.save_answer("sector_barriers", said)
            interview.complete()
        study.held.move_now()  # fewer than k interviews: moved by hand, as at the end of fieldwork
    return path


def _pick(screen, text: str) -> int:
    """Select the pool's comment ``text``; its id."""
    assert screen.select_comment(next(c.id for c in screen._comments if c.text == text))
    return screen._current.id


def test_undo_names_the_change_and_goes_back_to_the_pool_to_show_it(window, qtbot):
    pool = window.show_screen("pool")
    study = window.session.study
    comment_id = _pick(pool, SAID[1])
    pool.editor.setFocus()
    pool.editor.selectAll()
    type_text(pool.editor, "The council [name removed] never calls back")
    qtbot.waitUntil(lambda: study.pool.get(comment_id).text.startswith("The council [name"), timeout=3000)
    assert window.undo_action.text() == "&Undo redaction of a comment" and window.undo_action.isEnabled()
    assert window.redo_action.text() == "&Redo" and not window.redo_action.isEnabled()

    _pick(pool, SAID[0])  # another comment selected, then another screen
    window.show_screen("reports")
    window.undo_action.trigger()  # Ctrl+Z on the Reports screen
    assert study.pool.get(comment_id).text == SAID[1]
    assert window.current_screen() == "pool"  # going there is how it says where
    assert pool._current.id == comment_id and pool.editor.toPlainText() == SAID[1]
    assert window.statusBar().currentMessage() == "Undid redaction of a comment in the Pool"
    assert window.undo_action.text() == "&Undo" and not window.undo_action.isEnabled()
    assert window.redo_action.text() == "&Redo redaction of a comment"

    window.show_screen("organisations")
    window.redo_action.trigger()
    assert study.pool.get(comment_id).text == "The council [name removed] never calls back"
    assert window.current_screen() == "pool" and pool._current.id == comment_id
    assert window.statusBar().currentMessage() == "Redid redaction of a comment in the Pool"


def test_a_deleted_comment_comes_back_selected_wherever_the_pool_was(window, qtbot, monkeypatch):
    from fieldkit.ui.qt import QMessageBox

    pool = window.show_screen("pool")
    study = window.session.study
    comment_id = _pick(pool, SAID[2])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    pool.delete_current()
    assert comment_id not in [c.id for c in study.pool.comments()]
    assert window.undo_action.text() == "&Undo deletion of a comment"
    pool.search.setText("council")  # the pool now shows something else
    pool.refresh()
    window.show_screen("settings")
    window.undo_action.trigger()
    assert comment_id in [c.id for c in study.pool.comments()]
    assert window.current_screen() == "pool" and pool._current.id == comment_id
    assert window.statusBar().currentMessage() == "Undid deletion of a comment in the Pool"


def test_undo_of_a_rename_opens_the_organisation_again(window, qtbot):
    from fieldkit.ui.qt import Qt

    orgs = window.session.study.organisations
    org_id = orgs.find(NAME)
    window.open_case(org_id)
    form = window.screens["organisations"].case_form
    name = form.fields["name"]
    name.setFocus()
    name.selectAll()
    type_text(name, "Leeds Trust")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert orgs.get(org_id).name == "Leeds Trust"
    assert window.undo_action.text() == "&Undo rename of Leeds && Bradford Trust"  # "&" is not a mnemonic
    form.go_back()  # the case form is left, then the Pool shown
    window.show_screen("pool")
    window.undo_action.trigger()
    assert orgs.get(org_id).name == NAME
    organisations = window.screens["organisations"]
    assert window.current_screen() == "organisations" and organisations.pages.currentWidget() is form
    assert form.org_id == org_id and name.text() == NAME
    assert window.statusBar().currentMessage() == f"Undid rename of {NAME} in Organisations"
    form.go_back()


def test_undo_in_study_settings_brings_back_the_tab_it_was_made_on(window, qtbot):
    from fieldkit.ui.qt import Qt

    settings = window.show_screen("settings")
    study = window.session.study
    settings.tabs.setCurrentIndex(0)
    client = settings.details["client"]
    client.setFocus()
    type_text(client, "Leeds City Council")
    qtbot.keyClick(client, Qt.Key.Key_Tab)
    assert study.client == "Leeds City Council"
    assert window.undo_action.text() == "&Undo change to the client"
    settings.tabs.setCurrentIndex(2)
    window.show_screen("callbacks")
    window.undo_action.trigger()
    assert study.client == ""
    assert window.current_screen() == "settings" and settings.tabs.currentIndex() == 0
    assert client.text() == ""
    assert window.statusBar().currentMessage() == "Undid change to the client in Study settings"


def test_a_refused_undo_says_why_and_claims_nothing(window, warnings):
    from fieldkit.errors import InvalidValueError

    def refuse() -> None:
        raise InvalidValueError("that organisation has gone")

    assert window.session.edit("rename of Gone", lambda: None, refuse, {"organisations"})
    window.undo_action.trigger()
    assert warnings == [("Not undone: rename of Gone", "that organisation has gone")]
    assert not window.statusBar().currentMessage().startswith("Undid")


def test_undo_never_reaches_into_another_study(window, qtbot, tmp_path: Path):
    from fieldkit.ui.qt import Qt

    first = window.session.study.path
    settings = window.show_screen("settings")
    client = settings.details["client"]
    client.setFocus()
    type_text(client, "Leeds City Council")
    qtbot.keyClick(client, Qt.Key.Key_Tab)
    assert window.undo_action.isEnabled()

    other = tmp_path / "other.fieldkit"
    Study.create(other, small_template(), title="Other study").close()
    assert window.open_study(other)
    window.wait_for_checks()
    assert window.session.undo_stack.count() == 0
    assert window.undo_action.text() == "&Undo" and not window.undo_action.isEnabled()
    window.undo_action.trigger()  # Ctrl+Z: nothing to undo here, and nothing of the first study's
    window.close_study()
    assert window.undo_action.text() == "&Undo" and not window.undo_action.isEnabled()
    with Study.open(first) as again:
        assert again.client == "Leeds City Council"
