"""Errors that reach the user.

:class:`InputError` carries one or more :class:`Problem` objects, each printed
as ``error: FILE[:LINE]: message`` and mapped to exit status 2 by the CLI.
Anything else that escapes is a bug (exit status 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Characters a terminal acts on instead of showing: C0 and C1 controls (ANSI
# escapes, a newline forging a second `error:` line) and the bidi controls
# that reorder what follows.  File names may hold any of them.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                              "\u2066-\u2069]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def terminal_safe(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\n``)."""

    def escape(m: re.Match[str]) -> str:
        ch = m.group()
        if ch in _NAMED_ESCAPES:
            return _NAMED_ESCAPES[ch]
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _TERMINAL_UNSAFE.sub(escape, text)


@dataclass(frozen=True)
class Guess:
    """What a reader's guess is about: the field (its ``inspect`` key) and why.

    ``reason`` is a key of :data:`publikasi.readers.guesses.REASONS`, whose
    texts (Indonesian and English) take ``values`` as placeholders; the desk
    shows it next to the field.  The warning's ``message`` stays the CLI's text.
    """

    field: str
    reason: str
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    line: int | None = None
    guess: Guess | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class PublikasiError(Exception):
    """Base class of the errors publikasi raises on purpose."""


class InputError(PublikasiError):
    """The source (or the command line) is wrong; nothing was written."""

    def __init__(self, problems: list[Problem] | Problem,
                 warnings: list[Problem] | None = None):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        # Warnings found before the errors (e.g. "unknown key `titel`; did you
        # mean `title`?"): they often explain the error, so they are shown too.
        self.warnings = list(warnings or [])
        super().__init__("; ".join(str(p) for p in self.problems))


def shown(path: str | Path) -> str:
    """``path`` as a user would type it: relative to the current folder when inside it."""
    p = Path(path)
    if p.is_absolute():
        try:
            return str(p.relative_to(Path.cwd()))
        except ValueError:
            pass
    return str(p)


def problem(file: str | Path | None, message: str, line: int | None = None,
            guess: Guess | None = None) -> Problem:
    return Problem(str(file) if file is not None else "-", message, line, guess)


def fail(file: str | Path | None, message: str, line: int | None = None) -> InputError:
    """Build an InputError for one problem (``raise fail(path, "why")``)."""
    return InputError(problem(file, message, line))


class Problems:
    """Collects problems so a run reports all of them at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.warnings: list[Problem] = []

    def add(self, file: str | Path | None, message: str, line: int | None = None,
            guess: Guess | None = None) -> None:
        self.items.append(problem(file, message, line, guess))

    def warn(self, file: str | Path | None, message: str, line: int | None = None,
             guess: Guess | None = None) -> None:
        self.warnings.append(problem(file, message, line, guess))

    def extend(self, err: InputError) -> None:
        self.items.extend(err.problems)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items, self.warnings)

    def __bool__(self) -> bool:
        return bool(self.items)
