"""Build orchestration: source -> model -> exporters -> files, atomically.

Every exporter writes into a private staging folder inside the output folder.
Only when every requested format has succeeded are the files renamed into
place; on any error, interruption or signal the staging folder is removed
and the output folder is left exactly as it was.  A lock on the output folder
keeps two overlapping builds (a cron job and a person) from interleaving.
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Problem, fail
from .exporters import ExportContext, Sink, get_exporter, registry
from .images import ImageStore
from .model import Publication
from .repro import build_time
from .source import load
from .themes import load_theme

FEED_FORMATS = ("rss", "atom", "jsonfeed")
LOCK_NAME = ".publikasi.lock"
STAGING_PREFIX = ".publikasi-tmp-"


@dataclass
class BuildOptions:
    formats: list[str] | None = None  # None: every installed format
    theme: str | None = None
    paper: str | None = None
    jobs: int | None = None
    cache: bool = True
    cache_dir: Path | None = None
    strict: bool = False
    base_url: str | None = None


@dataclass
class BuildResult:
    publication: Publication
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class BuildInterrupted(Exception):
    """SIGTERM arrived during a build (Ctrl-C arrives as KeyboardInterrupt)."""


def all_formats() -> list[str]:
    return list(registry())


def resolve_formats(requested: list[str] | None) -> tuple[list[str], bool]:
    """-> (formats, explicit).  Unknown names are a usage error."""
    known = all_formats()
    if not requested:
        return known, False
    out: list[str] = []
    for name in requested:
        name = name.strip().lower()
        if not name:
            continue
        if name in ("feeds", "feed"):
            out.extend(f for f in FEED_FORMATS if f not in out)
            continue
        if name not in known:
            raise fail("-f", f"unknown format {name!r}; choose from {', '.join(known)}")
        if name not in out:
            out.append(name)
    if not out:
        raise fail("-f", "no format given")
    return out, True


def _with_base_url(pub: Publication, url: str) -> Publication:
    from .readers.common import parse_url

    url = parse_url(url, Path("--base-url"), None, "base_url")
    releases = tuple(dataclasses.replace(r, base_url=r.base_url or url) for r in pub.releases)
    return dataclasses.replace(pub, base_url=pub.base_url or url, releases=releases)


def build(source: Path | str, out: Path | str = "dist", options: BuildOptions | None = None,
          ) -> BuildResult:
    """Build ``source`` into ``out``; raise InputError for bad input, leaving ``out`` as it was."""
    options = options or BuildOptions()
    source, out = Path(source), Path(out)
    loaded = load(source, strict=options.strict)
    pub = loaded.publication
    result = BuildResult(pub, warnings=[str(w) for w in loaded.warnings])
    if options.base_url:
        pub = _with_base_url(pub, options.base_url)
        result.publication = pub
    formats, explicit = resolve_formats(options.formats)
    if not pub.base_url and any(f in FEED_FORMATS for f in formats):
        where = _metadata_file(pub)
        if explicit:
            raise fail(where, "`base_url` is required to build feeds (rss, atom, jsonfeed): "
                       "add e.g. `base_url: https://malangkota.go.id/berita/` or pass --base-url")
        formats = [f for f in formats if f not in FEED_FORMATS]
        result.warnings.append(f"{where}: no `base_url`, so no feeds were built "
                               "(add base_url or pass --base-url)")
    exporters = {name: get_exporter(name) for name in formats}
    themes = {}
    for release in pub.releases:
        spec = options.theme or release.theme or "default"
        themes[release.slug] = load_theme(spec, base_dir=Path.cwd() if options.theme else
                                          (release.root if release.root and release.root.is_dir()
                                           else Path.cwd()), paper=options.paper)
    pub_theme = themes[pub.releases[0].slug]
    images = ImageStore()
    when = build_time(pub)

    with output_transaction(out) as staging:
        root_sink = Sink(staging)
        warnings: list[str] = []
        for release in pub.releases:
            sink = root_sink if pub.is_single_release else root_sink.child(release.slug)
            ctx = ExportContext(theme=themes[release.slug], sink=sink, images=images,
                                build_time=when, publication=pub,
                                options=dataclasses.asdict(options), warnings=warnings)
            for name, exporter in exporters.items():
                if exporter.scope == "release":
                    exporter.export(release, ctx)
        ctx = ExportContext(theme=pub_theme, sink=root_sink, images=images, build_time=when,
                            publication=pub, options=dataclasses.asdict(options),
                            warnings=warnings)
        for name, exporter in exporters.items():
            if exporter.scope == "publication":
                exporter.export(pub, ctx)
        result.warnings.extend(warnings)
        result.files = [out / rel for rel in root_sink.written]
    return result


def _metadata_file(pub: Publication) -> Path:
    root = pub.root or Path(".")
    if root.is_file():
        return root
    if (root / "publication.yaml").is_file():
        return root / "publication.yaml"
    return root / "release.yaml"


# ---------------------------------------------------------------- atomic output


@contextmanager
def _sigterm_as_exception() -> Iterator[None]:
    def handler(signum, frame):  # noqa: ARG001
        raise BuildInterrupted()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def output_transaction(out: Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``out``.

    On any exception (including KeyboardInterrupt and SIGTERM) nothing in
    ``out`` changes, and a folder this build created is removed again.
    """
    created = not out.exists()
    if out.exists() and not out.is_dir():
        raise fail(out, "output path exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(out, f"cannot create the output folder: {exc.strerror}") from None
    lock_path = out / LOCK_NAME
    lock_existed = lock_path.exists()
    lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(lock_fd)
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            raise InputError(Problem(str(out), "another publikasi build is writing to this "
                                     "folder; try again when it has finished")) from None
        raise
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
    committed = False
    try:
        with _sigterm_as_exception():
            yield staging
            _commit(staging, out)
            committed = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not lock_existed:
            try:
                lock_path.unlink()
            except FileNotFoundError:
                pass
        fcntl.flock(lock_fd, fcntl.LOCK_UN)
        os.close(lock_fd)
        if created and not committed:
            shutil.rmtree(out, ignore_errors=True)


def _commit(staging: Path, out: Path) -> None:
    # Signals wait until every file is in place: a half-committed edition
    # (new PDF, old feed) would be worse than either whole one.
    blocked = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        for path in sorted(staging.rglob("*")):
            if path.is_dir():
                continue
            rel = path.relative_to(staging)
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
