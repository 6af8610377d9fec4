"""Report text in every script a UK study meets: real glyphs, shaped, right-to-left in order.

Each test builds a real PDF with reportlab's SimpleDocTemplate from ``text.para`` paragraphs and
reads it back with pdfplumber: the fonts embedded, the text extracted and where each character
landed on the page.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
from bidi import get_display
from fontTools.ttLib import TTFont
from pdfminer.pdftypes import resolve1
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import SimpleDocTemplate, Table

from fieldkit.reports import scripts
from fieldkit.reports.text import para, styles

URDU = "ہم ہر ہفتے بزرگوں کے لیے کھانا پکاتے ہیں اور نوجوانوں کو کمپیوٹر سکھاتے ہیں"
ARABIC = "نحن نساعد العائلات الجديدة في العثور على المدارس والأطباء"
MIXED = "Chair: عائشہ خان, Birmingham"
URDU_WITH_LATIN = "ہم 2019 سے NHS اور Age UK کے ساتھ کام کر رہے ہیں"
SAMPLES = {
    "polish": "Zażółć gęślą jaźń — Łukasz Wróblewski, Stowarzyszenie Polaków w Łodzi",
    "turkish": "Ayşe Yılmaz, Türk Toplum Merkezi, İstanbul, Iğdır",
    "somali": "Xaliimo Cabdullaahi Maxamed, Ururka Haweenka Soomaaliyeed",
    "urdu": URDU + "۔",
    "arabic": ARABIC + ".",
    "mixed": MIXED,
    "bengali": "আমরা প্রতি সপ্তাহে রান্না করি। স্বাস্থ্য, ক্ষমতা, শিক্ষার্থী, রহিমা বেগম",
    "gurmukhi": "ਗੁਰਦੁਆਰਾ ਸਾਹਿਬ ਵਿੱਚ ਲੰਗਰ ਹੁੰਦਾ ਹੈ। ਪ੍ਰਧਾਨ ਸ੍ਰੀ ਕ੍ਰਿਪਾਲ ਸਿੰਘ",
    "gujarati": "અમે દર અઠવાડિયે વડીલો માટે ભોજન બનાવીએ છીએ। શ્રી ક્ષમા પ્રજાપતિ",
    "chinese": "陈美玲（华人社区中心主任）：我们每周为老人提供午餐。香港華人協會 黃志強",
    # beyond the list, cheap to carry: Hindi and Nepali, Tamil, Hebrew and Yiddish
    "hindi": "हम हर सप्ताह बुज़ुर्गों के लिए खाना बनाते हैं। श्रीमती प्रिया क्षत्रिय",
    "tamil": "நாங்கள் ஒவ்வொரு வாரமும் முதியோருக்கு உணவு சமைக்கிறோம். ஸ்ரீ கிருஷ்ணன்",
    "hebrew": "אנחנו מבשלים ארוחות לקשישים בכל שבוע",
}
EXPECTED_FONTS = {  # the script a sample is in -> the font file its letters must be set in
    "polish": "NotoSans", "turkish": "NotoSans", "somali": "NotoSans", "urdu": "NotoNaskhArabic",
    "arabic": "NotoNaskhArabic", "bengali": "NotoSansBengali", "gurmukhi": "NotoSansGurmukhi",
    "gujarati": "NotoSansGujarati", "chinese": "NotoSansCJK", "hindi": "NotoSansDevanagari", "tamil": "NotoSansTamil",
    "hebrew": "NotoSansHebrew",
}


MARGIN = 40 + 6  # the page margin and the frame's padding


def build(path: Path, flowables, width=A4[0]) -> Path:
    SimpleDocTemplate(str(path), pagesize=(width, A4[1]), leftMargin=40, rightMargin=40, topMargin=40,
                      bottomMargin=40).build(flowables)
    return path


def lines_of(page) -> list[list[dict]]:
    """The page's characters grouped into lines by baseline, top line first, each left to right."""
    lines: list[list[dict]] = []
    for ch in sorted(page.chars, key=lambda c: -c["matrix"][5]):
        if lines and abs(lines[-1][0]["matrix"][5] - ch["matrix"][5]) < 4:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def words_left_to_right(line: list[dict]) -> list[str]:
    """A line's words as drawn, left to right (each word's characters in any order)."""
    words, current = [], []
    for ch in line:
        if ch["text"].isspace():
            words.append(current)
            current = []
        else:
            current.append(ch)
    words.append(current)
    return ["".join(c["text"] for c in w) for w in words if w]


def same_letters(a: str, b: str) -> bool:
    return Counter(a) == Counter(b)


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    story = []
    for name, sample in SAMPLES.items():
        story.append(para(sample, "h2" if name == "bengali" else "body"))
    story.append(para("<b>bold?</b> & <i>no</i> &amp; 3 < 4", "body"))
    return build(tmp_path_factory.mktemp("pdf") / "samples.pdf", story)


def test_every_script_is_set_in_an_embedded_font_that_has_its_glyphs(sample_pdf):
    with pdfplumber.open(sample_pdf) as pdf:
        page = pdf.pages[0]
        used = {c["fontname"] for c in page.chars}
        embedded = {}
        for ref in resolve1(page.page_obj.resources["Font"]).values():
            font = resolve1(ref)
            if font["BaseFont"].name in used:
                embedded[font["BaseFont"].name.split("+")[-1]] = "FontFile2" in resolve1(font["FontDescriptor"])
        extracted = "".join(c["text"] for c in page.chars)
    assert len(embedded) == len(used) and all(embedded.values()), embedded
    for family in set(EXPECTED_FONTS.values()):
        assert any(name.startswith(family) for name in embedded), (family, embedded)
    assert not [c for c in extracted if 0xE000 <= ord(c) <= 0xF8FF], "a shaped glyph lost its text"

    for name, sample in SAMPLES.items():
        fonts_used = scripts.assign_fonts(sample)
        for ch, font in zip(sample, fonts_used, strict=True):
            cmap = TTFont(font.path, lazy=True).getBestCmap()
            assert ord(ch) in cmap, f"{name}: {ch!r} (U+{ord(ch):04X}) has no glyph in {font.path.name}"
        letters = {font.path.name for ch, font in zip(sample, fonts_used, strict=True) if ch.isalpha()}
        assert all(n.startswith(EXPECTED_FONTS.get(name, "")) for n in letters) or name == "mixed", (name, letters)


def test_shaping_draws_no_missing_glyph_boxes():
    for name, sample in SAMPLES.items():
        for variant in ("regular", "bold", "italic"):
            fonts = scripts.assign_fonts(sample, variant)
            start = 0
            for i in range(1, len(sample) + 1):
                if i == len(sample) or fonts[i] is not fonts[start]:
                    font = fonts[start]
                    drawn, width = scripts.shape(font.fontName, sample[start:i], False)
                    assert width > 0
                    assert all(font.face.charToGlyph.get(ord(c), 0) != 0 for c in drawn), (name, variant)
                    start = i


def test_conjuncts_and_joined_letters_are_shaped():
    """Shaping changes the glyphs: an Arabic word is drawn with joined forms, a Bengali or
    Gurmukhi conjunct with fewer glyphs than characters; and the text is kept for copying."""
    scripts.register_fonts()
    for word, font in (("کمپیوٹر", "FieldkitArabic"), ("ক্ষমতা", "FieldkitBengali"), ("ਕ੍ਰਿਪਾਲ", "FieldkitGurmukhi"),
                       ("ક્ષમા", "FieldkitGujarati"), ("क्षत्रिय", "FieldkitDevanagari"), ("ஸ்ரீ", "FieldkitTamil")):
        drawn, _ = scripts.shape(font, word, font == "FieldkitArabic")
        assert drawn != word
        f = pdfmetrics.getFont(font)
        assert any(0xE000 <= ord(c) <= 0xF8FF and f.actual.get(ord(c)) for c in drawn), word


def test_urdu_and_arabic_words_run_right_to_left(tmp_path):
    path = build(tmp_path / "rtl.pdf", [para(URDU, "body"), para(ARABIC, "body"), para(MIXED, "body"),
                                        para(URDU_WITH_LATIN, "body")])
    with pdfplumber.open(path) as pdf:
        urdu, arabic, mixed, urdu_with_latin = lines_of(pdf.pages[0])
        right_edge = pdf.pages[0].width - MARGIN
    for line, sentence in ((urdu, URDU), (arabic, ARABIC)):
        drawn = words_left_to_right(line)
        logical = sentence.split()
        assert len(drawn) == len(logical)
        # right to left on the page is the order the sentence is written in
        for seen, word in zip(reversed(drawn), logical, strict=True):
            assert same_letters(seen, word), (seen, word)
        assert max(c["x1"] for c in line) == pytest.approx(right_edge, abs=1), "right-to-left text aligns right"

    # "Chair: " then the name right to left (خان left of عائشہ), then ", Birmingham"
    words = words_left_to_right(mixed)
    assert len(words) == 4 and words[0] == "Chair:" and words[3] == "Birmingham"
    assert same_letters(words[1], "خان") and same_letters(words[2], "عائشہ,")
    comma = next(c for c in mixed if c["text"] == ",")
    assert comma["x0"] > max(c["x1"] for c in mixed if c["text"] in "عائشہ") - 0.5

    # numbers and English inside Urdu keep their own left-to-right order ("Age UK" reads as such)
    right_to_left = list(reversed(words_left_to_right(urdu_with_latin)))
    expected = ["ہم", "2019", "سے", "NHS", "اور", "UK", "Age", "کے", "ساتھ", "کام", "کر", "رہے", "ہیں"]
    assert len(right_to_left) == len(expected)
    for seen, word in zip(right_to_left, expected, strict=True):
        assert seen == word if word.isascii() else same_letters(seen, word), (seen, word)
    assert min(c["x0"] for c in mixed) == pytest.approx(MARGIN, abs=1), "a line that starts in Latin aligns left"


def test_right_to_left_order_is_kept_on_every_wrapped_line(tmp_path):
    sentence = " ".join([URDU] * 3)
    path = build(tmp_path / "wrapped.pdf", [para(sentence, "body")], width=300)
    with pdfplumber.open(path) as pdf:
        lines = lines_of(pdf.pages[0])
    assert len(lines) >= 3
    logical = sentence.split()
    n = 0
    for line in lines:
        drawn = list(reversed(words_left_to_right(line)))  # read right to left
        for seen, word in zip(drawn, logical[n:n + len(drawn)], strict=True):
            assert same_letters(seen, word), (seen, word)
        n += len(drawn)
        assert max(c["x1"] for c in line) == pytest.approx(300 - MARGIN, abs=1)
        assert min(c["x0"] for c in line) >= MARGIN - 0.5
    assert n == len(logical)


def test_line_order_agrees_with_python_bidi():
    """The visual order of a line's runs is the Unicode bidi algorithm's (python-bidi's Rust
    implementation, independent of the one used for levels)."""
    cases = [URDU, ARABIC, MIXED, "Room 12, ہم 3 سال سے کام کر رہے ہیں", "ہم 2019 سے NHS کے ساتھ کام کر رہے ہیں",
             "The group said: نحن هنا منذ 15 عاماً and then left.", "٣٤ عائلة - 2023 - في المدينة", "plain English"]
    for line in cases:
        base, levels = scripts.bidi_levels(line)
        runs, i = [], 0
        while i < len(line):
            j = i + 1
            while j < len(line) and levels[j] == levels[i]:
                j += 1
            runs.append((i, j, levels[i]))
            i = j
        visual = "".join(line[s:e][::-1] if level % 2 else line[s:e] for s, e, level in scripts.visual_order(runs))
        assert visual == get_display(line), line


def test_latin_polish_turkish_somali_and_chinese_text_reads_back(sample_pdf):
    with pdfplumber.open(sample_pdf) as pdf:
        extracted = pdf.pages[0].extract_text()
    for name in ("polish", "turkish", "somali", "chinese"):
        assert SAMPLES[name] in extracted, name


def test_emoji_leave_no_boxes_and_unknown_letters_are_kept(tmp_path):
    # 👍 and ❤ are in Noto Sans Symbols 2 (in black and white); 😊 is in no shipped font and is
    # left out (the export says so: fieldkit.reports.glyphs), as are the skin tone and the
    # variation selector that modify the others.
    path = build(tmp_path / "emoji.pdf", [para("Great club 😊👍🏽 thanks ❤️ — ᄀ", "body")])
    with pdfplumber.open(path) as pdf:
        assert pdf.pages[0].extract_text() == "Great club 👍 thanks ❤ — ᄀ"


def test_markup_characters_print_as_text(sample_pdf):
    with pdfplumber.open(sample_pdf) as pdf:
        assert "<b>bold?</b> & <i>no</i> &amp; 3 < 4" in pdf.pages[0].extract_text()


def test_a_long_quotation_splits_across_pages(tmp_path):
    words = [f"word{i}" for i in range(1400)]
    path = build(tmp_path / "long.pdf", [para(" ".join(words), "quote")])
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 3
        read = " ".join(p.extract_text() for p in pdf.pages).split()
    assert read == words


def test_table_cells_wrap_inside_their_column(tmp_path):
    cell = "Stowarzyszenie Polaków w Łodzi i okolicach, عائشہ خان, 华人社区中心"
    table = Table([[para("Name", "cell_head"), para(cell, "cell")]], colWidths=(60, 90), hAlign="LEFT")
    path = build(tmp_path / "cell.pdf", [table])
    with pdfplumber.open(path) as pdf:
        lines = [[c for c in line if c["x0"] > MARGIN + 60] for line in lines_of(pdf.pages[0])]
    lines = [line for line in lines if line]
    assert len(lines) >= 3, "the cell wraps"
    inside = MARGIN + 150 - 6  # the cell's right edge less its padding
    assert all(c["x1"] <= inside + 0.5 for line in lines for c in line), "nothing runs out of the cell"
    assert "".join(c["text"] for c in lines[-1]).endswith("华人社区中心")


def test_styles_are_fresh_copies_and_cover_the_report():
    first, second = styles(), styles()
    assert set(first) == {"title", "subtitle", "h1", "h2", "body", "small", "quote", "cell", "cell_right",
                          "cell_head", "toc1", "toc2"}
    first["body"].fontSize = 40
    assert second["body"].fontSize != 40 and styles()["body"].fontSize != 40


def test_shipped_fonts_stay_small_and_licensed():
    folder = scripts.font_dir()
    files = [folder / f for files in scripts.FONT_FILES.values() for f in files if f]
    assert all(f.is_file() for f in files)
    assert sum(f.stat().st_size for f in folder.glob("*.ttf")) < 10_000_000
    assert "SIL OPEN FONT LICENSE" in (folder / "OFL.txt").read_text(encoding="utf-8").upper()


def test_the_app_can_show_every_script(qapp):
    from fieldkit.ui.fonts import install_app_fonts

    families = install_app_fonts()
    for family in ("Noto Sans", "Noto Naskh Arabic", "Noto Sans Bengali", "Noto Sans Gujarati", "Noto Sans Gurmukhi",
                   "Noto Sans CJK SC Common", "Noto Sans Devanagari", "Noto Sans Tamil", "Noto Sans Hebrew"):
        assert family in families
    assert install_app_fonts() == families
