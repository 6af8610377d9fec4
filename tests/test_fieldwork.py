"""Fieldwork by the book: what "interviewed" means, interview results, dispositions and the
migration that converts studies recorded before."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from fieldkit import dispositions, fieldwork, summary
from fieldkit.errors import InvalidValueError
from fieldkit.study import Study
from tests.studies import small_template


def _answer_all_required(session) -> None:
    session.save_answer("role", "Director")
    session.save_answer("size", "Small")
    session.save_answer("sector_barriers", "Funding")


def test_starting_an_interview_is_in_interview_not_interviewed(small_study: Study):
    org = small_study.organisations.add("Under way", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("role", "Chair")
    assert small_study.organisations.get(org).status == "contacting"
    d = dispositions.of_organisation(small_study, org)
    assert d.in_interview and not d.final and d.code == "2.12"
    m = summary.method(small_study)
    assert m.interviewed == 0 and m.in_interview == 1
    assert small_study.organisations.status_counts().interviewed == 0
    assert summary.by_group(small_study).total.interviewed == 0
    # Leaving it unfinished never counts it, not even in the answer tables.
    session.close()
    assert summary.crosstab(small_study, "size").total.respondents == 0


def test_finishing_with_every_required_answer_is_complete(small_study: Study):
    org = small_study.organisations.add("Complete", category="Network")
    session = small_study.interviews.start(org)
    _answer_all_required(session)
    assert session.proposed_result() == "complete"
    assert session.finish() == "complete"
    assert small_study.organisations.get(org).status == "interviewed"
    assert "full_interview" in small_study.organisations.get(org).flags
    assert small_study.interviews.get(session.interview_id).result == "complete"
    assert dispositions.of_organisation(small_study, org).code == "1.1"


def test_finishing_with_required_answers_missing_is_partial_and_the_tick_overrides(small_study: Study):
    org = small_study.organisations.add("Partial", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("role", "Director")
    assert session.required_progress() == (1, 3)
    assert session.finish() == "partial"
    assert small_study.organisations.get(org).status == "interviewed"
    assert "full_interview" not in small_study.organisations.get(org).flags
    assert dispositions.of_organisation(small_study, org).code == "1.2"
    # The researcher knows better: ticking "full interview" makes it complete, unticking partial.
    small_study.organisations.set_flag(org, "full_interview", True)
    assert small_study.interviews.get(session.interview_id).result == "complete"
    assert dispositions.of_organisation(small_study, org).code == "1.1"
    small_study.organisations.set_flag(org, "full_interview", False)
    assert dispositions.of_organisation(small_study, org).code == "1.2"
    m = summary.method(small_study)
    assert (m.interviewed, m.paradata.complete, m.paradata.partial) == (1, 0, 1)


def test_complete_with_an_override_records_the_result_the_researcher_gave(small_study: Study):
    org = small_study.organisations.add("Override", category="Network")
    session = small_study.interviews.start(org)
    assert session.complete(full_interview=True) is True
    assert small_study.interviews.get(session.interview_id).result == "complete"


def test_break_off_is_declined_never_interviewed_and_can_be_taken_up_again(small_study: Study):
    org = small_study.organisations.add("Stopped", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("role", "Volunteer")
    session.break_off()
    assert small_study.organisations.get(org).status == "declined"
    d = dispositions.of_organisation(small_study, org)
    assert (d.code, d.final) == ("2.12", True)
    m = summary.method(small_study)
    assert m.interviewed == 0 and m.paradata.break_offs == 1 and m.dispositions == {"2.12": 1}
    again = small_study.interviews.resume(session.interview_id)
    again.reopen()
    assert small_study.organisations.get(org).status == "contacting"
    assert dispositions.of_organisation(small_study, org).in_interview


def test_the_partial_rule_is_the_study_setting(small_study: Study):
    fieldwork.set_settings(small_study, complete_share=0.6, partial_share=0.5)
    org = small_study.organisations.add("Two of three", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("role", "Director")
    session.save_answer("size", "Large")
    assert session.proposed_result() == "complete"  # 2/3 ≥ 60%
    fieldwork.set_settings(small_study, complete_share=1.0, partial_share=0.8)
    assert session.proposed_result() == "break_off"  # 2/3 < 80%: too little for a partial
    assert session.finish() == "break_off"
    assert small_study.organisations.get(org).status == "declined"


@pytest.mark.parametrize("changes, message", [
    ({"complete_share": 1.5}, "between 0 and 1"),
    ({"complete_share": 0.5, "partial_share": 0.7}, "cannot be above"),
    ({"max_attempts": 0}, "from 1 to 99"),
    ({"eligibility_rate": -0.1}, "between 0 and 1"),
    ({"colour": "red"}, "unknown fieldwork setting"),
])
def test_bad_settings_are_refused_and_change_nothing(small_study: Study, changes, message):
    before = fieldwork.settings(small_study)
    with pytest.raises(InvalidValueError, match=message):
        fieldwork.set_settings(small_study, **changes)
    assert fieldwork.settings(small_study) == before


def test_paradata_time_sittings_and_attempts_before(small_study: Study):
    org = small_study.organisations.add("Timed", category="Network")
    small_study.attempts.log(org, outcome="No answer", at="2026-11-02T09:00")
    small_study.attempts.log(org, outcome="Call back requested", at="2026-11-02T11:00")
    began = dt.datetime(2026, 11, 3, 10, 0)
    session = small_study.interviews.start(org, started=began)
    _answer_all_required(session)
    session.finish(at=began + dt.timedelta(minutes=40))
    record = small_study.interviews.get(session.interview_id)
    assert (record.started, record.sittings, record.seconds) == ("2026-11-03T10:00:00", 1, 2400)
    p = dispositions.paradata(small_study)
    assert p.median_minutes == 40 and p.median_sittings == 1 and p.median_attempts == 2
    [row] = small_study.interviews.listing()
    assert (row.result, row.started, row.seconds, row.sittings, row.attempts_before) == (
        "complete", "2026-11-03T10:00:00", 2400, 1, 2)
    # A second sitting adds to the count only when something is done in it.
    small_study.interviews.resume(session.interview_id).close()
    assert small_study.interviews.get(session.interview_id).sittings == 1
    again = small_study.interviews.resume(session.interview_id)
    again.save_answer("story", "Founded by parents")
    again.close()
    assert small_study.interviews.get(session.interview_id).sittings == 2


def test_dispositions_follow_status_and_the_most_informative_attempt(small_study: Study):
    orgs, attempts = small_study.organisations, small_study.attempts
    fresh = orgs.add("Not tried")
    busy = orgs.add("Busy")
    attempts.log(busy, outcome="No answer", at="2026-11-02T09:00")
    confirmed = orgs.add("Confirmed then silent")
    attempts.log(confirmed, outcome="Call back requested", at="2026-11-02T09:00")
    attempts.log(confirmed, outcome="No answer", at="2026-11-03T09:00")
    gone = orgs.add("Out", status="excluded", exclusion_reason="Outside the region")
    never = orgs.add("Never reached")
    attempts.log(never, outcome="Left a message", at="2026-11-02T09:00")
    orgs.set_status(never, "unreachable")
    refused = orgs.add("No thanks")
    orgs.set_status(refused, "declined")
    older = orgs.add("Older fieldwork", status="interviewed")
    found = dispositions.of_organisations(small_study)
    assert (found[fresh].code, found[fresh].final) == ("3.11", False)
    assert (found[busy].code, found[busy].final) == ("3.13", False)
    # A call-back request confirmed the organisation: it outweighs the later no answer.
    assert found[confirmed].code == "2.21" and "confirmed" in found[confirmed].reason
    assert (found[gone].code, found[gone].final) == ("4.10", True)
    assert (found[never].code, found[never].final) == ("3.14", True)
    assert (found[refused].code, found[refused].final) == ("2.11", True)
    assert (found[older].code, found[older].final) == ("1.1", True)
    m = summary.method(small_study)
    assert m.dispositions == {"1.1": 1, "2.11": 1, "2.21": 1, "3.11": 1, "3.13": 1, "3.14": 1, "4.10": 1}
    assert m.paradata.interviewed_without_interview == 1
    # I=1 P=0 R=1 NC=1 O=0 UH=3 (3.11 3.13 3.14) UO=0 NE=1; e = 3/4.
    assert m.rates["e"] == pytest.approx(0.75)
    assert m.rates["RR1"] == pytest.approx(1 / 6)
    assert m.rates["RR3"] == pytest.approx(1 / (3 + 0.75 * 3))
    assert m.rates["COOP1"] == pytest.approx(1 / 2)
    fieldwork.set_settings(small_study, eligibility_rate=0.5)
    assert summary.method(small_study).rates["RR3"] == pytest.approx(1 / (3 + 0.5 * 3))


def test_method_json_has_dispositions_and_unrounded_rates(small_study: Study):
    org = small_study.organisations.add("One", category="Network")
    session = small_study.interviews.start(org)
    _answer_all_required(session)
    session.finish()
    small_study.organisations.add("Two", category="Network")
    small_study.organisations.add("Three", category="Network")
    data = summary.method(small_study).as_json()
    assert data["dispositions"] == {"1.1": 1, "3.11": 2}
    assert data["rates"]["RR1"] == 1 / 3 and data["rates"]["e"] == 1.0


def _format_4_study(path: Path, monkeypatch) -> None:
    """A study at format 4, with what fieldkit then recorded: "interviewed" from the start."""
    from fieldkit.storage import connection, schema

    monkeypatch.setattr(connection, "MIGRATIONS", schema.MIGRATIONS[:4])
    monkeypatch.setattr(connection, "SCHEMA_VERSION", 4)
    Study.create(path, small_template(), title="Old study").close()
    monkeypatch.undo()
    conn = sqlite3.connect(path)
    with conn:
        at = "2026-10-01T10:00:00"
        for i, (name, status) in enumerate([("Finished full", "interviewed"), ("Finished short", "interviewed"),
                                            ("Begun only", "interviewed"), ("Imported", "interviewed"),
                                            ("Calling", "contacting")], start=1):
            conn.execute("INSERT INTO organisations(id, name, status, created, updated) VALUES (?, ?, ?, ?, ?)",
                         (i, name, status, at, at))
        for org, completed in ((1, at), (2, at), (3, None)):
            conn.execute("INSERT INTO interviews(organisation_id, template_version, date, mode, completed) "
                         "VALUES (?, 1, '2026-10-01', 'phone', ?)", (org, completed))
        conn.execute("INSERT INTO flags VALUES (1, 'full_interview')")
    conn.close()


def test_migration_keeps_every_correct_figure_and_uncounts_unfinished_interviews(tmp_path: Path, monkeypatch):
    path = tmp_path / "old.fieldkit"
    _format_4_study(path, monkeypatch)
    with Study.open(path) as study:
        statuses = {o.name: o.status for o in study.organisations.many(study.organisations.ids())}
        assert statuses == {"Finished full": "interviewed", "Finished short": "interviewed",
                            "Begun only": "contacting", "Imported": "interviewed", "Calling": "contacting"}
        results = [i.result for i in study.interviews.listing()]
        assert sorted(results, key=lambda r: r or "~") == ["complete", "partial", None]
        m = summary.method(study)
        assert m.interviewed == 3 and m.full_interviews == 1 and m.in_interview == 1
        assert m.paradata.interviewed_without_interview == 1
        assert m.dispositions["1.1"] == 2 and m.dispositions["1.2"] == 1
        begun = study.organisations.find_by_name("Begun only")[0]
        assert [(c.field, c.old, c.new) for c in study.organisations.changes(begun)] == [
            ("status", "interviewed", "contacting")]
