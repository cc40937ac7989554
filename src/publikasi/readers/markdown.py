"""Markdown articles: YAML front matter + CommonMark (tables, footnotes).

Parsing is markdown-it-py's; this module only maps its syntax tree onto the
closed block/inline set of :mod:`publikasi.model`.  Raw HTML never reaches the
model as HTML: it is sanitised with nh3 and mapped onto model blocks and
inlines by :mod:`publikasi.readers.rawhtml` (paragraphs, emphasis, safe
links, lists and tables survive; scripts, frames, handlers and external
resources do not, and the user gets a warning naming what was removed).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from ..errors import InputError, fail
from ..model import (
    Article,
    Block,
    Code,
    Emph,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    plain_text,
)
from ..text import SLUG_MAX_EXPLICIT, slugify
from ..yamlio import YamlDoc, load_mapping
from ..urls import is_safe_link
from .common import (
    ReadContext,
    normalize_keys,
    parse_date,
    parse_image,
    parse_language,
    parse_str,
    parse_str_list,
    parse_url,
    resolve_image,
    split_credit,
)
from .rawhtml import convert_inline_run, html_to_blocks, removed_tags

ARTICLE_KEYS = {
    "title", "date", "dateline", "authors", "byline", "section", "tags", "summary",
    "image", "source", "slug", "language",
    # extensions (README): credit line of a pasted release
    "source_credit",
}

_FRONT = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?$\n?",
                    re.DOTALL | re.MULTILINE)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    # markdown-it leaves `[text](javascript:...)` as literal source text; accept
    # every link here and let is_safe_link() drop unsafe URLs while keeping "text".
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md.use(footnote_plugin)


_MD = _parser()


def split_front_matter(text: str, file: Path) -> tuple[YamlDoc, str, int]:
    """-> (front matter, body, line number where the body starts)."""
    m = _FRONT.match(text)
    if not m:
        raise fail(file, "missing YAML front matter: the file must start with a `---` line, "
                   "then `title:` and `date:`, then a closing `---`", 1)
    doc = load_mapping(m.group(1), file, first_line=2)
    body_line = text[: m.end()].count("\n") + 1
    return doc, text[m.end():], body_line


def read_markdown(text: str, file: Path, ctx: ReadContext) -> Article:
    doc, body, body_line = split_front_matter(text, file)
    blocks, footnotes = parse_body(body, file, ctx, body_line)
    return article_from_meta(doc, blocks, footnotes, file, ctx)


def article_from_meta(doc: YamlDoc, blocks: tuple[Block, ...], footnotes: tuple[Footnote, ...],
                      file: Path, ctx: ReadContext) -> Article:
    data, line = doc.data, doc.line
    errors: list = []

    def get(key: str, fn, *args: Any) -> Any:
        if key not in data or data[key] is None:
            return None
        try:
            return fn(data[key], *args)
        except InputError as exc:
            errors.extend(exc.problems)
            return None

    normalize_keys(data, ARTICLE_KEYS, file, doc.lines, ctx.problems, "front matter")
    title = get("title", parse_str, file, line("title"), "title")
    if "title" not in data:
        errors.append(fail(file, "front matter has no `title`", doc.first_line).problems[0])
    elif not title:
        errors.append(fail(file, "`title` is empty", line("title")).problems[0])
    language = get("language", parse_language, file, line("language")) or ctx.language
    date = get("date", parse_date, ctx.tz, file, line("date"))
    if "date" not in data:
        errors.append(fail(file, "front matter has no `date` (write e.g. `date: 2025-11-10`)",
                           doc.first_line).problems[0])
    image = get("image", parse_image, file.parent, ctx, file, line("image"))
    source = get("source", parse_url, file, line("source"), "source") or ""
    slug_raw = get("slug", parse_str, file, line("slug"), "slug")
    if errors:
        raise InputError(errors)
    assert title and date
    slug = slugify(slug_raw, SLUG_MAX_EXPLICIT) if slug_raw else slugify(title)
    if slug_raw and slug != slug_raw:
        ctx.problems.warn(file, f"`slug` {slug_raw!r} is not URL-safe; using {slug!r}",
                          line("slug"))
    return Article(
        slug=slug,
        title=title,
        date=date[0],
        has_time=date[1],
        blocks=blocks,
        dateline=get("dateline", parse_str, file, line("dateline"), "dateline") or "",
        authors=get("authors", parse_str_list, file, line("authors"), "authors") or (),
        byline=get("byline", parse_str, file, line("byline"), "byline") or "",
        section=get("section", parse_str, file, line("section"), "section") or "",
        tags=get("tags", parse_str_list, file, line("tags"), "tags") or (),
        summary=get("summary", parse_str, file, line("summary"), "summary") or "",
        image=image,
        source=source,
        source_credit=get("source_credit", parse_str, file, line("source_credit"),
                          "source_credit") or "",
        language=language,
        footnotes=footnotes,
        path=file,
    )


# ---------------------------------------------------------------- body


class _Node:
    """A node of markdown-it's token stream as a tree: an opening and closing
    token pair with what lies between (``type`` without ``_open``), or a
    token alone (an inline token's and an image's children are its own).

    What markdown_it.tree.SyntaxTreeNode gives, as plain attributes; made
    for every token of every article, so it is kept this small.
    """

    __slots__ = ("attrs", "children", "content", "map", "meta", "tag", "type")

    def __init__(self, token: Token, type_: str, children: list[_Node]) -> None:
        self.type = type_
        self.tag = token.tag
        self.attrs = token.attrs
        self.map = token.map
        self.content = token.content
        self.meta = token.meta
        self.children = children


def _tree(tokens: list[Token]) -> list[_Node]:
    """The top-level nodes of ``tokens``."""
    top: list[_Node] = []
    open_lists = [top]
    for token in tokens:
        if token.nesting == 1:
            kids: list[_Node] = []
            open_lists[-1].append(_Node(token, token.type.removesuffix("_open"), kids))
            open_lists.append(kids)
        elif token.nesting == -1:
            open_lists.pop()
        else:
            open_lists[-1].append(_Node(token, token.type,
                                        _tree(token.children) if token.children else []))
    return top


class _Converter:
    def __init__(self, file: Path, ctx: ReadContext, first_line: int) -> None:
        self.file = file
        self.ctx = ctx
        self.first_line = first_line
        self.footnote_labels: dict[int, str] = {}
        self.current_line: int | None = first_line

    def line_of(self, node: _Node) -> int | None:
        if node.map:
            return node.map[0] + self.first_line
        return None

    # blocks ---------------------------------------------------------------
    def blocks(self, nodes: list[_Node]) -> list[Block]:
        out: list[Block] = []
        for node in nodes:
            out.extend(self.block(node))
        return out

    def block(self, node: _Node) -> list[Block]:
        t = node.type
        self.current_line = self.line_of(node) or self.current_line
        if t == "paragraph":
            return self.paragraph(node)
        if t == "heading":
            return [Heading(int(node.tag[1]), self.inline_of(node))]
        if t == "blockquote":
            return [_quote(self.blocks(node.children))]
        if t in ("bullet_list", "ordered_list"):
            items = []
            for item in node.children:
                items.append(tuple(self.blocks(item.children)))
            start = int(node.attrs.get("start", 1)) if t == "ordered_list" else 1
            return [ListBlock(tuple(items), ordered=t == "ordered_list", start=start)]
        if t in ("fence", "code_block"):
            lines = node.content.rstrip("\n").split("\n")
            inl: list[Inline] = []
            for i, ln in enumerate(lines):
                if i:
                    inl.append(LineBreak())
                inl.append(Code(ln))
            return [Paragraph(tuple(inl))]
        if t == "table":
            return [self.table(node)]
        if t == "html_block":
            self.report_removed(removed_tags(node.content))
            return html_to_blocks(node.content)
        if t in ("hr", "footnote_block"):
            return []
        # Unknown block types from future parser versions: keep their text.
        text = node.content if hasattr(node, "content") else ""
        return [Paragraph((Text(text),))] if text.strip() else []

    def paragraph(self, node: _Node) -> list[Block]:
        inline = node.children[0] if node.children else None
        if inline is None:
            return []
        out: list[Block] = []
        nodes: list[_Node] = []
        for child in inline.children:
            if child.type == "image":
                pending = self.seq(nodes)
                if any(plain_text(x).strip() for x in pending):
                    out.append(Paragraph(tuple(pending)))
                nodes = []
                out.append(self.figure(child))
            else:
                nodes.append(child)
        para = Paragraph(tuple(self.seq(nodes)))
        if para.inlines and (any(not isinstance(x, LineBreak) for x in para.inlines)):
            out.append(para)
        return out

    def figure(self, node: _Node) -> Figure:
        src = str(node.attrs.get("src", ""))
        alt = "".join(plain_text(x) for c in node.children for x in self.inline(c))
        caption, credit = split_credit(str(node.attrs.get("title") or ""))
        if not src.strip():
            # `![](<> "caption (Kredit: ...)")`: a photo known only by its caption,
            # as `publikasi import` writes it for pasted releases (Figure.src None).
            return Figure(src=None, alt=alt, caption=caption, credit=credit)
        path = resolve_image(_unquote(src), self.file.parent, self.ctx, self.file,
                             self.line_of(node) or self.current_line, "image")
        return Figure(src=path, alt=alt, caption=caption, credit=credit)

    def table(self, node: _Node) -> Table:
        header: list[tuple[Inline, ...]] = []
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        align: list[str | None] = []
        for part in node.children:
            for tr in part.children:
                cells = []
                for cell in tr.children:
                    cells.append(self.inline_of(cell))
                    if part.type == "thead":
                        style = str(cell.attrs.get("style", ""))
                        m = re.search(r"text-align:\s*(left|right|center)", style)
                        align.append(m.group(1) if m else None)
                if part.type == "thead":
                    header = cells
                else:
                    rows.append(tuple(cells))
        return Table(header=tuple(header), rows=tuple(rows), align=tuple(align))

    # inlines --------------------------------------------------------------
    def inline_of(self, node: _Node) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for child in node.children:
            if child.type == "inline":
                out.extend(self.seq(child.children))
            else:
                out.extend(self.seq([child]))
        return tuple(out)

    def seq(self, nodes: list[_Node]) -> list[Inline]:
        """Sibling inline nodes -> inlines, applying raw inline HTML tags among them."""
        inlines, removed = convert_inline_run(
            nodes, self.inline, lambda n: n.content if n.type == "html_inline" else None)
        self.report_removed(sorted(removed))
        return inlines

    def report_removed(self, names: list[str]) -> None:
        if names:
            tags = ", ".join(f"<{n}>" for n in names)
            self.ctx.problems.warn(self.file, f"raw HTML {tags} removed (only text, links "
                                   "and basic formatting are kept)", self.current_line)

    def inline(self, node: _Node) -> list[Inline]:
        t = node.type
        if t == "text":
            return [Text(node.content)]
        if t == "softbreak":
            return [Text(" ")]
        if t == "hardbreak":
            return [LineBreak()]
        if t == "code_inline":
            return [Code(node.content)]
        if t == "em":
            return [Emph(self.children(node))]
        if t == "strong":
            return [Strong(self.children(node))]
        if t == "link":
            href = str(node.attrs.get("href", ""))
            kids = self.children(node)
            if not is_safe_link(href):
                return list(kids)
            return [Link(href, kids, str(node.attrs.get("title") or ""))]
        if t == "image":
            # An image inside a link or emphasis cannot become a figure; keep its alt.
            return [Text("".join(plain_text(x) for c in node.children for x in self.inline(c)))]
        if t == "html_inline":  # only reached outside seq(); seq() applies the tags
            return []
        if t == "footnote_ref":
            fid = int(node.meta["id"])
            label = self.footnote_labels.setdefault(fid, str(len(self.footnote_labels) + 1))
            return [FootnoteRef(label)]
        if t == "s":
            return list(self.children(node))
        if node.children:
            return list(self.children(node))
        return [Text(node.content)] if node.content else []

    def children(self, node: _Node) -> tuple[Inline, ...]:
        return tuple(self.seq(node.children))

    def footnotes(self, top: list[_Node]) -> tuple[Footnote, ...]:
        found: dict[int, Footnote] = {}
        for node in top:
            if node.type != "footnote_block":
                continue
            for fn in node.children:
                fid = int(fn.meta["id"])
                if fid not in self.footnote_labels:
                    continue  # defined but never referenced
                found[fid] = Footnote(self.footnote_labels[fid], tuple(self.blocks(
                    [c for c in fn.children if c.type != "footnote_anchor"])))
        return tuple(found[k] for k in sorted(found, key=lambda k: int(self.footnote_labels[k])))


def _quote(blocks: list[Block]) -> Quote:
    """A blockquote whose last paragraph is ``— Name, role`` names its speaker."""
    if len(blocks) > 1 and isinstance(blocks[-1], Paragraph):
        last = blocks[-1].inlines
        if len(last) == 1 and isinstance(last[0], Text) and last[0].text.startswith("— "):
            return Quote(tuple(blocks[:-1]), attribution=last[0].text[2:])
    return Quote(tuple(blocks))


def _unquote(src: str) -> str:
    from urllib.parse import unquote

    return unquote(src)


def parse_body(body: str, file: Path, ctx: ReadContext,
               first_line: int = 1) -> tuple[tuple[Block, ...], tuple[Footnote, ...]]:
    """Markdown text -> (blocks, footnotes)."""
    top = _tree(_MD.parse(body))
    conv = _Converter(file, ctx, first_line)
    problems: list = []
    blocks: list[Block] = []
    for node in top:
        try:
            blocks.extend(conv.block(node))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    # Body headings start at level 1 whatever the author used (## is common
    # because # looks like the headline): exporters place them below the title.
    levels = [b.level for b in blocks if isinstance(b, Heading)]
    if levels and min(levels) > 1:
        shift = min(levels) - 1
        blocks = [Heading(b.level - shift, b.inlines) if isinstance(b, Heading) else b
                  for b in blocks]
    return tuple(blocks), conv.footnotes(top)
