"""Personal data is blanked before an unanswered question is stored or shown; loan figures are left alone."""

from __future__ import annotations

import pytest

from bot.core.redact import has_personal_data, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("王小明 13912345678 110101199003071234", "王小明 [phone] [id]", id="issue-example"),
        pytest.param("我手机139 1234 5678被催收", "我手机[phone]被催收", id="mobile-grouped-with-spaces"),
        pytest.param("电话139-1234-5678", "电话[phone]", id="mobile-grouped-with-dashes"),
        pytest.param("+86 13912345678 打不通", "[phone] 打不通", id="mobile-with-country-code"),
        pytest.param("008613912345678", "[phone]", id="mobile-with-0086"),
        pytest.param("号码１３９１２３４５６７８", "号码[phone]", id="full-width-mobile"),
        pytest.param("身份证11010119900307123X", "身份证[id]", id="id-card-check-letter-x"),
        pytest.param("身份证号 110101900307123", "身份证号 [id]", id="old-15-digit-id-card"),
        pytest.param("卡号6222021234567890123", "卡号[card]", id="bank-card-19-digits"),
        pytest.param("卡号 6222 0212 3456 7890", "卡号 [card]", id="bank-card-in-groups"),
        pytest.param("联系 wang.xm+loan@example.com.cn 谢谢", "联系 [email] 谢谢", id="email"),
        pytest.param("座机010-12345678", "座机[phone]", id="beijing-landline"),
        pytest.param("电话(0755) 1234 5678", "电话[phone]", id="landline-area-code-in-brackets"),
        pytest.param("香港号码+852 9123 4567", "香港号码[phone]", id="international-number"),
    ],
)
def test_personal_data_is_replaced_by_a_tag(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert has_personal_data(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("花呗欠了13000还不上", id="amount"),
        pytest.param("借呗欠了130000元", id="six-digit-amount"),
        pytest.param("总共欠1391234567", id="ten-digit-number"),
        pytest.param("2024-03-07逾期的", id="dash-date"),
        pytest.param("20240307开始逾期", id="compact-date"),
        pytest.param("分12期还款，每期1083.33", id="instalments"),
        pytest.param("能延期36个月吗", id="loan-term"),
        pytest.param("年利率3.65%，日息0.0005", id="rates"),
        pytest.param("支付宝客服95188打不通", id="service-number"),
        pytest.param("２０２４年３月", id="full-width-date"),
        pytest.param("借了 1000 2000 3000", id="amounts-in-a-row"),
    ],
)
def test_loan_figures_are_not_personal_data(text: str) -> None:
    assert not has_personal_data(text)
    assert redact(text).replace("２０２４年３月", "2024年3月") == text.replace("２０２４年３月", "2024年3月")
