"""What a typed message decides: an answer to the step or calculation in front of the user, the words that answer
"delete everything?", or a question for the advisor (with what goes under its answer, and the crisis memory)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace

from bot.core import actions, dialogue, planchat, progress, understand
from bot.core.advisor import ANSWERED_FREELY, SAFETY_PREFIX, Conversation, Outcome
from bot.core.i18n import Lang
from bot.core.knowledge import EntryKind
from bot.core.limits import MAX_MESSAGE_CHARS
from bot.core.matcher import MatchResult, Status
from bot.core.replies import Reply
from bot.core.safety import Concern, Screening
from bot.engine import care, extras, steps
from bot.engine.commands import forget_press
from bot.engine.decision import Decision, cared
from bot.engine.events import Incoming
from bot.engine.forms import typed_in_form
from bot.engine.knowledge import Knowledge
from bot.engine.memory import Memory
from bot.engine.recent_turns import CRISIS_MEMORY, REPEAT_WINDOW, RecentTurns
from bot.engine.saved_state import UserState
from bot.storage import Storage
from bot.tools import Tools

#: Messages longer than this are answered from their first part, and the user is told so (the one limit, limits.py).
LONG_MESSAGE = MAX_MESSAGE_CHARS
#: What a typed text needs to be taken as a question rather than the agreement terms being recorded.
_QUESTION_MARKERS = re.compile(
    r"[?？]|吗|怎么|如何|什么|能不能|可不可以|为什么|為什麼|嗎|怎麼|\b(how|what|can|should|why)\b"
)
#: How a matched question counts in /stats (a route — recognised, not covered — counts as a fallback).
_OUTCOMES = {Status.ANSWER: "answered", Status.CLARIFY: "clarified", Status.FALLBACK: "fallback"}


class TextHandler:
    """Typed messages of every user; counts outcomes for /stats and keeps what a 👎 and a repeat need in `memory`."""

    def __init__(
        self, storage: Storage, toolbox: Tools, memory: Memory, clock: Callable[[], float] = time.time
    ) -> None:
        self.storage = storage
        self.tools = toolbox
        self.memory = memory
        self.clock = clock

    async def forget_typed(
        self, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation
    ) -> Decision:
        """Text typed right after "delete everything?": yes deletes, no keeps, anything else is handled as ever
        with a line saying nothing was deleted (a crisis is answered first, and deletes nothing)."""
        lang = conversation.lang
        if k.advisor.screen(event.text).concern is not Concern.CRISIS:
            for verb, key in ((actions.ForgetVerb.NO, "forget_no"), (actions.ForgetVerb.YES, "forget_yes")):
                words = [
                    word
                    for said in (lang, Lang.ZH_HANS, Lang.EN)  # "yes" in a Chinese conversation too
                    for word in (k.kb.text(key, said), *k.kb.words(f"{key}_words", said))
                ]
                if understand.says_one_of(event.text, words, typos=False):  # deleting cannot be undone
                    return forget_press(verb, state, k, lang)
        typed = (
            await typed_in_form(self.tools, self.memory, event, state, k, conversation) if event.text.strip() else None
        )
        decision = typed or self.text(event, state, k, conversation)
        return replace(decision, replies=[*decision.replies, Reply(k.kb.text("forget_not_yet", lang))])

    def text(self, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation) -> Decision:
        """A typed message that is no tool's: the step's or the calculation's answer, or a question."""
        lang = conversation.lang
        text = event.text
        # The whole message is screened before anything else (even past LONG_MESSAGE); a reply to the step in front
        # of the user, with no crisis reply in mind, as one (`Screen`'s `answer`).
        answering = state.crisis is None and dialogue.understood(state.progress, text, k.walkthrough) is not None
        screening = k.advisor.screen(text, answer=answering, after_crisis=state.crisis is not None)
        answers_freely = screening.concern in ANSWERED_FREELY  # crisis or scam text is never an answer
        if k.plan is not None and answers_freely and planchat.reads_as_answer(state.plan, text):
            # one list of words, the guide's; an amount beside them is read ("不知道 可能一两千吧")
            unknown = understand.says_one_of(text, k.walkthrough.dont_know) and not planchat.gives_amount(text)
            answer = planchat.Unknown() if unknown else planchat.Typed(text)
            return cared(steps.plan(state, answer, k.plan, lang, k.walkthrough), screening, k, conversation)
        # A text that names one of the step's options answers the step even where the scam screen hears something in
        # it ("my company cut my salary" at the cause step); only a crisis always comes first.
        names = screening.concern is Concern.SCAM and dialogue.names_any_option(state.progress, text, k.walkthrough)
        # Agreed terms ("客服说每月还2800 分12期 利息照算") are the terms step's answer even where a question word or
        # the scam screen ("客服说") hears something in them; only a crisis comes first.
        terms = screening.concern is not Concern.CRISIS and dialogue.carries_terms(state.progress, text, k.walkthrough)
        if (
            (answers_freely or names or terms)
            and dialogue.reads_as_answer(state.progress, text, k.walkthrough)
            and (terms or not _reads_as_question(text, state.progress))
        ):
            return cared(steps.walk(state, dialogue.TypedText(text), k, lang), screening, k, conversation)
        if k.plan is not None and answers_freely and planchat.left_open(state.plan) and planchat.reads_as_amount(text):
            # "5万" after /log or /guide took over: nothing asks for it now; it may be meant for /plan, so ask
            return cared(Decision([planchat.left_open_prompt(k.plan, lang)], state), screening, k, conversation)
        notice: list[Reply] = []
        if len(text) > LONG_MESSAGE and screening.concern is not Concern.CRISIS:
            notice = [Reply(k.kb.text("too_long_notice", lang))]
            text = text[:LONG_MESSAGE]
        recent = self.memory.turns(event.user_id)
        recent.begin(event.update_id)
        now = self.clock()
        faint = screening.concern is Concern.CRISIS_SOFT
        meant = k.advisor.says(text, "meant_ordinary_words")
        screening = _soon_after_another(state.care, now, screening, meant=meant)
        before, plan_before, care_before = state.crisis, state.plan, state.care
        after_care = care.after_care(care_before, now)
        conversation = replace(conversation, after_crisis=bool(before), after_care=after_care)
        outcome = _ask(k, recent, conversation, text, screening)
        cared_now = care.after_message(care_before, now, soft=faint, cared=outcome.cared)
        state = replace(state, crisis=_crisis_left(before, outcome), care=cared_now)
        if outcome.safety is Concern.CRISIS:  # an open /plan question waits: the next number is not taken as its answer
            state = replace(state, plan=planchat.paused(state.plan))
        back = _back_to_the_question(outcome, state, event.text, k, lang)
        if back is not None:
            return back
        shown_now = _unless_just_shown(recent, outcome, k, lang)
        match = outcome.match
        replies = [*notice, *extras.with_continue(shown_now, state, k, lang)]
        if match is not None and match.status is Status.ANSWER and match.entry is not None:
            replies = extras.with_jump(replies, match.entry.id, state, k, lang)
        if match is not None and match.normalized:
            replies = self._counted(event.user_id, text, match, replies, k, lang)
        if match is not None and match.status is Status.ANSWER and match.entry is not None:
            replies = extras.with_script(replies, match.entry.id, state, k, lang)
        # A bare number ("5") is a button the user meant, not a question the knowledge base lacks.
        logged = outcome.unanswered and understand.button_number(text) is None
        changed = state.crisis != before or state.plan != plan_before or state.care != care_before
        return Decision(replies, state, save=changed, unanswered=match if logged else None)

    def _counted(
        self, user_id: int, text: str, match: MatchResult, replies: list[Reply], k: Knowledge, lang: Lang
    ) -> list[Reply]:
        """Count the match's outcome for /stats; a shown topic gets vote buttons and is kept for a 👎."""
        self.storage.count_outcome(_OUTCOMES[match.status])
        shown = match.entry if match.status is Status.ANSWER else match.route
        if shown is None or shown.kind is EntryKind.OFFTOPIC:
            return replies
        self.memory.note_asked(user_id, shown.id, text)  # for a 👎: the question it answered
        return extras.with_votes(replies, shown, k, lang)


def _unless_just_shown(recent: RecentTurns, outcome: Outcome, k: Knowledge, lang: Lang) -> list[Reply]:
    """The outcome's replies, or a pointer back to the same card shown a moment ago; notes crises and cards."""
    match = outcome.match
    if outcome.safety is None and match is not None and match.status is Status.ANSWER and match.entry:
        seen = f"{k.kb.version}:{match.entry.id}"  # after a reload the answer may read differently: in full
        again = recent.repeated(seen)
        recent.shown = {key: turn for key, turn in recent.shown.items() if recent.turn - turn <= REPEAT_WINDOW}
        recent.shown[seen] = recent.turn
        if again:  # the same card a moment ago: point back to it
            return [extras.again_pointer(match.entry, k, lang)]
    return outcome.replies


def _ask(k: Knowledge, recent: RecentTurns, conversation: Conversation, text: str, screening: Screening) -> Outcome:
    """The advisor's outcome for a question, with the scam card remembered: right after it, "打哪个电话" asks which
    number to trust."""
    outcome = k.advisor.ask(replace(conversation, after_scam=recent.after_scam()), text, screening)
    match = outcome.match
    shown = match.entry if match is not None and match.status is Status.ANSWER else None
    if outcome.safety is Concern.SCAM or (shown is not None and shown.id.startswith(SAFETY_PREFIX)):
        recent.scam_turn = recent.turn
    return outcome


def _soon_after_another(earlier: care.Care | None, now: float, screening: Screening, *, meant: bool) -> Screening:
    """A soft crisis hit soon after another is the full crisis reply: two faint signals close together
    ("跟家人道过别了", then "好想解脱") are one clear one, and care comes before anything else — unless the second
    says the user meant something ordinary (`meant`, "我只是想设个还款提醒": it clears the first up)."""
    if meant or screening.concern is not Concern.CRISIS_SOFT or not care.soft_again(earlier, now):
        return screening
    return replace(screening, concern=Concern.CRISIS, rule=f"{screening.rule}, soon after another soft hit")


def _reads_as_question(text: str, walk: progress.Progress | None) -> bool:
    """At the agreement-terms step any text could be terms; a question mark or word makes it a side question."""
    return walk is not None and walk.step is dialogue.Step.TERMS and bool(_QUESTION_MARKERS.search(text.casefold()))


def _back_to_the_step(outcome: Outcome, walk: progress.Progress | None, text: str, k: Knowledge) -> bool:
    """Whether text the knowledge base did not answer belongs to the walkthrough step in front of the user instead:
    "嗯 好的" at a checklist (how it works, and it again), or a number tried at a step asking for one ("去年10月开始的"
    at the days step: the step asks again with an example, never a menu of topics or "I can't answer that")."""
    if outcome.unanswered and dialogue.at_checklist(walk):
        return True
    match = outcome.match
    not_answered = outcome.safety is None and (
        match is None or (match.status is not Status.ANSWER and match.route is None)
    )
    return not_answered and dialogue.tries_number(walk, text, k.walkthrough)


def _back_to_the_question(outcome: Outcome, state: UserState, text: str, k: Knowledge, lang: Lang) -> Decision | None:
    """The walkthrough step or the /plan question in front of the user again, for text the knowledge base did not
    answer (see `_back_to_the_step`); None when the outcome stands."""
    if _back_to_the_step(outcome, state.progress, text, k):
        return steps.walk(state, dialogue.TypedText(text), k, lang)
    if k.plan is not None and _not_taken_by_the_plan(outcome, state):
        # an open /plan question waits: say nothing was taken and ask it again, never a menu of topics (the user's
        # next number would otherwise land one question early)
        return steps.plan(state, planchat.Unread(), k.plan, lang, k.walkthrough)
    return None


def _not_taken_by_the_plan(outcome: Outcome, state: UserState) -> bool:
    """Whether text the knowledge base did not answer was typed while a /plan question waits for its amount."""
    match = outcome.match
    not_answered = outcome.safety is None and (
        match is None or (match.status is not Status.ANSWER and match.route is None)
    )
    return not_answered and planchat.asking(state.plan)


def _crisis_left(before: int | None, outcome: Outcome) -> int | None:
    """How many more typed messages are answered with the crisis reply in mind: all of CRISIS_MEMORY right after it,
    one fewer after each other answer, as many as before after words that play the feeling down ("没事", "算了 就是累":
    no sign the user is better), None when none are left or the user was just checked in on (after "谢谢" or "好" the
    check-in is not said again; a new disclosure gets the crisis reply as ever) or said the crisis reply was a
    mistake ("我只是想设个还款提醒")."""
    if outcome.safety is Concern.CRISIS:
        return CRISIS_MEMORY
    if outcome.checked_in:
        return None
    if outcome.minimised:  # "没事", "算了 就是累": no sign the user is better; the follow-ups go on
        return before
    return before - 1 if before is not None and before > 1 else None
