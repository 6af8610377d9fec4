"""Each organisation's current AAPOR disposition, derived from its status, its interviews and
its attempts; and the study's disposition counts and outcome rates.

The rules, in order (a survey methodologist's reading of the Standard Definitions for a list
of organisations, where the organisation is the unit):

- excluded: its exclusion reason's "not eligible" code (4.x). Final.
- interviewed: its latest finished interview, complete (1.1) or partial (1.2); recorded as
  interviewed with no interview in the study (older fieldwork): 1.1. Final.
- declined: a break-off (2.12) when its latest interview was abandoned, else the refusal code
  of its latest refusal attempt, else 2.11. Final.
- unreachable, contacting, identified: from the attempts. An attempt that established
  eligibility (a refusal, a non-contact with the organisation confirmed, another eligible
  non-interview, or a "not eligible" finding) outweighs any that did not (no answer, always
  busy); among those, the latest counts. With no attempt: 3.11 (not attempted). Final for
  unreachable, temporary otherwise.
- in interview (contacting with an interview under way): 2.12, temporary: until it is
  finished it would count as a break-off, never as an interview.

Attempt outcomes with an interview code (1.x) are not used: only a finished interview makes an
interview. Nothing here reads the pool.
"""

from __future__ import annotations

import itertools
import json
import re
import statistics
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldkit import outcome_rates
from fieldkit.attempts import INTERVIEW_BEGAN
from fieldkit.fieldwork import RESULT_CODES

if TYPE_CHECKING:
    from fieldkit.study import Study
    from fieldkit.templates import Template

FINAL_STATUSES = ("interviewed", "declined", "unreachable", "excluded")
NOT_ATTEMPTED = "3.11"
IN_INTERVIEW = "2.12"
REFUSAL = "2.11"
#: Attempt codes that establish eligibility (or its lack) for the organisation.
_INFORMATIVE = ("R", "NC", "O", "NE")


@dataclass(frozen=True)
class Disposition:
    """An organisation's disposition now: its code, whether it is final, and why."""

    code: str
    final: bool
    #: Why, in words: "latest attempt: No answer", "interview complete", ...
    reason: str
    #: An interview is under way (the organisation is "in interview").
    in_interview: bool = False

    @property
    def label(self) -> str:
        if self.in_interview:  # not a break-off yet: it only counts as one until finished
            return "In interview, counted as a break-off until finished"
        return outcome_rates.label(self.code)

    @property
    def text(self) -> str:
        """"3.13 No answer" with "(temporary)" while calling goes on."""
        return f"{self.code} {self.label}" + ("" if self.final or self.in_interview else " (temporary)")


@dataclass(frozen=True)
class _Facts:
    status: str
    exclusion_reason: str | None
    #: The latest finished interview's result (complete/partial), or None.
    finished: str | None
    #: The latest interview's result (None also while under way), and whether one is under way.
    latest: str | None
    open_interview: bool
    #: (at, id, outcome) of each attempt.
    attempts: tuple[tuple[str, int, str], ...]


class _Codes(dict):
    """Each outcome's (code, rate class), worked out once per outcome, not once per attempt."""

    def __init__(self, template: Template):
        super().__init__()
        self.template = template

    def __missing__(self, outcome: str) -> tuple[str, str]:
        code = self.template.outcome_rule(outcome).disposition
        self[outcome] = found = (code, outcome_rates.rate_class(code))
        return found


def _derive(f: _Facts, template: Template, codes: _Codes) -> Disposition:
    final = f.status in FINAL_STATUSES
    if f.status == "excluded":
        return Disposition(template.exclusion_code(f.exclusion_reason), True,
                           f"excluded: {f.exclusion_reason or 'no reason recorded'}")
    if f.status == "interviewed":
        if f.finished is None:
            return Disposition("1.1", True, "recorded as interviewed (no interview in the study)")
        return Disposition(RESULT_CODES[f.finished], True, f"interview {f.finished}")
    if f.status == "declined":
        if f.latest == "break_off":
            return Disposition("2.12", True, "interview broken off")
        refusals = [a for a in f.attempts if codes[a[2]][1] == "R"]
        if refusals:
            outcome = max(refusals)[2]
            return Disposition(codes[outcome][0], True, f"declined: {outcome}")
        return Disposition(REFUSAL, True, "declined")
    if f.open_interview:
        return Disposition(IN_INTERVIEW, False, "in interview (not yet finished)", in_interview=True)
    usable = [a for a in f.attempts if codes[a[2]][1] not in ("I", "P")]
    if not usable:
        return Disposition(NOT_ATTEMPTED, final, "no attempt recorded" if f.status != "unreachable"
                           else "not reached, no attempt recorded")
    informative = [a for a in usable if codes[a[2]][1] in _INFORMATIVE]
    chosen = max(informative or usable)
    outcome = chosen[2]
    which = "latest attempt" if chosen == max(usable) else "attempt that confirmed the organisation"
    code = codes[outcome][0]
    prefix = "not reached; " if f.status == "unreachable" else ""
    return Disposition(code, final, f"{prefix}{which}: {outcome}")


def _facts(study: Study, ids: list[int] | None) -> Iterator[tuple[int, _Facts]]:
    """Each organisation's facts, one at a time in id order: the organisations, their interviews
    and their attempts are read side by side, each in organisation order, so a study of 100,000
    organisations is never held in memory whole (only what one organisation has at a time)."""
    where, params = "", []
    if ids is not None:
        where = " WHERE o.id IN (SELECT value FROM json_each(?))"
        params = [json.dumps([int(i) for i in ids])]
    within = "WHERE {0}.organisation_id IN (SELECT value FROM json_each(?)) " if ids is not None else ""
    with study._mutex:
        conn = study.conn
        orgs = conn.execute(f"SELECT o.id, o.status, o.exclusion_reason FROM organisations o{where} ORDER BY o.id",
                            params)
        interviews = _by_organisation(conn.execute(
            "SELECT i.organisation_id, i.result FROM interviews i " + within.format("i")
            + "ORDER BY i.organisation_id, coalesce(i.completed, i.started, i.date), i.id", params))
        attempts = _by_organisation(conn.execute(
            "SELECT a.organisation_id, a.at, a.id, a.outcome FROM attempts a " + within.format("a")
            + "ORDER BY a.organisation_id, a.id", params))
        next_interviews = next(interviews, None)
        next_attempts = next(attempts, None)
        for org_id, status, reason in orgs:
            results: list[str | None] = []
            while next_interviews is not None and next_interviews[0] <= org_id:
                if next_interviews[0] == org_id:
                    results = [r[1] for r in next_interviews[1]]
                next_interviews = next(interviews, None)
            tried: tuple[tuple[str, int, str], ...] = ()
            while next_attempts is not None and next_attempts[0] <= org_id:
                if next_attempts[0] == org_id:
                    tried = tuple((r[1], r[2], r[3]) for r in next_attempts[1])
                next_attempts = next(attempts, None)
            finished = [r for r in results if r in ("complete", "partial")]
            yield org_id, _Facts(status, reason, finished[-1] if finished else None,
                                 results[-1] if results else None, any(r is None for r in results), tried)


def _by_organisation(rows: Iterable[tuple]) -> Iterator[tuple[int, list[tuple]]]:
    """Rows ordered by their first column (an organisation's id), grouped by it."""
    for org_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        yield org_id, list(group)


def of_organisations(study: Study, ids: list[int] | None = None) -> dict[int, Disposition]:
    """The disposition of each organisation (of ``ids``, or of all), by id."""
    template = study.template
    codes = _Codes(template)
    return {org_id: _derive(f, template, codes) for org_id, f in _facts(study, ids)}


def of_organisation(study: Study, org_id: int) -> Disposition:
    study.organisations.get(org_id)
    return of_organisations(study, [org_id])[org_id]


#: What ``matching`` takes besides a code or a group of codes ("2.1" for 2.1x).
STATES = {"in_interview": "In interview", "temporary": "Temporary (calling goes on)", "final": "Final"}


def matching(study: Study, wanted: str) -> list[int]:
    """Ids of the organisations whose disposition is ``wanted``: a code ("3.13"), every code
    under a group ("2.1", "3"), or one of STATES (in_interview, temporary, final)."""
    if wanted not in STATES and not re.fullmatch(r"[1-4](\.\d{1,4})?", wanted):
        from fieldkit.errors import InvalidValueError

        raise InvalidValueError(f"'{wanted}' is not a disposition code, a group of codes or one of "
                                f"{', '.join(STATES)}")
    out = []
    for org_id, d in of_organisations(study).items():
        if wanted == "in_interview":
            hit = d.in_interview
        elif wanted == "temporary":
            hit = not d.final
        elif wanted == "final":
            hit = d.final
        else:
            hit = d.code.startswith(wanted)  # "2.1": 2.10, 2.11, 2.111, 2.12; "3": every 3.x
        if hit:
            out.append(org_id)
    return out


def counts(study: Study) -> dict[str, int]:
    """How many organisations have each disposition code, in code order."""
    return tally(of_organisations(study))


def tally(found: Mapping[int, Disposition]) -> dict[str, int]:
    """How many of ``found`` (``of_organisations``) have each disposition code, in code order:
    for a caller that already holds the dispositions and must not work them out again."""
    by_code: dict[str, int] = {}
    for d in found.values():
        by_code[d.code] = by_code.get(d.code, 0) + 1
    return dict(sorted(by_code.items(), key=lambda kv: outcome_rates.sort_key(kv[0])))


def rates(study: Study, dispositions: dict[str, int] | None = None) -> dict[str, float | None]:
    """RR1–RR6, COOP1–4, REF1–3, CON1–3 and e for the study (e as the study sets it, else
    estimated from the cases whose eligibility was determined)."""
    from fieldkit import fieldwork

    by_code = counts(study) if dispositions is None else dispositions
    e = fieldwork.settings(study).eligibility_rate
    return outcome_rates.rates(outcome_rates.class_counts(by_code), e=e)


@dataclass(frozen=True)
class Paradata:
    """How the interviews went, named side only: nothing about the pool."""

    finished: int
    complete: int
    partial: int
    break_offs: int
    in_interview: int
    #: Organisations recorded as interviewed with no interview in the study (older fieldwork).
    interviewed_without_interview: int
    #: Median minutes of a finished interview (time spent in its sittings), or None.
    median_minutes: float | None
    median_sittings: float | None
    #: Median attempts before an interviewed organisation's first finished interview began.
    median_attempts: float | None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def paradata(study: Study) -> Paradata:
    """Counts of interview results and the medians a method section states."""
    with study._mutex:
        results = dict(study.conn.execute(
            "SELECT coalesce(result, 'open'), count(*) FROM interviews GROUP BY 1").fetchall())
        lengths = study.conn.execute(
            "SELECT seconds, sittings FROM interviews WHERE result IN ('complete', 'partial') "
            "AND sittings > 0").fetchall()
        without = study.conn.execute(
            "SELECT count(*) FROM organisations o WHERE status = 'interviewed' AND NOT EXISTS "
            "(SELECT 1 FROM interviews i WHERE i.organisation_id = o.id AND i.result IN ('complete', 'partial'))"
        ).fetchone()[0]
        before = [n for (n,) in study.conn.execute(
            f"""SELECT (SELECT count(*) FROM attempts a WHERE a.organisation_id = f.organisation_id
                       AND a.at <= f.began)
               FROM (SELECT i.organisation_id, min({INTERVIEW_BEGAN}) AS began
                     FROM interviews i WHERE i.result IN ('complete', 'partial')
                     GROUP BY i.organisation_id) f""")]
        open_orgs = study.conn.execute(
            "SELECT count(DISTINCT organisation_id) FROM interviews i JOIN organisations o ON "
            "o.id = i.organisation_id WHERE i.result IS NULL AND o.status <> 'interviewed'").fetchone()[0]

    def median(values: list[float]) -> float | None:
        return float(statistics.median(values)) if values else None

    return Paradata(
        finished=results.get("complete", 0) + results.get("partial", 0),
        complete=results.get("complete", 0), partial=results.get("partial", 0),
        break_offs=results.get("break_off", 0), in_interview=open_orgs,
        interviewed_without_interview=without,
        median_minutes=median([s / 60 for s, _n in lengths if s is not None]),
        median_sittings=median([n for _s, n in lengths if n is not None]),
        median_attempts=median(before),
    )
