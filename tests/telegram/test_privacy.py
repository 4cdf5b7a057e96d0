"""Personal data stays out of groups and out of what admins read, through the real transport and a real database.

In a group the bot answers general questions in public, but a user's own situation (the walkthrough, anything with
a phone or ID-card number, /forget, /language) and every admin command moves to a private chat through a deep link,
and a button under an answer acts only for the member who asked.
"""

from __future__ import annotations

import pytest

from bot.core.i18n import Lang
from bot.core.matcher import Status
from bot.engine import START_GUIDE
from tests.telegram.conftest import AdvisorBot, Person, Setup, StartBot
from tests.telegram.test_advisor_bot import guide, question_that, shipped

ZH = Lang.ZH_HANS
GROUP = -4300


def go_private(advisor: AdvisorBot) -> str:
    link = f"https://t.me/{advisor.fake.bot_username}?start={START_GUIDE}"
    return shipped().kb.text("group_private", ZH, link=link)


def member(advisor: AdvisorBot, user_id: int) -> Person:
    return Person(advisor, user_id, chat_type="group", chat_id=GROUP)


@pytest.mark.parametrize(
    "command",
    ["/guide", "/guide@fake_advisor_bot", "/forget", "/language en", "/resume", "/unmatched", "/stats", "/reload"],
)
async def test_in_a_group_personal_and_admin_commands_get_a_link_to_a_private_chat(
    setup: Setup, start_bot: StartBot, command: str
) -> None:
    setup.admin_ids = (4301,)
    async with start_bot() as advisor:
        [link] = await member(advisor, 4301).says(command)

    assert link.text == go_private(advisor)


async def test_an_admin_reads_unanswered_questions_in_private_without_personal_data(
    setup: Setup, start_bot: StartBot
) -> None:
    setup.admin_ids = (4302,)
    async with start_bot() as advisor:
        question = question_that(Status.FALLBACK)
        await Person(advisor, 4303).says(f"{question} 我的电话13912345678 110101199003071234")
        [report] = await Person(advisor, 4302).says("/unmatched")

    assert "[phone]" in report.text
    assert "[id]" in report.text
    assert "13912345678" not in report.text
    assert "110101199003071234" not in report.text


async def test_in_a_group_a_mention_with_a_phone_number_is_not_answered_there_nor_kept(
    setup: Setup, start_bot: StartBot
) -> None:
    setup.admin_ids = (4304,)
    async with start_bot() as advisor:
        [link] = await member(advisor, 4305).says(f"@{advisor.fake.bot_username} 火星上有水吗 我电话13912345678")
        [report] = await Person(advisor, 4304).says("/stats")

    assert link.text == go_private(advisor)
    assert "unanswered questions 0" in report.text


async def test_in_a_group_a_button_acts_only_for_the_member_who_asked(advisor: AdvisorBot) -> None:
    asker, other = member(advisor, 4306), member(advisor, 4307)
    answer, _hint = await asker.says(f"@{advisor.fake.bot_username} {question_that(Status.ANSWER, related=True)}")
    data = answer.buttons[0][1]

    pressed_by_other = other.tap(data, answer.message_id)
    assert await other.answered(pressed_by_other) == []
    callback = advisor.fake.callback_answer(pressed_by_other)
    assert callback is not None
    assert callback["text"] == shipped().kb.text("not_your_button", ZH)

    [topic] = await asker.presses_data(data, answer.message_id)
    assert topic.bold()  # the related topic's answer, under its title


async def test_in_a_group_the_walkthrough_button_leads_to_a_private_chat_where_the_deep_link_starts_it(
    advisor: AdvisorBot,
) -> None:
    asker = member(advisor, 4308)
    [greeting, *_] = await asker.says("/start")
    guide_data = next(data for _, data in greeting.buttons if data.endswith("g:start"))

    [link] = await asker.presses_data(guide_data, greeting.message_id)
    assert link.text == go_private(advisor)

    welcome, step = await Person(advisor, 4308).says(f"/start {START_GUIDE}")
    assert welcome.text == guide("messages.welcome")
    assert step.buttons
