"""The crisis screen's soft tier through every layer: a message the crisis model hears only faintly (stress, fear or
shame about the debt, no phrase about ending one's life) gets the answer it asked for and then one caring line with a
hotline — in the core, through the engine (questions; not a walkthrough answer), in the terminal chat and in
`advisor ask --json` (Telegram: tests/telegram/test_soft_crisis_bot.py).

The shipped model's scores move whenever it is retrained, so these tests read a hand-made crisis model instead
(`TINY`, put in place of the shipped one): 征信 and 单少 alone score in the soft band, 星星 above the full threshold.
Fixture knowledge (tests/kbfactory.py): every text is named by its key, never by shipped wording.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.chat import run_chat
from bot.cli import main
from bot.config import load_config
from bot.core.advisor import Advisor, Conversation
from bot.core.dialogue import Step
from bot.core.i18n import Lang
from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.core.matcher import Matcher, MatchResult, Status
from bot.core.progress import from_saved
from bot.core.safety import Concern, Screen
from bot.core.safetymodel import Linear, SafetyModel
from bot.core.walkthrough import load_walkthrough
from bot.engine import PROGRESS_KEY, Engine, Knowledge
from bot.engine.care import CARE_SECONDS, SOFT_WINDOW
from bot.engine.saved_state import CARE_KEY
from bot.storage import Storage
from tests.kbfactory import fill_texts, write_kb, write_runnable_kb, write_walkthrough
from tests.transcript import EngineUser

ZH = Lang.ZH_HANS
#: A crisis model that hears 征信 and 单少 faintly (score 0.5: between its thresholds 0 and 1) and 星星 clearly (2.0).
TINY = SafetyModel({"crisis": Linear({"征信": 2.5, "单少": 2.5, "星星": 4.0}, -2.0, 0.0, 1.0)}, ())
QUESTION = "逾期了征信会受影响吗"  # the fixture's impact.credit question, heard faintly by TINY
FILLED = {
    "crisis": "‹crisis›",
    "crisis_mainland": "‹mainland line›",
    "crisis_taiwan": "‹taiwan line›",
    "crisis_hongkong": "‹hongkong line›",
    "crisis_elsewhere": "‹elsewhere›",
    "crisis_soft": "‹soft {hotline}›",
    "crisis_checkin": "‹checkin {hotline}›",
    "crisis_soft_first": "‹soft first {hotline}›",
    "crisis_urgent": "‹urgent {hotlines}›",
    "mainland_numbers": "impact.credit",  # stands for 110, 12378 …: a word the impact.credit card's answer holds
    "region_note_hongkong": "‹hongkong note›",
    "region_note_taiwan": "‹taiwan note›",
    "place_words_hongkong": "我在香港, 我喺香港",
    "place_words_taiwan": "我在台湾",
    "crying_words": "😢, 😭, 💔",  # "en 😢, 😭, 💔" in English: 😭 is a word of both
}


@pytest.fixture(autouse=True)
def tiny_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every screen made with the shipped model (`learned=True`) reads TINY instead."""
    monkeypatch.setattr("bot.core.safety.shipped_model", lambda: TINY)


@pytest.mark.parametrize(
    ("text", "concern"),
    [
        pytest.param(QUESTION, Concern.CRISIS_SOFT, id="model-alone-low-score-is-soft"),
        pytest.param("今晚想一个人去看星星", Concern.CRISIS, id="model-alone-high-score-is-full"),
        pytest.param("去看星星", Concern.CRISIS_SOFT, id="model-alone-high-score-on-a-short-text-is-soft"),
        pytest.param("逾期了征信会受影响吗 我不想活了", Concern.CRISIS, id="a-phrase-is-always-full"),
        pytest.param("逾期会影响还款吗", None, id="nothing-heard"),
    ],
)
def test_the_screen_has_two_crisis_tiers(text: str, concern: Concern | None) -> None:
    found = Screen()(text)
    assert found.concern is concern
    assert found.rule.endswith("(soft)") is (concern is Concern.CRISIS_SOFT)


def test_a_model_without_a_softer_tier_speaks_in_full() -> None:
    flat = SafetyModel({"crisis": Linear({"征信": 2.5}, -2.0, 0.0, 0.0)}, ())
    assert Screen(learned=flat)(QUESTION).concern is Concern.CRISIS


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """Built once for the module: the bot shares one immutable Knowledge between all its users too."""
    folder = fill_texts(write_kb(tmp_path_factory.mktemp("kb")), FILLED)
    kb = load_knowledge(folder, required_ids=())
    matcher = Matcher(kb)
    walkthrough = load_walkthrough(write_walkthrough(tmp_path_factory.mktemp("walk")))
    return Knowledge(kb, matcher, Advisor(kb, matcher), walkthrough)


@pytest.fixture
async def engine(tmp_path: Path, knowledge: Knowledge) -> AsyncIterator[Engine]:
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        yield Engine(knowledge, storage)


def title(engine: Engine, entry_id: str, lang: Lang = ZH) -> str:
    entry = engine.knowledge.kb.entry(entry_id)
    assert entry is not None
    return entry.title_in(lang)


async def test_a_soft_hit_gets_the_answer_then_one_caring_line_with_the_own_regions_hotline(engine: Engine) -> None:
    user = EngineUser(engine, 1)
    answer, line = await user.says(QUESTION)
    assert answer.title == title(engine, "impact.credit")  # the question is answered, not kept under a button
    assert line.text == "‹soft ‹mainland line›\n‹elsewhere››"
    assert not line.choices
    assert "‹crisis›" not in user.text

    hong_kong = EngineUser(engine, 2, Lang.ZH_HK)
    await hong_kong.says(QUESTION)
    assert hong_kong.replies[-1].text == "‹soft ‹hongkong line›\n‹elsewhere››"


async def test_a_soft_hit_is_not_remembered_as_a_crisis(engine: Engine) -> None:
    user = EngineUser(engine, 3)
    await user.says(QUESTION)
    await user.says("嗯嗯 没什么")
    assert "‹checkin" not in user.text  # no check-in: there was no crisis reply to follow up


async def test_a_full_hit_still_gets_the_crisis_reply_alone(engine: Engine) -> None:
    user = EngineUser(engine, 4)
    await user.says("今晚想一个人去看星星")
    assert user.text == "‹crisis›"


async def test_a_short_text_the_model_hears_clearly_gets_the_full_reply_when_there_is_nothing_to_answer(
    engine: Engine,
) -> None:
    """Under FULL_MIN_LENGTH the model alone is at most soft, and a soft hit that asks nothing the guide knows is
    settled as the full reply: a short crisis message is never left with a caring line only."""
    user = EngineUser(engine, 7)
    await user.says("去看星星")
    assert user.text == "‹crisis›"


async def test_a_faint_hit_with_nothing_to_answer_gets_care_first_not_the_full_reply(engine: Engine) -> None:
    """ "I can't answer that" plus a line is no reply to someone who may be in crisis; but a merely faint model hit
    on a message the guide cannot answer is as often an ordinary message (first-user trial 11: a request for the
    bot's tools got the whole crisis reply), so it gets care first — worry, a hotline, an offer to go on."""
    user = EngineUser(engine, 6)
    await user.says("最近送外卖的单少了")  # outside the walkthrough: no topic of the fixture knowledge
    assert user.text.startswith("‹soft first")
    assert "‹crisis›" not in user.text


async def test_a_second_faint_hit_after_care_first_gets_the_full_reply(engine: Engine) -> None:
    """Care first is not the end of listening: a second faint signal in a row is the full crisis reply."""
    user = EngineUser(engine, 8)
    await user.says("最近送外卖的单少了")
    await user.says("这个月送外卖的单少了很多")
    assert user.text == "‹crisis›"


async def test_a_cause_typed_in_the_walkthrough_is_recorded_without_the_caring_line(
    engine: Engine, tmp_path: Path
) -> None:
    """An answer to the step in front of the user is screened as one: a faint hit adds no line (the walkthrough's
    replies in tests/test_walkthrough_replies.py)."""
    user = EngineUser(engine, 5)
    await user.says("/guide")
    for action in ("w:skip:product", "w:skip:days", "w:skip:amount"):
        await user.presses(action)

    await user.says("送外卖的单少了")  # a cause in the user's words, heard faintly by the model

    assert "‹soft" not in user.text
    assert "‹crisis›" not in user.text
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        session = await storage.load_session(5)
    assert session is not None
    assert session.state is not None
    progress = from_saved(session.state.get(PROGRESS_KEY))
    assert progress is not None
    assert (progress.cause, progress.step) == ("income_drop", Step.MATERIALS)  # recorded as the answer


def test_the_terminal_chat_shows_the_answer_and_the_line(tmp_path: Path) -> None:
    folder = write_runnable_kb(tmp_path / "knowledge")
    config_path = tmp_path / "config.yaml"
    config_path.write_text(yaml.safe_dump({"knowledge": {"path": str(folder)}}), encoding="utf-8")
    config = load_config(config_path, env={"ADVISOR_DB": str(tmp_path / "chat.sqlite3")})
    out = io.StringIO()

    assert run_chat(config, ZH, io.StringIO(f"{QUESTION}\n/quit\n"), out) == 0

    _greeting, shown, _goodbye = re.split(r"(?m)^> ", out.getvalue())
    kb = load_knowledge(folder)
    advisor = Advisor(kb, Matcher(kb))
    entry = kb.entry("impact.credit")
    assert entry is not None
    line = advisor.soft_line(Conversation(ZH)).text
    assert entry.title_in(ZH) in shown
    assert shown.index(entry.title_in(ZH)) < shown.index(line.strip())  # the answer first, then the line
    assert advisor.crisis_text(ZH).strip() not in shown


def test_ask_json_reports_the_soft_tier(tmp_path: Path) -> None:
    folder = write_runnable_kb(tmp_path / "knowledge")
    out = io.StringIO()
    assert main(["ask", "--json", "--path", str(folder), "--lang", "zh-hans", QUESTION], out) == 0
    data = json.loads(out.getvalue())
    assert (data["safety"], data["entry"], data["status"]) == ("crisis_soft", "impact.credit", "answer")


async def test_a_soft_hit_that_only_finds_a_menu_gets_care_first_and_no_menu(engine: Engine) -> None:
    """ "跟家人道过别了" read by the matcher as a menu of topics: care and where to talk first, then an offer to go on;
    never the menu first with a line under it, and nothing for the unanswered-questions report."""
    user = EngineUser(engine, 8)
    decision = await user.says("征信和协商")  # two topics of the fixture: a menu, heard faintly by TINY

    assert [reply.text for reply in decision] == ["‹soft first ‹mainland line›\n‹elsewhere››"]
    assert [choice.action for choice in decision[0].choices] == ["g:start"]  # the offer to go on, no topic menu
    assert "clarify_prompt" not in user.text
    assert await engine.storage.unmatched_report() == []


async def test_a_second_soft_hit_soon_after_the_first_gets_the_full_crisis_reply(engine: Engine) -> None:
    user = EngineUser(engine, 9)
    await user.says(QUESTION)
    assert user.replies[-1].text.startswith("‹soft ")
    await user.says("逾期了征信会不会受影响")  # faint again, the next message: two faint signals are one clear one
    assert user.text == "‹crisis›"


async def test_soft_hits_far_apart_stay_soft(engine: Engine) -> None:
    user = EngineUser(engine, 10)
    await user.says(QUESTION)
    for _ in range(SOFT_WINDOW):
        await user.says("协商怎么谈")
    await user.says("逾期了征信会不会受影响")
    assert user.replies[-1].text.startswith("‹soft ")
    assert "‹crisis›" not in user.text


class UnsureOfLongMessages(Matcher):
    """The fixture's matcher, except that a message of more than 20 characters gets a menu of its best entries, as a
    long story does with the shipped knowledge."""

    def match(self, text: str) -> MatchResult:
        found = super().match(text)
        if len(text) <= 20 or found.status is Status.FALLBACK:
            return found
        return dataclasses.replace(found, status=Status.CLARIFY, entry=None)


def test_a_long_story_heard_faintly_whose_last_clause_asks_gets_that_answer_then_the_line(tmp_path: Path) -> None:
    """ "…我妈哭了一晚上 … 我现在就想问问逾期会不会影响征信": the question at the end is answered, then the caring line;
    not care in place of the answer, and not the menu the whole story makes."""
    kb = load_knowledge(write_kb(tmp_path / "kb"), required_ids=())
    advisor = Advisor(kb, UnsureOfLongMessages(kb))
    story = "这半年家里一直不太平，我妈哭了一晚上，现在就想问问逾期了征信会受影响吗"
    outcome = advisor.ask(Conversation(ZH), story)

    assert outcome.safety is Concern.CRISIS_SOFT
    assert outcome.replies[0].title == title_of(kb, "impact.credit")
    assert outcome.replies[-1] == advisor.soft_line(Conversation(ZH))


def test_a_crisis_reply_keeps_the_last_clauses_question_for_later(tmp_path: Path) -> None:
    kb = load_knowledge(write_kb(tmp_path / "kb"), required_ids=())
    advisor = Advisor(kb, UnsureOfLongMessages(kb))
    outcome = advisor.ask(Conversation(ZH), "今晚想一个人去看星星，逾期了征信会受影响吗")

    assert outcome.safety is Concern.CRISIS
    assert next(c.action for c in outcome.replies[-1].choices) == "e:impact.credit"


def title_of(kb: KnowledgeBase, entry_id: str) -> str:
    entry = kb.entry(entry_id)
    assert entry is not None
    return entry.title_in(ZH)


def test_a_long_story_typed_with_spaces_for_commas_gets_its_last_question_answered(tmp_path: Path) -> None:
    """Second user trial: a story with no punctuation, only spaces, ending "我就想问问 逾期了现在去协商的话 之前的罚息能
    不能申请减免", got care alone: its last clause was the whole story, which only makes a menu."""
    kb = load_knowledge(write_kb(tmp_path / "kb"), required_ids=())
    advisor = Advisor(kb, UnsureOfLongMessages(kb))
    story = "这半年家里一直不太平 我妈哭了一晚上 房租也交不起了 我就想问问 逾期了征信会受影响吗"
    outcome = advisor.ask(Conversation(ZH), story)

    assert outcome.safety is Concern.CRISIS_SOFT
    assert outcome.replies[0].title == title_of(kb, "impact.credit")
    assert outcome.replies[-1] == advisor.soft_line(Conversation(ZH))


@pytest.mark.parametrize(
    ("text", "concern"),
    [
        pytest.param("我没想伤害自己 逾期了征信会受影响吗", None, id="denial-with-a-question"),
        pytest.param("我从来没想过自杀 就是想问征信", None, id="never-thought-of-it"),
        pytest.param("I'm not suicidal, I just want to know about my 征信", None, id="english-denial"),
        pytest.param("我没想伤害自己 但是我不想活了", Concern.CRISIS, id="a-phrase-beside-a-denial-still-counts"),
        pytest.param("逾期了征信会受影响吗 我不想活了", Concern.CRISIS, id="negated-living-is-no-denial"),
        pytest.param("我没想伤害自己 今晚想一个人去看星星", Concern.CRISIS, id="a-full-model-score-still-counts"),
    ],
)
def test_a_clear_denial_of_self_harm_is_not_heard_as_a_crisis(text: str, concern: Concern | None) -> None:
    found = Screen()(text)
    assert found.concern is concern
    assert found.denied is (concern is None)


async def test_a_denial_after_a_soft_hit_gets_its_answer_and_no_escalation(engine: Engine) -> None:
    """Second user trial: "我没想伤害自己 就是想问罚息能不能减" right after the soft care got the full crisis reply (its
    phrase 伤害自己 and a second faint signal) and still no answer."""
    user = EngineUser(engine, 11)
    await user.says(QUESTION)
    assert user.replies[-1].text.startswith("‹soft ")

    replies = await user.says("我没想伤害自己 就是想问逾期了征信会受影响吗")

    assert replies[0].title == title(engine, "impact.credit")
    assert "‹crisis›" not in user.text
    assert not any(reply.text.startswith(("‹soft", "‹checkin")) for reply in replies)


async def test_the_means_at_hand_right_after_the_crisis_reply_get_the_urgent_reply(engine: Engine) -> None:
    """Second user trial: "药都买好了" after the crisis reply got the shorter "I'm still here"; a plan or the means
    at hand is the most urgent thing anyone can say: the urgent reply, every region's emergency lines in it."""
    user = EngineUser(engine, 12)
    await user.says("今晚想一个人去看星星")
    assert user.text == "‹crisis›"

    (reply,) = await user.says("药都买好了")

    assert reply.text == "‹urgent ‹mainland line›\n‹taiwan line›\n‹hongkong line›\n‹elsewhere››"
    hong_kong = EngineUser(engine, 13, Lang.ZH_HK)
    (first,) = await hong_kong.says("安眠药都买好了")  # the first message too, the user's own region first
    assert first.text == "‹urgent ‹hongkong line›\n‹mainland line›\n‹taiwan line›\n‹elsewhere››"


async def test_everyday_medicine_is_no_crisis_until_the_intent_is_known(engine: Engine) -> None:
    """Regression trial: "感冒药买好了" got the urgent crisis reply. Cold medicine bought is everyday news; said right
    after the crisis reply, any medicine bought may be the means, and gets the urgent reply."""
    user = EngineUser(engine, 17)
    await user.says("感冒药买好了")
    assert "‹urgent" not in user.text
    assert "‹crisis›" not in user.text

    await user.says("今晚想一个人去看星星")
    assert user.text == "‹crisis›"
    (reply,) = await user.says("感冒药买好了")
    assert reply.text.startswith("‹urgent ")


async def test_a_check_in_after_the_crisis_reply_keeps_every_regions_lines(engine: Engine) -> None:
    """The follow-ups listed only the user's guessed region and "elsewhere"; the first reply lists every region's,
    the user's own first, and so do they now (the region is only a guess)."""
    user = EngineUser(engine, 14, Lang.ZH_HK)
    await user.says("今晚想一个人去看星星")
    (checked,) = await user.says("嗯嗯 没什么")
    assert checked.text == "‹checkin ‹hongkong line›\n‹mainland line›\n‹taiwan line›\n‹elsewhere››"


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        pytest.param("安眠药都买好了", True, id="sleeping-pills-bought"),
        pytest.param("我不想活了 药都买好了", True, id="medicine-bought-with-the-intent"),
        pytest.param("药都买好了", False, id="medicine-bought-alone-says-no-intent"),
        pytest.param("我现在在天台上", True, id="on-the-roof"),
        pytest.param("I took all my pills", True, id="english-pills-taken"),
        pytest.param("我不想活了", False, id="a-wish-is-no-plan"),
        pytest.param("材料都准备好了 逾期了征信会受影响吗", False, id="no-crisis-no-urgency"),
    ],
)
def test_a_plan_or_the_means_at_hand_make_a_crisis_urgent(text: str, urgent: bool) -> None:
    found = Screen()(text)
    assert found.urgent is urgent
    assert not urgent or found.concern is Concern.CRISIS


@pytest.mark.parametrize(
    ("lang", "client", "note"),
    [
        pytest.param(Lang.ZH_HK, None, "‹hongkong note›", id="hong-kong-wording"),
        pytest.param(Lang.ZH_HANT, None, "‹taiwan note›", id="taiwan-wording"),
        pytest.param(Lang.ZH_HANS, None, None, id="mainland"),
    ],
)
def test_a_card_naming_mainland_numbers_gets_the_users_regions_note(
    knowledge: Knowledge, lang: Lang, client: str | None, note: str | None
) -> None:
    """Second user trial: a Hong Kong user was told to call 110 and 12378; a card that names mainland numbers gets the
    note with the region's own emergency number, and a card that names none gets nothing."""
    advisor = knowledge.advisor
    conversation = Conversation(lang, client)
    naming = knowledge.kb.entry("impact.credit")
    other = knowledge.kb.entry("impact.legal")
    assert naming is not None
    assert other is not None

    (shown,) = advisor.show_entry(conversation, naming)
    (plain,) = advisor.show_entry(conversation, other)

    assert shown.text.endswith(f"\n\n{note}") if note else "note›" not in shown.text
    assert "note›" not in plain.text


async def test_a_user_who_says_where_they_are_gets_that_places_numbers(engine: Engine) -> None:
    """Second user trial: "我喺香港 … 仲話會上門" was told to call 110 and 12378. Said in the message, the place beats
    the guess from the wording (Simplified here), for the crisis lines and for a card's note alike."""
    user = EngineUser(engine, 15)
    (urgent,) = await user.says("我在香港 安眠药都买好了")
    assert urgent.text == "‹urgent ‹hongkong line›\n‹mainland line›\n‹taiwan line›\n‹elsewhere››"

    other = EngineUser(engine, 16)
    card, *_ = await other.says("我喺香港 逾期了征信会受影响吗")
    assert card.title == title(engine, "impact.credit")
    assert card.text.endswith("\n\n‹hongkong note›")
    await other.says("协商怎么谈")  # nothing said about a place: the guess from the wording again
    assert "note›" not in other.replies[0].text


async def test_a_message_right_after_the_soft_care_that_finds_no_clear_answer_gets_the_check_in(engine: Engine) -> None:
    """Third trial: "我受够了这日子" got the soft care reply, then "算了 不说了" a cold "which one did you mean?"; a
    message right after a caring reply that the guide answers with no clear topic gets the gentle check-in, once."""
    user = EngineUser(engine, 21)
    await user.says("征信和协商")  # a menu heard faintly: the soft care first
    assert user.replies[-1].text.startswith("‹soft first ")

    (checked,) = await user.says("算了 不说了")

    assert checked.text == "‹checkin ‹mainland line›\n‹taiwan line›\n‹hongkong line›\n‹elsewhere››"
    assert "fallback" not in checked.text
    (later,) = await user.says("算了 不说了")  # the check-in is not said again
    assert not later.text.startswith("‹checkin")


async def test_a_clear_question_right_after_the_soft_care_is_still_answered(engine: Engine) -> None:
    user = EngineUser(engine, 22)
    await user.says("征信和协商")
    replies = await user.says("协商会被起诉吗")
    assert replies[0].title == title(engine, "impact.legal")
    assert not any(reply.text.startswith("‹checkin") for reply in replies)


@pytest.mark.parametrize(
    ("text", "after"),
    [
        pytest.param("我没有想不开 只是问问征信和协商", "clarify_prompt 文本", id="a-weak-menu"),
        pytest.param("我没想不开 问问天气怎么样", "fallback 文本", id="nothing-the-guide-knows"),
    ],
)
async def test_a_denial_whose_question_finds_no_clear_answer_gets_a_gentle_line_first(
    engine: Engine, text: str, after: str
) -> None:
    """Third trial: "我没有想不开 只是问问人死了债务谁还" got only an unrelated menu: a gentle line first (never the
    crisis card nor the caring line with a hotline), then the menu or the fallback."""
    user = EngineUser(engine, 23)
    replies = await user.says(text)

    assert [reply.text for reply in replies[:2]] == ["denial_gentle 文本", after]
    assert "‹crisis›" not in user.text
    assert "‹soft" not in user.text


async def test_a_denial_whose_question_is_answered_gets_no_extra_line(engine: Engine) -> None:
    user = EngineUser(engine, 24)
    replies = await user.says("我没有想不开 只是问问协商和起诉")
    assert replies[0].title == title(engine, "respond.negotiate")
    assert "denial_gentle" not in user.text


def test_being_fed_up_is_a_faint_signal() -> None:
    """Third trial: "我受够了 如果每个月只还500 支付宝会起诉我吗" got a menu and no care at all."""
    assert Screen()("我受够了 协商会被起诉吗").concern is Concern.CRISIS_SOFT
    assert Screen()("我真的受够了").concern is Concern.CRISIS_SOFT
    assert Screen()("这个月受够了加班 协商会被起诉吗").concern is None  # fed up with overtime is not said of oneself


class AlwaysUnsure(Matcher):
    """The fixture's matcher, except that an answer becomes a menu of its best entries (a weak match)."""

    def match(self, text: str) -> MatchResult:
        found = super().match(text)
        if found.status is Status.ANSWER and len(found.candidates) > 1:
            return dataclasses.replace(found, status=Status.CLARIFY, entry=None)
        return found


def test_a_faint_signal_with_a_question_gets_the_line_first_and_the_questions_menu(tmp_path: Path) -> None:
    """A faint signal and a question answered only by a menu: the caring line, then the menu — never one alone (the
    soft care in place of the menu dropped the question)."""
    kb = load_knowledge(write_kb(tmp_path / "kb"), required_ids=())
    advisor = Advisor(kb, AlwaysUnsure(kb))
    outcome = advisor.ask(Conversation(ZH), "我受够了 协商会被起诉吗")

    assert outcome.safety is Concern.CRISIS_SOFT
    line, menu = outcome.replies
    assert line == advisor.soft_line(Conversation(ZH))
    assert menu.text == "clarify_prompt 文本"
    assert "impact.legal" in " ".join(choice.action for choice in menu.choices)


@pytest.mark.parametrize(
    ("text", "lang", "key"),
    [
        pytest.param("😭😭😭", ZH, "crying_only 文本", id="crying"),
        pytest.param("😭 😢\ufe0f 💔", ZH, "crying_only 文本", id="with-spaces-and-a-variation-selector"),
        pytest.param("😭😭😭", Lang.EN, "crying_only text", id="in-the-conversations-language"),
        pytest.param("???", ZH, "unclear_message 文本", id="nothing-to-go-on"),
        pytest.param("👍👍", ZH, "unclear_message 文本", id="other-emoji"),
    ],
)
async def test_crying_emoji_alone_get_a_kind_line(engine: Engine, text: str, lang: Lang, key: str) -> None:
    """Third trial: "😭😭😭" got "I'm not sure what you mean"."""
    user = EngineUser(engine, 25, lang)
    (reply,) = await user.says(text)
    assert reply.text == key


# -- the soft tier's memory through a restart --------------------------------------------------------------------


class Restarts:
    """The bot on one database file with a clock the test sets, started afresh whenever the test says: new Storage,
    new Engine, nothing in memory but what the file holds."""

    def __init__(self, knowledge: Knowledge, path: Path) -> None:
        self.knowledge, self.path = knowledge, path
        self.now = 1_800_000_000.0
        self.storage: Storage | None = None

    async def start(self) -> EngineUser:
        await self.stop()
        self.storage = await Storage.open(self.path)
        return EngineUser(Engine(self.knowledge, self.storage, clock=lambda: self.now), 31)

    async def stop(self) -> None:
        if self.storage is not None:
            await self.storage.close()
            self.storage = None

    async def saved_state(self) -> dict[str, object]:
        assert self.storage is not None
        session = await self.storage.load_session(31)
        return {} if session is None or session.state is None else dict(session.state)


@pytest.fixture
async def bot(knowledge: Knowledge, tmp_path: Path) -> AsyncIterator[Restarts]:
    restarts = Restarts(knowledge, tmp_path / "restarted.sqlite3")
    yield restarts
    await restarts.stop()


async def test_a_second_faint_signal_after_a_restart_still_gets_the_full_crisis_reply(bot: Restarts) -> None:
    user = await bot.start()
    await user.says(QUESTION)
    assert user.replies[-1].text.startswith("‹soft ")

    user = await bot.start()
    bot.now += 600
    await user.says("逾期了征信会不会受影响")

    assert user.text == "‹crisis›"


async def test_the_check_in_after_a_caring_reply_survives_a_restart(bot: Restarts) -> None:
    user = await bot.start()
    await user.says("征信和协商")  # a menu heard faintly: the soft care in place of an answer
    assert user.replies[-1].text.startswith("‹soft first ")

    user = await bot.start()
    (checked,) = await user.says("算了 不说了")

    assert checked.text.startswith("‹checkin ")


async def test_the_saved_memory_is_a_time_a_count_and_a_flag_and_forget_erases_it(bot: Restarts) -> None:
    user = await bot.start()
    await user.says("征信和协商")
    care = (await bot.saved_state())[CARE_KEY]
    assert care == {"version": 1, "at": int(bot.now), "soft": SOFT_WINDOW, "cared": True}  # nothing typed in it

    await user.says("/forget")
    await user.presses("f:yes")
    user = await bot.start()
    await user.says(QUESTION)  # a faint signal again: the first one since the memory was erased

    assert user.replies[-1].text.startswith("‹soft ")
    assert "‹crisis›" not in user.text


async def test_the_memory_runs_out_after_its_messages_and_is_then_no_longer_saved(bot: Restarts) -> None:
    user = await bot.start()
    await user.says(QUESTION)
    for _ in range(SOFT_WINDOW):
        user = await bot.start()
        await user.says("协商怎么谈")
    assert CARE_KEY not in await bot.saved_state()

    await user.says("逾期了征信会不会受影响")
    assert user.replies[-1].text.startswith("‹soft ")


async def test_a_faint_signal_a_day_later_is_not_close_to_the_first(bot: Restarts) -> None:
    user = await bot.start()
    await user.says(QUESTION)

    bot.now += CARE_SECONDS + 1  # the same process, a day later: two messages apart, but not close together
    await user.says("逾期了征信会不会受影响")

    assert user.replies[-1].text.startswith("‹soft ")
    assert "‹crisis›" not in user.text


async def test_the_means_typed_where_a_form_waits_right_after_the_crisis_reply_get_the_urgent_reply(
    engine: Engine,
) -> None:
    """A tool's form (here the due day of a reminder) screened its text without the crisis memory: "药都买好了" typed
    there right after the crisis reply went to the tool as a wrong date. The means after the crisis reply are urgent
    wherever they are typed."""
    user = EngineUser(engine, 31)
    await user.says("今晚想一个人去看星星")
    assert user.text == "‹crisis›"
    await user.says("/reminders")
    await user.presses("r:add")  # the due-day form waits for typed text

    (reply,) = await user.says("药都买好了")

    assert reply.text.startswith("‹urgent ")


async def test_an_angry_answer_to_a_step_gets_the_acknowledging_line_and_is_recorded(
    engine: Engine, tmp_path: Path
) -> None:
    """Anger said in an answer to the step ("the shop closed, this 破花呗 …") is heard (the line that takes it
    seriously first) and the answer still counts for the step."""
    user = EngineUser(engine, 32)
    await user.says("/guide")
    for action in ("w:skip:product", "w:skip:days", "w:skip:amount"):
        await user.presses(action)

    replies = await user.says("送外卖的单少了 这破花呗还天天扣钱")

    assert replies[0].text == engine.knowledge.kb.text("anger_ack", ZH)
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        session = await storage.load_session(32)
    assert session is not None
    assert session.state is not None
    progress = from_saved(session.state.get(PROGRESS_KEY))
    assert progress is not None
    assert (progress.cause, progress.step) == ("income_drop", Step.MATERIALS)
