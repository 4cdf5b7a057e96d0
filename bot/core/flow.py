"""The walkthrough's screens and every move between them, declared once in `SCREENS` (drawn in dialogue.mmd).

A reader can scan the table: each row is a screen, the stage it belongs to, what the user does there, where an
answer (and next, and skip) leads, and which answers branch elsewhere. Back always returns along the path the
user's answers make (`path`), so it is not a column of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Final


class Step(StrEnum):
    """Every screen of the walkthrough; the values are stored in saved progress and in button actions."""

    PRODUCT = "product"
    DAYS = "days"
    AMOUNT = "amount"
    CAUSE = "cause"
    MATERIALS = "materials"
    CHANNEL = "channel"
    REQUESTS = "requests"
    MONTHLY = "monthly"
    CONTACT = "contact"
    RESULT = "result"
    TERMS = "terms"
    REPAY = "repay"
    RECORDS = "records"
    CREDIT = "credit"
    RETRY = "retry"
    WAITING = "waiting"
    UNAFFORDABLE = "unaffordable"
    DONE = "done"


class Stage(StrEnum):
    """The numbered parts of the progress line ("第 2 步 / 共 5 步"); titles are `stages.<value>` in the YAML."""

    INTAKE = "intake"
    PREPARE = "prepare"
    CONTACT = "contact"
    RESULT = "result"
    AFTERCARE = "aftercare"  # the fifth stage after an agreement …
    NEXT = "next"  # … and without one (refused, waiting, a dear offer): what to try next, so the count stays "of 5"


class Interaction(Enum):
    """What the user does on a screen."""

    CHOICE = "tap one option"
    NUMBER = "tap an option or type a number"
    CHECKLIST = "tick any number of items"
    TEXT = "type a text"
    INFO = "read"
    SUMMARY = "read the summary"


#: The result options that lead somewhere of their own; walkthrough.yaml must offer exactly these ids.
AGREED: Final = "agreed"
REFUSED: Final = "refused"
STILL_WAITING: Final = "waiting"
UNAFFORDABLE: Final = "unaffordable"  # they offered something, but more than the user can keep to


@dataclass(frozen=True)
class Screen:
    """One row of the table."""

    step: Step
    stage: Stage | None
    interaction: Interaction
    forward: Step | None  # where an answer, next and skip lead
    branches: Mapping[str, Step] = field(default_factory=lambda: MappingProxyType({}))  # answers that lead elsewhere
    jumps: tuple[Step, ...] = ()  # buttons of this screen that open another screen directly


SCREENS: Final[tuple[Screen, ...]] = (
    # prepare: the situation, what to have ready, how to reach Alipay, what to ask for and what the user can pay
    Screen(Step.PRODUCT, Stage.INTAKE, Interaction.CHOICE, Step.DAYS),
    Screen(Step.DAYS, Stage.INTAKE, Interaction.NUMBER, Step.AMOUNT),
    Screen(Step.AMOUNT, Stage.INTAKE, Interaction.NUMBER, Step.CAUSE),
    Screen(Step.CAUSE, Stage.INTAKE, Interaction.CHOICE, Step.MATERIALS),
    Screen(Step.MATERIALS, Stage.PREPARE, Interaction.CHECKLIST, Step.CHANNEL),
    Screen(Step.CHANNEL, Stage.PREPARE, Interaction.CHOICE, Step.REQUESTS),
    Screen(Step.REQUESTS, Stage.PREPARE, Interaction.CHECKLIST, Step.MONTHLY),
    Screen(Step.MONTHLY, Stage.PREPARE, Interaction.NUMBER, Step.CONTACT),
    # contact now: the opening script to copy
    Screen(Step.CONTACT, Stage.CONTACT, Interaction.INFO, Step.RESULT),
    # how did it go
    Screen(
        Step.RESULT,
        Stage.RESULT,
        Interaction.CHOICE,
        Step.DONE,
        branches=MappingProxyType(
            {
                AGREED: Step.TERMS,
                REFUSED: Step.RETRY,
                STILL_WAITING: Step.WAITING,
                UNAFFORDABLE: Step.UNAFFORDABLE,
            }
        ),
    ),
    Screen(Step.TERMS, Stage.RESULT, Interaction.TEXT, Step.REPAY),
    Screen(Step.RETRY, Stage.NEXT, Interaction.INFO, Step.DONE),
    Screen(Step.WAITING, Stage.NEXT, Interaction.INFO, Step.DONE),
    Screen(Step.UNAFFORDABLE, Stage.NEXT, Interaction.INFO, Step.DONE),
    # after an agreement
    Screen(Step.REPAY, Stage.AFTERCARE, Interaction.INFO, Step.RECORDS),
    Screen(Step.RECORDS, Stage.AFTERCARE, Interaction.INFO, Step.CREDIT),
    Screen(Step.CREDIT, Stage.AFTERCARE, Interaction.INFO, Step.DONE),
    # the summary: the script and the next action; report a new contact's result, or start again
    Screen(Step.DONE, None, Interaction.SUMMARY, None, jumps=(Step.RESULT, Step.PRODUCT)),
)

SCREEN: Final[Mapping[Step, Screen]] = MappingProxyType({screen.step: screen for screen in SCREENS})
FIRST: Final = Step.PRODUCT


def following(step: Step, answer: str | None) -> Step | None:
    """Where the user goes from `step` having answered `answer` there (None: the answer, or none at all)."""
    screen = SCREEN[step]
    if answer is not None and answer in screen.branches:
        return screen.branches[answer]
    return screen.forward


def path(result: str | None) -> tuple[Step, ...]:
    """Every screen in order along the way a result answer makes (None: not answered yet)."""
    steps = [FIRST]
    while (after := following(steps[-1], result if steps[-1] is Step.RESULT else None)) is not None:
        steps.append(after)
    return tuple(steps)


def previous(step: Step, result: str | None) -> Step:
    """Where back leads: one screen up along the path (a screen off the path returns to the one that opens it)."""
    steps = path(result)
    if step in steps:
        return steps[max(steps.index(step) - 1, 0)]
    return next(s.step for s in SCREENS if s.forward is step or step in s.branches.values())


def edges() -> tuple[tuple[Step, Step, str], ...]:
    """The table as (from, to, what moves) — what dialogue.mmd must draw (tests/core compare the two)."""
    found: list[tuple[Step, Step, str]] = []
    for screen in SCREENS:
        if screen.interaction is Interaction.CHECKLIST:
            found.append((screen.step, screen.step, "tick"))
        if screen.forward is not None:
            found.append((screen.step, screen.forward, "next"))
        found.extend((screen.step, target, option) for option, target in screen.branches.items())
        found.extend((screen.step, target, "jump") for target in screen.jumps)
    return tuple(found)
