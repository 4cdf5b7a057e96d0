"""Loading the knowledge YAML: a valid folder loads; every kind of mistake is reported with file:line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.i18n import Lang
from bot.core.knowledge import EntryKind, KnowledgeBase, load_knowledge
from bot.errors import KnowledgeError
from tests.kbfactory import write_kb, write_plan_texts, write_walkthrough


def load(root: Path):
    return load_knowledge(root, required_ids=())


def problems_of(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load(root)
    return [str(p) for p in caught.value.problems]


GOOD_ENTRY = """\
  - id: impact.credit
    title: {zh-hans: 信用, en: Credit}
    answer: {zh-hans: 会影响, en: It does}
    examples: [例一, 例二, 例三, 例四, 例五, 例六, 例七, 例八]
"""


def entries_file(body: str) -> str:
    return "entries:\n" + textwrap.dedent(body)


def test_a_valid_folder_loads_with_every_part(tmp_path: Path) -> None:
    kb = load(write_kb(tmp_path))
    assert [e.id for e in kb.entries] == ["impact.credit", "impact.legal", "respond.negotiate", "route.usage"]
    assert kb.entry("route.usage").kind is EntryKind.ROUTE
    assert ("花贝", "花呗") in kb.aliases
    assert kb.fillers == ("请问",)
    assert kb.greetings == ("你好", "谢谢")
    assert kb.respell == ("协商", "征信")
    assert kb.text("greeting", Lang.EN) == "greeting text"
    assert len(kb.version) == 8


def test_version_changes_when_an_admin_edits_a_file(tmp_path: Path) -> None:
    root = write_kb(tmp_path)
    before = load(root).version
    path = root / "entries" / "main.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("回答 impact.legal", "新的回答"), encoding="utf-8")
    assert load(root).version != before


@pytest.mark.parametrize("name", ["walkthrough.yaml", "plan.yaml"])
def test_version_changes_when_the_walkthrough_or_plan_texts_change(tmp_path: Path, name: str) -> None:
    """Buttons carry the version: after an edit of any file the bot loads and a /reload, old buttons are stale."""
    root = write_kb(tmp_path)
    write_walkthrough(root)
    write_plan_texts(root)
    before = load(root).version
    path = root / name
    path.write_text(path.read_text(encoding="utf-8").replace("zh-hans: ", "zh-hans: 新", 1), encoding="utf-8")
    assert load(root).version != before


def test_traditional_chinese_is_derived_from_simplified(tmp_path: Path) -> None:
    root = write_kb(tmp_path)
    kb = load(root)
    assert kb.entry("impact.credit").answer_in(Lang.ZH_HANT) == "回答 impact.credit"  # no convertible chars
    assert kb.text("fallback", Lang.ZH_HANT) == "fallback 文本"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            GOOD_ENTRY + "  - id: impact.credit\n    title: {zh-hans: a, en: b}\n    answer: {zh-hans: a, en: b}\n"
            "    examples: [一一, 二二, 三三, 四四, 五五, 六六, 七七, 八八]\n",
            "entries/main.yaml:6: id 'impact.credit' is used twice (first at entries/main.yaml:2)",
            id="duplicate-id",
        ),
        pytest.param(
            GOOD_ENTRY + "  - id: impact.legal\n    title: {zh-hans: a, en: b}\n    answer: {zh-hans: a, en: b}\n"
            "    examples: [例一, 二二, 三三, 四四, 五五, 六六, 七七, 八八]\n",
            "entries/main.yaml:9: example question '例一' is listed in 'impact.legal' and in 'impact.credit'",
            id="example-in-two-entries",
        ),
        pytest.param(
            GOOD_ENTRY + "    related: [after.nowhere]\n",
            "entries/main.yaml:6: entry 'impact.credit' is related to unknown id 'after.nowhere'",
            id="unknown-related-id",
        ),
        pytest.param(
            GOOD_ENTRY.replace("answer: {zh-hans: 会影响, en: It does}", "answer: {zh-hans: '', en: It does}"),
            "entries/main.yaml:4: entry 'impact.credit': answer.zh-hans is empty",
            id="empty-answer",
        ),
        pytest.param(
            GOOD_ENTRY.replace("answer: {zh-hans: 会影响, en: It does}", "answer: {zh-hans: 会影响}"),
            "entries/main.yaml:4: entry 'impact.credit': answer has no 'en' text",
            id="missing-language",
        ),
        pytest.param(
            GOOD_ENTRY.replace("examples: [例一, 例二, 例三, 例四, 例五, 例六, 例七, 例八]", "examples: 例一"),
            "entries/main.yaml:5: 'examples' must be a list, got str",
            id="wrong-type",
        ),
        pytest.param(
            GOOD_ENTRY.replace("例七, 例八", "例七"),
            "entries/main.yaml:5: entry 'impact.credit' has 7 example questions; write at least 8",
            id="too-few-examples",
        ),
        pytest.param(
            GOOD_ENTRY + "    keyword: [征信]\n",
            "entries/main.yaml:6: unknown field 'keyword'",
            id="unknown-field-typo",
        ),
        pytest.param(
            GOOD_ENTRY.replace("id: impact.credit", "id: Impact Credit"),
            "entries/main.yaml:2: id 'Impact Credit' must be lowercase words joined by dots",
            id="bad-id",
        ),
        pytest.param(
            GOOD_ENTRY + "    kind: faq\n",
            "entries/main.yaml:6: entry 'impact.credit': kind must be 'topic', 'route' or 'offtopic'",
            id="unknown-kind",
        ),
        pytest.param(
            GOOD_ENTRY + "  - just a string\n",
            "entries/main.yaml:6: each entry must be a mapping",
            id="entry-not-a-mapping",
        ),
        pytest.param(
            GOOD_ENTRY + "    examples: [again]\n",
            "entries/main.yaml:6: this is not valid YAML (found duplicate key 'examples')",
            id="duplicate-key",
        ),
        pytest.param(
            GOOD_ENTRY + "  - id: [unclosed\n",
            "entries/main.yaml:7: this is not valid YAML",
            id="yaml-syntax-error",
        ),
        pytest.param(
            GOOD_ENTRY + "    answer2: !!python/object:os.system {}\n",
            "entries/main.yaml:6: this is not valid YAML",
            id="unsafe-yaml-tag-refused",
        ),
    ],
)
def test_each_mistake_is_reported_with_file_and_line(tmp_path: Path, body: str, expected: str) -> None:
    root = write_kb(tmp_path, None, **{"entries/main.yaml": entries_file(body)})
    problems = problems_of(root)
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    body = GOOD_ENTRY.replace("例七, 例八", "例七") + "    related: [nowhere.one]\n    colour: red\n"
    root = write_kb(tmp_path, None, **{"entries/main.yaml": entries_file(body), "entries/other.yaml": "entries: 3\n"})
    problems = problems_of(root)
    assert len(problems) >= 3
    assert any(p.startswith("entries/other.yaml:1: expected 'entries:'") for p in problems)
    assert any("unknown field 'colour'" in p for p in problems)


def test_alias_file_problems_have_lines(tmp_path: Path) -> None:
    aliases = "aliases:\n  花呗: [花贝]\n  借呗: [花贝, 借贝]\n  逾期: 预期\nfillers: [请问]\n"
    problems = problems_of(write_kb(tmp_path, None, **{"aliases.yaml": aliases}))
    assert "aliases.yaml:3: '花贝' is a variant of both '花呗' and '借呗'; pick one" in problems
    assert "aliases.yaml:4: 'aliases.逾期' must be a list, got str" in problems


def test_a_text_the_bot_needs_is_missing(tmp_path: Path) -> None:
    root = write_kb(tmp_path)
    texts = (root / "texts.yaml").read_text(encoding="utf-8")
    lines = [line for line in texts.splitlines() if not line.startswith("  goodbye") and "goodbye" not in line]
    (root / "texts.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = problems_of(root)
    assert "texts.yaml:2: text 'goodbye' is missing; the bot uses it" in problems


def test_a_required_entry_missing_is_named(tmp_path: Path) -> None:
    root = write_kb(tmp_path)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root, required_ids=("after.credit",))
    assert "entries/:1: the entry 'after.credit' is missing; the bot needs it" in str(caught.value)


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="the knowledge folder does not exist"):
        load(tmp_path / "nope")


def test_the_shipped_knowledge_base_never_carries_contact_details() -> None:
    """The source copy carried its hosting site's phone, QQ and e-mail; nothing of the kind may reach users."""
    import re

    text = "".join(
        p.read_text(encoding="utf-8") for p in DEFAULT_KNOWLEDGE_DIR.rglob("*.yaml") if p.name != "import_repairs.yaml"
    )
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text), "a mobile phone number"
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), "an e-mail address"
    assert not re.search(r"(?i)\bqq\b|频道|頻道|本站|小编", text), "the hosting site's furniture"


def test_a_misspelt_section_of_the_aliases_file_is_named_with_the_ones_allowed(tmp_path: Path) -> None:
    root = write_kb(tmp_path)
    (root / "aliases.yaml").write_text("fillers: [请问]\ngreeting: [你好]\n", encoding="utf-8")
    assert problems_of(root) == [
        "aliases.yaml:2: unknown section 'greeting'"
        " (allowed: aliases, dialect, fillers, greetings, thanks, generic, respell, crisis, scams, needs)"
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        pytest.param(
            "entries/main.yaml", "- id: impact.credit\n", "entries/main.yaml:1: expected 'entries:'", id="list"
        ),
        pytest.param("texts.yaml", "text:\n  greeting: {}\n", "texts.yaml:1: unknown top-level key 'text'", id="typo"),
        pytest.param(
            "aliases.yaml", "aliases:\n  '': [x]\n", "aliases.yaml:2: alias key '' must be non-empty", id="key"
        ),
    ],
)
def test_a_file_of_the_wrong_shape_is_reported_not_a_crash(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    """A top-level list in an entries file once raised TypeError inside the loader."""
    problems = problems_of(write_kb(tmp_path, None, **{name: content}))
    assert any(p.startswith(expected) for p in problems), problems


def test_a_word_list_text_splits_at_either_comma_and_slash() -> None:
    kb = KnowledgeBase(
        entries=(), aliases=(), fillers=(), generic=(), version="v",
        texts={"yes_words": {"zh-hans": "确定， 是、好/行 ,", "en": "yes,  sure / ok"}},
    )  # fmt: skip
    assert kb.words("yes_words", Lang.ZH_HANS) == ["确定", "是", "好", "行"]
    assert kb.words("yes_words", Lang.EN) == ["yes", "sure", "ok"]
