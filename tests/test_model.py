"""Text hygiene and the model's own guarantees (publikasi.text, publikasi.model)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from html import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from publikasi.model import (
    Article, Emph, Heading, LineBreak, Link, Paragraph, Strong, Table, Text, derive_summary,
    plain_text, tidy_inlines,
)
from publikasi.text import _clean_inline_steps, clean_inline, clean_line, slugify, strip_invalid

XML_INVALID = ([chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)]
               + ["\ud800", "\udfff", "\ufffe", "\uffff", "\x7f"])
NASTY = st.sampled_from([*XML_INVALID, "\x85", "\x93", "\x94", "\x81", "\u200b", "\ufeff",
                         "\u00ad", "\u200d", "\u202e", "\u2028", "e\u0301",
                         "🇮🇩", "👩🏽‍💻", "مرحبا", "]]>", "&amp;", "<br>", " \t\n"])
TEXT = st.lists(st.one_of(st.text(max_size=8), NASTY), max_size=12).map("".join)
QUICK = settings(derandomize=True, max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


def test_strip_invalid_removes_xml_forbidden_characters():
    for ch in XML_INVALID:
        assert strip_invalid(f"a{ch}b") == "ab", repr(ch)
    assert strip_invalid("tab\there\nline\rcr") == "tab\there\nline\rcr"


def test_c1_controls_become_the_windows_1252_characters_they_were():
    assert clean_line("\x93Halo\x94 \x96 caf\x82") == "“Halo” – caf‚"
    assert clean_line("a\x81b\x8dc") == "abc"  # unassigned in Windows-1252: removed


def test_clean_inline_normalises_and_collapses():
    assert clean_inline("Cafe\u0301") == "Café"  # NFC
    assert clean_inline("  dua   spasi\n\tdan\u00a0baris ") == " dua spasi dan baris "
    assert clean_inline("zero\u200bwidth\ufeff soft\u00adhyphen") == "zerowidth softhyphen"
    assert clean_inline("👩\u200d💻") == "👩\u200d💻"  # the joiner of emoji sequences stays
    assert clean_line(None) == "" and clean_line("  x  ") == "x"


@QUICK
@given(TEXT)
def test_clean_inline_is_idempotent_and_xml_safe(text):
    once = clean_inline(text)
    assert clean_inline(once) == once
    assert not any(ch in once for ch in XML_INVALID)
    etree.fromstring(f"<p>{escape(once)}</p>".encode())  # always well-formed
    line = clean_line(text)
    assert line == line.strip() and "  " not in line


SPACES_AND_MARKS = st.sampled_from([" ", "  ", "\u00a0", "\u3000", "\u2009", "\x1c", "\x85",
                                    "\u0301", "\u0327", "\u00e9", "\u212b", "\uac00\u11a8"])


@settings(derandomize=True, max_examples=400, deadline=None)
@given(st.lists(st.one_of(TEXT, SPACES_AND_MARKS), max_size=8).map("".join))
def test_clean_inline_skips_only_text_its_steps_would_leave_as_it_is(text):
    # Clean text is returned without running the steps (the model cleans every
    # string again whenever an object is made, and the warm rebuild makes them
    # all from the cache); whatever the text, the result is what the steps give.
    assert clean_inline(text) == _clean_inline_steps(text)


def test_clean_inline_skips_no_character_its_steps_would_change():
    # Every code point of the Basic Multilingual Plane and of the first
    # supplementary one, alone and between letters.
    import sys

    for code in range(min(sys.maxunicode + 1, 0x20000)):
        for text in (chr(code), f"a{chr(code)}b"):
            assert clean_inline(text) == _clean_inline_steps(text), hex(code)


def test_clean_text_comes_back_as_the_same_object():
    clean = "Wali Kota Malang meresmikan \u201cpasar\u201d baru di Blimbing, Jum\u2019at."
    assert clean_inline(clean) is clean
    for dirty in ("dua  spasi", "tab\there", "baris\nbaru", "nbsp\u00a0", "Cafe\u0301",
                  "nol\u200blebar", "c1\x93"):
        assert clean_inline(dirty) != dirty, repr(dirty)


def test_slugify():
    assert slugify("Wali Kota Malang Resmikan Taman") == "wali-kota-malang-resmikan-taman"
    assert slugify("Pemerintah " * 30).count("-") < 12 and len(slugify("Pemerintah " * 30)) <= 80
    emoji = slugify("🎉🎊")
    assert emoji.startswith("artikel-") and emoji == slugify("🎉🎊")
    assert slugify("🎉") != emoji  # two emoji-only titles do not collide
    assert slugify("") == "artikel"
    assert slugify("مرحبا بالعالم").isascii()


@QUICK
@given(TEXT)
def test_slug_is_always_file_and_url_safe(text):
    slug = slugify(text)
    assert slug and len(slug) <= 80
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in slug), slug


def test_inline_tidying():
    para = Paragraph((Text("  a"), Text(" "), Text(" b  ")))
    assert para.inlines == (Text("a b"),)
    assert Paragraph((Text("a"), LineBreak(), LineBreak())).inlines == (Text("a"),)
    assert tidy_inlines((Text(""), Strong((Text("x"),)), Text(""))) == (Strong((Text("x"),)),)


def test_model_values_are_cleaned_at_construction():
    link = Link("https://x.example/a b\x00", (Text("t\x0b"),), "judul\x1b")
    assert link.url == "https://x.example/a%20b" and link.title == "judul"
    assert Heading(9, (Text("h"),)).level == 6 and Heading(0, (Text("h"),)).level == 1
    table = Table(header=((Text("a"),),), rows=(((Text("1"),), (Text("2"),), ()),))
    assert table.columns == 3


def test_article_requires_an_aware_date_and_derives_a_lead():
    naive = dt.datetime(2025, 11, 10, 9, 0)
    with pytest.raises(ValueError):
        Article(slug="x", title="x", date=naive, blocks=())
    long = Paragraph((Text("kata " * 200),))
    art = Article(slug="x", title="Judul\x0b", date=naive.replace(tzinfo=dt.UTC),
                  blocks=(Heading(1, (Text("h"),)), long), authors=("  A ", "", "\x0b"))
    assert art.title == "Judul" and art.authors == ("A",)
    assert art.summary == ""  # the source gave none
    assert art.lead.endswith("…") and len(art.lead) <= 301
    # The lead follows the body when the article is replaced; an explicit summary wins.
    short = dataclasses.replace(art, blocks=(Paragraph((Text("Isi baru."),)),))
    assert short.summary == "" and short.lead == "Isi baru."
    own = dataclasses.replace(short, summary="Ringkasan redaksi.")
    assert own.summary == own.lead == "Ringkasan redaksi."
    assert derive_summary((Paragraph((Emph((Text("ringkas"),)),)),)) == "ringkas"
    assert plain_text(art.blocks[0]) == "h"
