"""Typed answers at walkthrough steps: options named in the user's words, numbers, "don't know", numbers off the menu.

Logic on the fixture walkthrough (tests/kbfactory.py: labels «id», a few `also:` words); a short smoke test checks
that the shipped walkthrough's own words understand what trial users typed (ids only, never wording).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core import amounts
from bot.core.dialogue import (
    Progress,
    Step,
    TypedText,
    current_prompt,
    handle,
    reads_as_answer,
    tries_number,
    understood,
)
from bot.core.i18n import Lang
from bot.core.numbers import Unit
from bot.core.understand import Number, OffMenu, Picked, Ticked, Unsure, read
from bot.core.walkthrough import Option, Walkthrough, load_walkthrough
from bot.core.walkthrough.model import Text
from tests.kbfactory import write_walkthrough
from tests.transcript import SHIPPED


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Walkthrough:
    return load_walkthrough(write_walkthrough(Path(tmp_path_factory.mktemp("walkthrough"))))


@pytest.fixture(scope="module")
def shipped() -> Walkthrough:
    return load_walkthrough(SHIPPED / "walkthrough.yaml")


def at(step: Step, **answers: object) -> Progress:
    return Progress(step=step, **answers)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("step", "text", "expected"),
    [
        pytest.param(Step.PRODUCT, "«jiebei»", Picked("jiebei", exact=True), id="the-label-itself"),
        pytest.param(Step.PRODUCT, "«en jiebei»", Picked("jiebei", exact=True), id="the-english-label"),
        pytest.param(Step.PRODUCT, "«jiebie»", Picked("jiebei", exact=True), id="a-typo-of-the-label"),
        pytest.param(Step.PRODUCT, "两个都有", Picked("both", exact=True), id="an-also-phrase"),
        pytest.param(Step.PRODUCT, "兩個都有", Picked("both", exact=True), id="an-also-phrase-in-traditional"),
        pytest.param(
            Step.PRODUCT, "两个都有 «huabei»1.2万«jiebei»3万", Picked("both", exact=False), id="both-with-amounts"
        ),
        pytest.param(Step.CAUSE, "送外卖的 这两个月单少了", Picked("income_drop", exact=False), id="cause-in-a-story"),
        pytest.param(Step.CAUSE, "my company cut my salary", Picked("income_drop", exact=False), id="cause-in-english"),
        pytest.param(Step.CAUSE, "不知道", Unsure(), id="dont-know"),
        pytest.param(Step.CAUSE, "看情况吧", Unsure(vague=True), id="no-answer-at-all"),
        pytest.param(Step.CAUSE, "IDK", Unsure(), id="dont-know-in-english"),
        pytest.param(Step.CHANNEL, "打电话吧", Picked("hotline", exact=True), id="an-also-phrase-with-a-particle"),
        pytest.param(Step.CHANNEL, "那我还是打电话过去问", Picked("hotline", exact=False), id="channel-in-a-sentence"),
        pytest.param(Step.PRODUCT, "5", OffMenu(5), id="a-number-at-a-choice-step"),
        pytest.param(Step.PRODUCT, "#2", OffMenu(2), id="a-hash-number-at-a-choice-step"),
        pytest.param(Step.DAYS, "#9", OffMenu(9), id="a-hash-number-where-days-are-asked"),
        pytest.param(Step.DAYS, "兩個禮拜", Number(14, exact=True), id="weeks-in-traditional"),
        pytest.param(Step.AMOUNT, "大概八千蚊人民幣", Number(8000, exact=True), id="cantonese-yuan"),
        pytest.param(Step.AMOUNT, "三百蚊左右", Number(300, exact=True), id="about-three-hundred"),
        pytest.param(Step.AMOUNT, "1万5", Number(15000, exact=True), id="ten-thousands-and-five"),
        pytest.param(Step.MONTHLY, "3000多吧", Number(3000, exact=True), id="a-hedged-amount"),
        pytest.param(Step.MONTHLY, "收入5000左右…最多一千五", Number(1500, exact=False), id="what-they-can-pay"),
        pytest.param(Step.PRODUCT, "«jiebei»逾期会怎样？", None, id="a-question-is-no-answer"),
        pytest.param(Step.CHANNEL, "嗯嗯", None, id="nothing-named"),
    ],
)
def test_what_a_typed_answer_means(walk: Walkthrough, step: Step, text: str, expected: object) -> None:
    assert understood(at(step), text, walk) == expected


def test_two_options_named_equally_well_is_no_answer(walk: Walkthrough) -> None:
    # "«huabei» «jiebei»" names both product options alike and no phrase of "both": the buttons decide
    assert understood(at(Step.PRODUCT), "«huabei» «jiebei»", walk) is None


def test_the_guide_reads_amounts_with_the_plan_parser() -> None:
    for text in ["1万5", "三百蚊左右", "3000多吧", "大概八千蚊人民幣", "¥800", "12,000"]:
        expected = amounts.parse_amount(text)
        assert isinstance(expected, int)
        assert read(text, (), unit=Unit.YUAN) == Number(expected, exact=True)


def test_a_sentence_with_several_amounts_and_no_cue_is_not_guessed() -> None:
    assert amounts.amount_in_sentence("收入5000 房租2000") is None
    assert read("收入5000 房租2000", (), unit=Unit.YUAN, sentence=amounts.amount_in_sentence) is None


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        pytest.param("两个都有 «huabei»1.2万«jiebei»3万", (("huabei", 12000), ("jiebei", 30000)), id="trial-words"),
        pytest.param("«huabei»1.2w，«jiebei»三万二", (("huabei", 12000), ("jiebei", 32000)), id="w-and-numerals"),
        pytest.param("«huabei» 12000块 «jiebei» 一万", (("huabei", 12000), ("jiebei", 10000)), id="kuai-and-yiwan"),
        pytest.param("«en huabei» 5k «en jiebei» 2,000", (("huabei", 5000), ("jiebei", 2000)), id="english-labels"),
        pytest.param("«jiebei»大概3万", (("jiebei", 30000),), id="one-named-amount"),
    ],
)
def test_amounts_named_by_product_are_added_up(walk: Walkthrough, text: str, parts: tuple[tuple[str, int]]) -> None:
    assert understood(at(Step.AMOUNT), text, walk) == Number(sum(n for _, n in parts), exact=False, parts=parts)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("«huabei»1.2万 另外3万", id="an-amount-without-a-product"),
        pytest.param("收入5000 房租2000", id="no-product-named"),
    ],
)
def test_amounts_not_each_named_by_a_product_are_not_added(walk: Walkthrough, text: str) -> None:
    assert understood(at(Step.AMOUNT), text, walk) is None


def test_named_amounts_are_only_added_at_the_amount_step(walk: Walkthrough) -> None:
    assert understood(at(Step.MONTHLY), "«huabei»1000«jiebei»500", walk) is None


def test_the_sum_of_named_amounts_is_recorded_and_each_part_confirmed(walk: Walkthrough) -> None:
    replies, progress = handle(at(Step.AMOUNT), TypedText("两个都有 «huabei»1.2万«jiebei»3万"), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.amount_typed, progress.amount, progress.step) == (42000, "k1_plus", Step.CAUSE)
    parts = "‹steps.amount.part product=«huabei» n=12000› + ‹steps.amount.part product=«jiebei» n=30000›"
    total = "‹steps.amount.typed n=42000›"
    assert replies[0].text == f"‹messages.understood value=‹steps.amount.sum parts={parts} total={total}››"


def test_the_shipped_products_name_the_amounts_a_trial_user_typed(shipped: Walkthrough) -> None:
    answer = understood(at(Step.AMOUNT), "两个都有 花呗1.2万借呗3万", shipped)
    assert answer == Number(42000, exact=False, parts=(("huabei", 12000), ("jiebei", 30000)))


# --- what the walkthrough does with them ------------------------------------------------------------------------


def test_a_named_option_is_recorded_and_the_next_step_shown(walk: Walkthrough) -> None:
    replies, progress = handle(at(Step.PRODUCT), TypedText("«jiebei»"), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.product, progress.step) == ("jiebei", Step.DAYS)
    assert replies[0].text == "‹messages.noted value=«jiebei»›"


def test_an_answer_read_from_a_sentence_says_what_was_understood(walk: Walkthrough) -> None:
    replies, progress = handle(at(Step.CAUSE), TypedText("送外卖的 这两个月单少了"), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.cause, progress.step) == ("income_drop", Step.MATERIALS)
    assert replies[0].text == "‹messages.understood value=«income_drop»›"


@pytest.mark.parametrize(
    ("step", "text", "said"),
    [
        pytest.param(Step.CAUSE, "不清楚", "‹messages.unsure_choice›", id="dont-know-at-a-choice"),
        pytest.param(Step.CAUSE, "一半一半", "‹messages.unsure_choice›", id="half-and-half-at-a-choice"),
        pytest.param(Step.DAYS, "不知道", "‹messages.unsure_number›", id="dont-know-at-the-days"),
        pytest.param(Step.DAYS, "一半一半", "‹messages.unsure_number›", id="half-and-half-at-the-days"),
        pytest.param(Step.AMOUNT, "大概吧", "‹messages.unsure_number›", id="probably-at-the-amount"),
        pytest.param(Step.MONTHLY, "看情况", "‹messages.unsure_number›", id="it-depends-at-the-monthly"),
        pytest.param(Step.TERMS, "不知道", "‹messages.unsure_terms›", id="dont-know-as-the-terms"),
    ],
)
def test_no_answer_records_nothing_and_the_step_says_what_to_put_and_that_it_can_be_skipped(
    walk: Walkthrough, step: Step, text: str, said: str
) -> None:
    """The regression trial: "不知道" skipped the step without a word; "大概吧", "看情况" got a topic menu; "一半一半"
    at the days step 'could not read a number'; at the terms step "不知道" would have been saved as the terms."""
    before = at(step, result="agreed") if step is Step.TERMS else at(step)
    replies, progress = handle(before, TypedText(text), walk, Lang.ZH_HANS)
    assert progress == before
    assert replies[0].text == said
    assert any(c.action == f"w:skip:{step.value}" for c in replies[-1].choices)


def test_dont_know_at_the_monthly_step_is_its_unknown_option(walk: Walkthrough) -> None:
    _, progress = handle(at(Step.MONTHLY), TypedText("idk"), walk, Lang.EN)
    assert progress is not None
    assert (progress.monthly, progress.step) == ("unknown", Step.CONTACT)


def test_a_number_off_the_menu_asks_to_choose_and_keeps_the_step(walk: Walkthrough) -> None:
    before = at(Step.PRODUCT)
    replies, progress = handle(before, TypedText("7"), walk, Lang.ZH_HANS)
    assert progress == before
    assert replies[0].text == f"‹messages.choose_one last={len(walk.products)}›"
    assert any(c.action == "w:o:product:huabei" for c in replies[-1].choices)  # the buttons again


def test_an_amount_the_user_can_pay_read_from_a_sentence_is_recorded_and_said(walk: Walkthrough) -> None:
    replies, progress = handle(at(Step.MONTHLY), TypedText("收入5000左右…最多一千五"), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.monthly_typed, progress.step) == (1500, Step.CONTACT)
    assert replies[0].text == "‹messages.understood value=‹steps.monthly.typed n=1500››"


def test_both_products_go_into_the_opening_script_and_the_summary(shipped: Walkthrough) -> None:
    _, progress = handle(at(Step.PRODUCT), TypedText("两个都有 花呗1.2万借呗3万"), shipped, Lang.ZH_HANS)
    assert progress is not None
    assert progress.product == "both"
    both = next(option for option in shipped.products if option.id == "both")
    (summary,) = current_prompt(Progress(step=Step.DONE, product="both"), shipped, Lang.ZH_HANS)
    assert both.label.render(Lang.ZH_HANS) in summary.text  # the recap
    assert both.in_sentence(Lang.ZH_HANS) in summary.text.split(both.label.render(Lang.ZH_HANS), 1)[1]  # the script


# --- the shipped words: what trial users typed is understood ----------------------------------------------------


@pytest.mark.parametrize(
    ("step", "text", "option"),
    [
        pytest.param(Step.PRODUCT, "借呗", "jiebei", id="jiebei"),
        pytest.param(Step.PRODUCT, "借唄", "jiebei", id="jiebei-traditional"),
        pytest.param(Step.PRODUCT, "jiebei", "jiebei", id="jiebei-pinyin"),
        pytest.param(Step.PRODUCT, "Jiebei (借呗)", "jiebei", id="jiebei-english-label"),
        pytest.param(Step.PRODUCT, "两个都有 花呗1.2万借呗3万", "both", id="both-with-amounts"),
        pytest.param(Step.CHANNEL, "打电话吧", "hotline", id="call"),
        pytest.param(Step.CHANNEL, "在线客服", "online", id="online"),
        pytest.param(Step.CAUSE, "送外卖的 这两个月单少了", "income_drop", id="rider"),
        pytest.param(Step.CAUSE, "生意不好", "income_drop", id="shop"),
        pytest.param(Step.CAUSE, "my company cut my salary", "income_drop", id="salary"),
        pytest.param(Step.CAUSE, "老人病了在医院住了半个月", "illness", id="illness-not-any-emergency"),
        pytest.param(Step.CAUSE, "孩子要交学费", "emergency", id="school-fees"),
    ],
)
def test_the_shipped_words_understand_what_trial_users_typed(
    shipped: Walkthrough, step: Step, text: str, option: str
) -> None:
    answer = understood(at(step), text, shipped)
    assert isinstance(answer, Picked)
    assert answer.option == option


@pytest.mark.parametrize("text", ["不知道", "不清楚", "idk", "I don't know"])
def test_the_shipped_dont_know_words_are_read_as_dont_know(shipped: Walkthrough, text: str) -> None:
    assert understood(at(Step.CAUSE), text, shipped) == Unsure()


def test_a_number_within_the_options_picks_that_option(walk: Walkthrough) -> None:
    """In Telegram nothing turns "2" into a press: the walkthrough reads it as the second option, as the chat does."""
    _, progress = handle(at(Step.PRODUCT), TypedText("2"), walk, Lang.ZH_HANS)
    assert progress is not None
    assert progress.product == walk.products[1].id
    _, progress = handle(at(Step.DAYS), TypedText("#2"), walk, Lang.ZH_HANS)  # "#2" is a button even where days are
    assert progress is not None
    assert (progress.days, progress.days_typed) == (walk.days[1].id, None)


# --- checklist items named in words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("«bank_statements»有了", Ticked(("bank_statements",)), id="one-item-ready"),
        pytest.param("我只有«en bank statements»", Ticked(("bank_statements",)), id="english-label"),
        pytest.param("«id_card»和«income_drop_proof»都有", Ticked(("id_card", "income_drop_proof")), id="two-items"),
        pytest.param("还没有«id_card»", Ticked((), missing=("id_card",)), id="missing-zh"),
        pytest.param("no «en id card» yet", Ticked((), missing=("id_card",)), id="missing-en"),
        pytest.param("要准备«id_card»吗", None, id="a-question"),
        pytest.param("嗯嗯 好的", None, id="no-item"),
    ],
)
def test_what_typed_text_ticks_on_a_checklist(walk: Walkthrough, text: str, expected: Ticked | None) -> None:
    assert understood(at(Step.MATERIALS, cause="income_drop"), text, walk) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "«id_card»有 «bank_statements»也有 «income_drop_proof»没有",
            Ticked(("id_card", "bank_statements"), missing=("income_drop_proof",)),
            id="each-item-its-own-word",
        ),
        pytest.param(
            "«id_card»有«bank_statements»没有",
            Ticked(("id_card",), missing=("bank_statements",)),
            id="the-word-after-each-item",
        ),
        pytest.param(
            "有«id_card»没有«bank_statements»",
            Ticked(("id_card",), missing=("bank_statements",)),
            id="the-word-before-each-item",
        ),
        pytest.param(
            "«id_card»和«bank_statements»都没有", Ticked((), missing=("id_card", "bank_statements")), id="both-missing"
        ),
        pytest.param(
            "I have my «en id_card» and «en bank_statements», no «en income_drop_proof»",
            Ticked(("id_card", "bank_statements"), missing=("income_drop_proof",)),
            id="english-per-item",
        ),
        pytest.param("我都失业了哪来«income_drop_proof»", Ticked((), missing=("income_drop_proof",)), id="rhetorical"),
        pytest.param("«id_card»算不算«income_drop_proof»", None, id="a-which-counts-question-stays-a-question"),
        pytest.param("有没有«id_card»都行吗", None, id="a-have-or-not-question"),
    ],
)
def test_each_item_named_is_read_by_the_words_beside_it(walk: Walkthrough, text: str, expected: Ticked | None) -> None:
    assert understood(at(Step.MATERIALS, cause="income_drop"), text, walk) == expected


def test_at_the_requests_a_can_you_names_a_wish_and_a_real_question_stays_one(walk: Walkthrough) -> None:
    assert understood(at(Step.REQUESTS), "想分期 利息能不能少点", walk) == Ticked(("reduce_interest", "instalments"))
    assert understood(at(Step.REQUESTS), "分期会影响征信吗", walk) is None
    assert understood(at(Step.MATERIALS), "«id_card»能不能用复印件", walk) is None  # a question at another step


@pytest.mark.parametrize(
    ("text", "option"),
    [
        pytest.param("他们同意分期了", "agreed", id="agreed-in-a-sentence"),
        pytest.param("谈好了", "agreed", id="agreed-with-a-particle"),
        pytest.param("谈好了 分24期 每月还1800左右", "agreed", id="agreed-with-the-terms"),
        pytest.param("他们不同意", "refused", id="a-denial-phrase"),
        pytest.param("还没谈好", "waiting", id="not-yet"),
        pytest.param("they didn't agree", "refused", id="english-denial"),
    ],
)
def test_the_outcome_is_read_with_its_denials(walk: Walkthrough, text: str, option: str) -> None:
    answer = understood(at(Step.RESULT), text, walk)
    assert isinstance(answer, Picked)
    assert answer.option == option


def test_an_option_only_named_after_a_not_is_not_picked(walk: Walkthrough) -> None:
    # "没同意" has no refused phrase in it when the fixture lacks "没同意": the agreed "同意" is denied, so no answer
    assert understood(at(Step.RESULT), "他们没同意", walk) is None


def test_a_word_inside_another_items_name_does_not_tick_that_item(shipped: Walkthrough) -> None:
    # "证明" is also the last part of a longer label; the income proof's own label names only the income proof
    label = next(m for m in shipped.materials if m.id == "income_proof").label.render(Lang.ZH_HANS)
    assert understood(at(Step.MATERIALS, cause="emergency"), f"{label}已经有了", shipped) == Ticked(("income_proof",))
    assert understood(at(Step.MATERIALS), "我只有工资流水", shipped) == Ticked(("bank_statements",))


# --- numbers tried in words: ranges, good and bad months, totals with their parts, numbers not read ---------------


@pytest.mark.parametrize(
    ("step", "text", "expected"),
    [
        pytest.param(Step.AMOUNT, "五六万", Number(50000, exact=False, high=60000), id="a-range-owed"),
        pytest.param(
            Step.MONTHLY, "好的时候四五千差的时候一两千", Number(1000, exact=False, high=5000), id="good-and-bad-months"
        ),
        pytest.param(
            Step.MONTHLY, "活多的时候三千 少的时候也就八百", Number(800, exact=False, high=3000), id="busy-and-quiet"
        ),
        pytest.param(Step.MONTHLY, "看情况吧好的时候一千多差的时候几百", None, id="the-bad-month-too-vague"),
        pytest.param(
            Step.MONTHLY, "好的月份能拿2000 差的月份就800左右", Number(800, exact=False, high=2000),
            id="good-and-bad-months-said-as-months",
        ),
        pytest.param(Step.DAYS, "快4个月了吧 差不多", Number(120, exact=False), id="almost-four-months"),
        pytest.param(Step.AMOUNT, "一共欠六万 每月能还一千", Number(60000, exact=False), id="owed-in-a-sentence"),
        pytest.param(Step.DAYS, "差不多5个月了吧", Number(150, exact=True), id="about-five-months"),
        pytest.param(Step.DAYS, "3个月零10天", Number(100, exact=True), id="months-and-days"),
        pytest.param(
            Step.AMOUNT,
            "6万左右 «huabei»2万多«jiebei»3万多",
            Number(60000, exact=False, parts=(("huabei", 20000), ("jiebei", 30000))),
            id="a-total-then-its-parts",
        ),
    ],
)
def test_numbers_said_loosely_are_read_for_what_the_user_can_count_on(
    walk: Walkthrough, step: Step, text: str, expected: object
) -> None:
    assert understood(at(step), text, walk) == expected


def test_a_total_far_from_its_parts_is_not_taken_for_them(walk: Walkthrough) -> None:
    assert understood(at(Step.AMOUNT), "500 «huabei»2万 «jiebei»3万", walk) is None


@pytest.mark.parametrize(
    ("step", "text"),
    [
        pytest.param(Step.DAYS, "去年10月开始的", id="a-date"),
        pytest.param(Step.AMOUNT, "六七八万吧", id="three-numerals"),
        pytest.param(Step.MONTHLY, "看情况吧好的时候一千多差的时候几百", id="the-bad-month-too-vague"),
    ],
)
def test_a_number_tried_and_not_read_gets_the_steps_own_question_again(
    walk: Walkthrough, step: Step, text: str
) -> None:
    assert tries_number(at(step), text, walk)
    replies, progress = handle(at(step), TypedText(text), walk, Lang.ZH_HANS)
    assert progress == at(step)
    key = "steps.monthly.bad_month" if step is Step.MONTHLY else "messages.not_a_number"
    assert replies[0].text == f"‹{key}›"
    assert any(c.action.startswith(f"w:o:{step.value}:") for c in replies[-1].choices)  # the step's buttons again


@pytest.mark.parametrize(
    ("step", "text"),
    [
        pytest.param(Step.DAYS, "逾期3个月会被起诉吗", id="a-question-naming-a-number"),
        pytest.param(Step.DAYS, "嗯嗯", id="no-number-tried"),
        pytest.param(Step.CAUSE, "有时候一个月就两三千", id="a-step-that-takes-no-number"),
        pytest.param(Step.DAYS, "15天", id="a-number-read"),
    ],
)
def test_what_is_no_number_tried_and_unread(walk: Walkthrough, step: Step, text: str) -> None:
    assert not tries_number(at(step), text, walk)


def test_good_and_bad_months_answer_the_monthly_step_even_when_unread(walk: Walkthrough) -> None:
    assert reads_as_answer(at(Step.MONTHLY), "看情况吧好的时候一千多差的时候几百", walk)
    assert not reads_as_answer(at(Step.DAYS), "去年10月开始的", walk)  # the knowledge base may answer it first


@pytest.mark.parametrize(
    ("step", "text", "key", "value"),
    [
        pytest.param(
            Step.MONTHLY, "好的时候四五千差的时候一两千", "steps.monthly.low_end", "‹steps.monthly.typed n=1000›",
            id="monthly",
        ),
        pytest.param(Step.AMOUNT, "五六万", "messages.low_end", "‹steps.amount.typed n=50000›", id="owed"),
    ],
)  # fmt: skip
def test_the_low_end_of_a_range_is_recorded_and_said(
    walk: Walkthrough, step: Step, text: str, key: str, value: str
) -> None:
    replies, progress = handle(at(step), TypedText(text), walk, Lang.ZH_HANS)
    assert progress is not None
    typed = progress.monthly_typed if step is Step.MONTHLY else progress.amount_typed
    assert typed == (1000 if step is Step.MONTHLY else 50000)
    assert replies[0].text == f"‹{key} value={value}›"


def test_the_shipped_products_name_the_typo_a_trial_user_typed(shipped: Walkthrough) -> None:
    answer = understood(at(Step.AMOUNT), "6万左右 花呗2万多借贝3万多", shipped)
    assert answer == Number(60000, exact=False, parts=(("huabei", 20000), ("jiebei", 30000)))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("我是打零工的收入不稳定有时候一个月就两三千", id="gig-work-in-a-story"),
        pytest.param("干兼职的 收入时多时少", id="part-time"),
        pytest.param("my pay is irregular", id="english"),
        pytest.param("送外卖的 单多的月份七八千 单少的时候两三千", id="second-trial-good-and-bad-months"),
        pytest.param("我是送外卖的 单量好的时候一个月七八千 差的时候就两三千", id="second-trial-busy-and-lean"),
        pytest.param("跑滴滴的 好的月份能挣一万 差的月份四五千", id="ride-hailing-good-and-bad-months"),
        pytest.param("做装修的 忙的时候收入还行 闲的时候几乎没有", id="busy-and-idle"),
        pytest.param("跑外卖的 收入忽高忽低", id="up-and-down"),
        pytest.param("做直播的 有的月挣得多有的月几乎没有", id="some-months"),
        pytest.param("送快递 淡季的时候工资很低", id="slow-season-not-a-pay-cut"),
    ],
)
def test_irregular_income_is_its_own_cause_not_a_sharp_drop(shipped: Walkthrough, text: str) -> None:
    """The first-user trial: gig work was offered a menu, then its opening words claimed a sharp income drop."""
    answer = understood(at(Step.CAUSE), text, shipped)
    assert isinstance(answer, Picked)
    assert answer.option == "income_unstable"
    _, progress = handle(at(Step.CAUSE), TypedText(text), shipped, Lang.ZH_HANS)
    assert progress is not None
    assert progress.cause == "income_unstable"


# --- moves said in words, rough spans, corrections (the regression trial) -----------------------------------------


@pytest.mark.parametrize(
    ("step", "text", "where"),
    [
        pytest.param(Step.TERMS, "返回上一步", Step.RESULT, id="back-at-the-terms"),
        pytest.param(Step.DAYS, "返回", Step.PRODUCT, id="back-at-the-days"),
        pytest.param(Step.AMOUNT, "不对，我写错了", Step.DAYS, id="wrote-it-wrong-at-the-amount"),
        pytest.param(Step.CAUSE, "Go back", Step.AMOUNT, id="go-back-in-english"),
        pytest.param(Step.MATERIALS, "返回", Step.CAUSE, id="back-at-a-checklist"),
        pytest.param(Step.CONTACT, "返回", Step.MONTHLY, id="back-at-a-screen-that-reads-no-text"),
        pytest.param(Step.DAYS, "跳过这个", Step.AMOUNT, id="skip"),
        pytest.param(Step.DAYS, "‹buttons.skip›", Step.AMOUNT, id="the-skip-buttons-label"),
    ],
)
def test_a_move_said_in_words_at_any_step_is_that_move_and_no_answer(
    walk: Walkthrough, step: Step, text: str, where: Step
) -> None:
    before = at(step, result="agreed")
    assert reads_as_answer(before, text, walk)  # the engine gives it to the walkthrough, not the knowledge base
    _, progress = handle(before, TypedText(text), walk, Lang.ZH_HANS)
    assert progress is not None
    assert progress.step is where
    assert progress.terms is None
    assert (progress.days, progress.days_typed, progress.amount) == (None, None, None)


def test_cancel_and_restart_said_in_words_ask_first(walk: Walkthrough) -> None:
    before = at(Step.AMOUNT, product="jiebei")
    replies, progress = handle(before, TypedText("不弄了"), walk, Lang.ZH_HANS)
    assert (progress, replies[0].text) == (replace(before, leaving=True), "‹messages.cancel_confirm›")  # kept, asked
    replies, progress = handle(before, TypedText("重新来"), walk, Lang.ZH_HANS)
    assert progress == before
    assert {c.action for c in replies[0].choices} == {"w:resume", "w:restart"}


def test_a_move_inside_a_sentence_is_no_move(walk: Walkthrough) -> None:
    before = at(Step.TERMS, result="agreed")
    _, progress = handle(before, TypedText("说好了先返回一部分利息 每月还1000"), walk, Lang.ZH_HANS)
    assert progress is not None
    assert progress.terms == "说好了先返回一部分利息 每月还1000"


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        pytest.param("大半年了", 210, id="most-of-a-year"),
        pytest.param("两个多月", 70, id="two-months-and-more"),
        pytest.param("一个多礼拜", 10, id="a-week-and-more"),
    ],
)
def test_a_rough_span_of_days_is_asked_about_before_it_is_recorded(walk: Walkthrough, text: str, guess: int) -> None:
    replies, progress = handle(at(Step.DAYS), TypedText(text), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.step, progress.days, progress.days_typed, progress.asked) == (Step.DAYS, None, None, guess)
    (question,) = replies
    assert question.text == f"‹messages.estimate_check value=‹steps.days.typed n={guess}››"
    assert question.choices[0].action == f"w:n:days:{guess}"  # one tap confirms; the ranges follow
    assert any(c.action == "w:o:days:d1_30" for c in question.choices)
    replies, confirmed = handle(progress, TypedText("对"), walk, Lang.ZH_HANS)  # yes, typed
    assert confirmed is not None
    assert (confirmed.step, confirmed.days_typed) == (Step.AMOUNT, guess)
    assert replies[0].text == f"‹messages.noted value=‹steps.days.typed n={guess}››"


def test_a_rough_span_said_again_is_recorded_and_yes_means_nothing_when_nothing_was_asked(walk: Walkthrough) -> None:
    _, asked = handle(at(Step.DAYS), TypedText("十来天"), walk, Lang.ZH_HANS)
    _, again = handle(asked, TypedText("十来天"), walk, Lang.ZH_HANS)
    assert again is not None
    assert (again.step, again.days_typed) == (Step.AMOUNT, 12)
    assert not reads_as_answer(at(Step.DAYS), "对", walk)


def test_almost_a_span_is_recorded_and_said_as_understood(walk: Walkthrough) -> None:
    replies, progress = handle(at(Step.DAYS), TypedText("快一年了"), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.step, progress.days_typed) == (Step.AMOUNT, 365)
    assert replies[0].text == "‹messages.understood value=‹steps.days.typed n=365››"  # with how to change it


@pytest.mark.parametrize(
    ("step", "text", "days", "amount"),
    [
        pytest.param(Step.CAUSE, "不对 是3个月", 90, 8000, id="days-at-the-cause"),
        pytest.param(Step.CONTACT, "不对，是两个多月", 70, 8000, id="days-at-a-screen-that-reads-no-text"),
        pytest.param(Step.MONTHLY, "刚才说错了 欠的是5万", 20, 50000, id="amount-owed-at-the-monthly"),
        pytest.param(Step.CAUSE, "不对 是5万", 20, 50000, id="amount-before-the-monthly"),
        pytest.param(Step.TERMS, "actually it's 3 months", 90, 8000, id="days-in-english-at-the-terms"),
    ],
)
def test_an_earlier_answer_corrected_at_a_later_step_is_corrected_and_the_step_stays(
    walk: Walkthrough, step: Step, text: str, days: int, amount: int
) -> None:
    before = at(step, result="agreed", days="d1_30", days_typed=20, amount="k1_plus", amount_typed=8000)
    replies, progress = handle(before, TypedText(text), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.step, progress.days_typed, progress.amount_typed) == (step, days, amount)
    assert (progress.monthly_typed, progress.terms) == (None, None)
    assert replies[0].text.startswith("‹messages.corrected value=‹summary.")
    assert f"‹steps.{step.value}.prompt" in replies[-1].text


@pytest.mark.parametrize(
    ("step", "text"),
    [
        pytest.param(Step.MONTHLY, "不对 是2000", id="an-amount-at-the-monthly-is-its-answer"),
        pytest.param(Step.TERMS, "不对 每月还2800 分12期", id="terms-that-start-with-a-correction"),
        pytest.param(Step.PRODUCT, "不对 是3个月", id="days-not-yet-reached"),
    ],
)
def test_a_correction_that_is_no_earlier_answer_corrects_nothing(walk: Walkthrough, step: Step, text: str) -> None:
    before = at(step, result="agreed", days="d1_30", days_typed=20, amount="k1_plus", amount_typed=8000)
    _, progress = handle(before, TypedText(text), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.days_typed, progress.amount_typed) == (20, 8000)


def test_a_correction_at_the_step_it_is_for_is_that_steps_answer(walk: Walkthrough) -> None:
    _, progress = handle(at(Step.DAYS), TypedText("不对 是3个月"), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.step, progress.days_typed) == (Step.AMOUNT, 90)


@pytest.mark.parametrize(
    ("step", "text"),
    [
        pytest.param(Step.TERMS, "返回上一步", id="back-at-the-terms"),
        pytest.param(Step.DAYS, "我写错了", id="wrote-it-wrong"),
        pytest.param(Step.DAYS, "回去", id="go-back"),
        pytest.param(Step.DAYS, "退回", id="back-out"),
        pytest.param(Step.DAYS, "undo", id="undo"),
    ],
)
def test_the_shipped_words_say_the_moves_trial_users_typed(shipped: Walkthrough, step: Step, text: str) -> None:
    _, progress = handle(at(step, result="agreed"), TypedText(text), shipped, Lang.ZH_HANS)
    assert progress is not None
    assert progress.step is not step
    assert progress.terms is None


@pytest.mark.parametrize("text", ["大概吧", "一半一半", "看情况"])
def test_the_shipped_words_hear_no_answer_where_trial_users_gave_none(shipped: Walkthrough, text: str) -> None:
    assert understood(at(Step.DAYS), text, shipped) == Unsure(vague=True)


# --- the first-user trial's leftovers: a mixed result, days said beside their context -------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("«jiebei»同意分12期了 «huabei»还没谈好", id="one-agreed-the-other-not-yet"),
        pytest.param("«huabei»不同意 «jiebei»谈好了", id="one-refused-the-other-agreed"),
        pytest.param("一半一半吧 «jiebei»谈好了", id="half-of-it-agreed"),
    ],
)
def test_a_result_telling_of_more_than_one_outcome_is_not_noted_as_agreed(walk: Walkthrough, text: str) -> None:
    before = at(Step.RESULT, product="both")
    assert reads_as_answer(before, text, walk)  # the walkthrough asks which, not the knowledge base
    replies, progress = handle(before, TypedText(text), walk, Lang.ZH_HANS)
    assert progress == before  # nothing recorded
    assert replies[0].text == "‹steps.result.mixed›"
    assert {c.action for c in replies[-1].choices} >= {"w:o:result:agreed", "w:o:result:waiting"}


def test_one_outcome_in_a_sentence_is_still_noted(walk: Walkthrough) -> None:
    _, progress = handle(at(Step.RESULT), TypedText("他们同意分期了 «jiebei»12期"), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.result, progress.step) == ("agreed", Step.TERMS)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        pytest.param("两个月了吧 工作也丢了", 60, id="days-then-what-happened"),
        pytest.param("工作丢了，逾期20天了", 20, id="what-happened-then-days"),
    ],
)
def test_days_said_beside_their_context_are_read_as_understood(walk: Walkthrough, text: str, days: int) -> None:
    replies, progress = handle(at(Step.DAYS), TypedText(text), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.step, progress.days_typed) == (Step.AMOUNT, days)
    assert replies[0].text == f"‹messages.understood value=‹steps.days.typed n={days}››"  # with how to change it


def test_two_clauses_each_trying_days_are_asked_again(walk: Walkthrough) -> None:
    replies, progress = handle(at(Step.DAYS), TypedText("两个月了 又过了10天"), walk, Lang.ZH_HANS)
    assert progress == at(Step.DAYS)
    assert replies[0].text == "‹messages.not_a_number›"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("暂停一下 我先去吃饭", id="pause-and-why"),
        pytest.param("暂停，去接孩子", id="pause-and-why-after-a-comma"),
        pytest.param("暂停一下我先去吃饭", id="pause-and-why-with-no-space"),
        pytest.param("暂停我去接孩子", id="pause-then-who-goes"),
        pytest.param("暂停下去做饭", id="pause-then-going-off"),
        pytest.param("等一下暂停一下我有事", id="a-filler-first"),
        pytest.param("‹buttons.pause›", id="the-pause-buttons-label"),
    ],
)
def test_a_pause_said_first_keeps_every_answer_and_says_how_to_come_back(walk: Walkthrough, text: str) -> None:
    before = at(Step.AMOUNT, product="jiebei", days="d1_30")
    assert reads_as_answer(before, text, walk)
    replies, progress = handle(before, TypedText(text), walk, Lang.ZH_HANS)
    assert progress == replace(before, paused=True)
    assert [r.text for r in replies] == ["‹messages.paused›"]


@pytest.mark.parametrize(
    "terms",
    [
        pytest.param("暂停还款三个月 之后每月还1000", id="with-a-space"),
        pytest.param("暂停还款半年利息照算", id="with-no-space"),
        pytest.param("暂停三个月，然后每月还800", id="a-span-after-the-word"),
    ],
)
def test_a_pause_word_inside_a_sentence_or_a_question_is_no_pause(walk: Walkthrough, terms: str) -> None:
    before = at(Step.TERMS, result="agreed")
    assert not reads_as_answer(at(Step.DAYS), "暂停还款会怎样", walk)
    _, progress = handle(before, TypedText(terms), walk, Lang.ZH_HANS)
    assert progress is not None
    assert (progress.paused, progress.terms) == (False, terms)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("我回来了", id="back-again"),
        pytest.param("我回来了 继续吧", id="back-again-and-why"),
        pytest.param("我回来了继续吧", id="back-again-and-why-with-no-space"),
        pytest.param("I'm back, let's go on", id="back-again-in-english-and-why"),
        pytest.param("I'm back", id="back-again-in-english"),
        pytest.param("‹buttons.resume›", id="the-continue-buttons-label"),
    ],
)
def test_coming_back_in_words_resumes_a_paused_walkthrough(walk: Walkthrough, text: str) -> None:
    paused = at(Step.AMOUNT, product="jiebei", paused=True)
    assert reads_as_answer(paused, text, walk)  # the walkthrough, not a knowledge card
    replies, progress = handle(paused, TypedText(text), walk, Lang.ZH_HANS)
    assert progress == replace(paused, paused=False)
    assert any(c.action.startswith("w:o:amount:") for c in replies[-1].choices)  # the step it was paused at


def test_other_moves_said_while_paused_are_questions(walk: Walkthrough) -> None:
    assert not reads_as_answer(at(Step.AMOUNT, paused=True), "返回", walk)


# --- an option's label as a Traditional button shows it, typed ------------------------------------------------------

_TAIWAN_WORDED = Option(
    "chat", Text("在线服务", "Chat", derived={"zh-hant": "線上服務", "zh-hk": "網上服務"}), also=("文字",)
)
_PLAIN = Option("call", Text("电话服务", "Call"))


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("線上服務", id="taiwan-label"),
        pytest.param("網上服務", id="hong-kong-label"),
        pytest.param("在線服務", id="simplified-label-in-traditional-script"),
        pytest.param("在线服务", id="simplified-label"),
    ],
)
def test_a_label_typed_as_any_script_shows_it_picks_its_option(typed: str) -> None:
    assert read(typed, [_TAIWAN_WORDED, _PLAIN]) == Picked("chat", exact=True)


def test_an_illness_is_said_as_an_illness_in_the_opening_words(shipped: Walkthrough) -> None:
    """The opening words say the reason of the cause the user gave: an illness is no education expense."""
    (ill, other) = (next(c for c in shipped.causes if c.id == cause) for cause in ("illness", "emergency"))
    (shown,) = current_prompt(at(Step.CONTACT, cause="illness"), shipped, Lang.ZH_HANS)
    assert ill.reason.render(Lang.ZH_HANS) in shown.text
    assert other.reason.render(Lang.ZH_HANS) not in shown.text
