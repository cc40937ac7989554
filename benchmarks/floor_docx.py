"""Raw floor for DOCX: python-docx alone writes each release and each article.

    python benchmarks/floor_docx.py CORPUS_DIR OUT_DIR

Same files as publikasi: ``<release>/<release>.docx`` (every article of the
release) and ``<release>/docx/<article>.docx``.
"""

from __future__ import annotations

from docx import Document
from docx.shared import Cm
from floor_common import args, image_path, meta_line


def write_article(doc, corpus, release, a) -> None:
    doc.add_heading(a["title"], level=1)
    doc.add_paragraph(meta_line(a))
    photo = image_path(corpus, release, a)
    if photo:
        doc.add_picture(str(photo), width=Cm(15))
        doc.add_paragraph(f"{a['image']['caption']} ({a['image']['credit']})")
    for b in a["blocks"]:
        kind = b["type"]
        if kind == "p":
            doc.add_paragraph(b["text"])
        elif kind == "h":
            doc.add_heading(b["text"], level=2)
        elif kind == "quote":
            doc.add_paragraph(f"\u201c{b['text']}\u201d", style="Quote")
            doc.add_paragraph(f"\u2014 {b['by']}")
        elif kind == "ul":
            for item in b["items"]:
                doc.add_paragraph(item, style="List Bullet")
        elif kind == "table":
            table = doc.add_table(rows=1 + len(b["rows"]), cols=len(b["header"]))
            table.style = "Table Grid"
            for r, row in enumerate([b["header"], *b["rows"]]):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
            doc.add_paragraph(b["caption"])


def main() -> None:
    corpus, out, data = args()
    for release in data["releases"]:
        folder = out / release["slug"]
        (folder / "docx").mkdir(parents=True, exist_ok=True)
        edition = Document()
        edition.add_heading(f"{release['title']} \u2014 {release['date']}", level=0)
        for a in release["articles"]:
            write_article(edition, corpus, release, a)
            single = Document()
            write_article(single, corpus, release, a)
            single.save(folder / "docx" / f"{a['slug']}.docx")
        edition.save(folder / f"{release['slug']}.docx")


if __name__ == "__main__":
    main()
