"""Typed theme settings: a dataclass declares the keys, types, ranges and defaults.

An exporter declares its settings as a dataclass whose fields have defaults
(nested dataclasses are TOML tables); :func:`setting` adds a range or a list
of choices.  :func:`check` validates one TOML file against the dataclass and
reports every problem as ``FILE:LINE: message`` (unknown key with a hint,
wrong type, out of range); :func:`build` makes the typed value of the merged
settings of a theme chain.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from .errors import Problems

T = TypeVar("T")


def setting(default: Any, *, lo: float | None = None, hi: float | None = None,
            choices: tuple[str, ...] | None = None) -> Any:
    """A settings field with an (immutable) default and an optional range or choices.

    A nested table is ``field(default_factory=ItsDataclass)``; a free table of
    strings (``[colors]``) is ``dict[str, str] = field(default_factory=dict)``.
    """
    return dataclasses.field(default=default, metadata={"lo": lo, "hi": hi, "choices": choices})


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


_KEY = r'(?:[A-Za-z0-9_-]+|"[^"]*")'
_KEY_LINE = re.compile(rf"\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*=")
_HEADER = re.compile(r"\s*\[\[?\s*([^\]]+?)\s*\]\]?")


class TomlLines:
    """Where each key of a TOML file is written (``tomllib`` gives no positions)."""

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[str, ...], int] = {}
        table_path: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), 1):
            header = _HEADER.match(line)
            if header:
                table_path = _dotted(header.group(1))
                self.lines.setdefault(table_path, number)
                continue
            key = _KEY_LINE.match(line)
            if key:
                self.lines.setdefault(table_path + _dotted(key.group(1)), number)

    def line(self, path: tuple[str, ...]) -> int | None:
        """The line of ``path``, or of the nearest table that holds it."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip('"') for part in re.findall(r'"[^"]*"|[^.]+', text))


def _type_name(kind: Any) -> str:
    if dataclasses.is_dataclass(kind):
        return "a table"
    if typing.get_origin(kind) is dict:
        return "a table"
    return {bool: "true or false", int: "a whole number", float: "a number",
            str: "a string"}.get(kind, str(kind))


def check(cls: type, data: Mapping[str, Any], file: Path, lines: TomlLines,
          problems: Problems, path: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> None:
    """Add a problem to ``problems`` for every key of ``data`` that ``cls`` does not accept."""
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key, value in data.items():
        where = (*path, key)
        line = lines.line(where)
        name = ".".join(where)
        if key in skip and not path:
            continue
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else \
                f"; known keys: {', '.join(sorted(fields))}" if fields else ""
            problems.add(file, f"unknown setting `{name}`{hint}", line)
            continue
        kind: Any = hints[key]
        meta = fields[key].metadata
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            if not isinstance(value, dict):
                problems.add(file, f"`{name}` must be a table ([{name}])", line)
            else:
                check(kind, value, file, lines, problems, where)
            continue
        if typing.get_origin(kind) is dict:
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                problems.add(file, f"`{name}` must be a table of strings", line)
            continue
        if typing.get_origin(kind) is tuple:  # tuple[str, ...]: a TOML array of strings
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.add(file, f"`{name}` must be a list of strings, not {value!r}", line)
                continue
            for item in value:
                message = _wrong_value(str, item, meta)
                if message:
                    problems.add(file, f"`{name}`: {item!r} {message.split(', not ')[0]}", line)
            continue
        message = _wrong_value(kind, value, meta)
        if message:
            problems.add(file, f"`{name}` {message}", line)


def _wrong_value(kind: Any, value: Any, meta: Mapping[str, Any]) -> str | None:
    ok = (isinstance(value, bool) if kind is bool else
          isinstance(value, int) and not isinstance(value, bool) if kind is int else
          isinstance(value, (int, float)) and not isinstance(value, bool) if kind is float else
          isinstance(value, str) if kind is str else True)
    if not ok:
        return f"must be {_type_name(kind)}, not {value!r}"
    choices = meta.get("choices")
    if choices and value not in choices:
        return f"must be one of {', '.join(choices)}, not {value!r}"
    lo, hi = meta.get("lo"), meta.get("hi")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return f"must be from {lo} to {hi}, not {value!r}"
    return None


def build(cls: type[T], data: Mapping[str, Any]) -> T:
    """The typed settings of (already checked) ``data``; missing keys keep their defaults."""
    klass: Any = cls  # a dataclass (mypy cannot bound a TypeVar to "any dataclass type")
    hints = _hints(klass)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(klass):
        if f.name not in data:
            continue
        value = data[f.name]
        kind: Any = hints[f.name]
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            value = build(kind, value)
        elif kind is float:
            value = float(value)
        elif typing.get_origin(kind) is dict:
            value = dict(value)
        elif typing.get_origin(kind) is tuple:
            value = tuple(value)
        values[f.name] = value
    return cls(**values)
