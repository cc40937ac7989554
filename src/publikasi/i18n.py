"""Dates and times in the reader's language (Babel), with Indonesian time zones."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

# Babel (~10 ms to import) is imported on first use: the exporters import this
# module, and every build looks up every exporter, also when it makes only feeds.

# Indonesia's three zones are known to readers by these names, not by offsets.
_ZONE_NAMES = {7: "WIB", 8: "WITA", 9: "WIT"}


@lru_cache(maxsize=64)
def babel_locale(language: str) -> str:
    """The Babel locale for a BCP 47 tag; English when Babel does not know it."""
    from babel import Locale, UnknownLocaleError

    lang = (language or "id").split("-")[0].lower()
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return "en"
    return lang


def zone_name(stamp: dt.datetime) -> str:
    """'WIB'/'WITA'/'WIT' for Indonesian offsets, otherwise 'UTC+05:30' style."""
    offset = stamp.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    if minutes % 60 == 0 and minutes // 60 in _ZONE_NAMES:
        return _ZONE_NAMES[minutes // 60]
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def long_date(day: dt.date | dt.datetime, language: str = "id") -> str:
    """``Senin, 10 November 2025`` / ``Monday, 10 November 2025``."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return _day_text(day, "EEEE, d MMMM y", language)


def short_date(day: dt.date | dt.datetime, language: str = "id") -> str:
    """``10 November 2025``."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return _day_text(day, "d MMMM y", language)


@lru_cache(maxsize=4096)
def _day_text(day: dt.date, pattern: str, language: str) -> str:
    # Every page header and article of an edition prints the same few dates;
    # Babel takes about 0.1 ms for each.
    from babel.dates import format_date as _format_date

    return _format_date(day, pattern, locale=babel_locale(language))


def time_of_day(stamp: dt.datetime, language: str = "id") -> str:
    """``09.30 WIB`` (Indonesian) / ``09:30 WIB`` (English)."""
    from babel.dates import format_time as _format_time

    pattern = "HH.mm" if babel_locale(language) == "id" else "HH:mm"
    return f"{_format_time(stamp.timetz(), pattern, locale=babel_locale(language))} " \
           f"{zone_name(stamp)}".strip()


def article_date(stamp: dt.datetime, has_time: bool, language: str = "id") -> str:
    """The date line under a headline: date, plus time and zone when known."""
    text = long_date(stamp, language)
    return f"{text}, {time_of_day(stamp, language)}" if has_time else text
