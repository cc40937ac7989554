"""Generate a theme's Word reference document (``<theme>/docx/reference.docx``).

Run ``python -m publikasi.exporters.docx.make_reference [THEME ...]`` (built-in
names or theme folders; default: every built-in theme).  The document is
written from scratch rather than derived from python-docx's template, so
nothing of that template (US Letter, en-US, its author and 2013 dates, its
hundreds of unused styles) can leak into publikasi's files.

What the reference holds, and the exporter relies on:

* styles with Word's built-in names (Normal, Title, Subtitle, Heading 1-6,
  Quote, Caption, List Bullet/Number 1-3, List Continue 1-3, Hyperlink,
  footnote text/reference, header/footer, TOC Heading, toc 1), LibreOffice's
  Table Contents/Table Heading, and publikasi's own (Article Meta, Meta
  Label, Standfirst, Picture, Caption Credit, Photo Placeholder, Quote
  Attribution, Verbatim Char, Publikasi Table);
* ``id-ID`` as the document language in ``docDefaults``;
* numbering definitions for bullets and numbers (three levels and more);
* ``word/footnotes.xml`` with the separator notes (python-docx cannot add it);
* default and first-page header/footer parts, and an empty custom-properties
  part, which the exporter fills per document;
* an A4 section with the theme's margins and no body text.

The output is byte-for-byte reproducible, so the committed files can be
checked against this script.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import sys
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from ...themes import Theme, available_themes, builtin_themes_dir, load_theme
from .settings import DocxSettings
from .ooxml import E, field, mm_to_twips, paragraph, props, run, val

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE_CT = "application/vnd.openxmlformats-officedocument"
WML_CT = f"{OFFICE_CT}.wordprocessingml"
CORE_RT = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
ZIP_DATE = (2025, 1, 1, 0, 0, 0)

# Relationship ids of document.xml; the exporter finds parts through them.
DOC_RELS = [
    ("rId1", "styles", "styles.xml"),
    ("rId2", "settings", "settings.xml"),
    ("rId3", "numbering", "numbering.xml"),
    ("rId4", "fontTable", "fontTable.xml"),
    ("rId5", "footnotes", "footnotes.xml"),
    ("rId6", "header", "header1.xml"),
    ("rId7", "header", "header2.xml"),
    ("rId8", "footer", "footer1.xml"),
    ("rId9", "footer", "footer2.xml"),
]
A4_MM = (210.0, 297.0)
BULLETS = ["\u2022", "\u25e6", "\u25aa"]
NUMBER_FORMATS = [("decimal", "%{n}."), ("lowerLetter", "%{n})"), ("lowerRoman", "%{n}.")]
BULLET_NUM_ID = 1
NUMBER_NUM_ID = 2


# ---------------------------------------------------------------- settings


class Look:
    """The theme's Word look: fonts, sizes (pt), colours (RRGGBB), page (mm)."""

    def __init__(self, theme: Theme) -> None:
        cfg = theme.settings(DocxSettings)
        self.fonts: dict[str, str] = dataclasses.asdict(cfg.fonts)
        self.sizes: dict[str, float] = {k: float(v) for k, v in
                                        dataclasses.asdict(cfg.sizes).items()}
        colors: dict[str, str] = theme.shared().colors
        own: dict[str, str] = {k: v for k, v in dataclasses.asdict(cfg.colors).items() if v}
        self.text = hexcolor(own.get("text", colors.get("text", "#1a1a1a")))
        self.accent = hexcolor(own.get("accent", colors.get("accent", "#0b5394")))
        self.muted = hexcolor(own.get("muted", colors.get("muted", "#5f6368")))
        self.rule = hexcolor(own.get("rule", colors.get("rule", "#c9d3de")))
        self.band_text = hexcolor(own.get("band_text", colors.get("band_text", "#ffffff")))
        self.heading = hexcolor(own.get("heading", colors.get("accent", "#0b5394")))
        self.title = hexcolor(own.get("title", colors.get("accent", "#0b5394")))
        self.link = hexcolor(own.get("link", colors.get("accent", "#0b5394")))
        self.band_light = mix(self.accent, "FFFFFF", 0.9)
        self.title_band = cfg.style.title_band
        self.heading1_rule = cfg.style.heading1_rule
        self.line = cfg.style.line_spacing
        self.space_after = cfg.style.space_after_pt
        page = cfg.page
        self.margins = {"top": page.margin_top_mm, "bottom": page.margin_bottom_mm,
                        "left": page.margin_left_mm, "right": page.margin_right_mm}
        self.header_mm = page.header_mm
        self.footer_mm = page.footer_mm
        self.theme_name = theme.name


def hexcolor(value: str) -> str:
    value = str(value).strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if len(value) != 6 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise ValueError(f"not a colour: {value!r}")
    return value.upper()


def mix(color: str, other: str, amount: float) -> str:
    a = [int(color[i:i + 2], 16) for i in (0, 2, 4)]
    b = [int(other[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(x + (y - x) * amount):02X}" for x, y in zip(a, b, strict=True))


def half_points(pt: float) -> int:
    return round(pt * 2)


# ---------------------------------------------------------------- helpers


def fonts(name: str) -> etree._Element:
    return E("w:rFonts", {"w:ascii": name, "w:hAnsi": name, "w:cs": name, "w:eastAsia": name})


def size(pt: float) -> list[etree._Element]:
    return [val("w:sz", half_points(pt)), val("w:szCs", half_points(pt))]


def color(c: str) -> etree._Element:
    return val("w:color", c)


def spacing(before: float = 0, after: float = 0, line: float | None = None
            ) -> etree._Element:
    """Spacing in points (before/after) and a line factor."""
    attrs: dict[str, object] = {"w:before": round(before * 20), "w:after": round(after * 20)}
    if line is not None:
        attrs["w:line"] = round(240 * line)
        attrs["w:lineRule"] = "auto"
    return E("w:spacing", attrs)


def border(side: str, c: str, sz: int = 4, space: int = 1, kind: str = "single"
           ) -> etree._Element:
    return E(f"w:{side}", {"w:val": kind, "w:sz": sz, "w:space": space, "w:color": c})


def on(tag: str) -> etree._Element:
    return E(tag)


def off(tag: str) -> etree._Element:
    return val(tag, 0)


def style(kind: str, sid: str, name: str, *, based: str | None = None, nxt: str | None = None,
          link: str | None = None, ppr: list | None = None, rpr: list | None = None,
          extra: list | None = None, default: bool = False, priority: int | None = None,
          quick: bool = False, hidden_until_used: bool = False) -> etree._Element:
    attrs: dict[str, object] = {"w:type": kind, "w:styleId": sid}
    if default:
        attrs["w:default"] = 1
    kids: list[etree._Element | None] = [
        val("w:name", name),
        val("w:basedOn", based) if based else None,
        val("w:next", nxt) if nxt else None,
        val("w:link", link) if link else None,
        val("w:uiPriority", priority) if priority is not None else None,
        E("w:semiHidden") if hidden_until_used else None,
        E("w:unhideWhenUsed") if hidden_until_used else None,
        E("w:qFormat") if quick else None,
        props("w:pPr", ppr) if ppr else None,
        props("w:rPr", rpr) if rpr else None,
        *(extra or []),
    ]
    return props("w:style", kids, attrs)


# ---------------------------------------------------------------- parts


def styles_xml(look: Look) -> etree._Element:
    body, head, mono = look.fonts["body"], look.fonts["heading"], look.fonts["mono"]
    sz = look.sizes
    root = etree.Element(f"{{{W_NS}}}styles", nsmap={"w": W_NS})
    root.append(E("w:docDefaults", None,
                  # The text colour sits in the defaults, not in Normal, so that a
                  # table style's header-row colour can win over it (Word applies
                  # table styles between the defaults and paragraph styles).
                  E("w:rPrDefault", None, props("w:rPr", [
                      fonts(body), color(look.text), *size(sz["body"]),
                      E("w:lang", {"w:val": "id-ID", "w:eastAsia": "id-ID", "w:bidi": "ar-SA"}),
                  ])),
                  E("w:pPrDefault", None, props("w:pPr", [spacing(0, 0, 1.0)]))))

    heading_sizes = [sz["heading1"], sz["heading2"], sz["heading3"], sz["body"], sz["body"],
                     sz["body"]]
    heading_space = [(18, 6), (14, 4), (12, 3), (10, 2), (10, 2), (10, 2)]
    styles = [
        style("paragraph", "Normal", "Normal", default=True, quick=True, ppr=[
            E("w:widowControl"), spacing(0, look.space_after, look.line)],
            rpr=[fonts(body), *size(sz["body"])]),
        style("character", "DefaultParagraphFont", "Default Paragraph Font", default=True,
              priority=1, hidden_until_used=True),
        style("table", "TableNormal", "Normal Table", default=True, priority=99,
              hidden_until_used=True, extra=[props("w:tblPr", [
                  E("w:tblInd", {"w:w": 0, "w:type": "dxa"}),
                  E("w:tblCellMar", None,
                    E("w:top", {"w:w": 0, "w:type": "dxa"}),
                    E("w:left", {"w:w": 108, "w:type": "dxa"}),
                    E("w:bottom", {"w:w": 0, "w:type": "dxa"}),
                    E("w:right", {"w:w": 108, "w:type": "dxa"}))])]),
        style("numbering", "NoList", "No List", default=True, priority=99,
              hidden_until_used=True),
        style("paragraph", "Title", "Title", based="Normal", nxt="Normal", priority=10,
              quick=True, ppr=[
                  E("w:keepNext"),
                  props("w:pBdr", [border(s, look.accent, 4, 6) for s in
                                   ("top", "left", "bottom", "right")]) if look.title_band
                  else None,
                  E("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": look.accent})
                  if look.title_band else None,
                  spacing(0, 6, 1.0), E("w:contextualSpacing")],
              rpr=[fonts(head), on("w:b"), on("w:bCs"),
                   color(look.band_text if look.title_band else look.title),
                   val("w:kern", 28), *size(sz["title"])]),
        style("paragraph", "Subtitle", "Subtitle", based="Normal", nxt="Normal", priority=11,
              quick=True, ppr=[spacing(0, 12, 1.0)],
              rpr=[fonts(head), color(look.muted), *size(sz["subtitle"])]),
    ]
    for level in range(1, 7):
        before, after = heading_space[level - 1]
        rule = level == 1 and look.heading1_rule
        styles.append(style(
            "paragraph", f"Heading{level}", f"heading {level}", based="Normal", nxt="Normal",
            priority=9, quick=True, hidden_until_used=level > 3, ppr=[
                E("w:keepNext"), E("w:keepLines"),
                props("w:pBdr", [border("bottom", look.accent, 12, 2)]) if rule else None,
                spacing(before, after, 1.0), val("w:outlineLvl", level - 1)],
            rpr=[fonts(head), on("w:b"), on("w:bCs"), on("w:i") if level >= 5 else None,
                 color(look.heading if level <= 2 else look.text),
                 *size(heading_sizes[level - 1])]))
    styles += [
        style("paragraph", "Standfirst", "Standfirst", based="Normal", nxt="Normal", quick=True,
              ppr=[spacing(0, 10, look.line)],
              rpr=[on("w:i"), on("w:iCs"), color(look.text), *size(sz["body"] + 1.5)]),
        style("paragraph", "ArticleMeta", "Article Meta", based="Normal", nxt="Normal",
              quick=True, ppr=[
                  E("w:keepNext"),
                  # Consecutive paragraphs with the same border form one group, so the
                  # rule appears once, under the last line of the metadata block.
                  props("w:pBdr", [border("bottom", look.rule, 6, 4)]),
                  spacing(0, 0, 1.0)],
              rpr=[fonts(head), color(look.muted), *size(sz["meta"])]),
        style("character", "MetaLabel", "Meta Label", based="DefaultParagraphFont",
              rpr=[on("w:b"), on("w:bCs")]),
        style("paragraph", "Quote", "Quote", based="Normal", nxt="Normal", priority=29,
              quick=True, ppr=[
                  props("w:pBdr", [border("left", look.accent, 18, 8)]),
                  spacing(6, 6, look.line),
                  E("w:ind", {"w:left": 567, "w:right": 567})],
              rpr=[on("w:i"), on("w:iCs"), color(look.text)]),
        style("paragraph", "QuoteAttribution", "Quote Attribution", based="Quote", nxt="Normal",
              ppr=[spacing(0, 10, 1.0), val("w:jc", "right")],
              rpr=[off("w:i"), off("w:iCs"), color(look.muted), *size(sz["meta"])]),
        style("paragraph", "Picture", "Picture", based="Normal", nxt="Caption", ppr=[
            E("w:keepNext"), spacing(6, 3, 1.0), val("w:jc", "center")]),
        style("paragraph", "Caption", "caption", based="Normal", nxt="Normal", priority=35,
              quick=True, ppr=[spacing(0, 10, 1.0)],
              rpr=[fonts(head), on("w:i"), on("w:iCs"), color(look.muted), *size(sz["caption"])]),
        style("character", "CaptionCredit", "Caption Credit", based="DefaultParagraphFont",
              rpr=[off("w:i"), off("w:iCs")]),
        style("paragraph", "PhotoPlaceholder", "Photo Placeholder", based="Caption",
              nxt="Normal", ppr=[
                  props("w:pBdr", [border(s, look.muted, 4, 4, "dashed") for s in
                                   ("top", "left", "bottom", "right")]),
                  E("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": "F2F2F2"}),
                  spacing(6, 10, 1.0)],
              rpr=[off("w:i"), off("w:iCs")]),
    ]
    list_indent = 360
    for _kind, sid, name, num_id in (("bullet", "ListBullet", "List Bullet", BULLET_NUM_ID),
                                     ("number", "ListNumber", "List Number", NUMBER_NUM_ID)):
        for level in range(1, 4):
            suffix = "" if level == 1 else str(level)
            styles.append(style(
                "paragraph", f"{sid}{suffix}", f"{name}{' ' + suffix if suffix else ''}",
                based="Normal", priority=36 if level == 1 else 99, quick=level == 1,
                hidden_until_used=level > 1, ppr=[
                    E("w:numPr", None, val("w:ilvl", level - 1), val("w:numId", num_id)),
                    spacing(0, 3, look.line),
                    E("w:ind", {"w:left": list_indent * (level + 1),
                                "w:hanging": list_indent}),
                ]))
    for level in range(1, 4):
        suffix = "" if level == 1 else str(level)
        styles.append(style(
            "paragraph", f"ListContinue{suffix}", f"List Continue{' ' + suffix if suffix else ''}",
            based="Normal", priority=99, hidden_until_used=True,
            ppr=[spacing(0, 3, look.line), E("w:ind", {"w:left": list_indent * (level + 1)})]))
    styles += [
        style("character", "Hyperlink", "Hyperlink", based="DefaultParagraphFont", priority=99,
              hidden_until_used=True, rpr=[color(look.link), val("w:u", "single")]),
        style("character", "VerbatimChar", "Verbatim Char", based="DefaultParagraphFont",
              rpr=[fonts(mono), *size(sz["body"] - 1)]),
        style("paragraph", "FootnoteText", "footnote text", based="Normal",
              link="FootnoteTextChar", priority=99, hidden_until_used=True,
              ppr=[spacing(0, 2, 1.0)], rpr=[*size(sz["footnote"])]),
        style("character", "FootnoteTextChar", "Footnote Text Char",
              based="DefaultParagraphFont", link="FootnoteText", rpr=[*size(sz["footnote"])]),
        style("character", "FootnoteReference", "footnote reference",
              based="DefaultParagraphFont", priority=99, hidden_until_used=True,
              rpr=[val("w:vertAlign", "superscript")]),
        style("paragraph", "Header", "header", based="Normal", priority=99,
              hidden_until_used=True, ppr=[
                  E("w:tabs", None, E("w:tab", {"w:val": "center", "w:pos": 4680}),
                    E("w:tab", {"w:val": "right", "w:pos": 9360})),
                  spacing(0, 0, 1.0)],
              rpr=[fonts(head), color(look.muted), *size(sz["header"])]),
        style("paragraph", "Footer", "footer", based="Header", priority=99,
              hidden_until_used=True, ppr=[val("w:jc", "center")]),
        style("paragraph", "TOCHeading", "TOC Heading", based="Heading1", nxt="Normal",
              priority=39, hidden_until_used=True, quick=True,
              ppr=[val("w:outlineLvl", 9)]),
        style("paragraph", "TOC1", "toc 1", based="Normal", nxt="Normal", priority=39,
              hidden_until_used=True, ppr=[spacing(0, 4, 1.0)]),
        # LibreOffice's own names for table text, so editors there see familiar styles.
        style("paragraph", "TableContents", "Table Contents", based="Normal", quick=True,
              ppr=[spacing(0, 0, 1.0)], rpr=[*size(sz["table"])]),
        style("paragraph", "TableHeading", "Table Heading", based="TableContents",
              rpr=[on("w:b"), on("w:bCs")]),
        style("table", "PublikasiTable", "Publikasi Table", based="TableNormal", priority=40,
              ppr=[spacing(0, 0, 1.0)], rpr=[*size(sz["table"])], extra=[
                  props("w:tblPr", [
                      val("w:tblStyleRowBandSize", 1),
                      props("w:tblBorders", [border("top", look.accent, 8, 0),
                                             border("bottom", look.accent, 8, 0),
                                             border("insideH", look.rule, 4, 0)]),
                      E("w:tblCellMar", None,
                        E("w:top", {"w:w": 57, "w:type": "dxa"}),
                        E("w:left", {"w:w": 85, "w:type": "dxa"}),
                        E("w:bottom", {"w:w": 57, "w:type": "dxa"}),
                        E("w:right", {"w:w": 85, "w:type": "dxa"}))]),
                  E("w:tblStylePr", {"w:type": "firstRow"},
                    props("w:rPr", [on("w:b"), on("w:bCs"), color(look.band_text)]),
                    props("w:trPr", [E("w:tblHeader")]),
                    props("w:tcPr", [E("w:shd", {"w:val": "clear", "w:color": "auto",
                                                 "w:fill": look.accent})])),
                  E("w:tblStylePr", {"w:type": "band1Horz"},
                    props("w:tcPr", [E("w:shd", {"w:val": "clear", "w:color": "auto",
                                                 "w:fill": look.band_light})])),
              ]),
    ]
    for s in styles:
        root.append(s)
    return root


def numbering_xml() -> etree._Element:
    root = etree.Element(f"{{{W_NS}}}numbering", nsmap={"w": W_NS})
    for abstract_id, kind in ((0, "bullet"), (1, "number")):
        absn = E("w:abstractNum", {"w:abstractNumId": abstract_id},
                 val("w:multiLevelType", "hybridMultilevel"))
        for level in range(9):
            if kind == "bullet":
                fmt, text = "bullet", BULLETS[level % 3]
            else:
                fmt, pattern = NUMBER_FORMATS[level % 3]
                text = pattern.format(n=level + 1)
            absn.append(E("w:lvl", {"w:ilvl": level},
                          val("w:start", 1), val("w:numFmt", fmt), val("w:lvlText", text),
                          val("w:lvlJc", "left"),
                          props("w:pPr", [E("w:ind", {"w:left": 360 * (level + 2),
                                                      "w:hanging": 360})])))
        root.append(absn)
    root.append(E("w:num", {"w:numId": BULLET_NUM_ID}, val("w:abstractNumId", 0)))
    root.append(E("w:num", {"w:numId": NUMBER_NUM_ID}, val("w:abstractNumId", 1)))
    return root


def settings_xml() -> etree._Element:
    root = etree.Element(f"{{{W_NS}}}settings", nsmap={"w": W_NS})
    # No w:updateFields: every field result is written by the exporter, so Word
    # never asks "update the fields in this document?" when opening the file.
    for el in (
        E("w:zoom", {"w:percent": 100}),
        val("w:defaultTabStop", 720),
        val("w:characterSpacingControl", "doNotCompress"),
        E("w:footnotePr", None, E("w:footnote", {"w:id": -1}), E("w:footnote", {"w:id": 0})),
        E("w:compat", None, E("w:compatSetting", {
            "w:name": "compatibilityMode", "w:uri": "http://schemas.microsoft.com/office/word",
            "w:val": 15})),
        val("w:themeFontLang", "id-ID"),
        val("w:decimalSymbol", ","),
        val("w:listSeparator", ";"),
    ):
        root.append(el)
    return root


def font_table_xml(look: Look) -> etree._Element:
    root = etree.Element(f"{{{W_NS}}}fonts", nsmap={"w": W_NS})
    seen: set[str] = set()
    for key, family, pitch in (("body", look.fonts["body_family"], "variable"),
                               ("heading", look.fonts["heading_family"], "variable"),
                               ("mono", "modern", "fixed")):
        name = look.fonts[key]
        if name in seen:
            continue
        seen.add(name)
        root.append(E("w:font", {"w:name": name}, val("w:charset", "00"),
                      val("w:family", family), val("w:pitch", pitch)))
    return root


def footnotes_xml() -> etree._Element:
    root = etree.Element(f"{{{W_NS}}}footnotes", nsmap={"w": W_NS, "r": R_NS})
    for note_id, kind in ((-1, "separator"), (0, "continuationSeparator")):
        root.append(E("w:footnote", {"w:type": kind, "w:id": note_id},
                      paragraph(None, [run(None, (), E(f"w:{kind}"))],
                                [spacing(0, 0, 1.0)])))
    return root


def header_xml(kind: str, with_page_field: bool) -> etree._Element:
    """Placeholder header/footer; the exporter writes each document's own."""
    root = etree.Element(f"{{{W_NS}}}{'hdr' if kind == 'header' else 'ftr'}",
                         nsmap={"w": W_NS, "r": R_NS})
    style_id = "Header" if kind == "header" else "Footer"
    kids = []
    if with_page_field:
        kids = [run("Halaman "), *field("PAGE", "1"), run(" dari "), *field("NUMPAGES", "1")]
    root.append(paragraph(style_id, kids))
    return root


def section_xml(look: Look) -> etree._Element:
    w, h = A4_MM
    m = look.margins
    return props("w:sectPr", [
        E("w:headerReference", {"w:type": "default", "r:id": "rId6"}),
        E("w:headerReference", {"w:type": "first", "r:id": "rId7"}),
        E("w:footerReference", {"w:type": "default", "r:id": "rId8"}),
        E("w:footerReference", {"w:type": "first", "r:id": "rId9"}),
        E("w:pgSz", {"w:w": mm_to_twips(w), "w:h": mm_to_twips(h)}),
        E("w:pgMar", {"w:top": mm_to_twips(m["top"]), "w:right": mm_to_twips(m["right"]),
                      "w:bottom": mm_to_twips(m["bottom"]), "w:left": mm_to_twips(m["left"]),
                      "w:header": mm_to_twips(look.header_mm),
                      "w:footer": mm_to_twips(look.footer_mm), "w:gutter": 0}),
        E("w:cols", {"w:space": 720}),
        E("w:docGrid", {"w:linePitch": 360}),
    ])


def document_xml(look: Look) -> etree._Element:
    root = etree.Element(f"{{{W_NS}}}document", nsmap={"w": W_NS, "r": R_NS})
    # One empty paragraph (Word wants one) and the section: no body text.
    root.append(E("w:body", None, paragraph(None, []), section_xml(look)))
    return root


def _xml(el: etree._Element) -> bytes:
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8", standalone=True)


def _plain_xml(text: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text).encode()


def content_types_xml() -> bytes:
    overrides = [
        ("/word/document.xml", f"{WML_CT}.document.main+xml"),
        ("/word/styles.xml", f"{WML_CT}.styles+xml"),
        ("/word/settings.xml", f"{WML_CT}.settings+xml"),
        ("/word/numbering.xml", f"{WML_CT}.numbering+xml"),
        ("/word/fontTable.xml", f"{WML_CT}.fontTable+xml"),
        ("/word/footnotes.xml", f"{WML_CT}.footnotes+xml"),
        ("/word/header1.xml", f"{WML_CT}.header+xml"),
        ("/word/header2.xml", f"{WML_CT}.header+xml"),
        ("/word/footer1.xml", f"{WML_CT}.footer+xml"),
        ("/word/footer2.xml", f"{WML_CT}.footer+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", f"{OFFICE_CT}.extended-properties+xml"),
        ("/docProps/custom.xml", f"{OFFICE_CT}.custom-properties+xml"),
    ]
    # lxml-stubs type nsmap keys as str, but None names the default namespace.
    root = etree.Element(f"{{{CT_NS}}}Types", nsmap={None: CT_NS})  # type: ignore[dict-item]
    for ext, ct in (("rels", "application/vnd.openxmlformats-package.relationships+xml"),
                    ("xml", "application/xml"), ("jpeg", "image/jpeg"), ("png", "image/png")):
        etree.SubElement(root, f"{{{CT_NS}}}Default", Extension=ext, ContentType=ct)
    for name, ct in overrides:
        etree.SubElement(root, f"{{{CT_NS}}}Override", PartName=name, ContentType=ct)
    return _xml(root)


def rels_xml(rels: list[tuple[str, str, str]]) -> bytes:
    root = etree.Element(f"{{{REL_NS}}}Relationships",
                         nsmap={None: REL_NS})  # type: ignore[dict-item]  # as above
    for rid, rtype, target in rels:
        etree.SubElement(root, f"{{{REL_NS}}}Relationship", Id=rid, Type=rtype, Target=target)
    return _xml(root)


def core_xml(look: Look) -> bytes:
    return _plain_xml(
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>publikasi reference document ({look.theme_name})</dc:title>"
        "<dc:creator>publikasi</dc:creator><cp:lastModifiedBy>publikasi</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision><dc:language>id-ID</dc:language>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2025-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2025-01-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>")


def app_xml(look: Look) -> bytes:
    return _plain_xml(
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'docPropsVTypes"><Template>publikasi-{look.theme_name}</Template>'
        "<Application>publikasi</Application><DocSecurity>0</DocSecurity></Properties>")


def custom_xml() -> bytes:
    return _plain_xml(
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"/>')


def build_reference(theme: Theme) -> bytes:
    """The reference document of ``theme`` as bytes (deterministic)."""
    look = Look(theme)
    parts: list[tuple[str, bytes]] = [
        ("[Content_Types].xml", content_types_xml()),
        ("_rels/.rels", rels_xml([
            ("rId1", f"{OFFICE_RT}/officeDocument", "word/document.xml"),
            ("rId2", CORE_RT, "docProps/core.xml"),
            ("rId3", f"{OFFICE_RT}/extended-properties", "docProps/app.xml"),
            ("rId4", f"{OFFICE_RT}/custom-properties", "docProps/custom.xml"),
        ])),
        ("docProps/app.xml", app_xml(look)),
        ("docProps/core.xml", core_xml(look)),
        ("docProps/custom.xml", custom_xml()),
        ("word/_rels/document.xml.rels",
         rels_xml([(rid, f"{OFFICE_RT}/{kind}", target) for rid, kind, target in DOC_RELS])),
        ("word/document.xml", _xml(document_xml(look))),
        ("word/fontTable.xml", _xml(font_table_xml(look))),
        ("word/footer1.xml", _xml(header_xml("footer", True))),
        ("word/footer2.xml", _xml(header_xml("footer", True))),
        ("word/footnotes.xml", _xml(footnotes_xml())),
        ("word/header1.xml", _xml(header_xml("header", False))),
        ("word/header2.xml", _xml(header_xml("header", False))),
        ("word/numbering.xml", _xml(numbering_xml())),
        ("word/settings.xml", _xml(settings_xml())),
        ("word/styles.xml", _xml(styles_xml(look))),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=6)
    return buf.getvalue()


def write_reference(spec: str) -> Path:
    """Build the reference of theme ``spec`` into its folder's ``docx/reference.docx``."""
    theme = load_theme(spec)
    target = theme.chain[0] / "docx" / "reference.docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build_reference(theme))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m publikasi.exporters.docx.make_reference",
        description="Write THEME/docx/reference.docx from the theme's docx/settings.toml.",
        epilog="example: python -m publikasi.exporters.docx.make_reference default buletin")
    parser.add_argument("themes", nargs="*", help="built-in theme names or theme folders "
                        "(default: every built-in theme)")
    args = parser.parse_args(argv)
    specs: list[Any] = args.themes or [name for name, _ in available_themes()]
    for spec in specs:
        target = write_reference(str(spec))
        try:
            shown = target.relative_to(builtin_themes_dir().parent)
        except ValueError:
            shown = target
        print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
