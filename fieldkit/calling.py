"""The calling queue: which organisation to phone next, and why.

Next call picks, among the organisations still being worked (identified or contacting, no
interview under way, calling not ended by a final outcome, fewer attempts than the study's
maximum, and inside their calling window now):

1. due call-backs first, the longest overdue first;
2. then organisations of the categories furthest below their target (targets as quotas:
   the shortfall as a share of the target), a category with no target or its target met last;
3. then the fewest attempts, then the oldest last attempt (never tried before all).

An organisation with a call-back later than now waits for it. Every choice says why it was
made, in words the researcher reads at a glance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fieldkit.callback_times import format_when
from fieldkit.collation import sort_key
from fieldkit.errors import InvalidValueError
from fieldkit.opening_hours import parse_hours

if TYPE_CHECKING:
    from fieldkit.study import Study


@dataclass(frozen=True)
class NextCall:
    """One organisation to phone, the number to try, and why it comes now."""

    organisation_id: int
    name: str
    #: The first working phone number (the organisation's, else a contact's), or None.
    phone: str | None
    #: Why it was chosen: "Call-back due since Tue 24 Nov, 10:00", "Faith organisation: 2 of 8 ...".
    why: str
    #: The person to ask for (the first contact), or None.
    contact: str | None = None
    callback_due: str | None = None
    #: Attempts made so far, and the latest one's outcome and time (None: never tried).
    attempts: int = 0
    last_outcome: str | None = None
    last_at: str | None = None


@dataclass(frozen=True)
class _Candidate:
    org_id: int
    name: str
    category: str | None
    hours: str | None
    attempts: int
    last_at: str | None
    callback_at: str | None
    last_outcome: str | None


#: The organisations still being called, each with its attempts and its latest attempt.
CANDIDATES = """
    SELECT o.id, o.name, o.category, o.opening_hours,
           (SELECT count(*) FROM attempts c WHERE c.organisation_id = o.id), l.at, l.callback_at, l.outcome
    FROM organisations o
    LEFT JOIN attempts l ON l.id = (SELECT x.id FROM attempts x WHERE x.organisation_id = o.id
                                    ORDER BY x.at DESC, x.id DESC LIMIT 1)
    WHERE o.status IN ('identified', 'contacting')
      AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.organisation_id = o.id AND i.result IS NULL)"""


def _candidates(study: Study) -> list[_Candidate]:
    with study._mutex:
        # The latest attempt and the count read from the (organisation_id, at) index, one
        # organisation at a time: four times faster than ranking every attempt with a window.
        rows = study.conn.execute(CANDIDATES).fetchall()
    return [_Candidate(*r) for r in rows]


def _open_now(hours: str | None, now: dt.datetime, read: dict[str, bool]) -> bool:
    """Whether an organisation with these opening hours can be called ``now`` (``read``: the
    answer for each text seen, so that each wording is parsed once)."""
    if not hours:
        return True
    if hours not in read:
        try:
            read[hours] = parse_hours(hours).is_open(now)
        except InvalidValueError:  # hours typed before they were checked: no limit rather than never
            read[hours] = True
    return read[hours]


def queue(study: Study, now: dt.datetime, *, limit: int | None = None,
          skip: Iterable[int] = ()) -> list[NextCall]:
    """The organisations to phone, in the order Next call takes them (``limit``: the first
    few; ``skip``: ids the researcher passed over for now)."""
    from fieldkit import fieldwork

    template = study.template
    maximum = fieldwork.settings(study).max_attempts
    stamp = now.replace(microsecond=0).isoformat()
    achieved = {r["category"]: r["n"] for r in study.query(
        "SELECT category, count(*) AS n FROM organisations WHERE status = 'interviewed' GROUP BY category")}
    due: list[_Candidate] = []
    rest: list[_Candidate] = []
    passed_over = set(skip)
    final: dict[str, bool] = {}
    open_now: dict[str, bool] = {}
    for c in _candidates(study):
        if c.org_id in passed_over or c.attempts >= maximum:
            continue
        if c.last_outcome is not None:
            if c.last_outcome not in final:
                final[c.last_outcome] = template.outcome_rule(c.last_outcome).final
            if final[c.last_outcome]:
                continue
        if c.callback_at is not None and c.callback_at > stamp:
            continue  # an appointment later: wait for it
        if not _open_now(c.hours, now, open_now):
            continue
        (due if c.callback_at is not None else rest).append(c)
    due.sort(key=lambda c: (c.callback_at, sort_key(c.name)))

    def shortfall(c: _Candidate) -> float:
        target = template.targets.get(c.category or "")
        if not target:
            return 0.0
        return max(0, target - achieved.get(c.category, 0)) / target

    rest.sort(key=lambda c: (-shortfall(c), c.attempts, c.last_at or "", sort_key(c.name)))
    chosen = (due + rest)[:limit] if limit is not None else due + rest
    out = []
    for c in chosen:
        out.append(_explain(study, c, now, shortfall(c), achieved))
    return out


def next_call(study: Study, now: dt.datetime, *, skip: Iterable[int] = ()) -> NextCall | None:
    """The organisation to phone now (not one of ``skip``), or None when nobody is waiting."""
    found = queue(study, now, limit=1, skip=skip)
    return found[0] if found else None


def _explain(study: Study, c: _Candidate, now: dt.datetime, short: float, achieved: dict) -> NextCall:
    working = study.numbers.working(c.org_id, "phone")
    contacts = study.organisations.contacts(c.org_id)
    parts: list[str] = []
    if c.callback_at is not None:
        parts.append(f"Call-back due since {format_when(c.callback_at, year=None)}")
    else:
        target = study.template.targets.get(c.category or "")
        if target and short > 0:
            parts.append(f"{c.category}: {achieved.get(c.category, 0)} of {target} interviewed")
        if c.attempts == 0:
            parts.append("not tried yet")
        else:
            last = format_when(c.last_at, year=None) if c.last_at else ""
            parts.append(f"{c.attempts} attempt{'s' if c.attempts != 1 else ''}, last {last}")
    if c.hours:
        parts.append(f"open now ({c.hours})")
    if not working:
        parts.append("no working phone number")
    return NextCall(c.org_id, c.name, working[0].value if working else None, " · ".join(parts),
                    contacts[0].name if contacts and contacts[0].name else None, c.callback_at,
                    c.attempts, c.last_outcome, c.last_at)
