"""Every phone number and email address of an organisation and its contacts.

The first phone and email of an organisation (and of each contact) stay in its record, where
the directory, the exports and search read them; further ones are kept here. A number found
wrong is struck through, not deleted: it stays listed so nobody dials it again or types it
back in, and the attempts that tried it still say so. Striking through the first one moves
the next working one into its place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fieldkit.errors import InvalidValueError, NotFoundError

if TYPE_CHECKING:
    from fieldkit.study import Study

KINDS = ("phone", "email")
#: What the change log records of a number: "phone added", "email wrong", ... (fieldkit check knows them).
CHANGES = tuple(f"{kind} {what}" for kind in KINDS for what in ("added", "removed", "wrong", "working again"))


@dataclass(frozen=True)
class Number:
    """One phone number or email address, and whose it is."""

    #: Its row here; None for the first one, kept in the organisation's or contact's record.
    id: int | None
    organisation_id: int
    contact_id: int | None
    kind: str
    value: str
    label: str | None = None
    wrong: bool = False

    @property
    def main(self) -> bool:
        return self.id is None


class Numbers:
    def __init__(self, study: Study):
        self.study = study

    def _check(self, kind: str, value: str) -> str:
        if kind not in KINDS:
            raise InvalidValueError(f"unknown kind of number '{kind}' (expected phone or email)")
        if not isinstance(value, str) or not value.strip():
            raise InvalidValueError(f"a {'phone number' if kind == 'phone' else 'email address'} cannot be empty")
        if kind == "email" and "@" not in value:
            raise InvalidValueError(f"'{value.strip()}' is not an email address")
        if kind == "phone":  # E.164 when valid, as the record's own numbers (fieldkit.contact_details)
            from fieldkit.contact_details import stored_phone

            return stored_phone(value.strip(), self.study.country) or value.strip()
        return value.strip()

    def _owner(self, org_id: int, contact_id: int | None) -> None:
        self.study.organisations.get(org_id)
        if contact_id is not None and self.study.organisations.contact(contact_id).organisation_id != org_id:
            raise InvalidValueError(f"contact {contact_id} is not at organisation {org_id}")

    def for_organisation(self, org_id: int) -> list[Number]:
        """The organisation's numbers, then each contact's: for each owner the first phone,
        the first email, then the rest in the order added (struck-through ones included)."""
        org = self.study.organisations.get(org_id)
        extra = [Number(r["id"], org_id, r["contact_id"], r["kind"], r["value"], r["label"], bool(r["wrong"]))
                 for r in self.study.query("SELECT * FROM numbers WHERE organisation_id = ? ORDER BY id",
                                           (org_id,))]
        owners: list[tuple[int | None, str | None, str | None]] = [(None, org.phone, org.email)]
        owners += [(c.id, c.phone, c.email) for c in self.study.organisations.contacts(org_id)]
        out: list[Number] = []
        for contact_id, phone, email in owners:
            for kind, value in (("phone", phone), ("email", email)):
                if value:
                    out.append(Number(None, org_id, contact_id, kind, value))
            out += [n for n in extra if n.contact_id == contact_id]
        return out

    def working(self, org_id: int, kind: str = "phone") -> list[Number]:
        """The numbers (or addresses) not struck through, the organisation's own first."""
        return [n for n in self.for_organisation(org_id) if n.kind == kind and not n.wrong]

    def add(self, org_id: int, kind: str, value: str, *, contact_id: int | None = None,
            label: str | None = None) -> int | None:
        """Add a number; it becomes the first one when its owner has none. Returns its row id
        (None when it went into the record as the first)."""
        from fieldkit.study import now

        value = self._check(kind, value)
        self._owner(org_id, contact_id)
        if any(n.value == value and n.kind == kind and n.contact_id == contact_id
               for n in self.for_organisation(org_id)):
            raise InvalidValueError(f"'{value}' is already listed")
        with self.study.transaction():
            if self._main_value(org_id, contact_id, kind) is None:
                self._set_main(org_id, contact_id, kind, value)
                return None
            number_id = self.study.db.table("numbers").insert({
                "organisation_id": org_id, "contact_id": contact_id, "kind": kind, "value": value,
                "label": (label or "").strip() or None, "wrong": 0}).last_pk
            self._log(org_id, contact_id, f"{kind} added", None, value, now())
            self.study.search.index_organisation(org_id)
        return number_id

    def mark_wrong(self, number: Number, wrong: bool = True) -> None:
        """Strike a number through (or bring it back). Striking through the first one moves it
        here and puts the next working one of the same kind in its place."""
        from fieldkit.study import now

        stamp = now()
        with self.study.transaction():
            if number.main:
                if not wrong:
                    return
                current = self._main_value(number.organisation_id, number.contact_id, number.kind)
                if current != number.value:
                    raise NotFoundError(f"'{number.value}' is no longer the first {number.kind}")
                nxt = next((n for n in self.for_organisation(number.organisation_id)
                            if n.id is not None and n.kind == number.kind and n.contact_id == number.contact_id
                            and not n.wrong), None)
                self.study.db.table("numbers").insert({
                    "organisation_id": number.organisation_id, "contact_id": number.contact_id,
                    "kind": number.kind, "value": number.value, "label": None, "wrong": 1})
                if nxt is not None:
                    self.study.conn.execute("DELETE FROM numbers WHERE id = ?", (nxt.id,))
                self._set_main(number.organisation_id, number.contact_id, number.kind,
                               None if nxt is None else nxt.value)
            else:
                self._row(number.id)
                self.study.conn.execute("UPDATE numbers SET wrong = ? WHERE id = ?", (int(wrong), number.id))
            self._log(number.organisation_id, number.contact_id,
                      f"{number.kind} {'wrong' if wrong else 'working again'}", None, number.value, stamp)

    def remove(self, number_id: int) -> None:
        """Remove a further number (one typed by mistake; a wrong one is struck through instead)."""
        from fieldkit.study import now

        row = self._row(number_id)
        with self.study.transaction():
            self.study.conn.execute("DELETE FROM numbers WHERE id = ?", (number_id,))
            self._log(row["organisation_id"], row["contact_id"], f"{row['kind']} removed", row["value"], None, now())
            self.study.search.index_organisation(row["organisation_id"])

    def _row(self, number_id: int | None) -> dict:
        rows = self.study.query("SELECT * FROM numbers WHERE id = ?", (number_id,))
        if not rows:
            raise NotFoundError(f"no number with id {number_id}")
        return rows[0]

    def _main_value(self, org_id: int, contact_id: int | None, kind: str) -> str | None:
        if contact_id is None:
            return getattr(self.study.organisations.get(org_id), kind)
        return getattr(self.study.organisations.contact(contact_id), kind)

    def _set_main(self, org_id: int, contact_id: int | None, kind: str, value: str | None) -> None:
        if contact_id is None:
            self.study.organisations.update(org_id, **{kind: value})
        else:
            self.study.organisations.update_contact(contact_id, **{kind: value})

    def _log(self, org_id: int, contact_id: int | None, field: str, old: str | None, new: str | None,
             at: str) -> None:
        self.study.organisations._log(org_id, "contact" if contact_id is not None else "organisation",
                                      contact_id, field, old, new, at)
