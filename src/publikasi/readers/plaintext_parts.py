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
_SOURCE_KEYS = r"sumber\s+berita|sumber|source"
_CREDIT_KEYS = (rf"{_AUTHOR_KEYS}|editor|redaktur|penyunting|fotografer|foto|photo|pewarta\s+foto|"
                rf"publish(?:er)?|publikasi|diunggah|upload(?:er)?|{_SOURCE_KEYS}")
_CREDIT_LINE = re.compile(rf"^(?:{_CREDIT_KEYS})\s*:", re.IGNORECASE)
_CREDIT_PART = re.compile(rf"\b(?P<key>{_CREDIT_KEYS})\s*:\s*(?P<val>.*?)(?=\s*(?:[|/;,]\s*)?"
                          rf"(?:\b(?:{_CREDIT_KEYS})\s*:)|\s*$)", re.IGNORECASE)
_SOURCE = re.compile(r"^(?:sumber|source)\s*:\s*(?P<val>.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class CreditLine:
    authors: tuple[str, ...]
    photo: str  # "Foto: X" part, if any
    source: str = ""  # "Source: X" part, if any


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
    if all(re.fullmatch(_SOURCE_KEYS, k, re.IGNORECASE) for k in keys):
        return None  # "Sumber: ..." alone: source_line
    authors: list[str] = []
    photo = source = ""
    for p in parts:
        key, val = p.group("key").lower(), p.group("val").strip(" |/;,")
        if not val:
            continue
        if re.match(r"(?:" + _AUTHOR_KEYS + r")$", key, re.IGNORECASE):
            authors.extend(split_names(val))
        elif key in ("foto", "photo", "fotografer", "pewarta foto"):
            photo = val
        elif re.fullmatch(_SOURCE_KEYS, key, re.IGNORECASE):
            source = val
    return CreditLine(tuple(authors), photo, source)


_PAREN_CREDIT_LINE = re.compile(
    rf"^(?P<key>{_AUTHOR_KEYS}|editor|redaktur|{_SOURCE_KEYS})\s*[\(\[]\s*\+?\s*"
    r"(?P<val>[^()\[\]]{1,80}?)\s*[\)\]]\s*$", re.IGNORECASE)


def paren_credit(line: str) -> tuple[str, str] | None:
    """``Editor (+nama)``, ``Sumber berita (*/ab)`` -> (kind, value); kind is
    ``author``, ``editor`` or ``source``."""
    m = _PAREN_CREDIT_LINE.match(line.strip())
    if not m:
        return None
    key = m.group("key").lower()
    if re.fullmatch(_SOURCE_KEYS, key, re.IGNORECASE):
        return "source", m.group("val").strip()
    if key in ("editor", "redaktur"):
        return "editor", m.group("val").strip()
    return "author", m.group("val").strip()


def split_names(value: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|&|\bdan\b|\band\b)\s*", value)
    return [p.strip(" .") for p in parts if p.strip(" .")]


def source_line(line: str) -> str | None:
    """``Sumber: Humas Pemkot Malang`` -> ``Humas Pemkot Malang``."""
    m = _SOURCE.match(line.strip())
    return m.group("val").strip() if m else None


# ---------------------------------------------------------------- byline codes

_BYLINE_END = re.compile(r"(?P<pre>^|.*?)\s*[\(\[]\s*(?P<code>[^()\[\]]{1,40}?)\s*[\)\]]\d{0,3}\s*$",
                         re.DOTALL)
# "(XY-humas kotaraya)", "(Hendrikus Harum)", "(Humasressb.dok)": accepted after the
# closing punctuation of the last sentence only.
_WORDY_CODE = re.compile(r"^[A-Za-z0-9]{1,8}-[A-Za-z]+(?:\s+[A-Za-z]+){0,3}$"
                         r"|^[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}$|^[A-Za-z]{2,14}\.[A-Za-z]{2,5}$")
_CODE = re.compile(r"^(?:/?\s*\*{0,3}\s*(?:/\s*)?)?[A-Za-z0-9][A-Za-z0-9.\-]*"
                   r"(?:\s*/\s*[A-Za-z0-9*][A-Za-z0-9.\-*]*)*\s*/?$|^\*{1,3}$")
_TERMINAL = '.!?"”’\''


def _byline_code(code: str, alone: bool, before: str) -> str | None:
    code = code.strip()
    if (_WORDY_CODE.match(code) and len(code) <= 30
            and (alone or before.rstrip().endswith(tuple(_TERMINAL)))):
        return code
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

_CREDIT_WORDS = (r"foto|photo|dok\.?|dokumentasi|doc\.?|ist\.?|istimewa|antara(?:\s*foto)?|"
                 r"tangkapan\s+layar|screenshot|"
                 r"humas|prokompim|kominfo|diskominfo|sumber\s+foto|kredit|credit|courtesy|"
                 r"reuters|afp|ap|tempo|kompas|detik")
_PAREN_CREDIT = re.compile(rf"\s*[\(\[]\s*(?P<c>(?:{_CREDIT_WORDS})(?:\b|(?<=\.))[^()\[\]]{{0,80}})[\)\]]\s*$",
                           re.IGNORECASE)
_TAIL_CREDIT = re.compile(r"\s*(?:[-–—|]\s*)?\b(?P<c>(?:foto|photo|kredit|credit)\s*:\s*[^:]{2,80})$",
                          re.IGNORECASE)
_SLASH_CREDIT = re.compile(r"\s+/\s*(?P<c>[A-Z][^/]{2,50})$")
# "... di bengkel sekolah. KOTARAYAPOS/Dok. SMKN 2", "Menteri X/BISNIS-Nama Fotografer"
_OUTLET_SLASH_CREDIT = re.compile(r"(?:(?<=[.!?])\s+(?P<c>[A-Z]{3,}[A-Z0-9.]*/[^/]{2,60})"
                                  r"|/(?=[A-Z]{3,}-)(?P<c2>[A-Z]{3,}-[^/]{2,60}))$")
_IST = re.compile(r"\s*[-–—]?\s*\b(?P<c>ist|istimewa)\.?$", re.IGNORECASE)
# "...--Foto humaspemprovsumsel", "... (NamaMediaCom)", "... (kotaraya.go.id)"
_DASH_CREDIT = re.compile(r"\s*--\s*(?P<c>(?:foto|photo)\s*:?\s*\S.{0,60})$", re.IGNORECASE)
_MEDIA_CREDIT = re.compile(r"\s*[\(\[]\s*(?P<c>[A-Z][a-z]+(?:[A-Z][a-z]+)*?(?:Com|com|ID|Id)"
                           r"|[\w\-]+(?:\.[\w\-]+)*\.(?:com|id|net|tv))\s*[\)\]]$")
# A whole line that is a credit: bracketed "(Foto: Deny/Humas)", labelled
# "Foto: Dok. Prokompim", or a bare "Dok. Humas" / "Istimewa" / "ist".
_CREDIT_ONLY = re.compile(
    rf"^[\(\[]\s*(?P<c>(?:{_CREDIT_WORDS})(?:\b|(?<=\.))[^()\[\]]{{0,80}})[\)\]]$"
    r"|^(?P<l>(?:foto|photo|kredit|credit|sumber\s+foto)\s*[:/]\s*\S.{0,80})$"
    r"|^(?P<b>(?:dok\.|dokumentasi|istimewa|ist\.?)(?:\s+[^\s.!?]+){0,4})$"
    # "Tribunternate.com/Nurhidayat Hi Gani", "TRIBUNBANYUMAS/Dok Humas Pemkab X"
    r"|^(?P<o>(?:[\w\-]+\.(?:com|id|co\.id|net)|[A-Z]{4,}[A-Z0-9]*)\s*/\s*[A-Z][^/]{2,60})$",
    re.IGNORECASE)
_LABEL = re.compile(r"^(?:foto|photo|kredit|credit)(?:\s*[:/]\s*|\s+)", re.IGNORECASE)


def clean_credit(raw: str) -> str:
    """``"Foto: Deny/Humas"`` -> ``"Deny/Humas"``; brackets inside a credit are dropped
    (a credit is written back as ``(Kredit: ...)`` in Markdown, where they would end it)."""
    text = re.sub(r"[()\[\]]", " ", _LABEL.sub("", raw.strip()))
    return re.sub(r"\s+", " ", text).strip(" .")


def split_photo_credit(line: str) -> tuple[str, str] | None:
    """``"Caption (Foto: Deny/Humas)"`` -> ``("Caption", "Deny/Humas")``; None: no credit."""
    text = line.strip()
    for pattern in (_PAREN_CREDIT, _TAIL_CREDIT, _IST, _DASH_CREDIT, _MEDIA_CREDIT):
        m = pattern.search(text)
        if m and m.start() > 0:
            return text[: m.start()].rstrip(" -–—|,"), clean_credit(m.group("c"))
    m = _OUTLET_SLASH_CREDIT.search(text)
    if m:
        return text[: m.start()].rstrip(" -–—|,"), (m.group("c") or m.group("c2")).strip()
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
    return clean_credit(m.group("c") or m.group("l") or m.group("b") or m.group("o"))


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
        kept = title[: m.start()].rstrip()
        if word_count(kept) < 3 <= word_count(m.group("site")) - 3:
            return title  # "Bhabinkamtibmas | Jelang Pilkada ...": a kicker, not a site name
        return kept
    return title


def same_title(a: str, b: str) -> bool:
    """Exact or near-exact repeat, ignoring case, punctuation and a site suffix."""
    ka, kb = title_key(a), title_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    sa, sb = title_key(strip_site_suffix(a, True)), title_key(strip_site_suffix(b, True))
    if sa and sb and (sa in (kb, sb) or sb == ka):
        return True
    return difflib.SequenceMatcher(None, ka, kb).ratio() >= 0.92


# ---------------------------------------------------------------- datelines

_SEP = r"(?:[–—]{1,2}|-{1,2}|//|\|\||:)"
_WORD = r"[A-Z][A-Za-z'’.]*"
_PLACE = rf"{_WORD}(?:\s+{_WORD}){{0,3}}"
_LABELS = {"penulis", "editor", "sumber", "foto", "catatan", "informasi", "keterangan",
           "baca", "oleh", "reporter", "pewarta", "update", "note", "photo", "source", "by",
           "jakarta post", "for immediate release", "untuk segera diterbitkan", "contact",
           "kontak", "narahubung", "embargo", "release", "updated", "posted", "published"}

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
    if "," in place:
        return ", ".join(_title_case_place(p) for p in place.split(","))
    letters = [c for c in place if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        words = []
        for w in place.split(" "):
            if w.isalpha() and (len(w) <= 3 or not re.search("[AEIOU]", w)):
                words.append(w)  # DKI, NTB, DIY, BPBD stay acronyms
            else:
                words.append("-".join(p.capitalize() for p in w.split("-")))
        place = " ".join(words)
    return place


def _plausible_place(place: str) -> bool:
    p = place.strip()
    if not p or p.lower().rstrip(".") in _LABELS or len(p) > 40:
        return False
    return not re.search(r"\d", p)


_DOMAIN = r"[A-Za-z0-9][\w\-]*(?:\.[\w\-]+)*\.(?i:com|id|net|org|tv|news|info|co|web\.id|go\.id)\b"
_OUTLET_STEM = re.compile(
    r"berita|warta|kabar|news|\bpos\b|post\b|times|media|tribun|radar|info|\btv\b|online|suara|"
    r"harian|jurnal|koran|antara|kompas|detik|tempo|humas|portal|garda|channel|\bfm\b|\brri\b|"
    r"inews|okezone|liputan|\bpolres|\bpolsek|\bpolda|\bpemkab\b|\bpemkot\b|\bpemprov\b|"
    r"diskominfo|prokompim", re.IGNORECASE)
_OUTLET_NAME = rf"(?:{_DOMAIN}|[A-Za-z][\w.&’'\-]*(?:\s+[A-Za-z][\w.&’'\-]*){{0,2}})"
_WIRE_SEP = r"(?:[–—]{1,2}|-{1,2}|//|\|\||\||:)"
# Kotaraya, Suarakita - / Kotaraya,beritakita.id- / Kotaraya, Warta Nusantara |
_PLACE_OUTLET = re.compile(rf"^(?P<place>{_PLACE})\s*,\s*(?P<outlet>{_OUTLET_NAME})\s*"
                           rf"(?P<sep>{_WIRE_SEP})\s*(?P<rest>\S.*)$", re.DOTALL)
# BORNEONEWS, Kasongan - / Context.id, JAKARTA - / JAVASATU.COM-GRESIK- / Aktivitas.ID -
_OUTLET_PLACE = re.compile(rf"^(?P<outlet>{_OUTLET_NAME})\s*(?:,\s*|\s+|-)(?:(?P<place>{_PLACE})\s*)?"
                           rf",?\s*(?P<sep>{_WIRE_SEP})\s*(?P<rest>\S.*)$", re.DOTALL)
# SPRINGFIELD, Ill., March 3 -- / YOGYAKARTA, 16 NOVEMBER 2025 –
_PLACE_DATE = re.compile(rf"^(?P<place>{_PLACE}(?:,\s*(?:[A-Z][a-z]{{1,5}}\.(?:\s?[A-Z][a-z]?\.)?|"
                         rf"[A-Z]{{2}}))?)\s*,\s*(?P<date>[A-Za-z0-9 ,./]{{4,32}}?)\s*"
                         rf"(?P<sep>{_WIRE_SEP})\s*(?P<rest>\S.*)$", re.DOTALL)


def is_outlet(name: str) -> bool:
    """A news outlet or press office name (a domain, or words such as Warta, News, Humas)."""
    name = name.strip(" ,.")
    return bool(re.fullmatch(_DOMAIN, name, re.IGNORECASE) or _OUTLET_STEM.search(name))


def outlet_dateline(text: str) -> Dateline | None:
    """A dateline that names an outlet (or a date): strong evidence of where the text starts."""
    found = _outlet_dateline(text.strip())
    return found if found is not None and (found.date_text or _names_outlet(text)) else None


def _names_outlet(text: str) -> bool:
    head = re.split(r"\s(?:[–—]{1,2}|-{1,2}|\|)\s|(?<=\w)-{1,2}(?=[A-Z])", text, maxsplit=1)[0]
    return bool(re.search(_DOMAIN, head) or _OUTLET_STEM.search(head))


def _outlet_dateline(text: str) -> Dateline | None:
    """Datelines that name an outlet: the place is kept, the outlet dropped."""
    from .plaintext_dates import find_dates

    m = _PLACE_DATE.match(text)
    if m and _plausible_place(m.group("place")) and m.group("rest")[:1].isupper():
        found = find_dates(m.group("date"), loose=True)
        if found and found[0].start == 0 and found[0].end >= len(m.group("date").rstrip(" ,")) - 1:
            return Dateline(_title_case_place(m.group("place")), m.group("rest"), m.group("date"))
    m = _PLACE_OUTLET.match(text)
    if (m and is_outlet(m.group("outlet")) and _plausible_place(m.group("place"))
            and not is_outlet(m.group("place")) and m.group("rest")[:1].isupper()):
        return Dateline(_title_case_place(m.group("place")), m.group("rest"))
    m = _OUTLET_PLACE.match(text)
    if m and is_outlet(m.group("outlet")) and m.group("rest")[:1].isupper():
        place = m.group("place") or ""
        if place and (not _plausible_place(place) or is_outlet(place)):
            return None
        return Dateline(_title_case_place(place), m.group("rest"))
    return None


def find_dateline(text: str, alone: bool = False) -> Dateline | None:
    """The dateline at the start of the first paragraph (or alone on a line)."""
    text = text.strip()
    if not alone:
        outlet = _outlet_dateline(text)
        if outlet is not None and word_count(outlet.rest) >= 3:
            return outlet
    m = _OUTLET_FIRST.match(text)
    if m and (m.group("rest") or alone) and _plausible_place(m.group("place")):
        place = m.group("place")
        if not is_outlet(m.group("outlet")):
            # "TERNATE, OT -", "PALU, MERCUSUAR –": without a sign of which part is the
            # outlet, the wire order (place first) holds.
            place = m.group("outlet")
        return Dateline(_title_case_place(place), m.group("rest"))
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


# ---------------------------------------------------------------- page chrome

# Lines a web page puts around a release.  Each pattern names what it drops
# (the reader lists dropped lines in its warnings).  ``_ANYWHERE`` lines are
# chrome wherever they stand; ``_HEAD_OR_TAIL`` lines only above the title or
# first paragraph, or after the last paragraph (in the body they may be text).
_ANYWHERE = [
    ("view counter", re.compile(
        r"^\W{0,3}\s*(?:\d[\d.,]*\s*(?:kali\s+dibaca|kali\s+dilihat|x\s+dibaca|views?|hits|reads?|"
        r"pembaca|dilihat|dibaca)|(?:visibility|views?|dibaca|dilihat|hits|pembaca)\s*:?\s*"
        r"\d[\d.,]*(?:\s*(?:kali|x|views?))?)\s*$", re.IGNORECASE)),
    ("view counter", re.compile(r"^\|?\s*views?\s*:\s*\d[\d.,]*\s*\|.{0,80}$", re.IGNORECASE)),
    ("comment counter", re.compile(
        r"^\W{0,3}\s*(?:comment\s+\d+\s+komentar|\d+\s+(?:komentar(?:-komentar)?|comments?|"
        r"tanggapan)|komentar\s*\d+|tuliskan\s+komentar|tulis\s+komentar|"
        r"(?:no|tidak\s+ada|belum\s+ada)\s+(?:comments?|komentar)|leave\s+a\s+(?:reply|comment)|"
        r"please\s+enter\s+your\s+(?:comment|name)(?:\s+here)?!?)\.?$", re.IGNORECASE)),
    ("breadcrumb", re.compile(r"^(?:[^»›>]{1,40}\s*[»›>]\s*){2,}[^»›>]*$")),
    ("breadcrumb", re.compile(r"^(?:home|beranda|index)\s*[/»›>|]\s*\S.{0,60}$", re.IGNORECASE)),
    ("copyright line", re.compile(
        r"^(?:copyright|hak\s+cipta|©|\(c\))\s*(?:©|\(c\))?\s*.{0,60}\b(?:19|20)\d\d\b.{0,60}$",
        re.IGNORECASE)),
    ("image file name", re.compile(
        r"^(?:[\w\-. ]{1,80}\.(?:jpe?g|png|gif|webp|heic|bmp|tiff?))\s*(?:\(\d+\))?$"
        r"|^whatsapp\s+image\s+\d{4}[-\s]\d{2}[-\s]\d{2}\s+at\s+[\d.:]+(?:\s*\(\d+\))?"
        r"(?:\.(?:jpe?g|png))?$|^(?:IMG|DSC|DSCN|PXL|VID)[-_]\d{6,8}[-_]?\w*$", re.IGNORECASE)),
    ("page furniture", re.compile(
        r"^(?:breaking\s+news:?|trending\s+tags|light_mode|dark_mode|print|cetak|share|bagikan|"
        r"latest\s+news|berita\s+terkini|berita\s+terpopuler|berita\s+pilihan|bacaan\s+lainnya|"
        r"pos\s+terkait|powered\s+by\s+\w+|tag|kategori\s*:?|categories\s*:?|"
        r"(?:for\s+immediate\s+release|untuk\s+segera\s+(?:disiarkan|diterbitkan)))\.?$",
        re.IGNORECASE)),
    ("contact line", re.compile(
        r"^(?:(?:media|press|news)\s+)?(?:contacts?|kontak|narahubung|informasi\s+lebih\s+lanjut|"
        r"for\s+more\s+information(?:\s+contact)?)\s*:\s*\S.{0,150}$", re.IGNORECASE)),
    ("rule or end mark", re.compile(r"^(?:[_=*~#.•·\s]{1,}|-{0,2}\s*30\s*-{0,2}|#\s*#\s*#|-end-|"
                                    r"\(end\)|\[end\]|\(selesai\))$", re.IGNORECASE)),
    ("release number", re.compile(
        r"^(?:siaran\s+pers|press\s+release|news\s+release|rilis(?:\s+pers)?)\s*(?:no\.?|nomor|"
        r"number|nr\.?|#)\s*:?\s*[\w./\-]*\d[\w./\- ]{0,40}$"
        r"|^(?:nomor|no\.?)\s*:?\s*[\w.\-]*\d[\w.\-]*(?:/[\w.\-]+){2,}$", re.IGNORECASE)),
]
_SECTION_WORDS = (
    r"berita|berita\s+daerah|berita\s+utama|berita\s+kota|berita\s+kabupaten|berita\s+umum|"
    r"siaran\s+pers|rilis|press\s+release|press\s+releases|news|news\s+release|news\s+flash|"
    r"city\s+news|headlines?|pengumuman|artikel|pemerintahan|kegiatan|informasi|nasional|daerah|"
    r"ekonomi|politik|hukum|pendidikan|kesehatan|olahraga|peristiwa|polri|stories|blog|home|"
    r"beranda|menu|news\s+archive|public\s+works\s+news|humas|agenda|kabar\s+daerah|"
    r"regional|metro|nusantara|advertorial|opini|galeri|info\s+publik")
_HEAD_OR_TAIL = [
    ("section label", re.compile(rf"^(?:{_SECTION_WORDS})\s*:?$", re.IGNORECASE)),
    ("site name", re.compile(
        r"^(?:(?:portal|situs|website|web|laman)\s+(?:resmi\s+)?|official\s+(?:website|site|"
        r"portal)\s+of\s+(?:the\s+)?|the\s+official\s+website\s+of\s+(?:the\s+)?)"
        r"(?:pemerintah|pemkot|pemkab|pemprov|kabupaten|kota|provinsi|dinas|badan|kementerian|"
        r"sekretariat|universitas|polres|polda|city|county|town|village)\b.{0,60}$", re.IGNORECASE)),
    # "Pemerintah Kota Malang", "City of Ashford" (the name capitalised, no full stop:
    # "Pemerintah kota warga." is a sentence)
    ("site name", re.compile(r"^(?i:pemerintah\s+(?:kota|kabupaten|provinsi)|city\s+of|"
                             r"county\s+of|town\s+of)\s+[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,2}$")),
    ("page counter", re.compile(r"^\d{1,6}$")),
    ("site address", re.compile(r"^(?:https?://)?(?:www\.)?[\w\-]+(?:\.[\w\-]+)+/?$", re.IGNORECASE)),
    ("page furniture", re.compile(r"^(?:[A-Za-z]+\s*/\s*){1,3}[A-Za-z]+$")),
]


def chrome_kind(line: str, edge: bool) -> str | None:
    """What kind of page chrome ``line`` is (None: not chrome).

    ``edge`` is True above the release's first paragraph and below its last,
    where a section label or a site name can only be page furniture.
    """
    text = line.strip()
    if not text or len(text) > 200:
        return None
    for kind, pattern in _ANYWHERE:
        if pattern.match(text):
            return kind
    if edge and not text.endswith((".", "!", "?")):
        for kind, pattern in _HEAD_OR_TAIL:
            if pattern.match(text):
                if kind == "page furniture" and not re.search(r"\s/\s|^\w+/\w+$", text):
                    continue
                return kind
    return None


_FOOTER_YEAR = re.compile(r"(?:copyright|hak\s+cipta|©|\(c\))\D{0,60}?((?:19|20)\d\d)(?!\d)",
                          re.IGNORECASE)


def footer_year(line: str) -> int | None:
    """The year of a copyright line (``© 2024 Pemkab X``), if ``line`` is one."""
    m = _FOOTER_YEAR.search(line)
    return int(m.group(1)) if m and len(line) <= 200 else None


# ---------------------------------------------------------------- metadata lines

_GENERIC_NAMES = {"admin", "administrator", "redaksi", "redaktur", "humas", "webmaster",
                  "editor", "tim", "tim redaksi", "operator", "superadmin", "staff", "staf",
                  "diskominfo", "prokompim", "bagian", "subbag"}
_META_LINE = re.compile(
    r"^(?:[•·\-–|]\s*)?(?i:oleh|by|posted\s+by|ditulis\s+oleh|diposting\s+oleh|diunggah\s+oleh|"
    r"penulis|author)\s*:?\s+(?P<name>[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.,'’\-]*){0,4})"
    r"(?P<rest>(?:\s*[,|\-–•]?\s+.*)?)$")


@dataclass(frozen=True)
class MetaLine:
    author: str  # "" for a generic name such as Admin
    rest: str  # what follows the name (date, time, section)


def meta_line(line: str) -> MetaLine | None:
    """``Oleh Admin 11 Mar 2024, 10:15 WIB Berita``, ``• Oleh Abdul Gofur``."""
    text = line.strip()
    if len(text.split()) > 16 or (ends_sentence(text.rstrip(". ")) and text.endswith(".")):
        return None
    m = _META_LINE.match(text)
    if not m:
        return None
    name = m.group("name").strip(" ,.")
    rest = m.group("rest").strip(" ,|-–•")
    words = name.split()
    # "Oleh Admin 11 Mar 2024": the name ends where the date begins.
    for i, w in enumerate(words):
        if re.match(r"\d", w):
            rest = " ".join(words[i:]) + (" " + rest if rest else "")
            words = words[:i]
            break
    name = " ".join(words).strip(" ,.")
    if not name:
        return None
    if rest and not re.search(r"\d", rest):
        return None  # "Oleh Karena Itu Warga Diminta ...": a sentence, not a byline
    generic = name.lower() in _GENERIC_NAMES or name.split()[0].lower() in _GENERIC_NAMES
    return MetaLine("" if generic else name, rest)


def section_of(rest: str) -> str:
    """The section named after a metadata line's date and time (``... WIB Berita``)."""
    m = re.search(r"(?:WIB|WITA|WIT|\d{1,2}[.:]\d{2}|\d{4})\s*[,|\-–]?\s*"
                  r"(?P<s>[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2})\s*$", rest)
    return re.sub(r"^(?:WIB|WITA|WIT)\s*", "", m.group("s")) if m else ""


# "dok. | Bupati menggunting pita": a credit written before the caption
_CREDIT_FIRST = re.compile(r"^(?P<c>(?:dok\.?|dokumentasi|ist\.?|istimewa|foto)(?:\s+[\w.]+){0,2})"
                           r"\s*\|\s*(?P<cap>\S.*)$", re.IGNORECASE)


def credit_first(line: str) -> tuple[str, str] | None:
    """``dok. | Caption`` -> (caption, credit)."""
    m = _CREDIT_FIRST.match(line.strip())
    if not m or word_count(m.group("cap")) < 3:
        return None
    return m.group("cap").strip(" |"), clean_credit(m.group("c"))


def labelled_credit(credit: str) -> bool:
    """A credit that names itself as one (``Foto: ...``, ``ANTARA``): a caption may be long."""
    return bool(re.match(r"(?:foto|photo|antara|dok)", credit, re.IGNORECASE))


_POSITION = re.compile(
    r"^(?:kepala|kabag|kabid|kasubag|kasubbag|kasi|plt\.?|plh\.?|sekretaris|juru\s+bicara|jubir|"
    r"direktur|kapolres|kapolsek|kapolda|kabid\s+humas|wali\s+kota|bupati|camat|rektor|"
    r"head|director|manager|chief|public\s+information\s+officer|communications?\s+"
    r"(?:director|manager|officer|specialist)|spokes(?:person|man|woman)|mayor|city\s+manager|"
    r"press\s+officer)\b", re.IGNORECASE)


def is_position_line(text: str) -> bool:
    """``Kepala Bagian Humas Setda Kotaraya``: the title line of a signature block."""
    return bool(_POSITION.match(text)) and word_count(text) <= 14 and not text.endswith((".", "!", "?"))


def is_name_line(text: str) -> bool:
    """A person's name alone on a line (``Sutopo Purwo Nugroho``, ``Dra. Ani, M.Si``)."""
    return (1 <= word_count(text) <= 6 and not ends_sentence(text.rstrip(".,"))
            and all(w[:1].isupper() for w in text.replace(",", " ").split()))


_SIGNOFF = re.compile(r"^(?:tim\s+)?(?:humas|bag(?:ian)?\s+humas|subbag\s+humas|diskominfo|"
                      r"prokompim|humas\s+dan\s+protokol|media\s+relations?|press\s+office)"
                      r"(?:\s+[\w.&/\-]+){0,5}$", re.IGNORECASE)


def signoff(text: str) -> str | None:
    """``HUMAS POLSEK KENDURUAN`` at the very end of a release -> the office's name."""
    t = text.strip(" .")
    if not _SIGNOFF.match(t) or word_count(t) > 6:
        return None
    return _title_case_place(t) if t.isupper() else t


_LEAD_PHOTO = re.compile(r"^(?:foto|photo|gambar|image)(?:\s+utama)?\s+(?:oleh|by|dari|from)\s*:?\s*"
                         r"(?P<c>\S.{0,60})$", re.IGNORECASE)


def lead_photo_credit(line: str) -> str | None:
    """``Foto utama oleh kotarayanews.com``: the credit of a photo the text does not hold."""
    m = _LEAD_PHOTO.match(line.strip())
    if not m or word_count(line) > 10 or re.search(r"[!?,;]|\.$|\d{1,2}/\d{1,2}", m.group("c")):
        return None  # "Foto dari warga, Senin (10/11/2025).": a sentence that starts with "Foto"
    return m.group("c").strip(" .")
