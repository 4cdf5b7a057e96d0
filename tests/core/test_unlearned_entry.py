"""An entry added after the learned judge was trained is answered when the matcher is sure of it, not only offered
as one button of a menu; entries the judge knows keep the judge's decision."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.config import MatcherConfig
from bot.core.judge import FEATURES
from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.core.learned import NOT_COVERED, Calibration, LearnedModel
from bot.core.matcher import Matcher, Status
from tests.kbfactory import default_entries, entry, write_kb

REFUSED = [
    "客服拒绝了该咋办", "协商让人拒绝了", "客服讲不能协商", "被拒了还能再试一次吗",
    "申请延期被拒了", "客服拒绝了我的申请", "they turned my request down", "they said no, what now",
]  # fmt: skip

#: Confidence = σ(10·P(best) − 5): a model that spreads its probability evenly never answers.
_CAL = Calibration(weights=(10.0,) + (0.0,) * (len(FEATURES) - 1), bias=-5.0, answer_at=0.7, clarify_at=0.3)


def _unsure_model() -> LearnedModel:
    """A model trained on the four default entries that knows a few words and has no opinion on any of them."""
    classes = ("impact.credit", "impact.legal", "respond.negotiate", "route.usage", NOT_COVERED)
    vocabulary = {"拒绝": 0, "征信": 1, "影响": 2}
    coef = np.zeros((len(vocabulary), len(classes)), dtype=np.float32)
    idf = np.ones(len(vocabulary), np.float32)
    return LearnedModel(classes, vocabulary, idf, coef, np.zeros(len(classes), np.float32), _CAL, ())


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    entries = [*default_entries(), entry("steps.refused", REFUSED, keywords=["拒绝", "被拒"])]
    return load_knowledge(write_kb(tmp_path, entries), required_ids=())


def test_a_new_entry_the_matcher_is_sure_of_is_answered(kb: KnowledgeBase) -> None:
    model = _unsure_model()
    matcher = Matcher(kb, MatcherConfig(cache_size=0), learned=model)
    assert matcher.learned is model  # the base still has every entry the model knows
    result = matcher.match("客服拒绝了我的协商申请")
    assert result.status is Status.ANSWER
    assert result.entry is not None
    assert result.entry.id == "steps.refused"


def test_an_entry_the_model_knows_keeps_the_models_decision(kb: KnowledgeBase) -> None:
    without_model = Matcher(kb, MatcherConfig(cache_size=0, learned=False)).match("我这样逾期了对征信有没有影响")
    assert without_model.status is Status.ANSWER  # the matcher alone would answer …
    result = Matcher(kb, MatcherConfig(cache_size=0), learned=_unsure_model()).match("我这样逾期了对征信有没有影响")
    assert result.status is not Status.ANSWER  # … but the model, which knows the entry, is unsure
