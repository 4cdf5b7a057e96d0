"""A user's progress through the walkthrough: the frozen value, its saved form, and the upgrade of older saved forms.

Every answer is written by a named function (`with_choice`, `with_ticks`, `with_number`, `without_answer`), each a
`match` over the steps with explicit `replace(...)` calls, so mypy checks every field a write touches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, TypeGuard

from bot.core.flow import AGREED, SCREEN, Interaction, Step
from bot.core.walkthrough import ID_PATTERN, Bucket, Option, Walkthrough

#: The saved form's version; `from_saved` upgrades version 1 (before the contact and result steps existed).
VERSION: Final = 2
MAX_TERMS: Final = 500


@dataclass(frozen=True)
class Progress:
    """Where a user is in the walkthrough and what they answered; None answers are unanswered or skipped."""

    step: Step = Step.PRODUCT
    product: str | None = None
    days: str | None = None  # an option id of steps.days.options
    days_typed: int | None = None  # the number, when the user typed one
    amount: str | None = None
    amount_typed: int | None = None
    cause: str | None = None
    materials: tuple[str, ...] = ()  # ticked items
    channel: str | None = None
    requests: tuple[str, ...] = ()
    monthly: str | None = None  # "unknown" when the user does not know yet
    monthly_typed: int | None = None
    result: str | None = None  # agreed / refused / waiting
    terms: str | None = None
    paused: bool = False
    asked: int | None = None  # a bare small amount the user was just asked about: typed again, it is meant

    def to_saved(self) -> dict[str, Any]:
        """A JSON-able dict; `from_saved` reads it back."""
        return {
            "version": VERSION,
            "step": self.step.value,
            "product": self.product,
            "days": self.days,
            "days_typed": self.days_typed,
            "amount": self.amount,
            "amount_typed": self.amount_typed,
            "cause": self.cause,
            "materials": list(self.materials),
            "channel": self.channel,
            "requests": list(self.requests),
            "monthly": self.monthly,
            "monthly_typed": self.monthly_typed,
            "result": self.result,
            "terms": self.terms,
            "paused": self.paused,
            "asked": self.asked,
        }


_IDS: Final = ("product", "days", "amount", "cause", "channel", "monthly", "result")
_NUMBERS: Final = ("days_typed", "amount_typed", "monthly_typed", "asked")
_LISTS: Final = ("materials", "requests")


def from_saved(data: object, walkthrough: Walkthrough | None = None) -> Progress | None:
    """Read a saved progress (this version or version 1); anything garbled or unknown gives None, never an exception.

    With `walkthrough`, option ids the current YAML no longer has are dropped (`fit`).
    """
    if isinstance(data, Mapping) and data.get("version") == 1:
        agreement = data.get("agreement")
        data = _upgrade_from_1(data) if agreement is None or isinstance(agreement, bool) else None
    if not isinstance(data, Mapping) or data.get("version") != VERSION:
        return None
    step, terms, paused = data.get("step"), data.get("terms", None), data.get("paused", False)
    ids: dict[str, str | None] = {}
    numbers: dict[str, int | None] = {}
    lists: dict[str, tuple[str, ...]] = {}
    for key in _IDS:
        value = data.get(key)
        if not (value is None or _is_id(value)):
            return None
        ids[key] = value
    for key in _NUMBERS:
        count = data.get(key)
        if not (count is None or _is_count(count)):
            return None
        numbers[key] = count
    for key in _LISTS:
        items = data.get(key, [])
        if not _is_id_list(items):
            return None
        lists[key] = tuple(dict.fromkeys(items))
    if (
        not isinstance(step, str)
        or step not in SCREEN
        or not (terms is None or (isinstance(terms, str) and len(terms) <= MAX_TERMS))
        or not isinstance(paused, bool)
    ):
        return None
    progress = Progress(
        step=Step(step),
        product=ids["product"],
        days=ids["days"],
        days_typed=numbers["days_typed"],
        amount=ids["amount"],
        amount_typed=numbers["amount_typed"],
        cause=ids["cause"],
        materials=lists["materials"],
        channel=ids["channel"],
        requests=lists["requests"],
        monthly=ids["monthly"],
        monthly_typed=numbers["monthly_typed"],
        result=ids["result"],
        terms=terms,
        paused=paused,
        asked=numbers["asked"],
    )
    return fit(progress, walkthrough) if walkthrough is not None else progress


#: Version 1's steps that version 2 calls otherwise; its after-care steps without an agreement became "waiting".
_STEPS_FROM_1: Final = {"demands": "requests", "agreement": "result"}
_AFTERCARE_1: Final = frozenset({"terms", "repay", "records", "credit"})


def _upgrade_from_1(data: Mapping[str, object]) -> dict[str, object]:
    """Version 1 asked "did you get a written agreement?" (yes / not yet) right after the demands, before any contact.

    Yes means the user agreed with Alipay; not yet is read as still waiting for an answer.
    """
    agreement = data.get("agreement")
    result = AGREED if agreement is True else "waiting" if agreement is False else None
    step = data.get("step")
    if isinstance(step, str):
        step = _STEPS_FROM_1.get(step, step)
        if step in _AFTERCARE_1 and result != AGREED:
            step = "waiting" if result else "result"
    upgraded = {key: value for key, value in data.items() if key not in ("ticked", "demands", "agreement")}
    return {
        **upgraded,
        "version": VERSION,
        "step": step,
        "materials": data.get("ticked", []),
        "requests": data.get("demands", []),
        "result": result,
    }


def _is_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_id_list(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(_is_id(item) for item in value)


# --- The answers of each step ----------------------------------------------------------------------------------


def options(progress: Progress, at: Step, walkthrough: Walkthrough) -> tuple[Option, ...]:
    """The options a step offers (materials only those suggested for the chosen cause)."""
    match at:
        case Step.PRODUCT:
            return walkthrough.products
        case Step.DAYS:
            return walkthrough.days
        case Step.AMOUNT:
            return walkthrough.amounts
        case Step.CAUSE:
            return walkthrough.causes
        case Step.MATERIALS:
            cause = progress.cause
            return tuple(m for m in walkthrough.materials if cause is None or not m.causes or cause in m.causes)
        case Step.CHANNEL:
            return walkthrough.channels
        case Step.REQUESTS:
            return walkthrough.requests
        case Step.MONTHLY:
            return walkthrough.monthly
        case Step.RESULT:
            return walkthrough.results
    return ()


def option_ids(progress: Progress, at: Step, walkthrough: Walkthrough) -> tuple[str, ...]:
    return tuple(option.id for option in options(progress, at, walkthrough))


def chosen(progress: Progress, at: Step) -> str | None:
    """The option picked on a one-choice or number step."""
    match at:
        case Step.PRODUCT:
            return progress.product
        case Step.DAYS:
            return progress.days
        case Step.AMOUNT:
            return progress.amount
        case Step.CAUSE:
            return progress.cause
        case Step.CHANNEL:
            return progress.channel
        case Step.MONTHLY:
            return progress.monthly
        case Step.RESULT:
            return progress.result
    return None


def ticked(progress: Progress, at: Step) -> tuple[str, ...]:
    """The items ticked on a checklist step."""
    match at:
        case Step.MATERIALS:
            return progress.materials
        case Step.REQUESTS:
            return progress.requests
    return ()


def typed(progress: Progress, at: Step) -> int | None:
    """The number typed on a number step."""
    match at:
        case Step.DAYS:
            return progress.days_typed
        case Step.AMOUNT:
            return progress.amount_typed
        case Step.MONTHLY:
            return progress.monthly_typed
    return None


def answered(progress: Progress, at: Step) -> bool:
    if at is Step.TERMS:
        return progress.terms is not None
    return chosen(progress, at) is not None or bool(ticked(progress, at)) or typed(progress, at) is not None


def with_choice(progress: Progress, at: Step, option: str | None) -> Progress:
    """The option recorded on a one-choice or number step (None clears it, with any typed number)."""
    match at:
        case Step.PRODUCT:
            return replace(progress, product=option)
        case Step.DAYS:
            return replace(progress, days=option, days_typed=None)
        case Step.AMOUNT:
            return replace(progress, amount=option, amount_typed=None)
        case Step.CAUSE:
            return replace(progress, cause=option)
        case Step.CHANNEL:
            return replace(progress, channel=option)
        case Step.MONTHLY:
            return replace(progress, monthly=option, monthly_typed=None)
        case Step.RESULT:
            return replace(progress, result=option, terms=progress.terms if option == AGREED else None)
    return progress


def with_ticks(progress: Progress, at: Step, items: tuple[str, ...]) -> Progress:
    match at:
        case Step.MATERIALS:
            return replace(progress, materials=items)
        case Step.REQUESTS:
            return replace(progress, requests=items)
    return progress


def with_number(progress: Progress, at: Step, bucket: str | None, number: int) -> Progress:
    """A typed number, with the range option it falls in (None on a step without ranges)."""
    match at:
        case Step.DAYS:
            return replace(progress, days=bucket, days_typed=number)
        case Step.AMOUNT:
            return replace(progress, amount=bucket, amount_typed=number)
        case Step.MONTHLY:
            return replace(progress, monthly=None, monthly_typed=number)
    return progress


def without_answer(progress: Progress, at: Step) -> Progress:
    """What skip leaves: the step's answer forgotten."""
    if at is Step.TERMS:
        return replace(progress, terms=None)
    if SCREEN[at].interaction is Interaction.CHECKLIST:
        return with_ticks(progress, at, ())
    return with_choice(progress, at, None)


def fit(progress: Progress, walkthrough: Walkthrough) -> Progress:
    """Drop answers whose ids the YAML no longer has (an admin removed an option); re-bucket typed numbers."""

    def known(value: str | None, choices: tuple[Option, ...]) -> str | None:
        return value if any(option.id == value for option in choices) else None

    fitted = replace(
        progress,
        product=known(progress.product, walkthrough.products),
        days=bucket_of(progress.days_typed, walkthrough.days) or known(progress.days, walkthrough.days),
        amount=bucket_of(progress.amount_typed, walkthrough.amounts) or known(progress.amount, walkthrough.amounts),
        cause=known(progress.cause, walkthrough.causes),
        channel=known(progress.channel, walkthrough.channels),
        requests=tuple(r for r in option_ids(progress, Step.REQUESTS, walkthrough) if r in progress.requests),
        monthly=known(progress.monthly, walkthrough.monthly),
        result=known(progress.result, walkthrough.results),
    )
    visible = option_ids(fitted, Step.MATERIALS, walkthrough)
    return replace(fitted, materials=tuple(item for item in visible if item in progress.materials))


def bucket_of(number: int | None, buckets: tuple[Option, ...]) -> str | None:
    """The range option a number falls in; None without a number or on a step without ranges."""
    if number is None:
        return None
    return next((b.id for b in buckets if isinstance(b, Bucket) and b.holds(number)), None)
