"""The demo's made-up data: places, communities and names, organisations, and what people said.

Read once from ``resources/demo/*.toml`` (arrays become tuples: the data is read, never
changed) and named here for the rest of the demo to draw from, with the few shares that
say how often an answer is given.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.templates import shipped_dir


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

#: How often an organisation that may be listed agrees to each detail of its entry (contact's
#: name, phone, email, address, website: forms/regional-mapping.toml, questions e2a to e2e).
LISTING_SHARE = {"e2a": 0.6, "e2b": 0.85, "e2c": 0.7, "e2d": 0.5, "e2e": 0.9}

# --- attempts and notes ("" in the file: an attempt with no note)

ATTEMPT_NOTES: dict[str, tuple[str | None, ...]] = {
    outcome: tuple(note or None for note in notes) for outcome, notes in _TEXTS["attempt_notes"].items()}
STATUS_NOTES: dict[str, tuple[str, ...]] = _TEXTS["status_notes"]
