"""Live figures in the researcher's text: ``{interviewed}``, ``{RR1}``, ``{target:Local community group}``.

The report's written sections are kept with the names of figures, not their values, and filled
in when the report is made, so "{interviewed} organisations took part" never goes stale. A name
the study cannot fill is an error that says which section, which line and which names there are;
``{{`` and ``}}`` write a brace itself.

``Figures.of(study)`` works the numbers out once per report, and the report's tables and method
section are made from the same object (its ``method``, ``dispositions`` and ``groups``), so the
text and the tables always agree and nothing is counted twice. Figures with a group take the
name of a category or an area after a colon: ``{on_database:Leeds}``, ``{interviewed:Faith group}``,
``{target:Faith group}`` and ``{achieved:Faith group}`` (the interviewed count beside a target).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fieldkit import outcome_rates, summary
from fieldkit.errors import InvalidValueError

if TYPE_CHECKING:
    from fieldkit.dispositions import Disposition
    from fieldkit.study import Study

#: ``{name}`` or ``{name:group}``; ``{{`` and ``}}`` are braces themselves.
FIELD = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}")

#: Generated tables a text may place on a line of their own, ``{table:counts}``: name -> what it is.
TABLES = {
    "counts": "the method's table of counts (identified, contacted, excluded, interviewed, ...)",
    "excluded": "organisations excluded, by reason",
    "rates": "the response and cooperation rates, with what each measures",
    "dispositions": "every organisation by its AAPOR disposition code",
    "by_category": "organisations on the database and interviewed, by category",
    "by_area": "organisations on the database and interviewed, by area",
    "targets": "interviews achieved against each category's target",
}

#: The plain figures: name -> (what it counts, how to get it from the method summary).
COUNTS: dict[str, tuple[str, Callable[[summary.MethodSummary], int]]] = {
    "identified": ("organisations identified for the study", lambda m: m.total),
    "contacted": ("organisations contacted", lambda m: m.contacted),
    "excluded": ("organisations excluded as outside the study's scope", lambda m: m.excluded),
    "on_database": ("organisations on the database (identified, less those excluded)", lambda m: m.on_database),
    "interviewed": ("organisations interviewed (complete and partial interviews)", lambda m: m.interviewed),
    "complete": ("organisations with a complete interview (AAPOR 1.1)",
                 lambda m: outcome_rates.class_counts(m.dispositions)["I"]),
    "partial": ("organisations with a partial interview (AAPOR 1.2)",
                lambda m: outcome_rates.class_counts(m.dispositions)["P"]),
    "in_interview": ("organisations in interview: begun, not yet finished", lambda m: m.in_interview),
    "not_reached": ("organisations that could not be reached", lambda m: m.not_reached),
    "declined": ("organisations that declined to take part", lambda m: m.declined),
    "still_contacting": ("organisations still being contacted", lambda m: m.still_contacting),
    "not_yet_contacted": ("organisations not yet contacted", lambda m: m.not_yet_contacted),
    "listed": ("organisations that gave permission to be listed", lambda m: m.listed_with_permission),
    "earlier": ("organisations recorded as interviewed from earlier fieldwork, with no interview in the study",
                lambda m: m.paradata.interviewed_without_interview if m.paradata else 0),
    "break_offs": ("interviews broken off before the end", lambda m: m.paradata.break_offs if m.paradata else 0),
    "identified_tried": ("organisations on the database tried at least once but still marked identified",
                         lambda m: m.on_database - m.interviewed - m.declined - m.not_reached - m.still_contacting
                         - m.not_yet_contacted),
}
#: Figures that are not counts of organisations: name -> (what it is, its text from the method summary).
MEASURES: dict[str, tuple[str, Callable[[summary.MethodSummary], str]]] = {
    "median_minutes": ("the median length of a finished interview, in minutes",
                       lambda m: _median(m.paradata.median_minutes if m.paradata else None, minutes=True)),
    "median_attempts": ("the median number of attempts at contact before an organisation's interview",
                        lambda m: _median(m.paradata.median_attempts if m.paradata else None)),
}
#: Figures that take a group after a colon: name -> what it counts.
GROUPED = {
    "on_database": "organisations on the database in a category or area",
    "interviewed": "organisations interviewed in a category or area",
    "target": "the target number of interviews for a category",
    "achieved": "interviews achieved in a category (as against its target)",
}


def rate_text(value: float | None) -> str:
    """A rate as the report prints it: "61.1%", or "n/a" without a denominator."""
    return "n/a" if value is None else f"{100 * value:.1f}%"


def count_text(n: int) -> str:
    return f"{n:,}"


def _median(x: float | None, *, minutes: bool = False) -> str:
    """A median as the method section words it: 2, 2.5; minutes from 10 up whole (40, 7.5); "n/a"."""
    if x is None:
        return "n/a"
    x = round(x) if minutes and x >= 10 else round(x, 1)
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


@dataclass
class Figures:
    """The figures of one study at one moment, each worked out on first use and only once."""

    study: Study
    _method: summary.MethodSummary | None = None
    _dispositions: dict[int, Disposition] | None = None
    _groups: dict[str, summary.GroupSummary] = field(default_factory=dict)
    _named: dict[str, dict[str, summary.GroupRow]] = field(default_factory=dict)

    @classmethod
    def of(cls, study: Study, method: summary.MethodSummary | None = None, *,
           dispositions: dict[int, Disposition] | None = None) -> Figures:
        """The figures of ``study``, starting from a method summary and dispositions already
        worked out (``dispositions``: each organisation's, as ``dispositions.of_organisations``)."""
        return cls(study, method, dispositions)

    @property
    def dispositions(self) -> dict[int, Disposition]:
        """Each organisation's disposition, by id (``fieldkit.dispositions.of_organisations``)."""
        if self._dispositions is None:
            from fieldkit import dispositions

            self._dispositions = dispositions.of_organisations(self.study)
        return self._dispositions

    @property
    def method(self) -> summary.MethodSummary:
        if self._method is None:
            self._method = summary.method(self.study, self.dispositions)
        return self._method

    def groups(self, by: str) -> summary.GroupSummary:
        """Organisations on the database and interviewed by ``by`` (``summary.by_group``)."""
        if by not in self._groups:
            self._groups[by] = summary.by_group(self.study, by)
        return self._groups[by]

    def _group(self, by: str) -> dict[str, summary.GroupRow]:
        if by not in self._named:
            self._named[by] = {r.group: r for r in self.groups(by).rows}
        return self._named[by]

    def names(self) -> list[str]:
        """Every name a text may use, as it is written there (for help and error messages)."""
        return ([f"{{{n}}}" for n in (*COUNTS, "not_final", *MEASURES)]
                + [f"{{{c}}}" for c in outcome_rates.RATE_ORDER] + ["{e}"]
                + [f"{{{n}:…}}" for n in GROUPED])

    def help(self) -> list[tuple[str, str]]:
        """(name, what it is) for every figure, in the order a screen lists them."""
        out = [(f"{{{n}}}", what) for n, (what, _) in COUNTS.items()]
        out.append(("{not_final}", "organisations whose disposition is not yet final (fieldwork with them goes on)"))
        out += [(f"{{{n}}}", what) for n, (what, _) in MEASURES.items()]
        out += [(f"{{{c}}}", outcome_rates.RATE_DEFINITIONS.get(c, c)) for c in outcome_rates.RATE_ORDER]
        out.append(("{e}", "the share of organisations of unknown eligibility taken to be eligible"))
        out += [(f"{{{n}:name}}", what) for n, what in GROUPED.items()]
        out += [(f"{{table:{n}}}", what + " (on a line of its own)") for n, what in TABLES.items()]
        return out

    def value(self, name: str) -> str:
        """The text ``{name}`` stands for; ``InvalidValueError`` (without a place) when unknown."""
        key, sep, group = (part.strip() for part in name.partition(":"))
        if not sep:
            if key in COUNTS:
                return count_text(COUNTS[key][1](self.method))
            if key in MEASURES:
                return MEASURES[key][1](self.method)
            if key == "not_final":
                return count_text(sum(not d.final for d in self.dispositions.values()))
            if key in outcome_rates.RATE_ORDER:
                return rate_text(self.method.rates.get(key))
            if key == "e":
                return f"{float(self.method.rates.get('e') or 0.0):.2f}"
            raise InvalidValueError(self._unknown(name))
        if key not in GROUPED:
            raise InvalidValueError(self._unknown(name))
        if key in ("target", "achieved"):
            row = self._group("category").get(group)
            if row is None:
                raise InvalidValueError(f"no category '{group}' in {{{name}}} "
                                        f"(categories: {', '.join(self._group('category'))})")
            if key == "achieved":
                return count_text(row.interviewed)
            if row.target is None:
                raise InvalidValueError(f"the category '{group}' has no target, in {{{name}}}")
            return count_text(row.target)
        for by in ("category", "area"):
            row = self._group(by).get(group)
            if row is not None:
                return count_text(row.on_database if key == "on_database" else row.interviewed)
        raise InvalidValueError(f"no category or area '{group}' in {{{name}}}")

    def _unknown(self, name: str) -> str:
        return f"unknown figure {{{name}}} (figures: {', '.join(self.names())})"

    def fill(self, text: str, where: str, *, escape: Callable[[str], str] = lambda s: s) -> str:
        """``text`` with every ``{name}`` replaced by its figure (passed through ``escape``) and
        ``{{``/``}}`` by braces. An unknown name raises ``InvalidValueError`` saying ``where`` and
        the line: "Background, line 3: unknown figure {intervewed} (figures: …)"."""
        def replace(m: re.Match[str]) -> str:
            if m.group(0) == "{{":
                return "{"
            if m.group(0) == "}}":
                return "}"
            name = m.group(1)
            if name.strip().startswith("table:"):  # a generated table: placed by fieldkit.reports.markup
                table = name.strip()[len("table:"):].strip()
                if table in TABLES:
                    return m.group(0)
                line = text.count("\n", 0, m.start()) + 1
                place = f"{where}, line {line}" if "\n" in text.strip() else where
                raise InvalidValueError(f"{place}: unknown table {{{name}}} "
                                        f"(tables: {', '.join('{table:' + t + '}' for t in TABLES)})")
            try:
                return escape(self.value(name))
            except InvalidValueError as e:
                line = text.count("\n", 0, m.start()) + 1
                place = f"{where}, line {line}" if "\n" in text.strip() else where  # a one-line text: no line
                raise InvalidValueError(f"{place}: {e}") from None
        return FIELD.sub(replace, text)

    def check(self, text: str, where: str) -> list[str]:
        """Every problem with the figures of ``text``, one line each (for a live editor)."""
        problems = []
        for m in FIELD.finditer(text):
            if m.group(1) is None:
                continue
            try:
                self.fill(m.group(0), where)
            except InvalidValueError as e:
                line = text.count(chr(10), 0, m.start()) + 1
                place = f"{where}, line {line}" if "\n" in text.strip() else where
                problems.append(place + str(e)[len(where):])
        return problems


def fields_in(text: str) -> Iterator[str]:
    """The names of the figures ``text`` uses, in order."""
    for m in FIELD.finditer(text):
        if m.group(1) is not None:
            yield m.group(1)
