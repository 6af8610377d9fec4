"""A study file holds only what fieldkit's migrations create, checked before anything is written.

A study may come from someone else (a researcher who left, a consortium member, an e-mail).
SQLite stores a database's schema in the file itself, and a schema can carry code that runs
when the file is used: a trigger that copies every comment added to the pool into a table of
its own beside the name of the organisation last written, a view standing in for a table, a
full-text table naming a tokenizer that is not SQLite's own. Every connection fieldkit opens
has ``PRAGMA trusted_schema = OFF`` (``fieldkit.storage.sqlite.connect``), so no function or
virtual table the schema names can run with fieldkit's rights; on top of that, a study is
opened only when its schema is exactly what the migrations up to its format make
(``expected``): any other table, index, trigger or view, or one whose definition differs, is
refused by name before the first write, and the file is left as it was.

What is compared is each object's type, name, table and SQL, with runs of white space taken
as one (the text of a migration has been re-wrapped since older studies were made, and SQLite
keeps the text as it was run). SQLite's own tables (``sqlite_sequence``, the ``sqlite_stat``
tables ``PRAGMA optimize`` writes) are allowed, and so are the shadow tables of the full-text
tables the migrations make: FTS5 makes those itself, and their text depends on the SQLite
that made them, not on the file's author.

SQLite's "defensive" configuration (``SQLITE_DBCONFIG_DEFENSIVE``) is not set: the driver does
not offer ``setconfig``. It guards against SQL an application runs that alters the schema or
the shadow tables directly; fieldkit builds no SQL from what it reads, and what a file brings
is covered by the two defences above.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from fieldkit.errors import StudyFileError
from fieldkit.storage import sqlite

#: SQLite's own tables, which any database may come to hold.
_SQLITE_OWN = re.compile(r"sqlite_(sequence|stat\d)$")
#: The shadow tables FTS5 makes for a full-text table ``x``: ``x_data``, ``x_idx`` and so on.
_FTS5_SHADOWS = ("data", "idx", "content", "docsize", "config")

Object = tuple[str, str, str, str]  # type, name, table, SQL with white space folded
#: The order what is found is named in: what can run code first.
_DANGER = {"trigger": 0, "view": 1, "table": 2, "index": 3}


class StudyTamperedError(StudyFileError):
    """The file's schema holds something fieldkit's migrations never create."""


#: A quoted string or name (kept), or a comment (dropped): SQLite keeps a statement's comments.
_QUOTED_OR_COMMENT = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")|--[^\n]*|/\*.*?\*/""", re.S)


def _fold(sql: str | None) -> str:
    """``sql`` without its comments, runs of white space as one space: what a statement means,
    not how a migration's text was laid out when the study was made."""
    text = _QUOTED_OR_COMMENT.sub(lambda m: m.group(1) or " ", sql or "")
    return " ".join(text.split())


@cache
def expected(version: int) -> frozenset[Object]:
    """Every object a study of format ``version`` holds: the migrations up to it, run on an
    empty database in memory (the one schema source, so this can never fall behind it)."""
    from fieldkit.storage.connection import _statements
    from fieldkit.storage.schema import MIGRATIONS, sql_functions

    conn = sqlite.connect(":memory:")
    try:
        for name, function in sql_functions().items():
            conn.create_function(name, 1, function, deterministic=True)
        for number, script in MIGRATIONS:
            if number > version:
                break
            for statement in _statements(script):
                conn.execute(statement)
        return frozenset(_objects(conn))
    finally:
        conn.close()


def _objects(conn: sqlite.Connection) -> list[Object]:
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return [(kind, name, table, _fold(sql)) for kind, name, table, sql in rows]


def check(conn: sqlite.Connection, path: Path) -> None:
    """Refuse the study at ``path`` (opened as ``conn``, nothing written yet) when its schema is
    not exactly what fieldkit's migrations make for its format."""
    from fieldkit.storage.schema import SCHEMA_VERSION

    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION or version < 0:
        return  # refused by check_identity, in its own words (written by a newer fieldkit)
    wanted = expected(version)
    names = {obj[1] for obj in wanted}
    fts = {name for kind, name, _, sql in wanted if kind == "table" and sql.upper().startswith("CREATE VIRTUAL TABLE")}
    shadows = {f"{name}_{suffix}" for name in fts for suffix in _FTS5_SHADOWS}
    found = _objects(conn)
    strange: list[tuple[int, str]] = []
    for obj in found:
        kind, name, _, _ = obj
        if obj in wanted or _SQLITE_OWN.match(name) or (kind == "table" and name in shadows):
            continue
        strange.append((_DANGER.get(kind, 9), _describe(obj, changed=name in names)))
    strange.sort(key=lambda danger_and_words: danger_and_words[0])  # what runs code named first
    missing = names - {name for _, name, _, _ in found} - shadows
    if strange:
        listed = "; ".join(words for _, words in strange[:3]) + (
            f"; and {len(strange) - 3} more" if len(strange) > 3 else "")
        raise StudyTamperedError(
            f"{path}: not opened: the file holds {listed}, which fieldkit never creates; a study "
            "changed outside fieldkit could run commands of its own when it is used, so nothing "
            "was read from it or written to it")
    if missing:
        lacking = ", ".join(f"“{n}”" for n in sorted(missing)[:3])
        raise StudyTamperedError(
            f"{path}: not opened: the file lacks {lacking} of fieldkit's study format {version}; "
            "it was changed outside fieldkit, and nothing was written to it")


def _describe(obj: Object, *, changed: bool) -> str:
    kind, name, table, sql = obj
    what = {"table": "a table", "index": "an index", "trigger": "a trigger", "view": "a view"}.get(kind, kind)
    if kind == "table" and sql.upper().startswith("CREATE VIRTUAL TABLE"):
        what = "a virtual table"
    if changed:
        return f"{what} “{name}” defined differently from fieldkit's"
    where = f" on “{table}”" if kind in ("index", "trigger") and table != name else ""
    return f"{what} “{name}”{where}"
