"""Per-key asyncio locks (a user, a chat) that exist only while someone holds or waits on them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class KeyedLocks:
    """One FIFO lock per key: holders of the same key take turns in arrival order, other keys run in parallel.

    A key's lock is dropped when nobody holds or waits on it, so memory stays flat however many users come by.
    """

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key], self._locks[key]

    def __len__(self) -> int:
        """How many keys are held or waited on right now."""
        return len(self._locks)
