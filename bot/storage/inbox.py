"""The admins' inbox: questions nobody answered and answers users 👎'd, reported, marked and aged out."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.core import inbox
from bot.core.redact import redact
from bot.storage.base import SECONDS_PER_DAY
from bot.storage.batched import BatchedWrites
from bot.storage.records import MAX_QUESTION_CHARS, UnmatchedSummary, normalize_question

logger = logging.getLogger(__name__)


class Inbox(BatchedWrites):
    """`Storage`'s feedback (votes, 👎'd answers and their notes) and the inbox and report admins read."""

    async def vote(self, user_id: int, entry_id: str, vote: int) -> None:
        """A user's 👍 (+1) or 👎 (-1) on an entry's answer; a later vote on the same entry replaces it."""
        async with self._using("record a vote") as connection:
            await connection.execute(
                "INSERT INTO votes (user_id, entry_id, vote, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id, entry_id) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (user_id, entry_id, vote, self._clock()),
            )

    async def file_disliked(self, user_id: int, question: str, lang: str, entry_id: str) -> int:
        """Put a 👎'd answer in the admins' inbox (with the question, when known); returns its row for the note."""
        await self._write_unmatched()
        question = redact(question)[:MAX_QUESTION_CHARS]  # as for unanswered questions: no phone or card numbers
        normalized = normalize_question(question) if question else f"[{entry_id}]"
        async with self._using("file a disliked answer") as connection:
            cursor = await connection.execute(
                "INSERT INTO unmatched (user_id, question, normalized, lang, best_entry, score, asked_at, source) "
                "VALUES (?, ?, ?, ?, ?, 0, ?, 'disliked')",
                (user_id, question, normalized, lang, entry_id, self._clock()),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def add_note(self, user_id: int, row_id: int, note: str) -> bool:
        """What a 👎 user said they were looking for, on the inbox row they filed."""
        async with self._using("add a note") as connection:
            cursor = await connection.execute(
                "UPDATE unmatched SET note = ? WHERE id = ? AND user_id = ?",
                (redact(note)[:MAX_QUESTION_CHARS], row_id, user_id),
            )
        return cursor.rowcount > 0

    async def inbox_rows(self, *, since_days: int | None = None) -> list[inbox.Row]:
        """Unanswered questions and 👎'd answers, except those asked before their group was marked."""
        await self._write_unmatched()
        since = float("-inf") if since_days is None else self._clock() - since_days * SECONDS_PER_DAY
        async with self._using("read the inbox") as connection:
            rows = await connection.execute_fetchall(
                """
                SELECT u.question, u.normalized, u.source, u.user_id, u.asked_at, u.best_entry, u.note, u.score
                FROM unmatched u
                WHERE u.asked_at >= ?
                  AND NOT EXISTS (SELECT 1 FROM inbox_marks m WHERE m.normalized = u.normalized AND m.at >= u.asked_at)
                ORDER BY u.asked_at
                """,
                (since,),
            )
        return [
            inbox.Row(question, normalized, inbox.Source(source), user, asked, entry, note, score)
            for question, normalized, source, user, asked, entry, note, score in rows
        ]

    async def mark_inbox(self, normalized: Sequence[str], mark: str) -> None:
        """Mark questions (as the inbox groups them) resolved or ignored: what was asked until now is hidden."""
        now = self._clock()
        async with self._transaction("mark inbox questions") as connection:
            await connection.executemany(
                "INSERT INTO inbox_marks (normalized, mark, at) VALUES (?, ?, ?) "
                "ON CONFLICT (normalized) DO UPDATE SET mark = excluded.mark, at = excluded.at",
                [(question, mark, now) for question in normalized],
            )

    async def unmatched_report(self, *, limit: int = 50, since_days: int | None = None) -> list[UnmatchedSummary]:
        """Unmatched questions grouped by normalised text, most often asked first (then most recently)."""
        await self._write_unmatched()
        since = float("-inf") if since_days is None else self._clock() - since_days * SECONDS_PER_DAY
        async with self._using("build the unmatched-questions report") as connection:
            rows = await connection.execute_fetchall(
                """
                WITH ranked AS (
                    SELECT normalized, user_id, asked_at, best_entry, score,
                           row_number() OVER (PARTITION BY normalized ORDER BY score DESC, asked_at DESC) AS rank
                    FROM unmatched
                    WHERE asked_at >= ?
                )
                SELECT normalized,
                       count(*) AS times,
                       count(DISTINCT user_id),
                       max(asked_at) AS last_seen,
                       max(CASE WHEN rank = 1 THEN best_entry END),
                       max(score)
                FROM ranked
                GROUP BY normalized
                ORDER BY times DESC, last_seen DESC, normalized
                LIMIT ?
                """,
                (since, limit),
            )
        # Rows stored before redaction existed are blanked on the way out too: admins never read personal data.
        return [UnmatchedSummary(redact(row[0]), *row[1:]) for row in rows]

    async def prune_unmatched(self, older_than_days: int) -> int:
        """Delete unmatched questions asked more than `older_than_days` ago; returns how many went."""
        await self._write_unmatched()
        if older_than_days < 0:
            raise ValueError(f"older_than_days must not be negative, got {older_than_days}")
        cutoff = self._clock() - older_than_days * SECONDS_PER_DAY
        async with self._using("prune unmatched questions") as connection:
            cursor = await connection.execute("DELETE FROM unmatched WHERE asked_at < ?", (cutoff,))
        logger.info("pruned %d unmatched question(s) older than %d day(s)", cursor.rowcount, older_than_days)
        return cursor.rowcount
