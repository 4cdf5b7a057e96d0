"""Scores one question against the index: the evidence for each entry, before deciding answer / clarify / fallback.

Four views, blended (`Weights`), each over characters and character bigrams:

* a multinomial naive-Bayes posterior over entries, which weighs all of an entry's phrasings at once and turns into
  a probability that says how sure the match is;
* a TF-IDF cosine to the closest example question, which rewards a near-identical phrasing;
* rapidfuzz's ratio to the closest example (typos, word order), for the few best entries only (see `fuzzy`);
* keyword evidence an admin can add per entry.

A fifth, a complement naive-Bayes vote (Rennie et al., 2003), judges each entry by how unlike the *other* entries'
text the question is. It errs where the first two do not (small entries, one misleading word), so it only says
whether it seconds their best entry.
"""

from __future__ import annotations

import heapq
import math
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import repeat

from bot.core.matcher.fuzzy import best_ratio
from bot.core.matcher.index import NO_POSTINGS, Index, weighted
from bot.core.matcher.values import Weights
from bot.core.normalize import features

#: A message with more distinct features than this (a long story) is matched on its most telling ones.
_MAX_FEATURES = 100
#: Questions with more distinct features than this (about 40 characters) skip single characters for similarity.
_LONG_QUERY = 80
#: How many promising entries the first phase hands to the second.
_CANDIDATES = 48
#: The default of every `dict.get` in the summed products (see `_common_examples`).
_ZEROS = repeat(0.0)


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


class Scorer:
    """The evidence for questions against one index (read-only: one scorer serves every question)."""

    def __init__(self, index: Index, weights: Weights, size: int) -> None:
        self._index = index
        self.weights = weights
        self._size = size  # how many entries the index holds

    def evidence(self, normalized: str, common_postings: float) -> Evidence:
        """Ranked entries with blended scores, and what the decision needs to know beyond the scores.

        Two phases keep a large knowledge base fast: features on few entries are summed through their inverted
        lists for every entry; features on very many (a list longer than `common_postings`: "逾期" in a base of
        10,000 entries) only for the entries the first phase found promising (up to `_CANDIDATES` by each view).
        Scores of the promising entries are exact; an entry sharing only common features with the question is not
        scored at all.
        """
        index, weights = self._index, self.weights
        counts = Counter(features(normalized))
        if len(counts) > _MAX_FEATURES:  # a long story: its most telling words are enough, and much faster
            telling = heapq.nlargest(_MAX_FEATURES, counts, key=lambda f: index.idf.get(f, 0.0))
            counts = Counter({f: counts[f] for f in telling})
        query = weighted(counts, index.idf)
        known = {f: n for f, n in counts.items() if f in index.bayes_gain}
        if not known:
            return Evidence([], False, False, 0.0)

        # Phase 1: rare features, through the inverted lists. A base of at most `_CANDIDATES` entries has every
        # entry promising anyway: there every feature goes through its list, which is cheaper than deferring.
        common = common_postings if self._size > _CANDIDATES else math.inf
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
        by_complement = self._complement_best(query, candidates, common_postings) == best
        return Evidence(
            final,
            by_bayes and by_nearest,
            by_complement and (by_bayes or by_nearest),
            self.resemblance(counts, best),
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
            postings = self._index.example_postings.get(f, NO_POSTINGS)
            if len(postings) > common:
                deferred[f] = qv
                continue
            for example_no, v in postings:
                example_dot[example_no] += qv * v
        return example_dot, deferred

    def _candidates(self, bayes_evidence: dict[int, float], example_dot: dict[int, float]) -> set[int]:
        """The entries the first phase found promising, which the second scores exactly."""
        index, size = self._index, self._size
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
            (e, s + weights.fuzzy * best_ratio(normalized, [index.example_text[x] for x in index.entry_examples[e]]))
            for e, s in ranked
        ]
        return sorted(rescored, key=lambda item: -item[1])

    def _complement_best(self, query: dict[str, float], candidates: set[int], common: float) -> int | None:
        """The candidate complement naive Bayes rates highest (see bot/core/matcher/index.py).

        Summed through the features' lists like the other views; a feature on very many entries only for the
        candidates.
        """
        index = self._index
        known = {f: x for f, x in query.items() if f in index.complement_postings}
        mass = sum(known.values())
        scores = {entry_no: mass * index.complement_norm[entry_no] for entry_no in candidates}
        for f, x in known.items():
            postings = index.complement_postings[f]
            if len(postings) > common:
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

    def resemblance(self, counts: Counter[str], entry_no: int) -> float:
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
