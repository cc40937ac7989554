"""Plain-text press releases as people paste them -> articles.

Two steps, used by :mod:`publikasi.source` and :mod:`publikasi.importer`:

* :func:`decode_bytes` turns the file's bytes into text whatever the editor
  saved: UTF-8 with or without BOM, UTF-16/32 with BOM, Windows-1252 (found
  by charset-normalizer), C1 control characters that stand for Windows-1252
  punctuation, and UTF-8 that was read as Latin-1/cp1252 once (repaired by
  ftfy).  Binary files, UTF-16 without BOM and empty files are refused.
* :func:`read_plaintext` finds the parts of each release in the text (title,
  dateline, date, captions, byline, credits, lists, page noise) and returns
  one :class:`~publikasi.model.Article` per release; releases in one file are
  separated by a line of ``---`` or ``===``.

Every guess that may be wrong (no dateline, no usable date, no title line)
is reported through ``ctx.problems``: a warning, or an error with
``ctx.strict``.  The reader never raises anything but
:class:`~publikasi.errors.InputError`.

Byline codes are kept as written inside the brackets minus a leading slash:
``(/gil/yn)`` -> ``gil/yn``, ``(*/Hms)`` -> ``*/Hms``, ``(*)`` -> ``*``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Guess, Problems, fail
from ..model import Article, Block, Figure, Heading, ListBlock, Paragraph, Text
from ..text import slugify, strip_invalid
from ..yamlio import drop_stray_nuls, looks_like_utf16
from . import plaintext_dates as dates
from . import plaintext_parts as parts
from .common import ReadContext

# ---------------------------------------------------------------- decoding

# C1 controls U+0080-U+009F in decoded text are Windows-1252 bytes that went
# through Latin-1 somewhere (a web form, an old mail client): map them back.
_C1_TABLE: dict[int, str | None] = {}
for _code in range(0x80, 0xA0):
    try:
        _C1_TABLE[_code] = bytes([_code]).decode("cp1252")
    except UnicodeDecodeError:
        _C1_TABLE[_code] = None  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined, dropped


def _latin1_fallback(err: UnicodeError) -> tuple[str | bytes, int]:
    assert isinstance(err, UnicodeDecodeError)  # registered for decoding only
    return err.object[err.start:err.end].decode("latin-1"), err.end


codecs.register_error("publikasi-latin1", _latin1_fallback)

_BINARY_MAGIC = {
    b"PK\x03\x04": "a ZIP archive (a .docx? use `publikasi import` on the .docx)",
    b"%PDF": "a PDF file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Word/Office file (.doc); save it as .docx or .txt",
    b"{\\rtf": "an RTF file; save it as plain text (.txt)",
}
# Encodings that differ from Windows-1252 only in letters an Indonesian or
# English release does not use: when the detector picks one of these, cp1252
# is the better reading (it has the curly quotes and dashes in 0x80-0x9F).
_WESTERN = {"cp1252", "windows-1252", "latin_1", "iso8859_1", "iso8859_15", "cp1250",
            "iso8859_2", "cp1257", "iso8859_13", "mac_roman", "mac_latin2", "cp1254",
            "iso8859_9", "cp850", "cp437", "ascii", "utf_8", "cp1258", "iso8859_4",
            "iso8859_10", "iso8859_14", "iso8859_16", "iso8859_3", "mac_iceland", "cp858"}


def _ftfy_config():
    import ftfy

    # Curly quotes, widths and HTML entities are the author's text, not damage.
    return ftfy.TextFixerConfig(uncurl_quotes=False, unescape_html=False,
                                fix_character_width=False, explain=False)


def repair_text(text: str) -> str:
    """Undo mojibake with ftfy, then map leftover C1 controls to cp1252 punctuation."""
    import ftfy

    # Word's vertical tab (manual line break) and form feed (page break) are
    # line breaks; ftfy would delete them as control characters.
    text = re.sub("[\x0b\x0c]", "\n", text)
    # ftfy first: a C1 character can be the tail of a mojibake sequence
    # ("â€\x9d" is a closing quote), which the C1 table would break up.
    text = ftfy.fix_text(text, _ftfy_config())
    return text.translate(_C1_TABLE)


def decode_bytes(raw: bytes, file: Path, problems: Problems | None = None) -> str:
    """The text of a pasted release, whatever encoding the editor saved it in."""
    if not raw.strip():
        raise fail(file, "file is empty")
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError as exc:
                if codec != "utf-8-sig":
                    line = raw[: exc.start].count(b"\n" if codec != "utf-16" else b"\n\x00") + 1
                    raise fail(file, f"broken {codec.upper()} text (the byte-order mark says "
                               f"{codec.upper()}); save the file again as UTF-8", line) from None
                text = _decode_8bit(raw[len(bom):])
            return _not_empty(repair_text(_not_binary(text, file)), file)
    for magic, what in _BINARY_MAGIC.items():
        if raw.startswith(magic):
            raise fail(file, f"this is {what}, not a plain-text release")
    if b"\x00" in raw:
        if looks_like_utf16(raw):
            raise fail(file, "UTF-16 text without a byte-order mark; save it as UTF-8 text")
        raw = drop_stray_nuls(raw, file, "file", problems)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_8bit(raw)
    return _not_empty(repair_text(_not_binary(text, file)), file)


def _decode_8bit(raw: bytes) -> str:
    """Bytes that are not UTF-8: ask charset-normalizer, prefer Windows-1252."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding in _WESTERN:
        encoding = "cp1252"
    try:
        return raw.decode(encoding, errors="publikasi-latin1")
    except (LookupError, UnicodeDecodeError):
        return raw.decode("cp1252", errors="publikasi-latin1")


def _not_binary(text: str, file: Path) -> str:
    controls = len(re.findall(r"[\x00-\x08\x0e-\x1f\x7f]", text))
    if controls > 8 and controls > len(text) / 100:
        raise fail(file, "looks like a binary file, not a plain-text release")
    return text


def _not_empty(text: str, file: Path) -> str:
    if not text.strip():
        raise fail(file, "file is empty")
    return text


# ---------------------------------------------------------------- reading


_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile("[\u200b\u200c\u2060\ufeff\u00ad\u200e\u200f]")
_RELEASE_SEP = re.compile(r"^\s*(?:-{3,}|={3,}|(?:- ){2,}-|(?:= ){2,}=)\s*$")


def normalize_text(text: str) -> list[str]:
    """Text -> lines: one line-ending convention, plain spaces, no invisible characters."""
    text = text.translate(_C1_TABLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub("[\x0b\x0c\u2028\u2029]", "\n", text)
    text = _SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", strip_invalid(text))
    return [re.sub(" {2,}", " ", ln).strip() for ln in text.split("\n")]


@dataclass
class Unit:
    """One logical line of the release (hard-wrapped lines joined)."""

    line: int
    text: str
    gap: bool  # a blank line (or the start) comes before it
    kind: str = "para"
    credit: str = ""
    list_info: tuple[bool, int] | None = None


def _units(lines: list[tuple[int, str]]) -> list[Unit]:
    units: list[Unit] = []
    gap = True
    for number, text in lines:
        if not text:
            gap = True
            continue
        prev = units[-1] if units else None
        if (prev is not None and not gap and prev.text and not parts.ends_sentence(prev.text)
                and text[:1].islower() and parts.list_item(text) is None
                and parts.word_count(prev.text) >= 6 and len(units) > 1
                and parts.credit_first(text) is None and parts.credit_only(text) is None):
            # A hard-wrapped paragraph (mail clients wrap at ~72 columns): the
            # next line continues the sentence.
            prev.text = f"{prev.text} {text}"
            continue
        units.append(Unit(number, text, gap))
        gap = False
    return units


_GLUED = re.compile(r"(?:(?<=[a-z]{2}[.!?])|(?<=\b\d{4}\.))(?=[A-Z][a-z])"
                    r"|(?<=[a-z]{2}[.!?][”’])(?=[A-Za-z“])")
_CLOSE_QUOTE_GLUED = re.compile(r"(?<=[,.!?][”])(?=[a-z])")
_URLISH = re.compile(r"(?:https?://|www\.|@)\S*$")


def fix_glued(text: str) -> str:
    """``kota.Sebelumnya`` -> ``kota. Sebelumnya`` (not inside URLs or e-mail addresses)."""
    out: list[str] = []
    last = 0
    for m in _GLUED.finditer(text):
        pos = m.start()
        token_start = text.rfind(" ", 0, pos) + 1
        if _URLISH.search(text[token_start:pos]):
            continue
        out.append(text[last:pos])
        out.append(" ")
        last = pos
    out.append(text[last:])
    return _CLOSE_QUOTE_GLUED.sub(" ", "".join(out))


_DOUBLE_PRIME = re.compile(r"(?<!\d)″")


def _clean_body(text: str) -> str:
    return fix_glued(_DOUBLE_PRIME.sub('"', text))


# Stop words that are frequent in one language and absent from the other.
_ID_WORDS = frozenset(["yang", "dan", "di", "ini", "itu", "dengan", "untuk", "dari", "dalam", "pada", "akan", "tidak", "ke", "juga", "oleh", "adalah", "sebagai", "para", "kita", "kami", "tersebut", "bahwa", "atau", "telah", "sudah", "bisa", "dapat", "lebih", "karena", "saat", "serta", "agar", "ujarnya", "katanya", "kata", "ujar", "tutur", "menjadi", "masyarakat", "kegiatan", "warga", "pun", "hingga", "bagi", "sejumlah", "secara", "mereka", "merupakan", "yakni", "yaitu", "ada", "maka", "tetapi", "namun"])
_EN_WORDS = frozenset(["the", "and", "of", "to", "in", "is", "that", "for", "with", "on", "was", "as", "by", "at", "are", "be", "this", "from", "it", "will", "has", "have", "were", "said", "an", "their", "which", "also", "its", "not", "or", "been", "who", "would", "can", "our", "more", "than", "about", "after", "he", "she", "they", "we", "city", "government"])


def detect_language(text: str, default: str) -> str:
    """``id`` or ``en`` by counting function words; ``default`` when unsure."""
    words = re.findall(r"[a-z]+", text.lower())
    id_score = sum(w in _ID_WORDS for w in words)
    en_score = sum(w in _EN_WORDS for w in words)
    if id_score + en_score < 3 or id_score == en_score:
        return default
    return "id" if id_score > en_score else "en"


@dataclass
class _Release:
    units: list[Unit]
    first_line: int
    title: str = ""
    title_line: int = 0
    dateline: str = ""
    dateline_date: str = ""
    byline: str = ""
    authors: list[str] = field(default_factory=list)
    photo_credit: str = ""
    source_credit: str = ""
    meta_dates: list[tuple[dates.DateMatch, int]] = field(default_factory=list)
    head_dates: list[tuple[dates.DateMatch, int]] = field(default_factory=list)  # above the title
    section: str = ""
    footer_year: int | None = None
    lead_line: int = 0  # line of the paragraph that opens with the dateline


_META_WORDS = re.compile(r"\b(?:diposting|dipublikasikan|diterbitkan|posted|published|updated?|"
                         r"diperbarui|pada|on|wib|wita|wit|pukul|pkl|jam|at|admin|oleh|"
                         # icon names that come along when a page is copied
                         r"calendar_month|calendar_today|schedule|access_time|event|date_range|"
                         r"for\s+immediate\s+release|release\s+date|embargo)\b|"
                         r"[\w\-]+(?:\.[\w\-]+)*\.(?:com|id|net|org|co)\b|"  # "Kompas.com - 28/01/2020"
                         r"\d{1,2}[.:]\d{2}|[\W_]+", re.IGNORECASE)


def _meta_date(text: str) -> dates.DateMatch | None:
    """A line that holds only a date (and time): ``Kamis, 16 Okt 2025 19:53 WIB``."""
    if len(text) > 80:
        return None
    found = dates.find_dates(text)
    if len(found) != 1:
        return None
    m = found[0]
    rest = _META_WORDS.sub(" ", text[: m.start] + " " + text[m.end:]).split()
    # "Stories 13 Maret 2024", "Peristiwa | 21 November 2022, 18:22 WIB": a section name
    # may stand next to the date.
    if len(rest) > 2 or any(not w.isalpha() or not w[:1].isupper() for w in rest):
        return None
    return m


class _Reader:
    def __init__(self, file: Path, ctx: ReadContext) -> None:
        self.file = file
        self.ctx = ctx

    def fallback(self, message: str, line: int | None, field: str, reason: str,
                 **values: object) -> None:
        """A guess the reader had to make: a warning, or an error with --strict.

        ``field`` (the ``inspect`` key) and ``reason`` (a key of
        :data:`~publikasi.readers.guesses.REASONS`) let the desk show the guess
        beside the field it is about.
        """
        guess = Guess(field, reason, tuple((k, str(v)) for k, v in values.items()))
        if self.ctx.strict:
            self.ctx.problems.add(self.file, f"{message} (--strict)", line, guess)
        else:
            self.ctx.problems.warn(self.file, message, line, guess)

    # -------------------------------------------------------------- releases
    def read(self, text: str) -> list[Article]:
        lines = normalize_text(text)
        chunks: list[list[tuple[int, str]]] = [[]]
        for number, line in enumerate(lines, start=1):
            if _RELEASE_SEP.match(line):
                chunks.append([])
            else:
                chunks[-1].append((number, line))
        articles: list[Article] = []
        for chunk in chunks:
            units = []
            for u in _units(chunk):
                if parts.is_noise(u.text):
                    self.dropped("page noise", u)
                else:
                    units.append(u)
            footer = self.drop_chrome(units)
            if not units:
                continue
            rel = _Release(units, units[0].line, footer_year=footer)
            self.credits(rel)
            if not rel.units:
                continue  # only credit lines: nothing to publish
            articles.append(self.release(rel))
        if not articles:
            raise fail(self.file, "no release text found (the file holds only blank lines, "
                       "separators or page noise)")
        seen: dict[str, int] = {}
        unique: list[Article] = []
        for art in articles:
            n = seen.get(art.slug, 0) + 1
            seen[art.slug] = n
            if n > 1:
                art = _with_slug(art, f"{art.slug}-{n}")
            unique.append(art)
        return unique

    def release(self, rel: _Release) -> Article:
        self.title(rel)
        self.classify(rel)
        self.find_dateline(rel)
        self.find_byline(rel)
        blocks = self.blocks(rel)
        date, has_time = self.date(rel)
        body_text = " ".join(u.text for u in rel.units if u.kind in ("para", "list", "heading"))
        language = detect_language(f"{rel.title} {body_text}", self.ctx.language)
        return Article(
            slug=slugify(rel.title), title=rel.title, date=date, has_time=has_time,
            blocks=tuple(blocks), dateline=rel.dateline, authors=tuple(rel.authors),
            byline=rel.byline, source_credit=rel.source_credit, language=language,
            section=rel.section,
            source=rel.source_credit if re.fullmatch(r"https?://\S+", rel.source_credit) else "",
            path=self.file,
        )

    def dropped(self, kind: str, u: Unit) -> None:
        short = u.text if len(u.text) <= 60 else u.text[:57] + "..."
        self.ctx.problems.warn(self.file, f"dropped page chrome ({kind}): {short!r}", u.line)

    def drop_chrome(self, units: list[Unit]) -> int | None:
        """Remove page chrome from ``units`` (in place); -> a copyright year seen."""
        body = [i for i, u in enumerate(units) if _body_like(u.text)]
        first, last = (body[0], body[-1]) if body else (len(units), -1)
        year: int | None = None
        kept: list[Unit] = []
        for i, u in enumerate(units):
            kind = parts.chrome_kind(u.text, edge=i < first or i > last)
            if kind is None:
                kept.append(u)
                continue
            if kind == "copyright line":
                year = parts.footer_year(u.text) or year
            self.dropped(kind, u)
        units[:] = kept
        return year

    # -------------------------------------------------------------- parts
    def credits(self, rel: _Release) -> None:
        kept: list[Unit] = []
        for u in rel.units:
            credit = parts.credit_line(u.text)
            if credit is not None:
                rel.authors.extend(a for a in credit.authors if a not in rel.authors)
                rel.photo_credit = rel.photo_credit or credit.photo
                rel.source_credit = credit.source or rel.source_credit
                continue
            lead = parts.lead_photo_credit(u.text)
            if lead is not None:
                rel.photo_credit = rel.photo_credit or lead
                continue
            paren = parts.paren_credit(u.text)
            if paren is not None:
                kind, value = paren
                if kind == "author":
                    rel.authors.extend(a for a in parts.split_names(value) if a not in rel.authors)
                elif kind == "source":
                    code = parts.split_byline(f"({value})")
                    if code is not None and "/" in value and len(value) <= 12:
                        rel.byline = rel.byline or code[1]
                    else:
                        rel.source_credit = re.sub(r"^\*\s*/\s*", "", value)
                continue  # an editor has no field of its own: dropped from the body
            meta = parts.meta_line(u.text)
            if meta is not None:
                if meta.author and meta.author not in rel.authors:
                    rel.authors.append(meta.author)
                found = dates.find_dates(meta.rest)
                if found:
                    rel.meta_dates.append((found[0], u.line))
                rel.section = rel.section or parts.section_of(meta.rest)
                continue
            source = parts.source_line(u.text)
            if source is not None:
                rel.source_credit = source
                continue
            kept.append(u)
        rel.units = kept

    def title(self, rel: _Release) -> None:
        # Date-only lines above the title (a page's date line) are metadata.
        limit = _body_start(rel.units)
        head: list[Unit] = []
        for i, u in enumerate(rel.units):
            item = parts.list_item(u.text)
            text = item[2] if item is not None else u.text
            if i < limit and len(rel.units) - len(head) > 1 and (m := _meta_date(text)):
                rel.meta_dates.append((m, u.line))
                head.append(u)
        rel.units = [u for u in rel.units if u not in head]
        best = _headline_index(rel.units)
        above: list[Unit] = []  # sentences above the headline stay text (nothing is lost)
        for u in rel.units[:best]:
            if re.search(r"[.!?][\"”’]?$", _without_code(u.text)) and parts.word_count(u.text) >= 3:
                above.append(u)
                continue
            short = u.text if len(u.text) <= 60 else u.text[:57] + "..."
            self.fallback(f"the headline is taken from line {rel.units[best].line}; the line "
                          f"above it is dropped: {short!r}", u.line,
                          "title", "title_below_dropped_line", at=rel.units[best].line,
                          dropped=short)
        del rel.units[:best]
        first = rel.units[0]
        dateline = parts.find_dateline(first.text)
        long_para = (parts.word_count(first.text) > 30 or
                     (dateline is not None and (parts.word_count(first.text) > 12
                                                or first.text.endswith((".", "!", "?")))))
        if long_para:
            words = first.text.split()
            rel.title = " ".join(words[:12]) + ("…" if len(words) > 12 else "")
            rel.title_line = first.line
            self.fallback("no title line: the release starts with a paragraph; the title is "
                          "its first words (put the headline on the first line)", first.line,
                          "title", "title_from_first_words")
            rel.units[:0] = above
            return
        variants = [first.text]
        rest = rel.units[1:]
        kept: list[Unit] = []
        body_started = False
        ends = (".", "!", "?")

        def sentence_like(text: str) -> bool:
            # A repeat of the title ends the way the title ends; a sentence
            # that happens to use the title's words keeps its full stop.
            # (A byline code after the full stop does not hide it.)
            bare = re.sub(r"\s*[\(\[][^()\[\]]{1,40}[\)\]]\d*$", "", text)
            return bare.endswith(ends) and not first.text.endswith(ends)

        for u in rest:
            if u.text == first.text:
                continue
            if (not body_started and parts.same_title(first.text, u.text)
                    and not sentence_like(u.text)):
                variants.append(u.text)
                continue
            if (parts.title_key(u.text) == parts.title_key(first.text)
                    and not sentence_like(u.text)):
                continue  # an exact repeat later in the body (photo alt text)
            if parts.word_count(u.text) > 15 or parts.ends_sentence(u.text):
                body_started = True
            kept.append(u)
        plain = [v for v in variants if parts.strip_site_suffix(v, True) == v]
        if len(variants) > 1 and plain:
            title = min(plain, key=len)
        elif len(variants) > 1:
            title = parts.strip_site_suffix(variants[0], True)
        else:
            title = parts.strip_site_suffix(first.text)
        rel.title = title.strip()
        rel.title_line = first.line
        rel.units = above + kept

    def classify(self, rel: _Release) -> None:
        kept: list[Unit] = []
        for u in rel.units:
            li = parts.list_item(u.text)
            bl = parts.split_byline(u.text)
            if li is not None and (m := _meta_date(li[2])) is not None:
                rel.meta_dates.append((m, u.line))
                continue
            if li is not None:
                u.kind, u.list_info, u.text = "list", (li[0], li[1]), li[2]
            elif bl is not None and not bl[0]:
                rel.byline = bl[1]
                continue
            elif (credit := parts.credit_only(bl[0] if bl else u.text)) is not None:
                u.kind, u.credit = "photocredit", credit
                if bl is not None:
                    rel.byline = bl[1]  # "Foto: Humas (/gil/yn)": the code closes the text
            elif (m := _meta_date(u.text)) is not None:
                rel.meta_dates.append((m, u.line))
                continue
            elif bl is not None:
                pass  # text that ends with a byline code is the last paragraph
            elif (cf := parts.credit_first(u.text)) is not None:
                u.kind, u.text, u.credit = "caption", cf[0], cf[1]
            elif (pc := parts.split_photo_credit(u.text)) is not None and (
                    _caption_shaped(pc[0]) or (parts.labelled_credit(u.text[len(pc[0]):].strip(" -–—|([{"))
                    and 2 <= parts.word_count(pc[0]) <= 80
                    and parts.find_dateline(u.text) is None)):
                u.kind, u.text, u.credit = "caption", pc[0], pc[1]
            elif u.text.endswith("|") and 3 <= parts.word_count(u.text) <= 60:
                u.kind, u.text = "caption", u.text.rstrip(" |")
            elif parts.looks_like_caption(u.text):
                u.kind = "caption"
            elif parts.looks_like_heading(u.text):
                u.kind = "heading"
            kept.append(u)
        rel.units = kept

    def find_dateline(self, rel: _Release) -> None:
        standfirst_seen = False
        for i, u in enumerate(rel.units[:9]):
            strong = parts.outlet_dateline(u.text) if u.kind in ("para", "caption") else None
            if strong is not None and parts.word_count(strong.rest) >= 3:
                for before in rel.units[:i]:
                    # "PENDIDIKAN: Puluhan wisudawan ..." above a news site's dateline
                    if before.kind == "para" and parts.word_count(before.text) >= 5 \
                            and not re.search(r"[.!?][\"”’]?$", before.text):
                        before.kind = "caption"
                rel.dateline, rel.dateline_date = strong.place, strong.date_text
                rel.lead_line = u.line
                u.text, u.kind = strong.rest, "para"
                return
        for i, u in enumerate(rel.units[:4]):
            if u.kind in ("list", "photocredit"):
                continue
            alone = parts.find_dateline(u.text, alone=True)
            if alone is not None and u.kind == "heading":
                rel.dateline = alone.place
                del rel.units[i]
                nxt = next((x for x in rel.units[i:] if x.kind in ("para", "caption", "heading")),
                           None)
                if nxt is not None:
                    nxt.kind = "para"
                return
            found = parts.find_dateline(u.text)
            if found is not None and parts.word_count(found.rest) >= 3:
                rel.dateline = found.place
                rel.dateline_date = found.date_text
                rel.lead_line = u.line
                u.text, u.kind = found.rest, "para"
                return
            if u.kind == "para" and (standfirst_seen or parts.word_count(u.text) > 25):
                break
            if u.kind == "para":
                standfirst_seen = True  # a one-sentence standfirst may come before the dateline
        first = next((u for u in rel.units if u.kind == "para"), None)
        self.fallback("no dateline (e.g. `Malang (malangkota.go.id) –`) at the start of the "
                      "first paragraph", first.line if first else rel.first_line,
                      "dateline", "no_dateline")

    def find_byline(self, rel: _Release) -> None:
        self.tail(rel)
        for u in reversed(rel.units):
            if u.kind == "caption":
                continue
            if u.kind not in ("para", "list", "heading"):
                break
            found = parts.split_byline(u.text)
            if found is not None:
                rel.byline = found[1]
                u.text = found[0]
                if u.kind == "heading":
                    u.kind = "para"
            elif u.kind == "heading":
                u.kind = "para"  # a short last line is the end of the text, not a heading
            break
        rel.units = [u for u in rel.units if u.text.strip()]

    def tail(self, rel: _Release) -> None:
        """After the last paragraph: a sign-off, a signature block, an empty ``[]``."""
        last = rel.units[-1] if rel.units else None
        if last is not None and last.kind in ("para", "heading", "caption"):
            last.text = re.sub(r"\s*\[\s*\]$", "", last.text)
            if (office := parts.signoff(last.text)) is not None and len(rel.units) > 1:
                rel.source_credit = rel.source_credit or office
                rel.units.pop()
        start = len(rel.units)
        while start > 1 and not parts.ends_sentence(rel.units[start - 1].text) \
                and parts.word_count(rel.units[start - 1].text) <= 14:
            start -= 1
        for i in range(start, len(rel.units)):
            u = rel.units[i]
            if u.kind in ("heading", "caption", "para") and parts.is_position_line(u.text):
                # An official's signature block stays text: "Name" / "Kepala Bagian ...".
                u.kind = "para"
                prev = rel.units[i - 1] if i > start else None
                if prev is not None and parts.is_name_line(prev.text):
                    prev.kind = "para"

    # -------------------------------------------------------------- blocks
    def blocks(self, rel: _Release) -> list[Block]:
        blocks: list[Block] = []
        seen_captions: set[str] = set()
        pending_list: list[tuple[int, str]] = []
        list_ordered = False
        units = rel.units
        self.bare_lists(units)

        def flush() -> None:
            nonlocal pending_list
            if pending_list:
                items = tuple((Paragraph((Text(_clean_body(t)),)),) for _, t in pending_list)
                blocks.append(ListBlock(items, ordered=list_ordered,
                                        start=pending_list[0][0] if list_ordered else 1))
                pending_list = []

        for i, u in enumerate(units):
            if u.kind == "list" and u.list_info is not None:
                if pending_list and u.list_info[0] != list_ordered:
                    flush()
                list_ordered = u.list_info[0]
                pending_list.append((u.list_info[1], u.text))
                continue
            flush()
            if u.kind == "photocredit":
                prev = blocks[-1] if blocks else None
                nxt = units[i + 1] if i + 1 < len(units) else None
                if isinstance(prev, Figure) and not prev.credit:
                    blocks[-1] = Figure(src=None, caption=prev.caption, credit=u.credit)
                elif nxt is not None and nxt.kind == "caption" and not nxt.credit:
                    nxt.credit = u.credit
                else:
                    blocks.append(Figure(src=None, credit=u.credit))
            elif u.kind == "caption":
                key = parts.title_key(u.text)
                if key in seen_captions:
                    continue
                seen_captions.add(key)
                blocks.append(Figure(src=None, caption=u.text, credit=u.credit))
            elif u.kind == "heading":
                blocks.append(Heading(1, (Text(u.text),)))
            else:
                blocks.append(Paragraph((Text(_clean_body(u.text)),)))
        flush()
        if rel.photo_credit:
            for i, b in enumerate(blocks):
                if isinstance(b, Figure) and not b.credit:
                    blocks[i] = Figure(src=None, caption=b.caption, credit=rel.photo_credit)
                    break
        return blocks

    @staticmethod
    def bare_lists(units: list[Unit]) -> None:
        """Lines under ``...sebagai berikut:`` with no blank line between are list items."""
        i = 0
        while i < len(units):
            u = units[i]
            if u.kind == "para" and u.text.rstrip().endswith(":"):
                j = i + 1
                while (j < len(units) and not units[j].gap and units[j].kind != "list"
                       and parts.word_count(units[j].text) <= 15
                       and units[j].kind in ("para", "heading", "caption")):
                    j += 1
                if j - i - 1 >= 2:
                    for n, item in enumerate(units[i + 1:j], start=1):
                        item.kind, item.list_info = "list", (False, n)
                i = j
            else:
                i += 1

    # -------------------------------------------------------------- date
    def reference_date(self, rel: _Release) -> tuple[dt.date, str]:
        """The latest date the article may carry, and where it comes from.

        The release date; for a lone file without a release.yaml, the end of
        the page's copyright year (when that is in the past), else today.
        """
        if self.ctx.release_date is not None:
            return self.ctx.release_date, "release"
        today = dt.datetime.now(self.ctx.tz).date()
        if rel.footer_year is not None and rel.footer_year < today.year:
            return dt.date(rel.footer_year, 12, 31), "copyright"
        return today, "today"

    def date(self, rel: _Release) -> tuple[dt.datetime, bool]:
        tz = self.ctx.tz
        ref, ref_kind = self.reference_date(rel)
        first = next((u for u in rel.units if u.kind == "para" and u.line == rel.lead_line),
                     None) or next((u for u in rel.units if u.kind == "para"), None)
        line = first.line if first else rel.title_line
        used_ref = False

        def resolved(m: dates.DateMatch, where: int) -> dt.date | None:
            nonlocal used_ref
            day, why = dates.resolve(m, ref)
            if day is None:
                self.fallback(f"date {why}; ignored", where, "date", "date_ignored",
                              text=m.text)
            elif m.year is None:
                used_ref = True
            return day

        # The publication date: the dateline's date, else the first date of the
        # first paragraph; a date line of the page (below the title before one
        # above it, which may be the site's "today") may stand in for it.
        search = " ".join(x for x in (rel.dateline_date, first.text if first else "") if x)
        event: tuple[dt.date, dates.DateMatch] | None = None
        found = dates.find_dates(search, loose=bool(rel.dateline_date))
        # A date the text announces ("akan digelar Senin (10/2)", "will consider on
        # Tuesday, August 18") is a plan, not the day of the release.
        for m in [m for m in found if not dates.is_future_mention(search, m)]:
            day = resolved(m, line)
            if day is not None:
                event = (day, m)
                break
        metas = sorted(rel.meta_dates, key=lambda x: (x[1] < rel.title_line, x[1]))
        meta: tuple[dt.date, dates.DateMatch] | None = None
        for m, mline in metas:
            day = resolved(m, mline)
            if day is not None:
                meta = (day, m)
                break
        chosen = event or meta
        if event is not None and event[1].weekday is not None \
                and event[1].weekday != event[0].weekday():
            if meta is not None and (meta[1].weekday is None
                                     or meta[1].weekday == meta[0].weekday()):
                self.fallback(f"{event[1].text!r}: the day name does not match the date; "
                              f"using the page's date {meta[0].isoformat()}", line,
                              "date", "date_from_page_weekday", text=event[1].text,
                              date=meta[0].isoformat())
                chosen = meta
            else:
                self.fallback(f"{event[1].text!r}: the day name does not match the date "
                              f"({event[0].isoformat()} is a {event[0].strftime('%A')})", line,
                              "date", "date_weekday_mismatch", text=event[1].text,
                              date=event[0].isoformat())
        if chosen is not None:
            if used_ref and ref_kind != "release":
                self.fallback(f"a date without a year: the year is taken from {ref_kind} "
                              f"({ref.isoformat()})", line, "date", f"date_year_from_{ref_kind}",
                              date=ref.isoformat())
            if chosen is event and meta is not None and meta[0] == event[0] \
                    and meta[1].hour is not None and event[1].hour is None:
                return dates.to_datetime(*meta, tz)
            return dates.to_datetime(*chosen, tz)
        # "kata Hermanto, Rabu.": a day name alone, in the first paragraphs
        opening = [u for u in rel.units if u.kind == "para"][:3]
        if first is not None and first not in opening:
            opening.insert(0, first)
        for u in opening:
            if u is not first and dates.find_dates(u.text):
                break  # a full date further down is better than a day name (below)
            day_name = dates.find_day_name(u.text)
            if day_name is not None:
                day = dates.weekday_before(day_name[0], ref)
                self.fallback(f"only a day name ({day_name[1]!r}) in the opening paragraphs; "
                              f"dated {day.isoformat()}, the last {day_name[1]} on or before "
                              f"the {_REF_NAMES[ref_kind]} {ref.isoformat()}", line,
                              "date", f"date_from_day_name_{ref_kind}", day=day_name[1],
                              date=day.isoformat(), reference=ref.isoformat())
                return dates.to_datetime(day, None, tz)
        for u in rel.units:
            if u is first:
                continue
            for m in dates.find_dates(u.text):
                day, _ = dates.resolve(m, ref)
                if day is not None and (m.year is not None or m.weekday is not None):
                    self.fallback(f"no date in the first paragraph; using {m.text!r} from "
                                  "later in the text", u.line, "date", "date_from_later_text",
                                  text=m.text)
                    return dates.to_datetime(day, m, tz)
        self.fallback("no date in the first paragraph (e.g. `Senin (10/11/2025)`); using the "
                      f"{_REF_NAMES[ref_kind]} {ref.isoformat()}", line,
                      "date", f"date_from_{ref_kind}", date=ref.isoformat())
        return dates.to_datetime(ref, None, tz)


_REF_NAMES = {"release": "release date", "copyright": "end of the page's copyright year",
              "today": "date of today (no release.yaml beside the file)"}


def _caption_shaped(text: str) -> bool:
    """The part before a photo credit reads like a caption (one clause, not too long)."""
    words = parts.word_count(text)
    return 2 <= words <= 60 and not parts._SENTENCE_BREAK.search(text.rstrip(". "))


def _without_code(text: str) -> str:
    """``text`` without a trailing byline code such as ``(/gil/yn)``."""
    return re.sub(r"\s*[\(\[][^()\[\]]{1,40}[\)\]]\d*$", "", text.rstrip())


def _body_like(text: str) -> bool:
    """A paragraph of running text (not a headline, caption or page furniture)."""
    return parts.word_count(text) >= 12 and bool(re.search(r"[.!?][\"”’)]?(?:\s|$)", text))


def _headline_index(units: list[Unit]) -> int:
    """Index of the most headline-like unit before the first paragraph of text.

    Length, case, position, repetition and the lack of a final full stop
    count; a page's site name or section label above the headline loses.
    """
    limit = _body_start(units)
    candidates = units[:min(limit, 8)]
    if len(candidates) <= 1:
        return 0
    # The line just above the text (above a one-sentence standfirst and
    # caption-like lines) is where a page puts its headline.
    near = len(candidates) - 1
    def not_headline(i: int) -> bool:
        text = candidates[i].text.rstrip()
        words = parts.word_count(text)
        bare = re.sub(r"\s*[\(\[][^()\[\]]{1,40}[\)\]]\d*$", "", text)  # a byline code
        after_credit = i > 0 and parts.credit_only(candidates[i - 1].text) is not None
        return (text.endswith("|") or bare.endswith((".", "!", "?", ":", ";")) or after_credit
                or parts.credit_first(text) is not None
                or re.search(r"\.[\"”’)]?\s+[A-Z“\"]", bare) is not None
                or parts.credit_only(text) is not None or words > 25
                or bool(re.match(r"[A-Z]{3,}: |[•·▪]", text))
                or (words > 15 and any(4 <= parts.word_count(c.text) <= 15
                                      for c in candidates[:i])))

    while near > 0 and not_headline(near):
        near -= 1
    best, best_score = 0, -99.0
    for i, u in enumerate(candidates):
        words = parts.word_count(u.text)
        score = -0.6 * i
        score += 2 if 4 <= words <= 20 else (-3 if words > 25 else 0)
        bare = re.sub(r"\s*[\(\[][^()\[\]]{1,40}[\)\]]\d*$", "", u.text.rstrip())
        score += 1 if not bare.endswith(".") else -1
        if any(m.weekday is not None for m in dates.find_dates(u.text)):
            score -= 2  # "…, Senin (10/11/2025).": the first paragraph, not a headline
        if i < 3 and any(parts.same_title(u.text, v.text) for v in units[i + 1:i + 8]):
            score += 3  # the page title, the heading and the photo's alt text at the top
        if words <= 3 and u.text.upper() == u.text:
            score -= 2
        if parts.credit_only(u.text) is not None or (parts.looks_like_caption(u.text) and words > 20):
            score -= 3
        if (pc := parts.split_photo_credit(u.text)) is not None \
                and parts.labelled_credit(u.text[len(pc[0]):].strip(" -–—|([{")):
            score -= 4  # "Virus Corona/Ilustrasi (Foto: Istimewa)": a caption, even repeated
        case = _capitalised_share(u.text)
        if words >= 3:
            score += 1.5 if case >= 0.7 else (-1 if case < 0.5 else 0)
        if i == near and i > 0 and case >= 0.5:
            score += 2.5
        if score > best_score:
            best, best_score = i, score
    return best


def _body_start(units: list[Unit]) -> int:
    """Index of the paragraph that opens the text: the first with a dateline among the
    first lines (a one-sentence summary may stand above the headline), else the first
    paragraph of running text."""
    first = next((i for i, u in enumerate(units) if _body_like(u.text)
                  or parts.find_dateline(u.text) is not None), len(units))
    dateline = next((i for i, u in enumerate(units[:8])
                     if parts.find_dateline(u.text) is not None), None)
    if dateline is not None and first < dateline <= first + 4:
        return dateline
    return first


_MINOR_WORDS = frozenset(["dan", "di", "ke", "dari", "untuk", "yang", "dengan", "pada", "serta",
                          "atau", "bagi", "the", "of", "and", "to", "in", "for", "a", "an", "on",
                          "at", "with", "by", "as", "is"])


def _capitalised_share(text: str) -> float:
    """Share of the words (minor words aside) that start with a capital: a headline
    is written in title case more often than a caption or a sentence."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’\-]*", text) if w.lower() not in _MINOR_WORDS]
    if not words:
        return 0.0
    return sum(w[:1].isupper() for w in words) / len(words)


def _with_slug(article: Article, slug: str) -> Article:
    from dataclasses import replace

    return replace(article, slug=slug)


def read_plaintext(text: str, file: Path, ctx: ReadContext) -> list[Article]:
    """Every release in ``text`` as an article, in file order.

    Raises :class:`InputError` only: when the text holds no release, or a
    release has no usable date and no release date to fall back on.
    Heuristic guesses go to ``ctx.problems`` (warnings; errors with ``ctx.strict``).
    """
    return _Reader(file, ctx).read(text)


__all__ = ["decode_bytes", "detect_language", "fix_glued", "normalize_text", "read_plaintext",
           "repair_text"]
