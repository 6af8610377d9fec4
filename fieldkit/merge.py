"""Merging another copy of a study back in: two researchers who split a calling list.

    found = plan(study, "laptop-b.fieldkit")          # reads the copy, writes nothing
    found.lines()                                     # what would be added, taken, in conflict
    apply(study, found, choices={"<uid>:phone": "theirs"}, matches=["<mine uid>=<their uid>"])

``plan`` works out what the other copy adds (fieldkit.merge_plan); ``apply`` takes a backup,
then writes it all in one transaction, or nothing. A copy of a different study (another
``study_uid``) is refused by name; merging the same copy twice changes nothing the second
time. Conflicts (a field edited differently in both copies) must each be settled, one by one
(``choices``) or all one way (``take``), before anything is written.

The pool stays anonymous: the other copy's comments join this copy's by id (less those that
are answers this copy pooled too, fieldkit.merge_plan), the pool is then laid out again in
random-id order with a fresh search index and the -wal emptied, as a move into the pool does
(fieldkit.held, fieldkit.pool); held answers come with their interviews, and the groups that
now reach k move into the pool together. Directory listings and origins (fieldkit.directory)
come with their organisations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.merge_plan import (
    ALIASES_KEY,
    LISTING_COLUMNS,
    NOT_TICKED,
    STUDY_UID_KEY,
    TICKED,
    VOCABULARY_USES,
    FieldEdit,
    MergeError,
    MergePlan,
    Snapshot,
    make_plan,
)
from fieldkit.storage import sqlite

if TYPE_CHECKING:
    from fieldkit.study import Study

__all__ = ["MergeConflictError", "MergeError", "Merged", "MergePlan", "apply", "plan"]


class MergeConflictError(MergeError):
    """Fields edited differently in both copies wait for a choice; nothing was written."""

    def __init__(self, message: str, conflicts: list[FieldEdit]):
        super().__init__(message)
        self.conflicts = conflicts


@dataclass(frozen=True)
class Merged:
    """What ``apply`` did."""

    backup: Path | None
    organisations: int
    attempts: int
    interviews: int
    comments: int
    #: held answers moved into the pool afterwards (groups that reached k)
    moved: int

    def describe(self) -> str:
        """What came across, in words."""
        if self.backup is None:
            return "nothing to merge: the other copy holds nothing this study lacks"
        counts = [(self.organisations, "organisation"), (self.attempts, "attempt"),
                  (self.interviews, "interview"), (self.comments, "pooled comment")]
        return "added " + ", ".join(f"{n} {what}{'s' if n != 1 else ''}" for n, what in counts)


def plan(study: Study, other_path: str | Path, passphrase: str | None = None) -> MergePlan:
    """Read the copy at ``other_path`` (read-only) and say what merging it would do."""
    from fieldkit.matching import Matcher
    from fieldkit.study import Study as StudyFile

    path = Path(other_path)
    if not path.is_file():
        raise MergeError(f"{path}: no such study file")
    if path.resolve() == Path(study.path).resolve():
        raise MergeError(f"{path} is this study itself; choose the other researcher's copy")
    other = StudyFile.open(path, read_only=True, passphrase=passphrase)
    try:
        if other.meta(STUDY_UID_KEY) != study.meta(STUDY_UID_KEY):
            raise MergeError(f"{path} is a copy of a different study (“{other.title}”); nothing was merged")
        with study._mutex:
            mine = Snapshot(study.conn)
        return make_plan(mine, Snapshot(other.conn), other_path=str(path), matcher=Matcher(study),
                         country=study.country)
    finally:
        other.close()


def decisions(found: MergePlan, choices: Mapping[str, str] | None = None,
              take: str | None = None) -> dict[str, str]:
    """Every conflict's choice ("mine" or "theirs") by its key; MergeConflictError when some
    have none, MergeError for a choice that names no conflict."""
    wanted = {c.key: c for c in found.conflicts}
    out: dict[str, str] = {}
    for key, side in (choices or {}).items():
        if side not in ("mine", "theirs"):
            raise MergeError(f"choice {key}={side}: say mine or theirs")
        if key not in wanted:
            raise MergeError(f"choice {key}: no such conflict (the dry run lists them as UID:FIELD)")
        out[key] = side
    if take is not None and take not in ("mine", "theirs"):
        raise MergeError(f"--take {take}: say mine or theirs")
    left = [c for k, c in wanted.items() if k not in out]
    if left and take is None:
        raise MergeConflictError(
            f"{len(left)} field{'s were' if len(left) != 1 else ' was'} edited differently in both copies; "
            "choose mine or theirs for each (or take one side for all); nothing was merged", left)
    for c in left:
        out[c.key] = take or "mine"
    return out


def _chosen_matches(study: Study, found: MergePlan, matches: Iterable[str]) -> dict[str, str]:
    """{their organisation's uid: this copy's} for each ``MINE=THEIRS`` asked for."""
    theirs = {o["uid"] for o in found.organisations}
    out: dict[str, str] = {}
    for pair in matches:
        mine_uid, _, their_uid = pair.partition("=")
        if their_uid not in theirs and mine_uid in theirs:
            mine_uid, their_uid = their_uid, mine_uid
        if their_uid not in theirs:
            raise MergeError(f"match {pair}: {their_uid or '?'} is not an organisation the other copy adds")
        if study.scalar("SELECT 1 FROM organisations WHERE uid = ?", (mine_uid,)) is None:
            raise MergeError(f"match {pair}: {mine_uid or '?'} is not an organisation of this study")
        out[their_uid] = mine_uid
    return out


def apply(study: Study, found: MergePlan, *, choices: Mapping[str, str] | None = None, take: str | None = None,
          matches: Iterable[str] = ()) -> Merged:
    """Merge what ``found`` says into the study: a backup first, then one transaction."""
    if found.study_uid != study.meta(STUDY_UID_KEY):
        raise MergeError(f"{found.other_path}: the plan was made for a different study; nothing was merged")
    chosen = decisions(found, choices, take)
    matched = _chosen_matches(study, found, matches)
    if found.empty and not matched:
        return Merged(None, 0, 0, 0, 0, 0)
    taken = study.backup("before-merge")
    if taken is None:
        raise MergeError(f"{study.path}: the backup before merging failed; nothing was merged")
    try:
        with study.transaction():
            writer = _Writer(study, found, matched)
            writer.write(chosen)
    except sqlite.IntegrityError:  # rows the plan adds are here already: merged since, or changed
        raise MergeError(f"{found.other_path}: this study changed since the merge was worked out; nothing was "
                         "merged: look at the merge again") from None
    if writer.pool_changed:
        study.empty_wal()
    moved = study.held.move_ready()
    return Merged(taken, writer.added_orgs, len(found.attempts), len(found.interviews), writer.comments,
                  moved.answers)


class _Writer:
    """The writes of one merge, inside its transaction."""

    def __init__(self, study: Study, found: MergePlan, matched: dict[str, str]):
        from fieldkit.study import now

        self.study, self.plan, self.matched = study, found, matched
        self.conn: sqlite.Connection = study.conn
        self.stamp = now()
        self.orgs = self._uids("organisations")
        self.touched: set[int] = set()
        self.interviews_touched: set[int] = set()
        self.added_orgs = self.comments = 0
        self.pool_changed = False
        self._table_columns: dict[str, list[str]] = {}
        self.aliases: dict[str, str] = json.loads(study.meta(ALIASES_KEY) or "{}")
        for their_uid, mine_uid in [*self.aliases.items(), *matched.items()]:
            if mine_uid in self.orgs:
                self.orgs[their_uid] = self.orgs[mine_uid]

    def _uids(self, table: str) -> dict[str, int]:
        return {uid: row_id for row_id, uid in self.conn.execute(f"SELECT id, uid FROM {table}")}

    def _columns(self, table: str) -> list[str]:
        if table not in self._table_columns:
            self._table_columns[table] = [r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")]
        return self._table_columns[table]

    def _insert(self, table: str, row: dict[str, Any], **given: Any) -> int:
        """Insert the other copy's row with this copy's links (``given``), its own id left out."""
        values = {c: row.get(c) for c in self._columns(table) if c != "id" and c in row}
        values.update(given)
        cur = self.conn.execute(f"INSERT INTO {table}({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                                list(values.values()))
        return cur.lastrowid or 0

    def write(self, chosen: dict[str, str]) -> None:
        for version, definition, created in self.plan.templates:
            self.conn.execute("INSERT OR IGNORE INTO template_versions(version, definition, created) VALUES (?, ?, ?)",
                              (version, definition, created))
        self.study._forget_templates()
        for kind, renamed in self.plan.renames.items():  # as fieldkit.study renames a value
            table, column = VOCABULARY_USES[kind]
            for before, after in renamed.items():
                for (row_id,) in self.conn.execute(f"SELECT id FROM {table} WHERE {column} = ?", (before,)).fetchall():
                    self.conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (after, row_id))
                    if table == "organisations":
                        self.touched.add(row_id)
        self._organisations()
        edits = [*self.plan.edits, *(c for c in self.plan.conflicts if chosen[c.key] == "theirs")]
        for edit in sorted(edits, key=lambda e: e.field != "status"):  # status before its reason
            self._set(edit)
        self._named_rows()
        for c in self.plan.conflicts:
            if chosen[c.key] == "mine":  # the other copy's change came across in its log: say it was undone
                old, new = c.theirs, c.mine
                if c.field == "referred_by":  # logged as the organisations' ids, as edits log it
                    old, new = (None if u is None else str(self.orgs.get(u, "")) or None for u in (old, new))
                self._log(c.organisation_uid, c.record, c.uid, c.field, old, new)
        self._pool()
        if self.matched:
            self.aliases.update(self.matched)
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                              (ALIASES_KEY, json.dumps(self.aliases, sort_keys=True)))
        for org_id in sorted(self.touched):
            self.conn.execute("UPDATE organisations SET updated = ? WHERE id = ?", (self.stamp, org_id))
            self.study.search.index_organisation(org_id)
        for iv in sorted(self.interviews_touched):
            self.study.search.index_interview(iv)
        if self.pool_changed:
            self.study.pool.rewrite()

    # --- named records -------------------------------------------------------------------

    def _organisations(self) -> None:
        new = [o for o in self.plan.organisations if o["uid"] not in self.orgs]
        for row in new:
            org_id = self._insert("organisations", row, referred_by=None)
            self.orgs[row["uid"]] = org_id
            self.conn.executemany("INSERT INTO flags(organisation_id, flag) VALUES (?, ?)",
                                  [(org_id, f) for f in row.get("flags", ())])
            self._listing(org_id, row)
            self.touched.add(org_id)
            self.added_orgs += 1
        for row in new:
            if row["referred_by_uid"] in self.orgs:
                self.conn.execute("UPDATE organisations SET referred_by = ? WHERE id = ?",
                                  (self.orgs[row["referred_by_uid"]], self.orgs[row["uid"]]))
        from fieldkit.organisations import TEXT_FIELDS, VOCABULARY_FIELDS

        for row in self.plan.organisations:
            mine_uid = self.matched.get(row["uid"])
            if mine_uid is None:
                continue
            org_id = self.orgs[mine_uid]
            here = self.conn.execute(f"SELECT {', '.join((*TEXT_FIELDS, *VOCABULARY_FIELDS))} FROM organisations "
                                     "WHERE id = ?", (org_id,)).fetchone()
            for name, value in zip((*TEXT_FIELDS, *VOCABULARY_FIELDS), here, strict=True):
                if value is None and row.get(name) is not None:  # a blank here filled from the other
                    self.conn.execute(f"UPDATE organisations SET {name} = ? WHERE id = ?", (row[name], org_id))
                    self._log(mine_uid, "organisation", mine_uid, name, None, row[name])
            for flag in row.get("flags", ()):
                if self.conn.execute("INSERT OR IGNORE INTO flags(organisation_id, flag) VALUES (?, ?)",
                                     (org_id, flag)).rowcount:
                    self._log(mine_uid, "organisation", mine_uid, f"flag {flag}", NOT_TICKED, TICKED)
            self._listing(org_id, row)  # where this study has none
            self.touched.add(org_id)
        for table, rows in (("listing", self.plan.listings), ("listing_origin", self.plan.origins)):
            for listed in rows:
                if listed["organisation_uid"] in self.orgs:
                    self._insert(table, listed, organisation_id=self.orgs[listed["organisation_uid"]])

    def _listing(self, org_id: int, row: dict[str, Any]) -> None:
        """A new (or matched) organisation's directory listing and origin from the other copy,
        where this study has none and no other organisation here holds the same record."""
        for table, key in (("listing", "listing"), ("listing_origin", "origin")):
            listed = row.get(key)
            if listed is None or self.conn.execute(f"SELECT 1 FROM {table} WHERE organisation_id = ?",
                                                   (org_id,)).fetchone():
                continue
            self.conn.execute(f"INSERT OR IGNORE INTO {table}({', '.join(LISTING_COLUMNS[table])}, organisation_id) "
                              f"VALUES ({', '.join('?' * (len(LISTING_COLUMNS[table]) + 1))})",
                              [*(listed[c] for c in LISTING_COLUMNS[table]), org_id])

    def _set(self, edit: FieldEdit) -> None:
        """Give a field the other copy's value."""
        from fieldkit.collation import sort_key_or_none

        org_id = self.orgs[edit.organisation_uid]
        self.touched.add(org_id)
        value = edit.theirs
        if edit.record == "contact":
            self.conn.execute(f"UPDATE contacts SET {edit.field} = ? WHERE uid = ?", (value, edit.uid))
        elif edit.field.startswith("flag "):
            if value == TICKED:
                self.conn.execute("INSERT OR IGNORE INTO flags(organisation_id, flag) VALUES (?, ?)",
                                  (org_id, edit.field[5:]))
            else:
                self.conn.execute("DELETE FROM flags WHERE organisation_id = ? AND flag = ?", (org_id, edit.field[5:]))
        elif edit.field == "status":
            self.conn.execute("UPDATE organisations SET status = ?, exclusion_reason = CASE WHEN ? = 'excluded' "
                              "THEN exclusion_reason END WHERE id = ?", (value, value, org_id))
        elif edit.field == "exclusion_reason":
            self.conn.execute("UPDATE organisations SET exclusion_reason = ? WHERE id = ? AND status = 'excluded'",
                              (value, org_id))
        elif edit.field == "referred_by":
            self.conn.execute("UPDATE organisations SET referred_by = ? WHERE id = ?",
                              (self.orgs.get(value) if value else None, org_id))
        else:
            self.conn.execute(f"UPDATE organisations SET {edit.field} = ? WHERE id = ?", (value, org_id))
            if edit.field == "name":
                self.conn.execute("UPDATE organisations SET name_key = ? WHERE id = ?",
                                  (sort_key_or_none(value), org_id))

    def _log(self, org_uid: str, record: str, uid: str, field: str, old: str | None, new: str | None) -> None:
        contact_id = self._uids("contacts").get(uid) if record == "contact" else None
        self.conn.execute("INSERT INTO changes(organisation_id, record, contact_id, field, old, new, at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)", (self.orgs[org_uid], record, contact_id, field, old, new,
                                                           self.stamp))

    def _named_rows(self) -> None:
        found = self.plan
        for row in found.contacts:
            if row["organisation_uid"] in self.orgs:
                self._insert("contacts", row, organisation_id=self.orgs[row["organisation_uid"]])
                self.touched.add(self.orgs[row["organisation_uid"]])
        contacts = self._uids("contacts")
        here = self.orgs.keys()  # (an organisation deleted here since the plan was made: its rows stay out)
        for row in found.numbers:
            if row["organisation_uid"] in here:
                org_id = self.orgs[row["organisation_uid"]]
                self._insert("numbers", row, organisation_id=org_id, contact_id=contacts.get(row["contact_uid"]))
                self.touched.add(org_id)
        for row in found.attempts:
            if row["organisation_uid"] in here:
                self._insert("attempts", row, organisation_id=self.orgs[row["organisation_uid"]])
        for row in (r for r in found.interviews if r["organisation_uid"] in here):
            iv = self._insert("interviews", row, organisation_id=self.orgs[row["organisation_uid"]],
                              contact_id=contacts.get(row["contact_uid"]))
            for answer in row["answers"]:
                self._insert("answers", answer, interview_id=iv, indexed=1)
            for held in row["held"]:
                self._insert("held", held, interview_id=iv)
            self.interviews_touched.add(iv)
        interviews = self._uids("interviews")
        for row in (r for r in found.interview_updates if r["uid"] in interviews):
            columns = [c for c in self._columns("interviews") if c not in (
                "id", "uid", "organisation_id", "contact_id", "template_version")]
            self.conn.execute(f"UPDATE interviews SET {', '.join(f'{c} = ?' for c in columns)} WHERE uid = ?",
                              [*(row[c] for c in columns), row["uid"]])
        for answer in (a for a in found.answers if a["interview_uid"] in interviews):
            iv = interviews[answer["interview_uid"]]
            self.conn.execute("DELETE FROM answers WHERE interview_id = ? AND question_id = ?",
                              (iv, answer["question_id"]))
            self._insert("answers", answer, interview_id=iv, indexed=1)
            self.interviews_touched.add(iv)
        for row in found.changes:
            if row["organisation_uid"] not in self.orgs:
                continue
            org_id = self.orgs[row["organisation_uid"]]
            contact_id = contacts.get(row["contact_uid"])
            if contact_id is None and row["contact_id"] is not None and self.study.scalar(
                    "SELECT 1 FROM contacts WHERE id = ? AND organisation_id = ?", (row["contact_id"], org_id)):
                contact_id = row["contact_id"]  # a contact both copies had, gone in the other
            self._insert("changes", row, organisation_id=org_id, contact_id=contact_id)

    # --- the pool ------------------------------------------------------------------------

    def _pool(self) -> None:
        found, conn = self.plan, self.conn
        for c in found.comments:
            if conn.execute("SELECT 1 FROM pool WHERE id = ?", (c["id"],)).fetchone():
                continue
            conn.execute("INSERT INTO pool(id, question_id, value, text) VALUES (?, ?, ?, ?)",
                         (c["id"], c["question_id"], c["value"], c["text"]))
            conn.executemany("INSERT INTO pool_themes(comment_id, theme) VALUES (?, ?)",
                             [(c["id"], t) for t in c["themes"]])
            conn.executemany("INSERT INTO pool_names(comment_id, name) VALUES (?, ?)",
                             [(c["id"], n) for n in c["names"]])
            self.study.search.index_comment(c["id"], c["text"])
            self.comments += 1
        conn.executemany("INSERT OR IGNORE INTO pool_themes(comment_id, theme) VALUES (?, ?)", found.pool_themes)
        conn.executemany("INSERT OR IGNORE INTO pool_names(comment_id, name) VALUES (?, ?)", found.pool_names)
        for theme, _position, comment_id in found.pool_quotes:  # after this copy's own, in the other's order
            conn.execute("INSERT OR IGNORE INTO pool_quotes(theme, comment_id, position) SELECT ?, ?, "
                         "coalesce(max(position), -1) + 1 FROM pool_quotes WHERE theme = ?", (theme, comment_id, theme))
        conn.executemany("INSERT OR IGNORE INTO pool_duplicates(comment_id, duplicate_of) VALUES (?, ?)",
                         found.pool_duplicates)
        conn.executemany("INSERT INTO pool_counts(question_id, category, choice, n) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT(question_id, category, choice) DO UPDATE SET n = max(n, excluded.n)",
                         found.pool_counts)
        if found.small_groups:
            from fieldkit.held import SMALL_GROUPS_KEY

            known = json.loads(self.study.meta(SMALL_GROUPS_KEY) or "{}")
            for qid, n in found.small_groups.items():
                known[qid] = min(known.get(qid, n), n)
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                         (SMALL_GROUPS_KEY, json.dumps(known, sort_keys=True)))
        conn.executemany("DELETE FROM held WHERE uid = ?", [(uid,) for uid in found.held_dropped])
        if found.moved_held:  # what either copy moved into the pool, remembered for the next merge
            from fieldkit.held import MOVED_KEY, moved

            known = {**found.moved_held, **moved(self.study.meta(MOVED_KEY))}
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                         (MOVED_KEY, json.dumps(known, sort_keys=True)))
        interviews = self._uids("interviews")
        for held in (h for h in found.held if h["interview_uid"] in interviews):
            self._insert("held", held, interview_id=interviews[held["interview_uid"]])
        self.pool_changed = bool(found.comments or found.pool_themes or found.pool_names or found.pool_quotes
                                 or found.pool_duplicates or found.pool_counts or found.held_dropped)
