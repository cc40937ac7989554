"""``/tempel`` and ``/impor`` over HTTP: a real ``publikasi serve`` in a child process.

Status codes and what is on disk afterwards: every POST without the CSRF
token or from another origin is 403 and writes nothing; release names that
climb, are absolute or lead out through a symlink are 400 and write nothing;
uploads over the build's limits are 413, of another type 415; a second tab
saving the same file gets a conflict (409), replacing a file needs the
confirmation; the Word loop's accept writes the source unless it changed.
"""

from __future__ import annotations

import html
import re
import shutil
import uuid
from pathlib import Path

import pytest
from conftest import run_cli
from desk_paste_support import RELEASE_TEXT, RIGHT_TITLE, WRONG_TITLE, copy_publication, tree
from desk_support import fetch, running_desk
from test_desk_wordloop import BANK, python_docx_edit

SLUG = "pasar-tani-blimbing-dibuka-tiap-sabtu-pgi"


def multipart(fields: list[tuple[str, str | tuple[str, bytes, str]]]) -> tuple[bytes, str]:
    """A multipart/form-data body (value: text, or (file name, bytes, type))."""
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in fields:
        out += f"--{boundary}\r\n".encode()
        if isinstance(value, tuple):
            filename, data, kind = value
            out += (f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {kind}\r\n\r\n").encode()
            out += data
        else:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            out += value.encode("utf-8")
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


class Client:
    """Posts like the desk's own pages do (same origin, the page's csrf_token)."""

    def __init__(self, desk) -> None:
        self.desk = desk
        page = fetch(desk, "/tempel")
        assert page.status == 200
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def post(self, path: str, fields: list, *, csrf: bool = True, origin: str | None = "",
             referer: str | None = None):
        if csrf:
            fields = [("csrf_token", self.csrf), *fields]
        body, kind = multipart(fields)
        headers = {"Content-Type": kind}
        if origin is not None:
            headers["Origin"] = origin or self.desk.origin
        if referer is not None:
            headers["Referer"] = referer
        return fetch(self.desk, path, "POST", body, headers, timeout=120)


def value_of(page: str, name: str) -> str:
    m = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert m, f"no field {name}"
    return html.unescape(m.group(1))


def save_fields(page: str, release: str = "2025-47", **edits: str) -> list:
    """The fields a browser would send from a result page, with ``edits``."""
    fields: list = [("release", release), ("text", RELEASE_TEXT), ("html", "")]
    for key in ("title", "date", "dateline", "byline", "section", "target", "target_state"):
        fields.append((key, edits.pop(key, value_of(page, key))))
    fields.append(("authors", ""))
    for name in re.findall(r'name="(blocks\.\d+\.(?:credit))"', page):
        fields.append((name, value_of(page, name)))
    fields.extend(edits.items())
    return fields


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    root = tmp_path_factory.mktemp("desk-paste-http")
    source = copy_publication(root)
    outside = root / "outside"
    outside.mkdir()
    (outside / "release.yaml").write_text("title: Luar\ndate: 2025-11-20\n", encoding="utf-8")
    with running_desk(source, ready=False) as running:
        yield running, source, outside


def test_paste_page_and_fields_named_like_inspect(desk):
    running, source, _ = desk
    page = fetch(running, "/tempel")
    assert page.status == 200
    assert re.search(r'<label for="text">[^<]+</label>\s*<textarea id="text" name="text"',
                     page.text)
    assert 'type="hidden" name="csrf_token"' in page.text
    assert '<option value="2025-47">' in page.text and '<option value="2025-46">' in page.text
    client = Client(running)
    undated = RELEASE_TEXT.replace(", Sabtu (15/11/2025)", "")
    before = tree(source)
    reply = client.post("/tempel", [("release", "2025-47"), ("text", undated), ("html", "")])
    assert reply.status == 200, reply.text
    assert tree(source) == before  # reading writes nothing
    assert value_of(reply.text, "title") == WRONG_TITLE
    assert value_of(reply.text, "date") == "2025-11-17"
    assert value_of(reply.text, "dateline") == "Blimbing"
    assert value_of(reply.text, "byline") == "rin/ag"
    assert 'name="section"' in reply.text and 'name="authors"' in reply.text
    assert re.search(r'name="blocks\.\d+\.caption"', reply.text)
    assert re.search(r'name="blocks\.\d+\.src"', reply.text)  # caption only: upload a photo
    # The date guess is marked, with the reason, and tied to its field.
    assert 'aria-describedby="help-date guess-date"' in reply.text
    assert "tanggal diambil dari tanggal edisi (2025-11-17)" in reply.text


def test_every_post_needs_the_token_and_the_origin(desk):
    running, source, _ = desk
    client = Client(running)
    before = tree(source)
    posts = {
        "/tempel": [("release", "2025-47"), ("text", RELEASE_TEXT)],
        "/tempel/simpan": [("release", "2025-47"), ("text", RELEASE_TEXT),
                           ("title", RIGHT_TITLE), ("target", f"{SLUG}.md"),
                           ("target_state", "absent")],
        "/impor": [("docx", ("x.docx", b"PK\x03\x04", "application/octet-stream"))],
        "/impor/terima": [("token", "whatever")],
    }
    for path, fields in posts.items():
        assert client.post(path, fields, csrf=False).status == 403, path
        wrong = [("csrf_token", "not-the-token"), *fields]
        assert client.post(path, wrong, csrf=False).status == 403, path
        assert client.post(path, fields, origin="http://evil.example").status == 403, path
        assert client.post(path, fields, origin=None).status == 403, path  # neither header
        assert client.post(path, fields, origin=None,
                           referer="http://evil.example/tempel").status == 403, path
    for path in ("/tempel/simpan", "/impor/terima"):  # a reload: back to the form
        reply = fetch(running, path)
        assert reply.status == 303 and reply.headers["location"] == path.rsplit("/", 1)[0]
    assert tree(source) == before


def test_release_names_that_leave_source_are_refused(desk):
    running, source, outside = desk
    link = source / "keluar"
    link.symlink_to(outside, target_is_directory=True)
    client = Client(running)
    before = tree(source)
    outside_before = tree(outside)
    try:
        for bad in ("..", "../outside", "%2e%2e", "%2e%2e/outside", "/etc", str(outside),
                    "keluar", "2025-47/..", "2025-47/../../outside", ""):
            for path in ("/tempel", "/tempel/simpan"):
                reply = client.post(path, save_fields(_result(client), release=bad)
                                    if path.endswith("simpan") else
                                    [("release", bad), ("text", RELEASE_TEXT)])
                assert reply.status == 400, (bad, path, reply.status)
    finally:
        link.unlink()
    assert tree(source) == before and tree(outside) == outside_before


def _result(client: Client, text: str = RELEASE_TEXT) -> str:
    reply = client.post("/tempel", [("release", "2025-47"), ("text", text)])
    assert reply.status == 200
    return reply.text


def test_save_conflict_confirmation_and_symlinked_target(desk):
    running, source, outside = desk
    client = Client(running)
    page = _result(client, RELEASE_TEXT.replace("Pasar Tani", "Pasar Buah"))
    target = source / "2025-47" / "pasar-buah-blimbing-dibuka-tiap-sabtu-pgi.md"
    # Two tabs showed the same result; the first saves, the second gets a conflict.
    fields = save_fields(page, text=None)
    fields = [(k, v) for k, v in fields if k != "text"] + [
        ("text", RELEASE_TEXT.replace("Pasar Tani", "Pasar Buah"))]
    first = client.post("/tempel/simpan", fields)
    assert first.status == 200 and "Disimpan: 2025-47/" in first.text, first.text
    saved = target.read_bytes()
    second = client.post("/tempel/simpan", [*fields[:-1], ("byline", "xx"), fields[-1]])
    assert second.status == 409 and "berubah sejak halaman ini dibuka" in second.text
    assert target.read_bytes() == saved
    # The conflict page knows the file now: saving again asks for the confirmation ...
    again = save_fields(second.text, byline="xx")
    again = [(k, v) for k, v in again if k != "text"] + [fields[-1]]
    third = client.post("/tempel/simpan", again)
    assert third.status == 409 and 'name="confirm"' in third.text
    assert target.read_bytes() == saved
    # ... and with it the file is replaced (the old one kept in the history).
    fourth = client.post("/tempel/simpan", [*again, ("confirm", "yes")])
    assert fourth.status == 200, fourth.text
    assert "byline: xx" in target.read_text(encoding="utf-8")
    assert any(p.read_bytes() == saved
               for p in (source / "2025-47" / ".publikasi" / "history").iterdir())
    # A target that is a symlink out of the release: refused, the outside file untouched.
    victim = outside / "korban.md"
    victim.write_text("keep\n", encoding="utf-8")
    link = source / "2025-47" / f"{SLUG}.md"
    link.symlink_to(victim)
    try:
        page = _result(client)
        reply = client.post("/tempel/simpan", [*save_fields(page), ("confirm", "yes")])
        assert reply.status == 400 and "outside" in reply.text
        assert victim.read_text(encoding="utf-8") == "keep\n"
    finally:
        link.unlink()


def _png(size=(60, 40)) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (20, 160, 90)).save(buf, "PNG")
    return buf.getvalue()


def test_photo_upload_limits(desk):
    running, source, _ = desk
    client = Client(running)
    page = _result(client)
    index = re.search(r'name="blocks\.(\d+)\.src"', page).group(1)
    before = tree(source)
    from publikasi.images import MAX_BYTES

    big = _png() + b"\0" * (MAX_BYTES + 10)
    reply = client.post("/tempel/simpan", [*save_fields(page),
                                           (f"blocks.{index}.src", ("besar.png", big,
                                                                   "image/png"))])
    assert reply.status == 413
    reply = client.post("/tempel/simpan", [*save_fields(page),
                                           (f"blocks.{index}.src", ("foto.png", b"%PDF-1.7",
                                                                   "image/png"))])
    assert reply.status == 415
    assert tree(source) == before
    reply = client.post("/tempel/simpan", [*save_fields(page),
                                           (f"blocks.{index}.src", ("foto.png", _png(),
                                                                   "image/png"))])
    assert reply.status == 200, reply.text
    written = source / "2025-47" / f"{SLUG}.md"
    assert f"](<images/{SLUG}-foto-{index}.png>" in written.read_text(encoding="utf-8")
    written.unlink()
    (source / "2025-47" / "images" / f"{SLUG}-foto-{index}.png").unlink()


@pytest.fixture(scope="module")
def word_files(desk, tmp_path_factory) -> dict[str, Path]:
    _, source, _ = desk
    out = tmp_path_factory.mktemp("desk-paste-docx")
    proc = run_cli("build", source, "-f", "docx", "-o", out / "dist")
    assert proc.returncode == 0, proc.stderr
    built = {p.stem: p for p in (out / "dist").rglob("docx/*.docx")}
    edited = python_docx_edit(built[BANK], out / "editan.docx", "7,1 ton", "7,6 ton")
    return {"edited": edited, "pristine": built[BANK]}


def test_word_loop_over_http(desk, word_files):
    running, source, _ = desk
    client = Client(running)
    target = source / "2025-46" / "bank-sampah-lesanpuro.md"
    original = target.read_bytes()
    before = tree(source)
    docx = word_files["edited"].read_bytes()
    kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    # Not a Word file, too large: 415 / 413, nothing written.
    assert client.post("/impor", [("docx", ("x.docx", b"%PDF-1.7", kind))]).status == 415
    assert client.post("/impor", [("docx", ("x.pdf", docx, "application/pdf"))]).status == 415
    empty_zip = b"PK\x05\x06" + b"\0" * 18
    assert client.post("/impor", [("docx", ("x.docx", b"PK\x03\x04" + empty_zip, kind))]
                       ).status == 415
    from publikasi.source import MAX_SOURCE_BYTES

    huge = docx + b"\0" * (MAX_SOURCE_BYTES + 10)
    assert client.post("/impor", [("docx", ("x.docx", huge, kind))]).status == 413
    assert tree(source) == before
    # The diff, then a change on disk: the accept is a conflict and writes nothing.
    shown = client.post("/impor", [("docx", ("editan.docx", docx, kind))])
    assert shown.status == 200, shown.text
    assert tree(source) == before
    assert "7,1 ton" in shown.text and "7,6 ton" in shown.text
    assert 'class="desk-diff"' in shown.text
    token = value_of(shown.text, "token")
    target.write_bytes(original.replace(b"Lesanpuro", b"Lesanpuro "))
    changed = tree(source)
    conflict = client.post("/impor/terima", [("token", token)])
    assert conflict.status == 409 and "Tidak ada yang ditulis" in conflict.text
    assert tree(source) == changed
    target.write_bytes(original)
    # A fresh diff, accepted: the source has the edit; the token is used up.
    shown = client.post("/impor", [("docx", ("editan.docx", docx, kind))])
    token = value_of(shown.text, "token")
    done = client.post("/impor/terima", [("token", token)])
    main = done.text[done.text.index("<main"):]
    assert done.status == 200 and "Sumber diperbarui: 2025-46/bank-sampah-lesanpuro.md" in main, main
    assert "7,6 ton" in target.read_text(encoding="utf-8")
    assert client.post("/impor/terima", [("token", token)]).status == 404
    # Nothing of the upload is left in SOURCE.
    assert not list(source.rglob("*.docx"))
    target.write_bytes(original)


def test_english_publication_gets_english_pages(tmp_path):
    source = copy_publication(tmp_path)
    pub = source / "publication.yaml"
    pub.write_text(pub.read_text(encoding="utf-8").replace("language: id", "language: en"),
                   encoding="utf-8")
    shutil.rmtree(source / "2025-46")
    with running_desk(source) as running:
        page = fetch(running, "/tempel")
        assert '<html lang="en">' in page.text and "Paste a release" in page.text
        assert "Word import" in fetch(running, "/impor").text
