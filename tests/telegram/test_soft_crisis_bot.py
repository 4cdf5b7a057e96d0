"""The crisis screen's soft tier in Telegram: real PTB over HTTP against the fake Bot API, fixture knowledge, and the
hand-made crisis model of tests/test_soft_crisis.py in place of the shipped one."""

from __future__ import annotations

import pytest

from bot.core.advisor import Advisor, Conversation
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from tests.kbfactory import write_runnable_kb
from tests.telegram.conftest import Person, Setup, StartBot
from tests.test_soft_crisis import QUESTION, TINY

ZH = Lang.ZH_HANS


@pytest.fixture(autouse=True)
def tiny_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.core.safety.shipped_model", lambda: TINY)


async def test_telegram_shows_the_answer_and_then_the_line(setup: Setup, start_bot: StartBot) -> None:
    setup.knowledge = write_runnable_kb(setup.tmp_path / "knowledge")
    kb = load_knowledge(setup.knowledge)
    line = Advisor(kb, Matcher(kb)).soft_line(Conversation(ZH)).text
    async with start_bot() as advisor:
        *answer, last = await Person(advisor, 4401).says(QUESTION)
    entry = kb.entry("impact.credit")
    assert entry is not None
    assert entry.title_in(ZH) in answer[0].text
    assert last.text.strip() == line.strip()
