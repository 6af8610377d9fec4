"""The codebook of the interviews export: every variable, what it asks, its codes and versions.

Built from the interviews dataset (``fieldkit.datasets.interviews``) so it describes exactly
the variables written, under the names written: for each, the question's id and wording (in
the study's report language), its type, each code with its label, and the template versions
that asked it. Written as CSV or XLSX (``fieldkit.spreadsheets``) for a statistician's script,
or as a PDF in the report's own pages and fonts (``fieldkit.reports.pages``, as the case sheet
is). The data object comes first and is what tests assert on; the PDF only lays it out.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.datasets import Dataset, Variable

if TYPE_CHECKING:
    from fieldkit.study import Study

KIND_WORDS = {"number": "Number", "text": "Text", "date": "Date (YYYY-MM-DD)", "datetime": "Date and time"}
NAMING_NOTE = ("Variable names are made from the question ids to suit SPSS, Stata and R (at most 32 characters: "
               "a letter first, then letters, digits and _); question_id gives each name's question. A question "
               "with several choices has one 0/1 variable per choice, its name ending in the choice's code.")
FILES_NOTE = ("The same names and codes are used in the CSV, XLSX, SPSS (.sav) and Stata (.dta) files. SPSS and "
              "Stata files carry the labels themselves (Stata keeps 80 characters of a question, SPSS 256 bytes: "
              "this codebook has the whole wording). In CSV a text starting with = + - @ has a leading "
              "apostrophe so that no spreadsheet runs it as a formula.")


@dataclass(frozen=True)
class Entry:
    """One variable: its name, question, wording, type, codes with labels, and versions."""

    variable: str
    question_id: str
    label: str
    type: str
    codes: tuple[tuple[int, str], ...]
    versions: tuple[int, ...]
    note: str = ""

    def codes_text(self) -> str:
        """"1 = Small; 2 = Medium; 3 = Large"."""
        return "; ".join(f"{code} = {label}" for code, label in self.codes)


@dataclass(frozen=True)
class Codebook:
    title: str
    author: str
    entries: tuple[Entry, ...]
    notes: tuple[str, ...]

    def entry(self, variable: str) -> Entry:
        for e in self.entries:
            if e.variable == variable:
                return e
        raise KeyError(variable)

    def dataset(self) -> Dataset:
        """The codebook as a table: a row per variable (for CSV and XLSX)."""
        variables = tuple(Variable(name, label) for name, label in (
            ("variable", "Variable"), ("question_id", "Question id"), ("label", "Question or description"),
            ("type", "Type"), ("codes", "Codes and labels"), ("template_versions", "Template versions"),
            ("note", "Note")))
        rows = tuple((e.variable, e.question_id or None, e.label, e.type, e.codes_text() or None,
                      ", ".join(map(str, e.versions)) or None, e.note or None) for e in self.entries)
        return Dataset("codebook", "Codebook", variables, rows, self.notes)


def _type_of(v: Variable) -> str:
    if v.qtype is None:
        return KIND_WORDS.get(v.kind, v.kind)
    from fieldkit import question_types

    title = question_types.get(v.qtype).title
    if v.qtype == "calculate":
        return f"{title} ({KIND_WORDS[v.kind].lower()})"
    return title


def _zero_last(item: tuple[int, str]) -> tuple[bool, int]:
    """Codes in order, 0 (no, not chosen) after 1."""
    return item[0] == 0, item[0]


def from_interviews(dataset: Dataset, *, title: str = "", author: str = "") -> Codebook:
    """The codebook of an interviews dataset, variable by variable."""
    entries = tuple(Entry(v.name, v.question_id or "", v.label, _type_of(v),
                          tuple(sorted(v.value_labels.items(), key=_zero_last)),
                          v.versions, v.note) for v in dataset.variables)
    return Codebook(title, author, entries, tuple(dataset.notes) + (NAMING_NOTE, FILES_NOTE))


def build(study: Study, language: str | None = None) -> Codebook:
    """The codebook of the study's interviews export, worded in ``language`` (default: the
    study's report language)."""
    from fieldkit import datasets

    return from_interviews(datasets.interviews(study, language), title=study.title, author=study.author)


def render_pdf(book: Codebook, path: str | os.PathLike, *, study: Study | None = None, page_size: str = "a4",
               today: dt.date | None = None) -> Path:
    """Write the codebook as a PDF in the report's style, atomically; returns the path."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    from fieldkit.reports.pages import PAGE_SIZES, Document, Styles, long_date, table, write_pdf
    from fieldkit.reports.text import para

    st = Styles()
    printed = long_date(today or dt.date.today())
    title = book.title or (study.title if study is not None else "")

    def build_pdf(f: Any) -> None:
        doc = Document(f, page_size=PAGE_SIZES[page_size], st=st, title=f"Codebook: {title}", author=book.author,
                       subject=f"The variables of the interviews export of {title}",
                       header=f"{title} · codebook", footer=f"Printed {printed}", keywords=["codebook"], cover=False)
        rows = [[e.variable, [e.label] + ([f"Question id: {e.question_id}"] if e.question_id else []) +
                 ([e.note] if e.note else []), e.type, [f"{c} = {label}" for c, label in e.codes],
                 ", ".join(map(str, e.versions))] for e in book.entries]
        story = [para("Codebook", st.cover_sub), para(title, st.sheet_title)]
        story += [para(note, st.note) for note in book.notes]
        story += [Spacer(1, 8), table(st, ["Variable", "Question", "Type", "Codes and labels", "Versions"], rows,
                                      [32 * mm, None, 26 * mm, 42 * mm, 18 * mm], width=doc.width, numeric=False)]
        doc.build_pdf(story)

    return write_pdf(path, build_pdf)
