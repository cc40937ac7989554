"""Themes: folders of per-format styling, inheriting from ``default``.

A theme folder holds ``theme.toml`` (shared settings: colours, fonts, paper,
labels) and one sub-folder per format.  Which sub-folders exist is declared
by the registered exporters (``Exporter.theme_folder``, built-in and plugins
alike): ``<folder>/settings.toml`` is checked against that exporter's
settings dataclass and merged into the configuration under the key
``<folder>`` (``docx/``, ``pdf/``, ``epub/``, ``feeds/``, ``html/`` for the
built-in formats).  A theme names its parent with ``inherits = "NAME-or-PATH"``
(default: ``default``); any key or file it does not provide comes from the
parent, one key or one file at a time.  A parent given as a path must lie
inside the source folder or inside the inheriting theme's own folder.

Every settings file is validated once, when the theme loads: unknown keys,
wrong types and values out of range, and labels with unknown placeholders,
are ``FILE:LINE`` errors.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import settings as settings_
from .errors import InputError, Problems, fail, shown
from .labels import COMMON, Labels, LabelTexts, allowed_placeholders, check_label
from .regular import open_regular
from .settings import setting

if TYPE_CHECKING:
    from .exporters import Exporter

S = TypeVar("S")

PAPER_SIZES_MM = {"a4": (210.0, 297.0), "f4": (215.0, 330.0), "folio": (215.0, 330.0),
                  "letter": (215.9, 279.4)}


@dataclass(frozen=True)
class Fonts:
    body: str = setting("serif", choices=("serif", "sans"))
    heading: str = setting("sans", choices=("serif", "sans"))


@dataclass(frozen=True)
class ThemeSettings:
    """``theme.toml``: what every format shares (labels are checked apart)."""

    description: str = ""
    inherits: str = ""
    paper: str = setting("a4", choices=tuple(PAPER_SIZES_MM))
    # Named colours; a format refers to them by name ("accent") or uses them as
    # they are.  The default theme names text, accent, muted and rule.
    colors: dict[str, str] = field(default_factory=dict)
    fonts: Fonts = field(default_factory=Fonts)


@dataclass(frozen=True)
class FormatFolder:
    """A theme sub-folder and what the exporters that read it declare."""

    name: str
    settings: type | None  # the settings dataclass, or None: no settings besides labels
    labels: tuple[LabelTexts, ...]  # the default labels of its exporters


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


def format_folders(classes: Mapping[str, type[Exporter]] | None = None) -> dict[str, FormatFolder]:
    """Theme sub-folder name -> its declaration, from the registered exporters."""
    if classes is None:
        from .exporters import exporter_classes

        classes = exporter_classes()
    folders: dict[str, FormatFolder] = {}
    for cls in classes.values():
        name = cls.theme_folder or cls.format
        known = folders.get(name)
        if known is not None and known.settings is not None and cls.settings is not None \
                and known.settings is not cls.settings:
            raise fail(f"exporter {cls.format}", f"theme folder {name!r} is declared with "
                       "another settings class by a second exporter")
        settings_type = cls.settings or (known.settings if known else None)
        labels = (known.labels if known else ()) + ((cls.labels,) if cls.labels else ())
        folders[name] = FormatFolder(name, settings_type, labels)
    return folders


@dataclass(frozen=True)
class Theme:
    name: str
    chain: tuple[Path, ...]  # most specific folder first, ``default`` last
    config: dict[str, Any]  # merged raw TOML: theme.toml keys, and each folder's under its name
    paper_override: str = ""
    # Typed, validated settings of every format folder (``folders[name]``).
    typed: Mapping[str, Any] = field(default_factory=dict)
    folders: Mapping[str, FormatFolder] = field(default_factory=dict)

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
    def settings_file(self) -> Path:
        return self.chain[0] / "theme.toml"

    def shared(self) -> ThemeSettings:
        return settings_.build(ThemeSettings, _without_labels(self.config, set(self.folders)))

    def settings(self, cls: type[S]) -> S:
        """The typed settings of the format folder whose settings class is ``cls``."""
        for value in self.typed.values():
            if type(value) is cls:
                return value
        return cls()  # an exporter the theme was not loaded for: its defaults

    def labels_for(self, exporter: type[Exporter] | None = None) -> Labels:
        """The label resolver of ``exporter`` (None: the labels every format shares)."""
        layers: list[LabelTexts] = []
        defaults: list[LabelTexts] = []
        if exporter is not None:
            folder = exporter.theme_folder or exporter.format
            layers.append(_labels_of(self.section(folder)))
            if exporter.labels:
                defaults.append(exporter.labels)
        layers.append(_labels_of(self.config))
        return Labels(tuple(layers + defaults + [COMMON]))

    def label(self, key: str, language: str, **values: Any) -> str:
        """A shared label such as ``page_of`` -> "Halaman 3 dari 12"."""
        return self.labels_for(None).text(key, language, **values)

    @property
    def paper(self) -> str:
        return (self.paper_override or str(self.get("paper", "a4"))).lower()

    @property
    def paper_mm(self) -> tuple[float, float]:
        return PAPER_SIZES_MM[self.paper]


def _labels_of(section: Mapping[str, Any]) -> LabelTexts:
    value = section.get("labels")
    return value if isinstance(value, dict) else {}


def _without_labels(data: Mapping[str, Any], drop: frozenset[str] | set[str] = frozenset(),
                    ) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "labels" and k not in drop}


def load_theme(name_or_path: str | Path | None, *, base_dir: Path | None = None,
               paper: str | None = None, roots: tuple[Path, ...] | None = None,
               exporters: Mapping[str, type[Exporter]] | None = None) -> Theme:
    """Resolve a theme by built-in name or folder path, with its inheritance chain.

    ``roots``: the folders a parent theme named by path may lie in, besides
    the inheriting theme's own folder (default: ``base_dir``).  ``exporters``:
    format -> exporter class whose theme folders are read (default: every
    registered exporter).
    """
    spec = str(name_or_path or "default")
    folders = format_folders(exporters)
    base = (base_dir or Path.cwd()).resolve()
    allowed = tuple(r.resolve() for r in (roots if roots is not None else (base,)))
    chain: list[Path] = []
    configs: list[dict[str, Any]] = []
    seen: set[Path] = set()
    current: str | None = spec
    rel_base = base_dir or Path.cwd()
    child: Path | None = None
    problems = Problems()
    default_folder = (builtin_themes_dir() / "default").resolve()
    while current:
        if child is not None:
            _check_parent(current, rel_base, child, allowed)
        folder = _locate(current, rel_base)
        if folder in seen:
            raise fail(folder / "theme.toml", f"theme inheritance loops back to {current!r}")
        seen.add(folder)
        config = _read_theme_config(folder, folders, problems)
        chain.append(folder)
        configs.append(config)
        parent = config.get("inherits")
        if folder == default_folder:
            parent = None  # the root of every chain
        elif not parent:
            parent = "default"
        current = str(parent) if parent else None
        rel_base = child = folder
    problems.raise_if_any()
    merged: dict[str, Any] = {}
    for cfg in reversed(configs):
        merged = _deep_merge(merged, cfg)
    merged.pop("inherits", None)
    if paper:
        paper = paper.lower()
        if paper not in PAPER_SIZES_MM:
            raise fail("--paper", f"unknown paper size {paper!r}; use a4, f4 or letter")
    typed: dict[str, Any] = {
        name: settings_.build(f.settings, _without_labels(merged.get(name, {})))
        for name, f in folders.items() if f.settings is not None}
    return Theme(name=Path(spec).name if ("/" in spec or spec.startswith(".")) else spec,
                 chain=tuple(chain), config=merged, paper_override=paper or "",
                 typed=typed, folders=folders)


def _check_parent(spec: str, base: Path, child: Path, allowed: tuple[Path, ...]) -> None:
    """A parent theme is built in, or a folder inside the source or the child's folder."""
    if is_builtin_theme(spec):
        return
    folder = (base / spec).resolve()  # an absolute spec stays as it is
    for root in (*allowed, child):
        if folder == root or root in folder.parents:
            return
    where = child / "theme.toml"
    raise fail(shown(where), f"inherits {spec!r}, which is outside the source folder and outside "
               "the theme's own folder; name a built-in theme or a theme folder inside them",
               _line_of(where, ("inherits",)))


def _line_of(path: Path, key: tuple[str, ...]) -> int | None:
    try:
        return settings_.TomlLines(path.read_text(encoding="utf-8")).line(key)
    except (OSError, UnicodeDecodeError):
        return None


def is_builtin_theme(spec: str) -> bool:
    """``spec`` names a built-in theme (not a folder path)."""
    return ("/" not in spec and "\\" not in spec and not spec.startswith(".")
            and (builtin_themes_dir() / spec / "theme.toml").is_file())


def _locate(spec: str, base: Path) -> Path:
    if is_builtin_theme(spec):
        return (builtin_themes_dir() / spec).resolve()
    candidate = Path(spec)
    if not candidate.is_absolute():
        candidate = base / candidate
    if (candidate / "theme.toml").is_file():
        return candidate.resolve()
    names = ", ".join(n for n, _ in available_themes())
    raise fail(spec, f"unknown theme {spec!r} (built-in themes: {names}; or give the path "
               "of a folder with a theme.toml)")


def _read_toml(path: Path) -> tuple[dict[str, Any], settings_.TomlLines]:
    try:
        with open_regular(path, "theme file") as fh:
            text = fh.read().decode("utf-8")
    except UnicodeDecodeError:
        raise fail(shown(path), "not UTF-8 text") from None
    try:
        return tomllib.loads(text), settings_.TomlLines(text)
    except tomllib.TOMLDecodeError as exc:
        raise fail(shown(path), f"invalid TOML: {exc}") from None


def _read_theme_config(folder: Path, folders: Mapping[str, FormatFolder],
                       problems: Problems) -> dict[str, Any]:
    """``theme.toml`` and every format folder's ``settings.toml``, each checked."""
    toml = folder / "theme.toml"
    config, lines = _read_toml(toml)
    settings_.check(ThemeSettings, config, Path(shown(toml)), lines, problems, skip=("labels",))
    every_default = [COMMON] + [t for f in folders.values() for t in f.labels]
    _check_labels(config, every_default, Path(shown(toml)), lines, problems)
    for name, declared in folders.items():
        path = folder / name / "settings.toml"
        if not path.is_file():
            continue
        data, lines = _read_toml(path)
        path = Path(shown(path))
        if declared.settings is not None:
            settings_.check(declared.settings, data, path, lines, problems, skip=("labels",))
        else:
            for key in _without_labels(data):
                problems.add(path, f"unknown setting `{key}`; the {name} format reads only "
                             "[labels.<language>] here", lines.line((key,)))
        _check_labels(data, [COMMON, *declared.labels], path, lines, problems)
        config = _deep_merge(config, {name: data})
    return config


def _check_labels(data: Mapping[str, Any], defaults: list[LabelTexts], path: Path,
                  lines: settings_.TomlLines, problems: Problems) -> None:
    labels = data.get("labels")
    if labels is None:
        return
    if not isinstance(labels, dict):
        problems.add(path, "`labels` must be tables like [labels.id]", lines.line(("labels",)))
        return
    allowed = allowed_placeholders(defaults)
    for lang, texts in labels.items():
        if not isinstance(texts, dict):
            problems.add(path, f"`labels.{lang}` must be a table of texts ([labels.{lang}])",
                         lines.line(("labels", lang)))
            continue
        for key, text in texts.items():
            message = check_label(key, text, allowed)
            if message:
                problems.add(path, message, lines.line(("labels", lang, key)))


__all__ = ["PAPER_SIZES_MM", "FormatFolder", "InputError", "Theme", "ThemeSettings",
           "available_themes", "builtin_themes_dir", "format_folders", "load_theme"]
