"""The PDF bulletin, read back with poppler (pdffonts, pdftotext, pdfinfo,
pdfimages), qpdf and pypdf.

The sample publication is built once through the CLI (``sample_dist``);
the buletin theme, paper sizes and the edge cases are built in-process with
:func:`publikasi.builder.build` on small fixtures.
"""

from __future__ import annotations

import re
import subprocess
import time
from itertools import pairwise
from pathlib import Path

import pytest
from judges import pdffonts, pdfinfo, pdftotext, qpdf_check, require
from pdf_layout import expected_texts, segments
from PIL import Image
from pypdf import PdfReader

from publikasi.builder import BuildOptions, build
from publikasi.i18n import long_date
from publikasi.model import (
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    plain_text,
    walk_blocks,
)
from publikasi.source import load

ROOT = Path(__file__).resolve().parent.parent
PUBLICATION = ROOT / "samples" / "warta-malang"
BASE14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")
MM = 72 / 25.4


# ---------------------------------------------------------------- helpers


def squash(text: str) -> str:
    """Text without any whitespace: line wrapping must not matter."""
    return re.sub(r"\s+", "", text)


def pdf_path(dist: Path, release_slug: str) -> Path:
    return dist / release_slug / f"{release_slug}.pdf"


def page_texts(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(path).pages]


def outline_entries(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, page index) for every outline entry, depth first."""
    out: list[tuple[int, str, int]] = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def toc_entries(path: Path, titles: list[str]) -> tuple[dict[str, int], set[int]]:
    """Title -> the page number printed next to it in the table of contents, and
    the (0-based) pages where those contents lines are."""
    found: dict[str, int] = {}
    pages: set[int] = set()
    for index, page in enumerate(pdftotext(path, layout=True).split("\f")):
        for line in page.splitlines():
            m = re.match(r"^\s*(.+?)\s{2,}(\d+)\s*$", line)
            if not m:
                continue
            head = squash(m.group(1))
            for title in titles:
                if head and squash(title).startswith(head) and title not in found:
                    found[title] = int(m.group(2))
                    pages.add(index)
    return found, pages


def toc_numbers(path: Path, titles: list[str]) -> dict[str, int]:
    return toc_entries(path, titles)[0]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_png(path: Path, size: tuple[int, int], color=(40, 120, 180)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path)
    return path


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def model():
    loaded = load(PUBLICATION)
    return loaded.publication


@pytest.fixture(scope="session")
def sample_pdfs(sample_dist, model) -> dict[str, Path]:
    pdfs = {r.slug: pdf_path(sample_dist, r.slug) for r in model.releases}
    for p in pdfs.values():
        assert p.is_file(), f"missing {p}"
    return pdfs


@pytest.fixture(scope="session")
def buletin_dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("buletin") / "dist"
    build(PUBLICATION, out, BuildOptions(formats=["pdf"], theme="buletin"))
    return out


# ---------------------------------------------------------------- the sample bulletin


def test_every_font_is_embedded_noto(sample_pdfs):
    for path in sample_pdfs.values():
        fonts = pdffonts(path)
        assert fonts, path
        assert all(f.embedded for f in fonts), [f for f in fonts if not f.embedded]
        names = [f.name.split("+")[-1] for f in fonts]
        assert not [n for n in names if n.startswith(BASE14)], names
        for face in ("NotoSerif-Regular", "NotoSerif-Bold", "NotoSerif-Italic", "NotoSans-Bold"):
            assert face in names, (face, names)


def body_text(path: Path, release) -> str:
    """The squashed text of every page without its running header and footer
    (a paragraph may run on from one page to the next)."""
    header = squash(release.title + f" · Edisi {release.edition}" + long_date(release.date, "id"))
    out = []
    for page in pdftotext(path).split("\f"):
        page = re.sub(r"Halaman\d+dari\d+$", "", squash(page))
        out.append(page.removeprefix(header))
    return "".join(out)


def test_text_of_every_article_is_in_the_pdf(sample_pdfs, model):
    for release in model.releases:
        text = body_text(sample_pdfs[release.slug], release)
        for article in release.articles:
            for piece in expected_texts(article):
                assert squash(piece) in text, (release.slug, article.slug, piece[:80])


def test_masthead_header_and_footer(sample_pdfs, model):
    release = next(r for r in model.releases if r.slug == "2025-46")
    pages = pdftotext(sample_pdfs["2025-46"]).split("\f")
    pages = [p for p in pages if p.strip()]
    first = pages[0]
    assert "Senin, 10 November 2025" in first
    assert "Warta Kota Malang" in first and "Edisi 46/2025" in first
    assert "Daftar Isi" in first
    total = len(pages)
    assert total == int(pdfinfo(sample_pdfs["2025-46"])["Pages"])
    for n, page in enumerate(pages, 1):
        assert f"Halaman {n} dari {total}" in page, n
        if n > 1:  # running header: publication and edition
            assert "Warta Kota Malang · Edisi 46/2025" in page, n
    assert long_date(release.date, "id") == "Senin, 10 November 2025"


def assert_toc_matches_pages(path: Path, titles: list[str]) -> dict[str, int]:
    """Every title's printed TOC number is the first non-TOC page pypdf finds it on."""
    printed, toc_pages = toc_entries(path, titles)
    assert set(printed) == set(titles), set(titles) - set(printed)
    texts = [squash(t) for t in page_texts(path)]
    for title in titles:
        # Page 1 is the cover (lead stories repeat some titles); articles start later.
        where = [i + 1 for i, t in enumerate(texts)
                 if squash(title) in t and i not in toc_pages and i > 0]
        assert where, title
        assert printed[title] == where[0], (title, printed[title], where)
    return printed


def test_toc_numbers_are_the_pages_where_articles_start(sample_pdfs, model):
    for release in model.releases:
        assert_toc_matches_pages(sample_pdfs[release.slug], [a.title for a in release.articles])


def test_long_contents_continue_full_width(tmp_path):
    root = tmp_path / "banyak"
    write(root / "release.yaml", "title: Banyak Berita\ndate: 2025-11-10\n")
    titles = []
    for i in range(40):
        titles.append(f"Berita nomor {i:02d} tentang kota")
        write(root / f"b{i:02d}.md", f"---\ntitle: {titles[-1]}\ndate: 2025-11-10\n"
              f"section: Rubrik {i % 6}\n---\n\nIsi berita {i}.\n")
    build(root, tmp_path / "out", BuildOptions(formats=["pdf"], theme="buletin"))
    pdf = tmp_path / "out" / "banyak.pdf"
    assert_toc_matches_pages(pdf, titles)
    width, lines = _line_boxes(pdf, 2)  # the contents' second page: one wide column
    assert sum(1 for a, b in lines if b > width * 0.85) > 10  # page numbers at the right
    assert not [a for a, b in lines if width * 0.45 < a < width * 0.6]  # no second column


def shared_start_pages(path: Path, release) -> int:
    """How many articles start on the page where the previous article ends."""
    printed = toc_numbers(path, [a.title for a in release.articles])
    texts = [squash(t) for t in page_texts(path)]
    shared = 0
    for prev, art in pairwise(release.articles):
        tail = [b for b in prev.blocks if isinstance(b, Paragraph) and b.inlines][-1]
        end = squash(segments(tail.inlines)[-1])[-30:]
        shared += end in texts[printed[art.title] - 1]
    return shared


def test_default_theme_starts_each_article_on_a_new_page(sample_pdfs, model):
    release = next(r for r in model.releases if r.slug == "2025-46")
    printed = toc_numbers(sample_pdfs["2025-46"], [a.title for a in release.articles])
    assert len(set(printed.values())) == len(release.articles)
    assert shared_start_pages(sample_pdfs["2025-46"], release) == 0


def test_outline_is_section_then_article(sample_pdfs, model):
    for release in model.releases:
        reader = PdfReader(sample_pdfs[release.slug])
        entries = outline_entries(reader)
        articles = [e for e in entries if e[1] in {a.title for a in release.articles}]
        assert [e[1] for e in articles] == [a.title for a in release.articles]
        # Levels never jump; an article with a section sits right under it.
        previous = -1
        for level, _, _ in entries:
            assert level <= previous + 1
            previous = level
        for a in release.articles:
            i = next(i for i, e in enumerate(entries) if e[1] == a.title)
            if a.section:
                parent = next(e for e in reversed(entries[:i]) if e[0] == entries[i][0] - 1)
                assert entries[i][0] == 1 and parent[1] == a.section
            else:
                assert entries[i][0] == 0
        # The bookmark lands on the page the TOC prints.
        printed = toc_numbers(sample_pdfs[release.slug], [a.title for a in release.articles])
        for _level, title, page in articles:
            assert page + 1 == printed[title], title


def test_links_are_clickable(sample_pdfs, model):
    for release in model.releases:
        reader = PdfReader(sample_pdfs[release.slug])
        uris, internal = set(), 0
        for page in reader.pages:
            for annot in page.get("/Annots") or []:
                a = annot.get_object()
                if a.get("/Subtype") != "/Link":
                    continue
                action = a.get("/A")
                if action is not None and "/URI" in action:
                    uris.add(str(action["/URI"]))
                elif "/Dest" in a or (action is not None and "/D" in action):
                    internal += 1
        wanted = set()
        for article in release.articles:
            for block in walk_blocks(article.blocks):
                for node in getattr(block, "inlines", ()):
                    if type(node).__name__ == "Link" and node.url.startswith("http"):
                        wanted.add(node.url)
        assert wanted and wanted <= uris, wanted - uris
        # TOC entries and footnotes jump inside the document.
        assert internal >= len(release.articles)


def test_footnotes_at_the_end_of_their_article(sample_pdfs, model):
    release = next(r for r in model.releases if r.slug == "2025-46")
    article = next(a for a in release.articles if a.footnotes)
    text = squash(pdftotext(sample_pdfs["2025-46"]))
    note = plain_text(article.footnotes[0].blocks)
    assert squash("Catatan") in text and squash(note) in text
    # The note comes after the article's last paragraph, before the next article.
    last_para = [b for b in article.blocks if isinstance(b, Paragraph)][-1]
    assert text.index(squash(segments(last_para.inlines)[-1])) < text.index(squash(note))


def test_metadata_language_and_dates(sample_pdfs, model):
    for release in model.releases:
        reader = PdfReader(sample_pdfs[release.slug])
        meta = reader.metadata
        assert meta.title.startswith(release.title)
        assert meta.author == release.publisher.name
        assert release.edition in meta.subject
        keywords = meta["/Keywords"]
        for article in release.articles:
            if article.section:
                assert article.section in keywords
        assert reader.trailer["/Root"]["/Lang"] == release.language
        # Dates are the edition's newest article's, not the moment of the build,
        # nor a later edition's (edition 46 was dated after itself).
        newest = max(a.date for a in release.articles)
        created = meta.creation_date
        assert abs((created - newest).total_seconds()) < 1, (created, newest)


def test_qpdf_check_passes(sample_pdfs):
    for path in sample_pdfs.values():
        proc = qpdf_check(path)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_streams_are_binary_flate_without_ascii85(sample_pdfs):
    """Every stream is compressed (Flate, or DCT for a photo) and none is ASCII85
    text; only the XMP metadata stays plain XML, for tools that scan for it."""
    pikepdf = pytest.importorskip("pikepdf")
    for path in sample_pdfs.values():
        with pikepdf.open(path) as pdf:
            streams = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                       and o.get("/Type") != "/Metadata"]
            assert streams, path
            for stream in streams:
                filters = stream.get("/Filter")
                names = ([str(f) for f in filters] if isinstance(filters, pikepdf.Array)
                         else [str(filters)] if filters is not None else [])
                assert "/ASCII85Decode" not in names, (path, names)
                assert names and names[0] in ("/FlateDecode", "/DCTDecode"), (path, names)


def test_pictures_keep_aspect_and_at_most_300_dpi(sample_pdfs, model):
    out = subprocess.run([require("pdfimages"), "-list", str(sample_pdfs["2025-46"])],
                         capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    rows = [line.split() for line in out if line.strip()]
    images = [r for r in rows if r[2] == "image"]
    release = next(r for r in model.releases if r.slug == "2025-46")
    with_files = [f for a in release.articles for f in a.figures if f.src is not None]
    assert len(images) >= len(with_files)
    for r in images:
        x_ppi, y_ppi = float(r[12]), float(r[13])
        assert x_ppi <= 300.5 and y_ppi <= 300.5, r
        assert abs(x_ppi - y_ppi) <= max(2.0, 0.02 * x_ppi), r  # aspect ratio kept


def test_captions_share_a_page_with_a_picture(sample_pdfs, model):
    """A photo is never parted from its caption (caption page has a picture)."""
    for release in model.releases:
        path = sample_pdfs[release.slug]
        out = subprocess.run([require("pdfimages"), "-list", str(path)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
        pages_with_images = {int(line.split()[0]) for line in out if line.strip()}
        texts = [squash(t) for t in page_texts(path)]
        for article in release.articles:
            for fig in article.figures:
                if fig.src is None or not fig.caption:
                    continue
                where = [i + 1 for i, t in enumerate(texts) if squash(fig.caption) in t]
                assert where and all(p in pages_with_images for p in where), (fig.caption, where)


def test_caption_only_photos_are_left_out(sample_pdfs, model):
    release = next(r for r in model.releases if r.slug == "2025-46")
    ghost = [(a, f) for a in release.articles for f in a.figures if f.src is None]
    if not ghost:
        pytest.skip("the sample has no caption-only photo")
    text = squash(pdftotext(sample_pdfs["2025-46"]))
    for article, fig in ghost:
        assert squash(article.title) in text
        if fig.caption:
            assert squash(fig.caption) not in text


def test_english_article_gets_english_date(sample_pdfs, model):
    for release in model.releases:
        for article in release.articles:
            if article.language == "en":
                text = pdftotext(sample_pdfs[release.slug])
                assert long_date(article.date, "en") in text


def test_rebuild_is_byte_identical(sample_pdfs, tmp_path, monkeypatch):
    """A second build, later and in another process, without SOURCE_DATE_EPOCH."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    time.sleep(1.1)
    build(PUBLICATION, tmp_path / "again", BuildOptions(formats=["pdf"]))
    for slug, path in sample_pdfs.items():
        again = pdf_path(tmp_path / "again", slug)
        assert again.read_bytes() == path.read_bytes(), slug


# ---------------------------------------------------------------- buletin theme


def _line_boxes(path: Path, page: int) -> tuple[float, list[tuple[float, float]]]:
    """Page width and (xMin, xMax) of every text line pdftotext finds on a page."""
    html = subprocess.run([require("pdftotext"), "-bbox-layout", "-f", str(page), "-l",
                           str(page), str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    lines = [(float(a), float(b)) for a, b in
             re.findall(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', html)]
    return width, lines


def test_buletin_is_two_columns_and_default_is_one(buletin_dist, sample_pdfs):
    width, lines = _line_boxes(pdf_path(buletin_dist, "2025-46"), 2)
    left = [x for x in lines if x[1] < width / 2]
    right = [x for x in lines if x[0] > width / 2]
    assert len(left) > 15 and len(right) > 15, (len(left), len(right))
    # No body line crosses the gutter (the running header is the only wide text).
    assert sum(1 for a, b in lines if b - a > width * 0.55) <= 2
    width, lines = _line_boxes(sample_pdfs["2025-46"], 2)
    assert sum(1 for a, b in lines if b - a > width * 0.55) > 10


def test_buletin_has_a_coloured_masthead_band(buletin_dist, sample_pdfs, tmp_path):
    def top_strip(pdf: Path, name: str):
        subprocess.run([require("pdftoppm"), "-png", "-r", "30", "-f", "1", "-l", "1",
                        "-singlefile", str(pdf), str(tmp_path / name)], check=True)
        with Image.open(tmp_path / f"{name}.png") as im:
            rgb = im.convert("RGB")
            return rgb.getpixel((rgb.width - 5, 5))

    r, g, b = top_strip(pdf_path(buletin_dist, "2025-46"), "buletin")
    assert (r, g, b) != (255, 255, 255) and r > g + 60, (r, g, b)  # the accent red
    assert top_strip(sample_pdfs["2025-46"], "default") == (255, 255, 255)


def test_buletin_articles_follow_each_other(buletin_dist, model):
    release = next(r for r in model.releases if r.slug == "2025-46")
    path = pdf_path(buletin_dist, "2025-46")
    assert shared_start_pages(path, release) >= (len(release.articles) - 1) // 2
    assert all(f.embedded for f in pdffonts(path))


def test_buletin_pull_quote(buletin_dist, model):
    release = next(r for r in model.releases if r.slug == "2025-46")
    quoted = [a for a in release.articles if any(isinstance(b, Quote) for b in a.blocks)]
    assert quoted, "the sample needs a quote"
    text = squash(pdftotext(pdf_path(buletin_dist, "2025-46")))
    for article in quoted:
        quote = next(b for b in article.blocks if isinstance(b, Quote))
        assert squash(plain_text(quote.blocks[0])) in text


# ---------------------------------------------------------------- paper sizes


@pytest.fixture(scope="module")
def tiny_release(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny") / "rilis"
    write(root / "release.yaml", "title: Warta Uji\ndate: 2025-11-10\nedition: 1/2025\n")
    write(root / "satu.md", "---\ntitle: Berita Satu\ndate: 2025-11-10T09:30:00+07:00\n"
          "dateline: Klojen\nsection: Umum\n---\n\nIsi berita pertama yang pendek.\n")
    return root


@pytest.mark.parametrize("paper,size_mm", [("f4", (215, 330)), ("letter", (215.9, 279.4)),
                                           ("a4", (210, 297))])
def test_paper_sizes(tiny_release, tmp_path, paper, size_mm):
    build(tiny_release, tmp_path / "out", BuildOptions(formats=["pdf"], paper=paper))
    info = pdfinfo(tmp_path / "out" / "rilis.pdf")
    w, h = (float(x) for x in re.match(r"([\d.]+) x ([\d.]+)", info["Page size"]).groups())
    assert abs(w - size_mm[0] * MM) < 1 and abs(h - size_mm[1] * MM) < 1, info["Page size"]


def test_english_release_labels(tmp_path):
    root = tmp_path / "news"
    write(root / "release.yaml", "title: City News\ndate: 2025-11-10\nedition: 7\n"
          "language: en\n")
    write(root / "a.md", "---\ntitle: Bridge Reopens\ndate: 2025-11-10T10:00:00+08:00\n"
          "dateline: Denpasar\n---\n\nTraffic flows again.\n")
    write(root / "b.md", "---\ntitle: Market Day\ndate: 2025-11-09\n---\n\nStalls open.\n")
    build(root, tmp_path / "out", BuildOptions(formats=["pdf"]))
    pdf = tmp_path / "out" / "news.pdf"
    text = pdftotext(pdf)
    assert "Monday, 10 November 2025" in text
    assert "Contents" in text and "Page 1 of 3" in text and "Edition 7" in text
    assert "10.00 WITA" in text or "10:00 WITA" in text
    assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "en"


# ---------------------------------------------------------------- hostile input


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "keras"
    write(root / "release.yaml", "title: Uji Tahan Banting\ndate: 2025-11-10\n")
    make_png(root / "images" / "tinggi.png", (60, 2400))
    make_png(root / "images" / "lebar.png", (3000, 40), (200, 60, 30))
    long_word = "Panjang" * 2900  # 20,300 characters without a space
    url = "https://contoh.example/" + "segmen-panjang/" * 60 + "akhir"
    header = "| " + " | ".join(f"Kolom{i}" for i in range(40)) + " |"
    rule = "|" + "---|" * 40
    row = "| " + " | ".join(f"n{i}" for i in range(40)) + " |"
    cell_word = "Sel" * 3000
    body = f"""Paragraf pembuka: a &lt; b &amp; c &gt; d, tanda "kutip" &amp;amp;.

{long_word}

Tautan panjang: [{url}]({url}) dan {url}

{header}
{rule}
{row}

| Nama | Isi |
|---|---|
| sel raksasa | {cell_word} |

1. satu
2. dua
   - anak pertama
     1. cucu a
     2. cucu b
   - anak kedua
3. tiga

![Foto tinggi](images/tinggi.png "Keterangan foto tinggi")

![Foto lebar](images/lebar.png "Keterangan foto lebar")

> Kutipan pertama.

Penutup.
"""
    write(root / "keras.md", "---\ntitle: Berita Keras\ndate: 2025-11-10\nsection: Uji\n---\n\n"
          + body)
    result = build(root, tmp_path_factory.mktemp("hostile-out") / "out",
                   BuildOptions(formats=["pdf"], theme="buletin"))
    pdf = next(p for p in result.files if p.suffix == ".pdf")
    return {"pdf": pdf, "long_word": long_word, "url": url, "cell_word": cell_word,
            "result": result}


def test_hostile_layout_builds_and_keeps_all_text(hostile):
    pdf = hostile["pdf"]
    # Running headers and footers sit between the pieces of text split across pages.
    text = re.sub(r"UjiTahanBanting|Senin,10November2025|Halaman\d+dari\d+", "",
                  squash(pdftotext(pdf)))
    # Every piece of the split words is there (pieces may be interleaved with
    # repeated table headers when a row continues in the next column).
    assert text.count("Panjang") == 2900
    assert text.count("Sel") - text.count("Selengkapnya") == 3000
    assert squash(hostile["url"]) in text
    for i in range(40):
        assert f"Kolom{i}" in text and f"n{i}" in text
    assert "Paragrafpembuka:a<b&c>d,tanda\u201ckutip\u201d&amp;." in text
    for word in ("cucua", "cucub", "anakpertama", "tiga", "Keteranganfototinggi"):
        assert word in text
    assert qpdf_check(pdf).returncode == 0
    assert all(f.embedded for f in pdffonts(pdf))


def test_hostile_pictures_fit_the_page(hostile):
    reader = PdfReader(hostile["pdf"])
    out = subprocess.run([require("pdfimages"), "-list", str(hostile["pdf"])],
                         capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    rows = [line.split() for line in out if line.strip()]
    assert len(rows) == 2
    page_w = float(reader.pages[0].mediabox.width)
    page_h = float(reader.pages[0].mediabox.height)
    for r in rows:
        w_px, h_px, ppi_x, ppi_y = int(r[3]), int(r[4]), float(r[12]), float(r[13])
        placed_w, placed_h = w_px / ppi_x * 72, h_px / ppi_y * 72
        assert placed_w < page_w / 2 and placed_h < page_h * 0.5, r  # one column, not a page
        assert ppi_x <= 300.5 and ppi_y <= 300.5, r
        # Aspect kept to within the rounding of one pixel.
        assert abs(ppi_x - ppi_y) <= ppi_x / min(w_px, h_px) + 2, r


def test_text_outside_font_coverage(tmp_path):
    """Latin/Greek/Cyrillic always render.  Arabic, Devanagari and CJK render
    with a fallback font and shaping when those are installed (uharfbuzz, a
    fontpkg-noto-sans-<script> package); otherwise the build names exactly the
    characters it could not show."""
    import unicodedata

    root = tmp_path / "nama"
    write(root / "release.yaml", "title: Nama Dunia\ndate: 2025-11-10\n")
    write(root / "a.md", "---\ntitle: Tamu dari Jauh\ndate: 2025-11-10\n"
          "authors: [Łukasz Żółć, Αλέξανδρος Παπαδόπουλος, Дмитрий Иванов, محمد, राम, 張偉]\n"
          "---\n\nKunjungan “ramah” — tamu: Ελλάδα, Москва, Đà Nẵng.\n")
    result = build(root, tmp_path / "out", BuildOptions(formats=["pdf"]))
    pdf = tmp_path / "out" / "nama.pdf"
    text = pdftotext(pdf)
    for shown in ("Łukasz Żółć", "Αλέξανδρος Παπαδόπουλος", "Дмитрий Иванов",
                  "“ramah” —", "Ελλάδα", "Москва", "Đà Nẵng"):
        assert shown in text, shown
    warnings = [w for w in result.warnings if "characters not shown" in w]
    assert all(str(root / "a.md") in w for w in warnings), warnings
    assert not any("GREEK" in w or "CYRILLIC" in w or "LATIN" in w for w in warnings)
    # NFKC folds Arabic presentation forms (what shaped glyphs extract as) back.
    folded = unicodedata.normalize("NFKC", text)
    fonts = [f.name.split("+")[-1] for f in pdffonts(pdf)]
    assert all(f.embedded for f in pdffonts(pdf))
    for word, names in (("محمد", ["U+0645 ARABIC LETTER MEEM", "U+062D ARABIC LETTER HAH",
                                  "U+062F ARABIC LETTER DAL"]),
                        ("राम", ["U+0930 DEVANAGARI LETTER RA",
                                "U+093E DEVANAGARI VOWEL SIGN AA",
                                "U+092E DEVANAGARI LETTER MA"]),
                        ("張偉", ["U+5F35 CJK UNIFIED IDEOGRAPH-5F35",
                                 "U+5049 CJK UNIFIED IDEOGRAPH-5049"])):
        warned = [n for n in names if any(n in w for w in warnings)]
        if word == "張偉":
            # No maintained CJK font package on PyPI: every character named.
            assert warned == names, (word, warned)
            assert word not in folded
        else:
            # Noto Sans has Devanagari, fontpkg-noto-sans-arabic has Arabic; both
            # are shaped by uharfbuzz.
            assert not warned, (word, warned)
            assert word in folded, (word, fonts)
    assert any("Arabic" in f for f in fonts), fonts


def export_model(tmp_path: Path, blocks: tuple, theme: str = "default") -> str:
    """Run the PDF exporter on a one-article release built from model objects."""
    import datetime as dt

    from publikasi.exporters import ExportContext, Sink
    from publikasi.exporters.pdf import PdfExporter
    from publikasi.images import ImageStore
    from publikasi.model import Article, Publication, Release
    from publikasi.themes import load_theme

    art = Article(slug="uji", title="Artikel Uji",
                  date=dt.datetime(2025, 11, 10, tzinfo=dt.timezone(dt.timedelta(hours=7))),
                  blocks=blocks)
    rel = Release(slug="r", title="Uji", date=dt.date(2025, 11, 10), articles=(art,))
    ctx = ExportContext(theme=load_theme(theme), sink=Sink(tmp_path), images=ImageStore(),
                        build_time=dt.datetime(2025, 11, 10, tzinfo=dt.UTC),
                        publication=Publication(title="Uji", releases=(rel,)))
    PdfExporter().export(rel, ctx)
    return pdftotext(tmp_path / "r.pdf")


def test_photo_is_embedded_as_prepared_without_decoding(tmp_path, monkeypatch):
    """A JPEG reaches reportlab as the prepared file: never decoded to pixels
    there, and embedded byte for byte as DCTDecode."""
    pikepdf = pytest.importorskip("pikepdf")
    from reportlab.lib.utils import ImageReader

    from publikasi.images import ImageStore
    from publikasi.model import Text

    photo = tmp_path / "foto.jpg"
    Image.new("RGB", (400, 300), (200, 90, 40)).save(photo, quality=80)
    prepared = ImageStore().prepare(photo, "print").data

    def decoding(reader):
        raise AssertionError(f"reportlab decoded {reader.identity()}")

    monkeypatch.setattr(ImageReader, "getRGBData", decoding)
    out = tmp_path / "out"
    out.mkdir()
    text = export_model(out, (Paragraph((Text("Sebelum foto."),)),
                              Figure(photo, caption="Foto uji")))
    assert "Foto uji" in text
    with pikepdf.open(out / "r.pdf") as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                  and o.get("/Subtype") == "/Image"]
        assert len(images) == 1
        assert images[0].get("/Filter") == "/DCTDecode" or \
            [str(f) for f in images[0].get("/Filter")] == ["/DCTDecode"]
        assert images[0].read_raw_bytes() == prepared


def test_figure_without_file_is_left_out(tmp_path):
    from publikasi.model import Text

    text = export_model(tmp_path, (Paragraph((Text("Sebelum foto."),)),
                                   Figure(None, caption="Keterangan foto yang hilang"),
                                   Paragraph((Text("Sesudah foto."),))))
    assert "Sebelum foto." in text and "Sesudah foto." in text
    assert "Keterangan foto yang hilang" not in text


@pytest.mark.parametrize("theme", ["default", "buletin"])
def test_deep_nesting_keeps_every_level(tmp_path, theme):
    """40 nested lists and 40 nested quotes: no level is indented off the page."""
    from publikasi.model import Text

    def deep_list(level: int, n: int) -> ListBlock:
        leaf = (Paragraph((Text(f"tingkat{level}"),)),)
        if level < n:
            leaf += (deep_list(level + 1, n),)
        return ListBlock((leaf,), ordered=level % 2 == 1)

    def deep_quote(level: int, n: int) -> Quote:
        inner = (Paragraph((Text(f"kutip{level}"),)),)
        if level < n:
            inner += (deep_quote(level + 1, n),)
        return Quote(inner)

    text = export_model(tmp_path, (deep_list(0, 40), Paragraph((Text("tengah"),)),
                                   deep_quote(0, 40)), theme)
    words = set(re.findall(r"(?:tingkat|kutip)\d+", text))
    assert words == {f"tingkat{i}" for i in range(41)} | {f"kutip{i}" for i in range(41)}


def test_bad_pdf_setting_is_an_input_error(tiny_release, tmp_path):
    from publikasi.errors import InputError

    theme = tmp_path / "tema"
    write(theme / "theme.toml", 'inherits = "default"\n')
    write(theme / "pdf" / "settings.toml", 'article_start = "kadang-kadang"\n')
    with pytest.raises(InputError) as err:
        build(tiny_release, tmp_path / "out", BuildOptions(formats=["pdf"], theme=str(theme)))
    assert "settings.toml" in str(err.value) and "article_start" in str(err.value)
    assert not (tmp_path / "out").exists()


def test_font_cache_faces_have_their_own_names():
    from fontTools.ttLib import TTFont

    from publikasi.exporters.pdf.fonts import FAMILIES, _source_family, cache_dir, ensure_faces

    cuts = ensure_faces([_source_family(k, m) for k, m in FAMILIES.items()])
    names = set()
    for cut in cuts:
        for role, path in cut.files.items():
            assert cache_dir() in path.parents or "publikasi-fonts" in str(path)
            font = TTFont(path, lazy=True)
            assert "fvar" not in font  # static, not variable
            names.add(font["name"].getDebugName(6))
            weight = font["OS/2"].usWeightClass
            assert weight == (700 if "bold" in role else 400), (path, weight)
    assert len(names) == 8, names


def test_font_cache_location_follows_the_environment(monkeypatch, tmp_path):
    from publikasi.exporters.pdf.fonts import cache_dir

    monkeypatch.setenv("PUBLIKASI_FONT_CACHE", str(tmp_path / "fonts"))
    assert cache_dir() == tmp_path / "fonts"
    monkeypatch.delenv("PUBLIKASI_FONT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "publikasi" / "fonts"


def test_link_to_another_article_jumps_to_it(tmp_path):
    root = tmp_path / "silang"
    write(root / "release.yaml", "title: Silang\ndate: 2025-11-10\narticles: [a.md, b.md]\n")
    write(root / "a.md", "---\ntitle: Artikel Pertama\ndate: 2025-11-10\n---\n\n"
          "Baca juga [artikel kedua](b.md) dan [situs kota](https://malangkota.example/).\n")
    write(root / "b.md", "---\ntitle: Artikel Kedua\ndate: 2025-11-09\n---\n\nIsi kedua.\n")
    build(root, tmp_path / "out", BuildOptions(formats=["pdf"]))
    reader = PdfReader(tmp_path / "out" / "silang.pdf")
    texts = [p.extract_text() for p in reader.pages]
    # The last page holding each text is the article itself (page 1 lists leads).
    page_a = max(i for i, t in enumerate(texts) if "Baca juga" in t)
    page_b = max(i for i, t in enumerate(texts) if "Isi kedua." in t)
    assert page_a != page_b
    page_of = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    targets, uris = [], []
    for annot in reader.pages[page_a].get("/Annots") or []:
        a = annot.get_object()
        if "/Dest" in a:
            targets.append(page_of.get(a["/Dest"][0].idnum))
        elif "/A" in a and "/URI" in a["/A"]:
            uris.append(a["/A"]["/URI"])
    assert page_b in targets, (targets, page_b)
    assert "https://malangkota.example/" in uris


def test_odd_blocks_render(tmp_path):
    from publikasi.model import Code, Emph, LineBreak, Link, Strong, Text

    blocks = (
        Table(header=((Text("Hanya"),), (Text("Kepala"),)), rows=()),
        Table(header=(), rows=(((Text("tanpa"),), (Text("kepala"),)),)),
        ListBlock(((), (ListBlock(((Paragraph((Text("anak-saja"),)),),)),)), ordered=True,
                  start=7),
        Paragraph((Code("a<b && c>d"), LineBreak(), Strong((Emph((Text("tebal-miring"),)),)),
                   Link("https://contoh.example/?a=1&b=<2>", (Text("tautan&aneh"),)),
                   Link("javascript:alert(1)", (Text("bukan-tautan"),)))),
        Quote((Heading(2, (Text("judul-dalam-kutipan"),)),
               Table(header=((Text("k1"),),), rows=(((Text("v1"),),),))), "Sumber"),
    )
    text = export_model(tmp_path, blocks, "buletin")
    for word in ("Hanya", "Kepala", "tanpa", "kepala", "anak-saja", "a<b && c>d",
                 "tebal-miring", "tautan&aneh", "bukan-tautan", "judul-dalam-kutipan", "k1",
                 "v1", "— Sumber"):
        assert word in text, word
    reader = PdfReader(tmp_path / "r.pdf")
    uris = [a.get_object()["/A"]["/URI"] for p in reader.pages for a in p.get("/Annots") or []
            if "/A" in a.get_object()]
    assert uris == ["https://contoh.example/?a=1&b=<2>"]


def test_huge_names_fit_their_boxes(tmp_path):
    """3,000-character titles, section and edition: band and header stay one box."""
    long = " ".join(["Pemerintah Kota Malang"] * 140)
    root = tmp_path / "besar"
    write(root / "release.yaml", f"title: {long}\ndate: 2025-11-10\nedition: {'9' * 300}\n")
    write(root / "a.md", f"---\ntitle: {long}\ndate: 2025-11-10\nsection: {'Rubrik' * 600}\n"
          f"dateline: {'Kota' * 500}\n---\n\nIsi akhir.\n")
    build(root, tmp_path / "out", BuildOptions(formats=["pdf"], theme="buletin"))
    pdf = tmp_path / "out" / "besar.pdf"
    text = squash(pdftotext(pdf))
    assert "Isiakhir." in text and ("Rubrik" * 50).upper() in text
    page_h = float(PdfReader(pdf).pages[0].mediabox.height)
    html = subprocess.run([require("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    tops = [float(y) for y in re.findall(r'<word xMin="[\d.]+" yMin="(-?[\d.]+)"', html)]
    assert tops and min(tops) >= 0 and max(tops) <= page_h  # nothing drawn off the page


def test_footnote_refs_glued_to_arabic_words(tmp_path):
    """A footnote number right against a shaped (Arabic) word, in a paragraph,
    a list item and a table cell: the PDF builds, the numbers print, and every
    note links back to a destination that exists."""
    root = tmp_path / "catatan"
    write(root / "release.yaml", "title: Catatan\ndate: 2025-11-10\n")
    write(root / "a.md", "---\ntitle: Doa Bersama\ndate: 2025-11-10\n---\n\n"
          "Acara dibuka dengan bacaan سلام[^1]ﷺ oleh tamu.\n\n"
          "- Butir بركة[^2]\n\n"
          "| Nama | Catatan |\n|---|---|\n| محمد[^3] | hadir |\n\n"
          "[^1]: Catatan pertama.\n[^2]: Catatan kedua.\n[^3]: Catatan ketiga.\n")
    build(root, tmp_path / "out", BuildOptions(formats=["pdf"]))
    pdf = tmp_path / "out" / "catatan.pdf"
    text = pdftotext(pdf)
    for words in ("Catatan pertama", "Catatan ketiga", "oleh tamu"):
        assert words in text, words
    # Extracted shaped Arabic is unreliable text, but the note numbers must be
    # drawn as digits (glued into the shaped word they came out as other glyphs).
    body = text[text.index("oleh tamu") - 60:text.rindex("1. Catatan pertama")]
    assert {"1", "2", "3"} <= set(re.findall(r"\d", body)), body
    reader = PdfReader(pdf)
    page = reader.pages[-1]  # the article's page
    links = []  # (top of the link's box, bottom, page it jumps to, y it jumps to)
    for annot in page.get("/Annots") or []:
        a = annot.get_object()
        dest = a.get("/Dest")
        if dest is not None:
            rect = [float(x) for x in a["/Rect"]]
            links.append((rect[3], rect[1], reader.get_page_number(dest[0].get_object()),
                          float(dest[3])))
    here = len(reader.pages) - 1
    forward = sorted((k for k in links if k[3] < k[1]), reverse=True)  # number -> note
    back = sorted((k for k in links if k[3] > k[0]), reverse=True)     # note -> text
    assert len(forward) == 3 and len(back) == 3, links
    assert all(k[2] == here for k in links), links
    # Each note jumps back to the top of the block that cites it, just above
    # the number (paragraph, list, table, in that order).
    for (ref_top, *_), (_, _, _, target) in zip(forward, back, strict=True):
        assert 0 <= target - ref_top < 40, (ref_top, target)


def test_list_ending_in_a_heading_before_a_photo(tmp_path):
    """A list whose last item ends with a nested list and a heading
    (keep-with-next), followed by a photo, split across a page end: reportlab
    used to loop for ever on this
    (found by the fuzz tests).  Many such groups of varied length make sure
    some list straddles a page end."""
    from publikasi.model import Text

    photo = make_png(tmp_path / "foto.png", (400, 300))
    blocks: tuple = ()
    for i in range(24):
        blocks += tuple(Paragraph((Text(f"Paragraf {i}.{j} " + "isi berita " * 12),))
                        for j in range(i % 5))
        items = tuple((Paragraph((Text(f"Butir {i}.{k} " + "rincian " * 8),)),)
                      for k in range(3 + i % 6))
        inner = ListBlock(tuple((Paragraph((Text("sub-butir " * 10),)),) for _ in range(3)),
                          ordered=True)
        items += ((Paragraph((Text(f"Butir akhir {i}"),)), inner,
                   Heading(3, (Text(f"Subjudul {i}"),))),)
        blocks += (ListBlock(items, ordered=i % 2 == 0),
                   Figure(photo, alt=f"Foto {i}", caption=f"Keterangan foto {i}"))
    text = export_model(tmp_path / "out", blocks)
    for i in range(24):
        assert f"Subjudul {i}" in text and f"Keterangan foto {i}" in text, i


def test_a_layout_that_never_settles_fails_instead_of_hanging():
    """The PDF template's own guard: a flowable that reportlab hands back and
    forth without placing it ends the build with an error."""
    import io

    from reportlab.platypus import Frame, PageTemplate
    from reportlab.platypus.flowables import DDIndenter, Flowable

    from publikasi.exporters.pdf.bulletin import LayoutLoop, _Doc

    class Stuck(Flowable):
        def wrap(self, aW, aH):
            return aW, aH + 10  # never fits

        def split(self, aW, aH):
            return [Stuck()]

    doc = _Doc(io.BytesIO(), pagesize=(300, 300))
    doc.addPageTemplates([PageTemplate("p", [Frame(10, 10, 280, 280)])])
    with pytest.raises(LayoutLoop, match="no progress on page 1"):
        doc.build([DDIndenter(Stuck())])  # reportlab re-queues indented parts unchecked


def test_narrow_table_in_a_nested_list(tmp_path):
    """Six columns inside a nested list, some holding very long words and one
    nothing visible: no column may end up narrower than its padding
    (reportlab refuses a negative cell width; found by the fuzz tests)."""
    from publikasi.model import Table as MTable
    from publikasi.model import Text

    long_word = "Pemberdayaanmasyarakatkelurahan" * 3
    # A cell of a lone zero-width joiner (kept by cleaning: emoji need it) has
    # a "longest word" of zero width.
    table = MTable(header=tuple((Text(h),) if h else () for h in ("A", "", "C", "D", "E", "F")),
                   rows=(((Text(long_word),), (Text("\u200d"),), (Text(long_word),),
                          (Text(long_word),), (Text("x y z"),), (Text("w"),)),))
    inner = ListBlock(((Paragraph((Text("Dalam"),)), table),), ordered=False)
    outer = ListBlock(((Paragraph((Text("Luar"),)), inner),), ordered=True)
    text = export_model(tmp_path, (outer, Paragraph((Text("Sesudah tabel."),))))
    assert "Sesudah tabel." in text and "Dalam" in text
    assert {"x", "y", "z", "w", "F"} <= set(text.split())


def test_shaped_ligature_broken_across_lines_in_a_narrow_cell(tmp_path):
    """An Arabic ligature glued to Latin and code text in a narrow column: the
    word is broken across lines and a line opens with a raised shaped glyph,
    which made reportlab's text object fail (found by the fuzz tests)."""
    from publikasi.model import Code, Text
    from publikasi.model import Table as MTable

    failures = []
    for n in range(35, 47, 2):  # column widths around the one that failed
        out = tmp_path / f"n{n}"
        cells = ((Text("w " * n),), (Text("\ufdfa<ara>"), Code("#")))
        try:
            text = export_model(out, (MTable(header=(), rows=(cells,)),
                                      Paragraph((Text("Sesudah tabel."),))))
        except Exception as exc:  # noqa: BLE001 - collect, then report every width
            failures.append((n, repr(exc)[:80]))
            continue
        assert "Sesudah tabel." in text and "ara" in text.replace("\n", "")
        assert qpdf_check(out / "r.pdf").returncode == 0
    assert not failures, failures


def test_words_mixing_fonts_with_a_shaped_script(tmp_path):
    """reportlab shapes a whole word with the font of its first piece: a name
    in Arabic or Devanagari inside parentheses or guillemets, or Latin glued
    to an Arabic ligature, came out as boxes or wrong letters."""
    import unicodedata

    from publikasi.model import Text

    text = export_model(tmp_path, (Paragraph((Text(
        "Tamu (محمد) dan «राम» hadir; tanda \ufdfa<ara> tetap."),)),))
    folded = unicodedata.normalize("NFKC", text).replace("\u202b", "").replace("\u202c", "")
    for shown in ("محمد", "राम", "ara>", "hadir;", "tetap."):
        assert shown in folded, (shown, folded)
    # Glyphs with no Unicode mapping (private use) are what boxes extract as.
    body = folded[folded.index("Tamu"):folded.index("tetap.")]
    assert not any(0xE000 <= ord(c) <= 0xF8FF for c in body), body


def test_photo_in_a_list_item_stays_with_its_caption(tmp_path):
    """Figures inside list items cannot use reportlab's KeepTogether; they
    still never part from their captions: on every page, as many pictures as
    captions (many list items of varied length land at every page position)."""
    from publikasi.model import Text

    photo = make_png(tmp_path / "foto.png", (400, 300))
    blocks: tuple = ()
    for i in range(20):
        blocks += tuple(Paragraph((Text(f"Paragraf {i}.{j} " + "isi berita " * 14),))
                        for j in range(i % 5))
        item = (Paragraph((Text(f"Butir {i} " + "rincian " * 10),)),
                Figure(photo, alt=f"Foto {i}", caption=f"Keterangan foto nomor {i}."),
                Paragraph((Text("Lanjutan butir."),)))
        blocks += (ListBlock((item,), ordered=False),)
    export_model(tmp_path / "out", blocks)
    pdf = tmp_path / "out" / "r.pdf"
    listing = subprocess.run([require("pdfimages"), "-list", str(pdf)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    images: dict[int, int] = {}
    for line in listing:
        if line.strip():
            page = int(line.split()[0])
            images[page] = images.get(page, 0) + 1
    captions = {i + 1: t.count("Keterangan foto nomor") for i, t in enumerate(page_texts(pdf))}
    assert sum(captions.values()) == 20
    assert {p: n for p, n in captions.items() if n} == images, (captions, images)


def test_run_on_word_mixing_scripts_in_a_narrow_column(tmp_path):
    """A 300-character "word" glued to Arabic, in italics, in the two-column
    theme, at many positions on a page: it is broken across lines and the
    layout never fails (the fuzz tests found such a word failing it)."""
    from publikasi.model import Emph, LineBreak, Text

    word = "Rp 1.250.000|مرحبا" + "x" * 300 + " akhir"
    blocks: tuple = ()
    for i in range(12):
        blocks += tuple(Paragraph((Text(f"Pengisi {i}.{j} " + "kata " * 9),)) for j in range(i))
        blocks += (Paragraph((LineBreak(), Emph((LineBreak(), Text(word))))),)
    text = export_model(tmp_path, blocks, theme="buletin")
    assert text.count("akhir") == 12


def test_layout_failure_with_run_shaping_retries_with_reportlab_shaping(tmp_path, monkeypatch):
    """Should a layout fail while publikasi's per-font-run shaping is on, the
    bulletin is laid out again with reportlab's own shaping and still built."""
    from reportlab.platypus.doctemplate import LayoutError

    from publikasi.exporters.pdf import bulletin, fonts
    from publikasi.model import Text

    attempts = []
    plain = bulletin._Doc.handle_flowable

    def flaky(self, flowables):
        if fonts.RUN_SHAPING["on"]:
            attempts.append("run shaping")
            raise LayoutError("simulated")
        attempts.append("reportlab shaping")
        return plain(self, flowables)

    monkeypatch.setattr(bulletin._Doc, "handle_flowable", flaky)
    text = export_model(tmp_path, (Paragraph((Text("Tamu (محمد) hadir."),)),))
    assert "hadir." in text
    assert attempts[0] == "run shaping" and "reportlab shaping" in attempts
    assert fonts.RUN_SHAPING["on"]  # switched back on afterwards


# ---------------------------------------------------------------- one layout pass


@pytest.fixture()
def layout_passes(monkeypatch) -> list[int]:
    """The layout passes of every bulletin rendered in this process."""
    from publikasi.exporters.pdf.bulletin import Bulletin

    seen: list[int] = []
    render = Bulletin.render

    def counting(self, build_time):
        data = render(self, build_time)
        seen.append(self.passes)
        return data

    monkeypatch.setattr(Bulletin, "render", counting)
    return seen


def test_samples_are_laid_out_once(layout_passes, tmp_path, model):
    """Page numbers are drawn after the one layout pass: none is laid out twice,
    and the numbers printed are still the real ones."""
    build(PUBLICATION, tmp_path / "out", BuildOptions(formats=["pdf"], jobs=1, cache=False))
    assert layout_passes == [1] * len(model.releases)
    for release in model.releases:
        path = pdf_path(tmp_path / "out", release.slug)
        assert_toc_matches_pages(path, [a.title for a in release.articles])
        pages = [p for p in pdftotext(path).split("\f") if p.strip()]
        for n, page in enumerate(pages, 1):
            assert f"Halaman {n} dari {len(pages)}" in page, (release.slug, n)


def test_page_numbers_outgrowing_their_room_take_a_second_pass(layout_passes, tmp_path,
                                                               monkeypatch):
    """When the room reserved for the contents' page numbers is too small (here
    none at all), the layout is done again with the numbers found, and the
    numbers printed are right."""
    from publikasi.exporters.pdf import bulletin

    monkeypatch.setattr(bulletin, "RESERVED_PAGE", "")
    root = tmp_path / "banyak"
    write(root / "release.yaml", "title: Banyak Berita\ndate: 2025-11-10\n")
    titles = []
    for i in range(30):
        titles.append(f"Berita nomor {i:02d} tentang kota")
        write(root / f"b{i:02d}.md", f"---\ntitle: {titles[-1]}\ndate: 2025-11-10\n"
              f"section: Rubrik {i % 4}\n---\n\n" + f"Isi berita {i} yang panjang. " * 40 + "\n")
    build(root, tmp_path / "out", BuildOptions(formats=["pdf"], jobs=1, cache=False))
    assert layout_passes == [2]
    pdf = tmp_path / "out" / "banyak.pdf"
    printed = assert_toc_matches_pages(pdf, titles)
    assert max(printed.values()) >= 10  # two-digit numbers among them
    pages = [p for p in pdftotext(pdf).split("\f") if p.strip()]
    for n, page in enumerate(pages, 1):
        assert f"Halaman {n} dari {len(pages)}" in page, n


def test_text_in_one_font_takes_the_short_way_to_the_same_markup(monkeypatch):
    """Marker.text skips the per-character font walk when the family shows every
    character itself; the markup is the walk's, for plain and mixed texts."""
    from publikasi.exporters.pdf.fonts import FontSet, load_fonts
    from publikasi.exporters.pdf.markup import Marker

    texts = ["Wali Kota Malang meresmikan pasar", "a & b < c > d\tTab\nbaris baru",
             "Rp 1.500.000 — “kutipan” ‘tunggal’ … 50%", "مرحبا بالعالم dan नमस्ते",
             "emoji 🙂 dan ✓", "", "   ", "Zürich São Paulo Łódź"]
    fonts = load_fonts()
    short, walked = [], []
    for family in ("serif", "sans"):
        got_missing: list[str] = []
        short.extend(Marker(fonts, family, got_missing).text(t) for t in texts)
        short.append("".join(got_missing))
    monkeypatch.setattr(FontSet, "shows_all", lambda self, text, family: False)
    for family in ("serif", "sans"):
        walked_missing: list[str] = []
        walked.extend(Marker(fonts, family, walked_missing).text(t) for t in texts)
        walked.append("".join(walked_missing))
    assert short == walked
    assert short[0] == texts[0]  # plain text: no font switch at all
