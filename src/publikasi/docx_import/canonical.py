"""Resolving what a Word file cannot say, with the article it was made from.

Some model distinctions do not survive the trip into Word, because the
exporter writes both alternatives the same way:

* ``Strong(Emph(x))`` and ``Emph(Strong(x))`` are both a bold italic run;
* a relative link and the absolute URL it resolves to against ``base_url``;
* a table column aligned ``left`` and one with no alignment;
* a figure whose alt text equals its caption, and one without alt text.

When the original article is at hand (the source file in the release), each
imported block is compared with the original's blocks in a *canonical* form
that erases exactly these distinctions; an equal block is taken from the
original, so an untouched paragraph comes back byte for byte.  Blocks the
editor changed keep the import's own reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..model import (
    Article,
    Block,
    Code,
    Emph,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    query,
    walk_blocks,
)
from ..links import LinkIndex, link_target


@dataclass
class Canon:
    """Canonical forms for one article's import."""

    base_url: str = ""
    base: Path | None = None
    photo_label: Callable[[], str] = lambda: "Foto"
    links: LinkIndex | None = None  # the publication's articles, as the exporter saw them

    def target(self, url: str) -> str:
        """Where the Word file points for a link the source writes as ``url``."""
        return link_target(url, self.links, self.base_url)

    def inlines(self, nodes, bold=False, italic=False, code=False, link=None) -> tuple:
        runs: list[tuple] = []
        self._flatten(nodes, bold, italic, code, link, runs)
        merged: list[tuple] = []
        for run in runs:
            if merged and run[0] == "text" and merged[-1][0] == "text" \
                    and merged[-1][2] == run[2]:
                merged[-1] = ("text", merged[-1][1] + run[1], run[2])
            else:
                merged.append(run)
        # Leading and trailing spaces of a paragraph are not content.
        if merged and merged[0][0] == "text":
            merged[0] = ("text", merged[0][1].lstrip(), merged[0][2])
        if merged and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1].rstrip(), merged[-1][2])
        return tuple(r for r in merged if not (r[0] == "text" and not r[1]))

    def _flatten(self, nodes, bold, italic, code, link, out: list) -> None:
        for node in nodes:
            if isinstance(node, Text):
                out.append(("text", node.text, (bold, italic, code, link)))
            elif isinstance(node, Code):
                out.append(("text", node.text, (bold, italic, True, link)))
            elif isinstance(node, Emph):
                self._flatten(node.children, bold, not italic, code, link, out)
            elif isinstance(node, Strong):
                self._flatten(node.children, True, italic, code, link, out)
            elif isinstance(node, Link):
                # The title (a tooltip in Word) is invisible to the editor, and
                # LibreOffice drops it: it does not tell links apart.
                self._flatten(node.children, bold, italic, code, self.target(node.url), out)
            elif isinstance(node, LineBreak):
                out.append(("br", "", (bold, italic, code, link)))
            elif isinstance(node, FootnoteRef):
                out.append(("fn", node.label, (bold, italic, code, None)))

    def _src(self, src: Path | None) -> str | None:
        if src is None:
            return None
        if self.base is not None:
            try:
                return src.relative_to(self.base).as_posix()
            except ValueError:
                pass
        return src.as_posix()

    def figure(self, fig: Figure) -> tuple:
        if fig.src is None:
            return ("figure", None, "", fig.caption, fig.credit)
        descr = fig.alt or fig.caption or self.photo_label()
        return ("figure", self._src(fig.src), descr, fig.caption, fig.credit)

    def block(self, block: Block) -> tuple:
        if isinstance(block, Paragraph):
            return ("p", self.inlines(block.inlines))
        if isinstance(block, Heading):
            return ("h", block.level, self.inlines(block.inlines))
        if isinstance(block, Quote):
            return ("q", tuple(self.block(b) for b in block.blocks), block.attribution)
        if isinstance(block, Figure):
            return self.figure(block)
        if isinstance(block, ListBlock):
            return ("l", block.ordered, block.start if block.ordered else 1,
                    tuple(tuple(self.block(b) for b in item) for item in block.items))
        if isinstance(block, Table):
            cols = block.columns
            align = tuple(None if a == "left" else a for a in
                          (list(block.align) + [None] * cols)[:cols])
            return ("t", tuple(self.inlines(c) for c in block.header),
                    tuple(tuple(self.inlines(c) for c in r) for r in block.rows), align,
                    block.caption)
        return ("?", repr(block))


@dataclass
class Adopter:
    """Takes blocks (and inline links, figure alt texts) back from the original article."""

    canon: Canon
    original: Article | None
    _pool: dict[tuple, Block] = field(default_factory=dict)
    _links: dict[str, str] = field(default_factory=dict)
    _figures: dict[str, Figure] = field(default_factory=dict)
    _tables: list[Table] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.original is None:
            return
        everything: list[Block] = list(walk_blocks(self.original.blocks))
        for note in self.original.footnotes:
            everything.extend(walk_blocks(note.blocks))
        for block in everything:
            self._pool.setdefault(self.canon.block(block), block)
            if isinstance(block, Figure) and block.src is not None:
                self._figures.setdefault(self.canon._src(block.src) or "", block)
            if isinstance(block, Table):
                self._tables.append(block)
        if self.original.image is not None:
            img = self.original.image
            self._pool.setdefault(self.canon.block(img), img)
            if img.src is not None:
                self._figures.setdefault(self.canon._src(img.src) or "", img)
        for link in query(self.original, Link):
            resolved = self.canon.target(link.url)
            if resolved != link.url:
                self._links.setdefault(resolved, link.url)

    def link(self, url: str) -> str:
        """A link URL as the original wrote it (relative) when it resolves to ``url``."""
        return self._links.get(url, url)

    def alt(self, src_name: str | None, descr: str, caption: str) -> str:
        """Alt text of a picture from its ``descr``: empty when it only repeats the caption."""
        orig = self._figures.get(src_name or "")
        if orig is not None and (orig.alt or orig.caption or self.canon.photo_label()) == descr:
            return orig.alt
        if descr == caption or descr == self.canon.photo_label():
            return ""
        return descr

    def align(self, table: Table) -> Table:
        """Columns Word shows as "no alignment" take the original's ``left``."""
        header = self.canon.block(Table(table.header, ()))
        for orig in self._tables:
            if orig.columns == table.columns and \
                    self.canon.block(Table(orig.header, ())) == header:
                align = []
                for i, a in enumerate(table.align):
                    o = orig.align[i] if i < len(orig.align) else None
                    align.append(o if a is None and o == "left" else a)
                return Table(table.header, table.rows, tuple(align), table.caption)
        return table

    def adopt(self, block: Block) -> Block:
        found = self._pool.get(self.canon.block(block))
        if found is not None:
            return found
        if isinstance(block, ListBlock):
            return ListBlock(tuple(tuple(self.adopt(b) for b in item) for item in block.items),
                             block.ordered, block.start)
        if isinstance(block, Quote):
            return Quote(tuple(self.adopt(b) for b in block.blocks), block.attribution)
        if isinstance(block, Table):
            return self.align(block)
        return block

    def adopt_notes(self, notes: tuple[Footnote, ...]) -> tuple[Footnote, ...]:
        return tuple(Footnote(n.label, tuple(self.adopt(b) for b in n.blocks)) for n in notes)

