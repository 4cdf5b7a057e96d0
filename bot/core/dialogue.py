"""The negotiation walkthrough as a pure state machine: `step(state, event, guide, lang) -> (replies, new_state)`.

The user goes through six stages (intake → 5.1 materials → 5.2 channel → 5.3 demands → 5.4 agreement → after-care);
the screens are declared once in `FLOW` and every move between them is in `_transition`. `dialogue.mmd` beside
this file draws the same graph. Nothing here does I/O: texts come from a loaded `Walkthrough`, replies are
transport-neutral values, and the state is a frozen, JSON-able `GuideState` the transport stores.

Button actions all start with ``w:`` (the transport routes them here) and stay under 40 ASCII bytes:

    w:start | w:resume | w:restart | w:goto:<step>         valid from anywhere, even outside the walkthrough
    w:next:<step> | w:back:<step> | w:skip:<step> | w:pause:<step>
                                                           navigation; bare w:next … applies to the current step
    w:o:<step>:<option>                                    answer a single-choice step
    w:t:<item>                                             tick / untick a material (materials step only)
    w:d:<demand>                                           choose / unchoose a demand (demands step only)

An action naming another step than the current one is stale (from an old message): it is answered politely and
the state does not change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import Enum, StrEnum
from typing import Any, Final

from bot.core.i18n import Lang
from bot.core.replies import Choice, Reply
from bot.core.walkthrough import ID_PATTERN, Bucket, Option, Walkthrough

STATE_VERSION: Final = 1
MAX_TERMS: Final = 500


class Step(StrEnum):
    """Every screen of the walkthrough; the values are stored in saved progress and in button actions."""

    PRODUCT = "product"
    DAYS = "days"
    AMOUNT = "amount"
    CAUSE = "cause"
    MATERIALS = "materials"
    CHANNEL = "channel"
    DEMANDS = "demands"
    AGREEMENT = "agreement"
    TERMS = "terms"
    REPAY = "repay"
    RECORDS = "records"
    CREDIT = "credit"
    DONE = "done"


class Stage(StrEnum):
    """The numbered stages of the progress line ("第 2 步 / 共 6 步"); titles are `stages.<value>` in the YAML."""

    INTAKE = "intake"
    MATERIALS = "materials"
    CHANNEL = "channel"
    DEMANDS = "demands"
    AGREEMENT = "agreement"
    AFTERCARE = "aftercare"


class Kind(Enum):
    """What the user does on a screen."""

    CHOICE = "press one option"
    NUMBER = "press a range or type a number"
    CHECKLIST = "tick any number of items"
    TEXT = "type a text"
    INFO = "read"
    SUMMARY = "read the summary"


@dataclass(frozen=True)
class Screen:
    step: Step
    stage: Stage | None
    kind: Kind


#: The walkthrough in order, one row per screen. next and skip move one row down, back one row up; TERMS is only
#: visited after "yes, I have a written agreement" and shares the progress line of AGREEMENT.
FLOW: Final[tuple[Screen, ...]] = (
    Screen(Step.PRODUCT, Stage.INTAKE, Kind.CHOICE),
    Screen(Step.DAYS, Stage.INTAKE, Kind.NUMBER),
    Screen(Step.AMOUNT, Stage.INTAKE, Kind.NUMBER),
    Screen(Step.CAUSE, Stage.INTAKE, Kind.CHOICE),
    Screen(Step.MATERIALS, Stage.MATERIALS, Kind.CHECKLIST),
    Screen(Step.CHANNEL, Stage.CHANNEL, Kind.CHOICE),
    Screen(Step.DEMANDS, Stage.DEMANDS, Kind.CHECKLIST),
    Screen(Step.AGREEMENT, Stage.AGREEMENT, Kind.CHOICE),
    Screen(Step.TERMS, Stage.AGREEMENT, Kind.TEXT),
    Screen(Step.REPAY, Stage.AFTERCARE, Kind.INFO),
    Screen(Step.RECORDS, Stage.AFTERCARE, Kind.INFO),
    Screen(Step.CREDIT, Stage.AFTERCARE, Kind.INFO),
    Screen(Step.DONE, None, Kind.SUMMARY),
)
_SCREEN: Final = {screen.step: screen for screen in FLOW}
_ORDER: Final = tuple(screen.step for screen in FLOW)
_FOLLOW_UP: Final = {Step.TERMS}  # not counted as a part in the progress line

#: The GuideState fields each step records; skip clears them.
_ANSWERS: Final[Mapping[Step, tuple[str, ...]]] = {
    Step.PRODUCT: ("product",),
    Step.DAYS: ("days", "days_typed"),
    Step.AMOUNT: ("amount", "amount_typed"),
    Step.CAUSE: ("cause",),
    Step.MATERIALS: ("ticked",),
    Step.CHANNEL: ("channel",),
    Step.DEMANDS: ("demands",),
    Step.AGREEMENT: ("agreement", "terms"),
    Step.TERMS: ("terms",),
}

#: Knowledge-base entries that explain a step, so an answer can offer to jump there.
_ENTRY_STEPS: Final[Mapping[str, Step]] = {
    "steps.materials": Step.MATERIALS,
    "steps.channel": Step.CHANNEL,
    "steps.demands": Step.DEMANDS,
    "steps.agreement": Step.AGREEMENT,
    "after.repay": Step.REPAY,
    "after.records": Step.RECORDS,
    "after.credit": Step.CREDIT,
}

_AGREEMENT_OPTIONS: Final = ("yes", "no")


@dataclass(frozen=True)
class GuideState:
    """Where a user is in the walkthrough and what they answered; None answers are unanswered or skipped."""

    step: Step = Step.PRODUCT
    product: str | None = None
    days: str | None = None  # a bucket id of steps.days.options
    days_typed: int | None = None  # the number, when the user typed one
    amount: str | None = None
    amount_typed: int | None = None
    cause: str | None = None
    ticked: tuple[str, ...] = ()
    channel: str | None = None
    demands: tuple[str, ...] = ()
    agreement: bool | None = None
    terms: str | None = None
    paused: bool = False
    version: int = STATE_VERSION

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; `from_dict` reads it back."""
        return {
            "version": self.version,
            "step": self.step.value,
            "product": self.product,
            "days": self.days,
            "days_typed": self.days_typed,
            "amount": self.amount,
            "amount_typed": self.amount_typed,
            "cause": self.cause,
            "ticked": list(self.ticked),
            "channel": self.channel,
            "demands": list(self.demands),
            "agreement": self.agreement,
            "terms": self.terms,
            "paused": self.paused,
        }

    @classmethod
    def from_dict(cls, data: object, guide: Walkthrough | None = None) -> GuideState | None:
        """Read a stored state; anything garbled or from another version gives None, never an exception.

        With `guide`, option ids the current YAML no longer has are dropped (`step` does the same on every call).
        """
        if not isinstance(data, Mapping) or data.get("version") != STATE_VERSION:
            return None
        step = data.get("step")
        if not isinstance(step, str) or step not in _ORDER:
            return None
        ids = {key: data.get(key) for key in ("product", "days", "amount", "cause", "channel")}
        numbers = {key: data.get(key) for key in ("days_typed", "amount_typed")}
        lists = {key: data.get(key, []) for key in ("ticked", "demands")}
        agreement, terms, paused = data.get("agreement"), data.get("terms"), data.get("paused", False)
        if (
            not all(value is None or _is_id(value) for value in ids.values())
            or not all(value is None or _is_count(value) for value in numbers.values())
            or not all(isinstance(value, list) and all(_is_id(v) for v in value) for value in lists.values())
            or not (agreement is None or isinstance(agreement, bool))
            or not (terms is None or (isinstance(terms, str) and len(terms) <= MAX_TERMS))
            or not isinstance(paused, bool)
        ):
            return None
        state = cls(
            step=Step(step),
            product=ids["product"],
            days=ids["days"],
            days_typed=numbers["days_typed"],
            amount=ids["amount"],
            amount_typed=numbers["amount_typed"],
            cause=ids["cause"],
            ticked=tuple(dict.fromkeys(lists["ticked"])),
            channel=ids["channel"],
            demands=tuple(dict.fromkeys(lists["demands"])),
            agreement=agreement,
            terms=terms,
            paused=paused,
        )
        return _fit(state, guide) if guide is not None else state


def _is_id(value: object) -> bool:
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# --- Events ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """/guide: start, or offer to resume or restart when the user is mid-way."""


@dataclass(frozen=True)
class Resume:
    """/resume, or the "continue" button under a side answer: unpause and show the current step."""


@dataclass(frozen=True)
class Cancel:
    """/cancel: leave the walkthrough; the state is cleared."""


@dataclass(frozen=True)
class Press:
    """A button's action token came back (only `w:` actions are routed here)."""

    action: str


@dataclass(frozen=True)
class TypedText:
    """Text the user typed while `wants_text(state)` is true."""

    text: str


@dataclass(frozen=True)
class Goto:
    """Jump to a step (a knowledge answer offered it)."""

    step: Step


Event = Start | Resume | Cancel | Press | TypedText | Goto
Outcome = tuple[list[Reply], GuideState | None]


# --- Moves and the transition table ---------------------------------------------------------------------------


class Nav(StrEnum):
    NEXT = "next"
    BACK = "back"
    SKIP = "skip"
    PAUSE = "pause"


@dataclass(frozen=True)
class Pick:
    option: str


@dataclass(frozen=True)
class Toggle:
    item: str


Move = Nav | Pick | Toggle
_NAVS: Final = frozenset(nav.value for nav in Nav)


def _transition(state: GuideState, move: Move, guide: Walkthrough) -> GuideState | None:
    """Every move within the walkthrough. None: the move does not apply on this screen (stale or forged)."""
    here = state.step
    kind = _SCREEN[here].kind
    match move:
        case Nav.NEXT if kind is not Kind.SUMMARY:
            return _forward(state)
        case Nav.SKIP if kind is not Kind.SUMMARY:
            return _forward(_forget(state, here))
        case Nav.BACK:
            return _backward(state)
        case Nav.PAUSE if kind is not Kind.SUMMARY:
            return replace(state, paused=True)
        case Pick("yes") if here is Step.AGREEMENT:
            return replace(state, agreement=True, step=Step.TERMS)
        case Pick("no") if here is Step.AGREEMENT:
            return _forward(replace(state, agreement=False, terms=None))
        case Pick(option) if kind in (Kind.CHOICE, Kind.NUMBER) and option in _option_ids(state, here, guide):
            return _forward(_record(state, here, option))
        case Toggle(item) if kind is Kind.CHECKLIST and item in _option_ids(state, here, guide):
            return _toggle(state, here, item, guide)
    return None


def _forward(state: GuideState) -> GuideState:
    index = _ORDER.index(state.step) + 1
    while index < len(_ORDER) - 1 and not _visited(_ORDER[index], state):
        index += 1
    return replace(state, step=_ORDER[min(index, len(_ORDER) - 1)])


def _backward(state: GuideState) -> GuideState:
    index = _ORDER.index(state.step) - 1
    while index > 0 and not _visited(_ORDER[index], state):
        index -= 1
    return replace(state, step=_ORDER[max(index, 0)])


def _visited(step: Step, state: GuideState) -> bool:
    return step is not Step.TERMS or state.agreement is True


def _forget(state: GuideState, step: Step) -> GuideState:
    defaults: dict[str, Any] = {name: () if name in ("ticked", "demands") else None for name in _ANSWERS.get(step, ())}
    return replace(state, **defaults)


def _record(state: GuideState, step: Step, option: str) -> GuideState:
    if step is Step.DAYS:
        return replace(state, days=option, days_typed=None)
    if step is Step.AMOUNT:
        return replace(state, amount=option, amount_typed=None)
    answer: dict[str, Any] = {_ANSWERS[step][0]: option}
    return replace(state, **answer)


def _toggle(state: GuideState, step: Step, item: str, guide: Walkthrough) -> GuideState:
    name = _ANSWERS[step][0]
    chosen: tuple[str, ...] = getattr(state, name)
    wanted = set(chosen) ^ {item}
    ordered = tuple(option for option in _option_ids(state, step, guide) if option in wanted)
    answer: dict[str, Any] = {name: ordered}
    return replace(state, **answer)


def _option_ids(state: GuideState, step: Step, guide: Walkthrough) -> tuple[str, ...]:
    return tuple(option.id for option in _options(state, step, guide))


def _options(state: GuideState, step: Step, guide: Walkthrough) -> tuple[Option, ...]:
    match step:
        case Step.PRODUCT:
            return guide.products
        case Step.DAYS:
            return guide.days
        case Step.AMOUNT:
            return guide.amounts
        case Step.CAUSE:
            return guide.causes
        case Step.MATERIALS:
            return tuple(m for m in guide.materials if state.cause is None or not m.causes or state.cause in m.causes)
        case Step.CHANNEL:
            return guide.channels
        case Step.DEMANDS:
            return guide.demands
    return ()


def _fit(state: GuideState, guide: Walkthrough) -> GuideState:
    """Drop answers whose ids the YAML no longer has (an admin removed an option); re-bucket typed numbers."""

    def known(value: str | None, options: tuple[Option, ...]) -> str | None:
        return value if any(option.id == value for option in options) else None

    cause = known(state.cause, guide.causes)
    fitted = replace(
        state,
        product=known(state.product, guide.products),
        days=_bucket_id(state.days_typed, guide.days) or known(state.days, guide.days),
        amount=_bucket_id(state.amount_typed, guide.amounts) or known(state.amount, guide.amounts),
        cause=cause,
        channel=known(state.channel, guide.channels),
        demands=tuple(d for d in _option_ids(state, Step.DEMANDS, guide) if d in state.demands),
    )
    visible = _option_ids(fitted, Step.MATERIALS, guide)
    return replace(fitted, ticked=tuple(item for item in visible if item in state.ticked))


def _bucket_id(number: int | None, buckets: tuple[Bucket, ...]) -> str | None:
    if number is None:
        return None
    return next((bucket.id for bucket in buckets if bucket.holds(number)), None)


# --- Parsing actions and typed numbers -------------------------------------------------------------------------


def _parse_move(action: str, here: Step) -> Move | None:
    """The move an action token asks for at step `here`; None if it is garbage or belongs to another step."""
    parts = action.split(":")
    if len(parts) < 2 or parts[0] != "w":
        return None
    match parts[1:]:
        case [nav] if nav in _NAVS:
            return Nav(nav)
        case [nav, step] if nav in _NAVS and step == here.value:
            return Nav(nav)
        case ["o", step, option] if step == here.value:
            return Pick(option)
        case ["t", item] if here is Step.MATERIALS:
            return Toggle(item)
        case ["d", item] if here is Step.DEMANDS:
            return Toggle(item)
    return None


_CHINESE_DIGITS: Final = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5}
_CHINESE_DIGITS_2: Final = {"六": 6, "七": 7, "八": 8, "九": 9}
_CHINESE_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
_MULTIPLIERS: Final = {"万": 10_000, "萬": 10_000, "千": 1000, "k": 1000, "w": 10_000}
_DAY_UNITS: Final = frozenset({"", "天", "日", "d", "day", "days"})
_MONEY_UNITS: Final = frozenset({"", "元", "块", "块钱", "塊", "塊錢", "rmb", "yuan", "cny", "¥"})
_MAX_NUMBER: Final = {Step.DAYS: 100_000, Step.AMOUNT: 1_000_000_000}
_NUMBER: Final = re.compile(
    r"(?:大约|大概|约|差不多|一共|总共|共|已经|已|逾期了|逾期|欠了|欠|about|around|roughly|approximately|approx|≈)*"
    r"(?P<currency>¥)?"
    r"(?:(?P<arabic>\d+(?:\.\d+)?)(?P<multiplier>[万萬千kw])?|(?P<chinese>[零〇一二两兩三四五六七八九十百千万萬]+))"
    r"(?:多|左右|余|来)?(?P<unit>.*?)(?:多|左右|了|吧|啦)?"
)


def read_number(text: str, step: Step) -> int | None:
    """A whole number typed as the answer to DAYS or AMOUNT ("15", "15天", "两千", "2000元", "1.5万"), else None.

    Only a bare number with the step's unit and a few filler words counts, so "逾期15天会怎样" is not an answer.
    """
    if step not in _MAX_NUMBER:
        return None
    cleaned = unicodedata.normalize("NFKC", text).lower()
    cleaned = re.sub(r"(?<=\d),(?=\d{3})", "", cleaned)
    cleaned = re.sub(r"\s+", "", cleaned).rstrip("。.!！~～")
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        return None
    units = _DAY_UNITS if step is Step.DAYS else _MONEY_UNITS
    if match["unit"] not in units or (match["currency"] and "¥" not in units):
        return None
    if match["chinese"]:
        value: Decimal | None = _chinese_number(match["chinese"])
    else:
        try:
            value = Decimal(match["arabic"]) * _MULTIPLIERS.get(match["multiplier"] or "", 1)
        except InvalidOperation:
            return None
    if value is None or (step is Step.DAYS and value != value.to_integral_value()):
        return None
    number = int(value.to_integral_value())
    return number if number <= _MAX_NUMBER[step] else None


def _chinese_number(text: str) -> Decimal | None:
    """Chinese numerals as people type them: 十五, 两千, 一千二百, 一百零五, and the short 两千五 / 一万五."""
    digits = _CHINESE_DIGITS | _CHINESE_DIGITS_2
    total = section = 0
    digit: int | None = None
    last_unit = 1
    zero = False  # a 零 since the last unit: the next digit counts as ones (一百零五 is 105)
    for char in text:
        if char in digits:
            if digits[char] == 0:
                zero = True
            elif digit is not None:
                return None  # 一二 is not a number
            else:
                digit = digits[char]
        elif char in _CHINESE_UNITS:
            unit = _CHINESE_UNITS[char]
            section += (1 if digit is None else digit) * unit
            digit, last_unit, zero = None, unit, False
        elif char in ("万", "萬"):
            total += (section + (digit or 0)) * 10_000
            section, digit, last_unit, zero = 0, None, 10_000, False
        else:
            return None
    if digit is not None:
        # 两千五 is 2500: a last digit right after a unit counts in the next lower unit
        section += digit if zero or last_unit == 1 else digit * (last_unit // 10)
    return Decimal(total + section)


# --- Rendering -------------------------------------------------------------------------------------------------


def _progress(step: Step, guide: Walkthrough, lang: Lang) -> str:
    stage = _SCREEN[step].stage
    if stage is None:
        return ""
    stages = list(Stage)
    parts = [s.step for s in FLOW if s.stage is stage and s.step not in _FOLLOW_UP]
    where = step if step in parts else parts[-1]
    values: dict[str, object] = {
        "n": stages.index(stage) + 1,
        "total": len(stages),
        "stage": guide.say(f"stages.{stage.value}", lang),
    }
    if len(parts) == 1:
        return guide.say("messages.progress", lang, **values)
    return guide.say("messages.progress_part", lang, part=parts.index(where) + 1, parts=len(parts), **values)


def _label(option: Option, chosen: bool, guide: Walkthrough, lang: Lang) -> str:
    label = option.label.render(lang)
    return f"{guide.marks['chosen']} {label}" if chosen else label


def _tick(option: Option, ticked: bool, guide: Walkthrough, lang: Lang) -> str:
    return f"{guide.marks['checked' if ticked else 'unchecked']} {option.label.render(lang)}"


def _answered(state: GuideState, step: Step) -> bool:
    return any(getattr(state, name) not in (None, ()) for name in _ANSWERS.get(step, ()))


def _choices(state: GuideState, guide: Walkthrough, lang: Lang) -> tuple[Choice, ...]:
    here = state.step
    kind = _SCREEN[here].kind
    choices: list[Choice] = []
    if here is Step.AGREEMENT:
        chosen = None if state.agreement is None else "yes" if state.agreement else "no"
        for answer in _AGREEMENT_OPTIONS:
            label = guide.say(f"steps.agreement.{answer}", lang)
            label = f"{guide.marks['chosen']} {label}" if answer == chosen else label
            choices.append(Choice(label, f"w:o:{here}:{answer}"))
    elif kind in (Kind.CHOICE, Kind.NUMBER):
        picked = getattr(state, _ANSWERS[here][0])
        for option in _options(state, here, guide):
            choices.append(Choice(_label(option, option.id == picked, guide, lang), f"w:o:{here}:{option.id}"))
    elif kind is Kind.CHECKLIST:
        prefix = "t" if here is Step.MATERIALS else "d"
        chosen_items = getattr(state, _ANSWERS[here][0])
        for option in _options(state, here, guide):
            choices.append(Choice(_tick(option, option.id in chosen_items, guide, lang), f"w:{prefix}:{option.id}"))
    if kind is Kind.SUMMARY:
        return (
            Choice(guide.say("buttons.back", lang), f"w:back:{here}"),
            Choice(guide.say("buttons.restart", lang), "w:restart"),
        )
    # next would equal skip on an unanswered question, and skip would equal next on a page to read
    if kind in (Kind.CHECKLIST, Kind.INFO) or _answered(state, here):
        choices.append(Choice(guide.say("buttons.next", lang), f"w:next:{here}"))
    choices.append(Choice(guide.say("buttons.back", lang), f"w:back:{here}"))
    if kind is not Kind.INFO:
        choices.append(Choice(guide.say("buttons.skip", lang), f"w:skip:{here}"))
    choices.append(Choice(guide.say("buttons.pause", lang), f"w:pause:{here}"))
    return tuple(choices)


def _body(state: GuideState, guide: Walkthrough, lang: Lang) -> str:
    here = state.step
    prompt = guide.say(f"steps.{here}.prompt", lang, **({"max": MAX_TERMS} if here is Step.TERMS else {}))
    lines = [prompt]
    if here is Step.MATERIALS:
        visible = _option_ids(state, here, guide)
        lines.append(guide.say("steps.materials.count", lang, done=len(state.ticked), total=len(visible)))
    elif here is Step.CHANNEL:
        for channel in guide.channels:
            line = guide.say("steps.channel.line", lang, label=channel.label.render(lang), how=channel.how.render(lang))
            lines.append(line)
    elif here is Step.DEMANDS:
        lines.extend(_demands_lines(state, guide, lang))
    elif here is Step.TERMS and state.terms:
        lines.append(guide.say("messages.noted", lang, value=state.terms))
    return "\n".join(lines)


def _demands_lines(state: GuideState, guide: Walkthrough, lang: Lang) -> list[str]:
    """The situation and reasons from the intake, and a sentence to open with once demands are chosen."""
    lines: list[str] = []
    facts = [
        value
        for value in (
            _answer_label(state.product, guide.products, lang),
            _number_answer(state, Step.DAYS, guide, lang),
            _number_answer(state, Step.AMOUNT, guide, lang),
        )
        if value is not None
    ]
    if facts:
        lines.append(guide.say("steps.demands.situation", lang, facts=" · ".join(facts)))
    cause = next((c for c in guide.causes if c.id == state.cause), None)
    if cause is None:
        lines.append(guide.say("steps.demands.reason_unknown", lang))
        reason = guide.say("steps.demands.reason_blank", lang)
    else:
        reason = cause.reason.render(lang)
        lines.append(guide.say("steps.demands.reason", lang, cause=cause.label.render(lang), reason=reason))
    if state.demands:
        demands = _joined(state.demands, guide.demands, guide, lang)
        lines.append(guide.say("steps.demands.script", lang, demands=demands, reason=reason))
    return lines


def _answer_label(value: str | None, options: tuple[Option, ...], lang: Lang) -> str | None:
    return next((option.label.render(lang) for option in options if option.id == value), None)


def _number_answer(state: GuideState, step: Step, guide: Walkthrough, lang: Lang) -> str | None:
    typed, bucket, options = (
        (state.days_typed, state.days, guide.days)
        if step is Step.DAYS
        else (state.amount_typed, state.amount, guide.amounts)
    )
    if typed is not None:
        return guide.say(f"steps.{step}.typed", lang, n=typed)
    return _answer_label(bucket, options, lang)


def _joined(ids: tuple[str, ...], options: tuple[Option, ...], guide: Walkthrough, lang: Lang) -> str:
    labels = [option.label.render(lang) for option in options if option.id in ids]
    return guide.say("messages.list_separator", lang).join(labels)


def _summary(state: GuideState, guide: Walkthrough, lang: Lang) -> Reply:
    def line(key: str, value: str | None, empty: str = "summary.not_answered") -> str:
        return guide.say(f"summary.{key}", lang, value=value if value else guide.say(empty, lang))

    agreement = None
    if state.agreement is not None:
        agreement = "summary.agreement_yes" if state.agreement else "summary.agreement_no"
    lines = [
        guide.say("summary.title", lang),
        line("product", _answer_label(state.product, guide.products, lang)),
        line("days", _number_answer(state, Step.DAYS, guide, lang)),
        line("amount", _number_answer(state, Step.AMOUNT, guide, lang)),
        line("cause", _answer_label(state.cause, guide.causes, lang)),
        line("materials", _joined(state.ticked, guide.materials, guide, lang), "summary.nothing_ticked"),
        line("channel", _answer_label(state.channel, guide.channels, lang)),
        line("demands", _joined(state.demands, guide.demands, guide, lang), "summary.nothing_ticked"),
        line("agreement", guide.say(agreement, lang) if agreement else None),
    ]
    if state.terms:
        lines.append(line("terms", state.terms))
    text = "\n".join(lines) + "\n\n" + guide.say("summary.closing", lang)
    return Reply(text, _choices(state, guide, lang))


def _prompt(state: GuideState, guide: Walkthrough, lang: Lang) -> Reply:
    if state.step is Step.DONE:
        return _summary(state, guide, lang)
    text = f"{_progress(state.step, guide, lang)}\n\n{_body(state, guide, lang)}"
    return Reply(text, _choices(state, guide, lang))


def _say(key: str, guide: Walkthrough, lang: Lang, *choices: Choice) -> Reply:
    return Reply(guide.say(key, lang), tuple(choices))


# --- The public API --------------------------------------------------------------------------------------------


def step(state: GuideState | None, event: Event, guide: Walkthrough, lang: Lang) -> Outcome:
    """Handle one event; `state` None means the user is not in the walkthrough. Pure: never raises on bad input."""
    if state is not None:
        state = _fit(state, guide)
    match event:
        case Start():
            return _start(state, guide, lang)
        case Resume():
            return _resume(state, guide, lang)
        case Cancel():
            return [_say("messages.cancelled", guide, lang)], None
        case Goto(step=target) if target in _ORDER:
            return _goto(state, target, guide, lang)
        case Press(action=action):
            return _press(state, action, guide, lang)
        case TypedText(text=text):
            return _typed(state, text, guide, lang)
    return _not_understood(state, "messages.stale", guide, lang)


def _start(state: GuideState | None, guide: Walkthrough, lang: Lang) -> Outcome:
    if state is None or replace(state, paused=False) == GuideState():
        fresh = GuideState()
        return [_say("messages.welcome", guide, lang), _prompt(fresh, guide, lang)], fresh
    resume = Choice(guide.say("buttons.resume", lang), "w:resume")
    restart = Choice(guide.say("buttons.restart", lang), "w:restart")
    if state.step is Step.DONE:
        return [_say("messages.finished_before", guide, lang, resume, restart)], state
    where = _progress(state.step, guide, lang)
    return [Reply(guide.say("messages.resume_or_restart", lang, where=where), (resume, restart))], state


def _resume(state: GuideState | None, guide: Walkthrough, lang: Lang) -> Outcome:
    if state is None:
        return current_prompt(None, guide, lang), None
    state = replace(state, paused=False)
    return [_prompt(state, guide, lang)], state


def _goto(state: GuideState | None, target: Step, guide: Walkthrough, lang: Lang) -> Outcome:
    state = replace(state or GuideState(), step=target, paused=False)
    if not _visited(target, state):
        state = replace(state, step=Step.AGREEMENT)
    return [_prompt(state, guide, lang)], state


def _press(state: GuideState | None, action: str, guide: Walkthrough, lang: Lang) -> Outcome:
    match action.split(":"):
        case ["w", "start"]:
            return _start(state, guide, lang)
        case ["w", "resume"]:
            return _resume(state, guide, lang)
        case ["w", "restart"]:
            fresh = GuideState()
            return [_say("messages.restarted", guide, lang), _prompt(fresh, guide, lang)], fresh
        case ["w", "goto", target] if target in _ORDER:
            return _goto(state, Step(target), guide, lang)
    if state is None:
        return current_prompt(None, guide, lang), None
    move = _parse_move(action, state.step)
    new = _transition(state, move, guide) if move is not None else None
    if new is None:
        return _not_understood(state, "messages.stale", guide, lang)
    if move is Nav.PAUSE:
        return [_say("messages.paused", guide, lang)], new
    new = replace(new, paused=False)
    replies = [_prompt(new, guide, lang)]
    if move is Nav.BACK and new.step is state.step:
        replies.insert(0, _say("messages.first_step", guide, lang))
    if move == Pick("no") and state.step is Step.AGREEMENT:
        replies.insert(0, _say("steps.agreement.not_yet", guide, lang))
    return replies, new


def _typed(state: GuideState | None, text: str, guide: Walkthrough, lang: Lang) -> Outcome:
    if state is None:
        return current_prompt(None, guide, lang), None
    if not wants_text(state):
        return _not_understood(state, "messages.use_buttons", guide, lang)
    if state.step is Step.TERMS:
        terms = text.strip()
        if not terms:
            return [_prompt(state, guide, lang)], state
        if len(terms) > MAX_TERMS:
            too_long = guide.say("messages.too_long", lang, max=MAX_TERMS, length=len(terms))
            return [Reply(too_long), _prompt(state, guide, lang)], state
        new = _forward(replace(state, terms=terms))
        return [_say("messages.terms_noted", guide, lang), _prompt(new, guide, lang)], new
    number = read_number(text, state.step)
    buckets = guide.days if state.step is Step.DAYS else guide.amounts
    bucket = _bucket_id(number, buckets)
    if number is None or bucket is None:
        return _not_understood(state, "messages.not_a_number", guide, lang)
    if state.step is Step.DAYS:
        new = replace(state, days=bucket, days_typed=number)
    else:
        new = replace(state, amount=bucket, amount_typed=number)
    noted = guide.say("messages.noted", lang, value=_number_answer(new, state.step, guide, lang))
    new = _forward(new)
    return [Reply(noted), _prompt(new, guide, lang)], new


def _not_understood(state: GuideState | None, key: str, guide: Walkthrough, lang: Lang) -> Outcome:
    if state is None:
        return current_prompt(None, guide, lang), None
    return [_say(key, guide, lang), _prompt(state, guide, lang)], state


def wants_text(state: GuideState | None) -> bool:
    """Whether typed text is an answer here (days, amount, agreement terms) rather than a side question."""
    return state is not None and not state.paused and _SCREEN[state.step].kind in (Kind.NUMBER, Kind.TEXT)


def reads_as_answer(state: GuideState | None, text: str) -> bool:
    """Whether `TypedText(text)` would be taken as the answer (a number where one is wanted, any terms text).

    Lets the transport send other text — a question typed mid-way — to the knowledge base instead.
    """
    if state is None or not wants_text(state):
        return False
    if state.step is Step.TERMS:
        return bool(text.strip())
    return read_number(text, state.step) is not None


def current_prompt(state: GuideState | None, guide: Walkthrough, lang: Lang) -> list[Reply]:
    """The current step shown again (for /resume, and after answering a side question)."""
    if state is None:
        return [_say("messages.not_started", guide, lang, Choice(guide.say("buttons.start", lang), "w:start"))]
    return [_prompt(_fit(state, guide), guide, lang)]


def continue_choice(state: GuideState | None, guide: Walkthrough, lang: Lang) -> Choice | None:
    """The button under a side answer that returns to the walkthrough; None when there is nothing to return to."""
    if state is None or state.step is Step.DONE:
        return None
    stage = _SCREEN[state.step].stage
    title = guide.say(f"stages.{stage}", lang) if stage is not None else ""
    return Choice(guide.say("buttons.continue", lang, stage=title), "w:resume")


def goto_choice(target: Step, guide: Walkthrough, lang: Lang) -> Choice:
    """A button that opens the walkthrough at `target` (offered under an answer that explains that step)."""
    stage = _SCREEN[target].stage
    title = guide.say(f"stages.{stage}", lang) if stage is not None else ""
    return Choice(guide.say("buttons.goto", lang, stage=title), f"w:goto:{target}")


def step_for_entry(entry_id: str) -> Step | None:
    """The walkthrough step a knowledge entry explains (steps.materials → MATERIALS, …), if any."""
    return _ENTRY_STEPS.get(entry_id)


__all__ = [
    "FLOW",
    "MAX_TERMS",
    "STATE_VERSION",
    "Cancel",
    "Event",
    "Goto",
    "GuideState",
    "Press",
    "Resume",
    "Stage",
    "Start",
    "Step",
    "TypedText",
    "continue_choice",
    "current_prompt",
    "goto_choice",
    "read_number",
    "reads_as_answer",
    "step",
    "step_for_entry",
    "wants_text",
]
