"""The font the /plan chart is drawn with: a subset of Noto Sans CJK SC (SIL OFL 1.1), and the characters it has."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

_HERE: Final = Path(__file__).resolve().parent
#: The chart font (OpenType/CFF); see README.md beside it for where it comes from and how to remake it.
CHART_FONT: Final = _HERE / "NotoSansCJKsc-chart.otf"
#: Every character CHART_FONT has a glyph for, as one line of UTF-8 text (written by `subset.py` with the font).
CHART_CHARS: Final = _HERE / "NotoSansCJKsc-chart.chars.txt"


def chart_characters() -> frozenset[str]:
    """The characters the chart font can draw (~5,000 characters)."""
    return frozenset(_chart_characters())


@cache
def _chart_characters() -> str:
    """The font's characters as the file has them: one string of ~10 KB stays in memory, where a set of them would
    keep ~0.9 MiB for the few dozen lookups knowledge loading makes."""
    return CHART_CHARS.read_text(encoding="utf-8").rstrip("\n")


def missing_glyphs(text: str) -> list[str]:
    """The characters of `text` the chart font cannot draw (whitespace never counts), each once, in order."""
    have = _chart_characters()
    missing: list[str] = []
    for char in text:
        if not char.isspace() and char not in have and char not in missing:
            missing.append(char)
    return missing
