"""The poller's count of failed attempts per update: what an earlier run left on disk is read once, then memory."""

from __future__ import annotations

from pathlib import Path

from bot.storage import Storage
from bot.telegram.updates import FailedAttempts


async def test_counts_left_by_an_earlier_run_are_read_once_and_kept_alike_on_disk(tmp_path: Path) -> None:
    async with await Storage.open(tmp_path / "advisor.sqlite3") as storage:
        await storage.add_update_failure(7)  # an earlier run failed update 7 once, then stopped
        attempts = FailedAttempts(lambda: storage)
        assert await attempts.before(7) == 1
        assert await attempts.before(8) == 0
        await storage.add_update_failure(9)  # behind its back: this run is the only writer, so it is not read again
        assert await attempts.before(9) == 0
        assert await attempts.failed(8) == 1
        assert await storage.update_failures(8) == 1  # written through to disk
        await attempts.done(7, handled=True)
        assert await storage.update_failures(7) == 0  # its row is cleared once handled


async def test_without_a_database_the_counts_are_kept_in_memory() -> None:
    attempts = FailedAttempts()
    assert await attempts.before(3) == 0
    assert await attempts.failed(3) == 1
    assert await attempts.before(3) == 1
