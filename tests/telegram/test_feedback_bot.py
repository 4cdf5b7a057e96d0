"""Feedback over Telegram: 👍 / 👎 under answers, and what admins (only admins) get from /unmatched and /stats."""

from __future__ import annotations

import csv
import io
from functools import cache

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.i18n import Lang
from bot.engine import Knowledge
from tests.telegram.conftest import Person, Setup, StartBot

ZH = Lang.ZH_HANS
ADMIN = 4401


@cache
def shipped() -> Knowledge:
    return Knowledge.load(DEFAULT_KNOWLEDGE_DIR)


def say(key: str, **values: str) -> str:
    return shipped().kb.text(key, ZH, **values)


def answered_question() -> str:
    for question in ("逾期了征信会受影响吗", "不还钱会被起诉吗", "能不能协商延期还款"):
        result = shipped().matcher.match(question)
        if result.entry is not None and result.status.value == "answer":
            return question
    raise AssertionError("no candidate question is answered by the shipped knowledge")


async def test_a_thumbs_down_asks_what_was_missing_and_the_admin_sees_it(setup: Setup, start_bot: StartBot) -> None:
    setup.admin_ids = (ADMIN,)
    async with start_bot() as bot:
        user = Person(bot, 4402)
        question = answered_question()
        [answer] = await user.says(question)
        assert answer.labels[-2:] == [say("feedback_up"), say("feedback_down")]
        [ask] = await user.presses(say("feedback_down"), exact=True)
        assert ask.text == say("feedback_ask_note")
        [noted] = await user.says("我想知道逾期记录多久消除")
        assert noted.text == say("feedback_noted")

        admin = Person(bot, ADMIN)
        [inbox] = await admin.says("/unmatched")
        assert question in inbox.text
        assert "我想知道逾期记录多久消除" in inbox.text
        assert say("admin_csv_button") in inbox.labels

        [csv_sent, _document] = await admin.presses(say("admin_csv_button"), exact=True)
        assert csv_sent.text == say("admin_csv_sent", groups="1")
        [record] = [r for r in bot.fake.sent_messages(ADMIN) if r["method"] == "sendDocument"]
        data = bot.fake.uploaded(record["message"]["document"]["file_id"])
        [row] = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert (row["question"], row["disliked"], row["notes"]) == (question, "1", "我想知道逾期记录多久消除")

        [marked, empty] = await admin.presses(say("admin_resolve_button", n="1"), exact=True)
        assert marked.text.startswith(say("admin_marked_resolved", question="{q}").split("{q}")[0])
        assert empty.text == say("admin_inbox_empty")

        [stats] = await admin.says("/stats")
        assert "👍 0 / 👎 1" in stats.text


async def test_admin_commands_and_buttons_are_unknown_to_everyone_else(setup: Setup, start_bot: StartBot) -> None:
    setup.admin_ids = (ADMIN,)
    async with start_bot() as bot:
        user = Person(bot, 4403)
        unknown = await user.says("/nosuchcommand")
        for command in ("/stats", "/unmatched"):
            assert [m.text for m in await user.says(command)] == [m.text for m in unknown]
        version = shipped().kb.version[:4]
        [expired, *_] = await user.presses_data(f"{version}|i:csv", 1)
        assert expired.text == say("menu_expired")
        assert not [r for r in bot.fake.sent_messages(user.chat_id) if r["method"] == "sendDocument"]
