"""The database schema: migration scripts, append only, and the tables that hold one user's rows."""

from __future__ import annotations

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
    # v8: failed attempts at a Telegram update, so the bound on retries (bot.telegram.updates) survives a restart.
    # Only the update id: never the update itself, nor who sent it.
    """
    CREATE TABLE update_failures (
        update_id INTEGER PRIMARY KEY,
        failures  INTEGER NOT NULL,          -- attempts whose handler raised
        at        REAL NOT NULL              -- unix seconds of the latest; old rows are pruned
    );
    """,
)

#: Tables with one user's rows (besides sessions and unmatched): /forget empties them of that user.
USER_TABLES: tuple[str, ...] = ("reminders", "prefs", "diary", "votes", "reached")
