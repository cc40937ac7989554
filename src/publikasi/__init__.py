"""publikasi: one release of press articles in; PDF, DOCX, EPUB and feeds out.

Library use::

    from publikasi import load, build, BuildOptions
    pub = load("samples/warta-malang").publication
    build("samples/warta-malang", "dist", BuildOptions(formats=["pdf", "rss"]))

Names are imported lazily so that ``import publikasi`` (and the CLI's
``--help``) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load": "publikasi.source",
    "build": "publikasi.builder",
    "BuildOptions": "publikasi.builder",
    "BuildResult": "publikasi.builder",
    "InputError": "publikasi.errors",
    "load_theme": "publikasi.themes",
    "Publication": "publikasi.model",
    "Release": "publikasi.model",
    "Article": "publikasi.model",
    "publication_json": "publikasi.serialize",
}

if TYPE_CHECKING:
    from .builder import BuildOptions, BuildResult, build
    from .errors import InputError
    from .model import Article, Publication, Release
    from .serialize import publication_json
    from .source import load
    from .themes import load_theme


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'publikasi' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)


__all__ = [  # noqa: RUF022 -- grouped like _EXPORTS
    "load", "build", "BuildOptions", "BuildResult", "InputError", "load_theme",
    "Publication", "Release", "Article", "publication_json", "__version__",
]
