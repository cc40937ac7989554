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
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
PUBLICATION = SAMPLES / "warta-malang"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
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


# ---------------------------------------------------------------- a real browser
# One headless Chromium per test session (per xdist worker), for every test
# that needs a browser (the web edition, the desk).


def _missing(what: str) -> None:
    if os.environ.get("PUBLIKASI_ALLOW_MISSING_JUDGES"):
        pytest.skip(f"{what} is not installed")
    pytest.fail(f"{what} is not installed; scripts/install-judges installs it")


@pytest.fixture(scope="session")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium (pip)")
    binary = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (Path(binary).is_file() and Path(driver_path).is_file()):
        _missing("chromium and chromium-driver (apt)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--force-device-scale-factor=1",
                "--allow-file-access-from-files"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        _missing("axe-core (npm)")
    return AXE.read_text(encoding="utf-8")


def run_axe(driver, source: str) -> list[dict]:
    driver.execute_script(source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})),"
        " passes: r.passes.length}))"
        ".catch(e => done({error: String(e)}));", WCAG_TAGS)
    assert "error" not in result, result
    assert result["passes"] > 10, "axe-core checked (almost) nothing"
    return result["violations"]
