"""Traditional Chinese made from the Simplified texts: OpenCC, then the reviewed phrase table (traditional.yaml)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.i18n import Lang, Phrase, Traditional, lang_from_telegram, pick, to_traditional
from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.core.walkthrough import load_walkthrough
from bot.errors import KnowledgeError
from tests.kbfactory import entry, write_kb

TW, HK = Lang.ZH_HANT, Lang.ZH_HK


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return load_knowledge(DEFAULT_KNOWLEDGE_DIR)


# -- the mistakes the issue found in the shipped answers, each put right by one phrase of the shipped table ----------


@pytest.mark.parametrize(
    ("simplified", "lang", "right", "wrong"),
    [
        pytest.param("怎么注销或关闭账户", TW, "註銷", "登出", id="注销-is-註銷-not-登出"),
        pytest.param("只会陷入恶性循环。", TW, "惡性循環", "迴圈", id="恶性循环-is-循環-not-迴圈"),
        pytest.param("先还一部分并联系客服", TW, "聯絡客服", "聯系", id="联系客服-taiwan"),
        pytest.param("先还一部分并联系客服", HK, "聯絡客服", "聯系", id="联系客服-hong-kong"),
        pytest.param("指南里没有说", TW, "指南裡", "指南里", id="指南里-taiwan-裡"),
        pytest.param("指南里没有说", HK, "指南裏", "指南里", id="指南里-hong-kong-裏"),
        pytest.param("保存好还款记录和协议", TW, "保存好", "儲存", id="保存-papers-not-儲存"),
        pytest.param("要求对方提供协议文件，以", TW, "協議文件", "檔案", id="协议文件-not-檔案"),
    ],
)
def test_a_reviewed_phrase_is_written_as_reviewed(
    shipped: KnowledgeBase, simplified: str, lang: Lang, right: str, wrong: str
) -> None:
    converted = shipped.traditional.convert(simplified, lang)
    assert right in converted
    assert wrong not in converted


@pytest.mark.parametrize("lang", [TW, HK])
@pytest.mark.parametrize("wrong", ["登出", "迴圈", "聯系", "指南里", "儲存", "協議檔案", "檢視"])
def test_no_shipped_text_has_a_known_mistake(shipped: KnowledgeBase, lang: Lang, wrong: str) -> None:
    guide = load_walkthrough(DEFAULT_KNOWLEDGE_DIR / "walkthrough.yaml", shipped.traditional)
    texts = [
        *(e.answer_in(lang) for e in shipped.entries),
        *(e.title_in(lang) for e in shipped.entries),
        *(shipped.text(key, lang) for key in shipped.texts),
        *(text.render(lang) for text in guide.texts.values()),
    ]
    assert [text for text in texts if wrong in text] == []


@pytest.mark.parametrize(
    ("lang", "wrong"),
    [
        pytest.param(TW, "渠道", id="taiwan-管道-not-渠道"),
        pytest.param(TW, "流水", id="taiwan-交易明細-not-流水"),
        pytest.param(HK, "賬户", id="hong-kong-賬戶-not-賬户"),
        pytest.param(HK, "短信", id="hong-kong-短訊-not-短信"),
        pytest.param(HK, "在線客服", id="hong-kong-網上客服-not-在線客服"),
    ],
)
def test_no_shipped_text_has_mainland_wording_in_a_region(shipped: KnowledgeBase, lang: Lang, wrong: str) -> None:
    """Words a Taiwan or Hong Kong reader would not write, each put right by a phrase of the shipped table (and the
    walkthrough's buttons too)."""
    guide = load_walkthrough(DEFAULT_KNOWLEDGE_DIR / "walkthrough.yaml", shipped.traditional)
    options = (*guide.channels, *guide.materials, *guide.causes, *guide.requests, *guide.results)
    texts = [
        *(e.answer_in(lang) for e in shipped.entries),
        *(e.title_in(lang) for e in shipped.entries),
        *(shipped.text(key, lang) for key in shipped.texts),
        *(text.render(lang) for text in guide.texts.values()),
        *(option.label.render(lang) for option in options),
    ]
    assert [text for text in texts if wrong in text] == []


def test_taiwan_and_hong_kong_wording_differ_where_opencc_says() -> None:
    plain = Traditional()
    assert plain.convert("在线客服", TW) == "線上客服"  # Taiwan's word
    assert plain.convert("在线客服", HK) == "在線客服"


def test_the_text_around_a_phrase_is_still_converted() -> None:
    table = Traditional([Phrase("注销", "註銷", "註銷")])
    assert table.convert("支付宝账户注销以后", TW) == "支付寶賬戶註銷以後"
    assert table.convert("注销注销", HK) == "註銷註銷"


def test_a_phrase_left_to_opencc_in_one_region() -> None:
    table = Traditional([Phrase("账户", "帳戶", None)])
    assert table.convert("账户", TW) == "帳戶"
    assert table.convert("账户", HK) == to_traditional("账户", HK)


def test_the_longest_phrase_wins() -> None:
    table = Traditional([Phrase("指南", "指南", "指南"), Phrase("指南里", "指南裡", "指南裏")])
    assert table.convert("指南里有", TW) == "指南裡有"


def test_pick_uses_the_derived_text_and_falls_back_to_opencc() -> None:
    derived = Traditional([Phrase("注销", "註銷", "註銷")]).derive({"zh-hans": "注销", "en": "close"})
    assert pick(derived, TW) == "註銷"
    assert pick({"zh-hans": "注销", "en": "close"}, TW) == to_traditional("注销", TW)
    assert pick(derived, Lang.EN) == "close"


@pytest.mark.parametrize(
    ("code", "lang"),
    [("zh-hk", HK), ("zh-mo", HK), ("zh-Hant-HK", HK), ("zh-tw", TW), ("zh-hant", TW), ("zh-hans", Lang.ZH_HANS),
     ("zh", Lang.ZH_HANS), ("en", Lang.EN), ("en-hk", Lang.EN), (None, Lang.ZH_HANS)],
)  # fmt: skip
def test_telegram_language_codes(code: str | None, lang: Lang) -> None:
    assert lang_from_telegram(code) is lang


# -- the table in the knowledge folder: loaded with the rest, every mistake reported as file:line ------------------


def test_the_table_applies_to_entries_and_texts(tmp_path: Path) -> None:
    entries = [entry("impact.credit", [f"例{i}" for i in range(8)], answer={"zh-hans": "先注销", "en": "Close"})]
    folder = write_kb(tmp_path, entries, **{"traditional.yaml": "phrases:\n  注销: 註銷\n"})
    kb = load_knowledge(folder, required_ids=())
    credit = kb.entry("impact.credit")
    assert credit is not None
    assert credit.answer_in(TW) == "先註銷"
    assert credit.answer_in(Lang.ZH_HANS) == "先注销"


def test_a_folder_without_a_table_uses_opencc(tmp_path: Path) -> None:
    kb = load_knowledge(write_kb(tmp_path), required_ids=())
    assert kb.traditional.phrases == ()
    assert kb.text("greeting", TW) == to_traditional(kb.text("greeting", Lang.ZH_HANS))


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        pytest.param("phrases:\n  注銷: 註銷\n", "traditional.yaml:2: phrase '注銷' is not Simplified",
                     id="key-not-simplified"),
        pytest.param("phrases:\n  注销: 注销\n", "traditional.yaml:2: phrase '注销': '注销' reads as Simplified",
                     id="value-not-traditional"),
        pytest.param("phrases:\n  注销:\n    tw: 註銷\n    cn: 註銷\n",
                     "traditional.yaml:4: phrase '注销': unknown wording 'cn'", id="unknown-region"),
        pytest.param("phrases:\n  注销: ''\n", "traditional.yaml:2: phrase '注销': the tw text must be non-empty",
                     id="empty"),
        pytest.param("phrases:\n  注销: [註銷]\n", "traditional.yaml:2: phrase '注销' needs its Traditional text",
                     id="a-list"),
        pytest.param("words:\n  注销: 註銷\n", "traditional.yaml:1: expected 'phrases:'", id="no-phrases"),
        pytest.param("phrases:\n  注销: 註銷\n  注销: 登出\n", "traditional.yaml:3: this is not valid YAML",
                     id="twice"),
    ],
)  # fmt: skip
def test_a_broken_table_is_reported_with_its_line(tmp_path: Path, table: str, problem: str) -> None:
    folder = write_kb(tmp_path, None, **{"traditional.yaml": textwrap.dedent(table)})
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(folder, required_ids=())
    assert any(str(p).startswith(problem) for p in caught.value.problems), caught.value.problems
