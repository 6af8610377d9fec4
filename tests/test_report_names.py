"""Names of the study's organisations and contacts found in pooled comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.demo import build_demo
from fieldkit.reports.names import (NameHit, NameMatcher, contact_variants, find_names_in_pool, fold,
                                    names_not_checked, organisation_variants, tokens)
from fieldkit.study import Study
from studies import pool_now, small_template

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
        session.complete()
    s.held.move_now()
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


# --- names of an erased organisation ---------------------------------------------------------

#: Pooled comments about an organisation about to be erased, and the names each is flagged
#: with before the erasure (from the study's records) and after it (as written in the comment).
ERASED = {
    "Erase Me Trust runs the only hall in town.": (["Erase Me Trust"], ["Erase Me Trust"]),
    "Ask PAT ERASABLE, she knows the rent rules.": (["Pat Erasable"], ["PAT ERASABLE"]),
    "erasable said the rent went up.": (["Erasable"], ["erasable"]),
    "Kept Forum and the erase me trust share a hall.": (["Kept Forum", "Erase Me Trust"],
                                                        ["Kept Forum", "erase me trust"]),
    "Ask wojcik at the Kept Forum.": (["Wójcik", "Kept Forum"], ["Wójcik", "Kept Forum"]),
    "Nobody is named here.": ([], []),
}


def pool_answers(study: Study, org_id: int, texts) -> None:
    """Each text as one finished interview's anonymous answer, moved into the pool."""
    sessions = [study.interviews.start(org_id) for _ in texts]
    for session, text in zip(sessions, texts, strict=True):
        session.save_answer("sector_barriers", text)
    pool_now(study, *sessions)


@pytest.fixture
def erasing(tmp_path: Path):
    s = Study.create(tmp_path / "erasing.fieldkit", small_template())
    gone = s.organisations.add("Erase Me Trust", category="Network", contacts=[{"name": "Dr Pat Erasable"}])
    s.organisations.add("Kept Forum", category="Network", contacts=[{"name": "Grzegorz Wójcik"}])
    pool_answers(s, gone, ERASED)  # its own interviews: they go with it, their pooled answers stay
    assert sorted(c.text for c in s.pool.comments()) == sorted(ERASED)
    yield s, gone
    s.close()


def test_before_erasing_the_comments_naming_the_organisation_or_its_contacts_are_found(erasing):
    from fieldkit.reports.names import find_names_of_organisation

    study, gone = erasing
    hits = find_names_of_organisation(study, gone)
    assert {h.text: h.names for h in hits} == {
        text: [n for n in before if n not in ("Kept Forum", "Wójcik")]
        for text, (before, _after) in ERASED.items() if set(before) - {"Kept Forum", "Wójcik"}}
    assert {h.text: h.names for h in find_names_in_pool(study)} == {
        text: before for text, (before, _after) in ERASED.items() if before}
    pooled = {c.text: c.id for c in study.pool.comments()}
    assert all(h.comment_id == pooled[h.text] and h.question_label == "What holds small groups back?" for h in hits)


def test_an_erased_organisation_named_in_a_pooled_comment_is_still_flagged(erasing):
    from fieldkit import personal_data

    study, gone = erasing
    result = personal_data.erase(study, gone)
    assert study.organisations.find_by_name("Erase Me Trust") == []
    assert {h.text for h in result.named_comments} == {t for t, (b, _) in ERASED.items()
                                                      if set(b) - {"Kept Forum", "Wójcik"}}
    assert not result.clean and any("pooled comment" in p for p in result.problems())
    assert {h.text: h.names for h in find_names_in_pool(study)} == {
        text: after for text, (_before, after) in ERASED.items() if after}
    # What is kept is the words as the comment already has them, nothing more.
    texts = {c.id: c.text for c in study.pool.comments()}
    kept = study.query("SELECT comment_id, name FROM pool_names")
    assert sorted(r["name"] for r in kept) == sorted(["Erase Me Trust", "PAT ERASABLE", "erasable", "erase me trust"])
    assert all(r["name"] in texts[r["comment_id"]] for r in kept)


def test_a_redacted_comment_of_an_erased_organisation_is_no_longer_flagged(erasing):
    """Needs Pool.edit to forget the kept name it no longer contains (fieldkit/pool.py)."""
    from fieldkit import personal_data

    study, gone = erasing
    personal_data.erase(study, gone)
    hit = next(h for h in find_names_in_pool(study) if h.names == ["PAT ERASABLE"])
    study.pool.edit(hit.comment_id, "Ask [name removed], she knows the rent rules.")
    flagged = {h.comment_id: h.names for h in find_names_in_pool(study)}
    assert hit.comment_id not in flagged
    assert len(flagged) == len([t for t, (_b, after) in ERASED.items() if after]) - 1
    assert study.scalar("SELECT count(*) FROM pool_names WHERE comment_id = ?", (hit.comment_id,)) == 0
    both = next(h for h in find_names_in_pool(study) if "Kept Forum" in h.names and len(h.names) == 2)
    study.pool.edit(both.comment_id, "Kept Forum and [name removed] share a hall.")
    assert next(h for h in find_names_in_pool(study) if h.comment_id == both.comment_id).names == ["Kept Forum"]


def test_comments_naming_a_contact_stay_flagged_after_personal_details_are_removed(study: Study):
    from fieldkit import personal_data

    before = {h.comment_id for h in find_names_in_pool(study) if "Mary Ward" in h.names}
    assert before
    personal_data.strip_personal_data(study)
    assert study.scalar("SELECT count(*) FROM contacts WHERE name <> ''") == 0
    after = {h.comment_id for h in find_names_in_pool(study) if "Mary Ward" in h.names}
    assert after == before
