"""The researcher's own words in the PDF: ``markup`` blocks as flowables.

Paragraphs keep their bold and italic words (``text.rich``); headings become contents entries
like fieldkit's own; lists are indented with their bullets or numbers; block quotations get the
rule down the side the report's quotations have; simple tables are set like the report's
tables; a ``{table:…}`` line asks the renderer for that generated table. Footnotes are numbered
through the section (superscript numbers in the text) and printed as notes at its end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from fieldkit.reports import markup
from fieldkit.reports.markup import Span, Spans
from fieldkit.reports.pages import Styles
from fieldkit.reports.pages import table as page_table
from fieldkit.reports.text import TextBlock, rich

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

HeadingFn = Callable[[str, int], Flowable]
TableFn = Callable[[str], list[Flowable]]


def _variant(span: Span) -> str:
    return "bold" if span.bold else "italic" if span.italic else "regular"


def runs(spans: Spans) -> list[tuple[str, str]]:
    """Spans as ``text.rich`` runs: footnote references as superscript numbers."""
    out = []
    for s in spans:
        if s.footnote is not None:
            out.append((str(s.footnote).translate(_SUPERSCRIPT), "regular"))
        else:
            out.append((s.text, _variant(s)))
    return out


def paragraph(spans: Spans, style: Any) -> TextBlock:
    return rich(runs(spans), style)


class Renderer:
    """Lays out one section's text; ``heading(text, level)`` makes a contents-linked heading and
    ``generated(name)`` the flowables of one of fieldkit's tables."""

    def __init__(self, st: Styles, width: float, heading: HeadingFn, generated: TableFn | None = None):
        self.st, self.width, self.heading, self.generated = st, width, heading, generated

    def text(self, text: markup.Text) -> list[Flowable]:
        out = self.blocks(text.blocks)
        if text.footnotes:
            out.append(Spacer(1, 4))
            for note in text.footnotes:
                body = [b for b in note.blocks]
                first = body[0] if body and isinstance(body[0], markup.Paragraph) else None
                spans: Spans = ((Span(f"{note.number}. "),) + first.spans) if first else (Span(f"{note.number}."),)
                out.append(paragraph(spans, self.st.note))
                rest = body[1:] if first else body
                out += self.blocks(tuple(rest), style=self.st.note)
        return out

    def blocks(self, blocks: tuple[markup.Block, ...], *, style: Any = "body", indent: float = 0) -> list[Flowable]:
        out: list[Flowable] = []
        for b in blocks:
            if isinstance(b, markup.Heading):
                out.append(self.heading(markup.spans_text(b.spans), 1 if b.level == 2 else 2))
            elif isinstance(b, markup.Paragraph):
                out.append(self._indented(paragraph(b.spans, style), indent))
            elif isinstance(b, markup.ListBlock):
                out += self.list(b, style, indent)
            elif isinstance(b, markup.Quote):
                from fieldkit.reports.pdf import _Quote  # the report's quotation look

                for inner in self.blocks(b.blocks, style=self.st.quote):
                    out.append(_Quote(inner) if isinstance(inner, TextBlock) else inner)
            elif isinstance(b, markup.TableBlock):
                out.append(self.table(b))
                out.append(Spacer(1, 6))
            elif isinstance(b, markup.GeneratedTable):
                if self.generated is not None:
                    out += self.generated(b.name)
            elif isinstance(b, markup.Rule):
                from fieldkit.reports.pdf import _Rule
                from fieldkit.reports.charts import RULE

                out.append(_Rule(self.width, RULE, 0.6, space=6))
        return out

    def _indented(self, block: TextBlock, indent: float) -> Flowable:
        if not indent:
            return block
        return Table([[block]], colWidths=[self.width - indent], hAlign="RIGHT", style=TableStyle([
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))

    def list(self, b: markup.ListBlock, style: Any, indent: float) -> list[Flowable]:
        """A list as a two-column table per item (marker, body), so wrapped lines hang."""
        out: list[Flowable] = []
        gap = 6 * mm
        for n, item in enumerate(b.items, b.start):
            marker = f"{n}." if b.ordered else ("•" if indent == 0 else "–")
            body = self.blocks(item, style=style, indent=0) or [paragraph((), style)]
            rows = [[rich([(marker, "regular")], style), body]]
            t = Table(rows, colWidths=[gap, self.width - indent - gap], hAlign="RIGHT", style=TableStyle([
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
            out.append(t)
        out.append(Spacer(1, 4))
        return out

    def table(self, b: markup.TableBlock) -> Flowable:
        def style(head: bool, c: int) -> Any:  # each cell's own bold and italic words, aligned as its column
            right = c < len(b.align) and b.align[c] == "right"
            if head:
                return self.st.head_right if right else "cell_head"
            return "cell_right" if right else "cell"

        header = [paragraph(cell, style(True, c)) for c, cell in enumerate(b.header)]
        rows = [[paragraph(cell, style(False, c)) for c, cell in enumerate(r)] for r in b.rows]
        return page_table(self.st, header, rows, [None] * len(header), width=self.width, numeric=False)
