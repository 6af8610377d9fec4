"""Telling whether two organisation records are the same organisation: names, phone numbers,
e-mail addresses and postcodes compared the way a researcher would compare them.

    name_key("The Leeds Advice Centre Ltd.")  == name_key("leeds advice centre")
    phone_key("+44 (0)113 245 0000")          == phone_key("0113 2450000")
    Matcher(study).matches(name=..., phone=..., email=..., address=...)  -> [Match, ...]

Used to flag possible duplicates when organisations are imported and to match imported
interviews and attempts to organisations by name. A match is only ever a suggestion: the
user decides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fieldkit.study import Study

#: Words that say what legal form an organisation takes, not which one it is.
_LEGAL_FORMS = (
    "limited", "ltd", "plc", "llp", "llc", "inc", "incorporated", "cic", "cio", "scio",
    "community interest company", "charitable incorporated organisation",
    "company limited by guarantee", "the",
)
_LEGAL = re.compile(r"\b(?:" + "|".join(sorted((re.escape(w) for w in _LEGAL_FORMS), key=len, reverse=True))
                    + r")\b")
#: A UK postcode (the usual shapes, with or without the space).
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)
_DROPPED = str.maketrans("", "", "'\u2019`.")  # St Mary's = St Marys, C.V.S. = CVS
_PUNCTUATION = re.compile(r"[^\w\s]")
_NOT_DIGIT = re.compile(r"\D")


def name_key(name: str) -> str:
    """A name with case, accents, punctuation, "&"/"and" and legal forms ("Ltd", "CIC", "The")
    set aside. Empty when nothing is left (a name that is only "Ltd")."""
    if name.isascii():  # nothing to decompose (the common case, and a quick one)
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKD", name).casefold()
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("&", " and ").translate(_DROPPED)
    text = _LEGAL.sub(" ", _PUNCTUATION.sub(" ", text))
    return " ".join(text.split())


def phone_key(phone: str) -> str:
    """A phone number as its digits, a UK number written internationally (+44, 0044, with or
    without "(0)") written as dialled at home. Empty for fewer than 6 digits."""
    text = phone.replace("(0)", "")
    digits = _NOT_DIGIT.sub("", text)
    if text.strip().startswith("+"):
        digits = "00" + digits
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits if len(digits) >= 6 else ""


def email_key(email: str) -> str:
    return email.strip().casefold()


def postcode_key(address: str) -> str:
    """The UK postcode in an address, upper case without its space; empty when there is none."""
    found = _POSTCODE.findall(address or "")
    if not found:
        return ""
    outward, inward = found[-1]
    return (outward + inward).upper()


@dataclass(frozen=True)
class Match:
    """An organisation already in the study that a record may be, and why."""

    organisation_id: int
    name: str
    reasons: tuple[str, ...]   # "same name", "same phone", "same email", "same postcode"

    def describe(self) -> str:
        """One line: a name that holds a line break or a control character is shown escaped."""
        name = self.name if self.name.isprintable() else repr(self.name)
        return f"{name} (id {self.organisation_id}): {', '.join(self.reasons)}"


class Matcher:
    """The study's organisations indexed by name, phone, e-mail and postcode (read once)."""

    def __init__(self, study: Study):
        self.names: dict[int, str] = {}
        self._by: dict[str, dict[str, set[int]]] = {"name": {}, "phone": {}, "email": {}, "postcode": {}}
        for r in study.query("SELECT id, name, phone, email, address FROM organisations"):
            self.add(r["id"], r["name"], phone=r["phone"] or "", email=r["email"] or "",
                     address=r["address"] or "")

    def add(self, org_id: int, name: str, *, phone: str = "", email: str = "", address: str = "") -> None:
        """Index one more organisation (one just imported, say)."""
        self.names[org_id] = name
        for what, key in self._keys(name, phone, email, address):
            self._by[what].setdefault(key, set()).add(org_id)

    @staticmethod
    def _keys(name: str, phone: str, email: str, address: str) -> list[tuple[str, str]]:
        keys = [("name", name_key(name)), ("phone", phone_key(phone)), ("email", email_key(email)),
                ("postcode", postcode_key(address))]
        return [(what, key) for what, key in keys if key]

    def matches(self, name: str, *, phone: str = "", email: str = "", address: str = "") -> list[Match]:
        """The organisations this record may be, strongest first. A shared postcode alone is
        not enough (many organisations share a building): it counts with a similar name."""
        reasons: dict[int, list[str]] = {}
        for what, key in (("name", name_key(name)), ("phone", phone_key(phone)), ("email", email_key(email))):
            if key:
                for org_id in self._by[what].get(key, ()):
                    reasons.setdefault(org_id, []).append(f"same {what}")
        # Only those found above can count a shared postcode, so only they are looked up in it:
        # walking every organisation at a postcode (a building can hold hundreds) is quadratic.
        postcode = postcode_key(address) if reasons else ""
        if postcode:
            sharing = self._by["postcode"].get(postcode, set())
            for org_id, why in reasons.items():
                if org_id in sharing:
                    why.append("same postcode")
        found = [Match(org_id, self.names[org_id], tuple(why)) for org_id, why in reasons.items()]
        return sorted(found, key=lambda m: (-len(m.reasons), m.organisation_id))

    def by_name(self, name: str) -> list[int]:
        """The organisations whose name is this one, ignoring case, punctuation and legal form."""
        key = name_key(name)
        return sorted(self._by["name"].get(key, ())) if key else []
