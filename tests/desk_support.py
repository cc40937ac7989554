"""Helpers for the desk's tests: a real ``publikasi serve`` in a child process.

``running_desk(source)`` starts the command exactly as a user would (with
``--no-open``), waits for its ``Serving on URL`` line and stops it with
Ctrl-C (SIGINT to its process id) at the end.  ``fetch(...)`` makes one plain
HTTP request with the standard library, so a test sees status codes and
headers exactly as sent.
"""

from __future__ import annotations

import contextlib
import http.client as httpclient
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "warta-malang"
SERVING = re.compile(r"^Serving on (http://\S+)$")


@dataclass
class Desk:
    proc: subprocess.Popen
    url: str  # as printed (with ?token=... when there is one)
    lines: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def origin(self) -> str:
        return self.base

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


def copy_sample(dest: Path, sample: Path = SAMPLE) -> Path:
    target = dest / sample.name
    shutil.copytree(sample, target)
    return target


def start_desk(source: Path, *args: str, env: dict[str, str] | None = None,
               timeout: float = 60) -> Desk:
    full_env = dict(os.environ)
    full_env.pop("SOURCE_DATE_EPOCH", None)
    full_env.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "publikasi", "serve", str(source),
                             "--port", "0", "--no-open", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=full_env)
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    try:
        while time.monotonic() < deadline:
            if not selector.select(deadline - time.monotonic()):
                break
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line.rstrip("\n"))
            match = SERVING.match(seen[-1])
            if match:
                return Desk(proc, match.group(1), seen)
    finally:
        selector.close()
    proc.kill()
    _, err = proc.communicate()
    raise AssertionError(f"the desk did not start: {seen} {err}")


@contextlib.contextmanager
def running_desk(source: Path, *args: str, env: dict[str, str] | None = None,
                 ready: bool = True) -> Iterator[Desk]:
    """A running desk; with ``ready``, after its first preview build has finished."""
    desk = start_desk(source, *args, env=env)
    try:
        if ready:
            wait_for(lambda: desk_state(desk)["generation"] > 0 or desk_state(desk)["errors"],
                     60, "the first preview build")
        yield desk
    finally:
        desk.stop()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def fetch(desk: Desk, path: str, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None, timeout: float = 30) -> Reply:
    parts = urlsplit(desk.base)
    conn = httpclient.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


def desk_state(desk: Desk, headers: dict[str, str] | None = None) -> dict:
    """The first message of the desk's event stream: the preview's state."""
    import json

    parts = urlsplit(desk.base)
    conn = httpclient.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", "/_desk/events", headers=headers or {})
        response = conn.getresponse()
        assert response.status == 200, response.status
        while True:
            line = response.fp.readline().decode("utf-8")
            if line.startswith("data: "):
                return json.loads(line[6:])
    finally:
        conn.close()


def wait_for(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def form_body(fields: dict[str, str]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode("ascii")


FORM = "application/x-www-form-urlencoded"
