"""Where the user is, for the lines and notes a reply lists (regression trial, fixture knowledge): Cantonese in the
message points to Hong Kong unless the message says where the user is; a place said in the message counts for that
reply; a user outside mainland China, Hong Kong and Taiwan who asks for a line gets the guide's scope and local help,
never a card about scams. Every text is named by its key, never by shipped wording."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.core.advisor import Advisor
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.walkthrough import load_walkthrough
from bot.engine import Engine, Knowledge
from bot.storage import Storage
from tests.kbfactory import TEXT_KEYS, default_entries, entry, write_kb, write_walkthrough
from tests.transcript import EngineUser

FILLED = {
    "crisis": "‹crisis {hotlines}›",
    "crisis_mainland": "‹mainland›",
    "crisis_taiwan": "‹taiwan›",
    "crisis_hongkong": "‹hongkong›",
    "crisis_elsewhere": "‹elsewhere›",
    "mainland_numbers": "impact.credit",  # stands for 110, 12378 …: a word the impact.credit card's answer holds
    "region_note_hongkong": "‹hongkong note›",
    "region_note_taiwan": "‹taiwan note›",
    "region_note_elsewhere": "‹elsewhere note›",
    "place_words_hongkong": "我在香港, 我喺香港",
    "place_words_taiwan": "我在台湾, 我喺台湾",
    "place_words_elsewhere": "我在国外, in the us, abroad",
    "help_line_words": "hotline, 热线",
    "abroad": "‹abroad {hotline}›",
}
#: A card about callers who ask for codes, whose examples share words with a question about hotlines abroad.
SCAMS = entry(
    "safety.scams",
    [
        "自称客服的热线让我报验证码",
        "is this hotline asking for my code real",
        "a hotline caller wants my password",
        "有人打热线电话说帮我协商",
        "there is a hotline that says it can clear my debt",
        "陌生电话让我转账",
        "客服热线让我下载一个会议软件",
        "the hotline said to share my screen",
    ],
    keywords=["验证码", "hotline"],
)


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    texts = {key: {"zh-hans": f"{key} 文本", "en": f"{key} text"} for key in TEXT_KEYS}
    texts.update({key: {"zh-hans": value, "en": value} for key, value in FILLED.items()})
    folder = write_kb(tmp_path_factory.mktemp("kb"), [*default_entries(), SCAMS])
    (folder / "texts.yaml").write_text(yaml.safe_dump({"texts": texts}, allow_unicode=True), encoding="utf-8")
    kb = load_knowledge(folder, required_ids=())
    matcher = Matcher(kb)
    walkthrough = load_walkthrough(write_walkthrough(tmp_path_factory.mktemp("walk")))
    return Knowledge(kb, matcher, Advisor(kb, matcher), walkthrough)


@pytest.fixture
async def engine(tmp_path: Path, knowledge: Knowledge) -> AsyncIterator[Engine]:
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        yield Engine(knowledge, storage)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        pytest.param(
            "真係好攰 不如一了百了", "‹hongkong›\n‹mainland›\n‹taiwan›\n‹elsewhere›", id="cantonese-hong-kong"
        ),
        pytest.param(
            "我喺台湾 真係好攰 不如一了百了", "‹taiwan›\n‹mainland›\n‹hongkong›\n‹elsewhere›", id="unless-said-taiwan"
        ),
        pytest.param("我很累 不如一了百了", "‹mainland›\n‹taiwan›\n‹hongkong›\n‹elsewhere›", id="simplified-mainland"),
        pytest.param("我在国外 不如一了百了", "‹elsewhere›\n‹mainland›\n‹taiwan›\n‹hongkong›", id="abroad-local-first"),
    ],
)
async def test_the_crisis_lines_start_where_the_message_points(engine: Engine, text: str, lines: str) -> None:
    """Regression trial: "…係好攰 想一了百了" listed Taiwan's lines first, in a conversation in Simplified Chinese."""
    user = EngineUser(engine, 1)
    (reply,) = await user.says(text)
    assert reply.text == f"‹crisis {lines}›"


@pytest.mark.parametrize(
    ("text", "note"),
    [
        pytest.param("我喺香港 逾期了征信会受影响吗", "‹hongkong note›", id="place-said-in-the-same-message"),
        pytest.param("佢哋成日打嚟 逾期了征信會受影響嗎", "‹hongkong note›", id="cantonese-in-the-same-message"),
        pytest.param("我在国外 逾期了征信会受影响吗", "‹elsewhere note›", id="abroad-in-the-same-message"),
        pytest.param("逾期了征信会受影响吗", None, id="nothing-said"),
    ],
)
async def test_a_card_naming_mainland_numbers_gets_the_note_of_the_place_the_message_points_to(
    engine: Engine, text: str, note: str | None
) -> None:
    user = EngineUser(engine, 2)
    await user.says("借呗逾期三天了 咋处理")  # a conversation in Simplified Chinese: the guess is the mainland
    card, *_ = await user.says(text)
    assert card.title == "标题 impact.credit"
    if note is None:
        assert "note›" not in card.text
    else:
        assert card.text.endswith(f"\n\n{note}")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("is there a hotline in the US?", id="english"),
        pytest.param("我在国外 有没有热线可以打", id="chinese"),
    ],
)
async def test_a_line_asked_for_from_abroad_gets_the_guides_scope_and_local_help(engine: Engine, text: str) -> None:
    """Regression trial: "is there a hotline in the US?" got the card about codes and passwords."""
    user = EngineUser(engine, 3)
    (reply,) = await user.says(text)
    assert reply.text == "‹abroad ‹elsewhere››"
    assert not reply.title  # no card at all, the scam card least of all


async def test_a_question_from_abroad_the_guide_does_not_answer_gets_its_scope_not_a_menu(engine: Engine) -> None:
    user = EngineUser(engine, 4)
    (reply,) = await user.says("I work abroad now, what about my huabei")
    assert reply.text == "‹abroad ‹elsewhere››"


async def test_a_place_word_is_a_whole_word(engine: Engine) -> None:
    user = EngineUser(engine, 5)
    replies = await user.says("I pay in the usual way, can they sue me")
    assert replies[0].title == "标题 impact.legal"  # the user's language is fixed (EngineUser): titles in zh-hans
    assert "abroad" not in user.text
