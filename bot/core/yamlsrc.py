"""Reads YAML with the line of every value kept, so validation can say `file:line` for each problem.

Only what `yaml.safe_load` accepts is accepted: the loader is a `SafeLoader` whose mappings and sequences
remember where each item started. Nothing else about the data changes. LibYAML's parser reads the text when
PyYAML has it (ten times faster: the pure-Python parser was a third of `advisor ask`'s start-up); a file it refuses
is read again by the pure-Python one, so what is refused and how the problem is worded stay as they were.

Two limits keep a hostile or mistaken file from eating the machine: a file over `MAX_FILE_BYTES`, and YAML aliases
(`*name`) that would expand the document by more than `MAX_ALIAS_EXPANSION` nodes (a "billion laughs" bomb), are
refused before anything is built.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.errors import KnowledgeError, Problem

#: The largest knowledge file read; a knowledge base is split over several entry files long before this.
MAX_FILE_BYTES = 4_000_000
#: How many nodes aliases may add to a document beyond those written out (a merge key or two is far below it).
MAX_ALIAS_EXPANSION = 10_000


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


#: Which parser `parse_located` uses.
Parser = Literal["auto", "libyaml", "python"]
#: The same loader on LibYAML's parser, when PyYAML was built with it (the marks carry the same lines).
_FastLoader: type[Any] | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _CLocatedLoader(yaml.CSafeLoader):
        """CSafeLoader that builds LocatedDict / LocatedList instead of dict / list."""

    _FastLoader = _CLocatedLoader
#: PyYAML has LibYAML's parser here.
LIBYAML = _FastLoader is not None


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


for _loader in (_LocatedLoader, _FastLoader):
    if _loader is not None:
        _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
        _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _expanded_size(root: yaml.Node, path: str) -> int:
    """How many nodes the document has once every alias is expanded; refuses a cycle (an alias inside itself)."""
    sizes: dict[int, int] = {}
    busy: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in busy:
            line = node.start_mark.line + 1
            cycle = "an alias refers to the list or mapping it is inside; remove it"
            raise KnowledgeError([Problem(path, line, cycle)])
        busy.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        busy.discard(key)
        sizes[key] = total
        return total

    total = size(root)
    written = len(sizes)
    if total - written > MAX_ALIAS_EXPANSION:
        bomb = f"YAML aliases (*name) expand this file to {total:,} values; write the values out instead"
        raise KnowledgeError([Problem(path, 1, bomb)])
    return total


def parse_located(text: str, path: str, parser: Parser = "auto") -> Any:
    """Parse YAML text; a syntax error becomes a KnowledgeError pointing at the line.

    `parser` is for tests: "auto" is LibYAML's when there, then the pure-Python one if LibYAML's refused the text.
    """
    if _FastLoader is not None and parser != "python":
        try:
            return _parse(_FastLoader(text), path)
        except (KnowledgeError, RecursionError, yaml.YAMLError):
            if parser == "libyaml":
                raise
            # the pure-Python parser decides, and words the problem, as it always has
    elif parser == "libyaml":
        raise RuntimeError("PyYAML was built without LibYAML")
    return _parse(_LocatedLoader(text), path)


def _parse(loader: Any, path: str) -> Any:
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, path)
        return loader.construct_document(node)
    except RecursionError as error:
        raise KnowledgeError([Problem(path, 1, "the YAML is nested too deeply; flatten it")]) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = error.problem or str(error)
        raise KnowledgeError([Problem(path, line, f"this is not valid YAML ({reason})")]) from error
    except yaml.YAMLError as error:
        raise KnowledgeError([Problem(path, 1, f"this is not valid YAML ({error})")]) from error
    finally:
        loader.dispose()


def read_source(path: Path, name: str) -> bytes:
    """The bytes of one knowledge file; a folder, a symlink loop, an unreadable or oversized file is a problem."""
    try:
        if path.is_dir():
            raise KnowledgeError([Problem(name, 1, "this is a folder, not a file; rename or remove it")])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise KnowledgeError(
                [Problem(name, 1, f"the file has {size:,} bytes, more than {MAX_FILE_BYTES:,}; split it in two")]
            )
        return path.read_bytes()
    except OSError as error:
        if error.errno == errno.ELOOP:
            reason = "it is a symbolic link that leads back to itself; replace it with the file"
        elif error.errno == errno.ENOENT and path.is_symlink():
            reason = "it is a symbolic link to a file that does not exist"
        else:
            reason = f"cannot read the file ({error.strerror})"
        raise KnowledgeError([Problem(name, 1, reason)]) from error


def load_located(path: Path, shown_as: str | None = None, seen: Callable[[bytes], object] | None = None) -> Any:
    """Read and parse one YAML file; `shown_as` is the name used in problems (defaults to the path).

    `seen` is given the raw bytes before they are parsed (the knowledge version is a hash of every file).
    """
    name = shown_as or str(path)
    raw = read_source(path, name)
    if seen is not None:
        seen(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise KnowledgeError([Problem(name, 1, "the file is not UTF-8 text; save it as UTF-8")]) from error
    return parse_located(text, name)
