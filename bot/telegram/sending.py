"""Sending the engine's replies through the Bot API: messages in order (rendered by bot.telegram.render), charts,
documents, a walkthrough step edited in place, and "typing…" while a slow answer is being worked out.

What a send that failed means for the update (tried again, or counted for /stats) is noted in `Watched` and
`Undelivered` (bot.telegram.delivery).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, suppress

from telegram import Bot, InputFile, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError

from bot.core.replies import Attachment, Chart, Reply
from bot.engine import Engine
from bot.errors import TransportError
from bot.telegram.delivery import Undelivered, Watched
from bot.telegram.render import render
from bot.telegram.request import Unanswered

logger = logging.getLogger(__name__)

_TYPING_AFTER = 0.4  # seconds; a reply slower than this shows "typing…"


class Sender:
    """Sends replies for one Application's bot; the knowledge version in buttons is the engine's current one."""

    def __init__(self, bot: Bot, engine: Engine, watched: Watched, undelivered: Undelivered) -> None:
        self.bot = bot
        self.engine = engine
        self.watched = watched
        self.undelivered = undelivered

    @asynccontextmanager
    async def typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" only when an answer is slow, so fast answers cost no extra request (nor task)."""
        bot = self.bot
        pending: set[asyncio.Task[None]] = set()

        async def typing() -> None:
            with suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)

        def fire() -> None:
            task = asyncio.ensure_future(typing())
            pending.add(task)
            task.add_done_callback(pending.discard)

        timer = asyncio.get_running_loop().call_later(_TYPING_AFTER, fire)
        try:
            yield
        finally:
            timer.cancel()

    async def send(
        self, chat_id: int, replies: list[Reply], update_id: int | None = None, *, reply_to: int | None = None
    ) -> None:
        """Send `replies` in order; `reply_to` (in groups) marks whose message they answer, and so whose buttons.

        Failed sends were already tried again as far as that is safe (bot.telegram.retry); a send whose answer was
        lost may have arrived, so the next replies still go out, while one that surely failed ends the turn: the
        update is tried again if it will be (`_send_message`), else the failure is counted for /stats by update id.
        """
        # Raw Bot API calls: the answer is not turned into PTB objects, which the bot never reads.
        bot = self.bot
        version = self.engine.knowledge.kb.version
        for reply in replies:
            for out in render(reply, version):
                if not self.watched.next_piece(update_id):
                    continue  # delivered by an earlier attempt at this update
                params = out.api_kwargs(chat_id)
                if reply_to is not None:
                    params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
                if not await self._send_message(bot, params, update_id):
                    return
            if reply.chart is not None and not await self._send_chart(bot, chat_id, reply.chart):
                return
            if reply.attachment is not None and not await self._send_file(bot, chat_id, reply.attachment):
                return

    async def _send_message(self, bot: Bot, params: dict[str, object], update_id: int | None) -> bool:
        """One message of `send`; False when the turn ends here (the chat blocked the bot, or it surely failed).

        A message that surely did not arrive (refused with 5xx, flood waits, unreachable, after the retries) fails
        the whole update while it will be tried again (the poller tries it again in place, Telegram re-POSTs a
        webhook update answered 500): that attempt sends it, and not what this one delivered. On the last attempt
        it is counted for /stats instead.
        """
        try:
            await _call(bot, "sendMessage", params)
        except Forbidden:
            logger.info("chat %s blocked the bot; nothing sent", params.get("chat_id"))
            return False
        except Unanswered as error:
            self.undelivered.unconfirmed(update_id)
            logger.warning("a reply to update %s may not have arrived: %s", update_id, error)
        except (BadRequest, InvalidToken):
            raise  # the bot's own mistake: the error handler logs it and apologises
        except TelegramError as error:  # 5xx, flood waits and unreachable servers, after the retries
            if self.watched.retryable(update_id):
                raise TransportError(f"a reply to update {update_id} could not be sent ({error})") from error
            self.undelivered.not_sent(update_id)
            logger.warning("a reply to update %s could not be sent: %s", update_id, error)
            return False
        self.watched.delivered(update_id)  # or may have been: not sent again
        return True

    async def _send_file(self, bot: Bot, chat_id: int, attachment: Attachment) -> bool:
        """A document after its message (the diary export, an admin's CSV); False if the chat blocked the bot."""
        document = InputFile(attachment.data, filename=attachment.filename, attach=True)
        sending = bot.send_document(chat_id, document, filename=attachment.filename, caption=attachment.note or None)
        return await _upload(chat_id, "document", sending)  # the note ("sent only to you") under the file

    async def _send_chart(self, bot: Bot, chat_id: int, chart: Chart) -> bool:
        """The chart as a photo under its message; False if the chat blocked the bot.

        Drawn in a worker thread (matplotlib, imported on the first chart only) so other chats are not held up.
        A chart that cannot be drawn or sent is logged and left out: the text already said everything.
        """
        from bot.chart import render_png

        try:
            png = await asyncio.to_thread(render_png, chart)
        except Exception:
            logger.exception("the plan chart could not be drawn; the text was sent without it")
            return True
        photo = InputFile(png, filename="plan.png")
        return await _upload(chat_id, "chart", bot.send_photo(chat_id, photo, caption=chart.caption))

    async def edit(self, message: Message, reply: Reply) -> bool:
        """Show a walkthrough step in place of the message whose button was pressed; False to send it instead."""
        pieces = render(reply, self.engine.knowledge.kb.version)
        if len(pieces) != 1:
            return False
        kwargs = pieces[0].api_kwargs(message.chat_id)
        kwargs["message_id"] = message.message_id
        try:
            await _call(self.bot, "editMessageText", kwargs)
        except BadRequest as error:
            return "not modified" in str(error).lower()
        except TelegramError as error:  # after the retries: the step is sent as a new message instead
            logger.warning("editing a step message failed (%s); sending it instead", error)
            return False
        return True


async def _call(bot: Bot, method: str, params: dict[str, object]) -> object:
    """One Bot API call whose answer stays JSON: sendMessage and editMessageText on the hot path.

    The bot never reads the Message Telegram returns, and PTB's typed `send_message` / `edit_message_text` would
    build one from every answer: measured at 111 µs per call for a typical answer with a keyboard, about a tenth of
    the advisor's CPU per message, which the load bench's margin over a bare PTB bot cannot spare. `_post` is PTB's
    own single entry to the API (defaults, rate limiter, error mapping); the public `do_api_request` does the same
    but warns for methods PTB wraps. Calls whose answer is only True use PTB's public methods.
    """
    return await bot._post(method, params)  # noqa: SLF001 -- deliberate, for the reason above


async def _upload(chat_id: int, what: str, sending: Awaitable[Message]) -> bool:
    """Send a file (multipart, through the same client as every call); False if the chat blocked the bot. A file
    that cannot be sent is logged and left out: its message already went."""
    try:
        await sending
    except Forbidden:
        logger.info("chat %s blocked the bot; no %s sent", chat_id, what)
        return False
    except TelegramError:
        logger.exception("the %s could not be sent", what)
    return True
