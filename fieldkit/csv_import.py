"""Import organisations from a CSV file (what ``fieldkit import STUDY FILE.csv`` runs).

    result = import_organisations(study, "contacts.csv", add_values=True)

All or nothing: every row is checked first and every problem is reported at once, as
``CsvImportError`` with one line per bad row and column (row numbers as a spreadsheet shows
them, the header being row 1). Only a clean file is written, and in one transaction, so
a failure part-way through writing still leaves no trace of the file in the study.

The file is UTF-8 (with or without a byte-order mark) or, failing that, Windows-1252 as
older Excel saves it. Cells are separated by commas, or by semicolons or tabs when the
header line clearly uses them. Headings are matched ignoring case and outer spaces.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fieldkit.errors import CsvImportError, InvalidValueError, NotFoundError, TemplateError
from fieldkit.organisations import STATUSES

if TYPE_CHECKING:
    from fieldkit.study import Study

#: The headings an organisations file may use; only ``name`` is required.
COLUMNS = (
    "name", "category", "area", "coverage", "status", "exclusion_reason",
    "contact_name", "contact_role", "phone", "email", "address", "website",
    "full_interview", "follow_up", "permission_to_list", "referred_by", "notes", "opening_hours",
)
#: Columns that tick a built-in flag of the same name.
FLAG_COLUMNS = ("full_interview", "follow_up", "permission_to_list")
#: Columns copied as they are (outer spaces removed) to the organisation's text fields.
TEXT_COLUMNS = ("coverage", "phone", "email", "address", "website", "notes", "opening_hours")
VOCABULARY_COLUMNS = {"category": "categories", "area": "areas", "exclusion_reason": "exclusion_reasons"}

_TRUE = frozenset({"yes", "y", "true", "1", "x"})
_FALSE = frozenset({"no", "n", "false", "0", ""})
_BOOLEAN_WORDS = "yes/no, y/n, true/false, 1/0, or x/blank"
#: Separators other than the comma that a header line may use instead (Excel in some locales).
_OTHER_DELIMITERS = (";", "\t")


@dataclass(frozen=True)
class ImportResult:
    rows: int                  # organisations imported (or that would be, under dry_run)
    contacts: int
    added_values: dict[str, list[str]]   # vocabulary kind -> values added (or that would be)
    dry_run: bool


def import_organisations(
    study: Study, path: str | os.PathLike, *, dry_run: bool = False, add_values: bool = False
) -> ImportResult:
    """Add every organisation in the CSV file at ``path`` to ``study``, or none of them.

    :param dry_run: check everything and say what would be imported, but write nothing.
    :param add_values: add categories, areas and exclusion reasons the study does not have
        yet to its vocabularies, instead of refusing the rows that use them.
    :raises CsvImportError: listing every problem; the study is then unchanged.
    """
    source = str(path)
    records = _read_records(source, path)
    extra_flags = tuple(f.id for f in study.template.flags)
    columns, header_problems = _read_header(records[0], extra_flags)
    if header_problems:
        raise CsvImportError(source, header_problems)

    checker = _RowChecker(study, columns, add_values=add_values)
    for number, record in enumerate(records[1:], start=2):
        checker.check(number, record)
    checker.check_headless_columns()
    checker.resolve_referrers()
    problems = checker.problems
    if problems:
        raise CsvImportError(source, problems)

    rows = checker.rows
    result = ImportResult(
        rows=len(rows),
        contacts=sum(1 for r in rows if r.contact),
        added_values={kind: list(v.added) for kind, v in checker.vocabularies.items() if v.added},
        dry_run=dry_run,
    )
    if not dry_run and rows:
        _write(study, source, rows, result.added_values)
    return result


# --- reading the file -----------------------------------------------------------------------


def _read_records(source: str, path: str | os.PathLike) -> list[list[str]]:
    """The file's rows as lists of cells; the first is the header. Raises CsvImportError."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise CsvImportError(source, [f"cannot read the file ({e.strerror or e})"]) from None
    text = _decode(source, data)
    if not text.strip():
        raise CsvImportError(source, ["the file is empty: it needs a header row naming the columns, "
                                      f"then one row per organisation (columns: {', '.join(COLUMNS)})"])
    delimiter = _sniff_delimiter(text)
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            records.append(record)
    except csv.Error as e:
        raise CsvImportError(source, [f"row {len(records) + 1}: not readable as CSV ({e})"]) from None
    return records


def _decode(source: str, data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CsvImportError(source, ["the file is UTF-16 ('Unicode text'); "
                                      "save it as 'CSV UTF-8' and import that"])
    if data.startswith(b"PK\x03\x04"):
        raise CsvImportError(source, ["this is a spreadsheet workbook (.xlsx or .ods), not a CSV file; "
                                      "save it as 'CSV UTF-8' and import that"])
    if b"\x00" in data:
        raise CsvImportError(source, ["this is not a text CSV file (it contains NUL bytes)"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise CsvImportError(source, ["cannot read the text: it is neither UTF-8 nor Windows-1252; "
                                          "save it as 'CSV UTF-8' and import that"]) from None
    return text.lstrip("\ufeff")


def _sniff_delimiter(text: str) -> str:
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


def _read_header(header: list[str], extra_flags: tuple[str, ...] = ()) -> tuple[dict[str, int], list[str]]:
    """Map each heading to its cell index; blank headings are left out (checked later).

    Besides ``COLUMNS``, the study template's own flags are accepted as tick-box columns.
    """
    known = COLUMNS + extra_flags
    accepted = f"(accepted columns: {', '.join(known)})"
    names = [cell.strip().lower() for cell in header]
    if not any(names):
        return {}, [f"row 1: the header row is empty; it must name the columns {accepted}"]
    problems: list[str] = []
    columns: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            continue
        if name not in known:
            problems.append(f"row 1, column {i + 1}: unknown column {_quote(header[i].strip())} "
                            f"{accepted}")
        elif name in columns:
            problems.append(f"row 1: the column '{name}' appears twice "
                            f"(columns {columns[name] + 1} and {i + 1})")
        else:
            columns[name] = i
    if "name" not in columns:
        problems.append(f"row 1: there is no 'name' column; every organisation needs a name {accepted}")
    return columns, problems


# --- checking rows ----------------------------------------------------------------------------


def _key(value: str) -> str:
    """How names and vocabulary values are compared: ignoring case and runs of spaces."""
    return " ".join(value.split()).casefold()


class _Vocabulary:
    """One of the study's vocabularies, matched ignoring case, with the values to add."""

    def __init__(self, kind: str, values: tuple[str, ...]):
        self.kind = kind
        self.words = kind.replace("_", " ")
        self.exact = set(values)
        self.by_key: dict[str, str] = {}
        for v in values:
            self.by_key.setdefault(_key(v), v)
        self.added: list[str] = []

    def resolve(self, value: str) -> str | None:
        """The study's spelling of ``value`` (or of a value to be added), or None."""
        if value in self.exact:
            return value
        return self.by_key.get(_key(value))

    def add(self, value: str) -> str:
        self.by_key[_key(value)] = value
        self.added.append(value)
        return value


@dataclass
class _Row:
    number: int
    name: str
    fields: dict[str, object]
    contact: dict[str, str] | None
    referred_by: str
    #: Index in the file of the referrer (set when it is a row of the same file) ...
    referrer_row: int | None = None
    #: ... or the id of an organisation already in the study.
    referrer_id: int | None = None
    flags: list[str] = field(default_factory=list)


class _RowChecker:
    def __init__(self, study: Study, columns: dict[str, int], *, add_values: bool):
        self.study = study
        self.columns = columns
        self.headed = frozenset(columns.values())
        self.add_values = add_values
        template = study.template
        self.extra_flags = tuple(f.id for f in template.flags)
        self.vocabularies = {kind: _Vocabulary(kind, template.vocabulary(kind))
                             for kind in VOCABULARY_COLUMNS.values()}
        self.rows: list[_Row] = []
        self._problems: list[tuple[int, str]] = []
        self._headless_values: dict[int, int] = {}  # column index -> first row with a value there

    @property
    def problems(self) -> list[str]:
        """Every problem found, in row order."""
        return [text for _, text in sorted(self._problems, key=lambda p: p[0])]

    def _problem(self, number: int, column: str | None, message: str) -> None:
        where = f"row {number}, column '{column}'" if column else f"row {number}"
        self._problems.append((number, f"{where}: {message}"))

    def check(self, number: int, record: list[str]) -> None:
        if not any(cell.strip() for cell in record):
            return  # an empty row, as spreadsheets leave them
        for i, cell in enumerate(record):
            if i not in self.headed and cell.strip():
                self._headless_values.setdefault(i, number)
        cells = {name: (record[i].strip() if i < len(record) else "") for name, i in self.columns.items()}

        name = cells["name"]
        if not name:
            self._problem(number, "name", "the organisation has no name")
        fields: dict[str, object] = {k: cells[k] for k in TEXT_COLUMNS if cells.get(k)}
        if cells.get("opening_hours"):
            from fieldkit.opening_hours import parse_hours

            try:
                parse_hours(cells["opening_hours"])
            except InvalidValueError as e:
                self._problem(number, "opening_hours", str(e).removeprefix("opening hours: "))

        for column in ("category", "area"):
            value = cells.get(column, "")
            if value:
                fields[column] = self._vocabulary_value(number, column, value)

        status = cells.get("status", "").lower() or "identified"
        reason = cells.get("exclusion_reason", "")
        if status not in STATUSES:
            self._problem(number, "status", f"{_quote(cells['status'])} is not a status "
                          f"(use one of {', '.join(STATUSES)}, or leave it blank for identified)")
        elif reason and status != "excluded":
            self._problem(number, "exclusion_reason", "an exclusion reason is only for excluded "
                          f"organisations, and this one's status is '{status}'")
            reason = ""
        fields["status"] = status
        if reason:
            fields["exclusion_reason"] = self._vocabulary_value(number, "exclusion_reason", reason)

        flags = []
        for column in FLAG_COLUMNS + self.extra_flags:
            value = cells.get(column, "")
            word = value.lower()
            if word in _TRUE:
                flags.append(column)
            elif word not in _FALSE:
                self._problem(number, column, f"{_quote(value)} is not yes or no (use {_BOOLEAN_WORDS})")

        contact = None
        if cells.get("contact_name") or cells.get("contact_role"):
            contact = {"name": cells.get("contact_name", "")}
            if cells.get("contact_role"):
                contact["role"] = cells["contact_role"]
        self.rows.append(_Row(number, name, fields, contact, cells.get("referred_by", ""), flags=flags))

    def _vocabulary_value(self, number: int, column: str, value: str) -> str | None:
        vocabulary = self.vocabularies[VOCABULARY_COLUMNS[column]]
        known = vocabulary.resolve(value)
        if known is not None:
            return known
        if not self.add_values:
            self._problem(number, column, f"{_quote(value)} is not one of the study's {vocabulary.words} "
                          "(use --add-values to add it)")
        elif "\n" in value or "\r" in value:
            self._problem(number, column, f"{_quote(value)} runs over several lines, and one of the "
                          f"study's {vocabulary.words} must fit on one")
        else:
            return vocabulary.add(value)
        return None

    def check_headless_columns(self) -> None:
        """A column with values but no heading is refused: its values would be lost."""
        for i, number in sorted(self._headless_values.items()):
            self._problems.append((1, f"row 1, column {i + 1}: the column has no heading but row "
                                   f"{number} has a value in it; give it a heading or delete the column"))

    def resolve_referrers(self) -> None:
        """Turn each ``referred_by`` name into an organisation of the study or of this file."""
        wanted = [r for r in self.rows if r.referred_by]
        if not wanted:
            return
        in_file: dict[str, list[int]] = {}
        for index, row in enumerate(self.rows):
            if row.name:
                in_file.setdefault(_key(row.name), []).append(index)
        in_study: dict[str, list[int]] = {}
        for r in self.study.query("SELECT id, name FROM organisations ORDER BY id"):
            in_study.setdefault(_key(r["name"]), []).append(r["id"])
        for row in wanted:
            key = _key(row.referred_by)
            rows, ids = in_file.get(key, []), in_study.get(key, [])
            if not rows and not ids:
                self._problem(row.number, "referred_by", f"no organisation named {_quote(row.referred_by)} "
                              "in the study or in this file")
            elif len(rows) + len(ids) > 1:
                places = []
                if ids:
                    places.append(f"in the study: {_plural('id', ids)}")
                if rows:
                    places.append(f"in this file: {_plural('row', [self.rows[i].number for i in rows])}")
                self._problem(row.number, "referred_by", f"{_quote(row.referred_by)} is ambiguous: "
                              f"{len(rows) + len(ids)} organisations have that name ({'; '.join(places)})")
            elif rows and self.rows[rows[0]] is row:
                self._problem(row.number, "referred_by", "an organisation cannot be referred by itself")
            elif rows:
                row.referrer_row = rows[0]
            else:
                row.referrer_id = ids[0]


def _quote(value: str, limit: int = 60) -> str:
    """A cell's value for a one-line message: quoted, control characters escaped, shortened."""
    if len(value) > limit:
        value = value[: limit - 1] + "\u2026"
    return f"'{value}'" if value.isprintable() else repr(value)


def _plural(word: str, numbers: list[int]) -> str:
    return f"{word}{'s' if len(numbers) != 1 else ''} {', '.join(map(str, numbers))}"


# --- writing ----------------------------------------------------------------------------------


def _write(study: Study, source: str, rows: list[_Row], added: dict[str, list[str]]) -> None:
    """Add the checked rows in one transaction; any failure rolls all of it back."""
    orgs = study.organisations
    ids: list[int] = []
    where = "adding to the study's vocabularies"
    study.backup("before-import")  # never blocks: a failure becomes a warning on the study
    try:
        with study.transaction():
            study.add_vocabulary_values(added)
            later: list[tuple[int, int]] = []
            for index, row in enumerate(rows):
                where = f"row {row.number}"
                referred_by = row.referrer_id
                if row.referrer_row is not None:
                    if row.referrer_row < index:
                        referred_by = ids[row.referrer_row]
                    else:
                        later.append((index, row.referrer_row))
                ids.append(orgs.add(
                    row.name, flags=row.flags, referred_by=referred_by,
                    contacts=[row.contact] if row.contact else (), **row.fields,  # type: ignore[arg-type]
                ))
            for index, referrer in later:
                where = f"row {rows[index].number}, column 'referred_by'"
                orgs.update(ids[index], referred_by=ids[referrer])
    except (InvalidValueError, NotFoundError, TemplateError) as e:
        # Every row was checked above, so this is a rule the checks do not know yet.
        raise CsvImportError(source, [f"{where}: {e}"]) from None
