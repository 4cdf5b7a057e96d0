"""The learned judge: the shipped model loads and agrees with the code, and its decision rule on fixture numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR, MatcherConfig
from bot.core.judge import FEATURES, Signals, decide, feature_vector, judge, rank
from bot.core.knowledge import Entry, KnowledgeBase, load_knowledge
from bot.core.learned import DEFAULT_PATH, NOT_COVERED, Calibration, LearnedModel
from bot.core.matcher import Matcher, Status
from bot.errors import KnowledgeError
from tests.kbfactory import write_kb


@pytest.fixture(scope="module")
def shipped() -> LearnedModel:
    return LearnedModel.load(DEFAULT_PATH)


def test_the_shipped_model_knows_the_shipped_entries(shipped: LearnedModel) -> None:
    kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    ids = {entry.id for entry in kb.entries}
    assert NOT_COVERED in shipped.classes
    assert set(shipped.classes) - {NOT_COVERED} <= ids
    assert shipped.fits(ids)
    assert Matcher(kb).learned is not None


def test_the_shipped_model_agrees_with_the_code_that_reads_it(shipped: LearnedModel) -> None:
    """Each check was computed by bench/train.py when the model was written; this code must give the same."""
    assert len(shipped.checks) >= 20
    for text, best, probability in shipped.checks:
        probs = shipped.probabilities(text)
        assert max(probs, key=probs.__getitem__) == best, text
        assert probs[best] == pytest.approx(probability, abs=1e-4), text
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-5)


def test_the_shipped_checks_are_the_knowledge_own_examples(shipped: LearnedModel) -> None:
    """The model file stores its check texts: they must be examples written for the bot, never real traffic."""
    kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    matcher = Matcher(kb, MatcherConfig(cache_size=0, learned=False))
    own = {matcher.respell(matcher.normalize(example)) for entry in kb.entries for example in entry.examples}
    assert [text for text, _, _ in shipped.checks if text not in own] == []


def test_the_shipped_calibration_weighs_every_feature_the_judge_computes(shipped: LearnedModel) -> None:
    assert len(shipped.calibration.weights) == len(FEATURES)
    assert 0.0 < shipped.calibration.answer_at < 1.0
    assert 0.0 <= shipped.calibration.clarify_at < 1.0


def test_a_model_file_that_cannot_be_read_is_a_knowledge_error(tmp_path: Path) -> None:
    broken = tmp_path / "learned.npz"
    broken.write_bytes(b"not a model")
    with pytest.raises(KnowledgeError, match=r"learned\.npz"):
        LearnedModel.load(broken)


def test_a_base_without_the_models_entries_is_left_to_the_matcher(tmp_path: Path, shipped: LearnedModel) -> None:
    kb = load_knowledge(write_kb(tmp_path), required_ids=())
    assert not shipped.fits({entry.id for entry in kb.entries})
    assert Matcher(kb, learned=shipped).learned is None


def _tiny(kb: KnowledgeBase, calibration: Calibration) -> LearnedModel:
    """A hand-made model over two features: 征信 → impact.credit, 额度 → route.usage, 天气 → not covered."""
    classes = ("impact.credit", "impact.legal", "respond.negotiate", "route.usage", NOT_COVERED)
    vocabulary = {"征信": 0, "额度": 1, "天气": 2}
    coef = np.zeros((3, len(classes)), dtype=np.float32)
    coef[0, 0] = coef[1, 3] = coef[2, 4] = 12.0
    return LearnedModel(
        classes, vocabulary, np.ones(3, np.float32), coef, np.zeros(len(classes), np.float32), calibration, ()
    )


#: Confidence = σ(10·P(best) − 5): sure above P ≈ 0.6, unsure below.
_CAL = Calibration(weights=(10.0,) + (0.0,) * (len(FEATURES) - 1), bias=-5.0, answer_at=0.7, clarify_at=0.3)


def _signals(learned: dict[str, float], kb: KnowledgeBase) -> Signals:
    return Signals(learned, [], agreed=False, seconded=False, resemblance=lambda entry: 0.0)


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return load_knowledge(write_kb(tmp_path), required_ids=())


@pytest.mark.parametrize(
    ("probabilities", "action", "entry"),
    [
        pytest.param({"impact.credit": 0.9, NOT_COVERED: 0.1}, "answer", "impact.credit", id="sure-answers"),
        pytest.param({"route.usage": 0.9, NOT_COVERED: 0.1}, "answer", "route.usage", id="sure-route-is-named"),
        pytest.param(
            {"impact.credit": 0.4, "impact.legal": 0.35, NOT_COVERED: 0.25}, "clarify", None, id="unsure-offers-menu"
        ),
        pytest.param({"impact.credit": 0.1, NOT_COVERED: 0.9}, "fallback", None, id="not-covered-declines"),
    ],
)
def test_the_decision_follows_the_calibrated_confidence(
    kb: KnowledgeBase, probabilities: dict[str, float], action: str, entry: str | None
) -> None:
    verdict = judge(_signals(probabilities, kb), kb.by_id, _CAL)
    assert verdict is not None
    decision = decide(verdict, _CAL, max_candidates=3)
    assert decision.action == action
    assert (decision.entry.id if decision.entry else None) == entry
    if action == "clarify":
        assert {e.id for e, _ in decision.offered} == {"impact.credit", "impact.legal"}


def test_a_fitting_model_decides_for_the_matcher(kb: KnowledgeBase) -> None:
    model = _tiny(kb, _CAL)
    matcher = Matcher(kb, MatcherConfig(cache_size=0), learned=model)
    assert matcher.learned is model
    answered = matcher.match("征信征信")
    assert answered.status is Status.ANSWER
    assert answered.entry is not None
    assert answered.entry.id == "impact.credit"
    assert 0.7 <= answered.score <= 1.0  # the score is the calibrated confidence
    routed = matcher.match("额度额度")
    assert routed.status is Status.FALLBACK
    assert routed.route is not None
    assert routed.route.id == "route.usage"
    declined = matcher.match("天气天气")
    assert declined.status is Status.FALLBACK
    assert declined.route is None


def test_entries_the_model_never_saw_still_rank(kb: KnowledgeBase) -> None:
    extra: Entry = kb.entries[0]
    verdict = judge(
        Signals({NOT_COVERED: 1.0}, [(extra, 1.0)], agreed=True, seconded=True, resemblance=lambda e: 1.0),
        kb.by_id,
        _CAL,
    )
    assert verdict is not None
    assert verdict.ranked[0][0] is extra


def test_the_features_tell_a_belief_split_between_two_entries_from_a_sure_one(kb: KnowledgeBase) -> None:
    """A question labelled with two entries splits the learned belief: the spread features must show it."""
    topics = {i: e for i, e in kb.by_id.items() if i in ("impact.credit", "impact.legal")}

    def named(learned: dict[str, float], length: int) -> dict[str, float]:
        signals = Signals(learned, [], agreed=False, seconded=False, resemblance=lambda entry: 0.0, length=length)
        values = feature_vector(signals, rank(signals, kb.by_id), topics)
        assert len(values) == len(FEATURES)
        return dict(zip(FEATURES, values, strict=True))

    sure = named({"impact.credit": 0.9, "impact.legal": 0.05, NOT_COVERED: 0.05}, length=6)
    split = named({"impact.credit": 0.46, "impact.legal": 0.44, NOT_COVERED: 0.1}, length=30)
    assert sure["lead of the learned favourite over its runner-up"] == pytest.approx(0.85)
    assert split["lead of the learned favourite over its runner-up"] == pytest.approx(0.02)
    assert split["entropy of the learned probabilities"] > sure["entropy of the learned probabilities"]
    assert split["learned probability of the best plus the runner-up's"] == pytest.approx(0.9)
    assert split["learned mass on the first two answered entries"] == pytest.approx(0.9)
    assert sure["the learned model's own favourite is the best entry"] == 1.0
    assert split["log(1 + length of the question)"] > sure["log(1 + length of the question)"]
