"""The print editor's layout rules, checked on every sample bulletin.

Both sample editions and the lone press release, in both built-in themes and
all three paper sizes (2 x 3 builds through the CLI, two at a time), are read
back with poppler and pypdf (see ``pdf_layout.py``) and must pass:

- no table split leaving fewer than 2 body rows on a side,
- no page except an article's last that is less than half full,
- no paragraph or list split leaving one line alone (widow or orphan),
- two columns: the last page's columns balanced, no column ending early
  while the next opens with a headline that, with two lines, fitted the gap,
  and no headline ending a column without two lines of its text under it,
- the contents start on the cover page.
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pdf_layout import MM, Geometry, check, read_layout

from publikasi.source import load

ROOT = Path(__file__).resolve().parent.parent
PUBLICATION = ROOT / "samples" / "warta-malang"
RELEASE_TXT = ROOT / "samples" / "rilis-humas.txt"
THEMES = ("default", "buletin")
PAPERS = ("a4", "f4", "letter")
GEOMETRY = {
    "default": Geometry(20 * MM, 20 * MM, 20 * MM, 20 * MM, 1),
    "buletin": Geometry(18 * MM, 20 * MM, 15 * MM, 15 * MM, 2),
}


def _build(source: Path, out: Path, theme: str, paper: str) -> str:
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.run([sys.executable, "-m", "publikasi", "build", str(source), "-f", "pdf",
                           "-t", theme, "--paper", paper, "--no-cache", "-o", str(out)],
                          check=False, capture_output=True, text=True, env=env, timeout=600)
    return "" if proc.returncode == 0 else f"{source.name} {theme} {paper}: {proc.stderr}"


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """theme, paper -> a folder holding the publication and the .txt release built."""
    base = tmp_path_factory.mktemp("layout")
    jobs = [(src, base / f"{theme}-{paper}" / name, theme, paper)
            for theme in THEMES for paper in PAPERS
            for src, name in ((PUBLICATION, "pub"), (RELEASE_TXT, "txt"))]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        errors = [e for e in pool.map(lambda j: _build(*j), jobs) if e]
    assert not errors, "\n".join(errors)
    return {(theme, paper): base / f"{theme}-{paper}" for theme in THEMES for paper in PAPERS}


def test_every_sample_pdf_passes_the_layout_rules(variants):
    publication = load(PUBLICATION).publication
    lone = load(RELEASE_TXT).publication.releases[0]
    problems: list[str] = []
    checked = 0
    for (theme, paper), folder in sorted(variants.items()):
        geometry = GEOMETRY[theme]
        pdfs = [(folder / "pub" / r.slug / f"{r.slug}.pdf", list(r.articles))
                for r in publication.releases]
        pdfs.append((folder / "txt" / f"{lone.slug}.pdf", list(lone.articles)))
        for path, articles in pdfs:
            layout = read_layout(path, geometry)
            report = check(layout, articles, geometry)
            if len(articles) > 1:
                # The contents open on the cover, never pushed alone to page 2.
                cover = "".join(ln.text for f in layout.frames if f.page == 0 for ln in f.lines)
                if "DaftarIsi" not in cover:
                    problems.append(f"{theme} {paper} {path.name}: contents not on page 1")
            # The check must have found the text it checks, or it proves nothing.
            assert report.found >= 0.9 * (report.found + report.missed), \
                f"{theme} {paper} {path.name}: only {report.found} of " \
                f"{report.found + report.missed} blocks found in the PDF"
            problems += [f"{theme} {paper} {p}" for p in report.problems]
            checked += 1
    assert checked == 18
    assert not problems, "\n".join(problems)
