"""Characters no report font can print, found before the report is made, so it can say which.

The reports set text only in the fonts shipped in ``resources/fonts`` (see ``scripts``). A
character none of them has cannot print as itself: an emoji or other symbol is left out (see
``scripts.printable``), anything else (a letter of a script without a font here, a private-use
code) prints as the font's missing-character box. ``find_missing`` lists such characters with
where they occur, and ``describe`` says in a line each what will happen to them.

Uses reportlab's reading of the fonts (the same cmaps the PDF is set with); no Qt here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from fieldkit.reports import scripts

__all__ = ["MissingGlyph", "describe", "find_missing", "uncovered"]

_PRIVATE_USE = range(0xE000, 0xF900)  # reportlab gives shaped glyphs codes here at run time
_HANGUL_SYLLABLES = range(0xAC00, 0xD7A4)


def _sequence_part(cp: int) -> bool:
    """Parts of emoji and other sequences that are not characters in their own right:
    variation selectors, the keycap, skin-tone modifiers and tag characters."""
    return (0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or cp == 0x20E3 or 0x1F3FB <= cp <= 0x1F3FF
            or 0xE0000 <= cp <= 0xE007F)


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """Every code point some shipped font maps to a glyph (the regular faces: the bold and
    italic ones have the same cmaps)."""
    scripts.register_fonts()
    codes: set[int] = set()
    for script in scripts.FONT_FILES:
        face = scripts.font_for(script, "regular").face
        codes.update(cp for cp, gid in face.charToGlyph.items() if gid and cp not in _PRIVATE_USE)
    return frozenset(codes)


@lru_cache(maxsize=1)
def _jamo() -> frozenset[int]:
    """The Hangul font's jamo, from which HarfBuzz builds the syllables it has no glyph for."""
    return frozenset(cp for cp in scripts.font_for("hangul").face.charToGlyph if 0x1100 <= cp <= 0x11FF)


def _prints(ch: str) -> bool:
    cp = ord(ch)
    if cp in _covered():
        return True
    if cp in _HANGUL_SYLLABLES:
        return all(ord(j) in _jamo() for j in unicodedata.normalize("NFD", ch))
    return False


def _ignored(ch: str) -> bool:
    """Whitespace, control and format characters (joiners, bidi marks) and sequence parts:
    nothing that should print as a glyph of its own."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp") or _sequence_part(ord(ch))


def uncovered(text: str) -> list[str]:
    """The distinct characters of ``text``, in the order first seen, that no shipped font has.

    The text is NFC-normalised first, as the report does, so a letter typed as base and accent
    counts as the composed letter; whitespace, control and format characters and variation
    selectors and emoji modifiers are not counted.
    """
    if not text or text.isascii():  # Noto Sans has every printable ASCII character
        return []
    found: dict[str, None] = {}
    for ch in unicodedata.normalize("NFC", text):
        if ch not in found and not _ignored(ch) and not _prints(ch):
            found[ch] = None
    return list(found)


@dataclass(frozen=True)
class MissingGlyph:
    """A character no report font has (``char``), its Unicode name and where it occurs."""

    char: str
    name: str
    where: str


def _name(ch: str) -> str:
    return unicodedata.name(ch, f"U+{ord(ch):04X}")


def find_missing(pieces: Iterable[tuple[str, str]]) -> list[MissingGlyph]:
    """The characters no font has in each piece of report text, ``pieces`` being pairs of
    where and text (``("Background, paragraph 2", "...")``): one entry per character and
    place, in the order of the pieces and of the characters in them."""
    missing: list[MissingGlyph] = []
    seen: set[tuple[str, str]] = set()
    for where, text in pieces:
        for ch in uncovered(text or ""):
            if (ch, where) not in seen:
                seen.add((ch, where))
                missing.append(MissingGlyph(ch, _name(ch), where))
    return missing


def describe(missing: list[MissingGlyph]) -> list[str]:
    """A line for each missing character saying where it is and what the report does with it:
    symbols (emoji) are left out, anything else prints as a box."""
    lines = []
    for m in missing:
        shown = "\u25cc" + m.char if unicodedata.category(m.char)[0] == "M" else m.char  # a mark on a dotted circle
        fate = "it is left out" if not scripts.printable(m.char) else "it prints as a box"
        lines.append(f"{shown} ({m.name}) in {m.where}: no font in the report has it; {fate}")
    return lines
