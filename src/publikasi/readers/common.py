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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Problems, fail
from ..model import Figure
from ..text import clean_line

SAFE_LINK_SCHEMES = {"http", "https", "mailto", "tel", "ftp", "ftps", "news", "sms", "geo"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp"}


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

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# ---------------------------------------------------------------- dates

_TZ_ABBREV = {"WIB": "+07:00", "WITA": "+08:00", "WIT": "+09:00"}


def parse_timezone(value: Any, file: Path, line: int | None) -> str:
    name = clean_line(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(file, f"unknown time zone {name!r}; use an IANA name such as "
                   "'Asia/Jakarta', 'Asia/Makassar' or 'Asia/Jayapura'", line) from None
    return name


def parse_date(value: Any, tz: ZoneInfo, file: Path, line: int | None,
               key: str = "date") -> tuple[dt.datetime, bool]:
    """YAML date / datetime / ISO string -> (aware datetime, has_time)."""
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
        except ValueError:
            raise fail(file, f"`{key}` is not a valid ISO 8601 date: {value!r} "
                       "(write e.g. 2025-11-10 or 2025-11-10T09:30:00+07:00)", line) from None
    else:
        raise fail(file, f"`{key}` must be an ISO 8601 date such as 2025-11-10", line)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=tz)
    return stamp, has_time


def parse_plain_date(value: Any, file: Path, line: int | None, key: str = "date") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise fail(file, f"`{key}` must be an ISO 8601 date such as 2025-11-10, got {value!r}", line)


# ---------------------------------------------------------------- scalars

_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|\d{3}))?(-[A-Za-z0-9]{5,8})*$")


def parse_language(value: Any, file: Path, line: int | None, key: str = "language") -> str:
    tag = clean_line(value).replace("_", "-")
    if not _LANG.match(tag):
        raise fail(file, f"`{key}` is not a BCP 47 language tag: {value!r} "
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
        raise fail(file, f"`{key}` must be text, not a {'list' if isinstance(value, list) else 'mapping'}", line)
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
    raise fail(file, f"`{key}` must be true or false, got {value!r}", line)


def parse_int(value: Any, file: Path, line: int | None, key: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise fail(file, f"`{key}` must be a whole number >= {minimum}, got {value!r}", line)
    return value


def parse_url(value: Any, file: Path, line: int | None, key: str) -> str:
    url = clean_line(value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise fail(file, f"`{key}` must be an absolute http(s) URL such as "
                   f"https://malangkota.go.id/, got {value!r}", line)
    return url


def safe_link(url: str) -> bool:
    """True for links a reader may follow (no javascript:, data:, file: ...)."""
    scheme = urlsplit(url.strip()).scheme.lower()
    return scheme == "" or scheme in SAFE_LINK_SCHEMES


def warn_unknown_keys(data: dict, known: set[str], file: Path, lines: dict[str, int],
                      problems: Problems, what: str) -> None:
    for key in data:
        if key in known:
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
    published document.
    """
    ref = ref.strip()
    if not ref:
        raise fail(file, f"empty {what} path", line)
    if urlsplit(ref).scheme in ("http", "https", "ftp"):
        raise fail(file, f"{what} {ref!r} is remote; publikasi does not download during a "
                   "build: save it into the release's images/ folder", line)
    if os.path.isabs(ref) or re.match(r"^[A-Za-z]:[\\/]", ref) or urlsplit(ref).scheme:
        raise fail(file, f"{what} {ref!r} must be a path relative to the file that uses it", line)
    candidate = (base_dir / ref)
    real = Path(os.path.realpath(candidate))
    real_roots = [Path(os.path.realpath(r)) for r in roots]
    if not any(real == r or r in real.parents for r in real_roots):
        raise fail(file, f"{what} {ref!r} is outside the source folder", line)
    if not real.exists():
        raise fail(file, f"{what} {ref!r} not found", line)
    if not real.is_file():
        raise fail(file, f"{what} {ref!r} is not a file", line)
    return real


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
        raise fail(file, f"`{key}` must be a path or a mapping with src, alt, caption, credit", line)
    unknown = set(value) - {"src", "alt", "caption", "credit"}
    if unknown:
        raise fail(file, f"`{key}` has unknown key `{sorted(unknown)[0]}` "
                   "(allowed: src, alt, caption, credit)", line)
    src = value.get("src")
    path = None
    if src not in (None, ""):
        path = resolve_inside(str(src), base_dir, (ctx.root, *ctx.extra_roots), file, line,
                              "image")
    caption = parse_str(value.get("caption"), file, line, f"{key}.caption")
    credit = parse_str(value.get("credit"), file, line, f"{key}.credit")
    if caption and not credit:
        caption, credit = split_credit(caption)
    return Figure(src=path, alt=parse_str(value.get("alt"), file, line, f"{key}.alt"),
                  caption=caption, credit=credit)
