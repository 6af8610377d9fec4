"""The people of a demo study and how to reach them: contacts and the organisations' details.

Contacts get names from their community (now and then in its own script, with the English
spelling in a note), a role, a mobile and an e-mail address; organisations get coverage, an
address, a landline, an e-mail address and a website. All of it is invented: phone numbers
come from Ofcom's ranges reserved for drama (0121 496 0xxx, 01632 960xxx, 0306 999 0xxx,
07700 900xxx) and e-mail addresses are at example.org.
"""

from __future__ import annotations

import random
import re
from typing import Any

from fieldkit.demo.data import (
    ACCESS_POINT,
    CITY_AREAS,
    COMMUNITIES,
    CONTACT_NOTES,
    NATIVE_SCRIPT_SHARE,
    PEOPLE,
    PREMISES,
    STREETS,
)
from fieldkit.demo.plan import _Plan, _scope
from fieldkit.search import normalise


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
