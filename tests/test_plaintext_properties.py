"""Property tests for the plain-text reader (hypothesis).

1. Any text -> a list of articles or an InputError, never another exception
   (also under --strict, and for any bytes through decode_bytes).
2. Never loses a sentence of body text.  Precisely: a *body sentence* is a
   sentence that the release generator below put into a body paragraph or a
   list item: it starts with a capitalised word, has 3-12 words and ends with
   ".", "!" or "?".  Whatever the quirks around it (repeated titles, every
   dateline form, captions, page noise, credit lines, byline codes, CRLF/CR,
   tabs, non-breaking spaces, blank and whitespace-only lines, form feeds),
   every body sentence occurs, character for character after whitespace
   normalisation, in the text of the article's paragraphs, list items and
   headings, in the order it was written.  Page chrome copied from web pages
   (site names, counters, file names, contact lines, datelines with outlets,
   metadata and sign-off lines) is part of the quirks.
3. Round trip: the Markdown written by ``publikasi import`` for a generated
   release reads back as the same article.

CI runs a fixed, derandomised profile; ``PUBLIKASI_FUZZ=long`` runs many
more examples (still reproducible).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from publikasi.errors import InputError, Problems
from publikasi.mdwriter import write_markdown
from publikasi.model import Article, Heading, ListBlock, Paragraph, plain_text
from publikasi.readers.common import ReadContext
from publikasi.readers.markdown import read_markdown
from publikasi.readers.plaintext import decode_bytes, read_plaintext

settings.register_profile(
    "plaintext-ci", derandomize=True, max_examples=120, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "plaintext-long", derandomize=True, max_examples=3000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile(
    "plaintext-long" if os.environ.get("PUBLIKASI_FUZZ") == "long" else "plaintext-ci")

FILE = Path("rilis.txt")
RELEASE = dt.date(2025, 11, 14)


def ctx(strict: bool = False, release: dt.date | None = RELEASE) -> ReadContext:
    return ReadContext(root=Path.cwd(), release_date=release, strict=strict, problems=Problems())


# ---------------------------------------------------------------- 1. never crashes

_TRICKY = st.sampled_from([
    "\n", "\r\n", "\r", "\x0b", "\x0c", "\u00a0", "\t", " ", "---", "===", "()", "(", ")",
    "–", "—", "-", "//", "||", ":", "(/gil/yn)", "(*)", "[asg/but]", "(Foto: Deny/Humas)",
    "Senin (10/11/2025)", "(25/8/202)", "(31/2)", "Selasa (15/6)", "pukul 09.00 WIB",
    "Baca Juga:", "Sumber:", "Penulis: A | Editor: B", "Pewarta:", "• ", "1. ", "- ",
    "MALANG", "Blimbing", "\x93", "\x94", "\x85", "\ufeff", "\u200b", "\ud800", "\x00",
    "“", "”", "″", "Jum'at", "kota.Sebelumnya", "https://x.example/a.B", "Rp 2.5", "🙂",
])
ANY_TEXT = st.lists(st.one_of(st.text(max_size=30), _TRICKY), max_size=60).map("".join)


@PROFILE
@given(text=ANY_TEXT, strict=st.booleans(), has_release=st.booleans())
@example(text="\x1b", strict=False, has_release=True)  # found by the long run: empty title
@example(text="Penulis: A | Editor: B", strict=False, has_release=False)
def test_any_text_gives_articles_or_input_error(text, strict, has_release):
    c = ctx(strict, RELEASE if has_release else None)
    try:
        articles = read_plaintext(text, FILE, c)
    except InputError as exc:
        assert exc.problems and all(p.file == str(FILE) for p in exc.problems)
        return
    assert articles and all(isinstance(a, Article) for a in articles)
    for a in articles:
        assert a.title and a.date.tzinfo is not None
        if has_release:
            assert a.date.date() <= RELEASE
    assert len({a.slug for a in articles}) == len(articles)


@PROFILE
@given(raw=st.one_of(st.binary(max_size=400),
                     ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
                     ANY_TEXT.map(lambda t: t.encode("cp1252", "replace")),
                     ANY_TEXT.map(lambda t: t.encode("utf-16", "surrogatepass"))))
def test_any_bytes_decode_or_input_error(raw):
    try:
        text = decode_bytes(raw, FILE)
    except InputError:
        return
    assert isinstance(text, str) and text.strip()
    try:
        read_plaintext(text, FILE, ctx())
    except InputError:
        pass


# ---------------------------------------------------------------- 2. no lost sentences

_WORDS = ["warga", "kota", "pemerintah", "program", "sekolah", "pasar", "jalan", "bantuan", "kegiatan", "layanan", "anak", "petugas", "dinas", "kecamatan", "tahun", "baru", "besar", "kecil", "cepat", "itu", "ini", "yang", "dan", "di", "ke", "dari", "untuk", "dengan", "akan", "sudah", "menjadi", "membuka", "meninjau", "berjalan", "café", "naïve", "Ürümqi", "東京", "2025", "40", "3,25", "Rp", "1.000", "(UMKM)", "(Foto)", "foto", "iklan", "sumber", "malam", "pagi", "saat", "kata", "the", "city", "will", "open", "market", "residents", "said"]
_CAPS = ["Warga", "Pemerintah", "Program", "Sekolah", "Dinas", "Kegiatan", "Petugas", "Sumber", "Foto", "Iklan", "The", "Residents", "Malang", "Senin"]


@st.composite
def sentence(draw) -> str:
    words = [draw(st.sampled_from(_CAPS))]
    words += draw(st.lists(st.sampled_from(_WORDS), min_size=2, max_size=11))
    return " ".join(words) + draw(st.sampled_from([".", ".", ".", "!", "?"]))


@st.composite
def release_text(draw) -> tuple[str, list[str]]:
    """A pasted release with random quirks -> (text, body sentences in order)."""
    title = " ".join([draw(st.sampled_from(_CAPS)),
                      *draw(st.lists(st.sampled_from(_WORDS), min_size=3, max_size=8))])
    body: list[str] = []
    # page chrome above the headline (issue 12): site name, section label, breadcrumb
    out: list[str] = draw(st.lists(st.sampled_from([
        "Portal Resmi Pemerintah Kota Malang", "Berita Daerah", "Beranda » Berita » Daerah",
        "Siaran Pers", "News Flash", "Kamis, 13 November 2025", "2.341 kali dibaca"]), max_size=2))
    out.append(title)
    for _ in range(draw(st.integers(0, 2))):
        out.append(draw(st.sampled_from([title, title + "   ", title + " – Pemerintah Kota Malang"])))
    if draw(st.booleans()):
        out.append("Baca Juga: Kabar lain dari balai kota")
    dateline = draw(st.sampled_from([
        "Blimbing () – ", "Malang, ( – ", "Klojen (malangkota.go.id) – ", "Dumai (ANTARA) - ",
        "TIMES MALANG, MALANG – ", "SURABAYA – ", "MAMUJU - ", "CIREBON-", "BANDUNG || ",
        "KEPANJEN // ", "YOGYAKARTA: ", "", "Malang -\n",
        # datelines with an outlet (issue 12)
        "Kotaraya, Suarakita - ", "Kotaraya,beritakita.id- ", "Kotaraya, Warta Nusantara | ",
        "BERITAKITA - ", "Humas Kotaraya – ", "KOTARAYAPOS.COM, KOTARAYA - ",
        "ASHFORD, Vt., March 3 -- ", "PALU, MERCUSUAR – "]))
    first = draw(st.lists(sentence(), min_size=1, max_size=3))
    date = draw(st.sampled_from(["Senin (10/11/2025)", "Rabu (08/10/2025)", "Selasa (15/6)",
                                 "Kamis, 13 Nov 2025 pukul 09.00 WIB", "(25/8/202)", ""]))
    lead = first[0][:-1] + (f", {date}" if date else "") + first[0][-1]
    out.append(dateline + " ".join([lead, *first[1:]]))
    body.extend([lead, *first[1:]])
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["para", "para", "para", "caption", "noise", "list", "credit"]))
        if kind == "para":
            sents = draw(st.lists(sentence(), min_size=1, max_size=4))
            out.append(" ".join(sents))
            body.extend(sents)
        elif kind == "caption":
            out.append(draw(st.sampled_from([
                "Wali Kota Malang saat meninjau pasar bersama petugas dinas di pagi hari",
                "Warga antre di depan kantor kelurahan (Foto: Deny/Humas)",
                "Petugas memeriksa saluran air (Istimewa/Humas)"])))
        elif kind == "noise":
            out.append(draw(st.sampled_from(["ADVERTISEMENT", "BACA JUGA: Berita lain", "Iklan",
                                             "Read: 420 Views", "BERITA TERKAIT",
                                             "READ ALSO: Another story", "512 Views",
                                             "IMG_20240311_101522.jpg",
                                             "WhatsApp Image 2024-03-11 at 10.15.22",
                                             "Oleh Admin 11 Mar 2024, 10:15 WIB Berita",
                                             "CONTACT: Dana Whitfield, 555-0142", "-30-",
                                             "Copyright © 2024 Pemkab Sukamaju"])))
        elif kind == "credit":
            out.append(draw(st.sampled_from(["(Foto: Dok. Prokompim)", "Foto: Humas"])))
        else:
            marker = draw(st.sampled_from(["- ", "• ", "1. "]))
            items = draw(st.lists(sentence(), min_size=1, max_size=4))
            out.append("\n".join(
                (f"{i + 1}. " if marker == "1. " else marker) + it for i, it in enumerate(items)))
            body.extend(items)
    if body and draw(st.booleans()):
        code = draw(st.sampled_from(["(/gil/yn)", "(cah/ram)", "(*/Hms)", "[asg/but]", "(*)"]))
        sep = draw(st.sampled_from([" ", "\n", "\n\n"]))
        if out[-1] and not out[-1].startswith(("- ", "• ", "1. ")) and out[-1] != title:
            out[-1] = out[-1] + sep + code
    tail = draw(st.lists(st.sampled_from(["Penulis: Ayu | Editor: Budi", "Sumber: Humas",
                                          "Pewarta: Rina", "Sumber berita (*/ab)",
                                          "Editor (+rudi santoso)",
                                          "Oleh : Sari | | Source : Dinas Kota",
                                          "Penulis: Dewi Editor: Bambang",
                                          "HUMAS POLSEK KENDURUAN"]), max_size=2))
    out.extend(tail)
    gaps = draw(st.lists(st.sampled_from(["\n\n", "\n\n\n\n", "\n \t \n", "\n\x0c\n", "\n\n"]),
                         min_size=len(out), max_size=len(out)))
    text = "".join(part + gap for part, gap in zip(out, gaps, strict=True))
    text = text.replace(" ", draw(st.sampled_from([" ", " ", "\u00a0"])), 3)
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return text.replace("\n", eol), body


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def body_text(article: Article) -> str:
    parts = []
    for block in article.blocks:
        if isinstance(block, (Paragraph, Heading, ListBlock)):
            parts.append(plain_text(block))
    return _norm(" ".join(parts))


@PROFILE
@given(case=release_text(), strict=st.booleans())
@example(case=("Warga warga warga warga\n\nWarga (UMKM) warga, Senin (10/11/2025).\n",
               ["Warga (UMKM) warga, Senin (10/11/2025)."]), strict=False)
@example(case=(("Warga warga warga warga\n\nBlimbing () – Warga warga warga, Senin (10/11/2025)."
                "\n\nWarga warga warga warga!\n"),
               ["Warga warga warga, Senin (10/11/2025).", "Warga warga warga warga!"]), strict=False)
@example(case=("Iklan warga warga warga\n\nBlimbing () – Warga warga warga, Senin (10/11/2025).\n",
               ["Warga warga warga, Senin (10/11/2025)."]), strict=False)
# found by the long run: " - Foto warga ..." after a dateline was read as a photo credit
@example(case=("Warga warga warga warga\n\nDumai (ANTARA) - Foto warga warga, Senin (10/11/2025).\n",
               ["Foto warga warga, Senin (10/11/2025)."]), strict=False)
@example(case=("Warga warga warga warga\n\nFoto dari warga, Senin (10/11/2025).\n",
               ["Foto dari warga, Senin (10/11/2025)."]), strict=False)
@example(case=("Warga warga warga warga\n\nWarga yang yang, Senin (10/11/2025). (/gil/yn)\n",
               ["Warga yang yang, Senin (10/11/2025)."]), strict=False)
@example(case=(("Warga sekolah warga warga\n\nBlimbing () – Warga warga warga, Senin (10/11/2025)."
                "\n\nWarga sekolah warga warga. (*)\n"),
               ["Warga warga warga, Senin (10/11/2025).", "Warga sekolah warga warga."]),
         strict=False)
@example(case=(("Warga warga warga warga\n\nBlimbing () – Warga warga warga, Senin (10/11/2025)."
                "\n\nPemerintah kota warga.\n"),
               ["Warga warga warga, Senin (10/11/2025).", "Pemerintah kota warga."]), strict=False)
@example(case=(("Warga warga warga warga\n\nWarga warga warga, Senin (10/11/2025).\n\n"
                + "Wali Kota Malang saat meninjau pasar bersama petugas dinas di pagi hari\n\n" * 2),
               ["Warga warga warga, Senin (10/11/2025)."]), strict=False)
# a one-sentence paragraph under the title is not taken for the headline
@example(case=("Warga warga warga warga\n\nWarga warga warga, Senin (10/11/2025). (/gil/yn)\n",
               ["Warga warga warga, Senin (10/11/2025)."]), strict=False)
def test_never_loses_a_body_sentence(case, strict):
    text, sentences = case
    articles = read_plaintext(text, FILE, ctx(strict))
    assert len(articles) == 1
    got = body_text(articles[0])
    pos = 0
    for s in sentences:
        found = got.find(_norm(s), pos)
        assert found >= 0, f"lost {s!r}\nfrom {text!r}\ngot {got!r}"
        pos = found + len(_norm(s))


# ---------------------------------------------------------------- 3. round trip through Markdown


@PROFILE
@given(case=release_text())
def test_markdown_round_trip(case):
    text, _ = case
    c = ctx()
    articles = read_plaintext(text, FILE, c)
    for article in articles:
        md = write_markdown(article, Path.cwd())
        back = read_markdown(md, Path("x.md"), ctx())
        assert replace(back, path=None) == replace(article, path=None), md
