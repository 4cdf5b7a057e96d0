"""Checks data read from a file against its declared shape (msgspec), reporting every problem at its line.

The shape of a file is a frozen dataclass or msgspec Struct: field types, defaults (written once, there) and constraints
as `Annotated[..., msgspec.Meta(ge=…, pattern=…, extra={"fix": "what to write instead"})]`. msgspec checks each value
and converts it; this module only walks the declared fields one by one, because msgspec stops at the first problem and
names a dict key as `[...]`, while an admin needs every problem of a file at once, each at its own line (the located
YAML loader, bot/core/yamlsrc.py, knows the lines). A `report(line, where, issue)` callback receives them: an `Issue`
says what is wrong in a structured way and `str(issue)` words it plainly; the config loader raises on the first, the
knowledge loaders (bot/core/knowledge/) word each in their own style (a record may declare its messages) and collect
them as `file:line: what to fix`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final, TypeVar

import msgspec

from bot.errors import StateError

T = TypeVar("T")


@dataclass(frozen=True)
class Issue:
    """One problem found by `conform`: `str()` is its plain wording; the fields let a reader word it otherwise."""

    #: "unknown_key", "missing" (a required key), "not_a_mapping", "not_a_list", "bad_key" (a key of a dict that is
    #: not what the dict's keys must be), "wrong_type" (a plain value of another type), "invalid" (a constraint)
    kind: str
    text: str
    value: object = None  # the value that did not fit (the key, for unknown_key / missing / bad_key)
    record: type | None = None  # the Struct or dataclass whose key is unknown or missing, or that was not a mapping
    allowed: tuple[str, ...] = ()  # the keys `record` has, in declared order
    wanted: str = ""  # msgspec's name of the expected type ("str", "array", …) for wrong_type
    item: int | None = None  # the 1-based position in a list of plain values, when an item did not fit
    extra: Mapping[str, Any] = field(default_factory=dict)  # the declared msgspec.Meta(extra=…), e.g. {"fix": …}

    def __str__(self) -> str:
        return self.text


#: What a `report` callback receives: the line (1 when the data has none), the dotted place, what is wrong.
Report = Callable[[int, str, Issue], None]


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


@functools.cache
def _fields(kind: type) -> tuple[tuple[str, str, Any, bool], ...]:
    """(attribute name, name in the file, declared type, required) of a Struct or dataclass (read once: resolving
    the annotations is most of the cost of checking a record)."""
    if issubclass(kind, msgspec.Struct):
        return tuple((f.name, f.encode_name, f.type, f.required) for f in msgspec.structs.fields(kind))
    hints = typing.get_type_hints(kind, include_extras=True)
    assert dataclasses.is_dataclass(kind)
    return tuple(
        (f.name, f.name, hints[f.name], f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
        for f in dataclasses.fields(kind)
        if f.init
    )


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

    Records, lists of records, dicts (key by key) and unions of a record with plain types are walked here, so each
    problem is reported at its own line; any other value is converted by msgspec. A record with unknown keys (each
    reported) is still built from the keys it has, so what depends on it can be checked as well. `unknown_key` words
    the report of a key the shape does not have (a file's readers may call keys "settings").
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
    if origin in (typing.Union, types.UnionType) and isinstance(value, Mapping):
        records = [arg for arg in args if _is_record(_unwrap(arg)[0])]
        if len(records) == 1:
            return go(value, records[0], where=where, line=line)
    if origin in (tuple, list) and args and any(_is_record(_unwrap(a)[0]) for a in args if a is not Ellipsis):
        if not isinstance(value, list | tuple):
            report(line, where, Issue("not_a_list", f"expected a list, found {kind_of(value)}", value, extra=extra))
            return FAILED
        items = [
            go(item, args[0], where=f"{where}[{index + 1}]", line=line_of(value, index, line))
            for index, item in enumerate(value)
        ]
        return FAILED if any(item is FAILED for item in items) else origin(items)
    if origin is dict and len(args) == 2:
        return _dict(value, args, extra, report=report, where=where, line=line, unknown_key=unknown_key)
    try:
        return msgspec.convert(value, kind, strict=True)
    except msgspec.ValidationError as error:
        _report_leaf(str(error), value, base, where, line, extra, report)
        return FAILED


def _dict(
    value: Any,
    args: tuple[Any, Any],
    extra: Mapping[str, Any],
    *,
    report: Report,
    where: str,
    line: int,
    unknown_key: str,
) -> Any:
    """A dict checked key by key, each value at its own line (msgspec would name the place of a bad value `[...]`)."""
    if not isinstance(value, Mapping):
        report(line, where, Issue("not_a_mapping", f"expected a mapping, found {kind_of(value)}", value, extra=extra))
        return FAILED
    key_kind, value_kind = args
    converted: dict[Any, Any] = {}
    ok = True
    for key, item in value.items():
        key_line = line_of(value, key, line)
        try:
            new_key = msgspec.convert(key, key_kind, strict=True)
        except msgspec.ValidationError:
            report(key_line, where, Issue("bad_key", f"the key {key!r} cannot be used here", key, extra=extra))
            ok = False
            continue
        new_value = conform(
            item, value_kind, report=report, where=_join(where, str(key)), line=key_line, unknown_key=unknown_key
        )
        if new_value is FAILED:
            ok = False
        else:
            converted[new_key] = new_value
    return converted if ok else FAILED


def _record(value: Any, kind: type, *, report: Report, where: str, line: int, unknown_key: str) -> Any:
    go = partial(conform, report=report, unknown_key=unknown_key)
    place = where or "the file"
    fields = _fields(kind)
    known = tuple(encoded for _name, encoded, _kind, _required in fields)
    if not isinstance(value, Mapping):
        found = f"expected a mapping of keys (key: value lines), found {kind_of(value)}"
        report(line, place, Issue("not_a_mapping", found, value, kind, known))
        return FAILED
    unknown = [key for key in value if key not in known]
    ok = True
    for key in unknown:  # reported, but the record is still built from the keys it has (to check what uses it)
        shown = "a bare yes/no/on/off (put the key in quotes)" if isinstance(key, bool) else str(key)
        message = unknown_key.format(key=shown, allowed=", ".join(sorted(known)))
        report(line_of(value, key, line), place, Issue("unknown_key", message, key, kind, known))
    values: dict[str, Any] = {}
    for name, encoded, field_kind, required in fields:
        if encoded not in value or (value[encoded] is None and not required and _optional(field_kind) is None):
            if required:
                report(line, place, Issue("missing", f"the key {encoded!r} is missing; add it", encoded, kind, known))
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
        report(line, place, Issue("invalid", str(error), value, kind))
        return FAILED


def _report_leaf(
    message: str, value: Any, kind: Any, where: str, line: int, extra: Mapping[str, Any], report: Report
) -> None:
    """Turn msgspec's one-line error about a plain value into what to fix (never repeating the value itself)."""
    at = _AT.search(message)
    path = at.group(1) if at else ""
    message = _AT.sub("", message)
    index = _INDEX.match(path)
    item: int | None = None
    if index is not None and isinstance(value, list | tuple):  # an item of a list of plain values
        position = int(index.group(1))
        line = line_of(value, position, line)
        item = position + 1
        value = value[position]
        items = typing.get_args(kind)
        if typing.get_origin(kind) in (tuple, list) and items:  # what the items declare
            extra = {**extra, **_unwrap(items[0])[1]}
    fix = extra.get("fix")
    expected = _EXPECTED.match(message)
    if expected is not None:
        wanted, found = expected.groups()
        quote = " (put it in quotes)" if wanted == "str" and found in {"int", "float", "bool"} else ""
        text = f"expected {_WORDS.get(wanted, wanted)}, found {_WORDS.get(found, found)}{quote}"
        issue = Issue("wrong_type", text, value, wanted=wanted, item=item, extra=extra)
    else:
        text = str(fix) if fix else message[:1].lower() + message[1:]
        issue = Issue("invalid", text, value, item=item, extra=extra)
    report(line, f"{where}[{item}]" if item is not None else where, issue)


def first_problem(value: Any, kind: type[T], where: str) -> tuple[T | None, str | None]:
    """Convert, stopping at the first problem: (the value, None) or (None, "where: what to fix")."""
    problems: list[str] = []

    def report(_line: int, place: str, message: Issue) -> None:
        problems.append(f"{place}: {message}" if place else str(message))

    result = conform(value, kind, report=report, where=where)
    if result is FAILED:
        return None, problems[0]
    return typing.cast(T, result), None


_PLACE: Final = re.compile(r" - at `\$\.?(.*)`$")
_VALUE_SHOWN: Final = re.compile(r"^Invalid (?:enum )?value .*$")
_FIELD_NAMED: Final = re.compile(r"^Object (missing required|contains unknown) field `([^`]+)`$")


@typing.overload
def saved(value: object, kind: type[T], what: str) -> T: ...
@typing.overload
def saved(value: object, kind: Any, what: str) -> Any: ...  # a union or Annotated type: msgspec still checks it
def saved(value: object, kind: Any, what: str) -> Any:
    """Stored data (a user's saved state) as its declared shape, or StateError saying where and what is wrong.

    Converted by msgspec in one call, since this runs on every event; only a refusal is worded, here: the place and
    the problem, never the value (saved state holds what users typed).
    """
    try:
        return msgspec.convert(value, kind, strict=True)
    except msgspec.ValidationError as error:
        raise StateError(f"{what}: {_plainly(str(error))}") from None


@typing.overload
def saved_json(text: str | bytes, kind: type[T], what: str) -> T: ...
@typing.overload
def saved_json(text: str | bytes, kind: Any, what: str) -> Any: ...
def saved_json(text: str | bytes, kind: Any, what: str) -> Any:
    """A stored JSON column read straight into its declared shape, or StateError as `saved` words it (text that is
    not JSON at all says only where the parser stopped)."""
    try:
        return msgspec.json.decode(text, type=kind, strict=True)
    except msgspec.ValidationError as error:
        raise StateError(f"{what}: {_plainly(str(error))}") from None
    except msgspec.DecodeError as error:  # msgspec names the byte it stopped at, never the text around it
        raise StateError(f"{what}: not JSON ({str(error).removeprefix('JSON is malformed: ')})") from None


def _plainly(message: str) -> str:
    """msgspec's one-line error as `place: what is wrong`, with any value it quoted left out."""
    at = _PLACE.search(message)
    place = at.group(1) if at else ""
    message = _PLACE.sub("", message)
    named = _FIELD_NAMED.match(message)
    if named is not None:
        kind, key = named.groups()
        place = _join(place, key)
        message = "missing" if kind == "missing required" else "not a key this version has"
    elif _VALUE_SHOWN.match(message):
        message = "not one of the values allowed there"
    else:
        expected = _EXPECTED.match(message)
        if expected is not None:
            wanted, found = (" or ".join(_WORDS.get(w, w) for w in g.split(" | ")) for g in expected.groups())
            message = f"expected {wanted}, found {found}"
        else:
            message = message[:1].lower() + message[1:]
    return f"{place}: {message}" if place else message
