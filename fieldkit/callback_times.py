"""Call-back times and retry delays, in the words researchers type and read.

A call-back time is a moment ("tomorrow 10", "fri 2:30pm", "24/11 9:30"), read against the
moment it is typed; a retry delay is how long a template's outcome waits before the next try
("3 hours", "next working day"). Both live here, below the screens, so the case form, the
Call-backs screen, the command line and the template loader read them the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fieldkit.errors import InvalidValueError

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: A call-back given as a day with no time is at this hour.
DEFAULT_HOUR = 9
#: The time of day of the named delays ("tomorrow", "next working day", "next week") and of
#: the call-back the Call-backs screen proposes.
MORNING = dt.time(10, 0)
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(am|pm|h)?$")


# --- call-back times -----------------------------------------------------------------------


def format_when(value: str | dt.datetime | None, *, year: bool | None = True) -> str:
    """A stored local time in words a researcher reads at a glance: "Tue 24 Nov 2026, 10:00"
    (``year=None``: the year only when it is not this year). ``parse_when`` reads it back."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    day = f"{DAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]}"
    if year or (year is None and moment.year != dt.date.today().year):
        day += f" {moment.year}"
    return f"{day}, {moment:%H:%M}"


def parse_when(text: str, now: dt.datetime) -> dt.datetime | None:
    """Read a call-back time as people type it: "tomorrow 10", "fri 2:30pm", "24/11 9:30",
    "24 nov", "2026-11-24 10:00", "+2" (days), "+1w", "15:00" (today, or tomorrow once past),
    "noon". A day with no time is at ``DEFAULT_HOUR``.

    Returns None for empty text; raises InvalidValueError with a plain-words reason otherwise
    (including for a time that has already passed).
    """
    words = text.strip().lower().replace(",", " ").split()
    if not words:
        return None
    fail = InvalidValueError(f"Cannot read “{text.strip()}” as a call-back time: try “tomorrow 10:00”, "
                             "“fri 14:30” or “24/11 9:30”")
    today = now.date()
    day: dt.date | None = None
    hour_minute: tuple[int, int] | None = None
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else ""
        if following in ("am", "pm"):  # "2 pm"
            word, i = word + following, i + 1
        if word in ("at", "on", "next"):
            pass
        elif word == "today":
            day = today
        elif word in ("tomorrow", "tmrw", "tomorow"):
            day = today + dt.timedelta(days=1)
        elif word == "noon":
            hour_minute = (12, 0)
        elif len(word) >= 3 and any(w.startswith(word) for w in WEEKDAYS):
            wanted = next(n for n, w in enumerate(WEEKDAYS) if w.startswith(word))
            day = today + dt.timedelta(days=(wanted - today.weekday() - 1) % 7 + 1)
        elif m := re.fullmatch(r"\+(\d{1,3})([dw]?)", word):
            day = today + dt.timedelta(days=int(m[1]) * (7 if m[2] == "w" else 1))
        elif m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:t(\d{1,2}:\d{2}))?", word):
            try:
                day = dt.date.fromisoformat(m[1])
            except ValueError:
                raise fail from None
            if m[2]:
                words.insert(i + 1, m[2])
        elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?", word):
            day = _day(int(m[1]), int(m[2]), m[3], today, fail)
        elif word.isdigit() and following[:3].capitalize() in MONTHS:
            year = words[i + 2] if i + 2 < len(words) and re.fullmatch(r"\d{4}", words[i + 2]) else None
            day = _day(int(word), MONTHS.index(following[:3].capitalize()) + 1, year, today, fail)
            i += 2 if year is None else 3
            continue
        elif m := _TIME.fullmatch(word):
            hour, minute = int(m[1]), int(m[2] or 0)
            if m[3] == "pm" and hour < 12:
                hour += 12
            elif m[3] == "am" and hour == 12:
                hour = 0
            if hour > 23 or minute > 59:
                raise fail
            hour_minute = (hour, minute)
        else:
            raise fail
        i += 1
    if day is None:
        if hour_minute is None:
            raise fail
        day = today
        if dt.datetime.combine(day, dt.time(*hour_minute)) <= now:
            day += dt.timedelta(days=1)
    moment = dt.datetime.combine(day, dt.time(*(hour_minute or (DEFAULT_HOUR, 0))))
    if moment < now.replace(second=0, microsecond=0):
        raise InvalidValueError(f"{format_when(moment)} has already passed")
    return moment


def _day(day: int, month: int, year: str | None, today: dt.date, fail: InvalidValueError) -> dt.date:
    """Day and month (UK order), in the given year or else the next time that date comes round."""
    try:
        if year is not None:
            number = int(year)
            return dt.date(number + 2000 if number < 100 else number, month, day)
        found = dt.date(today.year, month, day)
        return found if found >= today else dt.date(today.year + 1, month, day)
    except ValueError:
        raise fail from None


def due_text(due: dt.datetime, now: dt.datetime) -> str:
    """When a call-back is due, in the words a researcher uses: "Today 15:30", "Mon 24 Nov 10:00"
    (the year only when it is not ``now``'s)."""
    days = (due.date() - now.date()).days
    time = f"{due:%H:%M}"
    named = {0: "Today", -1: "Yesterday", 1: "Tomorrow"}
    if days in named:
        return f"{named[days]} {time}"
    year = f" {due.year}" if due.year != now.year else ""
    return f"{DAYS[due.weekday()]} {due.day} {MONTHS[due.month - 1]}{year} {time}"


def next_working_morning(now: dt.datetime) -> dt.datetime:
    """The default call-back: the next weekday (Monday to Friday) after ``now``, at 10:00."""
    return Delay("next working day").after(now)


# --- retry delays --------------------------------------------------------------------------

#: The delays read as words rather than a number and a unit; each lands at ``MORNING``.
NAMED_DELAYS = ("tomorrow", "next working day", "next week")
_UNITS = {
    "m": "minute", "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "d": "day", "day": "day", "days": "day",
    "w": "week", "wk": "week", "wks": "week", "week": "week", "weeks": "week",
}
_AMOUNT = re.compile(r"(\d{1,4})\s*([a-z]+)")


@dataclass(frozen=True)
class Delay:
    """How long an outcome waits before the next try: ``amount`` minutes, hours, days or weeks,
    or one of ``NAMED_DELAYS`` (``amount`` 1)."""

    unit: str  # "minute" | "hour" | "day" | "week" | one of NAMED_DELAYS
    amount: int = 1

    def __post_init__(self) -> None:
        if self.unit not in NAMED_DELAYS and self.unit not in ("minute", "hour", "day", "week"):
            raise ValueError(f"unknown delay unit {self.unit!r}")
        if self.amount < 1 or (self.unit in NAMED_DELAYS and self.amount != 1):
            raise ValueError(f"a delay of {self.amount} {self.unit}")

    @property
    def text(self) -> str:
        """The delay in normalised words: "3 hours", "1 week", "next working day"."""
        if self.unit in NAMED_DELAYS:
            return self.unit
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"

    def after(self, moment: dt.datetime) -> dt.datetime:
        """When the next try is due after an attempt at ``moment``. Minutes and hours are added
        exactly; days and weeks keep the time of day; the named delays land at 10:00."""
        if self.unit == "minute":
            return moment + dt.timedelta(minutes=self.amount)
        if self.unit == "hour":
            return moment + dt.timedelta(hours=self.amount)
        if self.unit in ("day", "week"):
            return moment + dt.timedelta(days=self.amount * (7 if self.unit == "week" else 1))
        day = moment.date() + dt.timedelta(days=7 if self.unit == "next week" else 1)
        while self.unit == "next working day" and day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, MORNING)


def parse_delay(text: str) -> Delay:
    """Read a retry delay as a template writes it: "3 hours", "90 minutes", "2 days", "1 week",
    the short forms "3h", "30m", "2d", "1w", or "tomorrow", "next working day", "next week"
    (any case, singular or plural). Raises InvalidValueError for anything else."""
    words = " ".join(text.lower().split())
    if words in NAMED_DELAYS:
        return Delay(words)
    m = _AMOUNT.fullmatch(words)
    if m and m[2] in _UNITS and int(m[1]) > 0:
        return Delay(_UNITS[m[2]], int(m[1]))
    raise InvalidValueError(f"retry: cannot read '{text.strip()}' as a delay "
                            '(for example "3 hours", "next working day", "1 week")')
