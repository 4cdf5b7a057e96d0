"""Reminder arithmetic: when each rule fires next, in the user's time zone, with the clock as an argument."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import msgspec
import pytest

from bot import schema
from bot.core import reminders
from bot.core.reminders import (
    DEFAULT_TZ,
    LATE_AFTER,
    Kind,
    Rule,
    SavedRule,
    is_late,
    known_zone,
    local_date,
    next_fire,
    parse_due_days,
)
from bot.errors import StateError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str, tz: str = DEFAULT_TZ) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).timestamp()


def shown(moment: float | None, tz: str = DEFAULT_TZ) -> str | None:
    return None if moment is None else datetime.fromtimestamp(moment, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("day", "now", "expected"),
    [
        pytest.param(15, "2026-01-10 12:00", "2026-01-15 09:00", id="later-this-month"),
        pytest.param(15, "2026-01-15 08:59", "2026-01-15 09:00", id="today-before-nine"),
        pytest.param(15, "2026-01-15 09:00", "2026-02-15 09:00", id="today-at-nine-is-gone"),
        pytest.param(31, "2026-04-01 00:00", "2026-04-30 09:00", id="no-31st-in-april-falls-on-the-30th"),
        pytest.param(31, "2026-02-01 00:00", "2026-02-28 09:00", id="february-last-day"),
        pytest.param(30, "2028-02-01 00:00", "2028-02-29 09:00", id="leap-february"),
        pytest.param(31, "2026-04-30 10:00", "2026-05-31 09:00", id="after-the-short-month-back-to-the-31st"),
        pytest.param(5, "2026-12-20 00:00", "2027-01-05 09:00", id="over-the-new-year"),
    ],
)
def test_a_monthly_due_day(day: int, now: str, expected: str) -> None:
    assert shown(next_fire(Rule.monthly(day), at(now), DEFAULT_TZ)) == expected


def test_the_time_of_day_is_the_users_own() -> None:
    rule = Rule.monthly(15)
    in_london = next_fire(rule, at("2026-01-01 00:00", "Europe/London"), "Europe/London")
    in_shanghai = next_fire(rule, at("2026-01-01 00:00"), DEFAULT_TZ)
    assert shown(in_london, "Europe/London") == "2026-01-15 09:00"
    assert in_london is not None
    assert in_shanghai is not None
    assert in_london - in_shanghai == 8 * 3600  # 9:00 in London is eight hours after 9:00 in Shanghai (winter)


def test_a_one_off_date_fires_once_then_never() -> None:
    rule = Rule.once(date(2026, 3, 1))
    assert shown(next_fire(rule, at("2026-02-01 00:00"), DEFAULT_TZ)) == "2026-03-01 09:00"
    assert next_fire(rule, at("2026-03-01 09:00"), DEFAULT_TZ) is None


def test_a_credit_nudge_every_three_months_keeps_its_day() -> None:
    rule = Rule.credit(3, date(2026, 1, 31))
    moment = at("2026-01-01 00:00")
    fired = []
    for _ in range(4):
        nxt = next_fire(rule, moment, DEFAULT_TZ)
        fired.append(shown(nxt))
        assert nxt is not None
        moment = nxt
    assert fired == ["2026-01-31 09:00", "2026-04-30 09:00", "2026-07-31 09:00", "2026-10-31 09:00"]


def test_a_firing_long_missed_moves_to_the_next_one_to_come() -> None:
    rule = Rule.credit(1, date(2025, 1, 10))
    assert shown(next_fire(rule, at("2026-06-20 00:00"), DEFAULT_TZ)) == "2026-07-10 09:00"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("15", [Rule.monthly(15)], id="a-bare-day"),
        pytest.param("每月15号", [Rule.monthly(15)], id="every-month-chinese"),
        pytest.param("15日, 28日", [Rule.monthly(15), Rule.monthly(28)], id="two-days"),
        pytest.param("2026-03-01", [Rule.once(date(2026, 3, 1))], id="iso-date"),
        pytest.param("2026年3月1日", [Rule.once(date(2026, 3, 1))], id="chinese-date"),
        pytest.param("3月1日、4月1日", [Rule.once(date(2026, 3, 1)), Rule.once(date(2026, 4, 1))], id="dates"),
        pytest.param("1月5日", [Rule.once(date(2027, 1, 5))], id="a-date-passed-this-year-is-next-year"),
        pytest.param("１５", [Rule.monthly(15)], id="full-width-digits"),
        pytest.param("每个月10号吧", [Rule.monthly(10)], id="every-month-with-a-particle"),
        pytest.param("应该是15号左右", [Rule.monthly(15)], id="hedged-before-and-after"),
        pytest.param("大概每月5号和20号吧", [Rule.monthly(5), Rule.monthly(20)], id="two-days-hedged"),
        pytest.param("每月的10号", [Rule.monthly(10)], id="every-months-day"),
        pytest.param("每个月十号", [Rule.monthly(10)], id="a-day-in-numerals"),
        pytest.param("二十五号", [Rule.monthly(25)], id="twenty-fifth-in-numerals"),
        pytest.param("三十二号", None, id="no-32nd-in-numerals"),
        pytest.param("每個月8號", [Rule.monthly(8)], id="traditional-every-month"),
        pytest.param("28號吧", [Rule.monthly(28)], id="traditional-day-with-a-particle"),
        pytest.param("每個月3號同18號", [Rule.monthly(3), Rule.monthly(18)], id="two-days-joined-by-tong"),
        pytest.param("3号跟18号", [Rule.monthly(3), Rule.monthly(18)], id="two-days-joined-by-gen"),
        pytest.param("32", None, id="no-32nd"),
        pytest.param("2月30日", None, id="no-february-30"),
        pytest.param("明天吧", None, id="words"),
        pytest.param("15, 明天", None, id="one-bad-part-refuses-all"),
        pytest.param("", None, id="empty"),
    ],
)
def test_due_days_as_users_type_them(typed: str, expected: list[Rule] | None) -> None:
    assert parse_due_days(typed, date(2026, 2, 1)) == expected


def test_rules_survive_a_round_trip_through_their_saved_shape() -> None:
    for rule in (Rule.monthly(31), Rule.once(date(2026, 5, 1)), Rule.credit(6, date(2026, 1, 1))):
        stored = msgspec.json.encode(rule.to_saved())
        assert Rule.from_saved(schema.saved_json(stored, SavedRule, "rule")) == rule
    assert Rule.credit(3, date(2026, 1, 1)).kind is Kind.CREDIT


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        pytest.param("null", "rule: expected a mapping, found nothing", id="nothing"),
        pytest.param("{}", "rule: kind: missing", id="no-kind"),
        pytest.param('{"kind": "monthly", "day": 40}', "rule: day: expected `int` <= 31", id="day-40"),
        pytest.param('{"kind": "weekly"}', "rule: kind: not one of the values allowed there", id="unknown-kind"),
        pytest.param('{"kind": "once", "on": "x"}', "rule: on: invalid RFC3339 encoded date", id="not-a-date"),
        pytest.param('{"kind": "credit", "on": "2026-01-01"}', "rule: every: missing", id="credit-without-period"),
        pytest.param('{"kind": "credit", "on": "2026-01-01", "every": 0}', "rule: every: expected `int` >= 1",
                     id="credit-every-0-months"),
        pytest.param('{"kind": "monthly", "day": 15', "rule: not JSON (Input data was truncated)", id="cut-short"),
    ],
)  # fmt: skip
def test_a_garbled_rule_is_refused_naming_its_field(stored: str, problem: str) -> None:
    with pytest.raises(StateError) as refused:
        schema.saved_json(stored, SavedRule, "rule")
    assert str(refused.value) == problem


def test_time_zones_and_lateness() -> None:
    assert known_zone("asia/shanghai") == "Asia/Shanghai"
    assert known_zone("Europe/Berlin") == "Europe/Berlin"
    assert known_zone("Mars/Olympus") is None
    assert known_zone("../etc/passwd") is None
    assert local_date(at("2026-01-01 23:30"), "Asia/Shanghai") == date(2026, 1, 1)
    assert local_date(at("2026-01-01 23:30"), "Europe/London") == date(2026, 1, 1)
    assert not is_late(1000.0, 1000.0 + LATE_AFTER)
    assert is_late(1000.0, 1000.0 + LATE_AFTER + 1)


@pytest.mark.parametrize(
    ("typed", "months"),
    [
        pytest.param("每三个月查一次征信", 3, id="every-three-months-in-words"),
        pytest.param("每3个月", 3, id="every-3-months"),
        pytest.param("三个月一次", 3, id="three-months-once"),
        pytest.param("每两个月查一次", 2, id="every-two-months"),
        pytest.param("每兩個月查一次", 2, id="every-two-months-in-traditional"),
        pytest.param("每季度", 3, id="every-quarter"),
        pytest.param("每半年", 6, id="every-half-year"),
        pytest.param("一年一次", 12, id="once-a-year"),
        pytest.param("每个月", 1, id="every-month"),
        pytest.param("every 3 months", 3, id="english-every-n-months"),
        pytest.param("quarterly", 3, id="english-quarterly"),
        pytest.param("6", 6, id="a-bare-number"),
        pytest.param("看心情", None, id="no-interval"),
        pytest.param("每15个月", None, id="longer-than-a-year"),
        pytest.param("0", None, id="zero"),
    ],
)
def test_how_often_a_credit_check_is_typed(typed: str, months: int | None) -> None:
    assert reminders.parse_interval(typed) == months
    assert reminders.read_interval(typed) == (reminders.Interval(months) if months is not None else None)


@pytest.mark.parametrize(
    ("typed", "months"),
    [
        pytest.param("every 6 weeks", 1, id="six-weeks"),
        pytest.param("每6周", 1, id="six-weeks-in-chinese"),
        pytest.param("每隔六週", 1, id="six-weeks-in-traditional"),
        pytest.param("6个星期一次", 1, id="six-weeks-once"),
        pytest.param("每八周", 2, id="eight-weeks-to-the-nearest-month"),
        pytest.param("every two weeks", 1, id="two-weeks-at-least-a-month"),
        pytest.param("每周", 1, id="weekly"),
        pytest.param("一个半月一次", 1, id="a-month-and-a-half-to-the-more-often"),
        pytest.param("每两个半月", 2, id="two-and-a-half-months"),
        pytest.param("every 1.5 months", 1, id="one-and-a-half-months-in-english"),
        pytest.param("every month and a half", 1, id="a-month-and-a-half-in-english"),
        pytest.param("每52周", 12, id="a-year-of-weeks"),
    ],
)
def test_a_gap_in_weeks_or_half_months_is_rounded_to_whole_months(typed: str, months: int) -> None:
    assert reminders.read_interval(typed) == reminders.Interval(months, rounded=True)


@pytest.mark.parametrize("typed", ["每60周", "每1.5周", "看心情"])
def test_a_gap_of_weeks_longer_than_a_year_or_unread_is_none(typed: str) -> None:
    assert reminders.read_interval(typed) is None


@pytest.mark.parametrize(
    ("terms", "start"),
    [
        pytest.param("每月还2800 分12期 3月15号开始还", date(2027, 3, 15), id="trial-month-and-day"),
        pytest.param("从2027年3月15日起每月还2800", date(2027, 3, 15), id="with-the-year"),
        pytest.param("首期3月15日 每月2800", date(2027, 3, 15), id="first-instalment"),
        pytest.param("12月20号开始", date(2026, 12, 20), id="later-this-month"),
        pytest.param("每月还2800 分12期", None, id="no-start"),
        pytest.param("2月30日开始", None, id="no-such-day"),
        pytest.param("从2025年3月15日起", None, id="already-past"),
    ],
)
def test_the_start_of_a_plan_in_agreed_terms(terms: str, start: date | None) -> None:
    assert reminders.start_in_terms(terms, date(2026, 12, 3)) == start


def test_a_monthly_rule_with_a_start_fires_first_on_its_start() -> None:
    rule = reminders.Rule.monthly(15, date(2026, 3, 15))
    now = datetime(2026, 1, 10, 12, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    first = reminders.next_fire(rule, now, "Asia/Shanghai")
    assert first == datetime(2026, 3, 15, 9, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    second = reminders.next_fire(rule, first or 0, "Asia/Shanghai")
    assert second == datetime(2026, 4, 15, 9, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
