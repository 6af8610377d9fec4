"""Import interviews taken elsewhere: a KoboToolbox, ODK, REDCap or LimeSurvey export, an
Access table of answers, or a spreadsheet typed from paper questionnaires.

    plan = plan_interviews(study, sheet, mapping)      # checks every cell, writes nothing
    result = apply_interviews(study, plan)             # backup, then one transaction
    result = import_interviews(study, "kobo.csv", dry_run=True)

One row is one interview, one column one question of the study's current schedule (headed
by the question's id, as the other tools export it, or by its wording, or mapped). Other
columns say which organisation (``organisation_id``, or its name matched as
``fieldkit.matching`` matches names), when (``date``; ``start`` and ``end`` times), how
(``mode``), by whom (``interviewer``), with whom (``contact``), in which language, and the
``result`` (complete, partial or break_off; by default the study's rule judges it).

Every cell is read as the schedule's question would take it and checked against its type,
choices, range and logic before anything is written, and every bad cell is reported at once
(``ImportFileError``, row and column as a spreadsheet numbers them). A value for a question
the logic would not have asked in that interview is a problem at its cell, as is a required
question left empty in an interview said to be complete (one the file has no column for is
not held against it). A problem with an anonymous answer never repeats the value. How values
are read:

- a choice: its name (as KoboToolbox and ODK export it), or its words in any of the
  schedule's languages, or its position (1 for the first, as fieldkit's own export and most
  statistics files code them) unless some choice is itself a number;
- several choices: names or words joined by ";" (fieldkit's way), "|" or ",", or by spaces
  (KoboToolbox's way: choice names have none); or a column per choice (``work/Advice``,
  ``work___1``, ``work_1``, ``work[SQ001]``) ticked 1/0, yes/no or Checked/Unchecked;
- yes/no: yes, y, true, 1, x, ticked; no, n, false, 0; or the question's own words;
- numbers: ``12``, ``-3``, ``2.5``, ``1,200``; dates: ISO (``2024-03-05``) or day first
  (``05/03/2024``, ``5.3.24``, ``5 March 2024``); a date that can only be month first is refused.

Writing goes through the interview API (``Interviews.start``, ``save_answer``, ``finish``),
so the organisation's status and flags, the search index and the anonymous pool's rules
follow as when an interview is typed. Anonymous answers are held with their interviews and
move to the pool by the k rule, never stored with the row they came from; every imported
interview is held back until the last row is written, so the answers that move, move in one
shuffled group per question. The columns other tools add about their own records
(``_submission_time``, ``meta/instanceID``, ``redcap_event_name``, ...) are left out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fieldkit import expressions, fieldwork, sources
from fieldkit.errors import FieldkitError, ImportFileError, InvalidValueError, NotFoundError
from fieldkit.import_mapping import Field, Mapping, Problem, heading_key
from fieldkit.matching import Matcher, name_key

if TYPE_CHECKING:
    from fieldkit.study import Study
    from fieldkit.templates import Question, Template

KIND = "interviews"
#: Fields for questions are named ``question:<question id>``.
QUESTION = "question:"

#: What a column can be imported into, beside the schedule's questions (``fields_for``).
FIELDS: tuple[Field, ...] = (
    Field("organisation_id", "Organisation id (in this study)", ("org id", "organization id", "organisation no")),
    Field("organisation", "Organisation name", ("organization", "organisation name", "organization name", "org",
                                                "org name", "name of organisation", "group", "group name")),
    Field("date", "Date of the interview", ("interview date", "date of interview", "today", "date interviewed")),
    Field("started", "When it started (date and time)", ("start", "start time", "started at", "startdate",
                                                          "began")),
    Field("ended", "When it ended (date and time)", ("end", "end time", "ended at", "finished at", "submitdate")),
    Field("mode", "Mode (phone or face to face)", ("interview mode", "mode of interview", "method")),
    Field("interviewer", "Interviewer", ("interviewed by", "researcher", "enumerator", "interviewer name")),
    Field("result", "Result (complete, partial or break_off)", ("interview result", "outcome", "full interview")),
    Field("language", "Language of the interview", ("interview language", "startlanguage")),
    Field("contact", "Contact interviewed (name)", ("contact name", "interviewee", "respondent",
                                                    "respondent name", "person interviewed")),
)
#: The fields' names, in order.
FIELDS_NAMES = tuple(f.name for f in FIELDS)

_TRUE = frozenset({"yes", "y", "true", "1", "x", "ticked", "tick", "checked", "✓", "✔"})
_FALSE = frozenset({"no", "n", "false", "0", "unticked", "unchecked"})
_RESULTS = {**{w: "complete" for w in ("complete", "completed", "full", "fullinterview", *_TRUE)},
            **{w: "partial" for w in ("partial", "incomplete", "part", *_FALSE)},
            **{w: "break_off" for w in ("breakoff", "brokenoff", "abandoned")}}
_MODES = {**{w: "phone" for w in ("phone", "telephone", "tel", "byphone", "phonecall", "call", "telephoneinterview")},
          **{w: "face_to_face" for w in ("facetoface", "f2f", "ftf", "inperson", "visit", "face")}}
#: The columns KoboToolbox, ODK, REDCap and LimeSurvey add about their own records, and
#: fieldkit's own interview export's (any heading starting "_" is one too).
_TOOL_COLUMNS = frozenset(heading_key(h) for h in (
    "deviceid", "subscriberid", "simserial", "phonenumber", "username", "audit", "instanceID", "instanceName",
    "meta/instanceID", "meta/instanceName", "meta/deprecatedID", "meta-instanceID", "meta-instanceName",
    "KEY", "SubmissionDate", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
    "ReviewState", "DeviceID", "Edits", "FormVersion", "formhub/uuid",
    "record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
    "redcap_data_access_group", "redcap_survey_identifier",
    "lastpage", "seed", "token", "datestamp", "ipaddr", "refurl", "interviewtime",
    "interview_id", "template_version"))
_SEPARATORS = (";", "|", ",")


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def answerable(template: Template) -> list[Question]:
    """The questions an imported value can answer: all but the calculated ones."""
    return [q for q in template.questions() if not q.qtype.computed]


def question_field(template: Template, q: Question) -> Field:
    """The field for a question: its wording as the label, its id (and wording in each
    language) as the words a heading may use."""
    label = q.label
    if q.generated_from:
        label = f"{template.question(q.generated_from).label}: {q.label}"
    words = (q.id, *(t for k, t in q.translations.items() if k.startswith("label::")))
    return Field(QUESTION + q.id, label, words, several=q.type == "multiple_choice", joiner="; ")


def fields_for(study: Study) -> tuple[Field, ...]:
    """FIELDS and one field per question of the study's current schedule."""
    template = study.template
    return FIELDS + tuple(question_field(template, q) for q in answerable(template))


# --- which column is which ---------------------------------------------------------------------


def tool_column(heading: str, header: list[str]) -> bool:
    """Whether ``heading`` is a column another tool adds about its own records."""
    key = heading_key(heading)
    if heading.strip().startswith("_") or key in _TOOL_COLUMNS:
        return True
    keys = {heading_key(h) for h in header}
    if key == "status" and "reviewstate" in keys:
        return True  # ODK Central's own: the review state of the submission
    if "interviewid" in keys and "templateversion" in keys and key in ("category", "area"):
        return True  # fieldkit's own export: the organisation's, not the interview's
    redcap = "recordid" in keys or any(h.strip().startswith("redcap_") for h in header)
    return redcap and heading.strip().endswith(("_complete", "_timestamp"))


def split_choice(heading: str, q: Question) -> str | None:
    """The choice a column per choice of a several-choices question stands for
    (``work/Advice``, ``work___2``, ``work_2``, ``work[SQ002]``, ``Areas of work (choice=Advice)``),
    or None for a column of whole answers."""
    text = heading.strip()
    m = re.fullmatch(r"(.*)\(choice=(.*)\)", text)
    if m:
        return _resolve_choice(q, m.group(2), positions=True)
    for start in (q.id, q.label):
        if len(text) > len(start) and text.casefold().startswith(start.casefold()):
            rest = text[len(start):]
            m = re.fullmatch(r"(?:___|/|\.|_|-|:\s*|\s+)(.+)|\[(.+)\]", rest)
            if m:
                part = m.group(1) or m.group(2)
                part = re.sub(r"^SQ0*(?=\d)", "", part.strip(), flags=re.IGNORECASE)
                return _resolve_choice(q, part, positions=True)
    return _resolve_choice(q, text, positions=False)


class _Guesser:
    """Which field a heading names, by the schedule's question ids, the fields' words and the
    questions' wording."""

    def __init__(self, template: Template, header: list[str]):
        self.header = header
        self.questions = answerable(template)
        self.by_id = {q.id.casefold(): QUESTION + q.id for q in self.questions}
        self.fixed = {heading_key(w): f.name for f in FIELDS for w in (f.name, f.label, *f.words)}
        self.worded: dict[str, str] = {}
        for q in self.questions:
            for w in question_field(template, q).words[1:] + (q.label,):
                self.worded.setdefault(heading_key(w), QUESTION + q.id)

    def target(self, heading: str) -> str | None:
        text = heading.strip()
        found = self.by_id.get(text.casefold())
        if found is not None:
            return found
        if tool_column(text, self.header):
            return None
        found = self.fixed.get(heading_key(text)) or self.worded.get(heading_key(text))
        if found is not None:
            return found
        parts = re.split(r"[/-]", text)  # a question inside a group: group_a/size, group_a-size
        return next((self.by_id[p] for p in ("-".join(parts[i:]).casefold() for i in range(1, len(parts)))
                     if p in self.by_id), None)

    def split_target(self, heading: str, taken: set[str]) -> str | None:
        """The several-choices question a column per choice stands for, when the file has no
        column of its whole answers."""
        text = heading.strip().casefold()
        for q in self.questions:
            if q.type == "multiple_choice" and QUESTION + q.id not in taken and text != q.id.casefold() and \
                    text.startswith((q.id.casefold(), q.label.casefold())) and split_choice(heading, q) is not None:
                return QUESTION + q.id
        return None


def guess_mapping(study: Study, header: list[str]) -> Mapping:
    """The mapping the headings suggest: a heading that is a question's id (also after a
    group's name: ``group_a/size``, ``group_a-size``), a field's name or words, or a
    question's wording goes there; a column per choice goes to its question when there is no
    column of whole answers; the rest (other tools' own columns among them) to nothing."""
    guesser = _Guesser(study.template, header)
    columns: dict[str, str | None] = {}
    taken: set[str] = set()
    for heading in header:
        if not heading.strip() or heading in columns:
            continue
        target = guesser.target(heading)
        columns[heading] = target if target is not None and target not in taken else None
        if target is not None:
            taken.add(target)
    for heading, target in columns.items():
        if target is None and not tool_column(heading, header):
            columns[heading] = guesser.split_target(heading, taken)
    return Mapping(KIND, columns)


# --- reading one cell --------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read as its field takes it (the message says why)."""


def _resolve_choice(q: Question, text: str, *, positions: bool = True) -> str | None:
    """The choice ``text`` names: its name, its words in any language, or its position."""
    if text in q.choices:
        return text
    key = _key(text)
    for match in (lambda c: _key(c.name) == key,
                  lambda c: key in {_key(c.label), *(_key(t) for t in c.translations.values())}):
        found = [c.name for c in q.options if match(c)]
        if len(found) == 1:
            return found[0]
    numbered = any(_key(c.name).isdecimal() or _key(c.label).isdecimal() for c in q.options)
    if positions and key.isdecimal() and not numbered:
        n = int(key)
        if 1 <= n <= len(q.options):
            return q.options[n - 1].name
    return None


def read_choices(q: Question, text: str, mapped: Any) -> list[str]:
    """Several choices from one cell (see the module's docstring)."""
    one = _resolve_choice(q, mapped(text))
    if one is not None:
        return [one]
    tried: list[str] | None = None
    for sep in (*_SEPARATORS, None):
        if sep is not None and sep not in text:
            continue
        parts = [p.strip() for p in text.split(sep) if p.strip()]
        chosen = [_resolve_choice(q, mapped(p)) for p in parts]
        if all(c is not None for c in chosen):
            return [c for c in q.choices if c in chosen]
        if tried is None:
            tried = [p for p, c in zip(parts, chosen) if c is None]
    raise CellError(f"not among the choices: {', '.join(_quote(p) for p in tried or [text])}")


_MONTHS = {m: i for i, names in enumerate(
    ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
     "sep sept september", "oct october", "nov november", "dec december"), start=1) for m in names.split()}
_DATES = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})"), "ymd"),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"), "dmy"),
    (re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]{3,9})\.?,?[\s-]+(\d{4}|\d{2})", re.IGNORECASE), "dMy"),
)
_TIME = re.compile(r"(?:(?:T|\s+)(\d{1,2})[:.](\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([ap]m)?)?"
                   r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?", re.IGNORECASE)
_DATE_FORMS = "use YYYY-MM-DD or day first, dd/mm/yyyy"


def read_moment(text: str, *, today: dt.date | None = None) -> tuple[dt.date, dt.time | None]:
    """A date, and the time of day when one is given, from ISO or day-first text. A time
    zone is dropped: the time is kept as the clock showed it where the interview was."""
    text = text.strip()
    today = today or dt.date.today()
    for pattern, order in _DATES:
        m = pattern.match(text)
        if not m:
            continue
        t = _TIME.fullmatch(text[m.end():])
        if t is None:
            break
        a, b, c = m.groups()
        if order == "ymd":
            year, month, day = int(a), int(b), int(c)
        else:
            day, year = int(a), int(c)
            if order == "dMy":
                if b.casefold() not in _MONTHS:
                    break
                month = _MONTHS[b.casefold()]
            else:
                month = int(b)
                if month > 12 and day <= 12:
                    raise CellError(f"{_quote(text)} reads month first; dates are read day first (dd/mm/yyyy)")
            if len(c) == 2:
                year += 2000 if 2000 + year <= today.year else 1900
        try:
            day_ = dt.date(year, month, day)
            hour, minute, second, half = t.groups()
            clock = None
            if hour is not None:
                h = int(hour) % 12 + (12 if half and half.lower() == "pm" else 0) if half else int(hour)
                clock = dt.time(h, int(minute), int(second or 0))
        except ValueError:
            raise CellError(f"{_quote(text)} is not a date ({_DATE_FORMS})") from None
        return day_, clock
    raise CellError(f"{_quote(text)} is not a date ({_DATE_FORMS})")


_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?")


def read_number(text: str) -> int | float:
    t = text.strip()
    if not t or not _NUMBER.fullmatch(t) or not any(ch.isdecimal() for ch in t):
        raise CellError(f"{_quote(text)} is not a number")
    t = t.replace(",", "")
    value = float(t)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def read_yes_no(q: Question, text: str) -> bool:
    key = _key(text)
    for value, label in ((True, "yes_label"), (False, "no_label")):
        words = {_key(q.text(label))} | {_key(t) for k, t in q.translations.items() if k.startswith(label + "::")}
        if key in words or key in (_TRUE if value else _FALSE):
            return value
    raise CellError(f"{_quote(text)} is not yes or no")


def read_answer(q: Question, text: str, mapped: Any) -> Any:
    """The value ``q`` stores for the cell ``text`` (``mapped``: the mapping's values)."""
    if q.type == "multiple_choice":
        return read_choices(q, text, mapped)
    text = mapped(text)
    if q.qtype.has_choices:
        found = _resolve_choice(q, text)
        if found is None:
            raise CellError(f"{_quote(text)} is not one of the choices")
        return found
    if q.type == "yes_no":
        return read_yes_no(q, text)
    if q.type == "number":
        return read_number(text)
    if q.type == "date":
        return read_moment(text)[0].isoformat()
    return text


def _quote(value: str, limit: int = 60) -> str:
    if len(value) > limit:
        value = value[: limit - 1] + "\u2026"
    return f"'{value}'" if value.isprintable() else repr(value)


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
        new = len({(r.organisation_id, _key(r.contact)) for r in self.rows if r.contact and r.contact_id is None})
        if new:
            out.append(f"{new} new contact{'s' if new != 1 else ''}")
        if self.phone_by_default:
            out.append(f"no mode given for {self.phone_by_default}: recorded as by phone")
        if self.ignored:
            out.append("not imported: " + "; ".join(f"'{h}' ({why})" for h, why in self.ignored.items()))
        return out


def plan_interviews(study: Study, sheet: sources.Sheet, mapping: Mapping | None = None) -> InterviewPlan:
    """Check every row of ``sheet`` as ``mapping`` maps it (guessed when None); write nothing."""
    checker = _Checker(study, sheet, mapping)
    checker.check_header()
    if not checker.header_problems:
        for index, record in enumerate(sheet.rows):
            checker.check(sheet.row_number(index), record)
    problems = checker.header_problems or sorted(checker.problems, key=lambda p: (p.row, p.column or 0))
    rows = [] if problems else checker.rows
    anonymous = sum(1 for r in rows for qid in r.answers if checker.questions[qid].anonymous)
    return InterviewPlan(sheet, checker.mapping, rows, problems, checker.unknown, checker.ignored,
                         checker.phone_by_default, anonymous)


class _Checker:
    def __init__(self, study: Study, sheet: sources.Sheet, mapping: Mapping | None):
        self.study = study
        self.sheet = sheet
        self.template = study.template
        self.strict = mapping is None
        self.mapping = mapping if mapping is not None else guess_mapping(study, sheet.header)
        self.guesser = _Guesser(self.template, sheet.header)
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
        self.matcher = Matcher(study)
        self.names = dict(self.matcher.names)
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
                problems.append(Problem(1, None, f"two columns are headed {_quote(text)} (columns {seen[text] + 1} "
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
                elif self.strict and self.guesser.target(text) is not None:
                    first = self.mapping.headings_of(self.guesser.target(text))
                    problems.append(Problem(1, None, f"the columns {_quote(first[0] if first else '?')} and "
                                                     f"{_quote(text)} both look like "
                                                     f"'{self.guesser.target(text)}'; map one of them to nothing",
                                            i + 1))
                elif self.strict:
                    problems.append(Problem(1, None, f"unknown column {_quote(text)}: not a question of the schedule "
                                                     "(by its id) nor one of " + ", ".join(FIELDS_NAMES)
                                            + "; map it, or map it to nothing", i + 1))
                else:
                    problems.append(Problem(1, None, f"the mapping does not say where the column {_quote(text)} goes "
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
            self.problem(number, i, f"{_quote(raw)} is not {what}")
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
        contact, i = self._cell(record, "contact")
        contact_id = None
        if contact and "\n" in contact:
            self.problem(number, i, "a contact's name must be on one line")
        if org_id is not None and day is not None:
            if (org_id, day.isoformat()) in self.taken:
                _, at = self._cell(record, "date") if "date" in self.cells else self._cell(record, "started")
                self.problem(number, at, f"{self.names[org_id]} (id {org_id}) already has an interview on "
                                         f"{day.isoformat()} (in the study or earlier in this file)")
            self.taken.add((org_id, day.isoformat()))
            if contact:
                contact_id = self._contacts(org_id).get(_key(contact))
        if len(self.problems) == bad and org_id is not None and day is not None and result is not None:
            self.rows.append(_Row(number, org_id, day.isoformat(), mode or "phone",
                                  self._cell(record, "interviewer")[0], result, language, started, ended,
                                  contact, contact_id, answers))

    def _contacts(self, org_id: int) -> dict[str, int]:
        if org_id not in self.contacts:
            self.contacts[org_id] = {_key(c.name): c.id for c in reversed(self.study.organisations.contacts(org_id))
                                     if c.name}
        return self.contacts[org_id]

    def _organisation(self, number: int, record: list[str]) -> int | None:
        raw_id, i = self._cell(record, "organisation_id")
        name, j = self._cell(record, "organisation")
        name = self._value("organisation", name) if name else ""
        if raw_id:
            raw_id = self._value("organisation_id", raw_id)
            if not raw_id.isdecimal() or int(raw_id) not in self.names:
                self.problem(number, i, f"no organisation with id {_quote(raw_id)} in the study")
                return None
            org_id = int(raw_id)
            if name and name_key(name) != name_key(self.names[org_id]):
                self.problem(number, j, f"organisation {org_id} is {_quote(self.names[org_id])}, "
                                        f"not {_quote(name)}")
                return None
            return org_id
        if not name:
            self.problem(number, j if j is not None else i, "which organisation? the cell is empty")
            return None
        found = self.matcher.by_name(name)
        if not found:
            self.problem(number, j, f"no organisation named {_quote(name)} in the study "
                                    "(import the organisations first, or give organisation_id)")
            return None
        if len(found) > 1:
            self.problem(number, j, f"{_quote(name)} is ambiguous: {len(found)} organisations have that name "
                                    f"(ids {', '.join(map(str, found))}); give organisation_id")
            return None
        return found[0]

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
        if not raw:
            return None
        given = _key(self._value("language", raw))
        for language in self.template.languages:
            code = re.search(r"\(([A-Za-z-]+)\)\s*$", language)
            if given in (_key(language), _key(re.sub(r"\s*\([^)]*\)\s*$", "", language))) or \
                    (code and given == code.group(1).casefold()):
                return None if language == self.template.default_language else language
        starting = [lang for lang in self.template.languages if 2 <= len(given) <= 3 and given.isalpha()
                    and lang.casefold().startswith(given)]
        if len(starting) == 1:  # a language code as LimeSurvey writes it: en, cy
            return None if starting[0] == self.template.default_language else starting[0]
        self.unknown.setdefault("language", Counter())[raw] += 1
        self.problem(number, i, f"{_quote(raw)} is not a language of the schedule "
                                f"({', '.join(self.template.languages)})")
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
            for i, _heading, split in found:
                raw = record[i].strip() if i < width else ""
                if not raw:
                    continue
                try:
                    if split is not None:
                        word = _key(self._value(name, raw))
                        if word in _TRUE or _resolve_choice(q, word, positions=False) == split:
                            chosen.append(split)
                        elif word not in _FALSE:
                            raise CellError(f"{_quote(raw)} is neither ticked (1, yes) nor not (0, no)")
                        given = True
                        continue
                    value = read_answer(q, raw, lambda t: self._value(name, t))
                    value = q.clean(value)
                except CellError as e:
                    if not q.anonymous:
                        self.unknown.setdefault(name, Counter())[raw] += 1
                    self.problem(number, i, self._say(q, str(e)))
                    self.refused.append(qid)
                    continue
                except InvalidValueError as e:
                    self.problem(number, i, self._say(q, str(e).removeprefix(f"question '{qid}': ")))
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

    @staticmethod
    def _say(q: Question, message: str) -> str:
        """A problem with an anonymous answer names its cell but never repeats its value."""
        if not q.anonymous:
            return message
        if q.qtype.has_choices:
            what = "not among the choices (" + ", ".join(c.label for c in q.options) + ")"
        elif q.type == "number":
            what = "not a number" + (f" from {q.min:g}" if q.min is not None else "") + \
                (f" to {q.max:g}" if q.max is not None else "")
        elif q.type == "date":
            what = "not a date"
        elif q.type == "yes_no":
            what = "not yes or no"
        else:
            what = re.sub(r"'[^']*'", "the answer", message)
        return f"{what}; the value is not repeated here, as the question is anonymous"

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
    new_contacts = {(r.organisation_id, _key(r.contact)) for r in plan.rows if r.contact and r.contact_id is None}
    result = ImportResult(len(plan.rows), len({r.organisation_id for r in plan.rows}), len(new_contacts),
                          plan.anonymous_answers, plan.anonymous_answers, dry_run, source)
    if dry_run or not plan.rows:
        return result
    study.backup("before-import")  # never blocks: a failure becomes a warning on the study
    sittings = study.interviews.open_sittings
    ids: list[int] = []
    where = f"row {plan.rows[0].number}"
    try:
        with study.transaction():
            added: dict[tuple[int, str], int] = {}
            for row in plan.rows:
                where = f"row {row.number}"
                _write(study, row, added, ids)
            _release(sittings, ids)  # every row written: the held answers may move, together
            where = "moving anonymous answers to the pool"
            study.held.move_ready()
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
        for interview_id in ids:  # rolled back, their ids may be given again: none stays held back
            sittings.pop(interview_id, None)
    if plan.anonymous_answers:
        study.empty_wal()
    return ImportResult(result.interviews, result.organisations, result.contacts, result.anonymous, held, False,
                        source)


def _release(sittings: dict[int, int], ids: list[int]) -> None:
    for interview_id in ids:
        sittings[interview_id] -= 1
        if not sittings[interview_id]:
            del sittings[interview_id]


def _scrub(study: Study) -> None:
    """Empty the -wal after a rolled-back import: its frames held answers with their rows."""
    try:
        study.empty_wal()
    except (FieldkitError, OSError):
        pass


def _write(study: Study, row: _Row, added: dict[tuple[int, str], int], ids: list[int]) -> None:
    """One interview, through the interview API; held back from the pool (as if still open in
    a sitting) until every row is written. Its id goes to ``ids``."""
    contact_id = row.contact_id
    if row.contact and contact_id is None:
        key = (row.organisation_id, _key(row.contact))
        if key not in added:
            added[key] = study.organisations.add_contact(row.organisation_id, name=row.contact)
        contact_id = added[key]
    midnight = dt.datetime.fromisoformat(row.date)
    session = study.interviews.start(row.organisation_id, mode=row.mode, interviewer=row.interviewer,
                                     date=row.date, contact_id=contact_id, language=row.language,
                                     started=row.started or midnight)
    interview_id = session.interview_id
    ids.append(interview_id)
    sittings = study.interviews.open_sittings
    sittings[interview_id] = sittings.get(interview_id, 0) + 1
    for qid in session.answered():  # a question's default is what a form starts with, not an answer
        if qid not in row.answers and not session.question(qid).qtype.computed:
            session.save_answer(qid, None)
    for qid, value in row.answers.items():
        session.save_answer(qid, value)
    session.finish(row.result, at=row.ended or row.started or midnight)
    timed = row.started is not None and row.ended is not None
    study.conn.execute("UPDATE interviews SET started = ?, sittings = ?, seconds = ? WHERE id = ?", (
        row.started.isoformat() if row.started else None, 1 if timed else None,
        round((row.ended - row.started).total_seconds()) if timed else None, interview_id))


def import_interviews(study: Study, path: str | os.PathLike, *, part: str | None = None,
                      mapping: Mapping | None = None, dry_run: bool = False) -> ImportResult:
    """Add every interview in the file at ``path`` (its sheet or table ``part``) to ``study``,
    or none of them.

    :param mapping: which column goes to which field; by default guessed from the headings,
        and then every column with values must be a question, a field, or another tool's own.
    :param dry_run: check every cell and say what would be imported, but write nothing.
    :raises ImportFileError: listing every problem; the study is then unchanged.
    """
    sheet = sources.read_sheet(path, part)
    plan = plan_interviews(study, sheet, mapping)
    return apply_interviews(study, plan, dry_run=dry_run)
