"""Reminder arithmetic: when an instalment or credit-check reminder next fires, in the user's own time zone.

Pure: the clock is an argument (unix seconds in, unix seconds out), so restarts and missed firings are tested with
any time a test likes. Rules are plain frozen values, stored by `bot.storage` in their saved shapes (`SavedRule`);
the Telegram transport arms PTB's JobQueue with what `next_fire` says, the terminal chat only lists and edits them.

Three rules:

* `Rule.monthly(day, start)` — an instalment due on this day of every month, from `start` on when the agreed plan
  begins later ("3月15号开始还": nothing fires before it); a month without that day (the 31st in April, the 30th in
  February) falls on its last day;
* `Rule.once(date)` — an instalment due on one date;
* `Rule.credit(every, start)` — the "check your credit record" nudge (guide 6.3) every `every` months from `start`.

Every reminder fires at `REMIND_AT` local time on its day.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_DOWN, Decimal
from enum import StrEnum
from typing import Annotated, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from bot.core.i18n import to_simplified
from bot.core.numbers import chinese_number

#: The time zone of a user who has not chosen one (the bot's users are mostly in mainland China).
DEFAULT_TZ: Final = "Asia/Shanghai"
#: Local time of day every reminder fires at.
REMIND_AT: Final = time(9, 0)
#: A reminder delivered more than this many seconds after its time is marked as late (the bot was down).
LATE_AFTER: Final = 15 * 60
#: Months between credit-record nudges a user can choose.
CREDIT_PERIODS: Final = (1, 3, 6)
#: At most this many reminders per user (a typed list of dates cannot fill the database).
MAX_PER_USER: Final = 24
#: Time zones offered as buttons; any IANA name can be typed too.
COMMON_ZONES: Final = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Europe/London",
                       "America/New_York")  # fmt: skip


class Kind(StrEnum):
    MONTHLY = "monthly"
    ONCE = "once"
    CREDIT = "credit"


@dataclass(frozen=True)
class Rule:
    """When a reminder fires; build with `monthly`, `once` or `credit`."""

    kind: Kind
    day: int = 0  # MONTHLY: day of the month, 1..31
    on: date | None = None  # ONCE: the date; CREDIT: the first nudge; MONTHLY: the first day it may fire, if later
    every: int = 0  # CREDIT: months between nudges

    @classmethod
    def monthly(cls, day: int, start: date | None = None) -> Rule:
        if not 1 <= day <= 31:
            raise ValueError(f"a day of the month is 1..31, not {day}")
        return cls(Kind.MONTHLY, day=day, on=start)

    @classmethod
    def once(cls, on: date) -> Rule:
        return cls(Kind.ONCE, on=on)

    @classmethod
    def credit(cls, every: int, start: date) -> Rule:
        if every < 1:
            raise ValueError(f"a credit nudge repeats every 1 month or more, not {every}")
        return cls(Kind.CREDIT, on=start, every=every)

    def to_saved(self) -> SavedRule:
        """The rule in its saved shape (a row of the reminders table); `from_saved` reads it back."""
        if self.kind is Kind.MONTHLY:
            return MonthlyRule(self.day, self.on)
        assert self.on is not None
        return OnceRule(self.on) if self.kind is Kind.ONCE else CreditRule(self.on, self.every)

    @classmethod
    def from_saved(cls, saved: SavedRule) -> Rule:
        """The rule a saved shape holds (its constraints were checked when it was read: `bot.schema.saved_json`)."""
        match saved:
            case MonthlyRule(day, start):
                return cls.monthly(day, start)
            case OnceRule(on):
                return cls.once(on)
            case CreditRule(on, every):
                return cls.credit(every, on)


# The saved shapes of a rule, told apart by `kind`: every shape a reminders row has held since reminders were stored.


class MonthlyRule(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True, tag_field="kind",
    tag=Kind.MONTHLY.value,
):  # fmt: skip
    """`Rule.monthly`: the day of the month an instalment is due, and the day the plan starts (absent in rows saved
    before it was kept, and left out when there is none: such rows are written as before)."""

    day: Annotated[int, msgspec.Meta(ge=1, le=31)]
    start: date | None = None


class OnceRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag=Kind.ONCE.value):
    """`Rule.once`: the date of one instalment."""

    on: date


class CreditRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag=Kind.CREDIT.value):
    """`Rule.credit`: the first credit-record nudge, and the months between nudges."""

    on: date
    every: Annotated[int, msgspec.Meta(ge=1)]


#: A rule as the reminders table stores it.
SavedRule = MonthlyRule | OnceRule | CreditRule


def zone(name: str | None) -> ZoneInfo:
    """The named time zone, or the default one for None or a name this machine does not know."""
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def known_zone(name: str) -> str | None:
    """The IANA name if `name` is one ("asia/shanghai" → "Asia/Shanghai"), else None."""
    wanted = name.strip().replace(" ", "_")
    if not re.fullmatch(r"[A-Za-z_]+(?:/[A-Za-z_+-]+){1,2}|UTC", wanted):
        return None
    for candidate in (wanted, "/".join(part.capitalize() if part.islower() else part for part in wanted.split("/"))):
        try:
            ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return candidate
    return None


#: Every month has this many days: a monthly reminder on a later day falls on the last day of a shorter month.
SHORTEST_MONTH: Final = 28


def clamp_day(year: int, month: int, day: int) -> date:
    """`day` of the month, or the month's last day when it is shorter (31 → 30 April, 28/29 February)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _at(day: date, tz: ZoneInfo) -> float:
    return datetime.combine(day, REMIND_AT, tzinfo=tz).timestamp()


def local_date(moment: float, tz_name: str | None) -> date:
    return datetime.fromtimestamp(moment, zone(tz_name)).date()


def next_fire(rule: Rule, after: float, tz_name: str | None) -> float | None:
    """The first firing time strictly after `after` (unix seconds); None when a one-off date has passed."""
    tz = zone(tz_name)
    today = datetime.fromtimestamp(after, tz).date()
    if rule.kind is Kind.ONCE:
        assert rule.on is not None
        moment = _at(rule.on, tz)
        return moment if moment > after else None
    if rule.kind is Kind.MONTHLY:
        if rule.on is not None:  # the plan starts later: nothing fires before its first day
            after = max(after, _at(rule.on, tz) - 1)
            today = datetime.fromtimestamp(after, tz).date()
        for months in range(0, 3):
            year, month = _add_months(today.year, today.month, months)
            moment = _at(clamp_day(year, month, rule.day), tz)
            if moment > after:
                return moment
        raise AssertionError("a monthly day comes within two months")
    assert rule.on is not None
    start = rule.on
    gone = max(0, (today.year - start.year) * 12 + today.month - start.month)
    k = gone // rule.every
    while True:
        year, month = _add_months(start.year, start.month, k * rule.every)
        moment = _at(clamp_day(year, month, start.day), tz)
        if moment > after:
            return moment
        k += 1


def is_late(due: float, now: float) -> bool:
    """Whether a reminder sent at `now` for `due` should say it comes late (the bot was not running)."""
    return now - due > LATE_AFTER


# --- reading what users type -------------------------------------------------------------------------------------

#: Between days: punctuation, or a word for "and" (同 and 跟 as Hong Kong and Taiwan readers say it: "5號同20號").
_SEPARATORS: Final = re.compile(r"[,，、;；\s]+|和|及|同|跟|与|and")
_MONTHLY: Final = re.compile(r"(?:(?:每月|每个月)的?|monthly|every month|day|月)?(\d{1,2})(?:号|日|th|st|nd|rd)?")
#: A day of the month in Chinese numerals ("十号", "每个月二十五号"): the unit is needed, so "十" alone is no day.
_MONTHLY_WORDS: Final = re.compile(r"(?:(?:每月|每个月)的?)?([一二三四五六七八九十]{1,3})(?:号|日)")
_ISO: Final = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?")
_MONTH_DAY: Final = re.compile(r"(\d{1,2})月(\d{1,2})[日号]?")
#: Hedges and closing particles around a day as people type it ("每个月10号吧", "应该是15号左右").
_HEDGE_BEFORE: Final = re.compile(r"^(?:大概|大约|差不多|应该是|应该|好像是|好像|一般是|一般|都是|是|在)+")
_HEDGE_AFTER: Final = re.compile(r"(?:吧|啊|呢|啦|哦|呀|的|左右|前后|大概|差不多|好像)+$")


def parse_due_days(text: str, today: date) -> list[Rule] | None:
    """Instalment days as typed: "15", "15号", "每月15日", "每个月10号吧" (monthly) or "2026-01-15", "1月15日" (once;
    the next such date from `today` when no year is given), several separated by commas, spaces or 和; a hedge or
    closing particle around a day is no part of it. None if any part is not one.
    """
    cleaned = _simplified(text).rstrip("。.!！")
    cleaned = re.sub(r"(每月|每个月)\s+", r"\1", cleaned)
    rules: list[Rule] = []
    for part in filter(None, _SEPARATORS.split(cleaned)):
        rule = _one_day(part, today)
        if rule is None:
            return None
        if rule not in rules:
            rules.append(rule)
    return rules or None


def _one_day(part: str, today: date) -> Rule | None:
    part = _HEDGE_AFTER.sub("", _HEDGE_BEFORE.sub("", part))
    try:
        if match := _ISO.fullmatch(part):
            return Rule.once(date(int(match[1]), int(match[2]), int(match[3])))
        if match := _MONTH_DAY.fullmatch(part):
            month, day = int(match[1]), int(match[2])
            on = date(today.year, month, day)
            return Rule.once(on if on >= today else date(today.year + 1, month, day))
        if match := _MONTHLY.fullmatch(part):
            return Rule.monthly(int(match[1]))
        if (match := _MONTHLY_WORDS.fullmatch(part)) and (numeral := chinese_number(match[1])) is not None:
            return Rule.monthly(int(numeral))
    except ValueError:  # 2月30日, 13月1日, day 32
        return None
    return None


#: How often to check the credit record, as typed at its prompt: "每三个月", "3个月一次", "每季度", "every 3 months".
_EVERY_N: Final = re.compile(
    r"每\s*(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*个?月"
    r"|(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*个?月\s*(?:一次|查一次|一回|提醒一次)"
)
_EVERY_N_EN: Final = re.compile(r"every\s+(\d{1,2}|one|two|three|four|six|twelve)\s+months?")
_EN_NUMBERS: Final = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12}
_EVERY_WORD: Final = (
    (re.compile(r"季度|每季|一季|quarter"), 3),
    (re.compile(r"半年|half\s*(?:a\s*)?year|six\s*months"), 6),
    (re.compile(r"每年|一年一次|每一年|一年查一次|yearly|annually|every\s+year|once\s+a\s+year"), 12),
    (re.compile(r"每月|每个月|每一个月|一个月一次|monthly|every\s+month|once\s+a\s+month"), 1),
)
#: The longest gap between credit-record nudges a typed interval may ask for.
MAX_EVERY: Final = 12


@dataclass(frozen=True)
class Interval:
    """How often to nudge about the credit record, as typed: whole months, and whether the text gave another span
    (weeks, a month and a half) that was rounded to them, for the reply to say so."""

    months: int
    rounded: bool = False


#: A span in weeks ("每6周", "6个星期一次", "每隔两週", "every 6 weeks") or a month and a half ("一个半月一次",
#: "每1.5个月", "every 1.5 months"): read, then rounded to whole months, as the nudges go by month.
_N: Final = r"(\d{1,2}|[一二两三四五六七八九十]{1,3})"
_WEEKS: Final = re.compile(
    rf"每\s*隔?\s*{_N}\s*个?\s*(?:周|週|星期|礼拜|禮拜)|{_N}\s*个?\s*(?:周|週|星期|礼拜|禮拜)\s*(?:一次|查一次|一回|提醒一次)"
)
_WEEKS_EN: Final = re.compile(r"every\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+weeks?")
_FORTNIGHT: Final = re.compile(r"biweekly|fortnight|every\s+other\s+week|每两周|每隔一周|隔周")
_WEEKLY: Final = re.compile(r"每周|每週|每个?星期|每个?礼拜|每个?禮拜|weekly|every\s+week|once\s+a\s+week")
_HALF_MONTHS: Final = re.compile(
    rf"每\s*隔?\s*{_N}\s*个半月|{_N}\s*个半月\s*(?:一次|查一次|一回|提醒一次)|(?:每|every)\s*(\d{{1,2}}\.5)\s*(?:个\s*)?(?:月|months?)"
)
_HALF_MONTHS_EN: Final = re.compile(r"every\s+(?:a|one)?\s*month\s+and\s+a\s+half")
_EN_WEEKS: Final = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twelve": 12,
}  # fmt: skip
#: The average month, in days: weeks are counted in months by it.
_MONTH_DAYS: Final = Decimal("30.4375")


def read_interval(text: str) -> Interval | None:
    """How often the text asks for credit-record nudges: `parse_interval`'s months, or weeks or a month and a half
    rounded to the nearest whole month, at least one (a tie to the more often: "一个半月" is every month)."""
    days = _days_said(_simplified(text))
    if days is None:
        months = parse_interval(text)
        return Interval(months) if months is not None else None
    rounded = int((days / _MONTH_DAYS).quantize(Decimal(1), rounding=ROUND_HALF_DOWN))
    return Interval(max(1, rounded), rounded=True) if rounded <= MAX_EVERY else None


def _days_said(cleaned: str) -> Decimal | None:
    """The days a span in weeks or in a month and a half comes to; None when the text gives neither."""
    if match := _WEEKS.search(cleaned):
        weeks = _count(match[1] or match[2])
    elif match := _WEEKS_EN.search(cleaned):
        weeks = int(match[1]) if match[1].isdigit() else _EN_WEEKS[match[1]]
    elif _FORTNIGHT.search(cleaned):
        weeks = 2
    elif _WEEKLY.search(cleaned):
        weeks = 1
    elif match := _HALF_MONTHS.search(cleaned):
        whole = match[1] or match[2]
        half = Decimal(match[3]) if match[3] else None
        if half is None:
            number = _count(whole) if whole else None
            half = Decimal(number) + Decimal("0.5") if number is not None else None
        return half * _MONTH_DAYS if half else None
    elif _HALF_MONTHS_EN.search(cleaned):
        return Decimal("1.5") * _MONTH_DAYS
    else:
        return None
    return Decimal(weeks * 7) if weeks else None


def parse_interval(text: str) -> int | None:
    """Months between credit-record nudges as typed: "每三个月查一次征信", "每3个月", "三个月一次", "每季度", "每半年",
    "每年", "every 3 months", "quarterly", or just "3"; None when the text gives none (or more than a year)."""
    cleaned = _simplified(text).rstrip("。.!！吧")
    months: int | None = None
    if cleaned.isdigit():
        months = int(cleaned)
    elif match := _EVERY_N.search(cleaned):
        number = match[1] or match[2]
        months = int(number) if number.isdigit() else _numeral(number)
    elif match := _EVERY_N_EN.search(cleaned):
        months = int(match[1]) if match[1].isdigit() else _EN_NUMBERS[match[1]]
    else:
        months = next((every for pattern, every in _EVERY_WORD if pattern.search(cleaned)), None)
    return months if months is not None and 1 <= months <= MAX_EVERY else None


def _count(text: str) -> int | None:
    """A count typed in digits or in Chinese numerals ("6", "六")."""
    return int(text) if text.isdigit() else _numeral(text)


def _simplified(text: str) -> str:
    """A typed date in one script: NFKC, Traditional read as Simplified ("每個月15號" is "每个月15号"), lower case."""
    return to_simplified(unicodedata.normalize("NFKC", text)).strip().lower()


def _numeral(text: str) -> int | None:
    value = chinese_number(text)
    return int(value) if value is not None else None


#: The first instalment's date in agreed terms: "3月15号开始还", "从2027年3月15日起", "首期3月15日".
_START_AFTER: Final = re.compile(
    r"(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?\s*(?:开始|起|start)", re.IGNORECASE
)
_START_BEFORE: Final = re.compile(
    r"(?:首期|第一期|第1期|first instal?lment|starting|from)\D{0,6}?(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*"
    r"(\d{1,2})",
    re.IGNORECASE,
)


def start_in_terms(terms: str, today: date) -> date | None:
    """The date agreed terms say the plan starts ("3月15号开始还" → the next 15 March from `today`), if it is still to
    come; None when they give none, or a date that is not one (2月30日)."""
    cleaned = to_simplified(unicodedata.normalize("NFKC", terms))
    match = _START_AFTER.search(cleaned) or _START_BEFORE.search(cleaned)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        start = date(int(year) if year else today.year, int(month), int(day))
        if year is None and start < today:
            start = date(today.year + 1, int(month), int(day))
    except ValueError:
        return None
    return start if start >= today else None


def fire_in(moment: float, now: float) -> timedelta:
    """How long from `now` until `moment` (never negative), for the JobQueue."""
    return timedelta(seconds=max(0.0, moment - now))


def utc_iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat()
