"""The list of interviews: one query, names from the organisations, never pool content."""

from __future__ import annotations

from fieldkit.study import Study


def test_listing_names_filters_and_orders(small_study: Study):
    orgs, interviews = small_study.organisations, small_study.interviews
    lodz = orgs.add("Stowarzyszenie Łódź", category="Network")
    lahore = orgs.add("لاہور ویلفیئر", category="Network")
    beijing = orgs.add("北京社区网络", category="Network")
    s1 = interviews.start(lodz, mode="face_to_face", interviewer="AK", date="2026-11-02")
    s1.save_answer("sector_barriers", "Brak lokalu i pieniędzy")
    s1.complete()
    s2 = interviews.start(lahore, interviewer="Zoya", date="2026-11-05")
    s3 = interviews.start(beijing, date="2026-11-05")

    rows = interviews.listing()
    assert [r.id for r in rows] == [s3.interview_id, s2.interview_id, s1.interview_id]  # newest first
    first = rows[-1]
    assert (first.organisation_id, first.organisation, first.date, first.mode, first.interviewer) == (
        lodz, "Stowarzyszenie Łódź", "2026-11-02", "face_to_face", "AK")
    assert first.completed is not None and rows[0].completed is None
    assert [r.id for r in interviews.listing(completed=True)] == [s1.interview_id]
    assert [r.id for r in interviews.listing(completed=False)] == [s3.interview_id, s2.interview_id]
    assert [r.id for r in interviews.listing(name="łÓDŹ")] == [s1.interview_id]  # any case, any script
    assert [r.id for r in interviews.listing(name="ویلفیئر")] == [s2.interview_id]
    assert [r.id for r in interviews.listing(name="社区", completed=True)] == []
    assert "Brak lokalu" not in repr(rows)  # nothing from the pool rides along
