"""The app with encrypted studies: unlocking, encrypting, changing and removing a passphrase."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from fieldkit.errors import PassphraseError
from fieldkit.study import Study
from studies import file_digest, small_template
from ui_dialogs import answer_modals, unlock_with
from ui_typing import type_text

PASSPHRASE = "heron lantern 1912"


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "study.fieldkit"
    with Study.create(path, small_template()) as s:
        s.organisations.add("Aston Mosque Trust", category="Network",
                            contacts=[{"name": "Idris Canarywood", "phone": "07700 900555"}])
    return path


def new_passphrase(text: str) -> Callable:
    def step(dialog):
        from fieldkit.ui.passphrase import NewPassphraseDialog

        assert isinstance(dialog, NewPassphraseDialog)
        type_text(dialog.first, text)
        assert not dialog.ok.isEnabled()  # not until typed twice
        type_text(dialog.second, text)
        assert dialog.ok.isEnabled()
        dialog.ok.click()
    return step


def click(label: str) -> Callable:
    def step(dialog):
        from fieldkit.ui.qt import QAbstractButton

        [button] = [b for b in dialog.findChildren(QAbstractButton) if b.text() == label]
        button.click()
    return step


MESSAGES: list[str] = []


def close_message(dialog) -> None:
    MESSAGES.append(dialog.text())
    dialog.accept()


@pytest.fixture
def main(qtbot):
    from fieldkit.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def encrypt(path: Path) -> None:
    with Study.open(path) as s:
        s.set_passphrase(PASSPHRASE)


def test_opening_an_encrypted_study_asks_for_its_passphrase_until_it_is_right(main, study_path: Path):
    encrypt(study_path)
    seen = answer_modals(unlock_with("heron lantern 1913"), unlock_with(PASSPHRASE))
    assert main.open_study(study_path)
    assert len(seen) == 2
    from fieldkit.ui.qt import QLabel

    assert seen[0].findChild(QLabel, "problem") is None  # the first time, no complaint
    assert "does not open" in seen[1].findChild(QLabel, "problem").text()
    assert main.session.study.encrypted
    assert main._lock_label.text() == "Encrypted"
    screen = main.show_screen("organisations")
    screen.refresh_list()
    screen.loader.wait()
    assert screen.model.rowCount() == 1  # the list's own reader has the key too


def test_cancelling_the_passphrase_opens_nothing_and_changes_nothing(main, study_path: Path):
    encrypt(study_path)
    before = file_digest(study_path)
    answer_modals(lambda dialog: dialog.reject())
    assert main.open_study(study_path) is False
    assert main.session is None
    assert file_digest(study_path) == before
    assert not Path(f"{study_path}-wal").exists()


def test_encrypting_changing_and_removing_from_the_file_menu(main, qtbot, study_path: Path):
    assert main.open_study(study_path)
    assert main._lock_label.text() == ""
    screen = main.show_screen("organisations")
    screen.refresh_list()
    screen.loader.wait()
    MESSAGES.clear()
    answer_modals(new_passphrase(PASSPHRASE), close_message)
    main.manage_passphrase()
    assert len(MESSAGES) == 1 and "is now encrypted" in MESSAGES[0]
    assert main.session.study.encrypted and main._lock_label.text() == "Encrypted"
    assert b"Canarywood" not in study_path.read_bytes()
    # the study carries on: the list reads through a new reader, edits are saved
    screen.refresh_list()
    screen.loader.wait()
    assert screen.model.rowCount() == 1
    org = main.session.study.organisations.ids()[0]
    main.session.study.organisations.update(org, notes="written after encrypting")

    answer_modals(click("Change passphrase…"), new_passphrase("second heron lantern"), close_message)
    main.manage_passphrase()
    main.close_study()
    with pytest.raises(PassphraseError):
        Study.open(study_path, passphrase=PASSPHRASE)
    with Study.open(study_path, passphrase="second heron lantern") as s:
        assert s.organisations.get(org).notes == "written after encrypting"

    answer_modals(unlock_with("second heron lantern"))
    assert main.open_study(study_path)
    answer_modals(click("Remove passphrase…"), click("Cancel"))  # thinks better of it
    main.manage_passphrase()
    assert main.session.study.encrypted
    answer_modals(click("Remove passphrase…"), click("Remove passphrase"), close_message)
    main.manage_passphrase()
    assert not main.session.study.encrypted and main._lock_label.text() == ""
    assert study_path.read_bytes().startswith(b"SQLite format 3")


def test_a_new_study_can_be_encrypted_from_the_start_or_not(main, tmp_path: Path, monkeypatch):
    from fieldkit.templates import forms_dir
    from fieldkit.ui import main_window

    template = forms_dir() / "blank.toml"
    for name, steps, encrypted in (("plain", [click("Not now")], False),
                                   ("secret", [new_passphrase(PASSPHRASE)], True)):
        path = tmp_path / f"{name}.fieldkit"
        monkeypatch.setattr(main_window.QFileDialog, "getSaveFileName",
                            staticmethod(lambda *a, p=path, **k: (str(p), "")))
        answer_modals(*steps)
        main.new_study(template)
        assert main.session is not None and main.session.study.path == path
        assert main.session.study.encrypted is encrypted
        assert path.read_bytes().startswith(b"SQLite format 3") is not encrypted
    path = tmp_path / "cancelled.fieldkit"
    monkeypatch.setattr(main_window.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
    answer_modals(lambda dialog: dialog.reject())
    main.new_study(template)
    assert not path.exists()


def test_the_passphrase_is_not_kept_in_settings_recent_files_or_logs(main, study_path: Path):
    encrypt(study_path)
    answer_modals(unlock_with(PASSPHRASE))
    assert main.open_study(study_path)
    main.close()
    main.settings.sync()
    home = Path(os.environ["XDG_DATA_HOME"]).parent
    for folder in (home, study_path.parent):
        for f in folder.rglob("*"):
            if f.is_file():
                data = f.read_bytes()
                assert PASSPHRASE.encode() not in data and PASSPHRASE.encode("utf-16-le") not in data, f


def test_the_dialogs_read_clearly(qtbot, tmp_path: Path):
    """Grabbed for a look: nothing cut off (the labels wrap in the width given)."""
    from fieldkit.ui.passphrase import NewPassphraseDialog, UnlockDialog
    from fieldkit.ui.qt import QLabel

    for dialog in (UnlockDialog(None, tmp_path / "West Midlands mapping.fieldkit", wrong=True),
                   NewPassphraseDialog(None, "Protect the new study", "Protect “West Midlands mapping” with a "
                                       "passphrase? " * 3, skip_text="Not now")):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        for label in dialog.findChildren(QLabel):
            if label.wordWrap() and label.text():
                assert label.heightForWidth(label.width()) <= label.height() + 2, label.text()
        if os.environ.get("FIELDKIT_GRAB"):
            dialog.grab().save(str(Path(os.environ["FIELDKIT_GRAB"]) / f"{type(dialog).__name__}.png"))
