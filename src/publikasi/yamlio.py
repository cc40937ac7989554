"""Safe, bounded YAML loading that remembers the line of every top-level key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import fail

MAX_YAML_BYTES = 1_000_000
MAX_ALIASES = 100


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses "billion laughs" documents early.

    Anchors and aliases are legal YAML, but a document that expands through
    many aliases is an attack on whatever walks the data later; a release
    file has no reason to use more than a handful.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                event = self.peek_event()
                raise yaml.YAMLError(
                    f"too many YAML aliases (more than {MAX_ALIASES}) near line "
                    f"{event.start_mark.line + 1}"
                )
        return super().compose_node(parent, index)


@dataclass
class YamlDoc:
    data: dict[str, Any]
    lines: dict[str, int]  # top-level key -> 1-based line in the file
    file: Path
    first_line: int = 1

    def line(self, key: str) -> int | None:
        return self.lines.get(key)


def load_mapping(text: str, file: Path, first_line: int = 1) -> YamlDoc:
    """Parse ``text`` as a YAML mapping; errors name ``file`` and its line.

    ``first_line`` is the file line where ``text`` starts (front matter starts
    on line 2).
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise fail(file, f"YAML is larger than {MAX_YAML_BYTES // 1000} kB", first_line)
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc({}, {}, file, first_line)
        if not isinstance(node, yaml.MappingNode):
            raise fail(file, "expected a mapping of `key: value` lines at the top level",
                       node.start_mark.line + first_line)
        lines: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines.setdefault(str(key_node.value), key_node.start_mark.line + first_line)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        msg = exc.problem or str(exc)
        raise fail(file, f"invalid YAML: {msg}", line) from None
    except yaml.YAMLError as exc:
        raise fail(file, f"invalid YAML: {exc}", first_line) from None
    except RecursionError:
        raise fail(file, "invalid YAML: nested too deeply", first_line) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise fail(file, "expected a mapping of `key: value` lines at the top level", first_line)
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise fail(file, f"keys must be text, not {bad[0]!r}", first_line)
    return YamlDoc(data, lines, file, first_line)


def read_text_file(path: Path, what: str = "file") -> str:
    """Read a UTF-8 (optionally BOM-prefixed) text file with clear errors."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail(path, f"{what} not found") from None
    except IsADirectoryError:
        raise fail(path, f"{what} is a folder, expected a file") from None
    except OSError as exc:
        raise fail(path, f"cannot read {what}: {exc.strerror}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw:
        raise fail(path, f"{what} is binary or UTF-16 without a byte-order mark; save it as UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(path, "not valid UTF-8 text; save it as UTF-8", line) from None
