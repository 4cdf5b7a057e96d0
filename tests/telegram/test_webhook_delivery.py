"""Webhook mode delivers at least once, like long polling: an update is answered 200 only once handled (its state
saved, its replies sent); a failure is answered non-2xx so Telegram sends it again, and an update sent again whose
state was saved is answered from what was saved, not applied twice. Through the fake Bot API, which POSTs updates
as Telegram does (an update stays pending until a 2xx answer)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.errors import StorageError
from bot.storage import Session, Storage
from bot.telegram.serving import STOP_GRACE, receiving
from fakebotapi import FakeBotAPI
from tests.telegram.conftest import AdvisorBot, Person, Setup
from tests.telegram.test_webhook import fixture_knowledge, free_port

SECRET = "s3cret-for-tests"


def webhook_settings(port: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/telegram"
    return {"webhook": {"url": url, "listen": "127.0.0.1", "port": port, "path": "telegram", "secret_token": SECRET}}


@asynccontextmanager
async def webhook_bot(
    setup: Setup, *, answer_within: float = 45.0, stop_grace: float = STOP_GRACE
) -> AsyncIterator[AdvisorBot]:
    """The advisor receiving by webhook in this process; the test POSTs with `deliver`."""
    setup.telegram |= webhook_settings(free_port())
    config = setup.config()
    async with receiving(config, answer_within=answer_within, stop_grace=stop_grace) as app:
        yield AdvisorBot(setup.fake, app, config)


async def deliver(fake: FakeBotAPI) -> list[int]:
    """POST the pending updates as Telegram does (in order, stopping at the first non-2xx answer)."""
    for _ in range(100):  # the web server may still be starting after setWebhook
        try:
            return await fake.post_update_to_webhook(timeout=30)
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)
    raise AssertionError("the webhook never accepted a connection")


def messages(fake: FakeBotAPI, update_id: int) -> list[str]:
    """The texts of the messages sent in answer to an update (not "typing…")."""
    return [output.message["text"] for output in fake.replies_to(update_id) if output.message is not None]


async def saved(database: Path, user_id: int) -> Session:
    async with await Storage.open(database) as storage:
        session = await storage.load_session(user_id)
    assert session is not None
    return session


async def test_an_update_is_answered_200_only_after_its_reply_went_out(setup: Setup) -> None:
    fake = setup.fake
    async with webhook_bot(setup) as bot:
        user = Person(bot, 4701)
        fake.hold("sendMessage")  # the reply is held until the test lets it go; the 200 must wait for it
        update_id = user.type("/plan")
        posting = asyncio.create_task(deliver(fake))
        await fake.wait_for(lambda: fake.requests_received("sendMessage") or None, timeout=10)
        assert not posting.done(), "answered while the reply was still held"
        fake.release("sendMessage")
        assert await posting == [200]
        # Nothing waited for here: by the time of the 200 the reply had been sent and the state saved.
        assert messages(fake, update_id), "answered 200 before the reply was sent"
        assert fake.pending_updates == 0
        assert (await saved(setup.database, 4701)).last_update_id == update_id


async def test_a_failed_save_is_answered_500_and_the_update_sent_again_is_applied_once(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = setup.fake
    failures, typed = 1, -1
    save = Storage.save_session

    async def save_or_fail(self: Storage, session: Session) -> Session:  # one disk hiccup, then normal again
        nonlocal failures
        if session.last_update_id == typed and failures:
            failures -= 1
            raise StorageError("disk I/O error")
        return await save(self, session)

    monkeypatch.setattr(Storage, "save_session", save_or_fail)
    async with webhook_bot(setup) as bot:
        user = Person(bot, 4702)
        user.type("/plan")
        assert await deliver(fake) == [200]
        before = (await saved(setup.database, 4702)).state
        typed = user.type("3万")  # the amount owed
        assert await deliver(fake) == [500]
        assert fake.pending_updates == 1, "Telegram keeps it to send again"
        assert messages(fake, typed) == [], "no apology: the next attempt answers"
        assert (await saved(setup.database, 4702)).state == before

        assert await deliver(fake) == [200]  # Telegram sends it again
        assert messages(fake, typed)
        session = await saved(setup.database, 4702)
        assert session.last_update_id == typed
        assert session.state is not None
        assert session.state["plan"]["owed"] == 30000
        assert session.state["plan"]["income"] is None, "applied once: '3万' was not also taken as the income"
    assert len(bot.errors) == 1


async def test_a_reply_refused_after_the_save_is_sent_again_from_what_was_saved(setup: Setup) -> None:
    fake = setup.fake
    async with webhook_bot(setup) as bot:
        user = Person(bot, 4703)
        user.type("/plan")
        assert await deliver(fake) == [200]
        fake.fail_next("sendMessage", status=400, description="Bad Request: something the bot got wrong")
        typed = user.type("3万")
        assert await deliver(fake) == [500]
        state = (await saved(setup.database, 4703)).state  # saved before the reply was refused

        assert await deliver(fake) == [200]
        assert (await saved(setup.database, 4703)).state == state, "answered from what was saved, not applied twice"
        assert messages(fake, typed)
    assert len(bot.errors) == 1


async def test_a_reply_that_surely_failed_is_answered_500_and_the_update_sent_again_sends_only_the_rest(
    setup: Setup,
) -> None:
    fake = setup.fake
    setup.telegram = {"retry": {"attempts": 1}}  # one 5xx and a send has surely failed
    async with webhook_bot(setup) as bot:
        user, other = Person(bot, 4707), Person(bot, 4708)
        scam = "借呗逾期了会不会影响到征信，有人要我的银行卡密码"  # the scam warning, then the answer
        other.type(scam)
        assert await deliver(fake) == [200]
        expected = [message["text"] for message in fake.sent_messages(4708)]
        assert len(expected) >= 2, "this test needs an answer of two messages"
        fake.fail_next("sendMessage", status=502, description="Bad Gateway", after=1)  # the second is refused
        typed = user.type(scam)
        assert await deliver(fake) == [500], "not delivered: Telegram is to send it again"
        assert await deliver(fake) == [200]
        assert messages(fake, typed) == expected, "each message once, in order"
    assert len(bot.errors) == 1


async def test_an_update_failing_every_time_is_given_up_with_the_apology_and_counted(setup: Setup) -> None:
    fake = setup.fake
    setup.admin_ids = (4705,)
    async with webhook_bot(setup) as bot:
        user, admin = Person(bot, 4704), Person(bot, 4705)
        fake.fail_next("sendMessage", count=3, status=400, description="Bad Request: something the bot got wrong")
        update_id = user.type("/help")
        statuses = [*await deliver(fake), *await deliver(fake), *await deliver(fake)]
        assert statuses == [500, 500, 200]
        assert fake.pending_updates == 0
        [apology] = messages(fake, update_id)
        admin.type("/stats")
        assert await deliver(fake) == [200]
        stats = fake.last_message(4705)
        assert stats is not None
        assert "failed attempts 1" in stats["text"]
    assert len(bot.errors) == 3
    assert apology


async def test_an_update_slower_than_the_answer_wait_is_answered_503_and_handled_once(setup: Setup) -> None:
    fake = setup.fake
    async with webhook_bot(setup, answer_within=0.5) as bot:
        user = Person(bot, 4706)
        fake.hold("sendMessage")  # the reply is held until Telegram has been answered 503 twice
        update_id = user.type("/plan")
        statuses = await deliver(fake)
        statuses += await deliver(fake)  # Telegram sends it again: it waits for the handling under way
        assert statuses == [503, 503]
        fake.release("sendMessage")
        while statuses[-1] != 200:  # and again, until the handling under way has finished
            statuses += await deliver(fake)
        assert 200 not in statuses[:-1]
        assert bot.handled == {update_id}
        texts = messages(fake, update_id)
        assert texts
        assert len(texts) == len(set(texts)), "handled once: no reply twice"


async def test_an_update_in_flight_when_the_bot_stops_is_answered_503_and_answered_after_the_restart(
    setup: Setup,
) -> None:
    fake = setup.fake
    async with webhook_bot(setup, stop_grace=0.2) as bot:  # the held reply outlasts any grace: no need for the usual
        user = Person(bot, 4708)
        user.type("/plan")
        assert await deliver(fake) == [200]
        typed = user.type("3万")
        fake.delay("sendMessage", 30)  # the reply is held past the stop's grace
        posting = asyncio.create_task(deliver(fake))
        await fake.wait_for(lambda: fake.requests_received("sendMessage") > 2 or None, timeout=10)
    assert await posting == [503]
    assert fake.pending_updates == 1
    at_stop = await saved(setup.database, 4708)
    assert at_stop.last_update_id == typed

    fake.delay("sendMessage", 0)
    async with webhook_bot(setup):
        assert await deliver(fake) == [200]
        assert messages(fake, typed)
    assert (await saved(setup.database, 4708)).state == at_stop.state


async def test_the_attempts_at_a_failing_update_are_counted_across_a_restart(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = setup.fake
    failed: list[int] = []
    save = Storage.save_session

    async def save_or_fail(self: Storage, session: Session) -> Session:  # this user's saves always fail
        if session.user_id == 4709:
            failed.append(session.last_update_id or 0)
            raise StorageError("disk I/O error")
        return await save(self, session)

    async with webhook_bot(setup) as bot:
        user = Person(bot, 4709)
        user.type("/plan")
        assert await deliver(fake) == [200]
        monkeypatch.setattr(Storage, "save_session", save_or_fail)
        typed = user.type("3万")
        assert [*await deliver(fake), *await deliver(fake)] == [500, 500]
    assert fake.pending_updates == 1
    assert messages(fake, typed) == []

    async with webhook_bot(setup):
        assert await deliver(fake) == [200], "the third attempt, counted across the restart, is the last"
        assert failed == [typed] * 3
        [apology] = messages(fake, typed)
    async with await Storage.open(setup.database) as storage:
        assert await storage.update_failures(typed) == 0
    assert apology


# -- kill -9 between the handling and the 200 -------------------------------------------------------------------


class WebhookProcess:
    """`python -m bot run` in webhook mode as a child process against the fake."""

    def __init__(self, fake: FakeBotAPI, tmp_path: Path) -> None:
        self.fake, self.tmp_path = fake, tmp_path
        self.database = tmp_path / "advisor.sqlite3"
        self.log = tmp_path / "bot.log"
        self.config = tmp_path / "config.yaml"
        port = free_port()
        settings = webhook_settings(port)["webhook"]
        lines = [f"    {key}: {value}" for key, value in settings.items() if key != "secret_token"]
        # Fixture knowledge: a start-up then reads a few small files, not the whole shipped base (seconds of CPU
        # per start, twice per test); what the test compares is the bot's own replies, whatever their wording.
        knowledge = fixture_knowledge(tmp_path)
        self.config.write_text(
            f"knowledge:\n  path: {knowledge}\ntelegram:\n  webhook:\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "ADVISOR_"))}
        env |= {
            "TELEGRAM_BOT_TOKEN": self.fake.token,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "ADVISOR_DB": str(self.database),
            "ADVISOR_CONFIG": str(self.config),
        }
        webhooks_set = self.fake.requests_received("setWebhook")
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=self.tmp_path, stdout=out, stderr=out
            )
        await self.fake.wait_for(lambda: self.fake.requests_received("setWebhook") > webhooks_set or None, timeout=30)

    async def stop(self, how: signal.Signals) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(how)
        code = await asyncio.wait_for(self.process.wait(), 15)
        self.process = None
        return code


async def test_killed_between_sending_the_reply_and_the_200_the_update_sent_again_is_answered_not_applied_twice(
    tmp_path: Path,
) -> None:
    async with FakeBotAPI() as fake:
        bot = WebhookProcess(fake, tmp_path)
        try:
            await bot.start()
            fake.inject_message(4707, "/plan")
            assert await deliver(fake) == [200]
            typed = fake.inject_message(4707, "3万")
            fake.delay("sendMessage", 60, after_processing=True)  # the reply is sent; the bot waits for its answer
            posting = asyncio.create_task(fake.post_update_to_webhook(timeout=30))
            await fake.wait_for(lambda: messages(fake, typed) or None, timeout=30)
            assert await bot.stop(signal.SIGKILL) == -signal.SIGKILL
            with suppress(aiohttp.ClientError):
                await posting  # the connection died with the bot: no answer, so Telegram keeps the update
            assert fake.pending_updates == 1
            at_kill = await saved(bot.database, 4707)
            assert at_kill.last_update_id == typed
            [first] = messages(fake, typed)

            fake.delay("sendMessage", 0, after_processing=True)
            await bot.start()
            assert await deliver(fake) == [200], bot.log.read_text()
            again = messages(fake, typed)
            assert again == [first, first], "the reply is sent again: the user may never have seen it"
            assert (await saved(bot.database, 4707)).state == at_kill.state, "not applied twice"
            assert await bot.stop(signal.SIGTERM) == 0, bot.log.read_text()
        finally:
            if bot.process is not None and bot.process.returncode is None:
                bot.process.kill()
                await bot.process.wait()
