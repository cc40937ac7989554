"""The web edition (format ``html``), read back with outside tools.

* a link checker (lxml's HTML parser) over every page of the sample
  publication (both editions) in both themes and of the one-file release:
  every internal href/src/srcset is a file in OUT/, every fragment an id,
  no page loads anything from elsewhere; every feed item link (feedparser
  for RSS and Atom, json for JSON Feed) is a page that was built;
* the sitemap parsed as XML; JSON-LD parsed as JSON;
* the Nu Html Checker on every page, in one batched call (see test_web_browser.py
  for axe-core and the layout checks in Chromium).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest
from conftest import PUBLICATION, run_cli
from judges import JVM_QUICK, require

BASE = "https://warta.malangkota.example/berita/"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="session")
def sites(sample_dist, buletin_dist, seed_txt_dist) -> dict[str, Path]:
    return {"default": sample_dist, "buletin": buletin_dist, "txt": seed_txt_dist}


def pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def load_publication():
    from publikasi.source import load

    return load(PUBLICATION).publication


# ---------------------------------------------------------------- the link checker


RESOURCE_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}


def _references(doc) -> list[tuple[str, str, str, bool]]:
    """(tag, attribute, URL, loads) of every reference on a page; ``loads``: the
    browser fetches it to show the page (a picture, a stylesheet), not a link."""
    found = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        loads = el.tag in ("img", "script", "source", "iframe", "video", "audio") or (
            el.tag == "link" and bool(set((el.get("rel") or "").split()) & RESOURCE_RELS))
        for attr in ("href", "src"):
            value = el.get(attr)
            if value is not None:
                found.append((el.tag, attr, value, loads))
        srcset = el.get("srcset")
        if srcset:
            for candidate in srcset.split(","):
                found.append((el.tag, "srcset", candidate.strip().split()[0], True))
    return found


def _ids(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        doc = lxml.html.parse(str(path)).getroot()
        cache[path] = {el.get("id") for el in doc.iter() if isinstance(el.tag, str)
                       and el.get("id")}
    return cache[path]


def check_links(out: Path, base: str) -> tuple[list[str], int]:
    """Broken internal references of every page in ``out`` and how many were checked.

    Internal references are relative ones, plus the absolute ones under
    ``base`` on 404.html (shown at any address, so its links are absolute).
    An absolute link elsewhere may leave the site (an original article); a
    resource the browser loads may not come from elsewhere.
    """
    broken: list[str] = []
    checked = 0
    ids: dict[Path, set[str]] = {}
    for page in pages(out):
        rel_page = page.relative_to(out).as_posix()
        doc = lxml.html.parse(str(page)).getroot()
        for tag, attr, url, loads in _references(doc):
            where = f"{rel_page}: <{tag} {attr}={url!r}>"
            scheme = urlsplit(url).scheme
            if scheme in ("mailto", "tel") or url == "data:,":
                continue
            if scheme:
                own = page.name == "404.html" and url.startswith(base)
                if not own:
                    if loads:
                        broken.append(f"{where}: loads a resource from elsewhere")
                    continue
                resolved = urlsplit(url[len(base):])
                target = out / unquote(resolved.path)
                if resolved.path == "" or resolved.path.endswith("/"):
                    target = target / "index.html"
            else:
                if url.startswith("/"):
                    broken.append(f"{where}: root-relative (breaks under a sub-path)")
                    continue
                resolved = urlsplit(url)
                if resolved.path.endswith("/") or resolved.path in ("..", "."):
                    broken.append(f"{where}: names a folder (does not open from disk)")
                    continue
                target = (page.parent / unquote(resolved.path)) if resolved.path else page
            checked += 1
            target = Path(os.path.normpath(target))
            if not (target.is_file() and out in target.parents):
                broken.append(f"{where}: no file {target}")
                continue
            if resolved.fragment and target.suffix == ".html" and \
                    resolved.fragment not in _ids(target, ids):
                broken.append(f"{where}: no id {resolved.fragment!r} in {target.name}")
    return broken, checked


def feed_links(out: Path) -> list[str]:
    links = []
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse(str(out / name))
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        links += [e.link for e in parsed.entries]
    doc = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    links += [item["url"] for item in doc["items"]]
    return links


@pytest.mark.parametrize("name", ["default", "buletin", "txt"])
def test_every_link_of_every_page_resolves(sites, name):
    out = sites[name]
    broken, checked = check_links(out, BASE)
    assert not broken, "\n".join(broken)
    assert checked > 100 if name != "txt" else checked > 10


@pytest.mark.parametrize("name", ["default", "buletin", "txt"])
def test_every_feed_item_link_is_a_built_page(sites, name):
    out = sites[name]
    links = feed_links(out)
    assert links
    for link in links:
        assert link.startswith(BASE) and link.endswith("/"), link
        page = out / link[len(BASE):] / "index.html"
        assert page.is_file(), link
        canonical = lxml.html.parse(str(page)).getroot().xpath('//link[@rel="canonical"]/@href')
        assert canonical, link


def test_the_sample_site_has_every_page(sample_dist):
    pub = load_publication()
    slugs = {a.slug for r in pub.releases for a in r.articles}
    for slug in slugs:
        assert (sample_dist / slug / "index.html").is_file(), slug
    for release in pub.releases:
        assert (sample_dist / release.slug / "index.html").is_file()
    sections = {a.section for r in pub.releases for a in r.articles if a.section}
    assert len(list((sample_dist / "rubrik").glob("*/index.html"))) == len(sections)
    for name in ("index.html", "404.html", "sitemap.xml", "robots.txt"):
        assert (sample_dist / name).is_file(), name
    assert f"Sitemap: {BASE}sitemap.xml" in (sample_dist / "robots.txt").read_text()


def test_pages_are_readable_without_javascript(sites):
    for out in sites.values():
        for page in pages(out):
            doc = lxml.html.parse(str(page)).getroot()
            scripts = doc.xpath("//script")
            assert all(s.get("type") == "application/ld+json" for s in scripts), page


# ---------------------------------------------------------------- the pages' content


def _article_page(out: Path, slug: str):
    return lxml.html.parse(str(out / slug / "index.html")).getroot()


def test_article_page_carries_the_article_and_its_metadata(sample_dist):
    pub = load_publication()
    release = pub.releases[-1]
    article = next(a for a in release.articles if a.image and a.authors and a.tags
                   and not a.source)
    doc = _article_page(sample_dist, article.slug)
    url = BASE + article.slug + "/"
    assert doc.get("lang") == article.language
    assert doc.findtext(".//title").startswith(article.title)
    assert doc.xpath("//h1")[0].text_content().strip() == article.title
    assert doc.xpath('//meta[@name="description"]/@content') == [article.lead]
    assert doc.xpath('//link[@rel="canonical"]/@href') == [url]
    og = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
    assert og["og:type"] == "article" and og["og:title"] == article.title
    assert og["og:url"] == url and og["og:description"] == article.lead
    assert og["og:image"].startswith(BASE + "media/")
    assert og["article:published_time"] == article.date.isoformat(timespec="seconds")
    tw = {m.get("name"): m.get("content") for m in doc.xpath("//meta[@name]")}
    assert tw["twitter:card"] == "summary_large_image"
    assert tw["twitter:image"] == og["og:image"]
    # The picture: a figure with caption and credit, srcset of at least two widths.
    fig = doc.xpath('//figure[contains(@class, "lead-image")]')[0]
    img = fig.find(".//img")
    assert img.get("alt") == article.image.alt
    assert int(img.get("width")) > 0 and int(img.get("height")) > 0
    assert len(img.get("srcset").split(",")) >= 2
    caption = fig.find(".//figcaption").text_content()
    assert article.image.caption in caption and article.image.credit in caption
    assert f"{article.image.caption} \u2014 " in caption  # apart for screen readers
    # Date and time in a <time datetime>, WIB for the Jakarta zone.
    stamp = doc.xpath('//header[@class="article-head"]//time')[0]
    assert stamp.get("datetime")[:10] == article.date.date().isoformat()
    text = doc.text_content()
    for tag in article.tags:
        assert tag in text
    for name in article.authors:
        assert name in text
    # The edition, its downloads, and the neighbours in the edition.
    hrefs = doc.xpath("//a/@href")
    assert f"../{release.slug}/index.html#unduh" in hrefs
    assert doc.xpath('//a[@rel="next"] | //a[@rel="prev"]')


def test_json_ld_is_a_news_article_with_its_fields(sample_dist):
    pub = load_publication()
    for _release, article in pub.all_articles():
        doc = _article_page(sample_dist, article.slug)
        (script,) = doc.xpath('//script[@type="application/ld+json"]')
        data = json.loads(script.text)
        assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
        assert data["headline"] == article.title
        assert data["datePublished"] == article.date.isoformat(timespec="seconds")
        assert data["dateModified"]
        assert data["author"] and all(a["name"] for a in data["author"])
        publisher = data["publisher"]
        assert publisher["@type"] == "Organization" and publisher["name"]
        assert publisher["logo"]["url"].startswith(BASE + "media/")
        if article.image:
            assert data["image"] and all(u.startswith(BASE + "media/") for u in data["image"])
            assert (sample_dist / data["image"][0][len(BASE):]).is_file()


def test_time_shows_the_indonesian_zone(sample_dist):
    pub = load_publication()
    timed = [a for _, a in pub.all_articles() if a.has_time]
    assert timed
    for article in timed:
        doc = _article_page(sample_dist, article.slug)
        stamp = doc.xpath('//header[@class="article-head"]//time')[0]
        assert stamp.get("datetime") == article.date.isoformat(timespec="seconds")
        assert stamp.text_content().rstrip().endswith(("WIB", "WITA", "WIT"))


def test_an_article_with_source_has_its_page_pointing_to_the_original(sample_dist):
    pub = load_publication()
    sourced = [a for _, a in pub.all_articles() if a.source]
    assert sourced
    for article in sourced:
        doc = _article_page(sample_dist, article.slug)
        assert doc.xpath('//link[@rel="canonical"]/@href') == [article.source]
        assert article.source in doc.xpath('//p[@class="source"]//a/@href')
    feed = json.loads((sample_dist / "feed.json").read_text(encoding="utf-8"))
    by_id = {item["id"]: item for item in feed["items"]}
    for article in sourced:
        item = by_id[BASE + article.slug + "/"]
        assert item["url"] == BASE + article.slug + "/"
        assert item["external_url"] == article.source


def test_edition_pages_offer_the_downloads_with_their_size(sample_dist):
    pub = load_publication()
    for release in pub.releases:
        doc = lxml.html.parse(str(sample_dist / release.slug / "index.html")).getroot()
        links = doc.xpath('//section[@id="unduh"]//a')
        assert [a.get("href") for a in links] == [
            f"../{release.slug}/{release.slug}.{ext}" for ext in ("pdf", "epub", "docx")]
        for a in links:
            size = (sample_dist / release.slug / a.get("href").rsplit("/", 1)[1]).stat().st_size
            shown = a.xpath('.//span[@class="download-size"]')[0].text_content()
            number, unit = shown.split(", ")[1].split()
            value = float(number.replace(".", "").replace(",", "."))
            scale = {"kB": 1000, "MB": 1_000_000}[unit]
            # Rounded to whole kB, or to a tenth of a MB.
            assert abs(value * scale - size) <= scale * (0.5 if unit == "kB" else 0.05) + 1, \
                (shown, size)
        titles = [a.text_content() for a in doc.xpath('//ul[@class="contents-list"]/li/a')]
        assert sorted(titles) == sorted(a.title for a in release.articles)


def test_front_page_shows_the_newest_edition_archive_and_feeds(sample_dist):
    pub = load_publication()
    doc = lxml.html.parse(str(sample_dist / "index.html")).getroot()
    newest = pub.releases[0]
    text = doc.text_content()
    for article in newest.articles:
        assert article.title in text
    archive = doc.xpath('//ul[@class="archive-list"]//a/@href')  # the archive, newest first
    assert archive == [f"{r.slug}/index.html" for r in pub.releases]
    alternates = {ln.get("type"): ln.get("href") for ln in doc.xpath('//link[@rel="alternate"]')}
    assert alternates == {"application/rss+xml": "feed.xml",
                          "application/atom+xml": "atom.xml",
                          "application/feed+json": "feed.json"}


def test_sitemap_lists_every_page(sample_dist):
    tree = lxml.etree.parse(str(sample_dist / "sitemap.xml"))
    root = tree.getroot()
    assert root.tag == f"{SITEMAP_NS}urlset"
    locs = [u.findtext(f"{SITEMAP_NS}loc") for u in root.iter(f"{SITEMAP_NS}url")]
    lastmods = [u.findtext(f"{SITEMAP_NS}lastmod") for u in root.iter(f"{SITEMAP_NS}url")]
    assert len(locs) == len(set(locs))
    assert all(m and m[:4] == "2025" for m in lastmods)
    built = {BASE + p.relative_to(sample_dist).parent.as_posix() + "/"
             for p in pages(sample_dist) if p.name == "index.html"}
    built = {u.replace("/./", "/") for u in built}
    assert set(locs) == built
    pub = load_publication()
    for _, article in pub.all_articles():
        assert BASE + article.slug + "/" in locs


def test_themes_give_the_web_edition_their_own_look(sample_dist, buletin_dist):
    def css(out: Path) -> str:
        (sheet,) = (out / "assets").glob("style-*.css")
        return sheet.read_text(encoding="utf-8")

    default, buletin = css(sample_dist), css(buletin_dist)
    assert default != buletin
    assert "#0b5394" in default and "#b3261e" in buletin
    for sheet in (default, buletin):
        assert "@media print" in sheet and "@media (min-width" in sheet
        assert "{{" not in sheet and "{%" not in sheet
    doc = lxml.html.parse(str(buletin_dist / "index.html")).getroot()
    assert doc.xpath('//meta[@name="viewport"]/@content') == ["width=device-width, initial-scale=1"]


# ---------------------------------------------------------------- without base_url, overrides, errors


def _small_release(folder: Path, base_url: str | None = None) -> Path:
    folder.mkdir(parents=True)
    meta = "title: Warta Uji\ndate: 2025-11-17\n"
    if base_url:
        meta += f"base_url: {base_url}\n"
    (folder / "release.yaml").write_text(meta, encoding="utf-8")
    (folder / "satu.md").write_text(
        "---\ntitle: Satu\ndate: 2025-11-17T08:00:00+08:00\nsection: Kota\n---\n\n"
        "Isi pertama dengan catatan.[^1] Lihat [yang kedua](dua.md).\n\n[^1]: Sebuah catatan.\n",
        encoding="utf-8")
    (folder / "dua.md").write_text("---\ntitle: Dua\ndate: 2025-11-16\n---\n\nIsi kedua.\n",
                                   encoding="utf-8")
    return folder


def test_without_base_url_pages_are_built_with_one_warning(tmp_path):
    source = _small_release(tmp_path / "rilis")
    out = tmp_path / "out"
    proc = run_cli("build", source, "-f", "html", "-o", out)
    assert proc.returncode == 0, proc.stderr
    mentions = [ln for ln in proc.stderr.splitlines() if "canonical" in ln]
    assert len(mentions) == 1, proc.stderr
    assert (out / "satu" / "index.html").is_file() and (out / "index.html").is_file()
    assert not (out / "sitemap.xml").exists() and not (out / "robots.txt").exists()
    for page in pages(out):
        doc = lxml.html.parse(str(page)).getroot()
        assert not doc.xpath('//link[@rel="canonical"]'), page
        assert not doc.xpath('//meta[@property="og:url"]'), page
    broken, checked = check_links(out, "https://no.base.invalid/")
    assert not broken and checked
    # The footnote links inside the page resolve (fragments are checked above).
    doc = lxml.html.parse(str(out / "satu" / "index.html")).getroot()
    assert doc.xpath('//a[@href="#fn-1"]')
    # A link to another article's file goes to that article's page.
    assert doc.xpath('//div[@class="article-body"]//a[@href="../dua/index.html"]')
    # WITA: the article's own offset (+08:00).
    assert "WITA" in doc.xpath('//header[@class="article-head"]//time')[0].text_content()


def test_a_theme_overrides_one_template_file(tmp_path):
    source = _small_release(tmp_path / "rilis", BASE)
    theme = tmp_path / "tema"
    (theme / "html").mkdir(parents=True)
    (theme / "theme.toml").write_text('inherits = "default"\n', encoding="utf-8")
    (theme / "html" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Tersesat &amp; {{ "<b>" }}</h1>'
        "{% endblock %}\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("build", source, "-f", "html", "-t", str(theme), "-o", out)
    assert proc.returncode == 0, proc.stderr
    page = (out / "404.html").read_text(encoding="utf-8")
    assert "<h1>Tersesat &amp; &lt;b&gt;</h1>" in page  # autoescaped
    assert 'class="masthead"' in page  # base.html still from the default theme
    assert "Langsung ke isi" in (out / "satu" / "index.html").read_text(encoding="utf-8")


def test_a_broken_template_is_a_clean_error_and_out_is_unchanged(tmp_path):
    source = _small_release(tmp_path / "rilis", BASE)
    theme = tmp_path / "tema"
    (theme / "html").mkdir(parents=True)
    (theme / "theme.toml").write_text('inherits = "default"\n', encoding="utf-8")
    (theme / "html" / "article.html").write_text("{% extends 'base.html' %}\n{% block main %}"
                                                 "{{ article.title \n{% endblock %}\n",
                                                 encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    proc = run_cli("build", source, "-f", "html", "-t", str(theme), "-o", out)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "article.html" in lines[0]
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_an_article_slug_that_takes_a_reserved_name_is_an_error(tmp_path):
    source = _small_release(tmp_path / "rilis", BASE)
    (source / "media.md").write_text("---\ntitle: Media\ndate: 2025-11-15\n---\n\nTeks.\n",
                                     encoding="utf-8")
    proc = run_cli("build", source, "-f", "html", "-o", tmp_path / "out")
    assert proc.returncode == 2
    assert "media.md" in proc.stderr and "slug" in proc.stderr and "Traceback" not in proc.stderr


def test_web_edition_is_byte_reproducible(tmp_path):
    source = _small_release(tmp_path / "rilis", BASE)
    outs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        proc = run_cli("build", source, "-f", "html", "--no-cache", "-o", out)
        assert proc.returncode == 0, proc.stderr
        outs.append(out)
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(outs[1]) for p in outs[1].rglob("*") if p.is_file())
    for rel in files:
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel


# ---------------------------------------------------------------- Nu Html Checker


def vnu_jar() -> Path:
    jar = Path(__file__).resolve().parent.parent / "node_modules/vnu-jar/build/dist/vnu.jar"
    if not jar.is_file():
        if os.environ.get("PUBLIKASI_ALLOW_MISSING_JUDGES"):
            pytest.skip("vnu-jar is not installed")
        pytest.fail("vnu-jar is not installed; scripts/install-judges installs it")
    return jar


def test_nu_html_checker_finds_no_error_on_any_page(sites):
    java = require("java")
    files = [p for out in sites.values() for p in pages(out)]
    css = [p for out in sites.values() for p in (out / "assets").glob("*.css")]
    assert len(files) > 50
    # -Xss: the checker's schema needs a deeper thread stack than some JVMs give.
    proc = subprocess.run([java, *JVM_QUICK, "-Xss2m", "-jar", str(vnu_jar()), "--errors-only",
                           "--also-check-css", "--format", "json",
                           *map(str, files + css)],
                          check=False, capture_output=True, text=True, timeout=600)
    assert proc.stderr.startswith("{"), (proc.returncode, proc.stdout[-2000:])
    report = json.loads(proc.stderr)  # vnu writes its JSON report to stderr
    assert "version" in report, proc.stderr[:500]
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m.get('message')}"
              for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    assert not errors, "\n".join(errors[:40])


def test_the_page_of_a_removed_article_disappears_on_the_next_build(tmp_path):
    source = _small_release(tmp_path / "rilis", BASE)
    out = tmp_path / "out"
    proc = run_cli("build", source, "-f", "html,feeds", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert (out / "dua" / "index.html").is_file()
    (source / "dua.md").unlink()
    proc = run_cli("build", source, "-f", "html,feeds", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert not (out / "dua").exists()
    assert (out / "satu" / "index.html").is_file() and (out / "edisi" / "index.html").is_file()
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert BASE + "dua/" not in sitemap and BASE + "satu/" in sitemap
    broken, _ = check_links(out, BASE)
    assert not broken, broken


def test_cards_show_the_lead_and_article_pages_the_standfirst(sample_dist):
    pub = load_publication()
    doc = lxml.html.parse(str(sample_dist / "index.html")).getroot()
    shown = [p.text_content() for p in doc.xpath('//p[@class="card-summary"]')]
    lead_cards = doc.xpath('//div[@class="lead-grid"]/article')
    assert len(shown) == len(lead_cards) > 0  # every lead story has its lead
    for _, article in pub.all_articles():
        page = _article_page(sample_dist, article.slug)
        standfirst = [p.text_content() for p in page.xpath('//p[@class="standfirst"]')]
        assert standfirst == ([article.summary] if article.summary else [])
