"""`publikasi serve`: the command, the preview over HTTP, the safety rules.

Each test runs the real command in a child process (tests/desk_support.py)
and talks to it over loopback HTTP.  The browser tests are in
test_desk_browser.py.
"""

from __future__ import annotations

import io
import re
import signal
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from desk_support import (FORM, SAMPLE, copy_sample, desk_state, fetch, form_body,
                          running_desk, start_desk, wait_for)


@pytest.fixture(scope="module")
def sample_desk(tmp_path_factory):
    """One desk over a copy of the sample publication, for the tests that only read."""
    source = copy_sample(tmp_path_factory.mktemp("desk-read"))
    with running_desk(source) as desk:
        yield desk, source


def test_serve_prints_the_address_and_previews_the_sample(sample_desk):
    desk, _ = sample_desk
    assert desk.url.startswith("http://127.0.0.1:") and "token" not in desk.url
    reply = fetch(desk, "/")
    assert reply.status == 200
    assert "<title>Warta Kota Malang</title>" in reply.text
    # the desk's menu, overlay and live-reload script are added to the page
    assert 'id="desk-overlay"' in reply.text and "/_desk/static/desk.js" in reply.text
    # an edition page and an article page, at the addresses the web edition links to
    assert 'href="2025-47/index.html"' in reply.text
    article = fetch(desk, "/bank-sampah-berkah-lestari-lesanpuro-kumpulkan-7-1-ton/index.html")
    assert article.status == 200 and "Bank Sampah" in article.text
    assert 'id="desk-overlay"' in article.text
    assert fetch(desk, "/tidak-ada/index.html").status == 404


def test_bad_source_is_one_error_line(tmp_path):
    proc = run_cli("serve", tmp_path / "tidak-ada", "--no-open", timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr and "Serving on" not in proc.stdout
    (tmp_path / "kosong").mkdir()
    proc = run_cli("serve", tmp_path / "kosong", "--no-open", timeout=60)
    assert proc.returncode == 2 and "release.yaml" in proc.stderr
    proc = run_cli("serve", tmp_path, "--port", "70000", "--no-open", timeout=60)
    assert proc.returncode == 2 and proc.stderr.startswith("error: --port")


def test_another_host_needs_the_token(tmp_path):
    source = copy_sample(tmp_path)
    with running_desk(source, "--host", "localhost", ready=False) as desk:
        assert "?token=" in desk.url
        token = desk.url.split("?token=", 1)[1]
        host = {"Host": desk.host}
        assert fetch(desk, "/", headers=host).status == 401
        assert fetch(desk, "/?token=wrong", headers=host).status == 401
        assert fetch(desk, "/_desk/events", headers=host).status == 401
        first = fetch(desk, f"/?token={token}", headers=host)
        assert first.status == 303 and first.headers["location"] == "/"
        cookie = first.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        kept = {"Cookie": cookie.split(";", 1)[0], **host}
        wait_for(lambda: desk_state(desk, kept)["generation"], 60, "the first build")
        assert fetch(desk, "/", headers=kept).status == 200


def test_unknown_host_header_is_refused(sample_desk):
    """A page that rebinds its own DNS name to 127.0.0.1 cannot read the desk."""
    desk, _ = sample_desk
    assert fetch(desk, "/", headers={"Host": "evil.example"}).status == 400
    assert fetch(desk, "/", headers={"Host": f"localhost:{desk.host.split(':')[1]}"}).status == 200


@pytest.mark.parametrize("path", ["/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                                  "/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd",
                                  "/%252e%252e/%252e%252e/etc/passwd", "//etc/passwd",
                                  "/media/..%5c..%5cetc%5cpasswd"])
def test_preview_paths_stay_inside(sample_desk, path):
    desk, _ = sample_desk
    reply = fetch(desk, path)
    assert reply.status in (400, 404)
    assert b"root:" not in reply.body


def test_symlink_out_of_the_preview_is_not_followed(tmp_path):
    """A symlink in SOURCE that points outside: the build refuses it, and the
    preview never serves what it points at."""
    from publikasi.desk.security import safe_path
    from starlette.exceptions import HTTPException

    outside = tmp_path / "rahasia.txt"
    outside.write_text("rahasia")
    inside = tmp_path / "dalam"
    inside.mkdir()
    (inside / "tautan.txt").symlink_to(outside)
    (inside / "ok.txt").write_text("ok")
    assert safe_path(inside, "ok.txt") == (inside / "ok.txt").resolve()
    for name, status in (("tautan.txt", 404), ("../rahasia.txt", 400), ("/etc/passwd", 400),
                         ("%2e%2e/rahasia.txt", 400), ("a/../../rahasia.txt", 400),
                         ("C:/Windows", 400), ("nul\x00.txt", 400)):
        with pytest.raises(HTTPException) as caught:
            safe_path(inside, name)
        assert caught.value.status_code == status, name


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found.update(int(x) for x in text.split())
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.parametrize("when", ["starting", "building the edition files"])
def test_ctrl_c_stops_cleanly_and_removes_the_work_folder(tmp_path, when):
    source = copy_sample(tmp_path)
    before = _tree(source)
    temp = tmp_path / "temp"
    temp.mkdir()
    desk = start_desk(source, env={"TMPDIR": str(temp)})
    wait_for(lambda: list(temp.glob("publikasi-desk-*")), 30, "the work folder")
    workers: set[int] = set()
    if when != "starting":
        # the web pages are served and the PDF, EPUB and Word build is under way
        wait_for(lambda: (s := desk_state(desk))["generation"] and s["building"], 60,
                 "the second build")
        workers = _children(desk.proc.pid)
        assert workers
    desk.proc.send_signal(signal.SIGINT)
    assert desk.proc.wait(30) == 0
    err = desk.proc.stderr.read() if desk.proc.stderr else ""
    assert "Traceback" not in err and "error" not in err.lower(), err
    # the build process was interrupted and is gone; nothing is left anywhere
    wait_for(lambda: not any(_alive(pid) for pid in workers), 10, "the build process to end")
    assert not list(temp.iterdir())
    assert _tree(source) == before


# ---------------------------------------------------------------- edition page and its safety


def _edition_form(desk, release: str = "2025-46") -> dict[str, str]:
    page = fetch(desk, f"/edisi/{release}")
    assert page.status == 200
    found: dict[str, str] = {}
    for name, value in re.findall(r'name="(csrf_token|version|article)" value="([^"]*)"',
                                  page.text):
        found.setdefault(name, value)  # the first article's form
    return {**found, "move": "down"}


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_reorder_needs_csrf_and_same_origin_and_writes_nothing_otherwise(sample_desk):
    desk, source = sample_desk
    before = _tree(source)
    form = _edition_form(desk)
    path = "/edisi/2025-46/urutan"
    good = {"Origin": desk.origin, "Content-Type": FORM}
    cases = [
        ({**form, "csrf_token": ""}, good, 403),
        ({k: v for k, v in form.items() if k != "csrf_token"}, good, 403),
        ({**form, "csrf_token": form["csrf_token"] + "x"}, good, 403),
        (form, {**good, "Origin": "http://evil.example"}, 403),
        (form, {**good, "Origin": desk.origin.replace("127.0.0.1", "localhost")}, 403),
        (form, {"Content-Type": FORM}, 403),  # neither Origin nor Referer
        (form, {"Content-Type": FORM, "Referer": "http://evil.example/edisi/2025-46"}, 403),
        ({**form, "article": "../../../etc/passwd"}, good, 400),
        ({**form, "article": "/etc/passwd"}, good, 400),
        ({**form, "move": "sideways"}, good, 400),
        ({**form, "version": "0" * 64}, good, 409),  # the file changed since the page was shown
    ]
    for fields, headers, status in cases:
        reply = fetch(desk, path, "POST", form_body(fields), headers)
        assert reply.status == status, (fields, headers, reply.status, reply.text[:200])
    # a body over the limit is refused before it is read
    huge = form_body({**form, "pad": "x" * 3_000_000})
    assert fetch(desk, path, "POST", huge, good).status == 413
    # state changes only through POST
    assert fetch(desk, path + "?" + form_body(form).decode(), "GET").status in (404, 405)
    assert fetch(desk, "/edisi/..%2f..%2f..%2fetc/urutan", "POST", form_body(form),
                 good).status in (400, 404, 405)
    assert _tree(source) == before


def test_reorder_with_referer_from_the_desk_is_accepted(tmp_path):
    """The check is not simply 'refuse everything': a form of the desk itself works, and
    only the articles: lines of release.yaml change."""
    source = copy_sample(tmp_path)
    release_yaml = source / "2025-46" / "release.yaml"
    release_yaml.write_text("# edisi contoh\n" + release_yaml.read_text(encoding="utf-8")
                            + "articles: [bank-sampah-lesanpuro.md, cek-kesehatan-pasar-dinoyo.md,"
                            " expo-umkm-naik-kelas.md]  # urutan redaksi\nfeed: {items: 5}\n",
                            encoding="utf-8")
    before = _tree(source)
    with running_desk(source) as desk:
        form = _edition_form(desk)
        assert form["article"] == "bank-sampah-lesanpuro.md"
        reply = fetch(desk, "/edisi/2025-46/urutan", "POST", form_body(form),
                      {"Referer": desk.base + "/edisi/2025-46", "Content-Type": FORM})
        assert reply.status == 303
    after = _tree(source)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {"2025-46/release.yaml"} and set(after) == set(before)
    text = release_yaml.read_text(encoding="utf-8")
    assert text.startswith("# edisi contoh\n") and text.endswith(
        "articles:\n  - cek-kesehatan-pasar-dinoyo.md\n  - bank-sampah-lesanpuro.md\n"
        "  - expo-umkm-naik-kelas.md  # urutan redaksi\nfeed: {items: 5}\n")


def test_edition_zip_holds_the_files_a_build_makes(sample_desk, sample_dist):
    desk, _ = sample_desk
    wait_for(lambda: fetch(desk, "/edisi/2025-46/unduh.zip").status == 200, 120,
             "the edition's files")
    reply = fetch(desk, "/edisi/2025-46/unduh.zip")
    assert reply.headers["content-type"] == "application/zip"
    assert 'filename="2025-46.zip"' in reply.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(reply.body)) as archive:
        names = sorted(archive.namelist())
        built = sorted(f"2025-46/{p.relative_to(sample_dist / '2025-46')}"
                       for p in (sample_dist / "2025-46").rglob("*")
                       if p.suffix in (".pdf", ".epub", ".docx"))
        assert names == built and "2025-46/2025-46.pdf" in names
        # the same files `publikasi build` makes from the same source
        for name in names:
            assert archive.read(name) == (sample_dist / name).read_bytes(), name
    # The edition page offers them, the PDF to open in the browser.
    page = fetch(desk, "/edisi/2025-46").text
    assert 'href="/2025-46/2025-46.pdf">' in page and 'href="/2025-46/2025-46.epub" download' in page
    pdf = fetch(desk, "/2025-46/2025-46.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline")
    assert pdf.body == (sample_dist / "2025-46" / "2025-46.pdf").read_bytes()
    assert fetch(desk, "/edisi/tidak-ada/unduh.zip").status == 404
    # the feeds the pages link to (the sample has a base_url), read by a feed reader
    import feedparser

    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse(fetch(desk, f"/{name}").body)
        assert not feed.bozo and len(feed.entries) >= 10, name


def test_a_symlink_out_of_source_is_never_read(tmp_path):
    source = copy_sample(tmp_path)
    secret = tmp_path / "rahasia.md"
    secret.write_text("---\ntitle: Rahasia Negara\ndate: 2025-11-10\n---\nKATA-SANDI-BOCOR\n",
                      encoding="utf-8")
    (source / "2025-46" / "bocor.md").symlink_to(secret)
    (source / "images" / "bocor.jpg").symlink_to(secret)
    with running_desk(source) as desk:
        state = desk_state(desk)
        assert any("bocor.md" in line and "outside" in line for line in state["errors"]), state
        pages = [fetch(desk, path) for path in
                 ("/", "/edisi/2025-46", "/images/bocor.jpg", "/2025-46/bocor.md",
                  "/rahasia-negara/index.html", "/../rahasia.md", "/%2e%2e/rahasia.md")]
        for page in pages:
            assert b"KATA-SANDI-BOCOR" not in page.body and b"Rahasia Negara" not in page.body


def test_checked_upload_applies_the_builds_limits():
    import asyncio

    from publikasi.desk.security import checked_upload, upload_limit
    from starlette.datastructures import UploadFile
    from starlette.exceptions import HTTPException

    png = (ROOT / "samples" / "warta-malang" / "images" / "logo.png").read_bytes()

    def check(data: bytes, name: str, kind, **limits) -> int:
        upload = UploadFile(io.BytesIO(data), filename=name)
        try:
            asyncio.run(checked_upload(upload, kind, **limits))
        except HTTPException as exc:
            return exc.status_code
        return 200

    assert check(png, "logo.png", "image") == 200
    assert check(b"%!PS-Adobe-3.0 EPSF\n", "foto.jpg", "image") == 415
    assert check(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.svg", "image") == 415
    assert check(png, "logo.png", "image", image_bytes=len(png) - 1) == 413
    assert upload_limit("image") == 40_000_000
    assert check(b"PK\x03\x04" + b"\0" * 100, "editan.docx", "docx") == 200
    assert check(png, "editan.docx", "docx") == 415
    assert check(b"PK\x03\x04", "editan.zip", "docx") == 415


# ---------------------------------------------------------------- load


async def _get_all(port: int, path: str, count: int) -> list[tuple[int, bytes]]:
    """``count`` GET requests at once, each on its own connection."""
    import asyncio

    async def one() -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                     "Connection: close\r\n\r\n".encode("ascii"))
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 60)
        writer.close()
        head, _, body = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        if b"transfer-encoding: chunked" in head.lower():
            body = _unchunk(body)
        return status, body

    return list(await asyncio.gather(*(one() for _ in range(count))))


def _unchunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out


def test_200_concurrent_preview_requests_during_a_rebuild(tmp_path):
    """Every response is a whole page of one build: never an error, never a mix."""
    import asyncio

    source = copy_sample(tmp_path)
    article = source / "2025-47" / "uji-publik-rapbd.md"
    old = "Uji Publik RAPBD 2026: Pendidikan dan Kesehatan Tetap Jadi Prioritas"
    new = "Uji Publik RAPBD 2026: Warga Menyisir Anggaran Baris demi Baris"
    path = "/uji-publik-rapbd-2026/index.html"
    with running_desk(source) as desk:
        port = int(desk.host.rsplit(":", 1)[1])
        wait_for(lambda: not desk_state(desk)["building"], 120, "the first builds")
        article.write_text(article.read_text(encoding="utf-8").replace(old, new),
                           encoding="utf-8")
        titles_by_generation: dict[str, set[str]] = {}
        during_build = 0
        for _ in range(12):
            state = desk_state(desk)
            during_build += state["building"]
            for status, body in asyncio.run(_get_all(port, path, 200)):
                text = body.decode("utf-8")
                assert status == 200, text[:300]
                assert text.rstrip().endswith("</html>"), "a cut page"
                shown = re.search(r"<title>(.*?)</title>", text).group(1)
                assert shown.startswith((old, new)), shown
                generation = re.search(r'data-generation="(\d+)"', text).group(1)
                titles_by_generation.setdefault(generation, set()).add(shown)
            if not state["building"] and state["generation"] and any(
                    new in t for ts in titles_by_generation.values() for t in ts):
                break
        assert during_build, "no round of requests ran while the preview was rebuilding"
        # each build's pages are that build's: one title per generation, old then new
        assert all(len(titles) == 1 for titles in titles_by_generation.values()), \
            titles_by_generation
        seen = {t for titles in titles_by_generation.values() for t in titles}
        assert any(t.startswith(new) for t in seen)


def test_a_lone_release_and_a_lone_file(tmp_path):
    """A release folder: its edition page at /edisi/<slug>, the web edition's own
    edition page still at /edisi/index.html.  One article file: previewed too."""
    source = copy_sample(tmp_path, SAMPLE / "2025-47")
    with running_desk(source) as desk:
        assert not desk_state(desk)["errors"], desk_state(desk)
        page = fetch(desk, "/edisi/2025-47")
        assert page.status == 200 and 'action="/edisi/2025-47/urutan"' in page.text
        web_page = fetch(desk, "/edisi/index.html")
        assert web_page.status == 200 and "Edisi 47/2025" in web_page.text
        assert 'action="/edisi/2025-47/urutan"' not in web_page.text
    article = tmp_path / "satu" / "rilis-humas.txt"
    article.parent.mkdir()
    article.write_bytes((ROOT / "samples" / "rilis-humas.txt").read_bytes())
    with running_desk(article) as desk:
        state = desk_state(desk)
        assert state["generation"] and not state["errors"], state
        front = fetch(desk, "/")
        assert front.status == 200 and "Gerakan Tanam Pohon" in front.text
