"""Which exporters are installed: format name -> "module:Class".

Kept apart from :mod:`publikasi.exporters` so that ``publikasi --help`` can
list the formats without importing the exporter framework and the model.
"""

from __future__ import annotations

import functools
import sys
from importlib.metadata import entry_points

GROUP = "publikasi.exporters"

# The formats publikasi itself provides, in build order; used when the package
# runs from a source tree that was never installed (no entry-point metadata).
BUILTIN = {
    "docx": "publikasi.exporters.docx:DocxExporter",
    "pdf": "publikasi.exporters.pdf:PdfExporter",
    "epub": "publikasi.exporters.epub:EpubExporter",
    "html": "publikasi.exporters.web:WebExporter",
    "rss": "publikasi.exporters.feeds:RssExporter",
    "atom": "publikasi.exporters.feeds:AtomExporter",
    "jsonfeed": "publikasi.exporters.feeds:JsonFeedExporter",
}


def registry() -> dict[str, str]:
    """format name -> "module:Class" for every installed exporter."""
    return {**BUILTIN, **dict(_installed(tuple(sys.path)))}


@functools.lru_cache(maxsize=4)
def _installed(search_path: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    # Scanning every installed distribution's metadata takes ~0.1 s per call on
    # a full site-packages, and a build asks for the registry once per format;
    # a changed sys.path (a plugin folder added) scans again.
    return tuple((ep.name, ep.value) for ep in entry_points(group=GROUP))


__all__ = ["BUILTIN", "GROUP", "registry"]
