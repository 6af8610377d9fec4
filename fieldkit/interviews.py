"""Interviews: one sitting with an organisation, answered one question at a time.

``Interviews.start`` records the interview (the organisation is then "in interview": still
contacting, with an interview under way) and returns an ``InterviewSession``. ``save_answer``
is cheap enough to call on every pause in typing: a named answer is upserted against the
interview; an anonymous answer is held with the interview (fieldkit.held) until enough finished
interviews have answered the same question to hide it among, then moved to the pool with
theirs. ``complete`` finishes the interview as complete or partial (AAPOR 1.1, 1.2) by the
study's rule (fieldkit.fieldwork), the organisation becomes "interviewed", "full interview" is
ticked for a complete one, and whatever groups are ready move. ``break_off`` ends one abandoned
for good (2.12): it is never counted as interviewed. Each interview records the template
version it was taken with, and its paradata (when it began, its sittings and the time spent in
them; nothing of it reaches the pool).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fieldkit.attempts import INTERVIEW_BEGAN
from fieldkit.errors import InvalidValueError, NotFoundError
from fieldkit.templates import Question, Template

if TYPE_CHECKING:
    from fieldkit.logic import State
    from fieldkit.study import Study

MODES = ("phone", "face_to_face")
MODE_LABELS = {"phone": "Phone", "face_to_face": "Face to face"}


@dataclass(frozen=True)
class Interview:
    id: int
    organisation_id: int
    contact_id: int | None
    template_version: int
    date: str
    mode: str
    interviewer: str
    completed: str | None
    #: The language the interview is asked in (None: the template's default).
    language: str | None = None
    #: The section the interviewer was last in (to resume there).
    section: str | None = None
    #: None while in interview; then complete, partial or break_off.
    result: str | None = None
    #: When the first sitting began (None: recorded before fieldkit kept it).
    started: str | None = None
    #: How many sittings it took, and the seconds spent in them (None: unknown).
    sittings: int | None = None
    seconds: int | None = None
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InterviewRow:
    """One line of the list of interviews: who, when, how, and whether it is finished."""

    id: int
    organisation_id: int
    organisation: str
    date: str
    mode: str
    interviewer: str
    completed: str | None
    result: str | None = None
    started: str | None = None
    sittings: int | None = None
    seconds: int | None = None
    #: Attempts at the organisation up to when the interview began (its start, else its day).
    attempts_before: int = 0


def _date(value: str | dt.date | None) -> str:
    if value is None or value == "":
        return dt.date.today().isoformat()
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InvalidValueError(f"interview date: '{value}' is not a date (YYYY-MM-DD)") from None


def _language(template: Template, language: str | None) -> str | None:
    """``language`` checked against the template's (None or the default: stored as None)."""
    if language is None or language == template.default_language:
        return None
    if language not in template.languages:
        raise InvalidValueError(f"the schedule is not written in '{language}' "
                                f"(languages: {', '.join(template.languages)})")
    return language


class Interviews:
    def __init__(self, study: Study):
        self.study = study
        #: Interviews open in a sitting (an ``InterviewSession`` not yet closed): their held
        #: answers do not move while the researcher may still be correcting them.
        self.open_sittings: dict[int, int] = {}

    def start(
        self,
        org_id: int,
        *,
        mode: str = "phone",
        interviewer: str = "",
        date: str | dt.date | None = None,
        contact_id: int | None = None,
        language: str | None = None,
        started: dt.datetime | None = None,
    ) -> InterviewSession:
        """Record a new interview with the study's current template and open it; questions
        with a ``default`` start with that answer. ``started`` is when it began, for an
        interview entered after the event (default: now)."""
        self.study.organisations.get(org_id)
        template = self.study.template
        language = _language(template, language)
        if mode not in MODES:
            raise InvalidValueError(f"unknown mode '{mode}' (expected one of {', '.join(MODES)})")
        if contact_id is not None and self.study.organisations.contact(contact_id).organisation_id != org_id:
            raise InvalidValueError(f"contact {contact_id} is not at organisation {org_id}")
        from fieldkit.study import now

        with self.study.transaction():
            stamp = now() if started is None else started.replace(microsecond=0).isoformat()
            interview_id = self.study.db.table("interviews").insert({
                "organisation_id": org_id,
                "contact_id": contact_id,
                "template_version": self.study.template_version,
                "date": _date(date),
                "mode": mode,
                "interviewer": interviewer or "",
                "completed": None,
                "language": language,
                "started": stamp,
                "sittings": 0,
                "seconds": 0,
            }).last_pk
            assert interview_id is not None  # a plain insert always sets the new row's id
            before = self.study.organisations.get(org_id)
            if before.status != "interviewed":  # interviewed before: a second interview
                # Under way, not yet interviewed: it counts once it is finished.
                self.study.conn.execute(
                    "UPDATE organisations SET status = 'contacting', exclusion_reason = NULL, updated = ? "
                    "WHERE id = ?", (stamp, org_id))
                self.study.organisations.log_change(org_id, "status", before.status, "contacting", stamp)
                self.study.organisations.log_change(org_id, "exclusion_reason", before.exclusion_reason,
                                                    None, stamp)
            session = InterviewSession(self.study, interview_id)
            for q in template.questions():
                if q.default is not None and q.id in session.state().relevant:
                    session.save_answer(q.id, q.default)
            session._refresh_logic()
        return session

    def resume(self, interview_id: int) -> InterviewSession:
        """Reopen a recorded interview to go on answering. Its anonymous answers still held
        are there to see and correct; those already moved to the pool cannot be found again
        from here: that is the point of the pool."""
        self.get(interview_id)
        return InterviewSession(self.study, interview_id)

    def get(self, interview_id: int) -> Interview:
        rows = self.study.query("SELECT id, organisation_id, contact_id, template_version, date, mode, "
                                "interviewer, completed, language, section, result, started, sittings, "
                                "seconds FROM interviews WHERE id = ?", (interview_id,))
        if not rows:
            raise NotFoundError(f"no interview with id {interview_id}")
        answers = {r["question_id"]: json.loads(r["value"]) for r in self.study.query(
            "SELECT question_id, value FROM answers WHERE interview_id = ?", (interview_id,))}
        return Interview(**rows[0], answers=answers)

    def irrelevant_answers(self, interview_id: int) -> list[str]:
        """Ids of the interview's answers kept but marked: their questions are no longer asked."""
        return [r["question_id"] for r in self.study.query(
            "SELECT question_id FROM answers WHERE interview_id = ? AND NOT relevant UNION "
            "SELECT question_id FROM held WHERE interview_id = ? AND NOT relevant", (interview_id, interview_id))]

    def for_organisation(self, org_id: int) -> list[Interview]:
        return [self.get(r["id"]) for r in self.study.query(
            "SELECT id FROM interviews WHERE organisation_id = ? ORDER BY date, id", (org_id,))]

    def listing(self, *, completed: bool | None = None, name: str | None = None) -> list[InterviewRow]:
        """Every interview with its organisation's name, newest first, in one query.

        ``completed`` keeps only finished (True) or in-progress (False) ones; ``name`` keeps
        organisations whose name contains it (any case). Answers are not read: this is what
        a list of interviews shows, and pooled comments never appear in it.
        """
        sql = ("SELECT i.id, i.organisation_id, o.name, i.date, i.mode, i.interviewer, i.completed, "
               "i.result, i.started, i.sittings, i.seconds, "
               "(SELECT count(*) FROM attempts a WHERE a.organisation_id = i.organisation_id "
               f" AND a.at <= {INTERVIEW_BEGAN}) "
               "FROM interviews i JOIN organisations o ON o.id = i.organisation_id")
        if completed is True:
            sql += " WHERE i.completed IS NOT NULL"
        elif completed is False:
            sql += " WHERE i.completed IS NULL"
        sql += " ORDER BY i.date DESC, i.id DESC"
        with self.study._mutex:
            rows = [InterviewRow(*r) for r in self.study.conn.execute(sql)]
        wanted = (name or "").strip().casefold()  # in Python: SQLite's lower() knows only ASCII
        return [r for r in rows if wanted in r.organisation.casefold()] if wanted else rows

    def count(self, *, completed: bool | None = None) -> int:
        sql = "SELECT count(*) FROM interviews"
        if completed is True:
            sql += " WHERE completed IS NOT NULL"
        elif completed is False:
            sql += " WHERE completed IS NULL"
        return self.study.scalar(sql)

    def delete(self, interview_id: int) -> None:
        """Remove an interview with its named and held answers (answers already in the pool
        stay: nothing links them to it)."""
        from fieldkit import deletions

        self.get(interview_id)
        with self.study.transaction():
            self.study.search.unindex_interview(interview_id)
            deletions.remember(self.study, deletions.INTERVIEWS,  # merging a copy never brings it back
                               self.study.scalar("SELECT uid FROM interviews WHERE id = ?", (interview_id,)))
            self.study.conn.execute("DELETE FROM interviews WHERE id = ?", (interview_id,))


class InterviewSession:
    """An open interview: its named answers, and the anonymous ones it holds until they move."""

    def __init__(self, study: Study, interview_id: int):
        self.study = study
        self.interview_id = interview_id
        record = study.interviews.get(interview_id)
        self.organisation_id = record.organisation_id
        self.template: Template = study.template_at(record.template_version)
        self.language: str = record.language if record.language in self.template.languages \
            else self.template.default_language
        self._sitting = False
        self._sit()
        # The sitting's time runs from opening to the last thing done in it (an answer saved,
        # the interview finished): a form left open over lunch does not count the lunch.
        self._counted_to = self._last_done = time.monotonic()
        self._sitting_counted = False
        self._did_something = False

    def _sit(self) -> None:
        if not self._sitting:
            sittings = self.study.interviews.open_sittings
            sittings[self.interview_id] = sittings.get(self.interview_id, 0) + 1
            self._sitting = True

    def _stand(self) -> None:
        if self._sitting:
            sittings = self.study.interviews.open_sittings
            sittings[self.interview_id] -= 1
            if not sittings[self.interview_id]:
                del sittings[self.interview_id]
            self._sitting = False

    def question(self, question_id: str) -> Question:
        try:
            return self.template.question(question_id)
        except KeyError:
            raise InvalidValueError(f"question '{question_id}' is not in this interview's schedule") from None

    def save_answer(self, question_id: str, value: Any) -> None:
        """Save one answer now; an empty value clears it. Call as often as you like.

        The question's logic is the core's: an answer that breaks its constraint (or picks a
        choice its choice_filter does not offer) is refused with the question's message; a
        calculated question cannot be typed. After the save the interview's calculations
        and its marks of irrelevant answers are brought up to date.
        """
        question = self.question(question_id)
        if question.qtype.computed:
            raise InvalidValueError(f"question '{question_id}' is calculated from other answers; "
                                    "it cannot be answered")
        cleaned = question.clean(value)
        logic = self.template.logic
        rework = logic.has_logic and not logic.leaves_state(question_id)
        with self.study._mutex:  # the answers the logic works from stay the study's until the save is in
            answers = self.answers() if rework or question.constraint or question.choice_filter else None
            if cleaned is not None and answers is not None:
                problem = logic.problem(question, cleaned, answers, language=self.language)
                if problem:
                    raise InvalidValueError(f"question '{question_id}': {problem}")
            self._sit()
            self._done_now()
            with self.study.transaction():
                if question.anonymous:
                    self.study.held.put(self.interview_id, question, cleaned)
                else:
                    self._store(question_id, cleaned)
                    if question.flag and cleaned is not None:
                        self.study.organisations.set_flag(self.organisation_id, question.flag, cleaned)
                if rework and answers is not None:
                    if cleaned is None:
                        answers.pop(question_id, None)
                    else:
                        answers[question_id] = cleaned
                    self._apply_logic(answers)

    def _store(self, question_id: str, cleaned: Any) -> None:
        """Write one named answer (None: clear it); its search entry is written with the others
        saved since (``Search.answer_saved``); a cleared answer's goes at once."""
        if cleaned is None:
            self.study.conn.execute(
                "DELETE FROM answers WHERE interview_id = ? AND question_id = ?",
                (self.interview_id, question_id))
            self.study.search.answer_cleared(self.interview_id, self.organisation_id, question_id)
        else:
            self.study.conn.execute(
                "INSERT INTO answers(interview_id, question_id, value, indexed) VALUES (?, ?, ?, 0) "
                "ON CONFLICT(interview_id, question_id) DO UPDATE SET value = excluded.value, indexed = 0",
                (self.interview_id, question_id, json.dumps(cleaned, ensure_ascii=False)))
            self.study.search.answer_saved(self.interview_id, self.organisation_id, question_id)

    def _refresh_logic(self) -> None:
        """Store the calculations and mark the answers of questions no longer asked."""
        if not self.template.logic.has_logic:
            return
        with self.study.transaction():
            self._apply_logic(self.answers())

    def _apply_logic(self, answers: dict[str, Any]) -> None:
        """``_refresh_logic`` inside the caller's transaction, from ``answers`` (the interview's
        answers as they now are)."""
        state = self.template.logic.state(answers)
        for qid, value in state.calculated.items():
            if answers.get(qid) != value:
                self._store(qid, value)
        for table in ("answers", "held"):
            rows = self.study.conn.execute(
                f"SELECT question_id, relevant FROM {table} WHERE interview_id = ?", (self.interview_id,)).fetchall()
            changed = [(int(qid in state.relevant), self.interview_id, qid) for qid, was in rows
                       if bool(was) != (qid in state.relevant)]
            if changed:
                self.study.conn.executemany(
                    f"UPDATE {table} SET relevant = ? WHERE interview_id = ? AND question_id = ?", changed)

    def answers(self) -> dict[str, Any]:
        """Every current answer by question id: named ones, and anonymous ones while held."""
        with self.study._mutex:  # the screens read while a saver thread writes
            named = {qid: json.loads(v) for qid, v in self.study.conn.execute(
                "SELECT question_id, value FROM answers WHERE interview_id = ?", (self.interview_id,))}
        named.update(self.study.held.for_interview(self.interview_id))
        return named

    def state(self) -> State:
        """The interview's logic now: which questions are asked, and the calculated values."""
        return self.template.logic.state(self.answers())

    def set_language(self, language: str) -> None:
        """Ask the rest of the interview in ``language`` (one of the template's)."""
        stored = _language(self.template, language)
        with self.study.transaction():
            self.study.conn.execute("UPDATE interviews SET language = ? WHERE id = ?",
                                    (stored, self.interview_id))
        self.language = stored or self.template.default_language

    def set_section(self, section_id: str) -> None:
        """Remember the section the interviewer is in, to resume there."""
        if not any(s.id == section_id for s in self.template.sections):
            raise InvalidValueError(f"no section '{section_id}' in this interview's schedule")
        with self.study.transaction():
            self.study.conn.execute("UPDATE interviews SET section = ? WHERE id = ?",
                                    (section_id, self.interview_id))

    def answer(self, question_id: str) -> Any:
        """The current answer: named ones, and anonymous ones while they are held."""
        question = self.question(question_id)
        if question.anonymous:
            return self.study.held.for_interview(self.interview_id).get(question_id)
        raw = self.study.scalar("SELECT value FROM answers WHERE interview_id = ? AND question_id = ?",
                                (self.interview_id, question_id))
        return None if raw is None else json.loads(raw)

    def answered(self) -> set[str]:
        """Ids of questions with an answer (anonymous ones: while they are held)."""
        named = {r["question_id"] for r in self.study.query(
            "SELECT question_id FROM answers WHERE interview_id = ?", (self.interview_id,))}
        return named | set(self.study.held.for_interview(self.interview_id))

    def missing_required(self) -> list[Question]:
        """The required questions still unanswered, among those the logic asks."""
        return self.template.logic.missing_required(self.answers())

    def update(self, *, mode: str | None = None, interviewer: str | None = None,
               date: str | dt.date | None = None, contact_id: int | None = None) -> None:
        row: dict[str, Any] = {}
        if mode is not None:
            if mode not in MODES:
                raise InvalidValueError(f"unknown mode '{mode}'")
            row["mode"] = mode
        if interviewer is not None:
            row["interviewer"] = interviewer
        if date is not None:
            row["date"] = _date(date)
        if contact_id is not None:
            row["contact_id"] = contact_id
        if row:
            with self.study.transaction():
                self.study.db.table("interviews").update(self.interview_id, row)

    def _done_now(self) -> None:
        self._last_done = time.monotonic()
        self._did_something = True

    def _count_sitting(self, ended: dt.datetime | None = None) -> None:
        """Add this sitting's time (up to the last thing done) to the interview's paradata;
        a sitting counts once, and only if something was done in it (or it is the first).
        An interview entered after the event (``ended`` given) took from its start to then."""
        sittings, started = self.study.query("SELECT sittings, started FROM interviews WHERE id = ?",
                                             (self.interview_id,))[0].values()
        first = sittings == 0
        if not (self._did_something or first):
            return
        seconds = max(0, round(self._last_done - self._counted_to))
        if ended is not None and first and started:
            seconds = max(0, round((ended.replace(tzinfo=None) - dt.datetime.fromisoformat(started)).total_seconds()))
        self._counted_to = self._last_done
        new_sitting = 0 if self._sitting_counted else 1
        self._sitting_counted = True
        with self.study.transaction():  # NULL (recorded before paradata were kept) stays unknown
            self.study.conn.execute(
                "UPDATE interviews SET sittings = sittings + ?, seconds = seconds + ? WHERE id = ?",
                (new_sitting, seconds, self.interview_id))

    def required_progress(self) -> tuple[int, int]:
        """(answered, asked): the relevant required questions answered, and how many there are."""
        answers = self.answers()
        asked = self.template.logic.asked_required(answers)
        return sum(1 for q in asked if answers.get(q.id) is not None), len(asked)

    def proposed_result(self) -> str:
        """How finishing now would be recorded, by the study's rule: complete, partial or
        break_off (fieldkit.fieldwork)."""
        from fieldkit import fieldwork

        answered, asked = self.required_progress()
        result = fieldwork.settings(self.study).judge(answered, asked)
        record = self.study.interviews.get(self.interview_id)
        if record.result in ("complete", "partial") and fieldwork.RESULTS.index(result) > \
                fieldwork.RESULTS.index(record.result):
            # Finished before: its anonymous answers may have moved to the pool since, where they
            # no longer count as this interview's; the result given then stands.
            result = record.result
        return result

    def finish(self, result: str | None = None, *, at: dt.datetime | None = None) -> str:
        """Finish the interview as ``result`` (complete or partial; by default as the study's
        rule judges it), and return the result recorded.

        The organisation becomes "interviewed" and "full interview" is ticked for a complete
        one (the researcher can untick it later: the result follows the tick). A rule that
        judges too little answered for a partial records a break-off instead. ``at`` records
        when it finished, for interviews entered after the event.
        """
        from fieldkit import fieldwork
        from fieldkit.study import now

        if result is None:
            result = self.proposed_result()
        if result not in fieldwork.RESULTS:
            raise InvalidValueError(f"unknown interview result '{result}' (expected one of "
                                    f"{', '.join(fieldwork.RESULTS)})")
        if result == "break_off":
            self.break_off(at=at)
            return result
        stamp = at.replace(microsecond=0).isoformat() if at is not None else now()
        self._done_now()
        self._count_sitting(ended=at)
        with self.study.transaction():
            self.study.conn.execute("UPDATE interviews SET completed = ?, result = ? WHERE id = ?",
                                    (stamp, result, self.interview_id))
            self.study.organisations.set_status(self.organisation_id, "interviewed")
            self.study.organisations.set_flag(self.organisation_id, "full_interview", result == "complete",
                                              follow_result=False)
        self._stand()  # finished: its answers may move with their groups now
        self.study.search.write_pending()
        self.study.held.move_ready()
        return result

    def complete(self, *, full_interview: bool | None = None, at: dt.datetime | None = None) -> bool:
        """Finish the interview: complete when every required question is answered (or as
        ``full_interview`` says, when the researcher overrides), else partial. Returns the
        "full interview" tick."""
        if full_interview is None:
            result = self.proposed_result()
            if result == "break_off":
                result = "partial"  # asked to complete: at least a partial
        else:
            result = "complete" if full_interview else "partial"
        return self.finish(result, at=at) == "complete"

    def break_off(self, *, at: dt.datetime | None = None) -> None:
        """End an interview abandoned for good (AAPOR 2.12): it is never counted as an
        interview, and the organisation is recorded as declined (unless an earlier interview
        of it was finished). Its answers are kept; ``resume`` takes it up again."""
        from fieldkit.study import now

        stamp = at.replace(microsecond=0).isoformat() if at is not None else now()
        self._count_sitting()
        with self.study.transaction():
            self.study.conn.execute("UPDATE interviews SET completed = ?, result = 'break_off' WHERE id = ?",
                                    (stamp, self.interview_id))
            finished_other = self.study.scalar(
                "SELECT 1 FROM interviews WHERE organisation_id = ? AND id <> ? AND result IN "
                "('complete', 'partial')", (self.organisation_id, self.interview_id))
            if not finished_other:
                self.study.organisations.set_status(self.organisation_id, "declined")
        self._stand()
        self.study.held.move_ready()

    def reopen(self) -> None:
        """Take up a broken-off interview again: it is in interview once more."""
        record = self.study.interviews.get(self.interview_id)
        if record.result != "break_off":
            return
        with self.study.transaction():
            self.study.conn.execute("UPDATE interviews SET completed = NULL, result = NULL WHERE id = ?",
                                    (self.interview_id,))
            if self.study.organisations.get(self.organisation_id).status == "declined":
                self.study.organisations.set_status(self.organisation_id, "contacting")
        self._sit()

    def close(self) -> None:
        """End the sitting (everything is saved already). A finished interview's held answers
        may then move, if their groups are large enough."""
        self.study.search.write_pending()
        if self._sitting:
            self._count_sitting()
            self._stand()
            finished = self.study.scalar("SELECT completed IS NOT NULL FROM interviews WHERE id = ?",
                                         (self.interview_id,))
            if finished and self.study.held.for_interview(self.interview_id):
                self.study.held.move_ready()
