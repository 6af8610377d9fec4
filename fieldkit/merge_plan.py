"""What merging another copy of a study would do, worked out without writing (fieldkit.merge).

Two researchers who split a calling list each take a copy of the study file. Every record
has a uid (schema migration 10) that a copy keeps, so the copies' rows are matched by uid:
a row whose uid only the other copy has was made there after the copies parted, and comes
across. Whether a field of an organisation (or contact) both copies have was edited since is
judged from each copy's change log: an entry whose uid only one copy holds was made there
after parting. A field edited in the other copy alone is taken; one edited in both to
different values is a conflict, listed field by field for the researcher to settle.

The pool is united by comment id, an answer pooled in both copies once (fieldkit.merge_pool).
Nothing here looks at which interview wrote which comment: nothing can.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fieldkit import deletions
from fieldkit.contact_details import DEFAULT_COUNTRY, display_phone
from fieldkit.errors import FieldkitError
from fieldkit.held import MOVED_KEY, moved
from fieldkit.merge_pool import plan_pool
from fieldkit.organisations import CONTACT_FIELDS, TEXT_FIELDS, VOCABULARY_FIELDS

if TYPE_CHECKING:
    from fieldkit.matching import Matcher
    from fieldkit.storage import sqlite

#: An organisation's own fields that merging compares (flags come as "flag <id>").
ORGANISATION_FIELDS = (*TEXT_FIELDS, *VOCABULARY_FIELDS, "status", "exclusion_reason", "referred_by")
#: Where each vocabulary's values are used (as fieldkit.study renames them): kind -> (table, column).
VOCABULARY_USES = {"categories": ("organisations", "category"), "areas": ("organisations", "area"),
                   "exclusion_reasons": ("organisations", "exclusion_reason"), "outcomes": ("attempts", "outcome")}
#: meta: organisations of the other copy matched to one of this copy's, {their uid: this uid}.
ALIASES_KEY = "merge_aliases"
STUDY_UID_KEY = "study_uid"
TICKED, NOT_TICKED = "ticked", "not ticked"  # a flag's values, as the change log writes them


class MergeError(FieldkitError):
    """Another copy cannot be merged into this study (a different study, itself, a bad choice)."""


@dataclass(frozen=True)
class FieldEdit:
    """A field of an organisation (or of one of its contacts) that differs between the copies."""

    record: str               # "organisation" or "contact"
    uid: str                  # the organisation's or contact's uid
    organisation_uid: str
    organisation: str         # the organisation's name, to show
    field: str                # "phone", "flag invite", "status", ...
    mine: str | None
    theirs: str | None
    mine_shown: str = ""
    theirs_shown: str = ""

    @property
    def key(self) -> str:
        """How a choice names it: ``UID:FIELD``."""
        return f"{self.uid}:{self.field}"

    def describe(self, *, key: bool = True) -> str:
        who = self.organisation if self.record == "organisation" else f"{self.organisation}, a contact"
        where = f" [{self.key}]" if key else ""
        return (f"{who}{where}: {self.field}: this copy {_shown(self.mine_shown or self.mine)}, "
                f"the other {_shown(self.theirs_shown or self.theirs)}")


@dataclass(frozen=True)
class MatchOffer:
    """An organisation added in both copies that looks like the same one."""

    mine_uid: str
    theirs_uid: str
    mine_name: str
    theirs_name: str
    reasons: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.mine_uid}={self.theirs_uid}"

    def describe(self, *, key: bool = True) -> str:
        return (f"“{self.theirs_name}” may be “{self.mine_name}” ({', '.join(self.reasons)})"
                + (f" [{self.key}]" if key else ""))


@dataclass
class MergePlan:
    """Everything merging ``other_path`` into the study would add or change. Rows are as the
    other copy holds them, their links given as uids (resolved to this copy's ids on apply)."""

    study_uid: str
    other_path: str
    other_title: str
    organisations: list[dict[str, Any]] = field(default_factory=list)   # rows, with "flags"
    contacts: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    interviews: list[dict[str, Any]] = field(default_factory=list)      # rows, with "answers"
    interview_updates: list[dict[str, Any]] = field(default_factory=list)  # finished in the other only
    answers: list[dict[str, Any]] = field(default_factory=list)         # for interviews both have
    changes: list[dict[str, Any]] = field(default_factory=list)
    templates: list[tuple[int, str, str]] = field(default_factory=list)
    #: values the other copy renamed in a vocabulary since parting: kind -> {old: new}, renamed here too
    renames: dict[str, dict[str, str]] = field(default_factory=dict)
    edits: list[FieldEdit] = field(default_factory=list)
    conflicts: list[FieldEdit] = field(default_factory=list)
    matches: list[MatchOffer] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)       # pool rows, with themes, names
    pool_themes: list[tuple[int, str]] = field(default_factory=list)   # for comments both have
    pool_names: list[tuple[int, str]] = field(default_factory=list)
    pool_quotes: list[tuple[str, int, int]] = field(default_factory=list)  # theme, position, comment
    pool_duplicates: list[tuple[int, int]] = field(default_factory=list)
    pool_counts: list[tuple[str, str, str, int]] = field(default_factory=list)  # cells, set to n
    small_groups: dict[str, int] = field(default_factory=dict)
    held: list[dict[str, Any]] = field(default_factory=list)           # of interviews both have
    held_dropped: list[str] = field(default_factory=list)              # held uids pooled in the other
    #: held answers the other copy moved into the pool and this one did not ("QUESTION UID": mark)
    moved_held: dict[str, str] = field(default_factory=dict)
    #: how many of the other copy's comments are left out, answers this copy pooled too
    absorbed: int = 0
    #: directory listings and origins (fieldkit.directory) of organisations both copies have,
    #: which only the other copy holds: rows, with "organisation_uid"
    listings: list[dict[str, Any]] = field(default_factory=list)
    origins: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to add or change: the other copy holds nothing this one lacks."""
        return not any((self.organisations, self.contacts, self.numbers, self.attempts, self.interviews,
                        self.interview_updates, self.answers, self.changes, self.templates, self.renames, self.edits,
                        self.conflicts, self.comments, self.pool_themes, self.pool_names, self.pool_quotes,
                        self.pool_duplicates, self.pool_counts, self.small_groups, self.held,
                        self.held_dropped, self.moved_held, self.listings, self.origins))

    def lines(self, *, keys: bool = True) -> list[str]:
        """What the merge would do, a line each (the dry run's report); ``keys``: with the uids
        that choices and matches name."""
        out = []
        counts = [("organisation", "organisations", len(self.organisations)),
                  ("contact", "contacts", len(self.contacts)),
                  ("further number or address", "further numbers or addresses", len(self.numbers)),
                  ("attempt", "attempts", len(self.attempts)), ("interview", "interviews", len(self.interviews)),
                  ("change log entry", "change log entries", len(self.changes)),
                  ("pooled comment", "pooled comments", len(self.comments)),
                  ("directory listing", "directory listings",
                   len(self.listings) + sum(o.get("listing") is not None for o in self.organisations)),
                  ("directory origin", "directory origins",
                   len(self.origins) + sum(o.get("origin") is not None for o in self.organisations)),
                  ("held anonymous answer", "held anonymous answers",
                   len(self.held) + sum(len(iv["held"]) for iv in self.interviews))]
        added = [f"{n} {one if n == 1 else many}" for one, many, n in counts if n]
        for org in self.organisations:
            out.append(f"add organisation “{org['name']}”" + (f" [{org['uid']}]" if keys else ""))
        if added:
            out.insert(0, "add: " + ", ".join(added))
        if self.interview_updates:
            out.append(f"take {len(self.interview_updates)} interview(s) finished in the other copy")
        if self.answers:
            out.append(f"add {len(self.answers)} named answer(s) to interviews both copies have")
        if self.templates:
            out.append(f"take the other copy's schedule changes (template version "
                       f"{', '.join(str(v) for v, _, _ in self.templates)})")
        for kind, renamed in sorted(self.renames.items()):
            what = {"categories": "category", "areas": "area", "exclusion_reasons": "exclusion reason",
                    "outcomes": "outcome"}[kind]
            out += [f"rename the {what} “{a}” to “{b}”, as the other copy did"
                    for a, b in sorted(renamed.items())]
        out += [f"take: {e.describe(key=keys)}" for e in self.edits]
        out += [f"conflict: {c.describe(key=keys)}" for c in self.conflicts]
        out += [f"offered match: {m.describe(key=keys)}" for m in self.matches]
        pool_bits = [(len(self.pool_themes), "theme tag"), (len(self.pool_quotes), "quotation choice"),
                     (len(self.pool_duplicates), "duplicate mark"), (len(self.pool_counts), "count by category")]
        for n, what in pool_bits:
            if n:
                out.append(f"pool: {n} {what}{'s' if n != 1 else ''} from the other copy")
        if self.held_dropped:
            out.append(f"pool: {len(self.held_dropped)} held answer(s) already pooled in the other copy")
        if self.absorbed:
            out.append(f"pool: {self.absorbed} comment(s) of the other copy left out: answers held when the copies "
                       "parted, pooled in both")
        out += [f"note: {n}" for n in self.notes]
        return out or ["nothing to merge: the other copy holds nothing this study lacks"]


def _shown(value: str | None) -> str:
    return f"“{value}”" if value else "(blank)"


class Snapshot:
    """One copy's records keyed by uid, read in one go (the study's connection, or the other
    copy's read-only one)."""

    def __init__(self, conn: sqlite.Connection):
        self.conn = conn
        self.meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        self.orgs = {r["uid"]: {**r, "flags": set()} for r in self._rows("SELECT * FROM organisations")}
        self.org_uid = {r["id"]: uid for uid, r in self.orgs.items()}
        for org_id, flag in conn.execute("SELECT organisation_id, flag FROM flags"):
            self.orgs[self.org_uid[org_id]]["flags"].add(flag)
        self.contacts = {r["uid"]: r for r in self._rows("SELECT * FROM contacts")}
        self.contact_uid = {r["id"]: uid for uid, r in self.contacts.items()}
        self.attempts = {r["uid"]: r for r in self._rows("SELECT * FROM attempts")}
        self.interviews = {r["uid"]: r for r in self._rows("SELECT * FROM interviews")}
        self.interview_uid = {r["id"]: uid for uid, r in self.interviews.items()}
        self.answers: dict[str, dict[str, dict[str, Any]]] = {}
        for r in self._rows("SELECT * FROM answers"):
            self.answers.setdefault(self.interview_uid[r["interview_id"]], {})[r["question_id"]] = r
        self.held = {r["uid"]: r for r in self._rows("SELECT * FROM held")}
        self.changes = {r["uid"]: r for r in self._rows("SELECT * FROM changes")}
        self.numbers = self._rows("SELECT * FROM numbers")
        self.templates = {v: (d, c) for v, d, c in conn.execute(
            "SELECT version, definition, created FROM template_versions")}
        self.pool = {r["id"]: r for r in self._rows("SELECT id, question_id, value, text FROM pool")}
        self.themes = set(conn.execute("SELECT comment_id, theme FROM pool_themes").fetchall())
        self.names = set(conn.execute("SELECT comment_id, name FROM pool_names").fetchall())
        self.quotes = {(t, c): p for t, c, p in conn.execute("SELECT theme, comment_id, position FROM pool_quotes")}
        self.duplicates = dict(conn.execute("SELECT comment_id, duplicate_of FROM pool_duplicates").fetchall())
        self.counts = {(q, c, ch): n for q, c, ch, n in conn.execute(
            "SELECT question_id, category, choice, n FROM pool_counts")}
        self.aliases: dict[str, str] = json.loads(self.meta.get(ALIASES_KEY) or "{}")
        self.moved = moved(self.meta.get(MOVED_KEY))
        self.listings = {self.org_uid[r["organisation_id"]]: r for r in self._rows("SELECT * FROM listing")}
        self.origins = {self.org_uid[r["organisation_id"]]: r for r in self._rows("SELECT * FROM listing_origin")}

    def rename(self, renames: dict[str, dict[str, str]]) -> None:
        """Read vocabulary values as renamed by the other copy (``MergePlan.renames``)."""
        rows = {"organisations": list(self.orgs.values()), "attempts": list(self.attempts.values())}
        for kind, renamed in renames.items():
            table, column = VOCABULARY_USES[kind]
            for row in rows[table]:
                row[column] = renamed.get(row[column], row[column])

    def forget_organisations(self, uids: set[str]) -> list[str]:
        """Leave out organisations (deleted in the copy merged into) with everything of theirs;
        returns the names of those this copy had."""
        gone = {self.orgs[u]["id"]: self.orgs[u]["name"] for u in uids if u in self.orgs}
        if not gone:
            return []
        self.orgs = {u: r for u, r in self.orgs.items() if r["id"] not in gone}
        self.contacts = {u: r for u, r in self.contacts.items() if r["organisation_id"] not in gone}
        self.attempts = {u: r for u, r in self.attempts.items() if r["organisation_id"] not in gone}
        interviews = {r["id"] for r in self.interviews.values() if r["organisation_id"] in gone}
        self.interviews = {u: r for u, r in self.interviews.items() if r["id"] not in interviews}
        self.answers = {u: a for u, a in self.answers.items() if u in self.interviews}
        self.held = {u: h for u, h in self.held.items() if h["interview_id"] not in interviews}
        self.changes = {u: r for u, r in self.changes.items() if r["organisation_id"] not in gone}
        self.numbers = [r for r in self.numbers if r["organisation_id"] not in gone]
        return sorted(gone.values())

    def forget(self, *, contacts: set[str], attempts: set[str], interviews: set[str]) -> int:
        """Leave out contacts, attempts and interviews (deleted in the copy merged into);
        returns how many this copy had."""
        gone = (len(set(self.contacts) & contacts) + len(set(self.attempts) & attempts)
                + len(set(self.interviews) & interviews))
        self.contacts = {u: r for u, r in self.contacts.items() if u not in contacts}
        self.attempts = {u: r for u, r in self.attempts.items() if u not in attempts}
        ids = {r["id"] for u, r in self.interviews.items() if u in interviews}
        self.interviews = {u: r for u, r in self.interviews.items() if u not in interviews}
        self.answers = {u: a for u, a in self.answers.items() if u in self.interviews}
        self.held = {u: h for u, h in self.held.items() if h["interview_id"] not in ids}
        return gone

    def deleted(self, key: str) -> set[Any]:
        """The uids (or comment ids) this copy deleted (fieldkit.deletions)."""
        return deletions.deleted(self.meta, key)

    def _rows(self, sql: str) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def edited_since(self, other: Snapshot) -> set[tuple[str, str]]:
        """(organisation or contact uid, field) of every change logged here that ``other`` does
        not hold: the edits made in this copy since the two parted."""
        out = set()
        for uid, r in self.changes.items():
            if uid in other.changes:
                continue
            if r["record"] == "organisation":
                out.add((self.org_uid[r["organisation_id"]], r["field"]))
            elif r["contact_id"] in self.contact_uid:
                out.add((self.contact_uid[r["contact_id"]], r["field"]))
        return out

    def org_value(self, uid: str, name: str) -> str | None:
        """An organisation's field as merging compares it: a flag as the change log words it,
        the organisation referred by as its uid."""
        row = self.orgs[uid]
        if name.startswith("flag "):
            return TICKED if name[5:] in row["flags"] else NOT_TICKED
        if name == "referred_by":
            return self.org_uid.get(row["referred_by"]) if row["referred_by"] is not None else None
        value = row[name]
        return None if value is None else str(value)


def make_plan(mine: Snapshot, theirs: Snapshot, *, other_path: str, matcher: Matcher,
              country: str = DEFAULT_COUNTRY) -> MergePlan:
    """Compare the two copies (``mine`` is the study merged into) and say what merging does."""
    plan = MergePlan(study_uid=mine.meta.get(STUDY_UID_KEY, ""), other_path=other_path,
                     other_title=theirs.meta.get("title", ""))
    aliases = mine.aliases
    _templates(plan, mine, theirs)
    kept_away = theirs.forget_organisations(mine.deleted(deletions.ORGANISATIONS))
    if kept_away:
        plan.notes.append(f"{len(kept_away)} organisation(s) deleted in this study are not brought back, with "
                          f"everything of theirs in the other copy: {', '.join(kept_away[:5])}")
    left_out = theirs.forget(contacts=mine.deleted(deletions.CONTACTS), attempts=mine.deleted(deletions.ATTEMPTS),
                             interviews=mine.deleted(deletions.INTERVIEWS))
    if left_out:
        plan.notes.append(f"{left_out} contact(s), attempt(s) or interview(s) deleted in this study are not brought "
                          "back")
    gone_there = (len(theirs.deleted(deletions.CONTACTS) & set(mine.contacts))
                  + len(theirs.deleted(deletions.ATTEMPTS) & set(mine.attempts))
                  + len(theirs.deleted(deletions.INTERVIEWS) & set(mine.interviews)))
    if gone_there:
        plan.notes.append(f"the other copy deleted {gone_there} contact(s), attempt(s) or interview(s) this study "
                          "still has")
    still_here = sorted(mine.orgs[u]["name"] for u in theirs.deleted(deletions.ORGANISATIONS) if u in mine.orgs)
    if still_here:
        plan.notes.append(f"the other copy deleted {len(still_here)} organisation(s) this study still has (erase "
                          f"them here too if that was an erasure): {', '.join(still_here[:5])}")
    known_orgs = set(mine.orgs) | set(aliases)
    new_orgs = [uid for uid in theirs.orgs if uid not in known_orgs]
    for uid in new_orgs:
        plan.organisations.append(_with_uids(theirs, theirs.orgs[uid]))
    _match_offers(plan, mine, theirs, new_orgs, matcher)
    _field_edits(plan, mine, theirs, country)
    plan.contacts = [_with_uids(theirs, r) for uid, r in theirs.contacts.items() if uid not in mine.contacts]
    wanted_contacts = set(mine.contacts) | {c["uid"] for c in plan.contacts}
    _numbers(plan, mine, theirs, wanted_contacts)
    plan.attempts = [_with_uids(theirs, r) for uid, r in theirs.attempts.items() if uid not in mine.attempts]
    _interviews(plan, mine, theirs)
    plan.changes = [_with_uids(theirs, r) for uid, r in theirs.changes.items() if uid not in mine.changes]
    _listings(plan, mine, theirs)
    plan_pool(plan, mine, theirs)
    return plan


def _with_uids(snap: Snapshot, row: dict[str, Any]) -> dict[str, Any]:
    """A row with its links to organisations, contacts and interviews as uids beside the ids."""
    out = dict(row)
    if "organisation_id" in row:
        out["organisation_uid"] = snap.org_uid.get(row["organisation_id"])
    if "contact_id" in row:
        out["contact_uid"] = snap.contact_uid.get(row["contact_id"])
    if "interview_id" in row:
        out["interview_uid"] = snap.interview_uid.get(row["interview_id"])
    if "referred_by" in row:
        out["referred_by_uid"] = snap.org_uid.get(row["referred_by"])
    if "flags" in row:
        out["flags"] = sorted(row["flags"])
    return out


def _templates(plan: MergePlan, mine: Snapshot, theirs: Snapshot) -> None:
    """The other copy's schedule changes come across when this copy made none of its own."""
    shared = set(mine.templates) & set(theirs.templates)
    differing = sorted(v for v in shared if json.loads(mine.templates[v][0]) != json.loads(theirs.templates[v][0]))
    extra = sorted(set(theirs.templates) - set(mine.templates))
    if differing or (extra and max(mine.templates) > max(shared)):
        raise MergeError(
            f"{plan.other_path}: both copies changed the study's template (its questions or "
            f"vocabularies) since they parted, differently; merge those changes by hand in one copy "
            "first (Study settings), then merge; nothing was merged")
    plan.templates = [(v, *theirs.templates[v]) for v in extra]
    base = max(shared)
    if extra:  # this copy then changed none: the other's renames are made here too
        plan.renames = _renames(theirs.templates[base][0], theirs.templates[max(extra)][0])
        mine.rename(plan.renames)
    elif max(mine.templates) > base:  # and what this copy renamed, the other's rows come renamed
        theirs.rename(_renames(mine.templates[base][0], mine.templates[max(mine.templates)][0]))


def _renames(before: str, after: str) -> dict[str, dict[str, str]]:
    """The vocabulary values renamed between two template versions (JSON): a rename keeps a
    value's place (fieldkit.templates, with_renamed_value), so a value gone whose place holds
    one new is taken as renamed to it."""
    from fieldkit.template_toml import template_from_dict

    old, new = (template_from_dict(json.loads(d), source="a merged copy's template") for d in (before, after))
    out: dict[str, dict[str, str]] = {}
    for kind in VOCABULARY_USES:
        a, b = list(old.vocabulary(kind)), list(new.vocabulary(kind))
        renamed = {x: b[i] for i, x in enumerate(a) if x not in b and i < len(b) and b[i] not in a}
        if renamed:
            out[kind] = renamed
    return out


def _match_offers(plan: MergePlan, mine: Snapshot, theirs: Snapshot, new_orgs: list[str], matcher: Matcher) -> None:
    """Organisations new in the other copy that look like one only this copy has (fieldkit.matching
    compares them as an import does)."""
    only_mine = {r["id"]: uid for uid, r in mine.orgs.items()
                 if uid not in theirs.orgs and uid not in set(mine.aliases.values())}
    if not only_mine or not new_orgs:
        return
    for uid in new_orgs:
        r = theirs.orgs[uid]
        for m in matcher.matches(r["name"], phone=r["phone"] or "", email=r["email"] or "",
                                 address=r["address"] or ""):
            if m.organisation_id in only_mine:
                plan.matches.append(MatchOffer(only_mine[m.organisation_id], uid, m.name, r["name"], m.reasons))


def _field_edits(plan: MergePlan, mine: Snapshot, theirs: Snapshot, country: str) -> None:
    """Fields of organisations and contacts both copies have that differ: taken when edited
    in the other copy alone, a conflict when edited in both."""
    edited_here, edited_there = mine.edited_since(theirs), theirs.edited_since(mine)
    for uid in sorted(set(mine.orgs) & set(theirs.orgs), key=lambda u: mine.orgs[u]["id"]):
        name = mine.orgs[uid]["name"]
        flags = sorted({f"flag {f}" for f in mine.orgs[uid]["flags"] | theirs.orgs[uid]["flags"]})
        for f in (*ORGANISATION_FIELDS, *flags):
            a, b = mine.org_value(uid, f), theirs.org_value(uid, f)
            shown = {}
            if f == "referred_by":
                shown = {"mine_shown": _org_name(mine, a), "theirs_shown": _org_name(theirs, b)}
            elif f == "phone":  # as the case form shows it, not as stored (E.164)
                shown = {"mine_shown": display_phone(a, country), "theirs_shown": display_phone(b, country)}
            _judge(plan, FieldEdit("organisation", uid, uid, name, f, a, b, **shown),
                   (uid, f) in edited_here, (uid, f) in edited_there)
    for uid in sorted(set(mine.contacts) & set(theirs.contacts), key=lambda u: mine.contacts[u]["id"]):
        org_uid = mine.org_uid[mine.contacts[uid]["organisation_id"]]
        for f in CONTACT_FIELDS:
            a, b = mine.contacts[uid][f], theirs.contacts[uid][f]
            phones = ({"mine_shown": display_phone(a, country), "theirs_shown": display_phone(b, country)}
                      if f == "phone" else {})
            _judge(plan, FieldEdit("contact", uid, org_uid, mine.orgs[org_uid]["name"], f, a, b, **phones),
                   (uid, f) in edited_here, (uid, f) in edited_there)


def _org_name(snap: Snapshot, uid: str | None) -> str:
    return "" if uid is None else (snap.orgs[uid]["name"] if uid in snap.orgs else uid)


def _judge(plan: MergePlan, edit: FieldEdit, here: bool, there: bool) -> None:
    if (edit.mine or None) == (edit.theirs or None):
        return
    if there and not here:
        plan.edits.append(edit)
    elif there and here:
        plan.conflicts.append(edit)
    # edited here alone, or in neither copy's log: this copy's value stands


LISTING_COLUMNS = {"listing": ("record_id", "fields", "charity_number", "company_number", "postcode", "published",
                               "published_to"),
                   "listing_origin": ("directory", "owner", "record_id", "changed", "withdrawn")}


def _listings(plan: MergePlan, mine: Snapshot, theirs: Snapshot) -> None:
    """What organisations agreed to have listed in a consortium's directory, and where those
    brought in from one came from (fieldkit.directory), by organisation uid: a row only the
    other copy has comes across, with its record id (a new organisation brings its own); one
    both have that differs keeps this study's, and the plan says so."""
    taken = {"listing": {r["record_id"] for r in mine.listings.values()},
             "listing_origin": {(r["directory"], r["record_id"]) for r in mine.origins.values()}}
    new = {o["uid"]: o for o in plan.organisations}
    for table, here, there, out, key in (("listing", mine.listings, theirs.listings, plan.listings, "listing"),
                                         ("listing_origin", mine.origins, theirs.origins, plan.origins, "origin")):
        what = "directory listing" if table == "listing" else "directory origin"
        for uid, row in sorted(there.items(), key=lambda item: theirs.orgs[item[0]]["id"] if item[0] in theirs.orgs
                               else 0):
            if uid not in theirs.orgs or (uid not in mine.orgs and uid not in new):
                continue  # left out (deleted here), or already matched to one of this study's
            name = theirs.orgs[uid]["name"]
            unique = row["record_id"] if table == "listing" else (row["directory"], row["record_id"])
            if uid in mine.orgs and uid in here:
                differing = [c for c in LISTING_COLUMNS[table] if here[uid][c] != row[c]]
                if differing:
                    words = ", ".join("listed details" if c == "fields" else c.replace("_", " ") for c in differing)
                    plan.notes.append(f"the {what} of “{name}” differs in the other copy ({words}); this copy's "
                                      "is kept")
                continue
            if unique in taken[table]:
                plan.notes.append(f"the {what} of “{name}” in the other copy is another organisation's here (the same "
                                  "directory record); it is not copied")
                continue
            taken[table].add(unique)
            if uid in new:
                new[uid][key] = dict(row)
            else:
                out.append({**row, "organisation_uid": uid})


def _numbers(plan: MergePlan, mine: Snapshot, theirs: Snapshot, contacts: set[str]) -> None:
    """Further numbers and addresses (no uid of their own): by organisation, contact, kind, value."""
    def key(snap: Snapshot, r: dict[str, Any]) -> tuple[Any, ...]:
        return (snap.org_uid[r["organisation_id"]], snap.contact_uid.get(r["contact_id"]), r["kind"], r["value"])

    have = {key(mine, r) for r in mine.numbers}
    for r in theirs.numbers:
        k = key(theirs, r)
        if k not in have and (k[1] is None or k[1] in contacts):
            have.add(k)
            plan.numbers.append(_with_uids(theirs, r))


def _interviews(plan: MergePlan, mine: Snapshot, theirs: Snapshot) -> None:
    differing = 0
    for uid, r in theirs.interviews.items():
        answers = theirs.answers.get(uid, {})
        if uid not in mine.interviews:
            row = _with_uids(theirs, r)
            row["answers"] = [dict(a) for a in answers.values()]
            row["held"] = [dict(h) for h in theirs.held.values() if h["interview_id"] == r["id"]]
            plan.interviews.append(row)
            continue
        here = mine.interviews[uid]
        finished_there = r["completed"] is not None and here["completed"] is None
        if finished_there:
            plan.interview_updates.append(_with_uids(theirs, r))
        for qid, a in answers.items():
            b = mine.answers.get(uid, {}).get(qid)
            if b is None or (finished_there and b["value"] != a["value"]):
                plan.answers.append({**a, "interview_uid": uid})
            elif b["value"] != a["value"]:
                differing += 1
    if differing:
        plan.notes.append(f"{differing} named answer(s) of interviews both copies have differ; this copy's are kept")
