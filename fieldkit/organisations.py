"""Organisations and their contacts: the named records of a study.

Values that come from a vocabulary (category, area, exclusion reason) are checked against
the study's template; a blank category or area is allowed and stored as NULL. A phone number
that reads as valid for the study's country is stored in E.164, any other exactly as given
(fieldkit.contact_details), whether typed, imported or restored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from fieldkit import deletions
from fieldkit.contact_details import stored_phone
from fieldkit.errors import InvalidValueError, NotFoundError

if TYPE_CHECKING:
    from fieldkit.study import Study

STATUSES = ("identified", "contacting", "interviewed", "unreachable", "declined", "excluded")
STATUS_LABELS = {
    "identified": "Identified",
    "contacting": "Contacting",
    "interviewed": "Interviewed",
    "unreachable": "Unreachable",
    "declined": "Declined",
    "excluded": "Excluded",
}
#: Free-text fields of an organisation.
TEXT_FIELDS = ("name", "coverage", "address", "phone", "email", "website", "notes", "opening_hours")
VOCABULARY_FIELDS = {"category": "categories", "area": "areas"}
CONTACT_FIELDS = ("name", "role", "phone", "email", "notes")
#: Orders the organisation list can be sorted by: the terms of each (then the id).
SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    # The Unicode Collation Algorithm's order (fieldkit.collation): Łódź with L, Ökumene with O.
    # The name breaks ties as the index (name_key, name) holds them, so the list is read from
    # that index alone, short searches on the name's words included.
    "name": ("o.name_key", "o.name"),
    "category": ("o.category COLLATE NOCASE",),
    "area": ("o.area COLLATE NOCASE",),
    # The order work moves through, not the alphabet.
    "status": ("CASE o.status " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STATUSES)) + " END",),
    "updated": ("o.updated",),
    "created": ("o.id",),
}


@dataclass(frozen=True)
class Contact:
    id: int
    organisation_id: int
    name: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None
    notes: str | None = None
    #: The contact's stable identifier, the same in every copy of the study (fieldkit.merge).
    uid: str | None = None


@dataclass(frozen=True)
class Change:
    """One changed field of a named record: which record, what, from, to, when."""

    record: str
    contact_id: int | None
    field: str
    old: str | None
    new: str | None
    at: str


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str
    category: str | None
    area: str | None
    coverage: str | None
    status: str
    exclusion_reason: str | None
    address: str | None
    phone: str | None
    email: str | None
    website: str | None
    referred_by: int | None
    notes: str | None
    created: str
    updated: str
    #: When it can be called, as written ("Mon–Fri 9–5"); None: any time.
    opening_hours: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class OrganisationQuery:
    """Which organisations a list holds, and in what order: the Organisations screen's filters,
    search box and sort, and what the command line and the core ask for.

    ``category`` or ``area`` of "" selects organisations with none recorded; ``flags`` must all
    be ticked and ``without_flags`` all unticked; ``disposition`` keeps those with that AAPOR
    disposition code (worked out by fieldkit.dispositions; the columns do not hold it);
    ``within`` keeps only those ids.
    """

    category: str | None = None
    area: str | None = None
    status: str | None = None
    flags: tuple[str, ...] = ()
    without_flags: tuple[str, ...] = ()
    search: str | None = None
    order_by: str = "name"
    descending: bool = False
    disposition: str | None = None
    within: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        # Lists are welcome (the screen builds them); kept as tuples so a query can be compared.
        object.__setattr__(self, "flags", tuple(self.flags))
        object.__setattr__(self, "without_flags", tuple(self.without_flags))
        if self.within is not None:
            object.__setattr__(self, "within", tuple(int(i) for i in self.within))

    @property
    def filtered(self) -> bool:
        """True when the query leaves any organisation out (what the list's "of N" needs)."""
        return any(v is not None for v in (self.category, self.area, self.status, self.disposition,
                                           self.within)) or bool(
            self.flags or self.without_flags or (self.search or "").strip())


def _query(query: OrganisationQuery | None, filters: dict[str, Any]) -> OrganisationQuery:
    """``query`` with keyword ``filters`` on top (an OrganisationQuery's fields)."""
    query = query or OrganisationQuery()
    return replace(query, **filters) if filters else query


@dataclass(frozen=True)
class StatusCounts:
    """How many organisations of a list are in each status (every status, zeros included)."""

    by_status: dict[str, int]
    #: Of those contacting, how many have an interview under way ("in interview").
    in_interview: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def on_database(self) -> int:
        """Every organisation but the excluded: what a study's method section calls "on database"."""
        return self.total - self.by_status["excluded"]

    @property
    def interviewed(self) -> int:
        return self.by_status["interviewed"]

    @property
    def excluded(self) -> int:
        return self.by_status["excluded"]


def _no_counts() -> StatusCounts:
    return StatusCounts(dict.fromkeys(STATUSES, 0))


_ORG_FIELDS = tuple(f.name for f in fields(Organisation) if f.name != "flags")
_ORG_COLUMNS = ", ".join(_ORG_FIELDS)


def _organisation(row: tuple[Any, ...], flags: frozenset[str]) -> Organisation:
    """An Organisation from a row of ``_ORG_COLUMNS``, made the quick way: a page of the list
    is hundreds of them, and a frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``. The object is new, so filling its ``__dict__`` freezes nothing."""
    org = object.__new__(Organisation)
    values = org.__dict__
    values.update(zip(_ORG_FIELDS, row, strict=True))
    values["flags"] = flags
    return org


def _check_hours(text: str) -> str:
    """Opening hours as written, once they can be read (fieldkit.opening_hours)."""
    from fieldkit.opening_hours import parse_hours

    parse_hours(text)
    return text.strip()


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class Organisations:
    """Add, change, find and remove organisations and their contacts."""

    def __init__(self, study: Study):
        self.study = study

    # --- checks ------------------------------------------------------------------------

    def _check_vocab(self, column: str, value: str | None) -> str | None:
        value = _blank_to_none(value)
        if value is None:
            return None
        kind = VOCABULARY_FIELDS.get(column, "exclusion_reasons")
        allowed = self.study.template.vocabulary(kind)
        if value not in allowed:
            words = kind.replace("_", " ")
            raise InvalidValueError(f"'{value}' is not one of the study's {words}")
        return value

    def _check_flags(self, flags: Iterable[str]) -> set[str]:
        flags = set(flags)
        known = set(self.study.template.flag_ids())
        unknown = sorted(flags - known)
        if unknown:
            raise InvalidValueError(f"unknown flag: {', '.join(unknown)}")
        return flags

    def _check_status(self, status: str, reason: str | None) -> tuple[str, str | None]:
        if status not in STATUSES:
            raise InvalidValueError(f"unknown status '{status}' (expected one of {', '.join(STATUSES)})")
        reason = _blank_to_none(reason)
        if status != "excluded":
            if reason is not None:
                raise InvalidValueError("an exclusion reason is only for excluded organisations")
            return status, None
        return status, self._check_vocab("exclusion_reason", reason)

    def _check_referrer(self, org_id: int | None, referred_by: int | None) -> int | None:
        if referred_by is None:
            return None
        if org_id is not None and referred_by == org_id:
            raise InvalidValueError("an organisation cannot be referred by itself")
        if self.study.scalar("SELECT 1 FROM organisations WHERE id = ?", (referred_by,)) is None:
            raise InvalidValueError(f"no organisation with id {referred_by} to be referred by")
        return referred_by

    # --- organisations -----------------------------------------------------------------

    def add(
        self,
        name: str,
        *,
        category: str | None = None,
        area: str | None = None,
        status: str = "identified",
        exclusion_reason: str | None = None,
        flags: Iterable[str] = (),
        referred_by: int | None = None,
        contacts: Iterable[dict[str, Any]] = (),
        **text: str | None,
    ) -> int:
        """Add an organisation and return its id. ``text`` takes coverage, address, phone, ..."""
        return self.add_many([dict(name=name, category=category, area=area, status=status,
                                   exclusion_reason=exclusion_reason, flags=flags, referred_by=referred_by,
                                   contacts=contacts, **text)])[0]

    def add_many(self, records: Iterable[dict[str, Any]]) -> list[int]:
        """Add organisations, each a dict of ``add``'s arguments, and return their ids in order:
        the same checks as ``add``, written a table at a time (what an import of thousands
        needs). All or nothing."""
        from operator import itemgetter

        from fieldkit.collation import sort_keys
        from fieldkit.study import now

        stamp = now()
        country = self.study.country
        template = self.study.template
        vocab = {c: set(template.vocabulary(kind)) for c, kind in VOCABULARY_FIELDS.items()}
        known_flags = set(template.flag_ids())
        text_fields = frozenset(TEXT_FIELDS)
        rows: list[dict[str, Any]] = []
        flag_sets: list[set[str]] = []
        contact_lists: list[list[dict[str, Any]]] = []
        for record in records:
            record = dict(record)
            name = record.pop("name", None)
            if not isinstance(name, str) or not name.strip():
                raise InvalidValueError("an organisation needs a name")
            flags = set(record.pop("flags", ()) or ())
            contacts = [self._contact_row(c, country) for c in record.pop("contacts", ()) or ()]
            referred_by = record.pop("referred_by", None)
            status, reason = self._check_status(record.pop("status", "identified") or "identified",
                                                record.pop("exclusion_reason", None))
            row: dict[str, Any] = {"name": name.strip(), "name_key": None, "status": status, "exclusion_reason": reason,
                                   "referred_by": self._check_referrer(None, referred_by),
                                   "created": stamp, "updated": stamp}
            for column in VOCABULARY_FIELDS:
                value = _blank_to_none(record.pop(column, None))
                if value is not None and value not in vocab[column]:
                    self._check_vocab(column, value)  # raises, in add's words
                row[column] = value
            if not text_fields.issuperset(record):
                unknown = sorted(set(record) - text_fields)
                raise InvalidValueError(f"unknown organisation field: {', '.join(unknown)}")
            for key in TEXT_FIELDS[1:]:
                value = record.get(key)
                row[key] = None if value is None or (isinstance(value, str) and not value.strip()) else value
            if row["opening_hours"] is not None:
                row["opening_hours"] = _check_hours(row["opening_hours"])
            if row["phone"] is not None:
                row["phone"] = stored_phone(row["phone"], country)
            if flags - known_flags:
                self._check_flags(flags)  # raises
            rows.append(row)
            flag_sets.append(flags)
            contact_lists.append(contacts)
        if not rows:
            return []
        # The names' sort keys (the list's order: fieldkit.collation), made for all the rows at once.
        for row, name_key in zip(rows, sort_keys([row["name"] for row in rows]), strict=True):
            row["name_key"] = name_key
        # A column empty in every row is left out, to be NULL: the driver binds None far more
        # slowly than a value, and a file to import rarely fills every field.
        columns = [c for c in rows[0] if any(row[c] is not None for row in rows)]
        values = itemgetter(*columns)  # (name, name_key, status, created and updated are always there)
        people = [(i, c) for i, contacts in enumerate(contact_lists) for c in contacts]
        contact_columns = ["name", *(k for k in CONTACT_FIELDS[1:] if any(c.get(k) is not None for _, c in people))]
        conn = self.study.conn
        with self.study.transaction():
            first = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM organisations").fetchone()[0] or 0) + 1
            ids = list(range(first, first + len(rows)))
            conn.executemany(
                f"INSERT INTO organisations(id, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})",
                [(org_id, *values(row)) for org_id, row in zip(ids, rows, strict=True)])
            conn.executemany("INSERT INTO flags VALUES (?, ?)",
                             [(org_id, f) for org_id, flags in zip(ids, flag_sets, strict=True) for f in sorted(flags)])
            if people:
                conn.executemany(
                    f"INSERT INTO contacts(organisation_id, {', '.join(contact_columns)}) "
                    f"VALUES (?{', ?' * len(contact_columns)})",
                    [(ids[i], *[c.get(k) for k in contact_columns]) for i, c in people])
            self.study.search.index_new_organisations(ids, rows, contact_lists)
        return ids

    def get(self, org_id: int) -> Organisation:
        rows = self.study.query(f"SELECT {_ORG_COLUMNS} FROM organisations WHERE id = ?", (org_id,))
        if not rows:
            raise NotFoundError(f"no organisation with id {org_id}")
        flags = frozenset(r["flag"] for r in self.study.query(
            "SELECT flag FROM flags WHERE organisation_id = ?", (org_id,)))
        return Organisation(**rows[0], flags=flags)

    def many(self, ids: list[int]) -> list[Organisation]:
        """Organisations for ``ids``, in the order given (what a paged list view asks for)."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        # Plain tuples, and each organisation's flags joined by SQLite in the same statement
        # (identifiers: never the separator): this is what a scrolling list view calls.
        with self.study._mutex:
            rows = {r[0]: r for r in self.study.conn.execute(
                f"SELECT {_ORG_COLUMNS}, (SELECT group_concat(flag, char(31)) FROM flags "
                f"WHERE organisation_id = organisations.id) FROM organisations WHERE id IN ({marks})", ids)}
        none: frozenset[str] = frozenset()
        return [_organisation(r[:-1], frozenset(r[-1].split("\x1f")) if r[-1] else none)
                for r in (rows.get(i) for i in ids) if r is not None]

    def update(self, org_id: int, **changes: Any) -> None:
        """Change fields of an organisation: any text field, category, area, referred_by."""
        from fieldkit.collation import sort_key
        from fieldkit.study import now

        self.get(org_id)
        row: dict[str, Any] = {}
        for key, value in changes.items():
            if key in VOCABULARY_FIELDS:
                row[key] = self._check_vocab(key, value)
            elif key == "referred_by":
                row[key] = self._check_referrer(org_id, value)
            elif key == "name":
                if not isinstance(value, str) or not value.strip():
                    raise InvalidValueError("an organisation needs a name")
                row[key] = value.strip()
            elif key == "opening_hours":
                value = _blank_to_none(value)
                row[key] = None if value is None else _check_hours(value)
            elif key == "phone":
                row[key] = stored_phone(_blank_to_none(value), self.study.country)
            elif key in TEXT_FIELDS:
                row[key] = _blank_to_none(value)
            elif key in ("status", "exclusion_reason"):
                raise InvalidValueError("use set_status to change the status")
            else:
                raise InvalidValueError(f"unknown organisation field: {key}")
        if not row:
            return
        before = self.get(org_id)
        stamp = now()
        logged = list(row.items())
        row["updated"] = stamp
        if "name" in row:  # its place in the list goes with it
            row["name_key"] = sort_key(row["name"])
        with self.study.transaction():
            self.study.db.table("organisations").update(org_id, row)
            for key, value in logged:
                self._log(org_id, "organisation", None, key, getattr(before, key), value, stamp)
            self.study.search.index_organisation(org_id)

    def set_status(self, org_id: int, status: str, exclusion_reason: str | None = None) -> None:
        from fieldkit.study import now

        before = self.get(org_id)
        status, reason = self._check_status(status, exclusion_reason)
        stamp = now()
        with self.study.transaction():
            self.study.db.table("organisations").update(
                org_id, {"status": status, "exclusion_reason": reason, "updated": stamp})
            self._log(org_id, "organisation", None, "status", before.status, status, stamp)
            self._log(org_id, "organisation", None, "exclusion_reason", before.exclusion_reason, reason, stamp)

    def set_flag(self, org_id: int, flag: str, on: bool = True, *, follow_result: bool = True) -> None:
        """Tick or untick one flag (full_interview, follow_up, permission_to_list, ...).

        "Full interview" is the researcher's word on the organisation's latest finished
        interview: ticking it records that interview as complete, unticking it as partial.
        """
        from fieldkit.study import now

        was_on = flag in self.get(org_id).flags
        self._check_flags([flag])
        with self.study.transaction():
            self._log(org_id, "organisation", None, f"flag {flag}", "ticked" if was_on else "not ticked",
                      "ticked" if on else "not ticked", now())
            if on:
                self.study.conn.execute("INSERT OR IGNORE INTO flags VALUES (?, ?)", (org_id, flag))
            else:
                self.study.conn.execute(
                    "DELETE FROM flags WHERE organisation_id = ? AND flag = ?", (org_id, flag))
            self.study.conn.execute("UPDATE organisations SET updated = ? WHERE id = ?", (now(), org_id))
            if flag == "full_interview" and follow_result:
                self.study.conn.execute(
                    "UPDATE interviews SET result = ? WHERE id = (SELECT id FROM interviews WHERE "
                    "organisation_id = ? AND result IN ('complete', 'partial') ORDER BY completed DESC, id DESC "
                    "LIMIT 1)", ("complete" if on else "partial", org_id))

    def delete(self, org_id: int) -> None:
        """Remove an organisation with its contacts, attempts, interviews and named answers."""
        self.get(org_id)
        with self.study.transaction():
            for (iv,) in self.study.conn.execute(
                    "SELECT id FROM interviews WHERE organisation_id = ?", (org_id,)).fetchall():
                self.study.search.unindex_interview(iv)
            self.study.search.unindex_organisation(org_id)
            deletions.remember(self.study, deletions.ORGANISATIONS,  # merging a copy never brings it back
                               self.study.scalar("SELECT uid FROM organisations WHERE id = ?", (org_id,)))
            self.study.conn.execute("DELETE FROM organisations WHERE id = ?", (org_id,))

    def count(self) -> int:
        return self.study.scalar("SELECT count(*) FROM organisations")

    def find(self, given: str) -> int:
        """The organisation a person means by ``given``: its id, or its exact name (ignoring
        case). Several organisations of that name, or none, is a one-line error."""
        text = given.strip()
        if text.isdigit() and self.study.scalar("SELECT 1 FROM organisations WHERE id = ?", (int(text),)):
            return int(text)
        ids = self.find_by_name(text)
        if len(ids) == 1:
            return ids[0]
        if ids:
            raise InvalidValueError(f"{len(ids)} organisations are named '{text}' (ids {', '.join(map(str, ids))}); "
                                    "give the id instead")
        if text.isdigit():
            raise NotFoundError(f"no organisation with the id {text} or that name")
        raise NotFoundError(f"no organisation named '{text}' (give its id or its exact name)")

    def find_by_name(self, name: str) -> list[int]:
        """Ids of organisations with exactly this name (ignoring case and outer spaces)."""
        return [r["id"] for r in self.study.query(
            "SELECT id FROM organisations WHERE name = ? COLLATE NOCASE ORDER BY id", (name.strip(),))]

    def _filter(self, query: OrganisationQuery) -> tuple[str, list[Any]] | None:
        """The WHERE clause (possibly "") and its parameters; None when nothing can match."""
        where: list[str] = []
        params: list[Any] = []
        within = query.within
        if query.disposition is not None:
            from fieldkit import dispositions

            matched = dispositions.matching(self.study, query.disposition)
            within = tuple(matched) if within is None else tuple(set(within) & set(matched))
        if within is not None:  # ids chosen by a rule the columns do not hold (a disposition, say)
            where.append("o.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(within)))
        for column, value in (("category", query.category), ("area", query.area), ("status", query.status)):
            if value is None:
                continue
            if value == "":
                where.append(f"o.{column} IS NULL")
            else:
                where.append(f"o.{column} = ?")
                params.append(value)
        for flag in query.flags:  # IN (...) reads the flag's index once, not once per organisation
            where.append("o.id IN (SELECT organisation_id FROM flags WHERE flag = ?)")
            params.append(flag)
        for flag in query.without_flags:
            where.append("o.id NOT IN (SELECT organisation_id FROM flags WHERE flag = ?)")
            params.append(flag)
        search = query.search
        if search is not None and search.strip():
            matching = self.study.search.organisation_filter(search)
            if matching is None:
                return None
            where.extend(matching[0])
            params.extend(matching[1])
        return (" WHERE " + " AND ".join(where) if where else ""), params

    @staticmethod
    def _order(order_by: str, descending: bool) -> str:
        if order_by not in SORT_COLUMNS:
            raise InvalidValueError(f"cannot sort by '{order_by}'")
        direction = "DESC" if descending else "ASC"
        return " ORDER BY " + ", ".join(f"{term} {direction}" for term in (*SORT_COLUMNS[order_by], "o.id"))

    def ids(self, query: OrganisationQuery | None = None, *, limit: int | None = None, **filters: Any) -> list[int]:
        """Ids of the organisations ``query`` holds, sorted: what a list view pages over.
        ``filters`` are OrganisationQuery's fields as keywords, on top of ``query``
        (``ids(category="Network")``); ``limit`` keeps the first few."""
        query = _query(query, filters)
        order = self._order(query.order_by, query.descending)
        found = self._filter(query)
        if found is None:
            return []
        where, params = found
        return self._select_ids(where, params, order, limit)

    def ids_with_counts(self, query: OrganisationQuery | None = None,
                        **filters: Any) -> tuple[list[int], StatusCounts]:
        """``ids(query)`` and how many of them are in each status, with one search: what a
        filtered list and its "54 on database · 45 interviewed" line need."""
        query = _query(query, filters)
        order = self._order(query.order_by, query.descending)
        found = self._filter(query)
        if found is None:
            return [], _no_counts()
        where, params = found
        # Two queries beat one: the ids come from the name index alone, and SQLite counts
        # statuses from the status index; reading (id, status) together reads every row.
        with self.study._mutex:
            return self._select_ids(where, params, order), self._count(where, params)

    def _select_ids(self, where: str, params: list[Any], order: str, limit: int | None = None) -> list[int]:
        sql = f"SELECT o.id FROM organisations o{where}{order}"
        if limit is not None:
            sql += " LIMIT ?"
            params = [*params, int(limit)]
        with self.study._mutex:
            return [r[0] for r in self.study.conn.execute(sql, params)]

    def _count(self, where: str, params: list[Any]) -> StatusCounts:
        open_interview = ("o.status = 'contacting' AND o.id IN "
                          "(SELECT organisation_id FROM interviews WHERE result IS NULL)")
        with self.study._mutex:
            counted = dict(self.study.conn.execute(
                f"SELECT o.status, count(*) FROM organisations o{where} GROUP BY o.status", params).fetchall())
            under_way = self.study.conn.execute(
                f"SELECT count(*) FROM organisations o{where}{' AND ' if where else ' WHERE '}{open_interview}",
                params).fetchone()[0]
        return StatusCounts({s: counted.get(s, 0) for s in STATUSES}, under_way)

    def status_counts(self, query: OrganisationQuery | None = None, *, ids: Iterable[int] | None = None,
                      **filters: Any) -> StatusCounts:
        """How many organisations are in each status: of ``ids`` if given, else of those
        ``query`` holds (counted by SQLite, not by reading the rows)."""
        found = self._filter(_query(query, filters))
        if found is None:
            return _no_counts()
        where, params = found
        if ids is not None:
            where += (" AND " if where else " WHERE ") + "o.id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps([int(i) for i in ids]))
        return self._count(where, params)

    # --- the change log ------------------------------------------------------------------

    def _log(self, org_id: int, record: str, contact_id: int | None, field: str, old: Any, new: Any,
             at: str) -> None:
        """Record one changed field of a named record (never anything from the pool)."""
        if old == new:
            return
        self.study.conn.execute(
            "INSERT INTO changes(organisation_id, record, contact_id, field, old, new, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (org_id, record, contact_id, field, None if old is None else str(old),
             None if new is None else str(new), at))

    def log_change(self, org_id: int, field: str, old: Any, new: Any, at: str) -> None:
        """Record a change to an organisation's own field made elsewhere in the core (its
        status moving on when an attempt or an interview is recorded)."""
        self._log(org_id, "organisation", None, field, old, new, at)

    def changes(self, org_id: int) -> list[Change]:
        """What changed in an organisation's record and its contacts, oldest first."""
        return [Change(**r) for r in self.study.query(
            "SELECT record, contact_id, field, old, new, at FROM changes WHERE organisation_id = ? "
            "ORDER BY at, id", (org_id,))]

    # --- contacts ----------------------------------------------------------------------

    @staticmethod
    def _contact_row(fields: dict[str, Any], country: str) -> dict[str, Any]:
        unknown = sorted(set(fields) - set(CONTACT_FIELDS))
        if unknown:
            raise InvalidValueError(f"unknown contact field: {', '.join(unknown)}")
        row = {k: _blank_to_none(v) for k, v in fields.items()}
        row["name"] = (fields.get("name") or "").strip()
        if row.get("phone") is not None:
            row["phone"] = stored_phone(row["phone"], country)
        return row

    def add_contact(self, org_id: int, name: str = "", **fields: str | None) -> int:
        row = {"organisation_id": org_id, **self._contact_row({"name": name, **fields}, self.study.country)}
        self.get(org_id)
        from fieldkit.study import now

        with self.study.transaction():
            contact_id = self.study.db.table("contacts").insert(row).last_pk
            assert contact_id is not None  # a plain insert always sets the new row's id
            self._log(org_id, "contact", contact_id, "added", None, row["name"], now())
            self.study.search.index_organisation(org_id)
        return contact_id

    def contacts(self, org_id: int) -> list[Contact]:
        return [Contact(**r) for r in self.study.query(
            "SELECT * FROM contacts WHERE organisation_id = ? ORDER BY id", (org_id,))]

    def contact(self, contact_id: int) -> Contact:
        rows = self.study.query("SELECT * FROM contacts WHERE id = ?", (contact_id,))
        if not rows:
            raise NotFoundError(f"no contact with id {contact_id}")
        return Contact(**rows[0])

    def update_contact(self, contact_id: int, **changes: str | None) -> None:
        unknown = sorted(set(changes) - set(CONTACT_FIELDS))
        if unknown:
            raise InvalidValueError(f"unknown contact field: {', '.join(unknown)}")
        from fieldkit.study import now

        contact = self.contact(contact_id)
        row = {k: (_blank_to_none(v) if k != "name" else (v or "").strip()) for k, v in changes.items()}
        if row.get("phone") is not None:
            row["phone"] = stored_phone(row["phone"], self.study.country)
        if not row:
            return
        stamp = now()
        with self.study.transaction():
            self.study.db.table("contacts").update(contact_id, row)
            for key, value in row.items():
                self._log(contact.organisation_id, "contact", contact_id, key, getattr(contact, key), value, stamp)
            self.study.search.index_organisation(contact.organisation_id)

    def restore_contact(self, contact: Contact) -> None:
        """Put back a removed contact with its old id (undoing a removal)."""
        self.get(contact.organisation_id)
        if self.study.scalar("SELECT 1 FROM contacts WHERE id = ?", (contact.id,)) is not None:
            raise InvalidValueError(f"contact {contact.id} is already there")
        row = {"id": contact.id, "organisation_id": contact.organisation_id,
               **self._contact_row({k: getattr(contact, k) for k in CONTACT_FIELDS}, self.study.country)}
        if contact.uid and self.study.scalar("SELECT 1 FROM contacts WHERE uid = ?", (contact.uid,)) is None:
            row["uid"] = contact.uid  # the same contact again, in every copy of the study
        from fieldkit.study import now

        with self.study.transaction():
            if "uid" in row:
                deletions.remember(self.study, deletions.CONTACTS, contact.uid, forget=True)
            self.study.db.table("contacts").insert(row)
            self._log(contact.organisation_id, "contact", contact.id, "restored", None, row["name"], now())
            self.study.search.index_organisation(contact.organisation_id)

    def delete_contact(self, contact_id: int) -> None:
        from fieldkit.study import now

        contact = self.contact(contact_id)
        with self.study.transaction():
            deletions.remember(self.study, deletions.CONTACTS, contact.uid)  # merging a copy never brings it back
            self.study.conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
            self._log(contact.organisation_id, "contact", contact_id, "removed", contact.name, None, now())
            self.study.search.index_organisation(contact.organisation_id)
