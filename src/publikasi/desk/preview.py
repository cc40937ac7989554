"""The live preview (``/``): the web edition of SOURCE, rebuilt on every change.

Builds run ``publikasi build`` in a child process that stays warm between
builds (:mod:`.buildworker`), so that the desk shows exactly the
``error: FILE:LINE: message`` lines the command line prints, a build can be
interrupted atomically (SIGINT: the build's own transaction rolls its output
back, see :mod:`publikasi.atomic`), and a crashing build cannot take the
desk down.  The build cache is the user's usual one, so a
rebuild after one edit only redoes what the edit touched.

Each build writes a new *generation* folder in the desk's work folder
(outside SOURCE); only when it has succeeded does the preview switch to it,
in one assignment.  A request reads from the generation that was current
when it arrived, so every response is a whole page of one build, never a
page half-written.  The newest few generations are kept for requests still
reading them.

Two builds per change: first the web pages alone (fast: the preview
reloads), then the web pages with the PDF, EPUB and Word files (the edition
pages list them) and, when there is a ``base_url``, the feeds the pages
link to.  A change during a build interrupts it and starts again.

Open tabs listen at ``/_desk/events`` (server-sent events): each message is
the state ``{"generation", "errors", "building"}``; a tab reloads when the
generation differs from the one it shows, and shows or hides the error
overlay.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from ..errors import InputError
from .security import safe_path
from .templating import NO_STORE, render

WEB_FORMATS = "html"
FILE_FORMATS = "html,pdf,epub,docx"
FEED_FORMATS = "rss,atom,jsonfeed"  # with a base_url only: the pages link to them then
KEEP_GENERATIONS = 3
WATCH_DEBOUNCE_MS = 100
INTERRUPT_WAIT_S = 20.0
WORKER_BUILDS = 100  # a fresh build process after this many builds
EVENTS_PATH = "/_desk/events"


@dataclass(frozen=True)
class ArticleFile:
    name: str  # as listed in release.yaml: relative to the release folder
    titles: tuple[str, ...]


@dataclass(frozen=True)
class ReleaseInfo:
    slug: str
    name: str  # what a person calls it: "Edisi 46/2025" or its date
    folder: Path | None  # the release folder (None: a lone article file)
    prefix: str  # where its files are in the build output: "" or "<slug>/"
    edition_page: str  # its web edition page, relative to the output
    files: tuple[ArticleFile, ...] = ()


@dataclass(frozen=True)
class PreviewInfo:
    """What the desk's pages show of the publication (read when a build succeeds)."""

    title: str = "publikasi"
    language: str = "id"
    releases: tuple[ReleaseInfo, ...] = ()
    base_url: str = ""

    def release(self, slug: str) -> ReleaseInfo | None:
        return next((r for r in self.releases if r.slug == slug), None)


def read_info(source: Path) -> PreviewInfo:
    """The publication's releases and article files, read as a build reads them."""
    from .. import site
    from ..i18n import long_date
    from ..labels import COMMON, Labels
    from ..source import load

    pub = load(source).publication
    labels = Labels((COMMON,))
    releases = []
    for release in pub.releases:
        lang = release.language or pub.language
        name = (labels.text("edition", lang, edition=release.edition) if release.edition
                else long_date(release.date, lang))
        folder = release.root if release.root is not None and release.root.is_dir() else None
        files: dict[str, list[str]] = {}
        for article in release.articles:
            if article.path is None:
                continue
            base = folder or article.path.parent
            files.setdefault(os.path.relpath(article.path, base).replace(os.sep, "/"),
                             []).append(article.title)
        releases.append(ReleaseInfo(
            release.slug, name, folder, "" if pub.is_single_release else f"{release.slug}/",
            site.edition_dir(release, pub),
            tuple(ArticleFile(n, tuple(t)) for n, t in files.items())))
    return PreviewInfo(pub.title, pub.language or "id", tuple(releases), site.base_url(pub))


@dataclass
class BuildOutcome:
    ok: bool
    errors: list[str]
    interrupted: bool = False


@dataclass
class Preview:
    """The builds of one desk and the state the tabs follow."""

    source: Path
    work: Path
    generation: int = 0  # the one served; 0: nothing built yet
    files_generation: int = 0  # the newest generation with the PDF, EPUB and Word files
    errors: list[str] = field(default_factory=list)
    building: bool = False
    info: PreviewInfo = field(default_factory=PreviewInfo)
    _next: int = 0
    _child: asyncio.subprocess.Process | None = None  # the worker, while it builds
    _worker: asyncio.subprocess.Process | None = None
    _worker_builds: int = 0
    _dirty: asyncio.Event = field(default_factory=asyncio.Event)
    _listeners: set[asyncio.Queue[str]] = field(default_factory=set)
    _stopped: bool = False
    _built: asyncio.Event = field(default_factory=asyncio.Event)

    # ------------------------------------------------------------ state

    def folder(self, generation: int | None = None) -> Path | None:
        gen = self.generation if generation is None else generation
        return self.work / f"gen-{gen}" if gen else None

    def state(self) -> dict[str, object]:
        return {"generation": self.generation, "errors": self.errors,
                "building": self.building}

    def _publish(self) -> None:
        message = json.dumps(self.state(), ensure_ascii=False)
        for queue in list(self._listeners):
            queue.put_nowait(message)

    async def wait_built(self, timeout: float) -> bool:
        """True once a first build has finished (well or not)."""
        try:
            await asyncio.wait_for(self._built.wait(), timeout)
        except TimeoutError:
            return False
        return True

    # ------------------------------------------------------------ building

    def changed(self) -> None:
        """SOURCE changed: build again (interrupting a build under way)."""
        self._dirty.set()
        child = self._child
        if child is not None and child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGINT)

    async def run(self, *, watch: bool, stopping: asyncio.Event) -> None:
        watcher = asyncio.create_task(self._watch(stopping)) if watch else None
        # The desk's pages need the publication's title and language from the start.
        with contextlib.suppress(InputError):
            self.info = await run_in_threadpool(read_info, self.source)
        self._dirty.set()
        try:
            while not self._stopped:
                await self._dirty.wait()
                self._dirty.clear()
                await self._build_round()
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher

    async def _build_round(self) -> None:
        self.building = True
        self._publish()
        try:
            full = f"{FILE_FORMATS},{FEED_FORMATS}" if self.info.base_url else FILE_FORMATS
            for formats in (WEB_FORMATS, full):
                if self._dirty.is_set() or self._stopped:
                    return
                self._next += 1
                gen = self._next
                outcome = await self._build(formats, self.work / f"gen-{gen}")
                if outcome.interrupted:
                    return
                if not outcome.ok:
                    self.errors = outcome.errors
                    return
                self.errors = []
                self.generation = gen
                if formats == full:
                    self.files_generation = gen
                self._publish()  # the tabs reload now; the desk's own pages can wait
                try:
                    self.info = await run_in_threadpool(read_info, self.source)
                except InputError:
                    pass  # the build read it a moment ago; the next change builds again
                self._sweep()
        finally:
            self.building = False
            self._built.set()
            self._publish()

    async def _worker_process(self) -> asyncio.subprocess.Process:
        worker = self._worker
        if worker is None or worker.returncode is not None or self._worker_builds >= \
                WORKER_BUILDS:
            if worker is not None and worker.returncode is None:
                await _close_worker(worker)
            worker = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "publikasi.desk.buildworker",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL)
            self._worker, self._worker_builds = worker, 0
        return worker

    async def _build(self, formats: str, out: Path) -> BuildOutcome:
        """``publikasi build SOURCE -o OUT -f FORMATS`` in the warm build process."""
        worker = await self._worker_process()
        assert worker.stdin is not None and worker.stdout is not None
        argv = ["build", str(self.source), "-o", str(out), "-f", formats]
        self._worker_builds += 1
        self._child = worker
        try:
            worker.stdin.write((json.dumps({"argv": argv}) + "\n").encode("utf-8"))
            await worker.stdin.drain()
            line = await worker.stdout.readline()
        except (BrokenPipeError, ConnectionResetError):
            line = b""
        finally:
            self._child = None
        if not line:
            await _close_worker(worker)
            return BuildOutcome(False, ["publikasi: the build process stopped unexpectedly; "
                                        "save a file to build again"])
        answer = json.loads(line)
        code, text = answer["code"], answer["stderr"]
        if code == 0:
            return BuildOutcome(True, [])
        if code in (130, 143):
            return BuildOutcome(False, [], interrupted=True)
        lines = [line for line in text.splitlines()
                 if line.startswith(("error: ", "publikasi: "))]
        return BuildOutcome(False, lines or text.strip().splitlines()[-5:])

    def _sweep(self) -> None:
        """Remove generations nobody reads any more (keep the newest few and the
        one with the edition files)."""
        keep = {self.generation, self.files_generation}
        gens = sorted((int(p.name[4:]) for p in self.work.glob("gen-*")
                       if p.name[4:].isdigit()), reverse=True)
        for gen in gens[KEEP_GENERATIONS:]:
            if gen not in keep and gen < self.generation:
                shutil.rmtree(self.work / f"gen-{gen}", ignore_errors=True)

    async def _watch(self, stopping: asyncio.Event) -> None:
        from watchfiles import DefaultFilter, awatch

        source = self.source.resolve()
        folder = source if source.is_dir() else source.parent
        default = DefaultFilter()

        def interesting(change: object, path: str) -> bool:
            if not default(change, path):  # type: ignore[arg-type]
                return False
            # A lone article file: the files beside it and its pictures' folder.
            changed = Path(path)
            return source.is_dir() or changed.parent == folder or "images" in changed.parts

        async for _ in awatch(folder, watch_filter=interesting, stop_event=stopping,
                              debounce=WATCH_DEBOUNCE_MS, step=50, recursive=True):
            self.changed()

    async def stop(self) -> None:
        """Stop building; a build under way is interrupted (and rolls back)."""
        self._stopped = True
        self._dirty.set()
        child = self._child
        if child is not None and child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGINT)
        if self._worker is not None:
            await _close_worker(self._worker)
        for queue in list(self._listeners):
            queue.put_nowait("")

    # ------------------------------------------------------------ events

    async def events(self, stopping: asyncio.Event) -> AsyncIterator[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._listeners.add(queue)
        try:
            yield _sse(json.dumps(self.state(), ensure_ascii=False))
            while not stopping.is_set():
                try:
                    message = await asyncio.wait_for(queue.get(), 15)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if not message:
                    return
                yield _sse(message)
        finally:
            self._listeners.discard(queue)


async def _close_worker(worker: asyncio.subprocess.Process) -> None:
    """End the build process: close its input, wait (an interrupted build first
    rolls back), kill it if it does not go."""
    if worker.stdin is not None:
        with contextlib.suppress(OSError):
            worker.stdin.close()
    try:
        await asyncio.wait_for(worker.wait(), INTERRUPT_WAIT_S)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            worker.kill()
        await worker.wait()


def _sse(data: str) -> str:
    return f"data: {data}\n\n"


# ---------------------------------------------------------------- routes

_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def desk_chrome(request: Request, generation: int) -> tuple[str, str]:
    """(HTML after ``<body>``, HTML before ``</body>``) added to a preview page:
    the desk's menu, the error overlay and the script that follows the builds."""
    from .app import STATIC_PREFIX, desk_of

    desk = desk_of(request)
    t = desk.templates.translator(desk.language())
    top = desk.templates.render_text("_chrome.html", {
        "t": t, "nav": desk.nav(), "errors": desk.preview.errors,
        "current_path": "/", "generation": generation, "static": STATIC_PREFIX,
        "events": EVENTS_PATH, "lang": desk.language()})
    script = (f'<script src="{STATIC_PREFIX}/desk.js" data-generation="{generation}" '
              f'data-events="{EVENTS_PATH}" defer></script>')
    return top, script


def _inject(html: str, top: str, bottom: str) -> str:
    head_link = f'<link rel="stylesheet" href="{_css_href()}">'
    html = html.replace("</head>", f"{head_link}\n</head>", 1)
    match = _BODY_OPEN.search(html)
    if match:
        html = html[:match.end()] + top + html[match.end():]
    at = html.rfind("</body>")
    return html[:at] + bottom + html[at:] if at >= 0 else html + bottom


def _css_href() -> str:
    from .app import STATIC_PREFIX

    return f"{STATIC_PREFIX}/desk.css"


async def serve_preview(request: Request) -> Response:
    from .app import desk_of

    desk = desk_of(request)
    preview = desk.preview
    gen = preview.generation
    folder = preview.folder(gen)
    if folder is None:
        return _waiting_page(request)
    # The whole path, also when another route falls through to the preview
    # (/edisi/index.html, a lone release's edition page).
    rel = request.scope["path"].lstrip("/")
    target = _find(folder, rel)
    if target is None and preview.files_generation and preview.files_generation != gen:
        # The PDF, EPUB and Word files of the previous full build, while this one runs.
        target = _find(preview.work / f"gen-{preview.files_generation}", rel)
    if target is None:
        notfound = folder / "404.html"
        if not notfound.is_file():
            raise HTTPException(404)
        target, status = notfound, 404
    else:
        status = 200
    if target.suffix == ".html":
        top, bottom = desk_chrome(request, gen)
        text = target.read_text(encoding="utf-8")
        return HTMLResponse(_inject(text, top, bottom), status, headers=NO_STORE)
    disposition = "inline"
    return FileResponse(target, headers=NO_STORE, content_disposition_type=disposition,
                        filename=target.name if target.suffix in (".pdf", ".epub", ".docx")
                        else None)


def _find(folder: Path, rel: str) -> Path | None:
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    try:
        target = safe_path(folder, rel)
    except HTTPException as exc:
        if exc.status_code == 404:
            return None
        raise
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def _waiting_page(request: Request) -> Response:
    from .app import desk_of

    desk = desk_of(request)
    return render(request, "waiting.html", status_code=200 if not desk.preview.errors else 500,
                  errors=desk.preview.errors)


async def events(request: Request) -> Response:
    from .app import desk_of

    desk = desk_of(request)
    return StreamingResponse(desk.preview.events(desk.stopping), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


routes: list[BaseRoute] = [
    Route(EVENTS_PATH, events),
    Route("/", serve_preview),
    Route("/{path:path}", serve_preview),
]
