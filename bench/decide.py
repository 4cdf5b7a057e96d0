"""Fitting and scoring the learned judge's decision on held-out predictions (used by `bench/train.py`).

The bot's rule is `bot.core.judge.decide`; this module fits its calibration (a logistic model over
`judge.feature_vector`), chooses the two thresholds, and scores the result the way `bench.accuracy` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
from sklearn.linear_model import LogisticRegression

from bot.core.judge import Decision, Signals, Verdict, decide, feature_vector, judge, rank
from bot.core.knowledge import EntryKind
from bot.core.learned import Calibration
from bot.core.matcher import Matcher

#: Confident-wrong answers (of all questions) the thresholds may allow on the held-out predictions: below the
#: target of 3%, so that new questions, which the thresholds never saw, still stay under it.
MAX_WRONG = 0.025
#: Menus (of all questions) the thresholds may allow.
MAX_CLARIFY = 0.24


class Item(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def accept(self) -> frozenset[str]: ...


@dataclass
class Figures:
    total: int = 0
    in_kb: int = 0
    top1: int = 0
    useful: int = 0
    wrong: int = 0
    clarify: int = 0
    none_total: int = 0
    none_answered: int = 0

    def add(self, accept: frozenset[str], decision: Decision | None) -> None:
        self.total += 1
        action = decision.action if decision is not None else "fallback"
        entry = decision.entry if decision is not None else None
        answered = action == "answer" and entry is not None and entry.kind is EntryKind.TOPIC
        offered = [e.id for e, _ in decision.offered[:3]] if decision is not None else []
        self.clarify += action == "clarify"
        if accept == {"none"}:
            self.none_total += 1
            self.none_answered += answered
            self.wrong += answered
            return
        self.in_kb += 1
        hit = answered and entry is not None and entry.id in accept
        self.top1 += hit
        self.useful += hit or (action == "clarify" and any(c in accept for c in offered))
        self.wrong += answered and not hit

    def row(self) -> str:
        def pct(n: int, d: int) -> str:
            return f"{100 * n / d:5.1f}%" if d else "  n/a"

        return (
            f"n={self.total} top-1 {pct(self.top1, self.in_kb)} useful {pct(self.useful, self.in_kb)}"
            f" confident-wrong {pct(self.wrong, self.total)} clarify {pct(self.clarify, self.total)}"
            f" none-answered {pct(self.none_answered, self.none_total)}"
        )


def signals_of(
    matcher: Matcher, form: Callable[[str], str], held_out: Sequence[tuple[Item, dict[str, float]]]
) -> list[tuple[Item, Signals | None]]:
    out: list[tuple[Item, Signals | None]] = []
    for item, probs in held_out:
        text = form(item.text)
        out.append((item, matcher.signals(text, matcher.evidence(text), probs) if text else None))
    return out


def calibrate(matcher: Matcher, signals: Sequence[tuple[Item, Signals | None]]) -> Calibration:
    """Fit the confidence model on held-out predictions, then choose the answer and menu thresholds."""
    xs: list[tuple[float, ...]] = []
    ys: list[int] = []
    for item, sig in signals:
        ranked = rank(sig, matcher.kb.by_id) if sig is not None else []
        if not ranked or sig is None:
            continue
        best = ranked[0][0]
        right = best.id in item.accept if best.kind is EntryKind.TOPIC else item.accept == {"none"}
        topics = {i: e for i, e in matcher.kb.by_id.items() if e.kind is EntryKind.TOPIC}
        xs.append(feature_vector(sig, ranked, topics))
        ys.append(int(right))
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(np.asarray(xs), np.asarray(ys))
    base = Calibration(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]), 1.0, 1.0)
    verdicts = [(item, judge(sig, matcher.kb.by_id, base) if sig is not None else None) for item, sig in signals]
    best_key: tuple[float, float] | None = None
    chosen = base
    for answer_at in np.arange(0.30, 0.96, 0.01):
        for clarify_at in np.arange(0.05, 0.90, 0.025):
            candidate = replace(base, answer_at=float(answer_at), clarify_at=float(clarify_at))
            f = score(verdicts, candidate, matcher.config.max_candidates)
            if f.wrong > MAX_WRONG * f.total or f.clarify > MAX_CLARIFY * f.total:
                continue
            key = (f.top1 + 0.5 * f.useful, -f.clarify)
            if best_key is None or key > best_key:
                best_key, chosen = key, candidate
    return chosen


def score(verdicts: Sequence[tuple[Item, Verdict | None]], calibration: Calibration, max_candidates: int) -> Figures:
    figures = Figures()
    for item, verdict in verdicts:
        figures.add(item.accept, decide(verdict, calibration, max_candidates) if verdict is not None else None)
    return figures


def evaluate(matcher: Matcher, signals: Sequence[tuple[Item, Signals | None]], calibration: Calibration) -> Figures:
    verdicts = [(item, judge(sig, matcher.kb.by_id, calibration) if sig is not None else None) for item, sig in signals]
    return score(verdicts, calibration, matcher.config.max_candidates)
