"""Encryption at rest: SQLCipher studies, passphrases, and what reaches the disk."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest

from fieldkit import checks
from fieldkit.cli import main
from fieldkit.errors import InvalidValueError, PassphraseError, StudyFileError
from fieldkit.storage import backups, sqlite
from fieldkit.study import Study
from studies import file_digest, small_template
from cli_runs import run_with_passphrases as run

PASSPHRASE = "marmalade ostrich 47"
CANARY_NAME = "Zebedee Quinceworth"
CANARY_PHONE = "07700 900461"
CANARIES = [CANARY_NAME.encode(), CANARY_PHONE.encode(), CANARY_NAME.encode("utf-16-le")]


def add_canary(study: Study) -> int:
    category = study.template.vocabulary("categories")[0]
    return study.organisations.add("Quinceworth Community Trust", category=category,
                                   contacts=[{"name": CANARY_NAME, "phone": CANARY_PHONE}])


def files_under(*folders: Path) -> list[Path]:
    return [f for folder in folders if folder.exists() for f in folder.rglob("*") if f.is_file()]


def leaks(paths: list[Path], needles: list[bytes]) -> list[str]:
    return [f"{p.name}: {n!r}" for p in paths for n in needles if n in p.read_bytes()]


def home() -> Path:
    """The temporary home the suite runs in (tests/conftest.py points XDG_* there)."""
    return Path(os.environ["XDG_DATA_HOME"]).parent


def test_the_sqlite_in_use_is_sqlcipher():
    v = sqlite.versions()
    assert v["sqlcipher"].split(".")[0] == "4", v
    assert tuple(int(x) for x in v["sqlite"].split(".")[:2]) >= (3, 44)


def test_without_sqlcipher_nothing_is_encrypted_or_written(tmp_path: Path, monkeypatch):
    """A build of SQLite without SQLCipher ignores a key and writes a plain file: refused."""
    from fieldkit.errors import StorageError

    monkeypatch.setattr(sqlite, "versions", lambda: {"sqlite": "3.51.1", "sqlcipher": "", "crypto": ""})
    path = tmp_path / "study.fieldkit"
    with pytest.raises(StorageError, match="cannot encrypt"):
        Study.create(path, small_template(), passphrase=PASSPHRASE)
    assert files_under(tmp_path) == []
    monkeypatch.undo()
    with Study.create(path, small_template()) as s:
        before = file_digest(path)
        monkeypatch.setattr(sqlite, "versions", lambda: {"sqlite": "3.51.1", "sqlcipher": "", "crypto": ""})
        with pytest.raises(StorageError):
            s.set_passphrase(PASSPHRASE)
        assert not s.encrypted and file_digest(path) == before


def test_an_encrypted_study_leaks_nothing_to_its_file_wal_backups_or_temporary_files(tmp_path: Path):
    path = tmp_path / "secret.fieldkit"
    study = Study.create(path, small_template(), passphrase=PASSPHRASE)
    try:
        org = add_canary(study)
        study.attempts.log(org, outcome="No answer", note=f"{CANARY_NAME} on leave")
        wal = Path(f"{path}-wal")
        assert wal.exists() and wal.stat().st_size > 0  # the writes are still in the -wal
        study.backup("auto")
        everything = files_under(tmp_path, backups.folder_for(path))
        assert wal in everything and len(backups.list_backups(path)) == 1
        assert leaks(everything, CANARIES) == []
        assert not path.read_bytes().startswith(b"SQLite format 3")
        assert not backups.list_backups(path)[0].path.read_bytes().startswith(b"SQLite format 3")
    finally:
        study.close()
    with Study.open(path, passphrase=PASSPHRASE) as again:
        assert again.encrypted
        assert [c.name for c in again.organisations.contacts(org)] == [CANARY_NAME]
    assert leaks(files_under(tmp_path, backups.folder_for(path)), CANARIES) == []
    # The same data unencrypted does show the canaries: the search above can find them.
    plain = tmp_path / "plain.fieldkit"
    with Study.create(plain, small_template()) as s:
        add_canary(s)
    assert leaks([plain], CANARIES[:2]) != []


def test_a_wrong_or_missing_passphrase_is_refused_and_changes_nothing(tmp_path: Path):
    path = tmp_path / "secret.fieldkit"
    with Study.create(path, small_template(), passphrase=PASSPHRASE) as s:
        add_canary(s)
    before = {p.name: file_digest(p) for p in files_under(tmp_path)}
    taken = len(backups.list_backups(path))
    with pytest.raises(PassphraseError, match="protected by a passphrase") as needed:
        Study.open(path)
    assert needed.value.needed
    for wrong in ("marmalade ostrich 48", PASSPHRASE.upper(), "x"):
        with pytest.raises(PassphraseError, match=r"does not open this study .*; nothing was changed") as e:
            Study.open(path, passphrase=wrong)
        assert not e.value.needed
    with pytest.raises(PassphraseError):
        Study.open(path, read_only=True, passphrase="wrong passphrase")
    assert {p.name: file_digest(p) for p in files_under(tmp_path)} == before  # no -wal, no -shm, no quarantine
    assert len(backups.list_backups(path)) == taken


def test_encrypting_an_existing_study_encrypts_its_backups_too(tmp_path: Path):
    path = tmp_path / "study.fieldkit"
    with Study.create(path, small_template()) as s:
        org = add_canary(s)
        s.backup("auto")
    with Study.open(path) as s:  # another backup, unencrypted
        assert leaks([b.path for b in backups.list_backups(path)], CANARIES[:2]) != []
        s.set_passphrase(PASSPHRASE)
        assert s.encrypted
        s.organisations.update(org, notes="after encryption")  # the study carries on working
    assert leaks(files_under(tmp_path, backups.folder_for(path)), CANARIES) == []
    assert all(backups.integrity_ok(b.path, sqlite.key_for_file(b.path, PASSPHRASE))
               for b in backups.list_backups(path))
    assert not any(backups.integrity_ok(b.path) for b in backups.list_backups(path))
    assert [f.name for f in files_under(tmp_path)] == ["study.fieldkit"]  # no temporary file left
    with Study.open(path, passphrase=PASSPHRASE) as s:
        assert s.organisations.get(org).notes == "after encryption"
        assert checks.problems(s) == []


def test_changing_and_removing_the_passphrase(tmp_path: Path):
    path = tmp_path / "study.fieldkit"
    with Study.create(path, small_template(), passphrase=PASSPHRASE) as s:
        org = add_canary(s)
        s.set_passphrase("a completely new one")
    with pytest.raises(PassphraseError):
        Study.open(path, passphrase=PASSPHRASE)
    with Study.open(path, passphrase="a completely new one") as s:
        assert all(backups.integrity_ok(b.path, sqlite.key_for_file(b.path, "a completely new one"))
                   for b in backups.list_backups(path))
        s.set_passphrase(None)
        assert not s.encrypted
    assert path.read_bytes().startswith(b"SQLite format 3")
    with sqlite3.connect(path) as plain:  # an ordinary SQLite file again, readable by anything
        assert plain.execute("SELECT name FROM organisations WHERE id = ?", (org,)).fetchone()[0] \
            == "Quinceworth Community Trust"
    with Study.open(path, passphrase="ignored for a plain study") as s:
        assert checks.problems(s) == []
        assert all(backups.integrity_ok(b.path) for b in backups.list_backups(path))


def test_passphrases_that_are_too_short_or_empty_are_refused(tmp_path: Path):
    path = tmp_path / "study.fieldkit"
    for bad in ("", "short", "a\x00bcdefghij"):
        with pytest.raises(InvalidValueError):
            Study.create(path, small_template(), passphrase=bad)
        assert not path.exists() and files_under(tmp_path) == []
    with Study.create(path, small_template()) as s:
        with pytest.raises(InvalidValueError, match="too short"):
            s.set_passphrase("1234567")
        assert not s.encrypted
    assert path.read_bytes().startswith(b"SQLite format 3")


def test_any_sqlcipher_tool_opens_a_study_with_its_passphrase(tmp_path: Path):
    """fieldkit keys connections with the key it derives, the way SQLCipher 4 itself does."""
    path = tmp_path / "study.fieldkit"
    with Study.create(path, small_template(), passphrase=PASSPHRASE) as s:
        add_canary(s)
    from sqlcipher3 import dbapi2

    other = dbapi2.connect(str(path))
    try:
        other.execute(f"PRAGMA key = '{PASSPHRASE}'")
        assert other.execute("SELECT name FROM contacts").fetchall() == [(CANARY_NAME,)]
    finally:
        other.close()


def test_quotes_and_accents_in_a_passphrase(tmp_path: Path):
    """Keyed as Unicode NFC: a passphrase typed as decomposed accents opens the study."""
    path = tmp_path / "study.fieldkit"
    composed = "l'été dernier \"à\" Łódź"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    with Study.create(path, small_template(), passphrase=decomposed) as s:
        add_canary(s)
    with Study.open(path, passphrase=composed) as s:
        assert s.organisations.count() == 1


def test_a_copy_and_a_read_only_reader_use_the_same_passphrase(tmp_path: Path):
    path = tmp_path / "study.fieldkit"
    with Study.create(path, small_template(), passphrase=PASSPHRASE) as s:
        add_canary(s)
        copy = s.save_copy(tmp_path / "copy.fieldkit")
        reader = s.open_reader()
        try:
            assert reader.organisations.count() == 1
        finally:
            reader.close()
    assert leaks([copy], CANARIES) == []
    with pytest.raises(PassphraseError):
        Study.open(copy)
    with Study.open(copy, passphrase=PASSPHRASE) as c:
        assert c.organisations.count() == 1


def test_the_passphrase_is_never_written_anywhere(tmp_path: Path, capsys):
    """Not in the study folder, the backups, settings, logs or caches (the whole temporary
    home the suite runs in), whatever was typed along the way."""
    path = tmp_path / "study.fieldkit"
    secret = "unmistakable-passphrase-9Q"
    os.environ["FIELDKIT_NEW_PASSPHRASE"] = secret
    try:
        assert main(["new", str(path), "--encrypt", "--template", "regional-mapping"]) == 0
    finally:
        del os.environ["FIELDKIT_NEW_PASSPHRASE"]
    with Study.open(path, passphrase=secret) as s:
        add_canary(s)
        s.set_passphrase(secret + "-2")
    with pytest.raises(PassphraseError):
        Study.open(path, passphrase=secret)
    out, err = capsys.readouterr()
    assert secret not in out + err
    needles = [secret.encode(), secret.encode("utf-16-le")]
    assert leaks(files_under(tmp_path, home()), needles) == []


def test_a_plain_backup_left_beside_an_encrypted_study_is_reported_by_check(tmp_path: Path):
    path = tmp_path / "study.fieldkit"
    with Study.create(path, small_template(), passphrase=PASSPHRASE) as s:
        add_canary(s)
        stray = backups.folder_for(path) / "20200101-120000-auto.fieldkit"
        stray.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(stray) as c:
            c.execute("CREATE TABLE t(x)")
        found = checks.problems(s)
    assert any(str(stray) in line and "is not encrypted" in line for line in found)


# --- the command line ------------------------------------------------------------------------


def test_command_line_encrypts_opens_changes_and_restores(tmp_path: Path, capsys, monkeypatch):
    path = tmp_path / "cli.fieldkit"
    code, out, err = run(capsys, monkeypatch, "new", path, "--encrypt", new=PASSPHRASE)
    assert code == 0, err
    assert "encrypted" in out and "SQLCipher 4" in out
    code, out, err = run(capsys, monkeypatch, "summary", path)  # no terminal, no variable
    assert code == 1 and err.count("\n") == 1 and "FIELDKIT_PASSPHRASE" in err and "Traceback" not in err
    code, out, err = run(capsys, monkeypatch, "summary", path, passphrase="not the passphrase")
    assert code == 1 and err.count("\n") == 1 and "does not open this study" in err
    code, out, err = run(capsys, monkeypatch, "summary", path, passphrase=PASSPHRASE)
    assert code == 0, err
    code, out, err = run(capsys, monkeypatch, "passphrase", path, passphrase=PASSPHRASE, new="second passphrase")
    assert code == 0 and "new passphrase" in out, err
    code, out, err = run(capsys, monkeypatch, "check", path, passphrase="second passphrase")
    assert code == 0, err
    code, out, err = run(capsys, monkeypatch, "restore", path, "1", passphrase="second passphrase")
    assert code == 0, err
    with Study.open(path, passphrase="second passphrase") as s:
        assert s.encrypted
    code, out, err = run(capsys, monkeypatch, "passphrase", path, "--remove", passphrase="second passphrase")
    assert code == 0 and "no longer encrypted" in out, err
    assert path.read_bytes().startswith(b"SQLite format 3")


def test_restoring_an_encrypted_backup_needs_its_passphrase(tmp_path: Path):
    path = tmp_path / "study.fieldkit"
    with Study.create(path, small_template(), passphrase=PASSPHRASE) as s:
        add_canary(s)
        taken = s.backup("auto")
    before = file_digest(path)
    with pytest.raises(PassphraseError) as e:
        backups.restore(path, taken)
    assert e.value.needed
    with pytest.raises(PassphraseError):
        backups.restore(path, taken, key=sqlite.key_for_file(taken, "wrong passphrase"))
    assert file_digest(path) == before
    backups.restore(path, taken, key=sqlite.key_for_file(taken, PASSPHRASE))
    with Study.open(path, passphrase=PASSPHRASE) as s:
        assert s.organisations.count() == 1


# --- a crash while the passphrase changes ------------------------------------------------------

CHILD = textwrap.dedent("""
    import sys
    from fieldkit.study import Study
    path, old, new = sys.argv[1:4]
    with Study.open(path, passphrase=old, backup=False) as s:
        print("ready", flush=True)
        s.set_passphrase(new)
        print("done", flush=True)
""")


@pytest.mark.parametrize("delay", [0.0, 0.03, 0.08, 0.15, 0.25, 0.4])
def test_a_crash_while_changing_the_passphrase_leaves_the_old_study_or_the_new(tmp_path: Path, delay: float):
    path = tmp_path / "study.fieldkit"
    with Study.create(path, small_template(), passphrase=PASSPHRASE) as s:
        for _ in range(20):
            add_canary(s)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1]))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), PASSPHRASE, "the new passphrase"],
                             stdout=subprocess.PIPE, env=env)
    assert child.stdout.readline().strip() == b"ready"
    if delay:
        import time

        time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    opened = None
    for key in (PASSPHRASE, "the new passphrase"):
        try:
            opened = Study.open(path, passphrase=key)
            break
        except PassphraseError:
            continue
    assert opened is not None, "neither passphrase opens the study"
    interrupted = "encrypted with another passphrase (left by an interrupted change)"
    with opened:
        assert opened.organisations.count() == 20
        # Cut short between the study and its backups, some backups keep the old passphrase:
        # still encrypted, and said so; nothing else may be wrong.
        assert all(interrupted in p for p in checks.problems(opened)), checks.problems(opened)
    # and then the change can be made again
    with Study.open(path, passphrase=key) as s:
        s.set_passphrase("third passphrase")
    with Study.open(path, passphrase="third passphrase") as s:
        assert all(interrupted in p for p in checks.problems(s))
    assert not any(b.path.read_bytes().startswith(b"SQLite format 3") for b in backups.list_backups(path))


CHILD_ENCRYPTING = textwrap.dedent("""
    import sys
    from fieldkit.study import Study
    path, new = sys.argv[1:3]
    with Study.open(path, backup=False) as s:
        print("ready", flush=True)
        s.set_passphrase(new)
""")


@pytest.mark.parametrize("delay", [0.02, 0.08, 0.15, 0.25])
def test_a_crash_while_encrypting_never_leaves_unencrypted_backups_beside_an_encrypted_study(
        tmp_path: Path, delay: float):
    path = tmp_path / "study.fieldkit"
    with Study.create(path, small_template()) as s:
        for _ in range(20):
            add_canary(s)
        for _ in range(3):
            s.backup("auto")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1]))
    child = subprocess.Popen([sys.executable, "-c", CHILD_ENCRYPTING, str(path), PASSPHRASE],
                             stdout=subprocess.PIPE, env=env)
    assert child.stdout.readline().strip() == b"ready"
    import time

    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    if path.read_bytes().startswith(b"SQLite format 3"):
        return  # killed before the study was replaced: it is as it was, and may keep plain backups
    with Study.open(path, passphrase=PASSPHRASE) as s:  # opening finishes what was cut short
        assert s.organisations.count() == 20
        assert checks.problems(s) == []
    assert leaks(files_under(backups.folder_for(path)), CANARIES) == []


def test_an_encrypted_file_that_is_not_whole_pages_is_not_taken_for_a_study(tmp_path: Path):
    path = tmp_path / "noise.fieldkit"
    path.write_bytes(os.urandom(4096 + 100))
    with pytest.raises(StudyFileError, match="not a fieldkit study"):
        Study.open(path, passphrase=PASSPHRASE)
    assert path.stat().st_size == 4196


def test_opening_an_encrypted_study_encrypts_backups_a_cut_short_change_left_plain(tmp_path: Path, monkeypatch):
    path = tmp_path / "study.fieldkit"
    with Study.create(path, small_template()) as s:
        add_canary(s)
        s.backup("auto")
        with monkeypatch.context() as m:  # as if the process died right after the study was replaced
            m.setattr(backups, "reencrypt", lambda *a: [])
            s.set_passphrase(PASSPHRASE)
        assert leaks([b.path for b in backups.list_backups(path)], CANARIES[:2]) != []
        assert any("is not encrypted" in p for p in checks.problems(s))
    with Study.open(path, passphrase=PASSPHRASE) as s:
        assert checks.problems(s) == []
    assert leaks(files_under(backups.folder_for(path)), CANARIES) == []


def test_a_study_that_cannot_be_replaced_stays_as_it_was_and_usable(tmp_path: Path, monkeypatch):
    """On Windows another program holding the file open stops the rename: nothing changes."""
    from fieldkit.storage import encryption

    path = tmp_path / "study.fieldkit"
    with Study.create(path, small_template()) as s:
        org = add_canary(s)

        def refuse(temp, study):  # what os.replace does there
            raise PermissionError(13, "The process cannot access the file")

        monkeypatch.setattr(encryption, "put_in_place", refuse)
        with pytest.raises(StudyFileError, match="could not be replaced .*nothing was changed"):
            s.set_passphrase(PASSPHRASE)
        monkeypatch.undo()
        assert not s.encrypted
        s.organisations.update(org, notes="still working")
        assert sorted(f.name for f in files_under(tmp_path)) == ["study.fieldkit", "study.fieldkit-shm",
                                                           "study.fieldkit-wal"]
    assert path.read_bytes().startswith(b"SQLite format 3")
    with Study.open(path) as s:
        assert s.organisations.get(org).notes == "still working"
