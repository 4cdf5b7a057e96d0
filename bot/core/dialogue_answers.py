"""Recording an answer typed at a walkthrough step: an option named in words (with what a sentence at the product step
says of later steps), checklist items had or missing, the agreed terms, and a number — a guess or a bare number that
may mean a button asked about first. Each says back what was noted. Pure; `dialogue_typed` routes text here."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from bot.core import progress as answers
from bot.core import screens
from bot.core.dialogue_queries import (
    UNITS,
    understood,
)
from bot.core.dialogue_turns import Turn, not_understood
from bot.core.flow import Step, following
from bot.core.i18n import Lang
from bot.core.moves import (
    Pick,
    moved_to,
    option_ids,
    transition,
    with_number,
)
from bot.core.numbers import Unit, is_bare_digits
from bot.core.progress import MAX_TERMS, Progress
from bot.core.replies import Reply
from bot.core.understand import Number, Picked, Ticked, says_one_of
from bot.core.walkthrough import Walkthrough

#: A bare number below this many yuan is asked about before it is recorded: in the terminal "3" may mean button 3.
SMALL_AMOUNT: Final = 100


def typed_pick(progress: Progress, answer: Picked, walkthrough: Walkthrough, lang: Lang, text: str) -> Turn:
    """An option named in words or by its number: picked as its button would be (at the product step, with what the
    sentence says of later steps carried forward)."""
    picked = transition(progress, Pick(answer.option), walkthrough)
    if picked is None:
        return not_understood(progress, "messages.use_buttons", walkthrough, lang)
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


def typed_items(progress: Progress, answer: Ticked, walkthrough: Walkthrough, lang: Lang) -> Turn:
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


def typed_terms(progress: Progress, text: str, walkthrough: Walkthrough, lang: Lang) -> Turn:
    """The agreed terms, typed in the user's words: kept as they are, within MAX_TERMS characters."""
    terms = text.strip()
    if not terms:
        return [screens.prompt(progress, walkthrough, lang)], progress
    if says_one_of(terms, (*walkthrough.dont_know, *walkthrough.unsure)):  # "不记得了" is no terms
        return not_understood(progress, "messages.unsure_terms", walkthrough, lang)
    if len(terms) > MAX_TERMS:
        too_long = walkthrough.say("messages.too_long", lang, max=MAX_TERMS, length=len(terms))
        return [Reply(too_long), screens.prompt(progress, walkthrough, lang)], progress
    new = moved_to(replace(progress, terms=terms), following(progress.step, None))
    noted = screens.say("messages.terms_noted", walkthrough, lang)
    notes = screens.terms_notes(new, walkthrough, lang)  # said now, and again in the summary
    if notes:
        noted = Reply("\n\n".join([noted.text, *notes]))
    return [noted, screens.prompt(new, walkthrough, lang)], new


def typed_number(
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
