"""Finds the knowledge entry a user's question is about: answer, clarify between a few, or admit not knowing.

Chinese is not space-separated, so scoring is character-level, over characters and character bigrams:

* a multinomial naive-Bayes posterior over entries (each entry's examples and keywords are its training text), which
  weighs all of an entry's phrasings at once and turns into a probability that says how sure the match is;
* a TF-IDF cosine to the closest example question, which rewards a near-identical phrasing;
* a complement naive-Bayes vote (Rennie et al., 2003): each entry judged by how unlike the *other* entries' text the
  question is. It errs where the other two do not (small entries, one misleading word), so it breaks their ties;
* rapidfuzz's `fuzz.ratio` to the closest example (typos, word order), for the few best entries only;
* keyword evidence an admin can add per entry.

Before scoring, a typo that sounds like a word of the knowledge base is put right (`respell`): Chinese is typed by
pinyin, so 写商 is usually 协商.

rapidfuzz is called in two places: `_fuzzy` (typo-tolerant similarity) and `_near_copy` (the question is one of an
entry's own examples or titles).
"""

from __future__ import annotations

import functools
import heapq
import math
import operator
import sys
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import repeat

from rapidfuzz import fuzz, process

from bot.config import MatcherConfig
from bot.core.judge import Signals, decide, judge
from bot.core.knowledge import Entry, EntryKind, KnowledgeBase
from bot.core.learned import LearnedModel, load_shipped
from bot.core.limits import MAX_MESSAGE_CHARS
from bot.core.normalize import Normalizer, features
from bot.core.respell import Respeller

#: Messages longer than this are matched on their first part; the engine tells the user (one limit: limits.py).
MAX_QUESTION_CHARS = MAX_MESSAGE_CHARS
#: Inverted lists longer than this are "common" features, summed only for the promising entries.
_COMMON = 128
#: Least weight of a phrase the knowledge base uses, in the resemblance check (see `_phrase_weight`).
_DOMAIN_FLOOR = 0.5
#: A message with more distinct features than this (a long story) is matched on its most telling ones.
_MAX_FEATURES = 100
#: Questions with more distinct features than this (about 40 characters) skip single characters for similarity.
_LONG_QUERY = 80
#: Features on nearly every entry ("逾", "呗") are left out of the example lists: their weight is about zero.
_MIN_IDF = 0.1
#: A typo is only put right to a pair of characters the knowledge base uses at least this often (a word of it).
_RESPELL_MIN_USES = 5
#: fuzz.ratio (0..100) at which a question is one of an entry's own examples or titles, bar a character or two.
_NEAR_COPY = 92
#: How many promising entries the first phase hands to the second.
_CANDIDATES = 48
#: The default of every `dict.get` in the summed products (see `_common_examples`).
_ZEROS = repeat(0.0)


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


@dataclass(frozen=True)
class Evidence:
    """What the matcher found for one question, before deciding answer / clarify / fallback."""

    ranked: list[tuple[int, float]]  # (entry number, blended score), best first
    #: Naive Bayes and the closest example name the same best entry. They fail differently (one strong word
    #: misleads the first, one look-alike phrasing the second), so agreement makes a right answer far likelier.
    agreed: bool
    #: Complement naive Bayes names the best entry too, and so does one of the other two: a majority of the three.
    seconded: bool
    closest: float  # share of the best entry's closest example found in the question: is it like anything we know?


@dataclass(frozen=True, slots=True)
class _Postings:
    """One feature's inverted list: (number, value) pairs, as two tuples rather than a tuple per pair (the index
    holds about 100,000 pairs; a tuple each was 5 MiB of every bot's memory)."""

    ids: tuple[int, ...]
    values: tuple[float, ...]

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[tuple[int, float]]:
        return zip(self.ids, self.values, strict=True)


_NO_POSTINGS = _Postings((), ())


class _Lists:
    """Inverted lists while they are built: numbers and values in two lists per feature (no tuple per pair)."""

    def __init__(self) -> None:
        self._lists: dict[str, tuple[list[int], list[float]]] = {}

    def add(self, feature: str, number: int, value: float) -> None:
        ids, values = self._lists.setdefault(feature, ([], []))
        ids.append(number)
        values.append(value)

    def frozen(self) -> dict[str, _Postings]:
        return {f: _Postings(tuple(ids), tuple(values)) for f, (ids, values) in self._lists.items()}


@dataclass
class _Index:
    """Sparse TF-IDF vectors behind inverted lists, so a question touches only entries sharing a feature."""

    idf: dict[str, float] = field(default_factory=dict)
    example_postings: dict[str, _Postings] = field(default_factory=dict)
    example_entry: list[int] = field(default_factory=list)
    example_text: list[str] = field(default_factory=list)
    own_text: list[str] = field(default_factory=list)  # every example and title, normalised (for `_near_copy`)
    own_entry: list[int] = field(default_factory=list)  # the entry each of those belongs to
    example_vectors: list[dict[str, float]] = field(default_factory=list)  # normalised TF-IDF per example
    example_phrases: list[dict[str, float]] = field(default_factory=list)  # multi-character features → idf
    entry_examples: list[list[int]] = field(default_factory=list)
    keywords: list[list[tuple[str, float]]] = field(default_factory=list)
    bayes_base: list[float] = field(default_factory=list)  # log P(unseen feature | entry)
    bayes_best: float = -math.inf  # the largest of `bayes_base` (looked at for every question)
    bayes_gain: dict[str, _Postings] = field(default_factory=dict)  # log P(f | e) - base
    entry_gain: list[dict[str, float]] = field(default_factory=list)  # the same, per entry
    bayes_pooled: dict[str, float] = field(default_factory=dict)  # log P(f | all entries pooled)
    complement_gain: list[dict[str, float]] = field(default_factory=list)  # per entry: see `_build_complement`
    complement_norm: list[float] = field(default_factory=list)  # per entry: log of its complement's total weight
    complement_postings: dict[str, _Postings] = field(default_factory=dict)  # the gains by feature
    respeller: Respeller | None = None  # puts right typos toward this knowledge base's words


def _shared_features(normalized: str) -> list[str]:
    """`features`, each one string object however many examples have it: the index keeps them in many tables, and
    "逾期" cut anew from each of a thousand examples would be a thousand strings."""
    return list(map(sys.intern, features(normalized)))


def _weighted(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
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


class Matcher:
    """Match questions against one knowledge base; build once, call `match` many times (it is read-only)."""

    def __init__(
        self,
        kb: KnowledgeBase,
        config: MatcherConfig | None = None,
        weights: Weights | None = None,
        learned: LearnedModel | None = None,
    ) -> None:
        self.kb = kb
        self.config = config or MatcherConfig()
        self.weights = weights or Weights()
        if learned is None and self.config.learned:
            learned = load_shipped()
        # The learned judge decides only for the knowledge base it was trained on: every entry it knows is still
        # there (new entries are fine: the matcher ranks them). On any other base (a test fixture, renamed entries)
        # the matcher's own rule decides, as before.
        self.learned = learned if learned is not None and learned.fits({entry.id for entry in kb.entries}) else None
        self.normalize = Normalizer(kb.aliases, kb.fillers, kb.greetings)
        self._entries = kb.entries
        #: Inverted lists longer than this are "common" (see `evidence`); bench.twophase measures other cut-offs.
        self.common_postings: float = _COMMON
        # The build normalises the same texts several times (an example for each view, keywords twice): once each.
        self._form: Callable[[str], str] = functools.cache(self.normalize)
        self._index = self._build()
        self._form = self.normalize  # the texts' forms are in the index now
        # Many users ask the same few things ("花呗逾期了怎么办"): recent results by question text.
        self._recent: OrderedDict[str, MatchResult] = OrderedDict()

    def _build(self) -> _Index:
        index = _Index()
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
            vector = _weighted(counts, index.idf)
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

    def _build_bayes(self, index: _Index, entry_docs: list[Counter[str]]) -> None:
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

    def _build_complement(self, index: _Index) -> None:
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
                weights.update(_weighted(Counter(_shared_features(self._form(text))), index.idf))
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

    def respell(self, normalized: str) -> str:
        """Normalised text with typos that sound like a word of the knowledge base put right (see `Respeller`)."""
        respeller = self._index.respeller
        return respeller(normalized) if respeller is not None else normalized

    def _build_respeller(self, index: _Index, entry_docs: list[Counter[str]]) -> Respeller:
        uses: Counter[str] = Counter()
        for doc in entry_docs:
            uses.update({f: n for f, n in doc.items() if len(f) == 2 and not f.isascii()})
        words = (self._form(word) for word in self.kb.respell)
        return Respeller(words, uses, index.idf, _RESPELL_MIN_USES)

    def _fuzzy(self, question: str, examples: Sequence[str]) -> float:
        """Best rapidfuzz ratio of the question against some examples, 0..1 (the only rapidfuzz call)."""
        found = process.extractOne(question, examples, scorer=fuzz.ratio, processor=None)
        return found[1] / 100.0 if found is not None else 0.0

    def evidence(self, normalized: str) -> Evidence:
        """Ranked entries with blended scores, and what the decision needs to know beyond the scores.

        Two phases keep a large knowledge base fast: features on few entries are summed through their inverted
        lists for every entry; features on very many ("逾期" in a base of 10,000 entries) only for the entries
        the first phase found promising (up to `_CANDIDATES` by each view). Scores of the promising entries are
        exact; an entry sharing only common features with the question is not scored at all.
        """
        index, weights = self._index, self.weights
        counts = Counter(features(normalized))
        if len(counts) > _MAX_FEATURES:  # a long story: its most telling words are enough, and much faster
            telling = heapq.nlargest(_MAX_FEATURES, counts, key=lambda f: index.idf.get(f, 0.0))
            counts = Counter({f: counts[f] for f in telling})
        query = _weighted(counts, index.idf)
        known = {f: n for f, n in counts.items() if f in index.bayes_gain}
        if not known:
            return Evidence([], False, False, 0.0)

        # Phase 1: rare features, through the inverted lists. A base of at most `_CANDIDATES` entries has every
        # entry promising anyway: there every feature goes through its list, which is cheaper than deferring.
        common = self.common_postings if len(self._entries) > _CANDIDATES else math.inf
        bayes_evidence, deferred_bayes = self._rare_bayes(known, common)
        example_dot, deferred_query = self._rare_examples(query, common)
        candidates = self._candidates(bayes_evidence, example_dot)

        # Phase 2: common features, for the candidates only.
        for entry_no in candidates:
            gains = index.entry_gain[entry_no]
            # map() rather than a generator: the same products summed in the same order, without a Python frame
            bayes_evidence[entry_no] += sum(
                map(operator.mul, map(known.__getitem__, deferred_bayes), map(gains.get, deferred_bayes, _ZEROS))
            )
        if deferred_query:
            self._common_examples(candidates, deferred_query, example_dot)
        nearest: dict[int, float] = {}
        for example_no, dot in example_dot.items():
            entry_no = index.example_entry[example_no]
            if entry_no in candidates and dot > nearest.get(entry_no, 0.0):
                nearest[entry_no] = dot
        bayes = self._posterior(known, bayes_evidence, candidates)
        keyword = self._keywords(normalized, candidates)
        blended = {
            e: weights.bayes * bayes.get(e, 0.0)
            + weights.nearest * nearest.get(e, 0.0)
            + weights.keywords * keyword.get(e, 0.0)
            for e in candidates
        }
        final = self._rescored(normalized, blended)
        if not final:
            return Evidence([], False, False, 0.0)
        best = final[0][0]
        by_bayes = not bayes or max(bayes, key=bayes.__getitem__) == best
        by_nearest = not nearest or max(nearest, key=nearest.__getitem__) == best
        by_complement = self._complement_best(query, candidates) == best
        return Evidence(
            final,
            by_bayes and by_nearest,
            by_complement and (by_bayes or by_nearest),
            self._resemblance(counts, best),
        )

    def _rare_bayes(self, known: dict[str, int], common: float) -> tuple[defaultdict[int, float], list[str]]:
        """Naive-Bayes evidence of the rare features for every entry that has them; the common features, deferred."""
        deferred: list[str] = []
        evidence: defaultdict[int, float] = defaultdict(float)
        for f, n in known.items():
            postings = self._index.bayes_gain[f]
            if len(postings) > common:
                deferred.append(f)
                continue
            for entry_no, g in postings:
                evidence[entry_no] += n * g
        return evidence, deferred

    def _rare_examples(
        self, query: dict[str, float], common: float
    ) -> tuple[defaultdict[int, float], dict[str, float]]:
        """Dot products of the rare features with every example that has them; the common features, deferred."""
        deferred: dict[str, float] = {}
        example_dot: defaultdict[int, float] = defaultdict(float)
        # A long message has bigrams enough to find its closest examples; its single characters, whose lists are
        # the longest, would only cost time.
        long_message = len(query) > _LONG_QUERY
        for f, qv in query.items():
            if long_message and len(f) == 1:
                continue
            postings = self._index.example_postings.get(f, _NO_POSTINGS)
            if len(postings) > common:
                deferred[f] = qv
                continue
            for example_no, v in postings:
                example_dot[example_no] += qv * v
        return example_dot, deferred

    def _candidates(self, bayes_evidence: dict[int, float], example_dot: dict[int, float]) -> set[int]:
        """The entries the first phase found promising, which the second scores exactly."""
        index, size = self._index, len(self._entries)
        if size <= _CANDIDATES:  # a small base: every entry with any evidence is a candidate
            candidates = set(bayes_evidence) | {index.example_entry[x] for x in example_dot}
        else:
            promising = heapq.nlargest(_CANDIDATES, bayes_evidence, key=bayes_evidence.__getitem__)
            by_example = heapq.nlargest(_CANDIDATES, example_dot, key=example_dot.__getitem__)
            candidates = set(promising) | {index.example_entry[x] for x in by_example}
        if not candidates:  # only common features: every entry is as likely, so look at all of them
            candidates = set(range(size)) if size <= _CANDIDATES else set()
        return candidates

    def _common_examples(
        self, candidates: set[int], deferred_query: dict[str, float], example_dot: defaultdict[int, float]
    ) -> None:
        """Add the common features' part of the dot products, for the candidates' examples only."""
        index = self._index
        for entry_no in candidates:
            for example_no in index.entry_examples[entry_no]:
                vector = index.example_vectors[example_no]
                small, large = (
                    (vector, deferred_query) if len(vector) < len(deferred_query) else (deferred_query, vector)
                )
                # v * large.get(f, 0.0) for each f, v of `small`, in its order (as `evidence` does it: exact, faster)
                example_dot[example_no] += sum(map(operator.mul, small.values(), map(large.get, small, _ZEROS)))

    def _keywords(self, normalized: str, candidates: set[int]) -> dict[int, float]:
        """How strongly each candidate's keywords are in the question (0 to 1; absent when none is)."""
        keyword: dict[int, float] = {}
        for entry_no in candidates:
            found = sum(w for k, w in self._index.keywords[entry_no] if k in normalized)
            if found:
                keyword[entry_no] = 1.0 - math.exp(-1.5 * found)
        return keyword

    def _rescored(self, normalized: str, blended: dict[int, float]) -> list[tuple[int, float]]:
        """The best blended entries, with the fuzzy likeness of their examples added, best first."""
        index, weights = self._index, self.weights
        ranked = sorted(blended.items(), key=lambda item: -item[1])[: weights.rerank]
        rescored = [
            (e, s + weights.fuzzy * self._fuzzy(normalized, [index.example_text[x] for x in index.entry_examples[e]]))
            for e, s in ranked
        ]
        return sorted(rescored, key=lambda item: -item[1])

    def signals(self, normalized: str, evidence: Evidence, probabilities: Mapping[str, float]) -> Signals | None:
        """What the learned judge weighs for one question; None when the model knew none of its features."""
        if not probabilities:
            return None
        counts = Counter(features(normalized))
        entry_no = {entry.id: number for number, entry in enumerate(self._entries)}
        return Signals(
            learned=probabilities,
            matcher=[(self._entries[e], s) for e, s in evidence.ranked],
            agreed=evidence.agreed,
            seconded=evidence.seconded,
            resemblance=lambda entry: self._resemblance(counts, entry_no[entry.id]),
            length=len(normalized),
        )

    def _near_copy(self, normalized: str) -> int | None:
        """The one entry the question is an example or title of, as the admin wrote it (bar a character or two)."""
        index = self._index
        found = process.extract(
            normalized, index.own_text, scorer=fuzz.ratio, processor=None, score_cutoff=_NEAR_COPY, limit=4
        )
        owners = {index.own_entry[position] for _, _, position in found}
        return owners.pop() if len(owners) == 1 else None

    def _judge(self, normalized: str, evidence: Evidence, learned: LearnedModel) -> MatchResult | None:
        copied = self._near_copy(normalized)
        if copied is not None:
            # The admin's own example or the guide's heading: it is that entry, whatever real traffic suggests.
            entry = self._entries[copied]
            status = Status.ANSWER if entry.kind.answered else Status.FALLBACK
            ranked = [
                Candidate(entry, 1.0),
                *(Candidate(self._entries[e], round(s, 4)) for e, s in evidence.ranked if e != copied),
            ]
            return MatchResult(status, entry, tuple(ranked[: self.config.max_candidates]), 1.0, normalized)
        signals = self.signals(normalized, evidence, learned.probabilities(normalized))
        verdict = judge(signals, self.kb.by_id, learned.calibration) if signals is not None else None
        if verdict is None:
            return None
        decision = decide(verdict, learned.calibration, self.config.max_candidates)
        offered = tuple(Candidate(entry, round(score, 4)) for entry, score in decision.offered)
        confidence = round(verdict.confidence, 4)
        if decision.entry is not None:
            status = Status.ANSWER if decision.entry.kind.answered else Status.FALLBACK
            return MatchResult(status, decision.entry, offered, confidence, normalized)
        status = Status.CLARIFY if decision.action == "clarify" else Status.FALLBACK
        return MatchResult(status, None, offered, confidence, normalized)

    def _complement_best(self, query: dict[str, float], candidates: set[int]) -> int | None:
        """The candidate complement naive Bayes rates highest (see `_build_complement`).

        Summed through the features' lists like the other views; a feature on very many entries only for the
        candidates.
        """
        index = self._index
        known = {f: x for f, x in query.items() if f in index.complement_postings}
        mass = sum(known.values())
        scores = {entry_no: mass * index.complement_norm[entry_no] for entry_no in candidates}
        for f, x in known.items():
            postings = index.complement_postings[f]
            if len(postings) > self.common_postings:
                for entry_no in candidates:
                    scores[entry_no] += x * index.complement_gain[entry_no].get(f, 0.0)
                continue
            for entry_no, gain in postings:
                if entry_no in scores:
                    scores[entry_no] += x * gain
        return max(scores, key=scores.__getitem__) if scores else None

    def _posterior(self, known: dict[str, int], evidence: dict[int, float], candidates: set[int]) -> dict[int, float]:
        """P(entry | question) for the candidates, from naive-Bayes log-evidence.

        Features no entry has are ignored (a long story has many). Besides the entries there is a background
        class: all entries pooled. Words every entry uses ("逾期", "怎么") are explained as well by it as by any
        one entry, so a question made only of them stays unsure instead of one entry winning by chance.
        """
        index = self._index
        scale = sum(known.values()) / self.weights.temperature
        logits = {e: index.bayes_base[e] * scale + ev / self.weights.temperature for e, ev in evidence.items()}
        pooled = sum(n * index.bayes_pooled[f] for f, n in known.items())
        background = (self.weights.background + pooled) / self.weights.temperature
        top = max(background, *logits.values()) if logits else background
        norm = math.fsum(math.exp(x - top) for x in logits.values()) + math.exp(background - top)
        # Entries without evidence: only worth summing when the likeliest of them is not negligible (e^-30).
        if index.bayes_base and index.bayes_best * scale > top - 30:
            norm += math.fsum(math.exp(b * scale - top) for e, b in enumerate(index.bayes_base) if e not in logits)
        return {e: math.exp(logits.get(e, index.bayes_base[e] * scale) - top) / norm for e in candidates}

    def _resemblance(self, counts: Counter[str], entry_no: int) -> float:
        """How much of the entry's closest example (by weight of its bigrams and words) the question contains.

        Single characters are left out: "今天天气" shares 天 with "缓几天", which says nothing.
        """
        best = 0.0
        for example_no in self._index.entry_examples[entry_no]:
            phrases = self._index.example_phrases[example_no]
            total = sum(phrases.values())
            if total > 0:
                best = max(best, sum(w for f, w in phrases.items() if f in counts) / total)
        return best

    def match(self, text: str) -> MatchResult:
        question = text[:MAX_QUESTION_CHARS]
        cached = self._recent.get(question)  # by the text as typed: a repeat costs not even normalisation
        if cached is not None:
            self._recent.move_to_end(question)
            return cached
        result = self._decide(self.respell(self.normalize(question)))
        if self.config.cache_size:
            self._recent[question] = result
            if len(self._recent) > self.config.cache_size:
                self._recent.popitem(last=False)
        return result

    def _decide(self, normalized: str) -> MatchResult:
        if not normalized:
            return MatchResult(Status.FALLBACK, None, (), 0.0, normalized)
        evidence = self.evidence(normalized)
        if self.learned is None:
            return self._rule(normalized, evidence)
        judged = self._judge(normalized, evidence, self.learned)
        if judged is not None and judged.status is Status.ANSWER:
            return judged
        ruled = self._rule(normalized, evidence)
        if judged is None:
            return ruled
        # The learned judge cannot speak for an entry added after it was trained: where it only offers a menu and
        # all three of the matcher's views agree on such an entry, the matcher's answer stands (else a new entry,
        # such as the advice for a refused negotiation, could only ever be offered as one button among others).
        if (
            evidence.agreed
            and ruled.status is Status.ANSWER
            and ruled.entry is not None
            and ruled.entry.id not in self.learned.classes
        ):
            return ruled
        return judged

    def _rule(self, normalized: str, evidence: Evidence) -> MatchResult:
        """The matcher's own decision from its evidence, without the learned judge."""
        ranked = [Candidate(self._entries[e], round(s, 4)) for e, s in evidence.ranked]
        if not ranked:
            return MatchResult(Status.FALLBACK, None, (), 0.0, normalized)
        cfg = self.config
        best = ranked[0]
        second = ranked[1].score if len(ranked) > 1 else 0.0
        # Two of the three views are enough when the best entry is also clearly ahead, and the runner-up is not a
        # topic the guide does not cover: a question that ranks one of those second may well be about it.
        runner_up_route = len(ranked) > 1 and ranked[1].entry.kind is EntryKind.ROUTE
        majority = evidence.seconded and best.score - second >= cfg.majority_margin and not runner_up_route
        backed = evidence.agreed or majority
        needed = cfg.answer_threshold if backed else cfg.lone_answer_threshold
        resembles = evidence.closest >= cfg.min_similarity
        if best.score >= needed and best.score - second >= cfg.margin and resembles:
            status = Status.ANSWER if best.entry.kind.answered else Status.FALLBACK
            return MatchResult(status, best.entry, tuple(ranked[: cfg.max_candidates]), best.score, normalized)
        if best.score >= cfg.clarify_threshold and evidence.closest >= cfg.min_similarity / 3:
            # "Chit-chat" is no choice to offer: the menu is made of the close entries without it.
            close = tuple(
                c for c in ranked if c.score >= cfg.clarify_threshold and c.entry.kind is not EntryKind.OFFTOPIC
            )[: cfg.max_candidates]
            chit_chat_first = best.entry.kind is EntryKind.OFFTOPIC
            # A "menu" of one: when it would be answered had the views agreed, and the question resembles the
            # entry's examples, answering is kinder than asking the user to press the only button.
            if (
                len(close) == 1
                and not chit_chat_first
                and best.score >= cfg.answer_threshold
                and evidence.closest >= cfg.min_similarity
            ):
                status = Status.ANSWER if best.entry.kind.answered else Status.FALLBACK
                return MatchResult(status, best.entry, close, best.score, normalized)
            # When chit-chat leads, a menu only if several loan topics are close too ("你是真人吗我想协商还款").
            if len(close) > 1 or (close and not chit_chat_first and evidence.closest >= cfg.min_similarity):
                return MatchResult(Status.CLARIFY, None, close, close[0].score, normalized)
        return MatchResult(Status.FALLBACK, None, tuple(ranked[: cfg.max_candidates]), best.score, normalized)
