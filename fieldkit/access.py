"""Reading Microsoft Access databases (.mdb, .accdb) so organisations can be imported from them.

Only reads: the source file is opened read-only and nothing is ever written to it.

    tables(path)            -> [TableInfo(name, rows), ...]   user tables only (no MSys*)
    read_table(path, name)  -> (columns, rows)                rows: list of dicts, typed values
    reader_name()           -> "mdbtools" or "access-parser"  which reader is in use

Values come typed: Date/Time -> ``datetime.datetime`` (``datetime.date`` only where the reader
gives a bare date), Currency and Decimal -> ``decimal.Decimal``, Yes/No -> ``bool``,
Text/Memo/Hyperlink -> ``str``, Byte/Integer/Long -> ``int``, Single/Double -> ``float``,
empty -> ``None``. OLE objects and attachments are left out (``None``).

Every problem raises :class:`AccessError` with a one-line message: not an Access database, a
password-protected or encrypted one, a damaged one, no reader available, an unknown table.

Two readers, chosen in this order:

1. **mdbtools** (the ``mdb-tables``, ``mdb-count``, ``mdb-schema`` and ``mdb-export`` commands),
   when they are on PATH. It reads Jet 3/4 (.mdb, Access 97-2003) and ACE (.accdb, Access
   2007+) files completely, with exact Currency values.
2. **access-parser** (pure Python, installed with fieldkit), otherwise. It reads most .mdb
   files but fails on some .accdb tables (in student-records.accdb it cannot read
   ``Department``); such a table raises AccessError suggesting mdbtools.

What a user needs:

* **Linux**: ``sudo apt-get install mdbtools`` (Debian/Ubuntu; Fedora: ``dnf install
  mdbtools``). Without it, the built-in access-parser reader is used.
* **macOS**: ``brew install mdbtools`` (Homebrew). Without it, access-parser is used.
* **Windows**: nothing to install; access-parser is used. (mdbtools has no maintained
  Windows build. Microsoft's Access Database Engine through pyodbc would be a third reader
  there; it is not implemented.) If a table cannot be read, open the database in Access and
  export the table as CSV or Excel, or read it on a Mac or Linux machine with mdbtools.

Neither reader can open a password-protected or encrypted database: remove the password in
Access (File > Info > Decrypt Database / Unset Database Password) and try again.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from fieldkit.errors import FieldkitError

__all__ = ["AccessError", "TableInfo", "tables", "read_table", "reader_name", "available_readers"]

MDBTOOLS = "mdbtools"
ACCESS_PARSER = "access-parser"

_TIMEOUT = 120  # seconds for one mdbtools command
_DATE_FMT = "%Y-%m-%d"
_DATETIME_FMT = "%Y-%m-%d %H:%M:%S"
_INSTALL_HINT = (
    "install mdbtools (Debian/Ubuntu: apt-get install mdbtools; macOS: brew install mdbtools) "
    "or the access-parser Python package (pip install access-parser)"
)


class AccessError(FieldkitError):
    """An Access database cannot be read: not Access, protected, damaged, no reader, no such table."""


@dataclass(frozen=True)
class TableInfo:
    name: str
    rows: int


# --- which reader ---------------------------------------------------------------------------


def _have_mdbtools() -> bool:
    return all(shutil.which(c) for c in ("mdb-tables", "mdb-count", "mdb-schema", "mdb-export"))


def _have_access_parser() -> bool:
    try:
        import access_parser  # noqa: F401
    except ImportError:
        return False
    return True


def available_readers() -> list[str]:
    """The readers installed here, best first."""
    found = []
    if _have_mdbtools():
        found.append(MDBTOOLS)
    if _have_access_parser():
        found.append(ACCESS_PARSER)
    return found


def reader_name() -> str:
    """The reader that tables() and read_table() use: "mdbtools" or "access-parser"."""
    found = available_readers()
    if not found:
        raise AccessError(f"No reader for Access databases is available: {_INSTALL_HINT}.")
    return found[0]


def _pick(reader: str | None) -> str:
    if reader is None:
        return reader_name()
    if reader not in (MDBTOOLS, ACCESS_PARSER):
        raise ValueError(f"unknown Access reader {reader!r}")
    if reader not in available_readers():
        raise AccessError(f"The {reader} reader for Access databases is not available: {_INSTALL_HINT}.")
    return reader


# --- checking the file itself ---------------------------------------------------------------

_MAGIC = {b"Standard Jet DB\x00": "Jet", b"Standard ACE DB\x00": "ACE"}
_HEADER_KEY = struct.pack("<I", 0x6B39DAC7)  # the fixed RC4 key of the file header


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for b in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _check_file(path) -> Path:
    """Raise AccessError unless ``path`` looks like a readable, unprotected, whole Access file."""
    p = Path(path)
    if not p.is_file():
        raise AccessError(f"{p}: no such file.")
    try:
        with open(p, "rb") as f:  # read-only
            head = f.read(4096)
        size = p.stat().st_size
    except OSError as e:
        raise AccessError(f"{p}: cannot be read ({e.strerror or e}).") from e
    kind = _MAGIC.get(head[4:20]) if head[:4] == b"\x00\x01\x00\x00" else None
    if kind is None:
        raise AccessError(f"{p.name} is not a Microsoft Access database (.mdb or .accdb).")
    if len(head) < 0x80:
        raise AccessError(f"{p.name} is damaged: the Access database is cut short.")
    version = head[0x14]  # 0 = Jet 3, 1 = Jet 4, 2+ = ACE
    page_size = 2048 if version == 0 else 4096
    if size % page_size or size < 2 * page_size:
        raise AccessError(f"{p.name} is damaged: the Access database is cut short or incomplete.")
    if version == 0:
        password = head[0x42 : 0x42 + 20]
        encoding_key = b"\x00"
    else:
        plain = _rc4(_HEADER_KEY, head[0x18 : 0x18 + 126])
        header = head[:0x18] + plain
        (created,) = struct.unpack("<d", header[0x72:0x7A])
        mask = struct.pack("<i", int(created)) if abs(created) < 2**31 else b"\x00" * 4
        password = bytes(b ^ mask[i % 4] for i, b in enumerate(header[0x42 : 0x42 + 40]))
        encoding_key = header[0x3E:0x42]
    if any(password) or (version >= 2 and any(encoding_key)):
        raise AccessError(
            f"{p.name} is password-protected or encrypted: remove the password in Access "
            "(File > Info) and try again."
        )
    return p


def _damaged(p: Path, detail: str = "") -> AccessError:
    detail = " ".join(detail.split())[:120]
    return AccessError(f"{p.name} is damaged and cannot be read" + (f" ({detail})." if detail else "."))


def _unknown_table(p: Path, name: str, names: list[str]) -> AccessError:
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    return AccessError(f"{p.name} has no table {name!r} (its tables: {shown or 'none'}).")


def _user_table(name: str) -> bool:
    return bool(name) and not name.startswith(("MSys", "f_")) and not name.startswith("~")


# --- mdbtools ---------------------------------------------------------------------------------

_TROUBLE = re.compile(r"beyond EOF|error|unrecognized|unable|not a valid|invalid|failed", re.I)


def _run(p: Path, args: list[str]) -> str:
    env = dict(os.environ, LC_ALL="C")  # "." as the decimal point whatever the user's locale
    try:
        done = subprocess.run(
            args, capture_output=True, timeout=_TIMEOUT, env=env, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as e:
        raise AccessError(f"{p.name}: reading it took longer than {_TIMEOUT} seconds.") from e
    except OSError as e:
        raise AccessError(f"{p.name}: cannot run {args[0]} ({e.strerror or e}).") from e
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0 or _TROUBLE.search(err):
        raise _damaged(p, err.strip().splitlines()[-1] if err.strip() else "")
    return done.stdout.decode("utf-8", "replace")


def _mdb_names(p: Path) -> list[str]:
    out = _run(p, ["mdb-tables", "-1", str(p)])
    names = out.splitlines()
    if any(not n.strip() for n in names):
        raise _damaged(p, "table names are missing")
    return [n for n in names if _user_table(n)]


def _mdb_count(p: Path, name: str) -> int:
    out = _run(p, ["mdb-count", str(p), name]).strip()
    try:
        return int(out)
    except ValueError:
        raise _damaged(p, f"no row count for {name}") from None


_SCHEMA_COL = re.compile(r"^\s*\[(?P<name>.+?)\]\s+(?P<type>[^,\n]+?)(?:\s+NOT NULL)?\s*,?\s*$")


def _mdb_types(p: Path, name: str) -> dict[str, str]:
    """Column name -> Access type name, from mdb-schema's "access" dialect."""
    out = _run(p, ["mdb-schema", "--no-relations", "--no-indexes", "-T", name, str(p), "access"])
    types = {}
    for line in out.splitlines():
        m = _SCHEMA_COL.match(line)
        if m:
            types[m["name"]] = m["type"].strip()
    return types


# A quoted field ("" inside is one "), or an unquoted one (empty = NULL), then , or end of line.
_CSV_FIELD = re.compile(r'"((?:[^"]|"")*)"|([^,\n]*)')


def _parse_csv(text: str):
    """mdb-export's CSV, keeping the difference between NULL (empty) and "" (quoted empty)."""
    pos, n = 0, len(text)
    while pos < n:
        row = []
        while True:
            m = _CSV_FIELD.match(text, pos)
            assert m is not None  # the unquoted alternative matches anywhere, if only ""
            if m.group(1) is not None:
                row.append(m.group(1).replace('""', '"'))
            else:
                row.append(m.group(2) if m.group(2) != "" else None)
            pos = m.end()
            if pos < n and text[pos] == ",":
                pos += 1
                continue
            if pos < n and text[pos] == "\r":
                pos += 1
            if pos < n and text[pos] == "\n":
                pos += 1
            break
        yield row


def _access_kind(type_name: str) -> str:
    t = type_name.lower()
    if t.startswith("boolean"):
        return "bool"
    if t.startswith(("byte", "integer", "long integer", "int")):
        return "int"
    if t.startswith(("currency", "numeric", "decimal", "money")):
        return "decimal"
    if t.startswith(("single", "double", "float", "real")):
        return "float"
    if t.startswith(("datetime", "date")):
        return "datetime"
    if t.startswith(("ole", "binary", "attachment", "complex")):
        return "binary"
    return "str"  # Text, Memo/Hyperlink, Replication ID, anything unknown


def _typed(kind: str, raw: str | None):
    if raw is None:
        return None
    if kind == "str":
        return raw
    if kind == "binary":
        return None
    if kind == "bool":
        return raw.strip() not in ("0", "", "FALSE", "false")
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "decimal":
        return Decimal(raw)
    if kind == "datetime":
        try:
            return _dt.datetime.strptime(raw, _DATETIME_FMT)
        except ValueError:
            return _dt.datetime.strptime(raw, _DATE_FMT).date()
    return raw


def _mdb_read(p: Path, name: str):
    if name not in _mdb_names(p):
        raise _unknown_table(p, name, _mdb_names(p))
    types = _mdb_types(p, name)
    out = _run(
        p,
        ["mdb-export", "-D", _DATE_FMT, "-T", _DATETIME_FMT, "-b", "strip", str(p), name],
    )
    records = _parse_csv(out)
    columns = next(records, None)
    if columns is None:
        raise _damaged(p, f"{name} has no header row")
    kinds = [_access_kind(types.get(c, "Text")) for c in columns]
    rows = []
    for number, rec in enumerate(records, start=1):
        if len(rec) != len(columns):
            raise _damaged(p, f"row {number} of {name} has {len(rec)} of {len(columns)} values")
        try:
            rows.append({c: _typed(k, v) for c, k, v in zip(columns, kinds, rec, strict=True)})
        except (ValueError, InvalidOperation) as e:
            raise _damaged(p, f"row {number} of {name}: {e}") from e
    return list(columns), rows


# --- access-parser ------------------------------------------------------------------------------


def _ap_open(p: Path):
    import logging

    logging.getLogger("access_parser").setLevel(logging.ERROR)  # it warns on every odd page
    from access_parser import AccessParser

    try:
        return AccessParser(str(p))
    except Exception as e:  # the library raises bare errors for anything it cannot parse
        raise _damaged(p, type(e).__name__) from e


def _ap_names(db) -> list[str]:
    return [n for n in db.catalog if _user_table(n)]


def _ap_table(p: Path, db, name: str):
    """(columns in Access order, {column: values}) with exact Currency values."""
    from access_parser import utils as apu

    try:
        table = db.get_table(name)
        cols = [c for _, c in sorted(table.columns.items())]  # Access's column order
        for c in cols:
            if c.type == apu.TYPE_MONEY:
                c.extra_props = None  # otherwise rounded to 2 places and formatted as "$1,234.50"
        data = table.parse()
    except Exception as e:
        raise AccessError(
            f"{p.name}: the access-parser reader cannot read table {name!r} ({type(e).__name__}); "
            "install mdbtools (Debian/Ubuntu: apt-get install mdbtools; macOS: brew install mdbtools) "
            "or export the table from Access as CSV."
        ) from e
    return cols, data


_EPOCH = _dt.datetime(1899, 12, 30)


def _ap_value(col_type: int, value):
    from access_parser import utils as apu

    if value is None:
        return None
    t = col_type
    if t == apu.TYPE_BOOLEAN:
        return bool(value)
    if t == apu.TYPE_INT8:
        return value + 256 if value < 0 else value  # Access's Byte is unsigned
    if t in (apu.TYPE_INT16, apu.TYPE_INT32):
        return int(value)
    if t == apu.TYPE_MONEY:
        return Decimal(int(value)).scaleb(-4)
    if t in (apu.TYPE_FLOAT32, apu.TYPE_FLOAT64):
        return float(value)
    if t == apu.TYPE_DATETIME:
        if value == "(Empty Date)":
            return _EPOCH
        if value == "(Invalid Date)" or not isinstance(value, str):
            return None
        d = _dt.datetime.fromisoformat(value)
        return (d + _dt.timedelta(microseconds=500_000)).replace(microsecond=0)  # to the second
    if t == apu.TYPE_96_bit_17_BYTES:  # Decimal (Numeric)
        return Decimal(value) if isinstance(value, str) else None
    if t in (apu.TYPE_TEXT, apu.TYPE_MEMO, apu.TYPE_GUID):
        return value if isinstance(value, str) else str(value)
    return None  # OLE, binary, attachments


def _ap_read(p: Path, name: str):
    db = _ap_open(p)
    names = _ap_names(db)
    if name not in names:
        raise _unknown_table(p, name, names)
    cols, data = _ap_table(p, db, name)
    columns = [c.col_name_str for c in cols]
    count = max((len(v) for v in data.values()), default=0)
    rows = []
    for i in range(count):
        row = {}
        for c in cols:
            values = data.get(c.col_name_str, [])
            row[c.col_name_str] = _ap_value(c.type, values[i] if i < len(values) else None)
        rows.append(row)
    return columns, rows


# --- public ---------------------------------------------------------------------------------------


def tables(path, *, reader: str | None = None) -> list[TableInfo]:
    """The database's user tables (no MSys* system tables) with their row counts."""
    which = _pick(reader)
    p = _check_file(path)
    if which == MDBTOOLS:
        return [TableInfo(n, _mdb_count(p, n)) for n in _mdb_names(p)]
    db = _ap_open(p)
    found = []
    for n in _ap_names(db):
        _, data = _ap_table(p, db, n)
        found.append(TableInfo(n, max((len(v) for v in data.values()), default=0)))
    return found


def read_table(path, name: str, *, reader: str | None = None) -> tuple[list[str], list[dict]]:
    """(column names in the table's order, rows as {column: typed value})."""
    which = _pick(reader)
    p = _check_file(path)
    if which == MDBTOOLS:
        return _mdb_read(p, name)
    return _ap_read(p, name)
