"""Full-text search finds words in every script users write, Chinese included."""

from __future__ import annotations

import pytest

from fieldkit.search import normalise, terms
from fieldkit.study import Study


@pytest.fixture
def searchable(small_study: Study) -> dict[str, int]:
    orgs = small_study.organisations
    ids = {
        "polish": orgs.add("Polskie Stowarzyszenie w Łodzi", area="Birmingham",
                           contacts=[{"name": "Małgorzata Wiśniewska", "role": "Prezes"}]),
        "urdu": orgs.add("Alum Rock Women's Group", notes="Meets at the mosque",
                         contacts=[{"name": "عائشہ خان", "role": "رابطہ کار"}]),
        "chinese": orgs.add("伯明翰华人社区协会", contacts=[{"name": "陈美玲"}]),
        "turkish": orgs.add("Türk Toplum Merkezi", contacts=[{"name": "Ayşe Yılmaz"}]),
        "bengali": orgs.add("বাংলাদেশ কল্যাণ সমিতি", contacts=[{"name": "রহিম উদ্দিন"}]),
        "plain": orgs.add("Coventry Youth Network", category="Network", phone="024 7696 0123"),
    }
    session = small_study.interviews.start(ids["plain"])
    session.save_answer("story", "We run a homework club for refugee children")
    session.save_answer("sector_help", "A shared minibus would help everyone")  # anonymous
    session.complete()
    small_study.held.move_now()
    return ids


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Łodzi", "polish"),
        ("lodzi", "polish"),          # without the Polish letter
        ("WIŚNIEWSKA", "polish"),     # case and accents
        ("wisniewska", "polish"),
        ("خان", "urdu"),              # Urdu word (three letters)
        ("عائشہ", "urdu"),
        ("华人", "chinese"),           # two Chinese characters: shorter than a trigram
        ("伯明翰", "chinese"),
        ("美", "chinese"),             # a single character
        ("陈美玲", "chinese"),
        ("yılmaz", "turkish"),
        ("yilmaz", "turkish"),
        ("কল্যাণ", "bengali"),
        ("homework", "plain"),        # a named answer
        ("refugee children", "plain"),  # two words, both must match
        ("7696", "plain"),
        ("mosque", "urdu"),
    ],
)
def test_finds_words_in_every_script(small_study: Study, searchable: dict[str, int], query: str, expected: str):
    assert small_study.search.organisation_ids(query) == [searchable[expected]]


def test_all_terms_must_match(small_study: Study, searchable: dict[str, int]):
    assert small_study.search.organisation_ids("coventry homework") == [searchable["plain"]]
    assert small_study.search.organisation_ids("coventry łodzi") == []
    assert small_study.search.organisation_ids('"youth network"') == [searchable["plain"]]
    assert small_study.search.organisation_ids('"network youth"') == []


def test_anonymous_answers_are_not_in_the_named_search(small_study: Study, searchable: dict[str, int]):
    assert small_study.search.organisation_ids("minibus") == []
    interview = small_study.interviews.start(searchable["plain"])
    interview.save_answer("sector_help", "Held: a lending library of laptops")
    assert small_study.search.organisation_ids("laptops") == []  # held answers are not indexed either
    assert [c.text for c in small_study.pool.comments(search="minibus")] == ["A shared minibus would help everyone"]


def test_index_follows_edits(small_study: Study, searchable: dict[str, int]):
    orgs = small_study.organisations
    orgs.update(searchable["plain"], name="Coventry Young People's Forum")
    assert small_study.search.organisation_ids("youth network") == []
    assert small_study.search.organisation_ids("forum") == [searchable["plain"]]
    [contact] = orgs.contacts(searchable["turkish"])
    orgs.update_contact(contact.id, name="Mehmet Demir")
    assert small_study.search.organisation_ids("yilmaz") == []
    assert small_study.search.organisation_ids("demir") == [searchable["turkish"]]


def test_rebuild_gives_the_same_results(small_study: Study, searchable: dict[str, int]):
    before = {q: small_study.search.organisation_ids(q) for q in ("华人", "lodzi", "homework", "খান")}
    small_study.search.rebuild()
    assert {q: small_study.search.organisation_ids(q) for q in before} == before


def test_filters_combine_with_search(small_study: Study, searchable: dict[str, int]):
    assert small_study.organisations.ids(search="coventry", category="Network") == [searchable["plain"]]
    assert small_study.organisations.ids(search="coventry", category="Infrastructure") == []


def test_like_wildcards_are_literal(small_study: Study, searchable: dict[str, int]):
    assert small_study.search.organisation_ids("%") == []
    assert small_study.search.organisation_ids("_") == []


def test_normalise_keeps_indic_and_arabic_marks():
    assert normalise("কল্যাণ") == "কল্যাণ"  # the vowel signs stay
    assert normalise("Łódź") == "lodz"
    assert normalise("STRASSE") == normalise("Straße")
    assert terms('  "Youth  Network"  Łódź ') == ["youth network", "lodz"]
