"""Long polling that acknowledges an update to Telegram only after the bot has handled it (at least once).

PTB's `Updater` confirms a batch of updates (the next ``getUpdates`` offset) as soon as it has fetched it, so a crash
between fetching and handling loses those updates: a pressed button applied but never answered. This poller keeps
the offset at the oldest update still being handled — its new state saved and its replies sent, or given up and
counted — so after a crash Telegram delivers again every update that was not finished; the engine recognises the
ones whose state was already saved and sends their reply again instead of applying them twice.

While an update is in flight every ``getUpdates`` returns it again (its offset is not confirmed); those are skipped
by id. So that this costs little, after a batch the poller asks again once three quarters of what is in flight has
finished (after a fetch with nothing new: once one more has), or after half a second: no busy loop behind a slow
update, and few updates fetched twice under load. An answer holds at most ``limit`` updates counted from the oldest
one in flight, so while that one holds the offset back, a fetch brings few new updates, or none, among the ones
already in hand: the poller then also waits for room for at least a quarter of ``limit`` (under the load bench, one
slow update made it fetch the same 100 updates ten times in a row). At most ``limit`` updates are in flight. But an
update already handled is confirmed within ``_CONFIRM_WITHIN`` (the offset moved on: a fetch then confirms it), since
every update handled and not yet confirmed is answered a second time after a crash (under ``bench.faults`` kill -9,
with the half-second wait, 16% of all updates were).

An update whose handling failed (a handler raised: the database could not save, a reply was refused) is tried again
in place, after a short wait, as Telegram tries a webhook update answered 500 again: at most
`FailedAttempts.limit` attempts in all, counted in the database so a restart does not start the count again; the
last failure is given up (the user gets the apology, /stats counts its update id). While it waits, it holds the
offset back and nothing else: the other updates are fetched and handled meanwhile.

The answer is read as JSON and each update parsed on its own, so one update the library cannot read is skipped
(logged without its content) instead of failing the whole batch forever.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, Final
from urllib.parse import urlencode

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError
from telegram.request import BaseRequest

from bot.telegram.updates import FailedAttempts, Handle, UpdateReader

logger = logging.getLogger(__name__)

#: How long the poller waits for an in-flight update to finish before fetching again when nothing new came.
_IDLE_WAIT: Final = 0.5
#: Seconds an update already handled may wait to be confirmed (the next getUpdates) while others are in flight: a
#: crash in between makes Telegram deliver it again, and the user is sent its replies a second time.
_CONFIRM_WITHIN: Final = 0.05
#: Pause after a failed getUpdates (the request has already tried again as far as the retry policy allows).
_FAILED_WAIT: Final = 1.0
#: Extra seconds the HTTP read may take beyond the long-poll timeout itself.
_READ_MARGIN: Final = 10.0
#: Seconds before an update whose handler raised is tried again, times the failures so far.
RETRY_WAIT = 0.5


class Poller:
    """Fetches updates with ``getUpdates`` and hands each to `handle`; confirms an update only once it is done."""

    def __init__(
        self,
        bot: Bot,
        request: BaseRequest,
        handle: Handle,
        *,
        timeout: int = 30,
        allowed_updates: Sequence[str] = (),
        limit: int = 100,
        on_error: Callable[[TelegramError], None] | None = None,
        reader: UpdateReader | None = None,
        attempts: FailedAttempts | None = None,
        retry_wait: float | None = None,
    ) -> None:
        self._bot = bot
        self._request = request
        self._handle = handle
        self._timeout = timeout
        self._allowed = json.dumps(list(allowed_updates)) if allowed_updates else ""
        self._limit = limit
        self._on_error = on_error
        self._in_flight: set[int] = set()
        self._next = 0  # the first update id not yet seen (0: whatever Telegram has)
        self._confirmed = 0  # the offset the last getUpdates sent: updates below it are confirmed
        self._progress = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._reader = reader or UpdateReader(bot)  # counts the updates it could not read
        self.attempts = attempts or FailedAttempts()  # failed attempts per update id, across restarts
        self._retry_wait = RETRY_WAIT if retry_wait is None else retry_wait

    @property
    def offset(self) -> int:
        """The offset the next getUpdates confirms up to: the oldest update not yet handled."""
        return min(self._in_flight) if self._in_flight else self._next

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def run(self) -> None:
        """Poll until cancelled. Updates being handled go on; `drain` waits for them and confirms them."""
        while True:
            try:
                batch = await self._fetch()
            except InvalidToken:
                raise
            except TelegramError as error:  # Conflict included: another instance polls; it may stop
                logger.warning("getUpdates failed (%s); trying again", error)
                if self._on_error is not None:
                    self._on_error(error)
                await asyncio.sleep(_FAILED_WAIT)
                continue
            fresh = [item for item in batch if self._is_new(item)]
            for item in fresh:
                self._start(item)
            # Every poll brings back what is still in flight, so ask again once most of it is done (or one update
            # is, when nothing new came), or after _IDLE_WAIT: fewer, smaller answers under load, no busy loop.
            await self._settle(len(self._in_flight) // 4 if fresh else len(self._in_flight) - 1)

    @property
    def room(self) -> int:
        """How many new updates the next getUpdates can bring at most: its answer starts at the offset."""
        return self._limit - (self._next - self.offset) if self._next else self._limit

    async def _settle(self, low_water: int) -> None:
        """Wait until at most `low_water` updates are in flight and a fetch has room for a quarter of the limit of new
        ones (or nothing is in flight), or _IDLE_WAIT has passed; or, once handled updates wait to be confirmed (the
        offset moved past what the last fetch confirmed), _CONFIRM_WITHIN has passed since."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _IDLE_WAIT
        try:
            async with asyncio.timeout_at(deadline) as timer:
                while self._in_flight and (len(self._in_flight) > low_water or self.room < self._limit // 4):
                    if self.offset > self._confirmed:
                        timer.reschedule(min(deadline, loop.time() + _CONFIRM_WITHIN))
                        deadline = timer.when() or deadline
                    self._progress.clear()
                    await self._progress.wait()
        except TimeoutError:
            pass

    async def drain(self, grace: float) -> None:
        """After `run` has stopped: let updates in flight finish for up to `grace` seconds, then confirm what did.

        Updates still unfinished are cancelled and left unconfirmed: Telegram delivers them again next time.
        """
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._next:
            try:
                await self._fetch(final=True)
            except TelegramError as error:
                logger.warning("could not confirm the handled updates before stopping (%s)", error)

    async def _fetch(self, *, final: bool = False) -> list[Any]:
        """One getUpdates: a long poll when nothing is in flight (else Telegram answers at once anyway)."""
        wait = 0 if final or self._in_flight else self._timeout
        query: dict[str, object] = {"timeout": wait, "limit": 1 if final else self._limit}
        self._confirmed = self.offset
        if self.offset:
            query["offset"] = self.offset
        if self._allowed:
            query["allowed_updates"] = self._allowed
        # BaseRequest.post: PTB's public entry for a raw call; the answer stays JSON so updates already in flight
        # (fetched again because their offset is not confirmed yet) are not parsed again.
        result = await self._request.post(
            f"{self._bot.base_url}/getUpdates?{urlencode(query)}", read_timeout=wait + _READ_MARGIN
        )
        batch = result if isinstance(result, list) else []
        if not self._confirmed:  # no offset sent: everything below the first update in the answer is confirmed
            self._confirmed = min((item["update_id"] for item in batch if self._has_id(item)), default=0)
        return batch

    @staticmethod
    def _has_id(item: Any) -> bool:
        return isinstance(item, dict) and isinstance(item.get("update_id"), int)

    def _is_new(self, item: Any) -> bool:
        if not self._has_id(item):
            logger.error("getUpdates returned an update without an id; ignored")
            return False
        update_id: int = item["update_id"]
        return update_id >= self._next and update_id not in self._in_flight

    def _start(self, item: dict[str, Any]) -> None:
        update_id: int = item["update_id"]
        self._next = max(self._next, update_id + 1)
        update = self._reader.read(item)
        if update is None:  # unreadable, or dropped unread by the budget: confirmed with the next offset
            return
        self._in_flight.add(update_id)
        task = asyncio.create_task(self._run(update_id, update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, update_id: int, update: Update) -> None:
        """Handle `update` until it is handled or has failed `attempts.limit` times (counted across restarts); only
        then is it confirmed. Between attempts it holds the offset back but not the other updates."""
        failures = await self.attempts.before(update_id)
        while True:
            retryable = failures + 1 < self.attempts.limit
            try:
                handled = await self._handle(update, retryable)
            except Exception:
                logger.exception("handling update %d failed", update_id)
                handled = False
            if handled or not retryable:
                await self.attempts.done(update_id, handled=handled)
                break
            failures = await self.attempts.failed(update_id)
            logger.warning("update %d failed; trying it again (attempt %d)", update_id, failures + 1)
            await asyncio.sleep(self._retry_wait * failures)
        # Cancelled (stopping) skips this: the update stays unconfirmed and comes again after a restart.
        self._in_flight.discard(update_id)
        self._progress.set()
