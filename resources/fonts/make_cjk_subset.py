"""Build the CJK subsets from Noto Sans CJK (a build step, not run by fieldkit).

The full CJK font is ~19 MB and its outlines are CFF, which reportlab's TTFont cannot read. This
keeps the characters a report needs and converts the cubic CFF outlines to quadratic TrueType
ones with fontTools' cu2qu, as fontTools' otf2ttf snippet does. Two subsets:

- ``sc``, NotoSansCJKsc-Common-*.ttf from the Simplified Chinese face: every hanzi of GB2312 and
  of Big5 level 1, so both Simplified and the Traditional names of Hong Kong and Taiwan families
  print, plus kana, CJK and full-width punctuation and ASCII;
- ``kr``, NotoSansCJKkr-Hangul-*.ttf from the Korean face: the 2,350 Hangul syllables of
  KS X 1001, every Hangul jamo and compatibility jamo, ASCII and punctuation, and the jamo
  features (``ljmo``, ``vjmo``, ``tjmo``) with which HarfBuzz composes the other 8,822 modern
  syllables from their jamo.

    pip install fonttools
    python3 resources/fonts/make_cjk_subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc Regular
    python3 resources/fonts/make_cjk_subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc Regular kr

(``... NotoSansCJK-Bold.ttc Bold`` makes a bold face too, about 3 MB more for Chinese; reports
draw Chinese and Korean bold as regular with a thin outline instead.)
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

SC_INDEX, KR_INDEX = 2, 1  # in the Debian/upstream NotoSansCJK-*.ttc: JP, KR, SC, TC, HK, then the Mono faces
FAMILY = "Noto Sans CJK SC Common"
KR_FAMILY = "Noto Sans CJK KR Hangul"


def _double_byte(codec: str, first: range, second: list[int]) -> set[int]:
    found = set()
    for hi in first:
        for lo in second:
            try:
                found.add(ord(bytes([hi, lo]).decode(codec)))
            except UnicodeDecodeError:
                pass
    return found


def common_characters() -> set[int]:
    gb2312 = _double_byte("gb2312", range(0xB0, 0xF8), list(range(0xA1, 0xFF)))
    big5 = _double_byte("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
    big5 = {c for c in big5 if 0x4E00 <= c <= 0x9FFF}  # level 1 only (0xA440-0xC67E holds hanzi)
    extra = {*range(0x20, 0x7F), 0xA0, 0xB7, *range(0x2010, 0x2027), 0x2030, *range(0x3000, 0x3040),
             *range(0x3040, 0x3100), *range(0xFF01, 0xFF5F), *range(0xFF61, 0xFFA0), 0xFFE5}
    return gb2312 | big5 | extra


def hangul_characters() -> set[int]:
    """KS X 1001's Hangul syllables (EUC-KR rows 0xB0-0xC8), the jamo, ASCII and punctuation."""
    ks_x_1001 = _double_byte("euc_kr", range(0xB0, 0xC9), list(range(0xA1, 0xFF)))
    jamo = {*range(0x1100, 0x1200), *range(0x3131, 0x318F), *range(0xA960, 0xA97D), *range(0xD7B0, 0xD7FC)}
    extra = {*range(0x20, 0x7F), 0xA0, 0xB7, *range(0x2010, 0x2028), 0x2030, 0x203B}
    return ks_x_1001 | jamo | extra


#: subset -> (face index, characters, GSUB/GPOS features kept, family, output file stem)
SUBSETS = {
    "sc": (SC_INDEX, common_characters, ["ccmp", "kern", "palt"], FAMILY, "NotoSansCJKsc-Common"),
    "kr": (KR_INDEX, hangul_characters, ["ccmp", "kern", "palt", "ljmo", "vjmo", "tjmo"], KR_FAMILY,
           "NotoSansCJKkr-Hangul"),
}


def to_truetype(font: TTFont) -> None:
    """Cubic CFF outlines to quadratic glyf outlines (fontTools Snippets/otf2ttf.py)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                  "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\000\001\000\000"


def rename(font: TTFont, style: str, family: str = FAMILY) -> None:
    names = {1: family, 2: style, 3: f"{family.replace(' ', '')}-{style};subset",
             4: f"{family} {style}" if style != "Regular" else family,
             6: f"{family.replace(' ', '')}-{style}", 16: family, 17: style}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names or record.nameID in (16, 17):
            table.removeNames(nameID=record.nameID)
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)
        table.setName(text, name_id, 1, 0, 0)


def main(source: str, style: str, which: str = "sc") -> None:
    index, characters, features, family, stem = SUBSETS[which]
    font = TTFont(source, fontNumber=index, recalcTimestamp=False)  # the same bytes on every run
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = features  # horizontal text; no locl/vert alternates
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    to_truetype(font)
    rename(font, style, family)
    out = Path(__file__).with_name(f"{stem}-{style}.ttf")
    font.save(out)
    print(out, out.stat().st_size, "bytes,", len(font.getGlyphOrder()), "glyphs")


if __name__ == "__main__":
    main(*sys.argv[1:4])
