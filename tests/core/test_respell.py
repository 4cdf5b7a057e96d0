"""Typos typed by pinyin are put right toward the knowledge base's words, and nothing else is touched."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.core.respell import Readings, Respeller, syllables

WORDS = ["协商", "征信", "起诉"]
USES = Counter({"协商": 50, "征信": 40, "起诉": 3, "补救": 9, "能不": 20, "还能": 12})
KNOWN = {"协商", "征信", "起诉", "补救", "能不", "还能", "逾期", "期了", "支付", "付宝"}


@pytest.fixture
def respell() -> Respeller:
    return Respeller(WORDS, USES, KNOWN, min_uses=5)


def test_syllables_ignore_tone_and_keep_other_characters() -> None:
    assert syllables("协") == syllables("写") == ("xie",)
    assert syllables("绿") == ("lu",)
    assert syllables("a") == ("a",)
    assert syllables("还")[:2] == ("hai", "huan")  # every reading, the most common first


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("跟支付宝写商", "跟支付宝协商", id="one-character-sounds-like-a-word"),
        pytest.param("正信", "征信", id="either-character-may-be-the-typo"),
        pytest.param("逾期了起素", "逾期了起素", id="a-word-used-too-rarely-is-no-target"),
        pytest.param("还能补救", "还能补救", id="known-pairs-are-left-alone"),
        pytest.param("写伤", "写伤", id="two-wrong-characters-are-not-guessed"),
        pytest.param("花呗逾期了", "花呗逾期了", id="nothing-to-put-right"),
    ],
)
def test_respelling(respell: Respeller, typed: str, expected: str) -> None:
    assert respell(typed) == expected


def test_readings_table_finds_each_character_and_only_those_it_has() -> None:
    table = Readings([("22909", "hǎo,hào"), ("20013", "zhōng,zhòng"), ("20320", "nǐ"), ("20040", "me")])
    assert table.get("中") == "zhōng,zhòng"
    assert table.get("好") == "hǎo,hào"
    assert table.get("你") == "nǐ"
    assert table.get("乘") is None  # between two the table has
    assert table.get("a") is None
    assert table.get("么") == "me"
    assert sorted(table.distinct()) == ["hǎo,hào", "me", "nǐ", "zhōng,zhòng"]
