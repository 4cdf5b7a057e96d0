"""Per-user message budgets, so one user sending thousands of messages cannot slow everyone else down.

A budget is a token bucket per user: `burst` messages at once, then `per_second` more each second. Past it, the
user is told once to slow down (until their bucket has filled up again) and further messages are dropped unread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum

#: Users whose buckets are remembered at most; the fullest (least active) are forgotten first beyond this.
_REMEMBERED = 10_000


class Verdict(StrEnum):
    ALLOW = "allow"  # within the budget: handle it
    WARN = "warn"  # the first message over the budget: tell the user to slow down, do not handle it
    DROP = "drop"  # over the budget and already told: ignore it


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class Budget:
    """Token buckets by key (a user id); `burst` or `per_second` of 0 switches budgets off (everything allowed)."""

    def __init__(self, burst: int, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.per_second = per_second
        self._clock = clock
        self._buckets: dict[Hashable, _Bucket] = {}
        self.warned = 0  # how many slow-down notes were due (for /stats)
        self.dropped = 0  # messages not handled because their sender was over the budget

    @property
    def enabled(self) -> bool:
        return self.burst > 0 and self.per_second > 0

    def take(self, key: Hashable) -> Verdict:
        """Spend one message of `key`'s budget, if there is one."""
        if not self.enabled:
            return Verdict.ALLOW
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _REMEMBERED:
                self._forget_idle(now)
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        else:
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.per_second)
            bucket.at = now
            if bucket.tokens >= self.burst:
                bucket.warned = False  # calmed down: a later flood gets its note again
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ALLOW
        if bucket.warned:
            self.dropped += 1
            return Verdict.DROP
        bucket.warned = True
        self.warned += 1
        self.dropped += 1
        return Verdict.WARN

    def spare(self) -> None:
        """The message just refused is handled all the same (someone in crisis): it is not counted as dropped."""
        self.dropped -= 1

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets that have filled up again: forgetting them changes nothing."""
        full = [key for key, b in self._buckets.items() if b.tokens + (now - b.at) * self.per_second >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= _REMEMBERED:  # all busy: forget the oldest half rather than grow without end
            for key in list(self._buckets)[: _REMEMBERED // 2]:
                del self._buckets[key]
