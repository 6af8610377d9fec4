"""Writing systems for the reports: which font sets each character, in what order, in what shape.

reportlab has no font fallback, shapes text only inside its own paragraphs and puts right-to-left
words in order only with a bidi package that is not on PyPI. This module supplies the three
pieces ``fieldkit.reports.text`` lays paragraphs out with:

- ``assign_fonts``: a font for each character by script (Noto Sans for Latin, Greek and
  Cyrillic; Noto Naskh Arabic for Arabic and Urdu; Noto Sans Bengali, Gujarati, Gurmukhi,
  Devanagari, Tamil, Hebrew, Ethiopic, Sinhala and Thai; a common-characters subset of Noto Sans
  CJK SC for Chinese and a Hangul subset of Noto Sans CJK KR for Korean; Noto Sans Symbols and
  Symbols 2 for arrows, ticks, stars and other signs); digits, spaces and punctuation follow
  their neighbours when that font has them;
- ``bidi_levels`` and ``visual_order``: the Unicode bidi algorithm (python-bidi) for levels on
  the logical text, and its rule L2 to order a line's runs once the line is broken;
- ``shape``: a run set with HarfBuzz (uharfbuzz) in its own direction, so Arabic letters join
  and Indic, Sinhala and Thai vowel signs and conjuncts form, as a string reportlab's canvas
  can draw.

The fonts live in ``resources/fonts`` (see the README there); nothing uses system fonts.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_right
from functools import cache, lru_cache
from pathlib import Path
from typing import TypeVar

import uharfbuzz as hb
from bidi import algorithm as uba
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr, TTFont

from fieldkit.templates import shipped_dir

__all__ = ["FONT", "FONT_BOLD", "FONT_ITALIC", "FONT_FILES", "Font", "assign_fonts", "bidi_levels", "font_dir",
           "font_for", "printable", "register_fonts", "script_of", "shape", "variant_of", "visual_order"]

FONT, FONT_BOLD, FONT_ITALIC = "NotoSans", "NotoSans-Bold", "NotoSans-Italic"

#: script -> (regular, bold, italic) font files; a missing bold is drawn as regular with a thin
#: outline, a missing italic as regular (Arabic, Indic, Chinese, Korean... type is not slanted).
#: The order is also the order in which a character no script claims looks for a font.
FONT_FILES: dict[str, tuple[str, str | None, str | None]] = {
    "latin": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf"),
    "arabic": ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf", None),
    "bengali": ("NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf", None),
    "gujarati": ("NotoSansGujarati-Regular.ttf", "NotoSansGujarati-Bold.ttf", None),
    "gurmukhi": ("NotoSansGurmukhi-Regular.ttf", "NotoSansGurmukhi-Bold.ttf", None),
    "devanagari": ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf", None),
    "tamil": ("NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf", None),
    "hebrew": ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf", None),
    "cjk": ("NotoSansCJKsc-Common-Regular.ttf", None, None),
    "hangul": ("NotoSansCJKkr-Hangul-Regular.ttf", None, None),
    "ethiopic": ("NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf", None),
    "sinhala": ("NotoSansSinhala-Regular.ttf", "NotoSansSinhala-Bold.ttf", None),
    "thai": ("NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf", None),
    "symbols": ("NotoSansSymbols-Regular.ttf", "NotoSansSymbols-Bold.ttf", None),
    "symbols2": ("NotoSansSymbols2-Regular.ttf", None, None),
}
VARIANTS = ("regular", "bold", "italic")
#: Naskh letters are small beside Latin ones at the same size; set them a little larger.
SIZE_SCALE = {"arabic": 1.15}

# Code point ranges of the scripts set in their own font; everything else that is a letter is
# Latin (Noto Sans also covers Greek and Cyrillic), everything else follows its neighbours (the
# dandas U+0964-5 too: Bengali, Gurmukhi and Gujarati text uses them as well as Devanagari).
# The symbol blocks go to the Symbols font that has most of the block (the other one, or any
# font, stands in for the rest); symbols in other blocks are found by looking through all fonts.
_RANGES = sorted([
    (0x0600, 0x06FF, "arabic"), (0x0750, 0x077F, "arabic"), (0x08A0, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"), (0xFE70, 0xFEFF, "arabic"),
    (0x0980, 0x09FF, "bengali"), (0x0A00, 0x0A7F, "gurmukhi"), (0x0A80, 0x0AFF, "gujarati"),
    (0x0900, 0x0963, "devanagari"), (0x0966, 0x097F, "devanagari"), (0xA8E0, 0xA8FF, "devanagari"),
    (0x0B80, 0x0BFF, "tamil"), (0x0590, 0x05FF, "hebrew"), (0xFB1D, 0xFB4F, "hebrew"),
    (0x2E80, 0x2FDF, "cjk"), (0x3000, 0x312F, "cjk"), (0x3190, 0x31FF, "cjk"), (0x3400, 0x4DBF, "cjk"),
    (0x4E00, 0x9FFF, "cjk"), (0xF900, 0xFAFF, "cjk"), (0xFE30, 0xFE4F, "cjk"), (0xFF00, 0xFFEF, "cjk"),
    (0x20000, 0x3FFFF, "cjk"),
    (0x1100, 0x11FF, "hangul"), (0x3130, 0x318F, "hangul"), (0xA960, 0xA97F, "hangul"), (0xAC00, 0xD7AF, "hangul"),
    (0xD7B0, 0xD7FF, "hangul"),
    (0x1200, 0x139F, "ethiopic"), (0x2D80, 0x2DDF, "ethiopic"), (0xAB00, 0xAB2F, "ethiopic"),
    (0x0D80, 0x0DFF, "sinhala"), (0x0E00, 0x0E7F, "thai"),
    (0x2190, 0x21FF, "symbols"), (0x2300, 0x23FF, "symbols"), (0x2400, 0x245F, "symbols2"),
    (0x2460, 0x24FF, "symbols"), (0x25A0, 0x25FF, "symbols2"), (0x2600, 0x26FF, "symbols2"),
    (0x2700, 0x27BF, "symbols2"), (0x2800, 0x28FF, "symbols2"), (0x2B00, 0x2BFF, "symbols2"),
])
_RANGE_STARTS = [r[0] for r in _RANGES]
# Symbols are set in their own font but do not lend it to the digits and spaces beside them.
_SYMBOL_SCRIPTS = {"symbols", "symbols2"}
# Latin, Chinese, Korean syllables and symbols need no shaping (a Hangul syllable missing from
# the subset is shaped all the same: HarfBuzz builds it from its jamo).
_SHAPED_SCRIPTS = set(FONT_FILES) - {"latin", "cjk", "hangul"} - _SYMBOL_SCRIPTS
# Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, their presentation forms and the
# explicit embedding codes: text without any of these is left-to-right throughout.
_MAYBE_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u202a-\u202e"
                        "\U00010800-\U00010fff\U0001e800-\U0001efff]")
# Conjoining Hangul jamo left after NFC (old Korean): HarfBuzz sets them as one syllable.
_JAMO = re.compile("[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]")


# --- fonts ---------------------------------------------------------------------------------

def font_dir() -> Path:
    """The shipped fonts: ``resources/fonts`` in a checkout, ``fieldkit/_resources/fonts`` installed."""
    return shipped_dir("resources") / "fonts"


_CMAP_LOCK = threading.RLock()


class Font(TTFont):
    """A TrueType font whose text extracts as the characters it was set from; ``scale`` is its
    size relative to the paragraph's, ``fake_bold`` says to draw it outlined as a bold face.

    Shaped glyphs without a code point of their own (joined Arabic forms, Indic conjuncts) are
    given private-use codes by reportlab; ``actual`` remembers which text each such code stands
    for, and the font's ToUnicode map says so, so copying or searching the PDF finds the names.
    """

    def __init__(self, name: str, path: Path, *, scale: float = 1.0, fake_bold: bool = False):
        super().__init__(name, str(path))
        self.path, self.scale, self.fake_bold = path, scale, fake_bold
        self.actual: dict[int, str] = {}

    def addObjects(self, doc) -> None:  # noqa: N802 - reportlab's name
        # reportlab writes the map with a module-level function; swap ours in for this font only.
        with _CMAP_LOCK:
            original = ttfonts.makeToUnicodeCMap
            ttfonts.makeToUnicodeCMap = lambda name, subset: _to_unicode_cmap(name, subset, self.actual)
            try:
                super().addObjects(doc)
            finally:
                ttfonts.makeToUnicodeCMap = original


def _to_unicode_cmap(fontname: str, subset: list[int], actual: dict[int, str]) -> str:
    def utf16(code: int) -> str:
        return actual.get(code, chr(code)).encode("utf-16-be").hex().upper()

    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        f"/CIDSystemInfo << /Registry ({fontname}) /Ordering ({fontname}) /Supplement 0 >> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", "<00> <FF>", "endcodespacerange",
        f"{len(subset)} beginbfchar", *(f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset)), "endbfchar",
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


_FONTS: dict[tuple[str, str], Font] = {}
_REGISTER_LOCK = threading.Lock()


def font_for(script: str, variant: str = "regular") -> Font:
    """The font for a script (a key of ``FONT_FILES``) in a variant (regular, bold, italic)."""
    register_fonts()
    return _FONTS[script, variant]


def _font_name(script: str, variant: str) -> str:
    family = "NotoSans" if script == "latin" else "Fieldkit" + script.capitalize()
    return family if variant == "regular" else f"{family}-{variant.capitalize()}"


def register_fonts() -> None:
    """Register every shipped font with reportlab (once; later calls do nothing).

    ``FONT``, ``FONT_BOLD`` and ``FONT_ITALIC`` are then usable anywhere reportlab takes a font
    name (chart labels, page furniture) for text in Latin, Greek or Cyrillic script.
    """
    if _FONTS:
        return
    with _REGISTER_LOCK:
        if _FONTS:
            return
        found: dict[tuple[str, str], Font] = {}
        for script, (regular, bold, italic) in FONT_FILES.items():
            for variant, file in zip(VARIANTS, (regular, bold, italic), strict=True):
                if file is None and variant == "italic":
                    found[script, variant] = found[script, "regular"]
                    continue
                font = Font(_font_name(script, variant), font_dir() / (file or regular),
                             scale=SIZE_SCALE.get(script, 1.0), fake_bold=file is None)
                if script in _SYMBOL_SCRIPTS:
                    # their ascent and descent make room for the tallest signs (chess pieces,
                    # long arrows); with Noto Sans's, a tick or an arrow keeps its line's height
                    # and lines up with the words beside it when the PDF's text is read back
                    latin = found["latin", variant if file else "regular"].face
                    font.face.ascent, font.face.descent = latin.ascent, latin.descent
                pdfmetrics.registerFont(font)
                found[script, variant] = font
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)
        _FONTS.update(found)


def variant_of(font_name: str) -> str:
    """Which of our variants stands in for a style's font (any font name: Helvetica-Bold too)."""
    lowered = font_name.lower()
    if "bold" in lowered:
        return "bold"
    if "italic" in lowered or "oblique" in lowered:
        return "italic"
    return "regular"


@cache
def script_of(ch: str) -> str | None:
    """The script whose font ``ch`` needs, or None when it may follow its neighbours."""
    cp = ord(ch)
    i = bisect_right(_RANGE_STARTS, cp) - 1
    if i >= 0 and _RANGES[i][0] <= cp <= _RANGES[i][1]:
        return _RANGES[i][2]
    return "latin" if unicodedata.category(ch)[0] == "L" else None


def _has(font: Font, ch: str) -> bool:
    return ord(ch) in font.face.charToGlyph or unicodedata.category(ch) in ("Cc", "Cf")


@cache
def _drawable(ch: str) -> bool:
    cp = ord(ch)
    symbol = unicodedata.category(ch) in ("So", "Sk") or 0xFE00 <= cp <= 0xFE0F or cp == 0x20E3 \
        or 0xE0000 <= cp <= 0xE007F
    return not symbol or any(_has(f, ch) for (_, variant), f in _FONTS.items() if variant == "regular")


def printable(text: str) -> str:
    """``text`` less the symbols no shipped font draws (emoji, their variation selectors and
    modifiers), which would print as empty boxes; a comment loses its smiley, not its words.
    Letters of a script without a font here are kept, and print as the font's box."""
    register_fonts()
    if text.isascii():
        return text
    return "".join(c for c in text if _drawable(c))


def assign_fonts(text: str, variant: str = "regular") -> list[Font]:
    """A font for each character of ``text``: its script's font; for digits, spaces and
    punctuation the font of the letters before it (else after it) when that font has the
    glyph, else the first font that has it."""
    register_fonts()
    if text.isascii():  # Noto Sans has every printable ASCII character
        return [_FONTS["latin", variant]] * len(text)
    scripts = [script_of(c) for c in text]
    before: list[str | None] = []
    last = None
    for s in scripts:
        last = (s if s not in _SYMBOL_SCRIPTS else None) or last
        before.append(last)
    after: list[str | None] = [None] * len(text)
    nxt = None
    for i in range(len(text) - 1, -1, -1):
        nxt = (scripts[i] if scripts[i] not in _SYMBOL_SCRIPTS else None) or nxt
        after[i] = nxt
    fonts = []
    for ch, own, prev, follow in zip(text, scripts, before, after, strict=True):
        choices: list[str | None]  # None where there are no letters that side
        if own:
            choices = [own]
        elif prev is None:
            choices = [follow]
        elif prev == "cjk" and follow not in (None, "cjk"):
            choices = [follow, "latin", prev]  # full-width punctuation only beside Chinese text
        else:
            choices = [prev, "latin", follow]
        choices += ["latin", *FONT_FILES]
        for script in choices:
            if script and _has(_FONTS[script, variant], ch):
                break
        else:
            script = own or "latin"  # nothing has it: the font's own missing-glyph box
        fonts.append(_FONTS[script, variant])
    return fonts


# --- bidi ----------------------------------------------------------------------------------

def bidi_levels(text: str) -> tuple[int, list[int]]:
    """The paragraph level (0 left-to-right, 1 right-to-left) and each character's resolved
    level, by the Unicode bidi algorithm up to rule I2 (python-bidi's implementation); line
    breaking and reordering (L1, L2) are done per line by the caller."""
    if text.isascii() or not _MAYBE_RTL.search(text):
        return 0, [0] * len(text)
    storage = uba.get_empty_storage()
    base = uba.get_base_level(text)
    storage["base_level"], storage["base_dir"] = base, ("L", "R")[base]
    uba.get_embedding_levels(text, storage)
    for i, ch in enumerate(storage["chars"]):
        ch["index"] = i
    uba.explicit_embed_and_overrides(storage)  # X9 drops joiners and embedding codes here
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    levels: list[int | None] = [None] * len(text)
    for ch in storage["chars"]:
        levels[ch["index"]] = ch["level"]
    previous = base
    for i, level in enumerate(levels):  # dropped characters take their neighbour's level
        levels[i] = previous = previous if level is None else level
    return base, levels  # type: ignore[return-value]


#: A run of a line: a tuple of ints, one of them its level.
_Run = TypeVar("_Run", bound=tuple[int, ...])


def visual_order(runs: list[_Run], level_at: int = -1) -> list[_Run]:
    """Rule L2 on a line's runs (tuples whose item ``level_at`` is the run's level): from the
    highest level down to the lowest odd one, reverse every sequence at that level or above."""
    if not runs:
        return runs
    levels = [r[level_at] for r in runs]
    highest, lowest = max(levels), min(levels)
    lowest_odd = lowest if lowest % 2 else lowest + 1
    out = list(runs)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(out):
            if out[i][level_at] >= level:
                j = i
                while j < len(out) and out[j][level_at] >= level:
                    j += 1
                out[i:j] = out[i:j][::-1]
                i = j
            else:
                i += 1
    return out


# --- shaping -------------------------------------------------------------------------------

_HB_FONTS: dict[str, hb.Font] = {}
_SHAPE_LOCK = threading.Lock()


def _hb_font(font: Font) -> hb.Font:
    hbf = _HB_FONTS.get(font.fontName)
    if hbf is None:
        hbf = _HB_FONTS[font.fontName] = font.hbFont(1000)  # also sets font.hbAddPrivate
    return hbf


def _nominal(font: Font, gid: int, text: str) -> int | None:
    """The code point of ``text`` that maps to ``gid`` in the font's cmap, if any."""
    for c in font.face.glyphToChar.get(gid, ()):
        if chr(c) in text:
            return c
    return None


@lru_cache(maxsize=65536)
def shape(font_name: str, text: str, rtl: bool) -> tuple[str, float]:
    """``text`` set in a font: a string reportlab can draw and its width per 1000 points of size.

    Latin, Chinese, Korean and symbol left-to-right runs are drawn as they are (but for Hangul
    syllables the subset lacks and old Korean's jamo, which HarfBuzz composes); anything else is
    shaped with HarfBuzz in the given direction (right-to-left runs come back in visual order,
    brackets mirrored) into reportlab's ``ShapedStr``, which carries each glyph's position. A
    glyph that is not simply one of the text's characters (a joined Arabic form, a conjunct, a
    reph, a Hangul syllable built from jamo) is set with a private-use code that the font's
    ToUnicode map turns back into the characters it stands for, so the PDF's text can be
    searched and copied; a glyph that stands for different text in different places gets a
    code for each.
    """
    font: Font = pdfmetrics.getFont(font_name)
    script = next((s for s in map(script_of, text) if s), "latin")
    if not rtl and script not in _SHAPED_SCRIPTS and all(ord(c) in font.face.charToGlyph for c in text) \
            and not (script == "hangul" and _JAMO.search(text)):
        return text, font.stringWidth(text, 1000)
    with _SHAPE_LOCK:  # private-use codes are handed out one at a time
        return _shape(font, text, rtl)


def _shape(font: Font, text: str, rtl: bool) -> tuple[str, float]:
    hbf = _hb_font(font)
    buf = hb.Buffer()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    buf.add_str(text)
    buf.direction = "rtl" if rtl else "ltr"
    buf.guess_segment_properties()
    hb.shape(hbf, buf, {"kern": True, "liga": True})
    infos, positions = buf.glyph_infos, buf.glyph_positions
    starts = sorted({info.cluster for info in infos}) + [len(text)]
    cluster_text = {c: text[c:starts[i + 1]] for i, c in enumerate(starts[:-1])}
    codes: list[int | None] = [_nominal(font, info.codepoint, cluster_text[info.cluster]) for info in infos]
    left = dict(cluster_text)  # each cluster's characters not drawn by a glyph of their own
    for info, code in zip(infos, codes, strict=True):
        if code is not None:
            left[info.cluster] = left[info.cluster].replace(chr(code), "", 1)
    glyphs, data, width = [], [], 0.0
    scale = font.pdfScale
    for info, pos, code in zip(infos, positions, codes, strict=True):
        if code is None:
            stands_for = left[info.cluster] or "\u200b"
            name = hbf.glyph_to_string(info.codepoint)
            code = font.hbAddPrivate(name, info.codepoint, pos.x_advance)
            if font.actual.setdefault(code, stands_for) != stands_for:
                # the glyph stands for other text elsewhere (a vowel sign in two conjuncts, a jamo
                # in two Hangul syllables): a code of its own, so each extracts as its own text
                code = font.hbAddPrivate(f"{name} {stands_for}", info.codepoint, pos.x_advance)
                font.actual.setdefault(code, stands_for)
            left[info.cluster] = ""
        glyphs.append(chr(code))
        data.append(ShapeData(info.cluster, scale(pos.x_advance), scale(pos.y_advance), scale(pos.x_offset),
                              scale(pos.y_offset), font.face.charWidths.get(code, 0)))
        width += scale(pos.x_advance)
    return ShapedStr("".join(glyphs), shapeData=data), width
