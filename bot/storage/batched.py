"""Writes that confirm nothing to the user — unanswered questions, answer outcomes, the walkthrough funnel — kept in
memory and written in batches, so no disk write sits on the path of a reply."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.redact import redact
from bot.errors import StorageError
from bot.storage.base import StorageBase
from bot.storage.records import MAX_QUESTION_CHARS, normalize_question

logger = logging.getLogger(__name__)

#: Unmatched questions are written in batches of at most this many rows, or this many seconds after the first.
_UNMATCHED_BATCH = 64
_UNMATCHED_DELAY = 1.0


class BatchedWrites(StorageBase):
    """`Storage`'s batched writes; `_write_unmatched` writes what waits (every read of them calls it first)."""

    def __init__(self, connection: aiosqlite.Connection, path: Path, clock: Callable[[], float]) -> None:
        super().__init__(connection, path, clock)
        self._unmatched: list[tuple[Any, ...]] = []
        self._outcomes: Counter[tuple[int, str]] = Counter()  # (unix hour, status) → answers not yet written
        self._reached: list[tuple[int, str, float]] = []  # (user, step, at) not yet written
        self._unmatched_timer: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[None]] = set()

    async def log_unmatched(
        self,
        user_id: int,
        question: str,
        lang: str,
        best_entry: str | None,
        score: float,
        *,
        update_id: int | None = None,
    ) -> None:
        """Keep a question the knowledge base could not answer, personal data blanked (`redact`), cut to
        `MAX_QUESTION_CHARS`.

        The same `update_id` from the same user is kept once: Telegram redelivers an update whose offset was not
        confirmed before a crash, and the admins' report should count the question once.

        Unlike a walkthrough step this confirms nothing to the user, so it is written in batches (at most
        `_UNMATCHED_BATCH` rows or `_UNMATCHED_DELAY` seconds later, and before any read, /forget or close):
        no disk write on the path of an unanswered question.
        """
        question = redact(question)[:MAX_QUESTION_CHARS]
        row = (user_id, question, normalize_question(question), lang, best_entry, score, self._clock(), update_id)
        self._unmatched.append(row)
        if len(self._unmatched) >= _UNMATCHED_BATCH:
            await self._write_unmatched()
        elif self._unmatched_timer is None:
            loop = asyncio.get_running_loop()
            self._unmatched_timer = loop.call_later(_UNMATCHED_DELAY, self._write_unmatched_later)
        logger.debug("unmatched question recorded (lang %s, best %.2f)", lang, score)

    def _write_unmatched_later(self) -> None:
        self._unmatched_timer = None
        task = asyncio.ensure_future(self._write_unmatched())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def count_outcome(self, status: str) -> None:
        """Count one answer's outcome (answered / clarified / fallback) for /stats; written with the next batch."""
        self._outcomes[(int(self._clock() // 3600), status)] += 1
        self._write_soon()

    def note_reached(self, user_id: int, step: str) -> None:
        """Remember that a user reached a walkthrough step (the funnel in /stats); written with the next batch."""
        self._reached.append((user_id, step, self._clock()))
        self._write_soon()

    def _write_soon(self) -> None:
        if self._unmatched_timer is None and self._connection is not None:
            loop = asyncio.get_running_loop()
            self._unmatched_timer = loop.call_later(_UNMATCHED_DELAY, self._write_unmatched_later)

    async def _write_unmatched(self) -> None:
        if self._unmatched_timer is not None:
            self._unmatched_timer.cancel()
            self._unmatched_timer = None
        await self._write_counts()
        rows, self._unmatched = self._unmatched, []
        if not rows:
            return
        try:
            async with self._transaction("record unmatched questions") as connection:
                await connection.executemany(
                    """
                    INSERT INTO unmatched
                        (user_id, question, normalized, lang, best_entry, score, asked_at, update_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (user_id, update_id) DO NOTHING
                    """,
                    rows,
                )
        except StorageError:
            logger.exception("%d unmatched questions could not be recorded", len(rows))

    async def _write_counts(self) -> None:
        outcomes, self._outcomes = self._outcomes, Counter()
        reached, self._reached = self._reached, []
        if not outcomes and not reached:
            return
        try:
            async with self._transaction("record statistics") as connection:
                await connection.executemany(
                    "INSERT INTO outcomes (hour, status, n) VALUES (?, ?, ?) "
                    "ON CONFLICT (hour, status) DO UPDATE SET n = n + excluded.n",
                    [(hour, status, n) for (hour, status), n in outcomes.items()],
                )
                await connection.executemany(
                    "INSERT INTO reached (user_id, step, at) VALUES (?, ?, ?) ON CONFLICT (user_id, step) DO NOTHING",
                    reached,
                )
        except StorageError:
            logger.exception("statistics (%d outcomes, %d steps) could not be recorded", len(outcomes), len(reached))
