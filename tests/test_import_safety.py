"""``publikasi import`` against hostile and unlucky input (issue 16, issue 13 item 18).

Every test crafts a real file: Word files exported from the samples and then
tampered with (properties, XML, compressed bytes), real FIFOs, a target that
is a folder.  The rule checked throughout: exit 0 or exit 2 with clean
``error: FILE: message`` lines, nothing written outside the destination
folder, nothing lost (a replaced file is kept in ``.publikasi/history/``),
and a failed run leaves the destination exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import feedparser
import pytest
from conftest import PUBLICATION, run_cli
from hostile_docx import damage_member, parts_of, properties, with_properties, write_parts

ERROR_LINE = re.compile(r"^error: \S.*: .+$")
BANK = "bank-sampah-lesanpuro.md"  # Word files are looked up by their source file
EXPO = "expo-umkm-naik-kelas.md"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    """The Word files of edition 2025-46, as `build -f docx` writes them."""
    root = tmp_path_factory.mktemp("hostile-import")
    pub = root / "warta-malang"
    shutil.copytree(PUBLICATION, pub)
    proc = run_cli("build", pub / "2025-46", "-f", "docx", "-o", root / "dist")
    assert proc.returncode == 0, proc.stderr
    return {properties(p)["publikasi.source"]: p for p in (root / "dist" / "docx").glob("*.docx")}


@pytest.fixture()
def release(tmp_path) -> Path:
    """A writable copy of the publication; returns its release 2025-46."""
    pub = tmp_path / "ws" / "warta-malang"
    shutil.copytree(PUBLICATION, pub)
    return pub / "2025-46"


def tree(folder: Path, skip: Path | None = None) -> dict[str, str]:
    """Path -> digest (and mode) of every file under ``folder`` (minus ``skip``)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if skip is not None and (p == skip or skip in p.parents):
            continue
        if p.is_file():
            out[p.relative_to(folder).as_posix()] = (
                hashlib.sha256(p.read_bytes()).hexdigest() + oct(p.stat().st_mode))
        else:
            out[p.relative_to(folder).as_posix()] = "dir"
    return out


def clean_errors(proc: subprocess.CompletedProcess) -> list[str]:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "unexpected error" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert errors and all(ERROR_LINE.match(ln) for ln in errors), proc.stderr
    assert all(ln.startswith(("error:", "warning:")) for ln in proc.stderr.splitlines())
    return errors


def edit_words(src: Path, dst: Path, old: str, new: str) -> Path:
    parts = parts_of(src)
    doc = parts["word/document.xml"].decode("utf-8")
    assert old in doc
    parts["word/document.xml"] = doc.replace(old, new, 1).encode("utf-8")
    return write_parts(dst, parts)


# ---------------------------------------------------------------- item 1: where it writes


@pytest.mark.parametrize("yes", [False, True])
def test_slug_property_cannot_choose_a_place_outside_the_release(exported, release, yes):
    ws = release.parent.parent
    victim = ws / "victim.md"
    victim.write_text("jangan diubah\n", encoding="utf-8")
    before_outside = tree(ws, skip=release)
    for n, slug in enumerate(["../../../../x", str(ws / "victim"), "..", "/"]):
        evil = with_properties(exported[BANK], ws.parent / f"jahat-{n}.docx",
                               {"publikasi.source": None, "publikasi.slug": slug})
        args = ["import", evil, "--into", release] + (["--yes"] if yes else [])
        proc = run_cli(*args)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        written = [Path(ln.split(" -> ", 1)[1]) for ln in proc.stdout.splitlines()
                   if " -> " in ln]
        assert written and all(p.parent == release for p in written), proc.stdout
    assert tree(ws, skip=release) == before_outside
    assert victim.read_text(encoding="utf-8") == "jangan diubah\n"
    assert not Path("/x.md").exists()
    assert (release / "x.md").is_file()  # the slug, slugified, inside the release


@pytest.mark.parametrize("yes", [False, True])
def test_source_property_outside_the_release_is_an_error(exported, release, yes):
    ws = release.parent.parent
    victim = ws / "victim.md"
    victim.write_text("jangan diubah\n", encoding="utf-8")
    outside = ws / "luar"
    outside.mkdir()
    (release / "tautan").symlink_to(outside, target_is_directory=True)
    before = tree(ws)
    sources = ["../../victim.md", str(victim), "/etc/passwd.md", "tautan/victim.md",
               "a/../../victim.md", "C:\\victim.md", "images/../../../victim.md",
               "victim.docx"]
    for n, source in enumerate(sources):
        evil = with_properties(exported[BANK], ws.parent / f"sumber-{n}.docx",
                               {"publikasi.source": source})
        args = ["import", evil, "--into", release] + (["--yes"] if yes else [])
        errors = clean_errors(run_cli(*args))
        assert any(str(evil) in e and "publikasi.source" in e for e in errors), errors
        assert tree(ws) == before, source
    # -o DIR: the same property is refused too.
    evil = with_properties(exported[BANK], ws.parent / "sumber-o.docx",
                           {"publikasi.source": "../../victim.md"})
    clean_errors(run_cli("import", evil, "-o", ws / "keluar", "--yes"))
    assert not (ws / "keluar").exists()


def test_a_symlinked_article_is_not_followed_out_of_the_release(exported, release, tmp_path):
    victim = release.parent.parent / "victim.md"
    target = release / "bank-sampah-lesanpuro.md"
    victim.write_bytes(target.read_bytes())
    target.unlink()
    target.symlink_to(victim)
    before = victim.read_bytes()
    edited = edit_words(exported[BANK], tmp_path / "e.docx", "7,1 ton", "7,2 ton")
    errors = clean_errors(run_cli("import", edited, "--into", release, "--yes"))
    assert any("outside" in e or "leads out" in e for e in errors), errors
    assert victim.read_bytes() == before and target.is_symlink()


# ---------------------------------------------------------------- item 5: history, --force


def test_a_word_file_naming_another_article_is_refused_without_force(exported, release):
    target = release / "expo-umkm-naik-kelas.md"
    old = target.read_bytes()
    evil = with_properties(exported[BANK], release.parent.parent / "lain.docx",
                           {"publikasi.source": "expo-umkm-naik-kelas.md",
                            "publikasi.hash": None})
    before = tree(release)
    errors = clean_errors(run_cli("import", evil, "--into", release, "--yes"))
    assert any("different article" in e and "--force" in e for e in errors), errors
    assert tree(release) == before
    # The same for a pasted .txt source.
    txt = with_properties(exported[BANK], release.parent.parent / "lain-txt.docx",
                          {"publikasi.source": "rilis-kantin-sehat.txt", "publikasi.hash": None})
    clean_errors(run_cli("import", txt, "--into", release, "--yes"))
    assert tree(release) == before

    proc = run_cli("import", evil, "--into", release, "--yes", "--force")
    assert proc.returncode == 0, proc.stderr
    assert target.read_bytes() != old
    kept = list((release / ".publikasi" / "history").glob("expo-umkm-naik-kelas.*.md"))
    assert len(kept) == 1 and kept[0].read_bytes() == old
    assert "kept the previous version" in proc.stdout


def test_every_overwrite_keeps_the_previous_version_and_builds_ignore_it(exported, release,
                                                                         tmp_path):
    target = release / "bank-sampah-lesanpuro.md"
    versions = [target.read_bytes()]
    for n, tons in enumerate(["7,2", "7,3"]):
        edited = edit_words(exported[BANK], tmp_path / f"e{n}.docx", "7,1 ton", f"{tons} ton")
        proc = run_cli("import", edited, "--into", release, "--yes")
        assert proc.returncode == 0, proc.stderr
        assert f"{tons} ton" in target.read_text(encoding="utf-8")
        versions.append(target.read_bytes())
    history = sorted((release / ".publikasi" / "history").iterdir())
    assert [p.read_bytes() for p in history] == versions[:2]
    # The build reads neither the history nor anything else under .publikasi/.
    proc = run_cli("build", release, "-f", "rss", "-o", tmp_path / "out",
                   "--base-url", "https://warta.example/")
    assert proc.returncode == 0, proc.stderr
    feed = feedparser.parse(tmp_path / "out" / "feed.xml")
    titles = [e.title for e in feed.entries]
    assert len(titles) == len(set(titles)) == 6


def test_history_goes_to_the_release_when_importing_into_a_publication(exported, release,
                                                                       tmp_path):
    pub = release.parent
    target = release / "bank-sampah-lesanpuro.md"
    old = target.read_bytes()
    # An Indonesian `judul:` key still counts as the title when comparing articles.
    expo = release / "expo-umkm-naik-kelas.md"
    expo.write_text(expo.read_text(encoding="utf-8").replace("\ntitle:", "\njudul:", 1),
                    encoding="utf-8")
    evil = with_properties(exported[BANK], tmp_path / "lain.docx",
                           {"publikasi.source": "expo-umkm-naik-kelas.md",
                            "publikasi.hash": None})
    errors = clean_errors(run_cli("import", evil, "--into", pub, "--yes"))
    assert any("different article" in e for e in errors), errors
    edited = edit_words(exported[BANK], tmp_path / "e.docx", "7,1 ton", "7,2 ton")
    proc = run_cli("import", edited, "--into", pub, "--yes")
    assert proc.returncode == 0, proc.stderr
    kept = list((release / ".publikasi" / "history").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == old
    assert kept[0].name.startswith("bank-sampah-lesanpuro.") and kept[0].suffix == ".md"
    assert not (pub / ".publikasi").exists()


# ---------------------------------------------------------------- item 6: all or none


def test_multi_file_import_writes_all_or_none(exported, release, tmp_path):
    a = edit_words(exported[BANK], tmp_path / "a.docx", "7,1 ton", "7,2 ton")
    b = with_properties(exported[EXPO], tmp_path / "b.docx", {"publikasi.hash": None})
    blocker = release / "expo-umkm-naik-kelas.md"
    blocker.unlink()
    blocker.mkdir()  # b's target is a folder
    before = tree(release)
    errors = clean_errors(run_cli("import", a, b, "--into", release, "--yes"))
    assert any(e.startswith(f"error: {blocker}: is a folder") for e in errors), errors
    assert tree(release) == before


def test_a_failure_while_moving_files_puts_everything_back(exported, release, tmp_path,
                                                           monkeypatch):
    from publikasi import import_changes
    from publikasi.errors import InputError
    from publikasi.importer import import_files

    a = edit_words(exported[BANK], tmp_path / "a.docx", "7,1 ton", "7,2 ton")
    b = edit_words(exported[EXPO], tmp_path / "b.docx", "Expo", "Pameran")
    before = tree(release)
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(import_changes.os, "replace", failing_replace)
    with pytest.raises(InputError) as err:
        import_files([a, b], into=release, overwrite=True)
    assert "no space left on device" in str(err.value.problems[0]).lower()
    assert len(calls) == 2
    assert tree(release) == before


# ---------------------------------------------------------------- item 9: damaged ZIP members


def test_damaged_compressed_parts_are_clear_errors(exported, release, tmp_path):
    before = tree(release)
    for n, (name, offset) in enumerate([("word/document.xml", 0), ("word/document.xml", 300),
                                        ("docProps/custom.xml", 0), ("word/styles.xml", 0)]):
        bad = damage_member(exported[BANK], tmp_path / f"rusak-{n}.docx", name, offset)
        errors = clean_errors(run_cli("import", bad, "--into", release, "--yes"))
        assert any(f"part {name} is damaged" in e and str(bad) in e for e in errors), errors
        assert not any("Error -3" in e or "zlib" in e for e in errors)
        assert tree(release) == before
    # A damaged picture: the article comes in, the picture keeps its caption.
    bad = damage_member(exported[BANK], tmp_path / "foto-rusak.docx", "word/media/image2.jpg",
                        offset=40, garbage=b"\x00" * 64)
    proc = run_cli("import", bad, "-o", tmp_path / "keluar")
    assert proc.returncode in (0, 2), proc.stderr
    assert "Traceback" not in proc.stderr and "unexpected error" not in proc.stderr


# ---------------------------------------------------------------- item 15: FIFOs


def test_fifos_are_refused_at_once(tmp_path, release):
    fifo_txt, fifo_docx = tmp_path / "rilis.txt", tmp_path / "editan.docx"
    os.mkfifo(fifo_txt)
    os.mkfifo(fifo_docx)
    for path in (fifo_txt, fifo_docx):
        proc = run_cli("import", path, "-o", tmp_path / "out", timeout=30)
        errors = clean_errors(proc)
        assert errors == [f"error: {path}: is a named pipe (FIFO), not a regular file; refused"]
    # A FIFO among the pictures and a FIFO article listed in release.yaml.
    photo = release / "images" / "bank-sampah.jpg"
    photo.unlink()
    os.mkfifo(photo)
    errors = clean_errors(run_cli("build", release, "-f", "rss", "-o", tmp_path / "b",
                                  "--base-url", "https://x.example/", timeout=60))
    assert any("bank-sampah.jpg" in e for e in errors)
    # The helpers themselves, for readers that are handed a name directly.
    code = (
        "import sys; from pathlib import Path\n"
        "from publikasi.errors import InputError\n"
        "from publikasi.yamlio import read_text_file\n"
        "from publikasi.images import open_image, ImageRejected\n"
        "from publikasi.themes import _read_toml\n"
        "from publikasi.source import load_article_file\n"
        "from publikasi.readers.common import ReadContext\n"
        "p = Path(sys.argv[1])\n"
        "for call in (lambda: read_text_file(p / 'release.yaml', 'release.yaml'),\n"
        "             lambda: _read_toml(p / 'theme.toml'),\n"
        "             lambda: load_article_file(p / 'a.txt', ReadContext(root=p)),\n"
        "             lambda: load_article_file(p / 'a.md', ReadContext(root=p))):\n"
        "    try:\n"
        "        call(); print('no error')\n"
        "    except InputError as exc:\n"
        "        print(exc.problems[0].message)\n"
        "try:\n"
        "    open_image(p / 'foto.jpg'); print('no error')\n"
        "except ImageRejected as exc:\n"
        "    print(exc)\n")
    folder = tmp_path / "pipes"
    folder.mkdir()
    for name in ("release.yaml", "theme.toml", "a.txt", "a.md", "foto.jpg"):
        os.mkfifo(folder / name)
    proc = subprocess.run([sys.executable, "-c", code, str(folder)], check=False,
                          capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 5 and all("named pipe (FIFO)" in ln for ln in lines), lines


# ---------------------------------------------------------------- item 20: file modes


def test_import_keeps_the_mode_of_the_file_it_replaces(exported, release, tmp_path):
    target = release / "bank-sampah-lesanpuro.md"
    target.chmod(0o644)
    other = release / "expo-umkm-naik-kelas.md"
    other.chmod(0o640)
    a = edit_words(exported[BANK], tmp_path / "a.docx", "7,1 ton", "7,2 ton")
    b = edit_words(exported[EXPO], tmp_path / "b.docx", "Expo", "Pameran")
    proc = run_cli("import", a, b, "--into", release, "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "7,2 ton" in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert stat.S_IMODE(other.stat().st_mode) == 0o640
    # New files get the umask's mode, like any other program's.
    old_mask = os.umask(0o022)
    try:
        proc = run_cli("import", a, "-o", tmp_path / "baru")
    finally:
        os.umask(old_mask)
    assert proc.returncode == 0, proc.stderr
    written = [p for p in (tmp_path / "baru").rglob("*") if p.is_file()]
    assert written and all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in written)


# ---------------------------------------------------------------- issue 13 item 18: X.new.md


def test_a_proposed_new_md_does_not_break_the_next_build(exported, release, tmp_path):
    edited = edit_words(exported[BANK], tmp_path / "e.docx", "7,1 ton", "7,2 ton")
    proc = run_cli("import", edited, "--into", release)
    assert proc.returncode == 0, proc.stderr
    proposal = release / "bank-sampah-lesanpuro.new.md"
    assert proposal.is_file()
    proc = run_cli("build", release, "-f", "rss", "-o", tmp_path / "out",
                   "--base-url", "https://warta.example/")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^warning: .*skipped bank-sampah-lesanpuro\.new\.md: .*--yes",
                     proc.stderr, re.MULTILINE), proc.stderr
    feed = feedparser.parse(tmp_path / "out" / "feed.xml")
    assert len(feed.entries) == 6
    assert not any("7,2 ton" in (e.get("summary") or "") + str(e.get("content", ""))
                   for e in feed.entries)
    # Listed on purpose in release.yaml, the duplicate slug names the real fix.
    meta = release / "release.yaml"
    meta.write_text(meta.read_text(encoding="utf-8")
                    + "articles: [bank-sampah-lesanpuro.md, bank-sampah-lesanpuro.new.md]\n",
                    encoding="utf-8")
    errors = clean_errors(run_cli("build", release, "-f", "rss", "-o", tmp_path / "out2"))
    assert any("duplicate slug" in e and "import's proposed text" in e and "--yes" in e
               for e in errors), errors
    # Two copies of one article: the advice is to remove one, not only to change a slug.
    meta.write_text(meta.read_text(encoding="utf-8").rsplit("articles:", 1)[0],
                    encoding="utf-8")
    proposal.unlink()
    shutil.copy(release / "bank-sampah-lesanpuro.md", release / "salinan.md")
    errors = clean_errors(run_cli("build", release, "-f", "rss", "-o", tmp_path / "out3"))
    assert any("duplicate slug" in e and "delete or move one of them" in e for e in errors)


# ---------------------------------------------------------------- items 25, 26: text, links


def _plain_word_file(path: Path, body_xml: str, doctype: str = "",
                     rels: str = "") -> Path:
    """A python-docx document with ``body_xml`` after a Title paragraph."""
    from docx import Document

    d = Document()
    d.add_paragraph("Judul Rilis Uji Keamanan", style="Title")
    d.add_paragraph("Malang – Pemerintah Kota Malang menggelar uji coba, Senin (10/11/2025), "
                    "di balai kota.")
    d.save(path)
    parts = parts_of(path)
    doc = parts["word/document.xml"].decode("utf-8")
    decl, rest = doc.split("?>", 1) if doc.startswith("<?xml") else ("", doc)
    rest = rest.replace("<w:sectPr", body_xml + "<w:sectPr", 1)
    parts["word/document.xml"] = ((decl + "?>" if decl else "") + doctype + rest).encode()
    if rels:
        name = "word/_rels/document.xml.rels"
        parts[name] = parts[name].replace(b"</Relationships>", rels.encode() + b"</Relationships>")
    return write_parts(path, parts)


def test_text_after_an_entity_reference_is_kept(tmp_path):
    body = ('<w:p><w:r><w:t xml:space="preserve">Awal kalimat &ent; lanjutan yang tidak boleh '
            'hilang.</w:t></w:r></w:p>')
    doc = _plain_word_file(tmp_path / "entitas.docx", body,
                           doctype='<!DOCTYPE w:document [<!ENTITY ent "RAHASIA">]>')
    proc = run_cli("import", doc, "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    text = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert "lanjutan yang tidak boleh hilang." in text
    assert "Awal kalimat" in text and "RAHASIA" not in text


def test_links_with_a_forbidden_scheme_keep_only_their_text(tmp_path):
    rels = ('<Relationship Id="rIdJs" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/hyperlink" Target="javascript:alert(document.cookie)" '
            'TargetMode="External"/>'
            '<Relationship Id="rIdOk" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/hyperlink" Target="https://malangkota.example/ok" '
            'TargetMode="External"/>')
    body = (f'<w:p><w:r><w:t xml:space="preserve">Warga dapat membuka </w:t></w:r>'
            f'<w:hyperlink xmlns:r="{R}" r:id="rIdJs"><w:r><w:t>tautan jahat</w:t></w:r>'
            '</w:hyperlink><w:r><w:t xml:space="preserve"> dan </w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> HYPERLINK "data:text/html,&lt;script&gt;'
            'alert(1)&lt;/script&gt;" </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:t>medan jahat</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            f'<w:r><w:t xml:space="preserve"> serta </w:t></w:r><w:hyperlink xmlns:r="{R}" '
            'r:id="rIdOk"><w:r><w:t>tautan baik</w:t></w:r></w:hyperlink>'
            '<w:r><w:t xml:space="preserve"> untuk informasi layanan kota.</w:t></w:r></w:p>')
    doc = _plain_word_file(tmp_path / "tautan.docx", body, rels=rels)
    proc = run_cli("import", doc, "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    text = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert "tautan jahat dan medan jahat serta [tautan baik](<https://malangkota.example/ok>)" \
        in text, text
    assert "javascript" not in text.lower() and "data:" not in text
    assert "javascript:alert" in proc.stdout and "was dropped" in proc.stdout


def test_an_unknown_compression_method_is_a_clear_error(exported, tmp_path):
    bad = write_parts(tmp_path / "metode.docx", parts_of(exported[BANK]))
    raw = bytearray(bad.read_bytes())
    with zipfile.ZipFile(bad) as zf:
        info = zf.getinfo("word/document.xml")
    raw[info.header_offset + 8] = 99  # compression method, local header
    central = raw.find(b"PK\x01\x02")
    while central >= 0:
        name_len = int.from_bytes(raw[central + 28:central + 30], "little")
        if raw[central + 46:central + 46 + name_len] == b"word/document.xml":
            raw[central + 10] = 99  # compression method, central directory
        central = raw.find(b"PK\x01\x02", central + 4)
    bad.write_bytes(bytes(raw))
    errors = clean_errors(run_cli("import", bad, "-o", tmp_path / "out"))
    assert any("word/document.xml" in e for e in errors), errors


# ---------------------------------------------------------------- issue 10: no import cycle


def test_docx_import_does_not_import_the_importer():
    """The Word reader and the import command share import_changes, not each other."""
    code = ("import sys, publikasi.docx_import\n"
            "print('publikasi.importer' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
    source = Path(__file__).parents[1] / "src" / "publikasi" / "importer.py"
    assert "importlib" not in source.read_text(encoding="utf-8")
