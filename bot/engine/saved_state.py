"""The per-user state saved in a session (walkthrough progress, /plan, a tool's pending form) and its conversion
to and from the stored dict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core import dialogue_queries, planchat, progress
from bot.core.walkthrough import Walkthrough
from bot.engine.recent_turns import CRISIS_MEMORY
from bot.storage import WALKTHROUGH_KEY, Session
from bot.tools import Form

#: The key of the walkthrough progress in a saved session (kept from the first schema, so old sessions still load).
PROGRESS_KEY = WALKTHROUGH_KEY
#: The key of the typed input a tool waits for (a diary entry, due days) in the saved state.
FORM_KEY = "form"
#: The key of the /plan calculation in a saved session.
PLAN_KEY = "plan"
#: The key of how many more typed messages are answered as by someone who gave the crisis reply (`UserState.crisis`).
CRISIS_KEY = "crisis"


@dataclass(frozen=True)
class UserState:
    """What is persisted for a user besides the language: their progress through the walkthrough and /plan, typed
    input a tool waits for, and how many more typed messages are answered with the care of one who has just given the
    crisis reply (stored, so a restart does not forget it; /forget erases it with the rest)."""

    progress: progress.Progress | None = None
    plan: planchat.PlanState | None = None
    form: Form | None = None
    crisis: int | None = None

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
        return state or None

    @property
    def expects_number(self) -> bool:
        """Whether a typed number is an answer now (days, an amount, a due day): the terminal then picks buttons
        only by "#N"."""
        walking = dialogue_queries.wants_number(self.progress)
        return walking or planchat.asking(self.plan) or (self.form is not None and self.form.takes_numbers)

    @classmethod
    def from_session(cls, session: Session | None, walkthrough: Walkthrough) -> UserState:
        if session is None or not session.state:
            return cls()
        return cls(
            progress=progress.from_saved(session.state.get(PROGRESS_KEY), walkthrough),
            plan=planchat.PlanState.from_dict(session.state.get(PLAN_KEY)),
            form=Form.from_dict(session.state.get(FORM_KEY)),
            crisis=_crisis_left(session.state.get(CRISIS_KEY)),
        )


def _crisis_left(value: object) -> int | None:
    """A stored crisis count, or None when it is missing or garbled (never more than CRISIS_MEMORY)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return min(value, CRISIS_MEMORY)
    return None


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
