"""The PDF bulletin's shortcuts (issue 15) change how much work the layout
does, never its result: each is checked for what it saves, and the sample
bulletins are built with the shortcuts switched off and on and must come out
byte for byte the same (pdftotext -bbox is compared too, to say where).
"""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest
from judges import require
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph
from reportlab.platypus.paraparser import ParaParser

from publikasi.builder import BuildOptions, build
from publikasi.exporters.pdf.balance import DryCanvas
from publikasi.exporters.pdf.bulletin import Bulletin, _TrialCanvas
from publikasi.exporters.pdf.fonts import _ttfont_class, load_fonts
from publikasi.exporters.pdf.tagging import TaggedParagraph

ROOT = Path(__file__).resolve().parent.parent
PUBLICATION = ROOT / "samples" / "warta-malang"
TEXT = ("Pemerintah Kota Malang meresmikan <b>pasar rakyat</b> yang baru di kawasan "
        "Blimbing pada hari Senin, dihadiri <i>para pedagang</i> dan warga sekitar. ") * 6


def _style() -> ParagraphStyle:
    fonts = load_fonts()
    return ParagraphStyle("body", fontName=fonts.families["serif"].regular, fontSize=10,
                          leading=14)


def _lines(p: Paragraph) -> list[list[str]]:
    return [[repr(w) for w in getattr(line, "words", [])] for line in p.blPara.lines]


@pytest.fixture()
def breaks(monkeypatch) -> list[tuple[int, float]]:
    """(id, width) of every TaggedParagraph that broke its lines."""
    calls: list[tuple[int, float]] = []
    original = Paragraph.breakLines

    def counting(self, widths):
        if isinstance(self, TaggedParagraph):
            calls.append((id(self), widths[-1]))
        return original(self, widths)

    monkeypatch.setattr(Paragraph, "breakLines", counting)
    return calls


def test_a_paragraph_breaks_its_lines_once_per_width(breaks):
    """Wrapping again at a width already done hands back the same lines
    without breaking them again; another width breaks anew."""
    p = TaggedParagraph(TEXT, _style())
    first = p.wrap(200, 1e6)
    lines_200 = _lines(p)
    wide = p.wrap(320, 50)
    assert p.wrap(200, 30) == first and _lines(p) == lines_200
    assert p.wrap(320, 1e6) == wide
    assert breaks == [(id(p), 200), (id(p), 320)]
    fresh = Paragraph(TEXT, _style())
    assert fresh.wrap(200, 1e6) == first and _lines(fresh) == lines_200


def test_wraps_and_splits_come_out_as_reportlabs_own(breaks):
    """Whatever the order of wraps and splits (a split uses the last wrap's
    lines and edits the words it cuts), the pieces and lines are those of
    reportlab's own Paragraph; after a split the lines are broken afresh."""
    def steps(p: Paragraph) -> list:
        seen = []
        for width, height in ((200, 1e6), (320, 1e6), (200, 1e6), (200, 3 * 14),
                              (200, 1e6), (320, 5 * 14), (320, 1e6), (200, 1e6)):
            if height < 1e6:
                parts = p.split(width, height)
                seen.append([(type(q).__name__ == type(p).__name__, q.wrap(width, 1e6),
                              _lines(q)) for q in parts])
            else:
                seen.append((p.wrap(width, height), _lines(p)))
        return seen

    p = TaggedParagraph(TEXT, _style())
    assert steps(p) == steps(Paragraph(TEXT, _style()))
    # Broken at 200 and 320 once each, then anew after each of the two splits.
    assert [w for who, w in breaks if who == id(p)] == [200, 320, 200, 320, 200]


def _frag_state(frags: list) -> list[dict]:
    return [{k: repr(v) for k, v in vars(f).items()} for f in frags]


@pytest.mark.parametrize("text", [
    "Wali Kota Malang meresmikan pasar", "  spasi  di\ttepi\n dan\n\n baris  ",
    "Zürich — “kutipan” 50% … tanpa\xa0putus", "a > b", "x", "مرحبا dan नमस्ते"])
@pytest.mark.parametrize("transform", [None, "uppercase"])
def test_markup_without_tags_parses_as_reportlab_parses_it(text, transform):
    from publikasi.exporters.pdf.markup import parse_plain

    style = ParagraphStyle("s", parent=_style(), textTransform=transform)
    got = parse_plain(text, style)
    assert got is not None
    theirs = Paragraph(text, style)
    assert got[0] == theirs.text and got[1] is theirs.style and got[3] == theirs.bulletText
    assert _frag_state(got[2]) == _frag_state(theirs.frags)


@pytest.mark.parametrize("markup", ["<b>tebal</b>", "a &amp; b", "", "  \n "])
def test_markup_with_tags_is_left_to_reportlabs_parser(markup):
    from publikasi.exporters.pdf.markup import parse_plain

    assert parse_plain(markup, _style()) is None


class _Doc:
    """Stands in for a PDF document: reportlab keeps a font's subsets per document."""


def test_text_of_known_characters_takes_the_short_way_to_the_same_subsets(monkeypatch):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font = pdfmetrics.getFont(load_fonts().families["serif"].regular)
    assert isinstance(font, _ttfont_class())
    slow: list[str] = []
    original = TTFont.splitString

    def counted(self, text, doc, encoding="utf-8"):
        slow.append(text)
        return original(self, text, doc, encoding)

    monkeypatch.setattr(TTFont, "splitString", counted)
    many = "".join(chr(c) for c in sorted(font.face.charToGlyph) if c > 0x7F)[:400]
    # (text, whether every character has its place already)
    steps = [("Wali Kota", False), ("Wali\xa0Kota", True), ("", True), (many, False),
             (many[::-1], True), ("ĀāĂ\xa0", True), ("emoji 🙂 tanpa glyph", False),
             ("emoji 🙂 tanpa glyph", False), ("Kota", True)]
    ours, reportlabs = _Doc(), _Doc()
    for text, known in steps:
        slow.clear()
        got = font.splitString(text, ours)
        assert got == original(font, text, reportlabs), text
        # The short way is for the first subset; text in a later one takes reportlab's.
        assert (not slow) == (known and all(subset == 0 for subset, _ in got)), text
    assert len(font.state[ours].subsets) > 1  # the text ran into a second subset


def test_registered_cmap_is_the_regular_faces_cmap():
    """The coverage publikasi uses to pick fonts is the regular face's best cmap
    (taken from reportlab's reading of it instead of reading it again)."""
    from fontTools.ttLib import TTFont as FontFile
    from reportlab.pdfbase import pdfmetrics

    for family in load_fonts().families.values():
        face = pdfmetrics.getFont(family.regular).face
        assert family.cmap == frozenset(FontFile(face.filename, lazy=True).getBestCmap())


def test_running_header_is_made_once_per_layout_pass(tmp_path, monkeypatch):
    """Every page but the cover has the same running header: its paragraphs are
    made once per layout pass and drawn on each page."""
    made: list[str] = []
    para = Bulletin.para

    def counting(self, markup, style, *args, **kwargs):
        if style in ("header", "header_r"):
            made.append(style)
        return para(self, markup, style, *args, **kwargs)

    monkeypatch.setattr(Bulletin, "para", counting)
    build(PUBLICATION, tmp_path / "out", BuildOptions(formats=["pdf"], jobs=1, cache=False))
    pdfs = sorted((tmp_path / "out").rglob("*.pdf"))
    pages = [subprocess.run([require("pdftotext"), str(p), "-"], capture_output=True, text=True,
                            check=True).stdout.split("\f") for p in pdfs]
    assert all(len([t for t in pp if t.strip()]) > 2 for pp in pages)
    assert made == ["header", "header_r"] * len(pdfs)


def _bbox(pdf: Path) -> str:
    return subprocess.run([require("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def _pdfs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))}


def _switch_off_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The layout as it was before the shortcuts (reportlab's own way)."""
    monkeypatch.setattr(TaggedParagraph, "wrap", Paragraph.wrap)
    monkeypatch.setattr(Bulletin, "_paragraph", lambda self, markup, st: TaggedParagraph(markup, st))
    monkeypatch.setattr(_ttfont_class(), "splitString", TTFont.splitString)
    for canvas in (DryCanvas, _TrialCanvas):  # trial layouts draw their text again
        monkeypatch.setattr(canvas, "dry", False)


def _counting(monkeypatch: pytest.MonkeyPatch, counts: Counter[str], cls: type, name: str) -> None:
    original = getattr(cls, name)

    def counted(self, *args, **kwargs):
        counts[name] += 1
        if isinstance(getattr(self, "canv", None), (DryCanvas, _TrialCanvas)):
            counts[f"{name} in a trial"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, counted)


@pytest.mark.parametrize("theme", ["default", "buletin"])
def test_shortcuts_leave_the_bulletin_byte_identical(tmp_path, monkeypatch, theme):
    """Same bytes with and without the shortcuts, for less work: fewer
    paragraphs parsed, fewer lines broken, no text drawn in trial layouts
    (the cover's, and the balanced columns' of the buletin theme)."""
    options = BuildOptions(formats=["pdf"], theme=theme, jobs=1, cache=False)
    work: dict[str, Counter[str]] = {"fast": Counter(), "plain": Counter()}
    for name in ("fast", "plain"):
        with monkeypatch.context() as m:
            _counting(m, work[name], ParaParser, "parse")
            _counting(m, work[name], Paragraph, "breakLines")
            _counting(m, work[name], Paragraph, "drawPara")
            if name == "plain":
                _switch_off_shortcuts(m)
            build(PUBLICATION, tmp_path / name, options)
    fast, plain = _pdfs(tmp_path / "fast"), _pdfs(tmp_path / "plain")
    assert fast and fast.keys() == plain.keys()
    for name in fast:
        assert _bbox(tmp_path / "fast" / name) == _bbox(tmp_path / "plain" / name), name
        assert fast[name] == plain[name], name
    assert work["fast"]["parse"] < work["plain"]["parse"]
    assert work["fast"]["breakLines"] < work["plain"]["breakLines"]
    assert work["fast"]["drawPara in a trial"] == 0 < work["plain"]["drawPara in a trial"]
