"""``publikasi serve``: run the desk under uvicorn until Ctrl-C.

The socket is bound and listening before ``Serving on …`` is printed, so a
script (or a test) that waits for that line can connect at once.  Ctrl-C
(or SIGTERM) stops the desk cleanly: open event streams end, a preview
build under way is interrupted and rolls back (it runs in a child process
with the build's own atomic output), the preview's work folder is removed,
and the command exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import signal
import socket
import sys
import threading
import webbrowser
from pathlib import Path
from types import FrameType

import uvicorn

from ..errors import fail
from .security import LOOPBACK, DeskSecurity, new_secret, url

DEFAULT_PORT = 8765
SOURCE_SUFFIXES = (".md", ".txt")


def check_source(source: Path) -> None:
    """InputError unless ``source`` is something ``publikasi build`` takes."""
    if not source.exists():
        raise fail(source, "not found")
    if source.is_dir():
        if not any((source / name).is_file() for name in ("release.yaml", "publication.yaml")):
            raise fail(source, "is not a release or publication folder (it has no "
                       "release.yaml or publication.yaml)")
    elif source.suffix.lower() not in SOURCE_SUFFIXES:
        raise fail(source, "a source file must be a .md or .txt article")


def bind(host: str, port: int, explicit_port: bool) -> socket.socket:
    """A listening socket on ``host:port`` (another free port when the default
    one is taken and no port was asked for)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise fail("--host", f"cannot use {host!r}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    for attempt in (port, 0):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address[0], attempt, *address[2:]))
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE and not explicit_port and attempt != 0:
                continue
            raise fail("--port", f"cannot listen on {host}:{attempt}: "
                       f"{exc.strerror or exc}") from None
        sock.listen(2048)
        sock.set_inheritable(False)
        return sock
    raise AssertionError("unreachable")


class DeskServer(uvicorn.Server):
    """uvicorn's server; Ctrl-C also ends the desk's event streams, and the
    signal is not raised again afterwards (stopping is the normal way out)."""

    def __init__(self, config: uvicorn.Config, stopping: asyncio.Event) -> None:
        super().__init__(config)
        self.stopping = stopping

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().call_soon_threadsafe(self.stopping.set)


def _has_display() -> bool:
    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def serve(source: Path, *, host: str = LOOPBACK, port: int | None = None,
          open_browser: bool = True) -> int:
    from .app import create_app, work_folder

    # Ctrl-C from the start stops the desk the same clean way: before uvicorn
    # takes the signals over, it is remembered, and the server then starts,
    # finds it should exit, and stops (removing what it made).
    servers: list[DeskServer] = []
    early: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if servers:
            servers[0].handle_exit(signum, frame)
        else:
            early.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    sock: socket.socket | None = None
    work: Path | None = None
    try:
        check_source(source)
        sock = bind(host, DEFAULT_PORT if port is None else port,
                    explicit_port=port is not None)
        token = None if host == LOOPBACK else new_secret()
        work = work_folder(source)
        app = create_app(source, token=token, host=host, port=sock.getsockname()[1],
                         work=work)
        security: DeskSecurity = app.state.security
        address = url(security)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                timeout_graceful_shutdown=5)
        servers.append(DeskServer(config, app.state.desk.stopping))
        servers[0].should_exit = bool(early)
        print(f"Serving on {address}", flush=True)
        if open_browser and _has_display():
            threading.Thread(target=webbrowser.open, args=(address,), daemon=True).start()
        servers[0].run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if sock is not None:
            sock.close()
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return 0
