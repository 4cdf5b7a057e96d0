"""The one lock layer that orders updates (Transport.in_order over bot.locks): one user's updates are handled one at a
time and in order, in their private chat and in a group alike; other users and other chats go on meanwhile."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.transport import Transport
from tests.telegram.conftest import Setup

_update_ids = iter(range(1, 10_000))


def message(user_id: int, chat_id: int, text: str) -> Update:
    """A real PTB Update of a text message, as the Application hands it to a handler."""
    chat_type = "private" if chat_id == user_id else "supergroup"
    update_id = next(_update_ids)
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(datetime.datetime.now(datetime.UTC).timestamp()),
                "chat": {"id": chat_id, "type": chat_type},
                "from": {"id": user_id, "is_bot": False, "first_name": "U"},
                "text": text,
            },
        },
        None,
    )


class Handling:
    """A handler that logs when each update's handling starts and ends; one text can be held at a gate."""

    def __init__(self, gated: str) -> None:
        self.gated = gated
        self.gate = asyncio.Event()
        self.arrived = asyncio.Event()
        self.log: list[str] = []

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        text = update.effective_message.text or ""
        self.log.append(f"{text} in")
        if text == self.gated:
            self.arrived.set()
            await self.gate.wait()
        await asyncio.sleep(0)  # a handler awaits (the engine, the Bot API): others could slip in here
        self.log.append(f"{text} out")


async def test_one_users_updates_take_turns_wherever_they_write_while_other_users_go_on(setup: Setup) -> None:
    transport = Transport(setup.config())
    handling = Handling(gated="a1")
    in_turn = transport.in_order(handling)
    context: Any = None  # the handler under test does not read the context

    def handle(user_id: int, chat_id: int, text: str) -> asyncio.Task[None]:
        return asyncio.create_task(in_turn(message(user_id, chat_id, text), context))

    first = handle(1, 1, "a1")  # user 1, private: held at the gate
    await asyncio.wait_for(handling.arrived.wait(), timeout=5)
    same_user = [handle(1, 1, "a2"), handle(1, -100, "a3 in the group"), handle(1, 1, "a4")]
    same_group = handle(2, -100, "b1 in the group")  # user 2 writes in the group after user 1 did
    other_users = [handle(3, 3, "c1"), handle(4, 4, "d1"), handle(3, 3, "c2")]

    await asyncio.wait_for(asyncio.gather(*other_users), timeout=5)  # never waited for user 1
    assert handling.log[0] == "a1 in"
    assert [line for line in handling.log if line.startswith("c")] == ["c1 in", "c1 out", "c2 in", "c2 out"]
    assert "d1 out" in handling.log
    assert not any(task.done() for task in (*same_user, same_group))  # user 1 and the group wait for user 1

    handling.gate.set()
    await asyncio.wait_for(asyncio.gather(first, *same_user, same_group), timeout=5)
    user_1 = [line for line in handling.log if line.startswith("a")]
    assert user_1 == [
        "a1 in",
        "a1 out",
        "a2 in",
        "a2 out",
        "a3 in the group in",
        "a3 in the group out",
        "a4 in",
        "a4 out",
    ]  # one at a time, in arrival order, the group line included
    # the group's next update (another user's) waited for user 1's line in it
    assert handling.log.index("b1 in the group in") > handling.log.index("a3 in the group out")
    assert len(transport._turns) == 0  # noqa: SLF001 -- nothing is left held
