"""Import organisations from a CSV file, an Excel sheet or an Access table (what ``fieldkit
import`` and File > Import... run).

    plan = plan_organisations(study, sheet, mapping)     # checks everything, writes nothing
    result = apply_organisations(study, plan, duplicates={5: "skip", 9: "merge"})
    result = import_organisations(study, "contacts.xlsx", part="Sheet1", add_values=True)

The file is read by ``fieldkit.sources`` (every cell as text) and its columns go to
fieldkit's fields by a ``Mapping`` (``fieldkit.import_mapping``): guessed from the headings
("Org name", "Tel", "Post code") unless one is given. Values the study's vocabularies do not
have are mapped onto its own (``mapping.values``), added (``add_values``), or refused.

All or nothing: every row is checked first and every problem is reported at once, at its
row and column (``ImportFileError``; row numbers as a spreadsheet shows them, the header
being row 1). Only a clean file is written, after a backup and in one transaction, so a
failure part-way through writing leaves no trace of the file in the study.

Organisations that may already be in the study (the same name once case, punctuation and
"Ltd"/"CIC" are set aside, or the same phone, e-mail or postcode: ``fieldkit.matching``) are
listed for the user to skip, merge (fill in what the study's record lacks, add the contact)
or add anyway; they are never added silently.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections import Counter
from collections.abc import Iterator
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fieldkit import sources
from fieldkit.cell_values import quote, word_key
from fieldkit.errors import (
    ImportFileError,
    InvalidValueError,
    NotFoundError,
    TemplateError,
)
from fieldkit.import_mapping import (
    Field,
    Mapping,
    Problem,
    check_rows,
    guess,
    heading_key,
)
from fieldkit.matching import Match, Matcher
from fieldkit.organisations import STATUSES

if TYPE_CHECKING:
    from fieldkit.study import Study

KIND = "organisations"

#: What a column can be imported into, with the words headings use for each.
FIELDS: tuple[Field, ...] = (
    Field("name", "Organisation name", ("organisation", "organization", "org name", "organisation name",
                                        "organization name", "org", "name of organisation", "group",
                                        "group name", "company", "company name", "charity name"),
          required=True),
    Field("category", "Category", ("type", "org type", "organisation type", "sector", "kind")),
    Field("area", "Area", ("region", "district", "county", "borough", "locality", "local authority")),
    Field("coverage", "Coverage", ("area covered", "areas covered", "geography", "area of benefit")),
    Field("status", "Status", ("fieldwork status",)),
    Field("exclusion_reason", "Exclusion reason", ("reason excluded", "why excluded", "exclusion")),
    Field("contact_name", "Contact name", ("contact", "contact person", "key contact", "main contact",
                                           "person")),
    Field("contact_role", "Contact role", ("role", "position", "job title", "title of contact",
                                           "contact title", "contact position")),
    Field("phone", "Phone", ("tel", "telephone", "phone number", "tel no", "telephone number", "mobile",
                             "phone no")),
    Field("email", "E-mail", ("e-mail", "email address", "e-mail address", "mail")),
    Field("address", "Address", ("address 1", "address 2", "address 3", "address line 1", "address line 2",
                                 "address line 3", "street", "town", "city"), several=True),
    Field("postcode", "Postcode (added to the address)", ("post code", "postal code", "zip", "zip code"),
          ),
    Field("website", "Website", ("web", "web site", "url", "web address", "www")),
    Field("full_interview", "Full interview (tick)", ("full", "interviewed fully")),
    Field("follow_up", "Keen for follow-up (tick)", ("follow up", "followup", "keen for follow up")),
    Field("permission_to_list", "Permission to list (tick)", ("may list", "list in directory",
                                                              "permission")),
    Field("referred_by", "Referred by (an organisation's name, or its id in this file)",
          ("referrer", "referred", "source")),
    Field("id", "Id in this file (only for referred by)", ("record id", "org id", "organisation id", "ref")),
    Field("notes", "Notes", ("note", "comments", "comment", "description", "remarks"), several=True,
          joiner="\n"),
    Field("opening_hours", "Opening hours", ("hours", "open")),
)
#: Columns of fieldkit's own organisations export that an import leaves aside: its bookkeeping.
#: (``id`` is not stored either, but resolves ``referred_by`` numbers to rows of the same file.)
_EXPORT_BOOKKEEPING = ("created", "updated")
#: The field names a plain file may use as headings, in order (only ``name`` is required).
COLUMNS = tuple(f.name for f in FIELDS)
#: Fields that tick a built-in flag of the same name.
FLAG_COLUMNS = ("full_interview", "follow_up", "permission_to_list")
#: Fields copied as they are (outer spaces removed) to the organisation's text fields.
TEXT_COLUMNS = ("coverage", "phone", "email", "address", "website", "notes", "opening_hours")
VOCABULARY_COLUMNS = {"category": "categories", "area": "areas", "exclusion_reason": "exclusion_reasons"}
#: Fields whose values can be mapped onto the study's own.
MAPPABLE = ("category", "area", "exclusion_reason", "status")
#: What the user may decide for an organisation that may already be in the study.
DECISIONS = ("add", "skip", "merge")
#: The fields merging fills in when the study's record has them empty.
_MERGED_FIELDS = ("category", "area", "coverage", "phone", "email", "address", "website", "notes",
                  "opening_hours")

_TRUE = frozenset({"yes", "y", "true", "1", "x", "ticked", "✓"})
_FALSE = frozenset({"no", "n", "false", "0", ""})
_BOOLEAN_WORDS = "yes/no, y/n, true/false, 1/0, or x/blank"


def fields_for(study: Study) -> tuple[Field, ...]:
    """FIELDS and the study's tick boxes (a heading ``flag_<id>``, as fieldkit exports them, too)."""
    template = study.template
    builtin = tuple(Field(f.name, f.label, (*f.words, f"flag_{f.name}")) if f.name in FLAG_COLUMNS else f
                    for f in FIELDS)
    return builtin + tuple(Field(f.id, f"{f.label} (tick)", (f"flag_{f.id}",)) for f in template.flags)


def value_choices(study: Study, field: str) -> list[tuple[str, str]] | None:
    """What a file's value in ``field`` may be mapped onto, as (label, value); None where a
    value cannot be mapped (it is put right in the file)."""
    if field in VOCABULARY_COLUMNS:
        return [(v, v) for v in study.template.vocabulary(VOCABULARY_COLUMNS[field])]
    if field == "status":
        from fieldkit.organisations import STATUS_LABELS

        return [(STATUS_LABELS.get(s, s), s) for s in STATUSES]
    return None


@dataclass(frozen=True)
class Duplicate:
    """A row of the file that may be an organisation already in the study."""

    row: int
    name: str
    matches: tuple[Match, ...]

    def line(self) -> str:
        return f"row {self.row}: {quote(self.name)} may already be in the study: " + \
            "; ".join(m.describe() for m in self.matches)


@dataclass(frozen=True)
class ImportResult:
    rows: int                  # organisations imported (or that would be, under dry_run)
    contacts: int
    added_values: dict[str, list[str]]   # vocabulary kind -> values added (or that would be)
    dry_run: bool
    skipped: int = 0           # possible duplicates skipped
    merged: int = 0            # possible duplicates merged into the study's record
    source: str = field(default="", compare=False)

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        out = [f"{verb} {self.rows} organisation{'s' if self.rows != 1 else ''} "
               f"and {self.contacts} contact{'s' if self.contacts != 1 else ''} from {self.source}"]
        if self.merged:
            out.append(f"  {'would merge' if self.dry_run else 'merged'} {self.merged} into organisations "
                       "already in the study")
        if self.skipped:
            out.append(f"  {'would skip' if self.dry_run else 'skipped'} {self.skipped} already in the study")
        for kind, values in self.added_values.items():
            if values:
                out.append(f"  {'would add' if self.dry_run else 'added'} {kind.replace('_', ' ')}: "
                           f"{', '.join(values)}")
        return out


@dataclass
class OrganisationPlan:
    """What importing a sheet would do: the checked rows, every problem at its cell, the
    values the study does not have, and the possible duplicates."""

    sheet: sources.Sheet
    mapping: Mapping
    rows: list[_Row]
    problems: list[Problem]
    unknown_values: dict[str, Counter[str]]
    duplicates: list[Duplicate]
    added_values: dict[str, list[str]]

    @property
    def contacts(self) -> int:
        return sum(1 for r in self.rows if r.contact)

    def lines(self) -> list[str]:
        """What importing would do, before any decision about possible duplicates."""
        count = len(self.rows)
        out = [f"{count} organisation{'s' if count != 1 else ''} and {self.contacts} "
               f"contact{'s' if self.contacts != 1 else ''} to import from {self.sheet.where()}"]
        if self.duplicates:
            out.append(f"{len(self.duplicates)} may already be in the study")
        for kind, values in self.added_values.items():
            out.append(f"new {kind.replace('_', ' ')}: {', '.join(values)}")
        return out


def import_organisations(
    study: Study, path: str | os.PathLike, *, part: str | None = None, mapping: Mapping | None = None,
    dry_run: bool = False, add_values: bool = False, duplicates: str | None = None,
) -> ImportResult:
    """Add every organisation in the file at ``path`` (its sheet or table ``part``) to
    ``study``, or none of them.

    :param mapping: which column goes to which field; by default guessed from the headings,
        and then every column with values must be one fieldkit knows.
    :param dry_run: check everything and say what would be imported, but write nothing.
    :param add_values: add categories, areas and exclusion reasons the study does not have
        yet to its vocabularies, instead of refusing the rows that use them.
    :param duplicates: what to do with rows that may already be in the study (add, skip or
        merge); None refuses the file while there are any, listing them.
    :raises ImportFileError: listing every problem; the study is then unchanged.
    """
    with _collector_paused():
        sheet = sources.read_sheet(path, part)
    plan = plan_organisations(study, sheet, mapping, add_values=add_values)
    if plan.problems:
        raise ImportFileError(sheet.where(), [p.line() for p in plan.problems])
    if plan.duplicates and duplicates is None:
        raise ImportFileError(sheet.where(), [d.line() for d in plan.duplicates] + [
            "say what to do with organisations that may already be in the study: "
            "--duplicates skip, merge or add"])
    if duplicates is not None and duplicates not in DECISIONS:
        raise InvalidValueError(f"unknown decision '{duplicates}' (expected one of {', '.join(DECISIONS)})")
    decisions = {d.row: duplicates or "add" for d in plan.duplicates}
    return apply_organisations(study, plan, duplicates=decisions, dry_run=dry_run)


def plan_organisations(study: Study, sheet: sources.Sheet, mapping: Mapping | None = None, *,
                       add_values: bool = False) -> OrganisationPlan:
    """Check every row of ``sheet`` as ``mapping`` maps it (guessed when None); write nothing."""
    fields = fields_for(study)
    strict = mapping is None
    if mapping is None:
        mapping = guess(sheet.header, fields, KIND)
    checker = _RowChecker(study, sheet, mapping, fields, add_values=add_values, strict=strict)
    with _collector_paused():
        problems, _ = check_rows(checker, sheet, after=("check_headless_columns", "resolve_referrers"))
        duplicates = [] if problems else checker.duplicates()
    return OrganisationPlan(
        sheet=sheet, mapping=mapping, rows=checker.rows, problems=problems,
        unknown_values=checker.unknown, duplicates=duplicates,
        added_values={kind: list(v.added) for kind, v in checker.vocabularies.items() if v.added},
    )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a file's rows are read, checked or written. They make
    hundreds of thousands of objects, none of them garbage, which each collection walks again:
    a fifth of a 100,000-row import. Nothing here makes reference cycles, and any made
    meanwhile elsewhere are collected once it is back on."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# --- checking rows ----------------------------------------------------------------------------


class _Vocabulary:
    """One of the study's vocabularies, matched ignoring case, with the values to add."""

    def __init__(self, kind: str, values: tuple[str, ...]):
        self.kind = kind
        self.words = kind.replace("_", " ")
        self.exact = set(values)
        self.by_key: dict[str, str] = {}
        for v in values:
            self.by_key.setdefault(word_key(v), v)
        self.added: list[str] = []

    def resolve(self, value: str) -> str | None:
        """The study's spelling of ``value`` (or of a value to be added), or None."""
        if value in self.exact:
            return value
        return self.by_key.get(word_key(value))

    def add(self, value: str) -> str:
        self.by_key[word_key(value)] = value
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
    #: The row's own id in the file (an "id" column), which ``referred_by`` may give.
    file_id: str = ""


class _RowChecker:
    def __init__(self, study: Study, sheet: sources.Sheet, mapping: Mapping, fields: tuple[Field, ...], *,
                 add_values: bool, strict: bool):
        self.study = study
        self.sheet = sheet
        self.mapping = mapping
        self.fields = {f.name: f for f in fields}
        self.add_values = add_values
        self.strict = strict
        self.extra_flags = tuple(f.id for f in study.template.flags)
        self.vocabularies = {kind: _Vocabulary(kind, study.template.vocabulary(kind))
                             for kind in VOCABULARY_COLUMNS.values()}
        self.rows: list[_Row] = []
        self.header_problems: list[Problem] = []
        self._problems: list[Problem] = []
        self.unknown: dict[str, Counter[str]] = {}
        self._headless_values: dict[int, int] = {}  # column index -> first row with a value there
        #: field -> [(cell index, heading)] in the file's order
        self.cells: dict[str, list[tuple[int, str]]] = {}
        # What each row's check reads, worked out once from the header (``_prepare``).
        self._single: list[tuple[str, int]] | None = None
        self._several: list[tuple[str, list[int], str]] = []
        self._headless: list[int] = []
        self._width = 0
        self._text: tuple[str, ...] = ()
        self._vocabulary_columns: tuple[str, ...] = ()
        self._flag_columns: tuple[str, ...] = ()
        #: column -> the file's value -> the study's, for values already resolved once
        self._resolved: dict[str, dict[str, str]] = {column: {} for column in VOCABULARY_COLUMNS}
        self._statuses: dict[str, str] = {}

    @property
    def problems(self) -> list[Problem]:
        """Every problem found, in row order."""
        return sorted(self._problems, key=lambda p: p.row)

    def _problem(self, number: int, column: str | None, message: str) -> None:
        heading = self._heading(column) if column else None
        self._problems.append(Problem(number, heading, message))

    def _heading(self, name: str) -> str:
        """The file's heading for field ``name`` (the first, when several columns go to it)."""
        found = self.cells.get(name)
        return found[0][1].strip() if found else name

    def check_header(self) -> None:
        header = self.sheet.header
        accepted = f"(accepted columns: {', '.join(self.fields)})"
        problems = self.header_problems
        if not any(h.strip() for h in header):
            problems.append(Problem(1, None, f"the header row is empty; it must name the columns {accepted}"))
            return
        problems.extend(Problem(1, None, p) for p in
                        self.mapping.check(tuple(self.fields.values()), header, where="the mapping"))
        by_key: dict[str, str] = {}
        if self.strict:
            for f in self.fields.values():
                for word in (f.name, f.label, *f.words):
                    by_key.setdefault(heading_key(word), f.name)
        for i, heading in enumerate(header):
            if not heading.strip():
                continue
            if self.strict:
                target = by_key.get(heading_key(heading))
            elif heading in self.mapping.columns:
                target = self.mapping.columns[heading]
            else:
                problems.append(Problem(1, None, f"the mapping does not say where the column "
                                                 f"{quote(heading.strip())} goes (map it, or to nothing)", i + 1))
                continue
            if target is None:
                if self.strict and heading.strip().casefold() not in _EXPORT_BOOKKEEPING:
                    problems.append(Problem(1, None, f"unknown column {quote(heading.strip())} {accepted}",
                                            i + 1))
                continue
            found = self.cells.setdefault(target, [])
            if found and not self.fields[target].several:
                problems.append(Problem(1, None, f"the column '{target}' appears twice "
                                                 f"(columns {found[0][0] + 1} and {i + 1})"))
                continue
            found.append((i, heading))
        if "name" not in self.cells:
            problems.append(Problem(1, None, f"there is no 'name' column; every organisation needs a name "
                                             f"{accepted}"))

    def _prepare(self) -> None:
        """What every row's check reads, from the header once rather than per cell: the cells
        of each field, and which of the text, vocabulary and tick-box fields the file has."""
        self._single = [(name, found[0][0]) for name, found in self.cells.items() if len(found) == 1]
        self._several = [(name, [i for i, _ in found], self.fields[name].joiner)
                         for name, found in self.cells.items() if len(found) > 1]
        header = self.sheet.header
        self._width = len(header)
        self._headless = [i for i, h in enumerate(header) if not h.strip()]
        mapped = set(self.cells)
        # (a postcode alone makes an address)
        self._text = tuple(k for k in TEXT_COLUMNS if k in mapped or (k == "address" and "postcode" in mapped))
        self._vocabulary_columns = tuple(c for c in ("category", "area") if c in mapped)
        # A tick box the file has no column for is unticked, as an empty cell is.
        self._flag_columns = tuple(c for c in FLAG_COLUMNS + self.extra_flags if c in mapped)

    def _cells(self, record: list[str]) -> dict[str, str]:
        """The row's value for each mapped field (several columns joined)."""
        if self._single is None:
            self._prepare()
            assert self._single is not None
        width = len(record)
        if width >= self._width:  # a full row (the usual): every mapped cell is there
            cells = {name: record[i].strip() for name, i in self._single}
        else:
            cells = {name: record[i].strip() if i < width else "" for name, i in self._single}
        for name, indexes, joiner in self._several:
            cells[name] = joiner.join(v for v in (record[i].strip() for i in indexes if i < width) if v)
        return cells

    def check(self, number: int, record: list[str]) -> None:
        if not "".join(record).strip():
            return  # an empty row, as spreadsheets leave them
        cells = self._cells(record)
        for i in self._headless:
            if i < len(record) and record[i].strip():
                self._headless_values.setdefault(i, number)
        for i in range(self._width, len(record)):
            if record[i].strip():
                self._headless_values.setdefault(i, number)
        postcode = cells.pop("postcode", "")
        if postcode:
            address = cells.get("address", "")
            if postcode.casefold() not in address.casefold():
                cells["address"] = f"{address}, {postcode}" if address else postcode

        name = cells.get("name", "")
        if not name:
            self._problem(number, "name", "the organisation has no name")
        fields: dict[str, object] = {k: value for k in self._text if (value := cells.get(k))}
        if "opening_hours" in fields:
            from fieldkit.opening_hours import parse_hours

            try:
                parse_hours(cells["opening_hours"])
            except InvalidValueError as e:
                self._problem(number, "opening_hours", str(e).removeprefix("opening hours: "))

        for column in self._vocabulary_columns:
            value = cells[column]
            if value:
                fields[column] = self._vocabulary_value(number, column, value)

        given = cells.get("status", "")
        status = self._statuses.get(given)
        if status is None:
            status = self._statuses[given] = self.mapping.value("status", given).lower() if given else "identified"
        reason = cells.get("exclusion_reason", "")
        if status not in STATUSES:
            self.unknown.setdefault("status", Counter())[given] += 1
            self._problem(number, "status", f"{quote(given)} is not a status "
                          f"(use one of {', '.join(STATUSES)}, or leave it blank for identified)")
        elif reason and status != "excluded":
            self._problem(number, "exclusion_reason", "an exclusion reason is only for excluded "
                          f"organisations, and this one's status is '{status}'")
            reason = ""
        fields["status"] = status
        if reason:
            fields["exclusion_reason"] = self._vocabulary_value(number, "exclusion_reason", reason)

        flags = []
        for column in self._flag_columns:
            value = cells[column]
            if not value:
                continue  # unticked
            word = value.lower()
            if word in _TRUE:
                flags.append(column)
            elif word not in _FALSE:
                self._problem(number, column, f"{quote(value)} is not yes or no (use {_BOOLEAN_WORDS})")

        contact = None
        if cells.get("contact_name") or cells.get("contact_role"):
            contact = {"name": cells.get("contact_name", "")}
            if cells.get("contact_role"):
                contact["role"] = cells["contact_role"]
        self.rows.append(_Row(number, name, fields, contact, cells.get("referred_by", ""), flags=flags,
                              file_id=cells.get("id", "")))

    def _vocabulary_value(self, number: int, column: str, given: str) -> str | None:
        resolved = self._resolved[column]
        known = resolved.get(given)
        if known is not None:  # a value met before (most of a file's are)
            return known
        vocabulary = self.vocabularies[VOCABULARY_COLUMNS[column]]
        value = self.mapping.value(column, given)
        known = vocabulary.resolve(value)
        if known is not None:
            resolved[given] = known
            return known
        if not self.add_values:
            self.unknown.setdefault(column, Counter())[given] += 1
            self._problem(number, column, f"{quote(value)} is not one of the study's {vocabulary.words} "
                          "(use --add-values to add it)")
        elif "\n" in value or "\r" in value:
            self._problem(number, column, f"{quote(value)} runs over several lines, and one of the "
                          f"study's {vocabulary.words} must fit on one")
        else:
            resolved[given] = vocabulary.add(value)
            return resolved[given]
        return None

    def check_headless_columns(self) -> None:
        """A column with values but no heading is refused: its values would be lost."""
        for i, number in sorted(self._headless_values.items()):
            self._problems.append(Problem(1, None, f"the column has no heading but row {number} has a value "
                                          "in it; give it a heading or delete the column", i + 1))

    def resolve_referrers(self) -> None:
        """Turn each ``referred_by`` name into an organisation of the study or of this file."""
        wanted = [r for r in self.rows if r.referred_by]
        if not wanted:
            return
        in_file: dict[str, list[int]] = {}
        for index, row in enumerate(self.rows):
            if row.name:
                in_file.setdefault(word_key(row.name), []).append(index)
        in_study: dict[str, list[int]] = {}
        for r in self.study.query("SELECT id, name FROM organisations ORDER BY id"):
            in_study.setdefault(word_key(r["name"]), []).append(r["id"])
        by_file_id = {row.file_id: index for index, row in enumerate(self.rows) if row.file_id}
        for row in wanted:
            if row.referred_by in by_file_id:  # an id of this file's own "id" column
                index = by_file_id[row.referred_by]
                if self.rows[index] is row:
                    self._problem(row.number, "referred_by", "an organisation cannot be referred by itself")
                else:
                    row.referrer_row = index
                continue
            key = word_key(row.referred_by)
            rows, ids = in_file.get(key, []), in_study.get(key, [])
            if not rows and not ids:
                self._problem(row.number, "referred_by", f"no organisation named {quote(row.referred_by)} "
                              "in the study or in this file")
            elif len(rows) + len(ids) > 1:
                places = []
                if ids:
                    places.append(f"in the study: {_plural('id', ids)}")
                if rows:
                    places.append(f"in this file: {_plural('row', [self.rows[i].number for i in rows])}")
                self._problem(row.number, "referred_by", f"{quote(row.referred_by)} is ambiguous: "
                              f"{len(rows) + len(ids)} organisations have that name ({'; '.join(places)})")
            elif rows and self.rows[rows[0]] is row:
                self._problem(row.number, "referred_by", "an organisation cannot be referred by itself")
            elif rows:
                row.referrer_row = rows[0]
            else:
                row.referrer_id = ids[0]

    def duplicates(self) -> list[Duplicate]:
        """The rows that may be organisations already in the study."""
        if not self.study.scalar("SELECT EXISTS (SELECT 1 FROM organisations)"):
            return []
        matcher = Matcher(self.study)
        found = []
        for row in self.rows:
            matches = matcher.matches(row.name, phone=str(row.fields.get("phone", "")),
                                      email=str(row.fields.get("email", "")),
                                      address=str(row.fields.get("address", "")))
            if matches:
                found.append(Duplicate(row.number, row.name, tuple(matches[:3])))
        return found


def _plural(word: str, numbers: list[int]) -> str:
    return f"{word}{'s' if len(numbers) != 1 else ''} {', '.join(map(str, numbers))}"


# --- writing ----------------------------------------------------------------------------------


def apply_organisations(study: Study, plan: OrganisationPlan, *,
                        duplicates: MappingType[int, str] | None = None, dry_run: bool = False) -> ImportResult:
    """Write a plan without problems: every row added, or skipped or merged where
    ``duplicates`` says so (row number -> add, skip or merge; a possible duplicate not named
    is added). Backup first, then one transaction. Raises ImportFileError."""
    source = plan.sheet.where()
    if plan.problems:
        raise ImportFileError(source, [p.line() for p in plan.problems])
    decisions = dict(duplicates or {})
    for number, decision in decisions.items():
        if decision not in DECISIONS:
            raise InvalidValueError(f"row {number}: unknown decision '{decision}' "
                                    f"(expected one of {', '.join(DECISIONS)})")
    targets = {d.row: d.matches[0].organisation_id for d in plan.duplicates}
    skip = {n for n, d in decisions.items() if d == "skip" and n in targets}
    merge = {n: targets[n] for n, d in decisions.items() if d == "merge" and n in targets}
    rows = [r for r in plan.rows if r.number not in skip and r.number not in merge]
    result = ImportResult(
        rows=len(rows), contacts=sum(1 for r in rows if r.contact), added_values=plan.added_values,
        dry_run=dry_run, skipped=len(skip), merged=len(merge), source=source,
    )
    if not dry_run and (rows or merge):
        _write(study, source, plan.rows, plan.added_values, skip, merge)
    return result


def _write(study: Study, source: str, rows: list[_Row], added: dict[str, list[str]],
           skip: set[int], merge: dict[int, int]) -> None:
    """Add the checked rows in one transaction; any failure rolls all of it back."""
    orgs = study.organisations
    where = "adding to the study's vocabularies"
    study.backup("before-import")  # never blocks: a failure becomes a warning on the study
    try:
        with _collector_paused(), study.transaction():
            study.add_vocabulary_values(added)
            new = [(index, row) for index, row in enumerate(rows)
                   if row.number not in skip and row.number not in merge]
            where = f"rows {new[0][1].number}-{new[-1][1].number}" if new else where
            added_ids = orgs.add_many(
                dict(name=row.name, flags=row.flags, referred_by=row.referrer_id,
                     contacts=[row.contact] if row.contact else (), **row.fields) for _, row in new)
            ids: list[int | None] = [None] * len(rows)
            for (index, _), org_id in zip(new, added_ids, strict=True):
                ids[index] = org_id
            for index, row in enumerate(rows):
                if row.number in merge:
                    where = f"row {row.number}"
                    ids[index] = merge[row.number]
                    _merge(study, merge[row.number], row)
            for index, row in enumerate(rows):
                referred = ids[index]
                referrer = ids[row.referrer_row] if row.referrer_row is not None else None
                if referred is not None and referrer is not None:
                    where = f"row {row.number}, column 'referred_by'"
                    orgs.update(referred, referred_by=referrer)
    except (InvalidValueError, NotFoundError, TemplateError) as e:
        # Every row was checked above, so this is a rule the checks do not know yet.
        raise ImportFileError(source, [f"{where}: {e}"]) from None


def _merge(study: Study, org_id: int, row: _Row) -> None:
    """Fill in what the study's record lacks from ``row``; never overwrite what it has."""
    orgs = study.organisations
    current = orgs.get(org_id)
    changes = {k: v for k, v in row.fields.items()
               if k in _MERGED_FIELDS and v and not getattr(current, k, None)}
    if changes:
        orgs.update(org_id, **changes)
    for flag in row.flags:
        if flag not in current.flags:
            orgs.set_flag(org_id, flag, True)
    if row.contact:
        names = {word_key(c.name) for c in orgs.contacts(org_id)}
        if word_key(row.contact.get("name", "")) not in names:
            orgs.add_contact(org_id, **row.contact)
