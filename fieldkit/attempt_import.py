"""Import contact attempts (a call log) from a CSV file, an Excel sheet or an Access table.

    plan = plan_attempts(study, sheet, mapping)        # checks every cell, writes nothing
    result = apply_attempts(study, plan)               # backup, then one transaction
    result = import_attempts(study, "calls.xlsx", dry_run=True)

One row is one attempt: which organisation (``organisation_id``, or its name matched as
``fieldkit.matching`` matches names), when (``at``, or a ``date`` and a ``time`` column), how
(``channel``), the ``outcome``, a ``note`` (several columns may be joined), a call-back
(``callback_at``), the number or address ``tried`` and the call's length (``seconds`` or
``minutes``).

Outcomes are the study's own (ignoring case); other wordings ("Left msg") are mapped onto
them by ``Mapping.values["outcome"]``, else each is a problem listing the study's outcomes
(``plan.unknown_values`` counts them for the wizard). Channels likewise ("Tel" is phone,
"E-mail" email); an empty channel means phone. Dates, times and lengths are read as
``fieldkit.cell_values`` reads them: ISO (``2007-10-04 14:30``, as sources reads Excel and
Access cells) or day first as in the UK (``04/10/2007``, ``4.10.07``, ``4 Oct 2007``), one
that can only be month first refused; a time zone is turned into this computer's local
time, as the log's other times are. An attempt dated with no time is at 00:00, the start
of its day, so it counts as made before an interview that day (``attempts.INTERVIEW_BEGAN``
puts an interview with no start at the end of its day; one imported with a date alone starts
at 00:00). A call-back with no time is at 09:00, as ``attempts.parse_time`` reads a typed date.

An organisation id is this study's own (as fieldkit's exports give it), unless there is a
table of the old database's ids (``old_ids``, or ``Mapping.values["organisation_id"]``, built
by ``link_ids`` from that database's organisations table; ``fieldkit import --ids-from``):
then every id must be in it, so an old number never lands on the wrong organisation. A name
beside an id must be its name (``fieldkit.cell_values.OrganisationCells``).

Writing goes through ``Attempts.log``: the first attempt moves an organisation from
identified to contacting, and no other status changes. An attempt with the same
organisation, time, channel and outcome as one in the study is skipped and counted (once
for each the study has, so two calls on one day stay two), so a file imported twice does
not double the log. All or nothing: every bad cell is reported at once (``ImportFileError``,
rows and columns as a spreadsheet numbers them); only a clean file is written, after a
backup and in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from functools import partial
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fieldkit import sources
from fieldkit.attempts import CHANNELS, OPEN_STATUSES
from fieldkit.cell_values import (
    CellError,
    Moment,
    OrganisationCells,
    quote,
    read_moment,
    read_seconds,
    read_time,
    word_key,
)
from fieldkit.errors import ImportFileError, InvalidValueError, NotFoundError
from fieldkit.import_mapping import (
    Field,
    Mapping,
    Problem,
    check_rows,
    guess,
    heading_key,
)
from fieldkit.matching import Matcher

if TYPE_CHECKING:
    from fieldkit.outcome_rules import OutcomeRule
    from fieldkit.study import Study

KIND = "attempts"

#: What a column can be imported into, with the words headings use for each.
FIELDS: tuple[Field, ...] = (
    Field("organisation_id", "Organisation id (this study's, or the old database's with an id table)",
          ("org id", "organization id", "organisation no", "org no", "org ref", "organisation ref")),
    Field("organisation", "Organisation name", ("organization", "organisation name", "organization name", "org",
                                                "org name", "name of organisation", "group", "group name",
                                                "company", "company name", "charity name")),
    Field("at", "When (a date, or a date and time)", ("when", "date and time", "date time", "datetime",
                                                       "timestamp", "time and date", "attempted at", "called at",
                                                       "contacted at")),
    Field("date", "Date (a time column may add the time)", ("call date", "attempt date", "contact date",
                                                             "date of call", "date called", "date contacted")),
    Field("time", "Time of day (with the date column)", ("call time", "time of call", "time called",
                                                          "attempt time")),
    Field("channel", "How (phone, email, visit, letter)", ("how", "method", "contact method", "contact type",
                                                            "means", "medium", "via", "mode")),
    Field("outcome", "Outcome", ("result", "response", "call outcome", "call result", "disposition",
                                 "outcome of call")),
    Field("note", "Note", ("notes", "comment", "comments", "remarks", "details", "description"), several=True,
          joiner="; "),
    Field("callback_at", "Call back (a date, or a date and time)", (
        "call back", "callback", "call back at", "call back on", "call back date", "callback date", "recall",
        "recall date", "next call", "ring back", "call again", "follow up date")),
    Field("tried", "Number or address tried", ("number tried", "number dialled", "number called", "number",
                                               "phone number", "tel no", "telephone number", "address tried",
                                               "dialled")),
    Field("seconds", "Length of the call (seconds, or m:ss)", ("duration", "call length", "length",
                                                                "length of call", "call duration", "secs",
                                                                "duration seconds", "duration secs")),
    Field("minutes", "Length of the call (minutes)", ("mins", "duration minutes", "duration mins",
                                                      "call minutes", "length minutes")),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
#: Headings left aside without a word: the attempt's own number in fieldkit's export or an
#: old database.
_BOOKKEEPING = ("id", "attemptid", "callid")
#: Fields whose values the mapping may turn into the study's (``Mapping.values``).
MAPPABLE = ("organisation_id", "organisation", "channel", "outcome")
#: The time an attempt with a date alone is given (see the module's docstring), and a call-back.
DAY_START = dt.time(0, 0)
CALLBACK_HOUR = dt.time(9, 0)

_CHANNEL_WORDS = {
    **{w: "phone" for w in ("phone", "telephone", "tel", "phonecall", "telephonecall", "call", "called", "rang",
                            "ring", "phoned", "telephoned", "mobile", "landline", "byphone", "ph")},
    **{w: "email" for w in ("email", "emailed", "byemail", "em", "electronicmail")},
    **{w: "visit" for w in ("visit", "visited", "inperson", "facetoface", "f2f", "ftf", "dropin", "droppedin",
                            "calledin", "doorstep")},
    **{w: "letter" for w in ("letter", "letters", "post", "posted", "bypost")},
}

#: Shorthand of call logs, spelt out before an outcome's words suggest one of the study's.
_SHORT = {"msg": "message", "mess": "message", "vm": "voicemail", "cb": "call back", "eng": "engaged",
          "ans": "answer", "int": "interview"}


# --- linking an old database's ids ----------------------------------------------------------------


@dataclass(frozen=True)
class IdLinks:
    """Which of the study's organisations each id of an old database stands for."""

    #: old id -> this study's organisation id (as text): ``Mapping.values["organisation_id"]``.
    values: dict[str, str]
    #: Rows of the organisations table whose organisation is not (or not surely) in the study.
    problems: list[Problem]
    #: The organisations table, as ``Sheet.where`` names it.
    source: str = ""

    def lines(self) -> list[str]:
        n, of = len(self.values), f" of {self.source}" if self.source else ""
        return [f"Linked {n} id{'s' if n != 1 else ''}{of} to the study's organisations by name"] + \
            [f"  not linked: {p.line()}" for p in self.problems]


def link_ids(study: Study, sheet: sources.Sheet, *, id_column: str, name_column: str) -> IdLinks:
    """Link the ids of an old database's organisations table (``sheet``, with its ``id_column``
    and ``name_column``) to the study's organisations of the same name, for a call log that
    names organisations by those ids. Names match as ``Matcher.by_name`` matches them; a name
    that matches none or several is a problem, and its id stays out of the table."""
    def index(heading: str) -> int:
        for i, h in enumerate(sheet.header):
            if h == heading or heading_key(h) == heading_key(heading):
                return i
        raise ImportFileError(sheet.where(), [f"there is no column {quote(heading)} "
                                              f"(columns: {', '.join(h for h in sheet.header if h.strip())})"])

    i, j = index(id_column), index(name_column)
    matcher = Matcher(study)
    values: dict[str, str] = {}
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for n, record in enumerate(sheet.rows):
        old = record[i].strip() if i < len(record) else ""
        name = record[j].strip() if j < len(record) else ""
        if not old or not name:
            continue
        number = sheet.row_number(n)
        found = matcher.by_name(name)
        if len(found) != 1:
            why = "none of the study's organisations has that name" if not found else \
                f"{len(found)} organisations of the study have that name (ids {', '.join(map(str, found))})"
            problems.append(Problem(number, sheet.header[j], f"{quote(name)}: {why}"))
        elif seen.setdefault(word_key(old), str(found[0])) != str(found[0]):
            problems.append(Problem(number, sheet.header[i], f"the id {quote(old)} is given to two organisations"))
        else:
            values[old] = str(found[0])
    return IdLinks(values, problems, sheet.where())


def link_ids_from(study: Study, path: str | os.PathLike, *, part: str, id_column: str,
                  name_column: str) -> IdLinks:
    """``link_ids`` on the organisations table or sheet ``part`` of the file at ``path`` (the
    call log's own file: ``fieldkit import --ids-from``). Raises ImportFileError when no id
    links, as every row giving an id would then be refused."""
    sheet = sources.read_sheet(path, part)
    links = link_ids(study, sheet, id_column=id_column, name_column=name_column)
    if not links.values:
        raise ImportFileError(sheet.where(), [p.line() for p in links.problems] or [
            f"no row has both an id ({id_column}) and a name ({name_column}) to link"])
    return links


# --- checking rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    number: int
    organisation_id: int
    at: dt.datetime
    channel: str
    outcome: str
    note: str | None
    callback_at: dt.datetime | None
    tried: str | None
    seconds: int | None

    @property
    def key(self) -> tuple[int, str, str, str]:
        """What makes an attempt the same as one already in the study."""
        return self.organisation_id, self.at.isoformat(), self.channel, self.outcome


@dataclass
class AttemptPlan:
    """What importing a sheet would do: the checked rows, every problem at its cell, and the
    values (outcomes, channels, organisations) the study does not have, with their counts."""

    sheet: sources.Sheet
    mapping: Mapping
    rows: list[_Row]
    problems: list[Problem]
    unknown_values: dict[str, Counter[str]]
    #: Rows of attempts the study already has (same organisation, time, channel, outcome).
    duplicates: list[int]
    #: Attempts for organisations interviewed, declined, unreachable or excluded already.
    for_closed: int = 0
    #: {field: {file value: the study's value its words suggest}}, for the wizard to offer.
    suggested_values: dict[str, dict[str, str]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        skip = set(self.duplicates)
        new = len(self.rows) - len(skip)
        orgs = len({r.organisation_id for r in self.rows if r.number not in skip})
        out = [f"{new} attempt{'s' if new != 1 else ''} for {orgs} organisation{'s' if orgs != 1 else ''} "
               f"to import from {self.sheet.where()}"]
        if self.duplicates:
            out.append(f"{len(self.duplicates)} already in the study (same organisation, time, channel and "
                       "outcome) will be skipped")
        if self.for_closed:
            out.append(f"{self.for_closed} for organisations already interviewed, declined, unreachable or "
                       "excluded: their status stays as it is")
        return out


def value_choices(study: Study, field: str) -> list[tuple[str, str]] | None:
    """What a file's value in ``field`` may be mapped onto, as (label, value): the study's
    outcomes, the channels, or an organisation whose name is its own; None for other fields."""
    if field == "outcome":
        return [(o, o) for o in study.template.outcomes]
    if field == "channel":
        from fieldkit.attempts import CHANNELS

        return [(c.capitalize(), c) for c in CHANNELS]
    if field == "organisation":
        from fieldkit.collation import sort_key
        from fieldkit.matching import Matcher

        matcher = Matcher(study)
        unique = [(name, i) for i, name in matcher.names.items() if matcher.by_name(name) == [i]]
        return [(f"{name} (id {i})", name) for name, i in sorted(unique, key=lambda n: sort_key(n[0]))]
    return None


def plan_attempts(study: Study, sheet: sources.Sheet, mapping: Mapping | None = None, *,
                  old_ids: dict[str, str] | None = None) -> AttemptPlan:
    """Check every row of ``sheet`` as ``mapping`` maps it (guessed when None); write nothing.
    ``old_ids``: the organisation ids are an old database's, linked by ``link_ids``."""
    checker = _Checker(study, sheet, mapping, old_ids)
    problems, rows = check_rows(checker, sheet)
    skip = _already_in(study, rows)
    status = _statuses(study, rows)
    return AttemptPlan(sheet, checker.mapping, rows, problems, checker.unknown, sorted(skip),
                       sum(1 for r in rows if status.get(r.organisation_id, "identified") not in OPEN_STATUSES
                           and r.number not in skip),
                       checker.suggested)


class _Checker:
    def __init__(self, study: Study, sheet: sources.Sheet, mapping: Mapping | None,
                 old_ids: dict[str, str] | None = None):
        self.study = study
        self.sheet = sheet
        self.strict = mapping is None
        self.mapping = mapping if mapping is not None else guess(sheet.header, FIELDS, KIND)
        self.fields = {f.name: f for f in FIELDS}
        self.header_problems: list[Problem] = []
        self.problems: list[Problem] = []
        self.rows: list[_Row] = []
        self.unknown: dict[str, Counter[str]] = {}
        self.suggested: dict[str, dict[str, str]] = {}
        self._rules: dict[str, OutcomeRule] | None = None
        #: field -> [cell index, ...] in the file's order
        self.cells: dict[str, list[int]] = {}
        self.outcomes = tuple(study.template.outcomes)
        self.by_key: dict[str, str] = {}
        for o in self.outcomes:
            self.by_key.setdefault(word_key(o), o)
        self.organisations = OrganisationCells(study, self.mapping, old_ids=old_ids)
        self.now = dt.datetime.now().replace(microsecond=0)

    def problem(self, number: int, index: int | None, message: str) -> None:
        header = self.sheet.header
        heading = header[index].strip() if index is not None and index < len(header) else None
        self.problems.append(Problem(number, heading or None, message, None if index is None else index + 1))

    def check_header(self) -> None:
        header, problems = self.sheet.header, self.header_problems
        accepted = f"(columns: {', '.join(FIELD_NAMES)})"
        if not any(h.strip() for h in header):
            problems.append(Problem(1, None, f"the header row is empty; it must name the columns {accepted}"))
            return
        problems.extend(Problem(1, None, p) for p in self.mapping.check(FIELDS, header, where="the mapping"))
        for i, heading in enumerate(header):
            text = heading.strip()
            if not text:
                if any(i < len(r) and r[i].strip() for r in self.sheet.rows):
                    problems.append(Problem(1, None, "the column has no heading but has values; give it a heading "
                                                     "or delete the column", i + 1))
                continue
            if heading in self.mapping.columns or text in self.mapping.columns:
                target = self.mapping.columns.get(heading, self.mapping.columns.get(text))
            elif self.strict or heading_key(text) in _BOOKKEEPING:
                target = None
            else:
                problems.append(Problem(1, None, f"the mapping does not say where the column {quote(text)} goes "
                                                 "(map it, or to nothing)", i + 1))
                continue
            if target is None:
                if self.strict and heading_key(text) not in _BOOKKEEPING:
                    problems.append(Problem(1, None, f"unknown column {quote(text)} {accepted}; map it, or map "
                                                     "it to nothing", i + 1))
                continue
            if target not in self.fields:
                continue  # the mapping's check says so
            found = self.cells.setdefault(target, [])
            if found and not self.fields[target].several:
                problems.append(Problem(1, None, f"columns {found[0] + 1} and {i + 1} both go to '{target}'; it "
                                                 "takes one", i + 1))
                continue
            found.append(i)
        mapped = set(self.cells)
        if not mapped & {"organisation_id", "organisation"}:
            problems.append(Problem(1, None, "no column says which organisation each attempt was for "
                                             f"(organisation_id or organisation) {accepted}"))
        if not mapped & {"at", "date"}:
            problems.append(Problem(1, None, f"no column says when each attempt was made (at, or date) {accepted}"))
        for one, other in (("at", "date"), ("seconds", "minutes")):
            if {one, other} <= mapped:
                problems.append(Problem(1, None, f"both '{one}' and '{other}' have a column; map one of them"))
        if "time" in mapped and not mapped & {"at", "date"}:
            problems.append(Problem(1, None, "a time column needs a date column beside it"))
        if "outcome" not in mapped:
            problems.append(Problem(1, None, f"there is no outcome column; every attempt needs one {accepted}"))

    def _cell(self, record: list[str], name: str) -> tuple[str, int | None]:
        found = self.cells.get(name)
        if not found:
            return "", None
        if len(found) > 1:
            joined = self.fields[name].joiner.join(v for v in (record[i].strip() for i in found if i < len(record))
                                                   if v)
            return joined, found[0]
        i = found[0]
        return (record[i].strip() if i < len(record) else ""), i

    def check(self, number: int, record: list[str]) -> None:
        if not any(cell.strip() for cell in record):
            return  # an empty row, as spreadsheets leave them
        bad = len(self.problems)
        for i in range(len(self.sheet.header), len(record)):
            if record[i].strip():
                self.problem(number, i, "a value in a column with no heading; give the column a heading")
                break
        org_id = self._organisation(number, record)
        at = self._at(number, record)
        channel = self._channel(number, record)
        outcome = self._outcome(number, record)
        callback = self._callback(number, record, at)
        seconds = self._seconds(number, record)
        note, _ = self._cell(record, "note")
        tried, _ = self._cell(record, "tried")
        if len(self.problems) == bad and org_id is not None and at is not None and channel and outcome:
            self.rows.append(_Row(number, org_id, at, channel, outcome, note or None, callback, tried or None,
                                  seconds))

    def _unknown(self, name: str, raw: str) -> None:
        self.unknown.setdefault(name, Counter())[raw] += 1

    def _organisation(self, number: int, record: list[str]) -> int | None:
        return self.organisations.read_row(partial(self._cell, record), self.unknown, partial(self.problem, number))

    def _moment(self, number: int, record: list[str], name: str) -> tuple[Moment | None, bool]:
        """The cell's date and time, and whether it was read (an empty cell is read, as None)."""
        raw, i = self._cell(record, name)
        if not raw:
            return None, True
        try:
            return read_moment(raw, today=self.now.date(), zone="local"), True
        except CellError as e:
            self.problem(number, i, str(e))
            return None, False

    def _at(self, number: int, record: list[str]) -> dt.datetime | None:
        name = "at" if "at" in self.cells else "date"
        when, read = self._moment(number, record, name)
        raw_time, k = self._cell(record, "time")
        extra = None
        if raw_time:
            try:
                extra = read_time(raw_time)
            except CellError as e:
                self.problem(number, k, str(e))
                return None
        if not read:
            return None
        if when is None:
            self.problem(number, self._cell(record, name)[1], "when? the cell is empty")
            return None
        if extra is not None and when.clock is not None and extra != when.clock:
            self.problem(number, k, f"the time {extra:%H:%M} is not the {when.clock:%H:%M} the date column gives")
            return None
        moment = when.at(extra or DAY_START)
        if moment > self.now:
            self.problem(number, self._cell(record, name)[1], f"{moment:%Y-%m-%d %H:%M} is in the future")
            return None
        return moment

    def _callback(self, number: int, record: list[str], at: dt.datetime | None) -> dt.datetime | None:
        when, _ = self._moment(number, record, "callback_at")
        if when is None:
            return None
        moment = when.at(CALLBACK_HOUR)
        if at is not None and (moment < at if when.clock is not None else when.day < at.date()):
            self.problem(number, self._cell(record, "callback_at")[1],
                         f"the call-back ({moment:%Y-%m-%d %H:%M}) is before the attempt ({at:%Y-%m-%d %H:%M})")
            return None
        return moment

    def _channel(self, number: int, record: list[str]) -> str | None:
        raw, i = self._cell(record, "channel")
        if not raw:
            return "phone"
        value = self.mapping.value("channel", raw)
        found = _CHANNEL_WORDS.get(heading_key(value))
        if found is None:
            self._unknown("channel", raw)
            self.problem(number, i, f"{quote(raw)} is not a way of making contact (use one of {', '.join(CHANNELS)}, "
                                    "or map it to one)")
        return found

    def _outcome(self, number: int, record: list[str]) -> str | None:
        raw, i = self._cell(record, "outcome")
        if not raw:
            self.problem(number, i, "the outcome is empty; every attempt needs one")
            return None
        value = self.mapping.value("outcome", raw)
        found = self.by_key.get(word_key(value))
        if found is None:
            self._unknown("outcome", raw)
            guessed = self._suggest(value)
            if guessed:
                self.suggested.setdefault("outcome", {})[raw] = guessed
            self.problem(number, i, f"{quote(raw)} is not one of the study's outcomes ({', '.join(self.outcomes)}); "
                                    f"map it to one" + (f" (perhaps {quote(guessed)}?)" if guessed else ""))
        return found

    def _suggest(self, value: str) -> str | None:
        """The study's outcome whose rule is the one the words suggest, when only one has it."""
        from fieldkit.outcome_rules import UNKNOWN_OUTCOME, guess_outcome

        words = " ".join(_SHORT.get(w, w) for w in re.findall(r"[\w']+", value.casefold()))
        rule = guess_outcome(words)
        if rule is UNKNOWN_OUTCOME:  # the words say nothing known
            return None
        if self._rules is None:
            self._rules = {o: self.study.template.outcome_rule(o) for o in self.outcomes}
        same = [o for o, r in self._rules.items() if r == rule] or \
            [o for o, r in self._rules.items() if r.disposition == rule.disposition]
        return same[0] if len(same) == 1 else None

    def _seconds(self, number: int, record: list[str]) -> int | None:
        name = "minutes" if "minutes" in self.cells else "seconds"
        raw, i = self._cell(record, name)
        if not raw:
            return None
        try:
            return read_seconds(raw, minutes=name == "minutes")
        except CellError as e:
            self.problem(number, i, str(e))
            return None


# --- writing ----------------------------------------------------------------------------------------


def _statuses(study: Study, rows: list[_Row]) -> dict[int, str]:
    """The status of each organisation the rows are for."""
    return {r["id"]: r["status"] for r in study.query(
        "SELECT id, status FROM organisations WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted({r.organisation_id for r in rows})),))}


def _already_in(study: Study, rows: list[_Row]) -> set[int]:
    """The numbers of the rows whose attempt the study has already: each attempt of the study
    stands for one row of the file with the same organisation, time, channel and outcome."""
    if not rows:
        return set()
    have: Counter[tuple[int, str, str, str]] = Counter()
    for r in study.query("SELECT organisation_id, at, channel, outcome FROM attempts WHERE organisation_id IN "
                         "(SELECT value FROM json_each(?))", (json.dumps(sorted({x.organisation_id for x in rows})),)):
        try:
            at = dt.datetime.fromisoformat(r["at"]).replace(microsecond=0).isoformat()
        except ValueError:
            continue
        have[(r["organisation_id"], at, r["channel"], r["outcome"])] += 1
    skip = set()
    for row in rows:
        if have[row.key] > 0:
            have[row.key] -= 1
            skip.add(row.number)
    return skip


@dataclass(frozen=True)
class ImportResult:
    attempts: int              # attempts imported (or that would be, under dry_run)
    organisations: int         # organisations they were for
    skipped: int               # attempts the study already had
    moved: int                 # organisations moved from identified to contacting
    dry_run: bool
    source: str = ""
    for_closed: int = 0        # attempts for organisations interviewed, declined, ... already

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        out = [f"{verb} {self.attempts} attempt{'s' if self.attempts != 1 else ''} for {self.organisations} "
               f"organisation{'s' if self.organisations != 1 else ''} from {self.source}"]
        if self.skipped:
            out.append(f"  {'would skip' if self.dry_run else 'skipped'} {self.skipped} already in the study "
                       "(same organisation, time, channel and outcome)")
        if self.moved:
            out.append(f"  {'would move' if self.dry_run else 'moved'} {self.moved} organisation"
                       f"{'s' if self.moved != 1 else ''} from identified to contacting")
        if self.for_closed:
            out.append(f"  {self.for_closed} for organisations already interviewed, declined, unreachable or "
                       "excluded: their status stays as it is")
        return out


def apply_attempts(study: Study, plan: AttemptPlan, *, dry_run: bool = False) -> ImportResult:
    """Write a plan without problems through ``Attempts.log``, skipping the attempts the study
    already has: backup first, then one transaction (a failure leaves none of them).
    Raises ImportFileError."""
    source = plan.sheet.where()
    if plan.problems:
        raise ImportFileError(source, [p.line() for p in plan.problems])

    def outline() -> tuple[list[_Row], ImportResult]:
        skip = _already_in(study, plan.rows)
        new = [r for r in plan.rows if r.number not in skip]
        status = _statuses(study, new)
        moved = sum(1 for s in status.values() if s == "identified")
        closed = sum(1 for r in new if status.get(r.organisation_id, "identified") not in OPEN_STATUSES)
        orgs = len({r.organisation_id for r in new})
        return new, ImportResult(len(new), orgs, len(skip), moved, dry_run, source, closed)

    new, result = outline()
    if dry_run or not new:
        return result
    study.backup("before-import")  # never blocks: a failure becomes a warning on the study
    where = f"row {new[0].number}"
    try:
        with study.transaction():
            new, result = outline()  # as the study is now, inside the transaction
            log = study.attempts.log
            for row in new:
                where = f"row {row.number}"
                log(row.organisation_id, outcome=row.outcome, channel=row.channel, note=row.note,
                    callback_at=row.callback_at, at=row.at, tried=row.tried, seconds=row.seconds)
    except (InvalidValueError, NotFoundError) as e:
        # Every cell was checked above, so this is a rule the checks do not know yet.
        raise ImportFileError(source, [f"{where}: {e}"]) from None
    return result


def import_attempts(study: Study, path: str | os.PathLike, *, part: str | None = None,
                    mapping: Mapping | None = None, dry_run: bool = False,
                    old_ids: dict[str, str] | None = None) -> ImportResult:
    """Add every attempt in the file at ``path`` (its sheet or table ``part``) to ``study``, or
    none of them; attempts the study already has are skipped and counted.

    :param mapping: which column goes to which field, and which of the file's outcomes,
        channels, names and ids stand for which of the study's; by default guessed from the
        headings, and then every column must be one fieldkit knows.
    :param dry_run: check everything and say what would be imported, but write nothing.
    :param old_ids: {old database id: study id} (``link_ids(...).values``): the file's
        organisation ids are that database's, and every one must be in the table.
    :raises ImportFileError: listing every problem; the study is then unchanged.
    """
    sheet = sources.read_sheet(path, part)
    plan = plan_attempts(study, sheet, mapping, old_ids=old_ids)
    if plan.problems:
        raise ImportFileError(sheet.where(), [p.line() for p in plan.problems])
    return apply_attempts(study, plan, dry_run=dry_run)
