"""Study archives: the whole study as documented JSON in one zip, for handing over or depositing.

    archive_study(study, "west-midlands.zip")                  # a plain study: a plain zip
    archive_study(study, "west-midlands.zip", passphrase=p)    # AES-256 (WinZip AES) zip
    unarchive("west-midlands.zip", "restored.fieldkit")        # a new study, through Study.create

An archive holds a ``manifest.json`` (what the archive is and a SHA-256 of every other file),
one ``tables/<table>.json`` per table (rows as objects, values as SQLite stores them), the
study's template versions as ``templates/version-N.toml`` and a ``README.txt``. Anyone can read
it with a zip tool and a JSON reader; docs/archive-format.md describes every file and column.

Left out, and said so in the manifest: the full-text indexes (derived from the records, and
rebuilt on unarchive by the study's own code) and the anonymous answers still held with their
interviews (fieldkit.held): like every backup and copy, an archive never holds an anonymous
answer next to its interview, so that no archive can later be set beside the pool to tell whose
it was. While answers are held, ``archive_study`` refuses unless told to leave them out.

The pool's tables are written in an order shuffled afresh for each archive by the operating
system's random generator, never in the order of their ids or of their writing; their rows
carry nothing but what the pool holds (fieldkit.storage.schema.POOL_COLUMNS).

Reading (fieldkit.archive_read) trusts nothing: the names, sizes and checksums of the members
are checked before any study is made, reads are capped, and the study is built under a
temporary name and renamed into place only when complete, so bad input leaves nothing behind.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import tomllib
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.errors import FieldkitError, PassphraseError
from fieldkit.storage import sqlite
from fieldkit.storage.schema import POOL_COLUMNS

if TYPE_CHECKING:
    from fieldkit.study import Study

#: What the manifest calls the format, and its version (refused by name when newer).
FORMAT = "fieldkit-study-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
README = "README.txt"
SUFFIX = ".zip"

#: What a reader unpacks at most: one member, all members together, the manifest, members.
#: An archive writer refuses to write a member a reader would refuse.
MAX_MEMBER_BYTES = 512 * 2**20
MAX_TOTAL_BYTES = 2 * 2**30
MAX_MANIFEST_BYTES = 16 * 2**20
MAX_MEMBERS = 20_000

#: Tables derived from the others: not archived, rebuilt on unarchive (Search.rebuild).
DERIVED = {
    "search_index": "the full-text index of organisations, contacts and named answers; derived from them "
                    "and rebuilt when the archive is unpacked",
    "pool_search": "the full-text index of the pool's comments; derived from them and rebuilt when the "
                   "archive is unpacked",
}
_FTS_SHADOWS = ("data", "idx", "content", "docsize", "config")

_HELD_WHY = ("anonymous answers still held with their interviews (not yet in the pool) are never "
             "archived, as they are never backed up or copied: set beside the pool later, they "
             "would tell whose each comment is")

TEMPLATE_MEMBER = re.compile(r"^templates/version-([1-9][0-9]{0,8})\.(toml|json)$")
TABLE_MEMBER = re.compile(r"^tables/([a-z][a-z0-9_]{0,62})\.json$")


class ArchiveError(FieldkitError):
    """A study archive cannot be written or read: not a zip, not fieldkit's, damaged, altered,
    too new, too large, or the study cannot be archived as it is."""


# --- writing -----------------------------------------------------------------------------------


def archive_study(study: Study, path: str | os.PathLike, *, passphrase: str | None = None,
                  without_held: bool = False) -> Path:
    """Write the whole study to the zip archive at ``path`` (``.zip`` added when missing;
    an existing file is replaced only once the new one is complete). Returns the path.

    :param passphrase: encrypt the archive (AES-256, WinZip AES) with it. Required for an
        encrypted study, whose archive is always encrypted, and then it must not be the
        study's own passphrase: an archive's key is derived far more cheaply (1,000 rounds
        of PBKDF2-SHA1, the zip standard) than the study's, and an archive is handed to
        others. Optional for a plain study.
    :param without_held: leave out the anonymous answers still held with their interviews.
        Without it, a study holding any is refused: they are never archived (see above).
    """
    from fieldkit import __version__
    from fieldkit.exports import write_atomically

    path = Path(path)
    if path.suffix.lower() != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    password = _archive_password(study, passphrase)
    stamp = dt.datetime.now().replace(microsecond=0)
    members: list[tuple[str, bytes]] = []
    tables: list[dict[str, Any]] = []
    with study._mutex:
        conn = study.conn
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")  # one snapshot of the whole study, even while it is written elsewhere
        try:
            check_archivable(study, without_held=without_held)
            held = study.held.count()
            names, derived = archivable_tables(conn)
            for table in names:
                columns = table_columns(conn, table)
                rows = [] if table == "held" else _rows(conn, table, columns)
                if table in POOL_COLUMNS:
                    secrets.SystemRandom().shuffle(rows)  # never in id or insertion order
                member = f"tables/{table}.json"
                members.append((member, _encode_rows(study.path, table, columns, rows)))
                tables.append({"name": table, "member": member, "rows": len(rows),
                               "order": "shuffled" if table in POOL_COLUMNS else "primary key",
                               "pool": table in POOL_COLUMNS, "columns": columns})
            templates = []
            for version, definition in conn.execute(
                    "SELECT version, definition FROM template_versions ORDER BY version").fetchall():
                name, data = _template_member(study.path, version, definition)
                members.append((name, data))
                templates.append({"version": version, "member": name})
            title = conn.execute("SELECT value FROM meta WHERE key = 'title'").fetchone()
            schema = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            if own:
                conn.execute("COMMIT")
    members.insert(0, (README, _readme().encode("utf-8")))
    for name, data in members:
        if len(data) > MAX_MEMBER_BYTES:
            raise ArchiveError(f"{study.path}: {name} would be {len(data) / 2**20:.0f} MiB, more than an archive "
                               f"may hold in one file ({MAX_MEMBER_BYTES // 2**20} MiB); nothing was written")
    if sum(len(data) for _, data in members) > MAX_TOTAL_BYTES:
        raise ArchiveError(f"{study.path}: the study is larger than an archive may hold "
                           f"({MAX_TOTAL_BYTES // 2**30} GiB unpacked); nothing was written")
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "fieldkit_version": __version__,
        "title": title[0] if title else "",
        "created": stamp.isoformat(),
        "schema_version": schema,
        "encrypted": password is not None,
        "tables": tables,
        "templates": templates,
        "left_out": [{"table": t, "why": DERIVED.get(t, "derived from the other tables")} for t in derived],
        "held_answers_left_out": held,
        "held_why": _HELD_WHY,
        "members": {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in members},
    }
    members.insert(0, (MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8")))
    date_time = max(stamp, dt.datetime(1980, 1, 1)).timetuple()[:6]
    write_atomically(path, lambda f: _write_zip(f, members, date_time, password))
    return path


def check_archivable(study: Study, *, without_held: bool = False) -> None:
    """Refuse (ArchiveError) to archive a study holding anonymous answers with their
    interviews, unless they are to be left out: an archive never holds them."""
    with study._mutex:
        count, interviews = study.conn.execute("SELECT count(*), count(DISTINCT interview_id) FROM held").fetchone()
    if count and not without_held:
        raise ArchiveError(
            f"{study.path}: {count} anonymous answer{'s' if count != 1 else ''} of {interviews} "
            f"interview{'s' if interviews != 1 else ''} {'are' if count != 1 else 'is'} still held with their "
            "interviews, and an archive never holds them; move them to the pool first (fieldkit pool "
            f"\"{study.path}\" --move-now) or leave them out (--without-held); nothing was written")


def archivable_tables(conn: sqlite.Connection) -> tuple[list[str], list[str]]:
    """The study's tables an archive holds, in the order they were made, and the derived ones
    it leaves out (full-text indexes, whose shadow tables are not listed; SQLite's own
    ``sqlite_*`` tables are neither)."""
    kept, derived = [], []
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY rowid").fetchall()
    virtual = {name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")}
    shadows = {f"{v}_{s}" for v in virtual for s in _FTS_SHADOWS}
    for name, _sql in rows:
        if name.startswith("sqlite_") or name in shadows:
            continue
        if name in virtual:
            if name not in DERIVED:
                raise ArchiveError(f"the table {name} is not one this fieldkit knows how to archive")
            derived.append(name)
        else:
            kept.append(name)
    return kept, derived


def _archive_password(study: Study, passphrase: str | None) -> bytes | None:
    if passphrase is None:
        if study.encrypted:
            raise PassphraseError(f"{study.path}: the study is encrypted, so its archive is too: choose a "
                                  "passphrase for the archive", needed=True)
        return None
    passphrase = sqlite.check_new_passphrase(passphrase)
    if study.encrypted and sqlite.key_for_file(study.path, passphrase) == study._key:
        raise ArchiveError(f"{study.path}: choose a passphrase for the archive other than the study's own (an "
                           "archive's is far quicker to guess, and the archive goes to others); nothing was written")
    return passphrase.encode("utf-8")


def table_columns(conn: sqlite.Connection, table: str) -> list[dict[str, Any]]:
    return [{"name": name, "type": (kind or "").upper(), "not_null": bool(notnull), "primary_key": pk}
            for _cid, name, kind, notnull, _default, pk in conn.execute(f"PRAGMA table_info(\"{table}\")")]


def _rows(conn: sqlite.Connection, table: str, columns: list[dict[str, Any]]) -> list[tuple]:
    """Every row, in primary-key order (rowid order for a table without one)."""
    keys = [c["name"] for c in sorted((c for c in columns if c["primary_key"]), key=lambda c: c["primary_key"])]
    order = ", ".join(f'"{k}"' for k in keys) or "rowid"
    names = ", ".join(f'"{c["name"]}"' for c in columns)
    return conn.execute(f'SELECT {names} FROM "{table}" ORDER BY {order}').fetchall()


def _encode_rows(where: Path, table: str, columns: list[dict[str, Any]], rows: list[tuple]) -> bytes:
    """A JSON array of row objects, one row a line. A BLOB column's values are base64 text."""
    names = [c["name"] for c in columns]
    blobs = [c["type"] == "BLOB" for c in columns]
    lines = []
    for row in rows:
        out = {}
        for name, blob, value in zip(names, blobs, row, strict=True):
            if isinstance(value, bytes) != (blob and value is not None):
                raise ArchiveError(f"{where}: the {table} table's {name} column holds a "
                                   f"{type(value).__name__} value; it cannot be archived as it is")
            out[name] = base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
        try:
            lines.append(json.dumps(out, ensure_ascii=False, allow_nan=False))
        except ValueError:
            raise ArchiveError(f"{where}: the {table} table holds a number JSON cannot write (infinite); "
                               "it cannot be archived as it is") from None
    return ("[\n" + ",\n".join(lines) + ("\n]\n" if lines else "]\n")).encode("utf-8")


def _template_member(where: Path, version: int, definition: str) -> tuple[str, bytes]:
    """A template version as a template file (TOML, as in forms/), or as the JSON the study
    stores when TOML cannot hold it exactly."""
    import tomli_w

    try:
        data = json.loads(definition)
    except (TypeError, ValueError, RecursionError):
        raise ArchiveError(f"{where}: template version {version} is damaged; nothing was written") from None
    head = (f"# Template version {version} of the study, as the study stores it: fieldkit's template format "
            "(forms/README.md).\n\n")
    for multiline in (True, False):
        try:
            body = tomli_w.dumps(data, multiline_strings=multiline)
        except (TypeError, ValueError):
            break
        if tomllib.loads(body) == data:
            return f"templates/version-{version}.toml", (head + body).encode("utf-8")
    return f"templates/version-{version}.json", (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _write_zip(f: io.BufferedWriter, members: list[tuple[str, bytes]], date_time: tuple,
               password: bytes | None) -> None:
    if password is None:
        zf: Any = zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED)
    else:
        import pyzipper

        zf = pyzipper.AESZipFile(f, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES)
        zf.setpassword(password)
        # AE-2: no CRC-32 of a member's content in the clear (its HMAC-SHA1 checks it instead).
        zf.setencryption(pyzipper.WZ_AES, nbits=256, force_wz_aes_version=pyzipper.zipfile_aes.WZ_AES_V2)
    info_class = getattr(zf, "zipinfo_cls", zipfile.ZipInfo)  # pyzipper's own, which carries the AES fields
    with zf:
        for name, data in members:
            info = info_class(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)


def _readme() -> str:
    return f"""\
A fieldkit study archive (format {FORMAT_VERSION})

This zip holds one fieldkit study: every record it keeps, as JSON, readable with any zip
tool and any JSON reader, without fieldkit. fieldkit makes it into a study file again with

    fieldkit unarchive THIS.zip NEW-STUDY.fieldkit

manifest.json            what this archive is: the study's title, when the archive was made,
                         the fieldkit and study format that made it, every table with its
                         columns and number of rows, and a SHA-256 checksum of every other file
tables/<table>.json      one table of the study: a JSON array of rows, each an object keyed by
                         column name, values as the study stores them (text, whole or decimal
                         numbers, null; a BLOB column, such as a logo's image, as base64 text)
templates/version-N.toml every version of the study's template (its schedule of questions,
                         vocabularies, tick boxes, targets and themes) in fieldkit's template
                         format; interviews record the version they were taken with

The anonymous comment pool (tables pool, pool_themes, pool_counts, pool_names, pool_quotes,
pool_duplicates) holds nothing that points at an organisation or an interview, and its rows
are written in an order shuffled afresh for every archive. Left out: the full-text search
indexes, which are derived from the other tables, and any anonymous answers still held with
their interviews before moving to the pool (the manifest says how many).

An encrypted archive is an AES-256 zip (WinZip AES), which 7-Zip and most archivers open with
its passphrase. The format is described in full in fieldkit's docs/archive-format.md.
"""


# --- reading (fieldkit.archive_read) -----------------------------------------------------------


def is_encrypted(path: str | os.PathLike) -> bool:
    """Whether the archive at ``path`` needs a passphrase (to ask for it before ``unarchive``).
    ArchiveError when it is not a readable zip archive."""
    from fieldkit import archive_read

    with archive_read.Archive(Path(path), None) as archive:
        return archive.encrypted


def unarchive(path: str | os.PathLike, study_path: str | os.PathLike, *, passphrase: str | None = None,
              allow_risky_location: bool = False) -> Path:
    """Make a new study at ``study_path`` (``.fieldkit`` added when missing) from the archive at
    ``path``; returns its path. The study is created by ``Study.create``, its tables are filled,
    ids and all, the search indexes are rebuilt and the pool is laid out anew.

    An existing file at ``study_path`` is never replaced. An encrypted archive needs its
    ``passphrase`` (PassphraseError: ``needed`` when none was given, else wrong) and makes a
    study encrypted with it; with a plain archive, a ``passphrase`` encrypts the new study.
    Anything wrong with the archive raises ArchiveError, and no file is left behind.
    """
    from fieldkit import archive_read

    return archive_read.unarchive(Path(path), Path(study_path), passphrase=passphrase,
                                  allow_risky_location=allow_risky_location)
