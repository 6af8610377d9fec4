"""Which column of a file of interviews is which: the fields an interview row can fill (its
organisation, date, mode, interviewer, result, language, contact, and one field per question of
the schedule), and the mapping a file's headings suggest, reading the column names KoboToolbox,
ODK, REDCap and LimeSurvey give (question ids, a group's name before the id, a column per
choice) and leaving aside the columns those tools add about their own records.

Used by ``fieldkit.interview_import`` (checking and writing) and, through the importers'
registry, by the import wizard and ``fieldkit import --save-mapping``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fieldkit.cell_values import split_choice
from fieldkit.import_mapping import Field, Mapping, heading_key

if TYPE_CHECKING:
    from fieldkit.study import Study
    from fieldkit.templates import Question, Template

KIND = "interviews"
#: Fields for questions are named ``question:<question id>``.
QUESTION = "question:"

#: What a column can be imported into, beside the schedule's questions (``fields_for``).
FIELDS: tuple[Field, ...] = (
    Field("organisation_id", "Organisation id (this study's, or the old database's with an id table)",
          ("org id", "organization id", "organisation no")),
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


class Guesser:
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
    guesser = Guesser(study.template, header)
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


def value_choices(study: Study, field: str) -> list[tuple[str, str]] | None:
    """What a file's value in ``field`` may be mapped onto, as (label, value): modes, results,
    the schedule's languages, or a question's choices (yes/no included; not several-choice
    questions, whose cells hold several); None for other fields."""
    from fieldkit.errors import FieldkitError
    from fieldkit.fieldwork import RESULT_LABELS, RESULTS
    from fieldkit.interviews import MODE_LABELS, MODES

    template = study.template
    if field == "mode":
        return [(MODE_LABELS.get(m, m), m) for m in MODES]
    if field == "result":
        return [(RESULT_LABELS.get(r, r), r) for r in RESULTS]
    if field == "language":
        return [(language, language) for language in template.languages]
    if not field.startswith(QUESTION):
        return None
    try:
        question = template.question(field.removeprefix(QUESTION))
    except (KeyError, FieldkitError):
        return None
    if question.type == "yes_no":
        return [(question.text("yes_label"), "yes"), (question.text("no_label"), "no")]
    if question.qtype.has_choices and question.type != "multiple_choice":
        return [(c.label, c.name) for c in question.options]
    return None
