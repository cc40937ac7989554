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

import contextlib
import hashlib
import importlib
import io
import math
import os
import re
import stat
import warnings
from collections.abc import Iterator
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
# A smaller width of the web edition's srcset is its larger one halved
# (Pillow's ``reduce``, the mean of each 2x2 block) when the picture has that
# larger width: the 480 px thumb of a 1200 px photo is its 960 px medium
# halved, not a second LANCZOS from the full picture.  Its pixels differ from
# LANCZOS alone by less than a third of what the JPEG encoding itself changes
# (on the benchmark's photos, PSNR 44-46 dB against 37).  Each profile's pixels stay a function of
# the file's bytes alone, whether the larger width was made before or not.
HALF_OF = {"thumb": "medium"}
# Decoded pictures and widths kept for the next profile of the same file
# (the web edition asks for one picture in three widths in a row), up to
# this many pixels each.
KEPT_PIXELS = 4_000_000
JPEG_QUALITY = {"print": 88, "screen": 82, "medium": 80, "thumb": 80}
# MPO is what some cameras call a JPEG with a second (depth/preview) frame.
ALLOWED_FORMATS = ("JPEG", "MPO", "PNG", "GIF", "WEBP", "TIFF", "BMP")
READABLE = "JPEG, PNG, GIF, WebP, TIFF or BMP"
# Pillow's plugins for ALLOWED_FORMATS (MPO's opens through JPEG's).  Only
# these are imported: Image.init() imports all ~45, some 15 ms more per build.
_PLUGINS = ("Bmp", "Gif", "Jpeg", "Mpo", "Png", "Tiff", "WebP")


def _register_plugins() -> None:
    for name in _PLUGINS:
        importlib.import_module(f"PIL.{name}ImagePlugin")

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


def open_header(path: Path, limits: ImageLimits = ImageLimits()) -> tuple[Image.Image, bytes]:
    """``path`` opened but not decoded (Pillow reads the header only), and its bytes.

    Every check that needs no pixels is done: a regular file within the byte
    and pixel limits, in one of :data:`ALLOWED_FORMATS`.  Raises
    :class:`ImageRejected` with the reason.
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
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageRejected(f"cannot read it ({exc.strerror})") from None
    if data[:8] == _PNG_SIGNATURE:
        # Pillow refuses a PNG whose colour profile or text unpacks to more
        # than 1 MB ("Decompressed Data Too Large", a zip-bomb guard), which
        # reads as a damaged file.  Those chunks are metadata, dropped anyway.
        data = _png_without_packed_metadata(data)
    with _rejecting(limits):
        _register_plugins()
        img = Image.open(io.BytesIO(data),
                         formats=[f for f in ALLOWED_FORMATS if f in Image.OPEN])
        if img.width * img.height > limits.max_pixels:
            raise ImageRejected(
                f"the picture has {img.width}x{img.height} pixels, more than the limit of "
                f"{limits.max_pixels:,} pixels (`limits: image_pixels`)")
        if img.width < 1 or img.height < 1:
            raise ImageRejected("the picture has no pixels")
    return img, data


@contextlib.contextmanager
def _rejecting(limits: ImageLimits) -> Iterator[None]:
    """Pillow's errors while opening or decoding, as :class:`ImageRejected`."""
    # Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; the
    # warning is turned into an error so the limit is the real limit.
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
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


def decode(img: Image.Image, limits: ImageLimits = ImageLimits(), *, draft: bool = False,
           shrink_to: int | None = None) -> Image.Image:
    """Decode a picture from :func:`open_header`; raise :class:`ImageRejected`.

    ``draft=True`` lets JPEG decode at a reduced scale: every byte is still
    read (truncation is detected), at a fraction of the cost; for checks only.
    ``shrink_to`` (the longest side the picture will be scaled down to) lets
    a JPEG decode at the smallest scale that keeps :data:`DRAFT_GAP` times
    that size.
    """
    with _rejecting(limits):
        if draft and img.format in ("JPEG", "MPO"):
            img.draft("RGB", (max(img.width // 8, 1), max(img.height // 8, 1)))
        else:
            request = _draft_request(img, shrink_to)
            if request is not None:
                img.draft(None, request)
        img.load()
    return img


def _draft_request(img: Image.Image, shrink_to: int | None) -> tuple[int, int] | None:
    """The size a JPEG to be shrunk to ``shrink_to`` is asked to decode at (None: full)."""
    if not shrink_to or img.format not in ("JPEG", "MPO"):
        return None
    scale = shrink_to * DRAFT_GAP / max(img.size)
    if scale >= 1:
        return None
    return (math.ceil(img.width * scale), math.ceil(img.height * scale))


def open_image(path: Path, limits: ImageLimits = ImageLimits(), *, draft: bool = False,
               shrink_to: int | None = None) -> Image.Image:
    """Open and fully decode ``path``; raise :class:`ImageRejected` with the reason.

    ``draft`` and ``shrink_to`` as in :func:`decode`.
    """
    img, _ = open_header(path, limits)
    return decode(img, limits, draft=draft, shrink_to=shrink_to)


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
        # The file (path and bytes) whose decoded pictures and widths are kept,
        # and those: ("decoded", draft request) or ("width", profile) -> picture.
        self._kept_for: tuple[Path, bytes] | None = None
        self._kept: dict[tuple[str, object], Image.Image] = {}

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

    def _open(self, path: Path) -> tuple[Image.Image, bytes]:
        try:
            return open_header(path, self.limits)
        except ImageRejected as exc:
            raise fail(path, f"image: {exc}") from None

    def _decode(self, path: Path, img: Image.Image, shrink_to: int) -> Image.Image:
        try:
            return decode(img, self.limits, shrink_to=shrink_to)
        except ImageRejected as exc:
            raise fail(path, f"image: {exc}") from None

    def _kept_picture(self, path: Path, data: bytes, what: tuple[str, object]
                      ) -> Image.Image | None:
        if self._kept_for is None or self._kept_for[0] != path or self._kept_for[1] != data:
            return None
        return self._kept.get(what)

    def _keep(self, path: Path, data: bytes, what: tuple[str, object], img: Image.Image) -> None:
        if self._kept_for is None or self._kept_for[0] != path or self._kept_for[1] != data:
            self._kept_for, self._kept = (path, data), {}
        if img.width * img.height <= KEPT_PIXELS:
            self._kept[what] = img

    def _normalised(self, path: Path, img: Image.Image, data: bytes,
                    longest: int) -> Image.Image:
        """``img`` decoded (at a scale for ``longest``), upright, RGB (RGBA if transparent)."""
        what = ("decoded", _draft_request(img, longest))
        kept = self._kept_picture(path, data, what)
        if kept is not None:
            return kept
        img = self._decode(path, img, longest)
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
        self._keep(path, data, what, img)
        return img

    def _pixels(self, path: Path, img: Image.Image, data: bytes, profile: str) -> Image.Image:
        """The picture's pixels at ``profile``'s size (not to be changed: they may be kept)."""
        longest = PROFILES.get(profile, PROFILES["screen"])
        larger = HALF_OF.get(profile)
        if larger is not None and max(img.size) >= PROFILES[larger] == 2 * longest:
            half = self._pixels(path, img, data, larger).reduce(2)
            half.thumbnail((longest, longest), Image.Resampling.LANCZOS)  # an odd side
            return half
        kept = self._kept_picture(path, data, ("width", profile))
        if kept is not None:
            return kept
        norm = self._normalised(path, img, data, longest)
        if max(norm.size) <= longest:
            return norm
        norm = norm.copy()  # the decoded picture may be kept for another profile
        norm.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        if profile in HALF_OF.values():
            self._keep(path, data, ("width", profile), norm)
        return norm

    def _prepare(self, path: Path, profile: str) -> PreparedImage:
        longest = PROFILES.get(profile, PROFILES["screen"])
        img, data = self._open(path)
        passed = passed_through(img, data, longest)
        if passed is not None:
            img.close()
            return PreparedImage(passed, "image/jpeg", img.width, img.height,
                                 hashlib.sha256(passed).hexdigest()[:16])
        img = self._pixels(path, img, data, profile)
        has_alpha = img.mode == "RGBA"
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


# ---------------------------------------------------------------- pass-through

# A JPEG larger than this (bytes per pixel) is re-encoded even when its size
# and colours need no change: a camera's finest setting (quality 95-100) takes
# 0.6-1.5 bytes a pixel, the profiles' qualities (80-88) 0.1-0.35 for the same
# photo, so re-encoding it shrinks the file several times; at or below this,
# re-encoding would save little and cost a lossy generation.
PASS_THROUGH_BYTES_PER_PIXEL = 0.5

# What every JPEG publikasi writes starts with: SOI and a JFIF APP0 (version
# 1.01, no unit, 1:1 pixels, no thumbnail), the same header Pillow writes.
# python-docx recognises a JPEG by FFD8FFE0 or FFD8FFE1.
_JFIF_HEAD = (b"\xff\xd8" + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
_SOF_BASELINE = 0xC0
_SOS, _EOI = 0xDA, 0xD9
# Component ids that tell a decoder the three channels are not YCbCr (RGB,
# lower-case rgb, big-gamut YCC): with a JFIF header some decoders would read
# them as YCbCr instead, so such a file is not passed through.
_NOT_YCBCR_IDS = ((0x52, 0x47, 0x42), (0x72, 0x67, 0x62), (0x01, 0x22, 0x23))
# The first marker after the entropy-coded data of a scan: FF followed by
# anything but a stuffed zero, a restart marker or a fill byte.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def passed_through(img: Image.Image, data: bytes, longest: int) -> bytes | None:
    """``data`` without metadata when the JPEG needs no pixel change, else None.

    Eligible (everything else is decoded and re-encoded): a baseline JPEG
    (SOF0, 8 bits, one scan holding all three components) in YCbCr, its EXIF
    orientation absent or 1, its longest side at most ``longest``, at most
    :data:`PASS_THROUGH_BYTES_PER_PIXEL`, ending in EOI right after its scan.
    ``img`` is the file opened by Pillow, not decoded.  The result is a new
    JFIF header and the file's own tables, frame header and entropy-coded
    data: every APPn segment (EXIF with GPS, XMP, ICC, IPTC, Adobe) and
    comment is dropped, so the pixels are exactly the file's.
    """
    if img.format != "JPEG" or img.mode != "RGB" or max(img.size) > longest:
        return None
    if len(data) > PASS_THROUGH_BYTES_PER_PIXEL * img.width * img.height:
        return None
    if "adobe" in img.info and img.info.get("adobe_transform") != 1:
        return None
    try:
        orientation = img.getexif().get(0x0112)
    except Exception:  # noqa: BLE001 - an unreadable EXIF: leave it to the decode path
        return None
    if orientation not in (None, 1):
        return None
    return _jpeg_without_metadata(data)


def _jpeg_without_metadata(data: bytes) -> bytes | None:
    """The segments of a single-scan baseline JPEG that are not metadata, or None."""
    if data[:2] != b"\xff\xd8" or data[-2:] != b"\xff\xd9":
        return None
    kept = [_JFIF_HEAD]
    pos = 2
    components = 0
    while True:
        if pos + 4 > len(data) or data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # a fill byte before a marker
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > len(data):
            return None
        segment = data[pos:end]
        if 0xC1 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return None  # progressive, lossless, arithmetic or extended frame
        if marker == _SOF_BASELINE:
            # precision, height, width, number of components, then 3 bytes each
            if length != 17 or segment[4] != 8 or segment[9] != 3:
                return None
            if tuple(segment[10:19:3]) in _NOT_YCBCR_IDS:
                return None
            components = 3
            kept.append(segment)
        elif marker == _SOS:
            if components != 3 or length != 12 or segment[4] != 3:
                return None  # no frame header yet, or a scan of fewer components
            after = _NEXT_MARKER.search(data, end)
            if after is None or after.start() != len(data) - 2:
                return None  # a second scan, a marker after the scan, or trailing bytes
            kept.append(data[pos:])
            return b"".join(kept)
        elif 0xE0 <= marker <= 0xEF or marker == 0xFE:
            pass  # APPn (JFIF, EXIF, XMP, ICC, IPTC, Adobe ...) or COM: metadata
        elif marker in (0xDB, 0xC4, 0xDD):  # quantisation, Huffman tables, restart interval
            kept.append(segment)
        else:
            return None  # anything else before the scan is unusual: decode instead
        pos = end
