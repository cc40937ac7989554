"""PDF/A-2/3 and PDF/UA-1 rules checked on any PDF, for ``publikasi check``.

Not a full validator (veraPDF has no package here, see docs/pdf.md): it reads
the file with pikepdf and checks the rules an archive or a screen reader
depends on most, each problem one line naming the rule:

- identification: XMP metadata that parses, ``pdfaid:part`` 2 or 3 with a
  conformance level, ``pdfuaid:part`` 1, ``dc:title``;
- the Info dictionary agreeing with the XMP (title, author, subject,
  keywords, creator tool, producer, dates);
- an output intent with an ICC profile that parses and matches the colours
  the pages use (no DeviceCMYK under an RGB intent);
- every font embedded and mapped to Unicode;
- nothing PDF/A forbids: encryption, a missing trailer ``/ID``, LZW,
  JavaScript, launch and other forbidden actions, additional actions,
  external streams, PostScript XObjects, interpolated images, hidden or
  unprintable annotations, embedded files outside PDF/A-3 associated files;
- tagging: ``/MarkInfo /Marked true``, a structure tree, ``/Lang``,
  ``DisplayDocTitle``, ``/Alt`` on every ``Figure``, ``/Scope`` on every
  ``TH``, ``/Tabs /S`` on pages with annotations.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XMP_NS = {
    "rdf": NS_RDF,
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}
FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/JavaScript",
                     "/Hide", "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView"}
FORBIDDEN_ANNOTS = {"/Sound", "/Movie", "/Screen", "/3D", "/RichMedia"}
HIDDEN_FLAGS = 1 | 2 | 32 | 256  # Invisible, Hidden, NoView, ToggleNoView
MAX_STRUCT_DEPTH = 200


@dataclass
class Conformance:
    """What a PDF claims, and what is wrong with it."""

    pdfa: str = ""  # e.g. "2U"; empty: no PDF/A identification
    pdfua: str = ""  # "1" or empty
    tagged: bool = False
    problems: list[str] = field(default_factory=list)
    untagged: list[str] = field(default_factory=list)  # tagging facts missing


def check_conformance(path: Path) -> Conformance:
    result = Conformance()
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        result.problems.append("encrypted with a password: PDF/A forbids encryption")
        return result
    except pikepdf.PdfError as exc:
        result.problems.append(f"pikepdf cannot read it: {exc}")
        return result
    with pdf:
        _file_structure(pdf, result)
        info = _xmp(pdf, result)
        _info_agrees(pdf, info, result)
        _output_intent(pdf, result)
        _fonts(pdf, result)
        _text_unicode(pdf, result)
        _forbidden(pdf, result)
        _tagging(pdf, result)
    return result


def _array(value: object) -> list[object]:
    """The items of a PDF array; anything else (a malformed entry) holds none."""
    return list(value) if isinstance(value, Array) else []


def _true(value: object) -> bool:
    """A PDF boolean that is true (pikepdf hands booleans over as Python bools)."""
    return isinstance(value, bool) and value


# ------------------------------------------------------------ file level


def _file_structure(pdf: Pdf, result: Conformance) -> None:
    if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
        result.problems.append("encrypted: PDF/A forbids encryption")
    ids = pdf.trailer.get("/ID")
    if not isinstance(ids, Array) or len(ids) != 2:
        result.problems.append("no /ID in the trailer (PDF/A 6.1.3)")


def _xmp(pdf: Pdf, result: Conformance) -> dict[str, list[str]]:
    """The XMP properties checked here, as lists of values; problems noted."""
    from lxml import etree

    stream = pdf.Root.get("/Metadata")
    if not isinstance(stream, pikepdf.Stream):
        result.problems.append("no XMP metadata (/Metadata in the catalog): "
                               "no PDF/A or PDF/UA identification")
        return {}
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.parse(io.BytesIO(stream.read_bytes()), parser).getroot()
    except (etree.XMLSyntaxError, pikepdf.PdfError) as exc:
        result.problems.append(f"the XMP metadata is not well-formed XML: {exc}")
        return {}
    props: dict[str, list[str]] = {}
    for key in ("dc:title", "dc:creator", "dc:description", "xmp:CreatorTool", "xmp:CreateDate",
                "xmp:ModifyDate", "pdf:Producer", "pdf:Keywords", "pdfaid:part",
                "pdfaid:conformance", "pdfuaid:part"):
        prefix, name = key.split(":")
        uri = XMP_NS[prefix]
        values = []
        for desc in root.iter(f"{{{NS_RDF}}}Description"):
            attr = desc.get(f"{{{uri}}}{name}")  # the short form: a property as attribute
            if attr is not None:
                values.append(attr)
            for el in desc.findall(f"{{{uri}}}{name}"):
                items = el.findall(f".//{{{NS_RDF}}}li")
                values.extend((li.text or "") for li in items) if items else \
                    values.append(el.text or "")
        if values:
            props[key] = values
    part = (props.get("pdfaid:part") or [""])[0].strip()
    level = (props.get("pdfaid:conformance") or [""])[0].strip()
    if part not in ("2", "3"):
        result.problems.append("the XMP metadata has no pdfaid:part 2 or 3: not identified as "
                               "PDF/A-2 or PDF/A-3" + (f" (it says {part})" if part else ""))
    elif level.upper() not in ("A", "B", "U"):
        result.problems.append(f"pdfaid:conformance is {level or 'missing'}, not A, B or U")
    else:
        result.pdfa = part + level.upper()
    ua = (props.get("pdfuaid:part") or [""])[0].strip()
    if ua == "1":
        result.pdfua = "1"
    else:
        result.untagged.append("the XMP metadata has no pdfuaid:part 1: not identified as PDF/UA-1")
    if not any(v.strip() for v in props.get("dc:title", [])):
        result.problems.append("the XMP metadata has no dc:title (PDF/UA 7.1)")
    return props


def _parse_pdf_date(text: str) -> dt.datetime | None:
    m = re.match(r"D:(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(\d\d)?([Zz+-])?(\d\d)?'?(\d\d)?", text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) if g else default for g, default in
                          zip(m.groups()[:6], (0, 1, 1, 0, 0, 0), strict=True))
    offset = dt.timedelta(0)
    if m.group(7) in ("+", "-"):
        offset = dt.timedelta(hours=int(m.group(8) or 0), minutes=int(m.group(9) or 0))
        offset = -offset if m.group(7) == "-" else offset
    try:
        return dt.datetime(y, mo, d, h, mi, s, tzinfo=dt.timezone(offset))
    except ValueError:
        return None


def _parse_xmp_date(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _info_agrees(pdf: Pdf, props: dict[str, list[str]], result: Conformance) -> None:
    """PDF/A: an Info entry that has an XMP counterpart must say the same."""
    info = pdf.trailer.get("/Info")
    if not isinstance(info, Dictionary):
        return
    if not props:
        return  # no usable XMP: already a problem
    pairs = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description",
             "/Keywords": "pdf:Keywords", "/Creator": "xmp:CreatorTool",
             "/Producer": "pdf:Producer"}
    for key, prop in pairs.items():
        if key not in info:
            continue
        value = str(info[key])
        found = props.get(prop)
        if found is None:
            result.problems.append(f"Info {key[1:]} has no {prop} in the XMP metadata (PDF/A)")
        elif (found if prop == "dc:creator" else found[:1]) != [value]:
            result.problems.append(f"Info {key[1:]} ({value!r}) differs from {prop} "
                                   f"({' / '.join(found)!r}) in the XMP metadata (PDF/A)")
    for key, prop in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        if key not in info:
            continue
        stated = _parse_pdf_date(str(info[key]))
        found = props.get(prop)
        if found is None:
            result.problems.append(f"Info {key[1:]} has no {prop} in the XMP metadata (PDF/A)")
        elif stated is None or stated != _parse_xmp_date(found[0]):
            result.problems.append(f"Info {key[1:]} ({info[key]}) differs from {prop} "
                                   f"({found[0]}) in the XMP metadata (PDF/A)")


# ------------------------------------------------------------ colour


def _output_intent(pdf: Pdf, result: Conformance) -> None:
    from PIL import ImageCms

    intents = [oi for oi in _array(pdf.Root.get("/OutputIntents"))
               if isinstance(oi, Dictionary) and oi.get("/S") == Name.GTS_PDFA1]
    if not intents:
        result.problems.append("no PDF/A output intent (GTS_PDFA1): colours are not "
                               "device-independent (PDF/A 6.2.3)")
        return
    streams = [oi.get("/DestOutputProfile") for oi in intents]
    profiles = {s.objgen for s in streams if isinstance(s, pikepdf.Stream)}
    if len(profiles) != 1:
        result.problems.append("the PDF/A output intents do not name exactly one ICC profile")
        return
    stream = intents[0].DestOutputProfile
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(stream.read_bytes())).profile
    except (OSError, pikepdf.PdfError) as exc:
        result.problems.append(f"the output intent's ICC profile does not parse: {exc}")
        return
    space = profile.xcolor_space.strip()
    components = {"RGB": 3, "CMYK": 4, "GRAY": 1}.get(space)
    if components is None or profile.device_class not in ("mntr", "prtr"):
        result.problems.append(f"the output intent's ICC profile is {space!r} "
                               f"{profile.device_class!r}, not an RGB, CMYK or gray output or "
                               "display profile")
        return
    if int(stream.get("/N", 0)) != components:
        result.problems.append(f"the output intent's ICC stream says /N {stream.get('/N')}, "
                               f"the profile has {components} components")
    if profile.version >= 5:
        result.problems.append(f"the output intent's ICC profile is version {profile.version}")
    used = _device_spaces(pdf)
    forbidden = {"RGB": {"DeviceCMYK"}, "CMYK": {"DeviceRGB"}, "GRAY": {"DeviceRGB", "DeviceCMYK"}}
    for name in sorted(used & forbidden[space]):
        result.problems.append(f"{name} is used but the output intent is {space} (PDF/A 6.2.4.3)")


_OPERATOR_SPACE = {"rg": "DeviceRGB", "RG": "DeviceRGB", "k": "DeviceCMYK", "K": "DeviceCMYK"}


def _device_spaces(pdf: Pdf) -> set[str]:
    """Device colour spaces named by images or set by operators in content streams."""
    used: set[str] = set()
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == Name.Image:
            cs = obj.get("/ColorSpace")
            names = [cs] if isinstance(cs, Name) else list(cs) if isinstance(cs, Array) else []
            used.update(str(n)[1:] for n in names
                        if isinstance(n, Name) and str(n) in ("/DeviceRGB", "/DeviceCMYK"))
    for content in _content_streams(pdf):
        try:
            for instruction in pikepdf.parse_content_stream(content):
                if not isinstance(instruction, pikepdf.ContentStreamInstruction):
                    continue
                operands, op = instruction.operands, str(instruction.operator)
                if op in _OPERATOR_SPACE:
                    used.add(_OPERATOR_SPACE[op])
                elif op in ("cs", "CS") and operands and str(operands[0]) in (
                        "/DeviceRGB", "/DeviceCMYK"):
                    used.add(str(operands[0])[1:])
        except pikepdf.PdfError:
            continue
    return used


def _content_streams(pdf: Pdf) -> Iterator[pikepdf.Page | pikepdf.Stream]:
    yield from pdf.pages
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == Name.Form:
            yield obj


# ------------------------------------------------------------ fonts


def _fonts(pdf: Pdf, result: Conformance) -> None:
    for obj in pdf.objects:
        if not isinstance(obj, Dictionary) or obj.get("/Type") != Name.Font:
            continue
        subtype = obj.get("/Subtype")
        if subtype in (Name.CIDFontType0, Name.CIDFontType2):
            continue  # checked through their Type0 parent
        name = str(obj.get("/BaseFont", "(unnamed)"))[1:] or "(unnamed)"
        if subtype != Name.Type3:
            descriptor = obj.get("/FontDescriptor")
            if subtype == Name.Type0:
                kids = _array(obj.get("/DescendantFonts"))
                descriptor = kids[0].get("/FontDescriptor") \
                    if kids and isinstance(kids[0], Dictionary) else None
            if not isinstance(descriptor, Dictionary) or not any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                result.problems.append(f"font {name} is not embedded (PDF/A 6.2.11.4)")
        if "/ToUnicode" not in obj and not _standard_encoding(obj):
            result.problems.append(f"font {name} has no ToUnicode map: its text cannot be "
                                   "read back or spoken (PDF/A-2u, PDF/UA 7.21.7)")


def _standard_encoding(font: Dictionary) -> bool:
    """A simple non-symbolic font whose encoding names a standard one maps to
    Unicode without a ToUnicode map."""
    enc = font.get("/Encoding")
    if isinstance(enc, Dictionary):
        enc = enc.get("/BaseEncoding")
    return font.get("/Subtype") in (Name.Type1, Name.TrueType) and enc in (
        Name.WinAnsiEncoding, Name.MacRomanEncoding, Name.StandardEncoding)


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>|\[([^\]]*)\]")
NOT_TEXT = {"", "\x00", "\ufeff", "\ufffe"}


def _utf16(hex_digits: bytes) -> str:
    return bytes.fromhex(hex_digits.decode("ascii")).decode("utf-16-be", "replace")


def _tounicode_map(font: Dictionary) -> dict[int, str]:
    stream = font.get("/ToUnicode")
    if not isinstance(stream, pikepdf.Stream):
        return {}
    data = stream.read_bytes()
    found: dict[int, str] = {}
    for block in _BFCHAR.findall(data):
        tokens = [m.group(1) for m in _HEX.finditer(block) if m.group(1) is not None]
        for src, dst in zip(tokens[::2], tokens[1::2], strict=False):
            found[int(src or b"0", 16)] = _utf16(dst)
    for block in _BFRANGE.findall(data):
        matches = list(_HEX.finditer(block))
        i = 0
        while i + 2 < len(matches):
            lo, hi, dst = matches[i].group(1), matches[i + 1].group(1), matches[i + 2]
            if lo is None or hi is None:
                break
            first, last = int(lo or b"0", 16), int(hi or b"0", 16)
            if dst.group(2) is not None:  # an array: one destination per code
                for offset, item in enumerate(re.findall(rb"<([0-9A-Fa-f]*)>", dst.group(2))):
                    found[first + offset] = _utf16(item)
            elif dst.group(1):
                start = bytearray(bytes.fromhex(dst.group(1).decode("ascii")))
                for offset in range(min(last - first, 0xFFFF) + 1):
                    value = int.from_bytes(start, "big") + offset
                    raw = value.to_bytes(len(start), "big")
                    found[first + offset] = raw.decode("utf-16-be", "replace")
            i += 3
    return found


def _text_unicode(pdf: Pdf, result: Conformance) -> None:
    """PDF/A-2u 6.2.11.7.2: every code a text operator shows maps to a real
    Unicode value (not none, U+0000, U+FEFF or U+FFFE)."""
    maps: dict[tuple[int, int], dict[int, str]] = {}
    bad: dict[str, set[int]] = {}

    def codes(font: Dictionary, text: bytes) -> list[int]:
        if font.get("/Subtype") == Name.Type0:
            return [int.from_bytes(text[i:i + 2], "big") for i in range(0, len(text) - 1, 2)]
        return list(text)

    def walk(content: pikepdf.Page | pikepdf.Stream, resources: object, depth: int) -> None:
        if depth > 8 or not isinstance(resources, Dictionary):
            return
        fonts = resources.get("/Font") or Dictionary()
        xobjects = resources.get("/XObject") or Dictionary()
        font: Dictionary | None = None
        try:
            instructions = pikepdf.parse_content_stream(content)
        except pikepdf.PdfError:
            return
        for instruction in instructions:
            if not isinstance(instruction, pikepdf.ContentStreamInstruction):
                continue
            op, operands = str(instruction.operator), instruction.operands
            if op == "Tf" and operands:
                candidate = fonts.get(str(operands[0]))
                font = candidate if isinstance(candidate, Dictionary) else None
            elif op in ("Tj", "'", '"', "TJ") and font is not None and "/ToUnicode" in font:
                strings = [o for o in (operands[0] if op == "TJ" else operands[-1:])
                           if isinstance(o, pikepdf.String)]
                key = font.objgen
                if key not in maps:
                    maps[key] = _tounicode_map(font)
                for text in strings:
                    for code in codes(font, bytes(text)):
                        if maps[key].get(code, "") in NOT_TEXT:
                            bad.setdefault(str(font.get("/BaseFont", "?"))[1:], set()).add(code)
            elif op == "Do" and operands:
                xobject = xobjects.get(str(operands[0]))
                if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == Name.Form:
                    walk(xobject, xobject.get("/Resources", resources), depth + 1)

    for page in pdf.pages:
        walk(page, page.obj.get("/Resources"), 0)
    for name, unmapped in sorted(bad.items()):
        shown = ", ".join(f"{c:#04x}" for c in sorted(unmapped)[:5])
        result.problems.append(f"font {name} shows {len(unmapped)} code(s) with no Unicode "
                               f"value ({shown}): that text cannot be read back or spoken "
                               "(PDF/A-2u 6.2.11.7.2)")


# ------------------------------------------------------------ forbidden


def _forbidden(pdf: Pdf, result: Conformance) -> None:
    found: set[str] = set()
    if "/AA" in pdf.Root:
        found.add("additional actions (/AA) on the document (PDF/A 6.6.2)")
    names = pdf.Root.get("/Names")
    if isinstance(names, Dictionary):
        if "/JavaScript" in names:
            found.add("document JavaScript (PDF/A 6.6.1)")
        if "/EmbeddedFiles" in names and not result.pdfa.startswith("3"):
            found.add("embedded files in a file that is not PDF/A-3 (PDF/A-2 6.8)")
    for page in pdf.pages:
        if "/AA" in page.obj:
            found.add("additional actions (/AA) on a page (PDF/A 6.6.2)")
        for annot in _array(page.obj.get("/Annots")):
            if not isinstance(annot, Dictionary):
                continue
            subtype = str(annot.get("/Subtype", ""))
            if subtype in FORBIDDEN_ANNOTS:
                found.add(f"{subtype[1:]} annotations (PDF/A 6.3.1)")
            flags = annot.get("/F", 0)
            flags = flags if isinstance(flags, int) else 0
            if subtype != "/Popup" and (not flags & 4 or flags & HIDDEN_FLAGS):
                found.add("annotations that are not printable or are hidden "
                          "(PDF/A 6.3.2: the Print flag set, Hidden and NoView clear)")
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            filters = obj.get("/Filter")
            names_ = [filters] if isinstance(filters, Name) else list(filters or [])
            if Name.LZWDecode in names_:
                found.add("LZW-compressed streams (PDF/A 6.1.7)")
            if any(k in obj for k in ("/F", "/FFilter", "/FDecodeParms")) \
                    and obj.get("/Type") != Name.EmbeddedFile:
                found.add("streams stored in external files (PDF/A 6.1.7)")
            if obj.get("/Subtype") == Name.PS or "/OPI" in obj:
                found.add("PostScript or OPI XObjects (PDF/A 6.2.9)")
            if obj.get("/Subtype") == Name.Image and _true(obj.get("/Interpolate")):
                found.add("images with /Interpolate true (PDF/A 6.2.8)")
        elif isinstance(obj, Dictionary):
            action = obj.get("/S")
            if isinstance(action, Name) and str(action) in FORBIDDEN_ACTIONS and (
                    obj.get("/Type") in (None, Name.Action)):
                found.add(f"{str(action)[1:]} actions (PDF/A 6.6.1)")
            if obj.get("/Type") == Name.Filespec and "/EF" in obj and result.pdfa.startswith("3") \
                    and "/AFRelationship" not in obj:
                found.add("embedded files without /AFRelationship (PDF/A-3 6.8)")
    result.problems.extend(f"forbidden in PDF/A: {what}" for what in sorted(found))


# ------------------------------------------------------------ tagging


def _tagging(pdf: Pdf, result: Conformance) -> None:
    root = pdf.Root
    missing = result.untagged
    mark_info = root.get("/MarkInfo")
    if not (isinstance(mark_info, Dictionary) and _true(mark_info.get("/Marked"))):
        missing.append("not marked as tagged (/MarkInfo /Marked true is missing; PDF/UA 7.1)")
    tree = root.get("/StructTreeRoot")
    if not isinstance(tree, Dictionary):
        missing.append("no structure tree (/StructTreeRoot): a screen reader gets no reading "
                       "order, headings, lists or tables (PDF/UA 7.1)")
    else:
        result.tagged = True
        _structure(tree, result)
    if not str(root.get("/Lang", "")).strip():
        result.problems.append("no document language (/Lang in the catalog; PDF/UA 7.2)")
    prefs = root.get("/ViewerPreferences")
    if not (isinstance(prefs, Dictionary) and _true(prefs.get("/DisplayDocTitle"))):
        result.problems.append("the viewer shows the file name, not the title "
                               "(/ViewerPreferences /DisplayDocTitle true; PDF/UA 7.1)")
    for number, page in enumerate(pdf.pages, 1):
        if page.obj.get("/Annots") and page.obj.get("/Tabs") != Name.S:
            missing.append(f"page {number} has annotations but no /Tabs /S "
                           "(tab order by structure; PDF/UA 7.18.3)")
            break
    annots = [a for page in pdf.pages for a in _array(page.obj.get("/Annots"))
              if isinstance(a, Dictionary)
              and a.get("/Subtype") not in (Name.Popup, Name.PrinterMark)]
    untold = sum(a.get("/Subtype") == Name.Link and not str(a.get("/Contents", "")).strip()
                 for a in annots)
    if untold:
        missing.append(f"{untold} link(s) without a description (/Contents; PDF/UA 7.18.5)")
    if result.tagged:
        outside = sum("/StructParent" not in a for a in annots)
        if outside:
            missing.append(f"{outside} annotation(s) outside the structure tree "
                           "(no /StructParent; PDF/UA 7.18.1)")


def _structure(tree: Dictionary, result: Conformance) -> None:
    role_map = tree.get("/RoleMap")
    roles = {str(k): str(v) for k, v in role_map.items()} if isinstance(role_map, Dictionary) \
        else {}
    seen: set[tuple[int, int]] = set()
    no_alt = no_scope = 0
    stack: list[tuple[object, int]] = [(tree.get("/K"), 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_STRUCT_DEPTH:
            result.problems.append(f"the structure tree is deeper than {MAX_STRUCT_DEPTH}")
            break
        if isinstance(node, Array):
            stack.extend((kid, depth) for kid in node)
            continue
        if not isinstance(node, Dictionary) or "/S" not in node:
            continue  # an MCID, a marked-content or object reference
        if node.objgen != (0, 0):
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        kind = str(node.S)
        for _ in range(10):  # a role map chain ends in a standard type
            if kind not in roles:
                break
            kind = roles[kind]
        if kind == "/Figure" and not str(node.get("/Alt", node.get("/ActualText", ""))).strip():
            no_alt += 1
        if kind == "/TH" and not _has_scope(node):
            no_scope += 1
        stack.append((node.get("/K"), depth + 1))
    if no_alt:
        result.problems.append(f"{no_alt} Figure element(s) without /Alt text (PDF/UA 7.3)")
    if no_scope:
        result.problems.append(f"{no_scope} TH element(s) without /Scope (PDF/UA 7.5)")


def _has_scope(node: Dictionary) -> bool:
    attrs = node.get("/A")
    items = list(attrs) if isinstance(attrs, Array) else [attrs]
    return any(isinstance(a, Dictionary) and a.get("/O") == Name.Table and "/Scope" in a
               for a in items)
