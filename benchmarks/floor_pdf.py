"""Raw floor for PDF: reportlab's platypus alone writes one A4 PDF per release.

    python benchmarks/floor_pdf.py CORPUS_DIR OUT_DIR

Text is set in an embedded TrueType face (DejaVu Serif from the system when
present, as publikasi embeds its Noto faces), with photos, quotes, bullet
lists, tables and page numbers.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from floor_common import args, image_path, meta_line
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def fonts() -> tuple[str, str]:
    regular, bold = DEJAVU / "DejaVuSerif.ttf", DEJAVU / "DejaVuSerif-Bold.ttf"
    if regular.is_file() and bold.is_file():
        pdfmetrics.registerFont(TTFont("Body", str(regular)))
        pdfmetrics.registerFont(TTFont("Body-Bold", str(bold)))
        return "Body", "Body-Bold"
    return "Times-Roman", "Times-Bold"


def main() -> None:
    corpus, out, data = args()
    body_font, bold_font = fonts()
    sheet = getSampleStyleSheet()
    body = ParagraphStyle("body", sheet["BodyText"], fontName=body_font, fontSize=10,
                          leading=14)
    title = ParagraphStyle("title", body, fontName=bold_font, fontSize=16, leading=20,
                           spaceBefore=12, spaceAfter=4)
    sub = ParagraphStyle("sub", body, fontName=bold_font, fontSize=12, leading=16)
    meta = ParagraphStyle("meta", body, fontSize=8, textColor=colors.grey)
    quote = ParagraphStyle("quote", body, leftIndent=12 * mm, fontSize=11, leading=15)

    def footer(canvas, doc) -> None:
        canvas.setFont(body_font, 8)
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"Halaman {doc.page}")

    for release in data["releases"]:
        story = [Paragraph(escape(f"{release['title']} \u2014 {release['date']}"), title)]
        for a in release["articles"]:
            story += [Paragraph(escape(a["title"]), title), Paragraph(escape(meta_line(a)), meta)]
            photo = image_path(corpus, release, a)
            if photo:
                story += [Image(str(photo), width=160 * mm, height=160 * mm * 2 / 3),
                          Paragraph(escape(a["image"]["caption"]), meta)]
            for b in a["blocks"]:
                kind = b["type"]
                if kind == "p":
                    story.append(Paragraph(escape(b["text"]), body))
                elif kind == "h":
                    story.append(Paragraph(escape(b["text"]), sub))
                elif kind == "quote":
                    story += [Paragraph(escape(f"\u201c{b['text']}\u201d"), quote),
                              Paragraph(escape(f"\u2014 {b['by']}"), quote)]
                elif kind == "ul":
                    story.append(ListFlowable(
                        [ListItem(Paragraph(escape(i), body)) for i in b["items"]],
                        bulletType="bullet"))
                elif kind == "table":
                    rows = [[Paragraph(escape(c), body) for c in r]
                            for r in [b["header"], *b["rows"]]]
                    table = Table(rows, colWidths=[60 * mm, 40 * mm, 40 * mm])
                    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
                    story += [table, Paragraph(escape(b["caption"]), meta)]
            story.append(Spacer(1, 6 * mm))
        folder = out / release["slug"]
        folder.mkdir(parents=True, exist_ok=True)
        doc = SimpleDocTemplate(str(folder / f"{release['slug']}.pdf"), pagesize=A4,
                                title=release["title"])
        doc.build(story, onFirstPage=footer, onLaterPages=footer)


if __name__ == "__main__":
    main()
