"""Every summary table as CSV or XLSX, for pasting into Word or Excel.

A ``Table`` is built from the core's summary queries (``fieldkit.summary``) and holds the
numbers as numbers: organisations by category (with targets), by area, the method summary,
targets against achieved, and a crosstab by category for each named choice, yes/no and
scale question. Percentages are numbers of percent as the core gives them (``summary.percent``:
31 means 31% of a base under 100, 42.9 means 42.9% of a base of 100 or more, as the report prints
them); the method table's outcome rates are rounded to one decimal place (the core keeps fractions).

- CSV: one table per file, UTF-8 with a byte-order mark so Excel reads the names right,
  the header row first and no title line (it would break a script reading the file).
- XLSX: one workbook; a sheet per table (``write_xlsx(tables, path)``; a single table makes
  a one-sheet workbook). Each sheet has the table's title in row 1, the bold header in row 2
  (frozen), the total row bold, any notes below, numbers stored as numbers and the columns
  fitted to their contents.

Both are written by ``fieldkit.spreadsheets``, the one writer of fieldkit's spreadsheets: a text
cell a spreadsheet would take for a formula (``=1+2``, ``+44 113 …``, ``@SUM(A1)``) gets a leading
apostrophe in CSV and is stored as an explicit string in XLSX, so a category or a choice named
like a formula never runs. Files are written atomically (``fieldkit.exports.write_atomically``):
to a temporary file beside the target, flushed to disk, then renamed over it, so a failure never
leaves half a file (and an existing file stays as it was).
These are the researcher's working figures: no small-number protection is applied here.
Crosstabs follow ``fieldkit.summary.crosstab``: questions and choices are worded in the study's
report language, answers kept but marked irrelevant are not counted, and a question removed
from the schedule keeps its table while interviews hold answers to it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fieldkit import fieldwork, outcome_rates, spreadsheets, summary
from fieldkit.exports import ExportError, write_atomically  # noqa: F401 - imported from here elsewhere
from fieldkit.reports.method import rate_name

if TYPE_CHECKING:
    from fieldkit.study import Study

Cell = str | int | float | None
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Table:
    """One summary table: ``head`` names the columns, ``rows`` hold the cells (the total last).

    ``name`` is short (a sheet name, part of a file name); ``title`` says what the table is.
    ``percent_columns`` are the indexes of columns holding percentages.
    """

    name: str
    title: str
    head: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total_row: bool = True
    percent_columns: frozenset[int] = field(default_factory=frozenset)
    notes: tuple[str, ...] = ()


# --- the tables -----------------------------------------------------------------------------


def by_group(study: Study, by: str = "category", *, targets: bool | None = None) -> Table:
    """Organisations on database and interviewed by category or area. ``targets`` adds each
    category's target (blank where a category has none); by default when any target is set."""
    data = summary.by_group(study, by)
    if targets is None:
        targets = by == "category" and any(r.target is not None for r in data.rows)
    if targets and by != "category":
        raise ExportError("targets are set per category, not per area")
    head = (by.capitalize(), "On database", "Interviewed") + (("Target",) if targets else ())
    rows = tuple(
        (r.group, r.on_database, r.interviewed) + ((r.target,) if targets else ())
        for r in data.rows + [data.total]
    )
    return Table(f"By {by}", f"Organisations by {by}", head, rows)


def method(study: Study) -> Table:
    """How the study went: found, contacted, excluded (and why), on database, interviewed (complete,
    partial), in interview, broken off …, then every AAPOR outcome rate and the e used.

    Counts are in the "Organisations" column ("Interviews broken off" counts interviews); the
    rates and e are in the "%" column as numbers of percent to one decimal place (61.1 means
    61.1%; e = 0.889 is 88.9), blank where a rate has no denominator.
    """
    m = summary.method(study)
    p = m.paradata
    classes = outcome_rates.class_counts(m.dispositions)
    rows: list[tuple[Cell, ...]] = [
        ("Organisations found", m.total, None),
        ("Contacted", m.contacted, None),
        ("Excluded", m.excluded, None),
    ]
    rows += [(f"Excluded: {reason}", n, None) for reason, n in m.excluded_by_reason]
    rows += [
        ("On the database", m.on_database, None),
        ("Interviewed", m.interviewed, None),
        ("Complete interviews (1.1)", classes["I"], None),
        ("Partial interviews (1.2)", classes["P"], None),
        ("Recorded as interviewed without an interview", p.interviewed_without_interview if p else 0, None),
        ("Full interviews", m.full_interviews, None),
        ("In interview", m.in_interview, None),
        ("Interviews broken off", p.break_offs if p else 0, None),
        ("Not reached", m.not_reached, None),
        ("Declined", m.declined, None),
        ("Still being contacted", m.still_contacting, None),
        ("Not yet contacted", m.not_yet_contacted, None),
        ("Listed with permission", m.listed_with_permission, None),
    ]
    for code in outcome_rates.RATE_ORDER:
        value = m.rates.get(code)
        rows.append((rate_name(code), None, None if value is None else round(100 * value, 1)))
    e = m.rates.get("e")
    how = "set by the researcher" if fieldwork.settings(study).eligibility_rate is not None else "estimated"
    rows.append((f"e: share of organisations of unknown eligibility taken as eligible ({how})", None,
                 None if e is None else round(100 * e, 1)))
    return Table("Method", "How the study went", ("Measure", "Organisations", "%"), tuple(rows), total_row=False,
                 percent_columns=frozenset({2}))


def _percent_of(part: int, whole: int | None) -> float | None:
    return summary.percent(part, whole) if whole else None


def targets(study: Study) -> Table:
    """Target against achieved (interviewed) for each category that has a target."""
    rows = [(r.group, r.target, r.interviewed, _percent_of(r.interviewed, r.target))
            for r in summary.targets(study)]
    target_sum = sum(r[1] or 0 for r in rows)
    achieved = sum(r[2] for r in rows)
    rows.append(("Total", target_sum, achieved, _percent_of(achieved, target_sum)))
    return Table("Targets", "Target against achieved, by category",
                 ("Category", "Target", "Interviewed", "% of target"), tuple(rows),
                 percent_columns=frozenset({3}))


def crosstab(study: Study, question_id: str, by: str = "category", *, language: str | None = None) -> Table:
    """One question's answers by category (or area): a count and a row percentage per choice,
    the question and its choices worded in ``language`` (default: the study's report language)."""
    return _crosstab_table(summary.crosstab(study, question_id, by, language=language))


def _crosstab_table(x: summary.Crosstab) -> Table:
    head: list[str] = [x.by.capitalize()]
    for choice in x.choices:
        head += [choice, f"{choice} %"]
    head.append("Respondents")
    rows = []
    for r in x.rows + [x.total]:
        cells: list[Cell] = [r.group]
        for n, p in zip(r.counts, r.percentages, strict=True):
            cells += [n, p]
        cells.append(r.respondents)
        rows.append(tuple(cells))
    notes: tuple[str, ...] = (("Respondents could choose more than one answer, so percentages (of respondents) can add "
              "up to more than 100."),) if x.multiple else ()
    if not x.multiple and any(r.respondents and not summary.add_up(r.percentages) for r in x.rows + [x.total]):
        notes += (summary.ROUNDING_NOTE,)  # as the report says under the same table
    return Table(x.question_label, x.question_label, tuple(head), tuple(rows),
                 percent_columns=frozenset(range(2, 2 * len(x.choices) + 1, 2)), notes=notes)


def crosstab_questions(study: Study) -> list[str]:
    """Ids of the questions a crosstab is made for: named choice, yes/no and scale questions,
    the schedule's and those removed from it that interviews still hold answers to."""
    return [q.id for q in summary.reported_questions(study) if not q.anonymous]


def crosstabs(study: Study, by: str = "category", *, language: str | None = None) -> list[Table]:
    language = summary.language_for(study, language)
    return [_crosstab_table(x) for x in summary.crosstabs(study, crosstab_questions(study), by, language=language)]


def all_tables(study: Study, *, language: str | None = None) -> list[Table]:
    """Every summary table, in the order a report gives them (questions and choices worded in
    ``language``, by default the study's report language)."""
    tables = [method(study), by_group(study, "category"), by_group(study, "area")]
    if summary.targets(study):
        tables.append(targets(study))
    return tables + crosstabs(study, language=language)


# --- CSV --------------------------------------------------------------------------------------


def csv_text(table: Table) -> str:
    """The table as CSV text: the header row, then the rows (Excel's CRLF line ends), every text
    cell made safe for a spreadsheet (``fieldkit.spreadsheets.safe_text``)."""
    return spreadsheets.csv_text(table.head, table.rows)


def write_csv(table: Table, path: str | os.PathLike) -> Path:
    """Write one table as CSV (UTF-8 with BOM) to ``path``, atomically."""
    return spreadsheets.write_csv(path, table.head, table.rows)


# --- XLSX -------------------------------------------------------------------------------------


def sheet_names(tables: Sequence[Table]) -> list[str]:
    """A valid, distinct sheet name for each table (Excel: at most 31 characters, none of
    ``[]:*?/\\``, unique ignoring case)."""
    return spreadsheets.sheet_names([t.name for t in tables])


def _sheets(tables: Table | Iterable[Table]) -> tuple[list[spreadsheets.Sheet], str]:
    """The tables as workbook sheets (title above, bold frozen header, bold total, notes below),
    and the workbook's title."""
    tables = [tables] if isinstance(tables, Table) else list(tables)
    if not tables:
        raise ExportError("there are no tables to write")
    sheets = [spreadsheets.Sheet(t.name, t.head, t.rows, title=t.title, notes=t.notes, total_row=t.total_row,
                                 percent_columns=t.percent_columns, numeric_head=True) for t in tables]
    return sheets, tables[0].title if len(tables) == 1 else "Summary tables"


def xlsx_bytes(tables: Table | Iterable[Table]) -> bytes:
    """A workbook with a sheet per table, as bytes."""
    sheets, title = _sheets(tables)
    return spreadsheets.xlsx_bytes(sheets, title=title)


def write_xlsx(tables: Table | Iterable[Table], path: str | os.PathLike) -> Path:
    """Write a workbook with a sheet per table to ``path``, atomically."""
    sheets, title = _sheets(tables)
    return spreadsheets.write_xlsx(path, sheets, title=title)


def write_table(table: Table, path: str | os.PathLike, fmt: str | None = None) -> Path:
    """Write one table as CSV or XLSX (``fmt``, or from the file's suffix)."""
    fmt = fmt or format_for(path)
    return write_xlsx(table, path) if fmt == "xlsx" else write_csv(table, path)


def format_for(path: str | os.PathLike) -> str:
    """``csv`` or ``xlsx`` from a file name's suffix; an ExportError for anything else."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ExportError(f"{path}: the file name should end in .csv or .xlsx")
    return suffix
