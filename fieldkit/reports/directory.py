"""The directory of the client report: the organisations that gave permission to be listed."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, NamedTuple

from fieldkit.summary import NOT_RECORDED

if TYPE_CHECKING:
    from fieldkit.study import Study


class DirectoryEntry(NamedTuple):
    area: str
    name: str
    person: str | None


def sort_key(text: str) -> str:
    """Alphabetical order that ignores case and accents (Łódź sorts with L, Ülker with U)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ı", "i")


def directory(study: Study, include_person: bool) -> tuple[DirectoryEntry, ...]:
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
