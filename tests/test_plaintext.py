"""Unit tests of the plain-text reader: decoding, each recogniser, --strict, errors."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from publikasi.errors import InputError, Problems
from publikasi.model import Figure, Heading, ListBlock, Paragraph, plain_text
from publikasi.readers.common import ReadContext
from publikasi.readers.plaintext import decode_bytes, detect_language, fix_glued, read_plaintext
from publikasi.readers.plaintext_parts import find_dateline, split_byline, split_photo_credit

FILE = Path("rilis.txt")

SEED_SHAPE = """Pemkot Malang Luncurkan Aplikasi Lapor Jalan Rusak

Pemkot Malang Luncurkan Aplikasi Lapor Jalan Rusak

Blimbing () – Pemerintah Kota Malang meluncurkan aplikasi pelaporan jalan rusak di Balai Kota, Senin (10/11/2025). Warga cukup memotret lubang jalan lalu mengirimkan lokasinya.

Wali Kota Malang saat mencoba aplikasi lapor jalan rusak di ruang rapat balai kota

Kepala Dinas Pekerjaan Umum menyebut setiap laporan akan ditindaklanjuti paling lambat tiga hari kerja.

“Kami ingin warga ikut menjadi mata kami di lapangan,” ujarnya. (/gil/yn)
"""


def ctx(release: dt.date | None = dt.date(2025, 11, 14), strict: bool = False,
        language: str = "id") -> ReadContext:
    return ReadContext(root=Path.cwd(), release_date=release, strict=strict,
                       problems=Problems(), language=language)


def read(text: str, **kw):
    c = ctx(**kw)
    return read_plaintext(text, FILE, c), c


def paragraphs(article) -> list[str]:
    return [plain_text(b) for b in article.blocks if isinstance(b, Paragraph)]


# ---------------------------------------------------------------- decoding

def test_decode_utf8_with_and_without_bom():
    text = "Wali Kota “Mbois” – café"
    assert decode_bytes(text.encode(), FILE) == text
    assert decode_bytes(codecs.BOM_UTF8 + text.encode(), FILE) == text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_decode_utf16_with_bom(codec):
    text = "Rapat “paripurna” – Jum’at"
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    assert decode_bytes(bom + text.encode(codec), FILE) == text


def test_decode_windows_1252():
    text = "Warga menyebut kafe itu “nyaman” – harga café terjangkau, kata Pak Budi."
    assert decode_bytes(text.encode("cp1252"), FILE) == text


def test_decode_maps_c1_controls_to_cp1252_punctuation():
    raw = "\x93Siap\x94 \x96 Jum\x92at\x85".encode()
    assert decode_bytes(raw, FILE) == "“Siap” – Jum’at…"


def test_decode_repairs_mojibake():
    # UTF-8 read as Windows-1252 (bytes it leaves undefined pass through as Latin-1).
    good = "“Kami siap” – ujarnya 😊"
    broken = "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in good.encode())
    assert broken != good
    assert decode_bytes(broken.encode("utf-8"), FILE) == good


def test_decode_turns_word_breaks_into_newlines():
    assert decode_bytes(b"Judul\x0bBaris\x0cHalaman", FILE) == "Judul\nBaris\nHalaman"


@pytest.mark.parametrize("raw, why", [
    (b"", "empty"),
    (b"  \n\r\n\t", "empty"),
    ("Judul rilis".encode("utf-16-le"), "without a byte-order mark"),
    (b"PK\x03\x04\x14\x00rest", "ZIP"),
    (b"%PDF-1.7\n", "PDF"),
    (bytes(range(1, 32)) * 20, "binary"),
], ids=["empty", "blank", "utf16-no-bom", "zip", "pdf", "controls"])
def test_decode_refuses_what_is_not_text(raw, why):
    with pytest.raises(InputError) as err:
        decode_bytes(raw, FILE)
    assert why in str(err.value) and str(FILE) in str(err.value)


# ---------------------------------------------------------------- the seed shape

def test_seed_shape():
    [a], c = read(SEED_SHAPE)
    assert a.title == "Pemkot Malang Luncurkan Aplikasi Lapor Jalan Rusak"
    assert a.slug == "pemkot-malang-luncurkan-aplikasi-lapor-jalan-rusak"
    assert a.dateline == "Blimbing"
    assert a.date == dt.datetime(2025, 11, 10, tzinfo=c.tz) and not a.has_time
    assert a.byline == "gil/yn"
    assert a.language == "id"
    kinds = [b.type for b in a.blocks]
    assert kinds == ["paragraph", "figure", "paragraph", "paragraph"]
    fig = a.blocks[1]
    assert isinstance(fig, Figure) and fig.src is None and fig.caption.startswith("Wali Kota")
    body = paragraphs(a)
    assert body[0].startswith("Pemerintah Kota Malang meluncurkan")
    assert body[-1].endswith("ujarnya.")
    assert not c.problems.warnings and not c.problems.items


# ---------------------------------------------------------------- parts

@pytest.mark.parametrize("line, place, rest", [
    ("Blimbing () – Wali Kota membuka", "Blimbing", "Wali Kota membuka"),
    ("Malang, ( – Sekitar tiga ribu warga", "Malang", "Sekitar tiga ribu warga"),
    ("Klojen (malangkota.go.id) – Dinas menata", "Klojen", "Dinas menata"),
    ("Surabaya (beritajatim.com) — Pemprov", "Surabaya", "Pemprov"),
    ("Dumai (ANTARA) - Otoritas", "Dumai", "Otoritas"),
    ("TIMES MALANG, MALANG – Pemkot", "Malang", "Pemkot"),
    ("SURABAYA – Pemprov", "Surabaya", "Pemprov"),
    ("MAMUJU - Ratusan warga", "Mamuju", "Ratusan warga"),
    ("CIREBON-Pemkot Cirebon", "Cirebon", "Pemkot Cirebon"),
    ("KEPANJEN // Bupati", "Kepanjen", "Bupati"),
    ("BANDUNG || The city", "Bandung", "The city"),
    ("YOGYAKARTA: The library", "Yogyakarta", "The library"),
    ("Malang (ANTARA) Pemkot menata", "Malang", "Pemkot menata"),
])
def test_datelines(line, place, rest):
    found = find_dateline(line)
    assert found is not None and (found.place, found.rest) == (place, rest)


@pytest.mark.parametrize("line", [
    "Wali Kota Malang-Batu menggelar rapat",
    "Catatan: rapat ditunda",
    "Pemerintah Kota Malang menggelar rapat, Senin (10/11/2025).",
    "Malang - yang dikenal sebagai kota pendidikan",
])
def test_not_datelines(line):
    assert find_dateline(line) is None


def test_dateline_with_date_inside():
    found = find_dateline("Jakarta, May 29, 2017 (Antara) - The city opened")
    assert found is not None and found.place == "Jakarta" and found.date_text == "May 29, 2017"


@pytest.mark.parametrize("text, before, code", [
    ("berdaya saing. (/gil/yn)", "berdaya saing.", "gil/yn"),
    ("kata dia. (cah/ram)", "kata dia.", "cah/ram"),
    ("ujarnya.(*/Hms)", "ujarnya.", "*/Hms"),
    ("selesai. [asg/but]", "selesai.", "asg/but"),
    ("selesai. (*)", "selesai.", "*"),
    ("selesai. (**)", "selesai.", "**"),
    ("selesai. (CP-01)", "selesai.", "CP-01"),
    ("selesai. (Gum)", "selesai.", "Gum"),
    ("(*/nik/ari/fer)", "", "*/nik/ari/fer"),
])
def test_byline_codes(text, before, code):
    assert split_byline(text) == (before, code)


@pytest.mark.parametrize("text", [
    "usaha mikro kecil dan menengah (UMKM)",
    "pada tahun ini (2025)",
    "Peserta berfoto bersama (Foto: Deny/Humas)",
])
def test_not_byline_codes(text):
    assert split_byline(text) is None


@pytest.mark.parametrize("line, caption, credit", [
    ("Warga antre di loket (Foto: Deny/Humas)", "Warga antre di loket", "Deny/Humas"),
    ("Warga antre di loket (Istimewa/Humas)", "Warga antre di loket", "Istimewa/Humas"),
    ("Warga antre di loket (ANTARA/Fikri)", "Warga antre di loket", "ANTARA/Fikri"),
    ("Warga antre di loket. Foto: Dok. Prokompim", "Warga antre di loket.", "Dok. Prokompim"),
    ("Warga antre di loket /Dinas Kominfo Batu", "Warga antre di loket", "Dinas Kominfo Batu"),
    ("Warga antre di loket - ist", "Warga antre di loket", "ist"),
])
def test_photo_credits(line, caption, credit):
    assert split_photo_credit(line) == (caption, credit)


def test_glued_sentences_get_their_space_back_where_safe():
    assert fix_glued("menuju kota.Sebelumnya warga") == "menuju kota. Sebelumnya warga"
    assert fix_glued("kata dia.”Lalu") == "kata dia.” Lalu"
    assert fix_glued("“Siap,”ujar dia") == "“Siap,” ujar dia"
    for keep in ("lihat www.malangkota.go.id/Berita", "surel humas@Malangkota.Go",
                 "Dr.Ir. Budi", "S.Pd. guru", "Rp2.500.000"):
        assert fix_glued(keep) == keep


def test_language_detection():
    assert detect_language("Pemerintah kota membuka layanan yang baru untuk warga di pasar", "en") == "id"
    assert detect_language("The city opened a new service for residents at the market", "id") == "en"
    assert detect_language("Malang", "id") == "id"


# ---------------------------------------------------------------- whole releases

def test_title_repeats_and_site_suffix_dropped():
    text = ("Bus Sekolah Gratis Mulai Beroperasi – Pemerintah Kota Malang\n"
            "Bus Sekolah Gratis Mulai Beroperasi  \n\nBus sekolah gratis mulai beroperasi\n\n"
            "MALANG – Dinas Perhubungan mengoperasikan bus sekolah, Senin (3/11/2025).\n")
    [a], _ = read(text)
    assert a.title == "Bus Sekolah Gratis Mulai Beroperasi"
    assert paragraphs(a) == ["Dinas Perhubungan mengoperasikan bus sekolah, Senin (3/11/2025)."]


def test_noise_authors_and_source():
    text = """Pasar Murah Digelar di Lima Kecamatan

Penulis: Ayu Lestari, Budi Santoso | Editor: Citra

Read: 420 Views

SURABAYA – Pemprov menggelar pasar murah, Jumat (7/11/2025). Warga antusias.

BACA JUGA: Harga beras turun

ADVERTISEMENT

Iklan

BERITA TERKAIT

SCROLL TO CONTINUE WITH CONTENT

Pasar buka sampai sore hari ini.

Sumber: https://jatimprov.example/berita/pasar-murah
"""
    [a], _ = read(text)
    assert a.authors == ("Ayu Lestari", "Budi Santoso")
    assert paragraphs(a) == ["Pemprov menggelar pasar murah, Jumat (7/11/2025). Warga antusias.",
                             "Pasar buka sampai sore hari ini."]
    assert a.source_credit == "https://jatimprov.example/berita/pasar-murah"
    assert a.source == a.source_credit


def test_lists_and_one_paragraph():
    text = """Tiga Syarat Ikut Lomba

MALANG – Panitia membuka lomba kebersihan kampung, Senin (3/11/2025). Syaratnya:

- Kampung memiliki bank sampah
- Ada jadwal kerja bakti
- Warga memilah sampah

Syarat lain:
RT aktif
RW aktif

1. Daftar di kelurahan
2. Kirim foto kampung
"""
    [a], _ = read(text)
    lists = [b for b in a.blocks if isinstance(b, ListBlock)]
    assert [len(b.items) for b in lists] == [3, 2, 2]
    assert [b.ordered for b in lists] == [False, False, True]
    [one], _ = read("Satu Paragraf Saja\n\nMALANG – Kalimat satu, Senin (3/11/2025). "
                    "Kalimat dua menyusul. Kalimat tiga menutup.\n")
    assert len(paragraphs(one)) == 1


def test_hard_wrapped_lines_are_joined():
    text = ("Rapat Warga Membahas Sampah\n\nMALANG – Warga Kelurahan Oro-Oro Dowo menggelar rapat\n"
            "untuk membahas jadwal pengangkutan sampah, Senin (3/11/2025).\n")
    [a], _ = read(text)
    assert paragraphs(a) == [("Warga Kelurahan Oro-Oro Dowo menggelar rapat untuk membahas "
                              "jadwal pengangkutan sampah, Senin (3/11/2025).")]


def test_several_releases_in_one_file_with_same_title():
    one = "Rapat Koordinasi Banjir\n\nMALANG – Rapat digelar, Senin (3/11/2025).\n"
    articles, _ = read(f"{one}\n---\n\n{one}\n===\n{one}")
    assert [a.slug for a in articles] == ["rapat-koordinasi-banjir", "rapat-koordinasi-banjir-2",
                                          "rapat-koordinasi-banjir-3"]


def test_heading_between_paragraphs():
    text = ("Festival Kampung Warna\n\nMALANG – Festival dibuka, Sabtu (8/11/2025).\n\n"
            "Jadwal Pertunjukan\n\nPertunjukan dimulai pukul tujuh malam.\n")
    [a], _ = read(text)
    assert [b.type for b in a.blocks] == ["paragraph", "heading", "paragraph"]
    assert isinstance(a.blocks[1], Heading)


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("phrase, release, expected", [
    ("Senin (10/11/2025)", dt.date(2025, 11, 14), "2025-11-10"),
    ("Rabu (08/10/2025)", dt.date(2025, 11, 14), "2025-10-08"),
    ("Senin (24/3/25)", dt.date(2025, 3, 28), "2025-03-24"),
    ("Selasa (11/11)", dt.date(2025, 11, 14), "2025-11-11"),
    ("Senin (29/12)", dt.date(2026, 1, 8), "2025-12-29"),
    ("Rabu 31/3/2021", dt.date(2021, 4, 1), "2021-03-31"),
    ("Sabtu 31 Mei 2025", dt.date(2025, 6, 2), "2025-05-31"),
    ("Kamis, 16 Okt 2025", dt.date(2025, 10, 20), "2025-10-16"),
    ("Jum'at (7/11/2025)", dt.date(2025, 11, 14), "2025-11-07"),
    ("on Thursday, November 6, 2025", dt.date(2025, 11, 14), "2025-11-06"),
])
def test_dates(phrase, release, expected):
    [a], c = read(f"Judul Berita Kota\n\nMALANG – Acara digelar {phrase}. Warga hadir.\n",
                  release=release)
    assert a.date.date().isoformat() == expected
    assert not a.has_time
    assert not c.problems.warnings


@pytest.mark.parametrize("phrase, iso", [
    ("Senin (10/11/2025) pukul 09.00 WIB", "2025-11-10T09:00:00+07:00"),
    ("pukul 19.30 WITA, Senin (10/11/2025)", "2025-11-10T19:30:00+08:00"),
    ("Kamis, 13 Nov 2025 19:53 WIT", "2025-11-13T19:53:00+09:00"),
    ("Senin (10/11/2025) pukul 08.15", "2025-11-10T08:15:00+07:00"),
])
def test_dates_with_time(phrase, iso):
    [a], _ = read(f"Judul Berita Kota\n\nMALANG – Acara digelar {phrase}. Warga hadir.\n")
    assert a.has_time and a.date.isoformat() == iso


@pytest.mark.parametrize("phrase", ["(25/8/202)", "(31/2/2025)", "(10/12/2025)"])
def test_unusable_dates_fall_back_with_a_warning(phrase):
    release = dt.date(2025, 11, 14)
    [a], c = read(f"Judul Berita Kota\n\nMALANG – Acara digelar {phrase}. Warga hadir.\n",
                  release=release)
    assert a.date.date() == release
    assert any("date" in w.message for w in c.problems.warnings)
    assert not c.problems.items


def test_no_date_and_no_release_date_falls_back_to_today_with_a_warning():
    today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    for text in ("Judul Berita Kota\n\nMALANG – Acara digelar kemarin. Warga hadir.\n",
                 "Judul Berita Kota\n\nMALANG – Acara digelar, Selasa (15/6). Warga hadir.\n"):
        [a], c = read(text, release=None)
        assert a.date.date() <= today
        assert c.problems.warnings and not c.problems.items
    [a], c = read("Judul Berita Kota\n\nMALANG – Acara digelar kemarin. Warga hadir.\n",
                  release=None)
    assert a.date.date() == today
    _, strict = read("Judul Berita Kota\n\nMALANG – Acara digelar kemarin. Warga hadir.\n",
                     release=None, strict=True)
    assert any("today" in p.message for p in strict.problems.items)


@pytest.mark.parametrize("text, release, expected", [
    # the day name fixes the year among the years before the release
    ("Kamis (14/3)", dt.date(2025, 11, 14), dt.date(2024, 3, 14)),
    ("Senin pagi (21/8)", dt.date(2025, 11, 14), dt.date(2023, 8, 21)),
    ("Rabu, 22/02", dt.date(2025, 11, 14), dt.date(2023, 2, 22)),
    # without a day name: the release's year (or the one before)
    ("Senin (15/12)", dt.date(2026, 1, 5), dt.date(2025, 12, 15)),
])
def test_year_from_the_day_name(text, release, expected):
    [a], _ = read(f"Judul Berita Kota\n\nMALANG – Acara digelar {text}. Warga hadir.\n",
                  release=release)
    assert a.date.date() == expected


def test_year_from_a_copyright_line_when_there_is_no_release_date():
    text = ("Judul Berita Kota Lama\n\nMALANG – Acara digelar Kamis (14/3). Warga hadir.\n\n"
            "Copyright © 2019 Pemkot Malang\n")
    [a], c = read(text, release=None)
    assert a.date.date() == dt.date(2019, 3, 14)
    assert any("copyright" in w.message for w in c.problems.warnings)


def test_a_future_day_name_is_not_the_date():
    text = ("Judul Berita Kota\n\nMALANG – Lomba akan digelar Jumat (dua hari lagi) di alun-alun. "
            "Warga diundang.\n")
    [a], _ = read(text, release=dt.date(2025, 11, 14))
    assert a.date.date() == dt.date(2025, 11, 14)


def test_a_wrong_day_name_lets_the_page_date_win():
    text = ("Judul Berita Kota\n\nKamis, 13 November 2025\n\n"
            "MALANG – Acara digelar Senin (13/11/2025). Warga hadir.\n")
    [a], c = read(text, release=dt.date(2025, 11, 14))
    assert a.date.date() == dt.date(2025, 11, 13)
    assert any("day name" in w.message for w in c.problems.warnings)


def test_dates_are_never_after_the_release():
    [a], _ = read("Judul\n\nMALANG – Acara, Senin (15/12). Warga hadir.\n",
                  release=dt.date(2026, 1, 5))
    assert a.date.date() == dt.date(2025, 12, 15)


# ---------------------------------------------------------------- --strict

def test_strict_turns_every_fallback_into_an_error():
    text = "Judul Berita Kota\n\nWarga hadir di balai kota kemarin sore.\n"
    _, loose = read(text)
    assert len(loose.problems.warnings) == 2 and not loose.problems.items
    _, strict = read(text, strict=True)
    messages = [p.message for p in strict.problems.items]
    assert any("dateline" in m for m in messages) and any("date" in m for m in messages)
    assert all("--strict" in m for m in messages)
    _, clean = read(SEED_SHAPE, strict=True)
    assert not clean.problems.items


def test_no_text_is_an_input_error():
    for text in ("", "\n\n  \n", "---\n===\n", "ADVERTISEMENT\n\nBaca Juga: lain\n"):
        with pytest.raises(InputError, match="no release text"):
            read(text)


def test_inspect_uses_a_release_yaml_beside_a_lone_file(tmp_path):
    """Regression: `inspect FILE.txt` dated a year-less release by today, not by the release."""
    from publikasi.source import load

    (tmp_path / "release.yaml").write_text("title: Warta\ndate: 2024-04-02\n", encoding="utf-8")
    txt = tmp_path / "rilis.txt"
    txt.write_text("Judul Berita Kota\n\nMALANG – Acara digelar Kamis (14/3). Warga hadir.\n",
                   encoding="utf-8")
    loaded = load(txt)
    [article] = loaded.publication.releases[0].articles
    assert article.date.date() == dt.date(2024, 3, 14)
    assert not any("today" in str(w) for w in loaded.warnings)


def test_dropped_chrome_is_listed_in_the_warnings():
    text = ("Portal Resmi Pemerintah Kabupaten Sukamaju\n\nBerita Daerah\n\n"
            "Bupati Sukamaju Meninjau Pasar Baru di Kecamatan Timur\n\n512 Views\n\n"
            "SUKAMAJU – Bupati meninjau pasar baru, Senin (10/11/2025). Pedagang menyambut.\n\n"
            "IMG_20251110_091522.jpg\n\nCopyright © 2025 Pemkab Sukamaju\n")
    [a], c = read(text)
    assert a.title == "Bupati Sukamaju Meninjau Pasar Baru di Kecamatan Timur"
    dropped = [w.message for w in c.problems.warnings if "page chrome" in w.message]
    for line in ("Portal Resmi", "Berita Daerah", "512 Views", "IMG_20251110", "Copyright"):
        assert any(line in m for m in dropped), line
    assert "Views" not in " ".join(plain_text(b) for b in a.blocks)


@pytest.mark.parametrize("line, place", [
    ("Kotaraya, Suarakita - Bupati membuka pasar baru", "Kotaraya"),
    ("Kotaraya,beritakita.id- Bupati membuka pasar baru", "Kotaraya"),
    ("Kotaraya, Warta Nusantara | Bupati membuka pasar baru", "Kotaraya"),
    ("BERITAKITA - Bupati membuka pasar baru", ""),
    ("Humas Kotaraya – Bupati membuka pasar baru", ""),
    ("SPRINGFIELD, Ill., March 3 -- The city opened a park", "Springfield, Ill."),
    ("KOTARAYAPOS.COM, KOTARAYA - Siswa merakit mesin", "Kotaraya"),
])
def test_datelines_with_an_outlet_keep_the_place_only(line, place):
    found = find_dateline(line)
    assert found is not None and found.place == place
    assert found.rest.split()[0] in ("Bupati", "The", "Siswa")
