"""AAPOR final disposition codes and the outcome rates computed from them.

Every case a study ends with (an organisation interviewed, refused, never reached, found to be
out of scope) carries one final disposition code. Grouped into eight classes, the codes give the
standard response, cooperation, refusal and contact rates a report's method section quotes, so a
study's fieldwork can be compared with any other survey's.

Source: The American Association for Public Opinion Research, *Standard Definitions: Final
Dispositions of Case Codes and Outcome Rates for Surveys* (10th edition, 2023). The codes are
those of its telephone table, read for an establishment: the unit is an organisation where the
table says "housing unit" or "household". 3.19 (nothing ever returned) comes from its mail and
internet tables, for cases approached by email or letter only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TypeVar

from fieldkit.errors import InvalidValueError

#: AAPOR final disposition code -> short label. The X.0 entries name the four groups.
CODES: dict[str, str] = {
    "1.0": "Interview",
    "1.1": "Complete interview",
    "1.2": "Partial interview",
    "2.0": "Eligible, no interview",
    "2.10": "Refusal and break-off",
    "2.11": "Refusal",
    "2.111": "Refusal by the organisation",
    "2.112": "Refusal by the known respondent",
    "2.12": "Break-off",
    "2.20": "Non-contact",
    "2.21": "Respondent never available",
    "2.22": "Answering machine (organisation confirmed)",
    "2.221": "Answering machine (organisation confirmed), no message left",
    "2.222": "Answering machine (organisation confirmed), message left",
    "2.30": "Other eligible, no interview",
    "2.31": "Respondent has died",
    "2.32": "Respondent physically or mentally unable",
    "2.33": "Language problem",
    "2.331": "Language problem at the organisation",
    "2.332": "Language problem of the respondent",
    "2.333": "No interviewer for the language needed",
    "2.34": "Inadequate audio quality",
    "2.35": "Location or activity not allowing interview",
    "2.36": "Miscellaneous",
    "3.0": "Unknown eligibility, no interview",
    "3.10": "Unknown if eligible organisation",
    "3.11": "Not attempted or worked",
    "3.12": "Always busy",
    "3.13": "No answer",
    "3.14": "Answering machine (don't know if eligible organisation)",
    "3.15": "Call blocking",
    "3.16": "Technical phone problems",
    "3.19": "Nothing ever returned (email or letter)",
    "3.20": "Eligible organisation, unknown if eligible respondent",
    "3.21": "No screener completed",
    "3.90": "Other unknown eligibility",
    "4.0": "Not eligible",
    "4.10": "Out of sample",
    "4.20": "Fax or data line",
    "4.30": "Non-working or disconnected number",
    "4.31": "Non-working number",
    "4.32": "Disconnected number",
    "4.33": "Temporarily out of service",
    "4.40": "Special technological circumstances",
    "4.41": "Number changed",
    "4.50": "Not an eligible organisation",
    "4.51": "Business, government office or other organisation outside the study",
    "4.70": "No eligible respondent",
    "4.80": "Quota filled",
    "4.90": "Other ineligible",
}

#: The rate classes of the Standard Definitions' formulas, in their order.
CLASSES: dict[str, str] = {
    "I": "Complete interview",
    "P": "Partial interview",
    "R": "Refusal and break-off",
    "NC": "Non-contact",
    "O": "Other eligible, no interview",
    "UH": "Unknown if eligible organisation",
    "UO": "Unknown, other",
    "NE": "Not eligible",
}

#: Class of each group of codes, by the code's first digits ("2.1" covers 2.10 to 2.1999).
_CLASS_OF_GROUP = {
    "1.1": "I",
    "1.2": "P",
    "2.1": "R",
    "2.2": "NC",
    "2.3": "O",
    "3.1": "UH",
    "3.2": "UO",
    "3.9": "UO",
}
#: What to use instead of a heading that spans several classes.
_UNDER_HEADING = {"1.0": "1.1 or 1.2", "2.0": "2.10, 2.20 or 2.30", "3.0": "3.10, 3.20 or 3.90"}
_ELIGIBLE = ("I", "P", "R", "NC", "O")
_UNKNOWN = ("UH", "UO")
#: Three AAPOR decimals, and one more for a study's own refinement (2.1111 under 2.111).
_CODE = re.compile(r"[1-4]\.[0-9]{1,4}")

RATE_ORDER: tuple[str, ...] = (
    "RR1", "RR2", "RR3", "RR4", "RR5", "RR6",
    "COOP1", "COOP2", "COOP3", "COOP4",
    "REF1", "REF2", "REF3",
    "CON1", "CON2", "CON3",
)  # fmt: skip

RATE_FORMULAS: dict[str, str] = {
    "RR1": "I / ((I+P) + (R+NC+O) + (UH+UO))",
    "RR2": "(I+P) / ((I+P) + (R+NC+O) + (UH+UO))",
    "RR3": "I / ((I+P) + (R+NC+O) + e(UH+UO))",
    "RR4": "(I+P) / ((I+P) + (R+NC+O) + e(UH+UO))",
    "RR5": "I / ((I+P) + (R+NC+O))",
    "RR6": "(I+P) / ((I+P) + (R+NC+O))",
    "COOP1": "I / ((I+P) + R + O)",
    "COOP2": "(I+P) / ((I+P) + R + O)",
    "COOP3": "I / ((I+P) + R)",
    "COOP4": "(I+P) / ((I+P) + R)",
    "REF1": "R / ((I+P) + (R+NC+O) + (UH+UO))",
    "REF2": "R / ((I+P) + (R+NC+O) + e(UH+UO))",
    "REF3": "R / ((I+P) + (R+NC+O))",
    "CON1": "((I+P) + R + O) / ((I+P) + R + O + NC + (UH+UO))",
    "CON2": "((I+P) + R + O) / ((I+P) + R + O + NC + e(UH+UO))",
    "CON3": "((I+P) + R + O) / ((I+P) + R + O + NC)",
}

RATE_DEFINITIONS: dict[str, str] = {
    "RR1": "Complete interviews as a share of all eligible organisations and those whose "
    "eligibility is unknown.",
    "RR2": "Complete and partial interviews as a share of all eligible organisations and those "
    "whose eligibility is unknown.",
    "RR3": "Complete interviews as a share of all eligible organisations and the estimated "
    "eligible share (e) of those whose eligibility is unknown.",
    "RR4": "Complete and partial interviews as a share of all eligible organisations and the "
    "estimated eligible share (e) of those whose eligibility is unknown.",
    "RR5": "Complete interviews as a share of the organisations known to be eligible.",
    "RR6": "Complete and partial interviews as a share of the organisations known to be "
    "eligible.",
    "COOP1": "Complete interviews as a share of the eligible organisations that were "
    "contacted.",
    "COOP2": "Complete and partial interviews as a share of the eligible organisations that "
    "were contacted.",
    "COOP3": "Complete interviews as a share of the eligible organisations that were contacted "
    "and able to take part (leaving out those unable for other reasons).",
    "COOP4": "Complete and partial interviews as a share of the eligible organisations that "
    "were contacted and able to take part (leaving out those unable for other reasons).",
    "REF1": "Refusals and break-offs as a share of all eligible organisations and those whose "
    "eligibility is unknown.",
    "REF2": "Refusals and break-offs as a share of all eligible organisations and the "
    "estimated eligible share (e) of those whose eligibility is unknown.",
    "REF3": "Refusals and break-offs as a share of the organisations known to be eligible.",
    "CON1": "Eligible organisations that were contacted as a share of all eligible "
    "organisations and those whose eligibility is unknown.",
    "CON2": "Eligible organisations that were contacted as a share of all eligible "
    "organisations and the estimated eligible share (e) of those whose eligibility is unknown.",
    "CON3": "Eligible organisations that were contacted as a share of the organisations known "
    "to be eligible.",
}


def _normalise(code: str) -> str:
    """AAPOR's spelling of a well-formed code: trailing zeros do not count (2.110 is 2.11,
    2.1 is 2.10), group headings keep one decimal (2.0), other codes of groups 2 to 4 two."""
    digit, _, decimals = code.partition(".")
    decimals = decimals.rstrip("0")
    if not decimals:
        return f"{digit}.0"
    if digit == "1":
        return f"1.{decimals}"
    return f"{digit}.{decimals.ljust(2, '0')}"


def _parent(code: str) -> str | None:
    """The longest catalogue code that ``code`` (normalised) is, or extends by further digits;
    None when there is none. X.0 headings have no sub-codes (there is no 2.05)."""
    digit, _, decimals = code.partition(".")
    if decimals.startswith("0"):
        return code if code in CODES else None
    for length in range(len(decimals), 0, -1):
        candidate = _normalise(f"{digit}.{decimals[:length]}")
        if candidate in CODES:
            return candidate
    return None


def check_code(code: str) -> str:
    """Return ``code`` in AAPOR's spelling, or raise InvalidValueError.

    A code is valid when it has the form ``D.ddd`` (D from 1 to 4, one to four decimals), names
    a code of the catalogue or extends one by further digits (4.52 extends 4.50, 2.1111 extends
    2.111; trailing zeros do not count, so 2.110 is 2.11), and so falls in exactly one rate
    class. The group headings 1.0, 2.0 and 3.0 are refused: each covers several classes. 4.0
    (not eligible) is accepted.
    """
    text = str(code).strip()
    if not _CODE.fullmatch(text):
        raise InvalidValueError(f"'{text}' is not an AAPOR disposition code (1.1 to 4.90)")
    normal = _normalise(text)
    if normal in ("1.0", "2.0", "3.0"):
        raise InvalidValueError(
            f"'{text}' is the group '{CODES[normal]}', not a final disposition: use a code "
            f"under it ({_UNDER_HEADING[normal]})"
        )
    if _parent(normal) is None:
        raise InvalidValueError(f"'{text}' is not an AAPOR disposition code (1.1 to 4.90)")
    return normal


def sort_key(code: str) -> tuple[int, str]:
    """Key that sorts codes in the Standard Definitions' order: 2.0, 2.10, 2.11, 2.111, 2.12,
    2.20 (comparing the decimals as numbers would put 2.111 after 2.36)."""
    text = str(code).strip()
    if not _CODE.fullmatch(text):
        raise InvalidValueError(f"'{text}' is not an AAPOR disposition code (1.1 to 4.90)")
    digit, _, decimals = _normalise(text).partition(".")
    return int(digit), decimals


def rate_class(code: str) -> str:
    """The rate class (I, P, R, NC, O, UH, UO or NE) of a valid code, by its first digits."""
    normal = check_code(code)
    if normal.startswith("4."):
        return "NE"
    return _CLASS_OF_GROUP[normal[:3]]


def label(code: str) -> str:
    """The catalogue label of a valid code, or of the nearest catalogue code it extends."""
    parent = _parent(check_code(code))
    assert parent is not None  # check_code refuses codes without one
    return CODES[parent]


def is_eligible(code: str) -> bool:
    """True when the code says the organisation is known to be eligible (groups 1 and 2)."""
    return rate_class(code) in _ELIGIBLE


def is_known_eligibility(code: str) -> bool:
    """True when the code settles eligibility either way (groups 1, 2 and 4, not 3)."""
    return rate_class(code) not in _UNKNOWN


#: A count of cases: an int, or a float where a caller passes one (both are checked alike).
_Count = TypeVar("_Count", int, float)


def _checked_counts(counts: Mapping[str, _Count], what: str) -> dict[str, _Count]:
    out: dict[str, _Count] = {}
    for key, value in counts.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value < 0
        ):
            raise InvalidValueError(
                f"the count for {what} {key!r} must be a number of cases, not {value!r}"
            )
        out[key] = value
    return out


def class_counts(dispositions: Mapping[str, int]) -> dict[str, int]:
    """Counts by code ({"1.1": 40, "3.13": 5}) -> counts by class, every class present."""
    totals = dict.fromkeys(CLASSES, 0)
    for code, count in _checked_counts(dispositions, "code").items():
        totals[rate_class(code)] += count
    return totals


def _by_class(counts: Mapping[str, float]) -> dict[str, float]:
    checked = _checked_counts(counts, "class")
    unknown = sorted(set(checked) - set(CLASSES))
    if unknown:
        raise InvalidValueError(
            f"{unknown[0]!r} is not a rate class (use {', '.join(CLASSES)})"
        )
    return {name: checked.get(name, 0) for name in CLASSES}


def estimate_e(counts: Mapping[str, float]) -> float:
    """The share of cases of unknown eligibility taken to be eligible, estimated as AAPOR's
    response-rate calculator does: eligible among the cases whose eligibility was determined,
    (I+P+R+NC+O) / (I+P+R+NC+O+NE)."""
    c = _by_class(counts)
    eligible = sum(c[name] for name in _ELIGIBLE)
    determined = eligible + c["NE"]
    if determined == 0:
        # Nothing to estimate from: take every unknown case as eligible, the conservative
        # choice (the lowest RR3/RR4 and CON2), as the Standard Definitions' RR1/RR2 do.
        return 1.0
    return eligible / determined


def _share(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def rates(counts: Mapping[str, int], *, e: float | None = None) -> dict[str, float | None]:
    """All AAPOR outcome rates from counts by class (I, P, R, NC, O, UH, UO, NE; missing = 0).

    :param e: the share of cases of unknown eligibility taken to be eligible (0 to 1); by
        default :func:`estimate_e`.
    :return: RR1..RR6, COOP1..COOP4, REF1..REF3, CON1..CON3 as unrounded fractions (None where
        the denominator is 0), and "e", the value used.
    """
    c = _by_class(counts)
    if e is None:
        e = estimate_e(c)
    elif isinstance(e, bool) or not isinstance(e, (int, float)) or not 0 <= e <= 1:
        raise InvalidValueError(f"e (the share of unknown cases taken as eligible) must be "
                                f"between 0 and 1, not {e!r}")
    interviews = c["I"] + c["P"]
    eligible = interviews + c["R"] + c["NC"] + c["O"]
    unknown = c["UH"] + c["UO"]
    all_cases = eligible + unknown
    estimated = eligible + e * unknown
    contacted = interviews + c["R"] + c["O"]
    result: dict[str, float | None] = {
        "RR1": _share(c["I"], all_cases),
        "RR2": _share(interviews, all_cases),
        "RR3": _share(c["I"], estimated),
        "RR4": _share(interviews, estimated),
        "RR5": _share(c["I"], eligible),
        "RR6": _share(interviews, eligible),
        "COOP1": _share(c["I"], contacted),
        "COOP2": _share(interviews, contacted),
        "COOP3": _share(c["I"], interviews + c["R"]),
        "COOP4": _share(interviews, interviews + c["R"]),
        "REF1": _share(c["R"], all_cases),
        "REF2": _share(c["R"], estimated),
        "REF3": _share(c["R"], eligible),
        "CON1": _share(contacted, all_cases),
        "CON2": _share(contacted, estimated),
        "CON3": _share(contacted, eligible),
        "e": float(e),
    }
    return result
