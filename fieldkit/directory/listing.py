"""The study's side of the shared directory: what each organisation agreed to have listed.

An organisation is listed while its "Permission to list" flag (``permission_to_list``) is
ticked and it is on the database (not excluded), and then only its name and the details it
agreed to (``fieldkit.directory.FIELDS``), as recorded here (``set_listing``). With nothing
recorded, what the study's own detail flags say is used (``list_phone``, ``list_email``,
``list_address``, ``list_website``, ``list_contact``: what the client report's directory
prints, fieldkit.reports.directory), and otherwise the name alone. ``outgoing`` is exactly
what a publish sends: never a contact without agreement, and nothing from attempts,
interviews, answers or the pool, which this module never reads.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldkit.directory import FIELD_NAMES
from fieldkit.errors import InvalidValueError

if TYPE_CHECKING:
    from fieldkit.study import Study

PERMISSION = "permission_to_list"
#: The study's detail flags and the directory field each agrees to.
DETAIL_FLAGS = {"list_phone": "phone", "list_email": "email", "list_address": "address",
                "list_website": "website", "list_contact": "contact"}
#: The organisation's own columns a field is read from (the rest: the listing row, or worked out).
ORGANISATION_COLUMNS = ("category", "area", "coverage", "address", "website", "email", "phone")
IDENTIFIERS = ("charity_number", "company_number", "postcode")
#: What the change log calls each change to a listing (fieldkit check knows them as fields of a named record).
CHANGES = {"fields": "listed details", "charity_number": "charity number", "company_number": "company number",
           "postcode": "postcode"}
#: A UK postcode within an address ("York YO1 7HH").
UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b")


@dataclass(frozen=True)
class Origin:
    """Where a pulled organisation came from."""

    directory: str
    owner: str
    record_id: str
    changed: str
    withdrawn: str | None = None


@dataclass(frozen=True)
class Listing:
    """An organisation's directory listing as the study records it."""

    organisation_id: int
    permitted: bool  # "Permission to list" ticked
    fields: tuple[str, ...]  # the details agreed to, in FIELDS order (the name is always listed)
    recorded: bool  # fields set with set_listing (else worked out from the detail flags)
    record_id: str | None = None
    charity_number: str | None = None
    company_number: str | None = None
    postcode: str | None = None
    published: str | None = None
    published_to: str | None = None
    origin: Origin | None = None


@dataclass(frozen=True)
class Outgoing:
    """One record as a publish sends it: its id (None: new, given one when published), the
    name and each agreed detail that has a value (``fields``: every detail agreed to)."""

    organisation_id: int
    record_id: str | None
    name: str
    values: dict[str, str]
    fields: tuple[str, ...] = ()


def _order(fields: set[str]) -> tuple[str, ...]:
    return tuple(f for f in FIELD_NAMES if f in fields)


def default_fields(flags: frozenset[str] | set[str]) -> tuple[str, ...]:
    """The details the study's own detail flags agree to (list_phone, ...)."""
    return _order({field for flag, field in DETAIL_FLAGS.items() if flag in flags})


def _row(study: Study, org_id: int) -> dict[str, Any] | None:
    rows = study.query("SELECT * FROM listing WHERE organisation_id = ?", (org_id,))
    return rows[0] if rows else None


def listing(study: Study, org_id: int) -> Listing:
    """What ``org_id`` agreed to have listed, its identifiers and where it came from."""
    org = study.organisations.get(org_id)
    row = _row(study, org_id)
    origin_rows = study.query("SELECT directory, owner, record_id, changed, withdrawn FROM listing_origin "
                              "WHERE organisation_id = ?", (org_id,))
    origin = Origin(**origin_rows[0]) if origin_rows else None
    fields = _order(set(json.loads(row["fields"]))) if row else default_fields(org.flags)
    extra = {k: row[k] for k in ("record_id", *IDENTIFIERS, "published", "published_to")} if row else {}
    return Listing(org_id, PERMISSION in org.flags, fields, row is not None, origin=origin, **extra)


_KEEP: Any = object()


def set_listing(study: Study, org_id: int, *, fields: tuple[str, ...] | list[str] | None = _KEEP,
                charity_number: str | None = _KEEP, company_number: str | None = _KEEP,
                postcode: str | None = _KEEP) -> None:
    """Record which details ``org_id`` agreed to have listed (``fields``, of
    fieldkit.directory.FIELDS) and its charity and company numbers and postcode; arguments
    not given stay as they are. Ticking "Permission to list" stays the flag's
    (Organisations.set_flag, which logs it): without it nothing is listed."""
    from fieldkit.directory.server import number_key, postcode_key

    before = listing(study, org_id)
    new: dict[str, Any] = {}
    if fields is not _KEEP:
        chosen = set(fields or ())
        unknown = sorted(chosen - set(FIELD_NAMES))
        if unknown:
            raise InvalidValueError(f"cannot list {', '.join(unknown)}: the details a directory lists are "
                                    f"{', '.join(FIELD_NAMES)}")
        new["fields"] = _order(chosen)
    for key, value, norm in (("charity_number", charity_number, number_key),
                             ("company_number", company_number, number_key), ("postcode", postcode, postcode_key)):
        if value is not _KEEP:
            new[key] = norm(value.strip() if isinstance(value, str) else None)
    if not new:
        return
    from fieldkit.study import now

    stamp = now()
    with study.transaction():
        if _row(study, org_id) is None:
            study.conn.execute("INSERT INTO listing(organisation_id, record_id, fields) VALUES (?, ?, ?)",
                               (org_id, str(uuid.uuid4()), json.dumps(list(before.fields))))
        for key, value in new.items():
            stored = json.dumps(list(value)) if key == "fields" else value
            study.conn.execute(f"UPDATE listing SET {key} = ? WHERE organisation_id = ?", (stored, org_id))
            # In the change log as any edit of the record is: consent given or taken back, and when.
            old = ", ".join(before.fields) if key == "fields" else getattr(before, key)
            shown = ", ".join(value) if key == "fields" else value
            study.organisations.log_change(org_id, CHANGES[key], old or None, shown or None, stamp)


def _contact_names(study: Study, ids: list[int]) -> dict[int, str]:
    """Each organisation's first named contact (what "Contact's name" lists)."""
    names: dict[int, str] = {}
    for r in study.query("SELECT organisation_id, name FROM contacts WHERE trim(name) <> '' ORDER BY id DESC"):
        names[r["organisation_id"]] = r["name"]
    return {i: names[i] for i in ids if i in names}


def found_postcode(address: str | None) -> str | None:
    """The UK postcode written in an address, if there is one."""
    match = UK_POSTCODE.search((address or "").upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


def outgoing(study: Study) -> list[Outgoing]:
    """Every record a publish of this study sends, in the organisation list's order: listed
    organisations only, each with its name and only the details it agreed to."""
    from fieldkit.directory.server import postcode_key

    ids = study.organisations.ids(flags=(PERMISSION,))
    orgs = [o for o in study.organisations.many(ids) if o.status != "excluded"]
    rows = {r["organisation_id"]: r for r in study.query("SELECT * FROM listing")}
    people = _contact_names(study, [o.id for o in orgs])
    out = []
    for org in orgs:
        row = rows.get(org.id)
        agreed = set(json.loads(row["fields"])) if row else set(default_fields(org.flags))
        values: dict[str, str] = {}
        for field in FIELD_NAMES:
            if field not in agreed:
                continue
            value: str | None
            if field in ORGANISATION_COLUMNS:
                value = getattr(org, field)
            elif field == "contact":
                value = people.get(org.id)
            elif field == "postcode":
                value = (row["postcode"] if row else None) or found_postcode(org.address)
                value = postcode_key(value)
            else:
                value = row[field] if row else None
            if value is not None and str(value).strip():
                values[field] = " ".join(str(value).split()) if field != "address" else str(value).strip()
        out.append(Outgoing(org.id, row["record_id"] if row else None, org.name, values, _order(agreed)))
    return out


def published_ids(study: Study) -> dict[int, str]:
    """Record ids of this study's organisations published before, by organisation id."""
    return {r["organisation_id"]: r["record_id"] for r in study.query(
        "SELECT organisation_id, record_id FROM listing WHERE published IS NOT NULL")}


def source_id(study: Study) -> str:
    """The study's id as the directory knows it (a UUID of its ``study_uid``): which records
    came from this study, so a publish takes back what the study no longer lists."""
    uid = study.meta("study_uid")
    if not uid:
        raise InvalidValueError(f"{study.path}: the study has no id to publish under (open it once to update it)")
    return str(uuid.UUID(hex=uid[:32].ljust(32, "0")))
