"""Downloading remote pictures, only when the user passes ``--allow-remote``.

A build never touches the network on its own: a remote image URL in a source
is an error unless the command line allows it.  When it does, each URL is
fetched once over http(s) (redirects only to http(s)), with a per-read
timeout and an overall deadline, and at most ``max_bytes`` bytes; the file
lands in a private temporary folder that the build removes when it ends.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

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


def _opener() -> urllib.request.OpenerDirector:
    # Built by hand instead of build_opener(): no file:, ftp: or data: handlers.
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(),
                    urllib.request.HTTPSHandler(), _HttpOnlyRedirects(),
                    urllib.request.HTTPDefaultErrorHandler(),
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
        deadline = time.monotonic() + timeout
        request = urllib.request.Request(url, headers={"User-Agent": f"publikasi/{__version__}"})
        try:
            with _opener().open(request, timeout=timeout) as resp:
                length = resp.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > max_bytes:
                    raise FetchError(f"the server announces {int(length):,} bytes, more than "
                                     f"the limit of {max_bytes:,}")
                got = 0
                with open(target, "wb") as fh:
                    while True:
                        if time.monotonic() > deadline:
                            raise FetchError(f"download took longer than {timeout:g} s")
                        chunk = resp.read(65536)
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
                raise FetchError(f"the server redirected to an address that may not be "
                                 f"downloaded (HTTP {exc.code})") from None
            raise FetchError(f"the server answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            target.unlink(missing_ok=True)
            reason = getattr(exc, "reason", None) or exc
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                raise FetchError(f"no answer within {timeout:g} s") from None
            raise FetchError(f"download failed ({reason})") from None
        self._done[url] = target
        return target

    def cleanup(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
            self._done.clear()
