"""Bad input through the real CLI: exit 2, `error: FILE[:LINE]: message`, OUT untouched.

Every case writes a small source next to an output folder that already holds
a previous build, runs ``python -m publikasi build``, and checks that

* the exit status is 2 and stderr has no traceback,
* every stderr line is ``error: FILE[:LINE]: message`` or ``warning: ...``,
* the expected problems are reported against the right file and line,
* the output folder is byte-for-byte what it was.

A few odd-but-legal inputs at the end must build instead.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import run_cli
from safety_support import (
    ARTICLE_MD, RELEASE_YAML, Content, article, jpeg_bytes, parse_stderr, png_bytes,
    png_header_only, tree_digest, valid_release, write_tree,
)

ANY = object()  # "some line number", when the exact line is the parser's business


@dataclass
class Case:
    id: str
    files: dict[str, Content]
    errors: list[tuple[str, object, str]]  # (file, line or None or ANY, message regex)
    warnings: list[tuple[str, object, str]] = field(default_factory=list)
    args: tuple[str, ...] = ()
    source: str = "rel"
    symlinks: dict[str, str] = field(default_factory=dict)  # link -> target (relative)
    out: str = "out"
    max_seconds: float | None = None


def rel(extra: dict[str, Content] | None = None, drop: tuple[str, ...] = ()) -> dict[str, Content]:
    files = valid_release(extra)
    for name in drop:
        files.pop(name, None)
    return files


def release_yaml(extra: str = "", base: str = RELEASE_YAML) -> str:
    return base + extra


def alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "title: Bom\ndate: 2025-11-10\n" + "\n".join(lines) + f"\ndescription: *{prev}\n"


def utf16_no_bom(encoding: str) -> bytes:
    return ARTICLE_MD.encode(encoding)


LATIN1_ARTICLE = ("---\ntitle: Kafe\ndate: 2025-11-10\n---\nBaris satu.\n\n"
                  "Kopi caf\xe9 di Malang.\n").encode("latin-1")

R = "rel/release.yaml"
A = "rel/a.md"

CASES = [
    # ---------------------------------------------------------- release.yaml
    Case("yaml-syntax", rel({R: "title: Warta\ndate: [2025-11-10\nedition: 46\n"}),
         [(R, ANY, r"invalid YAML")]),
    Case("yaml-tab-indent", rel({R: "title: Warta\ndate: 2025-11-10\n\tedition: 46\n"}),
         [(R, 3, r"invalid YAML")]),
    Case("yaml-top-level-list", rel({R: "- title: Warta\n- date: 2025-11-10\n"}),
         [(R, 1, r"found a list")]),
    Case("yaml-top-level-scalar", rel({R: "Warta Kota Malang edisi 46\n"}),
         [(R, 1, r"found a single value")]),
    Case("yaml-empty-file", rel({R: ""}),
         [(R, 1, r"missing required key `title`"), (R, 1, r"missing required key `date`")]),
    Case("release-missing-title", rel({R: "date: 2025-11-10\n"}),
         [(R, 1, r"missing required key `title`")]),
    Case("release-missing-date", rel({R: "title: Warta\n"}),
         [(R, 1, r"missing required key `date`")]),
    Case("release-impossible-date", rel({R: "title: Warta\ndate: 2025-02-30\n"}),
         [(R, 2, r"2025-02-30.*not a real date")]),
    Case("release-date-in-words", rel({R: "title: Warta\ndate: minggu depan\n"}),
         [(R, 2, r"`date` must be an ISO 8601 date")]),
    Case("release-date-typo-year", rel({R: "title: Warta\ndate: 0205-11-10\n"}),
         [(R, 2, r"out of range")]),
    Case("unknown-timezone", rel({R: release_yaml("timezone: Asia/Malang\n")}),
         [(R, 5, r"unknown time zone 'Asia/Malang'")]),
    Case("timezone-is-a-list", rel({R: release_yaml("timezone: [WIB, WITA]\n")}),
         [(R, 5, r"`timezone` must be a single value")]),
    Case("unknown-theme", rel({R: release_yaml("theme: tidak-ada\n")}),
         [(R, 5, r"unknown theme 'tidak-ada' \(built-in themes: buletin, default")]),
    Case("theme-path-escapes", rel({R: release_yaml("theme: ../tema-luar\n"),
                                    "tema-luar/theme.toml": 'description = "x"\n'}),
         [(R, 5, r"theme '../tema-luar' is outside the source folder")]),
    Case("invalid-base-url", rel({R: release_yaml("", RELEASE_YAML.replace(
        "https://warta.example/berita/", "warta.example/berita"))}),
         [(R, 4, r"`base_url` must be an absolute http\(s\) URL")]),
    Case("javascript-base-url", rel({R: release_yaml("", RELEASE_YAML.replace(
        "https://warta.example/berita/", '"javascript:alert(1)"'))}),
         [(R, 4, r"`base_url` must be an absolute http\(s\) URL")]),
    Case("invalid-language-tag", rel({R: release_yaml("language: bahasa indonesia\n")}),
         [(R, 5, r"not a BCP 47 language tag")]),
    Case("unknown-language", rel({R: release_yaml("language: qq\n")}),
         [(R, 5, r"unknown language 'qq'")]),
    Case("yaml-alias-bomb", rel({R: alias_bomb()}),
         [(R, ANY, r"expands to more than|aliases")], max_seconds=10),
    Case("yaml-too-large", rel({R: release_yaml("description: " + "x" * 1_100_000 + "\n")}),
         [(R, 1, r"larger than 1000 kB")]),
    Case("yaml-python-tag", rel({R: release_yaml("description: !!python/object/apply:os.system "
                                                 "['touch pwned']\n")}),
         [(R, 5, r"tags such as `!!python/...` are not allowed")]),
    Case("yaml-duplicate-key", rel({R: release_yaml("title: Warta Lain\n")}),
         [(R, 5, r"duplicate key `title` \(first on line 1\)")]),
    Case("yaml-number-key", rel({R: release_yaml("2025: tahun\n")}),
         [(R, 5, r"keys must be text")]),
    Case("yaml-nested-too-deep", rel({R: release_yaml("tags: " + "[" * 200 + "]" * 200 + "\n")}),
         [(R, ANY, r"nested")]),
    Case("feed-items-not-a-number", rel({R: release_yaml("feed: {items: banyak}\n")}),
         [(R, 5, r"`feed.items` must be a whole number")]),
    Case("limits-unknown-key", rel({R: release_yaml("limits: {image_pixel: 1000}\n")}),
         [(R, 5, r"unknown limits key `image_pixel`; did you mean `image_pixels`\?")]),
    Case("articles-not-a-list", rel({R: release_yaml("articles: a.md\n")}),
         [(R, 5, r"`articles` must be a list")]),
    Case("articles-missing-file", rel({R: release_yaml("articles:\n  - a.md\n  - hilang.md\n")}),
         [(R, 5, r"article 'hilang.md' not found")]),
    Case("articles-dotdot", rel({R: release_yaml("articles: [a.md, ../luar.md]\n"),
                                 "luar.md": article("Luar")}),
         [(R, 5, r"article '../luar.md' is outside the source folder")]),
    Case("articles-absolute", rel({R: release_yaml("articles: [a.md, /etc/hostname]\n")}),
         [(R, 5, r"'/etc/hostname' must be a path relative")]),
    Case("articles-symlink-out", rel({R: release_yaml("articles: [a.md, tautan.md]\n"),
                                      "luar.md": article("Luar")}),
         [(R, 5, r"article 'tautan.md' is outside the source folder")],
         symlinks={"rel/tautan.md": "../luar.md"}),
    Case("auto-discovered-symlink-out", rel({"luar.md": article("Luar")}),
         [("rel/tautan.md", None, r"symlink points outside the source folder")],
         symlinks={"rel/tautan.md": "../luar.md"}),
    Case("cover-missing", rel({R: release_yaml("cover: images/sampul.jpg\n")}),
         [(R, 5, r"cover 'images/sampul.jpg' not found")]),
    Case("cover-outside", rel({R: release_yaml("cover: ../foto.jpg\n"), "foto.jpg": jpeg_bytes()}),
         [(R, 5, r"cover '../foto.jpg' is outside the source folder")]),
    Case("logo-absolute", rel({R: release_yaml("publisher: {name: Humas, logo: /etc/passwd}\n")}),
         [(R, 5, r"logo '/etc/passwd' must be a path relative")]),
    # ---------------------------------------------------------- articles
    Case("no-front-matter", rel({A: "Wali Kota Resmikan Taman\n\nIsi berita.\n"}),
         [(A, 1, r"missing YAML front matter")]),
    Case("front-matter-not-closed", rel({A: "---\ntitle: x\ndate: 2025-11-10\n\nIsi.\n"}),
         [(A, 1, r"missing YAML front matter")]),
    Case("front-matter-is-a-list", rel({A: "---\n- title\n- date\n---\nIsi.\n"}),
         [(A, 2, r"found a list")]),
    Case("front-matter-yaml-error", rel({A: '---\ntitle: Judul\ndate: 2025-11-10\n'
                                            'tags: [a, b\n---\nIsi.\n'}),
         [(A, ANY, r"invalid YAML")]),
    Case("article-missing-title", rel({A: "---\ndate: 2025-11-10\n---\nIsi.\n"}),
         [(A, 2, r"front matter has no `title`")]),
    Case("article-missing-date", rel({A: "---\ntitle: Judul\n---\nIsi.\n"}),
         [(A, 2, r"front matter has no `date`")]),
    Case("article-impossible-month", rel({A: article(date="2025-13-01")}),
         [(A, 3, r"2025-13-01.*not a real date")]),
    Case("article-hour-25", rel({A: article(date="2025-11-10 25:00:00")}),
         [(A, 3, r"not a real date or time")]),
    Case("article-impossible-offset", rel({A: article(date='"2025-11-10T09:00:00+25:00"')}),
         [(A, 3, r"`date` is not a valid ISO 8601 date")]),
    Case("article-empty-title", rel({A: article(title='""')}),
         [(A, 2, r"`title` is empty")]),
    Case("article-title-mapping", rel({A: article(title="{id: Judul, en: Title}")}),
         [(A, 2, r"`title` must be text")]),
    Case("unknown-key-did-you-mean", rel({A: "---\ntitel: Judul\ndate: 2025-11-10\n---\nIsi.\n"}),
         [(A, 2, r"front matter has no `title`")],
         warnings=[(A, 2, r"unknown front matter key `titel` ignored; did you mean `title`\?")]),
    Case("article-bad-language", rel({A: article(extra="language: '12'\n")}),
         [(A, 4, r"not a BCP 47 language tag")]),
    Case("article-source-not-url", rel({A: article(extra="source: bukan alamat\n")}),
         [(A, 4, r"`source` must be an absolute http\(s\) URL")]),
    Case("article-source-broken-host", rel({A: article(extra="source: 'http://[::1/x'\n")}),
         [(A, 4, r"`source` must be an absolute http\(s\) URL")]),
    Case("base-url-broken-host", rel({R: release_yaml("", RELEASE_YAML.replace(
        "https://warta.example/berita/", '"https://[warta/berita/"'))}),
         [(R, 4, r"`base_url` must be an absolute http\(s\) URL")]),
    Case("image-key-typo", rel({A: article(extra="image: {src: images/foto.jpg, captoin: x}\n")}),
         [(A, 4, r"unknown key `captoin` \(did you mean `caption`\?")]),
    Case("duplicate-slugs", rel({"rel/b.md": ARTICLE_MD.replace("09:00", "10:00")}),
         [(ANY, None, r"duplicate slug 'wali-kota-resmikan-taman-baru'")]),
    Case("duplicate-explicit-slug", rel({A: article("Satu", extra="slug: sama\n"),
                                         "rel/b.md": article("Dua", extra="slug: sama\n")}),
         [(ANY, None, r"duplicate slug 'sama'")]),
    Case("empty-article", rel({A: ""}), [(A, None, r"article file is empty")]),
    Case("blank-article", rel({A: "  \n\n\t\n"}), [(A, None, r"article file is empty")]),
    Case("binary-article", rel({A: bytes(range(256)) * 8}), [(A, None, r"binary file")]),
    Case("utf16-le-without-bom", rel({A: utf16_no_bom("utf-16-le")}),
         [(A, None, r"UTF-16 without a byte-order mark")]),
    Case("utf16-be-without-bom", rel({A: utf16_no_bom("utf-16-be")}),
         [(A, None, r"UTF-16 without a byte-order mark")]),
    Case("latin1-article", rel({A: LATIN1_ARTICLE}), [(A, 7, r"not valid UTF-8")]),
    Case("empty-plain-text-release", rel({"rel/rilis.txt": ""}),
         [("rel/rilis.txt", None, r"empty")]),
    Case("binary-plain-text-release", rel({"rel/rilis.txt": bytes(range(256)) * 4}),
         [("rel/rilis.txt", None, r"binary")]),
    Case("utf16-plain-text-without-bom",
         rel({"rel/rilis.txt": "JUDUL BERITA\n\nMalang - Isi berita.\n".encode("utf-16-le")}),
         [("rel/rilis.txt", None, r"UTF-16")]),
    # ---------------------------------------------------------- pictures
    Case("missing-image", rel({A: article(body="Paragraf.\n\n![x](images/hilang.jpg)")}),
         [(A, 7, r"image 'images/hilang.jpg' not found")]),
    Case("missing-lead-image", rel({A: article(extra="image: images/hilang.jpg\n")}),
         [(A, 4, r"image 'images/hilang.jpg' not found")]),
    Case("image-not-an-image", rel({"rel/images/foto.jpg": "bukan gambar, hanya teks\n"}),
         [(A, 9, r"image 'images/foto.jpg': not a picture publikasi can read")]),
    Case("truncated-jpeg", rel({"rel/images/foto.jpg": jpeg_bytes((400, 300))[:1500]}),
         [(A, 9, r"damaged or truncated")]),
    Case("truncated-png", rel({"rel/images/foto.png": png_bytes((300, 200))[:120],
                               A: ARTICLE_MD.replace("foto.jpg", "foto.png")}),
         [(A, 9, r"damaged or truncated")]),
    Case("decompression-bomb", rel({"rel/images/foto.png": png_header_only(100_000, 100_000),
                                    A: ARTICLE_MD.replace("foto.jpg", "foto.png")}),
         [(A, 9, r"more than the limit of 60,000,000 pixels")], max_seconds=20),
    Case("pixel-limit-from-config", rel({R: release_yaml("limits: {image_pixels: 1000}\n")}),
         [(A, 9, r"more than the limit of 1,000 pixels \(`limits: image_pixels`")]),
    Case("byte-limit-from-config", rel({R: release_yaml("limits: {image_bytes: 100}\n")}),
         [(A, 9, r"more than the limit of 100 \(`limits: image_bytes`\)")]),
    Case("empty-image", rel({"rel/images/foto.jpg": b""}), [(A, 9, r"the file is empty")]),
    Case("postscript-image", rel({"rel/images/foto.jpg": b"%!PS-Adobe-3.0 EPSF-3.0\n"
                                  b"%%BoundingBox: 0 0 10 10\nshowpage\n"}),
         [(A, 9, r"not a picture publikasi can read")]),
    Case("image-dotdot", rel({A: article(body="![x](../../foto.jpg)")}),
         [(A, 5, r"image '../../foto.jpg' is outside the source folder")]),
    Case("image-absolute", rel({A: article(body="![x](/etc/passwd)")}),
         [(A, 5, r"'/etc/passwd' must be a path relative")]),
    Case("image-symlink-out", rel({"foto.jpg": jpeg_bytes(),
                                   A: ARTICLE_MD.replace("foto.jpg", "tautan.jpg")}),
         [(A, 9, r"image 'images/tautan.jpg' is outside the source folder")],
         symlinks={"rel/images/tautan.jpg": "../../foto.jpg"}),
    Case("remote-image-refused", rel({A: article(body="![x](https://warta.example/x.jpg)")}),
         [(A, 5, r"is remote; publikasi does not download during a build")]),
    Case("image-is-a-folder", rel({A: article(body="![x](images)")}),
         [(A, 5, r"image 'images' is not a file")]),
    # ---------------------------------------------------------- publications, sources, CLI
    Case("publication-without-releases",
         {"pub/publication.yaml": "title: Warta\nbase_url: https://warta.example/\n"},
         [("pub", None, r"publication has no release folders")], source="pub"),
    Case("publication-duplicate-release-slugs",
         {"pub/publication.yaml": "title: Warta\nbase_url: https://warta.example/\n",
          **valid_release({"pub/a/release.yaml": RELEASE_YAML + "slug: sama\n"}, "pub/a"),
          **valid_release({"pub/b/release.yaml": RELEASE_YAML + "slug: sama\n"}, "pub/b")},
         [(ANY, None, r"release slug 'sama' is also used")], source="pub"),
    Case("publication-yaml-broken",
         {"pub/publication.yaml": "title: [Warta\n", **valid_release(root="pub/a")},
         [("pub/publication.yaml", ANY, r"invalid YAML")], source="pub"),
    Case("source-not-found", rel(), [("tidak-ada", None, r"source not found")],
         source="tidak-ada"),
    Case("folder-without-release-yaml", rel(drop=(R,)),
         [("rel", None, r"not a publikasi source")]),
    Case("unsupported-single-file", {"catatan.docx": b"PK\x03\x04"},
         [("catatan.docx", None, r"unsupported file type .docx")], source="catatan.docx"),
    Case("unknown-format", rel(), [("-f", None, r"unknown format 'odt'")], args=("-f", "odt")),
    Case("unknown-theme-option", rel(), [("-t", None, r"unknown theme 'tidak-ada'")],
         args=("-t", "tidak-ada")),
    Case("feeds-without-base-url", rel({R: "title: Warta\ndate: 2025-11-10\n"}),
         [(R, None, r"`base_url` is required to build feeds")], args=("-f", "rss")),
    Case("bad-base-url-option", rel({R: "title: Warta\ndate: 2025-11-10\n"}),
         [("--base-url", None, r"must be an absolute http\(s\) URL")],
         args=("--base-url", "ftp://x")),
    Case("output-is-a-file", {**rel(), "keluaran.txt": "jangan ditimpa\n"},
         [("keluaran.txt", None, r"output path exists and is not a folder")],
         out="keluaran.txt"),
    # ---------------------------------------------------------- several problems at once
    Case("several-problems-in-several-files",
         rel({R: release_yaml("language: indonesia\n"),
              A: article(date="2025-13-01"),
              "rel/b.md": article("Kedua", body="![x](images/hilang.jpg)"),
              "rel/c.md": "---\ntitle: Ketiga\n---\nIsi.\n"}),
         [(R, 5, r"not a BCP 47 language tag")]),
    Case("several-problems-in-articles",
         rel({A: article(date="2025-13-01"),
              "rel/b.md": article("Kedua", body="![x](images/hilang.jpg)"),
              "rel/c.md": "---\ntitle: Ketiga\n---\nIsi.\n",
              "rel/d.md": b"\xff\xfe\x00"}),
         [(A, 3, r"not a real date"), ("rel/b.md", 5, r"not found"),
          ("rel/c.md", 2, r"no `date`"), ("rel/d.md", None, r"UTF-16|UTF-8|binary")]),
]

assert len(CASES) >= 40


def _make_old_output(out: Path) -> None:
    """A previous build's files, as a press office's server would hold them."""
    write_tree(out, {"feed.xml": "<rss><channel><title>lama</title></channel></rss>\n",
                     "docx/lama.docx": b"PK\x03\x04 old docx bytes",
                     "warta-lama.pdf": b"%PDF-1.4 old", ".htaccess": "Options -Indexes\n"})


def _match(expected: tuple[str, object, str], found: list[dict], kind: str) -> bool:
    file, line, pattern = expected
    for d in found:
        if d["kind"] != kind:
            continue
        if file is not ANY and d["file"] != file:
            continue
        if line is ANY and d["line"] is None:
            continue
        if line is not ANY and d["line"] != line:
            continue
        if re.search(pattern, d["msg"]):
            return True
    return False


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_reported_and_output_untouched(case: Case, tmp_path: Path):
    write_tree(tmp_path, case.files)
    for link, target in case.symlinks.items():
        (tmp_path / link).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, tmp_path / link)
    out = tmp_path / case.out
    if not out.exists():
        _make_old_output(out)
    before = tree_digest(out)
    started = time.monotonic()
    proc = run_cli("build", case.source, "-o", case.out, "--no-cache", *case.args, cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    found = parse_stderr(proc.stderr)
    errors = [d for d in found if d["kind"] == "error"]
    assert errors, proc.stderr
    for expected in case.errors:
        assert _match(expected, found, "error"), f"missing {expected!r} in:\n{proc.stderr}"
    for expected in case.warnings:
        assert _match(expected, found, "warning"), f"missing {expected!r} in:\n{proc.stderr}"
    assert tree_digest(out) == before, "the output folder changed"
    assert proc.stdout == ""
    if case.max_seconds:
        assert elapsed < case.max_seconds, f"took {elapsed:.1f} s"
    assert not (tmp_path / "pwned").exists()


def test_several_problems_are_all_reported(tmp_path: Path):
    """Four broken articles and a broken release.yaml: every problem in one run."""
    write_tree(tmp_path, rel({
        A: article(date="2025-13-01"),
        "rel/b.md": article("Kedua", body="![x](images/hilang.jpg)"),
        "rel/c.md": "---\ntitle: Ketiga\n---\nIsi.\n",
        "rel/d.md": article("Keempat", extra="language: '12'\n"),
    }))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 2
    errors = [d for d in parse_stderr(proc.stderr) if d["kind"] == "error"]
    assert {d["file"] for d in errors} == {A, "rel/b.md", "rel/c.md", "rel/d.md"}, proc.stderr
    assert len(errors) == 4
    assert not (tmp_path / "out").exists(), "a failed build must not create OUT"


def test_inspect_reports_bad_input_the_same_way(tmp_path: Path):
    write_tree(tmp_path, rel({A: article(date="2025-02-30")}))
    proc = run_cli("inspect", "rel", cwd=tmp_path)
    assert proc.returncode == 2
    errors = parse_stderr(proc.stderr)
    assert [(d["file"], d["line"]) for d in errors] == [(A, 3)]
    assert proc.stdout == ""


# ---------------------------------------------------------------- odd but legal: must build

LONG_WORD = "Pembangunan" * 1819 + "x"  # 20,000 characters, no space
WIDE_TABLE = ("| " + " | ".join(f"K{i}" for i in range(40)) + " |\n"
              + "|" + "---|" * 40 + "\n"
              + "| " + " | ".join(f"nilai {i}" for i in range(40)) + " |\n"
              + "| " + " | ".join("" if i % 3 else "Rp 1.250.000" for i in range(40)) + " |\n")
NESTED_QUOTES = "".join("> " * d + f"Kutipan tingkat {d}\n" + "> " * d + "\n"
                        for d in range(1, 31))
NESTED_LIST = "".join("  " * d + f"- butir tingkat {d}\n" for d in range(30))
CONTROL = "Teks\x0b dengan\x0c kontrol\x1b[31m dan\x07 bel\x85 serta \x93kutip\x94 \ufeffnol"

ODD_CASES: dict[str, dict[str, Content]] = {
    "control-characters": {
        "rel/a.md": (f"---\ntitle: \"Judul\\x0b dengan\\x1b kontrol\"\ndate: 2025-11-10\n"
                     f"summary: ringkas\x0c an\n---\n{CONTROL}.\n\n"
                     f"![Foto\x08 alt](images/foto.jpg \"Keterangan\x0b foto (Foto: Hu\x01mas)\")"
                     f"\n\n| A\x0b | B |\n|---|---|\n| \x0c1 | 2\x1f |\n"),
    },
    "title-5000-characters": {
        "rel/a.md": article(" ".join(["Pemerintah Kota Malang"] * 228)[:5000].strip(),
                            body="Isi singkat."),
    },
    "word-20000-characters": {
        "rel/a.md": article("Kata Panjang", body=f"Awal {LONG_WORD} akhir.\n\n"
                            f"## {LONG_WORD[:3000]}\n\n| Kolom |\n|---|\n| {LONG_WORD} |\n\n"
                            f"- {LONG_WORD[:5000]}\n"),
    },
    "table-40-columns": {"rel/a.md": article("Tabel Lebar", body=WIDE_TABLE)},
    "nested-quotes-and-lists": {
        "rel/a.md": article("Bersarang", body=NESTED_QUOTES + "\nTeks.\n\n" + NESTED_LIST
                            + "\n1. satu\n   > kutipan dalam daftar\n   > - daftar dalam "
                              "kutipan\n   >   1. lebih dalam\n"),
    },
    "empty-sections": {
        "rel/a.md": article("Bagian Kosong", body="## Satu\n\n## Dua\n\n### Tiga\n\n-\n-\n\n"
                            ">\n\n| | |\n|---|---|\n| | |\n\n## Empat\n"),
        "rel/b.md": "---\ntitle: Tanpa Isi\ndate: 2025-11-09\n---\n",
    },
    "emoji-and-rtl-names": {
        "rel/release.yaml": ("title: Warta 🎉 مرحبا\ndate: 2025-11-10\n"
                             "base_url: https://warta.example/berita/\n"
                             "publisher: {name: \"Humas ש\u202eלום 🏛️\"}\n"),
        "rel/berita-🎉.md": ("---\ntitle: 🎉🎊\ndate: 2025-11-10\ndateline: القاهرة\n"
                             "authors: [محمد علي, \"👩🏽‍💻 Tim\", יוסי]\nsection: חדשות\n"
                             "tags: [🇮🇩, عربي]\nimage: {src: images/صورة.jpg, "
                             "caption: تعليق على الصورة, alt: 🖼️}\n---\n"
                             "Paragraf مختلط dengan العربية dan עברית 👨‍👩‍👧.\n"),
        "rel/images/صورة.jpg": jpeg_bytes((50, 50), "gold"),
        "rel/a.md": article("🎉🎉", date="2025-11-09"),
    },
}


def _combined_odd_release() -> dict[str, Content]:
    """Every odd article in one release (one EPUB for EPUBCheck: one JVM start)."""
    files: dict[str, Content] = {}
    for name, extra in ODD_CASES.items():
        for rel_path, content in extra.items():
            if rel_path.endswith(".md"):
                rel_path = rel_path.replace("rel/", f"rel/{name}-", 1)
            files[rel_path] = content
    return files


@pytest.fixture(scope="module")
def odd_builds(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    """Every odd case built into every format (the default -f) through the CLI."""
    outs = {}
    for name, extra in [*ODD_CASES.items(), ("all-together", _combined_odd_release())]:
        root = tmp_path_factory.mktemp(name)
        write_tree(root, valid_release(extra))
        proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=root)
        outs[name] = (root / "out", proc)
    return outs


@pytest.mark.parametrize("name", [*ODD_CASES, "all-together"])
def test_odd_but_legal_input_builds_valid_outputs(name, odd_builds):
    import zipfile

    import feedparser
    from docx import Document
    from lxml import etree
    from pypdf import PdfReader

    out, proc = odd_builds[name]
    assert proc.returncode == 0, proc.stderr
    assert all(d["kind"] == "warning" for d in parse_stderr(proc.stderr))
    files = {p.name: p for p in out.rglob("*") if p.is_file()}
    assert {"rel.pdf", "rel.epub", "rel.docx", "feed.xml", "atom.xml", "feed.json"} <= set(files)
    for path in out.rglob("*.docx"):
        Document(str(path))  # python-docx opens every Word file
    reader = PdfReader(out / "rel.pdf")
    assert "".join(page.extract_text() or "" for page in reader.pages).strip()
    with zipfile.ZipFile(out / "rel.epub") as zf:
        assert zf.namelist()[0] == "mimetype"
        for member in zf.namelist():
            if member.endswith((".xhtml", ".opf", ".ncx")):
                etree.fromstring(zf.read(member))  # well-formed XML
    for feed in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse(str(out / feed))
        assert not parsed.bozo, (feed, parsed.bozo_exception)
        assert parsed.entries
    import json

    assert json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    text = b"".join(p.read_bytes() for p in out.rglob("*") if p.suffix in (".xml", ".json"))
    for ch in ("\x0b", "\x0c", "\x1b", "\x07", "\x01", "\x08", "\x1f", "\x85"):
        assert ch.encode() not in text


def test_odd_epub_passes_epubcheck(odd_builds):
    from judges import epubcheck

    out, proc = odd_builds["all-together"]
    assert proc.returncode == 0, proc.stderr
    [report] = epubcheck([out / "rel.epub"]).values()
    assert not report.errors, report.errors


def test_rtl_text_in_footnotes_builds(tmp_path):
    """Arabic and Hebrew in footnotes (plain and bold) build in every format (found by fuzzing)."""
    body = "Lihat catatan[^1] dan[^2].\n\n[^1]: مرحبا بالعالم\n[^2]: **שלום** و **مرحبا**\n"
    write_tree(tmp_path, valid_release({"rel/a.md": article("Catatan RTL", body=body)}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert all(d["kind"] == "warning" for d in parse_stderr(proc.stderr))
    from pypdf import PdfReader

    assert PdfReader(tmp_path / "out/rel.pdf").pages
