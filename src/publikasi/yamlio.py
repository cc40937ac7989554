"""Safe, bounded YAML loading that remembers the line of every top-level key.

Only PyYAML's safe constructors are used (no Python object tags).  Three
bounds keep a hostile or broken file from hanging a build: the text size
(:data:`MAX_YAML_BYTES`), the number of aliases, and the size of the data once
every alias is expanded (:data:`MAX_YAML_NODES`, the "billion laughs" guard;
counting is done on the node graph, so it costs no more than the file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problems, fail

MAX_YAML_BYTES = 1_000_000
MAX_ALIASES = 100
MAX_YAML_NODES = 100_000  # values after alias expansion; a release file has a few hundred
MAX_YAML_DEPTH = 50

# PyYAML refuses the whole document when it meets a control character; pasted
# titles carry them (vertical tab, form feed, C1 bytes from Windows-1252).  The
# model removes them anyway, so remove them before parsing.  NEL, LS and PS are
# line breaks to YAML but not to editors: they become spaces so that line
# numbers in messages match what the user sees.
_YAML_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd"
                               "\U00010000-\U0010ffff]")
_YAML_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses alias-heavy documents before anything walks them."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                event = self.peek_event()
                raise _Refused(f"more than {MAX_ALIASES} aliases (`*name`); "
                               "write the values out", event.start_mark.line)
        return super().compose_node(parent, index)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    # PyYAML recognises `2025-02-30` as a timestamp and then lets datetime's
    # ValueError escape, which would make the whole file unreadable.  Keep the
    # text instead: the key's own parser reports it at its line, and every
    # other problem of the source is still found in the same run.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return str(node.value)


_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


# libyaml's parser (PyYAML's C extension) reads front matter ~9x faster than
# the pure-Python one.  It is used when the text cannot hold an alias (no
# `*`), so the alias bound holds without counting events, and has few flow
# brackets (its composer recurses on the C stack, one frame per `[`/`{`).
# Any error re-parses with the pure loader, whose messages and lines are the
# ones users see, so both give the same result or the same error.
MAX_FAST_FLOW_BRACKETS = 1000


def _c_loader() -> Any:
    """libyaml's safe loader with our timestamp rule; None when PyYAML was built without it."""
    base = getattr(yaml, "CSafeLoader", None)
    if base is None:
        return None
    loader: Any = type("_CBoundedLoader", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
    return loader


_C_LOADER = _c_loader()


def _fast_loader_fits(text: str) -> bool:
    return (_C_LOADER is not None and "*" not in text
            and text.count("[") + text.count("{") <= MAX_FAST_FLOW_BRACKETS)


class _Refused(Exception):
    def __init__(self, message: str, line0: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line0 = line0


def _check_size(root: yaml.Node) -> None:
    """Refuse node graphs that expand to more than MAX_YAML_NODES values or nest too deep."""
    sizes: dict[int, int] = {}
    # Iterative post-order walk with memoisation: a shared (aliased) node is
    # counted once per use without being walked again.
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, expanded = stack.pop()
        if id(node) in sizes and not expanded:
            continue
        if depth > MAX_YAML_DEPTH:
            raise _Refused(f"nested more than {MAX_YAML_DEPTH} levels deep",
                           node.start_mark.line)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if not expanded:
            stack.append((node, depth, True))
            for child in children:
                if id(child) not in sizes:
                    stack.append((child, depth + 1, False))
            continue
        total = 1 + sum(sizes.get(id(c), 1) for c in children)
        if total > MAX_YAML_NODES:
            raise _Refused(f"expands to more than {MAX_YAML_NODES:,} values "
                           "(too many aliases?)", node.start_mark.line)
        sizes[id(node)] = total


def _check_duplicate_keys(root: yaml.Node, file: Path, first_line: int) -> None:
    """Refuse a mapping (at any depth) that names a key twice; YAML would keep the last."""
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key_node, value_node in node.value:
                if (isinstance(key_node, yaml.ScalarNode)
                        and key_node.tag != "tag:yaml.org,2002:merge"):
                    key = (key_node.tag, str(key_node.value))
                    line = key_node.start_mark.line + first_line
                    if key in first:
                        raise fail(file, f"duplicate key `{key_node.value}` (first on line "
                                   f"{first[key]}); YAML would silently keep only the last",
                                   line)
                    first[key] = line
                stack.extend((key_node, value_node))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


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
    on line 2).  Raises :class:`~publikasi.errors.InputError` for invalid or
    oversized YAML, a top level that is not a mapping, non-text keys and
    a key repeated in any mapping.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise fail(file, f"YAML is larger than {MAX_YAML_BYTES // 1000} kB", first_line)
    text = _YAML_ODD_BREAKS.sub(" ", _YAML_UNPRINTABLE.sub("", text))
    if _fast_loader_fits(text):
        try:
            return _load(_C_LOADER(text), file, first_line)
        except InputError:
            pass  # the pure loader below says what is wrong, in its words
    return _load(_BoundedLoader(text), file, first_line)


def _load(loader: Any, file: Path, first_line: int) -> YamlDoc:
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc({}, {}, file, first_line)
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            raise fail(file, f"expected a mapping of `key: value` lines, found {kind}",
                       node.start_mark.line + first_line)
        _check_size(node)
        _check_duplicate_keys(node, file, first_line)
        lines: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines.setdefault(str(key_node.value), key_node.start_mark.line + first_line)
        data = loader.construct_document(node)
    except _Refused as exc:
        line = exc.line0 + first_line if exc.line0 is not None else first_line
        raise fail(file, f"invalid YAML: {exc.message}", line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else first_line
        msg = f"invalid YAML: {exc.problem or exc.context or 'syntax error'}"
        if "could not determine a constructor" in str(exc):
            msg = "invalid YAML: tags such as `!!python/...` are not allowed"
        raise fail(file, msg, line) from None
    except yaml.YAMLError as exc:
        raise fail(file, f"invalid YAML: {exc}", first_line) from None
    except RecursionError:
        raise fail(file, "invalid YAML: nested too deeply", first_line) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise fail(file, "expected a mapping of `key: value` lines at the top level", first_line)
    for key in data:
        if not isinstance(key, str):
            where = next((k.start_mark.line + first_line for k, _ in node.value
                          if not isinstance(k, yaml.ScalarNode) or k.value == str(key)), first_line)
            raise fail(file, f"keys must be text, not {type(key).__name__} {str(key)[:40]!r}; "
                       "quote the key", where)
    return YamlDoc(data, lines, file, first_line)


def read_text_file(path: Path, what: str = "file", problems: Problems | None = None) -> str:
    """Read a UTF-8 (optionally BOM-prefixed) or BOM-marked UTF-16 text file.

    Raises InputError (naming ``path`` and, for bad UTF-8, the line) for a
    missing file, a folder or another non-regular file (a FIFO), binary data,
    UTF-16 without a byte-order mark and text in another encoding.
    """
    from .regular import read_regular

    raw = read_regular(path, what)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise fail(path, f"{what} says it is UTF-16 but is damaged; save it as UTF-8") \
                from None
    if b"\x00" in raw:
        if looks_like_utf16(raw):
            raise fail(path, f"{what} is UTF-16 without a byte-order mark; save it as UTF-8")
        raw = drop_stray_nuls(raw, path, what, problems)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(path, "not valid UTF-8 text (another encoding?); save it as UTF-8",
                   line) from None


# Text copied out of a PDF or an old system can carry a stray NUL byte; a file
# where more than this share of the bytes are control characters is binary
# data, not text.
MAX_CONTROL_SHARE = 0.01
_C0_CONTROLS = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")


def drop_stray_nuls(raw: bytes, path: Path, what: str, problems: Problems | None) -> bytes:
    """``raw`` without its few NUL bytes, each warned about with its line;
    an error when there are too many for a text file."""
    controls = len(_C0_CONTROLS.findall(raw))
    if controls > max(8, len(raw) * MAX_CONTROL_SHARE):
        raise fail(path, f"{what} is a binary file, not text")
    if problems is not None:
        lines: list[int] = []
        line, start, at = 1, 0, raw.find(b"\x00")
        while at >= 0:
            line += raw.count(b"\n", start, at)
            if not lines or lines[-1] != line:
                lines.append(line)
            start, at = at, raw.find(b"\x00", at + 1)
        for line in lines:
            problems.warn(path, "stray NUL character removed (text copied from a PDF or an "
                          "old system?)", line)
    return raw.replace(b"\x00", b"")


def looks_like_utf16(raw: bytes) -> bool:
    """True when every other byte is mostly NUL, as in UTF-16 Latin text."""
    sample = raw[:4000]
    if len(sample) < 4:
        return False
    even = sample[0::2].count(0) / len(sample[0::2])
    odd = sample[1::2].count(0) / max(len(sample[1::2]), 1)
    return max(even, odd) > 0.3 and min(even, odd) < 0.05
