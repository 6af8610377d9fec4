"""The researcher's report: the outline, their own words with live figures, chosen quotations,
recommendations and the cover, from the study to the ReportData and the PDF read back."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path

import pdfplumber
import pytest

from fieldkit import quotations, summary
from fieldkit.demo import build_demo
from fieldkit.errors import InvalidValueError, NotFoundError
from fieldkit.reports import markup, outline
from fieldkit.reports.data import ReportOptions, build_report_data
from fieldkit.reports.figures import Figures
from fieldkit.reports.pdf import render_report
from fieldkit.reports.sections import ALL_SECTIONS, WRITTEN
from fieldkit.study import Study

TODAY = dt.date(2026, 11, 3)


@pytest.fixture
def demo(tmp_path: Path):
    study = build_demo(tmp_path / "demo.fieldkit", organisations=60)
    yield study
    study.close()


def png(path: Path, width: int = 40, height: int = 20) -> Path:
    """A small valid PNG, written by hand so the test needs no imaging library."""
    raw = b"".join(b"\x00" + b"\x1f\x3a\x4d" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


# --- the outline ---------------------------------------------------------------------------

def test_the_outline_is_saved_in_the_study_in_the_researchers_order(demo: Study, tmp_path: Path):
    assert [p.key for p in outline.parts(demo)] == list(ALL_SECTIONS)
    outline.set_order(demo, ["comments", "background"])
    outline.move(demo, "recommendations", -20)
    outline.set_included(demo, "directory", False)
    outline.set_heading(demo, "comments", "What we heard")
    outline.set_text(demo, "aims", "To map the groups.")
    path = demo.path
    demo.close()
    again = Study.open(path)
    try:
        keys = [p.key for p in outline.parts(again)]
        assert keys[:3] == ["recommendations", "comments", "background"]
        assert sorted(keys) == sorted(ALL_SECTIONS)
        assert "directory" not in outline.included(again)
        assert outline.part(again, "comments").heading == "What we heard"
        assert outline.part(again, "aims").body == "To map the groups."
        data = build_report_data(again, today=TODAY)
        assert data.sections[:3] == ("recommendations", "comments", "background")
        assert "directory" not in data.sections
        assert data.text_of("comments").heading == "What we heard"
        with pytest.raises(InvalidValueError, match="unknown report section 'summary'"):
            outline.set_included(again, "summary", True)
    finally:
        again.close()


def test_written_sections_without_words_print_nothing(demo: Study):
    data = build_report_data(demo, today=TODAY)
    assert not any(data.has_content(k) for k in WRITTEN)
    outline.set_text(demo, "conclusions", "Small groups need small grants.")
    data = build_report_data(demo, today=TODAY)
    assert data.has_content("conclusions") and not data.has_content("background")


# --- live figures --------------------------------------------------------------------------

def test_live_figures_are_filled_in_at_export(demo: Study):
    m = summary.method(demo)
    category = demo.template.categories[0]
    target_row = next(r for r in summary.targets(demo) if r.group == category)
    outline.set_text(demo, "background",
                     "We interviewed {interviewed} of {on_database} ({RR1}); "
                     f"{{target:{category}}} were wanted and {{achieved:{category}}} done. {{{{braces}}}}")
    data = build_report_data(demo, today=TODAY)
    words = markup.spans_text(data.text_of("background").text.blocks[0].spans)
    assert words == (f"We interviewed {m.interviewed} of {m.on_database} ({100 * m.rates['RR1']:.1f}%); "
                     f"{target_row.target} were wanted and {target_row.interviewed} done. {{braces}}")
    # The text keeps the names, not the numbers: a new organisation changes the next export.
    demo.organisations.add("A late addition", category=category)
    again = build_report_data(demo, today=TODAY)
    assert f"of {m.on_database + 1} (" in markup.spans_text(again.text_of("background").text.blocks[0].spans)


def test_an_unknown_figure_says_where_it_is(demo: Study):
    outline.set_text(demo, "background", "First line.\n\nWe spoke to {intervewed} groups.")
    with pytest.raises(InvalidValueError) as e:
        build_report_data(demo, today=TODAY)
    message = str(e.value)
    assert message.startswith("Background, line 3: unknown figure {intervewed}") and "\n" not in message
    assert "{interviewed}" in message  # the names there are
    f = Figures.of(demo)
    assert f.check("{target:Nowhere} and {table:pie}", "Aims") == [
        f"Aims: no category 'Nowhere' in {{target:Nowhere}} (categories: {', '.join(demo.template.categories)})",
        "Aims: unknown table {table:pie} (tables: {table:counts}, {table:excluded}, {table:rates}, "
        "{table:dispositions}, {table:by_category}, {table:by_area}, {table:targets})"]


# --- the Markdown --------------------------------------------------------------------------

def test_markdown_becomes_blocks_both_renderers_read():
    text = markup.parse("# Heading\n\nSome **bold**, *italic* and <b>raw</b>.[^b] Then[^a].\n\n"
                        "- one\n  - nested\n- two\n\n3. third\n4. fourth\n\n> Said.\n\n"
                        "| Who | n |\n|---|--:|\n| Council | 3 |\n\n{table:counts}\n\n[^a]: Note A.\n[^b]: Note B.\n")
    h, p, bullets, numbers, quote, table, generated = text.blocks
    assert h == markup.Heading(2, (markup.Span("Heading"),))
    assert [(s.text, s.bold, s.italic) for s in p.spans[:4]] == [
        ("Some ", False, False), ("bold", True, False), (", ", False, False), ("italic", False, True)]
    assert "<b>raw</b>" in markup.spans_text(p.spans)  # raw HTML is text, never markup
    refs = [s.footnote for s in p.spans if s.footnote]
    assert refs == [1, 2]  # numbered in the order they are referred to
    assert [markup.spans_text(n.blocks[0].spans) for n in text.footnotes] == ["Note B.", "Note A."]
    assert not bullets.ordered and isinstance(bullets.items[0][1], markup.ListBlock)
    assert numbers.ordered and numbers.start == 3 and len(numbers.items) == 2
    assert isinstance(quote, markup.Quote)
    assert table.align == ("left", "right") and markup.spans_text(table.rows[0][0]) == "Council"
    assert generated == markup.GeneratedTable("counts")
    html = markup.text_html(text)
    assert "<b>bold</b>" in html and "&lt;b&gt;raw" in html and "<sup>1</sup>" in html


# --- quotations ----------------------------------------------------------------------------

def _theme_with_comments(study: Study, at_least: int) -> tuple[str, list[int]]:
    by_theme: dict[str, list[int]] = {}
    for c in study.pool.comments():
        for t in c.themes:
            by_theme.setdefault(t, []).append(c.id)
    theme = next(t for t, ids in by_theme.items() if len(ids) >= at_least)
    return theme, by_theme[theme]


def test_chosen_quotations_print_in_the_chosen_order(demo: Study):
    theme, ids = _theme_with_comments(demo, 8)
    pick = [ids[5], ids[2], ids[7]]
    quotations.set_chosen(demo, theme, pick)
    data = build_report_data(demo, ReportOptions(seed=3), today=TODAY)
    printed = next(t for t in data.comments if t.theme_id == theme)
    assert printed.chosen and printed.quotations == tuple(demo.pool.get(i).text.strip() for i in pick)
    quotations.move(demo, theme, ids[7], -2)
    data = build_report_data(demo, ReportOptions(seed=3), today=TODAY)
    assert next(t for t in data.comments if t.theme_id == theme).quotations[0] == demo.pool.get(ids[7]).text.strip()


def test_without_a_choice_a_fresh_sample_of_a_few_per_theme(demo: Study):
    theme, ids = _theme_with_comments(demo, 8)
    quotations.set_per_theme(demo, 4)
    first = build_report_data(demo, today=TODAY)
    printed = next(t for t in first.comments if t.theme_id == theme)
    assert len(printed.quotations) == 4 and not printed.chosen and printed.available == len(ids)
    assert sum(len(t.quotations) for t in first.comments) < demo.pool.count()  # not every comment
    samples = {next(t for t in build_report_data(demo, today=TODAY).comments if t.theme_id == theme).quotations
               for _ in range(6)}
    assert len(samples) > 1  # drawn afresh on every export


def test_a_merged_duplicate_is_not_printed_and_gives_its_place(demo: Study):
    theme, ids = _theme_with_comments(demo, 3)
    quotations.set_chosen(demo, theme, [ids[0], ids[1]])
    quotations.merge(demo, ids[1], into=ids[2])
    assert quotations.duplicates(demo) == {ids[1]: ids[2]}
    assert quotations.chosen_for(demo, theme) == [ids[0], ids[2]]
    data = build_report_data(demo, ReportOptions(quotations=500), today=TODAY)
    every = [q for t in data.comments for q in t.quotations]
    assert demo.pool.get(ids[1]).text.strip() not in every or \
        demo.pool.get(ids[1]).text.strip() == demo.pool.get(ids[2]).text.strip()
    with pytest.raises(InvalidValueError):
        quotations.merge(demo, ids[2], into=ids[1])  # already merged the other way
    quotations.unmerge(demo, ids[1])
    assert quotations.duplicates(demo) == {}
    with pytest.raises(NotFoundError):
        quotations.choose(demo, theme, 12345)


def test_choices_survive_the_pool_being_laid_out_again_and_keep_no_order_of_choosing(demo: Study):
    theme, ids = _theme_with_comments(demo, 6)
    pick = [ids[4], ids[0], ids[3]]
    quotations.set_chosen(demo, theme, pick)
    with demo.transaction():
        demo.pool.rewrite()  # what every move of answers into the pool does
    assert quotations.chosen_for(demo, theme) == pick
    # Rows lie in key order (theme, comment id), not in the order they were chosen.
    stored = [r[0] for r in demo.conn.execute("SELECT comment_id FROM pool_quotes WHERE theme = ?", (theme,))]
    assert stored == sorted(pick)
    from fieldkit.checks import problems

    assert problems(demo) == []


# --- recommendations and the cover ---------------------------------------------------------

def test_recommendations_and_the_cover_reach_the_report(demo: Study, tmp_path: Path):
    first = outline.add_recommendation(demo, "Fund {interviewed} groups", "The council")
    second = outline.add_recommendation(demo, "Share the directory", "Infrastructure bodies")
    outline.move_recommendation(demo, second, -1)
    outline.update_recommendation(demo, first, who="The council and the ICB")
    outline.set_cover(demo, subtitle="A mapping exercise", date="October 2007",
                      confidentiality="Confidential: for the client only")
    outline.set_logo(demo, "client", png(tmp_path / "client.png"))
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(InvalidValueError, match="not a PNG or JPEG image"):
        outline.set_logo(demo, "author", tmp_path / "notes.txt")
    assert outline.logo(demo, "author") is None
    data = build_report_data(demo, today=TODAY)
    interviewed = summary.method(demo).interviewed
    assert data.recommendations == (("Share the directory", "Infrastructure bodies"),
                                    (f"Fund {interviewed} groups", "The council and the ICB"))
    c = data.cover
    assert (c.subtitle, c.date, c.confidentiality) == ("A mapping exercise", "October 2007",
                                                       "Confidential: for the client only")
    assert c.client_logo == (tmp_path / "client.png").read_bytes() and c.author_logo is None
    outline.set_cover(demo, date="")
    assert build_report_data(demo, today=TODAY).cover.date == "November 2026"


# --- the PDF -------------------------------------------------------------------------------

def test_the_pdf_prints_the_researchers_report(demo: Study, tmp_path: Path):
    outline.set_text(demo, "background", "We mapped **{on_database} groups** in the region.[^1]\n\n"
                                         "- Faith groups\n- Tenants' associations\n\n[^1]: From the council's list.")
    outline.set_text(demo, "conclusions", "Small groups need small grants.")
    outline.set_order(demo, ["background", "conclusions"])
    outline.add_recommendation(demo, "Fund a small grants pot", "The council")
    outline.set_cover(demo, subtitle="A mapping exercise", date="October 2007", confidentiality="Confidential")
    outline.set_logo(demo, "author", png(tmp_path / "author.png"))
    theme, ids = _theme_with_comments(demo, 3)
    quotations.set_chosen(demo, theme, [ids[2]])
    outline.set_theme_text(demo, theme, "Funding came up in **every** interview.")
    data = build_report_data(demo, ReportOptions(seed=1), today=TODAY)
    path = render_report(data, tmp_path / "report.pdf")
    with pdfplumber.open(path) as pdf:
        pages = [p.extract_text() or "" for p in pdf.pages]
        cover = pages[0]
        assert "A mapping exercise" in cover and "October 2007" in cover and "Confidential" in cover
        assert pdf.pages[0].images, "the author's logo is on the cover"
        text = "\n".join(pages)
        on_database = summary.method(demo).on_database
        assert f"We mapped {on_database} groups in the region.¹" in text
        assert "1. From the council's list." in text
        bold = {c["text"] for p in pdf.pages for c in p.chars if "Bold" in c["fontname"]}
        assert set(f"{on_database} groups") - {" "} <= bold
        # Background before Conclusions before the method, as ordered; the findings' write-up then
        # its one chosen quotation; the recommendations as a table.
        flat = " ".join(text.split())
        order = [flat.index(h) for h in ("We mapped", "Small groups need small grants.", "Organisations identified")]
        assert order == sorted(order)
        quote = " ".join(demo.pool.get(ids[2]).text.split())[:30]
        assert flat.index("Funding came up in every interview.") < flat.index(quote)
        assert "Fund a small grants pot" in text and "Who should act" in text
        assert pdf.metadata.get("Title") == demo.title


def test_a_chosen_comment_untagged_since_is_not_printed_under_that_theme(demo: Study):
    theme, ids = _theme_with_comments(demo, 3)
    quotations.set_chosen(demo, theme, [ids[0], ids[1]])
    demo.pool.untag(ids[0], theme)
    printed = next(t for t in build_report_data(demo, today=TODAY).comments if t.theme_id == theme)
    assert printed.quotations == (demo.pool.get(ids[1]).text.strip(),)
    quotations.merge(demo, ids[2], into=ids[1])
    with pytest.raises(InvalidValueError, match="merged into another"):
        quotations.choose(demo, theme, ids[2])


def test_a_study_from_before_the_report_outline_opens_with_the_default_report(tmp_path: Path, monkeypatch):
    from fieldkit import collation
    from fieldkit.checks import problems
    from fieldkit.storage import connection, schema
    from studies import small_template

    path = tmp_path / "old.fieldkit"
    monkeypatch.setattr(connection, "MIGRATIONS", schema.MIGRATIONS[:5])
    monkeypatch.setattr(connection, "SCHEMA_VERSION", 5)
    # Format 5 kept no sort keys (format 9): with none, add leaves the column out.
    monkeypatch.setattr(collation, "sort_keys", lambda names: [None] * len(names))
    with Study.create(path, small_template(), title="Old study") as old:
        old.organisations.add("A group", category="Network")
        assert "report_parts" not in {r["name"] for r in old.query("SELECT name FROM sqlite_master")}
    monkeypatch.undo()
    with Study.open(path) as study:
        assert study.scalar("PRAGMA user_version") == schema.SCHEMA_VERSION
        assert [p.key for p in outline.parts(study)] == list(ALL_SECTIONS)
        data = build_report_data(study, today=TODAY)
        assert data.sections == ALL_SECTIONS and data.has_content("tables") and not data.has_content("background")
        outline.set_text(study, "background", "Written after the upgrade.")
        quotations.set_per_theme(study, 3)
        assert problems(study) == []


def test_a_table_placed_in_the_text_prints_without_its_own_section(demo: Study, tmp_path: Path):
    outline.set_text(demo, "method", "How we did it.\n\n{table:targets}\n\n{table:by_area}\n")
    outline.set_included(demo, "targets", False)
    outline.set_included(demo, "tables", False)
    data = build_report_data(demo, today=TODAY)
    assert "targets" not in data.sections and data.targets and data.by_area
    path = render_report(data, tmp_path / "placed.pdf")
    with pdfplumber.open(path) as pdf:
        flat = " ".join(" ".join((p.extract_text() or "") for p in pdf.pages).split())
    assert "How we did it." in flat and "% of target" in flat
    assert demo.template.areas[0] in flat


def test_the_line_above_the_quotations_says_whether_they_were_chosen(demo: Study):
    from fieldkit.reports.data import quotations_caption

    theme, ids = _theme_with_comments(demo, 6)
    quotations.set_chosen(demo, theme, ids[:2])
    quotations.set_per_theme(demo, 3)
    data = build_report_data(demo, today=TODAY)
    chosen = next(t for t in data.comments if t.theme_id == theme)
    assert quotations_caption(chosen) == f"2 chosen from {len(ids)} comments"
    sampled = next(t for t in data.comments if t.theme_id != theme and t.available > 3)
    assert quotations_caption(sampled) == f"A selection: 3 of {sampled.available} comments"


def test_the_chart_of_a_long_list_of_answers_names_its_question(demo: Study, tmp_path: Path):
    data = build_report_data(demo, today=TODAY)
    long = next(x for x in data.crosstabs if len(x.choices) > 8)
    path = render_report(data, tmp_path / "long.pdf")
    with pdfplumber.open(path) as pdf:
        flat = " ".join(" ".join((p.extract_text() or "") for p in pdf.pages).split())
    assert f"“{long.question_label}” Answers" in flat  # its chart may start a page of its own


def test_the_report_is_laid_out_in_two_passes_the_first_drawing_nothing(demo: Study, tmp_path: Path, monkeypatch):
    """The contents start with every heading, so the pages of the first pass (measured, not drawn)
    are already the final ones and the second pass is the last."""
    from fieldkit.reports import pages, text

    passes, drawn = [], []
    build, draw = pages.Document.build, text.TextBlock.draw

    def counting_build(self, flowables, **kw):
        passes.append(len(drawn))
        return build(self, flowables, **kw)

    def counting_draw(self):
        if not getattr(self.canv, "_fieldkit_dry", False):
            drawn.append(1)
        return draw(self)

    from fieldkit.demo_report import create_demo

    written = create_demo(tmp_path / "written.fieldkit")  # a contents longer than a page
    try:
        data = build_report_data(written, ReportOptions(seed=1), today=TODAY)
    finally:
        written.close()
    monkeypatch.setattr(pages.Document, "build", counting_build)
    monkeypatch.setattr(text.TextBlock, "draw", counting_draw)
    path = render_report(data, tmp_path / "two.pdf")
    with pdfplumber.open(path) as pdf:
        assert "Contents" in pdf.pages[1].extract_text() and "Page 3 of" in pdf.pages[2].extract_text()
        assert not pdf.pages[2].extract_text().split("\n")[1].startswith("Background")  # contents go on
    assert len(passes) == 2 and passes[1] == 0 and drawn  # nothing drawn before the second pass


def test_a_table_in_the_researchers_words_keeps_its_bold_and_alignment(demo: Study, tmp_path: Path):
    outline.set_text(demo, "background", "| Area | Groups |\n|---|--:|\n| **Leeds** | 12 |\n| York | *3* |\n")
    path = render_report(build_report_data(demo, today=TODAY), tmp_path / "table.pdf")
    with pdfplumber.open(path) as pdf:
        page = next(p for p in pdf.pages if "Leeds" in (p.extract_text() or ""))
        words = {w["text"]: w for w in page.extract_words(extra_attrs=["fontname"])}
    assert "Bold" in words["Leeds"]["fontname"] and "Bold" not in words["York"]["fontname"]
    assert "Italic" in words["3"]["fontname"]
    assert words["12"]["x1"] > words["Groups"]["x0"]  # right-aligned under its heading


def test_the_documents_language_is_the_report_language(demo: Study, tmp_path: Path):
    import dataclasses

    from fieldkit.reports.data import language_tag

    assert [language_tag(n) for n in ("English", "Urdu", "urdu ", "cy", "pt-BR", "Klingon")] == [
        "en-GB", "ur", "ur", "cy", "pt-BR", "en-GB"]
    data = build_report_data(demo, today=TODAY)
    assert data.lang == language_tag(demo.report_language)
    path = render_report(dataclasses.replace(data, lang="ur"), tmp_path / "lang.pdf")
    with pdfplumber.open(path) as pdf:
        assert pdf.doc.catalog.get("Lang") == b"ur"
        assert pdf.metadata["Title"] == demo.title and pdf.metadata["Author"] == demo.author
        assert pdf.metadata["Subject"] == f"{data.cover.subtitle or 'Report'} for {demo.client}"
