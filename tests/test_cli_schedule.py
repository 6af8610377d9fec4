"""``fieldkit schedule``: the study's schedule with its logic, and saving it as a template."""

from __future__ import annotations

from pathlib import Path

from fieldkit.study import Study
from fieldkit.template_toml import load_template, template_from_dict
from studies import file_digest
from test_logic import LOGIC
from cli_runs import run



def _study(tmp_path: Path) -> Path:
    path = tmp_path / "logic.fieldkit"
    Study.create(path, template_from_dict(LOGIC, source="logic"), title="Logic").close()
    return path


def test_schedule_lists_questions_with_their_logic_in_a_language(capsys, tmp_path):
    path = _study(tmp_path)
    before = file_digest(path)
    code, out, err = run(capsys, "schedule", path, "--language", "Urdu")
    assert code == 0, err
    assert "  a2  How many paid staff?  (number, required)\n      asked if: ${a1} = 'yes'\n" \
           "      answer must meet: . >= 1 and . <= 500\n" in out
    assert "B  Larger organisations   [asked if ${a7} = 'yes']" in out
    assert "choices: مڈلینڈز; North" in out
    assert "Missing in Urdu:" in out
    assert file_digest(path) == before  # only read


def test_schedule_refuses_a_language_it_is_not_written_in(capsys, tmp_path):
    code, out, err = run(capsys, "schedule", _study(tmp_path), "--language", "Welsh")
    assert code == 1 and out == ""
    assert err.strip() == "fieldkit schedule: the schedule is not written in 'Welsh' (languages: English, Urdu)"


def test_save_template_writes_a_file_a_new_study_starts_from(capsys, tmp_path):
    path = _study(tmp_path)
    out_file = tmp_path / "saved.toml"
    code, out, err = run(capsys, "schedule", path, "--save-template", out_file)
    assert code == 0, err
    assert out == f"Wrote the schedule as a template: {out_file}\n"
    with Study.open(path, read_only=True) as s:
        assert load_template(out_file).to_dict()["sections"] == s.template.to_dict()["sections"]
    code, _, err = run(capsys, "new", tmp_path / "next.fieldkit", "--template", out_file)
    assert code == 0, err
    with Study.open(tmp_path / "next.fieldkit") as s:
        assert s.template.question("a6").choice_filter == "region = ${a5}"
        assert s.template.languages == ("English", "Urdu")
