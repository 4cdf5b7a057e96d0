"""walkthrough.yaml validation: every mistake an admin can make is named with file, line and what to do.

The edits are made to the small fixture walkthrough (tests/kbfactory.py), so no test depends on a shipped sentence;
a few smoke tests at the end check the shipped file itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.dialogue import Progress, Step, current_prompt
from bot.core.i18n import Lang
from bot.core.numbers import Unit, read_number
from bot.core.walkthrough import Bucket, load_walkthrough
from bot.errors import KnowledgeError
from tests.kbfactory import write_walkthrough

SHIPPED = Path(__file__).resolve().parents[2] / "knowledge" / "walkthrough.yaml"


def _break(tmp_path: Path, *edits: tuple[str, str]) -> tuple[Path, str]:
    path = write_walkthrough(tmp_path)
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"the edit target {old!r} must occur once"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path, text


def _line(text: str, needle: str) -> int:
    assert text.count(needle) == 1, f"{needle!r} must occur once"
    return text[: text.index(needle)].count("\n") + 1


BREAKAGES = [
    pytest.param(
        ("    zh-hans: ‹buttons.skip›\n", '    zh-hans: ""\n'),
        '    zh-hans: ""\n',
        "buttons.skip.zh-hans: the text is empty",
        id="empty-text",
    ),
    pytest.param(
        ("    en: ‹en buttons.skip›\n", ""),
        "  skip:\n    zh-hans: ‹buttons.skip›\n",  # the button's (said_moves has a skip: too)
        "buttons.skip: the en text is missing",
        id="missing-english",
    ),
    pytest.param(
        ("    en: ‹en buttons.skip›\n", "    en: ‹en buttons.skip›\n    zh-hant: 跳過\n"),
        "zh-hant: 跳過",
        "zh-hant is made from zh-hans automatically",
        id="traditional-written-by-hand",
    ),
    pytest.param(
        ("  pause:\n    zh-hans", "  snooze:\n    zh-hans: 小睡\n    en: Snooze\n  pause:\n    zh-hans"),
        "  snooze:\n",
        "buttons: unknown key 'snooze'",
        id="unknown-key",
    ),
    pytest.param(
        ("    - id: jiebei\n      label:\n", "    - id: jiebei\n      label: 借呗\n      old:\n"),
        "label: 借呗",
        "steps.product.options[2].label: expected the text in each language",
        id="text-instead-of-languages",
    ),
    pytest.param(
        ("    - id: jiebei\n", "    - id: huabei  # copied\n"),
        "- id: huabei  # copied",
        "steps.product.options[2].id: 'huabei' is used twice in this list",
        id="duplicate-option-id",
    ),
    pytest.param(
        ("    - id: jiebei\n", "    - id: Other Loan\n"),
        "- id: Other Loan",
        "'Other Loan' is not a usable id",
        id="malformed-option-id",
    ),
    pytest.param(
        ("zh-hans: ‹messages.progress n={n} total", "zh-hans: ‹messages.progress n={count} total"),
        "{count}",
        "messages.progress.zh-hans: {count} is not available here; you can use {n}, {total}, {stage}",
        id="unknown-placeholder",
    ),
    pytest.param(
        ("zh-hans: ‹messages.noted value={value}›", "zh-hans: ‹messages.noted value={value›"),
        "value={value›",
        "a { or } is unbalanced",
        id="unbalanced-brace",
    ),
    pytest.param(
        ("      min: 31\n", "      min: 32\n"),
        "      min: 32\n",
        "steps.days.options[3].min: is 32, but must be 31",
        id="gap-between-day-ranges",
    ),
    pytest.param(
        ("      min: 31\n", "      min: 31\n      max: 365\n"),
        "      max: 365\n",
        "the last option must have no max",
        id="closed-last-range",
    ),
    pytest.param(
        ("      max: 999\n", "      max: lots\n"),
        "      max: lots\n",
        "steps.amount.options[1].max: expected a whole number ≥ 0, found 'lots'",
        id="range-not-a-number",
    ),
    pytest.param(
        ("      - income_drop\n", "      - income_dropped\n"),
        "- income_dropped",
        "'income_dropped' is not a cause id; the causes are: budgeting, income_drop, missed_notice",
        id="material-for-an-unknown-cause",
    ),
    pytest.param(
        ("  checked: '[x]'\n", "  checked: 3\n"),
        "  checked: 3\n",
        "marks.checked: expected a short symbol",
        id="mark-not-a-symbol",
    ),
    pytest.param(
        ("  terms:\n    prompt:\n", "  terms:\n    propmt:\n"),
        "    propmt:\n",
        "steps.terms: unknown key 'propmt'",
        id="misspelt-key",
    ),
    pytest.param(
        ("  terms:\n    prompt:\n", "  terms:\n    propmt:\n"),
        "  terms:\n    propmt",
        "steps.terms: the key 'prompt' is missing",
        id="missing-key",
    ),
    pytest.param(
        ("  requests:\n    prompt:\n", "  requests:\n    yes:\n      zh-hans: 是\n      en: 'Yes'\n    prompt:\n"),
        "    yes:\n",
        'put the key in quotes, like "yes":',
        id="unquoted-yes-key",
    ),
    pytest.param(
        ("    - id: refused\n", "    - id: declined\n"),
        "    - id: agreed\n",
        "steps.result.options: the ids here must be exactly agreed, refused, waiting",
        id="a-result-id-renamed",
    ),
    pytest.param(
        ("      also:\n      - 两个都有\n      - both\n", "      also: 两个都有\n"),
        "      also: 两个都有\n",
        "steps.product.options[3].also: expected a list of words like [打电话, call], found a text",
        id="also-not-a-list",
    ),
    pytest.param(
        ("      also:\n      - 两个都有\n      - both\n", "      also:\n"),
        "      also:\n  days:\n",
        "steps.product.options[3].also: expected a list of words like [打电话, call], found nothing",
        id="also-left-empty",
    ),
    pytest.param(
        ("      - 打电话\n", "      - 12\n"),
        "      - 12\n",
        "steps.channel.options[2].also[1]: expected a word or phrase, found a whole number",
        id="also-word-not-a-text",
    ),
    pytest.param(
        ("      - 打电话\n", "      - ' '\n"),
        "      - ' '\n",
        "steps.channel.options[2].also[1]: the word is empty",
        id="also-word-blank",
    ),
    pytest.param(
        ("dont_know:\n- 不知道\n- 不清楚\n- idk\n- don't know\n", "dont_know: {不知道: 1}\n"),
        "dont_know: {",
        "dont_know: expected a list of words like [打电话, call], found a mapping",
        id="dont-know-not-a-list",
    ),
    pytest.param(
        ("marks:\n", "marks:\n  - oops\n  bad: [\n"),
        "  bad: [\n",
        "this is not valid YAML",
        id="not-yaml",
    ),
]


@pytest.mark.parametrize(("edit", "needle", "message"), BREAKAGES)
def test_a_broken_walkthrough_names_file_line_and_fix(tmp_path, edit, needle, message):
    path, text = _break(tmp_path, edit)
    with pytest.raises(KnowledgeError) as caught:
        load_walkthrough(path)
    expected_line = _line(text, needle)
    if "ids here must be exactly" in message:
        expected_line -= 1  # reported at the options: line above the first id
    shown = [str(problem) for problem in caught.value.problems]
    assert any(line.startswith(f"{path}:{expected_line}: ") and message in line for line in shown), shown


def test_every_problem_is_reported_at_once(tmp_path):
    path, _ = _break(
        tmp_path,
        ("    zh-hans: ‹buttons.skip›\n", '    zh-hans: ""\n'),
        ("      min: 31\n", "      min: 32\n"),
        ("    - id: jiebei\n", "    - id: Other\n"),
    )
    with pytest.raises(KnowledgeError) as caught:
        load_walkthrough(path)
    assert len(caught.value.problems) == 3
    assert str(caught.value).startswith("3 problems in the knowledge base")


def test_typed_words_are_read_trimmed_and_dont_know_may_be_left_out(tmp_path):
    path, _ = _break(
        tmp_path,
        ("      - 打电话\n", "      - ' 打电话 '\n"),
        ("dont_know:\n- 不知道\n- 不清楚\n- idk\n- don't know\n", ""),
    )
    walk = load_walkthrough(path)
    assert [channel.also for channel in walk.channels] == [(), ("打电话", "call")]
    assert walk.dont_know == ()
    assert [product.also for product in walk.products] == [(), (), ("两个都有", "both")]


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "walkthrough.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_walkthrough(path)
    assert (
        str(caught.value.problems[0])
        == f"{path}:1: the file: expected a mapping of keys (key: value lines), found a list"
    )


# --- the shipped walkthrough (rules, not wording) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load_walkthrough(SHIPPED)


def _every_screen_text(walk) -> list[str]:
    full = Progress(
        product="huabei", days="d8_30", days_typed=15, amount="k1_5", cause="budgeting",
        materials=("id_card", "repayment_plan"), channel="hotline", requests=("longer_term", "reduce_interest",
        "instalments"), monthly_typed=500, result="agreed", terms="12",
    )  # fmt: skip
    texts = []
    for lang in Lang:
        for result in ("agreed", "refused", "waiting", None):
            for where in Step:
                progress = Progress(**{**full.__dict__, "step": where, "result": result})
                for reply in current_prompt(progress, walk, lang):
                    texts.append(reply.text)
                    texts.extend(choice.label for choice in reply.choices)
    return texts


def test_the_shipped_walkthrough_shows_no_section_numbers(shipped):
    for text in _every_screen_text(shipped):
        assert not re.search(r"(?<![\d.])\d\.\d(?![\d.])", text), text
        assert "see step" not in text, text


def test_the_shipped_english_says_tap_and_requests(shipped):
    english = [text for text in (t.en for t in shipped.texts.values())]
    for text in english:
        assert not re.search(r"\b(Press|press|demands)\b", text), text
    welcome = shipped.say("messages.welcome", Lang.EN)
    assert "your\n" not in welcome  # one sentence is not broken across lines


@pytest.mark.parametrize("ranges", ["days", "amounts"])
def test_the_shipped_range_labels_do_not_overlap(shipped, ranges):
    """Every number a range's label names lies inside it, or is the bound of "under …" (so "90 天以上" fails)."""
    buckets: tuple[Bucket, ...] = getattr(shipped, ranges)
    for bucket in buckets:
        for lang in (Lang.ZH_HANS, Lang.EN):
            label = bucket.label.render(lang)
            for written in re.findall(r"\d[\d,]*(?:\s*万)?", label):
                number = read_number(written.replace(" ", ""), Unit.YUAN)
                assert number is not None, written
                below = ("不到" in label or "Under" in label) and bucket.high is not None and number == bucket.high + 1
                assert bucket.holds(number) or below, (label, number)


def test_the_shipped_hotline_is_alipays_own_and_the_only_number(shipped):
    hotline = next(channel for channel in shipped.channels if channel.id == "hotline")
    assert "95188" in hotline.how.render(Lang.ZH_HANS)
    assert "95188" in hotline.how.render(Lang.EN)
    numbers = {n for text in shipped.texts.values() for n in re.findall(r"\d{5,}", text.zh_hans + text.en)}
    numbers |= {n for c in shipped.channels for n in re.findall(r"\d{5,}", c.how.zh_hans + c.how.en)}
    assert numbers == {"95188"}


def test_the_shipped_causes_include_overspending_and_other(shipped):
    assert {"spending", "other"} <= {cause.id for cause in shipped.causes}
