"""/plan through the engine: a real SQLite file, fixture knowledge (each plan text is its own key), restarts.

"Saved" always means read back through a second, independent Storage on the same file, the way the next process
would find it after a crash.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.advisor import Advisor
from bot.core.flow import Step
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.plan import Field, Inputs
from bot.core.planchat import PlanState
from bot.core.plantexts import load_plan_texts
from bot.core.progress import Progress, from_saved
from bot.core.walkthrough import load_walkthrough
from bot.engine import PLAN_KEY, PROGRESS_KEY, Engine, Knowledge
from bot.storage import Session, Storage
from tests.kbfactory import write_kb, write_plan_texts, write_walkthrough
from tests.test_engine import Person

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """kbfactory's four entries, walkthrough and plan texts; built once for the module (the bot shares one immutable
    Knowledge between all its users too)."""
    folder = tmp_path_factory.mktemp("kb")
    kb = load_knowledge(write_kb(folder), required_ids=())
    matcher = Matcher(kb)
    walkthrough = load_walkthrough(write_walkthrough(folder))
    plan = load_plan_texts(write_plan_texts(folder))
    return Knowledge(kb, matcher, Advisor(kb, matcher), walkthrough, plan)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "advisor.sqlite3"


@pytest.fixture
async def storage(db_path: Path) -> AsyncIterator[Storage]:
    async with await Storage.open(db_path) as storage:
        yield storage


@pytest.fixture
def user(knowledge: Knowledge, storage: Storage) -> Person:
    return Person(Engine(knowledge, storage))


async def saved_plan(db_path: Path, user_id: int = 1) -> PlanState | None:
    async with await Storage.open(db_path) as other:
        session = await other.load_session(user_id)
    if session is None or session.state is None:
        return None
    return PlanState.from_dict(session.state.get(PLAN_KEY))


async def saved_progress(db_path: Path, user_id: int = 1) -> Progress | None:
    async with await Storage.open(db_path) as other:
        session = await other.load_session(user_id)
    if session is None or session.state is None:
        return None
    return from_saved(session.state.get(PROGRESS_KEY))


async def test_a_whole_plan_in_five_answers(user: Person, db_path: Path) -> None:
    await user.command("plan")
    assert user.text == "messages.intro\nquestions.owed"
    for typed in ("3万1千", "8k", "五千", "500"):
        await user.say(typed)
    await user.tap("buttons.skip")

    [result] = user.replies
    assert result.title == "result.title"
    assert "verdicts.fits months=13" in result.text
    assert result.chart is not None
    assert sum(result.chart.instalments) == 31_000
    assert await saved_plan(db_path) == PlanState(None, Inputs(owed=31_000, income=8_000, spending=5_000, other=500))


async def test_the_answers_survive_a_restart(knowledge: Knowledge, storage: Storage, db_path: Path) -> None:
    user = Person(Engine(knowledge, storage))
    await user.command("plan")
    await user.say("3万")
    await user.say("8000")

    async with await Storage.open(db_path) as reopened:  # a new process on the same file
        again = Person(Engine(knowledge, reopened), first_update=user.next_update)
        await again.say("5000")
        assert again.text == "questions.other"

    assert await saved_plan(db_path) == PlanState(Field.OTHER, Inputs(owed=30_000, income=8_000, spending=5_000))


async def test_a_bad_amount_is_asked_again_and_loses_nothing(user: Person, db_path: Path) -> None:
    await user.command("plan")
    await user.say("3万")
    await user.say("-200")
    assert user.text == "problems.negative\n\nquestions.income"
    assert await saved_plan(db_path) == PlanState(Field.INCOME, Inputs(owed=30_000))


@pytest.mark.parametrize("typed", ["3000到4000", "三四千", "between 3000 and 4000"])
async def test_an_income_given_as_a_range_counts_its_low_end_and_says_so(
    user: Person, db_path: Path, typed: str
) -> None:
    await user.command("plan")
    await user.say("3万")
    await user.say(typed)
    assert user.text.startswith("messages.range_low")
    assert await saved_plan(db_path) == PlanState(Field.SPENDING, Inputs(owed=30_000, income=3_000))


async def test_the_amounts_typed_in_the_walkthrough_are_offered(
    knowledge: Knowledge, storage: Storage, db_path: Path
) -> None:
    walk = Progress(step=Step.CONTACT, product="huabei", amount_typed=30_000, monthly_typed=2_000)
    await storage.save_session(Session(user_id=1, state={PROGRESS_KEY: walk.to_saved()}))
    user = Person(Engine(knowledge, storage))

    await user.command("plan")
    assert user.replies[-1].text == "questions.owed_known amount=30,000"
    await user.tap("buttons.keep")
    assert user.text == "questions.income"
    for typed in ("8000", "5000", "0"):
        await user.say(typed)
    assert user.text == "questions.proposal_known amount=2,000"
    assert await saved_plan(db_path) == PlanState(
        Field.PROPOSAL, Inputs(owed=30_000, income=8_000, spending=5_000, other=0, proposal=2_000)
    )
    await user.tap("buttons.keep")
    assert "verdicts.fits months=15" in user.text

    async with await Storage.open(db_path) as other:
        session = await other.load_session(1)
    assert session is not None
    assert session.state is not None
    kept = from_saved(session.state[PROGRESS_KEY])  # the walkthrough is left as it was
    assert kept is not None
    assert (kept.step, kept.product, kept.amount_typed, kept.monthly_typed) == (Step.CONTACT, "huabei", 30_000, 2_000)


async def test_the_walkthrough_meanwhile_takes_typed_numbers_and_the_plan_waits(user: Person, db_path: Path) -> None:
    await user.command("plan")
    await user.say("3万")
    await user.command("guide")
    await user.press("w:o:product:huabei")
    await user.say("15")  # the days overdue, not the income

    walk = await saved_progress(db_path)
    assert walk is not None
    assert walk.days_typed == 15
    assert await saved_plan(db_path) == PlanState(Field.INCOME, Inputs(owed=30_000), paused=True)

    await user.command("plan")  # back to the calculation, where it stopped
    assert user.text == "messages.resumed\n\nquestions.income"
    await user.say("8000")
    assert await saved_plan(db_path) == PlanState(Field.SPENDING, Inputs(owed=30_000, income=8_000))


async def test_a_side_question_is_answered_with_a_way_back(user: Person, db_path: Path) -> None:
    await user.command("plan")
    await user.say("3万")
    await user.say("逾期了征信会受影响吗")

    assert user.replies[0].title == "标题 impact.credit"
    assert user.actions[0] == "p:resume"
    assert await saved_plan(db_path) == PlanState(Field.INCOME, Inputs(owed=30_000))
    await user.press("p:resume")
    assert user.text == "questions.income"


async def test_cancel_stops_the_plan_and_leaves_the_walkthrough(
    knowledge: Knowledge, storage: Storage, db_path: Path
) -> None:
    walk = Progress(step=Step.CAUSE)
    await storage.save_session(Session(user_id=1, state={PROGRESS_KEY: walk.to_saved()}))
    user = Person(Engine(knowledge, storage))
    await user.command("plan")
    await user.say("3万")

    await user.command("cancel")

    assert user.text == "messages.stopped"
    assert await saved_plan(db_path) is None
    async with await Storage.open(db_path) as other:
        session = await other.load_session(1)
    assert session is not None
    assert session.state == {PROGRESS_KEY: walk.to_saved()}


async def test_forget_erases_the_plan(user: Person, db_path: Path) -> None:
    await user.command("plan")
    await user.say("3万")
    await user.command("forget")
    await user.press("f:yes")
    async with await Storage.open(db_path) as other:
        assert await other.load_session(1) is None


async def test_a_redelivered_update_shows_the_open_question(user: Person, db_path: Path) -> None:
    await user.command("plan")
    await user.say("3万")
    await user.redeliver()
    assert user.text == "questions.income"
    assert await saved_plan(db_path) == PlanState(Field.INCOME, Inputs(owed=30_000))


async def test_a_plan_does_not_record_words_of_crisis(storage: Storage, db_path: Path) -> None:
    shipped = Knowledge.load(SHIPPED)
    user = Person(Engine(shipped, storage))
    await user.command("plan")
    await user.say("活不下去了")
    assert user.text.startswith(shipped.advisor.crisis_text(Lang.ZH_HANS))
    assert await saved_plan(db_path) == PlanState(Field.OWED, Inputs(), paused=True)  # kept, and waits


async def test_without_plan_texts_plan_is_an_unknown_command(knowledge: Knowledge, storage: Storage) -> None:
    bare = Knowledge(knowledge.kb, knowledge.matcher, knowledge.advisor, knowledge.walkthrough)
    user = Person(Engine(bare, storage))
    await user.command("plan")
    assert user.replies[0].text == "unknown_command 文本"


async def test_a_plan_alone_is_not_counted_as_a_walkthrough_in_progress(user: Person, storage: Storage) -> None:
    await user.command("plan")
    await user.say("3万")
    assert (await storage.stats()).active_walkthroughs == 0
    await user.command("guide")
    assert (await storage.stats()).active_walkthroughs == 1
