"""Summary queries: the numbers a report and the ``summary`` command are built from.

"On database" is every organisation except the excluded; "interviewed" is status interviewed,
which finishing an interview sets (one under way counts as "in interview"). Rows follow the
vocabulary's order, values with no organisations are listed with zeros, and organisations with
no value recorded get a "Not recorded" row at the end (only when there are some).

Crosstabs count answers under the choice names stored in them and print each choice under its
label in the study's report language (``Study.report_language``; any text missing in that
language falls back to the default language's), so a choice relabelled since shows its new
label for old answers too. Answers kept but marked irrelevant (``answers.relevant = 0``: the
question's logic no longer asks it) are never counted. A question removed from the schedule
is still crossed while interviews hold answers to it, worded as its newest template version
had it (``find_question``, ``reported_questions``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from fieldkit.errors import InvalidValueError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from fieldkit.dispositions import Disposition, Paradata
    from fieldkit.study import Study
    from fieldkit.templates import Question

NOT_RECORDED = "Not recorded"
GROUPINGS = {"category": "categories", "area": "areas"}


@dataclass(frozen=True)
class GroupRow:
    group: str
    on_database: int
    interviewed: int
    target: int | None = None


@dataclass(frozen=True)
class GroupSummary:
    by: str
    rows: list[GroupRow]
    total: GroupRow

    def as_json(self, *, targets: bool = False) -> dict[str, Any]:
        """``{"by", "rows": [{"group", "on_database", "interviewed"[, "target"]}], "total"}``."""
        def row(r: GroupRow, with_group: bool) -> dict[str, Any]:
            d: dict[str, Any] = {"group": r.group} if with_group else {}
            d["on_database"] = r.on_database
            d["interviewed"] = r.interviewed
            if targets:
                d["target"] = r.target or 0
            return d

        return {"by": self.by, "rows": [row(r, True) for r in self.rows], "total": row(self.total, False)}


def by_group(study: Study, by: str = "category") -> GroupSummary:
    """Organisations on database and interviewed, by category or area (with targets for categories)."""
    if by not in GROUPINGS:
        raise InvalidValueError(f"cannot summarise by '{by}' (expected category or area)")
    template = study.template
    counts: dict[str | None, tuple[int, int]] = {}
    for r in study.query(
        f"""SELECT {by} AS grp,
                   sum(status <> 'excluded') AS on_database,
                   sum(status = 'interviewed') AS interviewed
            FROM organisations GROUP BY {by}"""
    ):
        counts[r["grp"]] = (r["on_database"] or 0, r["interviewed"] or 0)
    vocab = list(template.vocabulary(GROUPINGS[by]))
    extra = sorted(k for k in counts if k is not None and k not in vocab)
    targets = template.targets if by == "category" else {}
    rows = []
    for group in vocab + extra:
        on_db, iv = counts.get(group, (0, 0))
        rows.append(GroupRow(group, on_db, iv, targets.get(group) if by == "category" else None))
    if None in counts and counts[None] != (0, 0):
        on_db, iv = counts[None]
        rows.append(GroupRow(NOT_RECORDED, on_db, iv, None))
    total = GroupRow(
        "Total",
        sum(r.on_database for r in rows),
        sum(r.interviewed for r in rows),
        sum(targets.values()) if by == "category" else None,
    )
    return GroupSummary(by, rows, total)


@dataclass(frozen=True)
class MethodSummary:
    """How the study went: the counts a report's method section states."""

    total: int
    contacted: int
    excluded: int
    excluded_by_reason: list[tuple[str, int]]
    on_database: int
    interviewed: int
    full_interviews: int
    not_reached: int
    declined: int
    still_contacting: int
    not_yet_contacted: int
    listed_with_permission: int
    #: Organisations with an interview under way (not counted as interviewed).
    in_interview: int = 0
    #: Interview results, attempts and timings (fieldkit.dispositions.Paradata).
    paradata: Paradata | None = None
    #: How many organisations have each AAPOR disposition code, in code order.
    dispositions: dict[str, int] = field(default_factory=dict)
    #: RR1–RR6, COOP1–4, REF1–3, CON1–3 as unrounded fractions (None: no denominator), and e.
    rates: dict[str, float | None] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["excluded_by_reason"] = [{"reason": r, "count": n} for r, n in self.excluded_by_reason]
        d["paradata"] = self.paradata.as_json() if self.paradata is not None else None
        return d


def method(study: Study, found: Mapping[int, Disposition] | None = None) -> MethodSummary:
    """Contacted, excluded (by reason), on database, interviewed, not reached, listed with permission.

    "Contacted" is every organisation with an attempt or a status beyond "identified".
    "Listed with permission" counts organisations on the database whose permission-to-list
    flag is ticked. "Interviewed" counts finished interviews only (complete or partial; and
    organisations recorded as interviewed from older fieldwork): one under way is "in
    interview". The dispositions and rates follow AAPOR's Standard Definitions
    (fieldkit.dispositions), counted from ``found`` when the caller has worked them out already
    (``dispositions.of_organisations``), so that a report works them out once.
    """
    from fieldkit import dispositions

    r = study.query(
        """SELECT count(*) AS total,
                  sum(status <> 'identified' OR EXISTS
                      (SELECT 1 FROM attempts a WHERE a.organisation_id = o.id)) AS contacted,
                  sum(status = 'excluded') AS excluded,
                  sum(status <> 'excluded') AS on_database,
                  sum(status = 'interviewed') AS interviewed,
                  sum(status = 'unreachable') AS not_reached,
                  sum(status = 'declined') AS declined,
                  sum(status = 'contacting') AS still_contacting,
                  sum(status = 'identified' AND NOT EXISTS
                      (SELECT 1 FROM attempts a WHERE a.organisation_id = o.id)) AS not_yet_contacted,
                  sum(status <> 'excluded' AND EXISTS (SELECT 1 FROM flags f
                      WHERE f.organisation_id = o.id AND f.flag = 'permission_to_list')) AS listed,
                  sum(EXISTS (SELECT 1 FROM flags f
                      WHERE f.organisation_id = o.id AND f.flag = 'full_interview')) AS full_interviews
           FROM organisations o"""
    )[0]
    reasons: dict[str | None, int] = {
        x["reason"]: x["n"] for x in study.query(
            "SELECT exclusion_reason AS reason, count(*) AS n FROM organisations "
            "WHERE status = 'excluded' GROUP BY exclusion_reason")
    }
    by_reason = [(reason, reasons.pop(reason)) for reason in study.template.exclusion_reasons if reason in reasons]
    by_reason += sorted((k, v) for k, v in reasons.items() if k is not None)
    if None in reasons:
        by_reason.append((NOT_RECORDED, reasons[None]))
    n = {k: (v or 0) for k, v in r.items()}
    para = dispositions.paradata(study)
    codes = dispositions.counts(study) if found is None else dispositions.tally(found)
    return MethodSummary(
        total=n["total"], contacted=n["contacted"], excluded=n["excluded"], excluded_by_reason=by_reason,
        on_database=n["on_database"], interviewed=n["interviewed"], full_interviews=n["full_interviews"],
        not_reached=n["not_reached"], declined=n["declined"], still_contacting=n["still_contacting"],
        not_yet_contacted=n["not_yet_contacted"], listed_with_permission=n["listed"],
        in_interview=para.in_interview, paradata=para, dispositions=codes,
        rates=dispositions.rates(study, codes),
    )


#: Bases from this many up get percentages to one decimal place; smaller ones whole percentages
#: (a tenth of a percent of 35 organisations is a precision the figures do not have).
DECIMAL_BASE = 100


def percent_places(base: int) -> int:
    """The decimal places a percentage of ``base`` is given to: 0 under 100, 1 from 100 up."""
    return 0 if base < DECIMAL_BASE else 1


def percent(count: int, base: int) -> float | int | None:
    """``count`` as a percentage of ``base``, rounded half away from zero to ``percent_places(base)``
    (4 of 13 is 31, 3 of 8 is 38, 1 of 200 is 0.5): worked out in whole numbers, so the same
    fraction of the same base is the same figure wherever it is printed. A whole percentage is an
    ``int``. None when ``base`` is 0 or less."""
    if base <= 0:
        return None
    places = percent_places(base)
    scaled, rest = divmod(abs(count) * 100 * 10 ** places, base)
    if 2 * rest >= base:
        scaled += 1
    scaled = -scaled if count < 0 else scaled
    return scaled if places == 0 else scaled / 10 ** places


def percent_text(value: float | None, base: int | None) -> str:
    """A percentage already rounded by ``percent`` as printed: "31%" under a base of 100, "30.8%"
    from 100 up; "" for None."""
    if value is None:
        return ""
    places = percent_places(base or 0)
    return f"{value:.{places}f}%"


def percentages(counts: list[int], total: int) -> list[float]:
    """Each count as a percentage of ``total`` (``percent``: half away from zero, whole percentages
    under a total of 100, one decimal place from 100 up), each on its own: rounded percentages
    need not add up to 100 (a table says so in a note). All zeros when ``total`` is 0."""
    if total <= 0:
        return [0 for _ in counts]
    return [percent(c, total) for c in counts]  # type: ignore[misc]


#: Under a table whose rounded percentages do not add up to 100 (as the ONS words it).
ROUNDING_NOTE = "Percentages may not add to 100 because of rounding."


def add_up(percents: Sequence[float | None]) -> bool:
    """Whether printed percentages add up to exactly 100 (False when any is missing)."""
    if any(p is None for p in percents):
        return False
    return round(sum(percents), 6) == 100  # type: ignore[arg-type]


@dataclass(frozen=True)
class CrosstabRow:
    group: str
    counts: list[int]
    respondents: int
    percentages: list[float]


@dataclass(frozen=True)
class Crosstab:
    """Answers to one question by category (or area): counts and row percentages.

    ``choices`` are the labels printed (in ``language``), ``keys`` what the answers store and
    are counted under (the choice names; Yes and No), in the same order.
    For a multiple-choice question a respondent may pick several choices, so counts can add
    up to more than the respondents and percentages (of respondents) to more than 100.
    """

    question_id: str
    question_label: str
    question_type: str
    by: str
    choices: list[str]
    rows: list[CrosstabRow]
    total: CrosstabRow
    multiple: bool = field(default=False)
    keys: list[str] = field(default_factory=list)
    language: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def language_for(study: Study, language: str | None = None) -> str:
    """The language to print the schedule's texts in: ``language`` (one the schedule is written
    in) or, when None, the study's report language."""
    if language is None:
        return study.report_language
    languages = study.template.languages
    if language not in languages:
        raise InvalidValueError(f"the schedule is not written in '{language}' (languages: {', '.join(languages)})")
    return language


def find_question(study: Study, question_id: str) -> Question | None:
    """The question as the newest template version that has it words it (the current schedule
    first, so a question removed since is still found), or None."""
    versions = study.template_versions()
    for version in reversed(versions):
        try:
            return study.template_at(version).question(question_id)
        except KeyError:
            continue
    return None


def reported_questions(study: Study) -> list[Question]:
    """The countable questions reports count, crossed or overall: the current schedule's, in
    its order, then those removed from the schedule that interviews (or the pool) still hold
    answers to, as the newest template version that had them words them."""
    current = study.template.questions()
    out = [q for q in current if q.qtype.countable]
    seen = {q.id for q in current}
    removed: dict[str, Question] = {}
    for version in reversed(study.template_versions()[:-1]):
        for q in study.template_at(version).questions():
            if q.id not in seen and q.id not in removed:
                removed[q.id] = q
    for q in sorted(removed.values(), key=_older_order(study)):
        if not q.qtype.countable:
            continue
        held_by = ("SELECT 1 FROM pool WHERE question_id = ? LIMIT 1" if q.anonymous else
                   "SELECT 1 FROM answers WHERE question_id = ? AND relevant LIMIT 1")
        if study.scalar(held_by, (q.id,)) is not None:
            out.append(q)
    return out


def _older_order(study: Study):
    """A sort key for removed questions: the place each had in the newest version that had it."""
    place: dict[str, tuple[int, int]] = {}
    for version in study.template_versions():
        for i, q in enumerate(study.template_at(version).questions()):
            place[q.id] = (-version, i)
    return lambda q: place.get(q.id, (0, 0))


def crosstab(study: Study, question_id: str, by: str = "category", *, language: str | None = None) -> Crosstab:
    """Cross a named choice, yes/no or scale question by category or area.

    Each organisation counts once, with its latest finished interview (complete or partial)
    that answered the question; an interview under way or broken off is not counted, and an
    answer kept but marked irrelevant is no answer. Labels are in ``language`` (default: the
    study's report language). A question removed from the schedule is crossed as its newest
    template version had it.
    """
    return crosstabs(study, [question_id], by, language=language)[0]


def crosstabs(study: Study, question_ids: Sequence[str], by: str = "category", *,
              language: str | None = None) -> list[Crosstab]:
    """``crosstab`` of each of ``question_ids``, in their order, from one reading of the answers:
    a report crosses every question, and one query per question grows worse than the study."""
    if by not in GROUPINGS:
        raise InvalidValueError(f"cannot cross by '{by}' (expected category or area)")
    template = study.template
    language = language_for(study, language)
    questions: dict[str, Question] = {}
    for question_id in question_ids:
        question = find_question(study, question_id)
        if question is None:
            raise InvalidValueError(f"no question '{question_id}' in the study's schedule")
        if not question.qtype.countable:
            raise InvalidValueError(f"question '{question_id}' is {question.type}; only choice, yes/no and "
                                    "scale questions can be crossed")
        if question.anonymous:
            raise InvalidValueError(f"question '{question_id}' is anonymous; its answers are in the pool "
                                    "and cannot be crossed by organisation")
        questions[question_id] = question
    keys_of = {qid: q.qtype.count_keys(q) for qid, q in questions.items()}
    index_of = {qid: {c: i for i, c in enumerate(keys)} for qid, keys in keys_of.items()}
    per_group: dict[str, dict[str | None, list[int]]] = {qid: {} for qid in questions}
    respondents: dict[str, dict[str | None, int]] = {qid: {} for qid in questions}
    # Each organisation's latest finished interview that answered a question (answers kept but
    # marked irrelevant, their question no longer asked, are no answer), as one count per group
    # and stored answer.
    with study._mutex:
        counted = study.conn.execute(
            f"""SELECT grp, question_id, value, count(*) FROM (
                    SELECT o.{by} AS grp, a.question_id, a.value,
                           row_number() OVER (PARTITION BY i.organisation_id, a.question_id
                                              ORDER BY i.date DESC, i.id DESC) AS latest
                    FROM answers a
                    JOIN interviews i ON i.id = a.interview_id
                    JOIN organisations o ON o.id = i.organisation_id
                    WHERE a.question_id IN (SELECT value FROM json_each(?)) AND a.relevant
                      AND i.result IN ('complete', 'partial'))
                WHERE latest = 1
                GROUP BY grp, question_id, value""",
            (json.dumps(list(questions)),)).fetchall()
    for group, qid, value, n in counted:
        question, index = questions[qid], index_of[qid]
        keys = [k for k in question.qtype.counted(question, json.loads(value)) if k in index]
        if not keys:
            continue  # a choice since removed from the schedule
        counts = per_group[qid].setdefault(group, [0] * len(keys_of[qid]))
        for k in keys:
            counts[index[k]] += n
        respondents[qid][group] = respondents[qid].get(group, 0) + n
    vocab: list[str | None] = list(template.vocabulary(GROUPINGS[by]))
    out = []
    for qid in question_ids:
        question, keys_in_order, found = questions[qid], keys_of[qid], per_group[qid]
        choices = [question.qtype.key_label(question, k, language) for k in keys_in_order]
        groups = vocab + sorted(g for g in found if g is not None and g not in vocab)
        if None in found:
            groups.append(None)
        rows = []
        for g in groups:
            counts = list(found.get(g, [0] * len(choices)))
            n = respondents[qid].get(g, 0)
            rows.append(CrosstabRow(NOT_RECORDED if g is None else g, counts, n, percentages(counts, n)))
        total_counts = [sum(r.counts[i] for r in rows) for i in range(len(choices))]
        total_n = sum(r.respondents for r in rows)
        total = CrosstabRow("Total", total_counts, total_n, percentages(total_counts, total_n))
        out.append(Crosstab(question.id, question.text("label", language), question.type, by, choices, rows,
                            total, multiple=question.qtype.several, keys=list(keys_in_order), language=language))
    return out


def targets(study: Study) -> list[GroupRow]:
    """Target against achieved (interviewed) for each category that has a target."""
    summary = by_group(study, "category")
    return [r for r in summary.rows if r.target is not None]
