"""The build cache may be stale or hostile; a cached build still equals a fresh one.

Stale: a task's key must cover everything its exporter reads (other releases'
articles it links to).  Hostile: a cache folder may be shared or restored
from CI, so every entry is data checked against its digest before use, and
no restored path leaves the output folder.
"""

from __future__ import annotations

from pathlib import Path

import json
import shutil

import pytest
from test_parallel import tree

from publikasi.builder import BuildOptions, build
from publikasi.manifest import MANIFEST_NAME, file_sha256

ARTICLE = """---
title: {title}
date: 2025-11-{day}T09:00:00+07:00
{extra}---
{body}
"""


def write_publication(root: Path, *, dua_title: str = "Dua", dua_extra: str = "") -> Path:
    """Release ``a`` links to ``../b/dua.md`` of release ``b``."""
    (root / "a").mkdir(parents=True, exist_ok=True)
    (root / "b").mkdir(parents=True, exist_ok=True)
    (root / "publication.yaml").write_text(
        "title: Warta\nbase_url: https://warta.example/berita/\n")
    (root / "a" / "release.yaml").write_text("title: Warta A\ndate: 2025-11-10\n")
    (root / "b" / "release.yaml").write_text("title: Warta B\ndate: 2025-11-03\n")
    (root / "a" / "satu.md").write_text(ARTICLE.format(
        title="Satu", day="10", extra="", body="Baca [lihat](../b/dua.md) untuk rinciannya."))
    (root / "b" / "dua.md").write_text(ARTICLE.format(
        title=dua_title, day="03", extra=dua_extra, body="Isi berita dua."))
    return root


def fresh(source: Path, out: Path, formats: list[str] | None = None) -> dict[str, bytes]:
    build(source, out, BuildOptions(cache=False, jobs=1, formats=formats))
    return tree(out)


def pdf_links(path: Path) -> list[str]:
    from pypdf import PdfReader

    found = []
    for page in PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                found.append(str(action["/URI"]))
    return found


@pytest.mark.parametrize("edit, link", [
    ({"dua_extra": "source: https://sumber.example/dua-baru\n"},
     "https://sumber.example/dua-baru"),
    ({"dua_extra": "slug: dua-lain\n"}, "https://warta.example/berita/dua-lain/"),
    ({"dua_title": "Dua Berubah", "dua_extra": "slug: dua\n"},
     "https://warta.example/berita/dua/"),
], ids=["source", "slug", "title"])
def test_cached_rebuild_follows_a_linked_article_of_another_release(tmp_path, edit, link):
    """Issue 10: release a's PDF links to b/dua.md; editing dua.md reaches a.pdf."""
    source = write_publication(tmp_path / "src")
    cache, out = tmp_path / "cache", tmp_path / "out"
    first = build(source, out, BuildOptions(cache_dir=cache, jobs=1))
    assert "https://warta.example/berita/dua/" in pdf_links(out / "a" / "a.pdf")
    assert first.stats["ran"]
    write_publication(source, **edit)
    again = build(source, out, BuildOptions(cache_dir=cache, jobs=1))
    assert "pdf a" in again.stats["ran"]
    assert link in pdf_links(out / "a" / "a.pdf")
    assert tree(out) == fresh(source, tmp_path / "fresh")


def test_unrelated_edit_in_another_release_keeps_the_pdf_cached(tmp_path):
    """The link index a task sees is the part its articles name: editing an
    article nobody links to does not rebuild other releases' editions.  (The
    web edition's part of a release sees every release in outline, since an
    article page shows the site's sections and may show a newer copy's
    title: a title edited anywhere rebuilds it.)"""
    source = write_publication(tmp_path / "src")
    (source / "b" / "tiga.md").write_text(ARTICLE.format(title="Tiga", day="02", extra="slug: tiga\n",
                                                         body="Tiga."))
    cache = tmp_path / "cache"
    build(source, tmp_path / "out", BuildOptions(cache_dir=cache, jobs=1))
    (source / "b" / "tiga.md").write_text(ARTICLE.format(title="Tiga Baru", day="02",
                                                         extra="slug: tiga\n", body="Tiga."))
    again = build(source, tmp_path / "out", BuildOptions(cache_dir=cache, jobs=1))
    assert [label for label in again.stats["ran"] if label.endswith(" a")] == ["html a"], \
        again.stats["ran"]
    assert tree(tmp_path / "out") == fresh(source, tmp_path / "fresh")


# ---------------------------------------------------------------- owned outputs


def test_outputs_of_a_removed_or_renamed_article_go_but_other_formats_and_foreign_files_stay(
        tmp_path):
    source = write_publication(tmp_path / "src", dua_extra="slug: dua\n")
    out = tmp_path / "out"
    build(source, out, BuildOptions(cache=False, jobs=1))
    assert (out / "b" / "docx" / "dua.docx").is_file()
    (out / "catatan.txt").write_text("mine")  # never written by publikasi
    (out / "b" / "docx" / "punya-saya.docx").write_bytes(b"mine too")
    write_publication(source, dua_extra="slug: dua-lain\n")
    # -f pdf makes no Word files, so it removes none.
    only_pdf = build(source, out, BuildOptions(cache=False, jobs=1, formats=["pdf"]))
    assert only_pdf.stats["removed"] == []
    assert (out / "b" / "docx" / "dua.docx").is_file()
    # -f docx owns docx/dua.docx from the first build and no longer writes it.
    again = build(source, out, BuildOptions(cache=False, jobs=1, formats=["docx"]))
    assert again.stats["removed"] == ["b/docx/dua.docx"]
    assert not (out / "b" / "docx" / "dua.docx").exists()
    assert (out / "b" / "docx" / "dua-lain.docx").is_file()
    assert (out / "catatan.txt").read_text() == "mine"
    assert (out / "b" / "docx" / "punya-saya.docx").read_bytes() == b"mine too"
    owned = json.loads((out / MANIFEST_NAME).read_text())["formats"]
    assert "b/docx/dua-lain.docx" in owned["docx"] and "b/docx/dua.docx" not in owned["docx"]
    assert "a/a.pdf" in owned["pdf"]  # kept from the -f pdf build


def test_a_file_edited_since_the_build_is_not_removed(tmp_path):
    source = write_publication(tmp_path / "src", dua_extra="slug: dua\n")
    out = tmp_path / "out"
    build(source, out, BuildOptions(cache=False, jobs=1, formats=["docx"]))
    (out / "b" / "docx" / "dua.docx").write_bytes(b"edited by hand")
    (source / "b" / "dua.md").unlink()
    (source / "b" / "lain.md").write_text(ARTICLE.format(title="Lain", day="03", extra="",
                                                         body="Lain."))
    again = build(source, out, BuildOptions(cache=False, jobs=1, formats=["docx"]))
    assert again.stats["removed"] == []
    assert (out / "b" / "docx" / "dua.docx").read_bytes() == b"edited by hand"


def test_a_hostile_manifest_in_out_removes_nothing_outside(tmp_path):
    """A manifest naming ../x, an absolute path or a path through a symlink
    (with the right sha256) removes nothing."""
    source = write_publication(tmp_path / "src")
    out = tmp_path / "site" / "out"
    victim = tmp_path / "site" / "victim.docx"
    victim.parent.mkdir(parents=True)
    victim.write_bytes(b"precious")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.docx").write_bytes(b"precious")
    build(source, out, BuildOptions(cache=False, jobs=1, formats=["docx"]))
    (out / "link").symlink_to(elsewhere)
    sha = file_sha256(victim)
    (out / MANIFEST_NAME).write_text(json.dumps({"version": 1, "formats": {"docx": {
        "../victim.docx": sha, str(victim): sha, "link/x.docx": sha,
        "a/../../victim.docx": sha, "./../victim.docx": sha}}}))
    again = build(source, out, BuildOptions(cache=False, jobs=1, formats=["docx"]))
    assert again.stats["removed"] == []
    assert victim.read_bytes() == b"precious"
    assert (elsewhere / "x.docx").read_bytes() == b"precious"
    owned = json.loads((out / MANIFEST_NAME).read_text())["formats"]["docx"]
    assert not any(".." in rel or rel.startswith(("/", "link"))
                   for rel in owned)


# ---------------------------------------------------------------- the reader is injected


def test_load_reads_articles_through_the_reader_it_is_given(tmp_path):
    from publikasi import source as source_module
    from publikasi.source import load, load_article_file

    src = write_publication(tmp_path / "src")
    seen = []

    def reader(path, ctx):
        seen.append(path.name)
        return load_article_file(path, ctx)

    pub = load(src, read_article=reader).publication
    assert sorted(seen) == ["dua.md", "satu.md"]
    assert [a.slug for r in pub.releases for a in r.articles] == ["satu", "dua"]
    # A cached build leaves the module alone (nothing is patched in).
    original = source_module.load_article_file
    build(src, tmp_path / "out", BuildOptions(cache_dir=tmp_path / "cache", formats=["rss"]))
    assert source_module.load_article_file is original


# ---------------------------------------------------------------- a poisoned cache


class _RunsCommand:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def _entries(cache: Path, kind: str) -> list[Path]:
    return sorted(p for p in (cache / "v1" / kind).rglob("*") if p.is_file())


def test_a_planted_pickle_never_runs(tmp_path):
    import pickle

    from conftest import PUBLICATION

    cache, marker = tmp_path / "cache", tmp_path / "pwned"
    opts = {"formats": ["epub", "rss"], "jobs": 1}
    build(PUBLICATION, tmp_path / "first", BuildOptions(cache_dir=cache, **opts))
    payload = pickle.dumps(_RunsCommand(marker))
    planted = 0
    for kind in ("sources", "images", "outputs"):
        for entry in _entries(cache, kind):
            entry.write_bytes(payload)
            entry.with_suffix(".pickle").write_bytes(payload)
            planted += 1
    assert planted > 10
    out = tmp_path / "out"
    again = build(PUBLICATION, out, BuildOptions(cache_dir=cache, **opts))
    assert not marker.exists(), "a pickle from the cache was run"
    assert tree(out) == fresh(PUBLICATION, tmp_path / "fresh", opts["formats"])
    assert any("failed verification" in w for w in again.warnings), again.warnings


def test_a_cached_output_naming_paths_outside_out_writes_nothing_there(tmp_path):
    """Even a correctly sealed entry (written with this machine's key) may not
    name ../../x or an absolute path: it is rebuilt."""
    from publikasi.cache import BuildCache

    source = write_publication(tmp_path / "src")
    cache, out = tmp_path / "cache", tmp_path / "site" / "out"
    absolute = tmp_path / "abs" / "y.pdf"
    opts = {"formats": ["pdf", "rss"], "jobs": 1}
    build(source, out, BuildOptions(cache_dir=cache, **opts))
    store = BuildCache(cache)
    sha = store.put_blob(b"%PDF-1.4 planted")
    for entry in _entries(cache, "outputs"):
        key = entry.name.removesuffix(".json")
        store.put_output_bytes(key, [("../../x.pdf", sha), ("../x.pdf", sha),
                                     (str(absolute), sha), ("a/../../../x.pdf", sha)], [])
    again = build(source, out, BuildOptions(cache_dir=cache, **opts))
    assert sorted(again.stats["ran"]) == ["pdf a", "pdf b", "rss"]
    for where in (tmp_path / "x.pdf", tmp_path / "site" / "x.pdf", absolute):
        assert not where.exists(), where
    assert tree(out) == fresh(source, tmp_path / "fresh", opts["formats"])


def test_an_edited_cached_source_does_not_reach_the_feed(tmp_path):
    import feedparser

    source = write_publication(tmp_path / "src")
    cache = tmp_path / "cache"
    opts = {"formats": ["rss"], "jobs": 1}
    build(source, tmp_path / "first", BuildOptions(cache_dir=cache, **opts))
    edited = 0
    for entry in _entries(cache, "sources"):
        data = entry.read_bytes()
        if b"Isi berita dua." in data:
            entry.write_bytes(data.replace(b"Isi berita dua.", b"Isi berita DUA!"))
            edited += 1
    assert edited == 1
    # The feed entry must be rebuilt too: a new build time would do that, so
    # drop the cached feed and let the source entry alone decide its text.
    for entry in _entries(cache, "outputs"):
        entry.unlink()
    out = tmp_path / "out"
    again = build(source, out, BuildOptions(cache_dir=cache, **opts))
    feed = feedparser.parse(str(out / "feed.xml"))
    text = " ".join(e.get("summary", "") + e.get("content", [{}])[0].get("value", "")
                    for e in feed.entries)
    assert "Isi berita dua." in text and "DUA!" not in text
    assert tree(out) == fresh(source, tmp_path / "fresh", opts["formats"])
    assert any("failed verification" in w for w in again.warnings), again.warnings


def test_a_failed_commit_puts_removed_outputs_back(tmp_path, monkeypatch):
    """Removing earlier outputs is part of the journaled commit: undone with it."""
    import os

    from publikasi import atomic

    out, staging = tmp_path / "out", tmp_path / "out" / ".publikasi-tmp-x"
    (out / "docx").mkdir(parents=True)
    (out / "docx" / "lama.docx").write_bytes(b"old")
    (out / "a.pdf").write_bytes(b"old pdf")
    (staging / "docx").mkdir(parents=True)
    (staging / "docx" / "baru.docx").write_bytes(b"new")
    (staging / "a.pdf").write_bytes(b"new pdf")
    real_unlink = os.unlink

    def failing_unlink(path, *args, **kwargs):
        if str(path).endswith("lama.docx"):
            raise OSError(5, "simulated I/O error")
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", failing_unlink)
    with pytest.raises(OSError):
        atomic._commit(staging, out, ["docx/lama.docx"])
    monkeypatch.setattr(os, "unlink", real_unlink)
    assert (out / "docx" / "lama.docx").read_bytes() == b"old"
    assert (out / "a.pdf").read_bytes() == b"old pdf"
    assert not (out / "docx" / "baru.docx").exists()
    shutil.rmtree(staging)  # what the build does after a failed commit; then it goes through
    (staging / "docx").mkdir(parents=True)
    (staging / "docx" / "baru.docx").write_bytes(b"new")
    atomic._commit(staging, out, ["docx/lama.docx"])
    assert not (out / "docx" / "lama.docx").exists()
    assert (out / "docx" / "baru.docx").read_bytes() == b"new"


# ---------------------------------------------------------------- the font cache


def test_a_damaged_font_cache_is_cut_again(tmp_path):
    """Issue 16: a truncated face gave "unpack requires a buffer"; now it is recut."""
    from conftest import run_cli

    from publikasi.exporters.pdf.fonts import cache_dir

    source = write_publication(tmp_path / "src")
    if cache_dir().is_dir():  # start from the faces cut already: cutting all takes long
        shutil.copytree(cache_dir(), tmp_path / "fonts", ignore=shutil.ignore_patterns(".lock"))
    env = {"PUBLIKASI_FONT_CACHE": str(tmp_path / "fonts"), "SOURCE_DATE_EPOCH": "1762732800"}
    first = run_cli("build", source, "-o", tmp_path / "one", "-f", "pdf", "--no-cache", env=env)
    assert first.returncode == 0, first.stderr
    faces = [p for p in sorted((tmp_path / "fonts").rglob("*.ttf")) if "Serif" in p.name][:2]
    assert len(faces) == 2
    faces[0].write_bytes(faces[0].read_bytes()[:1000])  # truncated
    faces[1].write_bytes(b"\0" * faces[1].stat().st_size)  # damaged, same size
    again = run_cli("build", source, "-o", tmp_path / "two", "-f", "pdf", "--no-cache", env=env)
    assert again.returncode == 0, again.stderr
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert all(face.stat().st_size > 1000 for face in faces)


def test_a_task_sees_the_articles_its_links_name_or_all_when_it_asks(tmp_path):
    import datetime as dt

    from publikasi.parallel import BuildState, Task
    from publikasi.source import load

    source = write_publication(tmp_path / "src")
    (source / "b" / "tiga.md").write_text(ARTICLE.format(title="Tiga", day="02", extra="",
                                                         body="Tiga."))
    pub = load(source).publication
    state = BuildState(pub, {}, dt.datetime(2025, 11, 10, tzinfo=dt.UTC), {})
    edition = state.view(Task("pdf", "release", "a"))
    assert [e.slug for e in edition.links.entries] == ["dua"]
    assert [r.slug for r in edition.publication.releases] == ["a"]
    assert edition.links.find("dua.md").url == "https://warta.example/berita/dua/"
    everything = state.view(Task("pdf", "release", "a"), all_links=True)
    assert sorted(e.slug for e in everything.links.entries) == ["dua", "satu", "tiga"]
    article = state.view(Task("docx", "article", "b", "tiga"))
    assert article.links.entries == () and article.release.articles == (article.article,)


def test_library_export_resolves_links_across_releases_without_an_index(tmp_path):
    """exporters.export() without ctx.links: the whole publication is the index."""
    import datetime as dt

    from publikasi.exporters import ExportContext, Sink, export, get_exporter
    from publikasi.images import ImageStore
    from publikasi.source import load
    from publikasi.themes import load_theme

    pub = load(write_publication(tmp_path / "src")).publication
    ctx = ExportContext(theme=load_theme("default"), sink=Sink(tmp_path / "out"),
                        images=ImageStore(), build_time=dt.datetime(2025, 11, 10, tzinfo=dt.UTC),
                        publication=pub)
    export(get_exporter("pdf"), pub, ctx)
    assert "https://warta.example/berita/dua/" in pdf_links(tmp_path / "out" / "a" / "a.pdf")


def test_a_sealed_entry_outside_its_task_or_that_cannot_be_written_is_rebuilt(tmp_path):
    """A file of release a's task named in b/, or a file where a folder must go."""
    from publikasi.cache import BuildCache

    source = write_publication(tmp_path / "src")
    cache, out = tmp_path / "cache", tmp_path / "out"
    opts = {"formats": ["pdf"], "jobs": 1}
    build(source, out, BuildOptions(cache_dir=cache, **opts))
    store = BuildCache(cache)
    sha = store.put_blob(b"%PDF-1.4 planted")
    entries = _entries(cache, "outputs")
    assert len(entries) == 2
    store.put_output_bytes(entries[0].name.removesuffix(".json"), [("zz/x.pdf", sha)], [])
    store.put_output_bytes(entries[1].name.removesuffix(".json"),
                           [("a/q", sha), ("a/q/r.pdf", sha)], [])
    again = build(source, out, BuildOptions(cache_dir=cache, **opts))
    assert sorted(again.stats["ran"]) == ["pdf a", "pdf b"]
    assert tree(out) == fresh(source, tmp_path / "fresh", opts["formats"])


def test_a_fifo_planted_in_the_cache_or_named_as_an_article_never_hangs(tmp_path):
    """A named pipe where a cache entry or an article should be is refused at
    once (opening it for reading would wait for a writer for ever)."""
    import os
    import subprocess
    import sys

    source = write_publication(tmp_path / "src")
    cache = tmp_path / "cache"
    build(source, tmp_path / "first", BuildOptions(cache_dir=cache, jobs=1, formats=["rss"]))
    entries = [p for kind in ("sources", "outputs") for p in _entries(cache, kind)]
    assert entries
    for entry in entries:
        entry.unlink()
        os.mkfifo(entry)
    proc = subprocess.run([sys.executable, "-m", "publikasi", "build", str(source), "-o",
                           str(tmp_path / "out"), "-f", "rss", "-j", "1", "--cache-dir",
                           str(cache)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "feed.xml").read_bytes() == \
        fresh(source, tmp_path / "fresh", ["rss"])["feed.xml"]
    # An article listed in release.yaml that is a FIFO: a clear error, at once.
    (source / "b" / "release.yaml").write_text(
        "title: Warta B\ndate: 2025-11-03\narticles: [dua.md, pipa.md]\n")
    os.mkfifo(source / "b" / "pipa.md")
    proc = subprocess.run([sys.executable, "-m", "publikasi", "build", str(source), "-o",
                           str(tmp_path / "out2"), "-f", "rss", "--cache-dir", str(cache)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "pipa.md" in proc.stderr and "Traceback" not in proc.stderr
