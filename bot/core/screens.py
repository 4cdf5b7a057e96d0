"""What each walkthrough screen shows: its progress line, text and buttons, the opening script and the summary.

Everything here is a pure function of a `Progress` and the loaded `Walkthrough`; the texts come from the YAML.
Button actions are the ones `moves.parse_move` reads back (see the table in dialogue.py's docstring).
"""

from __future__ import annotations

import re
from typing import Final, TypeVar

from bot.core import progress as answers
from bot.core.actions import Walk, WalkVerb
from bot.core.amounts import monthly_in
from bot.core.flow import AGREED, REFUSED, SCREEN, STILL_WAITING, UNAFFORDABLE, Interaction, Stage, Step, path
from bot.core.i18n import Lang
from bot.core.normalize import basic_form
from bot.core.progress import MAX_TERMS, Progress
from bot.core.replies import Choice, Reply
from bot.core.walkthrough import Bucket, Cause, Option, Walkthrough

_O = TypeVar("_O", bound=Option)


def _walk(verb: WalkVerb, here: Step, value: str = "") -> str:
    """The token of a button on the screen of step `here` (so one pressed on an older screen is known as stale)."""
    return Walk(verb, here.value, value).pack()


def say(key: str, walkthrough: Walkthrough, lang: Lang, *choices: Choice) -> Reply:
    return Reply(walkthrough.say(key, lang), tuple(choices))


def prompt(progress: Progress, walkthrough: Walkthrough, lang: Lang) -> Reply:
    """The screen the user is on: progress line, text and buttons (the summary at the end)."""
    if progress.step is Step.DONE:
        return _summary(progress, walkthrough, lang)
    text = f"{progress_line(progress, walkthrough, lang)}\n\n{_body(progress, walkthrough, lang)}"
    return Reply(text, _choices(progress, walkthrough, lang))


def progress_line(progress: Progress, walkthrough: Walkthrough, lang: Lang) -> str:
    """The line above each screen, e.g. 第 2 步 / 共 5 步 · 准备协商（3/4）: its stage, and the part of a long stage."""
    stage = SCREEN[progress.step].stage
    if stage is None:
        return ""
    # The fifth stage is the after-care after an agreement, what to try next without one: the same count, "of 5",
    # on every way (before the result is known, the after-care is shown as the way it is hoped to go).
    on_path = {SCREEN[step].stage for step in path(progress.result if progress.result is not None else AGREED)}
    stages = [s for s in Stage if s in on_path]
    if stage not in stages:  # a screen off the user's way: the stages of the way it is on
        other_fifth = Stage.AFTERCARE if stage is Stage.NEXT else Stage.NEXT
        stages = [s for s in Stage if s is not other_fifth]
    parts = [step for step in path(progress.result) if SCREEN[step].stage is stage]
    values: dict[str, object] = {
        "n": stages.index(stage) + 1,
        "total": len(stages),
        "stage": walkthrough.say(f"stages.{stage.value}", lang),
    }
    if len(parts) <= 1:
        return walkthrough.say("messages.progress", lang, **values)
    part = parts.index(progress.step) + 1 if progress.step in parts else len(parts)
    return walkthrough.say("messages.progress_part", lang, part=part, parts=len(parts), **values)


def stage_title(step: Step, walkthrough: Walkthrough, lang: Lang) -> str:
    stage = SCREEN[step].stage
    return walkthrough.say(f"stages.{stage.value}", lang) if stage is not None else ""


def number_answer(progress: Progress, at: Step, walkthrough: Walkthrough, lang: Lang) -> str | None:
    """A number step's answer as the user reads it: the typed number ("15 天") or the option's label."""
    number = answers.typed(progress, at)
    choices = answers.options(progress, at, walkthrough)
    exact = _find(answers.chosen(progress, at), choices)
    if number is not None and not (isinstance(exact, Bucket) and exact.low == exact.high == number):
        return walkthrough.say(f"steps.{at.value}.typed", lang, n=number)
    return _label_of(answers.chosen(progress, at), choices, lang)


def amount_parts(parts: tuple[tuple[str, int], ...], total: str, walkthrough: Walkthrough, lang: Lang) -> str:
    """Amounts given per product, confirmed with their sum: "花呗 12000 元 + 借呗 30000 元，共 42000 元"."""
    named = [
        walkthrough.say("steps.amount.part", lang, product=_label_of(option, walkthrough.products, lang) or option, n=n)
        for option, n in parts
    ]
    return walkthrough.say("steps.amount.sum", lang, parts=" + ".join(named), total=total)


def said_answer(progress: Progress, at: Step, walkthrough: Walkthrough, lang: Lang) -> str | None:
    """A one-choice or number step's answer as the user says it in the opening script: the typed number ("15 天"),
    or the option in a sentence ("几个星期", not the button's "8–30 天")."""
    number = answers.typed(progress, at)
    option = _find(answers.chosen(progress, at), answers.options(progress, at, walkthrough))
    if number is not None and not (isinstance(option, Bucket) and option.low == option.high == number):
        return walkthrough.say(f"steps.{at.value}.typed", lang, n=number)
    return option.in_sentence(lang) if option is not None else None


def _choices(progress: Progress, walkthrough: Walkthrough, lang: Lang) -> tuple[Choice, ...]:
    here = progress.step
    interaction = SCREEN[here].interaction
    marks = walkthrough.marks
    buttons: list[Choice] = []
    if interaction is Interaction.SUMMARY:
        if progress.result != AGREED:
            buttons.append(Choice(walkthrough.say("buttons.new_result", lang), _walk(WalkVerb.GOTO, Step.RESULT)))
        buttons.append(Choice(walkthrough.say("buttons.back", lang), _walk(WalkVerb.BACK, here)))
        buttons.append(Choice(walkthrough.say("buttons.restart", lang), Walk(WalkVerb.RESTART).pack()))
        return tuple(buttons)
    if interaction in (Interaction.CHOICE, Interaction.NUMBER):
        picked = answers.chosen(progress, here)
        for option in answers.options(progress, here, walkthrough):
            label = option.label.render(lang)
            label = f"{marks['chosen']} {label}" if option.id == picked else label
            buttons.append(Choice(label, _walk(WalkVerb.OPTION, here, option.id)))
        if here is Step.MONTHLY:  # the /plan calculator, started with what the user owes
            buttons.append(Choice(walkthrough.say("buttons.calculate", lang), _walk(WalkVerb.CALC, here)))
    elif interaction is Interaction.CHECKLIST:
        chosen_items = answers.ticked(progress, here)
        for option in answers.options(progress, here, walkthrough):
            mark = marks["checked" if option.id in chosen_items else "unchecked"]
            buttons.append(Choice(f"{mark} {option.label.render(lang)}", _walk(WalkVerb.TICK, here, option.id)))
    # next would equal skip on an unanswered question, and skip would equal next on a page to read
    if interaction in (Interaction.CHECKLIST, Interaction.INFO) or answers.answered(progress, here):
        label = walkthrough.say("buttons.contacted" if here is Step.CONTACT else "buttons.next", lang)
        buttons.append(Choice(label, _walk(WalkVerb.NEXT, here)))
    buttons.append(Choice(walkthrough.say("buttons.back", lang), _walk(WalkVerb.BACK, here)))
    if interaction is not Interaction.INFO:
        buttons.append(Choice(walkthrough.say("buttons.skip", lang), _walk(WalkVerb.SKIP, here)))
    buttons.append(Choice(walkthrough.say("buttons.pause", lang), _walk(WalkVerb.PAUSE, here)))
    return tuple(buttons)


def number_question(
    progress: Progress, number: int, walkthrough: Walkthrough, lang: Lang, *, rough: bool = False
) -> Reply:
    """The question asked about a bare number that may mean a button (a small amount, "3" at the days step), or
    about the guess at a span said roughly ("大半年": about 210 days), with a button confirming it above the step's
    own buttons."""
    here = progress.step
    value = walkthrough.say(f"steps.{here.value}.typed", lang, n=number)
    label = walkthrough.say("buttons.confirm_number", lang, value=value)
    confirm = Choice(label, _walk(WalkVerb.NUMBER, here, str(number)))
    if rough:
        text = walkthrough.say("messages.estimate_check", lang, value=value)
    elif here is Step.DAYS:
        text = walkthrough.say("messages.number_check", lang, value=value)
    else:
        text = walkthrough.say("messages.small_amount", lang, n=number)
    return Reply(text, (confirm, *_choices(progress, walkthrough, lang)))


def option_label(progress: Progress, at: Step, option_id: str, walkthrough: Walkthrough, lang: Lang) -> str:
    """The label of one of a step's options, as its button reads."""
    return _label_of(option_id, answers.options(progress, at, walkthrough), lang) or option_id


def _body(progress: Progress, walkthrough: Walkthrough, lang: Lang) -> str:
    here = progress.step
    key = f"steps.{here.value}.prompt"
    match here:
        case Step.TERMS:
            lines = [walkthrough.say(key, lang, max=MAX_TERMS)]
            if progress.terms:
                lines.append(walkthrough.say("messages.noted", lang, value=progress.terms))
        case Step.CONTACT:
            channel = _find(progress.channel, walkthrough.channels)
            how = channel.how.render(lang) if channel else walkthrough.say("steps.contact.no_channel", lang)
            lines = [
                walkthrough.say(key, lang, how=how),
                script_text(progress, walkthrough, lang),
                walkthrough.say("steps.contact.after", lang),
            ]
            return "\n\n".join(lines)
        case Step.MATERIALS:
            visible = answers.option_ids(progress, here, walkthrough)
            done = len(progress.materials)
            lines = [walkthrough.say(key, lang), walkthrough.say("steps.materials.count", lang, done=done,
                                                                   total=len(visible))]  # fmt: skip
        case Step.CHANNEL:
            lines = [walkthrough.say(key, lang)]
            for channel in walkthrough.channels:
                label, how = channel.label.render(lang), channel.how.render(lang)
                lines.append(walkthrough.say("steps.channel.line", lang, label=label, how=how))
        case Step.REQUESTS:
            lines = [walkthrough.say(key, lang), *_situation(progress, walkthrough, lang)]
        case _:
            lines = [walkthrough.say(key, lang)]
    return "\n".join(lines)


def _situation(progress: Progress, walkthrough: Walkthrough, lang: Lang) -> list[str]:
    """The facts and the reason from the intake, as the requests screen recalls them."""
    facts = [
        value
        for value in (
            _label_of(progress.product, walkthrough.products, lang),
            number_answer(progress, Step.DAYS, walkthrough, lang),
            number_answer(progress, Step.AMOUNT, walkthrough, lang),
        )
        if value is not None
    ]
    lines = [walkthrough.say("steps.requests.situation", lang, facts=" · ".join(facts))] if facts else []
    cause = _find(progress.cause, walkthrough.causes)
    if cause is None:
        lines.append(walkthrough.say("steps.requests.reason_unknown", lang))
    else:
        reason = _reason(cause, progress, walkthrough, lang)
        lines.append(walkthrough.say("steps.requests.reason", lang, cause=cause.label.render(lang), reason=reason))
    return lines


def not_overdue(progress: Progress, walkthrough: Walkthrough) -> bool:
    """The user said they are not overdue yet (0 days typed, or a range that ends at 0)."""
    if progress.days_typed is not None:
        return progress.days_typed == 0
    bucket = _find(progress.days, walkthrough.days)
    return isinstance(bucket, Bucket) and bucket.high == 0


def _reason(cause: Cause, progress: Progress, walkthrough: Walkthrough, lang: Lang) -> str:
    if cause.before_due is not None and not_overdue(progress, walkthrough):
        return cause.before_due.render(lang)
    return cause.reason.render(lang)


def script(progress: Progress, walkthrough: Walkthrough, lang: Lang) -> str:
    """The opening words for the chosen channel, saying only what the user told us (one sentence a line)."""
    lines: list[str] = []
    channel = _find(progress.channel, walkthrough.channels)
    if channel is not None:
        lines.append(channel.greeting.render(lang))
    product = said_answer(progress, Step.PRODUCT, walkthrough, lang) or walkthrough.say("script.product_unknown", lang)
    days = said_answer(progress, Step.DAYS, walkthrough, lang)
    if not_overdue(progress, walkthrough):
        lines.append(walkthrough.say("script.due_soon", lang, product=product))
    elif days is not None:
        lines.append(walkthrough.say("script.overdue", lang, product=product, days=days))
    else:
        lines.append(walkthrough.say("script.overdue_unknown", lang, product=product))
    amount = said_answer(progress, Step.AMOUNT, walkthrough, lang)
    if amount is not None:
        lines.append(walkthrough.say("script.amount", lang, amount=amount))
    cause = _find(progress.cause, walkthrough.causes)
    if cause is not None:
        lines.append(_reason(cause, progress, walkthrough, lang))
    for material in walkthrough.materials:
        if material.id in progress.materials and material.script is not None:
            lines.append(material.script.render(lang))
    if progress.requests:
        requests = joined(progress.requests, walkthrough.requests, walkthrough, lang)
        lines.append(walkthrough.say("script.requests", lang, requests=requests))
    else:
        lines.append(walkthrough.say("script.requests_none", lang))
    if progress.monthly_typed is not None:
        lines.append(walkthrough.say("script.monthly", lang, n=progress.monthly_typed))
    lines.append(walkthrough.say("script.agreement", lang))
    return "\n".join(lines)


def script_text(progress: Progress, walkthrough: Walkthrough, lang: Lang) -> str:
    """The opening words to copy, introduced; in English also in Chinese, the language customer service speaks."""
    if lang is not Lang.EN:
        return walkthrough.say("steps.contact.script", lang, script=script(progress, walkthrough, lang))
    chinese = script(progress, walkthrough, Lang.ZH_HANS)
    meaning = script(progress, walkthrough, lang)
    return walkthrough.say("steps.contact.script_bilingual", lang, chinese=chinese, meaning=meaning)


def joined(ids: tuple[str, ...], choices: tuple[Option, ...], walkthrough: Walkthrough, lang: Lang) -> str:
    """Labels as a list a person writes: "a and b", "a, b, and c"."""
    labels = [option.label.render(lang) for option in choices if option.id in ids]
    if len(labels) <= 1:
        return "".join(labels)
    if len(labels) == 2:
        return walkthrough.say("messages.list_pair", lang).join(labels)
    head = walkthrough.say("messages.list_separator", lang).join(labels[:-1])
    return head + walkthrough.say("messages.list_last", lang) + labels[-1]


_NEXT_ACTION = {
    AGREED: "summary.next_agreed",
    REFUSED: "summary.next_refused",
    STILL_WAITING: "summary.next_waiting",
    UNAFFORDABLE: "summary.next_unaffordable",
}


def _summary(progress: Progress, walkthrough: Walkthrough, lang: Lang) -> Reply:
    def line(key: str, value: str | None, empty: str = "summary.not_answered") -> str:
        return walkthrough.say(f"summary.{key}", lang, value=value or walkthrough.say(empty, lang))

    w = walkthrough
    lines = [
        w.say("summary.title", lang),
        line("product", _label_of(progress.product, w.products, lang)),
        line("days", number_answer(progress, Step.DAYS, w, lang)),
        line("amount", number_answer(progress, Step.AMOUNT, w, lang)),
        line("cause", _label_of(progress.cause, w.causes, lang)),
        line("materials", joined(progress.materials, w.materials, w, lang), "summary.nothing_ticked"),
        line("channel", _label_of(progress.channel, w.channels, lang)),
        line("requests", joined(progress.requests, w.requests, w, lang), "summary.nothing_ticked"),
        line("monthly", number_answer(progress, Step.MONTHLY, w, lang)),
        line("result", _label_of(progress.result, w.results, lang)),
    ]
    if progress.result == AGREED and progress.terms:
        lines.append(line("terms", progress.terms))
        lines.extend(terms_notes(progress, w, lang))
    next_action = _NEXT_ACTION.get(progress.result or "", "summary.next_not_contacted")
    closing = [w.say("summary.script", lang, script=script(progress, w, lang)), w.say(next_action, lang)]
    return Reply("\n".join(lines) + "\n\n" + "\n\n".join(closing), _choices(progress, w, lang))


def facts(progress: Progress, walkthrough: Walkthrough, lang: Lang) -> list[str]:
    """The facts of the user's situation the walkthrough recorded (product, days overdue, amount, cause, requests),
    as the summary words them, for the record /export writes; only those the user gave, none for a skipped step."""
    w = walkthrough
    given = [
        ("product", _label_of(progress.product, w.products, lang)),
        ("days", number_answer(progress, Step.DAYS, w, lang)),
        ("amount", number_answer(progress, Step.AMOUNT, w, lang)),
        ("cause", _label_of(progress.cause, w.causes, lang)),
        ("requests", joined(progress.requests, w.requests, w, lang) if progress.requests else None),
    ]
    return [w.say(f"summary.{key}", lang, value=value) for key, value in given if value]


def terms_notes(progress: Progress, walkthrough: Walkthrough, lang: Lang) -> list[str]:
    """What the agreed terms call for: a monthly amount above what the user can pay, nothing given in writing."""
    notes = [terms_above_monthly(progress, walkthrough, lang)]
    if not_in_writing(progress.terms or "", walkthrough):
        notes.append(walkthrough.say("summary.terms_not_written", lang))
    return [note for note in notes if note is not None]


#: Who is named inside a phrase of `not_in_writing` ("没给我书面", "没发他们短信"), left out when matching it.
_PERSONS: Final = re.compile(r"[我你他她][们們]?")


def not_in_writing(terms: str, walkthrough: Walkthrough) -> bool:
    """Whether the terms say the agreement was not given in writing ("没给书面的", "只是口头说的"), also with a person
    said in between ("没给我书面的" is "没给书面")."""
    forms = {basic_form(terms), _PERSONS.sub("", basic_form(terms))}
    words = [basic_form(word) for word in walkthrough.not_in_writing]
    return any(word in form for word in words if word for form in forms)


def terms_above_monthly(progress: Progress, walkthrough: Walkthrough, lang: Lang) -> str | None:
    """A warning when the agreed terms ask more each month than the user said they can pay (as /plan warns of an
    offer above the surplus); None when they do not, or either amount is unknown."""
    agreed = monthly_in(progress.terms or "")
    monthly = progress.monthly_typed
    if agreed is None or monthly is None or agreed <= monthly:
        return None
    return walkthrough.say("summary.terms_above_monthly", lang, agreed=agreed, monthly=monthly, over=agreed - monthly)


def _find(value: str | None, choices: tuple[_O, ...]) -> _O | None:
    return next((option for option in choices if option.id == value), None)


def _label_of(value: str | None, choices: tuple[Option, ...], lang: Lang) -> str | None:
    option = _find(value, choices)
    return option.label.render(lang) if option is not None else None
