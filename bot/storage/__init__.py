"""The advisor's SQLite database: each user's walkthrough session and, for admins, the questions nobody answered.

One file, opened once at start-up with `Storage.open(path)`. What is stored is the minimum the advisor needs to
continue a conversation — the numeric Telegram user id, an optional language override, the language of the latest
message that told one (not the message), the walkthrough state the dialogue produced (as JSON) and the Telegram
update that produced it — never a name, username or phone number.
Questions the knowledge base could not answer are kept, with the asker's id so /forget can find them and the
Telegram update they came in (so a redelivered update is counted once), until `prune_unmatched` ages them out.

Durability: the database runs in WAL mode with ``synchronous=FULL``, and every write is committed before its
method returns, so a step the bot confirmed after `save_session` survives ``kill -9`` and power loss alike.

Concurrency: one connection shared by every asyncio task, one operation at a time (see `base`).

Schema: `MIGRATIONS[n]` takes the database from version ``n`` to ``n + 1`` (recorded in ``PRAGMA user_version``);
to change the schema, append a script — never edit one that has shipped.

Layout: `Storage` is assembled here from one class per job, each in its own module over `base` (the connection,
its lock and clock): `sessions`, `diary`, `reminders` (with the users' reminder preferences), `batched` (what is
written in batches: unanswered questions, outcomes, the funnel), `inbox` (feedback and the admins' inbox), `stats`
(the admins' counts) and `updates` (failed attempts at an update). This module adds opening, closing and /forget,
which span them all. Beside them: `schema` the migrations, `records` the rows returned, `sqlite` opening and
migrating a connection, `codecs` the JSON columns.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from bot.errors import StorageError
from bot.storage.diary import Diary
from bot.storage.inbox import Inbox
from bot.storage.records import (
    MAX_QUESTION_CHARS,
    WALKTHROUGH_KEY,
    DiaryRow,
    Session,
    StorageStats,
    StoredReminder,
    UnmatchedSummary,
    normalize_question,
)
from bot.storage.reminders import Reminders
from bot.storage.schema import MIGRATIONS, USER_TABLES
from bot.storage.sessions import Sessions
from bot.storage.sqlite import configure, migrate
from bot.storage.stats import Statistics
from bot.storage.updates import UpdateFailures

__all__ = [
    "MAX_QUESTION_CHARS",
    "MIGRATIONS",
    "WALKTHROUGH_KEY",
    "DiaryRow",
    "Session",
    "Storage",
    "StorageStats",
    "StoredReminder",
    "UnmatchedSummary",
    "normalize_question",
]

logger = logging.getLogger(__name__)


class Storage(Sessions, Inbox, Statistics, Diary, Reminders, UpdateFailures):
    """Repository over one SQLite file; create with `await Storage.open(path)`, finish with `close()`."""

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        migrations: Sequence[str] = MIGRATIONS,
        clock: Callable[[], float] = time.time,
    ) -> Self:
        """Open (creating if needed) and migrate the database at `path`.

        Raises `StorageError` with a sentence an admin can act on when the folder cannot be created, the file
        cannot be opened, is not a SQLite database, cannot use WAL, or has a schema newer than `migrations`.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(
                f"Cannot create the folder {path.parent} for the database: {error.strerror or error}."
            ) from error
        # isolation_level=None: no implicit transactions; this module says BEGIN and COMMIT itself.
        pending = aiosqlite.connect(path, isolation_level=None)
        try:
            connection = await pending
        except sqlite3.Error as error:
            # aiosqlite stops its worker thread on a failed connect without waiting for it; wait here, so the
            # thread never reports back to an event loop that is gone.
            worker = getattr(pending, "_thread", None)
            if worker is not None:
                await asyncio.to_thread(worker.join, 5)
            raise StorageError(f"Cannot open the database {path}: {error}.") from error
        try:
            await configure(connection, path)
            version = await migrate(connection, path, migrations)
        except BaseException:
            await connection.close()
            raise
        logger.info("database %s open at schema version %d", path, version)
        return cls(connection, path, clock)

    async def close(self) -> None:
        """Close the connection (after saves under way are written); safe to call twice."""
        if self._connection is not None:
            await self._write_unmatched()
        if self._flusher is not None and not self._flusher.done():
            await asyncio.wait([self._flusher])
        async with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None:
                await connection.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def forget_user(self, user_id: int) -> bool:
        """Erase every row about the user, all or nothing. True if anything was stored."""
        await self._write_unmatched()
        async with self._transaction("forget a user") as connection:
            sessions = await connection.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
            questions = await connection.execute("DELETE FROM unmatched WHERE user_id = ?", (user_id,))
            others = 0
            tables = await connection.execute_fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
            present = {row[0] for row in tables}  # a database opened with fewer migrations (tests) lacks some
            for table in (table for table in USER_TABLES if table in present):
                cursor = await connection.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
                others += cursor.rowcount
        # No user id here: the log should not remember whom it forgot.
        logger.info(
            "forgot a user: %d session(s), %d unmatched question(s), %d other row(s)",
            sessions.rowcount, questions.rowcount, others,
        )  # fmt: skip
        return sessions.rowcount + questions.rowcount + others > 0
