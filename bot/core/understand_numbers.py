"""The numbers a typed answer gives: days overdue (exact, rough, or said twice in agreement) and amounts (a range,
letters typed for digits, parts each named by a product, a total before its parts); see `understand`."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from bot.core.amounts import amounts_in, parse_amount, spread_in, varies
from bot.core.i18n import to_simplified
from bot.core.normalize import basic_form
from bot.core.numbers import Unit, read_number, rough_days
from bot.core.slips import letters_as_digits
from bot.core.understand_words import CLAUSE, phrases, tries_number, writes_traditional
from bot.core.walkthrough import Option


@dataclass(frozen=True)
class Number:
    """A number of days or yuan; `exact` as for Picked. `parts` are the amounts it adds up, each with the option id
    that named it ("花呗1.2万借呗3万" → 42000 from ("huabei", 12000), ("jiebei", 30000)). `high` is set when the
    text gave a range or good and bad months ("五六万", "好的时候四五千差的时候一两千"): `value` is its low end."""

    value: int
    exact: bool
    parts: tuple[tuple[str, int], ...] = ()
    high: int | None = None
    rough: bool = False  # a span said roughly ("大半年", "两个多月"): `value` is a guess, asked about first
    #: read from one clause, the rest being context ("两个月了吧 工作也丢了"); the rest may be a question without a
    #: question mark ("逾期3个月了 对信用记录有影响"), so the knowledge base may answer it first
    in_clause: bool = False


#: Words saying a span is just under what follows ("快一年", "将近两个月"): the number read is no exact answer.
_ALMOST: Final = re.compile(r"快|将近|接近")


def number_in(
    text: str, unit: Unit, sentence: Callable[[str], int | None] | None, naming: Sequence[Option]
) -> Number | None:
    slipped = letters_as_digits(text)
    if slipped is not None:  # "5OOO": letters typed for digits, read as them; not exact, so the reply says it
        found = number_in(slipped, unit, sentence, naming)
        return None if found is None else replace(found, exact=False)
    if unit is Unit.DAYS:
        simplified = to_simplified(text)
        return _days(simplified) or _days_in_a_clause(simplified)
    amount = parse_amount(text)
    if isinstance(amount, int):
        return Number(amount, exact=True)
    spread = spread_in(text)
    if spread is not None:  # what the user can count on: the low end, and the reply says so
        return Number(spread.low, exact=False, high=spread.high)
    if varies(text):
        return None  # good and bad months, the bad one too vague to count on: asked again, never the good one
    parts = named_amounts(text, naming)
    if parts:
        return Number(sum(yuan for _, yuan in parts), exact=False, parts=parts)
    total = _total_of_parts(text, naming)
    if total is not None:
        return total
    guessed = sentence(text) if sentence is not None else None
    return Number(guessed, exact=False) if guessed is not None else None


def _days(text: str) -> Number | None:
    """Days overdue said as the whole text: a rough span ("两个多月", a guess, asked about), "快一年" (just under
    what is said, noted with how to change it), or a number ("15天")."""
    rough = rough_days(text)
    if rough is not None:
        return Number(rough, exact=False, rough=True)
    days = read_number(text, Unit.DAYS)
    return Number(days, exact=_ALMOST.search(text) is None) if days is not None else None


def _days_in_a_clause(text: str) -> Number | None:
    """Days overdue said in one clause of a longer text, the rest being context ("两个月了吧 工作也丢了"), or said
    twice in ways that agree ("三个月了吧 九十多天": the exact one, 90): read as understood (the reply says how to
    change it). None when no clause gives days, when another clause tries a number it cannot read, or when two
    readings disagree ("两个月了 又过了10天" is asked again)."""
    clauses = [clause.strip() for clause in CLAUSE.split(text) if clause.strip()]
    readings = [_days(clause) for clause in clauses]
    found = [reading for reading in readings if reading is not None]
    tried = any(reading is None and tries_number(clause) for clause, reading in zip(clauses, readings, strict=True))
    if len(clauses) < 2 or not found or tried or not _agree([reading.value for reading in found]):
        return None
    days = next((reading for reading in found if not reading.rough), found[0])  # the exact one, if one is
    return Number(days.value, exact=False, rough=days.rough, in_clause=True)


#: Two readings of one span agree when they are this close: within a tenth of the larger, or this many days.
_AGREE_SHARE: Final = 0.1


_AGREE_DAYS: Final = 5


def _agree(values: Sequence[int]) -> bool:
    """Whether numbers said for one thing are the same said twice ("三个月" and "九十多天"), not two different ones."""
    low, high = min(values), max(values)
    return high - low <= max(_AGREE_DAYS, _AGREE_SHARE * high)


def _total_of_parts(text: str, naming: Sequence[Option]) -> Number | None:
    """A total given first, then the amounts it is made of, each named ("6万左右 花呗2万多借呗3万多" is 60000)."""
    found = amounts_in(text)
    if not naming or len(found) < 3:
        return None
    first = found[0]
    parts = named_amounts(text[first.end :], naming)
    owned = sum(yuan for _, yuan in parts)
    if len(parts) != len(found) - 1 or not owned <= first.yuan <= owned * 3 // 2:
        return None
    return Number(first.yuan, exact=False, parts=parts)


def named_amounts(text: str, naming: Sequence[Option]) -> tuple[tuple[str, int], ...]:
    """Each amount in the text with the option named right before it ("花呗1.2万，借呗三万二"); empty unless every
    amount is named so, since an amount without a name may be a total already counted or a number of days."""
    if not naming:
        return ()
    parts: list[tuple[str, int]] = []
    end = 0
    for amount in amounts_in(text):
        name = _last_named(text[end : amount.start], naming)
        if name is None:
            return ()
        parts.append((name, amount.yuan))
        end = amount.end
    return tuple(parts)


def _last_named(text: str, naming: Sequence[Option]) -> str | None:
    """The option named last in the text (the longest name where two end together), or None."""
    form = basic_form(text)
    best: tuple[int, int, str] | None = None
    for option in naming:
        for phrase in phrases(option, traditional=writes_traditional(text)):
            at = form.rfind(phrase)
            if at >= 0 and (best is None or (at + len(phrase), len(phrase)) > best[:2]):
                best = (at + len(phrase), len(phrase), option.id)
    return best[2] if best else None
