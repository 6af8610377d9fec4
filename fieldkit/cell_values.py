"""Values read from a cell of an imported file: the one way every importer reads a date, a
time, a number, a length of time, a yes or no, a question's answer and the organisation a
row is for. ``fieldkit.sources`` gives every cell as text (Excel and Access date-times as
``2007-10-04`` or ``2007-10-04 14:30``); these readers turn that text into values, or raise
``CellError`` with one line saying why not, in the user's words.

- dates: ISO (``2024-03-05``, ``2024-03-05T10:15:00+01:00``), or day first as in the UK
  (``05/03/2024``, ``5.3.24``, ``5 March 2024``, ``Thursday 4th Oct 2007``), with a time of
  day when one follows (``14:30``, ``14.30``, ``2:30 pm``, ``2pm``). A date that can only be
  month first (``03/25/2024``) is refused, as is a number (a spreadsheet column not formatted
  as dates) and a time alone as Access and Excel store one (``1899-12-30 14:30``). A
  two-digit year is this century up to this year, else the last;
- numbers: ``12``, ``-3``, ``2.5``, ``1,200``; lengths of time: seconds (or minutes), ``m:ss``
  or ``h:mm:ss``;
- yes/no: yes, y, true, 1, x, ticked, checked; no, n, false, 0, unticked, unchecked; or a
  question's own words for yes and no;
- a choice: its name (as KoboToolbox and ODK export it), its words in any of the schedule's
  languages, or its position (1 for the first, as statistics files code them) unless some
  choice is itself a number; several choices joined by ";" (fieldkit's way), "|" or ",", or
  by spaces (KoboToolbox's way: choice names have none); or a column per choice
  (``work/Advice``, ``work___1``, ``work_1``, ``work[SQ001]``) ticked 1/0, yes/no or
  Checked/Unchecked. A refused anonymous answer's message never repeats its value.

What differs between importers on purpose is a parameter: what a time zone means
(``read_moment(zone=...)``) and what time a date given alone stands for (``Moment.at``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from fieldkit.errors import InvalidValueError
from fieldkit.matching import Matcher, name_key

if TYPE_CHECKING:
    from fieldkit.import_mapping import Mapping
    from fieldkit.study import Study
    from fieldkit.templates import Question, Template


class CellError(ValueError):
    """A cell that cannot be read as its field takes it; the message says why.

    ``field`` names the cell at fault when a reader reads several (the organisation's id or
    its name); ``unknown`` says the value is one the study does not know, which a mapping may
    turn into one it does (the import wizard offers those)."""

    def __init__(self, message: str, *, field: str | None = None, unknown: bool = False):
        super().__init__(message)
        self.field = field
        self.unknown = unknown


def quote(value: str, limit: int = 60) -> str:
    """A cell's value for a one-line message: quoted, control characters escaped, shortened."""
    if len(value) > limit:
        value = value[: limit - 1] + "\u2026"
    return f"'{value}'" if value.isprintable() else repr(value)


def word_key(text: str) -> str:
    """Text as cells are compared: case ignored, runs of spaces as one."""
    return " ".join(text.split()).casefold()


# --- yes or no ---------------------------------------------------------------------------------

#: The words for yes and for no (compared by ``word_key``), also ticks of a column per choice
#: as REDCap and LimeSurvey write them (Checked/Unchecked).
YES_WORDS = frozenset({"yes", "y", "true", "1", "x", "ticked", "tick", "checked", "✓", "✔"})
NO_WORDS = frozenset({"no", "n", "false", "0", "unticked", "unchecked"})


def read_yes_no(text: str, *, yes: Iterable[str] = (), no: Iterable[str] = ()) -> bool:
    """True or False from a yes/no word, or from the field's own words ``yes`` and ``no``."""
    key = word_key(text)
    for value, own, words in ((True, yes, YES_WORDS), (False, no, NO_WORDS)):
        if key in words or key in {word_key(w) for w in own}:
            return value
    raise CellError(f"{quote(text)} is not yes or no")


# --- dates and times -----------------------------------------------------------------------------

MONTHS = {m: i for i, names in enumerate(
    ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
     "sep sept september", "oct october", "nov november", "dec december"), start=1) for m in names.split()}
#: The dates Access and Excel give a time of day stored alone.
NO_DATE = (dt.date(1899, 12, 30), dt.date(1899, 12, 31))
#: What a time zone after a time means: "clock" keeps the time as the clock showed it where
#: it was written (the zone is dropped); "local" turns it into this computer's local time.
ZONES = ("clock", "local")

_DATES = (
    (re.compile(r"(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})"), "ymd"),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"), "dmy"),
    (re.compile(r"(?:[a-z]{3,9},?\s+)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]{3,9})\.?,?[\s-]+(\d{4}|\d{2})",
                re.IGNORECASE), "dMy"),
)
_AFTER_DATE = re.compile(r",?\s+|,|T")
_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(?:([ap])(?:\.?m\.?)?)?"
                    r"(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?", re.IGNORECASE)
_DATE_FORMS = "use YYYY-MM-DD, or day first: dd/mm/yyyy"


class Moment(NamedTuple):
    """A date read from a cell, and its time of day when the cell gives one."""

    day: dt.date
    clock: dt.time | None

    def at(self, date_alone: dt.time) -> dt.datetime:
        """The date and time, ``date_alone`` standing for the time a date given alone means
        (each importer's rule: an attempt at 00:00, a call-back at 09:00)."""
        return dt.datetime.combine(self.day, self.clock if self.clock is not None else date_alone)


def _clock(text: str) -> tuple[dt.time, str | None] | None:
    """A time of day and its time zone (None when none is given), or None for no time."""
    m = _CLOCK.fullmatch(text.strip())
    if not m:
        return None
    hour, minute, second, half, zone = m.groups()
    if minute is None and not half:
        return None
    h = int(hour)
    if half:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half.lower() == "p" else 0)
    try:
        return dt.time(h, int(minute or 0), int(second or 0)), zone
    except ValueError:
        return None


def read_clock(text: str) -> dt.time | None:
    """A time of day ("14:30", "14.30", "2:30 pm", "2pm", "14:30:05"), or None."""
    found = _clock(text)
    return found[0] if found else None


def _in_zone(day: dt.date, clock: dt.time, zone: str) -> tuple[dt.date, dt.time]:
    """``day`` and ``clock`` written in time zone ``zone`` ("Z", "+01:00"), in local time."""
    sign, digits = (1, "0000") if zone.upper() == "Z" else (1 if zone[0] == "+" else -1, zone[1:].replace(":", ""))
    offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    moment = dt.datetime.combine(day, clock, tzinfo=dt.timezone(sign * offset)).astimezone()
    return moment.date(), moment.time().replace(tzinfo=None)


def _read(text: str, today: dt.date, zone: str) -> Moment:
    t = " ".join(text.split())
    for pattern, order in _DATES:
        m = pattern.match(t)
        if not m:
            continue
        rest, clock, given_zone = t[m.end():], None, None
        if rest:
            after = _AFTER_DATE.match(rest)
            found = _clock(rest[after.end():]) if after else None
            if found is None:
                break
            clock, given_zone = found
        a, b, c = m.groups()
        if order == "ymd":
            year, month, day = int(a), int(b), int(c)
        else:
            day, year = int(a), int(c)
            if order == "dMy":
                if b.casefold() not in MONTHS:
                    break
                month = MONTHS[b.casefold()]
            else:
                month = int(b)
                if month > 12 and 1 <= day <= 12:
                    raise CellError(f"{quote(text)} reads month first; dates are read day first (dd/mm/yyyy)")
            if len(c) == 2:
                year += 2000 if year <= today.year % 100 else 1900
        try:
            date = dt.date(year, month, day)
        except ValueError:
            break
        if clock is not None and given_zone and zone == "local":
            date, clock = _in_zone(date, clock, given_zone)
        return Moment(date, clock)
    if re.fullmatch(r"\d+(\.\d+)?", t):
        raise CellError(f"{quote(text)} is a number, not a date (in the spreadsheet, format the column as dates)")
    raise CellError(f"{quote(text)} is not a date ({_DATE_FORMS})")


def read_moment(text: str, *, today: dt.date | None = None, zone: str = "clock") -> Moment:
    """A date, and its time of day when one is given (see the module's docstring), as
    ``Moment(day, clock)``. ``today`` decides the century of a two-digit year; ``zone`` what
    a time zone means (``ZONES``)."""
    if zone not in ZONES:
        raise ValueError(f"zone must be one of {', '.join(ZONES)}")
    moment = _read(text, today or dt.date.today(), zone)
    if moment.day in NO_DATE:
        raise CellError(f"{quote(text)} has a time but no date ({moment.day.isoformat()} is how Access and Excel "
                        "store a time alone)")
    return moment


def read_time(text: str) -> dt.time:
    """A time of day, also as Access and Excel store one alone (``1899-12-30 14:30``)."""
    clock = read_clock(text)
    if clock is not None:
        return clock
    try:
        day, clock = _read(text, dt.date.today(), "clock")
    except CellError:
        day = None
    if day in NO_DATE:
        return clock or dt.time(0, 0)
    raise CellError(f"{quote(text)} is not a time of day (use HH:MM, such as 14:30 or 2:30 pm)")


# --- numbers and lengths of time -----------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?")


def read_number(text: str) -> int | float:
    """A number: ``12``, ``-3``, ``2.5``, ``1,200`` (a whole number as an int)."""
    t = text.strip()
    if not t or not _NUMBER.fullmatch(t) or not any(ch.isdecimal() for ch in t):
        raise CellError(f"{quote(text)} is not a number")
    value = float(t.replace(",", ""))
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def read_seconds(text: str, *, minutes: bool = False) -> int:
    """A call's length in seconds: a number (of minutes when ``minutes``), m:ss or h:mm:ss,
    or a time as Access and Excel store a length (``00:01:35``, ``1899-12-30 00:01:35``)."""
    t = text.strip()
    if t[:10] in {d.isoformat() for d in NO_DATE}:
        t = t[10:].strip() or "0"
    parts = t.split(":")
    value: float | None = None
    if len(parts) == 1 and re.fullmatch(r"\d+(\.\d+)?", t):
        value = float(t) * (60 if minutes else 1)
    elif 2 <= len(parts) <= 3 and all(re.fullmatch(r"\d+", p) for p in parts[:-1]) and \
            re.fullmatch(r"\d{2}(\.\d+)?", parts[-1]) and (len(parts) == 2 or len(parts[1]) == 2):
        numbers = [float(p) for p in parts]
        if all(n < 60 for n in numbers[1:]):
            value = sum(n * 60 ** i for i, n in enumerate(reversed(numbers)))
    if value is None:
        unit = "minutes" if minutes else "seconds"
        raise CellError(f"{quote(text)} is not a length of call (a number of {unit}, or m:ss)")
    if value > 86400:
        raise CellError(f"{quote(text)} is longer than a day")
    return round(value)


# --- a question's answer -------------------------------------------------------------------------

_SEPARATORS = (";", "|", ",")


def read_choice(q: Question, text: str, *, positions: bool = True) -> str | None:
    """The choice of ``q`` that ``text`` names: its name, its words in any language, or (with
    ``positions``) its position; None when it names none."""
    if text in q.choices:
        return text
    key = word_key(text)
    for match in (lambda c: word_key(c.name) == key,
                  lambda c: key in {word_key(c.label), *(word_key(t) for t in c.translations.values())}):
        found = [c.name for c in q.options if match(c)]
        if len(found) == 1:
            return found[0]
    numbered = any(word_key(c.name).isdecimal() or word_key(c.label).isdecimal() for c in q.options)
    if positions and key.isdecimal() and not numbered:
        n = int(key)
        if 1 <= n <= len(q.options):
            return q.options[n - 1].name
    return None


def read_choices(q: Question, text: str, mapped: Callable[[str], str]) -> list[str]:
    """Several choices from one cell, in the schedule's order (``mapped``: the mapping's
    values for the question)."""
    one = read_choice(q, mapped(text))
    if one is not None:
        return [one]
    tried: list[str] | None = None
    for sep in (*_SEPARATORS, None):
        if sep is not None and sep not in text:
            continue
        parts = [p.strip() for p in text.split(sep) if p.strip()]
        chosen = [read_choice(q, mapped(p)) for p in parts]
        if all(c is not None for c in chosen):
            return [c for c in q.choices if c in chosen]
        if tried is None:
            tried = [p for p, c in zip(parts, chosen, strict=True) if c is None]
    raise CellError(f"not among the choices: {', '.join(quote(p) for p in tried or [text])}")


def split_choice(heading: str, q: Question) -> str | None:
    """The choice a column per choice of a several-choices question stands for
    (``work/Advice``, ``work___2``, ``work_2``, ``work[SQ002]``, ``Areas of work (choice=Advice)``),
    or None for a column of whole answers."""
    text = heading.strip()
    m = re.fullmatch(r"(.*)\(choice=(.*)\)", text)
    if m:
        return read_choice(q, m.group(2), positions=True)
    for start in (q.id, q.label):
        if len(text) > len(start) and text.casefold().startswith(start.casefold()):
            rest = text[len(start):]
            m = re.fullmatch(r"(?:___|/|\.|_|-|:\s*|\s+)(.+)|\[(.+)\]", rest)
            if m:
                part = m.group(1) or m.group(2)
                part = re.sub(r"^SQ0*(?=\d)", "", part.strip(), flags=re.IGNORECASE)
                return read_choice(q, part, positions=True)
    return read_choice(q, text, positions=False)


def _own_words(q: Question, label: str) -> set[str]:
    """A yes/no question's own word for ``label`` (yes_label, no_label), in every language."""
    return {q.text(label)} | {t for k, t in q.translations.items() if k.startswith(label + "::")}


def _read_answer(q: Question, text: str, mapped: Callable[[str], str]) -> Any:
    if q.type == "multiple_choice":
        return read_choices(q, text, mapped)
    text = mapped(text)
    if q.qtype.has_choices:
        found = read_choice(q, text)
        if found is None:
            raise CellError(f"{quote(text)} is not one of the choices")
        return found
    if q.type == "yes_no":
        return read_yes_no(text, yes=_own_words(q, "yes_label"), no=_own_words(q, "no_label"))
    if q.type == "number":
        return read_number(text)
    if q.type == "date":
        return read_moment(text).day.isoformat()
    return text


def read_answer(q: Question, text: str, mapped: Callable[[str], str]) -> Any:
    """The value ``q`` stores for the cell ``text`` (``mapped``: the mapping's values), checked
    by ``q.clean``. A refusal of an anonymous answer never repeats the value, and its value is
    never ``unknown`` (so never listed for mapping)."""
    try:
        return q.clean(_read_answer(q, text, mapped))
    except CellError as e:
        raise CellError(_refusal(q, str(e)), unknown=not q.anonymous) from None
    except InvalidValueError as e:
        raise CellError(_refusal(q, str(e).removeprefix(f"question '{q.id}': "))) from None


def read_tick(q: Question, text: str, choice: str, mapped: Callable[[str], str]) -> bool:
    """Whether a cell of the column for ``choice`` of ``q`` (``split_choice``) ticks it: a yes
    word or the choice's own name or words do; a no word does not."""
    word = word_key(mapped(text))
    if word in YES_WORDS or read_choice(q, word, positions=False) == choice:
        return True
    if word in NO_WORDS:
        return False
    raise CellError(_refusal(q, f"{quote(text)} is neither ticked (1, yes) nor not (0, no)"),
                    unknown=not q.anonymous)


def _refusal(q: Question, message: str) -> str:
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


def read_language(template: Template, text: str) -> str | None:
    """The schedule's language a cell names ("Cymraeg", "Cymraeg (cy)", "cy" as LimeSurvey
    writes it), None for its default language."""
    given = word_key(text)
    for language in template.languages:
        code = re.search(r"\(([A-Za-z-]+)\)\s*$", language)
        if given in (word_key(language), word_key(re.sub(r"\s*\([^)]*\)\s*$", "", language))) or \
                (code and given == code.group(1).casefold()):
            return None if language == template.default_language else language
    starting = [lang for lang in template.languages if 2 <= len(given) <= 3 and given.isalpha()
                and lang.casefold().startswith(given)]
    if len(starting) == 1:  # a language code as LimeSurvey writes it: en, cy
        return None if starting[0] == template.default_language else starting[0]
    raise CellError(f"{quote(text)} is not a language of the schedule ({', '.join(template.languages)})")


# --- which organisation --------------------------------------------------------------------------


class OrganisationCells:
    """Which of the study's organisations a row's ``organisation_id`` and ``organisation``
    cells name. An id is this study's own (as fieldkit's exports give it), unless there is a
    table of an old database's ids (``old_ids``, else ``Mapping.values["organisation_id"]``;
    built by ``fieldkit.attempt_import.link_ids`` from that database's organisations table):
    then every id must be in it, so an old number never lands on the wrong organisation. A
    name is matched as ``Matcher.by_name`` matches it (after the mapping's values for
    ``organisation``); a name beside an id must be its name."""

    def __init__(self, study: Study, mapping: Mapping, *, old_ids: dict[str, str] | None = None):
        """``old_ids`` ({old id: study id}, ``link_ids(...).values``) is the table of ids to use
        instead of the mapping's; given, even empty, every id must be in it."""
        self.mapping = mapping
        self.matcher = Matcher(study)
        #: organisation id -> name, every organisation of the study
        self.names = dict(self.matcher.names)
        table = old_ids if old_ids is not None else mapping.values.get("organisation_id") or None
        #: the old database's id -> the study's (as text), or None: ids are the study's own
        self.old_ids = dict(table) if table is not None else None
        self._loose: dict[str, str] = {}
        for given, target in (table or {}).items():
            self._loose.setdefault(word_key(given), target)

    def read_row(self, cell: Callable[[str], tuple[str, int | None]], unknown: dict[str, Counter[str]],
                 problem: Callable[[int | None, str], None]) -> int | None:
        """The organisation a row names, read from its cells (``cell(field)`` -> (text, column));
        on a problem, ``problem(column, message)`` at the cell at fault, the value counted in
        ``unknown`` when it could be mapped onto one of the study's, and None."""
        raw_id, id_at = cell("organisation_id")
        raw_name, name_at = cell("organisation")
        try:
            return self.read(raw_id, raw_name)
        except CellError as e:
            if e.unknown and e.field is not None:
                unknown.setdefault(e.field, Counter())[raw_id if e.field == "organisation_id" else raw_name] += 1
            problem(id_at if e.field == "organisation_id" or name_at is None else name_at, str(e))
            return None

    def read(self, raw_id: str, raw_name: str) -> int:
        """The organisation's id; raises CellError with ``field`` the cell at fault."""
        name = self.mapping.value("organisation", raw_name) if raw_name else ""
        if raw_id:
            found = raw_id
            if self.old_ids is not None:
                mapped = self.old_ids.get(raw_id, self._loose.get(word_key(raw_id)))
                if mapped is None:
                    raise CellError(f"the id {quote(raw_id)} is not in the mapping's table of ids",
                                    field="organisation_id", unknown=True)
                found = mapped
            if not re.fullmatch(r"[0-9]+", found) or int(found) not in self.names:
                raise CellError(f"no organisation with id {quote(found)} in the study", field="organisation_id",
                                unknown=True)
            org_id = int(found)
            if name and name_key(name) != name_key(self.names[org_id]):
                raise CellError(f"organisation {org_id} is {quote(self.names[org_id])}, not {quote(name)}",
                                field="organisation")
            return org_id
        if not name:
            raise CellError("which organisation? the cell is empty", field="organisation")
        found_ids = self.matcher.by_name(name)
        if len(found_ids) == 1:
            return found_ids[0]
        if not found_ids:
            raise CellError(f"no organisation named {quote(name)} in the study (import the organisations first, or "
                            "map the name to one)", field="organisation", unknown=True)
        raise CellError(f"{quote(name)} is ambiguous: {len(found_ids)} organisations have that name "
                        f"(ids {', '.join(map(str, found_ids))}); give organisation_id", field="organisation",
                        unknown=True)
