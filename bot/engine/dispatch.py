"""The engine's dispatch: one incoming event for one user → durable new state → replies, for any transport.

It loads the user's session from storage, lets the pure core (advisor Q&A and the walkthrough dialogue) decide,
saves the new state **before** returning the replies (so a step the bot confirms survives a crash). Different users
run in parallel; one user's events must come one at a time, which the caller sees to (the Telegram transport's turns,
bot.locks; the terminal chat has one user typing): an event of a user whose previous one is still being handled is
refused with TurnError rather than let two writes of one state race. Telegram and the terminal chat both drive it;
neither knows about the other. Here: the sessions, redeliveries and which job an event is; each job (commands,
presses, typed text, the tools' forms) decides in its own module.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Final

from bot import tools
from bot.config import MatcherConfig
from bot.core import actions, dialogue, planchat
from bot.core.advisor import Conversation
from bot.core.i18n import Lang
from bot.core.language import Typed, Written, detect, follow, reply_lang
from bot.core.replies import Reply
from bot.core.walkthrough import Walkthrough
from bot.engine import commands, presses, steps
from bot.engine.decision import Decision
from bot.engine.events import Incoming, Kind, Response
from bot.engine.forms import tool_context, typed_in_form
from bot.engine.knowledge import Knowledge
from bot.engine.language_choice import stored_lang
from bot.engine.memory import RECENT_USERS, Memory
from bot.engine.rebuild import build_elsewhere, take_apart
from bot.engine.saved_state import FORGET_KEY, UserState
from bot.engine.text import TextHandler
from bot.errors import ActionError, TurnError
from bot.storage import Session, Storage
from bot.tools import Tools

logger = logging.getLogger("bot.engine")  # the name operators filter on
#: Seconds a reload waits for the events begun with the old knowledge to end before it frees that knowledge.
RETIRE_PATIENCE = 2.0


class Engine:
    """Handles events for every user; `knowledge` can be swapped at run time (`reload`)."""

    def __init__(
        self,
        knowledge: Knowledge,
        storage: Storage,
        *,
        directory: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.knowledge = knowledge
        self.storage = storage
        self.directory = directory
        self.tools = Tools(storage, clock)
        self._memory = Memory()  # what a 👎 and a repeat need of recent users; memory only
        self._texts = TextHandler(storage, self.tools, self._memory, clock)
        self._busy: set[int] = set()  # users with an event being handled: a second one at once is a caller's bug
        self._reloading = asyncio.Lock()
        # The engine is the only writer of sessions, so what it last read or wrote is what is on disk; keeping
        # recent users in memory saves a database round trip per message. Writes still go to disk first.
        self._recent: OrderedDict[int, Session | None] = OrderedDict()
        # The state decoded from a recent user's session, while that session and walkthrough are the ones in use: a
        # message that changes nothing (most questions) is followed by one that would decode the same session again.
        self._decoded: dict[int, tuple[Session, Walkthrough, UserState]] = {}

    async def reload(self, config: MatcherConfig | None = None) -> Knowledge:
        """Load the knowledge folder again; on a problem the old knowledge stays and KnowledgeError is raised.

        Reading, validating and indexing a large base takes seconds of CPU: it runs in a child process, and a worker
        thread reads the result back in small pieces (bot/engine/rebuild.py), so other users are answered meanwhile
        (from the old knowledge); the new generation is swapped in whole. Reloads asked for at the same time run one
        after another.
        """
        if self.directory is None:
            return self.knowledge
        async with self._reloading:
            directory, matcher_config = self.directory, config or self.knowledge.matcher.config
            fresh = await asyncio.to_thread(build_elsewhere, directory, matcher_config)
            replaced, self.knowledge = [self.knowledge], fresh
            await self._retire(replaced)
        logger.info("knowledge reloaded (version %s, %d entries)", fresh.kb.version, len(fresh.kb.entries))
        return fresh

    async def _retire(self, replaced: list[Knowledge]) -> None:
        """Free the generation a reload replaced off the event loop, a piece at a time (bot/engine/rebuild.py), once
        the events begun with it have ended: each holds it while it runs, and the last to let go would free it here."""
        begun = set(self._busy)
        give_up = time.monotonic() + RETIRE_PATIENCE
        # polled: a reload is rare and its events end within milliseconds; an Event would cost every event a check
        while begun & self._busy and time.monotonic() < give_up:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        await asyncio.to_thread(take_apart, replaced)

    async def handle(self, event: Incoming) -> Response:
        """Everything a transport needs from one event (replies, language, whether a number is expected)."""
        if event.user_id in self._busy:
            raise TurnError(f"user {event.user_id}'s previous event is still being handled; hand them in one at a time")
        self._busy.add(event.user_id)
        try:
            return await self._handle(event)
        finally:
            self._busy.discard(event.user_id)

    async def _handle(self, event: Incoming) -> Response:
        k = self.knowledge  # one generation for the whole event, even if a reload happens meanwhile
        session = await self._load(event.user_id)
        state = UserState() if event.public else self._state(session, k.walkthrough)
        typed_before = Typed.decode(session.typed_lang if session else None)
        typed = typed_before
        if event.kind is Kind.TEXT and _tells_language(state, event.text, typed_before, k):
            typed = follow(typed_before, event.text, event.client_lang)
        chosen = event.lang or stored_lang(session.lang if session else None)
        lang = reply_lang(chosen, typed.lang, event.client_lang)
        redelivered = (
            event.update_id is not None
            and session is not None
            and session.last_update_id is not None
            and event.update_id <= session.last_update_id
        )
        if redelivered:
            return Response(self._again(event, session, state, k, lang), lang, state.expects_number)

        decision = await self._decide(event, state, k, Conversation(lang=lang, client_lang=event.client_lang))
        if decision.forgotten:
            await self.storage.forget_user(event.user_id)
            self._memory.drop_turns(event.user_id)
            self._remember(event.user_id, None)
            return Response(decision.replies, lang, expects_number=False)
        if decision.lang is not None:
            lang = reply_lang(event.lang or Lang(decision.lang), typed.lang, event.client_lang)
        if (decision.save or typed != typed_before) and not event.public:  # public: the private state stays
            saved = await self.storage.save_session(
                Session(
                    user_id=event.user_id,
                    lang=decision.lang or (session.lang if session else None),
                    state=decision.state.to_dict(),
                    # Only a state change marks the update applied: a question re-sent after a crash is answered again.
                    last_update_id=event.update_id if decision.save else (session.last_update_id if session else None),
                    last_replies=(
                        tuple(reply.to_saved() for reply in decision.replies)
                        if decision.save and event.update_id is not None
                        else (session.last_replies if session and not decision.save else None)
                    ),
                    typed_lang=typed.encode(),
                )
            )
            self._remember(event.user_id, saved)
        elif event.public and session is not None:
            await self._close_forget_question(session, k)
        after = decision.state.progress
        if after is not None and (state.progress is None or after.step is not state.progress.step):
            self.storage.note_reached(event.user_id, after.step.value)  # the funnel in /stats
        if decision.unanswered is not None:
            match = decision.unanswered
            best = match.candidates[0].entry.id if match.candidates else None
            await self.storage.log_unmatched(
                event.user_id, event.text, lang.value, best, match.score, update_id=event.update_id
            )
        return Response(decision.replies, lang, decision.state.expects_number)

    async def _close_forget_question(self, session: Session, k: Knowledge) -> None:
        """A message in a group closes a "delete everything?" asked in private, as any message does; the rest of the
        private state stays as it is."""
        if session.state is None or FORGET_KEY not in session.state:
            return
        private = UserState.from_session(session, k.walkthrough)
        closed = replace(session, state=replace(private, forget_asked=False).to_dict())
        self._remember(session.user_id, await self.storage.save_session(closed))

    def _again(
        self, event: Incoming, session: Session | None, state: UserState, k: Knowledge, lang: Lang
    ) -> list[Reply]:
        """An update Telegram delivered again (the bot stopped before confirming it), whose state is already saved.

        It is not applied twice: the latest one is answered again with the replies kept for it (the user may never
        have seen them); an older one was answered before the user's next update was handled, so it gets nothing.
        """
        if session is None or event.update_id != session.last_update_id:
            logger.info("redelivered update %s was answered before; nothing to send", event.update_id)
            return []
        replies = [Reply.from_saved(saved) for saved in session.last_replies or ()]
        logger.info("redelivered update %s: its replies again", event.update_id)
        return replies or steps.where_am_i(state, k, lang)

    async def _load(self, user_id: int) -> Session | None:
        if user_id in self._recent:
            self._recent.move_to_end(user_id)
            return self._recent[user_id]
        session = await self.storage.load_session(user_id)
        self._remember(user_id, session)
        return session

    def _remember(self, user_id: int, session: Session | None) -> None:
        self._recent[user_id] = session
        self._recent.move_to_end(user_id)
        self._decoded.pop(user_id, None)
        while len(self._recent) > RECENT_USERS:
            gone, _ = self._recent.popitem(last=False)
            self._decoded.pop(gone, None)

    def _state(self, session: Session | None, walkthrough: Walkthrough) -> UserState:
        """`UserState.from_session`, decoded once per session a recent user has (the state is an immutable value)."""
        if session is None:
            return UserState()
        known = self._decoded.get(session.user_id)
        if known is not None and known[0] is session and known[1] is walkthrough:
            return known[2]
        state = UserState.from_session(session, walkthrough)
        if self._recent.get(session.user_id) is session:
            self._decoded[session.user_id] = (session, walkthrough, state)
        return state

    async def _decide(self, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation) -> Decision:
        """What the event decides (`_job`). "Delete everything?" is open for the very next message only: a typed
        text may answer it, and whatever the message, the question is closed (saved, as it was saved open)."""
        if state.forget_asked:
            decision = await self._job(event, replace(state, forget_asked=False), k, conversation, forget_asked=True)
            return replace(decision, save=True)
        decision = await self._job(event, state, k, conversation)
        walk = decision.state.progress
        if walk is not None and walk.leaving and walk is state.progress:
            # "leave and clear your answers?" is open for the next message only, whoever handled that message
            closed = replace(decision.state, progress=replace(walk, leaving=False))
            return replace(decision, state=closed, save=True)
        return decision

    async def _job(
        self, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation, *, forget_asked: bool = False
    ) -> Decision:
        """Which job's the event is: a tool's (bot.tools), a command's, a press's or a typed text's (an answer to
        "delete everything?" when `forget_asked`)."""
        lang = conversation.lang
        if event.kind is Kind.UNSUPPORTED:
            return Decision([Reply(k.kb.text("non_text", lang))], state)
        if event.kind is Kind.COMMAND:
            if state.form is not None:
                return await self._command_in_form(event, state, k, conversation)
            if event.command in tools.COMMANDS:  # /log, /reminders, /export: an open /plan question waits meanwhile
                context = tool_context(event, state, k, lang, self._memory)
                result = await self.tools.command(context, event.command)
                after = replace(state, form=result.form, plan=planchat.paused(state.plan))
                return Decision(result.replies, after, save=result.changed or after.plan != state.plan)
            return commands.command(event, state, k, conversation)
        if event.kind is Kind.PRESS:
            try:
                action = None if event.stale else actions.unpack(event.action)
            except ActionError:  # forged or from a grammar no longer spoken: as kind as an old menu
                action = None
            if action is None:
                return Decision([Reply(k.kb.text("menu_expired", lang)), *steps.where_am_i(state, k, lang)], state)
            if isinstance(action, actions.TOOL_ACTIONS):
                context = tool_context(event, state, k, lang, self._memory)
                result = await self.tools.press(context, action, state.form)
                # a tool that now waits for typed input (not a 👎's optional note) has an open /plan question wait
                leaves = result.form is not None and not isinstance(action, actions.Vote)
                after = replace(state, form=result.form, plan=planchat.paused(state.plan) if leaves else state.plan)
                return Decision(result.replies, after, save=result.changed or after.plan != state.plan)
            return presses.press(action, event, state, k, conversation)
        if forget_asked:
            return await self._texts.forget_typed(event, state, k, conversation)
        typed = (
            await typed_in_form(self.tools, self._memory, event, state, k, conversation) if event.text.strip() else None
        )
        return typed or self._texts.text(event, state, k, conversation)


    async def _command_in_form(
        self, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation
    ) -> Decision:
        """A command while a tool's form waits: /cancel stops that form (as its stop button does); any other command
        leaves the form and is handled as ever."""
        assert state.form is not None
        if event.command == "cancel":
            context = tool_context(event, state, k, conversation.lang, self._memory)
            stopped = await self.tools.cancel(context, state.form)
            if stopped is not None:
                return Decision(stopped.replies, replace(state, form=stopped.form), save=True)
        decision = await self._job(event, replace(state, form=None), k, conversation)
        return replace(decision, save=True)


#: How an option's name typed first in a conversation tells its language: clearly English ("both") or Traditional
#: ("兩個都有"); pinyin ("jiebei") and characters the same in both scripts tell nothing.
_CLEAR_OPTION_NAMES: Final = (Written.ENGLISH, Written.TRADITIONAL, Written.HONG_KONG)


def _tells_language(state: UserState, text: str, before: Typed, k: Knowledge) -> bool:
    """Whether a typed message may set or switch the conversation's language (`follow`). A button's name typed
    ("jiebei", "借呗", "back") is no sign of the language the user writes in, except an option's name clearly in
    one language when nothing typed has told yet: "both" right after /guide is answered in English (a first-user
    trial got "已记下" and English after it). Moves said ("back", "跳过") never tell."""
    if not dialogue.names_button(state.progress, text, k.walkthrough):
        return True
    return (
        before.lang is None
        and dialogue.names_option(state.progress, text, k.walkthrough)
        and detect(text) in _CLEAR_OPTION_NAMES
    )

