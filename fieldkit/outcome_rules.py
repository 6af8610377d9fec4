"""What each attempt outcome and exclusion reason means for fieldwork: its AAPOR disposition
code, when to try again, and whether it ends the calling.

A template gives every outcome a rule (``disposition``, ``retry``, ``retry_limit``, ``final``)
and every exclusion reason a "not eligible" code (4.x). An outcome written as plain text (as
older templates and studies have them) takes the rule of a known wording, else one guessed
from its words, so every study has a code for every outcome; the researcher can change any of
them in Study settings. The mapping of the shipped wordings, and why, is in docs/dispositions.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fieldkit.errors import InvalidValueError


_WRONG_NUMBER = re.compile(r"wrong|disconnect|not in service|no longer in use|non-working|dead line|number changed",
                           re.IGNORECASE)


@dataclass(frozen=True)
class OutcomeRule:
    """What an attempt outcome means: its disposition code and when to call again."""

    #: The AAPOR disposition code the outcome gives an organisation while it is the latest word.
    disposition: str
    #: The delay that proposes the call-back ("3 hours", "next working day"), or None.
    retry: str | None = None
    #: How many times this outcome is retried before the calling stops (None: no limit).
    retry_limit: int | None = None
    #: The outcome ends the calling: nothing more is proposed after it.
    final: bool = False

    def means_wrong_number(self, name: str) -> bool:
        """Whether the outcome ``name`` says the number itself was wrong (so the number tried is
        offered for striking through): by its words, or a code for a non-working, disconnected
        or changed number (AAPOR 4.2x, 4.3x, 4.41)."""
        return bool(_WRONG_NUMBER.search(name)) or self.disposition.startswith(("4.2", "4.3", "4.41"))

    def as_dict(self, name: str) -> dict[str, Any]:
        d: dict[str, Any] = {"name": name, "disposition": self.disposition}
        if self.retry:
            d["retry"] = self.retry
        if self.retry_limit is not None:
            d["retry_limit"] = self.retry_limit
        if self.final:
            d["final"] = True
        return d


#: The rules of the wordings fieldkit ships (and older studies use), by lower-cased name.
KNOWN_OUTCOMES: dict[str, OutcomeRule] = {
    "no answer": OutcomeRule("3.13", "3 hours"),
    "line busy": OutcomeRule("3.12", "30 minutes"),
    "always busy": OutcomeRule("3.12", "30 minutes"),
    "left a message": OutcomeRule("3.14", "next working day"),
    "answering machine": OutcomeRule("3.14", "next working day"),
    "no way to leave a message": OutcomeRule("3.13", "next working day"),
    "call back requested": OutcomeRule("2.21", "tomorrow"),
    "call back later": OutcomeRule("2.21", "tomorrow"),
    "contact away (illness or holiday)": OutcomeRule("2.21", "1 week"),
    "post vacant": OutcomeRule("2.21", "2 weeks"),
    "email sent": OutcomeRule("3.19", "1 week"),
    "interview arranged": OutcomeRule("2.21"),
    "interview done": OutcomeRule("1.1", final=True),
    "interviewed": OutcomeRule("1.1", final=True),
    "soft refusal": OutcomeRule("2.11", "1 week", retry_limit=1),
    "not now (soft refusal)": OutcomeRule("2.11", "1 week", retry_limit=1),
    "declined": OutcomeRule("2.11", final=True),
    "refused": OutcomeRule("2.11", final=True),
    # The unit is the organisation, not the number: a wrong number says nothing about whether the
    # organisation is eligible, and calling goes on once another number is found (struck through).
    "wrong or disconnected number": OutcomeRule("3.90"),
    "wrong number": OutcomeRule("3.90"),
    "disconnected number": OutcomeRule("3.90"),
}

#: Words that suggest a code for an outcome nobody gave one (first match wins).
_GUESSES: tuple[tuple[str, OutcomeRule], ...] = (
    (r"declin|refus", OutcomeRule("2.11", final=True)),
    (r"wrong|disconnect|not in service", OutcomeRule("3.90")),
    (r"busy|engaged", OutcomeRule("3.12", "30 minutes")),
    (r"machine|voicemail|message", OutcomeRule("3.14", "next working day")),
    (r"no answer|no reply|unanswered", OutcomeRule("3.13", "3 hours")),
    (r"call ?back|later|away|holiday|ill|vacant|arranged|appointment", OutcomeRule("2.21", "tomorrow")),
    (r"e-?mail|letter|post", OutcomeRule("3.19", "1 week")),
    (r"interview", OutcomeRule("2.21")),
)

#: An outcome whose words say nothing known: eligibility unknown, nothing proposed.
UNKNOWN_OUTCOME = OutcomeRule("3.90")

#: Codes of the shipped exclusion reasons, by lower-cased name.
KNOWN_EXCLUSIONS: dict[str, str] = {
    "outside the region": "4.10",
    "outside the area": "4.10",
    "outside the study area": "4.10",
    "outside the scope of the study": "4.10",
    "not an infrastructure body": "4.50",
    "service provider only": "4.50",
    "not a community group": "4.50",
    "closed down": "4.90",
    "merged into another organisation": "4.90",
    "duplicate of another record": "4.90",
}
UNKNOWN_EXCLUSION = "4.90"


def guess_outcome(name: str) -> OutcomeRule:
    """The rule of a known wording, else one guessed from the words, else "other, unknown"."""
    known = KNOWN_OUTCOMES.get(name.strip().casefold())
    if known is not None:
        return known
    words = name.casefold()
    for pattern, rule in _GUESSES:
        if re.search(pattern, words):
            return rule
    return UNKNOWN_OUTCOME


def guess_exclusion(name: str) -> str:
    """The "not eligible" code of a known exclusion reason, else 4.90 (other ineligible)."""
    known = KNOWN_EXCLUSIONS.get(name.strip().casefold())
    if known is not None:
        return known
    return "4.10" if re.search(r"outside|out of (the )?(area|region|scope)", name.casefold()) else UNKNOWN_EXCLUSION


_CODE_RE = re.compile(r"^[1-4]\.\d{1,4}$")


def check_code(code: Any, *, place: str) -> str:
    """``code`` as text if it looks like an AAPOR disposition code; the full check of the
    catalogue is fieldkit.outcome_rates.check_code."""
    from fieldkit import outcome_rates

    if isinstance(code, (int, float)) and not isinstance(code, bool):
        code = f"{code}"
    if not isinstance(code, str) or not _CODE_RE.fullmatch(code.strip()):
        raise InvalidValueError(f"{place}: {code!r} is not an AAPOR disposition code (for example \"3.13\")")
    try:
        return outcome_rates.check_code(code.strip())
    except InvalidValueError as e:
        raise InvalidValueError(f"{place}: {e}") from None


def check_rule(data: dict[str, Any], *, place: str) -> OutcomeRule:
    """An outcome's rule from its template table (``name`` is read by the caller)."""
    from fieldkit.callback_times import parse_delay

    unknown = sorted(set(data) - {"name", "disposition", "retry", "retry_limit", "final"})
    if unknown:
        raise InvalidValueError(f"{place}: unknown key {', '.join(repr(k) for k in unknown)} "
                                "(expected disposition, retry, retry_limit, final)")
    if "disposition" not in data:
        raise InvalidValueError(f"{place}: 'disposition' is missing (an AAPOR code, for example \"3.13\")")
    code = check_code(data["disposition"], place=place)
    retry = data.get("retry")
    if retry is not None:
        if not isinstance(retry, str):
            raise InvalidValueError(f"{place}: 'retry' must be text such as \"3 hours\"")
        try:
            retry = parse_delay(retry).text
        except InvalidValueError as e:
            raise InvalidValueError(f"{place}: {e}") from None
    limit = data.get("retry_limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise InvalidValueError(f"{place}: 'retry_limit' must be a whole number of 0 or more, got {limit!r}")
    final = data.get("final", False)
    if not isinstance(final, bool):
        raise InvalidValueError(f"{place}: 'final' must be true or false")
    if code.startswith("4.") and not final:
        final = True  # not eligible: there is nothing more to call for
    if final and retry:
        raise InvalidValueError(f"{place}: a final outcome cannot also propose a retry")
    return OutcomeRule(code, retry, limit, final)
