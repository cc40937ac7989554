"""Owned outputs: the record of what publikasi wrote into an output folder.

Every build writes ``OUT/.publikasi-manifest.json`` in the same atomic commit
as its outputs: for each format, the files that format wrote and their
sha256.  The next build reads it (holding the folder's lock) and removes the
files an earlier build wrote for a format this build makes that this build
no longer writes: the Word file of an article whose slug changed or that was
removed.  Formats this build does not make keep their files and their
entries (``-f pdf`` never removes Word files).  A file is removed only when
it still holds the bytes publikasi wrote: a file someone replaced or edited
since, and every file publikasi never wrote, stays.

The manifest is read as untrusted input: a path that is absolute, climbs
out with ``..``, passes through a symlink or names publikasi's own
bookkeeping is ignored, and a manifest that does not parse counts as none.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

MANIFEST_NAME = ".publikasi-manifest.json"
VERSION = 1

Files = dict[str, dict[str, str]]  # format -> relative path -> sha256


def safe_relpath(rel: object) -> str | None:
    """``rel`` as a clean relative POSIX path inside a folder, or None when it is not one."""
    if not isinstance(rel, str) or not rel or "\x00" in rel or "\\" in rel:
        return None
    path = PurePosixPath(rel)
    if path.is_absolute() or any(part in ("", ".", "..") for part in rel.split("/")):
        return None
    if path.parts[0].startswith(".publikasi"):  # the lock, staging folders, this manifest
        return None
    return str(path)


def read(out: Path) -> Files:
    """The manifest in ``out``; {} when there is none or it cannot be trusted as a whole."""
    path = out / MANIFEST_NAME
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return {}
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION \
            or not isinstance(data.get("formats"), dict):
        return {}
    found: Files = {}
    for fmt, files in data["formats"].items():
        if not isinstance(fmt, str) or not isinstance(files, dict):
            continue
        found[fmt] = {rel: sha for rel, sha in files.items()
                      if safe_relpath(rel) == rel and isinstance(sha, str)}
    return found


def render(files: Files) -> bytes:
    """The manifest's bytes: sorted, so equal content gives equal bytes."""
    body = {"version": VERSION,
            "formats": {fmt: dict(sorted(paths.items())) for fmt, paths in sorted(files.items())}}
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def file_sha256(path: Path | str) -> str | None:
    """sha256 of a regular file (not followed through a symlink), None otherwise
    or when it cannot be read.  O_NONBLOCK: opening a FIFO must not wait for a writer."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def inside(out: Path, rel: str) -> bool:
    """True when every folder on the way from ``out`` to ``rel`` is a real folder (no symlink)."""
    p = out
    for part in PurePosixPath(rel).parts[:-1]:
        p = p / part
        try:
            if not stat.S_ISDIR(os.lstat(p).st_mode):
                return False
        except OSError:
            return False
    return True


def plan(out: Path, old: Files, new: Mapping[str, Iterable[str]], staging: Path,
         ) -> tuple[Files, list[str]]:
    """-> (the manifest to write, the files of earlier builds to remove).

    ``new`` maps each format this build makes to the files it wrote below
    ``staging``.
    """
    merged: Files = {fmt: dict(paths) for fmt, paths in old.items() if fmt not in new}
    produced: set[str] = set()
    for fmt, rels in new.items():
        entry = merged.setdefault(fmt, {})
        for rel in rels:
            sha = file_sha256(staging / rel)
            if sha is not None:
                entry[rel] = sha
                produced.add(rel)
    stale: list[str] = []
    for fmt in new:
        for rel, sha in sorted(old.get(fmt, {}).items()):
            if rel in produced or rel in stale:
                continue
            if inside(out, rel) and file_sha256(out / rel) == sha:
                stale.append(rel)
    # Another format that is kept may still own the same path: keep its file.
    kept = {rel for fmt, paths in merged.items() if fmt not in new for rel in paths}
    return merged, [rel for rel in stale if rel not in kept]


__all__ = ["MANIFEST_NAME", "file_sha256", "inside", "plan", "read", "render", "safe_relpath"]
