"""The Word file's zip, compressing each distinct member once per process.

The same bytes recur across the Word files of a build: a photo in its
article's file and again in the edition, the reference document's styles,
theme, fonts and settings in every file.  Deflate gives the same stream for
the same bytes and level, so a member seen before is written from the stream
kept the first time.  Pictures (JPEG, PNG) are stored, as in the EPUB: they
are compressed already.  The zip is byte for byte the one
:func:`publikasi.repro.zip_members` makes with the same stored members (a
test compares them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, cast

from ...repro import packed_members, zip_members, zip_time

LEVEL = 6  # repro's level for compressed members
_BUDGET = 16 << 20  # bytes of kept streams (a release's photos are a few MB); oldest out first
_COMPRESSOR_TYPE = type(zlib.compressobj(LEVEL, zlib.DEFLATED, -15))


class _Streams:
    """Deflate streams by the sha256 of the bytes they hold, least recently used first."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.hits = 0
        self.streams: OrderedDict[bytes, bytes] = OrderedDict()

    def deflated(self, data: bytes) -> bytes:
        key = hashlib.sha256(data).digest()
        stream = self.streams.get(key)
        if stream is not None:
            self.streams.move_to_end(key)
            self.hits += 1
            return stream
        # Exactly what zipfile does for ZIP_DEFLATED at this level: one
        # compress() of the whole member, then flush().
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        stream = compressor.compress(data) + compressor.flush()
        self.streams[key] = stream
        self.size += len(stream)
        while self.size > self.budget and self.streams:
            _, old = self.streams.popitem(last=False)
            self.size -= len(old)
        return stream


_STREAMS = _Streams(_BUDGET)


class _Replay:
    """Takes the place of zipfile's compressor for one member: hands back its stream."""

    def __init__(self, stream: bytes) -> None:
        self.stream = stream

    def compress(self, data: bytes) -> bytes:
        stream, self.stream = self.stream, b""
        return stream

    def flush(self) -> bytes:
        return b""


def zip_docx(members: Mapping[str, bytes], when: dt.datetime, first: tuple[str, ...]) -> bytes:
    """``repro.zip_members(members, when, first, stored=<the pictures>)``."""
    stamp = zip_time(when)
    stored = packed_members(members)
    order = [n for n in first if n in members] + sorted(n for n in members if n not in first)
    out = io.BytesIO()
    replayed = True
    with zipfile.ZipFile(out, "w") as dst:
        for name in order:
            data = members[name]
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.file_size = len(data)
            if name in stored:
                info.compress_type = zipfile.ZIP_STORED
                dst.writestr(info, data)
                continue
            info.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(info, mode="w") as member:
                # zipfile's writer compresses through its _compressor; with one of
                # another kind (a future Python) the plain way below does the work.
                if not isinstance(getattr(member, "_compressor", None), _COMPRESSOR_TYPE):
                    replayed = False
                    break
                cast(Any, member)._compressor = _Replay(_STREAMS.deflated(data))
                member.write(data)
    if replayed:
        return out.getvalue()
    return zip_members(members, when, first=first, stored=stored)
