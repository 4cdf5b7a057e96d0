"""No test copies a sentence of the shipped knowledge: an admin who rewords one in knowledge/*.yaml must not break CI.

Logic tests run on fixture knowledge (tests/kbfactory.py), type questions in their own words, or read the shipped
texts at run time; only the files in `ALLOWED` may spell out shipped wording. A string literal in a test (docstrings
aside; Traditional read as Simplified) is a copy when it holds

- a whole sentence or clause of any string of the knowledge (split at punctuation and line breaks) of 6 Chinese
  characters or 4 English words or more — example questions and keywords too: a test that types a shipped example
  breaks when an admin rewords that example, or
- 8 Chinese characters or 5 English words in a row of a text the bot shows (an answer, a title, a label, a prompt)
  that no example question also holds, or
- a whole string of the knowledge of 4 Chinese characters or 3 English words or more, other than the words the code
  recognises in what users type (keywords, an option's `also` words, "don't know" phrases): a text the bot shows,
  however short (a label such as 收入证明), or a whole example question. Only the pairs in `SHIPPED_CHECKS`, deliberate
  checks of the shipped knowledge that assert ids, may hold one.
"""

from __future__ import annotations

import ast
import contextlib
import re
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import opencc
import pytest
import yaml

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.i18n import Lang

TESTS = Path(__file__).resolve().parent
#: Test files that may spell out shipped wording, and why.
ALLOWED = {
    "core/test_importer.py": "pieces of the source article the entries were imported from, and its shipped repairs",
    "test_no_copied_sentences.py": "this check: the shipped strings in `SHIPPED_CHECKS`",
}
#: Files of knowledge/ that hold no sentences users read: spelling variants, conversion phrases, importer repairs.
NOT_SENTENCES = {"aliases.yaml", "traditional.yaml", "import_repairs.yaml"}
#: Keys whose values users type or the code reads, not sentences the bot shows.
NOT_SHOWN = {
    "examples", "keywords", "id", "section", "related", "kind", "causes", "min", "max", "also", "dont_know", "unsure",
    "yes_words", "corrections", "said_moves",
}  # fmt: skip
#: Keys whose values are words the code recognises in what users type, not sentences: a test may type them.
VOCABULARY = {
    "keywords", "also", "dont_know", "not_in_writing", "unsure", "yes_words", "corrections", "said_moves",
}  # fmt: skip
#: (test file, shipped string) pairs a deliberate check of the shipped knowledge may hold, and why.
SHIPPED_CHECKS = {
    ("test_shipped_knowledge.py", "收入证明"): "a gig worker's question on the shipped knowledge; asserts the entry id",
}
#: The shortest whole string of the knowledge a test may not hold: Chinese characters, English words.
WHOLE_HAN = 4
WHOLE_WORDS = 3
CHINESE_RUN = 8
ENGLISH_RUN = 5
#: The shortest clause of the knowledge that counts as a sentence of its own: Chinese characters, English words.
CLAUSE_HAN = 6
CLAUSE_WORDS = 4

_HAN = re.compile(r"[\u3400-\u9fff]")
_CHINESE_TEXT = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+")  # Han characters and full-width punctuation
_ENGLISH_TEXT = re.compile(r"[A-Za-z][\w'’-]*(?:[ ,;:]+[A-Za-z][\w'’-]*)*")
_CLAUSE_END = re.compile(r"[\n。！？!?；;，,、：:（）()“”\"「」『』《》【】…—.]+")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")


def _strings(node: object, shown: bool = True) -> Iterator[tuple[bool, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, shown and key not in NOT_SHOWN)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, shown)
    elif isinstance(node, str):
        yield shown, node


@cache
def shipped_yaml() -> tuple[object, ...]:
    """The YAML files of the shipped knowledge that hold sentences, read once (LibYAML, what the bot's loader uses)."""
    return tuple(
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for path in sorted(DEFAULT_KNOWLEDGE_DIR.rglob("*.yaml"))
        if path.name not in NOT_SENTENCES
    )


@cache
def shipped_texts() -> tuple[str, str]:
    """(every text the bot shows, every example question) of the shipped knowledge, each joined into one string."""
    shown: list[str] = []
    typed: list[str] = []
    for data in shipped_yaml():
        for is_shown, text in _strings(data):
            (shown if is_shown else typed).append(text)
    return "\n".join(shown), "\n".join(typed)


@cache
def _simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _as_simplified(text: str) -> str:
    with contextlib.suppress(UnicodeEncodeError):  # a lone surrogate, as some tests send on purpose
        text = str(_simplified().convert(text))
    return text


def _is_clause(piece: str) -> bool:
    han = len(_HAN.findall(piece))
    return han >= CLAUSE_HAN or (han == 0 and len(_WORD.findall(piece)) >= CLAUSE_WORDS)


@cache
def shipped_clauses() -> frozenset[str]:
    """Every sentence or clause long enough to count of every string of the shipped knowledge, read as Simplified:
    answers, titles, labels and prompts, example questions and keywords."""
    shown, typed = shipped_texts()
    pieces = (piece.strip() for piece in _CLAUSE_END.split(_as_simplified(shown + "\n" + typed)))
    return frozenset(piece for piece in pieces if _is_clause(piece))


def copied(text: str, clauses: Iterable[str] | None = None) -> str | None:
    """The first whole clause of the shipped knowledge in `text`, or run of a sentence it shows, or None.

    `clauses` narrows the clauses looked for (those a whole file holds), since most literals hold none."""
    shown, typed = shipped_texts()
    text = _as_simplified(text)
    for clause in sorted(shipped_clauses()) if clauses is None else clauses:
        if clause in text:
            return clause
    runs: list[str] = _CHINESE_TEXT.findall(text)
    for run in runs:
        han = [at for at, char in enumerate(run) if _HAN.match(char)]
        for first in range(len(han) - CHINESE_RUN + 1):
            piece = run[han[first] : han[first + CHINESE_RUN - 1] + 1]
            if piece in shown and piece not in typed:
                return piece
    for phrase in _ENGLISH_TEXT.finditer(text):
        words = phrase.group().split()
        for first in range(len(words) - ENGLISH_RUN + 1):
            piece = " ".join(words[first : first + ENGLISH_RUN])
            if piece in shown and piece not in typed:
                return piece
    return None


def _docstrings(tree: ast.Module) -> set[int]:
    kinds = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds) and node.body and isinstance(node.body[0], ast.Expr)
    }


def _whole(node: object, vocabulary: bool = False) -> Iterator[tuple[bool, str]]:
    """(is it a word users type, the string) for every string under `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _whole(value, vocabulary or key in VOCABULARY)
    elif isinstance(node, list):
        for value in node:
            yield from _whole(value, vocabulary)
    elif isinstance(node, str):
        yield vocabulary, node


@cache
def shipped_strings() -> frozenset[str]:
    """Every whole string of the shipped knowledge a test may not hold (read as Simplified): texts the bot shows and
    example questions of `WHOLE_HAN` Chinese characters or `WHOLE_WORDS` English words or more. A string that is
    also one of the knowledge's own words users type (a label that is a keyword too, such as 在线客服) is left out."""
    found: set[str] = set()
    words: set[str] = set()
    for data in shipped_yaml():
        for vocabulary, text in _whole(data):
            text = _as_simplified(text.strip())
            han = len(_HAN.findall(text))
            if han >= WHOLE_HAN or (han == 0 and len(_WORD.findall(text)) >= WHOLE_WORDS):
                (words if vocabulary else found).add(text)
    return frozenset(found - words)


@cache
def _literals(path: Path) -> tuple[ast.Constant, ...]:
    """The string literals of a test file, docstrings aside (parsed once for both checks; the test files do not
    change while the suite runs)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return tuple(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    )


def whole_strings_in(path: Path) -> list[str]:
    """Where a literal of `path` holds a whole string of the shipped knowledge (`shipped_strings`) it may not."""
    name = path.relative_to(TESTS).as_posix()
    literals = _literals(path)
    everything = _as_simplified("\0".join(str(node.value) for node in literals))
    present = [text for text in sorted(shipped_strings()) if text in everything and (name, text) not in SHIPPED_CHECKS]
    found = []
    for node in literals:
        text = _as_simplified(str(node.value))
        held = next((shipped for shipped in present if shipped in text), None)
        if held is not None:
            found.append(f"{path.relative_to(TESTS.parent)}:{node.lineno}: {held!r}")
    return found


def copies_in(path: Path) -> list[str]:
    literals = _literals(path)
    everything = _as_simplified("\0".join(str(node.value) for node in literals))
    clauses = [clause for clause in sorted(shipped_clauses()) if clause in everything]
    found = []
    for node in literals:
        piece = copied(str(node.value), clauses)
        if piece is not None:
            found.append(f"{path.relative_to(TESTS.parent)}:{node.lineno}: {piece!r}")
    return found


def test_no_test_copies_a_sentence_of_the_shipped_knowledge() -> None:
    checked = [path for path in sorted(TESTS.rglob("*.py")) if path.relative_to(TESTS).as_posix() not in ALLOWED]
    assert len(checked) > 40
    copies = [line for path in checked for line in copies_in(path)]
    advice = "use fixture knowledge (tests/kbfactory.py), or read the text from the knowledge at run time"
    assert copies == [], advice + ":\n" + "\n".join(copies)


def test_no_test_holds_a_whole_string_of_the_shipped_knowledge() -> None:
    checked = [path for path in sorted(TESTS.rglob("*.py")) if path.relative_to(TESTS).as_posix() not in ALLOWED]
    held = [line for path in checked for line in whole_strings_in(path)]
    advice = "use fixture knowledge (tests/kbfactory.py), words of the test's own, or read the text at run time"
    assert held == [], advice + ":\n" + "\n".join(held)


def test_the_allowed_files_exist() -> None:
    assert [name for name in ALLOWED if not (TESTS / name).is_file()] == []


def test_each_allowed_shipped_string_is_still_shipped_and_still_held() -> None:
    """An allowance that no longer matches anything is removed, so the list stays the list of what remains."""
    stale = [
        (name, text)
        for name, text in SHIPPED_CHECKS
        if text not in shipped_strings()
        or not any(text in _as_simplified(str(node.value)) for node in _literals(TESTS / name))
    ]
    assert stale == []


def test_the_whole_string_check_finds_a_short_label_and_an_example(tmp_path: Path) -> None:
    from bot.core.knowledge import load_knowledge
    from bot.core.walkthrough import load_walkthrough

    walk = load_walkthrough(DEFAULT_KNOWLEDGE_DIR / "walkthrough.yaml")
    label = next(
        text for m in walk.materials if len(_HAN.findall(text := m.label.render(Lang.ZH_HANS))) == WHOLE_HAN
    )
    kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    example = next(q for e in kb.entries for q in e.examples if len(_HAN.findall(q)) == WHOLE_HAN)
    keyword = next(k for e in kb.entries for k in e.keywords if len(_HAN.findall(k)) >= WHOLE_HAN)
    assert keyword not in shipped_strings()
    test = tmp_path / "test_sample.py"
    test.write_text(
        f"LABEL = '{label}还没有'\nEXAMPLE = '{opencc.OpenCC('s2t').convert(example)}'\nWORD = '{keyword}'\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys.modules[__name__], "TESTS", tmp_path)
        held = whole_strings_in(test)
    assert [line.split(": ", 1)[1] for line in held] == [repr(label), repr(example)]  # a keyword is a word users type


def _first_sentence(text: str) -> str:
    return re.split(r"[。！？\n]", text.strip())[0]


def test_the_check_finds_a_shipped_sentence() -> None:
    from bot.core.knowledge import load_knowledge

    kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    sentence = next(s for e in kb.entries if len(_HAN.findall(s := _first_sentence(e.answer["zh-hans"]))) >= 12)
    assert copied(f"assert '{sentence}' in reply") is not None
    english = next(s for e in kb.entries if len((s := _first_sentence(e.answer["en"])).split()) >= 8)
    assert copied(english) is not None
    assert copied("‹steps.days.prompt›") is None


def test_the_check_finds_a_copied_example_question_in_either_script() -> None:
    from bot.core.knowledge import load_knowledge

    kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    example = next(q for e in kb.entries for q in e.examples if len(_HAN.findall(q)) == CLAUSE_HAN)
    assert copied(f"await user.says('{example}')") is not None
    assert copied(opencc.OpenCC("s2t").convert(example)) is not None
    english = next(q for e in kb.entries for q in e.examples if len(q.split()) == CLAUSE_WORDS and q.isascii())
    assert copied(english) is not None


def test_the_check_finds_a_short_clause_of_a_shown_sentence() -> None:
    shown, _typed = shipped_texts()
    clause = next(
        piece.strip()
        for piece in _CLAUSE_END.split(shown)
        if len(_HAN.findall(piece)) == CLAUSE_HAN and len(piece.strip()) == CLAUSE_HAN
    )
    assert copied(f"assert '{clause}' in reply") is not None


def test_a_question_in_the_tests_own_words_is_not_a_copy() -> None:
    own = "逾期了征信会受影响吗"  # what tests type where the shipped examples ask about credit records
    assert own not in shipped_clauses()
    assert copied(own) is None
    assert copied("逾期") is None, "a word is not a sentence"
