"""Build orchestration: source -> model -> exporters -> files, atomically.

Every exporter writes into a private staging folder inside the output folder.
Only when every requested format has succeeded are the files renamed into
place; on any error, interruption or signal the staging folder is removed
and the output folder is left exactly as it was.  A lock on the output folder
keeps two overlapping builds (a cron job and a person) from interleaving.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import manifest, stamp
from .atomic import LOCK_NAME, STAGING_PREFIX, BuildInterrupted, output_transaction, recover
from .errors import InputError, Problem, fail
from .exporters import BuildFinisher, ExportContext, Exporter, Sink, get_exporter, registry
from .model import Publication
from .repro import build_time
from .source import _source_files, checked_theme, load

if TYPE_CHECKING:
    from .images import ImageStore
    from .parallel import BuildState

FEED_FORMATS = ("rss", "atom", "jsonfeed")


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
    allow_remote: bool = False  # download remote images (size limit, timeout); off: no network


@dataclass
class BuildResult:
    publication: Publication
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)  # tasks run / restored from cache, jobs


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
    # Before anything else: a commit a killed build left half-done is finished,
    # even when this build then fails on its input.
    repaired = recover(out)
    # Records what this build reads and writes, so that the next `publikasi
    # build` with nothing changed can answer without loading (stamp.py).
    recorder = stamp.recorder(source, out, dataclasses.asdict(options))
    try:
        result = _build(source, out, options, recorder)
    except InputError as exc:
        if repaired:
            exc.warnings.insert(0, Problem(str(out), repaired))
        raise
    if repaired:
        result.warnings.insert(0, f"{out}: {repaired}")
    if recorder is not None:
        # A repaired folder or a rejected cache entry is this build's news only.
        transient = bool(repaired) or bool(result.stats.get("cache", {}).get("rejected"))
        recorder.finish(result.warnings, result.files, transient)
    return result


def _build(source: Path, out: Path, options: BuildOptions,
           recorder: stamp.Recorder | None = None) -> BuildResult:
    from .cache import BuildCache, article_reader, cached_image_store, resolve_cache_dir
    from .parallel import BuildState, plan_tasks, run_tasks
    from .progress import BuildProgress

    # --no-cache: the cache folder is neither read nor created.
    cache = BuildCache(resolve_cache_dir(options.cache_dir)) if options.cache else None
    loaded = load(source, strict=options.strict, allow_remote=options.allow_remote,
                  read_article=article_reader(cache) if cache else None)
    pub = loaded.publication
    if recorder is not None:
        recorder.note_read(_source_files(source, pub))
    result = BuildResult(pub, warnings=[str(w) for w in loaded.warnings])
    if options.base_url:
        pub = _with_base_url(pub, options.base_url)
        result.publication = pub
    formats, explicit = resolve_formats(options.formats)
    exporters = {name: get_exporter(name) for name in formats}
    need_url = [name for name, exp in exporters.items() if exp.needs_base_url]
    if not pub.base_url and need_url:
        where = _metadata_file(source)
        if explicit:
            raise fail(where, "`base_url` is required to build feeds and web outputs "
                       f"({', '.join(need_url)}): add e.g. "
                       "`base_url: https://malangkota.go.id/berita/` or pass --base-url")
        exporters = {n: exp for n, exp in exporters.items() if n not in need_url}
        result.warnings.append(f"{where}: no `base_url`, so no feeds were built "
                               f"({', '.join(need_url)}; add base_url or pass --base-url)")
    themes = {}
    theme_memo: dict = {}  # releases with the same theme share one, loaded once
    # A theme's parents (``inherits``) must stay inside the source folder.
    source_root = source if source.is_dir() else source.parent
    for release in pub.releases:
        spec = options.theme or release.theme or "default"
        base = (Path.cwd() if options.theme else
                release.root if release.root and release.root.is_dir() else Path.cwd())
        themes[release.slug] = checked_theme(spec, bool(options.theme), base_dir=base,
                                             paper=options.paper, roots=(source_root,),
                                             memo=theme_memo)
    if recorder is not None:
        recorder.note_theme_folders(f for theme in themes.values() for f in theme.chain)
    pub_theme = themes[pub.releases[0].slug]
    images = cached_image_store(cache, loaded.limits.image_pixels,
                                loaded.limits.image_bytes)
    when = build_time(pub)
    # Without the build cache, worker processes still share the pictures they
    # prepare (the EPUB's and the Word files' "screen" copies are the same)
    # through a folder that lives as long as this build.
    shared_pictures = contextlib.nullcontext() if cache else _picture_folder()
    state = BuildState(pub, {"": pub_theme, **themes}, when, dataclasses.asdict(options),
                       image_args={"max_pixels": images.max_pixels,
                                   "max_bytes": images.max_bytes},
                       cache_root=str(cache.root) if cache else None,
                       picture_root=getattr(shared_pictures, "name", None),
                       picture_secret=os.urandom(32))
    # Tasks run in worker processes and are reused from the cache; see parallel.py.
    tasks = plan_tasks(state, exporters, with_keys=cache is not None)

    stale: list[str] = []  # outputs of earlier builds that this build's commit removes
    owned: manifest.Files = {}
    manifest_bytes = b""

    def committed() -> None:
        if recorder is not None:
            recorder.outputs_committed(owned, manifest_bytes)

    with output_transaction(out, remove=stale, after_commit=committed) as staging, \
            BuildProgress() as progress, \
            shared_pictures:
        outcome = run_tasks(tasks, state, staging, images=images, jobs=options.jobs,
                            cache=cache, on_start=progress.start, on_done=progress.advance)
        result.warnings.extend(outcome.warnings)
        finished = _finish(exporters, state, staging, out, images)
        result.files = [out / rel for rel in dict.fromkeys(
            [*outcome.files, *(rel for files in finished.values() for rel in files)])]
        result.stats = outcome.stats
        rejected = outcome.stats.get("cache", {}).get("rejected", 0)
        if rejected and cache is not None:
            result.warnings.append(
                f"{cache.root}: ignored {rejected} cache "
                f"{'entry' if rejected == 1 else 'entries'} that failed verification (damaged, "
                "or not written by publikasi with this machine's cache key) and rebuilt them")
        # Formats with no task (a publication without releases) still own nothing now.
        made = {name: list(dict.fromkeys([*outcome.by_format.get(name, []),
                                          *finished.get(name, [])])) for name in formats}
        planned, gone = manifest.plan(out, manifest.read(out), made, staging)
        owned.update(planned)
        manifest_bytes = manifest.render(owned)
        (staging / manifest.MANIFEST_NAME).write_bytes(manifest_bytes)
        stale.extend(gone)
        result.stats["removed"] = list(gone)
    return result


def _picture_folder() -> contextlib.AbstractContextManager:
    """A temporary folder for the workers' shared pictures; none when the
    temporary space is unusable (full, read-only): then each worker keeps its own."""
    try:
        return tempfile.TemporaryDirectory(prefix="publikasi-pictures-")
    except OSError:
        return contextlib.nullcontext()


def _finish(exporters: dict[str, Exporter], state: BuildState, staging: Path, out: Path,
            images: ImageStore) -> dict[str, list[str]]:
    """Run the :class:`BuildFinisher` step of the exporters that have one; -> their files."""

    def size_of(rel: str) -> int | None:
        for folder in (staging, out):
            path = folder / rel
            if path.is_file() and not path.is_symlink():
                return path.stat().st_size
        return None

    written: dict[str, list[str]] = {}
    for name, exporter in exporters.items():
        if not isinstance(exporter, BuildFinisher):
            continue
        sink = Sink(staging)
        ctx = ExportContext(theme=state.themes[""], sink=sink, images=images,
                            build_time=state.build_time, publication=state.publication)
        exporter.finish_build(state.publication, ctx, size_of)
        written[name] = list(sink.written)
    return written


def _metadata_file(root: Path) -> Path:
    """The file that holds the source's metadata, named as the user named the source."""
    if root.is_file():
        return root
    if (root / "publication.yaml").is_file():
        return root / "publication.yaml"
    return root / "release.yaml"


__all__ = ["LOCK_NAME", "STAGING_PREFIX", "BuildInterrupted", "BuildOptions", "BuildResult",
           "build", "output_transaction"]
