"""Damaged and foreign files: each refused with its own clear message, and nothing written.

"Nothing written" is checked on the whole folder and on the backups: every file's bytes and
modification time as they were, no -wal or -shm left behind, no backup taken. A damaged study
is moved aside untouched (``NAME.damaged``, with its -wal), and the bytes aside are the bytes
that were there. Damage is made with the stdlib sqlite3 and by editing bytes; fieldkit is
driven through ``Study.open`` and the command line.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from fieldkit.errors import StudyDamagedError, StudyFileError
from fieldkit.storage import backups
from fieldkit.storage.schema import SCHEMA_VERSION
from fieldkit.study import Study
from crash_children import crash_while_open
from studies import small_template
from cli_runs import run

PAGE = 4096


@pytest.fixture(scope="module")
def good_study(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("good") / "good.fieldkit"
    with Study.create(path, small_template()) as study:
        for i in range(300):
            study.organisations.add(f"Organisation {i}", category="Network", area="Coventry", notes="n" * 300)
    return path


def copy_of(good: Path, folder: Path, name: str = "study.fieldkit") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shutil.copyfile(good, path)
    return path


def state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in ``folder``: its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def backups_of(path: Path) -> list[str]:
    folder = backups.folder_for(path)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []



def sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def leaf_pages(path: Path, table: str) -> list[int]:
    """The page numbers (1-based) of a table's leaf pages in the file itself, from SQLite's
    dbstat (``immutable``: read without creating a -wal or -shm beside it)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return [r[0] for r in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", (table,))]
    finally:
        conn.close()


# --- files refused before anything is opened -------------------------------------------------


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _newer(path: Path) -> None:
    sql(path, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


def _foreign(path: Path) -> None:
    sql(path, "PRAGMA application_id = 305419896")


def _header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:16] = b"\x8a\x11garbage\x00\xfe\x01junk"
    path.write_bytes(bytes(data))


REFUSED = {
    "empty": (_empty, "the file is empty (0 bytes), not a fieldkit study"),
    "newer": (_newer, f"written by a newer fieldkit (study format {SCHEMA_VERSION + 1}; this fieldkit reads "
                      f"up to {SCHEMA_VERSION}); update fieldkit to open it"),
    "foreign": (_foreign, "an SQLite database, but not a fieldkit study"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_file_that_is_not_a_usable_study_is_refused_and_left_as_it_was(capsys, good_study, tmp_path, case):
    make, words = REFUSED[case]
    path = copy_of(good_study, tmp_path / "study")
    make(path)
    before = state(path.parent)
    messages = []
    for read_only in (False, True):
        with pytest.raises(StudyFileError) as info:
            Study.open(path, read_only=read_only)
        assert not isinstance(info.value, StudyDamagedError)  # not ours to move aside
        messages.append(str(info.value))
    for argv in (["check", path], ["summary", path], ["report", path, "-o", tmp_path / "report.pdf"]):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (1, "")
        messages.append(err.removeprefix(f"fieldkit {argv[0]}: ").removesuffix("\n"))
    for message in messages:
        assert message.startswith(f"{path}: ") and words in message and "\n" not in message
    if words:
        assert len(set(messages)) == 1, messages  # the same words from the app and the command line
    assert state(path.parent) == before
    assert backups_of(path) == [] and not (tmp_path / "report.pdf").exists()


# --- a truncated file -----------------------------------------------------------------------


@pytest.mark.parametrize("cut", ["at a page boundary", "inside a page"])
def test_a_truncated_study_is_moved_aside_untouched(capsys, good_study, tmp_path, cut):
    size = good_study.stat().st_size
    keep = (size // PAGE - 5) * PAGE + (0 if cut == "at a page boundary" else 1000)
    truncated = good_study.read_bytes()[:keep]
    for how in ("open", "check"):
        path = copy_of(good_study, tmp_path / how)
        path.write_bytes(truncated)
        mtime = path.stat().st_mtime_ns
        if how == "open":
            with pytest.raises(StudyDamagedError) as info:
                Study.open(path)
            message = str(info.value)
            assert info.value.aside == path.with_name("study.fieldkit.damaged") and info.value.backup is None
        else:
            code, out, err = run(capsys, "check", path)
            assert (code, out) == (1, "") and err.count("\n") == 1
            message = err.removeprefix("fieldkit check: ")
        assert message.startswith(f"{path}: the study file is damaged (")
        assert f"fieldkit has not written to it; it is kept as {path}.damaged" in message
        assert "There is no backup of it that checks out." in message
        aside = Path(f"{path}.damaged")
        assert sorted(p.name for p in path.parent.iterdir()) == ["study.fieldkit.damaged"]  # no -wal, -shm
        assert aside.read_bytes() == truncated and aside.stat().st_mtime_ns == mtime
        assert backups_of(path) == []


def test_reading_commands_say_a_truncated_study_is_damaged_and_leave_it(capsys, good_study, tmp_path):
    path = copy_of(good_study, tmp_path / "study")
    path.write_bytes(good_study.read_bytes()[:40 * PAGE + 1000])
    before = state(path.parent)
    with pytest.raises(StudyDamagedError) as info:
        Study.open(path, read_only=True)
    assert str(info.value) == f"{path}: the study file is damaged (database disk image is malformed)"
    for argv in (["summary", path], ["report", path, "-o", tmp_path / "report.pdf"]):
        assert run(capsys, *argv) == (1, "", f"fieldkit {argv[0]}: {info.value}\n")
    assert state(path.parent) == before and backups_of(path) == []


# --- damage only the full check finds -------------------------------------------------------


def _index_out_of_step(path: Path) -> None:
    """Make an index disagree with its table, its definition unchanged: while SQLite is told
    the index is on another column, every area is changed (the index keeps the old ones), and
    then the definition is put back. Each page is well-formed."""
    schema = "UPDATE sqlite_master SET sql = 'CREATE INDEX organisations_area ON organisations({})' " \
             "WHERE name = 'organisations_area'"
    sql(path, "PRAGMA writable_schema = ON", schema.format("notes"))
    sql(path, "UPDATE organisations SET area = coalesce(area, '') || ' (moved)'")
    sql(path, "PRAGMA writable_schema = ON", schema.format("area"))


def test_an_index_out_of_step_passes_the_quick_check_but_not_the_full_one(good_study, tmp_path):
    path = copy_of(good_study, tmp_path / "study")
    _index_out_of_step(path)
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()
    assert integrity[0].startswith("row ") and integrity[0].endswith(" missing from index organisations_area")


def test_fieldkit_check_finds_an_index_out_of_step_and_writes_nothing(capsys, good_study, tmp_path):
    path = copy_of(good_study, tmp_path / "study")
    _index_out_of_step(path)
    content, mtime = path.read_bytes(), path.stat().st_mtime_ns
    code, out, err = run(capsys, "check", path)
    assert (code, out) == (1, "")
    assert "missing from index organisations_area" in err
    assert "Traceback" not in err and "unexpected error" not in err
    # Whether it is listed as a problem or the study is moved aside as damaged, not one byte changed.
    [kept] = [p for p in path.parent.iterdir()]
    assert kept.name in ("study.fieldkit", "study.fieldkit.damaged")
    assert kept.read_bytes() == content and kept.stat().st_mtime_ns == mtime
    assert backups_of(path) == []


def _zero_a_page(path: Path) -> None:
    leaves = leaf_pages(path, "organisations")
    page = leaves[len(leaves) // 2]
    data = bytearray(path.read_bytes())
    data[(page - 1) * PAGE:page * PAGE] = bytes(PAGE)
    path.write_bytes(bytes(data))


def _expect_moved_aside(capsys, path: Path, how: str) -> None:
    """Opening the study (``how`` "open") or ``fieldkit check`` says it is damaged and that it
    was moved aside untouched."""
    if how == "open":
        with pytest.raises(StudyDamagedError) as info:
            Study.open(path)
        message = str(info.value)
    else:
        code, out, err = run(capsys, "check", path)
        assert (code, out) == (1, "") and err.count("\n") == 1
        message = err.removeprefix("fieldkit check: ")
    assert message.startswith(f"{path}: the study file is damaged (")
    assert f"fieldkit has not written to it; it is kept as {path}.damaged" in message


@pytest.mark.parametrize("damage", ["index out of step", "zeroed page"])
def test_after_a_crash_the_full_check_finds_the_damage_and_moves_the_study_aside(capsys, good_study, tmp_path,
                                                                                 damage):
    for how in ("open", "check"):
        path = copy_of(good_study, tmp_path / how)
        if damage == "index out of step":
            _index_out_of_step(path)
        crash_while_open(path, ["Added before the crash"])  # the -wal holds it: the full check is due
        if damage == "zeroed page":
            _zero_a_page(path)  # one in the middle, not the one the crash wrote to
        content, mtime = path.read_bytes(), path.stat().st_mtime_ns
        wal = Path(f"{path}-wal").read_bytes()
        _expect_moved_aside(capsys, path, how)
        aside = Path(f"{path}.damaged")
        assert not path.exists() and not Path(f"{path}-wal").exists()
        assert aside.read_bytes() == content and aside.stat().st_mtime_ns == mtime
        assert Path(f"{aside}-wal").read_bytes() == wal
        assert backups_of(path) == []


# --- damage a clean shutdown does not re-check -----------------------------------------------


@pytest.mark.parametrize("damage", ["zeroed page", "index out of step"])
def test_damage_in_a_cleanly_closed_study_is_found_when_it_is_opened(capsys, good_study, tmp_path, damage):
    """No -wal, so no full check is due; the check of the backup taken on opening finds it."""
    for how in ("open", "check"):
        path = copy_of(good_study, tmp_path / how)
        (_zero_a_page if damage == "zeroed page" else _index_out_of_step)(path)
        content, mtime = path.read_bytes(), path.stat().st_mtime_ns
        _expect_moved_aside(capsys, path, how)
        aside = Path(f"{path}.damaged")
        assert sorted(p.name for p in path.parent.iterdir()) == ["study.fieldkit.damaged"]
        assert aside.read_bytes() == content and aside.stat().st_mtime_ns == mtime
        assert backups_of(path) == []


def test_reading_commands_say_a_zeroed_page_is_damage_not_a_bug(capsys, good_study, tmp_path):
    path = copy_of(good_study, tmp_path / "study")
    _zero_a_page(path)
    before = state(path.parent)
    for argv in (["summary", path], ["report", path, "-o", tmp_path / "report.pdf"]):
        assert run(capsys, *argv) == (1, "", f"fieldkit {argv[0]}: {path}: the study file is damaged "
                                             "(database disk image is malformed)\n")
    assert state(path.parent) == before and backups_of(path) == []


def test_a_study_whose_first_bytes_are_overwritten_is_damaged_not_encrypted(capsys, good_study, tmp_path):
    """The rest of the header (SQLite's fixed fields, fieldkit's application id) shows it is a
    plain study: not one to ask a passphrase for."""
    path = copy_of(good_study, tmp_path / "read")
    _header(path)
    before = state(path.parent)
    with pytest.raises(StudyDamagedError) as info:
        Study.open(path, read_only=True)
    assert str(info.value) == f"{path}: the study file is damaged (its first bytes are overwritten)"
    assert run(capsys, "summary", path) == (1, "", f"fieldkit summary: {info.value}\n")
    assert state(path.parent) == before and backups_of(path) == []
    for how in ("open", "check"):
        path = copy_of(good_study, tmp_path / how)
        _header(path)
        content, mtime = path.read_bytes(), path.stat().st_mtime_ns
        if how == "open":
            with pytest.raises(StudyDamagedError) as info:
                Study.open(path)
            message = str(info.value)
        else:
            code, out, err = run(capsys, "check", path)
            assert (code, out) == (1, "") and err.count("\n") == 1
            message = err.removeprefix("fieldkit check: ")
        assert message.startswith(f"{path}: the study file is damaged (its first bytes are overwritten). "
                                  f"fieldkit has not written to it; it is kept as {path}.damaged")
        aside = Path(f"{path}.damaged")
        assert sorted(p.name for p in path.parent.iterdir()) == ["study.fieldkit.damaged"]
        assert aside.read_bytes() == content and aside.stat().st_mtime_ns == mtime
