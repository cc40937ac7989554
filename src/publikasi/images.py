"""One image pipeline for every format (Pillow).

Every picture goes through :meth:`ImageStore.prepare`: EXIF orientation is
applied and then all metadata (EXIF with GPS, XMP, comments) is dropped,
colour modes are normalised (CMYK, palette, 16-bit), formats a target cannot
take (WebP, TIFF, BMP ...) become JPEG or PNG, and the picture is scaled to
the profile's longest side.  Results are memoised per (file, profile).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import fail

# Longest side in pixels per purpose.  Print: 300 dpi across an A4 text block
# (~170 mm = 2008 px) with headroom; screen: e-readers, Word and feeds.
PROFILES = {"print": 2400, "screen": 1600, "thumb": 480}
MAX_PIXELS = 60_000_000  # a 24 MP camera photo passes, a decompression bomb does not
MAX_BYTES = 40_000_000
JPEG_QUALITY = {"print": 88, "screen": 82, "thumb": 80}


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    mime: str  # image/jpeg or image/png
    width: int
    height: int
    digest: str  # sha256 of data, first 16 hex digits: stable names and dedup

    @property
    def ext(self) -> str:
        return ".png" if self.mime == "image/png" else ".jpg"

    @property
    def name(self) -> str:
        return f"img-{self.digest}{self.ext}"

    @property
    def aspect(self) -> float:
        return self.height / self.width


class ImageStore:
    def __init__(self, max_pixels: int = MAX_PIXELS, max_bytes: int = MAX_BYTES) -> None:
        self.max_pixels = max_pixels
        self.max_bytes = max_bytes
        self._cache: dict[tuple[Path, str], PreparedImage] = {}

    def prepare(self, path: Path, profile: str = "screen") -> PreparedImage:
        key = (path, profile)
        if key not in self._cache:
            self._cache[key] = self._prepare(path, profile)
        return self._cache[key]

    def _open(self, path: Path) -> Image.Image:
        try:
            size = path.stat().st_size
        except OSError:
            raise fail(path, "image not found") from None
        if size > self.max_bytes:
            raise fail(path, f"image is larger than {self.max_bytes // 1_000_000} MB")
        if size == 0:
            raise fail(path, "image file is empty")
        Image.MAX_IMAGE_PIXELS = self.max_pixels
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                img = Image.open(path)
                if img.width * img.height > self.max_pixels:
                    raise fail(path, f"image has {img.width}x{img.height} pixels, more than "
                               f"the limit of {self.max_pixels:,}")
                img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise fail(path, "image is too large (decompression bomb guard)") from None
        except UnidentifiedImageError:
            raise fail(path, "not an image Pillow can read (JPEG, PNG, GIF, WebP, TIFF, BMP)") \
                from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise fail(path, f"image is damaged or truncated ({exc})") from None
        return img

    def _prepare(self, path: Path, profile: str) -> PreparedImage:
        img = self._open(path)
        try:
            img = ImageOps.exif_transpose(img) or img
        except Exception:  # noqa: BLE001 - broken EXIF must not stop a build
            pass
        has_alpha = img.mode in ("RGBA", "LA", "PA") or (
            img.mode == "P" and "transparency" in img.info)
        if has_alpha:
            img = img.convert("RGBA")
        elif img.mode != "RGB":
            if img.mode == "CMYK":
                # Adobe CMYK JPEGs are stored inverted; Pillow handles the flag.
                img = img.convert("RGB")
            elif img.mode in ("I;16", "I;16B", "I;16L", "I"):
                img = img.point(lambda v: v / 256).convert("RGB")
            else:
                img = img.convert("RGB")
        longest = PROFILES.get(profile, PROFILES["screen"])
        if max(img.size) > longest:
            img.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        if has_alpha:
            # Keep transparency (logos); PNG without text chunks carries no metadata.
            img.save(buf, "PNG", optimize=True)
            mime = "image/png"
        else:
            # A fresh JPEG without exif/icc arguments carries no camera or GPS data.
            img.save(buf, "JPEG", quality=JPEG_QUALITY.get(profile, 82), optimize=True,
                     progressive=False)
            mime = "image/jpeg"
        data = buf.getvalue()
        return PreparedImage(data, mime, img.width, img.height,
                             hashlib.sha256(data).hexdigest()[:16])
