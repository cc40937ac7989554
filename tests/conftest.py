"""Shared fixtures: the sample publication built once per test session.

The build runs through the real CLI in a subprocess, so every test that reads
``sample_dist`` also proves that ``publikasi build`` works end to end.  With
pytest-xdist the workers share one build (a file lock guards it).

``PUBLIKASI_TEST_FORMATS=epub,rss`` limits the shared build to some formats
(handy while working on one exporter); CI builds them all.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
PUBLICATION = SAMPLES / "warta-malang"
RELEASES = ["2025-46", "2025-47"]


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict | None = None,
            timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``python -m publikasi ARGS`` and capture its output."""
    full_env = dict(os.environ)
    full_env.pop("SOURCE_DATE_EPOCH", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "publikasi", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=full_env,
                          timeout=timeout)


def _shared_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def _build_once(tmp_path_factory, worker_id: str, name: str, args: list[str]) -> Path:
    shared = _shared_dir(tmp_path_factory, worker_id)
    out = shared / name
    done = shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            proc = run_cli("build", *args, "-o", out)
            (shared / f"{name}.log").write_text(proc.stdout + proc.stderr)
            if proc.returncode != 0:
                pytest.fail(f"building the samples failed ({proc.returncode}):\n{proc.stderr}")
            done.write_text(json.dumps({"stdout": proc.stdout, "stderr": proc.stderr}))
    return out


def _format_args() -> list[str]:
    formats = os.environ.get("PUBLIKASI_TEST_FORMATS", "").strip()
    return ["-f", formats] if formats else []


@pytest.fixture(scope="session")
def sample_dist(tmp_path_factory, worker_id) -> Path:
    """``publikasi build samples/warta-malang -o DIST``: every format of both releases."""
    return _build_once(tmp_path_factory, worker_id, "dist-publication",
                       [str(PUBLICATION), *_format_args()])


@pytest.fixture(scope="session")
def sample_build_log(sample_dist) -> dict:
    """stdout/stderr of the shared sample build (warnings land in stderr)."""
    return json.loads((sample_dist.parent / "dist-publication.done").read_text())


@pytest.fixture(scope="session")
def seed_txt_dist(tmp_path_factory, worker_id) -> Path:
    """The standalone raw release ``samples/rilis-humas.txt`` built into every format."""
    return _build_once(tmp_path_factory, worker_id, "dist-txt",
                       [str(SAMPLES / "rilis-humas.txt"), "--base-url",
                        "https://warta.malangkota.example/berita/", *_format_args()])


@pytest.fixture(scope="session")
def buletin_dist(tmp_path_factory, worker_id) -> Path:
    """The sample publication's web edition, feeds and EPUB in the ``buletin`` theme."""
    return _build_once(tmp_path_factory, worker_id, "dist-web-buletin",
                       [str(PUBLICATION), "-t", "buletin", "-f", "html,feeds,epub"])


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    """pytest-xdist's worker id, or "master" without xdist."""
    if hasattr(request.config, "workerinput"):
        return request.config.workerinput["workerid"]
    return "master"
