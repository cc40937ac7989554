"""All-or-nothing output folders: staging, commit by rename, lock, signals.

:func:`output_transaction` gives a build a private staging folder inside the
output folder.  Exporters write there; only when the whole build has
succeeded are the staged files renamed into place, and if a rename fails
half-way the files already moved are put back.  On any error, Ctrl-C,
SIGTERM or SIGHUP the staging folder is removed and the output folder is
byte-for-byte what it was (a folder the build created is removed again).

A lock file (``OUT/.publikasi.lock``, held with ``flock``) keeps two builds
from writing the same folder at once; the second fails at once with a clear
message naming the holder's process.  The kernel releases the lock when a
process dies, so a killed build never blocks the next one; its leftovers (a
stale lock file, staging folders) are swept by the next successful build.

SIGKILL cannot be caught.  So that it cannot leave an edition half-replaced,
the commit keeps a journal in the staging folder (:data:`JOURNAL_DIR`: the
list of files, links to the files they replace, and whether the commit was
going forward or rolling back).  The next build that takes the lock first
finishes such a commit, or finishes its roll-back (:func:`recover`).

A full disk (ENOSPC, EDQUOT, or EFBIG from a file size limit) anywhere in a
build becomes ``error: OUT: no space left on device`` with the output folder
as it was.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem, fail

LOCK_NAME = ".publikasi.lock"
STAGING_PREFIX = ".publikasi-tmp-"
# Inside a staging folder: the commit's journal and the files it replaces.
# Exporters never write names starting with a dot at the top of the output.
JOURNAL_DIR = ".publikasi-commit"
_JOURNAL = "journal.json"
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
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

    def handler(signum: int, frame: object) -> None:
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
    previous: bytes = b""  # what a stale lock file said before we wrote our id

    def release(self, remove: bool) -> None:
        # Unlink while still holding the lock; a build that opened the old
        # file meanwhile notices the inode change and retries (see acquire).
        if remove:
            try:
                self.path.unlink()
            except (FileNotFoundError, NotADirectoryError):
                pass
        elif self.existed:
            try:  # a failed build leaves even a stale lock file as it was
                os.pwrite(self.fd, self.previous, 0)
                os.ftruncate(self.fd, len(self.previous))
            except OSError:
                pass
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _DISK_FULL


def disk_full(where: str | Path, outcome: str = "the output folder was left as it was"
              ) -> InputError:
    return fail(where, f"no space left on device (or the file size limit was reached); {outcome}")


def _holder(path: Path) -> int | None:
    """The process id written in the lock file, if it names a live process."""
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    if not text.isdigit():
        return None
    pid = int(text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's
        pass
    except (OverflowError, OSError):
        return None
    return pid


def _busy(out: Path, pid: int | None) -> InputError:
    who = f" (process {pid})" if pid is not None else ""
    return InputError(Problem(str(out), f"another publikasi build{who} is writing to this "
                              "folder; try again when it has finished"))


# A lock file naming a dead process that is still locked is held by a leftover
# of that build (a worker not yet gone); give it this long before taking over.
_STALE_GRACE_SECONDS = 3.0


def _acquire_lock(out: Path) -> _Lock:
    path = out / LOCK_NAME
    stale_since: float | None = None
    for _ in range(200):
        existed = os.path.lexists(path)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise fail(path, "lock file is a symlink; remove it") from None
            if exc.errno in _DISK_FULL:
                raise disk_full(out) from None
            raise fail(out, f"cannot create the lock file: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise fail(out, f"cannot lock the output folder: {exc.strerror}") from None
            pid = _holder(path)
            if pid is not None:
                raise _busy(out, pid) from None
            # Locked, but not by the process it names: a killed build's worker
            # that has not died yet, or a process that inherited the lock.
            now = time.monotonic()
            stale_since = now if stale_since is None else stale_since
            if now - stale_since < _STALE_GRACE_SECONDS:
                time.sleep(0.1)
                continue
            # Take over: a new lock file (a new inode) that the leftover does not hold.
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            continue
        try:
            same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            # The build we waited for removed the lock file after we opened it.
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            continue
        try:
            previous = os.pread(fd, 64, 0) if existed else b""
            # Always our own id: a stale file from a killed build names a dead one.
            pid_text = f"{os.getpid()}\n".encode("ascii")
            os.pwrite(fd, pid_text, 0)
            os.ftruncate(fd, len(pid_text))
        except OSError as exc:
            if not existed:  # never leave an empty lock file behind
                try:
                    path.unlink()
                except OSError:
                    pass
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            if exc.errno in _DISK_FULL:
                raise disk_full(out) from None
            raise fail(path, f"cannot write the lock file: {exc.strerror}") from None
        return _Lock(fd, path, existed, previous)
    raise _busy(out, _holder(path))


# ---------------------------------------------------------------- folders


def make_dirs(out: Path) -> list[Path]:
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
            remove_created(created)
            if exc.errno in _DISK_FULL:
                raise disk_full(out) from None
            raise fail(out, f"cannot create the output folder: {exc.strerror}") from None
    return created


def remove_created(created: list[Path]) -> None:
    """Remove the folders this build created, innermost first, as far as they are empty.

    Only empty ones: another build may have put its own output folder inside
    one of them meanwhile (``-o new/slow`` and ``-o new/fast`` both creating
    ``new/``).
    """
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            return


def _sweep_stale(out: Path, keep: set[Path]) -> None:
    """Remove staging folders that killed builds left behind (we hold the lock)."""
    for entry in out.iterdir():
        if entry.name.startswith(STAGING_PREFIX) and entry not in keep and entry.is_dir() \
                and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


# ---------------------------------------------------------------- transaction


@contextmanager
def output_transaction(out: Path, remove: list[str] | None = None,
                       after_commit: Callable[[], None] | None = None) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``out``.

    On any exception (including KeyboardInterrupt, SIGTERM and SIGHUP, which
    raise :class:`BuildInterrupted`) nothing in ``out`` changes, and folders
    this build created are removed again as far as they are empty.  Raises
    InputError when another build holds the folder, it cannot be created, or
    the disk is full.  A commit that a killed build left half-done is
    finished (or its roll-back finished) first.

    ``remove`` may be filled inside the ``with`` block (the lock is held
    there) with paths relative to ``out`` that the commit removes, in the
    same all-or-nothing, journaled step (outputs of earlier builds, see
    :mod:`publikasi.manifest`).

    ``after_commit`` runs after a successful commit, while the lock is still
    held (it must not raise): the up-to-date stamp records ``out`` there.
    """
    out = Path(out)
    state = _State()
    staging: Path | None = None
    committed = False
    created: list[Path] = []
    lock: _Lock | None = None
    with _signals_as_exceptions(state):
        try:
            created = make_dirs(out)
            lock = _acquire_lock(out)
            state.deferring = True
            _recover_locked(out)
            state.deferring = False
            if state.pending is not None:
                early, state.pending = state.pending, None
                raise KeyboardInterrupt if early == signal.SIGINT else BuildInterrupted(early)
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
            yield staging
            state.deferring = True  # a half-committed edition would be worse than either whole one
            _commit(staging, out, remove or [])
            committed = True
            _sweep_stale(out, {staging})
            if after_commit is not None:
                after_commit()
        except OSError as exc:
            if exc.errno in _DISK_FULL:
                raise disk_full(out) from None
            raise
        finally:
            state.deferring = True
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            if lock is not None:
                # A stale lock file from a killed build is tidied on success only:
                # a failed build leaves the folder exactly as it found it.
                lock.release(remove=committed or not lock.existed)
            if not committed:
                remove_created(created)
            pending, state.pending = state.pending, None
            state.deferring = False
    if pending is not None and not committed:
        raise KeyboardInterrupt if pending == signal.SIGINT else BuildInterrupted(pending)


def _staged_files(staging: Path) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(staging):
        if Path(root) == staging and JOURNAL_DIR in dirs:
            dirs.remove(JOURNAL_DIR)
        for name in names:
            files.append(Path(root, name).relative_to(staging))
    return sorted(files)


def write_atomic(target: Path, data: bytes | str, *, durable: bool = False) -> None:
    """Replace ``target`` with ``data`` (text is written as UTF-8): all or nothing.

    The bytes go to a temporary file beside ``target`` that is renamed over
    it, so a reader (or a crash) sees the old file or the new one, never part
    of one.  It keeps the permissions it had (see :func:`stage_file`).
    ``durable`` also flushes the file and its folder to disk before returning,
    for files whose loss after a power cut matters (the commit journal).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = stage_file(target, data.encode("utf-8") if isinstance(data, str) else data,
                     durable=durable)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def stage_file(target: Path, data: bytes, *, durable: bool = False) -> Path:
    """``data`` in a new temporary file beside ``target``, ready to be renamed over it.

    It has the permissions ``target`` has (or, for a new file, those a plain
    ``open()`` would give), not mkstemp's private 0600.
    """
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_journal(journal_dir: Path, entry: dict) -> None:
    """Replace the journal atomically and durably (it decides what the next build does)."""
    write_atomic(journal_dir / _JOURNAL, json.dumps(entry), durable=True)


def _commit(staging: Path, out: Path, remove: list[str] | None = None) -> None:
    """Rename every staged file into ``out`` and remove ``remove``; on failure undo both.

    Before the first rename, every file about to be replaced or removed gets
    a hard link (or a copy) in the journal folder and the journal lists the
    files.  A process killed between the renames leaves that journal for
    :func:`recover`.
    """
    from .manifest import inside, safe_relpath

    files = _staged_files(staging)
    staged = {rel.as_posix() for rel in files}
    gone = [Path(rel) for rel in remove or () if safe_relpath(rel) == rel and rel not in staged
            and inside(out, rel) and os.path.lexists(out / rel) and not (out / rel).is_dir()]
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
    journal_dir = staging / JOURNAL_DIR
    backup = journal_dir / "old"
    backup.mkdir(parents=True)
    entries: list[tuple[str, bool]] = []
    missing_dirs: set[str] = set()
    for rel in [*files, *gone]:
        target = out / rel
        for parent in list(rel.parents)[:-1]:
            if not os.path.lexists(out / parent):
                missing_dirs.add(parent.as_posix())
        had_old = os.path.lexists(target)
        if had_old:
            keep = backup / rel
            keep.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(target, keep, follow_symlinks=False)
            except OSError as exc:  # no hard links on this file system
                if exc.errno in _DISK_FULL:
                    raise
                shutil.copy2(target, keep, follow_symlinks=False)
        if rel.as_posix() in staged:
            entries.append((rel.as_posix(), had_old))
    journal = {"state": "commit", "files": entries,
               "made": sorted(missing_dirs, key=lambda d: d.count("/")),
               "removed": [rel.as_posix() for rel in gone]}
    _write_journal(journal_dir, journal)
    try:
        _roll_forward(staging, out, journal)
    except BaseException:
        journal["state"] = "rollback"
        try:
            _write_journal(journal_dir, journal)
        except OSError:
            pass  # a disk too full for the journal; roll back in this process
        _roll_back(staging, out, journal)
        (journal_dir / _JOURNAL).unlink(missing_ok=True)
        raise
    (journal_dir / _JOURNAL).unlink()


def _journal_files(journal: dict) -> list[tuple[Path, bool]]:
    """The journal's files, each checked to stay inside the output folder."""
    files = []
    for rel, had_old in journal["files"]:
        files.append((_inside_path(rel), bool(had_old)))
    return files


def _journal_removed(journal: dict) -> list[Path]:
    """The files of earlier builds that the commit removes (their copies are in the journal)."""
    return [_inside_path(rel) for rel in journal.get("removed", [])]


def _inside_path(rel: str) -> Path:
    p = Path(rel)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise ValueError(f"journal names a path outside the output folder: {rel!r}")
    return p


def _roll_forward(staging: Path, out: Path, journal: dict) -> None:
    """Move every staged file not yet moved; safe to repeat after a kill."""
    for rel, _had_old in _journal_files(journal):
        src = staging / rel
        if not os.path.lexists(src):
            continue  # moved before the kill
        for parent in reversed(list(rel.parents)[:-1]):
            p = out / parent
            if not os.path.lexists(p):
                p.mkdir()
        os.replace(src, out / rel)
    backup = staging / JOURNAL_DIR / "old"
    for rel in _journal_removed(journal):
        if os.path.lexists(backup / rel):  # not removed before the kill
            try:
                os.unlink(out / rel)
            except FileNotFoundError:
                pass
        for parent in list(rel.parents)[:-1]:  # folders the removal leaves empty
            try:
                (out / parent).rmdir()
            except OSError:
                break


def _roll_back(staging: Path, out: Path, journal: dict) -> None:
    """Put every replaced file back and remove the new ones; safe to repeat after a kill."""
    backup = staging / JOURNAL_DIR / "old"
    for rel in _journal_removed(journal):
        try:
            if os.path.lexists(backup / rel) and not os.path.lexists(out / rel):
                for parent in reversed(list(rel.parents)[:-1]):
                    if not os.path.lexists(out / parent):
                        (out / parent).mkdir()
                os.replace(backup / rel, out / rel)
        except OSError:
            pass
    for rel, had_old in reversed(_journal_files(journal)):
        try:
            if had_old:
                if os.path.lexists(backup / rel):
                    os.replace(backup / rel, out / rel)
            elif not os.path.lexists(staging / rel):  # it was moved in: take it out
                os.unlink(out / rel)
        except OSError:
            pass
    for folder in sorted(journal.get("made", []), key=lambda d: -d.count("/")):
        if ".." in Path(folder).parts or Path(folder).is_absolute():
            continue
        try:
            (out / folder).rmdir()
        except OSError:
            pass


def _recover_locked(out: Path) -> list[str]:
    """Finish what killed builds left in a commit (we hold the lock); -> what was done."""
    done: list[str] = []
    for entry in sorted(out.iterdir()):
        if not entry.name.startswith(STAGING_PREFIX) or entry.is_symlink() \
                or not entry.is_dir():
            continue
        journal_file = entry / JOURNAL_DIR / _JOURNAL
        if not journal_file.is_file() or journal_file.is_symlink():
            continue
        try:
            journal = json.loads(journal_file.read_text(encoding="utf-8"))
            if journal.get("state") == "rollback":
                _roll_back(entry, out, journal)
                done.append("rolled back")
            else:
                _roll_forward(entry, out, journal)
                done.append("finished")
        except (ValueError, KeyError, TypeError):
            continue  # not a journal this version wrote; the staging folder is swept later
        journal_file.unlink()
        shutil.rmtree(entry, ignore_errors=True)
    return done


def recover(out: Path) -> str | None:
    """Finish or roll back a commit that a killed build left in ``out``.

    Call before anything else in a build.  -> a warning to show, or None when
    there was nothing to do (or another build holds the folder: it recovers).
    """
    out = Path(out)
    if not out.is_dir():
        return None
    if not any(p.name.startswith(STAGING_PREFIX) and (p / JOURNAL_DIR / _JOURNAL).is_file()
               for p in out.iterdir()):
        return None
    try:
        lock = _acquire_lock(out)
    except InputError:
        return None
    state = _State(deferring=True)
    try:
        with _signals_as_exceptions(state):
            done = _recover_locked(out)
    finally:
        lock.release(remove=not lock.existed)
    if state.pending is not None:
        raise KeyboardInterrupt if state.pending == signal.SIGINT \
            else BuildInterrupted(state.pending)
    if not done:
        return None
    what = "finished the commit" if done[-1] == "finished" else "rolled back the commit"
    return (f"a build was killed while replacing the files here; {what} it had begun, "
            "so the folder holds one whole edition")


__all__ = [
    "JOURNAL_DIR",
    "LOCK_NAME",
    "STAGING_PREFIX",
    "BuildInterrupted",
    "disk_full",
    "is_disk_full",
    "make_dirs",
    "output_transaction",
    "recover",
    "remove_created",
    "stage_file",
    "write_atomic",
]
