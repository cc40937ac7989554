"""The Word exporter's shortcuts (issue 15) cannot change a byte of its files.

A process parses each reference document once and gives every file a copy,
and writes a zip member it has compressed before from the kept deflate
stream.  These tests build the same files with both shortcuts switched off
(a freshly opened reference per file, every member compressed by zipfile)
and compare them byte for byte; no timing here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import zipfile
from pathlib import Path

import pytest
from conftest import PUBLICATION

from publikasi.builder import BuildOptions, build
from publikasi.exporters.docx import render, zipping
from publikasi.repro import packed_members, zip_members


class _Forgetful(dict):
    """A template cache that keeps nothing: every file opens the reference afresh."""

    def __setitem__(self, key, value) -> None:
        pass


def _word_files(out: Path, **options) -> dict[str, bytes]:
    build(PUBLICATION, out, BuildOptions(formats=["docx"], jobs=1, cache=False, **options))
    # Digests: a failing comparison of whole files makes pytest diff megabytes.
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*.docx"))}


def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "_TEMPLATES", _Forgetful())
    monkeypatch.setattr(render, "zip_docx",
                        lambda members, when, first: zip_members(
                            members, when, first=first, stored=packed_members(members)))


def test_word_files_from_the_kept_reference_equal_files_from_a_fresh_one(tmp_path, monkeypatch):
    opened: list[bytes] = []
    real_open = render.DocxBuilder._open_reference

    def spy(self, data):
        opened.append(data)
        return real_open(self, data)

    monkeypatch.setattr(render.DocxBuilder, "_open_reference", spy)
    monkeypatch.setattr(render, "_TEMPLATES", {})
    monkeypatch.setattr(zipping, "_STREAMS", zipping._Streams(zipping._BUDGET))
    # Two themes and two papers in one process: the kept copies must not carry
    # one file's edits (language, paper, header, numbering) into the next.
    fast = _word_files(tmp_path / "fast")
    fast_buletin = _word_files(tmp_path / "fast-b", theme="buletin", paper="f4")
    assert len(fast) > 10 and len(fast_buletin) == len(fast)
    assert len(opened) == 2  # once per theme, not once per file
    assert zipping._STREAMS.hits > len(fast)  # styles, theme, fonts ... written again
    pictures = [i for path in (tmp_path / "fast").rglob("*.docx")
                for i in zipfile.ZipFile(path).infolist() if i.filename.startswith("word/media/")]
    assert pictures  # JPEG and PNG are stored: compressed already
    assert all(i.compress_type == zipfile.ZIP_STORED for i in pictures)

    _plain(monkeypatch)
    assert _word_files(tmp_path / "slow") == fast
    assert _word_files(tmp_path / "slow-b", theme="buletin", paper="f4") == fast_buletin


MEMBERS = {
    "word/document.xml": b"<w:document>" + b"teks " * 4000 + b"</w:document>",
    "[Content_Types].xml": b"<Types/>",
    "word/media/image1.jpg": bytes(range(256)) * 300,
    "docProps/kosong.xml": b"",
    "word/gambar-\u00e9.xml": "<p>caf\u00e9</p>".encode(),
}


@pytest.mark.parametrize("when", [dt.datetime(2025, 11, 10, 9, 31, 7, tzinfo=dt.UTC),
                                  dt.datetime(1970, 1, 1, tzinfo=dt.UTC)])
def test_the_word_zip_is_the_reproducible_zip_whether_streams_are_kept_or_not(
        monkeypatch, when):
    monkeypatch.setattr(zipping, "_STREAMS", zipping._Streams(zipping._BUDGET))
    first = ("[Content_Types].xml",)
    expected = zip_members(MEMBERS, when, first=first, stored=("word/media/image1.jpg",))
    assert zipping.zip_docx(MEMBERS, when, first) == expected  # compressed here
    assert zipping.zip_docx(MEMBERS, when, first) == expected  # from the kept streams
    assert zipping._STREAMS.hits == len(MEMBERS) - 1  # the picture is stored, not deflated
    with zipfile.ZipFile(io.BytesIO(expected)) as z:
        assert z.testzip() is None
        assert {i.filename for i in z.infolist()
                if i.compress_type == zipfile.ZIP_STORED} == {"word/media/image1.jpg"}
        assert {n: z.read(n) for n in z.namelist()} == MEMBERS


def test_a_full_stream_store_forgets_the_oldest_first():
    streams = zipping._Streams(budget=5000)
    olds = [random.Random(i).randbytes(2000) for i in range(7)]  # ~2000 bytes deflated
    for data in olds:
        streams.deflated(data)
    assert streams.size <= 5000
    assert len(streams.streams) == 2
    streams.deflated(olds[-1])
    assert streams.hits == 1
    streams.deflated(olds[0])  # long forgotten: compressed again
    assert streams.hits == 1


class _NotZlib:
    pass


def test_a_zip_writer_without_zlib_compressor_falls_back_to_plain_zipping(monkeypatch):
    monkeypatch.setattr(zipping, "_COMPRESSOR_TYPE", _NotZlib)
    when = dt.datetime(2025, 11, 10, tzinfo=dt.UTC)
    first = ("[Content_Types].xml",)
    assert zipping.zip_docx(MEMBERS, when, first) == zip_members(
        MEMBERS, when, first=first, stored=("word/media/image1.jpg",))
