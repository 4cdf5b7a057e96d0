"""Webhook mode: `advisor run` registers its webhook with a secret token and answers updates Telegram POSTs to it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

from fakebotapi import FakeBotAPI
from tests.kbfactory import write_runnable_kb
from tests.telegram.test_poison import POISON

#: What the fixture knowledge answers "花呗逾期了征信会受影响吗" with: the title of its entry impact.credit (kbfactory).
CREDIT_TITLE = "标题 impact.credit"


def fixture_knowledge(tmp_path: Path) -> Path:
    return write_runnable_kb(tmp_path / "knowledge")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_webhook_bot_answers_what_telegram_posts_and_refuses_a_wrong_secret(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    (tmp_path / "config.yaml").write_text(
        f"knowledge:\n  path: {fixture_knowledge(tmp_path)}\n"
        f"telegram:\n  webhook:\n    url: {url}\n    listen: 127.0.0.1\n    port: {port}\n    path: telegram\n",
        encoding="utf-8",
    )
    async with FakeBotAPI() as fake:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "ADVISOR_"))}
        env |= {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_WEBHOOK_SECRET": "s3cret-for-tests",
            "ADVISOR_DB": str(tmp_path / "advisor.sqlite3"),
            "ADVISOR_CONFIG": str(tmp_path / "config.yaml"),
        }
        log = tmp_path / "bot.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stdout=out, stderr=out
            )
        try:
            await fake.wait_for(lambda: fake.webhook, timeout=30)
            assert fake.webhook is not None
            assert (fake.webhook["url"], fake.webhook["secret_token"]) == (url, "s3cret-for-tests")

            fake.inject_message(77, "花呗逾期了征信会受影响吗")
            refused: list[int] = []
            for _ in range(100):  # the web server may still be starting after setWebhook
                try:
                    refused = await fake.post_update_to_webhook(secret_token="not-the-secret")
                    break
                except OSError:
                    await asyncio.sleep(0.1)
            assert refused == [403]
            assert fake.sent_messages(77) == []
            assert await fake.post_update_to_webhook() == [200]
            [reply] = await fake.wait_for_messages(77, 1, timeout=10)
            assert reply["text"].startswith(CREDIT_TITLE), log.read_text()
        finally:
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 20)
        assert code == 0, log.read_text()


async def test_a_webhook_skips_an_update_it_cannot_read_answers_the_others_and_stops_at_once(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    (tmp_path / "config.yaml").write_text(
        f"knowledge:\n  path: {fixture_knowledge(tmp_path)}\n"
        f"telegram:\n  admin_ids: [78]\n  webhook:\n    url: {url}\n    listen: 127.0.0.1\n    port: {port}\n"
        "    path: telegram\n",
        encoding="utf-8",
    )
    async with FakeBotAPI() as fake:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "ADVISOR_"))}
        env |= {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_WEBHOOK_SECRET": "s3cret-for-tests",
            "ADVISOR_DB": str(tmp_path / "advisor.sqlite3"),
            "ADVISOR_CONFIG": str(tmp_path / "config.yaml"),
        }
        log = tmp_path / "bot.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stdout=out, stderr=out
            )
        try:
            await fake.wait_for(lambda: fake.webhook, timeout=30)
            fake.inject_message(77, "花呗逾期了征信会受影响吗")
            poison = fake.inject_raw(POISON)  # as a Bot API server older than the library would send it
            fake.inject_message(79, "逾期了征信会受影响吗\ud800")  # a lone surrogate, as only a forged call can carry
            statuses: list[int] = []
            for _ in range(100):  # the web server may still be starting after setWebhook
                try:
                    statuses = await fake.post_update_to_webhook()
                    break
                except OSError:
                    await asyncio.sleep(0.1)
            assert statuses == [200, 200, 200]
            assert fake.sent_messages(77), "each 200 came after its update's reply"
            assert fake.sent_messages(79), "each 200 came after its update's reply"
            [first] = await fake.wait_for_messages(77, 1, timeout=10)
            [after] = await fake.wait_for_messages(79, 1, timeout=10)
            assert first["text"].startswith(CREDIT_TITLE), log.read_text()
            assert after["text"], log.read_text()
            fake.inject_message(78, "/stats")
            assert await fake.post_update_to_webhook() == [200]
            [stats] = await fake.wait_for_messages(78, 1, timeout=10)
            assert "unreadable updates skipped 1" in stats["text"]
        finally:
            process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            code = await asyncio.wait_for(process.wait(), 20)
            stopped_in = time.monotonic() - started
        assert code == 0, log.read_text()
        # The hang this guards against lasted 30 s and more; the 2 s goal is a timing, left to a quiet machine
        # (a test that times a loaded CI machine fails for the wrong reason).
        assert stopped_in < 10.0
        logged = log.read_text()
        assert logged.count(f"update {poison} could not be read") == 1
        assert "chat_instance" not in logged  # nothing of the update's content
