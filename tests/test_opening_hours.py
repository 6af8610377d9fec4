"""Opening hours read from the free text researchers type, and the calling windows they give."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.errors import InvalidValueError
from fieldkit.opening_hours import ALWAYS, Hours, parse_hours

# Monday 23 November 2026 … Sunday 29 November 2026
MON, TUE, WED, THU, FRI, SAT, SUN = (dt.date(2026, 11, 23) + dt.timedelta(days=n) for n in range(7))


def at(day: dt.date, hh_mm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hh_mm))


@pytest.mark.parametrize(("text", "normal"), [
    ("Mon–Fri 9–5", "Mon–Fri 09:00–17:00"),
    ("Mon-Fri 9-5", "Mon–Fri 09:00–17:00"),
    ("mon to fri 9 to 5", "Mon–Fri 09:00–17:00"),
    ("Mon-Thu 10:00-16:00; Fri 10-1", "Mon–Thu 10:00–16:00; Fri 10:00–13:00"),
    ("Tue, Thu 9.30-12.30", "Tue, Thu 09:30–12:30"),
    ("weekdays 9am-5pm", "Mon–Fri 09:00–17:00"),
    ("Mon–Fri 9–12, 14–17", "Mon–Fri 09:00–12:00, 14:00–17:00"),
    ("Sat 10-2", "Sat 10:00–14:00"),
    ("24/7", "24/7"),
    ("", "24/7"),
    ("MONDAY–FRIDAY 9AM–5PM", "Mon–Fri 09:00–17:00"),
    ("Monday to Friday, 9am to 5pm", "Mon–Fri 09:00–17:00"),
    ("9am–5pm Monday to Friday", "Mon–Fri 09:00–17:00"),
    ("mon-fri: 9 a.m. - 5 p.m.", "Mon–Fri 09:00–17:00"),
    ("Tues & Thurs 10–3", "Tue, Thu 10:00–15:00"),
    ("Weds 1-5pm", "Wed 13:00–17:00"),
    ("Mondays 1–5", "Mon 13:00–17:00"),  # a start of 1 to 6 with no am/pm is the afternoon
    ("Mon 01:00–05:00", "Mon 01:00–05:00"),  # …unless written on a 24-hour clock
    ("Thu 6-9", "Thu 18:00–21:00"),
    ("Mon 0900-1730", "Mon 09:00–17:30"),
    ("Mon 12–2", "Mon 12:00–14:00"),
    ("Mon 9–noon", "Mon 09:00–12:00"),
    ("Mon 8–8", "Mon 08:00–20:00"),
    ("weekends 10–4", "Sat, Sun 10:00–16:00"),
    ("daily 9–5; Sun closed", "Mon–Sat 09:00–17:00"),
    ("every day 8am–8pm", "Mon–Sun 08:00–20:00"),
    ("Mon–Fri 9–5, Sat 10–1", "Mon–Fri 09:00–17:00; Sat 10:00–13:00"),
    ("Mon–Fri 9–5\nSat 10–1", "Mon–Fri 09:00–17:00; Sat 10:00–13:00"),
    ("Mon 9–12; Mon 11–3", "Mon 09:00–15:00"),  # overlapping openings are joined
    ("Mon, Wed, Fri 9–5", "Mon, Wed, Fri 09:00–17:00"),
    ("Mon–Wed, Fri 9–5", "Mon–Wed, Fri 09:00–17:00"),
    ("Fri 6pm–midnight", "Fri 18:00–24:00"),
    ("24/7; Sun closed", "Mon–Sat 00:00–24:00"),
    ("closed", "closed"),
])
def test_opening_hours_as_people_write_them(text, normal):
    hours = parse_hours(text)
    assert hours.text == normal
    assert parse_hours(hours.text) == hours


def test_the_days_and_openings_held():
    hours = parse_hours("Mon–Fri 9–12, 14–17; Sat 10-2")
    morning, afternoon = (dt.time(9), dt.time(12)), (dt.time(14), dt.time(17))
    assert hours.days == ((morning, afternoon),) * 5 + (((dt.time(10), dt.time(14)),), ())
    assert hours.describe() == "Open Mon–Fri 09:00–12:00, 14:00–17:00; Sat 10:00–14:00; closed Sun"


def test_empty_hours_mean_no_limits():
    assert parse_hours("") is ALWAYS and parse_hours("  \n") is ALWAYS
    assert parse_hours("24/7") == ALWAYS
    assert ALWAYS.describe() == "Open at any time"
    for moment in (at(SUN, "03:00"), at(MON, "00:00"), dt.datetime(2026, 12, 31, 23, 59, 59)):
        assert ALWAYS.is_open(moment) and ALWAYS.next_open(moment) == moment


def test_is_open_at_the_edges():
    hours = parse_hours("Mon–Fri 9–12, 14–17")
    assert not hours.is_open(at(MON, "08:59:59"))
    assert hours.is_open(at(MON, "09:00"))  # the start counts
    assert hours.is_open(at(MON, "11:59:59"))
    assert not hours.is_open(at(MON, "12:00"))  # the end does not
    assert not hours.is_open(at(MON, "13:59"))
    assert hours.is_open(at(FRI, "16:59"))
    assert not hours.is_open(at(FRI, "17:00"))
    assert not hours.is_open(at(SAT, "10:00"))
    assert not hours.is_open(at(SUN, "10:00"))


def test_next_open():
    hours = parse_hours("Mon–Fri 9–12, 14–17")
    assert hours.next_open(at(TUE, "10:30")) == at(TUE, "10:30")  # open: that very moment
    assert hours.next_open(at(TUE, "07:00")) == at(TUE, "09:00")
    assert hours.next_open(at(TUE, "12:00")) == at(TUE, "14:00")  # lunch
    assert hours.next_open(at(TUE, "17:00")) == at(WED, "09:00")
    # over the weekend: Friday evening, Saturday and Sunday all wait for Monday morning
    monday = at(MON + dt.timedelta(days=7), "09:00")
    for moment in (at(FRI, "17:00"), at(SAT, "00:00"), at(SAT, "11:00"), at(SUN, "23:59:59")):
        assert hours.next_open(moment) == monday


def test_next_open_a_week_away_and_never():
    thursdays = parse_hours("Thu 10–12")
    assert thursdays.next_open(at(THU, "12:00")) == at(THU + dt.timedelta(days=7), "10:00")
    assert thursdays.next_open(at(THU, "09:59")) == at(THU, "10:00")
    never = parse_hours("closed")
    assert never.next_open(at(MON, "09:00")) is None and not never.is_open(at(MON, "09:00"))
    assert never.describe() == "Never open"


def test_next_open_across_the_year_end():
    hours = parse_hours("weekdays 9–5")
    assert hours.next_open(dt.datetime(2027, 12, 31, 17, 30)) == dt.datetime(2028, 1, 3, 9, 0)  # Fri 31 Dec


def test_ranges_across_days():
    # days that run over the weekend
    hours = parse_hours("Fri–Mon 10–4")
    assert hours.text == "Mon, Fri–Sun 10:00–16:00"
    assert [bool(day) for day in hours.days] == [True, False, False, False, True, True, True]
    # an evening that runs past midnight opens the next morning too
    late = parse_hours("Fri 22:00–02:00")
    assert late.text == "Fri 22:00–24:00; Sat 00:00–02:00"
    assert late.is_open(at(FRI, "23:59:59")) and late.is_open(at(SAT, "00:00")) and late.is_open(at(SAT, "01:59"))
    assert not late.is_open(at(SAT, "02:00")) and not late.is_open(at(FRI, "21:59"))
    assert late.next_open(at(SAT, "03:00")) == at(FRI + dt.timedelta(days=7), "22:00")
    assert parse_hours("Sun 20–2").is_open(at(MON, "01:00"))  # Sunday night runs into Monday
    assert parse_hours("Sat 6pm–midnight").is_open(at(SAT, "23:59")) and not parse_hours(
        "Sat 6pm–midnight").is_open(at(SUN, "00:00"))


@pytest.mark.parametrize(("text", "said"), [
    ("Mon–Fri nine to five", "cannot read 'nine'"),
    ("9–5", "say which days are '9–5'"),
    ("Mon–Fri", "'Mon–Fri' needs its hours"),
    ("Mon 9", "'9' needs an end time"),
    ("Mon 25:00–26:00", "'25:00–26:00' has a time that is not a time of day"),
    ("Mon 9:75–10", "'9:75–10' has a time that is not a time of day"),
    ("Mon 13pm–5", "'13pm–5' has a time that is not on a 12-hour clock"),
    ("Mon 21:00–21:00", "'21:00–21:00' closes as it opens"),
    ("Mon 9–5 (not bank holidays)", "cannot read '('"),
    ("by appointment", "cannot read 'by'"),
    ("Mo–Fr 9–5", "cannot read 'Mo'"),
    (";", "cannot read ';'"),
    ("Mon– 9–5", "cannot read 'Mon–' as days"),
])
def test_unreadable_hours_say_what_and_give_an_example(text, said):
    with pytest.raises(InvalidValueError) as caught:
        parse_hours(text)
    message = str(caught.value)
    assert message == (f"opening hours: {said} in '{text}' "
                       '(for example "Mon–Fri 9–5" or "Mon–Thu 10:00–16:00; Fri 10–1")')
    assert "\n" not in message


def test_hours_are_a_frozen_value_of_seven_days():
    with pytest.raises(ValueError):
        Hours(((),) * 6)
    hours = parse_hours("Mon 9–5")
    with pytest.raises(AttributeError):
        hours.days = ()  # type: ignore[misc]
    assert hash(hours) == hash(parse_hours("monday 9am-5pm"))


#: a day's openings as sorted distinct minutes, paired: (p0, p1), (p2, p3)…, with gaps between
_openings = st.lists(st.integers(min_value=0, max_value=24 * 60), max_size=6, unique=True).map(sorted)


def _clock(minute: int) -> dt.time:
    return dt.time(0) if minute == 24 * 60 else dt.time(minute // 60, minute % 60)


@given(st.lists(_openings, min_size=7, max_size=7))
def test_the_normal_text_reads_back_to_the_same_hours(week):
    """Whatever the hours, their text reads back exactly, so it can be stored or shown."""
    days = tuple(tuple((_clock(points[i]), _clock(points[i + 1])) for i in range(0, len(points) - 1, 2))
                 for points in week)
    hours = Hours(days)
    assert parse_hours(hours.text) == hours


def test_a_line_break_in_the_text_still_gives_a_one_line_message():
    with pytest.raises(InvalidValueError) as caught:
        parse_hours("0\n0")
    assert "\n" not in str(caught.value) and "'0 0'" in str(caught.value)
