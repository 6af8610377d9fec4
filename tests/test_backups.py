"""Automatic backups: taken through SQLite's backup API, checked, thinned, restorable."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from fieldkit.errors import StudyInUseError
from fieldkit.storage import backups, sqlite
from fieldkit.study import Study
from studies import small_template


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "kept.fieldkit"
    Study.create(path, small_template()).close()
    return path


def names(study: Study) -> list[str]:
    return [o.name for o in study.organisations.many(study.organisations.ids())]


def test_opening_takes_a_backup_only_when_something_changed(study_path: Path):
    assert backups.list_backups(study_path) == []  # creating is not opening
    Study.open(study_path).close()
    assert [b.reason for b in backups.list_backups(study_path)] == ["open"]
    Study.open(study_path).close()  # nothing changed since: no second copy
    assert len(backups.list_backups(study_path)) == 1
    with Study.open(study_path) as study:
        study.organisations.add("Changed", category="Network")
    Study.open(study_path).close()
    assert len(backups.list_backups(study_path)) == 2


def test_a_backup_holds_what_is_still_in_the_wal(study_path: Path):
    with Study.open(study_path) as study:
        study.organisations.add("Only in the WAL so far", category="Network")
        assert Path(str(study_path) + "-wal").stat().st_size > 0
        taken = study.backup("manual")
    conn = sqlite3.connect(taken)
    try:
        assert conn.execute("SELECT name FROM organisations").fetchall() == [("Only in the WAL so far",)]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    finally:
        conn.close()


def test_a_failed_backup_warns_but_never_blocks_opening(study_path: Path, monkeypatch):
    with Study.open(study_path) as study:
        study.organisations.add("Something to back up", category="Network")
    monkeypatch.setattr(backups, "integrity_ok", lambda path, key=None: False)
    with Study.open(study_path) as study:
        assert names(study) == ["Something to back up"]
        assert len(study.warnings) == 1 and "automatic backup failed" in study.warnings[0]
    assert [p.name for p in backups.folder_for(study_path).iterdir() if p.name.endswith(".part")] == []


def test_periodic_backup_is_skipped_when_nothing_changed(study_path: Path):
    with Study.open(study_path) as study:
        first = len(backups.list_backups(study_path))
        assert study.backup("auto", only_if_changed=True) is None
        study.organisations.add("New", category="Network")
        assert study.backup("auto", only_if_changed=True) is not None
        assert study.backup("auto", only_if_changed=True) is None
    assert len(backups.list_backups(study_path)) == first + 1


def test_thinning_keeps_recent_then_daily_then_weekly(study_path: Path):
    now = dt.datetime(2026, 11, 23, 12, 0, 0)
    conn = sqlite.connect(study_path)  # fieldkit's driver, as a study's own connection
    try:
        stamps = [now - dt.timedelta(hours=h) for h in (1, 5, 30)]  # recent: all kept
        stamps += [now - dt.timedelta(days=5, hours=h) for h in (1, 2, 3)]  # same day: newest kept
        stamps += [now - dt.timedelta(days=60, hours=h) for h in (0, 24, 48)]  # one week: newest kept
        stamps += [now - dt.timedelta(days=400)]  # over a year old: gone, with whatever was erased since
        for stamp in sorted(stamps):
            backups.take(conn, study_path, "auto", now=stamp)
    finally:
        conn.close()
    kept = sorted(b.taken for b in backups.list_backups(study_path))
    assert kept == sorted([now - dt.timedelta(hours=h) for h in (1, 5, 30)]
                          + [now - dt.timedelta(days=5, hours=1)]
                          + [now - dt.timedelta(days=60)])


def test_restore_moves_the_current_file_aside_and_pauses_thinning(study_path: Path):
    with Study.open(study_path) as study:
        study.organisations.add("Good data", category="Network")
        good = study.backup("manual")
        study.organisations.add("A mistake", category="Network")
        # Leave a -wal behind, as a crash would.
    wal = Path(str(study_path) + "-wal")
    with Study.open(study_path) as study:
        study.organisations.add("More after the mistake", category="Network")
        with pytest.raises(StudyInUseError):
            backups.restore(study_path, good)
    aside = backups.restore(study_path, good)
    assert aside.exists() and aside.name.startswith("kept.fieldkit.before-restore-")
    assert not wal.exists() or wal.stat().st_size == 0
    with Study.open(study_path) as study:
        assert names(study) == ["Good data"]
    assert backups.is_paused(study_path)
    reasons = [b.reason for b in backups.list_backups(study_path)]
    assert "before-restore" in reasons  # the current file was backed up first
    with sqlite3.connect(aside) as moved:
        assert {r[0] for r in moved.execute("SELECT name FROM organisations")} >= {"Good data", "A mistake"}


def test_restore_refuses_a_damaged_backup(study_path: Path, tmp_path: Path):
    bad = tmp_path / "bad.fieldkit"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    before = study_path.read_bytes()
    with pytest.raises(backups.BackupError, match="integrity check"):
        backups.restore(study_path, bad)
    assert study_path.read_bytes() == before


def test_a_backup_is_taken_before_a_migration(study_path: Path, monkeypatch):
    from fieldkit.storage import connection, schema

    Study.open(study_path).close()
    monkeypatch.setattr(connection, "MIGRATIONS", schema.MIGRATIONS + [(schema.SCHEMA_VERSION + 1,
                                                                         "CREATE TABLE later_addition(x);")])
    monkeypatch.setattr(connection, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    with Study.open(study_path) as study:
        assert study.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION + 1
    reasons = [b.reason for b in backups.list_backups(study_path)]
    assert "before-migration" in reasons
    before = next(b for b in backups.list_backups(study_path) if b.reason == "before-migration")
    with sqlite3.connect(before.path) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION


def test_a_backup_is_taken_before_an_import(study_path: Path, tmp_path: Path):
    from fieldkit.organisation_import import import_organisations

    csv_file = tmp_path / "orgs.csv"
    csv_file.write_text("name,category\nImported Group,Network\n", encoding="utf-8")
    with Study.open(study_path) as study:
        study.organisations.add("Before the import", category="Network")
        import_organisations(study, csv_file)
    before = next(b for b in backups.list_backups(study_path) if b.reason == "before-import")
    with sqlite3.connect(before.path) as old:
        assert [r[0] for r in old.execute("SELECT name FROM organisations")] == ["Before the import"]


def test_the_newest_backup_is_kept_however_old(study_path: Path):
    long_ago = dt.datetime(2020, 1, 6, 9, 0, 0)
    with Study.open(study_path, backup=False) as study:
        backups.take(study.conn, study_path, "auto", now=long_ago)
    for b in backups.list_backups(study_path):
        if b.taken != long_ago:
            b.path.unlink()
    assert backups.thin(study_path, now=dt.datetime(2026, 11, 23)) == []
    assert [b.taken for b in backups.list_backups(study_path)] == [long_ago]
