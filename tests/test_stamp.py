"""Up-to-date stamps: a rebuild with nothing changed answers before loading anything,
and every change of an input, an option, the environment or an output builds for real.

Whether the fast path was taken is read from the process itself: the modules
it imported (no exporter, no reportlab, python-docx or Jinja2) and the note
line it prints; never from timings.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import feedparser
import pytest
from conftest import PUBLICATION

from publikasi import stamp
from publikasi.builder import BuildOptions, _build

HEAVY = ("publikasi.exporters", "publikasi.source", "reportlab", "docx", "jinja2", "ebooklib")

# Runs the CLI in a fresh interpreter and reports, after its own output, which
# heavy modules it imported.
PROBE = """
import sys
import time
import zipfile
from publikasi.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"reportlab", "docx", "jinja2",
               "ebooklib"} or m.startswith(("publikasi.exporters", "publikasi.source")))
print("HEAVY=" + ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""

UP_TO_DATE = "up to date, nothing rebuilt"

RELEASE = """\
title: Warta Uji
date: 2025-11-10
base_url: https://uji.example/berita/
publisher:
  name: Kantor Uji
  warna: biru
"""

ARTICLE = """\
---
title: {title}
date: 2025-11-{day:02d}T09:00:00+07:00
dateline: Klojen
---
{body}
"""


class Run:
    def __init__(self, proc: subprocess.CompletedProcess) -> None:
        self.code = proc.returncode
        lines = proc.stderr.splitlines()
        heavy = [ln for ln in lines if ln.startswith("HEAVY=")]
        assert heavy, proc.stderr
        self.heavy = [m for m in heavy[-1][len("HEAVY="):].split(",") if m]
        self.stderr = [ln for ln in lines if not ln.startswith("HEAVY=")]
        self.stdout = proc.stdout

    @property
    def fast(self) -> bool:
        noted = any(UP_TO_DATE in ln for ln in self.stderr)
        # The note and the imports must agree: a note after a real build, or a
        # build that skipped but loaded, would both be bugs.
        assert noted == (not self.heavy), (self.stderr, self.heavy)
        return noted

    @property
    def warnings(self) -> list[str]:
        return [ln for ln in self.stderr if ln.startswith("warning:")]


def cli(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    full = dict(os.environ)
    full.pop("SOURCE_DATE_EPOCH", None)
    full.update(env or {})
    proc = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], capture_output=True,
                          text=True, env=full, cwd=cwd, timeout=600)
    return Run(proc)


def make_release(folder: Path, n: int = 3) -> Path:
    folder.mkdir(parents=True)
    (folder / "release.yaml").write_text(RELEASE, encoding="utf-8")
    for i in range(1, n + 1):
        write_article(folder / f"berita-{i}.md", f"Berita nomor {i}", i,
                      f"Warga kelurahan ke-{i} menggelar kerja bakti pada Minggu pagi.")
    return folder


def write_article(path: Path, title: str, day: int, body: str) -> None:
    path.write_text(ARTICLE.format(title=title, day=day, body=body), encoding="utf-8")


@pytest.fixture
def setup(tmp_path):
    src = make_release(tmp_path / "src")
    out, cache = tmp_path / "out", tmp_path / "cache"

    def build(*extra: str | Path, env: dict[str, str] | None = None) -> Run:
        return cli("build", src, "-o", out, "--cache-dir", cache, "-f", "rss,epub", *extra,
                   env=env)

    return src, out, cache, build


def files_state(out: Path) -> dict[str, tuple[int, int, bytes]]:
    return {str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(out.rglob("*")) if p.is_file()}


def feed_titles(out: Path) -> list[str]:
    return sorted(e.title for e in feedparser.parse((out / "feed.xml").read_bytes()).entries)


def feed_text(out: Path) -> str:
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    return " ".join(e.get("summary", "") + " ".join(c.value for c in e.get("content", []))
                    for e in parsed.entries)


def test_a_rebuild_with_nothing_changed_loads_nothing_and_says_the_same(setup):
    _, out, _, build = setup
    first = build()
    assert first.code == 0 and not first.fast
    assert first.warnings, "the test source is meant to warn (unknown publisher key)"
    assert any("warna" in w for w in first.warnings)
    before = files_state(out)
    second = build()
    assert second.code == 0 and second.fast
    assert second.warnings == first.warnings
    assert second.stdout == first.stdout and "feed.xml" in second.stdout
    assert files_state(out) == before  # not a file touched
    assert build().fast  # and again


def test_an_edit_that_keeps_size_and_times_is_seen(setup):
    src, out, _, build = setup
    assert not build().fast
    article = src / "berita-2.md"
    st = article.stat()
    text = article.read_text(encoding="utf-8")
    edited = text.replace("kerja bakti", "kerja keras")
    assert len(edited.encode()) == len(text.encode()) and edited != text
    article.write_text(edited, encoding="utf-8")
    os.utime(article, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert article.stat().st_size == st.st_size and article.stat().st_mtime_ns == st.st_mtime_ns
    run = build()
    assert run.code == 0 and not run.fast
    assert "kerja keras" in feed_text(out)
    assert build().fast


def test_added_and_removed_articles_are_built(setup):
    src, out, _, build = setup
    build()
    write_article(src / "berita-baru.md", "Berita tambahan", 9, "Pasar malam dibuka lagi.")
    assert not build().fast
    assert "Berita tambahan" in feed_titles(out)
    assert build().fast
    (src / "berita-1.md").unlink()
    assert not build().fast
    assert "Berita nomor 1" not in feed_titles(out)
    # A file no build reads still counts: the folder's listing is an input.
    (src / "catatan.bin").write_bytes(b"x")
    assert not build().fast
    assert build().fast
    # What a version-control tool does inside its own folder does not count.
    (src / ".git").mkdir()
    assert not build().fast  # the folder's listing changed
    (src / ".git" / "index").write_bytes(b"changed by git status")
    assert build().fast


def test_a_removed_or_altered_output_is_rebuilt(setup):
    _, out, _, build = setup
    build()
    good = files_state(out)
    epub = next(out.glob("*.epub"))
    epub.unlink()
    assert not build().fast
    assert epub.read_bytes() == good[epub.name][2]
    assert build().fast
    feed = out / "feed.xml"
    st = feed.stat()
    data = feed.read_bytes()
    feed.write_bytes(data.replace(b"Berita", b"BERITA", 1))
    os.utime(feed, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert feed.stat().st_size == st.st_size
    assert not build().fast
    assert feed.read_bytes() == data


def test_options_theme_and_environment_are_inputs(setup, tmp_path):
    src, out, cache, build = setup
    build()
    assert not build("-t", "buletin").fast
    assert build("-t", "buletin").fast
    assert not build().fast
    assert not build("--strict").fast
    # -j never changes a byte: the stamp does not depend on it.
    assert build("--strict", "-j", "1").fast
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert not build("--strict", env=epoch).fast
    with zipfile.ZipFile(next(out.glob("*.epub"))) as epub:
        assert {info.date_time[:3] for info in epub.infolist()} == {(2023, 11, 14)}
    assert build("--strict", env=epoch).fast
    assert not build("--strict").fast
    # Another output folder has its own stamp; --no-cache reads and writes none.
    assert not cli("build", src, "-o", tmp_path / "other", "--cache-dir", cache,
                   "-f", "rss,epub", "--strict").fast
    assert build("--strict").fast
    # A --no-cache build rewrites OUT without a stamp: the next one builds again.
    assert not build("--strict", "--no-cache").fast
    assert not build("--strict").fast
    assert build("--strict").fast


def test_a_theme_folder_outside_the_source_is_an_input(setup, tmp_path):
    _, _, _, build = setup
    theme = tmp_path / "tema"
    theme.mkdir()
    (theme / "theme.toml").write_text('inherits = "default"\ndescription = "uji"\n')
    assert build("-t", theme).code == 0
    assert build("-t", theme).fast
    (theme / "theme.toml").write_text('inherits = "buletin"\ndescription = "uji"\n')
    assert not build("-t", theme).fast


def stamp_files(cache: Path) -> list[Path]:
    return sorted((cache / "v1" / "stamps").rglob("*.json"))


def test_a_tampered_or_foreign_stamp_means_a_full_build(setup):
    _, _, cache, build = setup
    build()
    (path,) = stamp_files(cache)
    sealed = path.read_bytes()
    mac, _, body = sealed.partition(b"\n")
    data = json.loads(body)
    # Claim the outputs are what they are now, with another warning: sealed
    # without the key, it must not be believed.
    data["warnings"] = ["warning: planted"]
    path.write_bytes(mac + b"\n" + json.dumps(data, separators=(",", ":")).encode())
    run = build()
    assert not run.fast and "planted" not in "".join(run.stderr)
    assert build().fast
    # A stamp sealed with another machine's key is not ours.
    foreign = build(env={"PUBLIKASI_CACHE_KEY": "k" * 64})
    assert not foreign.fast
    path.write_bytes(b"garbage")
    assert not build().fast


def test_no_cache_writes_no_stamp(tmp_path):
    src = make_release(tmp_path / "src")
    cache = tmp_path / "cache"
    for _ in range(2):
        run = cli("build", src, "-o", tmp_path / "out", "--cache-dir", cache, "-f", "rss",
                  "--no-cache")
        assert run.code == 0 and not run.fast
    assert not cache.exists()


def test_a_failing_build_is_never_skipped(setup):
    src, _, _, build = setup
    build()
    (src / "berita-3.md").write_text("---\ntitle: tanpa tanggal\n---\nIsi.\n", encoding="utf-8")
    for _ in range(2):
        run = build()
        assert run.code == 2 and not run.fast
        assert any(ln.startswith("error: ") for ln in run.stderr)


def test_out_inside_the_source_folder(tmp_path):
    src = make_release(tmp_path / "src")
    args = ("build", ".", "-o", "dist", "--cache-dir", tmp_path / "cache", "-f", "rss")
    assert not cli(*args, cwd=src).fast
    run = cli(*args, cwd=src)
    assert run.fast and "dist/feed.xml" in run.stdout


def test_a_lone_file_and_its_picture(tmp_path):
    folder = tmp_path / "lepas"
    (folder / "images").mkdir(parents=True)
    shutil.copy(PUBLICATION / "images" / "logo.png", folder / "images" / "foto.png")
    article = folder / "rilis.md"
    write_article(article, "Rilis lepas", 3, "![Foto kegiatan](images/foto.png)\n\nIsi rilis.")
    args = ("build", article, "-o", tmp_path / "out", "--cache-dir", tmp_path / "cache",
            "-f", "epub", "--base-url", "https://uji.example/")
    assert not cli(*args).fast
    assert cli(*args).fast
    (folder / "images" / "foto.png").write_bytes((folder / "images" / "foto.png").read_bytes())
    assert not cli(*args).fast
    (folder / "release.yaml").write_text(RELEASE, encoding="utf-8")
    assert not cli(*args).fast


def test_an_input_that_changes_during_the_build_gives_no_stamp(tmp_path):
    src = make_release(tmp_path / "src")
    out = tmp_path / "out"
    asked = dict(formats=["rss"], theme=None, paper=None, jobs=1, cache=True,
                 cache_dir=tmp_path / "cache", strict=False, base_url=None, allow_remote=False)
    recorder = stamp.recorder(src, out, asked)
    assert recorder is not None
    result = _build(src, out, BuildOptions(**asked), recorder)
    # Saved after the build read it, before the stamp is written.
    write_article(src / "berita-1.md", "Berita nomor 1", 1, "Isi yang disimpan belakangan.")
    recorder.finish(result.warnings, result.files, transient=False)
    assert stamp.check(src, out, asked) is None
    # The same steps without the edit do give a stamp (the check above can fail).
    recorder = stamp.recorder(src, out, asked)
    assert recorder is not None
    result = _build(src, out, BuildOptions(**asked), recorder)
    recorder.finish(result.warnings, result.files, transient=False)
    hit = stamp.check(src, out, asked)
    assert hit is not None and hit.files == [str(p) for p in result.files]


def test_a_touched_folder_on_sys_path_costs_one_slow_check(tmp_path):
    """The code's state (publikasi's files, the folders on sys.path) stands in for
    hashing publikasi's code; when it differs but the code is the same, the check
    says up to date and records the new state."""
    src = make_release(tmp_path / "src")
    here = tmp_path / "here"  # the current folder is sys.path[0] of `python -c`
    here.mkdir()
    cache = tmp_path / "cache"
    args = ("build", src, "-o", tmp_path / "out", "--cache-dir", cache, "-f", "rss")
    cli(*args, cwd=here)
    (path,) = stamp_files(cache)
    sealed = path.read_bytes()
    assert cli(*args, cwd=here).fast
    assert path.read_bytes() == sealed
    (here / "catatan.txt").write_text("x")
    time.sleep(0.1)  # past a timestamp tick, so the folder's new time is not racy
    assert cli(*args, cwd=here).fast
    rewritten = path.read_bytes()
    assert rewritten != sealed
    assert cli(*args, cwd=here).fast
    assert path.read_bytes() == rewritten
