"""The client report as a Word document, read back with python-docx (and, where LibreOffice is
installed, converted to PDF and read with pdfplumber).

A demo study is written up through the real API (``outline``, ``quotations``): a background
with bold words, lists, a quotation, a table, a link and a footnote, live figures, Arabic text,
chosen quotations, recommendations and both logos. What the .docx says is compared with the
``ReportData`` it was made from: the Title, the Heading 1 of each printed section in order,
the styles of lists and quotations, the footnotes part, every table's cells, the charts as
pictures, the footer's page fields, the core properties and the page size.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Inches, Mm

from fieldkit import quotations
from fieldkit.demo import build_demo
from fieldkit.reports import charts, outline
from fieldkit.reports.data import ReportOptions, build_report_data
from fieldkit.reports.docx import PLACEHOLDER, render_docx, render_docx_bytes
from fieldkit.reports.docx_package import TABLE_STYLE
from fieldkit.reports.pages import cell_text
from fieldkit.reports.pdf import ReportCancelled
from fieldkit.reports.scripts import font_dir

TODAY = dt.date(2026, 5, 14)
FOOTNOTE = "Counted on 14 May 2026, from the study's own records."
BACKGROUND = f"""The partnership asked for a map of **community infrastructure** in the region.
{{interviewed}} organisations took part.[^1]

## What we set out to do

- Find every *small group* working with communities
- Ask what holds them back
  - funding
  - volunteers

1. First numbered
2. Second numbered

> A block quotation from the brief.

| Area | Groups |
|:-----|-------:|
| Birmingham | 12 |
| Coventry | 7 |

See [the partnership's site](https://example.org/partnership).

[^1]: {FOOTNOTE}
"""
ARABIC = "مرحبا بكم في التقرير"
RECOMMENDATIONS = (("Set up a small grants fund with a one-page form.", "Local authorities"),
                   ("Share office space between groups.", "Infrastructure bodies"))


def png(path: Path, width: int, height: int) -> Path:
    """A small valid PNG, written by hand."""
    raw = b"".join(b"\x00" + b"\x1f\x5c\x7a" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


class Written:
    """The written-up demo study, its report data and its .docx read back."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.study = study = build_demo(folder / "demo.fieldkit", organisations=60)
        outline.set_logo(study, "client", png(folder / "client.png", 80, 30))
        outline.set_logo(study, "author", png(folder / "author.png", 30, 30))
        outline.set_cover(study, subtitle="A study of community infrastructure", confidentiality="Confidential")
        outline.set_text(study, "background", BACKGROUND)
        outline.set_text(study, "aims", f"{ARABIC}.")
        outline.set_text(study, "recommendations", "Two things would help most.")
        # The researcher's order (recommendations second) and a heading of their own.
        outline.set_order(study, ["background", "recommendations"])
        outline.set_heading(study, "comments", "What we heard")
        for text, who in RECOMMENDATIONS:
            outline.add_recommendation(study, text, who)
        by_theme: dict[str, list] = {}
        for c in study.pool.comments():
            for t in c.themes:
                by_theme.setdefault(t, []).append(c)
        self.theme = next(t for t, cs in by_theme.items() if len(cs) >= 4)
        picked = by_theme[self.theme]
        self.chosen = [picked[3], picked[0], picked[2]]
        quotations.set_chosen(study, self.theme, [c.id for c in self.chosen])
        self.data = build_report_data(study, ReportOptions(seed=1), today=TODAY)
        self.path = render_docx(self.data, folder / "report.docx")
        self.doc = docx.Document(str(self.path))

    def paragraphs(self, style: str) -> list[str]:
        return [p.text for p in self.doc.paragraphs if p.style.name == style]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory):
    w = Written(tmp_path_factory.mktemp("docx"))
    yield w
    w.study.close()


def printed_headings(data) -> list[str]:
    return [data.text_of(k).heading for k in data.sections if data.has_content(k)]


def full_text(p) -> str:
    """A paragraph's text with the results of its fields (python-docx's ``text`` leaves them out)."""
    return "".join("\t" if el.tag == qn("w:tab") else el.text or "" for el in p._p.iter(qn("w:t"), qn("w:tab")))


def table_text(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_cover_title_subtitle_logos_and_properties(written: Written):
    data, doc = written.data, written.doc
    assert written.paragraphs("Title") == [written.study.title] == [data.cover.title]
    assert written.paragraphs("Subtitle") == ["A study of community infrastructure"]
    body = [p.text for p in doc.paragraphs]
    assert f"Prepared for\t{data.cover.client}" in body and f"Prepared by\t{data.cover.author}" in body
    assert f"Date\t{data.cover.date}" in body and "Confidential" in body
    cover = doc.paragraphs[0]
    assert len(cover._p.findall(f".//{qn('wp:inline')}")) == 2  # both logos, before the title
    cp = doc.core_properties
    assert (cp.title, cp.author, cp.language) == (data.cover.title, data.cover.author, data.lang)
    assert cp.subject == f"{data.cover.subtitle or 'Report'} for {data.cover.client}"


def test_heading_1_is_each_printed_section_in_order(written: Written):
    data = written.data
    headings = written.paragraphs("Heading 1")
    assert headings == printed_headings(data)
    assert "Appendices" not in headings and not data.has_content("appendices")  # nothing written: no heading
    assert headings[:2] == ["Background", "Recommendations"] and "What we heard" in headings
    # The contents: a TOC field with a placeholder until Word or LibreOffice updates it.
    xml = written.doc.element.body.xml
    assert 'TOC \\o "1-3" \\h \\z \\u' in xml and PLACEHOLDER in xml
    assert written.paragraphs("TOC Heading") == ["Contents"]


def test_written_background_keeps_bold_lists_quotation_table_link_and_footnote(written: Written):
    doc = written.doc
    paragraphs = doc.paragraphs
    first = next(p for p in paragraphs if p.text.startswith("The partnership asked"))
    assert [r.text for r in first.runs if r.bold] == ["community infrastructure"]
    assert written.paragraphs("List Bullet") == ["Find every small group working with communities",
                                                 "Ask what holds them back"]
    assert written.paragraphs("List Bullet 2") == ["funding", "volunteers"]
    assert written.paragraphs("List Number") == ["First numbered", "Second numbered"]
    assert "A block quotation from the brief." in written.paragraphs("Quote")
    assert "What we set out to do" in written.paragraphs("Heading 2")
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Area" and len(t.columns) == 2
                 and t.rows[0].cells[1].text == "Groups")
    assert table_text(table) == [["Area", "Groups"], ["Birmingham", "12"], ["Coventry", "7"]]
    # The link is a hyperlink to an external relationship.
    link = next(p for p in paragraphs if p.text.startswith("See "))
    hyperlink = link._p.find(qn("w:hyperlink"))
    assert hyperlink is not None
    rel = doc.part.rels[hyperlink.get(qn("r:id"))]
    assert rel.is_external and rel.target_ref == "https://example.org/partnership"
    # The footnote: in word/footnotes.xml, referenced from the paragraph that cites it.
    notes_part = doc.part.part_related_by(RT.FOOTNOTES)
    assert notes_part.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    notes = docx.oxml.parse_xml(notes_part.blob)
    by_id = {n.get(qn("w:id")): "".join(t.text for t in n.iter(qn("w:t"))).strip()
             for n in notes.iter(qn("w:footnote"))}
    assert by_id["-1"] == "" and by_id["0"] == ""  # the separators
    note_id = next(i for i, text in by_id.items() if text == FOOTNOTE)
    refs = [r.get(qn("w:id")) for r in first._p.iter(qn("w:footnoteReference"))]
    assert refs == [note_id]
    ref_run = next(first._p.iter(qn("w:footnoteReference"))).getparent()
    assert ref_run.find(f"{qn('w:rPr')}/{qn('w:rStyle')}").get(qn("w:val")) == "FootnoteReference"


def test_live_figures_are_filled_in(written: Written):
    body = "\n".join(p.text for p in written.doc.paragraphs)
    assert f"{written.data.method.interviewed} organisations took part." in body
    assert "{interviewed}" not in body


def test_right_to_left_text_is_marked(written: Written):
    p = next(p for p in written.doc.paragraphs if p.text.startswith(ARABIC))
    assert p._p.pPr.find(qn("w:bidi")) is not None
    assert all(r._r.rPr is not None and r._r.rPr.find(qn("w:rtl")) is not None for r in p.runs)
    english = next(p for p in written.doc.paragraphs if p.text.startswith("The partnership asked"))
    assert english._p.pPr.find(qn("w:bidi")) is None


def test_chosen_quotations_follow_their_theme_in_the_chosen_order(written: Written):
    label = written.study.template.theme_label(written.theme)
    paragraphs = written.doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.style.name == "Heading 2" and p.text == label)
    quoted = []
    for p in paragraphs[start + 1:]:
        if p.style.name.startswith("Heading"):
            break
        if p.style.name == "Quote":
            quoted.append(p.text)
    assert quoted == [c.text.strip() for c in written.chosen]


def test_recommendations_table(written: Written):
    table = next(t for t in written.doc.tables if t.rows[0].cells[0].text == "Recommendation")
    assert table_text(table) == [["Recommendation", "Who should act"], *[list(r) for r in RECOMMENDATIONS]]
    assert "Two things would help most." in [p.text for p in written.doc.paragraphs]


def areas(data) -> list[str]:
    return list(dict.fromkeys(e.area for e in data.directory))


def expected_tables(data) -> int:
    words, m = data.method_section, data.method
    return (1 + bool(m.excluded_by_reason) + bool(words.rates)  # the method's counts, exclusions, rates
            + bool(data.dispositions) + bool(data.by_category) + bool(data.by_area) + bool(data.targets)
            + len(data.crosstabs) + 1 + bool(data.recommendations)  # 1: the background's
            + len(areas(data)))  # the directory: a table for each area


def test_every_table_is_there_in_the_table_style_with_a_repeating_header(written: Written):
    doc, data = written.doc, written.data
    assert len(doc.tables) == expected_tables(data)
    for t in doc.tables:
        assert t.style.name == TABLE_STYLE
        assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    captions = [full_text(p) for p in doc.paragraphs if p.style.name == "Caption" and p.text.startswith("Table ")]
    # Numbered in order; the researcher's own table and the directory's have no caption.
    assert [c.split(":")[0] for c in captions] == [f"Table {n}"
                                                    for n in range(1, len(doc.tables) - len(areas(data)))]
    assert "SEQ Table" in doc.element.body.xml and "SEQ Figure" in doc.element.body.xml


def test_the_directory_lists_each_area_with_what_its_organisations_agreed_to(written: Written):
    doc, data = written.doc, written.data
    assert data.directory and any(e.details for e in data.directory)
    start = next(i for i, t in enumerate(doc.tables) if t.rows[0].cells[0].text == data.directory[0].area)
    tables = doc.tables[start:]
    assert [t.rows[0].cells[0].text for t in tables] == areas(data)
    assert all(len(t.rows[0]._tr.tc_lst) == 1 for t in tables)  # the area across the table, as its header
    listed = [row for t in tables for row in table_text(t)[1:]]
    assert listed == [[e.name, "\n".join(f"{label}: {value}" for label, value in e.details)] for e in data.directory]


def test_each_crosstab_prints_its_cells(written: Written):
    doc, data = written.doc, written.data
    answer_tables = [t for t in doc.tables if t.rows[0].cells[0].text == "Answer"]
    assert len(answer_tables) == len(data.crosstabs)
    for x, table in zip(data.crosstabs, answer_tables, strict=True):
        lines = [*x.rows, x.total]
        groups = [r.group for r in x.rows] + ["All answering" if x.anonymous else "Total"]
        expected = [["Answer", *groups]]
        expected += [[choice, *[line.cells[i] for line in lines]] for i, choice in enumerate(x.choices)]
        expected.append(["Respondents" if x.anonymous else "Organisations answering",
                         *[cell_text(line.respondents) for line in lines]])
        assert table_text(table) == expected, x.question_label
    assert written.paragraphs("Heading 2").count(data.crosstabs[0].question_label) == 1


def test_charts_are_inline_pictures_with_figure_captions(written: Written):
    doc, data = written.doc, written.data
    charted = [x for x in data.crosstabs if charts.chart_for(x) is not None]
    assert charted
    assert len(doc.inline_shapes) == 2 + len(charted)  # the two logos, then one chart per crosstab
    figures = [full_text(p) for p in doc.paragraphs if p.style.name == "Caption" and p.text.startswith("Figure ")]
    assert len(figures) == len(charted)
    assert [f.split(":")[0] for f in figures] == [f"Figure {n}" for n in range(1, len(charted) + 1)]
    assert figures[0].endswith(charts.chart_for(charted[0])[0])
    width = doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin
    chart = doc.inline_shapes[2]
    assert abs(chart.width - width) < Mm(0.1)
    image = doc.part.related_parts[chart._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert image.content_type == "image/png" and image.image.px_width > 1000  # about 200 dpi at text width


def test_footer_page_numbers_header_title_and_page_size(written: Written):
    section = written.doc.sections[0]
    footer = section.footer._element.xml
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer
    # The cover's date (the month of export unless set), then the page number (until the fields update).
    assert full_text(section.footer.paragraphs[0]) == f"{written.data.cover.date}\tPage 1 of 1"
    assert full_text(section.first_page_footer.paragraphs[0]) == ""  # the cover carries no page number
    assert section.header.paragraphs[0].text == written.data.cover.title
    assert section.different_first_page_header_footer and section.first_page_header.paragraphs[0].text == ""
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.left_margin - Mm(20)) < Mm(0.05) and abs(section.right_margin - Mm(20)) < Mm(0.05)
    styles = written.doc.styles.element
    fonts = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "cs", "eastAsia")} == {"Noto Sans"}
    lang = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:val")) == written.data.lang


def test_letter_pages(written: Written):
    data = build_report_data(written.study, ReportOptions(seed=1, page_size="letter",
                                                          sections=("background",)), today=TODAY)
    doc = docx.Document(io.BytesIO(render_docx_bytes(data)))
    section = doc.sections[0]
    assert (section.page_width, section.page_height) == (Inches(8.5), Inches(11))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == ["Background"]


def test_the_file_appears_only_when_complete(written: Written, tmp_path: Path):
    target = tmp_path / "report.docx"
    target.write_bytes(b"an earlier report")
    calls = []

    def cancel_later() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ReportCancelled):
        render_docx(written.data, target, cancelled=cancel_later)
    assert target.read_bytes() == b"an earlier report" and os.listdir(tmp_path) == ["report.docx"]
    seen: list[float] = []
    render_docx(written.data, target, progress=seen.append)
    assert docx.Document(str(target)).paragraphs[0] is not None and os.listdir(tmp_path) == ["report.docx"]
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 3
    with pytest.raises(ReportCancelled):
        render_docx_bytes(written.data, cancelled=lambda: True)


def test_a_failed_write_leaves_the_earlier_file(written: Written, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "report.docx"
    target.write_bytes(b"an earlier report")

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(Exception, match="space"):
        render_docx(written.data, target)
    assert target.read_bytes() == b"an earlier report" and os.listdir(tmp_path) == ["report.docx"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_it_all(written: Written, tmp_path: Path):
    """Opened by another word processor, the headings, a crosstab's numbers, a quotation, the
    footnote and the recommendations all print."""
    out = tmp_path / "pdf"
    # The fonts the report names (Noto Sans) are fieldkit's own: a fresh machine may have no fonts
    # at all, so LibreOffice is shown them as well as the system's (fontconfig).
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                    f"<dir>{font_dir()}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(written.path)], check=True, capture_output=True, timeout=180, env=env)
    with pdfplumber.open(out / "report.pdf") as pdf:
        pages = [" ".join((p.extract_text() or "").split()) for p in pdf.pages]
    text = " ".join(pages)
    for heading in printed_headings(written.data):
        assert heading in text, heading
    x = written.data.crosstabs[0]
    for cell in x.total.cells:
        assert cell in text
    assert " ".join(written.chosen[0].text.split()) in text
    assert FOOTNOTE in text
    for what, who in RECOMMENDATIONS:
        assert what in text and who in text


def test_a_study_with_little_in_it(small_study, tmp_path: Path):
    """No interviews, no comments, nobody listed: only the sections with something to say print,
    and text the XML cannot hold (a control character) is left out rather than breaking the file."""
    small_study.organisations.add("Quiet Group", category="Network")
    outline.add_recommendation(small_study, "Ring\x07 back in spring.", "The researcher")
    data = build_report_data(small_study, ReportOptions(seed=1), today=TODAY)
    assert not data.crosstabs and not data.comments and not data.directory
    doc = docx.Document(io.BytesIO(render_docx_bytes(data)))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == printed_headings(data)
    assert "Recommendations" in printed_headings(data) and "Findings" not in printed_headings(data)
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Recommendation")
    assert table_text(table)[1] == ["Ring back in spring.", "The researcher"]
    assert len(doc.inline_shapes) == 0
