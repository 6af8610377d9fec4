"""The command line's report commands: report, casesheet and summary into a CSV or XLSX file."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fieldkit import cli, summary
from fieldkit.cli import main
from fieldkit.demo import build_demo
from fieldkit.study import Study
from cli_runs import run



def usage(capsys, *argv: object) -> str:
    """Run a command argparse itself refuses; return its message (exit status 2)."""
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in argv])
    assert info.value.code == 2
    return capsys.readouterr().err


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.fieldkit"
    build_demo(path, organisations=40).close()
    return path


def pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


# --- summary into files -----------------------------------------------------------------------


def test_summary_xlsx_equals_the_core(capsys, demo_file: Path, tmp_path: Path):
    out_file = tmp_path / "by category.xlsx"
    code, out, err = run(capsys, "summary", demo_file, "--targets", "--format", "xlsx", "-o", out_file)
    assert code == 0, err
    assert str(out_file) in out
    with Study.open(demo_file, read_only=True) as study:
        core = summary.by_group(study, "category")
    values = list(load_workbook(out_file).active.values)
    assert values[1] == ("Category", "On database", "Interviewed", "Target")
    assert [v for v in values[2:]] == [(r.group, r.on_database, r.interviewed, r.target)
                                      for r in core.rows + [core.total]]


def test_summary_csv_file_has_bom_and_words_format_from_suffix(capsys, demo_file: Path, tmp_path: Path):
    out_file = tmp_path / "areas.csv"
    code, out, err = run(capsys, "summary", demo_file, "--by", "area", "-o", out_file)
    assert code == 0, err
    raw = out_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["Area", "On database", "Interviewed"]
    with Study.open(demo_file, read_only=True) as study:
        total = summary.by_group(study, "area").total
    assert rows[-1] == ["Total", str(total.on_database), str(total.interviewed)]
    # with -o and no --format, .xlsx picks the workbook
    code, out, err = run(capsys, "summary", demo_file, "-o", tmp_path / "areas.xlsx")
    assert code == 0 and load_workbook(tmp_path / "areas.xlsx").sheetnames == ["By category"]


def test_summary_standard_output_is_unchanged(capsys, demo_file: Path):
    code, out, _ = run(capsys, "summary", demo_file, "--format", "json")
    data = json.loads(out)
    assert set(data) == {"by", "rows", "total"} and set(data["rows"][0]) == {"group", "on_database", "interviewed"}
    code, out, _ = run(capsys, "summary", demo_file, "--format", "csv")
    assert out.splitlines()[0] == "group,on_database,interviewed" and not out.startswith("\ufeff")
    code, out, _ = run(capsys, "summary", demo_file)
    assert out.splitlines()[0].split()[:2] == ["Category", "On"]


def test_summary_file_usage_errors(capsys, demo_file: Path, tmp_path: Path):
    for argv, words in (
        (("--format", "xlsx"), "name it with -o FILE.xlsx"),
        (("-o", tmp_path / "t.txt"), "name a .csv or .xlsx file"),
        (("--format", "json", "-o", tmp_path / "t.json"), "-o writes a spreadsheet"),
        (("--format", "xlsx", "-o", tmp_path / "t.csv"), "does not fit --format xlsx"),
    ):
        code, out, err = run(capsys, "summary", demo_file, *argv)
        assert code == 2 and words in err, (argv, err)
    assert os.listdir(tmp_path) == []


def test_summary_into_a_missing_folder_is_one_line(capsys, demo_file: Path, tmp_path: Path):
    code, out, err = run(capsys, "summary", demo_file, "-o", tmp_path / "nowhere" / "t.xlsx")
    assert code == 1 and "does not exist" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


# --- report ---------------------------------------------------------------------------------------


def test_report_sections_match_the_report_data():
    from fieldkit.reports.data import ALL_SECTIONS

    assert tuple(ALL_SECTIONS) == cli._all_report_sections()


def test_report_end_to_end(capsys, demo_file: Path, tmp_path: Path):
    out_file = tmp_path / "report.pdf"
    with Study.open(demo_file) as open_in_the_app:  # the app has the study open meanwhile
        title = open_in_the_app.title
        code, out, err = run(capsys, "report", demo_file, "-o", out_file, "--allow-names")
    assert code == 0, err
    assert str(out_file) in out
    assert out_file.read_bytes().startswith(b"%PDF")
    assert " ".join(title.split()) in " ".join(pdf_text(out_file).split())
    assert os.listdir(tmp_path) == ["report.pdf"], "no temporary files left"


def test_report_options_reach_the_pdf(capsys, demo_file: Path, tmp_path: Path):
    with Study.open(demo_file, read_only=True) as study:
        listed = study.query("SELECT o.name FROM organisations o JOIN flags f ON f.organisation_id = o.id "
                             "WHERE f.flag = 'permission_to_list' AND o.status <> 'excluded' ORDER BY o.name")
    assert listed
    full, short = tmp_path / "full.pdf", tmp_path / "short"
    assert run(capsys, "report", demo_file, "-o", full, "--allow-names", "--page-size", "letter")[0] == 0
    code, out, err = run(capsys, "report", demo_file, "-o", short, "--sections", "method,tables",
                         "--small-numbers", "nhs")
    assert code == 0, err
    assert (tmp_path / "short.pdf").exists(), ".pdf is added to the name"
    import pdfplumber

    with pdfplumber.open(full) as pdf:
        assert round(pdf.pages[0].width) == 612 and round(pdf.pages[0].height) == 792  # US Letter
    full_text, short_text = pdf_text(full), pdf_text(tmp_path / "short.pdf")
    name = " ".join(listed[0]["name"].split()[:2])
    assert name in " ".join(full_text.split())  # the directory lists it
    assert name not in " ".join(short_text.split())  # no directory in the short report
    assert len(short_text) < len(full_text)
    code, out, err = run(capsys, "report", demo_file, "-o", tmp_path / "nodir.pdf", "--allow-names",
                         "--no-directory", "--with-person")
    assert code == 0, err
    assert name not in " ".join(pdf_text(tmp_path / "nodir.pdf").split())


def test_report_dispositions_can_be_left_out(capsys, demo_file: Path, tmp_path: Path):
    both, without = tmp_path / "both.pdf", tmp_path / "without.pdf"
    assert run(capsys, "report", demo_file, "-o", both, "--sections", "method", "dispositions")[0] == 0
    assert run(capsys, "report", demo_file, "-o", without, "--sections", "method")[0] == 0
    both_text, without_text = " ".join(pdf_text(both).split()), " ".join(pdf_text(without).split())
    assert "Final dispositions" in both_text and "Response and cooperation rates" in both_text
    assert "Final dispositions" not in without_text and "Response and cooperation rates" in without_text
    code, _out, err = run(capsys, "report", demo_file, "-o", tmp_path / "x.pdf", "--sections", "disposition")
    assert code == 2 and "no section 'disposition'" in err and "method, dispositions, tables" in err


def test_report_with_person_names_the_person_interviewed(capsys, demo_file: Path, tmp_path: Path):
    from fieldkit.reports.data import ReportOptions, build_report_data

    with Study.open(demo_file, read_only=True) as study:
        directory = build_report_data(study, ReportOptions(sections=("directory",), include_person=True)).directory
    person = next(e.person for e in directory if e.person and e.person.isascii())
    without, with_person = tmp_path / "without.pdf", tmp_path / "with.pdf"
    assert run(capsys, "report", demo_file, "-o", without, "--sections", "directory")[0] == 0
    assert run(capsys, "report", demo_file, "-o", with_person, "--sections", "directory", "--with-person")[0] == 0
    assert person in " ".join(pdf_text(with_person).split())
    assert person not in " ".join(pdf_text(without).split())


@pytest.fixture
def named_comment_file(tmp_path: Path) -> tuple[Path, str, str]:
    """A demo study in which one pooled comment names an organisation of the study."""
    path = tmp_path / "named.fieldkit"
    with build_demo(path, organisations=30) as study:
        org = study.organisations.get(study.organisations.ids()[0])
        comment = next(c for c in study.pool.comments() if len(c.text) > 20)
        study.pool.edit(comment.id, f"We went to {org.name} for help and they said no. " + comment.text)
        label = comment.question_label
    return path, org.name, label


def test_report_refuses_names_in_the_pool(capsys, named_comment_file, tmp_path: Path):
    path, org_name, label = named_comment_file
    out_file = tmp_path / "out" / "report.pdf"
    out_file.parent.mkdir()
    code, out, err = run(capsys, "report", path, "-o", out_file)
    assert code == 1
    assert "--allow-names" in err and "nothing written" in err
    flagged = [line for line in err.splitlines() if line.startswith("  ")]
    assert len(flagged) >= 1
    line = next(x for x in flagged if org_name in x)
    assert label in line and "We went to" in line
    assert os.listdir(out_file.parent) == []
    # without the comments section there is nothing to check
    assert run(capsys, "report", path, "-o", out_file, "--sections", "method", "tables")[0] == 0
    out_file.unlink()
    code, out, err = run(capsys, "report", path, "-o", out_file, "--allow-names")
    assert code == 0, err
    assert out_file.exists()


def test_report_bad_values_exit_2_and_write_nothing(capsys, demo_file: Path, tmp_path: Path):
    target = tmp_path / "r.pdf"
    assert "expected nhs, ons or a number" in usage(capsys, "report", demo_file, "-o", target,
                                                    "--small-numbers", "lots")
    assert "3 or more" in usage(capsys, "report", demo_file, "-o", target, "--small-numbers", "2")
    usage(capsys, "report", demo_file, "-o", target, "--small-numbers", "-4")
    usage(capsys, "report", demo_file, "-o", target, "--page-size", "a5")
    usage(capsys, "report", demo_file)  # -o is required
    code, out, err = run(capsys, "report", demo_file, "-o", target, "--sections", "method,appendix")
    assert code == 2 and "no section 'appendix'" in err
    code, out, err = run(capsys, "report", demo_file, "-o", tmp_path / "no" / "r.pdf")
    assert code == 1 and "does not exist" in err and len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, "report", tmp_path / "none.fieldkit", "-o", target)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert os.listdir(tmp_path) == []


def test_small_numbers_parses():
    assert cli._small_numbers("NHS") == "nhs" and cli._small_numbers("ons") == "ons"
    assert cli._small_numbers(" 5 ") == 5
    args = cli._parser().parse_args(["report", "s.fieldkit", "-o", "r.pdf", "--small-numbers", "10"])
    assert args.small_numbers == 10 and args.page_size == "a4" and not args.allow_names


def test_excerpt_keeps_the_name_in_view():
    from fieldkit.reports.names import excerpt

    text = "Start of a long story. " * 10 + "Then Dudley CVS told us to apply again.\n" + "More words. " * 20
    short = excerpt(text, ["Dudley CVS"])
    assert "Dudley CVS" in short and short.startswith("…") and short.endswith("…")
    assert len(short) <= 92 and "\n" not in short
    assert excerpt("Short and sweet.", ["x"]) == "Short and sweet."
    # Found as the names check finds it: another case, without its accents.
    story = "Start of a long story. " * 10 + "then lodz polish club said no. " + "More. " * 20
    folded = excerpt(story, ["Łódź Polish Club"])
    assert "lodz polish club" in folded


# --- casesheet ------------------------------------------------------------------------------------


def test_casesheet_by_id_and_by_name(capsys, demo_file: Path, tmp_path: Path):
    with Study.open(demo_file, read_only=True) as study:
        org = study.organisations.get(study.organisations.ids()[0])
    by_id, by_name = tmp_path / "a.pdf", tmp_path / "b.pdf"
    code, out, err = run(capsys, "casesheet", demo_file, org.id, "-o", by_id)
    assert code == 0, err
    assert org.name in out
    code, out, err = run(capsys, "casesheet", demo_file, org.name.upper(), "-o", by_name)
    assert code == 0, err
    first_words = " ".join(org.name.split()[:2])
    assert first_words in " ".join(pdf_text(by_id).split())
    assert first_words in " ".join(pdf_text(by_name).split())


def test_casesheet_unknown_and_ambiguous(capsys, tmp_path: Path):
    from fieldkit.template_toml import find_template

    path = tmp_path / "twins.fieldkit"
    with Study.create(path, find_template("regional-mapping")) as study:
        a = study.organisations.add("Community Link")
        b = study.organisations.add("community link")
    out_file = tmp_path / "c.pdf"
    code, out, err = run(capsys, "casesheet", path, "Community Link", "-o", out_file)
    assert code == 1
    assert err.strip() == (f"fieldkit casesheet: 2 organisations are named 'Community Link' (ids {a}, {b}); "
                           "give the id instead")
    code, out, err = run(capsys, "casesheet", path, "Nobody", "-o", out_file)
    assert code == 1 and "no organisation named 'Nobody'" in err
    code, out, err = run(capsys, "casesheet", path, "999", "-o", out_file)
    assert code == 1 and "no organisation with the id 999" in err
    assert not out_file.exists()


def test_report_as_a_word_document_in_the_outlines_order(capsys, demo_file: Path, tmp_path: Path):
    import docx

    import shutil

    from fieldkit.reports import outline

    demo_file = Path(shutil.copy(demo_file, tmp_path / "own.fieldkit"))  # the module's demo stays as it is
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with Study.open(demo_file) as study:
        outline.set_text(study, "conclusions", "Small groups need small grants 😊.")
        outline.set_order(study, ["conclusions"])
    out_file = tmp_path / "report.docx"
    code, out, err = run(capsys, "report", demo_file, "-o", out_file, "--allow-names")
    assert code == 0, err
    assert str(out_file) in out and out_file.read_bytes().startswith(b"PK")
    headings = [p.text for p in docx.Document(str(out_file)).paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Conclusions"  # the study's outline: conclusions first
    assert "warning: 😊 (SMILING FACE WITH SMILING EYES) in Conclusions" in err  # no font has it
    assert os.listdir(tmp_path) == ["report.docx"], "no temporary files left"


def test_report_with_an_unknown_figure_says_where_and_writes_nothing(capsys, demo_file: Path, tmp_path: Path):
    import shutil

    from fieldkit.reports import outline

    demo_file = Path(shutil.copy(demo_file, tmp_path / "own.fieldkit"))  # the module's demo stays as it is
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with Study.open(demo_file) as study:
        outline.set_text(study, "aims", "First.\n\nTo reach {intervewed} groups.")
    code, out, err = run(capsys, "report", demo_file, "-o", tmp_path / "report.pdf", "--allow-names")
    assert code != 0 and err.count("\n") == 1 and "Traceback" not in err
    assert "Aims of the study, line 3: unknown figure {intervewed}" in err
    assert os.listdir(tmp_path) == []
