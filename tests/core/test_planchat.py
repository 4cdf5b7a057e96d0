"""The /plan conversation on fixture texts (each text is its own key): questions, skips, kind questions, results."""

from __future__ import annotations

from typing import Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import planchat
from bot.core.i18n import Lang
from bot.core.plan import Field, Inputs, schedule
from bot.core.planchat import PlanState, Press, Start, Stop, Typed, Unknown
from bot.core.plantexts import PlanTexts, load_plan_texts
from bot.core.replies import Reply
from bot.errors import StateError
from tests.kbfactory import write_plan_texts
from tests.transcript import Seen

ZH = Lang.ZH_HANS


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> PlanTexts:
    return load_plan_texts(write_plan_texts(tmp_path_factory.mktemp("plan")))


class Calculator(Seen):
    """One user going through /plan; `state` is what the engine would store."""

    def __init__(self, texts: PlanTexts, lang: Lang = ZH) -> None:
        self.texts = texts
        self.lang = lang
        self.state: PlanState | None = None
        self.replies: list[Reply] = []

    def send(self, event: planchat.Event) -> Calculator:
        self.replies, self.state = planchat.step(self.state, event, self.texts, self.lang)
        if self.state is not None:  # what is stored reads back the same
            assert PlanState.from_dict(self.state.to_dict()) == self.state
        return self

    def start(self, owed: int | None = None) -> Calculator:
        return self.send(Start(owed))

    def types(self, *texts: str) -> Calculator:
        for text in texts:
            self.send(Typed(text))
        return self

    def press(self, action: str) -> Calculator:
        return self.send(Press(action))

    @property
    def asking(self) -> Field | None:
        assert self.state is not None
        return self.state.asking

    @property
    def inputs(self) -> Inputs:
        assert self.state is not None
        return self.state.inputs


def test_plan_starts_with_the_first_question_and_its_buttons(texts: PlanTexts) -> None:
    user = Calculator(texts).start()
    assert [reply.text for reply in user.replies] == ["messages.intro", "questions.owed"]
    assert user.actions == ["p:skip:owed", "p:stop"]
    assert user.asking is Field.OWED


def test_an_amount_from_the_walkthrough_is_offered_to_keep(texts: PlanTexts) -> None:
    user = Calculator(texts).start(owed=30_000)
    assert user.replies[-1].text == "questions.owed_known amount=30,000"
    assert user.actions == ["p:keep:owed", "p:skip:owed", "p:stop"]
    user.press("p:keep:owed")
    assert user.asking is Field.INCOME
    assert user.inputs.owed == 30_000


def test_typing_over_the_walkthrough_amount_replaces_it(texts: PlanTexts) -> None:
    user = Calculator(texts).start(owed=30_000).types("2万")
    assert user.inputs.owed == 20_000


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        pytest.param("5000-3000", "problems.range", id="a-range-backwards"),
        pytest.param("不知道", "problems.not_a_number", id="words"),
        pytest.param("-200", "problems.negative", id="negative"),
        pytest.param("999亿", "problems.too_large", id="too-large"),
    ],
)
def test_an_unreadable_amount_gets_a_kind_question_and_loses_nothing(texts: PlanTexts, typed: str, problem: str):
    user = Calculator(texts).start().types("3万", "8000")
    before = user.state
    user.types(typed)
    assert user.state == before
    assert user.text == f"{problem}\n\nquestions.spending"
    assert user.actions == ["p:skip:spending", "p:stop"]


@pytest.mark.parametrize(
    ("typed", "income"),
    [
        pytest.param("失业金1800", 1_800, id="an-amount-with-what-it-is"),
        pytest.param("现在没收入 失业金1800", 1_800, id="the-one-amount-in-a-sentence"),
        pytest.param("没有收入", 0, id="no-income-is-zero"),
    ],
)
def test_a_jobless_user_can_say_their_income(texts: PlanTexts, typed: str, income: int) -> None:
    user = Calculator(texts).start().types("3万", typed)
    assert user.inputs.income == income
    assert user.asking is Field.SPENDING


def test_five_answers_give_the_result_with_a_chart(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("3万1千", "8k", "五千", "500", "")
    assert user.asking is Field.PROPOSAL  # an empty answer is asked again
    user.press("p:skip:proposal")

    assert user.asking is None
    assert user.inputs == Inputs(owed=31_000, income=8_000, spending=5_000, other=500)
    [result] = user.replies
    assert result.title == "result.title"
    assert "result.surplus amount=2,500" in result.text
    assert "result.schedule_last months=12 amount=2,500 last=1,000 last_month=13 total_months=13" in result.text
    assert "verdicts.fits months=13" in result.text
    assert "result.no_interest" in result.text
    assert user.actions == ["p:again"]
    assert result.chart is not None
    assert result.chart.instalments == schedule(31_000, 2_500).instalments
    assert result.chart.title == "chart.title"


def test_a_proposal_above_the_surplus_is_warned_about_with_what_to_ask_instead(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("30000", "8000", "5000", "500", "4000")
    [result] = user.replies
    assert "verdicts.too_high proposal=4,000 surplus=2,500" in result.text
    assert "verdicts.instead amount=2,500 months=12" in result.text
    assert "result.schedule_even months=12 amount=2,500" in result.text
    assert result.chart is not None
    assert result.chart.instalments == (2_500,) * 12  # the plan to ask for is the one drawn


def test_a_proposal_with_no_surplus_at_all_says_there_is_none_not_a_negative_surplus(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("30000", "5000", "6500", "0", "1500")
    [result] = user.replies
    assert "verdicts.too_high_no_surplus proposal=1,500" in result.text
    assert "surplus=-" not in result.text
    assert "verdicts.no_room" in result.text


def test_no_surplus_is_met_kindly_with_no_schedule(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("30000", "5000", "4500", "1000").press("p:skip:proposal")
    [result] = user.replies
    assert "verdicts.no_surplus amount=-500" in result.text
    assert "result.no_interest" not in result.text
    assert "schedule" not in result.text
    assert result.chart is None


def test_three_instalments_or_fewer_need_no_chart(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("9000", "5000", "2000", "0").press("p:skip:proposal")
    assert "result.schedule_even months=3 amount=3,000" in user.text
    assert user.replies[-1].chart is None


def test_skipping_everything_says_what_is_missing(texts: PlanTexts) -> None:
    user = Calculator(texts).start()
    for field in Field:
        user.press(f"p:skip:{field.value}")
    assert user.asking is None
    assert "verdicts.need_owed" in user.text
    assert "result.skipped" in user.text
    assert "result.no_interest" not in user.text  # no schedule, nothing computed without interest


def test_skipped_expenses_are_counted_as_zero_and_said_so(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("20000", "6000").press("p:skip:spending").press("p:skip:other")
    user.press("p:skip:proposal")
    assert "result.counted_as_zero items=result.item_spendingresult.list_separatorresult.item_other" in user.text


def test_a_long_plan_says_how_many_years(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("100000", "3000", "2800", "0").press("p:skip:proposal")
    assert "result.long months=500 years=41.7" in user.text
    assert "verdicts.fits" not in user.text  # a 41-year plan is not one to propose as it is
    assert user.replies[-1].chart is None  # 500 bars would be hairlines


def test_a_proposal_of_nothing_is_asked_again(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("20000", "6000", "3000", "0", "0")
    assert user.asking is Field.PROPOSAL
    assert user.text.startswith("messages.zero_proposal")


def test_a_button_of_another_question_is_stale_and_changes_nothing(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("20000")
    before = user.state
    user.press("p:skip:owed")
    assert user.state == before
    assert user.text == "messages.stale\nquestions.income"


def test_stop_forgets_the_answers(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("20000").send(Stop())
    assert user.state is None
    assert user.text == "messages.stopped"


def test_calculate_again_starts_with_the_last_amount_owed(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("20000", "6000", "3000", "0").press("p:skip:proposal")
    user.press("p:again")
    assert user.asking is Field.OWED
    assert user.inputs == Inputs(owed=20_000)
    assert "p:keep:owed" in user.actions


def test_the_latest_result_stays_the_plan_while_a_new_one_is_worked_out_or_stopped(texts: PlanTexts) -> None:
    first = Inputs(owed=20_000, income=6_000, spending=3_000, other=0)
    user = Calculator(texts).start().types("20000", "6000", "3000", "0").press("p:skip:proposal")
    assert user.state is not None
    assert user.state.result == first

    user.press("p:again").types("30000")  # a new calculation under way: the result shown is still the first
    assert user.state is not None
    assert user.state.result == first
    user.send(Stop())
    assert user.state == PlanState(None, first), "stopping the new one leaves the last result"

    user.start().types("50000", "9000", "3000", "0").press("p:skip:proposal")
    assert user.state is not None
    assert user.state.result == Inputs(owed=50_000, income=9_000, spending=3_000, other=0)
    assert user.state.earlier is None


def test_a_state_stored_before_the_earlier_result_was_kept_still_reads(texts: PlanTexts) -> None:
    stored = PlanState(None, Inputs(owed=20_000)).to_dict()
    del stored["earlier"]
    assert PlanState.from_dict(stored) == PlanState(None, Inputs(owed=20_000))
    stored["earlier"] = {"owed": -5}  # garbled: refused, with the place named
    with pytest.raises(StateError, match=r"^saved /plan calculation: earlier\.owed: expected `int` >= 0$"):
        PlanState.from_dict(stored)


def test_english_texts_are_used_in_english(texts: PlanTexts) -> None:
    user = Calculator(texts, Lang.EN).start()
    assert user.replies[-1].text == "EN questions.owed"


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        pytest.param("3万", True, id="amount"),
        pytest.param("不知道", True, id="short-words-get-a-kind-question"),
        pytest.param("逾期了征信会受影响吗", False, id="question-mark-word"),
        pytest.param("how long will it take?", False, id="english-question"),
        pytest.param("工资五千多但房租两千", True, id="short-story-gets-asked-for-one-number"),
        pytest.param(
            "我每个月工资到手大概五千多，但是房租就要两千，还有孩子上学的钱，家里老人看病也要花钱",
            False,
            id="long-story-is-a-side-question",
        ),
    ],
)
def test_what_reads_as_an_answer(text: str, answer: bool) -> None:
    assert planchat.reads_as_answer(PlanState(Field.INCOME), text) is answer


def test_nothing_reads_as_an_answer_when_no_question_is_open() -> None:
    assert not planchat.reads_as_answer(None, "3万")
    assert not planchat.reads_as_answer(PlanState(None, Inputs(owed=1)), "3万")


def test_no_stored_state_reads_as_none() -> None:
    assert PlanState.from_dict(None) is None


@pytest.mark.parametrize(
    ("stored", "where"),
    [
        pytest.param([], "expected a mapping, found a list", id="a-list"),
        pytest.param({"asking": "owed"}, "version: missing", id="no-version"),
        pytest.param({"version": 99, "asking": "owed"}, "version: not one of the values allowed there", id="newer"),
        pytest.param({"version": 1, "asking": "salary"}, "asking: not one of the values allowed there", id="asking"),
        pytest.param({"version": 1, "asking": "owed", "owed": -5}, "owed: expected `int` >= 0", id="negative"),
        pytest.param({"version": 1, "asking": "owed", "owed": True}, "owed: expected a whole number or nothing",
                     id="a-bool"),
        pytest.param({"version": 1, "asking": "owed", "income": "5000"}, "income: expected a whole number or nothing",
                     id="text"),
        pytest.param({"version": 1, "salary": 5000}, "salary: not a key this version has", id="an-unknown-key"),
    ],
)  # fmt: skip
def test_a_garbled_stored_state_is_refused_with_the_place(stored: object, where: str) -> None:
    with pytest.raises(StateError) as refused:
        PlanState.from_dict(stored)
    assert str(refused.value).startswith(f"saved /plan calculation: {where}")


actions = st.sampled_from(
    ["p:stop", "p:again", "p:resume", "p:keep:owed", "p:bogus", "p:skip:x", *(f"p:skip:{f.value}" for f in Field)]
)
events = st.one_of(
    st.builds(Start, st.none() | st.integers(0, 10**9)),
    st.builds(Typed, st.text(max_size=20)),
    st.builds(Press, actions | st.text(max_size=12)),
    st.just(Stop()),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(events, max_size=12))
def test_any_sequence_of_events_gets_replies_and_a_storable_state(texts: PlanTexts, sequence) -> None:
    user = Calculator(texts)
    for event in sequence:
        user.send(event)
        assert user.replies


def test_plan_again_while_unfinished_goes_on_where_it_stopped(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("20000", "6000")
    user.start(owed=50_000)
    assert user.asking is Field.SPENDING
    assert user.inputs == Inputs(owed=20_000, income=6_000)
    assert user.text == "messages.resumed\n\nquestions.spending"


def test_a_paused_plan_takes_no_typed_answers_until_resumed(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("20000")
    user.state = planchat.paused(user.state)
    assert not planchat.asking(user.state)
    assert not planchat.reads_as_answer(user.state, "6000")
    assert planchat.continue_choice(user.state, texts, ZH) is None
    user.press("p:resume")
    assert planchat.asking(user.state)
    assert user.text == "questions.income"


def test_dont_know_skips_the_open_question(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("30000")
    user.send(Unknown())
    assert user.state is not None
    assert user.state.asking is Field.SPENDING  # income skipped, the next question asked
    assert user.state.inputs.income is None


@pytest.mark.parametrize(
    ("typed", "income", "high"),
    [
        pytest.param("好的时候四五千差的时候一两千", 1_000, "5,000", id="good-and-bad-months"),
        pytest.param("有时候三千 有时候一千五", 1_500, "3,000", id="sometimes"),
        pytest.param("旺季八千 淡季两千", 2_000, "8,000", id="busy-and-slow-season"),
        pytest.param("好的月份能拿2000 差的月份就800左右", 800, "2,000", id="good-and-bad-months-said-as-months"),
    ],
)
def test_an_income_that_varies_counts_at_its_low_end_and_says_so(
    texts: PlanTexts, typed: str, income: int, high: str
) -> None:
    user = Calculator(texts).start().types("3万", typed)
    assert user.inputs.income == income
    assert user.asking is Field.SPENDING
    assert user.replies[0].text == f"messages.low_end amount={income:,} high={high}"


def test_good_and_bad_months_with_the_bad_one_too_vague_ask_for_the_bad_month(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("3万")
    before = user.state
    user.types("看情况吧好的时候一千多差的时候几百")
    assert user.state == before  # never the good month's 1,000
    assert user.text == "problems.bad_month\n\nquestions.income"
    user.types("差的时候也就六七百")
    assert user.inputs.income == 600


#: The answers before each question, so that a test can type its range at that question.
_BEFORE: Final = {
    Field.OWED: (),
    Field.INCOME: ("3万",),
    Field.SPENDING: ("3万", "8000"),
    Field.OTHER: ("3万", "8000", "2000"),
    Field.PROPOSAL: ("3万", "8000", "2000", "0"),
}


@pytest.mark.parametrize(
    ("asking", "typed", "counted", "said"),
    [
        pytest.param(Field.OWED, "三四万", 40_000, "range_high", id="owed-in-numerals-counts-high"),
        pytest.param(Field.INCOME, "3000到4000", 3_000, "range_low", id="income-counts-low"),
        pytest.param(Field.INCOME, "两三千吧", 2_000, "range_low", id="income-in-numerals"),
        pytest.param(Field.INCOME, "between 3000 and 4000", 3_000, "range_low", id="income-in-english"),
        pytest.param(Field.SPENDING, "3000-4000", 4_000, "range_high", id="spending-counts-high"),
        pytest.param(Field.SPENDING, "一千五到两千", 2_000, "range_high", id="spending-as-two-amounts"),
        pytest.param(Field.SPENDING, "好的时候两千 差的时候三千", 3_000, "range_high", id="spending-that-varies"),
        pytest.param(Field.OTHER, "三到五百", 500, "range_high", id="other-debts-count-high"),
        pytest.param(Field.PROPOSAL, "1000 to 1500", 1_000, "range_low", id="the-offer-counts-low"),
    ],
)
def test_a_range_counts_at_its_cautious_end_and_says_which(
    texts: PlanTexts, asking: Field, typed: str, counted: int, said: str
) -> None:
    user = Calculator(texts).start().types(*_BEFORE[asking])
    assert user.asking is asking
    user.types(typed)
    assert getattr(user.inputs, asking.value) == counted
    assert user.asking is not asking  # the next question, or the result
    assert user.text.startswith(f"messages.{said}")


def test_the_range_said_names_both_ends_and_the_amount_counted(texts: PlanTexts) -> None:
    user = Calculator(texts, Lang.EN).start().types("30000", "8000", "3000到4000")
    said = user.replies[0].text
    assert said == texts.say("messages.range_high", Lang.EN, amount="4,000", low="3,000", high="4,000")


@pytest.mark.parametrize(
    ("asking", "typed", "amount", "said"),
    [
        pytest.param(
            Field.SPENDING, "房租800 吃饭1000 电瓶车充电加话费200左右", 2_000, "800 + 1,000 + 200",
            id="second-trial-spending-in-parts",
        ),
        pytest.param(Field.SPENDING, "房租1500，水电200，吃饭一千五", 3_200, "1,500 + 200 + 1,500", id="numerals-too"),
        pytest.param(Field.OTHER, "信用卡每月500 网贷300", 800, "500 + 300", id="other-debts-in-parts"),
    ],
)  # fmt: skip
def test_spending_listed_in_parts_is_added_up_and_the_sum_said(
    texts: PlanTexts, asking: Field, typed: str, amount: int, said: str
) -> None:
    user = Calculator(texts).start().types("3万", "6000")
    if asking is Field.OTHER:
        user.types("3000")
    assert user.asking is asking
    user.types(typed)
    assert getattr(user.inputs, asking.value) == amount
    assert user.replies[0].text == f"messages.added_up parts={said} total={amount:,}"


def test_spending_listed_with_its_own_total_counts_that_total(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("3万", "6000", "房租800 吃饭1000 一共1800")
    assert user.inputs.spending == 1_800  # not 3,600: the total is not added to its parts
    assert user.asking is Field.OTHER


def test_an_income_given_with_two_amounts_is_not_added_up(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("3万", "收入5000左右 最多能还一千五")
    assert user.inputs.income == 1_500  # as before: the amount after 最多, never 6,500


@pytest.mark.parametrize(
    ("answers", "typed"),
    [
        pytest.param((), "6萬台幣", id="owed-in-taiwan-dollars"),
        pytest.param((), "差不多六萬台幣", id="owed-hedged-in-traditional"),
        pytest.param(("3万",), "about 8000 dollars", id="income-in-dollars"),
        pytest.param(("3万",), "HK$9000 一个月", id="income-in-hong-kong-dollars"),
        pytest.param(("3万", "8000"), "房租500英镑 吃饭200英镑", id="spending-in-pounds-listed-in-parts"),
        pytest.param(("3万", "8000", "2000", "0"), "每月1000港币", id="proposal-in-hong-kong-dollars"),
    ],
)
def test_an_amount_in_another_currency_is_not_saved_and_asked_in_yuan(
    texts: PlanTexts, answers: tuple[str, ...], typed: str
) -> None:
    user = Calculator(texts).start().types(*answers)
    before = user.state
    asking = user.asking
    assert asking is not None
    user.types(typed)
    assert user.state == before  # nothing saved, no rate invented
    assert user.text == f"problems.foreign_currency\n\nquestions.{asking.value}"


@pytest.mark.parametrize(
    ("typed", "parts", "summed", "said", "spending"),
    [
        pytest.param("房租1200吃饭800 差不多2000多", "1,200 + 800", "2,000", "2,000", 2_000, id="trial-odd-total"),
        pytest.param("房租800 吃饭1000 一共1800", "800 + 1,000", "1,800", "1,800", 1_800, id="total-said-exactly"),
        pytest.param("房租1200 吃饭800 加起来大概2500", "1,200 + 800", "2,000", "2,500", 2_500, id="total-a-bit-more"),
        pytest.param("rent 1200 food 800 about 2000 in total", "1,200 + 800", "2,000", "2,000", 2_000, id="english"),
    ],
)  # fmt: skip
def test_a_total_said_after_its_parts_is_not_counted_as_one_more_part(
    texts: PlanTexts, typed: str, parts: str, summed: str, said: str, spending: int
) -> None:
    user = Calculator(texts).start().types("3万", "6000", typed)
    assert user.inputs.spending == spending
    assert user.replies[0].text == (
        f"messages.added_up_total parts={parts} sum={summed} said={said} total={spending:,}"
    )


def test_a_total_far_from_its_parts_is_asked_about_not_guessed(texts: PlanTexts) -> None:
    user = Calculator(texts).start().types("3万", "6000")
    before = user.state
    user.types("房租1200吃饭800 差不多5000")  # 5,000 is neither their sum nor a fourth part one can be sure of
    assert user.state == before
    assert user.text == "problems.not_a_number\n\nquestions.spending"


@pytest.mark.parametrize(
    "typed", [pytest.param("现在没工作 0", id="zero-after-words"), pytest.param("0 没收入", id="zero-before-words")]
)
def test_zero_said_with_words_is_an_income_of_zero(texts: PlanTexts, typed: str) -> None:
    user = Calculator(texts).start().types("3万", typed)
    assert user.inputs.income == 0
    assert user.asking is Field.SPENDING


@pytest.mark.parametrize(
    ("answers", "typed", "parts", "summed", "said", "counted"),
    [
        pytest.param((), "花呗6000 借呗9000 一共一万五", "6,000 + 9,000", "15,000", "15,000", 15_000, id="owed-cn"),
        pytest.param((), "花呗6000 借呗9000 总共15000", "6,000 + 9,000", "15,000", "15,000", 15_000, id="owed-digits"),
        pytest.param((), "6000加9000 加起来一万五", "6,000 + 9,000", "15,000", "15,000", 15_000, id="owed-plus"),
        pytest.param((), "花呗六千 借呗九千 合计一万五", "6,000 + 9,000", "15,000", "15,000", 15_000, id="owed-words"),
        pytest.param(
            (), "huabei 6000 jiebei 9000, 15000 in total", "6,000 + 9,000", "15,000", "15,000", 15_000,
            id="owed-english",
        ),
        pytest.param((), "花呗6000 借呗9000 一共一万四", "6,000 + 9,000", "15,000", "14,000", 15_000, id="owed-larger"),
        pytest.param(("3万",), "工资4000 外卖1500 一共5500", "4,000 + 1,500", "5,500", "5,500", 5_500, id="income"),
        pytest.param(("3万",), "4000和1500 总共5500", "4,000 + 1,500", "5,500", "5,500", 5_500, id="income-bare"),
        pytest.param(("3万",), "工资4000 兼职1500 一共6000", "4,000 + 1,500", "5,500", "6,000", 5_500, id="income-lo"),
    ],
)  # fmt: skip
def test_owed_or_income_in_parts_with_their_total_counts_the_total(
    texts: PlanTexts, answers: tuple[str, ...], typed: str, parts: str, summed: str, said: str, counted: int
) -> None:
    user = Calculator(texts).start().types(*answers)
    asking = user.asking
    assert asking in {Field.OWED, Field.INCOME}
    user.types(typed)
    assert getattr(user.inputs, asking.value) == counted  # the total once, never parts and total added
    assert user.replies[0].text == f"messages.total_of_parts parts={parts} sum={summed} said={said} total={counted:,}"
    assert user.asking is not asking


def test_owed_in_parts_with_a_total_far_from_them_is_asked_about(texts: PlanTexts) -> None:
    user = Calculator(texts).start()
    before = user.state
    user.types("花呗6000 借呗9000 一共5万")  # 50,000 is not their sum: which one is meant is for the user to say
    assert user.state == before
    assert user.text == "problems.not_a_number\n\nquestions.owed"
