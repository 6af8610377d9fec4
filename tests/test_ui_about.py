"""Help ▸ About fieldkit: the real versions, a "Copy details" for support, and buttons that open the real folders."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from ui_dialogs import answer_modals


def _dialog(qtbot, opened: list):
    from fieldkit.ui.about import AboutDialog

    dialog = AboutDialog(open_url=opened.append)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _value(dialog, name: str) -> str:
    from fieldkit.ui.qt import QLabel

    [label] = [w for w in dialog.findChildren(QLabel) if w.accessibleName() == name]
    return label.text()


def test_about_shows_the_real_versions(qtbot):
    from sqlcipher3 import dbapi2

    from fieldkit.ui.qt import qVersion

    dialog = _dialog(qtbot, [])
    assert _value(dialog, "Program and version") == f"fieldkit {metadata.version('fieldkit')}"
    assert _value(dialog, "fieldkit version") == metadata.version("fieldkit")
    assert _value(dialog, "SQLite version") == dbapi2.sqlite_version
    conn = dbapi2.connect(":memory:")
    try:
        cipher = conn.execute("PRAGMA cipher_version").fetchone()[0]
    finally:
        conn.close()
    assert _value(dialog, "SQLCipher version") == cipher
    assert _value(dialog, "Qt version") == qVersion()
    assert _value(dialog, "Licence") == "MIT"


def test_each_open_folder_button_opens_the_folder_fieldkit_writes_to(qtbot):
    from fieldkit.storage.backups import backups_root
    from fieldkit.study import default_folder
    from fieldkit.ui.errors import log_path

    opened: list = []
    dialog = _dialog(qtbot, opened)
    expected = {"studies": default_folder(), "backups": backups_root(), "logs": log_path().parent}
    assert set(dialog.folder_buttons) == set(expected)
    for key, folder in expected.items():
        opened.clear()
        dialog.folder_buttons[key].click()
        [url] = opened
        assert url.isLocalFile() and Path(url.toLocalFile()) == folder, key
        assert folder.is_dir(), key  # made, so the file manager has something to show
        assert _value(dialog, f"{dialog.places[list(expected).index(key)].label} folder") == str(folder)


def test_a_folder_that_cannot_be_made_is_said_in_the_dialog(qtbot, tmp_path: Path, monkeypatch):
    from fieldkit import about

    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setattr(about, "log_folder", lambda: blocked / "log")
    opened: list = []
    dialog = _dialog(qtbot, opened)
    dialog.folder_buttons["logs"].click()
    assert opened == []
    assert str(blocked / "log") in dialog.message.text()


def test_copy_details_puts_the_versions_on_the_clipboard(qtbot):
    from sqlcipher3 import dbapi2

    from fieldkit.ui.qt import QApplication

    dialog = _dialog(qtbot, [])
    QApplication.clipboard().clear()
    dialog.copy_button.click()
    text = QApplication.clipboard().text()
    assert text.startswith(f"fieldkit: {metadata.version('fieldkit')}\n")
    assert f"SQLite: {dbapi2.sqlite_version}\n" in text and "PySide6: " in text
    assert "clipboard" in dialog.message.text()


def test_every_control_has_an_accessible_name(qtbot):
    from fieldkit.ui.qt import QAbstractButton, QGroupBox

    dialog = _dialog(qtbot, [])
    controls = dialog.findChildren(QAbstractButton) + dialog.findChildren(QGroupBox)
    assert len(controls) >= 7  # three folders, Copy details, Close, two groups
    assert [c.text() or c.title() for c in controls if not c.accessibleName()] == []
    names = [b.accessibleName() for b in dialog.findChildren(QAbstractButton)]
    assert len(names) == len(set(names))  # each button says which folder it opens


def test_help_about_opens_with_no_study_open(qtbot):
    from fieldkit.ui.about import AboutDialog
    from fieldkit.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    assert window.session is None
    [action] = [a for m in window.menuBar().actions() if m.text() == "&Help"
                for a in m.menu().actions() if a.text() == "&About fieldkit"]
    seen = answer_modals(lambda d: d.reject())
    action.trigger()
    assert len(seen) == 1 and isinstance(seen[0], AboutDialog)
