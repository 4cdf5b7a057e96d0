"""What goes under or after an answer: the button back to where the user was, the jump to the walkthrough step an
answer is about, 👍 / 👎, the opening words for customer service, and the pointer back to a card just shown."""

from __future__ import annotations

from dataclasses import replace

from bot.core import actions, dialogue, planchat
from bot.core.i18n import Lang
from bot.core.knowledge import Entry, EntryKind
from bot.core.replies import Choice, Reply
from bot.engine.knowledge import Knowledge
from bot.engine.saved_state import UserState


def again_pointer(entry: Entry, k: Knowledge, lang: Lang) -> Reply:
    """Instead of the same answer twice in a few messages: under its title, where it is, and a button to see it
    again (the 👍 / 👎 go under it as under the answer)."""
    title = entry.title_in(lang)
    again = Choice(k.kb.text("show_again_button", lang), actions.ShowEntry(entry.id).pack())
    guide = Choice(k.kb.text("guide_button", lang), actions.StartGuide().pack())
    return Reply(k.kb.text("already_shown", lang), (again, guide), title=title)


def with_votes(replies: list[Reply], entry: Entry | None, k: Knowledge, lang: Lang) -> list[Reply]:
    """👍 / 👎 under an answer (the reply with the entry's title)."""
    if entry is None or entry.kind is EntryKind.OFFTOPIC:
        return replies
    votes = (Choice(k.kb.text("feedback_up", lang), actions.Vote("+", entry.id).pack()),
             Choice(k.kb.text("feedback_down", lang), actions.Vote("-", entry.id).pack()))  # fmt: skip
    title = entry.title_in(lang)  # the answer itself, not a card shown before it (the scam warning)
    return [replace(r, choices=(*r.choices, *votes)) if r.title == title else r for r in replies]


def with_continue(replies: list[Reply], state: UserState, k: Knowledge, lang: Lang) -> list[Reply]:
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


def with_jump(replies: list[Reply], entry_id: str, state: UserState, k: Knowledge, lang: Lang) -> list[Reply]:
    """An answer about a walkthrough step offers to go to that step."""
    target = dialogue.step_for_entry(entry_id)
    if target is None or not replies or (state.progress is not None and state.progress.step is target):
        return replies
    last = replies[-1]
    jump = dialogue.goto_choice(target, k.walkthrough, lang)
    return [*replies[:-1], replace(last, choices=(*last.choices, jump))]


def with_script(replies: list[Reply], entry_id: str, state: UserState, k: Knowledge, lang: Lang) -> list[Reply]:
    """The answer about what to say to customer service, then the opening words with the user's own answers."""
    filled = dialogue.script_reply(state.progress, entry_id, k.walkthrough, lang)
    return replies if filled is None else [*replies, filled]
