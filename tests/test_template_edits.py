"""Study settings' changes to a template, without Qt: vocabularies, a category's target coming
back with it, flags added, removed and put back where they were, relabelled."""

from __future__ import annotations

import pytest

from fieldkit import template_edits as edits
from fieldkit.errors import FieldkitError, InvalidValueError
from fieldkit.study import Study


@pytest.mark.parametrize("label,taken,expected", [
    ("Wants the newsletter", set(), "wants_the_newsletter"),
    ("Wants the newsletter", {"wants_the_newsletter"}, "wants_the_newsletter_2"),
    ("Follow up", set(), "follow_up_2"),          # a built-in flag's id is never reused
    ("Ελληνικά", set(), "flag"),                   # no Latin letters
    ("2026 launch", set(), "flag_2026_launch"),    # an id starts with a letter
])
def test_flag_ids_from_labels(label: str, taken: set[str], expected: str):
    assert edits.flag_id(label, taken) == expected


def test_a_category_removed_and_put_back_keeps_its_place_and_target(small_study: Study):
    assert small_study.template.targets == {"Network": 4, "Infrastructure": 2}
    versions = len(small_study.template_versions())
    index, target = edits.remove_value(small_study, "categories", "Network")
    assert (index, target) == (0, 4)
    assert "Network" not in small_study.template.categories and "Network" not in small_study.template.targets
    edits.restore_value(small_study, "categories", "Network", index, target)
    assert small_study.template.categories[0] == "Network" and small_study.template.targets["Network"] == 4
    assert len(small_study.template_versions()) == versions + 2  # each change a version of its own


def test_a_value_in_use_cannot_be_removed(small_study: Study):
    small_study.organisations.add("Uses it", category="Network")
    with pytest.raises(FieldkitError):
        edits.remove_value(small_study, "categories", "Network")
    assert "Network" in small_study.template.categories
    with pytest.raises(InvalidValueError, match="not one of the study's categories"):
        edits.remove_value(small_study, "categories", "Nowhere")


def test_values_added_and_moved_within_the_ends(small_study: Study):
    edits.add_value(small_study, "areas", "Solihull")
    assert small_study.template.areas[-1] == "Solihull"
    edits.move_value(small_study, "areas", "Solihull", -1)
    assert small_study.template.areas[-2:] == ("Solihull", "Regional")
    edits.move_value(small_study, "areas", "Solihull", -99)
    assert small_study.template.areas[0] == "Solihull"


def test_targets_set_and_cleared(small_study: Study):
    edits.set_target(small_study, "Access point", 3)
    assert small_study.template.targets["Access point"] == 3
    edits.set_target(small_study, "Access point", 0)
    assert "Access point" not in small_study.template.targets


def test_flags_added_removed_put_back_and_relabelled(small_study: Study):
    flag = edits.add_flag(small_study, "Wants the newsletter")
    assert flag.id == "wants_the_newsletter"
    assert [f.id for f in small_study.template.flags] == ["invite", "wants_the_newsletter"]
    removed, index = edits.remove_flag(small_study, "invite")
    assert (removed.id, index) == ("invite", 0)
    assert [f.id for f in small_study.template.flags] == ["wants_the_newsletter"]
    edits.restore_flag(small_study, removed, index)
    assert [f.id for f in small_study.template.flags] == ["invite", "wants_the_newsletter"]
    edits.relabel_flag(small_study, "invite", "Invite to the summer launch")
    assert small_study.template.flag_label("invite") == "Invite to the summer launch"
    with pytest.raises(InvalidValueError):
        edits.relabel_flag(small_study, "invite", "  ")
    with pytest.raises(InvalidValueError):
        edits.remove_flag(small_study, "full_interview")  # built in: not the study's own
