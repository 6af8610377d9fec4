"""The mapping report as a PDF: lays out a ``ReportData`` with reportlab platypus.

The renderer runs no queries: everything it prints comes from the data object
(``fieldkit.reports.data.build_report_data``). It builds a story of flowables, lays it
out with a cover, a contents page with page numbers, a PDF outline and "Page x of y"
footers. ``render_report`` writes the file atomically: a temporary file beside the target,
flushed to disk, then renamed over it. A cancelled or failed render leaves no file behind and
any existing file untouched. ``render_report_bytes`` lays out the same report in memory and
returns its bytes, writing nothing at all (the Reports screen's preview: an unencrypted PDF of
pooled comments must not reach the disk just because the screen is open). Every piece of text
goes through ``text.para`` so names and quotations in any script print as real glyphs.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (CondPageBreak, Flowable, KeepTogether, NextPageTemplate, PageBreak, Spacer, Table,
                                TableStyle)

from fieldkit.errors import FieldkitError, InvalidValueError
from fieldkit.reports import charts
from fieldkit.reports.charts import ACCENT, ACCENT_LIGHT
from fieldkit.reports.data import ALL_SECTIONS, COMMENTS_INTRO, SOURCE, quotations_caption, report_subject
from fieldkit.reports.data import SECTIONS as SECTION_REGISTRY
from fieldkit.reports.pages import (PAGE_SIZES, Document, Styles, contents, heading, long_date, long_table, table,
                                    write_pdf)
from fieldkit.reports.pdf_blocks import Renderer
from fieldkit.reports.sections import WRITTEN
from fieldkit.reports.text import para

#: The report's sections in order: the one registry, ``fieldkit.reports.data.SECTIONS``.
SECTIONS = ALL_SECTIONS
_RUNS_ON = {s.name for s in SECTION_REGISTRY if s.runs_on}


class ReportCancelled(FieldkitError):
    """The report was cancelled before it was finished; no file was written."""


ProgressFn = Callable[[float], None]
CancelledFn = Callable[[], bool]


class _Quote(Flowable):
    """A quotation: indented, with a rule down the side it starts from (the right for Urdu or
    Arabic); splits across pages."""

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
        if getattr(self.inner, "right_to_left", False):  # mirrored: rule and indent on the right
            x = self.width - self.indent + 7
            self.canv.line(x, 1, x, self.height - 1)
            self.inner.drawOn(self.canv, 10, 0)
        else:
            self.canv.line(self.indent - 7, 1, self.indent - 7, self.height - 1)
            self.inner.drawOn(self.canv, self.indent, 0)


# --- the story -----------------------------------------------------------------------------

class _Story:
    """Builds the list of flowables from the report data, one section at a time."""

    def __init__(self, data: Any, st: Styles, text_width: float):
        self.data, self.st, self.width = data, st, text_width
        self.sections: Sequence[str] = SECTIONS
        self._keys = 0

    def heading(self, text: str, level: int = 0) -> Flowable:
        self._keys += 1
        return heading(self.st, text, level, f"s{self._keys}")

    def build(self, sections: Sequence[str]) -> list[Flowable]:
        self.sections = sections
        out = self.cover() + self.contents()
        first = True
        for name in sections:  # in the researcher's order
            if not self.data.has_content(name):
                continue
            part = self.written(name) if name in WRITTEN else getattr(self, name)()
            if not part:
                continue
            if not first and name not in _RUNS_ON:
                out.append(PageBreak())
            first = False
            out.extend(part)
        return out

    # the researcher's words
    def section_heading(self, name: str, level: int = 0) -> Flowable:
        """The heading section ``name`` prints under: the researcher's, else the section's own."""
        return self.heading(self.data.text_of(name).heading, level)

    def words(self, text: Any) -> list[Flowable]:
        """The researcher's text (``markup.Text``) as flowables; fieldkit's tables where it places them."""
        return Renderer(self.st, self.width, self.heading, self.generated).text(text)

    def intro(self, name: str, *default: str) -> list[Flowable]:
        """The researcher's introduction to a generated section, else fieldkit's ``default`` words."""
        text = self.data.text_of(name).text
        return self.words(text) if text else [para(d, "body") for d in default]

    def written(self, name: str) -> list[Flowable]:
        """A section the researcher writes: heading and text (recommendations: and their table)."""
        out = [self.section_heading(name), *self.words(self.data.text_of(name).text)]
        if name == "recommendations" and self.data.recommendations:
            out.append(Spacer(1, 4))
            out.append(self.table(["", "Recommendation", "Who should act"],
                                  [[str(n), r.text, r.who] for n, r in enumerate(self.data.recommendations, 1)],
                                  [9 * mm, None, 48 * mm], numeric=False))
        return out

    def generated(self, name: str) -> list[Flowable]:
        """One of fieldkit's tables, where the researcher's text places it (``{table:counts}``)."""
        d, words = self.data, self.data.method_section
        narrow = min(self.width, 115 * mm)
        if name == "counts" and words is not None:
            return [Spacer(1, 2), self.table(["", "Organisations"], [list(row) for row in words.counts],
                                             [None, 30 * mm], width=narrow), Spacer(1, 6)]
        if name == "excluded" and d.method is not None and d.method.excluded_by_reason:
            rows = [[reason, n] for reason, n in d.method.excluded_by_reason] + [["Total", d.method.excluded]]
            return [self.table(["Reason", "Organisations"], rows, [None, 30 * mm], width=narrow, total=True),
                    Spacer(1, 6)]
        if name == "rates" and words is not None and words.rates:
            return [Spacer(1, 2), self.table(["Rate", "%", "What it measures"],
                                             [[r.name, r.text, r.definition] for r in words.rates],
                                             [40 * mm, 16 * mm, None], numeric=False, right=(1,)), Spacer(1, 6)]
        if name == "dispositions" and d.dispositions:
            return [self.table(["Code", "Disposition", "Organisations"],
                               [[r.code, r.label, r.organisations] for r in d.dispositions],
                               [18 * mm, None, 30 * mm], width=min(self.width, 135 * mm), total=True,
                               numeric=False, right=(2,)), Spacer(1, 6)]
        if name in ("by_category", "by_area"):
            rows = d.by_category if name == "by_category" else d.by_area
            if rows:
                return [self.table(["Category" if name == "by_category" else "Area", "On the database",
                                    "Interviewed"], [[r.group, r.on_database, r.interviewed] for r in rows],
                                   [None, 30 * mm, 30 * mm], total=rows[-1].group == "Total"), Spacer(1, 6)]
        if name == "targets" and d.targets:
            return [self._targets_table(), Spacer(1, 6)]
        return []

    # cover and contents
    def cover(self) -> list[Flowable]:
        d, st = self.data, self.st
        c = d.cover
        out: list[Flowable] = [Spacer(1, 52 * mm if c and (c.client_logo or c.author_logo) else 70 * mm)]
        if c is not None and (c.client_logo or c.author_logo):
            out = [_Logos(c.client_logo, c.author_logo), Spacer(1, 24 * mm)]
        out += [para(c.subtitle if c and c.subtitle else "Mapping report", st.cover_sub), Spacer(1, 4),
                para(d.title, st.cover_title)]
        out.append(_Rule(40 * mm, ACCENT, 1.6, space=10))
        rows = []
        date = c.date if c is not None else long_date(d.date)
        for label, value in (("Prepared for", d.client), ("Prepared by", d.author), ("Date", date)):
            if value:
                rows.append([para(label, st.cover_label), para(value, st.cover_value)])
        if rows:
            out.append(Table(rows, colWidths=(32 * mm, None), hAlign="LEFT", style=TableStyle([
                ("VALIGN", (0, 0), (-1, -1), "BASELINE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ])))
        if c is not None and c.confidentiality:
            out += [Spacer(1, 14 * mm), para(c.confidentiality, st.cover_label)]
        out += [NextPageTemplate("body"), PageBreak()]
        return out

    def contents(self) -> list[Flowable]:
        return [para("Contents", self.st.contents), contents(self.st), PageBreak()]

    # sections: each returns its flowables, or [] when there is nothing to say
    def method(self) -> list[Flowable]:
        m, words = self.data.method, self.data.method_section
        if m is None or words is None:
            return []
        return [self.section_heading("method"), *self.words(self.data.method_text)]

    def dispositions(self) -> list[Flowable]:
        rows = list(self.data.dispositions)
        if not rows:
            return []
        level = 1 if self.data.method_section is not None else 0
        intro = self.intro("dispositions", "Every organisation in the study by its AAPOR disposition code"
                           + ("" if self.data.method_section and self.data.method_section.rates else f" ({SOURCE})")
                           + ": the counts the response and cooperation rates are worked out from.")
        out: list[Flowable] = [self.section_heading("dispositions", level), *_leading_in(intro)]
        out.append(self.table(["Code", "Disposition", "Organisations"],
                              [[r.code, r.label, r.organisations] for r in rows],
                              [18 * mm, None, 30 * mm], width=min(self.width, 135 * mm), total=True,
                              numeric=False, right=(2,)))
        out += [para(note, self.st.note) for note in self.data.dispositions_notes]
        return out

    def tables(self) -> list[Flowable]:
        d = self.data
        if not d.by_category and not d.by_area:
            return []
        out: list[Flowable] = [self.section_heading("tables"),
                               *self.intro("tables", "How many organisations are on the database and how many were "
                                           "interviewed, by category of organisation and by area.")]
        for title, rows, first in (("By category", d.by_category, "Category"), ("By area", d.by_area, "Area")):
            if rows:
                out.append(self.heading(title, 1))
                out.append(self.table([first, "On the database", "Interviewed"],
                                      [[r.group, r.on_database, r.interviewed] for r in rows],
                                      [None, 30 * mm, 30 * mm], total=rows[-1].group == "Total"))
        # The targets run on after these tables when they come next: when they would not fit
        # under the last table but would with it on the next page, the two go there together
        # (rather than the targets alone on a page the next section's page break leaves empty).
        if self._next_printed("tables") == "targets" and self.data.targets:
            last = 2 if len(out) >= 4 else len(out)
            out[-last:] = [_RunOn(out[-last:], self._targets_block())]
            self._targets_placed = True
        return out

    def _next_printed(self, name: str) -> str | None:
        """The section printed after ``name``, in the researcher's order."""
        order = list(self.sections)
        for later in order[order.index(name) + 1:] if name in order else []:
            if self.data.has_content(later):
                return later
        return None

    def targets(self) -> list[Flowable]:
        if not self.data.targets or getattr(self, "_targets_placed", False):
            return []  # none, or already run on after the tables (``tables``)
        return self._targets_block()

    def _targets_block(self) -> list[Flowable]:
        """A short table: heading, introduction and table go to the next page together, and only
        when they do not fit in what is left of this one (no fixed guess of the room they need)."""
        level = 1 if self.data.by_category or self.data.by_area else 0
        return [KeepTogether([self.section_heading("targets", level),
                              *self.intro("targets", "Interviews achieved against the target set for each category."),
                              self._targets_table()])]

    def _targets_table(self) -> Flowable:
        from fieldkit import summary

        rows = list(self.data.targets)
        body = []
        for r in rows:
            share = summary.percent_text(summary.percent(r.interviewed, r.target), r.target) if r.target else ""
            body.append([r.group, r.target if r.target is not None else "", r.interviewed, share])
        return self.table(["Category", "Target", "Achieved", "% of target"], body,
                          [None, 24 * mm, 24 * mm, 26 * mm], total=rows[-1].group == "Total")

    def crosstabs(self) -> list[Flowable]:
        tabs = list(self.data.crosstabs)
        if not tabs:
            return []
        out: list[Flowable] = [self.section_heading("crosstabs")]
        if self.data.text_of("crosstabs").text:
            out += self.intro("crosstabs")
        else:
            out.append(para("For each question with set answers, how the organisations interviewed answered: the "
                            "number giving each answer and, in brackets, the percentage of those in the column who "
                            "answered the question. Answers to the anonymous questions are counted over all "
                            "interviews only, never by category." if any(x.anonymous for x in tabs) else
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
        per_table = max(int((self.width - first) / cell_w + 1e-6), 1)  # a table that just fits is not split
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
            # The chart may start a page of its own: its caption names the question.
            body[-2] = para(f"“{x.question_label}” {chart[0]}", self.st.chart_caption)
            return [CondPageBreak(50 * mm), KeepTogether(body[:-3]), *body[-3:], Spacer(1, 14)]
        return [CondPageBreak(50 * mm), KeepTogether(body), Spacer(1, 14)]

    def fit(self, text: str, style: ParagraphStyle) -> float:
        """The width ``text`` needs so that no word of it is broken."""
        return para(str(text), style).minWidth()

    def chart(self, x: Any) -> tuple[str, Flowable] | None:
        """A caption and a chart (``charts.chart_for``: answers by category as 100% bars for yes/no
        and short scales, otherwise the answers of everyone who answered; hidden figures hatched)."""
        return charts.chart_for(x)

    def comments(self) -> list[Flowable]:
        themes = [t for t in self.data.comments if t.quotations or t.write_up]
        out: list[Flowable] = [self.section_heading("comments")]
        out += self.intro("comments", COMMENTS_INTRO)
        for theme in themes:
            out.append(self.heading(theme.theme, 1))
            out += self.words(theme.write_up)
            if theme.quotations:
                out.append(para(quotations_caption(theme), self.st.caption))
                out.extend(_Quote(para(q, self.st.quote)) for q in theme.quotations)
        return out

    def directory(self) -> list[Flowable]:
        """The organisations that gave permission to be listed, under their areas (each area once,
        in the study's order), with the contact details each agreed to have listed. Nothing at all
        when nobody did, unless the researcher wrote an introduction (``has_content``)."""
        from fieldkit.reports.directory import by_area

        if not self.data.has_content("directory"):
            return []
        entries = list(self.data.directory)
        out: list[Flowable] = [self.section_heading("directory")]
        if self.data.text_of("directory").text:
            out += self.intro("directory")
        if not entries:
            return out + [para("No organisation on the database has given permission to be listed.", "body")]
        details = any(e.details for e in entries)
        out.append(para(f"The {_n(len(entries), 'organisation', 'organisations')} that gave permission to be listed, "
                        "by area" + (", each with the contact details it agreed to have listed." if details else "."),
                        "body"))
        person = bool(self.data.include_person)
        for area, group in by_area(entries):
            rows = []
            for e in group:
                lines = [f"{label}: {value}" for label, value in e.details]
                if person and e.person and not any(label == "Contact" for label, _ in e.details):
                    lines.append(f"Person interviewed: {e.person}")
                rows.append([e.name, lines])
            out += [Spacer(1, 6), _directory_rows(self.st, area, rows, self.width)]
        return out

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float | None],
              *, right: Sequence[int] = (), **kw: Any) -> Flowable:
        """``pages.table`` across the report's width."""
        return table(self.st, header, rows, widths, width=kw.pop("width", None) or self.width, right=right, **kw)


def _n(count: Any, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class _RunOn(KeepTogether):
    """``first`` (a heading and its table) and then ``then`` (a block kept whole): when ``then``
    would not fit after ``first`` in what is left of the page but both fit on the next one, both
    go there; otherwise they flow as they would one after the other."""

    def __init__(self, first: list[Flowable], then: list[Flowable]):
        super().__init__([*first, *then])
        self.first, self.then = list(first), list(then)

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803 - reportlab's names
        from reportlab.platypus.doctemplate import FrameBreak
        from reportlab.platypus.flowables import _listWrapOn

        def flat(flowables: list[Flowable]) -> list[Flowable]:  # a KeepTogether measures its content
            return [g for f in flowables for g in (flat(f._content) if isinstance(f, KeepTogether) else [f])]

        content = [*self.first, *self.then]
        frame = getattr(self, "_frame", None)
        if frame is None or getattr(frame, "_atTop", False):
            return content
        _, both = _listWrapOn(flat(content), aW, self.canv)
        _, first = _listWrapOn(flat(self.first), aW, self.canv)
        if both <= aH or first > aH or both > frame._height:
            return content
        return [FrameBreak(), *content]


def _leading_in(flowables: list[Flowable]) -> list[Flowable]:
    """An introduction that leads into what follows it: its last paragraph keeps with that (a
    table's header and first rows at least), so a heading and its introduction are never left
    at the foot of a page (``pages._KeepStart``)."""
    if flowables:
        flowables[-1].keepWithNext = 1
    return flowables


def _directory_rows(st: Styles, area: str, rows: Sequence[Sequence[Any]], width: float) -> Flowable:
    """One area's organisations under the area's name (printed once, and again at the top of a
    page its rows run onto): each name on the left, what it agreed to have listed beside it, a
    line each."""
    from fieldkit.reports.charts import RULE

    names = min(max(width * 0.42, 60 * mm), 80 * mm)
    top = [[para(area, st.group), ""]]
    body = [[para(name, "cell"), [para(line, "cell") for line in lines] or para("", "cell")] for name, lines in rows]
    style = TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("SPAN", (0, 0), (-1, 0)),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (0, 0), (-1, 0), 0), ("TOPPADDING", (0, 0), (-1, 0), 6),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
    ])

    def rows_from(start: int, stop: int) -> Table:
        return Table(top + body[start:stop], colWidths=(names, width - names), hAlign="LEFT", repeatRows=1,
                     style=style)

    return long_table(rows_from, len(body))


class _Logos(Flowable):
    """The client's logo on the left of the cover, the author's on the right, at most 22 mm tall."""

    height_max = 22 * mm

    def __init__(self, client: bytes | None, author: bytes | None):
        super().__init__()
        from reportlab.lib.utils import ImageReader

        self.images = [ImageReader(io.BytesIO(b)) if b else None for b in (client, author)]

    def _size(self, image: Any, room: float) -> tuple[float, float]:
        w, h = image.getSize()
        scale = min(self.height_max / h, room / w)
        return w * scale, h * scale

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self.height = max([self._size(i, aw * 0.4)[1] for i in self.images if i] or [0])
        return aw, self.height

    def draw(self) -> None:
        for side, image in zip(("left", "right"), self.images, strict=True):
            if image is None:
                continue
            w, h = self._size(image, self.width * 0.4)
            x = 0 if side == "left" else self.width - w
            self.canv.drawImage(image, x, self.height - h, w, h, mask="auto")


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


# --- entry points --------------------------------------------------------------------------

def _layout(data: Any, *, page_size: str, progress: ProgressFn | None,
            cancelled: CancelledFn | None) -> Callable[[Any], None]:
    """The one layout of the report: a function that writes the PDF of ``data`` into a binary
    file object (a file on disk, or ``io.BytesIO``), for both entry points below."""
    if page_size not in PAGE_SIZES:
        raise InvalidValueError(f"unknown page size '{page_size}' (expected a4 or letter)")
    st = Styles()

    def checkpoint() -> None:
        if cancelled is not None and cancelled():
            raise ReportCancelled("the report was cancelled; no file was written")

    def build(f: Any) -> None:
        subject = report_subject(data.cover.subtitle if data.cover is not None else "", data.client)
        doc = Document(f, page_size=PAGE_SIZES[page_size], st=st, title=data.title, author=data.author,
                       subject=subject, header=data.title,
                       footer=data.cover.date if data.cover is not None else long_date(data.date),
                       keywords=["report", data.client or ""], progress=progress, checkpoint=checkpoint,
                       lang=getattr(data, "lang", "en-GB"))
        doc.build_pdf(_Story(data, st, doc.width).build(tuple(data.sections)))

    return build


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
    write_pdf(path, _layout(data, page_size=page_size, progress=progress, cancelled=cancelled))
    if progress is not None:
        progress(1.0)
    return Path(path)


def render_report_bytes(
    data: Any,
    *,
    page_size: str = "a4",
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> bytes:
    """The same PDF as ``render_report``, laid out in memory and returned as bytes; no file is
    written, not even a temporary one (for a preview: the bytes can be drawn with pypdfium2).

    ``progress`` and ``cancelled`` work as for ``render_report``.
    """
    build = _layout(data, page_size=page_size, progress=progress, cancelled=cancelled)
    buffer = io.BytesIO()
    build(buffer)
    if progress is not None:
        progress(1.0)
    return buffer.getvalue()
