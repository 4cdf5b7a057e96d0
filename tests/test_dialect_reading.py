"""Written Cantonese is read as Mandarin by one table (the knowledge folder's `dialect:`), for the matcher and for the
minimising-words check after the crisis reply ("我冇事" plays it down as "我没事" does)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.advisor import Advisor
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.normalize import Dialect, Normalizer, basic_form
from tests.kbfactory import TEXT_KEYS, write_kb

#: This test's own words, not the shipped ones.
_ALIASES = {
    "aliases": {"花呗": ["花贝"]},
    "greetings": ["你好"],
    "dialect": {"没": ["冇"], "只是": ["只係"], "了": ["咗"]},
}
_WORDS = {"minimising_words": "没事, 只是累", "minimising_fillers": "我, 嗯"}


def _advisor(root: Path, *, dialect: bool) -> Advisor:
    aliases = dict(_ALIASES) if dialect else {k: v for k, v in _ALIASES.items() if k != "dialect"}
    folder = write_kb(root)
    (folder / "aliases.yaml").write_text(yaml.safe_dump(aliases, allow_unicode=True), encoding="utf-8")
    texts = {key: {"zh-hans": f"{key} 文本", "en": f"{key} text"} for key in TEXT_KEYS}
    texts.update({key: {"zh-hans": value, "en": value} for key, value in _WORDS.items()})
    (folder / "texts.yaml").write_text(yaml.safe_dump({"texts": texts}, allow_unicode=True), encoding="utf-8")
    kb = load_knowledge(folder, required_ids=())
    return Advisor(kb, Matcher(kb))


def test_the_table_reads_longest_words_first_in_the_basic_form() -> None:
    read = Dialect([("冇", "没"), ("只係", "只是"), ("係咪", "是不是")])
    assert read(basic_form("我冇事 只係覺得累")) == "我没事只是觉得累"  # 係 is 系 after OpenCC: keys are read so too
    assert read(basic_form("係咪")) == "是不是"
    assert read("关系") == "关系"  # only the words of the table, never a lone 系
    assert Dialect()("我冇事") == "我冇事"


def test_the_matcher_and_the_table_agree() -> None:
    pairs = [("冇", "没"), ("咗", "了")]
    assert Normalizer(dialect=pairs).mandarin("逾咗期 冇钱") == Dialect(pairs)(basic_form("逾咗期 冇钱"))


@pytest.mark.parametrize("text", ["我冇事", "嗯 只係累", "冇事"])
def test_cantonese_plays_it_down_as_mandarin_does(tmp_path: Path, text: str) -> None:
    assert _advisor(tmp_path / "with", dialect=True).plays_down(text)
    assert not _advisor(tmp_path / "without", dialect=False).plays_down(text)  # the table is what reads it


def test_a_word_of_its_own_is_still_not_playing_it_down(tmp_path: Path) -> None:
    advisor = _advisor(tmp_path, dialect=True)
    assert not advisor.plays_down("我冇事 冇收入")
    assert advisor.plays_down("我没事")
