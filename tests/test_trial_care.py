"""After a crisis reply, a repeated answer, a message of only symbols: the engine remembers the last few messages.

Fixture knowledge (tests/kbfactory.py): a test names the text it expects by its key, never by shipped wording.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.advisor import Advisor
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.walkthrough import load_walkthrough
from bot.engine import CRISIS_MEMORY, REPEAT_WINDOW, Engine, Knowledge
from bot.engine.saved_state import CRISIS_KEY
from bot.storage import Storage
from tests.kbfactory import fill_texts, write_kb
from tests.transcript import SHIPPED, EngineUser

FILLED = {
    "crisis": "‹crisis›",
    "crisis_mainland": "‹mainland line›",
    "crisis_taiwan": "‹taiwan line›",
    "crisis_hongkong": "‹hongkong line›",
    "crisis_elsewhere": "‹elsewhere›",
    "crisis_again": "‹again {hotline}›",
    "crisis_checkin": "‹checkin {hotline}›",
    "crisis_question_button": "‹later {title}›",
}
#: What a follow-up after the crisis reply lists for a mainland user: every region's lines, the user's own first, as
#: the crisis reply does (second user trial: a check-in listed only the guessed region's).
EVERY_LINE = "‹mainland line›\n‹taiwan line›\n‹hongkong line›\n‹elsewhere›"


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """Built once for the module: the bot shares one immutable Knowledge between all its users too."""
    folder = fill_texts(write_kb(tmp_path_factory.mktemp("kb")), FILLED)
    kb = load_knowledge(folder, required_ids=())
    matcher = Matcher(kb)
    return Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(SHIPPED / "walkthrough.yaml"))


@pytest.fixture
async def engine(tmp_path: Path, knowledge: Knowledge) -> AsyncIterator[Engine]:
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        yield Engine(knowledge, storage)


async def test_the_question_in_a_crisis_message_is_offered_not_lost(engine: Engine) -> None:
    user = EngineUser(engine, 1)
    await user.says("逾期了征信会受影响吗 我真的不想活了")
    assert user.text == "‹crisis›"  # nothing in front of or after the caring reply
    assert "e:impact.credit" in user.actions  # the practical question, as a button to come back to
    await user.presses("e:impact.credit")
    assert user.replies[0].title == engine.knowledge.kb.entry("impact.credit").title_in(Lang.ZH_HANS)  # type: ignore[union-attr]


async def test_a_second_disclosure_gets_the_shorter_reply_with_the_own_regions_line(engine: Engine) -> None:
    user = EngineUser(engine, 2, Lang.ZH_HK)
    await user.says("我不想活了")
    first = user.text
    await user.says("我真的不想活了")
    assert user.text != first
    assert "‹again" in user.text
    assert "‹hongkong line›" in user.text  # Hong Kong wording: the Samaritans' line, not the mainland's


async def test_after_the_crisis_reply_a_message_asking_nothing_gets_a_check_in(engine: Engine) -> None:
    user = EngineUser(engine, 3)
    await user.says("我不想活了")
    await user.says("嗯嗯 没什么")
    assert f"‹checkin {EVERY_LINE}›" in user.text
    assert user.actions == ["g:start"]  # no menu of topics
    await user.says("逾期了征信会受影响吗")  # a real question is answered as usual
    assert user.replies[0].title == engine.knowledge.kb.entry("impact.credit").title_in(Lang.ZH_HANS)  # type: ignore[union-attr]


@pytest.mark.parametrize("first", ["我没事", "好", "谢谢", "I'm ok"])
async def test_the_check_in_is_said_once_and_ends_the_crisis_memory(engine: Engine, first: str) -> None:
    """After the crisis reply, 我没事 (or 好, 谢谢) gets the check-in once; what follows is answered as anyone's
    message, and a new disclosure still gets the crisis reply."""
    user = EngineUser(engine, 11)
    await user.says("我不想活了")
    await user.says(first)
    assert f"‹checkin {EVERY_LINE}›" in user.text
    for text in ("好", "谢谢", "我没事"):
        await user.says(text)
        assert "‹checkin" not in user.text, text
    session = await engine.storage.load_session(11)
    assert session is not None
    assert CRISIS_KEY not in (session.state or {})
    await user.says("我还是不想活了")
    assert user.text.startswith("‹crisis›")


async def test_without_a_crisis_the_same_message_gets_no_check_in(engine: Engine) -> None:
    user = EngineUser(engine, 4)
    await user.says("嗯嗯 没什么")
    assert "‹checkin" not in user.text


async def test_the_same_answer_within_a_few_messages_is_pointed_back_to(engine: Engine) -> None:
    user = EngineUser(engine, 5)
    await user.says("逾期了征信会受影响吗")
    title = engine.knowledge.kb.entry("impact.credit").title_in(Lang.ZH_HANS)  # type: ignore[union-attr]
    assert user.replies[0].title == title
    await user.says("花呗逾期了上不上征信")
    assert (user.replies[0].title, user.text) == (title, "already_shown 文本")  # no second copy of the answer
    assert "v:-:impact.credit" in user.actions  # a 👎 still reaches the admins
    await user.presses("e:impact.credit")  # the button shows it again in full
    assert user.replies[0].title == title


async def test_an_answer_long_ago_is_given_again_in_full(engine: Engine) -> None:
    user = EngineUser(engine, 6)
    await user.says("逾期了征信会受影响吗")
    for _ in range(REPEAT_WINDOW):
        await user.says("能不能协商延期还款")
        await user.says("不还钱会被起诉吗")
    await user.says("逾期了征信会受影响吗")
    assert user.replies[0].title == engine.knowledge.kb.entry("impact.credit").title_in(Lang.ZH_HANS)  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["???", "？？", "…"])
async def test_only_symbols_is_not_called_an_empty_message(engine: Engine, text: str) -> None:
    user = EngineUser(engine, 7)
    await user.says(text)
    assert user.text == "unclear_message 文本"
    assert user.actions == ["g:start"]  # the buttons stay


async def test_the_crisis_reply_is_remembered_across_a_restart(engine: Engine) -> None:
    user = EngineUser(engine, 8)
    await user.says("我不想活了")
    restarted = EngineUser(Engine(engine.knowledge, engine.storage), 8)  # a new process on the same database
    await restarted.says("嗯嗯 没什么")
    assert f"‹checkin {EVERY_LINE}›" in restarted.text


async def test_the_crisis_memory_ends_after_a_few_messages_even_when_stored(engine: Engine) -> None:
    user = EngineUser(engine, 9)
    await user.says("我不想活了")
    for _ in range(CRISIS_MEMORY):
        await user.says("能不能协商延期还款")
    restarted = EngineUser(Engine(engine.knowledge, engine.storage), 9)
    await restarted.says("嗯嗯 没什么")
    assert "‹checkin" not in restarted.text


async def test_forget_erases_the_crisis_memory(engine: Engine) -> None:
    user = EngineUser(engine, 10)
    await user.says("我不想活了")
    await user.says("/forget")
    await user.presses("f:yes")
    session = await engine.storage.load_session(10)
    assert session is None
    restarted = EngineUser(Engine(engine.knowledge, engine.storage), 10)
    await restarted.says("嗯嗯 没什么")
    assert "‹checkin" not in restarted.text
