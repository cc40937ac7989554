"""The build cache: content-hash keyed results that make rebuilds incremental.

Three kinds of entries live under one folder (see :func:`resolve_cache_dir`):

``outputs/``
    the files one exporter task wrote (an edition PDF, one article's DOCX,
    a feed ...) as a manifest of ``(path, sha256)`` pairs, plus the warnings
    the task emitted, keyed by everything the task reads (see
    :mod:`publikasi.parallel`); the bytes themselves are in ``blobs/``,
    stored once per content.
``images/``
    pictures prepared by :class:`CachedImageStore` (keyed by the picture's
    bytes, the profile and the image limits).
``sources/``
    parsed article files (keyed by the file's bytes and the reading context).

Every key also holds :func:`environment_key`: publikasi's version and the
hash of its own code, the versions of the libraries it depends on and the
Python version, so an upgrade never serves bytes an older build made.

The folder is not trusted (docs/safety.md): entries are JSON data, never
pickles; each is sealed with an HMAC over its kind, its key and its bytes,
keyed by :func:`cache_secret` (kept outside the folder); every blob is
checked against its sha256 and every restored path must stay inside the
output folder.  A damaged, planted, edited or moved entry is rejected and
rebuilt (the build warns once), never an error.  Writes go to a temporary
file and are renamed into place, so builds may share a cache folder.  The
folder can be deleted at any time.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import hmac
import os
import secrets
import stat
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .atomic import write_atomic
from .errors import InputError
from .manifest import safe_relpath
from .regular import read_regular

if TYPE_CHECKING:
    from .errors import Problem
    from .images import PreparedImage
    from .model import Article
    from .readers.common import ReadContext
    from .source import ArticleReader
    from .themes import Theme

ENV_VAR = "PUBLIKASI_CACHE_DIR"
SCHEMA = "1"  # bump when the layout of entries changes


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/publikasi``, else ``~/.cache/publikasi``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "publikasi"


def resolve_cache_dir(option: Path | str | None = None) -> Path:
    """The cache folder: ``--cache-dir``, else ``$PUBLIKASI_CACHE_DIR``, else the default."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env).expanduser() if env else default_cache_dir()


KEY_ENV_VAR = "PUBLIKASI_CACHE_KEY"


def secret_file() -> Path:
    """``$XDG_CONFIG_HOME/publikasi/cache-key``, else ``~/.config/publikasi/cache-key``."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".config") / "publikasi" / "cache-key"


@functools.cache
def cache_secret() -> bytes:
    """The key that seals cache entries: ``$PUBLIKASI_CACHE_KEY``, else :func:`secret_file`.

    The file is made (32 random bytes, mode 0600) on first use.  It lives
    outside the cache folder on purpose: whoever can write the cache but not
    this key cannot make an entry the build accepts.  A machine that shares a
    cache (CI restoring it) shares the key through the environment variable.
    Without a usable file, a key for this process only: nothing is reused
    across runs, nothing fails.
    """
    env = os.environ.get(KEY_ENV_VAR, "")
    if env:
        return env.encode("utf-8", "surrogatepass")
    path = secret_file()
    for _ in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as fh:
                key = fh.read(4096).strip()
            if len(key) >= 32:
                return key
            break  # too short to be one we made: do not use it, do not replace it
        except FileNotFoundError:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(secrets.token_hex(32).encode("ascii") + b"\n")
            except FileExistsError:
                continue  # another build made it meanwhile: read theirs
            except OSError:
                break
        except OSError:
            break
    return secrets.token_hex(32).encode("ascii")


# ---------------------------------------------------------------- keys


def digest(*parts: object) -> str:
    """sha256 over the ``repr`` of each part (reprs of the model are complete and stable)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


@functools.cache
def environment_key() -> str:
    """What every cached result depends on besides its own inputs."""
    h = hashlib.sha256()
    h.update(f"{SCHEMA}|{__version__}|{sys.version_info[:2]}".encode())
    package = Path(__file__).resolve().parent
    # The code itself: a development checkout changes without a version bump.
    for path in sorted(package.rglob("*.py")):
        h.update(str(path.relative_to(package)).encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    h.update(repr(sorted(_dependency_versions().items())).encode())
    return h.hexdigest()


def _dependency_versions() -> dict[str, str]:
    from importlib import metadata

    names = ["python-docx", "reportlab", "EbookLib", "feedgen", "Pillow", "lxml",
             "markdown-it-py", "Babel", "PyYAML", "fonttools"]
    try:
        for req in metadata.requires("publikasi") or []:
            if "extra ==" not in req:
                names.append(req.split(";")[0].split("[")[0].split("<")[0].split(">")[0]
                             .split("=")[0].split("!")[0].split("~")[0].strip())
    except metadata.PackageNotFoundError:  # running from a source tree
        pass
    out = {}
    for name in sorted(set(names)):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes (``"missing"`` when it cannot be read)."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return "missing"


def theme_key(theme: Theme) -> str:
    """The theme's name, paper override, merged settings and every file in its chain."""
    h = hashlib.sha256()
    h.update(repr((theme.name, theme.paper_override, theme.config)).encode())
    for folder in theme.chain:
        h.update(b"\x01" + str(folder).encode())
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts:
                continue
            h.update(str(path.relative_to(folder)).encode() + b"\x00")
            h.update(file_digest(path).encode())
    return h.hexdigest()


# ---------------------------------------------------------------- storage



@dataclasses.dataclass(frozen=True)
class OutputEntry:
    """What one exporter task produced: files (relative path, sha256) and warnings."""

    files: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]


class BuildCache:
    """One cache folder.  ``stats`` counts hits and misses per kind of entry.

    The folder is untrusted (it may be shared, or restored from CI): entries
    are JSON data (never pickles), sealed with an HMAC keyed by a secret kept
    outside the folder (:func:`cache_secret`) and bound to the entry's key, so
    an entry that was edited, planted or moved to another key is rejected;
    ``stats["rejected"]`` counts those and the build rebuilds them.
    """

    def __init__(self, root: Path | str, secret: bytes | None = None, flat: bool = False) -> None:
        self.root = Path(root)
        self.base = self.root / f"v{SCHEMA}"
        self.stats: Counter[str] = Counter()
        self.secret = secret if secret is not None else cache_secret()
        # flat: every entry of a kind in one folder, for a folder that lives
        # for one build (its removal then deletes a few folders, not hundreds).
        self.flat = flat

    def _path(self, kind: str, key: str, suffix: str = "") -> Path:
        if self.flat:
            return self.base / kind / f"{key}{suffix}"
        return self.base / kind / key[:2] / f"{key}{suffix}"

    def _read(self, kind: str, key: str, suffix: str = "") -> bytes | None:
        path = self._path(kind, key, suffix)
        try:
            # Non-blocking: a FIFO planted in the cache must not hang the build.
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError:  # a symlink, a folder, no permission: not an entry we wrote
            self.stats["rejected"] += 1
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                self.stats["rejected"] += 1
                return None
            os.set_blocking(fd, True)
            with os.fdopen(fd, "rb") as fh:
                return fh.read()
        except OSError:
            self.stats["rejected"] += 1
            return None

    def _write(self, kind: str, key: str, data: bytes, suffix: str = "") -> None:
        try:
            write_atomic(self._path(kind, key, suffix), data)
        except OSError:
            # A full disk or a read-only cache must not fail the build.
            self.stats["write_errors"] += 1

    def _mac(self, kind: str, key: str, body: bytes) -> bytes:
        return hmac.new(self.secret, f"{SCHEMA}\x00{kind}\x00{key}\x00".encode() + body,
                        hashlib.sha256).hexdigest().encode()

    def _get_sealed(self, kind: str, key: str) -> Any | None:
        """The JSON data of an entry whose seal holds; None for a miss or a rejected entry."""
        raw = self._read(kind, key, ".json")
        if raw is None:
            return None
        mac, _, body = raw.partition(b"\n")
        if not hmac.compare_digest(mac, self._mac(kind, key, body)):
            self.stats["rejected"] += 1
            return None
        try:
            return json.loads(body)
        except ValueError:
            self.stats["rejected"] += 1
            return None

    def _put_sealed(self, kind: str, key: str, data: Any) -> None:
        # ASCII: file names may hold lone surrogates, which UTF-8 cannot.
        body = json.dumps(data, separators=(",", ":")).encode("ascii")
        self._write(kind, key, self._mac(kind, key, body) + b"\n" + body, ".json")

    def _reject(self) -> None:
        self.stats["rejected"] += 1

    # -- up-to-date stamps (publikasi.stamp) ----------------------------------

    def get_stamp(self, key: str) -> Any | None:
        return self._get_sealed("stamps", key)

    def put_stamp(self, key: str, data: Any) -> None:
        self._put_sealed("stamps", key, data)

    # -- blobs ---------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self._path("blobs", sha).is_file():
            self._write("blobs", sha, data)
        return sha

    def get_blob(self, sha: str) -> bytes | None:
        data = self._read("blobs", sha)
        if data is not None and hashlib.sha256(data).hexdigest() != sha:
            self._reject()
            return None
        return data

    # -- exporter outputs ----------------------------------------------------

    def get_output(self, key: str) -> tuple[OutputEntry, list[bytes]] | None:
        """The entry and the bytes of each of its files, or None (a miss).

        Every path must be a plain relative path (no ``..``, not absolute, not
        publikasi's own bookkeeping): an entry naming any other is rejected.
        """
        data = self._get_sealed("outputs", key)
        entry = None
        if data is not None:
            try:
                entry = OutputEntry(tuple((str(r), str(s)) for r, s in data["files"]),
                                    tuple(str(w) for w in data["warnings"]))
            except (ValueError, KeyError, TypeError):
                entry = None
            if entry is None or any(safe_relpath(rel) != rel for rel, _ in entry.files):
                self._reject()
                entry = None
        blobs: list[bytes] = []
        if entry is not None:
            for _, sha in entry.files:
                blob = self.get_blob(sha)
                if blob is None:
                    entry = None
                    break
                blobs.append(blob)
        self.stats["output_hits" if entry else "output_misses"] += 1
        return (entry, blobs) if entry else None

    def put_output(self, key: str, staging: Path, files: Iterable[str],
                   warnings: Iterable[str]) -> None:
        """Remember the files (relative to ``staging``) a task wrote, and its warnings."""
        pairs = []
        for rel in files:
            try:
                data = (staging / rel).read_bytes()
            except OSError:
                return  # something removed it: do not remember half a result
            pairs.append((rel, self.put_blob(data)))
        self.put_output_bytes(key, pairs, warnings)

    def put_output_bytes(self, key: str, files: Iterable[tuple[str, str]],
                         warnings: Iterable[str]) -> None:
        self._put_sealed("outputs", key, {"files": [list(p) for p in files],
                                          "warnings": list(warnings)})

    # -- prepared images -----------------------------------------------------

    def get_image(self, key: str) -> PreparedImage | None:
        from .images import PreparedImage

        data = self._get_sealed("images", key)
        img = None
        if data is not None:
            try:
                blob = self.get_blob(str(data["blob"]))
                if blob is not None:
                    img = PreparedImage(blob, str(data["mime"]), int(data["width"]),
                                        int(data["height"]), str(data["digest"]))
            except (KeyError, TypeError, ValueError):
                self._reject()
            if img is not None and (img.mime not in ("image/jpeg", "image/png") or
                                    hashlib.sha256(img.data).hexdigest()[:16] != img.digest):
                self._reject()
                img = None
        self.stats["image_hits" if img else "image_misses"] += 1
        return img

    def put_image(self, key: str, img: PreparedImage) -> None:
        self._put_sealed("images", key, {
            "blob": self.put_blob(img.data), "mime": img.mime, "width": img.width,
            "height": img.height, "digest": img.digest})

    # -- parsed sources ------------------------------------------------------

    def get_source(self, key: str) -> tuple[list[Article], list[Problem]] | None:
        from .errors import Problem
        from .model import Article
        from .serialize import from_data

        data = self._get_sealed("sources", key)
        found = None
        if data is not None:
            try:
                articles = list(from_data(data["articles"]))
                warnings = [Problem(str(f), str(m), None if n is None else int(n))
                            for f, m, n in data["warnings"]]
                stamps = [(str(p), None if s is None else (int(s[0]), int(s[1])))
                          for p, s in data["stamps"]]
                if not all(isinstance(a, Article) for a in articles):
                    raise TypeError("not an article")
            except Exception:  # noqa: BLE001 - a sealed entry that does not decode
                self._reject()
            else:
                # A picture the article names that changed since is a miss, not damage.
                if all(_stamp(Path(p)) == s for p, s in stamps):
                    found = (articles, warnings)
        self.stats["source_hits" if found else "source_misses"] += 1
        return found

    def put_source(self, key: str, articles: list[Article], warnings: list[Problem]) -> None:
        from .model import Figure, query
        from .serialize import to_data

        # The reader checked every picture an article names; remember which
        # files those were, so a replaced or deleted picture re-reads the article.
        paths = {str(fig.src) for a in articles for fig in query(a, Figure)
                 if fig.src is not None}
        try:
            data = {"articles": to_data(articles),
                    "warnings": [[str(w.file), w.message, w.line] for w in warnings],
                    "stamps": [[p, _stamp(Path(p))] for p in sorted(paths)]}
        except TypeError:  # a value the data form does not know: just do not cache
            return
        self._put_sealed("sources", key, data)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


# ---------------------------------------------------------------- images


IMAGE_MEMORY = 48 * 2**20  # bytes of prepared pictures a process keeps at hand


@functools.cache
def _image_store_class():
    from collections import OrderedDict

    from .images import ImageStore

    class BoundedImageStore(ImageStore):
        """An ImageStore whose memory is bounded, optionally backed by the build cache.

        The plain store keeps every prepared picture for the life of the
        process; a worker that builds a whole archive would hold them all
        (hundreds of MB at 2000 articles).  This one keeps the most recently
        used :data:`IMAGE_MEMORY` bytes.  With a cache, a picture that fell
        out is read back from disk; the cache key is the picture's bytes (not
        its path or date), the profile and the limits, so a renamed photo is
        a hit and an edited one a miss.
        """

        def __init__(self, cache: BuildCache | None, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.build_cache = cache
            self._recent: OrderedDict[tuple[Path, str], PreparedImage] = OrderedDict()
            self._recent_bytes = 0

        def prepare(self, path: Path, profile: str = "screen") -> PreparedImage:
            memo = (path, profile)
            if memo in self._recent:
                self._recent.move_to_end(memo)
                return self._recent[memo]
            img = self._load(path, profile)
            # The base class memoises without bound; this class does it instead.
            getattr(self, "_cache", {}).pop(memo, None)
            self._recent[memo] = img
            self._recent_bytes += len(img.data)
            while self._recent_bytes > IMAGE_MEMORY and len(self._recent) > 1:
                _, old = self._recent.popitem(last=False)
                self._recent_bytes -= len(old.data)
            return img

        def _load(self, path: Path, profile: str) -> PreparedImage:
            if self.build_cache is None:
                return super().prepare(path, profile)
            content = file_digest(path)
            if content == "missing":
                return super().prepare(path, profile)  # the store's own error message
            key = digest(environment_key(), "image", content, profile,
                         getattr(self, "max_pixels", None), getattr(self, "max_bytes", None))
            img = self.build_cache.get_image(key)
            if img is None:
                img = super().prepare(path, profile)
                self.build_cache.put_image(key, img)
            return img

    return BoundedImageStore


def cached_image_store(cache: BuildCache | None, *args: Any, **kwargs: Any):
    """An ImageStore with bounded memory that reads and fills ``cache`` (None: no cache)."""
    return _image_store_class()(cache, *args, **kwargs)


# ---------------------------------------------------------------- sources

# ReadContext fields that are bookkeeping, not inputs of the reader.
_CONTEXT_SKIP = {"problems", "checked_images"}


def _context_key(ctx: ReadContext) -> str | None:
    values = [(f.name, getattr(ctx, f.name)) for f in dataclasses.fields(ctx)
              if f.name not in _CONTEXT_SKIP]
    text = repr(values)
    if " at 0x" in text:  # an object without a value repr (e.g. a downloader): not cacheable
        return None
    return text


def article_reader(cache: BuildCache) -> ArticleReader:
    """A reader for :func:`publikasi.source.load` that reuses parsed article files.

    The key is the file's path and bytes plus the reading context (release
    date, time zone, language, strictness, roots ...).  Warnings the reader
    gave are stored and given again on a hit; a file with errors is never
    stored.
    """
    from .source import load_article_file

    def read(path: Path, ctx: ReadContext) -> list[Article]:
        ctx_key = _context_key(ctx)
        try:
            data = read_regular(path, "article")
        except InputError:  # a FIFO, a folder, unreadable: the reader reports it
            ctx_key = None
        if ctx_key is None:
            return load_article_file(path, ctx)
        key = digest(environment_key(), "source", str(path.resolve()),
                     hashlib.sha256(data).hexdigest(), ctx_key)
        hit = cache.get_source(key)
        if hit is not None:
            articles, warnings = hit
            ctx.problems.warnings.extend(warnings)
            return articles
        errors, warned = len(ctx.problems.items), len(ctx.problems.warnings)
        articles = load_article_file(path, ctx)
        if len(ctx.problems.items) == errors:
            cache.put_source(key, articles, ctx.problems.warnings[warned:])
        return articles

    return read


__all__ = [
    "ENV_VAR",
    "KEY_ENV_VAR",
    "BuildCache",
    "OutputEntry",
    "article_reader",
    "cache_secret",
    "cached_image_store",
    "default_cache_dir",
    "digest",
    "environment_key",
    "file_digest",
    "resolve_cache_dir",
    "theme_key",
]
