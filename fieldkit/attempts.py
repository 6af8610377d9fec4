"""Attempts to reach an organisation, and the call-backs they leave behind.

An attempt records when, how (phone, email, visit, letter), the outcome (from the study's
vocabulary), a note and an optional call-back time. A call-back is due while it is the
latest attempt for an organisation that is still being contacted: any later attempt, an
interview begun since, or a final status (interviewed, declined, unreachable, excluded),
settles it. ``propose`` applies the outcome's fieldwork rule (fieldkit.outcome_rules): the
call-back its retry delay suggests, or closing the organisation when calling should end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fieldkit.errors import InvalidValueError, NotFoundError

if TYPE_CHECKING:
    from fieldkit.study import Study

CHANNELS = ("phone", "email", "visit", "letter")
#: Statuses in which an organisation still has call-backs.
OPEN_STATUSES = ("identified", "contacting")
#: When an interview ``i`` began, in SQL: its start, else (recorded before starts were kept) the
#: end of its day. The attempts "before the interview" are those up to then.
INTERVIEW_BEGAN = "coalesce(i.started, i.date || 'T23:59:59')"


@dataclass(frozen=True)
class Attempt:
    id: int
    organisation_id: int
    at: str
    channel: str
    outcome: str
    note: str | None
    callback_at: str | None
    #: The phone number or address tried (None: not recorded).
    tried: str | None = None
    #: How long the call took, in seconds (None: not timed).
    seconds: int | None = None
    #: The attempt's stable identifier, the same in every copy of the study (fieldkit.merge).
    uid: str | None = None


@dataclass(frozen=True)
class Proposal:
    """What the fieldwork rules propose after an attempt with some outcome: a call-back time,
    or closing the organisation with a final status. The researcher decides."""

    callback_at: dt.datetime | None
    #: "declined" or "unreachable" when the calling should end; None to go on.
    close_as: str | None
    #: Why, in words: "No answer: again in 3 hours", "8 attempts: the study's maximum".
    why: str
    #: Which attempt this is for the organisation (1 for the first).
    attempt_number: int = 1


@dataclass(frozen=True)
class CallBack:
    attempt_id: int
    organisation_id: int
    organisation_name: str
    callback_at: str
    outcome: str
    note: str | None
    #: the organisation's phone number, else its first contact's
    phone: str | None = None
    #: the organisation's first contact, the person to ask for
    contact: str | None = None

    @property
    def day(self) -> dt.date:
        return dt.datetime.fromisoformat(self.callback_at).date()

    @property
    def due(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.callback_at)


@dataclass(frozen=True)
class DueCallBacks:
    """Open call-backs seen from one moment: due time passed, due later that day, due after."""

    overdue: list[CallBack]
    today: list[CallBack]
    upcoming: list[CallBack]

    def __len__(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming)


def parse_time(value: str | dt.datetime | dt.date | None, what: str) -> str | None:
    """A local date-time as stored ("2026-11-24T10:00:00"); a bare date means 09:00."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(9, 0))
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidValueError(f"{what}: '{value}' is not a date and time (YYYY-MM-DD HH:MM)") from None
        if len(value.strip()) == 10:
            moment = moment.replace(hour=9)
    else:
        raise InvalidValueError(f"{what}: expected a date and time")
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat()


def _seconds(value: int | float | None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value > 86400:
        raise InvalidValueError(f"call duration: expected seconds from 0 to 86400, got {value!r}")
    return round(value)


class Attempts:
    def __init__(self, study: Study):
        self.study = study

    def propose(self, org_id: int, outcome: str, *, now: dt.datetime) -> Proposal:
        """What the rules propose for an attempt with ``outcome`` made ``now`` (not yet
        logged): the outcome's retry delay as a call-back, unless the outcome is final, its
        retries are used up, or the organisation has had the study's maximum of attempts."""
        from fieldkit import fieldwork, outcome_rates
        from fieldkit.callback_times import format_when, parse_delay

        org = self.study.organisations.get(org_id)
        self._check("phone", outcome)
        rule = self.study.template.outcome_rule(outcome)
        earlier = self.for_organisation(org_id)
        number = len(earlier) + 1
        kind = outcome_rates.rate_class(rule.disposition)
        give_up = "declined" if kind == "R" else "unreachable"  # when calling ends without a final word
        if rule.final:
            if kind in ("I", "P"):
                return Proposal(None, None, f"{outcome}: record the interview to count it", number)
            close = "excluded" if kind == "NE" else give_up
            return Proposal(None, close, f"{outcome} ends the calling ({rule.disposition} "
                                         f"{outcome_rates.label(rule.disposition)})", number)
        limit = fieldwork.settings(self.study).max_attempts
        if number >= limit:
            return Proposal(None, give_up, f"attempt {number}: the study's maximum is {limit}", number)
        if rule.retry_limit is not None:
            used = sum(1 for a in earlier if a.outcome == outcome)
            if used >= rule.retry_limit:
                times = "once" if rule.retry_limit == 1 else f"{rule.retry_limit} times"
                return Proposal(None, give_up, f"{outcome} was tried again {times} already", number)
        if not rule.retry:
            return Proposal(None, None, f"{outcome}: no call-back proposed", number)
        when = parse_delay(rule.retry).after(now.replace(second=0, microsecond=0))
        after = rule.retry if rule.retry.startswith(("next", "tomorrow")) else f"in {rule.retry}"
        why = f"{outcome}: again {after}"
        hours = org.opening_hours
        if hours:
            from fieldkit.opening_hours import parse_hours

            opens = parse_hours(hours).next_open(when)
            if opens is not None and opens != when:
                when, why = opens, f"{why}, when it opens"
        return Proposal(when, None, f"{why} ({format_when(when, year=None)})", number)

    def _check(self, channel: str, outcome: str) -> None:
        if channel not in CHANNELS:
            raise InvalidValueError(f"unknown channel '{channel}' (expected one of {', '.join(CHANNELS)})")
        outcomes = self.study.template.outcomes
        if outcome not in outcomes:
            raise InvalidValueError(f"'{outcome}' is not one of the study's attempt outcomes")

    def log(
        self,
        org_id: int,
        *,
        outcome: str,
        channel: str = "phone",
        note: str | None = None,
        callback_at: str | dt.datetime | dt.date | None = None,
        at: str | dt.datetime | None = None,
        tried: str | None = None,
        seconds: int | float | None = None,
    ) -> int:
        """Record an attempt (now, unless ``at`` is given) and return its id. ``tried`` is
        the number or address tried, ``seconds`` how long the call took.

        The first attempt moves an organisation from identified to contacting.
        """
        self.study.organisations.get(org_id)
        self._check(channel, outcome)
        from fieldkit.study import now

        row = {
            "organisation_id": org_id,
            "at": parse_time(at, "attempt time") or now(),
            "channel": channel,
            "outcome": outcome,
            "note": note or None,
            "callback_at": parse_time(callback_at, "call-back time"),
            "tried": (tried or "").strip() or None,
            "seconds": _seconds(seconds),
        }
        with self.study.transaction():
            attempt_id = self.study.db.table("attempts").insert(row).last_pk
            assert attempt_id is not None  # a plain insert always sets the new row's id
            stamp = now()
            moved = self.study.conn.execute(
                "UPDATE organisations SET status = 'contacting', updated = ? "
                "WHERE id = ? AND status = 'identified'", (stamp, org_id)).rowcount
            if moved:
                self.study.organisations.log_change(org_id, "status", "identified", "contacting", stamp)
        return attempt_id

    def get(self, attempt_id: int) -> Attempt:
        rows = self.study.query("SELECT * FROM attempts WHERE id = ?", (attempt_id,))
        if not rows:
            raise NotFoundError(f"no attempt with id {attempt_id}")
        return Attempt(**rows[0])

    def for_organisation(self, org_id: int) -> list[Attempt]:
        """Every attempt for an organisation, newest first."""
        return [Attempt(**r) for r in self.study.query(
            "SELECT * FROM attempts WHERE organisation_id = ? ORDER BY at DESC, id DESC", (org_id,))]

    def update(self, attempt_id: int, **changes: object) -> None:
        """Correct an attempt: at, channel, outcome, note, callback_at, tried or seconds."""
        current = self.get(attempt_id)
        row: dict[str, object] = {}
        for key, value in changes.items():
            if key in ("at", "callback_at"):
                parsed = parse_time(value, key.replace("_", " "))  # type: ignore[arg-type]
                if key == "at" and parsed is None:
                    raise InvalidValueError("an attempt needs a time")
                row[key] = parsed
            elif key in ("note", "tried"):
                row[key] = (str(value).strip() if value else "") or None
            elif key == "seconds":
                row[key] = _seconds(value)  # type: ignore[arg-type]
            elif key in ("channel", "outcome"):
                row[key] = value
            else:
                raise InvalidValueError(f"unknown attempt field: {key}")
        self._check(str(row.get("channel", current.channel)), str(row.get("outcome", current.outcome)))
        if row:
            with self.study.transaction():
                self.study.db.table("attempts").update(attempt_id, row)

    def delete(self, attempt_id: int) -> None:
        from fieldkit import deletions

        attempt = self.get(attempt_id)
        with self.study.transaction():
            deletions.remember(self.study, deletions.ATTEMPTS, attempt.uid)  # merging a copy never brings it back
            self.study.conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))

    def count(self) -> int:
        return self.study.scalar("SELECT count(*) FROM attempts")

    def count_before(self, org_id: int, moment: str) -> int:
        """How many attempts at the organisation were made up to ``moment`` (a stored time,
        or a day: the whole of it)."""
        if len(moment) == 10:  # a day: as INTERVIEW_BEGAN reads it
            moment += "T23:59:59"
        return self.study.scalar("SELECT count(*) FROM attempts WHERE organisation_id = ? AND at <= ?",
                                 (org_id, moment))

    def callbacks(self, *, until: dt.date | dt.datetime | None = None) -> list[CallBack]:
        """Call-backs still open, earliest first; ``until`` keeps those due by that day."""
        marks = ",".join("?" * len(OPEN_STATUSES))
        sql = f"""
            SELECT a.id AS attempt_id, a.organisation_id, o.name AS organisation_name,
                   a.callback_at, a.outcome, a.note,
                   coalesce(o.phone, (SELECT c.phone FROM contacts c WHERE c.organisation_id = o.id
                                      AND c.phone IS NOT NULL ORDER BY c.id LIMIT 1)) AS phone,
                   (SELECT c.name FROM contacts c WHERE c.organisation_id = o.id ORDER BY c.id LIMIT 1)
                       AS contact
            FROM attempts a JOIN organisations o ON o.id = a.organisation_id
            WHERE a.callback_at IS NOT NULL
              AND o.status IN ({marks})
              AND NOT EXISTS (
                  SELECT 1 FROM attempts later
                  WHERE later.organisation_id = a.organisation_id
                    AND (later.at > a.at OR (later.at = a.at AND later.id > a.id)))
              AND NOT EXISTS (
                  SELECT 1 FROM interviews i
                  WHERE i.organisation_id = a.organisation_id AND coalesce(i.started, i.date) > a.at)
        """
        params: list[object] = list(OPEN_STATUSES)
        if until is not None:
            day = until.date() if isinstance(until, dt.datetime) else until
            sql += " AND a.callback_at < ?"
            params.append((day + dt.timedelta(days=1)).isoformat())
        sql += " ORDER BY a.callback_at, o.name_key"
        return [CallBack(**r) for r in self.study.query(sql, params)]

    def callbacks_by_day(self, *, until: dt.date | None = None) -> dict[dt.date, list[CallBack]]:
        """Open call-backs grouped by the day they are due."""
        days: dict[dt.date, list[CallBack]] = {}
        for cb in self.callbacks(until=until):
            days.setdefault(cb.day, []).append(cb)
        return days

    def callbacks_due(self, now: dt.datetime) -> DueCallBacks:
        """Open call-backs split around ``now``: overdue (the time has passed), later today,
        and upcoming (after today), each earliest first."""
        overdue, today, upcoming = [], [], []
        for cb in self.callbacks():
            if cb.due < now:
                overdue.append(cb)
            elif cb.day == now.date():
                today.append(cb)
            else:
                upcoming.append(cb)
        return DueCallBacks(overdue, today, upcoming)
