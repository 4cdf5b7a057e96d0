"""From a question's evidence to the matcher's answer: one entry, a few to choose from, or admitting not knowing.

Two deciders: the matcher's own rule (`Decider.rule`, thresholds from config on the views' scores and agreement),
and the learned judge's verdict (`Decider.judged`, bot/core/judge.py) where the shipped model fits the knowledge
base. A question that is one of an entry's own examples or titles is that entry whatever either says
(`Decider.near_copy`).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.config import MatcherConfig
from bot.core.judge import Signals, decide, judge
from bot.core.knowledge import Entry, EntryKind
from bot.core.learned import Calibration
from bot.core.matcher.evidence import Evidence
from bot.core.matcher.fuzzy import near_copies
from bot.core.matcher.index import Index
from bot.core.matcher.values import Candidate, MatchResult, Status

#: fuzz.ratio (0..100) at which a question is one of an entry's own examples or titles, bar a character or two.
_NEAR_COPY = 92


class Decider:
    """Decides for one knowledge base's entries, by one configuration (read-only)."""

    def __init__(self, entries: tuple[Entry, ...], by_id: Mapping[str, Entry], config: MatcherConfig) -> None:
        self._entries = entries
        self._by_id = by_id
        self.config = config

    def near_copy(self, normalized: str, index: Index) -> int | None:
        """The one entry the question is an example or title of, as the admin wrote it (bar a character or two)."""
        found = near_copies(normalized, index.own_text, _NEAR_COPY, limit=4)
        owners = {index.own_entry[position] for position in found}
        return owners.pop() if len(owners) == 1 else None

    def copied(self, copied: int, normalized: str, evidence: Evidence) -> MatchResult:
        """The admin's own example or the guide's heading: it is that entry, whatever real traffic suggests."""
        entry = self._entries[copied]
        status = Status.ANSWER if entry.kind.answered else Status.FALLBACK
        ranked = [
            Candidate(entry, 1.0),
            *(Candidate(self._entries[e], round(s, 4)) for e, s in evidence.ranked if e != copied),
        ]
        return MatchResult(status, entry, tuple(ranked[: self.config.max_candidates]), 1.0, normalized)

    def judged(self, normalized: str, signals: Signals, calibration: Calibration) -> MatchResult | None:
        """The learned judge's decision; None when it has no verdict."""
        verdict = judge(signals, self._by_id, calibration)
        if verdict is None:
            return None
        decision = decide(verdict, calibration, self.config.max_candidates)
        offered = tuple(Candidate(entry, round(score, 4)) for entry, score in decision.offered)
        confidence = round(verdict.confidence, 4)
        if decision.entry is not None:
            status = Status.ANSWER if decision.entry.kind.answered else Status.FALLBACK
            return MatchResult(status, decision.entry, offered, confidence, normalized)
        status = Status.CLARIFY if decision.action == "clarify" else Status.FALLBACK
        return MatchResult(status, None, offered, confidence, normalized)

    def rule(self, normalized: str, evidence: Evidence) -> MatchResult:
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
