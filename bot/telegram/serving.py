"""Runs the built Application: long polling or a webhook, inside a caller's event loop (`running`, `receiving`)
or as `advisor run` (`run_bot`: signals, token redaction in logs, waiting until the Bot API is reachable).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import Config
from bot.errors import TransportError
from bot.telegram.application import AnyApplication, Built, build
from bot.telegram.poller import Poller
from bot.telegram.transport import REMINDER_POLL
from bot.telegram.updates import ANSWER_WITHIN, Handle, WebhookServer

logger = logging.getLogger(__name__)

#: The only updates the bot asks Telegram for.
ALLOWED_UPDATES = ("message", "callback_query")
#: Seconds updates in flight get to finish when the bot stops; those still running come again after a restart.
STOP_GRACE = 1.5


@asynccontextmanager
async def running(
    config: Config,
    *,
    clock: Callable[[], float] = time.time,
    reminder_poll: float = REMINDER_POLL,
    stop_grace: float = STOP_GRACE,
) -> AsyncIterator[AnyApplication]:
    """The bot long-polling until the block ends, for callers that own the event loop (tests, embedding programs);
    `stop_grace` is how long updates in flight get to finish when the block ends."""
    built = build(config, clock=clock, reminder_poll=reminder_poll)
    async with _polling(built, config, stop_grace=stop_grace) as (app, _):
        yield app


@asynccontextmanager
async def receiving(
    config: Config,
    *,
    clock: Callable[[], float] = time.time,
    reminder_poll: float = REMINDER_POLL,
    answer_within: float = ANSWER_WITHIN,
    stop_grace: float = STOP_GRACE,
) -> AsyncIterator[AnyApplication]:
    """The bot receiving updates by webhook (`telegram.webhook`) until the block ends, for callers that own the event
    loop; `answer_within` is how long a POST waits for its update before it is answered 503, `stop_grace` how long
    updates in flight get to finish when the block ends."""
    built = build(config, clock=clock, reminder_poll=reminder_poll)
    async with _webhook(built, config, answer_within=answer_within, stop_grace=stop_grace):
        yield built.app


@asynccontextmanager
async def _polling(
    built: Built, config: Config, *, stop_grace: float = STOP_GRACE
) -> AsyncIterator[tuple[AnyApplication, asyncio.Task[None]]]:
    """Start the application and poll with `Poller` (updates confirmed once handled); yield it and the poll task.

    Starts and stops in the order of PTB's `run_polling` — initialise, post_init (storage, knowledge, commands),
    start, poll; then stop polling, let updates in flight finish (and confirm them), stop, shut down,
    post_shutdown — so the storage is open exactly while updates flow.
    """

    app = built.app

    def polling_failed(error: TelegramError) -> None:  # as run_polling does: the error handler decides
        app.create_task(app.process_error(update=None, error=error))

    poller = Poller(app.bot, built.polling, _handler(built), timeout=config.telegram.poll_timeout,
                    allowed_updates=ALLOWED_UPDATES, on_error=polling_failed, reader=built.reader,
                    attempts=built.transport.attempts)  # fmt: skip
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        await app.bot.delete_webhook()  # getUpdates is refused while a webhook is set
        task = asyncio.create_task(poller.run())
        try:
            yield app, task
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await poller.drain(stop_grace)
    finally:
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def _handler(built: Built) -> Handle:
    """Handles one update with PTB's own processor (at most concurrent_updates at once); True if no handler raised.

    `retryable` tells the error handler whether the update will be tried again (then the user gets no apology yet).
    """
    app, transport = built.app, built.transport

    async def handle(update: Update, retryable: bool) -> bool:
        transport.watched.start(update.update_id, retryable)
        try:
            await app.update_processor.process_update(update, app.process_update(update))
        finally:
            handled = transport.watched.finish(update.update_id)
        return handled

    return handle


async def _poll_until_stopped(built: Built, config: Config) -> None:
    """`advisor run` in polling mode: until SIGINT or SIGTERM, or until Telegram refuses the token."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):  # no signal handlers on Windows' event loop: Ctrl+C still ends it
            loop.add_signal_handler(signum, stop.set)
    async with _polling(built, config) as (_, polling):
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([polling, stopping], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if polling.done() and not polling.cancelled() and polling.exception() is not None:
            raise polling.exception()  # type: ignore[misc]


@asynccontextmanager
async def _webhook(
    built: Built, config: Config, *, answer_within: float = ANSWER_WITHIN, stop_grace: float = STOP_GRACE
) -> AsyncIterator[WebhookServer]:
    """Start the application and receive updates by webhook with our receiver (bot.telegram.updates) in place of
    PTB's: it answers an update only once handled, and skips one it cannot read where PTB answers 400 (so that
    Telegram sends it, and all behind it, again). Same start and stop order as `_polling`; updates in flight at the
    stop get `stop_grace` seconds, then 503 (Telegram sends them again after a restart)."""
    webhook = config.telegram.webhook
    app = built.app
    server = WebhookServer(built.reader, _handler(built), path=webhook.path, secret=webhook.secret_token,
                           answer_within=answer_within, attempts=built.transport.attempts)  # fmt: skip
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        server.listen(webhook.port, webhook.listen)
        try:
            await app.bot.set_webhook(webhook.url, secret_token=webhook.secret_token, allowed_updates=ALLOWED_UPDATES)
            logger.info("receiving updates by webhook on %s:%d", webhook.listen, webhook.port)
            yield server
        finally:
            await server.stop(stop_grace)
    finally:
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def _serve_webhook(built: Built, config: Config) -> None:
    """`advisor run` in webhook mode until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):  # no signal handlers on Windows' event loop: Ctrl+C still ends it
            loop.add_signal_handler(signum, stop.set)
    async with _webhook(built, config):
        await stop.wait()


class _Redacted(logging.Filter):
    """Blanks the token wherever a library writes it (PTB's InvalidToken message quotes it), tracebacks included."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, "<token>")
        return True


def _fast_event_loop() -> None:
    """uvloop where it exists (Linux, macOS): the bot's work is mostly many small socket reads and writes, which it
    does with far less CPU than asyncio's own loop. Elsewhere the standard loop is used."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


async def _until_reachable(bot: Bot) -> None:
    """Wait, saying so, until the Bot API answers; a token it rejects ends the wait with InvalidToken.

    PTB would retry on its own too, but silently: an admin whose network or TELEGRAM_API_BASE_URL is wrong should
    see why the bot is not answering.
    """
    delay = 1.0
    try:
        while True:
            try:
                await bot.initialize()
            except InvalidToken:
                raise
            except NetworkError as error:
                logger.warning("cannot reach the Telegram Bot API (%s); trying again in %.0f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(30.0, delay * 2)
            else:
                await bot.shutdown()  # the application initialises it again, on its own event loop
                return
    finally:
        await bot.request.shutdown()  # a failed initialize leaves the client open; its loop ends here


def run_bot(config: Config, *, clock: Callable[[], float] = time.time) -> int:
    """`advisor run`: long polling by default, a webhook when configured. Blocks until stopped."""
    built = build(config, clock=clock)  # first: it refuses a missing or malformed token
    app = built.app
    root = logging.getLogger()
    root.setLevel(config.log_level)
    for handler in root.handlers:
        handler.addFilter(_Redacted(config.telegram.token))
    tg = config.telegram
    _fast_event_loop()
    try:
        asyncio.run(_until_reachable(app.bot))
        if tg.webhook.enabled:
            asyncio.run(_serve_webhook(built, config))
        else:
            asyncio.run(_poll_until_stopped(built, config))
    except InvalidToken as error:
        raise TransportError("Telegram rejected the token; check TELEGRAM_BOT_TOKEN") from error
    return 0
