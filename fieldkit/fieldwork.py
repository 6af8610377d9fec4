"""A study's fieldwork rules: when an interview is complete or partial, how many attempts an
organisation gets, and the eligibility rate used for the outcome rates.

The settings live in the study (its meta table) so that the command line, the importers and
the app obey the same ones. Every setting has a default that fits a mapping exercise.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from fieldkit.errors import InvalidValueError

if TYPE_CHECKING:
    from fieldkit.study import Study

RESULTS = ("complete", "partial", "break_off")
RESULT_LABELS = {"complete": "Complete", "partial": "Partial", "break_off": "Break-off"}
#: The AAPOR code of each interview result.
RESULT_CODES = {"complete": "1.1", "partial": "1.2", "break_off": "2.12"}


@dataclass(frozen=True)
class FieldworkSettings:
    """The fieldwork rules of one study."""

    #: An interview finished with at least this share of its relevant required questions
    #: answered is complete (AAPOR 1.1); 1.0 means every one.
    complete_share: float = 1.0
    #: Below ``complete_share`` but at least this share: partial (1.2). Below it, finishing
    #: records a break-off (2.12). 0.0: every finished interview is at least partial.
    partial_share: float = 0.0
    #: Attempts after which the queue proposes the final "not reached" disposition.
    max_attempts: int = 8
    #: The share of organisations of unknown eligibility taken to be eligible (AAPOR's e);
    #: None: estimated from the cases whose eligibility was determined.
    eligibility_rate: float | None = None

    def judge(self, answered: int, asked: int) -> str:
        """complete, partial or break_off for ``answered`` of ``asked`` relevant required
        questions (none asked: complete)."""
        share = 1.0 if asked == 0 else answered / asked
        if share >= self.complete_share:
            return "complete"
        if share >= self.partial_share:
            return "partial"
        return "break_off"

    def describe_partial(self) -> str:
        """The rule in words, for the settings screen and the report's method section."""
        def pct(x: float) -> str:
            return f"{x * 100:.0f}%"
        if self.complete_share >= 1.0:
            complete = "every relevant required question answered"
        else:
            complete = f"at least {pct(self.complete_share)} of the relevant required questions answered"
        if self.partial_share <= 0.0:
            partial = "any other finished interview"
        else:
            partial = f"at least {pct(self.partial_share)} answered"
        return f"Complete: {complete}. Partial: {partial}."


_PREFIX = "fieldwork."


def settings(study: Study) -> FieldworkSettings:
    """The study's fieldwork settings (defaults for any not set)."""
    values: dict[str, Any] = {}
    for f in fields(FieldworkSettings):
        raw = study.meta(_PREFIX + f.name, "")
        if raw == "":
            continue
        try:
            values[f.name] = int(raw) if f.name == "max_attempts" else float(raw)
        except ValueError:
            continue  # a damaged value: the default stands
    try:
        return _checked(FieldworkSettings(**values))
    except InvalidValueError:
        return FieldworkSettings()


def _checked(s: FieldworkSettings) -> FieldworkSettings:
    for name in ("complete_share", "partial_share"):
        value = getattr(s, name)
        if not 0.0 <= value <= 1.0:
            raise InvalidValueError(f"{name.replace('_', ' ')} must be between 0 and 1, got {value}")
    if s.partial_share > s.complete_share:
        raise InvalidValueError("the share for a partial interview cannot be above the share for a complete one")
    if isinstance(s.max_attempts, bool) or not isinstance(s.max_attempts, int) or not 1 <= s.max_attempts <= 99:
        raise InvalidValueError(f"maximum attempts must be a whole number from 1 to 99, got {s.max_attempts}")
    if s.eligibility_rate is not None and not 0.0 <= s.eligibility_rate <= 1.0:
        raise InvalidValueError(f"the eligibility rate e must be between 0 and 1, got {s.eligibility_rate}")
    return s


def set_settings(study: Study, **changes: Any) -> FieldworkSettings:
    """Change some settings (validated together); ``eligibility_rate=None`` goes back to the
    estimate. Returns the settings now in force."""
    known = {f.name for f in fields(FieldworkSettings)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise InvalidValueError(f"unknown fieldwork setting: {', '.join(unknown)}")
    for name in ("complete_share", "partial_share", "eligibility_rate"):
        if changes.get(name) is not None:
            try:
                changes[name] = float(changes[name])
            except (TypeError, ValueError):
                raise InvalidValueError(f"{name.replace('_', ' ')} must be a number") from None
    new = _checked(replace(settings(study), **changes))
    with study.transaction():
        for name in changes:
            value = getattr(new, name)
            study.set_meta(_PREFIX + name, "" if value is None else str(value))
    return new
