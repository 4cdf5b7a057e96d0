"""Which language a message is written in, and which language the conversation is then answered in."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench.language import label
from bot.core.i18n import Lang
from bot.core.language import Written, conversation_lang, detect, reply_lang

DEV_SET = Path(__file__).resolve().parents[1] / "fixtures" / "language-dev.tsv"


def dev_set() -> list[tuple[str, str]]:
    with DEV_SET.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["lang"]) for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


@pytest.mark.parametrize(("text", "expected"), dev_set())
def test_the_development_set(text: str, expected: str) -> None:
    assert label(text) == expected


@pytest.mark.parametrize(
    ("text", "written"),
    [
        pytest.param("借呗逾期了怎么办", Written.SIMPLIFIED, id="simplified"),
        pytest.param("借唄逾期了怎麼辦", Written.TRADITIONAL, id="traditional"),
        pytest.param("我張卡還唔到錢，點算好", Written.HONG_KONG, id="cantonese-is-hong-kong"),
        pytest.param("我张卡还唔到钱，点算好", Written.SIMPLIFIED, id="cantonese-in-simplified-stays-simplified"),
        pytest.param("我在台灣，可以用嗎", Written.TRADITIONAL, id="taiwan-writes-台"),
        pytest.param("我不想活了", Written.CHINESE, id="no-character-tells-the-script"),
        pytest.param("好", Written.CHINESE, id="one-character-is-chinese-too"),
        pytest.param("唔該晒", Written.HONG_KONG, id="cantonese-where-the-script-does-not-say"),
        pytest.param("我的huabei overdue了怎么办", Written.SIMPLIFIED, id="chinese-with-english-words"),
        pytest.param("How do I negotiate with 借呗 about my overdue loan?", Written.ENGLISH, id="english-naming-借呗"),
        pytest.param("ＨＥＬＰ ｍｅ ｐｌｅａｓｅ", Written.ENGLISH, id="full-width-latin"),
        pytest.param("huabei yuqi le zenme ban", Written.CHINESE, id="pinyin"),
        pytest.param("xiexie", Written.CHINESE, id="one-pinyin-word"),
        pytest.param("can he pay", Written.ENGLISH, id="english-with-pinyin-looking-words"),
        pytest.param("make sure", Written.ENGLISH, id="english-that-is-all-pinyin-syllables"),
        pytest.param("thanks", Written.ENGLISH, id="one-english-word"),
    ],
)
def test_what_a_message_is_written_in(text: str, written: Written) -> None:
    assert detect(text) is written


@pytest.mark.parametrize(
    "text",
    ["ok", "OK!", "okay", "hi", "no", "?", "？？", "5000", "👍", "🙏🙏", "haha", "hhhh", "emmm", "", "   ",
     "ありがとう", "감사합니다", "https://example.com", "k", "asdfgh", "qwer", "lkjh", "sdfgjk"],
)  # fmt: skip
def test_a_message_that_cannot_tell_decides_nothing(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    ("previous", "text", "client", "after"),
    [
        pytest.param(None, "借呗逾期了怎么办", "en", Lang.ZH_HANS, id="chinese-from-an-english-telegram"),
        pytest.param(Lang.ZH_HANS, "ok", "en", Lang.ZH_HANS, id="undecidable-keeps-the-conversation"),
        pytest.param(Lang.ZH_HANS, "How long can I delay?", "zh-hans", Lang.EN, id="english-after-chinese"),
        pytest.param(None, "借唄逾期了怎麼辦", None, Lang.ZH_HANT, id="traditional-is-taiwan-wording-by-default"),
        pytest.param(None, "借唄逾期了怎麼辦", "zh-hk", Lang.ZH_HK, id="hong-kong-telegram-gets-hong-kong-wording"),
        pytest.param(None, "借唄逾期了怎麼辦", "zh-mo", Lang.ZH_HK, id="macau-too"),
        pytest.param(None, "我張卡還唔到錢，點算好", None, Lang.ZH_HK, id="cantonese-gets-hong-kong-wording"),
        pytest.param(None, "我張卡還唔到錢，點算好", "zh-tw", Lang.ZH_HANT, id="a-telegram-region-wins"),
        pytest.param(Lang.ZH_HK, "借唄逾期了怎麼辦", None, Lang.ZH_HK, id="hong-kong-stays-hong-kong"),
        pytest.param(Lang.ZH_HANT, "我不想活了", "en", Lang.ZH_HANT, id="script-less-chinese-keeps-the-script"),
        pytest.param(Lang.EN, "我不想活了", "en", Lang.ZH_HANS, id="script-less-chinese-leaves-english"),
        pytest.param(Lang.EN, "我不想活了", "zh-hant", Lang.ZH_HANT, id="for-telegram's-chinese"),
    ],
)
def test_the_conversation_follows_the_latest_message_that_tells(
    previous: Lang | None, text: str, client: str | None, after: Lang
) -> None:
    assert conversation_lang(previous, detect(text), client) is after


@pytest.mark.parametrize(
    ("chosen", "typed", "client", "reply"),
    [
        pytest.param(None, None, "en", Lang.EN, id="telegram-before-any-message"),
        pytest.param(None, None, "zh-hk", Lang.ZH_HK, id="telegram-hong-kong"),
        pytest.param(None, Lang.ZH_HANS, "en", Lang.ZH_HANS, id="the-typed-language-over-telegram"),
        pytest.param(Lang.EN, Lang.ZH_HANS, "zh-hans", Lang.EN, id="the-choice-over-everything"),
        pytest.param(Lang.ZH_HANT, None, "zh-hk", Lang.ZH_HK, id="traditional-choice-in-hong-kong-wording"),
        pytest.param(Lang.ZH_HANT, Lang.ZH_HK, "en", Lang.ZH_HK, id="or-as-the-messages-are"),
        pytest.param(Lang.ZH_HANT, None, "en", Lang.ZH_HANT, id="else-taiwan-wording"),
    ],
)
def test_the_reply_language(chosen: Lang | None, typed: Lang | None, client: str | None, reply: Lang) -> None:
    assert reply_lang(chosen, typed, client) is reply
