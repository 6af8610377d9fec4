"""Changing a study's settings through the core: vocabularies, renames, targets, flags."""

from __future__ import annotations

import pytest

from fieldkit.errors import FieldkitError, InvalidValueError
from fieldkit.study import Study
from fieldkit.templates import Flag


def test_usage_counts_each_value(small_study: Study):
    orgs = small_study.organisations
    a = orgs.add("A", category="Network", area="Coventry")
    orgs.add("B", category="Network")
    orgs.add("C", category="Infrastructure", status="excluded", exclusion_reason="Closed down")
    small_study.attempts.log(a, outcome="No answer")
    small_study.attempts.log(a, outcome="No answer")
    assert small_study.vocabulary_usage("categories") == {"Network": 2, "Infrastructure": 1}
    assert small_study.vocabulary_usage("areas") == {"Coventry": 1}
    assert small_study.vocabulary_usage("exclusion_reasons") == {"Closed down": 1}
    assert small_study.vocabulary_usage("outcomes") == {"No answer": 2}


def test_rename_a_category_moves_organisations_and_target(small_study: Study):
    orgs = small_study.organisations
    a = orgs.add("Sieć Kobiet", category="Network")
    b = orgs.add("Other", category="Infrastructure")
    version = small_study.rename_vocabulary_value("categories", "Network", "Sieć sąsiedzka")
    assert version == 2
    t = small_study.template
    assert t.categories == ("Sieć sąsiedzka", "Infrastructure", "Access point")  # same place
    assert t.targets == {"Sieć sąsiedzka": 4, "Infrastructure": 2}
    assert orgs.get(a).category == "Sieć sąsiedzka"
    assert orgs.get(b).category == "Infrastructure"
    assert small_study.search.organisation_ids("sąsiedzka") == [a]  # re-indexed
    assert small_study.template_at(1).categories[0] == "Network"  # old version kept


def test_rename_survives_reopening(small_study: Study):
    a = small_study.organisations.add("A", area="Coventry")
    small_study.rename_vocabulary_value("areas", "Coventry", "考文垂")
    path = small_study.path
    small_study.close()
    with Study.open(path) as again:
        assert again.organisations.get(a).area == "考文垂"
        assert again.template.areas == ("Birmingham", "考文垂", "Regional")


def test_rename_outcome_and_exclusion_reason(small_study: Study):
    orgs = small_study.organisations
    a = orgs.add("A", status="excluded", exclusion_reason="Closed down")
    b = orgs.add("B")
    attempt = small_study.attempts.log(b, outcome="Left a message", callback_at="2030-01-01T10:00")
    small_study.rename_vocabulary_value("exclusion_reasons", "Closed down", "بند ہو گیا")
    small_study.rename_vocabulary_value("outcomes", "Left a message", "留言")
    assert orgs.get(a).exclusion_reason == "بند ہو گیا"
    assert small_study.attempts.get(attempt).outcome == "留言"
    assert small_study.template.outcomes[1] == "留言"
    assert small_study.attempts.callbacks()[0].outcome == "留言"


def test_rename_refuses_a_clash_and_changes_nothing(small_study: Study):
    a = small_study.organisations.add("A", area="Coventry")
    with pytest.raises(InvalidValueError, match="already one of the areas"):
        small_study.rename_vocabulary_value("areas", "Coventry", "Birmingham")
    with pytest.raises(InvalidValueError, match="not one of the areas"):
        small_study.rename_vocabulary_value("areas", "Nowhere", "Somewhere")
    with pytest.raises(InvalidValueError, match="cannot be empty"):
        small_study.rename_vocabulary_value("areas", "Coventry", "  ")
    assert small_study.organisations.get(a).area == "Coventry"
    assert small_study.template_versions() == [1]


def test_rename_rolls_back_when_the_template_cannot_be_stored(small_study: Study, monkeypatch):
    a = small_study.organisations.add("A", area="Coventry")

    def broken(template):
        raise FieldkitError("disk full")

    monkeypatch.setattr(small_study, "update_template", broken)
    with pytest.raises(FieldkitError, match="disk full"):
        small_study.rename_vocabulary_value("areas", "Coventry", "Coventry and Warwickshire")
    assert small_study.organisations.get(a).area == "Coventry"


def test_removing_a_used_value_says_how_many_use_it(small_study: Study):
    small_study.organisations.add("A", category="Network")
    small_study.organisations.add("B", category="Network")
    with pytest.raises(FieldkitError, match=r"still in use: Network \(2 organisations\)"):
        small_study.update_template(small_study.template.with_values("categories", ["Infrastructure"]))
    assert small_study.template_versions() == [1]


def test_removing_a_category_drops_its_target(small_study: Study):
    small_study.update_template(small_study.template.with_values("categories", ["Network", "Access point"]))
    assert small_study.template.targets == {"Network": 4}


def test_vocabulary_values_must_be_distinct_and_non_empty(small_study: Study):
    t = small_study.template
    with pytest.raises(InvalidValueError, match="already one of the areas"):
        t.with_values("areas", ["Coventry", "Coventry"])
    with pytest.raises(InvalidValueError, match="cannot be empty"):
        t.with_values("exclusion_reasons", [""])


def test_targets_and_flags(small_study: Study):
    small_study.update_template(small_study.template.with_targets({"Network": 10, "Access point": 3}))
    assert small_study.template.targets == {"Network": 10, "Access point": 3}
    with pytest.raises(FieldkitError, match="not one of the categories"):
        small_study.template.with_targets({"Nope": 1})
    flags = small_study.template.flags + (Flag("newsletter", "Wants the newsletter"),)
    small_study.update_template(small_study.template.with_flags(flags))
    assert small_study.template.flag_label("newsletter") == "Wants the newsletter"
    org = small_study.organisations.add("A", flags=["newsletter"])
    with pytest.raises(FieldkitError, match=r"still ticked: Wants the newsletter \(1 organisation\)"):
        small_study.update_template(small_study.template.with_flags(small_study.template.flags[:1]))
    small_study.organisations.set_flag(org, "newsletter", False)
    small_study.update_template(small_study.template.with_flags([Flag("invite", "Invite to the launch party")]))
    assert [(f.id, f.label) for f in small_study.template.flags] == [("invite", "Invite to the launch party")]
    with pytest.raises(FieldkitError, match="built-in"):
        small_study.template.with_flags([Flag("follow_up", "Again")])


def test_a_flag_a_question_ticks_cannot_be_removed():
    from studies import SMALL_TEMPLATE

    from fieldkit.template_toml import template_from_dict

    data = {**SMALL_TEMPLATE, "sections": [{"id": "A", "title": "A", "questions": [
        {"id": "launch", "type": "yes_no", "label": "Coming to the launch?", "flag": "invite"}]}]}
    t = template_from_dict(data, source="test")
    with pytest.raises(InvalidValueError, match="'Coming to the launch\\?' ticks it"):
        t.with_flags([])
