"""File ▸ Export for analysis…, Archive study… and New study from an archive…, through the real
widgets: files written and read back, the pool's warnings as the command line gives them,
passphrases asked for an archive of its own, answers still held offered to be left out, and
bad input refused in one line with nothing made."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pyreadstat
import pytest

from fieldkit.archive import archive_study, is_encrypted, unarchive
from fieldkit.errors import PassphraseError
from fieldkit.study import Study
from studies import pool_now, small_template
from ui_dialogs import answer_modals, unlock_with
from ui_typing import type_text

PASSPHRASE = "heron beside the weir"
ARCHIVE_PASSPHRASE = "lantern under the bridge"
GRAB = os.environ.get("FIELDKIT_GRAB")


def _interview(study: Study, org: int, n: int, *, finish: bool = True):
    session = study.interviews.start(org, mode="phone", interviewer="AK", date=f"2026-03-{n + 1:02d}")
    session.save_answer("role", f"Coordinator {n}")
    session.save_answer("size", ["Small", "Medium", "Large"][n % 3])
    session.save_answer("work", ["Advice", "Health"] if n % 2 else ["Youth"])
    session.save_answer("sector_barriers", f"Barrier number {n}: rent and volunteers")
    if finish:
        session.complete()
    return session


def _fill(study: Study, *, pooled: bool) -> None:
    """Three organisations, two interviews; their anonymous answers pooled at once (below k,
    one of them naming an organisation), or left held with their interviews."""
    cafe = study.organisations.add("Café Zoë", category="Network", area="Birmingham")
    hall = study.organisations.add("Church Hall Trust", category="Infrastructure", area="Coventry")
    study.organisations.add("Third Org")
    first = _interview(study, cafe, 0, finish=not pooled)
    second = _interview(study, hall, 1, finish=not pooled)
    second.save_answer("sector_help", "Café Zoë could share its rooms")
    if pooled:
        pool_now(study, first, second)


def _window(qtbot, path: Path, *, passphrase: str | None = None, size=(1180, 760)):
    from fieldkit.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    if path is not None:
        assert w.open_study(path, passphrase=passphrase)
    return w


@pytest.fixture
def warned(monkeypatch) -> list[tuple[str, str]]:
    from fieldkit.ui import errors

    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "warn", lambda parent, title, text: seen.append((title, text)))
    return seen


@pytest.fixture
def pooled(tmp_path: Path) -> Path:
    path = tmp_path / "West Midlands 2026.fieldkit"
    with Study.create(path, small_template(), title="West Midlands 2026") as s:
        _fill(s, pooled=True)
    return path


@pytest.fixture
def held(tmp_path: Path) -> Path:
    path = tmp_path / "Held.fieldkit"
    with Study.create(path, small_template(), title="Held answers") as s:
        _fill(s, pooled=False)
        assert s.held.count() == 3 and s.pool.count() == 0
    return path


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    path = tmp_path / "Encrypted.fieldkit"
    with Study.create(path, small_template(), title="Encrypted study", passphrase=PASSPHRASE) as s:
        _fill(s, pooled=True)
    return path


def save_as(monkeypatch, *paths: Path) -> list[str]:
    """The save dialogs return ``paths`` in turn; returns the titles they were shown with."""
    from fieldkit.ui.qt import QFileDialog

    queue, titles = list(paths), []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, title, *a, **k: titles.append(title) or (str(queue.pop(0)), "")))
    return titles


def open_as(monkeypatch, path: Path) -> None:
    from fieldkit.ui.qt import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def menu_action(window, text: str):
    for top in window.menuBar().actions():
        for action in top.menu().actions():
            if action.text().replace("&", "") == text:
                return action
    raise AssertionError(f"no menu entry {text!r}")


def click(text: str):
    """A step that clicks the button reading ``text`` (without its &) in a message box."""
    def step(box):
        from fieldkit.ui.qt import QAbstractButton

        step.text = box.text() + "\n" + box.informativeText()
        [button] = [b for b in box.findChildren(QAbstractButton) if b.text().replace("&", "") == text]
        button.click()
    return step


def new_passphrase(text: str, seen: list | None = None, *, number: int | None = None):
    """A step that types ``text`` twice into the new-passphrase dialog and accepts it (grabbed
    as picture ``number`` when pictures are asked for)."""
    def step(dialog):
        from fieldkit.ui.passphrase import NewPassphraseDialog
        from fieldkit.ui.qt import QLabel

        assert isinstance(dialog, NewPassphraseDialog)
        if seen is not None:
            seen.append((dialog.findChild(QLabel, "intro").text(), dialog.findChild(QLabel, "keep_safe").text(),
                         cut_off(dialog)))
        type_text(dialog.first, text, process_every=0)
        type_text(dialog.second, text, process_every=0)
        if number is not None:
            grab(dialog, number)
        assert dialog.ok.isEnabled()
        dialog.ok.click()
    return step


def not_now(dialog) -> None:
    from fieldkit.ui.passphrase import NewPassphraseDialog
    from fieldkit.ui.qt import QAbstractButton

    assert isinstance(dialog, NewPassphraseDialog)
    [button] = [b for b in dialog.findChildren(QAbstractButton) if b.text() == "Not now"]
    button.click()


def cut_off(widget) -> list[str]:
    """The wrapped labels of ``widget`` too short for their text."""
    from fieldkit.ui.qt import QLabel

    return [label.text() for label in widget.findChildren(QLabel)
            if label.isVisible() and label.wordWrap() and label.text()
            and label.heightForWidth(label.width()) > label.height() + 2]


def grab(widget, number: int) -> None:
    if GRAB:
        widget.grab().save(str(Path(GRAB) / f"data-{number}.png"))


# --- Export for analysis -------------------------------------------------------------------------


def test_interviews_exported_as_spss_from_the_file_menu(qtbot, pooled: Path, tmp_path: Path, monkeypatch):
    w = _window(qtbot, pooled)
    out = tmp_path / "exports"
    out.mkdir()
    titles = save_as(monkeypatch, out / "interviews for SPSS")  # the suffix is added
    shown: list = []

    def export_interviews(dialog):
        from fieldkit.ui.data_files import ExportDialog

        assert isinstance(dialog, ExportDialog)
        combo = dialog.formats["interviews"]
        combo.setCurrentIndex(combo.findData("sav"))
        assert combo.currentText() == "SPSS (.sav)"
        dialog.export_buttons["interviews"].click()
        shown.append((dialog.status.text(), dialog.status.property("problem"), dialog.warnings.isVisible()))
        dialog.reject()

    answer_modals(export_interviews)
    menu_action(w, "Export for analysis…").trigger()
    written = out / "interviews for SPSS.sav"
    assert titles == ["Export interviews"]
    assert shown == [(f"Wrote interviews to {written}.", False, False)]
    assert w.statusBar().currentMessage() == f"Wrote interviews to {written}"
    frame, meta = pyreadstat.read_sav(str(written))
    assert list(frame["organisation"]) == ["Café Zoë", "Church Hall Trust"]
    assert list(frame["size"]) == [1, 2] and meta.variable_value_labels["size"] == {1: "Small", 2: "Medium",
                                                                                     3: "Large"}
    assert list(frame["work_1"]) == [0, 1] and list(frame["work_2"]) == [1, 0]  # Advice; Youth
    assert not [c for c in frame.columns if c.startswith("sector_")]  # anonymous: only ever in the pool
    assert w.settings.value("data_files/format/interviews") == "sav"  # offered first next time
    w.close()


def test_pool_export_shows_what_the_command_line_warns_of(qtbot, pooled: Path, tmp_path: Path, capsys):
    from fieldkit.cli import main
    from fieldkit.ui.data_files import ExportDialog

    assert main(["export", str(pooled), "pool", "-o", str(tmp_path / "cli.csv")]) == 0
    cli = [line.removeprefix("warning: ") for line in capsys.readouterr().err.splitlines()]
    assert len(cli) == 3  # two questions below k, one comment with a name in it

    w = _window(qtbot, pooled)
    dialog = ExportDialog(w)
    dialog.show()
    qtbot.waitExposed(dialog)
    done = dialog.export("pool", tmp_path / "pool.csv")
    assert done is not None and done.path.read_text(encoding="utf-8-sig").count("\n") == 4  # header, 3 comments
    assert dialog.status.text() == f"Wrote pooled comments to {tmp_path / 'pool.csv'}."
    assert dialog.warnings.isVisible() and len(dialog.warnings.lines) == 3
    for said, shown in zip(cli, dialog.warnings.lines, strict=True):
        words = said.removeprefix("anonymity:").strip()
        assert shown[:1] == words[:1].upper() and words[1:].split("(redact")[0].strip() in shown
    assert "redact them in the Pool screen" in dialog.warnings.lines[-1]
    assert "fewer than k = 5" in dialog.warnings.text()
    dialog.export("organisations", tmp_path / "orgs.xlsx")  # another export: nothing to note
    assert not dialog.warnings.isVisible()
    dialog.export("pool", tmp_path / "pool.csv")
    qtbot.wait(20)
    assert cut_off(dialog) == []
    grab(dialog, 1)
    dialog.close()
    w.close()


def test_an_export_that_cannot_be_written_is_refused_in_one_line(qtbot, pooled: Path, tmp_path: Path,
                                                                   monkeypatch):
    from fieldkit.ui.data_files import ExportDialog

    w = _window(qtbot, pooled)
    dialog = ExportDialog(w)
    dialog.show()
    nowhere = tmp_path / "no such folder" / "interviews.dta"
    assert dialog.export("interviews", nowhere) is None
    assert dialog.status.property("problem") is True
    assert dialog.status.text() == f"{nowhere}: the folder {nowhere.parent} does not exist"
    assert not nowhere.parent.exists()
    folder = tmp_path / "a folder.csv"
    folder.mkdir()
    assert dialog.export("contacts", folder) is None and dialog.status.text() == f"{folder}: is a folder"
    save_as(monkeypatch, tmp_path / "codebook.txt")  # not a codebook's format: the chosen one is added
    dialog.formats["codebook"].setCurrentIndex(dialog.formats["codebook"].findData("pdf"))
    dialog.export_buttons["codebook"].click()
    assert (tmp_path / "codebook.txt.pdf").read_bytes().startswith(b"%PDF")
    assert "\n" not in dialog.status.text() and dialog.status.property("problem") is False
    dialog.close()
    w.close()


# --- Archive study -------------------------------------------------------------------------------


def test_a_plain_study_archived_from_the_file_menu(qtbot, pooled: Path, tmp_path: Path, monkeypatch):
    w = _window(qtbot, pooled)
    target = tmp_path / "handover"
    save_as(monkeypatch, target)
    said: list = []

    def archive(dialog):
        from fieldkit.ui.data_files import ArchiveDialog

        assert isinstance(dialog, ArchiveDialog)
        assert dialog.encrypt.isEnabled() and not dialog.encrypt.isChecked()
        dialog.archive_button.click()
        said.append(dialog.status.text())
        dialog.reject()

    answer_modals(archive)
    menu_action(w, "Archive study…").trigger()
    zipped = tmp_path / "handover.zip"
    assert said == [f"Wrote the archive of {pooled.stem} to {zipped}."]
    assert not is_encrypted(zipped)
    with zipfile.ZipFile(zipped) as z:
        manifest = json.loads(z.read("manifest.json"))
    assert manifest["encrypted"] is False and manifest["held_answers_left_out"] == 0
    assert len(json.loads(zipfile.ZipFile(zipped).read("tables/organisations.json"))) == 3
    w.close()


def test_a_plain_study_archived_encrypted_when_ticked(qtbot, pooled: Path, tmp_path: Path, monkeypatch):
    from fieldkit.ui.data_files import ArchiveDialog

    w = _window(qtbot, pooled)
    dialog = ArchiveDialog(w)
    dialog.show()
    dialog.encrypt.setChecked(True)
    asked: list = []
    answer_modals(new_passphrase(ARCHIVE_PASSPHRASE, asked))
    done = dialog.archive(tmp_path / "sealed.zip")
    assert done is not None and done.encrypted and is_encrypted(done.path)
    assert "Whoever opens the archive needs it" in asked[0][0] and "archive" in asked[0][1]
    assert "AES-256" in dialog.status.text()
    made = unarchive(done.path, tmp_path / "back.fieldkit", passphrase=ARCHIVE_PASSPHRASE)
    with Study.open(made, passphrase=ARCHIVE_PASSPHRASE) as back:
        assert back.organisations.count() == 3
    dialog.close()
    w.close()


def test_an_encrypted_study_gets_an_archive_passphrase_of_its_own(qtbot, encrypted: Path, tmp_path: Path,
                                                                  monkeypatch):
    from fieldkit.ui.data_files import ENCRYPTED_NOTE, ArchiveDialog

    w = _window(qtbot, encrypted, passphrase=PASSPHRASE)
    dialog = ArchiveDialog(w)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.encrypt.isChecked() and not dialog.encrypt.isEnabled()
    assert dialog.note.text() == ENCRYPTED_NOTE and "not the study's own" in ENCRYPTED_NOTE
    assert cut_off(dialog) == []
    grab(dialog, 2)
    zipped = tmp_path / "encrypted.zip"
    save_as(monkeypatch, zipped, zipped)
    asked: list = []
    answer_modals(new_passphrase(PASSPHRASE, asked, number=4))  # the study's own: refused in one line
    dialog.archive_button.click()
    assert dialog.status.property("problem") is True and "\n" not in dialog.status.text()
    assert "other than the study's own" in dialog.status.text() and not zipped.exists()
    assert asked[0][0] == ENCRYPTED_NOTE and asked[0][2] == []
    answer_modals(new_passphrase(ARCHIVE_PASSPHRASE))
    dialog.archive_button.click()
    assert dialog.status.property("problem") is False and is_encrypted(zipped)
    with pytest.raises(PassphraseError):
        unarchive(zipped, tmp_path / "not.fieldkit", passphrase=PASSPHRASE)
    assert not (tmp_path / "not.fieldkit").exists()
    made = unarchive(zipped, tmp_path / "back.fieldkit", passphrase=ARCHIVE_PASSPHRASE)
    with Study.open(made, passphrase=ARCHIVE_PASSPHRASE) as back:
        assert back.encrypted and back.pool.count() == 3
    dialog.close()
    w.close()


def test_answers_still_held_are_offered_to_be_left_out(qtbot, held: Path, tmp_path: Path, monkeypatch):
    from fieldkit.ui.data_files import ArchiveDialog

    w = _window(qtbot, held)
    dialog = ArchiveDialog(w)
    dialog.show()
    zipped = tmp_path / "held.zip"
    titles = save_as(monkeypatch, zipped)
    cancel = click("Cancel")
    answer_modals(cancel)
    assert dialog.archive() is None
    assert titles == [] and not zipped.exists()  # refused before asking where
    assert "3 anonymous answers are still held with their interviews" in cancel.text
    assert "Pool screen" in cancel.text and "--move-now" in cancel.text

    answer_modals(click("Archive without them"))
    done = dialog.archive()
    assert done is not None and done.held_left_out == 3
    with zipfile.ZipFile(zipped) as z:
        assert json.loads(z.read("manifest.json"))["held_answers_left_out"] == 3
        assert json.loads(z.read("tables/held.json")) == []
    assert dialog.status.text().endswith("Left out 3 anonymous answers still held with their interviews.")
    with Study.open(held, read_only=True) as s:
        assert s.held.count() == 3  # still in the study, moving to its pool as usual

    answer_modals(click("Show the Pool screen"))
    assert dialog.archive() is None
    assert not dialog.isVisible() and w.stack.currentWidget() is w.screens["pool"]
    w.close()


def test_the_held_question_reads_clearly(qtbot, held: Path, tmp_path: Path):
    from fieldkit.ui.data_files import ArchiveDialog

    w = _window(qtbot, held)
    dialog = ArchiveDialog(w)
    dialog.show()

    def look(box):
        box.show()
        qtbot.wait(20)
        assert cut_off(box) == []
        grab(box, 3)
        click("Cancel")(box)

    answer_modals(look)
    assert dialog.archive() is None
    w.close()


# --- New study from an archive -------------------------------------------------------------------


def test_a_new_study_from_an_archive_on_the_welcome_screen(qtbot, pooled: Path, tmp_path: Path, monkeypatch,
                                                           warned):
    from fieldkit.ui.qt import QPushButton

    with Study.open(pooled, read_only=True) as s:
        names = sorted(o.name for o in s.organisations.many(s.organisations.ids()))
        zipped = archive_study(s, tmp_path / "West Midlands 2026.zip")
    w = _window(qtbot, None)
    open_as(monkeypatch, zipped)
    new = tmp_path / "Restored"
    titles = save_as(monkeypatch, new)
    seen = answer_modals(not_now)  # a plain archive: encrypt the new study? as for every new study
    [button] = [b for b in w.centralWidget().findChildren(QPushButton)
                if b.accessibleName() == "New study from a fieldkit archive"]
    assert button.isVisible() and button.text() == "From an archive…"
    button.click()
    assert warned == [] and len(seen) == 1 and titles == ["Where the new study goes"]
    study = w.session.study
    assert study.path == tmp_path / "Restored.fieldkit" and not study.encrypted
    assert sorted(o.name for o in study.organisations.many(study.organisations.ids())) == names
    assert study.pool.count() == 3
    assert w.windowTitle() == "West Midlands 2026 — fieldkit"
    assert w.statusBar().currentMessage() == f"Made the study Restored.fieldkit from {zipped.name}"
    w.close()


def test_a_new_study_from_an_encrypted_archive_asks_its_passphrase(qtbot, encrypted: Path, tmp_path: Path,
                                                                   monkeypatch, warned):
    from fieldkit.ui.qt import QLabel

    with Study.open(encrypted, read_only=True, passphrase=PASSPHRASE) as s:
        zipped = archive_study(s, tmp_path / "sealed.zip", passphrase=ARCHIVE_PASSPHRASE)
    w = _window(qtbot, None)
    open_as(monkeypatch, zipped)
    save_as(monkeypatch, tmp_path / "Unsealed.fieldkit")
    looked: list = []

    def look_then_type(text):
        def step(dialog):
            dialog.show()
            qtbot.wait(20)
            looked.append((dialog.findChild(QLabel, "intro").text(),
                           (dialog.findChild(QLabel, "problem") or QLabel()).text(), cut_off(dialog)))
            grab(dialog, 4 + len(looked))
            unlock_with(text)(dialog)
        return step

    answer_modals(look_then_type(PASSPHRASE), look_then_type(ARCHIVE_PASSPHRASE))
    menu_action(w, "New study from an archive…").trigger()
    assert warned == []
    assert looked[0][0] == "The archive “sealed.zip” is encrypted. Enter the passphrase chosen for it when it was made."
    assert looked[0][1] == "" and "does not open this archive" in looked[1][1]
    assert looked[0][2] == looked[1][2] == []
    study = w.session.study
    assert study.path == tmp_path / "Unsealed.fieldkit" and study.encrypted and study.organisations.count() == 3
    assert w.statusBar().currentMessage().endswith("encrypted with the archive's passphrase")
    w.close()


def test_a_bad_archive_gives_one_line_and_no_study(qtbot, pooled: Path, tmp_path: Path, monkeypatch, warned):
    from fieldkit.ui.data_files import new_study_from_archive

    w = _window(qtbot, None)
    target_folder = tmp_path / "new"
    target_folder.mkdir()
    bad = tmp_path / "notes.zip"
    bad.write_text("just some notes", encoding="utf-8")
    titles = save_as(monkeypatch, target_folder / "never.fieldkit")
    assert new_study_from_archive(w, bad) is False
    assert warned == [("Cannot read the archive", f"{bad}: not a zip archive (or a damaged one); nothing was written")]
    assert titles == [] and w.session is None

    with Study.open(pooled, read_only=True) as s:
        good = archive_study(s, tmp_path / "good.zip")
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(damaged, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info, data.replace(b"Church Hall Trust", b"Church Hall Trusx"))  # checksums no longer fit
    warned.clear()
    save_as(monkeypatch, target_folder / "never.fieldkit")
    answer_modals(not_now)
    assert new_study_from_archive(w, damaged) is False
    assert len(warned) == 1 and warned[0][0] == "Cannot make a study of the archive"
    assert "\n" not in warned[0][1] and "checksum" in warned[0][1] and "nothing was written" in warned[0][1]
    assert list(target_folder.iterdir()) == [] and w.session is None

    existing = target_folder / "taken.fieldkit"
    existing.write_bytes(b"someone else's file")
    warned.clear()
    save_as(monkeypatch, existing)
    answer_modals(not_now)
    assert new_study_from_archive(w, good) is False
    assert warned == [("Cannot make a study of the archive",
                       f"{existing}: a file with that name already exists; nothing was written")]
    assert existing.read_bytes() == b"someone else's file" and w.session is None
    w.close()


def test_the_dialogs_read_clearly(qtbot, pooled: Path):
    """Nothing cut off in the export and archive dialogs at their own size and a small one."""
    from fieldkit.ui.data_files import ArchiveDialog, ExportDialog

    w = _window(qtbot, pooled)
    for number, kind in ((7, ExportDialog), (8, ArchiveDialog)):
        dialog = kind(w)
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.wait(20)
        assert cut_off(dialog) == [], kind.__name__
        grab(dialog, number)
        dialog.resize(1, 1)  # as small as it lets itself be made
        qtbot.wait(20)
        assert cut_off(dialog) == [], kind.__name__
        dialog.close()
    w.show_welcome()
    from fieldkit.ui.qt import QScrollArea

    scroll = w.centralWidget().findChild(QScrollArea)
    qtbot.wait(20)
    scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())  # the cards' end
    qtbot.wait(20)
    assert cut_off(w.centralWidget()) == []
    grab(w.centralWidget(), 9)
    w.close()
