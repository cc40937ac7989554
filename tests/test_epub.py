"""EPUB 3 output, read back by independent tools.

EPUBCheck 5 and DAISY Ace judge validity and accessibility; pandoc reads the
text back as a reading system would; zipfile + lxml look at the package, the
nav document and the chapters.  Every EPUB is built through the CLI: the
shared sample build, the seed-shaped .txt release, and (built once here) a
rebuild of the samples, the samples in the ``buletin`` theme, and a small
release with the awkward cases (a picture without alt text or caption, a
relative link without base_url, a user theme that changes one colour).
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import judges
import pytest
from conftest import PUBLICATION, RELEASES, SAMPLES, _build_once, _shared_dir, run_cli
from lxml import etree
from PIL import Image

from publikasi.i18n import long_date

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEFAULT_ACCENT = (0x0B, 0x53, 0x94)  # templates/default/theme.toml [colors] accent
BULETIN_ACCENT = (0xB3, 0x26, 0x1E)  # templates/buletin/theme.toml
FIXTURE_ACCENT = (0x2E, 0x7D, 0x32)  # the user theme below
GENERATED = "2025-47"  # the sample edition without a `cover:` (its cover is drawn)


# ---------------------------------------------------------------- reading an EPUB


@dataclass
class Book:
    """An EPUB opened with zipfile, its package document parsed with lxml."""

    path: Path
    zip: zipfile.ZipFile
    opf_path: str
    opf: etree._Element

    @classmethod
    def open(cls, path: Path) -> Book:
        z = zipfile.ZipFile(path)
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_path = container.find(".//c:rootfile", NS).get("full-path")
        return cls(path, z, opf_path, etree.fromstring(z.read(opf_path)))

    def href(self, rel: str) -> str:
        base = self.opf_path.rsplit("/", 1)[0]
        return f"{base}/{rel}" if base else rel

    def xml(self, rel: str) -> etree._Element:
        return etree.fromstring(self.zip.read(self.href(rel)))

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind(f".//opf:metadata/opf:meta[@property='{prop}']",
                                                  NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.iterfind(f".//opf:metadata/dc:{name}", NS)]

    def manifest(self) -> dict[str, etree._Element]:
        return {i.get("id"): i for i in self.opf.iterfind(".//opf:manifest/opf:item", NS)}

    def spine(self) -> list[str]:
        items = self.manifest()
        return [items[r.get("idref")].get("href")
                for r in self.opf.iterfind(".//opf:spine/opf:itemref", NS)]

    def nav(self) -> etree._Element:
        href = next(i.get("href") for i in self.manifest().values()
                    if "nav" in (i.get("properties") or "").split())
        return self.xml(href)

    def chapters(self) -> dict[str, etree._Element]:
        return {h: self.xml(h) for h in self.spine() if h.startswith("text/")}

    def image(self, rel: str) -> Image.Image:
        return Image.open(io.BytesIO(self.zip.read(self.href(rel))))


def text_of(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def norm(text: str) -> str:
    """Text as pandoc's plain writer and the model both say it, markup aside."""
    text = re.sub(r"\[\d+\]", "", text)  # pandoc's footnote markers
    return " ".join(text.replace("_", "").replace("*", "").split())


def sample_epubs(dist: Path) -> dict[str, Path]:
    return {slug: dist / slug / f"{slug}.epub" for slug in RELEASES}


# ---------------------------------------------------------------- extra builds


def _write_fixture_release(root: Path) -> Path:
    """A small release with the cases the samples do not have."""
    rel = root / "rilis"
    (rel / "images").mkdir(parents=True)
    Image.new("RGB", (2400, 1200), (200, 120, 40)).save(rel / "images" / "besar.jpg")
    Image.new("RGB", (300, 200), (40, 120, 200)).save(rel / "images" / "kecil.png")
    theme = rel / "tema-hijau"
    theme.mkdir()
    # One key overridden; everything else (stylesheet, cover layout) inherited.
    (theme / "theme.toml").write_text('[colors]\naccent = "#2e7d32"\n', encoding="utf-8")
    (rel / "release.yaml").write_text(
        "title: Rilis Uji\ndate: 2025-12-01\nedition: 1/2025\ntheme: ./tema-hijau\n",
        encoding="utf-8")
    (rel / "a.md").write_text(
        "---\ntitle: Foto Tanpa Keterangan\ndate: 2025-12-01T08:00:00+08:00\n"
        "dateline: Makassar\nauthors: [Andi, Budi]\n"
        # A pasted source address with a bare "%", brackets, braces, "|", "^" and
        # two "#" (quotes, "<>" and spaces are refused as not a URL at all).
        "source: 'https://contoh.example/berita/diskon-50%/[1]?q={a}|b^c#x#y'\n---\n"
        "Paragraf dengan [tautan relatif](lain.html) dan [tautan luar](https://contoh.example/).\n"
        "Alamat rusak [tanpa host](http://[abc/x) dan <http://[::1> tetap teks.\n\n"
        "![](images/besar.jpg)\n\nParagraf penutup.\n", encoding="utf-8")
    (rel / "b.md").write_text(
        "---\ntitle: Gambar Kecil\ndate: 2025-11-30\n---\n"
        "![Diagram biru](images/kecil.png)\n\nSatu paragraf.\n", encoding="utf-8")
    return rel


@pytest.fixture(scope="session")
def fixture_release(tmp_path_factory, worker_id) -> Path:
    """The awkward release, written once for all xdist workers."""
    shared = _shared_dir(tmp_path_factory, worker_id)
    root = shared / "epub-fixture-src"
    with open(shared / "epub-fixture-src.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "rilis" / "b.md").exists():
            shutil.rmtree(root, ignore_errors=True)
            _write_fixture_release(root)
    return root / "rilis"


@pytest.fixture(scope="session")
def extra_builds(tmp_path_factory, worker_id, fixture_release) -> dict[str, Path]:
    """Three more CLI builds (EPUB only), shared by xdist workers like ``sample_dist``:
    a rebuild of the samples, the samples in the buletin theme, the awkward release."""
    runs = {
        "rebuild": [str(PUBLICATION), "-f", "epub"],
        "buletin": [str(PUBLICATION), "-f", "epub", "-t", "buletin"],
        "fixture": [str(fixture_release), "-f", "epub"],
    }
    return {name: _build_once(tmp_path_factory, worker_id, f"epub-{name}", args)
            for name, args in runs.items()}


def build_stderr(dist: Path) -> str:
    return json.loads((dist.parent / f"{dist.name}.done").read_text())["stderr"]


@pytest.fixture(scope="session")
def seed_epub(seed_txt_dist) -> Path:
    found = sorted(seed_txt_dist.glob("*.epub"))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="session")
def all_epubs(sample_dist, seed_epub, extra_builds) -> list[Path]:
    # The buletin edition with a generated cover only: its other edition differs
    # from the default build by the stylesheet alone (one JVM costs ~10 s of CPU).
    paths = [*sample_epubs(sample_dist).values(), seed_epub,
             sample_epubs(extra_builds["buletin"])[GENERATED],
             extra_builds["fixture"] / "rilis.epub"]
    for p in paths:
        assert p.is_file(), p
    return paths


# ---------------------------------------------------------------- the judges


def test_epubcheck_reports_no_error_and_no_warning(all_epubs):
    reports = judges.epubcheck(all_epubs)
    problems = {str(p): r.errors + r.warnings for p, r in reports.items() if not r.clean}
    assert not problems, problems
    for report in reports.values():
        assert report.raw["publication"]["ePubVersion"].startswith("3")


def test_ace_finds_no_serious_or_critical_violation(sample_dist, seed_epub, extra_builds,
                                                    tmp_path):
    paths = [*sample_epubs(sample_dist).values(), seed_epub,
             sample_epubs(extra_builds["buletin"])[GENERATED],
             extra_builds["fixture"] / "rilis.epub"]
    reports = judges.ace(paths, tmp_path)
    found = {str(p): judges.ace_violations(r) for p, r in reports.items()}
    assert not any(found.values()), found
    for path, report in reports.items():
        meta = report.get("a11y-metadata", {})
        for prop in ("schema:accessMode", "schema:accessibilityFeature",
                     "schema:accessibilityHazard", "schema:accessibilitySummary",
                     "schema:accessModeSufficient"):
            assert prop in meta.get("present", []), (path, prop, meta)


def test_pandoc_reads_every_title_paragraph_and_caption(sample_dist, seed_epub):
    from publikasi.model import Paragraph, walk_blocks
    from publikasi.source import load

    cases = [(load(PUBLICATION).publication, sample_epubs(sample_dist)),
             (load(SAMPLES / "rilis-humas.txt").publication, None)]
    checked = 0
    for pub, epubs in cases:
        for release in pub.releases:
            path = epubs[release.slug] if epubs else seed_epub
            proc = subprocess.run([judges.require("pandoc"), str(path), "-t", "plain",
                                   "--wrap=none"], capture_output=True, text=True, timeout=120,
                                  check=False)
            assert proc.returncode == 0, proc.stderr
            seen = norm(proc.stdout)
            for article in release.articles:
                assert norm(article.title) in seen, article.title
                for block in walk_blocks(article.blocks):
                    if isinstance(block, Paragraph):
                        from publikasi.model import plain_text

                        assert norm(plain_text(block)) in seen, (path.name, plain_text(block))
                        checked += 1
                for fig in article.figures:
                    if fig.caption and fig.src is not None:
                        assert norm(fig.caption) in seen, fig.caption
    assert checked > 40


# ---------------------------------------------------------------- structure


def test_nav_has_nested_contents_landmarks_and_ncx(sample_dist):
    from publikasi.source import load

    pub = load(PUBLICATION).publication
    for release in pub.releases:
        book = Book.open(sample_epubs(sample_dist)[release.slug])
        nav = book.nav()
        toc = nav.find(".//x:nav[@epub:type='toc']", NS)
        assert toc is not None
        # top level: each section once; articles without one are grouped under
        # "Lainnya", never left looking filed under the section before them
        top = [text_of(li.find("x:a", NS)) for li in toc.findall("x:ol/x:li", NS)]
        expected = list(dict.fromkeys(a.section or "Lainnya" for a in release.articles))
        assert top == expected
        assert any(a.section for a in release.articles)
        nested = [text_of(a) for a in toc.iterfind("x:ol/x:li/x:ol/x:li/x:a", NS)]
        assert sorted(nested) == sorted(a.title for a in release.articles)
        # every chapter is linked from the toc once, in spine (reading) order
        linked = [li.find("x:a", NS).get("href") for li in toc.iter(f"{{{NS['x']}}}li")
                  if li.find("x:ol", NS) is None]
        assert linked == [h for h in book.spine() if h.startswith("text/")]
        marks = {a.get(EPUB_TYPE): a.get("href")
                 for a in nav.iterfind(".//x:nav[@epub:type='landmarks']//x:a", NS)}
        assert {"cover", "toc", "bodymatter"} <= set(marks)
        assert marks["cover"] == book.spine()[0]
        assert marks["bodymatter"] == linked[0]
        target_doc, _, fragment = marks["toc"].partition("#")
        assert book.xml(target_doc).find(f".//*[@id='{fragment}']", NS) is not None
        # EPUB 2 NCX: sections with their articles below
        ncx_href = next(i.get("href") for i in book.manifest().values()
                        if i.get("media-type") == "application/x-dtbncx+xml")
        ncx = book.xml(ncx_href)
        assert len(ncx.findall("ncx:navMap/ncx:navPoint", NS)) == len(expected)
        assert len(ncx.findall("ncx:navMap/ncx:navPoint/ncx:navPoint", NS)) == len(nested)


def test_chapters_are_semantic_articles_with_figures_and_noterefs(sample_dist):
    from publikasi.source import load

    pub = load(PUBLICATION).publication
    saw_note = saw_english = False
    for release in pub.releases:
        book = Book.open(sample_epubs(sample_dist)[release.slug])
        chapters = book.chapters()
        assert len(chapters) == len(release.articles)
        by_title = {text_of(doc.find(".//x:article/x:header/x:h1", NS)): doc
                    for doc in chapters.values()}
        for article in release.articles:
            doc = by_title[article.title]
            assert doc.get("lang") == doc.get(XML_LANG) == article.language
            saw_english |= article.language == "en"
            header = doc.find(".//x:article/x:header", NS)
            assert doc.find(".//x:article//x:time", NS).get("datetime").startswith(
                article.date.date().isoformat())
            if article.dateline:
                assert article.dateline in text_of(header)
            for author in article.authors:
                assert author in text_of(header)
            if article.image is not None and article.image.src is not None:
                lead = header.find("x:figure", NS)
                assert lead is not None and lead.find("x:img", NS).get("alt")
                caption = text_of(lead.find("x:figcaption", NS))
                assert article.image.caption in caption
                if article.image.credit:
                    assert article.image.credit in caption
            for img in doc.iterfind(".//x:img", NS):
                assert (img.get("alt") or "").strip(), img.get("src")
                assert img.getparent().tag == f"{{{NS['x']}}}figure"
            if article.byline:
                assert f"({article.byline})" in text_of(doc.find(".//x:article/x:footer", NS))
            if article.footnotes:
                saw_note = True
                refs = doc.findall(".//x:a[@epub:type='noteref']", NS)
                notes = doc.findall(".//x:aside[@epub:type='footnote']", NS)
                assert len(refs) == len(notes) == len(article.footnotes)
                for ref in refs:
                    target = ref.get("href").lstrip("#")
                    assert any(n.get("id") == target for n in notes)
    assert saw_note and saw_english


def test_package_metadata_language_date_identifier_and_accessibility(sample_dist, extra_builds):
    from publikasi.exporters.epub import CONFORMS_TO
    from publikasi.source import load

    pub = load(PUBLICATION).publication
    ids = set()
    for release in pub.releases:
        book = Book.open(sample_epubs(sample_dist)[release.slug])
        again = Book.open(sample_epubs(extra_builds["rebuild"])[release.slug])
        assert book.opf.get("version") == "3.0"
        assert book.dc("language") == [release.language]
        assert book.opf.get(XML_LANG) == release.language
        assert book.dc("date") == [release.date.isoformat()]
        uid_ref = book.opf.get("unique-identifier")
        ident = book.opf.find(f".//dc:identifier[@id='{uid_ref}']", NS).text
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", ident)
        assert ident == again.opf.find(f".//dc:identifier[@id='{uid_ref}']", NS).text
        ids.add(ident)
        (modified,) = book.meta("dcterms:modified")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified)
        assert book.dc("publisher") == [pub.publisher.name]
        assert book.dc("description") and book.dc("description")[0]
        assert release.title in book.dc("title")[0]
        creators = book.opf.findall(".//dc:creator", NS)
        authors = list(dict.fromkeys(a for art in release.articles for a in art.authors))
        assert [c.text for c in creators] == authors
        assert len({c.get("id") for c in creators}) == len(creators)
        assert set(book.meta("schema:accessMode")) == {"textual", "visual"}
        assert "textual" in book.meta("schema:accessModeSufficient")
        assert {"structuralNavigation", "tableOfContents", "alternativeText",
                "readingOrder"} <= set(book.meta("schema:accessibilityFeature"))
        assert book.meta("schema:accessibilityHazard") == ["none"]
        assert book.meta("schema:accessibilitySummary")[0].strip()
        assert book.meta("dcterms:conformsTo") == [CONFORMS_TO]
        assert book.meta("a11y:certifiedBy") == [pub.publisher.name]
    assert len(ids) == len(pub.releases)


def test_rebuild_is_byte_identical(sample_dist, extra_builds):
    for slug, path in sample_epubs(sample_dist).items():
        again = sample_epubs(extra_builds["rebuild"])[slug]
        assert path.read_bytes() == again.read_bytes(), slug
        info = zipfile.ZipFile(path).infolist()
        assert info[0].filename == "mimetype" and info[0].compress_type == zipfile.ZIP_STORED


def test_pictures_are_stored_and_text_is_deflated(sample_dist):
    # JPEG and PNG are compressed already; deflating them again cost most of
    # the zip's time for a few percent of their size.
    for path in sample_epubs(sample_dist).values():
        members = zipfile.ZipFile(path).infolist()
        pictures = [i for i in members if i.filename.lower().endswith((".jpg", ".jpeg", ".png"))]
        assert pictures, path
        assert all(i.compress_type == zipfile.ZIP_STORED for i in pictures), path
        rest = [i for i in members if i not in pictures and i.filename != "mimetype"]
        assert rest and all(i.compress_type == zipfile.ZIP_DEFLATED for i in rest), path


def test_cover_given_or_generated_and_linked(sample_dist, extra_builds):
    from publikasi.images import ImageStore
    from publikasi.source import load

    pub = load(PUBLICATION).publication
    store = ImageStore()
    for release in pub.releases:
        for dist, accent in ((sample_dist, DEFAULT_ACCENT), (extra_builds["buletin"],
                                                             BULETIN_ACCENT)):
            book = Book.open(sample_epubs(dist)[release.slug])
            covers = [i for i in book.manifest().values()
                      if "cover-image" in (i.get("properties") or "")]
            assert len(covers) == 1
            cover = book.image(covers[0].get("href"))
            first = book.xml(book.spine()[0])
            img = first.find(".//x:img", NS)
            assert img.get("src").endswith(covers[0].get("href"))
            assert release.title in img.get("alt")
            assert book.opf.find(".//opf:spine/opf:itemref", NS).get("linear") in (None, "yes")
            assert ", ".join(x for x in (f"Edisi {release.edition}",
                                         long_date(release.date, "id"))) in img.get("alt")
            if release.cover is not None:
                # The photo fills the top; the masthead is composed in a band
                # of the accent colour under it, so the cover shows the title,
                # edition and date the alt text names.
                assert cover.size == (1600, 2400)
                rgb = cover.convert("RGB")
                from PIL import ImageOps, ImageStat

                photo = Image.open(io.BytesIO(store.prepare(release.cover, "screen").data))
                fitted = ImageOps.fit(photo.convert("RGB"), (1600, int(2400 * 0.62)))
                top = rgb.crop((0, 0, 1600, int(2400 * 0.62)))
                for a, b in zip(ImageStat.Stat(top).mean, ImageStat.Stat(fitted).mean,
                                strict=True):
                    assert abs(a - b) < 6, (a, b)
                corner = rgb.getpixel((4, 2390))
                assert all(abs(a - b) < 12 for a, b in zip(corner, accent, strict=True)), corner
                band = rgb.crop((0, int(2400 * 0.62) + 10, 1600, 2400))
                from PIL import ImageChops

                diff = ImageChops.difference(band, Image.new("RGB", band.size, accent))
                text_pixels = sum(diff.convert("L").histogram()[60:])
                assert text_pixels > 5000  # lettering, not an empty band
            else:
                assert cover.size == (1600, 2400)
                corner = cover.convert("RGB").getpixel((4, 4))
                assert all(abs(a - b) < 12 for a, b in zip(corner, accent, strict=True)), corner
    # the buletin cover is a band on a light page; the default one is all accent
    gen = next(r.slug for r in pub.releases if r.cover is None)
    assert gen == GENERATED
    bottom = Book.open(sample_epubs(extra_builds["buletin"])[gen])
    cover_href = next(i.get("href") for i in bottom.manifest().values()
                      if "cover-image" in (i.get("properties") or ""))
    assert min(bottom.image(cover_href).convert("RGB").getpixel((4, 2390))) > 230


def test_buletin_stylesheet_differs_from_default(sample_dist, extra_builds):
    slug = RELEASES[0]
    default = Book.open(sample_epubs(sample_dist)[slug])
    buletin = Book.open(sample_epubs(extra_builds["buletin"])[slug])
    css_d = default.zip.read(default.href("css/style.css")).decode()
    css_b = buletin.zip.read(buletin.href("css/style.css")).decode()
    assert css_d != css_b
    assert "#0b5394" in css_d and "#b3261e" in css_b
    assert "{{" not in css_d + css_b
    # the stylesheet is linked from every content document
    for doc in buletin.chapters().values():
        assert doc.find(".//x:head/x:link[@rel='stylesheet']", NS).get("href").endswith(
            "css/style.css")


def test_images_are_deduplicated_and_screen_sized(sample_dist):
    for path in sample_epubs(sample_dist).values():
        book = Book.open(path)
        images = [i.get("href") for i in book.manifest().values()
                  if i.get("media-type", "").startswith("image/")]
        digests = [hashlib.sha256(book.zip.read(book.href(h))).hexdigest() for h in images]
        assert len(set(digests)) == len(digests)
        for href in images:
            assert max(book.image(href).size) <= 2400
            if "cover" not in href:
                assert max(book.image(href).size) <= 1600


def test_seed_txt_release_keeps_title_dateline_date_caption_and_byline(seed_epub):
    from publikasi.source import load

    (release,) = load(SAMPLES / "rilis-humas.txt").publication.releases
    (article,) = release.articles
    book = Book.open(seed_epub)
    (doc,) = book.chapters().values()
    body = text_of(doc.find(".//x:body", NS))
    assert text_of(doc.find(".//x:h1", NS)) == article.title
    assert article.dateline and article.dateline in body
    assert doc.find(".//x:time", NS).get("datetime").startswith(article.date.date().isoformat())
    assert article.byline and f"({article.byline})" in body
    # Issue 4: a photo named only by its caption is shown to editors (DOCX)
    # but left out of the EPUB: no <figure> without a picture, no stray caption.
    captions = [f.caption for f in article.figures if f.src is None and f.caption]
    assert captions
    for caption in captions:
        assert caption not in body
    assert all(f.find("x:img", NS) is not None for f in doc.iterfind(".//x:figure", NS))


def test_awkward_release_degrades_honestly(extra_builds):
    book = Book.open(extra_builds["fixture"] / "rilis.epub")
    stderr = build_stderr(extra_builds["fixture"])
    # a picture with neither alt text nor caption: a warning, and no textual claim
    assert "besar.jpg" in stderr and "alt" in stderr
    assert book.meta("schema:accessModeSufficient") == ["textual,visual"]
    assert "alternativeText" not in book.meta("schema:accessibilityFeature")
    assert book.meta("dcterms:conformsTo") == []
    chapters = book.chapters()
    hrefs = [a.get("href") for d in chapters.values() for a in d.iterfind(".//x:a", NS)]
    assert "https://contoh.example/" in hrefs
    assert not any(h and h.endswith("lain.html") for h in hrefs)
    assert any("tautan relatif" in text_of(d) for d in chapters.values())
    # the big picture was scaled to the screen profile
    big = [i.get("href") for i in book.manifest().values() if i.get("media-type") == "image/jpeg"
           and "cover" not in (i.get("properties") or "")]
    assert big and all(max(book.image(h).size) <= 1600 for h in big)
    # the user theme changed one colour; the generated cover and the stylesheet use it
    css = book.zip.read(book.href("css/style.css")).decode()
    assert "#2e7d32" in css and "#0b5394" not in css
    cover_href = next(i.get("href") for i in book.manifest().values()
                      if "cover-image" in (i.get("properties") or ""))
    corner = book.image(cover_href).convert("RGB").getpixel((4, 4))
    assert all(abs(a - b) < 12 for a, b in zip(corner, FIXTURE_ACCENT, strict=True)), corner
    # two authors, two creators with their own ids
    creators = book.opf.findall(".//dc:creator", NS)
    assert [c.text for c in creators] == ["Andi", "Budi"]
    assert creators[0].get("id") != creators[1].get("id")


def test_stylesheet_placeholder_typo_is_an_input_error(fixture_release, tmp_path):
    theme = tmp_path / "tema-salah"
    (theme / "epub").mkdir(parents=True)
    (theme / "theme.toml").write_text("", encoding="utf-8")
    (theme / "epub" / "style.css").write_text("body {\n color: {{ colors.acent }};\n}\n",
                                              encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("build", fixture_release, "-f", "epub", "-t", theme, "-o", out)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert re.search(r"^error: \S*style\.css:2: .*colors\.acent", proc.stderr, re.MULTILINE), proc.stderr
    assert not out.exists()


def test_generated_cover_is_deterministic_and_survives_long_words():
    from publikasi.exporters.epub.cover import CoverStyle, CoverText, render_cover

    text = CoverText(title="Warta " + "Pembangunan" * 12, edition="Edisi 1/2025",
                     date="Senin, 1 Desember 2025", publisher="Pemerintah Kota",
                     headlines=("Satu", "Dua " * 40, "Tiga"))
    for layout in ("plain", "band"):
        style = CoverStyle(layout=layout, width=400, height=600)
        first, second = render_cover(text, style), render_cover(text, style)
        assert first == second
        assert Image.open(io.BytesIO(first)).size == (400, 600)
