"""Crashes, damage, full disks and busy locks: nothing lost, nothing corrupted, clear words."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fieldkit.errors import DiskFullError, StudyBusyError, StudyDamagedError
from fieldkit.storage import backups, connection
from fieldkit.study import Study
from crash_children import SavingChildren, crash_while_open, problems_after_kill, start_child
from studies import small_template


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "field.fieldkit"
    with Study.create(path, small_template()) as s:
        for i in range(200):
            s.organisations.add(f"Organisation {i}", category="Network", notes="n" * 300)
    Study.open(path).close()  # takes the backup a damaged file can be restored from
    return path


def test_after_a_crash_the_study_opens_with_everything_acknowledged(study_path: Path):
    crash_while_open(study_path, ["Saved just before the crash"])
    with Study.open(study_path) as study:
        assert study.organisations.find_by_name("Saved just before the crash")
        assert study.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_damaged_study_is_moved_aside_untouched_and_a_good_backup_offered(study_path: Path):
    crash_while_open(study_path, ["In the WAL"])
    data = bytearray(study_path.read_bytes())
    page = 4096
    for p in range(3, len(data) // page - 1, 2):  # scribble over every other data page
        data[p * page + 100:p * page + 400] = b"\x00\xff" * 150
    study_path.write_bytes(bytes(data))
    damaged_bytes = bytes(data)
    wal_bytes = Path(f"{study_path}-wal").read_bytes()

    with pytest.raises(StudyDamagedError) as info:
        Study.open(study_path)
    error = info.value
    assert not study_path.exists()
    assert error.aside == study_path.with_name("field.fieldkit.damaged")
    assert error.aside.read_bytes() == damaged_bytes  # never written to
    assert Path(f"{error.aside}-wal").read_bytes() == wal_bytes
    assert error.backup is not None and backups.integrity_ok(error.backup)
    assert "has not written to it" in str(error) and str(error.backup) in str(error)

    backups.restore(study_path, error.backup)
    with Study.open(study_path) as study:
        assert study.organisations.count() == 200


def test_a_full_disk_is_not_damage(study_path: Path):
    with Study.open(study_path) as study:
        pages = study.conn.execute("PRAGMA page_count").fetchone()[0]
        study.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLITE_FULL soon
        with pytest.raises(DiskFullError, match="disk is full, so the last change was not saved"):
            for i in range(500):
                study.organisations.add(f"Growing {i}", category="Network", notes="x" * 2000)
        assert study.organisations.find_by_name("Organisation 199")  # earlier work intact
        study.conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
        assert study.organisations.add("After space was freed", category="Network") > 0
    assert study_path.exists() and not study_path.with_name("field.fieldkit.damaged").exists()
    with Study.open(study_path) as study:
        assert study.organisations.find_by_name("After space was freed")
        assert study.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_write_lock_held_elsewhere_gives_a_bounded_wait_then_busy(study_path: Path, monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 400)
    holder = start_child(f"""
        import sqlite3, time
        c = sqlite3.connect({str(study_path)!r}, isolation_level=None)
        c.execute("BEGIN IMMEDIATE")
        print("holding", flush=True)
        time.sleep(30)
    """)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with Study.open(study_path, backup=False) as study:
            start = time.monotonic()
            with pytest.raises(StudyBusyError, match="another program is writing"):
                study.organisations.add("Waits, then gives up", category="Network")
            assert time.monotonic() - start < 3
    finally:
        holder.kill()
        holder.wait()
    with Study.open(study_path) as study:
        assert not study.organisations.find_by_name("Waits, then gives up")
        assert study.organisations.count() == 200


def test_pragmas_are_checked_not_just_set(study_path: Path):
    with Study.open(study_path) as study:
        for name, wanted in connection.REQUIRED_PRAGMAS.items():
            got = study.conn.execute(f"PRAGMA {name}").fetchone()[0]
            assert (str(got).lower() if isinstance(wanted, str) else got) == wanted


KILL_ROUNDS = 50


def test_killed_at_random_moments_every_acknowledged_save_survives(tmp_path: Path):
    """A child saves answers and reports each one after it returns; it is SIGKILLed at random
    moments. Every answer it acknowledged must be in the file, whole, and the file intact."""
    import random

    path = tmp_path / "killed.fieldkit"
    with Study.create(path, small_template()) as s:
        org = s.organisations.add("Talking", category="Network")
        interview = s.interviews.start(org).interview_id
    rng = random.Random(5)
    saving = 0
    with SavingChildren() as children:
        for round_ in range(KILL_ROUNDS):
            label = f"round {round_}"
            if rng.random() < 0.2:  # at any moment, opening the study included
                lines = children.round(path, interview, label, after=rng.uniform(0.0, 0.1), while_starting=True)
            else:  # among the saves
                lines = children.round(path, interview, label, after=rng.uniform(0.0, 0.1))
            saving += bool(lines)
            assert problems_after_kill(path, interview, label, lines) == []
    assert saving >= KILL_ROUNDS * 3 // 4  # most kills came while answers were being saved
