"""Outcome rules in templates: every outcome and exclusion reason carries its AAPOR code."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from fieldkit.errors import TemplateError
from fieldkit.outcome_rules import OutcomeRule, guess_exclusion, guess_outcome
from fieldkit.template_toml import load_template, template_from_dict
from tests.studies import SMALL_TEMPLATE

FORMS = Path(__file__).resolve().parent.parent / "forms"


def _with_outcomes(outcomes, reasons=None):
    data = {**SMALL_TEMPLATE, "organisations": {**SMALL_TEMPLATE["organisations"], "outcomes": outcomes}}
    if reasons is not None:
        data["organisations"]["exclusion_reasons"] = reasons
    return template_from_dict(data, source="t.toml")


@pytest.mark.parametrize("path", sorted(FORMS.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_outcome_and_reason_gives_its_code(path: Path):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    orgs = data.get("organisations", {})
    for entry in orgs.get("outcomes", []) + orgs.get("exclusion_reasons", []):
        assert isinstance(entry, dict) and entry.get("disposition"), f"{path.name}: {entry!r} has no code"
    template = load_template(path)
    for reason in template.exclusion_reasons:
        assert template.exclusion_code(reason).startswith("4.")


def test_outcome_tables_are_read_with_their_rules():
    t = _with_outcomes([
        {"name": "No answer", "disposition": "3.13", "retry": "3h"},
        {"name": "Not now", "disposition": "2.11", "retry": "1 week", "retry_limit": 1},
        {"name": "Declined", "disposition": "2.11", "final": True},
        "Some words of our own",
    ])
    assert t.outcomes == ("No answer", "Not now", "Declined", "Some words of our own")
    assert t.outcome_rule("No answer") == OutcomeRule("3.13", "3 hours")
    assert t.outcome_rule("Not now") == OutcomeRule("2.11", "1 week", 1)
    assert t.outcome_rule("Declined").final
    assert t.outcome_rule("Some words of our own") == OutcomeRule("3.90")
    # The rules survive the study's stored copy and a rename.
    again = template_from_dict(t.to_dict(), source="stored")
    assert again.outcome_rules == t.outcome_rules
    renamed = t.with_renamed_value("outcomes", "Not now", "Not just now")
    assert renamed.outcome_rule("Not just now") == OutcomeRule("2.11", "1 week", 1)
    kept = t.with_values("outcomes", ["Declined", "Brand new call back later"])
    assert kept.outcome_rule("Declined").final and kept.outcome_rule("Brand new call back later").disposition == "2.21"


@pytest.mark.parametrize("entry, message", [
    ({"name": "X", "disposition": "5.1"}, "outcome 'X'"),
    ({"name": "X"}, "'disposition' is missing"),
    ({"name": "X", "disposition": "3.13", "retry": "soon"}, "cannot read 'soon'"),
    ({"name": "X", "disposition": "2.11", "final": True, "retry": "1 week"}, "cannot also propose a retry"),
    ({"name": "X", "disposition": "3.13", "retry_limit": -1}, "whole number"),
    ({"name": "X", "disposition": "3.13", "colour": "red"}, "unknown key 'colour'"),
])
def test_a_bad_outcome_rule_is_refused_with_its_place(entry, message):
    with pytest.raises(TemplateError, match=message) as e:
        _with_outcomes([entry])
    assert "t.toml" in str(e.value)


def test_an_exclusion_reason_must_be_not_eligible():
    with pytest.raises(TemplateError, match=r"exclusion reason 'Gone'.*4\.x"):
        _with_outcomes(["No answer"], [{"name": "Gone", "disposition": "2.11"}])
    t = _with_outcomes(["No answer"], [{"name": "Gone", "disposition": "4.50"}, "Outside the area"])
    assert t.exclusion_code("Gone") == "4.50" and t.exclusion_code("Outside the area") == "4.10"
    assert t.with_exclusion_code("Gone", "4.90").exclusion_code("Gone") == "4.90"


def test_words_of_older_studies_are_read_sensibly():
    assert guess_outcome("Interviewed").disposition == "1.1"
    assert guess_outcome("Refused outright").disposition == "2.11"
    assert guess_outcome("Voicemail").disposition == "3.14"
    assert guess_outcome("Phone engaged").disposition == "3.12"
    assert guess_outcome("Something else").disposition == "3.90"
    assert guess_exclusion("Outside the county") == "4.10"
    assert guess_exclusion("Not a charity") == "4.90"


def test_an_outcome_that_means_the_number_was_wrong():
    assert OutcomeRule("3.90").means_wrong_number("Wrong or disconnected number")
    assert OutcomeRule("4.32").means_wrong_number("Dead")  # by its code
    assert not OutcomeRule("3.13").means_wrong_number("No answer")
