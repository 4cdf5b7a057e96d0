"""Reminders (instalment due days, credit-record nudges), claimed at most once per firing, and the time zone and
language each user's reminders use."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.reminders import Rule
from bot.storage.base import StorageBase
from bot.storage.codecs import encode_rule, reminder_from_row
from bot.storage.records import StoredReminder


class Reminders(StorageBase):
    """`Storage`'s reminders and reminder preferences."""

    async def add_reminders(
        self, user_id: int, rules: Sequence[tuple[Rule, float]], *, limit: int
    ) -> list[StoredReminder] | None:
        """Store (rule, next firing) pairs for a user, all or none; None when that would exceed `limit` in all."""
        now = self._clock()
        async with self._transaction("add reminders") as connection:
            rows = list(await connection.execute_fetchall(
                "SELECT count(*) FROM reminders WHERE user_id = ?", (user_id,)
            ))  # fmt: skip
            if rows[0][0] + len(rules) > limit:
                return None
            added = []
            for rule, next_at in rules:
                cursor = await connection.execute(
                    "INSERT INTO reminders (user_id, rule, next_at, created_at) VALUES (?, ?, ?, ?)",
                    (user_id, encode_rule(rule), next_at, now),
                )
                assert cursor.lastrowid is not None
                added.append(StoredReminder(cursor.lastrowid, user_id, rule, next_at, now))
        return added

    async def reminders_of(self, user_id: int) -> list[StoredReminder]:
        """A user's reminders, soonest first."""
        async with self._using("list reminders") as connection:
            rows = await connection.execute_fetchall(
                "SELECT id, user_id, rule, next_at, created_at FROM reminders WHERE user_id = ? ORDER BY next_at, id",
                (user_id,),
            )
        return [reminder_from_row(row) for row in rows]

    async def cancel_reminder(self, user_id: int, reminder_id: int) -> bool:
        async with self._using("cancel a reminder") as connection:
            cursor = await connection.execute(
                "DELETE FROM reminders WHERE id = ? AND user_id = ?", (reminder_id, user_id)
            )
        return cursor.rowcount > 0

    async def due_reminders(self, now: float, *, limit: int = 100) -> list[StoredReminder]:
        """Reminders whose time has come (on start-up: also every one missed while the bot was down)."""
        async with self._using("find due reminders") as connection:
            rows = await connection.execute_fetchall(
                "SELECT id, user_id, rule, next_at, created_at FROM reminders WHERE next_at <= ? "
                "ORDER BY next_at, id LIMIT ?",
                (now, limit),
            )
        return [reminder_from_row(row) for row in rows]

    async def next_reminder_at(self) -> float | None:
        async with self._using("find the next reminder") as connection:
            rows = list(await connection.execute_fetchall("SELECT min(next_at) FROM reminders"))
        value: float | None = rows[0][0]
        return value

    async def claim_reminder(self, reminder: StoredReminder, following: float | None) -> bool:
        """Move a due reminder on to `following` (delete it when None) before it is sent; False if another
        delivery already did. Claiming first means a crash between claim and send loses that one message rather
        than sending it twice: a reminder is delivered at most once per firing."""
        async with self._using("claim a reminder") as connection:
            if following is None:
                cursor = await connection.execute(
                    "DELETE FROM reminders WHERE id = ? AND next_at = ?", (reminder.id, reminder.next_at)
                )
            else:
                cursor = await connection.execute(
                    "UPDATE reminders SET next_at = ? WHERE id = ? AND next_at = ?",
                    (following, reminder.id, reminder.next_at),
                )
        return cursor.rowcount == 1

    async def reschedule_reminder(self, reminder_id: int, next_at: float | None) -> None:
        """Set when a reminder fires next (its user changed time zone); None deletes it."""
        async with self._using("reschedule a reminder") as connection:
            if next_at is None:
                await connection.execute("DELETE FROM reminders WHERE id = ?", (reminder_id,))
            else:
                await connection.execute("UPDATE reminders SET next_at = ? WHERE id = ?", (next_at, reminder_id))

    async def prefs(self, user_id: int) -> tuple[str | None, str | None]:
        """The user's (time zone, language) for reminders; None where not set."""
        async with self._using("read preferences") as connection:
            rows = list(await connection.execute_fetchall("SELECT tz, lang FROM prefs WHERE user_id = ?", (user_id,)))
        return (rows[0][0], rows[0][1]) if rows else (None, None)

    async def set_prefs(self, user_id: int, *, tz: str | None = None, lang: str | None = None) -> None:
        """Set the time zone and/or language; None leaves that one as it was."""
        async with self._using("set preferences") as connection:
            await connection.execute(
                """
                INSERT INTO prefs (user_id, tz, lang) VALUES (?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET tz = coalesce(excluded.tz, tz), lang = coalesce(excluded.lang, lang)
                """,
                (user_id, tz, lang),
            )
