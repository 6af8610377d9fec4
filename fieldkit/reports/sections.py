"""The report's sections: the one registry the data builder, both renderers (PDF and Word), the
command line's ``--sections`` and the Reports screen read. Kept apart from fieldkit.reports.data
so that reading it (the command line's help does, on every command) imports nothing else.

A section is either generated (fieldkit works it out from the study: the method, the tables, the
crosstabs, the findings' quotations, the directory) or written (the researcher's own Markdown:
background, aims, recommendations, ...). Every section can carry a heading and a text of the
researcher's (``fieldkit.reports.outline``): a written section prints nothing without one, the
method's text replaces fieldkit's generated words, and in the other generated sections it is
the introduction printed under the heading. The researcher chooses which sections print and in
what order; ``SECTIONS`` is the order of a new study.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One section of the report: its ``name`` (in ``ReportOptions.sections``, ``--sections`` and
    the study's outline), what a screen calls it, the heading it prints under unless the
    researcher gives another, whether it is ``written`` by the researcher, and whether the PDF
    runs it on after the section before it rather than starting a new page."""

    name: str
    label: str
    heading: str
    written: bool = False
    runs_on: bool = False


#: The report's sections in the order of a new study's report.
SECTIONS: tuple[Section, ...] = (
    Section("background", "Background (written)", "Background", written=True),
    Section("aims", "Aims (written)", "Aims of the study", written=True),
    Section("method", "Method (generated, editable)", "Method"),
    Section("dispositions", "Final dispositions (AAPOR codes)", "Final dispositions", runs_on=True),
    Section("tables", "Organisations by category and by area", "Organisations mapped"),
    Section("targets", "Targets against achieved", "Target and achieved", runs_on=True),
    Section("crosstabs", "Answers by category, with charts", "Answers by category"),
    Section("comments", "Findings by theme, with quotations", "Findings"),
    Section("recommendations", "Recommendations (written)", "Recommendations", written=True),
    Section("conclusions", "Conclusions (written)", "Conclusions", written=True),
    Section("acknowledgements", "Acknowledgements (written)", "Acknowledgements", written=True),
    Section("directory", "Directory of organisations", "Appendix: directory of organisations"),
    Section("appendices", "Appendices (written)", "Appendices", written=True),
)
ALL_SECTIONS: tuple[str, ...] = tuple(s.name for s in SECTIONS)
BY_NAME: dict[str, Section] = {s.name: s for s in SECTIONS}
WRITTEN: frozenset[str] = frozenset(s.name for s in SECTIONS if s.written)


def section(name: str) -> Section:
    """The section called ``name``; KeyError for an unknown one."""
    return BY_NAME[name]
