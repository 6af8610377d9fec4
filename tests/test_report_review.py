"""What a review of the client report found, each checked where it is decided (the report data)
and where it shows (the PDF read back with pdfplumber).

Studies are built through the real path (``Study.create``, interviews started, answered and
finished through ``study.interviews``); ``sizes`` is counted by hand:

    category        organisations   "Size" answered
    Network         7               3 Small, 3 Medium, 1 Large   (3 of 7 twice in one row)
    Infrastructure  3               1 Small, 1 Medium, 1 Large   (33% each: 99 in all)
    Total           10              4 Small, 4 Medium, 2 Large   (40, 40, 20)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
from pathlib import Path

import pdfplumber
import pytest

from fieldkit import cli
from fieldkit.demo import build_demo
from fieldkit.reports import charts, outline, suppression, tables
from fieldkit.reports.data import ROUNDING_NOTE, ReportOptions, build_report_data
from fieldkit.reports.directory import DirectoryEntry
from fieldkit.reports.pdf import render_report
from fieldkit.reports.suppression import NHS, custom_rule
from fieldkit.study import Study
from studies import mapping_template, small_template

TODAY = dt.date(2026, 5, 14)
MM = 72 / 25.4
BODY_TOP = 25 * MM      # the body frame's top, from the top of the page (pages.Document)
BODY_BOTTOM = 22 * MM   # and its bottom, from the foot


def interview(study: Study, org: int, **answers) -> None:
    session = study.interviews.start(org, date="2026-03-02")
    for question, value in answers.items():
        session.save_answer(question, value)
    session.complete()
    session.close()


@pytest.fixture
def sizes(tmp_path: Path):
    s = Study.create(tmp_path / "sizes.fieldkit", small_template(), title="Sizes")
    for category, answers in (("Network", ["Small"] * 3 + ["Medium"] * 3 + ["Large"]),
                              ("Infrastructure", ["Small", "Medium", "Large"])):
        for n, size in enumerate(answers):
            org = s.organisations.add(f"{category} {n}", category=category, area="Birmingham")
            interview(s, org, role="Chair", size=size)
    yield s
    s.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review-demo")
    study = build_demo(folder / "demo.fieldkit", organisations=60, today=TODAY)
    yield study
    study.close()


def size_table(study: Study, **options):
    data = build_report_data(study, ReportOptions(sections=("crosstabs",), **options), today=TODAY)
    return data, next(x for x in data.crosstabs if x.question_id == "size")


def lines_of(path: Path) -> list[list[dict]]:
    with pdfplumber.open(path) as pdf:
        return [p.extract_text_lines() for p in pdf.pages]


def text_of(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)


# --- 1. percentages ---------------------------------------------------------------------------


def test_one_fraction_prints_one_percentage_and_a_note_says_when_rows_do_not_add_up(sizes: Study):
    _, size = size_table(sizes, small_numbers=None)
    network, infrastructure = size.rows[0], size.rows[1]
    # 3 of 7 twice in one row: the same text both times (not 42.9% beside 42.8%), whole
    # percentages of a base under 100.
    assert network.cells == ("3 (43%)", "3 (43%)", "1 (14%)")
    assert infrastructure.cells == ("1 (33%)", "1 (33%)", "1 (33%)")  # 99 in all
    assert size.total.cells == ("4 (40%)", "4 (40%)", "2 (20%)")
    assert size.notes.count(ROUNDING_NOTE) == 1
    assert ROUNDING_NOTE == "Percentages may not add to 100 because of rounding."


def test_the_charts_print_percentages_as_the_tables_do(sizes: Study, tmp_path: Path):
    data, size = size_table(sizes, small_numbers=None)
    caption, chart = charts.chart_for(size)
    assert isinstance(chart, charts.HorizontalBars) and [b.base for b in chart.bars] == [10, 10, 10]
    text = text_of(render_report(data, tmp_path / "sizes.pdf"))
    assert "43%" in text and "40% (4)" in text and "20% (2)" in text  # the bars' labels as the table's
    assert not re.search(r"\d+\.\d%", text)  # no "42.9%" or "40.0%" anywhere: every base is under 100


def test_spreadsheets_give_the_percentages_the_report_prints(sizes: Study, tmp_path: Path):
    from openpyxl import load_workbook

    table = tables.crosstab(sizes, "size")
    network = next(r for r in table.rows if r[0] == "Network")
    assert network[1:7] == (3, 43, 3, 43, 1, 14)
    assert table.notes == ("Percentages may not add to 100 because of rounding.",)  # as under the report's
    path = tables.write_xlsx(table, tmp_path / "size.xlsx")
    sheet = load_workbook(path).active
    assert sheet["C3"].value == 43 and sheet["C3"].number_format == "0"  # whole, as printed


# --- 3. layout --------------------------------------------------------------------------------


def _headings_then_tables(study: Study) -> str:
    """The researcher's method: headings each over one of fieldkit's tables or a paragraph."""
    rng = random.Random(1)
    parts = []
    for i in range(24):
        parts.append(f"## Heading number {i}")
        kind = rng.choice(("counts", "rates", "excluded", "para", "dispositions"))
        parts.append(" ".join(["word"] * rng.randint(5, 120)) if kind == "para" else "{table:" + kind + "}")
    return "\n\n".join(parts)


def last_lines(path: Path) -> list[tuple[int, str, set[str]]]:
    """(page, its last line of body text, the headings of the outline) for every page."""
    out = []
    with pdfplumber.open(path) as pdf:
        headings = {title for _, title, *_ in pdf.doc.get_outlines()}
        for n, page in enumerate(pdf.pages, 1):
            body = [line for line in page.extract_text_lines()
                    if line["top"] > BODY_TOP - 1 and line["bottom"] < page.height - BODY_BOTTOM + 1]
            if body:
                out.append((n, body[-1]["text"], headings))
    return out


def test_no_page_ends_with_a_heading(small_study: Study, demo: Study, tmp_path: Path):
    small_study.organisations.add("One")
    small_study.organisations.add("Two", status="excluded", exclusion_reason="Closed down")
    outline.set_text(small_study, "method", _headings_then_tables(small_study))
    long = render_report(build_report_data(small_study, ReportOptions(sections=("method",)), today=TODAY),
                         tmp_path / "long.pdf")
    shown = render_report(build_report_data(demo, ReportOptions(seed=3), today=TODAY), tmp_path / "demo.pdf")
    for path in (long, shown):
        pages = last_lines(path)
        assert len(pages) > 5
        for page, last, headings in pages:
            assert last not in headings, f"{path.name}: page {page} ends with the heading {last!r}"


def test_the_targets_keep_with_their_table_and_leave_no_page_to_themselves(demo: Study, tmp_path: Path):
    data = build_report_data(demo, ReportOptions(sections=("tables", "targets", "crosstabs")), today=TODAY)
    pages = lines_of(render_report(data, tmp_path / "targets.pdf"))
    page = next(i for i, lines in enumerate(pages) if any(line["text"] == "Target and achieved" for line in lines))
    lines = [line["text"] for line in pages[page]]
    at = lines.index("Target and achieved")
    # Not alone at the top of a page the next section's page break leaves nearly empty: the
    # tables it runs on after are above it...
    assert at >= 5 and "Total 54 35" in lines[:at], lines[:at + 2]
    # ... and its whole table is under it, on the same page.
    for r in data.targets:
        assert any(line.startswith(r.group) for line in lines[at:]), r.group


def test_no_directory_when_nobody_may_be_listed_unless_the_researcher_wrote_one(sizes: Study, tmp_path: Path):
    data = build_report_data(sizes, today=TODAY)
    assert data.directory == () and not data.has_content("directory") and "directory" in data.sections
    text = text_of(render_report(data, tmp_path / "none.pdf"))
    text = text.replace("No organisation has yet given permission to be listed in the directory.", "")  # the method
    assert "directory" not in text.lower() and "permission to be listed" not in text
    outline.set_text(sizes, "directory", "Groups may ask to be added to the directory.")
    data = build_report_data(sizes, today=TODAY)
    text = text_of(render_report(data, tmp_path / "intro.pdf"))
    assert "Appendix: directory of organisations" in text and "Groups may ask to be added" in text
    assert "No organisation on the database has given permission to be listed." in text


def test_a_long_title_keeps_the_running_head_on_one_line_above_the_body(sizes: Study, tmp_path: Path):
    title = ("The mapping of community and voluntary infrastructure organisations, networks and access points "
             "serving Black and minority ethnic communities across the region, with recommendations for funders, "
             "councils and the organisations themselves")[:200]
    assert len(title) == 200
    sizes.set_details(title=title)
    data = build_report_data(sizes, ReportOptions(sections=("method", "tables")), today=TODAY)
    with pdfplumber.open(render_report(data, tmp_path / "title.pdf")) as pdf:
        for page in pdf.pages[2:]:
            head = [c for c in page.chars if c["top"] < BODY_TOP]
            assert head, "a running head"
            assert len({round(c["top"]) for c in head}) == 1, "the running head is one line"
            assert max(c["bottom"] for c in head) < BODY_TOP - 8, "clear of the body"
            words = " ".join(" ".join(line["text"] for line in page.extract_text_lines()
                                      if line["top"] < BODY_TOP).split())
            assert words.endswith("…") and title.startswith(words[:-1].strip())
            body = [c for c in page.chars if BODY_TOP - 1 <= c["top"] < BODY_TOP + 30]
            assert body and all(c["top"] >= BODY_TOP - 1 for c in body)


def test_no_page_is_left_empty_by_space_at_the_foot_of_the_one_before(tmp_path: Path):
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageBreak, Spacer

    from fieldkit.reports.pages import Document, Styles
    from fieldkit.reports.text import para

    st = Styles()
    path = tmp_path / "space.pdf"
    with open(path, "wb") as f:
        doc = Document(f, page_size=A4, st=st, title="T", author="", subject="", header="T", cover=False)
        story = [para("The first page.", "body"), Spacer(1, doc.height - 40), Spacer(1, 20),  # a table's space after
                 PageBreak(), para("The next section.", "body")]
        doc.build_pdf(story)
    texts = [" ".join(line["text"] for line in lines) for lines in lines_of(path)]
    assert len(texts) == 2 and "The next section." in texts[1]


# --- 4. the directory -------------------------------------------------------------------------


@pytest.fixture
def listed(tmp_path: Path):
    """A regional-mapping study: organisations in areas out of alphabetical order, each with
    what it agreed to have listed."""
    s = Study.create(tmp_path / "listed.fieldkit", mapping_template(), title="Listed")
    orgs = s.organisations
    details = dict(phone="0121 496 0000", email="info@phone.example.org", address="1 High Street, Walsall",
                   website="https://phone.example.org")
    only_phone = orgs.add("Phone Only Forum", category="BME network", area="Walsall", **details,
                          contacts=[{"name": "Ada Phone", "phone": "07700 900001", "email": "ada@example.org"}])
    orgs.set_flag(only_phone, "permission_to_list")
    orgs.set_flag(only_phone, "list_phone")
    everything = orgs.add("All Details Trust", category="BME network", area="Regional",
                          phone="0121 496 0001", address="2 Low Street, Birmingham",
                          contacts=[{"name": "Bea Trust", "email": "bea@example.org"}])
    session = s.interviews.start(everything, date="2026-03-02")  # through the questions that tick them
    for question, value in (("e2", True), ("e2a", True), ("e2b", True), ("e2c", True), ("e2d", True),
                            ("e2e", True)):
        session.save_answer(question, value)
    session.complete()
    session.close()
    orgs.add("Said No Network", category="BME network", area="Regional", phone="0121 496 0002",
             flags=["list_phone"])  # no permission to list: nothing, whatever else is ticked
    orgs.add("Birmingham Group", category="General network", area="Birmingham", flags=["permission_to_list"],
             phone="0121 496 0003")
    orgs.add("Dudley Forum", category="General network", area="Dudley", flags=["permission_to_list"])
    orgs.add("National Body", category="General network", area="National", flags=["permission_to_list"])
    orgs.add("Nowhere Group", category="General network", flags=["permission_to_list"])
    yield s
    s.close()


def test_the_directory_prints_only_what_each_organisation_agreed_to_under_its_area(listed: Study, tmp_path: Path):
    data = build_report_data(listed, ReportOptions(include_person=True), today=TODAY)
    # Areas in the study's order (Birmingham, Dudley, Walsall, Regional, National), "Not recorded" last.
    assert [e.area for e in data.directory] == ["Birmingham", "Dudley", "Walsall", "Regional", "National",
                                                "Not recorded"]
    by_name = {e.name: e for e in data.directory}
    assert "Said No Network" not in by_name
    assert by_name["Phone Only Forum"] == DirectoryEntry("Walsall", "Phone Only Forum", None,
                                                         (("Phone", "0121 496 0000"),))
    assert by_name["All Details Trust"].details == (
        ("Contact", "Bea Trust"), ("Phone", "0121 496 0001"), ("Email", "bea@example.org"),  # the contact's
        ("Address", "2 Low Street, Birmingham"))  # no website recorded: none printed
    assert by_name["All Details Trust"].person == "Bea Trust"
    assert by_name["Birmingham Group"].details == () and by_name["Birmingham Group"].area == "Birmingham"
    # No names of people unless the researcher asks for them.
    plain = build_report_data(listed, today=TODAY)
    assert {e.person for e in plain.directory} == {None}
    assert dict(next(e for e in plain.directory if e.name == "All Details Trust").details).keys() == {
        "Phone", "Address"}  # neither the contact's name nor the contact's own email

    text = text_of(render_report(data, tmp_path / "listed.pdf"))
    directory = text[text.index("Appendix: directory of organisations", text.index("Appendix: directory") + 40):]
    assert "Phone Only Forum Phone: 0121 496 0000" in directory
    assert "info@phone.example.org" not in directory and "High Street" not in directory
    assert "phone.example.org" not in directory and "Ada Phone" not in directory and "07700" not in directory
    assert "Said No Network" not in directory and "0121 496 0002" not in directory
    order = [directory.index(area) for area in ("Birmingham Birmingham Group", "Dudley Dudley Forum",
                                                "Walsall Phone Only Forum", "Regional All Details Trust",
                                                "National National Body", "Not recorded Nowhere Group")]
    assert order == sorted(order)  # each area once, as a heading over its organisations
    assert directory.count("Walsall") == 1


def test_the_demo_directory_shows_details(demo: Study):
    data = build_report_data(demo, ReportOptions(sections=("directory",)), today=TODAY)
    labels = {label for e in data.directory for label, _ in e.details}
    assert {"Phone", "Email", "Address", "Website"} <= labels
    assert any(not e.details for e in data.directory) and any(len(e.details) >= 3 for e in data.directory)


def test_the_directory_questions_are_not_findings(demo: Study):
    assert {"e2a", "e2b", "e2c", "e2d", "e2e"} <= {q.id for q in demo.template.questions()}
    data = build_report_data(demo, ReportOptions(sections=("crosstabs",), small_numbers=None), today=TODAY)
    asked = {x.question_id for x in data.crosstabs}
    assert "e2" in asked and not asked & {"e2a", "e2b", "e2c", "e2d", "e2e"}


# --- 5. small numbers -------------------------------------------------------------------------


def test_small_numbers_are_protected_unless_the_researcher_turns_it_off(sizes: Study):
    assert suppression.study_choice(sizes) == 5 == suppression.DEFAULT_CHOICE
    data, size = size_table(sizes)
    assert data.small_numbers == custom_rule(5) and size.protected
    assert size.rows[0].cells == ("*", "*", "*") and size.total.base == "10"  # 3, 3 and 1 hidden; 10 exact
    suppression.set_study_choice(sizes, None)
    assert sizes.meta("report.small_numbers") == "off"
    data, size = size_table(sizes)
    assert data.small_numbers is None and not size.protected
    suppression.set_study_choice(sizes, "nhs")
    assert size_table(sizes)[0].small_numbers is NHS
    assert size_table(sizes, small_numbers=3)[0].small_numbers == custom_rule(3)  # the report's own choice wins
    assert size_table(sizes, small_numbers="off")[0].small_numbers is None


def test_the_answer_tables_agree_with_the_tables_of_organisations(demo: Study):
    data = build_report_data(demo, ReportOptions(sections=("tables", "crosstabs")), today=TODAY)
    interviewed = {r.group: r.interviewed for r in data.by_category}
    a5 = next(x for x in data.crosstabs if x.question_id == "a5")  # asked of every organisation interviewed
    for row in [*a5.rows, a5.total]:
        if row.base_count is not None:  # exact wherever shown: "8 answering" beside "8 interviewed"
            assert row.base_count == interviewed[row.group], row.group
    # Under a rounding rule the note says the tables of organisations are exact.
    nhs = build_report_data(demo, ReportOptions(sections=("crosstabs",), small_numbers="nhs"), today=TODAY)
    assert any("the tables of organisations give exact counts of organisations" in n for n in nhs.notes)


def test_a_chart_shows_hidden_figures_as_hidden(demo: Study, tmp_path: Path):
    data = build_report_data(demo, ReportOptions(sections=("crosstabs",)), today=TODAY)
    drawn = [(x, charts.chart_for(x)) for x in data.crosstabs]
    stacked = [(x, c) for x, c in drawn if c is not None and isinstance(c[1], charts.StackedBars)]
    hidden = [(x, c) for x, c in stacked if any(r.hidden for r in c[1].rows)]
    assert hidden, "a protected table with a chart"
    x, (caption, chart) = hidden[0]
    assert len(chart.rows) == len(x.rows) + 1  # every category kept, its hidden share hatched
    assert charts.HIDDEN_KEY in chart.keys and "Hatched: not shown" in caption
    bars = [c[1] for _, c in drawn if c is not None and isinstance(c[1], charts.HorizontalBars)]
    assert any(b.percent is None for chart in bars for b in chart.bars)
    text = text_of(render_report(data, tmp_path / "hidden.pdf"))
    assert "not shown (small number)" in text and "Not shown (small number)" in text


def test_the_command_line_uses_the_study_setting_and_can_turn_it_off():
    args = cli._parser().parse_args(["report", "s.fieldkit", "-o", "r.pdf"])
    assert args.small_numbers == suppression.FROM_STUDY
    assert ReportOptions(small_numbers=args.small_numbers).small_numbers == suppression.FROM_STUDY
    off = cli._parser().parse_args(["report", "s.fieldkit", "-o", "r.pdf", "--small-numbers", "off"])
    assert ReportOptions(small_numbers=off.small_numbers).rule is None
    with pytest.raises(argparse.ArgumentTypeError, match="unknown small-number rule 'lots'"):
        cli._small_numbers("lots")
