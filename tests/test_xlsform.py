"""Importing an XLSForm as a template (fieldkit/xlsform.py and ``fieldkit template import-xlsform``).

The forms in shared/fixtures/xlsform are pyxform's own test forms; the rest are built here with
openpyxl. No Qt.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from fieldkit.cli import main
from fieldkit.schedule import write_template
from fieldkit.study import Study
from fieldkit.template_toml import load_template, template_from_dict
from fieldkit.xlsform import XlsformError, import_xlsform

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures" / "xlsform"
FIXTURE_PATHS = sorted(FIXTURES.glob("*.xlsx"))

#: The tests of the real forms need the workspace's shared fixtures (kept outside the project);
#: the forms built here run everywhere.
needs_fixtures = pytest.mark.skipif(
    not FIXTURE_PATHS, reason="the shared XLSForm fixtures (../shared/fixtures/xlsform) are not there")


def _questions(data: dict) -> dict[str, dict]:
    return {q["id"]: q for s in data["sections"] for q in s["questions"]}


def _workbook(path: Path, sheets: dict[str, list[tuple]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@needs_fixtures
@pytest.mark.parametrize("path", FIXTURE_PATHS, ids=[p.stem for p in FIXTURE_PATHS])
def test_every_fixture_converts_loads_back_and_starts_a_study(path, tmp_path):
    result = import_xlsform(path)
    assert all(isinstance(p, str) and "\n" not in p for p in result.problems)
    template = template_from_dict(result.template_dict, source=path.name)
    written = write_template(template, tmp_path / f"{path.stem}.toml")
    loaded = load_template(written)
    assert [q.id for q in loaded.questions()] == [q.id for q in template.questions()]
    assert loaded.questions(), "every fixture has at least one question fieldkit can ask"
    Study.create(tmp_path / "study.fieldkit", loaded, title="From an XLSForm").close()


@needs_fixtures
def test_group_becomes_a_section():
    result = import_xlsform(FIXTURES / "group.xlsx")
    sections = result.template_dict["sections"]
    assert [(s["id"], s["title"]) for s in sections] == [("main", "group"), ("father", "Father")]
    assert [q["id"] for q in sections[1]["questions"]] == ["phone_number", "age"]
    assert sections[0]["questions"][0]["label"] == "What's your family name?"
    assert any("row 4" in p and "phone number" in p and "short_text" in p for p in result.problems)


@needs_fixtures
def test_specify_other_becomes_other():
    result = import_xlsform(FIXTURES / "specify_other.xlsx")
    q = _questions(result.template_dict)["sex"]
    assert q["type"] == "single_choice" and q["other"] is True
    assert [c["name"] for c in q["choices"]] == ["male", "female"]
    template = template_from_dict(result.template_dict, source="x")
    assert [x.id for x in template.questions()] == ["sex", "sex_other"]


@needs_fixtures
def test_choice_filter_is_kept_and_duplicate_choices_reported():
    result = import_xlsform(FIXTURES / "choice_filter_test.xlsx")
    questions = _questions(result.template_dict)
    assert questions["county"]["choice_filter"] == "${state}=cf"
    assert questions["city"]["choice_filter"] == "${county}=cf"
    assert {c["name"]: c.get("cf") for c in questions["county"]["choices"]} == {
        "king": "washington", "pierce": "washington", "cameron": "texas"}
    assert any(p.startswith("choices, row 6:") and "'king' twice" in p for p in result.problems)
    assert any(p.startswith("settings, row 2:") and "allow_choice_duplicates" in p for p in result.problems)
    template = template_from_dict(result.template_dict, source="x")
    state = template.logic.state({"state": "texas"})
    assert [c.name for c in template.logic.choices(template.question("county"), state)] == ["cameron"]


@needs_fixtures
def test_case_insensitive_headers_and_sheet_names():
    result = import_xlsform(FIXTURES / "case_insensitivity.xlsx")
    data = result.template_dict
    assert data["template"]["title"] == "Yes or no"
    assert data["template"]["name"] == "yesno"
    assert data["template"]["default_language"] == "EN"
    q1 = _questions(data)["q1"]
    assert q1["label"] == "Are you good?" and [c["label"] for c in q1["choices"]] == ["l1-c", "l2-c"]
    assert list(_questions(data)) == ["q1"]
    assert any(p.startswith("SURVEY, row 3:") and "select_one_external" in p for p in result.problems)
    assert any(p.startswith("SURVEY, row 4:") and "osm" in p for p in result.problems)
    for sheet in ("EXTERNAL_CHOICES", "ENTITIES", "OSM"):
        assert any(f"sheet '{sheet}'" in p for p in result.problems)


@needs_fixtures
def test_yes_no_list_becomes_yes_no():
    result = import_xlsform(FIXTURES / "yes_or_no_question.xlsx")
    q = _questions(result.template_dict)["good_day"]
    assert q["type"] == "yes_no" and "choices" not in q
    assert (q["yes_label"], q["no_label"]) == ("yes", "no")
    assert result.problems == []


@needs_fixtures
def test_text_and_integer_types():
    result = import_xlsform(FIXTURES / "text_and_integer.xlsx")
    questions = _questions(result.template_dict)
    assert questions["your_name"]["type"] == "short_text"
    assert questions["your_age"]["type"] == "number"
    template = template_from_dict(result.template_dict, source="x")
    age = template.question("your_age")
    assert template.logic.problem(age, 2.5, {}) and not template.logic.problem(age, 30, {})
    assert result.problems == []


@needs_fixtures
def test_survey_sheet_with_another_name_is_a_problem_line_not_a_crash():
    result = import_xlsform(FIXTURES / "survey_no_name.xlsx")
    assert list(_questions(result.template_dict)) == ["state"]
    assert len(result.problems) == 1 and "no sheet named 'survey'" in result.problems[0]


@needs_fixtures
def test_extra_sheets_are_reported():
    result = import_xlsform(FIXTURES / "extra_sheet_names.xlsx")
    assert list(_questions(result.template_dict)) == ["test"]
    assert any("'stettings'" in p and "did you mean 'settings'" in p for p in result.problems)
    assert any("'my_sheet'" in p for p in result.problems)


def test_repeat_and_geopoint_are_listed_by_sheet_and_row(tmp_path):
    path = _workbook(tmp_path / "crafted.xlsx", {
        "survey": [
            ("type", "name", "label::English (en)", "label::Urdu (ur)", "hint::English (en)", "required",
             "relevant", "constraint", "constraint_message::English (en)", "calculation", "default"),
            ("text", "org", "Organisation", "تنظیم", "Its full name", "yes", None, None, None, None, None),
            ("integer", "staff", "How many staff?", None, None, None, None, ". >= 0", "Zero or more", None, "3"),
            ("begin_repeat", "household", "Household"),
            ("text", "member", "Member name"),
            ("end_repeat",),
            ("geopoint", "where", "Where is it?"),
            ("begin group", "g1", "Group one", None, None, None, "${staff} > 0"),
            ("note", "n1", "Now about the staff"),
            ("select_one yn", "paid", "Are they paid?", None, None, None, None, None, None, None, "yes"),
            ("begin group", "g2", "Inner", None, None, None, "${paid} = 'yes'"),
            ("select_multiple langs", "langs", "Languages?", None, None, None, "${member} != ''"),
            ("calculate", "total", None, None, None, None, None, None, None, "${staff} * 2"),
            ("end group",),
            ("date", "when", "When?", None, None, None, "format-date(today(), '%Y') = '2020'"),
            ("end group",),
        ],
        "choices": [
            ("list_name", "name", "label::English (en)", "label::Urdu (ur)"),
            ("yn", "yes", "Yes", "ہاں"), ("yn", "no", "No", "نہیں"),
            ("langs", "en", "English"), ("langs", "ur", "Urdu"),
        ],
        "settings": [("form_title", "form_id", "default_language"), ("Crafted", "crafted", "English (en)")],
    })
    result = import_xlsform(path)
    problems = result.problems
    assert any(p.startswith("survey, row 4: repeat 'household'") and "no repeats" in p for p in problems)
    assert any(p.startswith("survey, row 7: 'where' (geopoint)") for p in problems)
    assert any(p.startswith("survey, row 11: group 'g2' is inside group 'g1'") for p in problems)
    assert any(p.startswith("survey, row 12: 'langs': relevant") and "'member'" in p for p in problems)
    assert any(p.startswith("survey, row 15: 'when': relevant") and "format-date" in p for p in problems)
    data = result.template_dict
    assert data["template"]["languages"] == ["English (en)", "Urdu (ur)"]
    questions = _questions(data)
    assert "member" not in questions and "where" not in questions
    assert questions["org"]["label::Urdu (ur)"] == "تنظیم" and questions["org"]["required"] is True
    assert questions["org"]["help"] == "Its full name"
    assert questions["staff"]["default"] == 3 and questions["staff"]["constraint_message"] == "Zero or more"
    assert questions["paid"]["type"] == "yes_no" and questions["paid"]["default"] is True
    assert questions["paid"]["yes_label::Urdu (ur)"] == "ہاں"
    assert questions["total"]["calculation"] == "${staff} * 2"
    sections = {s["id"]: s for s in data["sections"]}
    assert sections["g1"]["intro"] == "Now about the staff"
    assert sections["g2"]["relevant"] == "(${staff} > 0) and (${paid} = 'yes')"
    assert "when" in [q["id"] for q in sections["g1_2"]["questions"]]
    template = template_from_dict(data, source="crafted")
    Study.create(tmp_path / "crafted.fieldkit", template).close()


def test_a_workbook_that_is_not_an_xlsform_is_one_line(tmp_path):
    path = _workbook(tmp_path / "people.xlsx", {"people": [("first", "last"), ("Ada", "Lovelace")]})
    with pytest.raises(XlsformError) as e:
        import_xlsform(path)
    assert "no 'survey' sheet" in str(e.value) and "\n" not in str(e.value)
    no_type = _workbook(tmp_path / "notype.xlsx", {"survey": [("name", "label"), ("a", "A")]})
    with pytest.raises(XlsformError, match="no 'type' column"):
        import_xlsform(no_type)


def test_a_text_file_renamed_xlsx_is_one_line(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("type,name,label\ntext,a,A\n", encoding="utf-8")
    with pytest.raises(XlsformError) as e:
        import_xlsform(path)
    assert "not an Excel workbook" in str(e.value) and "\n" not in str(e.value)


@needs_fixtures
def test_cli_writes_the_template_with_warnings(capsys, tmp_path):
    out = tmp_path / "group-form.toml"
    code, stdout, err = _run(capsys, "template", "import-xlsform", FIXTURES / "group.xlsx", "-o", out)
    assert code == 0, err
    assert err.splitlines() == [line for line in err.splitlines() if line.startswith("warning: ")]
    assert "warning: survey, row 4: 'phone_number'" in err
    assert "Wrote the template" in stdout
    template = load_template(out)
    assert template.name == "group-form" and [s.id for s in template.sections] == ["main", "father"]
    Study.create(tmp_path / "group.fieldkit", template).close()

    before = out.read_bytes()
    code, _, err = _run(capsys, "template", "import-xlsform", FIXTURES / "text_and_integer.xlsx", "-o", out)
    assert code == 1 and "already exists" in err and len(err.splitlines()) == 1
    assert out.read_bytes() == before
    code, _, err = _run(capsys, "template", "import-xlsform", FIXTURES / "text_and_integer.xlsx",
                        "-o", out, "--force")
    assert code == 0, err
    assert [q.id for q in load_template(out).questions()] == ["your_name", "your_age"]


def test_cli_refuses_a_file_that_is_not_an_xlsform(capsys, tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("hello", encoding="utf-8")
    out = tmp_path / "notes.toml"
    code, _, err = _run(capsys, "template", "import-xlsform", bad, "-o", out)
    assert code == 1 and len(err.splitlines()) == 1 and "not an Excel workbook" in err
    assert not out.exists() and not list(tmp_path.glob("*.toml*"))
    people = _workbook(tmp_path / "people.xlsx", {"people": [("first", "last")]})
    code, _, err = _run(capsys, "template", "import-xlsform", people, "-o", out)
    assert code == 1 and len(err.splitlines()) == 1 and "not an XLSForm" in err
    assert not out.exists()
