"""Subject access, erasure that leaves no trace in the file, and retention."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from fieldkit import personal_data, summary
from fieldkit.storage import backups
from fieldkit.study import Study

UNIQUE = "Zdzisława Przybyszewska-Wąsowicz"


def _file_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    wal = Path(f"{path}-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def _fill(study: Study) -> tuple[int, int]:
    orgs = study.organisations
    keep = orgs.add("Kept Forum", category="Network", flags=["permission_to_list"])
    gone = orgs.add("Erased Association", category="Network", phone="0121 496 0999", notes=f"Ask for {UNIQUE}")
    contact = orgs.add_contact(gone, UNIQUE, role="Chair", email="zp@example.org")
    orgs.update_contact(contact, phone="07700 900999")
    study.numbers.add(gone, "phone", "07700 900998", contact_id=contact, label="Mobile")
    study.attempts.log(gone, outcome="Left a message", note=f"{UNIQUE} is away", tried="07700 900998")
    session = study.interviews.start(gone, contact_id=contact)
    session.save_answer("role", f"Chair, {UNIQUE}")
    session.save_answer("sector_barriers", "Funding rules shut small groups out")
    session.complete()
    return keep, gone


def test_subject_access_has_everything_named_and_nothing_pooled(small_study: Study):
    _, gone = _fill(small_study)
    data = json.loads(personal_data.subject_access_json(small_study, gone))
    assert data["organisation"]["name"] == "Erased Association"
    assert [c["name"] for c in data["contacts"]] == [UNIQUE]
    assert data["attempts"][0]["note"] == f"{UNIQUE} is away"
    assert data["interviews"][0]["answers"] == [{"question": "Your role", "answer": f"Chair, {UNIQUE}"}]
    assert any(c["field"] == "phone" and c["new"] == "07700 900999" for c in data["changes"])
    assert data["numbers"] == [{"contact_id": data["contacts"][0]["id"], "kind": "phone", "value": "07700 900998",
                                "label": "Mobile", "wrong": False}]
    assert data["attempts"][0]["tried"] == "07700 900998"
    assert "Funding rules" not in json.dumps(data, ensure_ascii=False)


def test_subject_access_says_what_the_directory_may_list(small_study: Study):
    """What an organisation agreed to have listed in a consortium's directory is part of its
    record: the details, its charity number, and when it was last published."""
    from fieldkit.directory.listing import set_listing

    keep, _ = _fill(small_study)
    set_listing(small_study, keep, fields=["phone", "website"], charity_number="1 234 567")
    directory = json.loads(personal_data.subject_access_json(small_study, keep))["directory"]
    assert directory["permitted"] is True and directory["recorded"] is True
    assert sorted(directory["fields"]) == ["phone", "website"]
    assert directory["charity_number"] == "1234567"
    assert directory["published"] is None and directory["origin"] is None


def test_erasure_leaves_no_trace_in_the_file_and_keeps_the_pool(small_study: Study):
    keep, gone = _fill(small_study)
    small_study.held.move_now()  # in the pool, where nothing links it to the organisation
    assert UNIQUE.encode("utf-8") in _file_bytes(small_study.path)
    summary_text = personal_data.erasure_summary(small_study, gone)
    assert "1 contact, 1 attempt, 1 interview" in summary_text
    assert "Anonymous comments already in the pool stay" in summary_text
    personal_data.erase(small_study, gone)
    assert small_study.organisations.ids() == [keep]
    assert [c.text for c in small_study.pool.comments()] == ["Funding rules shut small groups out"]
    assert any(b.reason == "before-erasure" for b in backups.list_backups(small_study.path))
    raw = _file_bytes(small_study.path)
    for trace in (UNIQUE, "Erased Association", "0121 496 0999", "zp@example.org", "07700 900999", "07700 900998"):
        assert trace.encode("utf-8") not in raw, trace
    assert small_study.search.organisation_ids("przybyszewska") == []


def test_retention_strips_personal_fields_but_keeps_the_counts(small_study: Study):
    _fill(small_study)
    assert not personal_data.retention_due(small_study)
    personal_data.set_retention_date(small_study, dt.date(2026, 1, 31))
    assert personal_data.retention_date(small_study) == dt.date(2026, 1, 31)
    assert personal_data.retention_due(small_study, today=dt.date(2026, 2, 1))
    before = summary.by_group(small_study, "category").as_json()
    assert personal_data.strip_personal_data(small_study) == 1
    assert summary.by_group(small_study, "category").as_json() == before
    raw = _file_bytes(small_study.path)
    for trace in ("zp@example.org", "0121 496 0999", "07700 900999", "07700 900998", f"{UNIQUE} is away"):
        assert trace.encode("utf-8") not in raw, trace
    [contact] = [c for o in small_study.organisations.ids() for c in small_study.organisations.contacts(o)]
    assert (contact.name, contact.role, contact.email, contact.phone) == ("", None, None, None)
    # Free text that researchers wrote (answers, organisation notes) is kept: it is study data.


def test_no_erasure_or_removal_without_a_backup_first(small_study: Study, monkeypatch):
    keep, gone = _fill(small_study)
    personal_data.set_retention_date(small_study, dt.date(2026, 1, 31))
    monkeypatch.setattr(backups, "integrity_ok", lambda path, key=None: False)  # every backup fails its check
    import pytest

    with pytest.raises(backups.BackupError, match="nothing was erased"):
        personal_data.erase(small_study, gone)
    assert small_study.organisations.get(gone).name == "Erased Association"
    with pytest.raises(backups.BackupError, match="nothing was removed"):
        personal_data.strip_personal_data(small_study)
    assert [c.name for c in small_study.organisations.contacts(gone)] == [UNIQUE]
    monkeypatch.undo()
    personal_data.strip_personal_data(small_study)
    assert personal_data.retention_date(small_study) is None  # done, so no more reminders


# --- erasure while another connection reads the study ---------------------------------------

ERASED_TRACES = ("Erased Association", "07700 900999")


def _traces(path: Path, texts=ERASED_TRACES) -> dict[str, int]:
    """How often each text is in the raw bytes of the study file and of its -wal, as UTF-8
    or UTF-16LE: ``{"file: TEXT": n, "-wal: TEXT": n}``, only where n > 0."""
    found = {}
    for where, part in (("file", path), ("-wal", Path(f"{path}-wal"))):
        data = part.read_bytes() if part.exists() else b""
        for text in texts:
            n = data.count(text.encode("utf-8")) + data.count(text.encode("utf-16-le"))
            if n:
                found[f"{where}: {text}"] = n
    return found


def _reading(study: Study) -> Study:
    """A second connection to ``study`` in the middle of a read (a report being written in
    another window): its read transaction holds the pages as they were."""
    reader = study.open_reader()
    reader.conn.execute("BEGIN")
    assert reader.conn.execute("SELECT count(*) FROM organisations").fetchone()[0] == 2
    return reader


@pytest.mark.parametrize("where", ["-wal", "file"])
def test_erasure_while_another_connection_reads_says_what_is_left_and_where(small_study: Study, where: str):
    keep, gone = _fill(small_study)
    if where == "file":  # the details already checkpointed into the file when the reader starts
        small_study.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert not Path(f"{small_study.path}-wal").stat().st_size
    small_study.conn.execute("PRAGMA busy_timeout = 50")  # the reader never lets go: do not wait 5 s a try
    reader = _reading(small_study)
    try:
        result = personal_data.erase(small_study, gone)
        assert small_study.organisations.ids() == [keep]
        left = _traces(small_study.path)
        # What the reader holds on to stays: old page images in the -wal (VACUUM cannot drop
        # them there), or old pages in the file, which the checkpoint cannot yet overwrite.
        assert {k.split(":")[0] for k in left} == {where}, left
        assert not result.clean
        assert not result.checkpoint.done and result.checkpoint.frames_left > 0
        [problem] = result.problems()
        assert f"{small_study.path}-wal" in problem and f"{small_study.path} " in problem
        assert "another program or window is reading the study" in problem
        assert "the next save empties it" in problem
        small_study.set_meta("note", "a save while the reader still reads")
        assert not result.clean and _traces(small_study.path)  # still there, still said
    finally:
        reader.close()
    assert _traces(small_study.path)  # closing the reader alone empties nothing ...
    small_study.set_meta("note", "the next save")  # ... the next save does
    assert _traces(small_study.path) == {}
    assert result.clean and result.problems() == []


def test_erasure_left_unfinished_by_a_reader_is_finished_when_the_study_closes(small_study: Study):
    _keep, gone = _fill(small_study)
    small_study.conn.execute("PRAGMA busy_timeout = 50")
    reader = _reading(small_study)
    result = personal_data.erase(small_study, gone)
    assert not result.clean and _traces(small_study.path)
    reader.close()
    small_study.close()
    assert _traces(small_study.path) == {}
    assert result.clean


def test_erasure_with_no_other_reader_is_clean(small_study: Study):
    _keep, gone = _fill(small_study)
    result = personal_data.erase(small_study, gone)
    assert result.clean and result.checkpoint.done and result.problems() == []
    assert _traces(small_study.path, (UNIQUE, *ERASED_TRACES, "zp@example.org")) == {}
