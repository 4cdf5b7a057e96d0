"""What a first user met in `advisor chat`, through the engine on fixture knowledge: typed confirmations, /cancel
that asks first, and the walkthrough's typed answers where they used to fall through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.i18n import Lang
from bot.engine import Engine, Knowledge
from bot.storage import Storage
from tests.transcript import EngineUser, fixture_knowledge

ZH = Lang.ZH_HANS


@pytest.fixture
def knowledge(tmp_path: Path) -> Knowledge:
    return fixture_knowledge(tmp_path / "kb")


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with await Storage.open(tmp_path / "advisor.sqlite3") as storage:
        yield storage


async def walked(engine: Engine) -> EngineUser:
    """A user with walkthrough progress and a saved session."""
    user = EngineUser(engine, 7)
    await user.says("/guide")
    await user.presses("w:o:product:huabei")
    return user


# -- /forget answered in words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("forget_yes 文本", id="the-buttons-label"),
        pytest.param("forget_yes_words 文本", id="a-yes-word"),
        pytest.param("forget_yes_words 文本吧", id="a-yes-word-with-a-particle"),
    ],
)
async def test_a_typed_yes_deletes(knowledge: Knowledge, storage: Storage, typed: str) -> None:
    user = await walked(Engine(knowledge, storage))
    await user.says("/forget")
    assert user.actions == ["f:yes", "f:no"]
    await user.says(typed)
    assert user.text == knowledge.kb.text("forgotten", ZH)
    assert await storage.load_session(user.user_id) is None


@pytest.mark.parametrize("typed", [pytest.param("forget_no 文本", id="label"), pytest.param("forget_no_words 文本")])
async def test_a_typed_no_keeps_everything(knowledge: Knowledge, storage: Storage, typed: str) -> None:
    user = await walked(Engine(knowledge, storage))
    await user.says("/forget")
    await user.says(typed)
    assert user.text == knowledge.kb.text("forget_cancelled", ZH)
    assert await storage.load_session(user.user_id) is not None


async def test_anything_else_after_the_question_says_nothing_was_deleted(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = await walked(Engine(knowledge, storage))
    await user.says("/privacy")
    await user.presses("f:ask")
    await user.says("嗯嗯")
    assert user.replies[-1].text == knowledge.kb.text("forget_not_yet", ZH)
    assert await storage.load_session(user.user_id) is not None
    await user.says("forget_yes_words 文本")  # the question was open for one message only
    assert knowledge.kb.text("forgotten", ZH) not in user.text
    assert await storage.load_session(user.user_id) is not None


async def test_a_yes_after_another_command_deletes_nothing(knowledge: Knowledge, storage: Storage) -> None:
    user = await walked(Engine(knowledge, storage))
    await user.says("/forget")
    await user.says("/help")
    await user.says("forget_yes 文本")
    assert await storage.load_session(user.user_id) is not None
