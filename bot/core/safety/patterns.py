"""The safety screen's regular expressions: whole-word bounds, one alternation of many, and the characters every match
of a pattern must contain, so that most messages skip most patterns without running them."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any


def bounded(pattern: str) -> str:
    """A pattern matches whole Latin words: "he" is not found inside "the"."""
    return rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])"


def _class_chars(items: Iterable[tuple[Any, Any]], sre: Any) -> frozenset[str] | None:
    """The characters a parsed character class ([...]) matches, or None when it is not a short list of them."""
    chars: set[str] = set()
    for kind, arg in items:
        if kind is sre.LITERAL:
            chars.add(chr(arg))
        elif kind is sre.RANGE and arg[1] - arg[0] < 64:
            chars.update(map(chr, range(arg[0], arg[1] + 1)))
        else:  # NEGATE, CATEGORY, a wide range
            return None
    return frozenset(chars)


def needed(pattern: str) -> frozenset[str] | None:
    """Characters of which every match of `pattern` contains at least one, or None when no such set is known.

    A pattern whose set shares no character with a message cannot match it, so most messages skip most patterns
    without running them. Read from the pattern's parse by the standard library's own regex parser (the only one that
    reads Python's syntax exactly); anything it cannot vouch for (classes with categories, optional parts, flags)
    gives None, and the pattern is always run.
    """
    import importlib

    # The parser and constants re.compile itself uses (not in typeshed, hence by name).
    parser, sre = importlib.import_module("re._parser"), importlib.import_module("re._constants")

    def of_sequence(items: Iterable[tuple[Any, Any]]) -> frozenset[str] | None:
        found = [chars for chars in map(of_item, items) if chars is not None]
        return min(found, key=len) if found else None  # any one required item will do: the narrowest

    def of_item(item: tuple[Any, Any]) -> frozenset[str] | None:
        op, value = item
        if op is sre.LITERAL:
            return frozenset(chr(value))
        if op is sre.IN:
            return _class_chars(value, sre)
        if op is sre.BRANCH:
            branches = [of_sequence(branch) for branch in value[1]]
            return None if any(b is None for b in branches) else frozenset().union(*branches)  # type: ignore[arg-type]
        if op is sre.SUBPATTERN:
            _group, add_flags, _del_flags, inner = value
            return None if add_flags & re.IGNORECASE else of_sequence(inner)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _high, inner = value
            return of_sequence(inner) if low >= 1 else None
        if op is sre.ATOMIC_GROUP:
            return of_sequence(value)
        return None  # lookarounds, anchors, any character, group references

    parsed = parser.parse(pattern)
    return None if parsed.state.flags & re.IGNORECASE else of_sequence(parsed.data)


def either(patterns: Iterable[str]) -> re.Pattern[str] | None:
    unique = sorted(set(patterns), key=lambda p: (-len(p), p))
    return re.compile("|".join(f"(?:{p})" for p in unique)) if unique else None


class Pattern:
    """A pattern (whole Latin words) and the characters at least one of which any match of it contains."""

    __slots__ = ("needed", "regex")

    def __init__(self, pattern: str) -> None:
        self.regex = re.compile(bounded(pattern))
        self.needed = needed(pattern)


@functools.lru_cache(maxsize=4096)
def compiled(pattern: str) -> Pattern:
    """`Pattern(pattern)`, made once per process: each Screen (one per knowledge load, and a /reload makes one) uses
    the same few hundred built-in patterns, and parsing them (re's cache holds only 512) is most of its build."""
    return Pattern(pattern)
