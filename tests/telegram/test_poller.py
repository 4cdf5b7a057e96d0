"""The poller's fetching: while the oldest update in flight holds the offset back, it does not fetch again answers that
can hold nothing new; once that update is done, the next ones come in."""

from __future__ import annotations

import asyncio

import pytest
import telegram

from bot.telegram import poller as poller_module
from bot.telegram.poller import Poller
from bot.telegram.request import AiohttpRequest
from fakebotapi import FakeBotAPI

LIMIT = 8


async def test_a_slow_oldest_update_does_not_make_the_poller_fetch_full_answers_again(
    fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(poller_module, "_IDLE_WAIT", 3.0)  # a loaded machine still finishes the quick ones within it
    request = AiohttpRequest(1)
    bot = telegram.Bot(fake_api.token, base_url=fake_api.base_url, request=request)
    release = asyncio.Event()
    handled: list[int] = []
    progress = asyncio.Event()

    async def until_handled(update_ids: set[int]) -> None:  # (the fake's wait_for wakes at bot calls; none here)
        async with asyncio.timeout(5):
            while not update_ids <= set(handled):
                progress.clear()
                await progress.wait()

    first = fake_api.inject_message(1, "slow")
    rest = [fake_api.inject_message(2 + n, "quick") for n in range(LIMIT - 1)]

    async def handle(update: telegram.Update, retryable: bool) -> bool:
        if update.update_id == first:
            await release.wait()
        handled.append(update.update_id)
        progress.set()
        return True

    poller = Poller(bot, request, handle, timeout=1, limit=LIMIT)
    polling = asyncio.create_task(poller.run())
    try:
        await until_handled(set(rest))
        await asyncio.sleep(0.2)  # time to poll again, were the poller to
        # One fetch brought all LIMIT updates; every answer from the held offset would be these same ones again, so
        # none is asked for while the others finish (within the poller's idle wait).
        assert fake_api.requests_received("getUpdates") == 1
        assert poller.in_flight == 1

        later = [fake_api.inject_message(20 + n, "later") for n in range(3)]
        release.set()
        await until_handled({first, *later})
        await fake_api.wait_for(lambda: fake_api.pending_updates == 0 or None, timeout=5)  # all confirmed
    finally:
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
        await request.shutdown()


async def test_an_update_handled_behind_a_slow_one_is_confirmed_at_once(
    fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash while a handled update waits to be confirmed makes Telegram deliver it again (and the user gets its
    replies twice), so it does not wait for the slow update in flight beside it, nor for the poller's idle wait."""
    monkeypatch.setattr(poller_module, "_IDLE_WAIT", 5.0)
    request = AiohttpRequest(1)
    bot = telegram.Bot(fake_api.token, base_url=fake_api.base_url, request=request)
    release = asyncio.Event()
    quick = fake_api.inject_message(1, "quick")
    slow = fake_api.inject_message(2, "slow")

    async def handle(update: telegram.Update, retryable: bool) -> bool:
        if update.update_id == slow:
            await release.wait()
        return True

    poller = Poller(bot, request, handle, timeout=1, limit=LIMIT)
    polling = asyncio.create_task(poller.run())
    try:
        await fake_api.wait_for(lambda: fake_api.confirmed(quick) or None, timeout=1.0)
        assert not fake_api.confirmed(slow)
        assert poller.in_flight == 1
        release.set()
        await fake_api.wait_for(lambda: fake_api.confirmed(slow) or None, timeout=5.0)
    finally:
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
        await request.shutdown()
