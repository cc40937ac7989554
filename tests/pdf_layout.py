"""Reading a bulletin's layout back from the PDF: text frames, lines, fill.

Only poppler (``pdftotext -bbox``: every word with its box) and pypdf (the
outline, for where articles start) are read; nothing comes from publikasi's
layout code.  The words of each page are grouped into frames (the text
columns, or one full-width frame), each frame into lines top to bottom, and
every line is squashed (whitespace removed) so line breaks never matter.

:func:`problems` then applies the print editor's rules:

- no table split leaving fewer than 2 body rows on one side,
- no page but an article's last (or the cover's) that is less than half full,
- no paragraph or list split leaving a single line on one side,
- (columns) the last page's columns end at about the same height,
- (columns) no column ends early while the next one opens with an article
  headline that, with two lines of its text, would have filled the gap.

Paragraphs, list items and table rows are found by their text from the
model, searched in reading order from the page where their article starts
(the cover repeats the first paragraphs as lead stories).
"""

from __future__ import annotations

import html
import itertools
import statistics
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from publikasi.model import (
    Article,
    Figure,
    FootnoteRef,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    plain_text,
    walk_blocks,
)

MM = 72 / 25.4
WORD_RE = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                     r"(.*?)</word>")
PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.DOTALL)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class Line:
    text: str  # squashed
    top: float  # distance from the page top, points
    bottom: float


@dataclass
class Frame:
    page: int  # 0-based
    column: int
    lines: list[Line] = field(default_factory=list)


@dataclass
class Geometry:
    """Where the body text may go (points): the theme's margins and columns."""

    margin_top: float
    margin_bottom: float
    margin_left: float
    margin_right: float
    columns: int


@dataclass
class Layout:
    path: Path
    frames: list[Frame]
    pages: int
    page_height: float
    starts: list[int]  # 0-based page where each article starts, in order
    text: str = ""  # every frame's lines joined, squashed
    owner: list[tuple[int, int]] = field(default_factory=list)  # char -> (frame, line)
    frame_offset: list[int] = field(default_factory=list)  # frame -> first char

    def index(self) -> None:
        parts = []
        pos = 0
        for fi, frame in enumerate(self.frames):
            self.frame_offset.append(pos)
            for li, line in enumerate(frame.lines):
                parts.append(line.text)
                self.owner.extend([(fi, li)] * len(line.text))
                pos += len(line.text)
        self.text = "".join(parts)

    def page_offset(self, page: int) -> int:
        for fi, frame in enumerate(self.frames):
            if frame.page >= page:
                return self.frame_offset[fi]
        return len(self.text)


def read_layout(path: Path, geometry: Geometry) -> Layout:
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    frames: list[Frame] = []
    height = 0.0
    pages = PAGE_RE.findall(out)
    for pno, (w, h, body) in enumerate(pages):
        width, height = float(w), float(h)
        top, bottom = geometry.margin_top, height - geometry.margin_bottom
        words = [(float(a), float(b), float(c), float(d), html.unescape(t))
                 for a, b, c, d, t in WORD_RE.findall(body)]
        words = [wd for wd in words if wd[1] >= top - 2 and wd[3] <= bottom + 2]
        inner = width - geometry.margin_left - geometry.margin_right
        mid = [geometry.margin_left + inner * i / geometry.columns
               for i in range(1, geometry.columns)]
        # A word across a column boundary: a full-width page (cover, contents).
        full = any(x0 < m - 1 and x1 > m + 1 for x0, _, x1, _, _ in words for m in mid)
        columns = 1 if full else geometry.columns
        page_frames = [Frame(pno, c) for c in range(columns)]
        buckets: list[list[tuple]] = [[] for _ in range(columns)]
        for wd in words:
            col = 0 if full else sum(1 for m in mid if (wd[0] + wd[2]) / 2 > m)
            buckets[col].append(wd)
        for frame, ws in zip(page_frames, buckets, strict=False):
            ws.sort(key=lambda wd: (wd[3], wd[0]))
            for wd in ws:
                last = frame.lines[-1] if frame.lines else None
                if last is not None and abs(wd[3] - last.bottom) <= 2.5:
                    last.text += squash(wd[4])
                    last.top = min(last.top, wd[1])
                else:
                    frame.lines.append(Line(squash(wd[4]), wd[1], wd[3]))
        # Words of a line are appended by baseline then x; re-order each line by x.
        for frame, ws in zip(page_frames, buckets, strict=False):
            for line in frame.lines:
                on_line = sorted((wd for wd in ws if abs(wd[3] - line.bottom) <= 2.5
                                  or line.top <= (wd[1] + wd[3]) / 2 <= line.bottom),
                                 key=lambda wd: wd[0])
                line.text = "".join(squash(wd[4]) for wd in on_line)
        frames.extend(f for f in page_frames)
    layout = Layout(path, frames, len(pages), height, _article_starts(path))
    layout.index()
    return layout


def _article_starts(path: Path) -> list[int]:
    """Pages of the outline entries that are articles (the leaves), in order."""
    reader = PdfReader(path)
    starts: list[int] = []

    def walk(items: list, parent_is_section: bool) -> None:
        for i, item in enumerate(items):
            if isinstance(item, list):
                walk(item, True)
                continue
            has_kids = i + 1 < len(items) and isinstance(items[i + 1], list)
            if not has_kids:
                starts.append(reader.get_destination_page_number(item))

    walk(reader.outline, False)
    return starts


# ---------------------------------------------------------------- what to look for


def segments(inlines) -> list[str]:
    """Plain text of inlines, cut where a footnote number is printed."""
    out, cur = [], []
    for node in inlines:
        if isinstance(node, FootnoteRef):
            out.append("".join(cur))
            cur = []
        else:
            cur.append(plain_text(node))
    out.append("".join(cur))
    return [s for s in out if s.strip()]


def expected_texts(article: Article) -> list[str]:
    """Every piece of text of an article that the PDF must carry, in reading order."""
    found = [article.title]
    for block in walk_blocks(article.blocks):
        if isinstance(block, (Paragraph, Heading)):
            found.extend(segments(block.inlines))
        elif isinstance(block, Table):
            for row in ([block.header] if block.header else []) + list(block.rows):
                found.extend(plain_text(c) for c in row if plain_text(c).strip())
        elif isinstance(block, Figure) and block.src is not None and block.caption:
            found.append(block.caption)
    return found


def _segments(inlines) -> list[str]:
    """The segments, squashed."""
    return [squash(s) for s in segments(inlines)]


@dataclass
class Unit:
    """A block whose printed lines must not be split 1 + n or n + 1."""

    kind: str  # "paragraph", "list" or "table"
    pieces: list[str]  # squashed texts found one after the other
    rows: bool = False  # table: each piece is a body row (its first cell's first word)


def units(article: Article) -> list[Unit]:
    out: list[Unit] = []

    def visit(blocks, quoted: bool = False) -> None:
        for block in blocks:
            if isinstance(block, Paragraph) and block.inlines:
                pieces = _segments(block.inlines)
                if pieces:
                    out.append(Unit("paragraph", pieces))
            elif isinstance(block, Heading):
                pieces = _segments(block.inlines)
                if pieces:
                    out.append(Unit("heading", pieces))
            elif isinstance(block, Quote):
                visit(block.blocks, True)
            elif isinstance(block, ListBlock):
                pieces = []
                for item in block.items:
                    for b in item:
                        if isinstance(b, Paragraph):
                            pieces.extend(_segments(b.inlines))
                            break
                if pieces:
                    out.append(Unit("list", pieces))
            elif isinstance(block, Table):
                firsts = [plain_text(r[0]).split() for r in block.rows if r]
                pieces = [squash(f[0]) for f in firsts if f]
                if len(pieces) == len(block.rows):
                    if block.header:
                        head = [squash(plain_text(c)) for c in block.header]
                        out.append(Unit("table-head", [h for h in head[:1] if h]))
                    out.append(Unit("table", pieces, rows=True))
            elif isinstance(block, Figure):
                continue

    visit(article.blocks)
    return out


def locate(layout: Layout, pieces: list[str], start: int) -> list[tuple[int, int]] | None:
    """(first, last) character of each piece found one after the other from
    ``start`` in the layout's text, or None if one is missing."""
    spans = []
    pos = start
    for piece in pieces:
        at = layout.text.find(piece, pos)
        if at < 0:
            return None
        spans.append((at, at + len(piece) - 1))
        pos = at + len(piece)
    return spans


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    found: int = 0
    missed: int = 0


def check(layout: Layout, articles: list[Article], geometry: Geometry,
          min_fill: float = 0.5) -> Report:
    report = Report()
    name = layout.path.name
    # -- paragraphs, lists, tables
    starts = layout.starts
    for ai, article in enumerate(articles):
        if ai >= len(starts):
            report.problems.append(f"{name}: article {article.slug} has no outline entry")
            continue
        cursor = layout.page_offset(starts[ai])
        for unit in units(article):
            spans = locate(layout, unit.pieces, cursor)
            if not spans:
                report.missed += 1
                continue
            report.found += 1
            cursor = spans[-1][1] + 1
            if unit.kind in ("heading", "table-head"):
                continue
            if unit.rows:
                frames = [layout.owner[a][0] for a, _ in spans]
                counts: dict[int, int] = {}
                for f in frames:
                    counts[f] = counts.get(f, 0) + 1
                if len(counts) > 1 and min(counts.values()) < 2:
                    where = ", ".join(f"p.{layout.frames[f].page + 1} col.{layout.frames[f].column + 1}: {n}"
                                      for f, n in counts.items())
                    report.problems.append(f"{name}: table in {article.slug} split leaving one "
                                           f"body row alone ({where})")
                continue
            first, last = layout.owner[spans[0][0]], layout.owner[spans[-1][1]]
            if first[0] == last[0]:
                continue
            # Every line from the first piece to the last counts (a list's bullets too).
            per_frame = {}
            for fi in range(first[0], last[0] + 1):
                lo = first[1] if fi == first[0] else 0
                hi = last[1] if fi == last[0] else len(layout.frames[fi].lines) - 1
                per_frame[fi] = hi - lo + 1
            if per_frame[first[0]] < 2 or per_frame[last[0]] < 2:
                head = unit.pieces[0][:30]
                report.problems.append(
                    f"{name}: {unit.kind} '{head}…' in {article.slug} split "
                    f"{' + '.join(str(n) for n in per_frame.values())} lines "
                    f"(p.{layout.frames[first[0]].page + 1} → p.{layout.frames[last[0]].page + 1})")
    # -- page fill
    exempt = {layout.pages - 1} | {s - 1 for s in starts if s > 0}
    body_h = layout.page_height - geometry.margin_top - geometry.margin_bottom
    for page in range(layout.pages):
        if page in exempt:
            continue
        frames = [f for f in layout.frames if f.page == page]
        fills = []
        for f in frames:
            low = max((ln.bottom for ln in f.lines), default=geometry.margin_top)
            fills.append((low - geometry.margin_top) / body_h)
        # Unused columns of a multi-column page count as empty.
        n = geometry.columns if len(frames) > 1 else 1
        fill = sum(fills) / n
        if fill < min_fill:
            report.problems.append(f"{name}: page {page + 1} is only {fill:.0%} full "
                                   "and does not end an article")
    if geometry.columns > 1:
        report.problems += [f"{name}: {p}" for p in unbalanced(layout, geometry)]
        report.problems += [f"{name}: {p}" for p in headline_holes(layout, articles, geometry)]
    return report


BALANCE_SLACK = 4 * 13.2  # points: four lines of text, what keeping lines together may cost


def unbalanced(layout: Layout, geometry: Geometry, page: int | None = None) -> list[str]:
    """The columns of the last page (or ``page``, 0-based) must end at about the same
    height: no column left empty (or short) beside a longer one when the text could
    be shared."""
    page = layout.pages - 1 if page is None else page
    frames = [f for f in layout.frames if f.page == page]
    if len(frames) < 2:
        return []
    heights = [max((ln.bottom for ln in f.lines), default=geometry.margin_top)
               - geometry.margin_top for f in frames]
    longest = max(range(len(frames)), key=lambda i: heights[i])
    if len(frames[longest].lines) < 2 * 2:  # fewer than two lines for each of two columns
        return []
    if heights[longest] - min(heights) <= BALANCE_SLACK:
        return []
    shown = ", ".join(f"col.{i + 1}: {h:.0f} pt" for i, h in enumerate(heights))
    return [f"p.{page + 1}: columns unbalanced where the text ends ({shown})"]


def headline_holes(layout: Layout, articles: list[Article], geometry: Geometry) -> list[str]:
    """An article whose headline opens a column must not leave, at the end of the
    column before, a gap its headline, dateline and two lines of text would fill
    (the headline went ahead with its photo instead of letting text fill the gap),
    and no headline may end a column without two lines of its text under it
    (a photo and its caption do not count)."""
    out = []
    bottom = layout.page_height - geometry.margin_bottom
    for ai, article in enumerate(articles):
        if ai >= len(layout.starts):
            continue
        title = squash(article.title)
        at = layout.text.find(title, layout.page_offset(layout.starts[ai]))
        if at < 0:
            continue
        fi, first = layout.owner[at]
        _, last = layout.owner[at + len(title) - 1]
        frame = layout.frames[fi]
        text = "".join(p for u in units(article) if u.kind in ("paragraph", "list")
                       for p in u.pieces)
        under = [ln for ln in frame.lines[last + 2:] if len(ln.text) >= 8 and ln.text in text]
        if len(under) < 2 and fi + 1 < len(layout.frames) and len(text) > 200:
            out.append(f"'{article.title[:40]}' ends p.{frame.page + 1} "
                       f"col.{frame.column + 1} with {len(under)} line(s) of its text under it")
        if ai == 0 or fi == 0 or first > 1 or last + 3 >= len(frame.lines):
            continue  # not opening a column (at most a section label above it)
        before = layout.frames[fi - 1]
        if sum(1 for f in layout.frames if f.page == before.page) < geometry.columns:
            continue  # after a full-width page (the cover): a page break, not a hole
        # Headline, the dateline under it and two lines of text, as set in this column.
        steps = [b.bottom - a.bottom for a, b in itertools.pairwise(frame.lines[last + 2:])]
        pitch = statistics.median(steps)  # the body text's line spacing (most lines)
        need = frame.lines[last + 1].bottom - geometry.margin_top + 2 * pitch
        end = max((ln.bottom for ln in before.lines), default=geometry.margin_top)
        gap = bottom - end - 2 * pitch  # the rule between articles and its space
        if gap > need:
            out.append(f"p.{before.page + 1} col.{before.column + 1} ends {gap:.0f} pt early "
                       f"while '{article.title[:40]}' (needing {need:.0f} pt for its headline "
                       f"and two lines) opens p.{frame.page + 1} col.{frame.column + 1}")
    return out
