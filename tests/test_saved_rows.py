"""The rows saved beside a user's state, read through their declared shapes: reminder rules, and the replies kept to
answer a redelivered update. Every row an earlier release wrote still loads, what is written now is that same shape,
and a garbled row is logged by place (never by value) and read as unknown, never raised."""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.core.reminders import Rule
from bot.core.replies import Attachment, Chart, Choice, Reply
from bot.engine import Engine, Incoming, Kind
from bot.storage import Session, Storage
from bot.tools import Tools
from tests.transcript import fixture_knowledge

USER = 7
NOW = 1_800_000_000.0


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "advisor.sqlite3"  # the file the suite's `storage` fixture opens


def sql(path: Path, statement: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
    """One statement on a second connection, as an admin's sqlite3 shell (or an earlier release) would run it."""
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute(statement, parameters).fetchall()
        connection.commit()
        return rows


# -- reminder rules ----------------------------------------------------------------------------------------------

# Rows as every release since reminders were stored wrote them.
RULE_ROWS = [
    pytest.param('{"kind":"monthly","day":15}', Rule.monthly(15), id="monthly"),
    pytest.param('{"kind":"monthly","day":31}', Rule.monthly(31), id="monthly-on-the-31st"),
    pytest.param(
        '{"kind":"monthly","day":15,"start":"2026-03-15"}', Rule.monthly(15, date(2026, 3, 15)),
        id="monthly-from-a-start",
    ),
    pytest.param('{"kind":"once","on":"2026-03-01"}', Rule.once(date(2026, 3, 1)), id="once"),
    pytest.param('{"kind":"credit","on":"2026-01-31","every":3}', Rule.credit(3, date(2026, 1, 31)), id="credit"),
]


def insert_rule(path: Path, rule: str, next_at: float = NOW + 3600) -> None:
    sql(path, "INSERT INTO reminders (user_id, rule, next_at, created_at) VALUES (?, ?, ?, ?)",
        (USER, rule, next_at, NOW - 3600))  # fmt: skip


@pytest.mark.parametrize(("row", "rule"), RULE_ROWS)
async def test_every_rule_an_earlier_release_stored_still_loads(
    storage: Storage, db_path: Path, row: str, rule: Rule
) -> None:
    insert_rule(db_path, row)
    [stored] = await storage.reminders_of(USER)
    assert stored.rule == rule


@pytest.mark.parametrize(("row", "rule"), RULE_ROWS)
async def test_a_rule_is_written_in_the_shape_earlier_releases_wrote(
    storage: Storage, db_path: Path, row: str, rule: Rule
) -> None:
    [added] = await storage.add_reminders(USER, [(rule, NOW)], limit=24) or []
    assert added.rule == rule
    assert sql(db_path, "SELECT rule FROM reminders") == [(row,)]  # a rolled-back release reads it too
    [stored] = await storage.reminders_of(USER)
    assert stored.rule == rule


@pytest.mark.parametrize(
    ("row", "place"),
    [
        pytest.param('{"kind":"monthly","day":"王小明"}', "day: expected a whole number, found a text",
                     id="words-for-the-day"),
        pytest.param('{"kind":"monthly","day":40}', "day: expected `int` <= 31", id="day-40"),
        pytest.param('{"kind":"fortnightly","day":1}', "kind: not one of the values allowed there", id="unknown-kind"),
        pytest.param('{"kind":"credit","on":"2026-01-31"}', "every: missing", id="credit-without-its-period"),
        pytest.param('{"kind":"once","on":"2026-03-01","note":"王小明"}', "note: not a key this version has",
                     id="a-key-no-release-wrote"),
        pytest.param('["王小明"]', "expected a mapping, found a list", id="a-list"),
        pytest.param("{王小明", "not JSON (object keys must be strings (byte 1))", id="not-json"),
    ],
)  # fmt: skip
async def test_a_garbled_rule_is_logged_by_place_listed_as_unknown_and_dropped_when_due(
    storage: Storage, db_path: Path, caplog: pytest.LogCaptureFixture, row: str, place: str
) -> None:
    insert_rule(db_path, row, next_at=NOW - 60)
    with caplog.at_level(logging.WARNING, logger="bot.storage"):
        [listed] = await storage.reminders_of(USER)
    assert listed.rule is None
    [warning] = caplog.records
    assert warning.getMessage() == f"reminder {listed.id}: saved reminder rule: {place}; it is kept without its rule"
    assert "王小明" not in caplog.text

    tools = Tools(storage, clock=lambda: NOW)
    [due] = await tools.due(NOW)
    assert await tools.claim(due, NOW)  # an unreadable rule has no next firing: the row goes
    assert await storage.reminders_of(USER) == []


# -- the replies kept for a redelivered update -------------------------------------------------------------------

CHART = Chart((500, 500, 300), "还款计划", "月", "还款", "剩余", "已还", "未还", "三个月还清")
CHART_ROW = {"instalments": [500, 500, 300], "title": "还款计划", "month_axis": "月", "paid_axis": "还款",
             "left_axis": "剩余", "paid": "已还", "left": "未还", "caption": "三个月还清"}  # fmt: skip

# Rows as releases wrote them: text, title and buttons first; then a chart; then whether a reply edits in place.
REPLY_ROWS = [
    pytest.param(
        [{"text": "第一步", "title": "花呗", "choices": [["下一步", "w:next"], ["返回", "w:back"]]}, {"text": "还有"}],
        [Reply("第一步", (Choice("下一步", "w:next"), Choice("返回", "w:back")), "花呗"), Reply("还有")],
        id="the-first-kept-replies",
    ),
    pytest.param([{"text": "计划", "chart": CHART_ROW}], [Reply("计划", chart=CHART)], id="with-a-chart"),
    pytest.param(
        [{"text": "第二步", "choices": [["是", "w:o:cause:income_drop"]], "edit": True}],
        [Reply("第二步", (Choice("是", "w:o:cause:income_drop"),), edit=True)],
        id="editing-in-place",
    ),
]


def insert_session(path: Path, replies: object, update_id: int = 10) -> None:
    sql(
        path,
        "INSERT INTO sessions (user_id, last_update_id, last_replies, updated_at) VALUES (?, ?, ?, ?)",
        (USER, update_id, replies if isinstance(replies, str) else json.dumps(replies, ensure_ascii=False), NOW),
    )


@pytest.mark.parametrize(("row", "replies"), REPLY_ROWS)
async def test_every_reply_an_earlier_release_kept_still_answers_its_redelivered_update(
    storage: Storage, db_path: Path, tmp_path: Path, row: list[dict[str, Any]], replies: list[Reply]
) -> None:
    insert_session(db_path, row, update_id=10)
    engine = Engine(fixture_knowledge(tmp_path / "kb"), storage)  # just started: nothing of the user in memory
    redelivered = Incoming(USER, Kind.PRESS, action="w:next", update_id=10)
    assert (await engine.handle(redelivered)).replies == replies


@pytest.mark.parametrize(("row", "replies"), REPLY_ROWS)
async def test_replies_are_kept_in_the_shape_earlier_releases_wrote(
    storage: Storage, db_path: Path, row: list[dict[str, Any]], replies: list[Reply]
) -> None:
    kept = tuple(reply.to_saved() for reply in replies)
    await storage.save_session(Session(USER, last_update_id=10, last_replies=kept))
    [(stored,)] = sql(db_path, "SELECT last_replies FROM sessions")
    assert json.loads(stored) == row
    loaded = await storage.load_session(USER)
    assert loaded is not None
    assert loaded.last_replies is not None
    assert [Reply.from_saved(saved) for saved in loaded.last_replies] == replies


def test_a_file_sent_with_a_reply_is_not_kept() -> None:
    reply = Reply("导出", attachment=Attachment("diary.pdf", b"%PDF-", "application/pdf"))
    assert Reply.from_saved(reply.to_saved()) == Reply("导出")


@pytest.mark.parametrize(
    ("row", "place"),
    [
        pytest.param([{"text": 5}], "[0].text: expected a text, found a whole number", id="a-number-for-text"),
        pytest.param([{"title": "王小明 13912345678"}], "[0].text: missing", id="no-text"),
        pytest.param([{"text": "王小明", "choices": [["王小明"]]}], "[0].choices[0]: expected `array` of length 2",
                     id="a-button-without-its-action"),
        pytest.param([{"text": "王小明", "chart": {"title": "王小明"}}], "[0].chart.instalments: missing",
                     id="half-a-chart"),
        pytest.param([{"text": "王小明", "edit": "王小明"}], "[0].edit: expected true or false, found a text",
                     id="edit-in-words"),
        pytest.param([{"text": "王小明", "voice": "王小明"}], "[0].voice: not a key this version has",
                     id="a-key-no-release-wrote"),
        pytest.param({"text": "王小明"}, "expected a list, found a mapping", id="one-reply-not-a-list"),
        pytest.param('[{"text": "王小明"', "not JSON (Input data was truncated)", id="cut-short"),
    ],
)  # fmt: skip
async def test_garbled_kept_replies_are_logged_by_place_and_read_as_none(
    storage: Storage, db_path: Path, caplog: pytest.LogCaptureFixture, row: object, place: str
) -> None:
    insert_session(db_path, row)
    with caplog.at_level(logging.WARNING, logger="bot.storage"):
        loaded = await storage.load_session(USER)
    assert loaded is not None
    assert (loaded.last_update_id, loaded.last_replies) == (10, None)  # the redelivery shows where the user is
    [warning] = caplog.records
    assert warning.getMessage() == (
        f"user {USER}: saved replies: {place}; a redelivered update is answered with where they are"
    )
    assert "王小明" not in caplog.text
