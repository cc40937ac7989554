"""The parts of a ``.docx`` package an import needs, read safely.

A Word file is a ZIP of XML parts tied together by relationship files.  This
module opens the ZIP with limits (entry count, sizes: a Word file is user
input and may be a ZIP bomb), parses the XML with entity expansion and
network access off, and follows relationships *by type*, not by part name,
because LibreOffice and Word name some parts differently.

It also knows the two things an editor adds that are not content: tracked
changes (listed, or accepted on request) and comments (listed).
"""

from __future__ import annotations

import json
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from ..errors import fail
from ..regular import open_regular

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {
    "w": W_NS,
    "r": R_NS,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "v": "urn:schemas-microsoft-com:vml",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "w15": "http://schemas.microsoft.com/office/word/2012/wordml",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "op": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
}
RT_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT = {
    "document": RT_BASE + "officeDocument",
    "styles": RT_BASE + "styles",
    "numbering": RT_BASE + "numbering",
    "footnotes": RT_BASE + "footnotes",
    "endnotes": RT_BASE + "endnotes",
    "comments": RT_BASE + "comments",
    "custom": RT_BASE + "custom-properties",
    "core": "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
            "core-properties",
    "image": RT_BASE + "image",
    "hyperlink": RT_BASE + "hyperlink",
}
# Word 2012+ keeps the "resolved" flag of a comment here, keyed by paragraph id.
COMMENTS_EX_RT = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
# ISO/IEC 29500 strict uses other namespace URIs; Word can save them ("Strict Open XML").
STRICT_W_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"

MAX_ENTRIES = 5_000
MAX_XML_BYTES = 60_000_000  # one XML part, uncompressed
MAX_TOTAL_BYTES = 400_000_000  # whole package, uncompressed
MAX_RATIO = 200  # uncompressed / compressed, per entry: a ZIP bomb signature

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False)


def w(tag: str) -> str:
    """``"p"`` -> ``"{w-namespace}p"``."""
    return f"{{{W_NS}}}{tag}"


def qn(tag: str) -> str:
    """``"wp:docPr"`` -> Clark notation."""
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


def wval(el: etree._Element | None, attr: str = "val") -> str | None:
    """The ``w:val`` (or another w: attribute) of ``el``; None when absent."""
    if el is None:
        return None
    return el.get(w(attr))


def on(el: etree._Element | None) -> bool | None:
    """An OOXML on/off property (``<w:b/>``, ``<w:b w:val="0"/>``): True/False, None if unset."""
    if el is None:
        return None
    value = el.get(w("val"))
    return value is None or value.lower() not in ("0", "false", "off", "none")


@dataclass
class Rel:
    rid: str
    type: str
    target: str  # part name inside the ZIP, or the external URL
    external: bool


@dataclass
class Style:
    sid: str
    name: str  # lower-case
    kind: str  # paragraph, character, table, numbering
    based_on: str | None
    ppr: etree._Element | None
    rpr: etree._Element | None


@dataclass
class Comment:
    cid: str
    author: str
    date: str
    text: str
    anchor: str = ""
    resolved: bool = False


@dataclass
class Change:
    """One tracked change: who, what (``inserted "..."``), in which part."""

    author: str
    what: str
    kind: str


@dataclass
class DocxPackage:
    """The parsed parts of one Word file."""

    path: Path
    zf: zipfile.ZipFile
    document_name: str
    document: etree._Element
    rels: dict[str, Rel]
    styles: dict[str, Style] = field(default_factory=dict)
    numbering: etree._Element | None = None
    footnotes: etree._Element | None = None
    footnote_rels: dict[str, Rel] = field(default_factory=dict)
    endnotes: etree._Element | None = None
    endnote_rels: dict[str, Rel] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    custom: dict[str, str] = field(default_factory=dict)
    core: dict[str, str] = field(default_factory=dict)
    template: str = ""
    handle: BinaryIO | None = None  # the open file the ZIP reads from

    # ------------------------------------------------------------ parts

    def blob(self, name: str) -> bytes:
        """Bytes of a part (an embedded picture); InputError when missing or too big."""
        return _read(self.zf, name, self.path, limit=MAX_TOTAL_BYTES)

    def story_roots(self) -> list[etree._Element]:
        """Every XML tree an editor writes text into: body, footnotes, endnotes."""
        return [r for r in (self.document, self.footnotes, self.endnotes) if r is not None]

    def style_chain(self, sid: str | None) -> list[Style]:
        """The style and the styles it is based on, most specific first."""
        out: list[Style] = []
        seen: set[str] = set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            style = self.styles[sid]
            out.append(style)
            sid = style.based_on
        return out

    def default_paragraph_style(self) -> str | None:
        for style in self.styles.values():
            if style.kind == "paragraph" and style.sid and style.name == "normal":
                return style.sid
        return None

    def close(self) -> None:
        self.zf.close()
        if self.handle is not None:
            self.handle.close()


# ---------------------------------------------------------------- opening


def open_package(path: Path) -> DocxPackage:
    """Open ``path`` as a Word package; InputError (naming the file) if it is not one."""
    fh = open_regular(path, "file")
    try:
        try:
            head = fh.read(8)
        except OSError as exc:
            raise fail(path, f"cannot read file: {exc.strerror}") from None
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise fail(path, "is an old Word 97-2003 document (.doc) or an encrypted file; "
                       "save it as .docx (Word Document) without a password and import that")
        if not head.startswith(b"PK"):
            raise fail(path, "is not a Word .docx file (a .docx is a ZIP package)")
        fh.seek(0)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise fail(path, f"is not a readable .docx (damaged ZIP package: {exc})") from None
        try:
            pkg = _load(path, zf)
        except BaseException:
            zf.close()
            raise
    except BaseException:
        fh.close()
        raise
    pkg.handle = fh
    return pkg


def _check_zip(path: Path, zf: zipfile.ZipFile) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise fail(path, f"the package has {len(infos)} parts; a Word file has far fewer "
                   "(refused as unsafe)")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1_000_000 and info.compress_size and \
                info.file_size / info.compress_size > MAX_RATIO:
            raise fail(path, f"part {info.filename} expands {info.file_size // info.compress_size}"
                       " times; refused as a ZIP bomb")
    if total > MAX_TOTAL_BYTES:
        raise fail(path, f"the package unpacks to {total:,} bytes, more than the limit of "
                   f"{MAX_TOTAL_BYTES:,}")


def _read(zf: zipfile.ZipFile, name: str, path: Path, limit: int = MAX_XML_BYTES) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise fail(path, f"the package lacks the part {name} (damaged .docx?)") from None
    if info.file_size > limit:
        raise fail(path, f"part {name} is larger than {limit:,} bytes")
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except RuntimeError:
        raise fail(path, f"part {name} is encrypted; save the document without a password "
                   "and import that") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
        # zlib.error: damaged deflate data; BadZipFile: a bad checksum or header;
        # NotImplementedError: a compression method zipfile does not know.
        raise fail(path, f"part {name} is damaged: its compressed data does not unpack (a "
                   "truncated or corrupted file?); open it in Word or LibreOffice, save it "
                   "again and import that") from None
    if len(data) > limit:
        raise fail(path, f"part {name} is larger than {limit:,} bytes")
    return data


def _xml(zf: zipfile.ZipFile, name: str, path: Path) -> etree._Element:
    data = _read(zf, name, path)
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise fail(path, f"part {name} is not well-formed XML ({exc})") from None
    if root is None:
        raise fail(path, f"part {name} is empty")
    _drop_entities(root)
    return root


def _drop_entities(root: etree._Element) -> None:
    """Remove entity references (entities are never expanded), keeping the text around them.

    lxml keeps an unexpanded ``&name;`` as a node whose *tail* holds the text
    after it; code reading ``w:t`` text would lose that text with the node.
    """
    for ent in list(root.iter(etree.Entity)):
        parent = ent.getparent()
        if parent is None:
            continue
        tail = ent.tail or ""
        prev = ent.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        ent.tail = None
        parent.remove(ent)


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _rels(zf: zipfile.ZipFile, part: str, path: Path) -> dict[str, Rel]:
    """Relationships of ``part`` ("" for the package itself), targets resolved."""
    name = "_rels/.rels" if not part else _rels_name(part)
    if name not in zf.namelist():
        return {}
    root = _xml(zf, name, path)
    base = posixpath.dirname(part)
    out: dict[str, Rel] = {}
    for el in root.findall(qn("pr:Relationship")):
        rid, rtype, target = el.get("Id", ""), el.get("Type", ""), el.get("Target", "")
        external = el.get("TargetMode", "") == "External"
        if not external:
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(base, target))
        out[rid] = Rel(rid, rtype, target, external)
    return out


def _by_type(rels: dict[str, Rel], rtype: str) -> Rel | None:
    for rel in rels.values():
        if rel.type == rtype and not rel.external:
            return rel
    return None


def _load(path: Path, zf: zipfile.ZipFile) -> DocxPackage:
    _check_zip(path, zf)
    package_rels = _rels(zf, "", path)
    main = _by_type(package_rels, RT["document"])
    doc_name = main.target if main else "word/document.xml"
    if doc_name not in zf.namelist():
        raise fail(path, "is a ZIP file but not a Word document (no word/document.xml)")
    document = _xml(zf, doc_name, path)
    if document.tag.startswith(f"{{{STRICT_W_NS}}}"):
        raise fail(path, "is saved as \"Strict Open XML\"; save it again as a normal Word "
                   "Document (.docx) and import that")
    if document.tag != w("document"):
        raise fail(path, "word/document.xml is not a WordprocessingML document")
    rels = _rels(zf, doc_name, path)
    pkg = DocxPackage(path=path, zf=zf, document_name=doc_name, document=document, rels=rels)
    styles = _by_type(rels, RT["styles"])
    if styles and styles.target in zf.namelist():
        pkg.styles = _styles(_xml(zf, styles.target, path))
    numbering = _by_type(rels, RT["numbering"])
    if numbering and numbering.target in zf.namelist():
        pkg.numbering = _xml(zf, numbering.target, path)
    for kind in ("footnotes", "endnotes"):
        rel = _by_type(rels, RT[kind])
        if rel and rel.target in zf.namelist():
            setattr(pkg, kind, _xml(zf, rel.target, path))
            setattr(pkg, f"{kind[:-1]}_rels", _rels(zf, rel.target, path))
    custom = _by_type(package_rels, RT["custom"])
    custom_name = custom.target if custom else "docProps/custom.xml"
    if custom_name in zf.namelist():
        pkg.custom = _custom(_xml(zf, custom_name, path))
    core = _by_type(package_rels, RT["core"])
    core_name = core.target if core else "docProps/core.xml"
    if core_name in zf.namelist():
        pkg.core = _core(_xml(zf, core_name, path))
    if "docProps/app.xml" in zf.namelist():
        app = _xml(zf, "docProps/app.xml", path)
        tpl = app.find("{http://schemas.openxmlformats.org/officeDocument/2006/"
                       "extended-properties}Template")
        pkg.template = (tpl.text or "").strip() if tpl is not None else ""
    comments = _by_type(rels, RT["comments"])
    if comments and comments.target in zf.namelist():
        done: dict[str, bool] = {}
        ex = _by_type(rels, COMMENTS_EX_RT)
        if ex and ex.target in zf.namelist():
            for el in _xml(zf, ex.target, path).iter(qn("w15:commentEx")):
                done[el.get(qn("w15:paraId"), "")] = el.get(qn("w15:done")) == "1"
        pkg.comments = _comments(_xml(zf, comments.target, path), done)
        _anchor_comments(pkg)
    return pkg


def _styles(root: etree._Element) -> dict[str, Style]:
    out: dict[str, Style] = {}
    for el in root.findall(w("style")):
        sid = el.get(w("styleId"), "")
        name_el = el.find(w("name"))
        name = (wval(name_el) or sid).strip().lower()
        out[sid] = Style(sid=sid, name=name, kind=el.get(w("type"), "paragraph"),
                         based_on=wval(el.find(w("basedOn"))),
                         ppr=el.find(w("pPr")), rpr=el.find(w("rPr")))
    return out


def _custom(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for prop in root.findall(qn("op:property")):
        name = prop.get("name", "")
        value = next(iter(prop), None)
        if value is None:
            continue
        out[name] = "".join(map(str, value.itertext()))
    return out


def _core(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in ("dc:title", "dc:creator", "dc:description", "dc:language", "dcterms:created",
                "dcterms:modified", "cp:lastModifiedBy"):
        el = root.find(qn(key))
        if el is not None and el.text:
            out[key.split(":")[1]] = el.text.strip()
    return out


def _text_of(el: etree._Element) -> str:
    """Visible text of an element (w:t, w:delText, tabs and breaks as spaces)."""
    parts: list[str] = []
    for node in el.iter(w("t"), w("delText"), w("tab"), w("br"), w("p")):
        if node.tag in (w("t"), w("delText")):
            parts.append(node.text or "")
        elif (node.tag == w("p") and parts) or node.tag != w("p"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _comments(root: etree._Element, done: dict[str, bool]) -> list[Comment]:
    out = []
    for el in root.findall(w("comment")):
        paras = el.findall(f".//{w('p')}")
        resolved = any(done.get(p.get(qn("w14:paraId"), ""), False) for p in paras)
        out.append(Comment(cid=el.get(w("id"), ""), author=el.get(w("author"), "") or "?",
                           date=el.get(w("date"), "") or "", text=_text_of(el),
                           resolved=resolved))
    return out


def _anchor_comments(pkg: DocxPackage) -> None:
    """The text each comment is attached to (between commentRangeStart and End)."""
    wanted = {c.cid: c for c in pkg.comments}
    open_ids: list[str] = []
    texts: dict[str, list[str]] = {cid: [] for cid in wanted}
    for root in pkg.story_roots():
        for node in root.iter(w("commentRangeStart"), w("commentRangeEnd"), w("t"),
                              w("delText")):
            if node.tag == w("commentRangeStart"):
                open_ids.append(node.get(w("id"), ""))
            elif node.tag == w("commentRangeEnd"):
                cid = node.get(w("id"), "")
                if cid in open_ids:
                    open_ids.remove(cid)
            else:
                for cid in open_ids:
                    if cid in texts:
                        texts[cid].append(node.text or "")
    for cid, comment in wanted.items():
        comment.anchor = re.sub(r"\s+", " ", "".join(texts[cid])).strip()


def json_list(value: str) -> list[str]:
    """A JSON list property (authors, tags); a plain comma list when it is not JSON."""
    if not value:
        return []
    try:
        data = json.loads(value)
    except ValueError:
        return [x.strip() for x in value.split(",") if x.strip()]
    if isinstance(data, list):
        return [str(x) for x in data]
    return [str(data)]


# ---------------------------------------------------------------- tracked changes

# Run-level and paragraph-level revision marks (ECMA-376 Part 1, 17.13.5).
_CONTENT_CHANGES = ("ins", "del", "moveFrom", "moveTo")
_PROPERTY_CHANGES = ("rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "trPrChange",
                     "tcPrChange", "tblGridChange", "tblPrExChange", "numberingChange")
_CELL_CHANGES = ("cellIns", "cellDel", "cellMerge")
_RANGE_MARKS = ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart",
                "moveToRangeEnd", "customXmlInsRangeStart", "customXmlInsRangeEnd",
                "customXmlDelRangeStart", "customXmlDelRangeEnd",
                "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd",
                "customXmlMoveToRangeStart", "customXmlMoveToRangeEnd")


def _short(text: str, limit: int = 70) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _paragraph_of(el: etree._Element) -> etree._Element | None:
    node: etree._Element | None = el
    while node is not None and node.tag != w("p"):
        node = node.getparent()
    return node


def _describe(el: etree._Element) -> tuple[str, str]:
    """(kind, what) of one revision element, in the words the report uses."""
    local = etree.QName(el).localname
    parent = el.getparent()
    parent_local = etree.QName(parent).localname if parent is not None else ""
    if parent is not None and local in ("ins", "del") and parent_local == "rPr":
        grand = parent.getparent()
        if grand is not None and etree.QName(grand).localname == "pPr":
            para = _paragraph_of(el)
            tail = _short(_text_of(para)) if para is not None else ""
            verb = "inserted" if local == "ins" else "deleted"
            return local, f"{verb} a paragraph break" + (f' after "{tail}"' if tail else "")
        return local, ("inserted" if local == "ins" else "deleted") + " a run mark"
    if parent is not None and local in ("ins", "del") and parent_local == "trPr":
        row = parent.getparent()
        verb = "inserted" if local == "ins" else "deleted"
        row_text = _text_of(row) if row is not None else ""
        return local, f'{verb} a table row "{_short(row_text)}"'
    if local == "ins":
        return local, f'inserted "{_short(_text_of(el))}"'
    if local == "del":
        return local, f'deleted "{_short(_text_of(el))}"'
    if local == "moveFrom":
        return local, f'moved away "{_short(_text_of(el))}"'
    if local == "moveTo":
        return local, f'moved here "{_short(_text_of(el))}"'
    if local == "rPrChange":
        run = parent.getparent() if parent is not None else None
        text = _short(_text_of(run)) if run is not None and run.tag == w("r") else ""
        return local, "changed the formatting" + (f' of "{text}"' if text else "")
    if local == "pPrChange":
        para = _paragraph_of(el)
        text = _short(_text_of(para)) if para is not None else ""
        return local, "changed the paragraph style or layout" + (f' of "{text}"' if text else "")
    if local in _CELL_CHANGES:
        return local, {"cellIns": "inserted a table cell", "cellDel": "deleted a table cell",
                       "cellMerge": "merged table cells"}[local]
    return local, "changed the table or section layout"


def tracked_changes(pkg: DocxPackage) -> list[Change]:
    """Every unresolved revision in the body, footnotes and endnotes, in document order.

    Adjacent marks of the same kind by the same author (Word splits one typed
    insertion over several runs) are reported as one.
    """
    names = {w(n) for n in (*_CONTENT_CHANGES, *_PROPERTY_CHANGES, *_CELL_CHANGES)}
    out: list[Change] = []
    last: etree._Element | None = None
    for root in pkg.story_roots():
        for el in root.iter(*names):
            if any(a.tag in names for a in el.iterancestors()):
                continue  # an ins inside a moveTo, a del inside a del: one change
            author = el.get(w("author"), "") or "?"
            kind, what = _describe(el)
            prev = el.getprevious()
            while prev is not None and prev.tag in (w("proofErr"), w("bookmarkStart"),
                                                    w("bookmarkEnd")):
                prev = prev.getprevious()
            if (out and last is not None and prev is last and out[-1].kind == kind
                    and out[-1].author == author and kind in _CONTENT_CHANGES):
                merged = _short(_text_of(last) + _text_of(el))
                verb = out[-1].what.split(' "', 1)[0]
                out[-1] = Change(author, f'{verb} "{merged}"', kind)
                last = el
                continue
            out.append(Change(author, what, kind))
            last = el
    return out


def accept_changes(pkg: DocxPackage) -> None:
    """Apply every revision in place, as Word's "Accept All Changes" does."""
    for root in pkg.story_roots():
        _accept(root)


def _unwrap(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    for child in reversed(list(el)):
        parent.insert(index, child)
    parent.remove(el)


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


def _accept(root: etree._Element) -> None:
    # Property changes: the current properties are the accepted ones.
    for el in list(root.iter(*(w(n) for n in _PROPERTY_CHANGES))):
        _remove(el)
    for el in list(root.iter(*(w(n) for n in _RANGE_MARKS))):
        _remove(el)
    # Table rows and cells.
    for el in list(root.iter(w("trPr"))):
        if el.find(w("del")) is not None:
            row = el.getparent()
            if row is not None:
                _remove(row)
        else:
            for mark in el.findall(w("ins")):
                el.remove(mark)
    for el in list(root.iter(w("cellDel"))):
        cell_pr = el.getparent()
        tc = cell_pr.getparent() if cell_pr is not None else None
        if tc is not None and tc.tag == w("tc"):
            _remove(tc)
    for el in list(root.iter(w("cellIns"), w("cellMerge"))):
        _remove(el)
    # Paragraph marks: an inserted mark stays, a deleted one joins the next paragraph.
    joins: list[etree._Element] = []
    for el in list(root.iter(w("ins"), w("del"))):
        parent = el.getparent()
        if parent is not None and parent.tag == w("rPr"):
            grand = parent.getparent()
            if grand is not None and grand.tag == w("pPr") and el.tag == w("del"):
                para = grand.getparent()
                if para is not None:
                    joins.append(para)
            parent.remove(el)
    # Content: deleted and moved-away text goes, inserted and moved-here text stays.
    for el in list(root.iter(w("del"), w("moveFrom"))):
        _remove(el)
    for el in list(root.iter(w("ins"), w("moveTo"))):
        _unwrap(el)
    for para in joins:
        _join_with_next(para)


def _has_text(p: etree._Element) -> bool:
    return any((t.text or "").strip() for t in p.iter(w("t"))) or \
        next(p.iter(w("drawing"), w("pict")), None) is not None


def _join_with_next(para: etree._Element) -> None:
    """Merge ``para`` with the paragraph after it (its mark was deleted)."""
    if para is None or para.getparent() is None:
        return
    nxt = para.getnext()
    while nxt is not None and nxt.tag != w("p"):
        if nxt.tag == w("tbl"):
            return  # a table in between: Word keeps the paragraph
        nxt = nxt.getnext()
    if nxt is None:
        return
    keep_first = _has_text(para)
    content = [c for c in nxt if c.tag != w("pPr")]
    if keep_first:
        for child in content:
            para.append(child)
        _remove(nxt)
    else:
        # Nothing of the first paragraph is left: the next one keeps its own style.
        index = 1 if nxt.find(w("pPr")) is not None else 0
        for child in reversed([c for c in para if c.tag != w("pPr")]):
            nxt.insert(index, child)
        _remove(para)
