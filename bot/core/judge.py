"""Decides answer / clarify / fallback from the learned model's probabilities and the matcher's own evidence.

The matcher ranks well but cannot say how sure it is; the learned model (`bot.core.learned`) knows real traffic,
including the everyday questions the guide does not cover. The judge ranks entries by both, then asks a small
calibrated model how likely the best one is to be right: the number it gives is what `MatchResult.score` reports,
so a confidence of 0.8 means about four in five such answers were right on held-out real questions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.core.knowledge import Entry, EntryKind
from bot.core.learned import NOT_COVERED, Calibration

#: How much the matcher's blended score adds to the learned probability when ranking entries.
MATCHER_SHARE = 0.25
#: A menu only offers entries at least this likely (ranking score), so it is never padded with noise.
MENU_FLOOR = 0.05


@dataclass(frozen=True)
class Signals:
    """What the judge knows about one question: learned probabilities and the matcher's view."""

    learned: Mapping[str, float]  # entry id (or NOT_COVERED) → probability
    matcher: Sequence[tuple[Entry, float]]  # the matcher's ranking with its blended scores, best first
    agreed: bool  # the matcher's naive-Bayes and closest-example views name its best entry
    seconded: bool  # two of its three views do
    resemblance: Callable[[Entry], float]  # share of an entry's closest example found in the question
    length: int = 0  # characters of the normalised question


@dataclass(frozen=True)
class Verdict:
    ranked: tuple[tuple[Entry, float], ...]  # best first, by the combined ranking score
    confidence: float  # probability that the best entry is the right thing to show (calibrated)
    menu_mass: float  # learned probability that one of the first three answered entries is meant


def rank(signals: Signals, entries: Mapping[str, Entry]) -> list[tuple[Entry, float]]:
    """Entries by learned probability plus a share of the matcher's score (entries the model never saw still rank)."""
    matcher_score = {entry.id: score for entry, score in signals.matcher}
    ids = set(matcher_score) | {i for i in signals.learned if i in entries}
    scored = [(entries[i], signals.learned.get(i, 0.0) + MATCHER_SHARE * matcher_score.get(i, 0.0)) for i in ids]
    return sorted(scored, key=lambda item: (-item[1], item[0].id))


#: What each number of `feature_vector` is, in order (the calibration has one weight per name).
FEATURES = (
    "learned probability of the best entry",
    "learned probability of 'not covered'",
    "ranking margin over the runner-up",
    "matcher score of the best entry",
    "matcher ranks it first",
    "... and its views agree",
    "... and two of its three views do",
    "resemblance to the entry's closest example",
    "the best entry is not an answered topic",
    "learned mass on answered topics",
    "share of that mass on the best entry",
    "learned probability of the best minus the runner-up's",
    "learned probability of the best plus the runner-up's",
    "entropy of the learned probabilities",
    "the learned model's own favourite is the best entry",
    "learned mass on the first two answered entries",
    "learned mass on the first three answered entries",
    "log(1 + length of the question)",
    "lead of the learned favourite over its runner-up",
)


def feature_vector(
    signals: Signals, ranked: Sequence[tuple[Entry, float]], topics: Mapping[str, Entry]
) -> tuple[float, ...]:
    """The numbers the calibration weighs; `bench/train.py` fits it on exactly these."""
    best, best_score = ranked[0]
    second_score = ranked[1][1] if len(ranked) > 1 else 0.0
    p_best = signals.learned.get(best.id, 0.0)
    matcher_best = signals.matcher[0][0].id if signals.matcher else ""
    matcher_score = next((s for e, s in signals.matcher if e.id == best.id), 0.0)
    same = 1.0 if matcher_best == best.id else 0.0
    # How much of the learned belief is on topics the guide answers at all (not routes, chit-chat or "not covered").
    covered = math.fsum(p for i, p in signals.learned.items() if i in topics)
    # How the learned belief is spread: a question two entries share (labelled with both) splits it between them.
    p_next = signals.learned.get(ranked[1][0].id, 0.0) if len(ranked) > 1 else 0.0
    beliefs = sorted(signals.learned.values(), reverse=True)
    lead = beliefs[0] - (beliefs[1] if len(beliefs) > 1 else 0.0)
    entropy = -math.fsum(p * math.log(p) for p in beliefs if p > 0.0)
    learned_best = max(signals.learned, key=signals.learned.__getitem__) if signals.learned else ""
    answered = [e.id for e, _ in ranked if e.kind is EntryKind.TOPIC][:3]
    return (
        p_best,
        signals.learned.get(NOT_COVERED, 0.0),
        best_score - second_score,
        matcher_score,
        same,
        same * float(signals.agreed),
        same * float(signals.seconded),
        signals.resemblance(best),
        0.0 if best.kind is EntryKind.TOPIC else 1.0,
        covered,
        p_best / covered if covered > 0 else 0.0,
        p_best - p_next,
        p_best + p_next,
        entropy,
        1.0 if learned_best == best.id else 0.0,
        math.fsum(signals.learned.get(i, 0.0) for i in answered[:2]),
        math.fsum(signals.learned.get(i, 0.0) for i in answered),
        math.log1p(signals.length),
        lead,
    )


@dataclass(frozen=True)
class Decision:
    action: str  # "answer" (the best entry: answered, or a recognised route), "clarify" or "fallback"
    entry: Entry | None
    offered: tuple[tuple[Entry, float], ...]  # the menu for clarify; the ranking otherwise


def decide(verdict: Verdict, calibration: Calibration, max_candidates: int) -> Decision:
    """Answer when the calibrated confidence clears its bar, else a menu when one is likely to help, else decline."""
    best = verdict.ranked[0][0]
    if verdict.confidence >= calibration.answer_at:
        return Decision("answer", best, verdict.ranked[:max_candidates])
    menu = tuple((e, s) for e, s in verdict.ranked if e.kind is EntryKind.TOPIC and s >= MENU_FLOOR)
    if menu and verdict.menu_mass >= calibration.clarify_at:
        return Decision("clarify", None, menu[:max_candidates])
    return Decision("fallback", None, verdict.ranked[:max_candidates])


def judge(signals: Signals, entries: Mapping[str, Entry], calibration: Calibration) -> Verdict | None:
    ranked = rank(signals, entries)
    if not ranked:
        return None
    x = feature_vector(signals, ranked, {i: e for i, e in entries.items() if e.kind is EntryKind.TOPIC})
    z = calibration.bias + math.fsum(w * v for w, v in zip(calibration.weights, x, strict=True))
    confidence = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    answered = [e for e, _ in ranked if e.kind is EntryKind.TOPIC][:3]
    menu_mass = math.fsum(signals.learned.get(e.id, 0.0) for e in answered)
    return Verdict(tuple(ranked), confidence, menu_mass)
