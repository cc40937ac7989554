"""`-j/--jobs`: parallel builds write exactly the bytes a one-process build writes."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from conftest import PUBLICATION, ROOT, run_cli

from publikasi.errors import InputError, fail
from publikasi.exporters import Exporter, ReleaseExporter


def load_make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus",
                                                  ROOT / "benchmarks" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """7 generated articles in 3 releases: photos, quotes, lists, a table."""
    out = tmp_path_factory.mktemp("corpus")
    load_make_corpus().generate(7, out, seed=3, per_release=3)
    return out / "source"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative path -> bytes), the lock file aside."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".publikasi.lock"}


def assert_same_tree(a: Path, b: Path) -> None:
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb)
    different = [name for name in ta if ta[name] != tb[name]]
    assert different == [], f"files differ between {a.name} and {b.name}: {different}"


def test_jobs_give_byte_identical_outputs(corpus, tmp_path):
    one = run_cli("build", corpus, "-o", tmp_path / "j1", "-j", "1", "--no-cache")
    assert one.returncode == 0, one.stderr
    three = run_cli("build", corpus, "-o", tmp_path / "j3", "-j", "3", "--no-cache")
    assert three.returncode == 0, three.stderr
    assert_same_tree(tmp_path / "j1", tmp_path / "j3")
    # The file list (stdout) and warnings come in the same order too.
    assert one.stdout.replace("/j1/", "/jN/") == three.stdout.replace("/j3/", "/jN/")
    assert one.stderr == three.stderr
    names = tree(tmp_path / "j1")
    releases = sorted(p.name for p in corpus.iterdir() if p.is_dir())
    assert len(releases) == 3
    for release in releases:
        for ext in ("pdf", "epub", "docx"):
            assert f"{release}/{release}.{ext}" in names
    assert {"feed.xml", "atom.xml", "feed.json"} <= set(names)
    assert len([n for n in names if "/docx/" in n]) == 7


def test_parallel_build_of_the_samples_matches_the_shared_build(sample_dist, tmp_path):
    # The shared session build ran with the default -j (all CPUs) and cache.
    proc = run_cli("build", PUBLICATION, "-o", tmp_path / "j1", "-j", "1", "--no-cache",
                   *(["-f", os.environ["PUBLIKASI_TEST_FORMATS"]]
                     if os.environ.get("PUBLIKASI_TEST_FORMATS") else []))
    assert proc.returncode == 0, proc.stderr
    assert_same_tree(sample_dist, tmp_path / "j1")


def _sample_state():
    """The sample publication's build state, every release in the default theme."""
    from publikasi.parallel import BuildState
    from publikasi.repro import build_time
    from publikasi.source import load
    from publikasi.themes import load_theme

    pub = load(PUBLICATION).publication
    theme = load_theme("default")
    return BuildState(pub, {"": theme, **{r.slug: theme for r in pub.releases}},
                      build_time(pub), {})


def test_tasks_follow_the_sequential_order():
    from publikasi.exporters import get_exporter
    from publikasi.parallel import plan_tasks
    state = _sample_state()
    pub = state.publication
    exporters = {name: get_exporter(name) for name in ("pdf", "epub", "rss")}
    labels = [t.label for t in plan_tasks(state, exporters)]
    newest, older = (r.slug for r in pub.releases)
    assert labels == [f"pdf {newest}", f"epub {newest}", f"pdf {older}", f"epub {older}", "rss"]


def test_the_web_editions_own_pages_start_after_its_release_parts():
    # The front and section pages show pictures the release parts prepare:
    # submitted after those (and after every edition), they read them from the
    # pictures the workers share instead of preparing them at the same time.
    from publikasi.exporters import get_exporter
    from publikasi.parallel import _submission_order, plan_tasks
    state = _sample_state()
    pub = state.publication
    exporters = {name: get_exporter(name) for name in ("html", "docx", "rss")}
    tasks = plan_tasks(state, exporters)
    newest, older = (r.slug for r in pub.releases)
    # A release part of the web edition writes at the top of the output folder.
    assert [(t.label, t.prefix) for t in tasks if t.format == "html"] == [
        (f"html {newest}", ""), (f"html {older}", ""), ("html", "")]
    order = [tasks[i].label for i in _submission_order(tasks, list(range(len(tasks))))]

    def articles(release: str) -> list[str]:
        return [t.label for t in tasks if t.kind == "article" and t.release == release]

    # Release by release (a worker reuses what it just made), the site's own
    # pages before the last release's articles, which fill the gaps at the end.
    assert order == ["rss", f"html {newest}", f"docx {newest}", *articles(newest),
                     f"html {older}", f"docx {older}", "html", *articles(older)]


def test_the_web_edition_goes_to_one_worker_unless_it_is_most_of_the_work():
    # With the editions to make, the web edition's tasks are one worker's
    # share: handed over together (one set of templates, its own pages find
    # the parts' pictures in memory).  Alone (-f html) they are spread.
    from publikasi.exporters import get_exporter
    from publikasi.parallel import _submission_order, _units, plan_tasks
    state = _sample_state()
    pub = state.publication

    def units(formats: list[str]) -> list[list[str]]:
        tasks = plan_tasks(state, {name: get_exporter(name) for name in formats})
        order = _submission_order(tasks, list(range(len(tasks))))
        return [[tasks[i].label for i in unit] for unit in _units(state, tasks, order, 2)]

    newest, older = (r.slug for r in pub.releases)
    everything = units(["pdf", "docx", "epub", "html", "rss"])
    assert everything[0] == [f"html {newest}", f"html {older}", "html"]
    assert all(len(unit) == 1 for unit in everything[1:])
    assert units(["html"]) == [[f"html {newest}"], [f"html {older}"], ["html"]]


def test_bad_jobs_value_is_a_usage_error(tmp_path):
    proc = run_cli("build", PUBLICATION, "-o", tmp_path / "x", "-j", "0")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: -j") and "Traceback" not in proc.stderr
    assert not (tmp_path / "x").exists()


class Boom(Exporter, ReleaseExporter):
    """A test exporter that fails for one release, inside a worker process."""

    format = "boom"

    def export_release(self, target, ctx):
        if target.slug.endswith("2"):
            raise fail(target.root / "release.yaml", "boom: this release cannot be built", 3)
        ctx.sink.write(f"{target.slug}.boom", target.title.encode())


def test_a_worker_input_error_is_reported_like_any_other(corpus, tmp_path, monkeypatch):
    from publikasi import exporters
    from publikasi.builder import BuildOptions, build

    monkeypatch.setitem(exporters.BUILTIN, "boom", "test_parallel:Boom")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    with pytest.raises(InputError) as err:
        build(corpus, out, BuildOptions(formats=["boom"], jobs=2, cache=False))
    assert [str(p) for p in err.value.problems] == [
        f"{corpus / 'rilis-0002' / 'release.yaml'}:3: boom: this release cannot be built"]
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    # The same exporter without the failing release works in workers.
    monkeypatch.setattr(Boom, "export_release", lambda self, target, ctx: ctx.sink.write(
        f"{target.slug}.boom", target.title.encode()))
    result = build(corpus, out, BuildOptions(formats=["boom"], jobs=2, cache=False))
    assert result.stats["jobs"] == 2
    assert sorted(p.name for p in out.glob("*/*.boom")) == [
        "rilis-0001.boom", "rilis-0002.boom", "rilis-0003.boom"]


def _processes_mentioning(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            status = (proc / "status").read_text()
        except OSError:
            continue
        if marker.encode() in cmdline and "\nState:\tZ" not in status:
            found.append(int(proc.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see worker processes")
def test_sigterm_during_a_parallel_build_stops_the_workers(corpus, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "interrupted-build-out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.Popen([sys.executable, "-m", "publikasi", "build", str(corpus), "-o",
                             str(out), "-j", "2", "--no-cache"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    # Wait until workers exist (the parent and at least one forked child).
    while len(_processes_mentioning(str(out))) < 2 and proc.poll() is None:
        assert time.monotonic() < deadline, "the build never started its workers"
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the build finished before it could be interrupted")
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    if proc.returncode == 0:
        # On a loaded machine this process may wake up only after the workers
        # were done: the signal then came during the commit, which finishes
        # first by design (a half-committed folder would be worse).
        assert _processes_mentioning(str(out)) == []
        pytest.skip("the signal arrived after the workers had finished")
    assert proc.returncode != 0
    assert "Traceback" not in stderr
    time.sleep(0.5)
    assert _processes_mentioning(str(out)) == [], "worker processes outlived the build"
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


# ---------------------------------------------------------------- progress


def test_no_progress_output_in_a_pipe(corpus, tmp_path):
    # stderr is a pipe here; the build takes seconds, longer than the bar's delay.
    proc = run_cli("build", corpus, "-o", tmp_path / "out", "--no-cache", "-f", "pdf,rss",
                   env={"CI": "", "PUBLIKASI_PROGRESS": "", "TERM": "xterm"})
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stderr and "\r" not in proc.stderr
    assert all(line.startswith("warning: ") for line in proc.stderr.splitlines())


def test_progress_bar_on_a_terminal(corpus, tmp_path):
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    # No delay: on a fast machine the whole build takes less than the usual second.
    env = dict(os.environ, TERM="xterm", COLUMNS="100", PUBLIKASI_PROGRESS_DELAY="0")
    for name in ("CI", "PUBLIKASI_PROGRESS", "SOURCE_DATE_EPOCH"):
        env.pop(name, None)
    proc = subprocess.Popen([sys.executable, "-m", "publikasi", "build", str(corpus), "-o",
                             str(tmp_path / "out"), "--no-cache", "-j", "1"],
                            stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    stdout, _ = proc.communicate(timeout=300)
    os.close(leader)
    assert proc.returncode == 0, seen.decode(errors="replace")
    text = seen.decode(errors="replace")
    assert "publikasi" in text and "/" in text, text[-500:]  # "12/19"-style counter
    assert b"feed.xml" in stdout  # the file list still goes to stdout, not the terminal


def test_progress_object_respects_delay_and_terminal():
    import io

    from publikasi.progress import BuildProgress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Tty()
    with BuildProgress(shown, enabled=True, delay=0) as bar:
        bar.start(3)
        for label in ("pdf a", "epub a", "rss"):
            bar.advance(label)
    assert "3/3" in shown.getvalue() or "2/3" in shown.getvalue()
    quick = Tty()
    with BuildProgress(quick, enabled=True, delay=60) as bar:
        bar.start(3)
        bar.advance("pdf a")
    assert quick.getvalue() == ""
    piped = io.StringIO()
    with BuildProgress(piped, delay=0) as bar:
        bar.start(2)
        bar.advance("pdf a")
    assert piped.getvalue() == ""


def test_progress_delay_from_the_environment(monkeypatch):
    from publikasi.progress import DELAY, BuildProgress

    monkeypatch.setenv("PUBLIKASI_PROGRESS_DELAY", "0")
    assert BuildProgress(enabled=False).delay == 0
    monkeypatch.setenv("PUBLIKASI_PROGRESS_DELAY", "nanti")
    assert BuildProgress(enabled=False).delay == DELAY
