"""WordprocessingML body -> a flat list of paragraphs and tables with their meaning.

The walker reads what an editor's Word (or LibreOffice) wrote: paragraphs
with a *role* taken from their style's name (through ``basedOn``, so a
renamed copy of "Heading 2" is still a heading), runs flattened into
*pieces* (text, line break, footnote reference, picture) each carrying the
formatting the model knows (bold, italic, code, link), complex and simple
fields (HYPERLINK becomes a link, SEQ marks a caption number; a link whose
scheme may not be published, such as ``javascript:``, keeps only its text),
content
controls, smart tags and ``mc:AlternateContent``.

Direct formatting the model has no place for (colour, size, font,
underline, highlight, strike-through, capitals, super/subscript, hidden
text) is counted in :attr:`Walker.dropped` so the import report can say what
was left behind.  :func:`build_inlines` turns pieces back into nested model
inlines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree

from ..model import Code, Emph, FootnoteRef, Inline, LineBreak, Link, Strong, Text
from ..urls import is_safe_link
from .package import NS, DocxPackage, Rel, on, qn, w, wval

# Style names (lower case, as Word stores built-in names in every UI language)
# -> (role, level).
_PARA_ROLES: dict[str, tuple[str, int]] = {
    "title": ("title", 0), "subtitle": ("subtitle", 0),
    "quote": ("quote", 0), "intense quote": ("quote", 0), "block text": ("quote", 0),
    "quotations": ("quote", 0),  # LibreOffice's name
    "quote attribution": ("attribution", 0),
    "caption": ("caption", 0), "photo placeholder": ("placeholder", 0),
    "picture": ("picture", 0), "figure": ("picture", 0),
    "article meta": ("meta", 0), "standfirst": ("standfirst", 0),
    "list paragraph": ("listpara", 0),
    "table heading": ("tableheading", 0), "table contents": ("normal", 0),
    "footnote text": ("normal", 0), "endnote text": ("normal", 0),
    "toc heading": ("toc", 0), "contents heading": ("toc", 0),
    "normal": ("normal", 0), "body text": ("normal", 0), "text body": ("normal", 0),
    "first paragraph": ("normal", 0),
}
_NUMBERED_STYLE = re.compile(r"^(heading|list bullet|list number|list continue|toc|contents)"
                             r"\s*(\d)?$")
_CHAR_ROLES = {
    "caption credit": "credit", "meta label": "meta_label", "hyperlink": "hyperlink",
    "verbatim char": "code", "html code": "code", "source code": "code",
    "source text": "code", "footnote reference": "fnref", "endnote reference": "fnref",
    "footnote characters": "fnref", "endnote characters": "fnref",
    "strong": "strong", "strong emphasis": "strong", "emphasis": "emph",
}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp")


@dataclass(frozen=True)
class Fmt:
    """What a piece of text means: the model's inline formatting plus its character style."""

    bold: bool = False
    italic: bool = False
    code: bool = False
    link: tuple[str, str] | None = None  # (url, tooltip)
    cstyle: str = ""  # role of the character style: credit, meta_label, fnref ...


@dataclass
class Picture:
    """A picture found in a run."""

    target: str  # part name of the image inside the package
    name: str  # wp:docPr/@name: publikasi writes the source path here
    descr: str  # alt text
    inner_name: str  # pic:cNvPr/@name: publikasi writes img-<sha256-16>.<ext> here


@dataclass
class Piece:
    kind: str  # text, br, fn, pic, mark
    # By kind: text -> str, br -> None, fn -> (note kind, id), pic -> Picture,
    # mark -> (mark kind, field instruction).
    value: Any
    fmt: Fmt = Fmt()


@dataclass
class Para:
    el: etree._Element
    role: str
    level: int
    style: str  # style name (lower case), for messages
    pieces: list[Piece]
    num: tuple[str, int] | None = None  # (numId, ilvl) of a numbered/bulleted paragraph
    num_direct: bool = False  # numPr on the paragraph itself, not from its style
    jc: str | None = None

    @property
    def text(self) -> str:
        return "".join(str(p.value) for p in self.pieces if p.kind == "text")

    @property
    def pictures(self) -> list[Picture]:
        return [p.value for p in self.pieces if p.kind == "pic"]

    def has_content(self) -> bool:
        return bool(self.text.strip()) or any(p.kind in ("pic", "fn") for p in self.pieces)


@dataclass
class Cell:
    paras: list[Para]
    span: int = 1
    merged: bool = False  # continuation of a vertical merge: shown empty


@dataclass
class TableItem:
    el: etree._Element
    rows: list[list[Cell]]
    header_rows: int


Item = Para | TableItem


@dataclass
class _Field:
    instr: str = ""
    result: bool = False
    link: tuple[str, str] | None = None
    seq: bool = False


@dataclass
class Walker:
    """Reads paragraphs and tables of one story (body or notes) of a package."""

    pkg: DocxPackage
    rels: dict[str, Rel]
    dropped: Counter = field(default_factory=Counter)
    dropped_text: list[str] = field(default_factory=list)
    unsafe_links: list[str] = field(default_factory=list)  # dropped targets (javascript: ...)
    _fields: list[_Field] = field(default_factory=list)
    _in_table: int = 0
    _role_cache: dict[str | None, tuple[str, int]] = field(default_factory=dict)
    _char_cache: dict[str, tuple[str, bool | None, bool | None]] = field(default_factory=dict)

    # ------------------------------------------------------------ styles

    def para_role(self, sid: str | None) -> tuple[str, int, str]:
        """(role, level, style name) of a paragraph style id."""
        if sid is None:
            sid = self.pkg.default_paragraph_style()
        chain = self.pkg.style_chain(sid)
        name = chain[0].name if chain else (sid or "normal").lower()
        if sid not in self._role_cache:
            self._role_cache[sid] = self._resolve_role(chain, sid)
        role, level = self._role_cache[sid]
        return role, level, name

    def _resolve_role(self, chain, sid: str | None) -> tuple[str, int]:
        names = [s.name for s in chain] or [(sid or "normal").lower()]
        for name in names:
            if name in _PARA_ROLES:
                return _PARA_ROLES[name]
            m = _NUMBERED_STYLE.match(name)
            if m:
                kind, n = m.group(1), int(m.group(2) or 1)
                role = {"heading": "heading", "list bullet": "bullet",
                        "list number": "number", "list continue": "continue",
                        "toc": "toc", "contents": "toc"}[kind]
                return role, n
        for style in chain:  # a custom style with an outline level is a heading
            lvl = wval(style.ppr.find(w("outlineLvl"))) if style.ppr is not None else None
            if lvl is not None and lvl.isdigit() and int(lvl) < 9:
                return "heading", int(lvl) + 1
        return "normal", 0

    def char_role(self, sid: str) -> tuple[str, bool | None, bool | None]:
        """(role, bold, italic) of a character style id."""
        if sid not in self._char_cache:
            chain = self.pkg.style_chain(sid)
            role = ""
            bold = italic = None
            for style in chain:
                role = role or _CHAR_ROLES.get(style.name, "")
                if style.rpr is not None:
                    if bold is None:
                        bold = on(style.rpr.find(w("b")))
                    if italic is None:
                        italic = on(style.rpr.find(w("i")))
            if not chain:
                role = _CHAR_ROLES.get(sid.lower(), "")
            if role == "strong":
                bold = True if bold is None else bold
            if role == "emph":
                italic = True if italic is None else italic
            self._char_cache[sid] = (role, bold, italic)
        return self._char_cache[sid]

    # ------------------------------------------------------------ blocks

    def items(self, container: etree._Element) -> list[Item]:
        """Paragraphs and tables of a body, note, cell or content control, in order."""
        out: list[Item] = []
        for child in container:
            tag = child.tag
            if tag == w("p"):
                out.append(self.paragraph(child))
            elif tag == w("tbl"):
                out.append(self.table(child))
            elif tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    out.extend(self.items(content))
            elif tag in (w("customXml"), w("ins"), w("moveTo")):
                out.extend(self.items(child))
            elif tag == qn("mc:AlternateContent"):
                branch = child.find(qn("mc:Choice"))
                if branch is None:
                    branch = child.find(qn("mc:Fallback"))
                if branch is not None:
                    out.extend(self.items(branch))
            elif tag == w("altChunk"):
                self.dropped["an embedded HTML/RTF chunk (altChunk)"] += 1
        return out

    def paragraph(self, p: etree._Element) -> Para:
        ppr = p.find(w("pPr"))
        sid = wval(ppr.find(w("pStyle"))) if ppr is not None else None
        role, level, name = self.para_role(sid)
        num = None
        jc = None
        direct = False
        if ppr is not None:
            num_pr = ppr.find(w("numPr"))
            if num_pr is not None:
                num_id = wval(num_pr.find(w("numId")))
                ilvl = wval(num_pr.find(w("ilvl")))
                if num_id and num_id != "0":
                    num = (num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0)
                    direct = True
                elif num_id == "0":
                    direct = True  # numbering switched off on this paragraph
            jc = wval(ppr.find(w("jc")))
        if num is None and not direct and role in ("normal", "listpara", "bullet", "number"):
            num = self._style_num(sid)
        self._fields = []
        pieces: list[Piece] = []
        self.inline(p, Fmt(), pieces)
        self._fields = []
        return Para(el=p, role=role, level=level, style=name, pieces=pieces, num=num,
                    num_direct=direct and num is not None, jc=jc)

    def _style_num(self, sid: str | None) -> tuple[str, int] | None:
        for style in self.pkg.style_chain(sid):
            if style.ppr is None:
                continue
            num_pr = style.ppr.find(w("numPr"))
            if num_pr is not None:
                num_id = wval(num_pr.find(w("numId")))
                ilvl = wval(num_pr.find(w("ilvl")))
                if num_id and num_id != "0":
                    return num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0
        return None

    def table(self, tbl: etree._Element) -> TableItem:
        rows: list[list[Cell]] = []
        header_rows = 0
        counting_header = True
        for tr in tbl.findall(w("tr")):
            trpr = tr.find(w("trPr"))
            is_header = trpr is not None and on(trpr.find(w("tblHeader"))) is True
            cells: list[Cell] = []
            for tc in _cells(tr):
                tcpr = tc.find(w("tcPr"))
                span = 1
                merged = False
                if tcpr is not None:
                    gs = wval(tcpr.find(w("gridSpan")))
                    span = int(gs) if gs and gs.isdigit() and 0 < int(gs) < 64 else 1
                    vm = tcpr.find(w("vMerge"))
                    merged = vm is not None and (wval(vm) or "continue") == "continue"
                paras: list[Para] = []
                self._in_table += 1
                try:
                    cell_items = self.items(tc)
                finally:
                    self._in_table -= 1
                for item in cell_items:
                    if isinstance(item, Para):
                        paras.append(item)
                    else:  # a table inside a cell: its text, row by row
                        self.dropped["a table inside a table cell (kept as text)"] += 1
                        for row in item.rows:
                            for cell in row:
                                paras.extend(cell.paras)
                cells.append(Cell(paras, span, merged))
            if counting_header and (is_header or (cells and all(
                    c.paras and all(p.role == "tableheading" for p in c.paras if p.has_content())
                    and any(p.has_content() for p in c.paras) for c in cells))):
                header_rows += 1
            else:
                counting_header = False
            rows.append(cells)
        return TableItem(tbl, rows, min(header_rows, 1))

    # ------------------------------------------------------------ inlines

    def inline(self, el: etree._Element, fmt: Fmt, out: list[Piece]) -> None:
        for child in el:
            tag = child.tag
            if tag == w("r"):
                self.run(child, fmt, out)
            elif tag == w("hyperlink"):
                self.inline(child, replace(fmt, link=self._hyperlink(child) or fmt.link), out)
            elif tag == w("fldSimple"):
                frame = _Field(instr=child.get(w("instr"), ""), result=True)
                self._start_result(frame, out)
                self._fields.append(frame)
                self.inline(child, fmt, out)
                self._fields.pop()
                if frame.seq:
                    out.append(Piece("mark", ("seq_end", ""), fmt))
            elif tag in (w("smartTag"), w("customXml"), w("dir"), w("bdo"), w("ins"),
                         w("moveTo")):
                self.inline(child, fmt, out)
            elif tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    self.inline(content, fmt, out)
            elif tag == qn("mc:AlternateContent"):
                branch = child.find(qn("mc:Choice"))
                if branch is None:
                    branch = child.find(qn("mc:Fallback"))
                if branch is not None:
                    self.inline(branch, fmt, out)
            elif tag == w("subDoc"):
                self.dropped["a linked sub-document"] += 1
            # w:pPr, bookmarks, proofErr, comment ranges, w:del/w:moveFrom: nothing to read

    def _hyperlink(self, el: etree._Element) -> tuple[str, str] | None:
        rid = el.get(qn("r:id"))
        anchor = el.get(w("anchor"))
        title = el.get(w("tooltip"), "") or ""
        url = None
        if rid and rid in self.rels:
            url = self.rels[rid].target
            if anchor:
                url = f"{url}#{anchor}"
        elif anchor:
            url = f"#{anchor}"
        return self._safe((url, title)) if url else None

    def _safe(self, link: tuple[str, str] | None) -> tuple[str, str] | None:
        """``link`` unless its scheme may not be published (javascript:, data:, file: ...)."""
        if link is None or is_safe_link(link[0]):
            return link
        self.unsafe_links.append(link[0])
        return None

    def _start_result(self, frame: _Field, out: list[Piece]) -> None:
        instr = frame.instr.strip()
        word = instr.split(None, 1)[0].upper() if instr else ""
        if word == "HYPERLINK":
            frame.link = self._safe(_hyperlink_field(instr))
        elif word == "SEQ":
            frame.seq = True
            out.append(Piece("mark", ("seq_start", instr)))

    def _field_link(self) -> tuple[str, str] | None:
        for frame in reversed(self._fields):
            if frame.result and frame.link:
                return frame.link
        return None

    def _in_instruction(self) -> bool:
        return any(not f.result for f in self._fields)

    def run_fmt(self, r: etree._Element, fmt: Fmt) -> tuple[Fmt, bool]:
        """Formatting of a run; (fmt, hidden).  Meaningless direct formatting is counted."""
        rpr = r.find(w("rPr"))
        bold, italic, code, cstyle = fmt.bold, fmt.italic, fmt.code, ""
        if rpr is None:
            return Fmt(bold, italic, code, fmt.link, cstyle), False
        sid = wval(rpr.find(w("rStyle")))
        if sid:
            role, sbold, sitalic = self.char_role(sid)
            cstyle = role
            if role == "code":
                code = True
            if sbold is not None:
                bold = sbold
            if sitalic is not None:
                italic = sitalic
        b, i = on(rpr.find(w("b"))), on(rpr.find(w("i")))
        if b is not None:
            bold = b
        if i is not None:
            italic = i
        in_link = fmt.link is not None or cstyle == "hyperlink"
        # Only formatting on visible text counts; inside tables the table style's
        # colours and shading are often copied onto runs (LibreOffice does).
        visible = any((t.text or "").strip() for t in r.findall(w("t")))
        for child in rpr if visible and not self._in_table else ():
            local = etree.QName(child).localname
            value = child.get(w("val"))
            if local == "color" and value and value.lower() not in ("auto", "000000") \
                    and not in_link:
                self.dropped["colour"] += 1
            elif local == "sz" and cstyle not in ("fnref",):
                self.dropped["font size"] += 1
            elif local == "rFonts" and any(child.get(w(a)) for a in ("ascii", "hAnsi")):
                self.dropped["font"] += 1
            elif local == "u" and (value or "single") != "none" and not in_link:
                self.dropped["underline"] += 1
            elif local == "highlight" and value and value != "none":
                self.dropped["highlight"] += 1
            elif local in ("strike", "dstrike") and on(child):
                self.dropped["strike-through"] += 1
            elif local in ("caps", "smallCaps") and on(child):
                self.dropped["capitals"] += 1
            elif local == "vertAlign" and value in ("superscript", "subscript") \
                    and cstyle != "fnref":
                self.dropped[value] += 1
            elif local == "shd" and (child.get(w("fill")) or "auto").lower() not in (
                    "auto", "ffffff"):
                self.dropped["shading"] += 1
        hidden = on(rpr.find(w("vanish"))) is True
        return Fmt(bold, italic, code, fmt.link, cstyle), hidden

    def run(self, r: etree._Element, base: Fmt, out: list[Piece]) -> None:
        fmt, hidden = self.run_fmt(r, base)
        link = self._field_link()
        if link and fmt.link is None:
            fmt = replace(fmt, link=link)
        for child in r:
            tag = child.tag
            if tag == w("fldChar"):
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    self._fields.append(_Field())
                elif kind == "separate" and self._fields:
                    self._fields[-1].result = True
                    self._start_result(self._fields[-1], out)
                elif kind == "end" and self._fields:
                    frame = self._fields.pop()
                    if frame.seq:
                        out.append(Piece("mark", ("seq_end", "")))
                link = self._field_link()
                fmt = replace(fmt, link=base.link or link)
                continue
            if tag == w("instrText"):
                if self._fields and not self._fields[-1].result:
                    self._fields[-1].instr += child.text or ""
                continue
            if self._in_instruction():
                continue
            if hidden and tag in (w("t"), w("tab")):
                self.dropped["hidden text"] += 1
                if child.text:
                    self.dropped_text.append(child.text)
                continue
            if tag == w("t"):
                if child.text:
                    out.append(Piece("text", child.text, fmt))
            elif tag in (w("tab"), w("ptab")):
                out.append(Piece("text", " ", fmt))
            elif tag == w("br"):
                kind = child.get(w("type"), "textWrapping")
                if kind == "textWrapping":
                    out.append(Piece("br", None, fmt))
                else:
                    self.dropped["page or column break"] += 1
            elif tag == w("cr"):
                out.append(Piece("br", None, fmt))
            elif tag == w("noBreakHyphen"):
                out.append(Piece("text", "-", fmt))
            elif tag == w("sym"):
                code = child.get(w("char"), "")
                try:
                    char = chr(int(code, 16))
                except ValueError:
                    char = ""
                if char and not 0xF000 <= ord(char) <= 0xF0FF:
                    out.append(Piece("text", char, fmt))
                else:
                    self.dropped["symbol-font character"] += 1
            elif tag == w("footnoteReference"):
                out.append(Piece("fn", ("foot", child.get(w("id"), "")), replace(fmt, link=None)))
            elif tag == w("endnoteReference"):
                out.append(Piece("fn", ("end", child.get(w("id"), "")), replace(fmt, link=None)))
            elif tag == w("drawing"):
                self.drawing(child, fmt, out)
            elif tag == w("pict"):
                self.vml(child, fmt, out)
            elif tag == qn("mc:AlternateContent"):
                branch = child.find(qn("mc:Choice"))
                if branch is None or next(branch.iter(w("drawing")), None) is None:
                    branch = child.find(qn("mc:Fallback"))
                if branch is not None:
                    fake = etree.Element(w("r"))
                    for node in branch:
                        fake.append(_clone(node))
                    self.run(fake, base, out)
            elif tag == w("object"):
                self.dropped["an embedded object (OLE)"] += 1
            # rPr, footnoteRef, commentReference, lastRenderedPageBreak ...: not content

    def drawing(self, el: etree._Element, fmt: Fmt, out: list[Piece]) -> None:
        holder = el.find(qn("wp:inline"))
        if holder is None:
            holder = el.find(qn("wp:anchor"))
        if holder is None:
            return
        docpr = holder.find(qn("wp:docPr"))
        name = docpr.get("name", "") if docpr is not None else ""
        descr = docpr.get("descr", "") if docpr is not None else ""
        if not descr and docpr is not None:
            descr = docpr.get("title", "") or ""
        pic = next(holder.iter(qn("pic:pic")), None)
        blip = next(holder.iter(qn("a:blip")), None)
        if pic is None or blip is None:
            texts = [t.text or "" for t in holder.iter(w("t"))]
            if texts:
                self.dropped["a text box"] += 1
                self.dropped_text.append("".join(texts))
            else:
                self.dropped["a drawing, chart or shape"] += 1
            return
        rid = blip.get(qn("r:embed"))
        if not rid or rid not in self.rels or self.rels[rid].external:
            self.dropped["a linked (not embedded) picture"] += 1
            return
        cnv = pic.find(f"{qn('pic:nvPicPr')}/{qn('pic:cNvPr')}")
        inner = cnv.get("name", "") if cnv is not None else ""
        out.append(Piece("pic", Picture(self.rels[rid].target, name, descr, inner), fmt))

    def vml(self, el: etree._Element, fmt: Fmt, out: list[Piece]) -> None:
        data = next(el.iter(qn("v:imagedata")), None)
        if data is None:
            texts = [t.text or "" for t in el.iter(w("t"))]
            if texts:
                self.dropped["a text box"] += 1
                self.dropped_text.append("".join(texts))
            return
        rid = data.get(qn("r:id"))
        if not rid or rid not in self.rels or self.rels[rid].external:
            self.dropped["a linked (not embedded) picture"] += 1
            return
        shape = data.getparent()
        descr = shape.get("alt", "") if shape is not None else ""
        out.append(Piece("pic", Picture(self.rels[rid].target, "", descr, ""), fmt))


def _clone(node: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(node))


def _cells(tr: etree._Element):
    for child in tr:
        if child.tag == w("tc"):
            yield child
        elif child.tag in (w("sdt"), w("customXml")):
            content = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if content is not None:
                yield from (c for c in content if c.tag == w("tc"))


_QUOTED = re.compile(r'"([^"]*)"|(\S+)')


def _hyperlink_field(instr: str) -> tuple[str, str] | None:
    """``HYPERLINK "url" \\l "anchor" \\o "tip"`` -> (url, tip)."""
    tokens = [a if a else b for a, b in _QUOTED.findall(instr)][1:]
    url = anchor = tip = ""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.lower() == "\\l" and i + 1 < len(tokens):
            anchor = tokens[i + 1]
            i += 2
        elif tok.lower() == "\\o" and i + 1 < len(tokens):
            tip = tokens[i + 1]
            i += 2
        elif tok.startswith("\\"):
            i += 1
        else:
            url = url or tok
            i += 1
    if anchor:
        url = f"{url}#{anchor}"
    return (url, tip) if url else None


# ---------------------------------------------------------------- pieces -> inlines

# When two formats start together and end together, which one is the outer
# node: CommonMark reads ``***x***`` as emphasis around strong, and
# ``**[x](u)**`` is the usual way to bold a link.
_ORDER = ("emph", "strong", "link")


def _attrs(fmt: Fmt) -> set:
    out: set = set()
    if fmt.italic:
        out.add(("emph",))
    if fmt.bold:
        out.add(("strong",))
    if fmt.link:
        out.add(("link", fmt.link))
    return out


def build_inlines(pieces: list[Piece], footnote_label=None) -> tuple[Inline, ...]:
    """Flat pieces -> nested model inlines (Strong/Emph/Link around Text/Code/...).

    At each position the format that lasts longest becomes the outer node, so
    ``bold [bold+italic] bold`` is ``Strong(Text, Emph(Text), Text)``.
    ``footnote_label(ref)`` maps a footnote reference to its label, or None
    to leave it out.
    """
    usable = [p for p in pieces if p.kind in ("text", "br", "fn")]
    return tuple(_nest(usable, frozenset(), footnote_label))


def _nest(pieces: list[Piece], active: frozenset, footnote_label) -> list[Inline]:
    out: list[Inline] = []
    i = 0
    while i < len(pieces):
        extra = _attrs(pieces[i].fmt) - active
        if not extra:
            j = i
            while j < len(pieces) and not (_attrs(pieces[j].fmt) - active):
                j += 1
            out.extend(_leaves(pieces[i:j], footnote_label))
            i = j
            continue
        best = None
        best_len = -1
        for attr in sorted(extra, key=lambda a: _ORDER.index(a[0])):
            j = i
            while j < len(pieces) and attr in _attrs(pieces[j].fmt):
                j += 1
            if j - i > best_len:
                best, best_len = attr, j - i
        assert best is not None
        inner = _nest(pieces[i:i + best_len], active | {best}, footnote_label)
        if best[0] == "emph":
            out.append(Emph(tuple(inner)))
        elif best[0] == "strong":
            out.append(Strong(tuple(inner)))
        else:
            url, title = best[1]
            out.append(Link(url, tuple(inner), title))
        i += best_len
    return _merge_text(out)


def _leaves(pieces: list[Piece], footnote_label) -> list[Inline]:
    out: list[Inline] = []
    for p in pieces:
        if p.kind == "text":
            if p.fmt.code:
                if out and isinstance(out[-1], Code):
                    out[-1] = Code(out[-1].text + str(p.value))
                else:
                    out.append(Code(str(p.value)))
            else:
                out.append(Text(str(p.value)))
        elif p.kind == "br":
            out.append(LineBreak())
        elif p.kind == "fn":
            label = footnote_label(p.value) if footnote_label else None
            if label:
                out.append(FootnoteRef(label))
    return out


def _merge_text(nodes: list[Inline]) -> list[Inline]:
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        elif isinstance(node, Text) and not node.text:
            continue
        else:
            out.append(node)
    return out


__all__ = [
    "NS",
    "Cell",
    "Fmt",
    "Item",
    "Para",
    "Picture",
    "Piece",
    "TableItem",
    "Walker",
    "build_inlines",
]
