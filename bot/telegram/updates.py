"""Reading updates one by one, so one the Telegram library cannot parse is skipped instead of stopping the bot,
and the webhook server that uses it.

A Bot API server older than the library (a self-hosted one) or a field Telegram ships before the library knows it
can make PTB refuse an update. PTB's own webhook answers such a POST with 400, so Telegram sends it again and again
and every update behind it waits. Here each update is parsed on its own: an unreadable one is counted, logged once
by its id (never its content: it holds a user's message) and confirmed, and the others are handled.

The webhook server is tornado (what PTB's `webhooks` extra installs); it checks the secret token in constant time,
accepts only JSON, hands readable updates to the Application's queue and answers 200 to everything it has taken.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Bot, Update

logger = logging.getLogger(__name__)

#: The largest update body accepted (Telegram's are a few kilobytes; a forged call might not be).
MAX_BODY_BYTES = 1_000_000


class UpdateReader:
    """Parses raw updates one at a time and counts the ones that could not be read (shown in /stats)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.skipped = 0

    def read(self, raw: Any) -> Update | None:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        try:
            if not isinstance(update_id, int):
                raise ValueError("no update_id")
            return Update.de_json(raw, self.bot)
        except Exception:  # any library failure on one update must not stop the others
            self.skipped += 1
            # Never the update itself, nor the exception text (it may quote the update): only its id.
            logger.error("update %s could not be read by the Telegram library; skipped", update_id)
            return None


class _Receiver(tornado.web.RequestHandler):
    def initialize(self, server: WebhookServer) -> None:
        self.server = server

    async def post(self) -> None:
        server = self.server
        given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), server.secret.encode()):
            raise tornado.web.HTTPError(403)
        if self.request.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise tornado.web.HTTPError(415)
        try:
            raw = json.loads(self.request.body)
        except ValueError as error:  # not JSON at all: not from Telegram
            raise tornado.web.HTTPError(400) from error
        update = server.reader.read(raw)
        if update is not None:
            await server.queue.put(update)
        self.set_status(200)

    def log_exception(self, *args: Any) -> None:  # tornado would log the request; it may hold a user's words
        logger.debug("webhook request refused")


class WebhookServer:
    """`advisor run` in webhook mode: receives POSTed updates at `path` on `listen:port`."""

    def __init__(self, reader: UpdateReader, queue: Any, *, path: str, secret: str) -> None:
        self.reader = reader
        self.queue = queue  # the Application's update queue
        self.secret = secret
        route = "/" + path.strip("/")
        app = tornado.web.Application([(route, _Receiver, {"server": self})], log_function=lambda _handler: None)
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY_BYTES)

    def listen(self, port: int, address: str) -> None:
        self._server.listen(port, address)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
