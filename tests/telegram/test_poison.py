"""An update the Telegram library cannot read (from a Bot API server older than the library, say) is skipped, once,
without its content in the log, and every update around it is handled: long polling, through the fake Bot API."""

from __future__ import annotations

import logging
import signal
import time

import pytest

from tests.telegram.conftest import Person, Setup, StartBot
from tests.telegram.test_advisor_bot import bot_process

#: A button press as a Bot API server from before `chat_instance` was required would send it.
POISON = {"callback_query": {"id": "77", "from": {"id": 4601, "is_bot": False, "first_name": "旧"}, "data": "x|e:a"}}


async def test_a_poison_update_between_two_good_ones_is_skipped_and_counted(
    setup: Setup, start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    setup.admin_ids = (4602,)
    caplog.set_level(logging.DEBUG)
    async with start_bot() as advisor:
        user, other, admin = Person(advisor, 4601), Person(advisor, 4604), Person(advisor, 4602)
        before = user.type("逾期了征信会受影响吗")
        poison = advisor.fake.inject_raw(POISON)
        after = other.type("不还钱会被起诉吗")
        await advisor.until_handled(before, after)
        [stats] = await admin.says("/stats")
        await advisor.fake.wait_for(lambda: advisor.fake.pending_updates == 0)  # the poison was confirmed too

    assert advisor.answers(before)
    assert advisor.answers(after)
    assert poison not in advisor.handled
    assert "unreadable updates skipped 1" in stats.text
    skipped = [r for r in caplog.records if f"update {poison} could not be read" in r.getMessage()]
    assert len(skipped) == 1
    assert skipped[0].exc_info is None  # the exception would quote the update
    assert not any("旧" in r.getMessage() or "chat_instance" in r.getMessage() for r in caplog.records)


async def test_advisor_run_answers_around_a_poison_update_and_stops_within_two_seconds(setup: Setup) -> None:
    fake = setup.fake
    async with bot_process(fake, setup.database) as bot:
        await bot.start()
        await fake.wait_for(lambda: fake.requests_received("getUpdates"), timeout=30)
        before = fake.inject_message(4603, "逾期了征信会受影响吗")
        poison = fake.inject_raw(POISON)
        after = fake.inject_message(4605, "不还钱会被起诉吗")
        await fake.wait_for_reply(before, timeout=30)
        await fake.wait_for_reply(after, timeout=30)

        started = time.monotonic()
        code = await bot.stop(signal.SIGTERM)
        stopped_in = time.monotonic() - started

    log = bot.log.read_text()
    assert code == 0, log
    # The hang this guards against lasted 30 s and more; 2 s is the goal on a quiet machine, not a CI timing.
    assert stopped_in < 10.0, log
    assert log.count(f"update {poison} could not be read") == 1, log
    assert "chat_instance" not in log
    assert fake.pending_updates == 0
