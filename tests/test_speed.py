"""The fast paths of issue 15 give the same results as the plain ones.

No timing here (the benchmark measures); each test pins a behaviour: the C
YAML loader reads every document like the pure one (same values and key
lines, or the same error), ...
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import PUBLICATION, ROOT

from publikasi import yamlio
from publikasi.errors import InputError

needs_libyaml = pytest.mark.skipif(yamlio._C_LOADER is None,
                                   reason="PyYAML was built without libyaml")

YAML_TEXTS = [
    "",
    "title: Warta\ndate: 2025-11-10\n",
    "title: Warta\ndate: 2025-11-10T09:30:00+07:00\nedition: 46\n",
    "title: 'Tanya & Jawab: Pajak'\ndate: 2025-11-10\ntags: [pajak, 'PBB']\n",
    "title: Warta\npublisher: {name: Humas, url: https://x.example/}\n",
    "title: Warta\ndate: 2025-02-30\n",  # not a real date: kept as text
    "title: |\n  baris satu\n  baris dua\nsummary: >\n  lipat\n  lagi\n",
    "title: Warta\ndate: [2025-11-10\nedition: 46\n",
    "title: Warta\ndate: 2025-11-10\n\tedition: 46\n",
    "- title: Warta\n- date: 2025-11-10\n",
    "Warta Kota Malang edisi 46\n",
    "title: Warta\ntitle: Lain\n",
    "title: Warta\nimage: {src: a.jpg, src: b.jpg}\n",
    "title: Warta\n2025: tahun\n",
    "title: Warta\n[a, b]: c\n",
    "title: Warta\ndescription: !!python/object/apply:os.system ['true']\n",
    "title: Warta\ntags: " + "[" * 200 + "]" * 200 + "\n",
    "title: Warta\ntags: " + "[" * 60 + "]" * 60 + "\n",
    "title: Warta\nkey: value: other\n",
    "title: Warta\n  bad: indent\n",
    "title: \"tidak ditutup\n",
    "title: a\x0bb\x85c\u2028d\ndate: 2025-11-10\n",
    "title: &t Warta\nsubtitle: *t\n",
    "base: &b {a: 1}\nother:\n  <<: *b\n  c: 2\n",
    "title: Warta\nsummary: '*penting*'\n",
    "? kompleks\n: nilai\n",
    "title: Warta\n---\ntitle: Dua\n",
    "title: Warta\n...\n",
    "%YAML 1.1\n---\ntitle: Warta\n",
    "title: 0o17\nnum: 0x1F\nf: 1.5e3\nb: yes\nn: ~\n",
]


def outcome(text: str) -> object:
    try:
        doc = yamlio.load_mapping(text, Path("x.yaml"), first_line=2)
    except InputError as exc:
        return ("error", str(exc))
    return ("ok", doc.data, doc.lines)


@needs_libyaml
@pytest.mark.parametrize("text", YAML_TEXTS)
def test_the_c_loader_reads_every_document_like_the_pure_loader(text, monkeypatch):
    fast = outcome(text)
    monkeypatch.setattr(yamlio, "_C_LOADER", None)
    assert outcome(text) == fast


@needs_libyaml
def test_front_matter_without_aliases_goes_through_libyaml(monkeypatch):
    used: list[str] = []
    real = yamlio._load

    def spy(loader, file, first_line):
        used.append(type(loader).__name__)
        return real(loader, file, first_line)

    monkeypatch.setattr(yamlio, "_load", spy)
    yamlio.load_mapping("title: Warta\ndate: 2025-11-10\n", Path("x.yaml"))
    assert used == ["_CBoundedLoader"]
    used.clear()
    # An alias could start a billion laughs: the pure loader counts them.
    yamlio.load_mapping("title: &t Warta\nsub: *t\n", Path("x.yaml"))
    assert used == ["_BoundedLoader"]
    used.clear()
    # A syntax error is reported in the pure loader's words.
    with pytest.raises(InputError):
        yamlio.load_mapping("title: [a\n", Path("x.yaml"))
    assert used == ["_CBoundedLoader", "_BoundedLoader"]


@needs_libyaml
def test_the_sample_publication_loads_the_same_with_either_loader(monkeypatch):
    from publikasi.serialize import publication_json
    from publikasi.source import load

    fast = json.dumps(publication_json(load(PUBLICATION).publication), sort_keys=True)
    monkeypatch.setattr(yamlio, "_C_LOADER", None)
    pure = json.dumps(publication_json(load(PUBLICATION).publication), sort_keys=True)
    assert fast == pure


@needs_libyaml
def test_the_benchmark_corpus_loads_the_same_with_either_loader(tmp_path, monkeypatch):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import make_corpus
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from publikasi.serialize import publication_json
    from publikasi.source import load

    make_corpus.generate(30, tmp_path / "c", 3)
    fast = json.dumps(publication_json(load(tmp_path / "c" / "source").publication))
    monkeypatch.setattr(yamlio, "_C_LOADER", None)
    assert json.dumps(publication_json(load(tmp_path / "c" / "source").publication)) == fast


# ---------------------------------------------------------------- pictures


def camera_photo(path: Path, size: tuple[int, int] = (4000, 3000)) -> Path:
    """A JPEG with detail at every scale (gradients and a fine checkerboard)."""
    from PIL import Image, ImageDraw

    img = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(img)
    for x in range(0, size[0], 40):
        draw.line([(x, 0), (x, size[1])], fill=(200, 30, 30), width=3)
    for y in range(0, size[1], 55):
        draw.line([(0, y), (size[0], y)], fill=(20, 160, 40), width=2)
    img.save(path, "JPEG", quality=90)
    return path


def test_a_jpeg_to_be_shrunk_is_decoded_at_a_reduced_scale(tmp_path):
    from publikasi.images import PROFILES, open_image

    photo = camera_photo(tmp_path / "foto.jpg")
    # At least twice the final size is kept for the resampling filter.
    assert open_image(photo, shrink_to=PROFILES["thumb"]).size == (1000, 750)
    assert open_image(photo, shrink_to=PROFILES["medium"]).size == (2000, 1500)
    assert open_image(photo, shrink_to=PROFILES["screen"]).size == (4000, 3000)
    assert open_image(photo).size == (4000, 3000)


def test_draft_decoding_gives_the_same_picture_as_a_full_decode(tmp_path):
    from PIL import Image, ImageChops, ImageStat

    from publikasi import images

    photo = camera_photo(tmp_path / "foto.jpg")
    fast = images.ImageStore().prepare(photo, "thumb")
    saved = images.DRAFT_GAP
    try:
        images.DRAFT_GAP = 1e9  # never reduce while decoding
        full = images.ImageStore().prepare(photo, "thumb")
    finally:
        images.DRAFT_GAP = saved
    assert (fast.width, fast.height) == (full.width, full.height) == (480, 360)
    assert fast.data != full.data  # the draft path was taken
    a, b = (Image.open(__import__("io").BytesIO(x.data)).convert("RGB") for x in (fast, full))
    diff = ImageStat.Stat(ImageChops.difference(a, b)).mean
    assert max(diff) < 3, diff  # mean difference per channel, out of 255


def test_a_truncated_jpeg_is_still_refused_when_decoded_at_a_reduced_scale(tmp_path):
    from publikasi.images import ImageRejected, open_image

    photo = camera_photo(tmp_path / "foto.jpg")
    photo.write_bytes(photo.read_bytes()[: photo.stat().st_size // 2])
    with pytest.raises(ImageRejected, match="damaged or truncated"):
        open_image(photo, shrink_to=480)


def test_workers_of_a_build_without_cache_share_the_pictures_they_prepare(tmp_path):
    import datetime as dt

    from publikasi.parallel import BuildState, worker_image_store
    from publikasi.source import load

    pub = load(PUBLICATION).publication
    photo = next(PUBLICATION.rglob("*.jpg"))
    state = BuildState(pub, {}, dt.datetime(2025, 11, 10, tzinfo=dt.UTC), {},
                       picture_root=str(tmp_path / "pictures"), picture_secret=b"k" * 32)
    first, second = worker_image_store(state, None), worker_image_store(state, None)
    made = first.prepare(photo, "screen")
    assert first.build_cache.stats["image_misses"] == 1
    assert second.prepare(photo, "screen") == made
    assert second.build_cache.stats["image_hits"] == 1
    # One folder per kind of entry (not one per key prefix): removing the
    # folder after the build deletes a handful of folders, not hundreds.
    root = tmp_path / "pictures"
    kinds = {p.parent.relative_to(root).parts[1:] for p in root.rglob("*") if p.is_file()}
    assert kinds == {("images",), ("blobs",)}
    # Another build (another key) cannot read them.
    other = BuildState(pub, {}, state.build_time, {}, picture_root=state.picture_root,
                       picture_secret=b"x" * 32)
    third = worker_image_store(other, None)
    assert third.prepare(photo, "screen") == made
    assert third.build_cache.stats["image_hits"] == 0


def test_a_build_without_cache_removes_its_shared_pictures(tmp_path):
    from conftest import run_cli

    (tmp_path / "tmp").mkdir()
    proc = run_cli("build", PUBLICATION, "-o", tmp_path / "out", "-f", "epub,docx",
                   "--no-cache", "-j", "2", env={"TMPDIR": str(tmp_path / "tmp")})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "2025-47" / "2025-47.epub").is_file()
    assert list((tmp_path / "tmp").iterdir()) == []


# ---------------------------------------------------------------- Word files


def test_word_files_zipped_from_the_package_are_the_bytes_of_save_and_normalise(
        tmp_path, monkeypatch):
    from publikasi.builder import BuildOptions, build
    from publikasi.exporters.docx import render

    def files(out: Path) -> dict[str, bytes]:
        build(PUBLICATION, out, BuildOptions(formats=["docx"], jobs=1, cache=False))
        # Digests: a failing comparison of whole files makes pytest diff megabytes.
        return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(out.rglob("*.docx"))}

    members: list[int] = []
    real = render.package_members
    monkeypatch.setattr(render, "package_members",
                        lambda doc: members.append(1) or real(doc))
    fast = files(tmp_path / "fast")
    assert members and len(fast) > 10
    monkeypatch.setattr(render, "package_members", lambda doc: None)  # save, then normalise
    assert files(tmp_path / "slow") == fast


def test_the_epub_is_the_same_whether_ebooklib_compresses_it_or_not(tmp_path, monkeypatch):
    from ebooklib import epub

    from publikasi.builder import BuildOptions, build

    levels: list[object] = []
    real_write = epub.EpubWriter.write

    def write(self):
        levels.append(self.options["compresslevel"])
        return real_write(self)

    def files(out: Path) -> dict[str, bytes]:
        build(PUBLICATION, out, BuildOptions(formats=["epub"], jobs=1, cache=False))
        return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(out.rglob("*.epub"))}

    monkeypatch.setattr(epub.EpubWriter, "write", write)
    fast = files(tmp_path / "fast")
    assert levels and set(levels) == {0} and fast
    real_init = epub.EpubWriter.__init__

    def init(self, name, book, options=None):
        real_init(self, name, book, {**(options or {}), "compresslevel": 6})

    monkeypatch.setattr(epub.EpubWriter, "__init__", init)
    assert files(tmp_path / "slow") == fast
    assert levels[-1] == 6


# ---------------------------------------------------------------- start-up


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"]])
def test_help_lists_the_formats_without_importing_the_exporter_framework(args):
    from test_startup import loaded_after

    got = loaded_after(*args)
    assert got["code"] == 0
    assert "jsonfeed" in got["out"] or args == ["--help"]
    assert "publikasi.registry" in got["modules"]
    for module in ("publikasi.exporters", "publikasi.model", "publikasi.links", "slugify"):
        assert module not in got["modules"], module
