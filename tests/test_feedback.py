"""👍 / 👎 on answers, the admins' inbox (grouped, resolved or ignored, CSV) and /stats, through the engine."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.admin import Admin
from bot.chat import run_chat
from bot.cli import main
from bot.config import load_config
from bot.core.i18n import Lang
from bot.core.inbox import Row
from bot.engine import Engine, Knowledge
from bot.storage import Storage
from tests.kbfactory import CREDIT
from tests.transcript import EngineUser, fixture_knowledge

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"
ZH = Lang.ZH_HANS
CLOCK = 1_800_000_000.0


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """Built once for the module: the bot shares one immutable Knowledge between all its users too."""
    return fixture_knowledge(tmp_path_factory.mktemp("kb"))


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with await Storage.open(tmp_path / "advisor.sqlite3", clock=lambda: CLOCK) as storage:
        yield storage


class Person(EngineUser):
    def __init__(self, engine: Engine, user_id: int = 11) -> None:
        super().__init__(engine, user_id)


async def test_every_answer_carries_thumbs_and_a_thumbs_up_is_counted(knowledge: Knowledge, storage: Storage) -> None:
    user = Person(Engine(knowledge, storage))
    [answer] = await user.says(CREDIT[0])
    assert answer.title == "标题 impact.credit"
    assert answer.choices[-2:] == (
        type(answer.choices[0])("feedback_up 文本", "v:+:impact.credit"),
        type(answer.choices[0])("feedback_down 文本", "v:-:impact.credit"),
    )
    await user.presses("v:+:impact.credit")
    assert user.text == "feedback_thanks 文本"
    assert await storage.vote_counts() == {"impact.credit": (1, 0)}
    assert await storage.inbox_rows() == []


async def test_an_answer_opened_from_a_button_carries_them_too(knowledge: Knowledge, storage: Storage) -> None:
    user = Person(Engine(knowledge, storage))
    await user.says(CREDIT[0])
    await user.presses("e:respond.negotiate")
    assert "v:-:respond.negotiate" in user.actions


async def test_a_thumbs_down_files_the_question_with_the_users_note(knowledge: Knowledge, storage: Storage) -> None:
    user = Person(Engine(knowledge, storage))
    await user.says(CREDIT[1])
    await user.presses("v:-:impact.credit")
    assert user.text == "feedback_ask_note 文本"
    assert user.actions == ["v:skip"]
    await user.says("想知道逾期记录保留几年")
    assert user.text == "feedback_noted 文本"
    [row] = await storage.inbox_rows()
    assert (row.question, row.source, row.entry) == (CREDIT[1], "disliked", "impact.credit")
    assert row.note == "想知道逾期记录保留几年"
    assert await storage.vote_counts() == {"impact.credit": (0, 1)}

    # a second user skips the note; changing one's mind replaces the vote
    other = Person(user.engine, 12)
    await other.says(CREDIT[1])
    await other.presses("v:-:impact.credit")
    await other.presses("v:skip")
    assert other.text == "feedback_skipped 文本"
    await other.says(CREDIT[1])
    await other.presses("v:+:impact.credit")
    assert await storage.vote_counts() == {"impact.credit": (1, 1)}
    assert len(await storage.inbox_rows()) == 2


async def test_the_inbox_groups_alike_questions_and_hides_a_group_marked_resolved(
    knowledge: Knowledge, storage: Storage
) -> None:
    engine = Engine(knowledge, storage)
    asked = ["股票怎么买", "股票怎么买呢", "股票该怎么买", "怎么养猫"]
    for user_id, question in enumerate(asked, 1):
        await Person(engine, user_id).says(question)
    admin = Admin(storage, clock=lambda: CLOCK)
    normalize = knowledge.matcher.normalize
    report = await admin.unmatched(knowledge.kb, ZH, normalize)
    groups = await admin.groups(normalize)
    assert [g.count for g in groups] == [3, 1]  # three wordings of one question; the cat alone
    assert "n=[1] times=[3] users=[3]" in report.text
    first = groups[0]
    assert f"i:ok:{first.key}" in [c.action for c in report.choices]

    [marked, after] = await admin.press(f"i:ok:{first.key}", knowledge.kb, ZH, normalize)
    assert marked.text.startswith("admin_marked_resolved 文本")
    assert "times=[3]" not in after.text
    assert [g.count for g in await admin.groups(normalize)] == [1]

    [csv_reply] = await admin.press("i:csv", knowledge.kb, ZH, normalize)
    assert csv_reply.attachment is not None
    table = list(csv.DictReader(io.StringIO(csv_reply.attachment.data.decode("utf-8-sig"))))
    assert [r["question"] for r in table] == ["怎么养猫"]


async def test_stats_show_the_funnel_the_outcome_shares_and_the_votes(knowledge: Knowledge, storage: Storage) -> None:
    engine = Engine(knowledge, storage)
    walker = Person(engine, 21)
    await walker.says("/guide")
    await walker.presses(walker.actions[0])  # product → days
    asker = Person(engine, 22)
    await asker.says(CREDIT[0])
    await asker.presses("v:+:impact.credit")
    await asker.says("怎么养猫")

    stats = await Admin(storage, clock=lambda: CLOCK).stats(knowledge.kb, ZH, "v1")
    assert "admin_funnel_line 文本 step=[product] reached=[1] stopped=[0]" in stats.text
    assert "admin_funnel_line 文本 step=[days] reached=[1] stopped=[1]" in stats.text
    day = knowledge.kb.text("admin_period_day", ZH)
    assert f"period=[{day}] answered=[50%] clarified=[0%] fallback=[50%] total=[2]" in stats.text
    assert "admin_votes_line 文本 entry=[impact.credit] up=[1] down=[0]" in stats.text


async def test_forget_erases_votes_the_funnel_and_filed_questions(knowledge: Knowledge, storage: Storage) -> None:
    user = Person(Engine(knowledge, storage))
    await user.says("/guide")
    await user.says(CREDIT[0])
    await user.presses("v:-:impact.credit")
    await user.says("/forget")
    await user.presses("f:yes")
    assert await storage.vote_counts() == {}
    assert await storage.inbox_rows() == []
    assert await storage.reached_counts() == {}


async def test_kb_unmatched_groups_the_inbox_and_writes_csv(
    tmp_path: Path, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    for user_id, question in enumerate(["股票怎么买", "股票怎么买呢", "股票该怎么买"], 1):
        await storage.log_unmatched(user_id, question, "zh-hans", None, 0.0)
    await storage.file_disliked(9, "逾期了征信会受影响吗", "zh-hans", "impact.credit")
    await storage.close()
    monkeypatch.setenv("ADVISOR_DB", str(tmp_path / "advisor.sqlite3"))
    out = io.StringIO()
    table = tmp_path / "inbox.csv"
    assert await asyncio.to_thread(main, ["kb", "unmatched", "--csv", str(table)], out) == 0
    first, second = out.getvalue().splitlines()
    assert first.split()[:3] == ["3×", "3", "users"]
    assert "+2 wordings" in first
    assert "👎 1" in second
    assert second.endswith("逾期了征信会受影响吗")
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert [r["times"] for r in rows] == ["3", "1"]


async def test_a_phone_number_in_a_turned_down_question_or_note_never_reaches_the_inbox(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = Person(Engine(knowledge, storage))
    await user.says("逾期了征信会受影响吗 我电话13812345678")
    await user.presses(user.actions[-1])  # 👎
    await user.says("请打 13912345678 联系我")
    [row] = await storage.inbox_rows()
    assert "13812345678" not in row.question
    assert row.note is not None
    assert "13912345678" not in row.note


def test_the_terminal_chat_shows_the_thumbs_and_takes_a_note(tmp_path: Path) -> None:
    shipped = Knowledge.load(SHIPPED)
    question = next(
        q for q in ("逾期了征信会受影响吗", "不还钱会被起诉吗") if shipped.matcher.match(q).entry is not None
    )
    config = load_config(None, env={"ADVISOR_DB": str(tmp_path / "chat.sqlite3")})
    out = io.StringIO()
    answer_turn = io.StringIO()
    assert run_chat(config, ZH, io.StringIO(f"{question}\n"), answer_turn) == 0
    down = next(
        line.split(".")[0].strip()
        for line in answer_turn.getvalue().splitlines()
        if line.strip().endswith(shipped.kb.text("feedback_down", ZH))
    )
    lines = [question, down, "想知道这条记录会留几年", "/quit"]
    assert run_chat(config, ZH, io.StringIO("".join(f"{line}\n" for line in lines)), out) == 0
    turns = re.split(r"(?m)^> ", out.getvalue())
    assert shipped.kb.text("feedback_up", ZH) in turns[1]
    assert shipped.kb.text("feedback_ask_note", ZH) in turns[2]
    assert shipped.kb.text("feedback_noted", ZH) in turns[3]

    async def inbox() -> list[Row]:
        async with await Storage.open(config.database) as storage:
            return await storage.inbox_rows()

    [row] = asyncio.run(inbox())
    assert row.note == "想知道这条记录会留几年"
    assert row.question == question
