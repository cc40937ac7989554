"""One URL policy (publikasi.urls) for every reader and exporter."""

from __future__ import annotations

from pathlib import Path

import pytest

from publikasi.links import article_urls
from publikasi.readers.common import ReadContext
from publikasi.readers.markdown import read_markdown
from publikasi.urls import (
    encode_href,
    followable,
    is_safe_link,
    is_web_url,
    link_names,
    resolve_relative,
    url_scheme,
)

LINKS = [
    "https://malangkota.example/berita/",
    "HTTP://MALANGKOTA.EXAMPLE/",
    "mailto:humas@malangkota.example",
    "tel:+62341123456",
    "sms:+62341123456",
    "geo:-7.98,112.63",
    "../2025-46/umkm-expo.md",
    "#catatan",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<b>x</b>",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
]


@pytest.mark.parametrize(("url", "scheme"), [
    ("https://x.example/", "https"),
    ("  MAILTO:a@x.example", "mailto"),
    ("java\nscript:alert(1)", "javascript"),
    ("java\tscript:alert(1)", "javascript"),
    ("java\x01script:alert(1)", "javascript"),
    ("../b/dua.md", ""),
    ("#catatan", ""),
    ("http://[::1/x", "http"),  # urlsplit would raise
])
def test_url_scheme_reads_urls_as_browsers_do(url: str, scheme: str) -> None:
    assert url_scheme(url) == scheme


def test_safe_and_followable_schemes() -> None:
    assert [u for u in LINKS if not is_safe_link(u)] == LINKS[-5:]
    assert [u for u in LINKS if followable(u)] == LINKS[:4]


def test_web_urls() -> None:
    assert is_web_url("https://malangkota.example/berita/")
    for url in ("malangkota.example", "ftp://x.example/", "https:///x", "http://[abc/x",
                "https://x.example/a b"):
        assert not is_web_url(url), url


def test_relative_links_resolve_against_the_base_only_when_relative() -> None:
    base = "https://malangkota.example/berita/"
    assert resolve_relative("foto/a.jpg", base) == base + "foto/a.jpg"
    assert resolve_relative("../kontak/", base) == "https://malangkota.example/kontak/"
    assert resolve_relative("#catatan", base) == "#catatan"
    assert resolve_relative("mailto:a@x.example", base) == "mailto:a@x.example"
    assert resolve_relative("foto/a.jpg", "") == "foto/a.jpg"


def test_encode_href() -> None:
    assert encode_href("https://x.example/a b<2>") == "https://x.example/a%20b%3C2%3E"
    assert encode_href("https://x.example/50%off") == "https://x.example/50%25off"
    assert encode_href("https://x.example/a#b#c") == "https://x.example/a#b%23c"
    assert encode_href("https://x.example/[1]") == "https://x.example/%5B1%5D"
    assert encode_href("http://[abc/x") == ""
    assert encode_href("https://x.example:port/") == ""
    assert encode_href("https://[::1]:8080/a") == "https://[::1]:8080/a"


def test_link_names_name_an_article_by_file_stem_slug_or_fragment() -> None:
    assert link_names("../2025-46/dua.md") == ("dua.md",)
    assert link_names("dua-artikel/#x") == ("x",)
    assert link_names("#dua") == ("dua", "dua")
    assert link_names("http://[abc/x") == ()


def _kept_links(body: str, tmp_path: Path) -> list[str]:
    md = tmp_path / "a.md"
    md.write_text(f"---\ntitle: Uji\ndate: 2025-11-10\n---\n{body}\n", encoding="utf-8")
    art = read_markdown(md.read_text(encoding="utf-8"), md, ReadContext(root=tmp_path))
    return list(article_urls(art))


def test_markdown_and_raw_html_links_follow_the_same_policy(tmp_path: Path) -> None:
    """A link is kept or dropped the same way whether it is written in Markdown or HTML."""
    for url in LINKS:
        markdown = _kept_links(f"Lihat [tautan](<{url}>) ini.", tmp_path)
        raw_html = _kept_links(f'<p>Lihat <a href="{url}">tautan</a> ini.</p>', tmp_path)
        assert bool(markdown) == bool(raw_html) == is_safe_link(url), (url, markdown, raw_html)


def test_a_link_to_another_release_goes_to_the_article_in_every_format(tmp_path: Path) -> None:
    """``../b/dua.md`` is the article's address in the feeds, the EPUB and the PDF alike
    (the feeds used to link the .md file under base_url, the EPUB dropped the link)."""
    import json
    import zipfile

    from test_cache_trust import pdf_links, write_publication

    from publikasi.builder import BuildOptions, build

    src = write_publication(tmp_path / "src", dua_extra="slug: dua\n")
    out = tmp_path / "out"
    build(src, out, BuildOptions(cache=False, jobs=1, formats=["pdf", "epub", "jsonfeed"]))
    address = "https://warta.example/berita/dua/"
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    (satu,) = [item for item in feed["items"] if item["title"] == "Satu"]
    assert f'href="{address}"' in satu["content_html"]
    with zipfile.ZipFile(out / "a" / "a.epub") as book:
        chapters = [book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml")]
    assert any(f'href="{address}"' in c and ">lihat</a>" in c for c in chapters)
    assert address in pdf_links(out / "a" / "a.pdf")


def test_a_word_file_links_another_article_at_its_address_and_imports_back(
        tmp_path: Path) -> None:
    """The Word file links ``../b/dua.md`` at the article's address like the other
    formats (it used to resolve the .md path against base_url); importing the
    untouched Word file finds the relative link again: nothing changes."""
    import subprocess
    import sys

    import docx
    from test_cache_trust import write_publication

    from publikasi.builder import BuildOptions, build

    src = write_publication(tmp_path / "src", dua_extra="slug: dua\n")
    out = tmp_path / "out"
    build(src, out, BuildOptions(cache=False, jobs=1, formats=["docx"]))
    word = out / "a" / "docx" / "satu.docx"
    rels = docx.Document(str(word)).part.rels.values()
    targets = {r.target_ref for r in rels if r.reltype.endswith("/hyperlink")}
    assert targets == {"https://warta.example/berita/dua/"}
    before = (src / "a" / "satu.md").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "publikasi", "import", str(word), "--into",
                           str(src / "a"), "--yes"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "unchanged" in proc.stdout, proc.stdout
    assert (src / "a" / "satu.md").read_bytes() == before
    # An edit elsewhere in the paragraph: the link still comes back relative.
    edited = docx.Document(str(word))
    para = next(p for p in edited.paragraphs if "rinciannya" in p.text)
    run = next(r for r in para.runs if "rinciannya" in r.text)
    run.text = run.text.replace("rinciannya", "rincian lengkapnya")
    edited.save(str(tmp_path / "satu.docx"))
    proc = subprocess.run([sys.executable, "-m", "publikasi", "import", str(tmp_path / "satu.docx"),
                           "--into", str(src / "a"), "--yes"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    text = (src / "a" / "satu.md").read_text(encoding="utf-8")
    assert "[lihat](<../b/dua.md>) untuk rincian lengkapnya." in text, text
