"""`publikasi serve`: the command, the preview over HTTP, the safety rules.

Each test runs the real command in a child process (tests/desk_support.py)
and talks to it over loopback HTTP.  The browser tests are in
test_desk_browser.py.
"""

from __future__ import annotations

import signal

import pytest
from conftest import run_cli
from desk_support import copy_sample, desk_state, fetch, running_desk, start_desk, wait_for


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


def test_ctrl_c_stops_cleanly_and_removes_the_work_folder(tmp_path):
    source = copy_sample(tmp_path)
    temp = tmp_path / "temp"
    temp.mkdir()
    desk = start_desk(source, env={"TMPDIR": str(temp)})
    # Stop during the first build: the child build is interrupted, nothing is left.
    wait_for(lambda: list(temp.glob("publikasi-desk-*")), 30, "the work folder")
    desk.proc.send_signal(signal.SIGINT)
    assert desk.proc.wait(30) == 0
    err = desk.proc.stderr.read() if desk.proc.stderr else ""
    assert "Traceback" not in err
    assert not list(temp.glob("publikasi-desk-*"))
    assert not list(source.rglob(".publikasi-tmp-*"))
