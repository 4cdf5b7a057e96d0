"""The /plan conversation as a pure state machine: `step(state, event, texts, lang) -> (replies, new_state)`.

Five questions in the order of `plan.ORDER` (amount owed, income, essential spending, other debts' payments, the
instalment the user means to offer), each skippable; a typed amount is read by `amounts.parse_amount` (or, in a
sentence, its one amount: "失业金1800"; an income given as good and bad months, its low end, said; parts followed by
their total, "花呗8000 借呗12000 一共两万", that total, said), and one it
cannot read gets a kind question back with nothing lost. After
the last question the result is shown, with a chart when the schedule has more than three instalments. The state
keeps the answers only (whole yuan), so a restart loses nothing, and is JSON-able for the engine to store.
`planchat.mmd` beside this file draws the graph.

Button actions all start with ``p:`` and name the question they belong to, so a button from an old message is
recognised as stale:

    p:skip:<field> | p:keep:<field>      skip the question / keep the amount already there (from the walkthrough)
    p:stop | p:again | p:resume          stop the calculation / start it again / show the current question
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Annotated, Final, Literal

import msgspec

from bot import schema
from bot.core.actions import PlanPress, PlanVerb, unpack
from bot.core.amounts import (
    MAX_YUAN,
    VAGUE,
    Parts,
    Unreadable,
    amount_in_sentence,
    amounts_in,
    foreign_currency,
    owed_in_sentence,
    parse_amount,
    parts_in,
    spread_in,
    varies,
)
from bot.core.i18n import Lang
from bot.core.plan import LONG_MONTHS, ORDER, Field, Inputs, Result, Schedule, Verdict, compute, surplus
from bot.core.plantexts import PlanTexts
from bot.core.replies import Chart, Choice, Reply
from bot.errors import ActionError

STATE_VERSION: Final = 1
#: Questions whose answer may already be known (from the walkthrough or the last plan), offered with a "keep" button.
_KEEPABLE: Final = frozenset({Field.OWED, Field.PROPOSAL})
#: Questions where good and bad months count at their low end ("好的时候四五千差的时候一两千" is 1,000 of income): what
#: the user can count on every month. A plain range ("3-5千") is asked about, here and elsewhere.
_LOW_END: Final = frozenset({Field.INCOME, Field.PROPOSAL})
#: The questions whose answer may be listed in parts and added up ("房租800 吃饭1000 话费200"); an income or an offer
#: typed with two amounts more often gives one and what is left of it ("收入5000 最多能还1500").
_ADDED_UP: Final = frozenset({Field.SPENDING, Field.OTHER})
#: A typed text longer than this, or with a question word, is a side question, not an amount.
_ANSWER_CHARS: Final = 40
_QUESTION: Final = re.compile(
    r"[?？]|吗|嗎|怎么|怎麼|如何|什么|什麼|为什么|為什麼|能不能|可不可以|\b(how|what|why|can|should|will)\b"
)


@dataclass(frozen=True)
class PlanState:
    """The answers so far; `asking` is the open question, None once the result has been shown.

    `paused`: the user went into the walkthrough or a tool (/log, /reminders, /export) meanwhile, or got the crisis
    reply, so typed numbers are not the open question's answers; it waits for /plan or a plan button. `earlier`: the
    answers of the last result shown, while a new calculation is under way — that result stays the user's plan (for
    /export) until the new one is shown, and comes back if the new one is stopped.
    """

    asking: Field | None = Field.OWED
    inputs: Inputs = field(default_factory=Inputs)
    paused: bool = False
    earlier: Inputs | None = None

    @property
    def result(self) -> Inputs | None:
        """The answers of the latest result the user was shown, if any."""
        return self.inputs if self.asking is None else self.earlier

    def to_dict(self) -> dict[str, object]:
        """A JSON-able dict in the saved shape (`SavedPlan`); `from_dict` reads it back."""
        earlier = None if self.earlier is None else _answers(self.earlier)
        saved = SavedPlan(
            version=STATE_VERSION, asking=self.asking, paused=self.paused, earlier=earlier, **_fields(self.inputs)
        )
        built: dict[str, object] = msgspec.to_builtins(saved)
        return built

    @classmethod
    def from_dict(cls, data: object) -> PlanState | None:
        """Read a stored state (None: there is none); one without the saved shape raises StateError saying where."""
        if data is None:
            return None
        saved = schema.saved(data, SavedPlan, "saved /plan calculation")
        earlier = None if saved.earlier is None else Inputs(**_fields(saved.earlier))
        return cls(saved.asking, Inputs(**_fields(saved)), saved.paused, earlier)


#: A stored answer in whole yuan.
Amount = Annotated[int, msgspec.Meta(ge=0, le=MAX_YUAN)]


class SavedAnswers(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The answers of one calculation, in whole yuan (None: skipped or not asked yet); keys are `Field` values."""

    owed: Amount | None = None
    income: Amount | None = None
    spending: Amount | None = None
    other: Amount | None = None
    proposal: Amount | None = None


class SavedPlan(SavedAnswers, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The saved /plan state: the open question, and the answers beside it (the fields of `SavedAnswers`). `paused`
    and `earlier` are absent in states saved before they were kept."""

    version: Literal[1]
    asking: Field | None = None
    paused: bool = False
    earlier: SavedAnswers | None = None


def _answers(inputs: Inputs) -> SavedAnswers:
    return SavedAnswers(**{question.value: inputs.get(question) for question in ORDER})


def _fields(answers: Inputs | SavedAnswers | SavedPlan) -> dict[str, int | None]:
    return {question.value: getattr(answers, question.value) for question in ORDER}


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


Event = Start | Typed | Press | Stop | Unknown
Outcome = tuple[list[Reply], PlanState | None]


def step(state: PlanState | None, event: Event, texts: PlanTexts, lang: Lang) -> Outcome:
    """The replies to `event` and the state to store (None: nothing to keep)."""
    match event:
        case Start() if state is not None and state.asking is not None:  # an unfinished calculation: go on with it
            going_on = replace(state, paused=False)
            return [_question(going_on, texts, lang, lead=texts.say("messages.resumed", lang))], going_on
        case Start(owed=owed, proposal=proposal):
            earlier = state.result if state is not None else None
            fresh = PlanState(Field.OWED, Inputs(owed=owed, proposal=proposal or None), earlier=earlier)
            return [Reply(texts.say("messages.intro", lang)), _question(fresh, texts, lang)], fresh
        case Stop():  # the last result shown, if any, stays the user's plan
            result = state.result if state is not None else None
            return [Reply(texts.say("messages.stopped", lang))], PlanState(None, result) if result is not None else None
        case Typed(text=text) if asking(state) and state is not None and foreign_currency(text):
            # "6萬台幣": never taken as yuan, nor converted at a rate made up here; asked for in yuan
            return [_question(state, texts, lang, lead=texts.say("problems.foreign_currency", lang))], state
        case Typed(text=text):
            return _typed(state, text, texts, lang)
        case Press(action=action):
            return _press(state, action, texts, lang)
        case Unknown():
            if state is None or state.asking is None:
                return [Reply(texts.say("messages.not_started", lang))], state
            return _answer(state, replace(state.inputs, **{state.asking.value: None}), texts, lang)
    raise AssertionError(f"unknown event {event!r}")


def _typed(state: PlanState | None, text: str, texts: PlanTexts, lang: Lang) -> Outcome:
    if state is None or state.asking is None:
        return [Reply(texts.say("messages.not_started", lang))], state
    amount = parse_amount(text)
    spread = spread_in(text) if isinstance(amount, Unreadable) else None
    if spread is not None and state.asking in _LOW_END and varies(text):  # good and bad months: the bad one
        replies, moved = _answer(state, replace(state.inputs, **{state.asking.value: spread.low}), texts, lang)
        said = Reply(texts.say("messages.low_end", lang, amount=_money(spread.low), high=_money(spread.high)))
        return [said, *replies], moved
    if spread is not None:
        amount = Unreadable.RANGE
    elif amount is Unreadable.NOT_A_NUMBER and varies(text):
        # good and bad months with no bad month read ("差的时候几百"): never the good one
        problem = "bad_month" if state.asking in _LOW_END and VAGUE.search(text) else "range"
        return [_question(state, texts, lang, lead=texts.say(f"problems.{problem}", lang))], state
    listed = _listed(state, text, texts, lang) if amount is Unreadable.NOT_A_NUMBER else None
    if listed is not None:
        return listed
    if amount is Unreadable.NOT_A_NUMBER and state.asking in _ADDED_UP:  # "房租800 吃饭1000 一共1800"
        amount = owed_in_sentence(text) or amount
    if amount is Unreadable.NOT_A_NUMBER:  # "失业金1800", "现在没收入 失业金1800": the one amount the sentence gives
        amount = amount_in_sentence(text) or amount
    if isinstance(amount, Unreadable):
        return [_question(state, texts, lang, lead=texts.say(f"problems.{amount.value}", lang))], state
    if state.asking is Field.PROPOSAL and amount == 0:
        return [_question(state, texts, lang, lead=texts.say("messages.zero_proposal", lang))], state
    return _answer(state, replace(state.inputs, **{state.asking.value: amount}), texts, lang)


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
    sums = " + ".join(_money(part) for part in parts.parts)
    if parts.said is None:
        said = texts.say("messages.added_up", lang, parts=sums, total=_money(parts.total))
    else:
        said = texts.say(
            "messages.added_up_total", lang, parts=sums, sum=_money(sum(parts.parts)), said=_money(parts.said),
            total=_money(parts.total),
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
    sums = " + ".join(_money(part) for part in parts.parts)
    said = texts.say(
        "messages.total_of_parts", lang, parts=sums, sum=_money(summed), said=_money(parts.said), total=_money(counted)
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
        return [_question(going_on, texts, lang)], going_on
    if target != state.asking.value or kind not in {"skip", "keep"}:
        return [Reply(texts.say("messages.stale", lang)), _question(state, texts, lang)], state
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
    if position + 1 < len(ORDER):
        moved = PlanState(ORDER[position + 1], inputs, earlier=state.earlier)
        return [_question(moved, texts, lang)], moved
    done = PlanState(None, inputs)
    return [result_reply(inputs, texts, lang)], done


def _question(state: PlanState, texts: PlanTexts, lang: Lang, *, lead: str = "") -> Reply:
    assert state.asking is not None
    asking = state.asking
    known = state.inputs.get(asking)
    choices: list[Choice] = []
    if asking in _KEEPABLE and known is not None:
        text = texts.say(f"questions.{asking.value}_known", lang, amount=_money(known))
        keep = PlanPress(PlanVerb.KEEP, asking.value).pack()
        choices.append(Choice(texts.say("buttons.keep", lang, amount=_money(known)), keep))
    else:
        text = texts.say(f"questions.{asking.value}", lang)
    choices += [
        Choice(texts.say("buttons.skip", lang), PlanPress(PlanVerb.SKIP, asking.value).pack()),
        Choice(texts.say("buttons.stop", lang), PlanPress(PlanVerb.STOP).pack()),
    ]
    return Reply(f"{lead}\n\n{text}" if lead else text, tuple(choices))


def _money(yuan: int) -> str:
    return f"{yuan:,}"


def _schedule_line(plan: Schedule, texts: PlanTexts, lang: Lang) -> str:
    if plan.months == 1:
        return texts.say("result.schedule_once", lang, amount=_money(plan.total))
    if plan.last == plan.monthly:
        return texts.say("result.schedule_even", lang, months=plan.months, amount=_money(plan.monthly))
    return texts.say(
        "result.schedule_last", lang, months=plan.months - 1, amount=_money(plan.monthly), last=_money(plan.last),
        last_month=plan.months, total_months=plan.months,
    )  # fmt: skip


def result_reply(inputs: Inputs, texts: PlanTexts, lang: Lang) -> Reply:
    """The result of the calculation as one message, with the chart of the schedule it recommends."""
    result = compute(inputs)

    def shown(question: Field) -> str:
        value = inputs.get(question)
        if value is None:
            return texts.say("result.skipped", lang)
        return texts.say("result.amount", lang, amount=_money(value))

    lines = [texts.say("result.given", lang, **{question.value: shown(question) for question in ORDER})]
    if result.surplus is not None and result.surplus > 0:
        lines.append(texts.say("result.surplus", lang, amount=_money(result.surplus)))
    if result.counted_as_zero:
        items = texts.say("result.list_separator", lang).join(
            texts.say(f"result.item_{question.value}", lang) for question in result.counted_as_zero
        )
        lines.append(texts.say("result.counted_as_zero", lang, items=items))
    lines += _verdict_lines(result, inputs, texts, lang)
    recommended = result.instead if result.verdict is Verdict.TOO_HIGH else result.plan
    if recommended is not None and recommended.months > LONG_MONTHS:
        years = f"{recommended.months / 12:.1f}".removesuffix(".0")
        lines.append(texts.say("result.long", lang, months=recommended.months, years=years))
    if recommended is not None or result.plan is not None:  # a schedule was shown: say what it leaves out
        lines.append(texts.say("result.no_interest", lang))
    chart = _chart(recommended, texts, lang) if recommended is not None and recommended.drawable else None
    again = Choice(texts.say("buttons.again", lang), PlanPress(PlanVerb.AGAIN).pack())
    return Reply("\n\n".join(lines), (again,), title=texts.say("result.title", lang), chart=chart)


def _verdict_lines(result: Result, inputs: Inputs, texts: PlanTexts, lang: Lang) -> list[str]:
    verdict, plan, surplus, proposal = result.verdict, result.plan, result.surplus or 0, inputs.proposal or 0
    if verdict is Verdict.NO_SURPLUS:
        return [texts.say("verdicts.no_surplus", lang, amount=_money(surplus))]
    if verdict is Verdict.UNCHECKED and plan is not None:
        return [
            _schedule_line(plan, texts, lang),
            texts.say("verdicts.unchecked", lang, proposal=_money(proposal)),
        ]
    if verdict is Verdict.FITS and plan is not None:
        if plan.months > LONG_MONTHS:  # not to be proposed as it is: `result.long` says why and what to do
            return [_schedule_line(plan, texts, lang)]
        return [_schedule_line(plan, texts, lang), texts.say("verdicts.fits", lang, months=plan.months)]
    if verdict is Verdict.TOO_HIGH:
        warning = _too_high(proposal, surplus, texts, lang)
        if result.instead is None:
            return [warning, texts.say("verdicts.no_room", lang)]
        instead = result.instead
        return [
            warning,
            texts.say("verdicts.instead", lang, amount=_money(instead.monthly), months=instead.months),
            _schedule_line(instead, texts, lang),
        ]
    return [texts.say(f"verdicts.{verdict.value}", lang)]


def _too_high(proposal: int, surplus: int, texts: PlanTexts, lang: Lang) -> str:
    if surplus > 0:
        return texts.say("verdicts.too_high", lang, proposal=_money(proposal), surplus=_money(surplus))
    # "more than your surplus (-1,500 yuan)" reads oddly: there is none
    return texts.say("verdicts.too_high_no_surplus", lang, proposal=_money(proposal))


def proposal_warning(inputs: Inputs, proposal: int, texts: PlanTexts, lang: Lang) -> Reply | None:
    """The calculator's kind warning for a monthly amount chosen elsewhere (the walkthrough's monthly step) that the
    user's own /plan numbers say is more than is left each month, with what to ask for instead; None when it fits or
    the numbers cannot tell (no income given)."""
    left = surplus(inputs)
    if left is None or proposal <= left:
        return None
    proposed = replace(inputs, proposal=proposal)
    result = compute(proposed)
    if result.verdict is Verdict.TOO_HIGH:
        return Reply("\n\n".join(_verdict_lines(result, proposed, texts, lang)))
    return Reply(_too_high(proposal, left, texts, lang))  # the amount owed unknown: no schedule to offer instead


def _chart(plan: Schedule, texts: PlanTexts, lang: Lang) -> Chart:
    def say(key: str) -> str:
        return texts.say(f"chart.{key}", lang)

    return Chart(
        instalments=plan.instalments,
        title=say("title"),
        month_axis=say("month_axis"),
        paid_axis=say("paid_axis"),
        left_axis=say("left_axis"),
        paid=say("paid"),
        left=say("left"),
        caption=texts.say("result.chart_caption", lang),
    )


# --- for the engine and transports ---------------------------------------------------------------------------


def asking(state: PlanState | None) -> bool:
    """Whether the calculation waits for an amount (typed numbers are answers, not button numbers)."""
    return state is not None and state.asking is not None and not state.paused


def paused(state: PlanState | None) -> PlanState | None:
    """The state once the walkthrough, a tool or the crisis reply takes over: an open question waits (`left_open`),
    typed text goes elsewhere."""
    return replace(state, paused=True) if asking(state) and state is not None else state


def left_open(state: PlanState | None) -> bool:
    """Whether a question waits while the user is elsewhere (the walkthrough, a tool, after the crisis reply): typed
    numbers are not its answers until /plan or its button brings it back."""
    return state is not None and state.asking is not None and state.paused


def reads_as_amount(text: str) -> bool:
    """Whether typed text is an amount and nothing else ("5万", "12,000"), as an answer to a /plan question reads."""
    amount = parse_amount(text)
    return not isinstance(amount, Unreadable) and amount > 0 and not _QUESTION.search(text.casefold())


def gives_amount(text: str) -> bool:
    """Whether typed text gives an amount, a range of one, or one in another currency, even beside "don't know"
    ("不知道 可能一两千吧"): it is then read as the answer, not as a skip."""
    amount = parse_amount(text)
    return (
        isinstance(amount, int)
        or amount is Unreadable.FOREIGN
        or foreign_currency(text)
        or spread_in(text) is not None
        or bool(amounts_in(text))
    )


def left_open_prompt(texts: PlanTexts, lang: Lang) -> Reply:
    """To an amount typed while the calculation waits elsewhere: it is not taken; back to the question, or stop."""
    back = Choice(texts.say("buttons.continue", lang), PlanPress(PlanVerb.RESUME).pack())
    stop = Choice(texts.say("buttons.stop", lang), PlanPress(PlanVerb.STOP).pack())
    return Reply(texts.say("messages.left_open", lang), (back, stop))


def reads_as_answer(state: PlanState | None, text: str) -> bool:
    """Whether typed text answers the open question; a longer text or a question is a side question instead."""
    return asking(state) and len(text.strip()) <= _ANSWER_CHARS and not _QUESTION.search(text.casefold())


def just_finished(before: PlanState | None, after: PlanState | None) -> bool:
    """Whether a step showed the result: a question was open before, none is after."""
    return before is not None and before.asking is not None and after is not None and after.asking is None


def suggested_monthly(inputs: Inputs) -> int | None:
    """The monthly amount the result recommends (what the surplus carries, the user's own proposal when it fits, or
    what to ask for instead of one that does not); None when the result could not work one out."""
    result = compute(inputs)
    recommended = result.instead if result.verdict is Verdict.TOO_HIGH else result.plan
    return recommended.monthly if recommended is not None else None


def current_prompt(state: PlanState, texts: PlanTexts, lang: Lang) -> list[Reply]:
    """The open question again (after a redelivered update, or when asked where the user is)."""
    if state.asking is None:
        return [Reply(texts.say("messages.not_started", lang))]
    return [_question(state, texts, lang)]


def continue_choice(state: PlanState | None, texts: PlanTexts, lang: Lang) -> Choice | None:
    """Under a side answer mid-calculation, a button back to the open question."""
    if not asking(state):
        return None
    return Choice(texts.say("buttons.continue", lang), PlanPress(PlanVerb.RESUME).pack())
