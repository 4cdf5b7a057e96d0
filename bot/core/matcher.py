"""Finds the knowledge entry a user's question is about: answer, clarify between a few, or admit not knowing.

Chinese is not space-separated, so scoring is character-level: a TF-IDF cosine over characters and character
bigrams (against each example question and against each entry as a whole), rapidfuzz's `fuzz.ratio` for
near-identical phrasings with typos, and keyword evidence that an admin can add per entry. The one place that
calls rapidfuzz is `_fuzzy`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz

from bot.config import MatcherConfig
from bot.core.knowledge import Entry, EntryKind, KnowledgeBase
from bot.core.normalize import Normalizer, features

#: Messages longer than this are matched on their first part (a user may paste a whole story).
MAX_QUESTION_CHARS = 600


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
        """The recognised topic the guide does not cover, when that is what the user asked about."""
        if self.status is Status.FALLBACK and self.entry is not None and self.entry.kind is EntryKind.ROUTE:
            return self.entry
        return None


@dataclass(frozen=True)
class Weights:
    """How the evidence is blended; tuned on bench/questions.tsv (see bench/accuracy.py)."""

    nearest: float = 0.40  # cosine to the closest example question
    centroid: float = 0.25  # cosine to the entry as a whole (all its examples and keywords)
    fuzzy: float = 0.15  # rapidfuzz ratio to the closest example (typos, word order)
    keywords: float = 0.35  # the entry's keywords present in the question
    rerank: int = 12  # how many entries get the (slower) fuzzy comparison


@dataclass
class _Index:
    """Sparse TF-IDF vectors behind inverted lists, so a question touches only entries sharing a feature."""

    idf: dict[str, float] = field(default_factory=dict)
    example_postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    entry_postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    example_entry: list[int] = field(default_factory=list)
    example_text: list[str] = field(default_factory=list)
    entry_examples: list[list[int]] = field(default_factory=list)
    keywords: list[list[tuple[str, float]]] = field(default_factory=list)


def _weighted(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    vector = {f: (1.0 + math.log(n)) * idf.get(f, 0.0) for f, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {f: v / norm for f, v in vector.items() if v > 0} if norm > 0 else {}


class Matcher:
    """Match questions against one knowledge base; build once, call `match` many times (it is read-only)."""

    def __init__(self, kb: KnowledgeBase, config: MatcherConfig | None = None, weights: Weights | None = None) -> None:
        self.kb = kb
        self.config = config or MatcherConfig()
        self.weights = weights or Weights()
        self.normalize = Normalizer(kb.aliases, kb.fillers)
        self._entries = kb.entries
        self._index = self._build()

    def _build(self) -> _Index:
        index = _Index()
        entry_docs: list[Counter[str]] = []
        example_docs: list[Counter[str]] = []
        for entry_no, entry in enumerate(self._entries):
            whole: Counter[str] = Counter()
            mine: list[int] = []
            texts = [*entry.examples, entry.title.get("zh-hans", ""), entry.title.get("en", "")]
            for text in texts:
                normalized = self.normalize(text)
                counts = Counter(features(normalized))
                whole.update(counts)
                if text in entry.examples:
                    mine.append(len(example_docs))
                    example_docs.append(counts)
                    index.example_entry.append(entry_no)
                    index.example_text.append(normalized)
            for keyword in entry.keywords:
                whole.update(features(self.normalize(keyword)))
            entry_docs.append(whole)
            index.entry_examples.append(mine)
        n = len(entry_docs)
        df: Counter[str] = Counter()
        for doc in entry_docs:
            df.update(doc.keys())
        # A feature found in every entry ("逾期", "花呗") says nothing about which entry is meant.
        index.idf = {f: math.log((n + 1) / (d + 0.5)) for f, d in df.items()}
        example_postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
        for example_no, counts in enumerate(example_docs):
            for f, v in _weighted(counts, index.idf).items():
                example_postings[f].append((example_no, v))
        entry_postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
        for entry_no, counts in enumerate(entry_docs):
            for f, v in _weighted(counts, index.idf).items():
                entry_postings[f].append((entry_no, v))
        index.example_postings = dict(example_postings)
        index.entry_postings = dict(entry_postings)
        keyword_owners: Counter[str] = Counter()
        normalized_keywords: list[list[str]] = []
        for entry in self._entries:
            words = sorted({self.normalize(k) for k in entry.keywords if self.normalize(k)})
            normalized_keywords.append(words)
            keyword_owners.update(words)
        index.keywords = [[(k, 1.0 / keyword_owners[k]) for k in words] for words in normalized_keywords]
        return index

    def _fuzzy(self, question: str, examples: Sequence[str]) -> float:
        """Best rapidfuzz ratio of the question against some examples, 0..1 (the only rapidfuzz call)."""
        best = 0.0
        for example in examples:
            best = max(best, fuzz.ratio(question, example, processor=None, score_cutoff=best * 100) / 100.0)
        return best

    def scores(self, normalized: str) -> list[tuple[int, float]]:
        """Every entry with any evidence, as (entry number, blended score), best first."""
        index, weights = self._index, self.weights
        query = _weighted(Counter(features(normalized)), index.idf)
        nearest: dict[int, float] = {}
        example_dot: defaultdict[int, float] = defaultdict(float)
        for f, qv in query.items():
            for example_no, v in index.example_postings.get(f, ()):
                example_dot[example_no] += qv * v
        for example_no, dot in example_dot.items():
            entry_no = index.example_entry[example_no]
            if dot > nearest.get(entry_no, 0.0):
                nearest[entry_no] = dot
        centroid: defaultdict[int, float] = defaultdict(float)
        for f, qv in query.items():
            for entry_no, v in index.entry_postings.get(f, ()):
                centroid[entry_no] += qv * v
        keyword: dict[int, float] = {}
        for entry_no in set(nearest) | set(centroid):
            found = sum(w for k, w in index.keywords[entry_no] if k in normalized)
            if found:
                keyword[entry_no] = 1.0 - math.exp(-1.5 * found)
        blended = {
            e: weights.nearest * nearest.get(e, 0.0)
            + weights.centroid * centroid.get(e, 0.0)
            + weights.keywords * keyword.get(e, 0.0)
            for e in set(nearest) | set(centroid)
        }
        ranked = sorted(blended.items(), key=lambda item: -item[1])[: weights.rerank]
        rescored = [
            (
                e,
                s + weights.fuzzy * self._fuzzy(normalized, [index.example_text[x] for x in index.entry_examples[e]]),
            )
            for e, s in ranked
        ]
        return sorted(rescored, key=lambda item: -item[1])

    def match(self, text: str) -> MatchResult:
        normalized = self.normalize(text[:MAX_QUESTION_CHARS])
        if not normalized:
            return MatchResult(Status.FALLBACK, None, (), 0.0, normalized)
        ranked = [Candidate(self._entries[e], round(s, 4)) for e, s in self.scores(normalized)]
        if not ranked:
            return MatchResult(Status.FALLBACK, None, (), 0.0, normalized)
        cfg = self.config
        best = ranked[0]
        second = ranked[1].score if len(ranked) > 1 else 0.0
        if best.score >= cfg.answer_threshold and best.score - second >= cfg.margin:
            status = Status.FALLBACK if best.entry.kind is EntryKind.ROUTE else Status.ANSWER
            return MatchResult(status, best.entry, tuple(ranked[: cfg.max_candidates]), best.score, normalized)
        if best.score >= cfg.clarify_threshold:
            close = tuple(c for c in ranked[: cfg.max_candidates] if c.score >= cfg.clarify_threshold)
            return MatchResult(Status.CLARIFY, None, close, best.score, normalized)
        return MatchResult(Status.FALLBACK, None, tuple(ranked[: cfg.max_candidates]), best.score, normalized)
