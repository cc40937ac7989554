"""One release -> one printable PDF bulletin (reportlab platypus).

Layout in one pass: how many lead stories the cover keeps is settled first
(the cover and its contents laid out alone); then the bulletin is laid out
once, recording on which page each article starts and how many pages there
are, while the table of contents, the lead stories' "continued on page N"
and the "Halaman X dari Y" footers only reserve their room.  Those numbers
are drawn when the document is saved (:mod:`.deferred`).  Should a number
need more room than was reserved, the bulletin is laid out again with the
numbers found, so the printed numbers are always the real ones.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, TimeStamp
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    ListItem,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError

from ...i18n import article_date, long_date
from ...images import PreparedImage
from ...model import (
    Article,
    Block,
    Figure,
    FootnoteRef,
    Heading,
    ListBlock,
    Quote,
    Release,
    plain_text,
    query,
    walk_blocks,
)
from ...model import (
    Paragraph as PParagraph,
)
from ...model import (
    Table as PTable,
)
from ...text import CREDIT_SEPARATOR, unique_casefold
from ...urls import followable, link_names, resolve_relative, url_scheme
from .. import ExportContext
from .deferred import DeferringCanvas, Later, Misfit
from .fonts import COMPLEX_RE, RUN_SHAPING, FontSet, char_names, needs_shaping
from . import balance
from .layout import (
    Anchor,
    ColorBar,
    FloatingFigure,
    GuardedList,
    HeadOverPhoto,
    KeepHead,
    Settings,
    TableLook,
    Together,
    keep_heads,
    table_pieces,
)
from .markup import Marker, Parsed, esc, parse_plain
from .tagging import (
    MarkingCanvas,
    Node,
    StructBuilder,
    TaggedImage,
    TaggedParagraph,
)

PRINT_DPI = 300
MAX_PASSES = 4
# The room a page number not known yet takes in the layout (two digits; the
# number itself is drawn when the layout is complete, see deferred.py).
RESERVED_PAGE = "88"
# Streams Flate-compressed only: reportlab's default also ASCII85-encodes them,
# which costs time and makes every stream a quarter bigger for nothing (a PDF
# file is binary anyway).
rl_config.useA85 = 0

def _hex(color: colors.Color | str) -> str:
    if isinstance(color, str):
        return color
    return color.hexval().replace("0x", "#")


# The structure element of a paragraph set in each style (when not given).
STYLE_ROLES = {"headline": "H1", "mast_title": "H1", "band_title": "H1", "toc_head": "H2",
               "note_head": "H2", "lead_title": "H3", "caption": "Caption", "note": "Note",
               "cell": "TD", "cell_head": "TH"}


class _FixedTimeCanvas(DeferringCanvas, MarkingCanvas):
    """A canvas whose document dates are the build time, not the clock.

    reportlab takes CreationDate/ModDate from ``time.time()`` unless
    ``invariant`` or ``SOURCE_DATE_EPOCH`` is set; ``invariant`` alone gives
    2000-01-01.  The build's own time (content-derived) is swapped in here,
    so two builds of the same input are byte-identical without any
    environment variable.
    """

    build_time: dt.datetime = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stamp = TimeStamp(invariant=1)
        utc = self.build_time.astimezone(dt.UTC)
        stamp.t = utc.timestamp()
        stamp.lt = utc.timetuple()
        stamp.YMDhms = tuple(stamp.lt)[:6]
        stamp.dhh = stamp.dmm = 0
        stamp.tzname = "UTC"
        self._doc._timeStamp = stamp

    def beginText(self, x: float = 0, y: float = 0, direction=None) -> PDFTextObject:
        return _TextObject(self, x, y, direction=direction)


class _TextObject(PDFTextObject):
    """reportlab's text object, safe when a line opens with a raised glyph.

    Shaped glyphs with a vertical offset (Arabic marks, some ligatures) are
    drawn with a text rise; when such a glyph is the first thing a text
    object writes, reportlab's setRise looks at the previous operator, of
    which there is none, and raises IndexError.
    """

    def setRise(self, rise: float) -> None:
        if not self._code:
            self._code.append("")
        super().setRise(rise)


class _JpegReader(ImageReader):
    """A prepared JPEG that reportlab embeds as it is (DCTDecode), never decoded.

    reportlab names a picture by a digest of its decoded pixels, so an
    ImageReader over a JPEG was decoded to RGB on every draw only to be named,
    and then embedded as its own bytes anyway.  Here the name comes from the
    JPEG's bytes: the same prepared picture still gets one XObject.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._jpeg = data

    def getRGBData(self) -> bytes:
        self._dataA = None  # no alpha channel: drawImage reads this after naming
        return self._jpeg


class _Picture(TaggedImage):
    """reportlab's Image over prepared bytes (tagged when given an element); a JPEG
    goes through :class:`_JpegReader`."""

    def __init__(self, data: bytes, jpeg: bool, width: float, height: float) -> None:
        if jpeg:
            self._img = _JpegReader(data)  # set first: Image would make a decoding reader
        super().__init__(io.BytesIO(data), width=width, height=height)


@dataclass
class PassState:
    """What one pass learnt: page of every anchor, and the page count."""

    pages: dict[str, int] = field(default_factory=dict)
    total: int = 0

    def key(self) -> tuple:
        return (tuple(sorted(self.pages.items())), self.total)


def _dest(text: str) -> str:
    """A PDF destination name: ASCII letters, digits and hyphens only."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-") or "x"


class Bulletin:
    """Lays out one release; :meth:`render` returns the PDF bytes."""

    def __init__(self, release: Release, ctx: ExportContext, fonts: FontSet,
                 settings: Settings) -> None:
        self.release = release
        self.ctx = ctx
        self.fonts = fonts
        self.s = settings
        self.lang = release.language or "id"
        w_mm, h_mm = ctx.theme.paper_mm
        self.page_w, self.page_h = w_mm * mm, h_mm * mm
        s = settings
        self.text_w = self.page_w - s.margin_left - s.margin_right
        self.col_w = (self.text_w - s.column_gap * (s.columns - 1)) / s.columns
        self.body_h = self.page_h - s.margin_top - s.margin_bottom
        self.cover_top = self.page_h - s.margin_top - (
            s.band_height - s.margin_top + 6 * mm if s.masthead == "band" else 0)
        self.keys = {id(a): f"a{i + 1}-{_dest(a.slug)[:40]}"
                     for i, a in enumerate(release.articles)}
        self.by_name: dict[str, Article] = {}
        for a in release.articles:
            self.by_name[a.slug] = a
            if a.path is not None:
                self.by_name[a.path.name] = a
                self.by_name[a.path.stem] = a
        self.missing: dict[str, list[str]] = {}  # where -> characters no font could show
        self.lead_drop = 0  # lead stories left off the cover so that the contents fit it
        self.passes = 0  # full layout passes of the last render
        self._pictures: dict[tuple[str, int, int], bytes] = {}
        # (markup, style) -> what reportlab's parser made of it (text, style, frags, bullet)
        self._parsed: dict[tuple[str, ParagraphStyle], Parsed] = {}
        self._header: tuple[Paragraph, Paragraph] | None = None  # a pass's running header
        self.body = fonts.family(s.body_font)
        self.head = fonts.family(s.heading_font)
        self.tags = StructBuilder()  # the structure tree of the last pass laid out
        self.band_nodes: list[Node | None] = []  # title, edition, publisher in the band
        self._styles()

    # ------------------------------------------------------------------ labels

    def label(self, key: str, lang: str | None = None, **values: object) -> str:
        return self.ctx.label(key, lang or self.lang, **values)

    # ------------------------------------------------------------------ styles

    def _styles(self) -> None:
        s = self.s
        body, head = self.body, self.head
        size = s.body_size
        lead = size * s.leading
        text = s.text

        def style(name: str, **kw) -> ParagraphStyle:
            base: dict[str, Any] = {
                "fontName": body.regular, "fontSize": size, "leading": lead, "textColor": text,
                "bulletFontName": body.regular, "splitLongWords": 1, "allowWidows": 0,
                "allowOrphans": 0}
            base.update(kw)
            return ParagraphStyle(name, **base)

        self.st = {
            "body": style("body", spaceAfter=size * 0.6, alignment=TA_LEFT),
            "h1": style("h1", fontName=head.bold, fontSize=size * 1.45, leading=size * 1.8,
                        spaceBefore=size * 0.9, spaceAfter=size * 0.35, keepWithNext=1),
            "h2": style("h2", fontName=head.bold, fontSize=size * 1.2, leading=size * 1.55,
                        spaceBefore=size * 0.8, spaceAfter=size * 0.3, keepWithNext=1),
            "h3": style("h3", fontName=head.bold, fontSize=size * 1.05, leading=size * 1.4,
                        spaceBefore=size * 0.6, spaceAfter=size * 0.2, keepWithNext=1,
                        textColor=s.muted),
            "headline": style("headline", fontName=head.bold, fontSize=s.headline_size,
                              leading=s.headline_size * 1.18, spaceAfter=size * 0.4,
                              textColor=s.accent if s.masthead == "plain" else text,
                              keepWithNext=1),
            "section": style("section", fontName=head.bold, fontSize=size * 0.78,
                             leading=size * 1.2, textColor=s.accent, spaceAfter=size * 0.25,
                             keepWithNext=1),
            "dateline": style("dateline", fontName=head.regular, fontSize=size * 0.82,
                              leading=size * 1.2, textColor=s.muted, spaceAfter=size * 0.8,
                              keepWithNext=1),
            "caption": style("caption", fontName=head.regular, fontSize=size * 0.78,
                             leading=size * 1.1, textColor=s.muted, spaceBefore=3,
                             spaceAfter=size * 0.9),
            "byline": style("byline", fontName=head.regular, fontSize=size * 0.85,
                            leading=size * 1.25, textColor=s.muted, spaceBefore=size * 0.2),
            "quote": style("quote", fontName=body.italic, leftIndent=size * 1.6,
                           rightIndent=size * 1.2, textColor=s.text, spaceAfter=size * 0.4),
            "attribution": style("attribution", fontName=head.regular, fontSize=size * 0.85,
                                 leftIndent=size * 1.6, textColor=s.muted,
                                 spaceAfter=size * 0.8),
            "pull": style("pull", fontName=head.bolditalic, fontSize=size * 1.45,
                          leading=size * 1.85, textColor=s.accent, spaceBefore=4,
                          spaceAfter=4, alignment=TA_LEFT),
            "pull_by": style("pull_by", fontName=head.regular, fontSize=size * 0.85,
                             textColor=s.muted, alignment=TA_RIGHT, spaceAfter=4),
            "note_head": style("note_head", fontName=head.bold, fontSize=size * 0.85,
                               leading=size * 1.2, textColor=s.muted, spaceBefore=size * 0.8,
                               spaceAfter=2, keepWithNext=1),
            "note": style("note", fontSize=size * 0.8, leading=size * 1.1, spaceAfter=2,
                          leftIndent=size * 1.2, firstLineIndent=-size * 1.2),
            "cell": style("cell", fontSize=size * 0.82, leading=size * 1.05),
            "cell_head": style("cell_head", fontName=head.bold, fontSize=size * 0.82,
                               leading=size * 1.05),
            "list": style("list", spaceAfter=size * 0.25),
            "toc_head": style("toc_head", fontName=head.bold, fontSize=size * 1.3,
                              leading=size * 1.7, textColor=s.accent, spaceBefore=size * 0.8,
                              spaceAfter=size * 0.3, keepWithNext=1),
            "toc_section": style("toc_section", fontName=head.bold, fontSize=size * 0.8,
                                 leading=size * 1.2, textColor=s.muted),
            "toc": style("toc", fontName=body.regular, fontSize=size * 0.95,
                         leading=size * 1.25),
            "toc_page": style("toc_page", fontName=head.regular, fontSize=size * 0.95,
                              leading=size * 1.25, alignment=TA_RIGHT),
            "mast_title": style("mast_title", fontName=head.bold, fontSize=s.masthead_size,
                                leading=s.masthead_size * 1.15, textColor=s.accent),
            "mast_sub": style("mast_sub", fontName=head.regular, fontSize=size * 1.05,
                              leading=size * 1.4, textColor=s.muted, spaceBefore=4),
            "mast_desc": style("mast_desc", fontName=body.italic, fontSize=size * 0.9,
                               leading=size * 1.3, textColor=s.muted, spaceBefore=4,
                               spaceAfter=size),
            "band_title": style("band_title", fontName=head.bold, fontSize=s.masthead_size,
                                leading=s.masthead_size * 1.1, textColor=s.band_text),
            "band_sub": style("band_sub", fontName=head.regular, fontSize=size * 1.0,
                              leading=size * 1.3, textColor=s.band_text),
            "lead_title": style("lead_title", fontName=head.bold, fontSize=size * 1.35,
                                leading=size * 1.7, spaceAfter=2),
            "lead_text": style("lead_text", fontSize=size * 0.95, leading=size * 1.35,
                               spaceAfter=2),
            "lead_more": style("lead_more", fontName=head.regular, fontSize=size * 0.8,
                               textColor=s.accent, spaceAfter=size),
            "header": style("header", fontName=head.regular, fontSize=7.5, leading=9,
                            textColor=s.muted),
            "header_r": style("header_r", fontName=head.regular, fontSize=7.5, leading=9,
                              textColor=s.muted, alignment=TA_RIGHT),
            "footer": style("footer", fontName=head.regular, fontSize=7.5, leading=9,
                            textColor=s.muted, alignment=TA_CENTER),
        }

    # ------------------------------------------------------------------ text

    def marker(self, where: str, family: str | None = None) -> Marker:
        missing = self.missing.setdefault(where, [])
        return Marker(self.fonts, family or self.s.body_font, missing,
                      resolve_link=self.resolve_link, link_color=_hex(self.s.link),
                      code_family="sans")

    def para(self, markup: str, style: str | ParagraphStyle, role: str | None = None,
             **attrs: str | None) -> Paragraph:
        """A paragraph tagged as a new ``role`` element (by default the style's,
        see :data:`STYLE_ROLES`, else ``P``) below the open element."""
        st = self.st[style] if isinstance(style, str) else style
        if self.fonts.shaping and COMPLEX_RE.search(markup):
            # Shaping only where a complex script occurs: reportlab's shaped text
            # loses its searchable text layer, so Latin paragraphs stay unshaped.
            st = ParagraphStyle(st.name + "-shaped", parent=st, shaping=1)
        p = self._paragraph(markup, st)
        p.struct = self.tags.leaf(role or STYLE_ROLES.get(st.name.split("-")[0], "P"), **attrs)
        return p

    def _paragraph(self, markup: str, st: ParagraphStyle) -> TaggedParagraph:
        """A paragraph of ``markup``, parsed once per bulletin: page headers and
        footers, page-number stand-ins and the cover's trial layout repeat
        theirs (a third of the paragraphs of the N=200 benchmark).  reportlab
        never changes the fragments its parser made (line breaking copies
        them), so paragraphs of the same markup share them.  Markup without
        tags is parsed without reportlab's HTML scanner (:func:`parse_plain`)."""
        got = self._parsed.get((markup, st))
        if got is None:
            got = parse_plain(markup, st)
            if got is None:
                p = TaggedParagraph(markup, st)
                self._parsed[(markup, st)] = (p.text, p.style, p.frags, p.bulletText)
                return p
            self._parsed[(markup, st)] = got
        text, style, frags, bullet = got
        return TaggedParagraph(text, style, bulletText=bullet, frags=list(frags))

    def resolve_link(self, url: str) -> str:
        """An href the PDF can use: external URL, "#dest" for an article, or "" (no link)."""
        if followable(url):
            return url
        if url_scheme(url):
            return ""  # javascript:, data:, file: ... never become links in print
        try:
            path = urlsplit(url).path
        except ValueError:  # an unbalanced "[": not a link anyone can follow
            return ""
        names = link_names(url)
        article = next((self.by_name[n] for n in names if n in self.by_name), None)
        if article is not None:
            return f"#{self.keys[id(article)]}"
        # An article of another edition: its web address, as the feeds give it.
        other = self.ctx.links.target(url)
        if other is not None:
            return other.source or other.url
        target = names[0] if names else ""
        if Path(target).suffix.lower() in (".md", ".txt"):
            return ""  # a source file that is not part of this publication
        if self.release.base_url and path:
            return resolve_relative(url, self.release.base_url)
        return ""

    # ------------------------------------------------------------------ pictures

    def picture(self, path: Path, max_w: float, max_h: float) -> TaggedImage:
        """A picture scaled to fit (aspect kept), carrying at most 300 dpi at its size."""
        prep = self.ctx.images.prepare(path, "print")
        w = max_w
        h = w * prep.aspect
        if h > max_h:
            h = max_h
            w = h / prep.aspect
        data = self._at_dpi(prep, w, h)
        img = _Picture(data, prep.mime == "image/jpeg", width=w, height=h)
        img.hAlign = "CENTER"
        return img

    def _at_dpi(self, prep: PreparedImage, width_pt: float, height_pt: float) -> bytes:
        """The picture resampled to at most PRINT_DPI at its placed size.

        Rounding down keeps both directions at or below the limit; a picture
        already smaller than that is embedded as prepared (never upscaled).
        """
        tw = max(1, math.floor(width_pt / 72 * PRINT_DPI))
        th = max(1, math.floor(height_pt / 72 * PRINT_DPI))
        if prep.width <= tw and prep.height <= th:
            return prep.data
        key = (prep.digest, tw, th)
        if key not in self._pictures:
            with PILImage.open(io.BytesIO(prep.data)) as im:
                im.load()
                small = im.resize((min(tw, prep.width), min(th, prep.height)),
                                  PILImage.Resampling.LANCZOS)
            buf = io.BytesIO()
            if prep.mime == "image/png":
                small.save(buf, "PNG", optimize=True)
            else:
                small.save(buf, "JPEG", quality=88, optimize=True)
            self._pictures[key] = buf.getvalue()
        return self._pictures[key]

    def figure(self, fig: Figure, width: float, mk: Marker, lang: str) -> list[Flowable]:
        """Picture + caption kept together; nothing for a caption-only photo (src None)."""
        if fig.src is None:
            return []
        img = self.picture(fig.src, width, self.body_h * self.s.image_max_height)
        parts = [mk.text(fig.caption)] if fig.caption else []
        if fig.credit:
            parts.append(f"<i>{mk.text(self.label('photo', lang))}: {mk.text(fig.credit)}</i>")
        items: list[Flowable] = [Spacer(1, 2), img]
        # A picture with neither alt text nor caption says nothing: an artifact.
        alt = fig.alt or fig.caption
        with self.tags.open("Figure", Alt=alt) if alt else nullcontext() as node:
            img.struct = node
            if parts:
                items.append(self.para(mk.text(CREDIT_SEPARATOR).join(parts), "caption",
                                       role=None if alt else "P"))
            else:
                items.append(Spacer(1, self.s.body_size * 0.8))
        return [FloatingFigure(items)]

    # ------------------------------------------------------------------ blocks

    def blocks(self, blocks: tuple[Block, ...], art: _ArticleCtx, width: float,
               depth: int = 0) -> list[Flowable]:
        out: list[Flowable] = []
        for block in blocks:
            if depth == 0:
                # Footnote back-links land on the top of the block that cites them.
                for label in (ref.label for ref in query(block, FootnoteRef)):
                    name = art.mk.footnote_ref(label)
                    if name not in art.anchored:
                        art.anchored.add(name)
                        out.append(Anchor(name, [], {}))
            out.extend(self.block(block, art, width, depth))
        return out

    def block(self, block: Block, art: _ArticleCtx, width: float, depth: int) -> list[Flowable]:
        mk = art.mk
        if isinstance(block, PParagraph):
            if not block.inlines:
                return []
            return [self.para(mk.inlines(block.inlines), "list" if depth else "body")]
        if isinstance(block, Heading):
            style = "h1" if block.level <= 1 else "h2" if block.level == 2 else "h3"
            return [self.para(art.mk_bold.inlines(block.inlines), style,
                              role=art.heading_roles.get(block.level, "H6"))]
        if isinstance(block, Quote):
            # Only a short quote of plain paragraphs makes a pull quote; anything
            # richer (lists, nested quotes) keeps the ordinary quote layout.
            if (self.s.pull_quote and not art.pulled and depth == 0
                    and all(isinstance(b, PParagraph) for b in block.blocks)
                    and len(plain_text(block)) <= 400):
                art.pulled = True
                with self.tags.open("BlockQuote"):
                    return self.pull_quote(block, art)
            with self.tags.open("BlockQuote"):
                inner = self.blocks(block.blocks, art, width - self.s.body_size * 2.8, depth + 1)
                for f in inner:
                    if isinstance(f, Paragraph):
                        f.style = self.st["quote"]
                if block.attribution:
                    inner.append(self.para("— " + mk.text(block.attribution), "attribution"))
            return inner or []
        if isinstance(block, Figure):
            return self.figure(block, width, mk, art.lang)
        if isinstance(block, ListBlock):
            return self.listing(block, art, width, depth)
        if isinstance(block, PTable):
            return self.table(block, art, width)
        raise TypeError(f"not a block: {type(block).__name__}")

    def pull_quote(self, quote: Quote, art: _ArticleCtx) -> list[Flowable]:
        mk = art.mk.with_family(self.s.heading_font, bold=True, italic=True)
        text = "<br/>".join(mk.inlines(b.inlines) for b in quote.blocks
                            if isinstance(b, PParagraph) and b.inlines)
        items: list[Flowable] = [ColorBar(self.s.accent, 2.2, space_before=6),
                                 self.para(text, "pull")]
        if quote.attribution:
            items.append(self.para("— " + mk.text(quote.attribution), "pull_by"))
        items.append(ColorBar(self.s.accent, 0.8, space_after=self.s.body_size))
        return [KeepTogether(items)]

    def listing(self, block: ListBlock, art: _ArticleCtx, width: float,
                depth: int) -> list[Flowable]:
        size = self.s.body_size
        indent = size * (1.9 if block.ordered else 1.3)
        if width - indent < self.col_w * 0.4:
            # Deeply nested lists would indent the text out of the column (reportlab
            # then draws nothing); past this point items stay at the current margin.
            return self.flat_list(block, art, width, depth)
        items = []
        labels: list[Node | None] = []
        with self.tags.open("L"):
            for item in block.items:
                with self.tags.open("LI"):
                    labels.append(self.tags.leaf("Lbl"))
                    with self.tags.open("LBody"):
                        flows = self.blocks(item, art, width - indent, depth + 1) or [Spacer(1, 1)]
                items.append(ListItem(_unkept(flows)))
        if block.ordered:
            kind = ("1", "a", "i")[depth % 3] if depth else "1"
            lst = GuardedList(items, bulletType=kind, start=block.start,
                              bulletFormat="%s.", leftIndent=indent,
                              bulletFontName=self.body.regular, bulletFontSize=size,
                              bulletColor=self.s.text, spaceAfter=size * 0.4)
        else:
            bullet = ("•", "–", "◦")[depth % 3]
            if self.fonts.font_for(bullet, self.s.body_font) is not self.body:
                bullet = "-"
            lst = GuardedList(items, bulletType="bullet", start=bullet, leftIndent=indent,
                              bulletFontName=self.body.regular, bulletFontSize=size,
                              bulletColor=self.s.accent, spaceAfter=size * 0.4)
        lst._guard_width = width
        lst._labels = labels
        return [lst]

    def flat_list(self, block: ListBlock, art: _ArticleCtx, width: float,
                  depth: int) -> list[Flowable]:
        """List items as paragraphs that start with their number or dash."""
        out: list[Flowable] = []
        with self.tags.open("L"):
            for n, item in enumerate(block.items):
                mark = f"{block.start + n}. " if block.ordered else "– "
                rest = list(item)
                first = rest[0] if rest else None
                with self.tags.open("LI"), self.tags.open("LBody"):
                    if isinstance(first, PParagraph):
                        rest.pop(0)
                        out.append(self.para(art.mk.text(mark) + art.mk.inlines(first.inlines),
                                             "list"))
                    else:
                        out.append(self.para(art.mk.text(mark.strip()), "list"))
                    out.extend(self.blocks(tuple(rest), art, width, depth + 1))
        return out

    def table_style(self, commands: list[tuple]) -> TableStyle:
        """A TableStyle that names a shipped font: reportlab sets the cell font for
        every cell, even one holding a Paragraph, and its default is Helvetica."""
        return TableStyle([("FONT", (0, 0), (-1, -1), self.body.regular, self.s.body_size),
                           *commands])

    @staticmethod
    def _column_widths(group: list[int], header, rows, width: float, font: str,
                       head_font: str, size: float, pad: float) -> list[float]:
        """Every column gets at least its longest word, the rest goes by text length."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        least, want = [], []
        for c in group:
            cells = ([(plain_text(header[c]), head_font)] if header else []) + \
                    [(plain_text(r[c]), font) for r in rows]
            word = max((stringWidth(w, f, size) for t, f in cells for w in t.split()),
                       default=size)
            full = max((stringWidth(t, f, size) for t, f in cells), default=size)
            least.append(min(word, width * 0.4) + 2 * pad + 1)
            want.append(max(min(full, width) + 2 * pad + 1, least[-1]))
        if sum(least) >= width:
            # Too narrow for every longest word: each column keeps room for a
            # couple of letters inside its padding (a plain proportional cut
            # left short columns narrower than their padding, which reportlab
            # refuses), the rest is shared by how much more each would like.
            n = len(group)
            floor = min(width / n, 2 * pad + 2 * size)
            over = [max(0.0, m - floor) for m in least]
            if sum(over) <= 0:
                return [width / n] * n
            return [floor + (width - floor * n) * o / sum(over) for o in over]
        if sum(want) <= width:
            spare = width - sum(want)
            return [w + spare * w / sum(want) for w in want]
        extra = width - sum(least)
        grow = [w - m for w, m in zip(want, least, strict=True)]
        return [m + extra * g / sum(grow) for m, g in zip(least, grow, strict=True)]

    def table(self, table: PTable, art: _ArticleCtx, width: float) -> list[Flowable]:
        """A table with a repeated header row; wide tables are split into column groups.

        A column narrower than ``min_col`` would wrap every word letter by
        letter, so past that width the columns are printed in groups that
        each repeat the first (label) column.
        """
        cols = table.columns
        if cols == 0:
            return []
        size = self.s.body_size
        base = self.st["cell"].fontSize
        font_size = base if cols <= 4 else max(base * 0.72, base - (cols - 4) * 0.35)
        cell = ParagraphStyle("c", parent=self.st["cell"], fontSize=font_size,
                              leading=font_size * 1.25)
        head = ParagraphStyle("ch", parent=self.st["cell_head"], fontSize=font_size,
                              leading=font_size * 1.25)
        pad = 3
        min_col = font_size * 6 + 2 * pad
        per_group = max(2, int(width // min_col))
        header = [table.header[i] if i < len(table.header) else () for i in range(cols)] \
            if table.header else None
        rows = [[r[i] if i < len(r) else () for i in range(cols)] for r in table.rows]
        align = list(table.align) + [None] * (cols - len(table.align))
        if cols <= per_group:
            groups = [list(range(cols))]
        else:
            rest = list(range(1, cols))
            step = per_group - 1
            groups = [[0, *rest[i:i + step]] for i in range(0, len(rest), step)]
        out: list[Flowable] = []
        mk = art.mk
        # Header cells line up like their column's body cells (numbers right).
        aligned = {(base.name, a): ParagraphStyle(f"{base.name}-{a}", parent=base,
                                                  alignment=TA_RIGHT if a == "right"
                                                  else TA_CENTER)
                   for base in (cell, head) for a in ("right", "center")}

        def styled(base: ParagraphStyle, c: int) -> ParagraphStyle:
            return aligned.get((base.name, align[c] or ""), base)

        tables: list[Node] = []  # the table's element per column group
        for gi, group in enumerate(groups):
            if not rows and not header:
                continue
            widths = self._column_widths(group, header, rows, width, cell.fontName,
                                         head.fontName, font_size, pad)
            with self.tags.open("Table") as node:
                tables.append(node)
                note_para: Paragraph | None = None
                if len(groups) > 1:
                    first, last = group[1] + 1, group[-1] + 1
                    note = self.label("columns", art.lang, first=first, last=last)
                    if gi:
                        note = f"{self.label('continued', art.lang)}, {note}"
                    note_para = self.para(f"<i>{mk.text(note)}</i>", "caption")
                head_row = None
                if header:
                    with self.tags.open("TR"):
                        head_row = [self.para(mk.inlines(header[c]), styled(head, c),
                                              role="TH", Scope="Column") for c in group]
                    for p in head_row:  # repeated on a following page: an artifact there
                        if isinstance(p, TaggedParagraph) and p.struct is not None:
                            p.struct.once = True
                body = []
                for r in rows:
                    with self.tags.open("TR"):
                        body.append([self.para(mk.inlines(r[c]), styled(cell, c), role="TD")
                                     for c in group])
            look = TableLook(widths, self.table_style([
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, self.s.rule),
            ]).getCommands(), [("BACKGROUND", (0, 0), (-1, 0), self.s.rule),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.9, self.s.accent)])
            if note_para is not None:
                out.append(note_para)
            out.extend(table_pieces(head_row, body, look))
            out.append(Spacer(1, size * 0.4))
        if table.caption:
            with self.tags.into(tables[-1]) if tables else nullcontext():
                out.append(self.para(mk.text(table.caption), "caption"))
        else:
            out.append(Spacer(1, size * 0.4))
        return out

    # ------------------------------------------------------------------ articles

    def article(self, a: Article, index: int, state: PassState, rec: PassState,
                outline: list[tuple[str, str, int]]) -> list[Flowable]:
        where = str(a.path or self.release.root or self.release.slug)
        lang = a.language or self.lang
        mk = self.marker(where)
        key = self.keys[id(a)]
        mk.footnote_dest = lambda label: f"{key}-fn-{_dest(label)}"
        mk.footnote_ref = lambda label: f"{key}-fnref-{_dest(label)}"
        # The headline is H1; the article's heading levels follow it without a gap.
        levels = sorted({b.level for b in walk_blocks(a.blocks) if isinstance(b, Heading)})
        art = _ArticleCtx(mk=mk, mk_head=mk.with_family(self.s.heading_font),
                          mk_bold=mk.with_family(self.s.heading_font, bold=True), lang=lang,
                          heading_roles={lv: f"H{min(6, i + 2)}" for i, lv in enumerate(levels)})
        head_mk = art.mk_head
        top: list[Flowable] = [Anchor(key, outline, rec.pages)]
        if a.section:
            if self.s.section_box:
                top.append(self.section_box(a.section, art.mk_bold))
            else:
                top.append(self.para(art.mk_bold.text(a.section.upper()), "section"))
        top.append(self.para(art.mk_bold.text(a.title), "headline"))
        when = article_date(a.date, a.has_time, lang)
        dateline = f"<b>{head_mk.text(a.dateline.upper())}</b> — " if a.dateline else ""
        top.append(self.para(dateline + head_mk.text(when), "dateline"))
        flows: list[Flowable] = []
        if a.image is not None and a.image.src is not None:
            flows.extend(self.figure(a.image, self.col_w, mk, lang))
        flows.extend(self.blocks(a.blocks, art, self.col_w))
        credits = []
        if a.authors:
            credits.append(f"<b>{head_mk.text(self.label('byline', lang))}:</b> "
                           f"{head_mk.text(', '.join(a.authors))}")
        if a.byline:
            credits.append(f"({head_mk.text(a.byline)})")
        tail: list[Flowable] = []
        if credits:
            tail.append(self.para(" ".join(credits), "byline"))
        if a.source or a.source_credit:
            src = head_mk.text(a.source_credit or a.source)
            if a.source and self.resolve_link(a.source):
                src = (f'<a href="{esc(self.resolve_link(a.source))}" '
                       f'color="{_hex(self.s.link)}"><u>{src}</u></a>')
            tail.append(self.para(f"<b>{head_mk.text(self.label('source', lang))}:</b> {src}",
                                  "byline"))
        if a.tags:
            tail.append(self.para(f"<b>{head_mk.text(self.label('tags', lang))}:</b> "
                                  f"{head_mk.text(', '.join(a.tags))}", "byline"))
        tail.extend(self.footnotes(a, art))
        # The headline block travels with the start of the first body block
        # (and the zero-size anchors in front of it).
        flows = keep_heads(flows)
        tail = keep_heads(tail)
        lead = 0
        while lead < len(flows) and isinstance(flows[lead], Anchor):
            lead += 1
        if lead >= len(flows):
            return [KeepTogether(top + flows), *tail]
        text = lead + 1  # a lead photo floats on rather than take its headline along
        while text < len(flows) and isinstance(flows[text], Anchor):
            text += 1
        if (isinstance(flows[lead], FloatingFigure) and text < len(flows)
                and flows[lead].fills_later(flows[text])):
            return [HeadOverPhoto(top + flows[:lead], flows[lead], flows[lead + 1:text],
                                  flows[text]), *flows[text + 1:], *tail]
        return [KeepHead(top + flows[:lead], flows[lead]), *flows[lead + 1:], *tail]

    def section_box(self, section: str, mk: Marker) -> Flowable:
        text = f"&nbsp;{mk.text(section.upper())}&nbsp;"
        st = ParagraphStyle("secbox", parent=self.st["section"], textColor=self.s.band_text,
                            backColor=self.s.accent, borderPadding=(2, 3, 2, 3),
                            spaceBefore=3, spaceAfter=6)
        p = self.para(text, st)
        # Shrink-wrap the coloured box to the label, not the whole column.
        width = min(self.col_w, sum(
            _string_width(c, st.fontName, st.fontSize) for c in section.upper()) + 14)
        t = Table([[p]], colWidths=[width], hAlign="LEFT", splitInRow=1)
        t.setStyle(self.table_style([("BACKGROUND", (0, 0), (-1, -1), self.s.accent),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
        t.spaceAfter = 5
        t.keepWithNext = 1
        return t

    def footnotes(self, a: Article, art: _ArticleCtx) -> list[Flowable]:
        if not a.footnotes:
            return []
        mk = art.mk
        out: list[Flowable] = [
            ColorBar(self.s.rule, 0.6, space_before=self.s.body_size * 0.6),
            self.para(art.mk_head.text(self.label("notes", art.lang)), "note_head")]
        # A note may cite another note (`[^a]: lihat[^b]`): the cited note's
        # back-link lands on the citing note.  Place those targets first, so
        # that every back-link below names a target that exists (a note cited
        # by nobody placed gets no back-link: reportlab refuses a link to
        # nowhere).
        anchors_before: list[list[str]] = []
        for note in a.footnotes:
            names = []
            for label in (ref.label for ref in query(note.blocks, FootnoteRef)):
                name = mk.footnote_ref(label)
                if name not in art.anchored:
                    art.anchored.add(name)
                    names.append(name)
            anchors_before.append(names)
        for note, names in zip(a.footnotes, anchors_before, strict=True):
            self.tags.link_texts[mk.footnote_dest(note.label)] = \
                f"{self.label('notes', art.lang)} {note.label}"
            self.tags.link_texts[mk.footnote_ref(note.label)] = a.title
            out.extend(Anchor(name, [], {}) for name in names)
            number = f"{esc(note.label)}."
            if mk.footnote_ref(note.label) in art.anchored:
                number = (f'<a href="#{mk.footnote_ref(note.label)}" '
                          f'color="{_hex(self.s.link)}">{number}</a>')
            # A plain space: a no-break space would glue "1." to a word in
            # another font, which reportlab's shaping cannot handle.
            back = f'<a name="{mk.footnote_dest(note.label)}"/>{number} '
            parts = []
            for block in note.blocks:
                if isinstance(block, (PParagraph, Heading)):
                    parts.append(mk.inlines(block.inlines))
                else:
                    parts.append(mk.text(plain_text(block)))
            out.append(self.para(back + "<br/>".join(p for p in parts if p), "note",
                                 ID=mk.footnote_dest(note.label)))
        return out

    # ------------------------------------------------------------------ cover

    def cover(self, state: PassState, rec: PassState) -> list[Flowable]:
        r = self.release
        where = str(r.root or r.slug)
        hm = self.marker(where, self.s.heading_font)
        bm = self.marker(where)
        out: list[Flowable] = []
        if self.s.masthead == "band":  # drawn with the page (draw_band), read first
            self.band_nodes = [self.tags.leaf(role) for role in ("H1", "P", "P")]
        if self.s.masthead == "plain":
            out.append(self.para(hm.with_family(self.s.heading_font, bold=True).text(r.title),
                                 "mast_title"))
            out.append(ColorBar(self.s.accent, 2.5, space_before=4))
            out.append(self.para(hm.text(self.subtitle()), "mast_sub"))
            if r.publisher.name:
                out.append(self.para(hm.text(r.publisher.name), "mast_sub"))
            if r.description:
                out.append(self.para(bm.text(r.description), "mast_desc"))
            else:
                out.append(Spacer(1, self.s.body_size))
        elif r.description:
            out.append(self.para(bm.text(r.description), "mast_desc"))
        if r.cover is not None:
            out.append(self.picture(r.cover, self.text_w,
                                    self.body_h * self.s.cover_photo_height))
            out.append(Spacer(1, self.s.body_size))
        if self.single:
            return out  # a one-article bulletin is the article: no lead story, no contents
        # Without a cover photo the page has room for two more lead stories.
        count = self.s.lead_stories + (2 if r.cover is None and self.s.lead_stories else 0)
        lead = list(r.articles[:max(0, count - self.lead_drop)])
        if lead:
            out.append(self.para(hm.text(self.label("lead")), "toc_head"))
            for a in lead:
                key = self.keys[id(a)]
                lang = self.other_lang(a)
                am = self.marker(str(a.path or where), self.s.heading_font).with_family(
                    self.s.heading_font, bold=True)
                out.append(self.para(f'<a href="#{key}">{am.text(a.title)}</a>', "lead_title",
                                     Lang=lang))
                if a.lead:
                    out.append(self.para(self.marker(str(a.path or where)).text(a.lead),
                                         "lead_text", Lang=lang))
                label_lang = a.language or self.lang

                def more(n: str, label_lang: str = label_lang, am: Marker = am) -> str:
                    return f"{am.text(self.label('read_on', label_lang, n=n))} »"

                out.append(self.page_ref(key, more, "lead_more", state, rec, Lang=lang))
        out.extend(self.toc(state, rec))
        return out

    def subtitle(self) -> str:
        r = self.release
        parts = []
        if r.edition:
            parts.append(self.ctx.label("edition", self.lang, edition=r.edition))
        parts.append(long_date(r.date, self.lang))
        return " · ".join(parts)

    def page_ref(self, key: str, text: Callable[[str], str], style: str, state: PassState,
                 rec: PassState, **attrs: str | None) -> Later:
        """A paragraph naming the page the anchor ``key`` is on, linked to it: laid
        out with the number ``state`` knows (else RESERVED_PAGE), drawn with the
        final one of this pass (``rec``) once every page is done.  Its structure
        element is the reserve's (the final paragraph is made after the tree is
        sealed and drawn inside the reserve's marked content)."""
        reserve = self.para(text(str(state.pages.get(key, RESERVED_PAGE))), style, **attrs)
        return Later(reserve, lambda: self.para(text(str(rec.pages.get(key, ""))), style),
                     link=key)

    def toc(self, state: PassState, rec: PassState) -> list[Flowable]:
        r = self.release
        if not r.articles:
            return []
        head = self.para(self.marker(str(r.root or r.slug), self.s.heading_font).text(
            self.label("contents")), "toc_head")
        num_w = 16 * mm
        rows: list[list[Flowable]] = []
        styles: list[tuple] = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
        # Stories without a section get a group of their own ("Lainnya") once any
        # story has one, so they never look filed under the section above them.
        other = self.ctx.label("other_section", self.lang) \
            if any(a.section for a in r.articles) else ""
        current: str | None = None
        with self.tags.open("TOC"):
            for a in r.articles:
                group = a.section or other
                if group and group != current:
                    sm = self.marker(str(a.path or r.root), self.s.heading_font).with_family(
                        self.s.heading_font, bold=True)
                    with self.tags.open("TOCI"):
                        rows.append([self.para(sm.text(group.upper()), "toc_section"), ""])
                    styles.append(("SPAN", (0, len(rows) - 1), (1, len(rows) - 1)))
                    styles.append(("TOPPADDING", (0, len(rows) - 1), (-1, len(rows) - 1), 5))
                current = group
                key = self.keys[id(a)]
                tm = self.marker(str(a.path or r.root))
                with self.tags.open("TOCI", Lang=self.other_lang(a)):
                    rows.append([self.para(f'<a href="#{key}">{tm.text(a.title)}</a>', "toc"),
                                 self.page_ref(key, str, "toc_page", state, rec)])
                styles.append(("LINEBELOW", (0, len(rows) - 1), (-1, len(rows) - 1), 0.3,
                               self.s.rule))
        t = Table(rows, colWidths=[self.text_w - num_w, num_w], hAlign="LEFT", splitInRow=1)
        t.setStyle(self.table_style(styles))
        return [KeepHead([head], t)]

    # ------------------------------------------------------------------ pages

    def draw_band(self, canv: Canvas, state: PassState) -> None:
        """The buletin masthead: a coloured band across the top with logo and title."""
        s, r = self.s, self.release
        band_h = s.band_height
        canv.saveState()
        canv.setFillColor(s.accent)
        canv.rect(0, self.page_h - band_h, self.page_w, band_h, stroke=0, fill=1)
        x = s.margin_left
        logo = r.publisher.logo or self.ctx.publication.publisher.logo
        pad = 6 * mm
        if logo is not None:
            lh = band_h - 2 * pad
            img = self.picture(logo, lh * 3, lh)
            # A white plate keeps any logo readable on the coloured band.
            canv.setFillColor(colors.white)
            canv.roundRect(x - 2, self.page_h - band_h + pad - 2, img.drawWidth + 4,
                           img.drawHeight + 4, 3, stroke=0, fill=1)
            img.drawOn(canv, x, self.page_h - band_h + pad + (lh - img.drawHeight) / 2)
            x += img.drawWidth + 6 * mm
        avail = self.page_w - s.margin_right - x
        where = str(r.root or r.slug)
        hm = self.marker(where, s.heading_font)
        sub = self.para(hm.text(_clip(self.subtitle(), self.head.regular, s.body_size,
                                      avail)), "band_sub")
        pub = self.para(hm.text(_clip(r.publisher.name, self.head.regular, s.body_size, avail)),
                        "band_sub") if r.publisher.name else None
        _, sh = sub.wrapOn(canv, avail, band_h)
        ph = pub.wrapOn(canv, avail, band_h)[1] if pub else 0
        # The band has a fixed height: a long name is set smaller, then cut short.
        room = band_h - 2 * pad - sh - ph - 4
        size = s.masthead_size
        text = r.title
        while True:
            st = ParagraphStyle("band_fit", parent=self.st["band_title"], fontSize=size,
                                leading=size * 1.1)
            title = self.para(hm.with_family(s.heading_font, bold=True).text(text), st)
            _, th = title.wrapOn(canv, avail, band_h)
            if th <= room or (size <= 12 and text != r.title):
                break
            if size > 12:
                size = max(12, size * 0.85)
            else:
                text = _clip(r.title, self.head.bold, size, avail * max(1, room // (size * 1.1)))
        block = th + sh + ph + 4
        y = self.page_h - band_h + (band_h - block) / 2
        nodes = [*self.band_nodes, None, None, None]
        for p, node in ((title, nodes[0]), (sub, nodes[1]), (pub, nodes[2])):
            if isinstance(p, TaggedParagraph):
                p.struct = node
        if pub:
            pub.drawOn(canv, x, y)
            y += ph
        sub.drawOn(canv, x, y)
        y += sh + 4
        title.drawOn(canv, x, y)
        canv.restoreState()

    def draw_page(self, canv: DeferringCanvas, doc: BaseDocTemplate, state: PassState,
                  rec: PassState, cover: bool) -> None:
        s, r = self.s, self.release
        n = canv.getPageNumber()
        rec.total = max(rec.total, n)
        if n == 1:
            canv.showOutline()  # the PDF opens with its outline panel (/PageMode /UseOutlines)
        where = str(r.root or r.slug)
        hm = self.marker(where, s.heading_font)
        if isinstance(canv, MarkingCanvas):
            # Header, footer, rules and the band: page furniture (the story is
            # sealed, so paragraphs made here carry no element).
            canv.begin_artifacts()
        canv.saveState()
        if cover and s.masthead == "band":
            self.draw_band(canv, state)
        if not cover and not (n == 1 and self.bare):  # page 1 of a bare article: its headline
            if self._header is None:  # the same on every page of a pass: made once
                left = r.title + (" · " + self.ctx.label("edition", self.lang,
                                                              edition=r.edition)
                                  if r.edition else "")
                self._header = (
                    self.para(hm.text(_clip(left, self.head.regular, 7.5, self.text_w * 0.68)),
                              "header"),
                    self.para(hm.text(long_date(r.date, self.lang)), "header_r"))
            lp, rp = self._header
            y = self.page_h - s.margin_top + 5 * mm
            lp.wrapOn(canv, self.text_w * 0.7, 20)
            lp.drawOn(canv, s.margin_left, y)
            rp.wrapOn(canv, self.text_w * 0.3, 20)
            rp.drawOn(canv, s.margin_left + self.text_w * 0.7, y)
            canv.setStrokeColor(s.accent if s.masthead == "band" else s.rule)
            canv.setLineWidth(1.2 if s.masthead == "band" else 0.5)
            canv.line(s.margin_left, y - 2, self.page_w - s.margin_right, y - 2)

        def footer(c: Canvas) -> bool:  # drawn when the page count is known
            foot = self.ctx.label("page_of", self.lang, n=n, total=rec.total)
            fp = self.para(hm.text(foot), "footer")
            fp.wrapOn(c, self.text_w, 20)
            fp.drawOn(c, s.margin_left, s.margin_bottom - 10 * mm)
            return True

        canv.defer(footer)
        canv.restoreState()

    def draw_column_rules(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        """Rules between the columns of a page, drawn when the page is done and only
        as far down as the columns go: none beside an empty column, and on a
        page that ends the text, down to the longer of the two columns."""
        frames = doc.pageTemplate.frames
        canv.saveState()
        canv.setStrokeColor(self.s.rule)
        canv.setLineWidth(0.4)
        for left, right in itertools.pairwise(frames):
            if right._atTop:
                continue  # nothing was set in the column on the right
            top = right._y1 + right._height
            bottom = right._y1 if right is not doc.frame else min(left._y, right._y)
            cx = (left._x1 + left._width + right._x1) / 2
            canv.line(cx, bottom, cx, top - 2 * mm)
        canv.restoreState()

    def _doc(self, buf: io.BytesIO, state: PassState, rec: PassState) -> BaseDocTemplate:
        s, r = self.s, self.release
        zero = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
        cover_h = self.cover_top - s.margin_bottom
        if self.single:  # the article starts under the masthead, in its columns
            cover_frames = [Frame(s.margin_left + i * (self.col_w + s.column_gap),
                                  s.margin_bottom, self.col_w, cover_h, id=f"cover{i}", **zero)
                            for i in range(s.columns)]
        else:
            cover_frames = [Frame(s.margin_left, s.margin_bottom, self.text_w, cover_h,
                                  id="cover", **zero)]
        body_frames = [Frame(s.margin_left + i * (self.col_w + s.column_gap), s.margin_bottom,
                             self.col_w, self.body_h, id=f"col{i}", **zero)
                       for i in range(s.columns)]
        keywords = unique_casefold(word for a in r.articles
                                   for word in ([a.section] if a.section else []) + list(a.tags))
        if self.single:
            # The article's own credit, never its headline; a byline code only
            # when there is neither a name nor a publisher to credit.
            only = r.articles[0]
            authors = ", ".join(only.authors) or r.publisher.name or only.byline
        else:
            authors = r.publisher.name or ", ".join(dict.fromkeys(
                n for a in r.articles for n in a.authors)) or r.title
        subject = self.subtitle() + (f" — {r.description}" if r.description else "")
        doc = _Doc(
            buf, pagesize=(self.page_w, self.page_h), leftMargin=s.margin_left,
            rightMargin=s.margin_right, topMargin=s.margin_top, bottomMargin=s.margin_bottom,
            title=r.title + (f" — {self.ctx.label('edition', self.lang, edition=r.edition)}"
                             if r.edition else ""),
            author=authors, subject=subject, keywords=keywords,
            creator="publikasi", producer="publikasi (ReportLab)", invariant=1,
            lang=r.language or "id", displayDocTitle=1,
            initialFontName=self.body.regular, initialFontSize=self.s.body_size,
            initialLeading=self.s.body_size * self.s.leading,
        )
        # A cover too long for one page (a big table of contents) continues on
        # full-width "contents" pages; articles then start on "body" pages.
        contents_frame = Frame(s.margin_left, s.margin_bottom, self.text_w, self.body_h,
                               id="contents", **zero)
        templates = [
            PageTemplate(id="cover", frames=cover_frames, autoNextPageTemplate="contents",
                         onPage=lambda c, d: self.draw_page(c, d, state, rec, True),
                         onPageEnd=self.draw_column_rules,
                         pagesize=(self.page_w, self.page_h)),
            PageTemplate(id="contents", frames=[contents_frame],
                         onPage=lambda c, d: self.draw_page(c, d, state, rec, False),
                         pagesize=(self.page_w, self.page_h)),
            PageTemplate(id="body", frames=body_frames,
                         onPage=lambda c, d: self.draw_page(c, d, state, rec, False),
                         onPageEnd=self.draw_column_rules,
                         pagesize=(self.page_w, self.page_h)),
        ]
        if self.bare:
            templates.insert(0, templates.pop())  # the first page is a body page
        doc.addPageTemplates(templates)
        return doc

    @property
    def single(self) -> bool:
        """A one-article release: the bulletin is that article."""
        return len(self.release.articles) == 1

    @property
    def bare(self) -> bool:
        """A one-article release named after its article (a lone .txt or .md file):
        a masthead would only repeat the headline, so the article opens page 1."""
        r = self.release
        return self.single and r.title.strip() == r.articles[0].title.strip()

    def story(self, state: PassState, rec: PassState) -> list[Flowable]:
        self.tags = StructBuilder()  # only the last pass's drawing counts
        self._header = None
        cover: list[Flowable] = []
        if not self.bare:
            with self.tags.open("Sect"):
                cover = self.cover(state, rec)
        if self.bare:
            out: list[Flowable] = []
        elif self.single:
            out = [NextPageTemplate("body"), *cover]  # the article follows on
        else:
            out = [*cover, NextPageTemplate("body"), PageBreak()]
        current_section = None
        for i, a in enumerate(self.release.articles):
            title = a.title or a.slug
            self.tags.link_texts[self.keys[id(a)]] = title
            outline: list[tuple[str, str, int]] = []
            if a.section:
                if a.section != current_section:
                    outline.append((a.section, f"{self.keys[id(a)]}-sec", 0))
                outline.append((title, self.keys[id(a)], 1))
            else:
                outline.append((title, self.keys[id(a)], 0))
            current_section = a.section or None
            if i:
                if self.s.article_start == "new_page":
                    out.append(PageBreak())
                else:
                    out.append(ColorBar(self.s.rule, 1.2, space_before=self.s.body_size * 0.8,
                                        space_after=self.s.body_size * 0.8))
            with self.tags.open("Art", Lang=self.other_lang(a)):
                out.extend(self.article(a, i, state, rec, outline))
        self.tags.seal()
        return out

    def other_lang(self, a: Article) -> str | None:
        """The article's language when it is not the edition's (a /Lang to set)."""
        return a.language if a.language and a.language != self.lang else None

    def render(self, build_time: dt.datetime) -> bytes:
        """The PDF bytes.  Should reportlab's layout fail with publikasi's
        per-font-run shaping on, it is laid out once more with reportlab's own
        shaping: a mixed-script word may then print poorly, but the build ends."""
        try:
            return self._render(build_time)
        except LayoutError:
            RUN_SHAPING["on"] = False
            try:
                return self._render(build_time)
            finally:
                RUN_SHAPING["on"] = True

    def _contents_overflow(self, rec: PassState) -> bool:
        """The contents ran over from the cover onto a page of their own, and a
        lead story fewer could still help (rather a page holding a line or two)."""
        first = self.keys[id(self.release.articles[0])] if self.release.articles else ""
        return (not self.single and rec.pages.get(first, 0) > 2
                and self.lead_drop < self.s.lead_stories + 2)

    def settle_cover(self) -> None:
        """Choose how many lead stories the cover keeps before the layout: the
        smallest number dropped that lets the first article start on page 2
        (else as many as may be dropped).  The cover and its contents are laid
        out alone for that (their length is known: their entries are), first
        with all dropped, then none, one, two ..."""
        if self.single or not self.release.articles:
            return
        most = self.s.lead_stories + 2
        self.lead_drop = most
        if not self._cover_fits():
            return  # the contents alone run over: no lead story (one trial for long ones)
        for drop in range(most):
            self.lead_drop = drop
            if self._cover_fits():
                return
        self.lead_drop = most

    def _cover_fits(self) -> bool:
        """Whether the cover and its contents end on page 1, leaving page 2 to the
        first article (a mark after them must land on page 1)."""
        rec = PassState()
        doc = self._doc(io.BytesIO(), PassState(), rec)
        canvas_cls = type("_Trial", (_TrialCanvas,), {"watch": rec.pages})
        try:
            doc.build([*self.cover(PassState(), rec), Anchor(_COVER_END, [], rec.pages)],
                      canvasmaker=canvas_cls)
        except _CoverOverflow:
            return False
        return rec.pages.get(_COVER_END) == 1

    def _render(self, build_time: dt.datetime) -> bytes:
        """One layout pass (:attr:`passes` counts them): page numbers are drawn
        when it is complete.  Another pass only when a number outgrew the room
        reserved for it, or the cover's contents ran over after all; that pass
        reserves the numbers the previous one found."""
        canvas_cls: type[_FixedTimeCanvas] = type("_Canvas", (_FixedTimeCanvas,),
                                                  {"build_time": build_time})
        self.settle_cover()
        state = PassState()
        self.passes = 0
        while True:
            self.passes += 1
            rec = PassState()
            self.missing.clear()
            buf = io.BytesIO()
            doc = self._doc(buf, state, rec)
            # The last pass allowed prints the numbers it found, whatever room they take.
            canvas_cls.strict = self.passes < MAX_PASSES
            try:
                doc.build(self.story(state, rec), canvasmaker=canvas_cls)
            except Misfit:
                state = rec
                continue
            if self._contents_overflow(rec):
                self.lead_drop += 1
                state = rec
                continue
            return buf.getvalue()

    def warnings(self) -> list[tuple[str, str]]:
        """(file, message) for every text that had characters no font could show."""
        out = []
        for where, chars in self.missing.items():
            unshaped = "".join(c for c in chars if needs_shaping(c) and not self.fonts.shaping
                               and self.fonts.covers(c))
            absent = "".join(c for c in chars if c not in unshaped)
            if absent:
                hint = "no installed font has them; a fontpkg font package for the script adds them"
                if any(needs_shaping(c) for c in absent) and not self.fonts.shaping:
                    hint += ", and their script needs text shaping (pip install uharfbuzz)"
                out.append((where, f"characters not shown: {char_names(absent)} ({hint})"))
            if unshaped:
                out.append((where, (f"characters not shown: {char_names(unshaped)} "
                                    "(their script needs text shaping: pip install uharfbuzz)")))
        return out


class _CoverOverflow(Exception):
    """A trial layout of the cover found its contents running over onto page 2."""


_COVER_END = "cover-end"  # the mark a trial layout of the cover puts after it


class _TrialCanvas(_FixedTimeCanvas):
    """A canvas for a trial layout of the cover: nothing is drawn (``dry``, as
    balance.DryCanvas), filled in or written, and it stops when page 1 ends
    before the cover did."""

    dry = True
    watch: ClassVar[dict[str, int]] = {}

    def showPage(self) -> None:
        if _COVER_END not in self.watch:
            raise _CoverOverflow
        super().showPage()

    def save(self) -> None:
        pass


class LayoutLoop(RuntimeError):
    """reportlab kept handling flowables on one page without getting anywhere."""


class _Doc(BaseDocTemplate):
    """A BaseDocTemplate that stops instead of looping for ever.

    Some combinations of reportlab containers (indented list items, groups
    kept together, keep-with-next) can hand the same flowable back and forth
    without placing it.  A real page never needs thousands of steps, so past
    that the build fails with an error instead of hanging a scheduled job.
    """

    STEPS_PER_PAGE = 5000

    def handle_pageBegin(self) -> None:
        self._steps = 0
        balance.restore(getattr(self, "_shortened", []))
        self._shortened: list[Frame] = []
        self._balanced_page = 0
        super().handle_pageBegin()

    def balance_columns(self, flowables: list[Flowable]) -> None:
        """Where the story (or the text before a page break) ends on this page, its
        columns end at about the same height (see balance.py)."""
        if getattr(self, "_balanced_page", 0) == self.page:
            return
        self._balanced_page = self.page
        height = balance.balanced_height(self, flowables)
        if height is not None:
            self._shortened = balance.shorten(self.pageTemplate.frames, height)

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        self.balance_columns(flowables)
        self._steps = getattr(self, "_steps", 0) + 1
        if self._steps > self.STEPS_PER_PAGE:
            raise LayoutLoop(f"the PDF layout made no progress on page {self.page} "
                             f"({type(flowables[0]).__name__} would not settle); "
                             "please report this with the source")
        if (len(flowables) > 1 and isinstance(flowables[0], FloatingFigure)
                and flowables[0].fills_later(flowables[1]) and not self.frame._atTop
                and flowables[0].height_in(self.frame) > self.frame._y - self.frame._y1p):
            # A photo that does not fit the rest of the frame lets the text after
            # it fill the gap, and follows at the top of the next frame.
            flowables[0], flowables[1] = flowables[1], flowables[0]
        super().handle_flowable(flowables)


@dataclass
class _ArticleCtx:
    mk: Marker
    mk_head: Marker
    mk_bold: Marker
    lang: str
    heading_roles: dict[int, str] = field(default_factory=dict)  # level -> H2, H3 ...
    pulled: bool = False
    anchored: set[str] = field(default_factory=set)  # footnote back-link targets placed


def _clip(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut at a word (or anywhere) with "…" so that it fits ``width``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix that fits together with the ellipsis
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    cut = text[:lo]
    if " " in cut[len(cut) // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:·—-") + "…"


def _string_width(ch: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(ch, font, size)


__all__ = ["Bulletin", "PassState"]


def _unkept(flows: list[Flowable]) -> list[Flowable]:
    """A list item's flowables with KeepTogether replaced by :class:`Together`.

    reportlab indents list items with DDIndenter, which wraps whatever a split
    returns; a KeepTogether that splits at a frame end returns a FrameBreak,
    and DDIndenter then asks it for its size, which raises.  Together keeps a
    figure with its caption without that.

    It also clears keepWithNext (a heading's): reportlab joins the last
    flowable of an item with what follows the list into a KeepTogether, whose
    split hands back the same indented flowable first, and the layout then
    loops on one page for ever.
    """
    out: list[Flowable] = []
    for f in flows:
        if isinstance(f, KeepTogether):
            parts = _unkept(list(f._content))
            if any(isinstance(p, Together) for p in parts):
                out.extend(parts)
            else:
                out.append(Together(parts))
        else:
            if f.getKeepWithNext():
                f.keepWithNext = 0
            out.append(f)
    return out
