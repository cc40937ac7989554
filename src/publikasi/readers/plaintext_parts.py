"""Line-level recognisers for pasted press releases (see plaintext.py).

Each function looks at one line (or one paragraph) and says what it is:
page noise, a credit line, a byline code, a dateline, a caption, a list item.
They never raise; they return None when the line is not what they look for.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# ---------------------------------------------------------------- noise

_NOISE = [
    re.compile(r"^(?:baca\s+juga|read\s+also|read\s+more|lihat\s+juga|simak\s+juga|"
               r"berita\s+terkait|artikel\s+terkait|related(?:\s+news|\s+articles?)?)\b\s*[:\-–—]?",
               re.IGNORECASE),
    re.compile(r"^(?:advertisement|iklan|sponsored|scroll\s+to\s+continue(?:\s+with\s+content)?|"
               r"posting\s+komentar|tulis\s+komentar|komentar|bagikan|share(?:\s+this)?|"
               r"tags?|topik|editor's\s+pick)\s*[:.]?\s*$", re.IGNORECASE),
    # view counters: "Read: 420 Views", "Dibaca 1.234 kali", "👁 120 views"
    re.compile(r"^(?:\W{0,3}\s*)?(?:read|dibaca|views?|dilihat)\s*:?\s*[\d.,]+\s*(?:views?|kali|x)?\s*$",
               re.IGNORECASE),
    re.compile(r"^[\d.,]+\s*(?:views?|kali\s+dibaca|pembaca)\s*$", re.IGNORECASE),
]
# "Iklan" followed by a few words is an ad slot label; a long line that starts
# with the word is a sentence about advertising and stays.
_SHORT_AD = re.compile(r"^(?:iklan|advertisement|ads?)\s*[:\-–—]\s*[^.!?]{0,40}$", re.IGNORECASE)


def is_noise(line: str) -> bool:
    """Page furniture that must never reach the body."""
    text = line.strip()
    if not text:
        return False
    if _NOISE[0].match(text):
        return True
    if any(p.match(text) for p in _NOISE[1:]):
        return True
    return bool(_SHORT_AD.match(text)) and len(text.split()) <= 6


# ---------------------------------------------------------------- credits, sources

_AUTHOR_KEYS = r"penulis|reporter|pewarta|wartawan|author|writer|written\s+by|oleh|by|kontributor"
_CREDIT_KEYS = rf"{_AUTHOR_KEYS}|editor|redaktur|penyunting|fotografer|foto|photo|pewarta\s+foto"
_CREDIT_LINE = re.compile(rf"^(?:{_CREDIT_KEYS})\s*:", re.IGNORECASE)
_CREDIT_PART = re.compile(rf"(?P<key>{_CREDIT_KEYS})\s*:\s*(?P<val>.*?)(?=\s*(?:[|/;,]\s*)?"
                          rf"(?:\b(?:{_CREDIT_KEYS})\s*:)|\s*$)", re.IGNORECASE)
_SOURCE = re.compile(r"^(?:sumber|source)\s*:\s*(?P<val>.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class CreditLine:
    authors: tuple[str, ...]
    photo: str  # "Foto: X" part, if any


def credit_line(line: str) -> CreditLine | None:
    """``Penulis: A | Editor: B``, ``Pewarta: X``, ``Reporter: A Editor: B``."""
    text = line.strip()
    if not _CREDIT_LINE.match(text) or len(text) > 200:
        return None
    parts = list(_CREDIT_PART.finditer(text))
    if not parts:
        return None
    keys = [p.group("key").lower() for p in parts]
    if all(k in ("foto", "photo") for k in keys):
        return None  # "Foto: ..." alone is a photo credit, handled with captions
    authors: list[str] = []
    photo = ""
    for p in parts:
        key, val = p.group("key").lower(), p.group("val").strip(" |/;,")
        if not val:
            continue
        if re.match(_AUTHOR_KEYS + r"$", key, re.IGNORECASE):
            authors.extend(split_names(val))
        elif key in ("foto", "photo", "fotografer", "pewarta foto"):
            photo = val
    return CreditLine(tuple(authors), photo)


def split_names(value: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|&|\bdan\b|\band\b)\s*", value)
    return [p.strip(" .") for p in parts if p.strip(" .")]


def source_line(line: str) -> str | None:
    """``Sumber: Humas Pemkot Malang`` -> ``Humas Pemkot Malang``."""
    m = _SOURCE.match(line.strip())
    return m.group("val").strip() if m else None


# ---------------------------------------------------------------- byline codes

_BYLINE_END = re.compile(r"(?P<pre>^|.*?)\s*[\(\[]\s*(?P<code>[^()\[\]]{1,40}?)\s*[\)\]]\s*$", re.DOTALL)
_CODE = re.compile(r"^(?:/?\s*\*{0,3}\s*(?:/\s*)?)?[A-Za-z0-9][A-Za-z0-9.\-]*"
                   r"(?:\s*/\s*[A-Za-z0-9*][A-Za-z0-9.\-*]*)*\s*/?$|^\*{1,3}$")
_TERMINAL = '.!?"”’\''


def _byline_code(code: str, alone: bool, before: str) -> str | None:
    code = code.strip()
    if not _CODE.match(code) or len(code) > 30:
        return None
    letters = re.sub(r"[^A-Za-z*]", "", code)
    if not letters:
        return None  # "(2025)" or "(12)"
    if re.fullmatch(r"(?:foto|photo|ist|istimewa|dok|doc|antara)\b.*", code, re.IGNORECASE):
        return None  # a photo credit, not a byline
    slashy = "/" in code or "*" in code
    if not slashy:
        # "(Gum)", "(CP-01)": accepted only where a code stands: alone on the
        # line or right after the closing punctuation of the last sentence.
        if len(code) > 10:
            return None
        if not alone and not before.rstrip().endswith(tuple(_TERMINAL)):
            return None
    normalised = re.sub(r"\s*/\s*", "/", code)
    return normalised.lstrip("/") if normalised != "/" else None


def split_byline(text: str) -> tuple[str, str] | None:
    """``"... berdaya saing. (/gil/yn)"`` -> ``("... berdaya saing.", "gil/yn")``."""
    m = _BYLINE_END.match(text.rstrip())
    if not m:
        return None
    before = m.group("pre")
    code = _byline_code(m.group("code"), not before.strip(), before)
    if code is None:
        return None
    return before.rstrip(), code


# ---------------------------------------------------------------- captions and photo credits

_CREDIT_WORDS = (r"foto|photo|dok\.?|dokumentasi|doc\.?|ist\.?|istimewa|antara(?:\s+foto)?|"
                 r"humas|prokompim|kominfo|diskominfo|sumber\s+foto|kredit|credit|courtesy|"
                 r"reuters|afp|ap|tempo|kompas|detik")
_PAREN_CREDIT = re.compile(rf"\s*[\(\[]\s*(?P<c>(?:{_CREDIT_WORDS})(?:\b|(?<=\.))[^()\[\]]{{0,80}})[\)\]]\s*$",
                           re.IGNORECASE)
_TAIL_CREDIT = re.compile(r"\s*(?:[-–—|]\s*)?\b(?P<c>(?:foto|photo|kredit|credit)\s*:\s*[^:]{2,80})$",
                          re.IGNORECASE)
_SLASH_CREDIT = re.compile(r"\s+/\s*(?P<c>[A-Z][^/]{2,50})$")
_IST = re.compile(r"\s*[-–—]?\s*\b(?P<c>ist|istimewa)\.?$", re.IGNORECASE)
# A whole line that is a credit: bracketed "(Foto: Deny/Humas)", labelled
# "Foto: Dok. Prokompim", or a bare "Dok. Humas" / "Istimewa" / "ist".
_CREDIT_ONLY = re.compile(
    rf"^[\(\[]\s*(?P<c>(?:{_CREDIT_WORDS})(?:\b|(?<=\.))[^()\[\]]{{0,80}})[\)\]]$"
    r"|^(?P<l>(?:foto|photo|kredit|credit|sumber\s+foto)\s*[:/]\s*\S.{0,80})$"
    r"|^(?P<b>(?:dok\.|dokumentasi|istimewa|ist\.?)(?:\s+[^\s.!?]+){0,4})$", re.IGNORECASE)
_LABEL = re.compile(r"^(?:foto|photo|kredit|credit)\s*[:/]\s*", re.IGNORECASE)


def clean_credit(raw: str) -> str:
    """``"Foto: Deny/Humas"`` -> ``"Deny/Humas"``; brackets inside a credit are dropped
    (a credit is written back as ``(Kredit: ...)`` in Markdown, where they would end it)."""
    text = re.sub(r"[()\[\]]", " ", _LABEL.sub("", raw.strip()))
    return re.sub(r"\s+", " ", text).strip(" .")


def split_photo_credit(line: str) -> tuple[str, str] | None:
    """``"Caption (Foto: Deny/Humas)"`` -> ``("Caption", "Deny/Humas")``; None: no credit."""
    text = line.strip()
    for pattern in (_PAREN_CREDIT, _TAIL_CREDIT, _IST):
        m = pattern.search(text)
        if m and m.start() > 0:
            return text[: m.start()].rstrip(" -–—|,"), clean_credit(m.group("c"))
    m = _SLASH_CREDIT.search(text)
    if m and not re.search(r"https?://|www\.", text):
        return text[: m.start()].rstrip(" -–—|,"), m.group("c").strip()
    return None


def credit_only(line: str) -> str | None:
    """A line that is only a photo credit: ``(Foto: Deny/Humas)``, ``Foto: Dok. Prokompim``."""
    text = line.strip()
    if len(text.split()) > 8:
        return None
    m = _CREDIT_ONLY.match(text)
    if not m:
        return None
    return clean_credit(m.group("c") or m.group("l") or m.group("b"))


_SENTENCE_BREAK = re.compile(r"[.!?][\"”’']?\s+[A-Z“\"]")
_QUOTES = re.compile(r"[“”\"]")


def word_count(text: str) -> int:
    return len(text.split())


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(tuple('.!?:;"”’\')…'))


def looks_like_caption(text: str) -> bool:
    """A standalone photo caption: one clause, no final full stop, no quotation."""
    words = word_count(text)
    if words < 7 or words > 60:
        return False
    if ends_sentence(text) or _QUOTES.search(text):
        return False
    return not _SENTENCE_BREAK.search(text)


def looks_like_heading(text: str) -> bool:
    words = word_count(text)
    return 1 <= words <= 6 and not ends_sentence(text) and not _QUOTES.search(text) \
        and text[:1].isupper()


# ---------------------------------------------------------------- lists

_BULLET = re.compile(r"^(?:[-•*▪●◦·‣○■□➢➤►✓✔]|–)\s+(?P<t>\S.*)$")
_NUMBER = re.compile(r"^(?P<n>\d{1,3})[.)]\s+(?P<t>\S.*)$")


def list_item(line: str) -> tuple[bool, int, str] | None:
    """-> (ordered, number, text) for a list line."""
    m = _BULLET.match(line)
    if m:
        return False, 1, m.group("t")
    m = _NUMBER.match(line)
    if m:
        return True, int(m.group("n")), m.group("t")
    return None


# ---------------------------------------------------------------- titles

_SITE_SUFFIX = re.compile(r"\s+(?:[|–—]|-|::)\s+(?P<site>[^|–—]{3,80})$")
_SITE_WORDS = re.compile(r"\b(?:pemerintah|pemkot|pemkab|pemprov|portal|situs|website|humas|"
                         r"diskominfo|kominfo|official|news|berita|\w+\.(?:go\.id|com|id|net|org))\b",
                         re.IGNORECASE)


def title_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def strip_site_suffix(title: str, force: bool = False) -> str:
    m = _SITE_SUFFIX.search(title)
    if m and (force or _SITE_WORDS.search(m.group("site"))):
        return title[: m.start()].rstrip()
    return title


def same_title(a: str, b: str) -> bool:
    """Exact or near-exact repeat, ignoring case, punctuation and a site suffix."""
    ka, kb = title_key(a), title_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    sa, sb = title_key(strip_site_suffix(a, True)), title_key(strip_site_suffix(b, True))
    if sa and sb and (sa == kb or sb == ka or sa == sb):
        return True
    return difflib.SequenceMatcher(None, ka, kb).ratio() >= 0.92


# ---------------------------------------------------------------- datelines

_SEP = r"(?:[–—]{1,2}|-{1,2}|//|\|\||:)"
_WORD = r"[A-Z][A-Za-z'’.]*"
_PLACE = rf"{_WORD}(?:\s+{_WORD}){{0,3}}"
_LABELS = {"penulis", "editor", "sumber", "foto", "catatan", "informasi", "keterangan",
           "baca", "oleh", "reporter", "pewarta", "update", "note", "photo", "source", "by",
           "jakarta post"}

# TIMES MALANG, MALANG –
_OUTLET_FIRST = re.compile(rf"^(?P<outlet>[A-Z][A-Z0-9.&]+(?:\s+[A-Z0-9.&]+){{0,3}}),\s*"
                           rf"(?P<place>[A-Z][A-Z'’.]+(?:\s+[A-Z][A-Z'’.]+){{0,2}})\s*{_SEP}\s*(?P<rest>.*)$",
                           re.DOTALL)
# Jakarta, May 29, 2017 (Antara) -
_WITH_DATE = re.compile(rf"^(?P<place>{_PLACE}),\s*(?P<date>[A-Za-z0-9 ,/]{{4,40}}?)\s*"
                        rf"\((?P<outlet>[^()]{{0,40}})\)\s*{_SEP}?\s*(?P<rest>.*)$", re.DOTALL)
# Blimbing () –, Malang, ( –, Klojen (malangkota.go.id) –, SURABAYA –, CIREBON-
_PLAIN = re.compile(rf"^(?P<place>{_PLACE}(?:,\s*{_WORD}(?:\s+{_WORD})?)?)\s*,?\s*"
                    rf"(?:\((?P<outlet>[^()]{{0,40}})(?:\)|(?=\s*{_SEP}))\s*)?"
                    rf"(?P<sep>{_SEP})?\s*(?P<rest>.*)$", re.DOTALL)


_OUTLET = re.compile(r"^\s*$|.*\.\w{2,}|\s*(?:antara|antaranews|ant|rri|tvri|kominfo|humas|"
                     r"diskominfo|prokompim|reuters|afp|ap)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Dateline:
    place: str
    rest: str  # the paragraph after the dateline
    date_text: str = ""  # a date written inside the dateline ("May 29, 2017")


def _title_case_place(place: str) -> str:
    place = re.sub(r"\s+", " ", place.strip(" ,"))
    letters = [c for c in place if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        words = []
        for w in place.split(" "):
            if len(w) <= 3 and w.isalpha():
                words.append(w)  # DKI, NTB, DIY stay acronyms
            else:
                words.append("-".join(p.capitalize() for p in w.split("-")))
        place = " ".join(words)
    return place


def _plausible_place(place: str) -> bool:
    p = place.strip()
    if not p or p.lower().rstrip(".") in _LABELS or len(p) > 40:
        return False
    return not re.search(r"\d", p)


def find_dateline(text: str, alone: bool = False) -> Dateline | None:
    """The dateline at the start of the first paragraph (or alone on a line)."""
    text = text.strip()
    m = _OUTLET_FIRST.match(text)
    if m and (m.group("rest") or alone) and _plausible_place(m.group("place")):
        return Dateline(_title_case_place(m.group("place")), m.group("rest"))
    m = _WITH_DATE.match(text)
    if m and _plausible_place(m.group("place")) and re.search(r"\d{4}", m.group("date")):
        return Dateline(_title_case_place(m.group("place")), m.group("rest"), m.group("date"))
    m = _PLAIN.match(text)
    if not m:
        return None
    place, sep, rest = m.group("place"), m.group("sep"), m.group("rest")
    has_outlet = m.group("outlet") is not None
    if not _plausible_place(place):
        return None
    if alone:
        if rest.strip() or not (sep or has_outlet):
            return None
        return Dateline(_title_case_place(place), "")
    if not rest.strip():
        return None
    if not sep and not (has_outlet and _OUTLET.match(m.group("outlet") or "")):
        # Without a separator only a real outlet marks a dateline:
        # "Malang (ANTARA) Pemkot ..." but not "Warga (UMKM) warga ...".
        return None
    if not sep and not rest[:1].isupper():
        return None
    allcaps = place.upper() == place
    if sep:
        # "CIREBON-Pemkot" is a dateline; "Kota Batu-Pemkot" is a compound word:
        # a glued hyphen counts only after an ALL-CAPS place or an outlet.
        start, end = m.start("sep"), m.end("sep")
        spaced = start > 0 and text[start - 1] == " " and text[end:end + 1] == " "
        if sep in ("-", "--") and not (allcaps or has_outlet or spaced):
            return None
        if sep == ":" and not (allcaps or has_outlet):
            return None
    if not allcaps and not has_outlet and word_count(place) > 3:
        return None
    if rest[:1].islower() and not has_outlet:
        return None  # "Malang - yang ..." reads like a sentence, not a dateline
    return Dateline(_title_case_place(place), rest)
