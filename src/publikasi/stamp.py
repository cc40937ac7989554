"""Up-to-date stamps: a rebuild with nothing changed that loads nothing.

After a successful build with the cache on, :class:`Recorder` writes a
*stamp* into the cache folder, sealed like every cache entry (see
:mod:`publikasi.cache`): what the build was asked (the command line as given,
the current folder, the options that shape outputs, ``SOURCE_DATE_EPOCH``
and ``TZ``, publikasi's code and library versions, the installed formats),
the state of every input it read or could read, the state of every file in
``OUT`` that publikasi owns (``.publikasi-manifest.json`` and the files it
lists), and the warnings and file list the build printed.

:func:`check` runs before anything is loaded: when the stamp verifies and
every recorded input and output is as recorded, ``publikasi build`` prints
the same warnings and files again and leaves ``OUT`` alone.  Anything else,
including a stamp that does not verify or does not parse, is a normal build.

Inputs:

* a folder source: every entry below the source folder (the folder's
  listing, so an added or removed file counts; ``OUT`` and the cache folder
  are left out when they lie inside it), symlinks by their target text;
* a single ``.md``/``.txt`` file: the file, the ``release.yaml`` beside it
  (or that there is none), and the pictures it names;
* every folder of every theme the build used (``inherits`` parents too) and
  the list of built-in themes.

A file counts as unchanged when its size, modification time, change time
and inode number are all as recorded.  The change time cannot be set back by
a user, so an edit that keeps the size and restores the modification time is
still seen.  A file whose times lie within the file system's timestamp
granularity of the moment they were recorded ("racy", as git calls it) could
change again without its times changing; its sha256 is recorded and
compared instead.  Inputs are recorded before the build and checked again
after it: an input that changed while the build ran gives no stamp.

Builds that download (``--allow-remote``) and ``--no-cache`` builds neither
write nor read stamps.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .manifest import MANIFEST_NAME, file_sha256

SCHEMA = 1
# A file written this close before a stat may change again within the same
# timestamp tick: on file systems with sub-second times the kernel's coarse
# clock (one tick, at most 10 ms) and on others their granularity (FAT: 2 s).
FINE_MARGIN_NS = 50_000_000
COARSE_MARGIN_NS = 3_000_000_000
# Beyond this many entries below the source folder, no stamp (the walk would
# cost more than it saves).
MAX_ENTRIES = 50_000
# Version-control folders: their contents change with every `git status`, and
# no build reads them (a file the build did read there is recorded on its own).
UNREAD_FOLDERS = frozenset({".git", ".hg", ".svn"})
# Options that never change a byte of the outputs (see parallel.RUN_OPTIONS).
RUN_ONLY_OPTIONS = ("jobs",)
# The environment that changes outputs (repro.build_time reads SOURCE_DATE_EPOCH).
ENVIRONMENT = ("SOURCE_DATE_EPOCH", "TZ")

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def _stat_of(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _racy(st: Stat, now_ns: int) -> bool:
    """True when the file's times are within a timestamp tick of ``now_ns``."""
    _, mtime, ctime, _ = st
    fine = mtime % 1_000_000_000 or ctime % 1_000_000_000
    margin = FINE_MARGIN_NS if fine else COARSE_MARGIN_NS
    return max(mtime, ctime) >= now_ns - margin



# ---------------------------------------------------------------- what was asked


def invocation(source: Path, out: Path, options: Mapping[str, Any]) -> dict[str, Any]:
    """Everything besides the files and publikasi's code that decides what a build
    writes and prints."""
    from .registry import registry

    shaping = {k: (str(v) if isinstance(v, Path) else v) for k, v in sorted(options.items())
               if k not in RUN_ONLY_OPTIONS}
    return {
        "schema": SCHEMA,
        # As given: the build prints paths made from them.
        "source": str(source), "out": str(out), "cwd": os.getcwd(),
        "source_real": os.path.realpath(source), "out_real": os.path.realpath(out),
        "options": shaping,
        "env": {name: os.environ.get(name) for name in ENVIRONMENT},
        "python": list(sys.version_info[:3]),
        "formats": registry(),
    }


def code_state() -> list[list[Any]] | None:
    """A cheap stand-in for :func:`publikasi.cache.environment_key`: the state of
    publikasi's own ``.py`` files and of every folder on ``sys.path`` (installing,
    upgrading or removing a library renames a ``*.dist-info`` folder in one of
    them, which changes that folder's times).  None when a time is racy."""
    now = time.time_ns()
    state: list[list[Any]] = []
    package = os.path.dirname(os.path.abspath(__file__))
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(n for n in names if n.endswith(".py")):
            path = os.path.join(folder, name)
            state.append([path, *_stat_of(os.stat(path))])
    for entry in sys.path:
        try:
            state.append([entry, *_stat_of(os.stat(entry or "."))])
        except OSError:
            state.append([entry])
    if any(len(item) > 1 and _racy(tuple(item[1:]), now) for item in state):
        return None
    return state


def _stamp_key(out_real: str) -> str:
    return hashlib.sha256(f"stamp\x00{out_real}".encode("utf-8", "surrogatepass")).hexdigest()


def _cache(options: Mapping[str, Any]):
    from .cache import BuildCache, resolve_cache_dir

    return BuildCache(resolve_cache_dir(options.get("cache_dir")))


def _usable(options: Mapping[str, Any]) -> bool:
    return bool(options.get("cache", True)) and not options.get("allow_remote")


# ---------------------------------------------------------------- snapshots


@dataclass
class Snapshot:
    """The state of a set of files and folders (absolute paths as strings)."""

    files: dict[str, Stat | None] = field(default_factory=dict)  # None: must not exist
    links: dict[str, str] = field(default_factory=dict)  # symlink -> its target text
    dirs: dict[str, list[list[str]]] = field(default_factory=dict)  # folder -> [name, kind]
    digests: dict[str, str] = field(default_factory=dict)  # racy files -> sha256
    skip: set[str] = field(default_factory=set)  # left out of folder listings (OUT, the cache)

    def same_state(self, other: Snapshot) -> bool:
        return (self.files, self.links, self.dirs) == (other.files, other.links, other.dirs)

    def covers(self, path: str) -> bool:
        return path in self.files or path in self.links

    def to_data(self) -> dict[str, Any]:
        return {"files": {p: (list(s) if s else None) for p, s in self.files.items()},
                "links": self.links, "dirs": self.dirs, "digests": self.digests,
                "skip": sorted(self.skip)}


def _kind(mode: int) -> str:
    return ("d" if stat.S_ISDIR(mode) else "f" if stat.S_ISREG(mode) else
            "l" if stat.S_ISLNK(mode) else "o")


def _walk(root: str, skip: set[str], snap: Snapshot, recursive: bool = True) -> bool:
    """Every entry below ``root`` (but those in ``skip``) into ``snap``; False when
    there are too many.  Not ``recursive``: the folder's own listing only."""
    stack = [root]
    while stack:
        folder = stack.pop()
        listing: list[list[str]] = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    path = entry.path
                    if path in skip:
                        continue
                    st = entry.stat(follow_symlinks=False)
                    kind = _kind(st.st_mode)
                    listing.append([entry.name, kind])
                    if not recursive:
                        continue
                    if kind == "d":
                        if entry.name not in UNREAD_FOLDERS:
                            stack.append(path)
                    elif kind == "f":
                        snap.files[path] = _stat_of(st)
                    elif kind == "l":
                        snap.links[path] = os.readlink(path)
        except OSError:
            listing = [["", "unreadable"]]
        listing.sort()
        snap.dirs[folder] = listing
        if len(snap.files) + len(snap.dirs) > MAX_ENTRIES:
            return False
    return True


def _add_file(path: str, snap: Snapshot) -> None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        snap.files[path] = None
        return
    if stat.S_ISREG(st.st_mode):
        snap.files[path] = _stat_of(st)
    elif stat.S_ISLNK(st.st_mode):
        snap.links[path] = os.readlink(path)
    else:
        snap.files[path] = (-1, -1, -1, -1)  # not a file: recorded as a state no file has


def _source_snapshot(source_real: str, skip: set[str]) -> Snapshot | None:
    """The inputs known before loading: the source folder's tree, or a lone file
    and the ``release.yaml`` beside it."""
    snap = Snapshot(skip=set(skip))
    if os.path.isdir(source_real):
        return snap if _walk(source_real, skip, snap) else None
    _add_file(source_real, snap)
    _add_file(os.path.join(os.path.dirname(source_real), "release.yaml"), snap)
    return snap


def _hash_racy(snap: Snapshot, now_ns: int) -> None:
    for path, st in snap.files.items():
        if st is not None and st[0] >= 0 and _racy(st, now_ns):
            digest = file_sha256(path)
            if digest is not None:
                snap.digests[path] = digest


# ---------------------------------------------------------------- recording


class Recorder:
    """Collects what one build read and wrote; :meth:`finish` writes the stamp.

    Made before the build starts (it records the source's state then); every
    method is best effort and never fails the build: anything unexpected
    means no stamp.
    """

    def __init__(self, source: Path, out: Path, options: Mapping[str, Any]) -> None:
        self.options = dict(options)
        self.ok = True
        self.started_ns = time.time_ns()
        self.asked = invocation(source, out, options)
        self.code = code_state()
        self.out_real = self.asked["out_real"]
        self.source_real = self.asked["source_real"]
        self.cache = _cache(options)
        self.skip = {self.out_real, os.path.realpath(self.cache.root)}
        before = _source_snapshot(self.source_real, self.skip)
        if before is None:
            self.ok = False
            before = Snapshot()
        _hash_racy(before, self.started_ns)
        self.before = before
        self.read: list[str] = []  # files read outside the snapshot (pictures of a lone file)
        self.theme_folders: list[str] = []
        self.outputs: dict[str, list[Any]] | None = None
        self.committed_ns = 0

    def note_read(self, paths: Iterable[Path]) -> None:
        self.read.extend(os.path.realpath(p) for p in paths)

    def note_theme_folders(self, folders: Iterable[Path]) -> None:
        self.theme_folders.extend(os.path.realpath(f) for f in folders)

    def outputs_committed(self, owned: Mapping[str, Mapping[str, str]],
                          manifest_bytes: bytes) -> None:
        """Note ``OUT``'s owned files; called right after the commit, under the lock."""

        try:
            shas = {rel: sha for files in owned.values() for rel, sha in files.items()}
            shas[MANIFEST_NAME] = hashlib.sha256(manifest_bytes).hexdigest()
            self.committed_ns = time.time_ns()
            self.outputs = {rel: [*self._output_state(rel), sha]
                            for rel, sha in sorted(shas.items())}
        except Exception:  # noqa: BLE001 - runs after the commit: must never fail the build
            self.ok = False

    def _output_state(self, rel: str) -> Stat:
        st = os.stat(os.path.join(self.out_real, rel), follow_symlinks=False)
        return _stat_of(st) if stat.S_ISREG(st.st_mode) else (-1, -1, -1, -1)

    def _outputs_after(self) -> dict[str, list[Any]] | None:
        """The outputs' states once the commit's timestamp tick has passed.

        Every output was just renamed into place, so its times are those of the
        last moment; stat'ed again a tick later, an unchanged state is known to
        be the commit's and any later change will show.  Outputs on a file
        system with coarse times keep their sha256 (from the manifest) instead.
        """
        assert self.outputs is not None
        wait = self.committed_ns + FINE_MARGIN_NS - time.time_ns()
        if wait > 0:
            time.sleep(wait / 1e9)
        now = time.time_ns()
        recorded: dict[str, list[Any]] = {}
        for rel, (*state, sha) in self.outputs.items():
            again = self._output_state(rel)
            if tuple(state) != again or again[0] < 0:
                return None  # changed since the commit (or not a file): no stamp
            recorded[rel] = [*again, sha if _racy(again, now) else None]
        return recorded

    def _inputs_after(self) -> Snapshot | None:
        """The source again, then what only the build could name; None: no stamp."""
        after = _source_snapshot(self.source_real, self.skip)
        if after is None or not after.same_state(self.before):
            return None  # an input changed while the build ran
        for path, digest in self.before.digests.items():
            if file_sha256(path) != digest:
                return None
        after.digests = dict(self.before.digests)
        extra = Snapshot()
        for folder in dict.fromkeys(self.theme_folders):
            if not self._covered(folder) and not _walk(folder, set(), extra):
                return None
        from .themes import builtin_themes_dir

        _walk(str(builtin_themes_dir()), set(), extra, recursive=False)
        for path in dict.fromkeys(self.read):
            if not self._covered(path):
                _add_file(path, extra)
        for st in extra.files.values():
            # Read during the build and not recorded before it: only a file
            # that was already old then is known to be what the build read.
            if st is None or _racy(st, self.started_ns):
                return None
        after.files.update(extra.files)
        after.links.update(extra.links)
        after.dirs.update(extra.dirs)
        return after

    def _covered(self, path: str) -> bool:
        root = self.source_real
        if not os.path.isdir(root) or not (path == root or path.startswith(root + os.sep)):
            return False
        return not UNREAD_FOLDERS.intersection(path[len(root):].split(os.sep))

    def finish(self, warnings: list[str], files: list[Path], transient: bool) -> None:
        """Write the stamp, unless something makes the next build's answer differ."""
        try:
            if not self.ok or transient or self.outputs is None:
                return
            inputs = self._inputs_after()
            outputs = self._outputs_after() if inputs is not None else None
            if inputs is None or outputs is None:
                return
            from .cache import environment_key

            data = {"asked": self.asked, "code": [environment_key(), self.code],
                    "inputs": inputs.to_data(), "outputs": outputs,
                    "warnings": list(warnings), "files": [str(p) for p in files]}
            self.cache.put_stamp(_stamp_key(self.out_real), data)
        except Exception:  # noqa: BLE001 - a stamp is a shortcut: no stamp is always correct
            pass


def recorder(source: Path, out: Path, options: Mapping[str, Any]) -> Recorder | None:
    """A :class:`Recorder` for a build with these options, or None (no stamp)."""
    if not _usable(options):
        return None
    try:
        return Recorder(source, out, options)
    except Exception:  # noqa: BLE001 - a stamp is a shortcut: no stamp is always correct
        return None


# ---------------------------------------------------------------- checking


@dataclass(frozen=True)
class UpToDate:
    """What the build that wrote the stamp printed."""

    warnings: list[str]
    files: list[str]


def check(source: Path, out: Path, options: Mapping[str, Any]) -> UpToDate | None:
    """The stamp's answer when nothing changed since the build that wrote it, else None."""
    if not _usable(options):
        return None
    try:
        asked = invocation(source, out, options)
        cache = _cache(options)
        key = _stamp_key(asked["out_real"])
        data = cache.get_stamp(key)
        if not isinstance(data, dict) or not _same(data.get("asked"), asked):
            return None
        same_code, new_state = _code_now(data["code"])
        if not same_code:
            return None
        if not (_outputs_hold(asked["out_real"], data["outputs"])
                and _inputs_hold(data["inputs"])):
            return None
        if new_state is not None:
            # Same code, found the slow way (a folder on sys.path was touched):
            # remember the new state so that the next check is quick again.
            data["code"] = [data["code"][0], new_state]
            cache.put_stamp(key, data)
        return UpToDate([str(w) for w in data["warnings"]], [str(f) for f in data["files"]])
    except Exception:  # noqa: BLE001 - a stamp is only a shortcut: when in doubt, build
        return None


def _code_now(recorded: list[Any]) -> tuple[bool, list[list[Any]] | None]:
    """-> (publikasi's code is as recorded, its state to record now if that differs).

    The state is compared first; when it differs (or was racy), the code
    itself decides (:func:`publikasi.cache.environment_key`)."""
    key, state = recorded
    now = code_state()
    if state is not None and _same(state, now):
        return True, None
    from .cache import environment_key

    return key == environment_key(), now


def _same(recorded: Any, asked: Any) -> bool:
    return json.dumps(recorded, sort_keys=True) == json.dumps(asked, sort_keys=True)


def _file_holds(path: str, recorded: list[Any] | None, digest: str | None) -> bool:
    try:
        st = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return recorded is None
    if recorded is None or not stat.S_ISREG(st.st_mode):
        return False
    now = _stat_of(st)
    if now == tuple(recorded[:4]) and digest is None:
        return True
    return digest is not None and now[0] == recorded[0] and file_sha256(path) == digest


def _outputs_hold(out_real: str, outputs: dict[str, list[Any]]) -> bool:
    from .atomic import STAGING_PREFIX

    # A commit a killed build left half-done is finished by a real build.
    with os.scandir(out_real) as entries:
        if any(e.name.startswith(STAGING_PREFIX) for e in entries):
            return False
    return all(_file_holds(os.path.join(out_real, rel), rec, rec[4])
               for rel, rec in outputs.items())


def _inputs_hold(inputs: dict[str, Any]) -> bool:
    digests = inputs["digests"]
    for path, recorded in inputs["files"].items():
        if not _file_holds(path, recorded, digests.get(path)):
            return False
    for path, target in inputs["links"].items():
        try:
            if os.readlink(path) != target:
                return False
        except OSError:
            return False
    skip = set(inputs["skip"])
    for folder, listing in inputs["dirs"].items():
        now = Snapshot()
        _walk(folder, skip, now, recursive=False)
        if now.dirs[folder] != listing:
            return False
    return True


__all__ = ["Recorder", "UpToDate", "check", "invocation", "recorder"]
