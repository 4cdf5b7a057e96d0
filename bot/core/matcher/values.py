"""What the matcher gives back (`MatchResult`: answer, clarify or fallback, with its candidates) and how it is tuned."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.knowledge import Entry


class Status(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float


@dataclass(frozen=True)
class MatchResult:
    status: Status
    entry: Entry | None  # the best entry when it is worth naming (answer, or a recognised route topic)
    candidates: tuple[Candidate, ...]  # ranked, best first; for clarify the ones to offer
    score: float  # the best candidate's score, 0 when nothing matched
    normalized: str = ""

    @property
    def route(self) -> Entry | None:
        """The recognised topic the guide does not cover (or chit-chat), when that is what the user asked about."""
        if self.status is Status.FALLBACK and self.entry is not None and not self.entry.kind.answered:
            return self.entry
        return None


@dataclass(frozen=True)
class Weights:
    """How the evidence is blended; tuned on bench/questions.tsv (see bench/accuracy.py)."""

    bayes: float = 1.0  # naive-Bayes posterior of the entry
    nearest: float = 0.60  # cosine to the closest example question
    fuzzy: float = 0.15  # rapidfuzz ratio to the closest example (typos, word order)
    keywords: float = 0.30  # the entry's keywords present in the question
    rerank: int = 12  # how many entries get the (slower) fuzzy comparison
    smoothing: float = 0.05  # naive-Bayes additive smoothing
    temperature: float = 1.0  # flattens the posterior: naive Bayes is over-confident on short texts
    background: float = 2.0  # log prior weight of the pooled "no entry in particular" class against one entry
    keyword_count: int = 2  # a keyword counts as this many example occurrences in the naive-Bayes counts
    complement_smoothing: float = 0.3  # complement naive-Bayes additive smoothing (on TF-IDF weights)
