"""The directory of the client report: the organisations that gave permission to be listed, with
the contact details each agreed to have listed.

An organisation is listed when its "Permission to list" flag is ticked (``permission_to_list``,
which the interview's "May we list your organisation?" ticks) and it is on the database. Each
detail is printed only when its own flag is ticked too (``DETAILS``: the shipped regional mapping
template asks a yes/no question for each, asked only after a yes to the listing question):

- ``list_contact``: the name of the organisation's main contact (the contact named on its latest
  interview that names one, else its first contact);
- ``list_phone`` and ``list_email``: the organisation's own phone number and email address, or,
  when it has none and its contact is named, the main contact's;
- ``list_address`` and ``list_website``: the organisation's address and website.

Names of people are printed only when the researcher asks for them (``include_person``: "name
the person interviewed"), and then, in a study whose flags include ``list_contact``, only where
the organisation agreed: the person is the ``person`` of the entry and its "Contact" detail.

A detail agreed to but not recorded is left out. Entries come grouped by area in the order of the
study's areas (``study.template.areas``), areas outside that list after them in alphabetical
order and "Not recorded" last, each area's organisations by name, in the order the organisation
list has (fieldkit.collation) (``by_area`` gives the groups a renderer prints, each area once as a
heading).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from fieldkit import collation
from fieldkit.contact_details import display_phone
from fieldkit.summary import NOT_RECORDED

if TYPE_CHECKING:
    from fieldkit.study import Study

#: The details an organisation may agree to have listed: (flag, label as printed), in print order.
DETAILS = (
    ("list_contact", "Contact"),
    ("list_phone", "Phone"),
    ("list_email", "Email"),
    ("list_address", "Address"),
    ("list_website", "Website"),
)


class DirectoryEntry(NamedTuple):
    area: str
    name: str
    person: str | None
    #: (label, value) of each detail the organisation agreed to have listed, in ``DETAILS`` order.
    details: tuple[tuple[str, str], ...] = ()


def sort_key(text: str) -> str:
    """Alphabetical order that ignores case and accents (Łódź sorts with L, Ülker with U)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ı", "i")


def area_order(areas: Sequence[str]):
    """A sort key for areas: those of ``areas`` (the study's vocabulary) in its order, then any
    other alphabetically, "Not recorded" last."""
    place = {a: i for i, a in enumerate(areas)}

    def key(area: str) -> tuple:
        if area == NOT_RECORDED and area not in place:
            return (2, 0, "", area)
        if area in place:
            return (0, place[area], "", area)
        return (1, 0, sort_key(area), area)

    return key


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def directory(study: Study, include_person: bool) -> tuple[DirectoryEntry, ...]:
    """Organisations on the database (not excluded) whose permission to list is ticked, each with
    the details it agreed to have listed, grouped by area in the study's order, then by name."""
    listed = study.query(
        """SELECT o.id, o.name, o.area, o.phone, o.email, o.address, o.website FROM organisations o
           WHERE o.status <> 'excluded'
             AND o.id IN (SELECT organisation_id FROM flags WHERE flag = 'permission_to_list')""")
    agreed: dict[int, set[str]] = {}
    contacts: dict[int, dict] = {}
    if listed:
        wanted = tuple(flag for flag, _ in DETAILS)
        for r in study.query(f"SELECT organisation_id, flag FROM flags WHERE flag IN ({','.join('?' * len(wanted))})",
                             wanted):
            agreed.setdefault(r["organisation_id"], set()).add(r["flag"])
        # The main contact: the first contact of each organisation, overridden by the contact
        # named on its latest interview that names one.
        for r in study.query("SELECT organisation_id, name, phone, email FROM contacts WHERE trim(name) <> '' "
                             "ORDER BY id DESC"):
            contacts[r["organisation_id"]] = r
        for r in study.query(
                """SELECT i.organisation_id, c.name, c.phone, c.email FROM interviews i
                   JOIN contacts c ON c.id = i.contact_id
                   WHERE trim(c.name) <> '' ORDER BY i.date, i.id"""):
            contacts[r["organisation_id"]] = r
    asks_contact = "list_contact" in study.template.flag_ids()
    country = study.country
    entries = []
    for r in listed:
        contact = contacts.get(r["id"])
        flags = agreed.get(r["id"], set())
        named = (include_person and contact is not None and bool(_text(contact["name"]))
                 and ("list_contact" in flags or not asks_contact))
        shown = contact if named else None  # the contact the directory may name
        details = []
        for flag, label in DETAILS:
            if flag not in flags:
                continue
            if flag == "list_contact":
                value = _text(shown["name"]) if shown is not None else ""
            elif flag in ("list_phone", "list_email"):
                column = "phone" if flag == "list_phone" else "email"
                value = _text(r[column]) or (_text(shown[column]) if shown is not None else "")
                if flag == "list_phone":  # stored in E.164 when valid: printed as it is dialled
                    value = display_phone(value, country)
            else:
                value = _text(r["address" if flag == "list_address" else "website"])
            if value:
                details.append((label, value))
        person = _text(shown["name"]) if shown is not None else None
        entries.append(DirectoryEntry(r["area"] or NOT_RECORDED, r["name"], person, tuple(details)))
    order = area_order(study.template.areas)
    entries.sort(key=lambda e: (order(e.area), collation.sort_key(e.name), e.name))
    return tuple(entries)


def by_area(entries: Sequence[DirectoryEntry]) -> list[tuple[str, list[DirectoryEntry]]]:
    """The entries (in ``directory``'s order) as (area, its entries): each area once."""
    groups: list[tuple[str, list[DirectoryEntry]]] = []
    for e in entries:
        if not groups or groups[-1][0] != e.area:
            groups.append((e.area, []))
        groups[-1][1].append(e)
    return groups
