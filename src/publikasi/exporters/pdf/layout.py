"""PDF layout settings and the small custom flowables the bulletin needs."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    Paragraph,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import NullActionFlowable
from reportlab.platypus.flowables import DDIndenter, LIIndenter, _listWrapOn

from ...errors import fail
from ...themes import Theme
from .tagging import TaggedBullet

if TYPE_CHECKING:
    from . import PdfSettings

def _color(theme: Theme, key: str, default: str) -> colors.Color:
    value = str(theme.get(f"colors.{key}", default))
    try:
        return colors.HexColor(value)
    except (ValueError, TypeError):
        raise fail(theme.chain[0] / "theme.toml",
                   f"[colors] {key} must be a colour like \"#0b5394\", not {value!r}") from None


@dataclass
class Settings:
    """The theme's ``[pdf]`` section, validated, with the theme's colours and fonts."""

    columns: int
    column_gap: float
    margin_top: float
    margin_bottom: float
    margin_left: float
    margin_right: float
    article_start: str
    masthead: str
    band_height: float
    body_size: float
    leading: float
    headline_size: float
    masthead_size: float
    pull_quote: bool
    section_box: bool
    lead_stories: int
    image_max_height: float  # fraction of the frame height
    cover_photo_height: float  # fraction of the frame height
    body_font: str
    heading_font: str
    text: colors.Color
    accent: colors.Color
    muted: colors.Color
    rule: colors.Color
    band_text: colors.Color
    link: str

    @classmethod
    def from_theme(cls, theme: Theme, s: PdfSettings) -> Settings:
        """``s`` (validated when the theme loaded) with the theme's colours and fonts."""
        fonts = theme.shared().fonts
        accent = str(theme.get("colors.accent", "#0b5394"))
        return cls(
            columns=s.columns,
            column_gap=s.column_gap_mm * mm,
            margin_top=s.margin_top_mm * mm,
            margin_bottom=s.margin_bottom_mm * mm,
            margin_left=s.margin_left_mm * mm,
            margin_right=s.margin_right_mm * mm,
            article_start=s.article_start,
            masthead=s.masthead,
            band_height=s.band_height_mm * mm,
            body_size=s.body_size,
            leading=s.leading,
            headline_size=s.headline_size,
            masthead_size=s.masthead_size,
            pull_quote=s.pull_quote,
            section_box=s.section_box,
            lead_stories=s.lead_stories,
            image_max_height=s.image_max_height,
            cover_photo_height=s.cover_photo_height,
            body_font=fonts.body,
            heading_font=fonts.heading,
            text=_color(theme, "text", "#1a1a1a"),
            accent=_color(theme, "accent", "#0b5394"),
            muted=_color(theme, "muted", "#5f6368"),
            rule=_color(theme, "rule", "#c9d3de"),
            band_text=_color(theme, "band_text", "#ffffff"),
            link=accent,
        )


class Anchor(Flowable):
    """A zero-size mark: a named destination, outline entries and a page record.

    It sits in front of a headline (inside the same KeepTogether), so the
    bookmark, the TOC page number and the headline always land on one page.
    """

    _ZEROSIZE = 1

    def __init__(self, key: str, outline: list[tuple[str, str, int]],
                 pages: dict[str, int]) -> None:
        super().__init__()
        self.key = key
        self.outline = outline  # (title, key, level), parents first
        self.pages = pages
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canv = self.canv
        self.pages[self.key] = canv.getPageNumber()
        for title, key, level in self.outline:
            canv.bookmarkHorizontal(key, 0, 12)
            canv.addOutlineEntry(title, key, level=level, closed=False)
        if not self.outline:
            canv.bookmarkHorizontal(self.key, 0, 12)


class ColorBar(Flowable):
    """A full-width coloured rule (section starts, pull quotes)."""

    def __init__(self, color: colors.Color, thickness: float = 2.0,
                 space_before: float = 0, space_after: float = 0) -> None:
        super().__init__()
        self.color = color
        self.thickness = thickness
        self.spaceBefore = space_before
        self.spaceAfter = space_after

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.thickness

    def draw(self) -> None:
        self.canv.setFillColor(self.color)
        self.canv.rect(0, 0, self.width, self.thickness, stroke=0, fill=1)


class Together(Flowable):
    """Flowables stacked as one block that moves to the next frame whole.

    KeepTogether's way of moving on (a FrameBreak) breaks inside reportlab's
    indented list items, so a figure in a list item uses this instead: it does
    not split, and only a block taller than a whole frame gives its parts up.
    """

    def __init__(self, content: list[Flowable]) -> None:
        super().__init__()
        self._content = content
        self._sizes: list[tuple[float, float]] = []
        self.spaceBefore = content[0].getSpaceBefore() if content else 0
        self.spaceAfter = content[-1].getSpaceAfter() if content else 0

    def _gaps(self) -> list[float]:
        """Space between each part and the next."""
        return [max(a.getSpaceAfter(), b.getSpaceBefore())
                for a, b in pairwise(self._content)]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        canv = getattr(self, "canv", None)
        self._sizes = [f.wrapOn(canv, availWidth, availHeight) for f in self._content]
        self.width = max((w for w, _ in self._sizes), default=0)
        self.height = sum(h for _, h in self._sizes) + sum(self._gaps())
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", False):
            return list(self._content)  # taller than a whole frame: let it break
        return []  # wait for the next frame

    def draw(self) -> None:
        y = self.height
        gaps = [*self._gaps(), 0]
        for f, (_, h), gap in zip(self._content, self._sizes, gaps, strict=True):
            y -= h
            f.drawOn(self.canv, 0, y)
            y -= gap


def _at_frame_top(flowable: Flowable) -> bool:
    """Whether the frame placing ``flowable`` is still empty (set by Frame.add/split)."""
    frame = getattr(flowable, "_frame", None)
    return bool(frame is not None and getattr(frame, "_atTop", False))


TABLE_MOVES_WHOLE = 8  # a table of up to this many body rows is never split
TABLE_MIN_SIDE = 2  # body rows a split leaves on each side, at least
TABLE_CHUNK = 40  # body rows laid out at a time (long tables: linear time)


@dataclass
class TableLook:
    """How the body tables are built: column widths and style commands."""

    widths: list[float]
    cell_style: list[tuple]  # commands for every cell
    head_style: list[tuple]  # commands for row 0 when it is the header


class TablePiece(Flowable):
    """Consecutive body rows of one table, laid out as one reportlab Table.

    A long table is cut into pieces of :data:`TABLE_CHUNK` rows before layout
    (see :func:`table_pieces`): reportlab re-measures every remaining row at
    each page break, which grows with the square of the rows.  A piece
    repeats the header row when it starts a frame, splits only between rows,
    leaves at least :data:`TABLE_MIN_SIDE` body rows of the whole table on
    each side (so a total row never stands alone), and a table of up to
    :data:`TABLE_MOVES_WHOLE` rows moves to the next frame whole.
    """

    def __init__(self, header: list[Flowable] | None, rows: list[list[Flowable]],
                 look: TableLook, before: int, after: int) -> None:
        super().__init__()
        self.header = header
        self.rows = rows
        self.look = look
        self.before = before  # body rows of the same table in earlier pieces
        self.after = after  # ... and in later ones
        self._table: Table | None = None
        self._with_head = False

    @property
    def continued(self) -> bool:
        return self.before > 0

    def _build(self, with_head: bool, split_in_row: int = 0) -> Table:
        data = ([self.header] if with_head and self.header else []) + self.rows
        t = Table(data, colWidths=self.look.widths, splitByRow=1, splitInRow=split_in_row,
                  repeatRows=1 if with_head and self.header else 0, hAlign="LEFT")
        t.setStyle(TableStyle(self.look.cell_style
                              + (self.look.head_style if with_head and self.header else [])))
        return t

    def _layout(self, aW: float, aH: float) -> Table:
        # The header opens the table and every frame the table continues in.
        with_head = bool(self.header) and (not self.continued or _at_frame_top(self))
        if self._table is None or with_head != self._with_head:
            self._table, self._with_head = self._build(with_head), with_head
        self._table.wrap(aW, aH)
        return self._table

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        t = self._layout(availWidth, availHeight)
        self.width, self.height = t._width, t._height
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        t = self._layout(availWidth, availHeight)
        at_top = _at_frame_top(self)
        heights = list(t._rowHeights)
        used = heights.pop(0) if self._with_head else 0.0
        fit = 0
        for h in heights:
            if used + h > availHeight:
                break
            used += h
            fit += 1
        n = len(self.rows)
        fit = min(fit, n - 1)  # split is asked for: at least the last row goes on
        total = self.before + n + self.after
        # Rows of this table already in the frame (a previous piece) count on this side.
        least = 1 if self.continued and not at_top else TABLE_MIN_SIDE
        keep = min(fit, n + self.after - TABLE_MIN_SIDE)
        if not at_top and (total <= TABLE_MOVES_WHOLE or keep < least):
            return []
        if keep < 1:
            if not at_top:
                return []
            # One row taller than a whole frame: only reportlab's in-row split helps.
            return self._build(self._with_head, split_in_row=1).split(availWidth, availHeight)
        return [TablePiece(self.header, self.rows[:keep], self.look, self.before,
                           self.after + n - keep),
                TablePiece(self.header, self.rows[keep:], self.look, self.before + keep,
                           self.after)]

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:
        assert self._table is not None
        self._table.drawOn(canvas, x, y, _sW)

    def draw(self) -> None:  # drawOn above draws the table itself
        pass


def table_pieces(header: list[Flowable] | None, rows: list[list[Flowable]],
                 look: TableLook) -> list[Flowable]:
    """A table's body rows in pieces of :data:`TABLE_CHUNK` (the last one up to twice that)."""
    cuts = list(range(0, len(rows), TABLE_CHUNK))
    if len(cuts) > 1 and len(rows) - cuts[-1] < TABLE_CHUNK:
        cuts.pop()  # a short remainder joins the piece before it
    cuts.append(len(rows))
    if not rows:
        return [TablePiece(header, [], look, 0, 0)] if header else []
    return [TablePiece(header, rows[a:b], look, a, len(rows) - b)
            for a, b in itertools.pairwise(cuts)]


# ---------------------------------------------------------------- keeping lines together

MIN_LINES = 2  # lines of a paragraph or list that stay together at a frame break


def _lines(f: Flowable) -> int | None:
    """Lines of a wrapped Paragraph (None for anything else)."""
    para = getattr(f, "blPara", None)
    lines = getattr(para, "lines", None)
    return len(lines) if lines is not None else None


def least_height(f: Flowable, width: float) -> float:
    """The least of ``f`` that may open or close a frame without breaking a rule:
    two lines of a paragraph (all of one of up to three lines), the header and
    two body rows of a table, the first item of a list; anything else whole."""
    if isinstance(f, DDIndenter):  # a list item (LIIndenter) or its further blocks
        return least_height(f._flowable, width - f._leftIndent - f._rightIndent)
    if isinstance(f, KeepHead):
        return sum(h.wrapOn(None, width, 1e6)[1] for h in f.heads) + least_height(f.body, width)
    if isinstance(f, ListFlowable):
        content = f._content
        return least_height(content[0], width - f._leftIndent) if content else 0.0
    if isinstance(f, TablePiece):
        if f.before + len(f.rows) + f.after <= TABLE_MOVES_WHOLE:
            return f.wrap(width, 1e6)[1]
        t = f._layout(width, 1e6)
        return sum(t._rowHeights[:TABLE_MIN_SIDE + (1 if f._with_head else 0)])
    if isinstance(f, KeepTogether):  # whose wrap reports an "infinite" height
        return _listWrapOn(f._content, width, None)[1]
    if isinstance(f, Table):
        f.wrap(width, 1e6)
        return sum(f._rowHeights[:MIN_LINES + f.repeatRows])
    _, h = f.wrapOn(None, width, 1e6)
    if isinstance(f, Paragraph):
        n = _lines(f)
        if n is not None and n > 2 * MIN_LINES - 1:
            return min(h, MIN_LINES * f.style.leading)
    return h


class KeepHead(Flowable):
    """Heads (a headline, a heading, a label) kept with the start of what follows.

    reportlab's keepWithNext keeps a heading with the *whole* next block, so
    a long paragraph after a heading pushes both to the next frame and leaves
    a hole.  Here the heads only need room for :func:`least_height` of the
    body; the body then splits like any other block.
    """

    def __init__(self, heads: list[Flowable], body: Flowable) -> None:
        super().__init__()
        for f in heads:
            # Placed one by one after a split; reportlab must not regroup them.
            f.__dict__["keepWithNext"] = 0
        self.heads = heads
        self.body = body
        self.spaceBefore = heads[0].getSpaceBefore() if heads else body.getSpaceBefore()

    def _parts(self) -> list[Flowable]:
        return [*self.heads, self.body]

    def _canv(self):
        return getattr(self, "canv", None)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._aw = availWidth
        parts = self._parts()
        sizes = [f.wrapOn(self._canv(), availWidth, availHeight) for f in parts]
        gaps = sum(max(a.getSpaceAfter(), b.getSpaceBefore()) for a, b in itertools.pairwise(parts))
        self.width = max(w for w, _ in sizes)
        self.height = sum(h for _, h in sizes) + gaps
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        need = 0.0
        for a, b in zip(self.heads, [*self.heads[1:], self.body], strict=True):
            need += (a.wrapOn(self._canv(), availWidth, 1e6)[1]
                     + max(a.getSpaceAfter(), b.getSpaceBefore()))
        need += least_height(self.body, availWidth)
        if need <= availHeight:
            return self._parts()
        if _at_frame_top(self):
            # Too tall for any frame: the parts go one by one.  reportlab places
            # the first part of a split at once and fails if it does not fit;
            # an action in front lets a head taller than the frame split itself.
            return [NullActionFlowable(), *self._parts()]
        return []

    def draw(self) -> None:  # never drawn whole: a frame that fits it places its parts
        y = self.height
        parts = self._parts()
        for f, nxt in zip(parts, [*parts[1:], None], strict=True):
            _, h = f.wrapOn(self.canv, self._aw, 1e6)
            y -= h
            f.drawOn(self.canv, 0, y)
            if nxt is not None:
                y -= max(f.getSpaceAfter(), nxt.getSpaceBefore())


def keep_heads(flows: list[Flowable]) -> list[Flowable]:
    """Every run of keep-with-next flowables joined to the block after it (:class:`KeepHead`)."""
    out: list[Flowable] = []
    heads: list[Flowable] = []
    for f in flows:
        # A zero-size mark after a heading (a footnote back-link) is not what it introduces.
        if f.getKeepWithNext() or (heads and getattr(f, "_ZEROSIZE", False)):
            heads.append(f)
            continue
        if heads:
            out.append(KeepHead(heads, f))
            heads = []
        else:
            out.append(f)
    out.extend(heads)
    return out


class KeepTail(Flowable):
    """A block and a one-line block after it (a list's last item) that must not
    open a frame alone: at a break, the end of ``prev`` goes along with it."""

    def __init__(self, prev: Flowable, last: Flowable) -> None:
        super().__init__()
        self.prev = prev
        self.last = last
        self.spaceBefore = prev.getSpaceBefore()
        self.spaceAfter = last.getSpaceAfter()

    def _canv(self):
        return getattr(self, "canv", None)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        _, h1 = self.prev.wrapOn(self._canv(), availWidth, availHeight)
        _, h2 = self.last.wrapOn(self._canv(), availWidth, availHeight)
        self.width = availWidth
        self.height = h1 + max(self.prev.getSpaceAfter(), self.last.getSpaceBefore()) + h2
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        _, h1 = self.prev.wrapOn(self._canv(), availWidth, availHeight)
        # Leave at least the end of prev for the next frame, so last has company.
        parts = self.prev.split(availWidth, min(availHeight, h1 - 1))
        if len(parts) == 2:
            return [parts[0], Together([parts[1], self.last])]
        if _at_frame_top(self):
            return [NullActionFlowable(), self.prev, self.last]
        return []

    def draw(self) -> None:
        _, h1 = self.prev.wrapOn(self.canv, self.width, 1e6)
        self.last.wrapOn(self.canv, self.width, 1e6)
        self.prev.drawOn(self.canv, 0, self.height - h1)
        self.last.drawOn(self.canv, 0, 0)


class GuardedList(ListFlowable):
    """A list that never leaves a one-line item alone at a frame break: a
    one-line first item keeps the start of the second (:class:`KeepHead`), a
    one-line last item takes the end of the one before (:class:`KeepTail`)."""

    def _getContent(self) -> list[Flowable]:
        content = list(super()._getContent())
        # Each item's bullet is its Lbl element (Bulletin.listing makes them, in order).
        labels = iter(getattr(self, "_labels", ()))
        for f in content:
            if isinstance(f, LIIndenter) and f._bullet:
                f._bullet = TaggedBullet(f._bullet, next(labels, None))
        width = getattr(self, "_guard_width", None)
        if width is None or len(content) < 2:
            return content

        def one_line(f: Flowable) -> bool:
            if not isinstance(f, DDIndenter) or not isinstance(f._flowable, Paragraph):
                return False
            f._flowable.wrap(width - f._leftIndent - f._rightIndent, 1e6)
            return _lines(f._flowable) == 1

        if len(content) >= 3 and one_line(content[-1]):
            content[-2:] = [KeepTail(content[-2], content[-1])]
        if one_line(content[0]) and len(content) >= 2:
            content[:2] = [KeepHead([content[0]], content[1])]
        return content

    def split(self, aW: float, aH: float) -> list[Flowable]:
        # reportlab places the first part of a split at once and fails if it
        # does not fit, so a kept first item is split (or refused) here.
        content = list(self._content)
        if content and isinstance(content[0], KeepHead):
            content[0].canv = getattr(self, "canv", None)
            content[0]._frame = getattr(self, "_frame", None)
            first = content[0].split(aW, aH)
            if not first:
                return []
            content[:1] = first
        return content


class FloatingFigure(KeepTogether):
    """A photo with its caption: kept together, and allowed to float.

    When it does not fit the rest of a frame, the document template lets the
    body text after it go first (see ``_Doc.handle_flowable`` in bulletin.py),
    so text fills the gap and the photo opens the next frame.
    """

    TEXT_STYLES = ("body", "list")  # what may move ahead of a photo (not headings, bylines)
    text_after = 0.0  # room the text after it needs below it in the same frame (a lead photo)

    def fills_later(self, nxt: Flowable) -> bool:
        """Whether ``nxt`` is body text that may be set before this photo."""
        if isinstance(nxt, (GuardedList, Anchor)):
            return True
        return isinstance(nxt, Paragraph) and nxt.style.name.split("-")[0] in self.TEXT_STYLES \
            and not nxt.getKeepWithNext()

    def height_in(self, frame: Any) -> float:
        """Height of the photo and caption (and the space before it) in ``frame``,
        with the room the text after it must find there."""
        return _listWrapOn(self._content, frame._aW, None)[1] + self.getSpaceBefore() \
            + self.text_after


class HeadOverPhoto(KeepHead):
    """An article's headline block, its lead photo and the text that follows.

    The heads only need room for the first lines of the text: when the photo
    does not fit under them as well, the text comes first and the photo floats
    to the next frame (:class:`FloatingFigure`), instead of the headline
    travelling with its photo and leaving a hole.  ``between`` are zero-size
    marks between photo and text.
    """

    def __init__(self, heads: list[Flowable], photo: FloatingFigure,
                 between: list[Flowable], body: Flowable) -> None:
        super().__init__(heads, body)
        self.photo = photo
        self.between = between

    def _parts(self) -> list[Flowable]:
        return [*self.heads, self.photo, *self.between, self.body]

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        need = 0.0
        for a, b in zip(self.heads, [*self.heads[1:], self.body], strict=True):
            need += (a.wrapOn(self._canv(), availWidth, 1e6)[1]
                     + max(a.getSpaceAfter(), b.getSpaceBefore()))
        least = least_height(self.body, availWidth)
        if need + least <= availHeight:
            # Under its headline the photo wants the text's first lines after it
            # too, or it floats on and lets the text follow the headline.
            self.photo.text_after = least
            return self._parts()
        if _at_frame_top(self):
            return [NullActionFlowable(), *self._parts()]
        return []
