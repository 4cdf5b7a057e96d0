"""What a first user met in `advisor chat`, through the engine on fixture knowledge: typed confirmations, /cancel
that asks first, and the walkthrough's typed answers where they used to fall through."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.chat import run_chat
from bot.cli import main
from bot.config import Config, load_config
from bot.core.i18n import Lang
from bot.core.reminders import Rule
from bot.engine import PROGRESS_KEY, Engine, Incoming, Kind, Knowledge
from bot.engine.saved_state import FORGET_KEY
from bot.storage import Storage
from bot.tools import describe
from tests.transcript import EngineUser, fixture_knowledge

ZH = Lang.ZH_HANS
SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """Built once for the module: the bot shares one immutable Knowledge between all its users too."""
    return fixture_knowledge(tmp_path_factory.mktemp("kb"))


async def walked(engine: Engine) -> EngineUser:
    """A user with walkthrough progress and a saved session."""
    user = EngineUser(engine, 7)
    await user.says("/guide")
    await user.presses("w:o:product:huabei")
    return user


# -- /forget answered in words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("forget_yes 文本", id="the-buttons-label"),
        pytest.param("forget_yes_words 文本", id="a-yes-word"),
        pytest.param("forget_yes_words 文本吧", id="a-yes-word-with-a-particle"),
    ],
)
async def test_a_typed_yes_deletes(knowledge: Knowledge, storage: Storage, typed: str) -> None:
    user = await walked(Engine(knowledge, storage))
    await user.says("/forget")
    assert user.actions == ["f:yes", "f:no"]
    await user.says(typed)
    assert user.text == knowledge.kb.text("forgotten", ZH)
    assert await storage.load_session(user.user_id) is None


@pytest.mark.parametrize("typed", [pytest.param("forget_no 文本", id="label"), pytest.param("forget_no_words 文本")])
async def test_a_typed_no_keeps_everything(knowledge: Knowledge, storage: Storage, typed: str) -> None:
    user = await walked(Engine(knowledge, storage))
    await user.says("/forget")
    await user.says(typed)
    assert user.text == knowledge.kb.text("forget_cancelled", ZH)
    assert await storage.load_session(user.user_id) is not None


async def test_anything_else_after_the_question_says_nothing_was_deleted(
    knowledge: Knowledge, storage: Storage
) -> None:
    user = await walked(Engine(knowledge, storage))
    await user.says("/privacy")
    await user.presses("f:ask")
    await user.says("嗯嗯")
    assert user.replies[-1].text == knowledge.kb.text("forget_not_yet", ZH)
    assert await storage.load_session(user.user_id) is not None
    await user.says("forget_yes_words 文本")  # the question was open for one message only
    assert knowledge.kb.text("forgotten", ZH) not in user.text
    assert await storage.load_session(user.user_id) is not None


async def test_a_yes_after_another_command_deletes_nothing(knowledge: Knowledge, storage: Storage) -> None:
    user = await walked(Engine(knowledge, storage))
    await user.says("/forget")
    await user.says("/help")
    await user.says("forget_yes 文本")
    assert await storage.load_session(user.user_id) is not None


# -- /forget's question through a restart ------------------------------------------------------------------------


class Restarts:
    """The bot on one database file, started afresh whenever the test says: new Storage, new Engine, nothing in
    memory but what the file holds."""

    def __init__(self, knowledge: Knowledge, path: Path) -> None:
        self.knowledge, self.path = knowledge, path
        self.storage: Storage | None = None

    async def start(self) -> EngineUser:
        await self.stop()
        self.storage = await Storage.open(self.path)
        return EngineUser(Engine(self.knowledge, self.storage), 7)

    async def stop(self) -> None:
        if self.storage is not None:
            await self.storage.close()
            self.storage = None

    async def saved_state(self) -> dict[str, object] | None:
        assert self.storage is not None
        session = await self.storage.load_session(7)
        return None if session is None or session.state is None else dict(session.state)


@pytest.fixture
async def bot(knowledge: Knowledge, tmp_path: Path) -> AsyncIterator[Restarts]:
    restarts = Restarts(knowledge, tmp_path / "restarted.sqlite3")
    yield restarts
    await restarts.stop()


async def ask_to_forget(user: EngineUser, how: str) -> None:
    if how == "button":
        await user.says("/privacy")
        await user.presses("f:ask")
    else:
        await user.says("/forget")
    assert user.actions == ["f:yes", "f:no"]


@pytest.mark.parametrize("how", ["typed", "button"])
async def test_a_typed_yes_after_a_restart_still_deletes(bot: Restarts, how: str) -> None:
    await ask_to_forget(await walked_on(bot), how)
    user = await bot.start()
    await user.says("forget_yes_words 文本")
    assert user.text == bot.knowledge.kb.text("forgotten", ZH)
    assert bot.storage is not None
    assert await bot.storage.load_session(7) is None


async def test_a_typed_no_after_a_restart_keeps_everything_and_closes_the_question(bot: Restarts) -> None:
    await ask_to_forget(await walked_on(bot), "typed")
    user = await bot.start()
    await user.says("forget_no 文本")
    assert user.text == bot.knowledge.kb.text("forget_cancelled", ZH)
    state = await bot.saved_state()
    assert state is not None
    assert PROGRESS_KEY in state
    assert FORGET_KEY not in state


async def test_after_a_restart_the_question_is_still_open_for_one_message_only(bot: Restarts) -> None:
    await ask_to_forget(await walked_on(bot), "typed")
    user = await bot.start()
    await user.says("嗯嗯")
    assert user.replies[-1].text == bot.knowledge.kb.text("forget_not_yet", ZH)
    user = await bot.start()
    await user.says("forget_yes_words 文本")  # closed by the message before, restart or not
    assert bot.knowledge.kb.text("forgotten", ZH) not in user.text
    state = await bot.saved_state()
    assert state is not None
    assert PROGRESS_KEY in state


async def test_a_command_after_the_question_closes_it_through_a_restart(bot: Restarts) -> None:
    user = await walked_on(bot)
    await ask_to_forget(user, "typed")
    await user.says("/help")
    user = await bot.start()
    await user.says("forget_yes 文本")
    assert bot.knowledge.kb.text("forgotten", ZH) not in user.text
    assert await bot.saved_state() is not None


async def test_pressing_yes_after_a_restart_deletes(bot: Restarts) -> None:
    await ask_to_forget(await walked_on(bot), "button")
    user = await bot.start()
    replies = (await user.engine.handle(Incoming(7, Kind.PRESS, action="f:yes", lang=ZH))).replies
    assert [reply.text for reply in replies] == [bot.knowledge.kb.text("forgotten", ZH)]
    assert bot.storage is not None
    assert await bot.storage.load_session(7) is None


async def test_a_message_in_a_group_closes_the_question_too(bot: Restarts) -> None:
    user = await walked_on(bot)
    await ask_to_forget(user, "typed")
    await user.engine.handle(Incoming(7, Kind.TEXT, text="群里路过说一句", lang=ZH, public=True))
    user = await bot.start()
    await user.says("forget_yes 文本")
    assert bot.knowledge.kb.text("forgotten", ZH) not in user.text
    state = await bot.saved_state()
    assert state is not None
    assert PROGRESS_KEY in state  # the walkthrough stays, untouched by the group


async def test_the_open_question_is_saved_as_one_flag_and_nothing_more(bot: Restarts) -> None:
    user = await bot.start()  # no walkthrough, no calculation: the flag is all there is
    await ask_to_forget(user, "typed")
    assert await bot.saved_state() == {FORGET_KEY: True}
    await user.says("forget_no 文本")
    assert await bot.saved_state() is None


async def walked_on(bot: Restarts) -> EngineUser:
    return await walked((await bot.start()).engine)


# -- the terminal numbers every button of a turn ----------------------------------------------------------------


def chat(config: Config, *lines: str) -> list[str]:
    """What `advisor chat` showed after each line typed (the greeting first)."""
    out = io.StringIO()
    assert run_chat(config, ZH, io.StringIO("".join(f"{line}\n" for line in lines)), out) == 0
    return re.split(r"(?m)^> ", out.getvalue())


def number_of(label: str, screen: str) -> int:
    found = re.findall(rf"(?m)^  #(\d+)\. {re.escape(label)}$", screen)
    assert len(found) == 1, screen
    return int(found[0])


def test_two_button_groups_in_one_turn_are_numbered_on_and_each_number_picks_its_own(tmp_path: Path) -> None:
    shipped = Knowledge.load(SHIPPED)
    config = load_config(None, env={"ADVISOR_DB": str(tmp_path / "chat.sqlite3")})
    to_terms = ["/guide", "借呗", "90", "4万", "跳过", "#8", "#2", "#4", "1500", "#1", "谈好了"]
    *_, terms_noted, _ = chat(config, *to_terms, "分24期 每月1800")
    add = number_of(shipped.kb.text("reminder_add_button", ZH), terms_noted)
    numbers = [int(n) for n in re.findall(r"(?m)^  #(\d+)\. ", terms_noted)]
    assert numbers == list(range(1, len(numbers) + 1))  # one run across both messages
    assert add > 1

    config = load_config(None, env={"ADVISOR_DB": str(tmp_path / "again.sqlite3")})
    *_, pressed, _ = chat(config, *to_terms, "分24期 每月1800", f"#{add}")
    assert pressed.startswith(shipped.kb.text("reminder_due_prompt", ZH))


@pytest.mark.parametrize("typed", ["#99", "#0", "#abc"])
def test_a_number_no_button_has_is_said_to_be_none(tmp_path: Path, typed: str) -> None:
    shipped = Knowledge.load(SHIPPED)
    config = load_config(None, env={"ADVISOR_DB": str(tmp_path / "chat.sqlite3")})
    greeting, after, _ = chat(config, typed, "/quit")
    shown = len(re.findall(r"(?m)^  #\d+\. ", greeting))
    assert after.startswith(shipped.kb.text("chat_no_button", ZH, n=typed[1:], last=str(shown)))


# -- a reminder on a day every month has says nothing of shorter months ----------------------------------------


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (15, "reminder_monthly"),
        (28, "reminder_monthly"),
        (29, "reminder_monthly_short"),
        (31, "reminder_monthly_short"),
    ],
)
def test_only_a_day_some_months_lack_is_said_to_fall_on_the_last_day(knowledge: Knowledge, day: int, key: str) -> None:
    assert describe(Rule.monthly(day), knowledge.kb, ZH) == knowledge.kb.text(key, ZH, day=str(day))


# -- `advisor ask` in batch: every line is a conversation of its own --------------------------------------------


@pytest.mark.parametrize("json_out", [True, False], ids=["json", "plain"])
def test_a_batch_line_after_a_crisis_line_is_answered_as_if_asked_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, json_out: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("ADVISOR_CONFIG", "ADVISOR_DB", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    question = "逾期了会上征信吗"
    flags = ["ask", "--json"] if json_out else ["ask"]

    def batch(*lines: str) -> str:
        monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
        out = io.StringIO()
        assert main(flags, out) == 0
        return out.getvalue()

    alone = batch(question)
    after_crisis = batch("我不想活了", question, question)
    assert after_crisis.endswith(alone + alone)
