"""The case sheet: one organisation's named record as a PDF.

For the researcher's own use and for answering a subject-access request: the organisation's
details, flags and status, its contacts, every attempt to reach it and every interview with
its named answers, each question worded as in the template version the interview was taken
with. It reads the study through the core's API (no SQL here) and never reads the comment
pool: anonymous answers are not linked to any organisation, so they cannot be on its sheet.

Questions, choices and section titles are worded in the study's report language
(``Study.report_language``, or ``language``), each text missing in it in the default
language's words.

Answers kept but marked irrelevant (the question's logic stopped asking it after it was
answered, ``answers.relevant = 0``) are on the sheet, marked "(no longer asked)": the case
sheet is the researcher's record of the interview, and a subject-access request covers every
answer kept, but the mark says the answer does not count. Everywhere else (crosstabs, tables,
the pool) such answers are left out.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from fieldkit import dispositions, summary
from fieldkit.contact_details import display_phone
from fieldkit.errors import NotFoundError
from fieldkit.interviews import MODE_LABELS
from fieldkit.organisations import STATUS_LABELS
from fieldkit.reports.pages import PAGE_SIZES, Document, Styles, heading, table, write_pdf
from fieldkit.reports.text import para

if TYPE_CHECKING:
    from fieldkit.attempts import Attempt
    from fieldkit.interviews import Interview
    from fieldkit.organisations import Organisation
    from fieldkit.study import Study
    from fieldkit.templates import Template

CHANNELS = {"phone": "Phone", "email": "Email", "visit": "Visit", "letter": "Letter"}
#: After an answer kept but no longer asked by the interview's logic.
NO_LONGER_ASKED = "(no longer asked)"


def render_casesheet(study: Study, org_id: int, path: str | os.PathLike, *, page_size: str = "a4",
                     today: dt.date | None = None, language: str | None = None) -> Path:
    """Write organisation ``org_id``'s case sheet to ``path`` (atomically) and return the path.
    ``language``: the questions' wording (default: the study's report language)."""
    org = study.organisations.get(org_id)
    language = summary.language_for(study, language)
    st = Styles()
    printed = today or dt.date.today()

    def build(f: Any) -> None:
        doc = Document(f, page_size=PAGE_SIZES[page_size], st=st, title=f"Case sheet: {org.name}",
                       author=study.author, subject=f"The record of {org.name} in {study.title}",
                       header=f"{study.title} · case sheet · confidential", footer=f"Printed {_day(printed)}",
                       keywords=["case sheet"], cover=False)
        doc.build_pdf(_Sheet(study, org, st, doc.width, printed, language).story())

    return write_pdf(path, build)


class _Sheet:
    def __init__(self, study: Study, org: Organisation, st: Styles, width: float, printed: dt.date,
                 language: str | None = None):
        self.study, self.org, self.st, self.width, self.printed = study, org, st, width, printed
        self.language = language
        self.template = study.template
        self._keys = 0

    def heading(self, text: str, level: int = 0) -> Flowable:
        self._keys += 1
        return heading(self.st, text, level, f"c{self._keys}", self.st.sheet_h1 if level == 0 else None)

    def pairs(self, rows: list[tuple[str, Any]]) -> Flowable:
        """Label and value rows (empty values left out)."""
        shown = [[label, value] for label, value in rows if value not in (None, "")]
        return table(self.st, ["", ""], shown or [["", "nothing recorded"]], [45 * mm, None], width=self.width,
                     numeric=False, head_row=False)

    def story(self) -> list[Flowable]:
        org = self.org
        out: list[Flowable] = [
            para("Case sheet", self.st.cover_sub),
            para(org.name, self.st.sheet_title),
            para(f"The named record of this organisation in “{self.study.title}”, printed {_day(self.printed)}. "
                 "It contains personal data: keep it confidential. Anonymous answers are kept apart from the "
                 "organisation's record, in a pool with no link back to it, so none appear here.", self.st.note),
            Spacer(1, 8),
        ]
        out += self.details() + self.contacts() + self.attempts() + self.interviews()
        return out

    def details(self) -> list[Flowable]:
        org, t = self.org, self.template
        country = self.study.country  # phone numbers as the case form shows them, not in E.164
        status = STATUS_LABELS.get(org.status, org.status)
        if org.status == "excluded" and org.exclusion_reason:
            status += f" ({org.exclusion_reason})"
        referred = None
        if org.referred_by is not None:
            try:
                referred = self.study.organisations.get(org.referred_by).name
            except NotFoundError:
                referred = None
        out: list[Flowable] = [self.heading("Details"), self.pairs([
            ("Name", org.name), ("Category", org.category), ("Area", org.area), ("Coverage", org.coverage),
            ("Status", status), ("Disposition", dispositions.of_organisation(self.study, org.id).text),
            ("Address", org.address), ("Phone", display_phone(org.phone, country) or None), ("Email", org.email),
            ("Other numbers", "; ".join(f"{display_phone(n.value, country) if n.kind == 'phone' else n.value}"
                                        f"{' (wrong)' if n.wrong else ''}"
                                        for n in self.study.numbers.for_organisation(org.id)
                                        if not n.main and n.contact_id is None)),
            ("Opening hours", org.opening_hours),
            ("Website", org.website), ("Referred by", referred), ("Notes", org.notes),
            ("Added", _when(org.created)), ("Last changed", _when(org.updated)),
        ])]
        out += [self.heading("Flags"), self.pairs(
            [(t.flag_label(f), "Yes" if f in org.flags else "No") for f in t.flag_ids()])]
        return out

    def contacts(self) -> list[Flowable]:
        people = self.study.organisations.contacts(self.org.id)
        out: list[Flowable] = [self.heading("Contacts")]
        if not people:
            return out + [para("No contacts recorded.", "body")]
        country = self.study.country  # phone numbers as the case form shows them, not in E.164
        rows = [[c.name, c.role or "", display_phone(c.phone, country), c.email or "", c.notes or ""] for c in people]
        return out + [table(self.st, ["Name", "Role", "Phone", "Email", "Notes"], rows,
                            [None, 30 * mm, 28 * mm, 42 * mm, None], width=self.width, numeric=False)]

    def attempts(self) -> list[Flowable]:
        tries = self.study.attempts.for_organisation(self.org.id)
        out: list[Flowable] = [self.heading("Attempts to reach the organisation")]
        if not tries:
            return out + [para("No attempts recorded.", "body")]
        country = self.study.country

        def how(a: Attempt) -> str:
            tried = display_phone(a.tried, country) if a.channel == "phone" else a.tried
            # a number kept whole on its line (no-break spaces), under the channel if need be
            return CHANNELS.get(a.channel, a.channel) + (" " + tried.replace(" ", "\u00a0") if tried else "")

        rows = [[_when(a.at, short=True), how(a),
                 a.outcome + (f" ({_minutes(a.seconds)})" if a.seconds else ""), a.note or "",
                 _when(a.callback_at, short=True)] for a in tries]
        return out + [table(self.st, ["When", "How", "Outcome", "Note", "Call back"], rows,
                            [32 * mm, 31 * mm, 28 * mm, None, 24 * mm], width=self.width, numeric=False)]

    def interviews(self) -> list[Flowable]:
        sittings = self.study.interviews.for_organisation(self.org.id)
        out: list[Flowable] = [self.heading("Interviews")]
        if not sittings:
            return out + [para("No interviews recorded.", "body")]
        for interview in sittings:
            out += self.interview(interview)
        return out

    def interview(self, iv: Interview) -> list[Flowable]:
        template = self.study.template_at(iv.template_version)
        person = None
        if iv.contact_id is not None:
            try:
                person = self.study.organisations.contact(iv.contact_id).name
            except NotFoundError:
                person = None
        out: list[Flowable] = [self.heading(f"Interview on {_day(iv.date)}", 1), self.pairs([
            ("Date", _day(iv.date)), ("How", MODE_LABELS.get(iv.mode, iv.mode)), ("Interviewer", iv.interviewer),
            ("Interviewee", person),
            ("Result", _result(iv)),
            ("Started", _when(iv.started) if iv.started else None),
            ("Time spent", f"{_minutes(iv.seconds)} in {iv.sittings} sitting{'s' if iv.sittings != 1 else ''}"
             if iv.seconds is not None and iv.sittings else None),
            ("Attempts before", str(self.study.attempts.count_before(iv.organisation_id, iv.started or iv.date))),
            ("Schedule", f"version {iv.template_version} of the study's questions"),
        ]), Spacer(1, 6)]
        not_asked = set(self.study.interviews.irrelevant_answers(iv.id))
        out += _answers(self.st, template, iv.answers, self.width, language=self.language, not_asked=not_asked)
        return out


def _answers(st: Styles, template: Template, answers: dict[str, Any], width: float, *,
             language: str | None = None, not_asked: set[str] | frozenset[str] = frozenset()) -> list[Flowable]:
    """The named answers, section by section, in the wording of the interview's template (in
    ``language``); those in ``not_asked`` marked as no longer asked."""
    out: list[Flowable] = []
    seen: set[str] = set()
    for section in template.sections:
        rows = []
        for q in section.questions:
            if q.anonymous or q.id not in answers:
                continue
            seen.add(q.id)
            answer = q.as_text(answers[q.id], language)
            rows.append([q.text("label", language), f"{answer} {NO_LONGER_ASKED}" if q.id in not_asked else answer])
        if rows:
            out += [para(section.text("title", language), st.sheet_section),
                    table(st, ["Question", "Answer"], rows, [80 * mm, None], width=width, numeric=False),
                    Spacer(1, 6)]
    # answers to questions the interview's template no longer has (never expected, but never lost)
    rest = [[qid, f"{value} {NO_LONGER_ASKED}" if qid in not_asked else str(value)]
            for qid, value in answers.items() if qid not in seen]
    if rest:
        out += [para("Other answers", st.sheet_section),
                table(st, ["Question", "Answer"], rest, [80 * mm, None], width=width, numeric=False)]
    if not out:
        out.append(para("No named answers recorded.", "body"))
    return out


def _result(iv: Interview) -> str:
    """"Complete (AAPOR 1.1), finished 4 March 2026, 10:15", or "In interview: not yet finished"."""
    from fieldkit.fieldwork import RESULT_CODES, RESULT_LABELS

    if iv.result is None:
        return "In interview: not yet finished"
    ended = "broken off" if iv.result == "break_off" else "finished"
    return f"{RESULT_LABELS[iv.result]} (AAPOR {RESULT_CODES[iv.result]}), {ended} {_when(iv.completed)}"


def _minutes(seconds: int | None) -> str:
    if not seconds:
        return "under a minute" if seconds == 0 else ""
    minutes = round(seconds / 60)
    return "under a minute" if minutes == 0 else f"{minutes} min"


def _day(value: Any, *, short: bool = False) -> str:
    try:
        d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value or "")
    return f"{d.day} {d:%b %Y}" if short else f"{d.day} {d:%B %Y}"


def _when(value: str | None, *, short: bool = False) -> str:
    """An ISO timestamp as "4 March 2026, 10:15" ("4 Mar 2026, 10:15" when ``short``; the
    date alone when no time is given)."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return _day(moment.date(), short=short)
    return f"{_day(moment.date(), short=short)}, {moment:%H:%M}"
