"""RSS 2.0, Atom 1.0 (both through feedgen) and JSON Feed 1.1 (standard library).

The three exporters run once per build over the whole :class:`Publication`
and write to the top of the output folder, cumulative across every release:

=========  ==============  ===========================
format     subscription    archive pages (RFC 5005)
=========  ==============  ===========================
rss        ``feed.xml``    ``feed-archive-N.xml``
atom       ``atom.xml``    ``atom-archive-N.xml``
jsonfeed   ``feed.json``   ``feed-archive-N.json``
=========  ==============  ===========================

Contract (the README repeats it for users):

* The output folder is meant to be published at ``base_url``: feed URLs are
  ``base_url + "feed.xml"`` etc., and pictures are written to ``OUT/media/``
  and referenced as ``base_url + "media/" + name``.
* An item's link is the article's page of the web edition (the ``html``
  format), ``base_url + slug + "/"`` (see :mod:`publikasi.site`), also for
  an article with ``source``: the page names and links the original (and
  JSON Feed gives it as ``external_url``).  The GUID / Atom id / JSON Feed
  id is the same address (``isPermaLink="false"``: the id must not change
  if the page's address scheme ever does).  The
  same article therefore keeps its id across rebuilds, across editions and
  between a release build and a publication build with the same base_url.
  When two releases carry the same slug the newest copy is the one listed.
* Dates come from the content only: an item's date is the article's date
  with its own UTC offset; ``lastBuildDate``/``updated`` is the newest item
  date of that document (``ctx.build_time`` when there are no items).
* ``feed.items`` (default 20) items per document, newest first.  With
  ``feed.archive: true`` and more articles than that, the older ones go to
  archive pages numbered from the oldest (1 = oldest), each page holding
  ``feed.items`` articles except the newest archive page, which fills up as
  the publication grows (RFC 5005 asks that archives "SHOULD NOT" change;
  this is the one page that does until it is full).  Atom and RSS pages carry
  ``fh:archive`` and ``current``/``prev-archive``/``next-archive`` links (in
  RSS as ``atom:link``); JSON Feed uses its own paging, ``next_url``, from
  the subscription document to the newest archive page and on to older ones.
* ``feed.full_content`` (default true): content HTML in ``content:encoded``,
  Atom ``content type="html"`` and ``content_html``; when false, only the
  summary is given.  Content HTML is rendered by :mod:`.html` and then
  passed through nh3 with an allow-list.

Theme keys (``[feeds]`` in ``<theme>/feeds/settings.toml``): ``ttl`` (RSS,
minutes), ``image_profile`` (ImageStore profile for pictures, default
``screen``), ``logo_profile`` (default ``thumb``), ``lead_image_in_content``
(bool).  The channel description used when the publication has none is
the label ``feed_description`` (``{title}``: the publication's title).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import locale
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.html
import nh3
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from .. import __version__, site
from ..errors import fail
from ..images import PROFILES
from ..model import Article, Figure, Publication, Release
from ..urls import FEED_SCHEMES
from ..settings import setting
from . import ExportContext, Exporter, PublicationExporter
from .html import HtmlOptions, blocks_html, figure_html, footnotes_html

ATOM_NS = "http://www.w3.org/2005/Atom"
FH_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "publikasi"

RSS_NAMES = ("feed.xml", "feed-archive-{n}.xml")
ATOM_NAMES = ("atom.xml", "atom-archive-{n}.xml")
JSON_NAMES = ("feed.json", "feed-archive-{n}.json")



@dataclass(frozen=True)
class FeedSettings:
    """``feeds/settings.toml``, shared by RSS, Atom and JSON Feed."""

    ttl: int = setting(60, lo=0, hi=525600)  # RSS <ttl>, minutes; 0: none
    image_profile: str = setting("screen", choices=tuple(PROFILES))
    logo_profile: str = setting("thumb", choices=tuple(PROFILES))
    lead_image_in_content: bool = True


FEED_LABELS = {
    # The channel description when the publication has none.
    "id": {"feed_description": "Berita dan siaran pers terbaru dari {title}."},
    "en": {"feed_description": "The latest news and press releases from {title}."},
}

# ---------------------------------------------------------------- sanitising

_TAGS = {
    "a", "blockquote", "br", "caption", "code", "em", "figcaption", "figure", "footer",
    "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "section", "span", "strong",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt"}, "ol": {"start"},
               "th": {"scope"}}
_ALIGN = {"align-left", "align-right", "align-center"}
_CLASSES = {"td": _ALIGN, "th": _ALIGN, "span": {"credit"}, "section": {"footnotes"}}


def sanitize_html(fragment: str, media_base: str) -> str:
    """Allow-list clean of content HTML for feed readers.

    Only the tags the model can produce survive; scripts and styles are
    removed with their content; links keep http(s)/mailto targets only and
    must be absolute; pictures may only load from ``media_base`` (our own
    published ``media/`` folder), so a feed never makes a reader fetch a
    third-party resource.
    """

    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src" and not value.startswith(media_base):
            return None
        return value

    return nh3.clean(
        fragment, tags=_TAGS, clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES, attribute_filter=keep, allowed_classes=_CLASSES,
        url_schemes=set(FEED_SCHEMES), url_relative="deny", strip_comments=True,
    )


def _drop_page_anchors(fragment: str) -> str:
    """Turn in-page anchors into plain text.

    A feed item is shown out of its page and ids are not kept (they clash with
    the reader's own page), so a ``#fn-1`` link would lead nowhere: footnote
    markers stay as superscript numbers, back-links are removed.
    """
    if 'href="#' not in fragment:
        return fragment
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for a in root.xpath('.//a[starts-with(@href, "#")]'):
        if a.xpath('ancestor::section[contains(@class, "footnotes")]'):
            a.drop_tree()
        else:
            a.drop_tag()
    text = lxml.html.tostring(root, encoding="unicode", method="html")
    return text[len("<div>"): -len("</div>")]


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class MediaRef:
    url: str
    mime: str
    length: int
    width: int
    height: int
    description: str = ""


@dataclass(frozen=True)
class FeedItem:
    guid: str
    url: str
    title: str
    date: dt.datetime
    summary: str
    content_html: str  # "" when the feed is summary-only
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    language: str
    enclosure: MediaRef | None
    media: tuple[MediaRef, ...]
    external_url: str = ""  # the original of a re-published article (``source``)


@dataclass
class FeedPage:
    number: int  # 0: the subscription document; 1..n: archive pages, 1 the oldest
    items: list[FeedItem]
    updated: dt.datetime


@dataclass
class FeedPlan:
    base: str
    title: str
    description: str
    language: str
    author: str
    author_url: str
    logo: MediaRef | None
    full_content: bool
    ttl: int | None
    pages: list[FeedPage] = field(default_factory=list)

    @property
    def archive_count(self) -> int:
        return len(self.pages) - 1

    def url(self, names: tuple[str, str], number: int) -> str:
        return self.base + self.name(names, number)

    @staticmethod
    def name(names: tuple[str, str], number: int) -> str:
        return names[0] if number == 0 else names[1].format(n=number)


def _base(pub: Publication) -> str:
    base = site.base_url(pub)
    if not base:
        where = pub.root / "publication.yaml" if pub.root and pub.root.is_dir() and (
            pub.root / "publication.yaml").is_file() else (pub.root or "-")
        raise fail(where, "`base_url` is required to build feeds (rss, atom, jsonfeed): add "
                   "e.g. `base_url: https://malangkota.go.id/berita/` or pass --base-url")
    return base


def _seconds(when: dt.datetime) -> dt.datetime:
    return when.replace(microsecond=0)


class _Planner:
    """Turns the publication into feed items; writes the pictures they use."""

    def __init__(self, pub: Publication, ctx: ExportContext) -> None:
        self.pub = pub
        self.ctx = ctx
        self.base = _base(pub)
        self.media_base = site.absolute(self.base, site.media_path(""))
        self.settings = ctx.settings(FeedSettings)
        self.profile = self.settings.image_profile

    def media(self, path: Path, profile: str, description: str = "") -> MediaRef:
        prepared = self.ctx.images.prepare(path, profile)
        rel = site.media_path(prepared.name)
        if rel not in self.ctx.sink.written:
            self.ctx.sink.write(rel, prepared.data)
        return MediaRef(self.media_base + prepared.name, prepared.mime, len(prepared.data),
                        prepared.width, prepared.height, description)

    def figure_media(self, fig: Figure) -> MediaRef | None:
        if fig.src is None:  # caption-only photo of a pasted release
            return None
        return self.media(fig.src, self.profile, fig.alt or fig.caption)

    def item(self, release: Release, article: Article) -> FeedItem:
        lang = article.language or release.language or self.pub.language
        guid = url = site.article_url(self.base, article.slug)
        medias = [m for m in (self.figure_media(f) for f in article.figures) if m]
        lead = self.figure_media(article.image) if article.image else None
        categories: list[str] = []
        for c in (article.section, *article.tags):
            if c and c.casefold() not in (x.casefold() for x in categories):
                categories.append(c)
        # A byline code ("nda/ak") is not a name: without named authors the
        # item is credited to the publisher.
        publisher = release.publisher.name or self.pub.publisher.name
        authors = article.authors or ((publisher,) if publisher else ())
        content = ""
        if self.pub.feed.full_content:
            content = self.content_html(article, lang)
        return FeedItem(
            guid=guid, url=url, title=article.title, date=_seconds(article.date),
            summary=article.lead, content_html=content, authors=tuple(authors),
            categories=tuple(categories), language=lang, enclosure=lead,
            media=tuple(dict.fromkeys(medias)), external_url=article.source,
        )

    def content_html(self, article: Article, lang: str) -> str:
        opts = HtmlOptions(
            image_url=lambda fig: (m.url if (m := self.figure_media(fig)) else None),
            link_base=self.base, links=self.ctx.links, footnotes="html",
            id_prefix=f"{article.slug}-",
            photo_label=self.ctx.label("photo", lang), notes_label=self.ctx.label("notes", lang),
        )
        parts = []
        if article.image and self.settings.lead_image_in_content:
            parts.append(figure_html(article.image, opts))
        parts.append(blocks_html(article.blocks, opts))
        parts.append(footnotes_html(article.footnotes, opts))
        fragment = "\n".join(p for p in parts if p)
        return sanitize_html(_drop_page_anchors(fragment), self.media_base)

    def plan(self) -> FeedPlan:
        pub, cfg = self.pub, self.pub.feed
        lang = pub.language or "id"
        chosen: list[tuple[Release, Article]] = []
        seen: dict[str, Release] = {}
        for release, article in pub.all_articles():
            if article.slug in seen:
                where = article.path or release.root or "-"
                message = (f"article slug {article.slug!r} also appears in release "
                           f"{seen[article.slug].slug!r}; the feeds list the newest copy only")
                if f"{where}: {message}" not in self.ctx.warnings:  # once, not per format
                    self.ctx.warn(where, message)
                continue
            seen[article.slug] = release
            chosen.append((release, article))
        limit = max(int(cfg.items), 1)
        keep = chosen if cfg.archive else chosen[:limit]
        items = [self.item(r, a) for r, a in keep]
        current, older = items[:limit], items[limit:]
        older.reverse()  # oldest first: archive page 1 never changes as new items arrive
        chunks = [older[i:i + limit] for i in range(0, len(older), limit)]
        pages = [FeedPage(0, current, self.updated(current))]
        for n, chunk in enumerate(chunks, start=1):
            chunk.reverse()
            pages.append(FeedPage(n, chunk, self.updated(chunk)))
        description = pub.description or self.ctx.label("feed_description", lang,
                                                        title=pub.title)
        logo = None
        if pub.publisher.logo is not None:
            logo = self.media(pub.publisher.logo, self.settings.logo_profile,
                              pub.publisher.name or pub.title)
        ttl = self.settings.ttl
        return FeedPlan(
            base=self.base, title=pub.title, description=description, language=lang,
            author=pub.publisher.name or pub.title, author_url=pub.publisher.url,
            logo=logo, full_content=cfg.full_content,
            ttl=ttl if ttl > 0 else None, pages=pages,
        )

    def updated(self, items: list[FeedItem]) -> dt.datetime:
        if items:
            return max(i.date for i in items)
        return _seconds(self.ctx.build_time)


def plan_feed(pub: Publication, ctx: ExportContext) -> FeedPlan:
    """The items and pages every feed format of this build shows."""
    if ctx.labels is None:  # called on its own, not through an exporter
        ctx = dataclasses.replace(ctx, labels=ctx.theme.labels_for(_FeedExporter))
    return _Planner(pub, ctx).plan()


# ---------------------------------------------------------------- feedgen glue

# feedgen formats RFC 822 dates by switching the whole process to the C
# locale and back (feedgen.util.formatRFC2822), without try/finally.  Other
# exporters may run in threads: serialise feedgen use and always restore.
_FEEDGEN_LOCK = threading.Lock()


@contextmanager
def locale_guard() -> Iterator[None]:
    with _FEEDGEN_LOCK:
        saved = locale.setlocale(locale.LC_ALL)
        try:
            yield
        finally:
            locale.setlocale(locale.LC_ALL, saved)


class _History(BaseExtension):
    """RFC 5005 archive markers; for RSS also the atom:link paging links."""

    def __init__(self) -> None:
        self.archive = False
        self.links: list[tuple[str, str, str]] = []  # (rel, href, type), RSS only

    def extend_ns(self) -> dict[str, str]:
        return {"fh": FH_NS}

    def extend_atom(self, feed: Any) -> Any:
        if self.archive:
            xml_elem(f"{{{FH_NS}}}archive", feed)
        return feed

    def extend_rss(self, rss: Any) -> Any:
        channel = rss.find("channel")
        for rel, href, mime in self.links:
            xml_elem(f"{{{ATOM_NS}}}link", channel, rel=rel, href=href, type=mime)
        if self.archive:
            xml_elem(f"{{{FH_NS}}}archive", channel)
        return rss


class _NoEntryHistory(BaseEntryExtension):
    pass


class _AtomEntryLinks(BaseEntryExtension):
    """Entry links that feedgen 1.0.0 would write without their attributes.

    FeedEntry.atom_entry() reuses the loop variable for the new XML element,
    so every entry link loses rel/type/length: an enclosure would turn into a
    second alternate link.  The alternate link survives (a link without rel
    *is* an alternate one, RFC 4287 section 4.2.7.2); enclosures are written here.
    """

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: Any) -> Any:
        for attrs in self.links:
            # Unqualified like feedgen's own entry children: serialised inside
            # the Atom default namespace (a qualified tag would get a prefix).
            xml_elem("link", entry, **attrs)
        return entry


def _generator(plan: FeedPlan, page: FeedPage, names: tuple[str, str], mime: str,
               rss: bool) -> FeedGenerator:
    fg = FeedGenerator()
    self_url = plan.url(names, page.number)
    fg.id(plan.url(names, 0))  # archive pages belong to the same feed (RFC 5005 section 4)
    fg.title(plan.title)
    fg.language(plan.language)
    fg.author({"name": plan.author, **({"uri": plan.author_url} if plan.author_url else {})})
    fg.generator(GENERATOR, version=__version__)
    fg.updated(page.updated)  # also lastBuildDate; feedgen would use the clock
    if rss:
        fg.description(plan.description)
        fg.docs("https://www.rssboard.org/rss-specification")
        if plan.ttl:
            fg.ttl(plan.ttl)
        if plan.logo:
            fg.image(url=plan.logo.url, title=plan.title, link=plan.base)
        fg.load_extension("dc", atom=False, rss=True)
    else:
        fg.subtitle(plan.description)
        if plan.logo:
            fg.logo(plan.logo.url)
            fg.icon(plan.logo.url)
    fg.load_extension("media", atom=True, rss=True)
    if not rss:
        fg.register_extension("links", BaseExtension, _AtomEntryLinks, atom=True, rss=False)

    paging: list[tuple[str, str]] = []
    if plan.archive_count:
        newest_archive = plan.archive_count
        if page.number == 0:
            paging.append(("prev-archive", plan.url(names, newest_archive)))
        else:
            paging.append(("current", plan.url(names, 0)))
            if page.number > 1:
                paging.append(("prev-archive", plan.url(names, page.number - 1)))
            if page.number < newest_archive:
                paging.append(("next-archive", plan.url(names, page.number + 1)))
        fg.register_extension("fh", _History, _NoEntryHistory, atom=True, rss=True)
        fg.fh.archive = page.number > 0
        if rss:
            fg.fh.links = [(rel, href, mime) for rel, href in paging]

    # Order matters: feedgen's RSS channel <link> is the href of the LAST
    # link() call, and its atom:link in RSS is the first rel="self" one.
    fg.link(href=self_url, rel="self", type=mime)
    if not rss:
        for rel, href in paging:
            fg.link(href=href, rel=rel, type=mime)
    fg.link(href=plan.base, rel="alternate", type="text/html")

    for item in page.items:  # newest first
        fe = fg.add_entry(order="append")
        fe.guid(item.guid, permalink=False)
        fe.title(item.title)
        fe.link(href=item.url, rel="alternate", type="text/html")
        fe.published(item.date)
        fe.updated(item.date)
        if rss:
            # RSS description is HTML: escape the plain-text summary once.
            fe.description(html.escape(item.summary, quote=False) or html.escape(item.title))
            if item.content_html:
                fe.content(item.content_html)  # -> content:encoded, next to description
            for name in item.authors:
                fe.dc.dc_creator(name)
        else:
            for name in item.authors:
                fe.author({"name": name})
            if item.summary:
                fe.summary(item.summary, type="text")
            if item.content_html:
                fe.content(item.content_html, type="html")  # never "CDATA": invalid Atom
        for term in item.categories:
            if rss:
                fe.category(term=term)
            else:
                fe.category(term=term, label=term)
        if item.enclosure and rss:
            fe.enclosure(item.enclosure.url, str(item.enclosure.length), item.enclosure.mime)
        elif item.enclosure:
            fe.links.links.append({"rel": "enclosure", "href": item.enclosure.url,
                                   "type": item.enclosure.mime,
                                   "length": str(item.enclosure.length)})
        for m in item.media:
            fe.media.content(url=m.url, fileSize=str(m.length), type=m.mime, medium="image",
                             width=str(m.width), height=str(m.height), group=None)
    return fg


def _serialise(fg: FeedGenerator, rss: bool) -> bytes:
    with locale_guard():
        data = fg.rss_str(pretty=True) if rss else fg.atom_str(pretty=True)
    return data if data.endswith(b"\n") else data + b"\n"


# ---------------------------------------------------------------- JSON Feed


def _rfc3339(when: dt.datetime) -> str:
    return _seconds(when).isoformat()


def _json_page(plan: FeedPlan, page: FeedPage) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": JSONFEED_VERSION,
        "title": plan.title,
        "home_page_url": plan.base,
        "feed_url": plan.url(JSON_NAMES, 0),
        "description": plan.description,
        "language": plan.language,
        "authors": [{"name": plan.author, **({"url": plan.author_url} if plan.author_url
                                             else {})}],
    }
    if plan.logo:
        doc["icon"] = plan.logo.url
    older = page.number - 1 if page.number else plan.archive_count
    if older >= 1:
        doc["next_url"] = plan.url(JSON_NAMES, older)
    items = []
    for item in page.items:
        entry: dict[str, Any] = {"id": item.guid, "url": item.url, "title": item.title}
        if item.external_url:
            entry["external_url"] = item.external_url
        if item.content_html:
            entry["content_html"] = item.content_html
        else:
            entry["content_text"] = item.summary or item.title
        if item.summary:
            entry["summary"] = item.summary
        if item.enclosure:
            entry["image"] = item.enclosure.url
        entry["date_published"] = _rfc3339(item.date)
        if item.authors:
            entry["authors"] = [{"name": a} for a in item.authors]
        if item.categories:
            entry["tags"] = list(item.categories)
        entry["language"] = item.language
        if item.enclosure:
            entry["attachments"] = [{"url": item.enclosure.url,
                                     "mime_type": item.enclosure.mime,
                                     "size_in_bytes": item.enclosure.length}]
        items.append(entry)
    doc["items"] = items
    return doc


# ---------------------------------------------------------------- exporters


class _FeedExporter(Exporter, PublicationExporter):
    needs_base_url = True
    theme_folder = "feeds"
    settings = FeedSettings
    labels = FEED_LABELS
    names: tuple[str, str] = ("", "")

    def export_publication(self, publication: Publication, ctx: ExportContext) -> None:
        plan = plan_feed(publication, ctx)
        for page in plan.pages:
            ctx.sink.write(plan.name(self.names, page.number), self.render(plan, page))

    def render(self, plan: FeedPlan, page: FeedPage) -> bytes:
        raise NotImplementedError


class RssExporter(_FeedExporter):
    """RSS 2.0 with content:encoded, dc:creator, enclosures and Media RSS."""

    format = "rss"
    description = "RSS 2.0 feed (feed.xml)"
    names = RSS_NAMES

    def render(self, plan: FeedPlan, page: FeedPage) -> bytes:
        return _serialise(_generator(plan, page, self.names, "application/rss+xml", True), True)


class AtomExporter(_FeedExporter):
    """Atom 1.0 (RFC 4287) with RFC 5005 archives."""

    format = "atom"
    description = "Atom 1.0 feed (atom.xml)"
    names = ATOM_NAMES

    def render(self, plan: FeedPlan, page: FeedPage) -> bytes:
        return _serialise(_generator(plan, page, self.names, "application/atom+xml", False),
                          False)


class JsonFeedExporter(_FeedExporter):
    """JSON Feed 1.1, written with the standard library."""

    format = "jsonfeed"
    description = "JSON Feed 1.1 (feed.json)"
    names = JSON_NAMES

    def render(self, plan: FeedPlan, page: FeedPage) -> bytes:
        text = json.dumps(_json_page(plan, page), ensure_ascii=False, indent=2)
        return (text + "\n").encode("utf-8")


__all__ = ["AtomExporter", "FeedPlan", "JsonFeedExporter", "RssExporter", "locale_guard",
           "plan_feed", "sanitize_html"]
