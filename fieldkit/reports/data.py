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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from fieldkit import dispositions as disposition_codes
from fieldkit import fieldwork, outcome_rates, summary
from fieldkit.errors import InvalidValueError
from fieldkit.question_types import WORDED
from fieldkit.question_types import get as question_type
from fieldkit.reports import suppression
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
TOTAL = "Total"
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


class DirectoryEntry(NamedTuple):
    area: str
    name: str
    person: str | None


class RateLine(NamedTuple):
    """One outcome rate as the method section quotes it."""

    code: str          # "RR1"
    name: str          # "Response rate RR1"
    value: float       # the rate as an unrounded fraction
    text: str          # "61.1%"
    definition: str    # one sentence (fieldkit.outcome_rates.RATE_DEFINITIONS)


class DispositionLine(NamedTuple):
    code: str           # "3.13"; "" on the total row
    label: str          # "No answer" (fieldkit.outcome_rates.label); "Total"
    organisations: int


@dataclass(frozen=True)
class MethodSection:
    """What the method section says beyond the counts of ``ReportData.method``.

    ``complete`` and ``partial`` count organisations by disposition (1.1 and 1.2), so they add up
    to ``method.interviewed``; ``break_offs`` counts interviews broken off.
    """

    complete: int
    partial: int
    recorded_without_interview: int    # interviewed from earlier fieldwork, no interview in the study
    in_interview: int
    break_offs: int
    median_minutes: float | None       # None: unknown
    median_attempts: float | None      # attempts before an interviewed organisation's interview
    e: float                           # the share of unknown eligibility taken as eligible
    e_estimated: bool                  # True: estimated from the cases; False: set by the researcher
    paragraphs: tuple[str, ...]        # the words before the table of counts
    counts: tuple[tuple[str, int], ...]  # the table of counts: (what, organisations)
    rates_text: str = ""               # the words before the rates: the source and e ("" with no rates)
    rates: tuple[RateLine, ...] = ()   # the rates quoted, each with a denominator


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
        method_section=_method_section(study, method, found) if method is not None else None,
        dispositions=_disposition_lines(found) if "dispositions" in sections else (),
        dispositions_notes=_disposition_notes(found) if "dispositions" in sections else (),
        by_category=_group_rows(summary.by_group(study, "category")) if "tables" in sections else (),
        by_area=_group_rows(summary.by_group(study, "area")) if "tables" in sections else (),
        targets=_target_rows(study) if "targets" in sections else (),
        crosstabs=crosstabs,
        comments=_comments(study, options.seed) if "comments" in sections else (),
        directory=_directory(study, options.include_person) if "directory" in sections else (),
        include_person=options.include_person,
        page_size=options.page_size,
        small_numbers=rule,
        notes=notes,
        language=language,
    )


# --- the method section ---------------------------------------------------------------------

#: What each family of outcome rates is called in words.
RATE_KINDS = {"RR": "Response rate", "COOP": "Cooperation rate", "REF": "Refusal rate", "CON": "Contact rate"}
#: The rates the method section quotes; those in ``PARTIAL_RATES`` only when there are partial
#: interviews (with none they equal RR1, RR3 and COOP1).
QUOTED_RATES = ("RR1", "RR2", "RR3", "RR4", "COOP1", "COOP2")
PARTIAL_RATES = ("RR2", "RR4", "COOP2")
SOURCE = "AAPOR Standard Definitions (10th edition, 2023)"


def rate_name(code: str) -> str:
    """"Response rate RR1", "Cooperation rate COOP1", ... for a code of ``outcome_rates.RATE_ORDER``."""
    return f"{RATE_KINDS[code.rstrip('0123456789')]} {code}"


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _number(x: float) -> str:
    """2 as "2", 2.5 as "2.5"."""
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def _minutes(x: float) -> str:
    shown = round(x) if x >= 10 else round(x, 1)
    return f"{_number(shown)} minute{'' if shown == 1 else 's'}"


def _method_section(study: Study, m: MethodSummary,
                    found: dict[int, disposition_codes.Disposition]) -> MethodSection:
    p = m.paradata or disposition_codes.paradata(study)
    rules = fieldwork.settings(study)
    classes = outcome_rates.class_counts(m.dispositions)
    complete, partial = classes["I"], classes["P"]
    without = p.interviewed_without_interview
    said = [f"{_n(m.total, 'organisation was', 'organisations were')} identified for the study, and "
            f"{m.contacted:,} of them contacted."]
    if m.excluded:
        said.append(f"{_n(m.excluded, 'organisation was', 'organisations were')} then excluded as outside "
                    f"the study's scope, leaving {_n(m.on_database, 'organisation', 'organisations')} "
                    "on the database.")
    else:
        said.append(f"None was excluded, so all {m.on_database:,} are on the database.")
    if m.interviewed:
        said.append(f"{_n(m.interviewed, 'organisation was', 'organisations were')} interviewed: "
                    f"{complete:,} complete and {partial:,} partial (AAPOR dispositions 1.1 and 1.2; "
                    f"{_sentence(rules.describe_partial())}).")
        if without:
            said.append(f"{without:,} of them {'was' if without == 1 else 'were'} recorded as interviewed from "
                        "earlier fieldwork, without the interview in the study.")
    else:
        said.append("No organisation has been interviewed yet.")
    if p.in_interview:
        said.append(f"{_n(p.in_interview, 'organisation is', 'organisations are')} in interview: begun but "
                    "not yet finished, so not counted as interviewed.")
    if p.break_offs:
        said.append(f"{_n(p.break_offs, 'interview was', 'interviews were')} broken off before the end.")
    if m.not_reached:
        said.append(f"{_n(m.not_reached, 'organisation', 'organisations')} could not be reached despite "
                    "repeated attempts.")
    if m.declined:
        said.append(f"{_n(m.declined, 'organisation', 'organisations')} declined to take part.")
    said.append(f"{_n(m.listed_with_permission, 'organisation has', 'organisations have')} given "
                "permission to be listed in the directory.")
    paragraphs = [" ".join(said)]
    timing = []
    if p.median_minutes is not None:
        timing.append(f"The median interview took {_minutes(p.median_minutes)}.")
    if p.median_attempts is not None:
        timing.append(f"The organisations interviewed needed a median of {_number(p.median_attempts)} "
                      f"attempt{'' if p.median_attempts == 1 else 's'} at contact before the interview.")
    if timing:
        paragraphs.append(" ".join(timing))
    counts = [("Organisations identified", m.total), ("Contacted", m.contacted), ("Excluded", m.excluded),
              ("On the database", m.on_database), ("Interviewed", m.interviewed),
              ("Interviewed: complete (1.1)", complete), ("Interviewed: partial (1.2)", partial)]
    if without:
        counts.append(("Interviewed: from earlier fieldwork", without))
    counts += [("In interview (not yet finished)", p.in_interview), ("Could not be reached", m.not_reached),
               ("Declined", m.declined), ("Still being contacted", m.still_contacting),
               ("Not yet contacted", m.not_yet_contacted), ("Listed with permission", m.listed_with_permission)]
    e = float(m.rates.get("e") or 0.0)
    estimated = rules.eligibility_rate is None
    quoted = [c for c in QUOTED_RATES if partial or c not in PARTIAL_RATES]
    rates = tuple(RateLine(c, rate_name(c), v, f"{100 * v:.1f}%", outcome_rates.RATE_DEFINITIONS[c])
                  for c in quoted if (v := m.rates.get(c)) is not None)
    rates_text = ""
    if rates:
        if not estimated:
            how = "set by the researcher"
        elif any(classes[k] for k in ("I", "P", "R", "NC", "O", "NE")):
            how = "estimated from the organisations whose eligibility was established"
        else:
            how = ("as no organisation's eligibility has been established yet, every organisation of unknown "
                   "eligibility is taken to be eligible")
        rates_text = (f"The rates below follow the {SOURCE}, counted from each organisation's disposition. "
                      "Organisations whose eligibility was never established (nobody answered, say) count in "
                      "full in RR1 and, as the share e of them taken to be eligible, in RR3: "
                      f"e = {e:.2f}, {how}.")
        temporary = sum(not d.final for d in found.values())
        if temporary:
            rates_text += (f" Fieldwork with {_n(temporary, 'organisation', 'organisations')} goes on, so the "
                           "rates can still change.")
    return MethodSection(
        complete=complete, partial=partial, recorded_without_interview=without, in_interview=p.in_interview,
        break_offs=p.break_offs, median_minutes=p.median_minutes, median_attempts=p.median_attempts,
        e=e, e_estimated=estimated, paragraphs=tuple(paragraphs), counts=tuple(counts),
        rates_text=rates_text, rates=rates)


def _sentence(text: str) -> str:
    """"Complete: every ... answered. Partial: any other ..." as a clause: lower case, no full stops."""
    return "; ".join(part.strip().rstrip(".").lower() for part in text.split(". ") if part.strip())


def _disposition_lines(found: dict[int, disposition_codes.Disposition]) -> tuple[DispositionLine, ...]:
    by_code: dict[str, int] = {}
    for d in found.values():
        by_code[d.code] = by_code.get(d.code, 0) + 1
    rows = [DispositionLine(code, outcome_rates.label(code), n)
            for code, n in sorted(by_code.items(), key=lambda kv: outcome_rates.sort_key(kv[0]))]
    return (*rows, DispositionLine("", TOTAL, len(found)))


def _disposition_notes(found: dict[int, disposition_codes.Disposition]) -> tuple[str, ...]:
    temporary = sum(not d.final for d in found.values())
    in_interview = sum(d.in_interview for d in found.values())
    notes = []
    if temporary:
        notes.append(f"Fieldwork goes on: {_n(temporary, 'organisation is', 'organisations are')} shown with "
                     "the disposition so far, not yet final.")
    if in_interview:
        notes.append(f"{in_interview:,} of them {'is' if in_interview == 1 else 'are'} in interview, counted "
                     "under 2.12 (break-off) until the interview is finished.")
    return tuple(notes)


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


# --- the directory -------------------------------------------------------------------------


def sort_key(text: str) -> str:
    """Alphabetical order that ignores case and accents (Łódź sorts with L, Ülker with U)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ı", "i")


def _directory(study: Study, include_person: bool) -> tuple[DirectoryEntry, ...]:
    """Organisations on the database (not excluded) whose permission to list is ticked."""
    listed = study.query(
        """SELECT o.id, o.name, o.area FROM organisations o
           WHERE o.status <> 'excluded'
             AND o.id IN (SELECT organisation_id FROM flags WHERE flag = 'permission_to_list')""")
    people: dict[int, str] = {}
    if include_person and listed:
        # The first contact of each organisation, overridden by the contact named on its
        # latest interview that names one.
        for r in study.query("SELECT organisation_id, name FROM contacts WHERE trim(name) <> '' ORDER BY id DESC"):
            people[r["organisation_id"]] = r["name"]
        for r in study.query(
                """SELECT i.organisation_id, c.name FROM interviews i JOIN contacts c ON c.id = i.contact_id
                   WHERE trim(c.name) <> '' ORDER BY i.date, i.id"""):
            people[r["organisation_id"]] = r["name"]
    entries = [DirectoryEntry(r["area"] or NOT_RECORDED, r["name"], people.get(r["id"]) if include_person else None)
               for r in listed]
    entries.sort(key=lambda e: (e.area == NOT_RECORDED, sort_key(e.area), e.area,
                                sort_key(e.name), e.name))
    return tuple(entries)
