"""The client report as a Word document (.docx), from the same ``ReportData`` as the PDF.

The researcher hands the report on to be edited, so everything carries a real Word style:
Title and Subtitle on the cover, a contents field Word and LibreOffice fill in, Heading 1 for
each section and Heading 2/3 under it, List Bullet / List Number, Quote for quotations, one
built-in table style for every table (its header row repeated on each page), numbered
"Table n" / "Figure n" captions (SEQ fields), real footnotes, and "Page x of y" in the footer.
The generated words (introductions, captions, notes) are the PDF's own; charts are the PDF's
charts as pictures (``docx_charts``).

The document is written as WordprocessingML text (``docx_xml``) against the style ids of
``docx_package`` and parsed once, rather than built paragraph by paragraph through python-docx's
objects, which look each style up by name: the text of a long report takes a fraction of the
time python-docx would take to write it, and drawing the charts is most of what is left.

``render_docx`` writes the file atomically (nothing is left behind by a cancelled or failed
render, and an existing file stays as it was); ``render_docx_bytes`` returns the bytes and
writes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import docx as python_docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from reportlab.pdfbase.pdfmetrics import stringWidth

from fieldkit import summary
from fieldkit.exports import write_atomically
from fieldkit.reports import charts, docx_charts
from fieldkit.reports import docx_package as pkg
from fieldkit.reports.data import COMMENTS_INTRO, CoverData, ReportData, quotations_caption, report_subject
from fieldkit.reports.docx_xml import SPACER, attr, field, para, plain, rtl, run
from fieldkit.reports.markup import (Footnote, GeneratedTable, Heading, ListBlock, Paragraph, Quote, Rule, Span,
                                     TableBlock, Text)
from fieldkit.reports.method import SOURCE
from fieldkit.reports.pages import cell_text, long_date
from fieldkit.reports.pdf import ReportCancelled
from fieldkit.reports.scripts import FONT, FONT_BOLD, register_fonts
from fieldkit.reports.sections import BY_NAME

ProgressFn = Callable[[float], None]
CancelledFn = Callable[[], bool]

MM = 56.6929  # twips in a millimetre
EMU_PER_TWIP = 635
PLACEHOLDER = "Right-click to update the table of contents"


# --- the document --------------------------------------------------------------------------

class _Writer:
    """Writes the report's body as WordprocessingML, section by section, into a python-docx
    document set up by ``docx_package``."""

    def __init__(self, data: ReportData, checkpoint: Callable[[], None], progress: ProgressFn | None):
        self.data, self.checkpoint, self.progress = data, checkpoint, progress
        self.doc = python_docx.Document()
        self.lang = data.lang or "en-GB"
        self.width = pkg.set_page(self.doc, data.page_size)
        self.st = pkg.Styles(self.doc, lang=self.lang, text_width=self.width)
        self.lists = pkg.Numbering(self.doc, self.st)
        ids = self.st.id
        self.normal, self.quote, self.note = ids("Normal"), ids("Quote"), ids("Note")
        self.caption_style = ids("Caption")
        self.headings = {n: ids(f"Heading {n}") for n in (1, 2, 3, 4)}
        self.list_styles = {(ordered, depth): ids(f"{'List Number' if ordered else 'List Bullet'}{suffix}")
                            for ordered in (False, True) for depth, suffix in enumerate(("", " 2", " 3"))}
        self.continued = {depth: ids(f"List Continue{suffix}") for depth, suffix in enumerate(("", " 2", " 3"))}
        self.cell_styles = (ids("Table Text"), ids("Table Text Small"))
        self.table_style = ids(pkg.TABLE_STYLE)
        self.out: list[str] = []
        self.part: Any = self.doc.part    # where links are related from: the document, or its footnotes
        self.notes_part: Any = None
        self.notes: list[tuple[int, str]] = []
        self.in_note = False
        self.seq = {"Table": 0, "Figure": 0}
        self.pictures = 0

    # the whole report
    def build(self) -> bytes:
        d = self.data
        cover = d.cover or CoverData(d.title, "", d.client, d.author, long_date(d.date), "")
        self.cover(cover)
        self.contents()
        printed = [k for k in d.sections if k in BY_NAME and d.has_content(k)]
        for n, key in enumerate(printed):
            self.checkpoint()
            heading = d.text_of(key).heading
            new_page = n == 0 or not BY_NAME[key].runs_on
            self.out.append(para(run(heading), self.headings[1], page_break=new_page, bidi=rtl(heading),
                                 spacing="" if new_page else '<w:spacing w:before="480"/>'))
            getattr(self, f"_{key}", self._written)(key)
            if self.progress is not None:
                self.progress(0.95 * (n + 1) / len(printed))
        self.checkpoint()
        return self.finish(cover)

    def finish(self, cover: CoverData) -> bytes:
        doc, d = self.doc, self.data
        old = doc.element.body
        body = parse_xml(f'<w:body {pkg.NSDECLS}>{"".join(self.out)}</w:body>')
        body.append(old.find(qn("w:sectPr")))
        doc.element.replace(old, body)
        title = cover.title or d.title
        page = f'{run("Page ")}{field("PAGE", "1")}{run(" of ")}{field("NUMPAGES", "1")}'
        footer = run(cover.date or long_date(d.date)) + "<w:r><w:tab/></w:r>" + page
        pkg.set_header_footer(doc, para(run(title), self.st.id("Header"), bidi=rtl(title)),
                              para(footer, self.st.id("Footer")),
                              para("", self.st.id("Footer")))  # the cover carries no page number
        if self.notes_part is not None:
            pkg.fill_footnotes(self.notes_part, self.notes)
        pkg.set_settings(doc, self.lang, footnotes=self.notes_part is not None)
        pkg.recolour_theme(doc)
        pkg.drop_thumbnail(doc)
        client = cover.client or d.client
        pkg.set_properties(doc, title=title, author=cover.author or d.author or "",
                           subject=report_subject(cover.subtitle, client),
                           keywords=", ".join(k for k in ("report", client) if k), lang=self.lang,
                           when=dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None))
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()

    # cover and contents
    def cover(self, c: CoverData) -> None:
        logos = [self.logo(b) for b in (c.client_logo, c.author_logo) if b]
        tabs = f'<w:tabs><w:tab w:val="right" w:pos="{self.width}"/></w:tabs>'
        if logos:
            self.out.append(para("<w:r><w:tab/></w:r>".join(logos), self.normal, tabs=tabs))
        space = f'<w:spacing w:before="{2600 if logos else 3600}" w:after="240" w:line="240" w:lineRule="auto"/>'
        title = c.title or self.data.title
        self.out.append(para(run(title), self.st.id("Title"), spacing=space, bidi=rtl(title)))
        subtitle = c.subtitle or "Mapping report"
        self.out.append(para(run(subtitle), self.st.id("Subtitle"), bidi=rtl(subtitle)))
        detail = self.st.id("Cover Detail")
        for label, value in (("Prepared for", c.client), ("Prepared by", c.author), ("Date", c.date)):
            if value:
                self.out.append(para(run(label, colour=pkg.MUTED, size=17) + "<w:r><w:tab/></w:r>" + run(value),
                                     detail))
        if c.confidentiality:
            self.out.append(para(run(c.confidentiality, italic=True), detail, bidi=rtl(c.confidentiality),
                                 spacing='<w:spacing w:before="480" w:after="80"/>'))

    def logo(self, data: bytes) -> str:
        """A logo at most 18 mm high and 60 mm wide."""
        rid, image = self.doc.part.get_or_add_image(io.BytesIO(data))
        h = 18 * 36000
        w = int(h * image.px_width / max(image.px_height, 1))
        if w > 60 * 36000:
            w, h = 60 * 36000, int(60 * 36000 * image.px_height / max(image.px_width, 1))
        return self.picture_run(rid, w, h, "Logo")

    def contents(self) -> None:
        self.out.append(para(run("Contents"), self.st.id("TOC Heading"), page_break=True))
        self.out.append(
            f'<w:p><w:pPr><w:pStyle w:val="{self.normal}"/></w:pPr>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{run(PLACEHOLDER, colour=pkg.MUTED)}'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')

    # the researcher's text
    def blocks(self, blocks: Iterable[Any], notes: dict[int, Footnote], *, shift: int = 0,
               style: str | None = None) -> str:
        """Markup blocks as paragraphs and tables; ``shift`` moves headings down a level (a
        theme's write-up sits under the theme's own heading)."""
        style = style or self.normal
        out = []
        blocks = tuple(blocks)
        for i, b in enumerate(blocks):
            if isinstance(b, Paragraph):  # a paragraph introducing a table stays with it
                keep = i + 1 < len(blocks) and isinstance(blocks[i + 1], (TableBlock, GeneratedTable))
                out.append(para(self.spans(b.spans, notes), style, keep=keep, bidi=rtl(plain(b.spans))))
            elif isinstance(b, Heading):
                out.append(para(self.spans(b.spans, notes), self.headings[min(b.level + shift, 4)],
                                bidi=rtl(plain(b.spans))))
            elif isinstance(b, ListBlock):
                out.append(self.list(b, notes, 0))
            elif isinstance(b, Quote):
                out.append(self.blocks(b.blocks, notes, shift=shift, style=self.quote))
            elif isinstance(b, TableBlock):
                right = [i for i, a in enumerate(b.align) if a == "right"]
                centre = [i for i, a in enumerate(b.align) if a == "center"]
                out.append(self.table(b.header, b.rows, [None] * len(b.header), right=right, centre=centre,
                                      numeric=False, notes=notes))
            elif isinstance(b, GeneratedTable):
                out.append(self.generated(b.name))
            elif isinstance(b, Rule):
                out.append(para("", style, border=f'<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" '
                                                 f'w:color="{pkg.RULE}"/></w:pBdr>',
                                spacing='<w:spacing w:before="60" w:after="180"/>'))
        return "".join(out)

    def list(self, b: ListBlock, notes: dict[int, Footnote], depth: int) -> str:
        level = min(depth, 2)
        style = self.list_styles[b.ordered, level]
        num_id = self.lists.restart(style, b.start) if b.ordered else None
        out = []
        for item in b.items:
            first = True
            for block in item:
                if isinstance(block, Paragraph):
                    text = plain(block.spans)
                    if first:
                        out.append(para(self.spans(block.spans, notes), style,
                                        num=(0, num_id) if num_id else None, bidi=rtl(text)))
                    else:
                        out.append(para(self.spans(block.spans, notes), self.continued[level], bidi=rtl(text)))
                elif isinstance(block, ListBlock):
                    out.append(self.list(block, notes, depth + 1))
                else:
                    out.append(self.blocks((block,), notes))
                first = False
        return "".join(out)

    def spans(self, spans: Sequence[Span], notes: dict[int, Footnote] | None = None) -> str:
        """Runs for styled spans: bold, italic, code, links (as hyperlinks) and footnote references."""
        out: list[str] = []
        link: str | None = None
        for s in spans:
            if s.link != link or s.footnote is not None:
                if link:
                    out.append("</w:hyperlink>")
                link = None
                if s.link and s.footnote is None:
                    rid = self.part.relate_to(s.link, RT.HYPERLINK, is_external=True)
                    out.append(f'<w:hyperlink r:id="{rid}" w:history="1">')
                    link = s.link
            if s.footnote is not None:
                out.append(self.footnote(s, notes or {}))
                continue
            style = self.st.id("Hyperlink") if s.link else self.st.id("Code") if s.code else None
            out.append(run(s.text, style=style, bold=s.bold, italic=s.italic, underline=s.link == ""))
        if link:
            out.append("</w:hyperlink>")
        return "".join(out)

    def footnote(self, s: Span, notes: dict[int, Footnote]) -> str:
        """A footnote reference, its footnote written to the footnotes part."""
        note = notes.get(s.footnote or 0)
        if note is None or self.in_note:
            return run(s.text, superscript=True)
        if self.notes_part is None:
            self.notes_part = pkg.footnotes_part(self.doc)
        note_id = len(self.notes) + 1
        ref_style = self.st.id("footnote reference")
        mark = (f'<w:r><w:rPr><w:rStyle w:val="{ref_style}"/></w:rPr><w:footnoteRef/></w:r>'
                '<w:r><w:t xml:space="preserve"> </w:t></w:r>')
        style = self.st.id("footnote text")
        saved, self.part, self.in_note = self.part, self.notes_part, True
        try:
            blocks = list(note.blocks)
            first = blocks[0] if blocks else None
            if isinstance(first, Paragraph):
                blocks.pop(0)
                body = para(mark + self.spans(first.spans, notes), style, bidi=rtl(plain(first.spans)))
            else:
                body = para(mark, style)
            body += self.blocks(blocks, notes, style=style)
        finally:
            self.part, self.in_note = saved, False
        self.notes.append((note_id, body))
        return f'<w:r><w:rPr><w:rStyle w:val="{ref_style}"/></w:rPr><w:footnoteReference w:id="{note_id}"/></w:r>'

    def text(self, text: Text, *, shift: int = 0) -> None:
        self.out.append(self.blocks(text.blocks, {n.number: n for n in text.footnotes}, shift=shift))

    def intro(self, key: str, default: str) -> None:
        """The researcher's introduction to a generated section, else the PDF's."""
        text = self.data.text_of(key).text
        if text:
            self.text(text)
        elif default:
            self.out.append(para(run(default), self.normal))

    # tables, captions and pictures
    def caption(self, kind: str, text: str, *, keep: bool = True) -> str:
        self.seq[kind] += 1
        n = self.seq[kind]
        return para(run(f"{kind} ") + field(f"SEQ {kind} \\* ARABIC", str(n)) + run(f": {text}"), self.caption_style,
                    keep=keep, bidi=rtl(text))

    def table(self, header: Sequence[Any] | None, rows: Sequence[Sequence[Any]], widths: Sequence[float | None], *,
              width: float | None = None, right: Iterable[int] = (), centre: Iterable[int] = (),
              numeric: bool = True, total: bool = False, total_column: bool = False, small: bool = False,
              keep: bool = False, keep_last: bool = False, notes: dict[int, Footnote] | None = None,
              title: str | None = None) -> str:
        """A table in the report's table style: ``widths`` in twips (None: a share of what is
        left of ``width``, the text's width by default); numbers right-aligned (every column
        after the first with ``numeric``, else the columns in ``right``); the header row repeats
        on each page (``title``: a header row of one cell across the table, in place of the
        columns' ``header``); ``total``: the last row is a total (the style's last-row look);
        ``keep``: kept on one page with what follows the caption (``keep_last``: and with what
        follows it)."""
        full = min(width or self.width, self.width)
        fixed = sum(w for w in widths if w)
        free = [i for i, w in enumerate(widths) if not w]
        cols = [int(w or max((full - fixed) / max(len(free), 1), 400)) for w in widths]
        right_set = set(range(1, len(cols))) if numeric else set(right)
        centre_set = set(centre)
        cell_style = self.cell_styles[small]
        look = 0x20 | (0x40 if total else 0) | (0x100 if total_column else 0) | 0x400
        margins = ('<w:tblCellMar><w:left w:w="70" w:type="dxa"/><w:right w:w="70" w:type="dxa"/></w:tblCellMar>'
                   if small else "")
        out = [(f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.table_style}"/><w:tblW w:w="{sum(cols)}" w:type="dxa"/>'
                f'<w:tblLayout w:type="fixed"/>{margins}<w:tblLook w:val="{look:04X}" w:firstRow="1" '
                f'w:lastRow="{int(total)}" w:firstColumn="0" w:lastColumn="{int(total_column)}" w:noHBand="0" '
                'w:noVBand="1"/></w:tblPr><w:tblGrid>')]
        out += [f'<w:gridCol w:w="{w}"/>' for w in cols]
        out.append("</w:tblGrid>")
        if title is not None:
            out.append(f'<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{sum(cols)}" '
                       f'w:type="dxa"/><w:gridSpan w:val="{len(cols)}"/></w:tcPr>'
                       + para(run(title), cell_style, keep=True, bidi=rtl(title)) + "</w:tc></w:tr>")
        every = [*([header] if header is not None else []), *rows]
        for r, row in enumerate(every):
            last = r == len(every) - 1
            head = "<w:tblHeader/>" if r == 0 and header is not None else ""
            out.append(f"<w:tr><w:trPr><w:cantSplit/>{head}</w:trPr>")
            for c, w in enumerate(cols):
                value = row[c] if c < len(row) else ""
                if isinstance(value, tuple):
                    content, words = self.spans(value, notes), plain(value)
                else:
                    words = cell_text(value)
                    content = run(words) if words else ""
                jc = "right" if c in right_set else "center" if c in centre_set else None
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>'
                           + para(content, cell_style, keep=keep and (keep_last or not last),
                                  bidi=rtl(words), jc=jc) + "</w:tc>")
            out.append("</w:tr>")
        out.append("</w:tbl>")
        return "".join(out) + SPACER

    def picture_run(self, rid: str, cx: int, cy: int, descr: str) -> str:
        self.pictures += 1
        n = self.pictures
        return (f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" '
                f'cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="{n}" name="Picture {n}" '
                f'descr="{attr(descr)}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/>'
                '</wp:cNvGraphicFramePr><a:graphic><a:graphicData '
                'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr>'
                f'<pic:cNvPr id="{n}" name="picture{n}.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill>'
                f'<a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm>'
                f'<a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
                '</a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')

    # generated tables, by name (also where the researcher's text places them: "{table:counts}")
    def generated(self, name: str) -> str:
        d, m, words = self.data, self.data.method, self.data.method_section
        narrow = 115 * MM
        if name == "counts" and words is not None:
            return (self.caption("Table", "Organisations at each stage of fieldwork")
                    + self.table(["", "Organisations"], [list(r) for r in words.counts], [None, 30 * MM],
                                 width=narrow))
        if name == "excluded" and m is not None and m.excluded_by_reason:
            rows = [[reason, n] for reason, n in m.excluded_by_reason] + [["Total", m.excluded]]
            return (self.caption("Table", "Organisations excluded, by reason")
                    + self.table(["Reason", "Organisations"], rows, [None, 30 * MM], width=narrow, total=True))
        if name == "rates" and words is not None and words.rates:
            return (self.caption("Table", "Response and cooperation rates")
                    + self.table(["Rate", "%", "What it measures"],
                                 [[r.name, r.text, r.definition] for r in words.rates],
                                 [40 * MM, 16 * MM, None], numeric=False, right=(1,), keep=True))
        if name == "dispositions" and d.dispositions:
            return (self.caption("Table", "Organisations by final disposition (AAPOR codes)")
                    + self.table(["Code", "Disposition", "Organisations"],
                                 [[r.code, r.label, r.organisations] for r in d.dispositions],
                                 [18 * MM, None, 30 * MM], width=135 * MM, total=True, numeric=False, right=(2,)))
        groups = {"by_category": (d.by_category, "Category", "category"), "by_area": (d.by_area, "Area", "area")}
        if name in groups and groups[name][0]:
            group_rows, first, what = groups[name]
            return (self.caption("Table", f"Organisations on the database and interviewed, by {what}")
                    + self.table([first, "On the database", "Interviewed"],
                                 [[r.group, r.on_database, r.interviewed] for r in group_rows],
                                 [None, 30 * MM, 30 * MM], total=group_rows[-1].group == "Total"))
        if name == "targets" and d.targets:
            body = [[r.group, r.target if r.target is not None else "", r.interviewed,
                     summary.percent_text(summary.percent(r.interviewed, r.target), r.target) if r.target else ""]
                    for r in d.targets]
            return (self.caption("Table", "Interviews achieved against the target for each category")
                    + self.table(["Category", "Target", "Achieved", "Achieved as % of target"], body,
                                 [None, 24 * MM, 24 * MM, 30 * MM], total=d.targets[-1].group == "Total"))
        return ""

    # the sections, by name; a written section without a method of its own is its text
    def _written(self, key: str) -> None:
        self.text(self.data.text_of(key).text)

    def _method(self, key: str) -> None:
        self.text(self.data.method_text)

    def _recommendations(self, key: str) -> None:
        self.text(self.data.text_of(key).text)
        rows = [[r.text, r.who] for r in self.data.recommendations]
        if rows:
            self.out.append(self.caption("Table", "Recommendations and who should act"))
            self.out.append(self.table(["Recommendation", "Who should act"], rows, [None, 55 * MM], numeric=False))

    def _dispositions(self, key: str) -> None:
        d = self.data
        quoted = d.method_section is not None and d.method_section.rates
        self.intro(key, "Every organisation in the study by its AAPOR disposition code"
                   + ("" if quoted else f" ({SOURCE})")
                   + ": the counts the response and cooperation rates are worked out from.")
        self.out.append(self.generated("dispositions"))
        self.out += [para(run(n), self.note) for n in d.dispositions_notes]

    def _tables(self, key: str) -> None:
        self.intro(key, "How many organisations are on the database and how many were interviewed, "
                        "by category of organisation and by area.")
        for title, name in (("By category", "by_category"), ("By area", "by_area")):
            table = self.generated(name)
            if table:
                self.out += [para(run(title), self.headings[2]), table]

    def _targets(self, key: str) -> None:
        self.intro(key, "Interviews achieved against the target set for each category.")
        self.out.append(self.generated("targets"))

    def _crosstabs(self, key: str) -> None:
        tabs = list(self.data.crosstabs)
        self.intro(key, "For each question with set answers, how the organisations interviewed answered: the number "
                        "giving each answer and, in brackets, the percentage of those in the column who answered "
                        "the question. Answers to the anonymous questions are counted over all interviews only, "
                        "never by category." if any(x.anonymous for x in tabs) else
                        "For each question with set answers, how the organisations interviewed answered, by "
                        "category of organisation: the number giving each answer and, in brackets, the "
                        "percentage of those in the column who answered the question.")
        self.out += [para(run(n), self.note) for n in self.data.notes]
        chosen = [charts.chart_for(x) for x in tabs]
        drawn = iter(docx_charts.pictures([c[1] for c in chosen if c is not None], self.width / 20,
                                          checkpoint=self.checkpoint))
        for x, chart in zip(tabs, chosen, strict=True):
            self.checkpoint()
            self.crosstab(x, chart[0] if chart else None, next(drawn) if chart else None)

    def crosstab(self, x: Any, chart_caption: str | None, picture: docx_charts.Picture | None) -> None:
        lines = [*x.rows, x.total]
        groups = [r.group for r in x.rows] + ["All answering" if x.anonymous else "Total"]
        answering = "Respondents" if x.anonymous else "Organisations answering"
        caption = ("Answered anonymously: counted over all interviews, not by category."
                   if x.anonymous else "Percentages of the organisations in each column who answered.")
        rows = [[choice, *[line.cells[i] for line in lines]] for i, choice in enumerate(x.choices)]
        rows.append([answering, *[line.respondents for line in lines]])
        first, cw = self.crosstab_widths(["Answer", *groups], rows)
        label = x.question_label
        self.out.append(para(run(label), self.headings[2], bidi=rtl(label)))
        self.out.append(self.caption("Table", caption))
        short = len(x.choices) <= 8
        self.out.append(self.table(["Answer", *groups], rows, [first, *[cw] * len(groups)], total=True,
                                   total_column=len(groups) > 1, small=True, keep=short,
                                   keep_last=short and picture is not None))
        keep = short and picture is not None  # table, notes and chart on one page when they fit
        self.out += [para(run(n), self.note, keep=keep) for n in x.notes if n not in self.data.notes]
        if picture is not None and chart_caption:
            rid, _ = self.doc.part.get_or_add_image(io.BytesIO(picture.png))
            cx = self.width * EMU_PER_TWIP
            cy = int(cx * picture.height / picture.width)
            self.out.append(para(self.picture_run(rid, cx, cy, f"{label}: {chart_caption}"), self.normal, keep=True,
                                 spacing='<w:spacing w:before="120" w:after="0"/>'))
            self.out.append(self.caption("Figure", chart_caption, keep=False))

    def crosstab_widths(self, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[float, float]:
        """The first column's width and every other's, in twips: each column as wide as its
        widest figure and the longest word of its heading, the answers taking what is left."""
        register_fonts()
        size, pad = 7.5, 7 + 3
        need = max([stringWidth(cell_text(v), FONT, size) for r in rows for v in r[1:]]
                   + [stringWidth(w, FONT_BOLD, size) for h in header[1:] for w in str(h).split()]) + pad
        n = len(header) - 1
        width = self.width / 20
        first = max(width - need * n, 30 * 2.835)
        first = min(first, max(width * 0.5, 60 * 2.835), 80 * 2.835)
        cw = min((width - first) / n, max(need, 36 * 2.835))
        return first * 20, cw * 20

    def _comments(self, key: str) -> None:
        self.intro(key, COMMENTS_INTRO)
        for theme in self.data.comments:
            if not theme.quotations and not theme.write_up:
                continue
            self.out.append(para(run(theme.theme), self.headings[2], bidi=rtl(theme.theme)))
            if theme.write_up:
                self.text(theme.write_up, shift=1)
            if theme.quotations:
                self.out.append(para(run(quotations_caption(theme)), self.note, keep=True))
                self.out += [para(run(q), self.quote, bidi=rtl(q)) for q in theme.quotations]

    def _directory(self, key: str) -> None:
        """Under each area (in the directory's order), its organisations with the details each
        agreed to have listed; the area heads its table, repeated when the table runs on."""
        entries = list(self.data.directory)
        if self.data.text_of(key).text:
            self.text(self.data.text_of(key).text)
        if not entries:
            self.out.append(para(run("No organisation on the database has given permission to be listed."),
                                 self.normal))
            return
        details = any(getattr(e, "details", ()) for e in entries)
        n = len(entries)
        self.out.append(para(run(f"The {n} {'organisation' if n == 1 else 'organisations'} that gave permission "
                                 "to be listed, by area" + (", each with the contact details it agreed to have "
                                                            "listed." if details else ".")), self.normal))
        person = bool(self.data.include_person)
        groups: list[tuple[str, list[Any]]] = []
        for e in entries:
            if not groups or groups[-1][0] != e.area:
                groups.append((e.area, []))
            groups[-1][1].append(e)
        names = min(max(self.width * 0.42, 60 * MM), 80 * MM)
        for area, group in groups:
            rows = []
            for e in group:
                listed = tuple(getattr(e, "details", ()))
                lines = [f"{label}: {value}" for label, value in listed]
                if person and getattr(e, "person", None) and not any(label == "Contact" for label, _ in listed):
                    lines.append(f"Person interviewed: {e.person}")
                rows.append([e.name, "\n".join(lines)])
            self.out.append(self.table(None, rows, [names, None], numeric=False, title=area))


# --- entry points --------------------------------------------------------------------------

def _build(data: ReportData, progress: ProgressFn | None, cancelled: CancelledFn | None) -> bytes:
    def checkpoint() -> None:
        if cancelled is not None and cancelled():
            raise ReportCancelled("the report was cancelled; no file was written")

    checkpoint()
    return _Writer(data, checkpoint, progress).build()


def render_docx_bytes(data: ReportData, *, progress: ProgressFn | None = None,
                      cancelled: CancelledFn | None = None) -> bytes:
    """The report of ``data`` (a ``ReportData``) as the bytes of a .docx; nothing is written
    to disk. ``progress`` and ``cancelled`` work as for ``render_docx``."""
    blob = _build(data, progress, cancelled)
    if progress is not None:
        progress(1.0)
    return blob


def render_docx(data: ReportData, path: str | os.PathLike, *, progress: ProgressFn | None = None,
                cancelled: CancelledFn | None = None) -> Path:
    """Write the report of ``data`` as a Word document at ``path`` and return the path.

    ``progress(fraction)`` is told how far the report has got; ``cancelled()`` is asked
    between sections and charts, and when it answers True the render stops with
    ``ReportCancelled``. The document is made in memory and then written beside ``path``,
    flushed to disk and renamed over it: a cancelled or failed render leaves no file, and a
    file already at ``path`` untouched.
    """
    blob = _build(data, progress, cancelled)
    write_atomically(path, lambda f: f.write(blob))
    if progress is not None:
        progress(1.0)
    return Path(path)
