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

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from . import site
from .model import Article, Link, Publication, query
from .urls import link_names, resolve_relative, url_scheme


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

    @functools.cached_property
    def _by_name(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for i, entry in enumerate(self.entries):
            for name in dict.fromkeys(entry.names):
                found.setdefault(name, []).append(i)
        return found

    def find(self, name: str) -> LinkEntry | None:
        """The first article (in publication order) that a link may call ``name``."""
        hits = self._by_name.get(name) if name else None
        return self.entries[hits[0]] if hits else None

    def target(self, url: str) -> LinkEntry | None:
        """The article a relative link names (``../b/dua.md``, ``dua``, ``#dua``), or None."""
        if url_scheme(url):
            return None
        for name in link_names(url):
            found = self.find(name)
            if found is not None:
                return found
        return None

    def address(self, url: str) -> str | None:
        """Where a link to another article goes: its ``source:`` or its page, else None."""
        entry = self.target(url)
        return (entry.source or entry.url or None) if entry is not None else None

    def named_by(self, urls: Iterable[str]) -> LinkIndex:
        """The entries links to ``urls`` can reach: what a task reading those links depends on."""
        found = {i for url in urls for name in link_names(url) for i in self._by_name.get(name, ())}
        return LinkIndex(tuple(self.entries[i] for i in sorted(found)))


def link_target(url: str, links: LinkIndex | None, base_url: str) -> str:
    """Where a link of an article points in a file that leaves the source
    folder (a Word file): another article's address, else ``url`` resolved
    against ``base_url``.  The Word import maps it back the same way."""
    address = links.address(url) if links is not None else None
    return address or resolve_relative(url, base_url)


def article_urls(article: Article) -> Iterator[str]:
    """Every URL the article links to, and its ``source:``."""
    if article.source:
        yield article.source
    for link in query(article, Link):
        yield link.url


__all__ = ["LinkEntry", "LinkIndex", "article_urls", "link_names", "link_target"]
