"""The directory server's schema and its members: what the consortium's administrator runs.

The schema is made by numbered migrations, as a study file's are, each applied in the one
transaction that records it in ``directory_schema_version``; a server newer than this
fieldkit is refused by name. Everything is in the database's ``public`` schema:

- ``records``: one row per listed organisation, owned (``owner``) by the member that
  published it, which is always the member's own login (``current_user``): the column
  defaults to it, members may not UPDATE it, and row-level security, ENABLEd and FORCEd,
  has one policy per command: every member may SELECT every record; INSERT only WITH CHECK
  owner = current_user; UPDATE only rows it owns and only into rows it owns (USING and WITH
  CHECK); DELETE only rows it owns. (One permissive FOR ALL policy would let a member UPDATE
  another's row into its own.) ``source`` is a random id of the study a record came from, so
  that a publish can take back what that study no longer lists; ``name_key`` is the name
  normalised for finding duplicates (``name_key``).
- ``directory_meta``: the directory's name, and the group role its members belong to.
- A group role (``<database>_members``) holding the grants; each member is a LOGIN role in it,
  made by ``add_member`` with a password shown once. The database's CONNECT right is taken
  from PUBLIC and given to the group.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldkit.directory import DirectoryError, server_message
from fieldkit.directory.credentials import connect, remember, where

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql as sql_module

#: The columns of ``records`` a member writes, in order (owner and the times come from the server).
RECORD_COLUMNS = ("record_id", "source", "name", "name_key", "category", "area", "coverage", "address",
                  "postcode", "website", "email", "phone", "contact", "charity_number", "company_number")
#: The oldest server a directory is made on (server_version_num): PostgreSQL 15, the first whose
#: public schema is not open to every role for creating tables and functions.
OLDEST_SERVER = 150000
#: A member's name: a PostgreSQL login, plain (lower-case letters, digits, underscores).
MEMBER_NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")


def _migration_1(group: sql_module.Identifier) -> list[sql_module.Composable]:
    from psycopg import sql

    texts = [
        """CREATE TABLE directory_meta (key text PRIMARY KEY, value text NOT NULL)""",
        """CREATE TABLE records (
            record_id uuid PRIMARY KEY,
            owner text NOT NULL DEFAULT current_user CHECK (length(owner) <= 63),
            source uuid NOT NULL,
            name text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 500),
            name_key text NOT NULL CHECK (length(name_key) <= 500),
            category text CHECK (length(category) <= 200),
            area text CHECK (length(area) <= 200),
            coverage text CHECK (length(coverage) <= 500),
            address text CHECK (length(address) <= 1000),
            postcode text CHECK (length(postcode) <= 20),
            website text CHECK (length(website) <= 500),
            email text CHECK (length(email) <= 320),
            phone text CHECK (length(phone) <= 50),
            contact text CHECK (length(contact) <= 200),
            charity_number text CHECK (length(charity_number) <= 30),
            company_number text CHECK (length(company_number) <= 30),
            published timestamptz NOT NULL DEFAULT now(),
            changed timestamptz NOT NULL DEFAULT now()
        )""",
        "CREATE INDEX records_owner_source ON records (owner, source)",
        "CREATE INDEX records_charity ON records (charity_number) WHERE charity_number IS NOT NULL",
        "CREATE INDEX records_company ON records (company_number) WHERE company_number IS NOT NULL",
        "CREATE INDEX records_name_postcode ON records (name_key, postcode) WHERE postcode IS NOT NULL",
        "ALTER TABLE records ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE records FORCE ROW LEVEL SECURITY",
        "CREATE POLICY records_select ON records FOR SELECT USING (true)",
        "CREATE POLICY records_insert ON records FOR INSERT WITH CHECK (owner = current_user)",
        "CREATE POLICY records_update ON records FOR UPDATE USING (owner = current_user) "
        "WITH CHECK (owner = current_user)",
        "CREATE POLICY records_delete ON records FOR DELETE USING (owner = current_user)",
    ]
    statements: list[sql_module.Composable] = [sql.SQL(t) for t in texts]
    writable = sql.SQL(", ").join(sql.Identifier(c) for c in RECORD_COLUMNS if c != "record_id")
    statements += [
        sql.SQL("REVOKE ALL ON records, directory_meta, directory_schema_version FROM PUBLIC"),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(group),
        sql.SQL("GRANT SELECT ON directory_meta, directory_schema_version TO {}").format(group),
        sql.SQL("GRANT SELECT, INSERT, DELETE ON records TO {}").format(group),
        # Not owner, not record_id: a member's record stays its own, under its own id.
        sql.SQL("GRANT UPDATE ({}, published, changed) ON records TO {}").format(writable, group),
    ]
    return statements


#: The server's migrations: (number, the statements given the members' group role).
MIGRATIONS: list[tuple[int, Callable[[Any], list[Any]]]] = [(1, _migration_1)]
SERVER_VERSION = MIGRATIONS[-1][0]


def name_key(name: str) -> str:
    """A name as duplicates are compared: case, accents, punctuation and "the" ignored, "&" as
    "and", runs of space as one ("The O'Brien Trust" and "o brien trust" match)."""
    text = unicodedata.normalize("NFKD", name.casefold().replace("&", " and "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    words = re.sub(r"[^\w]+", " ", text).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def postcode_key(postcode: str | None) -> str | None:
    """A postcode as stored and compared: capitals, one space before the last three characters."""
    if postcode is None:
        return None
    text = "".join(postcode.upper().split())
    if not text:
        return None
    return f"{text[:-3]} {text[-3:]}" if len(text) > 4 else text


def number_key(number: str | None) -> str | None:
    """A charity or company number as stored and compared: capitals, no spaces."""
    if number is None:
        return None
    text = "".join(number.upper().split())
    return text or None


def _group_name(conn: psycopg.Connection[Any]) -> str:
    database = conn.execute("SELECT current_database()").fetchone()
    assert database is not None
    return f"{database[0]}_members"[:63]


def version(conn: psycopg.Connection[Any]) -> int:
    """The server schema's version: 0 before ``init``."""
    found = conn.execute("SELECT to_regclass('directory_schema_version') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return 0
    row = conn.execute("SELECT max(version) FROM directory_schema_version").fetchone()
    return int(row[0] or 0) if row else 0


def check_version(conn: psycopg.Connection[Any], dsn: str) -> None:
    """DirectoryError unless the server's schema is the one this fieldkit knows."""
    found = version(conn)
    if found == 0:
        raise DirectoryError(f"{where(dsn)}: not a fieldkit directory (run 'fieldkit directory init' first)")
    if found > SERVER_VERSION:
        raise DirectoryError(f"{where(dsn)}: the directory was made by a newer fieldkit (format {found}; "
                             f"this one knows {SERVER_VERSION}): update fieldkit")
    if found < SERVER_VERSION:
        raise DirectoryError(f"{where(dsn)}: the directory is in an older format ({found}); "
                             "its administrator runs 'fieldkit directory init' to update it")


def init(dsn: str, *, name: str | None = None) -> int:
    """Create or update the directory's schema (the consortium's administrator runs this, as a
    role that may create roles and tables); returns the schema's version. Each migration
    is applied in one transaction with its version; running it again changes nothing."""
    from psycopg import sql

    dsn = remember(dsn)
    with connect(dsn) as conn:
        if conn.info.server_version < OLDEST_SERVER:
            # Before 15, every role may create objects in the public schema the records live in.
            raise DirectoryError(f"{where(dsn)}: the server is PostgreSQL {conn.info.server_version // 10000}; "
                                 "a directory needs PostgreSQL 15 or newer")
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('fieldkit directory init'))")
            conn.execute("CREATE TABLE IF NOT EXISTS directory_schema_version ("
                         "version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())")
        current = version(conn)
        if current > SERVER_VERSION:
            check_version(conn, dsn)
        group = _group_name(conn)
        for number, statements in MIGRATIONS:
            if number <= current:
                continue
            try:
                with conn.transaction():
                    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (group,)).fetchone()
                    if not exists:
                        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
                    for statement in statements(sql.Identifier(group)):
                        conn.execute(statement)
                    if number == 1:
                        conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(
                            sql.Identifier(conn.info.dbname)))
                        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                            sql.Identifier(conn.info.dbname), sql.Identifier(group)))
                        conn.execute("INSERT INTO directory_meta VALUES ('name', %s), ('members_role', %s)",
                                     (name or conn.info.dbname, group))
                    conn.execute("INSERT INTO directory_schema_version(version) VALUES (%s)", (number,))
            except _errors().InsufficientPrivilege as e:
                raise DirectoryError(f"{where(dsn)}: {conn.info.user} may not set up the directory "
                                     f"({server_message(e)}); run init as the database's owner") from None
        if name is not None:
            with conn.transaction():
                conn.execute("UPDATE directory_meta SET value = %s WHERE key = 'name'", (name,))
        return version(conn)


def directory_name(conn: psycopg.Connection[Any]) -> str:
    """The directory's name (``init --name``; the database's name by default)."""
    row = conn.execute("SELECT value FROM directory_meta WHERE key = 'name'").fetchone()
    return str(row[0]) if row else str(conn.info.dbname)


@dataclass(frozen=True)
class Member:
    """A member body's login, and its password (shown once, never stored by fieldkit)."""

    name: str
    password: str


def add_member(dsn: str, name: str) -> Member:
    """Make a member role: a LOGIN role in the directory's group, with a new random password
    that is returned once (sent to the server already hashed, so no log of the server holds it)."""
    from psycopg import sql

    if not MEMBER_NAME.match(name):
        raise DirectoryError(f"'{name}' cannot be a member's name: use lower-case letters, digits and "
                             "underscores, starting with a letter (york_cvs)")
    dsn = remember(dsn)
    password = secrets.token_urlsafe(24)
    with connect(dsn) as conn:
        check_version(conn, dsn)
        group = _group_name(conn)
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
            raise DirectoryError(f"{where(dsn)}: there is already a role named {name}")
        hashed = conn.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()
        try:
            with conn.transaction():
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                    sql.Identifier(name), sql.Literal(hashed), sql.Identifier(group)))
        except _errors().InsufficientPrivilege as e:
            raise DirectoryError(f"{where(dsn)}: {conn.info.user} may not add members ({server_message(e)})") from None
    return Member(name, password)


def members(dsn: str) -> list[str]:
    """The member roles of the directory, by name."""
    with connect(remember(dsn)) as conn:
        check_version(conn, dsn)
        group = _group_name(conn)
        rows = conn.execute(
            "SELECT r.rolname FROM pg_roles r JOIN pg_auth_members m ON m.member = r.oid "
            "JOIN pg_roles g ON g.oid = m.roleid WHERE g.rolname = %s ORDER BY r.rolname", (group,)).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class Duplicate:
    """Records of two or more members that look like one organisation, and why."""

    reason: str  # "charity number 1234567", "company number 0123", "name and postcode"
    records: tuple[tuple[str, str, str], ...]  # (record_id, owner, name), by owner


_DUPLICATES_SQL = """
    SELECT 'charity number ' || a.charity_number, a.record_id, b.record_id FROM records a
        JOIN records b ON b.charity_number = a.charity_number AND b.owner > a.owner
    UNION ALL
    SELECT 'company number ' || a.company_number, a.record_id, b.record_id FROM records a
        JOIN records b ON b.company_number = a.company_number AND b.owner > a.owner
    UNION ALL
    SELECT 'name and postcode', a.record_id, b.record_id FROM records a
        JOIN records b ON b.name_key = a.name_key AND b.postcode = a.postcode AND b.owner > a.owner
"""


def find_duplicates(conn: psycopg.Connection[Any]) -> list[Duplicate]:
    """Organisations listed by more than one member: the same charity or company number, or
    the same normalised name and postcode. Reported, never merged: each group once, joined
    through any of the reasons."""
    pairs = conn.execute(_DUPLICATES_SQL).fetchall()
    if not pairs:
        return []
    parent: dict[Any, Any] = {}

    def root(x: Any) -> Any:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    reasons: dict[Any, list[str]] = {}
    for _reason, a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra
    for reason, a, _b in pairs:
        found = reasons.setdefault(root(a), [])
        if reason not in found:
            found.append(reason)
    ids = list(parent)
    rows = {r[0]: r for r in conn.execute(
        "SELECT record_id, owner, name FROM records WHERE record_id = ANY(%s::uuid[])", (ids,)).fetchall()}
    groups: dict[Any, list[tuple[str, str, str]]] = {}
    for record in ids:
        if record in rows:
            r = rows[record]
            groups.setdefault(root(record), []).append((str(r[0]), r[1], r[2]))
    return [Duplicate("; ".join(reasons.get(g, [])), tuple(sorted(members, key=lambda m: (m[1], m[2]))))
            for g, members in sorted(groups.items(), key=lambda kv: min(m[2] for m in kv[1]).casefold())]


def duplicates(dsn: str) -> list[Duplicate]:
    """``find_duplicates`` on the directory at ``dsn`` (any member may ask)."""
    dsn = remember(dsn)
    with connect(dsn) as conn:
        check_version(conn, dsn)
        return find_duplicates(conn)


def _errors() -> Any:
    from psycopg import errors

    return errors

