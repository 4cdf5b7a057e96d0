"""What a walkthrough button or typed answer does to a user's progress: the moves (`Nav`, `Pick`, `Toggle`,
`Confirm`), read from a button's action by `parse_move`, and `transition`, which applies one along the table in
flow.py. Pure; nothing here knows about replies (dialogue.py turns moves into turns)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from bot.core import progress as answers
from bot.core.actions import Walk, WalkVerb, unpack
from bot.core.dialogue_queries import ONE_CHOICE, UNITS
from bot.core.flow import SCREEN, Interaction, Step, following, previous
from bot.core.progress import Progress
from bot.core.walkthrough import Walkthrough
from bot.errors import ActionError


class Nav(StrEnum):
    NEXT = "next"
    BACK = "back"
    SKIP = "skip"
    PAUSE = "pause"


@dataclass(frozen=True)
class Pick:
    option: str


@dataclass(frozen=True)
class Toggle:
    item: str


@dataclass(frozen=True)
class Confirm:
    number: int


Move = Nav | Pick | Toggle | Confirm


def parse_move(action: Walk | str, here: Step) -> Move | None:
    """The move a button asks for at step `here`; None if it is garbage or belongs to another step."""
    walk = walk_of(action)
    if walk is None or walk.step not in {"", here.value}:
        return None
    match walk.verb:
        case WalkVerb.NEXT | WalkVerb.BACK | WalkVerb.SKIP | WalkVerb.PAUSE:
            return Nav(walk.verb.value)
        case WalkVerb.OPTION:
            return Pick(walk.value)
        case WalkVerb.TICK:
            return Toggle(walk.value)
        case WalkVerb.NUMBER | WalkVerb.USE if walk.number is not None:
            return Confirm(walk.number)
    return None


def walk_of(action: Walk | str) -> Walk | None:
    """The walkthrough action a button carries; None for a token that is not one (forged, or another kind)."""
    if isinstance(action, Walk):
        return action
    try:
        unpacked = unpack(action)
    except ActionError:
        return None
    return unpacked if isinstance(unpacked, Walk) else None


def transition(progress: Progress, move: Move, walkthrough: Walkthrough) -> Progress | None:
    """Apply one move on the current screen along the table in flow.py; None: it does not apply here."""
    here = progress.step
    interaction = SCREEN[here].interaction
    summary = interaction is Interaction.SUMMARY
    match move:
        case Nav.NEXT if not summary:
            return moved_to(progress, following(here, answers.chosen(progress, here)))
        case Nav.SKIP if not summary:
            return moved_to(answers.without_answer(progress, here), following(here, None))
        case Nav.BACK:
            return replace(progress, step=previous(here, progress.result))
        case Nav.PAUSE if not summary:
            return replace(progress, paused=True)
        case Pick(option) if interaction in ONE_CHOICE and option in option_ids(progress, walkthrough):
            return moved_to(answers.with_choice(progress, here, option), following(here, option))
        case Toggle(item) if interaction is Interaction.CHECKLIST and item in option_ids(progress, walkthrough):
            wanted = set(answers.ticked(progress, here)) ^ {item}
            ordered = tuple(option for option in option_ids(progress, walkthrough) if option in wanted)
            return answers.with_ticks(progress, here, ordered)
        case Confirm(number) if here in UNITS:
            return with_number(progress, number, walkthrough)
    return None


def option_ids(progress: Progress, walkthrough: Walkthrough) -> tuple[str, ...]:
    """The ids of the current step's options (or checklist items)."""
    return answers.option_ids(progress, progress.step, walkthrough)


def moved_to(progress: Progress, target: Step | None) -> Progress:
    """`progress` at `target`, or where it is when there is none."""
    return replace(progress, step=target or progress.step)


def with_number(progress: Progress, number: int, walkthrough: Walkthrough) -> Progress | None:
    """A typed number recorded (in its range, where the step has ranges) and the user moved on."""
    here = progress.step
    choices = answers.options(progress, here, walkthrough)
    bucket = answers.bucket_of(number, choices)
    if bucket is None and here is not Step.MONTHLY:
        return None
    return moved_to(answers.with_number(progress, here, bucket, number), following(here, None))
