"""Question logic in the core: relevance, constraints, calculations, choice filters, "other",
defaults and ${} in texts, worked out by hand for a schedule with tricky chains, and enforced
by ``save_answer`` and ``complete`` whatever screen or import calls them."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from fieldkit import summary
from fieldkit.errors import InvalidValueError, TemplateError
from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict

LOGIC = {
    "template": {"title": "Logic", "description": "Chains of logic.", "languages": ["English", "Urdu"]},
    "organisations": {"categories": ["Group", "Network"]},
    "sections": [
        {"id": "A", "title": "About", "questions": [
            {"id": "a1", "type": "yes_no", "label": "Does it employ staff?", "required": True,
             "yes_label::Urdu": "ہاں"},
            {"id": "a2", "type": "number", "label": "How many paid staff?", "required": True,
             "relevant": "${a1} = 'yes'", "constraint": ". >= 1 and . <= 500",
             "constraint_message": "Between 1 and 500 staff", "constraint_message::Urdu": "ایک سے پانچ سو تک"},
            {"id": "a3", "type": "number", "label": "Volunteers?", "default": 0, "constraint": ". >= 0"},
            {"id": "a4", "type": "calculate", "label": "People in all", "calculation": "coalesce(${a2}, 0) + ${a3}"},
            {"id": "a5", "type": "single_choice", "label": "Region", "choices": [
                {"name": "mid", "label": "Midlands", "label::Urdu": "مڈلینڈز"},
                {"name": "north", "label": "North"}]},
            {"id": "a6", "type": "single_choice", "label": "Which place in ${a5}?", "other": True,
             "choice_filter": "region = ${a5}", "choices": [
                 {"name": "bham", "label": "Birmingham", "region": "mid"},
                 {"name": "cov", "label": "Coventry", "region": "mid"},
                 {"name": "leeds", "label": "Leeds", "region": "north"}]},
            {"id": "a7", "type": "yes_no", "label": "More than ten people?", "relevant": "${a4} > 10"},
        ]},
        {"id": "B", "title": "Larger organisations", "relevant": "${a7} = 'yes'", "questions": [
            {"id": "b1", "type": "long_text", "label": "How is the work organised?", "required": True},
            {"id": "b2", "type": "short_text", "label": "Who leads it?", "relevant": "${b1} != ''"},
        ]},
        {"id": "C", "title": "The wider sector", "questions": [
            {"id": "c1", "type": "long_text", "label": "What holds groups back?", "anonymous": True},
            {"id": "c2", "type": "long_text", "label": "What do staff say?", "anonymous": True,
             "relevant": "${a1} = 'yes'"},
        ]},
        {"id": "D", "title": "Without staff", "relevant": "${a1} = 'no'", "questions": [
            {"id": "d1", "type": "short_text", "label": "Who does the work?", "required": True},
        ]},
    ],
}


@pytest.fixture
def study(tmp_path: Path):
    s = Study.create(tmp_path / "logic.fieldkit", template_from_dict(LOGIC, source="logic"), title="Logic")
    yield s
    s.close()


def _start(study: Study, name: str = "Org", category: str = "Group"):
    return study.interviews.start(study.organisations.add(name=name, category=category))


def _stored(study: Study, interview_id: int) -> dict:
    return {r["question_id"]: (json.loads(r["value"]), r["relevant"]) for r in study.query(
        "SELECT question_id, value, relevant FROM answers WHERE interview_id = ?", (interview_id,))}


def test_a_new_interview_asks_what_its_logic_says_with_defaults_and_calculations(study):
    iv = _start(study)
    state = iv.state()
    assert state.relevant == {"a1", "a3", "a4", "a5", "a6", "c1"}
    assert state.sections == {"A", "C"}
    assert iv.answers() == {"a3": 0, "a4": 0}  # the default, and the total worked out from it
    assert [q.id for q in iv.missing_required()] == ["a1"]  # a2 is not asked yet


def test_a_chain_of_relevance_falls_and_the_kept_answers_are_marked(study):
    iv = _start(study)
    iv.save_answer("a1", True)
    iv.save_answer("a2", 20)
    iv.save_answer("a3", 5)
    assert iv.answer("a4") == 25
    assert "a7" in iv.state().relevant  # the calculation feeds a relevance
    iv.save_answer("a7", True)
    assert iv.state().sections == {"A", "B", "C"}
    assert [q.id for q in iv.missing_required()] == ["b1"]
    assert "b2" not in iv.state().relevant
    iv.save_answer("b1", "By a board")
    assert "b2" in iv.state().relevant

    iv.save_answer("a1", False)  # no staff after all: a2 goes, the total drops, a7 and B fall
    state = iv.state()
    assert iv.answer("a4") == 5
    assert state.sections == {"A", "C", "D"}
    assert not {"a2", "a7", "b1", "b2"} & state.relevant
    assert [q.id for q in iv.missing_required()] == ["d1"]
    stored = _stored(study, iv.interview_id)
    assert stored["a2"] == (20, 0) and stored["a7"] == (True, 0) and stored["b1"] == ("By a board", 0)
    assert stored["a1"] == (False, 1) and stored["a4"] == (5, 1)
    assert sorted(study.interviews.irrelevant_answers(iv.interview_id)) == ["a2", "a7", "b1"]

    iv.save_answer("a1", True)  # and back: the kept answers count again
    assert iv.answer("a4") == 25
    assert _stored(study, iv.interview_id)["b1"] == ("By a board", 1)
    assert study.interviews.irrelevant_answers(iv.interview_id) == []


def test_finish_requires_only_relevant_required_questions(study):
    iv = _start(study)
    iv.save_answer("a1", False)
    iv.save_answer("d1", "Volunteers")
    assert iv.complete() is True  # a2 and b1 are required but not asked
    other = _start(study, "Other")
    other.save_answer("a1", True)
    assert other.complete() is False
    assert [q.id for q in other.missing_required()] == ["a2"]


def test_a_constraint_refuses_the_answer_and_changes_nothing(study, tmp_path):
    iv = _start(study)
    iv.save_answer("a1", True)
    iv.save_answer("a2", 12)
    before = _stored(study, iv.interview_id)
    with pytest.raises(InvalidValueError, match=r"^question 'a2': Between 1 and 500 staff$"):
        iv.save_answer("a2", 900)
    with pytest.raises(InvalidValueError, match="the answer does not meet the question's rule"):
        iv.save_answer("a3", -1)
    assert _stored(study, iv.interview_id) == before
    iv.set_language("Urdu")
    with pytest.raises(InvalidValueError, match="ایک سے پانچ سو تک"):
        iv.save_answer("a2", 0)


def test_a_calculated_question_cannot_be_answered(study):
    iv = _start(study)
    with pytest.raises(InvalidValueError, match="calculated"):
        iv.save_answer("a4", 3)


def test_choice_filter_and_other(study):
    iv = _start(study)
    a6 = iv.template.question("a6")
    assert a6.choices == ("bham", "cov", "leeds", "other")
    iv.save_answer("a5", "north")
    assert [c.name for c in iv.template.logic.choices(a6, iv.state())] == ["leeds", "other"]
    with pytest.raises(InvalidValueError, match="'Birmingham' is not offered"):
        iv.save_answer("a6", "bham")
    iv.save_answer("a6", "leeds")
    assert "a6_other" not in iv.state().relevant
    iv.save_answer("a6", "other")
    assert "a6_other" in iv.state().relevant
    iv.save_answer("a6_other", "Bradford")
    assert iv.answers()["a6_other"] == "Bradford"
    assert iv.template.question("a6_other").label == "Other, please specify"


def test_an_earlier_answer_is_shown_in_a_label(study):
    iv = _start(study)
    iv.save_answer("a5", "mid")
    label = iv.template.question("a6").label
    assert iv.template.logic.fill(label, iv.state()) == "Which place in Midlands?"
    assert iv.template.logic.fill(label, iv.state(), language="Urdu") == "Which place in مڈلینڈز?"


def test_an_irrelevant_answer_is_not_counted(study):
    for name, yes in (("One", True), ("Two", True)):
        iv = _start(study, name)
        iv.save_answer("a1", True)
        iv.save_answer("a2", 50)
        iv.save_answer("a7", yes)
        iv.complete()
    assert summary.crosstab(study, "a7", "category").total.counts == [2, 0]
    iv.save_answer("a1", False)  # the second organisation's a7 is no longer asked
    assert summary.crosstab(study, "a7", "category").total.counts == [1, 0]


def test_an_anonymous_answer_no_longer_asked_never_reaches_the_pool(study):
    iv = _start(study)
    iv.save_answer("a1", True)
    iv.save_answer("c1", "Funding is short")
    iv.save_answer("c2", "Staff are tired")
    iv.save_answer("a1", False)
    assert study.scalar("SELECT relevant FROM held WHERE question_id = 'c2'") == 0
    iv.save_answer("d1", "Volunteers")
    iv.complete()
    iv.close()
    study.held.move_now()
    texts = [c.text for c in study.pool.comments()]
    assert texts == ["Funding is short"]
    assert study.held.count() == 0  # the irrelevant one is not kept linked either


def test_interview_language_is_recorded_and_checked(study):
    iv = study.interviews.start(study.organisations.add(name="Org"), language="Urdu")
    assert study.interviews.get(iv.interview_id).language == "Urdu"
    with pytest.raises(InvalidValueError, match="not written in 'Welsh'"):
        iv.set_language("Welsh")
    iv.set_language("English")
    assert study.interviews.get(iv.interview_id).language is None  # the default
    iv.set_section("C")
    assert study.interviews.get(iv.interview_id).section == "C"


def _problems(change) -> list[str]:
    data = copy.deepcopy(LOGIC)
    change(data)
    with pytest.raises(TemplateError) as e:
        template_from_dict(data, source="x.toml")
    return e.value.problems


def _question(data, qid):
    return next(q for s in data["sections"] for q in s["questions"] if q["id"] == qid)


@pytest.mark.parametrize("qid, key, text, expected", [
    ("a2", "relevant", "${b9} = 1", "x.toml: section 'A', question 'a2', relevant: unknown question 'b9' "
     "(at character 1)"),
    ("a2", "relevant", "${a7} = 'yes'", "x.toml: section 'A', question 'a2', relevant: refers to 'a7', which "
     "comes later in the schedule (at character 1)"),
    ("a2", "relevant", "${a2} > 1", "x.toml: section 'A', question 'a2', relevant: refers to itself ('a2') "
     "(at character 1)"),
    ("d1", "relevant", "${c1} != ''", "x.toml: section 'D', question 'd1', relevant: refers to 'c1', which is "
     "anonymous: its answer goes to the pool, so nothing kept with the interview may depend on it "
     "(at character 1)"),
    ("a7", "relevant", "${a5} = 5", "compares the choice question 'a5' with the number 5"),
    ("a7", "relevant", "${a5} = 'south'", "'south' is not a choice of 'a5'"),
    ("a7", "relevant", "${a2} = 'many'", "compares the number question 'a2' with the text 'many'"),
    ("a7", "relevant", "${a2} >", "relevant: expected a value after '>' (at character 7)"),
    ("a6", "choice_filter", "county = ${a5}", "'county' is not an attribute of the choices (region)"),
    ("a7", "label", "Is ${b1} right?", "x.toml: section 'A', question 'a7', label: shows 'b1', which comes "
     "later in the schedule (at character 4)"),
])
def test_logic_problems_are_reported_at_load_with_their_place(qid, key, text, expected):
    def change(data):
        _question(data, qid)[key] = text

    problems = _problems(change)
    assert len(problems) == 1 and expected in problems[0], problems


def test_a_section_cannot_depend_on_its_own_questions():
    def change(data):
        data["sections"][1]["relevant"] = "${b1} != ''"

    assert _problems(change) == ["x.toml: section 'B', relevant: refers to 'b1', which comes later in the "
                                 "schedule (at character 1)"]


def test_a_translation_in_an_undeclared_language_is_refused():
    def change(data):
        _question(data, "a1")["label::Welsh"] = "Oes staff?"

    assert _problems(change) == ["x.toml: [template]: 'languages' does not list: Welsh (texts are given in them)"]


def test_calculate_and_other_rules():
    def change(data):
        _question(data, "a4")["anonymous"] = True
        _question(data, "a1")["other"] = True
        _question(data, "a3")["calculation"] = "1"

    problems = _problems(change)
    assert "x.toml: section 'A', question 'a1': 'other' is only for single_choice and multiple_choice questions" \
        in problems
    assert "x.toml: section 'A', question 'a3': 'calculation' is only for a calculate question" in problems
    assert ("x.toml: section 'A', question 'a4': 'anonymous' is not allowed for a calculate question "
            "(its value is computed)") in problems


def test_yes_and_no_have_words_in_each_language(study):
    a1 = study.template.question("a1")
    assert a1.as_text(True) == "Yes" and a1.as_text(False) == "No"
    assert a1.as_text(True, "Urdu") == "ہاں" and a1.as_text(False, "Urdu") == "No"  # not given: English
    assert a1.qtype.key_label(a1, "Yes", "Urdu") == "ہاں"
    missing = study.template.missing_texts()["Urdu"]
    assert "question 'a1' no label" in missing and "question 'a1' yes label" not in missing
    assert "question 'a2' yes label" not in missing  # a number question has no Yes

    def change(data):
        _question(data, "a2")["yes_label"] = "Sure"

    assert _problems(change) == ["x.toml: section 'A', question 'a2': 'yes_label' is only for a yes_no question"]


def test_missing_texts_per_language(study):
    missing = study.template.missing_texts()
    assert list(missing) == ["Urdu"]
    assert "question 'a1' label" in missing["Urdu"]
    assert "question 'a2' constraint message" not in missing["Urdu"]  # given
    assert "question 'a5' choice 'mid'" not in missing["Urdu"] and "question 'a5' choice 'north'" in missing["Urdu"]
