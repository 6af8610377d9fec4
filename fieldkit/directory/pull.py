"""Pulling the shared directory's records into a study's organisation list.

Records of every member come in (those this study published itself excepted), each as an
organisation with status "identified", made by the real creation path
(``Organisations.add_many``), with where it came from (``listing_origin``: the directory, the
member that listed it, its record). Pulling again updates the organisations pulled before whose
record changed, marks those whose record was withdrawn (they stay in the study: the researcher
may have worked on them), and says what changed. Organisations the researcher made are never
touched. An organisation listed by two members is reported (``duplicates``), and both records
come in as they are: nothing is merged silently. A category or area the study's vocabulary
does not have is left blank, and said so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fieldkit.directory import DirectoryError
from fieldkit.directory.credentials import connect, remember, where
from fieldkit.directory.listing import ORGANISATION_COLUMNS, source_id
from fieldkit.directory.server import Duplicate, check_version, directory_name, find_duplicates

if TYPE_CHECKING:
    from fieldkit.study import Study

PULLED = ("record_id", "owner", "name", "category", "area", "coverage", "address", "postcode", "website", "email",
           "phone", "contact", "charity_number", "company_number", "changed")


@dataclass(frozen=True)
class PullResult:
    """What a pull brought in and changed, by organisation name."""

    directory: str
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()
    unchanged: int = 0
    duplicates: tuple[Duplicate, ...] = ()
    #: "York Mind: category 'Mental health'" for each value the study's vocabulary lacks.
    left_out: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Fetched:
    """The directory's records as a pull read them (``fetch``), for ``bring_in``."""

    directory: str
    records: list[dict[str, Any]]
    duplicates: tuple[Duplicate, ...] = ()


def pull(dsn: str, study: Study) -> PullResult:
    """Bring the directory's records into ``study`` (see the module's docstring): one read of
    the server, then one study transaction."""
    fetched = fetch(dsn, source_id(study))
    return bring_in(study, fetched.directory, fetched.records, fetched.duplicates)


def fetch(dsn: str, source: str) -> Fetched:
    """A pull's server side, which touches no study (the app runs it on a thread of its own):
    every record but those of the study whose id is ``source`` (``listing.source_id``)."""
    import psycopg

    dsn = remember(dsn)
    with connect(dsn) as conn:
        check_version(conn, dsn)
        name = directory_name(conn)
        try:
            with conn.transaction():
                rows = conn.execute(f"SELECT {', '.join(PULLED)} FROM records WHERE source <> %s "
                                    "ORDER BY owner, name_key, record_id", (source,)).fetchall()
                dups = find_duplicates(conn)
        except psycopg.OperationalError:
            raise DirectoryError(f"{where(dsn)}: the connection was lost during the pull; the study is unchanged") \
                from None
    records = [dict(zip(PULLED, r, strict=True)) for r in rows]
    for r in records:
        r["record_id"] = str(r["record_id"])
        r["changed"] = r["changed"].isoformat()
    return Fetched(name, records, tuple(dups))


def _organisation_values(study: Study, record: dict[str, Any], left_out: list[str]) -> dict[str, Any]:
    """The organisation fields a record fills, the vocabulary's values only."""
    values: dict[str, Any] = {"name": record["name"]}
    for column in ORGANISATION_COLUMNS:
        value = record[column]
        if column in ("category", "area") and value is not None:
            kind = "categories" if column == "category" else "areas"
            if value not in study.template.vocabulary(kind):
                left_out.append(f"{record['name']}: {column} '{value}'")
                value = None
        values[column] = value
    return values


def bring_in(study: Study, directory: str, records: list[dict[str, Any]],
             dups: tuple[Duplicate, ...] = ()) -> PullResult:
    """A pull's study side: ``records`` (dicts of ``PULLED``, as read from the directory named
    ``directory``) brought into ``study`` in one transaction."""
    from fieldkit.study import now

    stamp = now()
    left_out: list[str] = []
    origins = {r["record_id"]: r for r in study.query(
        "SELECT organisation_id, record_id, changed, withdrawn FROM listing_origin WHERE directory = ?",
        (directory,))}
    fresh = [r for r in records if r["record_id"] not in origins]
    changed = [r for r in records if r["record_id"] in origins and (
        origins[r["record_id"]]["changed"] != r["changed"] or origins[r["record_id"]]["withdrawn"] is not None)]
    present = {r["record_id"] for r in records}
    gone = [o for rid, o in origins.items() if rid not in present and o["withdrawn"] is None]
    with study.transaction():
        adds = []
        for r in fresh:
            values = _organisation_values(study, r, left_out)
            adds.append({**values, "status": "identified",
                         "contacts": [{"name": r["contact"]}] if r["contact"] else []})
        ids = study.organisations.add_many(adds)
        study.conn.executemany(
            "INSERT INTO listing_origin(organisation_id, directory, owner, record_id, changed) VALUES (?, ?, ?, ?, ?)",
            [(org_id, directory, r["owner"], r["record_id"], r["changed"])
             for org_id, r in zip(ids, fresh, strict=True)])
        _identifiers(study, list(zip(ids, fresh, strict=True)))
        for r in changed:
            org_id = origins[r["record_id"]]["organisation_id"]
            study.organisations.update(org_id, **_organisation_values(study, r, left_out))
            if r["contact"] and not study.organisations.contacts(org_id):
                study.organisations.add_contact(org_id, r["contact"])
            study.conn.execute("UPDATE listing_origin SET owner = ?, changed = ?, withdrawn = NULL "
                               "WHERE organisation_id = ?", (r["owner"], r["changed"], org_id))
        _identifiers(study, [(origins[r["record_id"]]["organisation_id"], r) for r in changed])
        study.conn.executemany("UPDATE listing_origin SET withdrawn = ? WHERE organisation_id = ?",
                               [(stamp, o["organisation_id"]) for o in gone])
    names = {o.id: o.name for o in study.organisations.many([o["organisation_id"] for o in gone])}
    return PullResult(directory, tuple(r["name"] for r in fresh), tuple(r["name"] for r in changed),
                      tuple(names.get(o["organisation_id"], o["record_id"]) for o in gone),
                      len(records) - len(fresh) - len(changed), dups, tuple(left_out))


def _identifiers(study: Study, pairs: list[tuple[int, dict[str, Any]]]) -> None:
    """Charity and company numbers and postcodes of pulled organisations, in their listing rows
    (which list nothing of theirs: "Permission to list" is not ticked by a pull)."""
    import uuid

    listed = {r[0] for r in study.conn.execute("SELECT organisation_id FROM listing")}
    study.conn.executemany(
        "INSERT INTO listing(organisation_id, record_id, charity_number, company_number, postcode) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(organisation_id) DO UPDATE SET charity_number = excluded.charity_number, "
        "company_number = excluded.company_number, postcode = excluded.postcode",
        [(org_id, str(uuid.uuid4()), r["charity_number"], r["company_number"], r["postcode"]) for org_id, r in pairs
         if r["charity_number"] or r["company_number"] or r["postcode"] or org_id in listed])
