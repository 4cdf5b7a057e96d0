"""The repayment-plan arithmetic: schedules that add up, never longer than needed, and honest verdicts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.amounts import MAX_YUAN
from bot.core.plan import Field, Inputs, Verdict, compute, schedule

yuan = st.integers(min_value=1, max_value=MAX_YUAN)
maybe = st.none() | st.integers(min_value=0, max_value=MAX_YUAN)


@settings(max_examples=500)
@given(owed=yuan, monthly=yuan)
def test_instalments_sum_to_the_amount_owed(owed: int, monthly: int) -> None:
    plan = schedule(owed, monthly)
    assert plan.total == owed
    assert plan.months >= 1
    if plan.months <= 1000:
        assert sum(plan.instalments) == owed
        assert len(plan.instalments) == plan.months


@settings(max_examples=500)
@given(owed=yuan, monthly=yuan)
def test_never_more_months_than_needed(owed: int, monthly: int) -> None:
    plan = schedule(owed, monthly)
    assert plan.monthly * (plan.months - 1) < owed  # one month fewer would not clear it
    assert plan.monthly * plan.months >= owed
    assert 0 < plan.last <= plan.monthly <= monthly


def test_the_last_instalment_is_what_is_left() -> None:
    plan = schedule(30_000, 2_500)
    assert (plan.months, plan.monthly, plan.last) == (12, 2_500, 2_500)
    plan = schedule(31_000, 2_500)
    assert (plan.months, plan.monthly, plan.last) == (13, 2_500, 1_000)


def test_an_instalment_larger_than_the_debt_is_one_payment_of_the_debt() -> None:
    plan = schedule(800, 5_000)
    assert plan.instalments == (800,)


@pytest.mark.parametrize(("owed", "monthly"), [(0, 100), (100, 0), (-5, 10)])
def test_a_schedule_needs_positive_numbers(owed: int, monthly: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        schedule(owed, monthly)


@settings(max_examples=1000)
@given(st.builds(Inputs, owed=maybe, income=maybe, spending=maybe, other=maybe, proposal=maybe))
def test_any_inputs_give_a_result(inputs: Inputs) -> None:
    result = compute(inputs)
    if result.plan is not None:
        assert inputs.owed is not None
        assert result.plan.total == inputs.owed
    if result.verdict is Verdict.TOO_HIGH:
        assert result.surplus is not None
        assert inputs.proposal is not None
        assert inputs.proposal > result.surplus
        if result.instead is not None:
            assert result.instead.monthly <= result.surplus
            assert result.instead.total == inputs.owed
    if result.verdict is Verdict.FITS and inputs.income is not None and result.plan is not None:
        assert result.surplus is not None
        assert result.plan.monthly <= result.surplus


def test_the_surplus_carries_the_plan() -> None:
    result = compute(Inputs(owed=30_000, income=8_000, spending=5_000, other=500))
    assert result.verdict is Verdict.FITS
    assert result.surplus == 2_500
    assert result.plan == schedule(30_000, 2_500)
    assert result.counted_as_zero == ()


def test_a_proposal_above_the_surplus_is_warned_about_and_a_longer_term_offered() -> None:
    result = compute(Inputs(owed=30_000, income=8_000, spending=5_000, other=500, proposal=4_000))
    assert result.verdict is Verdict.TOO_HIGH
    assert result.plan == schedule(30_000, 4_000)
    assert result.instead == schedule(30_000, 2_500)


def test_a_proposal_within_the_surplus_is_the_plan() -> None:
    result = compute(Inputs(owed=30_000, income=8_000, spending=5_000, proposal=2_000))
    assert result.verdict is Verdict.FITS
    assert result.plan == schedule(30_000, 2_000)
    assert result.counted_as_zero == (Field.OTHER,)


@pytest.mark.parametrize("spending", [6_000, 7_000])
def test_no_surplus_gets_no_schedule(spending: int) -> None:
    result = compute(Inputs(owed=30_000, income=6_000, spending=spending))
    assert result.verdict is Verdict.NO_SURPLUS
    assert result.plan is None


def test_no_surplus_and_a_proposal_is_too_high_with_nothing_to_offer_instead() -> None:
    result = compute(Inputs(owed=30_000, income=6_000, spending=6_000, proposal=1_000))
    assert result.verdict is Verdict.TOO_HIGH
    assert result.instead is None


@pytest.mark.parametrize(
    ("inputs", "verdict"),
    [
        pytest.param(Inputs(income=5_000, spending=3_000), Verdict.NEED_OWED, id="owed-unknown"),
        pytest.param(Inputs(owed=0, income=5_000), Verdict.NO_DEBT, id="nothing-owed"),
        pytest.param(Inputs(owed=10_000), Verdict.NEED_INCOME, id="income-unknown"),
        pytest.param(Inputs(owed=10_000, proposal=1_000), Verdict.UNCHECKED, id="proposal-without-income"),
        pytest.param(Inputs(), Verdict.NEED_OWED, id="everything-skipped"),
    ],
)
def test_what_cannot_be_worked_out_is_said(inputs: Inputs, verdict: Verdict) -> None:
    assert compute(inputs).verdict is verdict


def test_long_plans_are_flagged_and_not_drawn_past_ten_years() -> None:
    long = compute(Inputs(owed=100_000, income=3_000, spending=2_800))
    assert long.long
    assert long.plan is not None
    assert not long.plan.drawable
    short = compute(Inputs(owed=3_000, income=3_000, spending=2_000))
    assert not short.long
    assert short.plan is not None
    assert not short.plan.drawable
    assert schedule(4_000, 1_000).drawable
