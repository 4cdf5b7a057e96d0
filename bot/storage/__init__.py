"""The advisor's SQLite database: each user's walkthrough session and, for admins, the questions nobody answered.

One file, opened once at start-up with `Storage.open(path)`. What is stored is the minimum the advisor needs to
continue a conversation — the numeric Telegram user id, an optional language override, the language of the latest
message that told one (not the message), the walkthrough state the dialogue produced (as JSON) and the Telegram
update that produced it — never a name, username or phone number.
Questions the knowledge base could not answer are kept, with the asker's id so /forget can find them and the
Telegram update they came in (so a redelivered update is counted once), until `prune_unmatched` ages them out.

Durability: the database runs in WAL mode with ``synchronous=FULL``, and every write is committed before its
method returns, so a step the bot confirmed after `save_session` survives ``kill -9`` and power loss alike.

Concurrency: one aiosqlite connection (one worker thread) shared by every asyncio task; an `asyncio.Lock` keeps
each operation — and each multi-statement transaction — whole, so tasks serving different users never interleave
inside a transaction nor read one that is half done.

Schema: `MIGRATIONS[n]` takes the database from version ``n`` to ``n + 1`` (recorded in ``PRAGMA user_version``);
to change the schema, append a script — never edit one that has shipped.

Layout: this module holds `Storage` (the operations); `schema` the migrations, `records` the rows it returns,
`sqlite` opening and migrating a connection, `codecs` the JSON columns.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from bot.core import inbox
from bot.core.redact import redact
from bot.errors import StorageError
from bot.storage.codecs import decode_replies, decode_state, encode_json, encode_state, reminder_from_row
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
from bot.storage.schema import MIGRATIONS, USER_TABLES
from bot.storage.sqlite import configure, migrate, rollback

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

#: Unmatched questions are written in batches of at most this many rows, or this many seconds after the first.
_UNMATCHED_BATCH = 64
_UNMATCHED_DELAY = 1.0
_SECONDS_PER_DAY = 86_400.0
#: Seconds a failed update's attempt count is kept: Telegram drops an unconfirmed update after 24 hours.
_UPDATE_FAILURES_KEPT = 2 * _SECONDS_PER_DAY


class Storage:
    """Repository over one SQLite file; create with `await Storage.open(path)`, finish with `close()`."""

    def __init__(self, connection: aiosqlite.Connection, path: Path, clock: Callable[[], float]) -> None:
        self._connection: aiosqlite.Connection | None = connection
        self._path = path
        self._clock = clock
        self._lock = asyncio.Lock()
        self._pending: list[tuple[tuple[Any, ...], asyncio.Future[None]]] = []
        self._unmatched: list[tuple[Any, ...]] = []
        self._outcomes: Counter[tuple[int, str]] = Counter()  # (unix hour, status) → answers not yet written
        self._reached: list[tuple[int, str, float]] = []  # (user, step, at) not yet written
        self._unmatched_timer: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._flusher: asyncio.Task[None] | None = None

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

    # -- sessions ------------------------------------------------------------------------------------------------

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
            last_replies=decode_replies(replies_json),
            updated_at=updated_at,
            typed_lang=typed_lang,
        )

    async def save_session(self, session: Session) -> Session:
        """Insert or replace the user's session; it is durable on disk when this returns.

        Returns the session as stored, with `updated_at` set.
        """
        updated_at = self._clock()
        replies = None if session.last_replies is None else encode_json(list(session.last_replies), "its replies")
        row = (
            session.user_id,
            session.lang,
            encode_state(session.state),
            session.last_update_id,
            replies,
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

    # -- the negotiation diary -----------------------------------------------------------------------------------

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

    # -- reminders -----------------------------------------------------------------------------------------------

    async def add_reminders(
        self, user_id: int, rules: Sequence[tuple[Mapping[str, Any], float]], *, limit: int
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
                    (user_id, encode_json(dict(rule), "its reminder rule"), next_at, now),
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
        return [reminder for row in rows if (reminder := reminder_from_row(row)) is not None]

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
        return [reminder for row in rows if (reminder := reminder_from_row(row)) is not None]

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

    # -- unmatched questions (for admins) ------------------------------------------------------------------------

    async def log_unmatched(
        self,
        user_id: int,
        question: str,
        lang: str,
        best_entry: str | None,
        score: float,
        *,
        update_id: int | None = None,
    ) -> None:
        """Keep a question the knowledge base could not answer, personal data blanked (`redact`), cut to
        `MAX_QUESTION_CHARS`.

        The same `update_id` from the same user is kept once: Telegram redelivers an update whose offset was not
        confirmed before a crash, and the admins' report should count the question once.

        Unlike a walkthrough step this confirms nothing to the user, so it is written in batches (at most
        `_UNMATCHED_BATCH` rows or `_UNMATCHED_DELAY` seconds later, and before any read, /forget or close):
        no disk write on the path of an unanswered question.
        """
        question = redact(question)[:MAX_QUESTION_CHARS]
        row = (user_id, question, normalize_question(question), lang, best_entry, score, self._clock(), update_id)
        self._unmatched.append(row)
        if len(self._unmatched) >= _UNMATCHED_BATCH:
            await self._write_unmatched()
        elif self._unmatched_timer is None:
            loop = asyncio.get_running_loop()
            self._unmatched_timer = loop.call_later(_UNMATCHED_DELAY, self._write_unmatched_later)
        logger.debug("unmatched question recorded (lang %s, best %.2f)", lang, score)

    def _write_unmatched_later(self) -> None:
        self._unmatched_timer = None
        task = asyncio.ensure_future(self._write_unmatched())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def count_outcome(self, status: str) -> None:
        """Count one answer's outcome (answered / clarified / fallback) for /stats; written with the next batch."""
        self._outcomes[(int(self._clock() // 3600), status)] += 1
        self._write_soon()

    def note_reached(self, user_id: int, step: str) -> None:
        """Remember that a user reached a walkthrough step (the funnel in /stats); written with the next batch."""
        self._reached.append((user_id, step, self._clock()))
        self._write_soon()

    def _write_soon(self) -> None:
        if self._unmatched_timer is None and self._connection is not None:
            loop = asyncio.get_running_loop()
            self._unmatched_timer = loop.call_later(_UNMATCHED_DELAY, self._write_unmatched_later)

    async def _write_unmatched(self) -> None:
        if self._unmatched_timer is not None:
            self._unmatched_timer.cancel()
            self._unmatched_timer = None
        await self._write_counts()
        rows, self._unmatched = self._unmatched, []
        if not rows:
            return
        try:
            async with self._transaction("record unmatched questions") as connection:
                await connection.executemany(
                    """
                    INSERT INTO unmatched
                        (user_id, question, normalized, lang, best_entry, score, asked_at, update_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (user_id, update_id) DO NOTHING
                    """,
                    rows,
                )
        except StorageError:
            logger.exception("%d unmatched questions could not be recorded", len(rows))

    async def _write_counts(self) -> None:
        outcomes, self._outcomes = self._outcomes, Counter()
        reached, self._reached = self._reached, []
        if not outcomes and not reached:
            return
        try:
            async with self._transaction("record statistics") as connection:
                await connection.executemany(
                    "INSERT INTO outcomes (hour, status, n) VALUES (?, ?, ?) "
                    "ON CONFLICT (hour, status) DO UPDATE SET n = n + excluded.n",
                    [(hour, status, n) for (hour, status), n in outcomes.items()],
                )
                await connection.executemany(
                    "INSERT INTO reached (user_id, step, at) VALUES (?, ?, ?) ON CONFLICT (user_id, step) DO NOTHING",
                    reached,
                )
        except StorageError:
            logger.exception("statistics (%d outcomes, %d steps) could not be recorded", len(outcomes), len(reached))

    # -- feedback and the admins' inbox --------------------------------------------------------------------------

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
        since = float("-inf") if since_days is None else self._clock() - since_days * _SECONDS_PER_DAY
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

    async def unmatched_report(self, *, limit: int = 50, since_days: int | None = None) -> list[UnmatchedSummary]:
        """Unmatched questions grouped by normalised text, most often asked first (then most recently)."""
        await self._write_unmatched()
        since = float("-inf") if since_days is None else self._clock() - since_days * _SECONDS_PER_DAY
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
        cutoff = self._clock() - older_than_days * _SECONDS_PER_DAY
        async with self._using("prune unmatched questions") as connection:
            cursor = await connection.execute("DELETE FROM unmatched WHERE asked_at < ?", (cutoff,))
        logger.info("pruned %d unmatched question(s) older than %d day(s)", cursor.rowcount, older_than_days)
        return cursor.rowcount

    # -- for admins ----------------------------------------------------------------------------------------------

    # -- failed attempts at updates ------------------------------------------------------------------------------

    async def update_failures(self, update_id: int) -> int:
        """How many attempts at handling `update_id` failed so far (0 if none is recorded)."""
        async with self._using("read an update's failed attempts") as connection:
            rows = list(
                await connection.execute_fetchall(
                    "SELECT failures FROM update_failures WHERE update_id = ?", (update_id,)
                )
            )
        return int(rows[0][0]) if rows else 0

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

    # -- plumbing ------------------------------------------------------------------------------------------------

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
