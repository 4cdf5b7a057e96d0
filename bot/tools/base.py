"""What every tool shares: the tools' view of one event (`Context`), what a tool decides (`Result`), and the
storage, clock and time zone each job reads (`ToolsBase`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core import reminders
from bot.core.i18n import Lang
from bot.core.knowledge import KnowledgeBase
from bot.core.progress import Progress
from bot.core.replies import Reply
from bot.storage import Storage
from bot.tools.forms import Form


@dataclass(frozen=True)
class Context:
    """Who an event is from and what the engine knows of them: the tools' view of one event."""

    user_id: int
    kb: KnowledgeBase
    lang: Lang
    walk: Progress | None = None  # the walkthrough progress, for the agreement terms
    asked: tuple[str, str] | None = None  # (entry id, question) of the user's last answer, kept in memory only
    plan: Reply | None = None  # the user's latest /plan result (text and chart), when exporting
    facts: tuple[str, ...] = ()  # the situation the walkthrough recorded, worded, when exporting


@dataclass(frozen=True)
class Result:
    """What a tool decided: replies, the form to keep (None: none pending), and whether the form changed."""

    replies: list[Reply]
    form: Form | None = None
    changed: bool = True  # the form differs from before (the engine saves the session)


class ToolsBase:
    """The storage and clock over which every job of `Tools` works; each job is a subclass."""

    def __init__(self, storage: Storage, clock: Callable[[], float]) -> None:
        self.storage = storage
        self.clock = clock

    async def _tz(self, user_id: int) -> str:
        return (await self.storage.prefs(user_id))[0] or reminders.DEFAULT_TZ
