"""The researcher's words in a report: Markdown, read with markdown-it-py, as plain blocks.

A written section (background, findings, recommendations, ...) is kept in the study as Markdown:
headings, paragraphs, **bold**, *italic*, bulleted and numbered lists, footnotes (``[^1]``),
simple tables (``| a | b |``) and block quotations (``> ...``). ``parse`` turns it into the
frozen blocks below, which both renderers (PDF and Word) and the Reports screen's preview read,
so the three never disagree about what a text says. Live figures (``{interviewed}``) are filled
in first (``fieldkit.reports.figures``); a line holding only ``{table:counts}`` places one of
fieldkit's generated tables there. Raw HTML is shown as the text it is, never interpreted.

Headings inside a section are its sub-headings: ``#`` and ``##`` are level 2 (the section's own
title is level 1), ``###`` and below level 3.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

if TYPE_CHECKING:
    from markdown_it.token import Token

    from fieldkit.reports.figures import Figures


@dataclass(frozen=True)
class Span:
    """A run of text in one style. ``footnote``: a reference to that footnote (``text`` is its number)."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    link: str | None = None
    footnote: int | None = None


Spans = tuple[Span, ...]


@dataclass(frozen=True)
class Heading:
    level: int          # 2 or 3: under the section's own title
    spans: Spans


@dataclass(frozen=True)
class Paragraph:
    spans: Spans


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    start: int
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class TableBlock:
    header: tuple[Spans, ...]
    rows: tuple[tuple[Spans, ...], ...]
    align: tuple[str, ...]      # "left", "right" or "center" for each column


@dataclass(frozen=True)
class GeneratedTable:
    """One of fieldkit's tables placed in the text (``{table:counts}``): ``figures.TABLES``."""

    name: str


@dataclass(frozen=True)
class Rule:
    pass


Block = Heading | Paragraph | ListBlock | Quote | TableBlock | GeneratedTable | Rule


@dataclass(frozen=True)
class Footnote:
    number: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Text:
    """A written text as blocks, with its footnotes numbered in order of first reference."""

    blocks: tuple[Block, ...] = ()
    footnotes: tuple[Footnote, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.blocks)

    def tables(self) -> set[str]:
        """The names of the generated tables the text places (``{table:counts}``), lists and quotations included."""
        def walk(blocks: tuple[Block, ...]) -> set[str]:
            found: set[str] = set()
            for b in blocks:
                if isinstance(b, GeneratedTable):
                    found.add(b.name)
                elif isinstance(b, ListBlock):
                    for item in b.items:
                        found |= walk(item)
                elif isinstance(b, Quote):
                    found |= walk(b.blocks)
            return found
        return walk(self.blocks)

    def plain(self) -> list[str]:
        """Every piece of text in it, for searching and for checking glyphs."""
        out: list[str] = []
        for block in self.blocks:
            out.extend(_plain(block))
        for note in self.footnotes:
            for block in note.blocks:
                out.extend(_plain(block))
        return out


EMPTY = Text()
_TABLE_LINE = re.compile(r"^\s*\{table:\s*([a-z_]+)\s*\}\s*$")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    return md


def parse(source: str, *, where: str = "the text", figures: Figures | None = None) -> Text:
    """``source`` (Markdown) as blocks, its figures filled in from ``figures`` when given.
    An unknown figure raises ``InvalidValueError`` naming ``where`` and the line."""
    if not source or not source.strip():
        return EMPTY
    if figures is not None:
        source = figures.fill(source, where)
    tokens = _parser().parse(source)
    reader = _Reader(tokens)
    blocks = reader.blocks(len(tokens))
    notes = tuple(Footnote(reader.numbers[label], body) for label, body in
                  sorted(reader.footnote_bodies.items(), key=lambda kv: reader.numbers.get(kv[0], 10**6))
                  if label in reader.numbers)
    return Text(tuple(blocks), notes)


class _Reader:
    """Walks markdown-it's token stream once, building blocks."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0
        self.numbers: dict[Any, int] = {}            # footnote id -> number printed
        self.footnote_bodies: dict[Any, tuple[Block, ...]] = {}

    def blocks(self, end: int, closing: str | None = None) -> list[Block]:
        out: list[Block] = []
        while self.i < end:
            t = self.tokens[self.i]
            if closing is not None and t.type == closing:
                self.i += 1
                return out
            block = self.block(t)
            if block is not None:
                out.append(block)
        return out

    def block(self, t: Token) -> Block | None:
        kind = t.type
        if kind == "heading_open":
            spans = self.inline(self.tokens[self.i + 1])
            self.i += 3
            return Heading(2 if t.tag in ("h1", "h2") else 3, spans)
        if kind == "paragraph_open":
            inline = self.tokens[self.i + 1]
            self.i += 3
            m = _TABLE_LINE.match(inline.content)
            if m:
                return GeneratedTable(m.group(1))
            return Paragraph(self.inline(inline))
        if kind in ("bullet_list_open", "ordered_list_open"):
            ordered = kind == "ordered_list_open"
            start = int(t.attrGet("start") or 1) if ordered else 1
            self.i += 1
            items: list[tuple[Block, ...]] = []
            close = kind.replace("_open", "_close")
            while self.tokens[self.i].type != close:
                if self.tokens[self.i].type == "list_item_open":
                    self.i += 1
                    items.append(tuple(self.blocks(len(self.tokens), "list_item_close")))
                else:
                    self.i += 1
            self.i += 1
            return ListBlock(ordered, start, tuple(items))
        if kind == "blockquote_open":
            self.i += 1
            return Quote(tuple(self.blocks(len(self.tokens), "blockquote_close")))
        if kind == "table_open":
            return self.table()
        if kind in ("fence", "code_block"):
            self.i += 1
            return Paragraph((Span(t.content.rstrip("\n"), code=True),))
        if kind == "hr":
            self.i += 1
            return Rule()
        if kind == "footnote_block_open":
            self.i += 1
            while self.tokens[self.i].type != "footnote_block_close":
                note = self.tokens[self.i]
                if note.type == "footnote_open":
                    self.i += 1
                    body = self.blocks(len(self.tokens), "footnote_close")
                    self.footnote_bodies[note.meta["id"]] = tuple(body)
                else:
                    self.i += 1
            self.i += 1
            return None
        if kind == "footnote_anchor":
            self.i += 1
            return None
        if kind == "html_block":  # html is off, so this does not happen; shown as text if it does
            self.i += 1
            return Paragraph((Span(t.content.strip()),))
        self.i += 1
        return None

    def table(self) -> TableBlock:
        header: list[Spans] = []
        rows: list[tuple[Spans, ...]] = []
        align: list[str] = []
        row: list[Spans] = []
        in_head = False
        self.i += 1
        while self.tokens[self.i].type != "table_close":
            t = self.tokens[self.i]
            if t.type == "thead_open":
                in_head = True
            elif t.type == "thead_close":
                in_head = False
            elif t.type == "tr_open":
                row = []
            elif t.type == "tr_close":
                if in_head:
                    header = row
                else:
                    rows.append(tuple(row))
            elif t.type in ("th_open", "td_open"):
                if in_head:
                    style = str(t.attrGet("style") or "")
                    align.append("right" if "right" in style else "center" if "center" in style else "left")
                row.append(self.inline(self.tokens[self.i + 1]))
                self.i += 2  # the inline and the closing tag
            self.i += 1
        self.i += 1
        width = len(header)
        rows = [tuple(r[:width]) + tuple(() for _ in range(width - len(r))) for r in rows]
        return TableBlock(tuple(header), tuple(rows), tuple(align))

    def inline(self, t: Token) -> Spans:
        spans: list[Span] = []
        bold = italic = 0
        link: list[str] = []
        for c in t.children or []:
            kind = c.type
            if kind in ("text", "text_special"):
                _add(spans, Span(c.content, bold > 0, italic > 0, False, link[-1] if link else None))
            elif kind in ("softbreak", "hardbreak"):
                _add(spans, Span("\n" if kind == "hardbreak" else " ", bold > 0, italic > 0))
            elif kind == "strong_open":
                bold += 1
            elif kind == "strong_close":
                bold -= 1
            elif kind == "em_open":
                italic += 1
            elif kind == "em_close":
                italic -= 1
            elif kind == "code_inline":
                spans.append(Span(c.content, bold > 0, italic > 0, True))
            elif kind == "link_open":
                link.append(str(c.attrGet("href") or ""))
            elif kind == "link_close":
                if link:
                    link.pop()
            elif kind == "image":
                _add(spans, Span(c.content or "", bold > 0, italic > 0))
            elif kind == "footnote_ref":
                key = c.meta["id"]
                number = self.numbers.setdefault(key, len(self.numbers) + 1)
                spans.append(Span(str(number), footnote=number))
            elif kind == "html_inline":
                _add(spans, Span(c.content, bold > 0, italic > 0))
        return tuple(spans)


def _add(spans: list[Span], span: Span) -> None:
    """Append, joining onto the last span when the style is the same."""
    if not span.text:
        return
    if spans:
        last = spans[-1]
        if (last.bold, last.italic, last.code, last.link, last.footnote) == \
                (span.bold, span.italic, span.code, span.link, span.footnote) and last.footnote is None:
            spans[-1] = Span(last.text + span.text, last.bold, last.italic, last.code, last.link)
            return
    spans.append(span)


def spans_text(spans: Spans) -> str:
    return "".join(s.text for s in spans)


def _plain(block: Block) -> list[str]:
    if isinstance(block, (Heading, Paragraph)):
        return [spans_text(block.spans)]
    if isinstance(block, ListBlock):
        return [t for item in block.items for b in item for t in _plain(b)]
    if isinstance(block, Quote):
        return [t for b in block.blocks for t in _plain(b)]
    if isinstance(block, TableBlock):
        return [spans_text(c) for c in block.header] + [spans_text(c) for r in block.rows for c in r]
    return []


# --- the preview's HTML --------------------------------------------------------------------

def spans_html(spans: Spans) -> str:
    out = []
    for s in spans:
        text = html.escape(s.text).replace("\n", "<br>")
        if s.footnote is not None:
            out.append(f"<sup>{text}</sup>")
            continue
        if s.code:
            text = f"<code>{text}</code>"
        if s.italic:
            text = f"<i>{text}</i>"
        if s.bold:
            text = f"<b>{text}</b>"
        if s.link:
            text = f'<a href="{html.escape(s.link, quote=True)}">{text}</a>'
        out.append(text)
    return "".join(out)


def blocks_html(blocks: tuple[Block, ...], describe_table: Any = None) -> str:
    """Blocks as simple HTML for a preview widget. ``describe_table(name)``: what to show for a
    generated table (by default its description from ``figures.TABLES``)."""
    from fieldkit.reports.figures import TABLES

    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"<h{b.level + 1}>{spans_html(b.spans)}</h{b.level + 1}>")
        elif isinstance(b, Paragraph):
            out.append(f"<p>{spans_html(b.spans)}</p>")
        elif isinstance(b, ListBlock):
            tag = "ol" if b.ordered else "ul"
            start = f' start="{b.start}"' if b.ordered and b.start != 1 else ""
            items = "".join(f"<li>{blocks_html(item, describe_table)}</li>" for item in b.items)
            out.append(f"<{tag}{start}>{items}</{tag}>")
        elif isinstance(b, Quote):
            out.append(f"<blockquote>{blocks_html(b.blocks, describe_table)}</blockquote>")
        elif isinstance(b, TableBlock):
            head = "".join(f'<th align="{a}">{spans_html(c)}</th>' for c, a in zip(b.header, b.align, strict=True))
            body = "".join("<tr>" + "".join(f'<td align="{a}">{spans_html(c)}</td>'
                                            for c, a in zip(r, b.align, strict=True))
                           + "</tr>" for r in b.rows)
            out.append(f'<table border="1" cellspacing="0" cellpadding="4"><tr>{head}</tr>{body}</table>')
        elif isinstance(b, GeneratedTable):
            what = describe_table(b.name) if describe_table else f"[Table: {TABLES.get(b.name, b.name)}]"
            out.append(f"<p><i>{html.escape(what)}</i></p>")
        elif isinstance(b, Rule):
            out.append("<hr>")
    return "".join(out)


def text_html(text: Text, describe_table: Any = None) -> str:
    """A whole text, its footnotes last, as HTML for a preview widget."""
    body = blocks_html(text.blocks, describe_table)
    if text.footnotes:
        notes = "".join(f"<li value=\"{n.number}\">{blocks_html(n.blocks, describe_table)}</li>"
                        for n in text.footnotes)
        body += f"<hr><ol>{notes}</ol>"
    return body
