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
Python version, so an upgrade never serves bytes an older build made.  Every
blob is checked against its sha256 when read back; a damaged, missing or
unreadable entry is a miss, never an error.  Writes go to a temporary file
and are renamed into place, so builds may share a cache folder.  The folder
can be deleted at any time.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import pickle
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .images import PreparedImage
    from .model import Article
    from .readers.common import ReadContext
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


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@dataclasses.dataclass(frozen=True)
class OutputEntry:
    """What one exporter task produced: files (relative path, sha256) and warnings."""

    files: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]


class BuildCache:
    """One cache folder.  ``stats`` counts hits and misses per kind of entry."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.base = self.root / f"v{SCHEMA}"
        self.stats: Counter[str] = Counter()

    def _path(self, kind: str, key: str, suffix: str = "") -> Path:
        return self.base / kind / key[:2] / f"{key}{suffix}"

    def _read(self, kind: str, key: str, suffix: str = "") -> bytes | None:
        try:
            return self._path(kind, key, suffix).read_bytes()
        except OSError:
            return None

    def _write(self, kind: str, key: str, data: bytes, suffix: str = "") -> None:
        try:
            _atomic_write(self._path(kind, key, suffix), data)
        except OSError:
            # A full disk or a read-only cache must not fail the build.
            self.stats["write_errors"] += 1

    # -- blobs ---------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self._path("blobs", sha).is_file():
            self._write("blobs", sha, data)
        return sha

    def get_blob(self, sha: str) -> bytes | None:
        data = self._read("blobs", sha)
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            return None
        return data

    # -- exporter outputs ----------------------------------------------------

    def get_output(self, key: str) -> tuple[OutputEntry, list[bytes]] | None:
        """The entry and the bytes of each of its files, or None (a miss)."""
        raw = self._read("outputs", key, ".json")
        entry = None
        if raw is not None:
            try:
                data = json.loads(raw)
                entry = OutputEntry(tuple((str(r), str(s)) for r, s in data["files"]),
                                    tuple(str(w) for w in data["warnings"]))
            except (ValueError, KeyError, TypeError):
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
        body = {"files": [list(p) for p in files], "warnings": list(warnings)}
        self._write("outputs", key, json.dumps(body, ensure_ascii=False).encode(), ".json")

    # -- prepared images -----------------------------------------------------

    def get_image(self, key: str) -> PreparedImage | None:
        from .images import PreparedImage

        raw = self._read("images", key, ".pickle")
        img = None
        if raw is not None:
            try:
                img = pickle.loads(raw)
            except Exception:  # noqa: BLE001 - a damaged entry is a miss
                img = None
            if not isinstance(img, PreparedImage) or \
                    hashlib.sha256(img.data).hexdigest()[:16] != img.digest:
                img = None
        self.stats["image_hits" if img else "image_misses"] += 1
        return img

    def put_image(self, key: str, img: PreparedImage) -> None:
        self._write("images", key, pickle.dumps(img, protocol=5), ".pickle")

    # -- parsed sources ------------------------------------------------------

    def get_source(self, key: str) -> tuple[list[Article], list[Any]] | None:
        raw = self._read("sources", key, ".pickle")
        found = None
        if raw is not None:
            try:
                articles, warnings, stamps = pickle.loads(raw)
                if all(_stamp(Path(p)) == s for p, s in stamps):
                    found = (articles, warnings)
            except Exception:  # noqa: BLE001 - a damaged entry is a miss
                found = None
        self.stats["source_hits" if found else "source_misses"] += 1
        return found

    def put_source(self, key: str, articles: list[Article], warnings: list[Any]) -> None:
        from .model import walk_blocks

        # The reader checked every picture an article names; remember which
        # files those were, so a replaced or deleted picture re-reads the article.
        paths = set()
        for a in articles:
            for fig in a.figures:
                if fig.src is not None:
                    paths.add(str(fig.src))
            for block in walk_blocks(a.blocks):
                src = getattr(block, "src", None)
                if src is not None:
                    paths.add(str(src))
        stamps = [(p, _stamp(Path(p))) for p in sorted(paths)]
        try:
            data = pickle.dumps((articles, warnings, stamps), protocol=5)
        except Exception:  # noqa: BLE001 - an unpicklable model value: just do not cache
            return
        self._write("sources", key, data, ".pickle")


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


@contextmanager
def caching_reader(cache: BuildCache | None) -> Iterator[None]:
    """While active, :func:`publikasi.source.load` reuses parsed article files.

    The key is the file's path and bytes plus the reading context (release
    date, time zone, language, strictness, roots ...).  Warnings the reader
    gave are stored and given again on a hit; a file with errors is never
    stored.
    """
    if cache is None:
        yield
        return
    from . import source

    original = source.load_article_file

    def load_article_file(path: Path, ctx: ReadContext) -> list[Article]:
        ctx_key = _context_key(ctx)
        try:
            data = path.read_bytes()
        except OSError:
            ctx_key = None
        if ctx_key is None:
            return original(path, ctx)
        key = digest(environment_key(), "source", str(path.resolve()),
                     hashlib.sha256(data).hexdigest(), ctx_key)
        hit = cache.get_source(key)
        if hit is not None:
            articles, warnings = hit
            ctx.problems.warnings.extend(warnings)
            return articles
        errors, warned = len(ctx.problems.items), len(ctx.problems.warnings)
        articles = original(path, ctx)
        if len(ctx.problems.items) == errors:
            cache.put_source(key, articles, ctx.problems.warnings[warned:])
        return articles

    # source.py's loaders look the reader up as a module global at call time.
    source.load_article_file = load_article_file  # type: ignore[assignment]
    try:
        yield
    finally:
        source.load_article_file = original  # type: ignore[assignment]


__all__ = [
    "ENV_VAR",
    "BuildCache",
    "OutputEntry",
    "cached_image_store",
    "caching_reader",
    "default_cache_dir",
    "digest",
    "environment_key",
    "file_digest",
    "resolve_cache_dir",
    "theme_key",
]
