"""The handlers of one Application: Updates in → engine events → rendered replies out.

Handlers are thin: they unpack an Update into an `Incoming`, let the engine decide (state is saved before it
returns), then send what it said. Telegram's optional fields are checked here, at the edge. The jobs around them
have their own modules: `admission` (the message budget), `sending` (the Bot API calls), `delivery` (what reached
users), `groups` (group chats) and `admin_commands` (/reload, /unmatched, /stats).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeDefault, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ContextTypes,
)

from bot.admin import Admin
from bot.config import Config
from bot.core import actions
from bot.core.i18n import Lang, lang_from_telegram
from bot.core.normalize import valid_unicode
from bot.core.redact import has_personal_data
from bot.core.replies import Reply
from bot.engine import Engine, Incoming, Kind, Knowledge
from bot.errors import ActionError, TransportError
from bot.flood import Verdict
from bot.locks import KeyedLocks
from bot.storage import Storage
from bot.telegram import groups
from bot.telegram.admin_commands import ADMIN_COMMANDS, admin_reply
from bot.telegram.admission import Admission
from bot.telegram.delivery import Undelivered, Watched
from bot.telegram.sending import Sender
from bot.telegram.updates import FailedAttempts, UpdateReader

logger = logging.getLogger(__name__)

#: User commands, registered with setMyCommands; descriptions come from texts.yaml (`command_<name>`).
USER_COMMANDS = ("start", "guide", "plan", "resume", "cancel", "help", "log", "export", "reminders", "language",
                 "privacy", "forget")  # fmt: skip
#: How often the JobQueue looks for reminders whose time has come (they fire at 9:00 local: a minute is plenty).
REMINDER_POLL = 60.0

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


class Transport:
    """Owns the engine for one Application; every handler is a method here."""

    def __init__(
        self, config: Config, *, clock: Callable[[], float] = time.time, reminder_poll: float = REMINDER_POLL
    ) -> None:
        self.config = config
        self.clock = clock
        self.reminder_poll = reminder_poll
        self.engine: Engine | None = None
        self.admin: Admin | None = None
        self.storage: Storage | None = None
        self.username = ""
        self.bot: Bot | None = None
        self.sender: Sender | None = None  # set with the bot in post_init
        self._turns = KeyedLocks()  # by chat and by user: see in_order
        self.reader: UpdateReader | None = None  # reads raw updates one by one; set by `application.build`
        self.admission = Admission(config.telegram.flood, lambda: self.engine)  # the senders' message budgets
        # Updates being worked on at once (telegram.concurrent_updates). PTB's own limit is set far higher: an update
        # waiting for its chat's turn must not hold one of these, or one user's backlog would hold them all.
        self._working = asyncio.Semaphore(config.telegram.concurrent_updates)
        self.undelivered = Undelivered()
        self.watched = Watched()  # webhook mode: updates whose outcome decides the HTTP answer
        self.attempts = FailedAttempts(lambda: self.storage)  # failed attempts per update, given up ones in /stats

    # --- lifecycle -------------------------------------------------------------------------------------------

    async def post_init(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        knowledge = Knowledge.load(self.config.knowledge_dir, self.config.matcher)
        self.storage = await Storage.open(self.config.database)
        pruned = await self.storage.prune_unmatched(self.config.unmatched_retention_days)
        if pruned:
            logger.info("pruned %d unmatched questions past retention", pruned)
        self.engine = Engine(knowledge, self.storage, directory=self.config.knowledge_dir, clock=self.clock)
        self.admin = Admin(self.storage, self.clock)
        self.bot = app.bot
        self.sender = Sender(app.bot, self.engine, self.watched, self.undelivered)
        self.username = app.bot.username or ""
        await self._register_commands(app, knowledge)
        if app.job_queue is None:
            raise TransportError("PTB was installed without its job queue; install python-telegram-bot[job-queue]")
        app.job_queue.run_repeating(self._deliver_reminders, interval=self.reminder_poll, first=self.reminder_poll,
                                    name="reminders")  # fmt: skip
        # Reminders missed while the bot was down go out now (once, marked late), before any update is handled.
        await self._deliver_due()
        logger.info("advisor ready as @%s (knowledge %s)", self.username, knowledge.kb.version)

    async def post_shutdown(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        if self.storage is not None:
            await self.storage.close()

    async def _register_commands(self, app: Application[Any, Any, Any, Any, Any, Any], knowledge: Knowledge) -> None:
        kb = knowledge.kb
        for lang, code in ((Lang.ZH_HANS, None), (Lang.ZH_HANS, "zh"), (Lang.EN, "en")):
            commands = [BotCommand(name, kb.text(f"command_{name}", lang)) for name in USER_COMMANDS]

            async def register(commands: list[BotCommand] = commands, code: str | None = code) -> bool:
                done: bool = await app.bot.set_my_commands(commands, BotCommandScopeDefault(), code)
                return done

            await register()

    # --- reminders -------------------------------------------------------------------------------------------

    async def _deliver_reminders(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._deliver_due()

    async def _deliver_due(self) -> None:
        """Send every reminder whose time has come; each is moved on to its next firing before it is sent."""
        engine = self._engine()
        now = self.clock()
        for reminder in await engine.tools.due(now):
            if not await engine.tools.claim(reminder, now):
                continue  # another delivery took it
            reply = await engine.tools.message(reminder, now, engine.knowledge.kb)
            try:
                async with self._turns.hold(reminder.user_id):  # not in the middle of a conversation's replies
                    await self._sender().send(reminder.user_id, [reply])
            except TelegramError as error:
                logger.warning("reminder %d could not be sent (%s)", reminder.id, error)

    # --- handlers --------------------------------------------------------------------------------------------

    def in_order(self, handler: Handler) -> Handler:
        """`handler` taking its turn in the update's chat and for its user; PTB starts handlers in arrival order.

        This is the one lock layer that orders updates (the engine has none and relies on it). Updates of one chat
        are handled one after another, replies included, so a quick answer (/help) never overtakes a slower one, or
        one whose send is being retried. Updates of one user are too, wherever they write: in a group the turn is
        the group's and the user's together, so what someone says there waits for their private conversation and
        the engine sees each user's events one at a time. A private chat's id is its user's: one key.
        """

        async def in_turn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            chat, user = update.effective_chat, update.effective_user
            over = self.admission.over(update.update_id)
            if over is not None:
                await self._refuse(update, over)
                return
            keys = {key.id for key in (chat, user) if key is not None}
            if not keys:
                async with self._working:
                    await handler(update, context)
                return
            async with self._turns.hold(*keys), self._working:
                await handler(update, context)

        return in_turn

    def screen(self, update_id: int, user_id: int, press: bool, text: str) -> bool:
        """Whether `UpdateReader` parses the update: its sender's message budget (`Admission.screen`)."""
        return self.admission.screen(update_id, user_id, press, text)

    async def _refuse(self, update: Update, verdict: Verdict) -> None:
        """An update over its sender's budget: a press's spinner is stopped; the first one past it gets one note."""
        user, chat = update.effective_user, update.effective_chat
        if update.callback_query is not None and user is not None:
            await self.admission.answer_dropped(self._bot(), user.id, update.callback_query.id)
        if verdict is Verdict.WARN and user is not None and chat is not None and self.engine is not None:
            logger.info("user %s is over their message budget; dropping their messages for now", user.id)
            note = self.engine.knowledge.kb.text("slow_down", lang_from_telegram(user.language_code))
            await self._sender().send(chat.id, [Reply(note)], update.update_id)

    def _bot(self) -> Bot:
        if self.bot is None:
            raise TransportError("the bot is not ready (post_init has not run)")
        return self.bot

    def _engine(self) -> Engine:
        if self.engine is None:
            raise TransportError("the engine is not ready (post_init has not run)")
        return self.engine

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not message.text:
            return
        text = valid_unicode(message.text)
        command = text.split()[0][1:].split("@")[0].lower()
        argument = text.partition(" ")[2].strip()
        if groups.in_group(update) and command not in ("start", "help"):
            # Admin reports and a user's own walkthrough are for private chats only; the same link for every
            # command, so a group learns nothing about who is an admin.
            await self._sender().send(
                message.chat_id, [self._go_private(user.language_code)], update.update_id, reply_to=message.message_id
            )
            return
        if command in ADMIN_COMMANDS:
            await self._admin(update, command)
            return
        event = Incoming(user.id, Kind.COMMAND, text=argument, command=command, update_id=update.update_id,
                         client_lang=user.language_code, public=groups.in_group(update))  # fmt: skip
        await self._reply(update, message.chat_id, event)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        text = valid_unicode(message.text)
        public = groups.in_group(update)
        if public:
            if not groups.addressed_to(message, self.username):
                return  # in groups the bot speaks only when spoken to
            text = text.replace(f"@{self.username}", " ").strip()
            if has_personal_data(text):  # not answered where others read it, nor kept
                await self._sender().send(
                    message.chat_id,
                    [self._go_private(user.language_code)],
                    update.update_id,
                    reply_to=message.message_id,
                )
                return
        event = Incoming(user.id, Kind.TEXT, text=text, update_id=update.update_id, client_lang=user.language_code,
                         public=public)  # fmt: skip
        await self._reply(update, message.chat_id, event)

    async def _reply(self, update: Update, chat_id: int, event: Incoming) -> None:
        """The engine's replies to one event; in a group, followed by the hint that the bot works in private."""
        replies = await self._decide(chat_id, event)
        reply_to = None
        if event.public:
            replies = [*replies, groups.group_hint(self._engine().knowledge.kb, event.client_lang)]
            reply_to = update.effective_message.message_id if update.effective_message else None
        await self._sender().send(chat_id, replies, event.update_id, reply_to=reply_to)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if (
            message is None
            or user is None
            or (groups.in_group(update) and not groups.addressed_to(message, self.username))
        ):
            return
        event = Incoming(user.id, Kind.UNSUPPORTED, update_id=update.update_id, client_lang=user.language_code)
        await self._sender().send(message.chat_id, await self._decide(message.chat_id, event), update.update_id)

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        engine = self._engine()
        action: actions.Action | None
        try:
            action, stale = actions.unpack_callback(valid_unicode(query.data or ""), engine.knowledge.kb.version)
        except ActionError:  # forged, garbled or from a grammar no longer spoken: answered as an expired menu
            action, stale = None, True
        message = query.message
        chat_id = message.chat.id if message is not None else user.id
        public = groups.in_group(update)
        asked = groups.asker(message)
        refusal = None
        if public and (asked is None or asked[0] != user.id):  # someone else's answer: theirs to press
            refusal = engine.knowledge.kb.text("not_your_button", lang_from_telegram(user.language_code))
        with suppress(TelegramError):  # an old query can no longer be answered; the reply below still goes out
            await self._bot().answer_callback_query(query.id, text=refusal)  # its answer is True: nothing to parse
        if refusal is not None:
            return
        reply_to = asked[1] if public and asked is not None else None
        if public and isinstance(action, actions.PERSONAL):
            await self._sender().send(
                chat_id, [self._go_private(user.language_code)], update.update_id, reply_to=reply_to
            )
            return
        if isinstance(action, actions.Inbox) and not stale and user.id in self.config.telegram.admin_ids:
            k = engine.knowledge
            lang = lang_from_telegram(user.language_code)
            await self._sender().send(
                chat_id, await self._admin_tool().press(action.pack(), k.kb, lang, k.matcher.normalize)
            )
            return  # anyone else pressing an admin button (forged) gets what any unknown button gets
        token = action.pack() if action is not None else ""
        event = Incoming(user.id, Kind.PRESS, action=token, update_id=update.update_id,
                         client_lang=user.language_code, stale=stale, public=public)  # fmt: skip
        replies = await self._decide(chat_id, event)
        if replies and replies[0].edit and isinstance(message, Message):
            first, *rest = replies
            if await self._sender().edit(message, first):
                replies = rest
        await self._sender().send(chat_id, replies, update.update_id, reply_to=reply_to)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update is None:  # getUpdates failed; the updater tries again by itself
            logger.warning("polling for updates failed (%s); trying again", context.error)
            return
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("handling update %s failed", update_id, exc_info=context.error)
        if self.watched.failed(update_id):
            return  # answered 500: Telegram sends it again, and that attempt answers the user
        if isinstance(update, Update) and update.effective_chat is not None and self.engine is not None:
            user = update.effective_user
            apology = self.engine.knowledge.kb.text(
                "error_apology", lang_from_telegram(user.language_code if user else None)
            )
            with suppress(TelegramError):
                await context.bot.send_message(update.effective_chat.id, apology)

    async def _admin(self, update: Update, command: str) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        if user.id not in self.config.telegram.admin_ids:
            event = Incoming(user.id, Kind.COMMAND, command=command, client_lang=user.language_code)
            await self._sender().send(
                message.chat_id, await self._decide(message.chat_id, event), update.update_id
            )  # unknown
            return
        reply = await admin_reply(command, self._engine(), self._admin_tool(), self.config.matcher,
                                  lang_from_telegram(user.language_code), self._transport_stats)  # fmt: skip
        await self._sender().send(message.chat_id, [reply], update.update_id)

    def _transport_stats(self) -> str:
        """The transport's own lines in /stats: the message budget, unreadable updates, replies not delivered."""
        budget = self.admission.budget
        return (f"over the message budget: {budget.dropped} messages dropped, "
                f"{budget.warned} slow-down notes; "
                f"unreadable updates skipped {self.reader.skipped if self.reader else 0}; "
                f"{self.attempts.summary()}; "
                f"{self.undelivered.summary()}")  # fmt: skip

    def _admin_tool(self) -> Admin:
        if self.admin is None:
            raise TransportError("the admin tools are not ready (post_init has not run)")
        return self.admin

    # --- helpers ---------------------------------------------------------------------------------------------

    def _sender(self) -> Sender:
        if self.sender is None:
            raise TransportError("the bot is not ready (post_init has not run)")
        return self.sender

    async def _decide(self, chat_id: int, event: Incoming) -> list[Reply]:
        async with self._sender().typing(chat_id):
            return (await self._engine().handle(event)).replies

    def _go_private(self, code: str | None) -> Reply:
        """In a group: this is personal, go on in private (a deep link that opens the walkthrough there)."""
        return groups.go_private(self._engine().knowledge.kb, self.username, code)
