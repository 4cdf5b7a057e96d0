"""Amounts as people type them: every text gives a whole number of yuan or a reason, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.amounts import MAX_YUAN, Unreadable, monthly_in, parse_amount


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        pytest.param("3万", 30_000, id="wan"),
        pytest.param("5k", 5_000, id="k"),
        pytest.param("5K", 5_000, id="capital-k"),
        pytest.param("一万二", 12_000, id="chinese-short-form"),
        pytest.param("1万5", 15_000, id="digits-short-form"),
        pytest.param("12,000", 12_000, id="thousands-separator"),
        pytest.param("￥1，200", 1_200, id="full-width-sign-and-comma"),
        pytest.param("¥800", 800, id="yen-sign"),
        pytest.param("两千五", 2_500, id="liang-qian-wu"),
        pytest.param("3.5w", 35_000, id="w-with-decimal"),
        pytest.param("八百块", 800, id="chinese-with-kuai"),
        pytest.param("三千多块钱", 3_000, id="approximately-with-kuai-qian"),
        pytest.param("大约3万左右", 30_000, id="hedged"),
        pytest.param("一萬二", 12_000, id="traditional"),
        pytest.param("2万零500", 20_500, id="mixed-with-ling"),
        pytest.param("800元/月", 800, id="per-month"),
        pytest.param("５０００", 5_000, id="full-width-digits"),
        pytest.param("800.5", 801, id="rounded-half-up"),
        pytest.param("没有", 0, id="nothing-in-chinese"),
        pytest.param("none", 0, id="nothing-in-english"),
        pytest.param("0", 0, id="zero"),
        pytest.param("about 2000 yuan", 2_000, id="english-hedge-and-unit"),
        pytest.param("4万多把", 40_000, id="a-slip-of-the-particle"),
        pytest.param("三萬幾", 30_000, id="cantonese-odd"),
        pytest.param("没有收入", 0, id="no-income"),
        pytest.param("现在没收入", 0, id="no-income-now"),
        pytest.param("no income", 0, id="no-income-in-english"),
    ],
)
def test_amounts_people_type(text: str, yuan: int) -> None:
    assert parse_amount(text) == yuan


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("", Unreadable.EMPTY, id="empty"),
        pytest.param("   ", Unreadable.EMPTY, id="blank"),
        pytest.param("3-5万", Unreadable.RANGE, id="range-with-dash"),
        pytest.param("三到五万", Unreadable.RANGE, id="range-in-words"),
        pytest.param("-500", Unreadable.NEGATIVE, id="negative"),
        pytest.param("一百亿", Unreadable.TOO_LARGE, id="too-large"),
        pytest.param("1" + "0" * 28, Unreadable.TOO_LARGE, id="more-digits-than-decimal-precision"),
        pytest.param("9" * 40 + ".5", Unreadable.NOT_A_NUMBER, id="longer-than-any-answer"),
        pytest.param("不知道", Unreadable.NOT_A_NUMBER, id="words"),
        pytest.param("万", Unreadable.NOT_A_NUMBER, id="a-unit-alone"),
        pytest.param("1e5", Unreadable.NOT_A_NUMBER, id="scientific"),
        pytest.param("3.5.5", Unreadable.NOT_A_NUMBER, id="two-points"),
        pytest.param("我每个月工资5000但是要交房租", Unreadable.NOT_A_NUMBER, id="a-sentence"),
    ],
)
def test_what_is_not_an_amount_says_why(text: str, reason: Unreadable) -> None:
    assert parse_amount(text) is reason


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_parses_or_gets_a_reason(text: str) -> None:
    result = parse_amount(text)
    assert isinstance(result, Unreadable) or (isinstance(result, int) and 0 <= result <= MAX_YUAN)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,，-~万千百十一二两三四五六七八九零kwK元块¥￥ 多左右约到", max_size=14))
def test_number_like_text_parses_or_gets_a_reason(text: str) -> None:
    result = parse_amount(text)
    assert isinstance(result, Unreadable) or (isinstance(result, int) and 0 <= result <= MAX_YUAN)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_YUAN))
def test_a_number_written_out_reads_back(yuan: int) -> None:
    assert parse_amount(str(yuan)) == yuan
    assert parse_amount(f"{yuan:,}") == yuan
    assert parse_amount(f"¥{yuan}元") == yuan


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=99_999))
def test_wan_multiplies_by_ten_thousand(count: int) -> None:
    assert parse_amount(f"{count}万") == count * 10_000


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A-?[0-9]{1,40}(\.[0-9]{1,6})?[万千kw亿]?[元块]?\Z"))
def test_long_and_decimal_numbers_parse_or_get_a_reason(text: str) -> None:
    result = parse_amount(text)
    assert isinstance(result, Unreadable) or (isinstance(result, int) and 0 <= result <= MAX_YUAN)


@pytest.mark.parametrize(
    ("terms", "monthly"),
    [
        pytest.param("分24期 每月还1800左右", 1_800, id="each-month-before"),
        pytest.param("1800元/月，分12期", 1_800, id="per-month-after"),
        pytest.param("3000 a month for 12 months", 3_000, id="english"),
        pytest.param("分12期，免罚息", None, id="no-monthly-amount"),
        pytest.param("每月1800 或者每月2000", None, id="two-different"),
        pytest.param("客服说能分24期 每期大约2600块", 2_600, id="each-instalment-before"),
        pytest.param("分二十四期 2600一期", 2_600, id="each-instalment-after"),
        pytest.param("分24期，每期的还款大概2600", 2_600, id="words-between"),
        pytest.param("每月15号还 一个月2600", 2_600, id="a-day-of-the-month-is-no-amount"),
        pytest.param("分24期 第一期3月15号开始 每期2600", 2_600, id="the-first-instalment-is-no-per-instalment"),
        pytest.param(
            "客服说可以分24期 每期2600左右 利息好像也减了一部分 第一期下个月中开始还"
            " 电话里说会发短信给我但是到现在也没给书面的 我也不知道这样算不算数 先这样吧",
            2_600,
            id="terms-longer-than-a-typed-answer",
        ),
        pytest.param("300 yuan per instalment, 24 instalments", 300, id="english-per-instalment"),
    ],
)
def test_the_monthly_amount_agreed_terms_name(terms: str, monthly: int | None) -> None:
    assert monthly_in(terms) == monthly
