"""Crafting hostile Word files from real exported ones (for the import safety tests).

Each helper copies a ``.docx`` that publikasi exported and changes one thing
the way an attacker (or a broken program) would: document properties, one
XML part, or the compressed bytes of one ZIP member.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from lxml import etree

CUSTOM = "docProps/custom.xml"
OP = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def parts_of(docx: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(docx) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_parts(dst: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return dst


def properties(docx: Path) -> dict[str, str]:
    root = etree.fromstring(parts_of(docx)[CUSTOM])
    return {p.get("name"): "".join(p.itertext()) for p in root}


def with_properties(src: Path, dst: Path, changes: dict[str, str | None]) -> Path:
    """``src`` with custom properties set (a value) or removed (None)."""
    parts = parts_of(src)
    root = etree.fromstring(parts[CUSTOM])
    for prop in list(root):
        name = prop.get("name")
        if name in changes:
            if changes[name] is None:
                root.remove(prop)
            else:
                prop[0].text = changes[name]
    present = {p.get("name") for p in root}
    pid = 2 + len(root)
    for name, value in changes.items():
        if value is not None and name not in present:
            prop = etree.SubElement(root, f"{{{OP}}}property", fmtid=FMTID, pid=str(pid),
                                    name=name)
            etree.SubElement(prop, f"{{{VT}}}lpwstr").text = value
            pid += 1
    parts[CUSTOM] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                   standalone=True)
    return write_parts(dst, parts)


def with_part(src: Path, dst: Path, name: str, data: bytes) -> Path:
    parts = parts_of(src)
    parts[name] = data
    return write_parts(dst, parts)


def damage_member(src: Path, dst: Path, name: str, offset: int = 0,
                  garbage: bytes = b"\xff\xff\xff\xff") -> Path:
    """``src`` with the compressed bytes of member ``name`` overwritten at ``offset``.

    The default (``0xff`` at the start of the deflate stream) is a block of
    the reserved type: zlib fails with "invalid block type".
    """
    write_parts(dst, parts_of(src))
    with zipfile.ZipFile(dst) as zf:
        info = zf.getinfo(name)
    raw = bytearray(dst.read_bytes())
    header = info.header_offset
    name_len, extra_len = struct.unpack("<HH", raw[header + 26:header + 30])
    start = header + 30 + name_len + extra_len + offset
    raw[start:start + len(garbage)] = garbage
    dst.write_bytes(bytes(raw))
    return dst
