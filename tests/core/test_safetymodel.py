"""The safety screen's learned models: the shipped file loads, agrees with the code that reads it and ships with the
package; vetoes hold for the models as for the phrases; idioms, negations and everyday questions stay quiet."""

from __future__ import annotations

import csv
import fnmatch
import tomllib
from pathlib import Path

import pytest

from bot.core.safety import Concern, Screen
from bot.core.safetymodel import DEFAULT_PATH, LENGTH, Linear, SafetyModel, grams
from bot.errors import KnowledgeError

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT / "bench" / "safety_train"
CRISIS, CRISIS_SOFT, SCAM = Concern.CRISIS, Concern.CRISIS_SOFT, Concern.SCAM


@pytest.fixture(scope="module")
def shipped() -> SafetyModel:
    return SafetyModel.load(DEFAULT_PATH)


@pytest.fixture(scope="module")
def screen() -> Screen:
    return Screen()


def test_the_shipped_model_agrees_with_the_code_that_reads_it(shipped: SafetyModel) -> None:
    """Each check was scored by bench/train_safety.py from the weights it wrote; this code must give the same."""
    assert set(shipped.models) == {"crisis", "scam"}
    assert len(shipped.checks) >= 20
    assert {concern for concern, _, _ in shipped.checks} == {"crisis", "scam"}
    for concern, form, score in shipped.checks:
        assert shipped.models[concern].score(form) == pytest.approx(score, abs=1e-6), form


def test_the_shipped_crisis_model_has_a_soft_tier_below_the_full_reply(shipped: SafetyModel) -> None:
    crisis, scam = shipped.models["crisis"], shipped.models["scam"]
    assert crisis.threshold < crisis.full  # between the two: the answer and a caring line (bench/train_safety.py)
    assert scam.threshold == scam.full  # the scam card has one tier


def test_the_shipped_model_is_small_and_ships_with_the_package() -> None:
    assert DEFAULT_PATH.stat().st_size <= 2 * 1024 * 1024
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = project["tool"]["setuptools"]["package-data"]["bot.core"]
    relative = DEFAULT_PATH.relative_to(ROOT / "bot" / "core").as_posix()
    assert any(fnmatch.fnmatch(relative, glob) for glob in globs)


def test_a_model_file_that_cannot_be_read_is_a_knowledge_error(tmp_path: Path) -> None:
    broken = tmp_path / "safety.npz"
    broken.write_bytes(b"not a model")
    with pytest.raises(KnowledgeError, match=r"safety\.npz"):
        SafetyModel.load(broken)


def test_the_n_grams_are_characters_and_english_words() -> None:
    found = grams("想死 end it")
    assert {"想", "想死", " 想死", "死 en", "w:end", "w:end it", "w:it"} <= found
    assert " " not in found
    assert not any(len(g) > 4 for g in found if not g.startswith("w:"))


def _tiny(threshold: float = 1.0) -> SafetyModel:
    """A hand-made crisis model that speaks up for 星星, 想死 and "go on" and nothing else."""
    weights = {"星星": 4.0, "想死": 4.0, "w:go on": 4.0}
    return SafetyModel({"crisis": Linear(weights, -2.0, threshold, threshold)}, ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("今晚想一个人去看星星", CRISIS, id="the-model-alone-finds-it"),
        pytest.param("去看星星吧", CRISIS_SOFT, id="the-model-alone-on-a-short-text-is-at-most-soft"),
        pytest.param("i just cannot see how to go on", CRISIS, id="english-words"),
        pytest.param("想死你们了哈哈哈", None, id="miss-you-idiom-vetoed-for-the-model-too"),
        pytest.param("我不想死啊真的", None, id="negation-vetoed-for-the-model-too"),
        pytest.param("星星", None, id="too-short-for-a-model"),
        pytest.param("今天天气不错", None, id="nothing-it-knows"),
    ],
)
def test_a_model_decides_after_the_phrases_and_within_their_vetoes(text: str, expected: Concern | None) -> None:
    screen = Screen(learned=_tiny())
    found = screen(text)
    assert found.concern is expected
    assert Screen(learned=False)(text).concern is None  # the phrases alone find none of these
    if expected is not None:
        assert found.rule.startswith("learned crisis model")


def test_phrases_only_when_asked() -> None:
    assert Screen(learned=False).model is None
    assert Screen(learned=False)("今晚想去看星星").concern is None
    assert Screen(learned=_tiny(threshold=9.0))("今晚想去看星星").concern is None  # below its threshold


# Idioms, negations, other people and everyday questions that must not set either concern off, model included.
QUIET = [
    pytest.param("累死了，今天加班到十点", id="tired-to-death"),
    pytest.param("笑死，客服说话好搞笑", id="laughing-to-death"),
    pytest.param("笑死我了哈哈哈", id="laughing-to-death-me"),
    pytest.param("饿死了，先去吃饭", id="starving"),
    pytest.param("今天热死了", id="hot-to-death"),
    pytest.param("吓死我了，还以为要被起诉", id="scared-to-death"),
    pytest.param("这利息也太死贵了吧", id="deadly-expensive"),
    pytest.param("想死你了", id="miss-you"),
    pytest.param("我不想死，只想把债还上", id="negated"),
    pytest.param("催收的人都去死吧", id="wished-on-someone-else"),
    pytest.param("一次性还清，一了百了", id="done-with-it-by-paying"),
    pytest.param("我先走了，拜拜", id="leaving-the-chat"),
    pytest.param("I'm just trying to kill time", id="kill-time"),
    pytest.param("it would be financial suicide to borrow more", id="financial-suicide"),
    pytest.param("I'm not suicidal, just want to know how to negotiate", id="english-negated"),
    pytest.param("this song is killing me lol", id="killing-me-song"),
    pytest.param("我要怎样自己去和支付宝谈分期", id="negotiating-with-alipay"),
    pytest.param("我想自己跟支付宝协商分期，需要准备什么", id="negotiating-with-alipay-myself"),
    pytest.param("How do I negotiate with Alipay myself?", id="english-negotiating-with-alipay"),
    pytest.param("打95188能协商延期吗", id="official-hotline"),
    pytest.param("验证码收不到怎么办", id="code-not-received"),
    pytest.param("支付密码忘了怎么办", id="password-forgotten"),
    pytest.param("花呗分期手续费怎么算", id="alipays-own-fee"),
    pytest.param("花呗逾期了征信会受影响吗", id="an-ordinary-question"),
    pytest.param("想问一下逾期记录会保留几年", id="a-note-that-starts-with-want"),
    pytest.param("tell me something funny", id="english-chit-chat"),
]


@pytest.mark.parametrize("text", QUIET)
@pytest.mark.parametrize("learned", [False, True], ids=["phrases", "phrases-and-model"])
def test_idioms_and_ordinary_questions_do_not_trigger(text: str, learned: bool) -> None:
    found = Screen(learned=learned)(text)
    assert found.concern not in (CRISIS, SCAM), found.rule


def _texts(name: str) -> list[str]:
    with (TRAIN / name).open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("C_crisis.tsv", CRISIS, id="writer-c-crisis"),
        pytest.param("D_crisis.tsv", CRISIS, id="writer-d-crisis"),
        pytest.param("C_scam.tsv", SCAM, id="writer-c-scam"),
        pytest.param("D_scam.tsv", SCAM, id="writer-d-scam"),
        pytest.param("C_crisis_negatives.tsv", None, id="writer-c-crisis-negatives"),
        pytest.param("D_crisis_negatives.tsv", None, id="writer-d-crisis-negatives"),
        pytest.param("C_scam_negatives.tsv", None, id="writer-c-scam-negatives"),
        pytest.param("D_scam_negatives.tsv", None, id="writer-d-scam-negatives"),
    ],
)
def test_the_training_sentences_behave(screen: Screen, name: str, expected: Concern | None) -> None:
    """The committed training sets (every 10th sentence): nearly all found, nearly no false alarm, and the model
    finds sentences the phrases alone miss."""
    texts = _texts(name)[::10]
    results = [screen(text) for text in texts]
    if expected is None:
        wrong = [t for t, r in zip(texts, results, strict=True) if r.concern in (CRISIS, SCAM)]
        assert len(wrong) <= len(texts) // 10, wrong
    else:
        wrong = [t for t, r in zip(texts, results, strict=True) if r.concern is not expected]
        assert len(wrong) <= len(texts) // 20, wrong
        assert any(r.rule.startswith("learned") for r in results)


def test_a_short_text_needs_a_clearer_score_for_the_full_tier() -> None:
    """Under FULL_MIN_LENGTH a model-only score needs SHORT_MARGIN above `full`: 2.0 is soft, 4.0 is full."""
    from bot.core.safetymodel import FULL_MIN_LENGTH, SHORT_MARGIN, long_enough_for_full

    assert not long_enough_for_full("欠了4万")  # four: 欠, 了, 4, 万
    assert long_enough_for_full("i owe 4000 yuan")  # three words of two, and a number
    assert FULL_MIN_LENGTH > 4
    faint = SafetyModel({"crisis": Linear({"星星": 4.0}, -2.0, 1.0, 1.0)}, ())
    clear = SafetyModel({"crisis": Linear({"星星": 4.0 + SHORT_MARGIN}, -2.0, 1.0, 1.0)}, ())
    assert Screen(learned=faint)("去看星星吧").concern is CRISIS_SOFT
    assert Screen(learned=clear)("去看星星吧").concern is CRISIS
    assert Screen(learned=faint)("今晚想一个人去看星星").concern is CRISIS  # long enough: `full` itself


def test_a_short_message_carries_its_length_as_a_feature() -> None:
    """So the model learns how little a short message says: one 想 or 不 among four characters is not a sentence."""
    assert f"{LENGTH}4" in grams("大概不对")
    assert f"{LENGTH}2" in grams("hello world")  # an English word is one unit
    assert not any(g.startswith(LENGTH) for g in grams("我想问一下花呗逾期了怎么和支付宝协商分期还款"))


# Short everyday replies the crisis model once gave the caring line to, out of context (bench/short_texts.py measures
# many more; a few still get it there, see README): the caring line is for someone the model hears, not "that's all".
SHORT_AND_ORDINARY = [
    pytest.param("就这些", id="that-is-all"),
    pytest.param("很久了", id="a-long-time"),
    pytest.param("我想一下", id="let-me-think"),
    pytest.param("都准备好了", id="all-ready"),
    pytest.param("已经一年了", id="a-year-already"),
    pytest.param("欠得太多了", id="owing-too-much"),
    pytest.param("大概 不对", id="a-correction"),
]


@pytest.mark.parametrize("text", SHORT_AND_ORDINARY)
def test_short_ordinary_replies_get_no_caring_line(screen: Screen, text: str) -> None:
    found = screen(text)
    assert found.concern is None, found.rule


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("不想活了", id="no-longer-want-to-live"),
        pytest.param("想死", id="want-to-die"),
        pytest.param("我想死", id="i-want-to-die"),
        pytest.param("活着没意思", id="no-point-living"),
        pytest.param("好想解脱", id="want-release-heard-by-the-model"),
        pytest.param("没有出路了", id="no-way-out-heard-by-the-model"),
    ],
)
def test_short_risk_messages_still_get_the_full_reply(screen: Screen, text: str) -> None:
    """However little a short message says, a risk said in it meets the full crisis reply (phrase or model)."""
    assert screen(text).concern is CRISIS
