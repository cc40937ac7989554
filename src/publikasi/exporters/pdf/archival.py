"""The archival side of the finished bulletin: PDF/A-2 (or PDF/A-3) and PDF/UA-1
identification on the document level.

Applied by :func:`.finish.finish_pdf` to the file reportlab wrote, after the
tagging step.  What is written here:

- XMP metadata (Dublin Core, ``xmp:`` dates, ``pdf:`` producer and keywords,
  ``pdfaid:part``/``conformance``, ``pdfuaid:part`` with the extension schema
  PDF/A asks for it), taken from the Info dictionary so the two always agree;
- an sRGB output intent whose ICC profile littleCMS (through Pillow) makes;
- the catalog entries ``/Lang``, ``/ViewerPreferences /DisplayDocTitle`` and,
  only when the tagging step delivered a structure tree, ``/MarkInfo``;
- the Print flag on every annotation, and ``/Tabs /S`` on pages with
  annotations (both PDF/A and PDF/UA rules);
- for PDF/A-3, the edition's sources as associated files (``/AF``,
  ``/AFRelationship /Source``).

The conformance level claimed is the one the file earns: ``a`` only when the
tagging step reports every text and image tagged, ``u`` when every font maps
its glyphs to Unicode, else ``b``.
"""

from __future__ import annotations

import datetime as dt
import functools
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf
from lxml import etree
from pikepdf import Array, Dictionary, Name, Pdf, String

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
SRGB_NAME = "sRGB IEC61966-2.1"
# Print set; Hidden, Invisible, NoView and ToggleNoView clear (PDF/A 6.3.2).
ANNOT_PRINT = 4


@dataclass(frozen=True)
class Attachment:
    """A file embedded as an associated file of the document (PDF/A-3)."""

    name: str  # file name shown by viewers, e.g. ``2025-46/banjir.md``
    data: bytes
    mime: str  # e.g. ``text/markdown``
    description: str


@dataclass(frozen=True)
class Conformance:
    """What the finished file claims to be."""

    pdfa_part: int  # 2, or 3 with attachments
    pdfa_level: str  # "a", "u" or "b"
    pdfua: bool  # PDF/UA-1 (needs the structure tree)


def choose_conformance(pdf: Pdf, *, tagging_complete: bool, attachments: bool) -> Conformance:
    tagged = "/StructTreeRoot" in pdf.Root
    if tagged and tagging_complete:
        level = "a"
    elif all("/ToUnicode" in font for font in document_fonts(pdf)):
        level = "u"
    else:
        level = "b"
    return Conformance(3 if attachments else 2, level, tagged and tagging_complete)


def make_archival(pdf: Pdf, *, build_time: dt.datetime, tagging_complete: bool = False,
                  attachments: Sequence[Attachment] = ()) -> Conformance:
    """Turn the opened reportlab output into PDF/A (and PDF/UA when tagged) in place."""
    conformance = choose_conformance(pdf, tagging_complete=tagging_complete,
                                     attachments=bool(attachments))
    root = pdf.Root
    if "/Lang" not in root:
        root.Lang = String("id")
    prefs = root.get("/ViewerPreferences")
    if not isinstance(prefs, Dictionary):
        prefs = root.ViewerPreferences = Dictionary()
    prefs.DisplayDocTitle = True
    if "/StructTreeRoot" in root:
        root.MarkInfo = Dictionary(Marked=True)
    root.OutputIntents = Array([pdf.make_indirect(Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFA1,
        OutputConditionIdentifier=String(SRGB_NAME), Info=String(SRGB_NAME),
        DestOutputProfile=_icc_stream(pdf),
    ))])
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots:
            page.obj.Tabs = Name.S
            for annot in annots:
                annot.F = ANNOT_PRINT
    if attachments:
        _attach(pdf, attachments, build_time)
    info = pdf.docinfo
    stamp = pdf_date(build_time)
    info.CreationDate = String(stamp)
    info.ModDate = String(stamp)
    language = str(root.Lang)
    xmp = xmp_packet(_info_text(info), language, build_time, conformance)
    metadata = pdf.make_stream(xmp)
    metadata.Type = Name.Metadata
    metadata.Subtype = Name.XML
    root.Metadata = metadata
    return conformance


def document_fonts(pdf: Pdf) -> list[Dictionary]:
    """Every font dictionary the pages and their form XObjects use (each once)."""
    seen: set[tuple[int, int]] = set()
    fonts: list[Dictionary] = []

    def walk(resources: object) -> None:
        if not isinstance(resources, Dictionary):
            return
        for font in (resources.get("/Font") or Dictionary()).values():
            key = font.objgen
            if isinstance(font, Dictionary) and (key == (0, 0) or key not in seen):
                seen.add(key)
                fonts.append(font)
        for xobject in (resources.get("/XObject") or Dictionary()).values():
            key = xobject.objgen
            if key in seen or xobject.get("/Subtype") != Name.Form:
                continue
            seen.add(key)
            walk(xobject.get("/Resources"))

    for page in pdf.pages:
        walk(page.obj.get("/Resources"))
    return fonts


def pdf_date(when: dt.datetime) -> str:
    utc = when.astimezone(dt.UTC)
    return utc.strftime("D:%Y%m%d%H%M%S+00'00'")


def xmp_date(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _info_text(info: Dictionary) -> dict[str, str]:
    return {key: str(info[f"/{key}"]) for key in
            ("Title", "Author", "Subject", "Keywords", "Creator", "Producer")
            if f"/{key}" in info}


def xmp_packet(info: dict[str, str], language: str, when: dt.datetime,
               conformance: Conformance) -> bytes:
    """The XMP packet; every value that the Info dictionary also holds is copied
    from it, so PDF/A's rule that the two agree holds by construction."""
    rdf = NS["rdf"]

    def q(prefix: str, name: str) -> str:
        return f"{{{NS[prefix]}}}{name}"

    xmpmeta = etree.Element(q("x", "xmpmeta"), nsmap={"x": NS["x"]})
    root = etree.SubElement(xmpmeta, q("rdf", "RDF"), nsmap={"rdf": rdf})

    def description(*prefixes: str) -> etree._Element:
        return etree.SubElement(root, q("rdf", "Description"), {q("rdf", "about"): ""},
                                nsmap={p: NS[p] for p in prefixes})

    def text(parent: etree._Element, prefix: str, name: str, value: str) -> None:
        etree.SubElement(parent, q(prefix, name)).text = value

    def container(parent: etree._Element, prefix: str, name: str, kind: str,
                  values: Sequence[str], lang: bool = False) -> None:
        box = etree.SubElement(etree.SubElement(parent, q(prefix, name)), q("rdf", kind))
        for value in values:
            li = etree.SubElement(box, q("rdf", "li"))
            if lang:
                li.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
            li.text = value

    dc = description("dc")
    text(dc, "dc", "format", "application/pdf")
    if "Title" in info:
        container(dc, "dc", "title", "Alt", [info["Title"]], lang=True)
    if "Author" in info:
        # one entry holding the whole Info Author, which is what PDF/A compares
        container(dc, "dc", "creator", "Seq", [info["Author"]])
    if "Subject" in info:
        container(dc, "dc", "description", "Alt", [info["Subject"]], lang=True)
    keywords = [k.strip() for k in info.get("Keywords", "").split(",") if k.strip()]
    if keywords:
        container(dc, "dc", "subject", "Bag", keywords)
    container(dc, "dc", "language", "Bag", [language])

    stamp = xmp_date(when)
    xmp = description("xmp")
    if "Creator" in info:
        text(xmp, "xmp", "CreatorTool", info["Creator"])
    text(xmp, "xmp", "CreateDate", stamp)
    text(xmp, "xmp", "ModifyDate", stamp)
    text(xmp, "xmp", "MetadataDate", stamp)

    pdf = description("pdf")
    if "Producer" in info:
        text(pdf, "pdf", "Producer", info["Producer"])
    if "Keywords" in info:
        text(pdf, "pdf", "Keywords", info["Keywords"])
    text(pdf, "pdf", "Trapped", "False")

    ident = description("pdfaid")
    text(ident, "pdfaid", "part", str(conformance.pdfa_part))
    text(ident, "pdfaid", "conformance", conformance.pdfa_level.upper())
    if conformance.pdfua:
        ua = description("pdfuaid")
        text(ua, "pdfuaid", "part", "1")
        _declare_pdfuaid(description("pdfaExtension", "pdfaSchema", "pdfaProperty"))

    body = etree.tostring(xmpmeta, encoding="utf-8")
    return (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + body
            + b'\n<?xpacket end="w"?>')


def _declare_pdfuaid(parent: etree._Element) -> None:
    """PDF/A accepts only predefined XMP schemas or ones declared in the file:
    pdfuaid is not predefined, so its one property is declared here."""

    def el(owner: etree._Element, prefix: str, name: str, value: str | None = None
           ) -> etree._Element:
        child = etree.SubElement(owner, f"{{{NS[prefix]}}}{name}")
        if value is not None:
            child.text = value
        return child

    resource = {f"{{{NS['rdf']}}}parseType": "Resource"}
    bag = el(el(parent, "pdfaExtension", "schemas"), "rdf", "Bag")
    schema = etree.SubElement(bag, f"{{{NS['rdf']}}}li", resource)
    el(schema, "pdfaSchema", "schema", "PDF/UA identification schema")
    el(schema, "pdfaSchema", "namespaceURI", NS["pdfuaid"])
    el(schema, "pdfaSchema", "prefix", "pdfuaid")
    seq = el(el(schema, "pdfaSchema", "property"), "rdf", "Seq")
    prop = etree.SubElement(seq, f"{{{NS['rdf']}}}li", resource)
    el(prop, "pdfaProperty", "name", "part")
    el(prop, "pdfaProperty", "valueType", "Integer")
    el(prop, "pdfaProperty", "category", "internal")
    el(prop, "pdfaProperty", "description", "Part of ISO 14289 the file conforms to")


@functools.cache
def srgb_profile() -> bytes:
    """An sRGB ICC profile made by littleCMS, with a fixed creation date.

    littleCMS stamps the profile with the current time (header bytes 24-35);
    a fixed date keeps the PDF byte-identical between builds.  The profile
    carries no MD5 id (bytes 84-99 are zero), so nothing else depends on it.
    """
    from PIL import ImageCms

    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[24:36] = bytes([0x07, 0xD0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0])  # 2000-01-01 00:00:00
    return bytes(data)


def _icc_stream(pdf: Pdf) -> pikepdf.Stream:
    stream = pdf.make_stream(zlib.compress(srgb_profile(), 9))
    stream.Filter = Name.FlateDecode
    stream.N = 3
    return stream


def _attach(pdf: Pdf, attachments: Sequence[Attachment], when: dt.datetime) -> None:
    stamp = String(pdf_date(when))
    specs = []
    names = Array()
    for item in sorted(attachments, key=lambda a: a.name):  # a name tree is sorted
        embedded = pdf.make_stream(zlib.compress(item.data, 9))
        embedded.Filter = Name.FlateDecode
        embedded.Type = Name.EmbeddedFile
        embedded.Subtype = Name("/" + item.mime)  # written as /text#2Fmarkdown
        embedded.Params = Dictionary(Size=len(item.data), ModDate=stamp)
        spec = pdf.make_indirect(Dictionary(
            Type=Name.Filespec, F=String(item.name), UF=String(item.name),
            Desc=String(item.description), AFRelationship=Name.Source,
            EF=Dictionary(F=embedded, UF=embedded),
        ))
        specs.append(spec)
        names.extend([String(item.name), spec])
    pdf.Root.AF = Array(specs)
    name_tree = pdf.Root.get("/Names")
    if not isinstance(name_tree, Dictionary):
        name_tree = pdf.Root.Names = Dictionary()
    name_tree.EmbeddedFiles = Dictionary(Names=names)
