"""The repayment-plan calculator: what a user can pay each month, and how long that takes to clear the debt.

Pure arithmetic on whole yuan, without interest: the advisor does not know the user's rate and never invents one
(the texts say so, and why it matters). Every input may be unknown (skipped); `compute` says what it could work out
and what it could not, and the conversation in `planchat` turns that into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

#: A plan longer than this many months is hard to keep; the result says so.
LONG_MONTHS: Final = 36
#: Schedules longer than this are not drawn (the bars would be hairlines) nor offered as a realistic plan.
CHART_MAX_MONTHS: Final = 120
#: Fewer instalments than this need no chart: the sentence says it all.
CHART_MIN_INSTALMENTS: Final = 4


class Field(StrEnum):
    """The questions of /plan, in the order asked; the values are stored in saved progress and button actions."""

    OWED = "owed"
    INCOME = "income"
    SPENDING = "spending"
    OTHER = "other"
    PROPOSAL = "proposal"


ORDER: Final = tuple(Field)


@dataclass(frozen=True)
class Inputs:
    """What the user told the calculator, in yuan; None is unknown (skipped or not asked yet)."""

    owed: int | None = None
    income: int | None = None
    spending: int | None = None
    other: int | None = None
    proposal: int | None = None

    def get(self, field: Field) -> int | None:
        value: int | None = getattr(self, field.value)
        return value


@dataclass(frozen=True)
class Schedule:
    """`months` instalments of `monthly` yuan, the last one `last` (0 < last ≤ monthly)."""

    monthly: int
    months: int
    last: int

    @property
    def instalments(self) -> tuple[int, ...]:
        return (self.monthly,) * (self.months - 1) + (self.last,)

    @property
    def total(self) -> int:
        return self.monthly * (self.months - 1) + self.last

    @property
    def drawable(self) -> bool:
        """Worth a chart: more than three instalments, few enough to draw one bar each."""
        return CHART_MIN_INSTALMENTS <= self.months <= CHART_MAX_MONTHS


def schedule(owed: int, monthly: int) -> Schedule:
    """Paying `monthly` a month: the fewest months that clear `owed`, the last instalment what is left."""
    if owed <= 0 or monthly <= 0:
        raise ValueError(f"a schedule needs a positive debt and instalment, got {owed} and {monthly}")
    monthly = min(monthly, owed)
    months = -(-owed // monthly)  # ceiling division
    return Schedule(monthly=monthly, months=months, last=owed - monthly * (months - 1))


class Verdict(StrEnum):
    """What the calculator could say; each value names a text in knowledge/plan.yaml (`verdicts`)."""

    NO_DEBT = "no_debt"  # nothing owed
    NEED_OWED = "need_owed"  # the amount owed is unknown: only the surplus can be given
    NEED_INCOME = "need_income"  # neither a surplus nor a proposal to build a schedule on
    NO_SURPLUS = "no_surplus"  # spending and other debts take all the income (or more)
    FITS = "fits"  # a schedule the surplus can carry
    TOO_HIGH = "too_high"  # the proposed instalment is more than the surplus
    UNCHECKED = "unchecked"  # a proposal, but no income to check it against


@dataclass(frozen=True)
class Result:
    """The calculator's answer.

    `plan` is the schedule shown (the user's proposal, else the surplus); `instead` is what to ask for when the
    proposal is more than the surplus. `counted_as_zero` lists skipped expenses the surplus treats as nothing.
    """

    verdict: Verdict
    surplus: int | None
    plan: Schedule | None
    instead: Schedule | None
    counted_as_zero: tuple[Field, ...]

    @property
    def long(self) -> bool:
        return self.plan is not None and self.plan.months > LONG_MONTHS


def surplus(inputs: Inputs) -> int | None:
    """Income less essential spending and other debts' payments; None without an income."""
    if inputs.income is None:
        return None
    return inputs.income - (inputs.spending or 0) - (inputs.other or 0)


def compute(inputs: Inputs) -> Result:
    """Everything the inputs allow; never raises for any combination of known and unknown values."""
    left = surplus(inputs)
    zeroed = tuple(f for f in (Field.SPENDING, Field.OTHER) if left is not None and inputs.get(f) is None)
    proposal = inputs.proposal or None  # a proposal of 0 is no proposal

    def result(verdict: Verdict, plan: Schedule | None = None, instead: Schedule | None = None) -> Result:
        return Result(verdict, left, plan, instead, zeroed)

    owed = inputs.owed
    if owed is None:
        return result(Verdict.NEED_OWED)
    if owed == 0:
        return result(Verdict.NO_DEBT)
    if proposal is not None:
        mine = schedule(owed, proposal)
        if left is None:
            return result(Verdict.UNCHECKED, mine)
        if proposal > left:
            return result(Verdict.TOO_HIGH, mine, schedule(owed, left) if left > 0 else None)
        return result(Verdict.FITS, mine)
    if left is None:
        return result(Verdict.NEED_INCOME)
    if left <= 0:
        return result(Verdict.NO_SURPLUS)
    return result(Verdict.FITS, schedule(owed, left))
