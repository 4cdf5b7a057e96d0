"""Finds the knowledge entry a user's question is about: answer, clarify between a few, or admit not knowing.

Chinese is not space-separated, so scoring is character-level, over characters and character bigrams, by several
views blended: a naive-Bayes posterior over entries, a TF-IDF cosine to the closest example, rapidfuzz's ratio to it,
the entries' keywords, and a complement naive-Bayes vote that breaks the others' ties.

Before scoring, a typo that sounds like a word of the knowledge base is put right (`respell`): Chinese is typed by
pinyin, so 写商 is usually 协商.

The parts: `values` (what a match returns, and the blend's weights), `index` (built once per knowledge base),
`evidence` (one question scored against the index), `decision` (the evidence → answer / clarify / fallback, by the
matcher's own rule or the learned judge), `needs` (a question saying it cannot pay never gets an out-of-scope card),
`fuzzy` (the one module calling rapidfuzz). `Matcher`, here, ties them together and keeps the recent results.
"""

from __future__ import annotations

import functools
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping

from bot.config import MatcherConfig
from bot.core.judge import Signals
from bot.core.knowledge import KnowledgeBase
from bot.core.learned import LearnedModel, load_shipped
from bot.core.limits import MAX_MESSAGE_CHARS
from bot.core.matcher.decision import Decider
from bot.core.matcher.evidence import Evidence, Scorer
from bot.core.matcher.index import build_index
from bot.core.matcher.needs import Needs
from bot.core.matcher.values import Candidate, MatchResult, Status, Weights
from bot.core.normalize import Normalizer, features

__all__ = ["MAX_QUESTION_CHARS", "Candidate", "Evidence", "MatchResult", "Matcher", "Status", "Weights"]

#: Messages longer than this are matched on their first part; the engine tells the user (one limit: limits.py).
MAX_QUESTION_CHARS = MAX_MESSAGE_CHARS
#: Inverted lists longer than this are "common" features, summed only for the promising entries.
_COMMON = 128


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
        self.normalize = Normalizer(kb.aliases, kb.fillers, kb.greetings, kb.thanks, kb.dialect)
        self._entries = kb.entries
        #: Inverted lists longer than this are "common" (see `evidence`); bench.twophase measures other cut-offs.
        self.common_postings: float = _COMMON
        # The build normalises the same texts several times (an example for each view, keywords twice): once each.
        form: Callable[[str], str] = functools.cache(self.normalize)
        self._index = build_index(kb, self.weights, form)
        self._scorer = Scorer(self._index, self.weights, len(self._entries))
        self._decider = Decider(self._entries, kb.by_id, self.config)
        self._needs = Needs(kb.needs, self._entries, self.normalize.mandarin)
        # Many users ask the same few things ("花呗逾期了怎么办"): recent results by question text.
        self._recent: OrderedDict[str, MatchResult] = OrderedDict()

    def respell(self, normalized: str) -> str:
        """Normalised text with typos that sound like a word of the knowledge base put right (see `Respeller`)."""
        respeller = self._index.respeller
        return respeller(normalized) if respeller is not None else normalized

    def evidence(self, normalized: str) -> Evidence:
        """Ranked entries with blended scores, and what the decision needs to know beyond the scores."""
        return self._scorer.evidence(normalized, self.common_postings)

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
            resemblance=lambda entry: self._scorer.resemblance(counts, entry_no[entry.id]),
            length=len(normalized),
        )

    def _judge(self, normalized: str, evidence: Evidence, learned: LearnedModel) -> MatchResult | None:
        copied = self._decider.near_copy(normalized, self._index)
        if copied is not None:
            return self._decider.copied(copied, normalized, evidence)
        signals = self.signals(normalized, evidence, learned.probabilities(normalized))
        return self._decider.judged(normalized, signals, learned.calibration) if signals is not None else None

    def match(self, text: str) -> MatchResult:
        question = text[:MAX_QUESTION_CHARS]
        cached = self._recent.get(question)  # by the text as typed: a repeat costs not even normalisation
        if cached is not None:
            self._recent.move_to_end(question)
            return cached
        result = self._decide(self.respell(self.normalize(question)))
        if self._needs.shows_unsaid(result) and self._needs.said(self.normalize.mandarin(question)):
            # rare (a need said, and an out-of-scope card found for it): the evidence is worth computing again
            ranking = [Candidate(self._entries[e], round(s, 4)) for e, s in self.evidence(result.normalized).ranked]
            result = self._needs.in_scope(result, ranking, self.config.max_candidates)
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
            return self._decider.rule(normalized, evidence)
        judged = self._judge(normalized, evidence, self.learned)
        if judged is not None and judged.status is Status.ANSWER:
            return judged
        ruled = self._decider.rule(normalized, evidence)
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
