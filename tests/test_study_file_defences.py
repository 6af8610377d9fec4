"""A study file from someone else cannot run code of its own: hostile schemas are refused by
name before anything is written (fieldkit.storage.schema_check), and no connection trusts a
file's schema (``PRAGMA trusted_schema = OFF``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fieldkit.errors import StudyFileError
from fieldkit.storage import connection, schema_check
from fieldkit.study import Study
from studies import file_digest, small_template
from cli_runs import run


def _made(tmp_path: Path, name: str = "from-elsewhere.fieldkit") -> Path:
    """A real study with an organisation in it, closed (nothing left in its -wal)."""
    study = Study.create(tmp_path / name, small_template(), title="Handed over")
    study.organisations.add(name="Leeds Community Trust", category="Network")
    study.close()
    return tmp_path / name


def _tamper(path: Path, *statements: str) -> None:
    """Change the file as someone outside fieldkit could, with Python's own sqlite3."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for sidecar in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        sidecar.unlink(missing_ok=True)


def _refused(path: Path, *words: str) -> str:
    before = file_digest(path)
    with pytest.raises(schema_check.StudyTamperedError) as caught:
        Study.open(path, backup=False)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    for word in words:
        assert word in message
    assert file_digest(path) == before, "a refused study must not be written"
    return message


def test_a_trigger_that_copies_the_pool_into_a_table_of_its_own_is_refused(tmp_path: Path):
    path = _made(tmp_path)
    _tamper(path,
            "CREATE TABLE stolen (comment TEXT, organisation TEXT)",
            "CREATE TRIGGER spy AFTER INSERT ON pool BEGIN INSERT INTO stolen "
            "SELECT NEW.text, (SELECT name FROM organisations ORDER BY rowid DESC LIMIT 1); END")
    message = _refused(path, "a trigger “spy” on “pool”", "a table “stolen”")
    assert "nothing was read from it or written to it" in message
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM stolen").fetchone() == (0,)
    finally:
        conn.close()


def test_a_view_standing_in_for_a_table_is_refused(tmp_path: Path):
    path = _made(tmp_path)
    _tamper(path,
            "ALTER TABLE pool RENAME TO pool_kept",
            "CREATE VIEW pool AS SELECT * FROM pool_kept")
    _refused(path, "a view “pool” defined differently from fieldkit's", "“pool_kept”")


def test_a_full_text_table_naming_a_tokenizer_of_its_own_is_refused(tmp_path: Path):
    path = _made(tmp_path)
    # FTS5 checks a tokenizer only when the table is used; the file can name any.
    _tamper(path,
            "PRAGMA writable_schema = ON",
            "UPDATE sqlite_master SET sql = 'CREATE VIRTUAL TABLE pool_search USING fts5(text, "
            "tokenize = ''evil_tokenizer'')' WHERE name = 'pool_search'")
    _refused(path, "a virtual table “pool_search” defined differently from fieldkit's")


def test_an_index_fieldkit_never_makes_is_refused(tmp_path: Path):
    path = _made(tmp_path)
    _tamper(path, "CREATE INDEX quick_lookup ON organisations(lower(name))")
    _refused(path, "an index “quick_lookup” on “organisations”")


def test_a_table_that_is_missing_is_refused(tmp_path: Path):
    path = _made(tmp_path)
    _tamper(path, "DROP TABLE pool_themes")
    _refused(path, "lacks “pool_themes”")


def test_a_huge_user_version_is_refused_and_nothing_is_written(tmp_path: Path):
    path = _made(tmp_path)
    _tamper(path, "PRAGMA user_version = 2147483647")
    before = file_digest(path)
    with pytest.raises(StudyFileError, match="newer fieldkit"):
        Study.open(path, backup=False)
    assert file_digest(path) == before


def test_the_read_only_way_in_refuses_too(tmp_path: Path):
    path = _made(tmp_path)
    _tamper(path, "CREATE VIEW everyone AS SELECT name FROM organisations")
    with pytest.raises(schema_check.StudyTamperedError, match="a view “everyone”"):
        connection.connect_read_only(path)


def test_the_command_line_says_so_in_one_line(tmp_path: Path, capsys):
    path = _made(tmp_path)
    _tamper(path, "CREATE TRIGGER spy AFTER INSERT ON pool BEGIN SELECT 1; END")
    before = file_digest(path)
    code, out, err = run(capsys, "summary", str(path))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "a trigger “spy” on “pool”" in err and "Traceback" not in err
    assert file_digest(path) == before


def test_what_sqlite_and_fts5_make_themselves_is_not_refused(tmp_path: Path):
    path = _made(tmp_path)
    _tamper(path, "ANALYZE")  # sqlite_stat1, as PRAGMA optimize may write
    study = Study.open(path, backup=False)
    try:
        assert study.organisations.count() == 1
    finally:
        study.close()


def test_the_expected_schema_is_what_a_new_study_holds(tmp_path: Path):
    path = _made(tmp_path)
    conn = sqlite3.connect(path)
    try:
        found = {(k, n, t, schema_check._fold(s))
                 for k, n, t, s in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                                "WHERE name NOT LIKE 'sqlite_stat%'")}
    finally:
        conn.close()
    assert found == schema_check.expected(connection.SCHEMA_VERSION)


def test_no_connection_trusts_the_schema(small_study: Study):
    assert small_study.conn.execute("PRAGMA trusted_schema").fetchone() == (0,)
    reader = connection.connect_read_only(small_study.path)
    try:
        assert reader.execute("PRAGMA trusted_schema").fetchone() == (0,)
    finally:
        reader.close()
