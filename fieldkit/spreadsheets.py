"""The one writer of every CSV and XLSX file fieldkit makes, safe to open in a spreadsheet.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is
taken by Excel, LibreOffice and Google Sheets for a formula: an organisation called
``=HYPERLINK("http://…","Click")``, a comment typed as ``+cmd|…`` or a category ``=1+2`` would
run as one in the researcher's or the client's spreadsheet ("CSV injection", or formula
injection). Every text cell is written here, so every export is protected the same way:

- **CSV**: such a text gets a leading apostrophe (``'=1+2``), as OWASP advises. A spreadsheet
  then shows it as text (Excel hides the apostrophe; it is visible in a text editor and to a
  script reading the file). A phone number written ``+44 113 …`` gets one too. Numbers are
  written as numbers and never get an apostrophe, negative ones included: only text is
  neutralised (``safe_text``).
- **XLSX**: every text cell is stored as an explicit string (``t="inlineStr"``), so a
  spreadsheet never evaluates it, and the text is kept exactly as it is, without an
  apostrophe: in a workbook a string's type says what it is, and an apostrophe there would
  become part of the value. Numbers stay numbers; dates are dates. Characters a workbook
  cannot hold at all (control characters other than tab, line feed and carriage return) are
  left out, and a text longer than a cell holds (32,767 characters, Excel's limit) is cut there
  and ends in "…": CSV, SPSS and Stata files keep such a text whole.

Header rows, titles and notes are cells like any other. CSV files are UTF-8 with a byte-order
mark (so Excel reads names in any script right) and Excel's CRLF line ends; XLSX sheets have
an optional title row, a bold frozen header row, an optional bold total row, notes below, and
columns fitted to their contents. Files are written atomically
(``fieldkit.exports.write_atomically``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.exports import ExportError, write_atomically

Cell = str | int | float | dt.date | None
#: What a spreadsheet takes for the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Excel's limit on a sheet name, and the characters it refuses in one.
SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
#: The most characters a workbook's cell holds (Excel's limit).
CELL_MAX = 32_767
#: Characters XML 1.0 (and so a workbook) cannot hold: control characters but tab, LF and CR.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value: Any) -> Any:
    """``value`` made safe for a CSV cell: a text starting with ``= + - @``, a tab or a
    carriage return gets a leading apostrophe, so no spreadsheet takes it for a formula.
    Anything that is not text (a number, a date, None) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value: Any) -> Any:
    """One CSV cell: None as empty, True/False as 1/0, a date as YYYY-MM-DD, numbers as they
    are, any text through ``safe_text``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return safe_text(str(value))


def csv_text(header: Sequence[Any] | None, rows: Iterable[Sequence[Any]], *, lineterminator: str = "\r\n") -> str:
    """A header row (None: none) and the rows as CSV text, every cell through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    if header is not None:
        writer.writerow([csv_cell(c) for c in header])
    writer.writerows([csv_cell(c) for c in row] for row in rows)
    return out.getvalue()


def write_csv(path: str | os.PathLike, header: Sequence[Any] | None, rows: Iterable[Sequence[Any]]) -> Path:
    """Write a CSV file (UTF-8 with a byte-order mark, CRLF line ends) atomically."""
    data = csv_text(header, rows).encode("utf-8-sig")
    return write_atomically(path, lambda f: f.write(data))


# --- XLSX -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: ``header`` names the columns, ``rows`` hold the cells.

    ``title``: a bold line above the header (the header then in row 2); ``notes``: lines below
    the table after a blank row; ``total_row``: the last row is bold; ``percent_columns``:
    indexes of columns of percentages (whole ones shown whole, others to one decimal place);
    ``numeric_head``: header cells from the second column on right-aligned over numbers.
    """

    name: str
    header: Sequence[Any]
    rows: Sequence[Sequence[Any]]
    title: str | None = None
    notes: Sequence[str] = ()
    total_row: bool = False
    percent_columns: frozenset[int] = field(default_factory=frozenset)
    numeric_head: bool = False


def sheet_names(names: Sequence[str]) -> list[str]:
    """A valid, distinct sheet name for each name (Excel: at most 31 characters, none of
    ``[]:*?/\\``, unique ignoring case)."""
    made: list[str] = []
    taken: set[str] = set()
    for given in names:
        base = _SHEET_NAME_BAD.sub(" ", given).strip(" '") or "Table"
        base = re.sub(r"\s+", " ", base)
        name, n = _shorten(base, SHEET_NAME_MAX), 1
        while name.lower() in taken:
            n += 1
            suffix = f" ({n})"
            name = _shorten(base, SHEET_NAME_MAX - len(suffix)) + suffix
        taken.add(name.lower())
        made.append(name)
    return made


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;.-") + "…"


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:.1f}")
    if isinstance(value, (dt.date, dt.datetime)):
        return 10 if not isinstance(value, dt.datetime) else 16
    return max((len(line) for line in str(value).splitlines()), default=0)


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write one cell: text always as an explicit string (never a formula), numbers as numbers,
    dates as dates."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return cell
    if isinstance(value, bool):
        cell.value = int(value)
    elif isinstance(value, (int, float)):
        cell.value = value
    elif isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        text = _NOT_IN_XML.sub("", str(value))
        if len(text) > CELL_MAX:  # visibly cut, where Excel (and openpyxl) would cut without a sign
            text = text[:CELL_MAX - 1] + "…"
        cell.value = text
        cell.data_type = "s"  # set after the value: openpyxl types a text starting "=" as a formula
    return cell


def xlsx_bytes(sheets: Sequence[Sheet | tuple], *, title: str | None = None) -> bytes:
    """A workbook with one sheet per ``Sheet`` (or ``(name, header, rows[, title[, notes]])``),
    as bytes; ``title`` is the workbook's document title (default: the first sheet's)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    tables = [s if isinstance(s, Sheet) else Sheet(*s) for s in sheets]
    if not tables:
        raise ExportError("there are no tables to write")
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    rule = Border(bottom=Side(style="thin"))
    for sheet_data, name in zip(tables, sheet_names([s.name for s in tables]), strict=True):
        sheet = book.create_sheet(name)
        row = 1
        if sheet_data.title is not None:
            _put(sheet, row, 1, sheet_data.title).font = Font(bold=True, size=12)
            row += 1
        head_row = row
        for column, value in enumerate(sheet_data.header, start=1):
            cell = _put(sheet, head_row, column, value)
            cell.font = bold
            cell.border = rule
            if sheet_data.numeric_head and column > 1:
                cell.alignment = Alignment(horizontal="right", wrap_text=True)
        last = len(sheet_data.rows) - 1
        for index, values in enumerate(sheet_data.rows):
            row += 1
            for column, value in enumerate(values, start=1):
                cell = _put(sheet, row, column, value)
                if column - 1 in sheet_data.percent_columns and isinstance(value, (int, float)):
                    cell.number_format = "0" if isinstance(value, int) else "0.0"  # whole percentages stay whole
                if sheet_data.total_row and index == last:
                    cell.font = bold
        if sheet_data.notes:
            row += 1
            for note in sheet_data.notes:
                row += 1
                _put(sheet, row, 1, note)
        sheet.freeze_panes = f"A{head_row + 1}"
        for column in range(len(sheet_data.header)):
            cells = [sheet_data.header[column]] + [r[column] for r in sheet_data.rows if column < len(r)]
            fitted = max(_width(c) for c in cells) + 2
            sheet.column_dimensions[get_column_letter(column + 1)].width = min(max(fitted, 8), 60)
    book.properties.title = title if title is not None else (tables[0].title or tables[0].name)
    book.properties.creator = "fieldkit"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _io_reason(message: str) -> str:
    """libxml2's name for a failed write ("IO_EFBIG") in the system's words ("File too large")."""
    import errno

    name = message.strip().removeprefix("IO_")
    code = getattr(errno, name, None) if name.startswith("E") else None
    return os.strerror(code) if isinstance(code, int) else message


def write_xlsx(path: str | os.PathLike, sheets: Sequence[Sheet | tuple], *, title: str | None = None) -> Path:
    """Write a workbook with one sheet per ``Sheet`` to ``path``, atomically."""
    # openpyxl writes each sheet to a temporary file first; with lxml installed (python-docx
    # needs it) it writes through lxml, whose failed write is a SerialisationError, not an OSError.
    from lxml.etree import SerialisationError

    try:
        data = xlsx_bytes(sheets, title=title)
    except (OSError, SerialisationError) as e:
        import tempfile

        reason = e.strerror if isinstance(e, OSError) else _io_reason(str(e))
        raise ExportError(f"{path}: cannot make the workbook: its temporary files in {tempfile.gettempdir()} "
                          f"could not be written ({reason}); nothing was written") from None
    return write_atomically(path, lambda f: f.write(data))
