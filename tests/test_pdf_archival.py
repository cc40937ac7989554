"""The bulletin as an archival document: PDF/A identification, XMP, output
intent, fonts, nothing PDF/A forbids, reproducible bytes, and ``publikasi
check`` on our PDFs and on foreign ones.

Both sample editions in both themes, built through the CLI.  The catalog and
objects are read with pikepdf, the XMP with lxml, the ICC profile with
Pillow's littleCMS, fonts also with poppler's pdffonts and pdfinfo.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from conftest import PUBLICATION, RELEASES, run_cli
from judges import pdffonts, pdfinfo
from lxml import etree
from PIL import ImageCms

from publikasi.exporters.pdf.archival import NS, srgb_profile
from publikasi.repro import edition_time
from publikasi.source import load

THEMES = ("default", "buletin")
CASES = [(theme, release) for theme in THEMES for release in RELEASES]


@pytest.fixture(scope="module")
def buletin_pdfs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("buletin") / "dist"
    proc = run_cli("build", PUBLICATION, "-t", "buletin", "-f", "pdf", "-o", out)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def pdfs(sample_dist, buletin_pdfs) -> dict[tuple[str, str], Path]:
    found = {}
    for release in RELEASES:
        found[("default", release)] = next((sample_dist / release).glob("*.pdf"))
        found[("buletin", release)] = next((buletin_pdfs / release).glob("*.pdf"))
    return found


@pytest.fixture(scope="module")
def releases():
    loaded = load(PUBLICATION)
    try:
        return {r.slug: r for r in loaded.publication.releases}
    finally:
        loaded.cleanup()


def xmp_of(pdf: pikepdf.Pdf) -> etree._Element:
    raw = pdf.Root.Metadata.read_bytes()
    assert raw.startswith(b"<?xpacket begin="), raw[:60]
    assert raw.rstrip().endswith(b'<?xpacket end="w"?>')
    return etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True))


def xmp_values(root: etree._Element, path: str) -> list[str]:
    return [el.text or "" for el in root.xpath(path, namespaces=NS)]


def parse_pdf_date(text: str) -> dt.datetime:
    m = re.fullmatch(r"D:(\d{14})([+-])(\d\d)'(\d\d)'?", text)
    assert m, text
    when = dt.datetime.strptime(m.group(1), "%Y%m%d%H%M%S")
    offset = dt.timedelta(hours=int(m.group(3)), minutes=int(m.group(4)))
    return when.replace(tzinfo=dt.timezone(-offset if m.group(2) == "-" else offset))


def fonts_of(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [obj for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.Font]


# ---------------------------------------------------------------- catalog


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(c))
def test_catalog_has_what_pdfa_and_pdfua_ask_for(case, pdfs, releases):
    with pikepdf.open(pdfs[case]) as pdf:
        root = pdf.Root
        assert str(root.Lang) == (releases[case[1]].language or "id")
        assert root.ViewerPreferences.DisplayDocTitle is True
        # MarkInfo claims tagging only where the structure tree is there
        assert ("/MarkInfo" in root) == ("/StructTreeRoot" in root)
        if "/MarkInfo" in root:
            assert root.MarkInfo.Marked is True
        intents = list(root.OutputIntents)
        assert len(intents) == 1
        intent = intents[0]
        assert intent.S == pikepdf.Name.GTS_PDFA1
        assert str(intent.OutputConditionIdentifier) == "sRGB IEC61966-2.1"
        icc = intent.DestOutputProfile
        assert int(icc.N) == 3
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc.read_bytes())).profile
        assert profile.xcolor_space.strip() == "RGB" and profile.device_class == "mntr"
        assert profile.version < 5
        assert "srgb" in profile.profile_description.lower()
        meta = root.Metadata
        assert meta.Type == pikepdf.Name.Metadata and meta.Subtype == pikepdf.Name.XML
        assert "/Filter" not in meta.stream_dict  # readable without a PDF library
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                assert int(annot.F) & 4 and not int(annot.F) & (1 | 2 | 32)
            if page.obj.get("/Annots"):
                assert page.obj.Tabs == pikepdf.Name.S


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(c))
def test_xmp_identifies_pdfa_and_agrees_with_info(case, pdfs, releases):
    release = releases[case[1]]
    with pikepdf.open(pdfs[case]) as pdf:
        xmp = xmp_of(pdf)
        info = pdf.docinfo
        # level A and PDF/UA need the complete structure tree, which the bulletin has
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked is True
        assert xmp_values(xmp, "//pdfaid:part") == ["2"]
        assert xmp_values(xmp, "//pdfaid:conformance") == ["A"]
        assert xmp_values(xmp, "//pdfuaid:part") == ["1"]
        # PDF/A accepts pdfuaid only when the file declares its schema
        declared = xmp.xpath("//pdfaSchema:namespaceURI/text()", namespaces={
            "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#"})
        assert declared == ["http://www.aiim.org/pdfua/ns/id/"]
        title = xmp_values(xmp, "//dc:title/rdf:Alt/rdf:li")
        assert title == [str(info.Title)]
        assert title[0].startswith(release.title)
        assert xmp_values(xmp, "//dc:creator/rdf:Seq/rdf:li") == [str(info.Author)]
        assert xmp_values(xmp, "//dc:description/rdf:Alt/rdf:li") == [str(info.Subject)]
        assert xmp_values(xmp, "//pdf:Keywords") == [str(info.Keywords)]
        assert xmp_values(xmp, "//pdf:Producer") == [str(info.Producer)]
        assert xmp_values(xmp, "//xmp:CreatorTool") == [str(info.Creator)]
        assert xmp_values(xmp, "//dc:language/rdf:Bag/rdf:li") == [str(pdf.Root.Lang)]
        built = edition_time(release)
        for info_key, xmp_key in (("/CreationDate", "xmp:CreateDate"),
                                  ("/ModDate", "xmp:ModifyDate")):
            stated = parse_pdf_date(str(info[info_key]))
            [value] = xmp_values(xmp, f"//{xmp_key}")
            assert dt.datetime.fromisoformat(value) == stated == built
    # poppler reads the same title from the file
    assert pdfinfo(pdfs[case])["Title"] == title[0]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(c))
def test_every_font_is_embedded_with_a_tounicode_map(case, pdfs):
    with pikepdf.open(pdfs[case]) as pdf:
        fonts = fonts_of(pdf)
        assert fonts
        for font in fonts:
            name = str(font.get("/BaseFont"))
            assert "/ToUnicode" in font, name
            descriptor = font.FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name
    listed = pdffonts(pdfs[case])
    assert listed and all(f.embedded and f.unicode for f in listed), listed


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(c))
def test_nothing_pdfa_forbids(case, pdfs):
    with pikepdf.open(pdfs[case]) as pdf:
        assert not pdf.is_encrypted and "/Encrypt" not in pdf.trailer
        assert len(pdf.trailer.ID) == 2
        names = pdf.Root.get("/Names", {})
        assert "/JavaScript" not in names and "/EmbeddedFiles" not in names
        assert "/AA" not in pdf.Root
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                filters = obj.get("/Filter")
                filters = [filters] if isinstance(filters, pikepdf.Name) else list(filters or [])
                assert pikepdf.Name.LZWDecode not in filters
                assert "/F" not in obj.stream_dict
                if obj.get("/Subtype") == pikepdf.Name.Image:
                    # the sRGB output intent covers RGB and gray, not CMYK
                    assert obj.ColorSpace in (pikepdf.Name.DeviceRGB, pikepdf.Name.DeviceGray)
                    assert obj.get("/Interpolate") is not True
            elif isinstance(obj, pikepdf.Dictionary) and "/S" in obj:
                assert obj.S not in (pikepdf.Name.JavaScript, pikepdf.Name.Launch)
        for page in pdf.pages:
            assert "/AA" not in page.obj
            ops = {str(op) for _, op in pikepdf.parse_content_stream(page)}
            assert not ops & {"k", "K"}  # no DeviceCMYK colour under the RGB intent


def test_the_icc_profile_is_the_same_every_time():
    # littleCMS stamps the clock into the header; the profile must not carry it
    first = srgb_profile()
    srgb_profile.cache_clear()
    assert srgb_profile() == first
    assert first[24:36] == bytes([0x07, 0xD0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0])


def test_rebuilding_gives_the_same_bytes(buletin_pdfs, tmp_path):
    again = tmp_path / "again"
    proc = run_cli("build", PUBLICATION, "-t", "buletin", "-f", "pdf", "--no-cache", "-o", again)
    assert proc.returncode == 0, proc.stderr
    for release in RELEASES:
        first = next((buletin_pdfs / release).glob("*.pdf")).read_bytes()
        second = next((again / release).glob("*.pdf")).read_bytes()
        assert first == second, release


# ---------------------------------------------------------------- check


def test_check_passes_our_pdfs_and_names_what_they_claim(pdfs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for (theme, release), path in pdfs.items():
        shutil.copy(path, out / f"{theme}-{release}.pdf")
    proc = run_cli("check", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("ok   ") == 4, proc.stdout
    assert proc.stdout.count("claims PDF/A-2A and PDF/UA-1") == 4
    assert "PDF/A-2/3 and PDF/UA-1 rules" in proc.stdout


def plain_reportlab_pdf(path: Path) -> None:
    """What reportlab makes on its own: Helvetica (not embedded), a link, no XMP."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), invariant=1)
    canvas.setTitle("Rilis")
    canvas.drawString(72, 720, "Pemerintah Kota Malang")
    canvas.linkURL("https://example.go.id/", (72, 710, 300, 730))
    canvas.showPage()
    canvas.save()


def test_check_fails_a_plain_reportlab_pdf_with_clear_messages(tmp_path):
    foreign = tmp_path / "foreign.pdf"
    plain_reportlab_pdf(foreign)
    proc = run_cli("check", foreign)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout.startswith(f"FAIL {foreign}")
    for message in ("no XMP metadata", "no PDF/A output intent", "font Helvetica is not embedded",
                    "annotations that are not printable", "no structure tree",
                    "not marked as tagged", "no /Tabs /S"):
        assert message in proc.stdout, (message, proc.stdout)
    assert "Traceback" not in proc.stderr


def mutate(source: Path, target: Path, change) -> Path:
    with pikepdf.open(source) as pdf:
        change(pdf)
        pdf.save(target, fix_metadata_version=False)
    return target


def _break_title(pdf: pikepdf.Pdf) -> None:
    pdf.docinfo["/Title"] = "Judul lain"


def _break_date(pdf: pikepdf.Pdf) -> None:
    pdf.docinfo["/ModDate"] = "D:20300101000000+00'00'"


def _drop_intent(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/OutputIntents"]


def _drop_tounicode(pdf: pikepdf.Pdf) -> None:
    for font in fonts_of(pdf):
        del font["/ToUnicode"]


def _unmap_letter_a(pdf: pikepdf.Pdf) -> None:
    for font in fonts_of(pdf):
        cmap = font.ToUnicode
        cmap.write(cmap.read_bytes().replace(b"<61> <0061>", b"<61> <0000>"))


def _blank_link_texts(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            annot.Contents = pikepdf.String("")


def _untie_links(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            del annot["/StructParent"]


def _add_javascript(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))


def _drop_title_display(pdf: pikepdf.Pdf) -> None:
    pdf.Root.ViewerPreferences.DisplayDocTitle = False


def _claim_pdfa1(pdf: pikepdf.Pdf) -> None:
    meta = pdf.Root.Metadata
    meta.write(meta.read_bytes().replace(b"<pdfaid:part>2<", b"<pdfaid:part>1<"))


def _use_cmyk(pdf: pikepdf.Pdf) -> None:
    page = pdf.pages[0]
    page.contents_add(pdf.make_stream(b"0 0 0 1 k 10 10 5 5 re f"), prepend=False)


@pytest.mark.parametrize(("change", "message"), [
    (_break_title, "Info Title ('Judul lain') differs from dc:title"),
    (_break_date, "Info ModDate (D:20300101000000+00'00') differs from xmp:ModifyDate"),
    (_drop_intent, "no PDF/A output intent"),
    (_drop_tounicode, "has no ToUnicode map"),
    (_unmap_letter_a, "code(s) with no Unicode value (0x61)"),
    (_add_javascript, "forbidden in PDF/A: JavaScript actions"),
    (_blank_link_texts, "link(s) without a description (/Contents; PDF/UA 7.18.5)"),
    (_untie_links, "annotation(s) outside the structure tree (no /StructParent"),
    (_drop_title_display, "the viewer shows the file name, not the title"),
    (_claim_pdfa1, "no pdfaid:part 2 or 3"),
    (_use_cmyk, "DeviceCMYK is used but the output intent is RGB"),
], ids=lambda v: getattr(v, "__name__", "msg"))
def test_check_finds_each_broken_rule_in_our_pdf(change, message, pdfs, tmp_path):
    broken = mutate(pdfs[("default", RELEASES[0])], tmp_path / "broken.pdf", change)
    proc = run_cli("check", broken)
    assert proc.returncode == 2, proc.stdout
    assert message in proc.stdout, proc.stdout


def test_check_fails_our_pdf_with_its_structure_tree_taken_out(pdfs, tmp_path):
    def untag(pdf: pikepdf.Pdf) -> None:
        del pdf.Root["/StructTreeRoot"]
        del pdf.Root["/MarkInfo"]

    broken = mutate(pdfs[("default", RELEASES[1])], tmp_path / "untagged.pdf", untag)
    proc = run_cli("check", broken)
    assert proc.returncode == 2, proc.stdout
    assert "- no structure tree (/StructTreeRoot)" in proc.stdout
    assert "- not marked as tagged" in proc.stdout


def test_check_requires_the_structure_tree_when_pdfua_is_claimed(pdfs, tmp_path):
    def claim_pdfua_without_tags(pdf: pikepdf.Pdf) -> None:
        for key in ("/StructTreeRoot", "/MarkInfo"):
            if key in pdf.Root:
                del pdf.Root[key]
        meta = pdf.Root.Metadata
        raw = meta.read_bytes()
        if b"pdfuaid:part" not in raw:
            raw = raw.replace(b"</rdf:RDF>", b'<rdf:Description rdf:about="" '
                              b'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
                              b"<pdfuaid:part>1</pdfuaid:part></rdf:Description></rdf:RDF>")
        meta.write(raw)

    broken = mutate(pdfs[("buletin", RELEASES[1])], tmp_path / "ua.pdf", claim_pdfua_without_tags)
    proc = run_cli("check", broken)
    assert proc.returncode == 2, proc.stdout
    assert "- no structure tree (/StructTreeRoot)" in proc.stdout


def test_a_theme_with_embed_sources_builds_pdfa3_carrying_the_edition_source(tmp_path):
    theme = tmp_path / "arsip"
    (theme / "pdf").mkdir(parents=True)
    (theme / "theme.toml").write_text('inherits = "default"\n', encoding="utf-8")
    (theme / "pdf" / "settings.toml").write_text("embed_sources = true\n", encoding="utf-8")
    release_dir = PUBLICATION / RELEASES[0]
    out = tmp_path / "out"
    proc = run_cli("build", release_dir, "-t", theme, "-f", "pdf", "-o", out)
    assert proc.returncode == 0, proc.stderr
    pdf_path = next(out.glob("*.pdf"))
    inspected = run_cli("inspect", release_dir)
    assert inspected.returncode == 0, inspected.stderr
    with pikepdf.open(pdf_path) as pdf:
        assert xmp_values(xmp_of(pdf), "//pdfaid:part") == ["3"]
        files = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
        assert {str(s.AFRelationship) for s in pdf.Root.AF} == {"/Source"}
        assert len(pdf.Root.AF) == len(files)
    sources = sorted(p.name for p in release_dir.iterdir() if p.suffix in (".md", ".txt"))
    assert sources and all(files[name] == (release_dir / name).read_bytes() for name in sources)
    assert files["release.yaml"] == (release_dir / "release.yaml").read_bytes()
    [model] = [data for name, data in files.items() if name.endswith(".json")]
    assert json.loads(model) == json.loads(inspected.stdout)
    check = run_cli("check", pdf_path)
    assert check.returncode == 0, check.stdout
    assert "claims PDF/A-3" in check.stdout


def test_pictures_of_every_colour_kind_stay_inside_the_srgb_intent(tmp_path):
    """A CMYK JPEG, a gray, a palette and a transparent PNG: the PDF holds only
    RGB and gray pictures, which the sRGB output intent covers."""
    from PIL import Image

    release = tmp_path / "rilis"
    (release / "images").mkdir(parents=True)
    Image.new("CMYK", (400, 300), (0, 120, 200, 10)).save(release / "images" / "foto.jpg")
    Image.new("L", (400, 300), 128).save(release / "images" / "abu.png")
    Image.new("P", (400, 300), 3).save(release / "images" / "palet.png")
    Image.new("RGBA", (400, 300), (10, 200, 30, 128)).save(release / "images" / "bening.png")
    (release / "release.yaml").write_text("title: Uji Warna\ndate: 2025-11-10\n")
    (release / "a.md").write_text(
        "---\ntitle: Foto\ndate: 2025-11-10\n"
        "image: {src: images/foto.jpg, alt: Kotak biru polos}\n---\n\nBadan teks.\n\n"
        '![Kotak abu-abu](images/abu.png "abu")\n\n![Kotak hijau](images/palet.png "palet")'
        '\n\n![Kotak hijau bening](images/bening.png "bening")\n', encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("build", release, "-f", "pdf", "-o", out)
    assert proc.returncode == 0, proc.stderr
    path = next(out.glob("*.pdf"))
    with pikepdf.open(path) as pdf:
        spaces = [obj.ColorSpace for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                  and obj.get("/Subtype") == pikepdf.Name.Image]
    assert len(spaces) >= 4
    assert set(spaces) <= {pikepdf.Name.DeviceRGB, pikepdf.Name.DeviceGray}, spaces
    check = run_cli("check", path)
    assert check.returncode == 0, check.stdout


def test_check_reads_malformed_entries_as_findings_not_crashes(pdfs, tmp_path):
    def malform(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OutputIntents = pikepdf.Name.Foo  # not an array
        pdf.Root.Metadata = pikepdf.Dictionary(A=1)  # not a stream
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                annot.F = pikepdf.Name.Print  # not a number
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Array([1])  # not a dictionary

    broken = mutate(pdfs[("default", RELEASES[0])], tmp_path / "malformed.pdf", malform)
    proc = run_cli("check", broken)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "could not read it" not in proc.stdout
    for message in ("no XMP metadata", "no PDF/A output intent", "annotations that are not "
                    "printable"):
        assert message in proc.stdout, proc.stdout
