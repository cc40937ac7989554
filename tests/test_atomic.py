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
from publikasi.exporters import registry

FORMATS = list(registry())
SLOW_PLUGIN = '''
import os, time
from pathlib import Path
from publikasi.exporters import Exporter


class SlowExporter(Exporter):
    """Writes a partial file, tells the test it is running, then waits."""

    format = "slowtest"
    scope = "release"

    def export(self, release, ctx):
        ctx.sink.write("slowtest-partial.txt", b"half written")
        Path(os.environ["SLOWTEST_MARKER"]).write_text(str(os.getpid()))
        deadline = time.monotonic() + float(os.environ.get("SLOWTEST_SECONDS", "60"))
        while time.monotonic() < deadline:
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
    for method in ("export", "export_edition", "export_article"):
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
                and "old-" not in str(src):
            calls["n"] += 1
            if calls["n"] == 4:
                raise OSError(28, "No space left on device")
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(atomic.os, "replace", flaky_replace)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["build", "rel", "-o", "out", "--no-cache", "-j", "1"])
    err = capsys.readouterr().err
    assert calls["n"] == 4, "the commit should have moved three files before failing"
    assert code == 1, err
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
    env = dict(slow_env, SLOWTEST_SECONDS="8")
    first = _start(["build", "rel", "-o", "out", "--no-cache", "-j", "1",
                    "-f", "jsonfeed,slowtest"], tmp_path, env)
    _wait_running(Path(env["SLOWTEST_MARKER"]), first)
    started = time.monotonic()
    second = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "jsonfeed",
                     cwd=tmp_path, env={"PYTHONPATH": env["PYTHONPATH"]})
    assert time.monotonic() - started < 30
    assert second.returncode == 2, second.stderr
    errors = parse_stderr(second.stderr)
    assert len(errors) == 1 and errors[0]["file"] == "out", second.stderr
    assert errors[0]["msg"].startswith(
        f"another publikasi build (process {first.pid}) is writing to this folder")
    # The first build was not disturbed and commits its files.
    stdout, stderr = first.communicate(timeout=120)
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
