"""The command line: a thin layer with one-line errors and exit codes 0 / 1 / 2."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit import cli
from fieldkit.cli import main
from fieldkit.study import Study
from studies import file_digest, mapping_template
from cli_runs import run



@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "west.fieldkit"
    with Study.create(path, mapping_template()) as s:
        a = s.organisations.add("Sandwell African Caribbean Forum", category="BME network", area="Birmingham")
        s.interviews.start(a).complete()
        s.organisations.add("Dudley CVS", category="General infrastructure organisation", area="Staffordshire")
        s.organisations.add("Closed Group", category="BME network", status="excluded",
                            exclusion_reason=s.template.exclusion_reasons[0])
        s.organisations.add("Unsorted")
    return path


def test_new_from_named_template(capsys, tmp_path: Path):
    code, out, err = run(capsys, "new", tmp_path / "mine", "--template", "confidential-interview",
                         "--title", "Listening to faith groups")
    assert code == 0, err
    assert "confidential-interview" in out
    with Study.open(tmp_path / "mine.fieldkit") as s:
        assert s.title == "Listening to faith groups"
        assert all(q.anonymous for q in s.template.questions())


def test_new_from_template_path_and_broken_template(capsys, tmp_path: Path):
    good = tmp_path / "own.toml"
    good.write_text('[template]\ntitle = "Own"\ndescription = "Mine"\n', encoding="utf-8")
    assert run(capsys, "new", tmp_path / "own-study", "--template", good)[0] == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('[template]\ntitle = "Bad"\ndescription = "x"\n[[sections]]\nid = "B"\ntitle = "B"\n'
                   '[[sections.questions]]\nid = "b2"\ntype = "multi"\nlabel = "?"\n', encoding="utf-8")
    code, out, err = run(capsys, "new", tmp_path / "never", "--template", bad)
    assert code == 1
    assert f"{bad}: section 'B', question 'b2': unknown type 'multi' (expected one of" in err
    assert "Traceback" not in err
    assert not (tmp_path / "never.fieldkit").exists()


def test_new_refuses_existing_file(capsys, mapping_file: Path):
    before = file_digest(mapping_file)
    code, out, err = run(capsys, "new", mapping_file)
    assert code == 1 and "already exists" in err and len(err.strip().splitlines()) == 1
    assert file_digest(mapping_file) == before


def test_the_readme_lists_every_command():
    """The README's table of commands names each one the command line has (a new one left out
    of it is one users never find)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [name for name in cli.COMMANDS
               if f"| `fieldkit {name} " not in readme and f"| `fieldkit {name}`" not in readme]
    assert missing == []


def test_templates_lists_shipped(capsys):
    code, out, err = run(capsys, "templates")
    assert code == 0
    for name in ("regional-mapping", "confidential-interview", "blank"):
        assert name in out


def test_summary_json_is_exact(capsys, mapping_file: Path):
    code, out, err = run(capsys, "summary", mapping_file, "--by", "category", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"by", "rows", "total"} and data["by"] == "category"
    assert data["rows"][0] == {"group": "BME infrastructure organisation", "on_database": 0, "interviewed": 0}
    assert {"group": "BME network", "on_database": 1, "interviewed": 1} in data["rows"]
    assert data["rows"][-1] == {"group": "Not recorded", "on_database": 1, "interviewed": 0}
    assert data["total"] == {"on_database": 3, "interviewed": 1}
    code, out, _ = run(capsys, "summary", mapping_file, "--targets", "--format", "json")
    data = json.loads(out)
    assert all(set(r) == {"group", "on_database", "interviewed", "target"} for r in data["rows"])
    assert set(data["total"]) == {"on_database", "interviewed", "target"}
    assert data["total"]["target"] == sum(r["target"] for r in data["rows"]) > 0


def test_summary_csv_and_text(capsys, mapping_file: Path):
    code, out, _ = run(capsys, "summary", mapping_file, "--by", "area", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["group", "on_database", "interviewed"]
    assert ["Birmingham", "1", "1"] in rows and rows[-1] == ["Total", "3", "1"]
    code, out, _ = run(capsys, "summary", mapping_file)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Category", "On", "database", "Interviewed"]
    assert lines[-1].split() == ["Total", "3", "1"]


def test_bad_usage_exits_2(capsys, mapping_file: Path):
    with pytest.raises(SystemExit) as info:
        main(["summary", str(mapping_file), "--by", "colour"])
    assert info.value.code == 2
    code, out, err = run(capsys, "summary", mapping_file, "--by", "area", "--targets")
    assert code == 2 and "--targets goes with --by category" in err
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


def test_errors_are_one_line_and_debug_shows_traceback(capsys, tmp_path: Path):
    bad = tmp_path / "notes.fieldkit"
    bad.write_text("just some notes", encoding="utf-8")
    code, out, err = run(capsys, "summary", bad)
    assert code == 1
    assert err.strip() == f"fieldkit summary: {bad}: not a fieldkit study (not an SQLite database)"
    code, out, err = run(capsys, "--debug", "summary", bad)
    assert code == 1 and "Traceback" in err
    assert bad.read_text(encoding="utf-8") == "just some notes"


def test_check_passes_and_fails(capsys, mapping_file: Path):
    code, out, err = run(capsys, "check", mapping_file)
    assert code == 0 and "no problems" in out
    import sqlite3

    conn = sqlite3.connect(mapping_file)
    conn.execute("INSERT INTO answers(interview_id, question_id, value) "  # d1 is anonymous
                 "VALUES (1, 'd1', '\"a wider-sector remark\"')")
    conn.commit()
    conn.close()
    code, out, err = run(capsys, "check", mapping_file)
    assert code == 1
    assert "interview 1, question 'd1': an anonymous answer is stored against the organisation" in err


def test_in_use_study_is_refused_for_changes_but_readable(capsys, mapping_file: Path, tmp_path: Path):
    with Study.open(mapping_file) as open_elsewhere:
        code, out, err = run(capsys, "check", mapping_file)
        assert code == 1 and "open in another fieldkit" in err
        open_elsewhere.organisations.add("Added while a summary runs", category="BME network")
        code, out, err = run(capsys, "summary", mapping_file, "--format", "json")
        assert code == 0, err
        assert json.loads(out)["total"]["on_database"] == 4  # sees the committed change
        open_elsewhere.organisations.add("One more", category="BME network")  # still writable
    with Study.open(mapping_file) as study:
        assert study.organisations.count() == 6


def test_console_entry_point_runs(tmp_path: Path):
    out = subprocess.run([sys.executable, "-m", "fieldkit", "--version"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("fieldkit ")
    assert "SQLCipher 4." in out.stdout  # which encryption is shipped, read from the library at run time
    out = subprocess.run([sys.executable, "-m", "fieldkit", "summary", str(tmp_path / "none.fieldkit")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "no such file" in out.stderr


def test_demo_then_summary_and_check(capsys, tmp_path: Path):
    path = tmp_path / "demo"
    code, out, err = run(capsys, "demo", path, "--organisations", "30")
    assert code == 0, err
    assert "30 organisations" in out
    code, out, err = run(capsys, "summary", tmp_path / "demo.fieldkit", "--format", "json")
    assert code == 0 and json.loads(out)["total"]["on_database"] > 0
    assert run(capsys, "check", tmp_path / "demo.fieldkit")[0] == 0
    code, out, err = run(capsys, "demo", path)
    assert code == 1 and "already exists" in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only Linux desktops announce themselves in DISPLAY")
def test_app_without_a_display_says_so(tmp_path: Path):
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "fieldkit", "open", str(tmp_path / "x.fieldkit")],
                         capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "fieldkit: there is no desktop to open the window on (DISPLAY is not set); "
        "the command line still works: see 'fieldkit --help'"]


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("reader", ["true", "head -1"])
def test_output_cut_short_by_the_reader_is_not_an_error(tmp_path: Path, unbuffered: bool, reader: str):
    """``fieldkit summary STUDY | head -1``: no 'Broken pipe' message or traceback, exit 0,
    whether stdout is block-buffered (as on a user's machine) or not (PYTHONUNBUFFERED)."""
    from fieldkit.demo import build_demo

    path = tmp_path / "demo.fieldkit"
    build_demo(path, organisations=30).close()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(Path(__file__).parents[1])
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    # ``true`` exits without reading, long before fieldkit has started and writes
    command = f'set -o pipefail; "{sys.executable}" -m fieldkit summary "{path}" | {reader}'
    out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60, env=env)
    assert out.stderr == ""
    assert out.returncode == 0
    if reader.startswith("head"):
        assert out.stdout.startswith("Category")


def test_summary_method_prints_dispositions_and_rates(capsys, mapping_file: Path):
    code, out, err = run(capsys, "summary", mapping_file, "--method", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    # Interviewed with the required answers missing (1.2), excluded (4.50: the first reason, not an
    # infrastructure body), two never tried (3.11).
    assert data["dispositions"] == {"1.2": 1, "3.11": 2, "4.50": 1}
    assert data["interviewed"] == 1 and data["in_interview"] == 0
    # I=0 P=1 UH=2 NE=1: e = 1/2; rates unrounded.
    assert data["rates"]["e"] == 0.5 and data["rates"]["RR1"] == 0 and data["rates"]["RR2"] == 1 / 3
    assert data["rates"]["RR4"] == 1 / (1 + 0.5 * 2)
    code, out, err = run(capsys, "summary", mapping_file, "--method")
    assert code == 0, err
    assert "RR2    33.3%" in out and "RR4    50.0%" in out and "3.11   Not attempted or worked" in out
    code, out, err = run(capsys, "summary", mapping_file, "--method", "--format", "csv")
    assert code == 2 and "--method prints text or json" in err


@pytest.mark.parametrize("argv", [[], ["open", "study.fieldkit"], ["open", "Mapping 2026/study"]])
def test_the_desktop_start_reads_its_arguments_as_the_full_parser_does(argv):
    # ``fieldkit`` and ``fieldkit open STUDY`` skip building the parser of every command; what
    # they read must stay what the parser would have read (a new global option included).
    assert cli._desktop_start(argv) == cli._parser().parse_args(argv)


@pytest.mark.parametrize("argv", [["open"], ["open", "--help"], ["open", "a", "b"], ["--debug", "open", "a"],
                                  ["summary", "a"]])
def test_anything_else_goes_through_the_full_parser(argv):
    assert cli._desktop_start(argv) is None
