"""The negotiation diary: one contact with Alipay as a value, and the short guided input that records it.

`/log` asks, one at a time: the date (today, yesterday, or typed), the channel (buttons, or named in words:
`read_channel`), who they spoke to (optional) and what was said or promised. `step(draft, move, today)` is the
whole guided input; nothing here does I/O, and the draft is a JSON-able value the engine keeps while the user types.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Final

from bot.core.normalize import basic_form
from bot.core.numbers import chinese_number  # the one reader of Chinese numerals

#: Channels a contact can have been made through; labels are `diary_channel_<id>` in knowledge/tools.yaml.
CHANNELS: Final = ("phone", "app", "sms", "letter", "visit", "other")
#: The longest "who" and "what was said" kept; a pasted essay is refused with the limit named.
MAX_WHO: Final = 80
MAX_SAID: Final = 1000
#: At most this many diary entries per user.
MAX_ENTRIES: Final = 200
#: "N 天前" further back than this is a typo, not a contact someone remembers by counting days.
MAX_DAYS_AGO: Final = 366


class Field(StrEnum):
    """The question the guided input is at."""

    DAY = "day"
    CHANNEL = "channel"
    WHO = "who"
    SAID = "said"


@dataclass(frozen=True)
class Draft:
    """A contact being recorded: the answers so far and the question asked now."""

    at: Field = Field.DAY
    day: date | None = None
    channel: str | None = None
    who: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.value,
            "day": self.day.isoformat() if self.day else None,
            "channel": self.channel,
            "who": self.who,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Draft | None:
        try:
            at = Field(str(data.get("at")))
            day = date.fromisoformat(data["day"]) if data.get("day") else None
        except (TypeError, ValueError):
            return None
        channel, who = data.get("channel"), data.get("who")
        if channel is not None and channel not in CHANNELS:
            return None
        if who is not None and (not isinstance(who, str) or len(who) > MAX_WHO):
            return None
        return cls(at, day, channel, who)


@dataclass(frozen=True)
class Contact:
    """One recorded contact, complete."""

    day: date
    channel: str
    who: str | None
    said: str


class Problem(StrEnum):
    """Why a typed answer was not taken; texts are `diary_<value>` in knowledge/tools.yaml."""

    BAD_DAY = "bad_day"
    FUTURE_DAY = "future_day"
    USE_BUTTONS = "use_buttons"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class Typed:
    text: str


@dataclass(frozen=True)
class PickDay:
    days_ago: int  # 0 today, 1 yesterday


@dataclass(frozen=True)
class PickChannel:
    channel: str


@dataclass(frozen=True)
class Skip:
    """Leave "who" empty."""


Move = Typed | PickDay | PickChannel | Skip


@dataclass(frozen=True)
class Step:
    """After a move: the draft (with the next question), a finished contact, or a problem (the draft unchanged)."""

    draft: Draft
    contact: Contact | None = None
    problem: Problem | None = None


def step(draft: Draft, move: Move, today: date) -> Step:
    """One answer to the current question; never raises on what a user types or presses."""
    match draft.at, move:
        case Field.DAY, PickDay(days_ago=ago) if ago in (0, 1):
            return Step(replace(draft, day=today - timedelta(days=ago), at=Field.CHANNEL))
        case Field.DAY, Typed(text=text):
            return _typed_day(draft, text, today)
        case Field.CHANNEL, PickChannel(channel=channel) if channel in CHANNELS:
            return Step(replace(draft, channel=channel, at=Field.WHO))
        case Field.WHO, Skip():
            return Step(replace(draft, who=None, at=Field.SAID))
        case Field.WHO, Typed(text=text):
            who = text.strip()
            if len(who) > MAX_WHO:
                return Step(draft, problem=Problem.TOO_LONG)
            return Step(replace(draft, who=who or None, at=Field.SAID))
        case Field.SAID, Typed(text=text) if text.strip():
            return _typed_said(draft, text.strip())
    return Step(draft, problem=Problem.USE_BUTTONS)


def _typed_day(draft: Draft, text: str, today: date) -> Step:
    """The day of the contact, typed: one the user can read back, not in the future."""
    day = parse_day(text, today)
    if day is None:
        return Step(draft, problem=Problem.BAD_DAY)
    if day > today:
        return Step(draft, problem=Problem.FUTURE_DAY)
    return Step(replace(draft, day=day, at=Field.CHANNEL))


def _typed_said(draft: Draft, said: str) -> Step:
    """What was said, the last answer: the finished contact, within MAX_SAID characters."""
    if len(said) > MAX_SAID:
        return Step(draft, problem=Problem.TOO_LONG)
    assert draft.day is not None
    assert draft.channel is not None
    return Step(draft, contact=Contact(draft.day, draft.channel, draft.who, said))


def read_channel(text: str, names: Mapping[str, Sequence[str]]) -> str | None:
    """The channel a typed answer names ("电话", "打的95188"): the one whose longest name the text holds; None when
    it names none, or two alike. `names` are each channel's labels and `also` words, in any language."""
    form = basic_form(text)
    found: dict[str, int] = {}
    for channel, words in names.items():
        for word in words:
            name = basic_form(word)
            if name and _names(form, name):
                found[channel] = max(found.get(channel, 0), len(name))
    ranked = sorted(found.items(), key=lambda item: -item[1])
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def _names(form: str, name: str) -> bool:
    """Whether `name` stands in `form`; a Latin name must be a whole word ("text" is not inside "context")."""
    before = r"(?<![a-z0-9])" if name[0].isascii() else ""
    after = r"(?![a-z0-9])" if name[-1].isascii() else ""
    return re.search(f"{before}{re.escape(name)}{after}", form) is not None


def limit(draft: Draft) -> int:
    """The length limit of the current question's answer."""
    return MAX_WHO if draft.at is Field.WHO else MAX_SAID


#: Days counted back from today, by the words people type for them.
_RELATIVE: Final = {
    "今天": 0, "今日": 0, "today": 0,
    "昨天": 1, "昨日": 1, "yesterday": 1,
    "前天": 2, "前日": 2, "thedaybeforeyesterday": 2, "daybeforeyesterday": 2,
    "大前天": 3,
}  # fmt: skip
_ISO: Final = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?")
_MONTH_DAY: Final = re.compile(r"(\d{1,2})(?:月|[-/.])(\d{1,2})[日号]?")
#: "3天前", "三天之前", "两日前", "3 days ago", "a day ago" (spaces are gone when this is matched).
_DAYS_AGO: Final = re.compile(
    r"(?:(\d{1,3})|([一二两三四五六七八九十]{1,3}))(?:天|日)(?:之|以)?前|(\d{1,3}|a|one)days?ago"
)
#: Weekdays: 周一 … 周日, 星期三, 礼拜天; English names. Monday is 0, as `date.weekday()` counts.
_WEEKDAY_CN: Final = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_WEEKDAY_EN: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Which week a Chinese weekday names: last week (-1), this one (0); none said: the latest such day.
_WEEK_OFFSET: Final = {"上": -1, "上个": -1, "这": 0, "这个": 0, "本": 0}
_WEEK_CN: Final = re.compile(r"(上个?|这个?|本)?(?:周|週|星期|礼拜|禮拜)([一二三四五六日天末])")
_WEEK_EN: Final = re.compile(rf"(last|this)?({'|'.join(_WEEKDAY_EN)}|{'|'.join(w[:3] for w in _WEEKDAY_EN)})")
#: A time of day after the date ("前天下午", "昨天晚上8点", "yesterday afternoon", "yesterday 3pm"): the diary keeps
#: the day only, so it is left out. A bare number after a date is no time ("1/15" stays a date).
_TIME_OF_DAY: Final = re.compile(
    r"(?:(?:上午|下午|中午|晚上|早上|早晨|傍晚|凌晨|夜里|夜裡|半夜|白天)"
    r"(?:\d{1,2}|[一二两三四五六七八九十]{1,3})?(?:[点點时時:：](?:\d{1,2}分?|半|[一二三四五]十?分?)?)?"
    r"|(?:\d{1,2}|[一二两三四五六七八九十]{1,3})[点點时時:：](?:\d{1,2}分?|半)?"
    r"|(?:in|at)?(?:the)?(?:morning|afternoon|evening|night|noon)"
    r"|(?:at)?\d{1,2}(?::\d{2})?(?:am|pm))$"
)


def parse_day(text: str, today: date) -> date | None:
    """A day as typed: 今天, 昨天, 前天 (with a time of day after it, 前天下午), 大前天, 3天前, 上周三, 周五,
    2026-01-15, 2026年1月15日, 1月15日, 1/15 (the last such day up to today); today, yesterday, 3 days ago,
    last Friday. A day in the future is returned as it is (the caller says it cannot be)."""
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).strip().lower()).rstrip("。.!！")
    cleaned = cleaned.removeprefix("on")  # "on monday"
    if (dated := _TIME_OF_DAY.sub("", cleaned)) and dated != cleaned:
        cleaned = dated.removesuffix("的")
    if cleaned in _RELATIVE:
        return today - timedelta(days=_RELATIVE[cleaned])
    if match := _DAYS_AGO.fullmatch(cleaned):
        return _days_ago(match, today)
    if match := _WEEK_CN.fullmatch(cleaned):
        return _weekday(_WEEKDAY_CN[match[2]], _WEEK_OFFSET.get(match[1] or ""), today)
    if match := _WEEK_EN.fullmatch(cleaned):
        day = next(i for i, name in enumerate(_WEEKDAY_EN) if name.startswith(match[2]))
        return _weekday(day, 0 if match[1] == "this" else None, today, before_today=match[1] == "last")
    try:
        if match := _ISO.fullmatch(cleaned):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _MONTH_DAY.fullmatch(cleaned):
            month, day = int(match[1]), int(match[2])
            this_year = date(today.year, month, day)
            return this_year if this_year <= today else date(today.year - 1, month, day)
    except ValueError:
        return None
    return None


def _days_ago(match: re.Match[str], today: date) -> date | None:
    arabic, chinese, english = match[1], match[2], match[3]
    if chinese:
        number = chinese_number(chinese)
        days = int(number) if number is not None else None
    else:
        days = int(arabic or english) if (arabic or english or "").isdigit() else 1
    if days is None or days > MAX_DAYS_AGO:
        return None
    return today - timedelta(days=days)


def _weekday(weekday: int, week: int | None, today: date, *, before_today: bool = False) -> date:
    """The day `weekday` of the week `week` weeks from this one (-1: last week, 0: this one); `week` None ("周三"
    alone): the latest such day up to today (before today for "last Friday")."""
    if week is not None:
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=7 * week + weekday)
    back = (today.weekday() - weekday) % 7
    if back == 0 and before_today:
        back = 7
    return today - timedelta(days=back)
