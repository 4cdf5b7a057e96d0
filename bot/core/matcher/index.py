"""The matcher's index of one knowledge base, built once: sparse TF-IDF vectors, naive-Bayes and complement
naive-Bayes gains behind inverted lists, keyword weights, and the respeller toward the base's own words.

Chinese is not space-separated, so every view is over characters and character bigrams (`features`). Each entry's
examples, titles and keywords are its training text. A question then touches only the entries that share one of its
features (bot/core/matcher/evidence.py).
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.core.knowledge import Entry, KnowledgeBase
from bot.core.matcher.values import Weights
from bot.core.normalize import features
from bot.core.respell import Respeller

#: Least weight of a phrase the knowledge base uses, in the resemblance check (see `_phrase_weight`).
_DOMAIN_FLOOR = 0.5
#: Features on nearly every entry ("逾", "呗") are left out of the example lists: their weight is about zero.
_MIN_IDF = 0.1
#: A typo is only put right to a pair of characters the knowledge base uses at least this often (a word of it).
_RESPELL_MIN_USES = 5


@dataclass(frozen=True, slots=True)
class Postings:
    """One feature's inverted list: (number, value) pairs, as two tuples rather than a tuple per pair (the index
    holds about 100,000 pairs; a tuple each was 5 MiB of every bot's memory)."""

    ids: tuple[int, ...]
    values: tuple[float, ...]

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[tuple[int, float]]:
        return zip(self.ids, self.values, strict=True)


NO_POSTINGS = Postings((), ())


class _Lists:
    """Inverted lists while they are built: numbers and values in two lists per feature (no tuple per pair)."""

    def __init__(self) -> None:
        self._lists: dict[str, tuple[list[int], list[float]]] = {}

    def add(self, feature: str, number: int, value: float) -> None:
        ids, values = self._lists.setdefault(feature, ([], []))
        ids.append(number)
        values.append(value)

    def frozen(self) -> dict[str, Postings]:
        return {f: Postings(tuple(ids), tuple(values)) for f, (ids, values) in self._lists.items()}


@dataclass
class Index:
    """Sparse TF-IDF vectors behind inverted lists, so a question touches only entries sharing a feature."""

    idf: dict[str, float] = field(default_factory=dict)
    example_postings: dict[str, Postings] = field(default_factory=dict)
    example_entry: list[int] = field(default_factory=list)
    example_text: list[str] = field(default_factory=list)
    own_text: list[str] = field(default_factory=list)  # every example and title, normalised (for `near_copy`)
    own_entry: list[int] = field(default_factory=list)  # the entry each of those belongs to
    example_vectors: list[dict[str, float]] = field(default_factory=list)  # normalised TF-IDF per example
    example_phrases: list[dict[str, float]] = field(default_factory=list)  # multi-character features → idf
    entry_examples: list[list[int]] = field(default_factory=list)
    keywords: list[list[tuple[str, float]]] = field(default_factory=list)
    bayes_base: list[float] = field(default_factory=list)  # log P(unseen feature | entry)
    bayes_best: float = -math.inf  # the largest of `bayes_base` (looked at for every question)
    bayes_gain: dict[str, Postings] = field(default_factory=dict)  # log P(f | e) - base
    entry_gain: list[dict[str, float]] = field(default_factory=list)  # the same, per entry
    bayes_pooled: dict[str, float] = field(default_factory=dict)  # log P(f | all entries pooled)
    complement_gain: list[dict[str, float]] = field(default_factory=list)  # per entry: see `_build_complement`
    complement_norm: list[float] = field(default_factory=list)  # per entry: log of its complement's total weight
    complement_postings: dict[str, Postings] = field(default_factory=dict)  # the gains by feature
    respeller: Respeller | None = None  # puts right typos toward this knowledge base's words


def _shared_features(normalized: str) -> list[str]:
    """`features`, each one string object however many examples have it: the index keeps them in many tables, and
    "逾期" cut anew from each of a thousand examples would be a thousand strings."""
    return list(map(sys.intern, features(normalized)))


def weighted(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """The TF-IDF vector of some feature counts, of length 1 (empty when no feature weighs anything)."""
    vector = {f: (1.0 + math.log(n)) * idf.get(f, 0.0) for f, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {f: v / norm for f, v in vector.items() if v > 0} if norm > 0 else {}


def _phrase_weight(feature: str, idf: dict[str, float], generic: frozenset[str]) -> float:
    """Weight of a phrase when judging whether a question resembles an example at all.

    Question words ("怎么样", admin-listed as generic) weigh nothing: sharing them says nothing about loans.
    Words of the whole domain ("逾期") still count a little although every entry has them. `generic` holds every
    piece of the generic words (see `_pieces`).
    """
    word = feature[2:] if feature.startswith(("w:", "s:")) else feature
    if word in generic:  # part of a generic word
        return 0.0
    return max(idf.get(feature, 0.0), _DOMAIN_FLOOR)


def _pieces(words: list[str]) -> frozenset[str]:
    """Every piece (substring) of the words: one set look-up instead of a scan of the words for each feature."""
    found = {word[i:j] for word in words for i in range(len(word)) for j in range(i + 1, len(word) + 1)}
    if words:
        found.add("")  # "" is in any word
    return frozenset(found)


def _example_phrases(
    example_docs: list[Counter[str]], idf: dict[str, float], generic: list[str]
) -> list[dict[str, float]]:
    """Each example's multi-character features with their `_phrase_weight`."""
    pieces = _pieces(generic)
    weights: dict[str, float] = {}  # by feature: most recur across examples
    for counts in example_docs:
        for f in counts:
            if len(f) > 1 and f not in weights:
                weights[f] = _phrase_weight(f, idf, pieces)
    return [{f: weights[f] for f in counts if len(f) > 1} for counts in example_docs]


def build_index(kb: KnowledgeBase, weights: Weights, form: Callable[[str], str]) -> Index:
    """The index of `kb`: `form` is the normal form of a text (the matcher's normaliser, cached while building)."""
    return _Builder(kb, weights, form).build()


class _Builder:
    """Builds the index: the views' tables from one pass over the entries' texts."""

    def __init__(self, kb: KnowledgeBase, weights: Weights, form: Callable[[str], str]) -> None:
        self.kb = kb
        self.weights = weights
        self._entries: tuple[Entry, ...] = kb.entries
        self._form = form

    def build(self) -> Index:
        index = Index()
        entry_docs: list[Counter[str]] = []
        example_docs: list[Counter[str]] = []
        for entry_no, entry in enumerate(self._entries):
            whole: Counter[str] = Counter()
            mine: list[int] = []
            texts = [*entry.examples, entry.title.get("zh-hans", ""), entry.title.get("en", "")]
            for text in texts:
                normalized = self._form(text)
                counts = Counter(_shared_features(normalized))
                whole.update(counts)
                if normalized:
                    index.own_text.append(normalized)
                    index.own_entry.append(entry_no)
                if text in entry.examples:
                    mine.append(len(example_docs))
                    example_docs.append(counts)
                    index.example_entry.append(entry_no)
                    index.example_text.append(normalized)
            for keyword in entry.keywords:
                whole.update(_shared_features(self._form(keyword)))
            entry_docs.append(whole)
            index.entry_examples.append(mine)
        self._build_bayes(index, entry_docs)
        n = len(entry_docs)
        df: Counter[str] = Counter()
        for doc in entry_docs:
            df.update(doc.keys())
        # A feature found in every entry ("逾期", "花呗") says nothing about which entry is meant.
        index.idf = {f: math.log((n + 1) / (d + 0.5)) for f, d in df.items()}
        example_postings = _Lists()
        for example_no, counts in enumerate(example_docs):
            vector = weighted(counts, index.idf)
            index.example_vectors.append(vector)
            for f, v in vector.items():
                if index.idf[f] >= _MIN_IDF:  # on (nearly) every entry: adds nothing but a long list to walk
                    example_postings.add(f, example_no, v)
        index.example_postings = example_postings.frozen()
        self._build_complement(index)
        index.respeller = self._build_respeller(index, entry_docs)
        generic = [self._form(word) for word in self.kb.generic]
        index.example_phrases = _example_phrases(example_docs, index.idf, generic)
        index.keywords = self._build_keywords()
        return index

    def _build_keywords(self) -> list[list[tuple[str, float]]]:
        """Each entry's keywords (normal form), weighted by how few entries share them."""
        keyword_owners: Counter[str] = Counter()
        normalized_keywords: list[list[str]] = []
        for entry in self._entries:
            words = sorted({self._form(k) for k in entry.keywords if self._form(k)})
            normalized_keywords.append(words)
            keyword_owners.update(words)
        return [[(k, 1.0 / keyword_owners[k]) for k in words] for words in normalized_keywords]

    def _build_bayes(self, index: Index, entry_docs: list[Counter[str]]) -> None:
        """Multinomial naive Bayes: per-entry feature counts (examples, titles, keywords), smoothed."""
        alpha = self.weights.smoothing
        counts: list[Counter[str]] = []
        for entry, whole in zip(self._entries, entry_docs, strict=True):
            mine = Counter(whole)
            for keyword in entry.keywords:  # keywords count extra: an admin said they matter
                for f, n in Counter(_shared_features(self._form(keyword))).items():
                    mine[f] += n * (self.weights.keyword_count - 1)
            counts.append(mine)
        vocabulary = len(set().union(*counts)) if counts else 0
        gain = _Lists()
        for entry_no, mine in enumerate(counts):
            total = sum(mine.values()) + alpha * vocabulary
            base = math.log(alpha / total)
            index.bayes_base.append(base)
            mine_gain = {f: math.log((n + alpha) / total) - base for f, n in mine.items()}
            index.entry_gain.append(mine_gain)
            for f, g in mine_gain.items():
                gain.add(f, entry_no, g)
        index.bayes_gain = gain.frozen()
        index.bayes_best = max(index.bayes_base, default=-math.inf)
        pooled: Counter[str] = Counter()
        for mine in counts:
            pooled.update(mine)
        pooled_total = sum(pooled.values()) + alpha * vocabulary
        index.bayes_pooled = {f: math.log((n + alpha) / pooled_total) for f, n in pooled.items()}

    def _build_complement(self, index: Index) -> None:
        """Complement naive Bayes over TF-IDF weights: the entry whose complement explains the question worst.

        The score of entry c for a question x is Σ_f x_f · (log W_c̄ − log w_c̄,f), where w_c̄,f is the smoothed weight
        of feature f in every entry but c and W_c̄ their total. Split into a part shared by all entries (dropped) and
        a sparse gain over c's own features, it is summed like the other views.
        """
        alpha = self.weights.complement_smoothing
        per_entry: list[Counter[str]] = []
        for entry_no, entry in enumerate(self._entries):
            weights: Counter[str] = Counter()
            for example_no in index.entry_examples[entry_no]:
                weights.update(index.example_vectors[example_no])
            extra = [*entry.keywords, entry.title.get("zh-hans", ""), entry.title.get("en", "")]
            for text in extra:
                weights.update(weighted(Counter(_shared_features(self._form(text))), index.idf))
            per_entry.append(weights)
        total: Counter[str] = Counter()
        for weights in per_entry:
            total.update(weights)
        grand = sum(total.values()) + alpha * len(total)
        postings = _Lists()
        for entry_no, weights in enumerate(per_entry):
            index.complement_norm.append(math.log(grand - sum(weights.values())))
            gains = {f: math.log(alpha + total[f]) - math.log(alpha + total[f] - w) for f, w in weights.items()}
            index.complement_gain.append(gains)
            for f, g in gains.items():
                postings.add(f, entry_no, g)
        index.complement_postings = postings.frozen()

    def _build_respeller(self, index: Index, entry_docs: list[Counter[str]]) -> Respeller:
        uses: Counter[str] = Counter()
        for doc in entry_docs:
            uses.update({f: n for f, n in doc.items() if len(f) == 2 and not f.isascii()})
        words = (self._form(word) for word in self.kb.respell)
        return Respeller(words, uses, index.idf, _RESPELL_MIN_USES)
