"""Shared by the floor scripts: read ``corpus.json`` and turn an article into simple HTML.

The floor scripts (``floor_docx.py``, ``floor_pdf.py``, ``floor_epub.py``,
``floor_feeds.py``) write the benchmark corpus with one library each, the
plainest way that library allows: no publikasi model, no Markdown parsing,
no theme, no image processing (pictures are embedded as generated).  They
are the "raw floor" publikasi is compared with in ``benchmarks/run.py``.
"""

from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path


def load(corpus: Path) -> dict:
    return json.loads((corpus / "corpus.json").read_text(encoding="utf-8"))


def args() -> tuple[Path, Path, dict]:
    """``CORPUS_DIR OUT_DIR`` from the command line -> (corpus, out, data)."""
    if len(sys.argv) != 3:
        sys.exit(f"usage: python {Path(sys.argv[0]).name} CORPUS_DIR OUT_DIR")
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    return corpus, out, load(corpus)


def image_path(corpus: Path, release: dict, article: dict) -> Path | None:
    if not article["image"]:
        return None
    return corpus / release["folder"] / article["image"]["src"]


def meta_line(a: dict) -> str:
    return f"{a['dateline']}, {a['date'][:10]} \u2014 {', '.join(a['authors'])}"


def article_html(a: dict, image_src: str | None = None) -> str:
    """The article body as an HTML fragment (headline, meta line, photo, blocks)."""
    out = [f"<h1>{escape(a['title'])}</h1>", f"<p class='meta'>{escape(meta_line(a))}</p>"]
    if image_src and a["image"]:
        img = a["image"]
        out.append(f"<figure><img src='{escape(image_src)}' alt='{escape(img['alt'])}'/>"
                   f"<figcaption>{escape(img['caption'])} ({escape(img['credit'])})"
                   "</figcaption></figure>")
    for b in a["blocks"]:
        kind = b["type"]
        if kind == "p":
            out.append(f"<p>{escape(b['text'])}</p>")
        elif kind == "h":
            out.append(f"<h2>{escape(b['text'])}</h2>")
        elif kind == "quote":
            out.append(f"<blockquote><p>\u201c{escape(b['text'])}\u201d</p>"
                       f"<p>\u2014 {escape(b['by'])}</p></blockquote>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in b["items"]) + "</ul>")
        elif kind == "table":
            head = "".join(f"<th>{escape(h)}</th>" for h in b["header"])
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>"
                           for r in b["rows"])
            out.append(f"<table><caption>{escape(b['caption'])}</caption>"
                       f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(out)
