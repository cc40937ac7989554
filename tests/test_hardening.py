"""Red-team findings of issue 16 (and issue 13 item 21) outside the atomic commit.

Each test builds or checks real files through the CLI and reads the result
back (stderr lines, feedparser, the EPUB's XML, python-docx, pypdf).
"""

from __future__ import annotations

from conftest import run_cli
from safety_support import article, valid_release, write_tree

# ---------------------------------------------------------------- 17: names in error lines


def test_control_characters_in_file_names_are_escaped_in_error_lines(tmp_path):
    name = "a\x1b[31mmerah\x1b[0m\nerror: palsu.md: forged line.md"
    write_tree(tmp_path, valid_release({f"rel/{name}": article("Rusak", "2025-02-30")}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "jsonfeed", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "\x1b" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, lines  # no forged second line
    assert lines[0].startswith("error: rel/a\\x1b[31mmerah\\x1b[0m\\nerror: palsu.md: forged")
    assert not (tmp_path / "out").exists()
