"""Press releases saved or copied as HTML -> articles.

trafilatura finds the page's main text, title, author and date (the date
through htmldate) and leaves out navigation, comments and footers.  What it
returns is written out as plain text and goes through the plain-text reader,
so the same release rules apply as for a paste (dateline, captions and
credits, byline codes, page chrome).  Pictures come back as figures with the
caption the page gives them (``<figcaption>``, a WordPress ``wp-caption-text``
or a caption element next to the picture); trafilatura keeps the picture but
not its caption, so the caption is looked up in the page by the picture's
address.

:func:`read_html_release` is the one entry point: ``publikasi import
PAGE.html``, ``publikasi import URL --allow-remote`` and the desk's HTML
pastes all use it.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from ..errors import InputError, fail
from ..model import Article, Block, Figure, Paragraph
from . import plaintext_parts as parts
from .common import ReadContext, is_remote, resolve_image
from .plaintext import read_plaintext

MAX_HTML_BYTES = 20_000_000
_CAPTION_CLASSES = re.compile(r"caption|keterangan|credit|wp-caption-text", re.IGNORECASE)


@dataclass(frozen=True)
class _Picture:
    src: str
    alt: str
    caption: str
    after: int  # number of text paragraphs before it in the extracted text


def _captions_by_src(html: str) -> dict[str, tuple[str, str]]:
    """src -> (alt, caption) for every <img> of the page (caption "" when it has none),
    in page order."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return {}
    found: dict[str, tuple[str, str]] = {}
    for img in root.iter("img"):
        src = (img.get("src") or img.get("data-src") or "").strip()
        if not src:
            continue
        caption = ""
        holder = img.getparent()
        for _ in range(3):  # <figure><a><img></a><figcaption> or <div class=wp-caption>
            if holder is None or sum(1 for _ in holder.iter("img")) > 1:
                break  # a caption next to several pictures belongs to none of them for sure
            cap = holder.find(".//figcaption")
            if cap is None:
                cap = next((el for el in holder.iter() if el is not img
                            and isinstance(el.tag, str) and el.tag in ("p", "span", "div", "small")
                            and _CAPTION_CLASSES.search(el.get("class") or "")), None)
            if cap is not None:
                caption = " ".join(str(cap.xpath("string()")).split())
                break
            holder = holder.getparent()
        found[src] = ((img.get("alt") or "").strip(), caption)
    return found


def _extract(html: str, url: str | None, file: Path | str) -> Any:
    import lxml.etree
    import trafilatura

    with warnings.catch_warnings():
        # lxml's FutureWarning about element truth-testing inside trafilatura
        # is not the user's business.
        warnings.simplefilter("ignore", FutureWarning)
        xml = trafilatura.extract(html, url=url, include_images=True, include_comments=False,
                                  include_tables=True, with_metadata=True, output_format="xml")
    if not xml:
        raise fail(file, "no article text found in this page (is it a news page?)")
    return lxml.etree.fromstring(xml.encode("utf-8"))


_GENERIC_AUTHORS = {"admin", "administrator", "redaksi", "webmaster", "humas", "editor"}


def read_html_release(html: str, file: Path | str, ctx: ReadContext, *, url: str | None = None,
                      base_dir: Path | None = None) -> list[Article]:
    """The release in an HTML page (saved, downloaded or pasted) as articles.

    ``base_dir`` is where relative picture paths of a saved page point to;
    ``url`` is the page's address (relative pictures are downloaded from it
    when ``ctx.fetcher`` allows).  Pictures that cannot be used become
    caption-only figures, with a warning.  Raises :class:`InputError` only.
    """
    path = Path(file)
    doc = _extract(html, url, file)
    title = " ".join((doc.get("title") or "").split())
    author = " ".join((doc.get("author") or "").split())
    page_date = (doc.get("date") or "").strip()
    main = doc.find("main")
    lines: list[str] = []
    pictures: list[_Picture] = []
    captions = _captions_by_src(html)
    caption_keys = {parts.title_key(c) for _, c in captions.values() if c}
    paragraphs = 0
    for el in (main if main is not None else []):
        text = " ".join("".join(el.itertext()).split())
        if el.tag == "graphic":
            src = (el.get("src") or "").strip()
            alt, caption = captions.get(src, ((el.get("alt") or "").strip(), ""))
            if src:
                pictures.append(_Picture(src, alt, caption or (el.get("title") or ""), paragraphs))
            continue
        if el.tag == "list":
            for item in el.findall("item"):
                item_text = " ".join("".join(item.itertext()).split())
                if item_text:
                    lines.append(f"- {item_text}")
            continue
        if not text or (title and parts.title_key(text) == parts.title_key(title)):
            continue
        if parts.title_key(text) in caption_keys:
            continue  # a caption the extractor kept as text: it goes with its picture
        if el.tag == "table":
            for row in el.iter("row"):
                cells = [" ".join("".join(c.itertext()).split()) for c in row]
                lines.append(" | ".join(c for c in cells if c))
            continue
        lines.append(text)
        paragraphs += 1
    if not lines:
        raise fail(file, "no article text found in this page (is it a news page?)")
    # A captioned picture the extractor left out (a lead photo above the text
    # block of a portal page) still belongs to the release.
    kept = {p.src for p in pictures}
    lead = [_Picture(src, alt, cap, 0) for src, (alt, cap) in captions.items()
            if cap and src not in kept]
    pictures = lead + pictures
    head = [title or lines[0]]
    if page_date:
        head.append(page_date)  # the page's date: used when the text gives none
    tail = [f"Penulis: {author}"] if author and author.lower() not in _GENERIC_AUTHORS else []
    text = "\n\n".join([*head, *lines, *tail]) + "\n"
    articles = read_plaintext(text, path, ctx)
    figures = [_figure(p, ctx, path, url, base_dir) for p in pictures]
    first = articles[0]  # a line of "---" in the text may split it: the pictures go first
    return [replace(first, blocks=_place_figures(first.blocks, figures, pictures)),
            *articles[1:]]


def _figure(pic: _Picture, ctx: ReadContext, file: Path, url: str | None,
            base_dir: Path | None) -> Figure:
    caption, credit = pic.caption, ""
    split = parts.split_photo_credit(caption) if caption else None
    if split is not None:
        caption, credit = split
    src: Path | None = None
    ref = urljoin(url, pic.src) if url else pic.src
    try:
        if is_remote(ref):
            if ctx.fetcher is None:
                raise fail(file, f"picture {ref} is remote; import with --allow-remote to "
                           "download it")
            src = resolve_image(ref, Path("."), ctx, file, None, "picture")
        elif base_dir is not None:
            local = unquote(urlsplit(ref).path)
            src = resolve_image(local, base_dir, ctx, file, None, "picture")
        else:
            raise fail(file, f"picture {ref}: no folder to find it in")
    except InputError as exc:
        for problem in exc.problems:
            ctx.problems.warn(file, f"{problem.message}; kept as a caption only", problem.line)
    return Figure(src=src, alt=pic.alt, caption=caption, credit=credit)


def _place_figures(blocks: tuple[Block, ...], figures: list[Figure],
                   pictures: list[_Picture]) -> tuple[Block, ...]:
    """Each picture after the paragraph it followed on the page (by count)."""
    out: list[Block] = []
    pending = list(zip(pictures, figures, strict=False))
    seen = 0
    for block in blocks:
        while pending and pending[0][0].after <= seen:
            out.append(pending.pop(0)[1])
        out.append(block)
        if isinstance(block, Paragraph):
            seen += 1
    out.extend(f for _, f in pending)
    return tuple(out)


def decode_html(raw: bytes) -> str:
    """The text of a saved page: the charset it declares, else UTF-8 or a guess."""
    from trafilatura.utils import decode_file

    text = decode_file(raw)
    return text if isinstance(text, str) else text.decode("utf-8", "replace")


__all__ = ["MAX_HTML_BYTES", "decode_html", "read_html_release"]
