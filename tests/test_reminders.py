"""Reminders through the engine and `advisor chat`: set, list, cancel, time zones, /forget; the clock injected.

The terminal chat lists, sets and cancels reminders but does not fire them (only `advisor run` has a JobQueue).
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.chat import run_chat
from bot.config import Config, load_config
from bot.core.actions import Reminder
from bot.core.i18n import Lang
from bot.core.progress import Progress
from bot.engine import Engine, Incoming, Kind, Knowledge
from bot.storage import Storage
from bot.tools import Context, Form, Tools
from tests.transcript import EngineUser, fixture_knowledge

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"
ZH = Lang.ZH_HANS


def at(text: str, tz: str = "Asia/Shanghai") -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).timestamp()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """Built once for the module: the bot shares one immutable Knowledge between all its users too."""
    return fixture_knowledge(tmp_path_factory.mktemp("kb"))


class Person(EngineUser):
    def __init__(self, engine: Engine, user_id: int = 7) -> None:
        super().__init__(engine, user_id)

    def action_for(self, key_start: str) -> str:
        [action] = [c.action for c in self.choices if c.label.startswith(key_start)]
        return action


async def test_due_days_are_set_listed_and_cancelled(knowledge: Knowledge, storage: Storage) -> None:
    clock = Clock(at("2026-01-10 12:00"))
    user = Person(Engine(knowledge, storage, clock=clock))
    await user.says("/reminders")
    assert user.text.startswith("reminder_none 文本 tz=[Asia/Shanghai]")
    assert user.actions == ["r:add", "r:credit", "r:tz"]

    await user.presses("r:add")
    assert user.text == "reminder_due_prompt 文本"
    await user.says("明天")  # not a date: asked again, still waiting
    assert user.text == "reminder_due_unclear 文本"
    await user.says("31, 2026-03-01")
    assert "what=[reminder_monthly_short 文本 day=[31]] next=[2026-01-31 09:00]" in user.text  # "… or the last day"
    assert "what=[reminder_once 文本 date=[2026-03-01]] next=[2026-03-01 09:00]" in user.text
    assert [a for a in user.actions if a.startswith("r:x:")] == [
        f"r:x:{r.id}" for r in await storage.reminders_of(user.user_id)
    ]

    await user.says("15")  # no longer waiting: a question now, not a due day
    assert len(await storage.reminders_of(user.user_id)) == 2

    await user.says("/reminders")
    first = user.actions[0]
    await user.presses(first)
    assert user.replies[0].text == "reminder_cancelled 文本"
    assert len(await storage.reminders_of(user.user_id)) == 1
    await user.presses(user.actions[0])
    await user.says("/reminders")
    await user.presses("r:add")
    stale = (await user.engine.handle(Incoming(user.user_id, Kind.PRESS, action=first, lang=ZH))).replies
    assert stale[0].text == "reminder_gone 文本"


async def test_a_due_day_typed_with_a_particle_is_set(knowledge: Knowledge, storage: Storage) -> None:
    """The second user trial: "每个月10号吧" was asked about again, although "10号" is read."""
    user = Person(Engine(knowledge, storage, clock=Clock(at("2026-01-12 12:00"))))
    await user.says("/reminders")
    await user.presses("r:add")
    await user.says("每个月10号吧")
    assert user.text != "reminder_due_unclear 文本"
    assert "what=[reminder_monthly 文本 day=[10]] next=[2026-02-10 09:00]" in user.text
    assert len(await storage.reminders_of(user.user_id)) == 1


async def test_a_credit_nudge_and_a_time_zone(knowledge: Knowledge, storage: Storage) -> None:
    clock = Clock(at("2026-01-10 12:00"))
    user = Person(Engine(knowledge, storage, clock=clock))
    await user.says("/reminders")
    await user.presses("r:credit")
    assert user.actions == ["r:credit:1", "r:credit:3", "r:credit:6", "r:stop"]
    await user.presses("r:credit:3")
    assert "reminder_credit 文本 months=[3]] next=[2026-04-10 09:00]" in user.text

    await user.presses("r:tz")
    await user.presses("r:tzt")
    await user.says("Mars/Base")
    assert user.text == "reminder_tz_unknown 文本"
    await user.says("europe/berlin")
    assert user.replies[0].text == "reminder_tz_set 文本 tz=[Europe/Berlin]"
    assert "next=[2026-04-10 09:00]" in user.text  # 9:00 in Berlin now
    [reminder] = await storage.reminders_of(user.user_id)
    assert reminder.next_at == at("2026-04-10 09:00", "Europe/Berlin")


@pytest.mark.parametrize(
    ("typed", "months"),
    [
        pytest.param("每三个月查一次征信", 3, id="trial-every-three-months-in-words"),
        pytest.param("每3个月", 3, id="trial-every-3-months"),
        pytest.param("三个月一次", 3, id="trial-three-months-once"),
        pytest.param("每半年", 6, id="every-half-year"),
        pytest.param("每季度吧", 3, id="every-quarter"),
        pytest.param("every 2 months", 2, id="english"),
    ],
)
async def test_how_often_to_check_the_credit_record_can_be_typed(
    knowledge: Knowledge, storage: Storage, typed: str, months: int
) -> None:
    """The first-user trial: "每三个月查一次征信" at the credit prompt went to the FAQ and no reminder was set."""
    user = Person(Engine(knowledge, storage, clock=Clock(at("2026-01-10 12:00"))))
    await user.says("/reminders")
    await user.presses("r:credit")
    await user.says(typed)
    assert f"reminder_credit 文本 months=[{months}]]" in user.text
    [reminder] = await storage.reminders_of(user.user_id)
    assert reminder.rule is not None
    assert reminder.rule.every == months
    await user.says("15")  # no longer waiting
    assert len(await storage.reminders_of(user.user_id)) == 1


@pytest.mark.parametrize(
    ("typed", "months"),
    [
        pytest.param("every 6 weeks", 1, id="six-weeks"),
        pytest.param("每6周", 1, id="six-weeks-in-chinese"),
        pytest.param("一个半月一次", 1, id="a-month-and-a-half"),
        pytest.param("每八个星期查一次", 2, id="eight-weeks-in-numerals"),
    ],
)
async def test_a_gap_in_weeks_is_read_rounded_to_whole_months_and_said_so(
    knowledge: Knowledge, storage: Storage, typed: str, months: int
) -> None:
    """The first-user trial: "every 6 weeks", "每6周" and "一个半月一次" were asked again as unreadable."""
    user = Person(Engine(knowledge, storage, clock=Clock(at("2026-01-10 12:00"))))
    await user.says("/reminders")
    await user.presses("r:credit")
    replies = await user.says(typed)
    assert replies[0].text == f"reminder_credit_rounded 文本 months=[{months}]"
    [reminder] = await storage.reminders_of(user.user_id)
    assert reminder.rule is not None
    assert reminder.rule.every == months


async def test_a_gap_in_whole_months_is_set_without_that_line(knowledge: Knowledge, storage: Storage) -> None:
    user = Person(Engine(knowledge, storage, clock=Clock(at("2026-01-10 12:00"))))
    await user.says("/reminders")
    await user.presses("r:credit")
    replies = await user.says("每3个月")
    assert not any(r.text.startswith("reminder_credit_rounded") for r in replies)


async def test_what_the_credit_prompt_cannot_read_is_asked_again_never_dropped(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = Person(Engine(knowledge, storage, clock=Clock(at("2026-01-10 12:00"))))
    await user.says("/reminders")
    await user.presses("r:credit")
    await user.says("看心情吧")
    assert user.text == "reminder_credit_unclear 文本"
    assert user.actions == ["r:credit:1", "r:credit:3", "r:credit:6", "r:stop"]
    assert await storage.reminders_of(user.user_id) == []
    await user.says("每半年")  # still waiting for it
    assert "reminder_credit 文本 months=[6]]" in user.text


async def test_the_day_the_agreed_plan_starts_is_offered_as_the_first_due_date(
    knowledge: Knowledge, storage: Storage
) -> None:
    """The first-user trial: the terms said "3月15号开始还", yet the due-day prompt offered nothing and a monthly
    "15号" fired on 15 January, before the plan started."""
    clock = Clock(at("2026-01-10 12:00"))
    tools = Tools(storage, clock)
    walk = Progress(result="agreed", terms="每月还2800 分12期 3月15号开始还")
    ctx = Context(7, knowledge.kb, ZH, walk=walk)
    asked = await tools.press(ctx, Reminder("add"), None)
    [prompt] = asked.replies
    assert [c.action for c in prompt.choices] == ["r:from:2026-03-15", "r:stop"]
    assert prompt.choices[0].label == "reminder_from_button 文本 day=[15] date=[2026-03-15]"

    await tools.press(ctx, Reminder("from", "2026-03-15"), asked.form)
    [reminder] = await storage.reminders_of(7)
    assert reminder.next_at == at("2026-03-15 09:00")  # not 15 January, nor 15 February

    typed = await tools.typed(Context(8, knowledge.kb, ZH, walk=walk), "15号", Form("due", {}))
    [reminder] = await storage.reminders_of(8)
    assert reminder.next_at == at("2026-03-15 09:00")  # the same day typed: from the start too
    assert "reminder_monthly_from 文本 day=[15] date=[2026-03-15]" in typed.replies[0].text


async def test_without_a_start_in_the_terms_the_due_prompt_offers_no_date(
    knowledge: Knowledge, storage: Storage
) -> None:
    tools = Tools(storage, Clock(at("2026-01-10 12:00")))
    ctx = Context(7, knowledge.kb, ZH, walk=Progress(result="agreed", terms="每月还2800 分12期"))
    [prompt] = (await tools.press(ctx, Reminder("add"), None)).replies
    assert [c.action for c in prompt.choices] == ["r:stop"]


async def test_a_reminder_that_fires_moves_on_and_says_when_it_is_late(knowledge: Knowledge, storage: Storage) -> None:
    clock = Clock(at("2026-01-10 12:00"))
    engine = Engine(knowledge, storage, clock=clock)
    user = Person(engine)
    await user.says("/reminders")
    await user.presses("r:add")
    await user.says("15")

    assert await engine.tools.due(clock()) == []
    clock.now = at("2026-03-01 08:00")  # the bot was down over two due days
    [due] = await engine.tools.due(clock())
    assert await engine.tools.claim(due, clock())
    assert not await engine.tools.claim(due, clock())  # a second delivery of the same firing is refused
    message = await engine.tools.message(due, clock(), knowledge.kb)
    assert message.text.startswith("reminder_fire_due 文本 date=[2026-01-15]")
    assert "reminder_late 文本 when=[2026-01-15 09:00]" in message.text
    [moved] = await storage.reminders_of(user.user_id)
    assert moved.next_at == at("2026-03-15 09:00")  # once, not once per missed month


async def test_a_command_leaves_a_waiting_tool_and_forget_erases_reminders(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = Person(Engine(knowledge, storage, clock=Clock(at("2026-01-10 12:00"))))
    await user.says("/reminders")
    await user.presses("r:add")
    await user.says("/help")
    await user.says("20")
    assert await storage.reminders_of(user.user_id) == []  # "20" was a message, not a due day
    await user.says("/reminders")
    await user.presses("r:add")
    await user.says("20")
    assert len(await storage.reminders_of(user.user_id)) == 1
    await user.says("/forget")
    await user.presses("f:yes")
    assert await storage.reminders_of(user.user_id) == []
    assert await storage.prefs(user.user_id) == (None, None)


# -- the terminal chat ------------------------------------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(None, env={"ADVISOR_DB": str(tmp_path / "chat.sqlite3")})


def chat(config: Config, *lines: str) -> list[str]:
    out = io.StringIO()
    assert run_chat(config, ZH, io.StringIO("".join(f"{line}\n" for line in lines)), out) == 0
    return re.split(r"(?m)^> ", out.getvalue())


def test_the_terminal_chat_sets_lists_and_cancels_reminders(config: Config) -> None:
    kb = Knowledge.load(SHIPPED).kb
    # "1" at the due-day prompt is the 1st of the month, not the first button ("never mind")
    _, listing, prompt, added, cancelled, _bye = chat(config, "/reminders", "1", "1", "1", "/quit")
    assert kb.text("reminder_none", ZH, tz="Asia/Shanghai") in listing
    assert kb.text("reminder_due_prompt", ZH) in prompt
    assert kb.text("reminder_monthly", ZH, day="1") in added  # a day every month has: no note on shorter months
    assert kb.text("reminder_cancelled", ZH) in cancelled
    assert kb.text("reminder_none", ZH, tz="Asia/Shanghai") in cancelled
