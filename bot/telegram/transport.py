"""The handlers of one Application: Updates in → engine events → rendered replies out.

Handlers are thin: they unpack an Update into an `Incoming`, let the engine decide (state is saved before it
returns), then send what it said. Telegram's optional fields are checked here, at the edge.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeDefault, InputFile, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
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
from bot.core.replies import Attachment, Chart, Reply
from bot.core.safety import Concern
from bot.engine import START_GUIDE, Engine, Incoming, Kind, Knowledge
from bot.errors import ActionError, KnowledgeError, TransportError
from bot.flood import Budget, Verdict
from bot.locks import KeyedLocks
from bot.storage import Storage
from bot.telegram.render import render
from bot.telegram.request import Unanswered
from bot.telegram.updates import FailedAttempts, UpdateReader

logger = logging.getLogger(__name__)

#: User commands, registered with setMyCommands; descriptions come from texts.yaml (`command_<name>`).
USER_COMMANDS = ("start", "guide", "plan", "resume", "cancel", "help", "log", "export", "reminders", "language",
                 "privacy", "forget")  # fmt: skip
#: Admin commands: answered only for `telegram.admin_ids`, never advertised.
ADMIN_COMMANDS = ("reload", "unmatched", "stats")
#: Problems listed in a refused /reload's answer; the rest are counted (`advisor kb validate` lists them all).
RELOAD_PROBLEMS_SHOWN = 10
_TYPING_AFTER = 0.4  # seconds; a reply slower than this shows "typing…"
#: How many update ids of replies that could not be sent /stats lists (the newest).
_UNSENT_SHOWN = 10
#: Updates over their sender's budget remembered between reading and handling at most (see Transport.screen).
_OVER_REMEMBERED = 10_000
#: A user's dropped button presses waiting to be answered at most (see Transport._answer_dropped).
_DROPPED_ANSWERS_WAITING = 20
#: Updates whose delivered messages are remembered between attempts at most (see Watched).
_DELIVERED_REMEMBERED = 1024
#: How often the JobQueue looks for reminders whose time has come (they fire at 9:00 local: a minute is plenty).
REMINDER_POLL = 60.0
#: Libraries that would log users' words (update contents, request parameters, SQL arguments) or the token (in

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


class Undelivered:
    """Replies that did not surely reach their user since start-up, by update id only (never their text)."""

    def __init__(self) -> None:
        self.failed = 0  # surely not sent: refused, unreachable, flood wait too long, after the retries
        self.uncertain = 0  # sent, but no answer came: they may have arrived
        self.recent: deque[int] = deque(maxlen=_UNSENT_SHOWN)  # update ids of the newest surely-failed ones

    def not_sent(self, update_id: int | None) -> None:
        self.failed += 1
        if update_id is not None:
            self.recent.append(update_id)

    def unconfirmed(self, update_id: int | None) -> None:
        self.uncertain += 1

    def summary(self) -> str:
        updates = f" (updates {', '.join(map(str, self.recent))})" if self.recent else ""
        return f"replies not sent {self.failed}{updates}, sent without confirmation {self.uncertain}"


class Watched:
    """Updates being handled (bot.telegram.updates, bot.telegram.poller): whether a handler raised, whether the
    update will be tried again after that (then the user is not sent the apology: the next attempt answers them),
    and how many of its messages earlier attempts delivered (the next attempt does not send those again)."""

    def __init__(self) -> None:
        self._retryable: dict[int, bool] = {}
        self._failed: set[int] = set()
        self._pieces: dict[int, int] = {}  # messages this attempt has come to, by update id
        self._delivered: OrderedDict[int, int] = OrderedDict()  # messages delivered by earlier attempts

    def start(self, update_id: int, retryable: bool) -> None:
        self._retryable[update_id] = retryable
        self._pieces[update_id] = 0

    def retryable(self, update_id: int | None) -> bool:
        """Whether `update_id` is being handled and will be tried again if this attempt fails."""
        return update_id is not None and self._retryable.get(update_id, False)

    def next_piece(self, update_id: int | None) -> bool:
        """Count one more message of this attempt at `update_id`; False if an earlier attempt delivered it already."""
        if update_id is None or update_id not in self._pieces:
            return True
        piece = self._pieces[update_id] = self._pieces[update_id] + 1
        return piece > self._delivered.get(update_id, 0)

    def delivered(self, update_id: int | None) -> None:
        """The message just counted by `next_piece` reached the user (or may have: it is not sent again)."""
        if update_id is not None and update_id in self._pieces:
            self._delivered[update_id] = self._pieces[update_id]
            self._delivered.move_to_end(update_id)
            while len(self._delivered) > _DELIVERED_REMEMBERED:
                self._delivered.popitem(last=False)

    def failed(self, update_id: int | None) -> bool:
        """Note that handling `update_id` raised; True if it will be delivered again."""
        if update_id is None or update_id not in self._retryable:
            return False
        self._failed.add(update_id)
        return self._retryable[update_id]

    def finish(self, update_id: int) -> bool:
        """Whether the update was handled without a handler raising."""
        retryable = self._retryable.pop(update_id, False)
        self._pieces.pop(update_id, None)
        if update_id in self._failed:
            self._failed.discard(update_id)
            if not retryable:
                self._delivered.pop(update_id, None)
            return False
        self._delivered.pop(update_id, None)
        return True


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
        self._turns = KeyedLocks()  # by chat and by user: see in_order
        self.reader: UpdateReader | None = None  # reads raw updates one by one; set by `application.build`
        self.budget = Budget(config.telegram.flood.burst, config.telegram.flood.per_second)
        self._listening = Budget(config.telegram.flood.burst, config.telegram.flood.per_second)  # see screen
        self._over: dict[int, Verdict] = {}  # read updates over their sender's budget, by update id (see screen)
        self._answering: dict[int, int] = {}  # dropped presses being answered or waiting to be, by user
        self._answer_turns = KeyedLocks()  # one answer to a dropped press per user at a time (_answer_dropped)
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
                    await self._send(reminder.user_id, [reply])
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
            over = self._over.pop(update.update_id, None)
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
        """The sender's message budget (bot.flood), asked by `UpdateReader` before an update is parsed: False drops
        it unread. The first update past the budget (its slow-down note) and a button press (its spinner) are read
        all the same, for `_refuse` to answer.

        A message about ending one's life is answered whatever the budget says: someone in crisis may well type
        many short lines fast. So a text past the budget still passes the crisis screen, as long as a second
        budget as large allows (a flood of thousands is not screened one by one: that would cost what dropping
        unread saves).
        """
        verdict = self.budget.take(user_id)
        if verdict is Verdict.ALLOW:
            return True
        if text and not press and self._in_crisis(user_id, text):
            self.budget.spare()
            return True
        if verdict is Verdict.DROP and not press:
            return False
        self._over[update_id] = verdict
        if len(self._over) > _OVER_REMEMBERED:  # read but never handled (no handler took it): not kept for ever
            del self._over[next(iter(self._over))]
        return True

    def _in_crisis(self, user_id: int, text: str) -> bool:
        """Whether a message past its sender's budget is about ending one's life (while `_listening` allows)."""
        if self.engine is None or self._listening.take(user_id) is not Verdict.ALLOW:
            return False
        return self.engine.knowledge.advisor.screen(valid_unicode(text)).concern is Concern.CRISIS

    async def _refuse(self, update: Update, verdict: Verdict) -> None:
        """An update over its sender's budget: a press's spinner is stopped; the first one past it gets one note."""
        user, chat = update.effective_user, update.effective_chat
        if update.callback_query is not None and user is not None:
            await self._answer_dropped(user.id, update.callback_query.id)
        if verdict is Verdict.WARN and user is not None and chat is not None and self.engine is not None:
            logger.info("user %s is over their message budget; dropping their messages for now", user.id)
            note = self.engine.knowledge.kb.text("slow_down", lang_from_telegram(user.language_code))
            await self._send(chat.id, [Reply(note)], update.update_id)

    async def _answer_dropped(self, user_id: int, query_id: str) -> None:
        """Stop the spinner of a button press dropped by the budget: answered quietly, the press is not acted on.

        A user's dropped presses are answered one after another, at most `_DROPPED_ANSWERS_WAITING` waiting; a press
        dropped past that (a flood of presses no thumb makes) is left to time out. So a forged flood of presses holds
        at most one place in the outgoing rate limiter, not thousands ahead of everyone else's replies.
        """
        waiting = self._answering.get(user_id, 0)
        if waiting >= _DROPPED_ANSWERS_WAITING:
            return
        self._answering[user_id] = waiting + 1
        try:
            async with self._answer_turns.hold(user_id):
                with suppress(TelegramError):  # too old, or the API unreachable: the spinner stops by itself
                    await self._bot().answer_callback_query(query_id)
        finally:
            self._answering[user_id] -= 1
            if not self._answering[user_id]:
                del self._answering[user_id]

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
        if self._in_group(update) and command not in ("start", "help"):
            # Admin reports and a user's own walkthrough are for private chats only; the same link for every
            # command, so a group learns nothing about who is an admin.
            await self._send(
                message.chat_id, [self._go_private(user.language_code)], update.update_id, reply_to=message.message_id
            )
            return
        if command in ADMIN_COMMANDS:
            await self._admin(update, command)
            return
        event = Incoming(user.id, Kind.COMMAND, text=argument, command=command, update_id=update.update_id,
                         client_lang=user.language_code, public=self._in_group(update))  # fmt: skip
        await self._reply(update, message.chat_id, event)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        text = valid_unicode(message.text)
        public = self._in_group(update)
        if public:
            if not self._addressed_to_me(message):
                return  # in groups the bot speaks only when spoken to
            text = text.replace(f"@{self.username}", " ").strip()
            if has_personal_data(text):  # not answered where others read it, nor kept
                await self._send(
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
            replies = [*replies, self._group_hint(event.client_lang)]
            reply_to = update.effective_message.message_id if update.effective_message else None
        await self._send(chat_id, replies, event.update_id, reply_to=reply_to)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or (self._in_group(update) and not self._addressed_to_me(message)):
            return
        event = Incoming(user.id, Kind.UNSUPPORTED, update_id=update.update_id, client_lang=user.language_code)
        await self._send(message.chat_id, await self._decide(message.chat_id, event), update.update_id)

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
        public = self._in_group(update)
        asked = _asked(message)
        refusal = None
        if public and (asked is None or asked[0] != user.id):  # someone else's answer: theirs to press
            refusal = engine.knowledge.kb.text("not_your_button", lang_from_telegram(user.language_code))
        with suppress(TelegramError):  # an old query can no longer be answered; the reply below still goes out
            await self._bot().answer_callback_query(query.id, text=refusal)  # its answer is True: nothing to parse
        if refusal is not None:
            return
        reply_to = asked[1] if public and asked is not None else None
        if public and isinstance(action, actions.PERSONAL):
            await self._send(chat_id, [self._go_private(user.language_code)], update.update_id, reply_to=reply_to)
            return
        if isinstance(action, actions.Inbox) and not stale and user.id in self.config.telegram.admin_ids:
            k = engine.knowledge
            lang = lang_from_telegram(user.language_code)
            await self._send(chat_id, await self._admin_tool().press(action.pack(), k.kb, lang, k.matcher.normalize))
            return  # anyone else pressing an admin button (forged) gets what any unknown button gets
        token = action.pack() if action is not None else ""
        event = Incoming(user.id, Kind.PRESS, action=token, update_id=update.update_id,
                         client_lang=user.language_code, stale=stale, public=public)  # fmt: skip
        replies = await self._decide(chat_id, event)
        if replies and replies[0].edit and isinstance(message, Message):
            first, *rest = replies
            if await self._edit(message, first):
                replies = rest
        await self._send(chat_id, replies, update.update_id, reply_to=reply_to)

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
            await self._send(message.chat_id, await self._decide(message.chat_id, event), update.update_id)  # unknown
            return
        engine = self._engine()
        if command == "reload":
            try:
                fresh = await engine.reload(self.config.matcher)
            except KnowledgeError as error:
                text = f"Reload refused; the bot keeps version {engine.knowledge.kb.version}.\n{_report(error)}"
            else:
                text = f"Knowledge reloaded: version {fresh.kb.version}, {len(fresh.kb.entries)} entries."
        else:
            k, lang = engine.knowledge, lang_from_telegram(user.language_code)
            if command == "unmatched":
                reply = await self._admin_tool().unmatched(k.kb, lang, k.matcher.normalize)
            else:
                reply = await self._admin_tool().stats(k.kb, lang, k.kb.version)
                transport = (f"over the message budget: {self.budget.dropped} messages dropped, "
                             f"{self.budget.warned} slow-down notes; "
                             f"unreadable updates skipped {self.reader.skipped if self.reader else 0}; "
                             f"{self._given_up()}"
                             f"{self.undelivered.summary()}")  # fmt: skip
                reply = Reply(f"{reply.text}\n\n{transport}")
            await self._send(message.chat_id, [reply], update.update_id)
            return
        await self._send(message.chat_id, [Reply(text)], update.update_id)

    def _given_up(self) -> str:
        return f"{self.attempts.summary()}; "

    def _admin_tool(self) -> Admin:
        if self.admin is None:
            raise TransportError("the admin tools are not ready (post_init has not run)")
        return self.admin

    # --- helpers ---------------------------------------------------------------------------------------------

    async def _decide(self, chat_id: int, event: Incoming) -> list[Reply]:
        async with self._typing(chat_id):
            return (await self._engine().handle(event)).replies

    @asynccontextmanager
    async def _typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" only when an answer is slow, so fast answers cost no extra request (nor task)."""
        bot = self._bot()
        pending: set[asyncio.Task[None]] = set()

        async def typing() -> None:
            with suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)

        def fire() -> None:
            task = asyncio.ensure_future(typing())
            pending.add(task)
            task.add_done_callback(pending.discard)

        timer = asyncio.get_running_loop().call_later(_TYPING_AFTER, fire)
        try:
            yield
        finally:
            timer.cancel()

    async def _send(
        self, chat_id: int, replies: list[Reply], update_id: int | None = None, *, reply_to: int | None = None
    ) -> None:
        """Send `replies` in order; `reply_to` (in groups) marks whose message they answer, and so whose buttons.

        Failed sends were already tried again as far as that is safe (bot.telegram.retry); a send whose answer was
        lost may have arrived, so the next replies still go out, while one that surely failed ends the turn: the
        update is tried again if it will be (`_send_message`), else the failure is counted for /stats by update id.
        """
        # Raw Bot API calls: the answer is not turned into PTB objects, which the bot never reads.
        bot = self._bot()
        version = self._engine().knowledge.kb.version
        for reply in replies:
            for out in render(reply, version):
                if not self.watched.next_piece(update_id):
                    continue  # delivered by an earlier attempt at this update
                params = out.api_kwargs(chat_id)
                if reply_to is not None:
                    params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
                if not await self._send_message(bot, params, update_id):
                    return
            if reply.chart is not None and not await self._send_chart(bot, chat_id, reply.chart):
                return
            if reply.attachment is not None and not await self._send_file(bot, chat_id, reply.attachment):
                return

    async def _send_message(self, bot: Bot, params: dict[str, object], update_id: int | None) -> bool:
        """One message of `_send`; False when the turn ends here (the chat blocked the bot, or it surely failed).

        A message that surely did not arrive (refused with 5xx, flood waits, unreachable, after the retries) fails
        the whole update while it will be tried again (the poller tries it again in place, Telegram re-POSTs a
        webhook update answered 500): that attempt sends it, and not what this one delivered. On the last attempt
        it is counted for /stats instead.
        """
        try:
            await _call(bot, "sendMessage", params)
        except Forbidden:
            logger.info("chat %s blocked the bot; nothing sent", params.get("chat_id"))
            return False
        except Unanswered as error:
            self.undelivered.unconfirmed(update_id)
            logger.warning("a reply to update %s may not have arrived: %s", update_id, error)
        except (BadRequest, InvalidToken):
            raise  # the bot's own mistake: the error handler logs it and apologises
        except TelegramError as error:  # 5xx, flood waits and unreachable servers, after the retries
            if self.watched.retryable(update_id):
                raise TransportError(f"a reply to update {update_id} could not be sent ({error})") from error
            self.undelivered.not_sent(update_id)
            logger.warning("a reply to update %s could not be sent: %s", update_id, error)
            return False
        self.watched.delivered(update_id)  # or may have been: not sent again
        return True

    async def _send_file(self, bot: Bot, chat_id: int, attachment: Attachment) -> bool:
        """A document after its message (the diary export, an admin's CSV); False if the chat blocked the bot."""
        document = InputFile(attachment.data, filename=attachment.filename, attach=True)
        try:
            await bot.send_document(chat_id, document, filename=attachment.filename)  # multipart, same client
        except Forbidden:
            logger.info("chat %s blocked the bot; no document sent", chat_id)
            return False
        except TelegramError:
            logger.exception("a document could not be sent")
        return True

    async def _send_chart(self, bot: Bot, chat_id: int, chart: Chart) -> bool:
        """The chart as a photo under its message; False if the chat blocked the bot.

        Drawn in a worker thread (matplotlib, imported on the first chart only) so other chats are not held up.
        A chart that cannot be drawn or sent is logged and left out: the text already said everything.
        """
        from bot.chart import render_png

        try:
            png = await asyncio.to_thread(render_png, chart)
        except Exception:
            logger.exception("the plan chart could not be drawn; the text was sent without it")
            return True
        photo = InputFile(png, filename="plan.png")
        try:
            await bot.send_photo(chat_id, photo, caption=chart.caption)  # multipart, through the same client
        except Forbidden:
            logger.info("chat %s blocked the bot; no chart sent", chat_id)
            return False
        except TelegramError:
            logger.exception("the plan chart could not be sent")
        return True

    async def _edit(self, message: Message, reply: Reply) -> bool:
        """Show a walkthrough step in place of the message whose button was pressed; False to send it instead."""
        pieces = render(reply, self._engine().knowledge.kb.version)
        if len(pieces) != 1:
            return False
        kwargs = pieces[0].api_kwargs(message.chat_id)
        kwargs["message_id"] = message.message_id
        bot = self._bot()
        try:
            await _call(bot, "editMessageText", kwargs)
        except BadRequest as error:
            return "not modified" in str(error).lower()
        except TelegramError as error:  # after the retries: the step is sent as a new message instead
            logger.warning("editing a step message failed (%s); sending it instead", error)
            return False
        return True

    def _in_group(self, update: Update) -> bool:
        chat = update.effective_chat
        return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)

    def _addressed_to_me(self, message: Message) -> bool:
        text = message.text or message.caption or ""
        if self.username and f"@{self.username}".lower() in text.lower():
            return True
        replied = message.reply_to_message
        return replied is not None and replied.from_user is not None and replied.from_user.username == self.username

    def _group_hint(self, code: str | None) -> Reply:
        return Reply(self._engine().knowledge.kb.text("group_hint", lang_from_telegram(code)))

    def _go_private(self, code: str | None) -> Reply:
        """In a group: this is personal, go on in private (a deep link that opens the walkthrough there)."""
        link = f"https://t.me/{self.username}?start={START_GUIDE}"
        return Reply(self._engine().knowledge.kb.text("group_private", lang_from_telegram(code), link=link))


def _report(error: KnowledgeError) -> str:
    """The first problems of a refused reload, one per line, and how many more `advisor kb validate` would list."""
    lines = [str(problem)[:300] for problem in error.problems[:RELOAD_PROBLEMS_SHOWN]]
    hidden = len(error.problems) - len(lines)
    if hidden > 0:
        lines.append(f"… and {hidden} more; `advisor kb validate` lists them all.")
    return "\n".join(lines)


def _asked(message: object) -> tuple[int, int] | None:
    """(user id, message id) of the message a bot message answers, in a group; None if it answers nobody."""
    if not isinstance(message, Message):
        return None
    asked = message.reply_to_message
    if asked is None or asked.from_user is None:
        return None
    return asked.from_user.id, asked.message_id


async def _call(bot: Bot, method: str, params: dict[str, object]) -> object:
    """One Bot API call whose answer stays JSON: sendMessage and editMessageText on the hot path.

    The bot never reads the Message Telegram returns, and PTB's typed `send_message` / `edit_message_text` would
    build one from every answer: measured at 111 µs per call for a typical answer with a keyboard, about a tenth of
    the advisor's CPU per message, which the load bench's margin over a bare PTB bot cannot spare. `_post` is PTB's
    own single entry to the API (defaults, rate limiter, error mapping); the public `do_api_request` does the same
    but warns for methods PTB wraps. Calls whose answer is only True use PTB's public methods.
    """
    return await bot._post(method, params)  # noqa: SLF001 -- deliberate, for the reason above
