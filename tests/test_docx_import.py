"""``publikasi import FILE.docx``: editors' Word files back into the source.

The Word files are made by the real exporter (``publikasi build -f docx``) from
a copy of the sample publication and from a small release with every block
type; edits are made the way Word stores them (runs split by revision ids,
proofing marks, ``_GoBack`` bookmarks, new media parts, ``w:ins``/``w:del``
with authors, a comments part).  What comes back is compared with the model
read independently from the sources (``publikasi.serialize.article_json``),
through the ``.md`` the import wrote.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import judges
import pytest
from conftest import PUBLICATION, run_cli
from docx import Document
from lxml import etree
from PIL import Image

from publikasi.errors import InputError
from publikasi.model import Figure, Paragraph, Text
from publikasi.readers.common import ReadContext
from publikasi.serialize import article_json
from publikasi.source import load, load_article_file

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
ERROR_LINE = re.compile(r"^error: \S.*: .+$")
BANK = "bank-sampah-berkah-lestari-lesanpuro-kumpulkan-7-1-ton"
KANTIN = "seratus-sekolah-dasar-di-kota-malang-mulai-terapkan-gerakan"


def wq(tag: str) -> str:
    return f"{{{W}}}{tag}"


# ---------------------------------------------------------------- fixtures

EXTRA_ARTICLE = '''---
title: Semua Jenis Blok untuk Uji Impor
date: 2025-11-19T08:15:00+07:00
dateline: Sukun
authors: [Ani Lestari, Budi Santoso]
byline: ani/bs
section: Uji Coba
tags: [impor, docx, "uji, koma"]
summary: Ringkasan yang ditulis sendiri, bukan paragraf pertama.
source: https://humas.example/asli/semua-blok
source_credit: Humas Kota Malang
image:
  src: images/biru.jpg
  alt: Kotak biru polos
  caption: Foto utama berwarna biru
  credit: Ani/Humas
---

Paragraf pembuka dengan **tebal**, *miring*, ***keduanya***, **tebal *dan miring* lagi**,
*miring **dan tebal** lagi*, `kode`, [tautan relatif](agenda/2025 "Agenda kota") dan
[tautan **tebal**](https://humas.example/x).[^a] Baris\\
baru di sini.

## Subjudul Dua

### Subjudul Tiga

- satu
  - dua
    - tiga
      - empat
        - lima
- kembali ke satu

  paragraf lanjutan dalam butir

3. ketiga
4. keempat
   1. empat-satu
   2. empat-dua

<!-- -->

1. daftar kedua
2. masih kedua

> Kutipan baris pertama.
>
> — Wali Kota Malang

> Kutipan tanpa nama.

![Alt berbeda dari keterangan](images/biru.jpg "Keterangan foto tubuh (Foto: Budi/Humas)")

![](<> "Foto tanpa berkas, hanya keterangan (Kredit: Istimewa)")

| Kiri | Tengah | Kanan | Polos |
|:-----|:------:|------:|-------|
| a | **b** | 1.000 | x |
| c | [d](https://humas.example/d) | 2 | y |

```
kode blok baris satu
  baris dua
```

Paragraf penutup.[^b]

[^a]: Catatan pertama dengan [tautan](https://humas.example/catatan).
[^b]: Catatan kedua.

    Paragraf kedua catatan.
'''


def _make_extra(root: Path) -> Path:
    rel = root / "rilis-uji"
    (rel / "images").mkdir(parents=True)
    Image.new("RGB", (640, 400), (30, 120, 200)).save(rel / "images" / "biru.jpg")
    (rel / "release.yaml").write_text(
        "title: Rilis Uji Impor\ndate: 2025-11-20\nedition: 3/2025\n"
        "base_url: https://humas.example/berita/\n", encoding="utf-8")
    (rel / "semua-blok.md").write_text(EXTRA_ARTICLE, encoding="utf-8")
    (rel / "english.md").write_text(
        "---\ntitle: An English Note\ndate: 2025-11-18\nlanguage: en\n---\n\n"
        "Plain English text, with *emphasis*.\n", encoding="utf-8")
    return rel


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict:
    """A pristine copy of the samples (+ the every-block release) and their Word files."""
    root = tmp_path_factory.mktemp("docx-import")
    pub = root / "src" / "warta-malang"
    shutil.copytree(PUBLICATION, pub)
    extra = _make_extra(root / "src-extra")
    dist = root / "dist"
    for source, out in ((pub, dist / "pub"), (extra, dist / "extra")):
        proc = run_cli("build", source, "-f", "docx", "-o", out)
        assert proc.returncode == 0, proc.stderr
    files: dict[str, Path] = {}
    for path in sorted(dist.rglob("docx/*.docx")):
        files[path.stem] = path
    return {"root": root, "pub": pub, "extra": extra, "dist": dist, "files": files}


@pytest.fixture()
def workspace(exported, tmp_path) -> dict:
    """A fresh, writable copy of the sources for one test."""
    pub = tmp_path / "warta-malang"
    shutil.copytree(exported["pub"], pub)
    extra = tmp_path / "rilis-uji"
    shutil.copytree(exported["extra"], extra)
    return {"pub": pub, "extra": extra, "files": exported["files"], "tmp": tmp_path}


def articles_of(folder: Path) -> dict:
    """slug -> (release, article) of a source folder, read independently of any import."""
    pub = load(folder).publication
    return {a.slug: (r, a) for r in pub.releases for a in r.articles}


def model(article, base: Path) -> dict:
    data = article_json(article, base)
    data.pop("path")
    return data


def read_md(path: Path, release: Path):
    """The .md the import wrote, read back by the Markdown reader."""
    ctx = ReadContext(root=release.resolve(), extra_roots=(release.resolve().parent,))
    found = load_article_file(path, ctx)
    assert len(found) == 1
    return found[0]


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- editing like Word


class WordEdit:
    """Edits a .docx the way Word writes its changes."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            self.parts = {n: zf.read(n) for n in zf.namelist()}
        self.doc = etree.fromstring(self.parts["word/document.xml"])
        self.rels = etree.fromstring(self.parts["word/_rels/document.xml.rels"])
        self.types = etree.fromstring(self.parts["[Content_Types].xml"])
        self._rsid = 0x00A1B2C3

    def rsid(self) -> str:
        self._rsid += 17
        return f"{self._rsid:08X}"

    def para(self, containing: str) -> etree._Element:
        for p in self.doc.iter(wq("p")):
            if containing in "".join(t.text or "" for t in p.iter(wq("t"))):
                return p
        raise AssertionError(f"no paragraph with {containing!r}")

    def run(self, text: str, rpr: etree._Element | None = None, lang: bool = False):
        r = etree.Element(wq("r"))
        r.set(wq("rsidR"), self.rsid())
        props = etree.fromstring(etree.tostring(rpr)) if rpr is not None else None
        if lang:
            props = props if props is not None else etree.Element(wq("rPr"))
            etree.SubElement(props, wq("lang")).set(wq("val"), "id-ID")
        if props is not None:
            r.append(props)
        t = etree.SubElement(r, wq("t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return r

    def change_words(self, containing: str, old: str, new_parts: list[str]) -> None:
        """Replace ``old`` by the concatenation of ``new_parts``, each in its own run."""
        p = self.para(containing)
        for r in p.iter(wq("r")):
            t = r.find(wq("t"))
            if t is not None and t.text and old in t.text:
                before, after = t.text.split(old, 1)
                rpr = r.find(wq("rPr"))
                new = [self.run(before, rpr)]
                new.append(etree.Element(wq("proofErr"), {wq("type"): "spellStart"}))
                new += [self.run(part, rpr, lang=True) for part in new_parts]
                new.append(etree.Element(wq("proofErr"), {wq("type"): "spellEnd"}))
                new.append(self.run(after, rpr))
                parent = r.getparent()
                index = parent.index(r)
                parent.remove(r)
                for offset, el in enumerate(new):
                    parent.insert(index + offset, el)
                return
        raise AssertionError(f"{old!r} is not inside one run")

    def insert_paragraph_after(self, containing: str, parts: list[str]) -> None:
        p = self.para(containing)
        new = etree.Element(wq("p"))
        new.set(wq("rsidR"), self.rsid())
        new.set(wq("rsidRDefault"), self.rsid())
        mark = etree.SubElement(new, wq("bookmarkStart"))
        mark.set(wq("id"), "0")
        mark.set(wq("name"), "_GoBack")
        etree.SubElement(new, wq("bookmarkEnd")).set(wq("id"), "0")
        for part in parts:
            new.append(self.run(part, lang=True))
        p.addnext(new)

    def delete_paragraph(self, containing: str) -> None:
        p = self.para(containing)
        p.getparent().remove(p)

    def add_part(self, name: str, data: bytes, rel_type: str, content_type: str) -> str:
        self.parts[name] = data
        rid = f"rId{900 + len(self.rels)}"
        etree.SubElement(self.rels, "{http://schemas.openxmlformats.org/package/2006/"
                         "relationships}Relationship",
                         {"Id": rid, "Type": rel_type,
                          "Target": name.split("word/", 1)[1]})
        ext = name.rsplit(".", 1)[1]
        ct_ns = "http://schemas.openxmlformats.org/package/2006/content-types"
        if name.endswith(".xml"):
            etree.SubElement(self.types, f"{{{ct_ns}}}Override",
                             {"PartName": "/" + name, "ContentType": content_type})
        elif not any(d.get("Extension") == ext for d in self.types.iter(f"{{{ct_ns}}}Default")):
            etree.SubElement(self.types, f"{{{ct_ns}}}Default",
                             {"Extension": ext, "ContentType": content_type})
        return rid

    def replace_picture(self, docpr_name: str, data: bytes) -> None:
        """Word's "Change Picture": a new media part, a new relationship, a new name."""
        rid = self.add_part("word/media/image9.png", data, R.replace("relationships",
                            "relationships/image"), "image/png")
        for docpr in self.doc.iter(f"{{{WP}}}docPr"):
            if docpr.get("name") == docpr_name:
                holder = docpr.getparent()
                docpr.set("name", "Gambar 9")
                holder.find(f".//{{{PIC}}}cNvPr").set("name", "Gambar 9")
                holder.find(f".//{{{A}}}blip").set(f"{{{R}}}embed", rid)
                return
        raise AssertionError(docpr_name)

    def edit_caption(self, old: str, new_parts: list[str]) -> None:
        self.change_words(old, old, new_parts)

    def track(self, containing: str, insert_before: str, inserted: str, deleted: str,
              author: str = "Rina Editor") -> None:
        """A tracked insertion before ``insert_before`` and a tracked deletion of ``deleted``."""
        p = self.para(containing)
        for r in list(p.iter(wq("r"))):
            t = r.find(wq("t"))
            if t is None or not t.text or insert_before not in t.text or deleted not in t.text:
                continue
            text = t.text
            i = text.index(insert_before)
            j = text.index(deleted)
            assert i < j
            stamp = {wq("author"): author, wq("date"): "2025-11-12T09:30:00Z"}
            ins = etree.Element(wq("ins"), {wq("id"): "801", **stamp})
            ins.append(self.run(inserted))
            dele = etree.Element(wq("del"), {wq("id"): "802", **stamp})
            gone = self.run(deleted)
            gone.find(wq("t")).tag = wq("delText")
            dele.append(gone)
            pieces = [self.run(text[:i]), ins, self.run(text[i:j]), dele,
                      self.run(text[j + len(deleted):])]
            parent = r.getparent()
            index = parent.index(r)
            parent.remove(r)
            for offset, el in enumerate(pieces):
                parent.insert(index + offset, el)
            return
        raise AssertionError("text for tracked changes not found in one run")

    def comment(self, containing: str, author: str, text: str) -> None:
        p = self.para(containing)
        comments = etree.Element(wq("comments"), nsmap={"w": W})
        c = etree.SubElement(comments, wq("comment"), {wq("id"): "0", wq("author"): author,
                                                        wq("date"): "2025-11-12T10:00:00Z",
                                                        wq("initials"): "RE"})
        cp = etree.SubElement(c, wq("p"))
        cp.append(self.run(text))
        self.add_part("word/comments.xml", etree.tostring(comments, xml_declaration=True,
                                                          encoding="UTF-8", standalone=True),
                      R.replace("relationships", "relationships/comments"),
                      "application/vnd.openxmlformats-officedocument.wordprocessingml."
                      "comments+xml")
        first = next(c for c in p if c.tag == wq("r"))
        first.addprevious(etree.Element(wq("commentRangeStart"), {wq("id"): "0"}))
        first.addnext(etree.Element(wq("commentRangeEnd"), {wq("id"): "0"}))
        ref = etree.Element(wq("r"))
        etree.SubElement(ref, wq("commentReference")).set(wq("id"), "0")
        p.append(ref)

    def save(self, path: Path) -> Path:
        self.parts["word/document.xml"] = etree.tostring(self.doc, xml_declaration=True,
                                                         encoding="UTF-8", standalone=True)
        self.parts["word/_rels/document.xml.rels"] = etree.tostring(
            self.rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        self.parts["[Content_Types].xml"] = etree.tostring(
            self.types, xml_declaration=True, encoding="UTF-8", standalone=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self.parts.items():
                zf.writestr(name, data)
        return path


def replace_text(blocks, old: str, new: str):
    """The model blocks with ``old`` replaced by ``new`` in the first Text that has it."""
    done = [False]

    def inl(nodes):
        out = []
        for n in nodes:
            if isinstance(n, Text) and old in n.text and not done[0]:
                done[0] = True
                out.append(Text(n.text.replace(old, new, 1)))
            elif hasattr(n, "children") and not isinstance(n, Text):
                from dataclasses import replace
                out.append(replace(n, children=tuple(inl(n.children))))
            else:
                out.append(n)
        return out

    out = []
    for b in blocks:
        if isinstance(b, Paragraph):
            b = Paragraph(tuple(inl(b.inlines)))
        out.append(b)
    assert done[0], old
    return out


def png_bytes(color=(240, 160, 20), size=(500, 300)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


# ---------------------------------------------------------------- round trips


def test_every_sample_comes_back_as_the_same_model(exported, workspace):
    """Export -> import with --into gives the source model exactly; the hash says "unchanged"."""
    from publikasi.docx_import import plan_docx

    originals = articles_of(workspace["pub"])
    originals.update(articles_of(workspace["extra"]))
    assert len(originals) == 13
    for slug, (release, article) in originals.items():
        plan = plan_docx(workspace["files"][slug], into=release.root)
        assert model(plan.imported.article, release.root) == model(article, release.root), slug
        assert plan.unchanged, slug
        assert plan.target == release.root / article.path.with_suffix(".md").name
    before = tree_digest(workspace["pub"])
    proc = run_cli("import", *[workspace["files"][s] for s, (r, _) in originals.items()
                               if r.root.parent == workspace["pub"] and r.slug == "2025-46"],
                   "--into", workspace["pub"] / "2025-46")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("unchanged since it was exported; nothing written") == 6
    assert tree_digest(workspace["pub"]) == before


def test_every_block_type_and_metadata_field(exported, workspace):
    """The every-block article: nested lists past level 3, restarts, quotes with and without
    attribution, caption-only photo, table alignment, code, line breaks, footnotes with links,
    relative links, explicit summary, source credit, all front-matter fields."""
    from publikasi.docx_import import plan_docx

    rel = workspace["extra"]
    (_, article), = [v for k, v in articles_of(rel).items() if k.startswith("semua")]
    types = {b.type for b in article.blocks} | {"footnote" for _ in article.footnotes[:1]}
    assert types >= {"paragraph", "heading", "list", "quote", "figure", "table", "footnote"}
    out = workspace["tmp"] / "md"
    proc = run_cli("import", workspace["files"][article.slug], "-o", out)
    assert proc.returncode == 0, proc.stderr
    written = out / "semua-blok.md"
    # Without the source at hand one thing Word cannot tell apart falls back to a
    # default: the relative link comes back absolute.
    back = model(read_md(written, out), out)
    want = model(article, rel)
    for data in (back, want):
        data["image"]["src"] = data["image"]["src"] and "IMG"
        for block in data["blocks"]:
            if block["type"] == "figure" and block["src"]:
                block["src"] = "IMG"
        text = json.dumps(data, ensure_ascii=False)
        data.update(json.loads(text.replace('"agenda/2025"',
                                            '"https://humas.example/berita/agenda/2025"')))
    assert back == want
    # With the source (--into), even those come back exactly.
    plan = plan_docx(workspace["files"][article.slug], into=rel)
    assert model(plan.imported.article, rel) == model(article, rel)


def test_round_trip_without_the_source_keeps_pictures(exported, workspace):
    """-o to an empty folder: every picture is extracted (deduplicated by content)."""
    out = workspace["tmp"] / "lepas"
    files = [workspace["files"][BANK], workspace["files"][BANK]]
    proc = run_cli("import", files[0], "-o", out)
    assert proc.returncode == 0, proc.stderr
    article = read_md(out / "bank-sampah-lesanpuro.md", out)
    first_md = (out / "bank-sampah-lesanpuro.md").read_bytes()
    pictures = sorted((out / "images").iterdir())
    assert len(pictures) == 2
    for fig in [article.image, *[b for b in article.blocks if isinstance(b, Figure)]]:
        data = fig.src.read_bytes()
        assert fig.src.name == hashlib.sha256(data).hexdigest()[:16] + fig.src.suffix
    # The same Word file again: the .md exists and is the same, pictures are not duplicated.
    proc = run_cli("import", files[1], "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert sorted((out / "images").iterdir()) == pictures
    assert (out / "bank-sampah-lesanpuro.md").read_bytes() == first_md
    assert "unchanged" in proc.stdout, proc.stdout


# ---------------------------------------------------------------- edits


def _edited_bank(workspace, *, tracked: bool = True, comment: bool = True) -> tuple[Path, bytes]:
    src = workspace["files"][BANK]
    e = WordEdit(src)
    e.change_words("Bank sampah yang dikelola warga sejak 2021", "7,1 ton", ["7,", "2 ton"])
    e.insert_paragraph_after("Ketua pengelola, Wiwik", ["Kalimat baru ", "dari redaktur."])
    e.delete_paragraph("DLH kini menyiapkan pelatihan")
    new_png = png_bytes()
    e.replace_picture("images/grafik-setoran.png", new_png)
    e.edit_caption("Setoran bulanan Bank Sampah", ["Setoran ", "per bulan Bank Sampah"])
    if tracked:
        e.track("Kepala Dinas Lingkungan Hidup", "menilai", "juga ", "sebagai contoh ")
    if comment:
        e.comment("Harga beli setiap jenis sampah", "Rina Editor", "Cek harga terbaru ke DLH")
    return e.save(workspace["tmp"] / "editan.docx"), new_png


def _expected_bank(workspace, new_png: bytes):
    rel = workspace["pub"] / "2025-46"
    _, article = articles_of(workspace["pub"])[BANK]
    blocks = list(article.blocks)
    blocks = replace_text(blocks, "7,1 ton", "7,2 ton")
    blocks.insert(2, Paragraph((Text("Kalimat baru dari redaktur."),)))
    blocks = [b for b in blocks if not (isinstance(b, Paragraph) and
                                        "DLH kini menyiapkan" in str(b))]
    blocks = replace_text(blocks, "menilai Berkah Lestari sebagai contoh bahwa",
                          "juga menilai Berkah Lestari bahwa")
    digest = hashlib.sha256(new_png).hexdigest()[:16]
    for i, b in enumerate(blocks):
        if isinstance(b, Figure):
            blocks[i] = Figure(rel / "images" / f"{digest}.png", alt=b.alt,
                               caption=b.caption.replace("Setoran bulanan", "Setoran per bulan"),
                               credit=b.credit)
    from dataclasses import replace
    # The summary is derived from the first paragraph: derive it again.
    return replace(article, blocks=tuple(blocks), summary=""), rel


def test_word_edits_come_back_exactly(exported, workspace):
    edited, new_png = _edited_bank(workspace)
    expected, rel = _expected_bank(workspace, new_png)
    target = rel / "bank-sampah-lesanpuro.md"
    original_text = target.read_text(encoding="utf-8")

    # Unresolved tracked changes: refused, each listed with its author; nothing written.
    before = tree_digest(workspace["pub"])
    proc = run_cli("import", edited, "--into", rel)
    assert proc.returncode == 2
    errors = proc.stderr.strip().splitlines()
    assert all(ERROR_LINE.match(line) for line in errors), proc.stderr
    assert f'error: {edited}: tracked change by Rina Editor: inserted "juga"' in errors
    assert f'error: {edited}: tracked change by Rina Editor: deleted "sebagai contoh"' in errors
    assert "Traceback" not in proc.stderr
    assert tree_digest(workspace["pub"]) == before
    # Several files: a bad one stops the import before any is written.
    clean = WordEdit(workspace["files"][BANK])
    clean.change_words("Bank sampah yang dikelola warga", "7,1 ton", ["8 ton"])
    proc = run_cli("import", clean.save(workspace["tmp"] / "bersih.docx"), edited,
                   "--into", rel, "--yes")
    assert proc.returncode == 2 and "tracked change by Rina Editor" in proc.stderr
    assert tree_digest(workspace["pub"]) == before

    # Accepted, without --yes: diff shown, new text beside the source, source untouched.
    proc = run_cli("import", edited, "--into", rel, "--accept-changes")
    assert proc.returncode == 0, proc.stderr
    assert target.read_text(encoding="utf-8") == original_text
    new_md = rel / "bank-sampah-lesanpuro.new.md"
    assert new_md.is_file()
    assert f"--- {target}" in proc.stdout and f"+++ {new_md}" in proc.stdout
    assert re.search(r"^-.*7,1 ton", proc.stdout, re.MULTILINE)
    assert re.search(r"^\+.*7,2 ton", proc.stdout, re.MULTILINE)
    assert "run the import again with --yes" in proc.stderr
    assert 'accepted tracked change by Rina Editor: inserted "juga"' in proc.stdout
    assert ('comment by Rina Editor (2025-11-12) on "Harga beli setiap jenis sampah mengikuti '
            'harga dari pengepul dan Bank Sampah Induk Kota Malang, sehingga bisa berubah tiap '
            'bulan. Untuk November, daftar harganya sebagai berikut.": '
            '"Cek harga terbaru ke DLH"') in proc.stdout
    assert "1 comment(s) by editors" in proc.stderr
    picture = rel / "images" / (hashlib.sha256(new_png).hexdigest()[:16] + ".png")
    assert picture.read_bytes() == new_png
    assert model(read_md(new_md, rel), rel) == model(expected, rel)

    # --yes: the source itself is replaced; reading it gives exactly the edited model.
    new_md.unlink()
    proc = run_cli("import", edited, "--into", rel, "--accept-changes", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert not new_md.exists()
    assert model(read_md(target, rel), rel) == model(expected, rel)
    # The untouched lead photo keeps its source file.
    assert read_md(target, rel).image.src == rel / "images" / "bank-sampah.jpg"


def test_imported_release_builds_to_every_format(exported, workspace):
    edited, _ = _edited_bank(workspace, tracked=False, comment=False)
    rel = workspace["pub"] / "2025-46"
    # --into the publication folder finds the release the file came from.
    proc = run_cli("import", edited, "--into", workspace["pub"], "--yes")
    assert proc.returncode == 0, proc.stderr
    out = workspace["tmp"] / "dist"
    proc = run_cli("build", workspace["pub"], "-o", out, "--no-cache")
    assert proc.returncode == 0, proc.stderr
    for name in ("2025-46/2025-46.pdf", "2025-46/2025-46.epub", "2025-46/2025-46.docx",
                 f"2025-46/docx/{BANK}.docx", "feed.xml", "atom.xml", "feed.json"):
        assert (out / name).stat().st_size > 0, name
    # The rebuilt Word file carries the edit, read with python-docx.
    text = "\n".join(p.text for p in Document(out / "2025-46" / "docx" / f"{BANK}.docx")
                     .paragraphs)
    assert "7,2 ton" in text and "Kalimat baru dari redaktur." in text
    assert "DLH kini menyiapkan" not in text
    # ...and importing that rebuilt file reports it unchanged.
    proc = run_cli("import", out / "2025-46" / "docx" / f"{BANK}.docx", "--into", rel)
    assert proc.returncode == 0 and "unchanged since it was exported" in proc.stdout


def test_visible_metadata_block_wins_over_the_properties(exported, workspace):
    e = WordEdit(workspace["files"][BANK])
    e.change_words("Kedungkandang — Selasa", "Kedungkandang", ["Lesan", "puro"])
    e.change_words("Selasa, 4 November 2025, 14.00 WIB", "Selasa, 4 November 2025, 14.00",
                   ["Rabu, 5 November 2025, 10.30"])
    e.change_words("Yuliana Sari (yul/ba)", "Yuliana Sari (yul/ba)", ["Yuliana Sari, Dewi (yul/dw)"])
    e.change_words("sampah, bank sampah, DLH", "sampah, bank sampah, DLH, ekonomi sirkular",
                   ["sampah, daur ulang"])
    edited = e.save(workspace["tmp"] / "meta.docx")
    rel = workspace["pub"] / "2025-46"
    proc = run_cli("import", edited, "--into", rel, "--yes")
    assert proc.returncode == 0, proc.stderr
    back = read_md(rel / "bank-sampah-lesanpuro.md", rel)
    assert back.dateline == "Lesanpuro"
    assert back.date.isoformat() == "2025-11-05T10:30:00+07:00" and back.has_time
    assert back.authors == ("Yuliana Sari", "Dewi") and back.byline == "yul/dw"
    assert back.tags == ("sampah", "daur ulang")
    assert back.section == "Lingkungan"  # untouched line: from the properties
    assert back.slug == BANK  # the identity never changes with the headline


def test_txt_source_is_replaced_by_md_and_kept(exported, workspace):
    rel = workspace["pub"] / "2025-46"
    txt = rel / "rilis-kantin-sehat.txt"
    txt_article = articles_of(workspace["pub"])[KANTIN][1]
    e = WordEdit(workspace["files"][KANTIN])
    e.change_words("resmi meluncurkan Gerakan Kantin Sehat", "100 sekolah", ["seratus sekolah"])
    edited = e.save(workspace["tmp"] / "kantin.docx")
    proc = run_cli("import", edited, "--into", rel)
    assert proc.returncode == 0, proc.stderr
    assert txt.is_file() and (rel / "rilis-kantin-sehat.new.md").is_file()
    assert not (rel / "rilis-kantin-sehat.md").exists()
    assert re.search(r"^\+.*seratus sekolah", proc.stdout, re.MULTILINE)
    (rel / "rilis-kantin-sehat.new.md").unlink()
    # A release that lists its articles is pointed at the new file.
    listed = sorted(p.name for p in rel.iterdir() if p.suffix in (".md", ".txt"))
    meta = rel / "release.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "articles:\n"
                    + "".join(f"  - {name}  # urutan\n" for name in listed), encoding="utf-8")
    proc = run_cli("import", edited, "--into", rel, "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "  - rilis-kantin-sehat.md  # urutan" in meta.read_text(encoding="utf-8")
    assert not txt.exists()
    assert (rel / "rilis-kantin-sehat.txt.orig").read_bytes() == \
        (PUBLICATION / "2025-46" / "rilis-kantin-sehat.txt").read_bytes()
    assert "replaces rilis-kantin-sehat.txt" in proc.stdout
    back = articles_of(workspace["pub"])[KANTIN][1]  # the release now reads the .md
    assert back.path.name == "rilis-kantin-sehat.md"
    from dataclasses import replace
    want = replace(txt_article, summary="", blocks=tuple(
        replace_text(txt_article.blocks, "100 sekolah", "seratus sekolah")))
    assert model(back, rel) == model(want, rel)


def test_existing_md_is_never_overwritten_without_yes(exported, workspace):
    rel = workspace["pub"] / "2025-47"
    files = workspace["files"]
    slug = "pojok-baca-taman-merjosari-jadi-tujuan-favorit-anak-anak-di"
    e = WordEdit(files[slug])
    e.change_words("Minggu pagi di Taman Merjosari", "Minggu pagi", ["Sabtu pagi"])
    edited = e.save(workspace["tmp"] / "pojok.docx")
    target = rel / "pojok-baca-merjosari.md"
    old = target.read_text(encoding="utf-8")
    for _attempt in range(2):
        proc = run_cli("import", edited, "--into", rel)
        assert proc.returncode == 0, proc.stderr
        assert target.read_text(encoding="utf-8") == old
    new = (rel / "pojok-baca-merjosari.new.md").read_text(encoding="utf-8")
    assert new == old.replace("Minggu pagi di Taman Merjosari", "Sabtu pagi di Taman Merjosari")
    # A file from another release is refused by --into.
    proc = run_cli("import", edited, "--into", workspace["pub"] / "2025-46")
    assert proc.returncode == 2
    assert "was exported from release '2025-47'" in proc.stderr


def test_one_file_source_folder(exported, tmp_path):
    """A Word file exported from `publikasi build article.md` goes back into that folder."""
    folder = tmp_path / "satu"
    folder.mkdir()
    shutil.copy(PUBLICATION / "2025-47" / "adminduk-keliling-bandulan.md", folder)
    shutil.copytree(PUBLICATION / "2025-47" / "images", folder / "images")
    proc = run_cli("build", folder / "adminduk-keliling-bandulan.md", "-f", "docx",
                   "-o", tmp_path / "dist")
    assert proc.returncode == 0, proc.stderr
    docx = next((tmp_path / "dist" / "docx").glob("*.docx"))
    e = WordEdit(docx)
    e.change_words("Warga Kelurahan Bandulan tidak perlu", "tidak perlu", ["tak perlu"])
    proc = run_cli("import", e.save(tmp_path / "satu.docx"), "--into", folder, "--yes")
    assert proc.returncode == 0, proc.stderr
    text = (folder / "adminduk-keliling-bandulan.md").read_text(encoding="utf-8")
    assert "Warga Kelurahan Bandulan tak perlu" in text
    original = (PUBLICATION / "2025-47" / "adminduk-keliling-bandulan.md").read_text(
        encoding="utf-8")
    # Only the edited line differs from the hand-written source.
    changed = [ln for ln in text.splitlines() if ln not in original.splitlines()]
    assert len(changed) == 1 and "tak perlu" in changed[0]


# ---------------------------------------------------------------- LibreOffice


@pytest.mark.slow
def test_libreoffice_converted_files_keep_identity_and_content(exported, workspace):
    from publikasi.docx_import import plan_docx
    originals = articles_of(workspace["pub"])
    originals.update(articles_of(workspace["extra"]))
    files = [workspace["files"][slug] for slug in originals]
    converted = judges.libreoffice_convert(files, workspace["tmp"] / "lo", to="docx")
    for slug, (release, article) in originals.items():
        lo = converted[workspace["files"][slug]]
        assert lo.read_bytes() != workspace["files"][slug].read_bytes()
        plan = plan_docx(lo, into=release.root)
        assert plan.imported.props["publikasi.slug"] == slug
        assert plan.target == release.root / article.path.with_suffix(".md").name
        assert model(plan.imported.article, release.root) == model(article, release.root), slug


# ---------------------------------------------------------------- Word files publikasi never made


def test_plain_word_file_becomes_an_article(tmp_path):
    photo = tmp_path / "foto.jpg"
    Image.new("RGB", (800, 500), (200, 80, 40)).save(photo)
    d = Document()
    head = d.add_paragraph().add_run("Wali Kota Resmikan Taman Baca di Kelurahan Sawojajar")
    head.bold = True
    d.add_paragraph("KEDUNGKANDANG (malangkota.go.id) – Wali Kota Malang meresmikan taman baca "
                    "baru di Kelurahan Sawojajar, Kamis (13/11/2025). Taman baca itu dibangun "
                    "warga bersama Dinas Perpustakaan.")
    d.add_picture(str(photo))
    d.add_paragraph("Wali Kota menggunting pita peresmian taman baca (Foto: Humas Pemkot)")
    p = d.add_paragraph("Menurut Kepala Dinas, taman baca ini adalah yang ke-25 di kota. ")
    p.add_run("Koleksinya").italic = True
    p.add_run(" mencapai 1.200 buku, ")
    p.add_run("gratis").bold = True
    p.add_run(" untuk warga.")
    d.add_paragraph("Layanan yang tersedia:")
    d.add_paragraph("peminjaman buku", style="List Bullet")
    d.add_paragraph("kelas mendongeng", style="List Bullet")
    d.add_paragraph("Warga diharapkan ikut merawat fasilitas tersebut. (ram/yn)")
    source = tmp_path / "rilis-sawojajar.docx"
    d.save(source)
    release = tmp_path / "2025-48"
    release.mkdir()
    (release / "release.yaml").write_text("title: Warta\ndate: 2025-11-14\n", encoding="utf-8")
    proc = run_cli("import", source, "--into", release)
    assert proc.returncode == 0, proc.stderr
    md = release / "wali-kota-resmikan-taman-baca-di-kelurahan-sawojajar.md"
    article = read_md(md, release)
    assert article.title == "Wali Kota Resmikan Taman Baca di Kelurahan Sawojajar"
    assert article.dateline == "Kedungkandang"
    assert article.date.date().isoformat() == "2025-11-13"
    assert article.byline == "ram/yn"
    data = model(article, release)
    types = [b["type"] for b in data["blocks"]]
    assert types == ["paragraph", "figure", "paragraph", "paragraph", "list", "paragraph"]
    fig = data["blocks"][1]
    assert fig["caption"] == "Wali Kota menggunting pita peresmian taman baca"
    assert fig["credit"] == "Humas Pemkot"
    assert fig["src"].startswith("images/") and (release / fig["src"]).is_file()
    assert data["blocks"][0]["inlines"][0]["text"].startswith("Wali Kota Malang meresmikan")
    assert data["blocks"][2]["inlines"][1] == {"type": "emph", "children": [
        {"type": "text", "text": "Koleksinya"}]}
    assert data["blocks"][2]["inlines"][3] == {"type": "strong", "children": [
        {"type": "text", "text": "gratis"}]}
    assert data["blocks"][4]["items"] == [
        [{"type": "paragraph", "inlines": [{"type": "text", "text": "peminjaman buku"}]}],
        [{"type": "paragraph", "inlines": [{"type": "text", "text": "kelas mendongeng"}]}]]
    assert data["blocks"][5]["inlines"] == [
        {"type": "text", "text": "Warga diharapkan ikut merawat fasilitas tersebut."}]
    proc = run_cli("build", release, "-f", "docx,epub", "-o", tmp_path / "dist")
    assert proc.returncode == 0, proc.stderr


def test_word_styles_in_a_plain_file(tmp_path):
    """Title/Heading/Quote/numbered list styles, a table and direct formatting notes."""
    d = Document()
    d.add_paragraph("Rapat Koordinasi Banjir", style="Title")
    d.add_paragraph("Malang – Pemerintah Kota Malang menggelar rapat koordinasi penanganan "
                    "banjir, Senin (10/11/2025), bersama camat dan lurah se-kota.")
    d.add_paragraph("Langkah Darurat", style="Heading 1")
    d.add_paragraph("bersihkan saluran", style="List Number")
    d.add_paragraph("siagakan pompa", style="List Number")
    d.add_paragraph("Kita bergerak bersama.", style="Quote")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Kecamatan", "Titik"
    table.cell(1, 0).text, table.cell(1, 1).text = "Sukun", "12"
    p = d.add_paragraph("Warga diminta ")
    red = p.add_run("waspada")
    from docx.shared import Pt, RGBColor
    red.font.color.rgb = RGBColor(0xFF, 0, 0)
    red.font.size = Pt(14)
    red.underline = True
    p.add_run(" saat hujan deras. (*/Hms)")
    source = tmp_path / "rapat.docx"
    d.save(source)
    out = tmp_path / "md"
    out.mkdir()
    (out / "release.yaml").write_text("title: Warta\ndate: 2025-11-10\n", encoding="utf-8")
    proc = run_cli("import", source, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "formatting with no meaning in publikasi was dropped" in proc.stdout
    assert "colour (1x)" in proc.stdout and "underline (1x)" in proc.stdout
    article = read_md(out / "rapat-koordinasi-banjir.md", out)
    data = model(article, out)
    assert article.title == "Rapat Koordinasi Banjir" and article.dateline == "Malang"
    assert article.byline == "*/Hms"
    types = [b["type"] for b in data["blocks"]]
    assert types == ["paragraph", "heading", "list", "quote", "table", "paragraph"]
    assert data["blocks"][2]["ordered"] is True and len(data["blocks"][2]["items"]) == 2
    assert data["blocks"][4]["rows"][-1] == [[{"type": "text", "text": "Sukun"}],
                                             [{"type": "text", "text": "12"}]]
    assert data["blocks"][5]["inlines"] == [{"type": "text", "text":
                                            "Warga diminta waspada saat hujan deras."}]


# ---------------------------------------------------------------- bad input


def test_bad_word_files_are_clear_errors(exported, tmp_path):
    bad = {
        "kosong.docx": b"",
        "teks.docx": b"ini bukan zip",
        "lama.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
        "rusak.docx": b"PK\x03\x04" + b"\0" * 50,
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    zip_only = tmp_path / "bukan-word.docx"
    with zipfile.ZipFile(zip_only, "w") as zf:
        zf.writestr("hello.txt", "hi")
    broken_xml = tmp_path / "xml-rusak.docx"
    with zipfile.ZipFile(exported["files"][BANK]) as src, \
            zipfile.ZipFile(broken_xml, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    edition = next(exported["dist"].glob("pub/2025-46/2025-46.docx"))
    files = [*(tmp_path / n for n in bad), zip_only, broken_xml, edition]
    for path in files:
        proc = run_cli("import", path, "-o", tmp_path / "out")
        assert proc.returncode == 2, (path, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert lines and all(ERROR_LINE.match(ln) for ln in lines), proc.stderr
        assert str(path) in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()
    proc = run_cli("import", tmp_path / "lama.docx", "-o", tmp_path / "out")
    assert ".doc" in proc.stderr and "save it as .docx" in proc.stderr
    proc = run_cli("import", edition, "-o", tmp_path / "out")
    assert "per-article files" in proc.stderr


def test_a_zip_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bom.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<" + b" " * 50_000_000 + b">")
    with pytest.raises(InputError, match="ZIP bomb"):
        from publikasi.docx_import import import_docx
        import_docx(bomb, out=tmp_path / "out")


# ---------------------------------------------------------------- Word markup details


def _word_file(path: Path, body_xml: str, title: str = "Judul Rilis Uji Markup") -> Path:
    """A python-docx document whose body is ``body_xml`` (after a Title paragraph)."""
    from docx.oxml import parse_xml

    d = Document()
    d.add_paragraph(title, style="Title")
    body = d.element.body
    sect = body[-1]
    for el in parse_xml(f'<w:body xmlns:w="{W}" xmlns:r="{R}">{body_xml}</w:body>'):
        sect.addprevious(el)
    d.save(path)
    return path


def _read(path: Path, tmp_path: Path, accept: bool = False):
    from publikasi.docx_import import plan_docx

    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "release.yaml").write_text("title: Uji\ndate: 2025-11-10\n", encoding="utf-8")
    return plan_docx(path, out=out, accept_changes=accept)


def _p(text: str, style: str = "", extra: str = "") -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{ppr}{extra}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def test_tracked_paragraph_deletion_keeps_the_next_style(tmp_path):
    stamp = 'w:author="Budi" w:date="2025-11-12T08:00:00Z"'
    body = (_p("Malang – Kota Malang menggelar uji coba, Senin (10/11/2025), di balai kota.")
            + f'<w:p><w:pPr><w:rPr><w:del w:id="1" {stamp}/></w:rPr></w:pPr>'
              f'<w:del w:id="2" {stamp}><w:r><w:delText>Paragraf yang dihapus.</w:delText>'
              '</w:r></w:del></w:p>'
            + _p("Subjudul Tetap", "Heading1")
            + f'<w:p><w:ins w:id="3" {stamp}><w:r><w:t>Paragraf sisipan.</w:t></w:r></w:ins>'
              '</w:p>'
            + f'<w:p><w:r><w:rPr><w:b/><w:rPrChange w:id="4" {stamp}><w:rPr/></w:rPrChange>'
              '</w:rPr><w:t>Tebal baru</w:t></w:r></w:p>')
    doc = _word_file(tmp_path / "lacak.docx", body)
    with pytest.raises(InputError) as err:
        _read(doc, tmp_path)
    messages = [p.message for p in err.value.problems]
    assert 'tracked change by Budi: deleted "Paragraf yang dihapus."' in messages
    assert any(m.startswith("tracked change by Budi: deleted a paragraph break")
               for m in messages)
    assert 'tracked change by Budi: inserted "Paragraf sisipan."' in messages
    assert 'tracked change by Budi: changed the formatting of "Tebal baru"' in messages
    plan = _read(doc, tmp_path, accept=True)
    data = model(plan.imported.article, tmp_path)
    assert [b["type"] for b in data["blocks"]] == ["paragraph", "heading", "paragraph",
                                                   "paragraph"]
    assert data["blocks"][1]["inlines"] == [{"type": "text", "text": "Subjudul Tetap"}]
    assert data["blocks"][3]["inlines"] == [{"type": "strong", "children": [
        {"type": "text", "text": "Tebal baru"}]}]


def test_fields_hidden_text_and_text_boxes(tmp_path):
    body = (_p("Malang – Kota Malang membuka layanan baru, Senin (10/11/2025), di balai kota.")
            + '<w:p><w:r><w:t xml:space="preserve">Lihat </w:t></w:r>'
              '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
              '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://malangkota.example/'
              'layanan" \\o "Layanan" </w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
              '<w:r><w:rPr><w:i/></w:rPr><w:t>laman layanan</w:t></w:r>'
              '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
              '<w:r><w:t xml:space="preserve"> dan </w:t></w:r>'
              '<w:r><w:rPr><w:vanish/></w:rPr><w:t>catatan rahasia </w:t></w:r>'
              '<w:r><w:t>selesai.</w:t></w:r></w:p>')
    plan = _read(_word_file(tmp_path / "medan.docx", body), tmp_path)
    data = model(plan.imported.article, tmp_path)
    # Formatting that spans the whole link goes outside it (like `*[laman](url)*`).
    assert data["blocks"][1]["inlines"] == [
        {"type": "text", "text": "Lihat "},
        {"type": "emph", "children": [
            {"type": "link", "url": "https://malangkota.example/layanan", "title": "Layanan",
             "children": [{"type": "text", "text": "laman layanan"}]}]},
        {"type": "text", "text": " dan selesai."}]
    notes = "\n".join(plan.lines)
    assert "hidden text (1x)" in notes and '"catatan rahasia"' in notes


def test_strict_plain_word_file_names_the_paragraph(tmp_path):
    body = _p("Kota Malang membuka layanan baru di balai kota bagi seluruh warga yang datang.")
    doc = _word_file(tmp_path / "tanpa-tanggal.docx", body)
    out = tmp_path / "o"
    proc = run_cli("import", doc, "-o", out, "--strict")
    assert proc.returncode == 2
    assert re.search(rf"^error: {re.escape(str(doc))}: paragraph 2: .*dateline", proc.stderr,
                     re.MULTILINE), proc.stderr
    assert not out.exists()


def test_damaged_word_xml_is_an_error_or_an_article_never_a_crash(exported, tmp_path):
    """Seeded mutations of real exported files: elements dropped, copied, moved; odd values."""
    import random

    from publikasi.docx_import import plan_docx
    from publikasi.import_changes import ChangeSet, ImportReport

    rng = random.Random(2025)
    sources = [exported["files"][BANK], exported["files"]["uji-publik-rapbd-2026"],
               exported["files"]["semua-jenis-blok-untuk-uji-impor"]]
    out = tmp_path / "o"
    out.mkdir()
    (out / "release.yaml").write_text("title: x\ndate: 2025-11-20\n", encoding="utf-8")
    for n in range(40):
        with zipfile.ZipFile(rng.choice(sources)) as zf:
            parts = {k: zf.read(k) for k in zf.namelist()}
        name = rng.choice(["word/document.xml", "word/document.xml", "word/numbering.xml",
                           "word/_rels/document.xml.rels", "docProps/custom.xml",
                           "word/styles.xml"])
        name = name if name in parts else "word/document.xml"
        root = etree.fromstring(parts[name])
        for _ in range(rng.randint(1, 6)):
            nodes = list(root.iter())
            el = rng.choice(nodes)
            parent = el.getparent()
            if parent is None:
                continue
            op = rng.random()
            if op < 0.35:
                parent.remove(el)
            elif op < 0.6:
                parent.insert(rng.randint(0, len(parent)), etree.fromstring(etree.tostring(el)))
            elif op < 0.8:
                for key in list(el.attrib):
                    el.attrib[key] = rng.choice(["", "0", "-1", "x", "99999", "../../x.jpg"])
            else:
                el.text = rng.choice(["", " ", "\u00a0", "Senin (10/11/2025)", "\u200b"])
        parts[name] = etree.tostring(root)
        doc = tmp_path / f"rusak-{n}.docx"
        with zipfile.ZipFile(doc, "w") as zf:
            for key, data in parts.items():
                zf.writestr(key, data)
        try:
            plan = plan_docx(doc, out=out, accept_changes=bool(n % 2))
        except InputError as exc:
            assert all(p.file == str(doc) or p.file == str(out) for p in exc.problems)
            continue
        changes = ChangeSet(out)
        plan.stage(changes, ImportReport(), True)
        changes.commit(ImportReport(), force=True)
    for md in out.glob("*.md"):
        read_md(md, out)  # whatever was written reads back
