"""Numbers typed wrong, and put right, in /plan and the walkthrough (first-user trial, numbers): letters among digits,
a debt below the monthly offer, an earlier answer corrected while a later question is open, an English sentence
with an amount, text not taken as an answer, a bare number after "typed it wrong", two day readings that agree, and
a correction the scam screen must not hear as a scam.

Logic runs on fixture texts (each text is its own key, tests/kbfactory.py); the sentences are this file's own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import planchat
from bot.core.dialogue import Progress, Step, TypedText, handle
from bot.core.i18n import Lang
from bot.core.plan import Field, Inputs
from bot.core.planchat import PlanState, Press, Start, Typed, Unread
from bot.core.plancorrect import Correction, earlier_corrected
from bot.core.plantexts import PlanTexts, load_plan_texts
from bot.core.replies import Reply
from bot.core.safety import Concern, Screen
from bot.core.slips import letters_as_digits
from bot.core.walkthrough import Walkthrough, load_walkthrough
from bot.engine import PLAN_KEY, Engine
from bot.storage import Storage
from tests.kbfactory import write_plan_texts, write_walkthrough
from tests.test_typed_answers import engine, say  # noqa: F401  (engine: the fixture)
from tests.transcript import SHIPPED

ZH = Lang.ZH_HANS


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> PlanTexts:
    return load_plan_texts(write_plan_texts(tmp_path_factory.mktemp("plan")))


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Walkthrough:
    return load_walkthrough(write_walkthrough(Path(tmp_path_factory.mktemp("walkthrough"))))


@pytest.fixture(scope="module")
def shipped_walk() -> Walkthrough:
    return load_walkthrough(SHIPPED / "walkthrough.yaml")


async def saved_plan(storage: Storage) -> PlanState | None:
    session = await storage.load_session(1)
    return None if session is None or session.state is None else PlanState.from_dict(session.state.get(PLAN_KEY))


def typed(state: PlanState | None, texts: PlanTexts, *said: str) -> tuple[list[Reply], PlanState | None]:
    """Each text typed in turn into /plan; the last replies and the state to store (which reads back the same)."""
    replies: list[Reply] = []
    for text in said:
        replies, state = planchat.step(state, Typed(text), texts, ZH)
        assert state is not None
        assert PlanState.from_dict(state.to_dict()) == state
    return replies, state


# --- letters typed for digits -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "read"),
    [
        pytest.param("7OOO", "7000", id="capital-o-for-zero"),
        pytest.param("3oo", "300", id="small-o-for-zero"),
        pytest.param("l2,OOO", "12,000", id="small-l-for-one-with-a-separator"),
        pytest.param("欠了2OOOO元", "欠了20000元", id="inside-a-chinese-sentence"),
        pytest.param("I owe 6OOO", "I owe 6000", id="a-word-I-stays-a-word"),
        pytest.param("4O天", "40天", id="days-too"),
    ],
)
def test_letters_among_digits_are_read_as_digits(text: str, read: str) -> None:
    assert letters_as_digits(text) == read


@pytest.mark.parametrize("text", ["8000", "OK", "lol", "Io", "2ook", "hello 10"])
def test_words_and_clean_numbers_have_no_slip(text: str) -> None:
    assert letters_as_digits(text) is None


def test_a_debt_typed_with_letters_for_zeros_is_read_and_said(texts: PlanTexts) -> None:
    _, started = planchat.step(None, Start(), texts, ZH)
    replies, state = typed(started, texts, "6OOO")
    assert state is not None
    assert (state.asking, state.inputs.owed) == (Field.INCOME, 6000)
    assert replies[0].text == "messages.letters_read typed=6OOO amount=6,000"
    assert replies[-1].text == "questions.income"


def test_letters_for_digits_at_the_walkthrough_amount_are_read_as_understood(walk: Walkthrough) -> None:
    replies, progress = handle(Progress(step=Step.AMOUNT), TypedText("9OOO"), walk, ZH)
    assert progress is not None
    assert (progress.step, progress.amount_typed) == (Step.CAUSE, 9000)
    assert replies[0].text.startswith("‹messages.understood")  # said, with how to change it


# --- a debt below the monthly offer -------------------------------------------------------------------------------


def _at_last_question(texts: PlanTexts, owed: str) -> PlanState | None:
    _, started = planchat.step(None, Start(), texts, ZH)
    return typed(started, texts, owed, "9000", "3000", "0")[1]


def test_a_debt_below_the_monthly_offer_is_asked_again_before_any_result(texts: PlanTexts) -> None:
    replies, state = typed(_at_last_question(texts, "8"), texts, "2000")
    assert state is not None
    assert (state.asking, state.rechecking, state.inputs.owed, state.inputs.proposal) == (Field.OWED, True, 8, 2000)
    assert replies[0].text.startswith("messages.owed_check owed=8 proposal=2,000")
    assert "p:keep:owed" in [choice.action for choice in replies[0].choices]
    # the debt typed again goes straight to the result: the other answers stand
    replies, state = typed(state, texts, "8000")
    assert state is not None
    assert state.asking is None
    assert state.inputs == Inputs(owed=8000, income=9000, spending=3000, other=0, proposal=2000)
    assert replies[0].text.startswith("result.given owed=result.amount amount=8,000")


def test_a_small_debt_confirmed_with_its_button_is_used(texts: PlanTexts) -> None:
    _, state = typed(_at_last_question(texts, "8"), texts, "2000")
    _, done = planchat.step(state, Press("p:keep:owed"), texts, ZH)
    assert done is not None
    assert (done.asking, done.inputs.owed) == (None, 8)


def test_a_debt_above_the_monthly_offer_goes_straight_to_the_result(texts: PlanTexts) -> None:
    _, state = typed(_at_last_question(texts, "20000"), texts, "2000")
    assert state is not None
    assert state.asking is None


def test_a_state_saved_before_rechecking_existed_reads_back() -> None:
    saved = {"version": 1, "asking": "income", "owed": 5000}
    assert PlanState.from_dict(saved) == PlanState(Field.INCOME, Inputs(owed=5000))


# --- an earlier answer put right while a later question is open --------------------------------------------------


@pytest.mark.parametrize(
    ("asking", "text", "expected"),
    [
        pytest.param(Field.OTHER, "不对 生活费是4200", Correction(Field.SPENDING, 4200), id="spending-at-other"),
        pytest.param(Field.SPENDING, "刚才打错了 工资是六千二", Correction(Field.INCOME, 6200), id="income-in-words"),
        pytest.param(Field.PROPOSAL, "sorry, my salary is 7300", Correction(Field.INCOME, 7300), id="english"),
        pytest.param(Field.INCOME, "写错了 欠款是4万", Correction(Field.OWED, 40000), id="the-debt"),
        pytest.param(Field.PROPOSAL, "不对 别的欠款每月600", Correction(Field.OTHER, 600), id="other-not-the-debt"),
        pytest.param(Field.PROPOSAL, "开支1800不对 是2100", Correction(Field.SPENDING, 2100), id="amount-after-it"),
    ],
)
def test_a_correction_naming_an_earlier_question_is_for_that_question(
    asking: Field, text: str, expected: Correction
) -> None:
    assert earlier_corrected(asking, text) == expected


@pytest.mark.parametrize(
    ("asking", "text"),
    [
        pytest.param(Field.SPENDING, "工资不是固定的 3000左右", id="describing-not-correcting"),
        pytest.param(Field.SPENDING, "不对 开支是3500", id="the-open-question-itself"),
        pytest.param(Field.OWED, "说错了 收入是四千五", id="a-question-not-yet-asked"),
        pytest.param(Field.PROPOSAL, "不对 收入和开支都说错了", id="no-amount"),
        pytest.param(Field.PROPOSAL, "不对 收入5000 开支2000", id="two-questions-named"),
    ],
)
def test_other_text_corrects_no_earlier_question(asking: Field, text: str) -> None:
    assert earlier_corrected(asking, text) is None


def test_a_correction_is_recorded_where_it_belongs_and_the_open_question_is_asked_again(texts: PlanTexts) -> None:
    _, started = planchat.step(None, Start(), texts, ZH)
    _, at_other = typed(started, texts, "5万", "8000", "2500")
    assert at_other is not None
    assert at_other.asking is Field.OTHER
    replies, state = typed(at_other, texts, "不对 生活费是3800")
    assert state is not None
    assert (state.asking, state.inputs.spending, state.inputs.other) == (Field.OTHER, 3800, None)
    assert [reply.text for reply in replies] == [
        "messages.corrected item=items.spending amount=3,800\n\nquestions.other"
    ]
    _, state = typed(state, texts, "400")  # the next number is the open question's
    assert state is not None
    assert (state.asking, state.inputs.other) == (Field.PROPOSAL, 400)


# --- an English sentence with an amount, and text not taken ------------------------------------------------------


def test_an_english_sentence_with_its_one_amount_is_read_and_said(texts: PlanTexts) -> None:
    sentence = "no salary right now, my sister sends me 900 rmb each month"
    state = PlanState(Field.INCOME, Inputs(owed=20000))
    assert planchat.reads_as_answer(state, sentence)
    replies, moved = typed(state, texts, sentence)
    assert moved is not None
    assert (moved.asking, moved.inputs.income) == (Field.SPENDING, 900)
    assert replies[0].text == "messages.read_in_sentence amount=900"


def test_text_not_taken_is_said_so_and_the_same_question_asked_again(texts: PlanTexts) -> None:
    state = PlanState(Field.SPENDING, Inputs(owed=20000, income=5000))
    replies, after = planchat.step(state, Unread(), texts, ZH)
    assert after == state
    assert [reply.text for reply in replies] == ["problems.not_taken\n\nquestions.spending"]


async def test_through_the_engine_text_nothing_answers_never_moves_the_plan_on(
    engine: Engine,  # noqa: F811
    storage: Storage,
) -> None:
    await say(engine, "/plan")
    await say(engine, "20000")
    response = await say(engine, "hmm well lorem ipsum dolor sit amet, consectetur adipiscing elit")
    assert response.replies[0].text.endswith("problems.not_taken\n\nEN questions.income")  # in the language typed
    plan = await saved_plan(storage)
    assert plan is not None
    assert plan.asking is Field.INCOME
    await say(engine, "900")  # the next number is the income, not the question after it
    plan = await saved_plan(storage)
    assert plan is not None
    assert (plan.asking, plan.inputs.income) == (Field.SPENDING, 900)


async def test_through_the_engine_a_correction_with_an_amount_is_no_scam(
    engine: Engine,  # noqa: F811
    storage: Storage,
) -> None:
    for text in ("/plan", "30000", "6000"):
        await say(engine, text)
    response = await say(engine, "说错了 收入是五千二")
    assert response.replies[0].text.startswith("messages.corrected item=items.income amount=5,200")
    plan = await saved_plan(storage)
    assert plan is not None
    assert (plan.asking, plan.inputs.income) == (Field.SPENDING, 5200)


@pytest.mark.parametrize("text", ["说错了 收入是五千二", "哎 我说错了 开支应该是两千三", "刚才说错了 是6300"])
def test_the_scam_screen_hears_no_scam_in_a_correction_with_an_amount(text: str) -> None:
    assert Screen()(text).concern is not Concern.SCAM


def test_a_scam_told_after_a_correction_is_still_heard() -> None:
    assert Screen()("说错了 收入是五千二 有人说交800服务费就能帮我协商停息").concern is Concern.SCAM


# --- the walkthrough: a bare number after "typed it wrong", two readings that agree -------------------------------


def test_a_bare_number_after_a_correction_puts_right_the_answer_just_given(walk: Walkthrough) -> None:
    before = Progress(step=Step.CAUSE, days="d1_30", days_typed=20, amount="k1_plus", amount_typed=5200)
    replies, progress = handle(before, TypedText("刚才说错了 是52000"), walk, ZH)
    assert progress is not None
    assert (progress.step, progress.days_typed, progress.amount_typed) == (Step.CAUSE, 20, 52000)
    assert replies[0].text.startswith("‹messages.corrected")


def test_a_bare_number_after_a_correction_is_no_answer_two_steps_back(walk: Walkthrough) -> None:
    before = Progress(step=Step.AMOUNT, days="d1_30", days_typed=20)
    _, progress = handle(before, TypedText("刚才说错了 是52000"), walk, ZH)
    assert progress is not None
    assert (progress.days_typed, progress.amount_typed) == (20, 52000)  # the amount step's own answer instead


@pytest.mark.parametrize("text", ["我打错了 是36000", "typo, it's 36000", "I mistyped, 36000"])
def test_the_shipped_words_for_typing_it_wrong_correct_the_last_answer(shipped_walk: Walkthrough, text: str) -> None:
    before = Progress(step=Step.CAUSE, product="huabei", days="d8_30", days_typed=20, amount="k1_5", amount_typed=3600)
    _, progress = handle(before, TypedText(text), shipped_walk, ZH)
    assert progress is not None
    assert (progress.step, progress.amount_typed) == (Step.CAUSE, 36000)


def test_two_readings_of_the_days_that_agree_are_read(walk: Walkthrough) -> None:
    replies, progress = handle(Progress(step=Step.DAYS), TypedText("两个月了吧 六十多天"), walk, ZH)
    assert progress is not None
    assert (progress.step, progress.days_typed) == (Step.AMOUNT, 60)  # the exact reading, not the rough one
    assert replies[0].text.startswith("‹messages.understood")


def test_two_readings_of_the_days_that_disagree_are_asked_again(walk: Walkthrough) -> None:
    _, progress = handle(Progress(step=Step.DAYS), TypedText("两个月了吧 十天"), walk, ZH)
    assert progress is not None
    assert (progress.step, progress.days_typed) == (Step.DAYS, None)
