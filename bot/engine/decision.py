"""What handling one event decided before anything is written (`Decision`), and the care a typed answer gets."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.advisor import VENTING, Conversation
from bot.core.matcher import MatchResult
from bot.core.replies import Reply
from bot.core.safety import Concern, Screening
from bot.engine.knowledge import Knowledge
from bot.engine.saved_state import UserState


@dataclass(frozen=True)
class Decision:
    """What handling one event decided, before anything is written."""

    replies: list[Reply]
    state: UserState
    lang: str | None = None  # a new language override
    save: bool = False  # the state changed and must be durable before the replies go out
    forgotten: bool = False  # the user asked to be erased
    unanswered: MatchResult | None = None  # a question nobody could answer, for the admins' report


def cared(decision: Decision, screening: Screening, k: Knowledge, conversation: Conversation) -> Decision:
    """A typed answer to a step or a tool, taken as asked: with a kind word first for distress or anger, and the caring
    line with a hotline after it when the crisis model heard the message faintly (as `Advisor.ask` does)."""
    if screening.concern in VENTING:
        line = k.advisor.acknowledged(conversation, screening.concern)
        return replace(decision, replies=[line, *decision.replies])
    if screening.concern is Concern.CRISIS_SOFT:
        return replace(decision, replies=[*decision.replies, k.advisor.soft_line(conversation)])
    return decision
