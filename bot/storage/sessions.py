"""Each user's session: read it, and save it with a group commit that is durable before the save returns."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.base import StorageBase
from bot.storage.codecs import decode_replies, decode_state, encode_replies, encode_state
from bot.storage.records import Session

_UPSERT_SESSION = """
    INSERT INTO sessions (user_id, lang, state, last_update_id, last_replies, updated_at, typed_lang)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET
        lang = excluded.lang,
        typed_lang = excluded.typed_lang,
        state = excluded.state,
        last_update_id = excluded.last_update_id,
        last_replies = excluded.last_replies,
        updated_at = excluded.updated_at
"""


class Sessions(StorageBase):
    """`Storage`'s sessions: `load_session` and `save_session`."""

    def __init__(self, connection: aiosqlite.Connection, path: Path, clock: Callable[[], float]) -> None:
        super().__init__(connection, path, clock)
        self._pending: list[tuple[tuple[Any, ...], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def load_session(self, user_id: int) -> Session | None:
        """The user's session, or None if nothing is stored. An unreadable state comes back as None, logged."""
        async with self._using("read a session") as connection:
            rows = list(
                await connection.execute_fetchall(
                    "SELECT lang, state, last_update_id, last_replies, updated_at, typed_lang FROM sessions "
                    "WHERE user_id = ?",
                    (user_id,),
                )
            )
        if not rows:
            return None
        lang, state_json, last_update_id, replies_json, updated_at, typed_lang = rows[0]
        return Session(
            user_id=user_id,
            lang=lang,
            state=decode_state(user_id, state_json),
            last_update_id=last_update_id,
            last_replies=decode_replies(user_id, replies_json),
            updated_at=updated_at,
            typed_lang=typed_lang,
        )

    async def save_session(self, session: Session) -> Session:
        """Insert or replace the user's session; it is durable on disk when this returns.

        Returns the session as stored, with `updated_at` set.
        """
        updated_at = self._clock()
        row = (
            session.user_id,
            session.lang,
            encode_state(session.state),
            session.last_update_id,
            None if session.last_replies is None else encode_replies(session.last_replies),
            updated_at,
            session.typed_lang,
        )
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((row, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await done
        return replace(session, updated_at=updated_at)

    async def _flush(self) -> None:
        """Group commit: saves that arrive while one is being written go to disk together, in one transaction.

        Every caller still returns only after its own row is committed (and fsynced), so durability before
        confirmation holds; under load many users share one fsync and one trip to the database thread.
        """
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                if len(batch) == 1:
                    async with self._using("save a session") as connection:
                        # A single statement outside BEGIN is its own transaction, committed before it returns.
                        await connection.execute(_UPSERT_SESSION, batch[0][0])
                else:
                    async with self._transaction("save sessions") as connection:
                        await connection.executemany(_UPSERT_SESSION, [row for row, _ in batch])
            except BaseException as error:  # the callers learn of it; nothing is reported as saved
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                if not isinstance(error, Exception):
                    raise
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
