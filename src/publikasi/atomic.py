"""All-or-nothing output folders: staging, commit by rename, lock, signals.

:func:`output_transaction` gives a build a private staging folder inside the
output folder.  Exporters write there; only when the whole build has
succeeded are the staged files renamed into place, and if a rename fails
half-way the files already moved are put back.  On any error, Ctrl-C,
SIGTERM or SIGHUP the staging folder is removed and the output folder is
byte-for-byte what it was (a folder the build created is removed again).

A lock file (``OUT/.publikasi.lock``, held with ``flock``) keeps two builds
from writing the same folder at once; the second fails at once with a clear
message.  The kernel releases the lock when a process dies, so a killed
build never blocks the next one; its leftovers (a stale lock file, staging
folders) are swept by the next successful build.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem, fail

LOCK_NAME = ".publikasi.lock"
STAGING_PREFIX = ".publikasi-tmp-"
_SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None))
                 if s is not None)


class BuildInterrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived during a build (Ctrl-C arrives as KeyboardInterrupt).

    A KeyboardInterrupt subclass so that no library's ``except Exception``
    can swallow it.
    """

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


@dataclass
class _State:
    deferring: bool = False  # committing or cleaning up: signals wait
    pending: int | None = None


@contextmanager
def _signals_as_exceptions(state: _State) -> Iterator[None]:
    """SIGINT/SIGTERM/SIGHUP raise; while ``state.deferring`` they are only recorded."""

    def handler(signum: int, frame: object) -> None:  # noqa: ARG001
        if state.deferring:
            state.pending = signum
            return
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise BuildInterrupted(signum)

    previous: dict[int, object] = {}
    try:
        for sig in _SIGNALS:
            previous[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread: leave signals alone
        for sig, old in previous.items():
            signal.signal(sig, old)  # type: ignore[arg-type]
        previous.clear()
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)  # type: ignore[arg-type]


# ---------------------------------------------------------------- lock


@dataclass
class _Lock:
    fd: int
    path: Path
    existed: bool

    def release(self, remove: bool) -> None:
        # Unlink while still holding the lock; a build that opened the old
        # file meanwhile notices the inode change and retries (see acquire).
        if remove:
            try:
                self.path.unlink()
            except (FileNotFoundError, NotADirectoryError):
                pass
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)


def _busy(out: Path, path: Path) -> InputError:
    who = ""
    try:
        pid = path.read_text(encoding="ascii", errors="replace").strip()
        if pid.isdigit():
            who = f" (process {pid})"
    except OSError:
        pass
    return InputError(Problem(str(out), f"another publikasi build{who} is writing to this "
                              "folder; try again when it has finished"))


def _acquire_lock(out: Path) -> _Lock:
    path = out / LOCK_NAME
    for _ in range(20):
        existed = os.path.lexists(path)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise fail(path, "lock file is a symlink; remove it") from None
            raise fail(out, f"cannot create the lock file: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise _busy(out, path) from None
            raise fail(out, f"cannot lock the output folder: {exc.strerror}") from None
        try:
            same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            if not existed:
                os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            return _Lock(fd, path, existed)
        # The build we waited for removed the lock file after we opened it.
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    raise _busy(out, path)


# ---------------------------------------------------------------- folders


def _make_dirs(out: Path) -> list[Path]:
    """Create ``out`` and missing parents; -> the folders this call created, outermost first."""
    missing: list[Path] = []
    p = out
    while not os.path.lexists(p):
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    if os.path.lexists(out) and not out.is_dir():
        raise fail(out, "output path exists and is not a folder")
    created: list[Path] = []
    for folder in reversed(missing):
        try:
            os.mkdir(folder)
            created.append(folder)
        except FileExistsError:
            if not folder.is_dir():
                raise fail(folder, "output path exists and is not a folder") from None
        except OSError as exc:
            _remove_created(created)
            raise fail(out, f"cannot create the output folder: {exc.strerror}") from None
    return created


def _remove_created(created: list[Path]) -> None:
    if created:
        shutil.rmtree(created[0], ignore_errors=True)


def _sweep_stale(out: Path, keep: set[Path]) -> None:
    """Remove staging folders that killed builds left behind (we hold the lock)."""
    for entry in out.iterdir():
        if entry.name.startswith(STAGING_PREFIX) and entry not in keep and entry.is_dir() \
                and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


# ---------------------------------------------------------------- transaction


@contextmanager
def output_transaction(out: Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``out``.

    On any exception (including KeyboardInterrupt, SIGTERM and SIGHUP, which
    raise :class:`BuildInterrupted`) nothing in ``out`` changes, and folders
    this build created are removed again.  Raises InputError when another
    build holds the folder or it cannot be created.
    """
    out = Path(out)
    state = _State()
    staging: Path | None = None
    committed = False
    created: list[Path] = []
    lock: _Lock | None = None
    with _signals_as_exceptions(state):
        try:
            created = _make_dirs(out)
            lock = _acquire_lock(out)
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
            yield staging
            state.deferring = True  # a half-committed edition would be worse than either whole one
            _commit(staging, out)
            committed = True
            _sweep_stale(out, {staging})
        finally:
            state.deferring = True
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            if not committed and lock is not None:
                # Still holding the lock, so no other build is inside these folders.
                # (Without the lock another build may own a folder we both created.)
                _remove_created(created)
            if lock is not None:
                # A stale lock file from a killed build is tidied on success only:
                # a failed build leaves the folder exactly as it found it.
                lock.release(remove=committed or not lock.existed)
            pending, state.pending = state.pending, None
            state.deferring = False
    if pending is not None and not committed:
        raise KeyboardInterrupt if pending == signal.SIGINT else BuildInterrupted(pending)


def _staged_files(staging: Path) -> list[Path]:
    files = []
    for root, _dirs, names in os.walk(staging):
        for name in names:
            files.append(Path(root, name).relative_to(staging))
    return sorted(files)


def _commit(staging: Path, out: Path) -> None:
    """Rename every staged file into ``out``; on failure put the old files back."""
    files = _staged_files(staging)
    # Check first what would fail half-way: a folder where a file goes, or a
    # file where a folder goes.
    for rel in files:
        target = out / rel
        if target.is_dir() and not target.is_symlink():
            raise fail(target, "is a folder; publikasi needs to write a file there")
        for parent in list(rel.parents)[:-1]:
            p = out / parent
            if os.path.lexists(p) and not (p.is_dir() and not p.is_symlink()):
                raise fail(p, "is not a folder; publikasi needs to write files inside it")
    backup = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + "old-", dir=out))
    moved: list[tuple[Path, bool]] = []  # (rel, had an old file)
    made: list[Path] = []
    try:
        for rel in files:
            target = out / rel
            for parent in reversed(list(rel.parents)[:-1]):
                p = out / parent
                if not os.path.lexists(p):
                    p.mkdir()
                    made.append(p)
            had_old = os.path.lexists(target)
            if had_old:
                keep = backup / rel
                keep.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(target, keep, follow_symlinks=False)
                except OSError:  # no hard links on this file system
                    shutil.copy2(target, keep, follow_symlinks=False)
            os.replace(staging / rel, target)
            moved.append((rel, had_old))
    except BaseException:
        for rel, had_old in reversed(moved):
            try:
                if had_old:
                    os.replace(backup / rel, out / rel)
                else:
                    os.unlink(out / rel)
            except OSError:
                pass
        for p in reversed(made):
            try:
                p.rmdir()
            except OSError:
                pass
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


__all__ = ["BuildInterrupted", "LOCK_NAME", "STAGING_PREFIX", "output_transaction"]
