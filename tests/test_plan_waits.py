"""An unfinished /plan waits while the user is elsewhere: another tool (/log, /reminders, /export), the walkthrough
or the crisis reply. Its number hint does not show there, and an amount typed later is not silently taken as its
answer: the tool that asked gets it, or, if none asks, the user is offered to go back to the calculation (fixture
knowledge: each plan text is its own key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.actions import Diary, PlanPress, PlanVerb
from bot.core.plan import Field, Inputs
from bot.core.planchat import PlanState
from bot.engine import Engine, Kind, Knowledge
from bot.storage import Storage
from tests.test_engine import Person
from tests.test_plan_engine import db_path, knowledge, saved_plan, storage  # noqa: F401 (fixtures)

LEFT_OPEN = "messages.left_open"
RESUME = PlanPress(PlanVerb.RESUME).pack()


@pytest.fixture
def user(knowledge: Knowledge, storage: Storage) -> Person:  # noqa: F811 (the fixture imported above)
    return Person(Engine(knowledge, storage))


async def expects_number(user: Person, kind: Kind, **fields: str) -> bool:
    """Send one event; whether the engine then takes a typed number as an answer (the terminal's hint)."""
    response = await user.engine.handle(user.event(kind, **fields))
    user.replies = response.replies
    return response.expects_number


@pytest.mark.parametrize("tool", ["log", "reminders", "export"])
async def test_another_tool_leaves_the_plan_waiting_and_a_later_amount_is_not_its_answer(
    user: Person,
    db_path: Path,  # noqa: F811
    tool: str,
) -> None:
    assert await expects_number(user, Kind.COMMAND, command="plan")
    assert not await expects_number(user, Kind.COMMAND, command=tool)  # no "a number is your answer" hint here
    if tool == "log":
        await user.press(Diary("stop").pack())
    await user.say("5万")
    assert user.text == LEFT_OPEN
    assert RESUME in user.actions
    assert await saved_plan(db_path) == PlanState(Field.OWED, Inputs(), paused=True)  # nothing taken

    await user.press(RESUME)  # back to the question: now the amount is its answer
    assert user.text == "questions.owed"
    await user.say("5万")
    assert await saved_plan(db_path) == PlanState(Field.INCOME, Inputs(owed=50_000))


async def test_a_number_typed_where_the_diary_asks_goes_to_the_diary(user: Person, db_path: Path) -> None:  # noqa: F811
    await user.command("plan")
    await user.command("log")
    await user.press(Diary("day", "0").pack())
    await user.press(Diary("ch", "phone").pack())
    assert not await expects_number(user, Kind.TEXT, text="8842")  # who: the diary's free text, not the plan's
    assert user.text.startswith("diary_ask_said")
    assert await saved_plan(db_path) == PlanState(Field.OWED, Inputs(), paused=True)


async def test_after_the_crisis_reply_a_number_is_not_taken_as_the_plans_answer(
    user: Person,
    db_path: Path,  # noqa: F811
) -> None:
    await user.command("plan")
    assert not await expects_number(user, Kind.TEXT, text="我不想活了")
    assert LEFT_OPEN not in user.text
    assert RESUME not in user.actions  # no "back to the plan" under the crisis reply
    await user.say("3000")
    assert user.text == LEFT_OPEN
    assert await saved_plan(db_path) == PlanState(Field.OWED, Inputs(), paused=True)


async def test_plan_again_goes_on_where_it_waited(user: Person, db_path: Path) -> None:  # noqa: F811
    await user.command("plan")
    await user.say("3万")
    await user.command("reminders")
    await user.command("plan")
    assert user.text == "messages.resumed\n\nquestions.income"
    await user.say("8000")
    assert await saved_plan(db_path) == PlanState(Field.SPENDING, Inputs(owed=30_000, income=8_000))


async def test_words_that_are_no_amount_are_answered_as_ever_while_the_plan_waits(user: Person) -> None:
    await user.command("plan")
    await user.command("reminders")
    await user.say("没有")  # reads as 0 for a question that asks; here it asks nothing
    assert LEFT_OPEN not in user.text
    await user.say("5万能协商吗")
    assert LEFT_OPEN not in user.text
