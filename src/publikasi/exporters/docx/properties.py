"""Document properties: core (Dublin Core), extended (app.xml) and custom.

python-docx would leave its template's values (author ``python-docx``, a 2013
date) in any property not set, limits text to 255 characters and writes
local times with a ``Z``.  Here every part is rewritten whole, with UTC times.

Custom properties carry the article's identity for ``publikasi import``:

==========================  ====================================================
``publikasi.kind``          ``article`` or ``edition``
``publikasi.version``       format of these properties (``1``)
``publikasi.slug``          article slug
``publikasi.release``       release (edition) slug
``publikasi.publication``   publication slug, when there is one
``publikasi.source``        source file, relative to the release folder
``publikasi.hash``          sha256 of the article model (inspect JSON minus path)
``publikasi.date``          ISO 8601 date or date-time (with offset)
``publikasi.dateline``      place of the dateline
``publikasi.authors``       JSON list of names
``publikasi.byline``        newsroom credit code (``gil/yn``)
``publikasi.section``       section
``publikasi.tags``          JSON list of tags
``publikasi.language``      BCP 47 tag of the article
``publikasi.source_url``    canonical URL of the original
``publikasi.source_credit`` "Sumber: ..." line of a pasted release
``publikasi.image.src``     lead photo file, relative to the release folder
``publikasi.edition``       edition label (edition files)
==========================  ====================================================

Empty values are left out.  The title is the core ``dc:title``; the summary
is ``dc:description``, and a summary the source set explicitly (rather than
derived from the first paragraph) is also the document's ``Standfirst``
paragraph.  Each body picture's ``wp:docPr/@name`` is its source file,
relative to the release folder; ``@descr`` is its alt text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from xml.sax.saxutils import escape

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.parser import parse_xml

from ...model import Article, Release
from ...serialize import article_json, date_json

FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
PROPERTIES_VERSION = "1"


def release_base(release: Release) -> Path | None:
    """The folder that source and image paths are relative to."""
    if release.root is None:
        return None
    return release.root if release.root.is_dir() else release.root.parent


def article_hash(article: Article, base: Path | None) -> str:
    """A content hash of the article model: changes iff the inspect JSON would (minus path)."""
    data = article_json(article, base)
    data.pop("path", None)
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def relpath(path: Path | None, base: Path | None) -> str:
    if path is None:
        return ""
    if base is not None:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return path.name



def article_custom(article: Article, release: Release, publication_slug: str) -> dict[str, str]:
    base = release_base(release)
    return {
        "publikasi.kind": "article",
        "publikasi.version": PROPERTIES_VERSION,
        "publikasi.slug": article.slug,
        "publikasi.release": release.slug,
        "publikasi.publication": publication_slug,
        "publikasi.source": relpath(article.path, base),
        "publikasi.hash": article_hash(article, base),
        "publikasi.date": date_json(article.date, article.has_time),
        "publikasi.dateline": article.dateline,
        "publikasi.authors": json.dumps(list(article.authors), ensure_ascii=False)
        if article.authors else "",
        "publikasi.byline": article.byline,
        "publikasi.section": article.section,
        "publikasi.tags": json.dumps(list(article.tags), ensure_ascii=False)
        if article.tags else "",
        "publikasi.language": article.language,
        "publikasi.source_url": article.source,
        "publikasi.source_credit": article.source_credit,
        "publikasi.image.src": relpath(article.image.src, base)
        if article.image and article.image.src else "",
    }


def edition_custom(release: Release, publication_slug: str) -> dict[str, str]:
    return {
        "publikasi.kind": "edition",
        "publikasi.version": PROPERTIES_VERSION,
        "publikasi.release": release.slug,
        "publikasi.publication": publication_slug,
        "publikasi.edition": release.edition,
        "publikasi.date": release.date.isoformat(),
        "publikasi.language": release.language,
    }


def custom_xml(values: dict[str, str]) -> bytes:
    items = []
    pid = 2  # pids 0 and 1 are reserved
    for name, value in values.items():
        if not value:
            continue
        items.append(f'<property fmtid="{FMTID}" pid="{pid}" name="{escape(name)}">'
                     f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>")
        pid += 1
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}">{"".join(items)}</Properties>'
            ).encode()


def app_xml(template: str, company: str) -> bytes:
    company_el = f"<Company>{escape(company)}</Company>" if company else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{APP_NS}" xmlns:vt="{VT_NS}">'
            f"<Template>{escape(template)}</Template><Application>publikasi</Application>"
            f"<DocSecurity>0</DocSecurity>{company_el}<LinksUpToDate>false</LinksUpToDate>"
            "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
            "</Properties>").encode()


def w3cdtf(stamp: dt.datetime) -> str:
    return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def core_xml(*, title: str, creator: str, subject: str, description: str, keywords: str,
             category: str, language: str, identifier: str, last_modified_by: str,
             created: dt.datetime, modified: dt.datetime) -> bytes:
    def el(tag: str, value: str) -> str:
        return f"<{tag}>{escape(value)}</{tag}>" if value else ""

    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            + el("dc:title", title) + el("dc:subject", subject) + el("dc:creator", creator)
            + el("cp:keywords", keywords) + el("dc:description", description)
            + el("cp:lastModifiedBy", last_modified_by) + "<cp:revision>1</cp:revision>"
            + f'<dcterms:created xsi:type="dcterms:W3CDTF">{w3cdtf(created)}</dcterms:created>'
            + f'<dcterms:modified xsi:type="dcterms:W3CDTF">{w3cdtf(modified)}'
            "</dcterms:modified>"
            + el("cp:category", category) + el("dc:identifier", identifier)
            + el("dc:language", language)
            + "</cp:coreProperties>").encode("utf-8")


def apply(doc, *, core: bytes, app: bytes, custom: bytes) -> None:
    """Replace the three property parts of a python-docx document."""
    package = doc.part.package
    core_part = package.part_related_by(RT.CORE_PROPERTIES)
    # CorePropertiesPart is an XmlPart: swap the element's children in place.
    new_core = parse_xml(core)
    element = core_part.element
    for child in list(element):
        element.remove(child)
    for child in list(new_core):
        element.append(child)
    _set_blob(package, RT.EXTENDED_PROPERTIES, "/docProps/app.xml",
              CT.OFC_EXTENDED_PROPERTIES, app)
    _set_blob(package, RT.CUSTOM_PROPERTIES, "/docProps/custom.xml",
              CT.OFC_CUSTOM_PROPERTIES, custom)


def _set_blob(package, reltype: str, partname: str, content_type: str, blob: bytes) -> None:
    """Set the content of a generic package part, adding the part when it is missing."""
    try:
        part = package.part_related_by(reltype)
    except KeyError:
        part = Part(PackURI(partname), content_type, blob, package)
        package.relate_to(part, reltype)
        return
    # python-docx loads these as generic parts whose content is their blob.
    part._blob = blob
