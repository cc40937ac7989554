"""Themes: folders of per-format styling, inheriting from ``default``.

A theme folder holds ``theme.toml`` (shared settings: colours, fonts, paper,
labels) and one sub-folder per format (``docx/``, ``pdf/``, ``epub/``,
``feeds/``, ``html/``).  A per-format ``<fmt>/settings.toml`` is merged into the
configuration under the key ``<fmt>``.  A theme names its parent with
``inherits = "NAME-or-PATH"`` (default: ``default``); any key or file it does
not provide comes from the parent, one key or one file at a time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import fail
from .regular import open_regular

PAPER_SIZES_MM = {"a4": (210.0, 297.0), "f4": (215.0, 330.0), "folio": (215.0, 330.0),
                  "letter": (215.9, 279.4)}
FORMAT_DIRS = ("docx", "pdf", "epub", "feeds", "html")


def builtin_themes_dir() -> Path:
    """Installed wheel: publikasi/templates; source checkout: <repo>/templates."""
    here = Path(__file__).resolve().parent
    packaged = here / "templates"
    if packaged.is_dir():
        return packaged
    checkout = here.parent.parent / "templates"
    if checkout.is_dir():
        return checkout
    raise RuntimeError("publikasi's built-in themes are missing from the installation")


def available_themes() -> list[tuple[str, str]]:
    """(name, description) of every built-in theme."""
    out = []
    for folder in sorted(builtin_themes_dir().iterdir()):
        toml = folder / "theme.toml"
        if toml.is_file():
            with toml.open("rb") as fh:
                data = tomllib.load(fh)
            out.append((folder.name, str(data.get("description", ""))))
    return out


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Theme:
    name: str
    chain: tuple[Path, ...]  # most specific folder first, ``default`` last
    config: dict[str, Any]
    paper_override: str = ""

    def file(self, relpath: str) -> Path:
        """The first theme folder in the chain that has ``relpath``."""
        for folder in self.chain:
            candidate = folder / relpath
            if candidate.is_file():
                return candidate
        raise fail(self.chain[0], f"theme {self.name!r} has no file {relpath!r}")

    def has_file(self, relpath: str) -> bool:
        return any((folder / relpath).is_file() for folder in self.chain)

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.config
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def section(self, fmt: str) -> dict[str, Any]:
        value = self.config.get(fmt, {})
        return value if isinstance(value, dict) else {}

    @property
    def paper(self) -> str:
        return (self.paper_override or str(self.get("paper", "a4"))).lower()

    @property
    def paper_mm(self) -> tuple[float, float]:
        return PAPER_SIZES_MM[self.paper]

    def label(self, key: str, language: str, **values: Any) -> str:
        """A localised label such as ``page_of`` -> "Halaman 3 dari 12"."""
        lang = language.split("-")[0].lower()
        labels = self.get(f"labels.{lang}") or self.get("labels.id") or {}
        text = labels.get(key) or (self.get("labels.id") or {}).get(key) or key
        return str(text).format(**values)


def load_theme(name_or_path: str | Path | None, *, base_dir: Path | None = None,
               paper: str | None = None) -> Theme:
    """Resolve a theme by built-in name or folder path, with its inheritance chain."""
    spec = str(name_or_path or "default")
    chain: list[Path] = []
    configs: list[dict[str, Any]] = []
    seen: set[Path] = set()
    current: str | None = spec
    rel_base = base_dir or Path.cwd()
    while current:
        folder = _locate(current, rel_base)
        if folder in seen:
            raise fail(folder / "theme.toml", f"theme inheritance loops back to {current!r}")
        seen.add(folder)
        config = _read_theme_config(folder)
        chain.append(folder)
        configs.append(config)
        parent = config.get("inherits")
        if folder == (builtin_themes_dir() / "default").resolve():
            parent = None  # the root of every chain
        elif parent is None:
            parent = "default"
        current = str(parent) if parent else None
        rel_base = folder
    merged: dict[str, Any] = {}
    for cfg in reversed(configs):
        merged = _deep_merge(merged, cfg)
    merged.pop("inherits", None)
    if paper:
        paper = paper.lower()
        if paper not in PAPER_SIZES_MM:
            raise fail("--paper", f"unknown paper size {paper!r}; use a4, f4 or letter")
    theme_paper = str(merged.get("paper", "a4")).lower()
    if theme_paper not in PAPER_SIZES_MM:
        raise fail(chain[0] / "theme.toml", f"unknown paper size {theme_paper!r}; "
                   "use a4, f4 or letter")
    return Theme(name=Path(spec).name if ("/" in spec or spec.startswith(".")) else spec,
                 chain=tuple(chain), config=merged, paper_override=paper or "")


def _locate(spec: str, base: Path) -> Path:
    builtin = builtin_themes_dir() / spec
    if "/" not in spec and not spec.startswith(".") and (builtin / "theme.toml").is_file():
        return builtin.resolve()
    candidate = Path(spec)
    if not candidate.is_absolute():
        candidate = base / candidate
    if (candidate / "theme.toml").is_file():
        return candidate.resolve()
    names = ", ".join(n for n, _ in available_themes())
    raise fail(spec, f"unknown theme {spec!r} (built-in themes: {names}; or give the path "
               "of a folder with a theme.toml)")


def _read_theme_config(folder: Path) -> dict[str, Any]:
    config: dict[str, Any] = {}
    toml = folder / "theme.toml"
    try:
        with open_regular(toml, "theme file") as fh:
            config = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise fail(toml, f"invalid TOML: {exc}") from None
    for fmt in FORMAT_DIRS:
        settings = folder / fmt / "settings.toml"
        if settings.is_file():
            try:
                with open_regular(settings, "theme file") as fh:
                    config = _deep_merge(config, {fmt: tomllib.load(fh)})
            except tomllib.TOMLDecodeError as exc:
                raise fail(settings, f"invalid TOML: {exc}") from None
    return config
