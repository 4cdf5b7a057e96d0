"""Every {placeholder} a text may use is one the code fills in for that text, and a text can be written no other way.

Two halves: the declared tables (which names each text may use) agree with the calls in the code that fill the text
in, read from the source; and validation refuses a text whose braces would break `str.format` or show as written.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from bot.core.i18n import Lang
from bot.core.knowledge import TEXT_PLACEHOLDERS, TOOL_TEXTS, load_knowledge
from bot.core.plantexts import _SECTIONS as PLAN_SECTIONS
from bot.core.walkthrough import SECTIONS, STEPS, load_walkthrough
from bot.errors import KnowledgeError
from tests.kbfactory import write_walkthrough

BOT = Path(__file__).resolve().parents[1] / "bot"
SHIPPED = BOT.parent / "knowledge"


def _walkthrough_table() -> dict[str, tuple[str, ...]]:
    table = {f"{section}.{key}": names for section, keys in SECTIONS.items() for key, names in keys.items()}
    for step, (keys, _options) in STEPS.items():
        table |= {f"steps.{step}.{key}": names for key, names in keys.items()}
    return table


def _plan_table() -> dict[str, tuple[str, ...]]:
    return {f"{section}.{key}": names for section, keys in PLAN_SECTIONS.items() for key, names in keys.items()}


def _kb_table() -> dict[str, tuple[str, ...]]:
    return {**dict(TOOL_TEXTS), **dict(TEXT_PLACEHOLDERS)}


def _filled_in_calls() -> Iterator[tuple[str, str, str, frozenset[str]]]:
    """(where, table, key, names given) for each call that asks for a text by a literal key, with keyword values."""
    for path in sorted(BOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            key = node.args[0]
            if name not in {"text", "say"} or not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                continue
            if any(keyword.arg is None for keyword in node.keywords):
                continue  # **values: the names are not known from the source
            receiver = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
            if "." not in key.value:
                table = "kb"
            elif "plan" in receiver or receiver == "texts":
                table = "plan"
            else:
                table = "walkthrough"
            where = f"{path.relative_to(BOT.parent)}:{node.lineno}"
            yield where, table, key.value, frozenset(keyword.arg for keyword in node.keywords if keyword.arg)


def test_the_code_fills_in_exactly_the_placeholders_each_text_declares() -> None:
    tables: Mapping[str, Mapping[str, tuple[str, ...]]] = {
        "kb": _kb_table(),
        "walkthrough": _walkthrough_table(),
        "plan": _plan_table(),
    }
    calls = list(_filled_in_calls())
    assert len(calls) > 100  # the reader finds the calls (a broken reader would check nothing)
    wrong = [
        f"{where}: {key} is given {sorted(given)}, declared {sorted(tables[table].get(key, ()))}"
        for where, table, key, given in calls
        if key in tables[table] and given != frozenset(tables[table][key])
    ]
    unknown = [f"{where}: {key}" for where, table, key, _ in calls if key not in tables[table] and table != "kb"]
    assert not wrong, wrong
    assert not unknown, unknown


def _edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(SHIPPED, folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    at = next((i for i in _occurrences(text, old) if "#" not in text[text.rfind("\n", 0, i) + 1 : i]), -1)
    assert at >= 0, f"{old!r} is not in {name} outside a comment; the test needs a new anchor"
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return folder


def _occurrences(text: str, old: str) -> Iterator[int]:
    at = text.find(old)
    while at >= 0:
        yield at
        at = text.find(old, at + 1)


BROKEN_TEXTS = [
    pytest.param("tools.yaml", "{tz}", "{tz", "unbalanced", id="tool-text-unclosed-brace"),
    pytest.param("tools.yaml", "{tz}", "{tz}}", "unbalanced", id="tool-text-stray-closing-brace"),
    pytest.param("tools.yaml", "{tz}", "{标题}", "{标题}", id="tool-text-unknown-name"),
    pytest.param("texts.yaml", "{title}", "{标题}", "{标题}", id="filled-text-unknown-name"),
    pytest.param("texts.yaml", "  greeting:\n    zh-hans: |\n", "  greeting:\n    zh-hans: |\n      {标题}\n", "{标题}",
                 id="plain-text-with-a-placeholder"),
    pytest.param("texts.yaml", "  greeting:\n    zh-hans: |\n", "  greeting:\n    zh-hans: |\n      {\n", "brace",
                 id="plain-text-with-a-stray-brace"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "says"), BROKEN_TEXTS)
def test_a_text_that_would_break_or_show_its_braces_is_refused(
    tmp_path: Path, name: str, old: str, new: str, says: str
) -> None:
    folder = _edited(tmp_path, name, old, new)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(folder)
    [problem] = caught.value.problems
    assert problem.path == name
    assert says in problem.message


def test_every_shipped_text_renders_with_the_names_the_code_gives_it() -> None:
    kb = load_knowledge(SHIPPED)
    declared = _kb_table()
    for key in kb.texts:
        names = declared.get(key, ())
        values = {name: f"<{name}>" for name in names}
        for lang in Lang:
            assert kb.text(key, lang, **values).strip(), (key, lang)  # no KeyError, no ValueError


@pytest.mark.parametrize(
    ("new", "says"),
    [
        pytest.param("‹buttons.skip› {标题}", "buttons.skip.zh-hans: {标题} is not filled in here", id="placeholder"),
        pytest.param("‹buttons.skip› }", "buttons.skip.zh-hans: a brace", id="stray-brace"),
    ],
)
def test_a_walkthrough_text_shown_as_written_takes_no_braces(tmp_path: Path, new: str, says: str) -> None:
    path = write_walkthrough(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.count("‹buttons.skip›") == 1
    path.write_text(text.replace("‹buttons.skip›", new), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_walkthrough(path)
    assert [says in problem.message for problem in caught.value.problems] == [True]
