"""``publikasi import edited.docx``: editors' Word files back into the source.

:func:`import_docx` (called by :func:`publikasi.importer.import_files`) reads
one Word file and writes its article as ``.md`` with front matter:

* **Identity.**  A file publikasi exported names its article in custom
  properties (slug, release, source path, content hash).  With
  ``--into RELEASE`` the article goes back over its source file in that
  release folder (the release must be the one the file came from); with
  ``-o DIR`` it is written to ``DIR/<source name>.md``.  When the rebuilt
  article has the hash the file was exported with, the editor changed
  nothing: the report says "unchanged" and nothing is written.
* **A ``.txt`` source** (a pasted release) is replaced by a ``.md`` of the
  same name: with ``--yes`` the ``.md`` is written and the ``.txt`` is
  renamed ``<name>.txt.orig`` (builds read only ``.md``/``.txt``, so the
  article is not there twice, and nothing is lost); a release.yaml that
  lists the ``.txt`` under ``articles`` is pointed at the ``.md``.
* **Never overwritten silently.**  When the target ``.md`` exists and
  differs, a unified diff is shown and, unless ``overwrite`` (``--yes``),
  the new text goes to ``<name>.new.md`` beside it (builds skip it).  What
  an import replaces is kept in ``.publikasi/history/`` (see
  :mod:`publikasi.import_changes`).
* **Document properties are untrusted.**  A ``publikasi.slug`` is slugified
  again; a ``publikasi.source`` must be a file name inside the release (no
  absolute path, no ``..``, no symlink leading out), or the import fails.
* **Pictures** the editor replaced or added are stored as
  ``images/<sha256-16>.<ext>`` in the destination folder (each content
  once); untouched pictures keep their source path.
* **Tracked changes** make the import fail, listing each (who, what), unless
  ``accept_changes``; **comments** are listed in the report.
* **Word files publikasi never made** get the style mapping plus the
  plain-text reader's heuristics (title, dateline, date, captions, byline)
  and are written as ``<slug>.md``.

Everything is read and checked before anything is written: :func:`plan_docx`
reads, :meth:`DocxPlan.stage` adds the files to write to the run's
:class:`~publikasi.import_changes.ChangeSet`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from ..errors import InputError, Problems, fail
from ..import_changes import ChangeSet, ImportReport, proposal_path
from ..links import LinkIndex
from ..mdwriter import write_markdown
from ..model import Article, Block, Figure, ListBlock, Quote
from ..readers.common import ReadContext
from ..text import slugify
from .package import open_package
from .pictures import Resolved, picture_target
from .reader import Imported, Setting, read_docx

__all__ = ["DocxPlan", "Imported", "Setting", "import_docx", "plan_docx", "read_docx"]


@dataclass
class _ReleaseInfo:
    folder: Path
    slug: str = ""
    publication: str = ""
    date: dt.date | None = None
    timezone: str = "Asia/Jakarta"
    language: str = "id"
    base_url: str = ""
    theme: str = ""
    listed: list[str] = field(default_factory=list)  # release.yaml `articles`, when given


def release_info(folder: Path) -> _ReleaseInfo | None:
    """Settings of the release in ``folder`` (release.yaml + a publication.yaml above it)."""
    from ..readers.common import parse_language, parse_plain_date, parse_timezone, parse_url
    from ..yamlio import load_mapping, read_text_file

    meta = folder / "release.yaml"
    if not meta.is_file():
        return None
    info = _ReleaseInfo(folder=folder)
    pub_file = folder.resolve().parent / "publication.yaml"
    docs = []
    if pub_file.is_file():
        docs.append((pub_file, load_mapping(read_text_file(pub_file, "publication.yaml"),
                                            pub_file)))
        info.publication = slugify(folder.resolve().parent.name)
    docs.append((meta, load_mapping(read_text_file(meta, "release.yaml"), meta)))
    for file, doc in docs:
        data = doc.data
        if data.get("timezone"):
            info.timezone = parse_timezone(data["timezone"], file, doc.line("timezone"))
        if data.get("language"):
            info.language = parse_language(data["language"], file, doc.line("language"))
        if data.get("base_url"):
            info.base_url = parse_url(data["base_url"], file, doc.line("base_url"), "base_url")
        if isinstance(data.get("theme"), str):
            info.theme = data["theme"]
    data = docs[-1][1].data
    if data.get("date") is not None:
        info.date = parse_plain_date(data["date"], meta, docs[-1][1].line("date"))
    info.slug = slugify(str(data.get("slug") or folder.resolve().name))
    if isinstance(data.get("articles"), list):
        info.listed = [str(x) for x in data["articles"]]
    return info


def _link_index(info: _ReleaseInfo | None) -> LinkIndex | None:
    """The articles of the publication the release belongs to, as link targets:
    a Word file links another article at its address, and this maps it back to
    the relative link the source wrote.  None when the source does not load."""
    if info is None:
        return None
    from ..source import load

    folder = info.folder.resolve()
    root = folder.parent if info.publication else folder
    try:
        return LinkIndex.of(load(root).publication)
    except InputError:
        return None


def _peek_properties(path: Path) -> dict[str, str]:
    pkg = open_package(path)
    try:
        return dict(pkg.custom)
    finally:
        pkg.close()


def _checked_source(path: Path, value: str, dest: Path) -> str:
    """``publikasi.source`` as a relative path inside ``dest``; "" when the property is absent.

    The property comes from the document, so it is untrusted: anything but a
    relative ``.md``/``.txt`` path that stays inside the release folder (no
    ``..``, no absolute path, no drive, no symlink that leads out) is an error.
    """
    if not value:
        return ""
    p = PurePosixPath(value)
    bad = ("\\" in value or "\x00" in value or value.startswith("/") or ":" in value
           or any(part in ("..", "", ".") for part in value.split("/")))
    if not bad and p.suffix.lower() not in (".md", ".markdown", ".txt"):
        raise fail(path, f"its publikasi.source property {_shown(value)} does not name a .md or "
                   ".txt article file; refused")
    if not bad:
        root = Path(os.path.realpath(dest))
        real = Path(os.path.realpath(dest / p.as_posix()))
        bad = root not in real.parents
    if bad:
        raise fail(path, f"its publikasi.source property {_shown(value)} is not a file inside "
                   "the release folder (an absolute path, `..` or a symlink that leads out); "
                   "refused — was the Word file tampered with?")
    return p.as_posix()


def _shown(value: str, limit: int = 80) -> str:
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(text)


def _load_original(file: Path, slug: str, ctx: ReadContext) -> Article | None:
    """The article as its source file has it now (for the diff and for exact round trips)."""
    from ..source import load_article_file

    quiet = ReadContext(root=ctx.root, timezone=ctx.timezone, language=ctx.language,
                        release_date=ctx.release_date, extra_roots=ctx.extra_roots)
    try:
        articles = load_article_file(file, quiet)
    except InputError:
        return None
    for article in articles:
        if article.slug == slug:
            return article
    return articles[0] if len(articles) == 1 else None


@dataclass
class DocxPlan:
    """What importing one Word file will write; :meth:`apply` writes it."""

    path: Path
    imported: Imported
    target: Path | None  # the .md to write; None when nothing is to be written
    text: str = ""
    unchanged: bool = False
    txt_source: Path | None = None  # a .txt the .md replaces (--into)
    old_text: str | None = None  # what the .txt reads as in Markdown, for the diff
    pictures: list[Resolved] = field(default_factory=list)
    dest: Path = Path(".")
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    release_yaml: Path | None = None  # to update when the .txt it lists is replaced
    article: Article | None = None
    original: Article | None = None
    ctx: ReadContext | None = None

    def stage(self, changes: ChangeSet, report: ImportReport, overwrite: bool) -> None:
        """Add the files to write to ``changes``; lines and warnings go into ``report``."""
        report.lines.extend(self.lines)
        report.warnings.extend(self.warnings)
        if self.unchanged or self.target is None:
            return
        pending = False
        for pic in self.pictures:
            target = picture_target(self.dest, pic)
            if target is not None:
                changes.put(target, pic.data, self.path)
                pending = True
        if self.txt_source is not None and not self.target.exists():
            self._replace_txt(changes, report, overwrite)
            return
        splice = self.target.is_file() and self.target.suffix == ".md"
        if splice and not pending:
            self.text = self._splice().decode("utf-8")
        step = changes.place(self.target, self.text, self.path, overwrite, report)
        if splice and pending and step is not None and step.target == self.target:
            # The splicer reads its result back, new pictures included: at commit time.
            step.refine = self._splice

    def _splice(self) -> bytes:
        """The edited article written over its ``.md`` changing only what changed.

        Called when the pictures are in place: the splicer reads its result back.
        """
        from .preserve import splice_markdown

        assert self.target is not None
        if self.original is None or self.article is None or self.ctx is None:
            return self.text.encode("utf-8")
        try:
            old = self.target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return self.text.encode("utf-8")
        return splice_markdown(old, self.target.resolve(), self.article, self.original,
                               self.ctx).encode("utf-8")

    def _replace_txt(self, changes: ChangeSet, report: ImportReport, overwrite: bool) -> None:
        txt, target = self.txt_source, self.target
        assert txt is not None and target is not None
        diff = difflib.unified_diff((self.old_text or "").splitlines(keepends=True),
                                    self.text.splitlines(keepends=True),
                                    fromfile=f"{txt} (as Markdown)", tofile=str(target))
        report.lines.extend(line.rstrip("\n") for line in diff)
        if not overwrite:
            new = proposal_path(target)
            changes.put(new, self.text.encode("utf-8"), self.path)
            report.warnings.append(
                f"{txt}: this pasted release is the article's source; wrote {new.name} — "
                f"review it, then run again with --yes to replace {txt.name} by {target.name} "
                f"({txt.name} is then kept as {txt.name}.orig; builds skip *.new.md files)")
            return
        changes.put(target, self.text.encode("utf-8"), self.path, article=True,
                    old_text=self.old_text)
        kept = txt.with_name(txt.name + ".orig")
        n = 2
        while kept.exists():
            kept = txt.with_name(f"{txt.name}.orig{n}")
            n += 1
        changes.move(txt, kept, self.path)
        report.lines.append(f"{target} (replaces {txt.name}, which is kept as {kept.name}: "
                            "builds no longer read it)")
        if self.release_yaml is not None:
            self._relist(changes, report, txt.name, target.name)

    def _relist(self, changes: ChangeSet, report: ImportReport, old: str, new: str) -> None:
        meta = self.release_yaml
        assert meta is not None
        text = meta.read_text(encoding="utf-8")
        pattern = re.compile(rf"^(\s*-\s*['\"]?){re.escape(old)}(['\"]?\s*(?:#.*)?)$",
                             re.MULTILINE)
        if len(pattern.findall(text)) == 1:
            changes.put(meta, pattern.sub(rf"\g<1>{new}\g<2>", text).encode("utf-8"), self.path)
            report.lines.append(f"{meta}: `articles` now lists {new} instead of {old}")
        else:
            report.warnings.append(f"{meta}: `articles` lists {old}; change it to {new}")


def plan_docx(path: Path, *, out: Path | None = None, into: Path | None = None,
              strict: bool = False, accept_changes: bool = False) -> DocxPlan:
    """Read ``path`` and decide what to write; InputError if the file cannot be imported."""
    from ..exporters.docx.properties import article_hash

    path = Path(path)
    dest = Path(into if into is not None else out if out is not None else Path.cwd())
    if dest.exists() and not dest.is_dir():
        raise fail(dest, "output path exists and is not a folder")
    if into is not None and not dest.is_dir():
        raise fail(dest, "--into must name the release folder the Word file came from")
    props = _peek_properties(path)
    kind = props.get("publikasi.kind", "")
    if into is not None and kind == "article":
        dest = _release_folder(dest, props.get("publikasi.release", ""))
    info = release_info(dest) if dest.is_dir() else None
    problems = Problems()
    ctx = ReadContext(root=dest.resolve() if dest.exists() else dest.absolute(),
                      timezone=info.timezone if info else "Asia/Jakarta",
                      language=info.language if info else "id",
                      release_date=info.date if info else None, strict=strict,
                      problems=problems)
    slug = slugify(props.get("publikasi.slug", ""))
    source = _checked_source(path, props.get("publikasi.source", ""), dest)
    lines: list[str] = []
    if kind == "article" and into is not None:
        _check_identity(path, source, props, info, dest)
    target: Path | None = None
    txt_source: Path | None = None
    original: Article | None = None
    if kind == "article":
        stem_name = PurePosixPath(source).with_suffix(".md").as_posix() if source \
            else f"{slug or 'artikel'}.md"
        if into is not None:
            target = dest / stem_name
            if source and source.lower().endswith(".txt"):
                txt = dest / source
                if txt.is_file():
                    txt_source = txt
                    original = _load_original(txt, slug, ctx)
            if source and not (dest / source).is_file():
                lines.append(f"  note: the source {source} is not in {dest}; the article is "
                             f"written as {stem_name}")
        else:
            target = dest / PurePosixPath(stem_name).name
        if original is None and target.is_file():
            original = _load_original(target, slug, ctx)
    theme = None
    if info is not None and info.theme and "/" not in info.theme:
        from ..themes import load_theme

        try:
            theme = load_theme(info.theme)
        except InputError:
            theme = None
    setting = Setting(base=ctx.root, ctx=ctx, base_url=info.base_url if info else "",
                      theme=theme, original=original, accept_changes=accept_changes,
                      links=_link_index(info))
    try:
        imported = read_docx(path, setting)
    except InputError as exc:
        # Problems the readers collected before the fatal one belong in the report too.
        raise InputError([*problems.items, *exc.problems],
                         [*problems.warnings, *exc.warnings]) from None
    problems.raise_if_any()
    article = imported.article
    warnings = [str(w) for w in problems.warnings]
    unchanged = False
    if target is None:
        target = dest / f"{article.slug}.md"
    if imported.from_publikasi and props.get("publikasi.hash") and \
            (target.is_file() or txt_source is not None):
        # Unchanged only counts when the source is there to keep: importing into an
        # empty folder always writes the article.
        unchanged = article_hash(article, ctx.root) == props["publikasi.hash"]
    plan = DocxPlan(path=path, imported=imported, target=target, unchanged=unchanged,
                    txt_source=txt_source, dest=dest, warnings=warnings)
    header = f"{path}: article {article.slug}"
    if imported.from_publikasi and props.get("publikasi.release"):
        header += f" (release {props['publikasi.release']})"
    if not imported.from_publikasi:
        header += " (a Word file publikasi did not make: read with the plain-text heuristics)"
    if unchanged:
        plan.lines.append(f"{header}: unchanged since it was exported; nothing written")
    else:
        article, pictures = _materialise(article, imported.pictures, dest)
        plan.pictures = pictures
        plan.article, plan.original, plan.ctx = article, original, ctx
        plan.text = write_markdown(article, target.parent.resolve() if target.parent.exists()
                                   else target.parent.absolute())
        plan.lines.append(f"{header} -> {target}")
        if txt_source is not None and original is not None:
            plan.old_text = write_markdown(original, target.parent.resolve())
        if txt_source is not None and info is not None and txt_source.name in info.listed:
            plan.release_yaml = dest / "release.yaml"
    plan.lines.extend(lines)
    for change in imported.accepted:
        plan.lines.append(f"  accepted tracked change by {change.author}: {change.what}")
    for note in imported.notes:
        plan.lines.append(f"  note: {note}")
    for c in imported.comments:
        when = c.date[:10] if c.date else ""
        extra = ", ".join(x for x in (when, "resolved" if c.resolved else "") if x)
        on = f' on "{c.anchor}"' if c.anchor else ""
        plan.lines.append(f"  comment by {c.author}" + (f" ({extra})" if extra else "")
                          + f'{on}: "{c.text}"')
    if imported.comments:
        plan.warnings.append(f"{path}: {len(imported.comments)} comment(s) by editors are "
                             "listed in the report; comments are not imported into the article")
    return plan


def _release_folder(dest: Path, release: str) -> Path:
    """``--into`` a publication folder means its release the Word file came from."""
    if (dest / "release.yaml").is_file() or not (dest / "publication.yaml").is_file():
        return dest
    for sub in sorted(p for p in dest.iterdir() if (p / "release.yaml").is_file()):
        info = release_info(sub)
        if info is not None and info.slug == release:
            return sub
    raise fail(dest, f"this publication has no release {release!r}, the one the Word file "
               "came from")


def _check_identity(path: Path, source: str, props: dict[str, str], info: _ReleaseInfo | None,
                    dest: Path) -> None:
    if info is None:
        # A one-file source (`publikasi build article.md`) has no release.yaml: the
        # folder holding that file is the "release".
        if source and (dest / source).is_file():
            return
        raise fail(dest, "is not a release folder (no release.yaml) and does not hold the "
                   f"article's source {source or '(unknown)'}; --into needs the folder the "
                   "Word file came from")
    release = props.get("publikasi.release", "")
    if release and release != info.slug:
        raise fail(path, f"was exported from release {release!r}, but --into names release "
                   f"{info.slug!r} ({dest}); give the release folder it came from")
    publication = props.get("publikasi.publication", "")
    if publication and info.publication and publication != info.publication:
        raise fail(path, f"belongs to publication {publication!r}, not {info.publication!r}")


def _materialise(article: Article, pictures: dict[Path, Resolved], dest: Path
                 ) -> tuple[Article, list[Resolved]]:
    """Kept pictures whose file is not at hand, and new pictures, become extracted files."""
    to_write: dict[str, Resolved] = {}
    root = dest.resolve() if dest.exists() else dest.absolute()

    def fix(fig: Figure) -> Figure:
        res = pictures.get(fig.src) if fig.src is not None else None
        if res is None:
            return fig
        if res.kept is not None and res.kept.is_file():
            return fig
        if not res.data:
            return fig
        to_write[res.extracted_name()] = res
        return replace(fig, src=root / res.extracted_name())

    def block(b: Block) -> Block:
        if isinstance(b, Figure):
            return fix(b)
        if isinstance(b, ListBlock):
            return replace(b, items=tuple(tuple(block(x) for x in item) for item in b.items))
        if isinstance(b, Quote):
            return replace(b, blocks=tuple(block(x) for x in b.blocks))
        return b

    article = replace(article, blocks=tuple(block(b) for b in article.blocks),
                      image=fix(article.image) if article.image else None)
    return article, list(to_write.values())


def import_docx(path: Path, *, out: Path | None = None, into: Path | None = None,
                strict: bool = False, overwrite: bool = False,
                accept_changes: bool = False, force: bool = False) -> ImportReport:
    """Import one Word file (see the module docstring); the report lists what happened."""
    plan = plan_docx(path, out=out, into=into, strict=strict, accept_changes=accept_changes)
    report = ImportReport()
    changes = ChangeSet(plan.dest)
    plan.stage(changes, report, overwrite)
    changes.commit(report, force)
    return report
