"""The PDF bulletin's shortcuts (issue 15) change how much work the layout
does, never its result: each is checked for what it saves, and the sample
bulletins are built with the shortcuts switched off and on and must come out
byte for byte the same (pdftotext -bbox is compared too, to say where).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from judges import require
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from publikasi.builder import BuildOptions, build
from publikasi.exporters.pdf.fonts import load_fonts
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
    return [[str(w) for w in getattr(line, "words", [])] for line in p.blPara.lines]


def test_a_paragraph_breaks_its_lines_once_per_width(monkeypatch):
    """Wrapping again at a width already done hands back the same lines
    without breaking them again; another width breaks anew."""
    calls: list[float] = []
    breaks = Paragraph.breakLines

    def counting(self, widths):
        if isinstance(self, TaggedParagraph):
            calls.append(widths[-1])
        return breaks(self, widths)

    monkeypatch.setattr(Paragraph, "breakLines", counting)
    p = TaggedParagraph(TEXT, _style())
    first = p.wrap(200, 1e6)
    lines_200 = _lines(p)
    wide = p.wrap(320, 50)
    assert p.wrap(200, 30) == first and _lines(p) == lines_200
    assert p.wrap(320, 1e6) == wide
    assert len(calls) == 2
    fresh = Paragraph(TEXT, _style())
    assert fresh.wrap(200, 1e6) == first and _lines(fresh) == lines_200
    # A split uses the lines of the last wrap, as reportlab's own paragraph does.
    p.wrap(320, 1e6)
    p.wrap(200, 1e6)
    head, tail = p.split(200, 3 * 14)
    fresh.wrap(320, 1e6)
    fresh.wrap(200, 1e6)
    fresh_head, fresh_tail = fresh.split(200, 3 * 14)
    assert len(calls) == 2
    assert _lines(head) == _lines(fresh_head) == lines_200[:3]
    tail.wrap(200, 1e6)
    fresh_tail.wrap(200, 1e6)
    assert _lines(tail) == _lines(fresh_tail) and len(_lines(tail)) == len(lines_200) - 3

def _bbox(pdf: Path) -> str:
    return subprocess.run([require("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def _pdfs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))}


def _switch_off_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The layout as it was before the shortcuts (reportlab's own way)."""
    monkeypatch.setattr(TaggedParagraph, "wrap", Paragraph.wrap)


@pytest.mark.parametrize("theme", ["default", "buletin"])
def test_shortcuts_leave_the_bulletin_byte_identical(tmp_path, monkeypatch, theme):
    options = BuildOptions(formats=["pdf"], theme=theme, jobs=1, cache=False)
    build(PUBLICATION, tmp_path / "fast", options)
    with monkeypatch.context() as m:
        _switch_off_shortcuts(m)
        build(PUBLICATION, tmp_path / "plain", options)
    fast, plain = _pdfs(tmp_path / "fast"), _pdfs(tmp_path / "plain")
    assert fast and fast.keys() == plain.keys()
    for name in fast:
        assert _bbox(tmp_path / "fast" / name) == _bbox(tmp_path / "plain" / name), name
        assert fast[name] == plain[name], name
