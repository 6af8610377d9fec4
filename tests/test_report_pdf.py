"""The mapping report as a PDF, read back with pdfplumber.

Reports are built from the demo study and from a hand-made study through the real path
(``build_report_data`` then ``render_report``); what the PDF says is compared with the data
object and with the study itself: cover, metadata, contents and outline against the pages,
"Page x of y", every table's numbers, the directory's permission rule, page sizes, text kept
inside the margins, a long table split with its header repeated, and cancelling.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path

import pdfplumber
import pytest
from pdfminer.pdftypes import resolve1
from reportlab.lib.pagesizes import A4, LETTER

from fieldkit.demo import build_demo
from fieldkit.errors import FieldkitError
from fieldkit.reports.data import ReportOptions, build_report_data
from fieldkit.reports.directory import by_area
from fieldkit.reports.pages import cell_text
from fieldkit.reports.pdf import ReportCancelled, render_report, render_report_bytes
from fieldkit.study import Study
from studies import small_template

TODAY = dt.date(2026, 5, 14)
MARGIN = 20 * 72 / 25.4  # the body pages' side margins, in points


def norm(text: str) -> str:
    return " ".join(text.split())


class Pdf:
    """What a test needs from a rendered report: page texts, sizes, words and the outline."""

    def __init__(self, path: Path):
        self.path = path
        with pdfplumber.open(path) as pdf:
            self.metadata = dict(pdf.metadata)
            self.sizes = [(p.width, p.height) for p in pdf.pages]
            self.texts = [p.extract_text() or "" for p in pdf.pages]
            self.chars = [[(c["text"], c["x0"], c["x1"], c["top"], c["bottom"]) for c in p.chars] for p in pdf.pages]
            self.words = [p.extract_words() for p in pdf.pages]
            pages = {p.page_obj.pageid: i + 1 for i, p in enumerate(pdf.pages)}
            self.outline = []
            for level, title, dest, _action, _se in pdf.doc.get_outlines():
                self.outline.append((level, title, pages[resolve1(dest)[0].objid]))
            self._pdf_path = path

    def column_text(self, page: int, left: str, right: str | None) -> str:
        """The text of one table column on ``page`` (1-based): from the header word ``left`` to
        the header word ``right`` (or the right margin), below the header row."""
        words = self.words[page - 1]
        head = next(w for w in words if w["text"] == left)
        x1 = next(w for w in words if w["text"] == right and abs(w["top"] - head["top"]) < 2)["x0"] if right \
            else self.sizes[page - 1][0] - MARGIN + 1
        with pdfplumber.open(self._pdf_path) as pdf:
            p = pdf.pages[page - 1]
            crop = p.crop((head["x0"] - 1, head["bottom"] + 1, x1 - 1, p.height - 22 * 72 / 25.4))
            return norm(crop.extract_text() or "")

    def left_column(self, pages: range, width: float) -> str:
        """The text of the body's left ``width`` points on ``pages`` (1-based), below the running head."""
        with pdfplumber.open(self._pdf_path) as pdf:
            out = []
            for page in pages:
                p = pdf.pages[page - 1]
                crop = p.crop((MARGIN - 1, 25 * 72 / 25.4, MARGIN + width, p.height - 22 * 72 / 25.4))
                out.append(crop.extract_text() or "")
        return norm(" ".join(out))

    def pages_between(self, title: str) -> str:
        """The text from the page of the outline entry ``title`` to the page of the next entry."""
        for i, (_, t, page) in enumerate(self.outline):
            if t == title:
                end = self.outline[i + 1][2] if i + 1 < len(self.outline) else len(self.texts)
                return norm(" ".join(self.texts[page - 1:end]))
        raise AssertionError(f"no outline entry {title!r}")


# --- the demo report --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-report")
    study = build_demo(folder / "demo.fieldkit", organisations=60, today=TODAY)
    data = build_report_data(study, ReportOptions(include_person=True, seed=7), today=TODAY)
    listed = set()
    for org_id in study.organisations.ids():
        org = study.organisations.get(org_id)
        if "permission_to_list" in org.flags and org.status != "excluded":
            listed.add(org.name)
    unlisted = {study.organisations.get(i).name for i in study.organisations.ids()} - listed
    study.close()
    progress: list[float] = []
    path = render_report(data, folder / "report.pdf", progress=progress.append)
    return data, Pdf(path), listed, unlisted, progress


def test_cover_metadata_and_page_footers(demo):
    data, pdf, *_ = demo
    cover = norm(pdf.texts[0])
    for words in (data.title, data.client, data.author, "May 2026"):  # the month of export, unless set
        assert words in cover
    assert pdf.metadata["Title"] == data.title
    assert pdf.metadata["Author"] == data.author
    assert data.client in pdf.metadata["Subject"]
    n = len(pdf.texts)
    assert n > 10
    assert "Page 1 of" not in pdf.texts[0]  # the cover carries no page number
    for number, text in enumerate(pdf.texts[1:], 2):
        assert f"Page {number} of {n}" in text
    assert all(size == pytest.approx(A4, abs=0.5) for size in pdf.sizes)


def test_contents_outline_and_headings_agree(demo):
    data, pdf, *_ = demo
    lines = [line for line in pdf.texts[1].splitlines() if not re.search(r"Page \d+ of \d+$", line)]
    contents = [m.groups() for m in (re.match(r"^(.*\S)\s+(\d+)$", line) for line in lines) if m]
    titles = [t for _, t, _ in pdf.outline]
    # every section and subsection: in the outline, in the contents with its page, and on that page
    expected = ["Method", "Organisations excluded, by reason", "Response and cooperation rates", "Final dispositions",
                "Organisations mapped", "By category", "By area",
                "Target and achieved", "Answers by category", *[x.question_label for x in data.crosstabs],
                "Findings", *[t.theme for t in data.comments],
                "Appendix: directory of organisations"]
    assert titles == expected
    assert len(contents) == len(pdf.outline)
    for (level, title, page), (shown, number) in zip(pdf.outline, contents, strict=True):
        assert title.startswith(shown) and int(number) == page, (title, shown, number, page)
        assert norm(title) in norm(pdf.texts[page - 1]), f"{title!r} is not on page {page}"
        assert level == (1 if title in ("Method", "Organisations mapped", "Answers by category",
                                        "Findings",
                                        "Appendix: directory of organisations") else 2)


def test_tables_show_the_numbers_of_the_data_object(demo):
    data, pdf, *_ = demo
    m = data.method
    method = pdf.pages_between("Method")
    for label, n in (("Organisations identified", m.total), ("Contacted", m.contacted), ("Excluded", m.excluded),
                     ("On the database", m.on_database), ("Interviewed", m.interviewed),
                     ("Could not be reached", m.not_reached), ("Listed with permission", m.listed_with_permission)):
        assert f"{label} {n}" in method
    assert len(data.method_section.counts) > 10
    for label, n in data.method_section.counts:
        assert f"{label} {n:,}" in method
    rates = pdf.pages_between("Response and cooperation rates")
    assert data.method_section.rates
    for r in data.method_section.rates:
        assert f"{r.name} {r.text}" in rates
    dispositions = pdf.pages_between("Final dispositions")
    assert data.dispositions[-1].label == "Total"
    for r in data.dispositions:
        assert f"{r.code} {r.label} {r.organisations:,}".strip() in dispositions
    excluded = pdf.pages_between("Organisations excluded, by reason")
    for reason, n in m.excluded_by_reason:
        assert f"{reason} {n}" in excluded
    for title, rows in (("By category", data.by_category), ("By area", data.by_area)):
        text = pdf.pages_between(title)
        for r in rows:
            assert f"{r.group} {r.on_database:,} {r.interviewed:,}" in text
    targets = pdf.pages_between("Target and achieved")
    for r in data.targets:
        assert f"{r.group} {r.target} {r.interviewed}" in targets
    assert data.crosstabs
    for x in data.crosstabs:
        text = pdf.pages_between(x.question_label)
        lines = [*x.rows, x.total]
        for i, choice in enumerate(x.choices):
            assert " ".join(line.cells[i] for line in lines) in text, (x.question_label, choice)
        answering = "Respondents" if x.anonymous else "Organisations answering"
        assert f"{answering} " + " ".join(cell_text(line.respondents) for line in lines) in text  # "*" if hidden


def test_directory_lists_exactly_the_organisations_with_permission(demo):
    data, pdf, listed, unlisted, _ = demo
    assert {e.name for e in data.directory} == listed
    start = next(page for _, t, page in pdf.outline if t == "Appendix: directory of organisations")
    pages = range(start, len(pdf.texts) + 1)
    # Down the left: each area once (again only at the top of a page its rows run onto), then
    # its organisations by name.
    column = pdf.left_column(pages, 190)
    groups = by_area(data.directory)
    assert len(groups) > 5
    at = 0
    for area, entries in groups:
        block = norm(" ".join([area, *(e.name for e in entries)]))
        found = column.find(block, at)
        if found < 0:  # the area's rows run onto the next page under its name again
            found = column.find(norm(" ".join([area, entries[0].name])), at)
        assert found >= 0, (area, column[at:at + 200])
        at = found + 1
    # Beside each: what it agreed to have listed, the person named (the contact) among it.
    # (right-to-left and Indic names extract in visual order; test_report_text proves those)
    directory = norm(" ".join(pdf.texts[start - 1:]))
    details = [f"{label}: {value}" for e in data.directory for label, value in e.details
               if all(ord(ch) < 0x590 for ch in value)]
    assert len(details) > 40 and all(norm(d) in directory for d in details if len(d) < 60)
    latin = [e.person for e in data.directory if e.person and all(ord(ch) < 0x590 for ch in e.person)]
    assert len(latin) > 5 and all(person in directory for person in latin)
    assert not [name for name in unlisted if name in directory]


def test_comments_are_printed_as_quotations_in_the_data_order(demo):
    data, pdf, *_ = demo
    for theme in data.comments:
        text = pdf.pages_between(theme.theme)
        at = 0
        for quotation in theme.quotations:  # each one after the one before (some repeat)
            at = text.find(norm(quotation), at)
            assert at >= 0, (theme.theme, quotation)
            at += 1


URDU = "چھوٹی تنظیموں کو طویل مدتی بنیادی فنڈنگ کی ضرورت ہے"


def test_a_quotation_has_its_rule_on_the_side_it_starts_from(tmp_path: Path):
    """Left of an English quotation; right of an Urdu one, which starts at the right margin."""
    study = Study.create(tmp_path / "q.fieldkit", small_template())
    org = study.organisations.add("Alum Rock Forum", category="Network")
    for words in ("Funding rules shut small groups out", URDU, "Volunteers are tired and need support"):
        session = study.interviews.start(org)
        session.save_answer("sector_barriers", words)
        session.complete()
    study.held.move_now()  # three interviews, fewer than k: moved on purpose
    data = build_report_data(study, ReportOptions(sections=("comments",)), today=TODAY)
    study.close()
    path = render_report(data, tmp_path / "q.pdf")
    arabic = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
    seen = {"ltr": 0, "rtl": 0}
    with pdfplumber.open(path) as doc:
        for page in doc.pages:
            for rule in page.lines:
                if abs(rule["x0"] - rule["x1"]) > 0.01 or abs(rule.get("linewidth", 0) - 2.2) > 0.05:
                    continue  # not a quotation's rule
                x = rule["x0"]
                chars = [c for c in page.chars if c["top"] >= rule["top"] - 2 and c["bottom"] <= rule["bottom"] + 2
                         and c["text"].strip()]
                if sum(bool(arabic.match(c["text"])) for c in chars) > len(chars) / 2:
                    seen["rtl"] += 1
                    assert max(c["x1"] for c in chars) < x, "the rule of an Urdu quotation is on its right"
                else:
                    seen["ltr"] += 1
                    assert min(c["x0"] for c in chars) > x, "the rule of a quotation is on its left"
    assert seen == {"ltr": 2, "rtl": 1}


def test_progress_rises_to_one(demo):
    *_, progress = demo
    assert progress == sorted(progress) and progress[-1] == 1.0 and len(progress) > 5


# --- a hand-made study ------------------------------------------------------------------------

NAMES = ["Łódź Polish Club", "陈氏华人协会", "Northfield Youth Network", "Aston Advice Network"]


def _hand_made(path: Path, organisations: int) -> Study:
    """``organisations`` organisations over three areas; every third without permission to list;
    a few interviews with named and anonymous answers."""
    s = Study.create(path, small_template(), title="Hand-made study", client="The Council", author="A. Researcher")
    categories, areas = ["Network", "Infrastructure", "Access point"], ["Birmingham", "Coventry", "Regional"]
    for i in range(organisations):
        name = NAMES[i] if i < len(NAMES) else f"Community Group Number {i:03d} of the West Midlands"
        org = s.organisations.add(name, category=categories[i % 3], area=areas[i % 3],
                                  flags=[] if i % 3 == 2 else ["permission_to_list"])
        if i < 6:
            session = s.interviews.start(org, date="2026-03-02")
            session.save_answer("size", ["Small", "Medium", "Large"][i % 3])
            session.save_answer("board", i % 2 == 0)
            session.save_answer("sector_barriers", f"Barrier number {i}: rent for a hall has doubled.")
            session.complete()
            session.close()
    return s


def test_long_table_splits_across_pages_with_its_header_repeated(tmp_path: Path):
    study = _hand_made(tmp_path / "big.fieldkit", 150)
    data = build_report_data(study, ReportOptions(sections=("directory",)), today=TODAY)
    study.close()
    pdf = Pdf(render_report(data, tmp_path / "big.pdf"))
    assert len(data.directory) == 100
    pages = range(3, len(pdf.texts) + 1)  # cover, contents, then the directory
    assert len(pages) >= 3
    areas = {e.area for e in data.directory}
    for page in pages[1:]:  # an area's rows that run onto a page come under its name again
        with pdfplumber.open(pdf.path) as doc:
            lines = [line["text"] for line in doc.pages[page - 1].extract_text_lines()]
        assert lines[1] in areas, f"no area heading at the top of page {page}: {lines[:3]}"
    column = pdf.left_column(pages, 190)
    for area in ("Birmingham", "Coventry", "Regional"):
        column = column.replace(area + " ", "")  # the areas' headings, leaving the names
    assert norm(" ".join(e.name for e in data.directory)) in column
    assert "陈氏华人协会" in column and "Łódź Polish Club" in column


@pytest.mark.parametrize("size, expected", [("a4", A4), ("letter", LETTER)])
def test_page_size_and_nothing_outside_the_margins(tmp_path: Path, size: str, expected):
    study = _hand_made(tmp_path / "small.fieldkit", 12)
    data = build_report_data(study, ReportOptions(page_size=size, small_numbers="nhs"), today=TODAY)
    study.close()
    pdf = Pdf(render_report(data, tmp_path / f"{size}.pdf", page_size=size))
    assert all(s == pytest.approx(expected, abs=0.5) for s in pdf.sizes)
    width, height = expected
    for number, chars in enumerate(pdf.chars, 1):
        outside = [c for c in chars if c[1] < MARGIN - 1 or c[2] > width - MARGIN + 1 or c[3] < 0 or c[4] > height]
        assert not outside, f"page {number}: {outside[:5]}"
    # the protected crosstab prints the data's cells, hidden ones as "*"
    x = next(t for t in data.crosstabs if t.question_id == "size")
    text = pdf.pages_between(x.question_label)
    for i in range(len(x.choices)):
        assert " ".join(line.cells[i] for line in [*x.rows, x.total]) in text
    assert "*" in " ".join(c for line in x.rows for c in line.cells)


def test_demo_text_stays_inside_the_margins(demo):
    _, pdf, *_ = demo
    width, height = A4
    for number, chars in enumerate(pdf.chars, 1):
        outside = [c for c in chars if c[1] < MARGIN - 1 or c[2] > width - MARGIN + 1 or c[4] > height - 10]
        assert not outside, f"page {number}: {outside[:5]}"


# --- cancelling and writing -------------------------------------------------------------------


@pytest.fixture
def small_data(tmp_path: Path):
    study = _hand_made(tmp_path / "small.fieldkit", 12)
    data = build_report_data(study, ReportOptions(), today=TODAY)
    study.close()
    return data


def test_a_cancelled_render_leaves_no_file(tmp_path: Path, small_data):
    folder = tmp_path / "out"
    folder.mkdir()
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 20

    with pytest.raises(ReportCancelled) as caught:
        render_report(small_data, folder / "report.pdf", cancelled=cancelled)
    assert isinstance(caught.value, FieldkitError)
    assert os.listdir(folder) == []


def test_a_cancelled_render_leaves_an_existing_file_untouched(tmp_path: Path, small_data):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"the report sent last week")
    with pytest.raises(ReportCancelled):
        render_report(small_data, target, cancelled=lambda: True)
    assert target.read_bytes() == b"the report sent last week"
    assert sorted(os.listdir(tmp_path)) == ["report.pdf", "small.fieldkit"]
    # and a finished render replaces it whole
    render_report(small_data, target)
    assert target.read_bytes().startswith(b"%PDF") and sorted(os.listdir(tmp_path)) == ["report.pdf",
                                                                                       "small.fieldkit"]


# --- in memory, for the preview ---------------------------------------------------------------


def test_the_report_in_memory_is_the_report_on_disk_and_writes_no_file(tmp_path: Path, small_data, monkeypatch):
    import tempfile

    from reportlab import rl_config

    monkeypatch.setattr(rl_config, "invariant", 1)  # fixed dates and document id: same data, same bytes
    on_disk = render_report(small_data, tmp_path / "report.pdf", page_size="letter").read_bytes()
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.chdir(temp)
    before = sorted(os.listdir(tmp_path))
    progress: list[float] = []
    pdf = render_report_bytes(small_data, page_size="letter", progress=progress.append)
    assert isinstance(pdf, bytes) and pdf == on_disk
    assert progress[-1] == 1.0 and progress == sorted(progress)
    assert sorted(os.listdir(tmp_path)) == before and os.listdir(temp) == []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert round(doc.pages[0].width) == 612
        assert "Barrier number 3" in norm(" ".join(p.extract_text() or "" for p in doc.pages))


def test_a_cancelled_render_in_memory_raises_and_an_unknown_page_size_is_refused(small_data):
    with pytest.raises(ReportCancelled):
        render_report_bytes(small_data, cancelled=lambda: True)
    with pytest.raises(FieldkitError) as caught:
        render_report_bytes(small_data, page_size="a3")
    assert "unknown page size 'a3'" in str(caught.value)


def test_a_table_longer_than_its_chunks_is_paged_as_one_table_would_be(tmp_path: Path, monkeypatch):
    """The directory's two areas here hold 200 organisations each, more rows than a long table
    lays out at once: the pages come out as they do from one reportlab table of every row."""
    from fieldkit.reports.pages import LongTable

    study = _hand_made(tmp_path / "long.fieldkit", 600)
    data = build_report_data(study, ReportOptions(sections=("directory",)), today=TODAY)
    study.close()
    assert len(data.directory) == 400 and len({e.area for e in data.directory}) == 2
    assert min(len(g) for _, g in by_area(data.directory)) > LongTable.chunk
    chunked = Pdf(render_report(data, tmp_path / "chunked.pdf"))
    monkeypatch.setattr(LongTable, "chunk", 10**6)
    whole = Pdf(render_report(data, tmp_path / "whole.pdf"))
    assert len(chunked.texts) > 8
    assert chunked.texts == whole.texts
    text = norm(" ".join(chunked.texts[2:]))
    assert [e.name for e in data.directory if text.count(e.name) != 1] == []


def test_a_long_table_splits_into_every_row_once_with_its_total_last(tmp_path: Path):
    from reportlab.platypus import Table

    from fieldkit.reports.pages import LongTable, Styles, table

    rows = [[f"Row {i}", i] for i in range(1, 401)] + [["Total", sum(range(1, 401))]]
    flowable = table(Styles(), ["Group", "Organisations"], rows, [None, 30 * 72 / 25.4], width=400, total=True)
    assert isinstance(flowable, LongTable)
    parts: list[Table] = []
    while not isinstance(flowable, Table):  # page after page, 500 points each, as a frame would
        flowable.wrap(400, 500)
        first, flowable = flowable.split(400, 500)
        parts.append(first)
    parts.append(flowable)
    assert len(parts) >= 10
    def text(row):
        return [getattr(cell, "text", None) or cell[0].text for cell in row]  # a paragraph, or a tuple of them

    cells = [text(row) for part in parts for row in part._cellvalues[1:]]
    assert cells == [[str(r[0]), f"{r[1]:,}"] for r in rows]
    assert all(text(part._cellvalues[0]) == ["Group", "Organisations"] for part in parts)
    above = [[line for line in part._linecmds if line[0] == "LINEABOVE"] for part in parts]
    assert not any(above[:-1]) and above[-1]
