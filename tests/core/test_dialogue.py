"""The negotiation walkthrough, tested as conversations: what the user presses or types, what the bot answers."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.dialogue import (
    MAX_TERMS,
    Cancel,
    Goto,
    GuideState,
    Press,
    Resume,
    Start,
    Step,
    TypedText,
    continue_choice,
    current_prompt,
    goto_choice,
    read_number,
    reads_as_answer,
    step,
    step_for_entry,
    wants_text,
)
from bot.core.i18n import Lang, to_traditional
from bot.core.replies import Choice, Reply
from bot.core.walkthrough import Walkthrough, load_walkthrough
from bot.errors import KnowledgeError
from tests.transcript import Seen

WALKTHROUGH_YAML = Path(__file__).resolve().parents[2] / "knowledge" / "walkthrough.yaml"


@pytest.fixture(scope="module")
def guide() -> Walkthrough:
    return load_walkthrough(WALKTHROUGH_YAML)


class Chat(Seen):
    """One user talking to the walkthrough: press buttons by their label, type text, read the replies."""

    def __init__(self, guide: Walkthrough, lang: Lang = Lang.ZH_HANS, state: GuideState | None = None) -> None:
        self.guide = guide
        self.lang = lang
        self.state = state
        # a chat that starts mid-way is looking at its current step
        self.replies: list[Reply] = current_prompt(state, guide, lang) if state is not None else []

    def send(self, event: object) -> str:
        self.replies, self.state = step(self.state, event, self.guide, self.lang)  # type: ignore[arg-type]
        return self.text

    def tap(self, label: str) -> str:
        """Press the button of the last replies whose label contains `label` (exactly one must)."""
        found = [c for c in self.choices if label in c.label]
        assert len(found) == 1, f"no single button {label!r} in {[c.label for c in self.choices]}"
        return self.send(Press(found[0].action))

    def type(self, text: str) -> str:
        assert wants_text(self.state), "the bot is not waiting for typed text here"
        return self.send(TypedText(text))

    def at(self) -> Step | None:
        """The step the user is on (a method, so each call reads the current state)."""
        return None if self.state is None else self.state.step

    def saved(self) -> GuideState:
        """The state the transport would store now; the user must be in the walkthrough."""
        assert self.state is not None, "the user has left the walkthrough"
        return self.state


def test_a_whole_walkthrough_from_guide_to_the_summary(guide):
    chat = Chat(guide)

    said = chat.send(Start())
    assert "每个问题都可以跳过" in said
    assert "第 1 步 / 共 6 步 · 了解你的情况（1/4）" in said
    assert "逾期的是哪个产品？" in said

    said = chat.tap("花呗")
    assert "（2/4）" in said
    assert "大概逾期多少天了" in said

    said = chat.type("15天")
    assert "已记下：15 天" in said
    assert "（3/4）" in said

    said = chat.type("2000元")
    assert "已记下：约 2000 元" in said

    said = chat.tap("收入减少")
    assert "第 2 步 / 共 6 步 · 准备材料" in said
    assert "失业或收入下降的证明" in chat.labels[3]  # the proof matching the cause
    assert not any("医疗" in label for label in chat.labels)  # not the proofs of other causes

    chat.tap("个人身份证明")
    said = chat.tap("银行流水")
    assert "已准备 2/4 项" in said
    assert "☑ 个人身份证明" in chat.labels

    said = chat.tap("下一步")
    assert "第 3 步 / 共 6 步 · 选择沟通渠道" in said
    for channel in ("支付宝App", "客服电话", "在线客服"):
        assert channel in said

    said = chat.tap("在线客服")
    assert "第 4 步 / 共 6 步 · 清晰表达诉求" in said
    assert "你的情况：花呗 · 15 天 · 约 2000 元" in said
    assert "我失业了（或收入大幅下降）" in said  # the reason from the intake

    chat.tap("延长还款期限")
    said = chat.tap("减免部分利息")
    assert "「我希望延长还款期限、减免部分利息或罚息。我失业了" in said

    said = chat.tap("下一步")
    assert "第 5 步 / 共 6 步 · 达成书面协议" in said
    assert "书面协议" in said

    said = chat.tap("拿到了")
    assert "协议的要点" in said
    said = chat.type("分 12 期，每期 200 元")
    assert "已记下协议要点" in said
    assert "第 6 步 / 共 6 步 · 协商成功后（1/3）" in said
    assert "按时还款" in said

    assert "保存记录" in chat.tap("下一步")
    assert "关注信用记录" in chat.tap("下一步")

    said = chat.tap("下一步")
    assert chat.at() is Step.DONE
    for line in (
        "产品：花呗",
        "已逾期：15 天",
        "金额：约 2000 元",
        "主要原因：收入减少",
        "已准备的材料：个人身份证明、银行流水",
        "沟通渠道：在线客服",
        "你的诉求：延长还款期限、减免部分利息或罚息",
        "书面协议：已拿到",
        "协议要点：分 12 期，每期 200 元",
    ):
        assert line in said
    assert chat.labels == ["◀ 上一步", "重新开始"]


def test_skipping_everything_still_reaches_a_summary_that_says_not_answered(guide):
    chat = Chat(guide)
    chat.send(Start())
    for _ in range(9):  # product, days, amount, cause, materials, channel, demands, agreement
        if chat.at() in (Step.REPAY, Step.RECORDS, Step.CREDIT):
            break
        chat.tap("跳过")
    assert chat.at() is Step.REPAY
    chat.tap("下一步")
    chat.tap("下一步")
    said = chat.tap("下一步")
    assert "产品：未填写" in said
    assert "已准备的材料：暂无" in said
    assert "书面协议：未填写" in said
    assert "协议要点" not in said


# --- back, skip, pause, resume, cancel ------------------------------------------------------------------------


def test_back_from_the_first_step_stays_there(guide):
    chat = Chat(guide)
    chat.send(Start())
    said = chat.tap("上一步")
    assert chat.at() is Step.PRODUCT
    assert "这已经是第一步了" in said
    assert "逾期的是哪个产品？" in said


def test_back_returns_to_the_previous_question_with_the_answer_marked(guide):
    chat = Chat(guide)
    chat.send(Start())
    chat.tap("借呗")
    said = chat.tap("上一步")
    assert chat.at() is Step.PRODUCT
    assert "✓ 借呗" in chat.labels
    assert "下一步 ▶" in chat.labels  # answered: next keeps the answer
    assert "（1/4）" in said
    chat.tap("下一步")
    assert chat.at() is Step.DAYS
    assert chat.saved().product == "jiebei"


def test_skip_moves_on_and_forgets_an_earlier_answer_to_that_step(guide):
    chat = Chat(guide)
    chat.send(Start())
    chat.tap("借呗")
    chat.tap("上一步")
    chat.tap("跳过")
    assert chat.at() is Step.DAYS
    assert chat.saved().product is None


def test_an_unanswered_question_offers_skip_but_not_next(guide):
    chat = Chat(guide)
    chat.send(Start())
    assert chat.labels[-3:] == ["◀ 上一步", "跳过", "暂停"]
    assert "下一步 ▶" not in chat.labels


def test_pause_keeps_the_place_and_resume_continues_there(guide):
    chat = Chat(guide)
    chat.send(Start())
    chat.tap("花呗")
    said = chat.tap("暂停")
    assert "/resume" in said
    assert chat.saved().paused
    assert chat.at() is Step.DAYS
    assert not wants_text(chat.state)  # while paused, typed text is a question for the knowledge base

    said = chat.send(Resume())
    assert not chat.saved().paused
    assert "大概逾期多少天了" in said
    assert chat.saved().product == "huabei"


def test_a_valid_button_pressed_while_paused_continues(guide):
    chat = Chat(guide, state=GuideState(step=Step.DAYS, paused=True))
    chat.send(Press("w:o:days:d1_7"))
    assert chat.state == GuideState(step=Step.AMOUNT, days="d1_7")


def test_cancel_leaves_and_says_how_to_start_again(guide):
    chat = Chat(guide)
    chat.send(Start())
    chat.tap("花呗")
    said = chat.send(Cancel())
    assert chat.state is None
    assert "/guide" in said


def test_guide_again_mid_way_offers_to_continue_or_restart(guide):
    chat = Chat(guide, state=GuideState(step=Step.CHANNEL, product="huabei", paused=True))
    said = chat.send(Start())
    assert "第 3 步 / 共 6 步 · 选择沟通渠道" in said
    assert chat.labels == ["继续", "重新开始"]
    assert chat.at() is Step.CHANNEL

    said = chat.tap("继续")
    assert chat.state == GuideState(step=Step.CHANNEL, product="huabei")
    assert "选择对你最方便的一种" in said


def test_restart_forgets_everything(guide):
    chat = Chat(guide, state=GuideState(step=Step.CHANNEL, product="huabei"))
    chat.send(Start())
    said = chat.tap("重新开始")
    assert chat.state == GuideState()
    assert "我们从头开始" in said
    assert "逾期的是哪个产品？" in said


def test_guide_after_finishing_offers_the_summary_or_a_restart(guide):
    chat = Chat(guide, state=GuideState(step=Step.DONE, product="huabei"))
    said = chat.send(Start())
    assert "已经走完了整个引导" in said
    said = chat.tap("继续")
    assert "产品：花呗" in said
    assert chat.at() is Step.DONE


def test_guide_when_untouched_just_starts(guide):
    chat = Chat(guide, state=GuideState(paused=True))
    said = chat.send(Start())
    assert chat.state == GuideState()
    assert "逾期的是哪个产品？" in said


def test_resume_with_nothing_to_resume_offers_to_start(guide):
    chat = Chat(guide)
    said = chat.send(Resume())
    assert chat.state is None
    assert "还没有开始" in said
    chat.tap("开始协商引导")
    assert chat.at() is Step.PRODUCT


def test_back_from_the_summary_returns_to_the_last_after_care_page(guide):
    chat = Chat(guide, state=GuideState(step=Step.DONE))
    chat.send(Resume())
    chat.tap("上一步")
    assert chat.at() is Step.CREDIT


# --- typed numbers and terms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "where", "number"),
    [
        pytest.param("15", Step.DAYS, 15, id="bare-number"),
        pytest.param("15天", Step.DAYS, 15, id="days-with-unit"),
        pytest.param(" 15 天了 ", Step.DAYS, 15, id="spaces-and-particle"),
        pytest.param("逾期15天", Step.DAYS, 15, id="with-overdue-prefix"),
        pytest.param("十五天", Step.DAYS, 15, id="chinese-numeral-days"),
        pytest.param("１５", Step.DAYS, 15, id="full-width-digits"),
        pytest.param("15 days", Step.DAYS, 15, id="english-days"),
        pytest.param("0", Step.DAYS, 0, id="zero-days"),
        pytest.param("2000元", Step.AMOUNT, 2000, id="amount-with-yuan"),
        pytest.param("两千", Step.AMOUNT, 2000, id="chinese-numeral-amount"),
        pytest.param("兩千塊", Step.AMOUNT, 2000, id="traditional-chinese-amount"),
        pytest.param("两千五", Step.AMOUNT, 2500, id="colloquial-two-thousand-five"),
        pytest.param("一万五", Step.AMOUNT, 15000, id="colloquial-fifteen-thousand"),
        pytest.param("一百零五", Step.AMOUNT, 105, id="numeral-with-zero"),
        pytest.param("二十五万", Step.AMOUNT, 250000, id="numeral-with-wan"),
        pytest.param("1.5万", Step.AMOUNT, 15000, id="decimal-with-wan"),
        pytest.param("2k", Step.AMOUNT, 2000, id="k-suffix"),
        pytest.param("¥2,000", Step.AMOUNT, 2000, id="currency-sign-and-comma"),
        pytest.param("大概2000多块", Step.AMOUNT, 2000, id="about-and-more"),
        pytest.param("about 2000 yuan", Step.AMOUNT, 2000, id="english-amount"),
    ],
)
def test_typed_numbers_are_read(typed, where, number):
    assert read_number(typed, where) == number


@pytest.mark.parametrize(
    ("typed", "where"),
    [
        pytest.param("逾期15天会上征信吗", Step.DAYS, id="a-question-containing-a-number"),
        pytest.param("不知道", Step.DAYS, id="no-number"),
        pytest.param("", Step.DAYS, id="empty"),
        pytest.param("15元", Step.DAYS, id="money-unit-for-days"),
        pytest.param("15天", Step.AMOUNT, id="day-unit-for-amount"),
        pytest.param("2.5", Step.DAYS, id="fraction-of-a-day"),
        pytest.param("一二", Step.DAYS, id="digits-without-units"),
        pytest.param("15", Step.PRODUCT, id="a-step-that-wants-no-number"),
        pytest.param("9" * 40, Step.AMOUNT, id="absurdly-large"),
    ],
)
def test_text_that_is_not_a_number_answer_is_not_read_as_one(typed, where):
    assert read_number(typed, where) is None


def test_a_typed_number_lands_in_its_range(guide):
    chat = Chat(guide, state=GuideState(step=Step.DAYS))
    chat.type("45")
    assert (chat.saved().days, chat.saved().days_typed, chat.at()) == ("d31_90", 45, Step.AMOUNT)
    chat.send(Press("w:back:amount"))
    assert "✓ 31–90 天" in chat.labels


def test_a_non_number_where_a_number_is_wanted_asks_again_without_moving(guide):
    chat = Chat(guide, state=GuideState(step=Step.AMOUNT, product="huabei"))
    before = chat.state
    said = chat.type("我也不太清楚")
    assert chat.state == before
    assert "没能从这句话里读出一个数字" in said
    assert "逾期的金额大概是多少" in said  # the question is shown again, with its buttons
    assert any(label.startswith("1000 元以下") for label in chat.labels)


@pytest.mark.parametrize(
    ("state", "text", "answer"),
    [
        pytest.param(GuideState(step=Step.DAYS), "15天", True, id="days-number"),
        pytest.param(GuideState(step=Step.DAYS), "逾期15天会怎样", False, id="days-question"),
        pytest.param(GuideState(step=Step.TERMS, agreement=True), "分12期", True, id="terms-any-text"),
        pytest.param(GuideState(step=Step.TERMS, agreement=True), "   ", False, id="terms-blank"),
        pytest.param(GuideState(step=Step.PRODUCT), "花呗", False, id="choice-step"),
        pytest.param(GuideState(step=Step.DAYS, paused=True), "15", False, id="paused"),
        pytest.param(None, "15", False, id="not-in-the-walkthrough"),
    ],
)
def test_reads_as_answer_tells_answers_from_side_questions(state, text, answer):
    assert reads_as_answer(state, text) is answer


def test_terms_longer_than_the_limit_are_refused(guide):
    chat = Chat(guide, state=GuideState(step=Step.TERMS, agreement=True))
    said = chat.type("期" * (MAX_TERMS + 1))
    assert f"{MAX_TERMS} 字以内" in said
    assert chat.state == GuideState(step=Step.TERMS, agreement=True)


def test_typed_text_on_a_button_step_asks_for_a_button(guide):
    chat = Chat(guide, state=GuideState(step=Step.CHANNEL))
    said = chat.send(TypedText("支付宝App"))
    assert "请点下面的按钮" in said
    assert chat.state == GuideState(step=Step.CHANNEL)


# --- the agreement ---------------------------------------------------------------------------------------------


def test_no_agreement_yet_is_recorded_with_a_reminder_and_back_skips_the_terms(guide):
    chat = Chat(guide, state=GuideState(step=Step.AGREEMENT))
    said = chat.tap("还没有")
    assert "请坚持要求书面协议" in said
    assert chat.at() is Step.REPAY
    assert chat.saved().agreement is False
    chat.tap("上一步")
    assert chat.at() is Step.AGREEMENT
    assert "✓ 还没有" in chat.labels


def test_with_an_agreement_back_from_after_care_returns_to_the_terms(guide):
    chat = Chat(guide, state=GuideState(step=Step.REPAY, agreement=True, terms="12 期"))
    chat.send(Resume())
    said = chat.tap("上一步")
    assert chat.at() is Step.TERMS
    assert "已记下：12 期" in said


# --- checklists ------------------------------------------------------------------------------------------------


def test_ticking_an_item_twice_unticks_it(guide):
    chat = Chat(guide, state=GuideState(step=Step.MATERIALS))
    chat.send(Press("w:t:income_proof"))
    assert chat.saved().ticked == ("income_proof",)
    assert "☑ 收入证明" in chat.labels
    chat.send(Press("w:t:income_proof"))
    assert chat.saved().ticked == ()
    assert "☐ 收入证明" in chat.labels


def test_ticks_keep_the_checklist_order(guide):
    chat = Chat(guide, state=GuideState(step=Step.MATERIALS))
    chat.send(Press("w:t:bank_statements"))
    chat.send(Press("w:t:id_card"))
    assert chat.saved().ticked == ("id_card", "bank_statements")


@pytest.mark.parametrize(
    ("cause", "proof"),
    [
        pytest.param("income_drop", "失业或收入下降的证明", id="income-drop-needs-proof-of-job-loss"),
        pytest.param("emergency", "医疗、教育等突发支出的票据或证明", id="emergency-needs-the-bills"),
        pytest.param("budgeting", "按自己收支制定的还款计划", id="budgeting-needs-a-plan"),
        pytest.param("missed_notice", "能说明错过还款信息的记录", id="missed-notice-needs-records"),
    ],
)
def test_the_checklist_suggests_the_proof_matching_the_cause(guide, cause, proof):
    replies = current_prompt(GuideState(step=Step.MATERIALS, cause=cause), guide, Lang.ZH_HANS)
    labels = [choice.label for choice in replies[0].choices]
    assert sum(proof in label for label in labels) == 1
    assert "已准备 0/4 项" in replies[0].text


def test_without_a_cause_every_proof_is_listed(guide):
    replies = current_prompt(GuideState(step=Step.MATERIALS), guide, Lang.ZH_HANS)
    assert sum(choice.action.startswith("w:t:") for choice in replies[0].choices) == len(guide.materials)


@pytest.mark.parametrize(
    ("cause", "reason"),
    [
        pytest.param("income_drop", "我失业了", id="income-drop"),
        pytest.param("emergency", "医疗、教育等突发支出", id="emergency-expense"),
        pytest.param("budgeting", "重新制定了还款计划", id="budgeting"),
        pytest.param("missed_notice", "并不是不愿意还款", id="missed-notice"),
        pytest.param(None, "说明你逾期的真实原因", id="skipped-cause"),
    ],
)
def test_the_demands_step_gives_the_reasons_from_the_intake(guide, cause, reason):
    chat = Chat(guide, state=GuideState(step=Step.DEMANDS, cause=cause))
    said = chat.send(Press("w:d:instalments"))
    assert reason in said
    assert "你可以这样开口：「我希望按我能承受的计划分期还款。" in said


# --- stale and forged buttons ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        pytest.param("w:o:product:huabei", id="an-option-of-an-earlier-step"),
        pytest.param("w:next:product", id="next-from-an-old-message"),
        pytest.param("w:skip:cause", id="skip-of-another-step"),
        pytest.param("w:t:id_card", id="a-checklist-tick-outside-the-checklist"),
        pytest.param("w:d:longer_term", id="a-demand-outside-the-demands-step"),
        pytest.param("w:o:days:d999", id="an-unknown-option"),
        pytest.param("w:o:days:d1_7:extra", id="too-many-parts"),
        pytest.param("w:goto:nowhere", id="goto-an-unknown-step"),
        pytest.param("w:", id="empty-after-prefix"),
        pytest.param("w:o", id="truncated"),
        pytest.param("x:next", id="another-prefix"),
        pytest.param("", id="empty"),
        pytest.param("w:next:days\x00", id="control-character"),
        pytest.param("w:" + "o" * 5000, id="very-long"),
    ],
)
def test_a_stale_or_forged_press_is_answered_politely_and_changes_nothing(guide, action):
    before = GuideState(step=Step.DAYS, product="huabei")
    chat = Chat(guide, state=before)
    said = chat.send(Press(action))
    assert chat.state == before
    assert "已经不能用了" in said
    assert "大概逾期多少天了" in said


def test_a_press_outside_the_walkthrough_offers_to_start(guide):
    chat = Chat(guide)
    said = chat.send(Press("w:next:days"))
    assert chat.state is None
    assert "还没有开始" in said


def test_bare_navigation_applies_to_the_current_step(guide):
    chat = Chat(guide, state=GuideState(step=Step.REPAY))
    chat.send(Press("w:next"))
    assert chat.at() is Step.RECORDS


def test_pressing_next_on_the_summary_is_stale(guide):
    chat = Chat(guide, state=GuideState(step=Step.DONE))
    chat.send(Press("w:next:done"))
    assert chat.at() is Step.DONE
    assert "已经不能用了" in chat.text


# --- every step: progress, tokens, languages -------------------------------------------------------------------

PROGRESS = [
    pytest.param(Step.PRODUCT, "第 1 步 / 共 6 步 · 了解你的情况（1/4）", id="product"),
    pytest.param(Step.DAYS, "第 1 步 / 共 6 步 · 了解你的情况（2/4）", id="days"),
    pytest.param(Step.AMOUNT, "第 1 步 / 共 6 步 · 了解你的情况（3/4）", id="amount"),
    pytest.param(Step.CAUSE, "第 1 步 / 共 6 步 · 了解你的情况（4/4）", id="cause"),
    pytest.param(Step.MATERIALS, "第 2 步 / 共 6 步 · 准备材料", id="materials"),
    pytest.param(Step.CHANNEL, "第 3 步 / 共 6 步 · 选择沟通渠道", id="channel"),
    pytest.param(Step.DEMANDS, "第 4 步 / 共 6 步 · 清晰表达诉求", id="demands"),
    pytest.param(Step.AGREEMENT, "第 5 步 / 共 6 步 · 达成书面协议", id="agreement"),
    pytest.param(Step.TERMS, "第 5 步 / 共 6 步 · 达成书面协议", id="terms-shares-the-agreement-line"),
    pytest.param(Step.REPAY, "第 6 步 / 共 6 步 · 协商成功后（1/3）", id="repay"),
    pytest.param(Step.RECORDS, "第 6 步 / 共 6 步 · 协商成功后（2/3）", id="records"),
    pytest.param(Step.CREDIT, "第 6 步 / 共 6 步 · 协商成功后（3/3）", id="credit"),
]


@pytest.mark.parametrize(("where", "progress"), PROGRESS)
def test_every_step_shows_its_progress_first(guide, where, progress):
    state = GuideState(step=where, agreement=True if where is Step.TERMS else None)
    (reply,) = current_prompt(state, guide, Lang.ZH_HANS)
    assert reply.text.startswith(progress + "\n\n")
    actions = [choice.action for choice in reply.choices]
    assert f"w:back:{where}" in actions
    assert f"w:pause:{where}" in actions


def _sample_states() -> list[GuideState]:
    full = GuideState(
        product="other",
        days="d90_plus",
        amount="k50_plus",
        amount_typed=123456789,
        cause="missed_notice",
        ticked=("id_card",),
        channel="hotline",
        demands=("longer_term", "reduce_interest", "instalments"),
        agreement=True,
        terms="x",
    )
    return [replace(full, step=where) for where in Step] + [GuideState(step=where) for where in Step]


def test_every_action_token_is_short_ascii_with_the_w_prefix(guide):
    for state in _sample_states():
        for lang in Lang:
            for reply in current_prompt(state, guide, lang):
                for choice in reply.choices:
                    assert choice.action.startswith("w:")
                    assert choice.action.isascii()
                    assert len(choice.action.encode()) <= 40


@pytest.mark.parametrize("where", list(Step), ids=str)
def test_every_step_renders_in_every_language(guide, where):
    state = GuideState(step=where, agreement=True, cause="emergency", demands=("longer_term",))
    hans = current_prompt(state, guide, Lang.ZH_HANS)[0]
    hant = current_prompt(state, guide, Lang.ZH_HANT)[0]
    english = current_prompt(state, guide, Lang.EN)[0]
    assert hant.text != hans.text  # converted to Traditional …
    assert hant.text == to_traditional(hans.text)  # … from the same Simplified text
    assert not any("\u4e00" <= char <= "\u9fff" for char in english.text)
    assert "{" not in hans.text + hant.text + english.text  # every placeholder was filled


def test_traditional_chinese_walkthrough_reads_in_traditional(guide):
    chat = Chat(guide, Lang.ZH_HANT)
    said = chat.send(Start())
    assert "第 1 步 / 共 6 步" in said
    assert "逾期的是哪個產品？" in said
    chat.tap("花唄")
    said = chat.type("兩千")  # read as a day count here: the user means 2000 days
    assert "已記下：2000 天" in said


def test_english_walkthrough_shows_english_progress(guide):
    chat = Chat(guide, Lang.EN)
    said = chat.send(Start())
    assert "Step 1 of 6 · Your situation (1/4)" in said
    chat.tap("Huabei")
    assert "Step 1 of 6 · Your situation (2/4)" in chat.text


# --- side questions and jumps ----------------------------------------------------------------------------------


def test_the_continue_button_under_a_side_answer_returns_to_the_same_place(guide):
    state = GuideState(step=Step.DEMANDS, cause="budgeting", paused=True)
    button = continue_choice(state, guide, Lang.ZH_HANS)
    assert button == Choice("继续协商引导：清晰表达诉求", "w:resume")
    chat = Chat(guide, state=state)
    said = chat.send(Press(button.action))
    assert chat.state == replace(state, paused=False)
    assert "第 4 步 / 共 6 步" in said


@pytest.mark.parametrize(
    "state",
    [pytest.param(None, id="not-in-the-walkthrough"), pytest.param(GuideState(step=Step.DONE), id="finished")],
)
def test_no_continue_button_when_there_is_nothing_to_continue(guide, state):
    assert continue_choice(state, guide, Lang.ZH_HANS) is None


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        pytest.param("steps.materials", Step.MATERIALS, id="materials"),
        pytest.param("steps.channel", Step.CHANNEL, id="channel"),
        pytest.param("steps.demands", Step.DEMANDS, id="demands"),
        pytest.param("steps.agreement", Step.AGREEMENT, id="agreement"),
        pytest.param("after.repay", Step.REPAY, id="repay"),
        pytest.param("after.records", Step.RECORDS, id="records"),
        pytest.param("after.credit", Step.CREDIT, id="credit"),
        pytest.param("impact.credit", None, id="an-entry-without-a-step"),
    ],
)
def test_knowledge_entries_map_to_their_steps(entry, where):
    assert step_for_entry(entry) is where


def test_a_jump_button_opens_the_walkthrough_at_that_step(guide):
    button = goto_choice(Step.CHANNEL, guide, Lang.ZH_HANS)
    assert button == Choice("在协商引导中打开：选择沟通渠道", "w:goto:channel")
    chat = Chat(guide)
    said = chat.send(Press(button.action))
    assert chat.state == GuideState(step=Step.CHANNEL)
    assert "第 3 步 / 共 6 步" in said


def test_goto_keeps_the_answers_and_unpauses(guide):
    chat = Chat(guide, state=GuideState(step=Step.DAYS, product="huabei", paused=True))
    chat.send(Goto(Step.CREDIT))
    assert chat.state == GuideState(step=Step.CREDIT, product="huabei")


def test_goto_the_terms_without_an_agreement_opens_the_agreement_question(guide):
    chat = Chat(guide)
    chat.send(Goto(Step.TERMS))
    assert chat.at() is Step.AGREEMENT


# --- saving and loading the state ------------------------------------------------------------------------------


def test_a_state_survives_json_and_back(guide):
    state = replace(_sample_states()[0], step=Step.CREDIT, paused=True)
    stored = json.loads(json.dumps(state.to_dict()))
    assert GuideState.from_dict(stored) == state
    assert GuideState.from_dict(stored, guide) == state


GOOD = GuideState(step=Step.DAYS, product="huabei").to_dict()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(None, id="nothing"),
        pytest.param("days", id="a-string"),
        pytest.param([GOOD], id="a-list"),
        pytest.param({}, id="an-empty-dict"),
        pytest.param({**GOOD, "version": 99}, id="a-newer-version"),
        pytest.param({k: v for k, v in GOOD.items() if k != "version"}, id="no-version"),
        pytest.param({**GOOD, "step": "negotiate"}, id="an-unknown-step"),
        pytest.param({**GOOD, "step": None}, id="no-step"),
        pytest.param({**GOOD, "product": 7}, id="a-number-as-option"),
        pytest.param({**GOOD, "product": "Hua Bei!"}, id="a-malformed-option-id"),
        pytest.param({**GOOD, "days_typed": "15"}, id="typed-days-as-text"),
        pytest.param({**GOOD, "days_typed": -3}, id="negative-days"),
        pytest.param({**GOOD, "days_typed": True}, id="a-bool-as-number"),
        pytest.param({**GOOD, "ticked": "id_card"}, id="ticks-not-a-list"),
        pytest.param({**GOOD, "ticked": [None]}, id="a-tick-that-is-not-an-id"),
        pytest.param({**GOOD, "agreement": "yes"}, id="agreement-as-text"),
        pytest.param({**GOOD, "terms": "x" * (MAX_TERMS + 1)}, id="overlong-terms"),
        pytest.param({**GOOD, "paused": "no"}, id="paused-as-text"),
    ],
)
def test_garbled_stored_state_reads_as_no_state(data):
    assert GuideState.from_dict(data) is None


def test_options_an_admin_removed_are_dropped_from_a_stored_state(guide):
    stored = {
        **GOOD,
        "product": "zhima",
        "ticked": ["id_card", "old_item"],
        "demands": ["longer_term", "write_off"],
        "channel": "fax",
    }
    state = GuideState.from_dict(stored, guide)
    assert state == GuideState(step=Step.DAYS, ticked=("id_card",), demands=("longer_term",))


def test_a_typed_number_is_re_bucketed_when_the_ranges_change(guide):
    stored = {**GOOD, "days": "d_old_range", "days_typed": 15}
    state = GuideState.from_dict(stored, guide)
    assert state is not None
    assert state.days == "d8_30"


def test_step_tolerates_a_state_with_unknown_ids(guide):
    chat = Chat(guide, state=GuideState(step=Step.DEMANDS, product="zhima", cause="war", demands=("x",)))
    said = chat.send(Resume())
    assert chat.state == GuideState(step=Step.DEMANDS)
    assert "说明你逾期的真实原因" in said


# --- walkthrough.yaml validation -------------------------------------------------------------------------------


def test_the_shipped_walkthrough_loads(guide):
    assert [option.id for option in guide.products] == ["huabei", "jiebei", "other"]
    assert guide.days[-1].high is None
    assert guide.amounts[-1].high is None


def _break(tmp_path: Path, *edits: tuple[str, str]) -> tuple[Path, str]:
    text = WALKTHROUGH_YAML.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"the edit target {old!r} must occur once"
        text = text.replace(old, new)
    path = tmp_path / "walkthrough.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def _line(text: str, needle: str) -> int:
    assert text.count(needle) == 1, f"{needle!r} must occur once"
    return text[: text.index(needle)].count("\n") + 1


BREAKAGES = [
    pytest.param(
        ('    zh-hans: "跳过"\n', '    zh-hans: ""\n'),
        '    zh-hans: ""\n',
        "buttons.skip.zh-hans: the text is empty",
        id="empty-text",
    ),
    pytest.param(
        ('  skip:\n    zh-hans: "跳过"\n    en: "Skip"\n', '  skip:\n    zh-hans: "跳过"\n'),
        "  skip:\n",
        "buttons.skip: the en text is missing",
        id="missing-english",
    ),
    pytest.param(
        ('    en: "Skip"\n', '    en: "Skip"\n    zh-hant: "跳過"\n'),
        'zh-hant: "跳過"',
        "zh-hant is made from zh-hans automatically",
        id="traditional-written-by-hand",
    ),
    pytest.param(
        ("  pause:\n", "  snooze:\n    zh-hans: 小睡\n    en: Snooze\n  pause:\n"),
        "  snooze:\n",
        "buttons: unknown key 'snooze'",
        id="unknown-key",
    ),
    pytest.param(
        ('label: {zh-hans: "借呗", en: "Jiebei (借呗)"}', "label: 借呗"),
        "label: 借呗",
        "steps.product.options[2].label: expected the text in each language",
        id="text-instead-of-languages",
    ),
    pytest.param(
        ("      - id: jiebei\n", "      - id: huabei  # copied\n"),
        "- id: huabei  # copied",
        "steps.product.options[2].id: 'huabei' is used twice in this list",
        id="duplicate-option-id",
    ),
    pytest.param(
        ("      - id: other\n", "      - id: Other Loan\n"),
        "- id: Other Loan",
        "'Other Loan' is not a usable id",
        id="malformed-option-id",
    ),
    pytest.param(
        ('"第 {n} 步 / 共 {total} 步 · {stage}"', '"第 {count} 步 / 共 {total} 步 · {stage}"'),
        "{count}",
        "messages.progress.zh-hans: {count} is not available here; you can use {n}, {total}, {stage}",
        id="unknown-placeholder",
    ),
    pytest.param(
        ('zh-hans: "已记下：{value}"', 'zh-hans: "已记下：{value"'),
        '"已记下：{value"',
        "a { or } is unbalanced",
        id="unbalanced-brace",
    ),
    pytest.param(
        ("        min: 8\n", "        min: 9\n"),
        "        min: 9\n",
        "steps.days.options[3].min: is 9, but must be 8",
        id="gap-between-day-ranges",
    ),
    pytest.param(
        ("        min: 91\n", "        min: 91\n        max: 365\n"),
        "        max: 365\n",
        "the last option must have no max",
        id="closed-last-range",
    ),
    pytest.param(
        ("        max: 4999\n", "        max: lots\n"),
        "        max: lots\n",
        "steps.amount.options[2].max: expected a whole number ≥ 0, found 'lots'",
        id="range-not-a-number",
    ),
    pytest.param(
        ("        causes: [emergency]\n", "        causes: [emergencies]\n"),
        "causes: [emergencies]",
        "'emergencies' is not a cause id; the causes are: budgeting, emergency, income_drop, missed_notice",
        id="material-for-an-unknown-cause",
    ),
    pytest.param(
        ('  checked: "☑"\n', "  checked: 3\n"),
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
        ("    options:\n      - id: longer_term", "    options: []\n    old:\n      - id: longer_term"),
        "    options: []\n",
        "steps.demands.options: the list is empty",
        id="empty-option-list",
    ),
    pytest.param(
        ('    "yes":\n', "    yes:\n"),
        "    yes:\n",
        'put the key in quotes, like "yes":',
        id="unquoted-yes-key",
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
    shown = [str(problem) for problem in caught.value.problems]
    assert any(line.startswith(f"{path}:{expected_line}: ") and message in line for line in shown), shown


def test_every_problem_is_reported_at_once(tmp_path):
    path, _ = _break(
        tmp_path,
        ('    zh-hans: "跳过"\n', '    zh-hans: ""\n'),
        ("        min: 8\n", "        min: 9\n"),
        ("      - id: other\n", "      - id: Other\n"),
    )
    with pytest.raises(KnowledgeError) as caught:
        load_walkthrough(path)
    assert len(caught.value.problems) == 3
    assert str(caught.value).startswith("3 problems in the knowledge base")


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "walkthrough.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_walkthrough(path)
    assert (
        str(caught.value.problems[0])
        == f"{path}:1: the file: expected a mapping of keys (key: value lines), found a list"
    )
