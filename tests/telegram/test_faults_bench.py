"""The fault benchmark's users stay within the bot's message budget, so what it counts as unanswered is a reply
lost to a fault, not a message the budget dropped by design; and its report shows what the budget dropped. Through
the advisor receiving by webhook in this process and the fake Bot API POSTing as Telegram does."""

from __future__ import annotations

import asyncio
import itertools

from bench.faults import Tally, ask_in_turn, count, stats_of, typing_gap
from bench.load import questions
from bot.config import FloodConfig
from tests.telegram.conftest import Setup
from tests.telegram.test_webhook_delivery import webhook_bot

ADMIN = 4800
USER = 4801
# Small and quick to refill, so the test is short; a user typing as fast as the bot confirms runs past it at once.
FLOOD = FloodConfig(burst=2, per_second=4.0)
ASKED = 10  # what the bench's users ask (bench.load.questions), in turn


async def test_a_bench_user_asking_in_turn_is_answered_every_time_and_stats_show_no_drop(setup: Setup) -> None:
    setup.budget = True
    setup.admin_ids = (ADMIN,)
    setup.telegram |= {"flood": {"burst": FLOOD.burst, "per_second": FLOOD.per_second}}
    fake = setup.fake
    async with webhook_bot(setup):
        delivering = asyncio.create_task(fake.deliver_to_webhook(retry_after=0.2))
        try:
            texts = itertools.cycle(questions())
            asked: list[int] = []
            unconfirmed = await ask_in_turn(fake, USER, lambda: next(texts), up_to=ASKED,
                                            gap=typing_gap(FLOOD), asked=asked, limit=100, timeout=20)  # fmt: skip
            tally = Tally()
            count(fake, asked, tally)
            probe = fake.inject_message(ADMIN, "/stats")
            stats = stats_of(str((await fake.wait_for_reply(probe, timeout=20)).params.get("text", "")))
        finally:
            delivering.cancel()
            await asyncio.gather(delivering, return_exceptions=True)
    assert unconfirmed == 0
    assert (tally.updates, tally.answered) == (ASKED, ASKED), "a question went unanswered"
    assert stats.startswith("over the message budget: 0 messages dropped, 0 slow-down notes"), stats


def test_the_typing_gap_is_one_message_per_refilled_token_and_none_without_a_budget() -> None:
    assert typing_gap(FloodConfig(burst=10, per_second=1.0)) == 1.0
    assert typing_gap(FloodConfig(burst=2, per_second=4.0)) == 0.25
    assert typing_gap(FloodConfig(burst=0, per_second=1.0)) == 0.0
    assert typing_gap(FloodConfig(burst=10, per_second=0.0)) == 0.0
