"""Names of the study's organisations and contacts found in pooled comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.demo import build_demo
from fieldkit.reports.names import (NameHit, NameMatcher, contact_variants, find_names_in_pool, fold,
                                    names_not_checked, organisation_variants, tokens)
from fieldkit.study import Study
from studies import small_template

#: Each pooled comment and the names it must be flagged with ([] for none).
COMMENTS = {
    "Grzegorz WÓJCIK from the club said the rent is the problem.": ["Grzegorz Wójcik"],
    "Ask wojcik, he knows.": ["Wójcik"],                                   # no accents typed
    "Pan Wójcikowie i inni nie mają czasu.": [],                            # a longer word, not the name
    "The coventry refugee forum helped us a lot.": ["Coventry Refugee Forum"],
    "Ask the CRF about it.": ["CRF"],
    "Małgorzata Wiśniewska mówi, że brakuje pieniędzy.": ["Małgorzata Wiśniewska"],
    "陈美玲说资金不够。": ["陈美玲"],                                          # no spaces: a substring match
    "我们和华人社区中心一起工作。": ["华人社区中心"],
    "美玲很忙。": [],                                                        # part of a Chinese name only
    "Taking action on rent, with a grant from the ward councillor.": [],   # everyday words
    "Mary Ward chairs the forum.": ["Mary Ward"],
    "Kwame Mensah said funding is short.": ["Kwame Mensah"],               # "Dr" left off
    "The Mensahs run a lunch club.": [],
    "میں نے عائشہ خان سے بات کی۔": ["عائشہ خان"],                          # Urdu, right to left
    "یہ خانہ خالی ہے۔": [],                                                 # a longer word
    "ਹਰਪ੍ਰੀਤ ਕੌਰ ਨੇ ਕਿਹਾ": ["ਹਰਪ੍ਰੀਤ ਕੌਰ"],                                  # Gurmukhi with vowel signs
    "AYŞE YILMAZ and Yilmaz's team.": ["Ayşe Yılmaz", "Yılmaz"],          # an excluded organisation's contact
    "Our lodz polish club is closing.": ["Łódź Polish Club"],             # "The" left off
    "Nobody mentioned here at all.": [],
}


@pytest.fixture
def study(tmp_path: Path):
    s = Study.create(tmp_path / "names.fieldkit", small_template())
    orgs = s.organisations
    orgs.add("Coventry Refugee Forum (CRF)", category="Network",
             contacts=[{"name": "Grzegorz Wójcik"}, {"name": "Małgorzata Wiśniewska"}])
    orgs.add("The Łódź Polish Club", contacts=[{"name": "Dr Kwame Mensah"}, {"name": "Mary Ward"}])
    orgs.add("华人社区中心", contacts=[{"name": "陈美玲"}])
    orgs.add("Action", contacts=[{"name": "عائشہ خان"}, {"name": "ਹਰਪ੍ਰੀਤ ਕੌਰ"}])
    orgs.add("Closed Group", status="excluded", contacts=[{"name": "Ayşe Yılmaz"}])
    teller = orgs.add("Teller", category="Network")
    for text in COMMENTS:
        session = s.interviews.start(teller)
        session.save_answer("sector_barriers", text)
        session.save_answer("sector_engaged", "High")  # a choice, never checked
        session.close()
    yield s
    s.close()


def test_flagged_comments_carry_the_names_found(study: Study):
    hits = find_names_in_pool(study)
    found = {h.text: h.names for h in hits}
    assert found == {text: names for text, names in COMMENTS.items() if names}
    pooled = {c.text: c.id for c in study.pool.comments()}
    for hit in hits:
        assert isinstance(hit, NameHit)
        assert hit.comment_id == pooled[hit.text]
        assert hit.question_label == "What holds small groups back?"


def test_a_redacted_comment_is_no_longer_flagged(study: Study):
    hit = next(h for h in find_names_in_pool(study) if h.names == ["Mary Ward"])
    study.pool.edit(hit.comment_id, "[name removed] chairs the forum.")
    assert all(h.comment_id != hit.comment_id for h in find_names_in_pool(study))


def test_what_is_not_looked_for(study: Study):
    skipped = names_not_checked(study)
    assert "Action" in skipped          # an everyday word as a whole organisation name
    assert "Ward" in skipped            # an everyday word as a surname (the full name is still checked)
    assert "Mary Ward" not in skipped and "Wójcik" not in skipped


def test_name_forms():
    assert organisation_variants("The Coventry Refugee Forum (CRF) Ltd") == [
        "The Coventry Refugee Forum (CRF) Ltd", "CRF", "The Coventry Refugee Forum", "Coventry Refugee Forum"]
    assert contact_variants("Dr Łukasz Maria Szymański") == [
        "Dr Łukasz Maria Szymański", "Łukasz Maria Szymański", "Łukasz Szymański", "Szymański"]
    assert contact_variants("陈美玲") == ["陈美玲"]


def test_folding_and_words():
    assert fold("WÓJCIK") == fold("Wojcik") == "wojcik"
    assert fold("Łódź") == "lodz"
    assert fold("İSTANBUL") == fold("istanbul") and fold("Yılmaz") == "yilmaz"
    assert fold("ﻋﺎﺋﺸﮧ") != "" and fold("مُحَمَّد") == fold("محمد")       # Arabic vowel marks dropped
    assert tokens(fold("O’Connor")) == tokens(fold("O'Connor")) == ["o", "connor"]
    assert tokens("李伟说") == ["李", "伟", "说"]
    assert tokens("ਹਰਪ੍ਰੀਤ ਕੌਰ") == ["ਹਰਪ੍ਰੀਤ", "ਕੌਰ"]                      # vowel signs stay in the word


def test_short_names_are_not_looked_for():
    matcher = NameMatcher(["Jo", "Li", "李", "李伟", "Ann"])
    assert matcher.not_checked == ["Jo", "Li", "李"]
    assert matcher.find("Li and Jo met 李伟 and Ann") == ["李伟", "Ann"]


def test_a_longer_match_is_listed_once():
    matcher = NameMatcher(contact_variants("Anna Kowalska"))
    assert matcher.find("Anna Kowalska and later Kowalska again") == ["Anna Kowalska", "Kowalska"]
    assert matcher.find("Anna Kowalska spoke") == ["Anna Kowalska"]


def test_demo_comments_with_a_contact_named(tmp_path: Path):
    study = build_demo(tmp_path / "demo.fieldkit", organisations=60)
    try:
        before = {h.comment_id for h in find_names_in_pool(study)}
        name = next(r["name"] for r in study.query("SELECT name FROM contacts ORDER BY id")
                    if " " in r["name"] and r["name"].isascii())
        comment = next(c for c in study.pool.comments() if c.id not in before and c.question_id == "d1")
        study.pool.edit(comment.id, f"{comment.text} As {name.upper()} told me.")
        hit = next(h for h in find_names_in_pool(study) if h.comment_id == comment.id)
        assert name in hit.names
    finally:
        study.close()
