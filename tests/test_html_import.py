"""``publikasi import PAGE.html`` / ``URL --allow-remote``: saved pages of three CMS shapes.

The pages in tests/fixtures/html/ were written for these tests in the shapes
of a WordPress post, a .go.id portal page and a news site (navigation,
breadcrumbs, counters, related links, comments, footers).  Their pictures
are made here.  The written .md is read back with PyYAML and Pillow, not
with publikasi's own reader.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from PIL import Image

from publikasi.cli import main
from publikasi.errors import Problems
from publikasi.model import Figure, Paragraph, plain_text
from publikasi.readers.common import ReadContext
from publikasi.readers.html_release import read_html_release

PAGES = Path(__file__).parent / "fixtures" / "html"
PICTURES = {
    "wordpress-pasar.html": ["pasar_files/pasar-rakyat.jpg", "pasar_files/los-pedagang.jpg"],
    "portal-goid-banjir.html": ["berita_files/perahu-karet.jpg", "assets/logo-kotaraya.png"],
    "newssite-mesin-gabah.html": ["mesin_files/mesin-gabah.jpg", "mesin_files/petani.jpg"],
}
EXPECTED = {
    "wordpress-pasar.html": {
        "title": "Bupati Sukamaju Resmikan Pasar Rakyat Kecamatan Selatan", "date": "2025-11-10",
        "dateline": "Sukamaju", "byline": "pr/bs", "authors": ["Rina Wulandari"],
        "figures": [("Bupati Sukamaju menggunting pita peresmian pasar rakyat bersama para pedagang",
                  "Humas Sukamaju"),
                 ("Pedagang sayur menata dagangan di los baru pasar rakyat", "")],
        "paragraphs": 4},
    "portal-goid-banjir.html": {
        "title": "BPBD Siagakan Perahu Karet di Bantaran Sungai Kotaraya", "date": "2025-11-12",
        "dateline": "Kotaraya", "byline": "bpbd/ktr", "authors": [],
        "figures": [("Petugas BPBD memeriksa perahu karet di posko siaga bantaran Sungai Kotaraya",
                  "Dok. BPBD Kotaraya")],
        "paragraphs": 4},
    "newssite-mesin-gabah.html": {
        "title": "Siswa SMK Kotaraya Rakit Mesin Pengering Gabah untuk Petani", "date": "2025-11-11",
        "dateline": "Kotaraya", "byline": "", "authors": ["Agus Salim"],
        "figures": [(("Siswa SMK Negeri 2 Kotaraya menguji mesin pengering gabah buatan mereka "
                      "di bengkel sekolah."), "KOTARAYAPOS/Dok. SMKN 2 Kotaraya"),
                 ("Petani Desa Mekar menjemur gabah sebelum ada mesin pengering",
                  "KotarayaPosCom")],
        "paragraphs": 4},
}
CHROME = ["Beranda", "Berita Terpopuler", "Berita Terkait", "Komentar", "Copyright", "Baca juga",
          "ADVERTISEMENT", "kali dibaca", "Bagikan", "semoga sukses", "Mantap"]


def saved_page(tmp_path: Path, name: str) -> Path:
    shutil.copy(PAGES / name, tmp_path / name)
    for i, pic in enumerate(PICTURES[name]):
        target = tmp_path / pic
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (40 + i, 30), (200, 100, 50)).save(target)
    return tmp_path / name


def front_matter_and_body(md: Path) -> tuple[dict, str]:
    text = md.read_text(encoding="utf-8")
    m = re.match(r"---\n(.*?)\n---\n(.*)", text, re.DOTALL)
    assert m, text
    return yaml.safe_load(m.group(1)), m.group(2)


_IMAGE = re.compile(r'!\[(?P<alt>[^\]]*)\]\(<(?P<src>[^>]*)> "(?P<title>[^"]*)"\)')


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_import_saved_page(tmp_path, name, capsys):
    (tmp_path / "saved").mkdir()
    page = saved_page(tmp_path / "saved", name)
    out = tmp_path / "out"
    assert main(["import", str(page), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "FutureWarning" not in err
    [md] = out.glob("*.md")
    meta, body = front_matter_and_body(md)
    want = EXPECTED[name]
    assert meta["title"] == want["title"]
    assert str(meta["date"]) == want["date"]
    assert meta.get("dateline", "") == want["dateline"]
    assert meta.get("byline", "") == want["byline"]
    assert meta.get("authors", []) == want["authors"]
    images = list(_IMAGE.finditer(body))
    got = []
    for m in images:
        title = m.group("title")
        credit = re.search(r" \(Kredit: (.*)\)$", title)
        got.append((title[:credit.start()] if credit else title, credit.group(1) if credit else ""))
        picture = out / m.group("src")
        with Image.open(picture) as im:  # copied next to the article, a real picture
            assert im.size[1] == 30
    assert got == want["figures"]
    paragraphs = [p for p in re.split(r"\n\n+", _IMAGE.sub("", body)) if p.strip()]
    assert len(paragraphs) == want["paragraphs"], paragraphs
    for chrome in CHROME:
        assert chrome not in body, chrome


def test_html_paste_from_the_desk_keeps_captions_without_pictures():
    """The desk passes pasted HTML: no folder for pictures, so figures keep their captions."""
    html = (PAGES / "wordpress-pasar.html").read_text(encoding="utf-8")
    ctx = ReadContext(root=Path.cwd(), release_date=dt.date(2025, 11, 14), problems=Problems())
    [article] = read_html_release(html, "tempel.html", ctx)
    figures = [b for b in article.blocks if isinstance(b, Figure)]
    assert [f.src for f in figures] == [None, None]
    assert figures[0].credit == "Humas Sukamaju"
    assert any("caption only" in w.message for w in ctx.problems.warnings)
    first = next(b for b in article.blocks if isinstance(b, Paragraph))
    assert plain_text(first).startswith("Bupati Sukamaju meresmikan pasar rakyat")


@pytest.fixture
def loopback_site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    saved_page(root, "portal-goid-banjir.html")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))

    class Quiet(handler.func):  # type: ignore[name-defined, misc]
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_import_url_needs_allow_remote(loopback_site, tmp_path, capsys):
    out = tmp_path / "out"
    url = loopback_site + "portal-goid-banjir.html"
    assert main(["import", url, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"^error: .*--allow-remote", err, re.MULTILINE)
    assert not out.exists()


def test_import_url_with_allow_remote(loopback_site, tmp_path):
    out = tmp_path / "out"
    url = loopback_site + "portal-goid-banjir.html"
    assert main(["import", url, "--allow-remote", "-o", str(out)]) == 0
    [md] = out.glob("*.md")
    meta, body = front_matter_and_body(md)
    assert meta["title"] == EXPECTED["portal-goid-banjir.html"]["title"]
    [image] = list(_IMAGE.finditer(body))
    with Image.open(out / image.group("src")) as im:  # downloaded from the page's folder
        assert im.size == (40, 30)


def test_import_url_that_fails_is_a_clean_error(loopback_site, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["import", loopback_site + "missing.html", "--allow-remote", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "HTTP 404" in err and "Traceback" not in err
    assert not out.exists()


def test_page_without_article_text_is_a_clean_error(tmp_path, capsys):
    page = tmp_path / "menu.html"
    page.write_text("<html><body><nav><a href='/'>Beranda</a> <a href='/b'>Berita</a></nav>"
                    "</body></html>", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["import", str(page), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"^error: .*menu\.html: no article text", err, re.MULTILINE)
    assert "Traceback" not in err and not out.exists()


def test_missing_picture_of_a_saved_page_keeps_its_caption(tmp_path, capsys):
    shutil.copy(PAGES / "wordpress-pasar.html", tmp_path / "page.html")  # no pasar_files/
    out = tmp_path / "out"
    assert main(["import", str(tmp_path / "page.html"), "-o", str(out)]) == 0
    assert "caption only" in capsys.readouterr().err
    [md] = out.glob("*.md")
    _, body = front_matter_and_body(md)
    assert '![Bupati menggunting pita](<> "Bupati Sukamaju menggunting pita' in body
    assert not (out / "images").exists()
