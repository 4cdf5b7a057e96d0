"""Plain-text rendering of core replies for the terminal (`advisor ask`, `advisor chat`)."""

from __future__ import annotations

from bot.core.replies import Reply


def render_plain(reply: Reply, marker: str = "", first: int = 1) -> str:
    """A reply as terminal text: heading, text, numbered choices (`marker` before each number, e.g. "#"; numbered
    from `first`, so the buttons of several replies in one turn each have a number of their own)."""
    lines = []
    if reply.title:
        lines.append(f"【{reply.title}】")
    lines.append(reply.text)
    for number, choice in enumerate(reply.choices, start=first):
        lines.append(f"  {marker}{number}. {choice.label}")
    return "\n".join(lines)
