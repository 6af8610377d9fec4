"""Paragraphs for the PDF reports: plain text in any script a UK study meets, and the styles.

Every piece of report text goes through ``para()``, which returns a ``TextBlock``: a flowable
that lays its text out itself, because reportlab's Paragraph cannot (see ``scripts``):

1. each character gets a font by script and a bidi level (``scripts.assign_fonts``,
   ``scripts.bidi_levels``) on the logical text;
2. lines are broken on the logical text, at spaces, between Chinese characters and between
   Thai clusters (Thai puts no spaces between words);
3. each line's runs (same font, same level) are put in visual order (``scripts.visual_order``)
   and drawn shaped (``scripts.shape``), so right-to-left words read in order on every line
   and joined Arabic letters and Indic conjuncts come out right.

Table cells, headings, quotations, page furniture: all of it is ``para()``, so nothing reaches
the canvas unshaped.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from fieldkit.reports.scripts import (FONT, FONT_BOLD, FONT_ITALIC, Font, assign_fonts, bidi_levels, font_for,
                                      printable, register_fonts, script_of, shape, variant_of, visual_order)

__all__ = ["FONT", "FONT_BOLD", "FONT_ITALIC", "TextBlock", "para", "register_fonts", "rich", "styles"]

_SPACES = " \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000"  # not no-break ones
_BREAKING_SPACES = set(_SPACES)
_WORDS = re.compile(f"[{_SPACES}]+|[^{_SPACES}]+")
_NEWLINES = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_MANY_SPACES = re.compile("  +")  # collapsed to one, as in reportlab's own paragraphs
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_NO_LINE_START = set("!%),.:;?]}¢°’”‰′″›℃∶、。〉》」』】〕〗〙〛！％），．：；？］｝～｠｡｣､・ー々〻"
                     "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ")
_NO_LINE_END = set("$(£¥[{‘“‹〈《「『【〔〖〘〚＄（［｛｟｢￡￥")
_VIRAMAS = {"\u09cd", "\u0a4d", "\u0acd", "\u0dca", "\u200d"}
# Thai: vowels written before their consonant (a line never ends on one), vowels and signs
# that follow it or repeat a word (a line never starts with one); marks are never split off.
_THAI_LEADING = set("\u0e40\u0e41\u0e42\u0e43\u0e44")
_THAI_FOLLOWING = set("\u0e2f\u0e30\u0e32\u0e33\u0e45\u0e46")
_NO_SPACE_SCRIPTS = ("cjk", "thai")  # written without spaces between words
LINE_FIT = 0.9  # a line is at least this share of its fonts' ascent + descent tall


# --- paragraphs ----------------------------------------------------------------------------

@dataclass
class _Segment:
    """One line of the source text (between newlines): fonts, levels and break points."""

    text: str
    fonts: list[Font]
    levels: list[int]
    base: int
    tokens: list[tuple[bool, int, int]]  # (is_space, start, end); a line may break between any two
    changes: list[int]  # where the font or the bidi level changes
    widths: dict[float, list[float]]  # font size -> each token's width


def _break_after(a: str, b: str) -> bool:
    """May a line break between two non-space characters? Around Chinese and Japanese, and
    between two Thai clusters (without a dictionary of Thai words, at any cluster: a consonant
    with its vowels and tone marks)."""
    if a == "\u200b":  # a zero-width space marks a break (Thai writers put them between words)
        return True
    if script_of(a) == "thai" and script_of(b) == "thai":
        return (unicodedata.category(b)[0] != "M" and b not in _THAI_FOLLOWING and a not in _THAI_LEADING
                and not (a.isdigit() and b.isdigit()))
    cjk = lambda c: script_of(c) == "cjk" and c not in _NO_LINE_START  # noqa: E731
    return (cjk(a) or cjk(b)) and b not in _NO_LINE_START and a not in _NO_LINE_END


def _segment(text: str, variant: str, variants: list[str] | None = None) -> _Segment:
    """``variants``: a variant for each character (bold and italic words), else ``variant`` throughout."""
    if variants is None:
        fonts = assign_fonts(text, variant)
    else:
        fonts, start = [], 0
        for i in range(1, len(text) + 1):
            if i == len(text) or variants[i] != variants[start]:
                fonts += assign_fonts(text[start:i], variants[start])
                start = i
    base, levels = bidi_levels(text)
    no_space = {font_for(s, v) for s in _NO_SPACE_SCRIPTS for v in ("regular", "bold", "italic")}
    any_no_space = not no_space.isdisjoint(fonts)
    tokens: list[tuple[bool, int, int]] = []
    for match in _WORDS.finditer(text):
        start, end = match.span()
        if text[start] in _BREAKING_SPACES or not any_no_space or no_space.isdisjoint(fonts[start:end]):
            tokens.append((text[start] in _BREAKING_SPACES, start, end))
            continue
        for i in range(start + 1, end):
            if _break_after(text[i - 1], text[i]):
                tokens.append((False, start, i))
                start = i
        tokens.append((False, start, end))
    if (not fonts or fonts.count(fonts[0]) == len(fonts)) and not any(levels):
        changes = []
    else:
        changes = [i for i in range(1, len(text)) if fonts[i] is not fonts[i - 1] or levels[i] != levels[i - 1]]
    return _Segment(text, fonts, levels, base, tokens, changes, {})


def _clean(text: str) -> list[str]:
    """The text's lines, NFC-normalised, tabs and runs of spaces as one space, control characters
    and symbols no font has (emoji) dropped."""
    text = _NEWLINES.sub("\n", printable(unicodedata.normalize("NFC", text)))
    lines = _MANY_SPACES.sub(" ", _CONTROLS.sub("", text.replace("\t", " "))).split("\n")
    while lines and not lines[-1].strip():  # blank lines at either end take no room
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


@dataclass(frozen=True)
class _Line:
    segment: int
    start: int
    end: int
    last: bool  # the last line of its segment: never justified
    height: float
    ascent: float  # from the line's top to its baseline


class TextBlock(Flowable):
    """A paragraph of plain text in any script, laid out by this module (see the module doc).

    Behaves like a reportlab ``Paragraph`` where the report needs it: it wraps to any width,
    splits across pages, sits in table cells, honours the style's font size, leading, colour,
    alignment, indents, space before and after and keep-with-next. Text aligned left is aligned
    right when its first strong character is right-to-left (an Urdu quotation, say), unless the
    style's ``startAligned`` is False (the table cell styles).
    """

    def __init__(self, text: str, style: ParagraphStyle, *, _source: tuple | None = None,
                 _runs: list[tuple[str, str]] | None = None):
        super().__init__()
        self.text, self.style = text, style
        if _source is None and _runs is not None:
            register_fonts()
            _source = (_rich_segments(_runs), (0, 0), None)
        if _source is None:
            register_fonts()
            variant = variant_of(style.fontName)
            _source = ([_segment(s, variant) for s in _clean(text)], (0, 0), None)
        self._segments, self._from, self._to = _source
        self._layout: tuple[float, list[_Line]] | None = None
        self._widths: dict[tuple[int, int, int], float] = {}

    @property
    def right_to_left(self) -> bool:
        """True when the text (its first paragraph) is written right to left: Urdu, Arabic."""
        return bool(self._segments) and self._segments[0].base == 1

    # --- measuring ---

    def _runs(self, seg: _Segment, start: int, end: int, split_spaces: bool = False) -> list[tuple[int, int, int]]:
        if not seg.changes and not split_spaces:  # one font, one level: one run (most text)
            return [(start, end, seg.levels[start])] if start < end else []
        runs: list[tuple[int, int, int]] = []
        i = start
        while i < end:
            j = i + 1
            while j < end and seg.fonts[j] is seg.fonts[i] and seg.levels[j] == seg.levels[i] and not (
                    split_spaces and (seg.text[j] in _BREAKING_SPACES) != (seg.text[i] in _BREAKING_SPACES)):
                j += 1
            runs.append((i, j, seg.levels[i]))
            i = j
        return runs

    def _run_width(self, seg: _Segment, start: int, end: int) -> float:
        size = self.style.fontSize / 1000
        i = bisect_right(seg.changes, start)
        if i == len(seg.changes) or seg.changes[i] >= end:  # one font, one level
            font = seg.fonts[start]
            return shape(font.fontName, seg.text[start:end], bool(seg.levels[start] % 2))[1] * size * font.scale
        return sum(shape(seg.fonts[s].fontName, seg.text[s:e], bool(level % 2))[1] * size * seg.fonts[s].scale
                   for s, e, level in self._runs(seg, start, end))

    def _token_width(self, index: int, seg: _Segment, start: int, end: int) -> float:
        key = (index, start, end)
        if key not in self._widths:
            self._widths[key] = self._run_width(seg, start, end)
        return self._widths[key]

    def _pieces(self, index: int, seg: _Segment, start: int, end: int, width: float):
        """A word wider than the line, in pieces that fit (never splitting a character from
        its marks or a conjunct)."""
        piece = start
        for i in range(start + 1, end):
            breakable = unicodedata.category(seg.text[i])[0] != "M" and seg.text[i - 1] not in _VIRAMAS \
                and unicodedata.category(seg.text[i]) != "Cf"
            if breakable and i > piece and self._token_width(index, seg, piece, i + 1) > width:
                yield piece, i
                piece = i
        yield piece, end

    def _line(self, index: int, seg: _Segment, start: int, end: int, last: bool) -> _Line:
        size, leading = self.style.fontSize, self.style.leading
        fonts = set(seg.fonts[start:end]) or {seg.fonts[start - 1] if start else font_for("latin")}
        ascent = max(f.face.ascent * f.scale for f in fonts) * size / 1000
        descent = max(-f.face.descent * f.scale for f in fonts) * size / 1000
        height = max(leading, (ascent + descent) * LINE_FIT)
        return _Line(index, start, end, last, height, (height - ascent - descent) / 2 + ascent)

    def _break(self, width: float) -> list[_Line]:
        lines: list[_Line] = []
        last_segment = len(self._segments) - 1 if self._to is None else self._to[0]
        for index in range(self._from[0], last_segment + 1):
            seg = self._segments[index]
            lo = self._from[1] if index == self._from[0] else 0
            hi = self._to[1] if self._to is not None and index == self._to[0] else len(seg.text)
            if self._to is not None and index == self._to[0] and hi <= lo:
                continue  # the part ends where this segment starts
            spans: list[tuple[int, int]] = []
            line_start: int | None = None
            line_end = 0  # set with line_start, and read only once line_start is
            used = pending = 0.0
            widths = seg.widths.get(self.style.fontSize)
            if widths is None:
                widths = seg.widths[self.style.fontSize] = [self._run_width(seg, s, e) for _, s, e in seg.tokens]
            for (is_space, s, e), w in zip(seg.tokens, widths, strict=True):
                if s < lo or e > hi:
                    s, e = max(s, lo), min(e, hi)
                    if s >= e:
                        continue
                    w = self._token_width(index, seg, s, e)
                if is_space:
                    if line_start is not None:
                        pending += w
                    continue
                parts = self._pieces(index, seg, s, e, width) if w > width else [(s, e)]
                for ps, pe in parts:
                    pw = w if (ps, pe) == (s, e) else self._token_width(index, seg, ps, pe)
                    if line_start is None:
                        line_start, line_end, used = ps, pe, pw
                    elif used + pending + pw <= width + 1e-6:
                        line_end, used = pe, used + pending + pw
                    else:
                        spans.append((line_start, line_end))
                        line_start, line_end, used = ps, pe, pw
                    pending = 0.0
            if line_start is not None:
                spans.append((line_start, line_end))
            if not spans:
                spans.append((lo, lo))  # an empty line keeps its place
            for k, (s, e) in enumerate(spans):
                lines.append(self._line(index, seg, s, e, last=k == len(spans) - 1 and hi == len(seg.text)))
        return lines

    def _lines(self, width: float) -> list[_Line]:
        inner = max(width - self.style.leftIndent - self.style.rightIndent, 1.0)
        if self._layout is None or abs(self._layout[0] - inner) > 1e-6:
            self._layout = (inner, self._break(inner))
        return self._layout[1]

    # --- the Flowable interface ---

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        self.width = availWidth
        self.height = sum(line.height for line in self._lines(availWidth))
        return self.width, self.height

    def minWidth(self) -> float:  # noqa: N802
        widest = 0.0
        for index, seg in enumerate(self._segments):
            for is_space, s, e in seg.tokens:
                if not is_space:
                    widest = max(widest, self._token_width(index, seg, s, e))
        return widest + self.style.leftIndent + self.style.rightIndent

    def getPlainText(self, identify=None) -> str:  # noqa: N802
        return self.text

    def split(self, availWidth, availHeight):  # noqa: N803
        lines = self._lines(availWidth)
        fit, used = 0, 0.0
        for line in lines:
            if used + line.height > availHeight + 1e-6:
                break
            used += line.height
            fit += 1
        if fit >= len(lines):
            return [self]
        if len(lines) >= 4:  # no single orphan or widow line when it can be helped
            fit = min(fit, len(lines) - 2)
            if fit < 2:
                return []
        if fit == 0:
            return []
        cut = (lines[fit].segment, lines[fit].start)
        first = TextBlock(self.text, self.style, _source=(self._segments, self._from, cut))
        rest = TextBlock(self.text, self.style, _source=(self._segments, cut, self._to))
        first.spaceAfter, rest.spaceBefore = 0, 0
        if hasattr(self, "spaceBefore"):
            first.spaceBefore = self.spaceBefore
        return [first, rest]

    def draw(self) -> None:
        canv, style = self.canv, self.style
        if getattr(canv, "_fieldkit_dry", False):  # a layout pass whose pages are thrown away
            return
        size = style.fontSize
        lines = self._lines(self.width)
        inner = self._layout[0] if self._layout else self.width
        colour = colors.toColor(style.textColor) if style.textColor is not None else colors.black
        canv.setFillColor(colour)
        fake_bold = any(f.fake_bold for seg in self._segments for f in set(seg.fonts))
        if fake_bold:  # the outline that thickens fonts without a bold face
            canv.setStrokeColor(colour)
            canv.setLineWidth(size * 0.035)
        top = self.height
        # One text object for the whole block; a font and a render mode set only when they change.
        text = canv.beginText()
        current, mode = None, 0
        for line in lines:
            seg = self._segments[line.segment]
            baseline = top - line.ascent
            top -= line.height
            justify = style.alignment == TA_JUSTIFY and not line.last
            runs = visual_order(self._runs(seg, line.start, line.end, split_spaces=justify))
            shaped = []
            for s, e, level in runs:
                font = seg.fonts[s]
                drawn, w = shape(font.fontName, seg.text[s:e], bool(level % 2))
                shaped.append((font, drawn, w * size * font.scale / 1000, s))
            natural = sum(w for _, _, w, _ in shaped)
            x, gap = style.leftIndent, 0.0
            start_right = seg.base == 1 and getattr(style, "startAligned", True)
            if style.alignment == TA_RIGHT or (style.alignment in (TA_LEFT, TA_JUSTIFY) and start_right
                                               and not justify):
                x += inner - natural
            elif style.alignment == TA_CENTER:
                x += (inner - natural) / 2
            elif justify:
                spaces = sum(1 for *_, s in shaped if seg.text[s] in _BREAKING_SPACES)
                gap = (inner - natural) / spaces if spaces else 0.0
            for font, drawn, w, s in shaped:
                if font is not current:
                    text.setFont(font.fontName, size * font.scale)
                    current = font
                    if (2 if font.fake_bold else 0) != mode:
                        mode = 2 if font.fake_bold else 0
                        text.setTextRenderMode(mode)
                text.setTextOrigin(x, baseline)
                text._textOut(drawn)  # the origin is set for every run: no need to measure the cursor on
                x += w + (gap if seg.text[s] in _BREAKING_SPACES else 0.0)
        canv.drawText(text)


def _rich_segments(runs: list[tuple[str, str]]) -> list[_Segment]:
    """Segments of text in runs of a variant each, cleaned as ``_clean`` cleans plain text."""
    chars: list[str] = []
    variants: list[str] = []
    for text, variant in runs:
        cleaned = _CONTROLS.sub("", _NEWLINES.sub("\n", printable(unicodedata.normalize("NFC", text or "")))
                                .replace("\t", " "))
        for ch in cleaned:
            if ch == " " and chars and chars[-1] == " ":
                continue  # runs of spaces as one, across runs too
            chars.append(ch)
            variants.append(variant)
    lines: list[tuple[str, list[str]]] = []
    start = 0
    for i in range(len(chars) + 1):
        if i == len(chars) or chars[i] == "\n":
            lines.append(("".join(chars[start:i]), variants[start:i]))
            start = i + 1
    while lines and not lines[-1][0].strip():
        lines.pop()
    while lines and not lines[0][0].strip():
        lines.pop(0)
    return [_segment(text, "regular", vs) for text, vs in lines]


def rich(runs: list[tuple[str, str]], style: str | ParagraphStyle = "body") -> TextBlock:
    """A paragraph of runs of text, each ``(text, variant)`` with variant "regular", "bold" or
    "italic" (bold and italic words in the researcher's own text), otherwise like ``para``."""
    if isinstance(style, str):
        style = _style_sheet()[style]
    return TextBlock("".join(t for t, _ in runs), style, _runs=list(runs))


def para(text: str, style: str | ParagraphStyle = "body") -> TextBlock:
    """A paragraph of plain text in any script (not markup: ``<`` and ``&`` print as they are);
    newlines break lines. ``style`` is a key of ``styles()`` or a style derived from one."""
    if isinstance(style, str):
        style = _style_sheet()[style]
    return TextBlock("" if text is None else str(text), style)


# --- styles --------------------------------------------------------------------------------

INK = colors.HexColor("#1E2326")
HEADING = colors.HexColor("#1F3A4D")
MUTED = colors.HexColor("#5E6B73")


def styles() -> dict[str, ParagraphStyle]:
    """The report's paragraph styles, fresh on every call so callers may change their copies:
    title, subtitle, h1, h2, body, small, quote, cell, cell_right, cell_head, toc1, toc2."""
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14.5, textColor=INK, spaceAfter=6,
                          alignment=TA_LEFT)
    # In a table a column keeps one alignment, whatever the direction of each cell's text.
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11, spaceAfter=0, startAligned=False)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=26, leading=32,
                                textColor=HEADING, spaceAfter=12),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=14, leading=19, textColor=MUTED, spaceAfter=8),
        "h1": ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=17, leading=22, textColor=HEADING,
                             spaceBefore=14, spaceAfter=8, keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=12.5, leading=17, textColor=HEADING,
                             spaceBefore=10, spaceAfter=5, keepWithNext=1),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=11, textColor=MUTED, spaceAfter=3),
        "quote": ParagraphStyle("quote", parent=body, fontName=FONT_ITALIC, leftIndent=14, rightIndent=14,
                                spaceBefore=2, spaceAfter=8),
        "cell": cell,
        "cell_right": ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        "cell_head": ParagraphStyle("cell_head", parent=cell, fontName=FONT_BOLD),
        "toc1": ParagraphStyle("toc1", parent=body, fontName=FONT_BOLD, fontSize=10.5, leading=15, spaceBefore=6,
                               spaceAfter=0),
        "toc2": ParagraphStyle("toc2", parent=body, leftIndent=14, spaceAfter=0),
    }


@lru_cache(maxsize=1)
def _style_sheet() -> dict[str, ParagraphStyle]:
    return styles()
