"""Red-team findings of issue 16 (and issue 13 item 21) outside the atomic commit.

Each test builds or checks real files through the CLI and reads the result
back (stderr lines, feedparser, the EPUB's XML, python-docx, pypdf).
"""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from safety_support import article, parse_stderr, valid_release, write_tree

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


# ---------------------------------------------------------------- 22: duplicate keys


DUP_RELEASE = ("title: Warta Uji\ndate: 2025-11-10\nbase_url: https://warta.example/berita/\n"
               "feed:\n  items: 5\n  full_content: true\n  items: 50\n")
DUP_FRONT = "image:\n  src: images/foto.jpg\n  alt: Taman\n  src: images/lain.jpg\n"


@pytest.mark.parametrize("files,where", [
    ({"rel/release.yaml": DUP_RELEASE}, ("rel/release.yaml", 7, "items", 5)),
    ({"rel/b.md": article("Dua", "2025-11-10", extra=DUP_FRONT)}, ("rel/b.md", 7, "src", 5)),
], ids=["release-yaml-nested", "front-matter-nested"])
def test_duplicate_keys_at_any_depth_are_errors(files, where, tmp_path):
    write_tree(tmp_path, valid_release(files))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "jsonfeed", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    errors = [(d["file"], d["line"], d["msg"]) for d in parse_stderr(proc.stderr)
              if d["kind"] == "error"]
    file, line, key, first = where
    assert errors == [(file, line, f"duplicate key `{key}` (first on line {first}); YAML would "
                       "silently keep only the last")], errors
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- 19: base_url is a URL

INJECTED_URL = 'https://warta.example/"><script>alert(1)</script>/'


def test_base_url_with_markup_is_refused(tmp_path):
    release = f"title: Warta Uji\ndate: 2025-11-10\nbase_url: '{INJECTED_URL}'\n"
    write_tree(tmp_path, valid_release({"rel/release.yaml": release}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    errors = [(d["file"], d["line"], d["msg"]) for d in parse_stderr(proc.stderr)]
    assert errors[0][:2] == ("rel/release.yaml", 3), errors
    assert errors[0][2].startswith("`base_url` is not a URL: it holds `\"`"), errors
    assert not (tmp_path / "out").exists()


def test_base_url_option_with_markup_is_refused(tmp_path):
    write_tree(tmp_path, valid_release({"rel/release.yaml": "title: W\ndate: 2025-11-10\n"}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "rss", "--base-url",
                   INJECTED_URL, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert [d["file"] for d in parse_stderr(proc.stderr)] == ["--base-url"]
    assert not (tmp_path / "out").exists()


def test_base_url_is_percent_encoded_in_the_feeds(tmp_path):
    import feedparser

    release = ("title: Warta Uji\ndate: 2025-11-10\n"
               "base_url: 'https://warta.example/bérita/{kota}|x/'\n")
    write_tree(tmp_path, valid_release({"rel/release.yaml": release}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "rss,atom,jsonfeed",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    expected = "https://warta.example/b%C3%A9rita/%7Bkota%7D%7Cx/"
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse(str(tmp_path / "out" / name))
        assert not feed.bozo, (name, feed.bozo_exception)
        links = [e.link for e in feed.entries]
        assert links and all(link.startswith(expected) for link in links), (name, links)
    items = json.loads((tmp_path / "out/feed.json").read_text(encoding="utf-8"))["items"]
    assert items and all(item["url"].startswith(expected) for item in items), items
