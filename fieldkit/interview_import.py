"""Import interviews taken elsewhere: a KoboToolbox, ODK, REDCap or LimeSurvey export, an
Access table of answers, or a spreadsheet typed from paper questionnaires.

    plan = plan_interviews(study, sheet, mapping)      # checks every cell, writes nothing
    result = apply_interviews(study, plan)             # backup, then one transaction
    result = import_interviews(study, "kobo.csv", dry_run=True)

One row is one interview, one column one question of the study's current schedule (headed
by the question's id, as the other tools export it, or by its wording, or mapped). Other
columns say which organisation (``organisation_id``, this study's or, with a table of ids,
an old database's, as for attempts; or its name matched as ``fieldkit.matching`` matches
names), when (``date``; ``start`` and ``end`` times), how
(``mode``), by whom (``interviewer``), with whom (``contact``), in which language, and the
``result`` (complete, partial or break_off; by default the study's rule judges it).

Every cell is read as the schedule's question would take it and checked against its type,
choices, range and logic before anything is written, and every bad cell is reported at once
(``ImportFileError``, row and column as a spreadsheet numbers them). A value for a question
the logic would not have asked in that interview is a problem at its cell, as is a required
question left empty in an interview said to be complete (one the file has no column for is
not held against it). A problem with an anonymous answer never repeats the value. Cells are
read as ``fieldkit.cell_values`` reads them (a several-choices question also as a column per
choice); a time zone is dropped, the time kept as the clock showed it where the interview was.

Writing goes through the interview API (``Interviews.start``, ``save_answer``, ``finish``),
so the organisation's status and flags, the search index and the anonymous pool's rules
follow as when an interview is typed. Anonymous answers are held with their interviews and
move to the pool by the k rule, never stored with the row they came from; moves wait until
the last row is written (``Held.deferred``), so the answers that move, move in one shuffled
group per question, in the import's own transaction. The columns other tools add about their own records
(``_submission_time``, ``meta/instanceID``, ``redcap_event_name``, ...) are left out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from fieldkit import expressions, fieldwork, sources
from fieldkit.cell_values import (
    NO_WORDS,
    YES_WORDS,
    CellError,
    OrganisationCells,
    quote,
    read_answer,
    read_language,
    read_moment,
    read_tick,
    split_choice,
    word_key,
)
from fieldkit.errors import (
    FieldkitError,
    ImportFileError,
    InvalidValueError,
    NotFoundError,
)
from fieldkit.import_mapping import Mapping, Problem, check_rows, heading_key
from fieldkit.interview_columns import (  # fields_for and guess_mapping: what the registry asks for here
    FIELDS_NAMES,
    QUESTION,
    Guesser,
    answerable,
    fields_for,
    guess_mapping,
    tool_column,
)
from fieldkit.interview_columns import (
    value_choices as value_choices,
)

if TYPE_CHECKING:
    from fieldkit.study import Study
    from fieldkit.templates import Question


_RESULTS = {**{w: "complete" for w in ("complete", "completed", "full", "fullinterview", *YES_WORDS)},
            **{w: "partial" for w in ("partial", "incomplete", "part", *NO_WORDS)},
            **{w: "break_off" for w in ("breakoff", "brokenoff", "abandoned")}}
_MODES = {**{w: "phone" for w in ("phone", "telephone", "tel", "byphone", "phonecall", "call", "telephoneinterview")},
          **{w: "face_to_face" for w in ("facetoface", "f2f", "ftf", "inperson", "visit", "face")}}

# --- the plan ------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    organisation_id: int
    date: str
    mode: str
    interviewer: str
    result: str
    language: str | None
    started: dt.datetime | None
    ended: dt.datetime | None
    contact: str = ""
    contact_id: int | None = None
    #: question id -> value as stored, in schedule order
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass
class InterviewPlan:
    """What importing a sheet would do: the checked rows, and every problem at its cell."""

    sheet: sources.Sheet
    mapping: Mapping
    rows: list[_Row]
    problems: list[Problem]
    unknown_values: dict[str, Counter[str]]
    #: Columns not imported, with why.
    ignored: dict[str, str] = field(default_factory=dict)
    #: Interviews recorded as by phone because the file gives no mode.
    phone_by_default: int = 0
    #: Answers to anonymous questions among the rows (held, then pooled, when written).
    anonymous_answers: int = 0

    def lines(self) -> list[str]:
        count, orgs = len(self.rows), len({r.organisation_id for r in self.rows})
        out = [f"{count} interview{'s' if count != 1 else ''} with {orgs} organisation{'s' if orgs != 1 else ''} "
               f"to import from {self.sheet.where()}"]
        if self.anonymous_answers:
            out.append(f"{self.anonymous_answers} anonymous answers: held with their interviews, then moved to "
                       "the pool once enough finished interviews have answered the same question")
        new = len({(r.organisation_id, word_key(r.contact)) for r in self.rows if r.contact and r.contact_id is None})
        if new:
            out.append(f"{new} new contact{'s' if new != 1 else ''}")
        if self.phone_by_default:
            out.append(f"no mode given for {self.phone_by_default}: recorded as by phone")
        if self.ignored:
            out.append("not imported: " + "; ".join(f"'{h}' ({why})" for h, why in self.ignored.items()))
        return out


def plan_interviews(study: Study, sheet: sources.Sheet, mapping: Mapping | None = None, *,
                    old_ids: dict[str, str] | None = None) -> InterviewPlan:
    """Check every row of ``sheet`` as ``mapping`` maps it (guessed when None); write nothing.
    ``old_ids``: the organisation ids are an old database's (``attempt_import.link_ids``)."""
    checker = _Checker(study, sheet, mapping, old_ids)
    problems, rows = check_rows(checker, sheet)
    anonymous = sum(1 for r in rows for qid in r.answers if checker.questions[qid].anonymous)
    return InterviewPlan(sheet, checker.mapping, rows, problems, checker.unknown, checker.ignored,
                         checker.phone_by_default, anonymous)


class _Checker:
    def __init__(self, study: Study, sheet: sources.Sheet, mapping: Mapping | None,
                 old_ids: dict[str, str] | None = None):
        self.study = study
        self.sheet = sheet
        self.template = study.template
        self.strict = mapping is None
        self.mapping = mapping if mapping is not None else guess_mapping(study, sheet.header)
        self.guesser = Guesser(self.template, sheet.header)
        self.fields = {f.name: f for f in fields_for(study)}
        self.questions = {q.id: q for q in answerable(self.template)}
        self.order = list(self.questions)
        self.header_problems: list[Problem] = []
        self.problems: list[Problem] = []
        self.bad_cells: set[tuple[int, int | None]] = set()
        self.rows: list[_Row] = []
        self.unknown: dict[str, Counter[str]] = {}
        self.ignored: dict[str, str] = {}
        self.phone_by_default = 0
        #: field -> [(cell index, heading, choice a column per choice stands for)]
        self.cells: dict[str, list[tuple[int, str, str | None]]] = {}
        self.organisations = OrganisationCells(study, self.mapping, old_ids=old_ids)
        self.names = self.organisations.names
        self.rule = fieldwork.settings(study)
        self.taken = {(r["organisation_id"], r["date"]) for r in study.query(
            "SELECT organisation_id, date FROM interviews")}
        self.contacts: dict[int, dict[str, int]] = {}
        self.today = dt.date.today()

    def problem(self, number: int, index: int | None, message: str) -> None:
        heading = self.sheet.header[index].strip() if index is not None and index < len(self.sheet.header) else None
        self.problems.append(Problem(number, heading or None, message, None if index is None else index + 1))
        self.bad_cells.add((number, index))

    def check_header(self) -> None:
        header, problems = self.sheet.header, self.header_problems
        if not any(h.strip() for h in header):
            problems.append(Problem(1, None, "the header row is empty; it must name the columns"))
            return
        problems.extend(Problem(1, None, p) for p in
                        self.mapping.check(tuple(self.fields.values()), header, where="the mapping"))
        computed = {heading_key(w) for q in self.template.questions() if q.qtype.computed for w in (q.id, q.label)}
        seen: dict[str, int] = {}
        for i, heading in enumerate(header):
            text = heading.strip()
            if not text:
                continue
            if text in seen:
                problems.append(Problem(1, None, f"two columns are headed {quote(text)} (columns {seen[text] + 1} "
                                                 f"and {i + 1}); give them different headings", i + 1))
                continue
            seen[text] = i
            target = self.mapping.columns.get(heading, self.mapping.columns.get(text))
            if target is None:
                if heading_key(text) in computed:
                    self.ignored[text] = "calculated by the schedule from the other answers"
                elif tool_column(text, header):
                    self.ignored[text] = "the exporting tool's own column"
                elif heading in self.mapping.columns and not self.strict:
                    self.ignored[text] = "mapped to nothing"
                elif not any(i < len(r) and r[i].strip() for r in self.sheet.rows):
                    self.ignored[text] = "empty"
                elif self.strict and self._repeats_choices(text):
                    self.ignored[text] = "repeats a column of several choices, choice by choice"
                elif self.strict and (guess := self.guesser.target(text)) is not None:
                    first = self.mapping.headings_of(guess)
                    problems.append(Problem(1, None, f"the columns {quote(first[0] if first else '?')} and "
                                                     f"{quote(text)} both look like "
                                                     f"'{guess}'; map one of them to nothing",
                                            i + 1))
                elif self.strict:
                    problems.append(Problem(1, None, f"unknown column {quote(text)}: not a question of the schedule "
                                                     "(by its id) nor one of " + ", ".join(FIELDS_NAMES)
                                            + "; map it, or map it to nothing", i + 1))
                else:
                    problems.append(Problem(1, None, f"the mapping does not say where the column {quote(text)} goes "
                                                     "(map it, or to nothing)", i + 1))
                continue
            if target not in self.fields:
                continue  # reported by the mapping's check
            found = self.cells.setdefault(target, [])
            if found and not self.fields[target].several:
                problems.append(Problem(1, None, f"columns {found[0][0] + 1} and {i + 1} both go to "
                                                 f"'{target}'; it takes one", i + 1))
                continue
            q = self.questions.get(target.removeprefix(QUESTION)) if target.startswith(QUESTION) else None
            split = split_choice(text, q) if q is not None and q.type == "multiple_choice" and \
                text.casefold() != q.id.casefold() else None
            found.append((i, heading, split))
        if "organisation_id" not in self.cells and "organisation" not in self.cells:
            problems.append(Problem(1, None, "no column says which organisation each interview is with "
                                             "(organisation_id or organisation)"))
        if not {"date", "started", "ended"} & set(self.cells):
            problems.append(Problem(1, None, "no column gives the interview's date (date, or start or end)"))

    def _repeats_choices(self, text: str) -> bool:
        for q in self.questions.values():
            if q.type == "multiple_choice" and QUESTION + q.id in self.mapping.columns.values() and \
                    text.casefold().startswith(q.id.casefold()) and split_choice(text, q) is not None:
                return True
        return False

    def _cell(self, record: list[str], name: str) -> tuple[str, int | None]:
        found = self.cells.get(name)
        if not found:
            return "", None
        i = found[0][0]
        return (record[i].strip() if i < len(record) else ""), i

    def _value(self, name: str, raw: str) -> str:
        return self.mapping.value(name, raw)

    def _word(self, number: int, name: str, record: list[str], words: dict[str, str], what: str) -> str | None:
        raw, i = self._cell(record, name)
        if not raw:
            return None
        value = words.get(heading_key(self._value(name, raw)))
        if value is None:
            self.unknown.setdefault(name, Counter())[raw] += 1
            self.problem(number, i, f"{quote(raw)} is not {what}")
        return value

    def check(self, number: int, record: list[str]) -> None:
        if not any(cell.strip() for cell in record):
            return
        bad = len(self.problems)
        for i in range(len(record)):
            if record[i].strip() and (i >= len(self.sheet.header) or not self.sheet.header[i].strip()):
                self.problem(number, i, "a value in a column with no heading; give the column a heading")
        org_id = self._organisation(number, record)
        day, started, ended = self._when(number, record)
        mode = self._word(number, "mode", record, _MODES, "a mode (phone or face to face)")
        if mode is None and not self._cell(record, "mode")[0]:
            self.phone_by_default += 1
        result = self._word(number, "result", record, _RESULTS, "a result (complete, partial or break_off)")
        language = self._language(number, record)
        answers = self._answers(number, record)
        answers = self._logic(number, answers, language)
        result = self._result(number, record, result, answers)
        contact, contact_at = self._cell(record, "contact")
        contact_id = None
        if contact and "\n" in contact:
            self.problem(number, contact_at, "a contact's name must be on one line")
        if org_id is not None and day is not None:
            if (org_id, day.isoformat()) in self.taken:
                _, at = self._cell(record, "date") if "date" in self.cells else self._cell(record, "started")
                self.problem(number, at, f"{self.names[org_id]} (id {org_id}) already has an interview on "
                                         f"{day.isoformat()} (in the study or earlier in this file)")
            self.taken.add((org_id, day.isoformat()))
            if contact:
                contact_id = self._contacts(org_id).get(word_key(contact))
        if len(self.problems) == bad and org_id is not None and day is not None and result is not None:
            self.rows.append(_Row(number, org_id, day.isoformat(), mode or "phone",
                                  self._cell(record, "interviewer")[0], result, language, started, ended,
                                  contact, contact_id, answers))

    def _contacts(self, org_id: int) -> dict[str, int]:
        if org_id not in self.contacts:
            self.contacts[org_id] = {word_key(c.name): c.id for c in reversed(self.study.organisations.contacts(org_id))
                                     if c.name}
        return self.contacts[org_id]

    def _organisation(self, number: int, record: list[str]) -> int | None:
        return self.organisations.read_row(partial(self._cell, record), self.unknown, partial(self.problem, number))

    def _moment(self, number: int, record: list[str], name: str) -> tuple[dt.date | None, dt.datetime | None]:
        raw, i = self._cell(record, name)
        if not raw:
            return None, None
        try:
            day, clock = read_moment(self._value(name, raw), today=self.today)
        except CellError as e:
            self.problem(number, i, str(e))
            return None, None
        if day > self.today:
            self.problem(number, i, f"{day.isoformat()} is in the future")
            return None, None
        return day, (dt.datetime.combine(day, clock) if clock is not None else None)

    def _when(self, number: int, record: list[str]):
        bad = len(self.problems)
        day, _ = self._moment(number, record, "date")
        start_day, started = self._moment(number, record, "started")
        end_day, ended = self._moment(number, record, "ended")
        if started and ended and ended < started:
            self.problem(number, self._cell(record, "ended")[1], f"ends ({ended:%Y-%m-%d %H:%M}) before it "
                                                                 f"starts ({started:%Y-%m-%d %H:%M})")
        day = day or start_day or end_day
        if day is None and len(self.problems) == bad:
            self.problem(number, (self.cells.get("date") or self.cells.get("started") or self.cells["ended"])[0][0],
                         "the interview's date is missing")
        return day, started, ended

    def _language(self, number: int, record: list[str]) -> str | None:
        raw, i = self._cell(record, "language")
        try:
            return read_language(self.template, self._value("language", raw)) if raw else None
        except CellError as e:
            self.unknown.setdefault("language", Counter())[raw] += 1
            self.problem(number, i, str(e))
            return None

    def _answers(self, number: int, record: list[str]) -> dict[str, Any]:
        """Every question's value in the row, each checked against its question alone."""
        answers: dict[str, Any] = {}
        self.refused: list[str] = []
        width = len(record)
        for qid in self.order:
            name = QUESTION + qid
            found = self.cells.get(name)
            if not found:
                continue
            q = self.questions[qid]
            chosen: list[str] = []
            given = False
            mapped = partial(self.mapping.value, name)
            for i, _heading, split in found:
                raw = record[i].strip() if i < width else ""
                if not raw:
                    continue
                try:
                    if split is not None:
                        if read_tick(q, raw, split, mapped):
                            chosen.append(split)
                        given = True
                        continue
                    value = read_answer(q, raw, mapped)
                except CellError as e:
                    if e.unknown:
                        self.unknown.setdefault(name, Counter())[raw] += 1
                    self.problem(number, i, str(e))
                    self.refused.append(qid)
                    continue
                if isinstance(value, list):
                    chosen.extend(value)
                    given = True
                elif value is not None:
                    answers[qid] = value
            if given:
                value = q.clean([c for c in q.choices if c in set(chosen)])
                if value is not None:
                    answers[qid] = value
        return answers

    def _logic(self, number: int, answers: dict[str, Any], language: str | None) -> dict[str, Any]:
        """Drop, as problems, values for questions the logic would not have asked, and values
        breaking a question's rule."""
        logic = self.template.logic
        state = logic.state(answers, today=self.today)
        kept = {}
        for qid, value in answers.items():
            q = self.questions[qid]
            if qid in state.relevant or self._unjudged(q, "relevant"):
                kept[qid] = value
                continue
            self.problem(number, self._index(qid), f"this interview would not have been asked this question: "
                                                   f"{self._why_skipped(q, state)}")
        for qid, value in list(kept.items()):
            q = self.questions[qid]
            why = logic.problem(q, value, kept, language=language, today=self.today)
            if why and not self._unjudged(q, "constraint"):
                if q.anonymous:
                    why = "the answer breaks the question's rule" if q.constraint else "the choice is not offered"
                self.problem(number, self._index(qid), why)
                del kept[qid]
        return kept

    def _unjudged(self, q: Question, what: str) -> bool:
        """Whether ``q``'s relevance (or rule) depends on earlier answers and a cell before it
        was refused: then it is not judged, as it may well hold once that cell is put right."""
        if not self.refused or self.order.index(q.id) < self.order.index(self.refused[0]):
            return False
        if what == "relevant":
            section = next(s for s in self.template.sections if q in s.questions)
            return bool(q.relevant or section.relevant or q.generated_from)
        return bool(q.choice_filter or (q.constraint and expressions.parse(q.constraint).references))

    def _index(self, qid: str) -> int | None:
        found = self.cells.get(QUESTION + qid)
        return found[0][0] if found else None

    def _why_skipped(self, q: Question, state: Any) -> str:
        section = next(s for s in self.template.sections if q in s.questions)
        if section.id not in state.sections:
            return f"its section '{section.title}' is asked only when {section.relevant}"
        if q.generated_from:
            parent = self.template.question(q.generated_from)
            return f"it is asked only when '{parent.choice_label('other')}' is chosen in '{parent.id}'"
        return f"it is asked only when {q.relevant}"

    def _result(self, number: int, record: list[str], result: str | None, answers: dict[str, Any]) -> str | None:
        raw, i = self._cell(record, "result")
        if raw and result is None:
            return None
        # A required question the file has no column for is not held against it (fieldkit's own
        # export, say, has no anonymous questions): the file's word on the result stands.
        asked = [q for q in self.template.logic.asked_required(answers, today=self.today)
                 if QUESTION + q.id in self.cells]
        answered = sum(1 for q in asked if answers.get(q.id) is not None)
        judged = self.rule.judge(answered, len(asked))
        if result is None:
            return "partial" if judged == "break_off" else judged
        if result == "complete" and judged != "complete":
            for q in asked:
                at = self._index(q.id)
                if answers.get(q.id) is None and (number, at) not in self.bad_cells and \
                        not self._unjudged(q, "relevant"):
                    self.problem(number, at if at is not None else i,
                                 f"'{q.id}' ({q.label}) is required and not answered, but the result is complete "
                                 f"(the study's rule: {self.rule.describe_partial()})")
            return None
        return result



# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    interviews: int
    organisations: int
    contacts: int            # contacts added to organisations
    anonymous: int           # anonymous answers imported
    held: int                # of those, still held with their interviews (fewer than k so far)
    dry_run: bool
    source: str = ""

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        out = [f"{verb} {self.interviews} interview{'s' if self.interviews != 1 else ''} with {self.organisations} "
               f"organisation{'s' if self.organisations != 1 else ''} from {self.source}"]
        if self.contacts:
            out.append(f"  {'would add' if self.dry_run else 'added'} {self.contacts} contact"
                       f"{'s' if self.contacts != 1 else ''}")
        if self.anonymous and self.dry_run:
            out.append(f"  {self.anonymous} anonymous answers would be held, then moved to the pool by its rule")
        elif self.anonymous:
            out.append(f"  {self.anonymous} anonymous answers: {self.anonymous - self.held} moved to the pool, "
                       f"{self.held} held with their interviews until enough finished interviews have answered "
                       "the same question")
        return out


def apply_interviews(study: Study, plan: InterviewPlan, *, dry_run: bool = False) -> ImportResult:
    """Write a plan without problems: backup first, then every interview in one transaction
    (any failure leaves none of them). Raises ImportFileError."""
    source = plan.sheet.where()
    if plan.problems:
        raise ImportFileError(source, [p.line() for p in plan.problems])
    new_contacts = {(r.organisation_id, word_key(r.contact)) for r in plan.rows if r.contact and r.contact_id is None}
    result = ImportResult(len(plan.rows), len({r.organisation_id for r in plan.rows}), len(new_contacts),
                          plan.anonymous_answers, plan.anonymous_answers, dry_run, source)
    if dry_run or not plan.rows:
        return result
    study.backup("before-import")  # never blocks: a failure becomes a warning on the study
    ids: list[int] = []
    where = f"row {plan.rows[0].number}"
    try:
        with study.transaction():
            with study.held.deferred():  # the held answers move once every row is written, together
                added: dict[tuple[int, str], int] = {}
                for row in plan.rows:
                    where = f"row {row.number}"
                    _write(study, row, added, ids)
                where = "moving anonymous answers to the pool"
            held = study.scalar("SELECT count(*) FROM held WHERE interview_id IN (SELECT value FROM json_each(?))",
                                (json.dumps(ids),))
    except (InvalidValueError, NotFoundError) as e:
        # Every cell was checked above, so this is a rule the checks do not know yet.
        _scrub(study)
        raise ImportFileError(source, [f"{where}: {e}"]) from None
    except BaseException:
        _scrub(study)
        raise
    finally:
        for interview_id in ids:  # a row failed half-way, its sitting open; rolled back, its id may be
            study.interviews.open_sittings.pop(interview_id, None)  # given again: none stays held back
    if plan.anonymous_answers:
        study.empty_wal()
    return ImportResult(result.interviews, result.organisations, result.contacts, result.anonymous, held, False,
                        source)


def _scrub(study: Study) -> None:
    """Empty the -wal after a rolled-back import: its frames held answers with their rows."""
    with contextlib.suppress(FieldkitError, OSError):
        study.empty_wal()


def _write(study: Study, row: _Row, added: dict[tuple[int, str], int], ids: list[int]) -> None:
    """One interview, through the interview API (inside ``Held.deferred``, its answers wait for
    the last row). Its id goes to ``ids``."""
    contact_id = row.contact_id
    if row.contact and contact_id is None:
        key = (row.organisation_id, word_key(row.contact))
        if key not in added:
            added[key] = study.organisations.add_contact(row.organisation_id, name=row.contact)
        contact_id = added[key]
    midnight = dt.datetime.fromisoformat(row.date)
    session = study.interviews.start(row.organisation_id, mode=row.mode, interviewer=row.interviewer,
                                     date=row.date, contact_id=contact_id, language=row.language,
                                     started=row.started or midnight)
    interview_id = session.interview_id
    ids.append(interview_id)
    for qid in session.answered():  # a question's default is what a form starts with, not an answer
        if qid not in row.answers and not session.question(qid).qtype.computed:
            session.save_answer(qid, None)
    for qid, value in row.answers.items():
        session.save_answer(qid, value)
    session.finish(row.result, at=row.ended or row.started or midnight)
    seconds = (round((row.ended - row.started).total_seconds())
               if row.started is not None and row.ended is not None else None)
    study.conn.execute("UPDATE interviews SET started = ?, sittings = ?, seconds = ? WHERE id = ?", (
        row.started.isoformat() if row.started else None, 1 if seconds is not None else None,
        seconds, interview_id))


def import_interviews(study: Study, path: str | os.PathLike, *, part: str | None = None,
                      mapping: Mapping | None = None, dry_run: bool = False,
                      old_ids: dict[str, str] | None = None) -> ImportResult:
    """Add every interview in the file at ``path`` (its sheet or table ``part``) to ``study``,
    or none of them.

    :param mapping: which column goes to which field; by default guessed from the headings,
        and then every column with values must be a question, a field, or another tool's own.
    :param dry_run: check every cell and say what would be imported, but write nothing.
    :param old_ids: {old database id: study id} (``attempt_import.link_ids(...).values``): the
        file's organisation ids are that database's, and every one must be in the table.
    :raises ImportFileError: listing every problem; the study is then unchanged.
    """
    sheet = sources.read_sheet(path, part)
    plan = plan_interviews(study, sheet, mapping, old_ids=old_ids)
    return apply_interviews(study, plan, dry_run=dry_run)
