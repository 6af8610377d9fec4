"""The question-logic expression language: parsing, located errors, static checks, evaluation."""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.expressions import (
    MAX_DEPTH,
    Expression,
    ExpressionError,
    Kind,
    check,
    fill_text,
    parse,
    references_in_text,
)

DAY = datetime.date(2024, 5, 1)


def value(text: str, values: Mapping[str, Any] | None = None, **options: Any) -> Any:
    options.setdefault("today", DAY)
    return parse(text).evaluate(values or {}, **options)


def error(text: str) -> str:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    return str(caught.value)


def same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN and the type (int, float, bool, str) the same."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


# --- Parsing and precedence ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("1 + 2 * 3", 7),                  # * binds tighter than +
    ("(1 + 2) * 3", 9),
    ("10 - 2 * 3", 4),
    ("2 - 3 - 4", -5),                 # left to right
    ("8 div 2 div 2", 2.0),
    ("2 * 3 mod 4", 2.0),              # (2 * 3) mod 4
    ("7 mod 3 * 2", 2.0),              # (7 mod 3) * 2
    ("-2 * 3", -6),
    ("- 2 + 3", 1),                    # unary minus binds tighter than +
    ("- - 5", 5),
    ("1 - -1", 2),
    ("1-.5", 0.5),
    ("1 or 0 and 0", True),            # and binds tighter than or
    ("0 and 1 or 1", True),
    ("1 < 2 = 1", True),               # (1 < 2) = 1: relations bind tighter than =
    ("3 > 2 > 1", False),              # (3 > 2) > 1 is true > 1 is 1 > 1
    ("1 + 2 = 3 and 2 * 2 != 5", True),
    (".5 + 5.", 5.5),
])
def test_precedence(text, expected):
    assert same(value(text), expected)


def test_names_with_hyphens_dots_and_operators_written_close():
    assert value("${x} div-2", {"x": 7}) == -3.5  # 'div-2' is 'div -2'
    assert value("${a-b} + ${q.1}", {"a-b": 1, "q.1": 2}) == 3
    assert value("${a}-${b}", {"a": 5, "b": 2}) == 3
    assert value("count-selected(${m})-1", {"m": ["a", "b"]}) == 1
    assert value("\"it's\" = concat('it', \"'\", 's')") is True  # no escapes: the other quote
    assert value("\t1\n+\r\n2 ") == 3


def test_references_and_current():
    expression = parse("${a} + ${b.c} > . and ${a-1} = '${not_a_reference}' or ${a} = 1")
    assert expression.references == frozenset({"a", "b.c", "a-1"})
    assert expression.uses_current is True
    plain = parse("0.5 + .5 = 1")
    assert plain.references == frozenset() and plain.uses_current is False
    assert plain.text == "0.5 + .5 = 1"


def test_expression_is_immutable_and_compares_by_text():
    expression = parse("${a} = 1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        expression.text = "${b} = 1"  # type: ignore[misc]
    assert expression == parse("${a} = 1") and hash(expression) == hash(parse("${a} = 1"))
    assert expression != parse("${a} = 2")


# --- Parse errors: message and position ---------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ("foo", "unexpected 'foo'; a question is written ${foo} (at character 1)"),
    ("foo = 1", "unexpected 'foo'; a question is written ${foo} (at character 1)"),
    ("${a} = 1 or foo = 1", "unexpected 'foo'; a question is written ${foo} (at character 13)"),
    ("1 + selected(${a})",
     ("selected() takes 2 arguments, as in selected(${question}, 'choice'); it has 1 "
     "(at character 5)")),
    ("not(today(1))", "today() takes no arguments, as in today(); it has 1 (at character 5)"),
    ("if(1, 2)", ("if() takes 3 arguments, as in if(condition, then, otherwise); it has 2 "
     "(at character 1)")),
    ("round(1, 2, 3)", ("round() takes 1 or 2 arguments, as in round(number, digits); it has 3 "
     "(at character 1)")),
    ("concat()", ("concat() takes at least 1 argument, as in concat(a, b, …); it has 0 "
     "(at character 1)")),
    ("count-selectd(${m})",
     "unknown function 'count-selectd()'; did you mean count-selected()? (at character 1)"),
    ("zzz(1)", "unknown function 'zzz()' (at character 1)"),
    ("1 = Selected(${m}, 'a')",
     "function names are written in lowercase: selected() (at character 5)"),
    ("today", "'today' is a function: write today() (at character 1)"),
    ("not ${a}", "'not' is a function: write not(condition) (at character 1)"),
    ("${a} = 1 AND ${b} = 2", "write 'and' in lowercase (at character 10)"),
    ("", "the expression is empty (at character 1)"),
    ("   ", "the expression is empty (at character 1)"),
    ("${a} =", "expected a value after '=' (at character 6)"),
    ("${a} = 1 and", "expected a value after 'and' (at character 10)"),
    ("and ${a}", "expected a value before 'and' (at character 1)"),
    ("${a} = * 2", "expected a value after '=', found '*' (at character 8)"),
    ("(${a} = 1", "this '(' is not closed with ')' (at character 1)"),
    ("${a} = 1)", "unexpected ')': there is no '(' for it to close (at character 9)"),
    ("${a}, 1", "unexpected ',': commas only separate a function's arguments (at character 5)"),
    ("${a} ${b}", "expected an operator (such as 'and', '=' or '+') before ${b} (at character 6)"),
    ("(1 2)", "expected an operator (such as 'and', '=' or '+') before '2' (at character 4)"),
    ("selected(${m} 'x')", "expected ',' or ')' in selected(…), found 'x' (at character 15)"),
    ("concat(1,", "concat( is not closed with ')' (at character 1)"),
    ("concat(1, 2", "concat( is not closed with ')' (at character 1)"),
    ("concat(1,)", "expected a value after ',', found ')' (at character 10)"),
    ("'abc", "this text has no closing ' (at character 1)"),
    ("1 = \"abc", "this text has no closing \" (at character 5)"),
    ("${a} = 'yes\u2019", "this text has no closing ' (\u2019 is a curly quote) (at character 8)"),
    ("${a", "'${a' is not closed: write ${a} (at character 1)"),
    ("${a = 1 and ${b} = 2", "'${a' is not closed: write ${a} (at character 1)"),
    ("1 + ${", "'${' is not closed (at character 5)"),
    ("${a b}", ("'a b' is not a question name; names use letters, digits, '_', '.' and '-' "
     "(at character 1)")),
    ("${ a }", "no spaces inside the braces: write ${a} (at character 1)"),
    ("${}", "'${}' needs a question name between the braces (at character 1)"),
    ("$a = 1", "a question is written ${a}, with braces (at character 1)"),
    ("5km", "'5km' is not a number (at character 1)"),
    ("1 + 1.2.3", "'1.2.3' is not a number (at character 5)"),
    ("${a} == 1", "compare with '=', not '==' (at character 6)"),
    ("${a} <> 1", "write '!=' for 'is not' (at character 6)"),
    ("${a} && ${b}", "write 'and', not '&&' (at character 6)"),
    ("${a} / 2", "divide with 'div', not '/' (at character 6)"),
    ("${a} % 2", "write 'mod' for the remainder, not '%' (at character 6)"),
    ("!${a}", "write not(…) for 'not', or '!=' for 'is not' (at character 1)"),
    ("${a} = \u2018yes\u2019",
     "\u2018 is a curly quote; use a straight quote ' or \" (at character 8)"),
    ("${a} # 1", "unexpected character '#' (at character 6)"),
])
def test_parse_error_messages(text, message):
    assert error(text) == message


def test_first_problem_in_reading_order_wins():
    # the unclosed text comes after the bare name: the bare name is reported
    assert error("foo = 'abc") == "unexpected 'foo'; a question is written ${foo} (at character 1)"
    assert error("1 = 'abc") == "this text has no closing ' (at character 5)"


def test_error_is_a_value_error_with_message_and_position():
    with pytest.raises(ValueError) as caught:
        parse("1 +")
    assert isinstance(caught.value, ExpressionError)
    assert (caught.value.message, caught.value.position) == ("expected a value after '+'", 2)


def test_length_limit():
    assert isinstance(parse("1" + " " * 1999), Expression)
    message = error("1" + " " * 2000)
    assert message == (
        "the expression is too long (2001 characters; at most 2000) (at character 2001)")


@pytest.mark.parametrize(("open_", "close"), [("(", ")"), ("not(", ")"), ("-", ""),
                                              ("if(1, 2, ", ")")])
def test_depth_limit(open_, close):
    deepest = open_ * MAX_DEPTH + "1" + close * MAX_DEPTH
    assert parse(deepest).evaluate({}) is not None
    message = error(open_ * (MAX_DEPTH + 1) + "1" + close * (MAX_DEPTH + 1))
    assert message.startswith("nested too deeply (more than 64")
    assert message.endswith(f"(at character {MAX_DEPTH * len(open_) + 1})")


def test_worst_case_trees_evaluate_and_check_without_recursion_errors():
    chain = "+".join(["1"] * 1000)  # 1999 characters, all at one level
    assert parse(chain).evaluate({}) == 1000
    nested = "${a}"
    for _ in range(MAX_DEPTH - 1):  # every precedence level at every depth
        nested = f"(1 or 1 and 1 = 1 < 1 + 1 * {nested})"
    expression = parse(nested)
    assert expression.evaluate({"a": 2}) is True
    assert check(expression, {"a": Kind("number")}) == []


# --- Static checks ------------------------------------------------------------------------------

AREAS = frozenset({"birmingham", "coventry", "leeds", "london", "york", "bath", "hull"})
KINDS = {
    "staff": Kind("number"),
    "area": Kind("choice", AREAS),
    "size": Kind("choice", frozenset({"small", "large"})),
    "scale": Kind("choice", frozenset({"1", "2", "3", "4", "5"})),
    "services": Kind("choices", frozenset({"advice", "youth", "other"})),
    "board": Kind("yes_no"),
    "name": Kind("text"),
    "opened": Kind("date"),
    "anything": Kind("any"),
}


def problems(text: str, **options: Any) -> list[str]:
    return [str(problem) for problem in check(parse(text), KINDS, **options)]


@pytest.mark.parametrize(("text", "options", "expected"), [
    ("${staff} > 5 and ${staff} <= 500", {}, []),
    ("${me} = 1", {"self_id": "me"}, ["refers to itself ('me') (at character 1)"]),
    ("1 = ${next}", {"later": ["next"]},
     ["refers to 'next', which comes later in the schedule (at character 5)"]),
    ("${gone} = 1", {"unavailable": {"gone": "is on a page that is never asked"}},
     ["refers to 'gone', which is on a page that is never asked (at character 1)"]),
    ("${nobody} = 1", {}, ["unknown question 'nobody' (at character 1)"]),
    ("${staf} = 1", {}, ["unknown question 'staf'; did you mean 'staff'? (at character 1)"]),
    (". > 5", {},
     ["'.' (this question's answer) can only be used in a constraint (at character 1)"]),
    (". > 5", {"current": Kind("number")}, []),
    ("${staff} = 'many'", {}, [("compares the number question 'staff' with the text 'many' "
                               "(at character 12)")]),
    ("'many' < ${staff}", {}, [("compares the number question 'staff' with the text 'many' "
                               "(at character 1)")]),
    ("${staff} = '12' or ${staff} != ''", {}, []),
    (". = 'lots'", {"current": Kind("number")},
     ["compares this number question with the text 'lots' (at character 5)"]),
    ("${staff} + 1 = 'many'", {}, ["compares a number with the text 'many' (at character 16)"]),
    ("${size} = 5", {}, [("compares the choice question 'size' with the number 5; its choices are "
                         "names (large, small) (at character 11)")]),
    ("${area} != 2", {}, [("compares the choice question 'area' with the number 2; its choices are "
                          "names (bath, birmingham, coventry, hull, leeds, london, …) "
                          "(at character 12)")]),
    ("${scale} = 5 or ${scale} >= 3", {}, []),
    ("${scale} = 7", {},
     ["7 is not a choice of 'scale' (choices: 1, 2, 3, 4, 5) (at character 12)"]),
    ("${area} = 'Birmingam'", {}, [("'Birmingam' is not a choice of 'area' (choices: bath, "
                                   "birmingham, coventry, hull, leeds, london, …) "
                                   "(at character 11)")]),
    ("'large' = ${size} or ${size} = ''", {}, []),
    ("${board} = 'Yes'", {}, [("'Yes' is not a choice of 'board' (choices: no, yes) "
                              "(at character 12)")]),
    ("${board} = 'yes'", {}, []),
    ("selected(${services}, 'other') and count-selected(${services}) <= 2", {}, []),
    ("selected(${services}, 'others')", {}, [("'others' is not a choice of 'services' (choices: "
                                              "advice, other, youth) (at character 23)")]),
    ("selected(${staff}, 'a')", {}, [("selected() needs a choice question, not the number "
                                     "question 'staff' (at character 10)")]),
    ("count-selected(${name}) > 1", {}, [("count-selected() needs a choice question, not the text "
                                          "question 'name' (at character 16)")]),
    ("count-selected('a b') > 1", {}, [("count-selected() needs a choice question, not a text "
                                        "value (at character 16)")]),
    ("selected(${size}, 'small') and selected(${board}, 'yes')", {}, []),
    ("${name} + 1 > 2", {}, ["'+' needs numbers, not the text question 'name' (at character 1)"]),
    ("2 * ${size} > 2", {}, ["'*' needs numbers, not the choice question 'size' (at character 5)"]),
    ("-${name} < 0", {}, ["'-' needs numbers, not the text question 'name' (at character 2)"]),
    ("${staff} div 'two' > 1", {}, ["'div' needs numbers, not the text 'two' (at character 14)"]),
    ("${scale} * 2 + ${staff} - '3' > 1", {}, []),
    ("regex(${name}, '[a-')", {}, [("regex: bad pattern '[a-' (unterminated character set at "
                                   "position 0) (at character 16)")]),
    ("regex(${name}, '^[0-9]{5}$')", {}, []),
    (r"regex(${name}, '\d[')", {}, [  # the pattern as written, backslash and all
        r"regex: bad pattern '\d[' (unterminated character set at position 2) (at character 16)"]),
    ("${opened} < today() and ${opened} > '2020-01-01'", {}, []),
    ("${opened} = 'yesterday'", {}, [("compares the date question 'opened' with the text "
                                     "'yesterday'; dates are written 'YYYY-MM-DD' "
                                     "(at character 13)")]),
    ("${name} < 'abc'", {}, [("'<' compares numbers or dates, not the text 'abc' "
                             "(at character 11)")]),
    ("${anything} = 'x' and ${anything} + 1 > 2 or selected(${anything}, 'z')", {}, []),
    ("${name} = 'x' and ${name} != 5", {}, []),
])
def test_check(text, options, expected):
    assert problems(text, **options) == expected


def test_check_reports_every_problem_in_text_order():
    found = problems("${gone} = 1 or ${staff} = 'many' and ${size} = 'medium' or ${x}",
                     unavailable={"gone": "is skipped"})
    assert found == [
        "refers to 'gone', which is skipped (at character 1)",
        "compares the number question 'staff' with the text 'many' (at character 27)",
        "'medium' is not a choice of 'size' (choices: large, small) (at character 48)",
        "unknown question 'x' (at character 60)",
    ]


def test_only_questions_in_kinds_may_be_referenced():
    assert problems("${staff} = 1", self_id="staff") == [
        "refers to itself ('staff') (at character 1)"]
    assert [str(p) for p in check(parse("${staff} = 1"), {})] == [
        "unknown question 'staff' (at character 1)"]


def test_kind_rejects_unknown_types():
    with pytest.raises(ValueError):
        Kind("integer")


# --- Evaluation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "values", "current", "expected"), [
    ("${n} > 5 and ${n} <= 500", {"n": 50}, None, True),
    ("${n} > 5 and ${n} <= 500", {"n": 501}, None, False),
    ("${n} > 5 and ${n} <= 500", {"n": "12"}, None, True),
    ("${n} > 5 and ${n} <= 500", {}, None, False),
    (". >= 0 and . <= 500", {}, 0, True),
    (". >= 0 and . <= 500", {}, -1, False),
    (". >= 0 and . <= 500", {}, None, False),
    ("selected(${m}, 'other')", {"m": ["advice", "other"]}, None, True),
    ("selected(${m}, 'other')", {"m": "advice other"}, None, True),
    ("selected(${m}, 'other')", {"m": ["advice"]}, None, False),
    ("selected(${m}, 'other')", {"m": None}, None, False),
    ("count-selected(${m}) <= 2", {"m": ["a", "b"]}, None, True),
    ("count-selected(${m}) <= 2", {"m": "a b c"}, None, False),
    ("count-selected(${m})", {}, None, 0),
    ("${yn} = 'yes'", {"yn": "yes"}, None, True),
    ("${yn} = 'yes'", {"yn": "no"}, None, False),
    ("${a} != ''", {"a": None}, None, False),
    ("${a} != ''", {}, None, False),
    ("${a} != ''", {"a": 0}, None, True),          # a number against '' (NaN): != is true
    ("${a} = ''", {"a": 0}, None, False),
    ("string-length(${t}) > 3", {"t": "abcd"}, None, True),
    ("string-length(${t}) > 3", {"t": "abc"}, None, False),
    ("string-length(${t})", {"t": "héllo"}, None, 5),
    ("regex(., '^[0-9]{5}$')", {}, "12345", True),
    ("regex(., '^[0-9]{5}$')", {}, "1234", False),
    ("regex(., '^[0-9]{5}$')", {}, 12345, True),
    ("regex(., '[0-9]')", {}, "ab1", True),          # search, not a whole match
    ("if(${x} = 1, 'a', 'b')", {"x": 1}, None, "a"),
    ("if(${x} = 1, 'a', 'b')", {"x": "2"}, None, "b"),
    ("if(${x} = 1, 'a', 'b')", {}, None, "b"),
    ("coalesce(${x}, 'none')", {}, None, "none"),
    ("coalesce(${x}, 'none')", {"x": "given"}, None, "given"),
    ("coalesce(${x}, 'none')", {"x": 0}, None, 0),
    ("${d} < today()", {"d": "2024-04-30"}, None, True),
    ("${d} < today()", {"d": "2024-05-01"}, None, False),
    ("${d} < today()", {}, None, False),
    ("${d} >= '2023-12-31'", {"d": "2024-01-01"}, None, True),
    ("${a} + ${b}", {"a": 2}, None, math.nan),
    ("${a} + ${b}", {"a": 2, "b": 3}, None, 5),
    ("${a} + ${b}", {"a": 2, "b": "3.5"}, None, 5.5),
    ("7 mod 3", {}, None, 1.0),
    ("-7 mod 3", {}, None, -1.0),
    ("7 mod -3", {}, None, 1.0),
    ("5.5 mod 2", {}, None, 1.5),
    ("5 mod 0", {}, None, math.nan),
    ("1 div 0", {}, None, math.inf),
    ("-1 div 0", {}, None, -math.inf),
    ("0 div 0", {}, None, math.nan),
    ("6 div 3", {}, None, 2.0),
    ("2 * 3 - 1", {}, None, 5),
    ("not(${x} = 'a')", {"x": "a"}, None, False),
    ("not(${x} = 'a')", {"x": "b"}, None, True),
    ("not(${x} = 'a')", {}, None, True),
])
def test_evaluation_table(text, values, current, expected):
    assert same(value(text, values, current=current), expected)


@pytest.mark.parametrize(("text", "values", "expected"), [
    # = and !=: a number makes both numbers; else a boolean makes both booleans; else strings
    ("${n} = '5'", {"n": 5}, True),
    ("${s} = 5", {"s": " 5.0 "}, True),
    ("${s} = 5", {"s": "five"}, False),
    ("${s} != 5", {"s": "five"}, True),
    ("true() = 'x'", {}, True),
    ("true() = ''", {}, False),
    ("false() = 0", {}, True),
    ("true() = 2", {}, False),                       # numbers first: 1 = 2
    ("${m} = 'a b'", {"m": ["a", "b"]}, True),
    ("'5' = '5.0'", {}, False),                      # two strings compare as strings
    # < <= > >=: dates as dates, anything else as numbers
    ("'10' > '9'", {}, True),
    ("'2024-01-02' > '2024-01-01'", {}, True),
    ("'2024-01-02' > 5", {}, False),
    ("${m} > 2", {"m": ["3"]}, True),
    ("${m} > 2", {"m": ["3", "4"]}, False),
    # number() and string()
    ("number(' 12 ')", {}, 12),
    ("number('-2.5')", {}, -2.5),
    ("number('1e5')", {}, math.nan),
    ("number('inf')", {}, math.nan),
    ("number(true())", {}, 1),
    ("number(${x})", {}, math.nan),
    ("string(${x})", {"x": 3.0}, "3"),
    ("string(${x})", {"x": 2.5}, "2.5"),
    ("string(${x})", {"x": ["a", "b"]}, "a b"),
    ("string(${x})", {"x": None}, ""),
    ("string(1 = 1)", {}, "true"),
    ("string(0 div 0)", {}, "NaN"),
    ("concat('x', -1 div 0)", {}, "x-Infinity"),
    ("concat('n=', ${n}, ', ', true())", {"n": 7}, "n=7, true"),
    # int() and round()
    ("int(-3.7)", {}, -3),
    ("int('2.9')", {}, 2),
    ("int('')", {}, math.nan),
    ("round(2.5)", {}, 3),
    ("round(-2.5)", {}, -3),
    ("round(0.5)", {}, 1),
    ("round(2.675, 2)", {}, 2.68),
    ("round(1.005, 2)", {}, 1.01),
    ("round(1234.5678, -2)", {}, 1200),
    ("round(1 div 0)", {}, math.inf),
    ("round(1.5, 'x')", {}, math.nan),
    # text functions
    ("contains(${t}, 'ell')", {"t": "hello"}, True),
    ("starts-with(${t}, 'ell')", {"t": "hello"}, False),
    ("starts-with(${t}, 'he')", {"t": "hello"}, True),
    ("regex(${t}, ${p})", {"t": "abc", "p": "["}, False),   # a bad pattern at run time
    ("true() and not(false())", {}, True),
    # boolean() of each type
    ("if(${x}, 1, 0)", {"x": "0"}, 1),                       # a non-empty string
    ("if(${x}, 1, 0)", {"x": 0}, 0),
    ("if(${x}, 1, 0)", {"x": math.nan}, 0),
    ("if(${x}, 1, 0)", {"x": []}, 0),
    ("if(${x}, 1, 0)", {"x": ["a"]}, 1),
])
def test_semantics(text, values, expected):
    assert same(value(text, values), expected)


def test_truth_is_xpath_boolean():
    assert parse("${a}").truth({"a": "x"}) is True
    assert parse("${a}").truth({"a": ""}) is False
    assert parse("${a} + 1").truth({}) is False  # NaN
    assert parse("count-selected(${m})").truth({"m": ["a"]}) is True


def test_today_defaults_to_the_computers_date():
    before = datetime.date.today().isoformat()
    result = parse("today()").evaluate({})
    assert result in {before, datetime.date.today().isoformat()}
    assert parse("today()").evaluate({}, today=datetime.date(2001, 2, 3)) == "2001-02-03"


class Recording(Mapping[str, Any]):
    """Answers that remember which were looked up."""

    def __init__(self, **answers: Any):
        self.answers, self.read = answers, []

    def __getitem__(self, name: str) -> Any:
        self.read.append(name)
        return self.answers[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.answers)

    def __len__(self) -> int:
        return len(self.answers)


@pytest.mark.parametrize(("text", "answers", "read"), [
    ("if(${c} = 1, ${a}, ${b})", {"c": 1, "a": 1, "b": 2}, ["c", "a"]),
    ("if(${c} = 1, ${a}, ${b})", {"c": 0, "a": 1, "b": 2}, ["c", "b"]),
    ("coalesce(${a}, ${b})", {"a": "x", "b": "y"}, ["a"]),
    ("coalesce(${a}, ${b})", {"a": "", "b": "y"}, ["a", "b"]),
    ("${a} = 1 or ${b} = 1", {"a": 1, "b": 1}, ["a"]),
    ("${a} = 1 and ${b} = 1", {"a": 0, "b": 1}, ["a"]),
    ("${a} = 1 and ${b} = 1", {"a": 1, "b": 1}, ["a", "b"]),
])
def test_untaken_branches_are_not_evaluated(text, answers, read):
    values = Recording(**answers)
    parse(text).evaluate(values)
    assert values.read == read


def test_huge_numbers_and_odd_values_do_not_raise():
    assert value("${a} * ${a} > 1", {"a": 10**400}) is True
    assert value("${a} div 3", {"a": 10**400}) == math.inf
    assert value("string(${a})", {"a": -(10**5000)}) == "-Infinity"
    assert value("${a} + 1", {"a": 2**63}) == float(2**63)  # beyond 2**63, a float
    assert value("${a} + 1", {"a": 2**62}) == 2**62 + 1
    assert value("int(${a})", {"a": 1e300}) == 1e300
    assert value("round(${a}, 400)", {"a": 1e300}) == 1e300
    assert value("round(${a}, 99999999999)", {"a": 1.25}) == 1.25
    assert value("string(${d})", {"d": datetime.date(2024, 1, 2)}) == "2024-01-02"
    assert value("${a} * 10", {"a": 1e308}) == math.inf


# --- Label texts ------------------------------------------------------------------------------


def test_references_in_text():
    text = "Hello ${name}, you said ${n} (not ${ bad } or $n); $${cost}."
    assert references_in_text(text) == [("name", 6), ("n", 24), ("cost", 52)]
    assert references_in_text("no references") == []


def test_fill_text():
    text = "Hello ${name}, you said ${n}; $${cost}; ${missing}."
    assert fill_text(text, {"name": "Ada", "n": "0", "cost": "5"}) == "Hello Ada, you said 0; $5; ."
    assert fill_text("${a}${a}", {"a": "x"}) == "xx"
    assert fill_text("${a}", {"a": None}) == ""  # type: ignore[dict-item]


# --- Properties ---------------------------------------------------------------------------------


@given(st.text())
def test_any_text_parses_or_raises_expression_error(text):
    try:
        expression = parse(text)
    except ExpressionError as problem:
        assert 0 <= problem.position <= len(text)
        assert str(problem).endswith(f"(at character {problem.position + 1})")
    else:
        assert isinstance(expression, Expression)


PIECES = ["${a}", "${b}", ".", "5", "2.5", ".5", "'x'", '"y"', "(", ")", ",", "=", "!=", "<",
          "<=", ">", ">=", "+", "-", "*", "div", "mod", "and", "or", "selected(", "if(",
          "count-selected(", "today()", "not(", "round(", "foo", "$", "${", "}", "'", "==", "/"]


@given(st.lists(st.sampled_from(PIECES), max_size=30), st.sampled_from([" ", ""]))
def test_token_soup_parses_or_raises_expression_error(pieces, separator):
    text = separator.join(pieces)
    try:
        expression = parse(text)
    except ExpressionError as problem:
        assert 0 <= problem.position <= len(text)
    else:
        expression.evaluate({"a": 1, "b": ["x"]}, current="3")  # and evaluates without raising
        check(expression, {"a": Kind("number")}, current=Kind("text"))


NAMES = ["a", "b", "n", "m", "staff_count", "q.1", "x-y", "Ünï"]
SPACE = st.sampled_from([" ", "  ", "\t", "\n"])
OPERATORS = ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"]
ARITIES = {"selected": 2, "count-selected": 1, "string-length": 1, "regex": 2, "if": 3,
           "coalesce": 2, "not": 1, "number": 1, "string": 1, "concat": 4, "contains": 2,
           "starts-with": 2, "int": 1, "round": 2}

Generated = tuple[str, frozenset[str]]

LEAVES: st.SearchStrategy[Generated] = st.one_of(
    st.sampled_from(NAMES).map(lambda name: (f"${{{name}}}", frozenset({name}))),
    st.integers(0, 10**20).map(lambda n: (str(n), frozenset())),
    st.sampled_from(["2.5", ".5", "5.", "0.0", "'${zz}'", '"it\'s"', "'[a-'", "'^[0-9]+$'",
                     ".", "true()", "false()", "today()", "''"]).map(lambda t: (t, frozenset())),
    st.text(st.characters(blacklist_characters="'"), max_size=6).map(
        lambda t: (f"'{t}'", frozenset())),
)


def _binary(parts: tuple[Generated, str, Generated, str, bool, bool]) -> Generated:
    (left, left_names), op, (right, right_names), space, tight, parenthesised = parts
    gap = "" if tight and not op.isalpha() else space  # words need spaces, symbols do not
    text = f"{left}{gap}{op}{gap}{right}"
    return (f"({text})" if parenthesised else text), left_names | right_names


def _call(parts: tuple[str, list[Generated]]) -> Generated:
    name, args = parts
    args = args[: ARITIES[name]] if name != "concat" else args
    while len(args) < (1 if name == "concat" else ARITIES[name]):
        args = [*args, ("1", frozenset())]
    names = frozenset().union(*(arg_names for _, arg_names in args))
    return f"{name}({', '.join(text for text, _ in args)})", names


def expressions(depth: int) -> st.SearchStrategy[Generated]:
    """Well-formed expressions nested at most ``depth`` deep, with the ${names} in them."""
    if depth == 0:
        return LEAVES
    inner = expressions(depth - 1)
    return st.one_of(
        LEAVES,
        st.tuples(inner, st.sampled_from(OPERATORS), inner, SPACE, st.booleans(),
                  st.booleans()).map(_binary),
        inner.map(lambda part: (f"-{part[0]}", part[1])),
        st.tuples(st.sampled_from(sorted(ARITIES)), st.lists(inner, min_size=1, max_size=4)).map(
            _call),
    )


ANSWERS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.lists(st.text(max_size=6), max_size=4),
    st.sampled_from(["", "yes", "no", "other", "a b other", "2024-02-29", " 12 ", "-0", "3.5",
                     math.nan, math.inf, -math.inf, 10**400, 2**63, -(2**63), True, False]),
)
VALUES = st.dictionaries(st.sampled_from(NAMES), ANSWERS)
WELL_FORMED = expressions(5).filter(lambda generated: len(generated[0]) <= 2000)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
          deadline=None, max_examples=300)
@given(WELL_FORMED, VALUES, ANSWERS, st.dates())
def test_well_formed_expressions_parse_and_never_raise(generated, values, current, today):
    text, names = generated
    expression = parse(text)
    assert expression.references == names
    result = expression.evaluate(values, current=current, today=today)
    assert isinstance(result, (bool, int, float, str, list))
    assert isinstance(expression.truth(values, current=current, today=today), bool)


KINDS_STRATEGY = st.dictionaries(
    st.sampled_from(NAMES),
    st.builds(Kind,
              st.sampled_from(["text", "number", "choice", "choices", "yes_no", "date", "any"]),
              st.frozensets(st.sampled_from(["1", "2", "x", "other", "yes"]), max_size=3)))


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
          deadline=None)
@given(WELL_FORMED, KINDS_STRATEGY, st.sampled_from([None, Kind("number"), Kind("text")]))
def test_check_never_raises_and_locates_every_problem(generated, kinds, current):
    text, _ = generated
    found = check(parse(text), kinds, current=current)
    assert all(isinstance(p, ExpressionError) and 0 <= p.position < len(text) for p in found)
    assert [p.position for p in found] == sorted(p.position for p in found)


@given(st.lists(st.tuples(st.text(st.characters(blacklist_characters="$"), max_size=5),
                          st.sampled_from(NAMES)), max_size=5))
def test_label_references_round_trip(parts):
    text = "".join(f"{plain}${{{name}}}" for plain, name in parts)
    assert [name for name, _ in references_in_text(text)] == [name for _, name in parts]
    assert all(text.startswith(f"${{{name}}}", at) for name, at in references_in_text(text))
    filled = fill_text(text, {name: f"<{name}>" for name in NAMES})
    assert filled == "".join(f"{plain}<{name}>" for plain, name in parts)
