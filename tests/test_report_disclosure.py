"""Small-number protection against a reader who knows how many answered in each category.

The report's table of organisations by category prints how many were interviewed in each, so a
crosstab row's respondents are as good as published. These tests read a protected table as
such a reader would: every figure printed, the published respondents of each row, and what the
notes under the table say a ``*`` can be. A brute-force checker lists every table of whole
numbers consistent with all of that and asserts that each hidden figure could take at least
two values (a figure fixed by the published respondents alone, such as a count in a row where
no one answered, gives nothing away and is not asked to).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from studies import small_template

from fieldkit.reports.data import ReportOptions, build_report_data
from fieldkit.reports.suppression import custom_rule, protect
from fieldkit.study import Study

TODAY = dt.date(2026, 5, 14)
RULE = custom_rule(5)
BIG = 10**6


def protect_published(counts, rule=RULE, row_totals=None):
    return protect(counts, rule, row_totals=row_totals, published_bases=True)


# --- the reader's view ---------------------------------------------------------------------


def hidden_bounds(notes: str, threshold: int) -> tuple[int, int]:
    """What the notes say a * (outside rows of few respondents) can be."""
    withheld = re.search(r"here a \* stands for any number from (\d+) to (\d+)\.", notes)
    if withheld:
        return int(withheld[1]), int(withheld[2])
    if "table can also stand for 0 or for a figure of" in notes:
        return 0, BIG
    if "some other figures are also shown as *" in notes:
        return 1, BIG
    return 1, threshold - 1


def possible_values(cells, bases, column_totals, notes, threshold, *, multiple=False):
    """For each hidden figure ("cell", i, j) / ("column", j): the set of values it takes over
    every table consistent with the printed cells (None: hidden), the published respondents
    ``bases``, the printed column totals (None: hidden) and the notes. Exact figures only."""
    notes = " ".join(notes)
    lo, hi = hidden_bounds(notes, threshold)
    small_rows = "the number who answered is shown and every other figure of the row" in notes
    n_rows, n_cols = len(cells), len(column_totals)

    def cell_range(i, j):
        if cells[i][j] is not None:
            return [cells[i][j]]
        a, b = lo, hi
        if small_rows and 0 < bases[i] < threshold:
            a, b = 0, bases[i]
        return list(range(a, min(b, bases[i]) + 1))

    def row_options(i):
        out = []

        def walk(j, acc):
            if j == n_cols:
                if multiple:
                    ok = (max(acc, default=0) <= bases[i] <= sum(acc)) if bases[i] else not any(acc)
                else:
                    ok = sum(acc) == bases[i]
                if ok:
                    out.append(tuple(acc))
                return
            for v in cell_range(i, j):
                if not multiple and sum(acc) + v > bases[i]:
                    break
                walk(j + 1, acc + [v])

        walk(0, [])
        return out

    options = [row_options(i) for i in range(n_rows)]
    col_lo = [t if t is not None else lo for t in column_totals]
    col_hi = [t if t is not None else hi for t in column_totals]

    @cache
    def completes(i, sums):
        if i == n_rows:
            return all(col_lo[j] <= sums[j] <= col_hi[j] for j in range(n_cols))
        return any(completes(i + 1, nxt) for nxt in steps(i, sums))

    def steps(i, sums):
        for v in options[i]:
            nxt = tuple(s + x for s, x in zip(sums, v, strict=True))
            if all(nxt[j] <= col_hi[j] for j in range(n_cols)):
                yield nxt

    values: dict = defaultdict(set)
    frontier = {tuple([0] * n_cols)} if completes(0, tuple([0] * n_cols)) else set()
    for i in range(n_rows):
        new = set()
        for sums in frontier:
            for v in options[i]:
                nxt = tuple(s + x for s, x in zip(sums, v, strict=True))
                if all(nxt[j] <= col_hi[j] for j in range(n_cols)) and completes(i + 1, nxt):
                    new.add(nxt)
                    for j in range(n_cols):
                        if cells[i][j] is None:
                            values[("cell", i, j)].add(v[j])
        frontier = new
    for sums in frontier:
        for j in range(n_cols):
            if column_totals[j] is None:
                values[("column", j)].add(sums[j])
    return values


def pinned(cells, bases, column_totals, notes, threshold, *, multiple=False, truth=None):
    """The hidden figures a reader could work out (a row where no one answered excepted)."""
    values = possible_values(cells, bases, column_totals, notes, threshold, multiple=multiple)
    hidden = [("cell", i, j) for i, row in enumerate(cells) for j, c in enumerate(row)
              if c is None and bases[i] > 0]
    hidden += [("column", j) for j, t in enumerate(column_totals) if t is None]
    if truth is not None:  # the true table is among those found: the checker reads the table right
        for e in hidden:
            true = truth[e[1]][e[2]] if e[0] == "cell" else sum(r[e[1]] for r in truth)
            assert true in values[e], (e, true, values[e])
    return [e for e in hidden if len(values[e]) < 2]


def pinned_in_protected(counts, p, *, row_totals=None):
    bases = list(row_totals) if row_totals is not None else [sum(r) for r in counts]
    cells = [[f.value for f in row] for row in p.cells]
    columns = [f.value for f in p.column_totals]
    printed_bases = [f.value for f in p.row_totals]
    for shown, true in zip(printed_bases, bases, strict=True):
        assert shown is None or shown == true
    return pinned(cells, bases, columns, p.notes(), p.rule.threshold, multiple=row_totals is not None,
                  truth=counts)


# --- (a) a category of 4 who all gave the same answer, through the real report ------------------


def interview(study: Study, org_id: int, **answers) -> None:
    session = study.interviews.start(org_id, date="2026-03-02")
    for question, value in answers.items():
        session.save_answer(question, value)
    session.complete()
    session.close()


@pytest.fixture
def unanimous(tmp_path: Path):
    """Network: 4 interviewed, all "Small"; Infrastructure: 11, 5 "Small" and 6 "Medium"."""
    s = Study.create(tmp_path / "unanimous.fieldkit", small_template())
    for k in range(4):
        interview(s, s.organisations.add(f"Network {k}", category="Network"), role="Chair", size="Small")
    for k in range(11):
        interview(s, s.organisations.add(f"Infra {k}", category="Infrastructure"), role="Chair",
                  size="Small" if k < 5 else "Medium")
    yield s
    s.close()


def test_a_small_category_that_answered_as_one_is_withheld(unanimous: Study):
    data = build_report_data(unanimous, ReportOptions(small_numbers=5), today=TODAY)
    interviewed = {r.group: r.interviewed for r in data.by_category}
    assert interviewed["Network"] == 4  # public: the table of organisations prints it
    size = next(t for t in data.crosstabs if t.question_id == "size")
    network = next(r for r in size.rows if r.group == "Network")
    # No hidden figure of the table can be pinned given every category's respondents.
    cells = [list(r.counts) for r in size.rows]
    bases = [interviewed[r.group] for r in size.rows]
    for r, n in zip(size.rows, bases, strict=True):
        assert r.base_count in (None, n)
    truth = [[4, 0, 0], [5, 6, 0], [0, 0, 0], [0, 0, 0]][:len(size.rows)]
    assert pinned(cells, bases, list(size.total.counts), size.notes, 5, truth=truth) == []
    # No figure of Network's row but its base reads as a number.
    assert network.cells == ("*", "*", "*") and network.base == "4"
    assert all(c is None for c in network.counts)
    assert any("the number who answered is shown" in n for n in size.notes)


# --- (b) a base of 13 beside a shown 11 and two hidden counts ---------------------------------


def test_two_hidden_counts_beside_a_published_base_are_not_pinned():
    counts = [[11, 1, 1], [0, 0, 5]]
    p = protect_published(counts)
    assert pinned_in_protected(counts, p) == []
    assert [f.text for f in p.row_totals] == ["13", "5"]  # published, never hidden


def test_the_checker_sees_the_leak_it_is_meant_to_catch():
    # [11, *, *] with its 13 known: each * is 1.
    assert pinned([[11, None, None]], [13], [11, None, None], ("Counts of 1 to 4 are shown as *.",), 5) == [
        ("cell", 0, 1), ("cell", 0, 2), ("column", 1), ("column", 2)]


def test_rows_of_few_respondents_and_their_notes():
    p = protect_published([[4, 0, 0], [5, 6, 0]])
    assert [f.text for f in p.cells[0]] == ["*", "*", "*"] and p.row_totals[0].text == "4"
    assert p.small_rows == (0,)
    assert any("there a * stands for any number from 0 to the number who answered" in n for n in p.notes())
    # A row where no one answered shows its zeros: its respondents say as much.
    p = protect_published([[0, 0, 0], [5, 6, 7]])
    assert [f.text for f in p.cells[0]] == ["0", "0", "0"] and not p.small_rows
    # Anonymous overall tables and tables without published bases are as before.
    assert not protect([[4, 0, 0], [5, 6, 0]], RULE).small_rows


def test_multiple_choice_rows_of_few_respondents():
    counts, respondents = [[3, 3, 1], [6, 2, 5]], [3, 8]
    p = protect_published(counts, row_totals=respondents)
    assert [f.text for f in p.cells[0]] == ["*", "*", "*"] and p.row_totals[0].text == "3"
    assert pinned_in_protected(counts, p, row_totals=respondents) == []


# --- (c) any small table ---------------------------------------------------------------------


@st.composite
def tables(draw, most=8, size=4):
    n_rows = draw(st.integers(1, size))
    n_cols = draw(st.integers(2, size))
    return [draw(st.lists(st.integers(0, most), min_size=n_cols, max_size=n_cols)) for _ in range(n_rows)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_hidden_figure_can_be_pinned_given_the_bases(counts):
    p = protect_published(counts)
    assert pinned_in_protected(counts, p) == [], (counts, [[f.text for f in r] for r in p.cells],
                                                 [f.text for f in p.column_totals], p.notes())
    assert all(not f.hidden for f in p.row_totals) or p.withheld


@st.composite
def multiple_tables(draw):
    counts = draw(tables(most=5, size=3))  # each hidden count ranges on its own here: kept small for time
    respondents = [draw(st.integers(max(row), max(sum(row), max(row)))) for row in counts]
    return counts, respondents


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(multiple_tables())
def test_multiple_choice_no_hidden_figure_can_be_pinned_given_the_bases(table):
    counts, respondents = table
    p = protect_published(counts, row_totals=respondents)
    assert pinned_in_protected(counts, p, row_totals=respondents) == [], (
        counts, respondents, [[f.text for f in r] for r in p.cells], [f.text for f in p.column_totals])
