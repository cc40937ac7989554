"""One image pipeline for every format (Pillow).

Every picture goes through :meth:`ImageStore.prepare`: EXIF orientation is
applied and then all metadata (EXIF with GPS, XMP, comments) is dropped,
colour modes are normalised (CMYK, palette, 16-bit), formats a target cannot
take (WebP, TIFF, BMP ...) become JPEG or PNG, and the picture is scaled to
the profile's longest side.  Results are memoised per (file, profile).

Safety: only the raster formats in :data:`ALLOWED_FORMATS` are opened (no
EPS/PostScript, which Pillow would hand to Ghostscript), Pillow's
decompression-bomb guard is on and tightened to :class:`ImageLimits` (pixels
and bytes, configurable with the ``limits:`` key of release.yaml or
publication.yaml), and truncated files are errors, never half-grey pictures.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .errors import fail
from .regular import not_regular

# Longest side in pixels per purpose.  Print: 300 dpi across an A4 text block
# (~170 mm = 2008 px) with headroom; screen: e-readers, Word and feeds; medium
# and thumb: the smaller widths in the srcset of web pages.
PROFILES = {"print": 2400, "screen": 1600, "medium": 960, "thumb": 480}
MAX_PIXELS = 60_000_000  # a 24 MP camera photo passes, a decompression bomb does not
MAX_BYTES = 40_000_000
JPEG_QUALITY = {"print": 88, "screen": 82, "medium": 80, "thumb": 80}
# MPO is what some cameras call a JPEG with a second (depth/preview) frame.
ALLOWED_FORMATS = ("JPEG", "MPO", "PNG", "GIF", "WEBP", "TIFF", "BMP")
READABLE = "JPEG, PNG, GIF, WebP, TIFF or BMP"

# A truncated file must fail, not be padded with grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True)
class ImageLimits:
    """Largest picture a build accepts: decoded pixels and file bytes."""

    max_pixels: int = MAX_PIXELS
    max_bytes: int = MAX_BYTES


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


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Compressed metadata chunks of a PNG: colour profile, compressed and
# international text.  Dropped before Pillow sees the file: the pipeline
# discards metadata anyway and applies no colour profile.
_PNG_PACKED_METADATA = (b"iCCP", b"zTXt", b"iTXt")


def _png_without_packed_metadata(data: bytes) -> bytes:
    """``data`` without compressed metadata chunks; other bytes untouched.

    A malformed chunk list is left for Pillow to report.
    """
    out = [data[:8]]
    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data):
            return data
        if kind not in _PNG_PACKED_METADATA:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    out.append(data[pos:])
    return b"".join(out)


class ImageRejected(Exception):
    """Why a file cannot be used as a picture (message without the file name)."""


# A JPEG that is to be shrunk is decoded at 1/2, 1/4 or 1/8 scale (libjpeg's
# DCT scaling, Pillow's ``draft``) as long as that leaves at least this many
# times the final size for the resampling filter; 2.0 is what Pillow's own
# ``thumbnail(reducing_gap=2.0)`` uses, where the result is indistinguishable
# from resampling the full picture.
DRAFT_GAP = 2.0


def open_image(path: Path, limits: ImageLimits = ImageLimits(), *, draft: bool = False,
               shrink_to: int | None = None) -> Image.Image:
    """Open and fully decode ``path``; raise :class:`ImageRejected` with the reason.

    ``draft=True`` lets JPEG decode at a reduced scale: every byte is still
    read (truncation is detected), at a fraction of the cost; for checks only.
    ``shrink_to`` (the longest side the picture will be scaled down to) lets
    a JPEG decode at the smallest scale that keeps :data:`DRAFT_GAP` times
    that size.
    """
    try:
        st = os.stat(path)
    except OSError:
        raise ImageRejected("not found") from None
    if not stat.S_ISREG(st.st_mode):
        # Opening a FIFO would block for ever, a device never ends.
        raise ImageRejected(not_regular(st.st_mode, "picture file"))
    size = st.st_size
    if size == 0:
        raise ImageRejected("the file is empty")
    if size > limits.max_bytes:
        raise ImageRejected(f"the file has {size:,} bytes, more than the limit of "
                            f"{limits.max_bytes:,} (`limits: image_bytes`)")
    # Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; the
    # warning is turned into an error below so the limit is the real limit.
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    source: Path | io.BytesIO = path
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
        if head == _PNG_SIGNATURE:
            # Pillow refuses a PNG whose colour profile or text unpacks to more
            # than 1 MB ("Decompressed Data Too Large", a zip-bomb guard), which
            # reads as a damaged file.  Those chunks are metadata, dropped anyway.
            source = io.BytesIO(_png_without_packed_metadata(path.read_bytes()))
    except OSError as exc:
        raise ImageRejected(f"cannot read it ({exc.strerror})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.init()  # register every plugin, or open() may not know MPO/WEBP yet
            img = Image.open(source, formats=[f for f in ALLOWED_FORMATS if f in Image.OPEN])
            if img.width * img.height > limits.max_pixels:
                raise ImageRejected(
                    f"the picture has {img.width}x{img.height} pixels, more than the limit of "
                    f"{limits.max_pixels:,} pixels (`limits: image_pixels`)")
            if img.width < 1 or img.height < 1:
                raise ImageRejected("the picture has no pixels")
            if draft and img.format in ("JPEG", "MPO"):
                img.draft("RGB", (max(img.width // 8, 1), max(img.height // 8, 1)))
            elif shrink_to and img.format in ("JPEG", "MPO"):
                scale = shrink_to * DRAFT_GAP / max(img.size)
                if scale < 1:
                    img.draft(None, (math.ceil(img.width * scale),
                                     math.ceil(img.height * scale)))
            img.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(f"the picture has more than the limit of {limits.max_pixels:,} "
                            "pixels (`limits: image_pixels`; decompression-bomb guard)") from None
    except UnidentifiedImageError:
        raise ImageRejected(f"not a picture publikasi can read ({READABLE})") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected(f"the picture is damaged or truncated ({exc})") from None
    except MemoryError:
        raise ImageRejected("the picture is too large to decode") from None
    return img


def check_image(path: Path, limits: ImageLimits = ImageLimits()) -> str | None:
    """None when ``path`` is a usable picture, else the reason (for load-time checks)."""
    try:
        open_image(path, limits, draft=True).close()
    except ImageRejected as exc:
        return str(exc)
    return None


class ImageStore:
    def __init__(self, max_pixels: int = MAX_PIXELS, max_bytes: int = MAX_BYTES) -> None:
        self.max_pixels = max_pixels
        self.max_bytes = max_bytes
        self._cache: dict[tuple[Path, str], PreparedImage] = {}

    @property
    def limits(self) -> ImageLimits:
        return ImageLimits(self.max_pixels, self.max_bytes)

    def prepare(self, path: Path, profile: str = "screen") -> PreparedImage:
        """The picture at ``path`` re-encoded for ``profile``, without any metadata.

        Raises InputError naming ``path`` when it is not a usable picture.
        """
        key = (path, profile)
        if key not in self._cache:
            self._cache[key] = self._prepare(path, profile)
        return self._cache[key]

    def _open(self, path: Path, shrink_to: int | None = None) -> Image.Image:
        try:
            return open_image(path, self.limits, shrink_to=shrink_to)
        except ImageRejected as exc:
            raise fail(path, f"image: {exc}") from None

    def _prepare(self, path: Path, profile: str) -> PreparedImage:
        longest = PROFILES.get(profile, PROFILES["screen"])
        img = self._open(path, shrink_to=longest)
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
        if max(img.size) > longest:
            img.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        # A new image holding only the pixels: nothing of ``info`` (EXIF, GPS,
        # XMP, comments, ICC) can be carried into the encoder by any default.
        clean = Image.new(img.mode, img.size)
        clean.paste(img)
        buf = io.BytesIO()
        if has_alpha:
            # Keep transparency (logos); a PNG without text chunks carries no metadata.
            clean.save(buf, "PNG", optimize=True)
            mime = "image/png"
        else:
            clean.save(buf, "JPEG", quality=JPEG_QUALITY.get(profile, 82), optimize=True,
                       progressive=False)
            mime = "image/jpeg"
        data = buf.getvalue()
        return PreparedImage(data, mime, clean.width, clean.height,
                             hashlib.sha256(data).hexdigest()[:16])
