"""Reproducible builds: a build time taken from content, and deterministic zips."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterable, Mapping, Sequence

from .model import Publication, Release

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def build_time(pub: Publication) -> dt.datetime:
    """The moment a build claims to have happened, in UTC.

    ``SOURCE_DATE_EPOCH`` wins when set (reproducible-builds.org); otherwise
    the newest article date, so that rebuilding unchanged content never
    changes a byte and feed readers see no spurious update.
    """
    return _newest(pub.releases)


def edition_time(release: Release) -> dt.datetime:
    """:func:`build_time` of one edition alone: the dates inside an edition's own
    files (PDF, EPUB) come from its newest article, never a later edition's."""
    return _newest((release,))


def _newest(releases: Sequence[Release]) -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    stamps = [a.date for r in releases for a in r.articles]
    if stamps:
        return max(stamps).astimezone(dt.UTC)
    newest = max(r.date for r in releases)
    return dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.UTC)


# JPEG and PNG are compressed already: deflating them again costs most of a
# zip's time for a few percent of their size, so the Word and EPUB zips store them.
PACKED_SUFFIXES = (".jpg", ".jpeg", ".png")


def packed_members(names: Iterable[str]) -> tuple[str, ...]:
    """The names among ``names`` whose bytes are stored, not deflated (pictures)."""
    return tuple(name for name in names if name.lower().endswith(PACKED_SUFFIXES))


def zip_time(when: dt.datetime) -> tuple[int, int, int, int, int, int]:
    utc = when.astimezone(dt.UTC)
    if utc.year < 1980:
        return ZIP_EPOCH
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second - utc.second % 2)


def normalize_zip(data: bytes, when: dt.datetime, first: tuple[str, ...] = (),
                  stored: tuple[str, ...] = ()) -> bytes:
    """Rewrite a zip with fixed timestamps, fixed permissions and sorted members.

    ``first`` members come first in the given order (EPUB's ``mimetype``,
    DOCX's ``[Content_Types].xml``); ``stored`` members are not compressed.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    order = [n for n in first if n in names] + sorted(n for n in names if n not in first)
    return _write_zip(((name, src.read(name)) for name in order), when, stored)


def zip_members(members: Mapping[str, bytes], when: dt.datetime, first: tuple[str, ...] = (),
                stored: tuple[str, ...] = ()) -> bytes:
    """The zip :func:`normalize_zip` would make of a zip holding ``members``
    (name -> bytes), without compressing them twice."""
    order = [n for n in first if n in members] + sorted(n for n in members if n not in first)
    return _write_zip(((name, members[name]) for name in order), when, stored)


def _write_zip(members: Iterable[tuple[str, bytes]], when: dt.datetime,
               stored: tuple[str, ...]) -> bytes:
    stamp = zip_time(when)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            dst.writestr(info, data, compresslevel=6 if name not in stored else None)
    return out.getvalue()
