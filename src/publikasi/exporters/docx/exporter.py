"""The DOCX exporter: the edition as one Word file, and one file per article.

Both are built on the theme's reference document (``docx/reference.docx``),
so editors work with real Word styles they can change, and every file is
reproducible byte for byte (fixed zip times, no random ids).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ...i18n import article_date, long_date
from ...model import Article, Figure, Release
from ...repro import edition_time
from ...text import unique_casefold
from .. import ArticleExporter, ExportContext, Exporter, ReleaseExporter
from .settings import DocxLayout, DocxSettings

# python-docx (render, properties, ooxml) is imported when a Word file is
# made, not when the class is looked up: every build reads the settings of
# every exporter (publikasi.themes) to check the theme.
if TYPE_CHECKING:
    from .render import DocxBuilder, Where

class DocxExporter(Exporter, ReleaseExporter, ArticleExporter):
    """``OUT/<release>.docx`` (the whole edition) and ``OUT/docx/<article>.docx``."""

    format = "docx"
    description = "Word: the edition and one file per article, on the theme's reference document"
    settings = DocxSettings

    def export_release(self, release: Release, ctx: ExportContext) -> None:
        """``<release>.docx`` only."""
        reference, settings, pub_slug = self._setup(ctx)
        edition = self._edition(release, ctx, reference, settings, pub_slug)
        ctx.sink.write(f"{release.slug}.docx", edition)

    def export_article(self, article: Article, release: Release, ctx: ExportContext) -> None:
        """``docx/<article>.docx`` only."""
        reference, settings, pub_slug = self._setup(ctx)
        data = self._article(article, release, ctx, reference, settings, pub_slug)
        ctx.sink.write(f"docx/{article.slug}.docx", data)

    @staticmethod
    def _setup(ctx: ExportContext) -> tuple[Any, DocxLayout, str]:
        reference = ctx.theme.file("docx/reference.docx")
        settings = ctx.settings(DocxSettings).layout
        pub_slug = "" if ctx.publication.is_single_release else ctx.publication.slug
        return reference, settings, pub_slug

    # ------------------------------------------------------------ documents

    def _builder(self, release: Release, ctx: ExportContext, reference, settings,
                 language: str) -> DocxBuilder:
        from . import properties as props_
        from .render import DocxBuilder

        return DocxBuilder(reference, ctx, ctx.images, language=language,
                           base_url=release.base_url, settings=settings,
                           release_base=props_.release_base(release))

    def _article(self, article: Article, release: Release, ctx: ExportContext, reference,
                 settings: DocxLayout, pub_slug: str) -> bytes:
        from . import properties as props_
        from .render import word_language

        b = self._builder(release, ctx, reference, settings, article.language)
        write_article(b, article, release, in_edition=False)
        b.header_footer(running_header(b, release, article.language), first_page_plain=False)
        b.finish_body()
        created = article.date
        # Dated by the article alone, as if it were an edition of its own: the
        # file is built (and cached) without its siblings.
        when = edition_time(dataclasses.replace(release, articles=(article,)))
        props_.apply(
            b.doc,
            core=props_.core_xml(
                title=article.title,
                creator=", ".join(article.authors) or release.publisher.name or release.title,
                subject=article.lead, description=article.lead,
                keywords=", ".join(unique_casefold(article.tags)), category=article.section,
                language=word_language(article.language),
                identifier=identifier(ctx, release, article.slug),
                last_modified_by=release.publisher.name or "publikasi",
                created=created, modified=max(created, when)),
            app=props_.app_xml(f"publikasi-{ctx.theme.name}", release.publisher.name),
            custom=props_.custom_xml(props_.article_custom(article, release, pub_slug)))
        return b.zipped(when)

    def _edition(self, release: Release, ctx: ExportContext, reference,
                 settings: DocxLayout, pub_slug: str) -> bytes:
        from . import properties as props_
        from .ooxml import E, paragraph, run, val
        from .render import Fmt, word_language

        b = self._builder(release, ctx, reference, settings, release.language)
        lang = release.language
        where = b.where()
        # Masthead: logo, publication title, edition and date, publisher, description.
        if settings.masthead_logo and release.publisher.logo:
            b.add(b.figure(Figure(release.publisher.logo, alt=release.publisher.name or
                                  release.title), where, logo_width_mm=28))
        b.add([paragraph(b.sid("title"), [run(release.title)])])
        sub = [b.label("edition", lang, edition=release.edition)] if release.edition else []
        sub.append(long_date(release.date, lang))
        b.add([paragraph(b.sid("subtitle"), [run(" \u00b7 ".join(sub))])])
        if release.publisher.name:
            kids = [run(release.publisher.name)]
            if release.publisher.url:
                link = b.hyperlink(release.publisher.url, where)
                link.append(run(release.publisher.url, [val("w:rStyle", b.sid("hyperlink"))]))
                kids += [run(" \u00b7 "), link]
            b.add([paragraph(b.sid("meta"), kids)])
        if release.description:
            b.add([paragraph(b.sid("standfirst"), [run(release.description)])])
        if release.cover:
            b.add(b.figure(Figure(release.cover, alt=f"{b.label('cover', lang)}: "
                                  f"{release.title}"), where,
                                  max_height=settings.cover_max_height))
        marks = [b.bookmark(f"artikel_{a.slug}") for a in release.articles]
        if settings.toc and release.articles:
            b.add([paragraph(b.sid("toc_heading"), [run(b.label("contents", lang))])])
            for article, (_, _, name) in zip(release.articles, marks, strict=True):
                link = E("w:hyperlink", {"w:anchor": name, "w:history": 1},
                         run(article.title, b.rpr(Fmt(), b.where(article))))
                kids = [link]
                if article.section:
                    kids.append(run(f" \u2014 {article.section}",
                                    [val("w:rStyle", b.sid("meta_label"))]))
                b.add([paragraph(b.sid("toc1"), kids)])
        page_break = settings.article_break == "page"
        for article, mark in zip(release.articles, marks, strict=True):
            write_article(b, article, release, in_edition=True, bookmark=mark,
                          page_break=page_break)
        b.header_footer(running_header(b, release, lang), first_page_plain=True)
        b.finish_body()
        # Dated by this edition's newest article, like its PDF and EPUB.
        created = edition_time(release)
        tags = unique_casefold(t for a in release.articles for t in a.tags)
        sections = unique_casefold(a.section for a in release.articles if a.section)
        titles = "; ".join(a.title for a in release.articles)
        authors = release.publisher.name or release.title
        props_.apply(
            b.doc,
            core=props_.core_xml(
                title=" \u2014 ".join(x for x in (release.title, sub[0] if release.edition
                                                  else long_date(release.date, lang)) if x),
                creator=authors, subject=release.description or titles,
                description=release.description or titles, keywords=", ".join(tags),
                category=", ".join(sections), language=word_language(lang),
                identifier=identifier(ctx, release, ""),
                last_modified_by=release.publisher.name or "publikasi",
                created=created, modified=created),
            app=props_.app_xml(f"publikasi-{ctx.theme.name}", release.publisher.name),
            custom=props_.custom_xml(props_.edition_custom(release, pub_slug)))
        return b.zipped(created)


# ---------------------------------------------------------------- pieces


def identifier(ctx: ExportContext, release: Release, slug: str) -> str:
    parts = [p for p in ("" if ctx.publication.is_single_release else ctx.publication.slug,
                         release.slug, slug) if p]
    return "urn:publikasi:" + ":".join(parts)


def running_header(b: DocxBuilder, release: Release, lang: str) -> str:
    parts = [release.title]
    if release.edition:
        parts.append(b.label("edition", lang, edition=release.edition))
    return " \u00b7 ".join(parts)


def meta_block(b: DocxBuilder, article: Article, where: Where) -> list:
    """Dateline and date, authors and byline, section and tags, source: one styled block."""
    from .ooxml import paragraph, run
    from .render import Fmt

    lang = article.language
    base = b.rpr(Fmt(), where)
    label_rpr = b.rpr(Fmt(), where, style="meta_label")
    lines: list[list] = []
    when = article_date(article.date, article.has_time, lang)
    lines.append([run(f"{article.dateline} \u2014 {when}" if article.dateline else when, base)])
    # A byline code ("nda/ak") is not a name: it follows the authors in
    # parentheses, or stands under its own label when no author is named.
    if article.authors:
        people = ", ".join(article.authors)
        if article.byline:
            people = f"{people} ({article.byline})"
        lines.append([run(f"{b.label('byline', lang)}: ", label_rpr), run(people, base)])
    elif article.byline:
        lines.append([run(f"{b.label('byline_code', lang)}: ", label_rpr),
                      run(article.byline, base)])
    kinds = []
    if article.section:
        kinds += [run(f"{b.label('section', lang)}: ", label_rpr), run(article.section, base)]
    if article.tags:
        if kinds:
            kinds.append(run(" \u00b7 ", base))
        kinds += [run(f"{b.label('tags', lang)}: ", label_rpr),
                  run(", ".join(article.tags), base)]
    if kinds:
        lines.append(kinds)
    if article.source or article.source_credit:
        kids = [run(f"{b.label('source', lang)}: ", label_rpr)]
        if article.source_credit:
            kids.append(run(article.source_credit, base))
        if article.source:
            if article.source_credit:
                kids.append(run(" \u2014 ", base))
            link = b.hyperlink(article.source, where)
            link.append(run(article.source, b.rpr(Fmt(link=article.source), where)))
            kids.append(link)
        lines.append(kids)
    return [paragraph(b.sid("meta"), kids, b._para_lang(where)) for kids in lines]


def write_article(b: DocxBuilder, article: Article, release: Release, *, in_edition: bool,
                  bookmark=None, page_break: bool = False) -> None:
    from .ooxml import E, paragraph, run
    from .render import Fmt

    where = b.where(article, heading_offset=1 if in_edition else 0)
    title_runs = [run(article.title, b.rpr(Fmt(), where))]
    if bookmark is not None:
        start, end, _ = bookmark
        title_runs = [start, *title_runs, end]
    ppr = [E("w:pageBreakBefore") if page_break else None, *b._para_lang(where)]
    b.add([paragraph(b.sid("h1" if in_edition else "title"), title_runs, ppr)])
    b.add(meta_block(b, article, where))
    if article.summary:
        b.add([paragraph(b.sid("standfirst"), [run(article.summary, b.rpr(Fmt(), where))],
                         b._para_lang(where))])
    if article.image is not None:
        b.add(b.figure(article.image, where))
    for block in article.blocks:
        if block == article.image:
            continue  # the lead photo is already shown under the headline
        b.add(b.block(block, where))
