"""The pages every fieldkit PDF shares: styles, the document template, headings, tables, writing.

``Document`` lays out a story on A4 or US Letter with an optional cover, a running head (one
line, cut with "…" when the title is longer), a "Page x of y" footer on every page (the page
count settled by an extra pass when it changes), and turns ``heading()`` flowables into contents
entries and PDF bookmarks. A heading is never left at the foot of a page: it keeps with the start
of what follows it (``_KeepStart``), whatever that is. ``table()`` sets
every cell through ``text.para`` and repeats its header row on each page it runs onto.
``write_pdf`` writes a file atomically. The mapping report (``pdf``) and the case sheet
(``casesheet``) are built on these.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, Frame, KeepTogether, PageTemplate, Spacer,
                                Table, TableStyle)
from reportlab.platypus.doctemplate import FrameBreak, IndexingFlowable, _ktAllow
from reportlab.platypus.flowables import _ContainerSpace, _listWrapOn
from reportlab.platypus.tableofcontents import TableOfContents

from fieldkit.reports.charts import ACCENT, ACCENT_LIGHT, MUTED, RULE
from fieldkit.reports.text import para, styles

PAGE_SIZES = {"a4": A4, "letter": LETTER}
ZEBRA = colors.HexColor("#F6F8F9")

ProgressFn = Callable[[float], None]


# --- styles --------------------------------------------------------------------------------

def _style(base: str, name: str, **changes: Any) -> ParagraphStyle:
    return ParagraphStyle(f"report-{name}", parent=styles()[base], **changes)


class Styles:
    """The report's own variations on ``text.styles()``: sizes, colours and spacing only."""

    def __init__(self) -> None:
        s = styles()
        #: Every heading made with ``heading()`` for this document, in order: the contents' first draft.
        self.headings: list[_Heading] = []
        self.cover_title = _style("title", "cover-title", fontSize=max(s["title"].fontSize, 26),
                                  leading=max(s["title"].fontSize, 26) * 1.2, textColor=ACCENT, alignment=0,
                                  spaceAfter=10)
        self.cover_sub = _style("subtitle", "cover-sub", textColor=MUTED, alignment=0, spaceAfter=4)
        self.cover_label = _style("small", "cover-label", textColor=MUTED, spaceAfter=0)
        self.cover_value = _style("body", "cover-value", spaceAfter=0, spaceBefore=0)
        self.h1 = _style("h1", "h1", spaceBefore=0, spaceAfter=8, keepWithNext=1)
        self.h2 = _style("h2", "h2", spaceBefore=10, spaceAfter=5, keepWithNext=1)
        self.contents = _style("h1", "contents", spaceBefore=0, spaceAfter=14)
        # a caption introduces what follows it: never left at the foot of a page without it
        self.caption = _style("small", "caption", textColor=MUTED, spaceBefore=2, spaceAfter=6, keepWithNext=1)
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
        # a group of rows under a heading of its own (the directory's areas): not in the contents
        self.group = _style("h2", "group", fontSize=max(s["h2"].fontSize - 1.5, 9.5),
                            leading=max(s["h2"].fontSize - 1.5, 9.5) * 1.3, spaceBefore=9, spaceAfter=3,
                            keepWithNext=1)


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


class _KeepStart(KeepTogether):
    """Headings (and what leads into the flowable after them: a caption, an introduction, a
    space) kept with the start of that flowable.

    reportlab's ``keepWithNext`` keeps a heading with the one flowable after it and moves the
    lot to the next page when it does not fit whole, so a heading over a long table moves the
    whole table, and one over a caption stays at the foot while the table under the caption goes.
    Here, when everything does not fit in the space left, as much of the last flowable as fits
    comes with the headings (at least two lines, or a table's header and two rows), and only when
    even that does not fit does the lot go to the next page.
    """

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803 - reportlab's names
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        content = list(self._content)
        if aH >= self._H:
            return content
        frame = getattr(self, "_frame", None)
        at_top = bool(getattr(frame, "_atTop", False))
        lead, last = content[:-1], content[-1]
        _, used = _listWrapOn(lead, aW, self.canv)
        gap = max(lead[-1].getSpaceAfter(), last.getSpaceBefore()) if lead else 0
        room = aH - used - gap - 1
        if room > 0:
            parts = last.splitOn(self.canv, aW, room)
            if len(parts) >= 2 and _enough(parts[0], aW, room, self.canv):
                return [*lead, *parts]
        if at_top:
            return content  # as good as it gets: it flows from the top of the page
        return [FrameBreak(), *content]


def _enough(first: Flowable, width: float, room: float, canv: Any) -> bool:
    """Whether the first part of a split flowable is enough to keep a heading company: a table's
    header and two rows, or two lines of text."""
    if isinstance(first, Table):
        return len(first._cellvalues) - (first.repeatRows or 0) >= 2
    _, h = first.wrapOn(canv, width, room)
    style = getattr(first, "style", None)
    leading = getattr(style, "leading", 12) if style is not None else 12
    return h >= 1.9 * leading


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
        rows: list[list[_Linked]] = []
        commands: list[tuple[Any, ...]] = []  # reportlab's table style commands
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


# --- the document --------------------------------------------------------------------------

class Document(BaseDocTemplate):
    """A report's pages: an optional cover, then body pages with the running head ``header``;
    headings become contents entries and bookmarks. ``progress(fraction)`` is told how far the
    layout has gone and ``checkpoint()`` is called between flowables (it raises to stop)."""

    def __init__(self, file: Any, *, page_size: tuple[float, float], st: Styles, title: str, author: str,
                 subject: str, header: str, footer: str = "", keywords: Sequence[str] = (), cover: bool = True,
                 progress: ProgressFn | None = None, checkpoint: Callable[[], None] | None = None,
                 lang: str = "en-GB"):
        width, height = page_size
        self.margin_x = 20 * mm
        super().__init__(
            file, pagesize=page_size, leftMargin=self.margin_x, rightMargin=self.margin_x,
            topMargin=25 * mm, bottomMargin=22 * mm, title=title, author=author or "", subject=subject,
            creator="fieldkit", keywords=list(keywords), lang=lang,
        )
        self.header, self.footer, self.st = header, footer, st
        self._header_text: str | None = None
        self._progress, self._checkpoint = progress, checkpoint
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
        """Lay out ``story`` in as many passes as the contents and page count need.

        The contents start out with every heading made for the story (page numbers to come),
        so the first pass, which draws nothing, already lays the pages out at their final size
        and the second is normally the last (without this a third pass is needed: the first
        would lay out an empty contents page, and every page after it would move)."""
        for flowable in story:
            if isinstance(flowable, _Contents) and not flowable._entries:
                flowable._entries = [(h.level, h.text, 0, h.key) for h in self.st.headings]
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
        self.pages_seen = self.page  # counted, not numbered: a cover carries no page number

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
        if self._header_text is None:  # once: a long title is cut to one line
            self._header_text = _at_most(self.header, self.st.running, self.width * 0.8, lines=1)
        p = para(self._header_text, self.st.running)
        _, h = p.wrap(self.width * 0.8, 60)
        p.drawOn(canv, self.leftMargin, top - h)
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(self.leftMargin, top - h - 3, width - self.rightMargin, top - h - 3)
        canv.restoreState()

    # headings kept with what follows them
    def handle_keepWithNext(self, flowables: list[Flowable]) -> None:  # noqa: N802 - reportlab's name
        """Keep a run of flowables marked ``keepWithNext`` (headings, captions) with what follows.

        reportlab leaves a run alone when the next flowable is a conditional page break or a
        ``KeepTogether`` (neither may go in a group), and groups it with a bare space: in each
        case the heading can be left at the foot of a page. Here a conditional page break just
        after the run is taken first, a space is looked past, a ``KeepTogether`` is joined, and
        anything else is kept with the run by ``_KeepStart``.
        """
        n = len(flowables)
        i = 0
        while i < n and flowables[i].getKeepWithNext() and _ktAllow(flowables[i]):
            i += 1
        if not i:
            return
        k = i
        while k < n and (type(flowables[k]) is Spacer
                         or (flowables[k].getKeepWithNext() and _ktAllow(flowables[k]))):
            k += 1
        if k >= n:
            return super().handle_keepWithNext(flowables)
        after = flowables[k]
        if isinstance(after, CondPageBreak):  # it asks for room for what the headings head
            flowables.insert(0, flowables.pop(k))
            return None
        if isinstance(after, KeepTogether) and type(after) is KeepTogether:
            group: Flowable = KeepTogether([*flowables[:k], *after._content])
        elif _ktAllow(after) and not isinstance(after, _ContainerSpace):
            group = _KeepStart(flowables[:k + 1])
        else:  # a page break or the like: nothing to keep with
            return super().handle_keepWithNext(flowables)
        edits = getattr(self, "_multiBuildEdits", None)
        for f in flowables[:k]:  # each pass starts from the story's own marks
            if edits:
                if "keepWithNext" in f.__dict__:
                    edits((setattr, f, "keepWithNext", f.__dict__["keepWithNext"]))
                else:
                    edits((delattr, f, "keepWithNext"))
            f.__dict__["keepWithNext"] = 0
        del flowables[:k + 1]
        flowables.insert(0, group)
        return None

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
        # The first pass only finds where things fall (the contents' page numbers, the page
        # count: ``_PageCount`` is never satisfied by it), and its pages are thrown away, so
        # text is measured but not drawn (``text.TextBlock.draw``): a third of the layout's time.
        self.canv._fieldkit_dry = self._passes == 1
        super().handle_documentBegin()

    def _past_the_foot(self, spacer: Spacer) -> bool:
        """Whether a space does not fit in what is left of the frame (carried to the top of the
        next page it would push what follows down, or make a page of its own)."""
        frame = getattr(self, "frame", None)
        if frame is None or frame._atTop:
            return False
        return spacer.height > frame._y - frame._y1p - 1e-6

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        if self._checkpoint is not None:
            self._checkpoint()  # may raise to stop the layout (a cancel)
        if flowables and type(flowables[0]) is Spacer and self._past_the_foot(flowables[0]):
            del flowables[0]  # space at the foot of a page: the page's end is space enough
            return
        super().handle_flowable(flowables)
        if self._progress is not None and flowables is self._story:
            done = min(max(self._story_len - len(flowables), 0) / self._story_len, 1.0)
            fraction = min((self._passes - 1 + done) / max(self._passes, 2), 0.98)
            if fraction >= self._reported + 0.01:
                self._reported = fraction
                self._progress(fraction)


def _at_most(text: str, style: ParagraphStyle, width: float, *, lines: int) -> str:
    """``text``, cut at a word (or, a word itself too long, between letters) and ended with "…"
    if it takes more than ``lines`` lines."""
    def fits(t: str) -> bool:
        return para(t, style).wrap(width, 10_000)[1] <= lines * style.leading * 1.35

    text = " ".join(text.split())
    if fits(text):
        return text
    words = text.split()
    while len(words) > 1:
        words.pop()
        if fits(" ".join(words) + " …"):
            return " ".join(words) + " …"
    word = words[0] if words else ""
    low, high = 0, len(word)  # the most letters that fit with "…"
    while low < high:
        mid = (low + high + 1) // 2
        if fits(word[:mid] + "…"):
            low = mid
        else:
            high = mid - 1
    return word[:low] + "…"


def contents(st: Styles) -> Flowable:
    """The contents: every ``heading()`` of the document with its page, each line a link."""
    return _Contents(st)


def heading(st: Styles, text: str, level: int, key: str, style: ParagraphStyle | None = None) -> Flowable:
    """A heading (level 0 or 1) that becomes a contents entry and a bookmark named ``key``."""
    made = _Heading(text, level, key, style or (st.h1 if level == 0 else st.h2))
    st.headings.append(made)
    return made


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


# --- tables, dates and files ----------------------------------------------------------------

def table(st: Styles, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float | None], *,
          width: float, total: bool = False, numeric: bool = True, total_column: bool = False,
          compact: bool = False, head_row: bool = True, right: Sequence[int] = ()) -> Flowable:
    """A table with every cell set through ``para``; ``None`` widths share what is left. A long
    table splits across pages with its header row repeated (``head_row`` False: no header, the
    first column as labels). ``right``: with ``numeric=False``, the columns of numbers, aligned
    right (with ``numeric``, every column after the first is)."""
    fixed = sum(w for w in widths if w)
    free = [i for i, w in enumerate(widths) if not w]
    col = [w or (width - fixed) / len(free) for w in widths]
    numbers = set(range(1, len(header))) if numeric and len(header) > 1 else set(right)
    pad = 3 if compact else 4
    head, head_right, cell, cell_right = ((st.x_head, st.x_head_right, st.x_cell, st.x_cell_right) if compact
                                          else ("cell_head", st.head_right, "cell", "cell_right"))
    top = [[_cell(h, head_right if i in numbers else head) for i, h in enumerate(header)]] if head_row else []
    first = cell if head_row else st.label
    body = [[_cell(v, (cell_right if i in numbers else cell) if i else first) for i, v in enumerate(r)] for r in rows]
    commands: list[tuple[Any, ...]] = [
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
    if total_column:
        commands.append(("LINEBEFORE", (-1, 0), (-1, -1), 0.8, RULE))
    last = [("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT), ("BACKGROUND", (0, -1), (-1, -1), colors.white)]

    def rows_from(start: int, stop: int) -> Table:
        style = commands + last if total and rows and stop == len(body) else commands
        return Table(top + body[start:stop], colWidths=col, repeatRows=len(top), hAlign="LEFT",
                     style=TableStyle(style))

    return long_table(rows_from, len(body))


def long_table(rows_from: Callable[[int, int], Table], count: int) -> Flowable:
    """The table ``rows_from(0, count)``, or, when it has more rows than a page holds, a
    ``LongTable`` that lays it out a page at a time. ``rows_from(start, stop)`` makes the table
    of those rows with its header rows (``repeatRows``) above them."""
    return rows_from(0, count) if count <= LongTable.chunk else LongTable(rows_from, 0, count)


class LongTable(Flowable):
    """A table of more rows than a page holds, laid out a page at a time. Reportlab measures
    every row left in a table each time it splits it across a page, so a table of n rows cost
    n² over the rows a page holds (a directory of 20,000 organisations: 21 s, against 1.7 s
    this way). Here only the next ``chunk`` rows, more than any page holds, are made into a
    table and split; the rows that did not fit carry on in a new ``LongTable``, and the header
    rows come again at the top of each page, as in a table split by reportlab."""

    chunk = 120  # at least 12 points a row: 1,440 points, more than the tallest frame

    def __init__(self, rows_from: Callable[[int, int], Table], start: int, stop: int):
        super().__init__()
        self.rows_from, self.start, self.stop = rows_from, start, stop
        self._next: Table | None = None

    def _first(self) -> Table:
        if self._next is None:
            self._next = self.rows_from(self.start, min(self.stop, self.start + self.chunk))
        return self._next

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        w, h = self._first().wrap(aw, ah)
        # Taller than the room, always, so that the frame splits it: its rows go on past the chunk.
        return w, max(h * (self.stop - self.start) / self.chunk, ah + 1)

    def split(self, aw: float, ah: float) -> list[Flowable]:
        first = self._first()
        first.wrap(aw, ah)
        parts = first.split(aw, ah)
        taken = len(parts[0]._cellvalues) - (parts[0].repeatRows or 0) if parts else 0
        if taken <= 0:
            return []  # not even the header and a row fit here: the frame moves it on
        rest = self.start + taken
        if rest >= self.stop:
            return parts[:1]
        return [parts[0], LongTable(self.rows_from, rest, self.stop) if self.stop - rest > self.chunk
                else self.rows_from(rest, self.stop)]

    def draw(self) -> None:
        raise RuntimeError("a long table is drawn a page at a time, after it is split")


def _cell(value: Any, style: Any) -> Any:
    """A cell's paragraph; a list or tuple of texts is a cell of several lines (a paragraph each);
    a paragraph already made is the cell as it is."""
    if isinstance(value, Flowable):
        return value
    if isinstance(value, (list, tuple)):
        return [para(cell_text(v), style) for v in value] or para("", style)
    return para(cell_text(value), style)


def cell_text(value: Any) -> str:
    """A table cell's words: numbers with thousands separators, None as nothing."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def long_date(value: Any) -> str:
    """A date as "14 May 2026"."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.day} {value:%B %Y}"
    try:
        d = dt.date.fromisoformat(str(value)[:10])
        return f"{d.day} {d:%B %Y}"
    except ValueError:
        return str(value or "")


def write_pdf(path: str | os.PathLike, build: Callable[[Any], None]) -> Path:
    """Call ``build(file)`` on a temporary file beside ``path``, flush it to disk and rename it
    over ``path``; on any failure (a cancel included) remove it and leave ``path`` as it was."""
    from fieldkit.exports import write_atomically

    return write_atomically(path, build)
