"""The plan of a demo study: which organisations it holds and where each stands.

``_make_plan`` decides, before anything is written, every organisation's name, category,
area, community and town, the status it reaches (in the shares of ``STATUS_SHARES``), why
the excluded were ruled out, which records are duplicates or mergers of which, and who
suggested whom. How each one's fieldwork went is played out from this by the builder.
"""

from __future__ import annotations

import bisect
import heapq
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from fieldkit.demo.data import (
    ACCESS_POINT,
    AREA_COMMUNITIES,
    AREA_WEIGHTS,
    BME_INFRA,
    BME_NETWORK,
    COMMUNITIES,
    COUNTY_AREAS,
    GENERAL_INFRA,
    GENERAL_NETWORK,
    LOCALITIES,
    OFFICES,
    OUTSIDE,
    PATTERNS,
    SHOWCASE,
)
from fieldkit.templates import Template

#: Share of each status (fieldwork a few weeks from the end).
STATUS_SHARES = (("interviewed", 0.58), ("unreachable", 0.12), ("declined", 0.05), ("excluded", 0.10),
                 ("contacting", 0.10), ("identified", 0.05))


@dataclass
class _Plan:
    name: str
    category: str
    area: str | None                # None: outside the region
    community: str
    place: str                      # the town or neighbourhood
    status: str = "identified"
    exclusion_reason: str | None = None
    related: int | None = None      # index of the organisation a duplicate or merger points at
    referrer: int | None = None     # index of the organisation that suggested this one
    fields: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _status_counts(n: int) -> dict[str, int]:
    exact = {s: n * share for s, share in STATUS_SHARES}
    counts = {s: int(x) for s, x in exact.items()}
    for s in sorted(exact, key=lambda s: exact[s] - counts[s], reverse=True)[: n - sum(counts.values())]:
        counts[s] += 1
    minimum = {s: 1 for s, _ in STATUS_SHARES} if n >= len(STATUS_SHARES) else {}
    if n >= 12:
        minimum["contacting"] = 3  # one call-back overdue, one today, one to come
    for s, low in minimum.items():
        while counts[s] < low:
            donor = max(counts, key=counts.__getitem__)
            counts[donor] -= 1
            counts[s] += 1
    return counts


#: How often a local organisation is named after its neighbourhood or town rather than its area.
_LOCALITY_SHARE = {ACCESS_POINT: 0.85, BME_NETWORK: 0.3, BME_INFRA: 0.2, GENERAL_NETWORK: 0.25,
                   GENERAL_INFRA: 0.0}


def _locality_share(category: str, area: str, community: str) -> float:
    if category == GENERAL_INFRA and area in COUNTY_AREAS:
        return 0.35  # "Leominster Volunteer Centre", "Community Action Rugby"
    if category == BME_INFRA and community == "multi":
        return 0.0  # "Coventry Race Equality Council", never a ward's
    return _LOCALITY_SHARE.get(category, 0.3)


def _scope(area: str | None) -> str:
    if area is None:
        return "local"
    return {"Regional": "regional", "National": "national"}.get(area, "local")


def _name(rng: random.Random, category: str, area: str, community: str, used: set[str],
          numbered: dict[str, int] | None = None) -> tuple[str, str]:
    """A new organisation name and the town or neighbourhood it belongs to. ``numbered``
    remembers the last number given after each name ("… 2", "… 3"), so a large demo does not
    count up from 2 again every time a name comes round."""
    scope = _scope(area)
    specific = community not in ("general", "multi")
    patterns = PATTERNS.get((category, scope, specific)) or PATTERNS[(category, scope, False)]
    adjectives = COMMUNITIES[community].adjectives or ("",)
    for attempt in range(30):
        locality = rng.choice(LOCALITIES[area])
        if scope != "local" or area == OUTSIDE:
            place = locality  # "West Midlands", "Black Country", "UK", "Leicester", ...
        elif attempt >= 10 or rng.random() < _locality_share(category, area, community):
            place = locality
        else:
            place = area
        name = rng.choice(patterns).format(place=place, adj=rng.choice(adjectives))
        name = " ".join(name.split())
        if attempt >= 20 and scope != "local":  # national and regional bodies have offices
            name = f"{name} ({rng.choice(OFFICES)} office)"
        elif attempt >= 20:
            name = f"{name} ({locality})"
        if name not in used:
            used.add(name)
            return name, (locality if scope == "local" else rng.choice(OFFICES))
    k = (numbered or {}).get(name, 2)
    while f"{name} {k}" in used:
        k += 1
    if numbered is not None:
        numbered[name] = k
    used.add(f"{name} {k}")
    return f"{name} {k}", (locality if scope == "local" else rng.choice(OFFICES))


def _duplicate_name(original: str, used: set[str]) -> str:
    """How the same organisation turns up twice: abbreviated, or with "The" in front."""
    for old, new in (("Association", "Assoc."), ("Community", "Comm."), ("Council for", "Council of"),
                     ("Centre", "Center"), (" and ", " & ")):
        if old in original and original.replace(old, new, 1) not in used:
            name = original.replace(old, new, 1)
            break
    else:
        name = f"The {original}" if f"The {original}" not in used else f"{original} (old listing)"
    used.add(name)
    return name


def _make_plan(rng: random.Random, n: int, template: Template) -> list[_Plan]:
    categories = list(template.categories)
    areas = list(template.areas)
    counts = _status_counts(n)
    remaining = [s for s, c in counts.items() for _ in range(c)]
    reasons = list(template.exclusion_reasons)
    rng.shuffle(reasons)
    used: set[str] = set()
    plans: list[_Plan] = []
    turn = 0

    def take(preferred: str) -> str:
        status = preferred if preferred in remaining else remaining[0]
        remaining.remove(status)
        return status

    def next_reason(links: bool) -> str | None:
        """Every exclusion reason in turn; duplicates and mergers need an earlier organisation."""
        nonlocal turn
        if not reasons:
            return None
        reason: str | None = reasons[turn % len(reasons)]
        turn += 1
        if not links and reason in ("Duplicate of another record", "Merged into another organisation"):
            reason = "Closed down" if "Closed down" in reasons else None
        return reason

    for name, category, area, community, place, preferred, _, _ in SHOWCASE[:n]:
        used.add(name)
        plan = _Plan(name, category, area, community, place, take(preferred))
        if plan.status == "excluded":  # only in a very small demo
            plan.exclusion_reason = next_reason(False)
        plans.append(plan)
    rng.shuffle(remaining)

    # Every category and every area appears at least once (duplicates copy an earlier record,
    # so they take no part in this).
    missing_categories = [c for c in categories if c not in {p.category for p in plans}]
    missing_areas = [a for a in areas if a not in {p.area for p in plans}]
    rng.shuffle(missing_areas)
    category_weights = {c: template.targets.get(c, 8) for c in categories}
    area_weights = {a: AREA_WEIGHTS.get(a, 3) for a in areas}
    # The organisations not excluded so far, in order, and by area: kept as plans are added
    # (working them out again for each new one made a large demo quadratic).
    earlier = [e for e, p in enumerate(plans) if p.status != "excluded"]
    earlier_in: dict[str | None, list[int]] = {}
    for e in earlier:
        earlier_in.setdefault(plans[e].area, []).append(e)
    numbered: dict[str, int] = {}

    def add(plan: _Plan) -> None:
        if plan.status != "excluded":
            earlier.append(len(plans))
            earlier_in.setdefault(plan.area, []).append(len(plans))
        plans.append(plan)

    for _ in range(len(plans), n):
        status = remaining.pop()
        reason = next_reason(bool(earlier)) if status == "excluded" else None
        if reason == "Duplicate of another record":
            original = rng.choice(earlier)
            o = plans[original]
            add(_Plan(_duplicate_name(o.name, used), o.category, o.area, o.community, o.place,
                      status, reason, related=original))
            continue
        if reason == "Outside the region":  # named after a town elsewhere, with no area of the study
            category = _weighted(rng, category_weights)
            area = OUTSIDE
        else:
            category = missing_categories.pop() if missing_categories else _weighted(rng, category_weights)
            area = missing_areas.pop() if missing_areas else _weighted(rng, area_weights)
        if category in (GENERAL_INFRA, GENERAL_NETWORK):
            community = "general"
        else:
            multi_share = {BME_INFRA: 0.45, BME_NETWORK: 0.25, ACCESS_POINT: 0.1}.get(category, 0.2)
            if rng.random() < multi_share:
                community = "multi"
            else:
                community = rng.choice(AREA_COMMUNITIES.get(area, tuple(AREA_COMMUNITIES["Birmingham"])))
        name, place = _name(rng, category, area, community, used, numbered)
        plan = _Plan(name, category, None if area == OUTSIDE else area, community, place, status, reason)
        if reason == "Merged into another organisation":
            neighbours = earlier_in.get(area, [])
            plan.related = rng.choice(neighbours) if neighbours else None
        add(plan)

    # A few organisations were suggested by an infrastructure body or network met earlier,
    # in the same area or working across the region.
    infra_in: dict[str | None, list[int]] = {}  # by area, in order
    for r, p in enumerate(plans):
        if p.status != "excluded" and p.category in (GENERAL_INFRA, BME_INFRA, BME_NETWORK):
            infra_in.setdefault(p.area, []).append(r)

    def referrers(i: int) -> list[int]:
        """The infrastructure bodies and networks before ``i`` in its area or the region's, in order."""
        places = {plans[i].area, "Regional"}
        before = [lst[:bisect.bisect_left(lst, i)] for lst in (infra_in.get(a, []) for a in places)]
        return list(heapq.merge(*before))

    candidates = [i for i, p in enumerate(plans) if p.status != "excluded" and p.area != "National"]
    candidates.sort(key=lambda i: (plans[i].category != ACCESS_POINT, rng.random()))
    wanted = max(2, round(n * 0.07)) if n >= 10 else 0
    for i in candidates:
        if wanted == 0:
            break
        found = referrers(i)
        if found:
            plans[i].referrer = rng.choice(found)
            wanted -= 1
    return plans
