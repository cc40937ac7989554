"""Exporters: one module per output format, discovered through entry points.

An exporter is a class registered in the ``publikasi.exporters`` entry-point
group under its format name.  It has two class attributes and one method::

    class MyExporter(Exporter):
        format = "odt"          # the name used in ``-f``
        scope = "release"       # "release": once per release; "publication": once per build

        def export(self, target, ctx):   # target: Release or Publication
            ctx.sink.write(f"{target.slug}.odt", data)

Exporters never read source files other than the images the model points to,
and never write outside ``ctx.sink``: the build owns the output folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..links import LinkIndex

if TYPE_CHECKING:
    from ..images import ImageStore
    from ..model import Publication, Release
    from ..themes import Theme

GROUP = "publikasi.exporters"

# The formats publikasi itself provides, in build order; used when the package
# runs from a source tree that was never installed (no entry-point metadata).
BUILTIN = {
    "docx": "publikasi.exporters.docx:DocxExporter",
    "pdf": "publikasi.exporters.pdf:PdfExporter",
    "epub": "publikasi.exporters.epub:EpubExporter",
    "rss": "publikasi.exporters.feeds:RssExporter",
    "atom": "publikasi.exporters.feeds:AtomExporter",
    "jsonfeed": "publikasi.exporters.feeds:JsonFeedExporter",
}


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
        self.path(relpath).write_bytes(data)

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
    options: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Articles that links of the exported text may name (publikasi.links).
    links: LinkIndex = field(default_factory=LinkIndex)

    def warn(self, where: str | Path, message: str) -> None:
        self.warnings.append(f"{where}: {message}")


class Exporter:
    format: ClassVar[str] = ""
    scope: ClassVar[Literal["release", "publication"]] = "release"
    # A short human description shown by ``publikasi build --help``.
    description: ClassVar[str] = ""

    def export(self, target: Release | Publication, ctx: ExportContext) -> None:
        raise NotImplementedError


def registry() -> dict[str, str]:
    """format name -> "module:Class" for every installed exporter."""
    found = dict(BUILTIN)
    for ep in entry_points(group=GROUP):
        found[ep.name] = ep.value
    return found


def get_exporter(name: str) -> Exporter:
    spec = registry()[name]
    module, _, attr = spec.partition(":")
    cls = getattr(import_module(module), attr)
    return cls()
