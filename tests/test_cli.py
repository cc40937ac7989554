"""The command line as a user meets it: help, version, errors, new, themes, check."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import PUBLICATION, RELEASES, run_cli

ERROR_LINE = re.compile(r"^(error|warning): \S.*: .+$")


def assert_clean_errors(stderr: str) -> None:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines, "expected at least one error line"
    assert "Traceback" not in stderr
    for ln in lines:
        assert ERROR_LINE.match(ln), f"not an `error: FILE: message` line: {ln!r}"


def test_help_shows_every_command_and_an_example():
    proc = run_cli("--help")
    assert proc.returncode == 0
    for command in ("build", "inspect", "import", "check", "new", "themes"):
        assert command in proc.stdout
    assert "example" in proc.stdout
    for command in ("build", "inspect", "import", "check", "new", "themes"):
        sub = run_cli(command, "--help")
        assert sub.returncode == 0, command
        assert "example" in sub.stdout and f"publikasi {command}" in sub.stdout


def test_version():
    from publikasi import __version__

    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"publikasi {__version__}"


def test_no_command_is_a_usage_error():
    assert run_cli().returncode == 2
    proc = run_cli("build")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_themes_lists_both_builtin_themes():
    proc = run_cli("themes")
    assert proc.returncode == 0
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    assert {"default", "buletin"} <= set(names)


def test_new_scaffolds_a_release_that_inspects(tmp_path):
    target = tmp_path / "warta-baru"
    proc = run_cli("new", target)
    assert proc.returncode == 0, proc.stderr
    assert (target / "release.yaml").is_file()
    inspected = run_cli("inspect", target)
    model = json.loads(inspected.stdout)
    assert model["release"]["title"]
    # The publisher is an obvious placeholder, and the build says so.
    assert "NAMA INSTANSI" in model["release"]["publisher"]["name"]
    assert "publisher name is still the placeholder" in inspected.stderr
    assert "release.yaml" in inspected.stderr
    assert model["articles"][0]["title"] == "Judul berita pertama"
    kinds = [b["type"] for b in model["articles"][0]["blocks"]]
    assert {"paragraph", "quote", "heading", "list"} <= set(kinds)
    again = run_cli("new", target)
    assert again.returncode == 2
    assert_clean_errors(again.stderr)
    assert str(target) in again.stderr


def test_inspect_publication_matches_contract_shape():
    proc = run_cli("inspect", PUBLICATION / RELEASES[0])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"title", "date", "edition", "language"} <= set(data["release"])
    for art in data["articles"]:
        assert {"slug", "title", "date", "dateline", "authors", "byline", "section", "tags",
                "summary", "image", "source", "blocks"} <= set(art)
        for block in art["blocks"]:
            assert block["type"] in {"paragraph", "heading", "quote", "figure", "list", "table"}
    pub = json.loads(run_cli("inspect", PUBLICATION).stdout)
    assert [r["release"]["slug"] for r in pub["releases"]] == sorted(RELEASES, reverse=True)


def test_unknown_format_and_missing_source_are_clean_errors(tmp_path):
    proc = run_cli("build", PUBLICATION, "-f", "odt", "-o", tmp_path / "out")
    assert proc.returncode == 2
    assert_clean_errors(proc.stderr)
    assert "odt" in proc.stderr
    assert not (tmp_path / "out").exists()
    proc = run_cli("build", tmp_path / "nothing-here", "-o", tmp_path / "out")
    assert proc.returncode == 2
    assert_clean_errors(proc.stderr)
    assert "nothing-here" in proc.stderr


def _release_without_base_url(tmp_path: Path) -> Path:
    rel = tmp_path / "rel"
    rel.mkdir()
    (rel / "release.yaml").write_text("title: Uji\ndate: 2025-11-10\n", encoding="utf-8")
    (rel / "a.md").write_text("---\ntitle: Satu\ndate: 2025-11-10\n---\nIsi berita.\n",
                              encoding="utf-8")
    return rel


def test_feeds_without_base_url(tmp_path):
    rel = _release_without_base_url(tmp_path)
    asked = run_cli("build", rel, "-f", "rss", "-o", tmp_path / "out1")
    assert asked.returncode == 2
    assert_clean_errors(asked.stderr)
    assert "release.yaml" in asked.stderr and "base_url" in asked.stderr
    assert not (tmp_path / "out1").exists()
    # When feeds were not asked for by name, the other formats still build.
    default = run_cli("build", rel, "-o", tmp_path / "out2")
    assert default.returncode == 0, default.stderr
    assert "base_url" in default.stderr and default.stderr.startswith("warning: ")
    assert (tmp_path / "out2" / "rel.epub").is_file()
    assert not (tmp_path / "out2" / "feed.xml").exists()
    given = run_cli("build", rel, "-f", "jsonfeed", "-o", tmp_path / "out3",
                    "--base-url", "https://example.go.id/berita/")
    assert given.returncode == 0, given.stderr
    feed = json.loads((tmp_path / "out3" / "feed.json").read_text(encoding="utf-8"))
    assert feed["items"][0]["url"].startswith("https://example.go.id/berita/")


def test_check_passes_on_the_built_samples(sample_dist):
    proc = run_cli("check", sample_dist)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(("ok", "FAIL"))]
    kinds = {re.search(r"\[(\w+);", ln).group(1) for ln in lines}
    assert kinds == {"pdf", "epub", "docx", "rss", "atom", "jsonfeed"}
    assert "EPUBCheck" in proc.stdout and "jing" in proc.stdout


def test_check_fails_on_a_broken_output(tmp_path, sample_dist):
    out = tmp_path / "out"
    shutil.copytree(sample_dist, out)
    victim = next(out.rglob("*.epub"))
    victim.write_bytes(victim.read_bytes()[:2000])
    proc = run_cli("check", out)
    assert proc.returncode == 2
    assert f"FAIL {victim}" in proc.stdout


def test_build_help_says_paper_sets_the_word_page_size_too():
    proc = run_cli("build", "--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "--paper" in text
    assert "PDF bulletin and the Word files" in text
