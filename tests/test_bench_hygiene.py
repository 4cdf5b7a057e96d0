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
#: Sets that measure unseen wording (bench/questions.tsv is the project's own, written alongside the examples).
HELD_OUT = [
    ROOT / "bench" / "holdout.tsv",
    ROOT / "bench" / "holdout2.tsv",
    ROOT / "bench" / "offtopic.tsv",
    ROOT.parent / "shared" / "eval" / "dev-atec.tsv",
    ROOT / "bench" / "atec_blind.tsv",  # its questions are read from ../shared/data/atec-pairs.tsv
]
#: fuzz.ratio at or above this is a copy (a changed particle or two); 80-89 happens between independent phrasings.
COPY = 90


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in HELD_OUT])
def test_no_knowledge_example_copies_a_held_out_question(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} is not beside this checkout")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if rows and "question" not in rows[0]:
        if not PAIRS.exists():
            pytest.skip(f"{path.name}'s questions are read from {PAIRS.name}, which is not beside this checkout")
        text_of = pair_questions()
        questions = [basic_form(text_of[row["qid"]]) for row in rows]
    else:
        questions = [basic_form(row["question"]) for row in rows]
    kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    copies = []
    for entry in kb.entries:
        for example in entry.examples:
            found = process.extractOne(basic_form(example), questions, scorer=fuzz.ratio, score_cutoff=COPY)
            if found is not None:
                copies.append((entry.id, example, found[0]))
    assert copies == []
