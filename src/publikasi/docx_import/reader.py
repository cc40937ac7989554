"""One Word file -> one :class:`~publikasi.model.Article` (plus what the report must say).

Two kinds of files come back from editors:

* **files publikasi exported** carry ``publikasi.*`` custom properties.  The
  article is rebuilt by the style mapping of :mod:`.blocks`; its metadata
  comes from the properties, except where the editor changed the visible
  metadata block under the headline: a line that no longer reads as the
  properties would print it is parsed, and *the visible text wins* (an
  edited dateline, date, byline, section, tags or source).  A deleted line
  empties its fields (the date, which an article needs, is then kept).
  The "Standfirst" paragraph is the explicit summary.
* **other Word files** (a release typed in Word) are read with the same
  style mapping for structure (headings, lists, tables, pictures, quotes,
  footnotes, bold/italic/links), while their plain paragraphs go through the
  plain-text reader (:func:`publikasi.readers.plaintext.read_plaintext`) for
  the title, dateline, date, photo captions, byline and credit lines.  A
  "Title" paragraph, or a first line in bold, is the headline.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, fail
from ..i18n import article_date
from ..links import LinkIndex
from ..model import (
    Article,
    Block,
    Code,
    Emph,
    Figure,
    Footnote,
    Heading,
    Inline,
    Link,
    ListBlock,
    Paragraph,
    Strong,
    Text,
    plain_text,
    tidy_inlines,
)
from ..readers.common import ReadContext
from ..text import clean_line, slugify
from ..themes import Theme, load_theme
from .blocks import BlockBuilder, Labels, Numbering
from .canonical import Adopter, Canon
from .package import (
    Change,
    Comment,
    DocxPackage,
    accept_changes,
    json_list,
    open_package,
    tracked_changes,
    w,
)
from .pictures import PictureResolver, Resolved, source_name
from .walk import Para, Piece, TableItem, Walker

PROPERTIES_VERSION = "1"
META_KEYS = ("byline", "section", "tags", "source")


@dataclass
class Setting:
    """Where the article belongs: what the reader needs beyond the file itself."""

    base: Path  # folder picture names are relative to, and where new pictures go
    ctx: ReadContext  # time zone, language, release date, strictness, problems
    base_url: str = ""
    theme: Theme | None = None
    original: Article | None = None  # the source article, to resolve what Word cannot say
    accept_changes: bool = False
    links: LinkIndex | None = None  # the publication's articles, for links between them


@dataclass
class Imported:
    """The article read from a Word file and everything the report should mention."""

    article: Article
    props: dict[str, str]
    from_publikasi: bool
    pictures: dict[Path, Resolved] = field(default_factory=dict)  # figure src -> picture
    notes: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    accepted: list[Change] = field(default_factory=list)


def read_docx(path: Path, setting: Setting) -> Imported:
    """Read ``path``; InputError (nothing written) for an unusable file or unresolved changes."""
    pkg = open_package(path)
    try:
        return _read(path, pkg, setting)
    finally:
        pkg.close()


def _read(path: Path, pkg: DocxPackage, setting: Setting) -> Imported:
    changes = tracked_changes(pkg)
    if changes and not setting.accept_changes:
        problems = [Problem(str(path), f"tracked change by {c.author}: {c.what}")
                    for c in changes]
        problems.append(Problem(str(path), f"{len(changes)} tracked change(s) not resolved: "
                                "accept or reject them in Word (Review > Accept/Reject), or "
                                "import with --accept-changes to accept them all"))
        raise InputError(problems)
    if changes:
        accept_changes(pkg)
    kind = pkg.custom.get("publikasi.kind", "")
    if kind == "edition":
        raise fail(path, "is the edition's Word file (every article in one document); "
                   "editors' corrections come back through the per-article files in docx/")
    theme = setting.theme or _theme_of(pkg)
    walker = Walker(pkg, pkg.rels)
    body = pkg.document.find(w("body"))
    if body is None:
        raise fail(path, "word/document.xml has no body (damaged .docx?)")
    items = walker.items(body)
    state = _State(path, pkg, setting, theme, walker)
    state.resolver.prime([pic for item in items for pic in _pictures(item)])
    if kind == "article":
        if pkg.custom.get("publikasi.version", PROPERTIES_VERSION) != PROPERTIES_VERSION:
            state.notes.append("written by another publikasi version "
                               f"(properties v{pkg.custom.get('publikasi.version')}); "
                               "read as version 1")
        article = state.publikasi_article(items)
    else:
        article = state.foreign_article(items)
    state.report_dropped()
    return Imported(article=article, props=dict(pkg.custom), from_publikasi=kind == "article",
                    pictures=state.pictures, notes=state.notes, comments=pkg.comments,
                    accepted=changes)


def _pictures(item) -> list:
    if isinstance(item, Para):
        return item.pictures
    return [pic for row in item.rows for cell in row for p in cell.paras for pic in p.pictures]


def _theme_of(pkg: DocxPackage) -> Theme:
    """The theme named in app.xml (``publikasi-<theme>``), else the default theme."""
    name = pkg.template[len("publikasi-"):] if pkg.template.startswith("publikasi-") else ""
    if name and re.fullmatch(r"[A-Za-z0-9_-]+", name):
        try:
            return load_theme(name)
        except InputError:
            pass
    return load_theme("default")


def _labels(theme: Theme) -> Labels:
    labels = Labels()
    langs = set((theme.get("labels") or {}).keys()) | {"id", "en"}
    for lang in langs:
        labels.figure.add(theme.label("figure", lang))
        labels.table.add(theme.label("table", lang))
        labels.photo.add(theme.label("photo", lang))
        labels.placeholder.add(theme.label("photo_placeholder", lang))
        for key in META_KEYS:
            labels.meta.setdefault(key, set()).add(theme.label(key, lang).casefold())
        # A byline code without authors stands under its own label.
        labels.meta["byline"].add(theme.label("byline_code", lang).casefold())
    return labels


class _State:
    """Everything one import shares: package, walker, pictures, notes, footnote labels."""

    def __init__(self, path: Path, pkg: DocxPackage, setting: Setting, theme: Theme,
                 walker: Walker) -> None:
        self.path = path
        self.pkg = pkg
        self.setting = setting
        self.theme = theme
        self.walker = walker
        self.labels = _labels(theme)
        self.numbering = Numbering(pkg)
        self.notes: list[str] = []
        self.pictures: dict[Path, Resolved] = {}
        self.resolver = PictureResolver(pkg, setting.base, setting.ctx.limits.images)
        if setting.original is not None:
            self.resolver.candidates = [f.src for f in setting.original.figures
                                        if f.src is not None]
        self.language = pkg.custom.get("publikasi.language") or setting.ctx.language
        self.canon = Canon(setting.base_url, setting.base,
                           lambda: theme.label("photo", self.language), setting.links)
        self.adopter = Adopter(self.canon, setting.original)
        self.note_walkers: dict[str, Walker] = {}
        self.fn_labels: dict[tuple[str, str], str] = {}
        self._number_footnotes()

    # ------------------------------------------------------------ shared parts

    def _number_footnotes(self) -> None:
        """Labels "1", "2" ... in order of first reference, as the model numbers them."""
        body = self.pkg.document.find(w("body"))
        if body is None:
            return
        for el in body.iter(w("footnoteReference"), w("endnoteReference")):
            key = ("foot" if el.tag == w("footnoteReference") else "end", el.get(w("id"), ""))
            if key not in self.fn_labels and self._note_element(key) is not None:
                self.fn_labels[key] = str(len(self.fn_labels) + 1)

    def _note_element(self, key: tuple[str, str]):
        root = self.pkg.footnotes if key[0] == "foot" else self.pkg.endnotes
        if root is None:
            return None
        tag = w("footnote") if key[0] == "foot" else w("endnote")
        for el in root.findall(tag):
            if el.get(w("id")) == key[1] and el.get(w("type")) in (None, "normal"):
                return el
        return None

    def footnote_label(self, ref: tuple[str, str]) -> str | None:
        kind, value = ref
        if kind == "label":
            return str(value)
        return self.fn_labels.get((kind, value))

    def builder(self, walker: Walker) -> BlockBuilder:
        return BlockBuilder(self.labels, self.numbering, self.figure, self.footnote_label,
                            link_url=self.adopter.link)

    def figure(self, pic, caption: str, credit: str) -> Figure:
        resolved = self.resolver.resolve(pic)
        if resolved is None:
            return Figure(None, caption=caption, credit=credit)
        if resolved.kept is not None:
            src = resolved.kept
        else:
            src = self.setting.base / resolved.extracted_name()
            self.notes.append(f"picture {pic.name or pic.target} ({resolved.reason}) -> "
                              f"{resolved.extracted_name()}")
        self.pictures[src] = resolved
        name = source_name(pic.name) if resolved.kept is not None else None
        alt = self.adopter.alt(name, clean_line(pic.descr), caption)
        return Figure(src, alt=alt, caption=caption, credit=credit)

    def footnotes(self) -> tuple[Footnote, ...]:
        out = []
        for key, label in sorted(self.fn_labels.items(), key=lambda kv: int(kv[1])):
            el = self._note_element(key)
            rels = self.pkg.footnote_rels if key[0] == "foot" else self.pkg.endnote_rels
            walker = Walker(self.pkg, rels, self.walker.dropped, self.walker.dropped_text,
                            self.walker.unsafe_links)
            builder = self.builder(walker)
            blocks = builder.build(walker.items(el)) if el is not None else []
            self.notes.extend(builder.notes)
            out.append(Footnote(label, tuple(blocks)))
        if any(k[0] == "end" for k in self.fn_labels):
            self.notes.append("endnotes became footnotes (publikasi has footnotes only)")
        return self.adopter.adopt_notes(tuple(out))

    def report_dropped(self) -> None:
        dropped: Counter = self.walker.dropped
        if dropped:
            what = ", ".join(f"{k} ({n}x)" for k, n in sorted(dropped.items()))
            self.notes.append(f"formatting with no meaning in publikasi was dropped: {what}")
        for text in self.walker.dropped_text:
            self.notes.append(f'text that was hidden or in a text box was left out: '
                              f'"{_short(text)}"')
        for url in self.walker.unsafe_links:
            self.notes.append(f"a link to {_short(url)!r} was dropped (its scheme may not be "
                              "published); its text is kept")
        for warning in self.resolver.warnings:
            self.notes.append(warning)

    def body_blocks(self, items: list) -> list[Block]:
        builder = self.builder(self.walker)
        blocks = builder.build(items)
        self.notes.extend(builder.notes)
        return [self.adopter.adopt(b) for b in blocks]

    # ------------------------------------------------------------ publikasi's own files

    def publikasi_article(self, items: list) -> Article:
        props = self.pkg.custom
        ctx = self.setting.ctx
        title_para: Para | None = None
        meta: list[Para] = []
        stand: list[Para] = []
        index = 0
        while index < len(items):
            item = items[index]
            if not isinstance(item, Para):
                break
            if item.role == "title" and title_para is None and not meta and not stand:
                title_para = item
            elif item.role == "meta" and title_para is not None and not stand:
                meta.append(item)
            elif item.role == "standfirst":
                stand.append(item)
            elif item.has_content():
                break
            index += 1
        body = items[index:]
        title = clean_line(title_para.text) if title_para is not None else ""
        if not title:
            title = clean_line(self.pkg.core.get("title", "")) or props.get("publikasi.slug", "")
            self.notes.append("no headline in the Title style; used the document's title")
        fields = self.meta_fields(meta)
        blocks = self.body_blocks(body)
        image = None
        wants_image = bool(props.get("publikasi.image.src")) or (
            self.setting.original is not None and self.setting.original.image is not None)
        if wants_image and blocks and isinstance(blocks[0], Figure):
            image = blocks[0]
            blocks.pop(0)
        summary = clean_line(" ".join(p.text for p in stand))
        slug = slugify(props.get("publikasi.slug") or title)
        return Article(
            slug=slug, title=title, date=fields["date"], has_time=fields["has_time"],
            blocks=tuple(blocks), dateline=fields["dateline"], authors=tuple(fields["authors"]),
            byline=fields["byline"], section=fields["section"], tags=tuple(fields["tags"]),
            summary=summary, image=image, source=fields["source"],
            source_credit=fields["source_credit"],
            language=props.get("publikasi.language") or ctx.language,
            footnotes=self.footnotes(), path=None)

    def props_date(self) -> tuple[dt.datetime, bool]:
        raw = self.pkg.custom.get("publikasi.date", "")
        tz = self.setting.ctx.tz
        try:
            if "T" in raw:
                stamp = dt.datetime.fromisoformat(raw)
                if stamp.tzinfo is None:
                    stamp = stamp.replace(tzinfo=tz)
                return stamp, True
            day = dt.date.fromisoformat(raw)
            return dt.datetime(day.year, day.month, day.day, tzinfo=tz), False
        except ValueError:
            raise fail(self.path, f"the publikasi.date property {raw!r} is not an ISO date; "
                       "was the file's properties edited?") from None

    def meta_fields(self, meta: list[Para]) -> dict[str, Any]:
        """Front-matter fields: the properties, unless the visible block says otherwise."""
        props = self.pkg.custom
        date, has_time = self.props_date()
        fields: dict[str, Any] = {
            "date": date, "has_time": has_time,
            "dateline": props.get("publikasi.dateline", ""),
            "authors": json_list(props.get("publikasi.authors", "")),
            "byline": props.get("publikasi.byline", ""),
            "section": props.get("publikasi.section", ""),
            "tags": json_list(props.get("publikasi.tags", "")),
            "source": props.get("publikasi.source_url", ""),
            "source_credit": props.get("publikasi.source_credit", ""),
        }
        if not meta:
            self.notes.append("the metadata block under the headline is gone; the metadata "
                              "from the document properties was kept")
            return fields
        lang = props.get("publikasi.language") or self.setting.ctx.language
        lines: dict[str, list[tuple[str, list[Piece]]]] = {}
        date_line: Para | None = None
        for para in meta:
            segments = _label_segments(para)
            if not segments or (len(segments) == 1 and segments[0][0] == ""):
                if date_line is None:
                    date_line = para
                continue
            for label, pieces in segments:
                key = self._meta_key(label)
                if key:
                    lines[key] = [*lines.get(key, []), (label, pieces)]
        # Dateline and date.
        if date_line is None:
            fields["dateline"] = ""
            self.notes.append("the date line was deleted: dateline emptied, date kept from the "
                              "properties")
        else:
            self._date_line(clean_line(date_line.text), fields, lang)
        # Byline.
        expected_people = ", ".join(fields["authors"])
        if fields["byline"]:
            expected_people = f"{expected_people} ({fields['byline']})" if expected_people \
                else fields["byline"]
        people = _value_text(lines.get("byline"))
        if people is None:
            fields["authors"], fields["byline"] = [], ""
        elif people != expected_people:
            fields["authors"], fields["byline"] = _parse_people(people, fields["byline"])
        # Section and tags.
        section = _value_text(lines.get("section"))
        fields["section"] = section or ""
        tags = _value_text(lines.get("tags"))
        if tags is None:
            fields["tags"] = []
        elif tags != ", ".join(fields["tags"]):
            fields["tags"] = [t.strip() for t in tags.split(",") if t.strip()]
        # Source: "Sumber: credit — url".
        source = lines.get("source")
        if source is None:
            fields["source"], fields["source_credit"] = "", ""
        else:
            pieces = [p for _, ps in source for p in ps]
            url = next((p.fmt.link[0] for p in pieces if p.fmt.link), "")
            link_text = clean_line("".join(str(p.value) for p in pieces
                                           if p.kind == "text" and p.fmt.link))
            if re.match(r"https?://\S+$", link_text):
                url = link_text
            credit = clean_line("".join(str(p.value) for p in pieces
                                        if p.kind == "text" and not p.fmt.link))
            credit = re.sub(r"\s*[—–]\s*$", "", credit).strip()
            if not url:
                m = re.search(r"(?:^|\s[—–]\s|\s)(https?://\S+)$", credit)
                if m:
                    url = m.group(1)
                    credit = credit[: m.start()].strip(" —–")
            fields["source"], fields["source_credit"] = url, credit
        return fields

    def _meta_key(self, label: str) -> str:
        key = label.strip().rstrip(":").strip().casefold()
        for name, words in self.labels.meta.items():
            if key in words:
                return name
        return ""

    def _date_line(self, text: str, fields: dict, lang: str) -> None:
        when = article_date(fields["date"], fields["has_time"], lang)
        expected = f"{fields['dateline']} \u2014 {when}" if fields["dateline"] else when
        if text == expected:
            return
        head, sep, tail = text.partition(" \u2014 ")
        if not sep:
            head, sep, tail = text.partition(" – ")
        from ..readers import plaintext_dates as dates

        if sep:
            dateline, when_text = head.strip(), tail.strip()
        elif dates.find_dates(text):
            dateline, when_text = "", text
        else:
            dateline, when_text = text, ""
        fields["dateline"] = dateline
        if not when_text or when_text == when:
            return
        found = dates.find_dates(when_text)
        tz = fields["date"].tzinfo or self.setting.ctx.tz
        for match in found:
            day, _ = dates.resolve(match, None)
            if day is None:
                continue
            stamp, has_time = dates.to_datetime(day, match, tz)
            if not has_time and fields["has_time"] and day == fields["date"].date():
                self.notes.append("the time of day was removed from the date line; the date "
                                  "is now without a time")
            fields["date"], fields["has_time"] = stamp, has_time
            self.notes.append(f"date taken from the edited date line: {when_text!r}")
            return
        self.setting.ctx.problems.warn(self.path, f"the edited date {when_text!r} is not a date "
                                       "publikasi can read; kept "
                                       f"{fields['date'].date().isoformat()}")

    # ------------------------------------------------------------ other Word files

    def foreign_article(self, items: list) -> Article:
        from ..readers.plaintext import read_plaintext

        ctx = self.setting.ctx
        title_index = _title_index(items)
        title_text = ""
        events: list[tuple[str, int]] = []
        units: list[tuple[str, tuple[Inline, ...]]] = []
        structural: list[list] = []
        unit_numbers: list[int] = []
        for i, item in enumerate(items):
            if i == title_index:
                title_text = clean_line(item.text)
                continue
            if isinstance(item, TableItem) or _structural(item):
                if events and events[-1][0] == "struct":
                    structural[events[-1][1]].append(item)
                else:
                    events.append(("struct", len(structural)))
                    structural.append([item])
                continue
            for line_pieces in _split_lines(item.pieces):
                unit_numbers.append(i + 1)
                inlines = self.builder(self.walker).inlines(line_pieces)
                text = clean_line(plain_text(inlines))
                if not text:
                    continue
                if len(text) >= 3 and set(text) <= set("-=_*~ "):
                    self.notes.append(f"the separator line {text!r} was left out "
                                      "(one Word file is one article)")
                    continue
                events.append(("unit", len(units)))
                units.append((text, inlines))
            del unit_numbers[len(units):]
        if not units and not title_text:
            raise fail(self.path, "has no text to import")
        # The plain-text reader counts lines; a Word user counts paragraphs.
        lines = ([title_text] if title_text else []) + [t for t, _ in units]
        numbers = ([title_index + 1] if title_text else []) + unit_numbers
        seen_problems = (len(ctx.problems.items), len(ctx.problems.warnings))
        try:
            articles = read_plaintext("\n\n".join(lines), self.path, ctx)
        except InputError as exc:
            raise InputError([_paragraph_of(p, numbers) for p in exc.problems]) from None
        finally:
            for name, start in zip(("items", "warnings"), seen_problems, strict=True):
                found = getattr(ctx.problems, name)
                found[start:] = [_paragraph_of(p, numbers) for p in found[start:]]
        art = articles[0]
        if len(articles) > 1:  # cannot happen without separator lines; keep everything anyway
            art = replace(art, blocks=tuple(b for a in articles for b in a.blocks))
        anchors = _align(art.blocks, units)
        merged: list[Block] = [b for b, a in zip(art.blocks, anchors, strict=True) if a < 0]
        struct_blocks = [self.body_blocks(group) for group in structural]
        for kind, index in events:
            if kind == "unit":
                merged.extend(_rich(b, units[index])
                              for b, a in zip(art.blocks, anchors, strict=True) if a == index)
            else:
                merged.extend(struct_blocks[index])
        blocks = _join_figures(merged)
        return replace(art, blocks=tuple(blocks), footnotes=self.footnotes(), path=None)


# ---------------------------------------------------------------- metadata helpers


def _short(text: str, limit: int = 70) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _paragraph_of(problem: Problem, numbers: list[int]) -> Problem:
    """A reader problem at line L of the joined text -> the Word paragraph it came from."""
    if problem.line is None or problem.line < 1:
        return problem
    index = (problem.line - 1) // 2
    if index >= len(numbers):
        return Problem(problem.file, problem.message)
    return Problem(problem.file, f"paragraph {numbers[index]}: {problem.message}")


def _label_segments(para: Para) -> list[tuple[str, list[Piece]]]:
    """A metadata line split at its labels: [(label, value pieces)]."""
    out: list[tuple[str, list[Piece]]] = []
    label = None
    for piece in para.pieces:
        if piece.kind == "text" and piece.fmt.cstyle == "meta_label":
            if out and out[-1][1] == [] and label is not None:
                out[-1] = (out[-1][0] + str(piece.value), [])
                continue
            label = str(piece.value)
            out.append((label, []))
            continue
        if not out:
            out.append(("", []))
        out[-1][1].append(piece)
    return out


def _value_text(segments: list[tuple[str, list[Piece]]] | None) -> str | None:
    if segments is None:
        return None
    text = "".join(str(p.value) for _, ps in segments for p in ps if p.kind == "text")
    text = clean_line(text)
    return re.sub(r"\s*·\s*$", "", text).strip()


def _parse_people(text: str, old_byline: str) -> tuple[list[str], str]:
    """``A, B (gil/yn)`` -> (["A", "B"], "gil/yn"); a lone code is the byline."""
    m = re.fullmatch(r"(.*?)\s*\(([^()]{1,40})\)", text)
    if m:
        names, code = m.group(1), m.group(2).strip()
    elif "/" in text and " " not in text.strip():
        names, code = "", text.strip()
    else:
        names, code = text, ""
    return [n.strip() for n in names.split(",") if n.strip()], code


# ---------------------------------------------------------------- foreign helpers


def _title_index(items: list) -> int:
    """Index of the headline paragraph: Title style, else a first line in bold or Heading 1."""
    for i, item in enumerate(items):
        if isinstance(item, Para) and item.role == "title" and item.text.strip():
            return i
    for i, item in enumerate(items):
        if not isinstance(item, Para) or not item.has_content():
            continue
        texts = [p for p in item.pieces if p.kind == "text" and p.value.strip()]
        if item.role == "heading" and item.level == 1:
            return i
        if texts and all(p.fmt.bold for p in texts) and len(item.text.split()) <= 30 \
                and not item.pictures:
            return i
        return -1
    return -1


def _structural(item: Para) -> bool:
    """Paragraphs whose meaning the style says (not the plain-text heuristics)."""
    if item.pictures:
        return True
    if item.role in ("heading", "quote", "attribution", "bullet", "number", "continue",
                     "caption", "placeholder", "title"):
        return True
    return item.num is not None and item.role in ("listpara", "normal")


def _split_lines(pieces: list[Piece]) -> list[list[Piece]]:
    """A paragraph's pieces split at manual line breaks (each is a line for the reader)."""
    out: list[list[Piece]] = [[]]
    for p in pieces:
        if p.kind == "br":
            out.append([])
        else:
            out[-1].append(p)
    return out


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _block_keys(block: Block) -> list[str]:
    if isinstance(block, (Paragraph, Heading)):
        return [plain_text(block.inlines)]
    if isinstance(block, Figure):
        return [block.caption or block.credit]
    if isinstance(block, ListBlock):
        return [plain_text(item[0]) if item else "" for item in block.items]
    return []


def _align(blocks: tuple[Block, ...], units: list[tuple[str, tuple]]) -> list[int]:
    """For each reader block, the index of the Word line it came from (or the one before)."""
    keys = [_key(t) for t, _ in units]
    anchors: list[int] = []
    cursor = 0
    last = -1
    for block in blocks:
        found = -1
        for k in _block_keys(block):
            kk = _key(k)
            if not kk:
                continue
            for j in range(cursor, len(keys)):
                if kk in keys[j]:
                    found = j if found < 0 else found
                    cursor = j + 1
                    break
        if found >= 0:
            last = found
        anchors.append(found if found >= 0 else last)
    return anchors


def _rich(block: Block, unit: tuple[str, tuple[Inline, ...]]) -> Block:
    """The reader's paragraph with the Word line's formatting, where the text allows it."""
    _, inlines = unit
    if not isinstance(block, (Paragraph, Heading)):
        return block
    want = plain_text(block.inlines)
    have = plain_text(inlines)
    if want == have:
        rich = inlines
    else:
        start = have.find(want)
        if start < 0:
            return block
        rich = tidy_inlines(_slice(inlines, start, start + len(want)))
        if plain_text(rich) != want:
            return block
    if isinstance(block, Heading):
        return Heading(block.level, rich)
    return Paragraph(rich)


def _slice(nodes: tuple[Inline, ...], start: int, end: int) -> tuple[Inline, ...]:
    """The inlines covering plain-text characters [start, end)."""
    out: list[Inline] = []
    pos = 0
    for node in nodes:
        length = len(plain_text(node))
        node_start, node_end = pos, pos + length
        pos = node_end
        if length == 0:
            if start <= node_start <= end:
                out.append(node)
            continue
        lo, hi = max(start, node_start) - node_start, min(end, node_end) - node_start
        if hi <= lo:
            continue
        if isinstance(node, Text):
            out.append(Text(node.text[lo:hi]))
        elif isinstance(node, Code):
            out.append(Code(node.text[lo:hi]))
        elif isinstance(node, Emph):
            out.append(Emph(_slice(node.children, lo, hi)))
        elif isinstance(node, Strong):
            out.append(Strong(_slice(node.children, lo, hi)))
        elif isinstance(node, Link):
            out.append(Link(node.url, _slice(node.children, lo, hi), node.title))
        else:
            out.append(node)
    return tuple(out)


def _join_figures(blocks: list[Block]) -> list[Block]:
    """A picture next to a caption line the reader found: one figure."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if isinstance(block, Figure) and isinstance(prev, Figure):
            if prev.src is not None and block.src is None and not (prev.caption or prev.credit):
                out[-1] = Figure(prev.src, prev.alt, block.caption, block.credit)
                continue
            if prev.src is None and block.src is not None and not (block.caption or
                                                                   block.credit):
                out[-1] = Figure(block.src, block.alt, prev.caption, prev.credit)
                continue
        out.append(block)
    return out


__all__ = ["Imported", "Setting", "read_docx"]
