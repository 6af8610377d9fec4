"""Publishing a study's listed organisations to the shared directory, and withdrawing them.

A publish makes the member's records from this study on the server exactly what the study
lists now (fieldkit.directory.listing.outgoing): new records inserted, changed ones updated,
and any record this study published before that is no longer listed (permission unticked,
the organisation excluded or erased, a detail no longer agreed to) taken off. All of it is
one server transaction: a connection lost midway changes nothing there, and the study's
"last published" marks are written only once the server's COMMIT has succeeded. Should the
study fail to take its marks after that, the next publish still comes out right: records are
matched by this study's id on the server (``source``), not by the marks.

A dry run connects to nothing: it returns exactly what would leave the laptop.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fieldkit.directory import DirectoryError, server_message
from fieldkit.directory.credentials import connect, remember, where
from fieldkit.directory.listing import PERMISSION, Outgoing, outgoing, published_ids, source_id
from fieldkit.directory.server import RECORD_COLUMNS, check_version, directory_name, name_key

if TYPE_CHECKING:
    import psycopg

    from fieldkit.study import Study

#: progress(done, total): records sent so far of those to send.
Progress = Callable[[int, int], None]
#: Records sent to the server per statement.
BATCH = 500


@dataclass(frozen=True)
class PublishResult:
    """What a publish sent (or, in a dry run, would send)."""

    directory: str
    records: tuple[Outgoing, ...]
    dry_run: bool = False
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    #: Record ids taken off the directory (a dry run: those this study published that it no longer lists).
    withdrawn: tuple[str, ...] = field(default_factory=tuple)


def _values(record: Outgoing, record_id: str, source: str) -> tuple[Any, ...]:
    row = {"record_id": record_id, "source": source, "name": record.name, "name_key": name_key(record.name),
           **record.values}
    return tuple(row.get(c) for c in RECORD_COLUMNS)


@dataclass(frozen=True)
class Prepared:
    """What a publish will send, read from the study (``prepare``): the records, each one's
    record id (new ones given theirs now), the rows as the server takes them, and the study's id."""

    records: tuple[Outgoing, ...]
    ids: dict[int, str]
    rows: list[tuple[Any, ...]]
    source: str


@dataclass(frozen=True)
class Sent:
    """What the server did with a publish (``send``)."""

    directory: str
    new: int
    updated: int
    unchanged: int
    withdrawn: tuple[str, ...]


def publish(study: Study, dsn: str | None, *, dry_run: bool = False,
            progress: Progress | None = None) -> PublishResult:
    """Publish ``study``'s listed organisations to the directory at ``dsn`` (see the module's
    docstring); ``dry_run`` connects to nothing and returns what would be sent."""
    if dry_run:
        records = tuple(outgoing(study))
        listed = {r.organisation_id for r in records}
        gone = tuple(rid for org, rid in published_ids(study).items() if org not in listed)
        return PublishResult(where(dsn) if dsn else "the directory", records, True, withdrawn=gone)
    if dsn is None:
        raise DirectoryError("say which directory to publish to (a connection string)")
    prepared = prepare(study)
    return record_sent(study, prepared, send(dsn, prepared, progress))


def prepare(study: Study) -> Prepared:
    """A publish's first step, on the study's own thread: what will be sent."""
    records = tuple(outgoing(study))
    source = source_id(study)
    ids = {r.organisation_id: r.record_id or str(uuid.uuid4()) for r in records}
    return Prepared(records, ids, [_values(r, ids[r.organisation_id], source) for r in records], source)


def send(dsn: str, prepared: Prepared, progress: Progress | None = None) -> Sent:
    """A publish's server side, which touches no study (the app runs it on a thread of its own):
    one transaction, all of it or nothing."""
    dsn = remember(dsn)
    with connect(dsn) as conn:
        check_version(conn, dsn)
        name = directory_name(conn)
        try:
            new, updated, unchanged, taken_off = _send(conn, prepared.rows, prepared.source, progress)
        except _psycopg().OperationalError:
            raise DirectoryError(f"{where(dsn)}: the connection was lost during the publish; nothing was "
                                 "published and the study is unchanged (publish again)") from None
        except _psycopg().Error as e:
            raise DirectoryError(f"{where(dsn)}: the directory refused the publish ({server_message(e)}); nothing "
                                 "was published") from None
    return Sent(name, new, updated, unchanged, tuple(taken_off))


def record_sent(study: Study, prepared: Prepared, sent: Sent) -> PublishResult:
    """A publish's last step, on the study's own thread once the server's COMMIT succeeded: the
    study's "last published" marks."""
    _mark_published(study, prepared.records, prepared.ids, sent.directory)
    return PublishResult(sent.directory, prepared.records, False, sent.new, sent.updated, sent.unchanged,
                         sent.withdrawn)


def _send(conn: psycopg.Connection[Any], rows: list[tuple[Any, ...]], source: str,
          progress: Progress | None) -> tuple[int, int, int, list[str]]:
    """The publish's one server transaction: (new, updated, unchanged, withdrawn ids). New and
    changed rows go a batch at a time: COPYed into a temporary table (dropped at the COMMIT),
    then inserted and updated from it (row-level security checks each row)."""
    from psycopg import sql

    columns = sql.SQL(", ").join(sql.Identifier(c) for c in RECORD_COLUMNS)
    incoming = sql.Identifier("fieldkit_incoming")
    total = len(rows)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT {} FROM records WHERE owner = current_user AND source = %s").format(columns),
                    (source,))
        before = {str(r[0]): tuple(str(v) if i < 2 else v for i, v in enumerate(r)) for r in cur.fetchall()}
        fresh = [r for r in rows if r[0] not in before]
        changed = [r for r in rows if r[0] in before and before[r[0]] != r]
        done = total - len(fresh) - len(changed)
        if progress:
            progress(done, total)
        sending = fresh + changed
        if sending:
            cur.execute(sql.SQL("CREATE TEMPORARY TABLE {} ON COMMIT DROP AS SELECT {} FROM records "
                                "WITH NO DATA").format(incoming, columns))
        insert = sql.SQL("INSERT INTO records ({0}) SELECT {0} FROM {1} i WHERE NOT EXISTS "
                         "(SELECT 1 FROM records r WHERE r.record_id = i.record_id)").format(columns, incoming)
        update = sql.SQL("UPDATE records r SET {}, changed = now(), published = now() FROM {} i "
                         "WHERE r.record_id = i.record_id").format(
            sql.SQL(", ").join(sql.SQL("{0} = i.{0}").format(sql.Identifier(c)) for c in RECORD_COLUMNS[1:]),
            incoming)
        for start in range(0, len(sending), BATCH):
            chunk = sending[start:start + BATCH]
            with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(incoming, columns)) as copy:
                for row in chunk:
                    copy.write_row(row)
            cur.execute(insert)
            cur.execute(update)
            cur.execute(sql.SQL("TRUNCATE {}").format(incoming))
            done += len(chunk)
            if progress:
                progress(done, total)
        listed = {r[0] for r in rows}
        gone = sorted(set(before) - listed)
        if gone:
            cur.execute("DELETE FROM records WHERE owner = current_user AND source = %s "
                        "AND record_id = ANY(%s::uuid[])", (source, gone))
    return len(fresh), len(changed), total - len(fresh) - len(changed), gone


def _mark_published(study: Study, records: tuple[Outgoing, ...], ids: dict[int, str], directory: str) -> None:
    """After the server's COMMIT: each published organisation's record id and "last published"
    mark, and the marks of those no longer listed cleared."""
    import json

    from fieldkit.study import now

    stamp = now()
    with study.transaction():
        known = {r[0] for r in study.conn.execute("SELECT organisation_id FROM listing")}
        study.conn.executemany("INSERT INTO listing(organisation_id, record_id, fields) VALUES (?, ?, ?)",
                               [(r.organisation_id, ids[r.organisation_id], json.dumps(list(r.fields)))
                                for r in records if r.organisation_id not in known])
        listed = [r.organisation_id for r in records]
        study.conn.execute("UPDATE listing SET published = ?, published_to = ? "
                           "WHERE organisation_id IN (SELECT value FROM json_each(?))",
                           (stamp, directory, json.dumps(listed)))
        study.conn.execute("UPDATE listing SET published = NULL, published_to = NULL WHERE published IS NOT NULL "
                           "AND organisation_id NOT IN (SELECT value FROM json_each(?))", (json.dumps(listed),))


@dataclass(frozen=True)
class WithdrawResult:
    directory: str
    withdrawn: int
    names: tuple[str, ...] = ()


def withdraw(study: Study, dsn: str, organisation: str | None = None) -> WithdrawResult:
    """Take records off the directory: one organisation's (its id or exact name: its
    "Permission to list" is unticked too, so a later publish does not list it again), or every
    record this study published. One server transaction; the study changes after its COMMIT."""
    dsn = remember(dsn)
    source = source_id(study)
    org_id = study.organisations.find(organisation) if organisation is not None else None
    names: tuple[str, ...] = ()
    if org_id is not None:
        names = (study.organisations.get(org_id).name,)
    with connect(dsn) as conn:
        check_version(conn, dsn)
        name = directory_name(conn)
        try:
            with conn.transaction():
                if org_id is None:
                    cur = conn.execute("DELETE FROM records WHERE owner = current_user AND source = %s", (source,))
                else:
                    record = study.scalar("SELECT record_id FROM listing WHERE organisation_id = ?", (org_id,))
                    cur = conn.execute("DELETE FROM records WHERE owner = current_user AND source = %s "
                                       "AND record_id = %s", (source, record))
                count = cur.rowcount
        except _psycopg().OperationalError:
            raise DirectoryError(f"{where(dsn)}: the connection was lost; nothing was withdrawn") from None
    with study.transaction():
        if org_id is None:
            study.conn.execute("UPDATE listing SET published = NULL, published_to = NULL")
        else:
            study.conn.execute("UPDATE listing SET published = NULL, published_to = NULL WHERE organisation_id = ?",
                               (org_id,))
            if PERMISSION in study.organisations.get(org_id).flags:
                study.organisations.set_flag(org_id, PERMISSION, False)
    return WithdrawResult(name, count, names)


def _psycopg() -> Any:
    import psycopg

    return psycopg

