"""What a test's simulated user last saw from the core, and a user who talks to the engine directly."""

from __future__ import annotations

from pathlib import Path

from bot.core.advisor import Advisor
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.replies import Choice, Reply
from bot.core.walkthrough import load_walkthrough
from bot.engine import Engine, Incoming, Kind, Knowledge
from tests.kbfactory import write_kb

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"


class Seen:
    """Mixed into the simulated users of the core tests; `replies` holds the bot's last answer."""

    replies: list[Reply]

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.replies)

    @property
    def choices(self) -> list[Choice]:
        return [choice for reply in self.replies for choice in reply.choices]

    @property
    def labels(self) -> list[str]:
        return [choice.label for choice in self.choices]

    @property
    def actions(self) -> list[str]:
        return [choice.action for choice in self.choices]


class EngineUser(Seen):
    """Types and presses through `Engine.handle` in one fixed language, so fixture texts read the same every time."""

    def __init__(self, engine: Engine, user_id: int, lang: Lang = Lang.ZH_HANS) -> None:
        self.engine, self.user_id, self.lang, self.replies = engine, user_id, lang, []

    async def says(self, text: str) -> list[Reply]:
        if text.startswith("/"):
            event = Incoming(self.user_id, Kind.COMMAND, command=text[1:], lang=self.lang)
        else:
            event = Incoming(self.user_id, Kind.TEXT, text=text, lang=self.lang)
        self.replies = (await self.engine.handle(event)).replies
        return self.replies

    async def presses(self, action: str) -> list[Reply]:
        assert action in self.actions, f"{action} not among {self.actions}"
        event = Incoming(self.user_id, Kind.PRESS, action=action, lang=self.lang)
        self.replies = (await self.engine.handle(event)).replies
        return self.replies


def fixture_knowledge(folder: Path) -> Knowledge:
    """Small fixture knowledge (tests/kbfactory.py) with the shipped walkthrough, as the engine loads it."""
    kb = load_knowledge(write_kb(folder), required_ids=())
    matcher = Matcher(kb)
    return Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(SHIPPED / "walkthrough.yaml"))
