"""Personal-data duties (UK GDPR): subject access, erasure and retention.

Subject access gathers everything stored against one organisation and its contacts. Erasure
deletes an organisation with its contacts, attempts, interviews, named answers and change log,
after a backup, then rewrites the search index, vacuums and empties the -wal, so the deleted
text is gone from the -wal as well as the file (secure_delete zeroes freed pages). Another
connection still reading (a report being written in another window) keeps old page images in
the -wal and old pages in the file until it lets go: ``erase`` then says so in its result, and
the study empties the -wal after its next save or on closing (``Study.empty_wal``).

Nothing links the pool to the organisation, so it stays; but a pooled comment may name it or
its contacts. ``erase`` finds those comments first (``reports.names``), keeps them as they are
(the researcher redacts them in the Pool screen) and records the names they contain, exactly
as written there, in ``pool_names``, so the report's names check goes on flagging them once
the organisation is gone. Retention strips named personal fields (contact names, phones,
emails, addresses, attempt notes) while keeping the counts reports need; free text the
researcher wrote into answers and organisation notes is study data and is kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.errors import InvalidValueError
from fieldkit.reports.names import NameHit, find_names_of_contacts, find_names_of_organisation, written_in
from fieldkit.storage.backups import BackupError
from fieldkit.storage.wal import Checkpoint

if TYPE_CHECKING:
    from fieldkit.study import Study

RETENTION_KEY = "personal_data_delete_by"


def subject_access(study: Study, org_id: int) -> dict[str, Any]:
    """Everything stored against one organisation and its contacts, as plain data."""
    from fieldkit.directory.listing import listing

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
            "result": interview.result, "started": interview.started, "sittings": interview.sittings,
            "seconds": interview.seconds,
            "answers": [{"question": labels.get(qid, qid), "answer": value}
                        for qid, value in interview.answers.items()],
        })
    return {
        "study": study.title,
        "exported": dt.datetime.now().replace(microsecond=0).isoformat(),
        "note": "Anonymous answers are kept apart from named records and cannot be traced to anyone, "
                "so they are not part of this record (nor are those still held with an interview before "
                "they move to the anonymous pool: this file would tie them to the organisation).",
        "organisation": record,
        "contacts": [dataclasses.asdict(c) for c in study.organisations.contacts(org_id)],
        "numbers": [{"contact_id": n.contact_id, "kind": n.kind, "value": n.value, "label": n.label,
                     "wrong": n.wrong} for n in study.numbers.for_organisation(org_id) if not n.main],
        "attempts": [dataclasses.asdict(a) for a in reversed(study.attempts.for_organisation(org_id))],
        "interviews": interviews,
        "changes": [dataclasses.asdict(c) for c in study.organisations.changes(org_id)],
        # What it agreed to have listed in a consortium's directory, when it was last published
        # there, and, for one brought in from a directory, where it came from.
        "directory": dataclasses.asdict(listing(study, org_id)),
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
    held = sum(len(study.held.for_interview(i.id)) for i in study.interviews.for_organisation(org_id))
    waiting = (f" and the {held} anonymous answer{'s' if held != 1 else ''} still held with its interviews "
               "(not yet in the pool)" if held else "")
    return (f"Erasing {org.name} deletes its record with {', '.join(parts)}, every named answer{waiting}. "
            "Anonymous comments already in the pool stay: nothing links them to it. A backup is taken first.")


@dataclass(frozen=True)
class ErasureResult:
    """What ``erase`` did, and what it could not do yet. ``clean`` only when nothing of the
    organisation is left: not in the study file, not in its -wal, not in a pooled comment."""

    #: the organisation's name, as it was
    name: str
    #: emptying the -wal after the erasure; not done while another connection was reading
    checkpoint: Checkpoint
    #: pooled comments that named the organisation or its contacts when it was erased: kept as
    #: they were, their names recorded so the report's names check flags them until redacted
    named_comments: tuple[NameHit, ...] = ()
    _study: Study | None = field(default=None, repr=False, compare=False)

    @property
    def on_disk(self) -> bool:
        """True while old pages of the erased records may still be in the study file or its
        -wal: the checkpoint did not finish, and no later one has (after a later save while
        the study is open; once it is closed, the -wal is empty or gone when one has)."""
        if self.checkpoint.done:
            return False
        if self._study is not None and not self._study.closed:
            return self._study._scrub_pending
        wal = self.checkpoint.wal
        return wal.exists() and wal.stat().st_size > 0

    @property
    def clean(self) -> bool:
        return not self.problems()

    def problems(self) -> list[str]:
        """What is left of the organisation, one line each (none when the erasure is clean)."""
        found = []
        if self.named_comments:
            n = len(self.named_comments)
            them = "them" if n != 1 else "it"
            found.append(f"{n} pooled comment{'s' if n != 1 else ''} still name{'s' if n == 1 else ''} {self.name} "
                         f"or its contacts; redact {them} in the Pool screen (the report's names check goes on "
                         f"flagging {them} until then)")
        if self.on_disk:
            study_file = self.checkpoint.wal.with_name(self.checkpoint.wal.name[:-len("-wal")])
            found.append(f"{self.name} is gone from the records but not yet from the disk: "
                         f"{self.checkpoint.describe()} (until then {study_file} itself may also keep pages "
                         "from before the erasure)")
        return found


def erase(study: Study, org_id: int) -> ErasureResult:
    """Delete an organisation and everything named about it, leaving no trace in the file.

    Pooled comments that name it or its contacts are kept (the researcher redacts them) with
    those names recorded; the result lists them, and says when another connection reading the
    study keeps old pages on the disk for now. Raises BackupError, erasing nothing, when no
    backup can be taken first."""
    name = study.organisations.get(org_id).name
    if study.backup("before-erasure") is None:
        raise BackupError(f"{study.path}: no backup could be taken, so nothing was erased; free some disk "
                          "space, then try again")
    with study.transaction():
        named = find_names_of_organisation(study, org_id)
        _keep_names(study, named)
        study.organisations.delete(org_id)  # contacts, attempts, interviews, answers, changes cascade
    return ErasureResult(name, scrub(study), tuple(named), study)


def _keep_names(study: Study, hits: list[NameHit]) -> None:
    """Record in ``pool_names`` the names each comment contains, in the comment's own words."""
    rows = []
    for hit in hits:
        for name in hit.names:
            written = written_in(hit.text, name)
            if written:
                rows.append((hit.comment_id, written))
    study.conn.executemany("INSERT OR IGNORE INTO pool_names(comment_id, name) VALUES (?, ?)", rows)


def scrub(study: Study) -> Checkpoint:
    """Rewrite the search indexes, vacuum and empty the -wal, so deleted text is not left in
    freed pages, index segments or the -wal. The checkpoint says whether the -wal is empty:
    while another connection reads, it is not, and the study tries again after its next save."""
    with study.transaction():
        study.conn.execute("INSERT INTO search_index(search_index) VALUES ('rebuild')")
        study.conn.execute("INSERT INTO pool_search(pool_search) VALUES ('rebuild')")
    with study._mutex:
        study.conn.execute("VACUUM")  # secure_delete zeroes freed pages; VACUUM drops them from the file
        return study.empty_wal()  # the -wal's old page images go only with a finished checkpoint


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
        # Comments naming a contact keep being flagged once the names are gone (as after erasure).
        _keep_names(study, find_names_of_contacts(study))
        n = study.conn.execute(
            "UPDATE contacts SET name = '', role = NULL, phone = NULL, email = NULL, notes = NULL").rowcount
        study.conn.execute("UPDATE organisations SET phone = NULL, email = NULL, address = NULL")
        study.conn.execute("UPDATE attempts SET note = NULL, tried = NULL")
        study.conn.execute("DELETE FROM numbers")  # every further phone number and email address
        study.conn.execute("DELETE FROM changes")
        study.conn.execute("UPDATE meta SET value = '' WHERE key = ?", (RETENTION_KEY,))  # done: no reminder
        for (org_id,) in study.conn.execute("SELECT id FROM organisations").fetchall():
            study.search.index_organisation(org_id)
    checkpoint = scrub(study)
    if not checkpoint.done:
        study.warnings.append(f"The personal details are gone from the records but not yet from the disk: "
                              f"{checkpoint.describe()}")
    return n
