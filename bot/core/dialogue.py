"""The negotiation walkthrough's public API: `handle(progress, event, walkthrough, lang) -> (replies, progress)`.

The walkthrough follows a real negotiation — prepare, contact Alipay now with an opening script, note how it went,
then after-care or what to try next. The screens and the moves between them are the table in `flow.py` (drawn in
dialogue.mmd) and applied by `moves.py`, the saved answers are `progress.Progress`, what each screen shows is
`screens.py`, and what the rest of the bot asks without moving the walkthrough (re-exported here) is
`dialogue_queries.py`. Nothing here does I/O, and nothing raises on bad input: a stale or forged action is answered
politely and changes nothing.

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

import re
from dataclasses import dataclass, replace
from typing import Final

from bot.core import progress as answers
from bot.core import screens
from bot.core.actions import Walk, WalkVerb
from bot.core.dialogue_queries import (
    UNITS,
    Correction,
    asks_calculator,
    at_checklist,
    bad_month_unread,
    carries_terms,
    confirms,
    continue_choice,
    correction,
    current_prompt,
    foreign_amount,
    goto_choice,
    income_at_amount,
    mixed_result,
    names_any_option,
    names_button,
    names_option,
    past_monthly,
    reads_as_answer,
    said_move,
    script_reply,
    step_for_entry,
    tries_number,
    understood,
    use_amount_choice,
    wants_number,
    wants_text,
)
from bot.core.flow import SCREEN, Interaction, Step, following, path, previous
from bot.core.i18n import Lang
from bot.core.moves import (
    Confirm,
    Nav,
    Pick,
    moved_to,
    option_ids,
    parse_move,
    transition,
    walk_of,
    with_number,
)
from bot.core.numbers import Unit, is_bare_digits
from bot.core.progress import MAX_TERMS, Progress, from_saved
from bot.core.replies import Choice, Reply
from bot.core.understand import Number, OffMenu, Picked, Ticked, Understood, Unsure, says_one_of
from bot.core.walkthrough import UNKNOWN_MONTHLY, Walkthrough

#: A bare number below this many yuan is asked about before it is recorded: in the terminal "3" may mean button 3.
SMALL_AMOUNT: Final = 100


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
#: What handling one event gives: the replies, and the progress to save (None: not in the walkthrough).
Turn = tuple[list[Reply], Progress | None]


# --- The public API --------------------------------------------------------------------------------------------


def handle(progress: Progress | None, event: Event, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """Handle one event; `progress` None means the user is not in the walkthrough. Pure: never raises on bad input."""
    asked = None
    if progress is not None:
        # The question about a small amount is open for the very next message only.
        asked, progress = progress.asked, replace(answers.fit(progress, walkthrough), asked=None)
    match event:
        case Start():
            return _start(progress, walkthrough, lang)
        case Resume():
            return _resume(progress, walkthrough, lang)
        case Cancel():
            return _cancel(progress, walkthrough, lang)
        case Goto(target=target):
            return _goto(progress, target, walkthrough, lang)
        case Press(action=action):
            return _press(progress, action, walkthrough, lang)
        case TypedText(text=text):
            return _typed(progress, text, walkthrough, lang, asked)
    return _not_understood(progress, "messages.stale", walkthrough, lang)


def _cancel(progress: Progress | None, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """/cancel: leave, the answers cleared — asked first when anything was answered."""
    if progress is not None and _answered_any(progress):
        leave = Choice(walkthrough.say("buttons.cancel", lang), Walk(WalkVerb.CANCEL).pack())
        stay = Choice(walkthrough.say("buttons.resume", lang), Walk(WalkVerb.RESUME).pack())
        return [screens.say("messages.cancel_confirm", walkthrough, lang, leave, stay)], progress
    return [screens.say("messages.cancelled", walkthrough, lang)], None


def _answered_any(progress: Progress) -> bool:
    """Whether the user has answered anything that leaving would clear."""
    return replace(progress, step=Progress().step, paused=False, asked=None) != Progress()


def _start(progress: Progress | None, walkthrough: Walkthrough, lang: Lang) -> Turn:
    if progress is None or replace(progress, paused=False) == Progress():
        fresh = Progress()
        return [screens.say("messages.welcome", walkthrough, lang), screens.prompt(fresh, walkthrough, lang)], fresh
    resume = Choice(walkthrough.say("buttons.resume", lang), Walk(WalkVerb.RESUME).pack())
    restart = Choice(walkthrough.say("buttons.restart", lang), Walk(WalkVerb.RESTART).pack())
    if progress.step is Step.DONE:
        return [screens.say("messages.finished_before", walkthrough, lang, resume, restart)], progress
    where = screens.progress_line(progress, walkthrough, lang)
    return [Reply(walkthrough.say("messages.resume_or_restart", lang, where=where), (resume, restart))], progress


def _resume(progress: Progress | None, walkthrough: Walkthrough, lang: Lang) -> Turn:
    if progress is None:
        return current_prompt(None, walkthrough, lang), None
    progress = replace(progress, paused=False)
    return [screens.prompt(progress, walkthrough, lang)], progress


def _goto(progress: Progress | None, target: Step, walkthrough: Walkthrough, lang: Lang) -> Turn:
    progress = progress or Progress()
    if target not in path(progress.result):
        target = previous(target, progress.result)  # e.g. the terms before an agreement: the result question
    progress = replace(progress, step=target, paused=False)
    return [screens.prompt(progress, walkthrough, lang)], progress


def _press(progress: Progress | None, action: Walk | str, walkthrough: Walkthrough, lang: Lang) -> Turn:
    walk = walk_of(action)
    match walk:
        case Walk(WalkVerb.START):
            return _start(progress, walkthrough, lang)
        case Walk(WalkVerb.RESUME):
            return _resume(progress, walkthrough, lang)
        case Walk(WalkVerb.RESTART):
            fresh = Progress()
            restarted = screens.say("messages.restarted", walkthrough, lang)
            return [restarted, screens.prompt(fresh, walkthrough, lang)], fresh
        case Walk(WalkVerb.GOTO, target) if target in SCREEN:
            return _goto(progress, Step(target), walkthrough, lang)
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
    return _navigate(progress, action, walkthrough, lang)


def _navigate(progress: Progress, action: Walk | str, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """A button that picks an option or moves (next, back, skip, pause, confirm a number) at the current step."""
    move = parse_move(action, progress.step)
    new = transition(progress, move, walkthrough) if move is not None else None
    if new is None:
        return _not_understood(progress, "messages.stale", walkthrough, lang)
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


def _typed(
    progress: Progress | None, text: str, walkthrough: Walkthrough, lang: Lang, asked: int | None = None
) -> Turn:
    if progress is None:
        return current_prompt(None, walkthrough, lang), None
    aside = _typed_aside(progress, text, walkthrough, lang, asked)
    if aside is not None:
        return aside
    if mixed_result(progress, text, walkthrough):  # one product agreed, the other not: never noted as agreed
        return _not_understood(progress, "steps.result.mixed", walkthrough, lang)
    ids = option_ids(progress, walkthrough)
    answer = _numbered(understood(progress, text, walkthrough), ids)
    match answer:
        case Picked():
            return _typed_pick(progress, answer, walkthrough, lang, text)
        case Unsure():
            return _typed_unsure(progress, answer, walkthrough, lang)
        case OffMenu():
            last = len(ids)
            choose = Reply(walkthrough.say("messages.choose_one", lang, last=last))
            return [choose, screens.prompt(progress, walkthrough, lang)], progress
        case Number():
            turn = _typed_number(progress, text, answer, walkthrough, lang, asked)
            if turn is not None:
                return turn
        case Ticked():
            return _typed_items(progress, answer, walkthrough, lang)
    return _not_understood(progress, _unread_key(progress, text, walkthrough), walkthrough, lang)


def _typed_unsure(progress: Progress, answer: Unsure, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """ "不知道", "看情况", "一半一半": nothing is recorded; the step says what to put and that it can be skipped.
    At the monthly step "不知道" is its own option (the amount is not known yet)."""
    if not answer.vague and UNKNOWN_MONTHLY in option_ids(progress, walkthrough):
        unknown = transition(progress, Pick(UNKNOWN_MONTHLY), walkthrough) or progress
        return [screens.prompt(unknown, walkthrough, lang)], unknown
    key = "messages.unsure_number" if progress.step in UNITS else "messages.unsure_choice"
    return _not_understood(progress, key, walkthrough, lang)


def _typed_aside(progress: Progress, text: str, walkthrough: Walkthrough, lang: Lang, asked: int | None) -> Turn | None:
    """Text that does something other than answer the step's options: at any step, a move said in words ("返回上一步",
    "跳过", "go back"), yes to the question just asked about a number ("对"), an earlier answer corrected ("不对
    是3个月"); at a step reading no text, the hint to use its buttons; then what `_typed_apart` reads. None for
    anything else."""
    said = said_move(progress, text, walkthrough)
    if said is not None:
        return _said(progress, said, walkthrough, lang)
    if asked is not None and confirms(progress, asked, text, walkthrough):
        return _navigate(progress, Walk(WalkVerb.NUMBER, progress.step.value, str(asked)), walkthrough, lang)
    corrected = correction(progress, text, walkthrough)
    if corrected is not None:
        return _corrected(progress, corrected, walkthrough, lang, asked)
    if not wants_text(progress):
        return _not_understood(progress, "messages.use_buttons", walkthrough, lang)
    return _typed_apart(progress, text, walkthrough, lang)


def _said(progress: Progress, move: str, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """A move said in words (`said_move`): as its button, /cancel, or /guide mid-way (continue or start again)."""
    if move == "cancel":
        return _cancel(progress, walkthrough, lang)
    if move == "restart":
        return _start(progress, walkthrough, lang)
    if move == "resume":  # "我回来了": as /resume
        return _resume(progress, walkthrough, lang)
    return _navigate(progress, Walk(WalkVerb(move), progress.step.value), walkthrough, lang)


def _corrected(
    progress: Progress, corrected: Correction, walkthrough: Walkthrough, lang: Lang, asked: int | None
) -> Turn:
    """An earlier answer corrected in words: recorded in its range, said, and the user stays where they are; at the
    step it is for, the words after the correction are that step's answer."""
    if corrected.step is progress.step:
        return _typed(progress, corrected.rest, walkthrough, lang, asked)
    number = corrected.reading.value
    bucket = answers.bucket_of(number, answers.options(progress, corrected.step, walkthrough))
    if bucket is None:
        return _not_understood(progress, "messages.not_a_number", walkthrough, lang)
    new = answers.with_number(progress, corrected.step, bucket, number)
    value = screens.number_answer(new, corrected.step, walkthrough, lang) or str(number)
    line = walkthrough.say(f"summary.{corrected.step.value}", lang, value=value)
    said = Reply(walkthrough.say("messages.corrected", lang, value=line))
    return [said, screens.prompt(new, walkthrough, lang)], new


def _typed_apart(progress: Progress, text: str, walkthrough: Walkthrough, lang: Lang) -> Turn | None:
    """Text read apart from the step's options: the agreed terms, income typed at the amount-owed step ("一个月
    7000多 看单量": not the debt, so not recorded; the step asks again), or an amount in another currency at a step
    asking for yuan (not recorded; asked for in yuan). None for anything else."""
    if progress.step is Step.TERMS:
        return _typed_terms(progress, text, walkthrough, lang)
    if income_at_amount(progress, text):
        return [screens.prompt(progress, walkthrough, lang)], progress
    if foreign_amount(progress, text):  # "6萬台幣": not recorded as yuan; asked for in yuan, as Alipay shows it
        return _not_understood(progress, "messages.foreign_currency", walkthrough, lang)
    return None


def _numbered(answer: Understood | None, ids: tuple[str, ...]) -> Understood | None:
    """ "2" or "#2" is the second option, numbered as shown, when there is one."""
    if isinstance(answer, OffMenu) and 1 <= answer.number <= len(ids):
        return Picked(ids[answer.number - 1], exact=True)
    return answer


def _unread_key(progress: Progress, text: str, walkthrough: Walkthrough) -> str:
    """What is said to typed text a step cannot read: the number it wants (at the monthly step, for good and bad
    months, the bad month's), how its checklist ticks, or its buttons."""
    here = progress.step
    if bad_month_unread(progress, text, walkthrough):
        return "steps.monthly.bad_month"
    if here in UNITS:
        return "messages.not_a_number"
    if SCREEN[here].interaction is Interaction.CHECKLIST:
        return "messages.checklist_hint"
    return "messages.use_buttons"


def _typed_pick(progress: Progress, answer: Picked, walkthrough: Walkthrough, lang: Lang, text: str) -> Turn:
    """An option named in words or by its number: picked as its button would be (at the product step, with what the
    sentence says of later steps carried forward)."""
    picked = transition(progress, Pick(answer.option), walkthrough)
    if picked is None:
        return _not_understood(progress, "messages.use_buttons", walkthrough, lang)
    if progress.step is Step.PRODUCT:
        picked = _carried(picked, text, walkthrough)
    label = screens.option_label(progress, progress.step, answer.option, walkthrough, lang)
    return [_noted(label, answer.exact, walkthrough, lang), screens.prompt(picked, walkthrough, lang)], picked


#: How long a loan is overdue, said in a sentence ("借呗逾期快4个月了 欠了3万5" → "快4个月").
_OVERDUE_FOR: Final = re.compile(r"逾期了?\s*([^\s，,。；;]{1,8}?(?:天|个月|個月|周|星期|礼拜|禮拜|年多?))")
#: Words saying what is owed: a sentence at the product step without them names no amount owed.
_OWES: Final = re.compile(r"欠|一共|总共|總共|owe", re.IGNORECASE)


def _carried(progress: Progress, text: str, walkthrough: Walkthrough) -> Progress:
    """The days overdue and the amount owed that a message at the product step gives too ("借呗逾期快4个月了 欠了3万5
    左右"), recorded for those steps: each is still shown, its option marked, for the user to confirm or change. A
    step already answered keeps its answer."""
    overdue = _OVERDUE_FOR.search(text)
    said = {Step.DAYS: overdue.group(1) if overdue else None, Step.AMOUNT: text if _OWES.search(text) else None}
    for step, part in said.items():
        if part is None or answers.chosen(progress, step) is not None:
            continue
        reading = understood(replace(progress, step=step), part, walkthrough)
        if not isinstance(reading, Number):
            continue
        bucket = answers.bucket_of(reading.value, answers.options(progress, step, walkthrough))
        if bucket is not None:  # out of every range: left for the step to ask
            progress = answers.with_number(progress, step, bucket, reading.value)
    return progress


def _typed_items(progress: Progress, answer: Ticked, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """Checklist items named in words: those had ticked, those said missing unticked, as their buttons would, and
    each change said back (an item said missing that was never ticked is noted as still missing)."""
    here = progress.step
    before = set(answers.ticked(progress, here))
    wanted = (before | set(answer.have)) - set(answer.missing)
    ticks = tuple(option for option in option_ids(progress, walkthrough) if option in wanted)
    new = answers.with_ticks(progress, here, ticks)
    options = answers.options(progress, here, walkthrough)
    said = [
        ("messages.ticked", answer.have),
        ("messages.unticked", tuple(item for item in answer.missing if item in before)),
        ("messages.still_missing", tuple(item for item in answer.missing if item not in before)),
    ]
    lines = [walkthrough.say(key, lang, value=screens.joined(items, options, walkthrough, lang))
             for key, items in said if items]  # fmt: skip
    return [Reply("\n".join(lines)), screens.prompt(new, walkthrough, lang)], new


def _typed_terms(progress: Progress, text: str, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """The agreed terms, typed in the user's words: kept as they are, within MAX_TERMS characters."""
    terms = text.strip()
    if not terms:
        return [screens.prompt(progress, walkthrough, lang)], progress
    if says_one_of(terms, (*walkthrough.dont_know, *walkthrough.unsure)):  # "不记得了" is no terms
        return _not_understood(progress, "messages.unsure_terms", walkthrough, lang)
    if len(terms) > MAX_TERMS:
        too_long = walkthrough.say("messages.too_long", lang, max=MAX_TERMS, length=len(terms))
        return [Reply(too_long), screens.prompt(progress, walkthrough, lang)], progress
    new = moved_to(replace(progress, terms=terms), following(progress.step, None))
    noted = screens.say("messages.terms_noted", walkthrough, lang)
    notes = screens.terms_notes(new, walkthrough, lang)  # said now, and again in the summary
    if notes:
        noted = Reply("\n\n".join([noted.text, *notes]))
    return [noted, screens.prompt(new, walkthrough, lang)], new


def _typed_number(
    progress: Progress, text: str, typed: Number, walkthrough: Walkthrough, lang: Lang, asked: int | None
) -> Turn | None:
    """A number typed at a step that takes one; None when the step cannot record it."""
    number, exact = typed.value, typed.exact
    if typed.rough and number != asked:  # "大半年": the guess is asked about; said again (or "对"), it is noted
        questioned = replace(progress, asked=number)
        return [screens.number_question(questioned, number, walkthrough, lang, rough=True)], questioned
    if exact and is_bare_digits(text) and number != asked and _could_be_a_button(progress, number, walkthrough):
        # Asked once: the same number typed again is meant as it is (the terminal would otherwise loop on "1").
        questioned = replace(progress, asked=number)
        return [screens.number_question(questioned, number, walkthrough, lang)], questioned
    recorded = with_number(progress, number, walkthrough)
    if recorded is None:
        return None
    value = screens.number_answer(recorded, progress.step, walkthrough, lang) or str(number)
    if typed.parts:
        value = screens.amount_parts(typed.parts, value, walkthrough, lang)
    noted = _noted(value, exact, walkthrough, lang)
    if typed.high is not None:  # a range, or good and bad months: the low end is what the user can count on
        key = "steps.monthly.low_end" if progress.step is Step.MONTHLY else "messages.low_end"
        noted = Reply(walkthrough.say(key, lang, value=value))
    return [noted, screens.prompt(recorded, walkthrough, lang)], recorded


def _noted(value: str, exact: bool, walkthrough: Walkthrough, lang: Lang) -> Reply:
    """What was recorded; read from a longer sentence, the user is told how to change it."""
    return Reply(walkthrough.say("messages.noted" if exact else "messages.understood", lang, value=value))


def _could_be_a_button(progress: Progress, number: int, walkthrough: Walkthrough) -> bool:
    """A bare number that may mean a button: an implausibly small amount, or days no more than the options shown."""
    if UNITS.get(progress.step) is Unit.YUAN:
        return number < SMALL_AMOUNT
    return 1 <= number <= len(option_ids(progress, walkthrough))


def _not_understood(progress: Progress | None, key: str, walkthrough: Walkthrough, lang: Lang) -> Turn:
    if progress is None:
        return current_prompt(None, walkthrough, lang), None
    return [screens.say(key, walkthrough, lang), screens.prompt(progress, walkthrough, lang)], progress


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
