"""The senders' message budget as updates are read: an update delivered again is not charged again."""

from __future__ import annotations

from bot.config import FloodConfig
from bot.flood import Verdict
from bot.telegram.admission import Admission

USER = 42


def admission(burst: int) -> Admission:
    return Admission(FloodConfig(burst=burst, per_second=0.001), lambda: None)


def test_an_update_delivered_again_is_let_in_without_being_charged() -> None:
    gate = admission(burst=2)
    assert gate.screen(1, USER, press=False, text="a")
    assert gate.screen(1, USER, press=False, text="a")  # the same update again (a retried webhook POST)
    assert gate.screen(2, USER, press=False, text="b")
    assert gate.over(2) is None  # still within the burst of 2: the redelivery took no place in it


def test_a_new_update_past_the_budget_is_still_held_back() -> None:
    gate = admission(burst=1)
    assert gate.screen(1, USER, press=False, text="a")
    assert gate.screen(2, USER, press=False, text="b")  # the first one past: read for its slow-down note
    assert gate.over(2) is Verdict.WARN
    assert not gate.screen(3, USER, press=False, text="c")  # then dropped unread
