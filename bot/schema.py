"""Checks data read from a file against its declared shape (msgspec), reporting every problem at its line.

The shape of a file is a frozen dataclass or msgspec Struct: field types, defaults (written once, there) and constraints
as `Annotated[..., msgspec.Meta(ge=…, pattern=…, extra={"fix": "what to write instead"})]`. msgspec checks each value
and converts it; this module only walks the declared fields one by one, because msgspec stops at the first problem and
names a dict key as `[...]`, while an admin needs every problem of a file at once, each at its own line (the located
YAML loader, bot/core/yamlsrc.py, knows the lines). A `report(line, where, message)` callback receives them: the
knowledge loaders collect `file:line: where: message` problems, the config loader raises on the first.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Final, TypeVar

import msgspec

T = TypeVar("T")

#: What a `report` callback receives: the line (1 when the data has none), the dotted place, what is wrong.
Report = Callable[[int, str, str], None]


class _Failed:
    """The result of a value that did not fit (None is a valid value of an optional field)."""

    def __repr__(self) -> str:
        return "FAILED"


FAILED: Final = _Failed()

_WORDS: Final = {
    "str": "a text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "nothing",
}
_EXPECTED = re.compile(r"Expected `([^`]+)`, got `([^`]+)`")
_AT = re.compile(r" - at `\$(.*)`$")
_INDEX = re.compile(r"^\[(\d+)\]")


def kind_of(value: object) -> str:
    """How a YAML value reads to an admin: 'a mapping', 'a list', 'a text', …"""
    if isinstance(value, bool):
        return _WORDS["bool"]
    if isinstance(value, Mapping):
        return _WORDS["object"]
    if isinstance(value, list | tuple):
        return _WORDS["array"]
    if isinstance(value, str):
        return _WORDS["str"]
    if isinstance(value, int):
        return _WORDS["int"]
    if isinstance(value, float):
        return _WORDS["float"]
    if value is None:
        return _WORDS["null"]
    return type(value).__name__


def line_of(node: object, key: object, default: int) -> int:
    """The line of `key` inside a located mapping or list (bot/core/yamlsrc.py); `default` for plain data."""
    finder = getattr(node, "line_of", None)
    if finder is None:
        return default
    line = finder(key)
    return line if isinstance(line, int) and line > 0 else default


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _unwrap(kind: Any) -> tuple[Any, dict[str, Any]]:
    """(the type under `Annotated[...]`, the `extra` of its msgspec.Meta: e.g. {"fix": "…"})."""
    extra: dict[str, Any] = {}
    if typing.get_origin(kind) is typing.Annotated:
        base, *metadata = typing.get_args(kind)
        for meta in metadata:
            if isinstance(meta, msgspec.Meta) and meta.extra:
                extra |= meta.extra
        return base, extra
    return kind, extra


def _is_record(kind: Any) -> bool:
    return isinstance(kind, type) and (issubclass(kind, msgspec.Struct) or dataclasses.is_dataclass(kind))


def _fields(kind: type) -> list[tuple[str, str, Any, bool]]:
    """(attribute name, name in the file, declared type, required) of a Struct or dataclass."""
    if issubclass(kind, msgspec.Struct):
        return [(f.name, f.encode_name, f.type, f.required) for f in msgspec.structs.fields(kind)]
    hints = typing.get_type_hints(kind, include_extras=True)
    assert dataclasses.is_dataclass(kind)
    return [
        (f.name, f.name, hints[f.name], f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
        for f in dataclasses.fields(kind)
        if f.init
    ]


def _optional(kind: Any) -> Any | None:
    """T for `T | None`, else None."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if len(args) == 1 and len(typing.get_args(kind)) == 2:
            return args[0]
    return None


#: How an unknown key is reported by default ({key} is the key, {allowed} the keys allowed there).
UNKNOWN_KEY: Final = "unknown key {key}; the keys allowed here: {allowed}"


def conform(
    value: Any, kind: Any, *, report: Report, where: str = "", line: int = 1, unknown_key: str = UNKNOWN_KEY
) -> Any:
    """`value` as `kind` (a Struct, dataclass, or any type msgspec converts), or FAILED after reporting why.

    `unknown_key` words the report of a key the shape does not have (a file's readers may call keys "settings").
    """
    go = partial(conform, report=report, unknown_key=unknown_key)
    base, extra = _unwrap(kind)
    inner = _optional(base)
    if inner is not None:
        return None if value is None else go(value, inner, where=where, line=line)
    if _is_record(base):
        return _record(value, base, report=report, where=where, line=line, unknown_key=unknown_key)
    origin = typing.get_origin(base)
    args = typing.get_args(base)
    if origin in (tuple, list) and args and any(_is_record(_unwrap(a)[0]) for a in args if a is not Ellipsis):
        if not isinstance(value, list | tuple):
            report(line, where, f"expected a list, found {kind_of(value)}")
            return FAILED
        items = [
            go(item, args[0], where=f"{where}[{index + 1}]", line=line_of(value, index, line))
            for index, item in enumerate(value)
        ]
        return FAILED if any(item is FAILED for item in items) else origin(items)
    if origin is dict and len(args) == 2 and _is_record(_unwrap(args[1])[0]):
        if not isinstance(value, Mapping):
            report(line, where, f"expected a mapping, found {kind_of(value)}")
            return FAILED
        converted = {
            key: go(item, args[1], where=_join(where, str(key)), line=line_of(value, key, line))
            for key, item in value.items()
        }
        return FAILED if any(item is FAILED for item in converted.values()) else converted
    try:
        return msgspec.convert(value, kind, strict=True)
    except msgspec.ValidationError as error:
        _report_leaf(str(error), value, where, line, extra, report)
        return FAILED


def _record(value: Any, kind: type, *, report: Report, where: str, line: int, unknown_key: str) -> Any:
    go = partial(conform, report=report, unknown_key=unknown_key)
    if not isinstance(value, Mapping):
        report(line, where or "the file", f"expected a mapping of keys (key: value lines), found {kind_of(value)}")
        return FAILED
    fields = _fields(kind)
    known = {encoded for _name, encoded, _kind, _required in fields}
    unknown = [key for key in value if key not in known]
    ok = True
    for key in unknown:
        shown = "a bare yes/no/on/off (put the key in quotes)" if isinstance(key, bool) else str(key)
        message = unknown_key.format(key=shown, allowed=", ".join(sorted(known)))
        report(line_of(value, key, line), where or "the file", message)
        ok = False
    values: dict[str, Any] = {}
    for name, encoded, field_kind, required in fields:
        if encoded not in value or (value[encoded] is None and not required and _optional(field_kind) is None):
            if required:
                report(line, where or "the file", f"the key {encoded!r} is missing; add it")
                ok = False
            continue
        field_line = line_of(value, encoded, line)
        converted = go(value[encoded], field_kind, where=_join(where, encoded), line=field_line)
        if converted is FAILED:
            ok = False
        else:
            values[name] = converted
    if not ok:
        return FAILED
    try:
        return kind(**values)
    except (ValueError, TypeError) as error:  # a __post_init__ check across fields
        report(line, where or "the file", str(error))
        return FAILED


def _report_leaf(message: str, value: Any, where: str, line: int, extra: Mapping[str, Any], report: Report) -> None:
    """Turn msgspec's one-line error about a plain value into what to fix (never repeating the value itself)."""
    at = _AT.search(message)
    path = at.group(1) if at else ""
    message = _AT.sub("", message)
    index = _INDEX.match(path)
    if index is not None:  # an item of a list of plain values
        position = int(index.group(1))
        line = line_of(value, position, line)
        where = f"{where}[{position + 1}]"
    fix = extra.get("fix")
    expected = _EXPECTED.match(message)
    if expected is not None:
        wanted, found = expected.groups()
        quote = " (put it in quotes)" if wanted == "str" and found in {"int", "float", "bool"} else ""
        report(line, where, f"expected {_WORDS.get(wanted, wanted)}, found {_WORDS.get(found, found)}{quote}")
    elif fix:
        report(line, where, str(fix))
    else:
        report(line, where, message[:1].lower() + message[1:])


def first_problem(value: Any, kind: type[T], where: str) -> tuple[T | None, str | None]:
    """Convert, stopping at the first problem: (the value, None) or (None, "where: what to fix")."""
    problems: list[str] = []

    def report(_line: int, place: str, message: str) -> None:
        problems.append(f"{place}: {message}" if place else message)

    result = conform(value, kind, report=report, where=where)
    if result is FAILED:
        return None, problems[0]
    return typing.cast(T, result), None
