"""Atomic builds: a failed, interrupted or overlapping build leaves OUT exactly as it was.

* Failure injection: every installed exporter in turn is made to fail after
  it has written its files (so the staging folder holds real partial
  output); OUT must hash the same before and after, whether it held a
  previous build or did not exist.
* Signals: a real ``python -m publikasi build`` subprocess is stopped with
  SIGTERM, SIGINT, SIGHUP and a terminal-style Ctrl-C to its process group
  while a slow exporter is running.  The slow exporter is an ordinary plugin
  registered through a fake entry point (a ``*.dist-info`` folder on
  PYTHONPATH), so publikasi itself carries no test hook.
* Lock: a second build into the same folder fails at once with exit 2.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_cli
from safety_support import article, parse_stderr, tree_digest, valid_release, write_tree

from publikasi import atomic, cli
from publikasi.errors import fail
from publikasi.manifest import MANIFEST_NAME
from publikasi.exporters import registry

FORMATS = list(registry())
SLOW_PLUGIN = '''
import os, time
from pathlib import Path
from publikasi.exporters import Exporter, ReleaseExporter


class SlowExporter(Exporter, ReleaseExporter):
    """Writes a partial file, tells the test it is running, then waits."""

    format = "slowtest"

    def export_release(self, release, ctx):
        ctx.sink.write("slowtest-partial.txt", b"half written")
        Path(os.environ["SLOWTEST_MARKER"]).write_text(str(os.getpid()))
        deadline = time.monotonic() + float(os.environ.get("SLOWTEST_SECONDS", "60"))
        # The test lets it go on by creating SLOWTEST_GO (no race with a busy machine).
        go = os.environ.get("SLOWTEST_GO")
        while time.monotonic() < deadline and not (go and Path(go).exists()):
            time.sleep(0.05)
        ctx.sink.write("slowtest.txt", b"done")
'''


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory) -> Path:
    """A real earlier build (version 1 of the source) in every format."""
    root = tmp_path_factory.mktemp("previous")
    write_tree(root, valid_release())
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root / "out"


def _source_v2(root: Path) -> None:
    """Version 2 of the source: one more article, so every output would change."""
    write_tree(root, valid_release({"rel/b.md": article("Berita Kedua", "2025-11-11",
                                                        "Isi berita kedua.")}))


def _copy_previous(previous: Path, dest: Path) -> Path:
    shutil.copytree(previous, dest, symlinks=True)
    return dest


def _assert_no_leftovers(out: Path) -> None:
    if out.exists():
        names = [p.name for p in out.iterdir()]
        assert not [n for n in names if n.startswith(atomic.STAGING_PREFIX)], names
        assert atomic.LOCK_NAME not in names, names


def _exporter_class(name: str) -> type:
    from importlib import import_module

    module, _, attr = registry()[name].partition(":")
    return getattr(import_module(module), attr)


def _inject(monkeypatch, name: str, error: BaseException) -> None:
    """Make exporter ``name`` fail right after it has written its files."""
    cls = _exporter_class(name)
    for method in ("export_release", "export_article", "export_publication"):
        original = getattr(cls, method, None)
        if original is None:
            continue

        def failing(self, *args, _original=original, **kwargs):
            _original(self, *args, **kwargs)
            raise error

        monkeypatch.setattr(cls, method, failing)


# ---------------------------------------------------------------- failure injection


@pytest.mark.parametrize("fmt", FORMATS)
def test_failing_exporter_leaves_previous_build_untouched(fmt, previous_build, tmp_path,
                                                          monkeypatch, capsys):
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    before = tree_digest(out)
    _inject(monkeypatch, fmt, RuntimeError(f"injected failure in {fmt}"))
    monkeypatch.chdir(tmp_path)
    code = cli.main(["build", "rel", "-o", "out", "--no-cache", "-j", "2"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert f"injected failure in {fmt}" in err
    assert tree_digest(out) == before
    _assert_no_leftovers(out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_failing_exporter_does_not_create_missing_output(fmt, tmp_path, monkeypatch, capsys):
    _source_v2(tmp_path)
    _inject(monkeypatch, fmt, fail("rel/a.md", f"injected input problem in {fmt}", 3))
    monkeypatch.chdir(tmp_path)
    code = cli.main(["build", "rel", "-o", "deep/new/out", "--no-cache", "-j", "1"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert [(d["kind"], d["file"], d["line"]) for d in parse_stderr(err)
            if d["kind"] == "error"] == [("error", "rel/a.md", 3)]
    assert not (tmp_path / "deep").exists(), "folders the failed build created must go"


def test_failure_while_committing_rolls_back(previous_build, tmp_path, monkeypatch, capsys):
    """A rename that fails half-way through the commit puts the old files back."""
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    before = tree_digest(out)
    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(src, dst, *a, **kw):
        # Count only the commit's renames: from staging into OUT itself.
        if atomic.STAGING_PREFIX in str(src) and atomic.STAGING_PREFIX not in str(dst) \
                and atomic.JOURNAL_DIR not in str(src):
            calls["n"] += 1
            if calls["n"] == 4:
                raise OSError(28, "No space left on device")
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(atomic.os, "replace", flaky_replace)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["build", "rel", "-o", "out", "--no-cache", "-j", "1"])
    err = capsys.readouterr().err
    assert calls["n"] == 4, "the commit should have moved three files before failing"
    assert code == 2, err
    assert [(d["file"], d["msg"].split(" (")[0]) for d in parse_stderr(err)] == \
        [("out", "no space left on device")]
    assert tree_digest(out) == before
    _assert_no_leftovers(out)


def test_folder_in_the_way_fails_before_anything_moves(previous_build, tmp_path, capsys):
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    (out / "feed.json").unlink()
    (out / "feed.json").mkdir()  # something odd where a file must go
    before = tree_digest(out)
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert [d["file"] for d in parse_stderr(proc.stderr)] == ["out/feed.json"]
    assert tree_digest(out) == before


def test_leftovers_of_a_killed_build_are_swept_by_the_next_success(previous_build, tmp_path):
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    write_tree(out, {f"{atomic.STAGING_PREFIX}dead1234/rel.pdf": b"%PDF half",
                     atomic.LOCK_NAME: "99999\n"})
    # A failing build leaves even these alone ...
    write_tree(tmp_path, {"rel/c.md": article("Rusak", "2025-02-30")})
    before = tree_digest(out)
    assert run_cli("build", "rel", "-o", "out", "--no-cache", cwd=tmp_path).returncode == 2
    assert tree_digest(out) == before
    # ... and a successful one removes them.
    (tmp_path / "rel/c.md").unlink()
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    _assert_no_leftovers(out)
    assert (out / "rel.pdf").read_bytes().startswith(b"%PDF")


def test_lock_file_symlink_is_refused(tmp_path):
    write_tree(tmp_path, valid_release())
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").write_text("precious\n")
    os.symlink("../elsewhere", tmp_path / "out" / atomic.LOCK_NAME)
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "jsonfeed", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "lock file is a symlink" in proc.stderr
    assert (tmp_path / "elsewhere").read_text() == "precious\n"


# ---------------------------------------------------------------- signals and the lock


@pytest.fixture()
def slow_env(tmp_path) -> dict[str, str]:
    """Environment that installs the `slowtest` exporter as a plugin."""
    plug = tmp_path / "plugin"
    write_tree(plug, {
        "slowtest_plugin.py": SLOW_PLUGIN,
        "slowtest_plugin-1.0.dist-info/METADATA":
            "Metadata-Version: 2.1\nName: slowtest-plugin\nVersion: 1.0\n",
        "slowtest_plugin-1.0.dist-info/entry_points.txt":
            "[publikasi.exporters]\nslowtest = slowtest_plugin:SlowExporter\n",
    })
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(plug), env.get("PYTHONPATH")]))
    env["SLOWTEST_MARKER"] = str(tmp_path / "slowtest-running")
    return env


def _start(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "publikasi", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_running(marker: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"build ended early ({proc.returncode}): {proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the slow exporter never started")
        time.sleep(0.05)


SIGNAL_CASES = [
    ("sigterm", signal.SIGTERM, False, "1", 143, "terminated"),
    ("sigterm-workers", signal.SIGTERM, False, "2", 143, "terminated"),
    ("sigint", signal.SIGINT, False, "1", 130, "interrupted"),
    ("ctrl-c-to-group-workers", signal.SIGINT, True, "2", 130, "interrupted"),
    ("sighup", signal.SIGHUP, False, "1", 143, "terminated"),
]


@pytest.mark.parametrize("sig,to_group,jobs,code,word", [c[1:] for c in SIGNAL_CASES],
                         ids=[c[0] for c in SIGNAL_CASES])
def test_signal_mid_build_leaves_previous_outputs(sig, to_group, jobs, code, word,
                                                  previous_build, tmp_path, slow_env):
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    before = tree_digest(out)
    proc = _start(["build", "rel", "-o", "out", "--no-cache", "-j", jobs,
                   "-f", "docx,epub,slowtest,rss"], tmp_path, slow_env)
    _wait_running(Path(slow_env["SLOWTEST_MARKER"]), proc)
    # The staging folder really holds partial output at this moment.
    staged = [p for p in out.glob(f"{atomic.STAGING_PREFIX}*/**/*") if p.is_file()]
    assert any(p.name == "slowtest-partial.txt" for p in staged), staged
    if to_group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stderr
    lines = parse_stderr(stderr)
    assert lines and all(d["kind"] == "error" for d in lines), stderr
    assert word in stderr
    assert stdout == ""
    time.sleep(0.3)  # let terminated workers finish dying before looking
    assert tree_digest(out) == before
    _assert_no_leftovers(out)


def test_sigterm_when_output_did_not_exist(tmp_path, slow_env):
    _source_v2(tmp_path)
    proc = _start(["build", "rel", "-o", "baru/out", "--no-cache", "-j", "1",
                   "-f", "jsonfeed,slowtest"], tmp_path, slow_env)
    _wait_running(Path(slow_env["SLOWTEST_MARKER"]), proc)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert not (tmp_path / "baru").exists()


def test_overlapping_builds_second_fails_fast(previous_build, tmp_path, slow_env):
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    go = tmp_path / "go"
    env = dict(slow_env, SLOWTEST_SECONDS="120", SLOWTEST_GO=str(go))
    first = _start(["build", "rel", "-o", "out", "--no-cache", "-j", "1",
                    "-f", "jsonfeed,slowtest"], tmp_path, env)
    _wait_running(Path(env["SLOWTEST_MARKER"]), first)
    started = time.monotonic()
    second = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "jsonfeed",
                     cwd=tmp_path, env={"PYTHONPATH": env["PYTHONPATH"]})
    go.touch()
    assert time.monotonic() - started < 30
    assert second.returncode == 2, second.stderr
    errors = parse_stderr(second.stderr)
    assert len(errors) == 1 and errors[0]["file"] == "out", second.stderr
    assert errors[0]["msg"].startswith(
        f"another publikasi build (process {first.pid}) is writing to this folder")
    # The first build was not disturbed and commits its files.
    _stdout, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    assert (out / "slowtest.txt").read_bytes() == b"done"
    assert (out / "slowtest-partial.txt").is_file()
    _assert_no_leftovers(out)
    # And the folder is free again.
    third = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "jsonfeed", cwd=tmp_path)
    assert third.returncode == 0, third.stderr


def test_lock_is_released_and_removed_after_success(previous_build, tmp_path):
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "rss", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    _assert_no_leftovers(out)
    assert "Berita Kedua" in (out / "feed.xml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- output_transaction itself


def test_transaction_is_exclusive_within_one_process(tmp_path):
    from publikasi.errors import InputError

    with atomic.output_transaction(tmp_path / "out") as staging:
        (staging / "a.txt").write_text("a")
        with pytest.raises(InputError) as info, atomic.output_transaction(tmp_path / "out"):
            pass
        assert "another publikasi build" in str(info.value)
    assert (tmp_path / "out/a.txt").read_text() == "a"
    _assert_no_leftovers(tmp_path / "out")


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt(),
                                   atomic.BuildInterrupted(signal.SIGTERM)])
def test_transaction_rolls_back_on_any_exception(error, tmp_path):
    out = tmp_path / "a" / "b"
    with pytest.raises(type(error)), atomic.output_transaction(out) as staging:
        (staging / "sub").mkdir()
        (staging / "sub/x.txt").write_text("x")
        raise error
    assert not (tmp_path / "a").exists()


def test_signal_during_commit_waits_for_the_whole_commit(tmp_path, monkeypatch):
    """SIGTERM in the middle of the renames: every file still lands, nothing half-done."""
    out = tmp_path / "out"
    real_replace = os.replace
    sent = []

    def replace_and_signal(src, dst, *a, **kw):
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGTERM)
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(atomic.os, "replace", replace_and_signal)
    with atomic.output_transaction(out) as staging:
        for i in range(5):
            (staging / f"f{i}.txt").write_text(str(i))
    assert sent and sorted(p.name for p in out.iterdir()) == [f"f{i}.txt" for i in range(5)]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handlers restored


def test_signal_during_cleanup_is_raised_afterwards(tmp_path, monkeypatch):
    out = tmp_path / "out"
    real_rmtree = shutil.rmtree
    sent = []

    def rmtree_and_signal(path, *a, **kw):
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)
        return real_rmtree(path, *a, **kw)

    monkeypatch.setattr(atomic.shutil, "rmtree", rmtree_and_signal)
    with pytest.raises(ValueError), atomic.output_transaction(out) as staging:
        (staging / "x").write_text("x")
        raise ValueError("exporter failed")
    assert sent and not out.exists()


# ---------------------------------------------------------------- issue 16: 4, 7, 12, 23


def test_failed_build_leaves_a_neighbours_output_alone(tmp_path, slow_env):
    """`-o new/slow` and `-o new/fast` both need `new/`: the slow one's cleanup keeps new/fast."""
    _source_v2(tmp_path)
    slow = _start(["build", "rel", "-o", "new/slow", "--no-cache", "-j", "1",
                   "-f", "jsonfeed,slowtest"], tmp_path, slow_env)
    _wait_running(Path(slow_env["SLOWTEST_MARKER"]), slow)
    fast = run_cli("build", "rel", "-o", "new/fast", "--no-cache", "-f", "jsonfeed,rss",
                   cwd=tmp_path)
    assert fast.returncode == 0, fast.stderr
    fast_files = tree_digest(tmp_path / "new/fast")
    assert "feed.json" in fast_files
    slow.send_signal(signal.SIGTERM)
    _, stderr = slow.communicate(timeout=60)
    assert slow.returncode == 143, stderr
    assert not (tmp_path / "new/slow").exists()
    assert tree_digest(tmp_path / "new/fast") == fast_files


# A test-only `sitecustomize` on PYTHONPATH wraps os.replace in the build
# process: it counts the commit's renames (staging -> OUT) and, at the chosen
# one, stops there (COMMIT_STOP=pause) or fails it (COMMIT_STOP=fail, then
# pauses at the first rename of the roll-back).  The test then SIGKILLs the
# paused build: a real kill inside the commit window.
COMMIT_WINDOW_SITECUSTOMIZE = '''
import os
if os.environ.get("COMMIT_STOP_AT"):
    import errno, time
    _real_replace = os.replace
    _seen = [0]

    def _pause():
        with open(os.environ["COMMIT_MARKER"], "w") as fh:
            fh.write(str(os.getpid()))
        while True:
            time.sleep(1)

    def _replace(src, dst, *args, **kwargs):
        s, d = os.fspath(src), os.fspath(dst)
        if ".publikasi-tmp-" in s and ".publikasi-tmp-" not in d:
            if ".publikasi-commit" in s:  # the roll-back putting an old file back
                _pause()
            if _seen[0] == int(os.environ["COMMIT_STOP_AT"]):
                if os.environ["COMMIT_STOP"] == "fail":
                    raise OSError(errno.EIO, "injected I/O error")
                _pause()
            _seen[0] += 1
        return _real_replace(src, dst, *args, **kwargs)

    os.replace = _replace
'''


def _kill_in_commit(tmp_path: Path, out: Path, stop: str) -> None:
    hook = tmp_path / "hook"
    write_tree(hook, {"sitecustomize.py": COMMIT_WINDOW_SITECUSTOMIZE})
    marker = tmp_path / "in-commit"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(hook),
                                                                    os.environ.get("PYTHONPATH")])),
               COMMIT_STOP_AT="4", COMMIT_STOP=stop, COMMIT_MARKER=str(marker))
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = _start(["build", "rel", "-o", out.name, "--no-cache", "-j", "1"], tmp_path, env)
    _wait_running(marker, proc)
    proc.kill()  # SIGKILL: no handler, no cleanup
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def _outputs(out: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(out).items()
            if not k.startswith((atomic.STAGING_PREFIX, atomic.LOCK_NAME))}


@pytest.fixture(scope="module")
def v2_reference(tmp_path_factory) -> dict[str, str]:
    """What a whole, uninterrupted build of version 2 writes."""
    root = tmp_path_factory.mktemp("v2ref")
    _source_v2(root)
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-j", "1", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return _outputs(root / "out")


def test_sigkill_in_the_commit_window_is_finished_by_the_next_build(previous_build, v2_reference,
                                                                   tmp_path):
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    old = _outputs(out)
    _kill_in_commit(tmp_path, out, "pause")
    half = _outputs(out)
    # Really half-replaced: some files are version 2 already, some still version 1.
    assert any(half.get(k) == v for k, v in v2_reference.items() if old.get(k) != v)
    assert any(half.get(k) == v for k, v in old.items() if v2_reference.get(k) != v)
    # The next build finishes that commit before anything else, even one that
    # then fails on its own input.
    write_tree(tmp_path, {"rel/c.md": article("Rusak", "2025-02-30")})
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    warnings = [d for d in parse_stderr(proc.stderr) if d["kind"] == "warning"]
    assert warnings and warnings[0]["file"] == "out" and "killed" in warnings[0]["msg"]
    assert _outputs(out) == v2_reference
    assert not list(out.glob(f"{atomic.STAGING_PREFIX}*/{atomic.JOURNAL_DIR}"))
    # and a later good build has nothing left to repair.
    (tmp_path / "rel/c.md").unlink()
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "killed" not in proc.stderr
    assert _outputs(out) == v2_reference
    _assert_no_leftovers(out)


def test_sigkill_during_a_roll_back_is_rolled_back_by_the_next_build(previous_build, tmp_path):
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    old = _outputs(out)
    _kill_in_commit(tmp_path, out, "fail")
    assert _outputs(out) != old  # killed with the roll-back under way
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "rss", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "rolled back" in proc.stderr
    now = _outputs(out)
    assert now.pop("feed.xml") != old["feed.xml"]  # this build's own rss
    old.pop("feed.xml")
    # The record of owned outputs notes the new feed (publikasi.manifest).
    assert now.pop(MANIFEST_NAME) != old.pop(MANIFEST_NAME)
    assert now == old


def _limited(nbytes: int):
    import resource

    def preexec() -> None:
        # Without ignoring SIGXFSZ the limit kills the process; ignored, write() fails
        # with EFBIG, as a full disk fails with ENOSPC.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))

    return preexec


def _run_limited(nbytes: int, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run([sys.executable, "-m", "publikasi", *args], check=False, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600,
                          preexec_fn=_limited(nbytes))


def _assert_disk_full_error(proc: subprocess.CompletedProcess, where: str) -> None:
    assert proc.returncode == 2, proc.stderr
    errors = [d for d in parse_stderr(proc.stderr) if d["kind"] == "error"]
    assert len(errors) == 1, proc.stderr
    assert errors[0]["file"] == where
    assert errors[0]["msg"].startswith("no space left on device"), proc.stderr


def test_disk_full_while_writing_the_lock_leaves_nothing(tmp_path):
    """File size limit 0: even the lock's process id cannot be written."""
    _source_v2(tmp_path)
    proc = _run_limited(0, ["build", "rel", "-o", "baru/out", "--no-cache", "-f", "jsonfeed"],
                        tmp_path)
    _assert_disk_full_error(proc, "baru/out")
    assert not (tmp_path / "baru").exists(), "no new empty output folder, no 0-byte lock"


def test_disk_full_while_writing_the_lock_keeps_the_previous_build(previous_build, tmp_path):
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    before = tree_digest(out)
    proc = _run_limited(0, ["build", "rel", "-o", "out", "--no-cache", "-f", "jsonfeed"],
                        tmp_path)
    _assert_disk_full_error(proc, "out")
    assert tree_digest(out) == before


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_disk_full_in_an_exporter_keeps_the_previous_build(jobs, previous_build, tmp_path):
    """20 kB per file: the feeds fit, the PDF and the EPUB do not."""
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    before = tree_digest(out)
    proc = _run_limited(20_000, ["build", "rel", "-o", "out", "--no-cache", "-j", jobs],
                        tmp_path)
    _assert_disk_full_error(proc, "out")
    assert tree_digest(out) == before


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_lock_naming_a_dead_process_is_rewritten(previous_build, tmp_path, slow_env):
    """A killed build's lock file names a dead process; the next build writes its own id."""
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    dead = _dead_pid()
    (out / atomic.LOCK_NAME).write_text(f"{dead}\n")
    go = tmp_path / "go"
    env = dict(slow_env, SLOWTEST_SECONDS="120", SLOWTEST_GO=str(go))
    first = _start(["build", "rel", "-o", "out", "--no-cache", "-j", "1",
                    "-f", "jsonfeed,slowtest"], tmp_path, env)
    _wait_running(Path(env["SLOWTEST_MARKER"]), first)
    second = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "jsonfeed", cwd=tmp_path)
    go.touch()
    assert second.returncode == 2, second.stderr
    assert f"(process {first.pid})" in second.stderr
    assert str(dead) not in second.stderr
    first.communicate(timeout=120)
    assert first.returncode == 0


def test_lock_held_by_a_leftover_of_a_dead_build_is_taken_over(previous_build, tmp_path):
    """The file names a dead build, but a leftover process still holds the flock."""
    _source_v2(tmp_path)
    out = _copy_previous(previous_build, tmp_path / "out")
    lock = out / atomic.LOCK_NAME
    dead = _dead_pid()
    lock.write_text(f"{dead}\n")
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import fcntl, os, sys, time\n"
                                f"fd = os.open({str(lock)!r}, os.O_RDWR)\n"
                                "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\n"
                                "time.sleep(120)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "jsonfeed", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert str(dead) not in proc.stderr
        assert "Berita Kedua" in (out / "feed.json").read_text(encoding="utf-8")
    finally:
        holder.kill()
        holder.wait()


def test_disk_full_in_import_and_new_writes_nothing(tmp_path):
    write_tree(tmp_path, {"rilis.txt": "KOTA MALANG - Pemerintah kota meresmikan taman.\n\n"
                                       "Isi berita panjang di sini.\n"})
    proc = _run_limited(0, ["import", "rilis.txt", "-o", "md"], tmp_path)
    assert proc.returncode == 2, proc.stderr
    [err] = parse_stderr(proc.stderr)
    assert "no space left on device" in err["msg"], proc.stderr
    assert not (tmp_path / "md").exists() or not any((tmp_path / "md").iterdir())
    proc = _run_limited(0, ["new", "x/baru"], tmp_path)
    _assert_disk_full_error(proc, "x/baru")
    assert not (tmp_path / "x").exists(), "no empty release.yaml, no half-made folder"
