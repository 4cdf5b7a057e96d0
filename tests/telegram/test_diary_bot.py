"""The negotiation diary over Telegram: /log from buttons and typing, /export as a PDF document read back."""

from __future__ import annotations

import io
import re
from functools import cache

from pypdf import PdfReader

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.i18n import Lang
from bot.engine import Knowledge
from tests.telegram.conftest import Person

ZH = Lang.ZH_HANS


@cache
def shipped() -> Knowledge:
    return Knowledge.load(DEFAULT_KNOWLEDGE_DIR)


def say(key: str, **values: str) -> str:
    return shipped().kb.text(key, ZH, **values)


async def test_a_contact_logged_from_buttons_is_listed_and_exported_as_a_pdf(user: Person) -> None:
    [ask_day] = await user.says("/log")
    assert ask_day.text == say("diary_ask_day")
    assert ask_day.labels == [say("diary_today"), say("diary_yesterday"), say("diary_stop_button"),
                              say("diary_list_button")]  # fmt: skip
    [ask_channel] = await user.presses(say("diary_yesterday"), exact=True)
    assert ask_channel.text == say("diary_ask_channel")
    [ask_who] = await user.presses(say("diary_channel_phone"), exact=True)
    assert ask_who.text == say("diary_ask_who")
    [ask_said] = await user.says("客服工号 8842")
    assert ask_said.text == say("diary_ask_said")
    [saved, listing] = await user.says("答应分 12 期还款 <免除罚息> & 短信确认")
    assert saved.text == say("diary_saved")
    assert "客服工号 8842" in listing.text
    assert "答应分 12 期还款 <免除罚息> & 短信确认" in listing.text  # escaped for Telegram, shown as typed

    [sent, _document] = await user.presses(say("diary_export_button"), exact=True)
    assert sent.text == say("export_sent", contents=say("export_has_diary", count="1"))
    [record] = [r for r in user.fake.sent_messages(user.chat_id) if r["method"] == "sendDocument"]
    file = record["message"]["document"]
    assert record["message"]["caption"] == say("export_sent_note")  # "no copy kept" goes with the file sent
    assert file["file_name"].startswith("negotiation-record-")
    assert file["file_name"].endswith(".pdf")
    data = user.fake.uploaded(file["file_id"])
    reader = PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages).replace("\x00", ""))
    assert "答应分12期还款<免除罚息>&短信确认" in text
    assert "客服工号8842" in text
    assert re.sub(r"\s+", "", say("export_title")) in text


async def test_entries_are_deleted_from_their_buttons(user: Person) -> None:
    await user.says("/log")
    await user.presses(say("diary_today"), exact=True)
    await user.presses(say("diary_channel_sms"), exact=True)
    await user.presses(say("diary_skip"), exact=True)
    [_, listing] = await user.says("收到协商成功短信")
    assert say("diary_delete_button", n="1") in listing.labels
    [deleted, empty] = await user.presses(say("diary_delete_button", n="1"), exact=True)
    assert deleted.text == say("diary_deleted")
    assert empty.text == say("diary_empty")
