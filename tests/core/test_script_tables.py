"""The committed Chinese script tables (bot/core/data/simplified.tsv, bot/core/data/opencc/) are OpenCC's own data,
and say what OpenCC would: the detector's table the positions s2t changes, the bundled profiles s2twp's and s2hk's
output."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import opencc
import pytest
import yaml

from bench import script_tables
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.i18n import OPENCC_DATA, OPENCC_PROFILES, Lang, to_traditional
from bot.core.language import SIMPLIFIED_TABLE, Written, chinese_characters, detect, simplified_positions

ROOT = Path(__file__).resolve().parents[2]
#: Phrases whose characters s2t changes otherwise than one by one, and runs where one phrase decides where the next
#: may start (能借|借呗 holds no 借借, which s2t would turn into 藉藉).
TRICKY = [
    "皇后",
    "头发",
    "发展",
    "著名",
    "怎样能借借呗",
    "就昨天才不可以用花呗",
    "干部干活干燥",
    "系统联系关系",
    "面条和方面",
    "后天的皇后",
    "一只只只会叫的鸟",
    "里程与公里",
    "SQL注入借记卡",
    "𣗊溪",
]


def _project_questions() -> list[str]:
    found: set[str] = set()
    for path in sorted((ROOT / "bench").glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                found.update(row[column] for column in ("question", "text") if row.get(column))
    return sorted(found)


def _knowledge_texts() -> list[str]:
    """Every string in the shipped knowledge that has Chinese in it: what Traditional replies are made from."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, str):
            if chinese_characters(node):
                found.add(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(DEFAULT_KNOWLEDGE_DIR.rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return sorted(found)


def _opencc_s2t_positions(han: str) -> set[int]:
    converted = opencc.OpenCC("s2t").convert(han)
    return {i for i, (a, b) in enumerate(zip(han, converted, strict=True)) if a != b}


def test_the_samples_are_large_enough_to_mean_something() -> None:
    assert len(_project_questions()) > 1000
    assert len(_knowledge_texts()) > 500


def test_the_table_marks_what_opencc_s2t_changes_in_the_project_questions_and_their_traditional_forms() -> None:
    reference = opencc.OpenCC("s2t")
    texts = set(TRICKY) | set(_project_questions())
    for profile in ("s2twp", "s2hk"):
        converter = opencc.OpenCC(profile)
        texts |= {converter.convert(text) for text in list(texts)}
    disagreements = []
    for text in sorted(texts):
        han = chinese_characters(unicodedata.normalize("NFKC", text))
        converted = reference.convert(han)
        expected = {i for i, (a, b) in enumerate(zip(han, converted, strict=True)) if a != b}
        if simplified_positions(han) != expected:
            disagreements.append(text)
    assert disagreements == []


@pytest.mark.parametrize(
    ("text", "positions"),
    [
        pytest.param("皇后", set(), id="a-phrase-keeps-a-character-s2t-changes-alone"),
        pytest.param("头发", {0, 1}, id="a-phrase-changes-a-character-s2t-keeps-alone"),
        pytest.param("怎样能借借呗", {1, 5}, id="one-phrase-decides-where-the-next-may-start"),
        pytest.param("花唄逾期", set(), id="traditional-characters-are-no-simplified-ones"),
    ],
)
def test_simplified_positions(text: str, positions: set[int]) -> None:
    assert simplified_positions(text) == positions == _opencc_s2t_positions(text)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        pytest.param("皇后", Written.CHINESE, id="the-same-in-both-scripts"),
        pytest.param("怎樣能借借唄", Written.TRADITIONAL, id="traditional-whatever-a-shorter-phrase-would-say"),
        pytest.param("头发掉了", Written.SIMPLIFIED, id="simplified"),
    ],
)
def test_the_verdicts_the_table_gives(text: str, written: Written) -> None:
    assert detect(text) is written


@pytest.mark.parametrize("lang", [Lang.ZH_HANT, Lang.ZH_HK])
def test_the_bundled_profiles_write_what_opencc_writes(lang: Lang) -> None:
    official = opencc.OpenCC(OPENCC_PROFILES[lang])
    texts = [*TRICKY, *_knowledge_texts(), *_project_questions()]
    assert [text for text in texts if to_traditional(text, lang) != official.convert(text)] == []


def test_the_committed_tables_are_what_the_script_builds_from_the_installed_opencc(tmp_path: Path) -> None:
    """If this fails after an OpenCC upgrade, run `python -m bench.script_tables` and commit what it writes."""
    built = script_tables.build(tmp_path)
    committed = [SIMPLIFIED_TABLE, *sorted(OPENCC_DATA.iterdir())]
    assert [path.name for path in built] == [path.name for path in committed]
    changed = [new.name for new, old in zip(built, committed, strict=True) if new.read_bytes() != old.read_bytes()]
    assert changed == []
