"""YAML that remembers lines: the corpus files loaded with the line of every key and item.

Every problem the corpus reader reports points at a line of the file the annotator edits; this
module loads YAML into mappings and sequences that keep those lines (:func:`load_yaml`), finds the
line of any value by its path (:func:`line_of`), and collects a file's problems located that way
(:class:`FileProblems`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from sahelkg.errors import Problem


class LineDict(dict[Any, Any]):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence that remembers the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    d = LineDict()
    d.line = node.start_mark.line + 1
    d.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in d:
            loader.duplicate_keys.append((key_node.start_mark.line + 1, str(key)))
        d[key] = loader.construct_object(value_node, deep=True)
        d.key_lines[key] = key_node.start_mark.line + 1
    return d


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> LineList:
    seq = LineList(loader.construct_object(child, deep=True) for child in node.value)
    seq.line = node.start_mark.line + 1
    seq.item_lines = [child.start_mark.line + 1 for child in node.value]
    return seq


def _line_keeping(base: Any) -> Any:
    """A subclass of the SafeLoader ``base`` that keeps dates as strings, records lines, and notes
    duplicate keys (in ``duplicate_keys``: ``(line, key)``)."""

    class LineKeepingLoader(base):
        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self.duplicate_keys: list[tuple[int, str]] = []

    # Dates stay text: "2021-09-24" is validated by the reader, not turned into a datetime by YAML.
    LineKeepingLoader.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    LineKeepingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    LineKeepingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    return LineKeepingLoader


_Loader = _line_keeping(yaml.SafeLoader)
# The same loader on libyaml's C parser when PyYAML has it: about ten times faster, and parsing is
# most of the time spent reading a large corpus. Its error messages are worded differently, so a
# file it rejects is read again by the pure-Python _Loader, whose error is the one reported.
_FastLoader = _line_keeping(yaml.CSafeLoader) if getattr(yaml, "__with_libyaml__", False) else None


def _load(loader_class: type, text: str) -> tuple[Any, list[tuple[int, str]]]:
    """``(data, duplicate keys)`` of ``text``; :raises yaml.YAMLError: it is not YAML."""
    loader = loader_class(text)
    try:
        return loader.get_single_data(), loader.duplicate_keys
    finally:
        loader.dispose()


def load_yaml(path: Path, problems: list[Problem]) -> Any:
    """Parse a YAML file keeping line numbers; a syntax error becomes a Problem (returns None)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        problems.append(Problem(str(path), None, f"cannot read the file: {e}"))
        return None
    try:
        data, duplicates = _load(_FastLoader, text) if _FastLoader is not None else _load(_Loader, text)
    except yaml.YAMLError:
        try:
            data, duplicates = _load(_Loader, text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = mark.line + 1 if mark else None
            what = getattr(e, "problem", None) or str(e)
            problems.append(Problem(str(path), line, f"malformed YAML: {what}; fix the syntax (indentation, quoting, colons)"))
            return None
    for line, key in duplicates:
        problems.append(Problem(str(path), line, f"duplicate key {key!r}: each key may appear once in a mapping"))
    return data


def line_of(data: Any, path: Iterable[Any]) -> int | None:
    """The line of the value at ``path`` (keys and indexes) inside loaded YAML."""
    line = getattr(data, "line", None)
    node = data
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line


class FileProblems:
    """Collects the problems of one loaded file, each located at the line of a YAML path."""

    def __init__(self, file: str, data: Any, problems: list[Problem]) -> None:
        self.file, self.data, self.problems = file, data, problems

    def error(self, path: Iterable[Any], message: str) -> None:
        self.problems.append(Problem(self.file, line_of(self.data, list(path)), message))

    def warning(self, path: Iterable[Any], message: str) -> None:
        self.problems.append(Problem(self.file, line_of(self.data, list(path)), message, "warning"))
