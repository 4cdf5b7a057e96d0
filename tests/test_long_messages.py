"""One limit on how much of a message is read (bot/core/limits.py): the engine, the matcher and storage agree on it,
and the user is told whenever it cut their message. Fixture knowledge (tests/kbfactory.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import matcher
from bot.core.advisor import Advisor
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.limits import MAX_MESSAGE_CHARS
from bot.core.matcher import Matcher
from bot.core.walkthrough import load_walkthrough
from bot.engine import LONG_MESSAGE, Engine, Incoming, Kind, Knowledge
from bot.storage import MAX_QUESTION_CHARS, Storage
from tests.kbfactory import write_kb, write_walkthrough


@pytest.fixture
def knowledge(tmp_path: Path) -> Knowledge:
    kb = load_knowledge(write_kb(tmp_path / "kb"), required_ids=())
    found = Matcher(kb)
    return Knowledge(kb, found, Advisor(kb, found), load_walkthrough(write_walkthrough(tmp_path / "walk")), None)


def test_every_layer_cuts_where_the_user_is_told_it_does() -> None:
    assert LONG_MESSAGE == matcher.MAX_QUESTION_CHARS == MAX_QUESTION_CHARS == MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    ("length", "told"),
    [pytest.param(MAX_MESSAGE_CHARS, False, id="at-the-limit"), pytest.param(MAX_MESSAGE_CHARS + 1, True, id="past")],
)
async def test_the_user_is_told_exactly_when_the_message_was_cut(
    knowledge: Knowledge, storage: Storage, length: int, told: bool
) -> None:
    engine = Engine(knowledge, storage)
    notice = knowledge.kb.text("too_long_notice", Lang.ZH_HANS)
    replies = (await engine.handle(Incoming(1, Kind.TEXT, text="z" * length))).replies
    assert (replies[0].text == notice) is told
    [kept] = await storage.unmatched_report()
    assert len(kept.question) <= MAX_MESSAGE_CHARS  # no more of it stored than was read
