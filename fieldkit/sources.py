"""The rows of a file to import from: a CSV file, a sheet of an Excel workbook (.xlsx) or a
table of a Microsoft Access database (.mdb, .accdb), all read the same way.

    parts(path)               -> [Part(name, rows), ...]   sheets or tables ([] for a CSV file)
    read_sheet(path, part)    -> Sheet(header, rows)        every cell as text

Every importer (organisations, contact attempts, interviews) reads through here, so each
accepts the same files and refuses a bad one with the same one-line messages
(:class:`~fieldkit.errors.ImportFileError`). What a file holds is judged from its bytes, not
its name: a workbook renamed ``.csv`` is read as the workbook it is, and a file that is none
of the three is refused by what it is ("a PDF", "an old .xls workbook").

Cells come as text, the way a spreadsheet shows them: a whole number stored as a number is
``"12"`` (not ``"12.0"``), a date ``"2007-10-04"``, a date and time ``"2007-10-04 14:30"``, a
tick box ``"yes"``/``"no"``. Access values are typed by ``fieldkit.access`` first and written
the same way.

Limits keep a hostile file from exhausting the machine, each refused with one line: a cell
of more than ``MAX_CELL`` characters, more than ``MAX_COLUMNS`` columns, a workbook whose
parts would unpack to more than ``MAX_UNPACKED`` bytes or unpack suspiciously far (a zip
bomb). Workbook XML is parsed with defusedxml where openpyxl finds it (entity expansion).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from fieldkit.errors import ImportFileError
from fieldkit.spreadsheets import FORMULA_STARTS

#: The longest cell read (characters): a record's notes, not a book.
MAX_CELL = 100_000
#: The most columns a file to import may have.
MAX_COLUMNS = 1_000
#: The most a workbook's parts may unpack to, together (bytes), and how far one part may
#: unpack beyond its packed size once it is large (a zip bomb unpacks thousands of times).
MAX_UNPACKED = 512 * 1024 * 1024
MAX_RATIO = 200
_RATIO_FROM = 8 * 1024 * 1024

CSV, XLSX, ACCESS = "csv", "xlsx", "access"
KINDS = (CSV, XLSX, ACCESS)
#: The suffixes the file dialogs offer.
SUFFIXES = {CSV: (".csv", ".txt", ".tsv"), XLSX: (".xlsx", ".xlsm"), ACCESS: (".mdb", ".accdb")}
#: Other delimiters a CSV header line may use instead of the comma (Excel in some locales).
_OTHER_DELIMITERS = (";", "\t")


@dataclass(frozen=True)
class Part:
    """A sheet of a workbook or a table of a database, with how many rows it holds."""

    name: str
    rows: int


@dataclass(frozen=True)
class Sheet:
    """The cells of one CSV file, sheet or table: the header, then the rows, all as text.

    ``rows[i]`` is the row a spreadsheet numbers ``i + 2`` (the header is row 1); ``part`` is
    the sheet or table name, None for a CSV file.
    """

    source: str
    kind: str
    part: str | None
    header: list[str]
    rows: list[list[str]]

    def where(self) -> str:
        """The file and, for a workbook or database, the sheet or table: for messages."""
        if self.part is None:
            return self.source
        word = "table" if self.kind == ACCESS else "sheet"
        return f"{self.source}, {word} '{self.part}'"

    def row_number(self, index: int) -> int:
        """The number the file gives ``rows[index]`` (the header is row 1)."""
        return index + 2


def kind_of(path: str | os.PathLike) -> str:
    """csv, xlsx or access, from the file's first bytes; anything else is refused by name."""
    source = str(path)
    kind = _content_kind(source, path)
    named = suffix_kind(path)
    if named is not None and named != kind and not (named == CSV and Path(path).suffix.lower() == ".txt"):
        raise ImportFileError(source, [f"the file is named {Path(path).suffix} but is {_WHAT[kind]}; "
                                       f"rename it {SUFFIXES[kind][0]} if that is what it is"])
    return kind


_WHAT = {CSV: "text (a CSV file?)", XLSX: "an Excel workbook", ACCESS: "an Access database"}


def _content_kind(source: str, path: str | os.PathLike) -> str:
    head = _head(source, path)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(source, path)
    if head[4:19] in (b"Standard Jet DB", b"Standard ACE DB"):
        return ACCESS
    for magic, what, advice in _NOT_IMPORTABLE:
        if head.startswith(magic):
            raise ImportFileError(source, [f"this is {what}, not a CSV file, Excel workbook or Access "
                                           f"database; {advice}"])
    return CSV


_SAVE_AS = "open it in Excel or LibreOffice and save it as .xlsx or 'CSV UTF-8'"
_NOT_IMPORTABLE = (
    (b"\xd0\xcf\x11\xe0", "an old-style Office file (.xls or .doc)", _SAVE_AS),
    (b"%PDF", "a PDF document", "export the table from where it was made as .xlsx or CSV"),
    (b"SQLite format 3\x00", "a SQLite database (perhaps a fieldkit study)",
     "open a study with File > Open; import organisations from a spreadsheet"),
    (b"\x1f\x8b", "a compressed (.gz) file", "unpack it first"),
)


def _head(source: str, path: str | os.PathLike) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(64)
    except OSError as e:
        raise ImportFileError(source, [f"cannot read the file ({e.strerror or e})"]) from None


#: What the standard library's zip reader raises for a damaged file (NotImplementedError: a
#: version or compression it does not know, as a garbled header claims).
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError)


def _zip_kind(source: str, path: str | os.PathLike) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except _ZIP_ERRORS as e:
        raise ImportFileError(source, [f"this zip file is damaged or incomplete ({e})"]) from None
    if "xl/workbook.xml" in names:
        return XLSX
    if "content.xml" in names and "mimetype" in names:
        raise ImportFileError(source, ["this is an OpenDocument spreadsheet (.ods); "
                                       "save it as .xlsx or 'CSV UTF-8' and import that"])
    if "word/document.xml" in names:
        raise ImportFileError(source, ["this is a Word document, not a spreadsheet; "
                                       "copy the table into Excel and save it as .xlsx"])
    raise ImportFileError(source, ["this is a zip file, not a CSV file, Excel workbook or Access database"])


def parts(path: str | os.PathLike) -> list[Part]:
    """The sheets of a workbook or the tables of a database, with their row counts (header
    not counted for a sheet); [] for a CSV file, which has one table."""
    kind = kind_of(path)
    if kind == CSV:
        return []
    if kind == ACCESS:
        from fieldkit import access

        try:
            return [Part(t.name, t.rows) for t in access.tables(path)]
        except access.AccessError as e:
            raise ImportFileError(str(path), [_access_line(e, path)]) from None
    book = _open_workbook(str(path), path)
    try:
        found = []
        for ws in book.worksheets:
            try:
                rows = sum(1 for row in ws.iter_rows(values_only=True) if any(c is not None for c in row))
            except Exception as e:  # a damaged sheet part (its XML cut short or garbled)
                raise ImportFileError(str(path), [f"sheet '{ws.title}': cannot be read ({type(e).__name__})"]) \
                    from None
            found.append(Part(ws.title, max(0, rows - 1)))
        return found
    finally:
        book.close()


def read_sheet(path: str | os.PathLike, part: str | None = None) -> Sheet:
    """The cells of the CSV file at ``path``, or of its sheet or table ``part`` (by default
    the first sheet; a database needs its table named). Raises ImportFileError."""
    source = str(path)
    kind = kind_of(path)
    if kind == CSV:
        if part is not None:
            raise ImportFileError(source, [f"a CSV file has no sheets or tables (asked for '{part}')"])
        records = _csv_records(source, path)
        name = None
    elif kind == XLSX:
        name, records = _xlsx_records(source, path, part)
    else:
        name, records = _access_records(source, path, part)
    while records and not any(c.strip() for c in records[-1]):
        records.pop()
    if not records:
        raise ImportFileError(source, ["the file is empty: it needs a header row naming the columns, "
                                       "then one row per record"])
    widest = max(len(r) for r in records)
    if widest > MAX_COLUMNS:
        raise ImportFileError(source, [f"row 1: {widest:,} columns; a file to import has at most "
                                       f"{MAX_COLUMNS:,}"])
    # The CSV reader is held to MAX_CELL as it reads, and openpyxl reads no more than a
    # workbook's cell holds (32,767 characters); a database's memo can be longer.
    for number, record in enumerate(records if kind == ACCESS else (), start=1):
        for column, cell in enumerate(record, start=1):
            if len(cell) > MAX_CELL:
                raise ImportFileError(source, [f"row {number}, column {column}: a cell of {len(cell):,} "
                                               f"characters; at most {MAX_CELL:,} are read"])
    return Sheet(source, kind, name, records[0], records[1:])


# --- CSV -----------------------------------------------------------------------------------------


def _csv_records(source: str, path: str | os.PathLike) -> list[list[str]]:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ImportFileError(source, [f"cannot read the file ({e.strerror or e})"]) from None
    text = decode(source, data)
    if not text.strip():
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    records: list[list[str]] = []
    csv.field_size_limit(MAX_CELL + 1)
    try:
        for record in reader:
            if len(record) > MAX_COLUMNS:
                raise ImportFileError(source, [f"row {len(records) + 1}: {len(record):,} columns; a file "
                                               f"to import has at most {MAX_COLUMNS:,}"])
            records.append(record)
        if "'" in text:
            records = [[_unneutralised(c) for c in r] if "'" in "".join(r) else r for r in records]
    except csv.Error as e:
        detail = str(e)
        if "field larger than field limit" in detail:
            detail = f"a cell of more than {MAX_CELL:,} characters"
        raise ImportFileError(source, [f"row {len(records) + 1}: not readable as CSV ({detail})"]) from None
    return records


def _unneutralised(cell: str) -> str:
    """A CSV cell as a spreadsheet shows it: ``'=1+2`` (an apostrophe before what would start a
    formula, as fieldkit and other careful programs write such text) is the text ``=1+2``."""
    if cell.startswith("'") and cell[1:2] and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def decode(source: str, data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without a byte-order mark), else Windows-1252 as
    older Excel saves it. Bytes that are neither are refused with their row and position,
    never replaced."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(source, ["the file is UTF-16 ('Unicode text'); "
                                       "save it as 'CSV UTF-8' and import that"])
    if b"\x00" in data:
        raise ImportFileError(source, ["this is not a text CSV file (it contains NUL bytes)"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as e:
            row = data.count(b"\n", 0, e.start) + 1
            line_start = data.rfind(b"\n", 0, e.start) + 1
            raise ImportFileError(source, [
                f"row {row}, byte {e.start - line_start + 1} of the line (byte {e.start + 1} of the file): "
                f"0x{data[e.start]:02X} is neither UTF-8 nor Windows-1252 text; save the file as "
                "'CSV UTF-8' and import that"]) from None
    return text.lstrip("\ufeff")


def sniff_delimiter(text: str) -> str:
    """Comma, unless the header line uses more semicolons (or tabs) than commas."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "\r\n":
            break
        elif ch in counts:
            counts[ch] += 1
    best = max(_OTHER_DELIMITERS, key=counts.__getitem__)
    return best if counts[best] > counts[","] else ","


# --- Excel workbooks -------------------------------------------------------------------------------


def _check_unpacked(source: str, path: str | os.PathLike) -> None:
    """Refuse a workbook that would unpack to too much, before openpyxl unpacks anything."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except _ZIP_ERRORS as e:
        raise ImportFileError(source, [f"this workbook is damaged or incomplete ({e})"]) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise ImportFileError(source, [f"the workbook would unpack to {total / 2**20:,.0f} MB; "
                                       f"at most {MAX_UNPACKED // 2**20:,} MB is read"])
    for i in infos:
        if i.file_size > _RATIO_FROM and i.file_size > MAX_RATIO * max(1, i.compress_size):
            raise ImportFileError(source, [f"the workbook's part {i.filename} unpacks "
                                           f"{i.file_size // max(1, i.compress_size):,} times its size; "
                                           "this is not an ordinary spreadsheet (a zip bomb?)"])


def _open_workbook(source: str, path: str | os.PathLike):
    _check_unpacked(source, path)
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds (KeyError, ValueError, XML errors) for a bad file
        raise ImportFileError(source, [f"cannot read the workbook ({type(e).__name__}: "
                                       f"{str(e).splitlines()[0] if str(e) else 'damaged'})"]) from None


def _xlsx_records(source: str, path: str | os.PathLike, part: str | None) -> tuple[str, list[list[str]]]:
    book = _open_workbook(source, path)
    try:
        names = book.sheetnames
        if part is None:
            if not names:
                raise ImportFileError(source, ["the workbook has no sheets"])
            part = names[0]
        elif part not in names:
            matches = [n for n in names if n.casefold() == part.casefold()]
            if len(matches) != 1:
                raise ImportFileError(source, [f"there is no sheet '{part}' (sheets: {', '.join(names)})"])
            part = matches[0]
        ws = book[part]
        records: list[list[str]] = []
        try:
            for row in ws.iter_rows(values_only=True):
                if len(row) > MAX_COLUMNS:
                    raise ImportFileError(source, [f"sheet '{part}', row {len(records) + 1}: {len(row):,} "
                                                   f"columns; a file to import has at most {MAX_COLUMNS:,}"])
                cells = [cell_text(v) for v in row]
                while cells and cells[-1] == "":
                    cells.pop()
                records.append(cells)
        except ImportFileError:
            raise
        except Exception as e:  # a damaged sheet part
            raise ImportFileError(source, [f"sheet '{part}', row {len(records) + 1}: cannot be read "
                                           f"({type(e).__name__})"]) from None
        return part, records
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A typed cell as the text a spreadsheet would show for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M" if not value.second else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return ""
    return str(value)


# --- Access databases ---------------------------------------------------------------------------


def _access_line(error: Exception, path: str | os.PathLike) -> str:
    text = str(error)
    prefix = f"{path}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def _access_records(source: str, path: str | os.PathLike, part: str | None) -> tuple[str, list[list[str]]]:
    from fieldkit import access

    try:
        if part is None:
            names = [t.name for t in access.tables(path)]
            raise ImportFileError(source, ["name the table to import from an Access database "
                                           f"(tables: {', '.join(names) or 'none'})"])
        columns, rows = access.read_table(path, part)
    except access.AccessError as e:
        raise ImportFileError(source, [_access_line(e, path)]) from None
    return part, [list(columns)] + [[cell_text(row.get(c)) for c in columns] for row in rows]


def suffix_kind(path: str | os.PathLike) -> str | None:
    """The kind a file's name suggests (for file dialogs), or None."""
    suffix = Path(path).suffix.lower()
    for kind, suffixes in SUFFIXES.items():
        if suffix in suffixes:
            return kind
    return None
