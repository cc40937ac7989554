"""Article -> Markdown with YAML front matter: the inverse of readers/markdown.py.

``publikasi import`` writes what the plain-text (and DOCX) readers found as an
editable ``.md`` file.  The contract is the round trip: reading the written
text with :func:`publikasi.readers.markdown.read_markdown` gives the same
:class:`~publikasi.model.Article` (except ``path``).

Representation choices:

* Front matter is written with ``yaml.safe_dump`` (every string safely quoted);
  ``summary`` is written only when the article has its own, ``slug`` only
  when it differs from what the reader would derive.
* Figures are ``![alt](<src> "caption (Kredit: credit)")`` paragraphs; the
  reader's ``split_credit`` takes the credit back out of the title.  A figure
  without a file (a pasted release names the photo by its caption only) is
  written with an empty destination: ``![](<> "caption (Kredit: credit)")``.
* Body headings are written one level down (``##`` for level 1) so that the
  file's ``#`` level stays free for the headline; the reader shifts them back.
* Text is escaped so that nothing in it turns into Markdown syntax.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from .model import (
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
)
from .readers.common import split_credit
from .text import slugify

CREDIT_LABEL = "Kredit"

# ---------------------------------------------------------------- escaping

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>&!~|#])")
_LINE_START = re.compile(r"^(\s*)([-+=>#]|\d{1,9}(?=[.)]))")


def escape_text(text: str) -> str:
    """Backslash-escape every character that could start Markdown syntax."""
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def _escape_line_start(line: str) -> str:
    m = _LINE_START.match(line)
    if not m:
        return line
    lead, token = m.group(1), m.group(2)
    if token[0].isdigit():
        # "2025. tahun" would start an ordered list: escape the "." or ")".
        end = m.end()
        return line[:end] + "\\" + line[end:]
    return f"{lead}\\{line[len(lead):]}"


def _code(text: str) -> str:
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = text.startswith(("`", " ")) or text.endswith(("`", " "))
    if text.strip() == "":
        pad = False
    return f"{fence} {text} {fence}" if pad else f"{fence}{text}{fence}"


def _url(url: str) -> str:
    # Angle brackets allow spaces and parentheses; "<", ">" and "%" would be
    # read as syntax or as escapes, so they are percent-encoded.
    url = url.replace("%", "%25") if not re.search(r"%[0-9A-Fa-f]{2}", url) else url
    return "<" + url.replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"


def _title_attr(title: str) -> str:
    return '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- inlines


def _wrap(marker: str, children: tuple[Inline, ...], depth: int) -> str:
    inner = render_inlines(children, depth + 1)
    stripped = inner.strip(" ")
    if not stripped:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip(" "))]
    trail = inner[len(inner.rstrip(" ")):]
    return f"{lead}{marker}{stripped}{marker}{trail}"


def render_inline(node: Inline, depth: int = 0) -> str:
    if isinstance(node, Text):
        return escape_text(node.text)
    if isinstance(node, Code):
        return _code(node.text)
    if isinstance(node, Emph):
        # "_" inside "**" and "*" elsewhere keeps "***" ambiguities away.
        return _wrap("_" if depth % 2 else "*", node.children, depth)
    if isinstance(node, Strong):
        return _wrap("**", node.children, depth)
    if isinstance(node, Link):
        text = render_inlines(node.children, depth + 1)
        title = f" {_title_attr(node.title)}" if node.title else ""
        return f"[{text}]({_url(node.url)}{title})"
    if isinstance(node, LineBreak):
        return "\\\n"
    if isinstance(node, FootnoteRef):
        return f"[^{node.label}]"
    raise TypeError(f"not an inline: {type(node).__name__}")


def render_inlines(inlines: tuple[Inline, ...] | list[Inline], depth: int = 0) -> str:
    return "".join(render_inline(n, depth) for n in inlines)


def _paragraph_text(inlines: tuple[Inline, ...]) -> str:
    text = render_inlines(inlines)
    return "\n".join(_escape_line_start(ln) for ln in text.split("\n"))


# ---------------------------------------------------------------- blocks


def _rel(path: Path, base: Path | None) -> str:
    if base is None:
        return path.as_posix()
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def figure_markdown(fig: Figure, base: Path | None) -> str:
    title = fig.caption
    if fig.credit or split_credit(fig.caption)[1]:
        # An empty "(Kredit: )" keeps a caption that ends like a credit whole.
        title = f"{title} ({CREDIT_LABEL}: {fig.credit})".strip()
    src = _url(_rel(fig.src, base)) if fig.src is not None else "<>"
    attr = f" {_title_attr(title)}" if title else ""
    alt = escape_text(fig.alt)
    return f"![{alt}]({src}{attr})"


def _table(table: Table) -> str:
    cols = table.columns
    if cols == 0:
        return ""

    def row(cells: tuple) -> str:
        texts = [render_inlines(c).replace("\\\n", "<br>").replace("\n", " ") for c in cells]
        texts += [""] * (cols - len(texts))
        return "| " + " | ".join(t if t else " " for t in texts) + " |"

    align = list(table.align) + [None] * (cols - len(table.align))
    marks = {"left": ":---", "right": "---:", "center": ":---:", None: "---"}
    lines = [row(table.header or tuple(() for _ in range(cols))),
             "| " + " | ".join(marks.get(a, "---") for a in align[:cols]) + " |"]
    lines.extend(row(r) for r in table.rows)
    return "\n".join(lines)


def _indent(text: str, first: str, rest: str) -> str:
    out = []
    for i, line in enumerate(text.split("\n")):
        prefix = first if i == 0 else rest
        out.append(prefix + line if line else prefix.rstrip())
    return "\n".join(out)


def render_block(block: Block, base: Path | None, heading_shift: int = 1) -> str:
    if isinstance(block, Paragraph):
        return _paragraph_text(block.inlines)
    if isinstance(block, Heading):
        level = min(block.level + heading_shift, 6)
        text = render_inlines(block.inlines).replace("\\\n", " ")
        return f"{'#' * level} {text}".rstrip()
    if isinstance(block, Figure):
        return figure_markdown(block, base)
    if isinstance(block, Quote):
        inner = render_blocks(block.blocks, base, heading_shift)
        if block.attribution:
            inner = (inner + "\n\n" if inner else "") + "— " + escape_text(block.attribution)
        return _indent(inner, "> ", "> ")
    if isinstance(block, ListBlock):
        items = []
        number = block.start
        for item in block.items:
            marker = f"{number}. " if block.ordered else "- "
            number += 1
            body = render_blocks(item, base, heading_shift) or ""
            items.append(_indent(body, marker, " " * len(marker)) if body else marker.rstrip())
        # Blank lines between items only when an item holds several blocks.
        loose = any(len(item) > 1 for item in block.items)
        return ("\n\n" if loose else "\n").join(items)
    if isinstance(block, Table):
        return _table(block)
    raise TypeError(f"not a block: {type(block).__name__}")


def render_blocks(blocks: tuple[Block, ...] | list[Block], base: Path | None,
                  heading_shift: int = 1) -> str:
    out: list[str] = []
    prev: Block | None = None
    for block in blocks:
        text = render_block(block, base, heading_shift)
        if not text:
            continue
        if isinstance(prev, ListBlock) and isinstance(block, ListBlock):
            # Two lists in a row would merge into one: separate them.
            out.append("<!-- -->")
        out.append(text)
        prev = block
    return "\n\n".join(out)


def _footnotes(footnotes: tuple[Footnote, ...], base: Path | None) -> str:
    parts = []
    for fn in footnotes:
        body = render_blocks(fn.blocks, base) or " "
        parts.append(_indent(body, f"[^{fn.label}]: ", "    "))
    return "\n\n".join(parts)


# ---------------------------------------------------------------- article


def _date_value(article: Article) -> str:
    if article.has_time:
        return article.date.isoformat()
    return article.date.date().isoformat()


def front_matter(article: Article, base: Path | None) -> dict[str, Any]:
    data: dict[str, Any] = {"title": article.title, "date": _date_value(article)}
    if article.slug != slugify(article.title):
        data["slug"] = article.slug
    for key in ("dateline", "byline", "section"):
        value = getattr(article, key)
        if value:
            data[key] = value
    if article.authors:
        data["authors"] = list(article.authors)
    if article.tags:
        data["tags"] = list(article.tags)
    if article.summary:
        data["summary"] = article.summary
    if article.image is not None:
        img: dict[str, Any] = {}
        if article.image.src is not None:
            img["src"] = _rel(article.image.src, base)
        for key in ("alt", "caption", "credit"):
            if getattr(article.image, key):
                img[key] = getattr(article.image, key)
        data["image"] = img
    if article.source:
        data["source"] = article.source
    if article.source_credit:
        data["source_credit"] = article.source_credit
    data["language"] = article.language
    return data


def write_markdown(article: Article, base: Path | None = None) -> str:
    """The article as Markdown text; image paths are made relative to ``base``."""
    meta = yaml.safe_dump(front_matter(article, base), allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=10_000)
    body = render_blocks(article.blocks, base)
    notes = _footnotes(article.footnotes, base)
    text = f"---\n{meta}---\n"
    if body:
        text += f"\n{body}\n"
    if notes:
        text += f"\n{notes}\n"
    return text


__all__ = ["escape_text", "figure_markdown", "front_matter", "render_blocks", "write_markdown"]
