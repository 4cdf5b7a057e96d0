"""The negotiation walkthrough's texts and options, loaded from knowledge/walkthrough.yaml into an immutable value.

The parts: `model` (the `Walkthrough` value and its options, as the dialogue uses them), `shapes` (the shape the
file must have, declared once in tables), `loader` (file → model, every problem as `file:line: where: what to do`).
"""

from bot.core.walkthrough.loader import load_walkthrough
from bot.core.walkthrough.model import Bucket, Cause, Channel, Material, Option, Text, Walkthrough
from bot.core.walkthrough.shapes import ID_PATTERN, SAID_MOVES, SECTIONS, STEPS, UNKNOWN_MONTHLY

__all__ = [
    "ID_PATTERN",
    "SAID_MOVES",
    "SECTIONS",
    "STEPS",
    "UNKNOWN_MONTHLY",
    "Bucket",
    "Cause",
    "Channel",
    "Material",
    "Option",
    "Text",
    "Walkthrough",
    "load_walkthrough",
]
