"""The part of `Storage` every job shares: the one connection, its lock and clock, and how an operation holds them.

Concurrency: one aiosqlite connection (one worker thread) shared by every asyncio task; an `asyncio.Lock` keeps
each operation — and each multi-statement transaction — whole, so tasks serving different users never interleave
inside a transaction nor read one that is half done.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.errors import StorageError
from bot.storage.sqlite import rollback

SECONDS_PER_DAY = 86_400.0


class StorageBase:
    """The connection and the two ways an operation holds it; each job of `Storage` is a subclass."""

    def __init__(self, connection: aiosqlite.Connection, path: Path, clock: Callable[[], float]) -> None:
        self._connection: aiosqlite.Connection | None = connection
        self._path = path
        self._clock = clock
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def _using(self, doing: str) -> AsyncIterator[aiosqlite.Connection]:
        """Hold the connection for one operation; SQLite errors become `StorageError` naming what failed."""
        async with self._lock:
            if self._connection is None:
                raise StorageError(f"Cannot {doing}: the database {self._path} is closed.")
            try:
                yield self._connection
            except sqlite3.Error as error:
                raise StorageError(f"Cannot {doing} in the database {self._path}: {error}.") from error

    @asynccontextmanager
    async def _transaction(self, doing: str) -> AsyncIterator[aiosqlite.Connection]:
        """Like `_using`, inside BEGIN IMMEDIATE … COMMIT; rolled back on any error or cancellation."""
        async with self._using(doing) as connection:
            try:
                await connection.execute("BEGIN IMMEDIATE")
                yield connection
                await connection.execute("COMMIT")
            except BaseException:
                await rollback(connection)
                raise
