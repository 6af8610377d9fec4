"""The pieces of WordprocessingML the Word report is written in: runs, paragraphs and fields as
XML text, escaped, with right-to-left text marked.

Writing the body as text and parsing it once is what keeps the Word report quick: python-docx's
own objects build each paragraph element by element and look each style up by name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fieldkit.reports.markup import Span
from fieldkit.reports.scripts import bidi_levels

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("(\n|\t)")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]")
SPACER = ('<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
           '<w:rPr><w:sz w:val="12"/><w:szCs w:val="12"/></w:rPr></w:pPr></w:p>')


def esc(text: str) -> str:
    """Text for XML: escaped, and without the characters XML cannot hold (control characters)."""
    return _BAD_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(text: str) -> str:
    """Text for an XML attribute."""
    return esc(text).replace('"', "&quot;")


def _t(text: str) -> str:
    """Text as run content: ``w:t``, with line breaks and tabs as Word's own."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" not in text and "\t" not in text:
        return f'<w:t xml:space="preserve">{esc(text)}</w:t>'
    out = []
    for piece in _BREAKS.split(text):
        if piece == "\n":
            out.append("<w:br/>")
        elif piece == "\t":
            out.append("<w:tab/>")
        elif piece:
            out.append(f'<w:t xml:space="preserve">{esc(piece)}</w:t>')
    return "".join(out)


def run(text: str, *, style: str | None = None, bold: bool = False, italic: bool = False,
        colour: str | None = None, size: int | None = None, underline: bool = False,
        superscript: bool = False) -> str:
    """A ``w:r`` of ``text`` (``size`` in half points); right-to-left text is marked ``w:rtl``."""
    rpr = []
    if style:
        rpr.append(f'<w:rStyle w:val="{style}"/>')
    if bold:
        rpr.append("<w:b/><w:bCs/>")
    if italic:
        rpr.append("<w:i/><w:iCs/>")
    if colour:
        rpr.append(f'<w:color w:val="{colour}"/>')
    if size:
        rpr.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    if underline:
        rpr.append('<w:u w:val="single"/>')
    if superscript:
        rpr.append('<w:vertAlign w:val="superscript"/>')
    if _RTL.search(text):
        rpr.append("<w:rtl/>")
    props = f"<w:rPr>{''.join(rpr)}</w:rPr>" if rpr else ""
    return f"<w:r>{props}{_t(text)}</w:r>"


def para(content: str, style: str | None = None, *, keep: bool = False, page_break: bool = False,
         num: tuple[int, int] | None = None, border: str = "", tabs: str = "", bidi: bool = False,
         spacing: str = "", jc: str | None = None) -> str:
    """A ``w:p`` holding ``content`` (runs), its properties in the schema's order."""
    ppr = []
    if style:
        ppr.append(f'<w:pStyle w:val="{style}"/>')
    if keep:
        ppr.append("<w:keepNext/>")
    if page_break:
        ppr.append("<w:pageBreakBefore/>")
    if num:
        ppr.append(f'<w:numPr><w:ilvl w:val="{num[0]}"/><w:numId w:val="{num[1]}"/></w:numPr>')
    if border:
        ppr.append(border)
    if tabs:
        ppr.append(tabs)
    if bidi:
        ppr.append("<w:bidi/>")
    if spacing:
        ppr.append(spacing)
    if jc:
        ppr.append(f'<w:jc w:val="{jc}"/>')
    return f"<w:p><w:pPr>{''.join(ppr)}</w:pPr>{content}</w:p>"


def rtl(text: str) -> bool:
    """Whether a paragraph of ``text`` runs right to left (its first strong character does)."""
    return bool(_RTL.search(text)) and bidi_levels(text)[0] == 1


def field(instruction: str, shown: str) -> str:
    """A simple field (``PAGE``, ``SEQ Table``) with the result it shows until updated."""
    return f'<w:fldSimple w:instr=" {attr(instruction)} ">{run(shown)}</w:fldSimple>'


def plain(spans: Sequence[Span]) -> str:
    """The words of styled spans."""
    return "".join(s.text for s in spans)
