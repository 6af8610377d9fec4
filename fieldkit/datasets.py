"""The study's data for analysis: organisations, contacts, attempts and interviews as tables,
the anonymous pool on its own, and a codebook (``fieldkit.codebook``), for a statistician.

Each export is one ``Dataset``: variables (a name, a label, a kind, value labels) and rows.
The same dataset is written as CSV or XLSX (``fieldkit.spreadsheets``: text a spreadsheet would
take for a formula is neutralised), or as SPSS ``.sav`` or Stata ``.dta`` with variable and
value labels (``fieldkit.statfiles``). R users read the CSV with the codebook beside it.
``EXPORTS`` is the one list of what can be exported, in which formats; ``export(study, what,
path)`` writes one, the format taken from the file name's suffix.

**Interviews**: one row per interview (in interview, finished or broken off: ``result`` says
which), with the organisation's id, name, category and area, the date, mode, interviewer,
template version and language, then one variable per *named* question of any template version
(the current schedule's order, then questions since removed). Anonymous questions are never
here: their answers are in the pool, which has no link to an interview; a question anonymous
in any version is left out altogether. Answers the question logic marks as no longer asked
(``answers.relevant = 0``) are left out (missing), as in every count and report.

- one choice and scale: codes 1..n, in the choices' order in the newest template version that
  has the question, then choices only older versions had; value labels are the choices' words
  in the study's report language;
- yes/no: 1 yes, 0 no;
- several choices: one 0/1 variable per choice (``work_1``, ``work_2``, …; 1 chosen), all
  missing where the question was not answered;
- numbers as numbers, dates as dates, texts as texts; a calculated value is a number when
  every stored value is one, else text.

Variable names come from question ids, made to suit SPSS and Stata alike (at most 32
characters, a letter first, letters, digits and ``_``, no reserved word, unique ignoring case);
the codebook gives each name's question. A variable with value labels gets at most 28
characters (``fieldkit.statfiles``).

**Pool**: one row per pooled comment: its question (id and wording), its themes and its words.
No id of any kind (not even the pool's random one), no organisation, interview or date, and
the rows in a fresh random order each time (``random.SystemRandom``), so neither a column nor
the order of the rows says anything about who said what or when. Anonymous answers still held
with their interviews (``fieldkit.held``) are not in the pool yet, so not in the export.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from fieldkit.exports import ExportError
from fieldkit.statfiles import LABELLED_NAME_MAX, NAME_MAX, reserved

if TYPE_CHECKING:
    from fieldkit.study import Study
    from fieldkit.templates import Question

#: The formats of a table export, and the names a user knows them by.
TABLE_FORMATS = ("csv", "xlsx", "sav", "dta")
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel workbook", "sav": "SPSS", "dta": "Stata", "pdf": "PDF"}
#: Value labels of a several-choices variable.
CHOSEN_LABELS = {1: "Chosen", 0: "Not chosen"}


@dataclass(frozen=True)
class Variable:
    """One column of a dataset.

    ``kind`` is number, text, date or datetime; ``value_labels`` the words of each code;
    ``measure`` SPSS's measurement level (nominal, ordinal or scale). For a question's variable:
    ``question_id``, its type (``qtype``), the template ``versions`` that asked it, and for one
    of a several-choices question's 0/1 variables the ``choice`` it stands for.
    """

    name: str
    label: str
    kind: str = "text"
    value_labels: Mapping[int, str] = field(default_factory=dict)
    measure: str = "nominal"
    question_id: str | None = None
    qtype: str | None = None
    choice: str | None = None
    versions: tuple[int, ...] = ()
    #: What the codebook says of it beyond its label and codes.
    note: str = ""


@dataclass(frozen=True)
class Dataset:
    """A table for analysis: ``variables`` name the columns, ``rows`` hold the values (None
    for missing)."""

    name: str
    title: str
    variables: tuple[Variable, ...]
    rows: tuple[tuple[Any, ...], ...]
    notes: tuple[str, ...] = ()

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)

    def column(self, name: str) -> list[Any]:
        index = self.header.index(name)
        return [row[index] for row in self.rows]


class Names:
    """Variable names SPSS and Stata both take, made from ids and unique ignoring case."""

    def __init__(self, taken: Sequence[str] = ()):
        self.taken = {t.lower() for t in taken}

    def make(self, raw: str, suffixes: Sequence[str] = (), *, labelled: bool = False) -> str:
        """A free name from ``raw`` such that it and it with each of ``suffixes`` are free
        (``work`` → ``work`` with ``work_1``, ``work_2``); all of them are taken from then on.
        ``labelled``: for variables with value labels (``statfiles.LABELLED_NAME_MAX``)."""
        base = re.sub(r"[^A-Za-z0-9_]", "_", raw)
        if not re.match(r"[A-Za-z]", base):
            base = "q_" + base
        room = (LABELLED_NAME_MAX if labelled else NAME_MAX) - max((len(s) for s in suffixes), default=0)
        base = base[:room]
        name, n = base, 1
        while not self._free(name, suffixes):
            n += 1
            tail = f"_{n}"
            name = base[:room - len(tail)] + tail
        for taken in [name, *(name + s for s in suffixes)]:
            self.taken.add(taken.lower())
        return name

    def _free(self, name: str, suffixes: Sequence[str]) -> bool:
        return all(n.lower() not in self.taken and not reserved(n) for n in [name, *(name + s for s in suffixes)])


# --- the named records ------------------------------------------------------------------------


def _text_variables(spec: Sequence[tuple[str, str, str]]) -> list[Variable]:
    return [Variable(name, label, kind, measure="scale" if kind in ("date", "datetime") else "nominal")
            for name, label, kind in spec]


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _moment(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def organisations(study: Study, language: str | None = None) -> Dataset:
    """Every organisation (the excluded too: ``status`` says so), with a 0/1 variable per flag."""
    template = study.template
    names = Names(["id", "name", "category", "area", "coverage", "status", "exclusion_reason", "address", "phone",
                   "email", "website", "opening_hours", "referred_by", "notes", "created", "updated"])
    variables = [Variable("id", "Organisation id", "number")] + _text_variables([
        ("name", "Name", "text"), ("category", "Category", "text"), ("area", "Area", "text"),
        ("coverage", "Coverage", "text"), ("status", "Status", "text"),
        ("exclusion_reason", "Reason for exclusion", "text"), ("address", "Address", "text"),
        ("phone", "Phone", "text"), ("email", "Email", "text"), ("website", "Website", "text"),
        ("opening_hours", "Opening hours", "text")])
    variables += [Variable("referred_by", "Referred by (organisation id)", "number")]
    variables += _text_variables([("notes", "Notes", "text"), ("created", "Added", "datetime"),
                                  ("updated", "Last changed", "datetime")])
    flags = template.flag_ids()
    variables += [Variable(names.make(f"flag_{f}", labelled=True), template.flag_label(f), "number",
                           {1: "Yes", 0: "No"}) for f in flags]
    ticked: dict[int, set[str]] = {}
    for r in study.query("SELECT organisation_id, flag FROM flags"):
        ticked.setdefault(r["organisation_id"], set()).add(r["flag"])
    rows = []
    for r in study.query("SELECT id, name, category, area, coverage, status, exclusion_reason, address, phone, "
                         "email, website, opening_hours, referred_by, notes, created, updated "
                         "FROM organisations ORDER BY id"):
        values = list(r.values())
        values[-2:] = [_moment(r["created"]), _moment(r["updated"])]
        rows.append(tuple(values) + tuple(int(f in ticked.get(r["id"], ())) for f in flags))
    return Dataset("organisations", "Organisations", tuple(variables), tuple(rows))


def contacts(study: Study, language: str | None = None) -> Dataset:
    """Every contact, with their organisation's id and name."""
    variables = [Variable("id", "Contact id", "number"), Variable("organisation_id", "Organisation id", "number")]
    variables += _text_variables([("organisation", "Organisation", "text"), ("name", "Name", "text"),
                                  ("role", "Role", "text"), ("phone", "Phone", "text"), ("email", "Email", "text"),
                                  ("notes", "Notes", "text")])
    rows = tuple(tuple(r.values()) for r in study.query(
        "SELECT c.id, c.organisation_id, o.name AS organisation, c.name, c.role, c.phone, c.email, c.notes "
        "FROM contacts c JOIN organisations o ON o.id = c.organisation_id ORDER BY c.id"))
    return Dataset("contacts", "Contacts", tuple(variables), rows)


def attempts(study: Study, language: str | None = None) -> Dataset:
    """Every attempt to reach an organisation: when, how, the outcome, the call-back asked for."""
    variables = [Variable("id", "Attempt id", "number"), Variable("organisation_id", "Organisation id", "number")]
    variables += _text_variables([("organisation", "Organisation", "text"), ("at", "When", "datetime"),
                                  ("channel", "How (phone, email, visit, letter)", "text"),
                                  ("outcome", "Outcome", "text"), ("note", "Note", "text"),
                                  ("callback_at", "Call back at", "datetime"),
                                  ("tried", "Number or address tried", "text")])
    variables.append(Variable("seconds", "Length of the call (seconds)", "number", measure="scale"))
    rows = tuple((r["id"], r["organisation_id"], r["organisation"], _moment(r["at"]), r["channel"], r["outcome"],
                  r["note"], _moment(r["callback_at"]), r["tried"], r["seconds"]) for r in study.query(
        "SELECT a.id, a.organisation_id, o.name AS organisation, a.at, a.channel, a.outcome, a.note, "
        "a.callback_at, a.tried, a.seconds FROM attempts a JOIN organisations o ON o.id = a.organisation_id "
        "ORDER BY a.at, a.id"))
    return Dataset("attempts", "Attempts", tuple(variables), rows)


# --- interviews -------------------------------------------------------------------------------

#: The interview's own variables, before its questions'.
INTERVIEW_VARIABLES = (
    Variable("interview_id", "Interview id", "number"),
    Variable("organisation_id", "Organisation id", "number"),
    Variable("organisation", "Organisation"),
    Variable("category", "Category of organisation"),
    Variable("area", "Area of organisation"),
    Variable("date", "Date of the interview", "date", measure="scale"),
    Variable("mode", "Mode (phone, face_to_face)"),
    Variable("interviewer", "Interviewer"),
    Variable("result", "Result (complete, partial, break_off, in_interview)",
             note="complete and partial are AAPOR 1.1 and 1.2, break_off 2.12; in_interview: not finished yet"),
    Variable("template_version", "Template version the interview was taken with", "number"),
    Variable("language", "Language the interview was asked in"),
)
#: How an interview under way shows in ``result``.
IN_INTERVIEW = "in_interview"


@dataclass(frozen=True)
class AskedQuestion:
    """A named question as the newest template version that has it words it, the versions
    that have it, and its choices' names across them (codes are positions + 1)."""

    question: Question
    versions: tuple[int, ...]
    choices: tuple[str, ...] = ()
    #: For each choice: the versions that offer it.
    choice_versions: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    #: For each choice: the question as the newest version offering it has it (for its words).
    choice_owner: Mapping[str, Question] = field(default_factory=dict)


def named_questions(study: Study) -> list[AskedQuestion]:
    """Every named question an interview may hold answers to: the current schedule's, in its
    order, then those removed since that some interview was taken with. A question anonymous in
    any template version is never among them."""
    versions = study.template_versions()
    templates = {v: study.template_at(v) for v in versions}
    anonymous = {q.id for t in templates.values() for q in t.questions() if q.anonymous}
    used = {r["template_version"] for r in study.query("SELECT DISTINCT template_version FROM interviews")}
    current = {q.id for q in study.template.questions()}
    newest: dict[str, Question] = {}
    asked: dict[str, list[int]] = {}
    choices: dict[str, list[str]] = {}
    choice_versions: dict[str, dict[str, list[int]]] = {}
    owners: dict[str, dict[str, Question]] = {}
    for version in reversed(versions):
        for q in templates[version].questions():
            if q.id in anonymous:
                continue
            newest.setdefault(q.id, q)
            asked.setdefault(q.id, []).append(version)
            for name in q.choices:
                if name not in choices.setdefault(q.id, []):
                    choices[q.id].append(name)
                choice_versions.setdefault(q.id, {}).setdefault(name, []).append(version)
                owners.setdefault(q.id, {}).setdefault(name, q)
    out = []
    for qid, q in newest.items():
        if qid not in current and not used & set(asked[qid]):
            continue  # in a version no interview was taken with
        has = q.qtype.has_choices
        out.append(AskedQuestion(q, tuple(sorted(asked[qid])), tuple(choices.get(qid, ())) if has else (),
                                 {c: tuple(sorted(v)) for c, v in choice_versions.get(qid, {}).items()} if has else {},
                                 owners.get(qid, {}) if has else {}))
    return out


class _QuestionFields(TypedDict):
    """The fields every variable of one question shares (``Variable``'s keywords)."""

    question_id: str
    qtype: str
    versions: tuple[int, ...]


def _chosen(name: str) -> Callable[[Any], int | None]:
    """How an answer becomes a several-choices 0/1 variable's value: 1 if ``name`` is chosen."""
    return lambda v: None if not isinstance(v, list) else int(name in v)


def _question_variables(asked: AskedQuestion, names: Names, language: str,
                        answers: list[Any]) -> list[tuple[Variable, Callable[[Any], Any]]]:
    """The variables of one question, each with how an answer becomes its value."""
    q = asked.question
    label = q.text("label", language)
    common: _QuestionFields = {"question_id": q.id, "qtype": q.type, "versions": asked.versions}
    codes = {name: i for i, name in enumerate(asked.choices, start=1)}

    def words(name: str) -> str:
        return asked.choice_owner[name].choice_label(name, language)

    if q.type == "multiple_choice":
        base = names.make(q.id, [f"_{i}" for i in codes.values()], labelled=True)
        out: list[tuple[Variable, Callable[[Any], Any]]] = []
        between = " " if label.endswith(("?", ":", ".")) else ": "  # "Areas of work: Advice"
        for name, code in codes.items():
            out.append((Variable(f"{base}_{code}", f"{label}{between}{words(name)}", "number", dict(CHOSEN_LABELS),
                                 choice=name, question_id=q.id, qtype=q.type,
                                 versions=asked.choice_versions[name]),
                        _chosen(name)))
        return out
    name = names.make(q.id, labelled=q.qtype.has_choices or q.type == "yes_no")
    if q.qtype.has_choices:
        labels = {code: words(choice) for choice, code in codes.items()}
        measure = "ordinal" if q.qtype.ordered else "nominal"
        return [(Variable(name, label, "number", labels, measure, **common), lambda v: codes.get(v))]
    if q.type == "yes_no":
        labels = {1: q.text("yes_label", language), 0: q.text("no_label", language)}
        return [(Variable(name, label, "number", labels, **common),
                 lambda v: None if not isinstance(v, bool) else int(v))]
    if q.type == "number":
        return [(Variable(name, label, "number", measure="scale", **common), lambda v: v)]
    if q.type == "date":
        return [(Variable(name, label, "date", measure="scale", **common),
                 lambda v: _day(v) if isinstance(v, str) else None)]
    if q.type == "calculate" and answers and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                 for v in answers):
        return [(Variable(name, label, "number", measure="scale", **common), lambda v: v)]
    return [(Variable(name, label, "text", **common), lambda v: None if v is None else str(v))]


def interviews(study: Study, language: str | None = None) -> Dataset:
    """One row per interview, one variable per named question (several for a several-choices
    question), questions and choices worded in ``language`` (default: the report language)."""
    from fieldkit import summary

    language = summary.language_for(study, language)
    asked = named_questions(study)
    wanted = {a.question.id for a in asked}
    answers: dict[int, dict[str, Any]] = {}
    by_question: dict[str, list[Any]] = {}
    for r in study.query("SELECT interview_id, question_id, value FROM answers WHERE relevant"):
        if r["question_id"] in wanted:
            value = json.loads(r["value"])
            answers.setdefault(r["interview_id"], {})[r["question_id"]] = value
            by_question.setdefault(r["question_id"], []).append(value)
    names = Names([v.name for v in INTERVIEW_VARIABLES])
    columns: list[tuple[str, Variable, Callable[[Any], Any]]] = []
    for a in asked:
        for variable, value_of in _question_variables(a, names, language, by_question.get(a.question.id, [])):
            columns.append((a.question.id, variable, value_of))
    rows = []
    for r in study.query(
            "SELECT i.id, i.organisation_id, o.name, o.category, o.area, i.date, i.mode, i.interviewer, i.result, "
            "i.template_version, i.language FROM interviews i JOIN organisations o ON o.id = i.organisation_id "
            "ORDER BY i.id"):
        given = answers.get(r["id"], {})
        spoken = r["language"] or study.template_at(r["template_version"]).default_language
        row = (r["id"], r["organisation_id"], r["name"], r["category"], r["area"], _day(r["date"]), r["mode"],
               r["interviewer"] or None, r["result"] or IN_INTERVIEW, r["template_version"], spoken)
        rows.append(row + tuple(value_of(given[qid]) if qid in given else None for qid, _, value_of in columns))
    notes = (
        "One row per interview; one variable per named question. Anonymous questions are not here: "
        "their answers are in the pool, which has no link to any interview.",
        "Missing: not answered, not asked (the schedule's logic skipped the question, or no longer asked "
        "it after it was answered: such answers are left out), or not in the interview's template version.",
        f"Questions and choices are worded in {language}.",
    )
    return Dataset("interviews", "Interviews", INTERVIEW_VARIABLES + tuple(v for _, v, _ in columns),
                   tuple(rows), notes)


# --- the pool ---------------------------------------------------------------------------------


POOL_VARIABLES = (
    Variable("question_id", "Question id"),
    Variable("question", "Question"),
    Variable("themes", "Themes"),
    Variable("text", "Comment"),
)


def pool(study: Study, language: str | None = None, *, rng: random.Random | None = None) -> Dataset:
    """Every pooled comment: its question (id and wording in ``language``), themes and words,
    in a fresh random order, with no id and nothing that points to an interview."""
    from fieldkit import summary

    language = summary.language_for(study, language)
    template = study.template
    wording: dict[str, str] = {}
    rows = []
    for c in study.pool.comments():
        if c.question_id not in wording:
            q = summary.find_question(study, c.question_id)
            wording[c.question_id] = q.text("label", language) if q is not None else c.question_label
        themes = "; ".join(template.theme_label(t) for t in c.themes)
        rows.append((c.question_id, wording[c.question_id], themes or None, c.text))
    (rng or random.SystemRandom()).shuffle(rows)
    notes = ("One row per comment, in a random order. Nothing links a comment to an organisation, an "
             "interview or a time: not a column, and not the order of the rows.",)
    return Dataset("pool", "Pooled comments", POOL_VARIABLES, tuple(rows), notes)


# --- the registry and writing -----------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """One thing that can be exported: its name (the command line's word), its label, the
    formats it can be written in (file name suffixes), what it holds, and ``build(study,
    language)``, which makes its dataset (``language`` words questions and choices; the named
    records' columns are fieldkit's own words and ignore it)."""

    name: str
    label: str
    formats: tuple[str, ...]
    description: str
    build: Callable[..., Dataset]


def _codebook(study: Study, language: str | None = None) -> Dataset:
    from fieldkit import codebook

    return codebook.build(study, language).dataset()


EXPORTS: dict[str, Export] = {e.name: e for e in (
    Export("organisations", "Organisations", TABLE_FORMATS,
           "every organisation with its details, status and flags", organisations),
    Export("contacts", "Contacts", TABLE_FORMATS, "every contact, with their organisation", contacts),
    Export("attempts", "Attempts", TABLE_FORMATS, "every attempt to reach an organisation", attempts),
    Export("interviews", "Interviews", TABLE_FORMATS,
           "one row per interview, one variable per named question, choices as codes", interviews),
    Export("pool", "Pooled comments", TABLE_FORMATS,
           "the anonymous comments: question, themes and words, shuffled, with no link to interviews", pool),
    Export("codebook", "Codebook", ("csv", "xlsx", "pdf"),
           "every variable of the interviews export: its question, type, codes and template versions", _codebook),
)}


def format_for(what: str, path: str | os.PathLike) -> str:
    """The format to write ``what`` in, from ``path``'s suffix; an ExportError (one line) for
    an export that does not exist or a format it cannot be written in."""
    if what not in EXPORTS:
        raise ExportError(f"nothing called '{what}' to export (expected one of: {', '.join(EXPORTS)})")
    entry = EXPORTS[what]
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in entry.formats:
        offered = ", ".join(f".{f}" for f in entry.formats[:-1]) + f" or .{entry.formats[-1]}"
        given = f"not .{suffix}" if suffix else "the file name has no suffix"
        raise ExportError(f"{path}: {entry.label.lower()} can be written as {offered} ({given})")
    return suffix


def write_dataset(dataset: Dataset, path: str | os.PathLike, fmt: str, *, extra_sheets: Sequence[Dataset] = (),
                  file_label: str = "") -> Path:
    """Write ``dataset`` in ``fmt`` (csv, xlsx, sav or dta) to ``path``, atomically. A workbook
    gets a sheet for each of ``extra_sheets`` after the data's (with their notes below)."""
    from fieldkit import spreadsheets

    if fmt == "csv":
        return spreadsheets.write_csv(path, dataset.header, dataset.rows)
    if fmt == "xlsx":
        sheets = [spreadsheets.Sheet(dataset.title, dataset.header, dataset.rows)]
        sheets += [spreadsheets.Sheet(d.title, d.header, d.rows, notes=d.notes) for d in extra_sheets]
        return spreadsheets.write_xlsx(path, sheets, title=file_label or dataset.title)
    from fieldkit import statfiles

    return statfiles.write(dataset, path, fmt, file_label=file_label or dataset.title)


def export(study: Study, what: str, path: str | os.PathLike, *, language: str | None = None) -> Path:
    """Write the export ``what`` (a key of ``EXPORTS``) to ``path`` in the format its suffix
    names, atomically, and return the path. Questions and choices are worded in ``language``
    (default: the study's report language). Bad input raises ExportError before anything is
    written."""
    fmt = format_for(what, path)
    if what == "codebook":
        from fieldkit import codebook

        book = codebook.build(study, language)
        if fmt == "pdf":
            return codebook.render_pdf(book, path, study=study)
        return write_dataset(book.dataset(), path, fmt, file_label=f"{study.title}: codebook")
    dataset = EXPORTS[what].build(study, language)
    extra: list[Dataset] = []
    if what == "interviews" and fmt == "xlsx":
        from fieldkit import codebook

        extra.append(codebook.from_interviews(dataset).dataset())
    return write_dataset(dataset, path, fmt, extra_sheets=extra, file_label=f"{study.title}: {EXPORTS[what].label}")
