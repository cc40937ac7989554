"""The desk's ASGI application: pages, safety, the preview's life cycle.

Every page module (``preview``, ``edition``, and the pages other modules add)
exposes:

* ``routes: list[BaseRoute]``: its Starlette routes;
* ``labels: LabelTexts`` (optional): the words its templates use;
* ``nav: list[tuple[str, str]]`` (optional): ``(path, label key)`` entries
  for the desk's menu.

:data:`PAGES` names them; the preview's catch-all route always comes last.
A route reaches the running desk with :func:`desk_of` and renders with
:func:`publikasi.desk.templating.render`; a POST goes through
:func:`publikasi.desk.security.guarded_form` first.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from .security import AccessMiddleware, DeskSecurity, upload_limit
from .templating import STATIC, DeskTemplates, desk_language

if TYPE_CHECKING:
    from .preview import Preview

# Page modules of publikasi.desk, in routing order (the preview is added last).
PAGES: tuple[str, ...] = ("edition", "paste", "wordloop")
STATIC_PREFIX = "/_desk/static"


@dataclass
class Desk:
    """One running desk: what every route needs."""

    source: Path  # as the user named it (error lines name files the same way)
    security: DeskSecurity
    work: Path  # desk-owned folder outside SOURCE: preview builds live here
    templates: DeskTemplates
    preview: Preview
    menu: list[tuple[str, str]] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def root(self) -> Path:
        """The folder nothing may be read or written outside of."""
        return (self.source if self.source.is_dir() else self.source.parent).resolve()

    def language(self) -> str:
        return desk_language(self.preview.info.language)

    def title(self) -> str:
        return self.preview.info.title

    def nav(self) -> list[tuple[str, str]]:
        """(path, label key) of the desk's menu: the preview, the newest edition's
        page, then what the page modules add."""
        releases = self.preview.info.releases
        editions = [(f"/edisi/{releases[0].slug}", "editions")] if releases else []
        return [self.menu[0], *editions, *self.menu[1:]]


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def _page_modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__package__}.{name}") for name in PAGES]


def work_folder(source: Path) -> Path:
    """A new folder for the preview's builds, never inside SOURCE (a build there
    would be a change in SOURCE, and so another build)."""
    root = (source if source.is_dir() else source.parent).resolve()
    for base in (None, Path.home() / ".cache"):
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="publikasi-desk-", dir=base)).resolve()
        if not work.is_relative_to(root):
            return work
        shutil.rmtree(work, ignore_errors=True)
    raise RuntimeError("no folder for the preview outside SOURCE")


def create_app(source: Path, *, token: str | None, host: str = "127.0.0.1", port: int = 0,
               work: Path | None = None, watch: bool = True) -> Starlette:
    """The desk for ``source``.

    ``token``: required on every request when given (see security.py);
    ``host``/``port``: the address the desk answers at (Host header check);
    ``work``: the folder for preview builds (default: a new temporary folder,
    removed when the desk stops); ``watch``: rebuild when SOURCE changes.
    """
    from . import preview as preview_module
    from .preview import Preview

    security = DeskSecurity(host=host, port=port, token=token)
    owned_work = work is None
    work = work_folder(source) if work is None else work
    modules = [*_page_modules(), preview_module]
    templates = DeskTemplates([m.labels for m in modules if hasattr(m, "labels")])
    preview = Preview(source, work)
    menu = [("/", "preview")]
    for module in modules:
        menu.extend(getattr(module, "nav", []))
    desk = Desk(source, security, work, templates, preview, menu=list(dict.fromkeys(menu)))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(preview.run(watch=watch, stopping=desk.stopping))
        try:
            yield
        finally:
            desk.stopping.set()
            await preview.stop()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if owned_work:
                shutil.rmtree(work, ignore_errors=True)

    routes: list[BaseRoute] = [Mount(STATIC_PREFIX, StaticFiles(directory=STATIC),
                                     name="desk-static")]
    for module in modules:
        routes.extend(module.routes)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        text = exc.detail if isinstance(exc.detail, str) else str(exc.status_code)
        return PlainTextResponse(text, exc.status_code, headers=exc.headers)

    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(AccessMiddleware, security=security)],
                    exception_handlers={HTTPException: http_error},
                    # Backstop for every route; a route's own limit is checked in guarded_form.
                    max_body_size=upload_limit("image") + 1_000_000)
    app.state.desk = desk
    app.state.security = security
    return app
