"""Property tests: arbitrary content through every exporter gives valid output or InputError.

Hypothesis builds publications from the model (titles, paragraphs, nested
lists and quotes, ragged tables, links, figures with captions) out of
arbitrary Unicode mixed with the characters that break document libraries
(XML-invalid controls, lone surrogates, bidi overrides, markup-looking text).
Every installed exporter runs on them; each output is read back by an
independent library: python-docx, pypdf, zipfile + lxml, feedparser, json;
at the end every e-book also goes through EPUBCheck.

A second property feeds random Markdown (made of real syntax fragments and
raw HTML) through the reader and the exporters; a third throws arbitrary
text at the YAML loader; a fourth writes whole source folders (release.yaml,
a Markdown and a pasted .txt article, good and broken lines mixed) and runs
``publikasi build`` on them: exit 0, or exit 2 with clean ``error:`` lines.
A fifth damages real exported Word files (properties with path tricks and
huge values, broken XML, entity declarations, damaged ZIP members, cut-off
files) and imports them: exit 0 or 2, clean ``error:`` lines, and nothing
written outside the folder given to ``import``.
A sixth edits a multi-release publication at random and checks that a cached
build into the kept output folder equals a ``--no-cache`` build into an empty
one (issue 10); a seventh damages random build-cache entries (a "hostile
cache") and checks that the build still equals a fresh one and runs nothing
from the cache (issue 16).  Those two build whole publications, so CI runs
4 examples each (40 with ``PUBLIKASI_FUZZ=long``).

CI runs a fixed seed (``derandomize=True``), 25 examples per property (200 for YAML);
``PUBLIKASI_FUZZ=long`` runs many more with a random seed (e.g. nightly or
before a release); ``PUBLIKASI_FUZZ_EXAMPLES=N`` sets the count directly.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import signal
import struct
import tempfile
import threading
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from safety_support import jpeg_bytes, png_bytes

from publikasi.builder import BuildOptions, build
from publikasi.errors import InputError
from publikasi.exporters import ExportContext, Sink, export, get_exporter, registry
from publikasi.images import ImageStore
from publikasi.model import (
    Article, Code, Emph, FeedConfig, Figure, Footnote, FootnoteRef, Heading, LineBreak, Link,
    ListBlock, Paragraph, Publication, Publisher, Quote, Release, Strong, Table, Text,
)
from publikasi.readers.common import ReadContext
from publikasi.text import clean_line
from publikasi.themes import load_theme
from publikasi.yamlio import load_mapping

LONG = os.environ.get("PUBLIKASI_FUZZ", "").lower() == "long"
# PUBLIKASI_FUZZ_EXAMPLES=N: N examples per property (random seed), for a run of a set size.
EXAMPLES = int(os.environ.get("PUBLIKASI_FUZZ_EXAMPLES", "0") or 0)


def _settings(quick: int, long: int) -> settings:
    count = EXAMPLES or (long if LONG else quick)
    # Only the long run shrinks: elsewhere a failing example is reported as
    # drawn (shrinking deep model trees costs many minutes).
    phases = list(Phase) if LONG else [Phase.explicit, Phase.generate]
    return settings(max_examples=count, derandomize=not (LONG or EXAMPLES), deadline=None,
                    database=None, print_blob=LONG or bool(EXAMPLES), phases=phases,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much,
                                           HealthCheck.function_scoped_fixture])


EXPORT_SETTINGS = _settings(25, 300)
MARKDOWN_SETTINGS = _settings(25, 300)
YAML_SETTINGS = _settings(200, 5000)

# ---------------------------------------------------------------- strategies

NASTY = st.sampled_from([
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x93", "\ud800", "\udfff",
    "\ufffe", "\uffff", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00ad", "e\u0301",
    "🇮🇩", "👩🏽‍💻", "مرحبا", "שלום", "漢字", "ﷺ", "𝔘𝔫𝔦", "]]>", "<br>", "<b>x</b>", "&", "&amp;",
    "&#0;", "<para>", "</font>", "%s", "{0}", "\\", "*", "_", "#", "|", "\t", "\n", " ", "  ",
    "Rp 1.250.000", "Wali Kota", "x" * 300,
])
TEXT = st.lists(st.one_of(st.text(max_size=12), NASTY), min_size=0, max_size=6).map("".join)
VISIBLE = TEXT.filter(lambda t: clean_line(t) != "")

def make(cls, *parts: st.SearchStrategy) -> st.SearchStrategy:
    """Like st.builds, but without Hypothesis recording the call for its report:
    pretty-printing deep model trees that way took minutes per example."""
    return st.tuples(*parts).map(lambda args: cls(*args))

URL = st.one_of(
    st.just("https://malangkota.go.id/berita/1"),
    TEXT.map(lambda t: "https://x.example/" + t),
    st.sampled_from(["mailto:humas@malangkota.go.id", "#catatan", "relatif/halaman.html",
                     "https://例え.jp/パス?q=1&r=<2>", "http://[::1]/", "tel:+62341"]),
)


def inlines(depth: int = 2) -> st.SearchStrategy:
    leaf = st.one_of(make(Text, TEXT), make(Code, TEXT), st.just(LineBreak()))
    if depth == 0:
        return st.lists(leaf, max_size=4).map(tuple)
    child = inlines(depth - 1)
    node = st.one_of(leaf, make(Emph, child), make(Strong, child),
                     make(Link, URL, child, TEXT))
    return st.lists(node, max_size=5).map(tuple)


def blocks(figures: st.SearchStrategy, depth: int = 2) -> st.SearchStrategy:
    para = make(Paragraph, inlines())
    cell = inlines(1)
    table = make(lambda header, rows, caption: Table(header, rows, caption=caption),
                 st.lists(cell, max_size=5).map(tuple),
                 st.lists(st.lists(cell, max_size=6).map(tuple), max_size=4).map(tuple), TEXT)
    leaf = st.one_of(para, make(Heading, st.integers(1, 6), inlines(1)), table, figures)
    if depth == 0:
        return st.lists(leaf, max_size=4).map(tuple)
    inner = blocks(figures, depth - 1)
    node = st.one_of(leaf, leaf, make(Quote, inner, TEXT),
                     make(ListBlock, st.lists(inner, min_size=1, max_size=4).map(tuple),
                           st.booleans(), st.integers(0, 10_000)))
    return st.lists(node, max_size=6).map(tuple)


@st.composite
def publications(draw, image_paths: list[Path]) -> Publication:
    src = st.one_of(st.none(), st.sampled_from(image_paths))
    figures = make(Figure, src, TEXT, TEXT, TEXT)
    zone = dt.timezone(dt.timedelta(hours=draw(st.sampled_from([7, 8, 9, 0, -5]))))
    articles = []
    for i in range(draw(st.integers(1, 3))):
        body = draw(blocks(figures))
        refs = [Paragraph((Text("lihat"), FootnoteRef("1")))] if draw(st.booleans()) else []
        notes = (Footnote("1", (Paragraph(draw(inlines(1))),)),) if refs else ()
        date = dt.datetime(2025, 11, 10, 9, 0, tzinfo=zone) - dt.timedelta(
            hours=draw(st.integers(0, 2000)))
        articles.append(Article(
            slug=f"artikel-{i}", title=draw(VISIBLE), date=date, blocks=tuple(body) + tuple(refs),
            has_time=draw(st.booleans()), dateline=draw(TEXT),
            authors=tuple(draw(st.lists(TEXT, max_size=3))), byline=draw(TEXT),
            section=draw(TEXT), tags=tuple(draw(st.lists(TEXT, max_size=3))),
            summary=draw(TEXT), image=draw(st.one_of(st.none(), figures)),
            language=draw(st.sampled_from(["id", "en", "ar", "jv"])), footnotes=notes,
            source=draw(st.sampled_from(["", "https://malangkota.go.id/asli"]))))
    release = Release(slug="edisi", title=draw(VISIBLE), date=dt.date(2025, 11, 10),
                      articles=tuple(articles), edition=draw(TEXT),
                      language=draw(st.sampled_from(["id", "en"])),
                      publisher=Publisher(draw(TEXT), "https://malangkota.go.id/"),
                      base_url="https://warta.example/berita/", description=draw(TEXT),
                      cover=draw(st.one_of(st.none(), st.sampled_from(image_paths))))
    return Publication(title=release.title, releases=(release,), language=release.language,
                       base_url=release.base_url, description=release.description,
                       publisher=release.publisher, feed=FeedConfig(items=20), slug="edisi",
                       is_single_release=True)


# ---------------------------------------------------------------- running exporters


@pytest.fixture(scope="module")
def image_paths(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("fuzz-images")
    (root / "lebar.jpg").write_bytes(jpeg_bytes((900, 120), "teal"))
    (root / "tinggi.png").write_bytes(png_bytes((30, 400), "RGBA"))
    (root / "kecil.jpg").write_bytes(jpeg_bytes((3, 3), "black"))
    return sorted(root.iterdir())


@pytest.fixture(scope="module")
def exporters():
    return {name: get_exporter(name) for name in registry()}


def export_all(pub: Publication, exporters: dict, staging: Path,
               theme_name: str = "default") -> dict[str, list[Path]]:
    """Run every exporter like a build does; -> format -> files it wrote."""
    theme = load_theme(theme_name)
    images = ImageStore()
    when = dt.datetime(2025, 11, 10, 2, 0, tzinfo=dt.UTC)
    written: dict[str, list[Path]] = {}
    for name, exporter in exporters.items():
        sink = Sink(staging / name)
        ctx = ExportContext(theme=theme, sink=sink, images=images, build_time=when,
                            publication=pub)
        export(exporter, pub, ctx)
        finish = getattr(exporter, "finish", None)
        if callable(finish):  # the build's step after every task (web edition pages)
            finish(pub, ctx, lambda rel: 4096 if rel.endswith(".pdf") else None)
        written[name] = [staging / name / rel for rel in sink.written]
    return written


def read_back(written: dict[str, list[Path]]) -> None:
    """Open every output with a library that is not publikasi's."""
    import feedparser
    import lxml.html
    from docx import Document
    from lxml import etree
    from pypdf import PdfReader

    for files in written.values():
        assert files
        for path in files:
            data = path.read_bytes()
            if path.suffix == ".docx":
                Document(io.BytesIO(data))
            elif path.suffix == ".pdf":
                reader = PdfReader(io.BytesIO(data))
                assert len(reader.pages) >= 1
                for page in reader.pages:
                    page.extract_text()
            elif path.suffix == ".epub":
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    assert zf.namelist()[0] == "mimetype"
                    assert zf.read("mimetype") == b"application/epub+zip"
                    for member in zf.namelist():
                        if member.endswith((".xhtml", ".opf", ".ncx", ".xml")):
                            etree.fromstring(zf.read(member))
            elif path.suffix == ".json":
                feed = json.loads(data)
                assert feed["version"].startswith("https://jsonfeed.org/version/")
            elif path.name == "sitemap.xml":
                root = etree.fromstring(data)
                assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
                assert len(root) >= 1
            elif path.suffix == ".html":
                page = lxml.html.document_fromstring(data)
                assert page.get("lang") and page.findtext(".//title")
                for script in page.xpath('//script[@type="application/ld+json"]'):
                    json.loads(script.text)
            elif path.suffix == ".xml":
                parsed = feedparser.parse(data)
                assert not parsed.bozo, (path.name, parsed.bozo_exception)
                assert parsed.entries


class Hang(Exception):
    """An export that did not finish in time: a layout loop, not slowness."""


def _hang(signum, frame):
    raise Hang(f"an export took more than {HANG_SECONDS} s")


HANG_SECONDS = 60


def _run(pub: Publication, exporters: dict, theme_name: str = "default",
         keep: Path | None = None) -> None:
    """Export and read back; with ``keep``, EPUBs are also copied there."""
    staging = Path(tempfile.mkdtemp(prefix="publikasi-fuzz-"))
    # A build that never ends is as bad as a crash (a cron job hangs forever):
    # SIGALRM turns it into a failure that Hypothesis reports with its example.
    timed = threading.current_thread() is threading.main_thread()  # signals need it
    if timed:
        previous = signal.signal(signal.SIGALRM, _hang)
        signal.alarm(HANG_SECONDS)
    try:
        try:
            written = export_all(pub, exporters, staging, theme_name)
        except InputError as exc:  # a clear, user-facing refusal is an allowed outcome
            assert exc.problems and all(p.message for p in exc.problems)
            return
        read_back(written)
        if keep is not None:
            for path in written.get("epub", []):
                shutil.copy(path, keep / f"{len(list(keep.iterdir())):04d}.epub")
    finally:
        if timed:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        shutil.rmtree(staging, ignore_errors=True)


def test_every_format_is_installed(exporters):
    assert set(exporters) >= {"docx", "pdf", "epub", "rss", "atom", "jsonfeed"}


def test_arbitrary_model_through_every_exporter(image_paths, exporters, tmp_path):
    """Every example's outputs read back; then all the e-books go through
    EPUBCheck together (one JVM per book, after Hypothesis is done)."""
    from judges import epubcheck

    books = tmp_path / "books"
    books.mkdir()

    @EXPORT_SETTINGS
    @given(data=st.data())
    def example(data):
        pub = data.draw(publications(image_paths))
        # Both shipped themes: one column, or two columns with pull quotes and boxes.
        _run(pub, exporters, data.draw(st.sampled_from(["default", "buletin"])), keep=books)

    example()
    kept = sorted(books.iterdir())
    assert kept
    reports = epubcheck(kept)
    problems = {p.name: r.errors + r.warnings for p, r in reports.items() if not r.clean}
    assert not problems, problems


# ---------------------------------------------------------------- Markdown in, formats out

MD_FRAGMENTS = st.sampled_from([
    "# ", "## ", "###### ", "> ", "> > ", "- ", "  - ", "1. ", "10) ", "* ", "**", "*", "_",
    "`", "```\n", "~~", "\n", "\n\n", "    ", "| a | b |\n|---|---|\n| 1 | 2 |\n", "|", "---\n",
    "[tautan](https://x.example/)", "[x](javascript:alert(1))", "<https://x.example>",
    "![foto](images/foto.jpg \"Keterangan (Foto: Humas)\")", "[^1]", "\n[^1]: catatan\n",
    "<b>", "</b>", "<i>", "<script>alert(1)</script>", "<div>", "</div>", "<p>", "<br>",
    "<a href='javascript:x()'>", "</a>", "<img src=x onerror=y>", "<!-- c -->", "<table><tr>",
    "<td>sel</td>", "&amp;", "&#x0;", "&nbsp;", "\\", "Wali Kota Malang ", "Rp 1.000 ",
])
MARKDOWN = st.lists(st.one_of(MD_FRAGMENTS, TEXT), max_size=40).map("".join)


def _same_node(ours, theirs) -> None:
    assert (ours.type, ours.tag, ours.attrs, ours.content, ours.meta) == (
        theirs.type, theirs.tag, theirs.attrs, theirs.content, theirs.meta)
    assert (tuple(ours.map) if ours.map else None) == theirs.map
    for a, b in zip(ours.children, theirs.children, strict=True):
        _same_node(a, b)


@_settings(150, 3000)
@given(body=MARKDOWN)
def test_the_readers_syntax_tree_is_markdown_its(body):
    # The Markdown reader builds its own light tree of markdown-it's tokens
    # (SyntaxTreeNode's properties cost a fifth of the reading); it must be
    # the tree SyntaxTreeNode gives, node for node.
    from markdown_it.tree import SyntaxTreeNode

    from publikasi.readers.markdown import _MD, _tree

    tokens = _MD.parse(body)
    ours, theirs = _tree(tokens), SyntaxTreeNode(tokens).children
    for a, b in zip(ours, theirs, strict=True):
        _same_node(a, b)


@pytest.fixture(scope="module")
def md_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-md")
    (root / "images").mkdir()
    (root / "images" / "foto.jpg").write_bytes(jpeg_bytes((200, 150), "navy"))
    return root


@MARKDOWN_SETTINGS
@given(title=VISIBLE, body=MARKDOWN, theme=st.sampled_from(["default", "buletin"]))
def test_arbitrary_markdown_through_reader_and_exporters(title, body, theme, md_root, exporters):
    from publikasi.readers.markdown import read_markdown

    text = f"---\ntitle: {json.dumps(title)}\ndate: 2025-11-10T09:00:00+07:00\n---\n{body}\n"
    ctx = ReadContext(root=md_root)
    try:
        art = read_markdown(text, md_root / "a.md", ctx)
    except InputError as exc:
        assert all(p.file.endswith("a.md") for p in exc.problems)
        return
    release = Release(slug="edisi", title="Warta", date=dt.date(2025, 11, 10), articles=(art,),
                      base_url="https://warta.example/berita/")
    pub = Publication(title="Warta", releases=(release,), base_url=release.base_url,
                      slug="edisi")
    _run(pub, exporters, theme)


# ---------------------------------------------------------------- YAML loader

YAML_FRAGMENTS = st.sampled_from([
    "title: ", "date: ", "2025-11-10", "2025-02-30", "&a ", "*a", "[", "]", "{", "}", ": ",
    "- ", "\n", "\n  ", "\t", "!!python/object:os.system ", "!!binary ", "? ", "|", ">",
    "'", '"', "#", "---", "...", "%YAML 1.1\n", "<<: *a", "\x00", "\x85", "\ufeff", "~",
])


@YAML_SETTINGS
@given(st.lists(st.one_of(YAML_FRAGMENTS, st.text(max_size=6)), max_size=30).map("".join))
def test_yaml_loader_gives_a_mapping_or_input_error(text):
    try:
        doc = load_mapping(text, Path("release.yaml"))
    except InputError as exc:
        [problem] = exc.problems
        assert problem.file == "release.yaml" and problem.message
        return
    assert isinstance(doc.data, dict)
    assert all(isinstance(k, str) for k in doc.data)


# ---------------------------------------------------------------- whole sources through the CLI

RELEASE_LINES = st.sampled_from([
    "title: Warta Kota\n", "title: \n", "title: [a, b]\n", "date: 2025-11-10\n",
    "date: 2025-02-30\n", "date: kemarin\n", "edition: 47\n", "language: id\n",
    "language: xx-!!\n", "timezone: Asia/Makassar\n", "timezone: Mars/Olympus\n",
    "base_url: https://warta.example/berita/\n", "base_url: warta\n",
    "articles: [b.md, a.txt]\n", "articles: [../luar.md]\n", "cover: images/foto.jpg\n",
    "cover: /etc/passwd\n", "feed: {items: 3}\n", "feed: {items: -1}\n", "theme: buletin\n",
    "theme: tidak-ada\n", "limits: {image_pixels: 10}\n", "publisher: {name: Humas}\n",
    "titel: salah ketik\n", "- daftar\n", "&a [*a, *a]\n",
])
FRONT_LINES = st.sampled_from([
    "title: Judul Berita\n", "title: \n", "date: 2025-11-10T09:00:00+07:00\n",
    "date: 10/11/2025\n", "date: 2025-13-01\n", "dateline: Blimbing\n", "authors: [Rina]\n",
    "authors: 5\n", "tags: [umkm, ekraf]\n", "image: {src: images/foto.jpg, caption: Foto}\n",
    "image: {src: images/hilang.jpg}\n", "image: {src: https://x.example/a.jpg}\n",
    "slug: berita-satu\n", "language: en\n", "source: javascript:alert(1)\n", "summary: Ringkas\n",
])
TXT_LINES = st.sampled_from([
    "Wali Kota Malang Buka Expo\n", "Blimbing () – Pemerintah Kota Malang membuka expo.\n",
    "Malang, Senin (10/11/2025) – Warga hadir.\n", "Foto: Suasana expo (Foto: Humas)\n",
    "Baca Juga: Berita lain\n", "(gil/yn)\n", "---\n", "\n", "- butir\n", "Penulis: Rina\n",
])


@st.composite
def source_folders(draw) -> dict[str, bytes]:
    # Mostly a valid skeleton with odd lines added, so that many examples get
    # past the first check and into readers and exporters.
    good = draw(st.integers(0, 3)) > 0
    release = "title: Warta\ndate: 2025-11-10\nbase_url: https://warta.example/b/\n" if good else ""
    lines = draw(st.lists(RELEASE_LINES, max_size=3 if good else 8, unique=True))
    if good and draw(st.booleans()):  # no repeated key: get further than that check
        lines = [x for x in lines if x.split(":")[0] not in ("title", "date", "base_url")]
    release += "".join(lines)
    files = {"release.yaml": release.encode()}
    front = "title: Judul\ndate: 2025-11-10T09:00:00+07:00\n" if draw(st.integers(0, 3)) else ""
    extra = draw(st.lists(FRONT_LINES, max_size=4, unique=True))
    if front and draw(st.booleans()):
        extra = [x for x in extra if x.split(":")[0] not in ("title", "date")]
    front += "".join(extra)
    body = draw(MARKDOWN)
    md = f"---\n{front}---\n{body}\n" if draw(st.integers(0, 5)) else front + body
    files["b.md"] = md.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        txt = "".join(draw(st.lists(st.one_of(TXT_LINES, TEXT), max_size=10)))
        files["a.txt"] = txt.encode(draw(st.sampled_from(["utf-8", "utf-16", "cp1252"])),
                                    "replace")
    return files


@MARKDOWN_SETTINGS
@given(files=source_folders())
def test_arbitrary_source_folder_builds_or_fails_cleanly(files, md_root, tmp_path_factory,
                                                        capsys):
    """Through the CLI: exit 0, or exit 2 with only `error: FILE[:LINE]: message`
    lines naming a file of the source; never a traceback, never exit 1."""
    from publikasi.cli import main

    root = tmp_path_factory.mktemp("src")
    shutil.copytree(md_root / "images", root / "images")
    for name, data in files.items():
        (root / name).write_bytes(data)
    out = root.parent / (root.name + "-out")
    code = main(["build", str(root), "-o", str(out), "-f", "docx,rss,jsonfeed"])
    err = capsys.readouterr().err
    event(f"exit {code}")  # pytest --hypothesis-show-statistics shows the mix
    assert code in (0, 2), err
    assert "Traceback" not in err and "unexpected error" not in err, err
    if code == 2:
        errors = [line for line in err.splitlines() if line.startswith("error: ")]
        assert errors, err
        assert all(str(root) in line or "-out" in line for line in errors), errors
        assert not out.exists() or not any(out.iterdir())  # nothing half-written
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)


# ---------------------------------------------------------------- hostile Word files

HOSTILE_SETTINGS = _settings(25, 300)
WORD_PROPERTIES = ["publikasi.slug", "publikasi.source", "publikasi.release", "publikasi.hash",
                   "publikasi.kind", "publikasi.image.src", "publikasi.language",
                   "publikasi.authors", "publikasi.tags", "publikasi.date",
                   "publikasi.publication", "publikasi.dateline", "publikasi.source_url"]
PATH_TRICKS = st.sampled_from([
    "../../../../x", "/tmp/publikasi-fuzz-victim", "..", "/", ".", "C:\\x.md", "a/../../x.md",
    "../x.md", "/etc/passwd", "images/../../x.md", "x.md\x00.txt", "~/x.md", "//server/x.md",
    "file:///etc/passwd", "javascript:alert(1)", "bank-sampah-lesanpuro.md",
    "rilis-kantin-sehat.txt", "expo-umkm-naik-kelas.md", "images/bank-sampah.jpg",
    "2025-46", "2025-47", "article", "edition", "[\"a\", {\"b\": 1}]", "\u202ex.md",
])
HUGE = st.sampled_from(["a" * 100_000, "../" * 5_000 + "x", "\u00e9" * 50_000])
PROPERTY_VALUE = st.one_of(st.none(), PATH_TRICKS, HUGE, TEXT)
WORD_PARTS = ["word/document.xml", "docProps/custom.xml", "word/styles.xml",
              "word/numbering.xml", "docProps/core.xml", "word/_rels/document.xml.rels",
              "[Content_Types].xml", "word/footnotes.xml", "_rels/.rels"]


@st.composite
def word_damage(draw) -> list[tuple]:
    """A list of changes to make to a real exported Word file (see _damage_word_file)."""
    changes: list[tuple] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["property", "property", "property", "xml", "zip", "text"]))
        if kind == "property":
            changes.append(("property", draw(st.sampled_from(WORD_PROPERTIES)),
                            draw(PROPERTY_VALUE)))
        elif kind == "xml":
            changes.append(("xml", draw(st.sampled_from(WORD_PARTS)),
                            draw(st.sampled_from(["truncate", "garbage", "doctype", "empty"])),
                            draw(st.floats(0, 1)), draw(st.binary(max_size=40))))
        elif kind == "zip":
            changes.append(("zip", draw(st.sampled_from([*WORD_PARTS, "word/media/image1.jpg"])),
                            draw(st.integers(0, 400)), draw(st.binary(min_size=1, max_size=64))))
        else:
            changes.append(("text", draw(st.one_of(TEXT, HUGE, PATH_TRICKS))))
    if draw(st.integers(0, 9)) == 0:
        changes.append(("cut", draw(st.floats(0.05, 0.95))))
    return changes


def _damage_word_file(src: Path, dst: Path, changes: list[tuple]) -> None:
    from hostile_docx import parts_of, with_properties, write_parts

    props: dict[str, str | None] = {}
    parts = parts_of(src)
    zip_damage = []
    cut = None
    for change in changes:
        if change[0] == "property":
            props[change[1]] = change[2]
        elif change[0] == "xml":
            _, name, how, where, junk = change
            data = parts.get(name, b"")
            at = int(len(data) * where)
            if how == "truncate":
                data = data[:at]
            elif how == "garbage":
                data = data[:at] + junk + data[at:]
            elif how == "doctype":
                data = re.sub(rb"^(<\?xml[^>]*\?>)?",
                              rb'\1<!DOCTYPE x [<!ENTITY e "' + b"E" * 10 + rb'">]>', data,
                              count=1).replace(b"<w:t>", b"<w:t>&e;", 3)
            else:
                data = b""
            parts[name] = data
        elif change[0] == "zip":
            zip_damage.append(change[1:])
        elif change[0] == "text":
            text = change[1].replace("&", "&amp;").replace("<", "&lt;")
            text = "".join(ch for ch in text if ch in "\t\n\r" or 0x20 <= ord(ch) < 0xD800
                           or 0xE000 <= ord(ch) < 0xFFFE)
            doc = parts["word/document.xml"]
            parts["word/document.xml"] = doc.replace(b"<w:t>", b"<w:t>" + text.encode(), 1)
        else:
            cut = change[1]
    write_parts(dst, parts)
    if props:
        try:
            with_properties(dst, dst, props)
        except (etree.XMLSyntaxError, KeyError, ValueError):
            pass  # the custom part is already damaged beyond editing: keep it so
    if zip_damage:
        with zipfile.ZipFile(dst) as zf:
            offsets = {i.filename: i.header_offset for i in zf.infolist()}
        raw = bytearray(dst.read_bytes())
        for name, offset, junk in zip_damage:
            if name in offsets:
                header = offsets[name]
                name_len, extra_len = struct.unpack("<HH", raw[header + 26:header + 30])
                start = header + 30 + name_len + extra_len + offset
                raw[start:start + len(junk)] = junk
        dst.write_bytes(bytes(raw))
    if cut is not None:
        raw = dst.read_bytes()
        dst.write_bytes(raw[:int(len(raw) * cut)])


@pytest.fixture(scope="module")
def exported_word(tmp_path_factory) -> dict:
    from conftest import PUBLICATION, run_cli

    root = tmp_path_factory.mktemp("fuzz-word")
    shutil.copytree(PUBLICATION, root / "pub")
    proc = run_cli("build", root / "pub" / "2025-46", "-f", "docx", "-o", root / "dist")
    assert proc.returncode == 0, proc.stderr
    return {"pub": root / "pub", "files": sorted((root / "dist" / "docx").glob("*.docx"))}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"/"
            for p in sorted(folder.rglob("*"))}


@HOSTILE_SETTINGS
@given(which=st.integers(0, 5), changes=word_damage(), into=st.booleans(), yes=st.booleans())
@example(which=0, changes=[("property", "publikasi.source", None),
                           ("property", "publikasi.slug", "../../../../x")], into=True, yes=True)
@example(which=1, changes=[("zip", "word/document.xml", 0, b"\xff\xff")], into=True, yes=False)
def test_hostile_word_file_imports_or_fails_cleanly(which, changes, into, yes, exported_word,
                                                    tmp_path_factory, capsys):
    """Random damage to a real exported Word file (document properties with path
    tricks and huge values, broken XML, entity declarations, damaged ZIP members,
    a cut-off file): `import` exits 0 or 2 with clean `error:` lines, never 1, never
    a traceback, and never writes outside the folder it was given."""
    from publikasi.cli import main

    root = tmp_path_factory.mktemp("hostile")
    ws = root / "a" / "b" / "c" / "ws"  # deep enough that `../../../../x` stays in view
    shutil.copytree(exported_word["pub"], ws / "pub")
    (ws / "victim.md").write_text("tetap\n", encoding="utf-8")
    files = exported_word["files"]
    doc = root / "jahat.docx"
    _damage_word_file(files[which % len(files)], doc, changes)
    target = ws / "pub" / "2025-46" if into else ws / "keluar"
    before = _snapshot(root)
    args = ["import", str(doc), "--into" if into else "-o", str(target)] + \
        (["--yes"] if yes else [])
    code = main(args)
    err = capsys.readouterr().err
    event(f"exit {code}")
    assert code in (0, 2), err
    assert "Traceback" not in err and "unexpected error" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert all(re.match(r"^error: \S.*: .+$", line) for line in errors), errors
    if code == 2:
        assert errors, err
    after = _snapshot(root)
    outside = {k: v for k, v in after.items()
               if not (root / k == target or target in (root / k).parents)}
    assert outside == {k: v for k, v in before.items()
                       if not (root / k == target or target in (root / k).parents)}
    assert not Path("/x.md").exists() and not Path("/tmp/publikasi-fuzz-victim.md").exists()
    if code == 2:
        assert after == before  # a failed import writes nothing at all
    shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- cached == fresh
#
# Issue 10's "Done when": random edits of a multi-release publication; after
# every edit a cached build into the kept OUT/ must equal, file for file and
# byte for byte (no extra file), a --no-cache build into an empty folder.

CACHE_SETTINGS = _settings(4, 40)
PICTURES = {"p.png": png_bytes(), "q.jpg": jpeg_bytes(), "r.png": png_bytes((30, 40))}
TITLES = ["Pasar Dinoyo Buka", "Jalan Mulus", "Bank Sampah", "Expo UMKM", "Banjir Sukun"]


def _initial_state() -> dict:
    def article(title: str, day: int, links: list[str]) -> dict:
        return {"title": title, "day": day, "slug": None, "source": None, "links": links,
                "picture": None}

    return {
        "pub": {"title": "Warta Uji", "base_url": "https://warta.example/berita/",
                "description": ""},
        "theme": None,  # or {"accent": ..., "columns": ...}
        "pictures": dict(PICTURES),
        "releases": {
            "r1": {"title": "Warta Satu", "date": "2025-11-10", "edition": "1/2025",
                   "articles": {"satu": article("Satu", 10, ["../r2/dua.md"]),
                                "tiga": article("Tiga", 9, [])}},
            "r2": {"title": "Warta Dua", "date": "2025-11-03", "edition": "",
                   "articles": {"dua": article("Dua", 3, ["../r1/tiga.md"])}},
        },
    }


def _render_state(state: dict) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    pub = state["pub"]
    text = f"title: {pub['title']}\nbase_url: {pub['base_url']}\n"
    if pub["description"]:
        text += f"description: {pub['description']}\n"
    if state["theme"]:
        text += "theme: ./tema\n"
        theme = state["theme"]
        files["tema/theme.toml"] = (f'inherits = "default"\n[colors]\n'
                                    f'accent = "{theme["accent"]}"\n').encode()
        files["tema/pdf/settings.toml"] = f"columns = {theme['columns']}\n".encode()
    files["publication.yaml"] = text.encode()
    for name, data in state["pictures"].items():
        files[f"images/{name}"] = data
    for rname, release in state["releases"].items():
        head = f"title: {release['title']}\ndate: {release['date']}\n"
        if release["edition"]:
            head += f"edition: '{release['edition']}'\n"
        files[f"{rname}/release.yaml"] = head.encode()
        for fname, a in release["articles"].items():
            front = f"title: {a['title']}\ndate: 2025-11-{a['day']:02d}T09:00:00+07:00\n"
            if a["slug"]:
                front += f"slug: {a['slug']}\n"
            if a["source"]:
                front += f"source: {a['source']}\n"
            body = f"Isi berita {a['title']}."
            for i, target in enumerate(a["links"]):
                body += f" Baca [tautan {i}]({target})."
            if a["picture"]:
                body += f"\n\n![Foto {a['title']}](../images/{a['picture']} \"Keterangan\")"
            files[f"{rname}/{fname}.md"] = f"---\n{front}---\n{body}\n".encode()
    return files


def _article_files(state: dict) -> list[tuple[str, str]]:
    return [(r, f) for r, rel in sorted(state["releases"].items()) for f in sorted(rel["articles"])]


def _apply(state: dict, edit: tuple) -> None:
    kind, n, value = edit
    arts = _article_files(state)
    rname, fname = arts[n % len(arts)]
    a = state["releases"][rname]["articles"][fname]
    if kind == "title":
        a["title"] = TITLES[value % len(TITLES)]
    elif kind == "slug":
        a["slug"] = None if value % 3 == 0 else f"judul-{value % 4}"
    elif kind == "source":
        a["source"] = None if value % 3 == 0 else f"https://sumber.example/{value % 5}"
    elif kind == "link":
        other_r, other_f = arts[value % len(arts)]
        target = f"../{other_r}/{other_f}.md" if other_r != rname else f"{other_f}.md"
        if target in a["links"]:
            a["links"].remove(target)
        else:
            a["links"].append(target)
    elif kind == "picture":
        a["picture"] = [None, *sorted(PICTURES)][value % (len(PICTURES) + 1)]
    elif kind == "repaint":  # the same picture file with other bytes
        name = sorted(PICTURES)[value % len(PICTURES)]
        state["pictures"][name] = png_bytes((20 + value % 30, 25)) if name.endswith(".png") \
            else jpeg_bytes(color=["red", "navy", "gold"][value % 3])
    elif kind == "release":
        release = state["releases"][rname]
        field_ = ["title", "edition", "date"][value % 3]
        release[field_] = {"title": f"Warta {value}", "edition": f"{value}/2025",
                           "date": f"2025-11-{10 + value % 5:02d}"}[field_]
    elif kind == "publication":
        field_ = ["title", "description", "base_url"][value % 3]
        state["pub"][field_] = {"title": f"Warta Kota {value}", "description": f"Terbitan {value}",
                                "base_url": f"https://warta{value % 3}.example/"}[field_]
    elif kind == "theme":
        state["theme"] = None if value % 4 == 0 else {
            "accent": ["#006837", "#8b0000", "#123456"][value % 3], "columns": 1 + value % 2}
    elif kind == "remove":
        if len(state["releases"][rname]["articles"]) > 1:
            del state["releases"][rname]["articles"][fname]
    elif kind == "add":
        articles = state["releases"][rname]["articles"]
        new = f"baru{value % 3}"
        if new not in articles:
            articles[new] = {"title": f"Baru {value}", "day": 1 + value % 9, "slug": None,
                             "source": None, "links": [], "picture": None}


EDITS = st.tuples(st.sampled_from(["title", "slug", "source", "link", "picture", "repaint",
                                   "release", "publication", "theme", "remove", "add"]),
                  st.integers(0, 20), st.integers(0, 20))


def _write_source(root: Path, files: dict[str, bytes]) -> None:
    """Write what changed and remove what is gone, like an editor would."""
    for path in sorted(root.rglob("*"), reverse=True):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and rel not in files:
            path.unlink()
    for rel, data in files.items():
        target = root / rel
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _cached_equals_fresh(root: Path, out: Path, cache: Path, work: Path, step: int) -> None:

    build(root, out, BuildOptions(cache_dir=cache, jobs=1))
    fresh = work / f"fresh-{step}"
    build(root, fresh, BuildOptions(cache=False, jobs=1))
    kept, cold = _tree_bytes(out), _tree_bytes(fresh)
    assert sorted(kept) == sorted(cold), (step, set(kept) ^ set(cold))
    assert [k for k in kept if kept[k] != cold[k]] == [], step
    shutil.rmtree(fresh)


@CACHE_SETTINGS
@given(edits=st.lists(EDITS, min_size=1, max_size=3))
def test_cached_build_into_kept_out_equals_fresh_build(edits, tmp_path_factory):
    work = tmp_path_factory.mktemp("cached")
    root, out, cache = work / "src", work / "out", work / "cache"
    state = _initial_state()
    root.mkdir()
    _write_source(root, _render_state(state))

    build(root, out, BuildOptions(cache_dir=cache, jobs=1))
    for step, edit in enumerate(edits):
        _apply(state, edit)
        _write_source(root, _render_state(state))
        event(edit[0])
        _cached_equals_fresh(root, out, cache, work, step)
    shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- a hostile cache
#
# Issue 16: the build cache is untrusted.  Random damage to its entries
# (truncated, flipped bytes, planted pickles, entries swapped between keys,
# symlinks, folders, removed files): the build still succeeds and equals a
# fresh one, and nothing from the cache runs.


class _Planted:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _corrupt(path: Path, how: str, other: Path, marker: Path, n: int) -> None:
    import pickle

    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: n % max(1, len(data))])
    elif how == "flip":
        i = n % max(1, len(data))
        path.write_bytes(data[:i] + bytes([data[i] ^ 0x5A]) + data[i + 1:] if data else b"x")
    elif how == "pickle":
        path.write_bytes(pickle.dumps(_Planted(str(marker))))
    elif how == "swap":  # a real entry, under another key
        path.write_bytes(other.read_bytes())
    elif how == "symlink":
        path.unlink()
        path.symlink_to(other if n % 2 else Path("/etc/hostname"))
    elif how == "folder":
        path.unlink()
        path.mkdir()
    elif how == "json":  # well-formed JSON that names paths outside
        path.write_bytes(json.dumps({"files": [["../../x", "0" * 64], ["/tmp/x", "0" * 64]],
                                     "warnings": []}).encode())
    elif how == "remove":
        path.unlink()


DAMAGE = st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(
    ["truncate", "flip", "pickle", "swap", "symlink", "folder", "json", "remove"]),
    st.integers(0, 10_000)), min_size=1, max_size=8)


@CACHE_SETTINGS
@given(damage=DAMAGE)
def test_a_hostile_cache_never_changes_the_build(damage, tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    root, out, cache, fresh = work / "src", work / "out", work / "cache", work / "fresh"
    state = _initial_state()
    state["releases"]["r1"]["articles"]["satu"]["picture"] = "p.png"
    root.mkdir()
    _write_source(root, _render_state(state))
    build(root, fresh, BuildOptions(cache=False, jobs=1))
    build(root, out, BuildOptions(cache_dir=cache, jobs=1))
    entries = sorted(p for p in cache.rglob("*") if p.is_file() and not p.is_symlink())
    marker = work / "pwned"
    for pick, how, n in damage:
        path = entries[pick % len(entries)]
        if not path.is_file() or path.is_symlink():
            continue  # damaged already
        event(how)
        _corrupt(path, how, entries[n % len(entries)], marker, n)
    again = build(root, out, BuildOptions(cache_dir=cache, jobs=1))
    assert not marker.exists(), "something from the cache was run"
    kept, cold = _tree_bytes(out), _tree_bytes(fresh)
    assert sorted(kept) == sorted(cold)
    assert [k for k in kept if kept[k] != cold[k]] == []
    assert not (work.parent / "x").exists()
    if again.stats["ran"]:
        event("rebuilt some tasks")
    shutil.rmtree(work, ignore_errors=True)
