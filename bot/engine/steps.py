"""Moving the user's walkthrough (bot.core.dialogue) and /plan calculation (bot.core.planchat) on by one event,
and the prompt in front of the user when they ask where they are."""

from __future__ import annotations

from dataclasses import replace

from bot.core import actions, dialogue, planchat, progress
from bot.core.advisor import Conversation
from bot.core.flow import AGREED
from bot.core.i18n import Lang
from bot.core.plantexts import PlanTexts
from bot.core.replies import Choice, Reply
from bot.core.walkthrough import Walkthrough
from bot.engine.decision import Decision
from bot.engine.knowledge import Knowledge
from bot.engine.saved_state import UserState


def walk(state: UserState, event: dialogue.Event, k: Knowledge, lang: Lang) -> Decision:
    """The walkthrough's answer to `event`; the reminder offer once the terms are agreed, a monthly amount checked."""
    replies, new_progress = dialogue.handle(state.progress, event, k.walkthrough, lang)
    before = state.progress
    if _opens_after_care(before, new_progress, event):  # offer reminders for the due days, and the diary
        offer = (Choice(k.kb.text("reminder_add_button", lang), actions.Reminder("add").pack()),
                 Choice(k.kb.text("diary_new_button", lang), actions.Diary("new").pack()))  # fmt: skip
        replies = [*replies, Reply(k.kb.text("reminder_offer", lang), offer)]
    warning = _monthly_warning(before, new_progress, state, k, lang)
    if warning is not None:  # before the next screen, which has the button back to the amount
        replies = [*replies[:-1], warning, replies[-1]]
    # The walkthrough takes typed answers now; an open /plan question waits for /plan or its buttons.
    return Decision(replies, replace(state, progress=new_progress, plan=planchat.paused(state.plan)), save=True)


def _opens_after_care(
    before: progress.Progress | None, after: progress.Progress | None, event: dialogue.Event
) -> bool:
    """Whether the first after-care screen is opened now, with agreed terms noted: just typed, or shown again by
    /resume, back or a jump. The offer of reminders goes with that screen each time it opens, not only the turn the
    terms were typed (a user who came back with /resume found the screen without it)."""
    if after is None or after.paused or after.step is not dialogue.Step.REPAY:
        return False
    if after.result != AGREED or not after.terms:
        return False
    return before is None or before.step is not dialogue.Step.REPAY or isinstance(event, dialogue.Resume)


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


def plan(
    state: UserState, event: planchat.Event, texts: PlanTexts, lang: Lang, walkthrough: Walkthrough | None = None
) -> Decision:
    """The /plan calculation's answer to `event`; finished at the walkthrough's monthly step, the way back there."""
    replies, new_plan = planchat.step(state.plan, event, texts, lang)
    if walkthrough is not None and new_plan is not None and planchat.just_finished(state.plan, new_plan) and replies:
        # worked out at the walkthrough's monthly step: one tap takes the amount back there, or just go back
        amount = planchat.suggested_monthly(new_plan.inputs)
        offer = [
            dialogue.use_amount_choice(state.progress, amount, walkthrough, lang) if amount is not None else None,
            dialogue.continue_choice(state.progress, walkthrough, lang),
        ]
        added = tuple(choice for choice in offer if choice is not None)
        last = replies[-1]
        replies = [*replies[:-1], replace(last, choices=(*added, *last.choices))]
    return Decision(replies, replace(state, plan=new_plan), save=True)


def where_am_i(state: UserState, k: Knowledge, lang: Lang) -> list[Reply]:
    """The question in front of the user: the calculation's, the walkthrough's, or the help."""
    if state.plan is not None and planchat.asking(state.plan) and k.plan is not None:
        return planchat.current_prompt(state.plan, k.plan, lang)
    if state.progress is not None:
        return dialogue.current_prompt(state.progress, k.walkthrough, lang)
    return k.advisor.help(Conversation(lang=lang))
