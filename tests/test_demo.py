"""The demo study: built through the core API, deterministic, and realistic enough to show off."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from fieldkit import checks, summary
from fieldkit.demo import build_demo, demo_path
from fieldkit.errors import InvalidValueError, StudyFileError
from fieldkit.organisations import STATUSES
from fieldkit.study import Study, default_folder

TODAY = dt.date(2026, 3, 18)  # a Wednesday


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    study = build_demo(tmp_path_factory.mktemp("demo") / "Demo study", today=TODAY)
    yield study
    study.close()


def _fingerprint(study: Study) -> dict:
    return {
        "names": [r["name"] for r in study.query("SELECT name FROM organisations ORDER BY id")],
        "by_category": summary.by_group(study, "category").as_json(targets=True),
        "by_area": summary.by_group(study, "area").as_json(),
        "method": summary.method(study).as_json(),
        "pool": sorted((c.question_id, c.text) for c in study.pool.comments()),
    }


def test_builds_a_sound_study_in_place(demo: Study, tmp_path_factory):
    assert demo.path.name == "Demo study.fieldkit"
    assert demo.organisations.count() == 60
    assert demo.title == "Community infrastructure in the West Midlands"
    assert demo.client == "West Midlands Voluntary Sector Partnership"
    assert demo.author
    assert demo.template.name == "regional-mapping"
    assert checks.problems(demo) == []
    # Built under a temporary name and renamed: nothing else is left beside it.
    assert sorted(p.name for p in demo.path.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "Demo study.fieldkit"]


def test_refuses_to_overwrite(tmp_path: Path):
    target = tmp_path / "Demo study.fieldkit"
    target.write_bytes(b"someone's work")
    with pytest.raises(StudyFileError, match="already exists"):
        build_demo(target, organisations=5, today=TODAY)
    with pytest.raises(StudyFileError, match="already exists"):
        build_demo(tmp_path / "Demo study", organisations=5, today=TODAY)  # the suffix is added
    assert target.read_bytes() == b"someone's work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Demo study.fieldkit"]


def test_needs_at_least_one_organisation(tmp_path: Path):
    with pytest.raises(InvalidValueError):
        build_demo(tmp_path / "none", organisations=0)
    assert list(tmp_path.iterdir()) == []


def test_same_seed_same_study(demo: Study, tmp_path: Path):
    with build_demo(tmp_path / "again", today=TODAY) as again:
        assert _fingerprint(again) == _fingerprint(demo)
    # What happens does not depend on the day it is built; only when it happened does.
    with build_demo(tmp_path / "later", today=TODAY + dt.timedelta(days=100)) as later:
        assert _fingerprint(later) == _fingerprint(demo)
    with build_demo(tmp_path / "other", seed=7, today=TODAY) as other:
        assert _fingerprint(other)["names"] != _fingerprint(demo)["names"]


def test_every_category_area_status_and_reason_appears(demo: Study):
    template = demo.template
    rows = demo.query("SELECT category, area, status, exclusion_reason FROM organisations")
    assert {r["category"] for r in rows} >= set(template.categories)
    assert {r["area"] for r in rows} >= set(template.areas)
    assert {"Sandwell", "Walsall", "Dudley"} <= set(template.areas)
    assert {r["status"] for r in rows} == set(STATUSES)
    assert {r["exclusion_reason"] for r in rows if r["status"] == "excluded"} == set(template.exclusion_reasons)
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    assert counts["interviewed"] > len(rows) / 2  # mostly interviewed
    assert counts["unreachable"] > counts["declined"] >= 1


def test_scales_down_and_up(tmp_path: Path):
    with build_demo(tmp_path / "tiny", organisations=3, today=TODAY) as tiny:
        assert tiny.organisations.count() == 3
        assert checks.problems(tiny) == []
    with build_demo(tmp_path / "bigger", organisations=150, today=TODAY) as bigger:
        names = [r["name"] for r in bigger.query("SELECT name FROM organisations")]
        assert len(names) == len(set(names)) == 150
        assert checks.problems(bigger) == []


def test_open_call_backs_overdue_today_and_upcoming(demo: Study):
    callbacks = demo.attempts.callbacks()
    days = {cb.day for cb in callbacks}
    assert any(d < TODAY for d in days)
    assert TODAY in days
    assert any(d > TODAY for d in days)
    statuses = {demo.organisations.get(cb.organisation_id).status for cb in callbacks}
    assert statuses == {"contacting"}
    assert TODAY in demo.attempts.callbacks_by_day(until=TODAY)


def test_attempts_and_interviews_happen_before_today(demo: Study):
    attempts = demo.query("SELECT organisation_id, at, channel, outcome, note FROM attempts")
    assert len(attempts) > 2 * demo.organisations.count()
    assert max(a["at"] for a in attempts) < TODAY.isoformat()
    assert min(a["at"] for a in attempts) >= (TODAY - dt.timedelta(weeks=6)).isoformat()
    assert set(demo.template.outcomes) - {a["outcome"] for a in attempts} <= {"Line busy", "Post vacant"}
    assert {a["channel"] for a in attempts} >= {"phone", "email", "visit"}
    assert sum(a["note"] is not None for a in attempts) > len(attempts) / 2
    dates = [r["date"] for r in demo.query("SELECT date FROM interviews")]
    assert max(dates) < TODAY.isoformat() and len(set(dates)) > 10
    # Several attempts per organisation that was reached or given up on.
    per_org = demo.query("SELECT organisation_id, count(*) AS n FROM attempts GROUP BY organisation_id")
    assert sum(r["n"] >= 2 for r in per_org) > len(per_org) / 2


def test_pool_holds_only_answers_to_anonymous_questions(demo: Study):
    comments = demo.pool.comments()
    assert len(comments) > 50
    anonymous = {q.id for q in demo.template.questions() if q.anonymous}
    assert {c.question_id for c in comments} == anonymous
    for c in comments:
        assert demo.template.question(c.question_id).anonymous
        assert c.themes
    # Pooled words never name an organisation of the study.
    names = [r["name"] for r in demo.query("SELECT name FROM organisations")]
    assert not any(name in c.text for c in comments for name in names)
    # Varied enough to read like real comments.
    texts = [c.text for c in comments if demo.template.question(c.question_id).type == "long_text"]
    assert len(set(texts)) > 0.9 * len(texts)
    assert len(set(texts)) >= 40


def test_interviews_have_named_answers_of_every_type(demo: Study):
    template = demo.template
    named = {q.id for q in template.questions() if not q.anonymous}
    answered: set[str] = set()
    interviewed = demo.organisations.ids(status="interviewed")
    for org_id in interviewed:
        interviews = demo.interviews.for_organisation(org_id)
        assert interviews and interviews[0].answers
        for interview in interviews:
            assert set(interview.answers) <= named
            assert interview.interviewer and interview.contact_id is not None
            answered |= set(interview.answers)
    assert answered == named
    types = {template.question(q).type for q in answered} | {
        template.question(c.question_id).type for c in demo.pool.comments()}
    assert types == {q.type for q in template.questions()}
    modes = {r["mode"] for r in demo.query("SELECT mode FROM interviews")}
    assert modes == {"phone", "face_to_face"}


def test_flags_referrals_and_notes(demo: Study):
    interviewed = demo.organisations.ids(status="interviewed")
    for flag in ("full_interview", "follow_up", "permission_to_list", "invite_to_event"):
        ticked = demo.organisations.ids(status="interviewed", flags=[flag])
        assert 0 < len(ticked) < len(interviewed), flag
    assert demo.organisations.ids(status="unreachable", flags=["permission_to_list"])
    referred = demo.query("SELECT id, referred_by FROM organisations WHERE referred_by IS NOT NULL")
    assert 2 <= len(referred) <= 10
    assert sum(r["notes"] is not None for r in demo.query("SELECT notes FROM organisations")) > 15


def test_contacts_are_made_up_and_from_many_communities(demo: Study):
    contacts = demo.query("SELECT name, phone, email FROM contacts")
    orgs = demo.query("SELECT phone, email, website FROM organisations")
    # Stored in E.164 where they read as valid numbers, else as written (01632 960 and 07700 900 do not).
    drama = re.compile(r"^(0121 496 0\d{3}|01632 960\d{3}|0306 999 0\d{3}|07700 900\d{3}"
                       r"|\+441214960\d{3}|\+441632960\d{3}|\+443069990\d{3}|\+447700900\d{3})$")
    for phone in [c["phone"] for c in contacts] + [o["phone"] for o in orgs]:
        assert phone is None or drama.match(phone), phone
    for email in [c["email"] for c in contacts] + [o["email"] for o in orgs]:
        assert email is None or re.match(r"^[a-z0-9.]+@example\.org$", email), email
    for site in [o["website"] for o in orgs if o["website"]]:
        assert site.endswith(".example.org")
    names = " ".join(c["name"] for c in contacts)
    assert "Małgorzata Wiśniewska" in names and "陈美玲" in names and "عائشہ خان" in names
    scripts = {
        "Bengali": r"[\u0980-\u09FF]", "Gurmukhi": r"[\u0A00-\u0A7F]", "Arabic": r"[\u0600-\u06FF]",
        "Han": r"[\u4E00-\u9FFF]", "Polish": r"[łńśźżąę]", "Turkish": r"[şğı]",
    }
    for script, pattern in scripts.items():
        assert re.search(pattern, names), script


@pytest.mark.parametrize("query, organisation", [
    ("陈美玲", "Birmingham Chinese Community Association"),
    ("美玲", "Birmingham Chinese Community Association"),
    ("Wiśniewska", "Coventry Polish Community Centre"),
    ("malgorzata wisniewska", "Coventry Polish Community Centre"),
    ("عائشہ", "Alum Rock Pakistani Women's Group"),
])
def test_search_finds_contacts_in_their_own_script(demo: Study, query: str, organisation: str):
    found = demo.organisations.ids(search=query)
    assert organisation in [o.name for o in demo.organisations.many(found)]


def test_demo_path_is_in_the_default_folder():
    path = demo_path()
    assert path.name == "Demo study.fieldkit"
    assert path.parent == default_folder()
