"""Small builders for WordprocessingML elements that python-docx has no API for.

Word is strict about the order of children in property elements (``w:pPr``,
``w:rPr``, ``w:sectPr`` ...): a property out of schema order can make Word
report "unreadable content".  :func:`props` therefore sorts children by the
sequence of ECMA-376 Part 1 (transitional schema) before attaching them.

Elements are created with python-docx's own parser so that they mix freely
with the trees python-docx loaded.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

from docx.oxml.parser import oxml_parser
from lxml import etree

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "xml": "http://www.w3.org/XML/1998/namespace",
}

# Child order of the property containers (ECMA-376 Part 1, CT_PPrBase, CT_RPr ...).
PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange"
]
RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
    "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
    "oMath"
]
SECTPR_ORDER = [
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
    "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
    "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings"
]
TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
    "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
    "tblLook", "tblCaption", "tblDescription"
]
TRPR_ORDER = [
    "cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
    "tblHeader", "tblCellSpacing", "jc", "hidden"
]
TCPR_ORDER = [
    "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
    "textDirection", "tcFitText", "vAlign", "hideMark"
]
BORDER_ORDER = [
    "top", "left", "start", "bottom", "right", "end", "insideH", "insideV", "between", "bar",
    "tl2br", "tr2bl"
]
STYLE_ORDER = [
    "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
    "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
    "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr"
]
ORDERS = {"pPr": PPR_ORDER, "rPr": RPR_ORDER, "sectPr": SECTPR_ORDER, "tblPr": TBLPR_ORDER,
          "trPr": TRPR_ORDER, "tcPr": TCPR_ORDER, "pBdr": BORDER_ORDER,
          "tblBorders": BORDER_ORDER, "tcBorders": BORDER_ORDER, "style": STYLE_ORDER}

EMU_PER_MM = 36000
TWIPS_PER_MM = 1440 / 25.4


# Names are looked up tens of thousands of times per build: both maps fill once.
_CLARK: dict[str, str] = {}
_LOCAL: dict[str, str] = {}
# Per container: child local name -> its place in schema order.
_PLACES = {name: {child: i for i, child in reversed(list(enumerate(order)))}
           for name, order in ORDERS.items()}


def qn(tag: str) -> str:
    """``"w:p"`` -> Clark notation ``"{uri}p"``."""
    clark = _CLARK.get(tag)
    if clark is None:
        prefix, _, local = tag.partition(":")
        clark = _CLARK[tag] = f"{{{NS[prefix]}}}{local}"
    return clark


def local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # a comment or processing instruction
        return etree.QName(el).localname
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = etree.QName(tag).localname
    return name


def _schema_order(container: str, kids: list[etree._Element]) -> None:
    """Sort ``kids`` (stable) into the schema order of ``container``; unknown names last."""
    places = _PLACES[container]
    last = len(ORDERS[container])
    kids.sort(key=lambda c: places.get(local(c), last))


def E(tag: str, attrs: dict[str, object] | None = None, *children: etree._Element | None,
      text: str | None = None) -> etree._Element:
    """Make ``tag`` (``"w:p"``) with ``{"w:val": ...}`` attributes and children.

    ``None`` children and attribute values are skipped, so optional parts can
    be written inline.
    """
    if attrs:
        el = oxml_parser.makeelement(qn(tag), {
            qn(key) if ":" in key else key: str(value)
            for key, value in attrs.items() if value is not None})
    else:
        el = oxml_parser.makeelement(qn(tag))
    for child in children:
        if child is not None:
            el.append(child)
    if text is not None:
        el.text = text
    return el


def val(tag: str, value: object) -> etree._Element:
    """``<tag w:val="value"/>``."""
    return E(tag, {"w:val": value})


def props(tag: str, children: Iterable[etree._Element | None],
          attrs: dict[str, object] | None = None) -> etree._Element:
    """A property container with its children in schema order (None skipped)."""
    kids = [c for c in children if c is not None]
    _schema_order(tag.split(":")[1], kids)
    return E(tag, attrs, *kids)


def sort_children(el: etree._Element) -> None:
    """Re-sort an existing property container after an edit (stable for equal names)."""
    kids = list(el)
    _schema_order(local(el), kids)
    for kid in kids:
        el.append(kid)


def set_prop(container: etree._Element, child: etree._Element) -> None:
    """Replace (or add) one property child, keeping schema order."""
    for old in container.findall(child.tag):
        container.remove(old)
    container.append(child)
    sort_children(container)


# ---------------------------------------------------------------- runs


def t(text: str) -> etree._Element:
    el = E("w:t", text=text)
    if text != text.strip() or "  " in text:
        el.set(qn("xml:space"), "preserve")
    return el


def run(text: str | None = None, rpr: Sequence[etree._Element] = (),
        *extra: etree._Element) -> etree._Element:
    """A ``w:r`` with optional properties, text and other run content.

    Made in place (``SubElement``): a run is the commonest element of a
    file, and an element made apart and appended is moved between documents.
    """
    r = oxml_parser.makeelement(qn("w:r"))
    if rpr:
        container = etree.SubElement(r, qn("w:rPr"))
        kids = list(rpr)
        _schema_order("rPr", kids)
        for kid in kids:
            if len(kid):
                container.append(copy.deepcopy(kid))
            else:
                etree.SubElement(container, kid.tag).attrib.update(kid.attrib)
    if text:
        # Each newline inside text becomes a w:br, as Word would store it.
        for i, piece in enumerate(text.split("\n")):
            if i:
                etree.SubElement(r, qn("w:br"))
            if piece:
                el = etree.SubElement(r, qn("w:t"))
                el.text = piece
                if piece != piece.strip() or "  " in piece:
                    el.set(qn("xml:space"), "preserve")
    for x in extra:
        r.append(x)
    return r


def copy_element(el: etree._Element) -> etree._Element:
    """A deep copy of ``el`` made by python-docx's parser (so it has its element classes)."""
    if len(el):
        return copy.deepcopy(el)  # stays in a document of el's parser
    return oxml_parser.makeelement(el.tag, attrib=el.attrib)


def field(instr: str, result: str, rpr: Sequence[etree._Element] = ()) -> list[etree._Element]:
    """A complex field with its result already computed (so nothing needs updating)."""
    return [
        run(None, rpr, E("w:fldChar", {"w:fldCharType": "begin"})),
        run(None, rpr, E("w:instrText", {"xml:space": "preserve"}, text=f" {instr} ")),
        run(None, rpr, E("w:fldChar", {"w:fldCharType": "separate"})),
        run(result, rpr),
        run(None, rpr, E("w:fldChar", {"w:fldCharType": "end"})),
    ]


def paragraph(style: str | None, children: Iterable[etree._Element],
              ppr: Sequence[etree._Element | None] = ()) -> etree._Element:
    p = E("w:p")
    pp = [val("w:pStyle", style) if style else None, *ppr]
    if any(x is not None for x in pp):
        p.append(props("w:pPr", pp))
    for child in children:
        p.append(child)
    return p


def lang(tag: str) -> etree._Element:
    return E("w:lang", {"w:val": tag})


def mm_to_twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def twips_to_emu(twips: int) -> int:
    return twips * 635
