"""The document model: the only contract between readers and exporters.

A :class:`Publication` holds one or more :class:`Release` objects (editions),
each holding :class:`Article` objects whose bodies are a closed set of block
types with a closed set of inline types.  Every value is immutable and every
string is cleaned when the object is created (see :mod:`publikasi.text`), so
an exporter never has to defend against dirty text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from .text import clean_inline, clean_line, clean_prose, curl_quotes

# --------------------------------------------------------------------------
# Inlines


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Text:
    text: str

    def __post_init__(self) -> None:
        _set(self, "text", clean_inline(self.text))


@dataclass(frozen=True)
class Emph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Code:
    text: str

    def __post_init__(self) -> None:
        _set(self, "text", clean_inline(self.text))


@dataclass(frozen=True)
class Link:
    url: str
    children: tuple[Inline, ...]
    title: str = ""

    def __post_init__(self) -> None:
        _set(self, "url", clean_line(self.url).replace(" ", "%20"))
        _set(self, "title", clean_line(self.title))


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class FootnoteRef:
    """Reference to ``Article.footnotes[label]``; labels are "1", "2", ... in order of use."""

    label: str


Inline = Text | Emph | Strong | Code | Link | LineBreak | FootnoteRef

# --------------------------------------------------------------------------
# Blocks


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]
    type: Literal["paragraph"] = field(default="paragraph", init=False)

    def __post_init__(self) -> None:
        _set(self, "inlines", tidy_inlines(self.inlines))


@dataclass(frozen=True)
class Heading:
    level: int
    inlines: tuple[Inline, ...]
    type: Literal["heading"] = field(default="heading", init=False)

    def __post_init__(self) -> None:
        _set(self, "level", min(max(int(self.level), 1), 6))
        _set(self, "inlines", tidy_inlines(self.inlines))


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]
    attribution: str = ""
    type: Literal["quote"] = field(default="quote", init=False)

    def __post_init__(self) -> None:
        _set(self, "attribution", clean_prose(self.attribution))


@dataclass(frozen=True)
class Figure:
    """A picture with its caption and credit.

    ``src`` is the resolved, absolute path of the image file, or None when the
    source only names the photo by its caption (pasted press releases).
    """

    src: Path | None
    alt: str = ""
    caption: str = ""
    credit: str = ""
    type: Literal["figure"] = field(default="figure", init=False)

    def __post_init__(self) -> None:
        _set(self, "alt", clean_prose(self.alt))
        _set(self, "caption", clean_prose(self.caption))
        _set(self, "credit", clean_prose(self.credit))


@dataclass(frozen=True)
class ListBlock:
    items: tuple[tuple[Block, ...], ...]
    ordered: bool = False
    start: int = 1
    type: Literal["list"] = field(default="list", init=False)


Cell = tuple[Inline, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    align: tuple[str | None, ...] = ()
    caption: str = ""
    type: Literal["table"] = field(default="table", init=False)

    def __post_init__(self) -> None:
        _set(self, "header", tuple(tidy_inlines(c) for c in self.header))
        _set(self, "rows", tuple(tuple(tidy_inlines(c) for c in r) for r in self.rows))
        _set(self, "caption", clean_prose(self.caption))

    @property
    def columns(self) -> int:
        return max([len(self.header)] + [len(r) for r in self.rows])


Block = Paragraph | Heading | Quote | Figure | ListBlock | Table


@dataclass(frozen=True)
class Footnote:
    label: str
    blocks: tuple[Block, ...]


# --------------------------------------------------------------------------
# Articles, releases, publications


@dataclass(frozen=True)
class Publisher:
    name: str = ""
    url: str = ""
    logo: Path | None = None

    def __post_init__(self) -> None:
        _set(self, "name", clean_line(self.name))
        _set(self, "url", clean_line(self.url))


@dataclass(frozen=True)
class FeedConfig:
    items: int = 20
    full_content: bool = True
    archive: bool = False


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    date: dt.datetime  # always timezone-aware
    blocks: tuple[Block, ...]
    has_time: bool = False  # False: only the calendar date is meaningful
    dateline: str = ""
    authors: tuple[str, ...] = ()
    byline: str = ""
    section: str = ""
    tags: tuple[str, ...] = ()
    summary: str = ""  # the standfirst the source gave; "" when it gave none
    image: Figure | None = None
    source: str = ""
    source_credit: str = ""  # "Sumber: ..." line of a pasted release
    language: str = "id"
    footnotes: tuple[Footnote, ...] = ()
    path: Path | None = None  # file the article was read from
    # The summary, or one derived from the first paragraph: what lists and
    # feeds show.  Derived again whenever the article is made (or replaced).
    lead: str = field(init=False, default="")

    def __post_init__(self) -> None:
        if self.date.tzinfo is None:
            raise ValueError("Article.date must be timezone-aware")
        for name in ("slug", "dateline", "byline", "section", "source", "source_credit",
                     "language"):
            _set(self, name, clean_line(getattr(self, name)))
        for name in ("title", "summary"):
            _set(self, name, clean_prose(getattr(self, name)))
        _set(self, "authors", tuple(a for a in (clean_line(x) for x in self.authors) if a))
        _set(self, "tags", tuple(t for t in (clean_line(x) for x in self.tags) if t))
        _set(self, "lead", self.summary or derive_summary(self.blocks))

    @property
    def figures(self) -> list[Figure]:
        """Every figure of the article: the lead image first, then body figures."""
        found = [self.image] if self.image else []
        found.extend(query(self.blocks, Figure))
        return found


@dataclass(frozen=True)
class Release:
    slug: str
    title: str
    date: dt.date
    articles: tuple[Article, ...]
    edition: str = ""
    language: str = "id"
    timezone: str = "Asia/Jakarta"
    publisher: Publisher = field(default_factory=Publisher)
    base_url: str = ""
    description: str = ""
    cover: Path | None = None
    theme: str = ""
    feed: FeedConfig = field(default_factory=FeedConfig)
    root: Path | None = None  # folder (or file) the release was read from

    def __post_init__(self) -> None:
        for name in ("slug", "edition", "language", "timezone", "base_url", "theme"):
            _set(self, name, clean_line(getattr(self, name)))
        for name in ("title", "description"):
            _set(self, name, clean_prose(getattr(self, name)))


@dataclass(frozen=True)
class Publication:
    """A set of releases that share feeds.  A lone release is a publication of one."""

    title: str
    releases: tuple[Release, ...]  # newest first
    language: str = "id"
    base_url: str = ""
    description: str = ""
    publisher: Publisher = field(default_factory=Publisher)
    feed: FeedConfig = field(default_factory=FeedConfig)
    slug: str = ""
    root: Path | None = None
    is_single_release: bool = True  # outputs go to OUT/ instead of OUT/<release>/

    def __post_init__(self) -> None:
        for name in ("language", "base_url", "slug"):
            _set(self, name, clean_line(getattr(self, name)))
        for name in ("title", "description"):
            _set(self, name, clean_prose(getattr(self, name)))

    def all_articles(self) -> list[tuple[Release, Article]]:
        """Every article with its release, newest first (stable for equal dates)."""
        pairs = [(r, a) for r in self.releases for a in r.articles]
        pairs.sort(key=lambda p: p[1].date, reverse=True)
        return pairs


# --------------------------------------------------------------------------
# Helpers shared by readers and exporters


def tidy_inlines(inlines: tuple[Inline, ...] | list[Inline]) -> tuple[Inline, ...]:
    """Merge adjacent Text runs, collapse double spaces across runs, trim the ends."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text):
            if not node.text:
                continue
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + node.text)
                continue
        out.append(node)
    if out and isinstance(out[0], Text):
        out[0] = Text(out[0].text.lstrip())
        if not out[0].text:
            out.pop(0)
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text.rstrip())
        if not out[-1].text:
            out.pop()
    while out and isinstance(out[-1], LineBreak):
        out.pop()
    curled, _ = _curl_inlines(tuple(out), "")
    return curled


def _curl_inlines(inlines: tuple[Inline, ...], before: str) -> tuple[tuple[Inline, ...], str]:
    """Typographic quotes in every text run, in reading order (the character
    before a run decides whether its first quote opens); code is left as typed.
    Returns the new inlines and their last character."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text):
            text = curl_quotes(node.text, before)
            out.append(node if text == node.text else Text(text))
            before = text[-1:] or before
        elif isinstance(node, (Emph, Strong)):
            kids, before = _curl_inlines(node.children, before)
            out.append(node if kids == node.children else type(node)(kids))
        elif isinstance(node, Link):
            kids, before = _curl_inlines(node.children, before)
            out.append(node if kids == node.children else Link(node.url, kids, node.title))
        else:
            if isinstance(node, Code):
                before = node.text[-1:] or before
            out.append(node)
    return tuple(out), before


def plain_text(node: object) -> str:
    """The text of an inline, a sequence of inlines or a block, without markup."""
    if isinstance(node, (Text, Code)):
        return node.text
    if isinstance(node, LineBreak):
        return "\n"
    if isinstance(node, FootnoteRef):
        return ""
    if isinstance(node, (Emph, Strong, Link)):
        return "".join(plain_text(c) for c in node.children)
    if isinstance(node, (Paragraph, Heading)):
        return plain_text(node.inlines)
    if isinstance(node, Quote):
        return "\n".join(plain_text(b) for b in node.blocks)
    if isinstance(node, Figure):
        return " ".join(x for x in (node.caption, node.credit) if x)
    if isinstance(node, ListBlock):
        return "\n".join(plain_text(b) for item in node.items for b in item)
    if isinstance(node, Table):
        rows = [node.header, *node.rows] if node.header else list(node.rows)
        return "\n".join(" ".join(plain_text(c) for c in r) for r in rows)
    if isinstance(node, (tuple, list)):
        return "".join(plain_text(c) for c in node)
    raise TypeError(f"not a model node: {type(node).__name__}")


def walk_blocks(blocks: tuple[Block, ...] | list[Block]) -> Iterator[Block]:
    """Yield every block, depth first, including those inside quotes and lists."""
    for block in blocks:
        yield block
        if isinstance(block, Quote):
            yield from walk_blocks(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from walk_blocks(item)


def walk(node: object) -> Iterator[Block | Inline]:
    """Every block and inline in ``node``, depth first in reading order.

    ``node`` is an article (its lead image, body and footnotes), a footnote, a
    block, an inline or a sequence of them.  Blocks inside quotes and lists
    and inlines inside paragraphs, headings, table cells, emphasis and links
    are all visited.
    """
    if isinstance(node, Article):
        if node.image is not None:
            yield node.image
        yield from walk(node.blocks)
        for note in node.footnotes:
            yield from walk(note.blocks)
    elif isinstance(node, Footnote):
        yield from walk(node.blocks)
    elif isinstance(node, (tuple, list)):
        for child in node:
            yield from walk(child)
    else:
        if not isinstance(node, (Paragraph, Heading, Quote, Figure, ListBlock, Table, Text,
                                 Emph, Strong, Code, Link, LineBreak, FootnoteRef)):
            raise TypeError(f"not a model node: {type(node).__name__}")
        yield node
        if isinstance(node, (Paragraph, Heading)):
            yield from walk(node.inlines)
        elif isinstance(node, Quote):
            yield from walk(node.blocks)
        elif isinstance(node, ListBlock):
            for item in node.items:
                yield from walk(item)
        elif isinstance(node, Table):
            for row in (node.header, *node.rows):
                for cell in row:
                    yield from walk(cell)
        elif isinstance(node, (Emph, Strong, Link)):
            yield from walk(node.children)


N = TypeVar("N", bound="Block | Inline")


def query(node: object, kind: type[N]) -> Iterator[N]:
    """The nodes of type ``kind`` in ``node`` (see :func:`walk`), e.g. every Link."""
    for found in walk(node):
        if isinstance(found, kind):
            yield found


def derive_summary(blocks: tuple[Block, ...], limit: int = 300) -> str:
    """First paragraph's text, cut at a word boundary near ``limit`` characters."""
    for block in blocks:
        if isinstance(block, Paragraph):
            text = clean_line(plain_text(block))
            if not text:
                continue
            if len(text) <= limit:
                return text
            cut = text.rfind(" ", 0, limit)
            return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"
    return ""


__all__ = [
    "Article", "Block", "Cell", "Code", "Emph", "FeedConfig", "Figure", "Footnote",
    "FootnoteRef", "Heading", "Inline", "LineBreak", "Link", "ListBlock", "Paragraph",
    "Publication", "Publisher", "Quote", "Release", "Strong", "Table", "Text",
    "derive_summary", "plain_text", "query", "tidy_inlines", "walk", "walk_blocks",
]
