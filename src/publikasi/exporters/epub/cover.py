"""The e-book's cover picture, drawn from the masthead (Pillow).

A release without a ``cover:`` gets one drawn from its masthead; a release
whose ``cover:`` is a photo gets the photo with the masthead composed under it
(publication, edition, date), so the cover says what its alt text says.

The picture is a function of its inputs only (texts, colours, the fonts that
ship with publikasi, the logo's bytes): no clock, no randomness, so rebuilding
an edition yields the same JPEG bytes.  Two layouts are chosen by the theme's
``[epub.cover] layout``:

``plain``
    the whole page in the background colour, title block in the middle,
    headlines below a rule;
``band``
    a light page with a coloured masthead band (title and logo) on top, the
    edition and date under it and the headlines listed below.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont

from ...errors import fail

LAYOUTS = ("plain", "band")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class CoverText:
    """Everything printed on a generated cover, already localised."""

    title: str
    edition: str = ""  # e.g. "Edisi 46/2025"
    date: str = ""  # e.g. "Senin, 10 November 2025"
    publisher: str = ""
    headlines: tuple[str, ...] = ()
    logo: Path | None = None
    photo: bytes | None = None  # the release's cover photo (prepared bytes), if any


@dataclass(frozen=True)
class CoverStyle:
    layout: str = "plain"
    width: int = 1600
    height: int = 2400
    background: str = "#0b5394"
    foreground: str = "#ffffff"
    page: str = "#ffffff"  # page colour of the "band" layout
    text: str = "#1a1a1a"  # text colour on the page of the "band" layout
    max_headlines: int = 3
    fonts: dict[str, Path] = field(default_factory=dict)


@functools.cache
def _fonts() -> dict[str, Path]:
    """The variable Noto fonts shipped as Python packages (dependencies of publikasi)."""
    import fontpkg_noto_sans
    import fontpkg_noto_serif

    sans = Path(fontpkg_noto_sans.ROOT) / "files"
    serif = Path(fontpkg_noto_serif.ROOT) / "files"
    return {"sans": next(sans.glob("NotoSans[[]*.ttf")),
            "serif": next(serif.glob("NotoSerif[[]*.ttf"))}


# A font object is kept for the build: FreeType's first measure of a fresh
# face of these variable fonts costs 30-60 ms (loading its variation and
# glyph tables), more than the rest of a cover, and every cover of a build
# asks for the same few faces and sizes.
@functools.lru_cache(maxsize=64)
def _font(path: Path, size: int, weight: str) -> ImageFont.FreeTypeFont:
    # BASIC layout gives the same pixels with or without libraqm installed.
    font = ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
    try:
        font.set_variation_by_name(weight)
    except (OSError, ValueError):  # a static font file: use it as it is
        pass
    return font


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap; a word wider than the line is cut between characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while font.getlength(word) > width and len(word) > 1:
            lo, hi = 1, len(word) - 1  # longest prefix that fits: binary search
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if font.getlength(word[:mid]) <= width:
                    lo = mid
                else:
                    hi = mid - 1
            cut = lo
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _clip(lines: list[str], n: int) -> list[str]:
    """At most ``n`` lines; a cut shows as an ellipsis."""
    if len(lines) <= n:
        return lines
    kept = lines[:n]
    kept[-1] = kept[-1].rstrip(" ,.;:") + "…"
    return kept


def _fit(text: str, path: Path, weight: str, width: int, start: int, lines: int,
         smallest: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size (down to ``smallest``) at which ``text`` fits in ``lines`` lines."""
    size = start
    while True:
        font = _font(path, size, weight)
        wrapped = _wrap(text, font, width)
        if len(wrapped) <= lines or size <= smallest:
            return font, _clip(wrapped, lines)
        size = max(smallest, int(size * 0.88))


def _line_height(font: ImageFont.FreeTypeFont, factor: float = 1.18) -> int:
    ascent, descent = font.getmetrics()
    return int((ascent + descent) * factor)


def _draw_lines(draw: ImageDraw.ImageDraw, x: int, y: int, lines: list[str],
                font: ImageFont.FreeTypeFont, fill: str, factor: float = 1.18) -> int:
    step = _line_height(font, factor)
    for line in lines:
        draw.text((x, y), line, font=font, fill=fill)
        y += step
    return y


def _logo(path: Path | None, box: int) -> Image.Image | None:
    if path is None:
        return None
    try:
        with Image.open(path) as img:
            img.load()
            logo = img.convert("RGBA")
    except OSError as exc:
        raise fail(path, f"cannot read the publisher logo for the cover ({exc})") from None
    logo.thumbnail((box, box), Image.Resampling.LANCZOS)
    return logo


def colour(value: str, palette: dict[str, str], where: Path | str) -> str:
    """A ``#rrggbb`` colour, or the name of one of the theme's ``[colors]``."""
    value = str(value).strip()
    if value in palette:
        value = str(palette[value]).strip()
    if not _HEX.match(value):
        raise fail(where, f"colour {value!r} is neither #rrggbb nor a name from [colors] "
                   f"({', '.join(sorted(palette))})")
    return value.lower()


PHOTO_SHARE = 0.62  # of the page height, above the masthead band of a photo cover


def _photo_cover(text: CoverText, style: CoverStyle, photo: bytes) -> Image.Image:
    """The photo filling the top of the page, the masthead in a band below it."""
    from PIL import ImageOps

    fonts = style.fonts or _fonts()
    w, h = style.width, style.height
    margin = w // 12
    inner = w - 2 * margin
    img = Image.new("RGB", (w, h), ImageColor.getrgb(style.background))
    photo_h = int(h * PHOTO_SHARE)
    with Image.open(io.BytesIO(photo)) as src:
        fitted = ImageOps.fit(src.convert("RGB"), (w, photo_h), Image.Resampling.LANCZOS)
    img.paste(fitted, (0, 0))
    draw = ImageDraw.Draw(img)
    y = photo_h + margin // 2
    if text.publisher:
        small = _font(fonts["sans"], w // 34, "SemiBold")
        y = _draw_lines(draw, margin, y, _clip(_wrap(text.publisher.upper(), small, inner), 2),
                        small, style.foreground)
    meta = _font(fonts["sans"], w // 24, "Regular")
    meta_lines = [line for line in (text.edition, text.date) if line]
    meta_h = _line_height(meta) * len(meta_lines)
    room = h - margin // 2 - meta_h - y - margin // 3
    size = w // 10
    while True:  # the largest size whose lines (at most three) fit the band
        title_font, title_lines = _fit(text.title, fonts["sans"], "Bold", inner, size, 3,
                                       w // 28)
        if len(title_lines) * _line_height(title_font, 1.05) <= room or size <= w // 28:
            break
        size = max(w // 28, int(size * 0.9))
    y = _draw_lines(draw, margin, y + margin // 4, title_lines, title_font, style.foreground,
                    1.05)
    y += margin // 4
    for line in meta_lines:
        y = _draw_lines(draw, margin, y, _wrap(line, meta, inner)[:1], meta, style.foreground)
    return img


def render_cover(text: CoverText, style: CoverStyle) -> bytes:
    """The cover as JPEG bytes, deterministic for the same inputs."""
    fonts = style.fonts or _fonts()
    w, h = style.width, style.height
    margin = w // 12
    inner = w - 2 * margin
    if text.photo is not None:
        img = _photo_cover(text, style, text.photo)
    elif style.layout == "band":
        img = Image.new("RGB", (w, h), ImageColor.getrgb(style.page))
        draw = ImageDraw.Draw(img)
        band_h = int(h * 0.34)
        draw.rectangle((0, 0, w, band_h), fill=style.background)
        logo = _logo(text.logo, int(band_h * 0.42))
        title_left = margin
        if logo is not None:
            img.paste(logo, (margin, margin), logo)
            title_left = margin + logo.width + margin // 2
        y = margin
        if text.publisher:
            small = _font(fonts["sans"], w // 34, "SemiBold")
            y = _draw_lines(draw, title_left, y, _clip(_wrap(text.publisher.upper(), small,
                                                             w - title_left - margin), 2),
                            small, style.foreground)
        title_font, title_lines = _fit(text.title, fonts["sans"], "Black", w - title_left - margin,
                                       w // 9, 3, w // 22)
        _draw_lines(draw, title_left, max(y + margin // 3, band_h - margin -
                                          _line_height(title_font, 1.05) * len(title_lines)),
                    title_lines, title_font, style.foreground, 1.05)
        y = band_h + margin
        meta = _font(fonts["sans"], w // 24, "Bold")
        for line in (text.edition, text.date):
            if line:
                y = _draw_lines(draw, margin, y, _wrap(line, meta, inner), meta, style.background)
        y += margin // 2
        draw.rectangle((margin, y, w - margin, y + max(4, w // 200)), fill=style.background)
        y += margin
        head = _font(fonts["serif"], w // 26, "Regular")
        bullet = w // 70
        for headline in text.headlines[: style.max_headlines]:
            lines = _clip(_wrap(headline, head, inner - 3 * bullet), 3)
            if y + _line_height(head) * len(lines) > h - margin:
                break
            top = y + _line_height(head) // 2 - bullet // 2
            draw.rectangle((margin, top, margin + bullet, top + bullet), fill=style.background)
            y = _draw_lines(draw, margin + 3 * bullet, y, lines, head, style.text) + margin // 3
    else:
        img = Image.new("RGB", (w, h), ImageColor.getrgb(style.background))
        draw = ImageDraw.Draw(img)
        y = margin
        logo = _logo(text.logo, w // 6)
        if logo is not None:
            plate = Image.new("RGBA", logo.size, (255, 255, 255, 0))
            plate.alpha_composite(logo)
            img.paste(plate, (margin, y), plate)
            y += logo.height + margin // 2
        if text.publisher:
            small = _font(fonts["sans"], w // 32, "SemiBold")
            y = _draw_lines(draw, margin, y, _clip(_wrap(text.publisher.upper(), small, inner), 2),
                            small, style.foreground)
        title_font, title_lines = _fit(text.title, fonts["sans"], "Bold", inner, w // 8, 4,
                                       w // 20)
        y = max(y + margin, int(h * 0.30))
        y = _draw_lines(draw, margin, y, title_lines, title_font, style.foreground, 1.05)
        y += margin // 3
        draw.rectangle((margin, y, margin + inner // 3, y + max(6, w // 120)),
                       fill=style.foreground)
        y += margin // 2
        meta = _font(fonts["sans"], w // 22, "Regular")
        for line in (text.edition, text.date):
            if line:
                y = _draw_lines(draw, margin, y, _wrap(line, meta, inner), meta, style.foreground)
        head = _font(fonts["serif"], w // 28, "Regular")
        block: list[list[str]] = [_clip(_wrap(t, head, inner), 3)
                                  for t in text.headlines[: style.max_headlines]]
        step = _line_height(head)
        needed = sum(len(b) * step + margin // 3 for b in block)
        y = max(y + margin, h - margin - needed)
        for lines in block:
            if y + len(lines) * step > h - margin // 2:
                break
            y = _draw_lines(draw, margin, y, lines, head, style.foreground) + margin // 3
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, optimize=True, progressive=False)
    return buf.getvalue()
