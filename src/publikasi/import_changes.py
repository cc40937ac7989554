"""What an import writes, applied all together or not at all.

``publikasi import`` first plans every input (:mod:`publikasi.importer` for
``.txt``, :mod:`publikasi.docx_import` for Word files) into one
:class:`ChangeSet`; nothing touches the disk until every input has been
read and every planned file checked.  :meth:`ChangeSet.commit` then

1. checks each target: inside the destination folder (a name that came from a
   document can never lead outside it), not a folder or other non-file, not
   planned twice, its folder writable;
2. refuses, unless ``force``, to replace an article by one whose title *and*
   most of whose body differ (a Word file that names another article);
3. writes every new content to a temporary file beside its target, with the
   mode of the file it replaces (the umask's mode for a new file);
4. keeps each file it is about to replace in
   ``RELEASE/.publikasi/history/<name>.<UTC time>.<ext>`` of the release
   folder holding it (``DEST`` when there is none; builds never read folders
   whose name starts with a dot);
5. moves everything into place; if any step fails, what was already moved
   is put back and the temporary files are removed, and the failure is an
   :class:`~publikasi.errors.InputError` (exit 2) naming the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import stage_file
from .errors import Problems, fail
from .regular import not_regular

HISTORY_DIR = Path(".publikasi") / "history"
PROPOSAL_SUFFIX = ".new.md"  # builds skip these (see source.py)
# Below this share of the old body's words kept, an article with a new title
# counts as a different article (see ChangeSet.commit).
SAME_ARTICLE_BODY = 0.5


@dataclass
class ImportReport:
    """What ``import`` did: ``lines`` for stdout, ``warnings`` for stderr."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


@dataclass
class Put:
    """Write ``data`` to ``target``; ``origin`` is the input file it comes from.

    ``refine`` (optional) is called once the files planned before it are in
    place and returns the final text (the Markdown splicer verifies its
    result by reading it back, pictures included); its failure keeps ``data``.
    ``article`` marks a Markdown article, compared with the one it replaces.
    """

    target: Path
    data: bytes
    origin: Path
    refine: Callable[[], bytes] | None = None
    article: bool = False
    old_text: str | None = None  # what the target is, as an article, when not its file text


@dataclass
class Move:
    """Rename ``source`` to ``target`` (a replaced ``.txt`` kept as ``.orig``)."""

    source: Path
    target: Path
    origin: Path


@dataclass
class _Done:
    kind: str  # "created", "replaced", "moved", "dir"
    path: Path
    backup: Path | None = None
    other: Path | None = None


@dataclass
class ChangeSet:
    """Every file one import run writes, in order, inside ``root``."""

    root: Path
    steps: list[Put | Move] = field(default_factory=list)

    def put(self, target: Path, data: bytes, origin: Path, **kw) -> Put:
        key = _real(target)
        for step in self.steps:
            # The same picture extracted from two Word files is stored once.
            if isinstance(step, Put) and step.data == data and _real(step.target) == key:
                return step
        step = Put(target, data, origin, **kw)
        self.steps.append(step)
        return step

    def place(self, target: Path, text: str, origin: Path, overwrite: bool,
              report: ImportReport, old_text: str | None = None) -> Put | None:
        """Plan an article's ``.md``; an existing, different one is kept unless ``overwrite``.

        Without ``overwrite`` the diff goes into the report and the new text
        into ``<name>.new.md`` beside it (builds skip ``*.new.md``).
        """
        if target.is_file() and not overwrite:
            try:
                old = target.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                old = ""
            if old == text:
                report.lines.append(f"unchanged {target}")
                return None
            new = proposal_path(target)
            diff = difflib.unified_diff(old.splitlines(keepends=True),
                                        text.splitlines(keepends=True),
                                        fromfile=str(target), tofile=str(new))
            report.lines.extend(line.rstrip("\n") for line in diff)
            step = self.put(new, text.encode("utf-8"), origin)
            report.warnings.append(f"{target}: exists and differs; wrote {new.name} (review "
                                   "it, then run the import again with --yes to replace "
                                   f"{target.name}; builds skip *.new.md files)")
            return step
        step = self.put(target, text.encode("utf-8"), origin, article=True, old_text=old_text)
        report.lines.append(str(target))
        return step

    def move(self, source: Path, target: Path, origin: Path) -> None:
        self.steps.append(Move(source, target, origin))

    # ------------------------------------------------------------ checks

    def check(self, force: bool = False) -> None:
        """InputError listing every planned write that cannot or must not happen."""
        problems = Problems()
        root = _real(self.root)
        seen: dict[Path, Path] = {}
        for step in self.steps:
            target = step.target
            touched = [target, step.source] if isinstance(step, Move) else [target]
            outside = [p for p in touched if root not in _real(p).parents]
            if outside:
                problems.add(step.origin, f"would write {outside[0]}, outside {self.root}; "
                             "refused")
                continue
            real = _real(target)
            if real in seen:
                problems.add(step.origin, f"{target.name} is also written from {seen[real]}; "
                             "import them one at a time")
                continue
            seen[real] = step.origin
            problem = _target_problem(target)
            if problem:
                problems.add(target, f"{problem}, so {step.origin.name} cannot be written "
                             "there; nothing was written")
                continue
            if isinstance(step, Move):
                continue
            if step.article and not force:
                why = _different_article(step)
                if why:
                    problems.add(step.origin, why)
        problems.raise_if_any()

    # ------------------------------------------------------------ commit

    def commit(self, report: ImportReport, force: bool = False) -> None:
        """Check, then write everything or nothing (see the module docstring)."""
        self.check(force)
        done: list[_Done] = []
        temps: dict[int, Path] = {}
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        current: Path = self.root
        try:
            # 1. stage every content that is known now
            for i, step in enumerate(self.steps):
                if isinstance(step, Put):
                    current = step.target
                    _make_dirs(step.target.parent, done)
                    temps[i] = stage_file(step.target, step.data)
            # 2. move into place, in order
            for i, step in enumerate(self.steps):
                current = step.target
                if isinstance(step, Move):
                    self._backup(step.target, stamp, done)
                    os.replace(step.source, step.target)
                    done.append(_Done("moved", step.target, other=step.source))
                    continue
                if step.refine is not None:
                    refined = step.refine()
                    if refined != step.data:
                        Path(temps.pop(i)).unlink(missing_ok=True)
                        step.data = refined
                        temps[i] = stage_file(step.target, refined)
                if _unchanged(step.target, step.data):
                    Path(temps.pop(i)).unlink(missing_ok=True)
                    continue
                backup = self._backup(step.target, stamp, done)
                os.replace(temps[i], step.target)
                del temps[i]
                done.append(_Done("replaced" if backup else "created", step.target, backup))
        except OSError as exc:
            for tmp in temps.values():
                Path(tmp).unlink(missing_ok=True)
            _undo(done)
            from .atomic import is_disk_full

            why = "no space left on device" if is_disk_full(exc) else exc.strerror or exc
            raise fail(current, f"cannot write: {why}; nothing was written "
                       "(the files this import had begun to write were put back)") from None
        except BaseException:
            for tmp in temps.values():
                Path(tmp).unlink(missing_ok=True)
            _undo(done)
            raise
        for item in done:
            if item.kind in ("created", "replaced"):
                report.written.append(item.path)
        backups = [d.backup for d in done if d.backup is not None]
        homes = sorted({str(b.parent) for b in backups})
        if backups:
            report.lines.append(f"kept the previous version of {len(backups)} file(s) in "
                                f"{', '.join(homes)}")

    def _backup(self, target: Path, stamp: str, done: list[_Done]) -> Path | None:
        """Copy ``target`` into the history folder when it exists; the copy's path."""
        if not target.is_file():
            return None
        home = self._history_home(target)
        history = home / HISTORY_DIR
        _make_dirs(history, done)
        try:
            rel = _real(target).relative_to(_real(home))
            name = "__".join(rel.parts)
        except ValueError:
            name = target.name
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        copy = history / (f"{stem}.{stamp}.{ext}" if ext else f"{stem}.{stamp}")
        if copy.exists():
            digest = hashlib.sha256(target.read_bytes()).hexdigest()[:12]
            copy = copy.with_name(f"{copy.name}.{digest}")
        shutil.copy2(target, copy)
        done.append(_Done("created", copy))
        return copy


    def _history_home(self, target: Path) -> Path:
        """The release folder holding ``target`` (the nearest with a release.yaml), or root."""
        root = _real(self.root)
        folder = _real(target.parent)
        while folder == root or root in folder.parents:
            if (folder / "release.yaml").is_file():
                return folder
            folder = folder.parent
        return self.root


def proposal_path(target: Path) -> Path:
    """Where an import puts the text it did not write over ``target`` (``X.md`` -> ``X.new.md``)."""
    return target.with_name(target.stem + PROPOSAL_SUFFIX)


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _target_problem(target: Path) -> str:
    """Why ``target`` cannot be written: not a file, a file in its path, no permission."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        return f"cannot be checked ({exc.strerror or exc})"
    if mode is not None and not stat.S_ISREG(mode):
        return not_regular(mode, "file")
    folder = target.parent
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    return ""


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())[:20_000]


def _title_and_body(text: str) -> tuple[str, str]:
    """(title, body) of a Markdown article's text, without reading it as a source."""
    import yaml

    m = re.match(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n?(.*)\Z", text, re.DOTALL)
    if not m:
        return "", text
    try:
        meta = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        meta = None
    title = None
    if isinstance(meta, dict):
        title = meta.get("title", meta.get("judul"))  # `judul` is the Indonesian alias
    return (str(title).strip() if title is not None else ""), m.group(2)


def _different_article(step: Put) -> str:
    """A message when ``step`` would replace one article by another, else ""."""
    if step.old_text is not None:
        old = step.old_text
    elif step.target.is_file():
        try:
            old = step.target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""
    else:
        return ""
    old_title, old_body = _title_and_body(old)
    new_title, new_body = _title_and_body(step.data.decode("utf-8", "replace"))
    if not old_title or old_title.casefold() == new_title.casefold():
        return ""
    old_words, new_words = _words(old_body), _words(new_body)
    if not old_words:
        return ""
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    kept = sum(b.size for b in matcher.get_matching_blocks()) / len(old_words)
    if kept >= SAME_ARTICLE_BODY:
        return ""
    return (f"would replace {step.target.name} (\"{_short(old_title)}\") by a different article "
            f"(\"{_short(new_title)}\"; {round((1 - kept) * 100)}% of the body changed); "
            "the Word file may name another article's source: check it, or run again with "
            "--force to replace it anyway")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unchanged(target: Path, data: bytes) -> bool:
    try:
        return target.is_file() and target.stat().st_size == len(data) and \
            target.read_bytes() == data
    except OSError:
        return False


def _make_dirs(folder: Path, done: list[_Done]) -> None:
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        done.append(_Done("dir", path))


def _undo(done: list[_Done]) -> None:
    """Put back what :meth:`ChangeSet.commit` did, newest first (best effort)."""
    for item in reversed(done):
        try:
            if item.kind == "replaced" and item.backup is not None:
                shutil.copy2(item.backup, item.path)
            elif item.kind == "created":
                item.path.unlink(missing_ok=True)
            elif item.kind == "moved" and item.other is not None:
                os.replace(item.path, item.other)
            elif item.kind == "dir":
                item.path.rmdir()
        except OSError:
            pass


__all__ = ["HISTORY_DIR", "PROPOSAL_SUFFIX", "ChangeSet", "ImportReport", "Move", "Put",
           "proposal_path"]
