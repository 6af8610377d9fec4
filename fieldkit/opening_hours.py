"""Calling windows: an organisation's opening hours, read from the free text a researcher types.

An organisation's ``opening_hours`` is free text ("Mon–Fri 9–5", "Tue, Thu 9.30-12.30",
"weekdays 9am-5pm", "Mon–Fri 9–12, 14–17; Sat 10-2", "24/7"); ``parse_hours`` reads it into
``Hours``, which say whether a moment is inside the hours and when they next open, so call-backs
and retries can be put where someone will answer. Empty text (NULL in the study) means no
limits: ``parse_hours("")`` is ``ALWAYS``, an ``Hours`` open at every moment, so callers never
need a case for "no hours given".

Times are local wall-clock times, like every time fieldkit stores.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, NoReturn

from fieldkit.errors import InvalidValueError

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_GROUPS = {"weekdays": range(5), "weekday": range(5), "weekends": range(5, 7), "weekend": range(5, 7),
           "daily": range(7), "everyday": range(7)}
_FILLER = {"from", "open", "on", "at"}
_DASH_WORDS = {"to", "till", "til", "until", "through", "thru"}
_EXAMPLE = '(for example "Mon–Fri 9–5" or "Mon–Thu 10:00–16:00; Fri 10–1")'
_MIDNIGHT = dt.time(0)
_DAY = 24 * 60

#: One opening: from ``start`` (inclusive) to ``end`` (exclusive); an ``end`` of 00:00 is
#: midnight at the end of the day, so (00:00, 00:00) is the whole day.
Range = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class Hours:
    """When an organisation can be reached: for each weekday (0 Monday … 6 Sunday) its openings
    in order, none overlapping. Build one with ``parse_hours``."""

    days: tuple[tuple[Range, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("Hours needs the openings of 7 days, Monday first")

    def is_open(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` is inside the hours (an opening's start counts, its end does not)."""
        minute = moment.hour * 60 + moment.minute + (moment.second + moment.microsecond / 1e6) / 60
        return any(start <= minute < end for start, end in _minutes(self.days[moment.weekday()]))

    def next_open(self, moment: dt.datetime) -> dt.datetime | None:
        """``moment`` itself if the hours are open then, else when they next open; None if they
        never do."""
        if self.is_open(moment):
            return moment
        for ahead in range(8):
            day = moment.date() + dt.timedelta(days=ahead)
            for start, _ in self.days[day.weekday()]:
                opens = dt.datetime.combine(day, start)
                if opens > moment:
                    return opens
        return None

    @property
    def text(self) -> str:
        """The hours in one normalised form, which ``parse_hours`` reads back to the same Hours:
        "Mon–Fri 09:00–17:00", "Mon–Thu 10:00–16:00; Fri 10:00–13:00", "24/7", or "closed"."""
        if self == ALWAYS:
            return "24/7"
        groups: dict[tuple[Range, ...], list[int]] = {}
        for weekday, openings in enumerate(self.days):
            if openings:
                groups.setdefault(openings, []).append(weekday)
        if not groups:
            return "closed"
        return "; ".join(f"{_day_list(days)} {', '.join(_range_text(r) for r in openings)}"
                         for openings, days in groups.items())

    def describe(self) -> str:
        """A sentence for a screen or a report: "Open Mon–Fri 09:00–17:00; closed Sat, Sun"."""
        if self == ALWAYS:
            return "Open at any time"
        closed = [weekday for weekday, openings in enumerate(self.days) if not openings]
        if len(closed) == 7:
            return "Never open"
        return f"Open {self.text}" + (f"; closed {_day_list(closed)}" if closed else "")


#: Open at every moment: what empty opening hours (no limits) and "24/7" read as.
ALWAYS = Hours((((_MIDNIGHT, _MIDNIGHT),),) * 7)


def parse_hours(text: str) -> Hours:
    """Read opening hours as people write them; empty text is ``ALWAYS`` (no limits).

    Days: full or three-letter names in any case ("Mon", "tuesday", also "Tues", "Thurs"),
    ranges of days ("Mon–Fri", "Fri–Mon" runs over the weekend), lists ("Tue, Thu"),
    "weekdays", "weekends", "daily"/"every day". Times: "9", "9am", "5pm", "9:30", "9.30",
    "noon", "midnight"; a range's ends are joined by an en dash, a hyphen or "to"; several
    ranges by commas ("9–12, 14–17"). Days may come before or after their times; clauses are
    separated by ";", a comma or a new line, and a later clause adds to the days it names
    ("Sat closed" empties them). "24/7" is open at all times.

    Hours without am/pm are read as they are written on a door:
    - an end that would not come after its start, written with no leading zero and below 12,
      is pm if that puts it after the start: "9–5" is 09:00–17:00, "Fri 10–1" 10:00–13:00;
    - a range starting at 1 to 6 (no leading zero) and ending before 12 is pm at both ends:
      "1–5" is 13:00–17:00, while "01:00–05:00" stays in the night;
    - a bare start before a pm end is pm too when that still comes first: "1–5pm" is 13:00–17:00;
    - an end still before its start runs past midnight: "22:00–02:00" (an end of 00:00,
      "midnight" or "24:00" is midnight at the end of the day).

    Raises InvalidValueError, one line naming what could not be read, with an example.
    """
    if not text.strip():
        return ALWAYS
    return _Parser(text).parse()


# --- reading -------------------------------------------------------------------------------


class _Token(NamedTuple):
    kind: str  # "always" | "time" | "dash" | "and" | "break" | "day" | "days" | "closed"
    value: Any  # a _Clock, a weekday, a tuple of weekdays, or None
    start: int
    end: int


class _Clock(NamedTuple):
    hour: int
    minute: int
    meridiem: str | None  # "am" | "pm" | None
    padded: bool  # written with a leading zero ("09:00"): a 24-hour clock


_TOKENS = re.compile(r"""
    (?P<space>\s+|:(?!\d)|\.(?!\d))
  | (?P<always>24\s*/\s*7)
  | (?P<compact>[012]\d[0-5]\d)(?!\d)
  | (?P<time>(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?:\s*(?P<meridiem>[ap])\.?m\b\.?)?)
  | (?P<dash>[-‐‑–—])
  | (?P<and>[,&+/])
  | (?P<break>[;\n|])
  | (?P<word>[^\W\d_]+)
  | (?P<other>.)
""", re.VERBOSE | re.IGNORECASE)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = self._tokens()
        self.i = 0

    # tokens

    def _tokens(self) -> list[_Token]:
        tokens: list[_Token] = []
        for m in _TOKENS.finditer(self.text):
            kind, start, end = m.lastgroup or "", m.start(), m.end()
            if kind == "space" or (kind == "word" and m[0].lower() in _FILLER):
                continue
            if kind == "compact":  # "0930": a 24-hour clock
                tokens.append(_Token("time", _Clock(int(m[0][:2]), int(m[0][2:]), None, True), start, end))
            elif kind == "time":
                hour, minute = int(m["hour"]), int(m["minute"] or 0)
                meridiem = m["meridiem"].lower() + "m" if m["meridiem"] else None
                tokens.append(_Token("time", _Clock(hour, minute, meridiem, m["hour"].startswith("0")), start, end))
            elif kind == "word":
                tokens.append(self._word(m[0].lower(), start, end, tokens))
            elif kind == "other":
                self.fail(f"cannot read '{m[0]}'")
            else:
                tokens.append(_Token(kind, None, start, end))
        return [t for t in tokens if t.kind != "every"]

    def _word(self, word: str, start: int, end: int, before: list[_Token]) -> _Token:
        if word in _DASH_WORDS:
            return _Token("dash", None, start, end)
        if word == "and":
            return _Token("and", None, start, end)
        if word == "closed":
            return _Token("closed", None, start, end)
        if word in ("noon", "midday"):
            return _Token("time", _Clock(12, 0, "pm", False), start, end)
        if word == "midnight":
            return _Token("time", _Clock(0, 0, None, True), start, end)
        if word == "every":
            return _Token("every", None, start, end)
        if word in ("day", "days") and before and before[-1].kind == "every":
            return _Token("days", tuple(range(7)), before[-1].start, end)
        if word in _GROUPS:
            return _Token("days", tuple(_GROUPS[word]), start, end)
        for name in (word, word.removesuffix("s")):
            if len(name) >= 3:
                found = [n for n, full in enumerate(_FULL_NAMES) if full.startswith(name)]
                if found:
                    return _Token("day", found[0], start, end)
        self.fail(f"cannot read '{self.text[start:end]}'")

    def fail(self, what: str) -> NoReturn:
        # One line, whatever the text held (a line break typed into a spreadsheet cell, say).
        raise InvalidValueError(" ".join(f"opening hours: {what} in '{self.text.strip()}' {_EXAMPLE}".split()))

    def peek(self, kind: str, ahead: int = 0) -> bool:
        at = self.i + ahead
        return at < len(self.tokens) and self.tokens[at].kind == kind

    def words(self, first: int, last: int) -> str:
        return self.text[self.tokens[first].start:self.tokens[last].end]

    # grammar

    def parse(self) -> Hours:
        week: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        read_any = False
        while self.i < len(self.tokens):
            token = self.tokens[self.i]
            if token.kind in ("and", "break"):
                self.i += 1
                continue
            if token.kind == "always":
                self.i += 1
                week = [[(0, _DAY)] for _ in range(7)]
            elif token.kind in ("day", "days"):
                first = self.i
                days = self.days()
                last = self.i - 1
                self.skip("and")
                if self.peek("closed"):
                    self.i += 1
                    for day in days:
                        week[day] = []
                    read_any = True
                    continue
                if not self.peek("time"):
                    self.fail(f"'{self.words(first, last)}' needs its hours")
                _add(week, days, self.ranges())
            elif token.kind == "time":
                first = self.i
                ranges = self.ranges()
                last = self.i - 1
                self.skip("and")
                if not (self.peek("day") or self.peek("days")):
                    self.fail(f"say which days are '{self.words(first, last)}'")
                _add(week, self.days(), ranges)
            elif token.kind == "closed" and len(self.tokens) == 1:
                self.i += 1
                week = [[] for _ in range(7)]
            else:
                self.fail(f"cannot read '{self.words(self.i, self.i)}'")
            read_any = True
        if not read_any:
            self.fail(f"cannot read '{self.text.strip()}'")
        return Hours(tuple(tuple((_time(s), _time(e)) for s, e in _merged(day)) for day in week))

    def skip(self, kind: str) -> None:
        if self.peek(kind):
            self.i += 1

    def days(self) -> list[int]:
        """Day names, ranges of them and lists of both: "Mon–Wed, Fri", "weekdays"."""
        days: list[int] = []
        while True:
            token = self.tokens[self.i]
            self.i += 1
            if token.kind == "days":
                days.extend(token.value)
            elif self.peek("dash") and self.peek("day", 1):
                last = self.tokens[self.i + 1].value
                self.i += 2
                days.extend((token.value + n) % 7 for n in range((last - token.value) % 7 + 1))
            elif self.peek("dash"):
                self.fail(f"cannot read '{self.words(self.i - 1, self.i)}' as days")
            else:
                days.append(token.value)
            if self.peek("and") and (self.peek("day", 1) or self.peek("days", 1)):
                self.i += 1
            elif not (self.peek("day") or self.peek("days")):
                return days

    def ranges(self) -> list[tuple[int, int]]:
        """Time ranges, one or more: "9–5", "9–12, 14–17"; in minutes from midnight."""
        ranges = []
        while True:
            first = self.i
            if not (self.peek("dash", 1) and self.peek("time", 2)):
                self.fail(f"'{self.words(first, first)}' needs an end time")
            start, end = self.tokens[first].value, self.tokens[first + 2].value
            self.i += 3
            ranges.append(_range(start, end, self.words(first, first + 2), self.fail))
            if self.peek("and") and self.peek("time", 1):
                self.i += 1
            elif not self.peek("time"):
                return ranges


def _range(a: _Clock, b: _Clock, words: str, fail: Callable[[str], NoReturn]) -> tuple[int, int]:
    """A range in minutes from midnight, by the rules in ``parse_hours``; an end at or before
    the start runs past midnight."""
    start, end = _minute(a, words, fail, end=False), _minute(b, words, fail, end=True)
    if a.meridiem is None and b.meridiem == "pm" and start < 12 * 60 and start + 12 * 60 < end:
        start += 12 * 60
    if a.meridiem is b.meridiem is None and not a.padded and 1 <= a.hour <= 6 and b.hour < 12 and end > start:
        start, end = start + 12 * 60, end + 12 * 60
    if b.meridiem is None and not b.padded and end <= start and 0 < b.hour < 12 and end + 12 * 60 > start:
        end += 12 * 60
    if end == 0:
        end = _DAY
    if end == start:
        fail(f"'{words}' closes as it opens")
    return start, end


def _minute(clock: _Clock, words: str, fail: Callable[[str], NoReturn], *, end: bool) -> int:
    hour = clock.hour
    if clock.meridiem is not None:
        if not 1 <= hour <= 12:
            fail(f"'{words}' has a time that is not on a 12-hour clock")
        hour = hour % 12 + (12 if clock.meridiem == "pm" else 0)
    if clock.minute > 59 or hour > 24 or (hour == 24 and (clock.minute or not end)):
        fail(f"'{words}' has a time that is not a time of day")
    return hour * 60 + clock.minute


def _add(week: list[list[tuple[int, int]]], days: list[int], ranges: list[tuple[int, int]]) -> None:
    for day in days:
        for start, end in ranges:
            if end > start:
                week[day].append((start, end))
            else:  # past midnight: the rest of this day and the start of the next
                week[day].append((start, _DAY))
                week[(day + 1) % 7].append((0, end))


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# --- writing -------------------------------------------------------------------------------


def _time(minute: int) -> dt.time:
    return _MIDNIGHT if minute == _DAY else dt.time(minute // 60, minute % 60)


def _minutes(openings: tuple[Range, ...]) -> list[tuple[int, int]]:
    return [(s.hour * 60 + s.minute, (e.hour * 60 + e.minute) or _DAY) for s, e in openings]


def _range_text(opening: Range) -> str:
    start, end = _minutes((opening,))[0]
    return f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"


def _day_list(days: list[int]) -> str:
    """"Mon–Fri", "Tue, Thu", "Mon–Wed, Sat": runs of three or more days as a range."""
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}–{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[d] for d in run)
    return ", ".join(parts)
