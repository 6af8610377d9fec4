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
  questions of those kinds are counted overall only (``by`` is ""), never by category;
- comments: the pooled answers to anonymous text questions as quotations under each theme,
  reshuffled on every export (``random.SystemRandom``; ``options.seed`` fixes the order for
  tests), with nothing attached but the words;
- directory: area, name and (if asked) the person interviewed, for organisations on the
  database whose "permission to list" is ticked, by area then name.

Small-number protection (``options.small_numbers``) applies to the crosstabs and overall
counts of answers (see ``fieldkit.reports.suppression``); the tables of organisations are
counts of organisations, which the directory names anyway, and are never altered.

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
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from fieldkit import dispositions as disposition_codes
from fieldkit import summary
from fieldkit.errors import InvalidValueError
from fieldkit.question_types import WORDED
from fieldkit.question_types import get as question_type
from fieldkit.reports import suppression
from fieldkit.reports.directory import DirectoryEntry, directory, sort_key  # noqa: F401
from fieldkit.reports.method import (  # noqa: F401 - re-exported
    SOURCE, TOTAL, DispositionLine, MethodSection, RateLine, disposition_lines, disposition_notes, method_section,
    rate_name)
from fieldkit.reports.sections import ALL_SECTIONS, SECTIONS, Section  # noqa: F401 - the registry, re-exported
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
    """What to put in a report. ``small_numbers``: None (off), "nhs", "ons" or a threshold."""

    sections: tuple[str, ...] = ALL_SECTIONS
    directory: bool = True
    small_numbers: SmallNumbers = None
    page_size: str = "a4"
    include_person: bool = False
    seed: int | None = None
    #: The language of question and choice labels; None: the study's report language.
    language: str | None = None

    def __post_init__(self) -> None:
        sections = (self.sections,) if isinstance(self.sections, str) else tuple(self.sections)
        unknown = [s for s in sections if s not in ALL_SECTIONS]
        if unknown:
            raise InvalidValueError(f"unknown report section: {', '.join(map(str, unknown))} "
                                    f"(sections: {', '.join(ALL_SECTIONS)})")
        object.__setattr__(self, "sections", tuple(s for s in ALL_SECTIONS if s in sections))
        size = str(self.page_size).strip().lower()
        if size not in PAGE_SIZES:
            raise InvalidValueError(f"unknown page size '{self.page_size}' (expected a4 or letter)")
        object.__setattr__(self, "page_size", size)
        suppression.rule_for(self.small_numbers)  # refuse a bad rule now, not half-way through

    @property
    def rule(self) -> Rule | None:
        return suppression.rule_for(self.small_numbers)

    @property
    def printed_sections(self) -> tuple[str, ...]:
        """The sections to print: ``sections``, without the directory when it is left out."""
        return tuple(s for s in self.sections if s != "directory" or self.directory)


@dataclass(frozen=True)
class CrosstabLine:
    """One row of a crosstab as printed."""

    group: str
    cells: tuple[str, ...]                  # "12 (40.0%)", "0", or "*" when hidden
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
    quotations: tuple[str, ...]    # the comments' words, in a shuffled order


@dataclass(frozen=True)
class ReportData:
    title: str
    client: str
    author: str
    date: dt.date
    sections: tuple[str, ...]                   # the sections to print, in report order
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

    @property
    def quotation_count(self) -> int:
        return sum(len(t.quotations) for t in self.comments)


def build_report_data(study: Study, options: ReportOptions | None = None, *,
                      today: dt.date | None = None) -> ReportData:
    """Everything the report prints, from the study's summary queries."""
    options = options or ReportOptions()
    sections = options.printed_sections
    rule = options.rule
    language = summary.language_for(study, options.language)
    crosstabs = tuple(_crosstabs(study, rule, language)) if "crosstabs" in sections else ()
    notes: tuple[str, ...] = ()
    if rule is not None:
        notes = rule.notes(secondary=any(t.secondary for t in crosstabs))
    method = summary.method(study) if "method" in sections else None
    found = (disposition_codes.of_organisations(study) if {"method", "dispositions"} & set(sections)
             else {})
    return ReportData(
        title=study.title,
        client=study.client,
        author=study.author,
        date=today or dt.date.today(),
        sections=sections,
        method=method,
        method_section=method_section(study, method, found) if method is not None else None,
        dispositions=disposition_lines(found) if "dispositions" in sections else (),
        dispositions_notes=disposition_notes(found) if "dispositions" in sections else (),
        by_category=_group_rows(summary.by_group(study, "category")) if "tables" in sections else (),
        by_area=_group_rows(summary.by_group(study, "area")) if "tables" in sections else (),
        targets=_target_rows(study) if "targets" in sections else (),
        crosstabs=crosstabs,
        comments=_comments(study, options.seed) if "comments" in sections else (),
        directory=directory(study, options.include_person) if "directory" in sections else (),
        include_person=options.include_person,
        page_size=options.page_size,
        small_numbers=rule,
        notes=notes,
        language=language,
    )


# --- tables of organisations ---------------------------------------------------------------


def _group_rows(result: summary.GroupSummary) -> tuple[GroupRow, ...]:
    return (*result.rows, result.total)


def _target_rows(study: Study) -> tuple[GroupRow, ...]:
    rows = summary.targets(study)
    if not rows:
        return ()
    total = GroupRow(TOTAL, sum(r.on_database for r in rows), sum(r.interviewed for r in rows),
                     sum(r.target or 0 for r in rows))
    return (*rows, total)


# --- crosstabs -----------------------------------------------------------------------------


def _percent(count_text: str, p: float | None) -> str:
    return count_text if p is None else f"{count_text} ({p:.1f}%)"


def _plain_line(group: str, counts: Sequence[int], base: int, percentages: Sequence[float]) -> CrosstabLine:
    pcts: tuple[float | None, ...] = tuple(percentages) if base > 0 else tuple(None for _ in counts)
    return CrosstabLine(
        group=group,
        cells=tuple(_percent(f"{c:,}", p) for c, p in zip(counts, pcts)),
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
        cells=tuple("*" if f.hidden else _percent(f.text, p) for f, p in zip(figures, pcts)),
        counts=counts,
        percentages=pcts,
        base=base.text,
        base_count=base.value,
    )


def _crosstabs(study: Study, rule: Rule | None, language: str) -> Iterable[CrosstabTable]:
    for question in summary.reported_questions(study):
        if question.anonymous and question.count_by == "category":
            table = _counted_by_category(study, question, rule, language)
        elif question.anonymous:
            table = _overall(study, question, rule, language)
        else:
            table = _by_category(study, question.id, rule, language)
        if table is not None:
            yield table


def _multiple_note(multiple: bool) -> tuple[str, ...]:
    if not multiple:
        return ()
    return ("Respondents could choose more than one answer, so percentages (of respondents) can add up "
            "to more than 100.",)


def _by_category(study: Study, question_id: str, rule: Rule | None, language: str) -> CrosstabTable | None:
    t = summary.crosstab(study, question_id, "category", language=language)
    if t.total.respondents == 0:
        return None  # nobody has answered yet: nothing to print
    head = dict(question_id=t.question_id, question_label=t.question_label, question_type=t.question_type,
                choices=tuple(t.choices), keys=tuple(t.keys), by="category", multiple=t.multiple)
    if rule is None:
        return CrosstabTable(**head,
                             rows=tuple(_plain_line(r.group, r.counts, r.respondents, r.percentages) for r in t.rows),
                             total=_plain_line(TOTAL, t.total.counts, t.total.respondents, t.total.percentages),
                             protected=False, notes=_multiple_note(t.multiple))
    p = suppression.protect([r.counts for r in t.rows], rule,
                            row_totals=[r.respondents for r in t.rows] if t.multiple else None)
    rows = tuple(_protected_line(r.group, p.cells[i], p.row_totals[i]) for i, r in enumerate(t.rows))
    return CrosstabTable(**head, rows=rows, total=_protected_line(TOTAL, p.column_totals, p.grand_total),
                         protected=True, notes=_multiple_note(t.multiple) + p.notes(), secondary=p.secondary)


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
                question_type=question.type, choices=labels, keys=keys, by="", rows=(), multiple=multiple)
    if rule is None:
        total = _plain_line(TOTAL, counts, respondents, summary.percentages(counts, respondents))
        return CrosstabTable(**head, total=total, protected=False, notes=_multiple_note(multiple))
    p = suppression.protect([counts], rule, row_totals=[respondents] if multiple else None)
    return CrosstabTable(**head, total=_protected_line(TOTAL, p.column_totals, p.grand_total),
                         protected=True, notes=_multiple_note(multiple) + p.notes(), secondary=p.secondary)


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
        plain = tuple(_plain_line(g, c, b, summary.percentages(c, b)) for (g, c), b in zip(rows, bases))
        return CrosstabTable(**head, rows=plain,
                             total=_plain_line(TOTAL, total_counts, total_base,
                                               summary.percentages(total_counts, total_base)),
                             protected=False, notes=_multiple_note(multiple) + tuple(notes))
    p = suppression.protect([c for _, c in rows], rule, row_totals=bases if multiple else None)
    lines = tuple(_protected_line(g, p.cells[i], p.row_totals[i]) for i, (g, _) in enumerate(rows))
    return CrosstabTable(**head, rows=lines, total=_protected_line(TOTAL, p.column_totals, p.grand_total),
                         protected=True, notes=_multiple_note(multiple) + tuple(notes) + p.notes(),
                         secondary=p.secondary)


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


def _comments(study: Study, seed: int | None) -> tuple[ThemeComments, ...]:
    """Each theme's quotations, shuffled afresh on every export; only the words are kept."""
    rng: random.Random = random.Random(seed) if seed is not None else random.SystemRandom()
    template = study.template
    grouped: dict[str, list[str]] = {}
    for comment in text_comments(study):
        for theme in comment.themes or ("",):
            grouped.setdefault(theme, []).append(comment.text.strip())
    known = [t.id for t in template.themes]
    order = [t for t in known if t in grouped]
    order += sorted(t for t in grouped if t and t not in known)
    if "" in grouped:
        order.append("")
    out = []
    for theme in order:
        quotations = grouped[theme]
        rng.shuffle(quotations)
        out.append(ThemeComments(template.theme_label(theme) if theme else OTHER_COMMENTS, tuple(quotations)))
    return tuple(out)


