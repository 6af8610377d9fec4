"""The report's data: everything the mapping report prints, worked out before any layout.

``build_report_data(study, options)`` runs the study's summary queries and returns a
``ReportData`` of plain frozen values (numbers, strings, tuples). The PDF renderer lays
that out and runs no SQL, so tests can assert every number here without reading a PDF.

What it holds, section by section:

- cover: title, client, author and the date of export;
- method: ``summary.MethodSummary`` (contacted, excluded by reason, on database, ...), and
  ``MethodSection``: what the method section says in words (interviews complete and partial, in
  interview, break-offs, the median interview length and attempts), the table of counts, and
  the response and cooperation rates it quotes (AAPOR's RR1, RR3 and COOP1; RR2, RR4 and COOP2
  too when there are partial interviews) with their definitions and the e used;
- dispositions: organisations by AAPOR disposition code, in code order, the total last
  (``DispositionLine``), with notes on the dispositions not yet final;
- tables: organisations by category and by area (``summary.GroupRow``; the last row of
  each is the total);
- targets: target against achieved (interviewed) for the categories that have a target,
  then a total row;
- crosstabs: one ``CrosstabTable`` for each named choice, yes/no and scale question that
  has answers, by category, with a count and a row percentage in each cell; anonymous
  questions of those kinds are counted overall only (``by`` is ""), never by category; the
  questions that tick what the directory may print of an organisation (``directory.DETAILS``:
  "May we list its phone number?") are the directory's, not findings, and have none;
- comments: the pooled answers to anonymous text questions as quotations under each theme,
  reshuffled on every export (``random.SystemRandom``; ``options.seed`` fixes the order for
  tests), with nothing attached but the words;
- directory: area, name, (if asked) the person interviewed and the contact details each agreed
  to have listed, for organisations on the database whose "permission to list" is ticked,
  grouped by area in the study's order, then by name (``fieldkit.reports.directory``).

Small-number protection (``options.small_numbers``; by default the study's own setting,
``suppression.study_choice``, which protects unless the researcher turns it off) applies to the
crosstabs and overall counts of answers (see ``fieldkit.reports.suppression``); the tables of
organisations are counts of organisations, which the directory names anyway, and are never
altered (under a rounding rule the crosstabs' note says so).

Percentages are each rounded on their own, half away from zero, to whole percentages under a
base of 100 and to one decimal place from 100 up (``summary.percent``), so the same fraction of
the same base prints the same everywhere; a table whose percentages then do not add up to 100
says so in a note (``ROUNDING_NOTE``).

Language: question and choice labels are printed in ``options.language``, by default the
study's report language (``Study.report_language``), each text missing in that language in
the default language's words. Answers are counted under the choice names they store and
printed under the choices' labels as the current schedule has them (a choice relabelled
since shows its new label for old answers too).

What is counted: answers kept but marked irrelevant (``answers.relevant = 0``: the question's
logic no longer asks it) are left out of every crosstab (``summary.crosstab``); held answers
marked so never move into the pool (``fieldkit.held``), so the overall counts leave them out
too. A question removed from the schedule keeps its crosstab while interviews (or the pool)
hold answers to it, worded as the newest template version that had it
(``summary.reported_questions``), after the schedule's own questions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from fieldkit import summary
from fieldkit.errors import InvalidValueError
from fieldkit.question_types import WORDED
from fieldkit.question_types import get as question_type
from fieldkit import quotations
from fieldkit.reports import markup, outline, suppression
from fieldkit.reports.figures import Figures
from fieldkit.reports.markup import EMPTY, Text
from fieldkit.reports.directory import DirectoryEntry, directory, sort_key  # noqa: F401
from fieldkit.reports.method import (  # noqa: F401 - re-exported
    SOURCE, TOTAL, DispositionLine, MethodSection, RateLine, disposition_lines, disposition_notes, method_markdown,
    method_section, rate_name)
from fieldkit.reports.sections import ALL_SECTIONS, SECTIONS, WRITTEN, Section  # noqa: F401 - the registry
from fieldkit.reports.sections import BY_NAME as SECTION_BY_NAME
from fieldkit.reports.suppression import Figure, Rule, SmallNumbers
from fieldkit.summary import NOT_RECORDED, GroupRow, MethodSummary

if TYPE_CHECKING:
    from fieldkit.pool import Comment
    from fieldkit.study import Study
    from fieldkit.templates import Question


PAGE_SIZES = ("a4", "letter")
#: The heading for pooled comments that carry no theme.
OTHER_COMMENTS = "Other comments"
OTHER_CATEGORIES = "Other categories"


@dataclass(frozen=True)
class ReportOptions:
    """What to put in a report. ``small_numbers``: None or "off" (full counts), "nhs", "ons", a
    threshold, or (the default) ``suppression.FROM_STUDY``: the study's own setting."""

    #: The sections to print; None: those the study's outline includes. Printed in the outline's order.
    sections: tuple[str, ...] | None = None
    directory: bool = True
    small_numbers: SmallNumbers = suppression.FROM_STUDY
    page_size: str = "a4"
    include_person: bool = False
    seed: int | None = None
    #: The language of question and choice labels; None: the study's report language.
    language: str | None = None
    #: Quotations printed for a theme without chosen ones; None: the study's setting.
    quotations: int | None = None

    def __post_init__(self) -> None:
        if self.sections is None:
            sections: tuple[str, ...] = ()
        else:
            sections = (self.sections,) if isinstance(self.sections, str) else tuple(self.sections)
        unknown = [s for s in sections if s not in ALL_SECTIONS]
        if unknown:
            raise InvalidValueError(f"unknown report section: {', '.join(map(str, unknown))} "
                                    f"(sections: {', '.join(ALL_SECTIONS)})")
        if self.sections is not None:
            object.__setattr__(self, "sections", tuple(s for s in ALL_SECTIONS if s in sections))
        size = str(self.page_size).strip().lower()
        if size not in PAGE_SIZES:
            raise InvalidValueError(f"unknown page size '{self.page_size}' (expected a4 or letter)")
        object.__setattr__(self, "page_size", size)
        if self.small_numbers != suppression.FROM_STUDY:
            suppression.rule_for(self.small_numbers)  # refuse a bad rule now, not half-way through

    @property
    def rule(self) -> Rule | None:
        """The small-number rule asked for (``rule_for(study)`` when it is the study's setting)."""
        return suppression.rule_for(self.small_numbers)

    def rule_for(self, study: Study) -> Rule | None:
        """The small-number rule of a report of ``study``: the one asked for, else the study's."""
        if self.small_numbers == suppression.FROM_STUDY:
            return suppression.study_rule(study)
        return suppression.rule_for(self.small_numbers)

    def printed_sections(self, parts: Sequence[outline.Part]) -> tuple[str, ...]:
        """The sections to print, in the order of the study's outline ``parts``: ``sections`` when
        given, else those the outline includes; without the directory when it is left out."""
        return tuple(p.key for p in parts
                     if (p.key in self.sections if self.sections is not None else p.included)
                     and (p.key != "directory" or self.directory))


@dataclass(frozen=True)
class CrosstabLine:
    """One row of a crosstab as printed."""

    group: str
    cells: tuple[str, ...]                  # "12 (40%)" (one decimal from a base of 100), "0", or "*" when hidden
    counts: tuple[int | None, ...]          # the counts printed (rounded under a rounding rule); None if hidden
    percentages: tuple[float | None, ...]   # of the row's respondents; None if hidden or no respondents
    base: str                               # the respondents, as printed ("*" when hidden)
    base_count: int | None                  # the respondents printed; None if hidden

    @property
    def respondents(self) -> int | str:
        """The respondents printed: a number, or "*" when hidden."""
        return self.base if self.base_count is None else self.base_count


@dataclass(frozen=True)
class CrosstabTable:
    """Answers to one question: by category, or (``by`` "") overall for an anonymous question."""

    question_id: str
    question_label: str
    question_type: str
    choices: tuple[str, ...]
    by: str                          # "category", or "" for overall counts only
    rows: tuple[CrosstabLine, ...]   # one per category (every category, zeros included); () overall
    total: CrosstabLine
    multiple: bool                   # respondents could pick several answers
    protected: bool                  # small-number protection was applied
    notes: tuple[str, ...] = ()      # lines to print under the table
    secondary: int = 0               # figures hidden only so that small counts cannot be worked out
    keys: tuple[str, ...] = ()       # what the answers store under each of ``choices`` (choice names)

    @property
    def ordered(self) -> bool:
        """The choices run in order (a scale), which a chart can show as a ramp."""
        return question_type(self.question_type).ordered

    @property
    def anonymous(self) -> bool:
        return self.by == ""


class ThemeComments(NamedTuple):
    theme: str                     # the theme's label
    quotations: tuple[str, ...]    # the words: the researcher's choice in their order, else a shuffled sample
    write_up: Text = EMPTY         # the researcher's findings for the theme, printed before the quotations
    chosen: bool = False           # the quotations are the researcher's choice
    available: int = 0             # comments under the theme (duplicates left out)
    theme_id: str = ""


class SectionText(NamedTuple):
    """A printed section's heading and the researcher's text for it (empty when none)."""

    key: str
    heading: str
    text: Text


class RecommendationLine(NamedTuple):
    text: str     # live figures filled in
    who: str


@dataclass(frozen=True)
class CoverData:
    title: str
    subtitle: str
    client: str            # "Prepared for"
    author: str            # "Prepared by"
    date: str              # as printed: the researcher's words, else the month of export
    confidentiality: str
    client_logo: bytes | None = None
    author_logo: bytes | None = None


@dataclass(frozen=True)
class ReportData:
    title: str
    client: str
    author: str
    date: dt.date
    sections: tuple[str, ...]                   # the sections to print, in the researcher's order
    method: MethodSummary | None = None
    method_section: MethodSection | None = None  # the words and rates of the method section
    dispositions: tuple[DispositionLine, ...] = ()  # in code order; the last row is the total
    dispositions_notes: tuple[str, ...] = ()     # lines to print under the dispositions table
    by_category: tuple[GroupRow, ...] = ()      # the last row is the total
    by_area: tuple[GroupRow, ...] = ()          # the last row is the total
    targets: tuple[GroupRow, ...] = ()          # interviewed is "achieved"; the last row is the total
    crosstabs: tuple[CrosstabTable, ...] = ()
    comments: tuple[ThemeComments, ...] = ()
    directory: tuple[DirectoryEntry, ...] = ()
    include_person: bool = False
    page_size: str = "a4"
    small_numbers: Rule | None = None
    notes: tuple[str, ...] = field(default=())  # how small numbers were protected, once for the report
    language: str = ""                          # the language question and choice labels are in
    cover: CoverData | None = None
    texts: tuple[SectionText, ...] = ()          # every printed section's heading and researcher's text
    method_text: Text = EMPTY                   # the method's words: the researcher's, else fieldkit's
    method_edited: bool = False                 # the method's words are the researcher's
    recommendations: tuple[RecommendationLine, ...] = ()
    lang: str = "en-GB"                         # the document's language (BCP 47), for PDF and Word

    @property
    def quotation_count(self) -> int:
        return sum(len(t.quotations) for t in self.comments)

    def text_of(self, key: str) -> SectionText:
        """The heading and researcher's text of section ``key``."""
        for t in self.texts:
            if t.key == key:
                return t
        return SectionText(key, SECTION_BY_NAME[key].heading, EMPTY)

    def has_content(self, key: str) -> bool:
        """Whether section ``key`` prints anything: a written section needs the researcher's text
        (recommendations: or a row); a generated one its data (the directory prints even empty
        only when the researcher wrote an introduction for it)."""
        text = self.text_of(key).text
        if key in WRITTEN:
            return bool(text) or (key == "recommendations" and bool(self.recommendations))
        if key == "method":
            return self.method_section is not None
        if key == "comments":
            return any(t.quotations or t.write_up for t in self.comments) or bool(text)
        if key == "directory":
            return bool(self.directory) or bool(text)
        present = {"dispositions": self.dispositions, "tables": self.by_category or self.by_area,
                   "targets": self.targets, "crosstabs": self.crosstabs}
        return bool(present.get(key))

    def pieces(self) -> Iterator[tuple[str, str]]:
        """(where, text) for every piece of text the report prints that comes from the study,
        for checking that the report's fonts have every character."""
        if self.cover is not None:
            c = self.cover
            for where, value in (("Cover: title", c.title), ("Cover: subtitle", c.subtitle),
                                 ("Cover: prepared for", c.client), ("Cover: prepared by", c.author),
                                 ("Cover: date", c.date), ("Cover: confidentiality", c.confidentiality)):
                if value:
                    yield where, value
        for t in self.texts:
            yield f"{t.heading}: heading", t.heading
            for n, piece in enumerate(t.text.plain(), 1):
                yield f"{t.heading}, paragraph {n}", piece
        for n, piece in enumerate(self.method_text.plain(), 1):
            yield f"Method, paragraph {n}", piece
        for n, r in enumerate(self.recommendations, 1):
            yield f"Recommendations, row {n}", f"{r.text} {r.who}"
        for x in self.crosstabs:
            yield f"Answers: {x.question_label}", x.question_label
            for choice in x.choices:
                yield f"Answers: {x.question_label}", choice
        for finding in self.comments:
            for n, piece in enumerate(finding.write_up.plain(), 1):
                yield f"Findings: {finding.theme}, paragraph {n}", piece
            for n, q in enumerate(finding.quotations, 1):
                yield f"Findings: {finding.theme}, quotation {n}", q
        for rows, what in ((self.by_category, "Organisations by category"), (self.by_area, "Organisations by area")):
            for group_row in rows:
                yield what, group_row.group
        for e in self.directory:
            yield f"Directory: {e.name}", " ".join([e.area, e.name, e.person or "", *(v for _, v in e.details)])


def build_report_data(study: Study, options: ReportOptions | None = None, *,
                      today: dt.date | None = None) -> ReportData:
    """Everything the report prints, from the study's summary queries."""
    options = options or ReportOptions()
    parts = {p.key: p for p in outline.parts(study)}
    sections = options.printed_sections(list(parts.values()))
    rule = options.rule_for(study)
    language = summary.language_for(study, options.language)
    crosstabs = tuple(_crosstabs(study, rule, language)) if "crosstabs" in sections else ()
    notes: tuple[str, ...] = ()
    if rule is not None:
        notes = rule.notes(secondary=any(t.secondary for t in crosstabs))
    # One set of figures for the whole report: the dispositions, the method's counts and the tables
    # of organisations are each worked out once, and the words quote the numbers the tables print.
    figures = Figures.of(study)
    method = figures.method if "method" in sections else None
    today = today or dt.date.today()
    texts = tuple(SectionText(key, parts[key].heading,
                              markup.parse(parts[key].body or "", where=parts[key].heading, figures=figures)
                              if key != "method" else EMPTY)
                  for key in sections)
    method_body = parts["method"].body
    own_method = (markup.parse(method_body, where=parts["method"].heading, figures=figures)
                  if method is not None and method_body is not None else None)
    # Tables the researcher's words place ({table:targets}) are worked out even when their own
    # section is not printed.
    placed = set().union(*(t.text.tables() for t in texts), own_method.tables() if own_method else ())
    found = (figures.dispositions
             if {"method", "dispositions"} & set(sections) or "dispositions" in placed else {})
    words = method_section(study, method, found, figures=figures) if method is not None else None
    method_text = EMPTY
    if words is not None and method is not None:
        method_text = own_method or markup.parse(method_markdown(words, method), where=parts["method"].heading,
                                                 figures=figures)
    recommendations: tuple[RecommendationLine, ...] = ()
    if "recommendations" in sections:
        recommendations = tuple(
            RecommendationLine(figures.fill(r.text, f"Recommendations, row {n}"),
                               figures.fill(r.who, f"Recommendations, row {n}"))
            for n, r in enumerate(outline.recommendations(study), 1) if r.text.strip() or r.who.strip())
    c = outline.cover(study)
    logos = {role: outline.logo(study, role) for role in outline.LOGO_ROLES}
    client_logo, author_logo = logos["client"], logos["author"]
    cover = CoverData(c.title, c.subtitle, c.client, c.author, c.date_text(today), c.confidentiality,
                      client_logo=client_logo.data if client_logo else None,
                      author_logo=author_logo.data if author_logo else None)
    return ReportData(
        title=study.title,
        client=study.client,
        author=study.author,
        date=today,
        sections=sections,
        method=method,
        method_section=words,
        dispositions=disposition_lines(found) if "dispositions" in sections or "dispositions" in placed else (),
        dispositions_notes=disposition_notes(found) if "dispositions" in sections else (),
        by_category=(_group_rows(figures.groups("category"))
                     if "tables" in sections or "by_category" in placed else ()),
        by_area=_group_rows(figures.groups("area")) if "tables" in sections or "by_area" in placed else (),
        targets=_target_rows(figures.groups("category")) if "targets" in sections or "targets" in placed else (),
        crosstabs=crosstabs,
        comments=_comments(study, options, figures) if "comments" in sections else (),
        directory=directory(study, options.include_person) if "directory" in sections else (),
        include_person=options.include_person,
        page_size=options.page_size,
        small_numbers=rule,
        notes=notes,
        language=language,
        cover=cover,
        texts=texts,
        method_text=method_text,
        method_edited=method_body is not None,
        recommendations=recommendations,
        lang=language_tag(language),
    )


#: The document language (BCP 47) for the languages schedules are most often written in; any
#: other is tagged by its name's own code when it is one already ("cy", "pt-BR"), else English.
LANGUAGE_TAGS = {
    "english": "en-GB", "welsh": "cy", "urdu": "ur", "arabic": "ar", "bengali": "bn", "bangla": "bn",
    "punjabi": "pa", "gujarati": "gu", "hindi": "hi", "tamil": "ta", "polish": "pl", "romanian": "ro",
    "somali": "so", "turkish": "tr", "chinese": "zh", "cantonese": "zh-HK", "mandarin": "zh-CN", "french": "fr",
    "spanish": "es", "portuguese": "pt", "german": "de", "italian": "it", "lithuanian": "lt", "kurdish": "ku",
    "farsi": "fa", "persian": "fa", "pashto": "ps", "tigrinya": "ti", "amharic": "am", "korean": "ko",
    "sinhala": "si", "thai": "th", "hebrew": "he", "yiddish": "yi", "russian": "ru", "ukrainian": "uk",
}


#: What the findings say of the quotations unless the researcher writes an introduction.
COMMENTS_INTRO = ("The quotations below are from the interviews. They are printed without names, grouped by "
                  "theme, in an order that does not follow the order of the interviews.")


def quotations_caption(theme: ThemeComments) -> str:
    """The line above a theme's quotations: "3 comments" when they are all the theme has,
    "4 chosen from 30 comments" for the researcher's choice, "A selection: 5 of 23 comments"."""
    shown, available = len(theme.quotations), theme.available
    if available <= shown:
        return f"{shown:,} comment{'' if shown == 1 else 's'}"
    if theme.chosen:
        return f"{shown:,} chosen from {available:,} comments"
    return f"A selection: {shown:,} of {available:,} comments"


def report_subject(subtitle: str, client: str) -> str:
    """The document's subject (PDF and Word properties): "A mapping exercise for the council"."""
    what = subtitle.strip() or "Report"
    return f"{what} for {client}" if client else what


def language_tag(language: str) -> str:
    """The BCP 47 tag of a schedule language's name ("Urdu" -> "ur"); English for one not known."""
    name = (language or "").strip()
    if name.casefold() in LANGUAGE_TAGS:
        return LANGUAGE_TAGS[name.casefold()]
    if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", name):
        return name
    return "en-GB"


# --- tables of organisations ---------------------------------------------------------------


def _group_rows(result: summary.GroupSummary) -> tuple[GroupRow, ...]:
    return (*result.rows, result.total)


def _target_rows(by_category: summary.GroupSummary) -> tuple[GroupRow, ...]:
    """The categories with a target (as ``summary.targets``), then a total row."""
    rows = [r for r in by_category.rows if r.target is not None]
    if not rows:
        return ()
    total = GroupRow(TOTAL, sum(r.on_database for r in rows), sum(r.interviewed for r in rows),
                     sum(r.target or 0 for r in rows))
    return (*rows, total)


# --- crosstabs -----------------------------------------------------------------------------


#: Under a table whose rounded percentages do not add up to 100 (as the ONS words it).
ROUNDING_NOTE = summary.ROUNDING_NOTE


def _percent(count_text: str, p: float | None, base: int | None) -> str:
    """"12 (31%)": a count with its percentage as printed everywhere (``summary.percent_text``)."""
    return count_text if p is None else f"{count_text} ({summary.percent_text(p, base)})"


def _plain_line(group: str, counts: Sequence[int], base: int) -> CrosstabLine:
    pcts: tuple[float | None, ...] = (tuple(summary.percentages(list(counts), base)) if base > 0
                                      else tuple(None for _ in counts))
    return CrosstabLine(
        group=group,
        cells=tuple(_percent(f"{c:,}", p, base) for c, p in zip(counts, pcts, strict=True)),
        counts=tuple(counts),
        percentages=pcts,
        base=f"{base:,}",
        base_count=base,
    )


def _protected_line(group: str, figures: Sequence[Figure], base: Figure) -> CrosstabLine:
    counts = tuple(f.value for f in figures)
    pcts = tuple(suppression.percentages_shown(counts, base.value))
    return CrosstabLine(
        group=group,
        cells=tuple("*" if f.hidden else _percent(f.text, p, base.value)
                    for f, p in zip(figures, pcts, strict=True)),
        counts=counts,
        percentages=pcts,
        base=base.text,
        base_count=base.value,
    )


def _rounding_note(lines: Iterable[CrosstabLine], multiple: bool) -> tuple[str, ...]:
    """``ROUNDING_NOTE`` when a line of one-answer percentages, all printed, does not add up to 100
    (of several answers each, percentages can add up to more anyway: ``_multiple_note``)."""
    if multiple:
        return ()
    for line in lines:
        shown = line.percentages
        if shown and all(p is not None for p in shown) and not summary.add_up(list(shown)):
            return (ROUNDING_NOTE,)
    return ()


def _table(head: dict, rows: tuple[CrosstabLine, ...], total: CrosstabLine, *, protected: bool,
           notes: Sequence[str] = (), secondary: int = 0) -> CrosstabTable:
    """A crosstab with its notes in order: several answers, rounding, then the table's own."""
    notes = (*_multiple_note(head["multiple"]), *_rounding_note((*rows, total), head["multiple"]), *notes)
    return CrosstabTable(**head, rows=rows, total=total, protected=protected, notes=tuple(notes),
                         secondary=secondary)


def _crosstabs(study: Study, rule: Rule | None, language: str) -> Iterable[CrosstabTable]:
    from fieldkit.reports.directory import DETAILS

    directory_flags = {flag for flag, _ in DETAILS}
    # "May we list its phone number?": what the directory prints, not a finding
    questions = [q for q in summary.reported_questions(study) if q.flag not in directory_flags]
    named = [q.id for q in questions if not q.anonymous]
    crossed = dict(zip(named, summary.crosstabs(study, named, "category", language=language), strict=True))
    for question in questions:
        if question.anonymous and question.count_by == "category":
            table = _counted_by_category(study, question, rule, language)
        elif question.anonymous:
            table = _overall(study, question, rule, language)
        else:
            table = _by_category(crossed[question.id], rule)
        if table is not None:
            yield table


def _multiple_note(multiple: bool) -> tuple[str, ...]:
    if not multiple:
        return ()
    return ("Respondents could choose more than one answer, so percentages (of respondents) can add up "
            "to more than 100.",)


def _by_category(t: summary.Crosstab, rule: Rule | None) -> CrosstabTable | None:
    if t.total.respondents == 0:
        return None  # nobody has answered yet: nothing to print
    head = dict(question_id=t.question_id, question_label=t.question_label, question_type=t.question_type,
                choices=tuple(t.choices), keys=tuple(t.keys), by="category", multiple=t.multiple)
    if rule is None:
        return _table(head, tuple(_plain_line(r.group, r.counts, r.respondents) for r in t.rows),
                      _plain_line(TOTAL, t.total.counts, t.total.respondents), protected=False)
    # Each row's respondents are as good as published (the table of organisations by category
    # prints how many were interviewed in each), so the protection takes them as known.
    p = suppression.protect([r.counts for r in t.rows], rule,
                            row_totals=[r.respondents for r in t.rows] if t.multiple else None,
                            published_bases=True)
    rows = tuple(_protected_line(r.group, p.cells[i], p.row_totals[i]) for i, r in enumerate(t.rows))
    return _table(head, rows, _protected_line(TOTAL, p.column_totals, p.grand_total), protected=True,
                  notes=p.notes(), secondary=p.secondary)


def _overall(study: Study, question: Question, rule: Rule | None, language: str) -> CrosstabTable | None:
    """Overall counts of an anonymous question's answers (never by category)."""
    counts_by_key = study.pool.distribution(question.id)
    keys = tuple(counts_by_key)
    counts = [counts_by_key[k] for k in keys]
    multiple = question.qtype.several
    if multiple:
        known = set(keys)
        respondents = sum(1 for c in study.pool.comments(question_id=question.id)
                          if known & set(question.qtype.counted(question, c.value)))
    else:
        respondents = sum(counts)
    if respondents == 0:
        return None
    labels = tuple(question.qtype.key_label(question, k, language) for k in keys)
    head = dict(question_id=question.id, question_label=question.text("label", language),
                question_type=question.type, choices=labels, keys=keys, by="", multiple=multiple)
    if rule is None:
        return _table(head, (), _plain_line(TOTAL, counts, respondents), protected=False)
    p = suppression.protect([counts], rule, row_totals=[respondents] if multiple else None)
    return _table(head, (), _protected_line(TOTAL, p.column_totals, p.grand_total), protected=True,
                  notes=p.notes(), secondary=p.secondary)


def _counted_by_category(study: Study, question: Question, rule: Rule | None,
                         language: str) -> CrosstabTable | None:
    """An anonymous question marked ``count_by = "category"``: its pooled counts per category
    (only categories that k or more interviews have answered: ``Pool.by_category``), with the
    answers from smaller categories, moved at the end of fieldwork, in one row of their own."""
    overall = _overall(study, question, None, language)
    if overall is None:
        return None
    keys = overall.keys
    counted = study.pool.by_category(question.id)
    names = list(study.template.categories) + sorted(c for c in counted if c and c not in study.template.categories)
    if "" in counted:
        names.append("")
    rows, bases = [], []
    for name in names:
        if name in counted:
            rows.append((name or NOT_RECORDED, [counted[name].get(k, 0) for k in keys]))
            bases.append(counted[name].get("", 0))
    total_counts = [c or 0 for c in overall.total.counts]
    total_base = overall.total.base_count or 0
    rest = [t - sum(r[1][i] for r in rows) for i, t in enumerate(total_counts)]
    rest_base = total_base - sum(bases)
    notes = [f"Counts by category are kept only for categories that at least {study.anonymity_k} interviews "
             "have answered, and grow in steps of that size."]
    if rest_base > 0:
        rows.append((OTHER_CATEGORIES, rest))
        bases.append(rest_base)
        notes.append(f"{OTHER_CATEGORIES}: answers from categories that fewer than {study.anonymity_k} "
                     "interviews answered, counted together.")
    if not rows:
        return None
    multiple = overall.multiple
    head = dict(question_id=question.id, question_label=overall.question_label, question_type=question.type,
                choices=overall.choices, keys=keys, by="category", multiple=multiple)
    if rule is None:
        plain = tuple(_plain_line(g, c, b) for (g, c), b in zip(rows, bases, strict=True))
        return _table(head, plain, _plain_line(TOTAL, total_counts, total_base), protected=False, notes=notes)
    p = suppression.protect([c for _, c in rows], rule, row_totals=bases if multiple else None,
                            published_bases=True)  # taken as known, as in ``_by_category``
    lines = tuple(_protected_line(g, p.cells[i], p.row_totals[i]) for i, (g, _) in enumerate(rows))
    return _table(head, lines, _protected_line(TOTAL, p.column_totals, p.grand_total), protected=True,
                  notes=(*notes, *p.notes()), secondary=p.secondary)


# --- pooled comments -----------------------------------------------------------------------


def question_types(study: Study) -> dict[str, str]:
    """Each question id's type, from the study's template versions (the newest that has it),
    so comments to a question since removed from the schedule are still recognised."""
    types: dict[str, str] = {}
    for version in study.template_versions():
        for q in study.template_at(version).questions():
            types[q.id] = q.type
    return types


def text_comments(study: Study) -> list[Comment]:
    """The pooled comments the report prints: answers to anonymous text questions."""
    types = question_types(study)
    return [c for c in study.pool.comments()
            if types.get(c.question_id) in WORDED and isinstance(c.value, str) and c.text.strip()]


def _comments(study: Study, options: ReportOptions, figures: Figures) -> tuple[ThemeComments, ...]:
    """Each theme's write-up and quotations: the chosen ones, else a fresh sample; only words are kept."""
    written = outline.theme_texts(study)
    out = []
    themes = quotations.for_report(study, text_comments(study), limit=options.quotations, seed=options.seed)
    seen = set()
    for t in themes:
        seen.add(t.theme)
        write_up = markup.parse(written.get(t.theme, ""), where=f"Findings: {t.label}", figures=figures)
        out.append(ThemeComments(t.label, t.quotations, write_up, t.chosen, t.available, t.theme))
    for theme in study.template.themes:  # a theme written up without a comment yet
        if theme.id not in seen and written.get(theme.id, "").strip():
            write_up = markup.parse(written[theme.id], where=f"Findings: {theme.label}", figures=figures)
            out.append(ThemeComments(theme.label, (), write_up, False, 0, theme.id))
    order = {t.id: i for i, t in enumerate(study.template.themes)}
    out.sort(key=lambda t: order.get(t.theme_id, len(order) + (1 if t.theme_id == "" else 0)))
    return tuple(out)


