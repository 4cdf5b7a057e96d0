"""Amounts as people type them: every text gives a whole number of yuan or a reason, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.amounts import (
    MAX_YUAN,
    Parts,
    Spread,
    Unreadable,
    amounts_in,
    foreign_currency,
    income_not_owed,
    monthly_in,
    owed_in_sentence,
    parse_amount,
    parts_in,
    spread_in,
)


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
        pytest.param("现在没工作 0", 0, id="zero-said-with-words"),
        pytest.param("0元 没有收入", 0, id="zero-yuan-before-words"),
        pytest.param("不知道 大概5000吧", 5_000, id="dont-know-then-an-amount"),
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
        pytest.param("6萬台幣", Unreadable.FOREIGN, id="taiwan-dollars"),
        pytest.param("about 8000 dollars", Unreadable.FOREIGN, id="dollars"),
        pytest.param("6万港元", Unreadable.FOREIGN, id="hong-kong-yuan-is-no-renminbi"),
        pytest.param("0 dollars", Unreadable.FOREIGN, id="even-zero-in-dollars"),
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
        pytest.param("分24期每月1700 我其实每月最多800", 1_700, id="what-the-user-can-pay-is-no-term"),
        pytest.param("每个月还2200 分18期 可我一个月顶多还得起一千", 2_200, id="what-the-user-can-afford-is-no-term"),
        pytest.param("月供2600 我只能还1000", 2_600, id="only-able-to-pay-is-no-term"),
        pytest.param("分24期，一期1700，我顶多一个月800", 1_700, id="at-most-a-month-is-no-term"),
        pytest.param("1700 a month for 24 months, for me at most 800", 1_700, id="english-at-most-is-no-term"),
    ],
)
def test_the_monthly_amount_agreed_terms_name(terms: str, monthly: int | None) -> None:
    assert monthly_in(terms) == monthly


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        pytest.param("6,0000", 60_000, id="grouped-in-ten-thousands"),
        pytest.param("12,0000元", 120_000, id="grouped-in-ten-thousands-with-yuan"),
        pytest.param("6,000", 6_000, id="grouped-in-thousands-as-ever"),
    ],
)
def test_digits_grouped_in_fours_as_wan_are_counted_are_read(typed: str, yuan: int) -> None:
    assert parse_amount(typed) == yuan


@pytest.mark.parametrize(
    ("typed", "spread"),
    [
        pytest.param("五六万", Spread(50_000, 60_000), id="neighbouring-numerals"),
        pytest.param("一两千块", Spread(1_000, 2_000), id="one-or-two-thousand"),
        pytest.param("三五千", Spread(3_000, 5_000), id="three-to-five-thousand"),
        pytest.param("3000到5000", Spread(3_000, 5_000), id="digits-to-digits"),
        pytest.param("5-6万", Spread(50_000, 60_000), id="unit-after-the-second"),
        pytest.param("好的时候四五千差的时候一两千", Spread(1_000, 5_000), id="good-and-bad-months-as-ranges"),
        pytest.param("有时候三千 有时候一千五", Spread(1_500, 3_000), id="sometimes-and-sometimes"),
        pytest.param("旺季能有8000 淡季就2000左右", Spread(2_000, 8_000), id="busy-and-slow-season"),
        pytest.param("good months 6000, bad months 2500", Spread(2_500, 6_000), id="english"),
        pytest.param("好的月份能拿2000 差的月份就800左右", Spread(800, 2_000), id="good-and-bad-months-said-as-months"),
        pytest.param("单多的月份七八千 单少的时候两三千", Spread(2_000, 8_000), id="many-and-few-orders"),
        pytest.param("活多的月份能还3000 活少就1000", Spread(1_000, 3_000), id="much-and-little-work"),
        pytest.param("三到四千", Spread(3_000, 4_000), id="numerals-joined-by-dao"),
        pytest.param("一千五到两千", Spread(1_500, 2_000), id="two-amounts-in-numerals"),
        pytest.param("between 3000 and 4000", Spread(3_000, 4_000), id="between-and"),
        pytest.param("from 3k to 4k", Spread(3_000, 4_000), id="from-to"),
    ],
)
def test_an_amount_given_as_a_range_or_as_good_and_bad_months_has_both_ends(typed: str, spread: Spread) -> None:
    assert spread_in(typed) == spread


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("3000", id="one-amount"),
        pytest.param("收入5000左右 最多一千五", id="two-amounts-that-do-not-vary"),
        pytest.param("看情况吧好的时候一千多差的时候几百", id="the-bad-month-too-vague-to-count-on"),
        pytest.param("五六万左右吧 其他的不清楚", id="a-range-and-more-words"),
    ],
)
def test_no_spread_where_there_is_one_amount_or_the_low_end_is_unsure(typed: str) -> None:
    assert spread_in(typed) is None


@pytest.mark.parametrize(
    ("typed", "owed"),
    [
        pytest.param("一共欠六万 每月能还一千", 60_000, id="owed-then-what-they-can-pay"),
        pytest.param("逾期30天了 欠5000", 5_000, id="days-are-no-amount"),
        pytest.param("借呗那边大概欠个两万", 20_000, id="the-only-amount"),
        pytest.param("收入5000 房租2000", None, id="no-cue"),
    ],
)
def test_the_amount_owed_in_a_sentence(typed: str, owed: int | None) -> None:
    assert owed_in_sentence(typed) == owed


@pytest.mark.parametrize(
    ("text", "income"),
    [
        pytest.param("有时候一个月7000多有时候才4000出头 看单量", True, id="regression-trial"),
        pytest.param("工资4000", True, id="salary"),
        pytest.param("3万5", False, id="an-amount"),
        pytest.param("欠了3万多 工资才4000", False, id="the-debt-named-too"),
        pytest.param("最少3万吧", False, id="at-least-an-amount"),
        pytest.param("逾期一个月 最少2万", False, id="a-month-overdue"),
    ],
)
def test_income_is_told_from_the_amount_owed(text, income):
    assert income_not_owed(text) is income


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("6萬台幣", id="taiwan-dollars-traditional"),
        pytest.param("差不多6万新台币", id="new-taiwan-dollars"),
        pytest.param("NT$60000", id="nt-sign"),
        pytest.param("6万港币", id="hong-kong-dollars"),
        pytest.param("HK$5000", id="hk-sign"),
        pytest.param("about 8000 dollars", id="dollars"),
        pytest.param("8000USD", id="code-against-the-number"),
        pytest.param("$8000", id="dollar-sign"),
        pytest.param("8000美金", id="meijin"),
        pytest.param("8000刀", id="dao-slang"),
        pytest.param("£500", id="pound-sign"),
        pytest.param("500 euros", id="euros"),
        pytest.param("3000歐元", id="euros-traditional"),
    ],
)
def test_another_currency_is_told(text: str) -> None:
    assert foreign_currency(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("5000元", id="yuan"),
        pytest.param("¥800", id="yen-sign-is-yuan-here"),
        pytest.param("人民币3万", id="renminbi"),
        pytest.param("about 8000 yuan", id="yuan-in-english"),
        pytest.param("rmb 5000", id="rmb"),
        pytest.param("3万块", id="kuai"),
        pytest.param("我在台湾 欠了6万", id="a-place-is-no-currency"),
        pytest.param("刀子嘴豆腐心", id="dao-not-after-a-number"),
        pytest.param("nothing to eat", id="an-english-sentence"),
    ],
)
def test_renminbi_and_words_that_are_no_currency_are_not_foreign(text: str) -> None:
    assert not foreign_currency(text)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        pytest.param("房租1200吃饭800 差不多2000多", Parts((1200, 800), 2000, said=2000), id="trial-total-with-odd"),
        pytest.param("房租800 吃饭1000 话费200左右", Parts((800, 1000, 200), 2000), id="parts-only"),
        pytest.param("房租1200 吃饭800 合计2100", Parts((1200, 800), 2100, said=2100), id="total-above-the-sum"),
        pytest.param("房租1200 吃饭800 总共1700", Parts((1200, 800), 2000, said=1700), id="total-below-the-sum"),
        pytest.param("房租1200 吃饭800 差不多5000", None, id="total-far-from-the-sum"),
        pytest.param("rent 1200 food 800, 2000 altogether", Parts((1200, 800), 2000, said=2000), id="total-after"),
    ],
)  # fmt: skip
def test_a_total_after_its_parts_is_told_from_one_more_part(text: str, parts: Parts | None) -> None:
    assert parts_in(text) == parts


def test_dont_know_with_a_range_gives_the_range() -> None:
    assert spread_in("不知道 可能一两千吧") == Spread(1_000, 2_000)


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("大概两万块 不对 是一万八", [18000]),
        ("欠3000 i mean 2000", [2000]),
        ("说错了 是三万 不是两万", [30000, 20000]),  # a correction with nothing before it takes nothing back
        ("3000 不对吧", [3000]),  # a doubt with no new amount keeps the amount
    ],
)
def test_an_amount_taken_back_in_the_same_sentence_is_left_out(text: str, yuan: list[int]) -> None:
    assert [found.yuan for found in amounts_in(text)] == yuan
