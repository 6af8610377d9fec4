"""Question logic: which questions are asked, what an answer may be, what is computed.

The schedule's expressions (``relevant``, ``constraint``, ``calculation``, ``choice_filter``
and ``${question}`` in labels and help) are written in XLSForm's subset of XPath and parsed
by ``fieldkit.expressions``. This module checks them against the schedule when a template
loads, and works them out for one interview's answers.

The rules, the same for the runner, the command line and every import:
- A question is relevant when its section's ``relevant`` and its own are true (no expression
  means true). Expressions see the answers of relevant questions only, so a chain of
  relevance falls like dominoes.
- An answer to a question that has become irrelevant is kept, but marked: it is not required,
  it is left out of counts and reports, and an anonymous one never moves to the pool.
- A ``constraint`` is checked when an answer is saved; an answer that breaks it is refused
  with its ``constraint_message``.
- A ``calculation`` is worked out after every saved answer and stored as the calculate
  question's answer, so reports and exports see it.
- Expressions may refer only to earlier questions, never to an anonymous one: an answer that
  goes to the pool must not decide, or be shown in, anything kept with the interview.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from fieldkit import expressions
from fieldkit.expressions import Expression, ExpressionError, Kind
from fieldkit.question_types import expression_value
from fieldkit.templates import OTHER_CHOICE

if TYPE_CHECKING:
    from fieldkit.templates import Choice, Question, Template

ANONYMOUS_REASON = ("is anonymous: its answer goes to the pool, so nothing kept with the interview "
                    "may depend on it")


def kind_of(question: Question) -> Kind:
    """What the expressions' checker knows about ``question``'s answers."""
    qtype = question.qtype
    if qtype.name == "yes_no":
        return Kind("yes_no", frozenset({"yes", "no"}))
    if qtype.has_choices:
        return Kind(qtype.kind, frozenset(question.choices))
    return Kind(qtype.kind)


def check_logic(template: Template) -> list[str]:
    """Every problem with the schedule's logic, each with its place:
    ``section 'b', question 'b2', relevant: unknown question 'b9' (at character 3)``."""
    problems: list[str] = []
    ids = [q.id for q in template.questions()]
    kinds: dict[str, Kind] = {}
    unavailable: dict[str, str] = {}
    seen = 0

    def check(place: str, key: str, text: str | None, *, self_id: str | None = None,
              current: Kind | None = None, names: Mapping[str, Kind] | None = None) -> None:
        if not text:
            return
        try:
            expr = expressions.parse(text, names=names is not None)
        except ExpressionError as e:  # reported at load already; kept for a stored copy
            problems.append(f"{place}, {key}: {e}")
            return
        later = ids[seen:]
        for problem in expressions.check(expr, kinds, later=later, unavailable=unavailable, self_id=self_id,
                                         current=current, names=names):
            problems.append(f"{place}, {key}: {problem}")

    for section in template.sections:
        splace = f"section '{section.id}'"
        check(splace, "relevant", section.relevant)
        for q in section.questions:
            place = f"{splace}, question '{q.id}'"
            if q.generated_from:
                seen += 1
                _remember(q, kinds, unavailable)
                continue
            check(place, "relevant", q.relevant, self_id=q.id)
            check(place, "calculation", q.calculation, self_id=q.id)
            check(place, "constraint", q.constraint, self_id=q.id, current=kind_of(q))
            if q.choice_filter:
                check(place, "choice_filter", q.choice_filter, self_id=q.id,
                      names={a: Kind("text") for c in q.options for a in c.attributes})
            for key in ("label", "help"):
                texts = [q.text(key)] + [t for k, t in q.translations.items() if k.startswith(f"{key}::")]
                for text in texts:
                    for name, at in expressions.references_in_text(text):
                        problem = _text_reference(name, q.id, kinds, unavailable, ids[seen:])
                        if problem:
                            problems.append(f"{place}, {key}: {problem} (at character {at + 1})")
            seen += 1
            _remember(q, kinds, unavailable)
    return problems


def _remember(q: Question, kinds: dict[str, Kind], unavailable: dict[str, str]) -> None:
    if q.anonymous:
        unavailable[q.id] = ANONYMOUS_REASON
    else:
        kinds[q.id] = kind_of(q)


def _text_reference(name: str, self_id: str, kinds: Mapping[str, Kind], unavailable: Mapping[str, str],
                    later: list[str]) -> str | None:
    if name == self_id:
        return f"shows its own answer ('${{{name}}}')"
    if name in unavailable:
        return f"shows '{name}', which {unavailable[name]}"
    if name in kinds:
        return None
    if name in later:
        return f"shows '{name}', which comes later in the schedule"
    return f"unknown question '{name}'"


@dataclass(frozen=True)
class State:
    """The logic worked out for one interview's answers."""

    #: Ids of the questions asked (relevant), in the schedule's order.
    relevant: frozenset[str]
    #: Ids of the sections asked.
    sections: frozenset[str]
    #: The calculate questions' values (None: nothing to show).
    calculated: Mapping[str, Any]
    #: What later expressions see: the answers of relevant questions, as expressions see them.
    values: Mapping[str, Any]
    #: The answers, as stored, of relevant questions and calculations (for ${} in texts).
    stored: Mapping[str, Any]


class Logic:
    """A template's expressions, parsed once, and worked out for any interview's answers."""

    def __init__(self, template: Template):
        self.template = template

    def _expr(self, text: str | None, *, names: bool = False) -> Expression | None:
        if not text:
            return None
        try:
            return expressions.parse(text, names=names)  # parsed once (cached)
        except ExpressionError:  # checked at load: a template with a bad one never loads
            return None

    @cached_property
    def has_logic(self) -> bool:
        """Whether anything in the schedule depends on answers (relevance, calculations)."""
        return any(s.relevant for s in self.template.sections) or any(
            q.relevant or q.calculation or q.generated_from for q in self.template.questions())

    @cached_property
    def _depended_on(self) -> frozenset[str]:
        """The questions whose answers some relevance or calculation reads, or whose "Other"
        asks a "please specify"."""
        names: set[str] = set()
        texts = [s.relevant for s in self.template.sections]
        for q in self.template.questions():
            texts += [q.relevant, q.calculation]
            if q.generated_from:
                names.add(q.generated_from)
        for text in texts:
            expr = self._expr(text)
            if expr is not None:
                names |= expr.references
        return frozenset(names)

    @cached_property
    def _always_asked(self) -> frozenset[str]:
        return frozenset(q.id for s in self.template.sections if not s.relevant for q in s.questions
                         if not (q.relevant or q.generated_from or q.qtype.computed))

    def leaves_state(self, question_id: str) -> bool:
        """Whether answering ``question_id`` leaves the logic's state as it was, whatever the
        answer: no relevance or calculation reads it, and it is always asked. Saving such an
        answer need not work the logic out again (the schedule's logic is pure: it reads
        answers and today's date only)."""
        return question_id in self._always_asked and question_id not in self._depended_on

    def state(self, answers: Mapping[str, Any], *, today: dt.date | None = None) -> State:
        """Which sections and questions are asked, and the calculated values, given ``answers``
        (question id → stored answer; anonymous answers while held may be included)."""
        values: dict[str, Any] = {}
        stored: dict[str, Any] = {}
        relevant: set[str] = set()
        sections: set[str] = set()
        calculated: dict[str, Any] = {}
        for section in self.template.sections:
            asked = self._true(self._expr(section.relevant), values, today)
            if asked:
                sections.add(section.id)
            for q in section.questions:
                if q.generated_from:  # "please specify": asked when its question's answer is Other,
                    picked = stored.get(q.generated_from)  # anonymous ones too (both held together)
                    here = asked and OTHER_CHOICE in (picked if isinstance(picked, list) else [picked])
                else:
                    here = asked and self._true(self._expr(q.relevant), values, today)
                if q.qtype.computed:
                    value = self._calculate(q, values, today) if here else None
                    calculated[q.id] = value
                else:
                    value = answers.get(q.id) if here else None
                if here:
                    relevant.add(q.id)
                    if value is not None:
                        stored[q.id] = value
                if not q.anonymous:
                    values[q.id] = expression_value(q, value)
        return State(frozenset(relevant), frozenset(sections), calculated, values, stored)

    def _true(self, expr: Expression | None, values: Mapping[str, Any], today: dt.date | None) -> bool:
        return expr is None or expr.truth(values, today=today)

    def _calculate(self, q: Question, values: Mapping[str, Any], today: dt.date | None) -> Any:
        expr = self._expr(q.calculation)
        if expr is None:
            return None
        value = expr.evaluate(values, today=today)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            if not math.isfinite(value):
                return None
            if value.is_integer() and abs(value) < 2**53:
                return int(value)
            return round(value, 10)
        if isinstance(value, list):
            return " ".join(str(v) for v in value) or None
        if value is None or value == "":
            return None
        return value

    def problem(self, question: Question, value: Any, answers: Mapping[str, Any], *,
                language: str | None = None, today: dt.date | None = None) -> str | None:
        """Why ``value`` (cleaned) may not be ``question``'s answer, given the interview's other
        answers: its constraint, or a choice its choice_filter does not offer. None if fine."""
        if value is None or not (question.constraint or question.choice_filter):
            return None
        expr = self._expr(question.constraint)
        if question.choice_filter or (expr is not None and expr.references):
            state = self.state(answers, today=today)
        else:  # a rule about the answer alone (". >= 0"): nothing else to work out
            state = State(frozenset(), frozenset(), {}, {}, {})
        if question.choice_filter:
            offered = {c.name for c in self.choices(question, state)}
            picked = value if isinstance(value, list) else [value]
            left_out = [question.choice_label(v, language) for v in picked if v not in offered]
            if left_out:
                return f"'{left_out[0]}' is not offered, given the answers before it"
        if expr is not None and not expr.truth(state.values, current=expression_value(question, value),
                                                today=today):
            return question.text("constraint_message", language) or \
                f"the answer does not meet the question's rule ({question.constraint})"
        return None

    def choices(self, question: Question, state: State, *, today: dt.date | None = None) -> list[Choice]:
        """The choices offered, after the question's choice_filter (the "other" choice stays)."""
        expr = self._expr(question.choice_filter, names=True)
        if expr is None:
            return list(question.options)
        kept = []
        for c in question.options:
            stays = question.other and c.name == OTHER_CHOICE
            if stays or expr.truth(state.values, names=c.attributes, today=today):
                kept.append(c)
        return kept

    def asked_required(self, answers: Mapping[str, Any], *, today: dt.date | None = None) -> list[Question]:
        """The required questions the logic asks, given these answers."""
        state = self.state(answers, today=today)
        return [q for q in self.template.questions() if q.required and q.id in state.relevant]

    def missing_required(self, answers: Mapping[str, Any], *, today: dt.date | None = None) -> list[Question]:
        """The relevant required questions without an answer."""
        return [q for q in self.asked_required(answers, today=today) if answers.get(q.id) is None]

    def fill(self, text: str, state: State, *, language: str | None = None) -> str:
        """``text`` with each ``${question}`` replaced by that answer in words ('' if none)."""
        if "${" not in text:
            return text
        words = {}
        for name, _ in expressions.references_in_text(text):
            try:
                q = self.template.question(name)
            except KeyError:
                continue
            words[name] = q.as_text(state.stored.get(name), language) if not q.anonymous else ""
        return expressions.fill_text(text, words)
