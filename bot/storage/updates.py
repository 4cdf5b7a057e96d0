"""Failed attempts at handling a Telegram update, counted on disk so the bound on retries survives a restart."""

from __future__ import annotations

from bot.storage.base import SECONDS_PER_DAY, StorageBase

#: Seconds a failed update's attempt count is kept: Telegram drops an unconfirmed update after 24 hours.
_UPDATE_FAILURES_KEPT = 2 * SECONDS_PER_DAY


class UpdateFailures(StorageBase):
    """`Storage`'s count of failed attempts per update id (never the update itself, nor who sent it)."""

    async def update_failures(self, update_id: int) -> int:
        """How many attempts at handling `update_id` failed so far (0 if none is recorded)."""
        async with self._using("read an update's failed attempts") as connection:
            rows = list(
                await connection.execute_fetchall(
                    "SELECT failures FROM update_failures WHERE update_id = ?", (update_id,)
                )
            )
        return int(rows[0][0]) if rows else 0

    async def all_update_failures(self) -> dict[int, int]:
        """Every recorded count of failed attempts, by update id (read once at start-up: a handful of rows)."""
        async with self._using("read the failed attempts at updates") as connection:
            rows = await connection.execute_fetchall("SELECT update_id, failures FROM update_failures")
        return {int(update_id): int(failures) for update_id, failures in rows}

    async def add_update_failure(self, update_id: int) -> int:
        """Record one more failed attempt at `update_id` (durable when this returns); returns how many there are now.

        Rows older than `_UPDATE_FAILURES_KEPT` are pruned here: Telegram keeps an update for at most a day.
        """
        now = self._clock()
        async with self._transaction("record a failed attempt at an update") as connection:
            await connection.execute(
                "INSERT INTO update_failures (update_id, failures, at) VALUES (?, 1, ?) "
                "ON CONFLICT (update_id) DO UPDATE SET failures = failures + 1, at = excluded.at",
                (update_id, now),
            )
            await connection.execute("DELETE FROM update_failures WHERE at < ?", (now - _UPDATE_FAILURES_KEPT,))
            rows = list(
                await connection.execute_fetchall(
                    "SELECT failures FROM update_failures WHERE update_id = ?", (update_id,)
                )
            )
        return int(rows[0][0])

    async def clear_update_failures(self, update_id: int) -> None:
        """Forget the failed attempts at `update_id`: it was handled or given up."""
        async with self._using("clear an update's failed attempts") as connection:
            await connection.execute("DELETE FROM update_failures WHERE update_id = ?", (update_id,))
