"""The Word loop's logic without the web: upload -> diff -> accept.

The Word files are built by the real CLI from a copy of the samples, edited
with python-docx (and, for tracked changes and a comment, with the Word-like
editor of the Word import tests), and what the accept writes is compared
byte for byte with ``publikasi import FILE --into SOURCE --yes
--accept-changes`` on another copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_cli
from desk_paste_support import copy_publication, tree

from publikasi.desk import paste, wordloop
from publikasi.errors import InputError

BANK = "bank-sampah-berkah-lestari-lesanpuro-kumpulkan-7-1-ton"
LIMIT = 5_000_000


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Word files of a pristine copy of the samples (slug -> path)."""
    root = tmp_path_factory.mktemp("desk-word")
    source = copy_publication(root / "src")
    proc = run_cli("build", source, "-f", "docx", "-o", root / "dist")
    assert proc.returncode == 0, proc.stderr
    return {p.stem: p for p in (root / "dist").rglob("docx/*.docx")}


def python_docx_edit(src: Path, dest: Path, old: str, new: str) -> Path:
    """Replace ``old`` by ``new`` inside one run, as a person typing in Word would."""
    import docx

    document = docx.Document(str(src))
    for para in document.paragraphs:
        for run in para.runs:
            if old in run.text:
                run.text = run.text.replace(old, new)
                document.save(str(dest))
                return dest
    raise AssertionError(f"{old!r} is not inside one run")


def tracked_edit(src: Path, dest: Path) -> Path:
    from test_docx_import import WordEdit

    edit = WordEdit(src)
    edit.track("Kepala Dinas Lingkungan Hidup", "menilai", "juga ", "sebagai contoh ")
    edit.comment("Harga beli setiap jenis sampah", "Rina Editor", "Cek harga terbaru ke DLH")
    return edit.save(dest)


def test_preview_shows_the_diff_and_accept_writes_what_the_cli_writes(built, tmp_path):
    source = copy_publication(tmp_path / "desk")
    edited = python_docx_edit(built[BANK], tmp_path / "editan.docx", "7,1 ton", "7,4 ton")
    loop = wordloop.WordLoop(source, LIMIT)
    try:
        before = tree(source)
        shown = loop.preview(edited.read_bytes(), "editan.docx")
        assert tree(source) == before  # the preview writes nothing
        assert shown.target == source / "2025-46" / "bank-sampah-lesanpuro.md"
        assert any(ln.startswith("-") and "7,1 ton" in ln for ln in shown.diff)
        assert any(ln.startswith("+") and "7,4 ton" in ln for ln in shown.diff)
        # Files are named relative to SOURCE; the new side is the source itself.
        assert shown.diff[:2] == ["--- 2025-46/bank-sampah-lesanpuro.md",
                                  "+++ 2025-46/bank-sampah-lesanpuro.md"]
        assert shown.lines[0].startswith("editan.docx: article ")
        assert not any(".new.md" in w for w in shown.warnings)
        report = loop.accept(shown.token)
        assert shown.target in report.written
        with pytest.raises(KeyError):
            loop.accept(shown.token)  # used once
    finally:
        loop.close()
    other = copy_publication(tmp_path / "cli")
    proc = run_cli("import", edited, "--into", other, "--yes", "--accept-changes")
    assert proc.returncode == 0, proc.stderr
    rel = Path("2025-46") / "bank-sampah-lesanpuro.md"
    assert (source / rel).read_bytes() == (other / rel).read_bytes()
    assert "7,4 ton" in (source / rel).read_text(encoding="utf-8")


def test_tracked_changes_and_comments_are_listed(built, tmp_path):
    source = copy_publication(tmp_path / "desk")
    edited = tracked_edit(built[BANK], tmp_path / "lacak.docx")
    loop = wordloop.WordLoop(source, LIMIT)
    try:
        shown = loop.preview(edited.read_bytes(), "lacak.docx")
        assert 'accepted tracked change by Rina Editor: inserted "juga"' in shown.changes
        assert any('"Cek harga terbaru ke DLH"' in c and "Rina Editor" in c
                   for c in shown.comments)
        loop.accept(shown.token)
    finally:
        loop.close()
    text = (source / "2025-46" / "bank-sampah-lesanpuro.md").read_text(encoding="utf-8")
    assert "juga menilai" in text and "sebagai contoh" not in text


def test_a_source_changed_since_the_diff_is_a_conflict(built, tmp_path):
    source = copy_publication(tmp_path / "desk")
    edited = python_docx_edit(built[BANK], tmp_path / "editan.docx", "7,1 ton", "7,4 ton")
    loop = wordloop.WordLoop(source, LIMIT)
    try:
        first = loop.preview(edited.read_bytes(), "editan.docx")
        second = loop.preview(edited.read_bytes(), "editan.docx")  # another tab
        target = source / "2025-46" / "bank-sampah-lesanpuro.md"
        target.write_text(target.read_text(encoding="utf-8").replace("Lesanpuro", "Lesanpuro "),
                          encoding="utf-8")  # someone edits the source meanwhile
        changed = tree(source)
        with pytest.raises(paste.Conflict):
            loop.accept(first.token)
        assert tree(source) == changed
        # A fresh preview of the file sees the new source and can be accepted.
        third = loop.preview(edited.read_bytes(), "editan.docx")
        loop.accept(third.token)
        # The other tab's preview is now stale too.
        with pytest.raises(paste.Conflict):
            loop.accept(second.token)
    finally:
        loop.close()


def test_uploads_that_are_not_word_files_or_too_large(built, tmp_path):
    source = copy_publication(tmp_path / "desk")
    before = tree(source)
    loop = wordloop.WordLoop(source, 2000)
    try:
        with pytest.raises(wordloop.UploadRejected) as large:
            loop.preview(built[BANK].read_bytes(), "besar.docx")
        assert large.value.status == 413
        for data in (b"%PDF-1.7", b"PK\x03\x04 broken zip", b"just text"):
            with pytest.raises(wordloop.UploadRejected) as wrong:
                loop.preview(data, "x.docx")
            assert wrong.value.status == 415
    finally:
        loop.close()
    # A Word file from another publication's release is refused by the import's own check.
    foreign = copy_publication(tmp_path / "foreign")
    shutil.rmtree(foreign / "2025-46")
    loop = wordloop.WordLoop(foreign, LIMIT)
    try:
        with pytest.raises(InputError):
            loop.preview(built[BANK].read_bytes(), "lain.docx")
    finally:
        loop.close()
    # A Word file publikasi did not export names no edition of a publication: refused.
    import docx

    plain = docx.Document()
    plain.add_paragraph("Taman Baca Baru Dibuka di Sawojajar")
    plain.add_paragraph("Sawojajar (malangkota.go.id) – Taman baca baru dibuka untuk warga, "
                        "Kamis (13/11/2025).")
    plain.save(str(tmp_path / "polos.docx"))
    loop = wordloop.WordLoop(source, LIMIT)
    try:
        with pytest.raises(InputError, match="paste its text on the paste page"):
            loop.preview((tmp_path / "polos.docx").read_bytes(), "polos.docx")
    finally:
        loop.close()
    assert tree(source) == before
    assert not any(p.suffix == ".docx" for p in source.rglob("*"))
