"""The Word report's package: styles, theme, page set-up, running head and footer, footnotes,
settings and document properties, on python-docx's default template.

The text of the report (``fieldkit.reports.docx``) is written against the style ids set up
here, so that every paragraph carries a real Word style (Heading 1, List Bullet, Quote,
Caption, ...) that a reader restyles in Word or LibreOffice as in any document of their own.
The look follows the PDF: Noto Sans, the report's accent colour (set as the theme's Accent 1,
so built-in table styles and headings take it), 20 mm side margins.

python-docx has no footnotes: ``footnotes_part`` adds the part (``/word/footnotes.xml``) and
relates it from the document, ``fill_footnotes`` writes the separator and continuation separator
Word expects, then the notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Twips

from fieldkit.reports.docx_xml import attr as _attr

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECLS = (f'xmlns:w="{W}" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
           'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
           'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"')

FONT = "Noto Sans"
MONO = "Courier New"
ACCENT = "1F5C7A"        # fieldkit.reports.charts.ACCENT
ACCENT_DARK = "17455C"
ACCENT_LIGHT = "C9DCE6"  # the quotation rule, as light as the PDF's
HEADING = "1F3A4D"       # fieldkit.reports.text.HEADING
INK = "1E2326"
MUTED = "5E6B73"
RULE = "C5D1D8"
BAND = "EDF2F5"       # banded table rows

#: Page sizes in twips (a twentieth of a point).
PAGES = {"a4": (11906, 16838), "letter": (12240, 15840)}
MARGIN_X = 1134  # 20 mm
MARGIN_TOP, MARGIN_BOTTOM, HEADER_GAP, FOOTER_GAP = 1417, 1247, 680, 567  # 25, 22, 12 and 10 mm

#: The table style every table takes (a built-in one of the default template).
TABLE_STYLE = "Medium Shading 1 Accent 1"
#: Languages written right to left, for the document's complex-script language.
RTL_LANGUAGES = {"ar", "ur", "he", "fa", "ps", "yi", "ku", "sd", "ug", "dv"}
#: Languages whose text is East Asian, for the document's East Asian language.
EAST_ASIAN = {"zh", "ja", "ko"}


def _rfonts(name: str) -> str:
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


def _colour(value: str) -> str:
    return f'<w:color w:val="{value}"/>'


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def _spacing(before: int = 0, after: int = 0, line: int | None = None) -> str:
    rule = f' w:line="{line}" w:lineRule="auto"' if line else ""
    return f'<w:spacing w:before="{before}" w:after="{after}"{rule}/>'


class Styles:
    """The report's styles on ``doc``: built-in ones restyled, missing ones added; ``id(name)``
    is the style id of a style name, looked up once."""

    def __init__(self, doc: Any, *, lang: str, text_width: int):
        self.doc = doc
        self.root = doc.styles.element
        self._ids = {s.get(qn("w:styleId")): s for s in self.root.iterchildren(qn("w:style"))}
        self._by_name = {s.find(qn("w:name")).get(qn("w:val")).casefold(): s.get(qn("w:styleId"))
                         for s in self._ids.values() if s.find(qn("w:name")) is not None}
        self._defaults(lang)
        self._restyle(text_width)

    def id(self, name: str) -> str:
        """The style id of ``name`` ("List Bullet" -> "ListBullet")."""
        return self._by_name[name.casefold()]

    def _defaults(self, lang: str) -> None:
        defaults = self.root.find(qn("w:docDefaults"))
        primary = lang.split("-")[0].casefold()
        east = lang if primary in EAST_ASIAN else "zh-CN"
        bidi = lang if primary in RTL_LANGUAGES else "ar-SA"
        rpr = (f'<w:rPr {NSDECLS}>{_rfonts(FONT)}{_colour(INK)}{_size(20)}'
               f'<w:lang w:val="{_attr(lang)}" w:eastAsia="{_attr(east)}" w:bidi="{_attr(bidi)}"/></w:rPr>')
        ppr = f'<w:pPr {NSDECLS}>{_spacing(0, 120, 264)}</w:pPr>'
        for tag, xml in (("w:rPrDefault", rpr), ("w:pPrDefault", ppr)):
            holder = defaults.find(qn(tag))
            for child in list(holder):
                holder.remove(child)
            holder.append(parse_xml(xml))

    def _set(self, style_id: str, *, ppr: str = "", rpr: str = "") -> None:
        style = self._ids[style_id]
        for tag in ("w:pPr", "w:rPr"):
            old = style.find(qn(tag))
            if old is not None:
                style.remove(old)
        anchor = style.find(qn("w:tblPr"))
        for xml in (f"<w:pPr {NSDECLS}>{ppr}</w:pPr>" if ppr else "", f"<w:rPr {NSDECLS}>{rpr}</w:rPr>" if rpr else ""):
            if xml:
                el = parse_xml(xml)
                if anchor is not None:
                    anchor.addprevious(el)
                else:
                    style.append(el)

    def _add(self, kind: str, style_id: str, name: str, *, based: str | None = "Normal", ppr: str = "",
             rpr: str = "", extra: str = "", custom: bool = False) -> None:
        """Add a style unless the template has it (a built-in one by Word's own name, or one of
        the report's, ``custom``), then set its paragraph and run properties."""
        if style_id not in self._ids:
            base = f'<w:basedOn w:val="{based}"/>' if based else ""
            mark = ' w:customStyle="1"' if custom else ""
            el = parse_xml(f'<w:style {NSDECLS} w:type="{kind}"{mark} w:styleId="{style_id}">'
                           f'<w:name w:val="{name}"/>{base}{extra}<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
                           '</w:style>')
            self.root.append(el)
            self._ids[style_id] = el
            self._by_name[name.casefold()] = style_id
        self._set(style_id, ppr=ppr, rpr=rpr)

    def _restyle(self, text_width: int) -> None:
        keep = "<w:keepNext/><w:keepLines/>"
        self._set("Heading1", ppr=f"{keep}{_spacing(0, 160)}<w:outlineLvl w:val=\"0\"/>",
                  rpr=f"<w:b/><w:bCs/>{_colour(HEADING)}{_size(34)}")
        self._set("Heading2", ppr=f"{keep}{_spacing(280, 100)}<w:outlineLvl w:val=\"1\"/>",
                  rpr=f"<w:b/><w:bCs/>{_colour(HEADING)}{_size(25)}")
        self._set("Heading3", ppr=f"{keep}{_spacing(220, 80)}<w:outlineLvl w:val=\"2\"/>",
                  rpr=f"<w:b/><w:bCs/>{_colour(HEADING)}{_size(22)}")
        self._set("Heading4", ppr=f"{keep}{_spacing(200, 60)}<w:outlineLvl w:val=\"3\"/>",
                  rpr=f"<w:b/><w:bCs/><w:i/><w:iCs/>{_colour(HEADING)}{_size(20)}")
        self._set("Title", ppr=f'<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="8" w:color="{ACCENT}"/>'
                               f'</w:pBdr>{_spacing(0, 240, 240)}<w:contextualSpacing/>',
                  rpr=f"<w:b/><w:bCs/>{_colour(ACCENT)}<w:kern w:val=\"28\"/>{_size(52)}")
        self._set("Subtitle", ppr=_spacing(0, 360), rpr=f"{_colour(MUTED)}{_size(28)}")
        self._set("TOCHeading", ppr=f"{keep}{_spacing(0, 280)}<w:outlineLvl w:val=\"9\"/>",
                  rpr=f"<w:b/><w:bCs/>{_colour(HEADING)}{_size(34)}")
        self._set("Quote", ppr=f'<w:pBdr><w:left w:val="single" w:sz="18" w:space="10" w:color="{ACCENT_LIGHT}"/>'
                               f'</w:pBdr>{_spacing(40, 160)}<w:ind w:left="454" w:right="454"/>',
                  rpr=f"<w:i/><w:iCs/>{_colour(INK)}")
        self._set("IntenseQuote", ppr=f'<w:pBdr><w:left w:val="single" w:sz="24" w:space="10" w:color="{ACCENT}"/>'
                                      f'</w:pBdr>{_spacing(80, 200)}<w:ind w:left="454" w:right="454"/>',
                  rpr=f"<w:i/><w:iCs/>{_colour(HEADING)}")
        self._set("Caption", ppr=_spacing(60, 100, 240), rpr=f"<w:b/><w:bCs/>{_colour(MUTED)}{_size(17)}")
        tabs = (f'<w:tabs><w:tab w:val="clear" w:pos="4680"/><w:tab w:val="clear" w:pos="9360"/>'
                f'<w:tab w:val="right" w:pos="{text_width}"/></w:tabs>')
        self._set("Header", ppr=f'<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="4" w:color="{RULE}"/></w:pBdr>'
                                f'{tabs}{_spacing(0, 0, 240)}', rpr=f"{_colour(MUTED)}{_size(16)}")
        self._set("Footer", ppr=f'{tabs}{_spacing(0, 0, 240)}', rpr=f"{_colour(MUTED)}{_size(16)}")
        self._add("paragraph", "FootnoteText", "footnote text", ppr=_spacing(0, 40, 240), rpr=_size(16))
        self._add("character", "FootnoteReference", "footnote reference", based="DefaultParagraphFont",
                  rpr='<w:vertAlign w:val="superscript"/>')
        self._add("character", "Hyperlink", "Hyperlink", based="DefaultParagraphFont",
                  rpr=f'{_colour(ACCENT)}<w:u w:val="single"/>')
        self._add("character", "Code", "Code", based="DefaultParagraphFont", rpr=f"{_rfonts(MONO)}{_size(19)}",
                  custom=True)
        self._add("paragraph", "Note", "Note", ppr=_spacing(40, 80, 240), rpr=f"{_colour(MUTED)}{_size(16)}",
                  custom=True)
        self._add("paragraph", "TableText", "Table Text", ppr=_spacing(0, 0, 240), rpr=_size(17), custom=True)
        self._add("paragraph", "TableTextSmall", "Table Text Small", based="TableText", ppr=_spacing(0, 0, 240),
                  rpr=_size(15), custom=True)
        self._add("paragraph", "CoverDetail", "Cover Detail",
                  ppr=f'<w:tabs><w:tab w:val="left" w:pos="1814"/></w:tabs>{_spacing(0, 80)}', custom=True)
        self._add("paragraph", "TOC1", "toc 1", ppr=f'<w:tabs><w:tab w:val="right" w:leader="dot" '
                  f'w:pos="{text_width}"/></w:tabs>{_spacing(120, 40)}', rpr="<w:b/><w:bCs/>")
        for level in (2, 3):
            self._add("paragraph", f"TOC{level}", f"toc {level}",
                      ppr=f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{text_width}"/></w:tabs>'
                          f'{_spacing(0, 40)}<w:ind w:left="{220 * (level - 1)}"/>')
        self._table_colours(self._ids[self.id(TABLE_STYLE)])

    @staticmethod
    def _table_colours(table: Any) -> None:
        """The built-in table style in the accent colour (Word works colours out from the theme,
        other programs read the value written), its banded rows lighter, like the PDF's."""
        bands = {qn("w:tblStylePr")}
        for part in table.iterchildren(qn("w:tblStylePr")):
            if part.get(qn("w:type")) == "lastRow":  # no rules between the cells of a total row
                for side in ("w:left", "w:right"):
                    for el in part.iter(qn(side)):
                        el.getparent().remove(el)
        for el in table.iter():
            for name, theme, tint, shade in (("w:color", "w:themeColor", "w:themeTint", "w:themeShade"),
                                             ("w:fill", "w:themeFill", "w:themeFillTint", "w:themeFillShade")):
                if el.get(qn(theme)) != "accent1":
                    continue
                parent = el.getparent().getparent() if el.getparent() is not None else None
                if name == "w:fill" and parent is not None and parent.tag in bands and \
                        parent.get(qn("w:type"), "").startswith("band"):
                    for attr in (theme, tint, shade):
                        el.attrib.pop(qn(attr), None)
                    el.set(qn(name), BAND)
                    continue
                el.set(qn(name), _mix(ACCENT, el.get(qn(tint)), el.get(qn(shade))))


def _mix(colour: str, tint: str | None, shade: str | None) -> str:
    """``colour`` with a theme tint (towards white) or shade (towards black) applied."""
    channels = [int(colour[i:i + 2], 16) for i in (0, 2, 4)]
    if tint:
        t = int(tint, 16) / 255
        channels = [round(c * t + 255 * (1 - t)) for c in channels]
    if shade:
        f = int(shade, 16) / 255
        channels = [round(c * f) for c in channels]
    return "".join(f"{c:02X}" for c in channels)


def recolour_theme(doc: Any) -> None:
    """The theme's Accent 1 and Text 2 in the report's colours, for anything a reader adds later."""
    theme = doc.part.part_related_by(RT.THEME)
    blob = theme.blob
    for old, new in ((b'<a:srgbClr val="4F81BD"/>', f'<a:srgbClr val="{ACCENT}"/>'.encode()),
                     (b'<a:srgbClr val="1F497D"/>', f'<a:srgbClr val="{HEADING}"/>'.encode())):
        blob = blob.replace(old, new, 1)
    theme._blob = blob


def drop_thumbnail(doc: Any) -> None:
    """The template's picture of an empty page would stand for the report in file browsers."""
    rels = doc.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            rels.pop(rid)


def set_page(doc: Any, page_size: str) -> int:
    """The section's page size and margins; returns the width of the text, in twips."""
    width, height = PAGES.get(page_size, PAGES["a4"])
    s = doc.sections[0]
    s.page_width, s.page_height = Twips(width), Twips(height)
    s.left_margin = s.right_margin = Twips(MARGIN_X)
    s.top_margin, s.bottom_margin = Twips(MARGIN_TOP), Twips(MARGIN_BOTTOM)
    s.header_distance, s.footer_distance = Twips(HEADER_GAP), Twips(FOOTER_GAP)
    s.gutter = Twips(0)
    return width - 2 * MARGIN_X


def _replace(container: Any, paragraphs: str) -> None:
    el = container._element
    for child in list(el):
        el.remove(child)
    for p in parse_xml(f"<w:hdr {NSDECLS}>{paragraphs}</w:hdr>"):
        el.append(p)


def set_header_footer(doc: Any, header: str, footer: str, first_footer: str) -> None:
    """The running head and footer of the body pages, and the cover's own footer (no head):
    each a paragraph's XML."""
    s = doc.sections[0]
    s.different_first_page_header_footer = True
    _replace(s.header, header)
    _replace(s.footer, footer)
    _replace(s.first_page_header, '<w:p><w:pPr><w:pStyle w:val="Header"/><w:pBdr><w:bottom w:val="nil"/>'
                                  '</w:pBdr></w:pPr></w:p>')
    _replace(s.first_page_footer, first_footer)


def _insert(parent: Any, el: Any, before: Sequence[str]) -> None:
    """Put ``el`` in ``parent`` before the first child named in ``before`` (the schema's order)."""
    for tag in before:
        anchor = parent.find(qn(tag))
        if anchor is not None:
            anchor.addprevious(el)
            return
    parent.append(el)


_AFTER_FOOTNOTE_PR = ("w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
                      "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                      "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:shapeDefaults",
                      "w:decimalSymbol", "w:listSeparator")


def set_settings(doc: Any, lang: str, *, footnotes: bool) -> None:
    """Fields updated on opening (the contents fill in), the footnotes' separators, the
    language of the theme's fonts."""
    settings = doc.settings.element
    _insert(settings, parse_xml(f'<w:updateFields {NSDECLS} w:val="true"/>'),
            ("w:hdrShapeDefaults", "w:footnotePr", *_AFTER_FOOTNOTE_PR))
    if footnotes:
        _insert(settings, parse_xml(f'<w:footnotePr {NSDECLS}><w:footnote w:id="-1"/><w:footnote w:id="0"/>'
                                    '</w:footnotePr>'), _AFTER_FOOTNOTE_PR)
    existing = settings.find(qn("w:themeFontLang"))
    if existing is not None:
        existing.set(qn("w:val"), lang)
        return
    _insert(settings, parse_xml(f'<w:themeFontLang {NSDECLS} w:val="{_attr(lang)}"/>'),
            ("w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures",
             "w:forceUpgrade", "w:captions", "w:shapeDefaults", "w:decimalSymbol", "w:listSeparator"))


def footnotes_part(doc: Any) -> XmlPart:
    """A footnotes part related from the document, its text filled in by ``fill_footnotes``
    (made first so that links in footnotes can be related from it)."""
    part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES,
                   parse_xml(f"<w:footnotes {NSDECLS}/>"), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    return part


def fill_footnotes(part: XmlPart, notes: Sequence[tuple[int, str]]) -> None:
    """The separator, the continuation separator, then each ``(id, paragraphs' XML)``."""
    sep = '<w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:{0}/></w:r></w:p>'
    body = "".join(f'<w:footnote w:id="{i}">{xml}</w:footnote>' for i, xml in notes)
    part._element = parse_xml(
        f'<w:footnotes {NSDECLS}><w:footnote w:type="separator" w:id="-1">{sep.format("separator")}</w:footnote>'
        f'<w:footnote w:type="continuationSeparator" w:id="0">{sep.format("continuationSeparator")}</w:footnote>'
        f'{body}</w:footnotes>')


class Numbering:
    """Numbered lists that each start at their own first number: a new ``w:num`` over the list
    style's own definition for every list (otherwise every "List Number" list in a document
    carries on from the one before)."""

    def __init__(self, doc: Any, styles: Styles):
        self.root = doc.part.numbering_part.element
        self.styles = styles
        self._abstract: dict[str, str] = {}
        self._next = 1 + max((int(n.get(qn("w:numId"))) for n in self.root.iterchildren(qn("w:num"))), default=0)

    def restart(self, style_id: str, start: int) -> int | None:
        """A fresh numbering for a list in ``style_id`` starting at ``start``; None if the style has none."""
        abstract = self._abstract.get(style_id)
        if abstract is None:
            style = self.styles._ids.get(style_id)
            num_id = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}") if style is not None else None
            if num_id is None:
                return None
            for num in self.root.iterchildren(qn("w:num")):
                if num.get(qn("w:numId")) == num_id.get(qn("w:val")):
                    abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
            if abstract is None:
                return None
            self._abstract[style_id] = abstract
        n, self._next = self._next, self._next + 1
        self.root.append(parse_xml(f'<w:num {NSDECLS} w:numId="{n}"><w:abstractNumId w:val="{abstract}"/>'
                                   f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{int(start)}"/>'
                                   '</w:lvlOverride></w:num>'))
        return n


def set_properties(doc: Any, *, title: str, author: str, subject: str, keywords: str, lang: str,
                   when: dt.datetime) -> None:
    """The document's core properties (File ▸ Properties)."""
    cp = doc.core_properties
    cp.title, cp.author, cp.subject, cp.keywords = title, author, subject, keywords
    cp.language, cp.category, cp.comments = lang, "Mapping report", ""
    cp.last_modified_by = author
    cp.created = cp.modified = when
    cp.revision = 1

