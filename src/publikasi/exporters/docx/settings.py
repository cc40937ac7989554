"""``docx/settings.toml``: the Word look and the layout of the edition.

[fonts], [sizes], [colors], [style] and [page] are baked into the theme's
``reference.docx`` by :mod:`.make_reference`; [layout] is read at export time.
The defaults are the default theme's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...settings import setting

FAMILIES = ("roman", "swiss", "modern")


@dataclass(frozen=True)
class DocxFonts:
    body: str = "Cambria"
    heading: str = "Calibri"
    mono: str = "Consolas"
    body_family: str = setting("roman", choices=FAMILIES)
    heading_family: str = setting("swiss", choices=FAMILIES)


def _pt(default: float) -> float:
    return setting(default, lo=4, hi=96)


@dataclass(frozen=True)
class DocxSizes:
    """Points."""

    body: float = _pt(11)
    title: float = _pt(24)
    subtitle: float = _pt(13)
    heading1: float = _pt(16)
    heading2: float = _pt(13.5)
    heading3: float = _pt(12)
    meta: float = _pt(9)
    caption: float = _pt(9)
    footnote: float = _pt(9)
    header: float = _pt(8.5)
    table: float = _pt(10)


@dataclass(frozen=True)
class DocxColors:
    """Empty: taken from the theme's [colors] (accent for headings, title and links)."""

    text: str = ""
    accent: str = ""
    muted: str = ""
    rule: str = ""
    band_text: str = ""
    heading: str = ""
    title: str = ""
    link: str = ""


@dataclass(frozen=True)
class DocxStyle:
    title_band: bool = False
    heading1_rule: bool = False
    line_spacing: float = setting(1.15, lo=0.8, hi=3)
    space_after_pt: float = setting(6.0, lo=0, hi=72)


def _mm(default: float) -> float:
    return setting(default, lo=0, hi=100)


@dataclass(frozen=True)
class DocxPage:
    margin_top_mm: float = _mm(25)
    margin_bottom_mm: float = _mm(22)
    margin_left_mm: float = _mm(25)
    margin_right_mm: float = _mm(22)
    header_mm: float = _mm(12)
    footer_mm: float = _mm(12)


@dataclass(frozen=True)
class DocxLayout:
    article_break: str = setting("page", choices=("page", "continuous"))
    picture_max_height: float = setting(0.55, lo=0.1, hi=1)
    cover_max_height: float = setting(0.3, lo=0.05, hi=1)
    masthead_logo: bool = True
    toc: bool = True


@dataclass(frozen=True)
class DocxSettings:
    fonts: DocxFonts = field(default_factory=DocxFonts)
    sizes: DocxSizes = field(default_factory=DocxSizes)
    colors: DocxColors = field(default_factory=DocxColors)
    style: DocxStyle = field(default_factory=DocxStyle)
    page: DocxPage = field(default_factory=DocxPage)
    layout: DocxLayout = field(default_factory=DocxLayout)
