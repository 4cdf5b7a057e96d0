"""What a text's braces may hold: the `{placeholders}` the code fills in for it, and nothing that breaks or shows.

One rule for every text file (texts.yaml, tools.yaml, walkthrough.yaml, plan.yaml). A text the code fills in is a
`str.format` template: its braces must balance and name only the values the code gives that text, written plainly.
A text the code shows as written (it declares no placeholders) takes no braces at all: `{标题}` there would reach
users as it stands, so it is a typo to fix, not a literal.
"""

from __future__ import annotations

import string
from collections.abc import Iterable


def placeholder_problems(text: str, names: Iterable[str]) -> list[str]:
    """What is wrong with the braces of `text`, given the names filled in for it (none: shown as written)."""
    usable = tuple(names)
    if not usable:
        return _plain_problems(text)
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return ["a { or } is unbalanced; write {{ or }} for a literal brace"]
    available = ", ".join(f"{{{name}}}" for name in usable)
    problems: list[str] = []
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in usable:
            problems.append(f"{{{name}}} is not available here; you can use {available}")
        elif spec or conversion:
            problems.append(f"write {{{name}}} plainly, without ':' or '!'")
    return problems


def _plain_problems(text: str) -> list[str]:
    if "{" not in text and "}" not in text:
        return []
    try:
        names = [name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None]
    except ValueError:
        names = []
    if names:
        shown = ", ".join(f"{{{name}}}" for name in names)
        return [f"{shown} is not filled in here (this text takes no placeholders); remove the braces"]
    return ["a brace { or } would be shown as written here; remove it"]
