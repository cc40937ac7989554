"""Helpers shared by the safety tests (bad input, atomic builds, security, repro, fuzz).

Small sources are written from Python dicts so each test shows the exact bytes
it feeds publikasi; pictures are made with Pillow at test time.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image

# `error: FILE[:LINE]: message` / `warning: ...`; FILE may itself contain colons
# only in odd names, which these tests do not use.
LINE = re.compile(r"^(?P<kind>error|warning): (?P<file>[^:]+?)(?::(?P<line>\d+))?: (?P<msg>.+)$")

Content = str | bytes | Callable[[Path], None]


def write_tree(root: Path, files: dict[str, Content]) -> None:
    """Create ``files`` below ``root``: text, bytes, or a callable that makes the path."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def tree_digest(root: Path) -> dict[str, str]:
    """Every entry below ``root`` (hidden ones too) -> sha256 of its bytes, or its kind.

    Compared before/after a failed build this proves "byte-for-byte untouched".
    A missing ``root`` gives ``{}``, so "did not exist before" is checked too.
    """
    out: dict[str, str] = {}
    if not os.path.lexists(root):
        return out
    if root.is_file():
        return {".": hashlib.sha256(root.read_bytes()).hexdigest()}
    for dirpath, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            p = Path(dirpath, name)
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = "symlink:" + os.readlink(p)
            elif p.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def parse_stderr(stderr: str) -> list[dict]:
    """Parse every non-empty stderr line; fail on any line that is not error:/warning:."""
    found = []
    assert "Traceback" not in stderr, stderr
    for raw in stderr.splitlines():
        if not raw.strip():
            continue
        m = LINE.match(raw)
        assert m, f"stderr line is not `error|warning: FILE[:LINE]: message`: {raw!r}"
        d = m.groupdict()
        d["line"] = int(d["line"]) if d["line"] else None
        found.append(d)
    return found


# ---------------------------------------------------------------- pictures


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: str = "steelblue",
               exif: bytes | None = None, **save: object) -> bytes:
    img = Image.new("RGB", size, color)
    buf = io.BytesIO()
    if exif is not None:
        save["exif"] = exif
    save.setdefault("quality", 85)
    img.save(buf, "JPEG", **save)
    return buf.getvalue()


def noisy_jpeg(size: tuple[int, int] = (600, 600)) -> bytes:
    """A JPEG that compresses badly (hundreds of kB), for byte limits."""
    img = Image.merge("RGB", [Image.effect_noise(size, 120).convert("L")] * 3)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    return buf.getvalue()


def png_bytes(size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    img = Image.new(mode, size, "darkgreen" if mode == "RGB" else None)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def exif_with_gps(marker: str) -> bytes:
    """EXIF with a GPS position and ``marker`` in text tags (to grep outputs for)."""
    exif = Image.Exif()
    exif[0x010E] = f"desc {marker}"  # ImageDescription
    exif[0x010F] = f"make {marker}"  # Make
    gps = {1: "S", 2: (7.0, 58.0, 0.5), 3: "E", 4: (112.0, 37.0, 12.25),
           0x1B: f"proc {marker}".encode("ascii")}  # GPSProcessingMethod
    exif[0x8825] = gps
    return exif.tobytes()


# ---------------------------------------------------------------- sources

RELEASE_YAML = """\
title: Warta Uji
date: 2025-11-10
edition: 46/2025
base_url: https://warta.example/berita/
"""

ARTICLE_MD = """\
---
title: Wali Kota Resmikan Taman Baru
date: 2025-11-10T09:00:00+07:00
dateline: Klojen
authors: [Humas]
---
Pemerintah kota meresmikan taman baru di pusat kota.

![Taman baru](images/foto.jpg "Suasana taman (Foto: Humas)")

Warga menyambut baik taman ini.
"""


def valid_release(extra: dict[str, Content] | None = None, root: str = "rel") -> dict[str, Content]:
    """A small valid release folder ``root``; ``extra`` adds or replaces files."""
    files: dict[str, Content] = {
        f"{root}/release.yaml": RELEASE_YAML,
        f"{root}/a.md": ARTICLE_MD,
        f"{root}/images/foto.jpg": jpeg_bytes(),
    }
    for rel, content in (extra or {}).items():
        files[rel] = content
    return files


def article(title: str = "Judul", date: str = "2025-11-10", body: str = "Isi berita.",
            extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n{body}\n"
