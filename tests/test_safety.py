"""Security of builds: paths stay inside, raw HTML is sanitised, no network, no metadata leaks.

Outputs are read back with independent tools (zipfile + lxml for EPUB/DOCX,
feedparser for feeds, pypdf for PDF images, Pillow for embedded pictures),
never with publikasi's own code.
"""

from __future__ import annotations

import http.server
import io
import os
import socket
import threading
import time
import zipfile
from pathlib import Path

import feedparser
import pytest
from conftest import run_cli
from lxml import etree
from PIL import Image
from safety_support import (
    RELEASE_YAML, article, exif_with_gps, jpeg_bytes, noisy_jpeg, parse_stderr, valid_release,
    write_tree,
)

from publikasi import cli

# ---------------------------------------------------------------- raw HTML

EVIL_BODY = """\
Paragraf pembuka TEKSBAIK dengan <b onclick="ONCLICKMARK1()">tebal</b> dan
<a href="javascript:JSMARK1()">tautan jahat</a> serta <a href="https://ok.example/baik"
onmouseover="ONMOUSEMARK()">tautan baik</a> <script>SCRIPTMARK1()</script>
<img src="https://tracker.example/PIXELMARK1.gif" onerror="ONERRORMARK()"> selesai.

<script>SCRIPTMARK2()</script>

<div style="background:url(https://evil.example/STYLEATTRMARK.png)">
<p>Blok HTML TEKSBAIK2 <a href="&#106;avascript:ENTITYJSMARK()">entitas</a>
<a href="java&#x09;script:TABJSMARK()">tab</a>
<a href="data:text/html;base64,DATAURLMARK">data</a></p>
<iframe src="https://evil.example/IFRAMEMARK"></iframe>
<object data="https://evil.example/OBJECTMARK.swf"></object>
<embed src="https://evil.example/EMBEDMARK.swf">
<form action="https://evil.example/FORMMARK"><input name="FORMINPUTMARK"></form>
<svg onload="SVGMARK()"><circle r="4"/></svg>
<style>.x { background: url(https://evil.example/STYLEMARK.png) }</style>
<link rel="stylesheet" href="https://evil.example/LINKMARK.css">
<meta http-equiv="refresh" content="0;url=https://evil.example/METAMARK">
<base href="https://evil.example/BASEMARK/">
<img src="https://tracker.example/PIXELMARK2.gif">
<video src="https://evil.example/VIDEOMARK.mp4" autoplay></video>
<ul><li>butir TEKSBAIK3</li></ul>
</div>

Markdown: [klik](javascript:MDJSMARK()) dan [data](data:text/html,MDDATAMARK) dan
[baik](https://ok.example/md).
"""

MARKS = ["ONCLICKMARK1", "JSMARK1", "ONMOUSEMARK", "SCRIPTMARK1", "PIXELMARK1", "ONERRORMARK",
         "SCRIPTMARK2", "STYLEATTRMARK", "ENTITYJSMARK", "TABJSMARK", "DATAURLMARK",
         "IFRAMEMARK", "OBJECTMARK", "EMBEDMARK", "FORMMARK", "FORMINPUTMARK", "SVGMARK",
         "STYLEMARK", "LINKMARK", "METAMARK", "BASEMARK", "PIXELMARK2", "VIDEOMARK",
         "MDJSMARK", "MDDATAMARK", "evil.example", "tracker.example", "javascript:"]


def _zip_texts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


@pytest.fixture(scope="module")
def evil_build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("evil")
    write_tree(root, valid_release({"rel/a.md": article("Berita Berbahaya", "2025-11-10",
                                                        EVIL_BODY)}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=root)
    assert proc.returncode == 0, proc.stderr
    lines = parse_stderr(proc.stderr)
    # The user is told what was removed, with the line of the HTML block.
    assert any(d["kind"] == "warning" and "<script>" in d["msg"] and d["file"] == "rel/a.md"
               for d in lines), proc.stderr
    return root / "out"


def test_sanitised_html_in_epub(evil_build):
    members = _zip_texts(evil_build / "rel.epub")
    xhtml = {n: b for n, b in members.items() if n.endswith((".xhtml", ".html"))}
    assert xhtml
    alltext = b"".join(members.values())
    for mark in MARKS:
        assert mark.encode() not in alltext, f"{mark} reached the EPUB"
    assert b"TEKSBAIK" in alltext and b"TEKSBAIK2" in alltext and b"TEKSBAIK3" in alltext
    assert b"https://ok.example/baik" in alltext
    bad_tags = {"script", "iframe", "object", "embed", "form", "input", "svg", "video", "audio",
                "base", "frame", "applet"}
    for name, data in xhtml.items():
        tree = etree.fromstring(data)
        for el in tree.iter():
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            assert local not in bad_tags, f"<{local}> in {name}"
            assert not (local == "meta" and el.get("http-equiv")), f"<meta http-equiv> in {name}"
            for attr, value in el.attrib.items():
                assert not etree.QName(attr).localname.lower().startswith("on"), (name, attr)
                if etree.QName(attr).localname in ("src", "href") and local != "a":
                    # Pictures, styles and fonts come from inside the book only.
                    assert "://" not in value, f"external resource {value} in {name}"


def test_sanitised_html_in_feeds(evil_build):
    for name in ("feed.xml", "atom.xml", "feed.json"):
        raw = (evil_build / name).read_bytes()
        for mark in MARKS:
            assert mark.encode() not in raw, f"{mark} reached {name}"
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse(str(evil_build / name))
        assert not feed.bozo, feed.bozo_exception
        entry = feed.entries[0]
        html = " ".join(c.value for c in entry.get("content", [])) + entry.get("summary", "")
        assert "TEKSBAIK" in html
        for bad in ("<script", "<iframe", "onclick", "onerror", "javascript:", "<object",
                    "<embed", "<form", "<style", "<svg"):
            assert bad not in html.lower(), f"{bad} in {name}"


def test_sanitised_html_in_docx_and_pdf(evil_build):
    from pypdf import PdfReader

    docx = b"".join(_zip_texts(evil_build / "rel.docx").values())
    text = "".join(page.extract_text() for page in PdfReader(evil_build / "rel.pdf").pages)
    for mark in MARKS:
        assert mark.encode() not in docx, f"{mark} reached the DOCX"
        assert mark not in text, f"{mark} reached the PDF"
    assert b"TEKSBAIK2" in docx


# ---------------------------------------------------------------- paths


def test_theme_with_symlink_leaving_it_is_refused(tmp_path):
    write_tree(tmp_path, valid_release())
    write_tree(tmp_path, {"tema/theme.toml": 'description = "tema"\n',
                          "rahasia.css": "body { color: red }\n"})
    (tmp_path / "tema/epub").mkdir()
    os.symlink("../../rahasia.css", tmp_path / "tema/epub/style.css")
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "epub", "-t", "./tema",
                   cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    [err] = parse_stderr(proc.stderr)
    assert err["file"] == "tema/epub/style.css"
    assert "leaves the theme folder" in err["msg"]
    assert not (tmp_path / "out").exists()


def test_theme_folder_inside_the_source_is_fine(tmp_path):
    write_tree(tmp_path, valid_release({"rel/release.yaml": RELEASE_YAML + "theme: ./tema\n",
                                        "rel/tema/theme.toml": 'description = "lokal"\n'}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "epub", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_release_folder_symlink_leaving_publication_is_refused(tmp_path):
    write_tree(tmp_path, {"pub/publication.yaml": "title: Warta\n",
                          **valid_release(root="pub/a"), **valid_release(root="luar")})
    os.symlink("../luar", tmp_path / "pub/b")
    proc = run_cli("build", "pub", "-o", "out", "--no-cache", "-f", "epub", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert [(d["file"], "leaves" in d["msg"]) for d in parse_stderr(proc.stderr)] == \
        [("pub/b", True)]


def test_symlink_inside_the_source_is_fine(tmp_path):
    write_tree(tmp_path, valid_release())
    os.symlink("foto.jpg", tmp_path / "rel/images/alias.jpg")
    (tmp_path / "rel/a.md").write_text(
        (tmp_path / "rel/a.md").read_text().replace("images/foto.jpg", "images/alias.jpg"))
    proc = run_cli("inspect", "rel", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------- network


@pytest.fixture()
def no_network(monkeypatch):
    """Any attempt to resolve a name or open a connection fails the test."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access during a build: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_build_never_touches_the_network(tmp_path, monkeypatch, capsys, no_network):
    body = ("Lihat [situs resmi](https://malangkota.go.id/) dan "
            "<a href='https://ok.example/'>ini</a>.\n\n![Taman](images/foto.jpg)")
    write_tree(tmp_path, valid_release({
        "rel/a.md": article("Tanpa Jaringan", "2025-11-10", body,
                            "source: https://malangkota.go.id/berita/1\n"),
        "rel/release.yaml": RELEASE_YAML + "publisher: {name: Humas, url: https://x.example/}\n",
    }))
    monkeypatch.chdir(tmp_path)
    code = cli.main(["build", "rel", "-o", "out", "--no-cache", "-j", "1"])
    assert code == 0, capsys.readouterr().err
    assert no_network == []
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"rel.pdf", "rel.epub", "rel.docx",
                                                              "feed.xml", "atom.xml", "feed.json"}


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def _handler(requests: list[str], files: dict[str, bytes]):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            try:
                self._get()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def _get(self):
            requests.append(self.path)
            if self.path == "/lambat.jpg":
                time.sleep(4)
            if self.path == "/alih.jpg":
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.end_headers()
                return
            data = files.get(self.path)
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture()
def image_server():
    requests: list[str] = []
    files = {"/foto.jpg": jpeg_bytes((120, 80), "orange"),
             "/besar.jpg": noisy_jpeg(),
             "/bukan.jpg": b"<html>not a picture</html>"}
    server = _Server(("127.0.0.1", 0), _handler(requests, files))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


REMOTE_ENV = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
              "HTTP_PROXY": "", "http_proxy": ""}


def test_remote_image_refused_without_allow_remote(tmp_path, image_server):
    url, requests = image_server
    write_tree(tmp_path, valid_release({"rel/a.md": article(body=f"![x]({url}/foto.jpg)")}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "epub", cwd=tmp_path,
                   env=REMOTE_ENV)
    assert proc.returncode == 2
    [err] = parse_stderr(proc.stderr)
    assert (err["file"], err["line"]) == ("rel/a.md", 5)
    assert "--allow-remote" in err["msg"]
    assert requests == [], "nothing may be fetched without --allow-remote"


def test_allow_remote_downloads_the_picture(tmp_path, image_server):
    url, requests = image_server
    write_tree(tmp_path, valid_release({"rel/a.md": article(body=f"![Jauh]({url}/foto.jpg)")}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "epub,rss",
                   "--allow-remote", cwd=tmp_path, env=REMOTE_ENV)
    assert proc.returncode == 0, proc.stderr
    assert requests == ["/foto.jpg"]
    members = _zip_texts(tmp_path / "out/rel.epub")
    pictures = [Image.open(io.BytesIO(b)) for n, b in members.items()
                if n.endswith((".jpg", ".jpeg", ".png")) and "cover" not in n]
    assert any(p.size == (120, 80) for p in pictures), [p.size for p in pictures]
    assert url.encode() not in b"".join(members.values()), "the EPUB must not load remote files"


@pytest.mark.parametrize("path,limits,message", [
    ("/besar.jpg", "limits: {image_bytes: 20000}\n", r"larger than the limit of 20,000 bytes|"
                                                     r"announces \d[\d,]* bytes"),
    ("/lambat.jpg", "limits: {download_seconds: 1}\n", r"no answer within 1 s|longer than 1 s"),
    ("/hilang.jpg", "", r"HTTP 404"),
    ("/alih.jpg", "", r"redirected to .*(not|non-http)"),
    ("/bukan.jpg", "", r"not a picture publikasi can read"),
])
def test_allow_remote_limits(path, limits, message, tmp_path, image_server):
    import re

    url, _ = image_server
    write_tree(tmp_path, valid_release({"rel/a.md": article(body=f"![x]({url}{path})"),
                                        "rel/release.yaml": RELEASE_YAML + limits}))
    started = time.monotonic()
    started_wall = time.time()  # file times are wall-clock times
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", "-f", "epub", "--allow-remote",
                   cwd=tmp_path, env=REMOTE_ENV)
    assert time.monotonic() - started < 30
    assert proc.returncode == 2, proc.stderr
    [err] = [d for d in parse_stderr(proc.stderr) if d["kind"] == "error"]
    assert (err["file"], err["line"]) == ("rel/a.md", 5)
    assert re.search(message, err["msg"]), err["msg"]
    assert not (tmp_path / "out").exists()
    leftovers = [p for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("publikasi-remote-*")
                 if p.stat().st_mtime >= started_wall - 1 and any(p.iterdir())]
    assert leftovers == [], "downloaded files must be removed"


# ---------------------------------------------------------------- image metadata


def _pictures_in(out: Path) -> list[tuple[str, bytes]]:
    """Every embedded picture in every output: zip members, PDF images, loose files."""
    from pypdf import PdfReader

    found: list[tuple[str, bytes]] = []
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix in (".docx", ".epub"):
            for name, data in _zip_texts(path).items():
                if name.lower().endswith((".jpg", ".jpeg", ".png")):
                    found.append((f"{path.name}:{name}", data))
        elif path.suffix == ".pdf":
            for i, page in enumerate(PdfReader(path).pages):
                for img in page.images:
                    found.append((f"{path.name}:p{i}:{img.name}", img.data))
        elif path.suffix.lower() in (".jpg", ".jpeg", ".png"):
            found.append((str(path.relative_to(out)), path.read_bytes()))
    return found


def test_exif_gps_never_reaches_an_output(tmp_path):
    marker = "GPSLEAKMARK"
    photo = jpeg_bytes((1200, 900), "seagreen", exif=exif_with_gps(marker),
                       xmp=f"<x:xmpmeta>{marker}</x:xmpmeta>".encode(),
                       comment=f"comment {marker}".encode())
    source = Image.open(io.BytesIO(photo))
    assert source.getexif().get_ifd(0x8825), "the test photo must carry GPS data"
    write_tree(tmp_path, valid_release({"rel/images/foto.jpg": photo,
                                        "rel/release.yaml": RELEASE_YAML + "cover: images/foto.jpg\n"}))
    proc = run_cli("build", "rel", "-o", "out", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    for path in out.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert marker.encode() not in raw, f"metadata in {path}"
            if path.suffix in (".docx", ".epub"):
                assert marker.encode() not in b"".join(_zip_texts(path).values()), path
    pictures = _pictures_in(out)
    kinds = {name.split(":")[0].rsplit(".", 1)[-1] for name, _ in pictures}
    assert {"docx", "epub", "pdf"} <= kinds, kinds
    for name, data in pictures:
        assert marker.encode() not in data, name
        try:
            img = Image.open(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - raw PDF image streams Pillow cannot open
            continue
        exif = img.getexif()
        assert not exif.get_ifd(0x8825), f"GPS in {name}"
        assert 0x010F not in exif and 0x010E not in exif, f"camera EXIF in {name}"
        assert "xmp" not in img.info and "comment" not in img.info, f"metadata in {name}"


def test_raw_html_with_a_lone_surrogate_is_cleaned_not_a_crash(tmp_path):
    # Text handed to the reader by a library caller may hold lone surrogates
    # (a file on disk cannot); the sanitiser (Rust) refuses them outright.
    from publikasi.model import plain_text
    from publikasi.readers.common import ReadContext
    from publikasi.readers.markdown import read_markdown

    text = ("---\ntitle: Uji\ndate: 2025-11-10T09:00:00+07:00\n---\n"
            "<div>Rapat \udfff warga<script>alert(1)</script></div>\n\nParagraf biasa.\n")
    art = read_markdown(text, tmp_path / "a.md", ReadContext(root=tmp_path))
    body = plain_text(art.blocks)
    assert "Rapat" in body and "warga" in body and "Paragraf biasa." in body
    assert "\udfff" not in body and "alert" not in body
