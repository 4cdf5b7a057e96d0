"""The /plan calculation's saved state: the answers so far and the open question (`PlanState`), and the shape it is
stored in (`SavedPlan`, checked by msgspec when read back)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Final, Literal

import msgspec

from bot import schema
from bot.core.amounts import MAX_YUAN
from bot.core.plan import ORDER, Field, Inputs

STATE_VERSION: Final = 1


@dataclass(frozen=True)
class PlanState:
    """The answers so far; `asking` is the open question, None once the result has been shown.

    `paused`: the user went into the walkthrough or a tool (/log, /reminders, /export) meanwhile, or got the crisis
    reply, so typed numbers are not the open question's answers; it waits for /plan or a plan button. `earlier`: the
    answers of the last result shown, while a new calculation is under way — that result stays the user's plan (for
    /export) until the new one is shown, and comes back if the new one is stopped. `rechecking`: the open question
    is asked again to check its answer (a debt below the monthly offer: "5" for 5,000?), every other one answered
    already, so its answer leads straight to the result.
    """

    asking: Field | None = Field.OWED
    inputs: Inputs = field(default_factory=Inputs)
    paused: bool = False
    earlier: Inputs | None = None
    rechecking: bool = False

    @property
    def result(self) -> Inputs | None:
        """The answers of the latest result the user was shown, if any."""
        return self.inputs if self.asking is None else self.earlier

    def to_dict(self) -> dict[str, object]:
        """A JSON-able dict in the saved shape (`SavedPlan`); `from_dict` reads it back."""
        earlier = None if self.earlier is None else _answers(self.earlier)
        saved = SavedPlan(
            version=STATE_VERSION,
            asking=self.asking,
            paused=self.paused,
            earlier=earlier,
            rechecking=self.rechecking,
            **_fields(self.inputs),
        )
        built: dict[str, object] = msgspec.to_builtins(saved)
        return built

    @classmethod
    def from_dict(cls, data: object) -> PlanState | None:
        """Read a stored state (None: there is none); one without the saved shape raises StateError saying where."""
        if data is None:
            return None
        saved = schema.saved(data, SavedPlan, "saved /plan calculation")
        earlier = None if saved.earlier is None else Inputs(**_fields(saved.earlier))
        return cls(saved.asking, Inputs(**_fields(saved)), saved.paused, earlier, saved.rechecking)


#: A stored answer in whole yuan.
Amount = Annotated[int, msgspec.Meta(ge=0, le=MAX_YUAN)]


class SavedAnswers(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The answers of one calculation, in whole yuan (None: skipped or not asked yet); keys are `Field` values."""

    owed: Amount | None = None
    income: Amount | None = None
    spending: Amount | None = None
    other: Amount | None = None
    proposal: Amount | None = None


class SavedPlan(SavedAnswers, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The saved /plan state: the open question, and the answers beside it (the fields of `SavedAnswers`). `paused`
    `earlier` and `rechecking` are absent in states saved before they were kept."""

    version: Literal[1]
    asking: Field | None = None
    paused: bool = False
    earlier: SavedAnswers | None = None
    rechecking: bool = False


def _answers(inputs: Inputs) -> SavedAnswers:
    return SavedAnswers(**{question.value: inputs.get(question) for question in ORDER})


def _fields(answers: Inputs | SavedAnswers | SavedPlan) -> dict[str, int | None]:
    return {question.value: getattr(answers, question.value) for question in ORDER}
