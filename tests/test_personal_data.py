"""Subject access, erasure that leaves no trace in the file, and retention."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

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
    study.attempts.log(gone, outcome="Left a message", note=f"{UNIQUE} is away")
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
    assert "Funding rules" not in json.dumps(data, ensure_ascii=False)


def test_erasure_leaves_no_trace_in_the_file_and_keeps_the_pool(small_study: Study):
    keep, gone = _fill(small_study)
    assert UNIQUE.encode("utf-8") in _file_bytes(small_study.path)
    summary_text = personal_data.erasure_summary(small_study, gone)
    assert "1 contact, 1 attempt, 1 interview" in summary_text and "Anonymous comments in the pool stay" in summary_text
    personal_data.erase(small_study, gone)
    assert small_study.organisations.ids() == [keep]
    assert [c.text for c in small_study.pool.comments()] == ["Funding rules shut small groups out"]
    assert any(b.reason == "before-erasure" for b in backups.list_backups(small_study.path))
    raw = _file_bytes(small_study.path)
    for trace in (UNIQUE, "Erased Association", "0121 496 0999", "zp@example.org", "07700 900999"):
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
    for trace in ("zp@example.org", "0121 496 0999", "07700 900999", f"{UNIQUE} is away"):
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
