"""The one module that calls rapidfuzz: typo-tolerant likeness of a question to texts of the knowledge base.

Two uses: `best_ratio` scores the question against a few entries' examples (typos, word order), and `near_copies`
finds the texts the question is a copy of, bar a character or two.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process


def best_ratio(question: str, texts: Sequence[str]) -> float:
    """Best rapidfuzz ratio of the question against some texts, 0..1."""
    found = process.extractOne(question, texts, scorer=fuzz.ratio, processor=None)
    return found[1] / 100.0 if found is not None else 0.0


def near_copies(question: str, texts: Sequence[str], cutoff: float, limit: int) -> list[int]:
    """Positions of up to `limit` texts whose ratio to the question (0..100) is at least `cutoff`, best first."""
    found = process.extract(question, texts, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=limit)
    return [position for _, _, position in found]
