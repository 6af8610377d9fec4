"""Ethiopic, Korean, Sinhala, Thai and symbols in the reports, and the finder of characters no
report font has (``fieldkit.reports.glyphs``).

As in test_report_text.py, each rendering test builds a real PDF with reportlab's
SimpleDocTemplate from ``text.para`` paragraphs and reads it back with pdfplumber: which
embedded font each character was set in, and the text that comes back out.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from pdfminer.pdftypes import resolve1
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from fieldkit.reports import glyphs, scripts
from fieldkit.reports.text import para

SAMPLES = {  # name -> (text, the font its non-Latin characters must be set in, in regular and in bold)
    "amharic": ("ሰላም ለዓለም", "NotoSansEthiopic-Regular", "NotoSansEthiopic-Bold"),
    "tigrinya": ("ሰላም ንዓኹም፣ ማሕበር ኤርትራውያን", "NotoSansEthiopic-Regular", "NotoSansEthiopic-Bold"),
    "korean": ("안녕하세요 지역 단체", "NotoSansCJKKRHangul-Regular", "NotoSansCJKKRHangul-Regular"),
    "sinhala": ("ආයුබෝවන්", "NotoSansSinhala-Regular", "NotoSansSinhala-Bold"),
    "thai": ("สวัสดีครับ องค์กรชุมชน", "NotoSansThai-Regular", "NotoSansThai-Bold"),
    "tick": ("✓", "NotoSansSymbols2-Regular", "NotoSansSymbols2-Regular"),
    "symbols": ("✗ ★ ☑ ⚠", "NotoSansSymbols2-Regular", "NotoSansSymbols2-Regular"),
    "arrows": ("← →", "NotoSansSymbols-Regular", "NotoSansSymbols-Bold"),
}
# A Thai paragraph of 300 characters with one space in it; Thai puts no spaces between words.
_THAI = ("องค์กรชุมชนของเราช่วยเหลือผู้สูงอายุและครอบครัวที่เพิ่งย้ายมาอยู่ใหม่ในเมืองทุกสัปดาห์"
         "เราทำอาหารกลางวันให้ผู้สูงอายุสอนภาษาอังกฤษให้เด็กๆและช่วยกรอกแบบฟอร์มของสภาเมือง ")
THAI_300 = (_THAI * 2)[:300]
MARGIN = 40 + 6  # the page margin and the frame's padding


def build(path: Path, flowables, width=A4[0]) -> Path:
    SimpleDocTemplate(str(path), pagesize=(width, A4[1]), leftMargin=40, rightMargin=40, topMargin=40,
                      bottomMargin=40).build(flowables)
    return path


def not_space(text: str) -> str:
    """The text less spaces and the zero-width spaces a glyph drawn for no text of its own
    extracts as (the second half of a split vowel sign)."""
    return "".join(c for c in text if not c.isspace() and c != "\u200b")


def drawn(path: Path) -> tuple[list[dict], dict[str, bool]]:
    """The first page's characters, in the order drawn, and each font used by its name (less the
    subset prefix): whether the font file is embedded."""
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        chars = list(page.chars)
        used = {c["fontname"] for c in chars}
        embedded = {}
        for ref in resolve1(page.page_obj.resources["Font"]).values():
            font = resolve1(ref)
            if font["BaseFont"].name in used:
                embedded[font["BaseFont"].name.split("+")[-1]] = "FontFile2" in resolve1(font["FontDescriptor"])
    return chars, embedded


def lines_of(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into lines by baseline, top line first, each in the order drawn."""
    lines: list[list[dict]] = []
    for ch in chars:
        if lines and abs(lines[-1][0]["matrix"][5] - ch["matrix"][5]) < 4:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return sorted(lines, key=lambda line: -line[0]["matrix"][5])


@pytest.mark.parametrize("style", ["body", "h2"])  # h2 is bold
@pytest.mark.parametrize("name", list(SAMPLES))
def test_each_script_prints_in_its_embedded_font(tmp_path, name, style):
    text, regular, bold = SAMPLES[name]
    expected = bold if style == "h2" else regular
    chars, embedded = drawn(build(tmp_path / f"{name}.pdf", [para(f"Name: {text}", style)]))

    # the text comes back out: every letter, in the order written (Sinhala's split vowel sign
    # comes out where it is drawn, before its consonant, so there the letters are compared)
    extracted = "".join(c["text"] for c in chars)
    assert not [c for c in extracted if 0xE000 <= ord(c) <= 0xF8FF], "a shaped glyph lost its text"
    if name == "sinhala":
        assert Counter(not_space(extracted)) == Counter(not_space(f"Name: {text}"))
    else:
        assert not_space(extracted) == not_space(f"Name: {text}")

    # every character of the sample is set in the expected font, and that font is embedded
    fonts = {c["fontname"].split("+")[-1] for c in chars if not_space(c["text"]) and not c["text"].isascii()}
    assert fonts == {expected}, fonts
    assert embedded[expected] is True
    assert all(embedded.values()), embedded
    latin = {c["fontname"].split("+")[-1] for c in chars if c["text"].isascii() and not c["text"].isspace()}
    assert latin == {"NotoSans-Bold" if style == "h2" else "NotoSans-Regular"}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_no_character_is_drawn_as_the_missing_glyph_box(name):
    text = SAMPLES[name][0]
    for variant in ("regular", "bold"):
        fonts = scripts.assign_fonts(text, variant)
        start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or fonts[i] is not fonts[start]:
                font = fonts[start]
                cmap = TTFont(font.path, lazy=True).getBestCmap()
                assert all(ord(c) in cmap for c in text[start:i] if not c.isspace()), (name, font.path.name)
                shaped, width = scripts.shape(font.fontName, text[start:i], False)
                assert width > 0
                assert all(font.face.charToGlyph.get(ord(c), 0) != 0 for c in shaped), (name, variant)
                start = i


def test_thai_and_sinhala_vowel_signs_take_their_places(tmp_path):
    """Shaped with HarfBuzz: Sinhala's vowel sign ෝ is written after its consonant but drawn
    before it; Thai vowels and tone marks take no room of their own but sit over their consonant."""
    chars, _ = drawn(build(tmp_path / "shaped.pdf", [para("ආයුබෝවන්", "body"), para("ที่นี่", "body")]))
    sinhala, thai = lines_of(chars)
    x = {c["text"]: c["x0"] for c in sinhala}
    assert x["ෝ"] < x["බ"]
    for i, c in enumerate(thai):
        if unicodedata.category(c["text"]) == "Mn":
            base = next(b for b in reversed(thai[:i]) if unicodedata.category(b["text"]) == "Lo")
            assert c["x1"] - c["x0"] < 0.01 and base["x0"] < c["x0"] <= base["x1"] + 0.01, c["text"]
    for script, word in (("thai", "ที่นี่"), ("sinhala", "ශ්‍රී")):
        font = scripts.font_for(script)
        assert scripts.shape(font.fontName, word, False)[0] != word, word


def test_hangul_syllables_outside_the_subset_are_built_from_jamo(tmp_path):
    """The Korean font holds KS X 1001's 2,350 syllables; HarfBuzz builds the others (똠, 햏) from
    the font's jamo, and each still extracts as its own syllable (갂 and 갃 share their first
    two glyphs)."""
    cmap = scripts.font_for("hangul").face.charToGlyph
    rare = "똠 햏 쌰 뷁 갂 갃"
    assert not [c for c in rare if not c.isspace() and ord(c) in cmap], "these are outside the subset"
    chars, embedded = drawn(build(tmp_path / "rare.pdf", [para(f"안녕 {rare} 단체", "body")]))
    assert not_space("".join(c["text"] for c in chars)) == not_space(f"안녕 {rare} 단체")
    assert set(embedded) == {"NotoSansCJKKRHangul-Regular"}
    assert glyphs.uncovered(rare) == []


def test_a_tick_or_an_arrow_does_not_make_its_line_taller():
    """The symbol fonts make room for their tallest signs; a line with a tick in it keeps the
    height of one without."""
    for style in ("body", "h2", "cell"):
        plain = para("done, next", style).wrap(400, 1000)[1]
        assert para("✓ done, → next ★", style).wrap(400, 1000)[1] == pytest.approx(plain), style


def test_a_long_thai_sentence_wraps_inside_the_frame(tmp_path):
    assert len(THAI_300) == 300
    width = 320
    chars, _ = drawn(build(tmp_path / "thai.pdf", [para(THAI_300, "body")], width=width))
    lines = lines_of(chars)
    right = width - MARGIN
    assert len(lines) >= 4, "the sentence wraps"
    assert all(c["x0"] >= MARGIN - 0.5 and c["x1"] <= right + 0.5 for line in lines for c in line)
    assert Counter(not_space("".join(c["text"] for c in chars))) == Counter(not_space(THAI_300))
    for line in lines[:-1]:  # the lines are full: the breaks fall between clusters, not only at the space
        assert max(c["x1"] for c in line) > right - 25
    for line in lines[1:]:  # no line starts with a tone mark, a vowel sign or a following vowel
        first = line[0]["text"]
        assert unicodedata.category(first)[0] != "M" and first not in "ะาำๅๆฯ", first
    for line in lines[:-1]:  # nor ends with a vowel written before its consonant
        assert line[-1]["text"] not in "เแโใไ"


@pytest.mark.parametrize("name", list(SAMPLES))
def test_uncovered_finds_nothing_missing_in_the_shipped_scripts(name):
    assert glyphs.uncovered(SAMPLES[name][0]) == []


def test_uncovered_finds_the_emoji_and_skips_what_is_not_a_glyph():
    assert glyphs.uncovered("Great 😀") == ["😀"]
    assert glyphs.uncovered("Great 😀 😀, ok 😀") == ["😀"]
    # joiners, variation selectors, skin tones, bidi marks and line breaks are not glyphs to miss
    assert glyphs.uncovered("ශ්‍රී\u200c \u200f\u200e 👍🏽 ❤️\n\tok\u00a0") == []
    assert glyphs.uncovered("e\u0301") == []  # composed as the report does: é
    assert glyphs.uncovered("Plain ASCII only") == []
    assert glyphs.uncovered("ကို 𝔸 \ue000 ⇒ က") == ["က", "ိ", "ု", "𝔸", "\ue000", "⇒"]


def test_find_missing_says_where_and_describe_says_what_happens(tmp_path):
    pieces = [("Background, paragraph 2", "Great 😀 work, ሰላም"),
              ("Findings: Access to funding, quotation 3", "Thanks 😀😀 ✓ from ကျော်"),
              ("Findings: Access to funding, quotation 4", "안녕하세요 ✓")]
    missing = glyphs.find_missing(pieces)
    assert missing == [
        glyphs.MissingGlyph("😀", "GRINNING FACE", "Background, paragraph 2"),
        glyphs.MissingGlyph("😀", "GRINNING FACE", "Findings: Access to funding, quotation 3"),
        glyphs.MissingGlyph("က", "MYANMAR LETTER KA", "Findings: Access to funding, quotation 3"),
        glyphs.MissingGlyph("ျ", "MYANMAR CONSONANT SIGN MEDIAL YA", "Findings: Access to funding, quotation 3"),
        glyphs.MissingGlyph("ေ", "MYANMAR VOWEL SIGN E", "Findings: Access to funding, quotation 3"),
        glyphs.MissingGlyph("ာ", "MYANMAR VOWEL SIGN AA", "Findings: Access to funding, quotation 3"),
        glyphs.MissingGlyph("်", "MYANMAR SIGN ASAT", "Findings: Access to funding, quotation 3"),
    ]
    lines = glyphs.describe(missing)
    assert lines[0] == ("😀 (GRINNING FACE) in Background, paragraph 2: no font in the report has it; "
                        "it is left out")
    assert lines[2] == ("က (MYANMAR LETTER KA) in Findings: Access to funding, quotation 3: no font in the "
                        "report has it; it prints as a box")
    assert lines[3].startswith("\u25cc\u103b (MYANMAR CONSONANT SIGN MEDIAL YA)")
    assert glyphs.MissingGlyph("\U000e0100", "U+E0100", "x") == glyphs.MissingGlyph("\U000e0100", "U+E0100", "x")
    assert glyphs.find_missing([("Unassigned", "\U0003fffd")])[0].name == "U+3FFFD"

    # what describe says is what the report does: the emoji is gone, the Myanmar letter is a box
    path = build(tmp_path / "missing.pdf", [para(text, "body") for _, text in pieces])
    with pdfplumber.open(path) as pdf:
        chars = pdf.pages[0].chars
    extracted = "".join(c["text"] for c in chars)
    assert "😀" not in extracted and "✓" in extracted
    box = [c for c in chars if c["text"] == "က"]
    assert box and box[0]["fontname"].endswith("NotoSans-Regular")
    assert ord("က") not in TTFont(scripts.font_for("latin").path, lazy=True).getBestCmap()


def test_the_new_fonts_are_shipped_with_their_licence():
    folder = scripts.font_dir()
    for script in ("ethiopic", "sinhala", "thai", "hangul", "symbols", "symbols2"):
        for file in filter(None, scripts.FONT_FILES[script]):
            assert (folder / file).is_file(), file
    licence = (folder / "OFL.txt").read_text(encoding="utf-8")
    for family in ("Noto Sans Ethiopic", "Noto Sans Sinhala", "Noto Sans Thai", "Noto Sans Symbols 2"):
        assert family in licence, family
    korean = TTFont(folder / "NotoSansCJKkr-Hangul-Regular.ttf")
    names = " ".join(r.toUnicode() for r in korean["name"].names if r.nameID in (1, 3, 4, 6, 16))
    assert "Source" not in names and "Noto Sans CJK KR Hangul" in names
    cmap = korean.getBestCmap()
    assert sum(0xAC00 <= c <= 0xD7A3 for c in cmap) >= 2350
    assert all(c in cmap for c in range(0x3131, 0x318F)) and all(c in cmap for c in range(0x1100, 0x1200))
