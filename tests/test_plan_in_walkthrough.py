"""The /plan calculator at the walkthrough's monthly step: started with the amount owed, its result taken back with
one tap, the walkthrough going on where it was — across restarts (a real SQLite file, fixture knowledge)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.core.advisor import Advisor
from bot.core.dialogue import Step, from_saved
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.planchat import PlanState
from bot.core.plantexts import load_plan_texts
from bot.core.walkthrough import load_walkthrough
from bot.engine import PLAN_KEY, PROGRESS_KEY, Engine, Incoming, Kind, Knowledge
from bot.storage import Storage
from tests.kbfactory import write_kb, write_plan_texts, write_walkthrough
from tests.transcript import EngineUser


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """Built once for the module: the bot shares one immutable Knowledge between all its users too."""
    folder = tmp_path_factory.mktemp("kb")
    kb = load_knowledge(write_kb(folder), required_ids=())
    matcher = Matcher(kb)
    walkthrough = load_walkthrough(write_walkthrough(folder))
    plan = load_plan_texts(write_plan_texts(folder))
    return Knowledge(kb, matcher, Advisor(kb, matcher), walkthrough, plan)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "advisor.sqlite3"


async def saved(db_path: Path) -> Mapping[str, Any]:
    """The session as the next process finds it."""
    async with await Storage.open(db_path) as other:
        session = await other.load_session(1)
    assert session is not None
    assert session.state is not None
    return session.state


@asynccontextmanager
async def restarted(knowledge: Knowledge, db_path: Path, seen: EngineUser) -> AsyncIterator[EngineUser]:
    """A new engine on the same file, with the user looking at the same message as before."""
    async with await Storage.open(db_path) as storage:
        user = EngineUser(Engine(knowledge, storage), 1)
        user.replies = seen.replies
        yield user


async def walk_to_monthly(user: EngineUser, owed: str = "30000") -> None:
    await user.says("/guide")
    await user.presses("w:o:product:huabei")
    await user.says("20")  # days
    await user.says(owed)  # the amount owed, typed
    await user.presses("w:skip:cause")
    await user.presses("w:next:materials")
    await user.presses("w:skip:channel")
    await user.presses("w:next:requests")


async def test_the_calculator_works_out_the_monthly_amount_and_the_walkthrough_goes_on(
    knowledge: Knowledge, db_path: Path
) -> None:
    async with await Storage.open(db_path) as storage:
        user = EngineUser(Engine(knowledge, storage), 1)
        await walk_to_monthly(user)
        assert "‹steps.monthly.prompt›" in user.text
        await user.presses("w:calc:monthly")
    # the calculator asks, with the amount owed from the walkthrough to keep
    assert "questions.owed_known amount=30,000" in user.text
    assert "p:keep:owed" in user.actions

    async with restarted(knowledge, db_path, user) as after_restart:
        await after_restart.presses("p:keep:owed")
        await after_restart.says("8000")  # income
        await after_restart.says("5000")  # essential spending
        await after_restart.says("500")  # other debts
        await after_restart.presses("p:skip:proposal")
        user = after_restart
    # 8000 - 5000 - 500 = 2500 a month: offered back to the walkthrough in one tap, or just back to it
    assert "w:use:monthly:2500" in user.actions
    assert "w:resume" in user.actions
    walk = from_saved((await saved(db_path))[PROGRESS_KEY])
    assert walk is not None
    assert (walk.step, walk.monthly_typed) == (Step.MONTHLY, None)  # nothing taken before the tap

    async with restarted(knowledge, db_path, user) as after_restart:
        await after_restart.presses("w:use:monthly:2500")
        user = after_restart
    assert "‹steps.contact.prompt" in user.text
    assert "‹script.monthly n=2500›" in user.text  # in the opening script
    state = await saved(db_path)
    walk = from_saved(state[PROGRESS_KEY])
    assert walk is not None
    assert (walk.step, walk.monthly_typed) == (Step.CONTACT, 2500)
    plan = PlanState.from_dict(state[PLAN_KEY])
    assert plan is not None
    assert plan.asking is None  # the calculation is kept for /export and another /plan


async def test_the_calculator_is_offered_only_at_the_monthly_step(knowledge: Knowledge, db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        user = EngineUser(Engine(knowledge, storage), 1)
        await user.says("/guide")
        assert not any(action.startswith("w:calc") for action in user.actions)
        await walk_to_monthly(user)
        assert "w:calc:monthly" in user.actions
        await user.presses("w:back:monthly")
        before = await saved(db_path)
        await user.engine.handle(
            Incoming(1, Kind.PRESS, action="w:calc:monthly")
        )  # an old button, at another step: nothing starts
        assert (await saved(db_path)).get(PLAN_KEY) == before.get(PLAN_KEY)


async def test_a_result_that_cannot_work_out_an_amount_offers_only_the_way_back(
    knowledge: Knowledge, db_path: Path
) -> None:
    async with await Storage.open(db_path) as storage:
        user = EngineUser(Engine(knowledge, storage), 1)
        await walk_to_monthly(user)
        await user.presses("w:calc:monthly")
        await user.presses("p:keep:owed")
        for question in ("income", "spending", "other", "proposal"):  # nothing to compute a surplus from
            await user.presses(f"p:skip:{question}")
    assert "w:resume" in user.actions
    assert not any(action.startswith("w:use:") for action in user.actions)


async def test_a_monthly_amount_above_the_users_plan_surplus_is_warned_about_as_plan_would(
    knowledge: Knowledge, db_path: Path
) -> None:
    async with await Storage.open(db_path) as storage:
        user = EngineUser(Engine(knowledge, storage), 1)
        await user.says("/plan")
        for typed in ("30000", "5000", "4000", "0"):  # owed, income, spending, other debts: 1,000 left a month
            await user.says(typed)
        await user.presses("p:skip:proposal")
        await walk_to_monthly(user)
        await user.says("3000")
        assert "verdicts.too_high proposal=3,000 surplus=1,000" in user.text
        assert "verdicts.instead amount=1,000" in user.text
        assert "‹steps.contact.prompt" in user.replies[-1].text  # the warning comes before the next screen
        chosen = from_saved((await saved(db_path))[PROGRESS_KEY])
        assert chosen is not None
        assert chosen.monthly_typed == 3000  # the user's choice stands
        await user.presses("w:back:contact")
        await user.says("800")  # within the surplus: nothing to warn about
        assert "verdicts.too_high" not in user.text
        chosen = from_saved((await saved(db_path))[PROGRESS_KEY])
        assert chosen is not None
        assert chosen.monthly_typed == 800


async def test_without_plan_numbers_a_monthly_amount_is_not_checked(knowledge: Knowledge, db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        user = EngineUser(Engine(knowledge, storage), 1)
        await walk_to_monthly(user)
        await user.says("3000")
    assert "verdicts" not in user.text


async def test_a_plan_worked_out_after_the_monthly_step_can_replace_the_amount_given_there(
    knowledge: Knowledge, db_path: Path
) -> None:
    async with await Storage.open(db_path) as storage:
        user = EngineUser(Engine(knowledge, storage), 1)
        await walk_to_monthly(user)
        await user.says("3000")
        await user.presses("w:next:contact")  # on to the result question, the amount of 3000 in the script
        await user.says("/plan")  # the amount owed and the proposal come from the walkthrough: kept
        await user.presses("p:keep:owed")
        for typed in ("5000", "4000", "0"):  # income, spending, other debts: 1,000 left a month
            await user.says(typed)
        await user.presses("p:keep:proposal")
        assert "w:use:monthly:1000" in user.actions  # what /plan recommends, offered to the walkthrough
        await user.presses("w:use:monthly:1000")
        assert "‹steps.result.prompt›" in user.replies[-1].text  # still where the user was
    progress = from_saved((await saved(db_path))[PROGRESS_KEY])
    assert progress is not None
    assert (progress.step, progress.monthly_typed) == (Step.RESULT, 1000)
