"""The per-user state saved in a session (walkthrough progress, /plan, a tool's pending form, the crisis memory, the
soft tier's memory, an open "delete everything?") and its conversion to and from the stored dict.

Each part has its saved shape declared with msgspec beside the value it holds (`progress.SavedV1`/`SavedV2`,
`planchat.SavedPlan`, `tools.SavedForm`, `care.SavedCare`, `CrisisLeft` and `ForgetAsked` here), every version the
database may hold.
A part without any of its shapes (a garbled or hand-edited row) is refused with StateError; the user then starts that
part afresh, the others are kept, and the log says which part of whose state and what was wrong (never a value: they
hold what users typed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal, TypeVar

import msgspec

from bot import schema
from bot.core import dialogue_queries, planchat, progress
from bot.core.walkthrough import Walkthrough
from bot.engine.care import Care
from bot.engine.recent_turns import CRISIS_MEMORY
from bot.errors import StateError
from bot.storage import WALKTHROUGH_KEY, Session
from bot.tools import Form

logger = logging.getLogger("bot.engine")  # the name operators filter on
T = TypeVar("T")

#: The key of the walkthrough progress in a saved session (kept from the first schema, so old sessions still load).
PROGRESS_KEY = WALKTHROUGH_KEY
#: The key of the typed input a tool waits for (a diary entry, due days) in the saved state.
FORM_KEY = "form"
#: The key of the /plan calculation in a saved session.
PLAN_KEY = "plan"
#: The key of how many more typed messages are answered as by someone who gave the crisis reply (`UserState.crisis`).
CRISIS_KEY = "crisis"
#: The key of whether the last thing shown asked "delete everything?" (`UserState.forget_asked`).
FORGET_KEY = "forget"
#: The key of the soft tier's memory: a faint crisis signal or a caring reply a moment ago (`UserState.care`).
CARE_KEY = "care"


@dataclass(frozen=True)
class UserState:
    """What is persisted for a user besides the language: their progress through the walkthrough and /plan, typed
    input a tool waits for, and how many more typed messages are answered with the care of one who has just given the
    crisis reply (stored, so a restart does not forget it; /forget erases it with the rest).

    `forget_asked`: the last thing shown asked "delete everything?", so the next message may answer it in words;
    stored, so a "yes" typed after a restart is still the answer (the engine closes it at the next message).

    `care`: a faint crisis signal or a caring reply a moment ago (bot/engine/care.py); stored, so that a second faint
    signal after a restart still gets the full crisis reply, and the check-in still follows a caring reply.
    """

    progress: progress.Progress | None = None
    plan: planchat.PlanState | None = None
    form: Form | None = None
    crisis: int | None = None
    forget_asked: bool = False
    care: Care | None = None

    def to_dict(self) -> dict[str, Any] | None:
        state: dict[str, Any] = {}
        if self.progress is not None:
            state[PROGRESS_KEY] = self.progress.to_saved()
        if self.plan is not None:
            state[PLAN_KEY] = self.plan.to_dict()
        if self.form is not None:
            state[FORM_KEY] = self.form.to_dict()
        if self.crisis:
            state[CRISIS_KEY] = self.crisis
        if self.forget_asked:
            state[FORGET_KEY] = True
        if self.care is not None:
            state[CARE_KEY] = self.care.to_dict()
        return state or None

    @property
    def expects_number(self) -> bool:
        """Whether a typed number is an answer now (days, an amount, a due day): the terminal then picks buttons
        only by "#N". A tool's form takes typed text first, so while one waits it alone decides."""
        if self.form is not None:
            return self.form.takes_numbers
        walking = dialogue_queries.wants_number(self.progress)
        return walking or planchat.asking(self.plan)

    @classmethod
    def from_session(cls, session: Session | None, walkthrough: Walkthrough) -> UserState:
        """The state a session holds; a part that cannot be read is logged and left out (see the module)."""
        if session is None or not session.state:
            return cls()
        return cls(
            progress=_part(session, PROGRESS_KEY, lambda saved: progress.from_saved(saved, walkthrough)),
            plan=_part(session, PLAN_KEY, planchat.PlanState.from_dict),
            form=_part(session, FORM_KEY, Form.from_dict),
            crisis=_part(session, CRISIS_KEY, _crisis_left),
            forget_asked=_part(session, FORGET_KEY, _forget_asked) or False,
            care=_part(session, CARE_KEY, Care.from_dict),
        )


def _part(session: Session, key: str, read: Callable[[object], T | None]) -> T | None:
    assert session.state is not None
    try:
        return read(session.state.get(key))
    except StateError as error:
        logger.warning("user %d: %s; that part of their state starts afresh", session.user_id, error)
        return None


#: The saved crisis memory: how many more typed messages get the care of one who has just given the crisis reply.
CrisisLeft = Annotated[int, msgspec.Meta(ge=1)]
_CRISIS: Final = "saved crisis memory"


def _crisis_left(value: object) -> int | None:
    """A stored crisis count (None: there is none), never more than CRISIS_MEMORY."""
    if value is None:
        return None
    left: int = schema.saved(value, CrisisLeft, _CRISIS)
    return min(left, CRISIS_MEMORY)


#: The saved open "delete everything?": only ever stored as true (a closed question is left out).
ForgetAsked = Literal[True]


def _forget_asked(value: object) -> bool | None:
    return None if value is None else schema.saved(value, ForgetAsked, "saved /forget question")


def plan_prefill(state: UserState) -> tuple[int | None, int | None]:
    """What /plan starts from: the amount owed and monthly instalment the user typed in the walkthrough (a read of
    its saved answers, nothing more), else those of their last calculation."""
    walk, last = state.progress, state.plan.inputs if state.plan is not None else None
    owed = walk.amount_typed if walk is not None and walk.amount_typed is not None else None
    monthly = walk.monthly_typed if walk is not None and walk.monthly_typed is not None else None
    if last is not None:
        owed = owed if owed is not None else last.owed
        monthly = monthly if monthly is not None else last.proposal
    return owed, monthly
