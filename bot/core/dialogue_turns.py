"""The walkthrough's turns for commands and buttons: /guide, /resume, /cancel, a jump to a step, and a pressed button
(one valid from anywhere, a /plan amount taken, or a move at the current step applied by `moves.transition`). Also
`not_understood`, the polite answer to anything stale or unread. Pure; `dialogue.handle` routes events here."""

from __future__ import annotations

from dataclasses import replace

from bot.core import progress as answers
from bot.core import screens
from bot.core.actions import Walk, WalkVerb
from bot.core.dialogue_queries import (
    awaits_result,
    current_prompt,
    past_monthly,
)
from bot.core.flow import SCREEN, Step, path, previous
from bot.core.i18n import Lang
from bot.core.moves import (
    Confirm,
    Nav,
    parse_move,
    transition,
    walk_of,
)
from bot.core.progress import Progress
from bot.core.replies import Choice, Reply
from bot.core.walkthrough import Walkthrough

#: What handling one event gives: the replies, and the progress to save (None: not in the walkthrough).
Turn = tuple[list[Reply], Progress | None]


def cancel(progress: Progress | None, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """/cancel: leave, the answers cleared — asked first when anything was answered."""
    if progress is not None and _answered_any(progress):
        leave = Choice(walkthrough.say("buttons.cancel", lang), Walk(WalkVerb.CANCEL).pack())
        stay = Choice(walkthrough.say("buttons.resume", lang), Walk(WalkVerb.RESUME).pack())
        return [screens.say("messages.cancel_confirm", walkthrough, lang, leave, stay)], replace(progress, leaving=True)
    return [screens.say("messages.cancelled", walkthrough, lang)], None


def _answered_any(progress: Progress) -> bool:
    """Whether the user has answered anything that leaving would clear."""
    return replace(progress, step=Progress().step, paused=False, asked=None, leaving=False) != Progress()


def start(progress: Progress | None, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """/guide: a fresh start, or the offer to resume or restart when the user is mid-way."""
    if progress is None or replace(progress, paused=False) == Progress():
        fresh = Progress()
        return [screens.say("messages.welcome", walkthrough, lang), screens.prompt(fresh, walkthrough, lang)], fresh
    resume = Choice(walkthrough.say("buttons.resume", lang), Walk(WalkVerb.RESUME).pack())
    restart = Choice(walkthrough.say("buttons.restart", lang), Walk(WalkVerb.RESTART).pack())
    if progress.step is Step.DONE:
        return [screens.say("messages.finished_before", walkthrough, lang, resume, restart)], progress
    where = screens.progress_line(progress, walkthrough, lang)
    return [Reply(walkthrough.say("messages.resume_or_restart", lang, where=where), (resume, restart))], progress


def resume(progress: Progress | None, walkthrough: Walkthrough, lang: Lang, *, returning: bool = False) -> Turn:
    """/resume: unpause and show the current step. `returning` (the command, or "我回来了" typed) past the result
    question without an agreement asks for the result: the waiting and refused screens and the summary tell the
    user to send /resume once they have one. After a pause the paused screen is shown, as anywhere else."""
    if progress is None:
        return current_prompt(None, walkthrough, lang), None
    if returning and awaits_result(progress):  # not after a pause there: the user comes back to where they paused
        progress = replace(progress, step=Step.RESULT)
    progress = replace(progress, paused=False)
    return [screens.prompt(progress, walkthrough, lang)], progress


def goto(progress: Progress | None, target: Step, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """Jump to a step; one off the path the result answers make goes to the question before it."""
    progress = progress or Progress()
    if target not in path(progress.result):
        target = previous(target, progress.result)  # e.g. the terms before an agreement: the result question
    progress = replace(progress, step=target, paused=False)
    return [screens.prompt(progress, walkthrough, lang)], progress


def press(progress: Progress | None, action: Walk | str, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """A walkthrough button: one valid from anywhere, a /plan amount taken, or a move at the current step."""
    walk = walk_of(action)
    match walk:
        case Walk(WalkVerb.START):
            return start(progress, walkthrough, lang)
        case Walk(WalkVerb.RESUME):
            return resume(progress, walkthrough, lang)
        case Walk(WalkVerb.RESTART):
            fresh = Progress()
            restarted = screens.say("messages.restarted", walkthrough, lang)
            return [restarted, screens.prompt(fresh, walkthrough, lang)], fresh
        case Walk(WalkVerb.GOTO, target) if target in SCREEN:
            return goto(progress, Step(target), walkthrough, lang)
        case Walk(WalkVerb.CANCEL):
            return [screens.say("messages.cancelled", walkthrough, lang)], None
    if progress is None:
        return current_prompt(None, walkthrough, lang), None
    match walk:
        case Walk(WalkVerb.USE, Step.MONTHLY.value) if past_monthly(progress) and walk.number is not None:
            # a /plan result worked out after the monthly step: the amount the user finally chose replaces it
            updated = answers.with_number(progress, Step.MONTHLY, None, walk.number)
            value = screens.number_answer(updated, Step.MONTHLY, walkthrough, lang)
            replaced = Reply(walkthrough.say("messages.noted", lang, value=value))
            return [replaced, screens.prompt(updated, walkthrough, lang)], updated
    return navigate(progress, action, walkthrough, lang)


def navigate(progress: Progress, action: Walk | str, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """A button that picks an option or moves (next, back, skip, pause, confirm a number) at the current step."""
    move = parse_move(action, progress.step)
    new = transition(progress, move, walkthrough) if move is not None else None
    if new is None:
        return not_understood(progress, "messages.stale", walkthrough, lang)
    if move is Nav.PAUSE:
        return [screens.say("messages.paused", walkthrough, lang)], new
    new = replace(new, paused=False)
    replies = [screens.prompt(new, walkthrough, lang)]
    if move is Nav.BACK and new.step is progress.step:
        replies.insert(0, screens.say("messages.first_step", walkthrough, lang))
    if isinstance(move, Confirm):
        noted = screens.number_answer(new, progress.step, walkthrough, lang)
        replies.insert(0, Reply(walkthrough.say("messages.noted", lang, value=noted)))
    return replies, new


def not_understood(progress: Progress | None, key: str, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """What is said under `key`, then the current step again; nothing changes."""
    if progress is None:
        return current_prompt(None, walkthrough, lang), None
    return [screens.say(key, walkthrough, lang), screens.prompt(progress, walkthrough, lang)], progress
