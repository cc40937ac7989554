"""The web edition (format ``html``): the pages the feeds link to.

Written once per build for the whole publication, at the addresses of
:mod:`publikasi.site`:

* ``index.html``: the newest edition's lead stories and contents by section,
  the archive of all editions, feed autodiscovery;
* ``<slug>/index.html``: one page per article (also for an article with
  ``source``, whose page names the original and points ``rel=canonical`` at
  it).  When two editions carry the same slug the newest copy gets the page;
* ``<release>/index.html`` (``edisi/index.html`` for a lone release): the
  edition page with the downloads of its PDF, EPUB and Word file.  It is
  written by :meth:`WebExporter.finish_build`, after every other task of the
  build, because it shows the size of files other exporters write (an
  exporter never reads another's files inside a task);
* ``rubrik/<section>/index.html``: the articles of one section, all editions;
* ``sitemap.xml`` and ``robots.txt`` (with ``base_url`` only; then the pages
  also name the feeds for autodiscovery), ``404.html``,
  the stylesheet ``assets/style-<hash>.css`` and pictures in ``media/``
  (shared with the feeds: a picture's name is the digest of its bytes).

Pages link to each other with relative paths that name ``index.html``, so
the folder works opened from disk, at a domain root and under a sub-path;
absolute URLs appear only where the web needs them (canonical, Open Graph,
JSON-LD, sitemap, and the links of ``404.html``, which a server shows at any
address).  Without ``base_url`` those are left out, with one warning.

The look comes from the publication's theme (the newest edition's):
``<theme>/html/`` holds Jinja2 templates (autoescaped) and ``style.css``
(a Jinja2 template too, for ``{{ colors.accent }}`` and the like); a theme
overrides any one of those files, the rest comes from its parent.  Settings
(``html/settings.toml``, key ``[html]``): ``image_profiles`` (ImageStore
profiles offered in ``srcset``), ``lead_stories`` (how many on the front
page), ``labels.<lang>`` (the words of the pages).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit


from ... import site
from ...errors import fail
from ...i18n import article_date, babel_locale, long_date
from ...images import PROFILES
from ...labels import LabelTexts
from ...model import Article, Figure, Publication, Release
from ...settings import setting
from ...text import CREDIT_SEPARATOR
from ...urls import encode_href, resolve_relative, url_scheme
from .. import BuildFinisher, ExportContext, Exporter, PublicationExporter, ReleaseExporter
from ..html import HtmlOptions, blocks_html, footnotes_html

# Jinja2 is imported when pages are made, not when the class is looked up:
# every build looks up every exporter to check the theme's settings.
if TYPE_CHECKING:
    import jinja2

# The edition files an edition page offers, in this order: (extension, label key, MIME type).
DOWNLOADS = (("pdf", "download_pdf", "application/pdf"),
             ("epub", "download_epub", "application/epub+zip"),
             ("docx", "download_docx",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))

FEEDS = (("rss", "feed.xml", "application/rss+xml", "RSS"),
         ("atom", "atom.xml", "application/atom+xml", "Atom"),
         ("jsonfeed", "feed.json", "application/feed+json", "JSON Feed"))

DEFAULT_PROFILES = ("thumb", "medium", "screen")


@dataclass(frozen=True)
class HtmlSettings:
    """``html/settings.toml``."""

    image_profiles: tuple[str, ...] = setting(DEFAULT_PROFILES, choices=tuple(PROFILES))
    lead_stories: int = setting(3, lo=0, hi=20)  # lead stories on the front page
    body_image_sizes: str = "(min-width: 48rem) 44rem, 100vw"  # <img sizes> in article bodies


WEB_LABELS: LabelTexts = {
    "id": {
        "skip": "Langsung ke isi",
        "home": "Beranda",
        "sections": "Rubrik",
        "section_title": "Rubrik {name}",
        "latest_edition": "Edisi terbaru",
        "lead_stories": "Berita utama",
        "archive": "Arsip edisi",
        "article_count": "{n} artikel",
        "edition_page": "Halaman {edition}",
        "downloads": "Unduh edisi ini",
        "no_downloads": "Belum ada berkas unduhan untuk edisi ini.",
        "download_pdf": "Buletin cetak",
        "download_epub": "E-book",
        "download_docx": "Dokumen Word",
        "download_edition": "Unduh edisi ini",
        "published_in": "Dimuat dalam",
        "edition_box": "Edisi",
        "previous": "Sebelumnya",
        "next": "Berikutnya",
        "more_in_edition": "Artikel lain di edisi ini",
        "original": "Sumber asli",
        "other": "Lainnya",
        "subscribe": "Berlangganan",
        "not_found": "Halaman tidak ditemukan",
        "not_found_text": "Alamat yang Anda buka tidak ada atau sudah dipindahkan.",
        "back_home": "Kembali ke beranda",
    },
    "en": {
        "skip": "Skip to content",
        "home": "Home",
        "sections": "Sections",
        "section_title": "Section {name}",
        "latest_edition": "Latest edition",
        "lead_stories": "Top stories",
        "archive": "Edition archive",
        "article_count": "{n} articles",
        "edition_page": "{edition} page",
        "downloads": "Download this edition",
        "no_downloads": "No downloads are available for this edition yet.",
        "download_pdf": "Printed bulletin",
        "download_epub": "E-book",
        "download_docx": "Word document",
        "download_edition": "Download this edition",
        "published_in": "Published in",
        "edition_box": "Edition",
        "previous": "Previous",
        "next": "Next",
        "more_in_edition": "More in this edition",
        "original": "Original",
        "other": "Other",
        "subscribe": "Subscribe",
        "not_found": "Page not found",
        "not_found_text": "The address you opened does not exist or has moved.",
        "back_home": "Back to the front page",
    },
}



@dataclass(frozen=True)
class Picture:
    """One picture in several widths (smallest first), written to ``media/``."""

    sizes: tuple[tuple[str, int, int], ...]  # (path in OUT/, width, height)
    alt: str
    caption: str = ""
    credit: str = ""

    @property
    def default(self) -> tuple[str, int, int]:
        """The size named in ``src``: the largest up to 1000 px wide, else the smallest."""
        fitting = [s for s in self.sizes if s[1] <= 1000]
        return fitting[-1] if fitting else self.sizes[0]

    @property
    def largest(self) -> tuple[str, int, int]:
        return self.sizes[-1]


@dataclass
class Entry:
    """An article as pages list it."""

    release: Release
    article: Article
    folder: str  # its page's folder in OUT/
    picture: Picture | None
    section_folder: str = ""


@dataclass
class Page:
    """Where a page is and how it reaches the rest of the site."""

    folder: str  # "" for the front page, "slug/" ...
    root: str  # prefix that leads from the page to the top of OUT/ (or base_url)
    lang: str

    def href(self, path: str) -> str:
        """A link to ``path`` (a file of OUT/, or a page folder ending in "/")."""
        if path == "" or path.endswith("/"):
            path = site.page_file(path)
        return self.root + path


@dataclass
class SectionGroup:
    name: str
    folder: str  # "" for articles without a section
    entries: list[Entry] = field(default_factory=list)


class WebSite:
    """Renders the pages of one publication."""

    def __init__(self, pub: Publication, ctx: ExportContext) -> None:
        self.pub = pub
        self.ctx = ctx
        self.theme = ctx.theme
        self.base = site.base_url(pub)
        self.settings = ctx.settings(HtmlSettings)
        self.labels = ctx.labels if ctx.labels is not None else ctx.theme.labels_for(WebExporter)
        self.lang = pub.language or "id"
        self.env = _environment(tuple(str(folder / "html") for folder in ctx.theme.chain))
        self.profiles = self.settings.image_profiles
        self.where = self._metadata_file()
        self._pictures: dict[Figure, Picture] = {}
        self.entries = self._entries()
        self.stylesheet = self._stylesheet_path()

    # ------------------------------------------------------------ model -> entries

    def _metadata_file(self) -> Path | str:
        root = self.pub.root
        if root is None:
            return "-"
        if root.is_dir():
            for name in ("publication.yaml", "release.yaml"):
                if (root / name).is_file():
                    return root / name
        return root

    def _entries(self) -> dict[str, Entry]:
        """slug -> the entry that owns the page (the newest edition's copy)."""
        releases = {site.edition_dir(r, self.pub).rstrip("/") for r in self.pub.releases}
        owners: dict[str, Entry] = {}
        for release in self.pub.releases:  # newest first
            for article in release.articles:
                if article.slug in owners:
                    continue
                if article.slug in site.RESERVED or article.slug in releases:
                    raise fail(article.path or self.where,
                               f"the web page of this article would be {article.slug}/, a name "
                               "the web edition uses for itself or for an edition; set another "
                               "`slug:` in the front matter")
                owners[article.slug] = Entry(
                    release, article, site.article_dir(article.slug), None,
                    site.section_dir(article.section) if article.section else "")
        return owners

    def entry_for(self, article: Article) -> Entry:
        return self.entries[article.slug]

    # ------------------------------------------------------------ labels and dates

    def label(self, key: str, lang: str, **values: Any) -> str:
        return self.labels.text(key, lang, **values)

    @staticmethod
    def iso(article: Article) -> str:
        if article.has_time:
            return article.date.isoformat(timespec="seconds")
        return article.date.date().isoformat()

    # ------------------------------------------------------------ pictures

    def picture(self, fig: Figure | None) -> Picture | None:
        if fig is None or fig.src is None:
            return None
        if fig not in self._pictures:
            self._pictures[fig] = self._picture(fig, fig.src)
        return self._pictures[fig]

    def _picture(self, fig: Figure, src: Path) -> Picture:
        sizes: dict[int, tuple[str, int, int]] = {}
        for profile in self.profiles:
            prepared = self.ctx.images.prepare(src, profile)
            path = site.media_path(prepared.name)
            if path not in self.ctx.sink.written:
                self.ctx.sink.write(path, prepared.data)
            sizes.setdefault(prepared.width, (path, prepared.width, prepared.height))
        ordered = tuple(sizes[w] for w in sorted(sizes))
        alt = fig.alt or fig.caption or self.label("photo", self.lang)
        return Picture(ordered, alt, fig.caption, fig.credit)

    def img_attrs(self, pic: Picture, page: Page, sizes: str, lazy: bool) -> dict[str, str]:
        path, width, height = pic.default
        attrs = {"src": page.href(path), "alt": pic.alt, "width": str(width),
                 "height": str(height)}
        if len(pic.sizes) > 1:
            attrs["srcset"] = ", ".join(f"{page.href(p)} {w}w" for p, w, _ in pic.sizes)
            attrs["sizes"] = sizes
        if lazy:
            attrs["loading"] = "lazy"
        return attrs

    # ------------------------------------------------------------ rendering

    def _stylesheet_path(self) -> str:
        css = self._render_file("style.css", {"colors": self.theme.get("colors") or {},
                                              "fonts": self.theme.get("fonts") or {},
                                              "theme": self.theme.config})
        self._css = css.encode("utf-8")
        return f"{site.ASSETS_DIR}/style-{hashlib.sha256(self._css).hexdigest()[:10]}.css"

    def _template_path(self, name: str) -> Path:
        return self.theme.file(f"html/{name}")

    def _render_file(self, name: str, context: dict[str, Any]) -> str:
        import jinja2

        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateNotFound:
            raise fail(self.theme.chain[0], f"theme {self.theme.name!r} has no file "
                       f"'html/{name}'") from None
        except jinja2.TemplateSyntaxError as exc:
            raise fail(exc.filename or self._template_path(name),
                       f"template error: {exc.message}", exc.lineno) from None
        except (jinja2.TemplateError, TypeError, ValueError, KeyError) as exc:
            raise fail(self._template_path(name), f"template error: {exc}") from None

    def feeds(self) -> list[dict[str, str]]:
        """The feeds, for autodiscovery: published beside the pages whenever there
        is a base_url (a build makes them then, unless told ``-f`` otherwise)."""
        if not self.base:
            return []
        return [{"path": path, "mime": mime, "kind": kind} for _, path, mime, kind in FEEDS]

    def render(self, template: str, page: Page, **context: Any) -> str:
        logo = self.picture(Figure(self.pub.publisher.logo)) if self.pub.publisher.logo \
            else None
        sections = sorted({e.article.section for e in self.entries.values()
                           if e.article.section}, key=str.casefold)
        lang = page.lang

        def t(key: str, **values: Any) -> str:
            return self.label(key, lang, **values)

        def img(pic: Picture, sizes: str = "100vw", lazy: bool = True) -> dict[str, str]:
            return self.img_attrs(pic, page, sizes, lazy)

        base_context = {
            "page": page, "href": page.href, "t": t, "img": img, "lang": lang,
            "site_title": self.pub.title, "site_description": self.pub.description,
            "publisher": self.pub.publisher, "base_url": self.base,
            "logo": logo, "stylesheet": self.stylesheet, "feeds": self.feeds(),
            "nav_sections": [(name, site.section_dir(name)) for name in sections],
            "newest": self.pub.releases[0], "edition_name": self.edition_name,
            "date_text": lambda a: article_date(a.date, a.has_time, a.language or lang),
            "long_date": lambda d, language=lang: long_date(d, language),
            "iso": self.iso, "canonical": "", "meta": {}, "jsonld": "",
            "description": self.pub.description, "entry_for": self.entry_for,
            "theme_name": self.theme.name,
            "edition_dir": lambda r: site.edition_dir(r, self.pub),
            "credit_separator": CREDIT_SEPARATOR,
        }
        base_context.update(context)
        return self._render_file(template, base_context)

    def write(self, path: str, text: str) -> None:
        self.ctx.sink.write(path, text.encode("utf-8"))

    def page(self, folder: str, lang: str | None = None) -> Page:
        return Page(folder, "../" * folder.count("/"), lang or self.lang)

    def edition_name(self, release: Release) -> str:
        if release.edition:
            return self.label("edition", release.language or self.lang, edition=release.edition)
        return long_date(release.date, release.language or self.lang)

    # ------------------------------------------------------------ the pages

    def write_release_pages(self, release: Release) -> None:
        """The article pages ``release`` owns (an article whose slug a newer
        edition carries too has its page there), with their pictures."""
        owned = [e for e in self.entries.values() if e.release.slug == release.slug]
        for entry in owned:
            entry.picture = self.picture(entry.article.image)
        for entry in owned:
            self.write_article(entry)

    def write_front_pages(self) -> None:
        """The stylesheet, front page, section pages, 404 page, sitemap and robots.txt."""
        if not self.base:
            self.ctx.warn(self.where, "no `base_url`: the web edition is built without "
                          "canonical links, Open Graph URLs, sitemap.xml and robots.txt "
                          "(add base_url or pass --base-url)")
        self.ctx.sink.write(self.stylesheet, self._css)
        for entry in self.entries.values():
            entry.picture = self.picture(entry.article.image)
        self.write_front()
        for group in self.section_groups(list(self.entries.values())):
            if group.folder:
                self.write_section(group)
        notfound = Page("", self.base, self.lang)
        self.write("404.html", self.render("404.html", notfound))
        if self.base:
            self.write("sitemap.xml", self.sitemap())
            self.write("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: "
                       f"{site.absolute(self.base, 'sitemap.xml')}\n")

    def section_groups(self, entries: Iterable[Entry]) -> list[SectionGroup]:
        groups: dict[str, SectionGroup] = {}
        for entry in entries:
            name = entry.article.section
            if name not in groups:
                groups[name] = SectionGroup(name, entry.section_folder)
            groups[name].entries.append(entry)
        named = [g for g in groups.values() if g.name]
        return named + [g for g in groups.values() if not g.name]

    def edition_entries(self, release: Release) -> list[Entry]:
        return [self.entries[a.slug] for a in release.articles]

    def write_front(self) -> None:
        newest = self.pub.releases[0]
        entries = self.edition_entries(newest)
        try:
            lead_count = self.settings.lead_stories
        except (TypeError, ValueError):
            lead_count = 3
        page = self.page("")
        canonical = self.base
        text = self.render("front.html", page, release=newest, lead=entries[:lead_count],
                           groups=self.section_groups(entries), releases=self.pub.releases,
                           canonical=canonical,
                           meta=self._site_meta(canonical), jsonld=self._website_jsonld())
        self.write(site.page_file(""), text)

    def write_section(self, group: SectionGroup) -> None:
        entries = sorted(group.entries, key=lambda e: e.article.date, reverse=True)
        page = self.page(group.folder)
        canonical = site.absolute(self.base, group.folder) if self.base else ""
        text = self.render("section.html", page, section=group.name, entries=entries,
                           canonical=canonical, meta=self._site_meta(canonical))
        self.write(site.page_file(group.folder), text)

    def write_article(self, entry: Entry) -> None:
        article, release = entry.article, entry.release
        lang = article.language or release.language or self.lang
        page = self.page(entry.folder, lang)
        own_url = site.absolute(self.base, entry.folder) if self.base else ""
        canonical = article.source or own_url
        figure_pictures: dict[int, Picture] = {}

        def image_url(fig: Figure) -> str | None:
            pic = self.picture(fig)
            if pic is None:
                return None
            figure_pictures[id(fig)] = pic
            return page.href(pic.default[0])

        def figure_attrs(fig: Figure) -> dict[str, str]:
            pic = figure_pictures[id(fig)]
            attrs = self.img_attrs(pic, page, self.settings.body_image_sizes, lazy=True)
            return {k: v for k, v in attrs.items() if k not in ("src", "alt")}

        opts = HtmlOptions(image_url=image_url, figure_attrs=figure_attrs, footnotes="html",
                           photo_label=self.label("photo", lang),
                           notes_label=self.label("notes", lang),
                           link_filter=lambda href: self._link(href, page))
        body = _scrolling_tables(blocks_html(article.blocks, opts), self.label("table", lang))
        notes = footnotes_html(article.footnotes, opts)
        from markupsafe import Markup
        siblings = self.edition_entries(release)
        at = next(i for i, e in enumerate(siblings) if e.article is article) \
            if any(e.article is article for e in siblings) else -1
        previous = siblings[at - 1] if at > 0 else None
        following = siblings[at + 1] if 0 <= at < len(siblings) - 1 else None
        meta = self._article_meta(entry, canonical, lang)
        text = self.render("article.html", page, entry=entry, article=article, release=release,
                           body=Markup(body),
                           notes=Markup(notes),
                           previous=previous, following=following, canonical=canonical,
                           description=article.lead, meta=meta,
                           jsonld=self._article_jsonld(entry, own_url, lang))
        self.write(site.page_file(entry.folder), text)

    def _link(self, href: str, page: Page) -> str | None:
        """A body link: to another article's page when it names one (``dua.md``,
        ``../2025-46/dua.md``, a slug), else absolute as written; any other
        relative link resolves against base_url, or is left out (text kept)."""
        if href.startswith("#") or url_scheme(href):
            return href
        found = self.ctx.links.target(href)
        if found is not None and found.slug in self.entries:
            fragment = urlsplit(href).fragment
            target = page.href(self.entries[found.slug].folder)
            named_by_fragment = fragment and fragment in found.names
            return f"{target}#{fragment}" if fragment and not named_by_fragment else target
        if self.base:
            return encode_href(resolve_relative(href, self.base)) or None
        return None

    # ------------------------------------------------------------ metadata

    def _abs(self, path: str) -> str:
        return site.absolute(self.base, path) if self.base else ""

    def _site_meta(self, url: str) -> dict[str, str]:
        meta = {"og:type": "website", "og:site_name": self.pub.title, "og:title": self.pub.title,
                "og:locale": _og_locale(self.lang)}
        if self.pub.description:
            meta["og:description"] = self.pub.description
        if url:
            meta["og:url"] = url
        return meta

    def _article_meta(self, entry: Entry, canonical: str, lang: str) -> dict[str, str]:
        article = entry.article
        meta = {"og:type": "article", "og:site_name": self.pub.title, "og:title": article.title,
                "og:locale": _og_locale(lang),
                "article:published_time": article.date.isoformat(timespec="seconds"),
                "twitter:card": "summary_large_image" if entry.picture and self.base
                else "summary",
                "twitter:title": article.title}
        if article.lead:
            meta["og:description"] = meta["twitter:description"] = article.lead
        if canonical:
            meta["og:url"] = canonical
        if article.section:
            meta["article:section"] = article.section
        if entry.picture and self.base:
            path, width, height = entry.picture.largest
            meta["og:image"] = meta["twitter:image"] = self._abs(path)
            meta["og:image:width"], meta["og:image:height"] = str(width), str(height)
            meta["og:image:alt"] = meta["twitter:image:alt"] = entry.picture.alt
        return meta

    def _publisher_ld(self) -> dict[str, Any]:
        publisher = self.pub.publisher
        org: dict[str, Any] = {"@type": "Organization", "name": publisher.name or self.pub.title}
        if publisher.url:
            org["url"] = publisher.url
        if publisher.logo and self.base:
            logo = self.picture(Figure(publisher.logo))
            if logo:
                path, width, height = logo.largest
                org["logo"] = {"@type": "ImageObject", "url": self._abs(path),
                               "width": width, "height": height}
        return org

    def _article_jsonld(self, entry: Entry, own_url: str, lang: str) -> str:
        article = entry.article
        names = article.authors or ((article.byline,) if article.byline else ())
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "NewsArticle",
            "headline": article.title, "inLanguage": lang,
            "datePublished": article.date.isoformat(timespec="seconds"),
            # The model has no revision date: an article is modified when it is published.
            "dateModified": article.date.isoformat(timespec="seconds"),
            "author": ([{"@type": "Person", "name": n} for n in article.authors] if
                       article.authors else [{"@type": "Organization",
                                              "name": self.pub.publisher.name or
                                              self.pub.title}]),
            "publisher": self._publisher_ld(),
        }
        if article.lead:
            data["description"] = article.lead
        if article.section:
            data["articleSection"] = article.section
        if article.tags:
            data["keywords"] = list(article.tags)
        if not article.authors and names:
            data["creditText"] = names[0]
        if own_url:
            data["url"] = own_url
            data["mainEntityOfPage"] = own_url
        if article.source:
            data["isBasedOn"] = article.source
        if self.base:
            images = [self._abs(p.largest[0]) for p in
                      (self.picture(f) for f in article.figures) if p]
            if images:
                data["image"] = images
        return _json_script(data)

    def _website_jsonld(self) -> str:
        data: dict[str, Any] = {"@context": "https://schema.org", "@type": "WebSite",
                                "name": self.pub.title, "inLanguage": self.lang,
                                "publisher": self._publisher_ld()}
        if self.pub.description:
            data["description"] = self.pub.description
        if self.base:
            data["url"] = self.base
        return _json_script(data)

    def sitemap(self) -> str:
        """sitemaps.org: every page, ``lastmod`` from the newest content it shows."""
        rows: list[tuple[str, str]] = []

        def newest(articles: Iterable[Article], fallback: dt.date) -> str:
            found = max(articles, key=lambda a: a.date, default=None)
            return self.iso(found) if found else fallback.isoformat()

        everything = [e.article for e in self.entries.values()]
        rows.append((self.base, newest(everything, self.pub.releases[0].date)))
        for release in self.pub.releases:
            rows.append((self._abs(site.edition_dir(release, self.pub)),
                         newest(release.articles, release.date)))
        for entry in self.entries.values():
            rows.append((self._abs(entry.folder), self.iso(entry.article)))
        for group in self.section_groups(list(self.entries.values())):
            if group.folder:
                rows.append((self._abs(group.folder),
                             newest((e.article for e in group.entries), self.pub.releases[0].date)))
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for loc, lastmod in rows:
            lines.append(f"  <url><loc>{escape(loc, quote=False)}</loc>"
                         f"<lastmod>{lastmod}</lastmod></url>")
        lines.append("</urlset>")
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------ edition pages

    def write_editions(self, size_of: Callable[[str], int | None]) -> None:
        for release in self.pub.releases:
            self.write_edition(release, size_of)

    def write_edition(self, release: Release, size_of: Callable[[str], int | None]) -> None:
        folder = site.edition_dir(release, self.pub)
        lang = release.language or self.lang
        page = self.page(folder, lang)
        prefix = "" if self.pub.is_single_release else f"{release.slug}/"
        downloads = []
        for ext, key, mime in DOWNLOADS:
            path = f"{prefix}{release.slug}.{ext}"
            size = size_of(path)
            if size is not None:
                downloads.append({"path": path, "label": self.label(key, lang), "mime": mime,
                                  "size": human_size(size, lang), "ext": ext})
        entries = self.edition_entries(release)
        canonical = self._abs(folder)
        text = self.render("edition.html", page, release=release, downloads=downloads,
                           groups=self.section_groups(entries), canonical=canonical,
                           description=release.description or self.pub.description,
                           meta=self._site_meta(canonical))
        self.write(site.page_file(folder), text)


@functools.lru_cache(maxsize=8)
def _environment(folders: tuple[str, ...]) -> jinja2.Environment:
    """One Jinja2 environment per theme chain, so templates compile once per process.

    The loader looks at each file's modification time before using its
    compiled form, so an edited template is read again (the desk rebuilds
    in one process).
    """
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, auto_reload=True)


def _scrolling_tables(body: str, label: str) -> str:
    """Wrap each table in a region that scrolls sideways on a narrow screen.

    The region takes keyboard focus so it can be scrolled without a mouse
    (WCAG 2.1.1; axe-core "scrollable-region-focusable").  The model has no
    nested tables, and the fragment's own ``<table>`` tags carry no attributes.
    """
    opening = (f'<div class="table-scroll" role="region" tabindex="0" '
               f'aria-label="{escape(label, quote=True)}"><table>')
    return body.replace("<table>", opening).replace("</table>", "</table></div>")


def human_size(size: int, lang: str) -> str:
    """``1,3 MB`` / ``840 kB`` (decimal units, the reader's number format)."""
    from babel.numbers import format_decimal

    locale = babel_locale(lang)
    if size >= 1_000_000:
        return f"{format_decimal(size / 1_000_000, format='#,##0.0', locale=locale)} MB"
    return f"{format_decimal(max(1, round(size / 1000)), format='#,##0', locale=locale)} kB"


def _og_locale(lang: str) -> str:
    short = (lang or "id").split("-")[0].lower()
    return {"id": "id_ID", "en": "en_US"}.get(short, short)


def _json_script(data: dict[str, Any]) -> str:
    """JSON for a <script> element: "<" escaped so no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class WebExporter(Exporter, ReleaseExporter, PublicationExporter, BuildFinisher):
    """The web edition: front, edition, article and section pages, sitemap.

    A build makes it in parallel, cached pieces: one task per release for its
    article pages and their pictures (``site_parts``: that task sees the
    other releases in outline, which is what an article page shows of them:
    the section list, a neighbour's title), one task for the pages about the
    whole publication, and the edition pages after every task.
    """

    format = "html"
    description = "web edition: front page, edition, article and section pages, sitemap"
    settings = HtmlSettings
    labels = WEB_LABELS
    site_parts = True

    def export_release(self, release: Release, ctx: ExportContext) -> None:
        WebSite(ctx.publication, ctx).write_release_pages(release)

    def export_publication(self, publication: Publication, ctx: ExportContext) -> None:
        WebSite(publication, ctx).write_front_pages()

    def finish_build(self, publication: Publication, ctx: ExportContext,
                     size_of: Callable[[str], int | None]) -> None:
        """After every task: the edition pages, which show the sizes of the edition files."""
        WebSite(publication, ctx).write_editions(size_of)


__all__ = ["WebExporter", "WebSite", "human_size"]
