"""Labels: the fixed words of an output ("Daftar Isi", "Halaman 3 dari 12").

Every label has a default in Indonesian and English: the ones several formats
share are :data:`COMMON`; an exporter declares its own in ``Exporter.labels``.
A theme overrides them in ``theme.toml`` (``[labels.<lang>]``, for every
format) or in ``<folder>/settings.toml`` (``[labels.<lang>]``, for that
format only).  One rule resolves a label for every format:

1. the format's own theme labels, 2. the theme's shared labels,
3. the exporter's defaults, 4. :data:`COMMON`,

first in the text's language, then in Indonesian.  A label may use only the
``{placeholders}`` its defaults use, plainly: no format specs, conversions,
attributes or indexes (a theme is data, not code).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter

# language -> label key -> text
LabelTexts = Mapping[str, Mapping[str, str]]

FALLBACK_LANGUAGE = "id"

COMMON: LabelTexts = {
    "id": {
        "contents": "Daftar Isi",
        "page": "Halaman {n}",
        "page_of": "Halaman {n} dari {total}",
        "edition": "Edisi {edition}",
        "photo": "Foto",
        "figure": "Gambar",
        "table": "Tabel",
        "notes": "Catatan",
        "source": "Sumber",
        "byline": "Penulis",
        "byline_code": "Kode redaksi",
        "section": "Rubrik",
        "other_section": "Lainnya",
        "tags": "Tag",
        "cover": "Sampul",
        "photo_placeholder": "[Foto]",
    },
    "en": {
        "contents": "Contents",
        "page": "Page {n}",
        "page_of": "Page {n} of {total}",
        "edition": "Edition {edition}",
        "photo": "Photo",
        "figure": "Figure",
        "table": "Table",
        "notes": "Notes",
        "source": "Source",
        "byline": "By",
        "byline_code": "Desk code",
        "section": "Section",
        "other_section": "Other",
        "tags": "Tags",
        "cover": "Cover",
        "photo_placeholder": "[Photo]",
    },
}


def short_language(language: str) -> str:
    """``en-US`` -> ``en``: labels are chosen by the primary language subtag."""
    return (language or FALLBACK_LANGUAGE).split("-")[0].lower()


def placeholders(template: str) -> list[str]:
    """The ``{names}`` of ``template``; ValueError for anything but plain names.

    ``{n:>2000000000}`` would make ``str.format`` pad for minutes, ``{n.__class__}``
    would read attributes: both are refused.
    """
    names = []
    for _, name, spec, conversion in Formatter().parse(template):
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"{{{name}}} may not have a format spec or conversion")
        if not name.isidentifier():
            raise ValueError(f"{{{name}}} is not a plain placeholder name" if name
                             else "{} needs a name")
        names.append(name)
    return names


def render(template: str, values: Mapping[str, object]) -> str:
    """``template`` with its (checked, plain) placeholders replaced; ``{{``/``}}`` are braces."""
    out = []
    for literal, name, _, _ in Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(str(values[name]))
    return "".join(out)


def allowed_placeholders(defaults: list[LabelTexts]) -> dict[str, set[str]]:
    """label key -> the placeholders its default texts use (in any language)."""
    allowed: dict[str, set[str]] = {}
    for texts in defaults:
        for by_key in texts.values():
            for key, text in by_key.items():
                allowed.setdefault(key, set()).update(placeholders(text))
    return allowed


def check_label(key: str, text: object, allowed: Mapping[str, set[str]]) -> str | None:
    """What is wrong with a theme's label ``key = text``, or None."""
    if key not in allowed:
        close = difflib.get_close_matches(key, list(allowed), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown label {key!r}{hint}"
    if not isinstance(text, str):
        return f"label {key!r} must be a string, not {type(text).__name__}"
    try:
        used = placeholders(text)
    except ValueError as exc:
        return f"{key}: {exc}"
    for name in used:
        if name not in allowed[key]:
            known = ", ".join(f"{{{n}}}" for n in sorted(allowed[key])) or "none"
            return f"{key}: unknown placeholder {{{name}}} (this label knows: {known})"
    return None


@dataclass(frozen=True)
class Labels:
    """The label resolver of one format: theme texts over defaults (see the module doc)."""

    layers: tuple[LabelTexts, ...]  # most specific first

    def text(self, key: str, language: str, **values: object) -> str:
        """The label ``key`` for ``language`` with ``values`` filled in."""
        for lang in dict.fromkeys((short_language(language), FALLBACK_LANGUAGE)):
            for layer in self.layers:
                found = layer.get(lang, {}).get(key)
                if found is not None:
                    return render(found, values)
        raise KeyError(f"no label {key!r}")

    def languages(self) -> set[str]:
        return {lang for layer in self.layers for lang in layer}
