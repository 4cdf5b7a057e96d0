"""Which language a message is written in, and which language the conversation is then answered in."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench.language import agrees, label
from bot.core.i18n import Lang
from bot.core.language import SWITCH_WORDS, Typed, Written, conversation_lang, detect, follow, reply_lang

DEV_SET = Path(__file__).resolve().parents[1] / "fixtures" / "language-dev.tsv"


def dev_set() -> list[tuple[str, str]]:
    with DEV_SET.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["lang"]) for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


@pytest.mark.parametrize(("text", "expected"), dev_set())
def test_the_development_set(text: str, expected: str) -> None:
    assert agrees(expected, label(text))


@pytest.mark.parametrize(
    ("text", "written"),
    [
        pytest.param("借呗逾期了怎么处理", Written.SIMPLIFIED, id="simplified"),
        pytest.param("借唄逾期了怎麼處理", Written.TRADITIONAL, id="traditional"),
        pytest.param("我人在台灣", Written.TRADITIONAL, id="taiwan-writes-台-too"),
        pytest.param("我人在台湾", Written.SIMPLIFIED, id="simplified-taiwan"),
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
        pytest.param("thx", Written.ENGLISH, id="a-short-word-with-no-vowel"),
        pytest.param("abc bank card overdue", Written.ENGLISH, id="gibberish-looking-word-in-english"),
        pytest.param("was it power or street", Written.ENGLISH, id="keyboard-runs-inside-words"),
    ],
)
def test_what_a_message_is_written_in(text: str, written: Written) -> None:
    assert detect(text) is written


@pytest.mark.parametrize(
    "text",
    ["ok", "OK!", "okay", "hi", "no", "?", "？？", "5000", "👍", "🙏🙏", "haha", "hhhh", "emmm", "", "   ",
     "ありがとう", "감사합니다", "https://example.com", "k", "asdfgh", "qwer", "lkjh", "sdfgjk",
     "asdfghjkl", "#abc", "#2", "#guide", "abc", "xyz", "qwe", "jkl", "sdf lkj", "jjj", "asdfghjkl 😂😂"],
)  # fmt: skip
def test_a_message_that_cannot_tell_decides_nothing(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    ("previous", "text", "client", "after"),
    [
        pytest.param(None, "借呗逾期了怎么处理", "en", Lang.ZH_HANS, id="chinese-from-an-english-telegram"),
        pytest.param(Lang.ZH_HANS, "ok", "en", Lang.ZH_HANS, id="undecidable-keeps-the-conversation"),
        pytest.param(Lang.ZH_HANS, "How long can I delay?", "zh-hans", Lang.EN, id="english-after-chinese"),
        pytest.param(None, "借唄逾期了怎麼處理", None, Lang.ZH_HANT, id="traditional-is-taiwan-wording-by-default"),
        pytest.param(None, "借唄逾期了怎麼處理", "zh-hk", Lang.ZH_HK, id="hong-kong-telegram-gets-hong-kong-wording"),
        pytest.param(None, "借唄逾期了怎麼處理", "zh-mo", Lang.ZH_HK, id="macau-too"),
        pytest.param(None, "我張卡還唔到錢，點算好", None, Lang.ZH_HK, id="cantonese-gets-hong-kong-wording"),
        pytest.param(None, "我張卡還唔到錢，點算好", "zh-tw", Lang.ZH_HANT, id="a-telegram-region-wins"),
        pytest.param(Lang.ZH_HK, "借唄逾期了怎麼處理", None, Lang.ZH_HK, id="hong-kong-stays-hong-kong"),
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


HK = Typed(Lang.ZH_HK)
LONG_ENGLISH = "they told me on the phone that they cannot change anything about my repayment plan this month"


@pytest.mark.parametrize(
    ("before", "text", "client", "after"),
    [
        pytest.param(Typed(), "how do I fix it now", "zh-hk", Typed(Lang.EN), id="the-first-message-decides-at-once"),
        pytest.param(Typed(), "我嘅卡還唔到錢", "en", Typed(Lang.ZH_HK), id="over-telegram's-language"),
        pytest.param(HK, "can they sue me", "zh-hk", Typed(Lang.ZH_HK, Lang.EN), id="a-short-line-only-leans"),
        pytest.param(HK, "what now", "zh-hk", HK, id="a-short-reply-does-not-even-lean"),
        pytest.param(HK, "they said no to my request, what now", None, Typed(Lang.EN), id="a-clear-sentence-switches"),
        pytest.param(HK, "they said no, what now", None, Typed(Lang.ZH_HK, Lang.EN), id="a-short-sentence-only-leans"),
        pytest.param(
            Typed(Lang.EN), "我想回去上班了 但是工资还没发", None, Typed(Lang.ZH_HANS), id="a-chinese-sentence-switches"
        ),
        pytest.param(
            Typed(Lang.ZH_HK, Lang.EN), "how do I go on from here", None, Typed(Lang.EN), id="two-in-a-row-switch"
        ),
        pytest.param(HK, LONG_ENGLISH, None, Typed(Lang.EN), id="a-long-clear-message-switches"),
        pytest.param(HK, "my 花呗 is overdue, how do I sort out the payment now", None, HK, id="mixed-keeps-it"),
        pytest.param(Typed(Lang.ZH_HK, Lang.EN), "my 花呗 is overdue", None, HK, id="and-forgets-the-lean"),
        pytest.param(Typed(Lang.ZH_HK, Lang.EN), "我應該點同客服講", None, HK, id="its-own-language-forgets-the-lean"),
        pytest.param(Typed(Lang.ZH_HK, Lang.EN), "5000", None, Typed(Lang.ZH_HK, Lang.EN), id="nothing-told-no-change"),
        pytest.param(Typed(Lang.EN), "逾期了怎么处理", "en", Typed(Lang.ZH_HANS), id="a-chinese-line-switches"),
        pytest.param(Typed(Lang.EN), "我还不上钱", None, Typed(Lang.ZH_HANS), id="five-characters-switch"),
        pytest.param(Typed(Lang.EN), "還不上錢了", None, Typed(Lang.ZH_HANT), id="in-traditional-too"),
        pytest.param(Typed(Lang.EN), "怎么办", None, Typed(Lang.EN), id="three-characters-do-not"),
        pytest.param(Typed(Lang.EN), "好的谢谢", None, Typed(Lang.EN), id="reply-words-do-not"),
        pytest.param(Typed(Lang.EN), "知道了谢谢你", None, Typed(Lang.EN), id="nor-lean-however-many"),
        pytest.param(Typed(Lang.EN), "哈哈哈哈", None, Typed(Lang.EN), id="nor-laughter"),
        pytest.param(Typed(Lang.EN), "my 花呗 still overdue", None, Typed(Lang.EN), id="nor-a-mixed-line"),
        pytest.param(
            Typed(Lang.EN),
            "我的借呗逾期三个月了，客服讲不能协商，我现在该怎么办才好呢",
            None,
            Typed(Lang.ZH_HANS),
            id="a-long-chinese-message-switches",
        ),
        pytest.param(Typed(Lang.ZH_HANT), "我嘅卡還唔到錢", None, Typed(Lang.ZH_HK), id="taiwan-to-hong-kong-wording"),
        pytest.param(
            Typed(Lang.ZH_HANS, Lang.ZH_HK), "點樣同支付寶協商", None, HK, id="cantonese-then-traditional-switch"
        ),
        pytest.param(
            Typed(Lang.ZH_HANS, Lang.ZH_HANT), "借唄逾期咗點算", None, HK, id="traditional-then-cantonese-switch"
        ),
        pytest.param(
            Typed(Lang.ZH_HANS, Lang.ZH_HK),
            "點樣同支付寶協商",
            "zh-tw",
            Typed(Lang.ZH_HANT),
            id="telegram's-region-still-picks-the-wording",
        ),
    ],
)
def test_the_conversation_language_is_sticky(before: Typed, text: str, client: str | None, after: Typed) -> None:
    assert follow(before, text, client) == after


def test_a_long_message_is_one_of_switch_words() -> None:
    words = "please tell me what I can do about my overdue loan now that they refused"
    assert len(words.split()) >= SWITCH_WORDS  # the fixture is long enough …
    assert follow(HK, " ".join(words.split()[: SWITCH_WORDS - 1]), None) == Typed(
        Lang.ZH_HK, Lang.EN
    )  # … one short not
    assert follow(HK, words, None) == Typed(Lang.EN)


@pytest.mark.parametrize(
    "typed",
    [Typed(), Typed(Lang.ZH_HK), Typed(Lang.ZH_HK, Lang.EN), Typed(Lang.EN, Lang.ZH_HANS)],
)
def test_the_stored_form_reads_back(typed: Typed) -> None:
    assert Typed.decode(typed.encode()) == typed


@pytest.mark.parametrize(
    ("stored", "typed"), [("en", Typed(Lang.EN)), ("xx", Typed()), ("zh-hk>xx", HK), (None, Typed())]
)
def test_a_stored_form_from_another_version_is_read_as_far_as_it_is_known(stored: str | None, typed: Typed) -> None:
    assert Typed.decode(stored) == typed


def test_a_hong_kong_user_after_one_simplified_line_is_answered_in_hong_kong_wording_from_the_second_line() -> None:
    typed = follow(Typed(), "借呗逾期三天了 咋办", None)
    replies = []
    # the first Cantonese line has one Traditional character: a lean, not a switch
    for text in ("借唄逾期咗 唔知", "點樣同支付寶協商", "我喺香港 會唔會影響信貸"):
        typed = follow(typed, text, None)
        replies.append(reply_lang(None, typed.lang, None))
    assert replies == [Lang.ZH_HANS, Lang.ZH_HK, Lang.ZH_HK]


def test_a_clear_traditional_line_is_answered_in_traditional_at_once() -> None:
    typed = follow(Typed(), "借呗逾期三天了 咋办", None)
    replies = []
    # 唄 and 點 (clear Traditional), then a short reply, then clear Simplified
    for text in ("借唄逾期咗點算", "好的", "借呗逾期了能协商吗"):
        typed = follow(typed, text, None)
        replies.append(reply_lang(None, typed.lang, None))
    assert replies == [Lang.ZH_HK, Lang.ZH_HK, Lang.ZH_HANS]


@pytest.mark.parametrize(
    ("before", "texts", "after"),
    [
        pytest.param(Lang.ZH_HANS, ("ajsdhk qwpoeiru", "lorem ipsum dolor"), Lang.ZH_HANS, id="gibberish-twice"),
        pytest.param(Lang.ZH_HANS, ("ajsdhk qwpoeiru", "lorem ipsum dolor", "好的"), Lang.ZH_HANS, id="then-a-reply"),
        pytest.param(Lang.EN, ("谢谢", "好的", "嗯", "🙏"), Lang.EN, id="short-chinese-replies-keep-english"),
        pytest.param(Lang.EN, ("收到 谢谢", "好的好的", "谢谢你们"), Lang.EN, id="even-four-characters-of-them"),
        pytest.param(Lang.ZH_HANS, ("thanks", "ok thank you"), Lang.ZH_HANS, id="short-english-replies-keep-chinese"),
        pytest.param(Lang.ZH_HANS, ("謝謝", "謝謝你"), Lang.ZH_HANS, id="short-traditional-replies-keep-the-script"),
        pytest.param(Lang.ZH_HANS, ("我人在台灣 借唄逾期了",), Lang.ZH_HANT, id="clear-traditional-switches"),
        pytest.param(Lang.ZH_HANS, ("借唄逾期了该咋办呢",), Lang.ZH_HANS, id="one-traditional-character-does-not"),
        pytest.param(Lang.ZH_HANT, ("借呗逾期了该咋还呢",), Lang.ZH_HANS, id="clear-simplified-switches-back"),
        pytest.param(Lang.ZH_HANS, ("can they sue me for it", "how do I go on from here"), Lang.EN, id="english-still"),
    ],
)
def test_short_replies_and_gibberish_never_switch_and_a_clear_script_does(
    before: Lang, texts: tuple[str, ...], after: Lang
) -> None:
    typed = Typed(before)
    for text in texts:
        typed = follow(typed, text, None)
    assert typed.lang is after
