"""The negotiation walkthrough's public API: `handle(progress, event, walkthrough, lang) -> (replies, progress)`.

The walkthrough follows a real negotiation — prepare, contact Alipay now with an opening script, note how it went,
then after-care or what to try next. The screens and the moves between them are the table in `flow.py` (drawn in
dialogue.mmd) and applied by `moves.py`, the saved answers are `progress.Progress`, what each screen shows is
`screens.py`, and what the rest of the bot asks without moving the walkthrough (re-exported here) is
`dialogue_queries.py`. `handle` routes each event: commands and buttons to `dialogue_turns.py`, typed text to
`dialogue_typed.py` (answers recorded by `dialogue_answers.py`). Nothing here does I/O, and nothing raises on bad
input: a stale or forged action is answered politely and changes nothing.

Button actions are `actions.Walk` values (bot/core/actions.py packs and reads them); their tokens start with ``w:``
and stay under 40 ASCII bytes:

    w:start | w:resume | w:restart | w:goto:<step>         valid from anywhere, even outside the walkthrough
    w:cancel                                               leave it, the answers cleared (/cancel asks first)
    w:next:<step> | w:back:<step> | w:skip:<step> | w:pause:<step>
                                                           navigation; bare w:next … applies to the current step
    w:o:<step>:<option>                                    answer a one-choice or number step
    w:t:<step>:<item>                                      tick / untick an item of a checklist step
    w:n:<step>:<number>                                    confirm a typed number that looked implausibly small
    w:calc:monthly                                         work the monthly amount out with /plan (the engine
                                                           starts the calculator; `asks_calculator`)
    w:use:monthly:<number>                                 under a /plan result: take its amount (as w:n, but
                                                           pressed on another message, which stays as it is);
                                                           past the monthly step it replaces the amount given there

An action naming another step than the current one is stale (from an old message).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core import progress as answers
from bot.core.actions import Walk
from bot.core.dialogue_answers import SMALL_AMOUNT
from bot.core.dialogue_queries import (
    asks_calculator,
    at_checklist,
    carries_terms,
    continue_choice,
    current_prompt,
    goto_choice,
    names_any_option,
    names_button,
    names_option,
    reads_as_answer,
    script_reply,
    step_for_entry,
    tries_number,
    understood,
    use_amount_choice,
    wants_number,
    wants_text,
)
from bot.core.dialogue_turns import Turn, cancel, goto, not_understood, press, resume, start
from bot.core.dialogue_typed import typed
from bot.core.flow import Step
from bot.core.i18n import Lang
from bot.core.progress import MAX_TERMS, Progress, from_saved
from bot.core.walkthrough import Walkthrough

# --- Events ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """/guide: start, or offer to resume or restart when the user is mid-way."""


@dataclass(frozen=True)
class Resume:
    """/resume, or the "continue" button under a side answer: unpause and show the current step."""


@dataclass(frozen=True)
class Cancel:
    """/cancel: leave the walkthrough, its progress cleared — asked first when anything was answered (the answers
    would be lost), and done by the w:cancel button."""


@dataclass(frozen=True)
class Press:
    """A walkthrough button came back: the typed action, or its token as the button carried it (read here)."""

    action: Walk | str


@dataclass(frozen=True)
class TypedText:
    """Text the user typed while `wants_text(progress)` is true."""

    text: str


@dataclass(frozen=True)
class Goto:
    """Jump to a step (a knowledge answer offered it)."""

    target: Step


Event = Start | Resume | Cancel | Press | TypedText | Goto

# --- The public API --------------------------------------------------------------------------------------------


def handle(progress: Progress | None, event: Event, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """Handle one event; `progress` None means the user is not in the walkthrough. Pure: never raises on bad input."""
    asked, leaving = None, False
    if progress is not None:
        # The question about a small amount, and "leave and clear your answers?", are open for the very next message
        # only.
        asked, leaving = progress.asked, progress.leaving
        progress = replace(answers.fit(progress, walkthrough), asked=None, leaving=False)
    match event:
        case Start():
            return start(progress, walkthrough, lang)
        case Resume():
            return resume(progress, walkthrough, lang, returning=True)
        case Cancel():
            return cancel(progress, walkthrough, lang)
        case Goto(target=target):
            return goto(progress, target, walkthrough, lang)
        case Press(action=action):
            return press(progress, action, walkthrough, lang)
        case TypedText(text=text):
            return typed(progress, text, walkthrough, lang, asked, leaving=leaving)
    return not_understood(progress, "messages.stale", walkthrough, lang)


__all__ = [
    "MAX_TERMS",
    "SMALL_AMOUNT",
    "Cancel",
    "Event",
    "Goto",
    "Press",
    "Progress",
    "Resume",
    "Start",
    "Step",
    "Turn",
    "TypedText",
    "asks_calculator",
    "at_checklist",
    "carries_terms",
    "continue_choice",
    "current_prompt",
    "from_saved",
    "goto_choice",
    "handle",
    "names_any_option",
    "names_button",
    "names_option",
    "reads_as_answer",
    "script_reply",
    "step_for_entry",
    "tries_number",
    "understood",
    "use_amount_choice",
    "wants_number",
    "wants_text",
]
