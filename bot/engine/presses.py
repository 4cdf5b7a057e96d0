"""What a button press decides, once its action is unpacked and is not a tool's (bot.tools has those)."""

from __future__ import annotations

from dataclasses import replace

from bot.core import actions, dialogue, planchat
from bot.core.advisor import Conversation
from bot.core.replies import Reply
from bot.engine import extras, steps
from bot.engine.commands import forget_press, language_set
from bot.engine.decision import Decision
from bot.engine.events import Incoming
from bot.engine.knowledge import Knowledge
from bot.engine.language_choice import parse_lang
from bot.engine.saved_state import UserState, plan_prefill


def press(
    action: actions.Action, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation
) -> Decision:
    """The walkthrough's, the calculation's, the language and /forget buttons, and the advisor's own (topics)."""
    lang = conversation.lang
    match action:
        case actions.StartGuide():
            return steps.walk(state, dialogue.Start(), k, lang)
        case actions.Walk() if k.plan is not None and dialogue.asks_calculator(action, state.progress):
            # the monthly step's calculator: a fresh calculation, the amount owed from the walkthrough
            start = planchat.Start(*plan_prefill(state))
            return steps.plan(replace(state, plan=None), start, k.plan, lang, k.walkthrough)
        case actions.Walk():
            decision = steps.walk(state, dialogue.Press(action), k, lang)
            if not action.edits_in_place or not decision.replies:
                return decision
            first, *rest = decision.replies  # the step's own message changes, rather than a new one
            return replace(decision, replies=[replace(first, edit=True), *rest])
        case actions.PlanPress() if k.plan is not None:
            return steps.plan(state, planchat.Press(action), k.plan, lang, k.walkthrough)
        case actions.PickLanguage(code) if (chosen := parse_lang(code)) is not None:
            return language_set(event, state, k, chosen)
        case actions.Forget(verb):
            return forget_press(verb, state, k, lang)
    outcome = k.advisor.press(conversation, action)
    if outcome is not None:
        replies = extras.with_continue(outcome.replies, state, k, lang)
        if isinstance(action, actions.ShowEntry):  # opened from a clarify or related-topic button, as if typed
            replies = extras.with_jump(replies, action.entry_id, state, k, lang)
            replies = extras.with_votes(replies, k.kb.entry(action.entry_id), k, lang)
            replies = extras.with_script(replies, action.entry_id, state, k, lang)
        return Decision(replies, state)
    return Decision([Reply(k.kb.text("menu_expired", lang)), *steps.where_am_i(state, k, lang)], state)
