"""What the storage hands back: plain frozen records, and the form unmatched questions are grouped by."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.limits import MAX_MESSAGE_CHARS
from bot.core.reminders import Rule
from bot.core.replies import SavedReply

#: Longest unmatched question (or feedback note) kept: no more than the matcher read (a user who pastes their whole
#: situation should not have it all stored).
MAX_QUESTION_CHARS = MAX_MESSAGE_CHARS

#: The key under which a session's state keeps the walkthrough progress (the engine writes it; /stats counts it).
WALKTHROUGH_KEY = "guide"


@dataclass(frozen=True)
class Session:
    """Everything stored about one user between messages."""

    user_id: int
    #: Language override set with /language; None follows the user's Telegram language.
    lang: str | None = None
    #: Walkthrough and /plan state as a JSON-able mapping, owned by the engine; None when there is none.
    state: Mapping[str, Any] | None = None
    #: The Telegram update that produced this state, so a redelivered update is not applied twice.
    last_update_id: int | None = None
    #: Unix seconds of the last save; set by `Storage.save_session`.
    updated_at: float = 0.0
    #: Language of the latest typed message that told one (bot.core.language); None before any.
    typed_lang: str | None = None
    #: What the bot answered to `last_update_id`, to answer it again if Telegram delivers that update again after a
    #: crash; None when not kept (or not readable: the redelivery then shows where the user is).
    last_replies: tuple[SavedReply, ...] | None = None


@dataclass(frozen=True)
class UnmatchedSummary:
    """One line of the admins' report: a question (as normalised) nobody could answer, and how often."""

    question: str
    count: int
    users: int
    last_seen: float
    #: Knowledge entry that came closest over all askings, and its score.
    best_entry: str | None
    best_score: float


@dataclass(frozen=True)
class StorageStats:
    """Counts for the admins' /stats: nothing about any one user."""

    users: int
    #: Users with a walkthrough state saved (the dialogue clears it when a walkthrough is over).
    active_walkthroughs: int
    unmatched: int


@dataclass(frozen=True)
class StoredReminder:
    """One reminder row: its rule and when it fires next."""

    id: int
    user_id: int
    #: None when the stored rule cannot be read (logged): listed as unknown, dropped when it comes due.
    rule: Rule | None
    next_at: float
    created_at: float


@dataclass(frozen=True)
class DiaryRow:
    """One contact in a user's negotiation diary, as stored."""

    id: int
    day: str  # ISO date
    channel: str
    who: str | None
    said: str


def normalize_question(text: str) -> str:
    """The form unmatched questions are grouped by: casefolded, runs of whitespace squeezed to one space."""
    return " ".join(text.casefold().split())
