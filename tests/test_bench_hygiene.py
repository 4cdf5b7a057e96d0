"""The knowledge base must not contain the questions it is measured on: they would measure memory, not matching."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from bench.accuracy import PAIRS, pair_questions
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.knowledge import load_knowledge
from bot.core.normalize import basic_form

ROOT = Path(__file__).resolve().parent.parent
#: The blind halves of the safety sets: run once at the end, never trained or tuned on (column `text`).
BLIND_SAFETY = [ROOT / "bench" / "crisis_blind.tsv", ROOT / "bench" / "scam_blind.tsv"]
#: Sets that measure unseen wording (bench/questions.tsv is the project's own, written alongside the examples).
HELD_OUT = [
    ROOT / "bench" / "holdout.tsv",
    ROOT / "bench" / "holdout2.tsv",
    ROOT / "bench" / "offtopic.tsv",
    ROOT.parent / "shared" / "eval" / "dev-atec.tsv",
    ROOT / "bench" / "atec_blind.tsv",  # its questions are read from ../shared/data/atec-pairs.tsv
    *BLIND_SAFETY,
]
#: fuzz.ratio at or above this is a copy (a changed particle or two); 80-89 happens between independent phrasings.
COPY = 90


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in HELD_OUT])
def test_no_knowledge_example_copies_a_held_out_question(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} is not beside this checkout")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if rows and "question" not in rows[0] and "text" not in rows[0]:
        if not PAIRS.exists():
            pytest.skip(f"{path.name}'s questions are read from {PAIRS.name}, which is not beside this checkout")
        text_of = pair_questions()
        questions = [basic_form(text_of[row["qid"]]) for row in rows]
    else:
        questions = [basic_form(row.get("question") or row["text"]) for row in rows]
    kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    copies = []
    for entry in kb.entries:
        for example in entry.examples:
            found = process.extractOne(basic_form(example), questions, scorer=fuzz.ratio, score_cutoff=COPY)
            if found is not None:
                copies.append((entry.id, example, found[0]))
    assert copies == []


def _texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [basic_form(row["text"]) for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


def test_the_safety_models_training_sets_copy_no_blind_sentence() -> None:
    """bench/train_safety.py learns from these files; a copy of a blind sentence among them would measure memory.
    Only the count is reported, so that a failure does not show the blind sentences."""
    from bench.screening import negatives_of, positives_of
    from bot.core.safety import Concern

    trained = {
        path for concern in (Concern.CRISIS, Concern.SCAM) for path in [*positives_of(concern), *negatives_of(concern)]
    } | {ROOT / "bench" / "safety_dev.tsv", ROOT / "bench" / "safety_blind.tsv"}
    assert not trained & set(BLIND_SAFETY)
    blind = [text for path in BLIND_SAFETY if path.exists() for text in _texts(path)]
    if not blind:
        pytest.skip("the blind halves are not in this checkout")
    copies = sum(
        process.extractOne(text, blind, scorer=fuzz.ratio, score_cutoff=COPY) is not None
        for path in sorted(trained)
        for text in _texts(path)
    )
    assert copies == 0, f"{copies} training sentences copy a blind one"


@pytest.mark.parametrize(
    ("written", "measuring", "least"),
    [
        pytest.param("walkthrough.tsv", "walkthrough_replies.tsv", 100, id="walkthrough-replies"),
        pytest.param("debt.tsv", "debt_statements.tsv", 100, id="debt-statements"),
        pytest.param("indirect.tsv", "indirect_despair.tsv", 100, id="indirect-despair"),
        pytest.param("places.tsv", "places_hardship.tsv", 50, id="places-and-hardship"),
    ],
)
def test_the_safety_models_training_sets_copy_no_sentence_of_a_measuring_set(
    written: str, measuring: str, least: int
) -> None:
    """bench/walkthrough_replies.tsv measures how the screen takes replies typed during the walkthrough, and
    bench/debt_statements.tsv how it takes a borrower's plain statement of their situation ("欠了4万",
    "借呗逾期三个月了"), bench/indirect_despair.tsv how it hears despair said indirectly (farewells, rooftops, "no way
    out"), bench/places_hardship.tsv how it takes "我人在台灣" or "我妈哭了一晚上"; the models learn those kinds of
    message from bench/safety_train/walkthrough.tsv, debt.tsv, indirect.tsv and places.tsv, written apart, and no
    training file may copy a measuring sentence."""
    from bench.screening import SAFETY_TRAIN, negatives_of, positives_of
    from bot.core.safety import Concern

    trained = {
        path for concern in (Concern.CRISIS, Concern.SCAM) for path in [*positives_of(concern), *negatives_of(concern)]
    }
    measured = ROOT / "bench" / measuring
    assert SAFETY_TRAIN / written in trained
    assert measured not in trained
    replies = _texts(measured)
    assert len(replies) >= least
    copies = [
        (text, found[0])
        for path in sorted(trained)
        for text in _texts(path)
        if (found := process.extractOne(text, replies, scorer=fuzz.ratio, score_cutoff=COPY)) is not None
    ]
    assert copies == []
