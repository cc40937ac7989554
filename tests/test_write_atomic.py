"""The one single-file writer (atomic.write_atomic) that imports and caches use."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import SAMPLES, run_cli
from publikasi.atomic import write_atomic


def test_replaces_whole_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.md"
    write_atomic(target, "satu\n")
    write_atomic(target, b"dua\n", durable=True)
    assert target.read_bytes() == b"dua\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.md"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          ) -> None:
    target = tmp_path / "a.md"
    target.write_text("lama\n", encoding="utf-8")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "baru\n")
    assert target.read_text(encoding="utf-8") == "lama\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_imported_markdown_gets_ordinary_permissions(tmp_path: Path) -> None:
    """A temporary file is private (0600); the written article must not stay so."""
    old = os.umask(0o022)
    try:
        proc = run_cli("import", SAMPLES / "rilis-humas.txt", "-o", tmp_path / "out")
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr
    written = list((tmp_path / "out").glob("*.md"))
    assert written
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, oct(path.stat().st_mode)
