"""The /plan conversation as a pure state machine: `step(state, event, texts, lang) -> (replies, new_state)`.

Five questions in the order of `plan.ORDER` (amount owed, income, essential spending, other debts' payments, the
instalment the user means to offer), each skippable; a typed amount is read by `amounts.parse_amount` (or, in a
sentence, its one amount: "失业金1800"; an income given as good and bad months, its low end, said; a range
("3000到4000", "三四千", "between 3000 and 4000"; "一千多" as 1,000 to 2,000), its cautious end, said; parts
followed by their total, "花呗8000 借呗12000 一共两万", that total, said; letters typed for digits, "5OOO", read and
said), and one it cannot read gets a kind question back with nothing lost, as does text the engine finds nothing
else to answer (`Unread`). An earlier answer put right in words ("不对 开支是3500" at a later question) goes to its
question (`plancorrect`), and the open question is asked again; so does the answer just given, taken back with no
question named ("不对 是一万五"; "不对" alone asks its question again). An amount for another question's subject
("房租加生活费两万五" asked for income) is not filed, and said so; 0 of spending is asked once more before it
counts; a button's label typed ("跳過") acts as the button. A debt below the monthly offer is asked again before any
result is built on it. After the last question the result is shown, with a chart when the schedule has more than
three instalments. The state keeps the answers only (whole yuan), so a restart loses nothing, and is JSON-able for
the engine to store. `planchat.mmd` beside this file draws the graph.

The parts, each a sibling module: `planstate` (the state and its saved shape), `planprompts` (the open question and
its buttons), `planresult` (the result, and the warning for a monthly amount chosen elsewhere), `planqueries` (what
the engine asks between steps). This module turns events into replies; the public names of all are importable here.

Button actions all start with ``p:`` and name the question they belong to, so a button from an old message is
recognised as stale:

    p:skip:<field> | p:keep:<field>      skip the question / keep the amount already there (from the walkthrough)
    p:stop | p:again | p:resume          stop the calculation / start it again / show the current question
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Final

from bot.core.actions import PlanPress, unpack
from bot.core.amounts import (
    VAGUE,
    Parts,
    Spread,
    Unreadable,
    amount_in_sentence,
    foreign_currency,
    owed_in_sentence,
    parse_amount,
    parts_in,
    spread_in,
    varies,
)
from bot.core.i18n import Lang, to_simplified
from bot.core.plan import ORDER, Field, Inputs
from bot.core.plancorrect import Correction, TakenBack, earlier_corrected, just_taken_back, other_subject
from bot.core.planprompts import continue_choice, current_prompt, left_open_prompt, money, question
from bot.core.planqueries import (
    asking,
    gives_amount,
    just_finished,
    left_open,
    paused,
    reads_as_amount,
    reads_as_answer,
)
from bot.core.planresult import proposal_warning, result_reply, suggested_monthly
from bot.core.planstate import STATE_VERSION, PlanState, SavedAnswers, SavedPlan
from bot.core.plantexts import PlanTexts
from bot.core.replies import Reply
from bot.core.slips import letters_as_digits
from bot.errors import ActionError

__all__ = [
    "STATE_VERSION",
    "Event",
    "Outcome",
    "PlanState",
    "Press",
    "SavedAnswers",
    "SavedPlan",
    "Start",
    "Stop",
    "Typed",
    "Unknown",
    "Unread",
    "asking",
    "continue_choice",
    "current_prompt",
    "gives_amount",
    "just_finished",
    "left_open",
    "left_open_prompt",
    "paused",
    "proposal_warning",
    "reads_as_amount",
    "reads_as_answer",
    "result_reply",
    "step",
    "suggested_monthly",
]

#: Questions where good and bad months, or a range, count at their low end ("好的时候四五千差的时候一两千" is 1,000 of
#: income): what the user can count on every month. Elsewhere a range counts at its high end ("房租加吃饭三四千" is
#: 4,000 of spending): what is owed or goes out is better not underestimated.
_LOW_END: Final = frozenset({Field.INCOME, Field.PROPOSAL})
#: The questions whose answer may be listed in parts and added up ("房租800 吃饭1000 话费200"); an income or an offer
#: typed with two amounts more often gives one and what is left of it ("收入5000 最多能还1500").
_ADDED_UP: Final = frozenset({Field.SPENDING, Field.OTHER})
#: An amount ending in a unit with "-odd" after it ("一千多", "3万多块", "三万几吧"): a range of one step of that unit.
_ODD: Final = re.compile(
    r"(?:大概|大约|约|差不多)?\s*(?P<amount>[0-9一二两三四五六七八九十百千万]*?(?P<unit>[十百千万]))\s*[多几]"
    r"\s*(?:块钱|块|元)?\s*(?:左右|吧)?"
)
_UNITS: Final = {"十": 10, "百": 100, "千": 1000, "万": 10_000}


# --- events -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """/plan; `owed` and `proposal` are amounts the user already gave (in the walkthrough), offered to keep."""

    owed: int | None = None
    proposal: int | None = None


@dataclass(frozen=True)
class Typed:
    text: str


@dataclass(frozen=True)
class Press:
    """A /plan button came back: the typed action, or its token as the button carried it (read here)."""

    action: PlanPress | str


@dataclass(frozen=True)
class Stop:
    """/cancel during the calculation."""


@dataclass(frozen=True)
class Unknown:
    """The user typed that they don't know ("不知道"): the open question is skipped, as its button would."""


@dataclass(frozen=True)
class Unread:
    """Typed text the calculation did not take as its answer and nothing else answered (a long story, a question the
    knowledge base has no answer for): the user is told so, and the open question is asked again."""


Event = Start | Typed | Press | Stop | Unknown | Unread
Outcome = tuple[list[Reply], PlanState | None]


def step(state: PlanState | None, event: Event, texts: PlanTexts, lang: Lang) -> Outcome:
    """The replies to `event` and the state to store (None: nothing to keep)."""
    match event:
        case Start() if state is not None and state.asking is not None:  # an unfinished calculation: go on with it
            going_on = replace(state, paused=False)
            return [question(going_on, texts, lang, lead=texts.say("messages.resumed", lang))], going_on
        case Start(owed=owed, proposal=proposal):
            earlier = state.result if state is not None else None
            fresh = PlanState(Field.OWED, Inputs(owed=owed, proposal=proposal or None), earlier=earlier)
            return [Reply(texts.say("messages.intro", lang)), question(fresh, texts, lang)], fresh
        case Stop():  # the last result shown, if any, stays the user's plan
            result = state.result if state is not None else None
            return [Reply(texts.say("messages.stopped", lang))], PlanState(None, result) if result is not None else None
        case Typed(text=text) if asking(state) and state is not None and foreign_currency(text):
            # "6萬台幣": never taken as yuan, nor converted at a rate made up here; asked for in yuan
            return [question(state, texts, lang, lead=texts.say("problems.foreign_currency", lang))], state
        case Typed(text=text):
            return _typed(state, text, texts, lang)
        case Press(action=action):
            return _press(state, action, texts, lang)
        case Unknown() | Unread():
            return _no_amount(state, event, texts, lang)
    raise AssertionError(f"unknown event {event!r}")


def _no_amount(state: PlanState | None, event: Unknown | Unread, texts: PlanTexts, lang: Lang) -> Outcome:
    """ "不知道" skips the open question; text taken for nothing is said to be so, and the question asked again."""
    if state is None or state.asking is None:
        return [Reply(texts.say("messages.not_started", lang))], state
    if isinstance(event, Unread):
        return [question(state, texts, lang, lead=texts.say("problems.not_taken", lang))], state
    return _answer(state, replace(state.inputs, **{state.asking.value: None}), texts, lang)


def _typed(state: PlanState | None, text: str, texts: PlanTexts, lang: Lang) -> Outcome:
    if state is None or state.asking is None:
        return [Reply(texts.say("messages.not_started", lang))], state
    label = _button_typed(text, texts)
    if label == "skip":  # "跳过" typed, as the button says: the button's own effect
        return _answer(state, replace(state.inputs, **{state.asking.value: None}), texts, lang)
    if label == "stop":
        return step(state, Stop(), texts, lang)
    corrected = earlier_corrected(state.asking, text)
    if corrected is not None:  # "不对 开支是3500" at a later question: that answer, not this one
        return _corrected(state, corrected, texts, lang)
    taken_back = None if state.rechecking else just_taken_back(state.asking, text)
    if taken_back is not None:  # "不对 是一万五" right after an answer: that answer, not this question's
        return _taken_back(state, taken_back, texts, lang)
    elsewhere = other_subject(state.asking, text)
    if elsewhere is not None:  # "房租加生活费两万五" at the income question: not filed as income, said so
        item = texts.say(f"items.{elsewhere.value}", lang)
        return [question(state, texts, lang, lead=texts.say("messages.other_subject", lang, item=item))], state
    odd = _odd(text) if state.asking not in _LOW_END else None
    if odd is not None:  # "一千多", "三萬幾" where a range counts high: up to the next step of its last unit, said
        return _ranged(state, odd, texts, lang)
    slipped = letters_as_digits(text)
    if slipped is not None and isinstance(read := parse_amount(slipped), int):  # "5OOO": read as 5000, and said
        said = Reply(texts.say("messages.letters_read", lang, typed=text.strip(), amount=money(read)))
        replies, moved = _read(state, slipped, texts, lang)
        return ([said, *replies], moved) if moved != state else (replies, moved)
    return _read(state, text, texts, lang)


def _read(state: PlanState, text: str, texts: PlanTexts, lang: Lang) -> Outcome:
    """Typed text read as the open question's answer: an amount, a range, parts, or one amount in a sentence."""
    assert state.asking is not None
    amount = parse_amount(text)
    spread = spread_in(text) if isinstance(amount, Unreadable) else None
    if spread is not None and state.asking in _LOW_END and varies(text):  # good and bad months: the bad one
        replies, moved = _answer(state, replace(state.inputs, **{state.asking.value: spread.low}), texts, lang)
        said = Reply(texts.say("messages.low_end", lang, amount=money(spread.low), high=money(spread.high)))
        return [said, *replies], moved
    if spread is not None:  # "3000到4000", "三四千", "between 3000 and 4000": the cautious end, said
        return _ranged(state, spread, texts, lang)
    if amount is Unreadable.NOT_A_NUMBER and varies(text):
        # good and bad months with no bad month read ("差的时候几百"): never the good one
        problem = "bad_month" if state.asking in _LOW_END and VAGUE.search(text) else "range"
        return [question(state, texts, lang, lead=texts.say(f"problems.{problem}", lang))], state
    listed = _listed(state, text, texts, lang) if amount is Unreadable.NOT_A_NUMBER else None
    if listed is not None:
        return listed
    if amount is Unreadable.NOT_A_NUMBER and state.asking in _ADDED_UP:  # "房租800 吃饭1000 一共1800"
        amount = owed_in_sentence(text) or amount
    in_sentence = amount is Unreadable.NOT_A_NUMBER
    if amount is Unreadable.NOT_A_NUMBER:  # "失业金1800", "现在没收入 失业金1800": the one amount the sentence gives
        amount = amount_in_sentence(text) or amount
    if isinstance(amount, Unreadable):
        return [question(state, texts, lang, lead=texts.say(f"problems.{amount.value}", lang))], state
    if amount == 0 and (zero := _zero(state, texts, lang)) is not None:
        return zero
    replies, moved = _answer(state, replace(state.inputs, **{state.asking.value: amount}), texts, lang)
    if in_sentence:  # read out of a sentence ("no income, my parents send me 1500 a month"): what was taken, said
        return [Reply(texts.say("messages.read_in_sentence", lang, amount=money(amount))), *replies], moved
    return replies, moved


def _zero(state: PlanState, texts: PlanTexts, lang: Lang) -> Outcome | None:
    """0 typed where it cannot stand as it is: an offer of 0 is asked again; 0 of spending, which would offer the whole
    income each month, is asked once more, the 0 kept until then (typed again, it counts). None: 0 is taken."""
    if state.asking is Field.PROPOSAL:
        return [question(state, texts, lang, lead=texts.say("messages.zero_proposal", lang))], state
    if state.asking is Field.SPENDING and state.inputs.spending != 0:
        held = replace(state, inputs=replace(state.inputs, spending=0))
        return [question(held, texts, lang, lead=texts.say("messages.zero_spending", lang))], held
    return None


def _corrected(state: PlanState, corrected: Correction, texts: PlanTexts, lang: Lang) -> Outcome:
    """An earlier answer put right in words while a later question is open: recorded there, said, and the open
    question asked again."""
    fixed = replace(state, inputs=replace(state.inputs, **{corrected.field.value: corrected.amount}))
    item = texts.say(f"items.{corrected.field.value}", lang)
    said = texts.say("messages.corrected", lang, item=item, amount=money(corrected.amount))
    return [question(fixed, texts, lang, lead=said)], fixed


def _taken_back(state: PlanState, taken: TakenBack, texts: PlanTexts, lang: Lang) -> Outcome:
    """The answer just given taken back: with the right amount, recorded there and the open question asked again;
    with none ("不对" alone), its question asked again, the open one following it as before."""
    item = texts.say(f"items.{taken.field.value}", lang)
    if taken.amount is not None:
        return _corrected(state, Correction(taken.field, taken.amount), texts, lang)
    back = PlanState(taken.field, state.inputs, earlier=state.earlier)
    return [question(back, texts, lang, lead=texts.say("messages.ask_again", lang, item=item))], back


def _odd(text: str) -> Spread | None:
    """An amount with "-odd" after its last unit ("一千多", "3万多", "三萬幾") as the range it spans: 1,000 to 2,000."""
    found = _ODD.fullmatch(to_simplified(unicodedata.normalize("NFKC", text)).strip())
    if found is None:
        return None
    low = parse_amount(found["amount"])
    return Spread(low, low + _UNITS[found["unit"]]) if isinstance(low, int) and low > 0 else None


def _button_typed(text: str, texts: PlanTexts) -> str | None:
    """The button ("skip" or "stop") whose label the text is, typed rather than pressed ("跳过", "跳過", "skip")."""
    typed = to_simplified(unicodedata.normalize("NFKC", text)).strip().strip("。.!！「」\"'").casefold()
    for name in ("skip", "stop"):
        if typed in {texts.say(f"buttons.{name}", lang).casefold() for lang in (Lang.ZH_HANS, Lang.EN)}:
            return name
    return None


def _ranged(state: PlanState, spread: Spread, texts: PlanTexts, lang: Lang) -> Outcome:
    """An amount given as a range: its cautious end counts, the low one for what comes in or can be paid
    (`_LOW_END`), the high one for what is owed or goes out; the reply says which was taken and how to change it."""
    assert state.asking is not None
    counted = spread.low if state.asking in _LOW_END else spread.high
    replies, moved = _answer(state, replace(state.inputs, **{state.asking.value: counted}), texts, lang)
    key = "messages.range_low" if state.asking in _LOW_END else "messages.range_high"
    said = Reply(texts.say(key, lang, amount=money(counted), low=money(spread.low), high=money(spread.high)))
    return [said, *replies], moved


def _listed(state: PlanState, text: str, texts: PlanTexts, lang: Lang) -> Outcome | None:
    """Amounts the text lists in parts, read as the answer; None when it lists none that can be read so."""
    assert state.asking is not None
    parts = parts_in(text)
    if parts is None:
        return None
    if state.asking in _ADDED_UP:  # "房租800 吃饭1000 话费200左右": added up, and the sum said so it can be checked
        return _added_up(state, parts, texts, lang)
    if parts.said is not None:  # "花呗8000 借呗12000 一共两万": their total, never the total as a third part
        return _totalled(state, parts, texts, lang)
    return None  # "收入5000 最多能还1500": an income or offer with two amounts is not added up


def _added_up(state: PlanState, parts: Parts, texts: PlanTexts, lang: Lang) -> Outcome:
    """Amounts listed in parts, counted as their total, and the sum said so it can be checked; a total said after
    them ("房租1200吃饭800 差不多2000多") is read as theirs, not one more part, and the reply says so."""
    assert state.asking is not None
    replies, moved = _answer(state, replace(state.inputs, **{state.asking.value: parts.total}), texts, lang)
    sums = " + ".join(money(part) for part in parts.parts)
    if parts.said is None:
        said = texts.say("messages.added_up", lang, parts=sums, total=money(parts.total))
    else:
        said = texts.say(
            "messages.added_up_total", lang, parts=sums, sum=money(sum(parts.parts)), said=money(parts.said),
            total=money(parts.total),
        )  # fmt: skip
    return [Reply(said), *replies], moved


def _totalled(state: PlanState, parts: Parts, texts: PlanTexts, lang: Lang) -> Outcome:
    """The amount owed, an income or an offer given in parts with their total after them ("工资5000 兼职2000 一共7000"):
    the total is counted, and the reply says it was read so. Where sum and total differ a little, the safer of the two
    counts: the larger for what is owed, the smaller for what comes in or is offered (`_LOW_END`)."""
    assert state.asking is not None
    assert parts.said is not None
    summed = sum(parts.parts)
    counted = min(summed, parts.said) if state.asking in _LOW_END else max(summed, parts.said)
    replies, moved = _answer(state, replace(state.inputs, **{state.asking.value: counted}), texts, lang)
    sums = " + ".join(money(part) for part in parts.parts)
    said = texts.say(
        "messages.total_of_parts", lang, parts=sums, sum=money(summed), said=money(parts.said), total=money(counted)
    )
    return [Reply(said), *replies], moved


def _press(state: PlanState | None, action: PlanPress | str, texts: PlanTexts, lang: Lang) -> Outcome:
    pressed = _plan_press(action)
    kind, target = (pressed.verb.value, pressed.field) if pressed is not None else ("", "")
    if kind == "again":
        last = state.inputs if state is not None else Inputs()
        shown = PlanState(None, state.result) if state is not None and state.result is not None else None
        return step(shown, Start(last.owed, last.proposal), texts, lang)
    if kind == "stop":
        return step(state, Stop(), texts, lang)
    if state is None or state.asking is None:
        return [Reply(texts.say("messages.not_started", lang))], state
    if kind == "resume":
        going_on = replace(state, paused=False)
        return [question(going_on, texts, lang)], going_on
    if target != state.asking.value or kind not in {"skip", "keep"}:
        return [Reply(texts.say("messages.stale", lang)), question(state, texts, lang)], state
    inputs = state.inputs if kind == "keep" else replace(state.inputs, **{state.asking.value: None})
    return _answer(state, inputs, texts, lang)


def _plan_press(action: PlanPress | str) -> PlanPress | None:
    """The /plan action a button carries; None for a token that is not one (forged, or another kind)."""
    if isinstance(action, PlanPress):
        return action
    try:
        unpacked = unpack(action)
    except ActionError:
        return None
    return unpacked if isinstance(unpacked, PlanPress) else None


def _answer(state: PlanState, inputs: Inputs, texts: PlanTexts, lang: Lang) -> Outcome:
    """Record the answer to the open question and ask the next one, or show the result after the last."""
    assert state.asking is not None
    position = ORDER.index(state.asking)
    if position + 1 < len(ORDER) and not state.rechecking:
        moved = PlanState(ORDER[position + 1], inputs, earlier=state.earlier)
        return [question(moved, texts, lang)], moved
    owed, proposal = inputs.owed, inputs.proposal
    if not state.rechecking and owed is not None and proposal is not None and 0 < owed < proposal:
        # a debt below one month's offer ("5" for 5,000?): asked again before any result is built on it
        check = PlanState(Field.OWED, inputs, earlier=state.earlier, rechecking=True)
        lead = texts.say("messages.owed_check", lang, owed=money(owed), proposal=money(proposal))
        return [question(check, texts, lang, lead=lead)], check
    done = PlanState(None, inputs)
    return [result_reply(inputs, texts, lang)], done
