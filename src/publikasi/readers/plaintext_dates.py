"""Dates as press officers write them, for the plain-text reader.

Recognised (case-insensitive, Indonesian and English):

* day name + numeric date in brackets: ``Senin (10/11/2025)``, ``Rabu (08/03/2024)``,
  ``(24/3/17)``, no year ``Selasa (15/6)``, ``Jum'at (7-11-2025)``;
* numeric date without brackets: ``Rabu 31/3/2021``, ``31/3/2021``;
* day-first with a month name: ``Sabtu 31 Mei 2025``, ``Kamis, 16 Okt 2025 19:53 WIB``,
  ``6 November 2023``, ``Sabtu, 31 Mei`` (no year);
* month-first English: ``May 29, 2017``, ``Thursday, November 6, 2025``;
* a time of day next to the date: ``pukul 09.00 WIB``, ``19:53 WITA``, ``at 10.30``.

Numeric dates are always day-first (English releases from Indonesia keep it).
The functions here only find and validate; the reader decides what to do with
a date that cannot be used (warn, or fail under ``--strict``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DAY_NAMES = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "sabtu": 5, "minggu": 6,
    "ahad": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5,
    "sun": 6, "sen": 0, "sel": 1, "rab": 2, "kam": 3, "jum": 4, "sab": 5, "min": 6,
}
MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "ags": 8, "agt": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}
TZ_OFFSETS = {"WIB": 7, "WITA": 8, "WIT": 9}

_DAY_FULL = r"(?P<wd>senin|selasa|rabu|kamis|jum['’`]?at|sabtu|minggu|ahad|monday|tuesday|" \
            r"wednesday|thursday|friday|saturday|sunday)"
# Next to a date also the short names of page headers: "Wed., Jan. 10", "Jum, 30 Mei 2025".
_DAY = r"(?P<wd>senin|selasa|rabu|kamis|jum['’`]?at|sabtu|minggu|ahad|monday|tuesday|" \
       r"wednesday|thursday|friday|saturday|sunday|(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun|" \
       r"sen|sel|rab|kam|jum|sab|min)(?=[.,]))\.?"
# Longest names first so that "September" is not read as "Sep" + "tember".
_MON = "(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"

_PART_OF_DAY = r"(?:(?:pagi|siang|sore|malam|dini\s+hari)\s*,?\s*)?"
_PATTERNS = [
    # Senin (10/11/2025), (10/11/2025), Selasa (15/6), Senin pagi (21/8)
    re.compile(rf"(?:\b{_DAY}\s*,?\s*{_PART_OF_DAY})?\(\s*(?P<d>\d{{1,2}})\s*[/.-]\s*"
               rf"(?P<m>\d{{1,2}})(?:\s*[/.-]\s*(?P<y>\d{{1,4}}))?\s*\)", re.IGNORECASE),
    # Rabu 31/3/2021, 31/3/2021, Rabu, 31-3-21, 24-09-2024
    re.compile(rf"(?:\b{_DAY}\s*,?\s+)?(?<![\d/.-])(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/"
               rf"(?P<y>\d{{2,4}})(?![\d/])", re.IGNORECASE),
    # Sabtu, 31 Mei 2025 / 6 November 2023 / Sabtu 31 Mei
    re.compile(rf"(?:\b{_DAY}\s*,?\s*(?:tanggal\s+|tgl\.?\s*)?)?\b(?P<d>\d{{1,2}})\s+"
               rf"{_MON}\b\.?(?:\s+(?P<y>\d{{4}})\b)?", re.IGNORECASE),
    # May 29, 2017 / Thursday, November 6, 2025
    re.compile(rf"(?:\b{_DAY}\s*,?\s*)?\b{_MON}\b\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
               rf"\s*,?\s+(?P<y>\d{{4}})\b", re.IGNORECASE),
    # Tuesday, June 10 (a day name makes a month and day without a year a date)
    re.compile(rf"\b{_DAY}\s*,?\s+{_MON}\b\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE),
    # Rabu, 22/02 (a day name makes a bare day/month a date)
    re.compile(rf"\b{_DAY}\s*,?\s+(?<![\d/.-])(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?![\d/])",
               re.IGNORECASE),
    # Selasa 24-09-2024
    re.compile(rf"(?:\b{_DAY}\s*,?\s+)?(?<![\d/.-])(?P<d>\d{{1,2}})-(?P<m>\d{{1,2}})-"
               rf"(?P<y>\d{{4}})(?![\d-])", re.IGNORECASE),
    # 2022-09-27 (ISO, from a page's metadata)
    re.compile(r"(?<![\d/.-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])"),
]
# Wire style inside a dateline, no year: "March 3", "Dec. 27", "Thursday, March 3"
_LOOSE = re.compile(rf"(?:\b{_DAY}\s*,?\s*)?\b{_MON}\b\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
                    rf"(?:\s*,?\s+(?P<y>\d{{4}})\b)?", re.IGNORECASE)
_DAY_ONLY = re.compile(rf"\b(?:hari\s+|on\s+)?{_DAY_FULL}\b", re.IGNORECASE)
_TIME = (r"(?P<H>\d{1,2})[.:](?P<M>\d{2})(?!\d)(?:\s*(?P<ampm>[ap])\.?m\b\.?)?"
         r"(?:\s*(?P<tz>WITA|WIB|WIT)\b)?")
_TIME_AFTER = re.compile(
    r"\s*[,\-–|]?\s*(?:\(\s*)?(?:(?:pagi|siang|sore|malam|mulai|sejak|sekitar|tepat|hari\s+ini)\s+)*"
    rf"(?:(?P<kw>pukul|pkl\.?|jam|at|sekitar pukul)\s*)?{_TIME}", re.IGNORECASE)
_TIME_BEFORE = re.compile(
    rf"(?:(?P<kw>pukul|pkl\.?|jam|at)\s*){_TIME}\s*(?:[,;]\s*)?(?:(?:pada|hari|on)\s+)*\Z",
    re.IGNORECASE)


@dataclass(frozen=True)
class DateMatch:
    """A date found in text; ``year`` is None when the text gave none."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    weekday: int | None = None  # 0 = Monday, from a day name next to the date
    hour: int | None = None
    minute: int | None = None
    utc_offset: int | None = None  # hours, from WIB/WITA/WIT
    raw_year: str = ""  # the year exactly as written ("202" for a typo)
    text: str = ""


def _weekday(name: str | None) -> int | None:
    if not name:
        return None
    return DAY_NAMES.get(re.sub(r"['’`]", "", name.lower()))


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    if len(raw) == 2:
        return 2000 + int(raw)
    if len(raw) == 4:
        return int(raw)
    return -1  # one or three digits: a typo such as (25/8/202)


def _time_near(text: str, start: int, end: int) -> tuple[int, int, int | None] | None:
    after = _TIME_AFTER.match(text, end, min(len(text), end + 40))
    m = after
    if m is None or (not m.group("kw") and not m.group("tz") and ":" not in m.group(0)):
        m = None
        before = _TIME_BEFORE.search(text, max(0, start - 40), start)
        if before is not None:
            m = before
    if m is None:
        return None
    hour, minute = int(m.group("H")), int(m.group("M"))
    if m.group("ampm") and 1 <= hour <= 12:  # 5:00PM, 11:30 a.m.
        hour = hour % 12 + (12 if m.group("ampm").lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    tz = m.group("tz")
    return hour, minute, TZ_OFFSETS[tz.upper()] if tz else None


def find_dates(text: str, loose: bool = False) -> list[DateMatch]:
    """Every date written in ``text``, in order of position, without overlaps.

    ``loose`` also accepts a month name and day without a year ("March 3"),
    as wire datelines write them.
    """
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for pattern in [*_PATTERNS, _LOOSE] if loose else _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            raw_year = groups.get("y") or ""
            if pattern is _PATTERNS[0] and not raw_year and not groups.get("wd"):
                continue  # "(2/3)" alone is a fraction or a score, not a date
            if pattern is _PATTERNS[2] and not raw_year and not groups.get("wd"):
                continue  # "5 Mei" without year or day name: too weak
            month = MONTHS[groups["mon"].lower()] if groups.get("mon") else int(groups["m"])
            time = _time_near(text, m.start(), m.end())
            found.append(DateMatch(
                start=m.start(), end=m.end(), day=int(groups["d"]), month=month,
                year=_year(raw_year), weekday=_weekday(groups.get("wd")),
                hour=time[0] if time else None, minute=time[1] if time else None,
                utc_offset=time[2] if time else None, raw_year=raw_year, text=m.group(0),
            ))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda d: d.start)
    return found


def find_day_name(text: str) -> tuple[int, str] | None:
    """A lone day name (``kata Hermanto, Rabu.``) -> (weekday, the word)."""
    for m in _DAY_ONLY.finditer(text):
        after = _LOOSE.match(text, m.end() + 2) or m  # "Tuesday, August 18, ... will"
        if (_FUTURE.match(text, m.end()) or _FUTURE_BEFORE.search(text, 0, m.start())
                or _FUTURE_NEAR.match(text, after.end())):
            continue  # "Jumat (dua hari lagi)", "Senin depan": an event still to come
        wd = _weekday(m.group("wd"))
        if wd is not None:
            return wd, m.group("wd")
    return None


_FUTURE = re.compile(r"\W{0,3}\s*(?:\(?\s*(?:\w+\s+){0,2}(?:hari|minggu|pekan)\s+lagi|depan|mendatang|"
                     r"nanti|besok|next|upcoming|yang\s+akan\s+datang)\b", re.IGNORECASE)
_FUTURE_BEFORE = re.compile(r"\b(?:akan|rencananya|dijadwalkan|will|next|this\s+coming)\s+"
                            r"(?:\w+\s+){0,3}(?:hari\s+|pada\s+|on\s+)?\Z", re.IGNORECASE)


def resolve(match: DateMatch, release: dt.date | None) -> tuple[dt.date | None, str]:
    """-> (calendar date, "") or (None, why it cannot be used).

    ``release`` is the latest date the article may carry (the release date,
    or what the reader uses in its place).  A date without a year takes the
    year that puts it on or before ``release``; when a day name is written
    next to it (``Kamis (14/3)``), the latest such year among the ten before
    in which that day falls on that weekday.  A date after ``release`` is
    refused: an article cannot report on an event that has not happened yet
    when the release is published.
    """
    if match.year == -1:
        return None, f"year {match.raw_year!r} in {match.text!r} is not a valid year"
    if match.year is None:
        if release is None:
            return None, (f"{match.text!r} has no year and there is no release date to "
                          "take it from")
        if match.weekday is not None:
            try:
                same_year = dt.date(release.year, match.month, match.day)
            except ValueError:
                same_year = None
            if same_year is not None and same_year > release \
                    and same_year.weekday() == match.weekday:
                # "Tuesday, July 31" in a July 27 release: an event still to come.
                return None, f"{match.text!r} is after the release date {release.isoformat()}"
        fitting: list[dt.date] = []
        for year in range(release.year, release.year - 11, -1):
            try:
                day = dt.date(year, match.month, match.day)
            except ValueError:
                continue
            if day <= release:
                fitting.append(day)
        if not fitting:
            return None, f"{match.text!r} is not a real date"
        if match.weekday is not None:
            same = [d for d in fitting if d.weekday() == match.weekday]
            if same and same[0].year >= release.year - 6:
                return same[0], ""
        return fitting[0], ""
    if not 1900 <= match.year <= 2200:
        return None, f"year {match.year} in {match.text!r} is not plausible"
    try:
        day = dt.date(match.year, match.month, match.day)
    except ValueError:
        return None, f"{match.text!r} is not a real date"
    if release is not None and day > release:
        return None, (f"{match.text!r} is after the release date {release.isoformat()}")
    return day, ""


def weekday_before(weekday: int, release: dt.date) -> dt.date:
    """The latest date on or before ``release`` that falls on ``weekday``."""
    return release - dt.timedelta(days=(release.weekday() - weekday) % 7)


def to_datetime(day: dt.date, match: DateMatch | None, tz: dt.tzinfo) -> tuple[dt.datetime, bool]:
    """Calendar date (+ the match's time of day) -> (aware datetime, has_time)."""
    if match is not None and match.hour is not None and match.minute is not None:
        zone = (dt.timezone(dt.timedelta(hours=match.utc_offset))
                if match.utc_offset is not None else tz)
        return dt.datetime(day.year, day.month, day.day, match.hour, match.minute,
                           tzinfo=zone), True
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz), False


# "(10/02/2020) akan dilaksanakan", "Tuesday, August 18, the City Council will consider";
# not "Jan. 10, and will continue" (a second clause).
_FUTURE_NEAR = re.compile(r"[\s,]*(?:(?!and\b|dan\b|serta\b|then\b|lalu\b)\w+\s+){0,4}"
                          r"(?:akan|mendatang|nanti|will|upcoming)\b", re.IGNORECASE)


def is_future_mention(text: str, m: DateMatch) -> bool:
    """``senin (10/02/2020) akan dilaksanakan``, ``akan digelar Senin (10/2)``: a plan."""
    return bool(_FUTURE_NEAR.match(text, m.end) or _FUTURE_BEFORE.search(text, 0, m.start)
                or re.search(r"\b(?:akan|will)\s+(?:\w+\s+){0,4}\Z", text[max(0, m.start - 40):m.start]))
