"""The link index: what an exporter may know about articles it does not export.

A link in one article may name another article by its file (``../b/dua.md``),
its file stem or its slug, also in another release.  Exporters resolve such
links through a :class:`LinkIndex` in their context instead of reading other
releases, so the build can put exactly what a task may read into the task's
cache key: the entries its articles' links name (see :meth:`LinkIndex.named_by`
and :mod:`publikasi.parallel`).  Editing an article that a link of release
``a`` names rebuilds ``a``'s outputs; editing one that nobody names does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import site
from .model import (
    Article, Emph, Heading, Inline, Link, Paragraph, Publication, Strong, Table, walk_blocks,
)


@dataclass(frozen=True)
class LinkEntry:
    """One article as a link target."""

    release: str  # the release's slug
    slug: str
    title: str
    url: str  # its web address (base_url + slug + "/"), "" without a base_url
    source: str  # its canonical ``source:`` URL, "" when it has none
    names: tuple[str, ...]  # what a link may call it: file name, file stem, slug


@dataclass(frozen=True)
class LinkIndex:
    """Articles as link targets, in publication order (releases newest first)."""

    entries: tuple[LinkEntry, ...] = ()

    @classmethod
    def of(cls, pub: Publication) -> LinkIndex:
        entries = []
        for release in pub.releases:
            base = release.base_url or pub.base_url
            for a in release.articles:
                # An article without a file (made in code) is no link target.
                names = (a.path.name, a.path.stem, a.slug) if a.path is not None else ()
                root = site.normalized_base(base)
                entries.append(LinkEntry(release.slug, a.slug, a.title,
                                         site.article_url(root, a.slug) if root else "",
                                         a.source, names))
        return cls(tuple(entries))

    def find(self, name: str) -> LinkEntry | None:
        """The first article (in publication order) that a link may call ``name``."""
        if not name:
            return None
        for entry in self.entries:
            if name in entry.names:
                return entry
        return None

    def named_by(self, urls: Iterable[str]) -> LinkIndex:
        """The entries links to ``urls`` can reach: what a task reading those links depends on."""
        wanted = {name for url in urls for name in link_names(url)}
        return LinkIndex(tuple(e for e in self.entries if wanted.intersection(e.names)))


def link_names(url: str) -> tuple[str, ...]:
    """The names under which a link to ``url`` looks an article up.

    The last path segment (``../b/dua.md`` -> ``dua.md``), else the fragment
    (``#dua``); a URL that does not parse names nothing.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    target = parts.path.rsplit("/", 1)[-1] if parts.path else parts.fragment
    return tuple(n for n in (target, parts.fragment) if n)


def article_urls(article: Article) -> Iterator[str]:
    """Every URL the article links to, and its ``source:``."""
    if article.source:
        yield article.source
    blocks = list(walk_blocks(article.blocks))
    for note in article.footnotes:
        blocks.extend(walk_blocks(note.blocks))
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            yield from _inline_urls(block.inlines)
        elif isinstance(block, Table):
            for cell in (*block.header, *(c for row in block.rows for c in row)):
                yield from _inline_urls(cell)


def _inline_urls(inlines: Iterable[Inline]) -> Iterator[str]:
    for node in inlines:
        if isinstance(node, Link):
            yield node.url
            yield from _inline_urls(node.children)
        elif isinstance(node, (Emph, Strong)):
            yield from _inline_urls(node.children)


__all__ = ["LinkEntry", "LinkIndex", "article_urls", "link_names"]
