"""The command line for backups, restore, subject access and erasure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldkit.storage import backups, connection
from fieldkit.study import Study
from studies import pool_now, small_template
from cli_runs import run



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


def test_reading_commands_bring_an_older_study_up_to_date(capsys, tmp_path: Path, monkeypatch):
    import sqlite3

    from fieldkit.storage import schema

    study_path = tmp_path / "cli.fieldkit"
    monkeypatch.setattr(connection, "MIGRATIONS", schema.MIGRATIONS[:4])  # a study made at format 4
    monkeypatch.setattr(connection, "SCHEMA_VERSION", 4)
    Study.create(study_path, small_template()).close()
    monkeypatch.undo()
    conn = sqlite3.connect(study_path)
    with conn:
        at = "2026-10-01T10:00:00"
        for name in ("Keep Me", "Erase Me Trust"):
            conn.execute("INSERT INTO organisations(name, category, created, updated) VALUES (?, 'Network', ?, ?)",
                         (name, at, at))
    conn.close()
    code, out, err = run(capsys, "summary", study_path, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["total"]["on_database"] == 2
    assert any(b.reason == "before-migration" for b in backups.list_backups(study_path))
    with Study.open(study_path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == connection.SCHEMA_VERSION


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


def _pool_answers(path: Path, texts) -> None:
    """Each text as one finished interview's anonymous answer, moved into the pool."""
    with Study.open(path, backup=False) as s:
        teller = s.organisations.add("Teller Group", category="Network")
        sessions = [s.interviews.start(teller) for _ in texts]
        for session, text in zip(sessions, texts, strict=True):
            session.save_answer("sector_barriers", text)
        pool_now(s, *sessions)


LONG = ("The rent on the church hall went up twice last year and the hall was cold in winter, and when Erase Me "
        "Trust shut its doors we had nowhere to meet at all.")


def test_erase_lists_the_pooled_comments_that_name_it_and_keeps_saying_so(capsys, study_path: Path):
    _pool_answers(study_path, [LONG, "Ask PAT ERASABLE, she knows the rent rules.", "Nobody is named here."])
    code, out, err = run(capsys, "erase", study_path, "Erase Me Trust")
    assert code == 1 and out.endswith("Nothing was erased. Run again with --yes to erase it.\n")
    lines = out.splitlines()
    at = lines.index("2 pooled comments name Erase Me Trust or its contacts:")
    assert sorted(lines[at + 1:at + 3]) == [
        ("  What holds small groups back? — Erase Me Trust: “…was cold in winter, and when Erase Me Trust shut its "
         "doors we had nowhere to meet at all.”"),  # the words around the name
        "  What holds small groups back? — Pat Erasable: “Ask PAT ERASABLE, she knows the rent rules.”"]
    assert "Redact them in the Pool screen first" in lines[at + 3] and "Nobody is named" not in out

    code, out, err = run(capsys, "erase", study_path, "Erase Me Trust", "--yes")
    assert code == 1
    assert out.startswith("Erased Erase Me Trust deleted its record")
    lines = err.splitlines()
    assert lines[0].startswith("fieldkit erase: warning: 2 pooled comments still name Erase Me Trust or its "
                               "contacts") and "Pool screen" in lines[0]
    assert sorted(lines[1:]) == [  # in the pool's order, which is random
        ("  What holds small groups back? — Erase Me Trust: “…was cold in winter, and when Erase Me Trust shut its "
         "doors we had nowhere to meet at all.”"),
        "  What holds small groups back? — PAT ERASABLE: “Ask PAT ERASABLE, she knows the rent rules.”"]
    code, _out, err = run(capsys, "report", study_path, "-o", study_path.with_name("report.pdf"))
    assert code == 1 and "2 pooled comments contain names" in err  # the report still will not print them


def _raw(path: Path, text: str) -> int:
    n = 0
    for part in (path, Path(f"{path}-wal")):
        data = part.read_bytes() if part.exists() else b""
        n += data.count(text.encode("utf-8")) + data.count(text.encode("utf-16-le"))
    return n


def test_erase_while_another_program_reads_the_study_warns_and_fails(capsys, study_path: Path, monkeypatch):
    from fieldkit.storage import connection, sqlite

    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 50)  # the reader never lets go: do not wait 5 s a try
    reader = sqlite.connect(study_path, isolation_level=None)  # another program, reading
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM contacts").fetchone()[0] == 1
        code, out, err = run(capsys, "erase", study_path, "Erase Me Trust", "--yes")
        assert code == 1
        assert out.startswith("Erased Erase Me Trust deleted its record")
        [line] = err.splitlines()
        assert line.startswith("fieldkit erase: warning: Erase Me Trust is gone from the records but not yet "
                               "from the disk: ")
        assert f"{study_path}-wal" in line and "another program or window is reading the study" in line
        assert "the next save empties it" in line and "Traceback" not in err
        assert _raw(study_path, "Pat Erasable") and _raw(study_path, "Erase Me Trust")  # what the warning says
    finally:
        reader.close()
    Study.open(study_path).close()
    assert _raw(study_path, "Pat Erasable") == _raw(study_path, "Erase Me Trust") == 0
