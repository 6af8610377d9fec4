"""Personal-data duties (UK GDPR): subject access, erasure and retention.

Subject access gathers everything stored against one organisation and its contacts. Erasure
deletes an organisation with its contacts, attempts, interviews, named answers and change log,
after a backup, then rewrites the search index and checkpoints the -wal so the deleted text is
gone from the -wal as well as the file (secure_delete zeroes freed pages). The pool is
untouched because nothing links to it. Retention strips named personal fields (contact names,
phones, emails, addresses, attempt notes) while keeping the counts reports need; free text
the researcher wrote into answers and organisation notes is study data and is kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.errors import InvalidValueError
from fieldkit.storage.backups import BackupError

if TYPE_CHECKING:
    from fieldkit.study import Study

RETENTION_KEY = "personal_data_delete_by"


def subject_access(study: Study, org_id: int) -> dict[str, Any]:
    """Everything stored against one organisation and its contacts, as plain data."""
    org = study.organisations.get(org_id)
    record = dataclasses.asdict(org)
    record["flags"] = sorted(org.flags)
    interviews = []
    for interview in study.interviews.for_organisation(org_id):
        template = study.template_at(interview.template_version)
        labels = {q.id: q.label for q in template.questions()}
        interviews.append({
            "date": interview.date, "mode": interview.mode, "interviewer": interview.interviewer,
            "completed": interview.completed, "contact_id": interview.contact_id,
            "answers": [{"question": labels.get(qid, qid), "answer": value}
                        for qid, value in interview.answers.items()],
        })
    return {
        "study": study.title,
        "exported": dt.datetime.now().replace(microsecond=0).isoformat(),
        "note": "Anonymous answers are kept apart from named records and cannot be traced to anyone, "
                "so they are not part of this record.",
        "organisation": record,
        "contacts": [dataclasses.asdict(c) for c in study.organisations.contacts(org_id)],
        "attempts": [dataclasses.asdict(a) for a in reversed(study.attempts.for_organisation(org_id))],
        "interviews": interviews,
        "changes": [dataclasses.asdict(c) for c in study.organisations.changes(org_id)],
    }


def subject_access_json(study: Study, org_id: int) -> str:
    return json.dumps(subject_access(study, org_id), ensure_ascii=False, indent=2)


def _file_stem(name: str, org_id: int) -> str:
    """An organisation's name made safe as part of a file name on Windows, macOS and Linux."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name)
    safe = re.sub(r"\s+", " ", safe).strip(" .")[:80].strip(" .")
    return safe or f"Organisation {org_id}"


def _free(path: Path) -> Path:
    """``path``, or ``NAME (2).ext``, ``NAME (3).ext``… if a file is there already."""
    n, candidate = 1, path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
    return candidate


def save_subject_access(study: Study, org_id: int, folder: Path, *, today: dt.date | None = None) -> list[Path]:
    """Write everything stored about ``org_id`` into ``folder``: the record as JSON (what the
    command line's ``access`` writes) and the case sheet as a PDF. Returns the two paths."""
    from fieldkit.exports import write_atomically
    from fieldkit.reports.casesheet import render_casesheet

    org = study.organisations.get(org_id)
    stem, day = _file_stem(org.name, org_id), (today or dt.date.today()).isoformat()
    text = subject_access_json(study, org_id)
    json_path = write_atomically(_free(Path(folder) / f"{stem} - subject access {day}.json"),
                                 lambda f: f.write(text.encode("utf-8")))
    try:
        pdf_path = render_casesheet(study, org_id, _free(Path(folder) / f"{stem} - case sheet {day}.pdf"),
                                    today=today)
    except BaseException:
        Path(json_path).unlink(missing_ok=True)  # both or neither: no stray copy of personal data
        raise
    return [Path(json_path), Path(pdf_path)]


def erasure_summary(study: Study, org_id: int) -> str:
    """What erasing ``org_id`` will delete, in words, for the confirmation."""
    org = study.organisations.get(org_id)
    counts = {
        "contact": len(study.organisations.contacts(org_id)),
        "attempt": len(study.attempts.for_organisation(org_id)),
        "interview": len(study.interviews.for_organisation(org_id)),
        "recorded change": len(study.organisations.changes(org_id)),
    }
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for word, n in counts.items()]
    return (f"Erasing {org.name} deletes its record with {', '.join(parts)} and every named answer. "
            "Anonymous comments in the pool stay: nothing links them to it. A backup is taken first.")


def erase(study: Study, org_id: int) -> None:
    """Delete an organisation and everything named about it, leaving no trace in the file."""
    study.organisations.get(org_id)
    if study.backup("before-erasure") is None:
        raise BackupError(f"{study.path}: no backup could be taken, so nothing was erased; free some disk "
                          "space, then try again")
    study.organisations.delete(org_id)  # contacts, attempts, interviews, answers, changes cascade
    scrub(study)


def scrub(study: Study) -> None:
    """Rewrite the search index and checkpoint, so deleted text is not left in freed pages,
    index segments or the -wal."""
    with study.transaction():
        study.conn.execute("INSERT INTO search_index(search_index) VALUES ('rebuild')")
        study.conn.execute("INSERT INTO pool_search(pool_search) VALUES ('rebuild')")
    with study._mutex:
        study.conn.execute("VACUUM")  # secure_delete zeroes freed pages; VACUUM drops them
        study.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def retention_date(study: Study) -> dt.date | None:
    value = study.meta(RETENTION_KEY)
    return dt.date.fromisoformat(value) if value else None


def set_retention_date(study: Study, day: dt.date | None) -> None:
    """The date by which the study's personal data is to be deleted (None: no date)."""
    if day is not None and not isinstance(day, dt.date):
        raise InvalidValueError("the retention date must be a date")
    study.set_meta(RETENTION_KEY, day.isoformat() if day else "")


def retention_due(study: Study, *, today: dt.date | None = None) -> bool:
    day = retention_date(study)
    return day is not None and (today or dt.date.today()) >= day


def strip_personal_data(study: Study) -> int:
    """Remove contact names, roles, phones, emails and notes, and organisations' phones, emails
    and addresses; keep organisations, statuses, flags, answers and counts. Returns how many
    contacts were stripped."""
    if study.backup("before-erasure") is None:
        raise BackupError(f"{study.path}: no backup could be taken, so nothing was removed; free some disk "
                          "space, then try again")
    with study.transaction():
        n = study.conn.execute(
            "UPDATE contacts SET name = '', role = NULL, phone = NULL, email = NULL, notes = NULL").rowcount
        study.conn.execute("UPDATE organisations SET phone = NULL, email = NULL, address = NULL")
        study.conn.execute("UPDATE attempts SET note = NULL")
        study.conn.execute("DELETE FROM changes")
        study.conn.execute("UPDATE meta SET value = '' WHERE key = ?", (RETENTION_KEY,))  # done: no reminder
        for (org_id,) in study.conn.execute("SELECT id FROM organisations").fetchall():
            study.search.index_organisation(org_id)
    scrub(study)
    return n
