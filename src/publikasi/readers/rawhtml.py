"""Raw HTML inside Markdown: sanitised with nh3, then mapped onto the model.

Pasted articles often carry HTML from a CMS (``<p>``, ``<b>``, ``<a>``,
lists, tables) and sometimes worse (``<script>``, ``<iframe>``, tracking
pixels, ``onclick``).  Nothing of the HTML itself reaches an output: block
HTML is first cleaned by nh3 against :data:`ALLOWED_TAGS` (everything else is
unwrapped, and the contents of :data:`DROP_CONTENT` are removed entirely),
then the cleaned tree becomes model blocks, which exporters render with their
own, escaped markup.  Inline HTML (a tag in the middle of a paragraph) is
handled by :class:`InlineTags` with the same vocabulary.

So scripts, frames, event handlers, ``javascript:`` links and external
resources (images, styles, fonts, media) can never reach an EPUB or a feed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import TypeVar
from dataclasses import dataclass, field

import nh3
from lxml import etree
from lxml import html as lxml_html

from ..model import (
    Block,
    Code,
    Emph,
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
from ..text import strip_invalid
from ..urls import SAFE_LINK_SCHEMES, is_safe_link

STRONG_TAGS = {"b", "strong"}
EMPH_TAGS = {"i", "em", "cite", "dfn", "var"}
CODE_TAGS = {"code", "kbd", "samp", "tt"}
# Kept for their text only (no model equivalent, no risk).
TRANSPARENT_TAGS = {"span", "u", "ins", "del", "s", "strike", "sup", "sub", "small", "mark",
                    "abbr", "acronym", "q", "time", "data", "bdi", "bdo", "font", "big",
                    "center", "nobr", "label"}
BLOCK_CONTAINERS = {"p", "div", "section", "article", "header", "footer", "main", "aside",
                    "figure", "figcaption", "address", "details", "summary", "dl", "dt", "dd",
                    "hgroup", "nav"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
TABLE_TAGS = {"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"}
LIST_TAGS = {"ul", "ol", "li"}
ALLOWED_TAGS = (STRONG_TAGS | EMPH_TAGS | CODE_TAGS | TRANSPARENT_TAGS | BLOCK_CONTAINERS
                | HEADINGS | TABLE_TAGS | LIST_TAGS | {"a", "br", "blockquote", "pre", "hr"})
# Removed with everything inside them: code, styling, embedded documents and forms.
DROP_CONTENT = {"script", "style", "template", "textarea", "title", "noscript", "iframe",
                "object", "svg", "math", "select", "noframes", "noembed", "xmp", "head",
                "frameset", "applet", "button", "option", "datalist", "canvas", "audio", "video",
                "picture", "map"}
# Worth telling the user about when they are dropped (active content or resources).
NOTEWORTHY = DROP_CONTENT | {"img", "embed", "link", "meta", "base", "form", "input",
                             "source", "track", "frame", "image", "portal", "param"}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}

_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
                  re.DOTALL)
_ATTR = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]*)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
VOID_TAGS = {"br", "img", "hr", "input", "wbr", "meta", "link", "base", "embed", "source",
             "track", "area", "col", "param"}

N = TypeVar("N")  # a parser's inline node



def tag_names(raw: str) -> set[str]:
    """Lower-case names of the elements that open in ``raw``."""
    return {m.group(2).lower() for m in _TAG.finditer(raw) if not m.group(1)}


def removed_tags(raw: str) -> list[str]:
    """Elements in ``raw`` that sanitising removes and that the user should hear about."""
    return sorted(n for n in tag_names(raw) if n in NOTEWORTHY)


def sanitize(raw: str) -> str:
    """``raw`` HTML cleaned by nh3: allow-listed tags and attributes, safe URLs only.

    Characters XML cannot hold go first: nh3 (Rust) refuses a lone surrogate.
    """
    return nh3.clean(strip_invalid(raw), tags=ALLOWED_TAGS, clean_content_tags=DROP_CONTENT,
                     attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                     url_schemes=set(SAFE_LINK_SCHEMES), link_rel=None, strip_comments=True)


# ---------------------------------------------------------------- block HTML


def html_to_blocks(raw: str) -> list[Block]:
    """Sanitise a block of raw HTML and turn it into model blocks."""
    clean = sanitize(raw)
    if not clean.strip():
        return []
    try:
        root = lxml_html.fragment_fromstring(clean, create_parent="div")
    except (etree.ParserError, ValueError):
        text = html.unescape(re.sub(r"<[^>]*>", " ", clean))
        return [Paragraph((Text(text),))] if text.strip() else []
    return _Blocks().container(root)


@dataclass
class _Blocks:
    out: list[Block] = field(default_factory=list)

    def container(self, el: etree._Element) -> list[Block]:
        """Children of a block container -> blocks; loose inline content becomes paragraphs."""
        blocks: list[Block] = []
        run: list[Inline] = []

        def flush() -> None:
            if run and plain_text(run).strip():
                blocks.append(Paragraph(tuple(run)))
            run.clear()

        if el.text:
            run.append(Text(el.text))
        for child in el:
            tag = _tag(child)
            if tag in BLOCK_CONTAINERS or tag in HEADINGS or tag in {
                    "blockquote", "ul", "ol", "table", "pre", "hr", "li"}:
                flush()
                blocks.extend(self.block(child, tag))
            else:
                run.extend(_inlines_of(child))
            if child.tail:
                run.append(Text(child.tail))
        flush()
        return blocks

    def block(self, el: etree._Element, tag: str) -> list[Block]:
        if tag in HEADINGS:
            inl = tuple(_inner_inlines(el))
            return [Heading(int(tag[1]), inl)] if plain_text(inl).strip() else []
        if tag == "blockquote":
            inner = self.container(el)
            return [Quote(tuple(inner))] if inner else []
        if tag in ("ul", "ol"):
            items = []
            for li in el:
                if _tag(li) == "li":
                    items.append(tuple(self.container(li)))
                elif _tag(li) in ("ul", "ol"):  # sloppy nesting straight inside a list
                    items.append(tuple(self.block(li, _tag(li))))
            items = [i for i in items if i]
            if not items:
                return []
            start = 1
            if tag == "ol" and str(el.get("start", "1")).strip().isdigit():
                start = int(str(el.get("start")).strip())
            return [ListBlock(tuple(items), ordered=tag == "ol", start=start)]
        if tag == "table":
            return _table(el)
        if tag == "pre":
            lines = _text_content(el).rstrip("\n").split("\n")
            code: list[Inline] = []
            for i, ln in enumerate(lines):
                if i:
                    code.append(LineBreak())
                code.append(Code(ln))
            return [Paragraph(tuple(code))] if "".join(lines).strip() else []
        if tag == "hr":
            return []
        return self.container(el)


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _inner_inlines(el: etree._Element) -> list[Inline]:
    out: list[Inline] = [Text(el.text)] if el.text else []
    for child in el:
        out.extend(_inlines_of(child))
        if child.tail:
            out.append(Text(child.tail))
    return out


def _inlines_of(el: etree._Element) -> list[Inline]:
    """An inline element (without its tail) -> model inlines."""
    tag = _tag(el)
    if tag == "br":
        return [LineBreak()]
    inner = _inner_inlines(el)
    if tag in STRONG_TAGS:
        return [Strong(tuple(inner))]
    if tag in EMPH_TAGS:
        return [Emph(tuple(inner))]
    if tag in CODE_TAGS:
        return [Code(plain_text(inner))]
    if tag == "a":
        href = (el.get("href") or "").strip()
        if href and is_safe_link(href):
            return [Link(href, tuple(inner), el.get("title") or "")]
        return inner
    if tag in BLOCK_CONTAINERS | HEADINGS | LIST_TAGS | TABLE_TAGS | {"blockquote", "pre"}:
        # A block inside an inline context (e.g. <p> inside <td>): keep its text, spaced.
        return [Text(" "), *inner, Text(" ")]
    return inner


def _text_content(el: etree._Element) -> str:
    """All the text inside ``el`` (what lxml.html's ``text_content()`` returns)."""
    return str(el.xpath("string()"))


def _table(el: etree._Element) -> list[Block]:
    header: tuple = ()
    rows: list[tuple] = []
    caption = ""
    for row in el.iter():
        tag = _tag(row)
        if tag == "caption":
            caption = _text_content(row)
        if tag != "tr":
            continue
        cells = [c for c in row if _tag(c) in ("td", "th")]
        values = tuple(tuple(_inner_inlines(c)) for c in cells)
        if not header and not rows and cells and all(_tag(c) == "th" for c in cells):
            header = values
        else:
            rows.append(values)
    if not header and not rows:
        return []
    return [Table(header=header, rows=tuple(rows), caption=caption)]


# ---------------------------------------------------------------- inline HTML


@dataclass
class _Frame:
    name: str
    kind: str  # strong, emph, code, link, plain, drop
    children: list[Inline] = field(default_factory=list)
    href: str = ""
    title: str = ""


class InlineTags:
    """Applies inline HTML tags that markdown-it passes through as separate tokens.

    Feed it the tokens of one inline run in order: :meth:`tag` for each raw
    tag, :meth:`add` for converted Markdown inlines; :meth:`result` closes
    whatever is still open.  Unknown or unsafe tags vanish; the content of
    :data:`DROP_CONTENT` elements vanishes with them.
    """

    def __init__(self) -> None:
        self.root: list[Inline] = []
        self.stack: list[_Frame] = []
        self.removed: set[str] = set()

    @property
    def dropping(self) -> bool:
        return any(f.kind == "drop" for f in self.stack)

    def _sink(self) -> list[Inline]:
        return self.stack[-1].children if self.stack else self.root

    def add(self, inlines: Iterable[Inline]) -> None:
        if not self.dropping:
            self._sink().extend(inlines)

    def tag(self, raw: str) -> None:
        m = _TAG.fullmatch(raw.strip())
        if not m:
            return  # comment, declaration, processing instruction
        closing, name, rest = bool(m.group(1)), m.group(2).lower(), m.group(3)
        if name in NOTEWORTHY:
            self.removed.add(name)
        if closing:
            self._close(name)
            return
        if self.dropping:
            if name in DROP_CONTENT and not rest.rstrip().endswith("/"):
                self.stack.append(_Frame(name, "drop"))
            return
        if name == "br":
            self._sink().append(LineBreak())
            return
        if name in VOID_TAGS or rest.rstrip().endswith("/"):
            return
        if name in DROP_CONTENT:
            self.stack.append(_Frame(name, "drop"))
        elif name in STRONG_TAGS:
            self.stack.append(_Frame(name, "strong"))
        elif name in EMPH_TAGS:
            self.stack.append(_Frame(name, "emph"))
        elif name in CODE_TAGS:
            self.stack.append(_Frame(name, "code"))
        elif name == "a":
            attrs = _attrs(rest)
            href = attrs.get("href", "").strip()
            ok = bool(href) and is_safe_link(href)
            self.stack.append(_Frame(name, "link" if ok else "plain", href=href,
                                     title=attrs.get("title", "")))
        else:
            self.stack.append(_Frame(name, "plain"))

    def _close(self, name: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].name == name:
                while len(self.stack) > i:
                    self._pop()
                return
            if self.stack[i].kind == "drop":
                return  # a closing tag inside dropped content closes nothing outside it

    def _pop(self) -> None:
        frame = self.stack.pop()
        self._sink().extend(_wrap(frame))

    def result(self) -> list[Inline]:
        while self.stack:
            self._pop()
        return self.root


def _wrap(frame: _Frame) -> list[Inline]:
    kids = tuple(frame.children)
    if frame.kind == "drop":
        return []
    if frame.kind == "strong":
        return [Strong(kids)]
    if frame.kind == "emph":
        return [Emph(kids)]
    if frame.kind == "code":
        return [Code(plain_text(kids))]
    if frame.kind == "link":
        return [Link(frame.href, kids, frame.title)]
    return list(kids)


def _attrs(rest: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(rest):
        value = m.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        out.setdefault(m.group(1).lower(), html.unescape(value))
    return out


def convert_inline_run(nodes: Iterable[N], convert: Callable[[N], list[Inline]],
                       is_html: Callable[[N], str | None]) -> tuple[list[Inline], set[str]]:
    """Run ``nodes`` through :class:`InlineTags`; -> (inlines, noteworthy removed tags)."""
    tags = InlineTags()
    for node in nodes:
        raw = is_html(node)
        if raw is not None:
            tags.tag(raw)
        else:
            tags.add(convert(node))
    return tags.result(), tags.removed
