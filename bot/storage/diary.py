"""The negotiation diary: the contacts with Alipay each user recorded with /log."""

from __future__ import annotations

from bot.storage.base import StorageBase
from bot.storage.records import DiaryRow


class Diary(StorageBase):
    """`Storage`'s diary: add, list and delete a user's contacts."""

    async def add_contact(
        self, user_id: int, day: str, channel: str, who: str | None, said: str, *, limit: int
    ) -> bool:
        """Record one contact; False (nothing stored) when the user already has `limit` entries."""
        async with self._transaction("record a diary entry") as connection:
            rows = list(await connection.execute_fetchall("SELECT count(*) FROM diary WHERE user_id = ?", (user_id,)))
            if rows[0][0] >= limit:
                return False
            await connection.execute(
                "INSERT INTO diary (user_id, day, channel, who, said, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, day, channel, who, said, self._clock()),
            )
        return True

    async def diary(self, user_id: int) -> list[DiaryRow]:
        """A user's diary, oldest contact first."""
        async with self._using("read the diary") as connection:
            rows = await connection.execute_fetchall(
                "SELECT id, day, channel, who, said FROM diary WHERE user_id = ? ORDER BY day, id", (user_id,)
            )
        return [DiaryRow(*row) for row in rows]

    async def delete_contact(self, user_id: int, entry_id: int) -> bool:
        async with self._using("delete a diary entry") as connection:
            cursor = await connection.execute("DELETE FROM diary WHERE id = ? AND user_id = ?", (entry_id, user_id))
        return cursor.rowcount > 0
