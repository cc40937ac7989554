"""Value parsing shared by the readers and the source loader.

Each function takes the raw value from YAML (or a reader), the file and line
it came from, and returns a model value or raises :class:`InputError` with a
message that tells the user what to write instead.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Problems, fail
from ..images import MAX_BYTES, MAX_PIXELS, ImageLimits, check_image
from ..model import Figure
from ..text import clean_line
from ..urls import is_remote, normal_web_url, url_scheme, web_url_flaw

if TYPE_CHECKING:
    from ..fetch import RemoteFetcher

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp"}

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxdict = _repr.maxtuple = 4
_repr.maxlevel = 2


def short(value: Any) -> str:
    """A bounded repr of a user value for messages (a YAML alias bomb stays short)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return _repr.repr(value)


@dataclass(frozen=True)
class Limits:
    """The ``limits:`` key of release.yaml / publication.yaml (README "Safety")."""

    image_pixels: int = MAX_PIXELS
    image_bytes: int = MAX_BYTES
    download_seconds: float = 20.0

    @property
    def images(self) -> ImageLimits:
        return ImageLimits(self.image_pixels, self.image_bytes)


LIMIT_KEYS = {"image_pixels", "image_bytes", "download_seconds"}


@dataclass
class ReadContext:
    """What a reader needs to know about the release an article belongs to."""

    root: Path  # files referenced by the article must stay inside this folder
    timezone: str = "Asia/Jakarta"
    language: str = "id"
    release_date: dt.date | None = None
    strict: bool = False
    problems: Problems = field(default_factory=Problems)
    extra_roots: tuple[Path, ...] = ()  # e.g. the publication folder for shared images
    limits: Limits = field(default_factory=Limits)
    # Set only by ``--allow-remote``: without it a remote image URL is an error.
    fetcher: RemoteFetcher | None = None
    # Pictures already checked (path -> reason or None): each is decoded once per load.
    checked_images: dict[Path, str | None] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# ---------------------------------------------------------------- dates

_TZ_ABBREV = {"WIB": "+07:00", "WITA": "+08:00", "WIT": "+09:00"}


def _scalar_text(value: Any, file: Path, line: int | None, key: str) -> str:
    """The cleaned text of a scalar YAML value; a list or mapping is an error."""
    if isinstance(value, (dict, list)):
        kind = "a list" if isinstance(value, list) else "a mapping"
        raise fail(file, f"`{key}` must be a single value, not {kind}", line)
    return clean_line(str(value))


def parse_timezone(value: Any, file: Path, line: int | None) -> str:
    name = _scalar_text(value, file, line, "timezone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise fail(file, f"unknown time zone {short(name)}; use an IANA name such as "
                   "'Asia/Jakarta', 'Asia/Makassar' or 'Asia/Jayapura'", line) from None
    return name


MIN_YEAR, MAX_YEAR = 1900, 2199  # outside this, a date is a typo (0205, 20025)


def _check_year(stamp: dt.date, value: Any, file: Path, line: int | None, key: str) -> None:
    if not MIN_YEAR <= stamp.year <= MAX_YEAR:
        raise fail(file, f"`{key}` {short(value)} is out of range (years {MIN_YEAR}-{MAX_YEAR}); "
                   "a typo in the year?", line)


def parse_date(value: Any, tz: ZoneInfo, file: Path, line: int | None,
               key: str = "date") -> tuple[dt.datetime, bool]:
    """YAML date / datetime / ISO string -> (aware datetime, has_time).

    A time without an offset is in ``tz``; ``WIB``/``WITA``/``WIT`` after the
    time are accepted as the Indonesian zone offsets.
    """
    if isinstance(value, dt.datetime):
        stamp, has_time = value, True
    elif isinstance(value, dt.date):
        stamp, has_time = dt.datetime(value.year, value.month, value.day), False
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        for abbrev, offset in _TZ_ABBREV.items():
            if text.upper().endswith(" " + abbrev):
                text = text[: -len(abbrev)].strip() + offset
                break
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                d = dt.date.fromisoformat(text)
                stamp, has_time = dt.datetime(d.year, d.month, d.day), False
            else:
                stamp, has_time = dt.datetime.fromisoformat(text.replace(" ", "T", 1)), True
        except ValueError as exc:
            if "out of range" in str(exc) or "must be in" in str(exc):
                raise fail(file, f"`{key}` {short(value)} is not a real date or time "
                           f"({exc})", line) from None
            raise fail(file, f"`{key}` is not a valid ISO 8601 date: {short(value)} "
                       "(write e.g. 2025-11-10 or 2025-11-10T09:30:00+07:00)", line) from None
    else:
        raise fail(file, f"`{key}` must be an ISO 8601 date such as 2025-11-10, "
                   f"got {short(value)}", line)
    _check_year(stamp, value, file, line, key)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=tz)
    return stamp, has_time


def parse_plain_date(value: Any, file: Path, line: int | None, key: str = "date") -> dt.date:
    """A calendar date (a date-time is cut to its date); impossible dates are errors."""
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            day = (dt.date.fromisoformat(text) if len(text) == 10
                   else dt.datetime.fromisoformat(text.replace(" ", "T", 1)).date())
        except ValueError as exc:
            if "out of range" in str(exc) or "must be in" in str(exc):
                raise fail(file, f"`{key}` {short(value)} is not a real date ({exc})",
                           line) from None
            day = None
    if day is None:
        raise fail(file, f"`{key}` must be an ISO 8601 date such as 2025-11-10, "
                   f"got {short(value)}", line)
    _check_year(day, value, file, line, key)
    return day


def use_release_yaml_beside(folder: Path, ctx: ReadContext) -> ReadContext:
    """Release date, time zone and language from a ``release.yaml`` in ``folder``.

    A lone pasted ``.txt`` takes them from the release it sits in, for
    ``import``, ``inspect`` and ``build`` alike; without the file ``ctx`` is
    returned unchanged.
    """
    meta = folder / "release.yaml"
    if not meta.is_file():
        return ctx
    from ..yamlio import load_mapping, read_text_file

    doc = load_mapping(read_text_file(meta, "release.yaml"), meta)
    data = doc.data
    if data.get("date") is not None:
        ctx.release_date = parse_plain_date(data["date"], meta, doc.line("date"))
    if data.get("timezone"):
        ctx.timezone = parse_timezone(data["timezone"], meta, doc.line("timezone"))
    if data.get("language"):
        ctx.language = parse_language(data["language"], meta, doc.line("language"))
    return ctx


# ---------------------------------------------------------------- scalars

_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|\d{3}))?(-[A-Za-z0-9]{5,8})*$")


def parse_language(value: Any, file: Path, line: int | None, key: str = "language") -> str:
    tag = _scalar_text(value, file, line, key).replace("_", "-")
    if not _LANG.match(tag):
        raise fail(file, f"`{key}` is not a BCP 47 language tag: {short(value)} "
                   "(write e.g. id, en or id-ID)", line)
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(tag.split("-")[0])
    except (UnknownLocaleError, ValueError):
        raise fail(file, f"`{key}`: unknown language {tag!r}", line) from None
    parts = tag.split("-")
    parts[0] = parts[0].lower()
    return "-".join(p.upper() if len(p) == 2 and i else p for i, p in enumerate(parts))


def parse_str(value: Any, file: Path, line: int | None, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        kind = "list" if isinstance(value, list) else "mapping"
        raise fail(file, f"`{key}` must be text, not a {kind}", line)
    return clean_line(str(value))


def parse_str_list(value: Any, file: Path, line: int | None, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items = [v for v in re.split(r"\s*[,;]\s*", value) if v.strip()]
    elif isinstance(value, list):
        items = []
        for v in value:
            if isinstance(v, (dict, list)):
                raise fail(file, f"`{key}` must be a list of text values", line)
            items.append(str(v))
    else:
        raise fail(file, f"`{key}` must be a list", line)
    return tuple(x for x in (clean_line(i) for i in items) if x)


def parse_bool(value: Any, file: Path, line: int | None, key: str) -> bool:
    if isinstance(value, bool):
        return value
    raise fail(file, f"`{key}` must be true or false, got {short(value)}", line)


def parse_int(value: Any, file: Path, line: int | None, key: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise fail(file, f"`{key}` must be a whole number >= {minimum}, got {short(value)}", line)
    return value


def parse_url(value: Any, file: Path, line: int | None, key: str) -> str:
    """An absolute http(s) URL, percent-encoded; raises InputError naming ``key``."""
    url = _scalar_text(value, file, line, key)
    flaw = web_url_flaw(url)
    if flaw:
        raise fail(file, f"`{key}` {flaw}, got {short(value)}", line)
    return normal_web_url(url)


# Indonesian names for the keys, accepted as aliases: the people who write the
# sources think in Indonesian ("tanggal", not "date").
KEY_ALIASES = {
    "judul": "title", "tanggal": "date", "tempat": "dateline", "penulis": "authors",
    "kode_penulis": "byline", "rubrik": "section", "kategori": "section", "label": "tags",
    "ringkasan": "summary", "gambar": "image", "foto": "image", "sumber": "source",
    "bahasa": "language", "edisi": "edition", "penerbit": "publisher",
    "deskripsi": "description", "sampul": "cover", "tema": "theme", "artikel": "articles",
    "zona_waktu": "timezone",
}


def normalize_keys(data: dict, known: set[str], file: Path, lines: dict[str, int],
                   problems: Problems, what: str) -> None:
    """Rename Indonesian aliases to their keys in ``data`` (and ``lines``) and warn
    about keys that are neither, with a "did you mean" hint."""
    for key in list(data):
        if key in known:
            continue
        target = KEY_ALIASES.get(str(key).casefold())
        if target in known:
            if target in data:
                problems.add(file, f"`{key}` and `{target}` are the same key; keep one",
                             lines.get(key))
                continue
            data[target] = data.pop(key)
            if key in lines:
                lines[target] = lines[key]
            continue
        close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        problems.warn(file, f"unknown {what} key `{key}` ignored{hint}", lines.get(key))


# ---------------------------------------------------------------- paths and images



def resolve_inside(ref: str, base_dir: Path, roots: tuple[Path, ...], file: Path,
                   line: int | None, what: str = "file") -> Path:
    """Resolve ``ref`` relative to ``base_dir``; it must stay inside one of ``roots``.

    Absolute paths, ``..`` that climbs out and symlinks that point outside are
    refused: a release must not be able to pull arbitrary files into a
    published document.  Returns the real (symlink-free) path of an existing
    regular file; raises InputError naming ``file`` and ``line`` otherwise.
    """
    ref = ref.strip()
    if not ref:
        raise fail(file, f"empty {what} path", line)
    if "\x00" in ref:
        raise fail(file, f"{what} path contains a NUL character", line)
    if is_remote(ref):
        raise fail(file, f"{what} {short(ref)} is remote; publikasi does not download during a "
                   "build: save it into the release's images/ folder (or build with "
                   "--allow-remote)", line)
    if os.path.isabs(ref) or re.match(r"^[A-Za-z]:[\\/]", ref) or url_scheme(ref):
        raise fail(file, f"{what} {short(ref)} must be a path relative to the file that uses it",
                   line)
    candidate = base_dir / ref
    try:
        real = Path(os.path.realpath(candidate))
        real_roots = [Path(os.path.realpath(r)) for r in roots]
        inside = any(real == r or r in real.parents for r in real_roots)
        exists, regular = real.exists(), real.is_file()
    except (OSError, ValueError) as exc:
        raise fail(file, f"{what} {short(ref)}: {getattr(exc, 'strerror', None) or exc}",
                   line) from None
    if not inside:
        raise fail(file, f"{what} {short(ref)} is outside the source folder "
                   "(`..`, an absolute path or a symlink that leaves it)", line)
    if not exists:
        raise fail(file, f"{what} {short(ref)} not found", line)
    if not regular:
        raise fail(file, f"{what} {short(ref)} is not a file", line)
    return real


def resolve_image(ref: str, base_dir: Path, ctx: ReadContext, file: Path, line: int | None,
                  what: str = "image") -> Path:
    """Resolve an image reference (see :func:`resolve_inside`) and check the picture.

    A remote URL is downloaded only when the build allows it (``ctx.fetcher``).
    The picture must open with Pillow within ``ctx.limits``; the error names
    ``file:line`` and the reference as written.
    """
    ref = ref.strip()
    if is_remote(ref) and ctx.fetcher is not None:
        from ..fetch import FetchError

        try:
            path = ctx.fetcher.fetch(ref, ctx.limits.image_bytes, ctx.limits.download_seconds)
        except FetchError as exc:
            raise fail(file, f"{what} {short(ref)}: {exc}", line) from None
    else:
        path = resolve_inside(ref, base_dir, (ctx.root, *ctx.extra_roots), file, line, what)
    if path not in ctx.checked_images:
        ctx.checked_images[path] = check_image(path, ctx.limits.images)
    reason = ctx.checked_images[path]
    if reason:
        raise fail(file, f"{what} {short(ref)}: {reason}", line)
    return path


def parse_limits(value: Any, file: Path, line: int | None, base: Limits | None = None) -> Limits:
    """``limits: {image_pixels: 60000000, image_bytes: 40000000, download_seconds: 20}``."""
    base = base or Limits()
    if not isinstance(value, dict):
        raise fail(file, "`limits` must be a mapping such as {image_pixels: 60000000, "
                   "image_bytes: 40000000}", line)
    unknown = sorted(set(map(str, value)) - LIMIT_KEYS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(LIMIT_KEYS), n=1)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        raise fail(file, f"unknown limits key `{unknown[0]}`{hint}", line)
    pixels = parse_int(value.get("image_pixels", base.image_pixels), file, line,
                       "limits.image_pixels", 1)
    size = parse_int(value.get("image_bytes", base.image_bytes), file, line,
                     "limits.image_bytes", 1)
    seconds = value.get("download_seconds", base.download_seconds)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= 600:
        raise fail(file, f"`limits.download_seconds` must be a number of seconds between 0 "
                   f"and 600, got {short(seconds)}", line)
    return Limits(pixels, size, float(seconds))


_CREDIT = re.compile(
    r"\s*[\(\[]\s*((?:foto|photo|dok|dokumentasi|ist|istimewa|sumber foto|kredit|credit)"
    r"\b[^()\[\]]*)[\)\]]\s*$",
    re.IGNORECASE,
)


def split_credit(caption: str) -> tuple[str, str]:
    """``"Wali kota ... (Foto: Deny/Humas)"`` -> ``("Wali kota ...", "Deny/Humas")``."""
    m = _CREDIT.search(caption)
    if not m:
        return caption, ""
    credit = re.sub(r"^(foto|photo|kredit|credit)\s*[:/]\s*", "", m.group(1).strip(),
                    flags=re.IGNORECASE)
    return caption[: m.start()].rstrip(), credit.strip()


def parse_image(value: Any, base_dir: Path, ctx: ReadContext, file: Path,
                line: int | None, key: str = "image") -> Figure | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = {"src": value}
    if not isinstance(value, dict):
        raise fail(file, f"`{key}` must be a path or a mapping with src, alt, caption, credit",
                   line)
    allowed = ["alt", "caption", "credit", "src"]
    unknown = sorted(set(map(str, value)) - set(allowed))
    if unknown:
        close = difflib.get_close_matches(unknown[0], allowed, n=1)
        hint = f"did you mean `{close[0]}`? " if close else ""
        raise fail(file, f"`{key}` has unknown key `{unknown[0]}` ({hint}"
                   "allowed: src, alt, caption, credit)", line)
    src = value.get("src")
    path = None
    if isinstance(src, (dict, list)):
        raise fail(file, f"`{key}.src` must be a file path", line)
    if src not in (None, ""):
        path = resolve_image(str(src), base_dir, ctx, file, line, "image")
    caption = parse_str(value.get("caption"), file, line, f"{key}.caption")
    credit = parse_str(value.get("credit"), file, line, f"{key}.credit")
    if caption and not credit:
        caption, credit = split_credit(caption)
    return Figure(src=path, alt=parse_str(value.get("alt"), file, line, f"{key}.alt"),
                  caption=caption, credit=credit)
