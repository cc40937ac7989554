"""``publikasi import``: pasted ``.txt`` releases (and edited ``.docx``) -> ``.md`` articles.

Each ``.txt`` file goes through the plain-text reader; every release in it is
written as ``<slug>.md`` (front matter + Markdown, see :mod:`publikasi.mdwriter`)
into ``out`` (default: the current folder).  An existing file is never
overwritten unless ``overwrite`` is set: when its text differs, a unified diff
is reported and the new text goes to ``<slug>.new.md`` beside it.

``.docx`` files are planned by :func:`publikasi.docx_import.plan_docx`.  Every
input is read and planned into one :class:`~publikasi.import_changes.ChangeSet`
before anything is written; the change set is then checked and written as a
whole (see :mod:`publikasi.import_changes`), so a bad input, or a target that
cannot be written, leaves the output folder untouched.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError, Problem, Problems, fail
from .html_import import HTML_SUFFIXES, is_url, read_html_source, with_local_pictures
from .import_changes import ChangeSet, ImportReport
from .mdwriter import write_markdown
from .model import Article
from .readers.common import ReadContext, use_release_yaml_beside
from .regular import read_regular

MAX_TXT_BYTES = 20_000_000


def _release_context(folder: Path, strict: bool, problems: Problems) -> ReadContext:
    """Date, time zone and language from a ``release.yaml`` next to the .txt, if any."""
    ctx = ReadContext(root=folder.resolve(), strict=strict, problems=problems)
    return use_release_yaml_beside(folder, ctx)


def read_txt(path: Path, strict: bool, problems: Problems) -> list[Article]:
    """Decode and read one pasted release file."""
    from .readers.plaintext import decode_bytes, read_plaintext

    raw = read_regular(path, "file", MAX_TXT_BYTES)
    if len(raw) > MAX_TXT_BYTES:
        raise fail(path, f"file is larger than {MAX_TXT_BYTES // 1_000_000} MB")
    ctx = _release_context(path.parent, strict, problems)
    return read_plaintext(decode_bytes(raw, path, problems), path, ctx)


def import_files(files: list[Path] | list[str] | list[Path | str], out: Path | None = None,
                 into: Path | None = None, strict: bool = False, overwrite: bool = False,
                 accept_changes: bool = False, allow_remote: bool = False,
                 force: bool = False) -> ImportReport:
    """Import ``files``; raise :class:`InputError` (nothing written) if any is bad.

    ``into`` names the release folder an edited ``.docx`` came from; for
    ``.txt`` files it is simply the output folder.  ``force`` lets an import
    replace an article by one with another title and mostly another body.
    """
    from .docx_import import plan_docx

    report = ImportReport()
    problems = Problems()
    target_dir = Path(into if into is not None else out if out is not None else Path.cwd())
    planned: list[tuple[Path, Article]] = []
    plans = []
    copies: list[tuple[Path, Path, Path]] = []  # (picture, where it goes, page it is from)
    for name in files:
        if is_url(str(name)) or Path(name).suffix.lower() in HTML_SUFFIXES:
            try:
                for article in read_html_source(str(name), strict, problems, allow_remote):
                    article, needed = with_local_pictures(article, target_dir)
                    copies.extend((src, dest, Path(str(name))) for src, dest in needed)
                    planned.append((Path(str(name)), article))
            except InputError as exc:
                problems.extend(exc)
            continue
        path = Path(name)
        suffix = path.suffix.lower()
        if suffix not in (".txt", ".docx"):
            problems.add(path, f"cannot import {suffix or 'a file without extension'}: "
                         "give .txt (pasted release), .html (saved page), a URL or .docx files")
            continue
        try:
            if suffix == ".docx":
                plans.append(plan_docx(path, out=out, into=into, strict=strict,
                                       accept_changes=accept_changes))
            else:
                for article in read_txt(path, strict, problems):
                    planned.append((path, article))
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
    changes = ChangeSet(target_dir)
    base = target_dir.resolve()
    for src, dest, page in copies:
        changes.put(dest, read_regular(src, "picture"), page)
    for path, article in planned:
        text = write_markdown(article, base)
        changes.place(target_dir / f"{article.slug}.md", text, path, overwrite, report)
    for plan in plans:
        plan.stage(changes, report, overwrite)
    changes.commit(report, force)
    return report


__all__ = ["ImportReport", "Problem", "import_files", "read_txt"]
