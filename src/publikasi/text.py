"""Text hygiene: the one place where user text is made safe for every format.

Every string that enters the model passes through :func:`clean_inline` or
:func:`clean_line`; exporters can therefore assume text that is valid XML 1.0
character data, NFC-normalised and free of stray whitespace.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from slugify import slugify as _slugify

# XML 1.0 forbids C0 controls (except tab, LF, CR), lone surrogates and the two
# non-characters U+FFFE/U+FFFF.  C1 controls (U+0080-U+009F) are allowed by XML
# but EPUBCheck and Word both choke on some of them and they never carry
# meaning in pasted text.
_INVALID = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
)
# A C1 control in text is nearly always a Windows-1252 byte decoded as
# Latin-1 (0x93 -> U+0093 instead of a left quote): put the intended
# character back before the rest are removed.
_C1 = re.compile("[\x80-\x9f]")


def _cp1252(m: re.Match[str]) -> str:
    try:
        return m.group().encode("latin-1").decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d: unassigned
        return ""
# Zero-width and byte-order marks that sneak in from web pages and Word.  The
# zero-width joiner (U+200D) is kept: emoji sequences need it.
_INVISIBLE = re.compile("[\u200b\u200c\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")


def strip_invalid(text: str) -> str:
    """Remove characters that are not allowed in XML 1.0 documents (C1 -> Windows-1252)."""
    return _INVALID.sub("", _C1.sub(_cp1252, text))


# A character that one of clean_inline's steps would change: what the first
# three remove or replace, and every whitespace character but the space
# (those of ``\s``: tab, line breaks, U+001C-U+001F, U+0085, no-break and
# other wide spaces).  Text without any, without two spaces in a row, and NFC
# already (most text, and all text cleaned before) is returned as it is.
_NEEDS_CLEANING = re.compile(
    "[\x00-\x1f\x7f-\x9f\xa0\xad\u1680\u2000-\u200c\u2028\u2029\u202f\u205f\u2060"
    "\u3000\ud800-\udfff\ufeff\ufffe\uffff]"
)


def clean_inline(text: str) -> str:
    """Clean a run of inline text: valid XML, NFC, each whitespace run -> one space.

    Leading and trailing spaces are kept (they separate inline runs); use
    :func:`clean_line` for a value that stands alone.
    """
    if ("  " not in text and not _NEEDS_CLEANING.search(text)
            and unicodedata.is_normalized("NFC", text)):
        return text
    return _clean_inline_steps(text)


def _clean_inline_steps(text: str) -> str:
    text = strip_invalid(text)
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text)


def unique_casefold(items: Iterable[str]) -> list[str]:
    """``items`` without blanks and without repeats that differ only in case;
    the first spelling wins ("Kesehatan", "kesehatan" -> "Kesehatan")."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.strip().casefold()
        if key and key not in seen:
            seen.add(key)
            out.append(item.strip())
    return out


# A quote mark opens after these (or at the start); anywhere else it closes.
_OPENS_AFTER = set(" \t\n([{<\u201c\u2018\u2014\u2013-/")


def curl_quotes(text: str, before: str = "") -> str:
    """Straight quotes typed in a source as typographic ones: ``"…"`` -> “…”,
    ``'…'`` -> ‘…’, an apostrophe -> ’ (``Jum'at`` -> Jum’at).

    ``before`` is the character that precedes ``text`` (the end of the
    previous inline run), so a quote that opens a bold word still opens.
    """
    if '"' not in text and "'" not in text:
        return text
    out: list[str] = []
    prev = before
    for i, ch in enumerate(text):
        if ch == '"':
            ch = "\u201c" if not prev or prev in _OPENS_AFTER else "\u201d"
        elif ch == "'":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if (prev and prev.isalnum() and nxt.isalpha()) or nxt.isdigit():
                ch = "\u2019"  # apostrophe inside a word, or eliding a number ('90-an)
            elif (not prev or prev in _OPENS_AFTER) and nxt and not nxt.isspace():
                ch = "\u2018"
            else:
                ch = "\u2019"
        out.append(ch)
        prev = ch
    return "".join(out)


# Between a photo's caption and its credit in every format, so that extracted
# text and screen readers do not run them together ("...hari pertama — Foto:
# Sekar/Humas"); the Word import strips it again.
CREDIT_SEPARATOR = " \u2014 "


def clean_prose(text: str | None) -> str:
    """A stand-alone piece of prose (headline, caption, summary): like
    :func:`clean_line`, with typographic quotes."""
    return curl_quotes(clean_line(text))


# Bidi embeddings, overrides and isolates.  In a stand-alone value (a title in
# a feed reader's list, an author in an e-book's metadata) an override such as
# U+202E reverses what follows it, there and in whatever the reader puts next
# to it (a spoofed "gpj.exe" trick); right-to-left names need none of them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def clean_line(text: str | None) -> str:
    """Clean a stand-alone value (title, caption, name): like clean_inline, stripped,
    and without bidi override, embedding or isolate controls."""
    if text is None:
        return ""
    return _BIDI_CONTROLS.sub("", clean_inline(str(text))).strip()


# Slugs become file names on office shares: Windows and its sync clients stumble
# over long paths, so a slug derived from a headline stops at a word boundary.
SLUG_MAX = 60
# A slug someone chose (``slug:``, a folder name) is kept whole up to here.
SLUG_MAX_EXPLICIT = 120
# "Rp1,4 miliar" and "2.341 warga": the separator between digits becomes a
# hyphen, or the slug would read "rp14" (fourteen) and "2341".
_DIGIT_SEPARATOR = re.compile(r"(?<=\d)[.,](?=\d)")


def slugify(text: str, max_length: int = SLUG_MAX) -> str:
    """URL- and file-safe ASCII slug (``"Wali Kota Malang"`` -> ``"wali-kota-malang"``).

    At most ``max_length`` characters, cut at a word boundary.  Text with
    nothing to transliterate (emoji only) gets ``artikel-<hash>``, stable for
    the same text and different for different texts.
    """
    slug = _slugify(_DIGIT_SEPARATOR.sub("-", text))
    if len(slug) > max_length:
        # python-slugify's own word_boundary cut skips a word that does not
        # fit and goes on with shorter ones after it ("...-sambangi-bandulan"
        # for "...-sambangi-kelurahan-bandulan"): cut at the last whole word.
        cut = slug[:max_length + 1].rsplit("-", 1)[0] if "-" in slug[:max_length + 1] else ""
        slug = (cut or slug[:max_length]).strip("-")
    if slug:
        return slug
    if not text.strip():
        return "artikel"
    digest = hashlib.sha256(text.strip().encode("utf-8", "surrogatepass")).hexdigest()
    return "artikel-" + digest[:8]
