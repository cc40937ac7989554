"""``publikasi import`` and the Markdown writer: .txt -> .md that reads back as the same article."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import run_cli

from publikasi.errors import Problems
from publikasi.importer import import_files
from publikasi.mdwriter import write_markdown
from publikasi.model import (
    Article,
    Code,
    Emph,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
)
from publikasi.readers.common import ReadContext
from publikasi.readers.markdown import read_markdown
from publikasi.readers.plaintext import decode_bytes, read_plaintext

CORPUS = Path(__file__).parent / "fixtures" / "plaintext"
ERROR_LINE = re.compile(r"^(error|warning): \S.*: .+$")

SEED_SHAPE = """Warga Kelurahan Sumbersari Gelar Pasar Sayur Organik

Warga Kelurahan Sumbersari Gelar Pasar Sayur Organik

Lowokwaru () – Kelompok tani perkotaan di Kelurahan Sumbersari menggelar pasar sayur organik perdana di halaman kantor kelurahan, Senin (10/11/2025). Sebanyak dua puluh lapak menjual hasil kebun warga.

Lurah Sumbersari saat membeli sayur bayam dari lapak kelompok tani di halaman kantor kelurahan

Ketua kelompok tani mengatakan seluruh sayur ditanam tanpa pupuk kimia di lahan tidur milik warga.

“Awalnya hanya untuk dapur sendiri, sekarang bisa dijual,” tuturnya.

Pasar sayur akan digelar setiap Senin pagi mulai pekan depan. (/sri/yn)
"""


def article_of(proc) -> dict:
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    [article] = data["articles"]
    return article


def without(d: dict, *keys: str) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


# ---------------------------------------------------------------- the CLI, end to end

def test_seed_shape_inspect_import_and_round_trip(tmp_path):
    src = tmp_path / "rilis.txt"
    src.write_text(SEED_SHAPE, encoding="utf-8")
    a = article_of(run_cli("inspect", src))
    assert a["title"] == "Warga Kelurahan Sumbersari Gelar Pasar Sayur Organik"
    assert a["dateline"] == "Lowokwaru" and a["date"] == "2025-11-10" and a["byline"] == "sri/yn"
    types = [b["type"] for b in a["blocks"]]
    assert types == ["paragraph", "figure", "paragraph", "paragraph", "paragraph"]
    fig = a["blocks"][1]
    assert fig["src"] is None and fig["caption"].startswith("Lurah Sumbersari saat membeli")
    text = json.dumps(a["blocks"], ensure_ascii=False)
    assert text.count("Gelar Pasar Sayur Organik") == 0  # the repeated title is gone
    assert "(/sri/yn)" not in text and "Lowokwaru ()" not in text

    out = tmp_path / "md"
    proc = run_cli("import", src, "-o", out)
    assert proc.returncode == 0, proc.stderr
    written = out / f"{a['slug']}.md"
    assert proc.stdout.strip() == str(written) and written.is_file()
    assert written.read_text(encoding="utf-8").startswith("---\ntitle: ")

    back = run_cli("inspect", written)
    b = article_of(back)
    assert without(b, "path") == without(a, "path")


def test_import_never_overwrites_without_yes(tmp_path):
    src = tmp_path / "rilis.txt"
    src.write_text(SEED_SHAPE, encoding="utf-8")
    out = tmp_path / "md"
    assert import_files([src], out=out).written
    [md] = list(out.glob("*.md"))
    again = import_files([src], out=out)
    assert again.lines == [f"unchanged {md}"] and not again.written

    md.write_text(md.read_text(encoding="utf-8").replace("dateline: Lowokwaru",
                                                         "dateline: Malang"), encoding="utf-8")
    edited = md.read_text(encoding="utf-8")
    proc = run_cli("import", src, "-o", out)
    assert proc.returncode == 0, proc.stderr
    new = md.with_name(md.stem + ".new.md")
    assert new.is_file() and md.read_text(encoding="utf-8") == edited
    assert "-dateline: Malang" in proc.stdout and "+dateline: Lowokwaru" in proc.stdout
    assert "--yes" in proc.stderr
    assert all(ERROR_LINE.match(ln) for ln in proc.stderr.splitlines() if ln.strip())

    proc = run_cli("import", src, "-o", out, "--yes")
    assert proc.returncode == 0 and "dateline: Lowokwaru" in md.read_text(encoding="utf-8")


def test_strict_import_fails_and_writes_nothing(tmp_path):
    src = tmp_path / "tanpa-dateline.txt"
    src.write_text("Rapat Warga Soal Parkir\n\nWarga membahas parkir liar, Senin (10/11/2025).\n",
                   encoding="utf-8")
    out = tmp_path / "md"
    proc = run_cli("import", src, "-o", out, "--strict")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "dateline" in proc.stderr and str(src) in proc.stderr
    assert not out.exists()
    proc = run_cli("import", src, "-o", out)
    assert proc.returncode == 0 and "warning:" in proc.stderr and "dateline" in proc.stderr
    assert len(list(out.glob("*.md"))) == 1


def test_inspect_strict_reports_fallbacks(tmp_path):
    src = tmp_path / "rilis.txt"
    src.write_text("Rapat Warga Soal Parkir\n\nWarga membahas parkir liar, Senin (10/11/2025).\n",
                   encoding="utf-8")
    assert run_cli("inspect", src).returncode == 0
    proc = run_cli("inspect", src, "--strict")
    assert proc.returncode == 2 and "error:" in proc.stderr and "--strict" in proc.stderr


def test_bad_inputs_are_clean_errors(tmp_path):
    binary = tmp_path / "foto.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    other = tmp_path / "catatan.rtf"
    other.write_text("x")
    proc = run_cli("import", binary, other, tmp_path / "hilang.txt", "-o", tmp_path / "md")
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 3 and all(ERROR_LINE.match(ln) for ln in lines)
    assert not (tmp_path / "md").exists()


def test_several_releases_become_several_files(tmp_path):
    src = CORPUS / "11_two_releases_dashes_jumat_slashes.txt"
    report = import_files([src], out=tmp_path)
    assert sorted(p.name for p in report.written) == ["kepanjen-resmikan-taman-baca-desa.md",
                                                      "kota-batu-gelar-festival-apel.md"]


def test_release_yaml_next_to_the_txt_gives_the_release_date(tmp_path):
    (tmp_path / "release.yaml").write_text("title: Warta\ndate: 2026-01-08\n", encoding="utf-8")
    src = tmp_path / "rilis.txt"
    src.write_text("Evaluasi Akhir Tahun\n\nMALANG – Rapat evaluasi digelar, Senin (29/12).\n",
                   encoding="utf-8")
    report = import_files([src], out=tmp_path / "md")
    [md] = report.written
    assert "date: '2025-12-29'" in md.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the Markdown writer


def round_trip(article: Article, root: Path) -> Article:
    text = write_markdown(article, root)
    ctx = ReadContext(root=root, problems=Problems())
    return read_markdown(text, root / "x.md", ctx)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.stem)
def test_every_corpus_article_round_trips(path, tmp_path):
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    ctx = ReadContext(root=CORPUS, problems=Problems(),
                      release_date=dt.date.fromisoformat(expected["release_date"]))
    for article in read_plaintext(decode_bytes(path.read_bytes(), path), path, ctx):
        assert replace(round_trip(article, tmp_path), path=None) == replace(article, path=None)


def test_every_block_and_inline_type_round_trips(tmp_path):
    (tmp_path / "images").mkdir()
    photo = tmp_path / "images" / "foto rapat (1).jpg"
    from PIL import Image

    Image.new("RGB", (8, 6), (200, 30, 30)).save(photo, "JPEG")
    tz = dt.timezone(dt.timedelta(hours=8))
    para = Paragraph((
        Text("Biasa "), Emph((Text("miring"),)), Text(" dan "), Strong((Text("tebal "),
        Emph((Text("campur"),)))), Text(", "), Code("kode `x`"), Text(" lalu "),
        Link("https://malangkota.go.id/berita?id=1&p=2", (Text("tautan"),), "Judul \"kutip\""),
        LineBreak(), Text("baris dua * [x] <b> & _y_ #1 ~z~ | \\ !"), FootnoteRef("1"),
    ))
    blocks = (
        para,
        Paragraph((Text("1. bukan daftar"),)),
        Paragraph((Text("- juga bukan"), LineBreak(), Text("# bukan judul"), LineBreak(),
                   Text("> bukan kutipan"))),
        Heading(1, (Text("Sub judul"),)),
        Heading(2, (Text("Anak judul "), Emph((Text("miring"),)))),
        Quote((Paragraph((Text("Kutipan panjang."),)), Paragraph((Text("Paragraf dua."),)))),
        ListBlock(((Paragraph((Text("satu"),)),),
                   (Paragraph((Text("dua"),)), ListBlock(((Paragraph((Text("anak"),)),),))),),
                  ordered=True, start=3),
        ListBlock(((Paragraph((Text("lain"),)),),)),
        Table(header=((Text("Kolom A"),), (Strong((Text("B"),)),)),
              rows=(((Text("1 | 2"),), (Text("x"),)), ((Text("3"),), ())),
              align=("left", "right")),
        Figure(src=photo.resolve(), alt="Rapat [alt]", caption="Rapat \"pleno\" warga",
               credit="Deny/Humas"),
        Paragraph((Text("Akhir."),)),
    )
    article = Article(
        slug="judul-khusus", title="Judul: “Uji” — yes", date=dt.datetime(2025, 11, 10, 9, 30,
                                                                         tzinfo=tz),
        has_time=True, blocks=blocks, dateline="Blimbing", authors=("Ayu", "Budi: B"),
        byline="*/Hms", section="Ekonomi", tags=("umkm", "no"), summary="Ringkasan sendiri.",
        image=Figure(src=photo.resolve(), alt="Sampul", caption="Foto utama", credit="Humas"),
        source="https://malangkota.go.id/a", source_credit="Humas Pemkot", language="en",
        footnotes=(Footnote("1", (Paragraph((Text("Catatan kaki "), Emph((Text("satu"),)))),)),),
    )
    back = round_trip(article, tmp_path)
    assert replace(back, path=None) == replace(article, path=None)


def test_caption_only_figure_markdown(tmp_path):
    fig = Figure(src=None, caption="Warga antre di loket", credit="Deny/Humas")
    text = write_markdown(Article(slug="a", title="A", date=dt.datetime(2025, 1, 1,
                                                                        tzinfo=dt.UTC),
                                  blocks=(fig,)), tmp_path)
    assert '![](<> "Warga antre di loket (Kredit: Deny/Humas)")' in text
    back = round_trip(Article(slug="a", title="A", date=dt.datetime(2025, 1, 1,
                                                                    tzinfo=dt.UTC),
                              blocks=(fig,)), tmp_path)
    assert back.blocks == (fig,)
