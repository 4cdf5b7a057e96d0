"""Checks no single knowledge file shows: ids and examples used once, related ids that exist, required entries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.core.knowledge.model import Entry
from bot.core.knowledge.problems import FileProblems
from bot.core.knowledge.shapes import MAX_ID_CHARS
from bot.errors import Problem
from bot.schema import line_of


def _example_key(text: str) -> str:
    """What makes two examples 'the same question' for the duplicate check: letters and digits only."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def check_cross_references(
    entries: list[tuple[Entry, FileProblems, Any]], required_ids: Iterable[str], problems: list[Problem]
) -> None:
    first_seen: dict[str, Entry] = {}
    for entry, out, _ in entries:
        line = int(entry.source.rsplit(":", 1)[1])
        if entry.id in first_seen:
            out.add(line, f"id '{entry.id}' is used twice (first at {first_seen[entry.id].source}); ids must be unique")
        else:
            first_seen[entry.id] = entry
    seen_examples: dict[str, tuple[str, str]] = {}
    for entry, out, raw in entries:
        _check_examples(entry, out, raw.get("examples"), seen_examples)
        _check_related(entry, out, raw.get("related"), first_seen)
    for required in required_ids:
        if required not in first_seen:
            problems.append(Problem("entries/", 1, f"the entry '{required}' is missing; the bot needs it"))


def _check_examples(
    entry: Entry, out: FileProblems, examples_node: Any, seen_examples: dict[str, tuple[str, str]]
) -> None:
    """An example question belongs to one entry, once; `seen_examples` holds where each was first listed."""
    for index, example in enumerate(entry.examples):
        key = _example_key(example)
        line = line_of(examples_node, index, 1)
        if key in seen_examples and seen_examples[key][0] != entry.id:
            other_id, other_where = seen_examples[key]
            out.add(
                line,
                f"example question '{example}' is listed in '{entry.id}' and in '{other_id}' ({other_where}); "
                "keep it in the one entry whose answer helps",
            )
        elif key in seen_examples:
            out.add(line, f"example question '{example}' is listed twice in '{entry.id}'")
        else:
            seen_examples[key] = (entry.id, f"{out.shown_as}:{line}")


def _check_related(entry: Entry, out: FileProblems, related_node: Any, known: Mapping[str, Entry]) -> None:
    """Related entries exist and are other entries."""
    for index, other in enumerate(entry.related):
        if other == entry.id:
            out.add(line_of(related_node, index, 1), f"entry '{entry.id}' lists itself as related")
        elif other not in known:
            shown = other if len(other) <= MAX_ID_CHARS else f"{other[:MAX_ID_CHARS]}…"
            out.add(line_of(related_node, index, 1), f"entry '{entry.id}' is related to unknown id '{shown}'")
