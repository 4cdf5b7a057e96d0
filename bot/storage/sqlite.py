"""Opening an SQLite connection the advisor can trust: pragmas, schema migration, rollback."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

import aiosqlite

from bot.errors import StorageError

logger = logging.getLogger(__name__)

_BUSY_TIMEOUT_MS = 5_000


async def configure(connection: aiosqlite.Connection, path: Path) -> None:
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


async def migrate(connection: aiosqlite.Connection, path: Path, migrations: Sequence[str]) -> int:
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
            await rollback(connection)
            raise StorageError(
                f"Cannot upgrade the database {path} to schema version {target}: {error}; "
                f"it was left at version {target - 1}."
            ) from error
        except BaseException:
            await rollback(connection)
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


async def rollback(connection: aiosqlite.Connection) -> None:
    """Roll back whatever transaction is open, if one is.

    Always queued rather than decided by `in_transaction`: after a cancellation the BEGIN (or COMMIT) may still be
    waiting in the worker's queue, and this ROLLBACK must land after it.
    """
    # OperationalError here means no transaction was open: COMMIT got through, or SQLite already rolled back
    # by itself (disk full, I/O error).
    with suppress(sqlite3.OperationalError):
        await connection.execute("ROLLBACK")
