"""A user's message budget: a burst, then a steady rate; one slow-down note per flood; off when set to 0."""

from __future__ import annotations

from bot.flood import Budget, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_one_note_then_silence() -> None:
    budget = Budget(burst=10, per_second=1.0, clock=Clock())

    verdicts = [budget.take(7) for _ in range(15)]

    assert verdicts == [Verdict.ALLOW] * 10 + [Verdict.WARN] + [Verdict.DROP] * 4
    assert (budget.warned, budget.dropped) == (1, 5)


def test_the_budget_refills_at_its_rate_and_other_users_have_their_own() -> None:
    clock = Clock()
    budget = Budget(burst=2, per_second=1.0, clock=clock)
    assert [budget.take(1) for _ in range(3)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.WARN]
    assert budget.take(2) is Verdict.ALLOW  # someone else

    clock.now += 1.0
    assert [budget.take(1) for _ in range(2)] == [Verdict.ALLOW, Verdict.DROP]  # one more a second, no second note


def test_a_user_who_calmed_down_gets_the_note_again_in_a_later_flood() -> None:
    clock = Clock()
    budget = Budget(burst=2, per_second=1.0, clock=clock)
    assert [budget.take(1) for _ in range(3)][-1] is Verdict.WARN

    clock.now += 5.0  # full again
    assert [budget.take(1) for _ in range(3)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.WARN]


def test_a_budget_of_zero_allows_everything() -> None:
    budget = Budget(burst=0, per_second=1.0, clock=Clock())
    assert {budget.take(1) for _ in range(100)} == {Verdict.ALLOW}
