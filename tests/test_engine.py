"""The engine as users meet it: real SQLite in tmp_path, the shipped knowledge (or a small one from kbfactory).

Every test reads like the conversation it checks; "saved" always means read back through a second, independent
Storage on the same file, the way the next process would find it after a crash.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.config import MatcherConfig
from bot.core import dialogue
from bot.core.advisor import Advisor
from bot.core.dialogue import Progress, Step, from_saved
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.language import Written, detect
from bot.core.matcher import Matcher
from bot.core.replies import Reply
from bot.core.walkthrough import load_walkthrough
from bot.engine import LONG_MESSAGE, Engine, Incoming, Kind, Knowledge
from bot.engine.rebuild import build_elsewhere, take_apart
from bot.engine.saved_state import PROGRESS_KEY
from bot.errors import KnowledgeError, TurnError
from bot.locks import KeyedLocks
from bot.storage import Session, Storage
from tests.kbfactory import write_kb, write_runnable_kb
from tests.transcript import EngineUser, Seen

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"
ZH = Lang.ZH_HANS


@pytest.fixture(scope="module")
def shipped() -> Knowledge:
    return Knowledge.load(SHIPPED)


def small_knowledge(root: Path, config: MatcherConfig | None = None) -> Knowledge:
    """Four kbfactory entries (credit, legal, negotiate, a route) with the shipped walkthrough."""
    kb = load_knowledge(write_kb(root), required_ids=())
    matcher = Matcher(kb, config)
    return Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(SHIPPED / "walkthrough.yaml"))


#: Thresholds under which "逾期会被起诉还是只影响征信" is too close to call between credit and legal.
UNDECIDED = MatcherConfig(answer_threshold=0.9, margin=0.5, clarify_threshold=0.1)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "advisor.sqlite3"


@pytest.fixture
async def storage(db_path: Path) -> AsyncIterator[Storage]:
    async with await Storage.open(db_path) as storage:
        yield storage


@pytest.fixture
def engine(shipped: Knowledge, storage: Storage) -> Engine:
    return Engine(shipped, storage, directory=SHIPPED)


async def saved(db_path: Path, user_id: int = 1) -> Session | None:
    """The user's session as a second process opening the same file sees it."""
    async with await Storage.open(db_path) as other:
        return await other.load_session(user_id)


async def saved_guide(db_path: Path, user_id: int = 1) -> Progress | None:
    session = await saved(db_path, user_id)
    if session is None or session.state is None:
        return None
    return from_saved(session.state.get("guide"))


class Person(Seen):
    """One user talking to the engine; update ids count up like Telegram's."""

    def __init__(self, engine: Engine, user_id: int = 1, client_lang: str = "zh-hans", first_update: int = 1) -> None:
        self.engine = engine
        self.user_id = user_id
        self.client_lang = client_lang
        self.next_update = first_update
        self.last_event: Incoming | None = None
        self.replies: list[Reply] = []

    def event(self, kind: Kind, **fields: Any) -> Incoming:
        event = Incoming(self.user_id, kind, update_id=self.next_update, client_lang=self.client_lang, **fields)
        self.next_update += 1
        return event

    async def send(self, event: Incoming) -> list[Reply]:
        self.last_event = event
        self.replies = (await self.engine.handle(event)).replies
        return self.replies

    async def command(self, name: str, argument: str = "") -> list[Reply]:
        return await self.send(self.event(Kind.COMMAND, command=name, text=argument))

    async def say(self, text: str) -> list[Reply]:
        return await self.send(self.event(Kind.TEXT, text=text))

    async def press(self, action: str, *, stale: bool = False) -> list[Reply]:
        return await self.send(self.event(Kind.PRESS, action=action, stale=stale))

    async def tap(self, label: str) -> list[Reply]:
        """Press the one button of the last replies whose label contains `label`."""
        found = [c for c in self.choices if c.label == label] or [c for c in self.choices if label in c.label]
        assert len(found) == 1, f"no single button {label!r} in {[c.label for c in self.choices]}"
        return await self.press(found[0].action)

    async def redeliver(self) -> list[Reply]:
        """The transport hands the last event over again (as after a crash before it confirmed the update)."""
        assert self.last_event is not None
        self.replies = (await self.engine.handle(self.last_event)).replies
        return self.replies


# -- questions and answers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "client_lang", "entry_id"),
    [
        pytest.param("逾期了征信会受影响吗", "zh-hans", "impact.credit", id="simplified-question"),
        pytest.param(
            "花唄逾期了徵信會受影響嗎", "zh-hant", "impact.credit", id="traditional-question-traditional-answer"
        ),
        pytest.param("will being late hurt my credit score", "en", "impact.credit", id="english-question"),
        pytest.param("不还钱会被起诉吗", "zh-hans", "impact.legal", id="legal-consequences"),
    ],
)
async def test_a_clear_question_gets_its_entry_with_a_guide_button(
    engine: Engine, shipped: Knowledge, question: str, client_lang: str, entry_id: str
) -> None:
    user = Person(engine, client_lang=client_lang)
    (reply,) = await user.say(question)
    entry = shipped.kb.entry(entry_id)
    assert entry is not None
    lang = Lang(client_lang)
    assert reply.title == entry.title_in(lang)
    assert reply.text == entry.answer_in(lang)
    assert "g:start" in user.actions
    assert user.actions[-2:] == [f"v:+:{entry_id}", f"v:-:{entry_id}"]  # 👍 / 👎 last
    assert all(action.startswith(("e:", "g:", "w:", "v:")) for action in user.actions)


async def test_a_topic_the_guide_does_not_cover_is_routed_honestly(engine: Engine, shipped: Knowledge) -> None:
    user = Person(engine)
    (reply,) = await user.say("花呗逾期了还能用吗")
    route = shipped.kb.entry("route.usage_after_overdue")
    assert route is not None
    assert reply.title == route.title_in(ZH)
    assert reply.text.startswith(route.answer_in(ZH))
    assert reply.text.endswith(shipped.kb.text("route_footer", ZH))


@pytest.mark.parametrize(
    ("message", "lang", "key"),
    [("你好！", ZH, "courtesy"), ("在吗？", ZH, "courtesy"), ("早上好", ZH, "courtesy"),
     ("hi there", Lang.EN, "courtesy"),
     ("谢谢", ZH, "courtesy_thanks"), ("ok", ZH, "courtesy_thanks"), ("好的", ZH, "courtesy_thanks"),
     ("Thank you", Lang.EN, "courtesy_thanks"), ("thx", Lang.EN, "courtesy_thanks"),
     ("好的 谢谢！", ZH, "courtesy_thanks")],
)  # fmt: skip
async def test_a_greeting_or_thanks_gets_a_kind_word_back_not_i_dont_know(
    engine: Engine, shipped: Knowledge, storage: Storage, message: str, lang: Lang, key: str
) -> None:
    user = Person(engine)  # Telegram in Simplified Chinese: "ok" tells no language, "Thank you" is English
    (reply,) = await user.say(message)
    assert reply.text == shipped.kb.text(key, lang)
    assert user.actions == ["g:start"]
    assert await storage.unmatched_report() == []


@pytest.mark.parametrize(
    ("message", "lang"),
    [("讲个笑话吧", ZH), ("给我讲个故事吧", ZH), ("你喜欢什么音乐", ZH), ("tell me something funny", Lang.EN)],
)
async def test_chit_chat_gets_what_the_bot_is_for_and_is_not_logged_as_unanswered(
    engine: Engine, shipped: Knowledge, storage: Storage, message: str, lang: Lang
) -> None:
    user = Person(engine)
    (reply,) = await user.say(message)
    chat = shipped.kb.entry("offtopic.chat")
    assert chat is not None
    assert reply.text == chat.answer_in(lang)  # no "the guide does not cover this, ask Alipay" footer
    assert "g:start" in user.actions
    assert await storage.unmatched_report() == []


async def test_a_question_between_two_topics_offers_both_and_none_of_these(tmp_path: Path, storage: Storage) -> None:
    knowledge = small_knowledge(tmp_path / "kb", UNDECIDED)
    user = Person(Engine(knowledge, storage))
    (menu,) = await user.say("逾期会被起诉还是只影响征信")
    assert menu.text == knowledge.kb.text("clarify_prompt", ZH)
    assert {"e:impact.credit", "e:impact.legal"} <= set(user.actions)
    assert user.actions[-1] == "n:"

    (answer,) = await user.press("e:impact.legal")
    assert answer.text == "回答 impact.legal"

    await user.say("逾期会被起诉还是只影响征信")
    (fallback,) = await user.press("n:")
    assert fallback.text == knowledge.kb.text("fallback", ZH)


async def test_an_unanswerable_question_gets_the_honest_fallback(tmp_path: Path, storage: Storage) -> None:
    knowledge = small_knowledge(tmp_path / "kb")
    user = Person(Engine(knowledge, storage))
    (reply,) = await user.say("怎么做红烧肉")
    assert reply.text == knowledge.kb.text("fallback", ZH)
    assert user.actions == ["g:start"]


@pytest.mark.parametrize(
    ("question", "logged"),
    [
        pytest.param("怎么做红烧肉", True, id="fallback-is-logged"),
        pytest.param("逾期了征信会受影响吗", False, id="answer-is-not-logged"),
        pytest.param("花呗还清以后还能用吗", False, id="route-is-not-logged"),
        pytest.param("逾期会被起诉还是只影响征信", False, id="clarify-is-not-logged"),
    ],
)
async def test_only_questions_nobody_could_answer_reach_the_admins_report(
    tmp_path: Path, storage: Storage, question: str, logged: bool
) -> None:
    user = Person(Engine(small_knowledge(tmp_path / "kb", UNDECIDED), storage))
    await user.say(question)
    report = await storage.unmatched_report()
    assert [row.question for row in report] == ([question] if logged else [])


async def test_the_unmatched_report_counts_askings_and_users(tmp_path: Path, storage: Storage) -> None:
    engine = Engine(small_knowledge(tmp_path / "kb"), storage)
    await Person(engine, user_id=1).say("怎么做红烧肉")
    await Person(engine, user_id=1, first_update=10).say("怎么做红烧肉")
    await Person(engine, user_id=2, first_update=20).say("怎么做红烧肉")
    (row,) = await storage.unmatched_report()
    assert (row.question, row.count, row.users) == ("怎么做红烧肉", 3, 2)


async def test_a_redelivered_unanswerable_question_is_answered_again_but_counted_once(
    tmp_path: Path, storage: Storage
) -> None:
    user = Person(Engine(small_knowledge(tmp_path / "kb"), storage))
    first = await user.say("怎么做红烧肉")
    again = await user.redeliver()  # a crash before the update was confirmed: Telegram sends it again
    assert again == first  # the user still gets a reply
    (row,) = await storage.unmatched_report()
    assert (row.question, row.count) == ("怎么做红烧肉", 1)


async def test_an_overlong_message_is_answered_from_its_first_part_with_a_notice(
    engine: Engine, shipped: Knowledge
) -> None:
    user = Person(engine)
    story = "逾期了征信会受影响吗" + "。" * (LONG_MESSAGE + 100)
    notice, answer = await user.say(story)
    assert notice.text == shipped.kb.text("too_long_notice", ZH)
    assert answer.title == shipped.kb.entry("impact.credit").title_in(ZH)  # type: ignore[union-attr]


async def test_a_photo_or_sticker_gets_a_kind_sentence(engine: Engine, shipped: Knowledge) -> None:
    user = Person(engine)
    (reply,) = await user.send(user.event(Kind.UNSUPPORTED))
    assert reply.text == shipped.kb.text("non_text", ZH)


# -- commands ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "text_key"),
    [
        pytest.param("start", "greeting", id="start-greets"),
        pytest.param("help", "help", id="help"),
        pytest.param("privacy", "privacy", id="privacy"),
        pytest.param("cancel", "nothing_to_cancel", id="cancel-with-nothing-to-cancel"),
        pytest.param("forget", "forget_confirm", id="forget-asks-first"),
        pytest.param("nonsense", "unknown_command", id="unknown-command"),
    ],
)
async def test_commands_outside_the_walkthrough(
    engine: Engine, shipped: Knowledge, command: str, text_key: str
) -> None:
    user = Person(engine)
    replies = await user.command(command)
    assert replies[0].text == shipped.kb.text(text_key, ZH)


async def test_start_mid_walkthrough_offers_to_continue_first(engine: Engine) -> None:
    user = Person(engine)
    await user.command("guide")
    await user.press("w:o:product:huabei")
    await user.command("start")
    assert user.actions[0] == "w:resume"
    assert "g:start" in user.actions


# -- the walkthrough: durable before the reply -------------------------------------------------------------------


async def test_each_confirmed_step_is_on_disk_before_the_reply_is_returned(engine: Engine, db_path: Path) -> None:
    user = Person(engine)
    await user.command("guide")
    assert await saved_guide(db_path) == Progress(step=Step.PRODUCT)

    await user.tap("借呗")
    assert await saved_guide(db_path) == Progress(step=Step.DAYS, product="jiebei")

    await user.say("45天")
    assert "45" in user.text
    state = await saved_guide(db_path)
    assert state is not None
    assert (state.step, state.days, state.days_typed) == (Step.AMOUNT, "d31_90", 45)

    await user.press("w:o:amount:k5_20")
    await user.press("w:o:cause:income_drop")
    await user.press("w:t:materials:income_drop_proof")
    state = await saved_guide(db_path)
    assert state is not None
    assert (state.step, state.cause, state.materials) == (Step.MATERIALS, "income_drop", ("income_drop_proof",))

    session = await saved(db_path)
    assert session is not None
    assert session.last_update_id == user.next_update - 1


async def test_cancel_clears_the_saved_walkthrough(engine: Engine, db_path: Path) -> None:
    user = Person(engine)
    await user.command("guide")
    await user.press("w:o:product:huabei")
    await user.command("cancel")
    assert await saved_guide(db_path) is not None  # asked first: an answer would be lost
    await user.press("w:cancel")
    assert await saved_guide(db_path) is None
    await user.command("resume")
    assert user.actions == ["w:start"]


@pytest.mark.parametrize(
    ("message", "lang"),
    [
        pytest.param("我不想活了", ZH, id="plain"),
        pytest.param("花呗借呗都还不上，真想一死了之", ZH, id="with-the-debt"),
        pytest.param("I just want to end it all", Lang.EN, id="english"),
    ],
)
async def test_someone_who_speaks_of_ending_their_life_gets_the_crisis_reply_first(
    engine: Engine, shipped: Knowledge, storage: Storage, message: str, lang: Lang
) -> None:
    user = Person(engine)
    (reply,) = await user.say(message)
    assert reply.text == shipped.advisor.crisis_text(lang)
    *later, guide = user.actions  # a practical question in the message waits under a button, not answered first
    assert guide == "g:start"
    assert all(action.startswith("e:") for action in later)
    assert await storage.unmatched_report() == []  # the message is not kept


async def test_the_crisis_reply_comes_even_where_any_text_would_be_recorded_as_agreement_terms(
    engine: Engine, shipped: Knowledge, db_path: Path
) -> None:
    user = Person(engine)
    await user.press("w:goto:result")
    await user.press("w:o:result:agreed")
    (reply,) = await user.say("协商不成我就去死")
    assert reply.text == shipped.advisor.crisis_text(ZH)
    assert user.actions[0] == "w:resume"  # the walkthrough waits where it was
    state = await saved_guide(db_path)
    assert state is not None
    assert (state.step, state.terms) == (Step.TERMS, None)


@pytest.mark.parametrize(
    ("client_lang", "lang", "message"),
    [
        pytest.param("zh-hans", Lang.ZH_HANS, "我真的撑不下去了", id="simplified"),
        pytest.param("zh-hant", Lang.ZH_HANT, "活著好累，不如死了算了", id="traditional"),
        pytest.param("zh-hk", Lang.ZH_HK, "做人好攰，真係唔想活", id="cantonese"),
        pytest.param("en", Lang.EN, "I don't want to be alive anymore", id="english"),
    ],
)
async def test_the_crisis_reply_comes_in_the_conversations_language(
    engine: Engine, shipped: Knowledge, client_lang: str, lang: Lang, message: str
) -> None:
    user = Person(engine, client_lang=client_lang)
    (reply,) = await user.say(message)
    assert reply.text == shipped.advisor.crisis_text(lang)


async def test_a_crisis_mid_walkthrough_is_not_recorded_and_the_walkthrough_resumes_where_it_was(
    engine: Engine, shipped: Knowledge, db_path: Path
) -> None:
    user = Person(engine)
    await user.command("guide")
    await user.tap("借呗")
    before = await saved_guide(db_path)
    assert before == Progress(step=Step.DAYS, product="jiebei")

    (reply,) = await user.say("逾期90天了，我真的不想活了")  # a number of days, but said in crisis

    assert reply.text == shipped.advisor.crisis_text(ZH)
    assert user.actions[0] == "w:resume"
    assert await saved_guide(db_path) == before  # nothing recorded, nothing lost

    await user.press("w:resume")
    assert shipped.walkthrough.say("steps.days.prompt", ZH) in user.text
    await user.say("45天")
    state = await saved_guide(db_path)
    assert state is not None
    assert (state.step, state.days_typed) == (Step.AMOUNT, 45)


async def test_a_crisis_at_the_end_of_a_very_long_message_is_still_seen(engine: Engine, shipped: Knowledge) -> None:
    user = Person(engine)
    story = "花呗逾期了，催收天天打电话。" * (LONG_MESSAGE // 10)
    replies = await user.say(f"{story}我真的不想活了")
    assert [r.text for r in replies] == [shipped.advisor.crisis_text(ZH)]


async def test_a_scam_mid_walkthrough_gets_the_card_and_the_walkthrough_waits(
    engine: Engine, shipped: Knowledge, db_path: Path
) -> None:
    user = Person(engine)
    await user.press("w:goto:result")
    await user.press("w:o:result:agreed")

    replies = await user.say("有人说交两千就能帮我撤诉，然后再签协议")  # would otherwise be taken as the terms

    card = shipped.kb.entry("safety.scams")
    assert card is not None
    assert replies[0].title == card.title_in(ZH)
    assert user.actions[0] == "w:resume"
    state = await saved_guide(db_path)
    assert state is not None
    assert (state.step, state.terms) == (Step.TERMS, None)


async def test_despair_typed_as_a_walkthrough_answer_is_recorded_with_a_kind_word_first(
    engine: Engine, shipped: Knowledge, db_path: Path
) -> None:
    user = Person(engine)
    await user.press("w:goto:result")
    await user.press("w:o:result:agreed")

    first, *rest = await user.say("压力好大，不过谈好了：每月还500，分24期")

    assert first.text == shipped.kb.text("reassurance", ZH)
    assert rest
    state = await saved_guide(db_path)
    assert state is not None
    assert state.terms == "压力好大，不过谈好了：每月还500，分24期"


async def test_terms_text_is_recorded_but_a_question_at_that_step_goes_to_the_knowledge_base(
    engine: Engine, db_path: Path
) -> None:
    user = Person(engine)
    await user.press("w:goto:result")
    await user.press("w:o:result:agreed")
    assert (await saved_guide(db_path)).step is Step.TERMS  # type: ignore[union-attr]

    (answer,) = await user.say("书面协议里要写清楚什么？")
    assert answer.title  # an entry from the knowledge base, not "terms noted"
    assert user.actions[0] == "w:resume"
    state = await saved_guide(db_path)
    assert state is not None
    assert (state.step, state.terms) == (Step.TERMS, None)

    await user.say("分12期还款，免除违约金")
    state = await saved_guide(db_path)
    assert state is not None
    assert (state.step, state.terms) == (Step.REPAY, "分12期还款，免除违约金")


# -- side questions and jumps ----------------------------------------------------------------------------------


async def test_a_side_question_mid_walkthrough_keeps_the_place_and_offers_to_continue(
    engine: Engine, shipped: Knowledge, db_path: Path
) -> None:
    user = Person(engine)
    await user.command("guide")
    await user.tap("花呗")
    before = await saved_guide(db_path)
    assert before is not None
    assert before.step is Step.DAYS

    (answer,) = await user.say("逾期了征信会受影响吗")
    assert answer.title == shipped.kb.entry("impact.credit").title_in(ZH)  # type: ignore[union-attr]
    assert user.actions[0] == "w:resume"
    assert "g:start" not in user.actions  # "continue" replaces "start the walkthrough"
    assert await saved_guide(db_path) == before

    (prompt,) = await user.press("w:resume")
    assert prompt == dialogue.current_prompt(before, shipped.walkthrough, ZH)[0]


async def test_a_number_at_the_days_step_is_an_answer_not_a_question(engine: Engine, db_path: Path) -> None:
    user = Person(engine)
    await user.command("guide")
    await user.tap("花呗")
    await user.say("逾期15天会怎样")  # a question with a number in it
    assert (await saved_guide(db_path)).step is Step.DAYS  # type: ignore[union-attr]
    await user.say("15")
    assert (await saved_guide(db_path)).days_typed == 15  # type: ignore[union-attr]


async def test_an_answer_about_a_step_offers_to_open_it_in_the_walkthrough(
    engine: Engine, shipped: Knowledge, db_path: Path
) -> None:
    user = Person(engine)
    (answer,) = await user.say("要准备哪些材料去协商")
    assert answer.title == shipped.kb.entry("steps.materials").title_in(ZH)  # type: ignore[union-attr]
    assert [action for action in user.actions if not action.startswith("v:")][-1] == "w:goto:materials"

    await user.press("w:goto:materials")
    assert (await saved_guide(db_path)).step is Step.MATERIALS  # type: ignore[union-attr]
    assert "w:t:materials:id_card" in user.actions

    await user.say("要准备哪些材料去协商")  # already there: no button to go where the user is
    assert "w:goto:materials" not in user.actions
    assert user.actions[0] == "w:resume"


async def test_a_step_topic_opened_from_a_button_also_offers_the_jump(engine: Engine) -> None:
    user = Person(engine)
    await user.press("e:steps.materials")  # a clarify choice or a related-topic button
    assert "w:goto:materials" in user.actions


async def test_an_answer_about_no_step_has_no_jump(engine: Engine) -> None:
    user = Person(engine)
    await user.say("逾期了征信会受影响吗")
    assert not [action for action in user.actions if action.startswith("w:goto:")]


# -- redelivery and stale buttons ------------------------------------------------------------------------------


async def test_a_redelivered_tick_is_not_applied_twice(engine: Engine, db_path: Path) -> None:
    user = Person(engine)
    await user.press("w:goto:materials")
    first = await user.press("w:t:materials:id_card")
    assert (await saved_guide(db_path)).materials == ("id_card",)  # type: ignore[union-attr]

    again = await user.redeliver()
    assert (await saved_guide(db_path)).materials == ("id_card",)  # type: ignore[union-attr]  # not unticked
    assert again == first  # the current step, shown again


async def test_a_redelivered_typed_number_is_not_recorded_for_the_next_step(engine: Engine, db_path: Path) -> None:
    user = Person(engine)
    await user.command("guide")
    await user.tap("花呗")
    await user.say("15")
    await user.redeliver()
    state = await saved_guide(db_path)
    assert state is not None
    assert (state.step, state.days_typed, state.amount_typed) == (Step.AMOUNT, 15, None)


async def test_an_older_update_id_is_a_redelivery_too(engine: Engine, db_path: Path) -> None:
    user = Person(engine, first_update=100)
    await user.command("guide")
    await user.press("w:o:product:huabei")
    old = Incoming(1, Kind.PRESS, action="w:o:days:d1_7", update_id=50)
    assert (await engine.handle(old)).replies == []  # answered before the later update was handled: nothing to resend
    state = await saved_guide(db_path)
    assert state is not None
    assert (state.step, state.days) == (Step.DAYS, None)


async def test_a_redelivered_update_gets_the_replies_it_was_given_even_after_a_restart(
    engine: Engine, storage: Storage, db_path: Path
) -> None:
    user = Person(engine)
    await user.command("guide")
    first = await user.press("w:o:product:huabei")
    session = await storage.load_session(user.user_id)
    assert session is not None
    assert session.last_replies == tuple(reply.to_saved() for reply in first)
    restarted = Engine(engine.knowledge, storage)  # nothing remembered in memory: the replies come from the database
    assert (await restarted.handle(user.last_event)).replies == first  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("action", "stale"),
    [
        pytest.param("w:o:amount:k1_5", True, id="transport-saw-an-old-knowledge-version"),
        pytest.param("e:no.such.entry", False, id="entry-that-no-longer-exists"),
        pytest.param("zz:garbage", False, id="unknown-action"),
        pytest.param("l:klingon", False, id="unknown-language"),
    ],
)
async def test_a_stale_press_says_so_and_shows_where_the_user_is(
    engine: Engine, shipped: Knowledge, db_path: Path, action: str, stale: bool
) -> None:
    user = Person(engine)
    await user.command("guide")
    await user.tap("花呗")
    before = await saved_guide(db_path)
    assert before is not None

    expired, where = await user.press(action, stale=stale)
    assert expired.text == shipped.kb.text("menu_expired", ZH)
    assert [where] == dialogue.current_prompt(before, shipped.walkthrough, ZH)
    assert await saved_guide(db_path) == before


async def test_a_button_from_an_earlier_step_changes_nothing(engine: Engine, db_path: Path) -> None:
    user = Person(engine)
    await user.command("guide")
    await user.press("w:o:product:huabei")
    await user.press("w:o:product:jiebei")  # the product keyboard, pressed again after moving on
    state = await saved_guide(db_path)
    assert state is not None
    assert (state.step, state.product) == (Step.DAYS, "huabei")


async def test_a_garbled_saved_state_starts_afresh_instead_of_failing(
    engine: Engine, storage: Storage, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await storage.save_session(Session(user_id=1, state={"guide": {"version": 2, "step": "nowhere"}}))
    user = Person(engine)
    with caplog.at_level(logging.WARNING, logger="bot.engine"):
        await user.command("start")
    assert user.actions == ["g:start"]  # nothing to continue
    assert [record.getMessage() for record in caplog.records] == [
        "user 1: saved walkthrough progress: step: not one of the values allowed there; "
        "that part of their state starts afresh"
    ]
    await user.command("guide")
    await user.press("w:o:product:huabei")
    healed = await saved_guide(db_path)  # the next save writes a state of the current shape
    assert healed is not None
    assert (healed.step, healed.product) == (Step.DAYS, "huabei")


# -- privacy and language --------------------------------------------------------------------------------------


async def test_forget_erases_the_session_and_the_users_unanswered_questions(
    tmp_path: Path, storage: Storage, db_path: Path
) -> None:
    knowledge = small_knowledge(tmp_path / "kb")
    engine = Engine(knowledge, storage)
    user = Person(engine, user_id=1)
    other = Person(engine, user_id=2, first_update=1000)
    await user.command("language", "en")
    await user.command("guide")
    await user.press("w:o:product:huabei")
    await user.say("怎么做红烧肉")
    await other.say("股票怎么买")

    await user.command("forget")
    assert user.actions == ["f:yes", "f:no"]
    await user.press("f:no")
    assert await saved(db_path) is not None

    await user.press("f:yes")
    assert user.text == knowledge.kb.text("forgotten", Lang.EN)
    assert await saved(db_path) is None
    assert [row.question for row in await storage.unmatched_report()] == ["股票怎么买"]  # the other user's stays


async def test_privacy_offers_the_forget_button(engine: Engine) -> None:
    user = Person(engine)
    await user.command("privacy")
    assert user.actions == ["f:ask"]
    await user.press("f:ask")
    assert user.actions == ["f:yes", "f:no"]


async def test_a_chosen_language_is_remembered_over_the_clients(
    engine: Engine, shipped: Knowledge, db_path: Path
) -> None:
    user = Person(engine, client_lang="zh-hans")
    (done,) = await user.command("language", "en")
    assert done.text == shipped.kb.text("language_set", Lang.EN, language="English")
    assert (await saved(db_path)).lang == "en"  # type: ignore[union-attr]

    (greeting,) = await user.command("start")
    assert greeting.text == shipped.kb.text("greeting", Lang.EN)

    restarted = Person(Engine(shipped, engine.storage), client_lang="zh-hans", first_update=100)
    await restarted.say("逾期了征信会受影响吗")
    assert restarted.replies[0].title == shipped.kb.entry("impact.credit").title_in(Lang.EN)  # type: ignore[union-attr]


async def test_language_without_an_argument_shows_a_menu(engine: Engine, shipped: Knowledge) -> None:
    user = Person(engine)
    await user.command("language")
    assert user.actions == ["l:zh-hans", "l:zh-hant", "l:en"]
    await user.press("l:zh-hant")
    (greeting,) = await user.command("start")
    assert greeting.text == shipped.kb.text("greeting", Lang.ZH_HANT)


async def test_choosing_a_language_keeps_the_walkthrough(engine: Engine, db_path: Path) -> None:
    user = Person(engine)
    await user.command("guide")
    await user.press("w:o:product:huabei")
    await user.command("language", "en")
    state = await saved_guide(db_path)
    assert state is not None
    assert (state.step, state.product) == (Step.DAYS, "huabei")


async def test_the_language_typed_is_remembered_after_a_restart(
    engine: Engine, shipped: Knowledge, db_path: Path
) -> None:
    user = Person(engine, client_lang="en")  # Telegram in English
    await user.say("逾期了征信会受影响吗")
    await user.say("5000")  # tells nothing: kept
    session = await saved(db_path)
    assert session is not None
    assert (session.lang, session.typed_lang) == (None, "zh-hans")  # a language typed, not chosen

    restarted = Person(Engine(shipped, engine.storage), client_lang="en", first_update=100)
    (help_text,) = await restarted.command("help")
    assert help_text.text == shipped.kb.text("help", ZH)


async def test_a_language_typed_never_overrides_the_one_chosen(engine: Engine, shipped: Knowledge) -> None:
    user = Person(engine, client_lang="zh-hans")
    await user.command("language", "zh-hant")
    (answer,) = await user.say("Can being late affect my credit?")
    (help_text,) = await user.command("help")
    assert help_text.text == shipped.kb.text("help", Lang.ZH_HANT)
    assert detect(answer.text) is Written.TRADITIONAL  # the English question is answered in Traditional Chinese


# -- ordering and parallelism ----------------------------------------------------------------------------------


async def test_events_of_one_user_arriving_together_are_applied_in_order(engine: Engine, db_path: Path) -> None:
    """Arriving all at once, they take turns in the one lock layer (bot.locks, held by the transport per user)."""
    user = Person(engine)
    turns = KeyedLocks()

    async def in_turn(event: Incoming) -> list[Reply]:
        async with turns.hold(event.user_id):
            return (await engine.handle(event)).replies

    events = [
        user.event(Kind.COMMAND, command="guide"),
        user.event(Kind.PRESS, action="w:o:product:jiebei"),
        user.event(Kind.TEXT, text="45天"),
        user.event(Kind.PRESS, action="w:o:amount:k5_20"),
        user.event(Kind.PRESS, action="w:o:cause:emergency"),
        user.event(Kind.PRESS, action="w:t:materials:id_card"),
        user.event(Kind.PRESS, action="w:t:materials:expense_bills"),
        user.event(Kind.PRESS, action="w:t:materials:id_card"),  # unticked again
        user.event(Kind.PRESS, action="w:next:materials"),
        user.event(Kind.PRESS, action="w:o:channel:online"),
        user.event(Kind.PRESS, action="w:t:requests:instalments"),
        user.event(Kind.PRESS, action="w:t:requests:longer_term"),
        user.event(Kind.PRESS, action="w:next:requests"),
        user.event(Kind.TEXT, text="每月600元"),
        user.event(Kind.PRESS, action="w:next:contact"),
        user.event(Kind.PRESS, action="w:o:result:agreed"),
        user.event(Kind.TEXT, text="分12期，免违约金"),
        user.event(Kind.PRESS, action="w:next:repay"),
        user.event(Kind.PRESS, action="w:next:records"),
        user.event(Kind.PRESS, action="w:back:credit"),
        user.event(Kind.PRESS, action="w:next:records"),
        user.event(Kind.PRESS, action="w:next:credit"),
    ]
    assert len(events) == 22
    results = await asyncio.gather(*(in_turn(event) for event in events))

    stale = engine.knowledge.walkthrough.say("messages.stale", ZH)
    assert not [i for i, replies in enumerate(results) if any(stale in reply.text for reply in replies)]
    assert await saved_guide(db_path) == Progress(
        step=Step.DONE,
        product="jiebei",
        days="d31_90",
        days_typed=45,
        amount="k5_20",
        cause="emergency",
        materials=("expense_bills",),
        channel="online",
        requests=("longer_term", "instalments"),
        monthly_typed=600,
        result="agreed",
        terms="分12期，免违约金",
    )
    assert (await saved(db_path)).last_update_id == events[-1].update_id  # type: ignore[union-attr]


class GatedStorage(Storage):
    """Real storage whose session reads for one user wait at a gate, to see who gets through meanwhile."""

    gated_user: int | None = None
    gate: asyncio.Event | None = None
    arrived: asyncio.Event | None = None  # set once the gated user's read is waiting

    async def load_session(self, user_id: int) -> Session | None:
        if user_id == self.gated_user and self.gate is not None and self.arrived is not None:
            self.arrived.set()
            await self.gate.wait()
        return await super().load_session(user_id)


async def test_a_stuck_user_does_not_hold_up_another(shipped: Knowledge, db_path: Path) -> None:
    async with await GatedStorage.open(db_path) as storage:
        storage.gated_user, storage.gate, storage.arrived = 1, asyncio.Event(), asyncio.Event()
        engine = Engine(shipped, storage)
        slow = Person(engine, user_id=1)
        first = asyncio.create_task(slow.send(slow.event(Kind.COMMAND, command="guide")))
        await asyncio.wait_for(storage.arrived.wait(), timeout=5)  # user 1 is inside the engine, stuck
        with pytest.raises(TurnError):  # the caller's bug: user 1's next event must wait for its turn (bot.locks)
            await slow.press("w:o:product:huabei")

        fast = Person(engine, user_id=2, first_update=100)
        (answer,) = await asyncio.wait_for(fast.say("逾期了征信会受影响吗"), timeout=5)
        assert answer.title == shipped.kb.entry("impact.credit").title_in(ZH)  # type: ignore[union-attr]
        assert not first.done()

        storage.gate.set()
        await asyncio.wait_for(first, timeout=5)
        await slow.press("w:o:product:huabei")  # its turn now
    state = await saved_guide(db_path, user_id=1)
    assert state is not None
    assert (state.step, state.product) == (Step.DAYS, "huabei")


# -- reloading the knowledge -------------------------------------------------------------------------------------


async def test_reload_with_a_broken_folder_keeps_the_old_knowledge(tmp_path: Path, storage: Storage) -> None:
    folder = write_runnable_kb(tmp_path / "knowledge")
    engine = Engine(Knowledge.load(folder), storage, directory=folder)
    old = engine.knowledge
    impact = folder / "entries" / "main.yaml"
    original = impact.read_text(encoding="utf-8")

    impact.write_text("entries: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"entries/main\.yaml:\d+") as refused:
        await engine.reload()
    with pytest.raises(KnowledgeError) as here:
        load_knowledge(folder)
    assert refused.value.problems == here.value.problems  # built in a child process, reported as a load here
    assert engine.knowledge is old
    user = Person(engine)
    await user.say("逾期了征信会受影响吗")
    assert user.replies[0].title == old.kb.entry("impact.credit").title_in(ZH)  # type: ignore[union-attr]

    impact.write_text(original.replace("标题 impact.credit", "新标题 impact.credit"), encoding="utf-8")
    fresh = await engine.reload()
    assert engine.knowledge is fresh is not old
    await user.say("逾期了征信会受影响吗")
    assert user.replies[0].title == "新标题 impact.credit"


async def test_reload_without_a_folder_keeps_what_it_has(shipped: Knowledge, storage: Storage) -> None:
    engine = Engine(shipped, storage)
    assert await engine.reload() is shipped


@dataclass(frozen=True)
class ShippedReload:
    """One /reload of a copy of the shipped knowledge, with a load in the test's own process forbidden meanwhile."""

    here: Knowledge  # what a load in this process builds, before the reload
    fresh: Knowledge  # what the reload returned
    swapped: bool  # whether the engine held `fresh` afterwards
    ticks: int  # how often a 5 ms timer on the event loop fired during the reload
    took: float  # seconds the reload took


@pytest.fixture(scope="module")
def shipped_reload(tmp_path_factory: pytest.TempPathFactory) -> ShippedReload:
    """The reload both tests below look at: a build of the whole shipped base in a child process is seconds of CPU,
    so it is done once for the module (in a loop of its own) and each test checks its side of it."""
    root = tmp_path_factory.mktemp("shipped-reload")
    folder = root / "knowledge"
    shutil.copytree(SHIPPED, folder)
    here = Knowledge.load(folder)

    def built_here(cls: type[Knowledge], directory: Path, config: MatcherConfig | None = None) -> Knowledge:
        raise AssertionError("the reload built the knowledge in the bot's own process")

    async def reload() -> ShippedReload:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        async with await Storage.open(root / "advisor.sqlite3") as storage:
            engine = Engine(here, storage, directory=folder)
            ticker = asyncio.create_task(tick())
            started = asyncio.get_running_loop().time()
            fresh = await engine.reload()
            took = asyncio.get_running_loop().time() - started
            ticker.cancel()
            return ShippedReload(here, fresh, engine.knowledge is fresh, ticks, took)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Knowledge, "load", classmethod(built_here))  # this process only; a child has its own
        return asyncio.run(reload())


def test_reload_builds_in_another_process_what_a_load_here_builds(shipped_reload: ShippedReload) -> None:
    here, fresh = shipped_reload.here, shipped_reload.fresh
    assert shipped_reload.swapped
    assert fresh is not here
    assert fresh.kb.version == here.kb.version
    assert fresh.kb.entries == here.kb.entries
    assert fresh.kb.texts == here.kb.texts
    assert (fresh.walkthrough, fresh.plan) == (here.walkthrough, here.plan)
    assert fresh.matcher.learned is here.matcher.learned  # one copy of the shipped model's weights, not two
    examples = [example for entry in here.kb.entries for example in entry.examples]
    assert [fresh.matcher.match(e) for e in examples] == [here.matcher.match(e) for e in examples]


def test_reload_builds_off_the_event_loop(shipped_reload: ShippedReload) -> None:
    ticks, took = shipped_reload.ticks, shipped_reload.took
    # On the event loop the build would allow no tick at all until it ended; in a child process the loop goes on.
    assert ticks >= min(10, took / 0.005 / 4), (ticks, took)


class _Node:
    def __init__(self, *children: object) -> None:
        self.children = list(children)


def test_take_apart_frees_what_only_it_holds_and_leaves_the_rest_as_it_was() -> None:
    kept_child = _Node()
    kept = _Node(kept_child, "kept")  # someone else still holds this one
    leaves = [_Node() for _ in range(3)]
    inner = _Node(*leaves, kept, (leaves[0], {"kept": kept}))
    root = _Node(inner, [inner, _Node()])
    freed = [weakref.ref(node) for node in (root, inner, *leaves)]
    pending: list[object] = [root]
    del root, inner, leaves

    take_apart(pending)

    assert pending == []
    assert [ref() for ref in freed] == [None] * len(freed)
    assert kept.children == [kept_child, "kept"]  # untouched, still whole


async def test_reload_frees_the_knowledge_it_replaced(tmp_path: Path, storage: Storage) -> None:
    folder = write_runnable_kb(tmp_path / "knowledge")
    engine = Engine(build_elsewhere(folder, MatcherConfig()), storage, directory=folder)  # held by the engine alone
    replaced = weakref.ref(engine.knowledge)

    fresh = await engine.reload()

    assert replaced() is None
    assert engine.knowledge is fresh


# -- sessions saved by the first walkthrough -------------------------------------------------------------------


async def test_a_session_saved_before_the_contact_and_result_steps_still_loads(
    engine: Engine, shipped: Knowledge, storage: Storage, db_path: Path
) -> None:
    old = {
        "version": 1, "step": "demands", "product": "huabei", "days": "d8_30", "days_typed": 15, "amount": None,
        "amount_typed": None, "cause": "income_drop", "ticked": ["id_card"], "channel": "online",
        "demands": ["longer_term"], "agreement": None, "terms": None, "paused": True,
    }  # fmt: skip
    await storage.save_session(Session(user_id=1, state={"guide": old}))
    user = Person(engine)
    (resumed,) = await user.command("resume")
    upgraded = Progress(
        step=Step.REQUESTS, product="huabei", days="d8_30", days_typed=15, cause="income_drop",
        materials=("id_card",), channel="online", requests=("longer_term",),
    )  # fmt: skip
    assert resumed == dialogue.current_prompt(upgraded, shipped.walkthrough, ZH)[0]
    assert await saved_guide(db_path) == upgraded  # written back in the current version
    session = await saved(db_path)
    assert session is not None
    assert session.state is not None
    assert session.state["guide"]["version"] == 2


async def test_leave_the_walkthrough_is_asked_for_the_next_message_only(engine: Engine, storage: Storage) -> None:
    """A yes typed later, after a question in between, does not clear the walkthrough."""
    user = EngineUser(engine, 515)
    await user.says("/guide")
    await user.presses("w:o:product:huabei")
    await user.says("/cancel")
    await user.says("逾期了会怎么样")  # the question is closed by this message
    await user.says("好的")
    session = await storage.load_session(515)
    assert session is not None
    assert session.state is not None
    saved = from_saved(session.state[PROGRESS_KEY])
    assert saved is not None
    assert (saved.product, saved.leaving) == ("huabei", False)


async def test_the_reminder_offer_comes_with_the_first_after_care_screen_after_resume(
    engine: Engine, storage: Storage
) -> None:
    """Days after the terms were typed, /resume shows the first after-care screen with its reminder offer again."""
    agreed = Progress(step=Step.REPAY, product="jiebei", result="agreed", terms="每期800 共10期")
    await storage.save_session(Session(616, state={PROGRESS_KEY: agreed.to_saved()}))
    user = EngineUser(engine, 616)
    await user.says("/resume")
    assert "r:add" in user.actions
    assert "d:new" in user.actions
    await user.presses("w:next:repay")
    assert "r:add" not in user.actions  # the next screen has none
    await user.presses("w:back:records")
    assert "r:add" in user.actions


async def test_no_reminder_offer_without_agreed_terms(engine: Engine, storage: Storage) -> None:
    skipped = Progress(step=Step.REPAY, product="jiebei", result="agreed")
    await storage.save_session(Session(617, state={PROGRESS_KEY: skipped.to_saved()}))
    user = EngineUser(engine, 617)
    await user.says("/resume")
    assert "r:add" not in user.actions
