"""Small talk a frightened user needs answered (first-user trial 11): which number to trust right after the scam card,
whether the bot is a person or Alipay, and a situation stated rather than asked ("I owe a lot, my family doesn't know"),
which gets a kind line and the way forward instead of a bare menu of topics.

Fixture knowledge (tests/kbfactory.py): each text shows its own key, the word lists are this file's own.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.core.advisor import Advisor
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher, Status
from bot.core.walkthrough import load_walkthrough
from bot.engine import Engine, Knowledge
from bot.storage import Storage
from tests.kbfactory import TEXT_KEYS, default_entries, entry, write_kb
from tests.transcript import SHIPPED, EngineUser

#: The word lists the checks read, in this fixture's own words (never the shipped ones).
WORDS = {
    "scam_number_words": ("电话, 号码", "number, phone"),
    "about_me_you_words": ("你是, 您是", "are you"),
    "about_me_words": ("真人, 机器人, 支付宝", "real person, bot, alipay"),
    "situation_words": ("欠, 丢人, 不敢", "owe, ashamed"),
}
SCAMS = [
    "一个说自己是平台客服的人叫我转账", "陌生人让我把钱转到安全账户", "客服打电话要我转钱到指定账户",
    "有人说能帮我协商要先交钱", "帮忙谈还款的公司先收费正常吗", "挂账包办的中介能信吗", "自称客服的人让我下载屏幕共享",
    "a stranger told me to wire money to a safe account",
]  # fmt: skip
OVERVIEW = [
    "逾期了整体上要怎么应对", "逾期了从哪开始", "花呗逾期了我该做什么", "借呗逾期第一步做什么",
    "逾期了有什么办法", "逾期以后头一件事干嘛", "刚逾期怎么处理", "where to begin now that my loan is late",
]  # fmt: skip


def _texts() -> dict[str, dict[str, str]]:
    texts = {key: {"zh-hans": f"‹{key}›", "en": f"‹en {key}›"} for key in TEXT_KEYS}
    texts.update({key: {"zh-hans": zh, "en": en} for key, (zh, en) in WORDS.items()})
    return texts


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    entries = [
        *default_entries(),
        entry("safety.scams", SCAMS, keywords=["转账", "中介"]),
        entry("overview", OVERVIEW, keywords=["整体", "第一步"]),
    ]
    folder = write_kb(tmp_path_factory.mktemp("kb"), entries)
    (folder / "texts.yaml").write_text(yaml.safe_dump({"texts": _texts()}, allow_unicode=True), encoding="utf-8")
    kb = load_knowledge(folder, required_ids=())
    matcher = Matcher(kb)
    return Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(SHIPPED / "walkthrough.yaml"))


@pytest.fixture
async def engine(tmp_path: Path, knowledge: Knowledge) -> AsyncIterator[Engine]:
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        yield Engine(knowledge, storage)


def _title(engine: Engine, entry_id: str, lang: Lang = Lang.ZH_HANS) -> str:
    found = engine.knowledge.kb.entry(entry_id)
    assert found is not None
    return found.title_in(lang)


async def _after_the_scam_card(user: EngineUser, engine: Engine) -> None:
    await user.says("陌生人打电话让我把钱转到安全账户")
    assert _title(engine, "safety.scams") in [reply.title for reply in user.replies]


@pytest.mark.parametrize(
    "follow_up",
    [
        pytest.param("那我该拨哪个号码", id="which-number-to-call"),
        pytest.param("10086打过来的是真的吗", id="is-this-number-real"),
        pytest.param("so which phone do I ring", id="english"),
    ],
)
async def test_right_after_the_scam_card_a_number_question_is_answered_directly(
    engine: Engine, follow_up: str
) -> None:
    user = EngineUser(engine, 1)
    await _after_the_scam_card(user, engine)
    await user.says(follow_up)
    assert user.text in ("‹scam_number_answer›", "‹en scam_number_answer›")
    assert user.actions == ["g:start"]  # no menu of topics under it


async def test_a_number_question_long_after_the_scam_card_is_no_follow_up(engine: Engine) -> None:
    user = EngineUser(engine, 2)
    await _after_the_scam_card(user, engine)
    for question in ("逾期了征信会受影响吗", "不还钱会被起诉吗", "能不能协商延期还款"):
        await user.says(question)
    await user.says("那我该拨哪个号码")
    assert "scam_number_answer" not in user.text


async def test_without_the_scam_card_a_number_question_is_matched_as_ever(engine: Engine) -> None:
    user = EngineUser(engine, 3)
    await user.says("那我该拨哪个号码")
    assert "scam_number_answer" not in user.text


async def test_a_crisis_after_the_scam_card_still_gets_the_crisis_reply(engine: Engine) -> None:
    user = EngineUser(engine, 4)
    await _after_the_scam_card(user, engine)
    await user.says("被骗光了 电话也打不通 我不想活了")
    assert user.text.startswith("‹crisis")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        pytest.param("你是真人还是机器人", Lang.ZH_HANS, id="a-person"),
        pytest.param("您是机器人吧", Lang.ZH_HANS, id="a-robot"),
        pytest.param("are you alipay yourself", Lang.EN, id="alipay"),
        pytest.param("你是真人嗎", Lang.ZH_HANT, id="traditional"),
        pytest.param("hey, are you some kind of bot", Lang.EN, id="english"),
    ],
)
async def test_asked_what_it_is_the_bot_says_so(engine: Engine, text: str, lang: Lang) -> None:
    user = EngineUser(engine, 5, lang)
    await user.says(text)
    assert user.text == engine.knowledge.kb.text("about_me", lang)
    assert user.actions == ["g:start"]


async def test_a_loan_question_that_speaks_to_the_bot_is_still_answered(engine: Engine) -> None:
    user = EngineUser(engine, 6)
    await user.says("你是说逾期了征信会受影响吗")
    assert user.replies[0].title == _title(engine, "impact.credit")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("花呗欠了好多钱", id="owing-no-topic"),
        pytest.param("我好丢人", id="shame"),
        pytest.param("不敢跟家里说 征信 起诉", id="hiding-it-near-two-topics"),
        pytest.param("so ashamed, i owe 20k", id="english"),
    ],
)
async def test_a_stated_situation_is_heard_then_offered_the_way_forward(
    engine: Engine, knowledge: Knowledge, text: str
) -> None:
    """Trial: a menu ("which one did you mean?") or "I can't answer that" for a user telling what they owe."""
    assert knowledge.matcher.match(text).status is not Status.ANSWER  # no topic answers it
    user = EngineUser(engine, 7)
    await user.says(text)
    assert [reply.text.removeprefix("‹en ").removeprefix("‹") for reply in user.replies] == [
        "situation_ack›",
        "situation_next›",
    ]
    assert user.actions == ["g:start", "e:overview"]  # the walkthrough, then the overview; no menu


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("不敢跟家里说 征信 起诉 怎么办", id="the-same-words-asked"),
        pytest.param("征信 起诉 协商", id="words-that-state-nothing"),
    ],
)
async def test_a_question_or_bare_words_keep_the_menu(engine: Engine, knowledge: Knowledge, text: str) -> None:
    assert knowledge.matcher.match(text).status is Status.CLARIFY
    user = EngineUser(engine, 8)
    await user.says(text)
    assert user.text == "‹clarify_prompt›"


@pytest.mark.parametrize("lang", [Lang.ZH_HANS, Lang.EN])
def test_the_shipped_number_answer_names_only_numbers_the_scam_card_names(lang: Lang) -> None:
    """Which number to trust is said from the knowledge: no number the scam card does not give."""
    kb = load_knowledge(SHIPPED)
    card = kb.entry("safety.scams")
    assert card is not None
    numbers = re.findall(r"\d{3,}", kb.text("scam_number_answer", lang))
    assert numbers  # the official hotline is named
    assert all(number in card.answer_in(lang) for number in numbers)
