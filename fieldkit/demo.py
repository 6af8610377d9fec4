"""A made-up study to try fieldkit with: ``fieldkit demo``, the README, screenshots, benchmarks.

    with build_demo(tmp / "Demo study.fieldkit", organisations=60) as study:
        ...

``build_demo`` creates a West Midlands study from the shipped "regional-mapping" template
(which names no region: the demo gives it the region's areas, ``AREAS``) and fills it through
the core's own API, the way a researcher would: organisations and their contacts, attempts
with call-backs, interviews answered question by question (anonymous answers go to the pool
like any other), flags, referrals and notes. The places, names and texts it draws
from are in ``resources/demo/*.toml``; this module holds only how it draws.

Everything is drawn from seeded ``random.Random`` streams: one decides what happens, another
when (in the weeks before ``today``). A seed therefore always gives the same organisations,
contacts, statuses, answers, comments and summary numbers, whatever day the demo is built; only
the dates move with ``today``, and the stamps the core writes itself ("created", "updated",
"completed") and the pool's random comment ids differ between builds.

Every organisation, person, address, phone number and e-mail address is invented. Phone
numbers come from Ofcom's ranges reserved for drama (0121 496 0xxx, 01632 960xxx,
0306 999 0xxx, 07700 900xxx) and e-mail addresses are at example.org.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.errors import InvalidValueError, StudyFileError
from fieldkit.search import normalise
from fieldkit.study import SUFFIX, Study, default_folder, move_into_place
from fieldkit.templates import Template, find_template, shipped_dir
from fieldkit.storage.files import with_sidecars

TEMPLATE_NAME = "regional-mapping"


def demo_path() -> Path:
    """Where ``fieldkit demo`` puts the demo study unless told otherwise."""
    return default_folder() / f"Demo study{SUFFIX}"


# --- the made-up data, from resources/demo/*.toml --------------------------------------------


def resources_dir() -> Path:
    """The shipped resources: ``resources/`` in a checkout, ``fieldkit/_resources`` installed."""
    return shipped_dir("resources")


def _load(name: str) -> dict[str, Any]:
    """One of the demo's data files, its arrays as tuples: the data is read, never changed."""
    with (resources_dir() / "demo" / f"{name}.toml").open("rb") as f:
        return _frozen(tomllib.load(f))


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


_PLACES, _PEOPLE, _ORGANISATIONS, _TEXTS = (_load(n) for n in ("places", "people", "organisations", "texts"))

TITLE: str = _TEXTS["study"]["title"]
CLIENT: str = _TEXTS["study"]["client"]
AUTHOR: str = _TEXTS["study"]["author"]
#: Who took the interviews (the author takes most), with weights.
INTERVIEWERS = tuple((i["name"], i["weight"]) for i in _TEXTS["study"]["interviewers"])

# --- places

CITY_AREAS: tuple[str, ...] = _PLACES["city_areas"]
COUNTY_AREAS: tuple[str, ...] = _PLACES["county_areas"]
#: The study's areas, in order: the template ships with none, so the demo adds its region's
#: (cities, counties, then the bodies working across the region or the country).
AREAS: tuple[str, ...] = (*CITY_AREAS, *COUNTY_AREAS, "Regional", "National")
#: A pseudo-area for organisations found to be outside the region (stored with no area).
OUTSIDE = "(outside the region)"
#: Neighbourhoods (cities) or towns (counties) used in names, addresses and coverage; under
#: OUTSIDE, the towns elsewhere where the organisations excluded as "Outside the region" are.
LOCALITIES: dict[str, tuple[str, ...]] = {**_PLACES["localities"], OUTSIDE: _PLACES["outside"]}
#: Where a regional or national body's West Midlands office is.
OFFICES: tuple[str, ...] = _PLACES["offices"]
#: Relative weights of the areas (organisations are concentrated in the cities).
AREA_WEIGHTS: dict[str, int] = _PLACES["area_weights"]
STREETS: tuple[str, ...] = _PLACES["streets"]
PREMISES: tuple[str, ...] = _PLACES["premises"]

# --- communities and people


@dataclass(frozen=True)
class Community:
    adjectives: tuple[str, ...]       # as used in organisation names
    choices: tuple[str, ...]          # answers to a3 (communities worked with)
    people: tuple[str, ...]           # keys of PEOPLE to draw contacts from
    other: str | None = None          # answer to a4 when a3 includes "Other"
    founded: tuple[int, int] = (1975, 2015)


@dataclass(frozen=True)
class People:
    first: tuple[str, ...] = ()
    last: tuple[str, ...] = ()
    full: tuple[str, ...] = ()        # whole names, used as they are
    #: Names in the community's own script, each with how it is written in English.
    native: tuple[tuple[str, str], ...] = ()


COMMUNITIES = {key: Community(**c) for key, c in _PEOPLE["communities"].items()}
#: Which communities' organisations are likely in each area (for BME bodies and access points).
AREA_COMMUNITIES: dict[str, tuple[str, ...]] = _PEOPLE["area_communities"]
PEOPLE = {key: People(**p) for key, p in _PEOPLE["people"].items()}
#: What "Other" communities (question a4) an organisation names besides its main ones.
OTHER_COMMUNITIES: tuple[str, ...] = _PEOPLE["other_communities"]
#: A contact's role by category of organisation; a second contact's role; notes on contacts.
ROLES: dict[str, tuple[str, ...]] = _PEOPLE["contacts"]["roles"]
SECOND_ROLES: tuple[str, ...] = _PEOPLE["contacts"]["second_roles"]
CONTACT_NOTES: tuple[str, ...] = _PEOPLE["contacts"]["notes"]

#: How often a contact's name is written in the community's own script, where there is one.
NATIVE_SCRIPT_SHARE = 0.3

# --- organisation names

BME_INFRA = "BME infrastructure organisation"
BME_NETWORK = "BME network"
GENERAL_INFRA = "General infrastructure organisation"
GENERAL_NETWORK = "General network"
ACCESS_POINT = "Access point into particular communities"

#: Name patterns by (category, scope, community-specific?). {place}: the area or a locality
#: in it; {adj}: the community as it appears in names.
PATTERNS: dict[tuple[str, str, bool], tuple[str, ...]] = {
    (category, scope, {"specific": True, "generic": False}[kind]): names
    for category, scopes in _ORGANISATIONS["patterns"].items()
    for scope, kinds in scopes.items()
    for kind, names in kinds.items()
}
#: The organisations every demo starts with, so the README, screenshots and tests can rely on
#: them: (name, category, area, community, locality, preferred status, contact, role).
SHOWCASE = tuple(
    (s["name"], s["category"], s["area"], s["community"], s["locality"], s["status"],
     (s["contact"], s.get("contact_in_english")), s["role"])
    for s in _ORGANISATIONS["showcase"]
)

# --- what people said: named answers (kept with the organisation's record) ...

OWN_BARRIERS: tuple[str, ...] = _TEXTS["named_answers"]["own_barriers"]
OWN_NEEDS: tuple[str, ...] = _TEXTS["named_answers"]["own_needs"]
PARTNERSHIPS_ON_BOARD: tuple[str, ...] = _TEXTS["named_answers"]["partnerships_on_board"]
PARTNERSHIPS_OFF_BOARD: tuple[str, ...] = _TEXTS["named_answers"]["partnerships_off_board"]
PARTNERSHIPS_HELP: tuple[str, ...] = _TEXTS["named_answers"]["partnerships_help"]
ANYTHING_ELSE: tuple[str, ...] = _TEXTS["named_answers"]["anything_else"]

# ... and anonymous answers about the wider sector (pooled, never attributed).

SECTOR_QUOTES: dict[str, tuple[str, ...]] = _TEXTS["pooled_answers"]["quotes"]
#: Now and then a pooled answer starts with one of these ...
OPENERS: tuple[str, ...] = _TEXTS["pooled_answers"]["openers"]
#: ... and now and then ends with one of these.
CLOSERS: tuple[str, ...] = _TEXTS["pooled_answers"]["closers"]
#: How likely an interviewee is to answer each anonymous question.
ANSWER_SHARE = {"d1": 0.95, "d2": 0.9, "d3": 0.75, "d4": 0.9, "d5": 0.65, "d6": 0.6}

# --- attempts and notes ("" in the file: an attempt with no note)

ATTEMPT_NOTES: dict[str, tuple[str | None, ...]] = {
    outcome: tuple(note or None for note in notes) for outcome, notes in _TEXTS["attempt_notes"].items()}
STATUS_NOTES: dict[str, tuple[str, ...]] = _TEXTS["status_notes"]


# --- the plan -------------------------------------------------------------------------------

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


def _name(rng: random.Random, category: str, area: str, community: str, used: set[str]) -> tuple[str, str]:
    """A new organisation name and the town or neighbourhood it belongs to."""
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
    k = 2
    while f"{name} {k}" in used:
        k += 1
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


class _Numbers:
    """Made-up phone numbers from Ofcom's drama ranges, each used once while they last."""

    RANGES = {"0121": "0121 496 0{:03d}", "01632": "01632 960{:03d}", "0306": "0306 999 0{:03d}",
              "mobile": "07700 900{:03d}"}

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.left: dict[str, list[int]] = {}

    def draw(self, kind: str) -> str:
        if not self.left.get(kind):
            pool = list(range(1000))
            self.rng.shuffle(pool)
            self.left[kind] = pool
        return self.RANGES[kind].format(self.left[kind].pop())

    def landline(self, area: str | None) -> str:
        if area in ("Birmingham", "Sandwell", "Solihull"):
            return self.draw("0121")
        if area == "National":
            return self.draw("0306")
        return self.draw("01632")


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", normalise(text)).strip(".")


class _Unique:
    """Hands out each string once, numbering repeats: "wcvs", "wcvs2", ..."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, wanted: str) -> str:
        candidate, k = wanted, 1
        while candidate in self.used:
            k += 1
            candidate = f"{wanted}{k}"
        self.used.add(candidate)
        return candidate


class _Emails(_Unique):
    def address(self, local: str) -> str:
        return f"{self.make(local or 'info')}@example.org"


def _initials(name: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z]+", normalise(name)) if w not in ("and", "of", "the", "for")]
    return "".join(w[0] for w in words)[:8] or "org"


def _person(rng: random.Random, community: str, used: set[str]) -> tuple[str, str]:
    """A contact's name as written, and how it is spelt in English (for an e-mail address).

    Names already in ``used`` are avoided while there are others to draw; names in a
    community's own script are only for that community's organisations.
    """
    for _ in range(12):
        people = PEOPLE[rng.choice(COMMUNITIES[community].people)]
        if people.native and community != "general" and rng.random() < NATIVE_SCRIPT_SHARE:
            name, latin = rng.choice(people.native)
        elif people.full and (not people.first or rng.random() < 0.5):
            name = latin = rng.choice(people.full)
        else:
            name = latin = f"{rng.choice(people.first)} {rng.choice(people.last)}"
        if name not in used:
            break
    used.add(name)
    return name, latin


def _contact(rng: random.Random, numbers: _Numbers, emails: _Emails, name: str, latin: str, role: str,
             *, native: bool) -> dict[str, Any]:
    contact: dict[str, Any] = {"name": name, "role": role}
    if rng.random() < 0.7:
        contact["phone"] = numbers.draw("mobile")
    if rng.random() < 0.8:
        contact["email"] = emails.address(_ascii(latin))
    notes = []
    if native:
        notes.append(f"Name in English: {latin}.")
    if rng.random() < 0.2:
        notes.append(rng.choice(CONTACT_NOTES))
    if notes:
        contact["notes"] = " ".join(notes)
    return contact


def _details(rng: random.Random, plan: _Plan, numbers: _Numbers, emails: _Emails, sites: _Unique) -> None:
    """Coverage, address, phone, e-mail and website of an organisation."""
    area, scope = plan.area, _scope(plan.area)
    if area is None:
        coverage = plan.place
    elif scope == "national":
        coverage = "England" if rng.random() < 0.5 else "United Kingdom"
    elif scope == "regional":
        coverage = "West Midlands region" if rng.random() < 0.7 else "Black Country and Birmingham"
    elif plan.category == ACCESS_POINT and area in CITY_AREAS and rng.random() < 0.6:
        coverage = plan.place
    else:
        coverage = area
    premises = f"{plan.place} {rng.choice(PREMISES if scope == 'local' else PREMISES[1:4])}"
    street = f"{rng.randint(1, 240)} {rng.choice(STREETS)}"
    town = f"{plan.place}, {area}" if area in CITY_AREAS else plan.place
    address = f"{premises}, {street}, {town}" if rng.random() < 0.4 else f"{street}, {town}"
    plan.fields = {"coverage": coverage, "address": address, "phone": numbers.landline(area)}
    local = sites.make(_initials(plan.name))
    if rng.random() < 0.85:
        plan.fields["email"] = emails.address(("info." if rng.random() < 0.5 else "") + local)
    if rng.random() < 0.6:
        plan.fields["website"] = f"https://{local}.example.org"


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
    for i in range(len(plans), n):
        status = remaining.pop()
        earlier = [e for e in range(i) if plans[e].status != "excluded"]
        reason = next_reason(bool(earlier)) if status == "excluded" else None
        if reason == "Duplicate of another record":
            original = rng.choice(earlier)
            o = plans[original]
            plans.append(_Plan(_duplicate_name(o.name, used), o.category, o.area, o.community, o.place,
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
        name, place = _name(rng, category, area, community, used)
        plan = _Plan(name, category, None if area == OUTSIDE else area, community, place, status, reason)
        if reason == "Merged into another organisation":
            neighbours = [e for e in earlier if plans[e].area == area]
            plan.related = rng.choice(neighbours) if neighbours else None
        plans.append(plan)

    # A few organisations were suggested by an infrastructure body or network met earlier,
    # in the same area or working across the region.
    def referrers(i: int) -> list[int]:
        return [r for r in range(i) if plans[r].status != "excluded"
                and plans[r].category in (GENERAL_INFRA, BME_INFRA, BME_NETWORK)
                and plans[r].area in (plans[i].area, "Regional")]

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


# --- building -------------------------------------------------------------------------------


def _weekdays(lo: dt.date, hi: dt.date) -> list[dt.date]:
    """Working days from ``lo`` to ``hi``; every day if the span holds no working day."""
    days = [lo + dt.timedelta(days=k) for k in range((hi - lo).days + 1)]
    return [d for d in days if d.weekday() < 5] or days


def _moment(rng: random.Random, day: dt.date, start: int = 9 * 60 + 15, end: int = 17 * 60) -> dt.datetime:
    minutes = rng.randrange(start, end, 5)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))


def _days(rng: random.Random, lo: dt.date, hi: dt.date, k: int) -> list[dt.date]:
    """``k`` working days from ``lo`` to ``hi``, in order; an empty span (``hi`` before ``lo``)
    puts them all on ``lo``, so that how many attempts happen never depends on the calendar."""
    if k <= 0:
        return []
    pool = _weekdays(lo, hi) or [lo]
    if k <= len(pool):
        return sorted(rng.sample(pool, k))
    return sorted(rng.choice(pool) for _ in range(k))


#: How often an organisation that may be listed agrees to each detail of its entry (contact's
#: name, phone, email, address, website: forms/regional-mapping.toml, questions e2a to e2e).
LISTING_SHARE = {"e2a": 0.6, "e2b": 0.85, "e2c": 0.7, "e2d": 0.5, "e2e": 0.9}


class _Builder:
    """Adds the planned organisations through the core API.

    Two random streams: ``rng`` decides what happens (outcomes, notes, answers, flags) and
    ``clock`` decides when. What happens never depends on ``today``, so a seed gives the
    same organisations, statuses and summary numbers whatever day the demo is built.
    """

    def __init__(self, study: Study, rng: random.Random, clock: random.Random, plans: list[_Plan],
                 today: dt.date):
        self.study = study
        self.rng = rng
        self.clock = clock
        self.plans = plans
        self.today = today
        weeks = 6 if len(plans) <= 100 else min(26, 6 + len(plans) // 50)
        self.start = today - dt.timedelta(weeks=weeks)
        self.numbers = _Numbers(rng)
        self.emails = _Emails()
        self.sites = _Unique()
        self.people: set[str] = {showcase[6][0] for showcase in SHOWCASE}
        self.quotes: set[str] = set()
        self.ids: list[int] = []
        self.callback_turn = 0
        self.template = study.template

    # --- pieces -----------------------------------------------------------------------

    def attempt(self, outcome: str, first: str, *, channel: str | None = None,
                note: str | None = None) -> tuple[str, str, str | None]:
        """What one attempt was: (outcome, channel, note)."""
        if channel is None:
            channel = "email" if outcome == "Email sent" else "phone"
        if note is None:
            text = self.rng.choice(ATTEMPT_NOTES.get(outcome, (None,)))
            note = text.format(first=first) if text else None
        return outcome, channel, note

    def early(self, first: str, count: int) -> list[tuple[str, str, str | None]]:
        """Attempts that did not get through yet."""
        outcomes = self.rng.choices(
            ("No answer", "Left a message", "Line busy", "Email sent", "Call back requested",
             "Contact away (illness or holiday)", "No way to leave a message"),
            weights=(6, 5, 2, 3, 3, 1, 1), k=count)
        return [self.attempt(o, first) for o in outcomes]

    def log(self, org_id: int, what: tuple[str, str, str | None], when: dt.datetime | dt.date,
            callback: dt.datetime | None = None) -> None:
        if not isinstance(when, dt.datetime):
            when = _moment(self.clock, when)
        outcome, channel, note = what
        self.study.attempts.log(org_id, outcome=outcome, channel=channel, note=note, at=when,
                                callback_at=callback)

    def log_on_days(self, org_id: int, attempts: list[tuple[str, str, str | None]], lo: dt.date,
                    hi: dt.date) -> None:
        for what, day in zip(attempts, _days(self.clock, lo, hi, len(attempts)), strict=True):
            self.log(org_id, what, day)

    # --- one organisation ---------------------------------------------------------------

    def add(self, index: int) -> None:
        rng, plan = self.rng, self.plans[index]
        _details(rng, plan, self.numbers, self.emails, self.sites)
        if index < len(SHOWCASE):
            (name, latin), role = SHOWCASE[index][6], SHOWCASE[index][7]
            latin = latin or name
        else:
            name, latin = _person(rng, plan.community, self.people)
            role = rng.choice(ROLES[plan.category])
        first = _contact(rng, self.numbers, self.emails, name, latin, role, native=name != latin)
        contacts = [first]
        if rng.random() < 0.35:
            name2, latin2 = _person(rng, plan.community, self.people)
            role2 = rng.choice([r for r in SECOND_ROLES if r != role])
            contacts.append(_contact(rng, self.numbers, self.emails, name2, latin2, role2, native=name2 != latin2))

        attempts = rng.randint(4, 9) if plan.status == "unreachable" else 0
        notes = []
        if plan.referrer is not None:
            notes.append(f"Suggested by {self.plans[plan.referrer].name}.")
        if plan.status in STATUS_NOTES and rng.random() < 0.45:
            notes.append(rng.choice(STATUS_NOTES[plan.status]).format(attempts=attempts))
        if plan.status == "excluded":
            notes.append(self.exclusion_note(plan))
        flags = []
        if plan.status == "unreachable" and rng.random() < 0.5:
            flags.append("permission_to_list")
            notes.append("Agreed by email to be listed in the directory.")
        if plan.status in ("interviewed", "unreachable", "contacting") and rng.random() < 0.4:
            flags.append("invite_to_event")
        # Desk research rules some out before any call: duplicates always, others now and then.
        screened_on_paper = plan.status == "excluded" and (
            plan.exclusion_reason in ("Duplicate of another record", None) or rng.random() < 0.3)
        org_id = self.study.organisations.add(
            plan.name, category=plan.category, area=plan.area,
            status="excluded" if screened_on_paper else "identified",
            exclusion_reason=plan.exclusion_reason if screened_on_paper else None,
            flags=flags, referred_by=None if plan.referrer is None else self.ids[plan.referrer],
            contacts=contacts, notes=" ".join(notes) or None, **plan.fields)
        self.ids.append(org_id)

        first_name = latin.split()[0]  # as the researcher writes it in a note
        if plan.status == "interviewed":
            self.interviewed(org_id, plan, first_name, role)
        elif plan.status == "contacting":
            self.contacting(org_id, first_name)
        elif plan.status == "unreachable":
            self.unreachable(org_id, first_name, attempts)
            self.study.organisations.set_status(org_id, "unreachable")
        elif plan.status == "declined":
            self.declined(org_id, first_name)
            self.study.organisations.set_status(org_id, "declined")
        elif plan.status == "excluded" and not screened_on_paper:
            self.screened(org_id, plan, first_name)
            self.study.organisations.set_status(org_id, "excluded", plan.exclusion_reason)

    def exclusion_note(self, plan: _Plan) -> str:
        rng, reason = self.rng, plan.exclusion_reason
        if plan.related is not None:
            other = self.plans[plan.related].name
        else:
            other = f"a larger {plan.area} organisation" if _scope(plan.area) == "local" else "a national charity"
        return {
            "Not an infrastructure body": "A single-project charity; it does not support other groups.",
            "Service provider only": "Provides services directly; no support or representation role.",
            "Outside the region": f"Based in {plan.place}; works in the region only now and then.",
            "Closed down": "Wound up last year according to the Charity Commission.",
            "Merged into another organisation": f"Merged into {other} in {self.today.year - rng.randint(1, 3)}.",
            "Duplicate of another record": f"Same organisation as {other} (listed twice).",
        }.get(reason or "", "Excluded after screening.")

    def interviewed(self, org_id: int, plan: _Plan, first: str, role: str) -> None:
        rng, clock = self.rng, self.clock
        face_to_face = rng.random() < 0.25
        booked_ahead = rng.random() < 0.8  # otherwise interviewed on the first call that got through
        early = self.early(first, rng.choice((0, 1, 1, 2, 2, 3) if booked_ahead else (0, 1, 2)))
        arranged = self.attempt("Interview arranged", first, channel="phone" if rng.random() < 0.8 else "email")
        done = self.attempt("Interview done", first, channel="visit" if face_to_face else "phone")
        minutes = rng.choice((25, 35, 45, 60))
        interviewer = rng.choices([n for n, _ in INTERVIEWERS], weights=[w for _, w in INTERVIEWERS])[0]

        day = clock.choice(_weekdays(self.start + dt.timedelta(days=5), self.today - dt.timedelta(days=1)))
        when = _moment(clock, day, 9 * 60 + 30, 16 * 60)
        if booked_ahead:
            booked = clock.choice(_weekdays(max(self.start, day - dt.timedelta(days=10)),
                                            day - dt.timedelta(days=1)))
            self.log_on_days(org_id, early, self.start, booked - dt.timedelta(days=1))
            self.log(org_id, arranged, booked, callback=when)
        else:
            self.log_on_days(org_id, early, self.start, day - dt.timedelta(days=1))
        self.log(org_id, done, when + dt.timedelta(minutes=minutes))

        contact_id = self.study.organisations.contacts(org_id)[0].id
        session = self.study.interviews.start(org_id, mode="face_to_face" if face_to_face else "phone",
                                              interviewer=interviewer, date=day, contact_id=contact_id,
                                              started=when)
        # One in ten is cut short after the named sections (so no "full interview" tick);
        # a few of those are not even marked complete yet.
        sections = self.template.sections
        cut_short = rng.random() < 0.1
        state: dict[str, Any] = {"role": role}
        for section in sections[:3] if cut_short else sections:
            for question in section.questions:
                value = self.answer(question.id, plan, state)
                if value is not None:
                    session.save_answer(question.id, value)
        if not cut_short or rng.random() < 0.7:
            session.complete(at=when + dt.timedelta(minutes=minutes))
        session.close()

    def contacting(self, org_id: int, first: str) -> None:
        """Still being contacted: the latest attempt leaves a call-back overdue, due today,
        due later, or (now and then) none at all."""
        rng, clock, today = self.rng, self.clock, self.today
        order = ("today", "overdue", "upcoming")
        if self.callback_turn < len(order):
            bucket = order[self.callback_turn]
        else:
            bucket = rng.choice(("overdue", "today", "upcoming", "upcoming", "none"))
        self.callback_turn += 1
        last_outcomes = {
            "overdue": ("Call back requested", "Left a message", "Contact away (illness or holiday)"),
            "today": ("Call back requested", "Call back requested", "Interview arranged"),
            "upcoming": ("Call back requested", "Interview arranged", "Contact away (illness or holiday)"),
            "none": ("Left a message", "Email sent", "No answer"),
        }[bucket]
        early = self.early(first, rng.randint(0, 3))
        last = self.attempt(rng.choice(last_outcomes), first)

        yesterday = today - dt.timedelta(days=1)
        due: dt.date | None
        if bucket == "overdue":
            due = clock.choice(_weekdays(today - dt.timedelta(days=8), yesterday))
            last_day = clock.choice(_weekdays(due - dt.timedelta(days=7), due - dt.timedelta(days=1)))
        elif bucket == "upcoming":
            due = clock.choice(_weekdays(today + dt.timedelta(days=1), today + dt.timedelta(days=12)))
            last_day = clock.choice(_weekdays(today - dt.timedelta(days=6), yesterday))
        else:
            due = today if bucket == "today" else None
            last_day = clock.choice(_weekdays(today - dt.timedelta(days=7), yesterday))
        self.log_on_days(org_id, early, self.start, last_day - dt.timedelta(days=1))
        callback = _moment(clock, due, 10 * 60, 16 * 60) if due else None
        self.log(org_id, last, last_day, callback=callback)

    def unreachable(self, org_id: int, first: str, count: int) -> None:
        rng = self.rng
        outcomes = ("No answer", "No answer", "Line busy", "Left a message", "No way to leave a message",
                    "Email sent", "Contact away (illness or holiday)", "Post vacant", "Wrong or disconnected number")
        attempts = []
        for k in range(count):
            if k == 0 and rng.random() < 0.2:
                attempts.append(self.attempt("No answer", first, channel="letter",
                                             note="Introductory letter posted; no reply."))
            elif rng.random() < 0.05:
                attempts.append(self.attempt("No answer", first, channel="visit",
                                             note="Called at the centre; nobody there."))
            else:
                attempts.append(self.attempt(rng.choice(outcomes), first))
        self.log_on_days(org_id, attempts, self.start, self.today - dt.timedelta(days=2))

    def declined(self, org_id: int, first: str) -> None:
        attempts = self.early(first, self.rng.randint(0, 2))
        if self.rng.random() < 0.5 and "Not now (soft refusal)" in self.template.outcomes:
            attempts.append(self.attempt("Not now (soft refusal)", first))  # asked again a week on
        attempts.append(self.attempt("Declined", first))
        self.log_on_days(org_id, attempts, self.start, self.today - dt.timedelta(days=2))

    def screened(self, org_id: int, plan: _Plan, first: str) -> None:
        """The attempt through which the researcher learnt the organisation does not qualify."""
        reason = plan.exclusion_reason
        if reason in ("Closed down", "Merged into another organisation"):
            what = self.attempt("Wrong or disconnected number", first, note="Number no longer in use.")
        elif reason == "Outside the region":
            what = self.attempt("Email sent", first,
                                note="Emailed the screening questions; their work is outside the region.")
        else:
            what = self.attempt("Email sent", first,
                                note="Emailed the screening questions; the reply shows it does not qualify.")
        self.log(org_id, what, self.clock.choice(_weekdays(self.start, self.today - dt.timedelta(days=2))))

    # --- answers ------------------------------------------------------------------------

    def answer(self, qid: str, plan: _Plan, state: dict[str, Any]) -> Any:
        """A plausible answer to question ``qid`` for this organisation, or None to skip it."""
        rng = self.rng
        community = COMMUNITIES[plan.community]
        category, area = plan.category, plan.area
        staff_range = {ACCESS_POINT: (0, 3), BME_NETWORK: (0, 4), GENERAL_NETWORK: (0, 3),
                       BME_INFRA: (1, 12), GENERAL_INFRA: (4, 35)}[category]
        if qid == "a1":
            return state["role"]
        if qid == "a2":
            if rng.random() < 0.1:
                return None
            low, high = community.founded
            return rng.randint(low, min(high, self.today.year - 1))
        if qid == "a3":
            chosen = set(community.choices)
            if plan.community == "multi":
                chosen = set(rng.sample(("African", "African Caribbean", "Bangladeshi", "Indian", "Pakistani",
                                         "Kashmiri", "Somali", "Chinese", "Eastern European",
                                         "Refugees and people seeking asylum", "People of mixed heritage"),
                                        rng.randint(3, 6)))
            elif plan.community != "general" and rng.random() < 0.25:
                chosen.add(rng.choice(("Refugees and people seeking asylum", "People of mixed heritage",
                                       "All communities")))
            if plan.community != "general" and not community.other and rng.random() < 0.15:
                chosen.add("Other")
                state["other"] = rng.choice(OTHER_COMMUNITIES)
            state["a3"] = chosen
            return sorted(chosen)
        if qid == "a4":
            if "Other" not in state.get("a3", ()):
                return None
            return community.other or state.get("other")
        if qid == "a5":
            scope = _scope(area)
            if scope == "national":
                return "England or the UK"
            if scope == "regional":
                return rng.choice(("The whole region",) * 3
                                  + ("Several cities or counties in the region",))
            if category == ACCESS_POINT:
                if area in CITY_AREAS:
                    return rng.choice(("A neighbourhood or ward", "A neighbourhood or ward", "A town or city"))
                return rng.choice(("A town or city", "A neighbourhood or ward"))
            if area in CITY_AREAS:
                return rng.choice(("A town or city",) * 4 + ("Several cities or counties in the region",))
            return rng.choice(("A county",) * 3 + ("A town or city",))
        if qid == "a6":
            staff = rng.randint(*staff_range)
            return staff + (rng.randint(5, 40) if _scope(area) == "national" else 0)
        if qid == "a7":
            return rng.randint(3, 40) if category == ACCESS_POINT else rng.randint(5, 150)
        if qid == "a8":
            if rng.random() < 0.08:
                return "Prefer not to say"
            bands = ("Under £10,000", "£10,000 to £49,999", "£50,000 to £99,999", "£100,000 to £249,999",
                     "£250,000 to £999,999", "£1 million or more")
            level = {ACCESS_POINT: 0, BME_NETWORK: 1, GENERAL_NETWORK: 1, BME_INFRA: 2, GENERAL_INFRA: 4}[category]
            level += rng.choice((-1, 0, 0, 1)) + (1 if _scope(area) == "national" else 0)
            return bands[max(0, min(len(bands) - 1, level))]
        if qid == "b1":
            return " ".join(rng.sample(OWN_BARRIERS, rng.choice((1, 2, 2, 3))))
        if qid in ("b2", "b3", "b4"):
            weights = {"b2": (1, 2, 4, 8), "b3": (2, 4, 4, 3), "b4": (2, 3, 4, 4)}[qid]
            return rng.choices(("Not at all", "A little", "Somewhat", "Very much"), weights=weights)[0]
        if qid == "b5":
            return rng.random() < (0.65 if category == GENERAL_INFRA else 0.35)
        if qid == "b6":
            return rng.random() < 0.55
        if qid == "b7":
            choices = [c for c in self.template.question("b7").choices if c != "Other"]
            picked = rng.sample(choices, rng.randint(1, 4))
            if rng.random() < 0.05:
                picked.append("Other")
            return picked
        if qid == "b8":
            return " ".join(rng.sample(OWN_NEEDS, rng.choice((1, 1, 2))))
        if qid == "c1":
            weights = {GENERAL_INFRA: (5, 15, 45, 35), BME_INFRA: (10, 35, 40, 15),
                       ACCESS_POINT: (35, 40, 20, 5)}.get(category, (15, 35, 35, 15))
            state["informed"] = rng.choices(range(4), weights=weights)[0]
            return self.template.question("c1").choices[state["informed"]]
        if qid == "c2":
            state["board"] = rng.random() < (0.05, 0.2, 0.5, 0.8)[state.get("informed", 1)]
            return state["board"]
        if qid == "c3":
            if rng.random() < 0.15:
                return None
            pool = PARTNERSHIPS_ON_BOARD if state.get("board") else PARTNERSHIPS_OFF_BOARD
            where = area if _scope(area) == "local" else "West Midlands"
            return rng.choice(pool).format(area=where)
        if qid == "c4":
            return None if rng.random() < 0.2 else " ".join(rng.sample(PARTNERSHIPS_HELP, rng.choice((1, 1, 2))))
        if qid in SECTOR_QUOTES:
            if rng.random() >= ANSWER_SHARE[qid]:
                return None
            return self.quote(qid)
        if qid == "d2":
            if rng.random() >= ANSWER_SHARE[qid]:
                return None
            return rng.choices(self.template.question("d2").choices, weights=(3, 5, 3, 1))[0]
        if qid == "e1":
            return rng.random() < 0.45
        if qid == "e2":
            state["listed"] = rng.random() < 0.75
            return state["listed"]
        if qid in LISTING_SHARE:  # what the directory may print: a stream of its own, so adding
            if not state.get("listed"):  # these questions left every other answer as it was
                return None
            listing = random.Random(f"fieldkit demo listing {plan.name} {qid}")
            return listing.random() < LISTING_SHARE[qid]
        if qid == "e3":
            return rng.choice(ANYTHING_ELSE) if rng.random() < 0.3 else None
        return None  # a question this demo does not know (a newer template)

    def quote(self, qid: str) -> str:
        """One or two of the sector quotations, now and then with an opener or a closing
        remark; the same words twice only once the combinations run out."""
        rng = self.rng
        for _ in range(10):
            parts = rng.sample(SECTOR_QUOTES[qid], 1 if rng.random() < 0.65 else 2)
            first = parts[0]
            if rng.random() < 0.15 and not first.split()[0].isupper() and not first.startswith(("I ", "I'")):
                parts[0] = rng.choice(OPENERS) + first[0].lower() + first[1:]
            if rng.random() < 0.15:
                parts.append(rng.choice(CLOSERS))
            text = " ".join(parts)
            if text not in self.quotes:
                break
        self.quotes.add(text)
        return text


def build_demo(
    path: str | os.PathLike,
    *,
    seed: int = 2026,
    organisations: int = 60,
    today: dt.date | None = None,
) -> Study:
    """Create a made-up mapping study at ``path`` and return it open.

    Refuses to overwrite an existing file. The study is built under a temporary name beside
    ``path`` and renamed into place when complete, so an interrupted build leaves nothing
    that looks like a finished demo.
    """
    if isinstance(organisations, bool) or not isinstance(organisations, int) or organisations < 1:
        raise InvalidValueError("a demo study needs at least one organisation")
    today = today or dt.date.today()
    path = Path(path)
    if path.suffix != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    if path.exists():
        raise StudyFileError(f"{path}: a file with that name already exists")

    template = find_template(TEMPLATE_NAME).with_values("areas", AREAS)

    rng = random.Random(seed)
    clock = random.Random(f"fieldkit demo times {seed}")
    plans = _make_plan(rng, organisations, template)

    building = path.with_name(f".{path.stem}.building{SUFFIX}")
    _remove(building)
    study = Study.create(building, template, title=TITLE, client=CLIENT, author=AUTHOR)
    try:
        builder = _Builder(study, rng, clock, plans, today)
        with study.transaction():
            for index in range(len(plans)):
                builder.add(index)
        study.close()
        move_into_place(building, path)
    except BaseException:
        study.close()
        _remove(building)
        raise
    return Study.open(path)


def _remove(path: Path) -> None:
    for p in with_sidecars(path):
        p.unlink(missing_ok=True)
