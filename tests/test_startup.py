"""`publikasi --help` and `--version` must not import the heavy libraries.

Timing assertions are flaky on a shared CI machine, so the tests check the
cause of a slow start instead: which modules the answering process loaded.
A tiny runner executes the CLI in a fresh interpreter and prints
``sys.modules`` afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("docx", "reportlab", "ebooklib", "feedgen", "PIL", "markdown_it", "babel", "lxml",
         "fontTools", "yaml", "nh3", "rich", "ftfy", "charset_normalizer")

RUNNER = r"""
import contextlib, io, json, sys
from publikasi.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:  # argparse exits after --help / --version
        code = exc.code
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def loaded_after(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", RUNNER, *args], check=False, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["build", "--help"]])
def test_help_and_version_load_no_heavy_library(args):
    result = loaded_after(*args)
    assert result["code"] == 0
    assert result["out"].startswith(("usage:", "publikasi "))
    heavy = sorted({m.split(".")[0] for m in result["modules"]} & set(HEAVY))
    assert heavy == [], f"`publikasi {' '.join(args)}` imported {heavy}"


def test_the_runner_would_notice_a_heavy_import():
    # The check above is only worth something if an import it forbids shows up.
    result = loaded_after("themes")
    assert result["code"] == 0
    assert "default" in result["out"]
    proc = subprocess.run([sys.executable, "-c", RUNNER.replace(
        "from publikasi.cli import main", "import publikasi.builder\nfrom publikasi.cli import main"),
        "--version"], check=False, capture_output=True, text=True, timeout=60)
    modules = json.loads(proc.stdout.strip().splitlines()[-1])["modules"]
    assert "PIL" in {m.split(".")[0] for m in modules} or "yaml" in {
        m.split(".")[0] for m in modules}


def test_build_is_the_function_even_after_the_module_is_imported():
    import publikasi
    import publikasi.builder  # what the CLI and exporters import

    assert not isinstance(publikasi.build, type(publikasi))  # not the submodule
    assert publikasi.build is publikasi.builder.build


def test_every_public_name_resolves():
    import publikasi

    assert set(publikasi.__all__) == set(publikasi._EXPORTS) | {"__version__"}
    for name in publikasi.__all__:
        assert getattr(publikasi, name) is not None


def test_a_build_without_word_files_or_web_pages_imports_neither_library(tmp_path):
    # Every build looks up every exporter class (the theme checks their
    # settings), so an exporter module imports its heavy library only when it
    # writes a file.
    from pathlib import Path

    sample = Path(__file__).parent.parent / "samples" / "warta-malang"
    result = loaded_after("build", str(sample), "-o", str(tmp_path / "out"), "-f", "rss,epub",
                          "--no-cache", "-j", "1")
    assert result["code"] == 0
    top = {m.split(".")[0] for m in result["modules"]}
    assert "ebooklib" in top and "feedgen" in top  # the runner sees what the build used
    assert "docx" not in top and "jinja2" not in top
    assert "publikasi.exporters.docx.exporter" in result["modules"]


def test_a_feeds_build_does_not_import_babels_date_formats(tmp_path):
    from pathlib import Path

    sample = Path(__file__).parent.parent / "samples" / "warta-malang"
    result = loaded_after("build", str(sample), "-o", str(tmp_path / "out"), "-f", "rss",
                          "--no-cache", "-j", "1")
    assert result["code"] == 0 and "feedgen.feed" in result["modules"]
    assert "publikasi.i18n" in result["modules"]  # imported by the exporters it looks up
    assert "babel.dates" not in result["modules"]


def test_checking_pictures_imports_only_the_plugins_of_the_formats_publikasi_reads(tmp_path):
    from safety_support import jpeg_bytes

    from publikasi.images import ALLOWED_FORMATS

    (tmp_path / "foto.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "bukan.eps").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n")
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from PIL import Image\n"
        "from publikasi.images import check_image\n"
        f"ok = check_image(Path({str(tmp_path / 'foto.jpg')!r}))\n"
        f"eps = check_image(Path({str(tmp_path / 'bukan.eps')!r}))\n"
        "print(json.dumps({'ok': ok, 'eps': eps, 'open': sorted(Image.OPEN),\n"
        "                  'plugins': sorted(m for m in sys.modules if m.endswith('ImagePlugin'))}))\n")
    proc = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                          text=True, timeout=60)
    got = json.loads(proc.stdout)
    assert got["ok"] is None and got["eps"].startswith("not a picture publikasi can read")
    assert all(f in got["open"] for f in ALLOWED_FORMATS if f != "MPO")  # MPO opens as JPEG
    assert "PIL.EpsImagePlugin" not in got["plugins"] and len(got["plugins"]) <= 10
