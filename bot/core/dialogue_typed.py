"""Typed text in the walkthrough, routed: a move said in words, yes to a number just asked about, an earlier answer
corrected, text a step reads apart from its options (the agreed terms, income, another currency), or an answer to the
step's options — recorded by `dialogue_answers`. Pure; `dialogue.handle` calls `typed`."""

from __future__ import annotations

from dataclasses import replace

from bot.core import progress as answers
from bot.core import screens
from bot.core.actions import Walk, WalkVerb
from bot.core.dialogue_answers import typed_items, typed_number, typed_pick, typed_terms
from bot.core.dialogue_queries import (
    UNITS,
    Correction,
    awaits_result,
    bad_month_unread,
    confirms,
    correction,
    current_prompt,
    foreign_amount,
    income_at_amount,
    leave_answer,
    mixed_result,
    said_move,
    understood,
    wants_text,
)
from bot.core.dialogue_turns import Turn, cancel, navigate, not_understood, resume, start
from bot.core.flow import SCREEN, Interaction, Step
from bot.core.i18n import Lang
from bot.core.moves import (
    Pick,
    option_ids,
    transition,
)
from bot.core.progress import Progress
from bot.core.replies import Reply
from bot.core.understand import Number, OffMenu, Picked, Ticked, Understood, Unsure
from bot.core.walkthrough import UNKNOWN_MONTHLY, Walkthrough


def typed(
    progress: Progress | None,
    text: str,
    walkthrough: Walkthrough,
    lang: Lang,
    asked: int | None = None,
    *,
    leaving: bool = False,
) -> Turn:
    """Text typed while the step reads text: a move or correction said in words, or an answer to the step; right
    after "leave and clear your answers?" (`leaving`), yes leaves and no stays."""
    if progress is not None and leaving and (said := leave_answer(text, walkthrough)) is not None:
        return cancel(None, walkthrough, lang) if said else resume(progress, walkthrough, lang)
    return _typed(progress, text, walkthrough, lang, asked)


def _typed(progress: Progress | None, text: str, walkthrough: Walkthrough, lang: Lang, asked: int | None) -> Turn:
    if progress is None:
        return current_prompt(None, walkthrough, lang), None
    aside = _typed_aside(progress, text, walkthrough, lang, asked)
    if aside is not None:
        return aside
    if mixed_result(progress, text, walkthrough):  # one product agreed, the other not: never noted as agreed
        return not_understood(progress, "steps.result.mixed", walkthrough, lang)
    ids = option_ids(progress, walkthrough)
    answer = _numbered(understood(progress, text, walkthrough), ids)
    match answer:
        case Picked():
            return typed_pick(progress, answer, walkthrough, lang, text)
        case Unsure():
            return _typed_unsure(progress, answer, walkthrough, lang)
        case OffMenu():
            last = len(ids)
            choose = Reply(walkthrough.say("messages.choose_one", lang, last=last))
            return [choose, screens.prompt(progress, walkthrough, lang)], progress
        case Number():
            turn = typed_number(progress, text, answer, walkthrough, lang, asked)
            if turn is not None:
                return turn
        case Ticked():
            return typed_items(progress, answer, walkthrough, lang)
    return not_understood(progress, _unread_key(progress, text, walkthrough), walkthrough, lang)


def _typed_unsure(progress: Progress, answer: Unsure, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """ "不知道", "看情况", "一半一半": nothing is recorded; the step says what to put and that it can be skipped.
    At the monthly step "不知道" is its own option (the amount is not known yet)."""
    if not answer.vague and UNKNOWN_MONTHLY in option_ids(progress, walkthrough):
        unknown = transition(progress, Pick(UNKNOWN_MONTHLY), walkthrough) or progress
        return [screens.prompt(unknown, walkthrough, lang)], unknown
    key = "messages.unsure_number" if progress.step in UNITS else "messages.unsure_choice"
    return not_understood(progress, key, walkthrough, lang)


def _typed_aside(progress: Progress, text: str, walkthrough: Walkthrough, lang: Lang, asked: int | None) -> Turn | None:
    """Text that does something other than answer the step's options: at any step, a move said in words ("返回上一步",
    "跳过", "go back"), yes to the question just asked about a number ("对"), an earlier answer corrected ("不对
    是3个月"); at a step reading no text, the hint to use its buttons; then what `_typed_apart` reads. None for
    anything else."""
    said = said_move(progress, text, walkthrough)
    if said is not None:
        return _said(progress, said, walkthrough, lang)
    if asked is not None and confirms(progress, asked, text, walkthrough):
        return navigate(progress, Walk(WalkVerb.NUMBER, progress.step.value, str(asked)), walkthrough, lang)
    corrected = correction(progress, text, walkthrough)
    if corrected is not None:
        return _corrected(progress, corrected, walkthrough, lang, asked)
    if awaits_result(progress):  # "对方同意了" while waiting: the new result, as its button at the result question
        answer = understood(progress, text, walkthrough)
        if isinstance(answer, Picked):
            return typed_pick(replace(progress, step=Step.RESULT), answer, walkthrough, lang, text)
    if not wants_text(progress):
        return not_understood(progress, "messages.use_buttons", walkthrough, lang)
    return _typed_apart(progress, text, walkthrough, lang)


def _said(progress: Progress, move: str, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """A move said in words (`said_move`): as its button, /cancel, or /guide mid-way (continue or start again)."""
    if move == "cancel":
        return cancel(progress, walkthrough, lang)
    if move == "restart":
        return start(progress, walkthrough, lang)
    if move == "resume":  # "我回来了": as /resume
        return resume(progress, walkthrough, lang, returning=True)
    return navigate(progress, Walk(WalkVerb(move), progress.step.value), walkthrough, lang)


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
        return not_understood(progress, "messages.not_a_number", walkthrough, lang)
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
        return typed_terms(progress, text, walkthrough, lang)
    if income_at_amount(progress, text):
        return [screens.prompt(progress, walkthrough, lang)], progress
    if foreign_amount(progress, text):  # "6萬台幣": not recorded as yuan; asked for in yuan, as Alipay shows it
        return not_understood(progress, "messages.foreign_currency", walkthrough, lang)
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
