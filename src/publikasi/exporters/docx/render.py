"""Model -> WordprocessingML on top of a theme's reference document.

:class:`DocxBuilder` opens the reference document with python-docx, empties
its body and appends the content as raw OOXML, because the features editors
need most have no python-docx API: hyperlinks, footnotes, fields (SEQ
captions, PAGE/NUMPAGES), repeating table headers, restartable numbering.
Every field result is computed here, so Word never needs to update fields.

Styles are found by their *names* (``heading 1``, ``caption`` ...), not by
their ids: a reference document saved by a localised Word keeps the English
built-in names but may translate the ids.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from babel.core import get_global
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.opc.pkgwriter import PackageWriter
from docx.oxml.parser import parse_xml
from lxml import etree

from ...errors import fail
from ...repro import normalize_zip, packed_members
from ...model import (
    Article,
    Block,
    Code,
    Emph,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    plain_text,
    query,
)
from ...text import CREDIT_SEPARATOR
from ...links import link_target
from ...urls import encode_href
from .ooxml import (E, copy_element, mm_to_twips, paragraph, props, qn, run, set_prop,
                    twips_to_emu, val)
from .. import ExportContext
from .settings import DocxLayout
from .zipping import zip_docx
from .ooxml import field as fld
from .ooxml import lang as lang_el

# Style names the exporter needs, by role.  Word's built-in styles keep these
# (lower-case) names in every UI language.
STYLE_NAMES = {
    "normal": "Normal", "title": "Title", "subtitle": "Subtitle", "quote": "Quote",
    "caption": "caption", "hyperlink": "Hyperlink", "footnote_text": "footnote text",
    "footnote_ref": "footnote reference", "header": "header", "footer": "footer",
    "toc_heading": "TOC Heading", "toc1": "toc 1", "meta": "Article Meta",
    "meta_label": "Meta Label", "standfirst": "Standfirst", "picture": "Picture",
    "credit": "Caption Credit", "placeholder": "Photo Placeholder",
    "attribution": "Quote Attribution", "code": "Verbatim Char", "table": "Publikasi Table",
    "table_text": "Table Contents", "table_heading": "Table Heading",
    **{f"h{n}": f"heading {n}" for n in range(1, 7)},
    **{f"bullet{n}": f"List Bullet{'' if n == 1 else f' {n}'}" for n in (1, 2, 3)},
    **{f"number{n}": f"List Number{'' if n == 1 else f' {n}'}" for n in (1, 2, 3)},
    **{f"continue{n}": f"List Continue{'' if n == 1 else f' {n}'}" for n in (1, 2, 3)},
}
PAGE_MARK, TOTAL_MARK = "\ue000", "\ue001"
PICTURE_URI = "http://schemas.openxmlformats.org/drawingml/2006/picture"


def seq_name(label: str, fallback: str) -> str:
    """The SEQ field's identifier for a caption label.

    Word names the sequence after the label it inserts ("SEQ Gambar" in an
    Indonesian Word, "SEQ Figure" in an English one), so a caption an editor
    adds continues our numbering only when the names match.  An identifier
    is one word of letters, digits and underscores.
    """
    name = "".join(ch for ch in label if ch.isalnum() or ch == "_")
    return name if name and name[0].isalpha() else fallback


@functools.cache  # a handful of tags per build, asked for by every paragraph's context
def word_language(tag: str) -> str:
    """BCP 47 ``id``/``en``/``pt-BR`` -> the region-qualified tag Word's proofing wants."""
    tag = (tag or "id").replace("_", "-")
    parts = tag.split("-")
    language = parts[0].lower()
    regions = [p for p in parts[1:] if len(p) == 2 or (len(p) == 3 and p.isdigit())]
    if regions:
        return f"{language}-{regions[0].upper()}"
    likely = get_global("likely_subtags").get(language, "")
    region = likely.split("_")[-1] if likely.count("_") >= 1 else ""
    if len(region) == 2:
        return f"{language}-{region}"
    return language


@dataclass(frozen=True)
class Fmt:
    """Inline formatting carried down while flattening inlines into runs."""

    bold: bool = False
    italic: bool = False
    code: bool = False
    link: str | None = None
    title: str = ""


@dataclass
class Where:
    """Where blocks are being written: the part (for relationships) and style overrides."""

    part: Part
    lang: str | None  # w:lang for runs, or None when the document default applies
    article: Article | None = None
    para_style: str = "normal"
    heading_offset: int = 0
    in_note: bool = False
    labels_lang: str = "id"


@dataclass
class Geometry:
    text_width: int  # twips
    text_height: int


@dataclass
class Counters:
    figure: int = 0
    table: int = 0
    footnote: int = 0
    bookmark: int = 0
    bookmarks: set[str] = field(default_factory=set)


@dataclass
class _Template:
    """A reference document parsed and sanitised once per process; never written to."""

    doc: Any  # python-docx Document
    styles: dict[str, str]  # role -> style id


# Reference document bytes -> its template (so an edited theme file is a new key).
_TEMPLATES: dict[bytes, _Template] = {}


class DocxBuilder:
    """One Word document: open the reference, add content, finish, get bytes."""

    def __init__(self, reference: Path, ctx: ExportContext, images, *, language: str,
                 base_url: str = "", settings: DocxLayout | None = None,
                 release_base: Path | None = None) -> None:
        self.reference = reference
        self.ctx = ctx
        self.theme = ctx.theme
        self.images = images
        self.language = language  # BCP 47 of the document (labels, default w:lang)
        self.word_lang = word_language(language)
        self.base_url = base_url
        self.release_base = release_base  # picture names are relative to it
        self.settings = settings or DocxLayout()
        data = reference.read_bytes()
        template = _TEMPLATES.get(data)
        if template is None:
            template = self._open_reference(data)
            if len(_TEMPLATES) >= 8:  # themes of one process: a handful at most
                _TEMPLATES.clear()
            _TEMPLATES[data] = template
        # Every file gets its own copy of the parsed and prepared reference: a
        # deep copy costs a fraction of unzipping and parsing it again.
        self.styles = template.styles
        self._bind(copy.deepcopy(template.doc))
        self.footnotes_part = self._related(RT.FOOTNOTES, "word/footnotes.xml")
        self.footnotes = parse_xml(self.footnotes_part.blob)
        self._notes_appended: dict[int, set[str]] = {}  # per article: notes only notes cite
        self.numbering = self.part.numbering_part.element
        self.counters = Counters()
        self.geometry = self._page_setup()
        self.content: list[etree._Element] = []
        self._set_document_language()

    # ------------------------------------------------------------ setup

    def _bind(self, doc: Any) -> None:
        self.doc = doc
        self.part = doc.part
        self.package = self.part.package
        self.body = doc.element.body
        self.sect = self.body.find(qn("w:sectPr"))

    def _open_reference(self, data: bytes) -> _Template:
        """Parse the reference and do what is the same for every file made from it."""
        try:
            doc = Document(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - any failure means a broken reference
            raise fail(self.reference, f"not a usable Word reference document ({exc})") from None
        self._bind(doc)
        self.styles = self._style_ids()
        if self.sect is None:
            raise fail(self.reference, "reference document has no section properties (w:sectPr)")
        for child in list(self.body):
            if child is not self.sect:
                self.body.remove(child)  # the reference's own (empty) body text
        self._sanitize()
        return _Template(doc, self.styles)

    def _style_ids(self) -> dict[str, str]:
        by_name: dict[str, str | None] = {}
        for el in self.doc.styles.element.findall(qn("w:style")):
            name = el.find(qn("w:name"))
            if name is not None:
                by_name[name.get(qn("w:val"), "").lower()] = el.get(qn("w:styleId"))
        ids: dict[str, str] = {}
        missing = []
        for role, name in STYLE_NAMES.items():
            sid = by_name.get(name.lower())
            if sid is None:
                missing.append(name)
            else:
                ids[role] = sid
        if missing:
            raise fail(self.reference, "reference document lacks the style(s) "
                       + ", ".join(repr(m) for m in missing)
                       + "; regenerate it with python -m publikasi.exporters.docx.make_reference")
        return ids

    def _sanitize(self) -> None:
        """Drop what a reference saved by Word would otherwise pass on to every file."""
        package_rels = self.package.rels
        for rid, rel in list(package_rels.items()):
            if rel.reltype == RT.THUMBNAIL:  # a preview of the reference, not of the article
                del package_rels[rid]
        settings = self.doc.settings.element
        # updateFields would make Word ask to update fields; attachedTemplate names a
        # file on the reference author's disk.
        for tag in ("w:updateFields", "w:attachedTemplate"):
            for el in settings.findall(qn(tag)):
                settings.remove(el)
        section = self.doc.sections[0]
        for hf in (section.header, section.footer, section.first_page_header,
                   section.first_page_footer):
            if hf.is_linked_to_previous:
                hf.is_linked_to_previous = False  # adds the part python-docx can make

    def _related(self, reltype: str, what: str) -> Part:
        try:
            return self.part.part_related_by(reltype)
        except KeyError:
            raise fail(self.reference, f"reference document has no {what} "
                       "(python-docx cannot create it; use make_reference)") from None

    def _page_setup(self) -> Geometry:
        width_mm, height_mm = self.theme.paper_mm
        w, h = mm_to_twips(width_mm), mm_to_twips(height_mm)
        set_prop(self.sect, E("w:pgSz", {"w:w": w, "w:h": h}))
        mar = self.sect.find(qn("w:pgMar"))
        if mar is None:
            mar = E("w:pgMar", {"w:top": 1418, "w:right": 1247, "w:bottom": 1247,
                                "w:left": 1418, "w:header": 680, "w:footer": 680, "w:gutter": 0})
            set_prop(self.sect, mar)

        def m(side: str) -> int:
            return int(mar.get(qn(f"w:{side}"), "1418"))

        return Geometry(w - m("left") - m("right"), h - m("top") - m("bottom"))

    def _set_document_language(self) -> None:
        """The document's default language (spell checker) in docDefaults and settings."""
        styles = self.doc.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        if defaults is None:
            defaults = E("w:docDefaults")
            styles.insert(0, defaults)
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is None:
            rpr_default = E("w:rPrDefault")
            defaults.insert(0, rpr_default)
        rpr = rpr_default.find(qn("w:rPr"))
        if rpr is None:
            rpr = E("w:rPr")
            rpr_default.append(rpr)
        old = rpr.find(qn("w:lang"))
        attrs = dict(old.attrib) if old is not None else {}
        attrs[qn("w:val")] = self.word_lang
        new = E("w:lang")
        for k, v in attrs.items():
            new.set(k, v)
        set_prop(rpr, new)
        settings = self.doc.settings.element
        tfl = settings.find(qn("w:themeFontLang"))
        if tfl is not None:
            tfl.set(qn("w:val"), self.word_lang)

    def where(self, article: Article | None = None, **kw) -> Where:
        art_lang = word_language(article.language) if article else self.word_lang
        return Where(part=self.part, lang=None if art_lang == self.word_lang else art_lang,
                     article=article,
                     labels_lang=article.language if article else self.language, **kw)

    def sid(self, role: str) -> str:
        return self.styles[role]

    def pstyle(self, role: str) -> str | None:
        """A paragraph's style id; None for Normal (Word leaves the default unnamed)."""
        return None if role == "normal" else self.styles[role]

    def seq(self, key: str) -> str:
        """The SEQ identifier for ``key`` captions: one sequence per document, named
        after the document language's label (an English article inside an
        Indonesian edition still counts on in the "Gambar" sequence)."""
        return seq_name(self.label(key, self.language), key.capitalize())

    def label(self, key: str, language: str, **values: object) -> str:
        return self.ctx.label(key, language, **values)

    def add(self, elements: Iterable[etree._Element]) -> None:
        self.content.extend(elements)

    # ------------------------------------------------------------ inlines

    def _flatten(self, inlines: Iterable[Inline], fmt: Fmt) -> Iterator[tuple[str, object, Fmt]]:
        for node in inlines:
            if isinstance(node, Text):
                yield "text", node.text, fmt
            elif isinstance(node, Code):
                yield "text", node.text, replace(fmt, code=True)
            elif isinstance(node, Emph):
                yield from self._flatten(node.children, replace(fmt, italic=not fmt.italic))
            elif isinstance(node, Strong):
                yield from self._flatten(node.children, replace(fmt, bold=True))
            elif isinstance(node, Link):
                # An address with a broken host keeps its text but is no link;
                # Word wants relationship targets that are valid URIs.
                url = node.url if node.url.startswith("#") else encode_href(node.url)
                yield from self._flatten(node.children, replace(fmt, link=url or None,
                                                                title=node.title))
            elif isinstance(node, LineBreak):
                yield "br", None, fmt
            elif isinstance(node, FootnoteRef):
                yield "fn", node.label, replace(fmt, link=None)
            else:
                raise TypeError(type(node).__name__)

    def rpr(self, fmt: Fmt, where: Where, style: str | None = None) -> list[etree._Element]:
        out: list[etree._Element] = []
        if style:
            out.append(val("w:rStyle", self.sid(style)))
        elif fmt.link:
            out.append(val("w:rStyle", self.sid("hyperlink")))
        elif fmt.code:
            out.append(val("w:rStyle", self.sid("code")))
        if fmt.bold:
            out += [E("w:b"), E("w:bCs")]
        if fmt.italic:
            out += [E("w:i"), E("w:iCs")]
        if where.lang:
            out.append(lang_el(where.lang))
        return out

    def inlines(self, inlines: Iterable[Inline], where: Where, base: Fmt = Fmt()
                ) -> list[etree._Element]:
        """Runs and hyperlinks for a sequence of inlines."""
        out: list[etree._Element] = []
        link_el: etree._Element | None = None
        link_url: str | None = None
        for kind, value, fmt in self._flatten(inlines, base):
            if kind == "fn":
                link_el = link_url = None
                out.append(self._footnote_ref(str(value), where))
                continue
            if fmt.link:
                if fmt.link != link_url or link_el is None:
                    link_el = self.hyperlink(fmt.link, where, fmt.title)
                    link_url = fmt.link
                    out.append(link_el)
                target_el = link_el
            else:
                link_el = link_url = None
                target_el = None
            if kind == "br":
                r = run(None, self.rpr(fmt, where), E("w:br"))
            else:
                r = run(str(value), self.rpr(fmt, where))
            if target_el is not None:
                target_el.append(r)
            else:
                out.append(r)
        return out

    def hyperlink(self, url: str, where: Where, title: str = "") -> etree._Element:
        """An empty ``w:hyperlink`` (external relationship, or an anchor for ``#name``)."""
        url = link_target(url, self.ctx.links, self.base_url)
        tip = title[:255] if title else None
        if url.startswith("#") and len(url) > 1:
            return E("w:hyperlink", {"w:anchor": url[1:], "w:tooltip": tip, "w:history": 1})
        rid = where.part.relate_to(url, RT.HYPERLINK, is_external=True)
        return E("w:hyperlink", {"r:id": rid, "w:tooltip": tip, "w:history": 1})

    def _notes_cited_by_note(self, note: Footnote, where: Where, inner: Where,
                             rpr: list[etree._Element]) -> list[etree._Element]:
        """Notes that only other notes cite (`[^a]: lihat[^b]`), appended to the citing one.

        Word footnotes cannot hold footnotes, so inside a note a reference stays
        as text ("[3]"); the note it names follows as "[3] text" in the same
        footnote, or its text would be lost when no body paragraph cites it.
        """
        article = where.article
        if article is None:
            return []
        in_body = {ref.label for ref in query(article.blocks, FootnoteRef)}
        done = self._notes_appended.setdefault(id(article), set())
        out: list[etree._Element] = []
        for label in dict.fromkeys(ref.label for ref in query(note.blocks, FootnoteRef)):
            cited = _find_note(article, label)
            if cited is None or label in in_body or label in done or cited is note:
                continue
            done.add(label)
            paras = self.blocks(cited.blocks, inner) or [paragraph(self.sid("footnote_text"), [])]
            first = paras[0]
            if first.tag == qn("w:p"):
                ppr = first.find(qn("w:pPr"))
                first.insert(1 if ppr is not None else 0, run(f"[{label}] ", rpr))
            out.extend(paras)
            out.extend(self._notes_cited_by_note(cited, where, inner, rpr))
        return out

    def _footnote_ref(self, label: str, where: Where) -> etree._Element:
        """A real Word footnote: the note goes to footnotes.xml, the reference stays here."""
        note = _find_note(where.article, label) if where.article else None
        rpr = [val("w:rStyle", self.sid("footnote_ref"))]
        if note is None or where.in_note:
            # A reference without a note (or inside a note) stays visible as text.
            return run(f"[{label}]", rpr)
        self.counters.footnote += 1
        note_id = self.counters.footnote
        inner = Where(part=self.footnotes_part, lang=where.lang, article=where.article,
                      para_style="footnote_text", in_note=True, labels_lang=where.labels_lang)
        paras = self.blocks(note.blocks, inner) or [paragraph(self.sid("footnote_text"), [])]
        mark = run(None, rpr, E("w:footnoteRef"))
        first = paras[0]
        if first.tag == qn("w:p"):
            ppr = first.find(qn("w:pPr"))
            index = 1 if ppr is not None else 0
            first.insert(index, mark)
            first.insert(index + 1, run(" "))
        else:
            paras.insert(0, paragraph(self.sid("footnote_text"), [mark]))
        paras.extend(self._notes_cited_by_note(note, where, inner, rpr))
        self.footnotes.append(E("w:footnote", {"w:id": note_id}, *paras))
        return run(None, rpr, E("w:footnoteReference", {"w:id": note_id}))

    # ------------------------------------------------------------ blocks

    def blocks(self, blocks: Iterable[Block], where: Where, list_level: int = 0
               ) -> list[etree._Element]:
        out: list[etree._Element] = []
        for block in blocks:
            out.extend(self.block(block, where, list_level))
        return out

    def block(self, block: Block, where: Where, list_level: int = 0) -> list[etree._Element]:
        if isinstance(block, Paragraph):
            if not block.inlines:
                return []
            return [paragraph(self.pstyle(where.para_style), self.inlines(block.inlines, where),
                              self._para_lang(where))]
        if isinstance(block, Heading):
            if where.in_note:
                return [paragraph(self.pstyle(where.para_style),
                                  self.inlines(block.inlines, where, Fmt(bold=True)))]
            level = min(block.level + where.heading_offset, 6)
            return [paragraph(self.sid(f"h{level}"), self.inlines(block.inlines, where),
                              self._para_lang(where))]
        if isinstance(block, Quote):
            inner = replace(where, para_style="quote" if not where.in_note else where.para_style)
            out = self.blocks(block.blocks, inner, list_level)
            if block.attribution:
                out.append(paragraph(self.sid("attribution"),
                                     [run(f"\u2014 {block.attribution}",
                                          self.rpr(Fmt(), where))], self._para_lang(where)))
            return out
        if isinstance(block, Figure):
            return self.figure(block, where)
        if isinstance(block, ListBlock):
            return self.list_block(block, where, list_level + 1)
        if isinstance(block, Table):
            return self.table(block, where)
        raise TypeError(type(block).__name__)

    def _para_lang(self, where: Where) -> list[etree._Element]:
        """The paragraph mark's language, so an empty line keeps the article's dictionary."""
        return [props("w:rPr", [lang_el(where.lang)])] if where.lang else []

    # lists ----------------------------------------------------------

    def _new_num(self, style_role: str, level: int, start: int) -> int:
        """A numbering instance that restarts at ``start`` (one per ordered list)."""
        style_el = self.doc.styles.element.find(
            f"{qn('w:style')}[@{qn('w:styleId')}='{self.sid(style_role)}']")
        num_id = None
        if style_el is not None:
            num_el = style_el.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
            if num_el is not None:
                num_id = num_el.get(qn("w:val"))
        abstract = None
        for num in self.numbering.findall(qn("w:num")):
            if num.get(qn("w:numId")) == num_id:
                abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        if abstract is None:
            raise fail(self.reference, f"style {STYLE_NAMES[style_role]!r} has no numbering")
        used = [int(n.get(qn("w:numId"))) for n in self.numbering.findall(qn("w:num"))]
        new_id = max(used) + 1
        num = E("w:num", {"w:numId": new_id}, val("w:abstractNumId", abstract))
        for lvl in range(9):
            num.append(E("w:lvlOverride", {"w:ilvl": lvl},
                         val("w:startOverride", start if lvl == level else 1)))
        # w:num elements follow the abstractNums and precede Word's numIdMacAtCleanup.
        self.numbering.findall(qn("w:num"))[-1].addnext(num)
        return new_id

    def list_block(self, block: ListBlock, where: Where, level: int) -> list[etree._Element]:
        out: list[etree._Element] = []
        depth = min(level, 3)
        role = f"{'number' if block.ordered else 'bullet'}{depth}"
        ilvl = min(level - 1, 8)
        num_pr = None
        if block.ordered:
            num_pr = E("w:numPr", None, val("w:ilvl", ilvl),
                       val("w:numId", self._new_num(role, ilvl, block.start)))
        elif level > 3:
            num_pr = E("w:numPr", None, val("w:ilvl", ilvl),
                       val("w:numId", self._style_num_id(role)))
        for item in block.items:
            rest = list(item)
            first = rest[0] if rest else None
            first_inlines: tuple[Inline, ...] = ()
            if isinstance(first, Paragraph):
                rest.pop(0)
                first_inlines = first.inlines
            ppr = [copy_element(num_pr) if num_pr is not None else None, *self._para_lang(where)]
            out.append(paragraph(self.sid(role), self.inlines(first_inlines, where), ppr))
            cont = replace(where, para_style=f"continue{depth}")
            for sub in rest:
                if isinstance(sub, ListBlock):
                    out.extend(self.list_block(sub, where, level + 1))
                else:
                    out.extend(self.block(sub, cont, level))
        return out

    def _style_num_id(self, role: str) -> int:
        style_el = self.doc.styles.element.find(
            f"{qn('w:style')}[@{qn('w:styleId')}='{self.sid(role)}']")
        num_el = style_el.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}") \
            if style_el is not None else None
        return int(num_el.get(qn("w:val"))) if num_el is not None else 1

    # figures --------------------------------------------------------

    def figure(self, fig: Figure, where: Where, *, logo_width_mm: float | None = None,
               max_height: float | None = None) -> list[etree._Element]:
        lang = where.labels_lang
        if fig.src is None or where.in_note:
            # A photo named only by its caption (pasted releases): a visible
            # placeholder tells the editor a picture belongs here.
            text = " ".join(x for x in (self.label("photo_placeholder", lang), fig.caption) if x)
            if fig.credit:
                text += f" \u2014 {fig.credit}"
            return [paragraph(self.sid("placeholder"), [run(text, self.rpr(Fmt(), where))],
                              self._para_lang(where))]
        prepared = self.images.prepare(fig.src, "screen")
        if logo_width_mm is not None:
            cx = twips_to_emu(mm_to_twips(logo_width_mm))
            cy = round(cx * prepared.aspect)
        else:
            cx, cy = self._fit(prepared.width, prepared.height, max_height)
        image_part = self.package.get_or_add_image_part(io.BytesIO(prepared.data))
        rid = where.part.relate_to(image_part, RT.IMAGE)
        descr = fig.alt or fig.caption or self.label("photo", lang)
        name = self._src_name(fig.src)
        pic_par = paragraph(self.sid("picture"), [run(None, (), E(
            "w:drawing", None, _inline(rid, cx, cy, name, descr, prepared.name)))],
            [val("w:jc", "left")] if logo_width_mm is not None else [])
        out = [pic_par]
        if logo_width_mm is None and (fig.caption or fig.credit):
            out.append(self.caption(fig, where))
        return out

    def _fit(self, width_px: int, height_px: int, ratio: float | None = None
             ) -> tuple[int, int]:
        """EMU size filling the text block's width, no taller than the theme allows."""
        max_w = twips_to_emu(self.geometry.text_width)
        if ratio is None:
            ratio = self.settings.picture_max_height
        max_h = twips_to_emu(round(self.geometry.text_height * ratio))
        cx = max_w
        cy = round(cx * height_px / width_px)
        if cy > max_h:
            cy = max_h
            cx = round(cy * width_px / height_px)
        return cx, cy

    def _src_name(self, src: Path) -> str:
        if self.release_base is not None:
            try:
                return src.relative_to(self.release_base).as_posix()
            except ValueError:
                pass
        return src.name

    def caption(self, fig: Figure, where: Where) -> etree._Element:
        """``Gambar 1: caption Foto: credit`` with a SEQ field holding the computed number."""
        self.counters.figure += 1
        lang = where.labels_lang
        base = self.rpr(Fmt(), where)
        kids = [run(f"{self.label('figure', lang)} ", base),
                *fld(f"SEQ {self.seq('figure')} \\* ARABIC", str(self.counters.figure), base)]
        # Separate runs (separator, caption, credit in its own character style) so
        # that an import can tell the parts apart after an editor's changes.
        kids.append(run(": ", base))
        if fig.caption:
            kids.append(run(fig.caption, base))
        if fig.credit:
            if fig.caption:
                kids.append(run(CREDIT_SEPARATOR, base))
            kids.append(run(f"{self.label('photo', lang)}: {fig.credit}",
                            self.rpr(Fmt(), where, style="credit")))
        return paragraph(self.sid("caption"), kids, self._para_lang(where))

    # tables ---------------------------------------------------------

    def table(self, table: Table, where: Where) -> list[etree._Element]:
        out: list[etree._Element] = []
        lang = where.labels_lang
        cols = max(table.columns, 1)
        if table.caption:
            self.counters.table += 1
            base = self.rpr(Fmt(), where)
            out.append(paragraph(self.sid("caption"), [
                run(f"{self.label('table', lang)} ", base),
                *fld(f"SEQ {self.seq('table')} \\* ARABIC", str(self.counters.table), base),
                run(": ", base), run(table.caption, base)],
            [E("w:keepNext"), *self._para_lang(where)]))
        widths = self._column_widths(table, cols)
        tbl = E("w:tbl", None, props("w:tblPr", [
            val("w:tblStyle", self.sid("table")),
            E("w:tblW", {"w:w": 5000, "w:type": "pct"}),
            E("w:tblLook", {"w:val": "04A0", "w:firstRow": 1 if table.header else 0,
                            "w:lastRow": 0, "w:firstColumn": 0, "w:lastColumn": 0,
                            "w:noHBand": 0, "w:noVBand": 1}),
            E("w:tblCaption", {"w:val": table.caption[:255]}) if table.caption else None,
        ]))
        tbl.append(E("w:tblGrid", None, *[E("w:gridCol", {"w:w": w}) for w in widths]))
        align = list(table.align) + [None] * (cols - len(table.align))
        rows: list[tuple[tuple, bool]] = []
        if table.header:
            rows.append((table.header, True))
        rows += [(r, False) for r in table.rows]
        for cells, is_header in rows:
            tr = E("w:tr")
            # The header row repeats on every page the table runs over.
            tr.append(props("w:trPr", [E("w:cantSplit"),
                                       E("w:tblHeader") if is_header else None]))
            for i in range(cols):
                cell = cells[i] if i < len(cells) else ()
                jc = {"left": "left", "center": "center", "right": "right"}.get(align[i] or "")
                style = self.sid("table_heading" if is_header else "table_text")
                ppr = [val("w:jc", jc) if jc else None, *self._para_lang(where)]
                tr.append(E("w:tc", None,
                            props("w:tcPr", [E("w:tcW", {"w:w": widths[i], "w:type": "dxa"})]),
                            paragraph(style, self.inlines(cell, where), ppr)))
            tbl.append(tr)
        out.append(tbl)
        # Word needs a paragraph between two tables (and after a table that ends a
        # note); a small empty one also keeps the next paragraph off the table's rule.
        out.append(paragraph(self.pstyle(where.para_style), [], [
            spacing_zero(), props("w:rPr", [val("w:sz", 12), val("w:szCs", 12)])]))
        return out

    def _column_widths(self, table: Table, cols: int) -> list[int]:
        """Column widths (twips) the way browsers auto-size tables.

        Each column wants its longest line and needs at least its longest word;
        the text block's width is shared accordingly.  LibreOffice lays a table
        out by its grid, so equal columns would squeeze a column of dates next to
        a roomy one of short numbers.
        """
        per_char, padding = 130, 240  # 10 pt text, bold or a wide fallback font, + margins
        want, need = [], []
        for i in range(cols):
            texts = [plain_text(row[i]) for row in [table.header, *table.rows] if i < len(row)]
            longest = max((len(t) for t in texts), default=1)
            word = max((len(w) for t in texts for w in t.split()), default=1)
            want.append(max(longest, 1) * per_char + padding)
            need.append(max(word, 1) * per_char + padding)
        total = self.geometry.text_width
        # One monster word must not starve the other columns: it wraps anyway.
        floor = min(total // cols, 6 * per_char + padding)
        need = [min(max(n, floor), max(total // 2, floor)) for n in need]
        want = [max(min(w, total), n) for w, n in zip(want, need, strict=True)]
        if sum(want) <= total:
            widths = [w + (total - sum(want)) * w // sum(want) for w in want]
        elif sum(need) <= total:
            spare = total - sum(need)
            extra = [w - n for w, n in zip(want, need, strict=True)]
            widths = [n + spare * e // max(sum(extra), 1) for n, e in zip(need, extra, strict=True)]
        else:
            widths = [total * n // sum(need) for n in need]
        widths[-1] += total - sum(widths)
        return widths

    # ------------------------------------------------------------ document parts

    def bookmark(self, name_hint: str) -> tuple[etree._Element, etree._Element, str]:
        base = "".join(c if c.isalnum() else "_" for c in name_hint)[:34] or "artikel"
        if not base[0].isalpha():
            base = "a" + base
        name = base
        n = 1
        while name in self.counters.bookmarks:
            n += 1
            name = f"{base[:34]}_{n}"
        self.counters.bookmarks.add(name)
        self.counters.bookmark += 1
        bid = self.counters.bookmark
        return (E("w:bookmarkStart", {"w:id": bid, "w:name": name}),
                E("w:bookmarkEnd", {"w:id": bid}), name)

    def header_footer(self, header_text: str, *, first_page_plain: bool) -> None:
        """Running header and ``Halaman X dari Y`` footer with PAGE/NUMPAGES fields."""
        rels = {}
        for ref in list(self.sect):
            if ref.tag in (qn("w:headerReference"), qn("w:footerReference")):
                rels[(ref.tag == qn("w:headerReference"), ref.get(qn("w:type")))] = \
                    ref.get(qn("r:id"))
        right_tab = E("w:tabs", None, E("w:tab", {"w:val": "clear", "w:pos": 4680}),
                      E("w:tab", {"w:val": "clear", "w:pos": 9360}),
                      E("w:tab", {"w:val": "right", "w:pos": self.geometry.text_width}))
        label = self.label("page_of", self.language, n=PAGE_MARK, total=TOTAL_MARK)
        footer_runs: list[etree._Element] = []
        rest = label
        if PAGE_MARK not in label:
            rest = f"{label} {PAGE_MARK}"
        while rest:
            cut = min((rest.find(m) for m in (PAGE_MARK, TOTAL_MARK) if m in rest), default=-1)
            if cut < 0:
                footer_runs.append(run(rest))
                break
            if cut:
                footer_runs.append(run(rest[:cut]))
            mark = rest[cut]
            # The cached result is only a placeholder: Word and LibreOffice
            # recompute PAGE/NUMPAGES while laying out every page.
            footer_runs.extend(fld("PAGE" if mark == PAGE_MARK else "NUMPAGES", "1"))
            rest = rest[cut + 1:]

        def fill(is_header: bool, kind: str, content: list[etree._Element]) -> None:
            rid = rels.get((is_header, kind))
            if rid is None:
                return
            root = self.part.related_parts[rid].element
            for child in list(root):
                root.remove(child)
            for el in content:
                root.append(el)

        header = [paragraph(self.sid("header"), [run(header_text)], [right_tab])]
        footer = [paragraph(self.sid("footer"), footer_runs)]
        fill(True, "default", header)
        fill(False, "default", footer)
        fill(True, "first", [paragraph(self.sid("header"), [])] if first_page_plain
             else [copy_element(e) for e in header])
        fill(False, "first", [copy_element(e) for e in footer])
        title_pg = self.sect.find(qn("w:titlePg"))
        if first_page_plain and title_pg is None:
            set_prop(self.sect, E("w:titlePg"))
        elif not first_page_plain and title_pg is not None:
            self.sect.remove(title_pg)

    def finish_body(self) -> None:
        for el in self.content:
            self.sect.addprevious(el)
        self.content = []
        self._renumber_pictures()

    def _renumber_pictures(self) -> None:
        """Picture ids unique across the whole package, not only per part."""
        roots = [self.doc.element]
        for ref in self.sect:
            if ref.tag in (qn("w:headerReference"), qn("w:footerReference")):
                roots.append(self.part.related_parts[ref.get(qn("r:id"))].element)
        roots.append(self.footnotes)
        n = 0
        for root in roots:
            for docpr in root.iter(qn("wp:docPr")):
                n += 1
                docpr.set("id", str(n))
        self.footnotes_part._blob = etree.tostring(  # generic Part: the blob is its content
            self.footnotes, xml_declaration=True, encoding="UTF-8", standalone=True)

    def save(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()

    def zipped(self, when: dt.datetime) -> bytes:
        """The Word file, reproducible (:func:`~publikasi.repro.normalize_zip`).

        python-docx compresses the package and the normalising step would
        unpack and compress it again (a third of a one-article file's time);
        the members are taken from python-docx's own package writer instead.
        """
        members = package_members(self.doc)
        if members is None:
            saved = self.save()
            names = zipfile.ZipFile(io.BytesIO(saved)).namelist()
            return normalize_zip(saved, when, first=CONTENT_TYPES, stored=packed_members(names))
        return zip_docx(members, when, CONTENT_TYPES)


CONTENT_TYPES = ("[Content_Types].xml",)


class _MemberCollector:
    """Takes the place of python-docx's zip writer: keeps each member's bytes."""

    def __init__(self) -> None:
        self.members: dict[str, bytes] = {}

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.members[pack_uri.membername] = blob


def package_members(doc: Any) -> dict[str, bytes] | None:
    """Zip member name -> bytes of ``doc`` as ``Document.save`` writes them;
    None when this python-docx's package writer is not the one known here."""
    writer: Any = PackageWriter  # its steps take any object with write(pack_uri, blob)
    steps = ("_write_content_types_stream", "_write_pkg_rels", "_write_parts")
    if not all(hasattr(writer, step) for step in steps):
        return None
    package = doc.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    out = _MemberCollector()
    writer._write_content_types_stream(out, parts)
    writer._write_pkg_rels(out, package.rels)
    writer._write_parts(out, parts)
    return out.members


def spacing_zero() -> etree._Element:
    return E("w:spacing", {"w:before": 0, "w:after": 0})


def _find_note(article: Article, label: str) -> Footnote | None:
    for note in article.footnotes:
        if note.label == label:
            return note
    return None


def _inline(rid: str, cx: int, cy: int, name: str, descr: str, filename: str
            ) -> etree._Element:
    """A ``wp:inline`` picture; ``docPr/@id`` is set later, across the package."""
    return E("wp:inline", {"distT": 0, "distB": 0, "distL": 0, "distR": 0},
             E("wp:extent", {"cx": cx, "cy": cy}),
             E("wp:effectExtent", {"l": 0, "t": 0, "r": 0, "b": 0}),
             E("wp:docPr", {"id": 0, "name": name, "descr": descr}),
             E("wp:cNvGraphicFramePr", None, E("a:graphicFrameLocks", {"noChangeAspect": 1})),
             E("a:graphic", None, E("a:graphicData", {"uri": PICTURE_URI}, E(
                 "pic:pic", None,
                 E("pic:nvPicPr", None, E("pic:cNvPr", {"id": 0, "name": filename,
                                                        "descr": descr}),
                   E("pic:cNvPicPr")),
                 E("pic:blipFill", None, E("a:blip", {"r:embed": rid}),
                   E("a:stretch", None, E("a:fillRect"))),
                 E("pic:spPr", None,
                   E("a:xfrm", None, E("a:off", {"x": 0, "y": 0}),
                     E("a:ext", {"cx": cx, "cy": cy})),
                   E("a:prstGeom", {"prst": "rect"}, E("a:avLst")))))))
