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

#: Channels a contact can have been made through; labels are `diary_channel_<id>` in knowledge/tools.yaml.
CHANNELS: Final = ("phone", "app", "sms", "letter", "visit", "other")
#: The longest "who" and "what was said" kept; a pasted essay is refused with the limit named.
MAX_WHO: Final = 80
MAX_SAID: Final = 1000
#: At most this many diary entries per user.
MAX_ENTRIES: Final = 200


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


_RELATIVE: Final = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}
_ISO: Final = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?")
_MONTH_DAY: Final = re.compile(r"(\d{1,2})(?:月|[-/.])(\d{1,2})[日号]?")


def parse_day(text: str, today: date) -> date | None:
    """A day as typed: 今天, 昨天, 前天, 2026-01-15, 2026年1月15日, 1月15日, 1/15 (the last such day up to today)."""
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).strip().lower()).rstrip("。.")
    if cleaned in _RELATIVE:
        return today - timedelta(days=_RELATIVE[cleaned])
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
