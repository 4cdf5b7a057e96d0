"""The engine's side of the tools (bot.tools: reminders, the diary, feedback): what a tool is told of an event, and
text typed where a tool's form waits for it."""

from __future__ import annotations

from dataclasses import replace

from bot import tools
from bot.core import actions, planchat, screens
from bot.core.advisor import Conversation
from bot.core.i18n import Lang
from bot.core.safety import Concern
from bot.engine.decision import Decision, cared
from bot.engine.events import Incoming
from bot.engine.knowledge import Knowledge
from bot.engine.memory import Memory
from bot.engine.recent_turns import CRISIS_MEMORY
from bot.engine.saved_state import UserState


def tool_context(event: Incoming, state: UserState, k: Knowledge, lang: Lang, memory: Memory) -> tools.Context:
    """The tools' view of one event; an export gets the latest /plan result the user was shown and the facts the
    walkthrough recorded."""
    plan = None
    exporting = event.command == "export" or event.action == actions.Diary("export").pack()
    shown = state.plan.result if state.plan is not None else None
    if exporting and k.plan is not None and shown is not None:
        plan = planchat.result_reply(shown, k.plan, lang)  # the latest result the user was shown, with its chart
    walk = state.progress
    facts = tuple(screens.facts(walk, k.walkthrough, lang)) if exporting and walk is not None else ()
    return tools.Context(event.user_id, k.kb, lang, walk, memory.asked(event.user_id), plan, facts)


async def typed_in_form(
    toolbox: tools.Tools, memory: Memory, event: Incoming, state: UserState, k: Knowledge, conversation: Conversation
) -> Decision | None:
    """Text typed where a tool waits for it (a form); None when no form waits, or for a crisis (answered as one)."""
    if state.form is None:
        return None
    # the crisis reply a few messages ago: the means alone ("药都买好了") typed into a form are an urgent crisis too
    screening = k.advisor.screen(event.text, after_crisis=state.crisis is not None)
    note = state.form.is_note
    if screening.concern is Concern.CRISIS and not note:
        return None
    context = tool_context(event, state, k, conversation.lang, memory)
    result = await toolbox.typed(context, event.text, state.form)
    decision = Decision(result.replies, replace(state, form=result.form), save=result.changed)
    if screening.concern is not Concern.CRISIS:
        return cared(decision, screening, k, conversation)
    # A 👎's note is kept whatever the screen hears (first-user trial: "我就想知道我的利率 你都不告诉我" got the
    # crisis reply and was lost). The model alone: the note's thanks and the caring line; a phrase: care comes first.
    if screening.learned:
        return replace(decision, replies=[*decision.replies, k.advisor.soft_line(conversation)])
    crisis = k.advisor.ask(replace(conversation, after_crisis=state.crisis is not None), event.text, screening)
    after = replace(decision.state, crisis=CRISIS_MEMORY, plan=planchat.paused(decision.state.plan))
    return replace(decision, replies=[*crisis.replies, *decision.replies], state=after, save=True)
