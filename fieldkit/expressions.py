"""The expression language of the interview schedule's question logic.

Relevance ("ask this only if…"), constraints ("the answer must…") and calculations are written
in the subset of XPath that XLSForms (ODK Collect, KoboToolbox) use, so forms and habits carry
over::

    ${staff} > 5 and ${staff} <= 500
    selected(${services}, 'other') or count-selected(${services}) > 2
    . >= 0 and . <= 500                        ('.' is this question's answer, in a constraint)
    regex(., '^[0-9]{5}$')

``parse()`` reads an expression with a small hand-written Pratt parser (no ``eval``) and raises
``ExpressionError`` at the first problem, with its position. ``check()`` lists every static
problem against the schedule (unknown or later questions, type mistakes). ``evaluate()`` never
raises. Grammar, lowest precedence first::

    or;  and;  = !=;  < <= > >=;  + -;  * div mod;  unary -;  then the values:
    ${name}   .   5 2.5 .5   'text' "text" (no escapes)   ( … )   function(arguments)

Evaluation follows ODK JavaRosa where it matters:

* An unanswered question (None, or missing from ``values``) is the empty string ''.
* ``=`` ``!=``: if either side is a number, both compare as numbers (``number()`` of the other;
  '' and junk are NaN, so ``=`` is false and ``!=`` true); else if either is a boolean, as
  booleans; else as strings (several choices join with single spaces, as in XLSForm).
* ``< <= > >=``: two ISO dates ('YYYY-MM-DD') compare as dates; anything else as numbers.
* ``+ - * div mod`` work on numbers ('' is NaN). ``1 div 0`` is Infinity, ``0 div 0`` NaN;
  ``mod`` takes the sign of the dividend (``-7 mod 3`` is -1). Ints stay ints under ``+ - *``.
* ``number()`` reads an optional sign, digits and one decimal point (no exponents, no 'inf');
  booleans are 1/0; several choices are NaN unless there is exactly one.
* ``string()`` writes integral numbers without '.0', NaN as 'NaN', infinities as 'Infinity',
  booleans as 'true'/'false'.
* ``selected(a, name)``: the list holds the name, or the string's space-separated words do.
* ``regex(s, p)`` is ``re.search`` (JavaRosa's ``find()``); a bad pattern is false.
* ``if()`` and ``coalesce()`` evaluate only the branch they need. ``int()`` truncates toward
  zero; ``round(x, digits)`` rounds half away from zero on the shortest decimal form of x
  (as JavaRosa's BigDecimal does: round(2.675, 2) is 2.68).
* ``today()`` is the ISO date of ``today`` (by default the computer's date).

A result may be NaN; callers treat NaN as unanswered. Integers beyond 2**63 become floats.
"""

from __future__ import annotations

import datetime
import decimal
import difflib
import functools
import math
import operator
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

MAX_LENGTH = 2000
MAX_DEPTH = 64

_NAN = float("nan")
_INT_LIMIT = 2**63
_TYPES = frozenset({"text", "number", "choice", "choices", "yes_no", "date", "any"})
_YES_NO = frozenset({"yes", "no"})


class ExpressionError(ValueError):
    """A problem in an expression, at ``position`` (0-based) in its text."""

    def __init__(self, message: str, position: int):
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1})"


@dataclass(frozen=True)
class Kind:
    """What a referenced question holds, for checking: type is one of
    'text', 'number', 'choice' (one choice name), 'choices' (several), 'yes_no', 'date', 'any'."""

    type: str
    choices: frozenset[str] = frozenset()  # choice names, for 'choice' / 'choices'

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise ValueError(f"unknown kind {self.type!r}; use one of {sorted(_TYPES)}")


# --- Functions: (fewest arguments, most or None, how it is written) ----------------------------

_FUNCTIONS: dict[str, tuple[int, int | None, str]] = {
    "selected": (2, 2, "selected(${question}, 'choice')"),
    "count-selected": (1, 1, "count-selected(${question})"),
    "string-length": (1, 1, "string-length(text)"),
    "regex": (2, 2, "regex(text, 'pattern')"),
    "today": (0, 0, "today()"),
    "if": (3, 3, "if(condition, then, otherwise)"),
    "coalesce": (2, 2, "coalesce(value, otherwise)"),
    "not": (1, 1, "not(condition)"),
    "true": (0, 0, "true()"),
    "false": (0, 0, "false()"),
    "number": (1, 1, "number(value)"),
    "string": (1, 1, "string(value)"),
    "concat": (1, None, "concat(a, b, …)"),
    "contains": (2, 2, "contains(text, part)"),
    "starts-with": (2, 2, "starts-with(text, start)"),
    "int": (1, 1, "int(number)"),
    "round": (1, 2, "round(number, digits)"),
}
_RESULT_TYPES = {
    **dict.fromkeys(("count-selected", "string-length", "number", "int", "round"), "number"),
    **dict.fromkeys(("selected", "regex", "not", "true", "false", "contains", "starts-with"),
                    "boolean"),
    "string": "text", "concat": "text", "today": "date",
}

# --- Reading the text into tokens ---------------------------------------------------------------

_LEVELS = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
           "+": 5, "-": 5, "*": 6, "div": 6, "mod": 6}
_OR, _AND, _EQUALITY, _RELATION = 1, 2, 3, 4
_KEYWORDS = frozenset({"and", "or", "div", "mod"})
_MISTAKES = {
    "==": "compare with '=', not '=='", "<>": "write '!=' for 'is not'",
    "=<": "write '<=', not '=<'", "=>": "write '>=', not '=>'",
    "&&": "write 'and', not '&&'", "||": "write 'or', not '||'",
    "..": "'..' is not supported; refer to a question as ${name}",
    "!": "write not(…) for 'not', or '!=' for 'is not'",
    "&": "write 'and', not '&'", "|": "write 'or', not '|'",
    "/": "divide with 'div', not '/'", "%": "write 'mod' for the remainder, not '%'",
    "^": "there is no power operator; multiply with '*'",
    "[": "'[' is not supported", "]": "']' is not supported",
    "{": "a question is written ${name}", "}": "'}' without '${' before it",
}
_QUOTES = "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f`\u00b4"
_NAME = re.compile(r"[\w.\-]*")
_WORD = re.compile(r"[\w\-]*")
_NUMBER_LIKE = re.compile(r"[\w.]*")
_REF_IN_TEXT = re.compile(r"\$\{([\w.\-]+)\}")
_NUMBER_LEXEME = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # num str ref dot name op end error
    text: str  # as written
    pos: int
    value: Any = None

    def shown(self) -> str:
        return self.text if self.kind in ("str", "ref") else f"'{self.text}'"


def _tokenize(text: str) -> list[_Token]:
    """Every token, ending with 'end'; a problem becomes an 'error' token, so that the parser
    reports problems in reading order."""
    tokens: list[_Token] = []
    i = 0
    try:
        while i < len(text):
            if text[i].isspace():
                i += 1
                continue
            kind, end, value = _lex_one(text, i)
            tokens.append(_Token(kind, text[i:end], i, value))
            i = end
    except ExpressionError as error:
        tokens.append(_Token("error", "", error.position, error))
        return tokens
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _lex_one(text: str, i: int) -> tuple[str, int, Any]:
    ch, pair = text[i], text[i : i + 2]
    if ch == "$":
        return _lex_reference(text, i)
    if ch in "0123456789" or (pair[1:] and pair[1] in "0123456789" and ch == "."):
        end = i + len(_run(_NUMBER_LEXEME, text, i))
        if end < len(text) and (text[end].isalnum() or text[end] in "._"):
            raise ExpressionError(f"'{_run(_NUMBER_LIKE, text, i)}' is not a number", i)
        return "num", end, _parse_number(text[i:end])
    if ch in "'\"":
        end = text.find(ch, i + 1)
        if end < 0:
            curly = [quote for quote in text[i + 1 :] if quote in _QUOTES][:1]
            hint = f" ({curly[0]} is a curly quote)" if curly else ""
            raise ExpressionError(f"this text has no closing {ch}{hint}", i)
        return "str", end + 1, text[i + 1 : end]
    if ch.isalpha() or ch == "_":
        word = _run(_WORD, text, i) or ch
        if word not in _FUNCTIONS and word.split("-", 1)[0] in _KEYWORDS:
            word = word.split("-", 1)[0]  # 'x mod-1' is 'x mod -1'
        return "name", i + len(word), None
    if pair in _MISTAKES:
        raise ExpressionError(_MISTAKES[pair], i)
    if ch == ".":
        return "dot", i + 1, None
    if pair in ("!=", "<=", ">="):
        return "op", i + 2, None
    if ch in _MISTAKES:
        raise ExpressionError(_MISTAKES[ch], i)
    if ch in "=<>+-*(),":
        return "op", i + 1, None
    if ch in _QUOTES:
        raise ExpressionError(f"{ch} is a curly quote; use a straight quote ' or \"", i)
    raise ExpressionError(f"unexpected character '{ch}'", i)


def _run(pattern: re.Pattern[str], text: str, i: int) -> str:
    """The characters from ``i`` on that ``pattern`` (which may match nothing) matches."""
    match = pattern.match(text, i)
    return match.group() if match else ""


def _lex_reference(text: str, i: int) -> tuple[str, int, Any]:
    if not text.startswith("${", i):
        word = _run(_NAME, text, i + 1)
        raise ExpressionError(f"a question is written ${{{word or 'name'}}}, with braces", i)
    name = _run(_NAME, text, i + 2)
    end = i + 2 + len(name)
    if name and text.startswith("}", end):
        return "ref", end + 1, name
    close, after = text.find("}", i + 2), text.find("$", i + 2)
    if close < 0 or 0 <= after < close:
        message = f"'${{{name}' is not closed: write ${{{name}}}" if name else "'${' is not closed"
        raise ExpressionError(message, i)
    inner = text[i + 2 : close]
    if not inner.strip():
        raise ExpressionError("'${}' needs a question name between the braces", i)
    if _NAME.fullmatch(inner.strip()):
        raise ExpressionError(f"no spaces inside the braces: write ${{{inner.strip()}}}", i)
    raise ExpressionError(
        f"'{inner}' is not a question name; names use letters, digits, '_', '.' and '-'", i)


# --- The tree, and how each node evaluates ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    values: Mapping[str, Any]
    current: Any
    today: datetime.date | None
    names: Mapping[str, Any]


class _Node:
    """A node of the tree; ``pos`` is where it starts in the text."""

    __slots__ = ()
    pos: int

    def eval(self, ctx: _Context) -> Any:
        raise NotImplementedError


# each node class spelt out with its own decorator, which mypy reads as a dataclass (an alias it does not)
@dataclass(frozen=True, slots=True, eq=False)
class _Literal(_Node):
    value: Any
    pos: int
    text: str  # as written, with its quotes

    def eval(self, ctx: _Context) -> Any:
        return self.value


@dataclass(frozen=True, slots=True, eq=False)
class _Ref(_Node):
    name: str
    pos: int

    def eval(self, ctx: _Context) -> Any:
        return _value(ctx.values.get(self.name))


@dataclass(frozen=True, slots=True, eq=False)
class _Name(_Node):
    """A bare name, allowed in a choice_filter only: an attribute of the choice being tested."""

    name: str
    pos: int

    def eval(self, ctx: _Context) -> Any:
        return _value(ctx.names.get(self.name))


@dataclass(frozen=True, slots=True, eq=False)
class _Current(_Node):
    pos: int

    def eval(self, ctx: _Context) -> Any:
        return _value(ctx.current)


@dataclass(frozen=True, slots=True, eq=False)
class _Negative(_Node):
    operand: _Node
    pos: int

    def eval(self, ctx: _Context) -> Any:
        return -_number(self.operand.eval(ctx))


@dataclass(frozen=True, slots=True, eq=False)
class _Chain(_Node):
    """Operands joined by operators of one precedence level, folded left to right (a flat
    chain keeps long sums shallow)."""

    level: int
    first: _Node
    rest: tuple[tuple[str, _Node], ...]
    pos: int

    def eval(self, ctx: _Context) -> Any:
        if self.level in (_OR, _AND):
            stop = self.level == _OR  # or stops at the first true, and at the first false
            result = _boolean(self.first.eval(ctx))
            for _, node in self.rest:
                if result is stop:
                    break
                result = _boolean(node.eval(ctx))
            return result
        value = self.first.eval(ctx)
        for op, node in self.rest:
            value = _BINARY[op](value, node.eval(ctx))
        return value


@dataclass(frozen=True, slots=True, eq=False)
class _Call(_Node):
    name: str
    args: tuple[_Node, ...]
    pos: int

    def eval(self, ctx: _Context) -> Any:
        name, args = self.name, self.args
        if name == "if":
            return (args[1] if _boolean(args[0].eval(ctx)) else args[2]).eval(ctx)
        if name == "coalesce":
            first = args[0].eval(ctx)
            return first if _string(first) != "" else args[1].eval(ctx)
        if name == "today":
            return (ctx.today or datetime.date.today()).isoformat()
        return _RUNTIME[name](*(arg.eval(ctx) for arg in args))


# --- Parsing ------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, names: bool = False):
        self.names = names
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.references: set[str] = set()
        self.uses_current = False

    def peek(self) -> _Token:
        token = self.tokens[self.i]
        if token.kind == "error":
            raise token.value
        return token

    def next(self) -> _Token:
        token = self.peek()
        self.i += 1
        return token

    def is_op(self, text: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text == text

    def parse(self) -> _Node:
        if self.peek().kind == "end":
            raise ExpressionError("the expression is empty", 0)
        node = self.expression(0)
        if self.peek().kind != "end":
            raise self.after_value(self.peek())
        return node

    def expression(self, above: int) -> _Node:
        """Operands and operators binding tighter than level ``above`` (Pratt's loop)."""
        left = self.unary()
        while True:
            token = self.peek()
            level = _LEVELS.get(token.text) if token.kind in ("op", "name") else None
            if level is None or level <= above:
                return left
            self.i += 1
            right = self.expression(level)
            if isinstance(left, _Chain) and left.level == level:
                left = _Chain(level, left.first, (*left.rest, (token.text, right)), left.pos)
            else:
                left = _Chain(level, left, ((token.text, right),), left.pos)

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(
                f"nested too deeply (more than {MAX_DEPTH} brackets, functions and signs)",
                token.pos)

    def unary(self) -> _Node:
        token = self.peek()
        if not self.is_op("-"):
            return self.primary()
        self.i += 1
        self.enter(token)
        node = _Negative(self.unary(), token.pos)
        self.depth -= 1
        return node

    def primary(self) -> _Node:
        token = self.next()
        if token.kind in ("num", "str"):
            return _Literal(token.value, token.pos, token.text)
        if token.kind == "ref":
            self.references.add(token.value)
            return _Ref(token.value, token.pos)
        if token.kind == "dot":
            self.uses_current = True
            return _Current(token.pos)
        if token.kind == "op" and token.text == "(":
            self.enter(token)
            node = self.expression(0)
            if self.peek().kind == "end":
                raise ExpressionError("this '(' is not closed with ')'", token.pos)
            if not self.is_op(")"):
                raise self.after_value(self.peek())
            self.i += 1
            self.depth -= 1
            return node
        if token.kind == "name" and token.text not in _KEYWORDS:
            if self.is_op("("):
                return self.call(token)
            if self.names:
                return _Name(token.text, token.pos)
            raise self.bare_name(token)
        before = self.tokens[self.i - 2] if self.i >= 2 else None
        if token.kind == "end":
            assert before is not None  # an empty text was reported already
            raise ExpressionError(f"expected a value after {before.shown()}", before.pos)
        if before is None:
            raise ExpressionError(f"expected a value before {token.shown()}", token.pos)
        raise ExpressionError(
            f"expected a value after {before.shown()}, found {token.shown()}", token.pos)

    def call(self, token: _Token) -> _Node:
        name = token.text
        if name not in _FUNCTIONS:
            if name.lower() in _FUNCTIONS:
                message = f"function names are written in lowercase: {name.lower()}()"
            else:
                close = difflib.get_close_matches(name, _FUNCTIONS, n=1)
                hint = f"; did you mean {close[0]}()?" if close else ""
                message = f"unknown function '{name}()'{hint}"
            raise ExpressionError(message, token.pos)
        self.i += 1  # the '('
        self.enter(token)
        args: list[_Node] = []
        if self.is_op(")"):
            self.i += 1
        else:
            while True:
                if self.peek().kind == "end":
                    raise ExpressionError(f"{name}( is not closed with ')'", token.pos)
                args.append(self.expression(0))
                after = self.next()
                if after.kind == "op" and after.text in ",)":
                    if after.text == ")":
                        break
                    continue
                if after.kind == "end":
                    raise ExpressionError(f"{name}( is not closed with ')'", token.pos)
                raise ExpressionError(
                    f"expected ',' or ')' in {name}(…), found {after.shown()}", after.pos)
        self.depth -= 1
        fewest, most, usage = _FUNCTIONS[name]
        if not fewest <= len(args) <= (len(args) if most is None else most):
            if most is None:
                wanted = f"at least {fewest} argument{'s' * (fewest != 1)}"
            elif fewest == most:
                wanted = f"{fewest} argument{'s' * (fewest != 1)}" if fewest else "no arguments"
            else:
                wanted = f"{fewest} or {most} arguments"
            raise ExpressionError(
                f"{name}() takes {wanted}, as in {usage}; it has {len(args)}", token.pos)
        return _Call(name, tuple(args), token.pos)

    def bare_name(self, token: _Token) -> ExpressionError:
        word = token.text
        if word.lower() in _FUNCTIONS:
            usage = _FUNCTIONS[word.lower()][2]
            return ExpressionError(f"'{word}' is a function: write {usage}", token.pos)
        if word.lower() in _KEYWORDS:
            return ExpressionError(f"write '{word.lower()}' in lowercase", token.pos)
        return ExpressionError(
            f"unexpected '{word}'; a question is written ${{{word}}}", token.pos)

    def after_value(self, token: _Token) -> ExpressionError:
        """A token where an operator, ')' or the end belongs."""
        if token.kind == "op" and token.text == ")":
            message = "unexpected ')': there is no '(' for it to close"
        elif token.kind == "op" and token.text == ",":
            message = "unexpected ',': commas only separate a function's arguments"
        elif token.kind == "name" and token.text.lower() in _KEYWORDS:
            message = f"write '{token.text.lower()}' in lowercase"
        else:
            message = f"expected an operator (such as 'and', '=' or '+') before {token.shown()}"
        return ExpressionError(message, token.pos)


@dataclass(frozen=True)
class Expression:
    """A parsed expression; build it with ``parse()``. Immutable."""

    text: str
    references: frozenset[str]  # every ${name}
    uses_current: bool  # whether '.' appears
    _root: _Node = field(repr=False, compare=False)

    def evaluate(self, values: Mapping[str, Any], *, current: Any = None,
                 today: datetime.date | None = None, names: Mapping[str, Any] | None = None) -> Any:
        """The value: a bool, int, float (perhaps NaN), str or list. Never raises. ``names``:
        the attributes of the choice a choice_filter is testing."""
        try:
            return self._root.eval(_Context(values, current, today, names or MappingProxyType({})))
        except RecursionError:  # not reachable within MAX_DEPTH; a last guard
            return _NAN

    def truth(self, values: Mapping[str, Any], *, current: Any = None,
              today: datetime.date | None = None, names: Mapping[str, Any] | None = None) -> bool:
        """XPath boolean() of evaluate(): whether a relevance or constraint holds."""
        return _boolean(self.evaluate(values, current=current, today=today, names=names))


@functools.lru_cache(maxsize=512)  # a schedule has tens of expressions; a study, a few versions
def parse(text: str, *, names: bool = False) -> Expression:
    """The expression in ``text``; raises ExpressionError at its first problem. ``names``
    allows bare names (a choice_filter's choice attributes: ``region = ${region}``).

    Parsed once per text: loading a template checks each expression, and its logic, every
    study's template versions and every schedule edit use the same ones again."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is too long ({len(text)} characters; at most {MAX_LENGTH})",
            MAX_LENGTH)
    parser = _Parser(text, names)
    try:
        root = parser.parse()
    except RecursionError:  # not reachable within MAX_DEPTH; a last guard
        raise ExpressionError("nested too deeply", 0) from None
    return Expression(text, frozenset(parser.references), parser.uses_current, root)


# --- Values -------------------------------------------------------------------------------------


def _big(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _value(raw: Any) -> Any:
    """An answer as the evaluator holds it: '' for unanswered, ints within 2**63."""
    if raw is None:
        return ""
    if isinstance(raw, (bool, str, float)):
        return raw
    if isinstance(raw, int):
        return raw if -_INT_LIMIT < raw < _INT_LIMIT else _big(raw)
    if isinstance(raw, (list, tuple, set, frozenset)):
        return [_string(_value(item)) for item in raw]
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    return str(raw)


def _parse_number(text: str) -> int | float:
    text = text.strip()
    if not _NUMBER_TEXT.fullmatch(text):
        return _NAN
    return int(text) if "." not in text and len(text) < 19 else float(text)


def _number(value: Any) -> int | float:
    """XPath number()."""
    if isinstance(value, (bool, int, float)):
        return int(value) if isinstance(value, bool) else value
    if isinstance(value, str):
        return _parse_number(value)
    if isinstance(value, list) and len(value) == 1:
        return _parse_number(_string(value[0]))
    return _NAN


def _string(value: Any) -> str:
    """XPath string()."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if -_INT_LIMIT < value < _INT_LIMIT else _string(_big(value))
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, list):
        return " ".join(_string(item) for item in value)
    return "" if value is None else str(value)


def _boolean(value: Any) -> bool:
    """XPath boolean()."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0 and not math.isnan(value)
    if isinstance(value, (str, list)):
        return len(value) > 0
    return value is not None and _string(value) != ""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(a: Any, b: Any) -> bool:
    if _is_number(a) or _is_number(b):
        return _number(a) == _number(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return _boolean(a) == _boolean(b)
    return _string(a) == _string(b)


def _relation(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def relation(a: Any, b: Any) -> bool:
        if isinstance(a, str) and isinstance(b, str) and _ISO_DATE.fullmatch(a) \
                and _ISO_DATE.fullmatch(b):
            return compare(a, b)
        return compare(_number(a), _number(b))
    return relation


def _arithmetic(compute: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def arithmetic(a: Any, b: Any) -> Any:
        result = compute(_number(a), _number(b))
        if isinstance(result, int) and not -_INT_LIMIT < result < _INT_LIMIT:
            return _big(result)
        return result
    return arithmetic


def _divide(a: Any, b: Any) -> float:
    x, y = float(_number(a)), float(_number(b))
    if y == 0:
        return _NAN if x == 0 or math.isnan(x) else math.copysign(math.inf, x) * math.copysign(1, y)
    return x / y


def _modulo(a: Any, b: Any) -> float:
    try:
        return math.fmod(float(_number(a)), float(_number(b)))
    except ValueError:  # x mod 0, infinity mod x
        return _NAN


def _items(value: Any) -> list[str]:
    return list(value) if isinstance(value, list) else _string(value).split()


def _regex(text: Any, pattern: Any) -> bool:
    try:
        return re.search(_string(pattern), _string(text)) is not None
    except (re.error, OverflowError, ValueError, RecursionError, Warning):
        return False


def _int(value: Any) -> int | float:
    number = _number(value)
    if isinstance(number, int) or not math.isfinite(number):
        return number
    truncated = math.trunc(number)
    return truncated if -_INT_LIMIT < truncated < _INT_LIMIT else number


def _round(value: Any, digits: Any = 0) -> int | float:
    number, places = _number(value), _number(digits)
    if isinstance(number, float) and not math.isfinite(number):
        return number
    if isinstance(places, float) and not math.isfinite(places):
        return _NAN
    places = max(-400, min(400, int(places)))
    if isinstance(number, int) and places >= 0:
        return number
    exact = decimal.Decimal(number if isinstance(number, int) else repr(number))
    with decimal.localcontext(prec=1000):
        rounded = exact.quantize(decimal.Decimal(1).scaleb(-places), decimal.ROUND_HALF_UP)
    result = float(rounded)
    return _int(result) if places <= 0 else result


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "=": _equal, "!=": lambda a, b: not _equal(a, b),
    "<": _relation(operator.lt), "<=": _relation(operator.le),
    ">": _relation(operator.gt), ">=": _relation(operator.ge),
    "+": _arithmetic(operator.add), "-": _arithmetic(operator.sub),
    "*": _arithmetic(operator.mul), "div": _divide, "mod": _modulo,
}
_RUNTIME: dict[str, Callable[..., Any]] = {
    "selected": lambda a, name: _string(name).strip() in _items(a),
    "count-selected": lambda a: len(_items(a)),
    "string-length": lambda s: len(_string(s)),
    "regex": _regex,
    "not": lambda x: not _boolean(x),
    "true": lambda: True,
    "false": lambda: False,
    "number": _number,
    "string": _string,
    "concat": lambda *parts: "".join(_string(part) for part in parts),
    "contains": lambda s, t: _string(t) in _string(s),
    "starts-with": lambda s, t: _string(s).startswith(_string(t)),
    "int": _int,
    "round": _round,
}

# --- Static checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Static:
    """What a node is known to give: a type (a Kind's, or 'boolean'), and for a question its
    name ('.' for this question's own answer) and choices."""

    type: str
    name: str | None = None
    choices: frozenset[str] = frozenset()


_ANY = _Static("any")
_LABELS = {"text": "text", "number": "number", "choice": "choice", "choices": "multiple-choice",
           "yes_no": "yes/no", "date": "date", "any": "", "boolean": "true/false"}


def _describe(s: _Static) -> str:
    if s.name == ".":
        return f"this {_LABELS[s.type]} question"
    if s.name is not None:
        return f"the {_LABELS[s.type]} question '{s.name}'"
    return {"number": "a number", "text": "a text value", "date": "a date"}.get(
        s.type, "a true/false value")


def _owner(s: _Static) -> str:
    return "this question" if s.name == "." else f"'{s.name}'"


def _numeric(names: Collection[str]) -> bool:
    return all(not math.isnan(_parse_number(name)) for name in names)


def _listing(names: Collection[str]) -> str:
    ordered = sorted(names, key=lambda name: (math.isnan(_parse_number(name)),
                                              _parse_number(name) if _numeric([name]) else 0, name))
    return ", ".join(ordered[:6]) + (", …" if len(ordered) > 6 else "")


def _text_of(node: _Node) -> str | None:
    """The string of a text literal, else None."""
    return node.value if isinstance(node, _Literal) and isinstance(node.value, str) else None


def _source(node: _Node) -> str:
    """A literal as written, quotes and all."""
    return node.text if isinstance(node, _Literal) else ""


def _choices_of(s: _Static) -> frozenset[str]:
    return _YES_NO if s.type == "yes_no" else s.choices


class _Checker:
    def __init__(self, kinds: Mapping[str, Kind], later: Collection[str],
                 unavailable: Mapping[str, str], self_id: str | None, current: Kind | None,
                 names: Mapping[str, Kind]):
        self.kinds, self.later, self.unavailable = kinds, later, unavailable
        self.self_id, self.current, self.names = self_id, current, names
        self.errors: list[ExpressionError] = []

    def error(self, message: str, node: _Node) -> None:
        self.errors.append(ExpressionError(message, node.pos))

    def visit(self, node: _Node) -> _Static:
        if isinstance(node, _Literal):
            return _Static("text" if isinstance(node.value, str) else "number")
        if isinstance(node, _Ref):
            return self.reference(node)
        if isinstance(node, _Name):
            if node.name not in self.names:
                known = ", ".join(sorted(self.names)) or "the choices have none"
                self.error(f"'{node.name}' is not an attribute of the choices ({known}); "
                           f"a question is written ${{{node.name}}}", node)
                return _ANY
            return _Static(self.names[node.name].type)
        if isinstance(node, _Current):
            if self.current is None:
                self.error("'.' (this question's answer) can only be used in a constraint", node)
                return _ANY
            return _Static(self.current.type, ".", self.current.choices)
        if isinstance(node, _Negative):
            self.arithmetic("-", node.operand, self.visit(node.operand))
            return _Static("number")
        if isinstance(node, _Chain):
            return self.chain(node)
        assert isinstance(node, _Call)
        return self.call(node)

    def reference(self, node: _Ref) -> _Static:
        name = node.name
        if name == self.self_id:
            self.error(f"refers to itself ('{name}')", node)
        elif name in self.later:
            self.error(f"refers to '{name}', which comes later in the schedule", node)
        elif name in self.unavailable:
            self.error(f"refers to '{name}', which {self.unavailable[name]}", node)
        elif name not in self.kinds:
            close = difflib.get_close_matches(name, list(self.kinds), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.error(f"unknown question '{name}'{hint}", node)
        else:
            kind = self.kinds[name]
            return _Static(kind.type, name, kind.choices)
        return _ANY

    def chain(self, node: _Chain) -> _Static:
        left = self.visit(node.first)
        if node.level in (_OR, _AND):
            for _, operand in node.rest:
                self.visit(operand)
            return _Static("boolean")
        if node.level in (_EQUALITY, _RELATION):
            left_node: _Node | None = node.first
            for op, operand in node.rest:
                right = self.visit(operand)
                if left_node is not None:
                    self.compare(op, left_node, left, operand, right)
                left_node = None  # further on, the left side is the comparison's true/false
            return _Static("boolean")
        self.arithmetic(node.rest[0][0], node.first, left)
        for op, operand in node.rest:
            self.arithmetic(op, operand, self.visit(operand))
        return _Static("number")

    def arithmetic(self, op: str, node: _Node, s: _Static) -> None:
        text = _text_of(node)
        if text is not None and math.isnan(_parse_number(text)):
            self.error(f"'{op}' needs numbers, not the text {_source(node)}", node)
        elif s.name is not None and (s.type in ("text", "yes_no", "date") or (
                s.type == "choice" and not _numeric(s.choices))):
            self.error(f"'{op}' needs numbers, not {_describe(s)}", node)

    def compare(self, op: str, left_node: _Node, left: _Static, right_node: _Node,
                right: _Static) -> None:
        for s, literal in ((left, right_node), (right, left_node)):
            if isinstance(literal, _Literal):
                message = self.mismatch(op, s, literal)
                if message:
                    self.error(message, literal)
                    return
        if op not in ("=", "!="):
            for node in (left_node, right_node):
                text = _text_of(node)
                if text and text.strip() and not _ISO_DATE.fullmatch(text) \
                        and math.isnan(_parse_number(text)):
                    self.error(f"'{op}' compares numbers or dates, not the text {_source(node)}",
                               node)

    def mismatch(self, op: str, s: _Static, literal: _Literal) -> str | None:
        """What is certainly wrong with comparing ``s`` with ``literal``, if anything."""
        text = _text_of(literal)
        if text is not None and not text.strip():
            return None  # comparing with '' asks whether it is answered
        if s.type == "number":
            if text is not None and math.isnan(_parse_number(text)):
                return f"compares {_describe(s)} with the text {literal.text}"
            return None
        if s.name is None:
            return None  # the rest is about questions
        if s.type == "date" and text is not None and not _ISO_DATE.fullmatch(text):
            return (f"compares {_describe(s)} with the text {literal.text}; "
                    "dates are written 'YYYY-MM-DD'")
        names = _choices_of(s)
        if s.type not in ("choice", "yes_no") or not names:
            return None
        if text is None and not _numeric(names):
            return (f"compares {_describe(s)} with the number {literal.text}; "
                    f"its choices are names ({_listing(names)})")
        known = names if text is not None else {_parse_number(name) for name in names}
        if op in ("=", "!=") and literal.value not in known:
            return f"{literal.text} is not a choice of {_owner(s)} (choices: {_listing(names)})"
        return None

    def call(self, node: _Call) -> _Static:
        statics = [self.visit(arg) for arg in node.args]
        if node.name in ("selected", "count-selected"):
            s, first = statics[0], node.args[0]
            if s.type == "any":
                pass
            elif s.name is None or s.type not in ("choice", "choices", "yes_no"):
                self.error(f"{node.name}() needs a choice question, not {_describe(s)}", first)
            elif node.name == "selected" and isinstance(node.args[1], _Literal):
                choice, names = node.args[1], _choices_of(s)
                if names and _string(choice.value).strip() not in names:
                    self.error(f"{choice.text} is not a choice of {_owner(s)} "
                               f"(choices: {_listing(names)})", choice)
        pattern = _text_of(node.args[1]) if node.name == "regex" else None
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, OverflowError, ValueError, RecursionError) as problem:
                self.error(f"regex: bad pattern {_source(node.args[1])} ({problem})", node.args[1])
        return _Static(_RESULT_TYPES.get(node.name, "any"))


def check(expression: Expression, kinds: Mapping[str, Kind], *, later: Collection[str] = (),
          unavailable: Mapping[str, str] = MappingProxyType({}), self_id: str | None = None,
          current: Kind | None = None,
          names: Mapping[str, Kind] | None = None) -> list[ExpressionError]:
    """Every static problem of ``expression`` in its place in the schedule, in text order;
    an empty list means it is fine. ``kinds``: the questions it may refer to; ``later``: ones
    after it; ``unavailable``: name → why not (completes "which …"); ``current``: this
    question's kind, in a constraint (None elsewhere: '.' is then an error); ``names``: the
    choice attributes a choice_filter may name bare."""
    checker = _Checker(kinds, later, unavailable, self_id, current, names or {})
    checker.visit(expression._root)
    return sorted(checker.errors, key=lambda error: error.position)


def references_in_text(text: str) -> list[tuple[str, int]]:
    """Each ${name} in a label or help text: (name, position of its '$')."""
    return [(match.group(1), match.start()) for match in _REF_IN_TEXT.finditer(text)]


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ${name} replaced by values.get(name, ''); '$$' is not special."""
    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return "" if value is None else str(value)
    return _REF_IN_TEXT.sub(fill, text)
