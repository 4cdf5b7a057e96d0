"""Fixtures for Telegram-side tests: a fake Bot API on loopback, PTB talking to it over real HTTP, and the advisor
bot running against it with a simulated user who types and presses buttons."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
import telegram
import yaml
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.config import DEFAULT_KNOWLEDGE_DIR, Config, load_config
from bot.telegram.serving import running
from fakebotapi import BotOutput, FakeBotAPI

JSON = dict[str, Any]
#: How long a test waits for the bot to finish with one update: generous, since a wait ends as soon as it can (10 s
#: ran out for a chart on a machine shared with other work).
HANDLED_WITHIN = 30.0
#: ... and with a /reload, which builds the knowledge in a fresh process (its imports and the whole build: seconds of
#: CPU, many more on a machine busy with other work, where 10 s was seen to run out).
RELOADED_WITHIN = 60.0
#: ... and with the first reply of a bot process just started (its imports and knowledge: the same cost; 30 s ran out).
STARTED_WITHIN = 60.0


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
async def bot(fake_api: FakeBotAPI) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(fake_api.token, base_url=fake_api.base_url) as bot:
        yield bot


# -- the advisor bot under test -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One message as the user sees it right after the bot answered: sent new, or an earlier one edited."""

    kind: str  # "message" or "edit"
    message_id: int
    text: str  # what Telegram shows, after HTML parsing
    html: str  # what the bot sent
    entities: tuple[JSON, ...]
    buttons: tuple[tuple[str, str], ...]  # (label, callback_data), row by row

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.buttons]

    def bold(self) -> list[str]:
        return [self.text[e["offset"] : e["offset"] + e["length"]] for e in self.entities if e["type"] == "bold"]


def seen(output: BotOutput) -> Seen:
    record = output.message
    assert record is not None
    markup = record["reply_markup"] or {}
    buttons = tuple(
        (button["text"], button.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for button in row
    )
    return Seen(
        output.kind, record["message_id"], record["text"], record["source_text"], tuple(record["entities"]), buttons
    )


class AdvisorBot:
    """The advisor as a running Application, and the conversation hooks tests need around it.

    A handler in a late group marks each update as handled, so a test waits for exactly the bot's answer to what it
    sent (no sleeps) and can also check that the bot said nothing. A second error handler records every error; the
    fixture fails a test in which any handler raised, unless the test says it expects that.
    """

    def __init__(self, fake: FakeBotAPI, app: Application[Any, Any, Any, Any, Any, Any], config: Config) -> None:
        self.fake = fake
        self.app = app
        self.config = config
        self.handled: set[int] = set()
        self.errors: list[tuple[object, BaseException | None]] = []  # raised while handling an update
        self.polling_errors: list[BaseException | None] = []  # getUpdates failed (the updater retries)
        self._progress = asyncio.Condition()
        app.add_handler(TypeHandler(Update, self._mark), group=99)
        app.add_error_handler(self._record_error)

    async def _mark(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self._progress:
            self.handled.add(update.update_id)
            self._progress.notify_all()

    async def _record_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update is None:
            self.polling_errors.append(context.error)
        else:
            self.errors.append((update, context.error))

    async def until_handled(self, *update_ids: int, timeout: float = HANDLED_WITHIN) -> None:  # noqa: ASYNC109
        try:
            async with asyncio.timeout(timeout), self._progress:
                await self._progress.wait_for(lambda: self.handled.issuperset(update_ids))
        except TimeoutError:
            missing = sorted(set(update_ids) - self.handled)
            raise TimeoutError(f"updates {missing} not handled in {timeout}s; errors: {self.errors!r}") from None

    def answers(self, update_id: int) -> list[Seen]:
        """Messages sent and edited in answer to one update, in order."""
        return [seen(output) for output in self.fake.replies_to(update_id) if output.kind in ("message", "edit")]


@dataclass
class Person:
    """Someone talking to the bot: in a private chat by default, or in a group (`chat_type`)."""

    bot: AdvisorBot
    user_id: int
    language_code: str | None = "zh-hans"
    chat_type: Literal["private", "group", "supergroup"] = "private"
    chat_id: int = 0
    sent: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.chat_id:
            self.chat_id = self.user_id if self.chat_type == "private" else -self.user_id

    @property
    def fake(self) -> FakeBotAPI:
        return self.bot.fake

    def type(self, text: str) -> int:
        """Send without waiting; returns the update id."""
        update_id = self.fake.inject_message(
            self.user_id,
            text,
            chat_id=self.chat_id,
            chat_type=self.chat_type,
            language_code=self.language_code,
        )
        self.sent.append(update_id)
        return update_id

    async def says(self, text: str, *, within: float = HANDLED_WITHIN) -> list[Seen]:
        """Send a text message and return what the bot answered once it is done with it."""
        return await self.answered(self.type(text), within=within)

    async def answered(self, update_id: int, *, within: float = HANDLED_WITHIN) -> list[Seen]:
        await self.bot.until_handled(update_id, timeout=within)
        return self.bot.answers(update_id)

    def tap(self, data: str, message_id: int) -> int:
        update_id = self.fake.inject_callback(
            self.user_id, data, message_id=message_id, chat_id=self.chat_id, language_code=self.language_code
        )
        self.sent.append(update_id)
        return update_id

    async def presses(self, label: str, *, exact: bool = False) -> list[Seen]:
        """Press the button on the newest message that has one labelled `label` (or starting with it)."""
        for record in reversed(self.fake.sent_messages(self.chat_id)):
            for row in (record["reply_markup"] or {}).get("inline_keyboard", []):
                for button in row:
                    text = button["text"]
                    if text == label or (not exact and text.startswith(label)):
                        return await self.answered(self.tap(button["callback_data"], record["message_id"]))
        raise LookupError(f"no button {label!r} in chat {self.chat_id}")

    async def presses_data(self, data: str, message_id: int) -> list[Seen]:
        return await self.answered(self.tap(data, message_id))

    def sees_last(self) -> Seen:
        record = self.fake.last_message(self.chat_id)
        assert record is not None, "the bot has sent nothing in this chat"
        return seen(BotOutput("message", self.chat_id, None, 0.0, {}, record))


@dataclass
class Setup:
    """Writes a config for the fake server into tmp_path; tests change what they need before starting the bot."""

    tmp_path: Path
    fake: FakeBotAPI
    database: Path
    knowledge: Path = DEFAULT_KNOWLEDGE_DIR
    admin_ids: tuple[int, ...] = ()
    throttle: bool = True  # False: both flood-control limits 0, so no AIORateLimiter at all
    # Each user's message budget (bot.flood); off unless a test is about it, since tests type faster than people.
    budget: bool = False
    telegram: dict[str, Any] = field(default_factory=dict)  # more telegram settings (retry, proxy, ...)

    def own_knowledge(self) -> Path:
        """A copy of the shipped knowledge this test may edit (and /reload)."""
        if self.knowledge == DEFAULT_KNOWLEDGE_DIR:
            self.knowledge = self.tmp_path / "knowledge"
            shutil.copytree(DEFAULT_KNOWLEDGE_DIR, self.knowledge)
        return self.knowledge

    def config(self) -> Config:
        telegram: dict[str, Any] = {"poll_timeout": 1, "admin_ids": list(self.admin_ids)}
        if not self.throttle:
            telegram["rate_limit"] = {"overall_per_second": 0, "group_per_minute": 0}
        if not self.budget:
            telegram["flood"] = {"burst": 0, "per_second": 0}
        settings = {"knowledge": {"path": str(self.knowledge)}, "telegram": {**telegram, **self.telegram}}
        path = self.tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(settings), encoding="utf-8")
        env = {
            "TELEGRAM_BOT_TOKEN": self.fake.token,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "ADVISOR_DB": str(self.database),
        }
        return load_config(path, env=env)


@pytest.fixture
def setup(tmp_path: Path, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch) -> Setup:
    # PTB 22 warns when a 429's retry_after is read as an int; the bot reads timedelta (pytest turns warnings into
    # errors, so without this a flood wait would fail inside PTB instead of being waited out).
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    return Setup(tmp_path, fake_api, tmp_path / "advisor.sqlite3")


StartBot = Callable[..., AbstractAsyncContextManager[AdvisorBot]]


@pytest.fixture
def start_bot(setup: Setup) -> StartBot:
    """`async with start_bot() as bot:` the advisor runs until the block ends (and may be started again)."""

    @asynccontextmanager
    async def start(*, expect_errors: bool = False, **options: Any) -> AsyncIterator[AdvisorBot]:
        """`options` go to `running` (a `clock` and `reminder_poll` for reminder tests)."""
        config = setup.config()
        async with running(config, **options) as app:
            advisor = AdvisorBot(setup.fake, app, config)
            yield advisor
        if not expect_errors:
            assert advisor.errors == [], f"the error handler was called: {advisor.errors!r}"

    return start


@pytest.fixture
async def advisor(start_bot: StartBot) -> AsyncIterator[AdvisorBot]:
    async with start_bot() as running_bot:
        yield running_bot


@pytest.fixture
def user(advisor: AdvisorBot) -> Person:
    return Person(advisor, 4201)
