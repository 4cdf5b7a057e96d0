"""/plan answers that belong elsewhere (first-user trial, plan13): the answer just given taken back ("不对 是一万五",
"不对" alone), an amount for another question's subject, 0 of spending checked once, a button's label typed.

Logic runs on fixture texts (each text is its own key, tests/kbfactory.py); the sentences are this file's own.
"""

from __future__ import annotations

import pytest

from bot.core import planchat
from bot.core.i18n import Lang
from bot.core.plan import Field, Inputs
from bot.core.planchat import PlanState, Start, Typed
from bot.core.plancorrect import TakenBack, just_taken_back, other_subject
from bot.core.plantexts import PlanTexts, load_plan_texts
from bot.core.replies import Reply
from tests.kbfactory import plan_yaml, write_plan_texts

ZH = Lang.ZH_HANS


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> PlanTexts:
    data = plan_yaml()
    data["buttons"]["skip"] = {"zh-hans": "跳过", "en": "Skip"}  # a label with a Traditional form to type
    return load_plan_texts(write_plan_texts(tmp_path_factory.mktemp("plan"), data))


def typed(texts: PlanTexts, *said: str) -> tuple[list[Reply], PlanState]:
    replies, state = planchat.step(None, Start(), texts, ZH)
    for text in said:
        replies, state = planchat.step(state, Typed(text), texts, ZH)
        assert state is not None
        assert PlanState.from_dict(state.to_dict()) == state
    assert state is not None
    return replies, state


def test_a_correction_with_an_amount_right_after_an_answer_corrects_that_answer(texts: PlanTexts) -> None:
    replies, state = typed(texts, "大概5OOO吧", "不对 是一万五")
    assert (state.asking, state.inputs) == (Field.INCOME, Inputs(owed=15_000))
    assert replies[-1].text == "messages.corrected item=items.owed amount=15,000\n\nquestions.income"


def test_a_bare_correction_asks_the_previous_question_again(texts: PlanTexts) -> None:
    replies, state = typed(texts, "30000", "两万", "不对")
    assert state.asking is Field.INCOME
    assert replies[-1].text == "messages.ask_again item=items.income\n\nquestions.income"
    _, state = typed(texts, "30000", "两万", "不对", "1万")
    assert (state.asking, state.inputs) == (Field.SPENDING, Inputs(owed=30_000, income=10_000))


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        pytest.param("打错了 15000", TakenBack(Field.INCOME, 15_000), id="typed-wrong"),
        pytest.param("no, I mean 15000", TakenBack(Field.INCOME, 15_000), id="english"),
        pytest.param("不对", TakenBack(Field.INCOME, None), id="bare"),
        pytest.param("应该是3000", None, id="a-first-answer-not-a-correction"),
        pytest.param("不对 收入是5000", None, id="a-question-named-is-the-other-rule"),
        pytest.param("3000", None, id="no-correction-word"),
    ],
)
def test_what_takes_back_the_answer_just_given(text: str, taken: TakenBack | None) -> None:
    assert just_taken_back(Field.SPENDING, text) == taken


def test_nothing_is_taken_back_at_the_first_question() -> None:
    assert just_taken_back(Field.OWED, "不对 5000") is None


def test_spending_typed_at_the_income_question_is_not_filed_as_income(texts: PlanTexts) -> None:
    replies, state = typed(texts, "30000", "房租加生活費大概兩萬五")
    assert (state.asking, state.inputs) == (Field.INCOME, Inputs(owed=30_000))
    assert replies[-1].text == "messages.other_subject item=items.spending\n\nquestions.income"


@pytest.mark.parametrize(
    ("asking", "text", "named"),
    [
        pytest.param(Field.INCOME, "欠了一万", Field.OWED, id="debt-at-income"),
        pytest.param(Field.SPENDING, "工资5000", Field.INCOME, id="income-at-spending"),
        pytest.param(Field.INCOME, "工资5000", None, id="its-own-subject"),
        pytest.param(Field.INCOME, "失业金1800", None, id="no-subject"),
        pytest.param(Field.INCOME, "工资5000 房租2000", None, id="two-subjects"),
        pytest.param(Field.OTHER, "别的欠款每月800", None, id="not-checked-at-other-debts"),
    ],
)
def test_which_other_subject_a_sentence_names(asking: Field, text: str, named: Field | None) -> None:
    assert other_subject(asking, text) == named


def test_no_spending_is_asked_once_more_before_it_is_used(texts: PlanTexts) -> None:
    replies, state = typed(texts, "30000", "8000", "0")
    assert (state.asking, state.inputs.spending) == (Field.SPENDING, 0)
    assert replies[-1].text == "messages.zero_spending\n\nquestions.spending"
    _, state = typed(texts, "30000", "8000", "0", "0")
    assert (state.asking, state.inputs.spending) == (Field.OTHER, 0)
    _, state = typed(texts, "30000", "8000", "0", "2500")
    assert (state.asking, state.inputs.spending) == (Field.OTHER, 2500)


@pytest.mark.parametrize("label", ["跳过", "跳過", "Skip", "skip"])
def test_a_typed_skip_label_skips_as_the_button(texts: PlanTexts, label: str) -> None:
    replies, state = typed(texts, "30000", label)
    assert (state.asking, state.inputs) == (Field.SPENDING, Inputs(owed=30_000))
    assert replies[-1].text == "questions.spending"


def test_a_typed_stop_label_stops(texts: PlanTexts) -> None:
    replies, state = planchat.step(typed(texts, "30000")[1], Typed("buttons.stop"), texts, ZH)
    assert state is None
    assert replies[-1].text == "messages.stopped"


@pytest.mark.parametrize(
    ("text", "spending", "low", "high"),
    [
        pytest.param("一千多", 2000, "1,000", "2,000", id="thousand-odd"),
        pytest.param("三萬幾", 40_000, "30,000", "40,000", id="traditional-ten-thousand-odd"),
        pytest.param("一万二千多块", 13_000, "12,000", "13,000", id="last-unit-counts"),
    ],
)
def test_an_odd_amount_counts_high_where_a_range_does(texts: PlanTexts, text: str, spending: int, low: str,
                                                      high: str) -> None:  # fmt: skip
    replies, state = typed(texts, "30000", "8000", text)
    assert (state.asking, state.inputs.spending) == (Field.OTHER, spending)
    assert replies[0].text == f"messages.range_high amount={high} low={low} high={high}"


def test_an_odd_income_keeps_its_low_end(texts: PlanTexts) -> None:
    _, state = typed(texts, "30000", "三千多")
    assert state.inputs.income == 3000
