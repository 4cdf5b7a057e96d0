"""The located YAML reader: LibYAML's parser (when PyYAML has it) reads exactly what the pure-Python one reads, with
the same lines, and a file it refuses is refused in the pure-Python parser's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.yamlsrc import LIBYAML, LocatedDict, LocatedList, parse_located
from bot.errors import KnowledgeError

needs_libyaml = pytest.mark.skipif(not LIBYAML, reason="PyYAML built without LibYAML")


def located(value: Any) -> Any:
    """The value with every line the reader kept, so two readings compare line for line."""
    if isinstance(value, LocatedDict):
        return ("map", value.line, {k: (value.line_of(k), located(v)) for k, v in value.items()})
    if isinstance(value, LocatedList):
        return ("seq", value.line, [(value.line_of(i), located(v)) for i, v in enumerate(value)])
    return (type(value).__name__, value)


@needs_libyaml
@pytest.mark.parametrize("path", sorted(DEFAULT_KNOWLEDGE_DIR.rglob("*.yaml")), ids=lambda p: p.name)
def test_shipped_knowledge_reads_the_same_with_libyaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = parse_located(text, path.name, parser="libyaml")  # no fallback: LibYAML must read it for the speed
    assert located(fast) == located(parse_located(text, path.name, parser="python"))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: 1\nb: [1, 2\nc: 3\n", id="unclosed-flow-sequence"),
        pytest.param("a: 1\n  b: 2\n", id="bad-indentation"),
        pytest.param("a: 1\na: 2\n", id="duplicate-key"),
        pytest.param("a: &x [1]\nb: *y\n", id="unknown-alias"),
    ],
)
def test_refused_yaml_is_worded_as_the_pure_python_parser_words_it(text: str) -> None:
    with pytest.raises(KnowledgeError) as expected:
        parse_located(text, "f.yaml", parser="python")
    with pytest.raises(KnowledgeError) as got:
        parse_located(text, "f.yaml")
    assert got.value.problems == expected.value.problems


def test_values_and_lines() -> None:
    data = parse_located("title: 花呗\nexamples:\n  - 逾期了\n  - 还不上\n", "f.yaml")
    assert data == {"title": "花呗", "examples": ["逾期了", "还不上"]}
    assert data.line_of("examples") == 2
    assert data["examples"].line_of(1) == 4
