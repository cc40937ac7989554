"""EPUB 3 exporter (EbookLib): the edition as an accessible, reproducible e-book.

Layout of the package (under ``EPUB/`` in the zip)::

    cover.xhtml       the cover picture (first in reading order, linear)
    masthead.xhtml    title page: publisher, title, edition, date, contents
    nav.xhtml         navigation document: nested toc, landmarks
    toc.ncx           EPUB 2 table of contents for old reading systems
    text/<slug>.xhtml one <article> per press article
    images/…          pictures after the shared image pipeline, deduplicated
    css/style.css     the theme's ``epub/style.css``

EbookLib writes the package document, the NCX and the nav; the content
documents are written here (EbookLib re-parses chapters with an HTML parser,
which loses attributes on <body> and the document head).  Every trap listed
for EbookLib 0.20 in the project notes is handled where it arises; search
for "pitfall" below.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ebooklib import epub
from lxml import etree

from ... import __version__
from ...errors import fail
from ...i18n import long_date
from ...images import PreparedImage
from ...model import Article, Figure, Publication, Release
from ...repro import edition_time, normalize_zip, packed_members
from ...settings import setting
from ...text import unique_casefold
from .. import ExportContext, Exporter, ReleaseExporter
from ...urls import followable
from ..html import HtmlOptions
from .cover import LAYOUTS, CoverStyle, CoverText, colour, render_cover
from .documents import (
    EPUB_NS,
    Labels,
    TocEntry,
    article_body,
    cover_body,
    document,
    figure_alt,
    masthead_body,
    undescribed_data_picture,
)

# EPUB Accessibility 1.1, section 2.1: the conformance string reading systems and
# Ace recognise for the WCAG 2.1 AA level.
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")
_UNSAFE_NAME = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True)
class CoverSettings:
    """``[cover]``: the cover publikasi draws when a release has no ``cover:`` picture."""

    layout: str = setting("plain", choices=LAYOUTS)
    background: str = "accent"  # a name from [colors] or "#rrggbb"
    foreground: str = "#ffffff"
    page: str = "#ffffff"
    text: str = "text"
    width: int = setting(1600, lo=300, hi=4000)
    height: int = setting(2400, lo=300, hi=6000)
    headlines: int = setting(3, lo=0, hi=20)


@dataclass(frozen=True)
class EpubSettings:
    """``epub/settings.toml``."""

    cover: CoverSettings = field(default_factory=CoverSettings)


# The e-book's own labels (the shared ones are publikasi.labels.COMMON).
_LABELS: dict[str, dict[str, str]] = {
    "id": {
        "start": "Mulai Membaca",
        "landmarks": "Penanda",
        "masthead": "Halaman Judul",
        "cover_alt": "Sampul {title}",
        "a11y_summary": (
            "Publikasi ini berupa teks yang dapat diatur ukuran dan tampilannya. Navigasi "
            "terstruktur tersedia: daftar isi bersarang per rubrik, penanda (sampul, daftar isi, "
            "awal bacaan), judul berjenjang, dan urutan baca yang logis. Catatan kaki ditautkan "
            "dua arah. {images}"
        ),
        "a11y_images_ok": "Setiap gambar memiliki teks alternatif dan keterangan.",
        "a11y_images_missing": ("Sebagian gambar tidak memiliki teks alternatif; isinya "
                                "mungkin hanya dapat dipahami secara visual."),
        "a11y_no_images": "Publikasi ini tidak memuat gambar selain sampul.",
    },
    "en": {
        "start": "Start Reading",
        "landmarks": "Landmarks",
        "masthead": "Title Page",
        "cover_alt": "Cover of {title}",
        "a11y_summary": (
            "This publication is reflowable text whose size and appearance readers can adjust. "
            "It offers structural navigation: a table of contents nested by section, landmarks "
            "(cover, contents, start of reading), ranked headings and a logical reading order. "
            "Footnotes are linked both ways. {images}"
        ),
        "a11y_images_ok": "Every picture has alternative text and a caption.",
        "a11y_images_missing": ("Some pictures have no alternative text; their content may "
                                "only be available visually."),
        "a11y_no_images": "The publication has no pictures besides the cover.",
    },
}


def book_identifier(release: Release, publication: Publication) -> str:
    """A stable ``urn:uuid`` for the edition: the same release always gets the same id.

    Derived (UUID 5) from the site URL when there is one, else from the
    publication's and the release's slugs; never random, so rebuilding never
    makes a reading system think it is a different book.
    """
    base = (release.base_url or publication.base_url).strip()
    if base:
        key = f"{base.rstrip('/')}/{release.slug}"
    else:
        key = f"publikasi:{publication.slug or release.slug}/{release.slug}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"


def reading_order(articles: Iterable[Article]) -> list[tuple[str, list[Article]]]:
    """Group articles by section, sections in order of first appearance.

    Articles without a section form one group (section ""), placed where the
    first of them appears; the contents name it with the ``other_section``
    label when other groups have a section, so those articles never look
    filed under the section before them.  The spine follows this order too:
    EPUBCheck wants the toc in reading order.
    """
    groups: list[tuple[str, list[Article]]] = []
    index: dict[str, int] = {}
    for article in articles:
        if article.section in index:
            groups[index[article.section]][1].append(article)
            continue
        index[article.section] = len(groups)
        groups.append((article.section, [article]))
    return groups


@dataclass
class _Pictures:
    """Images of the book, one manifest item per distinct prepared file."""

    book: epub.EpubBook
    items: dict[str, epub.EpubImage] = field(default_factory=dict)

    def add(self, prepared: PreparedImage) -> str:
        """-> path of the image inside ``EPUB/`` (``images/img-….jpg``)."""
        href = f"images/{prepared.name}"
        if prepared.name not in self.items:
            item = epub.EpubImage(uid=f"img-{prepared.digest}", file_name=href,
                                  media_type=prepared.mime, content=prepared.data)
            self.book.add_item(item)
            self.items[prepared.name] = item
        return href


class _Document(epub.EpubHtml):
    """A content document whose bytes are written exactly as given.

    EbookLib's own ``get_content`` rebuilds chapters through lxml's HTML
    parser, dropping <body> attributes and anything in <head> but title and
    links; we serialise documents ourselves instead.
    """

    def __init__(self, uid: str, file_name: str, title: str, lang: str, data: bytes) -> None:
        super().__init__(uid=uid, file_name=file_name, title=title, lang=lang)
        self.content = data
        self._data = data

    def get_content(self, default: Any = None) -> bytes:
        return self._data


class _Writer(epub.EpubWriter):
    """EbookLib's writer with a nav document finished the way EPUB 3 readers expect."""

    def __init__(self, name: Any, book: epub.EpubBook, options: dict[str, Any],
                 nav_lang: dict[str, str]) -> None:
        super().__init__(name, book, options)
        self._nav_lang = nav_lang

    def _write_opf_file(self, root: etree._Element) -> None:
        # The package's own language (xml:lang on <package>): Ace calls its
        # absence serious, and EbookLib never sets it.
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_file(root)

    def _get_nav(self, item: epub.EpubNav) -> bytes:
        tree = etree.fromstring(super()._get_nav(item))
        ns = {"x": "http://www.w3.org/1999/xhtml", "epub": EPUB_NS}
        epub_type = f"{{{EPUB_NS}}}type"
        for nav in tree.iterfind(".//x:nav", ns):
            kind = nav.get(epub_type)
            if kind == "toc":
                nav.set("id", "toc")  # EbookLib calls it "id"
                nav.set("aria-labelledby", "toc-title")
                title = nav.find("x:h2", ns)
                if title is not None:
                    title.set("id", "toc-title")
            elif kind == "landmarks":
                # Landmarks are for the reading system's menus, not for display.
                nav.set("hidden", "hidden")
                nav.set("id", "landmarks")
        # An article in another language keeps its language in the contents.
        for a in tree.iterfind(".//x:nav//x:a", ns):
            lang = self._nav_lang.get(a.get("href", ""))
            if lang:
                a.set("lang", lang)
                a.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
        return etree.tostring(tree.getroottree(), encoding="utf-8", xml_declaration=True,
                              pretty_print=True)


class EpubExporter(Exporter, ReleaseExporter):
    """``<release-slug>.epub``: EPUB 3 with EPUB 2 NCX, valid under EPUBCheck 5 and Ace."""

    format = "epub"
    description = "EPUB 3 e-book of the edition (cover, nested contents, accessibility metadata)"
    settings = EpubSettings
    labels = _LABELS

    def export_release(self, release: Release, ctx: ExportContext) -> None:
        ctx.sink.write(f"{release.slug}.epub", build_epub(release, ctx))


def _label(ctx: ExportContext, key: str, lang: str, **values: object) -> str:
    return ctx.label(key, lang, **values)


def _stylesheet(ctx: ExportContext) -> bytes:
    """The theme's ``epub/style.css``; ``{{ colors.accent }}`` takes a theme value."""
    path = ctx.theme.file("epub/style.css")
    try:
        css = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(path, f"cannot read the stylesheet ({exc})") from None

    def sub(m: re.Match[str]) -> str:
        value = ctx.theme.get(m.group(1))
        if value is None or isinstance(value, (dict, list)):
            line = css.count("\n", 0, m.start()) + 1
            raise fail(path, f"`{{{{ {m.group(1)} }}}}` does not name a theme value", line)
        return str(value)

    return _PLACEHOLDER.sub(sub, css).encode("utf-8")


def _cover_style(ctx: ExportContext) -> CoverStyle:
    cover = ctx.settings(EpubSettings).cover
    where = ctx.theme.chain[0] / "epub" / "settings.toml"
    palette = {k: str(v) for k, v in (ctx.theme.get("colors") or {}).items()}
    return CoverStyle(
        layout=cover.layout, width=cover.width, height=cover.height,
        background=colour(cover.background, palette, where),
        foreground=colour(cover.foreground, palette, where),
        page=colour(cover.page, palette, where),
        text=colour(cover.text, palette, where),
        max_headlines=cover.headlines,
    )


def build_epub(release: Release, ctx: ExportContext) -> bytes:
    """The EPUB of one release, as deterministic bytes."""
    pub = ctx.publication
    lang = release.language or "id"
    book = epub.EpubBook()
    book.FOLDER_NAME = "EPUB"
    # pitfall: the default identifier is a random UUID.
    identifier = book_identifier(release, pub)
    book.set_identifier(identifier)
    book.set_unique_metadata("OPF", "generator", "",
                             {"name": "generator", "content": f"publikasi {__version__}"})
    title = release.title
    if release.edition:
        title = f"{release.title} — {_label(ctx, 'edition', lang, edition=release.edition)}"
    book.set_title(title)
    # pitfall: `id_ID` is no language tag; the model holds BCP 47 tags (`id`, `en-US`).
    book.set_language(lang)
    book.add_metadata("DC", "date", release.date.isoformat())
    publisher = release.publisher.name or pub.publisher.name
    if publisher:
        book.add_metadata("DC", "publisher", publisher)
    description = release.description or pub.description or _summary(release, ctx, lang)
    book.add_metadata("DC", "description", description)
    authors = unique_casefold(a for art in release.articles for a in art.authors)
    # pitfall: add_author() gives every creator the same id unless told otherwise.
    for i, name in enumerate(authors or ([publisher] if publisher else []), 1):
        book.add_author(name, role="aut" if authors else None, uid=f"creator-{i}")
    for subject in unique_casefold([a.section for a in release.articles] +
                                   [t for a in release.articles for t in a.tags]):
        book.add_metadata("DC", "subject", subject)
    if not pub.is_single_release and pub.title:
        book.add_metadata(None, "meta", pub.title,
                          {"property": "belongs-to-collection", "id": "collection"})
        book.add_metadata(None, "meta", "series",
                          {"refines": "#collection", "property": "collection-type"})

    css = epub.EpubItem(uid="style", file_name="css/style.css", media_type="text/css",
                        content=_stylesheet(ctx))
    book.add_item(css)
    pictures = _Pictures(book)

    # ------------------------------------------------------------- cover
    cover_href, cover_alt = _cover(release, ctx, book, lang)
    cover_doc = _Document("cover", "cover.xhtml", _label(ctx, "cover", lang), lang,
                          document(_label(ctx, "cover", lang), lang,
                                   cover_body(cover_href, cover_alt, _label(ctx, "cover", lang)),
                                   "css/style.css", body_class="cover-page"))
    book.add_item(cover_doc)

    # ------------------------------------------------------------- articles
    groups = reading_order(release.articles)
    chapters: dict[str, _Document] = {}
    nav_lang: dict[str, str] = {}
    missing_alt: list[str] = []
    pictured = 0
    used: set[str] = set()
    for _, articles in groups:
        for article in articles:
            name = _file_name(article.slug, used)
            href = f"text/{name}.xhtml"
            art_lang = article.language or lang
            art_labels = Labels(
                photo=_label(ctx, "photo", art_lang), notes=_label(ctx, "notes", art_lang),
                byline=_label(ctx, "byline", art_lang), source=_label(ctx, "source", art_lang),
                tags=_label(ctx, "tags", art_lang), section=_label(ctx, "section", art_lang))

            def image_url(fig: Figure, _prefix: str = "../") -> str | None:
                if fig.src is None:  # a pasted release names the photo by its caption only
                    return None
                return _prefix + pictures.add(ctx.images.prepare(fig.src, "screen"))

            opts = HtmlOptions(image_url=image_url, link_base=release.base_url or pub.base_url,
                               links=ctx.links, footnotes="epub", photo_label=art_labels.photo,
                               notes_label=art_labels.notes, link_filter=_book_link)
            for fig in article.figures:
                if fig.src is None:
                    continue
                pictured += 1
                if not figure_alt(fig):
                    missing_alt.append(fig.src.name)
                    ctx.warn(article.path or article.slug,
                             f"picture {fig.src.name} has neither alt text nor a caption; "
                             "the EPUB cannot claim to be readable as text alone")
                elif undescribed_data_picture(fig):
                    missing_alt.append(fig.src.name)
                    ctx.warn(article.path or article.slug,
                             f"picture {fig.src.name} is a chart whose alt text gives no "
                             "figures; write its values in the alt text, or the EPUB cannot "
                             "claim to be readable as text alone")
            body = article_body(article, opts, art_labels)
            data = document(article.title, art_lang, body, "../css/style.css",
                            body_type="bodymatter", body_class="chapter")
            chapter = _Document(f"art-{name}", href, article.title, art_lang, data)
            book.add_item(chapter)
            chapters[article.slug] = chapter
            if art_lang != lang:
                nav_lang[href] = art_lang

    # ------------------------------------------------------------- contents
    toc: list[Any] = []
    masthead_toc: list[TocEntry] = []
    other = _label(ctx, "other_section", lang) if any(s for s, _ in groups) else ""
    for section, articles in groups:
        docs = [chapters[a.slug] for a in articles]
        entries = tuple(TocEntry(a.title, chapters[a.slug].file_name, nav_lang.get(
            chapters[a.slug].file_name, "")) for a in articles)
        section = section or other
        if section:
            toc.append((epub.Section(section, href=docs[0].file_name), docs))
            masthead_toc.append(TocEntry(section, docs[0].file_name, "", entries))
        else:
            toc.extend(docs)
            masthead_toc.extend(entries)
    book.toc = toc

    logo_href = ""
    logo = release.publisher.logo or pub.publisher.logo
    if logo is not None:
        logo_href = pictures.add(ctx.images.prepare(logo, "screen"))
    contents_label = _label(ctx, "contents", lang)
    masthead_title = _label(ctx, "masthead", lang)
    masthead = _Document(
        "masthead", "masthead.xhtml", masthead_title, lang,
        document(release.title, lang, masthead_body(
            title=release.title,
            edition=_label(ctx, "edition", lang, edition=release.edition) if release.edition
            else "",
            date=release.date, language=lang, publisher=publisher,
            publisher_url=release.publisher.url or pub.publisher.url,
            description=release.description or pub.description, logo_href=logo_href,
            contents_label=contents_label,
            contents=[_relative(e, "") for e in masthead_toc]),
            "css/style.css", body_type="frontmatter", body_class="masthead-page"))
    book.add_item(masthead)

    nav = epub.EpubNav(uid="nav", file_name="nav.xhtml", title=contents_label)
    nav.add_link(href="css/style.css", rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())

    ordered = [chapters[a.slug] for _, arts in groups for a in arts]
    # pitfall: set_cover() alone leaves a non-linear cover page nothing links
    # to; our cover page is linear, first in the spine, and a landmark.
    book.spine = [cover_doc, masthead, *ordered]
    book.guide = [
        {"type": "cover", "href": "cover.xhtml", "title": _label(ctx, "cover", lang)},
        # The visible contents on the masthead page: the nav document is not in
        # the spine, and EPUBCheck refuses links to documents outside it (RSC-011).
        {"type": "toc", "href": "masthead.xhtml#contents", "title": contents_label},
        {"type": "text", "href": ordered[0].file_name if ordered else "masthead.xhtml",
         "title": _label(ctx, "start", lang)},
    ]

    # ------------------------------------------------------------- accessibility
    sufficient_text = not missing_alt
    for mode in ("textual", "visual"):
        book.add_metadata(None, "meta", mode, {"property": "schema:accessMode"})
    if sufficient_text:
        book.add_metadata(None, "meta", "textual", {"property": "schema:accessModeSufficient"})
    book.add_metadata(None, "meta", "textual,visual", {"property": "schema:accessModeSufficient"})
    features = ["structuralNavigation", "tableOfContents", "readingOrder",
                "displayTransformability"]
    if sufficient_text:
        features.append("alternativeText")
    for feature in features:
        book.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    book.add_metadata(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    images_note = (_label(ctx, "a11y_no_images", lang) if not pictured else
                   _label(ctx, "a11y_images_ok", lang) if sufficient_text else
                   _label(ctx, "a11y_images_missing", lang))
    book.add_metadata(None, "meta", _label(ctx, "a11y_summary", lang, images=images_note),
                      {"property": "schema:accessibilitySummary"})
    if sufficient_text:
        # Only claim WCAG AA when nothing we know of contradicts it.
        book.add_metadata(None, "meta", CONFORMS_TO, {"property": "dcterms:conformsTo"})
        book.add_metadata(None, "meta", publisher or release.title,
                          {"property": "a11y:certifiedBy"})

    # ------------------------------------------------------------- write
    buf = io.BytesIO()
    options = {
        # pitfall: dcterms:modified is local time with a "Z" unless given a UTC time.
        "mtime": edition_time(release).astimezone(dt.UTC),
        # pitfall: write_epub swallows OSError and returns False.
        "raise_exceptions": True,
        "landmark_title": _label(ctx, "landmarks", lang),
        # EbookLib's page-list treats every element with epub:type and an id
        # (noterefs, footnotes) as a page break; we have no print pages to map.
        "epub3_pages": False,
        "epub2_guide": True,
        # normalize_zip below unpacks and compresses every member anyway: EbookLib
        # need not compress them first (the bytes of the EPUB are the same).
        "compresslevel": 0,
    }
    writer = _Writer(buf, book, options, nav_lang)
    writer.process()
    writer.write()
    data = buf.getvalue()
    packed = packed_members(zipfile.ZipFile(io.BytesIO(data)).namelist())
    return normalize_zip(data, edition_time(release), first=("mimetype",),
                         stored=("mimetype", *packed))


def _cover(release: Release, ctx: ExportContext, book: epub.EpubBook,
           lang: str) -> tuple[str, str]:
    """Add the cover image (given or generated) -> (href from EPUB/, alt text)."""
    edition = _label(ctx, "edition", lang, edition=release.edition) if release.edition else ""
    date = long_date(release.date, lang)
    alt = _label(ctx, "cover_alt", lang, title=release.title)
    alt = ", ".join(x for x in (alt, edition, date) if x)
    # A cover photo gets the masthead composed under it: the cover shows the
    # title, edition and date its alt text names.
    photo = ctx.images.prepare(release.cover, "screen").data if release.cover else None
    publisher = release.publisher.name or ctx.publication.publisher.name
    text = CoverText(title=release.title, edition=edition, date=date, publisher=publisher,
                     headlines=tuple(a.title for _, arts in reading_order(release.articles)
                                     for a in arts),
                     logo=release.publisher.logo or ctx.publication.publisher.logo,
                     photo=photo)
    data, ext, mime = render_cover(text, _cover_style(ctx)), ".jpg", "image/jpeg"
    href = f"images/cover{ext}"
    item = epub.EpubCover(uid="cover-img", file_name=href)
    item.media_type = mime
    item.content = data
    book.add_item(item)
    # EPUB 2 readers look for this meta; EPUB 3 ones for properties="cover-image".
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
    return href, alt


def _book_link(href: str) -> str | None:
    """Keep links a reader can follow from inside the book; drop dangling relative ones."""
    if followable(href):
        return href
    # Relative links (no base_url) and fragments point at files or ids the
    # book does not contain: EPUBCheck calls them errors (RSC-007, RSC-012).
    return None


def _relative(entry: TocEntry, prefix: str) -> TocEntry:
    return TocEntry(entry.title, prefix + entry.href, entry.lang,
                    tuple(_relative(c, prefix) for c in entry.children))


def _file_name(slug: str, used: set[str]) -> str:
    base = _UNSAFE_NAME.sub("-", slug.lower()).strip("-") or "artikel"
    name, n = base, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name)
    return name


def _summary(release: Release, ctx: ExportContext, lang: str) -> str:
    """A description when the source has none: the edition and its headlines."""
    head = release.title
    if release.edition:
        head += f", {_label(ctx, 'edition', lang, edition=release.edition)}"
    head += f" ({long_date(release.date, lang)})"
    titles = "; ".join(a.title for a in release.articles)
    return f"{head}: {titles}." if titles else head


__all__ = ["CONFORMS_TO", "EpubExporter", "book_identifier", "build_epub", "reading_order"]
