"""The question types: one registry entry per type, the one place a type is described.

Each entry says how a question of the type is declared in a template (does it take choices,
a minimum and maximum, a flag, a calculation), how an answer is cleaned into the form stored,
shown as words, handed to the logic's expressions, and counted in summaries, the pool and
reports. Everything else (templates, interviews, the pool, summaries, reports, the editor)
asks this registry instead of comparing type names. The screens pick the input that asks a
question by the type's ``widget`` (``fieldkit.ui.answer_widgets.WIDGETS``), so a new type
is a new entry here and, if it needs a new kind of input, one there.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldkit.errors import InvalidValueError

if TYPE_CHECKING:
    from fieldkit.templates import Question


@dataclass(frozen=True)
class QuestionType:
    name: str
    #: What the schedule editor calls it.
    title: str
    #: Which input asks it (a key of the screens' widget registry).
    widget: str
    #: What the logic's checker knows of its answers (a ``fieldkit.expressions.Kind`` type).
    kind: str
    clean: Callable[[Question, Any], Any]
    as_text: Callable[[Question, Any, str | None], str]
    #: Takes a list of choices (at least two).
    has_choices: bool = False
    #: Takes a minimum and a maximum.
    has_range: bool = False
    #: Can tick one of the organisation's flags (a named yes/no question).
    can_flag: bool = False
    #: Its answer is computed from a ``calculation``, never typed.
    computed: bool = False
    #: Answers are words: quoted in reports, reworded in the pool, never counted.
    worded: bool = False
    #: Answers are counted, crossed by category, and charted.
    countable: bool = False
    #: Choices have an order worth keeping in a chart (a scale).
    ordered: bool = False
    #: Several choices may be picked (counts add up to more than the respondents).
    several: bool = False
    #: The answers are shares of one whole, charted as 100% bars by category (yes/no, a scale).
    stacked: bool = False
    #: Text on one line only.
    one_line: bool = False
    #: May offer "Other, please specify" (``other = true``).
    takes_other: bool = False

    def count_keys(self, question: Question) -> list[str]:
        """What its answers are counted under, in order (the choice names; Yes and No)."""
        if self.name == "yes_no":
            return ["Yes", "No"]
        return list(question.choices)

    def counted(self, question: Question, value: Any) -> list[str]:
        """The keys one stored answer counts under."""
        if value is None:
            return []
        if self.name == "yes_no":
            return ["Yes" if value else "No"]
        return [str(v) for v in (value if isinstance(value, list) else [value])]

    def key_label(self, question: Question, key: str, language: str | None = None) -> str:
        """A counted key as a reader sees it (a choice's label, or the yes/no words, in ``language``)."""
        if self.has_choices:
            return question.choice_label(key, language)
        if self.name == "yes_no":
            return question.text("yes_label" if key == "Yes" else "no_label", language)
        return key


REGISTRY: dict[str, QuestionType] = {}


def register(question_type: QuestionType) -> QuestionType:
    REGISTRY[question_type.name] = question_type
    return question_type


def get(name: str) -> QuestionType:
    return REGISTRY[name]


def _where(q: Question) -> str:
    return f"question '{q.id}'"


def _clean_text(q: Question, value: Any) -> Any:
    if not isinstance(value, str):
        raise InvalidValueError(f"{_where(q)}: expected text, got {type(value).__name__}")
    if q.qtype.one_line and "\n" in value.strip():
        raise InvalidValueError(f"{_where(q)}: short text must be one line")
    return value if value.strip() else None


def _clean_choice(q: Question, value: Any) -> Any:
    if not isinstance(value, str):
        raise InvalidValueError(f"{_where(q)}: expected one of the choices")
    if value == "":
        return None
    if value not in q.choices:
        raise InvalidValueError(f"{_where(q)}: '{value}' is not one of the choices")
    return value


def _clean_choices(q: Question, value: Any) -> Any:
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise InvalidValueError(f"{_where(q)}: expected a list of choices")
    if not all(isinstance(v, str) for v in value):
        raise InvalidValueError(f"{_where(q)}: expected a list of choices")
    chosen = set(value)
    unknown = sorted(str(v) for v in chosen if v not in q.choices)
    if unknown:
        raise InvalidValueError(f"{_where(q)}: not among the choices: {', '.join(unknown)}")
    ordered = [c for c in q.choices if c in chosen]
    return ordered or None


def _clean_yes_no(q: Question, value: Any) -> Any:
    if not isinstance(value, bool):
        raise InvalidValueError(f"{_where(q)}: expected yes or no")
    return value


def _clean_number(q: Question, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValueError(f"{_where(q)}: expected a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidValueError(f"{_where(q)}: expected a finite number")
    if q.min is not None and value < q.min:
        raise InvalidValueError(f"{_where(q)}: {value} is below the minimum {q.min:g}")
    if q.max is not None and value > q.max:
        raise InvalidValueError(f"{_where(q)}: {value} is above the maximum {q.max:g}")
    return value


def _clean_date(q: Question, value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        if value == "":
            return None
        try:
            return _dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise InvalidValueError(f"{_where(q)}: '{value}' is not a date (YYYY-MM-DD)") from None
    raise InvalidValueError(f"{_where(q)}: expected a date")


def _clean_calculated(q: Question, value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value if value != "" else None
    raise InvalidValueError(f"{_where(q)}: a calculated value is a number or text")


def _plain(q: Question, value: Any, language: str | None) -> str:
    return "" if value is None else str(value)


def _number_text(q: Question, value: Any, language: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _choice_text(q: Question, value: Any, language: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(q.choice_label(v, language) for v in value)
    return q.choice_label(value, language)


def _yes_no_text(q: Question, value: Any, language: str | None) -> str:
    return "" if value is None else q.text("yes_label" if value else "no_label", language)


register(QuestionType("short_text", "Short text (one line)", "text", "text", _clean_text, _plain, worded=True,
                      one_line=True))
register(QuestionType("long_text", "Long text", "text", "text", _clean_text, _plain, worded=True))
register(QuestionType("single_choice", "One choice", "choice", "choice", _clean_choice, _choice_text,
                      has_choices=True, countable=True, takes_other=True))
register(QuestionType("multiple_choice", "Several choices", "choice", "choices", _clean_choices, _choice_text,
                      has_choices=True, countable=True, several=True, takes_other=True))
register(QuestionType("yes_no", "Yes or no", "yes_no", "yes_no", _clean_yes_no, _yes_no_text,
                      can_flag=True, countable=True, stacked=True))
register(QuestionType("scale", "Scale", "choice", "choice", _clean_choice, _choice_text,
                      has_choices=True, countable=True, ordered=True, stacked=True))
register(QuestionType("number", "Number", "number", "number", _clean_number, _number_text, has_range=True))
register(QuestionType("date", "Date", "date", "date", _clean_date, _plain))
register(QuestionType("calculate", "Calculated value", "calculated", "any", _clean_calculated, _number_text,
                      computed=True))


#: The types whose answers are words (quoted in reports, reworded in the pool).
WORDED = tuple(n for n, t in REGISTRY.items() if t.worded)


def expression_value(question: Question, value: Any) -> Any:
    """A stored answer as the logic's expressions see it (XLSForm's way): yes/no as 'yes' or
    'no', several choices as a list of names, everything else as stored."""
    if value is None:
        return None
    if question.type == "yes_no":
        return "yes" if value else "no"
    return value
