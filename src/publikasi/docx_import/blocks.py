"""Walked paragraphs and tables -> model blocks, by the style mapping.

The mapping is the inverse of :mod:`publikasi.exporters.docx.render`:

==========================  ==============================================
Word                        model
==========================  ==============================================
Heading n                   ``Heading(n)``
Normal (and any other)      ``Paragraph``
Quote (consecutive)         ``Quote``; a following "Quote Attribution"
                            paragraph (``— name``) is its ``attribution``
picture (+ Caption)         ``Figure(src, alt=descr, caption, credit)``;
                            the caption's "Caption Credit" run is the
                            credit, its ``Gambar <SEQ>:`` prefix is dropped
Photo Placeholder           ``Figure(src=None, caption, credit)``
Caption without picture     ``Figure(src=None, ...)``; before a table: the
                            table's caption
List Bullet/Number n,       ``ListBlock`` (levels from the style number or
numbered paragraphs         ``w:ilvl``; a new ``numId`` starts a new
                            ordered list; start from ``startOverride``)
List Continue n             a further block of the open item at depth n
table                       ``Table`` (header row: ``tblHeader``; column
                            alignment from the first row's ``w:jc``)
==========================  ==============================================

A picture's file is decided by :class:`~publikasi.docx_import.pictures.PictureResolver`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import (
    Block,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    Text,
    tidy_inlines,
)
from ..readers import plaintext_parts as parts
from ..readers.common import split_credit
from ..text import CREDIT_SEPARATOR, clean_line
from .package import DocxPackage, w, wval
from .walk import Para, Picture, Piece, TableItem, build_inlines

_LABEL_WORDS = ["Gambar", "Figure", "Fig.", "Foto", "Photo", "Tabel", "Table", "Grafik", "Chart"]


@dataclass
class Labels:
    """Localised words the exporter put around content, per the theme (all languages)."""

    figure: set[str] = field(default_factory=set)
    table: set[str] = field(default_factory=set)
    photo: set[str] = field(default_factory=set)
    placeholder: set[str] = field(default_factory=set)
    meta: dict[str, set[str]] = field(default_factory=dict)  # byline/section/tags/source

    def caption_prefix(self) -> re.Pattern[str]:
        words = sorted(self.figure | self.table | set(_LABEL_WORDS), key=len, reverse=True)
        alt = "|".join(re.escape(x) for x in words)
        return re.compile(rf"^\s*(?:{alt})\s*\d+\s*[:.\-–—]\s*", re.IGNORECASE)

    def credit_prefix(self) -> re.Pattern[str]:
        words = sorted(self.photo | {"Foto", "Photo", "Kredit", "Credit"}, key=len, reverse=True)
        alt = "|".join(re.escape(x) for x in words)
        return re.compile(rf"^\s*(?:{alt})\s*:\s*", re.IGNORECASE)


@dataclass
class Numbering:
    """numbering.xml: the format and start of each list level."""

    pkg: DocxPackage

    def _levels(self, num_id: str, ilvl: int):
        root = self.pkg.numbering
        if root is None:
            return None, None
        num = next((n for n in root.findall(w("num")) if n.get(w("numId")) == num_id), None)
        if num is None:
            return None, None
        override = None
        for ov in num.findall(w("lvlOverride")):
            if ov.get(w("ilvl")) == str(ilvl):
                override = ov
        abstract_id = wval(num.find(w("abstractNumId")))
        abstract = next((a for a in root.findall(w("abstractNum"))
                         if a.get(w("abstractNumId")) == abstract_id), None)
        lvl = None
        if abstract is not None:
            lvl = next((x for x in abstract.findall(w("lvl")) if x.get(w("ilvl")) == str(ilvl)),
                       None)
        return override, lvl

    def ordered(self, num_id: str, ilvl: int) -> bool | None:
        """True for numbers/letters, False for bullets, None when the level is unnumbered."""
        override, lvl = self._levels(num_id, ilvl)
        for source in (override.find(w("lvl")) if override is not None else None, lvl):
            if source is not None:
                fmt = wval(source.find(w("numFmt")))
                if fmt:
                    if fmt == "none":
                        return None
                    return fmt != "bullet"
        return None

    def continues(self, old_id: str, new_id: str, ilvl: int) -> bool:
        """Whether a paragraph numbered ``new_id`` goes on counting the list of ``old_id``.

        Word counts on across list instances of the same abstract list unless
        the new instance restarts the level (LibreOffice writes a list's first
        item that way).
        """
        if old_id == new_id:
            return True
        root = self.pkg.numbering
        if root is None:
            return False
        nums = {n.get(w("numId")): n for n in root.findall(w("num"))}
        old, new = nums.get(old_id), nums.get(new_id)
        if old is None or new is None:
            return False
        if wval(old.find(w("abstractNumId"))) != wval(new.find(w("abstractNumId"))):
            return False
        override, _ = self._levels(new_id, ilvl)
        return override is None or override.find(w("startOverride")) is None

    def start(self, num_id: str, ilvl: int) -> int:
        override, lvl = self._levels(num_id, ilvl)
        for value in (wval(override.find(w("startOverride"))) if override is not None else None,
                      wval(lvl.find(w("start"))) if lvl is not None else None):
            if value and value.lstrip("-").isdigit():
                return max(int(value), 0)
        return 1


@dataclass
class _Frame:
    level: int
    ordered: bool
    key: str | None
    start: int
    items: list[list[Block]] = field(default_factory=lambda: [[]])


@dataclass
class BlockBuilder:
    """Builds blocks from walked items; one instance per story (body or one note)."""

    labels: Labels
    numbering: Numbering
    resolve_picture: Callable[[Picture, str, str], Figure]  # (picture, caption, credit)
    footnote_label: Callable[[tuple[str, str]], str | None]
    link_url: Callable[[str], str] = lambda url: url
    notes: list[str] = field(default_factory=list)
    out: list[Block] = field(default_factory=list)
    _stack: list[_Frame] = field(default_factory=list)
    _quote: list[Block] = field(default_factory=list)
    _in_quote: bool = False

    # ------------------------------------------------------------ inlines

    def inlines(self, pieces: list[Piece]) -> tuple[Inline, ...]:
        fixed = []
        for p in pieces:
            # A footnote reference without a note is written as "[n]" text in the
            # footnote-reference style: it becomes a reference again.
            if p.kind == "text" and p.fmt.cstyle == "fnref":
                m = re.fullmatch(r"\s*\[([^\[\]\s]{1,20})\]\s*", str(p.value))
                if m:
                    fixed.append(Piece("fn", ("label", m.group(1)), p.fmt))
                    continue
            if p.fmt.link and p.fmt.link[0] != self.link_url(p.fmt.link[0]):
                from dataclasses import replace
                p = Piece(p.kind, p.value, replace(p.fmt, link=(self.link_url(p.fmt.link[0]),
                                                                p.fmt.link[1])))
            fixed.append(p)
        return tidy_inlines(build_inlines(fixed, self.footnote_label))

    # ------------------------------------------------------------ structure

    def emit(self, block: Block) -> None:
        self._close_quote()
        self._close_lists()
        self.out.append(block)

    def _close_quote(self, attribution: str | None = None) -> None:
        """End the open quote; an attribution paragraph ends it (or stands alone)."""
        if self._in_quote or attribution is not None:
            block = Quote(tuple(self._quote), attribution or "")
            self._quote = []
            self._in_quote = False
            self._close_lists()
            self.out.append(block)

    def _close_top(self) -> None:
        frame = self._stack.pop()
        block = ListBlock(tuple(tuple(item) for item in frame.items), ordered=frame.ordered,
                          start=frame.start if frame.ordered else 1)
        if self._stack:
            self._stack[-1].items[-1].append(block)
        else:
            self.out.append(block)

    def _close_lists(self, deeper_than: int = 0) -> None:
        while self._stack and self._stack[-1].level > deeper_than:
            self._close_top()

    def list_item(self, level: int, ordered: bool, key: str | None, start: int,
                  first: Block | None) -> None:
        self._close_quote()
        self._close_lists(level)
        top = self._stack[-1] if self._stack else None
        if top is not None and top.level == level:
            if top.ordered != ordered or (ordered and not self._same_list(top.key, key, level)):
                self._close_top()
                self._stack.append(_Frame(level, ordered, key, start))
            else:
                top.items.append([])
                top.key = key or top.key
        else:
            self._stack.append(_Frame(level, ordered, key, start))
        if first is not None:
            self._stack[-1].items[-1].append(first)

    def _same_list(self, old: str | None, new: str | None, level: int) -> bool:
        if old is None or new is None:
            return old == new
        return self.numbering.continues(old, new, level - 1)

    def in_list(self, block: Block, depth: int) -> bool:
        """Add ``block`` to the open item at ``depth``; False when no list is open."""
        if not self._stack:
            return False
        if depth < 3 and self._stack[0].level <= depth:
            self._close_lists(depth)
        self._stack[-1].items[-1].append(block)
        return True

    def finish(self) -> list[Block]:
        self._close_quote()
        self._close_lists()
        return self.out

    # ------------------------------------------------------------ items

    def build(self, items: list) -> list[Block]:
        i = 0
        used_caption: set[int] = set()
        while i < len(items):
            item = items[i]
            if isinstance(item, TableItem):
                caption = ""
                prev = items[i - 1] if i else None
                if (isinstance(prev, Para) and prev.role == "caption" and (i - 1) in used_caption):
                    caption = self._table_caption
                block = self.table(item, caption)
                nxt = items[i + 1] if i + 1 < len(items) else None
                if (isinstance(nxt, Para) and nxt.role == "continue" and not nxt.has_content()
                        and self._stack):
                    self.in_list(block, nxt.level)
                    i += 2
                    continue
                self.emit(block)
                i += 1
                continue
            para: Para = item
            role = para.role
            nxt = items[i + 1] if i + 1 < len(items) else None
            if para.pictures:
                caption_para = None
                if isinstance(nxt, Para) and nxt.role == "caption" and not nxt.pictures:
                    caption_para = nxt
                self.picture_paragraph(para, caption_para)
                i += 2 if caption_para is not None else 1
                continue
            if role == "caption":
                caption, credit, is_table = self.parse_caption(para)
                if isinstance(nxt, TableItem) and (is_table or not credit):
                    self._table_caption = caption
                    used_caption.add(i)
                    i += 1
                    continue
                if isinstance(nxt, Para) and nxt.pictures and not _caption_follows(items, i + 1):
                    # Word's "Insert Caption" can put the caption above the picture.
                    self.picture_paragraph(nxt, para)
                    i += 2
                    continue
                if caption or credit:
                    self.emit(Figure(None, caption=caption, credit=credit))
                i += 1
                continue
            self.paragraph(para)
            i += 1
        return self.finish()

    _table_caption: str = ""

    def paragraph(self, para: Para) -> None:
        role = para.role
        if role == "toc":
            return
        if role == "placeholder":
            caption, credit = self.parse_placeholder(para)
            if caption or credit:
                self.emit(Figure(None, caption=caption, credit=credit))
            return
        if role == "attribution":
            text = clean_line(para.text)
            self._close_quote(re.sub(r"^[—–-]\s*", "", text))
            return
        inlines = self.inlines(para.pieces)
        list_info = self.list_info(para)
        if list_info is not None:
            level, ordered, key, start = list_info
            self.list_item(level, ordered, key, start,
                           Paragraph(inlines) if _has_text(inlines) else None)
            return
        if not _has_text(inlines):
            return  # empty paragraphs only make space
        if role == "heading" or role == "title":
            self.emit(Heading(max(para.level, 1), _single_line(inlines)))
            return
        if role == "quote":
            self._close_lists()
            self._in_quote = True
            self._quote.append(Paragraph(inlines))
            return
        if role == "continue" and self.in_list(Paragraph(inlines), para.level):
            return
        self.emit(Paragraph(inlines))

    def list_info(self, para: Para) -> tuple[int, bool, str | None, int] | None:
        role = para.role
        if role not in ("bullet", "number", "listpara", "normal"):
            return None
        if para.num is None:
            if role in ("bullet", "number"):
                return para.level or 1, role == "number", None, 1
            return None
        num_id, ilvl = para.num
        ordered = self.numbering.ordered(num_id, ilvl)
        if role in ("bullet", "number"):
            ordered = role == "number"
        elif ordered is None:
            return None
        level = ilvl + 1 if (para.num_direct or role not in ("bullet", "number")) \
            else (para.level or ilvl + 1)
        start = self.numbering.start(num_id, ilvl) if ordered else 1
        return level, bool(ordered), num_id if ordered else None, start

    # ------------------------------------------------------------ figures

    def picture_paragraph(self, para: Para, caption_para: Para | None) -> None:
        caption = credit = ""
        if caption_para is not None:
            caption, credit, _ = self.parse_caption(caption_para)
        segment: list[Piece] = []
        pictures = para.pictures
        for piece in para.pieces:
            if piece.kind != "pic":
                segment.append(piece)
                continue
            inl = self.inlines(segment)
            if _has_text(inl):
                self.emit(Paragraph(inl))
            segment = []
            last = piece.value is pictures[-1]
            fig = self.resolve_picture(piece.value, caption if last else "",
                                       credit if last else "")
            self.emit(fig)
        inl = self.inlines(segment)
        if _has_text(inl):
            self.emit(Paragraph(inl))

    def parse_caption(self, para: Para) -> tuple[str, str, bool]:
        """(caption, credit, is a table caption) of a Caption paragraph."""
        seq_instr = ""
        after_seq = False
        seen_seq = any(p.kind == "mark" and p.value[0] == "seq_start" for p in para.pieces)
        body: list[str] = []
        credit: list[str] = []
        prefix: list[str] = []
        for p in para.pieces:
            if p.kind == "mark":
                kind, instr = p.value
                if kind == "seq_start":
                    seq_instr = instr
                elif kind == "seq_end":
                    after_seq = True
                continue
            if p.kind != "text":
                continue
            if seen_seq and not after_seq:
                prefix.append(str(p.value))
            elif p.fmt.cstyle == "credit":
                credit.append(str(p.value))
            else:
                body.append(str(p.value))
        text = "".join(body)
        if seen_seq:
            text = re.sub(r"^\s*[:.\-–—]\s*", "", text)
        else:
            text = self.labels.caption_prefix().sub("", text, count=1)
        is_table = bool(re.search(r"\b(table|tabel)\b", seq_instr, re.IGNORECASE)) or any(
            re.match(rf"^\s*{re.escape(t)}\b", "".join(prefix) or "".join(body), re.IGNORECASE)
            for t in self.labels.table | {"Tabel", "Table"})
        credit_text = clean_line("".join(credit))
        credit_text = self.labels.credit_prefix().sub("", credit_text, count=1)
        caption = clean_line(text)
        if credit_text:
            # The separator publikasi writes before the credit run.
            caption = caption.removesuffix(CREDIT_SEPARATOR.strip()).rstrip()
        if not credit_text and caption:
            caption, credit_text = _split_credit(caption)
        return caption, credit_text, is_table

    def parse_placeholder(self, para: Para) -> tuple[str, str]:
        text = clean_line(para.text)
        text = re.sub(r"^\[[^\]]{1,40}\]\s*", "", text)
        if " \u2014 " in text:
            caption, credit = text.rsplit(" \u2014 ", 1)
            return caption.strip(), credit.strip()
        return _split_credit(text)

    # ------------------------------------------------------------ tables

    def table(self, item: TableItem, caption: str) -> Table:
        cols = max((sum(c.span for c in row) for row in item.rows), default=0)
        grid: list[tuple[tuple[Inline, ...], ...]] = []
        aligns: list[str | None] = [None] * cols
        for r, row in enumerate(item.rows):
            cells: list[tuple[Inline, ...]] = []
            for cell in row:
                content: list[Inline] = []
                if not cell.merged:
                    for para in cell.paras:
                        inl = self.inlines(para.pieces)
                        if not inl:
                            continue
                        if content:
                            content.append(LineBreak())
                        content.extend(inl)
                        if para.pictures:
                            self.notes.append("a picture inside a table cell was left out "
                                              "(tables hold text only)")
                if r == 0:
                    jc = next((p.jc for p in cell.paras if p.jc), None)
                    col = len(cells)
                    if col < cols:
                        aligns[col] = {"center": "center", "right": "right", "end": "right",
                                       "left": "left", "start": "left"}.get(jc or "")
                cells.append(tuple(content))
                cells.extend(() for _ in range(cell.span - 1))
            cells.extend(() for _ in range(cols - len(cells)))
            grid.append(tuple(cells))
        header = grid[0] if item.header_rows and grid else ()
        rows = grid[1:] if header else grid
        return Table(header=header, rows=tuple(rows), align=tuple(aligns), caption=caption)


def _caption_follows(items: list, index: int) -> bool:
    nxt = items[index + 1] if index + 1 < len(items) else None
    return isinstance(nxt, Para) and nxt.role == "caption"


def _has_text(inlines: tuple[Inline, ...]) -> bool:
    return any(not isinstance(x, LineBreak) for x in inlines)


def _single_line(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Headings hold one line: a manual line break becomes a space."""
    out: list[Inline] = [Text(" ") if isinstance(x, LineBreak) else x for x in inlines]
    return tidy_inlines(tuple(out))


def _split_credit(caption: str) -> tuple[str, str]:
    """A caption whose credit lost its character style: "(Foto: X)" or "Foto: X" at the end."""
    text, credit = split_credit(caption)
    if credit:
        return text, credit
    found = parts.split_photo_credit(caption)
    if found is not None and found[0]:
        return found
    return caption, ""


def plain(inlines: tuple[Inline, ...]) -> str:
    from ..model import plain_text

    return clean_line(plain_text(inlines))


__all__ = ["BlockBuilder", "Labels", "Link", "Numbering"]
