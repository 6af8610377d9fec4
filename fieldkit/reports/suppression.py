"""Small-number protection for the report's tables of answers: on unless the researcher turns it off.

Which rule a client report uses is the study's setting (``study_choice``, kept under the study's
``report.small_numbers`` key): by default ``DEFAULT_CHOICE``, a threshold of 5 (counts of 1 to 4
shown as ``*``, every other figure exact). That is the convention most social research and
consultancy reports follow for small tables ("fewer than 5" withheld), the same k of 5 the
comment pool waits for by default, and exact figures agree with the tables of organisations
beside them (a total rounded to the nearest 5 would not). ``ReportOptions`` uses the study's
setting unless told otherwise; a researcher who wants the full counts chooses "off".

Three rules, each applied to the counts *and* to the totals (which are always worked out
from the unrounded counts, then protected like any other count):

- ``"nhs"`` — NHS Digital's rule: counts of 1 to 7 are shown as ``*``; every other count is
  rounded to the nearest 5.
- ``"ons"`` — the ONS 10-5 rule: counts under 10 (1 to 9) are shown as ``*``; every other
  count is rounded to the nearest 5.
- a whole number N (3 or more) — a custom threshold: counts of 1 to N-1 are shown as ``*``;
  other counts are shown exactly (no rounding). Under 3 a ``*`` would mean "exactly 1",
  which protects nothing, so smaller thresholds are refused.

Zeros are shown as 0 in every rule. A true zero says that nobody in a group gave an answer,
which discloses nothing about any one respondent; NHS Digital's rule hides "1 to 7", not 0,
and rounding 0 to the nearest 5 leaves 0. The one exception is a table whose total is itself
a small count, which is withheld whole, zeros included (see "Tables with a small total").

Hiding small counts is not enough when totals are printed: in a row of a table whose other
counts and total are shown exactly, a single hidden count is the total minus the rest. So
after the rule has hidden the small counts (primary suppression) more figures are hidden
(secondary, or complementary, suppression) until no hidden figure can be worked out:

1. With exact figures (the custom rule) no row or column of the table, totals included, may
   have exactly one hidden figure: another is hidden, the smallest non-zero count of that
   line first. This is repeated until it holds everywhere.
2. Then every hidden figure is *audited*: could it take at least two values, given every
   figure shown, what the note under the table says a ``*`` can be, and what a rounded
   figure can be (within 2 of what is printed)? A table whose totals are sums of its counts
   is a flow network (rows to columns, totals as the edges in and out), so a hidden figure
   can change by one exactly when it lies on a cycle of the network's residual graph. When
   it cannot change, another figure on its row or column is hidden and the audit repeated.

Step 2 catches what step 1 cannot: with exact totals, two hidden counts 1 and 1 whose total
is 2 are each 1 (a ``*`` is at least 1), and a hidden count that bridges two blocks of hidden
counts is fixed by the totals of one block. With rounded totals (NHS and ONS rules) exact
differencing no longer works (a total shown as 15 is anything from 13 to 17), so no figure
is hidden on that account alone; but a row and a column can still pin a hidden count
between them, and the audit hides more where they do.

What a reader is taken to know about a ``*``: in a table where the rule alone hid figures,
1 to N-1; where other figures were hidden too, 1 or more (never 0, see below), and N or more
for a hidden grand total. The note is about the whole table: it never says which ``*`` is a
small count and which was hidden to protect one.

Tables with a small total
-------------------------

When the grand total (those who answered) is itself a small count, 1 to N-1, every figure of
the table but its zeros is a small count that the rule has already hidden. Nothing is left to
hide, yet the zeros shown and "a ``*`` is at least 1" can pin counts down: ``[1, 1]`` under a
threshold of 3 prints only ``*`` (both counts, their total, both column totals), but the total
is at most 2 and each count at least 1, so each is 1; so is each of seven 1s in a row under
NHS Digital's rule, or of 1s on the diagonal of a table of zeros.

Such a table is withheld: every figure in it, zeros included, is shown as ``*``, and the note
under it says that here a ``*`` stands for any number from 0 to N-1. A reader learns that
fewer than N answered, which the ``*`` on the total says anyway, and nothing more: the usual
practice of publishing no breakdown of a total too small to publish. (No figure can then be
pinned: the total is 1 to N-1 and every other figure at most the total, so each count can go
up or down by 1 with its row and column totals, or trade 1 with another count, and every
figure stays within 0 to N-1.)

Every table whose total is 1 to N-1 is withheld, not only those where a count would be
pinned, because which tables are withheld must give nothing away either: were only the pinned
ones withheld, a withheld ``[*, *]`` under a threshold of 3 would have to be ``[1, 1]``, the
one pinned table of its shape. So a reader of any other table knows that its total is N or
more, and the audit takes that into account. Zeros are not hidden in those tables: with every
non-zero figure hidden, each hidden figure could still rise by 1 (with its row, column and
grand total, which have no upper bound there), so the audit never needs to hide a 0, and a
``*`` in such a table is never 0.

Published row totals
--------------------

A table of answers by category sits beside a table that prints how many organisations were
interviewed in each category, so a reader knows each row's total (its respondents) whether or
not this table prints it. ``protect(..., published_bases=True)`` takes that reader as the one
to beat:

- Row totals, and their sum, are never hidden (hiding what is known elsewhere protects
  nothing); a small one is printed exactly, and the audit knows every one exactly.
- A row whose total is a small count, 1 to N-1, is withheld like a table with a small total:
  every figure of the row, zeros included, is ``*`` and the note says that there a ``*`` is any
  number from 0 to the number who answered. Which rows are withheld depends on their totals
  alone, which are public, so it gives nothing away. A row whose total is 0 prints its zeros.
- Everywhere else a ``*`` may stand for 0 or for any larger figure, and the note says so
  whenever such a ``*`` is printed. With totals known, "1 to N-1" would pin counts on its
  own (``[4, 4]`` with its 8 known: each * is 4; ``[11, *, *]`` with its 13 known: each * is 1),
  and which tables were exempt from it would depend on their counts; so it is said of no
  ``*`` in these tables. Zeros can then be hidden too, last of all, where a 0 printed would
  pin another figure (a column total of 0 beneath a withheld row).
- Secondary suppression and the audit then run as above, with the row totals fixed. With two
  or more columns every hidden figure can then be freed: a count in a row with respondents can
  trade 1 with another count of its row once the column totals between them are hidden. (With
  one column the counts are the row totals, published: they are printed.)

A table whose grand total is itself small is still withheld whole (row totals too): with
every figure ``*``, 0 included, nothing can be pinned even by a reader who knows the totals.

A multiple-choice table is protected the same way; its row totals count respondents (who
may pick several answers), so only its columns and its respondents add up, and the audit
also keeps every count within its row's respondents.

Percentages of a protected table are worked out from the figures shown, never from the
true counts (a true percentage beside a rounded count would give the count away); a hidden
count has no percentage, and a row whose total is hidden has none.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fieldkit.errors import InvalidValueError

if TYPE_CHECKING:
    from fieldkit.study import Study

#: An upper bound standing for "no upper bound" in the audit.
_UNBOUNDED = 10**12

#: Where a figure sits: ("cell", row, column), ("row", row), ("column", column), ("grand",).
Entry = tuple


@dataclass(frozen=True)
class Rule:
    """A small-number rule: counts 1..threshold-1 are hidden, others rounded to ``base``."""

    key: str            # "nhs", "ons" or "custom"
    threshold: int      # the smallest count shown
    base: int           # counts shown are rounded to the nearest ``base`` (1: shown exactly)
    name: str           # how the note names the rule

    def shown(self, count: int) -> int | None:
        """The figure this rule prints for ``count``: None when it is hidden."""
        if count < 0:
            raise InvalidValueError(f"a count cannot be negative ({count})")
        if count == 0:
            return 0
        if count < self.threshold:
            return None
        if self.base == 1:
            return count
        return (count + self.base // 2) // self.base * self.base

    def notes(self, *, secondary: bool = False, percentages: bool = True,
              withheld: bool = False, small_rows: bool = False, loose: bool = False) -> tuple[str, ...]:
        """The lines printed under a table protected by this rule (``withheld``: a table whose
        total is a small count, every figure hidden, zeros included; ``small_rows``: rows whose
        respondents are a small count, withheld whole but for those respondents; ``loose``: with
        those respondents known, a * elsewhere can be 0 or any number)."""
        small = f"Counts of 1 to {self.threshold - 1}"
        exact = ("; the tables of organisations give exact counts of organisations, so the numbers answering "
                 "can differ from theirs.")
        if self.key == "nhs":
            lines = [f"{small} are shown as * and other counts are rounded to the nearest 5 (NHS Digital's "
                     "rule); totals are rounded from unrounded figures, so counts may not add up to the "
                     "totals shown" + exact]
        elif self.key == "ons":
            lines = [f"Counts under {self.threshold} are shown as * and other counts are rounded to the "
                     "nearest 5 (the ONS 10-5 rule); totals are rounded from unrounded figures, so counts "
                     "may not add up to the totals shown" + exact]
        else:
            lines = [f"{small} are shown as * to protect the people who answered; other counts are exact."]
        if withheld:
            lines.append(self.withheld_note)
            return tuple(lines)
        if small_rows:
            lines.append(self.small_rows_note)
        if secondary:
            lines.append("So that no small count can be worked out from the totals, some other figures are "
                         "also shown as *.")
        if loose:
            lines.append(self.loose_note)
        if percentages and self.base != 1:
            lines.append("Percentages are worked out from the rounded figures shown.")
        lines.append("A 0 means that no one gave that answer.")
        return tuple(lines)

    @property
    def small_rows_note(self) -> str:
        """The note under a table with rows whose respondents are a small count."""
        return (f"Where fewer than {self.threshold} answered, the number who answered is shown and every "
                f"other figure of the row, 0 included, is shown as *: there a * stands for any number from 0 "
                f"to the number who answered.")

    @property
    def loose_note(self) -> str:
        """The note under a table whose rows' respondents are known (``protect``'s ``published_bases``)."""
        return ("So that no figure can be worked out from the numbers who answered in each row, a * in this "
                f"table can also stand for 0 or for a figure of {self.threshold} or more.")

    @property
    def withheld_note(self) -> str:
        """The note under a table whose total is a small count."""
        return (f"Fewer than {self.threshold} answered, so every figure in this table, 0 included, is shown "
                f"as *: here a * stands for any number from 0 to {self.threshold - 1}.")


NHS = Rule("nhs", threshold=8, base=5, name="NHS Digital's rule")
ONS = Rule("ons", threshold=10, base=5, name="the ONS 10-5 rule")
#: The smallest custom threshold: below it a * would say "exactly 1".
MIN_THRESHOLD = 3

SmallNumbers = None | str | int


def custom_rule(threshold: int) -> Rule:
    """Counts of 1 to ``threshold - 1`` hidden, the rest shown exactly."""
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise InvalidValueError(f"a small-number threshold must be a whole number, got {threshold!r}")
    if threshold < MIN_THRESHOLD:
        raise InvalidValueError(f"a small-number threshold must be {MIN_THRESHOLD} or more "
                                f"(with {threshold}, * would give the count away)")
    return Rule("custom", threshold=threshold, base=1, name=f"counts under {threshold} hidden")


#: ``ReportOptions.small_numbers`` when it is not given: the study's own setting.
FROM_STUDY = "study"
#: The study's setting, in its ``meta`` table: "off", "nhs", "ons" or a threshold in digits.
SETTING = "report.small_numbers"
#: What a study protects with until its researcher chooses otherwise (module docstring).
DEFAULT_CHOICE = 5


def rule_for(small_numbers: SmallNumbers) -> Rule | None:
    """The rule for a report option: None (off), "nhs", "ons", or a threshold (int or digits)."""
    if small_numbers is None:
        return None
    if small_numbers == FROM_STUDY:
        raise InvalidValueError("the small-number rule is the study's own setting here: "
                                "ask study_rule(study)")
    if isinstance(small_numbers, Rule):
        return small_numbers
    if isinstance(small_numbers, str):
        word = small_numbers.strip().lower()
        if word in ("", "off", "none"):
            return None
        if word == "nhs":
            return NHS
        if word == "ons":
            return ONS
        if word.isdigit():
            return custom_rule(int(word))
        raise InvalidValueError(f"unknown small-number rule '{small_numbers}' "
                                f"(expected nhs, ons or a number, or off)")
    return custom_rule(small_numbers)


def study_choice(study: Study) -> SmallNumbers:
    """The study's small-number setting as a report option: None (off), "nhs", "ons" or a
    threshold; ``DEFAULT_CHOICE`` when the researcher has not chosen (or the setting is unreadable:
    protection stays on)."""
    word = study.meta(SETTING).strip().lower()
    if word in ("off", "none"):
        return None
    if word in ("nhs", "ons"):
        return word
    if word.isdigit() and int(word) >= MIN_THRESHOLD:
        return int(word)
    return DEFAULT_CHOICE


def study_rule(study: Study) -> Rule | None:
    """The rule the study's client reports use unless told otherwise."""
    return rule_for(study_choice(study))


def set_study_choice(study: Study, small_numbers: SmallNumbers) -> None:
    """Set the study's small-number setting: None or "off" (full counts), "nhs", "ons" or a
    threshold of ``MIN_THRESHOLD`` or more (checked like a report option)."""
    rule = rule_for(small_numbers)
    study.set_meta(SETTING, "off" if rule is None else rule.key if rule.key != "custom" else str(rule.threshold))


# --- protected tables ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One printed number of a protected table."""

    value: int | None   # the number printed (rounded under a rounding rule); None when hidden

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def text(self) -> str:
        return "*" if self.value is None else f"{self.value:,}"


@dataclass(frozen=True)
class ProtectedTable:
    """A table of counts as printed: every cell and total a ``Figure``."""

    rule: Rule
    cells: tuple[tuple[Figure, ...], ...]
    row_totals: tuple[Figure, ...]
    column_totals: tuple[Figure, ...]
    grand_total: Figure
    primary: int     # figures the rule itself hid
    secondary: int   # figures hidden so that those cannot be worked out
    withheld: bool = False  # the total is a small count: every figure hidden, zeros included
    small_rows: tuple[int, ...] = ()  # rows withheld whole but for their respondents (published bases)
    loose: bool = False     # published bases: a * outside those rows can be 0 or any number

    def figure(self, entry: Entry) -> Figure:
        kind = entry[0]
        if kind == "cell":
            return self.cells[entry[1]][entry[2]]
        if kind == "row":
            return self.row_totals[entry[1]]
        if kind == "column":
            return self.column_totals[entry[1]]
        return self.grand_total

    def notes(self, *, percentages: bool = True) -> tuple[str, ...]:
        return self.rule.notes(secondary=self.secondary > 0, percentages=percentages, withheld=self.withheld,
                               small_rows=bool(self.small_rows), loose=self.loose)


def entries(n_rows: int, n_cols: int) -> list[Entry]:
    """Every figure of a table: the cells row by row, then row, column and grand totals."""
    out: list[Entry] = [("cell", i, j) for i in range(n_rows) for j in range(n_cols)]
    out += [("row", i) for i in range(n_rows)]
    out += [("column", j) for j in range(n_cols)]
    out.append(("grand",))
    return out


class _Table:
    """The true counts of a table and what is hidden; the audit's flow network."""

    def __init__(self, counts: Sequence[Sequence[int]], row_totals: Sequence[int] | None, rule: Rule,
                 published: bool = False):
        self.rule = rule
        # The row totals are known to the reader from elsewhere (see ``protect``).
        self.published = published
        self.counts = [[int(c) for c in row] for row in counts]
        self.n_rows = len(self.counts)
        self.n_cols = len(self.counts[0]) if self.counts else 0
        if any(len(row) != self.n_cols for row in self.counts):
            raise InvalidValueError("every row of a table needs the same number of counts")
        if any(c < 0 for row in self.counts for c in row):
            raise InvalidValueError("a count cannot be negative")
        # Rows are "additive" when each row total is the sum of its counts (one answer each);
        # a multiple-choice row total counts respondents, who may pick several answers.
        self.additive = row_totals is None
        if row_totals is None:
            self.row_totals = [sum(row) for row in self.counts]
        else:
            self.row_totals = [int(n) for n in row_totals]
            if len(self.row_totals) != self.n_rows:
                raise InvalidValueError("one row total is needed for each row")
            for row, n in zip(self.counts, self.row_totals, strict=True):
                if row and not max(row) <= n <= sum(row):
                    raise InvalidValueError(f"a row total of {n} cannot go with the counts {row}")
        self.column_totals = [sum(row[j] for row in self.counts) for j in range(self.n_cols)]
        self.grand_total = sum(self.row_totals)
        self.order = {e: k for k, e in enumerate(entries(self.n_rows, self.n_cols))}
        self.primary: frozenset[Entry] = frozenset()
        self.hidden: set[Entry] = set()
        # A table whose total is a small count is withheld whole (see the module's docstring).
        self.withheld = 0 < self.grand_total < rule.threshold
        # Published row totals: a row whose total is a small count is withheld but for its total.
        self.small_rows = frozenset(i for i, n in enumerate(self.row_totals)
                                    if published and not self.withheld and 0 < n < rule.threshold)

    def value(self, entry: Entry) -> int:
        kind = entry[0]
        if kind == "cell":
            return self.counts[entry[1]][entry[2]]
        if kind == "row":
            return self.row_totals[entry[1]]
        if kind == "column":
            return self.column_totals[entry[1]]
        return self.grand_total

    def lines(self, entry: Entry) -> list[list[Entry]]:
        """The lines (rows and columns of the table with its totals) an entry lies on."""
        kind = entry[0]
        rows = [[("cell", i, j) for j in range(self.n_cols)] + [("row", i)] for i in range(self.n_rows)]
        cols = [[("cell", i, j) for i in range(self.n_rows)] + [("column", j)] for j in range(self.n_cols)]
        total_row = [("column", j) for j in range(self.n_cols)] + [("grand",)]
        total_col = [("row", i) for i in range(self.n_rows)] + [("grand",)]
        if kind == "cell":
            return [rows[entry[1]], cols[entry[2]]]
        if kind == "row":
            return [rows[entry[1]], total_col]
        if kind == "column":
            return [cols[entry[1]], total_row]
        return [total_row, total_col]

    def additive_lines(self) -> list[list[Entry]]:
        """Lines whose last figure is the sum of the others (what differencing works on)."""
        columns = [[("cell", i, j) for i in range(self.n_rows)] + [("column", j)] for j in range(self.n_cols)]
        respondents = [("row", i) for i in range(self.n_rows)] + [("grand",)]
        if not self.additive:  # multiple choice: only the columns and the respondents add up
            return columns + [respondents]
        rows = [[("cell", i, j) for j in range(self.n_cols)] + [("row", i)] for i in range(self.n_rows)]
        return rows + columns + [[("column", j) for j in range(self.n_cols)] + [("grand",)], respondents]

    # --- what a reader knows ---------------------------------------------------------------

    def bounds(self, entry: Entry) -> tuple[int, int]:
        """What a reader of the printed table can say about a figure's true value."""
        small = self.rule.threshold - 1
        if self.published and entry[0] in ("row", "grand"):
            known = self.value(entry)  # published: known exactly, whatever is printed
            return known, known
        if entry in self.hidden:
            if entry[0] == "cell" and entry[1] in self.small_rows:
                return 0, self.row_totals[entry[1]]  # "0 to the number who answered"
            if self.withheld:
                # "0 to threshold-1"; the total is not 0 (a table of zeros is printed as such).
                return (1 if entry == ("grand",) else 0), small
            if self.published:  # "a * can also stand for 0 or a figure of threshold or more"
                return 0, _UNBOUNDED
            if self.primary_only:
                return 1, small
            if entry == ("grand",):  # a table whose total is under the threshold is withheld
                return self.rule.threshold, _UNBOUNDED
            # "*" is then "1 to threshold-1, or a figure hidden to protect another" (never 0).
            return 1, _UNBOUNDED
        shown = self.printed(entry)
        assert shown is not None
        if shown == 0 or self.rule.base == 1:
            return shown, shown
        half = self.rule.base // 2
        return max(shown - half, self.rule.threshold), shown + half

    @property
    def primary_only(self) -> bool:
        return self.hidden == self.primary

    @property
    def loose(self) -> bool:
        """Published bases, and figures hidden outside the rows withheld for their small bases."""
        return self.published and not self.withheld and any(
            not (e[0] == "cell" and e[1] in self.small_rows) for e in self.hidden)

    def printed(self, entry: Entry) -> int | None:
        """The figure the rule prints for an entry when it is not hidden; None where the rule
        hides it. Published row totals (and their sum) are always printed, exactly when small."""
        value = self.value(entry)
        if self.published and not self.withheld and entry[0] in ("row", "grand"):
            return value if 0 < value < self.rule.threshold else self.rule.shown(value)
        if self.public_copy(entry):  # one column: its counts are the published totals
            return self.printed(("row", entry[1]) if entry[0] == "cell" else ("grand",))
        if entry[0] == "cell" and entry[1] in self.small_rows:
            return None
        return self.rule.shown(value)

    def public_copy(self, entry: Entry) -> bool:
        """With published row totals, a table of one column repeats them in its counts (one
        answer to choose from: each count is its row's respondents, multiple choice or not)."""
        return (self.published and self.n_cols == 1 and not self.withheld
                and entry[0] in ("cell", "column"))

    def primary_entries(self) -> frozenset[Entry]:
        """What the rule itself hides: small counts, and every count of a small published row."""
        return frozenset(e for e in entries(self.n_rows, self.n_cols) if self.printed(e) is None)

    # --- the flow network ------------------------------------------------------------------
    #
    # Additive rows: S -> row i (row total), row i -> column j (cell), column j -> T (column
    # total), T -> S (grand total). Every node conserves flow, which is exactly "totals are
    # sums". For multiple-choice rows the row total counts respondents n, who picked
    # sum(row) >= n answers: an unprinted slack edge X -> row i carries sum(row) - n >= 0
    # and T -> X carries the slacks' sum. "A count is at most its row's respondents" is not a
    # flow constraint: an alternative that breaks it is put right by further moves, or not
    # accepted (so the audit may hide more than needed, never less).

    def edges(self) -> dict[Entry, tuple[object, object, int, int, int]]:
        """entry -> (from, to, true value, lowest, highest) for every figure and link."""
        out: dict[Entry, tuple[object, object, int, int, int]] = {}
        for i in range(self.n_rows):
            out[("row", i)] = ("S", ("r", i), self.row_totals[i], *self.bounds(("row", i)))
            for j in range(self.n_cols):
                cell = ("cell", i, j)
                out[cell] = (("r", i), ("c", j), self.counts[i][j], *self.bounds(cell))
        for j in range(self.n_cols):
            column = ("column", j)
            out[column] = (("c", j), "T", self.column_totals[j], *self.bounds(column))
        out[("grand",)] = ("T", "S", self.grand_total, *self.bounds(("grand",)))
        if not self.additive:
            for i in range(self.n_rows):
                out[("slack", i)] = ("X", ("r", i), sum(self.counts[i]) - self.row_totals[i], 0, _UNBOUNDED)
            out[("slack total",)] = ("T", "X", sum(self.column_totals) - self.grand_total, 0, _UNBOUNDED)
        return out

    def _violation(self, flows: dict[Entry, int]) -> tuple[int, int] | None:
        """A count above its row's respondents (multiple choice), if any."""
        if self.additive:
            return None
        for i in range(self.n_rows):
            n = flows[("row", i)]
            for j in range(self.n_cols):
                if flows[("cell", i, j)] > n:
                    return i, j
        return None

    def _path(self, edges: dict, flows: dict[Entry, int], exclude: set, start: object,
              goal: object, guard: bool) -> list[tuple[Entry, int]] | None:
        """A shortest path from start to goal in the residual graph of ``flows``: each step
        an edge and +1 (with it) or -1 (against it). With ``guard`` (multiple choice), steps
        that would on their own lift a count above its row's respondents are left out."""
        arcs: dict[object, list[tuple[object, Entry, int]]] = {}
        for key, (a, b, _, low, high) in edges.items():
            if key in exclude:
                continue
            f = flows[key]
            up, down = f < high, f > low
            if guard and key[0] == "cell":
                up = up and f + 1 <= flows[("row", key[1])]
            elif guard and key[0] == "row":
                down = down and all(flows[("cell", key[1], j)] <= f - 1 for j in range(self.n_cols))
            if up:
                arcs.setdefault(a, []).append((b, key, +1))
            if down:
                arcs.setdefault(b, []).append((a, key, -1))
        came: dict[object, tuple[object, Entry, int] | None] = {start: None}
        queue = deque([start])
        while queue and goal not in came:
            node = queue.popleft()
            for nxt, key, sign in arcs.get(node, ()):
                if nxt not in came:
                    came[nxt] = (node, key, sign)
                    queue.append(nxt)
        if goal not in came:
            return None
        path: list[tuple[Entry, int]] = []
        node = goal
        while (step := came[node]) is not None:
            prev, key, sign = step
            path.append((key, sign))
            node = prev
        return path

    def _shift(self, edges: dict, flows: dict[Entry, int], key: Entry, step: int, exclude: set,
               guard: bool) -> bool:
        """Change ``key`` by ``step`` and carry the change round a cycle; False if it cannot."""
        u, v, _, low, high = edges[key]
        if not low <= flows[key] + step <= high:
            return False
        # Raising u->v needs a path v ~> u in the residual graph; lowering it, u ~> v.
        path = self._path(edges, flows, exclude | {key}, *((v, u) if step > 0 else (u, v)), guard=guard)
        if path is None:
            return False
        flows[key] += step
        for k, sign in path:
            flows[k] += sign
        return True

    def alternative(self, entry: Entry, step: int, edges: dict | None = None) -> dict[Entry, int] | None:
        """Values changed so that ``entry`` changes by ``step`` (+1 or -1) and every printed
        figure could still be what it is; None when no such table is found."""
        edges = edges if edges is not None else self.edges()
        for guard in ((False,) if self.additive else (False, True)):
            flows = {key: e[2] for key, e in edges.items()}
            if self._shift(edges, flows, entry, step, set(), guard) and self._repair(edges, flows, entry):
                return {key: value for key, value in flows.items() if value != edges[key][2]}
        return None

    def _repair(self, edges: dict, flows: dict[Entry, int], entry: Entry) -> bool:
        """Multiple choice: put right any count left above its row's respondents, by lowering
        it or raising the respondents, without touching ``entry`` again. A move that keeps
        clear of the other counts is tried first; failing that, any move (lowering another
        row's respondents, say, whose own largest count the same move lowers), and what it
        leaves wrong is put right in turn."""
        for _ in range(4 * (self.n_rows * self.n_cols + 1)):
            bad = self._violation(flows)
            if bad is None:
                return True
            i, j = bad
            moves = [(key, step) for key, step in ((("cell", i, j), -1), (("row", i), +1)) if key != entry]
            if not any(self._shift(edges, flows, key, step, {entry}, guard)
                       for guard in (True, False) for key, step in moves):
                return False
        return False

    def movable(self, entry: Entry, edges: dict | None = None) -> bool:
        edges = edges if edges is not None else self.edges()
        return self.alternative(entry, +1, edges) is not None or self.alternative(entry, -1, edges) is not None

    # --- secondary suppression -------------------------------------------------------------

    def _preference(self, entry: Entry) -> tuple:
        """Which figure to hide first: non-zero counts before totals before zeros, smallest first."""
        value = self.value(entry)
        return (value == 0, entry[0] != "cell", value, self.order[entry])

    def _hideable(self, entry: Entry) -> bool:
        """Not hidden yet, and not 0 (zeros are hidden only in a withheld table). With published
        row totals, those totals are never hidden, nor the zeros of a row whose total is 0 (known
        to be 0); other zeros may be, last of all, where nothing else would do."""
        if entry in self.hidden:
            return False
        if self.published:
            if entry[0] in ("row", "grand") or self.public_copy(entry):
                return False
            return not (entry[0] == "cell" and self.row_totals[entry[1]] == 0)
        return self.value(entry) != 0

    def _candidates(self, entry: Entry) -> list[Entry]:
        near = {e for line in self.lines(entry) for e in line if self._hideable(e)}
        if not near:
            near = {e for e in self.order if self._hideable(e)}
        return sorted(near, key=self._preference)

    def _line_rule(self) -> bool:
        """Hide one more figure on a line with exactly one hidden; True if it did."""
        for line in self.additive_lines():
            hidden = [e for e in line if e in self.hidden]
            if len(hidden) == 1:
                shown = sorted((e for e in line if self._hideable(e)), key=self._preference)
                if shown:
                    self.hidden.add(shown[0])
                    return True
        return False

    def _audit_step(self) -> bool:
        """Hide one more figure where a hidden one cannot change; True if it did."""
        edges = self.edges()
        for entry in sorted(self.hidden, key=self.order.__getitem__):
            if self.movable(entry, edges):
                continue
            candidates = self._candidates(entry)
            if not candidates:
                # Every non-zero figure is hidden, and in a table whose total is the threshold
                # or more each can then rise by 1: this does not happen. Were it ever to, no
                # table is better than one that gives a count away.
                raise RuntimeError(f"small-number protection found {entry} pinned with nothing left to hide")
            for candidate in candidates:
                self.hidden.add(candidate)
                if self.movable(entry):
                    return True
                self.hidden.discard(candidate)
            self.hidden.add(candidates[0])
            return True
        return False

    def protect(self) -> None:
        self.primary = self.primary_entries()
        if self.withheld:  # nothing can be pinned, nothing is left to hide (module docstring)
            self.hidden = set(entries(self.n_rows, self.n_cols))
            return
        self.hidden = set(self.primary)
        while True:
            if self.rule.base == 1 and self._line_rule():
                continue
            if not self._audit_step():
                break

    def result(self) -> ProtectedTable:
        def fig(e: Entry) -> Figure:
            return Figure(None if e in self.hidden else self.printed(e))

        return ProtectedTable(
            rule=self.rule,
            cells=tuple(tuple(fig(("cell", i, j)) for j in range(self.n_cols)) for i in range(self.n_rows)),
            row_totals=tuple(fig(("row", i)) for i in range(self.n_rows)),
            column_totals=tuple(fig(("column", j)) for j in range(self.n_cols)),
            grand_total=fig(("grand",)),
            primary=len(self.primary),
            secondary=len(self.hidden) - len(self.primary),
            withheld=self.withheld,
            small_rows=tuple(sorted(self.small_rows)),
            loose=self.loose,
        )


def protect(counts: Sequence[Sequence[int]], rule: Rule, *,
            row_totals: Sequence[int] | None = None, published_bases: bool = False) -> ProtectedTable:
    """Apply ``rule`` to a table of counts with its row, column and grand totals.

    ``counts`` are the rows of the table. Row totals are the sums of the rows unless
    ``row_totals`` is given: for a multiple-choice question, the respondents of each row
    (each at least the row's largest count and at most its sum). Column totals are always
    the sums of the columns; the grand total is the sum of the row totals.

    With ``published_bases`` each row's total (its respondents) is taken to be known to the
    reader already (another table prints it): it is always printed, exactly when it is small,
    and the audit knows it exactly (module docstring, "Published row totals").
    """
    table = _Table(counts, row_totals, rule, published_bases)
    table.protect()
    return table.result()


def alternatives(counts: Sequence[Sequence[int]], protected: ProtectedTable, *,
                 row_totals: Sequence[int] | None = None,
                 published_bases: bool = False) -> dict[Entry, dict[Entry, int]]:
    """For each hidden figure, a changed set of true values in which that figure differs and
    everything printed could still be as printed: the proof that it cannot be worked out.

    Keys are hidden entries; values map entries (and the network's unprinted links) to the
    changed values. A hidden figure missing from the result could be worked out.
    """
    table = _Table(counts, row_totals, protected.rule, published_bases)
    table.primary = table.primary_entries()
    table.hidden = {e for e in entries(table.n_rows, table.n_cols) if protected.figure(e).hidden}
    edges = table.edges()
    out: dict[Entry, dict[Entry, int]] = {}
    for entry in sorted(table.hidden, key=table.order.__getitem__):
        moved = table.alternative(entry, +1, edges) or table.alternative(entry, -1, edges)
        if moved is not None:
            out[entry] = moved
    return out


def percentages_shown(counts: Sequence[int | None], base: int | None) -> list[float | None]:
    """Row percentages from printed figures: None for a hidden count or when the base is
    hidden or 0; each rounded on its own as everywhere else (``summary.percent``: half away from
    zero, whole percentages under a base of 100), so they need not add up to 100."""
    from fieldkit.summary import percent

    if base is None or base <= 0:
        return [None for _ in counts]
    return [None if c is None else percent(c, base) for c in counts]
