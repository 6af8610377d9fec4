"""The mapping report as a PDF: lays out a ``ReportData`` with reportlab platypus.

The renderer runs no queries: everything it prints comes from the data object
(``fieldkit.reports.data.build_report_data``). It builds a story of flowables, lays it
out with a cover, a contents page with page numbers, a PDF outline and "Page x of y"
footers, and writes the file atomically: a temporary file beside the target, flushed to
disk, then renamed over it. A cancelled or failed render leaves no file behind and any
existing file untouched. Every piece of text goes through ``text.para`` so names and
quotations in any script print as real glyphs.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, Frame, KeepTogether, NextPageTemplate,
                                PageBreak, PageTemplate, Spacer, Table, TableStyle)
from reportlab.platypus.doctemplate import IndexingFlowable
from reportlab.platypus.tableofcontents import TableOfContents

from fieldkit.errors import FieldkitError, InvalidValueError
from fieldkit.reports import charts
from fieldkit.reports.charts import ACCENT, ACCENT_LIGHT, MUTED, RULE
from fieldkit.reports.text import para, styles

PAGE_SIZES = {"a4": A4, "letter": LETTER}
SECTIONS = ("method", "tables", "targets", "crosstabs", "comments", "directory")


class ReportCancelled(FieldkitError):
    """The report was cancelled before it was finished; no file was written."""


ProgressFn = Callable[[float], None]
CancelledFn = Callable[[], bool]


# --- styles --------------------------------------------------------------------------------

def _style(base: str, name: str, **changes: Any) -> ParagraphStyle:
    return ParagraphStyle(f"report-{name}", parent=styles()[base], **changes)


class Styles:
    """The report's own variations on ``text.styles()``: sizes, colours and spacing only."""

    def __init__(self) -> None:
        s = styles()
        self.cover_title = _style("title", "cover-title", fontSize=max(s["title"].fontSize, 26),
                                  leading=max(s["title"].fontSize, 26) * 1.2, textColor=ACCENT, alignment=0,
                                  spaceAfter=10)
        self.cover_sub = _style("subtitle", "cover-sub", textColor=MUTED, alignment=0, spaceAfter=4)
        self.cover_label = _style("small", "cover-label", textColor=MUTED, spaceAfter=0)
        self.cover_value = _style("body", "cover-value", spaceAfter=0, spaceBefore=0)
        self.h1 = _style("h1", "h1", spaceBefore=0, spaceAfter=8, keepWithNext=1)
        self.h2 = _style("h2", "h2", spaceBefore=10, spaceAfter=5, keepWithNext=1)
        self.contents = _style("h1", "contents", spaceBefore=0, spaceAfter=14)
        self.caption = _style("small", "caption", textColor=MUTED, spaceBefore=2, spaceAfter=6)
        self.chart_caption = _style("small", "chart-caption", textColor=MUTED, spaceBefore=2, spaceAfter=6,
                                    keepWithNext=1)
        self.note = _style("small", "note", textColor=MUTED, spaceBefore=4, spaceAfter=4)
        self.running = _style("small", "running", textColor=MUTED, spaceBefore=0, spaceAfter=0)
        self.running_right = _style("small", "running-right", textColor=MUTED, alignment=2,
                                    spaceBefore=0, spaceAfter=0)
        self.toc1 = _style("toc1", "toc1", spaceBefore=0, spaceAfter=0)
        self.toc2 = _style("toc2", "toc2", spaceBefore=0, spaceAfter=0,
                           leftIndent=max(s["toc2"].leftIndent, 12))
        self.toc_page = _style("toc1", "toc-page", alignment=2, spaceBefore=0, spaceAfter=0)
        self.toc_page2 = _style("toc2", "toc-page2", alignment=2, spaceBefore=0, spaceAfter=0, leftIndent=0)
        self.head_right = _style("cell_head", "head-right", alignment=2)
        self.label = _style("cell", "label", textColor=MUTED)
        self.sheet_h1 = _style("h1", "sheet-h1", spaceBefore=16, spaceAfter=6)
        self.sheet_title = _style("title", "sheet-title", fontSize=22, leading=27, spaceAfter=6)
        self.sheet_section = _style("h2", "sheet-section", fontSize=10.5, leading=14, spaceBefore=4, spaceAfter=4,
                                    textColor=MUTED)
        # crosstabs: a point smaller, so that five categories and a total fit across the page
        small = max(s["cell"].fontSize - 0.5, 7.5)
        self.x_cell = _style("cell", "x-cell", fontSize=small, leading=small * 1.28)
        self.x_cell_right = _style("cell_right", "x-cell-right", fontSize=small, leading=small * 1.28)
        self.x_head = _style("cell_head", "x-head", fontSize=small, leading=small * 1.28)
        self.x_head_right = _style("cell_head", "x-head-right", fontSize=small, leading=small * 1.28, alignment=2)
        self.quote = _style("quote", "quote", leftIndent=0, rightIndent=0, firstLineIndent=0,
                            spaceBefore=0, spaceAfter=0)


# --- flowables -----------------------------------------------------------------------------

class _Heading(Flowable):
    """A section heading that also becomes a contents entry and a PDF bookmark."""

    def __init__(self, text: str, level: int, key: str, style: ParagraphStyle):
        super().__init__()
        self.text, self.level, self.key = text, level, key
        self._para = para(text, style)
        self.keepWithNext = 1

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = self._para.wrap(aw, ah)
        return self.width, self.height

    def getSpaceBefore(self) -> float:
        return self._para.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self._para.getSpaceAfter()

    def draw(self) -> None:
        self._para.drawOn(self.canv, 0, 0)


class _Linked(Flowable):
    """A flowable that is also a link to a named destination (a contents line)."""

    def __init__(self, inner: Flowable, key: str | None):
        super().__init__()
        self.inner, self.key = inner, key

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = self.inner.wrap(aw, ah)
        return self.width, self.height

    def draw(self) -> None:
        self.inner.drawOn(self.canv, 0, 0)
        if self.key:
            self.canv.linkRect("", self.key, (0, 0, self.width, self.height), relative=1, thickness=0)


class _Contents(TableOfContents):
    """Contents with each line set through ``para`` (so any script prints) and linked."""

    def __init__(self, st: Styles):
        super().__init__(dotsMinLevel=-1)
        self.st = st

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        entries = self._lastEntries or [(0, "Contents", 0, None)]
        rows, commands = [], []
        for i, (level, text, page, key) in enumerate(entries):
            left, right = (self.st.toc1, self.st.toc_page) if level == 0 else (self.st.toc2, self.st.toc_page2)
            rows.append([_Linked(para(text, left), key), _Linked(para(str(page), right), key)])
            if level == 0:
                commands.append(("TOPPADDING", (0, i), (-1, i), 9 if i else 0))
                if i:
                    commands.append(("LINEABOVE", (0, i), (-1, i), 0.4, RULE))
        self._table = Table(rows, colWidths=(aw - 36, 36), style=TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            *commands,
        ]))
        self.width, self.height = self._table.wrapOn(self.canv, aw, ah)
        return self.width, self.height


class _Quote(Flowable):
    """A quotation: indented, with a rule down its left side; splits across pages."""

    indent = 14.0

    def __init__(self, inner: Flowable, space_after: float = 8.0):
        super().__init__()
        self.inner, self.space_after = inner, space_after

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        w, h = self.inner.wrap(aw - self.indent - 10, ah)
        self.width, self.height = aw, h
        return aw, h

    def split(self, aw: float, ah: float) -> list[Flowable]:
        _, h = self.inner.wrap(aw - self.indent - 10, ah)
        if h < 5.5 * self.inner.style.leading:
            return []  # a short quotation moves to the next page whole
        parts = self.inner.split(aw - self.indent - 10, ah)
        if len(parts) < 2:
            return []
        return [_Quote(parts[0], 0.0), _Quote(parts[1], self.space_after)]

    def getSpaceAfter(self) -> float:
        return self.space_after

    def draw(self) -> None:
        self.canv.setStrokeColor(ACCENT_LIGHT)
        self.canv.setLineWidth(2.2)
        self.canv.line(self.indent - 7, 1, self.indent - 7, self.height - 1)
        self.inner.drawOn(self.canv, self.indent, 0)


# --- the document --------------------------------------------------------------------------

class Document(BaseDocTemplate):
    """A report's pages: an optional cover, then body pages with the running head ``header``;
    headings become contents entries and bookmarks; progress and cancelling between flowables."""

    def __init__(self, file: Any, *, page_size: tuple[float, float], st: Styles, title: str, author: str,
                 subject: str, header: str, footer: str = "", keywords: Sequence[str] = (), cover: bool = True,
                 progress: ProgressFn | None = None, cancelled: CancelledFn | None = None):
        width, height = page_size
        self.margin_x = 20 * mm
        super().__init__(
            file, pagesize=page_size, leftMargin=self.margin_x, rightMargin=self.margin_x,
            topMargin=25 * mm, bottomMargin=22 * mm, title=title, author=author or "", subject=subject,
            creator="fieldkit", keywords=list(keywords), lang="en-GB",
        )
        self.header, self.footer, self.st = header, footer, st
        self._progress, self._cancelled = progress, cancelled
        # "Page x of y": y is the page count of the previous pass; a last pass that ends
        # with a different count is not accepted (see ``_PageCount``).
        self.total_pages: int | None = None
        self.pages_seen = 0
        self._passes = 0
        self._reported = 0.0
        self._story_len = 1
        self._story: list[Flowable] = []
        cover_frame = Frame(self.margin_x + 6 * mm, 30 * mm, width - 2 * self.margin_x - 6 * mm, height - 60 * mm,
                      id="cover", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        body = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        pages = [PageTemplate("body", [body], onPage=self._draw_header)]
        if cover:
            pages.insert(0, PageTemplate("cover", [cover_frame], onPage=self._draw_cover))
        self.addPageTemplates(pages)

    def build_pdf(self, story: list[Flowable]) -> int:
        """Lay out ``story`` in as many passes as the contents and page count need."""
        return self.multiBuild([*story, _PageCount(self)])

    # running heads, footers and cover art
    def _draw_cover(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        width, height = self.pagesize
        canv.saveState()
        canv.setFillColor(ACCENT)
        canv.rect(0, 0, 9 * mm, height, fill=1, stroke=0)
        canv.setFillColor(ACCENT_LIGHT)
        canv.rect(9 * mm, 0, 2.2 * mm, height, fill=1, stroke=0)
        canv.restoreState()
        self._draw_footer(canv, plain=True)

    def _draw_footer(self, canv: Canvas, *, plain: bool = False) -> None:
        self.pages_seen = self.page
        width, _ = self.pagesize
        y, half = 13 * mm, self.width / 2
        if not plain:
            canv.saveState()
            canv.setStrokeColor(RULE)
            canv.setLineWidth(0.5)
            canv.line(self.leftMargin, y + 10, width - self.rightMargin, y + 10)
            canv.restoreState()
            if self.footer:
                left = para(self.footer, self.st.running)
                _, h = left.wrap(half, 30)
                left.drawOn(canv, self.leftMargin, y + 8 - h)
        right = para(f"Page {self.page} of {self.total_pages or '?'}", self.st.running_right)
        _, h = right.wrap(half, 30)
        right.drawOn(canv, width - self.rightMargin - half, y + 8 - h)

    def _draw_header(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        self._draw_footer(canv)
        width, height = self.pagesize
        top = height - 14 * mm
        p = para(self.header, self.st.running)
        _, h = p.wrap(self.width * 0.8, 30)
        p.drawOn(canv, self.leftMargin, top - h)
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(self.leftMargin, top - h - 3, width - self.rightMargin, top - h - 3)
        canv.restoreState()

    # contents, bookmarks, progress and cancelling
    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Heading):
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.text, flowable.key, level=flowable.level, closed=flowable.level == 0)
            self.notify("TOCEntry", (flowable.level, flowable.text, self.page, flowable.key))

    def multiBuild(self, story: list[Flowable], **kw: Any) -> int:  # noqa: N802 - reportlab's name
        self._story_len = max(len(story), 1)
        return super().multiBuild(story, **kw)

    def build(self, flowables: list[Flowable], **kw: Any) -> None:
        self._story = flowables  # this pass's copy of the story, consumed as it is laid out
        super().build(flowables, **kw)

    def handle_documentBegin(self) -> None:
        self._passes += 1
        if self._passes > 1:
            self.total_pages = self.pages_seen
        self.pages_seen = 0
        super().handle_documentBegin()

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ReportCancelled("the report was cancelled; no file was written")
        super().handle_flowable(flowables)
        if self._progress is not None and flowables is self._story:
            done = min(max(self._story_len - len(flowables), 0) / self._story_len, 1.0)
            fraction = min((self._passes - 1 + done) / max(self._passes, 2), 0.98)
            if fraction >= self._reported + 0.01:
                self._reported = fraction
                self._progress(fraction)


def heading(st: Styles, text: str, level: int, key: str, style: ParagraphStyle | None = None) -> Flowable:
    """A heading (level 0 or 1) that becomes a contents entry and a bookmark named ``key``."""
    return _Heading(text, level, key, style or (st.h1 if level == 0 else st.h2))


class _PageCount(IndexingFlowable):
    """Asks for another pass until the page count printed in the footers is the real one."""

    def __init__(self, doc: Document):
        super().__init__()
        self.doc = doc

    def isSatisfied(self) -> bool:  # noqa: N802 - reportlab's name
        return self.doc.total_pages == self.doc.pages_seen

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


# --- the story -----------------------------------------------------------------------------

class _Story:
    """Builds the list of flowables from the report data, one section at a time."""

    def __init__(self, data: Any, st: Styles, text_width: float):
        self.data, self.st, self.width = data, st, text_width
        self.sections: Sequence[str] = SECTIONS
        self._keys = 0

    def heading(self, text: str, level: int = 0) -> _Heading:
        self._keys += 1
        return heading(self.st, text, level, f"s{self._keys}")

    def build(self, sections: Sequence[str]) -> list[Flowable]:
        self.sections = sections
        out = self.cover() + self.contents()
        first = True
        for name in SECTIONS:
            if name not in sections:
                continue
            part = getattr(self, name)()
            if not part:
                continue
            if not first and name != "targets":
                out.append(PageBreak())
            first = False
            out.extend(part)
        return out

    # cover and contents
    def cover(self) -> list[Flowable]:
        d, st = self.data, self.st
        out: list[Flowable] = [Spacer(1, 70 * mm), para("Mapping report", st.cover_sub), Spacer(1, 4),
                               para(d.title, st.cover_title)]
        out.append(_Rule(40 * mm, ACCENT, 1.6, space=10))
        rows = []
        for label, value in (("Prepared for", d.client), ("Prepared by", d.author), ("Date", _date(d.date))):
            if value:
                rows.append([para(label, st.cover_label), para(value, st.cover_value)])
        if rows:
            out.append(Table(rows, colWidths=(32 * mm, None), hAlign="LEFT", style=TableStyle([
                ("VALIGN", (0, 0), (-1, -1), "BASELINE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ])))
        out += [NextPageTemplate("body"), PageBreak()]
        return out

    def contents(self) -> list[Flowable]:
        return [para("Contents", self.st.contents), _Contents(self.st), PageBreak()]

    # sections: each returns its flowables, or [] when there is nothing to say
    def method(self) -> list[Flowable]:
        m = self.data.method
        if m is None:
            return []
        out: list[Flowable] = [self.heading("Method")]
        said = [f"{_n(m.total, 'organisation was', 'organisations were')} identified for the study, and "
                f"{m.contacted} of them contacted."]
        if m.excluded:
            said.append(f"{_n(m.excluded, 'organisation was', 'organisations were')} then excluded as outside "
                        f"the study's scope, leaving {_n(m.on_database, 'organisation', 'organisations')} "
                        "on the database.")
        else:
            said.append(f"None was excluded, so all {m.on_database} are on the database.")
        said.append(f"{_n(m.interviewed, 'organisation was', 'organisations were')} interviewed"
                    + (f", {m.full_interviews} of them completing the full interview." if m.full_interviews else "."))
        if m.not_reached:
            said.append(f"{_n(m.not_reached, 'organisation', 'organisations')} could not be reached despite "
                        "repeated attempts.")
        if m.declined:
            said.append(f"{_n(m.declined, 'organisation', 'organisations')} declined to take part.")
        said.append(f"{_n(m.listed_with_permission, 'organisation has', 'organisations have')} given "
                    "permission to be listed in the directory.")
        out += [para(" ".join(said), "body"), Spacer(1, 6)]
        rows = [["Organisations identified", m.total], ["Contacted", m.contacted], ["Excluded", m.excluded],
                ["On the database", m.on_database], ["Interviewed", m.interviewed],
                ["Completed the full interview", m.full_interviews], ["Could not be reached", m.not_reached],
                ["Declined", m.declined], ["Still being contacted", m.still_contacting],
                ["Not yet contacted", m.not_yet_contacted], ["Listed with permission", m.listed_with_permission]]
        out.append(self.table(["", "Organisations"], rows, [None, 30 * mm], width=min(self.width, 115 * mm)))
        if m.excluded_by_reason:
            out.append(self.heading("Organisations excluded, by reason", 1))
            rows = [[reason, n] for reason, n in m.excluded_by_reason] + [["Total", m.excluded]]
            out.append(self.table(["Reason", "Organisations"], rows, [None, 30 * mm],
                                  width=min(self.width, 115 * mm), total=True))
        return out

    def tables(self) -> list[Flowable]:
        d = self.data
        if not d.by_category and not d.by_area:
            return []
        out: list[Flowable] = [self.heading("Organisations mapped"),
                               para("How many organisations are on the database and how many were interviewed, "
                                    "by category of organisation and by area.", "body")]
        for title, rows, first in (("By category", d.by_category, "Category"), ("By area", d.by_area, "Area")):
            if rows:
                out.append(self.heading(title, 1))
                out.append(self.table([first, "On the database", "Interviewed"],
                                      [[r.group, r.on_database, r.interviewed] for r in rows],
                                      [None, 30 * mm, 30 * mm], total=rows[-1].group == "Total"))
        return out

    def targets(self) -> list[Flowable]:
        rows = list(self.data.targets)
        if not rows:
            return []
        level = 1 if self.data.by_category or self.data.by_area else 0
        out: list[Flowable] = [CondPageBreak(60 * mm), self.heading("Target and achieved", level),
                               para("Interviews achieved against the target set for each category.", "body")]
        body = []
        for r in rows:
            share = f"{100 * r.interviewed / r.target:.0f}%" if r.target else ""
            body.append([r.group, r.target if r.target is not None else "", r.interviewed, share])
        out.append(self.table(["Category", "Target", "Achieved", "Achieved as % of target"], body,
                              [None, 24 * mm, 24 * mm, 30 * mm], total=rows[-1].group == "Total"))
        return out

    def crosstabs(self) -> list[Flowable]:
        tabs = list(self.data.crosstabs)
        if not tabs:
            return []
        out: list[Flowable] = [self.heading("Answers by category")]
        out.append(para("For each question with set answers, how the organisations interviewed answered: the number "
                        "giving each answer and, in brackets, the percentage of those in the column who answered "
                        "the question. Answers to the anonymous questions are counted over all interviews only, "
                        "never by category." if any(x.anonymous for x in tabs) else
                        "For each question with set answers, how the organisations interviewed answered, by "
                        "category of organisation: the number giving each answer and, in brackets, the "
                        "percentage of those in the column who answered the question.", "body"))
        out += [para(note, self.st.note) for note in self.data.notes]
        for x in tabs:
            out.extend(self.crosstab(x))
        return out

    def crosstab(self, x: Any) -> list[Flowable]:
        lines = [*x.rows, x.total]
        groups = [r.group for r in x.rows] + ["All answering" if x.anonymous else "Total"]
        answering = "Respondents" if x.anonymous else "Organisations answering"
        caption = ("Answered anonymously: counted over all interviews, not by category."
                   if x.anonymous else "Percentages of the organisations in each column who answered.")
        # Answers down the side, one column per category: as many columns per table as fit.
        st = self.st
        cell_w = max([self.fit(g, st.x_head) for g in groups]
                     + [self.fit(c, st.x_cell) for r in lines for c in r.cells]) + 6
        first = max(self.width - cell_w * len(groups), 30 * mm)
        first = min(first, max(self.width * 0.5, 60 * mm), 80 * mm)
        per_table = max(int((self.width - first) // cell_w), 1)
        chunks = -(-len(groups) // per_table)
        per_table = -(-len(groups) // chunks)  # balanced: six columns in two tables are three and three
        cw = min((self.width - first) / per_table, max(cell_w, 36 * mm))  # a few columns stay near their labels
        blocks: list[Flowable] = []
        for start in range(0, len(groups), per_table):
            cols = range(start, min(start + per_table, len(groups)))
            rows = [[choice, *[lines[c].cells[i] for c in cols]] for i, choice in enumerate(x.choices)]
            rows.append([answering, *[lines[c].respondents for c in cols]])
            blocks.append(self.table(["Answer", *[groups[c] for c in cols]], rows, [first, *[cw] * len(cols)],
                                     width=first + cw * len(cols), total=True, compact=True,
                                     total_column=cols[-1] == len(groups) - 1 and len(groups) > 1))
            blocks.append(Spacer(1, 6))
        body: list[Flowable] = [self.heading(x.question_label, 1), para(caption, self.st.caption), *blocks[:-1]]
        body += [para(note, self.st.note) for note in x.notes if note not in self.data.notes]  # not twice
        chart = self.chart(x)
        if chart is not None:
            body += [Spacer(1, 8), para(chart[0], self.st.chart_caption), chart[1]]
        # Heading, table and chart on one page when they fit there; with a long list of answers
        # only the heading and table are kept together (and a table too long still splits).
        if len(x.choices) > 8 and chart is not None:
            return [CondPageBreak(50 * mm), KeepTogether(body[:-3]), *body[-3:], Spacer(1, 14)]
        return [CondPageBreak(50 * mm), KeepTogether(body), Spacer(1, 14)]

    def fit(self, text: str, style: ParagraphStyle) -> float:
        """The width ``text`` needs so that no word of it is broken."""
        return para(str(text), style).minWidth()

    def chart(self, x: Any) -> tuple[str, Flowable] | None:
        """A caption and a chart: answers by category as 100% bars for yes/no and short scales,
        otherwise the answers of everyone who answered."""
        if x.question_type in ("scale", "yes_no") and x.rows and len(x.choices) <= 7:
            rows = [charts.StackedRow(r.group, r.percentages, r.respondents) for r in [*x.rows, x.total]
                    if r.base_count and None not in r.percentages]
            if len(rows) > 1:
                return ("Answers in each category, as percentages of the organisations in it who answered.",
                        charts.StackedBars(rows, x.choices, ordered=x.ordered))
        t = x.total
        if not t.base_count:
            return None
        who = "everyone who answered" if x.anonymous else "all the organisations that answered"
        caption = (f"Answers of {who} (n = {t.respondents:,}): the percentage giving each answer, "
                   "the number in brackets.")
        return caption, charts.HorizontalBars([charts.Bar(c, p, n if n is not None else "*")
                                               for c, p, n in zip(x.choices, t.percentages, t.counts)])

    def comments(self) -> list[Flowable]:
        themes = [t for t in self.data.comments if t.quotations]
        if not themes:
            return []
        out: list[Flowable] = [self.heading("What organisations said about the wider sector")]
        out.append(para("Interviewees answered these questions in confidence. Their comments are kept apart from "
                        "the organisations' records and are shown here without names, grouped by theme, in an "
                        "order that does not follow the order of the interviews.", "body"))
        for theme in themes:
            out.append(self.heading(theme.theme, 1))
            out.append(para(_n(len(theme.quotations), "comment", "comments"), self.st.caption))
            out.extend(_Quote(para(q, self.st.quote)) for q in theme.quotations)
        return out

    def directory(self) -> list[Flowable]:
        entries = list(self.data.directory)
        out: list[Flowable] = [self.heading("Appendix: directory of organisations")]
        if not entries:
            return out + [para("No organisation on the database has given permission to be listed.", "body")]
        out += [para(f"The {_n(len(entries), 'organisation', 'organisations')} that gave permission to be listed, "
                     "by area.", "body"), Spacer(1, 4)]
        person = bool(self.data.include_person)
        header = ["Area", "Organisation", *(["Person interviewed"] if person else [])]
        rows = [[e.area, e.name, *([e.person or ""] if person else [])] for e in entries]
        widths = [38 * mm, None, *([50 * mm] if person else [])]
        out.append(self.table(header, rows, widths, numeric=False))
        return out

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float | None],
              **kw: Any) -> Table:
        return table(self.st, header, rows, widths, width=kw.pop("width", None) or self.width, **kw)


ZEBRA = colors.HexColor("#F6F8F9")


def table(st: Styles, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float | None], *,
          width: float, total: bool = False, numeric: bool = True, total_column: bool = False,
          compact: bool = False, head_row: bool = True) -> Table:
    """A table with every cell set through ``para``; ``None`` widths share what is left. A long
    table splits across pages with its header row repeated (``head_row`` False: no header, the
    first column as labels)."""
    fixed = sum(w for w in widths if w)
    free = [i for i, w in enumerate(widths) if not w]
    col = [w or (width - fixed) / len(free) for w in widths]
    right = numeric and len(header) > 1
    pad = 3 if compact else 4
    head, head_right, cell, cell_right = ((st.x_head, st.x_head_right, st.x_cell, st.x_cell_right) if compact
                                          else ("cell_head", st.head_right, "cell", "cell_right"))
    data = [[para(str(h), head_right if right and i else head) for i, h in enumerate(header)]] if head_row else []
    first = cell if head_row else st.label
    for r in rows:
        data.append([para(_text(v), (cell_right if right else cell) if i else first) for i, v in enumerate(r)])
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
    ]
    if head_row:
        commands += [("VALIGN", (0, 0), (-1, 0), "BOTTOM"), ("BACKGROUND", (0, 0), (-1, 0), ACCENT_LIGHT),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                     ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA])]
    else:
        commands.append(("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT))
    if total and rows:
        commands += [("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT), ("BACKGROUND", (0, -1), (-1, -1), colors.white)]
    if total_column:
        commands.append(("LINEBEFORE", (-1, 0), (-1, -1), 0.8, RULE))
    return Table(data, colWidths=col, repeatRows=1 if head_row else 0, hAlign="LEFT", style=TableStyle(commands))


def _n(count: Any, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _text(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


class _Rule(Flowable):
    def __init__(self, width: float, colour: colors.Color, thickness: float, space: float = 6):
        super().__init__()
        self.rule_width, self.colour, self.thickness, self.space = width, colour, thickness, space

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return min(self.rule_width, aw), self.thickness + 2 * self.space

    def draw(self) -> None:
        self.canv.setStrokeColor(self.colour)
        self.canv.setLineWidth(self.thickness)
        y = self.space + self.thickness / 2
        self.canv.line(0, y, min(self.rule_width, self.canv._pagesize[0]), y)


def _date(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.day} {value:%B %Y}"
    try:
        d = dt.date.fromisoformat(str(value)[:10])
        return f"{d.day} {d:%B %Y}"
    except ValueError:
        return str(value or "")


# --- entry point ---------------------------------------------------------------------------

def render_report(
    data: Any,
    path: str | os.PathLike,
    *,
    page_size: str = "a4",
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> Path:
    """Lay out ``data`` (a ``ReportData``) as a PDF at ``path`` and return the path.

    ``progress(fraction)`` is called as the pages are laid out; ``cancelled()`` is asked
    between flowables, and when it answers True the render stops with ``ReportCancelled``.
    The file appears only when complete.
    """
    if page_size not in PAGE_SIZES:
        raise InvalidValueError(f"unknown page size '{page_size}' (expected a4 or letter)")
    st = Styles()

    def build(f: Any) -> None:
        subject = f"Mapping report for {data.client}" if data.client else "Mapping report"
        doc = Document(f, page_size=PAGE_SIZES[page_size], st=st, title=data.title, author=data.author,
                       subject=subject, header=data.title, footer=_date(data.date),
                       keywords=["mapping report", data.client or ""], progress=progress, cancelled=cancelled)
        doc.build_pdf(_Story(data, st, doc.width).build(tuple(data.sections)))

    write_pdf(path, build)
    if progress is not None:
        progress(1.0)
    return Path(path)


def write_pdf(path: str | os.PathLike, build: Callable[[Any], None]) -> Path:
    """Call ``build(file)`` on a temporary file beside ``path``, flush it to disk and rename it
    over ``path``; on any failure (a cancel included) remove it and leave ``path`` as it was."""
    path = Path(path)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            build(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return path


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
