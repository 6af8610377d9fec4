"""Call-backs seen from a moment: overdue, later today, upcoming; who to ask for and the number."""

from __future__ import annotations

import datetime as dt

from fieldkit.study import Study

NOW = dt.datetime(2026, 11, 23, 13, 0)


def test_callbacks_split_around_now(small_study: Study):
    orgs, attempts = small_study.organisations, small_study.attempts
    yesterday = orgs.add("Yesterday")
    attempts.log(yesterday, outcome="Left a message", at="2026-11-20T10:00", callback_at="2026-11-22T16:00")
    this_morning = orgs.add("This morning")
    attempts.log(this_morning, outcome="No answer", at="2026-11-20T10:00", callback_at="2026-11-23T10:00")
    this_afternoon = orgs.add("This afternoon")
    attempts.log(this_afternoon, outcome="Call back requested", at="2026-11-20T10:00",
                 callback_at="2026-11-23T15:30")
    tomorrow = orgs.add("Tomorrow")
    attempts.log(tomorrow, outcome="Call back requested", at="2026-11-20T10:00", callback_at="2026-11-24T09:00")
    due = attempts.callbacks_due(NOW)
    assert [c.organisation_name for c in due.overdue] == ["Yesterday", "This morning"]
    assert [c.organisation_name for c in due.today] == ["This afternoon"]
    assert [c.organisation_name for c in due.upcoming] == ["Tomorrow"]
    assert len(due) == 4
    # a later attempt settles a call-back
    attempts.log(yesterday, outcome="No answer", at="2026-11-23T12:00")
    assert [c.organisation_name for c in attempts.callbacks_due(NOW).overdue] == ["This morning"]


def test_callback_carries_phone_and_contact(small_study: Study):
    orgs, attempts = small_study.organisations, small_study.attempts
    own = orgs.add("Own number", phone="0121 496 0000",
                   contacts=[{"name": "Zofia Wiśniewska", "phone": "07700 900001"}])
    attempts.log(own, outcome="No answer", callback_at="2026-11-24T10:00")
    via_contact = orgs.add("Via contact", contacts=[{"name": "No phone"},
                                                    {"name": "李伟", "phone": "07700 900002"}])
    attempts.log(via_contact, outcome="No answer", callback_at="2026-11-24T11:00")
    none = orgs.add("No number")
    attempts.log(none, outcome="No answer", callback_at="2026-11-24T12:00")
    got = {c.organisation_name: (c.phone, c.contact) for c in attempts.callbacks()}
    assert got == {
        "Own number": ("+441214960000", "Zofia Wiśniewska"),  # as stored: E.164
        "Via contact": ("07700 900002", "No phone"),
        "No number": (None, None),
    }
