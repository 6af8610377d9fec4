"""Call-back times and retry delays read as researchers and templates write them (no Qt)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.callback_times import (
    Delay,
    due_text,
    format_when,
    next_working_morning,
    parse_delay,
    parse_when,
)
from fieldkit.errors import InvalidValueError

MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 5)  # Monday 23 November 2026, 12:05


def _at(text: str) -> str | None:
    moment = parse_when(text, MONDAY_NOON)
    return moment.strftime("%a %Y-%m-%d %H:%M") if moment else None


# --- call-back times -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("tomorrow 10", "Tue 2026-11-24 10:00"),
    ("Tomorrow 10:30", "Tue 2026-11-24 10:30"),
    ("tomorrow", "Tue 2026-11-24 09:00"),  # a day with no time: DEFAULT_HOUR
    ("fri 2:30pm", "Fri 2026-11-27 14:30"),
    ("friday 2 pm", "Fri 2026-11-27 14:00"),
    ("mon", "Mon 2026-11-30 09:00"),  # today is a Monday: the next one
    ("24/11 9:30", "Tue 2026-11-24 09:30"),
    ("1/2", "Mon 2027-02-01 09:00"),  # day first, and the next time it comes round
    ("24 nov", "Tue 2026-11-24 09:00"),
    ("24 November 2027 16:00", "Wed 2027-11-24 16:00"),
    ("2026-11-24 10:00", "Tue 2026-11-24 10:00"),
    ("2026-11-24T10:00", "Tue 2026-11-24 10:00"),
    ("+2", "Wed 2026-11-25 09:00"),
    ("+1w", "Mon 2026-11-30 09:00"),
    ("+1w 10", "Mon 2026-11-30 10:00"),
    ("15:00", "Mon 2026-11-23 15:00"),  # later today
    ("12:05", "Tue 2026-11-24 12:05"),  # this very minute has begun: tomorrow
    ("9:00", "Tue 2026-11-24 09:00"),  # already past today: tomorrow
    ("noon", "Tue 2026-11-24 12:00"),
    ("12am", "Tue 2026-11-24 00:00"),
    ("Tmrw 2:30pm", "Tue 2026-11-24 14:30"),
    ("fri 14.15", "Fri 2026-11-27 14:15"),
    ("next monday at 9am", "Mon 2026-11-30 09:00"),
    ("3/12/26 16:00", "Thu 2026-12-03 16:00"),
    ("5 dec 11", "Sat 2026-12-05 11:00"),
    ("11:00", "Tue 2026-11-24 11:00"),  # already past today: tomorrow
    ("", None),
    ("   ", None),
])
def test_call_back_times_as_people_type_them(text, expected):
    assert _at(text) == expected


def test_a_time_on_its_own_is_today_until_it_has_passed():
    morning = dt.datetime(2026, 11, 23, 8, 0)
    assert parse_when("15:00", morning) == dt.datetime(2026, 11, 23, 15, 0)
    assert parse_when("15:00", dt.datetime(2026, 11, 23, 15, 30)) == dt.datetime(2026, 11, 24, 15, 0)
    assert parse_when("noon", morning) == dt.datetime(2026, 11, 23, 12, 0)


@pytest.mark.parametrize("text", ["someday", "31/2", "25:00", "10:75", "2026-13-01", "yesterday", "next", "tomorrow x"])
def test_unreadable_call_back_times_say_what_to_type(text):
    with pytest.raises(InvalidValueError) as caught:
        parse_when(text, MONDAY_NOON)
    assert str(caught.value) == (f"Cannot read “{text}” as a call-back time: try “tomorrow 10:00”, "
                                 "“fri 14:30” or “24/11 9:30”")


@pytest.mark.parametrize(("text", "said"), [
    ("today 9:00", "Mon 23 Nov 2026, 09:00 has already passed"),
    ("22/11/2026", "Sun 22 Nov 2026, 09:00 has already passed"),
    ("2025-12-01 10:00", "Mon 1 Dec 2025, 10:00 has already passed"),
])
def test_a_call_back_time_already_passed_is_refused(text, said):
    with pytest.raises(InvalidValueError, match=f"^{said}$"):
        parse_when(text, MONDAY_NOON)


def test_the_current_minute_is_not_yet_passed():
    assert parse_when("today 12:05", MONDAY_NOON.replace(second=40)) == dt.datetime(2026, 11, 23, 12, 5)


def test_format_when_in_words():
    assert format_when("2026-11-24T10:00:00") == "Tue 24 Nov 2026, 10:00"
    assert format_when(dt.datetime(2026, 3, 1, 9, 5)) == "Sun 1 Mar 2026, 09:05"
    assert format_when(None) == format_when("") == ""
    this_year = dt.date.today().year
    assert format_when(dt.datetime(this_year, 1, 2, 8, 0), year=None).endswith(" Jan, 08:00")
    assert format_when(dt.datetime(this_year + 1, 1, 2, 8, 0), year=None).endswith(f" Jan {this_year + 1}, 08:00")


@given(st.datetimes(min_value=dt.datetime(2026, 11, 23, 12, 5), max_value=dt.datetime(2099, 12, 31)))
def test_format_when_reads_back_with_parse_when(moment):
    """What the Call-backs screen proposes (format_when) is what its box reads (parse_when)."""
    moment = moment.replace(second=0, microsecond=0)
    assert parse_when(format_when(moment), MONDAY_NOON) == moment
    assert parse_when(format_when(moment, year=None), MONDAY_NOON.replace(year=moment.year, month=1, day=1,
                                                                          hour=0, minute=0)) == moment


def test_due_text_names_the_near_days():
    now = dt.datetime(2026, 11, 23, 13, 0)
    assert due_text(dt.datetime(2026, 11, 23, 15, 30), now) == "Today 15:30"
    assert due_text(dt.datetime(2026, 11, 22, 16, 0), now) == "Yesterday 16:00"
    assert due_text(dt.datetime(2026, 11, 24, 9, 0), now) == "Tomorrow 09:00"
    assert due_text(dt.datetime(2026, 11, 30, 9, 0), now) == "Mon 30 Nov 09:00"
    assert due_text(dt.datetime(2027, 1, 4, 9, 0), now) == "Mon 4 Jan 2027 09:00"


@pytest.mark.parametrize(("now", "expected"), [
    (dt.datetime(2026, 11, 23, 13, 0), dt.datetime(2026, 11, 24, 10, 0)),  # Monday: Tuesday
    (dt.datetime(2026, 11, 27, 8, 0), dt.datetime(2026, 11, 30, 10, 0)),  # Friday: Monday
    (dt.datetime(2026, 11, 28, 12, 0), dt.datetime(2026, 11, 30, 10, 0)),  # Saturday: Monday
    (dt.datetime(2026, 11, 29, 23, 59), dt.datetime(2026, 11, 30, 10, 0)),  # Sunday: Monday
])
def test_next_working_morning(now, expected):
    assert next_working_morning(now) == expected


# --- retry delays --------------------------------------------------------------------------

MON_0930 = dt.datetime(2026, 11, 23, 9, 30)


@pytest.mark.parametrize(("text", "normal", "after"), [
    ("3 hours", "3 hours", dt.datetime(2026, 11, 23, 12, 30)),
    ("1 hour", "1 hour", dt.datetime(2026, 11, 23, 10, 30)),
    ("1 hours", "1 hour", dt.datetime(2026, 11, 23, 10, 30)),
    ("90 minutes", "90 minutes", dt.datetime(2026, 11, 23, 11, 0)),
    ("1 minute", "1 minute", dt.datetime(2026, 11, 23, 9, 31)),
    ("2 days", "2 days", dt.datetime(2026, 11, 25, 9, 30)),
    ("1 day", "1 day", dt.datetime(2026, 11, 24, 9, 30)),
    ("1 week", "1 week", dt.datetime(2026, 11, 30, 9, 30)),
    ("2 weeks", "2 weeks", dt.datetime(2026, 12, 7, 9, 30)),
    ("3h", "3 hours", dt.datetime(2026, 11, 23, 12, 30)),
    ("30m", "30 minutes", dt.datetime(2026, 11, 23, 10, 0)),
    ("2d", "2 days", dt.datetime(2026, 11, 25, 9, 30)),
    ("1w", "1 week", dt.datetime(2026, 11, 30, 9, 30)),
    ("  3  HOURS ", "3 hours", dt.datetime(2026, 11, 23, 12, 30)),
    ("Tomorrow", "tomorrow", dt.datetime(2026, 11, 24, 10, 0)),
    ("next working day", "next working day", dt.datetime(2026, 11, 24, 10, 0)),
    ("Next  Working Day", "next working day", dt.datetime(2026, 11, 24, 10, 0)),
    ("next week", "next week", dt.datetime(2026, 11, 30, 10, 0)),
])
def test_retry_delays_as_templates_write_them(text, normal, after):
    delay = parse_delay(text)
    assert delay.text == normal
    assert delay.after(MON_0930) == after
    assert parse_delay(delay.text) == delay


@pytest.mark.parametrize(("moment", "expected"), [
    (dt.datetime(2026, 11, 27, 16, 45), dt.datetime(2026, 11, 30, 10, 0)),  # Friday: Monday
    (dt.datetime(2026, 11, 28, 11, 0), dt.datetime(2026, 11, 30, 10, 0)),  # Saturday: Monday
    (dt.datetime(2026, 11, 29, 8, 0), dt.datetime(2026, 11, 30, 10, 0)),  # Sunday: Monday
    (dt.datetime(2026, 11, 26, 8, 0), dt.datetime(2026, 11, 27, 10, 0)),  # Thursday: Friday
    (dt.datetime(2027, 12, 31, 15, 0), dt.datetime(2028, 1, 3, 10, 0)),  # Friday 31 Dec: Monday 3 Jan
    (dt.datetime(2026, 4, 30, 9, 0), dt.datetime(2026, 5, 1, 10, 0)),  # month end, a Thursday
])
def test_next_working_day(moment, expected):
    assert parse_delay("next working day").after(moment) == expected


def test_delays_across_month_and_year_ends():
    new_years_eve = dt.datetime(2026, 12, 31, 23, 0)
    assert parse_delay("3 hours").after(new_years_eve) == dt.datetime(2027, 1, 1, 2, 0)
    assert parse_delay("90 minutes").after(new_years_eve) == dt.datetime(2027, 1, 1, 0, 30)
    assert parse_delay("tomorrow").after(new_years_eve) == dt.datetime(2027, 1, 1, 10, 0)
    assert parse_delay("2 days").after(dt.datetime(2026, 12, 30, 14, 15)) == dt.datetime(2027, 1, 1, 14, 15)
    assert parse_delay("1 week").after(dt.datetime(2028, 2, 25, 9, 0)) == dt.datetime(2028, 3, 3, 9, 0)  # leap year
    assert parse_delay("next week").after(dt.datetime(2026, 2, 26, 17, 0)) == dt.datetime(2026, 3, 5, 10, 0)
    assert parse_delay("tomorrow").after(dt.datetime(2027, 2, 28, 18, 0)) == dt.datetime(2027, 3, 1, 10, 0)
    # "tomorrow" from Saturday is Sunday: only "next working day" skips the weekend
    assert parse_delay("tomorrow").after(dt.datetime(2026, 11, 28, 9, 0)) == dt.datetime(2026, 11, 29, 10, 0)
    assert parse_delay("next week").after(dt.datetime(2026, 11, 28, 9, 0)) == dt.datetime(2026, 12, 5, 10, 0)


@pytest.mark.parametrize("text", ["soon", "", "3", "hours", "0 hours", "3 fortnights", "-1 day", "2.5 hours",
                                  "next working", "3 hours 30 minutes", "next month"])
def test_unreadable_delays_say_what_to_write(text):
    with pytest.raises(InvalidValueError) as caught:
        parse_delay(text)
    assert str(caught.value) == (f"retry: cannot read '{text.strip()}' as a delay "
                                 '(for example "3 hours", "next working day", "1 week")')


def test_the_message_for_soon():
    with pytest.raises(InvalidValueError) as caught:
        parse_delay("soon")
    assert str(caught.value) == ('retry: cannot read \'soon\' as a delay '
                                 '(for example "3 hours", "next working day", "1 week")')


def test_delay_is_a_frozen_value():
    delay = parse_delay("2 weeks")
    assert delay == Delay("week", 2) and hash(delay) == hash(Delay("week", 2))
    with pytest.raises(AttributeError):
        delay.amount = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        Delay("fortnight")
