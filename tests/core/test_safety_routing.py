"""Which safety answer a scam-related message gets: the fitting one at once, never a menu between safety entries."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.advisor import SCAM_ENTRY, Advisor, Conversation
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher, MatchResult, Status
from tests.kbfactory import default_entries, entry, write_kb

AGENTS = [
    "代理协商要收钱正常吗", "停息挂账的中介可信不", "找中介替我协商好不好", "收钱帮人协商的能信吗",
    "征信修复公司靠谱吗", "代还款的公司是骗子吗", "有人说交钱就能洗白", "网上的协商专线能信吗",
]  # fmt: skip
CODES = [
    "有人打电话要我的验证码", "自称客服的人要我报验证码", "对方要我开屏幕共享", "我把验证码告诉他了",
    "电话里的人要支付密码", "自称警察让我说验证码", "验证码已经告诉对方了", "他还在电话上等验证码",
]  # fmt: skip
PAID = [
    "已经给中介转了钱怎么办", "我已经交了协商费", "钱已经转过去了", "被中介骗了钱",
    "转了钱对方拉黑了", "交了服务费没人理", "钱能追回来吗", "我按对方说的转账了",
]  # fmt: skip


class MenuMatcher(Matcher):
    """The real matcher, except that it is unsure: every question gets a menu of its three best entries, as a
    long or oddly worded message does with the shipped knowledge."""

    def match(self, text: str) -> MatchResult:
        found = super().match(text)
        if found.status is Status.FALLBACK:
            return found
        return replace(found, status=Status.CLARIFY, entry=None, candidates=found.candidates[:3])


@pytest.fixture
def advisor(tmp_path: Path) -> Advisor:
    entries = [
        *default_entries(),
        entry(SCAM_ENTRY, AGENTS, keywords=["中介", "代理"]),
        entry("safety.code", CODES, keywords=["验证码", "屏幕共享"]),
        entry("safety.scam_paid", PAID, keywords=["已经转", "已经交了"]),
    ]
    kb = load_knowledge(write_kb(tmp_path, entries), required_ids=())
    return Advisor(kb, MenuMatcher(kb))


def titles(advisor: Advisor, text: str) -> list[str | None]:
    return [reply.title for reply in advisor.ask(Conversation(), text).replies]


def title(advisor: Advisor, entry_id: str) -> str:
    found = advisor.kb.entry(entry_id)
    assert found is not None
    return found.title_in(Lang.ZH_HANS)


def test_a_caller_asking_for_the_code_gets_the_code_card_alone(advisor: Advisor) -> None:
    # the message names an agent too, but the code is what matters now: one card, no generic warning in front
    assert titles(advisor, "中介打电话来要我的验证码 还在电话上") == [title(advisor, "safety.code")]


def test_someone_who_already_paid_gets_what_to_do_now_not_a_menu(advisor: Advisor) -> None:
    outcome = advisor.ask(Conversation(), "我已经交了协商费给中介 现在怎么办")
    assert outcome.match is not None
    assert outcome.match.status is Status.ANSWER
    assert [r.title for r in outcome.replies] == [title(advisor, "safety.scam_paid")]
    assert "n:" not in [c.action for r in outcome.replies for c in r.choices]  # no "none of these" menu


def test_between_safety_entries_the_keywords_in_the_message_decide(advisor: Advisor) -> None:
    replies = titles(advisor, "代理说要屏幕共享")
    assert replies == [title(advisor, "safety.code")]


def test_an_ordinary_question_keeps_its_menu(advisor: Advisor) -> None:
    outcome = advisor.ask(Conversation(), "逾期了征信会受影响吗")
    assert outcome.safety is None
    assert outcome.match is not None
    assert outcome.match.status is Status.CLARIFY
    assert "n:" in [c.action for r in outcome.replies for c in r.choices]


@pytest.mark.parametrize("text", ["自称的人在外地"])
def test_a_menu_led_by_safety_advice_stays_a_menu_when_the_message_holds_none_of_its_keywords(
    advisor: Advisor, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few characters in common with a safety entry's examples ("我人在台灣" and "自称支付宝的人在电话里…") are no
    fake caller: without one of its keywords, and with nothing the scam screen hears, no card is shown as the answer
    (phrases only: what the shipped model hears changes with every retraining)."""
    monkeypatch.setattr("bot.core.safety.shipped_model", lambda: None)
    outcome = advisor.ask(Conversation(), text)
    assert outcome.safety is None
    assert outcome.match is not None
    assert outcome.match.status is Status.CLARIFY
    assert outcome.match.candidates[0].entry.id == "safety.code"
    assert title(advisor, "safety.code") not in [r.title for r in outcome.replies]
