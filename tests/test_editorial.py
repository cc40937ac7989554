"""What a print editor sent back (issue 13), read back from the outputs.

Each test builds a small release through the CLI and reads the result with an
independent reader: pypdf for the PDF's metadata, lxml for the EPUB package,
python-docx for the Word file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import run_cli
from lxml import etree
from pypdf import PdfReader

from publikasi.text import slugify

DC = "http://purl.org/dc/elements/1.1/"


def _release(root: Path, articles: dict[str, str], extra_yaml: str = "") -> Path:
    rel = root / "rel"
    rel.mkdir(parents=True)
    (rel / "release.yaml").write_text(
        "title: Warta Uji\ndate: 2025-11-12\nedition: '1'\n"
        "base_url: https://warta.example/berita/\n" + extra_yaml, encoding="utf-8")
    for name, text in articles.items():
        (rel / name).write_text(text, encoding="utf-8")
    return rel


def _article(title: str, body: str = "Isi berita.", **front: str) -> str:
    lines = [f"title: {title}", "date: 2025-11-10T09:00:00+07:00"]
    lines += [f"{k}: {v}" for k, v in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


@pytest.mark.parametrize("title, slug", [
    ("Expo UMKM Catat Transaksi Rp1,4 Miliar", "expo-umkm-catat-transaksi-rp1-4-miliar"),
    ("Sebanyak 2.341 Warga Ikut Vaksinasi", "sebanyak-2-341-warga-ikut-vaksinasi"),
    ("Harga Cabai Turun 3,5 Persen", "harga-cabai-turun-3-5-persen"),
])
def test_slugs_keep_decimal_numbers_apart(title, slug):
    assert slugify(title) == slug


def test_derived_slugs_stop_at_60_characters_on_a_word_boundary(tmp_path):
    title = ("Layanan Administrasi Kependudukan Keliling Sambangi Kelurahan Bandulan "
             "dan KTP Elektronik Jadi dalam Sehari")
    rel = _release(tmp_path, {"a.md": _article(title),
                              "b.md": _article("Judul Kedua Yang Juga Panjang",
                                               slug="slug-pilihan-redaksi-yang-sengaja-dibuat-"
                                                    "sangat-panjang-melebihi-enam-puluh-huruf")})
    out = tmp_path / "out"
    proc = run_cli("build", rel, "-o", out, "-f", "docx")
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.stem for p in (out / "docx").glob("*.docx"))
    derived = [n for n in names if n.startswith("layanan")]
    # Cut after a whole word; no word skipped.
    assert derived == ["layanan-administrasi-kependudukan-keliling-sambangi"]
    # An explicit slug wins, whole.
    assert ("slug-pilihan-redaksi-yang-sengaja-dibuat-sangat-panjang-melebihi-enam-puluh-huruf"
            in names)


def test_keywords_are_deduplicated_ignoring_case(tmp_path):
    rel = _release(tmp_path, {
        "a.md": _article("Cek Kesehatan Gratis", section="Kesehatan", tags="[Pasar, kesehatan]"),
        "b.md": _article("Posyandu Lansia", section="kesehatan", tags="[pasar, Lansia]"),
    })
    out = tmp_path / "out"
    proc = run_cli("build", rel, "-o", out, "-f", "pdf,epub,docx")
    assert proc.returncode == 0, proc.stderr
    keywords = PdfReader(out / "rel.pdf").metadata["/Keywords"]
    words = [w.strip() for w in keywords.split(",")]
    assert sorted(w.casefold() for w in words) == ["kesehatan", "lansia", "pasar"]
    assert "Kesehatan" in words and "Pasar" in words  # the first spelling wins
    with zipfile.ZipFile(out / "rel.epub") as z:
        opf_name = next(n for n in z.namelist() if n.endswith(".opf"))
        opf = etree.fromstring(z.read(opf_name))
    subjects = [e.text for e in opf.iter(f"{{{DC}}}subject")]
    assert sorted(s.casefold() for s in subjects) == ["kesehatan", "lansia", "pasar"]
    import docx

    core = docx.Document(io.BytesIO((out / "rel.docx").read_bytes())).core_properties
    assert sorted(w.strip().casefold() for w in core.keywords.split(",")) == ["kesehatan", "lansia", "pasar"]


def test_indonesian_key_names_are_accepted(tmp_path):
    rel = tmp_path / "rel"
    rel.mkdir()
    (rel / "release.yaml").write_text("judul: Warta Uji\ntanggal: 2025-11-12\nedisi: '7'\n",
                                      encoding="utf-8")
    (rel / "a.md").write_text(
        "---\njudul: Posyandu Lansia Dibuka\ntanggal: 2025-11-10\npenulis: [Sari]\n"
        "rubrik: Kesehatan\nringkasan: Ringkasan singkat.\n---\nIsi berita.\n",
        encoding="utf-8")
    proc = run_cli("inspect", rel)
    assert proc.returncode == 0, proc.stderr
    assert "unknown" not in proc.stderr
    import json

    data = json.loads(proc.stdout)
    assert data["release"]["title"] == "Warta Uji"
    assert data["release"]["edition"] == "7"
    art = data["articles"][0]
    assert (art["title"], art["date"][:10], art["authors"], art["section"], art["summary"]) == (
        "Posyandu Lansia Dibuka", "2025-11-10", ["Sari"], "Kesehatan", "Ringkasan singkat.")


def test_an_alias_next_to_its_key_is_an_error(tmp_path):
    rel = tmp_path / "rel"
    rel.mkdir()
    (rel / "release.yaml").write_text("title: Warta\ndate: 2025-11-12\n", encoding="utf-8")
    (rel / "a.md").write_text("---\ntitle: A\ndate: 2025-11-10\ntanggal: 2025-11-09\n---\nIsi.\n",
                              encoding="utf-8")
    proc = run_cli("build", rel, "-o", tmp_path / "out", "-f", "docx")
    assert proc.returncode == 2
    assert "a.md:4: `tanggal` and `date` are the same key; keep one" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_stray_nul_byte_is_cleaned_with_a_warning_naming_its_line(tmp_path):
    txt = tmp_path / "rilis.txt"
    txt.write_bytes("Posyandu Lansia Dibuka di Klojen\n\nKlojen – Posyandu lansia dibuka "
                    "Senin (10/11/2025).\n\nWarga\x00 menyambut baik layanan itu.\n".encode())
    proc = run_cli("inspect", txt)
    assert proc.returncode == 0, proc.stderr
    assert f"{txt}:5: " in proc.stderr and "stray NUL character removed" in proc.stderr
    assert "Warga menyambut baik" in proc.stdout
    md = tmp_path / "a.md"
    md.write_bytes(b"---\ntitle: A\ndate: 2025-11-10\n---\nIsi\x00 berita.\n")
    proc = run_cli("inspect", md)
    assert proc.returncode == 0, proc.stderr
    assert f"{md}:5: " in proc.stderr and "stray NUL" in proc.stderr


def test_a_file_of_mostly_control_bytes_is_still_refused(tmp_path):
    txt = tmp_path / "rilis.txt"
    txt.write_bytes(b"Judul\n" + bytes(range(32)) * 50)
    proc = run_cli("inspect", txt)
    assert proc.returncode == 2
    assert "binary" in proc.stderr and "Traceback" not in proc.stderr


def test_straight_quotes_become_typographic_in_every_format_except_code(tmp_path):
    import json
    import subprocess

    import feedparser

    body = ('Wali kota menyebut pasar itu "jantung kota" dan berkata \'kita jaga\'. '
            "Jum'at depan **\"Pasar Rakyat\"** dibuka. Perintahnya `cetak \"x\"` saja.\n")
    rel = _release(tmp_path, {"a.md": _article('Pasar "Rakyat" Dibuka', body=body)})
    out = tmp_path / "out"
    proc = run_cli("build", rel, "-o", out, "-f", "pdf,epub,rss,jsonfeed")
    assert proc.returncode == 0, proc.stderr
    pdf = subprocess.run(["pdftotext", out / "rel.pdf", "-"], capture_output=True,
                         text=True, check=True).stdout
    pdf = " ".join(pdf.split())  # a phrase may wrap at any space in the PDF
    with zipfile.ZipFile(out / "rel.epub") as z:
        epub = " ".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    feed = feedparser.parse(str(out / "feed.xml"))
    rss = feed.entries[0].title + " " + feed.entries[0].content[0].value
    jf = json.loads((out / "feed.json").read_text())["items"][0]
    for text in (pdf, epub, rss, jf["title"] + jf["content_html"]):
        assert "Pasar \u201cRakyat\u201d Dibuka" in text
        assert "\u201cjantung kota\u201d" in text and "\u2018kita jaga\u2019" in text
        assert "Jum\u2019at" in text
        assert "\u201cPasar Rakyat\u201d" in text
    # Code keeps the quotes as typed.
    assert 'cetak "x"' in pdf
    assert 'cetak "x"' in epub or "cetak &quot;x&quot;" in epub


def test_caption_and_credit_are_kept_apart_in_extracted_text(tmp_path):
    import subprocess

    import docx
    import feedparser

    rel = _release(tmp_path, {"a.md": _article(
        "Pasar Dibuka",
        body='Isi berita.\n\n![Pedagang](images/p.png "Pedagang menata dagangan di hari '
             'pertama (Foto: Sekar/Humas)")\n')})
    (rel / "images").mkdir()
    from PIL import Image

    Image.new("RGB", (80, 60), "teal").save(rel / "images" / "p.png")
    out = tmp_path / "out"
    proc = run_cli("build", rel, "-o", out, "-f", "pdf,epub,docx,rss")
    assert proc.returncode == 0, proc.stderr
    pdf = " ".join(subprocess.run(["pdftotext", out / "rel.pdf", "-"], capture_output=True,
                                  text=True, check=True).stdout.split())
    with zipfile.ZipFile(out / "rel.epub") as z:
        chapter = next(z.read(n) for n in z.namelist()
                       if n.endswith(".xhtml") and b"figcaption" in z.read(n))
    caption_text = "".join(etree.fromstring(chapter).xpath(
        "//*[local-name()='figcaption']//text()"))
    word = next(p.text for p in docx.Document(str(out / "docx" / "pasar-dibuka.docx")).paragraphs
                if p.style.name == "Caption")
    import lxml.html

    feed = lxml.html.fromstring(
        feedparser.parse(str(out / "feed.xml")).entries[0].content[0].value).text_content()
    want = "hari pertama \u2014 Foto: Sekar/Humas"
    for text in (pdf, caption_text, word, feed):
        assert want in text, text
    # The Word file comes back with the same caption and credit.
    back = tmp_path / "back"
    proc = run_cli("import", out / "docx" / "pasar-dibuka.docx", "-o", back)
    assert proc.returncode == 0, proc.stderr
    md = next(back.glob("*.md")).read_text(encoding="utf-8")
    assert "hari pertama (Kredit: Sekar/Humas)" in md and "\u2014" not in md


def test_a_broken_release_yaml_does_not_hide_the_articles_errors(tmp_path):
    rel = tmp_path / "rel"
    rel.mkdir()
    (rel / "release.yaml").write_text("title: Warta\ndate: 2025-13-45\n", encoding="utf-8")
    (rel / "a.md").write_text("---\ntitle: A\ndate: kemarin\n---\nIsi.\n", encoding="utf-8")
    (rel / "b.md").write_text("---\ntitle: B\n---\nIsi.\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("build", rel, "-o", out)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert any(line.startswith(f"error: {rel}/release.yaml:2: ") and "not a real date" in line
               for line in lines), lines
    assert any(line.startswith(f"error: {rel}/a.md:3: ") for line in lines), lines
    assert any(line.startswith(f"error: {rel}/b.md:2: ") for line in lines), lines
    assert not out.exists()


def test_a_chart_without_figures_in_its_alt_text_lowers_the_epub_claim(tmp_path):
    from PIL import Image

    def build(alt: str) -> tuple[str, etree._Element]:
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        rel = _release(root, {"a.md": _article(
            "Setoran Naik", body=f"Isi berita.\n\n![{alt}](images/g.png \"Setoran bulanan\")\n")})
        (rel / "images").mkdir()
        Image.new("RGB", (120, 80), "orange").save(rel / "images" / "g.png")
        out = root / "out"
        proc = run_cli("build", rel, "-o", out, "-f", "epub")
        assert proc.returncode == 0, proc.stderr
        with zipfile.ZipFile(out / "rel.epub") as z:
            opf = etree.fromstring(z.read(next(n for n in z.namelist() if n.endswith(".opf"))))
        return proc.stderr, opf

    def claims(opf: etree._Element) -> tuple[list[str], bool]:
        metas = {m.get("property"): m for m in opf.iter("{*}meta")}
        sufficient = [m.text for m in opf.iter("{*}meta")
                      if m.get("property") == "schema:accessModeSufficient"]
        return sufficient, "dcterms:conformsTo" in metas

    stderr, opf = build("Grafik batang setoran bulanan yang terus naik sepanjang 2025")
    assert "is a chart whose alt text gives no figures" in stderr
    assert claims(opf) == (["textual,visual"], False)
    stderr, opf = build("Grafik batang setoran bulanan 2025 (ton): Januari 3,1; Februari 3,4; "
                        "Maret 3,9")
    assert "chart" not in stderr
    assert claims(opf) == (["textual", "textual,visual"], True)
