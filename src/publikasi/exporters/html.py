"""Model -> (X)HTML fragments, shared by the EPUB and feed exporters.

Output is well-formed XHTML (every element closed, every attribute quoted,
all text escaped), which is also valid HTML for feed readers.  Exporters
decide where pictures live and how footnotes are marked up through
:class:`HtmlOptions`; nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from ..model import (
    Block, Code, Emph, Figure, Footnote, FootnoteRef, Heading, Inline, LineBreak, Link,
    ListBlock, Paragraph, Quote, Strong, Table, Text,
)
from ..links import LinkIndex
from ..text import CREDIT_SEPARATOR
from ..urls import encode_href, resolve_relative


def esc(text: str) -> str:
    return escape(text, quote=True)


@dataclass
class HtmlOptions:
    # Figure -> URL of its picture, or None to leave the figure out.
    image_url: Callable[[Figure], str | None] = lambda fig: None
    # Relative links are resolved against this URL (feeds need absolute links).
    link_base: str = ""
    # "epub": EPUB 3 noterefs + <aside epub:type="footnote">; "html": plain anchors.
    footnotes: str = "html"
    id_prefix: str = ""  # keeps ids unique when several articles share a document
    heading_offset: int = 1  # body heading level 1 becomes <h2>
    photo_label: str = "Foto"
    notes_label: str = "Catatan"
    # Extra attributes for <img> (e.g. loading="lazy" in feeds).
    img_attrs: dict[str, str] = field(default_factory=dict)
    # Figure -> more <img> attributes of that picture (srcset, width ... on web pages).
    figure_attrs: Callable[[Figure], dict[str, str]] | None = None
    # Final say over every link target (after ``link_base``): return the href to
    # use, or None to keep the link text without an anchor (an e-book must not
    # point at files it does not contain).
    link_filter: Callable[[str], str | None] | None = None
    # Articles a link may name (``../2025-46/dua.md``): such a link goes to the
    # article's address (its ``source:`` or web page) instead of the file.
    links: LinkIndex | None = None

    def fn_id(self, label: str) -> str:
        return f"{self.id_prefix}fn-{label}"

    def ref_id(self, label: str) -> str:
        return f"{self.id_prefix}fnref-{label}"


def _href(url: str, opts: HtmlOptions) -> str:
    address = opts.links.address(url) if opts.links is not None else None
    return encode_href(address or resolve_relative(url, opts.link_base))


def inlines_html(inlines: tuple[Inline, ...] | list[Inline], opts: HtmlOptions,
                 in_link: bool = False) -> str:
    return "".join(inline_html(i, opts, in_link) for i in inlines)


def inline_html(node: Inline, opts: HtmlOptions, in_link: bool = False) -> str:
    """One inline as (X)HTML.  Inside a link, links and note references lose
    their own <a>: HTML forbids an <a> in an <a> (EPUBCheck RSC-005)."""
    if isinstance(node, Text):
        return esc(node.text)
    if isinstance(node, Code):
        return f"<code>{esc(node.text)}</code>"
    if isinstance(node, Emph):
        return f"<em>{inlines_html(node.children, opts, in_link)}</em>"
    if isinstance(node, Strong):
        return f"<strong>{inlines_html(node.children, opts, in_link)}</strong>"
    if isinstance(node, Link):
        href: str | None = None if in_link else _href(node.url, opts)
        if opts.link_filter is not None and href is not None:
            href = opts.link_filter(href)
        if not href:
            return inlines_html(node.children, opts, in_link)
        title = f' title="{esc(node.title)}"' if node.title else ""
        return f'<a href="{esc(href)}"{title}>{inlines_html(node.children, opts, True)}</a>'
    if isinstance(node, LineBreak):
        return "<br/>"
    if isinstance(node, FootnoteRef) and in_link:
        return f"<sup>{esc(node.label)}</sup>"
    if isinstance(node, FootnoteRef):
        target = opts.fn_id(node.label)
        if opts.footnotes == "epub":
            return (f'<a epub:type="noteref" role="doc-noteref" id="{opts.ref_id(node.label)}" '
                    f'href="#{target}">{esc(node.label)}</a>')
        return (f'<sup id="{opts.ref_id(node.label)}"><a href="#{target}">'
                f'{esc(node.label)}</a></sup>')
    raise TypeError(type(node).__name__)


def figure_html(fig: Figure, opts: HtmlOptions, css_class: str = "") -> str:
    """A <figure>, or "" when the picture has no file: caption-only photos of
    pasted releases are left out of EPUB and feeds (issue 4), unlike DOCX."""
    url = opts.image_url(fig)
    if not url:
        return ""
    alt = fig.alt or fig.caption or opts.photo_label
    extra = dict(opts.img_attrs)
    if opts.figure_attrs is not None:
        extra.update(opts.figure_attrs(fig))
    attrs = "".join(f' {k}="{esc(v)}"' for k, v in extra.items())
    parts = [f'<img src="{esc(url)}" alt="{esc(alt)}"{attrs}/>']
    if fig.caption or fig.credit:
        sep = esc(CREDIT_SEPARATOR) if fig.caption else ""
        credit = (f'{sep}<span class="credit">{esc(opts.photo_label)}: {esc(fig.credit)}</span>'
                  if fig.credit else "")
        parts.append(f"<figcaption>{esc(fig.caption)}{credit}</figcaption>")
    cls = f' class="{css_class}"' if css_class else ""
    return f"<figure{cls}>{''.join(parts)}</figure>"


def _align(value: str | None) -> str:
    return f' class="align-{value}"' if value in ("left", "right", "center") else ""


def table_html(table: Table, opts: HtmlOptions) -> str:
    out = ["<table>"]
    if table.caption:
        out.append(f"<caption>{esc(table.caption)}</caption>")
    cols = table.columns
    align = list(table.align) + [None] * (cols - len(table.align))
    if table.header:
        out.append("<thead><tr>")
        for i in range(cols):
            cell = table.header[i] if i < len(table.header) else ()
            out.append(f'<th scope="col"{_align(align[i])}>{inlines_html(cell, opts)}</th>')
        out.append("</tr></thead>")
    out.append("<tbody>")
    for row in table.rows:
        out.append("<tr>")
        for i in range(cols):
            cell = row[i] if i < len(row) else ()
            out.append(f"<td{_align(align[i])}>{inlines_html(cell, opts)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def block_html(block: Block, opts: HtmlOptions) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{inlines_html(block.inlines, opts)}</p>" if block.inlines else ""
    if isinstance(block, Heading):
        level = min(block.level + opts.heading_offset, 6)
        return f"<h{level}>{inlines_html(block.inlines, opts)}</h{level}>"
    if isinstance(block, Quote):
        inner = blocks_html(block.blocks, opts)
        if block.attribution:
            inner += f"<footer>{esc(block.attribution)}</footer>"
        return f"<blockquote>{inner}</blockquote>"
    if isinstance(block, Figure):
        return figure_html(block, opts)
    if isinstance(block, ListBlock):
        tag = "ol" if block.ordered else "ul"
        start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
        items = "".join(f"<li>{_item_html(item, opts)}</li>" for item in block.items)
        return f"<{tag}{start}>{items}</{tag}>"
    if isinstance(block, Table):
        return table_html(block, opts)
    raise TypeError(type(block).__name__)


def _item_html(blocks: tuple[Block, ...], opts: HtmlOptions) -> str:
    # A list item of one paragraph is written without <p> (tight list).
    if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
        return inlines_html(blocks[0].inlines, opts)
    return blocks_html(blocks, opts)


def blocks_html(blocks: tuple[Block, ...] | list[Block], opts: HtmlOptions) -> str:
    return "\n".join(h for h in (block_html(b, opts) for b in blocks) if h)


def footnotes_html(notes: tuple[Footnote, ...], opts: HtmlOptions) -> str:
    if not notes:
        return ""
    if opts.footnotes == "epub":
        items = []
        for fn in notes:
            back = f'<a href="#{opts.ref_id(fn.label)}">{esc(fn.label)}.</a> '
            body = blocks_html(fn.blocks, opts) or "<p></p>"
            # Put the back-link inside the first paragraph so the note reads "1. text".
            if body.startswith("<p>"):
                body = "<p>" + back + body[3:]
            else:
                body = f"<p>{back}</p>{body}"
            items.append(f'<aside epub:type="footnote" role="doc-footnote" '
                         f'id="{opts.fn_id(fn.label)}">{body}</aside>')
        return (f'<section class="footnotes" role="doc-endnotes" '
                f'aria-label="{esc(opts.notes_label)}">'
                f"<h{1 + opts.heading_offset} class=\"notes-title\">{esc(opts.notes_label)}"
                f"</h{1 + opts.heading_offset}>{''.join(items)}</section>")
    entries = "".join(
        f'<li id="{opts.fn_id(fn.label)}">{blocks_html(fn.blocks, opts)} '
        f'<a href="#{opts.ref_id(fn.label)}">↩</a></li>' for fn in notes)
    return f'<section class="footnotes"><hr/><ol>{entries}</ol></section>'
