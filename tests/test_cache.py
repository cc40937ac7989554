"""Incremental builds: the content-hash cache reuses work and never serves stale bytes.

What was re-done is read from ``BuildResult.stats["ran"]`` (the exporter
tasks that actually ran), never from timings.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import run_cli
from test_parallel import assert_same_tree, load_make_corpus, tree

from publikasi.builder import BuildOptions, build
from publikasi.exporters import ArticleExporter, get_exporter

FORMATS = ["docx", "pdf", "epub", "rss", "atom", "jsonfeed"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cache-corpus")
    load_make_corpus().generate(5, out, seed=11, per_release=3)
    return out / "source"


@pytest.fixture
def corpus(pristine, tmp_path) -> Path:
    """A private copy the test may edit."""
    target = tmp_path / "src"
    shutil.copytree(pristine, target)
    return target


def cold(source: Path, out: Path, **kw) -> dict[str, bytes]:
    build(source, out, BuildOptions(cache=False, jobs=1, **kw))
    return tree(out)


def expected_after_editing(article: str, release: str, single: bool = False) -> set[str]:
    """The tasks that depend on one article's text: its release's editions, its own files,
    feeds, its release's part of the web edition (its page, its neighbours' pages) and the
    web edition's own pages (front and section pages show its lead)."""
    ran = set()
    for name in ("docx", "pdf", "epub"):
        if isinstance(get_exporter(name), ArticleExporter):
            ran |= {f"{name} {release}", f"{name} {release}/{article}"}
        else:
            ran.add(f"{name} {release}")
    return ran | {"rss", "atom", "jsonfeed", f"html {release}", "html"}


def test_warm_rebuild_runs_nothing_and_matches_a_cold_build(corpus, tmp_path):
    cache = tmp_path / "cache"
    first = build(corpus, tmp_path / "a", BuildOptions(cache_dir=cache, jobs=2))
    assert first.stats["cached"] == 0 and first.stats["ran"]
    assert (cache / "v1" / "outputs").is_dir() and (cache / "v1" / "blobs").is_dir()
    second = build(corpus, tmp_path / "b", BuildOptions(cache_dir=cache, jobs=2))
    assert second.stats["ran"] == []
    assert second.stats["cached"] == first.stats["tasks"]
    assert second.stats["cache"]["source_hits"] == 5
    assert [p.name for p in second.files] == [p.name for p in first.files]
    assert second.warnings == first.warnings
    assert_same_tree(tmp_path / "a", tmp_path / "b")
    # ... and both equal a build that never saw a cache.
    assert tree(tmp_path / "b") == cold(corpus, tmp_path / "c")


def test_editing_one_article_redoes_only_what_depends_on_it(corpus, tmp_path):
    cache = tmp_path / "cache"
    build(corpus, tmp_path / "warm", BuildOptions(cache_dir=cache, jobs=1))
    article = sorted((corpus / "rilis-0001").glob("*.md"))[1]
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n\n", "\n\nParagraf tambahan dari redaksi.\n\n", 1)
                       .replace("---\n\n", "---\n\nParagraf pembuka baru.\n\n", 1),
                       encoding="utf-8")
    again = build(corpus, tmp_path / "warm", BuildOptions(cache_dir=cache, jobs=2))
    assert set(again.stats["ran"]) == expected_after_editing(article.stem, "rilis-0001")
    assert again.stats["cache"]["source_misses"] == 1
    assert tree(tmp_path / "warm") == cold(corpus, tmp_path / "cold")


def _edit_front_matter(article: Path, key: str, value: str) -> None:
    lines = article.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    lines[at] = f"{key}: {value}"
    article.write_text("\n".join(lines), encoding="utf-8")


def test_the_web_edition_is_a_task_per_release_and_one_for_its_own_pages(corpus, tmp_path):
    cache = tmp_path / "cache"
    first = build(corpus, tmp_path / "warm", BuildOptions(cache_dir=cache, formats=["html"],
                                                          jobs=2))
    assert sorted(first.stats["ran"]) == ["html", "html rilis-0001", "html rilis-0002"]
    # Each task's CPU time, from the worker process that ran it.
    assert sorted(label for label, _, _ in first.stats["task_cpu"]) == sorted(first.stats["ran"])
    assert all(cpu >= 0 and pid != os.getpid() for _, cpu, pid in first.stats["task_cpu"])
    # A paragraph edited: its release's article pages and the site's own pages.
    article = sorted((corpus / "rilis-0001").glob("*.md"))[0]
    text = article.read_text(encoding="utf-8")
    article.write_text(text.rstrip() + "\n\nParagraf penutup dari redaksi.\n", encoding="utf-8")
    again = build(corpus, tmp_path / "warm", BuildOptions(cache_dir=cache, formats=["html"],
                                                          jobs=2))
    assert sorted(again.stats["ran"]) == ["html", "html rilis-0001"]
    page = (tmp_path / "warm" / article.stem / "index.html").read_text(encoding="utf-8")
    assert "Paragraf penutup dari redaksi." in page
    assert tree(tmp_path / "warm") == cold(corpus, tmp_path / "cold", formats=["html"])


def test_the_web_editions_tasks_share_a_worker_in_a_build_of_every_format(corpus, tmp_path):
    result = build(corpus, tmp_path / "out", BuildOptions(cache=False, jobs=2))
    web = {pid for label, _, pid in result.stats["task_cpu"] if label.split()[0] == "html"}
    assert len(web) == 1 and web != {os.getpid()}
    assert {label for label, _, _ in result.stats["task_cpu"]} >= {
        "html", "html rilis-0001", "html rilis-0002"}


def test_a_new_section_in_one_release_rebuilds_every_page_that_lists_sections(corpus, tmp_path):
    # Every page's navigation lists the sections of the whole publication:
    # the other release's part must not be restored with the old list.
    cache = tmp_path / "cache"
    build(corpus, tmp_path / "warm", BuildOptions(cache_dir=cache, formats=["html"]))
    article = sorted((corpus / "rilis-0001").glob("*.md"))[0]
    _edit_front_matter(article, "section", "Rubrik Baru")
    again = build(corpus, tmp_path / "warm", BuildOptions(cache_dir=cache, formats=["html"]))
    assert sorted(again.stats["ran"]) == ["html", "html rilis-0001", "html rilis-0002"]
    other = next(p for p in sorted((corpus / "rilis-0002").glob("*.md")))
    page = (tmp_path / "warm" / other.stem / "index.html").read_text(encoding="utf-8")
    assert "Rubrik Baru" in page
    assert tree(tmp_path / "warm") == cold(corpus, tmp_path / "cold", formats=["html"])


def test_a_slug_taken_over_by_a_newer_edition_moves_its_page(corpus, tmp_path):
    # The newest edition's copy owns a slug's page (as in the feeds); the older
    # release's part stops writing it, and its neighbours link to the new copy.
    cache = tmp_path / "cache"
    build(corpus, tmp_path / "warm", BuildOptions(cache_dir=cache, formats=["html"]))
    older = sorted((corpus / "rilis-0001").glob("*.md"))[1]
    newer = sorted((corpus / "rilis-0002").glob("*.md"))[0]
    slug = older.stem
    _edit_front_matter(newer, "slug", slug)
    _edit_front_matter(newer, "title", "Judul Edisi Terbaru")
    again = build(corpus, tmp_path / "warm", BuildOptions(cache_dir=cache, formats=["html"]))
    assert sorted(again.stats["ran"]) == ["html", "html rilis-0001", "html rilis-0002"]
    page = (tmp_path / "warm" / slug / "index.html").read_text(encoding="utf-8")
    assert "Judul Edisi Terbaru" in page
    assert tree(tmp_path / "warm") == cold(corpus, tmp_path / "cold", formats=["html"])


def test_per_article_docx_is_its_own_task():
    # The promise: editing one article re-does that article's DOCX,
    # not every DOCX of the release.
    assert isinstance(get_exporter("docx"), ArticleExporter)


def test_options_and_theme_are_part_of_the_key(corpus, tmp_path):
    cache = tmp_path / "cache"
    build(corpus, tmp_path / "a4", BuildOptions(cache_dir=cache, formats=["pdf", "rss"]))
    f4 = build(corpus, tmp_path / "f4", BuildOptions(cache_dir=cache, formats=["pdf", "rss"],
                                                      paper="f4"))
    # Every option that could shape output is in the key (the feed may rerun too).
    assert {"pdf rilis-0001", "pdf rilis-0002"} <= set(f4.stats["ran"])
    assert tree(tmp_path / "f4") == cold(corpus, tmp_path / "f4-cold", formats=["pdf", "rss"],
                                         paper="f4")
    assert tree(tmp_path / "f4") != tree(tmp_path / "a4")
    # A copy of the default theme with one colour changed is another theme.
    from publikasi.themes import builtin_themes_dir

    theme = tmp_path / "mytheme"
    shutil.copytree(builtin_themes_dir() / "default", theme)
    toml = theme / "theme.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("#0b5394", "#7f0000"),
                    encoding="utf-8")
    themed = build(corpus, tmp_path / "themed", BuildOptions(
        cache_dir=cache, formats=["pdf", "rss"], theme=str(theme)))
    assert sorted(themed.stats["ran"]) == ["pdf rilis-0001", "pdf rilis-0002", "rss"]
    again = build(corpus, tmp_path / "themed2", BuildOptions(
        cache_dir=cache, formats=["pdf", "rss"], theme=str(theme)))
    assert again.stats["ran"] == []
    assert_same_tree(tmp_path / "themed", tmp_path / "themed2")


def test_a_changed_picture_with_the_same_name_is_noticed(corpus, tmp_path):
    cache = tmp_path / "cache"
    build(corpus, tmp_path / "out", BuildOptions(cache_dir=cache, formats=["epub"]))
    photo = sorted((corpus / "rilis-0001" / "images").glob("*.jpg"))[0]
    from PIL import Image

    with Image.open(photo) as img:
        img.rotate(180).save(photo, "JPEG", quality=80)
    again = build(corpus, tmp_path / "out", BuildOptions(cache_dir=cache, formats=["epub"]))
    assert again.stats["ran"] == ["epub rilis-0001"]
    assert tree(tmp_path / "out") == cold(corpus, tmp_path / "cold", formats=["epub"])


def test_a_damaged_cache_is_a_miss_not_wrong_bytes(corpus, tmp_path):
    cache = tmp_path / "cache"
    build(corpus, tmp_path / "a", BuildOptions(cache_dir=cache, formats=["pdf", "docx"]))
    blobs = sorted((cache / "v1" / "blobs").rglob("*"))
    blobs = [b for b in blobs if b.is_file()]
    for blob in blobs[::2]:
        blob.write_bytes(blob.read_bytes()[:-10] + b"0123456789")
    for manifest in list((cache / "v1" / "outputs").rglob("*.json"))[:1]:
        manifest.write_text("{not json")
    again = build(corpus, tmp_path / "b", BuildOptions(cache_dir=cache,
                                                        formats=["pdf", "docx"]))
    assert again.stats["ran"], "damaged entries must be rebuilt"
    assert_same_tree(tmp_path / "a", tmp_path / "b")


def test_no_cache_neither_reads_nor_writes(corpus, tmp_path):
    env_cache = tmp_path / "env-cache"
    proc = run_cli("build", corpus, "-o", tmp_path / "out", "--no-cache", "-f", "rss,epub",
                   env={"PUBLIKASI_CACHE_DIR": str(env_cache),
                        "XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert proc.returncode == 0, proc.stderr
    assert not env_cache.exists() and not (tmp_path / "xdg").exists()
    # A filled cache is not read either: --no-cache output equals a build
    # whose cache holds poisoned entries.
    opt = run_cli("build", corpus, "-o", tmp_path / "warm", "--cache-dir", tmp_path / "c",
                  "-f", "rss,epub")
    assert opt.returncode == 0, opt.stderr
    before = tree(tmp_path / "c")
    for manifest in (tmp_path / "c" / "v1" / "outputs").rglob("*.json"):
        manifest.write_text('{"files": [["feed.xml", "%s"]], "warnings": []}' % ("0" * 64))
    poisoned = tree(tmp_path / "c")
    proc = run_cli("build", corpus, "-o", tmp_path / "nc", "--no-cache", "--cache-dir",
                   tmp_path / "c", "-f", "rss,epub")
    assert proc.returncode == 0, proc.stderr
    assert tree(tmp_path / "c") == poisoned != before
    assert_same_tree(tmp_path / "out", tmp_path / "nc")


def test_cache_location_from_option_env_and_xdg(corpus, tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert run_cli("build", corpus, "-o", tmp_path / "o1", "-f", "rss",
                   env=env).returncode == 0
    assert (tmp_path / "xdg" / "publikasi" / "v1" / "outputs").is_dir()
    env["PUBLIKASI_CACHE_DIR"] = str(tmp_path / "env")
    assert run_cli("build", corpus, "-o", tmp_path / "o2", "-f", "rss",
                   env=env).returncode == 0
    assert (tmp_path / "env" / "v1" / "outputs").is_dir()
    assert run_cli("build", corpus, "-o", tmp_path / "o3", "-f", "rss", "--cache-dir",
                   tmp_path / "opt", env=env).returncode == 0
    assert (tmp_path / "opt" / "v1" / "outputs").is_dir()
    assert_same_tree(tmp_path / "o1", tmp_path / "o3")


def test_key_covers_publikasi_version(corpus, tmp_path, monkeypatch):
    from publikasi import cache as cache_mod

    build(corpus, tmp_path / "a", BuildOptions(cache_dir=tmp_path / "c", formats=["rss"]))
    monkeypatch.setattr(cache_mod, "__version__", "99.0")
    cache_mod.environment_key.cache_clear()
    try:
        again = build(corpus, tmp_path / "b", BuildOptions(cache_dir=tmp_path / "c",
                                                            formats=["rss"]))
    finally:
        monkeypatch.undo()
        cache_mod.environment_key.cache_clear()
    assert again.stats["ran"] == ["rss"]
    assert again.stats["cache"]["source_misses"] == 5


def test_a_picture_another_task_rewrites_is_cached_whole(tmp_path, monkeypatch):
    # The feeds and the web edition write the same media/img-*.jpg.  In a
    # build with workers, one task's files are read back for the cache while
    # another task may be writing that picture again: the reader must see the
    # whole picture, not a file truncated for the rewrite (the warm build then
    # restored the cut copy, unlike a cold build).  The interleaving is forced
    # here: the cache reads the file just before the rewrite's first byte.
    import io

    from publikasi.cache import BuildCache
    from publikasi.exporters import Sink
    from publikasi.images import ImageStore

    photo = next(Path(__file__).parent.parent.glob("samples/**/*.jpg"))
    data = ImageStore().prepare(photo, "thumb").data
    rel = "media/img-shared.jpg"
    staging = tmp_path / "staging"
    Sink(staging).write(rel, data)  # the first task (a feed) wrote it ...
    cache = BuildCache(tmp_path / "cache", secret=b"k" * 32)
    real_open = io.open

    class ReadBeforeFirstWrite:
        def __init__(self, fh):
            self.fh, self.read = fh, False

        def write(self, chunk):
            if not self.read:
                self.read = True
                cache.put_output("feed", staging, [rel], [])  # ... and is cached now
            return self.fh.write(chunk)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.fh.__exit__(*exc)

        def __getattr__(self, name):
            return getattr(self.fh, name)

    armed = [True]  # only the rewrite's own file, not the cache's writes

    def interleaving_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        if "w" in mode and armed[0]:
            armed[0] = False
            return ReadBeforeFirstWrite(fh)
        return fh

    monkeypatch.setattr(io, "open", interleaving_open)
    Sink(staging).write(rel, data)  # the web edition writes the same picture
    monkeypatch.undo()
    hit = cache.get_output("feed")
    assert hit is not None
    assert hit[1] == [data]
    assert (staging / rel).read_bytes() == data
