"""Which file a picture in an edited Word file stands for.

publikasi writes each body picture with its source path in ``wp:docPr/@name``
and the prepared picture's digest in ``pic:cNvPr/@name``
(``img-<sha256-16>.jpg``).  A picture is *unchanged* when

1. the embedded bytes still have that digest (Word keeps the bytes of a
   picture it did not touch), or
2. the source file named in ``docPr/@name`` exists and the embedded bytes
   are what publikasi makes of it, or look the same (a program that
   re-encodes pictures, such as LibreOffice, changes the bytes, not the
   picture);

it then keeps its source path.  Any other picture (replaced, added, or one
whose source is not at hand) is extracted into ``images/<sha256-16>.<ext>``
of the destination folder, named by its content so the same picture is
stored once.  Pictures publikasi cannot use (EMF, WMF, SVG without a
raster fallback) keep their caption as a photo placeholder, with a warning.
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from PIL import Image, ImageChops, ImageStat

from ..errors import InputError
from ..images import ImageLimits, ImageRejected, ImageStore, open_image
from .package import DocxPackage
from .walk import IMAGE_SUFFIXES, Picture

_DIGEST_NAME = re.compile(r"^img-([0-9a-f]{16})\.(?:jpg|jpeg|png)$")
_EXT = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp",
        "TIFF": ".tif", "BMP": ".bmp"}
# Mean absolute difference (0-255) of two 32x32 thumbnails below which two
# pictures are the same photo re-encoded; a different photo is far above it.
SAME_PICTURE = 6.0


@dataclass
class Resolved:
    """A picture's fate: kept (``kept`` = its source path) or extracted (``data``)."""

    picture: Picture
    kept: Path | None = None
    data: bytes = b""
    ext: str = ""
    reason: str = ""  # why it was extracted, for the report

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:16]

    def extracted_name(self) -> str:
        return f"images/{self.digest}{self.ext}"


@dataclass
class PictureResolver:
    """Resolves pictures of one package against the folder their names are relative to."""

    pkg: DocxPackage
    base: Path | None  # folder docPr names are relative to (the release), when known
    limits: ImageLimits = field(default_factory=ImageLimits)
    warnings: list[str] = field(default_factory=list)
    store: ImageStore = field(default_factory=ImageStore)
    # Source files of the original article's pictures: a picture whose name was
    # lost (LibreOffice renames a picture used twice) is still matched by content.
    candidates: list[Path] = field(default_factory=list)
    _cache: dict[tuple[str, str, str], Resolved | None] = field(default_factory=dict)
    _kept_blobs: dict[str, Path] = field(default_factory=dict)

    def prime(self, pictures: list[Picture]) -> None:
        """Resolve named pictures before nameless ones (which may share their bytes)."""
        for pic in sorted(pictures, key=lambda p: not source_name(p.name)):
            self.resolve(pic)

    def resolve(self, pic: Picture) -> Resolved | None:
        """None when the picture cannot be used at all (reported in ``warnings``)."""
        key = (pic.target, pic.name, pic.inner_name)
        if key not in self._cache:
            self._cache[key] = self._resolve(pic)
        return self._cache[key]

    def _resolve(self, pic: Picture) -> Resolved | None:
        try:
            blob = self.pkg.blob(pic.target)
        except InputError as exc:
            why = exc.problems[0].message if exc.problems else "it is missing"
            self.warnings.append(f"picture {pic.name or pic.target} cannot be read ({why}); "
                                 "kept its caption only")
            return None
        name = source_name(pic.name)
        m = _DIGEST_NAME.match(pic.inner_name or "")
        digest = hashlib.sha256(blob).hexdigest()
        if name and m and digest[:16] == m.group(1):
            kept_ext = ".png" if pic.inner_name.endswith(".png") else ".jpg"
            kept = PurePath_to_path(self.base, name)
            self._kept_blobs.setdefault(digest, kept)
            return Resolved(pic, kept=kept, data=blob, ext=kept_ext)
        ext, why_not = self._check(blob)
        if name and self.base is not None:
            source = self.base / name
            if source.is_file() and self._same_as_source(blob, source):
                self._kept_blobs.setdefault(digest, source)
                return Resolved(pic, kept=source, data=blob if ext else b"", ext=ext or "")
        if not name:
            if digest in self._kept_blobs:
                return Resolved(pic, kept=self._kept_blobs[digest], data=blob, ext=ext or "")
            for source in self.candidates:
                if source.is_file() and self._same_as_source(blob, source):
                    self._kept_blobs.setdefault(digest, source)
                    return Resolved(pic, kept=source, data=blob, ext=ext or "")
        if ext is None:
            self.warnings.append(f"picture {pic.name or pic.target} cannot be used "
                                 f"({why_not}); kept its caption as a photo placeholder — "
                                 "insert it as JPEG or PNG")
            return None
        if (name and m) or (name and self.base is not None and (self.base / name).is_file()):
            reason = "replaced"
        elif name:
            reason = f"its source {name} is not at hand"
        else:
            reason = "new or replaced"
        return Resolved(pic, data=blob, ext=ext, reason=reason)

    def _same_as_source(self, blob: bytes, source: Path) -> bool:
        try:
            prepared = self.store.prepare(source, "screen")
        except InputError:
            return False
        if prepared.data == blob:
            return True
        try:
            with Image.open(io.BytesIO(prepared.data)) as a:
                mine = _thumb(a)
            with _open_blob(blob, self.limits) as b:
                theirs = _thumb(b)
        except (ImageRejected, OSError, ValueError):
            return False
        ratio_a = prepared.width / prepared.height
        ratio_b = theirs[1]
        if abs(ratio_a - ratio_b) / ratio_a > 0.03:
            return False
        diff = ImageStat.Stat(ImageChops.difference(mine[0], theirs[0])).mean
        return sum(diff) / len(diff) < SAME_PICTURE

    def _check(self, blob: bytes) -> tuple[str | None, str]:
        try:
            with _open_blob(blob, self.limits) as img:
                fmt = img.format or ""
        except ImageRejected as exc:
            return None, str(exc)
        ext = _EXT.get(fmt)
        if ext is None:
            return None, f"{fmt or 'unknown'} pictures are not supported"
        return ext, ""


def PurePath_to_path(base: Path | None, name: str) -> Path:
    """``base/name``; without a base, the bare relative name (resolved by the caller)."""
    return (base / name) if base is not None else Path(name)


def source_name(name: str) -> str:
    """``docPr/@name`` when it is a safe relative picture path (what publikasi writes)."""
    if not name or "\\" in name or name.startswith("/") or ":" in name:
        return ""
    path = PurePosixPath(name)
    if any(part in ("..", "") for part in path.parts) or path.suffix.lower() not in \
            IMAGE_SUFFIXES:
        return ""
    return path.as_posix()


class _open_blob:
    """Open picture bytes with the image pipeline's checks (formats, bombs, truncation)."""

    def __init__(self, blob: bytes, limits: ImageLimits) -> None:
        self.blob = blob
        self.limits = limits
        self.tmp: tempfile.TemporaryDirectory | None = None
        self.img: Image.Image | None = None

    def __enter__(self) -> Image.Image:
        if len(self.blob) > self.limits.max_bytes:
            raise ImageRejected(f"the picture has {len(self.blob):,} bytes, more than the "
                                f"limit of {self.limits.max_bytes:,}")
        self.tmp = tempfile.TemporaryDirectory(prefix="publikasi-docx-")
        path = Path(self.tmp.name) / "picture"
        path.write_bytes(self.blob)
        self.img = open_image(path, self.limits, draft=True)
        return self.img

    def __exit__(self, *exc: object) -> None:
        if self.img is not None:
            self.img.close()
        if self.tmp is not None:
            self.tmp.cleanup()


def _thumb(img: Image.Image) -> tuple[Image.Image, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rgb = img.convert("RGB")
    ratio = rgb.width / rgb.height
    return rgb.resize((32, 32), Image.Resampling.BILINEAR), ratio


def picture_target(folder: Path, resolved: Resolved) -> Path | None:
    """Where an extracted picture goes: ``folder/images/<digest><ext>``; None when it is there.

    A different file already holding that name (a digest prefix clash) moves
    the picture to a longer digest name.
    """
    target = folder / resolved.extracted_name()
    for candidate in (target, target.with_name(
            f"{hashlib.sha256(resolved.data).hexdigest()[:32]}{resolved.ext}")):
        if not candidate.is_file():
            return candidate
        try:
            if candidate.read_bytes() == resolved.data:
                return None
        except OSError:
            return candidate  # the change set reports why it cannot be written
    return target
