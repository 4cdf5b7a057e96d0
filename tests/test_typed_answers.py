"""Typed answers at walkthrough steps, through the engine: they are answers, not knowledge questions, they keep the
conversation's language, and a bare number is never filed as an unanswered question.

Fixture knowledge and the fixture walkthrough (tests/kbfactory.py: labels «id», a few `also:` words).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.advisor import Advisor, Conversation
from bot.core.dialogue import Step
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.plan import Field
from bot.core.planchat import PlanState
from bot.core.plantexts import load_plan_texts
from bot.core.progress import Progress, from_saved
from bot.core.walkthrough import load_walkthrough
from bot.engine import PLAN_KEY, PROGRESS_KEY, Engine, Incoming, Kind, Knowledge, Response
from bot.storage import Storage
from tests.kbfactory import write_kb, write_plan_texts, write_walkthrough


@pytest.fixture
def engine(tmp_path: Path, storage: Storage) -> Engine:
    kb = load_knowledge(write_kb(tmp_path / "kb"), required_ids=())
    matcher = Matcher(kb)
    walk = load_walkthrough(write_walkthrough(tmp_path / "walk"))
    plan = load_plan_texts(write_plan_texts(tmp_path / "plan"))
    return Engine(Knowledge(kb, matcher, Advisor(kb, matcher), walk, plan), storage, directory=tmp_path / "kb")


async def say(engine: Engine, text: str, client_lang: str | None = None) -> Response:
    if text.startswith("/"):
        event = Incoming(1, Kind.COMMAND, command=text[1:], client_lang=client_lang)
    else:
        event = Incoming(1, Kind.TEXT, text=text, client_lang=client_lang)
    return await engine.handle(event)


async def press(engine: Engine, action: str, client_lang: str | None = None) -> Response:
    return await engine.handle(Incoming(1, Kind.PRESS, action=action, client_lang=client_lang))


async def progress_of(storage: Storage) -> Progress:
    session = await storage.load_session(1)
    assert session is not None
    assert session.state is not None
    progress = from_saved(session.state.get(PROGRESS_KEY))
    assert progress is not None
    return progress


async def test_a_typed_option_name_answers_the_step_instead_of_the_knowledge_base(
    engine: Engine, storage: Storage
) -> None:
    await say(engine, "/guide")
    response = await say(engine, "«jiebei»")
    progress = await progress_of(storage)
    assert (progress.product, progress.step) == ("jiebei", Step.DAYS)
    assert any(c.action.startswith("w:o:days:") for r in response.replies for c in r.choices)
    assert await storage.unmatched_report() == []


async def test_a_romanised_option_name_does_not_switch_an_english_conversation_to_chinese(
    engine: Engine, storage: Storage
) -> None:
    await say(engine, "/guide", client_lang="en")
    assert (await say(engine, "how do I start negotiating with them", client_lang="en")).lang is Lang.EN
    await press(engine, "w:resume", client_lang="en")
    response = await say(engine, "jiebei", client_lang="en")  # pinyin: Chinese, were it not a button's name
    assert (await progress_of(storage)).product == "jiebei"
    assert response.lang is Lang.EN


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        pytest.param("both", Lang.EN, id="english"),
        pytest.param("兩個都有", Lang.ZH_HANT, id="traditional"),
    ],
)
async def test_an_option_named_first_in_a_clear_language_is_answered_in_it(
    engine: Engine, storage: Storage, text: str, lang: Lang
) -> None:
    await say(engine, "/guide")  # a command tells no language
    response = await say(engine, text)
    assert (await progress_of(storage)).product == "both"
    assert response.lang is lang
    assert response.replies[0].text.startswith("‹en " if lang is Lang.EN else "‹")


async def test_an_option_named_in_another_language_later_does_not_switch_the_conversation(
    engine: Engine, storage: Storage
) -> None:
    await say(engine, "这个月的账单我还不上了")  # Simplified, typed: the conversation's language
    await say(engine, "/guide")
    response = await say(engine, "both")
    assert (await progress_of(storage)).product == "both"
    assert response.lang is Lang.ZH_HANS


async def test_a_cause_in_the_users_words_is_the_causes_answer(engine: Engine, storage: Storage) -> None:
    await say(engine, "/guide")
    for action in ("w:skip:product", "w:skip:days", "w:skip:amount"):
        await press(engine, action)
    # the shipped scam model hears a scam in this sentence; naming a cause, it answers the step all the same
    await say(engine, "my company cut my salary")
    progress = await progress_of(storage)
    assert (progress.cause, progress.step) == ("income_drop", Step.MATERIALS)


async def test_a_number_off_the_menu_asks_to_choose_and_is_never_filed_as_unanswered(
    engine: Engine, storage: Storage
) -> None:
    await say(engine, "/guide")
    response = await say(engine, "9")
    assert (await progress_of(storage)).step is Step.PRODUCT
    assert any(c.action == "w:o:product:huabei" for r in response.replies for c in r.choices)
    await say(engine, "/cancel")
    await say(engine, "7")  # outside the walkthrough: a button the user meant, not a question
    assert await storage.unmatched_report() == []


async def test_dont_know_in_the_calculator_skips_its_question_with_the_guides_words(
    engine: Engine, storage: Storage
) -> None:
    await say(engine, "/plan")
    await say(engine, "30000")  # owed
    await say(engine, "不清楚")  # income: one of the fixture walkthrough's dont_know words
    session = await storage.load_session(1)
    assert session is not None
    assert session.state is not None
    plan = PlanState.from_dict(session.state.get(PLAN_KEY))
    assert plan is not None
    assert (plan.inputs.owed, plan.inputs.income, plan.asking) == (30000, None, Field.SPENDING)
    assert await storage.unmatched_report() == []


async def test_dont_know_beside_an_amount_in_the_calculator_is_no_skip(engine: Engine, storage: Storage) -> None:
    """The first-user trial: "不知道 可能一两千吧" was taken as "don't know" and the range was dropped."""
    await say(engine, "/plan")
    await say(engine, "30000")
    response = await say(engine, "不知道 可能一两千吧")  # income: a range, counted at its low end and said so
    assert response.replies[0].text.startswith("messages.range_low")
    session = await storage.load_session(1)
    assert session is not None
    assert session.state is not None
    plan = PlanState.from_dict(session.state.get(PLAN_KEY))
    assert plan is not None
    assert (plan.inputs.income, plan.asking) == (1000, Field.SPENDING)
    assert await storage.unmatched_report() == []


@pytest.mark.parametrize(
    ("command", "answers", "typed", "said"),
    [
        pytest.param("/plan", (), "6萬台幣", "problems.foreign_currency", id="plan-owed-in-taiwan-dollars"),
        pytest.param("/guide", ("«jiebei»", "45"), "差不多六萬台幣", "‹messages.foreign_currency›", id="guide-amount"),
        pytest.param(
            "/guide", ("«jiebei»", "45"), "about 8000 dollars", "‹en messages.foreign_currency›", id="guide-english"
        ),
    ],
)
async def test_an_amount_in_another_currency_is_asked_in_yuan_not_answered_from_the_knowledge(
    engine: Engine, storage: Storage, command: str, answers: tuple[str, ...], typed: str, said: str
) -> None:
    await say(engine, command)
    for answer in answers:
        await say(engine, answer)
    response = await say(engine, typed)
    assert response.replies[0].text.startswith(said)
    assert await storage.unmatched_report() == []
    if command == "/guide":
        assert (await progress_of(storage)).amount_typed is None


async def test_the_response_says_when_a_typed_number_is_the_answer(engine: Engine) -> None:
    """The terminal learns from the engine's response, not from storage, that "7" now means seven days."""
    started = await say(engine, "/guide")
    assert not started.expects_number  # the product step: a bare number may pick a button
    at_days = await say(engine, "«jiebei»")
    assert at_days.expects_number
    paused = await press(engine, "w:pause:days")
    assert not paused.expects_number


@pytest.mark.parametrize(
    ("step", "text"),
    [
        pytest.param("days", "去年10月开始的", id="a-date-at-the-days-step"),
        pytest.param("amount", "六七八万吧", id="three-numerals-at-the-amount-step"),
    ],
)
async def test_a_number_tried_and_not_read_gets_the_steps_question_never_a_topic_menu(
    engine: Engine, storage: Storage, step: str, text: str
) -> None:
    await say(engine, "/guide")
    await press(engine, "w:o:product:jiebei")
    if step == "amount":
        await press(engine, "w:o:days:d1_30")
    response = await say(engine, text)
    assert response.replies[0].text == "‹messages.not_a_number›"
    assert any(c.action.startswith(f"w:o:{step}:") for c in response.replies[-1].choices)
    assert (await progress_of(storage)).step is Step(step)
    assert await storage.unmatched_report() == []


@pytest.mark.parametrize(
    ("step", "text", "typed"),
    [
        pytest.param(Step.DAYS, "快4个月了吧 差不多", 120, id="days-almost-with-a-hedge-after"),
        pytest.param(Step.DAYS, "一个半月了吧", 45, id="days-a-month-and-a-half"),
        pytest.param(Step.MONTHLY, "好的月份能拿2000 差的月份就800左右", 800, id="monthly-good-and-bad-months"),
    ],
)
async def test_what_the_second_trial_typed_at_a_number_step_is_its_answer(
    engine: Engine, storage: Storage, step: Step, text: str, typed: int
) -> None:
    """The second user trial: both were answered 'could not read a number'."""
    await say(engine, "/guide")
    await press(engine, "w:o:product:jiebei")
    if step is Step.MONTHLY:
        for action in ("w:o:days:d1_30", "w:o:amount:k1_plus", "w:o:cause:budgeting", "w:next:materials",
                       "w:o:channel:app", "w:next:requests"):  # fmt: skip
            await press(engine, action)
    assert (await progress_of(storage)).step is step
    response = await say(engine, text)
    progress = await progress_of(storage)
    assert (progress.days_typed if step is Step.DAYS else progress.monthly_typed) == typed
    assert progress.step is not step
    assert "‹messages.not_a_number›" not in response.replies[0].text
    assert await storage.unmatched_report() == []


async def test_the_back_buttons_label_typed_at_the_terms_step_goes_back_and_notes_no_terms(
    engine: Engine, storage: Storage
) -> None:
    """The second user trial: after "◀ 上一步" typed at the terms step, 'terms noted' showed with no terms typed."""
    await say(engine, "/guide")
    await press(engine, "w:goto:result")
    await press(engine, "w:o:result:agreed")
    assert (await progress_of(storage)).step is Step.TERMS
    response = await say(engine, "‹buttons.back›")
    progress = await progress_of(storage)
    assert (progress.step, progress.terms) == (Step.RESULT, None)
    assert all("‹messages.terms_noted›" not in reply.text for reply in response.replies)


@pytest.mark.parametrize("action", ["w:back:terms", "w:skip:terms"])
async def test_leaving_the_terms_step_by_a_button_does_not_say_the_terms_were_noted(
    engine: Engine, storage: Storage, action: str
) -> None:
    """The second user trial: "◀ 上一步" pressed at the terms step got the reminder offer that opens 'terms noted'."""
    await say(engine, "/guide")
    await press(engine, "w:goto:result")
    await press(engine, "w:o:result:agreed")
    response = await press(engine, action)
    assert (await progress_of(storage)).terms is None
    offers = [r for r in response.replies if any(c.action.startswith("r:") for c in r.choices)]
    assert offers == []
    await press(engine, "w:goto:terms")
    typed = await say(engine, "分12期 每月1000")  # typed terms still get the offer
    assert any(c.action.startswith("r:") for r in typed.replies for c in r.choices)


async def test_a_question_naming_a_number_at_a_number_step_is_still_answered(engine: Engine, storage: Storage) -> None:
    await say(engine, "/guide")
    await press(engine, "w:o:product:jiebei")
    response = await say(engine, "逾期3个月了 对信用记录有影响")  # no question mark: the knowledge base answers it
    assert "回答 impact.credit" in response.replies[0].text
    assert (await progress_of(storage)).step is Step.DAYS


async def test_days_beside_their_context_are_the_steps_when_the_knowledge_base_has_no_answer(
    engine: Engine, storage: Storage
) -> None:
    await say(engine, "/guide")
    await press(engine, "w:o:product:jiebei")
    response = await say(engine, "两个月了吧 工作也丢了")  # the fixture knowledge has nothing on it
    assert response.replies[0].text == "‹messages.understood value=‹steps.days.typed n=60››"
    progress = await progress_of(storage)
    assert (progress.step, progress.days_typed) == (Step.AMOUNT, 60)


@pytest.mark.parametrize("pause", ["暂停一下 我先去吃饭", "暂停一下我先去吃饭"], ids=["with-a-space", "with-none"])
async def test_a_pause_said_with_why_and_a_return_said_in_words_keep_the_walkthrough(
    engine: Engine, storage: Storage, pause: str
) -> None:
    await say(engine, "/guide")
    await press(engine, "w:o:product:jiebei")
    paused = await say(engine, pause)
    assert [r.text for r in paused.replies] == ["‹messages.paused›"]  # says how to come back
    assert (await progress_of(storage)).paused
    back = await say(engine, "我回来了")
    progress = await progress_of(storage)
    assert (progress.paused, progress.step, progress.product) == (False, Step.DAYS, "jiebei")
    assert any(c.action.startswith("w:o:days:") for c in back.replies[-1].choices)


#: The regression trial's terms: a customer-service agent quoted ("客服说"), an amount a month, a count of instalments,
#: interest, and nothing in writing.
_TRIAL_TERMS = "电话里那个客服说每月还2800 分12期 利息照算 没给我书面的 说回头发短信"


async def test_terms_quoting_the_customer_service_agent_are_the_terms_not_a_question(
    engine: Engine, storage: Storage
) -> None:
    """The regression trial: these terms got the scam card and a topic's answer, were not kept, and the over-budget
    and not-in-writing notes never showed."""
    assert engine.knowledge.advisor.screen(_TRIAL_TERMS).concern is not None  # the screen hears something in them
    await say(engine, "/guide")
    await press(engine, "w:goto:monthly")
    await say(engine, "1000")
    await press(engine, "w:goto:result")
    await press(engine, "w:o:result:agreed")
    assert (await progress_of(storage)).step is Step.TERMS
    response = await say(engine, _TRIAL_TERMS)
    progress = await progress_of(storage)
    assert (progress.step, progress.terms) == (Step.REPAY, _TRIAL_TERMS)
    said = "\n".join(reply.text for reply in response.replies)
    assert "‹summary.terms_above_monthly agreed=2800 monthly=1000 over=1800›" in said
    assert "‹summary.terms_not_written›" in said
    assert not any(reply.title for reply in response.replies)  # no card from the knowledge base
    assert await storage.unmatched_report() == []


async def test_a_question_about_terms_naming_no_amount_or_count_still_goes_to_the_knowledge_base(
    engine: Engine, storage: Storage
) -> None:
    await say(engine, "/guide")
    await press(engine, "w:goto:result")
    await press(engine, "w:o:result:agreed")
    await say(engine, "书面协议里要写清楚什么？")
    progress = await progress_of(storage)
    assert (progress.step, progress.terms) == (Step.TERMS, None)


async def test_income_typed_at_the_amount_owed_step_is_not_recorded_and_the_step_asks_again(
    engine: Engine, storage: Storage
) -> None:
    """The regression trial: good and bad months of income at the amount step were saved as 4000 owed."""
    await say(engine, "/guide")
    await press(engine, "w:o:product:jiebei")
    await press(engine, "w:o:days:d1_30")
    assert (await progress_of(storage)).step is Step.AMOUNT
    response = await say(engine, "有时候一个月7000多有时候才4000出头 看单量")
    progress = await progress_of(storage)
    assert (progress.step, progress.amount_typed, progress.amount) == (Step.AMOUNT, None, None)
    assert response.replies[-1].text.endswith("‹steps.amount.prompt›")
    assert len(response.replies) == 1  # the question again, nothing else
    assert await storage.unmatched_report() == []
    await say(engine, "一共欠3万5")  # the debt, said next, is recorded
    assert (await progress_of(storage)).amount_typed == 35000


async def test_days_and_debt_said_with_the_product_are_kept_for_their_steps(engine: Engine, storage: Storage) -> None:
    """The regression trial: "借贝逾期快4个月了 欠了3万5左右" at the product step kept the product only."""
    await say(engine, "/guide")
    response = await say(engine, "«jiebei»逾期快4个月了 欠了3万5左右")
    progress = await progress_of(storage)
    assert (progress.step, progress.product, progress.days_typed, progress.amount_typed) == (
        Step.DAYS,
        "jiebei",
        120,
        35000,
    )
    assert any(c.label == "* «d31_plus»" for c in response.replies[-1].choices)  # shown, marked, to confirm


# --- the regression trial on the walkthrough's typed answers --------------------------------------------------------


async def _at_terms_with_terms_saved(engine: Engine) -> None:
    await say(engine, "/guide")
    await press(engine, "w:goto:result")
    await press(engine, "w:o:result:agreed")
    await say(engine, "分12期 每月1000")
    await press(engine, "w:goto:terms")


async def test_back_said_in_words_at_the_terms_step_goes_back_and_keeps_the_terms_given_before(
    engine: Engine, storage: Storage
) -> None:
    """The regression trial: "返回上一步" typed at the terms step was saved as the terms."""
    await _at_terms_with_terms_saved(engine)
    response = await say(engine, "返回上一步")
    progress = await progress_of(storage)
    assert (progress.step, progress.terms) == (Step.RESULT, "分12期 每月1000")
    said = [reply.text for reply in response.replies]
    assert not any("‹messages.terms_noted›" in text for text in said)
    assert not any(c.action.startswith("r:") for r in response.replies for c in r.choices)  # no reminder offer


@pytest.mark.parametrize(
    ("text", "step"),
    [
        pytest.param("返回", Step.PRODUCT, id="back"),
        pytest.param("我写错了", Step.PRODUCT, id="wrote-it-wrong"),
        pytest.param("go back", Step.PRODUCT, id="go-back"),
        pytest.param("跳过这个", Step.AMOUNT, id="skip"),
    ],
)
async def test_a_move_said_in_words_at_a_number_step_is_that_move_never_a_topic_menu(
    engine: Engine, storage: Storage, text: str, step: Step
) -> None:
    """The regression trial: "返回", "回去", "back", "跳过" typed at the days step got a topic menu or "can't
    answer"."""
    await say(engine, "/guide")
    await press(engine, "w:o:product:jiebei")
    response = await say(engine, text)
    progress = await progress_of(storage)
    assert (progress.step, progress.days, progress.days_typed) == (step, None, None)
    assert response.lang is Lang.ZH_HANS  # a button's words say nothing of the language ("go back")
    assert not any(reply.title for reply in response.replies)
    assert await storage.unmatched_report() == []


async def test_a_rough_span_of_days_is_asked_about_then_recorded_on_yes(engine: Engine, storage: Storage) -> None:
    """The regression trial: "大半年了" at the days step was 'could not read a number'."""
    await say(engine, "/guide")
    await press(engine, "w:o:product:jiebei")
    asked = await say(engine, "大半年了")
    progress = await progress_of(storage)
    assert (progress.step, progress.days_typed) == (Step.DAYS, None)
    assert asked.replies[-1].text == "‹messages.estimate_check value=‹steps.days.typed n=210››"
    assert asked.replies[-1].choices[0].action == "w:n:days:210"
    await say(engine, "对")
    progress = await progress_of(storage)
    assert (progress.step, progress.days, progress.days_typed) == (Step.AMOUNT, "d31_plus", 210)
    assert await storage.unmatched_report() == []


@pytest.mark.parametrize(
    ("text", "days", "amount"),
    [
        pytest.param("不对 是3个月", 90, 8000, id="the-days"),
        pytest.param("刚才说错了 欠的是5万", 20, 50000, id="the-amount-owed"),
    ],
)
async def test_an_earlier_answer_corrected_at_the_monthly_step_is_corrected_and_the_step_stays(
    engine: Engine, storage: Storage, text: str, days: int, amount: int
) -> None:
    """The regression trial: a correction typed at a later step was not heard (and "5万" at the monthly step would
    have been the amount a month)."""
    await say(engine, "/guide")
    await press(engine, "w:o:product:jiebei")
    await say(engine, "20天")
    await say(engine, "8000")
    for action in ("w:o:cause:budgeting", "w:next:materials", "w:o:channel:app", "w:next:requests"):
        await press(engine, action)
    assert (await progress_of(storage)).step is Step.MONTHLY
    response = await say(engine, text)
    progress = await progress_of(storage)
    assert (progress.step, progress.days_typed, progress.amount_typed, progress.monthly_typed) == (
        Step.MONTHLY,
        days,
        amount,
        None,
    )
    assert response.replies[0].text.startswith("‹messages.corrected")
    assert await storage.unmatched_report() == []


@pytest.mark.parametrize(
    ("step", "text", "said"),
    [
        pytest.param(Step.DAYS, "大概吧", "‹messages.unsure_number›", id="probably-at-the-days"),
        pytest.param(Step.DAYS, "看情况", "‹messages.unsure_number›", id="it-depends-at-the-days"),
        pytest.param(Step.DAYS, "不知道", "‹messages.unsure_number›", id="dont-know-at-the-days"),
        pytest.param(Step.TERMS, "不知道", "‹messages.unsure_terms›", id="dont-know-as-the-terms"),
    ],
)
async def test_no_answer_at_a_step_records_nothing_and_says_what_to_put(
    engine: Engine, storage: Storage, step: Step, text: str, said: str
) -> None:
    """The regression trial: "大概吧" and "看情况" got a topic menu, "不知道" skipped the step without a word, and at
    the terms step it would have been saved as the terms."""
    await say(engine, "/guide")
    if step is Step.TERMS:
        await press(engine, "w:goto:result")
        await press(engine, "w:o:result:agreed")
    else:
        await press(engine, "w:o:product:jiebei")
    before = await progress_of(storage)
    response = await say(engine, text)
    assert await progress_of(storage) == before
    assert response.replies[0].text == said
    assert any(c.action == f"w:skip:{step.value}" for c in response.replies[-1].choices)
    assert await storage.unmatched_report() == []


@pytest.mark.parametrize("text", ["大概两万块 不对 是一万八", "两万块 不对 是一万八"])
async def test_an_amount_corrected_in_the_same_message_records_the_corrected_one(
    engine: Engine, storage: Storage, text: str
) -> None:
    """The regression trial: "大概两万块 不对 是一万八" at the amount step got the caring line and no amount."""
    await say(engine, "/guide")
    await press(engine, "w:o:product:jiebei")
    await press(engine, "w:o:days:d1_30")
    response = await say(engine, text)
    progress = await progress_of(storage)
    assert (progress.step, progress.amount_typed) == (Step.CAUSE, 18000)
    advisor, conversation = engine.knowledge.advisor, Conversation(Lang.ZH_HANS)
    care = {advisor.soft_first(conversation).text, advisor.crisis(conversation)[0].text}
    assert not care & {reply.text for reply in response.replies}
