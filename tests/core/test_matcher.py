"""The matcher's three outcomes — answer, clarify, fallback — and the honest route for topics the guide lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import MatcherConfig
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Evidence, Matcher, Status
from tests import kbfactory
from tests.kbfactory import default_entries, write_kb


@pytest.fixture
def matcher(tmp_path: Path) -> Matcher:
    return Matcher(load_knowledge(write_kb(tmp_path), required_ids=()))


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        pytest.param("逾期会不会影响我的征信", "impact.credit", id="simplified-colloquial"),
        pytest.param("花唄逾期了徵信會受影響嗎", "impact.credit", id="traditional-chinese-question"),
        pytest.param("花贝预期会影响征信吗", "impact.credit", id="typos-fixed-by-aliases"),
        pytest.param("will being late hurt my credit score", "impact.credit", id="english-question"),
        pytest.param("我能跟支付宝协商延期还款吗", "respond.negotiate", id="negotiation"),
    ],
)
def test_a_clear_question_is_answered(matcher: Matcher, question: str, entry: str) -> None:
    result = matcher.match(question)
    assert result.status is Status.ANSWER
    assert result.entry is not None
    assert result.entry.id == entry
    assert result.candidates[0].entry.id == entry
    assert result.score >= matcher.config.answer_threshold


def test_a_long_story_still_finds_its_topic(matcher: Matcher) -> None:
    story = (
        "我去年因为公司裁员失业了，之后一直找不到稳定的工作，家里老人又生病住院花了很多钱，"
        "结果花呗借呗都没能按时还上，现在已经拖了两个多月，每天都很焦虑，睡不着觉，"
        "朋友说可以试试和支付宝那边沟通一下，我想知道到底能不能协商延期还款，或者分期慢慢还，"
        "我现在每个月大概能拿出一两千块钱来还款，但是一次性还清肯定是不可能的了。"
    ) * 2
    assert len(story) > 250
    result = matcher.match(story)
    assert result.status in {Status.ANSWER, Status.CLARIFY}
    assert "respond.negotiate" in [c.entry.id for c in result.candidates]


def test_close_candidates_ask_the_user_to_choose(tmp_path: Path) -> None:
    kb = load_knowledge(write_kb(tmp_path), required_ids=())
    matcher = Matcher(kb, MatcherConfig(answer_threshold=0.9, margin=0.5, clarify_threshold=0.1))
    result = matcher.match("逾期会被起诉还是只影响征信")
    assert result.status is Status.CLARIFY
    assert result.entry is None
    ids = [c.entry.id for c in result.candidates]
    assert {"impact.credit", "impact.legal"} <= set(ids)
    assert 2 <= len(ids) <= 3
    assert [c.score for c in result.candidates] == sorted((c.score for c in result.candidates), reverse=True)


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("今天天气怎么样", id="off-topic"),
        pytest.param("😀😀😀", id="only-emoji"),
        pytest.param("   ", id="blank"),
    ],
)
def test_nothing_fits_falls_back(matcher: Matcher, question: str) -> None:
    result = matcher.match(question)
    assert result.status is Status.FALLBACK
    assert result.route is None


def test_a_topic_the_guide_does_not_cover_is_routed_not_answered(matcher: Matcher) -> None:
    result = matcher.match("还清以后花呗什么时候能恢复使用")
    assert result.status is Status.FALLBACK
    assert result.route is not None
    assert result.route.id == "route.usage"


# That every shipped example lands on its own entry is `advisor kb lint`'s check, held as a test of the shipped
# knowledge in tests/test_shipped_knowledge.py (test_kb_lint_finds_every_shipped_example_at_home).


class _FixedEvidence(Matcher):
    """The real decision over evidence the test chooses, to check the decision table itself."""

    def __init__(self, matcher: Matcher, evidence: Evidence) -> None:
        super().__init__(matcher.kb, matcher.config)
        self.fixed = evidence

    def evidence(self, normalized: str) -> Evidence:
        return self.fixed


CREDIT, LEGAL, NEGOTIATE, ROUTE = 0, 1, 2, 3  # entry numbers in kbfactory's default folder


@pytest.mark.parametrize(
    ("agreed", "seconded", "runner_up", "lead", "status"),
    [
        pytest.param(True, False, LEGAL, 0.05, Status.ANSWER, id="naive-bayes-and-closest-example-agree"),
        pytest.param(False, True, LEGAL, 0.25, Status.ANSWER, id="two-of-three-views-agree-and-clearly-ahead"),
        pytest.param(False, True, LEGAL, 0.15, Status.CLARIFY, id="two-of-three-but-runner-up-close"),
        pytest.param(False, True, ROUTE, 0.25, Status.CLARIFY, id="two-of-three-but-runner-up-is-a-route"),
        pytest.param(False, False, LEGAL, 0.25, Status.CLARIFY, id="views-disagree"),
    ],
)
def test_how_many_views_must_agree_to_answer(
    matcher: Matcher, agreed: bool, seconded: bool, runner_up: int, lead: float, status: Status
) -> None:
    assert matcher.config.majority_margin == 0.20
    score = matcher.config.answer_threshold + 0.3  # enough when backed; below the lone threshold
    assert score < matcher.config.lone_answer_threshold
    evidence = Evidence([(CREDIT, score), (runner_up, score - lead)], agreed, seconded, 0.5)
    result = _FixedEvidence(matcher, evidence).match("任意问题")
    assert result.status is status
    assert result.candidates[0].entry.id == "impact.credit"


def test_a_clear_question_has_all_three_views_behind_it(matcher: Matcher) -> None:
    evidence = matcher.evidence(matcher.normalize("花呗逾期会被告上法院吗"))
    assert evidence.ranked[0][0] == LEGAL
    assert evidence.agreed
    assert evidence.seconded


CHIT_CHAT = [
    "讲个笑话", "今天天气晴不晴", "你是机器人吗", "陪我聊聊天", "推荐一首歌", "早上好", "tell me a joke", "帮我写首诗",
]  # fmt: skip


def _with_chit_chat(tmp_path: Path) -> Matcher:
    chat = kbfactory.entry(
        "offtopic.chat",
        CHIT_CHAT,
        kind="offtopic",
    )
    credit, legal, negotiate, route = default_entries()
    return Matcher(load_knowledge(write_kb(tmp_path, [credit, legal, negotiate, route, chat]), required_ids=()))


def test_chit_chat_is_recognised_and_declined_not_answered(tmp_path: Path) -> None:
    result = _with_chit_chat(tmp_path).match("给我讲个笑话")
    assert result.status is Status.FALLBACK
    assert result.route is not None
    assert result.route.id == "offtopic.chat"


CHAT = 4  # entry number of the chit-chat entry in `_with_chit_chat`


@pytest.mark.parametrize(
    ("ranked", "status", "offered"),
    [
        pytest.param(
            [(CHAT, 0.6), (CREDIT, 0.3), (LEGAL, 0.25)],
            Status.CLARIFY,
            ["impact.credit", "impact.legal"],
            id="chit-chat-first-but-two-topics-close-menu-without-it",
        ),
        pytest.param([(CHAT, 0.6), (CREDIT, 0.25)], Status.FALLBACK, [], id="chit-chat-first-one-weak-topic-no-menu"),
        pytest.param(
            [(CREDIT, 0.28), (CHAT, 0.27), (LEGAL, 0.26), (NEGOTIATE, 0.25)],
            Status.CLARIFY,
            ["impact.credit", "impact.legal", "respond.negotiate"],
            id="chit-chat-takes-no-place-in-the-menu",
        ),
    ],
)
def test_chit_chat_is_never_offered_as_a_choice(
    tmp_path: Path, ranked: list[tuple[int, float]], status: Status, offered: list[str]
) -> None:
    matcher = _with_chit_chat(tmp_path)
    assert matcher.kb.entries[CHAT].id == "offtopic.chat"
    result = _FixedEvidence(matcher, Evidence(ranked, False, False, 0.5)).match("任意问题")
    assert result.status is status
    if status is Status.CLARIFY:
        assert [c.entry.id for c in result.candidates] == offered


@pytest.fixture(scope="module")
def shipped_matcher() -> Matcher:
    from bot.config import DEFAULT_KNOWLEDGE_DIR

    return Matcher(load_knowledge(DEFAULT_KNOWLEDGE_DIR))


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        pytest.param("借呗逾期了如何跟支付宝鞋商", "借呗逾期了如何跟支付宝协商", id="鞋商-is-协商"),
        pytest.param("逾期对正信有影响吗", "逾期对征信有影响吗", id="正信-is-征信"),
        pytest.param("逾期了还能补救吗", "逾期了还能补救吗", id="a-known-word-is-left-alone"),
        pytest.param("我在工厂上班工资不高", "我在工厂上班工资不高", id="words-the-guide-lacks-are-left-alone"),
    ],
)
def test_typos_that_sound_like_a_word_of_the_guide_are_put_right(
    shipped_matcher: Matcher, typed: str, meant: str
) -> None:
    assert shipped_matcher.respell(shipped_matcher.normalize(typed)) == meant


def test_a_question_with_a_sound_alike_typo_is_answered(shipped_matcher: Matcher) -> None:
    result = shipped_matcher.match("逾期对正信有影响吗")
    assert result.status is Status.ANSWER
    assert result.entry is not None
    assert result.entry.id == "impact.credit"
