"""What the /plan calculation shows while it asks: the open question with its buttons, the prompt when a question
waits elsewhere, the button back to it; and how an amount is written (`money`)."""

from __future__ import annotations

from typing import Final

from bot.core.actions import PlanPress, PlanVerb
from bot.core.i18n import Lang
from bot.core.plan import Field
from bot.core.planqueries import asking
from bot.core.planstate import PlanState
from bot.core.plantexts import PlanTexts
from bot.core.replies import Choice, Reply

#: Questions whose answer may already be known (from the walkthrough or the last plan), offered with a "keep" button.
_KEEPABLE: Final = frozenset({Field.OWED, Field.PROPOSAL})


def question(state: PlanState, texts: PlanTexts, lang: Lang, *, lead: str = "") -> Reply:
    """The open question, after `lead` if any, with its buttons: keep a known amount, skip, stop."""
    assert state.asking is not None
    open_field = state.asking
    known = state.inputs.get(open_field)
    choices: list[Choice] = []
    if open_field in _KEEPABLE and known is not None:
        text = texts.say(f"questions.{open_field.value}_known", lang, amount=money(known))
        keep = PlanPress(PlanVerb.KEEP, open_field.value).pack()
        choices.append(Choice(texts.say("buttons.keep", lang, amount=money(known)), keep))
    else:
        text = texts.say(f"questions.{open_field.value}", lang)
    choices += [
        Choice(texts.say("buttons.skip", lang), PlanPress(PlanVerb.SKIP, open_field.value).pack()),
        Choice(texts.say("buttons.stop", lang), PlanPress(PlanVerb.STOP).pack()),
    ]
    return Reply(f"{lead}\n\n{text}" if lead else text, tuple(choices))


def money(yuan: int) -> str:
    """Whole yuan as the replies write them (12,000)."""
    return f"{yuan:,}"


def left_open_prompt(texts: PlanTexts, lang: Lang) -> Reply:
    """To an amount typed while the calculation waits elsewhere: it is not taken; back to the question, or stop."""
    back = Choice(texts.say("buttons.continue", lang), PlanPress(PlanVerb.RESUME).pack())
    stop = Choice(texts.say("buttons.stop", lang), PlanPress(PlanVerb.STOP).pack())
    return Reply(texts.say("messages.left_open", lang), (back, stop))


def current_prompt(state: PlanState, texts: PlanTexts, lang: Lang) -> list[Reply]:
    """The open question again (after a redelivered update, or when asked where the user is)."""
    if state.asking is None:
        return [Reply(texts.say("messages.not_started", lang))]
    return [question(state, texts, lang)]


def continue_choice(state: PlanState | None, texts: PlanTexts, lang: Lang) -> Choice | None:
    """Under a side answer mid-calculation, a button back to the open question."""
    if not asking(state):
        return None
    return Choice(texts.say("buttons.continue", lang), PlanPress(PlanVerb.RESUME).pack())
