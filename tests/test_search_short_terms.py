"""Search terms shorter than three characters: in Latin letters they match the start of a word
of the organisation's name (what someone has typed so far), through the name's index; in other
scripts they are found anywhere, as Chinese has no spaces to start words at."""

from __future__ import annotations

import pytest

from fieldkit.study import Study


@pytest.fixture
def study(small_study: Study) -> Study:
    orgs = small_study.organisations
    orgs.add("Coventry Polish Club", category="Network", notes="meets on Tuesdays")
    orgs.add("Polish Saturday School", category="Network")
    orgs.add("Happy Days Playgroup", category="Network", notes="ask for Pat")  # p inside words, P later
    orgs.add("Upton Youth Forum", category="Network", notes="p p p")
    orgs.add("华人 Elders", category="Network", notes="社区")
    orgs.add("50% Club (100_members)", category="Network")
    return small_study


def names(study: Study, query: str) -> list[str]:
    return sorted(o.name for o in study.organisations.many(study.organisations.ids(search=query)))


def test_a_letter_or_two_match_the_start_of_a_word_of_the_name(study):
    assert names(study, "p") == ["Coventry Polish Club", "Happy Days Playgroup", "Polish Saturday School"]
    assert names(study, "PO") == ["Coventry Polish Club", "Polish Saturday School"]
    assert names(study, "po cl") == ["Coventry Polish Club"]  # every term, each a word's start
    assert names(study, "up") == ["Upton Youth Forum"]  # not "Playgroup", where "up" ends a word


def test_short_terms_narrow_what_longer_ones_found(study):
    assert names(study, "polish s") == ["Polish Saturday School"]
    assert names(study, "tuesdays c") == ["Coventry Polish Club"]  # the long term anywhere in the record
    assert names(study, "tuesdays s") == []


def test_a_short_term_in_another_script_is_found_anywhere(study):
    assert names(study, "华") == ["华人 Elders"]
    assert names(study, "社区") == ["华人 Elders"]  # in the notes, not the name


def test_like_wildcards_in_a_short_term_are_plain_characters(study):
    assert names(study, "%") == []  # no word starts with "%": "50%" has it after the digits
    assert names(study, "_") == []
    assert names(study, "(1") == ["50% Club (100_members)"]
    assert names(study, "50") == ["50% Club (100_members)"]


def test_the_list_and_the_search_agree(study):
    for query in ("p", "po cl", "polish s", "华", "tuesdays c"):
        ids = study.organisations.ids(search=query)
        assert sorted(ids) == study.search.organisation_ids(query)
        assert study.organisations.ids_with_counts(search=query)[0] == ids
