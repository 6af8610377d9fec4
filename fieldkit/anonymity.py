"""The study's anonymity setting k, and warnings where a pooled answer hides among fewer.

k is the smallest number of interviews a pooled answer may be narrowed down to, from any set
of the files fieldkit writes (see fieldkit.held for how it is kept). The default is 5; the
researcher may lower it to 3, or to 1 or 2 only by saying they accept what that gives up.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fieldkit.errors import InvalidValueError

if TYPE_CHECKING:
    from fieldkit.study import Study

K_KEY = "anonymity_k"
DEFAULT_K = 5
#: The lowest k set without a warning, and the highest k at all.
SAFE_MIN_K, MAX_K = 3, 50

RISK = ("with k = {k}, an anonymous answer can be traced to one of only {k} interview{s}: whoever has "
        "two of the study's backups, or knows the order interviews were taken in, may tell who said it")


def k(study: Study) -> int:
    """The study's k (5 unless the researcher changed it)."""
    value = study.meta(K_KEY)
    try:
        return max(1, min(MAX_K, int(value))) if value else DEFAULT_K
    except ValueError:
        return DEFAULT_K


def risk(value: int) -> str | None:
    """What a k below the safe minimum gives up, in words; None for a safe k."""
    return RISK.format(k=value, s="s" if value != 1 else "") if value < SAFE_MIN_K else None


def needs_consent(study: Study, value: int) -> bool:
    """Whether setting k to ``value`` gives up protection the researcher must accept first:
    lowering it below 3 (raising a low k, say from 1 to 2, only adds protection)."""
    return value < SAFE_MIN_K and value < k(study)


def set_k(study: Study, value: int, *, accept_risk: bool = False) -> None:
    """Set k. Lowering it below 3 only with ``accept_risk`` (the UI and CLI first show
    ``risk(value)``). Answers already held move at once if the new k lets them."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_K:
        raise InvalidValueError(f"k must be a whole number from 1 to {MAX_K}")
    if needs_consent(study, value) and not accept_risk:
        raise InvalidValueError(f"k = {value} is below {SAFE_MIN_K}: {risk(value)}; confirm to set it anyway")
    study.set_meta(K_KEY, str(value))
    study.held.move_ready()


def asked_in(study: Study) -> dict[str, int]:
    """For each anonymous question of any template version: how many interviews were taken
    with a schedule that asks it (its largest possible anonymity set)."""
    per_version = dict(study.conn.execute(
        "SELECT template_version, count(*) FROM interviews GROUP BY template_version").fetchall())
    out: dict[str, int] = {}
    for version in study.template_versions():
        for q in study.template_at(version).questions():
            if q.anonymous:
                out[q.id] = out.get(q.id, 0) + per_version.get(version, 0)
    return out


def warnings(study: Study) -> list[str]:
    """One line for each pooled question whose answers hide among fewer than k interviews:
    too few interviews asked it (few interviews in all, or it came with a later template
    version), or "Move to the pool now" moved a group smaller than k."""
    from fieldkit.held import SMALL_GROUPS_KEY

    limit = k(study)
    pooled = [r[0] for r in study.conn.execute("SELECT DISTINCT question_id FROM pool ORDER BY question_id")]
    if not pooled:
        return []
    asked = asked_in(study)
    small = json.loads(study.meta(SMALL_GROUPS_KEY) or "{}")
    out = []
    for qid in pooled:
        label = study.pool._label(qid)
        n = asked.get(qid, 0)
        if n < limit:
            out.append(f"anonymity: the pooled answers to “{label}” come from {n} interview{'s' if n != 1 else ''} "
                       f"at most (fewer than k = {limit}), so each can be narrowed down to them")
        elif qid in small and small[qid] < limit:
            out.append(f"anonymity: some pooled answers to “{label}” were moved to the pool in a group of "
                       f"{small[qid]} interview{'s' if small[qid] != 1 else ''} (fewer than k = {limit})")
    return out


def new_question_notice(study: Study, question_ids: list[str]) -> str:
    """What adding these anonymous questions to a running study means for their anonymity."""
    limit = k(study)
    labels = ", ".join(f"“{study.template.question(q).label}”" for q in question_ids)
    done = study.scalar("SELECT count(*) FROM interviews")
    return (f"{labels} will be asked from now on, not in the {done} interview{'s' if done != 1 else ''} already "
            f"taken: its answers are held until {limit} finished interviews have answered it, then moved to "
            f"the pool together, so each is hidden among at least {limit}.")
