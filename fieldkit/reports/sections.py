"""The report's sections: the one registry the PDF renderer, the command line's ``--sections``
and the Reports screen read. Kept apart from fieldkit.reports.data so that reading it (the
command line's help does, on every command) imports nothing else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One section of the report: its ``name`` (in ``ReportOptions.sections`` and ``--sections``),
    what a screen calls it, and whether the PDF runs it on after the section before it rather
    than starting a new page (a sub-section of that one when both are printed)."""

    name: str
    label: str
    runs_on: bool = False


#: The report's sections in report order: the one list the PDF renderer, the command line's
#: ``--sections`` and the Reports screen read.
SECTIONS: tuple[Section, ...] = (
    Section("method", "Method summary"),
    Section("dispositions", "Final dispositions (AAPOR codes)", runs_on=True),
    Section("tables", "Organisations by category and by area"),
    Section("targets", "Targets against achieved", runs_on=True),
    Section("crosstabs", "Answers by category, with charts"),
    Section("comments", "Comments by theme (anonymous)"),
    Section("directory", "Directory of organisations"),
)
ALL_SECTIONS: tuple[str, ...] = tuple(s.name for s in SECTIONS)
