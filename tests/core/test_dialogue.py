"""The negotiation walkthrough, tested as conversations on a small fixture walkthrough (tests/kbfactory.py).

The fixture's texts are their own keys ("‹steps.contact.prompt how=…›"), so these tests check which screen and which
pieces the user is shown — never how a sentence is worded — and an admin can rewrite any shipped sentence freely.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.amounts import SENTENCE_CHARS
from bot.core.dialogue import (
    MAX_TERMS,
    Cancel,
    Goto,
    Press,
    Progress,
    Resume,
    Start,
    Step,
    TypedText,
    carries_terms,
    continue_choice,
    current_prompt,
    goto_choice,
    handle,
    reads_as_answer,
    step_for_entry,
    wants_number,
    wants_text,
)
from bot.core.i18n import Lang
from bot.core.replies import Choice, Reply
from bot.core.walkthrough import Walkthrough, load_walkthrough
from tests.kbfactory import write_walkthrough
from tests.transcript import Seen


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Walkthrough:
    return load_walkthrough(write_walkthrough(Path(tmp_path_factory.mktemp("walkthrough"))))


class Chat(Seen):
    """One user talking to the walkthrough: tap buttons by their label, type text, read the replies."""

    def __init__(self, walk: Walkthrough, lang: Lang = Lang.ZH_HANS, progress: Progress | None = None) -> None:
        self.walk = walk
        self.lang = lang
        self.progress = progress
        # a chat that starts mid-way is looking at its current step
        self.replies: list[Reply] = current_prompt(progress, walk, lang) if progress is not None else []

    def send(self, event: object) -> str:
        self.replies, self.progress = handle(self.progress, event, self.walk, self.lang)  # type: ignore[arg-type]
        return self.text

    def tap(self, label: str) -> str:
        """Press the button of the last replies whose label contains `label` (exactly one must)."""
        found = [c for c in self.choices if label in c.label]
        assert len(found) == 1, f"no single button {label!r} in {self.labels}"
        return self.send(Press(found[0].action))

    def type(self, text: str) -> str:
        assert wants_text(self.progress), "the bot is not waiting for typed text here"
        return self.send(TypedText(text))

    def at(self) -> Step | None:
        return None if self.progress is None else self.progress.step

    def saved(self) -> Progress:
        assert self.progress is not None, "the user has left the walkthrough"
        return self.progress


NEXT, BACK, SKIP, PAUSE = "‹buttons.next›", "‹buttons.back›", "‹buttons.skip›", "‹buttons.pause›"


def prepared(**answers: object) -> Progress:
    """A user who has prepared (huabei, 15 days, 2000 yuan, income dropped, the hotline, a longer term, 800 a month)."""
    base = Progress(
        product="huabei", days="d1_30", days_typed=15, amount="k1_plus", amount_typed=2000, cause="income_drop",
        materials=("id_card",), channel="hotline", requests=("longer_term", "instalments"), monthly_typed=800,
    )  # fmt: skip
    return replace(base, **answers)  # type: ignore[arg-type]


# --- the order of a real negotiation ---------------------------------------------------------------------------


def test_prepare_then_contact_now_then_agreed_then_terms_and_after_care(walk):
    chat = Chat(walk)
    said = chat.send(Start())
    assert "‹messages.welcome›" in said
    assert "‹messages.progress_part n=1 total=5 stage=‹stages.intake› part=1 parts=4›" in said

    chat.tap("«huabei»")
    said = chat.type("15天")
    assert "‹messages.noted value=‹steps.days.typed n=15››" in said
    chat.type("2000元")
    chat.tap("«income_drop»")
    assert chat.at() is Step.MATERIALS
    chat.tap("«id_card»")
    chat.tap(NEXT)
    chat.tap("«hotline»")
    assert chat.at() is Step.REQUESTS
    chat.tap("«longer_term»")
    chat.tap("«instalments»")
    said = chat.tap(NEXT)
    assert chat.at() is Step.MONTHLY
    assert "‹steps.monthly.prompt›" in said

    said = chat.type("800")
    assert chat.at() is Step.CONTACT  # contact now, before any question about an agreement
    assert "‹steps.contact.prompt how=‹hotline.how››" in said
    assert "‹hotline.greeting›" in said  # the opening script for the chosen channel …
    assert "‹script.monthly n=800›" in said  # … with the monthly amount in it
    assert "‹script.overdue product=«huabei» days=‹steps.days.typed n=15››" in said
    assert "‹income_drop.reason›" in said
    assert "‹script.requests requests=«longer_term»‹messages.list_pair›«instalments»›" in said
    assert chat.labels[0] == "‹buttons.contacted›"

    said = chat.tap("‹buttons.contacted›")
    assert chat.at() is Step.RESULT
    assert [c.action for c in chat.choices[:3]] == ["w:o:result:agreed", "w:o:result:refused", "w:o:result:waiting"]

    chat.tap("«agreed»")
    assert chat.at() is Step.TERMS
    said = chat.type("分 12 期，每期 200 元")
    assert "‹messages.terms_noted›" in said
    assert chat.at() is Step.REPAY
    chat.tap(NEXT)
    chat.tap(NEXT)
    said = chat.tap(NEXT)
    assert chat.at() is Step.DONE
    assert "‹summary.terms value=分 12 期，每期 200 元›" in said
    assert "‹summary.result value=«agreed»›" in said
    # the summary ends with the script and the next concrete action
    assert said.index("‹summary.script script=") < said.index("‹summary.next_agreed›")
    assert said.rstrip().endswith("‹summary.next_agreed›")
    assert chat.labels == [BACK, "‹buttons.restart›"]


def test_refused_shows_what_to_try_next_and_the_user_can_come_back_with_a_new_result(walk):
    chat = Chat(walk, progress=prepared(step=Step.RESULT))
    said = chat.tap("«refused»")
    assert chat.at() is Step.RETRY
    assert "‹steps.retry.prompt›" in said
    said = chat.tap(NEXT)
    assert chat.at() is Step.DONE
    assert said.rstrip().endswith("‹summary.next_refused›")
    assert "‹summary.script script=" in said
    assert chat.labels[0] == "‹buttons.new_result›"

    # days later: the summary's button notes a new result
    later = Chat(walk, progress=chat.saved())
    later.tap("‹buttons.new_result›")
    assert later.at() is Step.RESULT
    later.tap("«agreed»")
    assert later.at() is Step.TERMS
    assert later.saved().requests == ("longer_term", "instalments")  # nothing prepared was lost


def test_still_waiting_keeps_everything_and_says_to_come_back(walk):
    chat = Chat(walk, progress=prepared(step=Step.RESULT))
    said = chat.tap("«waiting»")
    assert chat.at() is Step.WAITING
    assert "‹steps.waiting.prompt›" in said
    said = chat.tap(NEXT)
    assert said.rstrip().endswith("‹summary.next_waiting›")


@pytest.mark.parametrize(
    ("result", "step"),
    [
        pytest.param("waiting", Step.WAITING, id="waiting-screen"),
        pytest.param("waiting", Step.DONE, id="summary-after-waiting"),
        pytest.param("refused", Step.RETRY, id="what-to-try-after-refusal"),
        pytest.param(None, Step.DONE, id="summary-before-any-contact"),
    ],
)
def test_resume_without_an_agreement_asks_how_the_contact_went(walk, result, step):
    """Those screens say "send /resume once you have an answer": /resume (or "I'm back") is that answer's question."""
    for returning in (Resume(), TypedText("我回来了")):
        chat = Chat(walk, progress=prepared(step=step, result=result))
        chat.send(returning)
        assert chat.at() is Step.RESULT
        assert "‹steps.result.prompt›" in chat.text
        assert chat.saved().result == result  # nothing noted until the user says how it went


def test_resume_after_pausing_on_the_waiting_screen_returns_there(walk):
    chat = Chat(walk, progress=prepared(step=Step.WAITING, result="waiting", paused=True))
    chat.send(Resume())
    assert chat.at() is Step.WAITING


def test_resume_after_an_agreement_shows_the_summary_again(walk):
    chat = Chat(walk, progress=prepared(step=Step.DONE, result="agreed", terms="分6期"))
    chat.send(Resume())
    assert chat.at() is Step.DONE


def test_the_continue_button_under_a_side_answer_keeps_the_waiting_screen(walk):
    chat = Chat(walk, progress=prepared(step=Step.WAITING, result="waiting"))
    chat.send(Press("w:resume"))
    assert chat.at() is Step.WAITING


@pytest.mark.parametrize(
    ("step", "typed", "result", "then"),
    [
        pytest.param(Step.DONE, "他们那边回了 同意", "agreed", Step.TERMS, id="agreed-at-the-summary"),
        pytest.param(Step.WAITING, "同意了啊", "agreed", Step.TERMS, id="agreed-at-the-waiting-screen"),
        pytest.param(Step.DONE, "最后还是不同意", "refused", Step.RETRY, id="refused-at-the-summary"),
        pytest.param(Step.WAITING, "还没谈好", "waiting", Step.WAITING, id="still-waiting"),
        pytest.param(Step.DONE, "they agree now", "agreed", Step.TERMS, id="english"),
    ],
)
def test_a_result_typed_while_waiting_is_noted_as_the_new_result(walk, step, typed, result, then):
    progress = prepared(step=step, result="waiting")
    assert reads_as_answer(progress, typed, walk)
    chat = Chat(walk, progress=progress)
    chat.send(TypedText(typed))
    assert chat.saved().result == result
    assert chat.at() is then


def test_a_result_typed_after_an_agreement_is_no_new_result(walk):
    progress = prepared(step=Step.DONE, result="agreed", terms="分6期")
    assert not reads_as_answer(progress, "不同意", walk)


def test_a_question_while_waiting_is_no_result(walk):
    assert not reads_as_answer(prepared(step=Step.WAITING, result="waiting"), "同意了会怎么样？", walk)


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("打过了 他们说只能分24期 每月两千多 我根本还不起", id="instalments-too-dear"),
        pytest.param("they offered a plan but I can't afford it", id="english"),
    ],
)
def test_an_offer_the_user_cannot_keep_to_has_its_own_outcome(walk, typed):
    chat = Chat(walk, progress=prepared(step=Step.RESULT))
    said = chat.type(typed)
    assert chat.saved().result == "unaffordable"
    assert chat.at() is Step.UNAFFORDABLE
    assert "‹steps.unaffordable.prompt›" in said
    said = chat.tap(NEXT)
    assert said.rstrip().endswith("‹summary.next_unaffordable›")
    assert chat.labels[0] == "‹buttons.new_result›"  # the next contact's result can still be noted


def test_the_unaffordable_offer_is_a_button_too(walk):
    chat = Chat(walk, progress=prepared(step=Step.RESULT))
    chat.send(Press("w:o:result:unaffordable"))
    assert chat.at() is Step.UNAFFORDABLE
    chat.send(Resume())
    assert chat.at() is Step.RESULT  # after it, /resume asks how the next contact went


def test_skipping_the_result_reaches_a_summary_that_says_to_contact_first(walk):
    chat = Chat(walk, progress=prepared(step=Step.RESULT))
    said = chat.tap(SKIP)
    assert chat.at() is Step.DONE
    assert "‹summary.result value=‹summary.not_answered››" in said
    assert said.rstrip().endswith("‹summary.next_not_contacted›")


def test_skipping_everything_still_reaches_a_summary_with_a_script(walk):
    chat = Chat(walk)
    chat.send(Start())
    while chat.at() is not Step.DONE:
        chat.tap(SKIP if SKIP in chat.labels else "‹buttons.contacted›")
    said = chat.text
    assert "‹summary.product value=‹summary.not_answered››" in said
    assert "‹script.overdue_unknown product=‹script.product_unknown››" in said
    assert "‹script.requests_none›" in said
    assert "‹script.monthly" not in said


@pytest.mark.parametrize(
    ("result", "back_to"),
    [
        pytest.param("agreed", Step.CREDIT, id="agreed-back-to-after-care"),
        pytest.param("refused", Step.RETRY, id="refused-back-to-what-to-try"),
        pytest.param("waiting", Step.WAITING, id="waiting-back-to-waiting"),
        pytest.param(None, Step.RESULT, id="no-result-back-to-the-question"),
    ],
)
def test_back_from_the_summary_follows_the_path_the_result_made(walk, result, back_to):
    chat = Chat(walk, progress=prepared(step=Step.DONE, result=result))
    chat.tap(BACK)
    assert chat.at() is back_to


def test_back_from_the_terms_returns_to_the_result_with_the_answer_marked(walk):
    chat = Chat(walk, progress=prepared(step=Step.TERMS, result="agreed"))
    chat.tap(BACK)
    assert chat.at() is Step.RESULT
    assert "* «agreed»" in chat.labels
    chat.tap(NEXT)  # next follows the recorded answer
    assert chat.at() is Step.TERMS


def test_changing_the_result_from_agreed_forgets_the_terms(walk):
    chat = Chat(walk, progress=prepared(step=Step.RESULT, result="agreed", terms="12 期"))
    chat.tap("«refused»")
    assert chat.saved().terms is None


# --- the script speaks only for the user -----------------------------------------------------------------------


def contact_screen(walk: Walkthrough, progress: Progress, lang: Lang = Lang.ZH_HANS) -> str:
    (reply,) = current_prompt(replace(progress, step=Step.CONTACT), walk, lang)
    return reply.text


def test_a_plan_is_claimed_only_when_the_user_ticked_that_they_have_one(walk):
    without = contact_screen(walk, prepared(cause="budgeting", materials=()))
    assert "‹repayment_plan.script›" not in without
    with_plan = contact_screen(walk, prepared(cause="budgeting", materials=("repayment_plan",)))
    assert "‹repayment_plan.script›" in with_plan


@pytest.mark.parametrize(
    "days",
    [pytest.param({"days": "not_yet", "days_typed": None}, id="not-yet-pressed"),
     pytest.param({"days": "not_yet", "days_typed": 0}, id="zero-typed")],
)  # fmt: skip
def test_someone_not_yet_overdue_is_not_made_to_say_they_missed_the_due_date(walk, days):
    said = contact_screen(walk, prepared(cause="missed_notice", **days))
    assert "‹script.due_soon product=«huabei»›" in said
    assert "‹script.overdue" not in said
    assert "‹missed_notice.before_due›" in said
    assert "‹missed_notice.reason›" not in said


def test_an_overdue_user_gives_the_cause_as_it_happened(walk):
    said = contact_screen(walk, prepared(cause="missed_notice"))
    assert "‹missed_notice.reason›" in said


def test_no_monthly_amount_when_the_user_does_not_know_it(walk):
    chat = Chat(walk, progress=prepared(step=Step.MONTHLY, monthly_typed=None))
    said = chat.tap("«unknown»")
    assert chat.at() is Step.CONTACT
    assert chat.saved().monthly == "unknown"
    assert "‹script.monthly" not in said


def test_without_a_channel_the_contact_screen_lists_the_ways(walk):
    said = contact_screen(walk, prepared(channel=None))
    assert "‹steps.contact.prompt how=‹steps.contact.no_channel››" in said


def test_requests_read_as_a_list_a_person_writes(walk):
    three = contact_screen(walk, prepared(requests=("longer_term", "reduce_interest", "instalments")), Lang.EN)
    expected = "«en longer_term»‹en messages.list_separator›«en reduce_interest»‹en messages.list_last›«en instalments»"
    assert expected in three
    two = contact_screen(walk, prepared(requests=("longer_term", "instalments")), Lang.EN)
    assert "«en longer_term»‹en messages.list_pair›«en instalments»" in two


def test_a_typed_number_that_is_exactly_a_range_reads_as_that_range(walk):
    (summary,) = current_prompt(Progress(step=Step.DONE, days="not_yet", days_typed=0), walk, Lang.ZH_HANS)
    assert "‹summary.days value=«not_yet»›" in summary.text
    (summary,) = current_prompt(Progress(step=Step.DONE, days="d1_30", days_typed=1), walk, Lang.ZH_HANS)
    assert "‹summary.days value=‹steps.days.typed n=1››" in summary.text


# --- choosing versus typing a number ---------------------------------------------------------------------------


@pytest.mark.parametrize("where", [Step.AMOUNT, Step.MONTHLY])
def test_a_bare_implausibly_small_amount_is_asked_about_before_it_is_recorded(walk, where):
    before = prepared(step=where, amount=None, amount_typed=None, monthly_typed=None)
    chat = Chat(walk, progress=before)
    said = chat.type("3")
    assert chat.progress == replace(before, asked=3)  # nothing recorded yet, only that 3 was asked about
    assert "‹messages.small_amount n=3›" in said
    assert chat.actions[0] == f"w:n:{where}:3"  # confirm 3 yuan …
    assert any(a.startswith(f"w:o:{where}:") for a in chat.actions)  # … or tap the option meant

    said = chat.send(Press(chat.actions[0]))
    assert chat.saved().step is not where
    assert (chat.saved().amount_typed if where is Step.AMOUNT else chat.saved().monthly_typed) == 3
    assert "‹messages.noted value=" in said


def test_a_bare_number_of_days_that_could_be_a_button_is_confirmed_first(walk):
    chat = Chat(walk, progress=Progress(step=Step.DAYS))
    buttons = len(walk.days)
    said = chat.type(str(buttons))
    assert chat.progress == Progress(step=Step.DAYS, asked=buttons)  # nothing recorded yet
    assert "‹messages.number_check value=‹steps.days.typed" in said
    assert chat.actions[0] == f"w:n:days:{buttons}"
    chat.type(str(buttons))  # typed again: meant as it is
    assert (chat.saved().days_typed, chat.at()) == (buttons, Step.AMOUNT)


def test_tapping_a_range_after_the_question_picks_the_range(walk):
    chat = Chat(walk, progress=prepared(step=Step.AMOUNT, amount=None, amount_typed=None))
    chat.type("2")
    chat.tap("«k1_plus»")
    assert (chat.saved().amount, chat.saved().amount_typed, chat.at()) == ("k1_plus", None, Step.CAUSE)


@pytest.mark.parametrize(
    ("where", "typed", "field", "value"),
    [
        pytest.param(Step.AMOUNT, "3元", "amount_typed", 3, id="an-amount-with-its-unit-is-meant"),
        pytest.param(Step.AMOUNT, "500", "amount_typed", 500, id="a-plausible-amount"),
        pytest.param(Step.DAYS, "3天", "days_typed", 3, id="three-days-with-its-unit-is-meant"),
        pytest.param(Step.DAYS, "40", "days_typed", 40, id="more-days-than-buttons"),
        pytest.param(Step.MONTHLY, "300", "monthly_typed", 300, id="a-monthly-amount"),
    ],
)
def test_plausible_or_explicit_numbers_are_recorded_at_once(walk, where, typed, field, value):
    chat = Chat(walk, progress=Progress(step=where))
    chat.type(typed)
    assert getattr(chat.saved(), field) == value
    assert chat.at() is not where


def test_a_typed_number_lands_in_its_range(walk):
    chat = Chat(walk, progress=Progress(step=Step.DAYS))
    chat.type("45")
    assert (chat.saved().days, chat.saved().days_typed, chat.at()) == ("d31_plus", 45, Step.AMOUNT)
    chat.tap(BACK)
    assert "* «d31_plus»" in chat.labels


def test_a_non_number_where_a_number_is_wanted_asks_again_without_moving(walk):
    chat = Chat(walk, progress=Progress(step=Step.AMOUNT, product="huabei"))
    before = chat.progress
    said = chat.type("我也不太清楚")
    assert chat.progress == before
    assert "‹messages.not_a_number›" in said
    assert "‹steps.amount.prompt›" in said


@pytest.mark.parametrize(
    ("progress", "text", "answer"),
    [
        pytest.param(Progress(step=Step.DAYS), "15天", True, id="days-number"),
        pytest.param(Progress(step=Step.DAYS), "逾期15天会怎样", False, id="days-question"),
        pytest.param(Progress(step=Step.MONTHLY), "每月800", True, id="monthly-amount"),
        pytest.param(Progress(step=Step.TERMS, result="agreed"), "分12期", True, id="terms-any-text"),
        pytest.param(Progress(step=Step.TERMS, result="agreed"), "   ", False, id="terms-blank"),
        pytest.param(Progress(step=Step.PRODUCT), "«jiebei»", True, id="choice-step-option-named"),
        pytest.param(Progress(step=Step.PRODUCT), "«jiebei»逾期了会怎样？", False, id="choice-step-question"),
        pytest.param(Progress(step=Step.PRODUCT), "你好", False, id="choice-step-no-option"),
        pytest.param(Progress(step=Step.DAYS, paused=True), "15", False, id="paused"),
        pytest.param(None, "15", False, id="not-in-the-walkthrough"),
    ],
)
def test_reads_as_answer_tells_answers_from_side_questions(walk, progress, text, answer):
    assert reads_as_answer(progress, text, walk) is answer


@pytest.mark.parametrize(
    ("progress", "number"),
    [
        pytest.param(Progress(step=Step.DAYS), True, id="days"),
        pytest.param(Progress(step=Step.MONTHLY), True, id="monthly"),
        pytest.param(Progress(step=Step.TERMS), False, id="terms-are-text"),
        pytest.param(Progress(step=Step.PRODUCT), False, id="a-choice"),
        pytest.param(None, False, id="none"),
    ],
)
def test_wants_number_tells_the_terminal_to_pick_buttons_by_hash(progress, number):
    assert wants_number(progress) is number


def test_terms_longer_than_the_limit_are_refused(walk):
    chat = Chat(walk, progress=Progress(step=Step.TERMS, result="agreed"))
    said = chat.type("期" * (MAX_TERMS + 1))
    assert f"‹messages.too_long max={MAX_TERMS} length={MAX_TERMS + 1}›" in said
    assert chat.progress == Progress(step=Step.TERMS, result="agreed")


def test_typed_text_naming_no_option_on_a_button_step_asks_for_a_button(walk):
    chat = Chat(walk, progress=Progress(step=Step.CHANNEL))
    said = chat.send(TypedText("嗯嗯"))
    assert "‹messages.use_buttons›" in said
    assert chat.progress == Progress(step=Step.CHANNEL)


# --- back, skip, pause, resume, cancel ------------------------------------------------------------------------


def test_back_from_the_first_step_stays_there(walk):
    chat = Chat(walk)
    chat.send(Start())
    said = chat.tap(BACK)
    assert chat.at() is Step.PRODUCT
    assert "‹messages.first_step›" in said


def test_back_returns_to_the_previous_question_with_the_answer_marked(walk):
    chat = Chat(walk)
    chat.send(Start())
    chat.tap("«jiebei»")
    chat.tap(BACK)
    assert chat.at() is Step.PRODUCT
    assert "* «jiebei»" in chat.labels
    assert NEXT in chat.labels  # answered: next keeps the answer
    chat.tap(NEXT)
    assert (chat.at(), chat.saved().product) == (Step.DAYS, "jiebei")


def test_skip_moves_on_and_forgets_an_earlier_answer_to_that_step(walk):
    chat = Chat(walk)
    chat.send(Start())
    chat.tap("«jiebei»")
    chat.tap(BACK)
    chat.tap(SKIP)
    assert (chat.at(), chat.saved().product) == (Step.DAYS, None)


def test_an_unanswered_question_offers_skip_but_not_next(walk):
    chat = Chat(walk)
    chat.send(Start())
    assert chat.labels[-3:] == [BACK, SKIP, PAUSE]


def test_pause_keeps_the_place_and_resume_continues_there(walk):
    chat = Chat(walk)
    chat.send(Start())
    chat.tap("«huabei»")
    said = chat.tap(PAUSE)
    assert "‹messages.paused›" in said
    assert chat.saved().paused
    assert not wants_text(chat.progress)  # while paused, typed text is a question for the knowledge base
    said = chat.send(Resume())
    assert not chat.saved().paused
    assert "‹steps.days.prompt›" in said


def test_a_valid_button_pressed_while_paused_continues(walk):
    chat = Chat(walk, progress=Progress(step=Step.DAYS, paused=True))
    chat.send(Press("w:o:days:d1_30"))
    assert chat.progress == Progress(step=Step.AMOUNT, days="d1_30")


@pytest.mark.parametrize(
    ("monthly", "warned"),
    [pytest.param(1500, True, id="agreed-above-what-they-can-pay"), pytest.param(2000, False, id="within-it")],
)
def test_agreed_terms_above_the_monthly_amount_the_user_can_pay_are_pointed_out(walk, monthly, warned):
    chat = Chat(walk, progress=Progress(step=Step.TERMS, result="agreed", monthly_typed=monthly))
    noted = chat.type("谈好了 分24期 每月还1800左右")
    warning = f"‹summary.terms_above_monthly agreed=1800 monthly={monthly} over={1800 - monthly}›"
    assert (warning in noted) is warned
    assert chat.progress is not None
    summary = current_prompt(replace(chat.progress, step=Step.DONE), walk, Lang.ZH_HANS)[0].text
    assert (warning in summary) is warned


@pytest.mark.parametrize(
    ("terms", "reminded"),
    [
        pytest.param("分24期 每期2600 说会发短信但是没给书面的", True, id="nothing-written-given"),
        pytest.param("電話裡口頭答應分24期", True, id="only-said-traditional"),
        pytest.param("24 instalments, not in writing yet", True, id="english"),
        pytest.param("分24期 每期2600 书面协议已经在app里看到了", False, id="in-writing"),
    ],
)
def test_terms_given_only_by_word_of_mouth_get_a_reminder_to_get_them_in_writing(walk, terms, reminded):
    chat = Chat(walk, progress=Progress(step=Step.TERMS, result="agreed"))
    noted = chat.type(terms)
    assert ("‹summary.terms_not_written›" in noted) is reminded
    assert chat.progress is not None
    summary = current_prompt(replace(chat.progress, step=Step.DONE), walk, Lang.ZH_HANS)[0].text
    assert ("‹summary.terms_not_written›" in summary) is reminded


def test_per_instalment_terms_above_what_the_user_can_keep_are_pointed_out_however_long(walk):
    """The first-user trial: 1,000 a month said, then long terms naming 2,600 an instalment and no written copy."""
    chat = Chat(walk, progress=Progress(step=Step.TERMS, result="agreed", monthly_typed=1000))
    terms = (
        "客服那边说可以给我分24期，每期大概2600左右，利息也减了一点点，第一期下个月开始还，"
        "说会发短信给我确认但是一直没给书面的，不知道这样算不算数，我自己也没敢多问什么"
    )
    assert len(terms) > SENTENCE_CHARS  # longer than a typed answer: the terms are read whole all the same
    noted = chat.type(terms)
    assert "‹summary.terms_above_monthly agreed=2600 monthly=1000 over=1600›" in noted
    assert "‹summary.terms_not_written›" in noted


@pytest.mark.parametrize(
    "terms",
    [
        pytest.param(
            "没有书面的 就电话里说的 分24期每月1700 利息没说减不减 我其实每月最多800 差的月份根本还不上",
            id="second-trial-own-limit-restated",
        ),
        pytest.param("口头说的 每期1700 分两年 我每个月只能还800 他们不管", id="only-able-to-pay-restated"),
    ],
)
def test_the_user_restating_what_they_can_pay_in_the_terms_does_not_cancel_the_warning(walk, terms):
    """The second user trial: 800 a month said, then terms naming 1,700 a month and the user's own 最多800."""
    chat = Chat(walk, progress=Progress(step=Step.TERMS, result="agreed", monthly_typed=800))
    noted = chat.type(terms)
    assert "‹summary.terms_above_monthly agreed=1700 monthly=800 over=900›" in noted


@pytest.mark.parametrize(
    ("typed", "step", "paused"),
    [
        pytest.param("‹buttons.back›", Step.RESULT, False, id="back"),
        pytest.param("‹en buttons.back›", Step.RESULT, False, id="back-in-english"),
        pytest.param("‹buttons.skip›", Step.REPAY, False, id="skip"),
        pytest.param("‹buttons.pause›", Step.TERMS, True, id="pause"),
    ],
)
def test_a_button_label_typed_at_the_terms_step_is_that_button_not_the_terms(walk, typed, step, paused):
    """The second user trial: "◀ 上一步" typed at the terms step was kept as the terms ('terms noted')."""
    chat = Chat(walk, progress=Progress(step=Step.TERMS, result="agreed"))
    replies = chat.type(typed)
    assert "‹messages.terms_noted›" not in replies
    assert chat.progress is not None
    assert (chat.progress.step, chat.progress.terms, chat.progress.paused) == (step, None, paused)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        pytest.param(
            "电话里那个客服说每月还2800 分12期 利息照算 没给我书面的 说回头发短信", True, id="regression-trial"
        ),
        pytest.param("分十二期 免息", True, id="count-and-interest"),
        pytest.param("每期1500 共24期", True, id="amount-and-count"),
        pytest.param("24 instalments, not in writing yet", True, id="english"),
        pytest.param("书面协议里要写清楚什么？", False, id="question-naming-no-amount-or-count"),
        pytest.param("有人说交两千就能帮我撤诉，然后再签协议", False, id="scam-story-naming-no-terms"),
        pytest.param("分12期", False, id="a-count-alone"),
        pytest.param("第一期什么时候还 利息怎么算", False, id="first-instalment-is-no-count"),
    ],
)
def test_terms_are_told_from_questions_by_what_they_name(walk, text, terms):
    """What the engine takes as the terms even where the scam screen or a question word hears something in them."""
    assert carries_terms(Progress(step=Step.TERMS, result="agreed"), text, walk) is terms
    assert not carries_terms(Progress(step=Step.REPAY, result="agreed"), text, walk)  # at the terms step only


def test_what_a_message_at_the_product_step_says_of_later_steps_is_carried_forward_for_them_to_confirm(walk):
    """The regression trial: "借贝逾期快4个月了 欠了3万5左右" at the product step kept the product only."""
    chat = Chat(walk, progress=Progress(step=Step.PRODUCT))
    chat.type("«jiebei»逾期快4个月了 欠了3万5左右")
    assert chat.progress == Progress(
        step=Step.DAYS, product="jiebei", days="d31_plus", days_typed=120, amount="k1_plus", amount_typed=35000
    )
    assert "* «d31_plus»" in chat.labels  # the days step is still shown, its option marked for the user to confirm
    chat.tap("‹buttons.next›")
    assert (chat.at(), chat.progress.amount_typed) == (Step.AMOUNT, 35000)


@pytest.mark.parametrize(
    ("text", "days", "amount"),
    [
        pytest.param("«jiebei»", None, None, id="the-product-alone"),
        pytest.param("«jiebei»逾期20天了", 20, None, id="days-no-debt"),
        pytest.param("«jiebei» 欠了3万5", None, 35000, id="debt-no-days"),
    ],
)
def test_only_what_the_message_says_is_carried_forward(walk, text, days, amount):
    chat = Chat(walk, progress=Progress(step=Step.PRODUCT))
    chat.type(text)
    assert chat.progress is not None
    assert (chat.progress.product, chat.progress.days_typed, chat.progress.amount_typed) == ("jiebei", days, amount)


def test_cancel_leaves(walk):
    chat = Chat(walk)
    chat.send(Start())
    said = chat.send(Cancel())  # nothing answered yet: nothing to lose, nothing asked
    assert chat.progress is None
    assert "‹messages.cancelled›" in said


def test_cancel_after_answers_asks_first_and_its_button_leaves(walk):
    chat = Chat(walk)
    chat.send(Start())
    chat.send(Press("w:o:product:huabei"))
    before = chat.saved()
    said = chat.send(Cancel())
    assert "‹messages.cancel_confirm›" in said
    assert chat.progress == replace(before, leaving=True)  # the answers kept; a yes or no typed next answers it
    assert chat.labels == ["‹buttons.cancel›", "‹buttons.resume›"]
    chat.tap("‹buttons.resume›")
    assert chat.progress == before
    chat.send(Cancel())
    said = chat.tap("‹buttons.cancel›")
    assert chat.progress is None
    assert "‹messages.cancelled›" in said


def test_guide_again_mid_way_offers_to_continue_or_restart(walk):
    chat = Chat(walk, progress=Progress(step=Step.CHANNEL, product="huabei", paused=True))
    said = chat.send(Start())
    assert "stage=‹stages.prepare› part=2 parts=4" in said
    assert chat.labels == ["‹buttons.resume›", "‹buttons.restart›"]
    chat.tap("‹buttons.resume›")
    assert chat.progress == Progress(step=Step.CHANNEL, product="huabei")


def test_restart_forgets_everything(walk):
    chat = Chat(walk, progress=Progress(step=Step.CHANNEL, product="huabei"))
    chat.send(Start())
    said = chat.tap("‹buttons.restart›")
    assert chat.progress == Progress()
    assert "‹messages.restarted›" in said


def test_guide_after_finishing_offers_the_summary_or_a_restart(walk):
    chat = Chat(walk, progress=Progress(step=Step.DONE, product="huabei"))
    said = chat.send(Start())
    assert "‹messages.finished_before›" in said
    said = chat.tap("‹buttons.resume›")
    assert "‹summary.product value=«huabei»›" in said


def test_resume_with_nothing_to_resume_offers_to_start(walk):
    chat = Chat(walk)
    said = chat.send(Resume())
    assert chat.progress is None
    assert "‹messages.not_started›" in said
    chat.tap("‹buttons.start›")
    assert chat.at() is Step.PRODUCT


# --- checklists ------------------------------------------------------------------------------------------------


def test_ticking_an_item_twice_unticks_it_and_ticks_keep_the_list_order(walk):
    chat = Chat(walk, progress=Progress(step=Step.MATERIALS))
    chat.send(Press("w:t:materials:bank_statements"))
    chat.send(Press("w:t:materials:id_card"))
    assert chat.saved().materials == ("id_card", "bank_statements")
    assert "[x] «id_card»" in chat.labels
    chat.send(Press("w:t:materials:id_card"))
    assert chat.saved().materials == ("bank_statements",)


def test_the_checklist_suggests_the_proof_matching_the_cause(walk):
    (reply,) = current_prompt(Progress(step=Step.MATERIALS, cause="income_drop"), walk, Lang.ZH_HANS)
    actions = [choice.action for choice in reply.choices]
    assert "w:t:materials:income_drop_proof" in actions
    assert "w:t:materials:repayment_plan" not in actions
    assert "‹steps.materials.count done=0 total=3›" in reply.text


def test_the_requests_step_recalls_the_situation_and_the_reason(walk):
    chat = Chat(walk, progress=prepared(step=Step.REQUESTS))
    said = chat.send(Press("w:t:requests:reduce_interest"))
    assert "‹steps.requests.situation facts=«huabei» · ‹steps.days.typed n=15› · ‹steps.amount.typed n=2000››" in said
    assert "‹steps.requests.reason cause=«income_drop» reason=‹income_drop.reason››" in said


# --- stale and forged buttons ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        pytest.param("w:o:product:huabei", id="an-option-of-an-earlier-step"),
        pytest.param("w:next:product", id="next-from-an-old-message"),
        pytest.param("w:o:agreement:yes", id="the-old-agreement-question"),
        pytest.param("w:t:id_card", id="an-old-tick"),
        pytest.param("w:t:materials:id_card", id="a-tick-outside-the-checklist"),
        pytest.param("w:n:days:abc", id="a-confirmed-number-that-is-not-one"),
        pytest.param("w:n:amount:3", id="a-confirmed-number-of-another-step"),
        pytest.param("w:o:days:d999", id="an-unknown-option"),
        pytest.param("w:o:days:d1_30:extra", id="too-many-parts"),
        pytest.param("w:goto:nowhere", id="goto-an-unknown-step"),
        pytest.param("w:", id="empty-after-prefix"),
        pytest.param("x:next", id="another-prefix"),
        pytest.param("", id="empty"),
        pytest.param("w:" + "o" * 5000, id="very-long"),
    ],
)
def test_a_stale_or_forged_press_is_answered_politely_and_changes_nothing(walk, action):
    before = Progress(step=Step.DAYS, product="huabei")
    chat = Chat(walk, progress=before)
    said = chat.send(Press(action))
    assert chat.progress == before
    assert "‹messages.stale›" in said
    assert "‹steps.days.prompt›" in said


def test_pressing_next_on_the_summary_is_stale(walk):
    chat = Chat(walk, progress=Progress(step=Step.DONE))
    chat.send(Press("w:next:done"))
    assert chat.at() is Step.DONE
    assert "‹messages.stale›" in chat.text


# --- every screen ----------------------------------------------------------------------------------------------


def _sample_progress() -> list[Progress]:
    full = prepared(result="agreed", terms="x", materials=("id_card", "repayment_plan"), cause="budgeting")
    return [replace(full, step=where) for where in Step] + [Progress(step=where) for where in Step]


def test_every_action_token_is_short_ascii_with_the_w_prefix(walk):
    for progress in _sample_progress():
        for lang in Lang:
            for reply in current_prompt(progress, walk, lang):
                for choice in reply.choices:
                    assert choice.action.startswith("w:")
                    assert choice.action.isascii()
                    assert len(choice.action.encode()) <= 40


@pytest.mark.parametrize("where", list(Step), ids=str)
def test_every_screen_fills_every_placeholder_in_every_language(walk, where):
    for progress in _sample_progress():
        for lang in Lang:
            (reply,) = current_prompt(replace(progress, step=where), walk, lang)
            assert "{" not in reply.text


def test_english_screens_use_the_english_texts(walk):
    chat = Chat(walk, Lang.EN)
    said = chat.send(Start())
    assert "‹en messages.welcome›" in said
    assert "«en huabei»" in chat.labels


# --- side questions and jumps ----------------------------------------------------------------------------------


def test_the_continue_button_under_a_side_answer_returns_to_the_same_place(walk):
    progress = Progress(step=Step.REQUESTS, cause="budgeting", paused=True)
    button = continue_choice(progress, walk, Lang.ZH_HANS)
    assert button == Choice("‹buttons.continue stage=‹stages.prepare››", "w:resume")
    chat = Chat(walk, progress=progress)
    chat.send(Press(button.action))
    assert chat.progress == replace(progress, paused=False)


@pytest.mark.parametrize(
    "progress",
    [pytest.param(None, id="not-in-the-walkthrough"), pytest.param(Progress(step=Step.DONE), id="finished")],
)
def test_no_continue_button_when_there_is_nothing_to_continue(walk, progress):
    assert continue_choice(progress, walk, Lang.ZH_HANS) is None


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        pytest.param("steps.materials", Step.MATERIALS, id="materials"),
        pytest.param("steps.channel", Step.CHANNEL, id="channel"),
        pytest.param("steps.demands", Step.REQUESTS, id="requests"),
        pytest.param("steps.agreement", Step.RESULT, id="agreement"),
        pytest.param("after.repay", Step.REPAY, id="repay"),
        pytest.param("after.records", Step.RECORDS, id="records"),
        pytest.param("after.credit", Step.CREDIT, id="credit"),
        pytest.param("impact.credit", None, id="an-entry-without-a-step"),
    ],
)
def test_knowledge_entries_map_to_their_steps(entry, where):
    assert step_for_entry(entry) is where


def test_a_jump_button_opens_the_walkthrough_at_that_step(walk):
    button = goto_choice(Step.CHANNEL, walk, Lang.ZH_HANS)
    assert button == Choice("‹buttons.goto stage=‹stages.prepare››", "w:goto:channel")
    chat = Chat(walk)
    chat.send(Press(button.action))
    assert chat.progress == Progress(step=Step.CHANNEL)


def test_goto_keeps_the_answers_and_unpauses(walk):
    chat = Chat(walk, progress=Progress(step=Step.DAYS, product="huabei", paused=True, result="agreed"))
    chat.send(Goto(Step.CREDIT))
    assert chat.progress == Progress(step=Step.CREDIT, product="huabei", result="agreed")


@pytest.mark.parametrize("target", [Step.TERMS, Step.REPAY, Step.RETRY])
def test_goto_a_screen_off_the_users_path_opens_the_result_question(walk, target):
    chat = Chat(walk)
    chat.send(Goto(target))
    assert chat.at() is Step.RESULT or (target is Step.REPAY and chat.at() is Step.TERMS)


def test_handle_tolerates_progress_with_unknown_ids(walk):
    chat = Chat(walk, progress=Progress(step=Step.REQUESTS, product="zhima", cause="war", requests=("x",)))
    said = chat.send(Resume())
    assert chat.progress == Progress(step=Step.REQUESTS)
    assert "‹steps.requests.reason_unknown›" in said


def test_the_count_of_stages_is_the_same_on_every_way(walk):
    """Refused or waiting: what to try next is the fifth stage, as the after-care is after an agreement (a count that
    went from "of 5" to "of 4" read as a step gone missing)."""
    for result, step in (("refused", Step.RETRY), ("waiting", Step.WAITING)):
        (screen,) = current_prompt(Progress(step=step, result=result), walk, Lang.ZH_HANS)
        assert "n=5 total=5 stage=‹stages.next›" in screen.text
    (screen,) = current_prompt(Progress(step=Step.RESULT, result="refused"), walk, Lang.ZH_HANS)
    assert "n=4 total=5 stage=‹stages.result›" in screen.text
    (screen,) = current_prompt(Progress(step=Step.RESULT), walk, Lang.ZH_HANS)
    assert "n=4 total=5 stage=‹stages.result›" in screen.text  # before the answer, every stage may still come
    (screen,) = current_prompt(Progress(step=Step.CREDIT, result="agreed"), walk, Lang.ZH_HANS)
    assert "n=5 total=5 stage=‹stages.aftercare›" in screen.text


@pytest.mark.parametrize(
    ("where", "typed"),
    [
        pytest.param(Step.AMOUNT, "差不多六萬台幣", id="owed-in-taiwan-dollars"),
        pytest.param(Step.AMOUNT, "6萬港幣", id="owed-in-hong-kong-dollars"),
        pytest.param(Step.AMOUNT, "about 8000 dollars", id="owed-in-dollars"),
        pytest.param(Step.MONTHLY, "每月1000港币", id="monthly-in-hong-kong-dollars"),
    ],
)
def test_an_amount_in_another_currency_is_not_recorded_and_asked_in_yuan(walk, where, typed):
    chat = Chat(walk, progress=prepared(step=where, amount=None, amount_typed=None, monthly_typed=None))
    before = chat.progress
    assert reads_as_answer(before, typed, walk)  # the step's, not a question for the knowledge base
    said = chat.type(typed)
    assert chat.progress == before  # no 60,000 yuan, no rate made up
    assert said.startswith("‹messages.foreign_currency›")
    assert f"‹steps.{where.value}.prompt›" in said


def test_an_amount_in_another_currency_said_with_the_product_is_not_carried(walk):
    chat = Chat(walk, progress=Progress(step=Step.PRODUCT))
    chat.type("«jiebei»逾期快4个月了 欠了6万台币")
    assert chat.progress == Progress(step=Step.DAYS, product="jiebei", days="d31_plus", days_typed=120)
    chat.tap("‹buttons.next›")
    assert (chat.at(), chat.saved().amount_typed) == (Step.AMOUNT, None)  # left for the step to ask in yuan


def test_dont_know_beside_a_range_gives_the_range_at_its_low_end(walk):
    chat = Chat(walk, progress=prepared(step=Step.MONTHLY, monthly_typed=None))
    said = chat.type("不知道 可能一两千吧")
    assert chat.saved().monthly_typed == 1_000  # not "don't know yet": the range was said
    assert chat.saved().monthly != "unknown"
    assert "‹messages.low_end" in said or "‹steps.monthly.low_end" in said


# --- "leave and clear your answers?" answered in words ----------------------------------------------------------


@pytest.mark.parametrize("typed", [pytest.param("算了吧", id="never-mind"), pytest.param("No", id="english")])
def test_no_typed_after_cancel_keeps_the_answers_and_shows_the_step(walk, typed):
    chat = Chat(walk, progress=prepared(step=Step.CHANNEL))
    chat.send(Cancel())
    assert chat.saved().leaving
    assert reads_as_answer(chat.progress, typed, walk)
    chat.send(TypedText(typed))
    assert chat.at() is Step.CHANNEL
    assert chat.saved() == prepared(step=Step.CHANNEL)
    assert "‹steps.channel.prompt›" in chat.text


@pytest.mark.parametrize(
    "typed", [pytest.param("对", id="yes"), pytest.param("‹buttons.cancel›", id="the-buttons-label")]
)
def test_yes_typed_after_cancel_leaves(walk, typed):
    chat = Chat(walk, progress=prepared(step=Step.CHANNEL))
    chat.send(Cancel())
    chat.send(TypedText(typed))
    assert chat.progress is None
    assert "‹messages.cancelled›" in chat.text


def test_yes_means_leave_only_right_after_the_question(walk):
    chat = Chat(walk, progress=prepared(step=Step.CHANNEL))
    chat.send(Cancel())
    chat.tap("‹buttons.resume›")
    assert not chat.saved().leaving
    assert not reads_as_answer(chat.progress, "算了", walk)
