"""No message lost, none applied twice: updates are confirmed to Telegram only once handled, and an update Telegram
delivers again after a stop is answered again from what was saved, not applied a second time."""

from __future__ import annotations

from typing import Any

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.i18n import Lang
from bot.engine import Knowledge
from bot.storage import Storage
from fakebotapi import FakeBotAPI
from tests.telegram.conftest import Person, Setup, StartBot


def first_button(fake: FakeBotAPI, chat: int) -> tuple[str, int]:
    record = fake.last_message(chat)
    assert record is not None
    return record["reply_markup"]["inline_keyboard"][0][0]["callback_data"], record["message_id"]


async def saved_state(setup: Setup, user_id: int) -> Any:
    async with await Storage.open(setup.database) as storage:
        session = await storage.load_session(user_id)
    assert session is not None
    return session.state, session.last_update_id


async def test_an_update_is_confirmed_only_once_its_reply_went_out(setup: Setup, start_bot: StartBot) -> None:
    fake = setup.fake
    async with start_bot() as bot:
        user = Person(bot, 4301)
        fake.hold("sendMessage")  # the reply is held until the test has looked
        update_id = user.type("/help")
        await fake.wait_for(lambda: fake.requests_received("sendMessage") or None)
        # Its reply is on its way (the fake holds it): fetched, being handled, not confirmed. (How many polls came
        # before is timing: while one update is in flight the poller waits for it rather than polling.)
        assert fake.pending_updates == 1
        assert update_id not in bot.handled
        fake.release("sendMessage")  # the held reply goes out now
        await bot.until_handled(update_id)
        await fake.wait_for(lambda: fake.pending_updates == 0 or None)  # confirmed by the next poll


async def test_a_reply_lost_when_the_bot_stopped_is_sent_after_the_restart_and_the_press_applied_once(
    setup: Setup, start_bot: StartBot
) -> None:
    fake, chat = setup.fake, 4302
    days_prompt = Knowledge.load(DEFAULT_KNOWLEDGE_DIR).walkthrough.say("steps.days.prompt", Lang.ZH_HANS).strip()
    async with start_bot(stop_grace=0.2) as bot:  # the held answer outlasts any grace: no need to wait the usual one
        await Person(bot, chat).says("/guide")
        data, message_id = first_button(fake, chat)
        for method in ("sendMessage", "editMessageText"):
            fake.delay(method, 30)  # the answer to the press will not get out before the bot stops
        sent_before = fake.requests_received("sendMessage") + fake.requests_received("editMessageText")
        pressed = fake.inject_callback(chat, data, message_id=message_id)
        await fake.wait_for(
            lambda: fake.requests_received("sendMessage") + fake.requests_received("editMessageText") > sent_before
            or None
        )  # the state is saved before any reply is sent
    assert fake.pending_updates == 1, "a press whose reply never went out must not be confirmed"
    state_after_stop = await saved_state(setup, chat)
    assert state_after_stop[1] == pressed
    outputs_before = len(fake.replies_to(pressed))

    for method in ("sendMessage", "editMessageText"):
        fake.delay(method, 0)
    async with start_bot() as bot:
        await bot.until_handled(pressed)
        await fake.wait_for(lambda: fake.pending_updates == 0 or None)
    again = [output for output in fake.replies_to(pressed)[outputs_before:] if output.kind in ("message", "edit")]
    assert again, "the redelivered press was not answered"
    assert any(days_prompt in (output.message or {}).get("text", "") for output in again)
    assert await saved_state(setup, chat) == state_after_stop  # answered again, not applied twice

