"""PDF layout settings and the small custom flowables the bulletin needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from ...errors import fail
from ...themes import Theme

ARTICLE_START = ("new_page", "continuous")
MASTHEADS = ("plain", "band")


def _num(theme: Theme, settings: dict[str, Any], key: str, default: float,
         lo: float, hi: float) -> float:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise fail(_settings_file(theme), f"[pdf] {key} must be a number from {lo} to {hi}, "
                   f"not {value!r}")
    return float(value)


def _settings_file(theme: Theme) -> str:
    for folder in theme.chain:
        candidate = folder / "pdf" / "settings.toml"
        if candidate.is_file():
            return str(candidate)
    return str(theme.chain[0] / "theme.toml")


def _color(theme: Theme, key: str, default: str) -> colors.Color:
    value = str(theme.get(f"colors.{key}", default))
    try:
        return colors.HexColor(value)
    except (ValueError, TypeError):
        raise fail(theme.chain[0] / "theme.toml",
                   f"[colors] {key} must be a colour like \"#0b5394\", not {value!r}") from None


@dataclass
class Settings:
    """The theme's ``[pdf]`` section, validated, with the theme's colours and fonts."""

    columns: int
    column_gap: float
    margin_top: float
    margin_bottom: float
    margin_left: float
    margin_right: float
    article_start: str
    masthead: str
    band_height: float
    body_size: float
    leading: float
    headline_size: float
    masthead_size: float
    pull_quote: bool
    section_box: bool
    lead_stories: int
    image_max_height: float  # fraction of the frame height
    cover_photo_height: float  # fraction of the frame height
    body_font: str
    heading_font: str
    text: colors.Color
    accent: colors.Color
    muted: colors.Color
    rule: colors.Color
    band_text: colors.Color
    link: str

    @classmethod
    def from_theme(cls, theme: Theme) -> Settings:
        s = theme.section("pdf")
        where = _settings_file(theme)
        columns = int(_num(theme, s, "columns", 1, 1, 3))
        start = str(s.get("article_start", "new_page"))
        if start not in ARTICLE_START:
            raise fail(where, f"[pdf] article_start must be one of {', '.join(ARTICLE_START)}, "
                       f"not {start!r}")
        masthead = str(s.get("masthead", "plain"))
        if masthead not in MASTHEADS:
            raise fail(where, f"[pdf] masthead must be one of {', '.join(MASTHEADS)}, "
                       f"not {masthead!r}")
        fonts = {}
        for key in ("body", "heading"):
            value = str(theme.get(f"fonts.{key}", "serif" if key == "body" else "sans"))
            if value not in ("serif", "sans"):
                raise fail(theme.chain[0] / "theme.toml",
                           f"[fonts] {key} must be \"serif\" or \"sans\", not {value!r}")
            fonts[key] = value
        accent = str(theme.get("colors.accent", "#0b5394"))
        return cls(
            columns=columns,
            column_gap=_num(theme, s, "column_gap_mm", 6, 0, 40) * mm,
            margin_top=_num(theme, s, "margin_top_mm", 20, 5, 60) * mm,
            margin_bottom=_num(theme, s, "margin_bottom_mm", 20, 5, 60) * mm,
            margin_left=_num(theme, s, "margin_left_mm", 20, 5, 60) * mm,
            margin_right=_num(theme, s, "margin_right_mm", 20, 5, 60) * mm,
            article_start=start,
            masthead=masthead,
            band_height=_num(theme, s, "band_height_mm", 38, 15, 90) * mm,
            body_size=_num(theme, s, "body_size", 10.5, 6, 16),
            leading=_num(theme, s, "leading", 1.4, 1.0, 2.5),
            headline_size=_num(theme, s, "headline_size", 20, 10, 40),
            masthead_size=_num(theme, s, "masthead_size", 30, 14, 60),
            pull_quote=bool(s.get("pull_quote", False)),
            section_box=bool(s.get("section_box", False)),
            lead_stories=int(_num(theme, s, "lead_stories", 2, 0, 6)),
            image_max_height=_num(theme, s, "image_max_height", 0.45, 0.1, 0.8),
            cover_photo_height=_num(theme, s, "cover_photo_height", 0.33, 0.1, 0.6),
            body_font=fonts["body"],
            heading_font=fonts["heading"],
            text=_color(theme, "text", "#1a1a1a"),
            accent=_color(theme, "accent", "#0b5394"),
            muted=_color(theme, "muted", "#5f6368"),
            rule=_color(theme, "rule", "#c9d3de"),
            band_text=_color(theme, "band_text", "#ffffff"),
            link=accent,
        )


class Anchor(Flowable):
    """A zero-size mark: a named destination, outline entries and a page record.

    It sits in front of a headline (inside the same KeepTogether), so the
    bookmark, the TOC page number and the headline always land on one page.
    """

    _ZEROSIZE = 1

    def __init__(self, key: str, outline: list[tuple[str, str, int]],
                 pages: dict[str, int]) -> None:
        super().__init__()
        self.key = key
        self.outline = outline  # (title, key, level), parents first
        self.pages = pages
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canv = self.canv
        self.pages[self.key] = canv.getPageNumber()
        for title, key, level in self.outline:
            canv.bookmarkHorizontal(key, 0, 12)
            canv.addOutlineEntry(title, key, level=level, closed=False)
        if not self.outline:
            canv.bookmarkHorizontal(self.key, 0, 12)


class ColorBar(Flowable):
    """A full-width coloured rule (section starts, pull quotes)."""

    def __init__(self, color: colors.Color, thickness: float = 2.0,
                 space_before: float = 0, space_after: float = 0) -> None:
        super().__init__()
        self.color = color
        self.thickness = thickness
        self.spaceBefore = space_before
        self.spaceAfter = space_after

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.thickness

    def draw(self) -> None:
        self.canv.setFillColor(self.color)
        self.canv.rect(0, 0, self.width, self.thickness, stroke=0, fill=1)


class Together(Flowable):
    """Flowables stacked as one block that moves to the next frame whole.

    KeepTogether's way of moving on (a FrameBreak) breaks inside reportlab's
    indented list items, so a figure in a list item uses this instead: it does
    not split, and only a block taller than a whole frame gives its parts up.
    """

    def __init__(self, content: list[Flowable]) -> None:
        super().__init__()
        self._content = content
        self._sizes: list[tuple[float, float]] = []
        self.spaceBefore = content[0].getSpaceBefore() if content else 0
        self.spaceAfter = content[-1].getSpaceAfter() if content else 0

    def _gaps(self) -> list[float]:
        """Space between each part and the next."""
        return [max(a.getSpaceAfter(), b.getSpaceBefore())
                for a, b in zip(self._content, self._content[1:])]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._sizes = [f.wrap(availWidth, availHeight) for f in self._content]
        self.width = max((w for w, _ in self._sizes), default=0)
        self.height = sum(h for _, h in self._sizes) + sum(self._gaps())
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", False):
            return list(self._content)  # taller than a whole frame: let it break
        return []  # wait for the next frame

    def draw(self) -> None:
        y = self.height
        gaps = [*self._gaps(), 0]
        for f, (_, h), gap in zip(self._content, self._sizes, gaps):
            y -= h
            f.drawOn(self.canv, 0, y)
            y -= gap
