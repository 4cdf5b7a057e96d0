"""Reads an amount of money as people type it — "3万", "5k", "一万二", "1万5", "12,000", "¥800", "3.5w" — in yuan.

`parse_amount(text)` returns a whole number of yuan, or an `Unreadable` reason the caller turns into a kind question
(the reasons' sentences live in knowledge/plan.yaml). It never raises, whatever the text.

What is whose:

* Chinese number words and mixed forms (一万二, 两千五, 1万5, 3.5千, 2万零500, 一萬二) are read by cn2an (its
  "smart" mode), imported on first use only: it costs ~0.1 s to import and most messages never need it.
* Written here, because no library does it for this domain: the clean-up around the number (full-width forms via
  NFKC, Traditional via OpenCC, the currency signs and units people add — ¥, 元, 块钱, 蚊 (Cantonese), 人民币, rmb,
  yuan —, hedges such as 大约 / 左右 / 最多 / about, a closing particle such as 吧,
  thousands separators), the Latin shorthands k and w (5k, 3.5w), rounding to whole yuan, words that mean
  "nothing" (没有, none, 没收入, no income), an "-odd" after the number (3万多, 三萬幾) and a slip of the
  particle (4万多把), and telling ranges ("3-5万") and negative numbers apart from text that is no number at all.
* `amount_in_sentence` finds the one amount a longer answer means ("收入5000左右…最多一千五" → 1500): the only
  amount in it, or the one after words that say what the user can pay (最多, 能还, at most, can pay);
  `owed_in_sentence` the one after words that say what is owed ("一共欠六万 每月能还一千" → 60000).
* `parts_in` adds up the amounts a sentence lists for one thing ("房租800 吃饭1000 话费200左右" → 2000).
* `spread_in` reads an amount given as a range or as good and bad months ("五六万", "3000到5000",
  "好的时候四五千差的时候一两千"): its low and high ends, so a caller can count on the low one and say so.
* `foreign_currency` tells an amount in another currency ("6萬台幣", "about 8000 dollars", "HK$5000"): Alipay's
  loans are in 人民币, and no exchange rate is invented, so callers ask for the amount in yuan instead of saving it.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

from bot.core.i18n import to_simplified

#: The largest amount accepted (one billion yuan): anything above is a typing slip, not a debt.
MAX_YUAN: Final = 1_000_000_000
#: Longer input is not a number someone typed as an answer.
MAX_CHARS: Final = 40


class Unreadable(StrEnum):
    """Why a text is not an amount; each value is a key of `problems` in knowledge/plan.yaml."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    RANGE = "range"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    FOREIGN = "foreign_currency"


_HEDGES: Final = re.compile(
    r"^(?:不知道|不清楚|不太清楚|说不准|不确定|可能|也许|估计|应该|大约|大概|约|差不多|一共|总共|共|欠了|欠|每月|每个月|一个月|月|最多|顶多|最少|至少|能还|可以还|只能还|还"
    r"|about|around|roughly|approximately|approx|at most|up to"
    r"|~|≈|约为)+"
)
_CURRENCY_BEFORE: Final = re.compile(r"^(?:¥|rmb|cny)")
_UNITS_AFTER: Final = re.compile(
    r"(?:元人民币|人民币|元钱|元|块钱|块|圆|蚊|rmb|cny|yuan|/月|每月|一个月|/month|amonth|permonth|多|左右|余|来|上下"
    r"|几|吧|把|啊|呢|啦|的)+$"
)
_NOTHING: Final = frozenset({"0", "没有", "没", "无", "零", "没有了", "none", "no", "nothing", "zero", "nil"})
#: "没有收入", "现在没收入", "no income": nothing, said of the thing asked about (a jobless user's income is 0).
_NOTHING_SAID: Final = re.compile(
    r"(?:现在|目前|暂时|这个月|最近)?(?:没有|没|无|零)(?:任何|什么)?"
    r"(?:收入|工资|工作|进账|贷款|负债|欠款|债|开销|支出|别的|其他的?)?(?:了|啊|呢|的)?"
    r"|(?:no|zero)(?:income|salary|job|debts?|loans?|other(?:debts?|loans?)?)|(?:nothing|jobless|unemployed)"
)
#: A currency other than 人民币 named in the text (checked after Traditional → Simplified and lower-casing): its
#: names anywhere, its codes and signs next to a number. ¥, 元, 块, rmb, cny are yuan; 美元 and 港元 are not.
_FOREIGN: Final = re.compile(
    r"台币|新台币|港币|港元|港纸|美元|美金|美刀|英镑|欧元|日元|日币|円|韩元|韩币|新币|新加坡元|澳元|澳币|加元|加币|马币"
    r"|令吉|泰铢|比索|卢比|卢布|澳门币|澳门元|葡币"
    r"|(?<![a-z])(?:dollars?|bucks|usd|hkd|twd|ntd|nt|gbp|pounds?|quid|euros?|eur|jpy|yen|sgd|aud|cad|myr|ringgit|baht|thb"
    r"|pesos?|php|rupees?|inr|krw|mop)(?![a-z])"
    r"|[$£€₩₹₱฿]|(?<=[\d万千kw])\s*刀"
)
_RANGE: Final = re.compile(r"\d\s*[-~～到至]\s*\d|[一二两三四五六七八九十][到至~～-][一二两三四五六七八九十]|\bto\b")
_PLAIN: Final = re.compile(r"\d+(?:\.\d+)?")
#: Separators between groups of three digits (12,000), or of four as amounts are counted in 万 (6,0000 is 60000).
_THOUSANDS: Final = re.compile(r"(?<=\d),(?=\d{3,4}(?:\D|$))")
_SHORTHAND: Final = {"k": "千", "w": "万", "萬": "万", "億": "亿"}
_NUMBER_CHARS: Final = frozenset("0123456789.零〇一二两兩三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟")


def parse_amount(text: str) -> int | Unreadable:
    """A whole number of yuan (rounded half up), or why `text` is not one. Never raises."""
    cleaned = to_simplified(unicodedata.normalize("NFKC", text)).strip().lower()
    if _FOREIGN.search(cleaned):  # before the spaces go: "8000 dollars" is a word apart
        return Unreadable.FOREIGN
    cleaned = re.sub(r"\s+", "", cleaned).rstrip("。.!！~～,，")
    if not cleaned:
        return Unreadable.EMPTY
    if len(cleaned) > MAX_CHARS:
        return Unreadable.NOT_A_NUMBER
    if cleaned in _NOTHING or _NOTHING_SAID.fullmatch(cleaned) or _zero_said(cleaned):
        return 0
    if _RANGE.search(cleaned):
        return Unreadable.RANGE
    negative = cleaned.startswith(("-", "负", "负数"))
    cleaned = cleaned.lstrip("-").removeprefix("负")
    cleaned = _HEDGES.sub("", cleaned)
    cleaned = _CURRENCY_BEFORE.sub("", cleaned)
    cleaned = _UNITS_AFTER.sub("", cleaned)
    cleaned = _THOUSANDS.sub("", cleaned)
    # k and w only after a digit: "5k", "3.5w" (a stray letter elsewhere makes it no number).
    cleaned = re.sub(r"(?<=\d)[kw]", lambda m: _SHORTHAND[m.group()], cleaned)
    cleaned = "".join(_SHORTHAND.get(char, char) for char in cleaned)
    if not cleaned or not set(cleaned) <= _NUMBER_CHARS or cleaned.count(".") > 1:
        return Unreadable.NOT_A_NUMBER
    value = _plain(cleaned) if _PLAIN.fullmatch(cleaned) else _words(cleaned)
    if value is None:
        return Unreadable.NOT_A_NUMBER
    if negative and value > 0:
        return Unreadable.NEGATIVE
    if value > MAX_YUAN:  # before rounding: a 29-digit number is beyond Decimal's default precision
        return Unreadable.TOO_LARGE
    yuan = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Unreadable.TOO_LARGE if yuan > MAX_YUAN else yuan


#: A 0 typed beside words that say there is nothing ("现在没工作 0", "0 没收入"), with its unit if any.
_ZERO: Final = re.compile(r"^0+(?:元|块)?|0+(?:元|块)?$")


def _zero_said(cleaned: str) -> bool:
    """Whether the text is 0 said with words that mean nothing ("现在没工作0"): as much 0 as "没收入" alone."""
    words = _ZERO.sub("", cleaned)
    return words != cleaned and bool(words) and _NOTHING_SAID.fullmatch(words) is not None


def foreign_currency(text: str) -> bool:
    """Whether the text names a currency other than 人民币 ("6萬台幣", "about 8000 dollars", "HK$5000", "8000刀")."""
    return _FOREIGN.search(to_simplified(unicodedata.normalize("NFKC", text)).lower()) is not None


def _plain(digits: str) -> Decimal | None:
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def _words(text: str) -> Decimal | None:
    """Chinese numerals, alone or mixed with digits, through cn2an."""
    import cn2an  # deferred: slow to import, and only Chinese numerals need it

    try:
        value = cn2an.cn2an(text, "smart")
    except Exception:  # cn2an signals unreadable text with ValueError, but a garbled input may raise others
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


#: Where an amount could start and end in a sentence: digits or Chinese numerals, with their units.
_SPAN: Final = re.compile(
    r"[0-9０-９][0-9０-９.,，]*(?:[万萬千kKwW](?![a-zA-Z])[0-9]*)?|[零〇一二两兩三四五六七八九十百千万萬]{2,}"
)
#: Words right before the amount the user can pay, in a sentence that gives several ("收入5000…最多一千五").
_CAN_PAY: Final = re.compile(
    r"(?:最多|顶多|頂多|能还|能還|可以还|可以還|还得起|還得起|只能还|只能還|能拿出|拿得出|每月还|每個月還|每个月还"
    r"|at most|can pay|can afford|afford|up to|max)\s*(?:大概|大约|约|about|around)?\s*$",
    re.IGNORECASE,
)
#: A sentence longer than this is not an answer to "how much".
SENTENCE_CHARS: Final = 80


@dataclass(frozen=True)
class Found:
    """An amount inside a sentence: where it starts and ends, and its value in yuan."""

    start: int
    end: int
    yuan: int


#: Words that take back what was just typed ("大概两万块 不对 是一万八", "3000 i mean 2000"): an amount after one of
#: them replaces those before it.
_CORRECTION: Final = re.compile(
    r"不对(?!劲|头)|不對(?!勁|頭)|(?:说|說|打|写|寫|输|輸|填|搞|记|記)错了|(?:说|說|打|写|寫|输|輸|填|搞|记|記)錯了|更正|纠正|糾正"
    r"|\bi mean\b|\bi meant\b|\bcorrection\b",
    re.IGNORECASE,
)


def amounts_in(text: str, *, limit: int = SENTENCE_CHARS) -> list[Found]:
    """Every amount above zero in a sentence of at most `limit` characters, in order ("花呗1.2万借呗3万" → 12000,
    30000); none in a longer text. Amounts the user took back are left out: before a correction word followed by
    another amount ("大概两万块 不对 是一万八" → 18000)."""
    if len(text) > limit:
        return []
    found: list[Found] = []
    for span in _SPAN.finditer(text):
        value = parse_amount(span.group())
        if isinstance(value, int) and value > 0:
            found.append(Found(span.start(), span.end(), value))
    for correction in reversed(list(_CORRECTION.finditer(text))):
        after = [amount for amount in found if amount.start >= correction.end()]
        if after and len(after) < len(found):
            return after
    return found


#: Words right before or after the amount paid each month (or each instalment) in agreed terms ("每月还1800",
#: "每期大概2600", "1800元/月", "2600一期", "1800 a month").
_MONTHLY_BEFORE: Final = re.compile(
    r"(?:每月|每个月|每個月|一个月|一個月|每期|(?<!第)一期|月供|月还|月還|monthly|per month|a month|each instal?lment"
    r"|per instal?lment|an instal?lment)\S{0,6}\s*$",
    re.IGNORECASE,
)
_MONTHLY_AFTER: Final = re.compile(
    r"^\s*(?:元|块|块钱|塊|yuan|rmb)?\s*(?:左右|多)?\s*(?:/月|每月|一个月|一個月|/期|每期|一期|/month|a month|per month"
    r"|monthly|each month|per instal?lment|an instal?lment)",
    re.IGNORECASE,
)
#: A number followed by one of these counts days, instalments or a date ("15号", "24期", "3个月"), not yuan.
_NOT_YUAN_AFTER: Final = re.compile(
    r"^\s*(?:号|號|日|期|个|個|天|年|月(?!供)|周|%|点|點|次|(?:months?|days?|weeks?|years?|instal?lments?|th)\b)",
    re.IGNORECASE,
)


#: Words right before what the user says they can pay, inside agreed terms ("我每月最多800", "我只能还1000"): the
#: can-pay words without "每月还", which in terms names the instalment ("每月还1800").
_OWN_MEANS: Final = re.compile(
    r"(?:最多|顶多|頂多|能还|能還|可以还|可以還|还得起|還得起|只能还|只能還|能拿出|拿得出|at most|can pay|can afford"
    r"|afford|up to|max)\s*(?:每月|每个月|每個月|一个月|一個月|a month)?\s*(?:大概|大约|约|about|around)?\s*$",
    re.IGNORECASE,
)


def monthly_in(terms: str) -> int | None:
    """The amount to pay each month that agreed terms name ("分24期 每月还1800左右" → 1800, "每期2600左右" → 2600);
    None when they name none, or two different ones. What the user says they can pay ("我每月最多800") is not a
    term."""
    found = {
        amount.yuan
        for amount in amounts_in(terms, limit=len(terms))  # read whole: the walkthrough bounds their length
        if not _NOT_YUAN_AFTER.match(terms[amount.end :])
        # "我每月最多800": the user restating what they can pay, not a term of the agreement
        and not _OWN_MEANS.search(terms[: amount.start])
        and (_MONTHLY_BEFORE.search(terms[: amount.start]) or _MONTHLY_AFTER.search(terms[amount.end :]))
    }
    return found.pop() if len(found) == 1 else None


def amount_in_sentence(text: str) -> int | None:
    """The amount a longer answer means: its only amount, or the one after words saying what the user can pay; None
    when there is none or it cannot tell which."""
    return _cued(text, _CAN_PAY)


#: Words right before the amount owed, in a sentence that gives several ("一共欠六万 每月能还一千").
_OWED: Final = re.compile(
    r"(?:欠了?|一共|总共|总计|共计|合计|加起来|owe|owed|in total|total)"
    r"\s*(?:大概|大约|约|差不多|about|around)?\s*$",
    re.IGNORECASE,
)


#: Words that say a sentence is about money coming in ("工资", "看单量", "income"), not about what is owed.
_INCOME: Final = re.compile(
    r"收入|工资|工資|薪水|薪资|月入|到手|挣|賺|赚|单量|單量|跑单|接单|提成|底薪|income|salary|wages?|earn",
    re.IGNORECASE,
)
#: Words that say what is owed ("欠", "一共", "owe"): a sentence with one of them is about the debt after all.
OWING: Final = re.compile(r"欠|一共|总共|總共|总计|合计|借了|owe|debt|in total", re.IGNORECASE)
#: Amounts said per month: with good and bad months ("有时候一个月7000多"), that is what comes in.
_PER_MONTH: Final = re.compile(r"(?<!逾期)(?:一个月|每个月|每月|a month|per month|monthly)", re.IGNORECASE)


def income_not_owed(text: str) -> bool:
    """Whether a sentence gives income, not the amount owed ("有时候一个月7000多有时候才4000出头 看单量", "工资4000"):
    it names money coming in, or good and bad months of it, and nothing that is owed."""
    form = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    monthly = varies(form) and _PER_MONTH.search(form) is not None
    return (_INCOME.search(form) is not None or monthly) and OWING.search(form) is None


def owed_in_sentence(text: str) -> int | None:
    """The amount owed that a longer answer means: its only amount, or the one after words saying what is owed; None
    when there is none or it cannot tell which."""
    return _cued(text, _OWED)


@dataclass(frozen=True)
class Parts:
    """Amounts a sentence lists for one thing asked ("房租800 吃饭1000 话费200左右"), and what they add up to.

    `said` is the total the sentence gives itself after its parts ("房租1200吃饭800 差不多2000多": 2000), when it
    gives one close to their sum; `total` is then the larger of the two (the safer count of what goes out)."""

    parts: tuple[int, ...]
    total: int
    said: int | None = None


#: Words before a last amount that make it the total of the parts before it ("差不多2000多", "一共1800", "total").
_TOTAL_CUE: Final = re.compile(
    r"(?:差不多|一共|总共|總共|加起来|加起來|合计|合計|总计|總計|共计|共計"
    r"|in total|total|altogether|all in all|all together)"
    r"\s*(?:大概|大约|约|差不多|也就|就|about|around|roughly)?\s*$",
    re.IGNORECASE,
)
#: Words right after a last amount that make it the total ("2000 in total", "2000 altogether").
_TOTAL_AFTER: Final = re.compile(
    r"^\s*(?:元|块|yuan|rmb)?\s*(?:in total|altogether|all together|in all|total)", re.IGNORECASE
)
#: A total said after its parts is their sum said again when it is within this share of it (30%), or an "-odd"
#: amount ("2000多") no more than half as much again below it.
TOTAL_SLACK: Final = Decimal("0.3")


def parts_in(text: str) -> Parts | None:
    """Two or more amounts of yuan that a sentence lists, added up ("房租800 吃饭1000 电瓶车充电加话费200左右" is
    2000). A last amount introduced as a total ("差不多2000多", "一共1800") and close to the sum of the others is
    their total, not one more part (`said`). None for fewer amounts, or when a total is named that is not their sum
    ("房租800 吃饭1000 一共5000": which one is meant is for the user to say; `owed_in_sentence` reads the total)."""
    found = [a for a in amounts_in(text) if not _NOT_YUAN_AFTER.match(text[a.end :])]
    if len(found) < 2:
        return None
    *listed, last = found
    cued = _TOTAL_CUE.search(text[listed[-1].end : last.start]) or _TOTAL_AFTER.match(text[last.end :])
    if len(listed) >= 2 and cued:
        summed = sum(a.yuan for a in listed)
        odd = re.match(r"\s*(?:元|块)?\s*多", text[last.end :]) is not None
        if abs(last.yuan - summed) <= TOTAL_SLACK * summed or (odd and last.yuan <= summed < last.yuan * 3 // 2):
            return Parts(tuple(a.yuan for a in listed), max(summed, last.yuan), said=last.yuan)
        return None
    if any(_OWED.search(text[: a.start]) for a in found):
        return None
    parts = tuple(a.yuan for a in found)
    return Parts(parts, sum(parts))


def _cued(text: str, cue: re.Pattern[str]) -> int | None:
    """The sentence's only amount of yuan, or the one right after `cue`; days and dates ("15号", "3个月") are none."""
    found = [(a.start, a.yuan) for a in amounts_in(text) if not _NOT_YUAN_AFTER.match(text[a.end :])]
    if len(found) == 1:
        return found[0][1]
    cued = [value for start, value in found if cue.search(text[:start])]
    return cued[-1] if len(cued) == 1 else None


@dataclass(frozen=True)
class Spread:
    """An amount given as a range, or as good and bad months: `low` is what the user can count on."""

    low: int
    high: int


#: Words saying an amount varies ("好的时候…差的时候…", "好的月份…差的月份…", "单少的时候", "有时候", "不稳定",
#: "看情况", "depends").
_VARIES: Final = re.compile(
    r"(?:好|差|坏|多|少|忙|闲|淡|旺)的(?:时候|月份|月)|(?:单|活|生意)(?:多(?!少)|少|好|差)|旺季|淡季|有时|有的月|时好时坏|时多时少"
    r"|不稳定|不固定|看情况|"
    r"最少|少的话|多的话|good months?|bad months?|sometimes|depends|varies|at least",
    re.IGNORECASE,
)
#: An amount said too vaguely to count on ("几百", "几千块", "百来块").
VAGUE: Final = re.compile(r"几[十百千万]|[十百千万]来[块元]|百把")
#: Two neighbouring Chinese digits before a unit, perhaps joined by 到: "五六万" is 50,000 to 60,000, "一两千" 1,000
#: to 2,000, "三到四千" 3,000 to 4,000; never the tail of a longer numeral ("一千五到两千" is read as two amounts).
_CHINESE_RANGE: Final = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千万])(?P<low>[一二两三四五六七八九])[到至~～-]?"
    r"(?P<high>[一二两三四五六七八九])(?P<unit>十万|百万|十|百|千|万)(?:多)?"
)
_ARABIC_RANGE: Final = re.compile(
    r"(?:(?P<between>between)|from)?\s*"
    r"(?P<low>\d+(?:\.\d+)?)(?P<low_unit>[万千kw])?\s*(?:-|~|～|到|至|—|to|(?(between)and|(?!)))\s*"
    r"(?P<high>\d+(?:\.\d+)?)(?P<unit>[万千kw])?",
    re.IGNORECASE,
)
_DIGIT: Final = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT: Final = {
    "十": 10, "百": 100, "千": 1000, "万": 10_000, "十万": 100_000, "百万": 1_000_000, "k": 1000, "w": 10_000,
}  # fmt: skip


def varies(text: str) -> bool:
    """Whether the text says its amount varies ("好的时候…差的时候…", "有时候", "看情况")."""
    return _VARIES.search(to_simplified(unicodedata.normalize("NFKC", text)).lower()) is not None


def spread_in(text: str) -> Spread | None:
    """An amount the text gives as a range ("五六万", "3000到5000元") or as good and bad months ("好的时候四五千差的时候
    一两千"), from the lowest to the highest it names; None when it gives one amount, none, or one too vague to count
    on ("差的时候几百")."""
    cleaned = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    if len(cleaned) > SENTENCE_CHARS or VAGUE.search(cleaned):
        return None
    ranges = [_range_of(m) for m in (*_CHINESE_RANGE.finditer(cleaned), *_ARABIC_RANGE.finditer(cleaned))]
    spans = [r for r in ranges if r is not None]
    rest = _CHINESE_RANGE.sub(" ", _ARABIC_RANGE.sub(" ", cleaned))
    if not ranges:  # "一万到一万五", "between 3000 and 4000": two amounts joined as a range
        for start, end, low, high in _joined_ranges(cleaned):
            spans.append((low, high))
            rest = rest[:start] + " " * (end - start) + rest[end:]
    if not _VARIES.search(cleaned):
        whole = _UNITS_AFTER.sub("", _HEDGES.sub("", re.sub(r"\s+", "", rest)))
        return Spread(*spans[0]) if len(spans) == 1 and not whole.strip() else None
    amounts = [(a.yuan, a.yuan) for a in amounts_in(rest) if not _NOT_YUAN_AFTER.match(rest[a.end :])]
    named = spans + amounts
    if len(named) < 2 and not spans:
        return None
    return Spread(min(low for low, _ in named), max(high for _, high in named))


#: What joins the two ends of a range ("一万到一万五", "3000 to 4000"); "and" only after "between".
_RANGE_JOIN: Final = re.compile(r"\s*(?:-|~|～|—|到|至|to)\s*", re.IGNORECASE)
_BETWEEN: Final = re.compile(r"(?:between|from)\s*$", re.IGNORECASE)


def _joined_ranges(text: str) -> list[tuple[int, int, int, int]]:
    """Ranges given as two amounts joined by a range word ("一万到一万五", "between 3000 and 4000"), as their
    start, end, low and high; the low end must be the smaller."""
    found = amounts_in(text)
    joined = []
    for low, high in itertools.pairwise(found):
        gap = text[low.end : high.start]
        between = _BETWEEN.search(text[: low.start]) is not None and re.fullmatch(r"\s*and\s*", gap) is not None
        if (between or _RANGE_JOIN.fullmatch(gap)) and 0 < low.yuan < high.yuan:
            before = _BETWEEN.search(text[: low.start])
            joined.append((before.start() if before else low.start, high.end, low.yuan, high.yuan))
    return joined


def _range_of(match: re.Match[str]) -> tuple[int, int] | None:
    """The two ends of a range matched by _CHINESE_RANGE or _ARABIC_RANGE, in yuan; None if they are not a range."""
    groups = match.groupdict()
    if "low_unit" in groups:
        unit = _UNIT.get(groups["unit"] or groups["low_unit"] or "", 1)
        low_unit = _UNIT.get(groups["low_unit"] or "", unit)
        low, high = Decimal(groups["low"]) * low_unit, Decimal(groups["high"]) * unit
        if low > high and not groups["low_unit"]:  # "3000-5万": the first number is yuan already
            low = Decimal(groups["low"])
    else:
        unit = _UNIT[groups["unit"]]
        low, high = Decimal(_DIGIT[groups["low"]] * unit), Decimal(_DIGIT[groups["high"]] * unit)
    if not 0 < low < high <= MAX_YUAN:
        return None
    return int(low), int(high)
