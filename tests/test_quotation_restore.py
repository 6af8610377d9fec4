"""Taking back a change to the report's quotations: ``quotations.restorer`` puts the chosen
quotations and the duplicates back as they were, also after a comment's delete took its own."""

from __future__ import annotations

from fieldkit import quotations
from fieldkit.study import Study
from studies import pool_now

SAID = ["Nowhere to meet", "Nowhere to meet at all", "The council never calls back"]


def _three(study: Study) -> list[int]:
    for said in SAID:
        session = study.interviews.start(study.organisations.add(f"Org {said}"))
        session.save_answer("sector_barriers", said)
        pool_now(study, session)
    return [next(c.id for c in study.pool.comments() if c.text == said) for said in SAID]


def test_the_restorer_puts_quotations_and_duplicates_back_as_they_were(small_study: Study):
    a, b, c = _three(small_study)
    quotations.set_chosen(small_study, "barriers", [c, a])
    quotations.merge(small_study, b, into=a)
    before = quotations.chosen(small_study), quotations.duplicates(small_study)
    restore = quotations.restorer(small_study)
    quotations.unmerge(small_study, b)
    quotations.merge(small_study, a, into=c)  # a's place in the list goes to c
    quotations.set_chosen(small_study, "help", [b])
    assert (quotations.chosen(small_study), quotations.duplicates(small_study)) != before
    restore()
    assert (quotations.chosen(small_study), quotations.duplicates(small_study)) == before


def test_a_deleted_comment_gets_its_quotation_and_merge_back(small_study: Study):
    a, b, _ = _three(small_study)
    quotations.set_chosen(small_study, "barriers", [a])
    quotations.merge(small_study, b, into=a)
    before = quotations.chosen(small_study), quotations.duplicates(small_study)
    comment = small_study.pool.get(a)
    restore = quotations.restorer(small_study)
    small_study.pool.delete(a)  # takes its quotation and the merge into it
    assert quotations.chosen(small_study).get("barriers", []) == [] and quotations.duplicates(small_study) == {}
    small_study.pool.restore(comment)
    restore()
    assert (quotations.chosen(small_study), quotations.duplicates(small_study)) == before
