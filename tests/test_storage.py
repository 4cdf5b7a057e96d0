"""Storage against real SQLite files in tmp_path: sessions survive, /forget forgets, admins get their report."""

from __future__ import annotations

import asyncio
import logging
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.core.replies import SavedReply
from bot.errors import StorageError
from bot.storage import MAX_QUESTION_CHARS, MIGRATIONS, Session, Storage, StorageStats

REPO = Path(__file__).resolve().parents[1]
DAY = 86_400.0


class FakeClock:
    """Unix time that only moves when a test says so."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def peek(path: Path, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
    """Run one statement on a second, independent connection, as an admin's sqlite3 shell would."""
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute(sql, parameters).fetchall()
        connection.commit()
        return rows


def schema_version(path: Path) -> int:
    """The schema version the file says it has, as an admin's sqlite3 shell reads it."""
    [(version,)] = peek(path, "PRAGMA user_version")
    return int(version)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "advisor.sqlite3"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def storage(db_path: Path, clock: FakeClock) -> AsyncIterator[Storage]:
    async with await Storage.open(db_path, clock=clock) as storage:
        yield storage


# -- sessions ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "session",
    [
        pytest.param(
            Session(
                user_id=424242,
                lang="zh-hant",
                state={"step": "materials", "answers": {"花呗": 12000.5, "months": 3}, "ticks": ["身份证", "账单"]},
                last_update_id=9001,
            ),
            id="walkthrough-with-chinese-answers-and-ticks",
        ),
        pytest.param(Session(user_id=7), id="new-user-with-nothing-but-an-id"),
        pytest.param(Session(user_id=2**40, lang="en", state={}), id="large-telegram-id-and-empty-state"),
    ],
)
async def test_a_saved_session_loads_back_unchanged(storage: Storage, clock: FakeClock, session: Session) -> None:
    await storage.save_session(session)

    loaded = await storage.load_session(session.user_id)

    assert loaded is not None
    assert (loaded.user_id, loaded.lang, loaded.state, loaded.last_update_id) == (
        session.user_id,
        session.lang,
        session.state,
        session.last_update_id,
    )
    assert loaded.updated_at == clock.now


async def test_a_user_never_seen_has_no_session(storage: Storage) -> None:
    assert await storage.load_session(12345) is None


async def test_saving_again_replaces_the_whole_session(storage: Storage, clock: FakeClock, db_path: Path) -> None:
    await storage.save_session(Session(user_id=1, lang="en", state={"step": "intro"}, last_update_id=10))
    clock.now += 60

    returned = await storage.save_session(Session(user_id=1, lang=None, state={"step": "plan"}, last_update_id=11))

    assert returned == Session(user_id=1, lang=None, state={"step": "plan"}, last_update_id=11, updated_at=clock.now)
    assert await storage.load_session(1) == returned
    assert peek(db_path, "SELECT count(*) FROM sessions") == [(1,)]


async def test_only_the_numeric_id_identifies_a_user(storage: Storage, db_path: Path) -> None:
    columns = {row[1] for row in peek(db_path, "PRAGMA table_info(sessions)")}

    assert columns == {"user_id", "lang", "state", "last_update_id", "last_replies", "updated_at", "typed_lang"}


async def test_the_replies_to_the_last_update_are_kept_with_it_and_replaced(storage: Storage, db_path: Path) -> None:
    first = (SavedReply("第一步", choices=(("下一步", "w:next"),)),)
    await storage.save_session(Session(user_id=1, state={"step": "intro"}, last_update_id=10, last_replies=first))
    loaded = await storage.load_session(1)
    assert loaded is not None
    assert (loaded.last_update_id, loaded.last_replies) == (10, first)

    await storage.save_session(Session(user_id=1, state={"step": "plan"}, last_update_id=11))
    assert peek(db_path, "SELECT last_replies FROM sessions") == [(None,)]  # one update's replies at most


async def test_unreadable_stored_replies_read_as_none(storage: Storage, db_path: Path) -> None:
    await storage.save_session(Session(user_id=1, last_update_id=10, last_replies=(SavedReply("x"),)))
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE sessions SET last_replies = '{broken'")
    fresh = await Storage.open(db_path)
    try:
        loaded = await fresh.load_session(1)
    finally:
        await fresh.close()
    assert loaded is not None
    assert loaded.last_replies is None


async def test_a_state_that_is_not_json_is_refused_without_breaking_the_storage(storage: Storage) -> None:
    with pytest.raises(StorageError, match="not JSON"):
        await storage.save_session(Session(user_id=1, state={"when": object()}))

    saved = await storage.save_session(Session(user_id=1, state={"step": "intro"}))
    assert await storage.load_session(1) == saved


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param('{"step": "materials", "debt": 3', id="truncated-json"),
        pytest.param('["materials", 30000]', id="json-list-instead-of-object"),
    ],
)
async def test_a_hand_edited_unreadable_state_starts_the_user_afresh_without_logging_it(
    storage: Storage, db_path: Path, caplog: pytest.LogCaptureFixture, stored: str
) -> None:
    await storage.save_session(Session(user_id=5, lang="en", state={"step": "plan"}, last_update_id=3))
    peek(db_path, "UPDATE sessions SET state = ? WHERE user_id = 5", (stored,))

    with caplog.at_level(logging.DEBUG, logger="bot.storage"):
        loaded = await storage.load_session(5)

    assert loaded is not None
    assert (loaded.lang, loaded.state, loaded.last_update_id) == ("en", None, 3)
    assert [record.levelno for record in caplog.records] == [logging.WARNING]
    assert "materials" not in caplog.text
    assert "30000" not in caplog.text


# -- durability ----------------------------------------------------------------------------------------------------


async def test_the_database_runs_in_wal_mode(storage: Storage, db_path: Path) -> None:
    assert peek(db_path, "PRAGMA journal_mode") == [("wal",)]


async def test_a_save_is_on_disk_for_another_connection_as_soon_as_it_returns(storage: Storage, db_path: Path) -> None:
    await storage.save_session(Session(user_id=77, state={"step": "call-script"}, last_update_id=501))

    assert peek(db_path, "SELECT state, last_update_id FROM sessions WHERE user_id = 77") == [
        ('{"step":"call-script"}', 501)
    ]


KILLED_WRITER = """
import asyncio, sys
from bot.storage import Session, Storage

async def main():
    storage = await Storage.open(sys.argv[1])
    step = 0
    while True:
        user = step % 7
        await storage.save_session(Session(user_id=user, state={"step": step}, last_update_id=step))
        print("saved", user, step, flush=True)
        step += 1

asyncio.run(main())
"""


async def test_every_confirmed_save_survives_kill_9(db_path: Path) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", KILLED_WRITER, str(db_path), cwd=REPO, stdout=asyncio.subprocess.PIPE
    )
    assert child.stdout is not None
    confirmed: dict[int, int] = {}
    try:
        while len(confirmed) < 7 or min(confirmed.values()) < 30:
            line = await asyncio.wait_for(child.stdout.readline(), timeout=30)
            assert line.startswith(b"saved "), line
            _, user_field, step_field = line.split()
            confirmed[int(user_field)] = int(step_field)
    finally:
        child.send_signal(signal.SIGKILL)
        await child.wait()
    assert child.returncode == -signal.SIGKILL

    async with await Storage.open(db_path) as reopened:
        for user_id, step in confirmed.items():
            session = await reopened.load_session(user_id)
            assert session is not None
            assert session.state is not None
            # The child may have saved more after the last line we read, never less.
            assert session.state["step"] >= step
            assert session.last_update_id == session.state["step"]
    assert peek(db_path, "PRAGMA integrity_check") == [("ok",)]


# -- concurrency ---------------------------------------------------------------------------------------------------


async def test_failed_attempts_at_an_update_add_up_on_disk_and_old_ones_are_pruned(
    storage: Storage, clock: FakeClock, db_path: Path
) -> None:
    assert await storage.update_failures(7) == 0
    assert await storage.add_update_failure(7) == 1
    assert await storage.add_update_failure(7) == 2
    assert peek(db_path, "SELECT update_id, failures FROM update_failures") == [(7, 2)]  # on disk once returned
    await storage.clear_update_failures(7)
    assert await storage.update_failures(7) == 0
    await storage.add_update_failure(8)
    clock.now += 3 * 86_400  # Telegram has long dropped update 8
    await storage.add_update_failure(9)
    assert peek(db_path, "SELECT update_id FROM update_failures") == [(9,)]


async def test_saves_and_loads_from_50_concurrent_tasks_all_land(storage: Storage, db_path: Path) -> None:
    async def user_talks(user_id: int) -> None:
        for step in range(3):
            previous = await storage.load_session(user_id)
            assert previous is None or previous.last_update_id == step - 1
            await storage.save_session(Session(user_id=user_id, state={"step": step}, last_update_id=step))

    await asyncio.gather(*(user_talks(user_id) for user_id in range(50)))

    assert peek(db_path, "SELECT count(*), min(last_update_id), max(last_update_id) FROM sessions") == [(50, 2, 2)]


async def test_a_failed_transaction_never_takes_other_users_saves_with_it(storage: Storage, db_path: Path) -> None:
    await storage.save_session(Session(user_id=666, state={"step": "intro"}))
    await storage.log_unmatched(666, "question", "en", None, 0.1)
    # An admin's trigger makes forgetting this user fail half-way, after its session row was deleted.
    peek(
        db_path,
        "CREATE TRIGGER refuse BEFORE DELETE ON unmatched WHEN old.user_id = 666 "
        "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END",
    )

    results = await asyncio.gather(
        storage.forget_user(666),
        *(storage.save_session(Session(user_id=user_id, state={"step": "plan"})) for user_id in range(50)),
        return_exceptions=True,
    )

    assert isinstance(results[0], StorageError)
    assert "refused by test trigger" in str(results[0])
    assert not any(isinstance(result, BaseException) for result in results[1:])
    # Seen from outside: the forget rolled back whole, every other save was committed.
    assert peek(db_path, "SELECT count(*) FROM sessions WHERE user_id < 50") == [(50,)]
    assert peek(db_path, "SELECT count(*) FROM sessions WHERE user_id = 666") == [(1,)]
    # And no transaction was left open to swallow the next save.
    await storage.save_session(Session(user_id=1000))
    assert peek(db_path, "SELECT count(*) FROM sessions WHERE user_id = 1000") == [(1,)]


# -- /forget -------------------------------------------------------------------------------------------------------


async def test_forget_erases_the_users_session_and_questions_and_nobody_elses(storage: Storage, db_path: Path) -> None:
    for user_id in (1, 2):
        await storage.save_session(Session(user_id=user_id, state={"step": "plan"}))
        await storage.log_unmatched(user_id, f"question from {user_id}", "en", None, 0.2)
    await storage.log_unmatched(1, "another question", "zh-hans", "impact.credit", 0.5)

    assert await storage.forget_user(1) is True

    assert await storage.load_session(1) is None
    assert peek(db_path, "SELECT user_id, question FROM unmatched") == [(2, "question from 2")]
    assert await storage.load_session(2) is not None


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        pytest.param("nothing", False, id="nothing-stored-reports-false"),
        pytest.param("question-only", True, id="only-an-unmatched-question-still-counts"),
    ],
)
async def test_forget_reports_whether_anything_was_stored(storage: Storage, stored: str, expected: bool) -> None:
    if stored == "question-only":
        await storage.log_unmatched(3, "hello", "en", None, 0.0)

    assert await storage.forget_user(3) is expected
    assert await storage.stats() == StorageStats(users=0, active_walkthroughs=0, unmatched=0)


# -- unmatched questions ---------------------------------------------------------------------------------------


async def test_the_same_update_is_counted_once_but_questions_without_one_every_time(storage: Storage) -> None:
    await storage.log_unmatched(1, "股票怎么买", "zh-hans", None, 0.1, update_id=41)
    await storage.log_unmatched(1, "股票怎么买", "zh-hans", None, 0.1, update_id=41)  # redelivered, same batch
    await storage.stats()  # writes the batch
    await storage.log_unmatched(1, "股票怎么买", "zh-hans", None, 0.1, update_id=41)  # redelivered after a write
    await storage.log_unmatched(2, "股票怎么买", "zh-hans", None, 0.1, update_id=41)  # another user's update 41
    await storage.log_unmatched(1, "股票怎么买", "zh-hans", None, 0.1, update_id=42)  # asked again
    for _ in range(2):  # the terminal chat has no update ids: each asking counts
        await storage.log_unmatched(3, "股票怎么买", "zh-hans", None, 0.1)

    (line,) = await storage.unmatched_report()

    assert (line.count, line.users) == (5, 3)


async def test_unmatched_questions_are_stored_and_reported_without_personal_data(
    storage: Storage, db_path: Path
) -> None:
    await storage.log_unmatched(1, "王小明 13912345678 110101199003071234 欠13000", "zh-hans", None, 0.1)
    await storage.log_unmatched(2, "王小明 13800001111 110101199003071234 欠13000", "zh-hans", None, 0.1)

    (line,) = await storage.unmatched_report()

    assert (line.question, line.count) == ("王小明 [phone] [id] 欠13000", 2)
    stored = peek(db_path, "SELECT question FROM unmatched")
    assert stored == [("王小明 [phone] [id] 欠13000",)] * 2


async def test_a_question_stored_before_redaction_is_redacted_in_the_report(storage: Storage, db_path: Path) -> None:
    await storage.stats()
    with closing(sqlite3.connect(db_path)) as raw:  # as an older version of the bot wrote it
        raw.execute(
            "INSERT INTO unmatched (user_id, question, normalized, lang, best_entry, score, asked_at) "
            "VALUES (1, 'mail me: a@b.cn', 'mail me: a@b.cn', 'en', NULL, 0.1, 1e12)"
        )
        raw.commit()

    (line,) = await storage.unmatched_report()

    assert line.question == "mail me: [email]"


async def test_unmatched_report_groups_spellings_and_puts_the_most_asked_first(
    storage: Storage, clock: FakeClock
) -> None:
    await storage.log_unmatched(1, "Can I pay in  installments?", "en", "plan.installments", 0.61)
    clock.now += 10
    await storage.log_unmatched(2, "can i pay in installments?", "en", "plan.minimum", 0.70)
    clock.now += 10
    await storage.log_unmatched(1, "CAN I PAY\tIN INSTALLMENTS?", "en", None, 0.30)
    clock.now += 10
    await storage.log_unmatched(3, "借呗逾期会上征信吗", "zh-hans", "impact.credit", 0.55)

    report = await storage.unmatched_report()

    assert [(line.question, line.count, line.users) for line in report] == [
        ("can i pay in installments?", 3, 2),
        ("借呗逾期会上征信吗", 1, 1),
    ]
    installments = report[0]
    assert (installments.best_entry, installments.best_score) == ("plan.minimum", 0.70)
    assert installments.last_seen == clock.now - 10


async def test_unmatched_report_ties_go_to_the_most_recent_and_limit_cuts(storage: Storage, clock: FakeClock) -> None:
    for question in ("older", "newer", "newest"):
        await storage.log_unmatched(1, question, "en", None, 0.1)
        clock.now += 1

    report = await storage.unmatched_report(limit=2)

    assert [line.question for line in report] == ["newest", "newer"]


async def test_unmatched_report_since_days_leaves_out_older_questions(storage: Storage, clock: FakeClock) -> None:
    await storage.log_unmatched(1, "last month", "en", None, 0.1)
    clock.now += 30 * DAY
    await storage.log_unmatched(1, "this week", "en", None, 0.1)
    clock.now += 2 * DAY

    assert [line.question for line in await storage.unmatched_report(since_days=7)] == ["this week"]
    assert len(await storage.unmatched_report()) == 2


async def test_prune_deletes_only_questions_older_than_the_retention(storage: Storage, clock: FakeClock) -> None:
    await storage.log_unmatched(1, "ancient", "en", None, 0.1)
    clock.now += 91 * DAY
    await storage.log_unmatched(2, "recent", "en", None, 0.1)
    clock.now += 1 * DAY

    assert await storage.prune_unmatched(older_than_days=90) == 1

    assert [line.question for line in await storage.unmatched_report()] == ["recent"]
    assert await storage.prune_unmatched(older_than_days=90) == 0


async def test_questions_are_kept_short_and_never_logged(
    storage: Storage, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    question = "我欠了借呗八万，每月工资六千，" * 100

    with caplog.at_level(logging.DEBUG, logger="bot.storage"):
        await storage.log_unmatched(9, question, "zh-hans", None, 0.05)
        await storage.unmatched_report()  # a read writes what is waiting first

    assert peek(db_path, "SELECT length(question) FROM unmatched") == [(MAX_QUESTION_CHARS,)]
    assert caplog.records, "expected the recording itself to be logged"
    assert "借呗" not in caplog.text


async def test_unanswered_questions_reach_the_disk_shortly_after_without_any_read(
    storage: Storage, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.storage.batched._UNMATCHED_DELAY", 0.05)
    await storage.log_unmatched(3, "股票怎么买", "zh-hans", None, 0.1)
    assert peek(db_path, "SELECT count(*) FROM unmatched") == [(0,)]  # not on the user's path
    await asyncio.sleep(0.3)
    assert peek(db_path, "SELECT question FROM unmatched") == [("股票怎么买",)]


async def test_stats_count_users_walkthroughs_and_unmatched(storage: Storage) -> None:
    await storage.save_session(Session(user_id=1, state={"guide": {"step": "plan"}}))
    await storage.save_session(Session(user_id=2, lang="en"))
    await storage.save_session(Session(user_id=3, state={"plan": {"asking": "income"}}))  # /plan alone
    await storage.log_unmatched(2, "q", "en", None, 0.0)

    assert await storage.stats() == StorageStats(users=3, active_walkthroughs=1, unmatched=1)


# -- schema and opening ----------------------------------------------------------------------------------------


V2 = """
    ALTER TABLE sessions ADD COLUMN reminder_at REAL;
    -- A trigger body holds semicolons that do not end the migration's statement.
    CREATE TABLE audit (user_id INTEGER NOT NULL, note TEXT NOT NULL);
    CREATE TRIGGER audit_forget AFTER DELETE ON sessions BEGIN
        INSERT INTO audit VALUES (old.user_id, 'forgotten; gone');
    END;
"""


async def test_a_new_database_gets_the_latest_schema_and_reopening_keeps_the_data(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.save_session(Session(user_id=1, state={"step": "plan"}))
    assert schema_version(db_path) == len(MIGRATIONS)

    async with await Storage.open(db_path) as storage:
        loaded = await storage.load_session(1)
        assert loaded is not None
        assert loaded.state == {"step": "plan"}
    assert schema_version(db_path) == len(MIGRATIONS)


async def test_opening_a_v1_database_with_a_v2_migration_upgrades_it(db_path: Path) -> None:
    async with await Storage.open(db_path, migrations=MIGRATIONS[:1]):
        pass
    peek(db_path, """INSERT INTO sessions (user_id, state, updated_at) VALUES (1, '{"step": "plan"}', 0)""")

    async with await Storage.open(db_path, migrations=(*MIGRATIONS[:1], V2)) as storage:
        await storage.forget_user(1)

    assert schema_version(db_path) == 2

    assert "reminder_at" in {row[1] for row in peek(db_path, "PRAGMA table_info(sessions)")}
    assert peek(db_path, "SELECT user_id, note FROM audit") == [(1, "forgotten; gone")]


async def test_a_v1_database_is_upgraded_and_keeps_its_unmatched_questions(db_path: Path) -> None:
    async with await Storage.open(db_path, migrations=MIGRATIONS[:1]):
        pass
    peek(  # what the v1 advisor wrote
        db_path,
        "INSERT INTO unmatched (user_id, question, normalized, lang, best_entry, score, asked_at)"
        " VALUES (1, 'asked before the upgrade', 'asked before the upgrade', 'en', NULL, 0.1, 0)",
    )

    async with await Storage.open(db_path) as storage:
        await storage.log_unmatched(1, "asked after the upgrade", "en", None, 0.1, update_id=7)
        report = await storage.unmatched_report()

    assert sorted(line.question for line in report) == ["asked after the upgrade", "asked before the upgrade"]
    assert schema_version(db_path) == len(MIGRATIONS)


async def test_a_session_saved_before_typed_languages_were_kept_still_loads(db_path: Path) -> None:
    async with await Storage.open(db_path, migrations=MIGRATIONS[:2]):
        pass
    peek(  # what the v2 advisor wrote: a /language choice and a walkthrough
        db_path,
        """INSERT INTO sessions (user_id, lang, state, last_update_id, updated_at)"""
        """ VALUES (1, 'zh-hant', '{"guide": {"step": "days"}}', 9, 0)""",
    )

    async with await Storage.open(db_path) as storage:
        loaded = await storage.load_session(1)
        assert loaded == Session(1, "zh-hant", {"guide": {"step": "days"}}, 9, 0.0, typed_lang=None)
        await storage.save_session(replace(loaded, typed_lang="en"))
        again = await storage.load_session(1)

    assert again is not None
    assert (again.lang, again.typed_lang) == ("zh-hant", "en")


async def test_a_failing_migration_leaves_the_database_at_the_previous_version(db_path: Path) -> None:
    async with await Storage.open(db_path, migrations=MIGRATIONS[:1]):
        pass
    broken = "CREATE TABLE half_done (x INTEGER); ALTER TABLE no_such_table ADD COLUMN y TEXT;"

    with pytest.raises(StorageError, match=r"schema version 2.*left at version 1") as raised:
        await Storage.open(db_path, migrations=(*MIGRATIONS[:1], broken))

    assert isinstance(raised.value.__cause__, sqlite3.Error)
    assert peek(db_path, "PRAGMA user_version") == [(1,)]
    assert peek(db_path, "SELECT name FROM sqlite_master WHERE name = 'half_done'") == []


async def test_a_database_from_a_newer_advisor_is_refused(db_path: Path) -> None:
    async with await Storage.open(db_path):
        pass
    peek(db_path, "PRAGMA user_version = 70")

    with pytest.raises(StorageError, match=rf"schema version 70.*only knows versions up to {len(MIGRATIONS)}\b"):
        await Storage.open(db_path)

    assert peek(db_path, "PRAGMA user_version") == [(70,)]


def _directory(path: Path) -> Path:
    path.mkdir()
    return path


def _under_a_file(path: Path) -> Path:
    path.write_text("a file, not a folder\n")
    return path / "advisor.sqlite3"


def _not_a_database(path: Path) -> Path:
    path.write_text("these are notes, not a database\n" * 20)
    return path


@pytest.mark.parametrize(
    ("make_path", "reason"),
    [
        pytest.param(_directory, "Cannot open the database", id="path-is-a-directory"),
        pytest.param(_under_a_file, "Cannot create the folder", id="parent-folder-is-a-file"),
        pytest.param(_not_a_database, "is not a SQLite database", id="file-is-not-a-database"),
    ],
)
async def test_a_path_that_cannot_hold_the_database_raises_a_plain_sentence(
    tmp_path: Path, make_path: Any, reason: str
) -> None:
    path = make_path(tmp_path / "advisor.sqlite3")

    with pytest.raises(StorageError) as raised:
        await Storage.open(path)

    message = str(raised.value)
    assert reason in message
    assert str(path.parent if reason == "Cannot create the folder" else path) in message
    assert message.endswith(".")
    assert raised.value.__cause__ is not None


async def test_a_closed_storage_says_so(db_path: Path) -> None:
    storage = await Storage.open(db_path)
    await storage.close()
    await storage.close()

    with pytest.raises(StorageError, match="is closed"):
        await storage.load_session(1)
