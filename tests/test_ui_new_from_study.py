"""The welcome screen's "From another study…": a new study from the template another study has
now, through the real widgets. The other study is only read; bad files get one line and make
nothing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from fieldkit.study import Study
from studies import mapping_template
from ui_dialogs import answer_modals, unlock_with

PASSPHRASE = "kestrel over the canal"
BUTTON = "New study from another study's template"


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def not_now(dialog) -> None:
    from fieldkit.ui.passphrase import NewPassphraseDialog
    from fieldkit.ui.qt import QAbstractButton

    assert isinstance(dialog, NewPassphraseDialog)
    [button] = [b for b in dialog.findChildren(QAbstractButton) if b.text() == "Not now"]
    button.click()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """An encrypted West Midlands study whose template has moved on: a new area and question."""
    folder = tmp_path / "old"
    folder.mkdir()
    path = folder / "West Midlands 2026.fieldkit"
    with Study.create(path, mapping_template(), passphrase=PASSPHRASE) as s:
        s.add_vocabulary_values({"areas": ["Telford and Wrekin"]})
        s.organisations.add("Telford Polish Club", category="BME network", area="Telford and Wrekin")
    return path


@pytest.fixture
def main(qtbot, monkeypatch):
    from fieldkit.ui import errors
    from fieldkit.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.warnings = []
    monkeypatch.setattr(errors, "warn", lambda parent, title, text: w.warnings.append((title, text)))
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def choose(monkeypatch, opened: Path, saved: Path | None = None) -> list[str]:
    """The file dialogs pick ``opened`` (the other study) and ``saved`` (the new one); returns
    the titles of the save dialogs that were shown."""
    from fieldkit.ui import main_window

    asked: list[str] = []
    monkeypatch.setattr(main_window.QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(opened), "")))
    monkeypatch.setattr(main_window.QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, title, *a, **k: asked.append(title) or (str(saved), "")))
    return asked


def the_button(window):
    from fieldkit.ui.qt import QPushButton

    [button] = [b for b in window.centralWidget().findChildren(QPushButton) if b.accessibleName() == BUTTON]
    assert button.isVisible() and button.text() == "From another study…"
    return button


def test_a_new_study_from_an_encrypted_study_on_the_welcome_screen(main, source: Path, tmp_path: Path,
                                                                  monkeypatch):
    with Study.open(source, read_only=True, passphrase=PASSPHRASE) as s:
        current = s.template.to_dict()
    before = snapshot(source.parent)
    new = tmp_path / "East Midlands 2027.fieldkit"
    choose(monkeypatch, source, new)
    seen = answer_modals(unlock_with("kestrel over the river"), unlock_with(PASSPHRASE), not_now)
    the_button(main).click()

    from fieldkit.ui.qt import QLabel

    assert len(seen) == 3 and not main.warnings
    assert seen[0].findChild(QLabel, "problem") is None
    assert "does not open" in seen[1].findChild(QLabel, "problem").text()  # the wrong one, asked again
    assert main.session is not None and main.session.study.path == new
    study = main.session.study
    assert not study.encrypted  # "Not now": the new study's own choice
    assert study.template_versions() == [1] and study.organisations.count() == 0
    current["template"]["version"] = 1
    assert study.template.to_dict() == current
    assert "Telford and Wrekin" in study.template.areas
    assert snapshot(source.parent) == before  # byte for byte, and no -wal or -shm left beside it


def test_bad_files_and_cancelling_make_nothing(main, source: Path, tmp_path: Path, monkeypatch):
    notes = tmp_path / "notes.fieldkit"
    notes.write_text("just some notes", encoding="utf-8")
    new = tmp_path / "never.fieldkit"
    asked = choose(monkeypatch, notes, new)
    the_button(main).click()
    assert main.warnings == [("Cannot start from that study",
                              f"{notes}: not a fieldkit study (not an SQLite database)")]
    assert asked == [] and main.session is None

    before = snapshot(source.parent)
    asked = choose(monkeypatch, source, new)
    answer_modals(lambda dialog: dialog.reject())  # the passphrase dialog, cancelled
    the_button(main).click()
    assert asked == [] and main.session is None and not new.exists()
    assert snapshot(source.parent) == before
    assert len(main.warnings) == 1


def test_the_welcome_screen_reads_clearly(main, qtbot):
    """Nothing cut off: every wrapped label has the height its text needs, even in a small
    window (the screen scrolls instead)."""
    from fieldkit.ui.qt import QLabel

    for size in ((1180, 760), (820, 560)):
        main.resize(*size)
        qtbot.wait(50)
        welcome = main.centralWidget()
        the_button(main)
        for label in welcome.findChildren(QLabel):
            if label.wordWrap() and label.text():
                assert label.heightForWidth(label.width()) <= label.height() + 2, label.text()
        if os.environ.get("FIELDKIT_GRAB"):
            welcome.grab().save(str(Path(os.environ["FIELDKIT_GRAB"]) / f"welcome-{size[0]}.png"))
