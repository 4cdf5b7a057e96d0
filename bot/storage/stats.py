"""Counts for the admins' /stats: votes per entry, answer outcomes, the walkthrough funnel, users — nobody's rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.storage.batched import BatchedWrites
from bot.storage.records import WALKTHROUGH_KEY, StorageStats


class Statistics(BatchedWrites):
    """`Storage`'s counts; a count of batched rows writes what waits first, so it counts what was just recorded."""

    async def vote_counts(self) -> dict[str, tuple[int, int]]:
        """entry id → (👍, 👎) over all users."""
        async with self._using("count votes") as connection:
            rows = await connection.execute_fetchall(
                "SELECT entry_id, sum(vote > 0), sum(vote < 0) FROM votes GROUP BY entry_id"
            )
        return {entry: (up, down) for entry, up, down in rows}

    async def outcome_counts(self, *, since: float) -> dict[str, int]:
        """status → answers since `since` (unix seconds, counted by the hour)."""
        await self._write_unmatched()
        async with self._using("count outcomes") as connection:
            rows = await connection.execute_fetchall(
                "SELECT status, sum(n) FROM outcomes WHERE hour >= ? GROUP BY status", (int(since // 3600),)
            )
        return {status: n for status, n in rows}

    async def reached_counts(self) -> dict[str, int]:
        """step → how many users reached it."""
        await self._write_unmatched()
        async with self._using("count the funnel") as connection:
            rows = await connection.execute_fetchall("SELECT step, count(*) FROM reached GROUP BY step")
        return {step: n for step, n in rows}

    async def furthest_steps(self, order: Sequence[str]) -> dict[str, int]:
        """step → how many users got no further than it (steps compared in `order`)."""
        await self._write_unmatched()
        rank = {step: index for index, step in enumerate(order)}
        async with self._using("find where users stopped") as connection:
            rows = await connection.execute_fetchall("SELECT user_id, step FROM reached")
        furthest: dict[int, str] = {}
        for user, step in rows:
            if step in rank and (user not in furthest or rank[step] > rank[furthest[user]]):
                furthest[user] = step
        return dict(Counter(furthest.values()))

    async def stats(self) -> StorageStats:
        await self._write_unmatched()
        async with self._using("count users") as connection:
            rows = list(
                await connection.execute_fetchall(
                    """
                    SELECT (SELECT count(*) FROM sessions),
                           (SELECT count(*) FROM sessions WHERE json_extract(state, ?) IS NOT NULL),
                           (SELECT count(*) FROM unmatched)
                    """,
                    (f"$.{WALKTHROUGH_KEY}",),  # a /plan calculation alone is no walkthrough
                )
            )
        users, active, unmatched = rows[0]
        return StorageStats(users=users, active_walkthroughs=active, unmatched=unmatched)
