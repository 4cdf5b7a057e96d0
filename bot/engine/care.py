"""The soft tier's memory between typed messages, saved with the user's state so that a restart does not forget it:
a faint crisis signal a moment ago (a second one soon after gets the full crisis reply) and a caring reply given in
place of an answer (the next message that finds no clear answer gets the check-in).

Kept as a time, a count and a flag, never anything the user typed; /forget erases it with the rest of the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final, Literal

import msgspec

from bot import schema

#: A second soft crisis hit within this many typed messages of the last one gets the full crisis reply: two faint
#: signals close together ("跟家人道过别了", then "好想解脱") are one clear one.
SOFT_WINDOW = 3
#: However few messages apart, signals this many seconds apart are not close together: a memory older than this (read
#: back after a restart or a long pause) does nothing.
CARE_SECONDS = 24 * 3600
#: The version of the saved shape written now (`SavedCare`).
CARE_VERSION: Final = 1


@dataclass(frozen=True)
class Care:
    """What the soft tier remembers after a typed message."""

    at: int  # when the last faint signal or caring reply was given, in whole seconds since the epoch
    soft: int = 0  # for how many more typed messages a faint signal gets the full crisis reply
    cared: bool = False  # the last typed message got the soft tier's care in place of an answer

    def fresh(self, now: float) -> bool:
        """Whether it is recent enough to act on (a clock set back counts as recent)."""
        return now - self.at <= CARE_SECONDS

    def to_dict(self) -> dict[str, object]:
        """A JSON-able dict in the saved shape (`SavedCare`); `from_dict` reads it back."""
        built: dict[str, object] = msgspec.to_builtins(SavedCare(CARE_VERSION, self.at, self.soft, self.cared))
        return built

    @classmethod
    def from_dict(cls, data: object) -> Care | None:
        """A stored memory (None: there is none); one without the saved shape raises StateError saying where."""
        if data is None:
            return None
        saved = schema.saved(data, SavedCare, "saved care memory")
        return cls(saved.at, min(saved.soft, SOFT_WINDOW), saved.cared)


class SavedCare(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The saved soft-tier memory, version 1 (see `Care`)."""

    version: Literal[1]
    at: Annotated[int, msgspec.Meta(ge=0)]
    soft: Annotated[int, msgspec.Meta(ge=0)] = 0
    cared: bool = False


def soft_again(care: Care | None, now: float) -> bool:
    """Whether a faint signal now is the second one close together (the current message not counted)."""
    return care is not None and care.fresh(now) and care.soft > 0


def after_care(care: Care | None, now: float) -> bool:
    """Whether the typed message just before the current one got care in place of an answer."""
    return care is not None and care.fresh(now) and care.cared


def after_message(care: Care | None, now: float, *, soft: bool, cared: bool) -> Care | None:
    """The memory once the current typed message is answered: `soft`, the screen heard it faintly; `cared`, it got
    care in place of an answer. None when there is nothing left to remember."""
    earlier = care if care is not None and care.fresh(now) else None
    left = SOFT_WINDOW if soft else max((earlier.soft if earlier is not None else 0) - 1, 0)
    if not left and not cared:
        return None
    at = int(now) if soft or cared or earlier is None else earlier.at
    return Care(at, left, cared)
