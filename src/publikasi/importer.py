"""``publikasi import``: pasted ``.txt`` releases (and edited ``.docx``) -> ``.md`` articles.

Each ``.txt`` file goes through the plain-text reader; every release in it is
written as ``<slug>.md`` (front matter + Markdown, see :mod:`publikasi.mdwriter`)
into ``out`` (default: the current folder).  An existing file is never
overwritten unless ``overwrite`` is set: when its text differs, a unified diff
is reported and the new text goes to ``<slug>.new.md`` beside it.

All files are read before anything is written, so a bad input leaves the
output folder untouched.

``.docx`` files are read by ``publikasi.docx_import.plan_docx(path, out=,
into=, strict=, accept_changes=)`` together with the ``.txt`` files (a bad
one stops the import before anything is written); the plans are then applied
with ``plan.apply(report, overwrite)``.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Problem, Problems, fail
from .html_import import HTML_SUFFIXES, copy_pictures, is_url, read_html_source, with_local_pictures
from .mdwriter import write_markdown
from .model import Article
from .readers.common import ReadContext, use_release_yaml_beside

MAX_TXT_BYTES = 20_000_000


@dataclass
class ImportReport:
    """What ``import`` did: ``lines`` for stdout, ``warnings`` for stderr."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def _release_context(folder: Path, strict: bool, problems: Problems) -> ReadContext:
    """Date, time zone and language from a ``release.yaml`` next to the .txt, if any."""
    ctx = ReadContext(root=folder.resolve(), strict=strict, problems=problems)
    return use_release_yaml_beside(folder, ctx)


def read_txt(path: Path, strict: bool, problems: Problems) -> list[Article]:
    """Decode and read one pasted release file."""
    from .readers.plaintext import decode_bytes, read_plaintext

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise fail(path, "file not found") from None
    if path.is_dir():
        raise fail(path, "is a folder, expected a .txt file")
    if size > MAX_TXT_BYTES:
        raise fail(path, f"file is larger than {MAX_TXT_BYTES // 1_000_000} MB")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(path, f"cannot read file: {exc.strerror}") from None
    ctx = _release_context(path.parent, strict, problems)
    return read_plaintext(decode_bytes(raw, path, problems), path, ctx)


def _write_atomic(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _docx_importer():
    if importlib.util.find_spec("publikasi.docx_import") is None:
        return None
    return importlib.import_module("publikasi.docx_import").import_docx


def import_files(files: list[Path] | list[str] | list[Path | str], out: Path | None = None,
                 into: Path | None = None, strict: bool = False, overwrite: bool = False,
                 accept_changes: bool = False, allow_remote: bool = False) -> ImportReport:
    """Import ``files``; raise :class:`InputError` (nothing written) if any is bad.

    ``into`` names the release folder an edited ``.docx`` came from; for
    ``.txt`` files it is simply the output folder.
    """
    report = ImportReport()
    problems = Problems()
    target_dir = Path(into if into is not None else out if out is not None else Path.cwd())
    planned: list[tuple[Path, Article]] = []
    docx: list[Path] = []
    copies: list[tuple[Path, Path]] = []
    for name in files:
        if is_url(str(name)) or Path(name).suffix.lower() in HTML_SUFFIXES:
            try:
                for article in read_html_source(str(name), strict, problems, allow_remote):
                    article, needed = with_local_pictures(article, target_dir)
                    copies.extend(needed)
                    planned.append((Path(str(name)), article))
            except InputError as exc:
                problems.extend(exc)
            continue
        path = Path(name)
        suffix = path.suffix.lower()
        if suffix == ".docx":
            docx.append(path)
            continue
        if suffix != ".txt":
            problems.add(path, f"cannot import {suffix or 'a file without extension'}: "
                         "give .txt (pasted release), .html (saved page), a URL or .docx files")
            continue
        try:
            for article in read_txt(path, strict, problems):
                planned.append((path, article))
        except InputError as exc:
            problems.extend(exc)
    if docx and _docx_importer() is None:
        for path in docx:
            problems.add(path, "importing .docx is not available yet")
    plans = []
    if docx and _docx_importer() is not None:
        plan_docx = importlib.import_module("publikasi.docx_import").plan_docx
        for path in docx:
            try:
                plans.append(plan_docx(path, out=out, into=into, strict=strict,
                                       accept_changes=accept_changes))
            except InputError as exc:
                problems.extend(exc)
                problems.warnings.extend(exc.warnings)
    slugs: dict[str, Path] = {}
    for path, article in planned:
        if article.slug in slugs:
            problems.add(path, f"two articles would both be written as {article.slug}.md "
                         f"(also from {slugs[article.slug].name}); change one title")
        slugs[article.slug] = path
    report.warnings.extend(str(w) for w in problems.warnings)
    problems.raise_if_any()

    if target_dir.exists() and not target_dir.is_dir():
        raise fail(target_dir, "output path exists and is not a folder")
    base = target_dir.resolve()
    copy_pictures(copies)
    for path, article in planned:
        text = write_markdown(article, base)
        target = target_dir / f"{article.slug}.md"
        _place(target, text, overwrite, report)

    for plan in plans:
        plan.apply(report, overwrite)
    return report


def _place(target: Path, text: str, overwrite: bool, report: ImportReport) -> None:
    if target.exists() and not overwrite:
        try:
            old = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            old = ""
        if old == text:
            report.lines.append(f"unchanged {target}")
            return
        new = target.with_name(target.stem + ".new.md")
        diff = difflib.unified_diff(old.splitlines(keepends=True), text.splitlines(keepends=True),
                                    fromfile=str(target), tofile=str(new))
        report.lines.extend(line.rstrip("\n") for line in diff)
        _write_atomic(new, text)
        report.written.append(new)
        report.warnings.append(f"{target}: exists and differs; wrote {new.name} "
                               "(use --yes to overwrite)")
        return
    _write_atomic(target, text)
    report.written.append(target)
    report.lines.append(str(target))


__all__ = ["ImportReport", "Problem", "import_files", "read_txt"]
