"""Smoke tests of the shipped knowledge/ folder: it loads, validates and lints clean, answers its own headings, and
every text renders with the values the code fills in.

These are the only tests that look at the shipped YAML as a whole; they read its sentences from the files and never
copy them, so an admin who improves a sentence keeps CI green. Everything else is tested on small fixture knowledge
(tests/kbfactory.py), and tests/test_no_copied_sentences.py keeps it that way.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.i18n import Lang
from bot.core.knowledge import REQUIRED_ENTRY_IDS, TEXT_PLACEHOLDERS, TOOL_TEXTS, load_knowledge
from bot.core.matcher import Status
from bot.core.plantexts import _SECTIONS as PLAN_SECTIONS
from bot.core.walkthrough import SECTIONS, STEPS
from bot.engine import Knowledge

SHIPPED = DEFAULT_KNOWLEDGE_DIR
#: What is left of a placeholder the code did not fill, or of a brace written by mistake.
BRACE = re.compile(r"[{}]")


@cache
def shipped() -> Knowledge:
    return Knowledge.load(SHIPPED)


def advisor(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out), out.getvalue()


def total_examples(folder: Path) -> int:
    return sum(len(entry.examples) for entry in load_knowledge(folder).entries)


def test_the_shipped_knowledge_loads_with_every_required_entry_in_every_language() -> None:
    kb = shipped().kb
    assert set(REQUIRED_ENTRY_IDS) <= {entry.id for entry in kb.entries}
    for entry in kb.entries:
        assert len(entry.examples) >= 8, entry.id
        for lang in Lang:
            assert entry.answer_in(lang).strip(), (entry.id, lang)


def test_kb_validate_passes_the_shipped_knowledge_with_one_summary_line() -> None:
    code, output = advisor("kb", "validate", str(SHIPPED))
    assert code == 0
    (line,) = output.splitlines()
    kb = shipped().kb
    kinds = Counter(entry.kind.value for entry in kb.entries)
    assert kinds["offtopic"] >= 1
    assert line.startswith(
        f"ok: {kinds['topic']} topics, {kinds['route']} routes, {kinds['offtopic']} off-topic, "
        f"{total_examples(SHIPPED)} example questions, "
    )
    assert re.search(rf"\(version {kb.version}, \d+ ms\)$", line)


def test_kb_lint_finds_every_shipped_example_at_home() -> None:
    code, output = advisor("kb", "lint", str(SHIPPED))
    assert (code, output) == (0, f"ok: 0 of {total_examples(SHIPPED)} example questions misplaced\n")


def _as_question(title: str, lang: str) -> str:
    return f"请问{title}？" if lang == "zh-hans" else f"{title}?"


def test_every_heading_asked_as_a_question_answers_its_own_entry() -> None:
    """A user who types a heading of the guide, as it is or as a question, gets that section, in both languages."""
    matcher = shipped().matcher
    missed = []
    for entry in matcher.kb.entries:
        if not entry.kind.answered:
            continue
        for lang in ("zh-hans", "en"):
            for question in (entry.title[lang], _as_question(entry.title[lang], lang)):
                result = matcher.match(question)
                if result.status is not Status.ANSWER or result.entry is None or result.entry.id != entry.id:
                    missed.append((entry.id, question, result.status.value, result.entry.id if result.entry else None))
    assert missed == []


def test_the_questions_the_chit_chat_reply_suggests_are_answered() -> None:
    matcher = shipped().matcher
    chat = matcher.kb.entry("offtopic.chat")
    assert chat is not None
    suggested = [
        line.removeprefix("- ").strip()
        for lang in ("zh-hans", "en")
        for line in chat.answer[lang].splitlines()
        if line.startswith("- ")
    ]
    assert len(suggested) >= 4
    assert [q for q in suggested if matcher.match(q).status is not Status.ANSWER] == []


#: A list item that lists nothing: "etc." on a line of its own reads as if something was cut off.
DANGLING_ITEM = re.compile(r"^\s*[-*•]\s*(?:等|等等|等。|etc\.?|and similar|and so on|and more)\s*$", re.IGNORECASE)


@pytest.mark.parametrize("lang", list(Lang), ids=lambda lang: lang.value)
def test_no_answer_ends_a_list_with_a_bare_etc(lang: Lang) -> None:
    dangling = {
        entry.id: line
        for entry in shipped().kb.entries
        for line in entry.answer_in(lang).splitlines()
        if DANGLING_ITEM.match(line)
    }
    assert dangling == {}


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("我是跑外卖的能拿什么证明收入", id="delivery-rider-zh"),
        pytest.param("跑外卖的没有收入证明怎么办", id="no-income-proof-zh"),
        pytest.param("what income proof can a food delivery rider show", id="delivery-rider-en"),
    ],
)
def test_gig_workers_asking_for_proof_of_income_get_the_materials_answer(question: str) -> None:
    result = shipped().matcher.match(question)
    assert (result.status, result.entry.id if result.entry else None) == (Status.ANSWER, "steps.materials")


def _values(names: tuple[str, ...]) -> dict[str, str]:
    return {name: f"<{name}>" for name in names}


@pytest.mark.parametrize("lang", list(Lang), ids=lambda lang: lang.value)
def test_every_text_renders_with_the_values_the_code_fills_in(lang: Lang) -> None:
    """texts.yaml, tools.yaml, walkthrough.yaml and plan.yaml, each text with exactly the placeholders the code
    passes for it: a misspelt or unknown {placeholder} raises here, one left unfilled shows as a brace."""
    k = shipped()
    rendered: dict[str, str] = {}
    for key in k.kb.texts:
        names = TEXT_PLACEHOLDERS.get(key) or TOOL_TEXTS.get(key) or ()
        rendered[f"texts {key}"] = k.kb.text(key, lang, **_values(names))
    for section, keys in SECTIONS.items():
        for key, names in keys.items():
            rendered[f"walkthrough {section}.{key}"] = k.walkthrough.say(f"{section}.{key}", lang, **_values(names))
    for step, (keys, _options) in STEPS.items():
        for key, names in keys.items():
            rendered[f"walkthrough steps.{step}.{key}"] = k.walkthrough.say(
                f"steps.{step}.{key}", lang, **_values(names)
            )
    assert k.plan is not None
    for section, keys in PLAN_SECTIONS.items():
        for key, names in keys.items():
            rendered[f"plan {section}.{key}"] = k.plan.say(f"{section}.{key}", lang, **_values(names))

    assert len(rendered) > 100
    assert {where: text for where, text in rendered.items() if not text.strip() or BRACE.search(text)} == {}


@pytest.mark.parametrize("lang", list(Lang))
def test_the_screen_after_an_unaffordable_offer_points_to_the_calculator(lang: Lang) -> None:
    """Saying what one can really pay needs the number first: the screen and its summary line name /plan."""
    walk = shipped().walkthrough
    assert "/plan" in walk.say("steps.unaffordable.prompt", lang)
    assert "/plan" in walk.say("summary.next_unaffordable", lang)
