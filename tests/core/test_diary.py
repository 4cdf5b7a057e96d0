"""The diary's guided input: date, channel, who, what — as a pure function of the draft and one move."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.diary import (
    MAX_SAID,
    MAX_WHO,
    Contact,
    Draft,
    Field,
    Move,
    PickChannel,
    PickDay,
    Problem,
    Skip,
    Typed,
    parse_day,
    read_channel,
    step,
)

TODAY = date(2026, 3, 10)


def test_a_contact_recorded_from_buttons_and_typing() -> None:
    draft = Draft()
    moves: list[Move] = [PickDay(1), PickChannel("phone"), Typed(" 客服 8842 "), Typed("答应分 12 期，免罚息")]
    for move in moves[:-1]:
        outcome = step(draft, move, TODAY)
        assert outcome.problem is None
        assert outcome.contact is None
        draft = outcome.draft
    assert draft == Draft(Field.SAID, date(2026, 3, 9), "phone", "客服 8842")
    done = step(draft, moves[-1], TODAY)
    assert done.contact == Contact(date(2026, 3, 9), "phone", "客服 8842", "答应分 12 期，免罚息")


def test_who_can_be_skipped() -> None:
    at_who = Draft(Field.WHO, TODAY, "app")
    assert step(at_who, Skip(), TODAY).draft == Draft(Field.SAID, TODAY, "app", None)


@pytest.mark.parametrize(
    ("draft", "move", "problem"),
    [
        pytest.param(Draft(), Typed("下周"), Problem.BAD_DAY, id="not-a-date"),
        pytest.param(Draft(), Typed("2026-03-11"), Problem.FUTURE_DAY, id="tomorrow"),
        pytest.param(Draft(), Typed("这周五"), Problem.FUTURE_DAY, id="later-this-week"),
        pytest.param(Draft(Field.CHANNEL, TODAY), Typed("电话"), Problem.USE_BUTTONS, id="channel-typed"),
        pytest.param(Draft(Field.CHANNEL, TODAY), PickChannel("pigeon"), Problem.USE_BUTTONS, id="forged-channel"),
        pytest.param(Draft(Field.WHO, TODAY, "sms"), Typed("x" * (MAX_WHO + 1)), Problem.TOO_LONG, id="long-who"),
        pytest.param(Draft(Field.SAID, TODAY, "sms"), Typed("x" * (MAX_SAID + 1)), Problem.TOO_LONG, id="long-said"),
        pytest.param(Draft(Field.SAID, TODAY, "sms"), Typed("   "), Problem.USE_BUTTONS, id="blank-said"),
        pytest.param(Draft(Field.SAID, TODAY, "sms"), PickDay(0), Problem.USE_BUTTONS, id="old-day-button"),
    ],
)
def test_what_is_not_taken_leaves_the_draft_as_it_was(draft: Draft, move: Move, problem: Problem) -> None:
    outcome = step(draft, move, TODAY)
    assert outcome.problem is problem
    assert outcome.draft == draft
    assert outcome.contact is None


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("今天", TODAY),
        ("昨天", date(2026, 3, 9)),
        ("前天", date(2026, 3, 8)),
        ("yesterday", date(2026, 3, 9)),
        ("2026-01-15", date(2026, 1, 15)),
        ("2026年1月15日", date(2026, 1, 15)),
        ("1月15日", date(2026, 1, 15)),
        ("12月20号", date(2025, 12, 20)),  # later in the year than today: last year's
        ("3/10", TODAY),
        ("２月１日", date(2026, 2, 1)),
        ("2月30日", None),
        pytest.param("前天下午", date(2026, 3, 8), id="a-time-of-day-after-the-day"),
        pytest.param("昨天晚上8点半", date(2026, 3, 9), id="an-hour-after-the-day"),
        pytest.param("yesterday afternoon", date(2026, 3, 9), id="english-time-of-day"),
        pytest.param("大前天", date(2026, 3, 7), id="three-days-back"),
        pytest.param("3天前", date(2026, 3, 7), id="n-days-ago"),
        pytest.param("两天之前", date(2026, 3, 8), id="n-days-ago-in-chinese-numerals"),
        pytest.param("3 days ago", date(2026, 3, 7), id="n-days-ago-in-english"),
        pytest.param("上周三", date(2026, 3, 4), id="last-weeks-wednesday"),  # TODAY is a Tuesday
        pytest.param("上个礼拜日", date(2026, 3, 8), id="last-weeks-sunday"),
        pytest.param("周一", date(2026, 3, 9), id="the-latest-monday"),
        pytest.param("这周五", date(2026, 3, 13), id="this-weeks-friday-is-ahead"),  # refused by the caller
        pytest.param("last friday", date(2026, 3, 6), id="last-friday"),
        pytest.param("last tuesday", date(2026, 3, 3), id="last-tuesday-is-not-today"),
        pytest.param("1月15日下午", date(2026, 1, 15), id="a-date-with-a-time-of-day"),
        pytest.param("400天前", None, id="too-far-back-to-count"),
        pytest.param("下午", None, id="a-time-of-day-alone"),
        pytest.param("上周", None, id="a-week-is-no-day"),
    ],
)
def test_days_as_people_type_them(typed: str, day: date | None) -> None:
    assert parse_day(typed, TODAY) == day


def test_a_draft_survives_a_round_trip_and_garbage_is_refused() -> None:
    draft = Draft(Field.SAID, TODAY, "letter", "张女士")
    assert Draft.from_dict(draft.to_dict()) == draft
    assert Draft.from_dict({"at": "elsewhere"}) is None
    assert Draft.from_dict({"at": "who", "channel": "pigeon"}) is None
    assert Draft.from_dict({"at": "who", "day": "yesterday"}) is None


NAMES = {"phone": ["电话", "Phone", "打的", "95188"], "app": ["App 聊天", "app"], "sms": ["短信", "text"]}


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        pytest.param("电话", "phone", id="the-button-label"),
        pytest.param("電話", "phone", id="the-label-in-traditional"),
        pytest.param("打的95188", "phone", id="an-also-word-in-a-sentence"),
        pytest.param("in the App", "app", id="a-latin-word"),
        pytest.param("context", None, id="not-inside-another-word"),
        pytest.param("嗯", None, id="none-named"),
        pytest.param("电话 短信", None, id="two-alike"),
    ],
)
def test_a_channel_named_in_words(text: str, channel: str | None) -> None:
    assert read_channel(text, NAMES) == channel
