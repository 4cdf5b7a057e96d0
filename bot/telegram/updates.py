"""Reading updates one by one, so one the Telegram library cannot parse is skipped instead of stopping the bot,
and the webhook server that uses it, which confirms an update to Telegram only once it has been handled.

A Bot API server older than the library (a self-hosted one) or a field Telegram ships before the library knows it
can make PTB refuse an update. PTB's own webhook answers such a POST with 400, so Telegram sends it again and again
and every update behind it waits. Here each update is parsed on its own: an unreadable one is counted, logged once
by its id (never its content: it holds a user's message) and confirmed, and the others are handled.

The webhook server is tornado (what PTB's `webhooks` extra installs); it checks the secret token in constant time and
accepts only JSON. Telegram takes a 2xx answer as "delivered" and any other answer (or none) as "send it again", so
the answer waits until the update was handled — its new state saved and its replies sent — as long polling confirms
an update only then (bot.telegram.poller): at least once, whichever way updates arrive. After a crash Telegram sends
the unanswered update again and the engine, which kept the replies of the last update it applied, sends those again
instead of applying it twice. So:

- handled → 200; unreadable (poison) → 200, counted and logged once by id;
- a handler raised → 500, and Telegram sends it again; on the `ATTEMPTS`-th failure it is given up (the user gets the
  apology, the update 200, /stats counts it by id), so a bug that fails every time cannot hold up the bot forever.
  The failures are counted in the database (`FailedAttempts`, shared with long polling), so a restart in between
  does not start the count again;
- still being handled after `ANSWER_WITHIN` seconds (Telegram stops waiting for an answer at about a minute and
  sends the update again) → 503; the handling goes on, and the update sent again waits for that same handling instead
  of starting a second one (and one already finished by then gets 200 at once);
- the bot stops while an update is in flight → it gets `STOP_GRACE`-bounded time to finish, else 503.

Telegram sends one chat's updates in order; the transport's per-chat turns (bot.telegram.transport) keep them in that
order when several connections deliver at once. An update that failed and comes again later is the exception: the
chat's newer updates may have been handled meanwhile.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import OrderedDict, deque
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any, Final

import tornado.httpserver
import tornado.web
from telegram import Bot, Update

from bot.errors import StorageError
from bot.storage import Storage

logger = logging.getLogger(__name__)

#: The largest update body accepted (Telegram's are a few kilobytes; a forged call might not be).
MAX_BODY_BYTES = 1_000_000
#: Seconds an update is waited for before answering 503: well inside the ~60 s Telegram waits for an answer.
ANSWER_WITHIN: Final = 45.0
#: Attempts at an update whose handler raises; the last failure is answered 200 (given up, counted in /stats).
ATTEMPTS: Final = 3
#: How many finished update ids are remembered, so a POST repeated after a 503 is not handled a second time.
_REMEMBERED: Final = 4096
#: Seconds the answers of cancelled updates get to be written when the bot stops.
_ANSWERING: Final = 0.2

#: How many update ids of updates given up /stats lists (the newest).
_GIVEN_UP_SHOWN: Final = 10

#: Handles one update; `retryable` says whether a failure will be tried again (then the user gets no apology yet).
#: Returns True when the update was handled, False when a handler raised.
Handle = Callable[[Update, bool], Coroutine[Any, Any, bool]]


class FailedAttempts:
    """Failed attempts per update, bounded at `limit` across restarts, and the updates given up (for /stats).

    The counts live in the database (`storage()`, once it is open) so that an update failing every time is given
    up after `limit` attempts even if the bot restarts in between (Telegram then delivers it again); while there
    is no database, or it cannot be written, they are kept in memory. Only update ids: never an update's content.
    """

    def __init__(self, storage: Callable[[], Storage | None] = lambda: None, *, limit: int = ATTEMPTS) -> None:
        self.limit = limit
        self._storage = storage
        self._memory: OrderedDict[int, int] = OrderedDict()
        self._earlier: dict[int, int] | None = None  # counts on disk from before this run, until their update comes
        self.given_up = 0
        self.recent: deque[int] = deque(maxlen=_GIVEN_UP_SHOWN)  # ids of the newest updates given up

    async def before(self, update_id: int) -> int:
        """How many attempts at `update_id` failed so far.

        The counts left on disk by an earlier run are read once, when the database is first there: after that this
        process is the only writer, and `failed` keeps memory and disk alike, so no update costs a database read.
        """
        storage = self._storage()
        if storage is not None and self._earlier is None:
            try:
                self._earlier = await storage.all_update_failures()
            except StorageError as error:
                logger.warning("failed attempts of an earlier run not read (%s); counting in memory", error)
        stored = self._earlier.pop(update_id, 0) if self._earlier else 0
        if stored > self._memory.get(update_id, 0):
            self._memory[update_id] = stored  # failed before a restart: `done` clears its row
            _trim(self._memory)
        return self._memory.get(update_id, 0)

    async def failed(self, update_id: int) -> int:
        """Record one more failed attempt (durably, when the database is open); returns how many there are now."""
        count = self._memory.get(update_id, 0) + 1
        storage = self._storage()
        if storage is not None:
            try:
                count = max(count, await storage.add_update_failure(update_id))
            except StorageError as error:
                logger.warning("failed attempt at update %d not saved (%s); counting in memory", update_id, error)
        self._memory[update_id] = count
        self._memory.move_to_end(update_id)
        _trim(self._memory)
        return count

    async def done(self, update_id: int, *, handled: bool) -> None:
        """`update_id` is finished with: handled, or (`handled` False) given up after its last attempt."""
        if not handled:
            self.given_up += 1
            self.recent.append(update_id)
            logger.error("update %d failed %d times; given up", update_id, self.limit)
        had = self._memory.pop(update_id, 0)
        storage = self._storage()
        if storage is not None and (had or not handled):
            with suppress(StorageError):  # a row left behind is pruned after two days
                await storage.clear_update_failures(update_id)

    def summary(self) -> str:
        updates = f" (updates {', '.join(map(str, self.recent))})" if self.recent else ""
        return f"updates given up after {self.limit} failed attempts {self.given_up}{updates}"


#: Decides, before an update is parsed, whether it is read at all: (update id, sender's user id, whether it is a button
#: press, its text or caption as sent) → False to drop it unread. The transport's per-user budget (bot.flood) is this.
Screen = Callable[[int, int, bool, str], bool]


class UpdateReader:
    """Parses raw updates one at a time and counts the ones that could not be read (shown in /stats).

    A `screen` sees each update's sender before it is parsed: an update it refuses is dropped unread. Parsing is
    most of what an update costs the bot (about 0.2 ms for a text message, where the budget's verdict costs a
    microsecond), and a flooder's thousands of messages must cost next to nothing, or the others' messages queued
    behind them in Telegram's one update queue wait until the bot has read through them all.
    """

    def __init__(self, bot: Bot, screen: Screen | None = None) -> None:
        self.bot = bot
        self.skipped = 0
        self._screen = screen

    def read(self, raw: Any) -> Update | None:
        """`raw` as an Update; None when it could not be read (counted in `skipped`) or the screen dropped it."""
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        try:
            if not isinstance(update_id, int):
                raise ValueError("no update_id")
            if self._screen is not None:
                sender = _sender(raw)
                if sender is not None and not self._screen(update_id, *sender):
                    return None
            return Update.de_json(raw, self.bot)
        except Exception:  # any library failure on one update must not stop the others
            self.skipped += 1
            # Never the update itself, nor the exception text (it may quote the update): only its id.
            logger.error("update %s could not be read by the Telegram library; skipped", update_id)
            return None


def _sender(raw: dict[str, Any]) -> tuple[int, bool, str] | None:
    """(user id, whether it is a button press, its text or caption) of a raw update, from its one content field;
    None if it has no sender."""
    for kind, content in raw.items():
        if kind == "update_id" or not isinstance(content, dict):
            continue
        author = content.get("from")
        user_id = author.get("id") if isinstance(author, dict) else None
        if not isinstance(user_id, int):
            return None
        text = content.get("text") or content.get("caption")
        return user_id, kind == "callback_query", text if isinstance(text, str) else ""
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
        self.set_status(200 if update is None else await server.deliver(update))

    def log_exception(self, *args: Any) -> None:  # tornado would log the request; it may hold a user's words
        logger.debug("webhook request refused")


class WebhookServer:
    """`advisor run` in webhook mode: receives POSTed updates at `path` on `listen:port` and answers each once it is
    handled (see the module docstring for every answer)."""

    def __init__(
        self,
        reader: UpdateReader,
        handle: Handle,
        *,
        path: str,
        secret: str,
        answer_within: float = ANSWER_WITHIN,
        attempts: FailedAttempts | None = None,
    ) -> None:
        self.reader = reader
        self.secret = secret
        self._handle = handle
        self._answer_within = answer_within
        self.attempts = attempts or FailedAttempts()  # failed attempts per update id, across restarts
        self._in_flight: dict[int, asyncio.Task[bool]] = {}
        self._finished: OrderedDict[int, None] = OrderedDict()  # handled or given up: answered 200 if sent again
        self._stopping = False
        self._waiting = 0  # requests waiting for their answer
        self._idle = asyncio.Event()  # set while no request waits
        self._idle.set()
        route = "/" + path.strip("/")
        app = tornado.web.Application([(route, _Receiver, {"server": self})], log_function=lambda _handler: None)
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY_BYTES)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def listen(self, port: int, address: str) -> None:
        self._server.listen(port, address)

    async def deliver(self, update: Update) -> int:
        """The HTTP status for one delivery of `update`: 200 once it is done with, else a status Telegram retries."""
        update_id = update.update_id
        if update_id in self._finished:
            return 200  # sent again after a 503 that came before its handling finished: done, not done twice
        task = self._in_flight.get(update_id)
        if task is None:
            if self._stopping:
                return 503
            failures = await self.attempts.before(update_id)
            if update_id in self._finished:
                return 200
            task = self._in_flight.get(update_id)  # the same update POSTed again meanwhile: that handling counts
            if task is None:
                task = asyncio.create_task(self._attempt(update, failures + 1 < self.attempts.limit))
                self._in_flight[update_id] = task
                task.add_done_callback(lambda done: self._settle(update_id, done))
        # Not wait_for: the handling must go on when this answer gives up waiting (or this request is dropped).
        self._waiting += 1
        self._idle.clear()
        try:
            await asyncio.wait([task], timeout=self._answer_within)
        finally:
            self._waiting -= 1
            if not self._waiting:
                self._idle.set()
        if not task.done():
            logger.warning("update %d not handled within %.1f s; answered 503, it goes on", update_id,
                           self._answer_within)  # fmt: skip
            return 503
        if update_id in self._finished:
            return 200
        return 503 if task.cancelled() else 500

    async def _attempt(self, update: Update, retryable: bool) -> bool:
        """One attempt at `update`; its outcome is recorded (durably) before the answer to Telegram is written."""
        update_id = update.update_id
        try:
            handled = await self._handle(update, retryable)
        except Exception:
            logger.exception("handling update %d failed", update_id)
            handled = False
        if not handled and retryable:
            await self.attempts.failed(update_id)
            logger.warning("update %d failed; answered 500 so that Telegram sends it again", update_id)
            return False
        await self.attempts.done(update_id, handled=handled)
        self._finished[update_id] = None
        _trim(self._finished)
        return handled

    def _settle(self, update_id: int, task: asyncio.Task[bool]) -> None:
        self._in_flight.pop(update_id, None)
        if not task.cancelled() and task.exception() is not None:  # only if recording the outcome failed
            logger.error("handling update %d failed", update_id, exc_info=task.exception())

    async def stop(self, grace: float) -> None:
        """Stop taking updates; those in flight get `grace` seconds to finish (answered 200), the rest 503."""
        self._stopping = True
        self._server.stop()
        tasks = list(self._in_flight.values())
        if tasks:
            await asyncio.wait(tasks, timeout=grace)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with suppress(TimeoutError):  # the waiting requests write their answers (503) first
            await asyncio.wait_for(self._idle.wait(), _ANSWERING)
        await self._server.close_all_connections()


def _trim(remembered: OrderedDict[int, Any]) -> None:
    while len(remembered) > _REMEMBERED:
        remembered.popitem(last=False)
