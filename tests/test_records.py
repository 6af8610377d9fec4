"""Organisations, contacts, attempts, call-backs and interviews through the core API."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldkit.errors import InvalidValueError, NotFoundError
from fieldkit.study import Study
from studies import pool_now


# --- organisations ------------------------------------------------------------------------

def test_add_and_read_back(small_study: Study):
    orgs = small_study.organisations
    referrer = orgs.add("Coventry CVS", category="Infrastructure", area="Coventry")
    org = orgs.add(
        "  Hillfields Somali Group  ", category="Network", area="Coventry", coverage="Hillfields",
        phone="024 7696 0001", email="info@example.org", flags=["follow_up", "invite"],
        referred_by=referrer, notes="Met at the forum",
        contacts=[{"name": "Hodan Warsame", "role": "Coordinator", "phone": "07700 900001"}],
    )
    o = orgs.get(org)
    assert (o.name, o.category, o.area, o.coverage, o.status) == (
        "Hillfields Somali Group", "Network", "Coventry", "Hillfields", "identified")
    assert o.flags == {"follow_up", "invite"}
    assert o.referred_by == referrer
    assert [(c.name, c.role) for c in orgs.contacts(org)] == [("Hodan Warsame", "Coordinator")]


def test_vocabulary_is_enforced_and_blank_allowed(small_study: Study):
    orgs = small_study.organisations
    with pytest.raises(InvalidValueError, match="not one of the study's categories"):
        orgs.add("X", category="Charity shop")
    with pytest.raises(InvalidValueError, match="areas"):
        orgs.add("X", area="Mars")
    org = orgs.add("No category yet", category="", area="  ")
    assert orgs.get(org).category is None and orgs.get(org).area is None
    assert orgs.count() == 1


def test_status_and_exclusion_reason(small_study: Study):
    orgs = small_study.organisations
    org = orgs.add("Out of region", category="Network")
    orgs.set_status(org, "excluded", "Outside the region")
    assert (orgs.get(org).status, orgs.get(org).exclusion_reason) == ("excluded", "Outside the region")
    with pytest.raises(InvalidValueError, match="only for excluded"):
        orgs.set_status(org, "declined", "Closed down")
    with pytest.raises(InvalidValueError, match="exclusion reasons"):
        orgs.set_status(org, "excluded", "Did not like us")
    with pytest.raises(InvalidValueError, match="unknown status"):
        orgs.set_status(org, "asleep")
    orgs.set_status(org, "declined")
    assert (orgs.get(org).status, orgs.get(org).exclusion_reason) == ("declined", None)


def test_flags(small_study: Study):
    orgs = small_study.organisations
    org = orgs.add("Flags", category="Network")
    orgs.set_flag(org, "permission_to_list")
    orgs.set_flag(org, "invite")
    orgs.set_flag(org, "invite", False)
    assert orgs.get(org).flags == {"permission_to_list"}
    with pytest.raises(InvalidValueError, match="unknown flag"):
        orgs.set_flag(org, "favourite")
    assert orgs.ids(flags=["permission_to_list"]) == [org]
    assert orgs.ids(flags=["invite"]) == []


def test_update_and_referral_rules(small_study: Study):
    orgs = small_study.organisations
    a = orgs.add("A", category="Network")
    b = orgs.add("B")
    orgs.update(b, name="B renamed", category="Infrastructure", referred_by=a, notes="")
    o = orgs.get(b)
    assert (o.name, o.category, o.referred_by, o.notes) == ("B renamed", "Infrastructure", a, None)
    with pytest.raises(InvalidValueError, match="itself"):
        orgs.update(b, referred_by=b)
    with pytest.raises(InvalidValueError, match="no organisation with id"):
        orgs.update(b, referred_by=999)
    with pytest.raises(InvalidValueError, match="unknown organisation field"):
        orgs.update(b, colour="red")
    with pytest.raises(InvalidValueError, match="needs a name"):
        orgs.update(b, name=" ")
    orgs.delete(a)
    assert orgs.get(b).referred_by is None  # the referral goes, the organisation stays
    with pytest.raises(NotFoundError):
        orgs.get(a)


def test_ids_filter_and_sort(small_study: Study):
    orgs = small_study.organisations
    c = orgs.add("Charlie", category="Network", area="Coventry")
    a = orgs.add("alpha", category="Network", area="Birmingham")
    b = orgs.add("Bravo", category="Infrastructure")
    assert orgs.ids() == [a, b, c]  # by name, ignoring case
    assert orgs.ids(descending=True) == [c, b, a]
    assert orgs.ids(category="Network") == [a, c]
    assert orgs.ids(area="") == [b]
    assert orgs.ids(order_by="area") == [b, a, c]  # NULL first
    assert [o.name for o in orgs.many([c, a])] == ["Charlie", "alpha"]
    with pytest.raises(InvalidValueError):
        orgs.ids(order_by="id; DROP TABLE organisations")


def test_a_page_of_organisations_is_each_one_as_get_gives_it(small_study: Study):
    orgs = small_study.organisations
    a = orgs.add("Alpha", category="Network", flags=["follow_up", "invite", "permission_to_list"])
    b = orgs.add("Bravo", phone="024 7696 0001")
    c = orgs.add("Charlie", flags=["invite"])
    page = orgs.many([c, 10_000, a, b])  # in the order asked; an id that is gone is left out
    assert page == [orgs.get(c), orgs.get(a), orgs.get(b)]
    assert [o.flags for o in page] == [{"invite"}, {"follow_up", "invite", "permission_to_list"}, set()]
    assert all(isinstance(o.flags, frozenset) for o in page)


def test_contacts_edit_and_delete(small_study: Study):
    orgs = small_study.organisations
    org = orgs.add("People", category="Network")
    c = orgs.add_contact(org, "Ann Other", role="Chair")
    orgs.update_contact(c, phone="0121 496 0000", role="")
    contact = orgs.contact(c)
    assert (contact.name, contact.role, contact.phone) == ("Ann Other", None, "+441214960000")  # E.164
    orgs.delete_contact(c)
    assert orgs.contacts(org) == []
    with pytest.raises(InvalidValueError):
        orgs.add_contact(org, "X", shoe_size="9")


# --- attempts and call-backs --------------------------------------------------------------

def test_first_attempt_moves_to_contacting(small_study: Study):
    org = small_study.organisations.add("Reachable", category="Network")
    small_study.attempts.log(org, outcome="No answer", channel="phone", note="Rang twice")
    assert small_study.organisations.get(org).status == "contacting"
    [attempt] = small_study.attempts.for_organisation(org)
    assert (attempt.channel, attempt.outcome, attempt.note) == ("phone", "No answer", "Rang twice")
    with pytest.raises(InvalidValueError, match="outcomes"):
        small_study.attempts.log(org, outcome="Aliens")
    with pytest.raises(InvalidValueError, match="channel"):
        small_study.attempts.log(org, outcome="No answer", channel="pigeon")
    with pytest.raises(InvalidValueError, match="not a date"):
        small_study.attempts.log(org, outcome="No answer", callback_at="next Tuesday")


def test_callbacks_due_by_day(small_study: Study):
    orgs, attempts = small_study.organisations, small_study.attempts
    today = dt.date(2026, 11, 23)
    overdue = orgs.add("Overdue", category="Network")
    attempts.log(overdue, outcome="Call back requested", at="2026-11-18T10:00", callback_at="2026-11-20T14:00")
    due_today = orgs.add("Today", category="Network")
    attempts.log(due_today, outcome="Left a message", at="2026-11-22T10:00", callback_at="2026-11-23")
    later = orgs.add("Later", category="Network")
    attempts.log(later, outcome="Call back requested", at="2026-11-22T11:00", callback_at="2026-11-30T09:30")
    settled = orgs.add("Settled", category="Network")
    attempts.log(settled, outcome="Call back requested", at="2026-11-19T10:00", callback_at="2026-11-21T10:00")
    attempts.log(settled, outcome="Interview arranged", at="2026-11-21T10:05")  # later attempt settles it
    done = orgs.add("Done", category="Network")
    attempts.log(done, outcome="Call back requested", at="2026-11-19T10:00", callback_at="2026-11-22T10:00")
    small_study.interviews.start(done)  # interviewed: no call-back needed

    assert [c.organisation_name for c in attempts.callbacks()] == ["Overdue", "Today", "Later"]
    assert [c.organisation_name for c in attempts.callbacks(until=today)] == ["Overdue", "Today"]
    by_day = attempts.callbacks_by_day()
    assert list(by_day) == [dt.date(2026, 11, 20), today, dt.date(2026, 11, 30)]
    assert by_day[today][0].callback_at == "2026-11-23T09:00:00"  # a bare date means 9am


# --- interviews ---------------------------------------------------------------------------

def test_interview_saves_each_answer_and_sets_status(small_study: Study):
    org = small_study.organisations.add("Interviewed", category="Network")
    session = small_study.interviews.start(org, mode="face_to_face", interviewer="AK", date="2026-11-02")
    assert small_study.organisations.get(org).status == "contacting"  # in interview: it counts once finished
    session.save_answer("role", "Chair")
    session.save_answer("role", "Chair of trustees")  # overwrite, not a second answer
    session.save_answer("work", ["Youth", "Advice"])
    session.save_answer("board", True)
    session.save_answer("staff", 3)
    session.save_answer("founded", dt.date(1998, 5, 1))
    record = small_study.interviews.get(session.interview_id)
    assert record.answers == {"role": "Chair of trustees", "work": ["Advice", "Youth"], "board": True,
                              "staff": 3, "founded": "1998-05-01"}
    assert (record.mode, record.interviewer, record.date, record.completed) == (
        "face_to_face", "AK", "2026-11-02", None)
    session.save_answer("work", [])  # cleared
    assert "work" not in small_study.interviews.get(session.interview_id).answers
    with pytest.raises(InvalidValueError, match="not one of the choices"):
        session.save_answer("size", "Gigantic")
    with pytest.raises(InvalidValueError, match="below the minimum"):
        session.save_answer("staff", -1)
    with pytest.raises(InvalidValueError, match="not in this interview"):
        session.save_answer("zzz", "x")


def test_complete_ticks_full_interview_only_when_required_answered(small_study: Study):
    orgs = small_study.organisations
    partial = orgs.add("Partial", category="Network")
    s1 = small_study.interviews.start(partial)
    s1.save_answer("role", "Chair")
    assert [q.id for q in s1.missing_required()] == ["size", "sector_barriers"]
    assert s1.complete() is False
    assert "full_interview" not in orgs.get(partial).flags
    assert small_study.interviews.get(s1.interview_id).completed is not None

    full = orgs.add("Full", category="Network")
    s2 = small_study.interviews.start(full)
    for q, v in (("role", "Chair"), ("size", "Small"), ("sector_barriers", "Rent")):
        s2.save_answer(q, v)
    assert s2.complete() is True
    assert "full_interview" in orgs.get(full).flags
    orgs.set_flag(full, "full_interview", False)  # the researcher can untick it
    assert "full_interview" not in orgs.get(full).flags
    s3 = small_study.interviews.resume(s1.interview_id)
    assert s3.complete(full_interview=True) is True  # ... or tick it by hand
    assert "full_interview" in orgs.get(partial).flags


def test_yes_no_question_with_a_flag_ticks_it(small_study: Study):
    org = small_study.organisations.add("Listable", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("listing", True)
    assert "permission_to_list" in small_study.organisations.get(org).flags
    session.save_answer("listing", False)
    assert "permission_to_list" not in small_study.organisations.get(org).flags


def test_deleting_an_interview_removes_named_answers_only(small_study: Study):
    org = small_study.organisations.add("Deleted interview", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("role", "Chair")
    session.save_answer("sector_help", "More time")
    earlier = small_study.interviews.start(small_study.organisations.add("Earlier", category="Network"))
    earlier.save_answer("sector_help", "Pooled already")
    pool_now(small_study, earlier)
    small_study.interviews.delete(session.interview_id)
    assert small_study.scalar("SELECT count(*) FROM answers") == 0
    assert small_study.interviews.for_organisation(org) == []
    # Its held answer goes with it; what is already in the pool stays (nothing links it back).
    assert small_study.held.count() == 0
    assert [c.text for c in small_study.pool.comments()] == ["Pooled already"]
    assert small_study.search.organisation_ids("chair") == []


def test_failed_transaction_changes_nothing(small_study: Study):
    orgs = small_study.organisations
    with pytest.raises(InvalidValueError), small_study.transaction():
        orgs.add("Half", category="Network")
        orgs.add("Bad", category="Nope")
    assert orgs.count() == 0
    assert small_study.search.organisation_ids("half") == []


def test_pool_edit_tag_and_search(small_study: Study):
    org = small_study.organisations.add("Pool", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("sector_barriers", "Anna from Coventry said funders ignore us")
    pool_now(small_study, session)
    [comment] = small_study.pool.comments()
    assert comment.themes == ("barriers",) and comment.question_label == "What holds small groups back?"
    small_study.pool.edit(comment.id, "[name] said funders ignore us")
    small_study.pool.tag(comment.id, "help")
    [comment] = small_study.pool.comments()
    assert comment.text == "[name] said funders ignore us" and comment.themes == ("barriers", "help")
    assert small_study.pool.comments(search="anna") == []  # the redacted words are gone from search
    assert [c.id for c in small_study.pool.comments(search="funders")] == [comment.id]
    assert [c.id for c in small_study.pool.comments(theme="help")] == [comment.id]
    with pytest.raises(InvalidValueError, match="unknown theme"):
        small_study.pool.tag(comment.id, "gossip")
    with pytest.raises(InvalidValueError, match="cannot be empty"):
        small_study.pool.edit(comment.id, " ")
    small_study.pool.untag(comment.id, "help")
    small_study.pool.delete(comment.id)
    assert small_study.pool.count() == 0


def test_complete_can_record_when_it_happened(small_study: Study):
    org = small_study.organisations.add("Entered afterwards", category="Network")
    session = small_study.interviews.start(org, date="2026-10-02")
    session.complete(at=dt.datetime(2026, 10, 2, 14, 30, 15, 999))
    assert small_study.interviews.get(session.interview_id).completed == "2026-10-02T14:30:15"


def test_change_log_records_named_fields_and_never_the_pool(small_study: Study):
    orgs = small_study.organisations
    org = orgs.add("Logged", category="Network")
    contact = orgs.add_contact(org, "Ann Other", role="Chair")
    orgs.update(org, name="Logged Trust", category="Infrastructure", notes="new note")
    orgs.set_status(org, "excluded", "Closed down")
    orgs.set_flag(org, "follow_up")
    orgs.update_contact(contact, phone="0121 496 0000")
    orgs.delete_contact(contact)
    session = small_study.interviews.start(org)
    session.save_answer("sector_barriers", "anonymous words must never be logged")
    log = [(c.record, c.field, c.old, c.new) for c in orgs.changes(org)]
    assert ("organisation", "name", "Logged", "Logged Trust") in log
    assert ("organisation", "category", "Network", "Infrastructure") in log
    assert ("organisation", "notes", None, "new note") in log
    assert ("organisation", "status", "identified", "excluded") in log
    assert ("organisation", "exclusion_reason", None, "Closed down") in log
    assert ("organisation", "flag follow_up", "not ticked", "ticked") in log
    assert ("contact", "phone", None, "+441214960000") in log
    assert ("contact", "removed", "Ann Other", None) in log
    dump = repr(small_study.conn.execute("SELECT * FROM changes").fetchall())
    assert "anonymous words" not in dump
    orgs.delete(org)
    assert small_study.scalar("SELECT count(*) FROM changes") == 0  # goes with the organisation


def test_the_change_log_follows_status_moves_and_contacts_coming_and_going(small_study):
    """Statuses moved on by an attempt or an interview, and contacts added, removed and
    put back, are in the organisation's history like any edit."""
    from fieldkit import checks

    orgs = small_study.organisations
    org = orgs.add("Handsworth Forum", category="Network")
    contact = orgs.add_contact(org, "Amrit Kaur")
    small_study.attempts.log(org, outcome="No answer")
    small_study.attempts.log(org, outcome="No answer")  # already contacting: nothing more to say
    orgs.set_status(org, "excluded", exclusion_reason=small_study.template.vocabulary("exclusion_reasons")[0])
    small_study.interviews.start(org).finish("partial")
    gone = orgs.contact(contact)
    orgs.delete_contact(contact)
    orgs.restore_contact(gone)
    seen = [(c.record, c.field, c.old, c.new) for c in orgs.changes(org)]
    reason = small_study.template.vocabulary("exclusion_reasons")[0]
    assert seen == [
        ("contact", "added", None, "Amrit Kaur"),
        ("organisation", "status", "identified", "contacting"),
        ("organisation", "status", "contacting", "excluded"),
        ("organisation", "exclusion_reason", None, reason),
        ("organisation", "status", "excluded", "contacting"),
        ("organisation", "exclusion_reason", reason, None),
        ("organisation", "status", "contacting", "interviewed"),
        ("contact", "removed", "Amrit Kaur", None),
        ("contact", "restored", None, "Amrit Kaur"),
    ]
    assert checks.problems(small_study) == []
