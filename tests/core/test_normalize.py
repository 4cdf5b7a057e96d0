"""Normalisation puts user text and knowledge text into one comparable form."""

from __future__ import annotations

import pytest

from bot.core.normalize import Normalizer, basic_form, features, valid_unicode

NORMALIZE = Normalizer(aliases=[("花贝", "花呗"), ("蚂蚁花呗", "花呗"), ("还不起", "还不上"), ("hua bei", "花呗")],
                       fillers=["请问", "一下"])  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("ＡＢＣ１２３", "abc123", id="full-width-to-half-width"),
        pytest.param("花唄逾期了徵信會受影響嗎", "花呗逾期了征信会受影响吗", id="traditional-to-simplified"),
        pytest.param("Will It HURT my Credit?", "will it hurt my credit", id="case-folding-and-punctuation"),
        pytest.param("逾期了😭😭怎么处理！！！", "逾期了怎么处理", id="emoji-removed"),
        pytest.param("花呗 逾期 了", "花呗逾期了", id="spaces-between-chinese-dropped"),
    ],
)
def test_basic_form(raw: str, expected: str) -> None:
    assert basic_form(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("花贝逾期了", "花呗逾期了", id="typo-alias"),
        pytest.param("蚂蚁花呗还不起了", "花呗还不上了", id="longest-alias-wins"),
        pytest.param("我的hua bei overdue", "我的花呗 overdue", id="latin-alias-whole-words"),
        pytest.param("请问一下花呗逾期", "花呗逾期", id="fillers-dropped"),
        pytest.param("请问", "请问", id="a-message-of-only-fillers-keeps-its-words"),
        pytest.param("花唄預期", "花呗预期", id="traditional-then-alias"),
    ],
)
def test_aliases_and_fillers(raw: str, expected: str) -> None:
    assert NORMALIZE(raw) == expected


def test_features_are_characters_bigrams_and_words() -> None:
    found = features("征信 overdue")
    assert {"征", "信", "征信", "w:overdue", "s:overd"} <= set(found)


GREETED = Normalizer(fillers=["请问", "me"], greetings=["你好", "谢谢", "hi"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("你好", True, id="a-greeting"),
        pytest.param("謝謝！请问", True, id="thanks-in-traditional-and-a-filler"),
        pytest.param("Hi", True, id="english-greeting"),
        pytest.param("你好，花呗逾期了", False, id="a-greeting-before-a-question"),
        pytest.param("请问", False, id="only-a-filler-is-no-greeting"),
        pytest.param("me", False, id="an-english-filler-is-no-greeting"),
        pytest.param("", False, id="empty"),
        pytest.param("！！", False, id="only-punctuation"),
    ],
)
def test_only_greetings(raw: str, expected: bool) -> None:
    assert GREETED.only_greetings(raw) is expected


def test_greetings_are_dropped_before_matching_like_fillers() -> None:
    assert GREETED("你好，请问花呗逾期了，谢谢") == "花呗逾期了"


THANKED = Normalizer(fillers=["请问"], greetings=["你好", "hi"], thanks=["谢谢", "好的", "thx", "ok"])


@pytest.mark.parametrize(
    ("raw", "thanks", "greeting"),
    [
        pytest.param("谢谢", True, True, id="thanks"),
        pytest.param("好的，谢谢！", True, True, id="ok-and-thanks"),
        pytest.param("THX", True, True, id="english-thanks"),
        pytest.param("ok", True, True, id="an-acknowledgement"),
        pytest.param("你好", False, True, id="a-greeting-is-no-thanks"),
        pytest.param("hi thx", False, True, id="hello-and-thanks-is-a-greeting"),
        pytest.param("谢谢，欠的钱还不上了", False, False, id="thanks-before-a-question"),
        pytest.param("请问", False, False, id="only-a-filler"),
    ],
)
def test_only_thanks(raw: str, thanks: bool, greeting: bool) -> None:
    assert (THANKED.only_thanks(raw), THANKED.only_greetings(raw)) == (thanks, greeting)
    assert THANKED("好的 请问花呗逾期了 thx") == "花呗逾期了"  # thanks are dropped before matching too


def test_a_lone_surrogate_becomes_the_replacement_character_and_a_real_pair_stays() -> None:
    assert valid_unicode("征信\ud800吗") == "征信\ufffd吗"
    assert valid_unicode("征信\U0001f600吗") == "征信\U0001f600吗"
    valid_unicode("\udfff").encode("utf-8")  # no longer raises
