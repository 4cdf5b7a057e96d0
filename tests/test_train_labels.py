"""bench/train.py's label files: ids checked against the knowledge, one file per question, folds by group."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import bench.train as train  # without scikit-learn: only fitting needs it
from bot.core.knowledge import KnowledgeBase, load_knowledge
from tests.kbfactory import write_kb

HEADER = "qid\taccept\troute\tscope\n"
#: Question texts by qid, as read_pairs gives them; the words do not matter here.
TEXT_OF = {f"{n}:1": f"问题 {n}" for n in range(1, 41)}


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return load_knowledge(write_kb(tmp_path / "kb"), required_ids=())


def labels(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        pytest.param("1:1\timpact.nope\t-\toverdue", "impact.nope", id="unknown-entry"),
        pytest.param("1:1\tnone\timpact.credit\toverdue", "route impact.credit", id="route-that-is-a-topic"),
        pytest.param("1:1\tnone\troute.nope\teveryday", "route route.nope", id="unknown-route"),
        pytest.param("1:1\tnone,impact.credit\t-\toverdue", "none beside entry ids", id="none-and-an-entry"),
    ],
)
def test_a_label_naming_no_entry_of_the_knowledge_is_refused(
    tmp_path: Path, kb: KnowledgeBase, row: str, problem: str
) -> None:
    path = labels(tmp_path / "a.tsv", "2:1\timpact.credit\t-\toverdue", row)
    with pytest.raises(SystemExit, match=f"a.tsv:3: 1:1: .*{problem}"):
        train.read_labels(path, TEXT_OF, kb)


def test_good_labels_are_read(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = labels(tmp_path / "a.tsv", "1:1\timpact.credit,respond.negotiate\t-\toverdue", "2:1\tnone\troute.usage\t-")
    first, second = train.read_labels(path, TEXT_OF, kb)
    assert (first.qid, first.accept, first.route) == ("1:1", frozenset({"impact.credit", "respond.negotiate"}), "-")
    assert (second.accept, second.route) == (frozenset({"none"}), "route.usage")


def test_a_question_labelled_in_two_files_is_refused(tmp_path: Path, kb: KnowledgeBase) -> None:
    a = labels(tmp_path / "a.tsv", "1:1\timpact.credit\t-\toverdue")
    b = labels(tmp_path / "b.tsv", "2:1\timpact.legal\t-\toverdue", "1:1\timpact.legal\t-\toverdue")
    group_of = {qid: qid for qid in TEXT_OF}
    with pytest.raises(SystemExit, match=r"b\.tsv: 1:1 is labelled in .*a\.tsv too"):
        train.read_label_files([a, b], TEXT_OF, group_of, set(), kb)


def test_questions_in_a_blind_group_are_left_out(tmp_path: Path, kb: KnowledgeBase) -> None:
    a = labels(tmp_path / "a.tsv", "1:1\timpact.credit\t-\toverdue", "2:1\timpact.legal\t-\toverdue")
    group_of = {qid: qid for qid in TEXT_OF} | {"2:1": "blind"}
    read = train.read_label_files([a], TEXT_OF, group_of, {"blind"}, kb)
    assert [x.qid for x in read[a]] == ["1:1"]


def test_the_first_files_folds_do_not_depend_on_the_files_after_it() -> None:
    def item(n: int):
        return train.Labelled(f"{n}:1", TEXT_OF[f"{n}:1"], frozenset({"impact.credit"}), "-")

    group_of = {f"{n}:1": f"g{n}" for n in range(1, 41)} | {"31:1": "g3"}  # 31 is a paraphrase of 3
    first = [item(n) for n in range(1, 21)]
    later = [item(n) for n in range(21, 41)]
    alone = train.deal_folds([first], group_of, random.Random(7))
    both = train.deal_folds([first, later], group_of, random.Random(7))
    assert {g: both[g] for g in alone} == alone
    assert sorted(set(both.values())) == [0, 1, 2, 3, 4]
    assert len(both) == 39  # 40 questions, 39 groups: one fold for a question and its paraphrase
