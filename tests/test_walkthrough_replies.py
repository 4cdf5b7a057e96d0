"""Replies typed during the walkthrough — ready, done, yes, an amount, a job, a material, a channel, "what do I say to
customer service" — are taken as what they are, not as a crisis or a scam.

Two parts. The rule (`Screen(answer=True)`, asked by the engine for a message that answers the step in front of the
user): with a hand-made crisis model (`TINY`, put in place of the shipped one) and fixture knowledge, so that it holds
whatever the shipped model's scores are. Then the shipped screen (phrases and learned models) through the engine with
the shipped walkthrough: the kinds of replies a tester saw screened, and others of their kind, at the step where a
user types them, in zh-hans, zh-hant and English.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.core.advisor import SCAM_ENTRY, Advisor
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.progress import from_saved
from bot.core.safety import Concern, Screen
from bot.core.safetymodel import Linear, SafetyModel
from bot.core.walkthrough import load_walkthrough
from bot.engine import PROGRESS_KEY, Engine, Knowledge
from bot.storage import Storage
from tests.kbfactory import TEXT_KEYS, default_entries, entry, write_kb, write_walkthrough
from tests.transcript import SHIPPED, EngineUser

ZH, HANT, EN = Lang.ZH_HANS, Lang.ZH_HANT, Lang.EN
#: Hears 单少 faintly (0.5: between its thresholds 0 and 1) and 星星 clearly (2.0), as tests/test_soft_crisis.py's.
TINY = SafetyModel({"crisis": Linear({"单少": 2.5, "星星": 4.0}, -2.0, 0.0, 1.0)}, ())
#: Every crisis and scam text marked, so a test sees which was shown (the fixture's other texts name their keys).
MARKED = {
    "crisis": "‹crisis›",
    "crisis_again": "‹crisis again›",
    "crisis_mainland": "‹mainland line›",
    "crisis_taiwan": "‹taiwan line›",
    "crisis_hongkong": "‹hongkong line›",
    "crisis_elsewhere": "‹elsewhere›",
    "crisis_soft": "‹soft {hotline}›",
    "crisis_checkin": "‹checkin {hotline}›",
}
SCAM_EXAMPLES = [
    "代理协商要收钱正常吗", "停息挂账的中介可信不", "征信修复公司靠谱吗", "客服要我的验证码能给吗",
    "有人自称客服让我转账", "找中介替我协商好不好", "交钱就能洗白逾期吗", "网上查到的协商电话能信吗",
]  # fmt: skip


def knowledge_folder(root: Path) -> Path:
    """Fixture knowledge with the crisis texts marked and a scam card to show."""
    texts = {key: {"zh-hans": f"{key} 文本", "en": f"{key} text"} for key in TEXT_KEYS}
    texts.update({key: {"zh-hans": value, "en": f"en {value}"} for key, value in MARKED.items()})
    entries = [*default_entries(), entry(SCAM_ENTRY, SCAM_EXAMPLES, keywords=["中介", "骗"])]
    return write_kb(root, entries, **{"texts.yaml": yaml.safe_dump({"texts": texts}, allow_unicode=True)})


async def walked_to(user: EngineUser, step: str) -> None:
    """/guide, then skip each screen until `step` is on screen (at the result step, "agreed" leads to the terms)."""
    await user.says("/guide")
    for _ in range(20):
        if any(action.split(":")[2:3] == [step] for action in user.actions if action.startswith("w:")):
            return
        if step == "terms" and "w:o:result:agreed" in user.actions:
            await user.presses("w:o:result:agreed")
            continue
        await user.presses(next(a for a in user.actions if a.startswith(("w:skip:", "w:next:"))))
    raise AssertionError(f"{step} not reached; on screen: {user.actions}")


def screened(user: EngineUser) -> list[str]:
    """What in the user's last replies is the safety screen's: the crisis reply, the soft line, a check-in, the scam
    card."""
    card = user.engine.knowledge.kb.entry(SCAM_ENTRY)
    assert card is not None
    found = [r.text for r in user.replies if r.text.startswith(("‹crisis", "‹soft", "‹checkin", "en ‹"))]
    return found + [r.title for r in user.replies if r.title == card.title_in(user.lang)]


# --- the rule, with a hand-made model ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "answer", "concern"),
    [
        pytest.param("单少了", False, Concern.CRISIS_SOFT, id="a-faint-hit-anywhere-else-is-soft"),
        pytest.param("单少了", True, None, id="a-faint-hit-on-an-answer-is-not-heard"),
        pytest.param("单少了 看星星", True, Concern.CRISIS, id="a-clear-hit-on-an-answer-still-counts"),
        pytest.param("单少了 不想活了", True, Concern.CRISIS, id="a-phrase-on-an-answer-still-counts"),
        pytest.param("单少了 找征信修复公司", True, Concern.SCAM, id="the-scam-screen-is-still-asked"),
    ],
)
def test_an_answer_is_not_given_the_soft_tier(text: str, answer: bool, concern: Concern | None) -> None:
    assert Screen(learned=TINY)(text, answer=answer).concern is concern


@pytest.fixture
async def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Engine]:
    monkeypatch.setattr("bot.core.safety.shipped_model", lambda: TINY)
    kb = load_knowledge(knowledge_folder(tmp_path / "kb"), required_ids=())
    matcher = Matcher(kb)
    walkthrough = load_walkthrough(write_walkthrough(tmp_path / "walk"))
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        yield Engine(Knowledge(kb, matcher, Advisor(kb, matcher), walkthrough), storage)


async def saved_cause(tmp_path: Path, user_id: int) -> str | None:
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        session = await storage.load_session(user_id)
    assert session is not None
    assert session.state is not None
    progress = from_saved(session.state.get(PROGRESS_KEY))
    assert progress is not None
    return progress.cause


async def test_the_same_words_asked_outside_the_walkthrough_still_get_the_soft_tier(engine: Engine) -> None:
    user = EngineUser(engine, 2)
    await user.says("逾期了征信会受影响吗 单少了")  # a question the fixture answers, heard faintly
    assert user.replies[-1].text == "‹soft ‹mainland line›\n‹elsewhere››"


async def test_a_text_that_is_no_answer_to_the_step_keeps_the_soft_tier(engine: Engine) -> None:
    user = EngineUser(engine, 3)
    await walked_to(user, "channel")  # 单少 names no channel
    await user.says("逾期了征信会受影响吗 单少了")
    assert user.replies[-1].text == "‹soft ‹mainland line›\n‹elsewhere››"


async def test_a_clear_hit_on_an_answer_gets_the_crisis_reply(engine: Engine) -> None:
    user = EngineUser(engine, 4)
    await walked_to(user, "cause")
    await user.says("单少了 今晚想去看星星")
    assert user.text.startswith("‹crisis›")


async def test_after_a_crisis_reply_an_answer_is_heard_in_full(engine: Engine, tmp_path: Path) -> None:
    """Within the messages that follow a crisis reply, nothing the model hears is explained away as an answer."""
    user = EngineUser(engine, 5)
    await walked_to(user, "cause")
    await user.says("我不想活了")
    assert user.text.startswith("‹crisis›")
    await user.says("单少了")
    # recorded as the answer, with the caring line
    assert user.replies[-1].text == "‹soft ‹mainland line›\n‹elsewhere››"
    assert await saved_cause(tmp_path, 5) == "income_drop"


# --- the shipped screen, through the engine with the shipped walkthrough -----------------------------------------

REPLIES = [
    # ready / done, at the checklist that asks what is ready and at the contact step
    ("materials", "身份证和流水都准备好了", ZH),
    ("materials", "我准备好了", ZH),
    ("materials", "準備好了", HANT),
    ("materials", "I am ready", EN),
    ("materials", "工资证明还没开", ZH),
    ("materials", "I don't have a payslip", EN),
    ("contact", "我准备好了", ZH),
    ("contact", "我打完电话了", ZH),
    # jobs and causes
    ("cause", "I'm a delivery rider", EN),
    ("cause", "我是外卖员", ZH),
    ("cause", "我係送外賣嘅", HANT),
    ("cause", "家里人生病了", ZH),
    ("cause", "生意不好", ZH),
    # requests
    ("requests", "我想延期", ZH),
    ("requests", "我想申請延期", HANT),
    ("requests", "I want an extension", EN),
    # amounts and days
    ("amount", "大概4万", ZH),
    ("amount", "欠了4万", ZH),
    ("amount", "欠了三万多", ZH),
    ("amount", "大概两万", ZH),
    ("amount", "about 5000 yuan", EN),
    ("days", "逾期20天了", ZH),
    ("monthly", "每个月能还800", ZH),
    # channels, and the opening words asked for
    ("channel", "我想打电话", ZH),
    ("channel", "I'll call", EN),
    ("contact", "给我一段话术", ZH),
    ("contact", "给我一段和客服说的开场白", ZH),
    ("contact", "怎么跟客服说", ZH),
    ("contact", "點樣同客服講", HANT),
    ("contact", "what should I say to customer service", EN),
    # results
    ("result", "they said no", EN),
    ("result", "被拒绝了", ZH),
    # yes and no
    ("product", "是的", ZH),
    ("product", "yes", EN),
]


@pytest.fixture(scope="module")
def shipped_walkthrough(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    kb = load_knowledge(knowledge_folder(tmp_path_factory.mktemp("kb")), required_ids=())
    matcher = Matcher(kb)
    return Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(SHIPPED / "walkthrough.yaml"))


@pytest.mark.parametrize(("step", "text", "lang"), [pytest.param(*r, id=f"{r[0]}-{r[1]}") for r in REPLIES])
async def test_a_walkthrough_reply_is_not_screened(
    shipped_walkthrough: Knowledge, tmp_path: Path, step: str, text: str, lang: Lang
) -> None:
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        user = EngineUser(Engine(shipped_walkthrough, storage), 1, lang)
        await walked_to(user, step)
        await user.says(text)
    assert screened(user) == []


def test_the_crisis_phrases_still_count_at_every_kind_of_step() -> None:
    """The same screen, told the message answers the step, still hears a crisis said in words."""
    screen = Screen()
    for text in ("欠了三万多，我不想活了", "身份证和遗书都准备好了", "I took 20 pills, 500 a month"):
        assert screen(text, answer=True).concern is Concern.CRISIS, text
