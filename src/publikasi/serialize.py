"""The model as JSON (``publikasi inspect``), per section 4 of the contract."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from .model import (
    Article, Block, Code, Emph, Figure, Footnote, FootnoteRef, Heading, Inline, LineBreak, Link,
    ListBlock, Paragraph, Publication, Quote, Release, Strong, Table, Text,
)


def _path(p: Path | None, base: Path | None) -> str | None:
    if p is None:
        return None
    if base is not None:
        try:
            return p.relative_to(base).as_posix()
        except ValueError:
            pass
    return p.as_posix()


def date_json(stamp: dt.datetime, has_time: bool) -> str:
    return stamp.isoformat() if has_time else stamp.date().isoformat()


def inline_json(node: Inline) -> dict[str, Any]:
    if isinstance(node, Text):
        return {"type": "text", "text": node.text}
    if isinstance(node, Code):
        return {"type": "code", "text": node.text}
    if isinstance(node, Emph):
        return {"type": "emph", "children": [inline_json(c) for c in node.children]}
    if isinstance(node, Strong):
        return {"type": "strong", "children": [inline_json(c) for c in node.children]}
    if isinstance(node, Link):
        out = {"type": "link", "url": node.url, "children": [inline_json(c) for c in node.children]}
        if node.title:
            out["title"] = node.title
        return out
    if isinstance(node, LineBreak):
        return {"type": "linebreak"}
    if isinstance(node, FootnoteRef):
        return {"type": "footnote_ref", "label": node.label}
    raise TypeError(type(node).__name__)


def figure_json(fig: Figure, base: Path | None) -> dict[str, Any]:
    return {"type": "figure", "src": _path(fig.src, base), "alt": fig.alt,
            "caption": fig.caption, "credit": fig.credit}


def block_json(block: Block, base: Path | None) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "inlines": [inline_json(i) for i in block.inlines]}
    if isinstance(block, Heading):
        return {"type": "heading", "level": block.level,
                "inlines": [inline_json(i) for i in block.inlines]}
    if isinstance(block, Quote):
        out: dict[str, Any] = {"type": "quote",
                               "blocks": [block_json(b, base) for b in block.blocks]}
        if block.attribution:
            out["attribution"] = block.attribution
        return out
    if isinstance(block, Figure):
        return figure_json(block, base)
    if isinstance(block, ListBlock):
        return {"type": "list", "ordered": block.ordered, "start": block.start,
                "items": [[block_json(b, base) for b in item] for item in block.items]}
    if isinstance(block, Table):
        return {"type": "table", "align": list(block.align), "caption": block.caption,
                "header": [[inline_json(i) for i in cell] for cell in block.header],
                "rows": [[[inline_json(i) for i in cell] for cell in row] for row in block.rows]}
    raise TypeError(type(block).__name__)


def footnote_json(fn: Footnote, base: Path | None) -> dict[str, Any]:
    return {"label": fn.label, "blocks": [block_json(b, base) for b in fn.blocks]}


def article_json(a: Article, base: Path | None = None) -> dict[str, Any]:
    return {
        "slug": a.slug,
        "title": a.title,
        "date": date_json(a.date, a.has_time),
        "dateline": a.dateline,
        "authors": list(a.authors),
        "byline": a.byline,
        "section": a.section,
        "tags": list(a.tags),
        "summary": a.lead,
        "image": figure_json(a.image, base) if a.image else None,
        "source": a.source,
        "source_credit": a.source_credit,
        "language": a.language,
        "path": _path(a.path, base),
        "blocks": [block_json(b, base) for b in a.blocks],
        "footnotes": [footnote_json(f, base) for f in a.footnotes],
    }


def release_json(r: Release) -> dict[str, Any]:
    base = r.root if r.root and r.root.is_dir() else (r.root.parent if r.root else None)
    return {
        "release": {
            "slug": r.slug,
            "title": r.title,
            "date": r.date.isoformat(),
            "edition": r.edition,
            "language": r.language,
            "timezone": r.timezone,
            "publisher": {"name": r.publisher.name, "url": r.publisher.url,
                          "logo": _path(r.publisher.logo, base)},
            "base_url": r.base_url,
            "description": r.description,
            "cover": _path(r.cover, base),
            "theme": r.theme,
            "feed": {"items": r.feed.items, "full_content": r.feed.full_content,
                     "archive": r.feed.archive},
        },
        "articles": [article_json(a, base) for a in r.articles],
    }


def publication_json(pub: Publication) -> dict[str, Any]:
    """A lone release gives the contract's shape; a publication wraps its releases."""
    if pub.is_single_release:
        return release_json(pub.releases[0])
    return {
        "publication": {"slug": pub.slug, "title": pub.title, "language": pub.language,
                        "base_url": pub.base_url, "description": pub.description},
        "releases": [release_json(r) for r in pub.releases],
    }


# ---------------------------------------------------------------- lossless data form
#
# The build cache stores parsed articles as JSON data instead of pickles (a
# pickle from a shared cache could run code).  Unlike the inspect form above,
# this one keeps everything: decoding gives an equal model, with an equal repr
# (cache keys are built from reprs).  Decoding builds only model classes, through
# their constructors, so the model's own cleaning applies to whatever is read.

_MODEL_CLASSES = {cls.__name__: cls for cls in (
    Article, Code, Emph, Figure, Footnote, FootnoteRef, Heading, LineBreak, Link, ListBlock,
    Paragraph, Quote, Strong, Table, Text,
)}


def to_data(value: Any) -> Any:
    """A model value (an Article, a block, ...) as JSON-ready data."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    if isinstance(value, Path):
        return {"~path": str(value)}
    if isinstance(value, dt.datetime):
        # The zone by name where it has one: reprs show ZoneInfo('Asia/Jakarta').
        zone = getattr(value.tzinfo, "key", None)
        return {"~datetime": value.isoformat(), "zone": zone}
    if isinstance(value, dt.date):
        return {"~date": value.isoformat()}
    name = type(value).__name__
    if _MODEL_CLASSES.get(name) is type(value):
        out: dict[str, Any] = {"~model": name}
        for f in dataclasses.fields(value):
            if f.init:
                out[f.name] = to_data(getattr(value, f.name))
        return out
    raise TypeError(f"not model data: {name}")


def from_data(data: Any) -> Any:
    """The inverse of :func:`to_data`; raises ValueError/TypeError/KeyError on anything else."""
    if data is None or isinstance(data, (str, bool, int, float)):
        return data
    if isinstance(data, list):
        return tuple(from_data(v) for v in data)
    if not isinstance(data, dict):
        raise TypeError(type(data).__name__)
    if "~path" in data:
        return Path(_text(data["~path"]))
    if "~datetime" in data:
        stamp = dt.datetime.fromisoformat(_text(data["~datetime"]))
        if data.get("zone") is not None:
            from zoneinfo import ZoneInfo

            stamp = stamp.replace(tzinfo=ZoneInfo(_text(data["zone"])))
        return stamp
    if "~date" in data:
        return dt.date.fromisoformat(_text(data["~date"]))
    cls = _MODEL_CLASSES[_text(data["~model"])]
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    kwargs = {k: from_data(v) for k, v in data.items() if k != "~model"}
    if not set(kwargs) <= names:
        raise ValueError(f"unknown fields for {cls.__name__}")
    return cls(**kwargs)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value
