"""After a crisis reply (first-user trial): words that play the feeling down keep the care, a hint said without a word
of death is heard, a question is answered without the same hotline block again, and a user who says they meant
something ordinary gets what they asked for.

Fixture knowledge (tests/kbfactory.py) with word lists in the test's own words; a test names the text it expects by
its key, never by shipped wording. Where a test needs the learned model's verdict, a fake screen gives it (the shipped
model is retrained elsewhere, and its scores are not what these tests are about).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.advisor import Advisor
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.safety import Concern, Screen, Screening
from bot.core.walkthrough import load_walkthrough
from bot.engine import Engine, Knowledge
from bot.engine.saved_state import CRISIS_KEY
from bot.storage import Storage
from tests.kbfactory import CREDIT, REUSE, fill_texts, write_kb
from tests.transcript import SHIPPED, EngineUser

FILLED = {
    "crisis": "‹crisis›",
    "crisis_mainland": "‹mainland line›",
    "crisis_taiwan": "‹taiwan line›",
    "crisis_hongkong": "‹hongkong line›",
    "crisis_elsewhere": "‹elsewhere›",
    "crisis_again": "‹again {hotline}›",
    "crisis_checkin": "‹checkin {hotline}›",
    "crisis_soft": "‹soft {hotline}›",
    "crisis_minimised": "‹minimised {hotline}›",
    "crisis_minimised_again": "‹minimised again›",
    "crisis_hotlines_stopped": "‹numbers stopped›",
    "crisis_brief_line": "‹brief›",
    "reminder_pointer": "‹reminder pointer›",
    # the word lists, in this test's own words
    "minimising_words": "没啥事, 算啦, 就是乏了, all good, just sleepy, nvm",
    "minimising_fillers": "嗯, 唉, 我, sorry, just",
    "hotline_stop_words": "别再贴号码, stop posting numbers",
    "meant_ordinary_words": "我本来只想, i only meant",
    "reminder_request_words": "到日子叫我, ping me",
}
#: What a mainland user's own line is (`{hotline}` of the shorter replies): theirs and the one for anywhere else.
OWN_LINE = "‹mainland line›\n‹elsewhere›"
#: Heard by the fake screen as the learned model would: a crisis with no phrase in it.
MODEL_CRISIS = ("别再贴号码 " + CREDIT[0], CREDIT[1] + " 真的", "反馈一下 你们这答得不对")


class HeardByModel(Screen):
    """The phrases as shipped, and no learned model except for `MODEL_CRISIS`: those are a crisis the model alone
    heard."""

    def __init__(self) -> None:
        super().__init__(learned=False)

    def __call__(self, text: str, *, answer: bool = False, after_crisis: bool = False) -> Screening:
        if text in MODEL_CRISIS:
            return Screening(Concern.CRISIS, "learned crisis model +3.00", learned=True)
        return super().__call__(text, answer=answer, after_crisis=after_crisis)


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    folder = fill_texts(write_kb(tmp_path_factory.mktemp("kb")), FILLED)
    kb = load_knowledge(folder, required_ids=())
    matcher = Matcher(kb)
    advisor = Advisor(kb, matcher)
    advisor.screen = HeardByModel()
    return Knowledge(kb, matcher, advisor, load_walkthrough(SHIPPED / "walkthrough.yaml"))


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with await Storage.open(tmp_path / "db.sqlite3") as opened:
        yield opened


async def crisis_memory(storage: Storage, user_id: int) -> object:
    session = await storage.load_session(user_id)
    return (session.state or {}).get(CRISIS_KEY) if session is not None else None


# --- words that play it down ----------------------------------------------------------------------------------------


async def test_playing_it_down_after_the_crisis_reply_keeps_the_care(knowledge: Knowledge, storage: Storage) -> None:
    user = EngineUser(Engine(knowledge, storage), 1)
    await user.says("我真的不想活了")
    await user.says("唉 算啦 就是乏了")
    assert user.text == f"‹minimised {OWN_LINE}›"  # a gentle check-in, not the winding-down line
    assert user.actions == ["g:start"]
    await user.says("没啥事")
    assert user.text == "‹minimised again›"  # still caring, never the off-topic card or a menu
    assert user.actions == ["g:start"]
    assert await crisis_memory(storage, 1)  # no sign the user is better: the follow-ups go on
    await user.says("我还是不想活了")
    assert user.text.startswith("‹again")


async def test_playing_it_down_in_english_too(knowledge: Knowledge, storage: Storage) -> None:
    user = EngineUser(Engine(knowledge, storage), 2, Lang.EN)
    await user.says("i want to die")
    await user.says("sorry. just sleepy")
    assert user.text.startswith("en ‹minimised")


async def test_without_a_crisis_reply_the_same_words_get_no_check_in(knowledge: Knowledge, storage: Storage) -> None:
    user = EngineUser(Engine(knowledge, storage), 3)
    await user.says("算啦 就是乏了")
    assert "‹minimised" not in user.text
    assert "‹checkin" not in user.text


async def test_a_word_of_its_own_beside_them_is_not_playing_it_down(knowledge: Knowledge, storage: Storage) -> None:
    user = EngineUser(Engine(knowledge, storage), 4)
    await user.says("我真的不想活了")
    await user.says("算啦 " + CREDIT[0])  # a real question is answered
    assert user.replies[0].title == "标题 impact.credit"


# --- hints said without a word of death -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("花呗欠了三个月了 这阵子总在研究哪座楼够高", id="which-building-is-tall-enough"),
        pytest.param("借呗逾期 每晚都走到江边坐很久", id="going-to-the-river-every-night"),
        pytest.param("ive been staring at the river every night, the debt is too much", id="english-river"),
    ],
)
def test_a_high_place_or_the_water_with_the_debt_is_a_crisis(text: str) -> None:
    assert Screen(learned=False)(text).concern is Concern.CRISIS


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("我们在看房 哪栋楼比较高", id="house-hunting"),
        pytest.param("周末去江边跑步", id="a-run-by-the-river"),
    ],
)
def test_a_high_place_without_trouble_is_no_crisis(text: str) -> None:
    assert Screen(learned=False)(text).concern is None


def test_whether_the_debt_goes_with_the_borrower_is_a_crisis_right_after_the_crisis_reply() -> None:
    screen = Screen(learned=False)
    asked = "do the loans get wiped out if i die"
    assert screen(asked).concern is Concern.CRISIS_SOFT  # from anyone: the answer and a caring line
    assert screen(asked, after_crisis=True).concern is Concern.CRISIS  # after the crisis reply: the same crisis


async def test_after_the_crisis_reply_the_debt_question_is_no_winding_down(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = EngineUser(Engine(knowledge, storage), 5, Lang.EN)
    await user.says("i want to die")
    await user.says("do the loans get wiped out if i die")
    assert user.text.startswith("en ‹again")


# --- a question in crisis mode ----------------------------------------------------------------------------------------


async def test_asked_to_stop_the_numbers_the_question_is_answered_with_a_short_line(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = EngineUser(Engine(knowledge, storage), 6)
    await user.says("我真的不想活了")
    await user.says(MODEL_CRISIS[0])  # "stop posting numbers" and a question the model alone hears as a crisis
    assert user.replies[0].text == "‹numbers stopped›"
    assert user.replies[1].title == "标题 impact.credit"
    assert user.replies[-1].text == "‹brief›"
    assert "‹again" not in user.text
    assert "‹mainland line›" not in user.text  # no numbers at all, as asked


async def test_a_question_the_model_alone_hears_gets_its_answer_and_one_caring_line(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = EngineUser(Engine(knowledge, storage), 7)
    await user.says("我真的不想活了")
    await user.says(MODEL_CRISIS[1])
    assert user.replies[0].title == "标题 impact.credit"
    assert user.replies[-1].text == f"‹soft {OWN_LINE}›"
    assert "‹again" not in user.text


async def test_asked_to_stop_the_numbers_a_route_is_shown(knowledge: Knowledge, storage: Storage) -> None:
    user = EngineUser(Engine(knowledge, storage), 8)
    await user.says("我真的不想活了")
    await user.says("别再贴号码 " + REUSE[1])
    assert [reply.title for reply in user.replies] == ["", "标题 route.usage", ""]


async def test_a_phrase_with_a_question_still_gets_the_crisis_reply(knowledge: Knowledge, storage: Storage) -> None:
    user = EngineUser(Engine(knowledge, storage), 9)
    await user.says("我真的不想活了")
    await user.says("别再贴号码 我不想活了 " + CREDIT[0])
    assert user.text.startswith("‹again")


# --- "I only meant…" --------------------------------------------------------------------------------------------------


async def test_saying_it_meant_something_ordinary_gets_the_tool_and_ends_the_follow_ups(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = EngineUser(Engine(knowledge, storage), 10)
    await user.says("我真的不想活了")
    await user.says("啊？我本来只想 到日子叫我还借呗")
    assert user.replies[0].text == "‹reminder pointer›"
    assert user.actions == ["r:add"]  # the reminders' own button
    assert user.replies[-1].text == "‹brief›"
    assert not await crisis_memory(storage, 10)
    await user.presses("r:add")
    assert "reminder_due_prompt" in user.text


async def test_saying_it_meant_a_question_gets_the_answer(knowledge: Knowledge, storage: Storage) -> None:
    user = EngineUser(Engine(knowledge, storage), 11, Lang.EN)
    await user.says("i want to die")
    await user.says("no, i only meant " + CREDIT[-1])
    assert user.replies[0].title == "Title impact.credit"
    assert user.replies[-1].text == "en ‹brief›"


async def test_a_reminder_asked_for_without_any_crisis_gets_the_reminders(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = EngineUser(Engine(knowledge, storage), 12)
    await user.says("每月到日子叫我一声")
    assert user.text == "‹reminder pointer›"
    assert user.actions == ["r:add"]


# --- a 👎's note ------------------------------------------------------------------------------------------------------


async def test_a_note_the_model_alone_hears_is_kept_as_the_note(knowledge: Knowledge, storage: Storage) -> None:
    user = EngineUser(Engine(knowledge, storage), 13)
    await user.says(CREDIT[2])
    await user.presses("v:-:impact.credit")
    await user.says(MODEL_CRISIS[2])
    assert user.replies[0].text == "feedback_noted 文本"
    assert "‹crisis›" not in user.text
    [row] = await storage.inbox_rows()
    assert row.note == MODEL_CRISIS[2]


async def test_a_note_with_a_crisis_phrase_gets_care_first_and_is_kept(knowledge: Knowledge, storage: Storage) -> None:
    user = EngineUser(Engine(knowledge, storage), 14)
    await user.says(CREDIT[2])
    await user.presses("v:-:impact.credit")
    note = "答得不对 我真的不想活了"
    await user.says(note)
    assert user.replies[0].text == "‹crisis›"
    assert user.replies[-1].text == "feedback_noted 文本"
    [row] = await storage.inbox_rows()
    assert row.note == note
    assert await crisis_memory(storage, 14)  # what follows is answered with the crisis reply in mind
