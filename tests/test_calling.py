"""The calling queue, the rules that propose call-backs, and several numbers per organisation."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldkit import calling, fieldwork
from fieldkit.errors import InvalidValueError
from fieldkit.study import Study

#: A Wednesday morning.
NOW = dt.datetime(2026, 11, 25, 10, 0)


def test_the_outcome_proposes_its_call_back(small_study: Study):
    org = small_study.organisations.add("Ring", category="Network")
    p = small_study.attempts.propose(org, "No answer", now=NOW)
    assert p.callback_at == dt.datetime(2026, 11, 25, 13, 0) and p.close_as is None
    assert "3 hours" in p.why and p.attempt_number == 1
    p = small_study.attempts.propose(org, "Left a message", now=dt.datetime(2026, 11, 27, 16, 0))  # a Friday
    assert p.callback_at == dt.datetime(2026, 11, 30, 10, 0)
    p = small_study.attempts.propose(org, "Interview arranged", now=NOW)
    assert p.callback_at is None and p.close_as is None
    # Proposed inside the organisation's opening hours.
    small_study.organisations.update(org, opening_hours="Mon-Fri 2pm-5pm")
    p = small_study.attempts.propose(org, "No answer", now=dt.datetime(2026, 11, 25, 16, 30))
    assert p.callback_at == dt.datetime(2026, 11, 26, 14, 0) and "when it opens" in p.why


def test_reaching_the_maximum_proposes_not_reached(small_study: Study):
    fieldwork.set_settings(small_study, max_attempts=3)
    org = small_study.organisations.add("Never in", category="Network")
    for day in (1, 2):
        small_study.attempts.log(org, outcome="No answer", at=f"2026-11-0{day}T10:00")
    p = small_study.attempts.propose(org, "No answer", now=NOW)
    assert p.close_as == "unreachable" and p.callback_at is None and "maximum is 3" in p.why
    # Proposed, not done: the status is the researcher's to set.
    assert small_study.organisations.get(org).status == "contacting"


def test_a_retry_limit_and_a_final_outcome_end_the_calling(small_study: Study):
    template = small_study.template
    data = template.to_dict()
    data["organisations"]["outcomes"] += [
        {"name": "Not now", "disposition": "2.11", "retry": "1 week", "retry_limit": 1},
        {"name": "Declined", "disposition": "2.11", "final": True}]
    from fieldkit.template_toml import template_from_dict

    small_study.update_template(template_from_dict(data, source="edited"))
    org = small_study.organisations.add("Busy people", category="Network")
    first = small_study.attempts.propose(org, "Not now", now=NOW)
    assert first.callback_at == NOW + dt.timedelta(days=7)
    small_study.attempts.log(org, outcome="Not now", at=NOW)
    second = small_study.attempts.propose(org, "Not now", now=NOW + dt.timedelta(days=7))
    assert second.close_as == "declined" and second.callback_at is None
    assert small_study.attempts.propose(org, "Declined", now=NOW).close_as == "declined"


def test_an_attempt_records_the_number_tried_and_the_duration(small_study: Study):
    org = small_study.organisations.add("Timed call", phone="0121 000 0001")
    attempt = small_study.attempts.log(org, outcome="No answer", tried="0121 000 0001", seconds=42.4)
    got = small_study.attempts.get(attempt)
    assert (got.tried, got.seconds) == ("0121 000 0001", 42)
    with pytest.raises(InvalidValueError, match="call duration"):
        small_study.attempts.log(org, outcome="No answer", seconds=-3)
    assert len(small_study.attempts.for_organisation(org)) == 1


def test_several_numbers_and_a_wrong_one_struck_through(small_study: Study):
    numbers = small_study.numbers
    org = small_study.organisations.add("Many lines", phone="0121 111")
    numbers.add(org, "phone", "0121 222", label="Office")
    contact = small_study.organisations.add_contact(org, "Amrit", phone="07700 900")
    numbers.add(org, "phone", "07700 901", contact_id=contact)
    numbers.add(org, "email", "info@example.org")  # the first email goes into the record
    assert small_study.organisations.get(org).email == "info@example.org"
    listed = [(n.contact_id, n.value, n.wrong) for n in numbers.for_organisation(org)]
    assert listed == [(None, "0121 111", False), (None, "info@example.org", False), (None, "0121 222", False),
                      (contact, "07700 900", False), (contact, "07700 901", False)]
    first = numbers.for_organisation(org)[0]
    numbers.mark_wrong(first)
    assert small_study.organisations.get(org).phone == "0121 222"  # the next working one moves up
    phones = [(n.value, n.wrong) for n in numbers.for_organisation(org) if n.kind == "phone" and n.contact_id is None]
    assert phones == [("0121 222", False), ("0121 111", True)]
    assert [n.value for n in numbers.working(org)] == ["0121 222", "07700 900", "07700 901"]
    # Still found by search, and the change is in the record's history.
    assert org in small_study.organisations.ids(search="0121 111")
    assert any(c.field == "phone wrong" and c.new == "0121 111" for c in small_study.organisations.changes(org))
    numbers.remove(numbers.for_organisation(org)[-1].id)
    from fieldkit import checks

    assert checks.problems(small_study) == []  # the change log holds only what a named record may
    with pytest.raises(InvalidValueError, match="already listed"):
        numbers.add(org, "phone", "0121 111")
    with pytest.raises(InvalidValueError, match="not an email address"):
        numbers.add(org, "email", "nobody")


def test_next_call_takes_due_call_backs_then_quotas_then_fewest_attempts(small_study: Study):
    orgs, attempts = small_study.organisations, small_study.attempts
    # Targets: Network 4, Infrastructure 2. Infrastructure is furthest below once a network is done.
    done = orgs.add("Done network", category="Network")
    s = small_study.interviews.start(done)
    s.finish("complete")
    tried_twice = orgs.add("Infra tried twice", category="Infrastructure")
    attempts.log(tried_twice, outcome="No answer", at="2026-11-20T10:00")
    attempts.log(tried_twice, outcome="No answer", at="2026-11-21T10:00")
    orgs.add("Infra fresh", category="Infrastructure")
    orgs.add("Network fresh", category="Network")
    due = orgs.add("Due call-back", category="Access point")
    attempts.log(due, outcome="Call back requested", at="2026-11-24T10:00", callback_at="2026-11-25T09:30")
    later = orgs.add("Later call-back", category="Infrastructure")
    attempts.log(later, outcome="Call back requested", at="2026-11-24T10:00", callback_at="2026-11-26T09:30")
    orgs.add("Closed now", category="Infrastructure", opening_hours="Mon-Fri 14-17")
    arranged = orgs.add("Arranged", category="Infrastructure")
    attempts.log(arranged, outcome="Interview arranged", at="2026-11-20T10:00")
    busy = orgs.add("In interview", category="Infrastructure")
    small_study.interviews.start(busy)

    order = [c.name for c in calling.queue(small_study, NOW)]
    assert order == ["Due call-back", "Infra fresh", "Arranged", "Infra tried twice", "Network fresh"]
    first = calling.next_call(small_study, NOW)
    assert first.organisation_id == due and "Call-back due since" in first.why
    assert calling.next_call(small_study, NOW, skip=[due]).name == "Infra fresh"  # passed over for now
    second = calling.queue(small_study, NOW)[1]
    assert second.why.startswith("Infrastructure: 0 of 2 interviewed") and "not tried yet" in second.why
    # In the afternoon the organisation open 14-17 joins; the later call-back waits its day.
    afternoon = [c.name for c in calling.queue(small_study, dt.datetime(2026, 11, 25, 15, 0))]
    assert "Closed now" in afternoon and "Later call-back" not in afternoon
    # Attempts up to the maximum drop an organisation from the queue.
    fieldwork.set_settings(small_study, max_attempts=2)
    assert "Infra tried twice" not in [c.name for c in calling.queue(small_study, NOW)]


def test_a_final_latest_outcome_ends_the_calling(small_study: Study):
    from fieldkit.template_toml import template_from_dict

    data = small_study.template.to_dict()
    data["organisations"]["outcomes"].append({"name": "Declined", "disposition": "2.11", "final": True})
    small_study.update_template(template_from_dict(data, source="edited"))
    org = small_study.organisations.add("No thanks")
    small_study.attempts.log(org, outcome="Declined", at="2026-11-20T10:00")
    assert calling.next_call(small_study, NOW) is None
