"""What the rest of the bot asks the walkthrough without moving it, and the buttons it offers beside side answers.

Whether typed text answers the current step (`understood`, `reads_as_answer`, `names_option`, …), the current step
shown again, and the buttons that return to it, jump to a step or take a /plan amount. `dialogue.handle` moves the
walkthrough; this module only reads `Progress`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from bot.core import progress as answers
from bot.core import screens, understand
from bot.core.actions import Walk, WalkVerb
from bot.core.amounts import (
    OWING,
    amount_in_sentence,
    amounts_in,
    foreign_currency,
    income_not_owed,
    monthly_in,
    owed_in_sentence,
    varies,
)
from bot.core.flow import AGREED, SCREEN, Interaction, Step, path
from bot.core.i18n import Lang
from bot.core.normalize import basic_form
from bot.core.numbers import Unit
from bot.core.progress import Progress
from bot.core.replies import Choice, Reply
from bot.core.understand import Number, Picked, Understood
from bot.core.walkthrough import SAID_MOVES, Walkthrough

#: Knowledge-base entries that explain a step, so an answer can offer to jump there.
_ENTRY_STEPS: Final[Mapping[str, Step]] = {
    "steps.materials": Step.MATERIALS,
    "steps.channel": Step.CHANNEL,
    "steps.demands": Step.REQUESTS,
    "steps.agreement": Step.RESULT,
    "after.repay": Step.REPAY,
    "after.records": Step.RECORDS,
    "after.credit": Step.CREDIT,
}
#: The knowledge-base entry that gives the opening words to customer service: a user who has answered some of the
#: walkthrough gets them filled in too (`script_reply`).
SCRIPT_ENTRY: Final = "steps.demands"
UNITS: Final = {Step.DAYS: Unit.DAYS, Step.AMOUNT: Unit.YUAN, Step.MONTHLY: Unit.YUAN}
#: How a longer sentence is read at a step taking an amount: the amount owed ("一共欠六万 每月能还一千" → 60000 at
#: the amount step), or the one the user can pay (→ 1000 at the monthly step).
_SENTENCE_READERS: Final = {Step.AMOUNT: owed_in_sentence, Step.MONTHLY: amount_in_sentence}
#: A count of instalments in agreed terms ("分12期", "24期", "十二期", "12 instalments"; not "第一期").
_INSTALMENTS: Final = re.compile(
    r"(?<!第)(?:\d+|[一二两兩三四五六七八九十百]+)\s*期|\d+\s*instal(?:l)?ments?", re.IGNORECASE
)
#: Other words agreed terms are made of: interest and fees, and whether they were given in writing.
_TERMS_WORDS: Final = (
    re.compile(
        r"利息|息费|息費|罚息|罰息|违约金|違約金|减免|減免|免息|手续费|手續費|interest|penalt|fees?\b", re.IGNORECASE
    ),
    re.compile(r"书面|書面|短信|协议|協議|合同|in writing|written|sms|text message", re.IGNORECASE),
)
ONE_CHOICE: Final = (Interaction.CHOICE, Interaction.NUMBER)
_TYPED: Final = (*ONE_CHOICE, Interaction.CHECKLIST)


def understood(progress: Progress | None, text: str, walkthrough: Walkthrough) -> Understood | None:
    """What typed text answers at the current step (an option, a number, "don't know"), if anything. While a result
    is awaited (`awaits_result`), a result named ("对方同意了") is read as the new result."""
    if progress is None or progress.paused:
        return None
    if awaits_result(progress):
        found = understand.read(text, answers.options(progress, Step.RESULT, walkthrough))
        return found if isinstance(found, Picked) else None
    here = progress.step
    if SCREEN[here].interaction is Interaction.CHECKLIST:
        return understand.read_items(text, answers.options(progress, here, walkthrough), wishes=here is Step.REQUESTS)
    if SCREEN[here].interaction not in ONE_CHOICE:
        return None
    return understand.read(
        text,
        answers.options(progress, here, walkthrough),
        unit=UNITS.get(here),
        dont_know=walkthrough.dont_know,
        unsure=walkthrough.unsure,
        sentence=_SENTENCE_READERS.get(here),
        naming=walkthrough.products if here is Step.AMOUNT else (),
    )


#: Moves a whole typed text may say: the buttons' (next, back, skip, pause), /cancel's and /guide's (restart).
MOVES_SAID: Final = ("next", *SAID_MOVES)
#: Words before a move said that change nothing ("不对 返回上一步", "等一下 我写错了", "please go back").
_FILLERS: Final = re.compile(
    r"^(?:不对|哎呀|哎|唉|等等|等一下|呃|额|嗯|那就|那|我要|我想|想|请|帮我|麻烦"
    r"|please|let me|i want to|can i|can we)+",
    re.IGNORECASE,
)


def said_move(progress: Progress | None, text: str, walkthrough: Walkthrough) -> str | None:
    """The move the whole text says, one of MOVES_SAID: a word of `said_moves:` or a button's label in any language
    ("返回上一步", "◀ 上一步", "我写错了", "go back", "跳过"); a pause or a return said first, the rest being context
    ("暂停一下 我先去吃饭", "暂停一下我先去吃饭", "I'm back, let's go on"). None for anything else, and when paused but
    for a return ("我回来了"):
    typed text is a question then. Typos are not forgiven: at the terms step the text is otherwise kept as typed."""
    if progress is None:
        return None
    moves = ("resume",) if progress.paused else MOVES_SAID
    move = _move_said(progress, text, moves, walkthrough)
    if move is not None or understand.is_question(text):
        return move
    first_moves = tuple(m for m in moves if m in _SAID_FIRST)
    for clause in (_PUNCTUATED.split(text.strip(), maxsplit=1)[0], _CLAUSES.split(text.strip(), maxsplit=1)[0]):
        if clause.strip() != text.strip():  # "I'm back, let's go on", "暂停一下 我先去吃饭"
            head = _FILLERS.sub("", basic_form(clause)) or basic_form(clause)
            head = head.removesuffix("一下").removesuffix("下") or head  # "暂停一下", "先暂停下"
            if (move := _move_said(progress, head, first_moves, walkthrough)) is not None:
                return move
    return _glued_move(progress, text, first_moves, walkthrough)


#: Where a message breaks into clauses: the first may say a move and the rest why ("暂停一下 我先去吃饭").
_CLAUSES: Final = re.compile(r"[\s，,。.;；!！、~～]+")
#: The same at punctuation only: a move of several English words ("I'm back, let's go on").
_PUNCTUATED: Final = re.compile(r"\s*[，,。.;；!！、~～]+\s*")
#: Moves that keep every answer, said first in a longer message: pausing, and coming back.
_SAID_FIRST: Final = ("pause", "resume")
#: After a move said first with nothing between ("暂停一下我先去吃饭", "暂停下去接孩子"): words that end its clause.
_CLAUSE_END: Final = re.compile(r"^(?:一下|下|了|啦|吧|啊|哈|呀|哦|先)+")
#: … or words that start the next one, the why ("暂停我去吃饭", "先暂停 等会回来"): a person, a time, going off.
#: "暂停还款三个月" (the terms) goes on with neither: it is no pause.
_CLAUSE_START: Final = re.compile(r"^(?:我(?!的|们的)|咱|俺|等|先|回头|待会|一会|晚点|马上|有事|去|出去|要去|得去)")
#: A Chinese character: only a Chinese move is said with nothing after it before the why.
_HAN: Final = re.compile(r"[\u3400-\u9fff]")


def _glued_move(progress: Progress, text: str, moves: tuple[str, ...], walkthrough: Walkthrough) -> str | None:
    """One of `moves` said first in Chinese with no space or punctuation before the why ("暂停一下我先去吃饭",
    "我回来了继续吧"): a word of the move, then words that end its clause or start the next; None for anything else
    ("暂停还款三个月", "继续还款")."""
    form = _FILLERS.sub("", basic_form(text)) or basic_form(text)
    for move in moves:
        if SCREEN[progress.step].interaction is Interaction.SUMMARY and move == "pause":
            continue  # the summary has no pause button
        labels = [walkthrough.say(f"buttons.{move}", lang) for lang in Lang]
        words = sorted({basic_form(w) for w in (*walkthrough.said_moves.get(move, ()), *labels)}, key=len, reverse=True)
        for word in words:
            if not word or not form.startswith(word) or not _HAN.match(word[-1:]):
                continue  # English moves are whole words, split at spaces above
            rest = form[len(word) :]
            ended = _CLAUSE_END.match(rest)
            if ended or word[-1] in "了啦吧" or _CLAUSE_START.match(rest):
                return move
    return None


def _move_said(progress: Progress, text: str, moves: tuple[str, ...], walkthrough: Walkthrough) -> str | None:
    """The one of `moves` the whole text says (a word of `said_moves:` or a button's label), if any."""
    form = _FILLERS.sub("", basic_form(text)) or basic_form(text)
    summary = SCREEN[progress.step].interaction is Interaction.SUMMARY
    for move in moves:
        if summary and move in ("next", "skip", "pause"):
            continue  # the summary has none of these buttons
        labels = [walkthrough.say(f"buttons.{move}", lang) for lang in Lang]
        if understand.says_one_of(form, (*walkthrough.said_moves.get(move, ()), *labels), typos=False):
            return move
    return None


def leave_answer(text: str, walkthrough: Walkthrough) -> bool | None:
    """What the text answers to "leave and clear your answers?": yes (a word of `yes_words:` or the leave button's
    label), no (`no_words:` or the continue button's label), or None for neither."""
    for said, words, button in ((False, walkthrough.no_words, "resume"), (True, walkthrough.yes_words, "cancel")):
        labels = [walkthrough.say(f"buttons.{button}", lang) for lang in Lang]
        if understand.says_one_of(text, (*words, *labels), typos=False):
            return said
    return None


def confirms(progress: Progress | None, asked: int | None, text: str, walkthrough: Walkthrough) -> bool:
    """Whether the text says yes ("对", "好的", "yes") to the question just asked about the number `asked` ("我先按
    210天算，对吗？")."""
    return (
        asked is not None
        and progress is not None
        and progress.step in UNITS
        and understand.says_one_of(text, walkthrough.yes_words, typos=False)
    )


@dataclass(frozen=True)
class Correction:
    """An answer corrected in words ("不对 是3个月"): the step it is for, the words after the correction ("3个月"),
    and how they read there."""

    step: Step
    rest: str
    reading: Number


#: Words between the correction and the number that say nothing of which answer it is ("是", "其实是", "it's").
_CONNECTIVES: Final = re.compile(
    r"^(?:(?:刚才|其实|实际上|实际|应该|我|是|it'?\s?s|it is|it was|should be|is)\s*)+", re.IGNORECASE
)
#: A span of time: the number after a correction is the days overdue.
_TIME: Final = re.compile(r"[天日月周週星期礼禮拜年]|days?\b|weeks?\b|months?\b|years?\b", re.IGNORECASE)
#: An amount of yuan: the number after a correction is the amount owed (unless the monthly step is behind too).
_YUAN: Final = re.compile(r"\d\s*[kKwW万萬千]|[万萬千]|元|块|塊|¥|yuan|rmb", re.IGNORECASE)


def correction(progress: Progress | None, text: str, walkthrough: Walkthrough) -> Correction | None:
    """An earlier answer corrected in words ("不对 是3个月", "刚才说错了 欠的是5万"): a word of `corrections:`, then
    only a span of time (the days overdue) or an amount (the amount owed: said to be owed, or any amount before the
    monthly step, which takes amounts too). None for anything else, or for a step not behind the user or where they
    are; where they are, the words after the correction are the step's answer."""
    if progress is None or progress.paused or not walkthrough.corrections:
        return None
    form, said = basic_form(text), False
    markers = sorted((basic_form(word) for word in walkthrough.corrections), key=len, reverse=True)
    while (marker := next((m for m in markers if m and form.startswith(m)), None)) is not None:
        form, said = form[len(marker) :].strip(), True
    rest = _CONNECTIVES.sub("", form)
    if not said or not rest:
        return None
    steps = path(progress.result)
    if progress.step not in steps:
        return None
    behind = steps[: steps.index(progress.step) + 1]
    owed = OWING.search(rest) is not None or (_YUAN.search(rest) is not None and Step.MONTHLY not in behind)
    timed = _TIME.search(rest) is not None
    # A bare number ("打错了 是43000") says no unit: it puts right the answer just given, if that took a number and
    # the step in front of the user takes none (where it does, the number is that step's answer).
    just = behind[-2] if len(behind) > 1 and progress.step not in UNITS else None
    bare = not owed and not timed and _YUAN.search(rest) is None
    wanted_at = {Step.DAYS: timed or (bare and just is Step.DAYS), Step.AMOUNT: owed or (bare and just is Step.AMOUNT)}
    for step, wanted in wanted_at.items():
        if not wanted or step not in behind:
            continue
        reading = understood(replace(progress, step=step, asked=None), rest, walkthrough)
        if isinstance(reading, Number):
            return Correction(step, rest, reading)
    return None


def mixed_result(progress: Progress | None, text: str, walkthrough: Walkthrough) -> bool:
    """At the result step, whether the text tells of more than one outcome ("借呗同意了 花呗还在等审核"), or of
    half of one ("一半一半吧 借呗谈好了"): no single option is its honest reading, so the step asks which to note."""
    if progress is None or progress.paused or progress.step is not Step.RESULT or understand.is_question(text):
        return False
    named = understand.named_options(text, answers.options(progress, Step.RESULT, walkthrough))
    if len(named) > 1:
        return True
    form = basic_form(text)
    partly = any(word and word in form and word != form for word in map(basic_form, walkthrough.unsure))
    return partly and len(named) == 1


#: Screens after the result question where no agreement is noted yet: the user is asked to come back with the result.
_AWAITING: Final = (Step.WAITING, Step.RETRY, Step.UNAFFORDABLE, Step.DONE)


def awaits_result(progress: Progress | None) -> bool:
    """Whether the user is past the result question without an agreement (still waiting, refused, or not contacted
    yet), so that the next contact's result — typed, or asked for by /resume — is the thing to note."""
    return (
        progress is not None
        and not progress.paused
        and progress.step in _AWAITING
        and progress.result != AGREED
    )


def wants_text(progress: Progress | None) -> bool:
    """Whether typed text may answer here (an option in words, a number, the agreement's terms): the walkthrough
    reads it first, and what it cannot read goes to the knowledge base. At a checklist, items named in words tick or
    untick them."""
    return (
        progress is not None
        and not progress.paused
        and (SCREEN[progress.step].interaction in _TYPED or progress.step is Step.TERMS)
    )


def wants_number(progress: Progress | None) -> bool:
    """Whether a typed number is the answer here (days, amount, monthly): the terminal then picks buttons by #N."""
    return wants_text(progress) and progress is not None and progress.step in UNITS


def reads_as_answer(progress: Progress | None, text: str, walkthrough: Walkthrough) -> bool:
    """Whether `TypedText(text)` would be taken as the answer (an option named, a number where one is wanted,
    "don't know", a number that is no option, any terms text).

    Lets the transport send other text — a question typed mid-way — to the knowledge base instead.
    """
    if progress is not None and progress.leaving and leave_answer(text, walkthrough) is not None:
        return True  # "不要" or "是的" to "leave and clear your answers?"
    if said_move(progress, text, walkthrough) is not None or correction(progress, text, walkthrough) is not None:
        return True  # at any step, even one that reads no text ("返回", "不对 是3个月")
    if progress is not None and confirms(progress, progress.asked, text, walkthrough):
        return True  # "对" to "I'd note 210 days, is that right?"
    if awaits_result(progress):
        return isinstance(understood(progress, text, walkthrough), Picked)
    if progress is None or not wants_text(progress):
        return False
    if mixed_result(progress, text, walkthrough):  # "借呗同意了 花呗还在等": the step asks which to note
        return True
    if progress.step is Step.TERMS:
        return bool(text.strip())
    if income_at_amount(progress, text) or foreign_amount(progress, text):  # asked again, never recorded
        return True
    answer = understood(progress, text, walkthrough)
    if isinstance(answer, Number) and answer.in_clause:
        return False  # days beside other words: the knowledge base first, then the step (`tries_number`)
    # Good and bad months at the monthly step ("好的时候…差的时候几百") answer it even when the bad one is unread.
    return answer is not None or bad_month_unread(progress, text, walkthrough)


def carries_terms(progress: Progress | None, text: str, walkthrough: Walkthrough) -> bool:
    """At the terms step, whether the text gives agreed terms ("客服说每月还2800 分12期 利息照算 没给我书面的"): an
    amount per month or instalment, or a count of instalments, with at least one more of those, interest and fees, or
    whether they are in writing. Such a text is the step's answer even where it holds words a question or the scam
    screen hears ("客服说"); a text naming no amount or count ("书面协议里要写清楚什么") is not."""
    if progress is None or progress.paused or progress.step is not Step.TERMS:
        return False
    numbers = [monthly_in(text) is not None, _INSTALMENTS.search(text) is not None]
    words = [pattern.search(text) is not None for pattern in _TERMS_WORDS]
    words.append(screens.not_in_writing(text, walkthrough))
    return any(numbers) and sum(numbers) + any(words) >= 2


def income_at_amount(progress: Progress | None, text: str) -> bool:
    """At the amount-owed step, whether the text gives income instead ("有时候一个月7000多有时候才4000出头 看单量"):
    not the debt, so not recorded; the step asks again how much is owed."""
    here = progress.step if progress is not None and not progress.paused else None
    return here is Step.AMOUNT and not understand.is_question(text) and income_not_owed(text)


def foreign_amount(progress: Progress | None, text: str) -> bool:
    """At a step asking for yuan (the amount owed, the monthly amount), whether the text gives an amount in another
    currency ("差不多六萬台幣", "about 8000 dollars"): not recorded, and no rate guessed; the step asks in yuan."""
    here = progress.step if progress is not None and not progress.paused else None
    return (
        here in (Step.AMOUNT, Step.MONTHLY)
        and not understand.is_question(text)
        and foreign_currency(text)
        and bool(amounts_in(text))
    )


def tries_number(progress: Progress | None, text: str, walkthrough: Walkthrough) -> bool:
    """Whether the text tries to give the number the current step asks for and could not be read ("去年10月开始的"),
    or gave it beside other words ("两个月了吧 工作也丢了"): unless the knowledge base answers it (it may be a
    question naming a number), the step reads it, or asks again with an example, never a menu of topics."""
    if not (wants_number(progress) and understand.tries_number(text)):
        return False
    answer = understood(progress, text, walkthrough)
    return answer is None or (isinstance(answer, Number) and answer.in_clause)


def bad_month_unread(progress: Progress | None, text: str, walkthrough: Walkthrough) -> bool:
    """At the monthly step, good and bad months whose bad one is too vague to read ("差的时候几百"): the step asks
    what the user can pay in a bad month."""
    here = progress.step if progress is not None else None
    return here is Step.MONTHLY and varies(text) and tries_number(progress, text, walkthrough)


def at_checklist(progress: Progress | None) -> bool:
    """Whether the user is at a checklist step (materials, requests), where typed text the knowledge base cannot
    answer is met with how the checklist works rather than "I don't know"."""
    return wants_text(progress) and progress is not None and SCREEN[progress.step].interaction is Interaction.CHECKLIST


def names_option(progress: Progress | None, text: str, walkthrough: Walkthrough) -> bool:
    """Whether the text picks one of the current step's options by naming it (the whole text is the name: "jiebei"),
    which says nothing about the language the user writes in."""
    answer = understood(progress, text, walkthrough)
    return isinstance(answer, Picked) and answer.exact


def names_button(progress: Progress | None, text: str, walkthrough: Walkthrough) -> bool:
    """Whether the whole text names one of the current step's options or a move its buttons make ("back", "跳过"),
    which says nothing about the language the user writes in."""
    return names_option(progress, text, walkthrough) or said_move(progress, text, walkthrough) is not None


def names_any_option(progress: Progress | None, text: str, walkthrough: Walkthrough) -> bool:
    """Whether the text picks one of the current step's options, by its name or inside a sentence ("单少了")."""
    return isinstance(understood(progress, text, walkthrough), Picked)


def asks_calculator(action: Walk, progress: Progress | None) -> bool:
    """Whether a button asks to work the monthly amount out with the /plan calculator (only at the monthly step)."""
    asks = action == Walk(WalkVerb.CALC, Step.MONTHLY.value)
    return asks and progress is not None and progress.step is Step.MONTHLY


def use_amount_choice(progress: Progress | None, amount: int, walkthrough: Walkthrough, lang: Lang) -> Choice | None:
    """Under a /plan result: a button taking its monthly amount as the walkthrough's — at the monthly step one tap
    records it and goes on to the contact step; past it, it replaces the amount given there (the opening script and
    /resume then say what the user finally chose). None before the monthly step, or when the amounts agree."""
    if progress is None or amount <= 0:
        return None
    if progress.step is not Step.MONTHLY and (not past_monthly(progress) or progress.monthly_typed == amount):
        return None
    value = walkthrough.say("steps.monthly.typed", lang, n=amount)
    use = Walk(WalkVerb.USE, Step.MONTHLY.value, str(amount)).pack()
    return Choice(walkthrough.say("buttons.use_amount", lang, value=value), use)


def past_monthly(progress: Progress) -> bool:
    """Whether the user has gone beyond the monthly step (it lies behind them on their way)."""
    steps = path(progress.result)
    return progress.step in steps and steps.index(progress.step) > steps.index(Step.MONTHLY)


def current_prompt(progress: Progress | None, walkthrough: Walkthrough, lang: Lang) -> list[Reply]:
    """The current step shown again (for /resume, and after answering a side question)."""
    if progress is None:
        start = Choice(walkthrough.say("buttons.start", lang), Walk(WalkVerb.START).pack())
        return [screens.say("messages.not_started", walkthrough, lang, start)]
    return [screens.prompt(answers.fit(progress, walkthrough), walkthrough, lang)]


def continue_choice(progress: Progress | None, walkthrough: Walkthrough, lang: Lang) -> Choice | None:
    """The button under a side answer that returns to the walkthrough; None when there is nothing to return to."""
    if progress is None or progress.step is Step.DONE:
        return None
    stage = screens.stage_title(progress.step, walkthrough, lang)
    return Choice(walkthrough.say("buttons.continue", lang, stage=stage), Walk(WalkVerb.RESUME).pack())


def goto_choice(target: Step, walkthrough: Walkthrough, lang: Lang) -> Choice:
    """A button that opens the walkthrough at `target` (offered under an answer that explains that step)."""
    stage = screens.stage_title(target, walkthrough, lang)
    return Choice(walkthrough.say("buttons.goto", lang, stage=stage), Walk(WalkVerb.GOTO, target.value).pack())


def script_reply(progress: Progress | None, entry_id: str, walkthrough: Walkthrough, lang: Lang) -> Reply | None:
    """Beside the answer about what to say to customer service: the opening words filled in with the user's own
    walkthrough answers; None for another entry, or when nothing is answered yet (the answer's generic words do)."""
    if entry_id != SCRIPT_ENTRY or progress is None:
        return None
    if not any(answers.answered(progress, step) for step in _SCRIPT_STEPS):
        return None
    return Reply(walkthrough.say("steps.contact.yours", lang, script=screens.script_text(progress, walkthrough, lang)))


#: The steps whose answers the opening words say.
_SCRIPT_STEPS: Final = (
    Step.PRODUCT, Step.DAYS, Step.AMOUNT, Step.CAUSE, Step.MATERIALS, Step.CHANNEL, Step.REQUESTS, Step.MONTHLY,
)  # fmt: skip


def step_for_entry(entry_id: str) -> Step | None:
    """The walkthrough step a knowledge entry explains (steps.materials → MATERIALS, …), if any."""
    return _ENTRY_STEPS.get(entry_id)
