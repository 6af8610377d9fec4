"""Summary tables exported as CSV and XLSX read back equal to the core's numbers."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fieldkit import summary
from fieldkit.demo import build_demo
from fieldkit.reports import tables
from fieldkit.reports.tables import ExportError, Table


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    study = build_demo(tmp_path_factory.mktemp("demo") / "demo.fieldkit", organisations=50)
    yield study
    study.close()


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def sheet_rows(path: Path, name: str) -> list[tuple]:
    return list(load_workbook(path)[name].values)


def test_by_category_csv_and_xlsx_equal_the_core(demo, tmp_path: Path):
    core = summary.by_group(demo, "category")
    table = tables.by_group(demo, "category")
    assert table.head == ("Category", "On database", "Interviewed", "Target")

    rows = read_csv(tables.write_csv(table, tmp_path / "by category.csv"))
    assert rows[0] == list(table.head)
    assert rows[1:] == [[r.group, str(r.on_database), str(r.interviewed), "" if r.target is None else str(r.target)]
                        for r in core.rows + [core.total]]

    path = tables.write_xlsx(table, tmp_path / "by category.xlsx")
    values = sheet_rows(path, "By category")
    assert values[0][0] == "Organisations by category"
    assert values[1] == table.head
    body = values[2:]
    assert [(g, d, i, t) for g, d, i, t in body] == [(r.group, r.on_database, r.interviewed, r.target)
                                                     for r in core.rows + [core.total]]
    assert all(isinstance(v, int) for row in body for v in row[1:3]), "numbers are stored as numbers"


def test_xlsx_styles_header_total_and_widths(demo, tmp_path: Path):
    path = tables.write_xlsx(tables.by_group(demo, "area"), tmp_path / "area.xlsx")
    sheet = load_workbook(path)["By area"]
    assert all(cell.font.bold for cell in sheet[2]), "header row bold"
    last = sheet.max_row
    assert sheet.cell(last, 1).value == "Total" and sheet.cell(last, 1).font.bold
    assert sheet.freeze_panes == "A3"
    longest = max(len(str(sheet.cell(r, 1).value or "")) for r in range(2, last + 1))
    assert sheet.column_dimensions["A"].width >= longest  # the longest area name fits


def test_method_table_is_the_method_summary(demo, tmp_path: Path):
    m = summary.method(demo)
    path = tables.write_xlsx(tables.method(demo), tmp_path / "method.xlsx")
    rows = sheet_rows(path, "Method")
    assert rows[1] == ("Measure", "Organisations", "%")
    values = {label: n for label, n, _ in rows[2:]}
    assert values["Organisations found"] == m.total
    assert values["On the database"] == m.on_database
    assert values["Interviewed"] == m.interviewed
    assert values["Not reached"] == m.not_reached
    assert values["Listed with permission"] == m.listed_with_permission
    for reason, n in m.excluded_by_reason:
        assert values[f"Excluded: {reason}"] == n
    assert m.excluded == sum(n for _, n in m.excluded_by_reason)


def test_targets_against_achieved(demo, tmp_path: Path):
    core = summary.targets(demo)
    assert core, "the demo sets targets"
    rows = read_csv(tables.write_csv(tables.targets(demo), tmp_path / "targets.csv"))
    assert rows[0] == ["Category", "Target", "Interviewed", "% of target"]
    for r, line in zip(core, rows[1:-1], strict=True):  # between the header and the total
        assert line[:3] == [r.group, str(r.target), str(r.interviewed)]
        # as the report prints it: whole percentages of a target under 100, halves rounded up
        assert line[3] == str(summary.percent(r.interviewed, r.target))
        assert float(line[3]) == pytest.approx(r.interviewed * 100 / r.target, abs=0.5)
    assert rows[-1][:3] == ["Total", str(sum(r.target for r in core)), str(sum(r.interviewed for r in core))]


def test_every_crosstab_in_one_workbook_equals_the_core(demo, tmp_path: Path):
    every = tables.all_tables(demo)
    path = tables.write_xlsx(every, tmp_path / "all.xlsx")
    book = load_workbook(path)
    names = book.sheetnames
    assert names[:4] == ["Method", "By category", "By area", "Targets"]
    assert len(names) == len({n.lower() for n in names}) == len(every)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    questions = tables.crosstab_questions(demo)
    assert len(questions) >= 5
    template = demo.template
    assert all(not template.question(q).anonymous for q in questions)
    for qid, name in zip(questions, names[4:], strict=True):
        core = summary.crosstab(demo, qid)
        values = list(book[name].values)
        assert values[0][0] == core.question_label  # the full question above the table
        head = values[1]
        assert head[0] == "Category" and head[-1] == "Respondents"
        for row, expected in zip(values[2:], core.rows + [core.total], strict=False):  # its notes follow the table
            assert row[0] == expected.group
            assert list(row[1:-1:2]) == expected.counts
            assert list(row[2:-1:2]) == pytest.approx(expected.percentages)
            assert row[-1] == expected.respondents


def test_crosstab_csv_has_counts_then_percentages(demo, tmp_path: Path):
    qid = next(q for q in tables.crosstab_questions(demo) if demo.template.question(q).type == "yes_no")
    core = summary.crosstab(demo, qid)
    rows = read_csv(tables.write_csv(tables.crosstab(demo, qid), tmp_path / "x.csv"))
    assert rows[0] == ["Category", "Yes", "Yes %", "No", "No %", "Respondents"]
    assert rows[-1] == ["Total", str(core.total.counts[0]), str(core.total.percentages[0]),
                        str(core.total.counts[1]), str(core.total.percentages[1]), str(core.total.respondents)]


def test_names_in_any_script_survive_both_formats(tmp_path: Path):
    table = Table("Names", "Names", ("Name", "N"), (("Zespół Polski", 1), ("پاکستانی خواتین", 2),
                                                    ("বাংলাদেশী সমিতি", 3), ("华人社区", 4), ("ਪੰਜਾਬੀ", 5)))
    rows = read_csv(tables.write_csv(table, tmp_path / "n.csv"))
    assert [r[0] for r in rows[1:]] == [r[0] for r in table.rows]
    values = sheet_rows(tables.write_xlsx(table, tmp_path / "n.xlsx"), "Names")
    assert [v[0] for v in values[2:]] == [r[0] for r in table.rows]


def test_sheet_names_are_valid_and_distinct():
    long = "Which communities does the organisation mainly work with?"
    made = tables.sheet_names([Table(n, n, (), ()) for n in (long, long, "a/b:c?", "By area", "BY AREA")])
    assert made[0] == "Which communities does the…"
    assert made[1].endswith("(2)") and len(made[1]) <= 31
    assert made[2] == "a b c"
    assert made[3:] == ["By area", "BY AREA (2)"]


def test_writes_are_atomic_and_failures_leave_nothing(demo, tmp_path: Path):
    target = tmp_path / "table.csv"
    target.write_text("the old file", encoding="utf-8")

    def explode(f):
        f.write(b"half a ")
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match="No space left on device"):
        tables.write_atomically(target, explode)
    assert target.read_text(encoding="utf-8") == "the old file"
    assert os.listdir(tmp_path) == ["table.csv"], "no temporary file left behind"

    tables.write_csv(tables.by_group(demo, "area"), target)
    assert read_csv(target)[0][0] == "Area"
    assert os.listdir(tmp_path) == ["table.csv"]

    with pytest.raises(ExportError, match="does not exist"):
        tables.write_xlsx(tables.method(demo), tmp_path / "no such folder" / "m.xlsx")
    with pytest.raises(ExportError, match=r"\.csv or \.xlsx"):
        tables.write_table(tables.method(demo), tmp_path / "m.txt")


def test_targets_only_by_category(demo):
    with pytest.raises(ExportError, match="per category"):
        tables.by_group(demo, "area", targets=True)
    assert "Target" not in tables.by_group(demo, "category", targets=False).head
