"""A conversation's language through the engine: one line in another language does not turn the interface, two do,
a /language choice wins over both, and the lean survives a restart (fixture knowledge)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.advisor import Advisor
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.walkthrough import load_walkthrough
from bot.engine import Engine, Incoming, Kind, Knowledge
from bot.storage import Storage
from tests.kbfactory import write_kb, write_walkthrough


@pytest.fixture
def knowledge(tmp_path: Path) -> Knowledge:
    kb = load_knowledge(write_kb(tmp_path / "kb"), required_ids=())
    matcher = Matcher(kb)
    return Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(write_walkthrough(tmp_path / "kb")))


class User:
    """One Hong Kong user (Telegram in Traditional Chinese, Hong Kong region); update ids count up."""

    def __init__(self, engine: Engine, first_update: int = 1, client_lang: str = "zh-hk", user_id: int = 1) -> None:
        self.engine = engine
        self.update = first_update
        self.client_lang = client_lang
        self.user_id = user_id

    async def _lang(self, kind: Kind, text: str, command: str = "") -> Lang:
        self.update += 1
        event = Incoming(
            self.user_id, kind, text=text, command=command, update_id=self.update, client_lang=self.client_lang
        )
        return (await self.engine.handle(event)).lang

    async def say(self, text: str) -> Lang:
        return await self._lang(Kind.TEXT, text)

    async def command(self, name: str, argument: str = "") -> Lang:
        return await self._lang(Kind.COMMAND, argument, name)


async def test_one_english_line_in_a_cantonese_conversation_keeps_it_cantonese(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = User(Engine(knowledge, storage))
    assert await user.say("我嘅花唄逾期咗會唔會影響征信") is Lang.ZH_HK
    assert await user.say("what now") is Lang.ZH_HK  # one short English line: still Cantonese
    assert await user.command("help") is Lang.ZH_HK  # and so is the interface
    assert await user.say("咁我可唔可以協商延期") is Lang.ZH_HK
    assert await user.say("can they sue me") is Lang.ZH_HK  # the lean was forgotten: this is a first line again
    # The lean is stored: after a restart the second English line in a row switches.
    restarted = User(Engine(knowledge, storage), first_update=100)
    assert await restarted.say("will it hurt my credit score") is Lang.EN
    assert await restarted.command("help") is Lang.EN
    assert await restarted.say("好的謝謝") is Lang.EN  # a short reply in Chinese does not switch again …
    assert await restarted.say("會唔會被告") is Lang.ZH_HK  # … a Chinese line of four characters or more does


async def test_the_language_chosen_wins_over_any_typed(knowledge: Knowledge, storage: Storage) -> None:
    user = User(Engine(knowledge, storage))
    assert await user.command("language", "zh-hans") is Lang.ZH_HANS
    long_line = "they told me on the phone that they cannot change anything about my repayment plan this month"
    assert await user.say(long_line) is Lang.ZH_HANS
    assert await user.say("so how do I go on now") is Lang.ZH_HANS


async def test_gibberish_and_a_mistyped_button_do_not_switch_to_english(knowledge: Knowledge, storage: Storage) -> None:
    user = User(Engine(knowledge, storage))
    user_lang = [await user.say(text) for text in ("asdfghjkl", "😂😂", "#abc", "qwe", "abc")]
    assert user_lang == [Lang.ZH_HK] * 5  # nothing typed told: Telegram's language throughout
    assert await user.say("借唄逾期了怎麼處理") is Lang.ZH_HK
    assert await user.say("#abc") is Lang.ZH_HK
    assert await user.say("xyz") is Lang.ZH_HK
    assert await user.command("help") is Lang.ZH_HK  # two gibberish lines in a row are not two English ones


async def test_gibberish_then_a_short_chinese_reply_stays_chinese(knowledge: Knowledge, storage: Storage) -> None:
    """Regression trial: after gibberish in a Chinese conversation, "好的" was answered in English. Latin letters with
    no English word in them are no English line, and a short reply never switches the conversation."""
    user = User(Engine(knowledge, storage), client_lang="zh-hans", user_id=7)
    assert await user.say("借呗逾期了可以协商吗") is Lang.ZH_HANS
    assert await user.say("hjkasd qwopeir") is Lang.ZH_HANS
    assert await user.say("zmxncb aoisudy") is Lang.ZH_HANS
    assert await user.say("好的") is Lang.ZH_HANS
    assert await user.command("help") is Lang.ZH_HANS


async def test_short_replies_keep_an_english_conversation_english(knowledge: Knowledge, storage: Storage) -> None:
    user = User(Engine(knowledge, storage), client_lang="en", user_id=8)
    assert await user.say("can I negotiate my overdue loan") is Lang.EN
    for reply in ("谢谢", "好的", "嗯", "👍"):
        assert await user.say(reply) is Lang.EN
    assert await user.command("help") is Lang.EN


async def test_a_clear_traditional_message_switches_the_script_and_back(knowledge: Knowledge, storage: Storage) -> None:
    """Regression trial: a Simplified conversation that went on in clear Traditional ("我人在台灣 借唄…") stayed
    Simplified. Several characters of the other script, none of this one's, switch at once; one does not."""
    user = User(Engine(knowledge, storage), client_lang="zh-hans", user_id=9)
    assert await user.say("借呗逾期三天了 该咋处理") is Lang.ZH_HANS
    assert await user.say("借唄逾期了可以协商吗") is Lang.ZH_HANS  # one Traditional character: still Simplified
    assert await user.say("我住在台灣 借唄還不出來") is Lang.ZH_HANT
    assert await user.command("help") is Lang.ZH_HANT
    assert await user.say("好的") is Lang.ZH_HANT
    assert await user.say("那我该怎么跟客服说") is Lang.ZH_HANS
