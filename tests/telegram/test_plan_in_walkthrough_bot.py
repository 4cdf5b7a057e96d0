"""The /plan calculator at the walkthrough's monthly step, end to end in Telegram: real PTB over HTTP against the fake
Bot API, a real SQLite file, fixture knowledge (every text named by its key, so nothing here depends on wording)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.dialogue import Step, from_saved
from bot.core.planchat import PlanState
from bot.engine import PLAN_KEY, PROGRESS_KEY
from bot.storage import Storage
from tests.kbfactory import write_runnable_kb
from tests.telegram.conftest import Person, Seen, Setup, StartBot


def action(data: str) -> str:
    """The engine's action in a button's callback data (which starts with the knowledge version, then "|")."""
    _version, _, engine_action = data.partition("|")
    return engine_action


def actions(answers: list[Seen]) -> set[str]:
    return {action(data) for answer in answers for _, data in answer.buttons}


async def taps(user: Person, wanted: str, message_id: int | None = None) -> list[Seen]:
    """Press the button for the engine action `wanted` on the newest message that has one (or on `message_id`)."""
    for record in reversed(user.fake.sent_messages(user.chat_id)):
        if message_id is not None and record["message_id"] != message_id:
            continue
        for row in (record["reply_markup"] or {}).get("inline_keyboard", []):
            for button in row:
                if action(button.get("callback_data", "")) == wanted:
                    return await user.presses_data(button["callback_data"], record["message_id"])
    raise LookupError(f"no button for {wanted!r} in chat {user.chat_id}")


async def saved(setup: Setup, user: Person) -> Mapping[str, Any]:
    async with await Storage.open(setup.database) as storage:
        session = await storage.load_session(user.user_id)
    assert session is not None
    assert session.state is not None
    return session.state


async def test_the_calculator_result_is_taken_into_the_walkthrough_with_one_tap(
    setup: Setup, start_bot: StartBot
) -> None:
    setup.knowledge = write_runnable_kb(setup.tmp_path / "knowledge")
    async with start_bot() as advisor:
        user = Person(advisor, 4301)
        await user.says("/guide")
        await taps(user, "w:o:product:huabei")
        await user.says("20")  # days overdue
        await user.says("30000")  # the amount owed
        await taps(user, "w:skip:cause")
        await taps(user, "w:next:materials")
        await taps(user, "w:skip:channel")
        monthly = await taps(user, "w:next:requests")
        assert "w:calc:monthly" in actions(monthly)

        asked = await taps(user, "w:calc:monthly")
        assert "p:keep:owed" in actions(asked)  # the amount owed from the walkthrough, offered to keep
        await taps(user, "p:keep:owed")
        await user.says("8000")  # income
        await user.says("5000")  # essential spending
        await user.says("500")  # other debts
        result_answers = await taps(user, "p:skip:proposal")
        # 8000 - 5000 - 500 = 2500 a month, offered back to the walkthrough
        [result] = [answer for answer in result_answers if "w:use:monthly:2500" in actions([answer])]
        assert result.kind == "message"
        assert "w:resume" in actions([result])
        before = from_saved((await saved(setup, user))[PROGRESS_KEY])
        assert before is not None
        assert (before.step, before.monthly_typed) == (Step.MONTHLY, None)  # nothing taken before the tap

        went_on = await taps(user, "w:use:monthly:2500", result.message_id)
        # the walkthrough goes on in new messages: the plan result stays on screen as it was
        assert went_on
        assert all(answer.kind == "message" for answer in went_on)
        assert result.message_id not in {answer.message_id for answer in went_on}
        [kept] = [r for r in user.fake.sent_messages(user.chat_id) if r["message_id"] == result.message_id]
        assert kept["text"] == result.text
        assert kept["edits"] == []

    state = await saved(setup, user)
    walk = from_saved(state[PROGRESS_KEY])
    assert walk is not None
    assert (walk.step, walk.monthly_typed) == (Step.CONTACT, 2500)
    assert any("steps.monthly.typed n=2500" in answer.text for answer in went_on)  # the amount, noted
    assert any("steps.contact.prompt" in answer.text for answer in went_on)
    plan = PlanState.from_dict(state[PLAN_KEY])
    assert plan is not None
    assert plan.asking is None
