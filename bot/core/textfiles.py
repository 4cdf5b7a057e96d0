"""Checks YAML files of texts with {placeholders} (walkthrough.yaml, plan.yaml) through bot/schema.py.

Such a file is declared by tables (each key with the placeholders it may use); `record` turns a table into a msgspec
Struct the shared checker walks, and `TextFile` collects every problem as `file:line: where: what to do`, worded by
what the shape declares (a record's `messages`, a value's `Meta(extra=…)`, as in bot/core/knowledge/shapes.py). A
file's loader builds its values from what fits and adds the checks across values: the placeholders each text may use
(`TextFile.texts`), and duplicate ids, ranges and the like in bot/core/walkthrough/loader.py.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, ClassVar, Final, TypeVar

import msgspec
from msgspec import Meta

from bot.core.placeholders import placeholder_problems
from bot.errors import Problem
from bot.schema import FAILED, Issue, conform, kind_of, line_of

T = TypeVar("T")

_UNKNOWN_KEY: Final = "unknown key '{key}'; the keys allowed here are: {allowed}"
_BARE_YES: Final = 'YAML reads a bare yes/no/on/off key as true/false; put the key in quotes, like "yes":'
_TEXT: Final = {
    "wrong_type": "expected a text, found {found}",
    "invalid": "the text is empty; write what users should read",
}

#: One language's text: anything but blank.
Written = Annotated[str, Meta(pattern=r"\S", extra=_TEXT)]


class TextShape(msgspec.Struct, frozen=True):
    """A text in each language an admin writes (zh-hans and en); Traditional is made from zh-hans."""

    messages: ClassVar[Mapping[str, str]] = {
        "not_a_mapping": "expected the text in each language (zh-hans: …, en: …), found {found}",
        "missing": "the {key} text is missing; every text needs zh-hans and en",
        "unknown_key": "unknown language {key!r}; write zh-hans and en",
        "unknown_key:zh-hant": "zh-hant is made from zh-hans automatically; remove the zh-hant line",
    }

    zh_hans: Written = msgspec.field(name="zh-hans")
    en: Written


def record(name: str, fields: Iterable[tuple[str, Any] | tuple[str, Any, Any]]) -> type[msgspec.Struct]:
    """A Struct whose keys in the file are `fields`' names as written ("continue", "zh-hans"); a third item is the
    default, making the key optional. Attributes are named a0, a1, …: read a value with `value_of`."""
    declared = list(fields)
    attributes = [(f"a{index}", *field[1:]) for index, field in enumerate(declared)]
    rename = {f"a{index}": field[0] for index, field in enumerate(declared)}
    return msgspec.defstruct(name, attributes, rename=rename, frozen=True)


def value_of(built: msgspec.Struct, key: str) -> Any:
    """The value of the key written `key` in a Struct made by `record`."""
    attribute = _attributes(type(built)).get(key)
    if attribute is None:
        raise KeyError(key)
    return getattr(built, attribute)


@functools.lru_cache(maxsize=1024)
def _attributes(kind: type[msgspec.Struct]) -> dict[str, str]:
    """Attribute name by key name of a Struct, read once per Struct type: msgspec resolves a Struct's annotations
    again at each `structs.fields`, and loading a walkthrough reads tens of thousands of values."""
    return {field.encode_name: field.name for field in msgspec.structs.fields(kind)}


class TextFile:
    """One file's problems, each `file:line: where: what to do`, collected so checking goes on after the first."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def report(self, line: int, where: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, f"{where}: {message}"))

    def _issue(self, line: int, where: str, issue: Issue) -> None:
        self.report(line, where, _worded(issue))

    def check(self, value: Any, shape: type[T] | Any, where: str, line: int = 1) -> T | None:
        """`value` as `shape`, or None after reporting every problem."""
        result = conform(value, shape, report=self._issue, where=where, line=line, unknown_key=_UNKNOWN_KEY)
        return None if result is FAILED else result

    def parts(self, value: Any, shape: type[msgspec.Struct], where: str, line: int = 1) -> dict[str, Any] | None:
        """Each key of a record checked on its own (by its name in the file), so a broken part leaves the others
        usable; None if `value` is not a mapping. Unknown and missing keys are reported."""
        fields = msgspec.structs.fields(shape)
        everything = record(shape.__name__, [(field.encode_name, Any, None) for field in fields])
        if self.check(value, everything, where, line) is None:
            return None
        missing = [field.encode_name for field in fields if field.required and field.encode_name not in value]
        for key in missing:
            self.report(line, where, f"the key {key!r} is missing; add it")
        found: dict[str, Any] = {}
        for field in fields:
            if field.encode_name in value:
                place = f"{where}.{field.encode_name}" if where != "the file" else field.encode_name
                part = self.check(value[field.encode_name], field.type, place, line_of(value, field.encode_name, line))
                if part is not None:
                    found[field.encode_name] = part
        return found

    def texts(
        self, node: Any, table: Mapping[str, tuple[str, ...]], where: str, built: msgspec.Struct
    ) -> dict[str, TextShape]:
        """The texts of a record made from `table` whose {placeholders} are the ones the table allows."""
        found: dict[str, TextShape] = {}
        for key, placeholders in table.items():
            text = value_of(built, key)
            if isinstance(text, TextShape) and self._placeholders_ok(node[key], text, f"{where}.{key}", placeholders):
                found[key] = text
        return found

    def _placeholders_ok(self, node: Any, text: TextShape, where: str, placeholders: tuple[str, ...]) -> bool:
        ok = True
        for lang_key, written in (("zh-hans", text.zh_hans), ("en", text.en)):
            for problem in placeholder_problems(written, placeholders):
                self.report(line_of(node, lang_key, 1), f"{where}.{lang_key}", problem)
                ok = False
        return ok

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda problem: problem.line)


def texts_record(name: str, table: Mapping[str, tuple[str, ...]]) -> type[msgspec.Struct]:
    """A record of the texts a table names, each required."""
    return record(name, [(key, TextShape) for key in table])


def _worded(issue: Issue) -> str:
    """The message the shape declares for this problem (see the module docstring), else the checker's own."""
    if issue.kind == "unknown_key" and isinstance(issue.value, bool):
        return _BARE_YES
    declared: Mapping[str, str] = getattr(issue.record, "messages", {}) if issue.record is not None else {}
    key = issue.value if issue.kind in {"unknown_key", "missing"} else None
    template = declared.get(f"{issue.kind}:{key}") or declared.get(issue.kind) or issue.extra.get(issue.kind)
    if template is None:
        return str(issue)
    return template.format(key=key, value=issue.value, found=kind_of(issue.value), allowed=", ".join(issue.allowed))
