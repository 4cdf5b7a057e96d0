"""Reminders over Telegram: set from buttons, fired by PTB's JobQueue, and exactly once across a kill -9.

The clock reminders read is injected: in-process a `Clock` the test moves, and in the child-process tests a file
(`tests/clockbot.py`), so nobody waits for the 15th of the month.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.i18n import Lang
from bot.core.reminders import SHORTEST_MONTH
from bot.engine import Knowledge
from fakebotapi import FakeBotAPI
from tests.kbfactory import write_runnable_kb
from tests.telegram.conftest import Person, Setup, StartBot

ZH = Lang.ZH_HANS
TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]  # where `python -m tests.clockbot` runs


@cache
def shipped() -> Knowledge:
    return Knowledge.load(DEFAULT_KNOWLEDGE_DIR)


def say(key: str, **values: str) -> str:
    return shipped().kb.text(key, ZH, **values)


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp()


class Clock:
    """The time reminders see; a test sets `now`."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def fired(fake: FakeBotAPI, chat: int, texts: Callable[..., str] = say) -> list[str]:
    """Texts of the reminders the bot sent in a chat (each starts like reminder_fire_due up to its date); `texts` is
    `say` of the knowledge the bot runs on."""
    opening = texts("reminder_fire_due", date="{date}").split("{date}")[0]
    return [m["text"] for m in fake.sent_messages(chat) if m["text"].startswith(opening)]


async def set_due_day(user: Person, day: str) -> None:
    await user.says("/reminders")
    [prompt] = await user.presses(say("reminder_add_button"), exact=True)
    assert prompt.text == say("reminder_due_prompt")
    [done, listing] = await user.says(day)
    assert done.text.startswith(say("reminder_set", reminders="").strip())
    key = "reminder_monthly" if int(day) <= SHORTEST_MONTH else "reminder_monthly_short"
    assert say(key, day=day) in listing.text


async def test_a_due_day_reminder_fires_once_on_its_day_and_can_be_cancelled(start_bot: StartBot) -> None:
    clock = Clock(at("2026-01-10 12:00"))
    async with start_bot(clock=clock, reminder_poll=0.05) as bot:
        user = Person(bot, 4301)
        await set_due_day(user, "15")
        [listing] = await user.says("/reminders")
        assert "2026-01-15 09:00" in listing.text
        await asyncio.sleep(0.2)
        assert fired(bot.fake, user.chat_id) == []  # not yet

        clock.now = at("2026-01-15 09:00:10")
        await bot.fake.wait_for(lambda: fired(bot.fake, user.chat_id), timeout=5)
        await asyncio.sleep(0.3)  # several more polls
        [reminder] = fired(bot.fake, user.chat_id)
        assert "2026-01-15" in reminder
        assert say("reminder_late", when="{when}").split("{when}")[0] not in reminder  # on time: not marked late

        [listing] = await user.says("/reminders")
        assert "2026-02-15 09:00" in listing.text  # moved on to next month
        [cancelled, empty] = await user.presses(say("reminder_cancel_button", n="1"), exact=True)
        assert cancelled.text == say("reminder_cancelled")
        assert empty.text == say("reminder_none", tz="Asia/Shanghai")
        clock.now = at("2026-02-15 09:00:10")
        await asyncio.sleep(0.3)
        assert len(fired(bot.fake, user.chat_id)) == 1


async def test_a_time_zone_chosen_from_the_buttons_moves_the_reminders(start_bot: StartBot) -> None:
    clock = Clock(at("2026-01-10 12:00"))
    async with start_bot(clock=clock, reminder_poll=0.05) as bot:
        user = Person(bot, 4302)
        await set_due_day(user, "31")
        [listing] = await user.says("/reminders")
        assert "2026-01-31 09:00" in listing.text
        await user.presses(say("reminder_tz_button"), exact=True)
        [changed, listing] = await user.presses("Europe/London", exact=True)
        assert changed.text == say("reminder_tz_set", tz="Europe/London")
        assert "Europe/London" in listing.text
        assert "2026-01-31 09:00" in listing.text


async def test_a_tool_command_in_a_group_gets_what_any_personal_command_gets_there(start_bot: StartBot) -> None:
    async with start_bot() as bot:
        member = Person(bot, 4303, chat_type="group")
        [pointer] = await member.says("/guide")
        for command in ("/reminders", "/log", "/export"):
            [hint] = await member.says(command)
            assert hint.text == pointer.text  # a link to a private chat: reminders and the diary are personal


# -- a real process, killed -----------------------------------------------------------------------------------------


class ClockedBot:
    """`python -m tests.clockbot` as a child process against the fake; its reminders read the time from a file."""

    def __init__(self, fake: FakeBotAPI, database: Path, knowledge: Path) -> None:
        self.fake, self.database = fake, database
        self.config = database.with_suffix(".yaml")
        self.config.write_text(yaml.safe_dump({"knowledge": {"path": str(knowledge)}}), encoding="utf-8")
        self.clock_file = database.with_suffix(".clock")
        self.log = database.with_suffix(".log")
        self.process: asyncio.subprocess.Process | None = None

    def set_time(self, moment: float) -> None:
        self.clock_file.write_text(repr(moment), encoding="utf-8")

    async def start(self) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "ADVISOR_"))}
        env |= {
            "TELEGRAM_BOT_TOKEN": self.fake.token,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "ADVISOR_DB": str(self.database),
            "ADVISOR_CONFIG": str(self.config),
        }
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.clockbot", str(self.clock_file), env=env, cwd=ROOT, stdout=log, stderr=log
            )

    async def stop(self, how: signal.Signals) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(how)
        code = await asyncio.wait_for(self.process.wait(), 15)
        self.process = None
        return code

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def press(fake: FakeBotAPI, chat: int, label: str) -> str:
    for record in reversed(fake.sent_messages(chat)):
        for row in (record["reply_markup"] or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == label:
                    update = fake.inject_callback(chat, button["callback_data"], message_id=record["message_id"])
                    reply = await fake.wait_for_reply(update, timeout=30)
                    assert reply.message is not None
                    return str(reply.message["text"])
    raise LookupError(label)


async def test_killed_between_scheduling_and_firing_the_reminder_comes_once_late_after_restart(setup: Setup) -> None:
    fake, chat = setup.fake, 4310
    # Fixture knowledge: each of the three start-ups reads a few small files instead of building the shipped base.
    knowledge = write_runnable_kb(setup.tmp_path / "knowledge")
    kb = Knowledge.load(knowledge).kb

    def shown(key: str, **values: str) -> str:
        return kb.text(key, ZH, **values)

    bot = ClockedBot(fake, setup.database, knowledge)
    try:
        bot.set_time(at("2026-01-10 12:00"))
        await bot.start()
        opened = fake.inject_message(chat, "/reminders")
        await fake.wait_for_reply(opened, timeout=30)
        assert await press(fake, chat, shown("reminder_add_button")) == shown("reminder_due_prompt")
        typed = fake.inject_message(chat, "15")
        confirmed = await fake.wait_for_reply(typed, timeout=30)
        assert confirmed.message is not None
        assert shown("reminder_monthly", day="15") in confirmed.message["text"]
        assert await bot.stop(signal.SIGKILL) == -signal.SIGKILL  # scheduled, not yet fired

        bot.set_time(at("2026-01-20 18:00"))  # the 15th came and went while the bot was down
        await bot.start()
        await fake.wait_for(lambda: fired(fake, chat, shown), timeout=30)
        [late] = fired(fake, chat, shown)
        assert "2026-01-15" in late
        assert shown("reminder_late", when="2026-01-15 09:00") in late, bot.log.read_text()
        assert await bot.stop(signal.SIGKILL) == -signal.SIGKILL  # right after it went out

        await bot.start()  # a second restart, still before the next due day: nothing is sent again
        fake.inject_message(chat, "/reminders")  # (updates not yet confirmed when killed are answered again first)
        await fake.wait_for(lambda: any("2026-02-15 09:00" in m["text"] for m in fake.sent_messages(chat)), 30)
        await asyncio.sleep(0.5)
        assert len(fired(fake, chat, shown)) == 1, bot.log.read_text()
        assert await bot.stop(signal.SIGTERM) == 0, bot.log.read_text()
    finally:
        await bot.kill()
