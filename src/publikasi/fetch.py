"""Downloading remote pictures, only when the user passes ``--allow-remote``.

A build never touches the network on its own: a remote image URL in a source
is an error unless the command line allows it.  When it does, each URL is
fetched once over http(s) (redirects only to http(s)), with a deadline for
the whole download (connecting, redirects, headers and body: a server that
sends one byte a second is cut off when it passes), and at most
``max_bytes`` bytes; the file lands in a private temporary folder that the
build removes when it ends.
"""

from __future__ import annotations

import atexit
import hashlib
import http.client
import shutil
import socket
import ssl
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from . import __version__
from .urls import DOWNLOAD_SCHEMES, url_scheme

DEFAULT_TIMEOUT = 20.0


class FetchError(Exception):
    """Why a URL could not be downloaded (message without the URL)."""


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if url_scheme(newurl) not in DOWNLOAD_SCHEMES:
            raise FetchError(f"redirected to a non-http address {newurl!r}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Deadline:
    """Shuts down every socket of one download when its time is up.

    A socket timeout bounds each read, not the download: a server sending a
    byte just before each timeout would hold a build for ever.  Shutting the
    sockets down makes the blocked read return at once.
    """

    def __init__(self, seconds: float) -> None:
        self.passed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self.passed = True
            for sock in self._sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.passed:
                self._shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


class _WatchedHTTP(http.client.HTTPConnection):
    deadline: _Deadline | None = None

    def connect(self) -> None:
        super().connect()
        if self.deadline is not None:
            self.deadline.watch(self.sock)


class _WatchedHTTPS(http.client.HTTPSConnection):
    deadline: _Deadline | None = None

    def connect(self) -> None:
        super().connect()
        if self.deadline is not None:
            self.deadline.watch(self.sock)


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        conn = _WatchedHTTP(host, **kwargs)
        conn.deadline = self.deadline
        return conn

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        self.ssl_context = ssl.create_default_context()
        super().__init__(context=self.ssl_context)
        self.deadline = deadline

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        conn = _WatchedHTTPS(host, **kwargs)
        conn.deadline = self.deadline
        return conn

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req, context=self.ssl_context)


def _opener(deadline: _Deadline) -> urllib.request.OpenerDirector:
    # Built by hand instead of build_opener(): no file:, ftp: or data: handlers.
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), _HTTP(deadline), _HTTPS(deadline),
                    _HttpOnlyRedirects(), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


class RemoteFetcher:
    """Downloads URLs into a temporary folder; call :meth:`cleanup` when done."""

    def __init__(self, max_bytes: int = 40_000_000, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._dir: Path | None = None
        self._done: dict[str, Path] = {}

    def fetch(self, url: str, max_bytes: int | None = None, timeout: float | None = None
              ) -> Path:
        """The local copy of ``url``; raises :class:`FetchError`.

        ``max_bytes`` and ``timeout`` override the fetcher's defaults for this URL.
        """
        max_bytes = max_bytes or self.max_bytes
        timeout = timeout or self.timeout
        if url in self._done:
            return self._done[url]
        if url_scheme(url) not in DOWNLOAD_SCHEMES:
            raise FetchError("only http and https addresses can be downloaded")
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="publikasi-remote-"))
            # The pictures are needed until the exporters have run; a library
            # caller may forget cleanup(), so the process exit removes them too.
            atexit.register(self.cleanup)
        target = self._dir / hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
        deadline = _Deadline(timeout)
        too_slow = FetchError(f"download took longer than {timeout:g} s "
                              "(`limits: download_seconds`)")
        request = urllib.request.Request(url, headers={"User-Agent": f"publikasi/{__version__}"})
        try:
            with _opener(deadline).open(request, timeout=timeout) as resp:
                length = resp.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > max_bytes:
                    raise FetchError(f"the server announces {int(length):,} bytes, more than "
                                     f"the limit of {max_bytes:,}")
                got = 0
                with open(target, "wb") as fh:
                    while True:
                        chunk = resp.read1(65536)
                        if deadline.passed:
                            raise too_slow
                        if not chunk:
                            break
                        got += len(chunk)
                        if got > max_bytes:
                            raise FetchError(f"download is larger than the limit of "
                                             f"{max_bytes:,} bytes")
                        fh.write(chunk)
        except FetchError:
            target.unlink(missing_ok=True)
            raise
        except urllib.error.HTTPError as exc:
            target.unlink(missing_ok=True)
            if 300 <= exc.code < 400:
                if "infinite loop" in str(exc.reason):
                    raise FetchError(f"the server redirects in a loop (HTTP {exc.code}, "
                                     "more than 10 redirects or back to an address already "
                                     "visited)") from None
                if "not allowed" in str(exc.reason):  # urllib's own check: file:, data: ...
                    raise FetchError(f"the server redirected to a non-http address, which "
                                     f"may not be downloaded (HTTP {exc.code})") from None
                raise FetchError(f"the server answered HTTP {exc.code} without an address "
                                 "to follow") from None
            raise FetchError(f"the server answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            target.unlink(missing_ok=True)
            if deadline.passed:
                raise too_slow from None
            reason = getattr(exc, "reason", None) or exc
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                raise FetchError(f"no answer within {timeout:g} s") from None
            raise FetchError(f"download failed ({reason})") from None
        finally:
            deadline.cancel()
        self._done[url] = target
        return target

    def cleanup(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
            self._done.clear()
