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
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from bot.core import inbox
from bot.core.redact import redact
from bot.errors import StorageError

logger = logging.getLogger(__name__)

#: Migration scripts; index n upgrades schema version n to n + 1. Append only.
MIGRATIONS: tuple[str, ...] = (
    # v1: sessions and unmatched questions.
    """
    CREATE TABLE sessions (
        user_id        INTEGER PRIMARY KEY,  -- the numeric Telegram id, the only thing identifying a user
        lang           TEXT,                 -- language chosen with /language, NULL to follow Telegram
        state          TEXT,                 -- walkthrough state as JSON, shaped by the dialogue module
        last_update_id INTEGER,              -- Telegram update that produced this state, to spot redeliveries
        updated_at     REAL NOT NULL         -- unix seconds
    );
    CREATE TABLE unmatched (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL,         -- kept so that /forget can erase the question too
        question   TEXT NOT NULL,
        normalized TEXT NOT NULL,            -- casefolded, whitespace squeezed: what the admin report groups by
        lang       TEXT NOT NULL,
        best_entry TEXT,                     -- closest knowledge entry, if any
        score      REAL NOT NULL,
        asked_at   REAL NOT NULL             -- unix seconds
    );
    CREATE INDEX unmatched_by_user ON unmatched (user_id);
    CREATE INDEX unmatched_by_time ON unmatched (asked_at);
    """,
    # v2: the Telegram update a question came in, so an update redelivered after a crash is not counted twice.
    """
    ALTER TABLE unmatched ADD COLUMN update_id INTEGER;  -- NULL for the terminal chat (no updates there)
    CREATE UNIQUE INDEX unmatched_once ON unmatched (user_id, update_id);
    """,
    # v3: the language of the user's latest typed message that told one, which replies follow until /language.
    """
    ALTER TABLE sessions ADD COLUMN typed_lang TEXT;  -- NULL until a typed message tells (then Telegram's is used)
    """,
    # v4: the replies to last_update_id, so an update Telegram delivers again after a crash is answered again
    # (with what the user would have seen) rather than applied twice.
    """
    ALTER TABLE sessions ADD COLUMN last_replies TEXT;  -- JSON list of replies; replaced by every save
    """,
    # v5: reminders (instalment due days, credit-record nudges) and each user's time zone for them.
    """
    CREATE TABLE reminders (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL,
        rule       TEXT NOT NULL,            -- JSON, shaped by bot.core.reminders.Rule
        next_at    REAL NOT NULL,            -- unix seconds of the next firing
        created_at REAL NOT NULL
    );
    CREATE INDEX reminders_by_time ON reminders (next_at);
    CREATE INDEX reminders_by_user ON reminders (user_id);
    CREATE TABLE prefs (
        user_id INTEGER PRIMARY KEY,
        tz      TEXT,                        -- IANA time zone the user's reminders fire in; NULL: the default
        lang    TEXT                         -- the language reminders are written in (the user's when set)
    );
    """,
    # v6: the negotiation diary: one row per contact with Alipay the user recorded with /log.
    """
    CREATE TABLE diary (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL,
        day        TEXT NOT NULL,            -- ISO date of the contact
        channel    TEXT NOT NULL,            -- an id of bot.core.diary.CHANNELS
        who        TEXT,                     -- whom they spoke to, as typed (optional)
        said       TEXT NOT NULL,            -- what was said or promised, as typed
        created_at REAL NOT NULL
    );
    CREATE INDEX diary_by_user ON diary (user_id, day);
    """,
    # v7: feedback and what admins read: 👍/👎 per entry, 👎'd answers in the inbox beside unanswered questions
    # (with the user's note), inbox groups marked resolved or ignored, answer outcomes per hour, the walkthrough funnel.
    """
    CREATE TABLE votes (
        user_id  INTEGER NOT NULL,
        entry_id TEXT NOT NULL,
        vote     INTEGER NOT NULL,          -- +1 or -1; a user's later vote on the same entry replaces the earlier
        at       REAL NOT NULL,
        PRIMARY KEY (user_id, entry_id)
    );
    ALTER TABLE unmatched ADD COLUMN source TEXT NOT NULL DEFAULT 'unanswered';  -- or 'disliked' (a 👎'd answer)
    ALTER TABLE unmatched ADD COLUMN note TEXT;  -- what a 👎 user said they were looking for
    CREATE TABLE inbox_marks (
        normalized TEXT PRIMARY KEY,        -- a question as the inbox groups it
        mark       TEXT NOT NULL,           -- resolved / ignored: hides what was asked before `at`
        at         REAL NOT NULL
    );
    CREATE TABLE outcomes (
        hour   INTEGER NOT NULL,            -- unix hour
        status TEXT NOT NULL,               -- answered / clarified / fallback
        n      INTEGER NOT NULL,
        PRIMARY KEY (hour, status)
    );
    CREATE TABLE reached (
        user_id INTEGER NOT NULL,
        step    TEXT NOT NULL,              -- a walkthrough step the user reached
        at      REAL NOT NULL,
        PRIMARY KEY (user_id, step)
    );
    """,
)

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

#: Longest unmatched question kept; a user who pastes their whole situation should not have it all stored.
MAX_QUESTION_CHARS = 500

#: The key under which a session's state keeps the walkthrough progress (the engine writes it; /stats counts it).
WALKTHROUGH_KEY = "guide"

_BUSY_TIMEOUT_MS = 5_000
_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class Session:
    """Everything stored about one user between messages."""

    user_id: int
    #: Language override set with /language; None follows the user's Telegram language.
    lang: str | None = None
    #: Walkthrough and /plan state as a JSON-able mapping, owned by the engine; None when there is none.
    state: Mapping[str, Any] | None = None
    #: The Telegram update that produced this state, so a redelivered update is not applied twice.
    last_update_id: int | None = None
    #: Unix seconds of the last save; set by `Storage.save_session`.
    updated_at: float = 0.0
    #: Language of the latest typed message that told one (bot.core.language); None before any.
    typed_lang: str | None = None
    #: What the bot answered to `last_update_id` (JSON-able, shaped by the engine), to answer it again if Telegram
    #: delivers that update again after a crash; None when not kept.
    last_replies: Sequence[Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class UnmatchedSummary:
    """One line of the admins' report: a question (as normalised) nobody could answer, and how often."""

    question: str
    count: int
    users: int
    last_seen: float
    #: Knowledge entry that came closest over all askings, and its score.
    best_entry: str | None
    best_score: float


@dataclass(frozen=True)
class StorageStats:
    """Counts for the admins' /stats: nothing about any one user."""

    users: int
    #: Users with a walkthrough state saved (the dialogue clears it when a walkthrough is over).
    active_walkthroughs: int
    unmatched: int


@dataclass(frozen=True)
class StoredReminder:
    """One reminder row: the rule as JSON (parsed by bot.core.reminders) and when it fires next."""

    id: int
    user_id: int
    rule: Mapping[str, Any]
    next_at: float
    created_at: float


@dataclass(frozen=True)
class DiaryRow:
    """One contact in a user's negotiation diary, as stored."""

    id: int
    day: str  # ISO date
    channel: str
    who: str | None
    said: str


def normalize_question(text: str) -> str:
    """The form unmatched questions are grouped by: casefolded, runs of whitespace squeezed to one space."""
    return " ".join(text.casefold().split())


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
            await _configure(connection, path)
            version = await _migrate(connection, path, migrations)
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
            state=_decode_state(user_id, state_json),
            last_update_id=last_update_id,
            last_replies=_decode_replies(replies_json),
            updated_at=updated_at,
            typed_lang=typed_lang,
        )

    async def save_session(self, session: Session) -> Session:
        """Insert or replace the user's session; it is durable on disk when this returns.

        Returns the session as stored, with `updated_at` set.
        """
        updated_at = self._clock()
        replies = None if session.last_replies is None else _encode_json(list(session.last_replies), "its replies")
        row = (
            session.user_id,
            session.lang,
            _encode_state(session.state),
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
            for table in (table for table in _USER_TABLES if table in present):
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
                    (user_id, _encode_json(dict(rule), "its reminder rule"), next_at, now),
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
        return [reminder for row in rows if (reminder := _reminder(row)) is not None]

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
        return [reminder for row in rows if (reminder := _reminder(row)) is not None]

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
                await _rollback(connection)
                raise


async def _configure(connection: aiosqlite.Connection, path: Path) -> None:
    try:
        rows = list(await connection.execute_fetchall("PRAGMA journal_mode = WAL"))
        # FULL: in WAL mode, NORMAL may lose the last commits on power loss; a confirmed step must not be lost.
        await connection.execute("PRAGMA synchronous = FULL")
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    except sqlite3.DatabaseError as error:
        if error.sqlite_errorname == "SQLITE_NOTADB":
            raise StorageError(
                f"The file {path} is not a SQLite database; point the storage path at a new or advisor-made file."
            ) from error
        raise StorageError(f"Cannot open the database {path}: {error}.") from error
    mode = rows[0][0]
    if mode != "wal":
        raise StorageError(
            f"The database {path} cannot use write-ahead logging (journal mode stayed {mode!r}); "
            "keep it on a local disk."
        )


async def _migrate(connection: aiosqlite.Connection, path: Path, migrations: Sequence[str]) -> int:
    """Apply the migrations the database lacks, each in its own transaction; return the resulting version."""
    known = len(migrations)
    try:
        version = await _user_version(connection)
    except sqlite3.Error as error:
        raise StorageError(f"Cannot read the schema version of the database {path}: {error}.") from error
    if version > known:
        raise StorageError(
            f"The database {path} has schema version {version}, but this advisor only knows versions up to "
            f"{known}; run a newer advisor, or restore a backup made by this one."
        )
    for target in range(version + 1, known + 1):
        try:
            await connection.execute("BEGIN IMMEDIATE")
            # Re-read inside the write lock: another process may have migrated since we looked.
            if await _user_version(connection) >= target:
                await connection.execute("COMMIT")
                continue
            for statement in _split_statements(migrations[target - 1]):
                await connection.execute(statement)
            await connection.execute(f"PRAGMA user_version = {target:d}")
            await connection.execute("COMMIT")
        except sqlite3.Error as error:
            await _rollback(connection)
            raise StorageError(
                f"Cannot upgrade the database {path} to schema version {target}: {error}; "
                f"it was left at version {target - 1}."
            ) from error
        except BaseException:
            await _rollback(connection)
            raise
        logger.info("database %s upgraded to schema version %d", path, target)
    return known


def _split_statements(script: str) -> list[str]:
    """Split an SQL script into single statements.

    `executescript` would do it for us but commits any open transaction first, so a migration could not be
    all-or-nothing; `sqlite3.complete_statement` tells a terminating semicolon from one in a string, comment or
    trigger body.
    """
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statement = pending.strip()
            if statement.rstrip(";").strip():
                statements.append(statement)
            pending = ""
    # Anything left over is a trailing comment (the loop gave the last piece a ';', completing any statement).
    return statements


async def _user_version(connection: aiosqlite.Connection) -> int:
    rows = list(await connection.execute_fetchall("PRAGMA user_version"))
    version: int = rows[0][0]
    return version


async def _rollback(connection: aiosqlite.Connection) -> None:
    """Roll back whatever transaction is open, if one is.

    Always queued rather than decided by `in_transaction`: after a cancellation the BEGIN (or COMMIT) may still be
    waiting in the worker's queue, and this ROLLBACK must land after it.
    """
    # OperationalError here means no transaction was open: COMMIT got through, or SQLite already rolled back
    # by itself (disk full, I/O error).
    with suppress(sqlite3.OperationalError):
        await connection.execute("ROLLBACK")


#: Tables with one user's rows (besides sessions and unmatched): /forget empties them of that user.
_USER_TABLES: tuple[str, ...] = ("reminders", "prefs", "diary", "votes", "reached")


def _reminder(row: Any) -> StoredReminder | None:
    reminder_id, user_id, rule_json, next_at, created_at = row
    try:
        rule = json.loads(rule_json)
    except ValueError:
        rule = None
    if not isinstance(rule, dict):
        logger.warning("reminder %d has an unreadable rule; skipping it", reminder_id)
        return None
    return StoredReminder(reminder_id, user_id, rule, next_at, created_at)


def _encode_state(state: Mapping[str, Any] | None) -> str | None:
    return None if state is None else _encode_json(dict(state), "its walkthrough state")


def _encode_json(value: object, what: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        # The message names the offending type, never the content.
        raise StorageError(f"Cannot save a session: {what} is not JSON ({error}).") from error


def _decode_replies(replies_json: str | None) -> list[Mapping[str, Any]] | None:
    """Stored replies, or None (not kept, or unreadable: the redelivery then shows where the user is)."""
    if replies_json is None:
        return None
    try:
        replies = json.loads(replies_json)
    except ValueError:
        return None
    if not isinstance(replies, list) or not all(isinstance(reply, dict) for reply in replies):
        return None
    return replies


def _decode_state(user_id: int, state_json: str | None) -> Mapping[str, Any] | None:
    """Parse a stored state; a hand-edited, unreadable one is dropped (the user starts afresh), not fatal."""
    if state_json is None:
        return None
    try:
        state = json.loads(state_json)
    except (TypeError, ValueError) as error:
        # Position only: the state holds the user's financial answers.
        logger.warning(
            "walkthrough state of user %d is not valid JSON (%s at char %s); ignoring it",
            user_id,
            getattr(error, "msg", type(error).__name__),
            getattr(error, "pos", "?"),
        )
        return None
    if not isinstance(state, dict):
        logger.warning(
            "walkthrough state of user %d is a JSON %s, not an object; ignoring it", user_id, type(state).__name__
        )
        return None
    return state
