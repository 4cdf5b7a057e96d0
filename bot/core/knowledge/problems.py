"""How the shared checker's findings (bot/schema.py) are worded for an admin, collected per file as `file:line: fix`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from bot.errors import Problem
from bot.schema import FAILED, Issue, conform

T = TypeVar("T")

#: How the checker's place ("answer.zh-hans", "texts.greeting.en") is named for an admin: (label, what).
Namer = Callable[[str], tuple[str, str]]
_ITEM_AT_END = re.compile(r"\[\d+\]$")


class FileProblems:
    """One file's problems, worded for an admin and collected so checking goes on after the first one."""

    def __init__(self, shown_as: str, problems: list[Problem]) -> None:
        self.shown_as = shown_as
        self.problems = problems

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown_as, line, message))

    def check(self, value: Any, shape: type[T], namer: Namer, *, line: int = 1) -> T | None:
        """`value` as `shape`, or None after adding every problem the checker found."""

        def report(at: int, place: str, issue: Issue) -> None:
            self.add(at, _worded(issue, "" if place == "the file" else place, namer))

        result = conform(value, shape, report=report, line=line)
        return None if result is FAILED else result


def plain(place: str) -> tuple[str, str]:
    return "", place


def _worded(issue: Issue, place: str, namer: Namer) -> str:
    """The message a shape declares for this kind of problem (see shapes.py), else a plain one."""
    if issue.item is not None:
        place = _ITEM_AT_END.sub("", place)
    key = issue.value if issue.kind in {"unknown_key", "missing", "bad_key"} else place.rsplit(".", 1)[-1]
    label, what = namer(place)
    context = {
        "label": label,
        "what": what,
        "place": place,
        "key": key,
        "value": issue.value,
        "found": type(issue.value).__name__,
        "wanted": _WANTED.get(issue.wanted, issue.wanted),
        "n": issue.item,
        "allowed": ", ".join(issue.allowed),
        "allowed_sorted": ", ".join(sorted(issue.allowed)),
    }
    declared: Mapping[str, str] = getattr(issue.record, "messages", {}) if issue.record is not None else {}
    template = (
        declared.get(f"{issue.kind}:{key}")
        or declared.get(issue.kind)
        or issue.extra.get(issue.kind)
        or _PLAIN.get(issue.kind if issue.wanted != "array" else "not_a_list")
    )
    if template is None:
        return f"{what}: {issue.text}" if what else issue.text
    return template.format(**context)


_WANTED: Mapping[str, str] = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false"}
_PLAIN: Mapping[str, str] = {
    "not_a_list": "'{place}' must be a list, got {found}",
    "wrong_type": "{what} must be {wanted}, got {found}",
    "unknown_key": "{what}: unknown key '{key}' (allowed: {allowed_sorted})",
    "missing": "{what}: '{key}' is missing",
}


def entry_namer(raw: Any) -> Namer:
    entry_id = raw.get("id") if isinstance(raw, Mapping) else None
    label = f"entry '{entry_id}'" if isinstance(entry_id, str) else "an entry"
    return lambda place: (label, f"{label}: {place}" if place else label)


def table_namer(section: str, noun: str, table: Any) -> Namer:
    """Names `section.KEY[.sub]` as (noun 'KEY', noun 'KEY'.sub): a text of texts.yaml, a phrase of traditional.yaml."""

    def name(place: str) -> tuple[str, str]:
        if not place.startswith(f"{section}."):
            return "", place
        rest = place[len(section) + 1 :]
        key, sub = (rest, "") if not isinstance(table, Mapping) or rest in table else rest.rsplit(".", 1)
        label = f"{noun} '{key}'"
        return label, f"{label}.{sub}" if sub else label

    return name


def ignore(_line: int, _place: str, _issue: Issue) -> None:
    return None


def fitting_items(table: object, kind: type[T] | Any) -> dict[str, Any]:
    """The items of a table that fit `kind` (its problems being reported already), so they are checked further."""
    if not isinstance(table, Mapping):
        return {}
    fitting = {key: conform(value, kind, report=ignore) for key, value in table.items() if isinstance(key, str)}
    return {key: value for key, value in fitting.items() if value is not FAILED}
