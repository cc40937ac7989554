"""Exporters: one module per output format, discovered through entry points.

An exporter is a class registered in the ``publikasi.exporters`` entry-point
group under its format name.  It subclasses :class:`Exporter` (which holds
what it declares: format name, description, ...) and implements one or more
of three protocols; the build plans one task per protocol method:

``ReleaseExporter.export_release(release, ctx)``
    the edition output(s) of one release (``<release>.pdf``), one task per release
    (or, with ``site_parts``, that release's part of a site: the web edition's
    article pages);
``ArticleExporter.export_article(article, release, ctx)``
    one article's own file(s) (``docx/<slug>.docx``), one task per article;
``PublicationExporter.export_publication(publication, ctx)``
    files about the whole publication (feeds, sitemap, web index), one task per build.

::

    class OdtExporter(Exporter, ReleaseExporter):
        format = "odt"

        def export_release(self, release, ctx):
            ctx.sink.write(f"{release.slug}.odt", data)

Exporters never read source files other than the images the model points to,
and never write outside ``ctx.sink``: the build owns the output folder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, runtime_checkable

from ..atomic import write_atomic
from ..errors import fail
from ..registry import BUILTIN as BUILTIN  # re-exported: plugins and tests name them here
from ..registry import GROUP as GROUP
from ..registry import registry
from ..labels import Labels, LabelTexts
from ..links import LinkIndex

S = TypeVar("S")

if TYPE_CHECKING:
    from ..images import ImageStore
    from ..model import Article, Publication, Release
    from ..themes import Theme

class Sink:
    """Where an exporter puts its files: a staging folder the build commits at the end."""

    def __init__(self, staging: Path, prefix: str = "") -> None:
        self.staging = staging
        self.prefix = prefix
        self.written: list[str] = []

    def _rel(self, relpath: str) -> str:
        rel = f"{self.prefix}/{relpath}" if self.prefix else relpath
        if rel.startswith("/") or ".." in Path(rel).parts:
            raise ValueError(f"exporter tried to write outside the output folder: {rel}")
        return rel

    def path(self, relpath: str) -> Path:
        """A path to write ``relpath`` to directly (for libraries that want a file name)."""
        rel = self._rel(relpath)
        target = self.staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel not in self.written:
            self.written.append(rel)
        return target

    def write(self, relpath: str, data: bytes) -> None:
        # Replaced whole, never truncated in place: in a build with workers,
        # tasks write the same picture (media/img-*) at the same time, and a
        # finished task's files are read back for the cache while others run.
        write_atomic(self.path(relpath), data)

    def child(self, prefix: str) -> Sink:
        sub = Sink(self.staging, f"{self.prefix}/{prefix}" if self.prefix else prefix)
        sub.written = self.written  # one list for the whole build
        return sub


@dataclass
class ExportContext:
    theme: Theme
    sink: Sink
    images: ImageStore
    build_time: dt.datetime  # timezone-aware; from content or SOURCE_DATE_EPOCH, never the clock
    # The publication's own metadata.  A release task sees only its release
    # here (an article task only its article): other releases are read
    # through ``links``, which the task's cache key covers.
    publication: Publication
    warnings: list[str] = field(default_factory=list)
    # Articles that links of the exported text may name (publikasi.links).
    links: LinkIndex = field(default_factory=LinkIndex)
    # The running exporter's label resolver (theme over defaults); None: the
    # labels every format shares.  :func:`export` and the build fill it in.
    labels: Labels | None = None

    def warn(self, where: str | Path, message: str) -> None:
        self.warnings.append(f"{where}: {message}")

    def label(self, key: str, language: str, **values: object) -> str:
        """The label ``key`` in ``language``, e.g. ``ctx.label("page_of", "id", n=3, total=12)``."""
        labels = self.labels if self.labels is not None else self.theme.labels_for(None)
        return labels.text(key, language, **values)

    def settings(self, cls: type[S]) -> S:
        """The theme's validated settings of type ``cls`` (the exporter's ``settings``)."""
        return self.theme.settings(cls)


class Exporter:
    """What every exporter declares; the work is in the protocol methods below."""

    format: ClassVar[str] = ""
    # A short human description shown by ``publikasi build --help``.
    description: ClassVar[str] = ""
    # True: the format cannot be built without the publication's ``base_url``
    # (a default build leaves it out with a warning, ``-f`` makes it an error).
    needs_base_url: ClassVar[bool] = False
    # Part of every cache key of the format: raise it when output changes
    # for reasons the key cannot see (plugins; publikasi's own code is hashed).
    version: ClassVar[str] = ""
    # ``ctx.links`` of a release or article task holds the articles its text
    # links to (and only those are in its cache key).  True: every article of
    # the publication (an archive list, "more from other editions"); any
    # edit of a title, slug or source: anywhere then rebuilds this format.
    reads_all_links: ClassVar[bool] = False
    # True: the release tasks are parts of one site rather than edition files
    # (the web edition's article pages, one task per release): they write at
    # the top of the output folder (``<slug>/index.html``) with the
    # publication's theme, and ``ctx.publication`` holds every release, the
    # other releases' articles as an outline only (:func:`outline`).
    site_parts: ClassVar[bool] = False
    # The theme sub-folder whose ``settings.toml`` (and files) this format
    # reads; "" means the format name.  Several formats may share one folder
    # (rss, atom and jsonfeed read ``feeds/``) if they share the settings class.
    theme_folder: ClassVar[str] = ""
    # A dataclass whose fields (with defaults) are the keys ``settings.toml``
    # may hold; the theme loader validates the file against it and the
    # exporter reads the typed value with ``ctx.settings(ItsClass)``.
    settings: ClassVar[type[Any] | None] = None
    # Default labels: {"id": {key: text}, "en": {...}}; a theme overrides them
    # and may use only the {placeholders} these texts use (publikasi.labels).
    labels: ClassVar[LabelTexts] = {}

    def export(self, target: Release | Publication, ctx: ExportContext) -> None:
        """Everything this exporter writes for ``target`` (see :func:`export`)."""
        export(self, target, ctx)


@runtime_checkable
class ReleaseExporter(Protocol):
    """Writes the edition output(s) of one release, e.g. ``<release-slug>.pdf``."""

    def export_release(self, release: Release, ctx: ExportContext) -> None: ...


@runtime_checkable
class ArticleExporter(Protocol):
    """Writes one article's own file(s), e.g. ``docx/<article-slug>.docx``.

    Each article is its own task: built in parallel, reused from the cache
    one by one.  ``release`` is the article's release (for its metadata).
    """

    def export_article(self, article: Article, release: Release, ctx: ExportContext) -> None: ...


@runtime_checkable
class PublicationExporter(Protocol):
    """Writes files about the whole publication (feeds, sitemap, web index)."""

    def export_publication(self, publication: Publication, ctx: ExportContext) -> None: ...


@runtime_checkable
class BuildFinisher(Protocol):
    """Writes, after every task of a build, files that show facts about the other outputs.

    A task may not read another task's files (tasks run in parallel and come
    from the cache).  The web edition's edition pages show the size of each
    download (the PDF, EPUB, Word file), so they are written here:
    ``size_of(path)`` is the size of a file of the output folder once this
    build is committed (written now, or there from an earlier build), or
    None.  This step runs in the building process on every build and is not
    cached, so it must stay cheap.  Its files belong to the exporter's format.
    """

    def finish_build(self, publication: Publication, ctx: ExportContext,
                     size_of: Callable[[str], int | None]) -> None: ...


def export(exporter: Exporter, target: Release | Publication, ctx: ExportContext) -> None:
    """Everything ``exporter`` writes for ``target``, in one call (for library use).

    A build runs the same methods as separate tasks (see :mod:`publikasi.parallel`).
    """
    from ..model import Publication

    if not ctx.links.entries:  # a caller that gave no index: the whole publication's
        ctx = dataclasses.replace(ctx, links=LinkIndex.of(
            target if isinstance(target, Publication) else ctx.publication))
    if ctx.labels is None:
        ctx = dataclasses.replace(ctx, labels=ctx.theme.labels_for(type(exporter)))
    if isinstance(target, Publication):
        if isinstance(exporter, PublicationExporter):
            exporter.export_publication(target, ctx)
        for release in target.releases:
            if getattr(exporter, "site_parts", False):
                sub = ctx
            else:
                sink = ctx.sink if target.is_single_release else ctx.sink.child(release.slug)
                sub = dataclasses.replace(ctx, sink=sink)
            _export_release(exporter, release, sub)
        return
    _export_release(exporter, target, ctx)


def outline(article: Article) -> Article:
    """``article`` without its text and pictures: what a site part
    (``Exporter.site_parts``) reads of another release's article (slug,
    title, section, dates, byline ...).  Its lead is then the summary only,
    since a derived lead comes from the text."""
    return dataclasses.replace(article, blocks=(), footnotes=(), image=None)


def _export_release(exporter: Exporter, release: Release, ctx: ExportContext) -> None:
    if isinstance(exporter, ReleaseExporter):
        exporter.export_release(release, ctx)
    if isinstance(exporter, ArticleExporter):
        for article in release.articles:
            exporter.export_article(article, release, ctx)


def exporter_class(name: str) -> type[Exporter]:
    """The class registered for format ``name``, checked against the contract."""
    spec = registry()[name]
    module, _, attr = spec.partition(":")
    try:
        cls = getattr(import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise fail(f"exporter {name}", f"cannot load {spec!r} ({exc})") from None
    if not (isinstance(cls, type) and issubclass(cls, Exporter)):
        raise fail(f"exporter {name}", f"{spec!r} is not a publikasi.exporters.Exporter class")
    if not issubclass(cls, (ReleaseExporter, ArticleExporter, PublicationExporter)):
        raise fail(f"exporter {name}", f"{spec!r} implements none of "
                   "ReleaseExporter, ArticleExporter, PublicationExporter")
    return cls


def exporter_classes() -> dict[str, type[Exporter]]:
    """format name -> class, for every installed exporter."""
    return {name: exporter_class(name) for name in registry()}


def get_exporter(name: str) -> Exporter:
    return exporter_class(name)()
