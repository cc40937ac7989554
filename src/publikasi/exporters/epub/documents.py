"""The XHTML content documents of the EPUB: cover page, masthead page, articles.

Each function returns a complete XHTML5 document as bytes.  Markup is built
as text from escaped pieces (the body comes from :mod:`..html`) and then
parsed once with lxml, so a malformed document fails the build here instead
of reaching a reader.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from ...i18n import article_date, long_date
from ...model import Article, Figure
from ...urls import encode_href
from ..html import HtmlOptions, blocks_html, esc, figure_html, footnotes_html

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"


def document(title: str, lang: str, body: str, css_href: str, *, body_type: str = "",
             body_class: str = "") -> bytes:
    """A whole XHTML content document around ``body`` (markup for inside <body>)."""
    attrs = ""
    if body_type:
        attrs += f' epub:type="{esc(body_type)}"'
    if body_class:
        attrs += f' class="{esc(body_class)}"'
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}" lang="{esc(lang)}" '
        f'xml:lang="{esc(lang)}">\n<head>\n<meta charset="utf-8"/>\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" type="text/css" href="{esc(css_href)}"/>\n'
        f"</head>\n<body{attrs}>\n{body}\n</body>\n</html>\n"
    )
    data = text.encode("utf-8")
    # Parse once: a bug that produced malformed XHTML must stop the build here.
    etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return data


def _iso(stamp: dt.datetime, has_time: bool) -> str:
    return stamp.isoformat(timespec="minutes") if has_time else stamp.date().isoformat()


@dataclass(frozen=True)
class Labels:
    """Localised words for one document's language."""

    photo: str
    notes: str
    byline: str
    source: str
    tags: str
    section: str


def article_body(article: Article, opts: HtmlOptions, labels: Labels) -> str:
    """The <article> element of one chapter: header, body, footer, footnotes."""
    title_id = "judul"
    head = []
    if article.section:
        head.append(f'<p class="section">{esc(article.section)}</p>')
    head.append(f'<h1 id="{title_id}">{esc(article.title)}</h1>')
    when = (f'<time datetime="{_iso(article.date, article.has_time)}">'
            f"{esc(article_date(article.date, article.has_time, article.language))}</time>")
    if article.dateline:
        head.append(f'<p class="dateline"><span class="place">{esc(article.dateline)}</span>, '
                    f"{when}</p>")
    else:
        head.append(f'<p class="dateline">{when}</p>')
    if article.authors:
        head.append(f'<p class="authors"><span class="label">{esc(labels.byline)}: </span>'
                    f"{esc(', '.join(article.authors))}</p>")
    # An explicit summary is a standfirst; one derived from the first paragraph
    # would only repeat it.
    if article.summary:
        head.append(f'<p class="standfirst">{esc(article.summary)}</p>')
    if article.image is not None:
        lead = figure_html(article.image, opts, css_class="lead")
        if lead:
            head.append(lead)
    parts = [f"<header>{''.join(head)}</header>", blocks_html(article.blocks, opts)]
    foot = []
    if article.byline:
        foot.append(f'<p class="byline">({esc(article.byline)})</p>')
    if article.source_credit:
        foot.append(f'<p class="source-credit">{esc(article.source_credit)}</p>')
    if article.source:
        foot.append(f'<p class="source"><span class="label">{esc(labels.source)}: </span>'
                    f'<a href="{esc(encode_href(article.source))}">{esc(article.source)}</a></p>')
    if article.tags:
        foot.append(f'<p class="tags"><span class="label">{esc(labels.tags)}: </span>'
                    f"{esc(', '.join(article.tags))}</p>")
    if foot:
        parts.append(f"<footer>{''.join(foot)}</footer>")
    notes = footnotes_html(article.footnotes, opts)
    if notes:
        parts.append(notes)
    return (f'<article class="article" aria-labelledby="{title_id}">\n' + "\n".join(parts) +
            "\n</article>")


def cover_body(image_href: str, alt: str, heading: str) -> str:
    # The visible page is the picture; the heading is for assistive technology
    # and for reading systems that list headings.
    return (f'<section class="cover" epub:type="cover" aria-label="{esc(heading)}">'
            f'<img role="doc-cover" src="{esc(image_href)}" alt="{esc(alt)}"/></section>')


@dataclass(frozen=True)
class TocEntry:
    title: str
    href: str
    lang: str = ""
    children: tuple[TocEntry, ...] = ()


def masthead_body(*, title: str, edition: str, date: dt.date, language: str, publisher: str,
                  publisher_url: str, description: str, logo_href: str, contents_label: str,
                  contents: Sequence[TocEntry]) -> str:
    """The title page: masthead (publisher, title, edition, date) and the contents."""
    parts = ['<section class="masthead" epub:type="titlepage" aria-labelledby="masthead-title">']
    if logo_href:
        parts.append(f'<p class="logo"><img src="{esc(logo_href)}" alt="{esc(publisher)}"/></p>')
    if publisher:
        name = (f'<a href="{esc(publisher_url)}">{esc(publisher)}</a>' if publisher_url
                else esc(publisher))
        parts.append(f'<p class="publisher">{name}</p>')
    parts.append(f'<h1 id="masthead-title" class="title">{esc(title)}</h1>')
    if edition:
        parts.append(f'<p class="edition">{esc(edition)}</p>')
    parts.append(f'<p class="date"><time datetime="{date.isoformat()}">'
                 f"{esc(long_date(date, language))}</time></p>")
    if description:
        parts.append(f'<p class="description">{esc(description)}</p>')
    parts.append("</section>")
    if contents:
        parts.append(f'<section id="contents" class="contents" epub:type="toc" role="doc-toc" '
                     f'aria-labelledby="contents-title">'
                     f'<h2 id="contents-title">{esc(contents_label)}</h2>'
                     f"{_toc_list(contents)}</section>")
    return "\n".join(parts)


def _toc_list(entries: Sequence[TocEntry]) -> str:
    items = []
    for e in entries:
        lang = f' lang="{esc(e.lang)}" xml:lang="{esc(e.lang)}"' if e.lang else ""
        link = f'<a href="{esc(e.href)}"{lang}>{esc(e.title)}</a>'
        if e.children:
            items.append(f'<li><span class="toc-section">{esc(e.title)}</span>'
                         f"{_toc_list(e.children)}</li>")
        else:
            items.append(f"<li>{link}</li>")
    return f"<ol>{''.join(items)}</ol>"


def figure_alt(fig: Figure) -> str:
    """The alt text :func:`figure_html` writes for ``fig`` ("" without alt and caption)."""
    return fig.alt or fig.caption


# A picture whose alt text or caption names it a chart, graph, diagram or
# infographic carries data: its text equivalent has to give the figures.
_DATA_PICTURE = re.compile(r"\b(?:grafik|diagram|bagan|infografi[sk]|chart|graph|infographic)\b",
                           re.IGNORECASE)
# A number that is not a bare year: 7,1 / 4.2 / 35% / 120.
_FIGURE = re.compile(r"(?<![\d.,])(?!(?:19|20)\d\d(?![\d.,]))\d+(?:[.,]\d+)?")
MIN_FIGURES = 3


def undescribed_data_picture(fig: Figure) -> bool:
    """True for a chart-like picture whose alt text gives fewer than three figures:
    text alone does not carry what it shows."""
    if not _DATA_PICTURE.search(f"{fig.alt} {fig.caption}"):
        return False
    return len(_FIGURE.findall(figure_alt(fig))) < MIN_FIGURES

