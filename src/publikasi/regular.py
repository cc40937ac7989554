"""Open input files by name, refusing anything that is not a regular file.

Opening a FIFO for reading blocks until a writer appears (for ever, if none
does), and a device such as ``/dev/zero`` never ends: an input named
``rilis.txt`` or ``foto.jpg`` may be either.  Every file publikasi opens by a
name that came from a user, a source folder or a document goes through
:func:`open_regular` (or :func:`read_regular`), which opens without blocking,
checks the opened file itself (no race between a check and the open) and
raises :class:`~publikasi.errors.InputError` at once for anything else.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import fail

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def not_regular(mode: int, what: str = "file") -> str:
    """The error message for a ``stat`` mode that is not a regular file."""
    return f"is {_kind(mode)}, not a regular {what}; refused"


def open_regular(path: Path, what: str = "file") -> BinaryIO:
    """``path`` opened for binary reading; InputError naming it when it is not a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) \
        | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise fail(path, f"{what} not found") from None
    except IsADirectoryError:
        raise fail(path, not_regular(stat.S_IFDIR, what)) from None
    except OSError as exc:
        raise fail(path, f"cannot read {what}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise fail(path, not_regular(mode, what))
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, what: str = "file", limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most ``limit + 1`` of them when a limit is given)."""
    with open_regular(path, what) as fh:
        try:
            return fh.read() if limit is None else fh.read(limit + 1)
        except OSError as exc:
            raise fail(path, f"cannot read {what}: {exc.strerror or exc}") from None


def require_regular(path: Path, what: str = "file") -> None:
    """InputError unless ``path`` (symlinks followed) is an existing regular file."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise fail(path, f"{what} not found") from None
    except OSError as exc:
        raise fail(path, f"cannot read {what}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise fail(path, not_regular(mode, what))


__all__ = ["not_regular", "open_regular", "read_regular", "require_regular"]
