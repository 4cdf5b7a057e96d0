"""A user's progress through the walkthrough: the frozen value, its saved shapes (msgspec, one per version the
database may hold), and the upgrade of older ones.

Every answer is written by a named function (`with_choice`, `with_ticks`, `with_number`, `without_answer`), each a
`match` over the steps with explicit `replace(...)` calls, so mypy checks every field a write touches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any, Final, Literal

import msgspec

from bot import schema
from bot.core.flow import AGREED, SCREEN, Interaction, Step
from bot.core.walkthrough import ID_PATTERN, Bucket, Option, Walkthrough
from bot.errors import StateError

#: The saved shape's version; `from_saved` upgrades version 1 (before the contact and result steps existed).
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
    leaving: bool = False  # "leave and clear your answers?" was just asked: a yes or no typed next answers it

    def to_saved(self) -> dict[str, Any]:
        """A JSON-able dict in the current saved shape (`SavedV2`); `from_saved` reads it back."""
        saved = SavedV2(
            version=VERSION,
            step=self.step,
            product=self.product,
            days=self.days,
            days_typed=self.days_typed,
            amount=self.amount,
            amount_typed=self.amount_typed,
            cause=self.cause,
            materials=list(self.materials),
            channel=self.channel,
            requests=list(self.requests),
            monthly=self.monthly,
            monthly_typed=self.monthly_typed,
            result=self.result,
            terms=self.terms,
            paused=self.paused,
            asked=self.asked,
            leaving=self.leaving,
        )
        built: dict[str, Any] = msgspec.to_builtins(saved)
        return built


# --- The saved shapes, one per version the database may hold -------------------------------------------------

#: An option id as the walkthrough YAML declares them.
OptionId = Annotated[str, msgspec.Meta(pattern=f"^{ID_PATTERN.pattern}$")]
#: A typed number of days or yuan.
Count = Annotated[int, msgspec.Meta(ge=0)]
#: The agreement terms as the user typed them.
Terms = Annotated[str, msgspec.Meta(max_length=MAX_TERMS)]


class SavedV2(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The saved progress since the contact and result steps exist; keys added later are optional (older rows)."""

    version: Literal[2]
    step: Step
    product: OptionId | None = None
    days: OptionId | None = None
    days_typed: Count | None = None
    amount: OptionId | None = None
    amount_typed: Count | None = None
    cause: OptionId | None = None
    materials: list[OptionId] = msgspec.field(default_factory=list)
    channel: OptionId | None = None
    requests: list[OptionId] = msgspec.field(default_factory=list)
    monthly: OptionId | None = None
    monthly_typed: Count | None = None
    result: OptionId | None = None
    terms: Terms | None = None
    paused: bool = False
    asked: Count | None = None
    leaving: bool = False


class SavedV1(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The first walkthrough's saved progress: "did you get a written agreement?" (yes / not yet) was asked right
    after the demands, before any contact; the checklists were called `ticked` and `demands`."""

    version: Literal[1]
    step: str  # a step of version 1: `_STEPS_FROM_1` renames some
    product: OptionId | None = None
    days: OptionId | None = None
    days_typed: Count | None = None
    amount: OptionId | None = None
    amount_typed: Count | None = None
    cause: OptionId | None = None
    ticked: list[OptionId] = msgspec.field(default_factory=list)
    channel: OptionId | None = None
    demands: list[OptionId] = msgspec.field(default_factory=list)
    agreement: bool | None = None
    terms: Terms | None = None
    paused: bool = False


_SHAPES: Final[Mapping[object, type[SavedV1 | SavedV2]]] = {1: SavedV1, 2: SavedV2}
#: What a refused saved progress is called in the error.
_WHAT: Final = "saved walkthrough progress"


def from_saved(data: object, walkthrough: Walkthrough | None = None) -> Progress | None:
    """Read a saved progress of any version the database may hold (None: there is none).

    A value that has none of the saved shapes raises StateError naming the field and what is wrong. With
    `walkthrough`, option ids the current YAML no longer has are dropped (`fit`).
    """
    if data is None:
        return None
    version = data.get("version") if isinstance(data, Mapping) else None
    shape = _SHAPES.get(version if isinstance(version, int) and not isinstance(version, bool) else None)
    if shape is None:
        found = "no version" if version is None else "a version this advisor does not read"
        raise StateError(f"{_WHAT}: {found}" if isinstance(data, Mapping) else f"{_WHAT}: not a mapping")
    saved = schema.saved(data, shape, _WHAT)
    current = _upgrade_from_1(saved) if isinstance(saved, SavedV1) else saved
    progress = Progress(
        step=current.step,
        product=current.product,
        days=current.days,
        days_typed=current.days_typed,
        amount=current.amount,
        amount_typed=current.amount_typed,
        cause=current.cause,
        materials=tuple(dict.fromkeys(current.materials)),
        channel=current.channel,
        requests=tuple(dict.fromkeys(current.requests)),
        monthly=current.monthly,
        monthly_typed=current.monthly_typed,
        result=current.result,
        terms=current.terms,
        paused=current.paused,
        asked=current.asked,
        leaving=current.leaving,
    )
    return fit(progress, walkthrough) if walkthrough is not None else progress


#: Version 1's steps that version 2 calls otherwise; its after-care steps without an agreement became "waiting".
_STEPS_FROM_1: Final = {"demands": "requests", "agreement": "result"}
_AFTERCARE_1: Final = frozenset({"terms", "repay", "records", "credit"})


def _upgrade_from_1(old: SavedV1) -> SavedV2:
    """Yes to the written agreement means the user agreed with Alipay; not yet is read as still waiting."""
    result = AGREED if old.agreement is True else "waiting" if old.agreement is False else None
    step = _STEPS_FROM_1.get(old.step, old.step)
    if step in _AFTERCARE_1 and result != AGREED:
        step = "waiting" if result else "result"
    if step not in SCREEN:  # a str, so the enum check is ours
        raise StateError(f"{_WHAT}: step: not a step of version 1")
    return SavedV2(
        version=VERSION,
        step=Step(step),
        product=old.product,
        days=old.days,
        days_typed=old.days_typed,
        amount=old.amount,
        amount_typed=old.amount_typed,
        cause=old.cause,
        materials=old.ticked,
        channel=old.channel,
        requests=old.demands,
        result=result,
        terms=old.terms,
        paused=old.paused,
    )


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
