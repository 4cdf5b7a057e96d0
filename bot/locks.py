"""The one lock layer that keeps updates in order: per-key asyncio locks (a chat, a user) that exist only while
someone holds or waits on them. The Telegram transport holds them; the engine relies on it (bot.engine.dispatch)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager


class KeyedLocks:
    """One FIFO lock per key: holders of the same key take turns in arrival order, other keys run in parallel.

    `hold(a, b)` takes several keys at once (a group chat and the user writing in it), always in sorted order, so two
    holders that share keys can never wait on each other in a circle. A key's lock is dropped when nobody holds or
    waits on it, so memory stays flat however many users come by.
    """

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    @asynccontextmanager
    async def hold(self, *keys: int) -> AsyncIterator[None]:
        if len(keys) == 1:  # the common case (a private chat: its id is the user's) without an exit stack
            async with self._one(keys[0]):
                yield
            return
        async with AsyncExitStack() as stack:
            for key in sorted(set(keys)):
                await stack.enter_async_context(self._one(key))
            yield

    @asynccontextmanager
    async def _one(self, key: int) -> AsyncIterator[None]:
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
