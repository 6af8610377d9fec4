"""No text fieldkit writes into a spreadsheet can run as a formula (fieldkit.spreadsheets).

Names, categories, choices, answers and pooled comments that start like a formula come out
with a leading apostrophe in every CSV file and as explicit strings in every XLSX workbook:
the summary tables (``fieldkit.reports.tables``, ``fieldkit summary``) and every export for
analysis (``fieldkit.datasets``).
"""

from __future__ import annotations

import copy
import csv
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fieldkit import datasets, spreadsheets
from fieldkit.cli import main
from fieldkit.reports import tables
from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict
from studies import SMALL_TEMPLATE, pool_now

#: Texts a spreadsheet takes for a formula (OWASP's list of first characters).
INJECTIONS = ("=1+2", '=HYPERLINK("http://x","y")', "+cmd", "-2", "@SUM(A1)", "\tx", "\rx")
#: A phone number as studies store it (E.164), whose + a spreadsheet also takes for a formula.
PHONE = "+441134960000"


def test_safe_text_neutralises_formulas_and_nothing_else():
    for text in INJECTIONS:
        assert spreadsheets.safe_text(text) == "'" + text
    for value in ("Network", "a=1", " =1", "'quoted", "", -2, 3.5, None):
        assert spreadsheets.safe_text(value) == value
    assert spreadsheets.csv_cell(-2) == -2, "numbers are numbers, negative ones too"
    assert spreadsheets.csv_text(["-h"], [["-2", -2]]) == "'-h\r\n'-2,-2\r\n"


def _template():
    data = copy.deepcopy(SMALL_TEMPLATE)
    data["organisations"]["categories"] = ["=1+2", "@SUM(A1)", "Network"]
    data["targets"] = {"=1+2": 2}
    data["organisations"]["areas"] = ["+cmd", "Coventry"]
    size = data["sections"][0]["questions"][2]
    size["choices"] = ["=1+2", "-2", "Large"]
    data["themes"][0]["label"] = "-2 themes"
    data["sections"][0]["questions"][6]["label"] = "@SUM(A1) paid staff"
    return template_from_dict(data, source="injection test template")


@pytest.fixture
def study(tmp_path: Path):
    s = Study.create(tmp_path / "inject.fieldkit", _template(), title="=Injection study")
    a = s.organisations.add('=HYPERLINK("http://x","y")', category="=1+2", area="+cmd", phone=PHONE)
    b = s.organisations.add("Second", category="@SUM(A1)", coverage="\tx", notes="\rx")
    s.organisations.add_contact(a, "@SUM(A1)", role="-2", phone=PHONE)
    s.attempts.log(a, outcome="No answer", note="=1+2", tried=PHONE)
    sessions = []
    for org, role, size in ((a, "+cmd", "=1+2"), (b, "\tx", "-2")):  # names are stripped; answers are not
        session = s.interviews.start(org, interviewer="@SUM(A1)")
        session.save_answer("role", role)
        session.save_answer("size", size)
        session.save_answer("sector_barriers", '=HYPERLINK("http://x","y")')
        sessions.append(session)
    pool_now(s, *sessions)
    yield s
    s.close()


def check_csv(path: Path, expected: tuple[str, ...] = INJECTIONS) -> None:
    """No cell starts like a formula, and each text in ``expected`` is there behind an apostrophe."""
    raw = path.read_bytes().decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(raw, newline="")) for c in row]
    bad = [c for c in cells if c.startswith(spreadsheets.FORMULA_STARTS)]
    assert bad == [], f"{path.name}: cells a spreadsheet would run: {bad}"
    for text in expected:
        assert any(c == "'" + text or c.startswith("'" + text) for c in cells), f"{path.name}: {text!r} missing"


def check_xlsx(path: Path, expected: tuple[str, ...] = INJECTIONS) -> None:
    """Every text is an explicit string (no formula anywhere), kept as it was written."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), f"{path.name}: a formula in {name}"
    book = load_workbook(path)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (path.name, cell.coordinate, cell.value)
                    texts.append(cell.value)
                assert cell.data_type != "f", (path.name, cell.coordinate, cell.value)
    for text in expected:
        assert any(t == text or t.startswith(text) for t in texts), f"{path.name}: {text!r} missing"


def test_the_summary_tables_are_safe_in_csv_and_xlsx(study: Study, tmp_path: Path):
    by_category = tables.by_group(study, "category")
    check_csv(tables.write_csv(by_category, tmp_path / "c.csv"), ("=1+2", "@SUM(A1)"))
    check_csv(tables.write_csv(tables.by_group(study, "area"), tmp_path / "a.csv"), ("+cmd",))
    crosstab = tables.crosstab(study, "size")
    assert "=1+2" in crosstab.head and "-2 %" in crosstab.head
    check_csv(tables.write_csv(crosstab, tmp_path / "x.csv"), ("=1+2", "-2", "@SUM(A1)"))
    check_xlsx(tables.write_xlsx(tables.all_tables(study), tmp_path / "all.xlsx"), ("=1+2", "-2", "+cmd", "@SUM(A1)"))
    sheet = load_workbook(tmp_path / "all.xlsx")["By category"]
    assert sheet["A3"].value == "=1+2" and sheet["B3"].data_type == "n", "the text kept as it is, numbers numbers"


def test_the_summary_command_writes_safe_files_and_standard_output(study: Study, tmp_path: Path, capsys):
    path = study.path
    study.close()
    for name in ("t.csv", "t.xlsx"):
        assert main(["summary", str(path), "-o", str(tmp_path / name)]) == 0
    check_csv(tmp_path / "t.csv", ("=1+2", "@SUM(A1)"))
    check_xlsx(tmp_path / "t.xlsx", ("=1+2", "@SUM(A1)"))
    assert main(["summary", str(path), "--by", "area", "-o", str(tmp_path / "area.csv")]) == 0
    check_csv(tmp_path / "area.csv", ("+cmd",))
    capsys.readouterr()
    assert main(["summary", str(path), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.reader(out.splitlines()))
    assert ["'=1+2", "1", "1"] in rows and ["'@SUM(A1)", "1", "1"] in rows


def test_every_export_for_analysis_is_safe(study: Study, tmp_path: Path):
    expected = {
        "organisations": ('=HYPERLINK("http://x","y")', "\tx", "\rx", "=1+2", "@SUM(A1)", "+cmd", PHONE),
        "contacts": ('=HYPERLINK("http://x","y")', "@SUM(A1)", "-2", PHONE),
        "attempts": ("=1+2", PHONE),
        "interviews": ('=HYPERLINK("http://x","y")', "+cmd", "\tx", "@SUM(A1)", "=1+2"),
        "pool": ('=HYPERLINK("http://x","y")', "-2 themes"),
        "codebook": ("@SUM(A1) paid staff",),
    }
    assert set(expected) == set(datasets.EXPORTS)
    for what, texts in expected.items():
        check_csv(datasets.export(study, what, tmp_path / f"{what}.csv"), texts)
        check_xlsx(datasets.export(study, what, tmp_path / f"{what}.xlsx"), texts)
    organisations = (tmp_path / "organisations.csv").read_text(encoding="utf-8-sig")
    assert f"'{PHONE}" in organisations, "a phone number gets the apostrophe in CSV"
    book = load_workbook(tmp_path / "organisations.xlsx")
    assert PHONE in [c.value for c in book.active["I"]], "and stays as it is, a string, in XLSX"


def test_codes_stay_numbers_and_formula_like_choices_are_labels(study: Study, tmp_path: Path):
    """In the interviews export a choice named like a formula is a code; its words (a value label)
    are only in the codebook, neutralised there."""
    data = datasets.interviews(study)
    assert data.variable("size").value_labels == {1: "=1+2", 2: "-2", 3: "Large"}
    assert data.column("size") == [1, 2]
    rows = list(csv.reader(datasets.export(study, "interviews", tmp_path / "i.csv")
                           .read_text(encoding="utf-8-sig").splitlines()))
    assert [r[rows[0].index("size")] for r in rows[1:]] == ["1", "2"]
    codebook = (tmp_path / "c.csv")
    datasets.export(study, "codebook", codebook)
    assert "1 = =1+2; 2 = -2; 3 = Large" in codebook.read_text(encoding="utf-8-sig")
