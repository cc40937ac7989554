"""Reproducible builds: the same source gives the same bytes, whenever and wherever it is built.

Each pair of builds differs in everything that must not matter: the source is
copied to two different folders, the output folders differ, the second build
starts more than a second later, in another time zone (``TZ``), with another
hash seed (``PYTHONHASHSEED``) and another number of worker processes.  The
build cache is off, so both builds really run every exporter.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from conftest import PUBLICATION, run_cli
from safety_support import RELEASE_YAML, article, valid_release, write_tree

from publikasi.exporters import registry

ODD_BODY = """\
Teks dengan emoji 🎉🇮🇩 dan bahasa Arab مرحبا بالعالم serta Ibrani שלום.

> Kutipan
> > di dalam kutipan

| A | B | C |
|---|---|---|
| 1 | 2 | 3 |

Catatan kaki[^1].

[^1]: Isi catatan.
"""


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def _explain(name: str, a: bytes, b: bytes) -> str:
    """Which zip members differ, to point an exporter's owner at the cause."""
    if name.endswith((".docx", ".epub")):
        try:
            za, zb = zipfile.ZipFile(io.BytesIO(a)), zipfile.ZipFile(io.BytesIO(b))
            if za.namelist() != zb.namelist():
                return f"{name}: member lists differ: {za.namelist()} vs {zb.namelist()}"
            diff = [n for n in za.namelist() if za.read(n) != zb.read(n)]
            if diff:
                return f"{name}: members differ: {diff}"
            infos = [(i.filename, i.date_time) for i in za.infolist()
                     if i.date_time != zb.getinfo(i.filename).date_time]
            return f"{name}: zip headers differ (dates: {infos})"
        except zipfile.BadZipFile:
            pass
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"{name}: first difference at byte {i}: {a[max(0, i - 40):i + 40]!r} vs " \
                   f"{b[max(0, i - 40):i + 40]!r}"
    return f"{name}: lengths differ ({len(a)} vs {len(b)})"


def _build_twice(source_root: Path, source_rel: str, tmp: Path, env: dict[str, str]
                 ) -> tuple[dict[str, bytes], dict[str, bytes]]:
    first, second = tmp / "eins" / "kopie-a", tmp / "zwei" / "tempat-lain" / "kopie-b"
    shutil.copytree(source_root, first)
    shutil.copytree(source_root, second)
    a = run_cli("build", first / source_rel, "-o", tmp / "out-a", "--no-cache", "-j", "1",
                cwd=tmp, env={**env, "TZ": "UTC", "PYTHONHASHSEED": "1"})
    assert a.returncode == 0, a.stderr
    time.sleep(1.1)
    b = run_cli("build", second / source_rel, "-o", tmp / "out-b" / "lebih-dalam", "--no-cache",
                "-j", "2", cwd=second, env={**env, "TZ": "America/Los_Angeles",
                                            "PYTHONHASHSEED": "4242"})
    assert b.returncode == 0, b.stderr
    return _files(tmp / "out-a"), _files(tmp / "out-b" / "lebih-dalam")


def _assert_same(files_a: dict[str, bytes], files_b: dict[str, bytes]) -> None:
    assert sorted(files_a) == sorted(files_b)
    problems = [_explain(n, files_a[n], files_b[n]) for n in files_a if files_a[n] != files_b[n]]
    assert not problems, "\n".join(problems)
    suffixes = {Path(n).suffix for n in files_a} | {Path(n).name for n in files_a}
    # Every format took part.
    for needed in (".docx", ".pdf", ".epub", "feed.xml", "atom.xml", "feed.json"):
        assert needed in suffixes, f"no {needed} output"


def test_samples_rebuild_byte_identical_without_source_date_epoch(tmp_path):
    assert set(registry()) >= {"docx", "pdf", "epub", "rss", "atom", "jsonfeed"}
    files_a, files_b = _build_twice(PUBLICATION.parent, PUBLICATION.name, tmp_path, {})
    _assert_same(files_a, files_b)


def test_rebuild_byte_identical_with_source_date_epoch(tmp_path):
    src = tmp_path / "src"
    write_tree(src, valid_release({"rel/b.md": article("Berita Aneh 🎉", "2025-11-09", ODD_BODY),
                                   "rel/release.yaml": RELEASE_YAML + "cover: images/foto.jpg\n"}))
    env = {"SOURCE_DATE_EPOCH": "1762761600"}  # 2025-11-10T08:00:00Z
    files_a, files_b = _build_twice(src, "rel", tmp_path, env)
    _assert_same(files_a, files_b)
    # The epoch is really used: another value changes the time stamps somewhere.
    other = run_cli("build", src / "rel", "-o", tmp_path / "out-c", "--no-cache",
                    env={"SOURCE_DATE_EPOCH": "1767225600"})
    assert other.returncode == 0, other.stderr
    files_c = _files(tmp_path / "out-c")
    assert any(files_c[n] != files_a[n] for n in files_a)


@pytest.mark.parametrize("epoch", ["", "1762761600"])
def test_output_digest_is_stable_in_process(tmp_path, monkeypatch, epoch):
    """Two in-process builds (warm imports, module caches) give the same bytes too."""
    from publikasi.builder import BuildOptions, build

    if epoch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    else:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    write_tree(tmp_path, valid_release({"rel/b.md": article("Kedua", "2025-11-09", ODD_BODY)}))
    digests = []
    for name in ("x", "y"):
        build(tmp_path / "rel", tmp_path / name, BuildOptions(cache=False, jobs=1))
        digests.append({k: hashlib.sha256(v).hexdigest()
                        for k, v in _files(tmp_path / name).items()})
    assert digests[0] == digests[1]
