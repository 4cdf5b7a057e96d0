"""Reads YAML with the line of every value kept, so validation can say `file:line` for each problem.

Only what `yaml.safe_load` accepts is accepted: the loader is a `SafeLoader` whose mappings and sequences
remember where each item started. Nothing else about the data changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.errors import KnowledgeError, Problem


class LocatedDict(dict[Any, Any]):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A YAML sequence that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class _LocatedLoader(yaml.SafeLoader):
    """SafeLoader that builds LocatedDict / LocatedList instead of dict / list."""


def _construct_mapping(loader: _LocatedLoader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError as error:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found an unhashable key", key_node.start_mark
            ) from error
        if key in result:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LocatedLoader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse_located(text: str, path: str) -> Any:
    """Parse YAML text; a syntax error becomes a KnowledgeError pointing at the line."""
    try:
        return yaml.load(text, Loader=_LocatedLoader)  # _LocatedLoader is a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = error.problem or str(error)
        raise KnowledgeError([Problem(path, line, f"this is not valid YAML ({reason})")]) from error
    except yaml.YAMLError as error:
        raise KnowledgeError([Problem(path, 1, f"this is not valid YAML ({error})")]) from error


def load_located(path: Path, shown_as: str | None = None) -> Any:
    """Read and parse one YAML file; `shown_as` is the name used in problems (defaults to the path)."""
    name = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise KnowledgeError([Problem(name, 1, "the file is not UTF-8 text; save it as UTF-8")]) from error
    except OSError as error:
        raise KnowledgeError([Problem(name, 1, f"cannot read the file ({error.strerror})")]) from error
    return parse_located(text, name)
