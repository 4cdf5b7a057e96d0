"""The engine's dispatch: one incoming event for one user → durable new state → replies, for any transport.

It loads the user's session from storage, lets the pure core (advisor Q&A and the walkthrough dialogue) decide,
saves the new state **before** returning the replies (so a step the bot confirms survives a crash). Different users
run in parallel; one user's events must come one at a time, which the caller sees to (the Telegram transport's turns,
bot.locks; the terminal chat has one user typing): an event of a user whose previous one is still being handled is
refused with TurnError rather than let two writes of one state race. Telegram and the terminal chat both drive it;
neither knows about the other.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bot import tools
from bot.config import MatcherConfig
from bot.core import actions, dialogue, planchat, progress, understand
from bot.core.advisor import ANSWERED_FREELY, Conversation, Outcome
from bot.core.flow import AGREED
from bot.core.i18n import NATIVE_NAMES, Lang
from bot.core.knowledge import Entry, EntryKind
from bot.core.language import Typed, follow, reply_lang
from bot.core.limits import MAX_MESSAGE_CHARS
from bot.core.matcher import MatchResult, Status
from bot.core.plantexts import PlanTexts
from bot.core.replies import Choice, Reply
from bot.core.safety import Concern, Screening
from bot.core.walkthrough import Walkthrough
from bot.engine.events import Incoming, Kind, Response
from bot.engine.knowledge import Knowledge
from bot.engine.language_choice import parse_lang, stored_lang
from bot.engine.recent_turns import CRISIS_MEMORY, REPEAT_WINDOW, RecentTurns
from bot.engine.saved_state import UserState, plan_prefill
from bot.errors import ActionError, TurnError
from bot.storage import Session, Storage
from bot.tools import Tools

logger = logging.getLogger("bot.engine")  # the name operators filter on

#: How many recently active users' sessions are kept in memory.
RECENT_USERS = 4096
#: The /start argument of the deep link a group sends someone to, to go on in private with the walkthrough.
START_GUIDE = "guide"
#: Messages longer than this are answered from their first part, and the user is told so (the one limit, limits.py).
LONG_MESSAGE = MAX_MESSAGE_CHARS
#: What a typed text needs to be taken as a question rather than the agreement terms being recorded.
_QUESTION_MARKERS = re.compile(
    r"[?？]|吗|怎么|如何|什么|能不能|可不可以|为什么|為什麼|嗎|怎麼|\b(how|what|can|should|why)\b"
)


#: What separates the words of a `…_words` text ("确定, 是, 好").
_WORDS = re.compile(r"\s*[,，、]\s*")
#: How a matched question counts in /stats (a route — recognised, not covered — counts as a fallback).
_OUTCOMES = {Status.ANSWER: "answered", Status.CLARIFY: "clarified", Status.FALLBACK: "fallback"}


@dataclass(frozen=True)
class _Decision:
    """What handling one event decided, before anything is written."""

    replies: list[Reply]
    state: UserState
    lang: str | None = None  # a new language override
    save: bool = False  # the state changed and must be durable before the replies go out
    forgotten: bool = False  # the user asked to be erased
    unanswered: MatchResult | None = None  # a question nobody could answer, for the admins' report


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
        # The question each recent user's last answer was for, so a 👎 can file it; memory only, never stored
        # unless the user presses 👎.
        self._asked: OrderedDict[int, tuple[str, str]] = OrderedDict()
        self._recent_turns: OrderedDict[int, RecentTurns] = OrderedDict()  # see RecentTurns; memory only
        self._busy: set[int] = set()  # users with an event being handled: a second one at once is a caller's bug
        self._reloading = asyncio.Lock()
        # The engine is the only writer of sessions, so what it last read or wrote is what is on disk; keeping
        # recent users in memory saves a database round trip per message. Writes still go to disk first.
        self._recent: OrderedDict[int, Session | None] = OrderedDict()

    async def reload(self, config: MatcherConfig | None = None) -> Knowledge:
        """Load the knowledge folder again; on a problem the old knowledge stays and KnowledgeError is raised.

        Reading, validating and indexing a large base takes seconds of CPU: it runs in a worker thread, so other
        users are answered meanwhile (from the old knowledge), and the new generation is swapped in whole.
        Reloads asked for at the same time run one after another.
        """
        if self.directory is None:
            return self.knowledge
        async with self._reloading:
            directory, matcher_config = self.directory, config or self.knowledge.matcher.config
            # The build makes millions of objects, each allocation counting towards a garbage collection; a full
            # collection walks every object while holding the GIL (a quarter second and more that nobody is
            # answered). So the collector rests during the build, and what was built is frozen out of its sight:
            # knowledge lives until the next reload and is freed by reference counting then.
            collecting = gc.isenabled()
            gc.disable()
            try:
                fresh = await asyncio.to_thread(Knowledge.load, directory, matcher_config)
            finally:
                gc.freeze()
                if collecting:
                    gc.enable()
            self.knowledge = fresh
        logger.info("knowledge reloaded (version %s, %d entries)", fresh.kb.version, len(fresh.kb.entries))
        return fresh

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
        state = UserState() if event.public else UserState.from_session(session, k.walkthrough)
        typed_before = Typed.decode(session.typed_lang if session else None)
        typed = typed_before
        if event.kind is Kind.TEXT and not dialogue.names_option(state.progress, event.text, k.walkthrough):
            # a button's name typed ("jiebei", "借呗") is no sign of the language the user writes in; one line in
            # another language does not turn the whole conversation either (`follow`)
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
            self._recent_turns.pop(event.user_id, None)
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
                        [reply.to_json() for reply in decision.replies]
                        if decision.save and event.update_id is not None
                        else (session.last_replies if session and not decision.save else None)
                    ),
                    typed_lang=typed.encode(),
                )
            )
            self._remember(event.user_id, saved)
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
        try:
            replies = [Reply.from_json(shape) for shape in session.last_replies or ()]
        except ValueError:
            replies = []
        logger.info("redelivered update %s: its replies again", event.update_id)
        return replies or self._where_am_i(state, k, lang)

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
        while len(self._recent) > RECENT_USERS:
            self._recent.popitem(last=False)

    async def _decide(self, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation) -> _Decision:
        lang = conversation.lang
        recent = self._recent_of(event.user_id)
        forget_asked, recent.forget_asked = recent.forget_asked, False  # open for the very next message only
        if event.kind is Kind.UNSUPPORTED:
            return _Decision([Reply(k.kb.text("non_text", lang))], state)
        if event.kind is Kind.COMMAND:
            if state.form is not None:  # a command leaves whatever a tool waited for
                decision = await self._decide(event, replace(state, form=None), k, conversation)
                return replace(decision, save=True)
            if event.command in tools.COMMANDS:
                result = await self.tools.command(self._context(event, state, k, lang), event.command)
                return _Decision(result.replies, replace(state, form=result.form), save=result.changed)
            return self._command(event, state, k, conversation)
        if event.kind is Kind.PRESS:
            try:
                action = None if event.stale else actions.unpack(event.action)
            except ActionError:  # forged or from a grammar no longer spoken: as kind as an old menu
                action = None
            if action is None:
                return _Decision([Reply(k.kb.text("menu_expired", lang)), *self._where_am_i(state, k, lang)], state)
            if isinstance(action, actions.TOOL_ACTIONS):
                result = await self.tools.press(self._context(event, state, k, lang), action, state.form)
                return _Decision(result.replies, replace(state, form=result.form), save=result.changed)
            return self._press(action, event, state, k, conversation)
        if forget_asked:
            return await self._forget_typed(event, state, k, conversation)
        typed = await self._typed_in_form(event, state, k, conversation) if event.text.strip() else None
        return typed or self._text(event, state, k, conversation)

    async def _forget_typed(
        self, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation
    ) -> _Decision:
        """Text typed right after "delete everything?": yes deletes, no keeps, anything else is handled as ever
        with a line saying nothing was deleted (a crisis is answered first, and deletes nothing)."""
        lang = conversation.lang
        if k.advisor.screen(event.text).concern is not Concern.CRISIS:
            for verb, key in ((actions.ForgetVerb.NO, "forget_no"), (actions.ForgetVerb.YES, "forget_yes")):
                words = [
                    word
                    for said in (lang, Lang.ZH_HANS, Lang.EN)  # "yes" in a Chinese conversation too
                    for word in (k.kb.text(key, said), *_WORDS.split(k.kb.text(f"{key}_words", said)))
                ]
                if understand.says_one_of(event.text, words, typos=False):  # deleting cannot be undone
                    return self._forget_press(verb, event, state, k, lang)
        typed = await self._typed_in_form(event, state, k, conversation) if event.text.strip() else None
        decision = typed or self._text(event, state, k, conversation)
        return replace(decision, replies=[*decision.replies, Reply(k.kb.text("forget_not_yet", lang))])

    async def _typed_in_form(
        self, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation
    ) -> _Decision | None:
        """Text typed where a tool waits for it (a form); None when no form waits, or for a crisis (answered as one)."""
        if state.form is None:
            return None
        screening = k.advisor.screen(event.text)
        if screening.concern is Concern.CRISIS:
            return None
        result = await self.tools.typed(self._context(event, state, k, conversation.lang), event.text, state.form)
        decision = _Decision(result.replies, replace(state, form=result.form), save=result.changed)
        return self._cared(decision, screening, k, conversation)

    @staticmethod
    def _cared(decision: _Decision, screening: Screening, k: Knowledge, conversation: Conversation) -> _Decision:
        """A typed answer to a step or a tool, taken as asked: with a kind word first for distress, and the caring
        line with a hotline after it when the crisis model heard the message faintly (as `Advisor.ask` does)."""
        if screening.concern is Concern.DISTRESS:
            return replace(decision, replies=[k.advisor.reassurance(conversation), *decision.replies])
        if screening.concern is Concern.CRISIS_SOFT:
            return replace(decision, replies=[*decision.replies, k.advisor.soft_line(conversation)])
        return decision

    def _command(self, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation) -> _Decision:
        lang = conversation.lang
        match event.command:
            case "start":
                return self._start(event, state, k, conversation)
            case "help":
                return _Decision(k.advisor.help(conversation), state)
            case "guide":
                return self._walk(state, dialogue.Start(), k, lang)
            case "resume":
                return self._walk(state, dialogue.Resume(), k, lang)
            case "plan" if k.plan is not None:
                return self._plan(state, planchat.Start(*plan_prefill(state)), k.plan, lang)
            case "cancel":
                return self._cancel(state, k, lang)
            case "privacy":
                forget = Choice(k.kb.text("forget_button", lang), actions.Forget(actions.ForgetVerb.ASK).pack())
                return _Decision([Reply(k.kb.text("privacy", lang), (forget,))], state)
            case "forget":
                return self._forget_press(actions.ForgetVerb.ASK, event, state, k, lang)
            case "language":
                return self._language_command(event, state, k, lang)
        return _Decision([Reply(k.kb.text("unknown_command", lang)), *k.advisor.help(conversation)], state)

    def _start(self, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation) -> _Decision:
        """/start: the greeting, with a button to continue the walkthrough if one is under way."""
        lang = conversation.lang
        if event.text == START_GUIDE:  # a deep link from a group: straight into the walkthrough
            return self._walk(state, dialogue.Start(), k, lang)
        replies = k.advisor.greet(conversation)
        resume = dialogue.continue_choice(state.progress, k.walkthrough, lang)
        if resume is not None:
            replies = [*replies[:-1], replace(replies[-1], choices=(resume, *replies[-1].choices))]
        return _Decision(replies, state)

    def _language_command(self, event: Incoming, state: UserState, k: Knowledge, lang: Lang) -> _Decision:
        """/language: the menu of languages, or straight to the one named after it ("/language en")."""
        chosen = parse_lang(event.text)
        if chosen is None:
            return _Decision([self._language_menu(k, lang)], state)
        return self._language_set(event, state, k, chosen)

    def _cancel(self, state: UserState, k: Knowledge, lang: Lang) -> _Decision:
        """/cancel: stops the /plan calculation if it is asking, else the walkthrough."""
        if planchat.asking(state.plan) and k.plan is not None:
            return self._plan(state, planchat.Stop(), k.plan, lang)
        if state.progress is None:
            return _Decision([Reply(k.kb.text("nothing_to_cancel", lang))], state)
        return self._walk(state, dialogue.Cancel(), k, lang)

    def _press(
        self, action: actions.Action, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation
    ) -> _Decision:
        lang = conversation.lang
        match action:
            case actions.StartGuide():
                return self._walk(state, dialogue.Start(), k, lang)
            case actions.Walk() if k.plan is not None and dialogue.asks_calculator(action, state.progress):
                # the monthly step's calculator: a fresh calculation, the amount owed from the walkthrough
                start = planchat.Start(*plan_prefill(state))
                return self._plan(replace(state, plan=None), start, k.plan, lang, k.walkthrough)
            case actions.Walk():
                decision = self._walk(state, dialogue.Press(action), k, lang)
                if not action.edits_in_place or not decision.replies:
                    return decision
                first, *rest = decision.replies  # the step's own message changes, rather than a new one
                return replace(decision, replies=[replace(first, edit=True), *rest])
            case actions.PlanPress() if k.plan is not None:
                return self._plan(state, planchat.Press(action), k.plan, lang, k.walkthrough)
            case actions.PickLanguage(code) if (chosen := parse_lang(code)) is not None:
                return self._language_set(event, state, k, chosen)
            case actions.Forget(verb):
                return self._forget_press(verb, event, state, k, lang)
        outcome = k.advisor.press(conversation, action)
        if outcome is not None:
            replies = self._with_continue(outcome.replies, state, k, lang)
            if isinstance(action, actions.ShowEntry):  # opened from a clarify or related-topic button, as if typed
                replies = self._with_jump(replies, action.entry_id, state, k, lang)
                replies = self._with_votes(replies, k.kb.entry(action.entry_id), k, lang)
                replies = self._with_script(replies, action.entry_id, state, k, lang)
            return _Decision(replies, state)
        return _Decision([Reply(k.kb.text("menu_expired", lang)), *self._where_am_i(state, k, lang)], state)

    def _forget_press(
        self, verb: actions.ForgetVerb, event: Incoming, state: UserState, k: Knowledge, lang: Lang
    ) -> _Decision:
        """The /forget buttons (and their words typed): ask, yes (everything about the user goes), no."""
        match verb:
            case actions.ForgetVerb.ASK:
                self._recent_of(event.user_id).forget_asked = True
                return _Decision([self._forget_confirm(k, lang)], state)
            case actions.ForgetVerb.YES:
                return _Decision([Reply(k.kb.text("forgotten", lang))], UserState(), forgotten=True)
        return _Decision([Reply(k.kb.text("forget_cancelled", lang))], state)

    def _text(self, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation) -> _Decision:
        lang = conversation.lang
        text = event.text
        # The whole message is screened before anything else (even past LONG_MESSAGE); a reply to the step in front
        # of the user, with no crisis reply in mind, as one (`Screen`'s `answer`).
        answering = state.crisis is None and dialogue.understood(state.progress, text, k.walkthrough) is not None
        screening = k.advisor.screen(text, answer=answering)
        answers_freely = screening.concern in ANSWERED_FREELY  # crisis or scam text is never an answer
        if k.plan is not None and answers_freely and planchat.reads_as_answer(state.plan, text):
            unknown = understand.says_dont_know(text, k.walkthrough.dont_know)  # one list of words, the guide's
            answer = planchat.Unknown() if unknown else planchat.Typed(text)
            return self._cared(self._plan(state, answer, k.plan, lang, k.walkthrough), screening, k, conversation)
        # A text that names one of the step's options answers the step even where the scam screen hears something in
        # it ("my company cut my salary" at the cause step); only a crisis always comes first.
        names = screening.concern is Concern.SCAM and dialogue.names_any_option(state.progress, text, k.walkthrough)
        if (
            (answers_freely or names)
            and dialogue.reads_as_answer(state.progress, text, k.walkthrough)
            and not self._reads_as_question(text, state.progress)
        ):
            return self._cared(self._walk(state, dialogue.TypedText(text), k, lang), screening, k, conversation)
        notice: list[Reply] = []
        if len(text) > LONG_MESSAGE and screening.concern is not Concern.CRISIS:
            notice = [Reply(k.kb.text("too_long_notice", lang))]
            text = text[:LONG_MESSAGE]
        recent = self._recent_of(event.user_id)
        recent.begin(event.update_id)
        before = state.crisis
        conversation = replace(conversation, after_crisis=bool(before))
        outcome = k.advisor.ask(conversation, text, screening)
        state = replace(state, crisis=_crisis_left(before, outcome))
        if outcome.unanswered and dialogue.at_checklist(state.progress):
            # "嗯 好的" at the materials checklist is no question: how the checklist works, and it again
            return self._walk(state, dialogue.TypedText(event.text), k, lang)
        shown_now = self._unless_just_shown(recent, outcome, k, lang)
        match = outcome.match
        replies = [*notice, *self._with_continue(shown_now, state, k, lang)]
        if match is not None and match.status is Status.ANSWER and match.entry is not None:
            replies = self._with_jump(replies, match.entry.id, state, k, lang)
        if match is not None and match.normalized:
            replies = self._counted(event.user_id, text, match, replies, k, lang)
        if match is not None and match.status is Status.ANSWER and match.entry is not None:
            replies = self._with_script(replies, match.entry.id, state, k, lang)
        # A bare number ("5") is a button the user meant, not a question the knowledge base lacks.
        logged = outcome.unanswered and understand.button_number(text) is None
        return _Decision(replies, state, save=state.crisis != before, unanswered=match if logged else None)

    def _unless_just_shown(self, recent: RecentTurns, outcome: Outcome, k: Knowledge, lang: Lang) -> list[Reply]:
        """The outcome's replies, or a pointer back to the same card shown a moment ago; notes crises and cards."""
        match = outcome.match
        if outcome.safety is None and match is not None and match.status is Status.ANSWER and match.entry:
            seen = f"{k.kb.version}:{match.entry.id}"  # after a reload the answer may read differently: in full
            again = recent.repeated(seen)
            recent.shown = {key: turn for key, turn in recent.shown.items() if recent.turn - turn <= REPEAT_WINDOW}
            recent.shown[seen] = recent.turn
            if again:  # the same card a moment ago: point back to it
                return [self._again_pointer(match.entry, k, lang)]
        return outcome.replies

    def _counted(
        self, user_id: int, text: str, match: MatchResult, replies: list[Reply], k: Knowledge, lang: Lang
    ) -> list[Reply]:
        """Count the match's outcome for /stats; a shown topic gets vote buttons and is kept for a 👎."""
        self.storage.count_outcome(_OUTCOMES[match.status])
        shown = match.entry if match.status is Status.ANSWER else match.route
        if shown is None or shown.kind is EntryKind.OFFTOPIC:
            return replies
        self._asked[user_id] = (shown.id, text)  # for a 👎: the question it answered
        self._asked.move_to_end(user_id)
        while len(self._asked) > RECENT_USERS:
            self._asked.popitem(last=False)
        return self._with_votes(replies, shown, k, lang)

    def _recent_of(self, user_id: int) -> RecentTurns:
        recent = self._recent_turns.pop(user_id, None) or RecentTurns()
        self._recent_turns[user_id] = recent
        while len(self._recent_turns) > RECENT_USERS:
            self._recent_turns.popitem(last=False)
        return recent

    @staticmethod
    def _again_pointer(entry: Entry, k: Knowledge, lang: Lang) -> Reply:
        """Instead of the same answer twice in a few messages: under its title, where it is, and a button to see it
        again (the 👍 / 👎 go under it as under the answer)."""
        title = entry.title_in(lang)
        again = Choice(k.kb.text("show_again_button", lang), actions.ShowEntry(entry.id).pack())
        guide = Choice(k.kb.text("guide_button", lang), actions.StartGuide().pack())
        return Reply(k.kb.text("already_shown", lang), (again, guide), title=title)

    @staticmethod
    def _with_votes(replies: list[Reply], entry: Entry | None, k: Knowledge, lang: Lang) -> list[Reply]:
        """👍 / 👎 under an answer (the reply with the entry's title)."""
        if entry is None or entry.kind is EntryKind.OFFTOPIC:
            return replies
        votes = (Choice(k.kb.text("feedback_up", lang), actions.Vote("+", entry.id).pack()),
                 Choice(k.kb.text("feedback_down", lang), actions.Vote("-", entry.id).pack()))  # fmt: skip
        title = entry.title_in(lang)  # the answer itself, not a card shown before it (the scam warning)
        return [replace(r, choices=(*r.choices, *votes)) if r.title == title else r for r in replies]

    def _context(self, event: Incoming, state: UserState, k: Knowledge, lang: Lang) -> tools.Context:
        plan = None
        exporting = event.command == "export" or event.action == actions.Diary("export").pack()
        shown = state.plan.result if state.plan is not None else None
        if exporting and k.plan is not None and shown is not None:
            plan = planchat.result_reply(shown, k.plan, lang)  # the latest result the user was shown, with its chart
        return tools.Context(event.user_id, k.kb, lang, state.progress, self._asked.get(event.user_id), plan)

    @staticmethod
    def _reads_as_question(text: str, walk: progress.Progress | None) -> bool:
        """At the agreement-terms step any text could be terms; a question mark or word makes it a side question."""
        return walk is not None and walk.step is dialogue.Step.TERMS and bool(_QUESTION_MARKERS.search(text.casefold()))

    @staticmethod
    def _walk(state: UserState, event: dialogue.Event, k: Knowledge, lang: Lang) -> _Decision:
        replies, new_progress = dialogue.handle(state.progress, event, k.walkthrough, lang)
        before = state.progress
        if (
            before is not None
            and before.step is dialogue.Step.TERMS
            and new_progress is not None
            and new_progress.step is not dialogue.Step.TERMS
            and new_progress.result == AGREED
        ):  # the terms are in: offer reminders for the due days, and the diary
            offer = (Choice(k.kb.text("reminder_add_button", lang), actions.Reminder("add").pack()),
                     Choice(k.kb.text("diary_new_button", lang), actions.Diary("new").pack()))  # fmt: skip
            replies = [*replies, Reply(k.kb.text("reminder_offer", lang), offer)]
        warning = Engine._monthly_warning(before, new_progress, state, k, lang)
        if warning is not None:  # before the next screen, which has the button back to the amount
            replies = [*replies[:-1], warning, replies[-1]]
        # The walkthrough takes typed answers now; an open /plan question waits for /plan or its buttons.
        return _Decision(replies, replace(state, progress=new_progress, plan=planchat.paused(state.plan)), save=True)

    @staticmethod
    def _monthly_warning(
        before: progress.Progress | None, after: progress.Progress | None, state: UserState, k: Knowledge, lang: Lang
    ) -> Reply | None:
        """A monthly amount just given in the walkthrough, checked against the user's /plan numbers as /plan would."""
        if k.plan is None or state.plan is None or after is None or after.monthly_typed is None:
            return None
        if before is not None and before.monthly_typed == after.monthly_typed:
            return None
        inputs = state.plan.inputs
        if inputs.owed is None and after.amount_typed is not None:
            inputs = replace(inputs, owed=after.amount_typed)
        return planchat.proposal_warning(inputs, after.monthly_typed, k.plan, lang)

    @staticmethod
    def _plan(
        state: UserState, event: planchat.Event, texts: PlanTexts, lang: Lang, walkthrough: Walkthrough | None = None
    ) -> _Decision:
        replies, new_plan = planchat.step(state.plan, event, texts, lang)
        if (
            walkthrough is not None
            and new_plan is not None
            and planchat.just_finished(state.plan, new_plan)
            and replies
        ):
            # worked out at the walkthrough's monthly step: one tap takes the amount back there, or just go back
            amount = planchat.suggested_monthly(new_plan.inputs)
            offer = [
                dialogue.use_amount_choice(state.progress, amount, walkthrough, lang) if amount is not None else None,
                dialogue.continue_choice(state.progress, walkthrough, lang),
            ]
            added = tuple(choice for choice in offer if choice is not None)
            last = replies[-1]
            replies = [*replies[:-1], replace(last, choices=(*added, *last.choices))]
        return _Decision(replies, replace(state, plan=new_plan), save=True)

    @staticmethod
    def _with_continue(replies: list[Reply], state: UserState, k: Knowledge, lang: Lang) -> list[Reply]:
        """Under a side answer mid-calculation or mid-walkthrough, a button back to where the user was."""
        choice = planchat.continue_choice(state.plan, k.plan, lang) if k.plan is not None else None
        if choice is None:
            choice = dialogue.continue_choice(state.progress, k.walkthrough, lang)
        if choice is None or not replies:
            return replies
        last = replies[-1]
        guide = actions.StartGuide().pack()
        kept = tuple(c for c in last.choices if c.action != guide)
        return [*replies[:-1], replace(last, choices=(choice, *kept))]

    @staticmethod
    def _with_jump(replies: list[Reply], entry_id: str, state: UserState, k: Knowledge, lang: Lang) -> list[Reply]:
        """An answer about a walkthrough step offers to go to that step."""
        target = dialogue.step_for_entry(entry_id)
        if target is None or not replies or (state.progress is not None and state.progress.step is target):
            return replies
        last = replies[-1]
        jump = dialogue.goto_choice(target, k.walkthrough, lang)
        return [*replies[:-1], replace(last, choices=(*last.choices, jump))]

    @staticmethod
    def _with_script(replies: list[Reply], entry_id: str, state: UserState, k: Knowledge, lang: Lang) -> list[Reply]:
        """The answer about what to say to customer service, then the opening words with the user's own answers."""
        filled = dialogue.script_reply(state.progress, entry_id, k.walkthrough, lang)
        return replies if filled is None else [*replies, filled]

    @staticmethod
    def _where_am_i(state: UserState, k: Knowledge, lang: Lang) -> list[Reply]:
        if state.plan is not None and planchat.asking(state.plan) and k.plan is not None:
            return planchat.current_prompt(state.plan, k.plan, lang)
        if state.progress is not None:
            return dialogue.current_prompt(state.progress, k.walkthrough, lang)
        return k.advisor.help(Conversation(lang=lang))

    @staticmethod
    def _forget_confirm(k: Knowledge, lang: Lang) -> Reply:
        return Reply(
            k.kb.text("forget_confirm", lang),
            (
                Choice(k.kb.text("forget_yes", lang), actions.Forget(actions.ForgetVerb.YES).pack()),
                Choice(k.kb.text("forget_no", lang), actions.Forget(actions.ForgetVerb.NO).pack()),
            ),
        )

    @staticmethod
    def _language_set(event: Incoming, state: UserState, k: Knowledge, chosen: Lang) -> _Decision:
        """The user's choice is kept; 繁體 gets Hong Kong wording when Telegram's language_code is from there."""
        shown_in = reply_lang(chosen, None, event.client_lang)
        text = k.kb.text("language_set", shown_in, language=NATIVE_NAMES[shown_in])
        return _Decision([Reply(text)], state, lang=chosen.value, save=True)

    @staticmethod
    def _language_menu(k: Knowledge, lang: Lang) -> Reply:
        return Reply(
            k.kb.text("language_prompt", lang),
            tuple(
                Choice(NATIVE_NAMES[lang], actions.PickLanguage(lang.value).pack())
                for lang in (Lang.ZH_HANS, Lang.ZH_HANT, Lang.EN)
            ),
        )


def _crisis_left(before: int | None, outcome: Outcome) -> int | None:
    """How many more typed messages are answered with the crisis reply in mind: all of CRISIS_MEMORY right after it,
    one fewer after each other answer, None when none are left or the user was just checked in on (after "我没事",
    "谢谢" or "好" the check-in is not said again; a new disclosure gets the crisis reply as ever)."""
    if outcome.safety is Concern.CRISIS:
        return CRISIS_MEMORY
    if outcome.checked_in:
        return None
    return before - 1 if before is not None and before > 1 else None
