"""Reading a study archive (fieldkit.archive) back into a new study, trusting nothing in it.

Before any study is made, every member's name is checked (nothing that could point outside a
folder, no duplicates, exactly the files the manifest lists), every size is checked against
caps that no real study reaches (so a zip bomb is refused, not unpacked), every member is read
no further than it declares and checked against the manifest's SHA-256, and every template
version must load. Only then is the study created, under a temporary name beside the target,
through ``Study.create`` (the one schema source); the tables are filled in one transaction,
the search indexes are rebuilt from the records and the pool is laid out anew in random-id
order (``Pool.rewrite``). The finished file is renamed into place, never over an existing one.
Whatever goes wrong, nothing is left behind.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import tomllib
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.archive import (FORMAT, FORMAT_VERSION, MANIFEST, MAX_MANIFEST_BYTES, TABLE_MEMBER, TEMPLATE_MEMBER,
                              MAX_MEMBER_BYTES, MAX_MEMBERS, MAX_TOTAL_BYTES, README, ArchiveError,
                              archivable_tables, table_columns)
from fieldkit.errors import PassphraseError, TemplateError
from fieldkit.storage import sqlite
from fieldkit.storage.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from fieldkit.study import Study

_NOTHING = "nothing was written"


def unarchive(path: Path, study_path: Path, *, passphrase: str | None = None,
              allow_risky_location: bool = False) -> Path:
    """``fieldkit.archive.unarchive``: check everything in the archive, then make the study."""
    from fieldkit.storage.connection import SUFFIX

    target = study_path if study_path.suffix == SUFFIX else study_path.with_name(study_path.name + SUFFIX)
    if target.exists() or target.is_symlink():
        raise ArchiveError(f"{target}: a file with that name already exists; {_NOTHING}")
    if not target.parent.is_dir():
        raise ArchiveError(f"{target}: the folder {target.parent} does not exist; {_NOTHING}")
    with Archive(path, passphrase) as archive:
        if archive.encrypted and passphrase is None:
            raise PassphraseError(f"{path}: the archive is encrypted; enter its passphrase to unpack it", needed=True)
        manifest = archive.manifest()
        tables = {t["name"]: (t, archive.rows(t)) for t in manifest["tables"]}
        templates = {t["version"]: (t["member"], archive.read(t["member"])) for t in manifest["templates"]}
        archive.read(README)  # checked like every member, though nothing is taken from it
    first = _checked_templates(path, tables, templates)
    return _make_study(path, target, manifest, tables, first, passphrase=passphrase,
                       allow_risky_location=allow_risky_location)


# --- the zip and its members ---------------------------------------------------------------------


class Archive:
    """An archive open for reading, its members' names and declared sizes checked on opening."""

    def __init__(self, path: Path, passphrase: str | None):
        import pyzipper

        self.path = path
        if not path.is_file():
            raise ArchiveError(f"{path}: {'no such file' if not path.exists() else 'not a file'}")
        try:
            self._zip = pyzipper.AESZipFile(path)
        except OSError as e:
            raise ArchiveError(f"{path}: cannot read the file ({e.strerror or e})") from None
        except Exception:  # BadZipFile (the standard library's or pyzipper's), or worse in a hostile file
            raise ArchiveError(f"{path}: not a zip archive (or a damaged one); {_NOTHING}") from None
        try:
            self._check_names()
        except BaseException:
            self._zip.close()
            raise
        if passphrase is not None:
            self._zip.setpassword(sqlite.normalise_passphrase(passphrase).encode("utf-8"))
        self._has_passphrase = passphrase is not None
        self._manifest: dict[str, Any] | None = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    def _check_names(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ArchiveError(f"{self.path}: holds {len(infos):,} files, more than a fieldkit archive may; {_NOTHING}")
        self.infos: dict[str, Any] = {}
        for info in infos:
            name = info.filename
            if _unsafe(name):
                raise ArchiveError(f"{self.path}: holds a file named {name!r}, which points outside the archive's "
                                   f"folder; not a fieldkit archive, {_NOTHING}")
            if name in self.infos:
                raise ArchiveError(f"{self.path}: holds two files named {name!r}; not a fieldkit archive, {_NOTHING}")
            if name in ("tables/", "templates/") and info.file_size == 0:
                continue  # a folder entry, as some archivers add when the folders are zipped again
            self.infos[name] = info
            if info.file_size > MAX_MEMBER_BYTES:
                raise ArchiveError(f"{self.path}: {name} would unpack to {info.file_size / 2**20:,.0f} MiB, more "
                                   f"than fieldkit reads ({MAX_MEMBER_BYTES // 2**20} MiB); {_NOTHING}")
        total = sum(i.file_size for i in self.infos.values())
        if total > MAX_TOTAL_BYTES:
            raise ArchiveError(f"{self.path}: would unpack to {total / 2**30:,.1f} GiB, more than fieldkit reads "
                               f"({MAX_TOTAL_BYTES // 2**30} GiB); {_NOTHING}")
        if MANIFEST not in self.infos:
            raise ArchiveError(f"{self.path}: not a fieldkit archive (it has no {MANIFEST}); {_NOTHING}")
        locked = {bool(i.flag_bits & 0x1) for i in self.infos.values()}
        if len(locked) > 1:
            raise ArchiveError(f"{self.path}: some of its files are encrypted and some are not, which a fieldkit "
                               f"archive never is; {_NOTHING}")
        self.encrypted = locked == {True}

    def read(self, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
        """A member's bytes, read no further than it declares (nor than ``limit``) and, once
        the manifest is read, checked against its SHA-256 there."""
        import zlib

        import pyzipper

        info = self.infos.get(name)
        if info is None:
            raise ArchiveError(f"{self.path}: {name} is missing; the archive is damaged, {_NOTHING}")
        if info.file_size > limit:
            raise ArchiveError(f"{self.path}: {name} would unpack to {info.file_size:,} bytes, more than fieldkit "
                               f"reads ({limit:,}); {_NOTHING}")
        chunks, size = [], 0
        try:
            with self._zip.open(info) as f:
                while chunk := f.read(2**20):
                    size += len(chunk)
                    if size > info.file_size:
                        raise ArchiveError(f"{self.path}: {name} unpacks to more than the {info.file_size:,} bytes "
                                           f"it declares; the archive is damaged or made to fill memory, {_NOTHING}")
                    chunks.append(chunk)
        except RuntimeError:  # zipfile and pyzipper: a wrong passphrase, or none for an encrypted file
            if not self._has_passphrase:
                raise PassphraseError(f"{self.path}: the archive is encrypted; enter its passphrase to unpack it",
                                      needed=True) from None
            raise PassphraseError(f"{self.path}: the passphrase does not open this archive; {_NOTHING}",
                                  needed=False) from None
        except (zipfile.BadZipFile, pyzipper.BadZipFile) as e:
            hint = " (or the passphrase is wrong)" if self.encrypted else ""
            raise ArchiveError(f"{self.path}: {name} is damaged or was altered ({e}){hint}; {_NOTHING}") from None
        except ArchiveError:
            raise
        except OSError as e:
            raise ArchiveError(f"{self.path}: cannot read the file ({e.strerror or e})") from None
        except (zlib.error, EOFError, ValueError, NotImplementedError) as e:
            raise ArchiveError(f"{self.path}: {name} cannot be unpacked ({e}); {_NOTHING}") from None
        except Exception as e:  # the zip reader's own parsing of hostile bytes (struct.error, KeyError, ...)
            raise ArchiveError(f"{self.path}: {name} cannot be unpacked ({type(e).__name__}); the archive is "
                               f"damaged, {_NOTHING}") from None
        if size != info.file_size:
            raise ArchiveError(f"{self.path}: {name} is shorter than it declares; the archive is damaged, {_NOTHING}")
        data = b"".join(chunks)
        if name != MANIFEST:
            listed = self.manifest()["members"][name]
            if size != listed["bytes"] or hashlib.sha256(data).hexdigest() != listed["sha256"]:
                raise ArchiveError(f"{self.path}: {name} does not match its checksum in {MANIFEST}; the archive is "
                                   f"damaged or was altered, {_NOTHING}")
        return data

    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            data = _json(self.path, MANIFEST, self.read(MANIFEST, MAX_MANIFEST_BYTES))
            self._manifest = _checked_manifest(self.path, data, set(self.infos))
        return self._manifest

    def rows(self, table: dict[str, Any]) -> list[dict[str, Any]]:
        member = table["member"]
        rows = _json(self.path, member, self.read(member))
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ArchiveError(f"{self.path}: {member} is not a list of rows; {_NOTHING}")
        if len(rows) != table["rows"]:
            raise ArchiveError(f"{self.path}: {member} has {len(rows)} rows where {MANIFEST} says {table['rows']}; "
                               f"{_NOTHING}")
        return rows


def _unsafe(name: str) -> bool:
    """A member name that could point outside the folder it is unpacked into, on any system."""
    return (not name or name.startswith("/") or "\\" in name or "\x00" in name or ":" in name
            or any(part in ("", ".", "..") for part in name.removesuffix("/").split("/")))


def _json(path: Path, member: str, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ArchiveError(f"{path}: {member} is not valid JSON; {_NOTHING}") from None


def _checked_manifest(path: Path, manifest: Any, names: set[str]) -> dict[str, Any]:
    """The manifest, when it is a fieldkit archive's that this fieldkit reads and it lists
    exactly the archive's files; else ArchiveError saying which it is not."""
    def need(ok: bool, what: str) -> None:
        if not ok:
            raise ArchiveError(f"{path}: {MANIFEST} {what}; not a fieldkit archive, {_NOTHING}")

    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    need(isinstance(manifest, dict) and manifest.get("format") == FORMAT, f"does not say format {FORMAT!r}")
    made_by = manifest.get("fieldkit_version", "?")
    version = manifest.get("format_version")
    need(whole(version) and version >= 1, "has no format version")
    if version > FORMAT_VERSION:
        raise ArchiveError(f"{path}: made by a newer fieldkit ({made_by}, archive format {version}; this fieldkit "
                           f"reads up to {FORMAT_VERSION}); update fieldkit to unpack it, {_NOTHING}")
    schema = manifest.get("schema_version")
    need(whole(schema), "has no study format")
    if schema > SCHEMA_VERSION:
        raise ArchiveError(f"{path}: holds a study of a newer format ({schema}; this fieldkit reads up to "
                           f"{SCHEMA_VERSION}); update fieldkit to unpack it, {_NOTHING}")
    if schema < SCHEMA_VERSION:
        raise ArchiveError(f"{path}: holds a study of an older format ({schema}) than this fieldkit makes "
                           f"({SCHEMA_VERSION}); unpack it with fieldkit {made_by}, which made it, {_NOTHING}")
    members = manifest.get("members")
    need(isinstance(members, dict) and all(
        isinstance(m, dict) and isinstance(m.get("sha256"), str) and whole(m.get("bytes"))
        for m in members.values()), "lists no checksums")
    need(set(members) | {MANIFEST} == names and MANIFEST not in members and README in members,
         "does not list exactly the files in the archive")
    tables, templates = manifest.get("tables"), manifest.get("templates")
    need(isinstance(tables, list) and isinstance(templates, list), "lists no tables")
    seen: set[str] = set()
    for t in tables:
        need(isinstance(t, dict) and isinstance(t.get("name"), str) and t["name"] not in seen
             and t.get("member") == f"tables/{t['name']}.json" and TABLE_MEMBER.match(t["member"]) is not None,
             "lists a table wrongly")
        need(whole(t.get("rows")) and isinstance(t.get("columns"), list) and all(
            isinstance(c, dict) and isinstance(c.get("name"), str) for c in t["columns"]),
            f"lists the table {t['name']} wrongly")
        seen.add(t["name"])
    versions: set[int] = set()
    for t in templates:
        match = TEMPLATE_MEMBER.match(str(t.get("member"))) if isinstance(t, dict) else None
        need(match is not None and t.get("version") == int(match.group(1)) and t["version"] not in versions,
             "lists a template version wrongly")
        versions.add(t["version"])
    need({t["member"] for t in tables} | {t["member"] for t in templates} | {README} == set(members),
         "lists files that are neither tables nor templates")
    return manifest


def _checked_templates(path: Path, tables: dict[str, tuple[dict, list]], files: dict[int, tuple[str, bytes]]) -> Any:
    """Every stored template version loads and agrees with its file in templates/; returns
    the first version's template (what ``Study.create`` is given)."""
    from fieldkit.template_toml import template_from_dict

    rows = tables.get("template_versions", ({}, []))[1]
    loaded: dict[Any, Any] = {}
    for row in rows:
        version, definition = row.get("version"), row.get("definition")
        where = f"{path}: template version {version}"
        if not isinstance(version, int) or isinstance(version, bool):
            raise ArchiveError(f"{where} is not numbered; {_NOTHING}")
        try:
            data = json.loads(definition) if isinstance(definition, str) else None
            template = template_from_dict(data, source=where)
        except (ValueError, TypeError, AttributeError, KeyError, RecursionError, TemplateError) as e:
            problem = str(e).splitlines()[0] if isinstance(e, TemplateError) else "not valid JSON"
            raise ArchiveError(f"{where} does not load ({problem}); {_NOTHING}") from None
        loaded[version] = (data, template)
    if not loaded or set(loaded) != set(files):
        raise ArchiveError(f"{path}: the template versions in tables/template_versions.json and templates/ differ; "
                           f"{_NOTHING}")
    for version, (member, raw) in files.items():
        try:
            text = raw.decode("utf-8")
            data = tomllib.loads(text) if member.endswith(".toml") else json.loads(text)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ArchiveError(f"{path}: {member} cannot be read; {_NOTHING}") from None
        if data != loaded[version][0]:
            raise ArchiveError(f"{path}: {member} is not the template version the study stores; {_NOTHING}")
    return loaded[min(loaded)][1]


# --- the new study -------------------------------------------------------------------------------


def _make_study(path: Path, target: Path, manifest: dict[str, Any], tables: dict[str, tuple[dict, list]],
                template: Any, *, passphrase: str | None, allow_risky_location: bool) -> Path:
    """Create the study under a temporary name, fill it, close it, rename it into place."""
    from fieldkit.study import Study, move_into_place

    temp = target.with_name(f".{target.name}.unpacking-{secrets.token_hex(4)}{target.suffix}")
    study = Study.create(temp, template, title=str(manifest.get("title") or "") or None, passphrase=passphrase,
                         allow_risky_location=allow_risky_location)
    try:
        _fill(study, path, tables)
        study.close()
        if any(Path(f"{temp}{side}").exists() for side in ("-wal", "-journal")):
            raise ArchiveError(f"{target}: the new study could not be closed cleanly; {_NOTHING}")
        Path(f"{temp}-shm").unlink(missing_ok=True)
        move_into_place(temp, target)
    except BaseException:
        study.close()
        for leftover in (temp, *(Path(f"{temp}{side}") for side in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)
        raise
    return target


def _fill(study: Study, path: Path, tables: dict[str, tuple[dict, list]]) -> None:
    """Replace what ``Study.create`` wrote with the archive's rows, ids and all, in one
    transaction; then rebuild the search indexes and lay the pool out anew."""
    conn = study.conn
    expected, _derived = archivable_tables(conn)
    if set(expected) != set(tables):
        missing, extra = sorted(set(expected) - set(tables)), sorted(set(tables) - set(expected))
        what = "; ".join(p for p in (missing and f"lacks {', '.join(missing)}",
                                     extra and f"has tables the study has not ({', '.join(extra)})") if p)
        raise ArchiveError(f"{path}: the archive {what}; {_NOTHING}")
    with study.transaction():
        conn.execute("PRAGMA defer_foreign_keys = ON")  # checked before the commit, all at once
        conn.execute("DELETE FROM meta")
        conn.execute("DELETE FROM template_versions")
        for name in expected:
            listed, rows = tables[name]
            member = listed["member"]
            columns = table_columns(conn, name)
            names = [c["name"] for c in columns]
            if [c["name"] for c in listed["columns"]] != names:
                raise ArchiveError(f"{path}: {member} has the columns {', '.join(c['name'] for c in listed['columns'])}"
                                   f", not the study's ({', '.join(names)}); {_NOTHING}")
            values = [_values(path, member, number, row, columns) for number, row in enumerate(rows, start=1)]
            quoted = ", ".join(f'"{n}"' for n in names)
            try:
                conn.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({", ".join("?" * len(names))})', values)
            except (sqlite.IntegrityError, OverflowError) as e:
                why = " ".join(str(e).split())  # a CHECK constraint's text can span lines
                raise ArchiveError(f"{path}: {member} holds rows that do not fit the study ({why}); "
                                   f"{_NOTHING}") from None
        broken = conn.execute("PRAGMA foreign_key_check").fetchone()
        if broken is not None:
            raise ArchiveError(f"{path}: tables/{broken[0]}.json has a row that points at a missing {broken[2]} "
                               f"record; {_NOTHING}")
        _sort_keys_again(conn)
        study.search.rebuild()  # the indexes are derived: made again by the study's own code
        study.pool.rewrite()    # random-id order, whatever order the rows came in
    study._forget_templates()
    study.empty_wal()


def _sort_keys_again(conn: sqlite.Connection) -> None:
    """Make every organisation's ``name_key`` again from its name: the archive's keys may be of
    another collation table (an older fieldkit's), or not match the names at all (an edited
    archive), and the lists read names in the order of these keys."""
    from fieldkit.collation import sort_keys

    rows = conn.execute("SELECT id, name FROM organisations").fetchall()
    keys = sort_keys([name for _, name in rows])
    conn.executemany("UPDATE organisations SET name_key = ? WHERE id = ?",
                     [(key, org_id) for (org_id, _), key in zip(rows, keys, strict=True)])


def _values(path: Path, member: str, number: int, row: dict[str, Any], columns: list[dict[str, Any]]) -> tuple:
    """One row's values in column order, as SQLite is to store them (BLOBs from base64)."""
    names = [c["name"] for c in columns]
    if set(row) != set(names):
        raise ArchiveError(f"{path}: {member} row {number} has the columns {', '.join(row)}, not the table's; "
                           f"{_NOTHING}")
    out = []
    for column in columns:
        value = row[column["name"]]
        if column["type"] == "BLOB" and value is not None:
            try:
                value = base64.b64decode(value, validate=True) if isinstance(value, str) else None
            except (binascii.Error, ValueError):
                value = None
            if value is None:
                raise ArchiveError(f"{path}: {member} row {number}: {column['name']} is not base64 text; {_NOTHING}")
        elif value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, str))):
            raise ArchiveError(f"{path}: {member} row {number}: {column['name']} is not a text, a number or null; "
                               f"{_NOTHING}")
        out.append(value)
    return tuple(out)
