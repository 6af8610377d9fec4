"""Small-number protection: the presets on hand-made tables, and (with Hypothesis) that no
hidden figure can be worked out from what is printed.

The checks of "cannot be worked out" here are written independently of the module's own
audit: simple differencing along each row and column, a graph search for hidden figures
that the totals pin down (bridges), intervals along each line for the rounding rules, and,
for every hidden figure, the alternative table the module offers as proof is checked
against every printed figure. What a reader may take a * to be is read from the notes
printed under the table, and those notes are checked to be true of the table.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fieldkit.errors import InvalidValueError
from fieldkit.reports.suppression import (NHS, ONS, ProtectedTable, Rule, alternatives, custom_rule, entries,
                                          percentages_shown, protect, rule_for)


def texts(t: ProtectedTable) -> list[list[str]]:
    """The table as printed: each row with its total, then the column totals and grand total."""
    rows = [[f.text for f in row] + [total.text] for row, total in zip(t.cells, t.row_totals, strict=True)]
    return rows + [[f.text for f in t.column_totals] + [t.grand_total.text]]


# --- the presets -----------------------------------------------------------------------------


def test_rules_from_report_options():
    assert rule_for(None) is None and rule_for("off") is None
    assert rule_for("nhs") is NHS and rule_for("NHS") is NHS and rule_for("ons") is ONS
    assert rule_for(5) == custom_rule(5) == rule_for("5")
    for bad in ("nsh", "", 2, 1, 0, -4, True, 2.5):
        if bad == "":
            continue
        with pytest.raises(InvalidValueError):
            rule_for(bad)


@pytest.mark.parametrize(("rule", "shown"), [
    (NHS, {0: 0, 1: None, 7: None, 8: 10, 12: 10, 13: 15, 17: 15, 18: 20, 102: 100, 103: 105}),
    (ONS, {0: 0, 1: None, 9: None, 10: 10, 12: 10, 13: 15, 27: 25, 28: 30}),
    (custom_rule(5), {0: 0, 1: None, 4: None, 5: 5, 13: 13, 99: 99}),
])
def test_what_each_rule_prints_for_a_count(rule: Rule, shown: dict[int, int | None]):
    assert {n: rule.shown(n) for n in shown} == shown


def test_nhs_rule_on_a_table():
    t = protect([[3, 12, 20], [9, 0, 14], [25, 30, 2]], NHS)
    assert texts(t) == [
        ["*", "10", "20", "35"],
        ["10", "0", "15", "25"],
        ["25", "30", "*", "55"],
        ["35", "40", "35", "115"],
    ]
    assert (t.primary, t.secondary) == (2, 0)  # rounded totals: differencing gives a range, not the count


def test_nhs_totals_are_rounded_from_unrounded_counts():
    t = protect([[8, 8, 8], [8, 8, 8]], NHS)
    # Rounded counts would add up to 30 a row; the true row total 24 rounds to 25.
    assert texts(t) == [["10", "10", "10", "25"], ["10", "10", "10", "25"], ["15", "15", "15", "50"]]


def test_nhs_hides_small_totals_too():
    t = protect([[3, 0, 4], [20, 0, 30]], NHS)
    assert texts(t)[0] == ["*", "0", "*", "*"]      # the row total 7 is itself a small count
    assert texts(t)[2][1] == "0"                     # a true zero stays 0


def test_ons_rule_on_a_table():
    t = protect([[3, 12, 20], [9, 0, 14], [25, 30, 2]], ONS)
    assert texts(t) == [
        ["*", "10", "20", "35"],
        ["*", "0", "15", "25"],
        ["25", "30", "*", "55"],
        ["35", "40", "35", "115"],
    ]


def test_custom_threshold_hides_a_second_count_in_each_line():
    t = protect([[2, 10, 20], [8, 12, 30]], custom_rule(5))
    # 2 is hidden; its row then has one hidden count, so the smallest other (10) goes too;
    # its column likewise (8), and then 12 for the 10's column and the 8's row.
    assert texts(t) == [
        ["*", "*", "20", "32"],
        ["*", "*", "30", "50"],
        ["10", "22", "50", "82"],
    ]
    assert (t.primary, t.secondary) == (1, 3)


def test_nothing_hidden_when_every_count_is_large_or_zero():
    t = protect([[10, 0], [25, 40]], custom_rule(5))
    assert texts(t) == [["10", "0", "10"], ["25", "40", "65"], ["35", "40", "75"]]
    assert (t.primary, t.secondary) == (0, 0)


def test_two_hidden_ones_with_a_total_of_two_are_not_left_alone():
    # The line rule alone would stop at [*, *, 20 | 22]: but a * is at least 1, so two of
    # them adding up to 2 are both 1. The audit hides more until they could be otherwise.
    counts = [[1, 1, 20], [30, 40, 50]]
    t = protect(counts, custom_rule(3))
    assert t.cells[0][0].hidden and t.cells[0][1].hidden
    assert t.secondary > 2
    proof = alternatives(counts, t)
    assert ("cell", 0, 0) in proof and ("cell", 0, 1) in proof


def test_a_hidden_count_bridging_two_blocks_is_protected():
    # Two 2x2 blocks of hidden counts joined by one hidden count (0, 2). Every line has two
    # or more hidden, yet rows 0-1 minus columns 0-1 give the bridge exactly.
    big = 20
    counts = [[1, 2, 1, big, big],
              [2, 1, big, big, big],
              [big, big, 1, 2, big],
              [big, big, 2, 1, big],
              [big, big, big, big, big]]
    t = protect(counts, custom_rule(3))
    assert not bridges(t), "a hidden figure is pinned by the totals"
    assert t.secondary > 0


def test_a_table_whose_total_is_small_is_withheld():
    # Everything but the zeros is a small count, hidden by the rule; yet with a * at least 1
    # and the total at most 2, both counts would be 1. So the zeros are hidden too, and a *
    # in this table is said to be anything from 0 to 2.
    t = protect([[1, 1]], custom_rule(3))
    assert t.withheld and texts(t) == [["*", "*", "*"], ["*", "*", "*"]]
    assert t.notes()[-1] == ("Fewer than 3 answered, so every figure in this table, 0 included, is shown as *: "
                             "here a * stands for any number from 0 to 2.")
    assert not any("A 0 means" in n for n in t.notes())
    assert set(alternatives([[1, 1]], t)) == set(entries(1, 2))
    # Every table with a small total is withheld, pinned or not: were only the pinned ones,
    # a withheld table of this shape would be [1, 1].
    t = protect([[2, 0]], custom_rule(3))
    assert t.withheld and texts(t) == [["*", "*", "*"], ["*", "*", "*"]] and (t.primary, t.secondary) == (4, 2)
    # 1s on a diagonal, or seven 1s under NHS Digital's rule: the same.
    assert protect([[1, 0], [0, 1]], custom_rule(3)).withheld
    t = protect([[1] * 7], NHS)
    assert t.withheld and t.notes()[-1].endswith("here a * stands for any number from 0 to 7.")
    # A total at the threshold is not small: zeros stay 0.
    t = protect([[3, 0]], custom_rule(3))
    assert not t.withheld and texts(t) == [["3", "0", "3"], ["3", "0", "3"]]
    # Multiple choice: the total is the respondents, not the answers.
    t = protect([[2, 2]], custom_rule(3), row_totals=[2])
    assert t.withheld and texts(t) == [["*", "*", "*"], ["*", "*", "*"]]
    assert protect([[0, 0]], custom_rule(3)).notes()[0].startswith("Counts of 1 to 2")  # nothing to hide


def test_multiple_choice_rows_count_respondents():
    # Respondents may pick several answers: row totals are respondents, not sums.
    t = protect([[3, 5, 2], [10, 20, 4]], NHS, row_totals=[6, 25])
    assert texts(t) == [["*", "*", "*", "*"], ["10", "20", "*", "25"], ["15", "25", "*", "30"]]
    with pytest.raises(InvalidValueError):
        protect([[3, 5]], NHS, row_totals=[9])  # more respondents than answers


def test_notes_spell_out_the_rule():
    assert NHS.notes()[0] == ("Counts of 1 to 7 are shown as * and other counts are rounded to the nearest 5 "
                              "(NHS Digital's rule); totals are rounded from unrounded figures, so counts may "
                              "not add up to the totals shown; the tables of organisations give exact counts of "
                              "organisations, so the numbers answering can differ from theirs.")
    assert "the tables of organisations give exact counts" in ONS.notes()[0]
    assert not any("tables of organisations" in n for n in custom_rule(5).notes())  # exact: they agree
    assert ONS.notes()[0].startswith("Counts under 10 are shown as * and other counts are rounded to the nearest 5 "
                                     "(the ONS 10-5 rule)")
    assert custom_rule(5).notes()[0].startswith("Counts of 1 to 4 are shown as *")
    t = protect([[2, 10, 20], [8, 12, 30]], custom_rule(5))
    assert any("some other figures are also shown as *" in n for n in t.notes())
    assert not any("other figures" in n for n in protect([[3, 12], [20, 30]], NHS).notes())
    assert any("Percentages are worked out from the rounded figures" in n for n in NHS.notes())


def test_percentages_come_from_printed_figures():
    # each on its own, as everywhere (whole percentages under a base of 100)
    assert percentages_shown([10, 5, 0], 15) == [67, 33, 0]
    assert percentages_shown([None, 10, 20], 35) == [None, 29, 57]
    assert percentages_shown([None, 40, 90], 130) == [None, 30.8, 69.2]
    assert percentages_shown([10, 10], None) == [None, None]
    assert percentages_shown([0, 0], 0) == [None, None]


# --- independent attacks ------------------------------------------------------------------------


def hidden_bounds(t: ProtectedTable, e: tuple) -> tuple[int, float]:
    """What the notes printed under the table tell a reader the hidden figure ``e`` can be."""
    notes = " ".join(t.notes())
    withheld = re.search(r"here a \* stands for any number from (\d+) to (\d+)\.", notes)
    if withheld:
        assert all(t.figure(x).hidden for x in entries(len(t.cells), len(t.column_totals))), \
            "the notes say that every figure, 0 included, is shown as *"
        lo, hi = int(withheld[1]), int(withheld[2])
        # A table of zeros is printed as zeros, so a withheld table's total is not 0.
        return (max(lo, 1) if e == ("grand",) else lo), hi
    if "A 0 means that no one gave that answer." not in notes:
        pytest.fail(f"the notes do not say what a 0 means: {notes}")
    if "some other figures are also shown as *" in notes:
        # A * is then any count but 0; and since a table whose total is small is withheld,
        # a hidden total is at least the threshold.
        return (t.rule.threshold if e == ("grand",) else 1), float("inf")
    small = re.search(r"Counts (?:of 1 to (\d+)|under (\d+)) are shown as \*", notes)
    assert small, notes
    return 1, int(small[1]) if small[1] else int(small[2]) - 1


def shown_bounds(rule: Rule, value: int) -> tuple[int, int]:
    if value == 0 or rule.base == 1:
        return value, value
    return max(value - 2, rule.threshold), value + 2


def lines_of(n_rows: int, n_cols: int, additive: bool) -> list[tuple[list[tuple], tuple]]:
    """Each line of the table whose total is the sum of its other figures: (figures, total)."""
    out = [([("cell", i, j) for i in range(n_rows)], ("column", j)) for j in range(n_cols)]
    out.append(([("row", i) for i in range(n_rows)], ("grand",)))
    if additive:
        out += [([("cell", i, j) for j in range(n_cols)], ("row", i)) for i in range(n_rows)]
        out.append(([("column", j) for j in range(n_cols)], ("grand",)))
    return out


def differencing(t: ProtectedTable, additive: bool = True) -> list[tuple]:
    """Hidden figures a reader gets by subtracting exactly printed figures from an exact total."""
    rule = t.rule
    n_rows, n_cols = len(t.cells), len(t.column_totals)

    def exact(e: tuple) -> bool:
        f = t.figure(e)
        return not f.hidden and (rule.base == 1 or f.value == 0)

    found = []
    for parts, total in lines_of(n_rows, n_cols, additive):
        line = parts + [total]
        hidden = [e for e in line if t.figure(e).hidden]
        if len(hidden) == 1 and all(exact(e) for e in line if e != hidden[0]):
            found.append(hidden[0])
    return found


def bridges(t: ProtectedTable) -> list[tuple]:
    """Hidden figures pinned by exact totals: bridges of the graph whose vertices are the rows
    and columns of the table with its totals and whose edges are the hidden figures."""
    n_rows, n_cols = len(t.cells), len(t.column_totals)

    def ends(e: tuple) -> tuple[str, str]:
        kind = e[0]
        if kind == "cell":
            return f"r{e[1]}", f"c{e[2]}"
        if kind == "row":
            return f"r{e[1]}", "c*"
        if kind == "column":
            return "r*", f"c{e[1]}"
        return "r*", "c*"

    def root(parent: dict[str, str], x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    hidden = [e for e in entries(n_rows, n_cols) if t.figure(e).hidden]
    found = []
    for e in hidden:
        parent: dict[str, str] = {}
        for other in hidden:
            if other != e:
                a, b = ends(other)
                parent[root(parent, a)] = root(parent, b)
        a, b = ends(e)
        if root(parent, a) != root(parent, b):
            found.append(e)
    return found


def line_intervals(t: ProtectedTable, counts: list[list[int]]) -> dict[tuple, tuple[float, float]]:
    """For each hidden figure: the values left once each of its lines is differenced on its
    own, from the ranges of the printed figures."""
    n_rows, n_cols = len(t.cells), len(t.column_totals)

    def rng(e: tuple) -> tuple[float, float]:
        f = t.figure(e)
        return hidden_bounds(t, e) if f.hidden else shown_bounds(t.rule, f.value)

    out = {}
    for e in entries(n_rows, n_cols):
        if not t.figure(e).hidden:
            continue
        lo, hi = rng(e)
        for parts, total in lines_of(n_rows, n_cols, True):
            if e == total:
                lo = max(lo, sum(rng(p)[0] for p in parts))
                hi = min(hi, sum(rng(p)[1] for p in parts))
            elif e in parts:
                others = [p for p in parts if p != e]
                lo = max(lo, rng(total)[0] - sum(rng(p)[1] for p in others))
                hi = min(hi, rng(total)[1] - sum(rng(p)[0] for p in others))
        out[e] = (lo, hi)
    return out


def value_of(counts: list[list[int]], e: tuple, row_totals: list[int] | None = None) -> int:
    rows = row_totals if row_totals is not None else [sum(r) for r in counts]
    if e[0] == "cell":
        return counts[e[1]][e[2]]
    if e[0] == "row":
        return rows[e[1]]
    if e[0] == "column":
        return sum(r[e[1]] for r in counts)
    return sum(rows)


def check_alternatives(t: ProtectedTable, counts: list[list[int]], row_totals: list[int] | None = None) -> None:
    """The notes are true of the table, and every hidden figure has an alternative table that
    prints exactly the same, each * within what the notes say it can be."""
    n_rows, n_cols = len(counts), len(counts[0])
    proof = alternatives(counts, t, row_totals=row_totals)
    for e in entries(n_rows, n_cols):
        if t.figure(e).hidden:
            lo, hi = hidden_bounds(t, e)
            assert lo <= value_of(counts, e, row_totals) <= hi, f"{e} is not what the notes say a * is"
    for e in entries(n_rows, n_cols):
        if not t.figure(e).hidden:
            continue
        assert e in proof, f"{e} could be worked out"
        moved = proof[e]
        alt = [[moved.get(("cell", i, j), counts[i][j]) for j in range(n_cols)] for i in range(n_rows)]
        alt_rows = None
        if row_totals is not None:
            alt_rows = [moved.get(("row", i), row_totals[i]) for i in range(n_rows)]
            for row, n in zip(alt, alt_rows, strict=True):
                assert max(row) <= n <= sum(row), "respondents cannot pick fewer answers than there are of them"
        assert value_of(alt, e, alt_rows) != value_of(counts, e, row_totals)
        for x in entries(n_rows, n_cols):
            v, f = value_of(alt, x, alt_rows), t.figure(x)
            if f.hidden:
                lo, hi = hidden_bounds(t, x)
                assert lo <= v <= hi, (x, v)
            else:
                assert t.rule.shown(v) == f.value, (x, v, f.value)


RULES = st.one_of(st.just(NHS), st.just(ONS), st.integers(3, 12).map(custom_rule))
COUNT = st.one_of(st.integers(0, 9), st.integers(0, 30))


@st.composite
def tables(draw, max_size: int = 6) -> list[list[int]]:
    n_rows = draw(st.integers(1, max_size))
    n_cols = draw(st.integers(1, max_size))
    return draw(st.lists(st.lists(COUNT, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=tables(), rule=RULES)
@example(counts=[[1, 1]], rule=custom_rule(3))  # both hidden, the hidden total at most 2: both 1
@example(counts=[[1, 0], [0, 1]], rule=custom_rule(3))
@example(counts=[[1, 1, 1, 1, 1, 1, 1]], rule=NHS)
def test_no_hidden_count_can_be_worked_out(counts: list[list[int]], rule: Rule):
    t = protect(counts, rule)
    n_rows, n_cols = len(counts), len(counts[0])
    # Which tables are withheld depends on their total alone (the hidden bounds rely on it).
    assert t.withheld == (0 < value_of(counts, ("grand",)) < rule.threshold)
    # The rule itself: every small count is hidden; every figure shown is the rule's figure.
    for e in entries(n_rows, n_cols):
        shown = rule.shown(value_of(counts, e))
        f = t.figure(e)
        assert f.hidden if shown is None else (f.hidden or f.value == shown)
    assert differencing(t) == []
    if rule.base == 1:
        assert bridges(t) == []
    else:
        for e, (lo, hi) in line_intervals(t, counts).items():
            assert hi - lo >= 1, f"{e} is pinned to {lo} by its row and column"
    check_alternatives(t, counts)


@st.composite
def multiple_choice(draw) -> tuple[list[list[int]], list[int]]:
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(2, 5))
    counts, respondents = [], []
    for _ in range(n_rows):
        n = draw(COUNT)
        row = draw(st.lists(st.integers(0, n), min_size=n_cols, max_size=n_cols))
        if sum(row) < n:  # each respondent picked at least one answer
            row[0] += n - sum(row)
            row[0] = min(row[0], n)
            if sum(row) < n:
                row = [n] * n_cols
        counts.append(row)
        respondents.append(n)
    return counts, respondents


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=multiple_choice(), rule=RULES)
@example(table=([[1, 1]], [1]), rule=custom_rule(3))
@example(table=([[2, 2, 1]], [2]), rule=custom_rule(3))
@example(table=([[0, 0], [9, 0]], [0, 9]), rule=ONS)  # a respondent moved to row 0 takes one from row 1
def test_multiple_choice_tables_are_protected_too(table, rule: Rule):
    counts, respondents = table
    t = protect(counts, rule, row_totals=respondents)
    assert t.withheld == (0 < sum(respondents) < rule.threshold)
    assert differencing(t, additive=False) == []
    check_alternatives(t, counts, respondents)
