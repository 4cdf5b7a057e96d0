"""Reads the whole numbers people type as answers — "15", "15天", "两千五", "1.5万", "¥2,000" — and Chinese numerals.

Written by hand because no maintained library reads colloquial amounts such as 两千五 (2,500) with a unit check; the
importer uses `chinese_number` for chapter numerals (十一、) too.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final


class Unit(StrEnum):
    """What a typed number counts: it decides the unit words allowed after it and the largest sensible value."""

    DAYS = "days"
    YUAN = "yuan"


_CHINESE_DIGITS: Final = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
                          "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CHINESE_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
_MULTIPLIERS: Final = {"万": 10_000, "萬": 10_000, "千": 1000, "k": 1000, "w": 10_000}
_UNIT_WORDS: Final = {
    Unit.DAYS: frozenset({"", "天", "日", "d", "day", "days"}),
    Unit.YUAN: frozenset({"", "元", "块", "块钱", "塊", "塊錢", "rmb", "yuan", "cny", "¥"}),
}
#: Longer spans people give instead of days ("两个月", "三个多月", "两周"), in days (a month counts as 30).
_DAYS_IN: Final = {
    "月": 30, "个月": 30, "個月": 30, "month": 30, "months": 30,
    "周": 7, "週": 7, "星期": 7, "个星期": 7, "個星期": 7, "礼拜": 7, "个礼拜": 7, "禮拜": 7, "week": 7, "weeks": 7,
    "年": 365, "year": 365, "years": 365,
}  # fmt: skip
#: Halves said as words.
_HALVES: Final = {"半年": "180天", "半个月": "15天", "半個月": "15天"}
#: A whole number of months or years and a half ("一个半月" is 45 days, "一年半" 545): said as two parts.
_AND_A_HALF: Final = re.compile(r"(?<=[\d一二两兩三四五六七八九十])(?:(个|個)半月|年半)")
_LARGEST: Final = {Unit.DAYS: 100_000, Unit.YUAN: 1_000_000_000}
_NUMBER: Final = re.compile(
    r"(?:大约|大概|约|差不多|一共|总共|共|已经|已|逾期了|逾期|欠了|欠|每月|每个月|月供|最多|最少|都|快要|快|将近|接近|估计|有"
    r"|about|around|roughly|approximately|approx|almost|nearly|≈)*"
    r"(?P<currency>¥)?"
    r"(?:(?P<arabic>\d+(?:\.\d+)?)(?P<multiplier>[万萬千kw])?|(?P<chinese>[零〇一二两兩三四五六七八九十百千万萬]+))"
    r"(?:多点|多|左右|余|来)?(?P<unit>.*?)(?:多点|多|左右|了|吧|啦|的|呢|啊|差不多|大概|吧|应该|好像)*"
)
#: A span said in parts, each a number and its unit: "3个月零10天", "一年两个月", "两个月又一周".
_PART: Final = re.compile(
    r"(?P<number>\d+|[零〇一二两兩三四五六七八九十百]+)(?:多)?(?P<unit>个月|個月|月|个星期|個星期|星期|周|週|礼拜|个礼拜|年|天|日)"
    r"(?:多|零|又|加|和)?"
)
_HEDGE: Final = re.compile(r"^(?:大约|大概|约|差不多|一共|总共|共|已经|已|逾期了|逾期|有|都|快要|快|将近|接近|估计)+")
_TAIL: Final = re.compile(r"(?:多点|多|左右|了|吧|啦|的|呢|啊|差不多|大概|应该|好像)+$")


def _cleaned(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", text).lower()
    cleaned = re.sub(r"(?<=\d),(?=\d{3})", "", cleaned)
    return re.sub(r"\s+", "", cleaned).rstrip("。.!！~～")


def read_number(text: str, unit: Unit) -> int | None:
    """A whole number typed as an answer counted in `unit` ("15", "15天", "两千", "2000元", "1.5万"), else None.

    Only a bare number with the unit's words and a few filler words counts, so "逾期15天会怎样" is not an answer.
    """
    cleaned = _cleaned(text)
    if unit is Unit.DAYS:
        cleaned = cleaned.replace("俩", "两").replace("倆", "两")  # "快俩月了": 俩 is 两个 said fast
        cleaned = _AND_A_HALF.sub(lambda m: "个月零15天" if m.group(1) else "年零180天", cleaned)
        for half, days in _HALVES.items():
            cleaned = cleaned.replace(half, days)
    number = _one_number(cleaned, unit)
    if number is None and unit is Unit.DAYS:
        return _days_in_parts(cleaned)
    return number


def _one_number(cleaned: str, unit: Unit) -> int | None:
    """One number and its unit ("15天", "三个多月", "2000元"), else None."""
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        return None
    words = _UNIT_WORDS[unit]
    scale = 1
    if unit is Unit.DAYS and match["unit"].replace("多", "") in _DAYS_IN:
        scale = _DAYS_IN[match["unit"].replace("多", "")]
    elif match["unit"] not in words or (match["currency"] and "¥" not in words):
        return None
    if match["chinese"]:
        value: Decimal | None = chinese_number(match["chinese"])
    else:
        try:
            value = Decimal(match["arabic"]) * _MULTIPLIERS.get(match["multiplier"] or "", 1)
        except InvalidOperation:
            return None
    if value is None or (unit is Unit.DAYS and value != value.to_integral_value()):
        return None
    number = int(value.to_integral_value()) * scale
    return number if number <= _LARGEST[unit] else None


def _days_in_parts(cleaned: str) -> int | None:
    """Days said in two or more parts ("3个月零10天" is 100, "一年两个月" is 425), else None."""
    core = _TAIL.sub("", _HEDGE.sub("", cleaned))
    parts = list(_PART.finditer(core))
    if len(parts) < 2 or "".join(part.group() for part in parts) != core:
        return None
    total = 0
    for part in parts:
        number = int(part["number"]) if part["number"].isdigit() else chinese_number(part["number"])
        if number is None:
            return None
        total += int(number) * (1 if part["unit"] in ("天", "日") else _DAYS_IN[part["unit"]])
    return total if total <= _LARGEST[Unit.DAYS] else None


#: A span said roughly: "两个多月", "一个多礼拜", "十来天", "十几天", "一年多", "半年多", "大半年".
_ROUGH: Final = re.compile(
    r"(?P<big>大)?(?P<number>\d+|[一二两三四五六七八九十百]+|半)个?(?P<more>多|来|几)?"
    r"(?P<unit>月|星期|周|礼拜|年|天|日)(?P<after>多)?"
)
#: What a rough span's "多" adds, in days: "两个多月" is about 70, "一个多礼拜" 10, "一年多" 425, "十多天" 15.
_MORE: Final = {30: 10, 7: 3, 365: 60}
#: How many days a span's word counts (a month 30, as above), and half of it ("半年" is 180 days, as `_HALVES`).
_UNIT_DAYS: Final = {"天": 1, "日": 1, "月": 30, "年": 365, **dict.fromkeys(["星期", "周", "礼拜"], 7)}
_HALF_DAYS: Final = {30: 15, 365: 180}
#: Words after a rough span that say nothing more ("了", "吧"), "多" aside: it is part of the span ("一年多").
_ROUGH_TAIL: Final = re.compile(r"(?:左右|了|吧|啦|的|呢|啊|差不多|大概|应该|好像)+$")


def rough_days(text: str) -> int | None:
    """A guess at a span of days said roughly ("大半年" about 210, "两个多月" about 70, "一个多礼拜" about 10, "十来天"
    about 12), to be confirmed before it is recorded; None for anything else, a span said exactly ("三个月") too.

    `read_number` reads "三个多月" as 90, which falls in the range below the one meant; this guess lies inside it."""
    cleaned = _cleaned(text).replace("俩", "两").replace("倆", "两").translate(str.maketrans("個週禮", "个周礼"))
    match = _ROUGH.fullmatch(_ROUGH_TAIL.sub("", _HEDGE.sub("", cleaned)))
    if match is None or not (match["big"] or match["more"] or match["after"]):
        return None
    unit = _UNIT_DAYS[match["unit"]]
    if match["number"] == "半":
        half = _HALF_DAYS.get(unit)
        if half is None:
            return None
        return half * 7 // 6 if match["big"] else half + max(half // 9, 5)  # "大半年" 210, "半年多" 200, "半个多月" 20
    if match["big"]:
        return None  # "大三个月" is no span people say
    number = int(match["number"]) if match["number"].isdigit() else chinese_number(match["number"])
    if not number:
        return None
    if unit == 1:
        extra = 2 if match["more"] == "来" else 5 if number >= 10 else 1  # "十来天" 12, "十多天" 15, "三天多" 4
    else:
        extra = _MORE[unit] // (2 if match["more"] == "来" else 1)
    days = int(number) * unit + extra
    return days if days <= _LARGEST[Unit.DAYS] else None


def is_bare_digits(text: str) -> bool:
    """Whether the text is only digits ("3"), with no unit: in the terminal it may mean the third button."""
    return _cleaned(text).isdigit()


def chinese_number(text: str) -> Decimal | None:
    """Chinese numerals as people type them: 十五, 两千, 一千二百, 一百零五, and the short 两千五 / 一万五."""
    total = section = 0
    digit: int | None = None
    last_unit = 1
    zero = False  # a 零 since the last unit: the next digit counts as ones (一百零五 is 105)
    for char in text:
        if char in _CHINESE_DIGITS:
            if _CHINESE_DIGITS[char] == 0:
                zero = True
            elif digit is not None:
                return None  # 一二 is not a number
            else:
                digit = _CHINESE_DIGITS[char]
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
