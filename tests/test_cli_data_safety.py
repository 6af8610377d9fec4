"""The command line for backups, restore, subject access and erasure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldkit.cli import main
from fieldkit.storage import backups
from fieldkit.study import Study
from studies import small_template


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "cli.fieldkit"
    with Study.create(path, small_template()) as s:
        s.organisations.add("Keep Me", category="Network")
    Study.open(path).close()  # one backup, with Keep Me
    with Study.open(path, backup=False) as s:
        org = s.organisations.add("Erase Me Trust", category="Network", contacts=[{"name": "Pat Erasable"}])
        s.attempts.log(org, outcome="No answer", note="Pat was out")
    return path


def test_backups_lists_and_restore_by_number(capsys, study_path: Path):
    code, out, _ = run(capsys, "backups", study_path)
    assert code == 0 and str(backups.folder_for(study_path)) in out
    assert "  1  " in out and "open" in out
    code, out, err = run(capsys, "restore", study_path, "1")
    assert code == 0, err
    assert "kept as" in out
    with Study.open(study_path) as s:
        assert [o.name for o in s.organisations.many(s.organisations.ids())] == ["Keep Me"]
    assert run(capsys, "restore", study_path, "99")[0] == 2


def test_access_writes_json_with_everything_named(capsys, study_path: Path, tmp_path: Path):
    out_file = tmp_path / "pat.json"
    code, out, err = run(capsys, "access", study_path, "Erase Me Trust", "-o", out_file)
    assert code == 0, err
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert data["organisation"]["name"] == "Erase Me Trust"
    assert data["contacts"][0]["name"] == "Pat Erasable" and data["attempts"][0]["note"] == "Pat was out"


def test_erase_asks_first_then_erases(capsys, study_path: Path):
    code, out, _ = run(capsys, "erase", study_path, "Erase Me Trust")
    assert code == 1 and "Nothing was erased" in out and "1 contact, 1 attempt" in out
    with Study.open(study_path) as s:
        assert s.organisations.find_by_name("Erase Me Trust")
    code, out, err = run(capsys, "erase", study_path, "Erase Me Trust", "--yes")
    assert code == 0, err
    assert out.startswith("Erased Erase Me Trust deleted its record")
    assert b"Pat Erasable" not in study_path.read_bytes()
    with Study.open(study_path) as s:
        assert [o.name for o in s.organisations.many(s.organisations.ids())] == ["Keep Me"]
    code, out, err = run(capsys, "erase", study_path, "Nobody")
    assert code == 1 and "no organisation named 'Nobody'" in err


def test_reading_commands_bring_an_older_study_up_to_date(capsys, study_path: Path):
    import sqlite3

    conn = sqlite3.connect(study_path)
    conn.execute("DROP TABLE changes")  # as a study of format 1 was
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    code, out, err = run(capsys, "summary", study_path, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["total"]["on_database"] == 2
    assert any(b.reason == "before-migration" for b in backups.list_backups(study_path))
    with Study.open(study_path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == 2


def test_backups_can_delete_those_older_than_one(capsys, study_path: Path):
    with Study.open(study_path) as s:
        s.backup("manual")
        s.backup("manual")
    found = backups.list_backups(study_path)
    assert len(found) >= 3
    code, out, err = run(capsys, "backups", study_path, "--delete-older-than", "2")
    assert code == 0, err
    assert f"Deleted {len(found) - 2} older backup" in out
    assert [b.path for b in backups.list_backups(study_path)] == [b.path for b in found[:2]]
    code, out, err = run(capsys, "backups", study_path, "--delete-older-than", "9")
    assert code == 2 and "no backup number 9" in err
