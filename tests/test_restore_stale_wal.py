"""Restoring a backup over a study that a crash left with a -wal full of later changes.

The restored study must be the backup exactly (every row of every table), the stale -wal must
never be replayed into it, and the changes it holds must not be lost: they go aside with the
file they belong to, and into the backup taken before the restore.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
from pathlib import Path

import pytest

from fieldkit.cli import main
from fieldkit.storage import backups
from fieldkit.study import Study
from crash_children import start_child
from studies import small_template


def dump(path: Path) -> list[str]:
    """Every table's rows and the schema, as SQL, plus the file's identity."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        head = [f"application_id {conn.execute('PRAGMA application_id').fetchone()[0]}",
                f"user_version {conn.execute('PRAGMA user_version').fetchone()[0]}"]
        return head + list(conn.iterdump())
    finally:
        conn.close()


def names_in(path: Path, wal: Path | None = None) -> set[str]:
    """The organisations in a study file, read from a copy (with ``wal`` as its -wal)."""
    scratch = path.with_name("scratch-" + path.name)
    shutil.copyfile(path, scratch)
    if wal is not None:
        shutil.copyfile(wal, f"{scratch}-wal")
    conn = sqlite3.connect(scratch)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM organisations")}
    finally:
        conn.close()
        for p in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            p.unlink(missing_ok=True)


@pytest.fixture
def crashed_after_backup(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """A study with named and pooled answers; a process backs it up, changes it (adds, edits
    and deletes) and is killed: the -wal beside the study holds changes the backup does not."""
    path = tmp_path / "restored.fieldkit"
    with Study.create(path, small_template()) as study:
        for i in range(20):
            org = study.organisations.add(f"Organisation {i}", category="Network", area="Coventry")
            session = study.interviews.start(org)
            session.save_answer("role", f"Coordinator {i}")
            session.save_answer("sector_barriers", f"Funding rules, said number {i}")
            session.complete()
    child = start_child(f"""
        import time
        from fieldkit.study import Study
        s = Study.open({str(path)!r}, backup=False)
        print(s.backup("manual"), flush=True)
        s.organisations.add("Added after the backup", category="Network")
        first = s.organisations.find_by_name("Organisation 0")[0]
        s.organisations.update(first, name="Renamed after the backup")
        s.organisations.delete(s.organisations.find_by_name("Organisation 1")[0])
        print("changed", flush=True)
        time.sleep(60)
    """)
    try:
        backup = Path(child.stdout.readline().strip())
        assert child.stdout.readline().strip() == "changed"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    wal = Path(f"{path}-wal").read_bytes()
    assert wal, "the crash left a -wal"
    assert "Added after the backup" not in names_in(backup)
    assert "Added after the backup" in names_in(path, Path(f"{path}-wal"))
    return path, backup, wal


@pytest.mark.parametrize("how", ["backups.restore", "fieldkit restore"])
def test_restore_gives_the_backup_exactly_and_never_replays_the_stale_wal(capsys, crashed_after_backup, how):
    path, backup, stale_wal = crashed_after_backup
    backup_dump = dump(backup)
    if how == "backups.restore":
        aside = backups.restore(path, backup)
    else:
        assert main(["restore", str(path), str(backup)]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"Restored {path} from {backup}\n")
        aside = Path(out.split("The file as it was is kept as ", 1)[1].strip())

    assert dump(path) == backup_dump
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with Study.open(path) as study:  # fieldkit sees the backup, and nothing from the -wal
        names = {o.name for o in study.organisations.many(study.organisations.ids())}
        assert names == {f"Organisation {i}" for i in range(20)}
        assert study.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert dump(path) == backup_dump  # and opening it changed nothing

    # The stale -wal went aside with its file, as it was; nothing it held is lost.
    assert Path(f"{aside}-wal").read_bytes() == stale_wal
    later = names_in(aside, Path(f"{aside}-wal"))
    assert {"Added after the backup", "Renamed after the backup"} <= later and "Organisation 1" not in later
    before_restore = next(b for b in backups.list_backups(path) if b.reason == "before-restore")
    assert names_in(before_restore.path) == later
