"""Checking contact details as they are typed: email addresses, web addresses, phone numbers.

A check warns and never refuses: whatever was typed is kept. Each check returns a sentence to
show beside the field (or None when the text reads well), so the case form, a contact's dialog
and the importers' users are told the same thing.

A phone number that reads as a valid number is stored in E.164 ("+441134960000"): one way of
writing each number, whatever way it was typed, so the same number is the same text in matching,
exports and the call log. One that does not (too short, a digit missing, words beside it, an
extension) is stored exactly as typed. Numbers are read, and shown, for the study's country
(``Study.country``, the UK unless set): in its national form for that country ("0113 496 0000"),
in international form for any other ("+48 12 345 67 89").

Nothing here goes on the network: email addresses are checked for their syntax only (no DNS
look-up), as fieldkit works offline.

    check_email("lodz.community@")     -> "There must be something after the @-sign."
    check_web("www.example.org")       -> None
    phone("0113 496 0000", "GB")       -> PhoneCheck(e164="+441134960000", display="0113 496 0000")
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: The country phone numbers are read for when a study names none (ISO 3166-1 alpha-2).
DEFAULT_COUNTRY = "GB"
#: What a phone number may be written with and still be stored in E.164: digits, spaces and
#: the usual separators. Anything more (words, "ext 12") is kept as typed.
_DIALLABLE = re.compile(r"^\+?[\d\s().\-/]+$")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_WEB_SCHEMES = ("http", "https")


def _phonenumbers() -> Any:
    """libphonenumber's port, imported when first needed (start-up does not pay for it)."""
    import phonenumbers

    return phonenumbers


def phone_regions() -> frozenset[str]:
    """The countries phone numbers can be read for (ISO 3166-1 alpha-2 codes)."""
    return frozenset(_phonenumbers().SUPPORTED_REGIONS)


def country_code(text: str) -> str:
    """``text`` as a study's country: a two-letter ISO 3166 code with a telephone numbering plan
    ("GB", "pl", " IE "), upper-cased; refused with a one-line message otherwise."""
    from fieldkit.errors import InvalidValueError

    code = (text or "").strip().upper()
    if code not in phone_regions():
        hint = " (the United Kingdom is GB)" if code == "UK" else ""
        raise InvalidValueError(f"'{text}' is not a two-letter ISO 3166 country code{hint}")
    return code


def calling_code(country: str) -> int:
    """The international calling code of ``country`` (44 for GB), 0 if it has none."""
    return int(_phonenumbers().country_code_for_region(country))


@dataclass(frozen=True)
class PhoneCheck:
    """A phone number as typed, read for a country."""

    #: What was typed, exactly.
    text: str
    #: The number in E.164 when it is valid and written as a number alone; else None.
    e164: str | None = None
    #: How to show it: the national form for the study's country, international otherwise
    #: (None when it is kept as typed).
    display: str | None = None
    #: Why it may be wrong, in a sentence; None when it reads well (or nothing was typed).
    warning: str | None = None

    @property
    def stored(self) -> str:
        """What a study keeps: E.164 when valid, otherwise the text exactly as typed."""
        return self.e164 if self.e164 is not None else self.text

    @property
    def shown(self) -> str:
        """What a screen shows: the display form, otherwise the text as typed."""
        return self.display if self.display is not None else self.text


def _place(country_code: int) -> str:
    """ "in the UK", or the dialling code: "for +48"."""
    return "in the UK" if country_code == 44 else f"for +{country_code}"


def _parse_warning(error: Any, text: str) -> str:
    pn = _phonenumbers()
    kind = error.error_type
    if any(ch.isalpha() for ch in text):
        return "Not a phone number as written: only digits, spaces and + ( ) - are read."
    if kind == pn.NumberParseException.INVALID_COUNTRY_CODE:
        if text.lstrip().startswith("+"):
            return "No country has this dialling code: check the digits after the +."
        return "Start a number from abroad with + and its country code."
    if kind in (pn.NumberParseException.TOO_SHORT_NSN, pn.NumberParseException.TOO_SHORT_AFTER_IDD):
        return "Too short for a phone number: check for missing digits."
    if kind == pn.NumberParseException.TOO_LONG:
        return "Too long for a phone number: check for extra digits."
    return "This does not read as a phone number."


@functools.lru_cache(maxsize=8192)  # the same numbers are read again on every save and redraw
def phone(text: str, region: str = DEFAULT_COUNTRY) -> PhoneCheck:
    """Read ``text`` as a phone number dialled in ``region`` (ISO 3166-1 alpha-2, "GB").

    Valid and written as a number alone: E.164 and the display form, no warning. A valid
    number with words or an extension beside it: kept as typed, no warning. Anything else:
    kept as typed, with why it may be wrong."""
    region = (region or DEFAULT_COUNTRY).upper()
    if not text or not text.strip():
        return PhoneCheck(text)
    pn = _phonenumbers()
    stripped = text.strip()
    try:
        number = pn.parse(stripped, region)
    except pn.NumberParseException as e:
        return PhoneCheck(text, warning=_parse_warning(e, stripped))
    if pn.is_valid_number(number):
        if number.extension or not _DIALLABLE.match(stripped):
            return PhoneCheck(text)  # a number, but more than one: what was typed is what counts
        return PhoneCheck(text, pn.format_number(number, pn.PhoneNumberFormat.E164), _shown(number, region))
    reason = pn.is_possible_number_with_reason(number)
    place = _place(number.country_code)
    result = pn.ValidationResult
    if reason in (result.TOO_SHORT, result.IS_POSSIBLE_LOCAL_ONLY):
        warning = f"Too short for a phone number {place}: check for missing digits."
    elif reason == result.TOO_LONG:
        warning = f"Too long for a phone number {place}: check for extra digits."
    elif reason == result.INVALID_COUNTRY_CODE:
        warning = "No country has this dialling code: check the digits after the +."
    else:
        warning = f"Not a phone number in use {place}: check the digits."
    return PhoneCheck(text, warning=warning)


def _shown(number: Any, region: str) -> str:
    pn = _phonenumbers()
    home = number.country_code == pn.country_code_for_region(region)
    return pn.format_number(number, pn.PhoneNumberFormat.NATIONAL if home else pn.PhoneNumberFormat.INTERNATIONAL)


def stored_phone(text: str | None, region: str = DEFAULT_COUNTRY) -> str | None:
    """What a study stores for a phone number typed or imported: E.164 when valid, otherwise
    ``text`` exactly as it came (None and blanks stay as they are)."""
    if not isinstance(text, str) or not text.strip():
        return text
    # phone() without its display form and warning: an import stores thousands of numbers.
    pn = _phonenumbers()
    stripped = text.strip()
    try:
        number = pn.parse(stripped, (region or DEFAULT_COUNTRY).upper())
    except pn.NumberParseException:
        return text
    if number.extension or not _DIALLABLE.match(stripped) or not pn.is_valid_number(number):
        return text
    return pn.format_number(number, pn.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=8192)  # a list page redraws the same numbers as it scrolls
def display_phone(stored: str | None, region: str = DEFAULT_COUNTRY) -> str:
    """How to show a stored phone number: an E.164 one in the national form for ``region``'s
    country (international for another country's); anything else exactly as stored."""
    if not stored:
        return ""
    if not _E164.match(stored):
        return stored
    pn = _phonenumbers()
    try:
        number = pn.parse(stored, None)
    except pn.NumberParseException:
        return stored
    if not pn.is_valid_number(number):
        return stored
    return _shown(number, (region or DEFAULT_COUNTRY).upper())


def check_email(text: str) -> str | None:
    """Why ``text`` may not be an email address, in a sentence; None when it reads as one (or
    is empty). Syntax only, international addresses included: no DNS look-up."""
    address = (text or "").strip()
    if not address:
        return None
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as e:
        return str(e)
    return None


def _label_ok(label: str) -> bool:
    return 0 < len(label) <= 63 and not label.startswith("-") and not label.endswith("-") \
        and all(ch.isalnum() or ch == "-" for ch in label)


def check_web(text: str) -> str | None:
    """Why ``text`` may not be a web address, in a sentence; None when it reads as one: an
    http or https address, or one written without its scheme ("www.example.org"), whose site
    name has a dot and parts of letters, digits and hyphens (any script)."""
    address = (text or "").strip()
    if not address:
        return None
    if any(ch.isspace() for ch in address):
        return "A web address has no spaces."
    has_scheme = "://" in address
    if not has_scheme and "@" in address:
        return "This looks like an email address, not a web address."
    parts = urlsplit(address if has_scheme else f"http://{address}")
    if parts.scheme.lower() not in _WEB_SCHEMES:
        return f"A web address starts with http:// or https://, not {parts.scheme}://."
    if "@" in parts.netloc:
        return "A web address has no @ before its site name."
    try:
        parts.port  # noqa: B018 - reading it is the check (urllib raises on a bad port)
    except ValueError:
        return "The part after the colon is not a port number."
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "This web address has no site name."
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2:
        return "A site name has a dot in it, as in example.org."
    bad = next((label for label in labels if not _label_ok(label)), None)
    if bad is not None:
        return f"“{bad}” cannot be part of a site name: letters, digits and hyphens only."
    top = labels[-1]
    if len(top) < 2 or not (top.isalpha() or top.startswith("xn--")):
        return f"“.{top}” is not a top-level domain."
    if len(host) > 253:
        return "The site name is too long."
    return None
