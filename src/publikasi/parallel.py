"""Exporter tasks: a build split into independent units, run in parallel, reused from cache.

A build is a list of :class:`Task` objects, one per unit of output:

``release``      ``ReleaseExporter.export_release``: one release's edition output(s),
                 or its part of a site (``Exporter.site_parts``: the web edition's
                 article pages of that release)
``article``      ``ArticleExporter.export_article``: one article's own file(s)
``publication``  ``PublicationExporter.export_publication``: the feeds, the web
                 edition's front pages; once per build

An exporter may implement several of the protocols (DOCX writes the edition
and one file per article); see :mod:`publikasi.exporters`.

Every task is a pure function of its inputs: the exporter, its target (with
the publication's and release's own metadata), the theme's files, the
options that shape output, the build time, the bytes of every picture the
target names, and publikasi's code (:func:`publikasi.cache.environment_key`).
Those inputs make the task's cache key, so a task whose key is in the cache
is not run: its files are copied from the cache.  The remaining tasks run in
worker processes (``jobs`` > 1) or in this process.  Results are merged in
task order, never in completion order, so ``-j 4`` writes exactly the bytes
and file list that ``-j 1`` writes.

An exporter is handed only what its task's key covers (:meth:`BuildState.view`):
a release task gets its release and the publication's own metadata (the
context's ``publication`` holds no other release), an article task only its
article, and other articles only as entries of the link index
(:mod:`publikasi.links`) that its links name, which is part of the key.  A
site part (a release task of an exporter with ``site_parts``) also gets
every other release with its articles in outline (no text, no pictures:
:func:`publikasi.exporters.outline`); the outline of the whole publication
is in its key, so a title edited anywhere rebuilds every part, a paragraph
only its own release's part.
Rules for exporters that follow from this: an exporter must not count on
files another exporter wrote; module-level state must not change output.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .cache import BuildCache, cached_image_store, digest, environment_key, file_digest, theme_key
from .errors import InputError, Problem
from .exporters import (
    ArticleExporter,
    ExportContext,
    Exporter,
    PublicationExporter,
    ReleaseExporter,
    Sink,
    get_exporter,
    outline,
    registry,
)
from .links import LinkIndex, article_urls

if TYPE_CHECKING:
    from .images import ImageStore
    from .model import Article, Publication, Release
    from .themes import Theme

Kind = Literal["release", "article", "publication"]

# Options that choose how a build runs, not what it writes.
RUN_OPTIONS = {"jobs", "cache", "cache_dir", "progress"}


@dataclass(frozen=True)
class Task:
    format: str
    kind: Kind
    release: str | None = None  # release slug
    article: str | None = None  # article slug
    prefix: str = ""  # where in the output folder the task writes
    key: str = ""  # cache key ("" when the build does not cache)

    @property
    def label(self) -> str:
        where = "/".join(x for x in (self.release, self.article) if x)
        return f"{self.format} {where}".strip()


@dataclass
class BuildState:
    """Everything a worker needs to run any task of one build."""

    publication: Publication
    themes: dict[str, Theme]  # release slug -> theme; "" -> the publication's theme
    build_time: dt.datetime
    options: dict[str, Any]
    image_args: dict[str, Any] = field(default_factory=dict)  # ImageStore(**image_args)
    cache_root: str | None = None
    # A build without the cache: where its worker processes share prepared
    # pictures, and the key that seals them (made anew for every build).
    picture_root: str | None = None
    picture_secret: bytes = b""

    def release(self, slug: str) -> Release:
        return self._releases()[slug]

    def links(self) -> LinkIndex:
        """Every article of the publication as a link target."""
        found = self.__dict__.get("_link_index")
        if found is None:
            found = self.__dict__["_link_index"] = LinkIndex.of(self.publication)
        return found

    def view(self, task: Task, all_links: bool = False, site_part: bool = False) -> TaskView:
        """What ``task``'s exporter may read: exactly what the task's cache key covers.

        ``all_links``: the exporter reads every article as a link target
        (``Exporter.reads_all_links``), not only those its text links to.
        ``site_part``: a release task of an exporter with ``site_parts``.
        """
        memo = self.__dict__.setdefault("_views", {})
        k = (task.kind == "publication", task.release, task.article, all_links, site_part)
        if k not in memo:
            memo[k] = self._view(task, all_links, site_part)
        return memo[k]

    def outline(self) -> tuple[Release, ...]:
        """Every release with its articles in outline (see :func:`outline`)."""
        found = self.__dict__.get("_outline")
        if found is None:
            found = self.__dict__["_outline"] = tuple(
                dataclasses.replace(r, articles=tuple(outline(a) for a in r.articles))
                for r in self.publication.releases)
        return found

    def _view(self, task: Task, all_links: bool, site_part: bool = False) -> TaskView:
        pub = self.publication
        if task.kind == "publication":
            return TaskView(pub, None, None, self.links())
        assert task.release is not None
        release = self.release(task.release)
        if site_part and task.kind == "release":
            links = self.links() if all_links else self.links().named_by(
                u for a in release.articles for u in article_urls(a))
            releases = tuple(release if r.slug == release.slug else r for r in self.outline())
            return TaskView(dataclasses.replace(pub, releases=releases), release, None, links)
        if task.kind == "article":
            assert task.article is not None
            article = self.article(release.slug, task.article)
            release = dataclasses.replace(release, articles=(article,))
            links = self.links() if all_links else self.links().named_by(article_urls(article))
            return TaskView(dataclasses.replace(pub, releases=(release,)), release, article,
                            links)
        links = self.links() if all_links else self.links().named_by(
            u for a in release.articles for u in article_urls(a))
        return TaskView(dataclasses.replace(pub, releases=(release,)), release, None, links)

    def article(self, release: str, slug: str) -> Article:
        return self._articles()[(release, slug)]

    def _releases(self) -> dict[str, Release]:
        found = self.__dict__.get("_release_index")
        if found is None:
            found = {r.slug: r for r in self.publication.releases}
            self.__dict__["_release_index"] = found
        return found

    def _articles(self) -> dict[tuple[str, str], Article]:
        found = self.__dict__.get("_article_index")
        if found is None:
            found = {(r.slug, a.slug): a for r in self.publication.releases for a in r.articles}
            self.__dict__["_article_index"] = found
        return found

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


@dataclass(frozen=True)
class TaskView:
    """The part of a build one task reads (see :meth:`BuildState.view`)."""

    publication: Publication  # holds only the task's release (and article), if any
    release: Release | None
    article: Article | None
    links: LinkIndex  # the articles its links may name


@dataclass
class TaskResult:
    files: list[str]
    warnings: list[str]
    cached: bool = False
    cpu: float = 0.0  # CPU seconds the task took in the process that ran it
    process: int = 0  # that process's id


@dataclass
class Outcome:
    files: list[str]  # relative to the staging folder, in task order, each once
    warnings: list[str]
    stats: dict[str, Any]
    by_format: dict[str, list[str]] = field(default_factory=dict)  # format -> its files


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------- planning


def _fields_except(obj: Any, skip: str) -> list[tuple[str, Any]]:
    return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.name != skip]


class _Keys:
    """Cache keys, built from per-object digests computed once each."""

    def __init__(self, state: BuildState, exporters: dict[str, Exporter]) -> None:
        self.state = state
        options = {k: v for k, v in sorted(state.options.items()) if k not in RUN_OPTIONS}
        self.common = digest(environment_key(), options, state.build_time.isoformat(),
                             state.image_args)
        specs = registry()  # reads entry-point metadata: once
        self.specs = {name: specs.get(name, type(exp).__qualname__)
                      for name, exp in exporters.items()}
        self.versions = {name: getattr(exp, "version", "") for name, exp in exporters.items()}
        self._themes: dict[int, str] = {}
        self._files: dict[Path, str] = {}
        pub = state.publication
        self.pub_meta = digest(_fields_except(pub, "releases"), self._file(pub.publisher.logo))
        self._release_meta: dict[str, str] = {}
        self._articles: dict[tuple[str, str], str] = {}
        self._links: dict[int, str] = {}
        self.all_links = {name: bool(getattr(exp, "reads_all_links", False))
                          for name, exp in exporters.items()}
        self.site_parts = {name: _is_site(exp) for name, exp in exporters.items()}
        self._outline = ""

    def _file(self, path: Path | None) -> str:
        if path is None:
            return ""
        if path not in self._files:
            self._files[path] = file_digest(path)
        return self._files[path]

    def theme(self, theme: Theme) -> str:
        if id(theme) not in self._themes:
            self._themes[id(theme)] = theme_key(theme)
        return self._themes[id(theme)]

    def release_meta(self, release: Release) -> str:
        if release.slug not in self._release_meta:
            self._release_meta[release.slug] = digest(
                _fields_except(release, "articles"), self._file(release.cover),
                self._file(release.publisher.logo))
        return self._release_meta[release.slug]

    def article(self, release: Release, article: Article) -> str:
        k = (release.slug, article.slug)
        if k not in self._articles:
            from .model import Figure, query

            # Every picture the article names: lead image, body and footnotes.
            pictures = [f.src for f in query(article, Figure) if f.src is not None]
            self._articles[k] = digest(article, [self._file(p) for p in pictures])
        return self._articles[k]

    def release(self, release: Release) -> str:
        return digest(self.release_meta(release),
                      [self.article(release, a) for a in release.articles])

    def outline(self) -> str:
        """The publication in outline: what a site part reads of other releases."""
        if not self._outline:
            self._outline = digest([(self.release_meta(r), [digest(a) for a in r.articles])
                                    for r in self.state.outline()])
        return self._outline

    def links(self, view: TaskView) -> str:
        # Views are shared (BuildState.view memoises them): digest each index once.
        k = id(view.links)
        if k not in self._links:
            self._links[k] = digest(view.links)
        return self._links[k]

    def task(self, task: Task) -> str:
        state = self.state
        site_part = self.site_parts[task.format] and task.kind == "release"
        view = state.view(task, self.all_links[task.format], site_part)
        head = (self.common, task.format, task.kind, task.prefix, self.specs[task.format],
                self.versions[task.format], self.pub_meta, self.links(view))
        if task.kind == "publication":
            body = [self.release(r) for r in state.publication.releases]
            return digest(*head, self.theme(state.themes[""]), body)
        assert task.release is not None
        release = state.release(task.release)
        if site_part:
            return digest(*head, self.theme(state.themes[""]), self.release(release),
                          self.outline())
        theme = self.theme(state.themes[release.slug])
        if task.kind == "article":
            assert task.article is not None
            return digest(*head, theme, self.release_meta(release),
                          self.article(release, state.article(release.slug, task.article)))
        return digest(*head, theme, self.release(release))


def plan_tasks(state: BuildState, exporters: dict[str, Exporter],
               with_keys: bool = False) -> list[Task]:
    """Every task of a build, in the order the plain sequential build ran them."""
    pub = state.publication
    tasks: list[Task] = []
    for release in pub.releases:
        prefix = "" if pub.is_single_release else release.slug
        for name, exporter in exporters.items():
            if isinstance(exporter, ReleaseExporter):
                tasks.append(Task(name, "release", release.slug, None,
                                  "" if _is_site(exporter) else prefix))
            if isinstance(exporter, ArticleExporter):
                tasks.extend(Task(name, "article", release.slug, a.slug, prefix)
                             for a in release.articles)
    for name, exporter in exporters.items():
        if isinstance(exporter, PublicationExporter):
            tasks.append(Task(name, "publication"))
    if with_keys:
        keys = _Keys(state, exporters)
        tasks = [dataclasses.replace(t, key=keys.task(t)) for t in tasks]
    return tasks


def _is_site(exporter: Exporter) -> bool:
    return bool(getattr(exporter, "site_parts", False))


# ---------------------------------------------------------------- running one task


_EXPORTERS: dict[str, Exporter] = {}


def _exporter(name: str) -> Exporter:
    if name not in _EXPORTERS:
        _EXPORTERS[name] = get_exporter(name)
    return _EXPORTERS[name]


def run_task(state: BuildState, task: Task, staging: Path, images: ImageStore) -> TaskResult:
    """Run one task, writing its files below ``staging``."""
    started = time.process_time()
    result = _run_task(state, task, staging, images)
    result.cpu, result.process = time.process_time() - started, os.getpid()
    return result


def _run_task(state: BuildState, task: Task, staging: Path, images: ImageStore) -> TaskResult:
    exporter = _exporter(task.format)
    sink = Sink(staging, task.prefix)
    site_part = _is_site(exporter) and task.kind == "release"
    theme = state.themes[task.release or ""] if task.release and not site_part \
        else state.themes[""]
    view = state.view(task, bool(getattr(exporter, "reads_all_links", False)), site_part)
    ctx = ExportContext(theme=theme, sink=sink, images=images, build_time=state.build_time,
                        publication=view.publication, warnings=[], links=view.links,
                        labels=theme.labels_for(type(exporter)))
    if task.kind == "publication":
        assert isinstance(exporter, PublicationExporter)
        exporter.export_publication(view.publication, ctx)
    else:
        release = view.release
        assert release is not None
        if task.kind == "release":
            assert isinstance(exporter, ReleaseExporter)
            exporter.export_release(release, ctx)
        else:
            assert view.article is not None and isinstance(exporter, ArticleExporter)
            exporter.export_article(view.article, release, ctx)
    if task.kind != "article":
        _release_memory()
    return TaskResult(list(sink.written), list(ctx.warnings))


def _release_memory() -> None:
    """Free what an edition left behind before the next one starts.

    reportlab's documents and flowables form reference cycles that hold the
    decoded pictures; the collector would reach them only after many more
    allocations, so a process building edition after edition grew to 2-3
    times the size of one edition (474 MB instead of 182 MB for 16
    bulletins).  Objects that existed when the build started are frozen
    (see run_tasks), so this collection only walks what the task made.
    """
    gc.collect()
    _malloc_trim()


@functools.cache
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def _malloc_trim() -> None:
    # glibc keeps freed heap pages; give them back so RSS reflects live data.
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def restore(cache: BuildCache, task: Task, staging: Path) -> TaskResult | None:
    """Copy a task's files from the cache into ``staging``; None on a miss."""
    hit = cache.get_output(task.key)
    if hit is None:
        return None
    entry, blobs = hit
    # The cache checked that each path is plain and relative; a task also
    # writes only below its own prefix.  Anything else: rebuild, never fail.
    if task.prefix and not all(rel.startswith(task.prefix + "/") for rel, _ in entry.files):
        cache.stats["rejected"] += 1
        return None
    created: list[Path] = []
    try:
        for (rel, _), data in zip(entry.files, blobs, strict=True):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if not os.path.lexists(target):  # several feeds write the same picture
                created.append(target)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
    except OSError:
        for target in created:
            target.unlink(missing_ok=True)
        cache.stats["rejected"] += 1
        return None
    return TaskResult([rel for rel, _ in entry.files], list(entry.warnings), cached=True)


# ---------------------------------------------------------------- worker processes

_WORKER: dict[str, Any] = {}


def _init_worker(state: BuildState, staging: str, parent: int) -> None:
    # The parent handles Ctrl-C and SIGTERM and then stops the workers; a
    # worker that also reacted would print a second, confusing traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    cache = BuildCache(state.cache_root) if state.cache_root else None
    _WORKER.update(state=state, staging=Path(staging), cache=cache,
                   images=worker_image_store(state, cache))


def worker_image_store(state: BuildState, cache: BuildCache | None) -> ImageStore:
    """A worker's picture store: backed by the build cache, or else by the
    build's shared picture folder, so each picture is prepared once per size."""
    pictures = cache
    if pictures is None and state.picture_root and state.picture_secret:
        pictures = BuildCache(state.picture_root, state.picture_secret, flat=True)
    store: ImageStore = cached_image_store(pictures, **state.image_args)
    return store


def _die_with_parent(parent: int) -> None:
    # A forked worker holds a copy of the output folder's lock; if the parent
    # is killed outright (SIGKILL, OOM) the worker must not outlive it and
    # keep the folder locked.  Linux only (prctl PR_SET_PDEATHSIG).
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _worker_run(task: Task) -> tuple[str, Any]:
    state, staging, cache = _WORKER["state"], _WORKER["staging"], _WORKER["cache"]
    try:
        result = run_task(state, task, staging, _WORKER["images"])
    except InputError as exc:
        # InputError does not survive pickling intact; send its problems.
        return "input", [dataclasses.astuple(p) for p in exc.problems]
    if cache is not None and task.key:
        cache.put_output(task.key, staging, result.files, result.warnings)
    stats = dict(cache.stats) if cache is not None else {}
    if cache is not None:
        cache.stats.clear()
    return "ok", (result, stats)


def _worker_run_all(batch: list[Task]) -> list[tuple[str, Any]]:
    """Run several tasks one after the other in this worker; stop at the first error."""
    answers = []
    for task in batch:
        answers.append(_worker_run(task))
        if answers[-1][0] != "ok":
            break
    return answers


def _pool_context() -> multiprocessing.context.BaseContext:
    # fork shares the parsed publication and the imported libraries with the
    # workers at no cost; elsewhere (macOS, Windows) the state is pickled once
    # per worker.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now (Ctrl-C, a failed task)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(5)


# ---------------------------------------------------------------- other executors


class Runner(Protocol):
    """Runs tasks somewhere else (e.g. a Dask cluster, see :mod:`publikasi.distributed`).

    ``run`` calls :func:`remote_task` for every task and yields ``(index,
    answer)`` pairs as the answers arrive, ``index`` being the task's
    position in ``tasks``.
    """

    def run(self, state: BuildState, tasks: list[Task]) -> Iterator[tuple[int, tuple[str, Any]]]:
        ...


_RUNNER: ContextVar[Runner | None] = ContextVar("publikasi_runner", default=None)


@contextmanager
def use_runner(runner: Runner) -> Iterator[None]:
    """Builds started inside the ``with`` block hand their tasks to ``runner``."""
    token = _RUNNER.set(runner)
    try:
        yield
    finally:
        _RUNNER.reset(token)


_REMOTE_IMAGES: list[Any] = [None, None]  # [state the store belongs to, ImageStore]


def remote_task(state: BuildState, task: Task) -> tuple[str, Any]:
    """Run ``task`` on a machine that does not share the staging folder.

    Returns ``("ok", ([(path, bytes), ...], warnings))`` or ``("input",
    problems)``.  Pictures prepared here are kept for the next task of the
    same build on this worker.
    """
    if _REMOTE_IMAGES[0] is not state:
        _REMOTE_IMAGES[:] = [state, cached_image_store(None, **state.image_args)]
    staging = Path(tempfile.mkdtemp(prefix="publikasi-task-"))
    try:
        result = run_task(state, task, staging, _REMOTE_IMAGES[1])
        files = [(rel, (staging / rel).read_bytes()) for rel in result.files]
    except InputError as exc:
        return "input", [dataclasses.astuple(p) for p in exc.problems]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return "ok", (files, result.warnings)


def _run_remote(runner: Runner, tasks: list[Task], todo: list[int],
                results: list[TaskResult | None], state: BuildState, staging: Path,
                cache: BuildCache | None, on_done: Progress | None) -> None:
    for k, (status, value) in runner.run(state, [tasks[i] for i in todo]):
        if status == "input":
            raise InputError([Problem(*p) for p in value])
        i = todo[k]
        files, warnings = value
        for rel, data in files:
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        result = results[i] = TaskResult([rel for rel, _ in files], list(warnings))
        if cache is not None and tasks[i].key:
            cache.put_output(tasks[i].key, staging, result.files, result.warnings)
        if on_done:
            on_done(tasks[i].label)


# ---------------------------------------------------------------- running a build

Progress = Callable[[str], None]


def run_tasks(tasks: list[Task], state: BuildState, staging: Path, *, images: ImageStore,
              jobs: int | None = None, cache: BuildCache | None = None,
              on_start: Callable[[int], None] | None = None,
              on_done: Progress | None = None) -> Outcome:
    """Run (or restore from ``cache``) every task; merge results in task order."""
    results: list[TaskResult | None] = [None] * len(tasks)
    if on_start:
        on_start(len(tasks))
    # The parsed publication and everything loaded so far live for the whole
    # build: keep the collector from walking them after every edition, and
    # (when forking) from copying them into every worker page by page.
    gc.freeze()
    try:
        return _run_tasks(tasks, state, staging, results, images=images, jobs=jobs, cache=cache,
                          on_done=on_done)
    finally:
        gc.unfreeze()


def _run_tasks(tasks: list[Task], state: BuildState, staging: Path,
               results: list[TaskResult | None], *, images: ImageStore, jobs: int | None,
               cache: BuildCache | None, on_done: Progress | None) -> Outcome:
    todo: list[int] = []
    for i, task in enumerate(tasks):
        if cache is not None and task.key:
            hit = restore(cache, task, staging)
            if hit is not None:
                results[i] = hit
                if on_done:
                    on_done(task.label)
                continue
        todo.append(i)
    if jobs is None:
        # Default: every CPU, but only for builds big enough to repay starting
        # workers (each sets up its own fonts, templates ...); -j N is obeyed.
        jobs = default_jobs() if _work(state, [tasks[i] for i in todo]) >= AUTO_MIN_WORK else 1
    worker_stats: Counter[str] = Counter()
    runner = _RUNNER.get()
    if runner is not None and todo:
        _run_remote(runner, tasks, todo, results, state, staging, cache, on_done)
    elif jobs > 1 and len(todo) > 1:
        _run_pool(tasks, todo, results, state, staging, min(jobs, len(todo)), on_done,
                  worker_stats)
    else:
        for i in todo:
            task = tasks[i]
            result = results[i] = run_task(state, task, staging, images)
            if cache is not None and task.key:
                cache.put_output(task.key, staging, result.files, result.warnings)
            if on_done:
                on_done(task.label)
    files: list[str] = []
    seen: set[str] = set()
    warnings: list[str] = []
    by_format: dict[str, list[str]] = {}
    for task, done in zip(tasks, results, strict=True):
        assert done is not None
        by_format.setdefault(task.format, []).extend(done.files)
        for rel in done.files:
            if rel not in seen:
                seen.add(rel)
                files.append(rel)
        # The same finding from several tasks (the feeds' cross-release slug
        # note from rss, atom and jsonfeed alike) is one warning.
        warnings.extend(w for w in done.warnings if w not in warnings)
    ran = [tasks[i].label for i in todo]
    # Each task's CPU time and the process that ran it: a build's critical
    # path is the busiest process's sum (measured in CPU time, it holds on
    # a loaded machine).  Tasks run elsewhere (a Runner) report none.
    task_cpu = [(tasks[i].label, round(r.cpu, 4), r.process) for i in todo
                if (r := results[i]) is not None and r.process]
    stats = {"tasks": len(tasks), "ran": ran, "cached": len(tasks) - len(todo),
             "jobs": jobs if len(todo) > 1 else 1,
             "runner": type(runner).__name__ if runner is not None else "local",
             "task_cpu": task_cpu}
    if cache is not None:
        stats["cache"] = dict(cache.stats + worker_stats)
    return Outcome(files, warnings, stats, by_format)


AUTO_MIN_WORK = 40  # article renderings; about one second of work


def _work(state: BuildState, tasks: list[Task]) -> int:
    """How many article renderings ``tasks`` hold (an edition renders all of its articles)."""
    total = 0
    for task in tasks:
        if task.kind == "article":
            total += 1
        elif task.kind == "publication":
            total += sum(len(r.articles) for r in state.publication.releases)
        else:
            total += len(state.release(task.release or "").articles)
    return total


def _submission_order(tasks: list[Task], todo: list[int]) -> list[int]:
    """Feeds first, then release by release, each release's editions (and site
    parts) before its articles; a site's own pages before the last release's
    articles.

    Long tasks early keep a worker from being left alone with a bulletin at
    the end, and the small article tasks of the last release fill the gaps.
    Keeping a release's tasks together lets a worker reuse the pictures (and
    the Word files' compressed members) it just made: those memories are
    bounded, so an order by kind alone would make every photo of a large
    archive twice.  A site's own pages (the web edition's front and section
    pages) show the pictures its release parts prepare: after them, they read
    those from the pictures the workers share instead of preparing them a
    second time at the same moment.
    """
    first_seen: dict[str | None, int] = {}
    for i in todo:
        if tasks[i].kind != "publication":
            first_seen.setdefault(tasks[i].release, i)
    last = max(first_seen.values(), default=0)
    site_formats = {t.format for t in tasks if t.kind == "release" and not t.prefix
                    and _is_site(_exporter(t.format))}

    def key(i: int) -> tuple[int, int, int, int]:
        task = tasks[i]
        if task.kind == "publication":
            return (1, last, 1, i) if task.format in site_formats else (0, 0, 0, i)
        return (1, first_seen[task.release], 2 if task.kind == "article" else 0, i)

    return sorted(todo, key=key)


# Relative CPU cost of one article's share of a task, by format (measured at
# N=200 for issue 15); unknown formats count as DEFAULT_WEIGHT.  Only used to
# decide whether a site's tasks are worth spreading over the workers.
FORMAT_WEIGHT = {"pdf": 1.0, "html": 1.0, "docx": 0.4, "epub": 0.3}
DEFAULT_WEIGHT = 0.5
PUBLICATION_WEIGHT = 0.05  # a feed's share per article: it reads them all, renders the newest


def _estimate(state: BuildState, task: Task, site: bool) -> float:
    weight = FORMAT_WEIGHT.get(task.format, DEFAULT_WEIGHT)
    if task.kind == "article":
        return weight
    if task.kind == "release":
        return weight * len(state.release(task.release or "").articles)
    everything = sum(len(r.articles) for r in state.publication.releases)
    return everything * (weight * 0.1 if site else PUBLICATION_WEIGHT)


def _units(state: BuildState, tasks: list[Task], order: list[int],
           workers: int) -> list[list[int]]:
    """What each worker is handed at a time: one task, or a site's tasks together.

    A site's tasks (its release parts and its own pages) go to one worker as
    one unit, first, when they are at most one worker's share of the build's
    work: that worker then prepares its templates once and its own pages find
    the parts' pictures in memory, while the other workers make the editions.
    When the site is most of the work (``-f html``) its tasks are spread.
    Each task is still cached and restored on its own.
    """
    site = {t.format for t in tasks if t.kind == "release" and not t.prefix
            and _is_site(_exporter(t.format))}
    cost = {i: _estimate(state, tasks[i], tasks[i].format in site) for i in order}
    total = sum(cost.values())
    together: list[list[int]] = []
    for name in sorted(site):
        members = [i for i in order if tasks[i].format == name]
        if len(members) > 1 and sum(cost[i] for i in members) * workers <= total:
            together.append(members)
    grouped = {i for unit in together for i in unit}
    return together + [[i] for i in order if i not in grouped]


def _run_pool(tasks: list[Task], todo: list[int], results: list[TaskResult | None],
              state: BuildState, staging: Path, workers: int, on_done: Progress | None,
              stats: Counter[str]) -> None:
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                               initializer=_init_worker,
                               initargs=(state, str(staging), os.getpid()))
    try:
        futures: dict[Future, list[int]] = {}
        for unit in _units(state, tasks, _submission_order(tasks, todo), workers):
            futures[pool.submit(_worker_run_all, [tasks[i] for i in unit])] = unit
        for fut in as_completed(futures):
            # A unit stops at its first failing task: fewer answers than tasks.
            for i, (status, value) in zip(futures[fut], fut.result(), strict=False):
                if status == "input":
                    raise InputError([Problem(*p) for p in value])
                results[i], worker = value
                stats.update(worker)
                if on_done:
                    on_done(tasks[i].label)
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
