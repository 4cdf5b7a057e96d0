"""Long polling is at least once even when a handler raises: the update is tried again (a bounded number of times,
counted across restarts), confirmed to Telegram only once handled or given up, and the others go on meanwhile.
Through the real poller and transport against the fake Bot API."""

from __future__ import annotations

import pytest

from bot.errors import StorageError
from bot.storage import Session, Storage
from bot.telegram import poller as poller_module
from tests.telegram.conftest import Person, Setup, StartBot
from tests.telegram.test_advisor_bot import say
from tests.telegram.test_webhook_delivery import messages, saved


def failing_saves(monkeypatch: pytest.MonkeyPatch, user_id: int, failures: int | None) -> list[int]:
    """Saving `user_id`'s session fails `failures` times (None: always); returns the update ids of the failed saves."""
    failed: list[int] = []
    save = Storage.save_session

    async def save_or_fail(self: Storage, session: Session) -> Session:
        if session.user_id == user_id and (failures is None or len(failed) < failures):
            failed.append(session.last_update_id or 0)
            raise StorageError("disk I/O error")
        return await save(self, session)

    monkeypatch.setattr(Storage, "save_session", save_or_fail)
    return failed


async def test_an_update_whose_save_failed_is_tried_again_and_applied_once(
    setup: Setup, start_bot: StartBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = setup.fake
    async with start_bot(expect_errors=True) as bot:
        user = Person(bot, 4801)
        await user.says("/plan")
        failed = failing_saves(monkeypatch, 4801, 1)  # one disk hiccup, then normal again
        typed = user.type("3万")  # the amount owed
        await fake.wait_for(lambda: fake.confirmed(typed) or None, timeout=10)
        assert failed == [typed]
        texts = messages(fake, typed)
        assert texts, "the second attempt answered the user"
        assert say("error_apology") not in texts, "no apology for an attempt that was tried again"
        assert len(bot.errors) == 1
    session = await saved(setup.database, 4801)
    assert session.last_update_id == typed
    assert session.state is not None
    assert session.state["plan"]["owed"] == 30000
    assert session.state["plan"]["income"] is None, "applied once: '3万' was not also taken as the income"


async def test_an_update_failing_every_time_is_given_up_once_with_the_apology_while_others_are_answered(
    setup: Setup, start_bot: StartBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = setup.fake
    setup.admin_ids = (4803,)
    monkeypatch.setattr(poller_module, "RETRY_WAIT", 1.0)  # wide enough for the other user to be answered meanwhile
    async with start_bot(expect_errors=True) as bot:
        user, other, admin = Person(bot, 4802), Person(bot, 4804), Person(bot, 4803)
        await user.says("/plan")
        failed = failing_saves(monkeypatch, 4802, None)
        typed = user.type("3万")
        await fake.wait_for(lambda: failed or None, timeout=10)
        assert await other.says("/help"), "another user is answered while the failing update waits for its retry"
        assert not fake.confirmed(typed), "not confirmed while it is still to be tried again"
        await fake.wait_for(lambda: fake.confirmed(typed) or None, timeout=15)
        assert failed == [typed] * 3, "three attempts, then given up"
        assert messages(fake, typed) == [say("error_apology")], "one apology, after the last attempt only"
        [stats] = await admin.says("/stats")
        assert f"updates given up after 3 failed attempts 1 (updates {typed})" in stats.text
        assert len(bot.errors) == 3


async def test_the_attempts_at_a_failing_update_are_counted_across_a_restart(
    setup: Setup, start_bot: StartBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = setup.fake
    monkeypatch.setattr(poller_module, "RETRY_WAIT", 30.0)  # the bot stops before the second attempt
    async with start_bot(expect_errors=True, stop_grace=0.2) as bot:  # (a grace it outlasts, however long)
        user = Person(bot, 4805)
        await user.says("/plan")
        failed = failing_saves(monkeypatch, 4805, None)
        typed = user.type("3万")
        await fake.wait_for(lambda: failed or None, timeout=10)
    assert not fake.confirmed(typed), "stopped between attempts: left for Telegram to deliver again"
    assert messages(fake, typed) == []

    monkeypatch.setattr(poller_module, "RETRY_WAIT", 0.2)
    async with start_bot(expect_errors=True) as bot:
        await fake.wait_for(lambda: fake.confirmed(typed) or None, timeout=10)
        assert failed == [typed] * 3, "the restart did not start the count again: two attempts were left, not three"
        assert messages(fake, typed) == [say("error_apology")]
    async with await Storage.open(setup.database) as storage:
        assert await storage.update_failures(typed) == 0, "given up: its count is gone"


async def test_a_reply_that_surely_failed_is_sent_by_the_next_attempt_and_the_answer_is_the_full_one(
    setup: Setup, start_bot: StartBot
) -> None:
    """A reply refused with 5xx after every try fails its update, which is tried again: the user is answered, with the
    answer itself (not "I answered that above": the first attempt showed nothing)."""
    fake = setup.fake
    setup.admin_ids = (4812,)
    setup.telegram = {"retry": {"attempts": 1}}  # one 500 and a send has surely failed
    async with start_bot(expect_errors=True) as bot:
        user, other, admin = Person(bot, 4811), Person(bot, 4813), Person(bot, 4812)
        expected = [seen.text for seen in await other.says("逾期了征信会受影响吗")]
        fake.fail_next("sendMessage", status=502, description="Bad Gateway")
        typed = user.type("逾期了征信会受影响吗")
        await fake.wait_for(lambda: fake.confirmed(typed) or None, timeout=10)
        [stats] = await admin.says("/stats")

    assert messages(fake, typed) == expected
    assert "replies not sent 0" in stats.text


async def test_an_update_tried_again_after_a_failed_send_does_not_send_again_what_reached_the_user(
    setup: Setup, start_bot: StartBot
) -> None:
    fake = setup.fake
    setup.telegram = {"retry": {"attempts": 1}}
    async with start_bot(expect_errors=True) as bot:
        user, other = Person(bot, 4821), Person(bot, 4822)
        scam = "借呗逾期了会不会影响到征信，有人要我的银行卡密码"  # the scam warning, then the answer
        expected = [seen.text for seen in await other.says(scam)]
        assert len(expected) >= 2, "this test needs an answer of two messages"
        fake.fail_next("sendMessage", status=500, after=1)  # the first message goes out, the second is refused
        typed = user.type(scam)
        await fake.wait_for(lambda: fake.confirmed(typed) or None, timeout=10)

    assert messages(fake, typed) == expected, "each message once, in order"
