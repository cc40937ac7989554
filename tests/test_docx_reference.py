"""The themes' Word reference documents, checked without building anything.

The committed ``templates/<theme>/docx/reference.docx`` files must be exactly
what ``make_reference`` writes from the theme settings, open in python-docx,
hold every style the exporter needs, start in Indonesian on A4, carry
``word/footnotes.xml`` and no body text.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
THEMES = ["default", "buletin"]
PARAGRAPH = [
    "Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Quote", "Caption",
    "List Bullet", "List Bullet 2", "List Bullet 3", "List Number", "List Number 2",
    "List Number 3", "List Continue", "footnote text", "Header", "Footer", "TOC Heading",
    "Article Meta", "Standfirst", "Picture", "Photo Placeholder", "Quote Attribution",
    "Table Contents", "Table Heading",
]
CHARACTER = ["Hyperlink", "footnote reference", "Meta Label", "Caption Credit",
             "Verbatim Char"]


def reference(theme: str) -> Path:
    return ROOT / "templates" / theme / "docx" / "reference.docx"


@pytest.mark.parametrize("theme", THEMES)
def test_committed_reference_is_the_script_output(theme):
    from publikasi.exporters.docx.make_reference import build_reference
    from publikasi.themes import load_theme

    assert reference(theme).read_bytes() == build_reference(load_theme(theme)), (
        "regenerate with: python -m publikasi.exporters.docx.make_reference")


@pytest.mark.parametrize("theme", THEMES)
def test_reference_has_the_styles_and_parts_the_exporter_needs(theme):
    doc = Document(str(reference(theme)))
    for name in PARAGRAPH:
        assert doc.styles[name].type == WD_STYLE_TYPE.PARAGRAPH, name
    for name in CHARACTER:
        assert doc.styles[name].type == WD_STYLE_TYPE.CHARACTER, name
    assert doc.styles["Publikasi Table"].type == WD_STYLE_TYPE.TABLE
    # No body text: one empty paragraph (Word wants one) and the section.
    assert [p.text for p in doc.paragraphs] == [""]
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    z = zipfile.ZipFile(reference(theme))
    names = z.namelist()
    assert "word/footnotes.xml" in names and "docProps/custom.xml" in names
    assert not any(n.startswith("customXml/") or "thumbnail" in n for n in names)
    styles = etree.fromstring(z.read("word/styles.xml"))
    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(f"{{{W}}}val") == "id-ID"
    settings = etree.fromstring(z.read("word/settings.xml"))
    assert settings.find("w:updateFields", NS) is None
    core = z.read("docProps/core.xml").decode()
    assert "python-docx" not in core and "2013" not in core


def test_buletin_reference_differs_from_default():
    def styles(theme: str) -> bytes:
        return zipfile.ZipFile(reference(theme)).read("word/styles.xml")

    assert styles("default") != styles("buletin")
    default, buletin = Document(str(reference("default"))), Document(str(reference("buletin")))
    assert default.styles["Heading 1"].font.name != buletin.styles["Heading 1"].font.name
    assert default.styles["Title"].font.color.rgb != buletin.styles["Title"].font.color.rgb


def test_make_reference_writes_a_user_themes_reference(tmp_path):
    theme = tmp_path / "tema-hijau"
    (theme / "docx").mkdir(parents=True)
    (theme / "theme.toml").write_text('inherits = "default"\n[colors]\naccent = "#2e7d32"\n',
                                      encoding="utf-8")
    (theme / "docx" / "settings.toml").write_text('[fonts]\nheading = "Verdana"\n',
                                                  encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "publikasi.exporters.docx.make_reference",
                           str(theme)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    doc = Document(str(theme / "docx" / "reference.docx"))
    h1 = doc.styles["Heading 1"]
    assert h1.font.name == "Verdana" and str(h1.font.color.rgb) == "2E7D32"
    assert doc.styles["Normal"].font.name == "Cambria"  # inherited from default
