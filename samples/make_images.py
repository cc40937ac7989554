"""Draw the illustrative photos of the sample publication (Pillow only).

Run from anywhere:  python samples/make_images.py

The pictures are simple flat illustrations (skies, hills, buildings, trees,
people, a stage, a road ...), not photographs, so the samples carry no rights
issues and no personal data.  Output is deterministic: every scene uses its
own seeded ``random.Random``, and no EXIF, XMP or GPS metadata is written
(Pillow only adds the bare JFIF header).  Each scene is drawn at twice its
final size and scaled down, which gives smooth (anti-aliased) edges.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Callable

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
PUB = HERE / "warta-malang"
SS = 2  # supersampling factor

RGB = tuple[int, int, int]


# ---------------------------------------------------------------- helpers


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def shade(c: RGB, f: float) -> RGB:
    """f < 1 darkens, f > 1 lightens towards white."""
    if f <= 1:
        return tuple(round(x * f) for x in c)  # type: ignore[return-value]
    return mix(c, (255, 255, 255), f - 1)


class Canvas:
    """An RGB picture drawn at SS times its final size."""

    def __init__(self, w: int, h: int, seed: int) -> None:
        self.w, self.h = w * SS, h * SS
        self.final = (w, h)
        self.img = Image.new("RGB", (self.w, self.h))
        self.d = ImageDraw.Draw(self.img)
        self.rnd = random.Random(seed)

    # coordinates are given as fractions of the width/height -----------
    def X(self, f: float) -> int:
        return round(f * self.w)

    def Y(self, f: float) -> int:
        return round(f * self.h)

    def gradient(self, top: RGB, bottom: RGB, y0: float = 0.0, y1: float = 1.0) -> None:
        a, b = self.Y(y0), self.Y(y1)
        for y in range(a, b):
            self.d.line([(0, y), (self.w, y)], fill=mix(top, bottom, (y - a) / max(1, b - a - 1)))

    def overlay(self, draw_fn: Callable[[ImageDraw.ImageDraw], None], blur: float = 0) -> None:
        """Draw translucent shapes on a separate layer and composite it."""
        layer = Image.new("RGBA", (self.w, self.h), (0, 0, 0, 0))
        draw_fn(ImageDraw.Draw(layer))
        if blur:
            layer = layer.filter(ImageFilter.GaussianBlur(blur * SS))
        base = self.img.convert("RGBA")
        base.alpha_composite(layer)
        self.img = base.convert("RGB")
        self.d = ImageDraw.Draw(self.img)

    # scene elements ------------------------------------------------------
    def sun(self, fx: float, fy: float, r: float, color: RGB, glow: int = 90) -> None:
        cx, cy, rr = self.X(fx), self.Y(fy), self.X(r)

        def glow_fn(d: ImageDraw.ImageDraw) -> None:
            for i in range(6, 0, -1):
                k = rr * (1 + i * 0.45)
                d.ellipse([cx - k, cy - k, cx + k, cy + k], fill=(*color, glow // (i + 1)))
        self.overlay(glow_fn, blur=6)
        self.d.ellipse([cx - rr, cy - rr, cx + rr, cy + rr], fill=color)

    def clouds(self, n: int, y_range: tuple[float, float], alpha: int = 170) -> None:
        rnd = self.rnd

        def fn(d: ImageDraw.ImageDraw) -> None:
            for _ in range(n):
                cx, cy = rnd.uniform(0, 1) * self.w, rnd.uniform(*y_range) * self.h
                size = rnd.uniform(0.05, 0.11) * self.w
                for _ in range(5):
                    ox, oy = rnd.uniform(-1, 1) * size, rnd.uniform(-0.25, 0.15) * size
                    r = rnd.uniform(0.35, 0.6) * size
                    d.ellipse([cx + ox - r, cy + oy - r * 0.6, cx + ox + r, cy + oy + r * 0.6],
                              fill=(255, 255, 255, alpha))
        self.overlay(fn, blur=4)

    def hills(self, base: float, amp: float, color: RGB, waves: int, phase: float) -> None:
        pts = [(0, self.h)]
        for i in range(0, 101):
            x = i / 100
            y = base - amp * (0.6 * math.sin(x * waves * math.pi + phase)
                              + 0.4 * math.sin(x * waves * 2.3 * math.pi + phase * 1.7))
            pts.append((self.X(x), self.Y(y)))
        pts.append((self.w, self.h))
        self.d.polygon(pts, fill=color)

    def building(self, fx: float, base: float, fw: float, fh: float, color: RGB,
                 window: RGB, rows: int, cols: int, roof: str = "flat",
                 lit: float = 0.0) -> None:
        x0, x1, y1 = self.X(fx), self.X(fx + fw), self.Y(base)
        y0 = self.Y(base - fh)
        self.d.rectangle([x0, y0, x1, y1], fill=color)
        self.d.rectangle([x1 - (x1 - x0) // 6, y0, x1, y1], fill=shade(color, 0.85))
        if roof == "gable":
            self.d.polygon([(x0 - SS * 6, y0), ((x0 + x1) // 2, y0 - (x1 - x0) // 3),
                            (x1 + SS * 6, y0)], fill=shade(color, 0.6))
        elif roof == "dome":
            r = (x1 - x0) // 4
            cx = (x0 + x1) // 2
            self.d.pieslice([cx - r, y0 - r, cx + r, y0 + r], 180, 360, fill=shade(color, 0.7))
        else:
            self.d.rectangle([x0 - SS * 3, y0 - SS * 5, x1 + SS * 3, y0], fill=shade(color, 0.7))
        if rows and cols:
            gw, gh = (x1 - x0) / cols, (y1 - y0) / (rows + 0.6)
            for r in range(rows):
                for c in range(cols):
                    wx, wy = x0 + gw * (c + 0.25), y0 + gh * (r + 0.35)
                    col = window
                    if lit and self.rnd.random() < lit:
                        col = (255, 214, 120)
                    self.d.rectangle([wx, wy, wx + gw * 0.5, wy + gh * 0.55], fill=col)

    def tree(self, fx: float, base: float, size: float, leaf: RGB,
             trunk: RGB = (96, 66, 44)) -> None:
        x, y, s = self.X(fx), self.Y(base), self.X(size)
        self.d.rectangle([x - s * 0.08, y - s * 1.0, x + s * 0.08, y], fill=trunk)
        for dx, dy, r, f in ((0, -1.35, 0.55, 1.0), (-0.35, -1.05, 0.42, 0.9),
                             (0.35, -1.05, 0.42, 0.85), (0.05, -1.7, 0.38, 1.12)):
            cx, cy, rr = x + dx * s, y + dy * s, r * s
            self.d.ellipse([cx - rr, cy - rr, cx + rr, cy + rr], fill=shade(leaf, f))

    def palm(self, fx: float, base: float, size: float) -> None:
        x, y, s = self.X(fx), self.Y(base), self.X(size)
        self.d.line([(x, y), (x + s * 0.12, y - s * 1.8)], fill=(110, 84, 60), width=max(2, int(s * 0.12)))
        top = (x + s * 0.12, y - s * 1.8)
        for ang in range(-170, 10, 28):
            a = math.radians(ang)
            end = (top[0] + math.cos(a) * s * 0.9, top[1] + math.sin(a) * s * 0.5 + s * 0.3)
            self.d.line([top, end], fill=(46, 125, 70), width=max(2, int(s * 0.1)))

    def person(self, fx: float, base: float, height: float, shirt: RGB,
               skin: RGB = (150, 104, 78), pants: RGB = (52, 56, 70),
               hat: RGB | None = None, vest: RGB | None = None, arm_up: bool = False) -> None:
        x, y, h = self.X(fx), self.Y(base), self.Y(height)
        head = h * 0.12
        bw = h * 0.26
        # legs
        self.d.rounded_rectangle([x - bw * 0.42, y - h * 0.45, x - bw * 0.04, y], radius=int(bw * 0.12), fill=pants)
        self.d.rounded_rectangle([x + bw * 0.04, y - h * 0.45, x + bw * 0.42, y], radius=int(bw * 0.12), fill=pants)
        # body
        top = y - h * 0.82
        self.d.rounded_rectangle([x - bw / 2, top, x + bw / 2, y - h * 0.42], radius=int(bw * 0.3), fill=shirt)
        if vest:
            self.d.rectangle([x - bw * 0.42, top + h * 0.05, x + bw * 0.42, y - h * 0.46], fill=vest)
            self.d.rectangle([x - bw * 0.42, top + h * 0.2, x + bw * 0.42, top + h * 0.24], fill=(235, 235, 225))
        # arms
        aw = max(2, int(bw * 0.22))
        self.d.line([(x - bw / 2, top + h * 0.06), (x - bw * 0.62, y - h * 0.47)], fill=shirt, width=aw)
        if arm_up:
            self.d.line([(x + bw / 2, top + h * 0.06), (x + bw * 0.8, top - h * 0.12)], fill=shirt, width=aw)
        else:
            self.d.line([(x + bw / 2, top + h * 0.06), (x + bw * 0.62, y - h * 0.47)], fill=shirt, width=aw)
        # head
        self.d.ellipse([x - head, top - head * 2.05, x + head, top - head * 0.05], fill=skin)
        if hat:
            self.d.chord([x - head * 1.15, top - head * 2.2, x + head * 1.15, top - head * 0.6], 180, 360, fill=hat)

    def crowd(self, n: int, x_range: tuple[float, float], base: float,
              height: float, palette: list[RGB], jitter: float = 0.02) -> None:
        rnd = self.rnd
        spots = sorted(rnd.uniform(*x_range) for _ in range(n))
        for fx in spots:
            self.person(fx, base + rnd.uniform(0, jitter), height * rnd.uniform(0.88, 1.08),
                        rnd.choice(palette), skin=rnd.choice(SKINS),
                        pants=rnd.choice(PANTS), hat=rnd.choice([None, None, (40, 40, 46), (250, 250, 250)]))

    def cone(self, fx: float, base: float, size: float) -> None:
        x, y, s = self.X(fx), self.Y(base), self.X(size)
        self.d.polygon([(x - s * 0.45, y), (x, y - s * 1.3), (x + s * 0.45, y)], fill=(242, 112, 32))
        self.d.polygon([(x - s * 0.27, y - s * 0.5), (x - s * 0.18, y - s * 0.75),
                        (x + s * 0.18, y - s * 0.75), (x + s * 0.27, y - s * 0.5)], fill=(250, 250, 245))
        self.d.rectangle([x - s * 0.6, y - s * 0.1, x + s * 0.6, y], fill=(60, 60, 60))

    def tent(self, fx: float, base: float, fw: float, fh: float, color: RGB) -> None:
        x0, x1 = self.X(fx), self.X(fx + fw)
        y1, y0 = self.Y(base), self.Y(base - fh)
        roof = self.Y(fh * 0.3)
        self.d.rectangle([x0, y0 + roof, x1, y1], fill=(250, 246, 236))
        self.d.polygon([(x0 - SS * 8, y0 + roof), ((x0 + x1) // 2, y0), (x1 + SS * 8, y0 + roof)], fill=color)
        n = 6
        step = (x1 - x0 + SS * 16) / n
        for i in range(n):
            sx = x0 - SS * 8 + i * step
            self.d.pieslice([sx, y0 + roof - step / 2, sx + step, y0 + roof + step / 2], 0, 180, fill=shade(color, 0.85))
        # poles and a counter
        for px in (x0 + SS * 3, x1 - SS * 3):
            self.d.rectangle([px - SS * 2, y0 + roof, px + SS * 2, y1], fill=(150, 150, 150))
        self.d.rectangle([x0 + SS * 6, y1 - (y1 - y0) * 0.3, x1 - SS * 6, y1], fill=shade(color, 0.7))

    def finish(self, path: Path, quality: int = 84) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        out = self.img.resize(self.final, Image.Resampling.LANCZOS)
        # No exif= argument: the files carry no camera, date or GPS metadata.
        out.save(path, "JPEG", quality=quality, optimize=True, progressive=False, subsampling="4:2:0")


SKINS: list[RGB] = [(141, 96, 70), (168, 118, 86), (120, 82, 60), (188, 140, 104), (105, 72, 52)]
PANTS: list[RGB] = [(46, 52, 68), (70, 62, 54), (30, 34, 40), (88, 94, 110)]
BATIK: list[RGB] = [(171, 68, 52), (44, 96, 150), (214, 160, 60), (60, 126, 96), (132, 72, 120),
                    (230, 230, 224), (90, 60, 46), (28, 120, 140)]


# ---------------------------------------------------------------- scenes


def scene_cover(path: Path) -> None:
    """Dawn over the city with the mountains behind (release cover)."""
    c = Canvas(1200, 800, seed=46)
    c.gradient((250, 196, 140), (255, 236, 200), 0, 0.55)
    c.gradient((255, 236, 200), (200, 214, 206), 0.55, 1)
    c.sun(0.72, 0.38, 0.05, (255, 244, 214), glow=110)
    c.clouds(6, (0.08, 0.3), alpha=120)
    c.hills(0.52, 0.09, (148, 132, 150), 1.4, 0.6)
    c.hills(0.6, 0.05, (120, 120, 138), 2.2, 2.0)
    rnd = c.rnd
    x = 0.0
    while x < 1.0:
        w = rnd.uniform(0.05, 0.09)
        h = rnd.uniform(0.1, 0.28)
        col = mix((92, 100, 120), (140, 130, 140), rnd.random())
        c.building(x, 0.8, w, h, col, shade(col, 1.2), rows=int(h * 30), cols=3,
                   roof=rnd.choice(["flat", "flat", "gable"]), lit=0.15)
        x += w + rnd.uniform(0.0, 0.02)
    # the city's obelisk in a roundabout
    cx = c.X(0.5)
    c.d.polygon([(cx - c.X(0.012), c.Y(0.82)), (cx, c.Y(0.48)), (cx + c.X(0.012), c.Y(0.82))],
                fill=(236, 230, 214))
    c.gradient((62, 96, 74), (42, 70, 54), 0.8, 1)
    c.d.ellipse([c.X(0.38), c.Y(0.8), c.X(0.62), c.Y(0.9)], fill=(84, 150, 96))
    for fx in (0.06, 0.16, 0.84, 0.94):
        c.tree(fx, 0.93, 0.05, (54, 118, 72))
    c.finish(path)


def scene_road(path: Path) -> None:
    """Asphalt repair: road in perspective, roller, workers and cones."""
    c = Canvas(1200, 750, seed=101)
    c.gradient((120, 180, 230), (214, 232, 244), 0, 0.45)
    c.clouds(5, (0.05, 0.25))
    c.hills(0.45, 0.04, (120, 160, 120), 1.5, 1.0)
    c.gradient((150, 176, 110), (110, 146, 84), 0.45, 1)
    for fx, h in ((0.02, 0.2), (0.1, 0.14), (0.78, 0.18), (0.88, 0.24)):
        col = mix((214, 200, 170), (190, 170, 150), c.rnd.random())
        c.building(fx, 0.47, 0.08, h, col, (120, 150, 170), rows=3, cols=3, roof="gable")
    # road: old grey part far, fresh black asphalt near
    c.d.polygon([(c.X(0.47), c.Y(0.45)), (c.X(0.53), c.Y(0.45)), (c.X(0.95), c.Y(1)), (c.X(0.05), c.Y(1))],
                fill=(128, 126, 122))
    c.d.polygon([(c.X(0.40), c.Y(0.62)), (c.X(0.6), c.Y(0.62)), (c.X(0.95), c.Y(1)), (c.X(0.05), c.Y(1))],
                fill=(46, 46, 50))
    for i in range(7):
        t0, t1 = i / 7, i / 7 + 0.06
        y0, y1 = 0.45 + 0.55 * t0 ** 1.3, 0.45 + 0.55 * t1 ** 1.3
        w0, w1 = 0.002 + 0.008 * t0, 0.002 + 0.008 * t1
        c.d.polygon([(c.X(0.5 - w0), c.Y(y0)), (c.X(0.5 + w0), c.Y(y0)),
                     (c.X(0.5 + w1), c.Y(y1)), (c.X(0.5 - w1), c.Y(y1))], fill=(240, 236, 220))
    # steam over fresh asphalt
    c.overlay(lambda d: [d.ellipse([c.X(0.3 + 0.08 * i), c.Y(0.6), c.X(0.42 + 0.08 * i), c.Y(0.7)],
                                   fill=(255, 255, 255, 40)) for i in range(4)], blur=10)
    # road roller
    rx, ry = 0.6, 0.78
    c.d.rounded_rectangle([c.X(rx), c.Y(ry - 0.16), c.X(rx + 0.2), c.Y(ry - 0.03)], radius=c.X(0.01), fill=(244, 186, 36))
    c.d.rectangle([c.X(rx + 0.04), c.Y(ry - 0.27), c.X(rx + 0.13), c.Y(ry - 0.16)], fill=(60, 60, 64))
    c.d.rectangle([c.X(rx + 0.03), c.Y(ry - 0.29), c.X(rx + 0.14), c.Y(ry - 0.27)], fill=(244, 186, 36))
    c.d.rectangle([c.X(rx + 0.05), c.Y(ry - 0.25), c.X(rx + 0.12), c.Y(ry - 0.18)], fill=(150, 200, 220))
    for wx in (rx + 0.035, rx + 0.165):
        c.d.ellipse([c.X(wx - 0.045), c.Y(ry - 0.09), c.X(wx + 0.045), c.Y(ry + 0.06)], fill=(70, 70, 74))
        c.d.ellipse([c.X(wx - 0.025), c.Y(ry - 0.055), c.X(wx + 0.025), c.Y(ry + 0.025)], fill=(120, 120, 124))
    for fx in (0.18, 0.26, 0.44):
        c.person(fx, 0.9, 0.26, (40, 90, 150), skin=c.rnd.choice(SKINS), vest=(250, 130, 30),
                 hat=(250, 210, 40))
    for fx, y in ((0.1, 0.96), (0.34, 0.7), (0.42, 0.64)):
        c.cone(fx, y, 0.03 * (y / 0.9))
    c.finish(path)


def scene_expo(path: Path, close: bool = False, seed: int = 202) -> None:
    """UMKM expo: rows of stall tents in front of a hall, visitors."""
    c = Canvas(1200 if not close else 1000, 750 if not close else 625, seed=seed)
    c.gradient((140, 196, 236), (230, 240, 248), 0, 0.5)
    c.clouds(4, (0.05, 0.22))
    c.building(0.05, 0.52, 0.9, 0.24, (236, 226, 204), (150, 170, 180), rows=2, cols=12, roof="flat")
    c.d.rectangle([c.X(0.42), c.Y(0.3), c.X(0.58), c.Y(0.52)], fill=(210, 196, 170))
    c.gradient((196, 190, 180), (168, 160, 150), 0.52, 1)
    colors = [(208, 60, 60), (40, 120, 180), (236, 176, 40), (60, 150, 100), (170, 80, 150)]
    n = 4 if close else 6
    w = 0.9 / n
    for i in range(n):
        c.tent(0.05 + i * w + 0.01, 0.72 if not close else 0.8, w - 0.02, 0.26 if not close else 0.38,
               colors[(i + seed) % len(colors)])
        if close:
            # goods on the counter: jars, baskets, folded cloth
            base = c.Y(0.8 - 0.38 * 0.3)
            for k in range(4):
                gx = c.X(0.05 + i * w + 0.03 + k * (w - 0.06) / 4)
                col = c.rnd.choice([(140, 80, 40), (230, 200, 120), (190, 60, 60), (80, 130, 90), (60, 90, 160)])
                c.d.rounded_rectangle([gx, base - c.Y(0.05), gx + c.X(0.03), base], radius=SS * 4, fill=col)
    c.crowd(14 if not close else 8, (0.03, 0.97), 0.88 if not close else 0.97, 0.3 if not close else 0.38, BATIK)
    c.finish(path)


def scene_flood(path: Path) -> None:
    """Flood drill on a river bank: raised water, rubber boat, rescuers."""
    c = Canvas(1200, 750, seed=303)
    c.gradient((150, 170, 190), (210, 218, 224), 0, 0.45)
    c.clouds(8, (0.02, 0.3), alpha=150)
    for fx, h in ((0.0, 0.16), (0.09, 0.2), (0.7, 0.14), (0.8, 0.22), (0.9, 0.17)):
        col = mix((220, 206, 186), (180, 170, 160), c.rnd.random())
        c.building(fx, 0.45, 0.09, h, col, (110, 130, 150), rows=2, cols=2, roof="gable")
    c.tree(0.25, 0.46, 0.06, (60, 120, 70))
    c.tree(0.62, 0.46, 0.05, (70, 130, 76))
    c.gradient((120, 110, 86), (100, 96, 78), 0.45, 0.5)
    c.gradient((134, 120, 96), (104, 96, 80), 0.5, 1)  # muddy water
    c.overlay(lambda d: [d.line([(c.X(c.rnd.uniform(0, 1)), c.Y(y)), (c.X(c.rnd.uniform(0, 1)), c.Y(y))],
                                fill=(230, 220, 200, 70), width=SS * 2)
                         for y in [0.52 + 0.03 * i for i in range(16)]], blur=1)
    # rubber boat with rescuers: people first, the hull in front hides their legs
    bx, by = 0.32, 0.74
    for i, fx in enumerate((bx + 0.07, bx + 0.15, bx + 0.23, bx + 0.3)):
        c.person(fx, by + 0.07, 0.2, (30, 70, 130), skin=SKINS[i], vest=(246, 120, 28),
                 hat=(250, 250, 250) if i else (240, 190, 30), arm_up=i == 1)
    c.d.rounded_rectangle([c.X(bx), c.Y(by), c.X(bx + 0.34), c.Y(by + 0.08)], radius=c.Y(0.04), fill=(236, 112, 30))
    c.d.line([(c.X(bx + 0.03), c.Y(by + 0.03)), (c.X(bx + 0.31), c.Y(by + 0.03))], fill=(250, 240, 230), width=SS * 3)
    c.overlay(lambda d: d.ellipse([c.X(bx - 0.03), c.Y(by + 0.06), c.X(bx + 0.37), c.Y(by + 0.11)],
                                  fill=(240, 232, 214, 90)), blur=2)
    # bank with evacuees and a tent
    c.d.polygon([(c.X(0.72), c.Y(1)), (c.X(0.78), c.Y(0.62)), (c.X(1), c.Y(0.6)), (c.X(1), c.Y(1))], fill=(120, 150, 90))
    c.tent(0.8, 0.8, 0.17, 0.2, (30, 110, 170))
    c.crowd(4, (0.8, 0.97), 0.95, 0.22, BATIK)
    c.finish(path)


def scene_health(path: Path) -> None:
    """Free health check under a tent in a neighbourhood square."""
    c = Canvas(1200, 750, seed=404)
    c.gradient((160, 210, 236), (236, 246, 250), 0, 0.5)
    c.clouds(4, (0.05, 0.2))
    c.building(0.55, 0.5, 0.4, 0.22, (240, 236, 220), (120, 170, 160), rows=2, cols=6, roof="gable")
    c.tree(0.1, 0.5, 0.07, (64, 140, 80))
    c.tree(0.45, 0.5, 0.05, (70, 150, 90))
    c.gradient((200, 206, 180), (176, 182, 160), 0.5, 1)
    c.tent(0.06, 0.82, 0.52, 0.36, (34, 150, 120))
    # a green plus on the tent roof (a health post sign, not the Red Cross emblem)
    px, py, s = c.X(0.32), c.Y(0.52), c.X(0.018)
    c.d.rectangle([px - s * 1.6, py - s * 1.6, px + s * 1.6, py + s * 1.6], fill=(255, 255, 255))
    c.d.rectangle([px - s * 0.4, py - s * 1.2, px + s * 0.4, py + s * 1.2], fill=(30, 150, 90))
    c.d.rectangle([px - s * 1.2, py - s * 0.4, px + s * 1.2, py + s * 0.4], fill=(30, 150, 90))
    # health workers in white, a queue of residents
    for fx in (0.16, 0.3, 0.44):
        c.person(fx, 0.8, 0.24, (250, 250, 250), skin=c.rnd.choice(SKINS), hat=(240, 240, 240))
    c.crowd(7, (0.58, 0.96), 0.92, 0.28, BATIK)
    c.finish(path)


def scene_waste(path: Path) -> None:
    """Waste bank: coloured bins, sacks on a scale, a small depot."""
    c = Canvas(1200, 750, seed=505)
    c.gradient((176, 214, 234), (234, 244, 240), 0, 0.6)
    c.clouds(3, (0.05, 0.2))
    c.building(0.08, 0.6, 0.5, 0.3, (226, 214, 180), (110, 140, 130), rows=2, cols=5, roof="gable")
    c.d.rectangle([c.X(0.28), c.Y(0.45), c.X(0.38), c.Y(0.6)], fill=(90, 70, 52))
    c.tree(0.72, 0.6, 0.08, (60, 130, 70))
    c.tree(0.9, 0.6, 0.06, (76, 140, 80))
    c.gradient((186, 182, 170), (160, 156, 146), 0.6, 1)
    for i, col in enumerate([(40, 140, 70), (240, 190, 40), (200, 60, 50), (50, 110, 190)]):
        x = 0.08 + i * 0.1
        c.d.rounded_rectangle([c.X(x), c.Y(0.66), c.X(x + 0.07), c.Y(0.88)], radius=SS * 6, fill=col)
        c.d.rectangle([c.X(x - 0.005), c.Y(0.64), c.X(x + 0.075), c.Y(0.68)], fill=shade(col, 0.75))
    for i in range(6):  # sacks of sorted plastic
        x = 0.52 + (i % 3) * 0.07
        y = 0.9 - (i // 3) * 0.08
        c.d.ellipse([c.X(x), c.Y(y - 0.12), c.X(x + 0.08), c.Y(y)], fill=(236, 236, 228))
        c.d.ellipse([c.X(x + 0.025), c.Y(y - 0.135), c.X(x + 0.055), c.Y(y - 0.105)], fill=(200, 200, 190))
    c.person(0.78, 0.94, 0.3, (60, 126, 96), skin=SKINS[1], hat=(40, 40, 46))
    c.person(0.88, 0.94, 0.28, (171, 68, 52), skin=SKINS[3])
    c.finish(path)


def scene_stage(path: Path) -> None:
    """Evening festival: lit stage with dancers, light beams, crowd."""
    c = Canvas(1200, 750, seed=606)
    c.gradient((24, 28, 70), (120, 60, 110), 0, 0.55)
    c.gradient((120, 60, 110), (40, 30, 50), 0.55, 1)
    for i in range(40):
        x, y = c.rnd.uniform(0, 1), c.rnd.uniform(0, 0.3)
        r = SS * c.rnd.choice([1, 1, 2])
        c.d.ellipse([c.X(x) - r, c.Y(y) - r, c.X(x) + r, c.Y(y) + r], fill=(255, 250, 220))
    # truss and stage
    c.d.rectangle([c.X(0.18), c.Y(0.18), c.X(0.82), c.Y(0.21)], fill=(150, 150, 160))
    for fx in (0.18, 0.8):
        c.d.rectangle([c.X(fx), c.Y(0.18), c.X(fx + 0.02), c.Y(0.62)], fill=(150, 150, 160))
    c.d.rectangle([c.X(0.2), c.Y(0.21), c.X(0.8), c.Y(0.58)], fill=(60, 30, 80))
    c.d.rectangle([c.X(0.14), c.Y(0.58), c.X(0.86), c.Y(0.66)], fill=(30, 24, 36))

    def beams(d: ImageDraw.ImageDraw) -> None:
        for i, col in enumerate([(255, 200, 80), (120, 200, 255), (255, 120, 180), (255, 230, 140)]):
            sx = c.X(0.24 + i * 0.17)
            d.polygon([(sx - SS * 6, c.Y(0.21)), (sx + SS * 6, c.Y(0.21)),
                       (sx + c.X(0.09 - 0.06 * i), c.Y(0.6)), (sx - c.X(0.03 + 0.04 * i), c.Y(0.6))],
                      fill=(*col, 70))
        d.ellipse([c.X(0.3), c.Y(0.5), c.X(0.7), c.Y(0.64)], fill=(255, 220, 160, 90))
    c.overlay(beams, blur=5)
    for i, fx in enumerate((0.36, 0.46, 0.56, 0.66)):  # dancers in traditional costume
        c.person(fx, 0.58, 0.22, [(200, 40, 50), (230, 180, 40)][i % 2], skin=SKINS[i],
                 hat=(230, 180, 40), arm_up=True)
    # crowd silhouettes in front
    rnd = c.rnd
    for row, (base, h) in enumerate(((0.86, 0.3), (0.96, 0.34), (1.05, 0.38))):
        for k in range(12 - row * 2):
            fx = (k + rnd.uniform(0, 0.6)) / (12 - row * 2)
            c.person(fx, base, h * rnd.uniform(0.9, 1.05), (22 + row * 4, 18, 30), skin=(30, 24, 34),
                     pants=(20, 16, 26), arm_up=rnd.random() < 0.25)
    c.finish(path, quality=86)


def scene_hall(path: Path) -> None:
    """Public budget hearing: council chamber with a long table and screen."""
    c = Canvas(1200, 750, seed=707)
    c.gradient((226, 218, 200), (206, 196, 176), 0, 0.62)
    c.gradient((150, 110, 80), (120, 86, 60), 0.62, 1)
    # wood panelling and a projection screen with a bar chart
    for i in range(12):
        x = i / 12
        c.d.rectangle([c.X(x), c.Y(0.36), c.X(x + 1 / 12) - SS * 2, c.Y(0.62)], fill=(168, 124, 84))
    c.d.rectangle([c.X(0.3), c.Y(0.06), c.X(0.7), c.Y(0.34)], fill=(250, 250, 250))
    for i, h in enumerate((0.1, 0.16, 0.08, 0.2, 0.13)):
        c.d.rectangle([c.X(0.36 + i * 0.06), c.Y(0.3 - h), c.X(0.4 + i * 0.06), c.Y(0.3)],
                      fill=[(40, 100, 170), (230, 150, 40)][i % 2])
    # flags on stands
    for fx in (0.12, 0.84):
        c.d.rectangle([c.X(fx), c.Y(0.1), c.X(fx + 0.004), c.Y(0.62)], fill=(200, 170, 60))
        c.d.rectangle([c.X(fx + 0.004), c.Y(0.11), c.X(fx + 0.07), c.Y(0.16)], fill=(206, 32, 40))
        c.d.rectangle([c.X(fx + 0.004), c.Y(0.16), c.X(fx + 0.07), c.Y(0.21)], fill=(250, 250, 250))
    # officials behind the long table
    for i, fx in enumerate((0.2, 0.32, 0.44, 0.56, 0.68, 0.8)):
        c.person(fx, 0.74, 0.3, [(250, 250, 250), (44, 60, 96), (120, 100, 70)][i % 3], skin=SKINS[i % 5],
                 hat=(30, 30, 34) if i % 2 else None)
    c.d.rectangle([c.X(0.12), c.Y(0.6), c.X(0.88), c.Y(0.76)], fill=(96, 62, 40))
    c.d.rectangle([c.X(0.12), c.Y(0.6), c.X(0.88), c.Y(0.62)], fill=(240, 240, 236))
    for i in range(6):  # microphones and name plates
        x = 0.2 + i * 0.12
        c.d.line([(c.X(x), c.Y(0.6)), (c.X(x + 0.02), c.Y(0.53))], fill=(30, 30, 30), width=SS * 2)
        c.d.rectangle([c.X(x - 0.03), c.Y(0.62), c.X(x + 0.03), c.Y(0.66)], fill=(240, 236, 220))
    # audience from behind
    for k in range(9):
        c.person(0.06 + k * 0.11, 1.08, 0.36, (60 + 10 * (k % 3), 64, 80), skin=(60, 44, 36), pants=(40, 40, 46))
    c.finish(path)


def scene_library(path: Path) -> None:
    """Children's reading corner: shelves of books, low tables, kids reading."""
    c = Canvas(1200, 750, seed=808)
    c.gradient((250, 240, 220), (240, 226, 200), 0, 0.7)
    c.gradient((190, 150, 110), (170, 130, 96), 0.7, 1)
    rnd = c.rnd
    book_cols = [(200, 70, 60), (40, 110, 170), (240, 190, 60), (70, 150, 100), (150, 90, 160),
                 (230, 130, 60), (60, 60, 90), (220, 220, 210)]
    for sx in (0.03, 0.36, 0.69):
        c.d.rectangle([c.X(sx), c.Y(0.08), c.X(sx + 0.28), c.Y(0.7)], fill=(150, 104, 64))
        for shelf in range(5):
            y1 = 0.2 + shelf * 0.12
            c.d.rectangle([c.X(sx + 0.01), c.Y(y1 - 0.1), c.X(sx + 0.27), c.Y(y1)], fill=(110, 74, 44))
            x = sx + 0.012
            while x < sx + 0.26:
                bw = rnd.uniform(0.008, 0.016)
                bh = rnd.uniform(0.06, 0.095)
                if x + bw > sx + 0.268:
                    break
                c.d.rectangle([c.X(x), c.Y(y1 - bh), c.X(x + bw), c.Y(y1)], fill=rnd.choice(book_cols))
                x += bw + 0.002
            c.d.rectangle([c.X(sx + 0.01), c.Y(y1), c.X(sx + 0.27), c.Y(y1 + 0.012)], fill=(170, 120, 76))
    # a rug and low table
    c.d.ellipse([c.X(0.15), c.Y(0.74), c.X(0.85), c.Y(0.98)], fill=(70, 140, 150))
    c.d.ellipse([c.X(0.2), c.Y(0.77), c.X(0.8), c.Y(0.95)], fill=(90, 160, 168))
    for i, fx in enumerate((0.28, 0.4, 0.6, 0.72)):
        c.person(fx, 0.9, 0.18, BATIK[i], skin=SKINS[i])
        c.d.rectangle([c.X(fx - 0.03), c.Y(0.78), c.X(fx + 0.03), c.Y(0.82)],
                      fill=book_cols[(i * 3) % len(book_cols)])
    c.person(0.5, 0.93, 0.32, (132, 72, 120), skin=SKINS[3], hat=(40, 40, 46))  # storyteller
    c.finish(path)


def scene_cityhall(path: Path) -> None:
    """Guests in front of a colonial-era city hall with a fountain."""
    c = Canvas(1200, 750, seed=909)
    c.gradient((110, 170, 226), (206, 228, 244), 0, 0.5)
    c.clouds(5, (0.04, 0.24))
    # the hall: wide white building with a central tower and dome roof
    c.building(0.1, 0.62, 0.8, 0.26, (244, 240, 230), (110, 130, 140), rows=2, cols=14, roof="flat")
    c.building(0.42, 0.62, 0.16, 0.42, (246, 242, 232), (110, 130, 140), rows=4, cols=3, roof="dome")
    c.d.rectangle([c.X(0.46), c.Y(0.5), c.X(0.54), c.Y(0.62)], fill=(96, 70, 50))
    c.palm(0.05, 0.66, 0.08)
    c.palm(0.95, 0.66, 0.08)
    c.gradient((120, 170, 100), (96, 146, 84), 0.62, 1)
    c.d.ellipse([c.X(0.36), c.Y(0.66), c.X(0.64), c.Y(0.78)], fill=(150, 190, 220))
    c.d.ellipse([c.X(0.4), c.Y(0.68), c.X(0.6), c.Y(0.76)], fill=(110, 160, 210))
    c.overlay(lambda d: d.ellipse([c.X(0.47), c.Y(0.56), c.X(0.53), c.Y(0.71)], fill=(235, 245, 255, 150)), blur=3)
    # a group photo: guests in suits, hosts in batik
    palette = [(40, 46, 66), (44, 96, 150), (171, 68, 52), (30, 34, 44), (214, 160, 60), (60, 126, 96)]
    for i in range(9):
        fx = 0.14 + i * 0.09
        c.person(fx, 0.97, 0.3 + (0.02 if i % 2 else 0), palette[i % len(palette)], skin=[(226, 196, 170), SKINS[i % 5]][i % 2],
                 pants=(34, 36, 46))
    c.finish(path)


def scene_van(path: Path) -> None:
    """Mobile civil-registry service: a van with an awning, residents queueing."""
    c = Canvas(1200, 750, seed=1010)
    c.gradient((150, 200, 236), (226, 240, 248), 0, 0.5)
    c.clouds(3, (0.04, 0.2))
    for fx, h in ((0.0, 0.18), (0.14, 0.12), (0.74, 0.2), (0.88, 0.16)):
        c.building(fx, 0.52, 0.13, h, mix((230, 214, 180), (200, 190, 170), c.rnd.random()),
                   (120, 150, 160), rows=2, cols=3, roof="gable")
    c.tree(0.34, 0.52, 0.05, (60, 130, 76))
    c.gradient((176, 176, 168), (150, 150, 144), 0.52, 1)
    vx, vy = 0.3, 0.82
    c.d.rounded_rectangle([c.X(vx), c.Y(vy - 0.3), c.X(vx + 0.36), c.Y(vy)], radius=c.X(0.02), fill=(36, 96, 170))
    c.d.rounded_rectangle([c.X(vx + 0.36), c.Y(vy - 0.2), c.X(vx + 0.44), c.Y(vy)], radius=c.X(0.015), fill=(36, 96, 170))
    c.d.rectangle([c.X(vx + 0.37), c.Y(vy - 0.18), c.X(vx + 0.42), c.Y(vy - 0.1)], fill=(180, 210, 230))
    c.d.rectangle([c.X(vx), c.Y(vy - 0.12), c.X(vx + 0.44), c.Y(vy - 0.09)], fill=(250, 200, 40))
    c.d.rectangle([c.X(vx + 0.04), c.Y(vy - 0.26), c.X(vx + 0.3), c.Y(vy - 0.14)], fill=(230, 236, 240))
    for wx in (vx + 0.08, vx + 0.36):
        c.d.ellipse([c.X(wx - 0.035), c.Y(vy - 0.05), c.X(wx + 0.035), c.Y(vy + 0.06)], fill=(40, 40, 44))
        c.d.ellipse([c.X(wx - 0.015), c.Y(vy - 0.015), c.X(wx + 0.015), c.Y(vy + 0.03)], fill=(170, 170, 170))
    # awning and service desk
    c.d.polygon([(c.X(vx - 0.2), c.Y(vy - 0.3)), (c.X(vx), c.Y(vy - 0.34)), (c.X(vx), c.Y(vy - 0.28)),
                 (c.X(vx - 0.2), c.Y(vy - 0.25))], fill=(240, 240, 236))
    c.d.rectangle([c.X(vx - 0.19), c.Y(vy - 0.25), c.X(vx - 0.185), c.Y(vy + 0.05)], fill=(150, 150, 150))
    c.d.rectangle([c.X(vx - 0.16), c.Y(vy - 0.06), c.X(vx - 0.02), c.Y(vy + 0.04)], fill=(200, 200, 196))
    c.person(vx - 0.09, vy - 0.04, 0.2, (44, 60, 96), skin=SKINS[2])
    c.crowd(6, (0.72, 0.98), 0.95, 0.3, BATIK)
    c.person(0.05, 0.95, 0.3, BATIK[4], skin=SKINS[0], arm_up=True)
    c.finish(path)


def chart_png(path: Path) -> None:
    """A bar chart of monthly deposits (PNG: flat colours, sharp edges).

    Deliberately without labels: the article's table carries the numbers.
    """
    w, h = 1000, 560
    img = Image.new("RGB", (w, h), (252, 251, 247))
    d = ImageDraw.Draw(img)
    values = [3.1, 3.4, 3.9, 4.2, 4.0, 4.8, 5.3, 5.9, 6.4, 7.1]  # tonnes, Jan..Oct
    x0, y0, x1, y1 = 70, 40, 960, 500
    for k in range(0, 9, 2):
        y = y1 - (y1 - y0) * k / 8
        d.line([(x0, y), (x1, y)], fill=(222, 220, 212), width=2)
    bw = (x1 - x0) / len(values)
    for i, v in enumerate(values):
        top = y1 - (y1 - y0) * v / 8
        col = (46, 139, 87) if i < len(values) - 1 else (230, 150, 40)
        d.rectangle([x0 + i * bw + bw * 0.18, top, x0 + (i + 1) * bw - bw * 0.18, y1], fill=col)
    d.line([(x0, y1), (x1, y1)], fill=(90, 90, 90), width=3)
    d.line([(x0, y0 - 10), (x0, y1)], fill=(90, 90, 90), width=3)
    img.save(path, "PNG", optimize=True)


def logo_png(path: Path) -> None:
    """Publisher logo: a rounded badge with the city's obelisk and a paper fold.

    Transparent background (RGBA) so it sits on any page colour.
    """
    size = 512
    big = size * 4
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    m = big * 0.04
    d.rounded_rectangle([m, m, big - m, big - m], radius=int(big * 0.22), fill=(18, 84, 140, 255))
    d.rounded_rectangle([m * 3, m * 3, big - m * 3, big - m * 3], radius=int(big * 0.18),
                        outline=(246, 196, 62, 255), width=int(big * 0.02))
    cx = big / 2
    # obelisk
    d.polygon([(cx - big * 0.06, big * 0.74), (cx - big * 0.035, big * 0.3), (cx, big * 0.2),
               (cx + big * 0.035, big * 0.3), (cx + big * 0.06, big * 0.74)], fill=(255, 255, 255, 255))
    d.rectangle([cx - big * 0.14, big * 0.74, cx + big * 0.14, big * 0.79], fill=(255, 255, 255, 255))
    # signal waves on both sides of the monument: the bulletin "broadcasts"
    tip = (cx, big * 0.3)
    for k, r in enumerate((0.16, 0.26)):
        box = [tip[0] - big * r, tip[1] - big * r, tip[0] + big * r, tip[1] + big * r]
        for start in (145, -35):
            d.arc(box, start, start + 70, fill=(246, 196, 62, 255), width=int(big * 0.03))
    img = img.resize((size, size), Image.Resampling.LANCZOS)
    img.save(path, "PNG", optimize=True)


def main() -> None:
    r46 = PUB / "2025-46" / "images"
    r47 = PUB / "2025-47" / "images"
    (PUB / "images").mkdir(parents=True, exist_ok=True)
    r46.mkdir(parents=True, exist_ok=True)
    r47.mkdir(parents=True, exist_ok=True)
    logo_png(PUB / "images" / "logo.png")
    scene_cover(r46 / "sampul.jpg")
    scene_road(r46 / "perbaikan-jalan.jpg")
    scene_expo(r46 / "expo-umkm.jpg")
    scene_expo(r46 / "stan-umkm.jpg", close=True, seed=207)
    scene_flood(r46 / "simulasi-banjir.jpg")
    scene_health(r46 / "cek-kesehatan.jpg")
    scene_waste(r46 / "bank-sampah.jpg")
    chart_png(r46 / "grafik-setoran.png")
    scene_stage(r47 / "festival-kayutangan.jpg")
    scene_hall(r47 / "uji-publik-anggaran.jpg")
    scene_library(r47 / "pojok-baca.jpg")
    scene_cityhall(r47 / "delegasi-lodz.jpg")
    scene_van(r47 / "adminduk-keliling.jpg")
    for p in sorted(PUB.rglob("*")):
        if p.suffix in (".jpg", ".png"):
            print(f"{p.relative_to(HERE)}  {p.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
