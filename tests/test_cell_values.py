"""The one way importers read a cell: every date form read or refused with its message,
times, time zones, numbers, lengths of calls, yes/no words, a question's answer (an
anonymous one never repeated in a refusal) and the organisation a row names."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from fieldkit.cell_values import (
    CellError,
    Moment,
    OrganisationCells,
    read_answer,
    read_clock,
    read_moment,
    read_number,
    read_seconds,
    read_tick,
    read_time,
    read_yes_no,
)
from fieldkit.import_mapping import Mapping
from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict
from studies import SMALL_TEMPLATE, small_template

TODAY = dt.date(2026, 5, 1)
D = dt.date
T = dt.time

# --- dates ----------------------------------------------------------------------------------------

READ = [
    # ISO, as sources gives Excel and Access cells
    ("2007-10-04", D(2007, 10, 4), None),
    ("2007-10-04 14:30", D(2007, 10, 4), T(14, 30)),
    ("2007-10-04 14:30:15", D(2007, 10, 4), T(14, 30, 15)),
    ("2007-10-04T14:30:15", D(2007, 10, 4), T(14, 30, 15)),
    ("2007-10-04T14:30:15.250", D(2007, 10, 4), T(14, 30, 15)),      # a fraction of a second dropped
    ("2007-10-04 00:00", D(2007, 10, 4), T(0, 0)),                   # midnight given is a time given
    ("2007-3-5", D(2007, 3, 5), None),
    ("2007/10/04", D(2007, 10, 4), None),
    ("2007.10.04", D(2007, 10, 4), None),
    # day first, as in the UK
    ("04/10/2007", D(2007, 10, 4), None),
    ("4/10/2007", D(2007, 10, 4), None),
    ("4.10.2007", D(2007, 10, 4), None),
    ("04-10-2007", D(2007, 10, 4), None),
    ("12/10/2007", D(2007, 10, 12), None),                          # both could be months: day first
    ("4/10/07", D(2007, 10, 4), None),
    ("4/10/26", D(2026, 10, 4), None),                               # up to this year: this century
    ("4/10/27", D(1927, 10, 4), None),                               # after it: the last
    ("1/9/87", D(1987, 9, 1), None),
    ("4 Oct 2007", D(2007, 10, 4), None),
    ("4 October 2007", D(2007, 10, 4), None),
    ("4th October 2007", D(2007, 10, 4), None),
    ("4-Oct-07", D(2007, 10, 4), None),
    ("5th Sept. 2024", D(2024, 9, 5), None),
    ("1st may, 2024", D(2024, 5, 1), None),
    ("Thursday 4th October 2007", D(2007, 10, 4), None),
    ("Thu, 4 Oct 2007", D(2007, 10, 4), None),
    ("  04/10/2007  ", D(2007, 10, 4), None),
    # with a time of day
    ("04/10/2007 14:30", D(2007, 10, 4), T(14, 30)),
    ("04/10/2007 14.30", D(2007, 10, 4), T(14, 30)),
    ("4.10.2007 9:05", D(2007, 10, 4), T(9, 5)),
    ("04/10/2007 2:30 pm", D(2007, 10, 4), T(14, 30)),
    ("04/10/2007 2:30pm", D(2007, 10, 4), T(14, 30)),
    ("04/10/2007 2pm", D(2007, 10, 4), T(14, 0)),
    ("04/10/2007 2 p.m.", D(2007, 10, 4), T(14, 0)),
    ("04/10/2007 12am", D(2007, 10, 4), T(0, 0)),
    ("04/10/2007 12:15 pm", D(2007, 10, 4), T(12, 15)),
    ("04-10-2007, 2:30 pm", D(2007, 10, 4), T(14, 30)),
    ("04/10/2007  14:30:05", D(2007, 10, 4), T(14, 30, 5)),
    ("Thursday 4th October 2007 14.30", D(2007, 10, 4), T(14, 30)),
    # a time zone, by default dropped: the clock as it showed where it was written
    ("2024-03-05T10:15:00.000+01:00", D(2024, 3, 5), T(10, 15)),
    ("2024-03-05T10:15:00Z", D(2024, 3, 5), T(10, 15)),
    ("2024-03-05 10:15 -0500", D(2024, 3, 5), T(10, 15)),
]


@pytest.mark.parametrize("text,day,clock", READ)
def test_every_date_form_read(text: str, day: dt.date, clock: dt.time | None):
    assert read_moment(text, today=TODAY) == Moment(day, clock) == (day, clock)


def _not_a_date(text: str) -> str:
    return f"'{text}' is not a date (use YYYY-MM-DD, or day first: dd/mm/yyyy)"


REFUSED = [
    ("10/13/2007", "'10/13/2007' reads month first; dates are read day first (dd/mm/yyyy)"),
    ("3/25/24", "'3/25/24' reads month first; dates are read day first (dd/mm/yyyy)"),
    ("31/02/2007", _not_a_date("31/02/2007")),                       # no such day
    ("31/04/2024", _not_a_date("31/04/2024")),
    ("13/13/2007", _not_a_date("13/13/2007")),                       # neither way a date
    ("2024-13-01", _not_a_date("2024-13-01")),
    ("5 Marsh 2024", _not_a_date("5 Marsh 2024")),                   # not a month's name
    ("4 Octopus 2007", _not_a_date("4 Octopus 2007")),
    ("last Tuesday", _not_a_date("last Tuesday")),
    ("yesterday", _not_a_date("yesterday")),
    ("", _not_a_date("")),
    ("04/10/2007 25:00", _not_a_date("04/10/2007 25:00")),           # no such time
    ("04/10/2007 14:75", _not_a_date("04/10/2007 14:75")),
    ("04/10/2007 13:00 pm", _not_a_date("04/10/2007 13:00 pm")),
    ("04/10/2007 14", _not_a_date("04/10/2007 14")),                 # an hour alone is not a time
    ("04/10/2007 soon", _not_a_date("04/10/2007 soon")),
    ("05/03/20245", _not_a_date("05/03/20245")),
    ("04/10/200714:30", _not_a_date("04/10/200714:30")),             # a time needs a space or T before it
    ("39359", "'39359' is a number, not a date (in the spreadsheet, format the column as dates)"),
    ("45123.5", "'45123.5' is a number, not a date (in the spreadsheet, format the column as dates)"),
    ("1899-12-30 14:30", "'1899-12-30 14:30' has a time but no date (1899-12-30 is how Access and Excel store a "
                         "time alone)"),
    ("1899-12-30", "'1899-12-30' has a time but no date (1899-12-30 is how Access and Excel store a time alone)"),
    ("1899-12-31 09:00", "'1899-12-31 09:00' has a time but no date (1899-12-31 is how Access and Excel store a "
                         "time alone)"),
]


@pytest.mark.parametrize("text,message", REFUSED)
def test_every_date_refused_says_why(text: str, message: str):
    with pytest.raises(CellError) as info:
        read_moment(text, today=TODAY)
    assert str(info.value) == message


@pytest.fixture
def in_london(monkeypatch):
    if not hasattr(time, "tzset"):
        pytest.skip("no time.tzset on this platform")
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("text,day,clock", [
    ("2024-06-01T13:00:00Z", D(2024, 6, 1), T(14, 0)),               # summer time
    ("2024-01-15T13:00:00+01:00", D(2024, 1, 15), T(12, 0)),         # winter: GMT
    ("2024-03-05T23:30:00-02:00", D(2024, 3, 6), T(1, 30)),          # the day moves too
    ("2024-03-05 10:15", D(2024, 3, 5), T(10, 15)),                  # no zone: as it is
])
def test_a_time_zone_as_local_time(in_london, text: str, day: dt.date, clock: dt.time):
    assert read_moment(text, today=TODAY, zone="local") == (day, clock)
    assert read_moment(text, today=TODAY).day == D(*map(int, text[:10].split("-")))  # the clock's own date


def test_a_date_alone_stands_for_the_time_each_importer_says():
    alone, timed = read_moment("04/10/2007"), read_moment("04/10/2007 14:30")
    assert alone.at(T(0, 0)) == dt.datetime(2007, 10, 4, 0, 0)      # an attempt: the start of its day
    assert alone.at(T(9, 0)) == dt.datetime(2007, 10, 4, 9, 0)      # a call-back: 09:00
    assert timed.at(T(9, 0)) == dt.datetime(2007, 10, 4, 14, 30)    # a time given stands


def test_an_unknown_zone_rule_is_a_programming_error():
    with pytest.raises(ValueError, match="zone must be one of clock, local"):
        read_moment("2007-10-04", zone="utc")


# --- times and lengths -----------------------------------------------------------------------------


@pytest.mark.parametrize("text,clock", [
    ("14:30", T(14, 30)), ("14.30", T(14, 30)), ("9:05", T(9, 5)), ("14:30:05", T(14, 30, 5)),
    ("14:30:00", T(14, 30)),                                          # an Excel time cell
    ("2:30 pm", T(14, 30)), ("2pm", T(14, 0)), ("12am", T(0, 0)), ("12 noon", None), ("14", None),
    ("25:00", None), ("13 pm", None), ("half two", None),
])
def test_times_of_day(text: str, clock: dt.time | None):
    assert read_clock(text) == clock


@pytest.mark.parametrize("text,clock", [("14:30", T(14, 30)), ("2:30 pm", T(14, 30)),
                                        ("1899-12-30 14:30", T(14, 30)), ("1899-12-30", T(0, 0))])
def test_a_time_cell(text: str, clock: dt.time):
    assert read_time(text) == clock


@pytest.mark.parametrize("text", ["14", "half two", "2007-10-04 14:30", ""])
def test_not_a_time_cell(text: str):
    with pytest.raises(CellError) as info:
        read_time(text)
    assert str(info.value) == f"'{text}' is not a time of day (use HH:MM, such as 14:30 or 2:30 pm)"


@pytest.mark.parametrize("text,minutes,seconds", [
    ("95", False, 95), ("1:35", False, 95), ("00:01:35", False, 95), ("1:00:00", False, 3600),
    ("1899-12-30 00:01:35", False, 95), ("1899-12-30", False, 0), ("2.5", True, 150), ("3", True, 180),
    ("94.6", False, 95),
])
def test_lengths_of_calls(text: str, minutes: bool, seconds: int):
    assert read_seconds(text, minutes=minutes) == seconds


@pytest.mark.parametrize("text,minutes,message", [
    ("-3", False, "'-3' is not a length of call (a number of seconds, or m:ss)"),
    ("1:75", False, "'1:75' is not a length of call (a number of seconds, or m:ss)"),
    ("1:5", False, "'1:5' is not a length of call (a number of seconds, or m:ss)"),
    ("a minute", True, "'a minute' is not a length of call (a number of minutes, or m:ss)"),
    ("25:00:00", False, "'25:00:00' is longer than a day"),
    ("1441", True, "'1441' is longer than a day"),
])
def test_not_lengths_of_calls(text: str, minutes: bool, message: str):
    with pytest.raises(CellError) as info:
        read_seconds(text, minutes=minutes)
    assert str(info.value) == message


# --- numbers and yes/no ----------------------------------------------------------------------------


@pytest.mark.parametrize("text,value", [("12", 12), ("-3", -3), ("+4", 4), ("2.5", 2.5), ("1,200", 1200),
                                        ("1,234,567.5", 1234567.5), (".5", 0.5), ("12.0", 12), (" 7 ", 7)])
def test_numbers(text: str, value: int | float):
    read = read_number(text)
    assert read == value and type(read) is type(value)


@pytest.mark.parametrize("text", ["twelve", "1,20", "12,5", "1e3", "", "-", "£5", "1.2.3"])
def test_not_numbers(text: str):
    with pytest.raises(CellError) as info:
        read_number(text)
    assert str(info.value) == f"'{text}' is not a number"


@pytest.mark.parametrize("text,value", [
    *((w, True) for w in ("yes", "Y", "TRUE", "1", "x", " X ", "ticked", "Checked", "✓", "✔")),
    *((w, False) for w in ("no", "N", "false", "0", "unticked", "Unchecked")),
    ("Ydw", True), ("na", False),                                    # the field's own words
])
def test_yes_and_no(text: str, value: bool):
    assert read_yes_no(text, yes=("Ydw",), no=("Na",)) is value


@pytest.mark.parametrize("text", ["maybe", "", "2", "yess"])
def test_neither_yes_nor_no(text: str):
    with pytest.raises(CellError) as info:
        read_yes_no(text)
    assert str(info.value) == f"'{text}' is not yes or no"


# --- a question's answer ---------------------------------------------------------------------------


def test_answers_read_as_their_question_takes_them():
    t = small_template()
    same = str
    assert read_answer(t.question("size"), "medium", same) == "Medium"
    assert read_answer(t.question("size"), "2", same) == "Medium"                 # by position
    assert read_answer(t.question("work"), "Health; advice", same) == ["Advice", "Health"]
    assert read_answer(t.question("board"), "Y", same) is True
    assert read_answer(t.question("staff"), "1,200", same) == 1200
    assert read_answer(t.question("founded"), "5 March 2001", same) == "2001-03-05"
    assert read_answer(t.question("role"), "Chair", same) == "Chair"
    assert read_answer(t.question("size"), "S", {"S": "Small"}.get) == "Small"    # through the mapping
    work = t.question("work")
    assert [read_tick(work, w, "Youth", same) for w in ("1", "Checked", "Youth", "0", "Unchecked")] == \
        [True, True, True, False, False]


@pytest.mark.parametrize("qid,text,message,unknown", [
    ("size", "Huge", "'Huge' is not one of the choices", True),
    ("work", "Advice; Sport", "not among the choices: 'Sport'", True),
    ("board", "maybe", "'maybe' is not yes or no", True),
    ("staff", "-1", "-1 is below the minimum 0", False),               # read, then refused by its rule
    ("founded", "03/25/2001", "'03/25/2001' reads month first; dates are read day first (dd/mm/yyyy)", True),
    ("role", "Chair\nand more", "short text must be one line", False),
])
def test_named_answers_refused_with_their_value(qid: str, text: str, message: str, unknown: bool):
    with pytest.raises(CellError) as info:
        read_answer(small_template().question(qid), text, str)
    assert (str(info.value), info.value.unknown) == (message, unknown)


ANONYMOUS = template_from_dict({**SMALL_TEMPLATE, "sections": [{"id": "s", "title": "S", "questions": [
    {"id": "engaged", "type": "scale", "label": "Engaged", "anonymous": True, "choices": ["Low", "High"]},
    {"id": "groups", "type": "number", "label": "Groups", "anonymous": True, "min": 0, "max": 50},
    {"id": "since", "type": "date", "label": "Since", "anonymous": True},
    {"id": "funded", "type": "yes_no", "label": "Funded?", "anonymous": True},
    {"id": "word", "type": "short_text", "label": "One word", "anonymous": True},
    {"id": "areas", "type": "multiple_choice", "label": "Areas", "anonymous": True, "choices": ["North", "South"]},
]}]}, source="anonymous questions")


@pytest.mark.parametrize("qid,text,said", [
    ("engaged", "Quite high really", "not among the choices (Low, High)"),
    ("groups", "Seventy", "not a number from 0 to 50"),
    ("groups", "70", "not a number from 0 to 50"),                   # read, then refused by its rule
    ("since", "03/25/2001", "not a date"),
    ("funded", "perhaps", "not yes or no"),
    ("word", "Secret\nplans", "short text must be one line"),
    ("areas", "North; Secretland", "not among the choices (North, South)"),
])
def test_anonymous_answers_refused_without_their_value(qid: str, text: str, said: str):
    with pytest.raises(CellError) as info:
        read_answer(ANONYMOUS.question(qid), text, str)
    assert str(info.value) == f"{said}; the value is not repeated here, as the question is anonymous"
    assert not info.value.unknown                                    # never offered for mapping either
    with pytest.raises(CellError) as info:
        read_tick(ANONYMOUS.question("areas"), "Secretly", "North", str)
    assert str(info.value) == "not among the choices (North, South); the value is not repeated here, as the " \
                              "question is anonymous" and not info.value.unknown


# --- which organisation ----------------------------------------------------------------------------


@pytest.fixture
def orgs(small_study: Study) -> Study:
    for name in ("Coventry CVS", "Hillfields Somali Group", "Foleshill Women's Group",
                 "Foleshill Women's Group Ltd"):
        small_study.organisations.add(name)
    return small_study


def test_an_organisation_by_id_or_name(orgs: Study):
    cells = OrganisationCells(orgs, Mapping("attempts", {}, {"organisation": {"CCVS": "Coventry CVS"}}))
    assert cells.read("2", "") == 2
    assert cells.read("2", "hillfields somali group") == 2
    assert cells.read("", "Coventry C.V.S. Ltd") == 1                  # names match as Matcher matches them
    assert cells.read("", "CCVS") == 1                                 # through the mapping's values


def test_an_old_database_s_ids_only_through_its_table(orgs: Study):
    cells = OrganisationCells(orgs, Mapping("attempts", {}, {"organisation_id": {"ALFKI": "2", "7": "1"}}))
    assert cells.read("ALFKI", "") == 2 and cells.read("alfki ", "") == 2 and cells.read("7", "") == 1
    with pytest.raises(CellError) as info:
        cells.read("1", "")                                            # the study's 1, but not in the table
    assert (str(info.value), info.value.field, info.value.unknown) == (
        "the id '1' is not in the mapping's table of ids", "organisation_id", True)
    given = OrganisationCells(orgs, Mapping("attempts", {}, {"organisation_id": {"7": "1"}}), old_ids={"7": "2"})
    assert given.read("7", "") == 2                                    # the table given wins over the mapping's
    with pytest.raises(CellError):                                     # given, even empty, every id must be in it
        OrganisationCells(orgs, Mapping("attempts", {}), old_ids={}).read("1", "")


@pytest.mark.parametrize("raw_id,raw_name,message,field,unknown", [
    ("9", "", "no organisation with id '9' in the study", "organisation_id", True),
    ("x1", "", "no organisation with id 'x1' in the study", "organisation_id", True),
    ("²", "", "no organisation with id '²' in the study", "organisation_id", True),
    ("1", "Hillfields Somali Group", "organisation 1 is 'Coventry CVS', not 'Hillfields Somali Group'",
     "organisation", False),
    ("", "", "which organisation? the cell is empty", "organisation", False),
    ("", "Nowhere Trust", "no organisation named 'Nowhere Trust' in the study (import the organisations first, "
                          "or map the name to one)", "organisation", True),
    ("", "foleshill womens group", "'foleshill womens group' is ambiguous: 2 organisations have that name "
                                   "(ids 3, 4); give organisation_id", "organisation", True),
])
def test_an_organisation_refused_at_its_cell(orgs: Study, raw_id: str, raw_name: str, message: str, field: str,
                                             unknown: bool):
    with pytest.raises(CellError) as info:
        OrganisationCells(orgs, Mapping("attempts", {})).read(raw_id, raw_name)
    assert (str(info.value), info.value.field, info.value.unknown) == (message, field, unknown)
