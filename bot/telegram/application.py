"""Builds the PTB Application: the Bot API clients, the token check, the rate limiter and the handlers, wired to
one `Transport`; nothing is started here.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.config import Config, TelegramConfig
from bot.errors import ConfigError
from bot.telegram.admin_commands import ADMIN_COMMANDS
from bot.telegram.request import AiohttpRequest, redact
from bot.telegram.retry import RetryPolicy
from bot.telegram.transport import REMINDER_POLL, USER_COMMANDS, Transport
from bot.telegram.updates import UpdateReader

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
#: Updates PTB lets in at once, most of them only waiting for their chat's turn (see Transport._working).
_WAITING_UPDATES = 1024
#: request URLs) below these levels; they are held there whatever level the root logger has.
_QUIET_LIBRARIES = {"telegram": logging.INFO, "aiosqlite": logging.INFO, "httpx": logging.WARNING,
                    "httpcore": logging.WARNING, "aiohttp": logging.WARNING}  # fmt: skip


def _requests(config: TelegramConfig) -> tuple[AiohttpRequest, AiohttpRequest]:
    """The Bot API clients (bot.telegram.request): a pool for sending, one connection for long polling."""
    policy = RetryPolicy(attempts=config.retry.attempts, max_wait=config.retry.max_wait)
    if config.proxy:
        logger.info("Bot API calls go through the proxy %s", redact(config.proxy))
    return (
        AiohttpRequest(config.connection_pool_size, proxy=config.proxy, policy=policy),
        AiohttpRequest(1, proxy=config.proxy, policy=policy),
    )


AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(
    config: Config, *, clock: Callable[[], float] = time.time, reminder_poll: float = REMINDER_POLL
) -> AnyApplication:
    """The PTB Application, wired but not started; nothing touches the network or disk until it initialises.

    `clock` is what reminders take as now (tests move it); `reminder_poll` how often, in seconds, they are looked for.
    """
    return build(config, clock=clock, reminder_poll=reminder_poll).app


class Built(NamedTuple):
    """The Application, the client its long polling uses (for `Poller`), the reader of raw updates (both modes
    parse each update on its own through it; it counts the unreadable ones for /stats) and the handlers' owner."""

    app: AnyApplication
    polling: AiohttpRequest
    reader: UpdateReader
    transport: Transport


def build(config: Config, *, clock: Callable[[], float] = time.time, reminder_poll: float = REMINDER_POLL) -> Built:
    """The wired Application and what the ways of receiving updates need from it (see `Built`)."""
    token = config.telegram.token
    if not token:
        raise ConfigError("no Telegram token: set TELEGRAM_BOT_TOKEN (or telegram.token in config.yaml)")
    if not _TOKEN.match(token):
        raise ConfigError("the Telegram token does not look like '123456:ABC…'; copy it again from @BotFather")
    _quiet_libraries()
    transport = Transport(config, clock=clock, reminder_poll=reminder_poll)
    tg = config.telegram
    sending, polling = _requests(tg)
    builder = (
        ApplicationBuilder()
        .token(token)
        .concurrent_updates(max(_WAITING_UPDATES, tg.concurrent_updates))  # see Transport._working
        .request(sending)
        .get_updates_request(polling)
        .post_init(transport.post_init)
        .post_shutdown(transport.post_shutdown)
    )
    if tg.base_url:
        builder = builder.base_url(tg.base_url)
    limits = tg.rate_limit
    app: Application[Any, Any, Any, Any, Any, Any]
    if limits.overall_per_second or limits.group_per_minute:
        limiter = AIORateLimiter(
            overall_max_rate=limits.overall_per_second,
            group_max_rate=limits.group_per_minute,
            max_retries=0,  # 429s are waited out by the one retry policy, in the request (bot.telegram.retry)
        )
        app = builder.rate_limiter(limiter).build()
    else:  # nothing to throttle; a 429 "retry after" is still waited out by the request's retry policy
        app = builder.build()
    commands = (*USER_COMMANDS, *ADMIN_COMMANDS)
    in_order = transport.in_order
    app.add_handler(CommandHandler(list(commands), in_order(transport.on_command)))
    app.add_handler(MessageHandler(filters.COMMAND, in_order(transport.on_command)))  # unknown commands get help
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, in_order(transport.on_text)))
    app.add_handler(CallbackQueryHandler(in_order(transport.on_press)))
    app.add_handler(MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, in_order(transport.on_other)))
    app.add_error_handler(transport.on_error)
    reader = transport.reader = UpdateReader(app.bot, transport.screen)
    return Built(app, polling, reader, transport)


def _quiet_libraries() -> None:
    for name, level in _QUIET_LIBRARIES.items():
        library = logging.getLogger(name)
        if library.level < level:  # unset (0) included; a stricter level set by an admin stays
            library.setLevel(level)
