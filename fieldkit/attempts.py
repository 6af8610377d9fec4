"""Attempts to reach an organisation, and the call-backs they leave behind.

An attempt records when, how (phone, email, visit, letter), the outcome (from the study's
vocabulary), a note and an optional call-back time. A call-back is due while it is the
latest attempt for an organisation that is still being contacted: any later attempt, or
a final status (interviewed, declined, unreachable, excluded), settles it.
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


@dataclass(frozen=True)
class Attempt:
    id: int
    organisation_id: int
    at: str
    channel: str
    outcome: str
    note: str | None
    callback_at: str | None


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


class Attempts:
    def __init__(self, study: Study):
        self.study = study

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
    ) -> int:
        """Record an attempt (now, unless ``at`` is given) and return its id.

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
        }
        with self.study.transaction():
            attempt_id = self.study.db["attempts"].insert(row).last_pk
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
        """Correct an attempt: at, channel, outcome, note or callback_at."""
        current = self.get(attempt_id)
        row: dict[str, object] = {}
        for key, value in changes.items():
            if key in ("at", "callback_at"):
                parsed = parse_time(value, key.replace("_", " "))  # type: ignore[arg-type]
                if key == "at" and parsed is None:
                    raise InvalidValueError("an attempt needs a time")
                row[key] = parsed
            elif key == "note":
                row[key] = value or None
            elif key in ("channel", "outcome"):
                row[key] = value
            else:
                raise InvalidValueError(f"unknown attempt field: {key}")
        self._check(str(row.get("channel", current.channel)), str(row.get("outcome", current.outcome)))
        if row:
            with self.study.transaction():
                self.study.db["attempts"].update(attempt_id, row)

    def delete(self, attempt_id: int) -> None:
        self.get(attempt_id)
        with self.study.transaction():
            self.study.conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))

    def count(self) -> int:
        return self.study.scalar("SELECT count(*) FROM attempts")

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
        """
        params: list[object] = list(OPEN_STATUSES)
        if until is not None:
            day = until.date() if isinstance(until, dt.datetime) else until
            sql += " AND a.callback_at < ?"
            params.append((day + dt.timedelta(days=1)).isoformat())
        sql += " ORDER BY a.callback_at, o.name COLLATE NOCASE"
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
