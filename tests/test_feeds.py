"""RSS 2.0, Atom 1.0 and JSON Feed 1.1, read back by independent tools.

feedparser (a real feed reader) must parse RSS and Atom without ``bozo``;
jing validates Atom against the RFC 4287 RELAX NG schema; lxml checks the
RSS 2.0 rules; JSON Feed is checked against a JSON Schema of version 1.1
written here from the specification (feedparser 6.0 does not read JSON Feed).
Small publications are generated per test module so that archives, summary
mode and the sanitiser can be driven from the source.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import locale
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
from conftest import PUBLICATION, run_cli
from judges import jing
from lxml import etree
from PIL import Image

SCHEMA = Path(__file__).resolve().parent.parent / "src" / "publikasi" / "schemas" / "atom.rnc"
BASE = "https://uji.example/berita/"
ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
MEDIA = "{http://search.yahoo.com/mrss/}content"

# ---------------------------------------------------------------- a small publication

ARTICLES = {
    # slug: (release, front matter, body)
    "pasar-rakyat-festival-kuliner": ("r1", """\
title: Pasar Rakyat & "Festival" <Kuliner>
date: 2025-11-10T09:30:00
dateline: Klojen
authors: [Ani Wulandari, Budi Santoso]
byline: ani/yn
section: Ekonomi
tags: [UMKM, pasar]
image: {src: images/foto.jpg, alt: Suasana pasar, caption: Warga berbelanja, credit: Humas}
""", """\
Paragraf pertama dengan [tautan relatif](../agenda/) dan [luar](https://malangkota.go.id/).[^1]

<script>alert("skrip")</script>

<iframe src="https://evil.example/frame"></iframe>

Klik [ini](javascript:alert(1)) atau [itu](data:text/html,hai) ya.
<img src="https://evil.example/track.gif" onerror="alert(2)"> <a href="javascript:alert(3)" onclick="x()">mentah</a>

| a | b |
|---|--:|
| 1 | 2 |

[^1]: Catatan kaki.
"""),
    "kedua": ("r1", """\
title: Kedua
date: 2025-11-09
""", "Isi kedua.\n"),
    "kelima": ("r1", """\
title: Kelima
date: 2025-11-08T07:00:00
""", "Isi kelima, yang paling lama.\n"),
    "ketiga": ("r2", """\
title: Ketiga
date: 2025-11-16T08:00:00+08:00
byline: abc
tags: [Tes]
""", 'Isi ketiga.\n\n![Gambar bagan](images/bagan.png "Keterangan bagan")\n'),
    "empat": ("r2", """\
title: Empat
date: 2025-11-17T10:00:00
section: Pemerintahan
source: https://malangkota.go.id/2025/11/17/empat/
""", "Isi empat.\n"),
}


def write_publication(root: Path, *, items: int, archive: bool, full: bool) -> Path:
    """A publication of two releases and five articles, pictures and hostile HTML."""
    (root / "r1" / "images").mkdir(parents=True)
    (root / "r2" / "images").mkdir(parents=True)
    (root / "images").mkdir()
    Image.new("RGB", (800, 500), (200, 80, 40)).save(root / "r1" / "images" / "foto.jpg")
    Image.new("RGBA", (400, 300), (0, 120, 60, 180)).save(root / "r2" / "images" / "bagan.png")
    Image.new("RGBA", (300, 300), (0, 80, 140, 255)).save(root / "images" / "logo.png")
    (root / "publication.yaml").write_text(
        "title: Warta Uji\nlanguage: id\nbase_url: https://uji.example/berita\n"
        "publisher: {name: Humas Uji, url: 'https://uji.example/', logo: images/logo.png}\n"
        f"feed: {{items: {items}, full_content: {str(full).lower()}, "
        f"archive: {str(archive).lower()}}}\n", encoding="utf-8")
    for rel, date in (("r1", "2025-11-10"), ("r2", "2025-11-17")):
        (root / rel / "release.yaml").write_text(
            f"title: Warta Uji\ndate: {date}\n", encoding="utf-8")
    for slug, (rel, meta, body) in ARTICLES.items():
        (root / rel / f"{slug}.md").write_text(f"---\n{meta}---\n{body}", encoding="utf-8")
    return root


def build(source: Path, out: Path, *extra: str) -> Path:
    proc = run_cli("build", source, "-f", "rss,atom,jsonfeed", "-o", out, *extra)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """Full content, two items per document, archives on: 2 + 2 + 1 items."""
    tmp = tmp_path_factory.mktemp("feeds-small")
    src = write_publication(tmp / "src", items=2, archive=True, full=True)
    return build(src, tmp / "out")


@pytest.fixture(scope="module")
def summary_only(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("feeds-summary")
    src = write_publication(tmp / "src", items=3, archive=False, full=False)
    return build(src, tmp / "out")


# ---------------------------------------------------------------- independent checks


def rss_items(path: Path) -> list[etree._Element]:
    return etree.parse(str(path)).getroot().find("channel").findall("item")


def check_rss_rules(path: Path, out: Path, base: str) -> etree._Element:
    """RSS 2.0 rules (rssboard.org specification) checked with lxml; -> channel."""
    root = etree.parse(str(path)).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert (channel.findtext(required) or "").strip(), f"channel lacks <{required}>"
    assert channel.findtext("link") == base  # the site, not the feed (feedgen pitfall)
    selfs = [a for a in channel.findall(f"{ATOM}link") if a.get("rel") == "self"]
    assert len(selfs) == 1 and selfs[0].get("href") == base + path.name
    built = email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate"))
    assert built.tzinfo is not None
    guids = []
    for item in channel.findall("item"):
        assert item.findtext("title") or item.findtext("description")
        link = item.findtext("link")
        assert urlsplit(link).scheme in ("http", "https") and urlsplit(link).netloc
        guid = item.find("guid")
        assert guid is not None and guid.text
        guids.append(guid.text)
        if guid.get("isPermaLink", "true") == "true":
            assert urlsplit(guid.text).scheme in ("http", "https")
        when = email.utils.parsedate_to_datetime(item.findtext("pubDate"))
        assert when.tzinfo is not None, item.findtext("pubDate")
        assert when <= built
        for enc in item.findall("enclosure"):
            check_media_file(enc.get("url"), int(enc.get("length")), enc.get("type"), out, base)
        for media in item.findall(MEDIA):
            check_media_file(media.get("url"), int(media.get("fileSize")), media.get("type"),
                             out, base)
        content = item.findtext(CONTENT)
        if content:
            check_content_html(content, base)
    assert len(guids) == len(set(guids)), "duplicate guids"
    image = channel.find("image")
    if image is not None:
        assert image.findtext("link") == channel.findtext("link")
        assert (out / "media" / image.findtext("url").rsplit("/", 1)[1]).is_file()
    return channel


def check_media_file(url: str, length: int, mime: str, out: Path, base: str) -> None:
    assert url.startswith(base + "media/"), url
    file = out / "media" / url[len(base + "media/"):]
    assert file.is_file(), f"{url} is not in the build output"
    assert file.stat().st_size == length
    with Image.open(file) as img:
        assert Image.MIME[img.format] == mime


def check_content_html(fragment: str, base: str) -> None:
    """Every link and picture absolute; nothing that runs or loads from elsewhere."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    assert not root.xpath("//script|//iframe|//style|//object|//embed|//form")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            assert name not in ("style", "id"), (el.tag, name)
            assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
        if el.tag == "a" and el.get("href") is not None:
            parts = urlsplit(el.get("href"))
            assert parts.scheme in ("http", "https", "mailto"), el.get("href")
            assert parts.scheme == "mailto" or parts.netloc
        if el.tag == "img":
            assert el.get("src", "").startswith(base + "media/"), el.get("src")


def feed_files(out: Path) -> list[Path]:
    """The feeds and their archive pages (not the sitemap or the build manifest)."""
    return sorted(p for p in out.iterdir() if p.suffix in (".xml", ".json")
                  and p.name.startswith(("feed", "atom")))


# JSON Feed 1.1 (jsonfeed.org/version/1.1) as a JSON Schema, written for these
# tests from the specification's field list.
_AUTHOR = {"type": "object", "minProperties": 1,
           "properties": {"name": {"type": "string"}, "url": {"type": "string", "format": "uri"},
                          "avatar": {"type": "string", "format": "uri"}}}
JSONFEED_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string", "format": "uri"},
        "description": {"type": "string"},
        "user_comment": {"type": "string"},
        "next_url": {"type": "string", "format": "uri"},
        "icon": {"type": "string", "format": "uri"},
        "favicon": {"type": "string", "format": "uri"},
        "authors": {"type": "array", "items": _AUTHOR},
        "language": {"type": "string", "pattern": "^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
        "expired": {"type": "boolean"},
        "items": {"type": "array", "items": {
            "type": "object",
            "required": ["id"],
            "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "url": {"type": "string", "format": "uri"},
                "external_url": {"type": "string", "format": "uri"},
                "title": {"type": "string"},
                "content_html": {"type": "string"},
                "content_text": {"type": "string"},
                "summary": {"type": "string"},
                "image": {"type": "string", "format": "uri"},
                "banner_image": {"type": "string", "format": "uri"},
                "date_published": {"type": "string", "format": "date-time"},
                "date_modified": {"type": "string", "format": "date-time"},
                "authors": {"type": "array", "items": _AUTHOR},
                "tags": {"type": "array", "items": {"type": "string"}},
                "language": {"type": "string"},
                "attachments": {"type": "array", "items": {
                    "type": "object", "required": ["url", "mime_type"],
                    "properties": {"url": {"type": "string", "format": "uri"},
                                   "mime_type": {"type": "string", "pattern": ".+/.+"},
                                   "title": {"type": "string"},
                                   "size_in_bytes": {"type": "integer", "minimum": 0},
                                   "duration_in_seconds": {"type": "number", "minimum": 0}}}},
            },
        }},
    },
}


def check_jsonfeed(path: Path, out: Path, base: str) -> dict:
    try:
        import jsonschema
    except ImportError:  # a test dependency: fail loudly, never skip
        pytest.fail("jsonschema is not installed (pip install '.[test]')")
    raw = path.read_bytes()
    doc = json.loads(raw.decode("utf-8"))
    jsonschema.validate(doc, JSONFEED_SCHEMA, format_checker=jsonschema.FormatChecker())
    ids = [i["id"] for i in doc["items"]]
    assert len(ids) == len(set(ids))
    # jsonschema checks "uri" only when an optional package is present: check here too.
    urls = [doc.get(k) for k in ("home_page_url", "feed_url", "next_url", "icon")]
    urls += [i.get(k) for i in doc["items"] for k in ("url", "image")]
    for url in filter(None, urls):
        assert urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc, url
    for item in doc["items"]:
        when = dt.datetime.fromisoformat(item["date_published"])
        assert when.tzinfo is not None
        if "content_html" in item:
            check_content_html(item["content_html"], base)
        for att in item.get("attachments", []):
            check_media_file(att["url"], att["size_in_bytes"], att["mime_type"], out, base)
    return doc


def titles(parsed) -> list[str]:
    return [e.title for e in parsed.entries]


# ---------------------------------------------------------------- the small publication


def test_feedparser_reads_rss_and_atom_without_bozo(small):
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse(str(small / name))
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert parsed.version == ("rss20" if name == "feed.xml" else "atom10")
        assert titles(parsed) == ["Empat", "Ketiga"]
        empat, ketiga = parsed.entries
        # link: the article's page of the web edition, also when it has a source
        assert empat.link == empat.id == BASE + "empat/"
        assert ketiga.link == ketiga.id == BASE + "ketiga/"
        assert ketiga.published_parsed[:5] == (2025, 11, 16, 0, 0)  # 08:00+08:00 in UTC
        assert ketiga.summary == "Isi ketiga."
        assert "Isi ketiga." in ketiga.content[0].value
        assert [t.term for t in ketiga.tags] == ["Tes"]
        assert [t.term for t in empat.tags] == ["Pemerintahan"]
        # A byline code ("abc") is not a name: without authors the publisher is credited.
        assert ketiga.author == "Humas Uji"
        (img,) = lxml.html.fragment_fromstring(ketiga.content[0].value,
                                               create_parent="div").xpath("//img")
        assert img.get("src").startswith(BASE + "media/img-")
        assert img.get("alt") == "Gambar bagan"


def _history_scope(path: Path, kind: str):
    root = etree.parse(str(path)).getroot()
    return root.find("channel") if kind == "feed" else root


def test_archive_pages_hold_the_older_items_with_history_links(small):
    parsed = {p.name: feedparser.parse(str(p)) for p in feed_files(small)
              if p.suffix == ".xml"}
    assert not [n for n, p in parsed.items() if p.bozo]
    assert titles(parsed["feed-archive-1.xml"]) == ["Kedua", "Kelima"]  # oldest page
    assert titles(parsed["feed-archive-2.xml"]) == ['Pasar Rakyat & \u201cFestival\u201d <Kuliner>']
    for prefix in ("feed", "atom"):
        seen = [t for n, p in parsed.items() if n.startswith(prefix) for t in titles(p)]
        assert len(seen) == len(set(seen)) == len(ARTICLES)
    for kind, current, mime in (("feed", "feed.xml", "application/rss+xml"),
                                ("atom", "atom.xml", "application/atom+xml")):
        def links(name: str, kind=kind, mime=mime) -> dict[str, str]:
            scope = _history_scope(small / name, kind)
            return {a.get("rel"): a.get("href") for a in scope.findall(f"{ATOM}link")
                    if a.get("type") == mime}

        def archived(name: str, kind=kind) -> bool:
            return _history_scope(small / name, kind).find(f"{FH}archive") is not None

        assert links(current) == {"self": BASE + current,
                                  "prev-archive": BASE + f"{kind}-archive-2.xml"}
        assert links(f"{kind}-archive-2.xml") == {
            "self": BASE + f"{kind}-archive-2.xml", "current": BASE + current,
            "prev-archive": BASE + f"{kind}-archive-1.xml"}
        assert links(f"{kind}-archive-1.xml") == {
            "self": BASE + f"{kind}-archive-1.xml", "current": BASE + current,
            "next-archive": BASE + f"{kind}-archive-2.xml"}
        assert not archived(current)
        assert archived(f"{kind}-archive-1.xml") and archived(f"{kind}-archive-2.xml")
    # JSON Feed pages chain through next_url from the newest to the oldest.
    chain, doc = [], json.loads((small / "feed.json").read_text())
    while True:
        chain.extend(i["title"] for i in doc["items"])
        if "next_url" not in doc:
            break
        doc = json.loads((small / doc["next_url"][len(BASE):]).read_text())
    assert chain == ["Empat", "Ketiga", 'Pasar Rakyat & \u201cFestival\u201d <Kuliner>', "Kedua",
                     "Kelima"]


def test_atom_passes_the_rfc4287_relax_ng_schema(small, summary_only):
    files = [p for out in (small, summary_only) for p in feed_files(out)
             if p.name.startswith("atom")]
    assert len(files) == 4
    # A control the schema must reject: feedgen's content(type="CDATA") and no feed id.
    broken = small.parent / "broken-atom.xml"
    text = (small / "atom.xml").read_text(encoding="utf-8")
    broken.write_text(text.replace('type="html"', 'type="CDATA"', 1)
                      .replace(f"<id>{BASE}atom.xml</id>", "", 1), encoding="utf-8")
    proc = jing(SCHEMA, [*files, broken])
    complaints = [ln for ln in proc.stdout.splitlines() if ": error:" in ln]
    assert complaints and all(ln.startswith(str(broken)) for ln in complaints), proc.stdout
    assert any("\"type\"" in ln for ln in complaints)
    assert any("missing required element \"id\"" in ln for ln in complaints)


def test_atom_rules_beyond_the_schema(small, summary_only):
    """Appendix B's Schematron part: one alternate link per type, content or alternate."""
    for out in (small, summary_only):
        for path in feed_files(out):
            if not path.name.startswith("atom"):
                continue
            root = etree.parse(str(path)).getroot()
            for scope in (root, *root.findall(f"{ATOM}entry")):
                alternates = [(a.get("type"), a.get("hreflang"))
                              for a in scope.findall(f"{ATOM}link")
                              if a.get("rel", "alternate") == "alternate"]
                assert len(alternates) == len(set(alternates)) >= 1
            for entry in root.findall(f"{ATOM}entry"):
                content = entry.find(f"{ATOM}content")
                if content is not None:
                    assert content.get("type") == "html"
                for enc in entry.findall(f"{ATOM}link[@rel='enclosure']"):
                    check_media_file(enc.get("href"), int(enc.get("length")), enc.get("type"),
                                     out, BASE)
                assert root.find(f"{ATOM}author") is not None or entry.find(f"{ATOM}author") \
                    is not None


def test_rss_follows_the_rss2_rules(small, summary_only):
    for out in (small, summary_only):
        for path in feed_files(out):
            if path.suffix == ".xml" and path.name.startswith("feed"):
                check_rss_rules(path, out, BASE)


def test_rss_item_details(small):
    (item,) = list(rss_items(small / "feed-archive-2.xml"))
    assert [c.text for c in item.findall(DC_CREATOR)] == ["Ani Wulandari", "Budi Santoso"]
    assert [c.text for c in item.findall("category")] == ["Ekonomi", "UMKM", "pasar"]
    assert item.find("guid").get("isPermaLink") == "false"
    enc = item.find("enclosure")
    assert enc.get("type") == "image/jpeg"
    assert [m.get("url") for m in item.findall(MEDIA)] == [enc.get("url")]
    assert item.find(MEDIA).get("medium") == "image"
    # The description is the summary; the full text is in content:encoded.
    assert item.findtext("description").startswith("Paragraf pertama dengan tautan relatif")
    html = item.findtext(CONTENT)
    assert 'href="https://uji.example/agenda/"' in html  # relative link made absolute
    assert "Catatan kaki." in html


def test_jsonfeed_matches_the_1_1_schema(small, summary_only):
    for out in (small, summary_only):
        for path in feed_files(out):
            if path.suffix == ".json":
                check_jsonfeed(path, out, BASE)
    doc = json.loads((small / "feed-archive-2.json").read_text())
    (item,) = doc["items"]
    assert item["id"] == BASE + "pasar-rakyat-festival-kuliner/"
    assert item["date_published"] == "2025-11-10T09:30:00+07:00"
    assert item["authors"] == [{"name": "Ani Wulandari"}, {"name": "Budi Santoso"}]
    assert item["tags"] == ["Ekonomi", "UMKM", "pasar"]
    assert item["image"] == item["attachments"][0]["url"]
    top = json.loads((small / "feed.json").read_text())
    assert top["feed_url"] == BASE + "feed.json" and top["home_page_url"] == BASE
    assert top["language"] == "id" and top["authors"][0]["name"] == "Humas Uji"
    # The byline code "abc" of "Ketiga" never stands as an author's name.
    (ketiga,) = [i for i in top["items"] if i["title"] == "Ketiga"]
    assert ketiga["authors"] == [{"name": "Humas Uji"}]


def test_hostile_html_from_markdown_never_reaches_a_feed(small):
    text = "\n".join(p.read_text(encoding="utf-8") for p in feed_files(small))
    # Tags and handlers: gone in every form (raw, XML-escaped, JSON-escaped).
    for bad in ("<script", "&lt;script", "skrip", "<iframe", "&lt;iframe", "evil.example",
                "onerror", "onclick", "alert(2)", "alert(3)"):
        assert bad not in text, bad
    # Links with refused schemes keep their text and lose the link; none is live.
    contents = [c.value for p in feed_files(small) if p.suffix == ".xml"
                for e in feedparser.parse(str(p)).entries for c in e.get("content", [])]
    contents += [i["content_html"] for p in feed_files(small) if p.suffix == ".json"
                 for i in json.loads(p.read_text())["items"]]
    assert any("itu" in c for c in contents)
    assert not any("data:text/html" in c for c in contents)
    for content in contents:
        check_content_html(content, BASE)


def test_summary_only_feeds_carry_no_content(summary_only):
    channel = etree.parse(str(summary_only / "feed.xml")).getroot().find("channel")
    items = channel.findall("item")
    assert len(items) == 3 and all(i.find(CONTENT) is None for i in items)
    assert all(i.findtext("description") for i in items)
    atom = etree.parse(str(summary_only / "atom.xml")).getroot()
    assert atom.findall(f"{ATOM}entry/{ATOM}content") == []
    assert len(atom.findall(f"{ATOM}entry/{ATOM}summary")) == 3
    doc = json.loads((summary_only / "feed.json").read_text())
    assert all("content_html" not in i and i["content_text"] == i["summary"]
               for i in doc["items"])
    # archive is off: only the newest three, no archive pages
    assert [p.name for p in feed_files(summary_only)] == ["atom.xml", "feed.json", "feed.xml"]
    parsed = feedparser.parse(str(summary_only / "atom.xml"))
    assert not parsed.bozo and titles(parsed) == ["Empat", "Ketiga",
                                                  'Pasar Rakyat & \u201cFestival\u201d <Kuliner>']


def test_last_build_date_comes_from_the_content_not_the_clock(small):
    channel = etree.parse(str(small / "feed.xml")).getroot().find("channel")
    built = email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate"))
    newest = max(email.utils.parsedate_to_datetime(i.findtext("pubDate"))
                 for i in channel.findall("item"))
    assert built == newest == dt.datetime(2025, 11, 17, 3, 0, tzinfo=dt.UTC)
    atom = feedparser.parse(str(small / "atom.xml"))
    assert atom.feed.updated == "2025-11-17T10:00:00+07:00"
    archive = feedparser.parse(str(small / "atom-archive-1.xml"))
    assert archive.feed.updated == "2025-11-09T00:00:00+07:00"  # newest item of that page


def test_rebuild_is_byte_identical_and_guids_are_stable(small, tmp_path):
    src = write_publication(tmp_path / "src", items=2, archive=True, full=True)
    again = build(src, tmp_path / "again")
    names = sorted(str(p.relative_to(small)) for p in small.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(again)) for p in again.rglob("*") if p.is_file())
    for name in names:
        assert (small / name).read_bytes() == (again / name).read_bytes(), name
    # The same articles built as a lone release (another edition's build) keep their ids.
    alone = build(src / "r2", tmp_path / "alone", "--base-url", BASE)
    in_release = {e.title: e.id for e in feedparser.parse(str(alone / "atom.xml")).entries}
    in_publication = {e.title: e.id for e in feedparser.parse(str(small / "atom.xml")).entries}
    assert in_release == in_publication == {"Empat": BASE + "empat/",
                                            "Ketiga": BASE + "ketiga/"}
    rss_alone = {i.findtext("title"): i.findtext("guid") for i in rss_items(alone / "feed.xml")}
    assert rss_alone == in_publication


def test_an_article_in_two_editions_is_listed_once(tmp_path):
    src = write_publication(tmp_path / "src", items=10, archive=False, full=True)
    (src / "r2" / "kedua-lagi.md").write_text(
        "---\ntitle: Kedua (ralat)\nslug: kedua\ndate: 2025-11-17T11:00:00\n---\nRalat.\n",
        encoding="utf-8")
    proc = run_cli("build", src, "-f", "rss,atom,jsonfeed", "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    warned = {ln for ln in proc.stderr.splitlines() if "also appears in release" in ln}
    assert len(warned) == 1 and "kedua.md" in warned.pop()
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse(str(tmp_path / "out" / name))
        ids = [e.id for e in parsed.entries]
        assert len(ids) == len(set(ids)) == len(ARTICLES)
        assert "Kedua (ralat)" in titles(parsed) and "Kedua" not in titles(parsed)


def test_feeds_without_base_url_are_refused(tmp_path):
    src = write_publication(tmp_path / "src", items=2, archive=False, full=True)
    yaml = src / "publication.yaml"
    yaml.write_text(yaml.read_text().replace("base_url: https://uji.example/berita\n", ""))
    proc = run_cli("build", src, "-f", "atom", "-o", tmp_path / "out")
    assert proc.returncode == 2
    assert "base_url" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- model-level units


def _context(pub, out: Path, theme: str = "default"):
    from publikasi.exporters import ExportContext, Sink
    from publikasi.images import ImageStore
    from publikasi.themes import load_theme

    return ExportContext(theme=load_theme(theme), sink=Sink(out), images=ImageStore(),
                         build_time=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                         publication=pub)


def _publication(tmp_path: Path, **pub_kw):
    from publikasi.model import (
        Article,
        Figure,
        Link,
        Paragraph,
        Publication,
        Release,
        Text,
    )

    photo = tmp_path / "foto.jpg"
    Image.new("RGB", (40, 30), (1, 2, 3)).save(photo)
    wib = dt.timezone(dt.timedelta(hours=7))
    article = Article(
        slug="uji", title="Uji", date=dt.datetime(2025, 11, 10, 9, 0, tzinfo=wib),
        image=Figure(None, caption="Foto hanya keterangan"),
        blocks=(Paragraph((Text("Klik "), Link("javascript:alert(1)", (Text("di sini"),)),
                           Text(" atau "), Link("vbscript:x", (Text("sana"),)))),
                Figure(None, caption="Tanpa berkas"),
                Figure(photo, alt="Ada berkas")))
    release = Release(slug="r", title="R", date=dt.date(2025, 11, 10), articles=(article,))
    defaults = {"title": "Warta", "releases": (release,), "base_url": BASE}
    return Publication(**{**defaults, **pub_kw})


def test_model_links_with_dangerous_schemes_are_stripped(tmp_path):
    """The model can carry a javascript: link (built in code, not by the reader): nh3 stops it."""
    from publikasi.exporters.feeds import plan_feed

    pub = _publication(tmp_path)
    (item,) = plan_feed(pub, _context(pub, tmp_path / "out")).pages[0].items
    check_content_html(item.content_html, BASE)
    assert "javascript" not in item.content_html and "vbscript" not in item.content_html
    assert "di sini" in item.content_html  # the text stays


def test_caption_only_figures_are_left_out(tmp_path):
    from publikasi.exporters.feeds import plan_feed

    pub = _publication(tmp_path)
    (item,) = plan_feed(pub, _context(pub, tmp_path / "out")).pages[0].items
    assert item.enclosure is None  # the lead photo has no file
    assert "keterangan" not in item.content_html.lower()
    assert "Tanpa berkas" not in item.content_html
    (img,) = lxml.html.fragment_fromstring(item.content_html,
                                           create_parent="div").xpath("//img")
    assert img.get("alt") == "Ada berkas" and [m.url for m in item.media] == [img.get("src")]
    assert (tmp_path / "out" / "media" / img.get("src").rsplit("/", 1)[1]).is_file()


def test_exporter_refuses_a_publication_without_base_url(tmp_path):
    from publikasi.errors import InputError
    from publikasi.exporters.feeds import AtomExporter, JsonFeedExporter, RssExporter

    pub = _publication(tmp_path, base_url="")
    for exporter in (RssExporter(), AtomExporter(), JsonFeedExporter()):
        with pytest.raises(InputError, match="base_url"):
            exporter.export(pub, _context(pub, tmp_path / "out"))


def test_feedgen_locale_switch_is_undone(tmp_path):
    """feedgen sets LC_ALL to C while it formats a date; the process locale must survive."""
    from publikasi.exporters.feeds import RssExporter

    before = locale.setlocale(locale.LC_ALL)
    try:
        locale.setlocale(locale.LC_TIME, "C.UTF-8")
        mine = locale.setlocale(locale.LC_ALL)
        pub = _publication(tmp_path)
        RssExporter().export(pub, _context(pub, tmp_path / "out"))
        assert locale.setlocale(locale.LC_ALL) == mine
        channel = etree.parse(str(tmp_path / "out" / "feed.xml")).getroot().find("channel")
        assert channel.findtext("item/pubDate") == "Mon, 10 Nov 2025 09:00:00 +0700"
    finally:
        locale.setlocale(locale.LC_ALL, before)


def test_theme_settings_reach_the_feed(tmp_path):
    from publikasi.exporters.feeds import RssExporter

    pub = _publication(tmp_path)
    for theme, ttl, start in (("default", "60", "Berita dan siaran pers terbaru"),
                              ("buletin", "1440", "Buletin mingguan Warta")):
        out = tmp_path / theme
        RssExporter().export(pub, _context(pub, out, theme))
        channel = etree.parse(str(out / "feed.xml")).getroot().find("channel")
        assert channel.findtext("ttl") == ttl
        assert channel.findtext("description").startswith(start)


# ---------------------------------------------------------------- the samples


@pytest.fixture(scope="module")
def sample_expected():
    from publikasi.source import load

    pub = load(PUBLICATION).publication
    base = pub.base_url if pub.base_url.endswith("/") else pub.base_url + "/"
    return pub, base


def test_sample_feeds_pass_every_judge(sample_dist, sample_expected):
    pub, base = sample_expected
    expected = [a for _, a in pub.all_articles()][: pub.feed.items]
    assert expected, "the sample publication has no articles"
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse(str(sample_dist / name))
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert titles(parsed) == [a.title for a in expected]
        for entry, article in zip(parsed.entries, expected, strict=True):
            assert entry.id == base + article.slug + "/"
            assert entry.link == entry.id  # the web edition's page
            assert entry.published_parsed is not None
            assert entry.summary
            if pub.feed.full_content:
                assert entry.content[0].value
            # section first, then tags; a tag repeating the section (any case) once
            wanted: dict[str, str] = {}
            for c in (article.section, *article.tags):
                if c:
                    wanted.setdefault(c.casefold(), c)
            assert [t.term for t in entry.get("tags", [])] == list(wanted.values())
            lead = article.image is not None and article.image.src is not None
            assert bool(entry.get("enclosures")) == lead, article.slug
    check_rss_rules(sample_dist / "feed.xml", sample_dist, base)
    check_jsonfeed(sample_dist / "feed.json", sample_dist, base)
    proc = jing(SCHEMA, [sample_dist / "atom.xml"])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_sample_guids_are_the_same_in_an_edition_build(sample_dist, sample_expected, tmp_path):
    pub, base = sample_expected
    newest = pub.releases[0]
    out = tmp_path / "edition"
    proc = run_cli("build", PUBLICATION / newest.root.name, "-f", "rss", "-o", out,
                   "--base-url", base)
    assert proc.returncode == 0, proc.stderr
    edition = {i.findtext("title"): i.findtext("guid") for i in rss_items(out / "feed.xml")}
    cumulative = {i.findtext("title"): i.findtext("guid")
                  for i in rss_items(sample_dist / "feed.xml")}
    assert edition and set(edition) <= set(cumulative)
    assert all(cumulative[t] == g for t, g in edition.items())


def test_sample_rebuild_of_the_feeds_is_byte_identical(sample_dist, tmp_path):
    out = tmp_path / "again"
    proc = run_cli("build", PUBLICATION, "-f", "rss,atom,jsonfeed", "-o", out)
    assert proc.returncode == 0, proc.stderr
    for name in ("feed.xml", "atom.xml", "feed.json"):
        assert (out / name).read_bytes() == (sample_dist / name).read_bytes(), name
    for media in (out / "media").iterdir():
        assert media.read_bytes() == (sample_dist / "media" / media.name).read_bytes()
    shutil.rmtree(out)
