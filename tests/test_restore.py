"""Restoring a study from a backup (fieldkit.storage.backups.restore, which the app's File ▸
Restore and ``fieldkit restore`` both call), and opening an older study up to date
(Study.open_up_to_date, which the command line's reading commands call)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from fieldkit.errors import FieldkitError, PassphraseError, StudyFileError, StudyInUseError, StudyOutdatedError
from fieldkit.storage import backups, connection, schema, sqlite
from fieldkit.study import Study
from cli_runs import run_with_passphrases
from studies import file_digest, small_template

PASSPHRASE = "marmalade ostrich 47"


def names(study: Study) -> list[str]:
    return sorted(o.name for o in study.organisations.many(study.organisations.ids()))


def backed_up_then_changed(path: Path, passphrase: str | None = None) -> Path:
    """A study with "Good data" in a backup and "Later" added after it; returns the backup."""
    with Study.create(path, small_template(), passphrase=passphrase) as study:
        study.organisations.add("Good data", category="Network")
        taken = study.backup("manual")
        study.organisations.add("Later", category="Network")
    return taken


def state(path: Path) -> dict[str, object]:
    """Everything a refused restore must leave as it was: the study's folder (every file, its
    bytes), the study's backups and whether their thinning is paused."""
    return {
        "files": {p.name: file_digest(p) for p in sorted(path.parent.iterdir()) if p.is_file()},
        "backups": [(b.path.name, file_digest(b.path)) for b in backups.list_backups(path)],
        "paused": backups.is_paused(path),
    }


def damage(path: Path, passphrase: str | None) -> None:
    """Overwrite the second half (where its rows are) of the page that holds the organisations
    table; page 1, with the header and the schema, stays readable."""
    key = sqlite.key_for_file(path, passphrase) if passphrase else None
    conn = sqlite.connect(path, key=key, read_only=True)
    try:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'organisations'").fetchone()[0]
        size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()
    assert root > 1
    data = bytearray(path.read_bytes())
    start = (root - 1) * size + size // 2
    data[start:start + size // 2] = b"\xa5" * (size // 2)
    path.write_bytes(bytes(data))


# --- restore --------------------------------------------------------------------------------


def test_a_plain_study_is_restored_and_the_current_file_kept_twice(tmp_path: Path):
    path = tmp_path / "plain.fieldkit"
    taken = backed_up_then_changed(path)
    aside = backups.restore(path, taken)
    with Study.open(path) as study:
        assert names(study) == ["Good data"]
        assert not study.encrypted
    # The file as it was: moved aside whole, and backed up before the restore.
    with sqlite3.connect(aside) as moved:
        assert {r[0] for r in moved.execute("SELECT name FROM organisations")} == {"Good data", "Later"}
    before = next(b for b in backups.list_backups(path) if b.reason == "before-restore")
    with sqlite3.connect(before.path) as kept:
        assert {r[0] for r in kept.execute("SELECT name FROM organisations")} == {"Good data", "Later"}
    assert backups.is_paused(path)
    assert not [p.name for p in tmp_path.iterdir() if ".restoring" in p.name]  # no copy left behind


def test_an_encrypted_study_is_restored_with_its_passphrase(tmp_path: Path):
    path = tmp_path / "secret.fieldkit"
    taken = backed_up_then_changed(path, PASSPHRASE)
    aside = backups.restore(path, taken, passphrase=PASSPHRASE)
    assert connection.read_header(path) is None  # encrypted on disk, header and all
    with Study.open(path, passphrase=PASSPHRASE) as study:
        assert study.encrypted and names(study) == ["Good data"]
    with Study.open(aside, passphrase=PASSPHRASE, backup=False) as moved:
        assert names(moved) == ["Good data", "Later"]
    before = next(b for b in backups.list_backups(path) if b.reason == "before-restore")
    assert connection.read_header(before.path) is None  # the safety backup is encrypted too
    assert backups.integrity_ok(before.path, sqlite.key_for_file(before.path, PASSPHRASE))


def test_a_wrong_passphrase_is_refused_in_one_line_and_changes_nothing(tmp_path: Path, capsys, monkeypatch):
    path = tmp_path / "secret.fieldkit"
    taken = backed_up_then_changed(path, PASSPHRASE)
    before = state(path)
    with pytest.raises(PassphraseError) as needed:
        backups.restore(path, taken)
    assert needed.value.needed
    with pytest.raises(PassphraseError) as wrong:
        backups.restore(path, taken, passphrase="not the passphrase")
    assert not wrong.value.needed
    assert "\n" not in str(wrong.value) and "does not open" in str(wrong.value)
    assert state(path) == before

    code, out, err = run_with_passphrases(capsys, monkeypatch, "restore", path, taken, passphrase="not the passphrase")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("fieldkit restore: ") and "does not open" in err
    assert state(path) == before
    with Study.open(path, passphrase=PASSPHRASE, backup=False) as study:
        assert names(study) == ["Good data", "Later"]


@pytest.mark.parametrize("passphrase", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_a_damaged_backup_is_refused_and_changes_nothing(tmp_path: Path, passphrase: str | None):
    path = tmp_path / "study.fieldkit"
    taken = backed_up_then_changed(path, passphrase)
    damaged = tmp_path / "elsewhere" / "damaged.fieldkit"
    damaged.parent.mkdir()
    shutil.copyfile(taken, damaged)
    damage(damaged, passphrase)
    before = state(path)
    with pytest.raises(FieldkitError) as refused:
        backups.restore(path, damaged, passphrase=passphrase)
    assert "\n" not in str(refused.value) and "integrity check" in str(refused.value)
    assert state(path) == before


def test_a_backup_from_a_newer_fieldkit_is_refused_and_changes_nothing(tmp_path: Path):
    path = tmp_path / "study.fieldkit"
    taken = backed_up_then_changed(path)
    newer = tmp_path / "elsewhere" / "newer.fieldkit"
    newer.parent.mkdir()
    shutil.copyfile(taken, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    before = state(path)
    with pytest.raises(StudyFileError, match="written by a newer fieldkit"):
        backups.restore(path, newer)
    assert state(path) == before


def test_a_copy_that_cannot_be_written_leaves_the_study_in_place(tmp_path: Path):
    path = tmp_path / "study.fieldkit"
    taken = backed_up_then_changed(path)
    (tmp_path / f".{path.name}.restoring").mkdir()  # where the copy goes, and cannot
    before = state(path)
    with pytest.raises(backups.BackupError, match="could not be copied beside the study") as refused:
        backups.restore(path, taken)
    assert "\n" not in str(refused.value) and "nothing was changed" in str(refused.value)
    assert state(path) == before
    with Study.open(path, backup=False) as study:
        assert names(study) == ["Good data", "Later"]


def test_an_open_study_is_not_restored(tmp_path: Path):
    path = tmp_path / "study.fieldkit"
    taken = backed_up_then_changed(path)
    with Study.open(path, backup=False):
        before = state(path)
        with pytest.raises(StudyInUseError):
            backups.restore(path, taken)
        assert state(path) == before


def test_a_plain_study_is_backed_up_before_an_encrypted_backup_replaces_it(tmp_path: Path):
    """The study's passphrase was removed since the backup was copied elsewhere: the current,
    plain file is still backed up (under no key) before the encrypted copy takes its place."""
    path = tmp_path / "study.fieldkit"
    taken = backed_up_then_changed(path, PASSPHRASE)
    kept = tmp_path / "elsewhere" / "kept.fieldkit"
    kept.parent.mkdir()
    shutil.copyfile(taken, kept)
    with Study.open(path, passphrase=PASSPHRASE, backup=False) as study:
        study.set_passphrase(None)
        study.organisations.add("After decrypting", category="Network")
    backups.restore(path, kept, passphrase=PASSPHRASE)
    before = next(b for b in backups.list_backups(path) if b.reason == "before-restore")
    with sqlite3.connect(before.path) as old:
        assert "After decrypting" in {r[0] for r in old.execute("SELECT name FROM organisations")}
    with Study.open(path, passphrase=PASSPHRASE, backup=False) as study:
        assert names(study) == ["Good data"]


# --- opening an older study up to date ---------------------------------------------------------


@pytest.fixture
def one_format_newer(monkeypatch):
    """This fieldkit, one study format ahead of every study made so far: the studies a test
    made before asking for it are in an older format."""
    newer = schema.SCHEMA_VERSION + 1

    def ahead() -> int:
        monkeypatch.setattr(connection, "MIGRATIONS", schema.MIGRATIONS + [(newer, "CREATE TABLE later_addition(x);")])
        monkeypatch.setattr(connection, "SCHEMA_VERSION", newer)
        return newer
    return ahead


def version(path: Path, key: str | None = None) -> int:
    conn = sqlite.connect(path, key=key, read_only=True)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("passphrase", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_a_read_only_open_brings_an_older_study_up_to_date_after_a_backup(tmp_path: Path, one_format_newer,
                                                                        passphrase: str | None):
    path = tmp_path / "older.fieldkit"
    with Study.create(path, small_template(), passphrase=passphrase) as study:
        study.organisations.add("Kept through the update", category="Network")
    newer = one_format_newer()
    with pytest.raises(StudyOutdatedError):
        Study.open(path, read_only=True, passphrase=passphrase)
    with Study.open_up_to_date(path, read_only=True, passphrase=passphrase) as study:
        assert study.conn.execute("PRAGMA user_version").fetchone()[0] == newer
        assert names(study) == ["Kept through the update"]
        with pytest.raises(StudyFileError, match="read-only"):
            study.organisations.add("Never", category="Network")
    key = sqlite.key_for_file(path, passphrase) if passphrase else None
    assert version(path, key) == newer
    before = next(b for b in backups.list_backups(path) if b.reason == "before-migration")
    backup_key = sqlite.key_for_file(before.path, passphrase) if passphrase else None
    assert version(before.path, backup_key) == schema.SCHEMA_VERSION  # taken before the update
    assert (connection.read_header(before.path) is None) == (passphrase is not None)


def test_an_older_study_open_elsewhere_is_not_updated(tmp_path: Path, one_format_newer):
    path = tmp_path / "older.fieldkit"
    Study.create(path, small_template()).close()
    with Study.open(path, backup=False):  # another window has it open
        one_format_newer()
        count = len(backups.list_backups(path))
        with pytest.raises(StudyInUseError):
            Study.open_up_to_date(path, read_only=True)
        assert len(backups.list_backups(path)) == count
    assert version(path) == schema.SCHEMA_VERSION


def test_a_study_up_to_date_is_only_read(tmp_path: Path):
    path = tmp_path / "current.fieldkit"
    Study.create(path, small_template()).close()
    before = state(path)
    with Study.open_up_to_date(path, read_only=True) as study:
        assert study.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert state(path) == before
