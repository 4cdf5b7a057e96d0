"""The advisor bot end to end: real PTB over HTTP against the fake Bot API on 127.0.0.1, a real SQLite file.

Each test reads as the conversation it checks: what the user types or presses, and what they then see.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

import pytest
import yaml

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.i18n import Lang
from bot.core.matcher import Status
from bot.engine import Knowledge
from bot.storage import Storage
from bot.telegram import poller as poller_module
from bot.telegram.render import MAX_CALLBACK_BYTES
from bot.telegram.transport import USER_COMMANDS
from fakebotapi import MAX_MESSAGE_LENGTH, FakeBotAPI, utf16_len
from tests.kbfactory import CREDIT, fixture_text, write_runnable_kb
from tests.telegram.conftest import RELOADED_WITHIN, STARTED_WITHIN, AdvisorBot, Person, Seen, Setup, StartBot

ZH = Lang.ZH_HANS


@cache
def shipped() -> Knowledge:
    return Knowledge.load(DEFAULT_KNOWLEDGE_DIR)


def say(key: str, lang: Lang = ZH, **values: str) -> str:
    """A sentence of texts.yaml as the user reads it."""
    return shipped().kb.text(key, lang, **values).strip()


def guide(key: str, lang: Lang = ZH, **values: object) -> str:
    """A sentence of walkthrough.yaml as the user reads it."""
    return shipped().walkthrough.say(key, lang, **values).strip()


#: Questions tried in turn: the matcher is tuned elsewhere, so each test picks at run time one that gets what it needs.
LIKELY_ANSWERED = ["逾期了征信会受影响吗", "不还钱会被起诉吗", "欠款为什么越来越多", "能不能协商延期还款", "会怎么样"]
LIKELY_AMBIGUOUS = ["花呗", "协商", "支付宝", "分期", "逾期", "怎么还", "能不能少还点"]
OFF_TOPIC = ["今天天气怎么样", "推荐一部好看的电影", "怎么做红烧肉", "火星上有水吗"]


def question_that(wanted: Status, *, related: bool = False) -> str:
    """A question the shipped knowledge meets with `wanted` (a fallback: one no route covers either)."""
    k = shipped()
    for text in (*LIKELY_ANSWERED, *LIKELY_AMBIGUOUS, *OFF_TOPIC):
        result = k.matcher.match(text)
        if result.status is not wanted or (wanted is Status.FALLBACK and result.route is not None):
            continue
        if related and (result.entry is None or not result.entry.related):
            continue
        return text
    raise AssertionError(f"none of the candidate questions gets {wanted} from the shipped knowledge")


@cache
def progress_lines() -> tuple[re.Pattern[str], ...]:
    """The progress lines of walkthrough.yaml as patterns, however they are worded: the step number is the group."""
    marks = {"n": "\x01", "total": "\x02", "stage": "\x03", "part": "\x04", "parts": "\x05"}
    groups = {"\x01": r"(\d+)", "\x02": r"\d+", "\x03": r".+?", "\x04": r"\d+", "\x05": r"\d+"}
    patterns = []
    for key in ("messages.progress_part", "messages.progress"):  # the longer first: it is the other plus a part
        pattern = re.escape(guide(key, ZH, **marks))
        for mark, group in groups.items():
            pattern = pattern.replace(re.escape(mark), group)
        patterns.append(re.compile(pattern))
    return tuple(patterns)


def progress(message: Seen) -> int:
    for line in progress_lines():
        found = line.search(message.text)
        if found:
            return int(found.group(1))
    raise AssertionError(f"no progress line in {message.text!r}")


def assert_callback_data_fits(messages: list[Seen]) -> None:
    version = shipped().kb.version[:4]
    for message in messages:
        for label, data in message.buttons:
            assert len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES, (label, data)
            assert data.startswith(f"{version}|"), (label, data)


# -- questions ------------------------------------------------------------------------------------------------------


async def test_a_question_is_answered_with_a_bold_title_related_topics_and_a_guide_button(user: Person) -> None:
    question = question_that(Status.ANSWER, related=True)
    entry = shipped().matcher.match(question).entry
    assert entry is not None

    [answer] = await user.says(question)

    title = entry.title_in(ZH)
    assert answer.bold() == [title]
    assert answer.html.startswith(f"<b>{title}</b>\n\n")
    related = [shipped().kb.entry(other).title_in(ZH) for other in entry.related[:3]]  # type: ignore[union-attr]
    expected = [shipped().kb.text("related_label", ZH, title=title) for title in related]
    assert answer.labels[: len(related)] == expected
    assert say("guide_button") in answer.labels
    assert answer.buttons[-3][1].endswith("|g:start")
    assert [data.split("|")[1] for _, data in answer.buttons[-2:]] == [f"v:+:{entry.id}", f"v:-:{entry.id}"]  # 👍 👎
    assert_callback_data_fits([answer])

    [related_answer] = await user.presses(answer.labels[0])

    assert related_answer.kind == "message", "an answer is sent as a new message; the first one stays readable"
    assert related_answer.bold() == [related[0]]


async def ask_something_ambiguous(user: Person) -> tuple[Seen, list[str]]:
    question = question_that(Status.CLARIFY)
    candidates = [c.entry.id for c in shipped().matcher.match(question).candidates]
    [menu] = await user.says(question)
    return menu, candidates


async def test_an_ambiguous_question_offers_the_candidates_and_none_of_these(user: Person) -> None:
    menu, candidates = await ask_something_ambiguous(user)

    assert menu.text == say("clarify_prompt")
    titles = [shipped().kb.entry(c).title_in(ZH) for c in candidates]  # type: ignore[union-attr]
    assert menu.labels == [*titles, say("none_of_these")]
    assert_callback_data_fits([menu])


async def test_pressing_a_candidate_shows_that_topic(user: Person) -> None:
    menu, candidates = await ask_something_ambiguous(user)
    chosen = shipped().kb.entry(candidates[0])
    assert chosen is not None

    [answer] = await user.presses(menu.labels[0], exact=True)

    assert answer.bold() == [chosen.title_in(ZH)]
    assert chosen.answer_in(ZH).splitlines()[0] in answer.text


async def test_none_of_these_gets_the_honest_fallback(user: Person) -> None:
    await ask_something_ambiguous(user)

    [answer] = await user.presses(say("none_of_these"), exact=True)

    assert answer.text == say("fallback")


# -- the walkthrough ------------------------------------------------------------------------------------------------


async def press_in_place(user: Person, label: str, step_message: Seen) -> Seen:
    """Press a step's button; the step changes in place (the message is edited)."""
    [edited] = await user.presses(label, exact=True)
    assert (edited.kind, edited.message_id) == ("edit", step_message.message_id), "the step changes in place"
    return edited


async def test_the_whole_walkthrough_in_the_order_of_a_real_negotiation(user: Person) -> None:
    recorded: list[str] = []

    async def press_first_option(step_message: Seen) -> Seen:
        recorded.append(step_message.labels[0])
        return await press_in_place(user, step_message.labels[0], step_message)

    async def press(label: str, step_message: Seen) -> Seen:
        return await press_in_place(user, label, step_message)

    welcome, product = await user.says("/guide")
    assert welcome.text == guide("messages.welcome")
    assert progress(product) == 1
    seen_steps = [product]

    days = await press_first_option(product)  # 花呗
    seen_steps.append(days)
    noted, amount = await user.says("15天")
    assert noted.text == guide("messages.noted", value=guide("steps.days.typed", n=15))
    noted, cause = await user.says("2000元")
    assert noted.text == guide("messages.noted", value=guide("steps.amount.typed", n=2000))
    seen_steps += [amount, cause]

    materials = await press_first_option(cause)
    ticked_label = materials.labels[0]
    assert ticked_label.startswith("☐")
    [ticked] = await user.presses(ticked_label, exact=True)
    assert ticked.labels[0] == "☑" + ticked_label[1:]
    assert (ticked.kind, ticked.message_id) == ("edit", materials.message_id)
    channel = await press(guide("buttons.next"), ticked)
    requests = await press_first_option(channel)  # the Alipay app
    [chosen] = await user.presses(requests.labels[0], exact=True)
    monthly = await press(guide("buttons.next"), chosen)
    noted, contact = await user.says("800")
    assert noted.text == guide("messages.noted", value=guide("steps.monthly.typed", n=800))
    seen_steps += [materials, channel, requests, monthly, contact]

    # contact now: the opening script for the chosen channel, with the monthly amount in it
    app = shipped().walkthrough.channels[0]
    assert app.greeting.render(ZH) in contact.text
    assert guide("script.monthly", n=800) in contact.text
    result = await press(guide("buttons.contacted"), contact)
    assert guide("steps.result.prompt") in result.text
    terms = await press_first_option(result)  # we agreed
    seen_steps += [result, terms]

    noted, repay, offer = await user.says("每月还 300 元，分 12 期，免除罚息")
    assert noted.text == guide("messages.terms_noted")
    assert offer.text == say("reminder_offer")  # the terms are in: reminders for the due days, and the diary
    assert offer.labels == [say("reminder_add_button"), say("diary_new_button")]
    records = await press(guide("buttons.next"), repay)
    credit = await press(guide("buttons.next"), records)
    summary = await press(guide("buttons.next"), credit)
    seen_steps += [repay, records, credit]

    assert [progress(step) for step in seen_steps] == [1, 1, 1, 1, 2, 2, 2, 2, 3, 4, 4, 5, 5, 5]
    terms_typed = "每月还 300 元，分 12 期，免除罚息"
    typed_numbers = [guide("steps.days.typed", n=15), guide("steps.amount.typed", n=2000)]
    answers = [*recorded, *typed_numbers, ticked_label[2:], requests.labels[0][2:], terms_typed]
    assert_summary_replaced_last_step(user, summary, answers, last_step=repay)
    assert_callback_data_fits(seen_steps)


def assert_summary_replaced_last_step(user: Person, summary: Seen, answers: list[str], *, last_step: Seen) -> None:
    """The walkthrough's summary has every answer, ends with the next action, and took the last step's place."""
    assert summary.text.startswith(guide("summary.title"))
    for answer in answers:
        assert answer in summary.text
    assert summary.text.endswith(guide("summary.next_agreed")), "the summary ends with the next concrete action"
    assert guide("script.monthly", n=800) in summary.text, "… after the script"
    [step_message] = [m for m in user.fake.sent_messages(user.chat_id) if m["message_id"] == last_step.message_id]
    assert step_message["edits"], "the summary replaced the last step's message"


async def test_refused_then_resume_days_later_after_a_restart(start_bot: StartBot) -> None:
    async with start_bot() as first:
        user = Person(first, 4203)
        await user.says("/guide")
        await user.presses(shipped().walkthrough.products[1].label.render(ZH), exact=True)  # 借呗
        await user.says("40")
        await user.says("2万")
        for _ in ("cause", "materials", "channel", "requests"):
            await user.presses(guide("buttons.skip"), exact=True)
        [contact] = await user.presses(shipped().walkthrough.monthly[0].label.render(ZH), exact=True)
        assert guide("script.requests_none") in contact.text
        await user.presses(guide("buttons.contacted"), exact=True)
        [retry] = await user.presses(shipped().walkthrough.results[1].label.render(ZH), exact=True)
        assert retry.text.endswith(guide("steps.retry.prompt"))
        [paused] = await user.presses(guide("buttons.pause"), exact=True)
        assert paused.text == guide("messages.paused")

    async with start_bot() as second:  # days later, another process
        user = Person(second, 4203)
        [resumed] = await user.says("/resume")
        assert resumed.text == retry.text
        [summary] = await user.presses(guide("buttons.next"), exact=True)
        assert summary.text.endswith(guide("summary.next_refused"))
        [result] = await user.presses(guide("buttons.new_result"), exact=True)
        assert guide("steps.result.prompt") in result.text
        [terms] = await user.presses(shipped().walkthrough.results[0].label.render(ZH), exact=True)
        assert guide("steps.terms.prompt", max=500) in terms.text


async def test_a_bare_small_amount_is_asked_about_not_recorded(user: Person, setup: Setup) -> None:
    await walk_to_days(user)
    await user.says("15")
    [asked] = await user.says("3")
    assert asked.text == guide("messages.small_amount", n=3)
    typed = guide("steps.amount.typed", n=3)
    assert asked.labels[0] == guide("buttons.confirm_number", value=typed)
    async with await Storage.open(setup.database) as storage:
        session = await storage.load_session(user.user_id)
    assert session is not None
    assert session.state is not None
    assert (session.state["guide"]["step"], session.state["guide"]["amount_typed"]) == ("amount", None)

    noted, cause = await user.presses(asked.labels[0], exact=True)
    assert noted.text == guide("messages.noted", value=typed)
    assert guide("steps.cause.prompt") in cause.text


async def walk_to_days(user: Person) -> Seen:
    """/guide and press the first product: the user is at the days step."""
    await user.says("/guide")
    [days] = await user.presses(user.sees_last().labels[0], exact=True)
    assert guide("steps.days.prompt") in days.text
    return days


async def test_a_side_question_mid_walkthrough_is_answered_and_the_walkthrough_continues(user: Person) -> None:
    days = await walk_to_days(user)
    question = question_that(Status.ANSWER)

    [answer] = await user.says(question)

    assert answer.bold(), "answered from the knowledge base, not taken as the number of days"
    continue_label = guide("buttons.continue", stage=guide("stages.intake"))
    assert answer.labels[0] == continue_label
    assert say("guide_button") not in answer.labels, "no second way into the walkthrough under a side answer"

    [step] = await user.presses(continue_label, exact=True)

    assert step.text == days.text
    assert step.labels == days.labels
    assert user.fake.sent_messages(user.chat_id)[-2]["text"] == answer.text, "the side answer stays readable"


async def test_back_goes_one_step_up_and_not_past_the_first(user: Person) -> None:
    await walk_to_days(user)

    [product] = await user.presses(guide("buttons.back"), exact=True)
    assert guide("steps.product.prompt") in product.text
    assert product.labels[0].startswith("✓"), "the earlier answer is shown as chosen"

    first_step, again = await user.presses(guide("buttons.back"), exact=True)
    assert first_step.text == guide("messages.first_step")
    assert guide("steps.product.prompt") in again.text


async def test_skip_moves_on_without_recording_an_answer(user: Person, setup: Setup) -> None:
    await user.says("/guide")

    [days] = await user.presses(guide("buttons.skip"), exact=True)

    assert guide("steps.days.prompt") in days.text
    async with await Storage.open(setup.database) as storage:
        session = await storage.load_session(user.user_id)
    assert session is not None
    assert session.state is not None
    assert session.state["guide"]["step"] == "days"
    assert session.state["guide"]["product"] is None


async def test_pause_keeps_the_place_questions_still_work_and_resume_returns(user: Person) -> None:
    days = await walk_to_days(user)

    [paused] = await user.presses(guide("buttons.pause"), exact=True)
    assert paused.text == guide("messages.paused")
    [answer] = await user.says(question_that(Status.ANSWER))
    assert answer.bold()
    [resumed] = await user.says("/resume")

    assert resumed.text == days.text


async def test_cancel_leaves_the_walkthrough_and_forgets_the_answers(user: Person) -> None:
    await walk_to_days(user)

    [asked] = await user.says("/cancel")  # a product was chosen: asked first, the answers would be lost
    assert asked.text == guide("messages.cancel_confirm")
    assert asked.labels == [guide("buttons.cancel"), guide("buttons.resume")]
    [cancelled] = await user.presses(guide("buttons.cancel"), exact=True)
    assert cancelled.text == guide("messages.cancelled")
    [not_started] = await user.says("/resume")
    assert not_started.text == guide("messages.not_started")
    [nothing] = await user.says("/cancel")
    assert nothing.text == say("nothing_to_cancel")


async def test_guide_mid_walkthrough_offers_to_continue_or_start_again(user: Person) -> None:
    days = await walk_to_days(user)

    [offer] = await user.says("/guide")
    assert offer.labels == [guide("buttons.resume"), guide("buttons.restart")]
    [step] = await user.presses(guide("buttons.resume"), exact=True)
    assert step.text == days.text


# -- safety ---------------------------------------------------------------------------------------------------------


async def test_a_crisis_mid_walkthrough_gets_the_crisis_reply_and_the_walkthrough_is_kept(
    user: Person, setup: Setup
) -> None:
    days = await walk_to_days(user)

    [reply] = await user.says("欠了三万还不上，我真的不想活了")

    assert reply.text == shipped().advisor.crisis_text(ZH)
    continue_label = guide("buttons.continue", stage=guide("stages.intake"))
    assert reply.labels[0] == continue_label  # then, at most, the question the message asked, for later
    assert len(reply.labels) <= 2
    async with await Storage.open(setup.database) as storage:
        assert await storage.unmatched_report() == [], "the message is not kept"

    [step] = await user.presses(continue_label, exact=True)
    assert (step.text, step.labels) == (days.text, days.labels)


@pytest.mark.parametrize(
    ("code", "lang", "message"),
    [
        pytest.param("zh-hans", Lang.ZH_HANS, "活着好累不如死了", id="simplified"),
        pytest.param("zh-hk", Lang.ZH_HK, "做人好攰，捱唔落去", id="hong-kong"),
        pytest.param("zh-tw", Lang.ZH_HANT, "我好想自殺", id="taiwan"),
        pytest.param("en", Lang.EN, "I just want to end it all", id="english"),
    ],
)
async def test_the_crisis_reply_comes_in_the_users_language(
    advisor: AdvisorBot, code: str, lang: Lang, message: str
) -> None:
    user = Person(advisor, 4301, language_code=code)

    [reply] = await user.says(message)

    assert reply.text == shipped().advisor.crisis_text(lang)


async def test_a_scam_gets_the_warning_card_first_and_then_the_answer(user: Person) -> None:
    question = "借呗逾期了会不会影响到征信，有人要我的银行卡密码"
    card = shipped().kb.entry("safety.scams")
    answered = shipped().matcher.match(question).entry
    assert card is not None
    assert answered is not None
    assert answered is not card, "pick a question about something else"

    warning, answer = await user.says(question)

    assert warning.bold() == [card.title_in(ZH)]
    assert warning.labels == []
    assert answer.bold() == [answered.title_in(ZH)]
    assert say("guide_button") in answer.labels


async def test_asking_how_to_negotiate_with_alipay_gets_no_scam_card(user: Person) -> None:
    card = shipped().kb.entry("safety.scams")
    assert card is not None

    replies = await user.says("想问问怎么和支付宝协商还款")

    assert all(card.title_in(ZH) not in reply.bold() for reply in replies)


# -- surviving restarts ---------------------------------------------------------------------------------------------


async def test_a_restarted_bot_resumes_at_the_same_step(start_bot: StartBot) -> None:
    async with start_bot() as first:
        user = Person(first, 4202)
        await walk_to_days(user)
        [amount] = await user.presses(user.sees_last().labels[0], exact=True)

    async with start_bot() as second:
        user = Person(second, 4202)
        [resumed] = await user.says("/resume")
        assert resumed.text == amount.text
        [cause] = await user.presses(resumed.labels[0], exact=True)
        assert guide("steps.cause.prompt") in cause.text


class BotProcess:
    """`python -m bot run` as a child process against the fake, the way an admin starts it."""

    def __init__(self, fake: FakeBotAPI, database: Path, log: Path) -> None:
        self.fake, self.database, self.log = fake, database, log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "ADVISOR_"))}
        env |= {
            "TELEGRAM_BOT_TOKEN": self.fake.token,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "ADVISOR_DB": str(self.database),
        }
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=self.database.parent, stdout=log, stderr=log
            )

    async def stop(self, how: signal.Signals) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(how)
        code = await asyncio.wait_for(self.process.wait(), 15)
        self.process = None
        return code


@asynccontextmanager
async def bot_process(fake: FakeBotAPI, database: Path) -> AsyncIterator[BotProcess]:
    """A bot process on fixture knowledge, through a config.yaml in its working folder as an admin would write it:
    each start-up then reads a few small files, where the shipped base is seconds of CPU to build."""
    knowledge = write_runnable_kb(database.parent / "knowledge")
    (database.parent / "config.yaml").write_text(yaml.safe_dump({"knowledge": {"path": str(knowledge)}}), "utf-8")
    process = BotProcess(fake, database, database.with_suffix(".log"))
    try:
        yield process
    finally:
        if process.process is not None and process.process.returncode is None:
            process.process.kill()
            await process.process.wait()


async def test_a_bot_killed_with_sigkill_resumes_at_the_last_confirmed_step(setup: Setup) -> None:
    fake, chat = setup.fake, 4203

    async def press_first(timeout: float = 10.0) -> str:  # noqa: ASYNC109
        record = fake.last_message(chat)
        assert record is not None
        button = record["reply_markup"]["inline_keyboard"][0][0]
        update_id = fake.inject_callback(chat, button["callback_data"], message_id=record["message_id"])
        confirmed = await fake.wait_for_reply(update_id, timeout=timeout)
        assert confirmed.message is not None
        return str(confirmed.message["text"])

    async with bot_process(fake, setup.database) as bot:
        await bot.start()
        fake.inject_message(chat, "/guide")
        await fake.wait_for_messages(chat, 2, timeout=STARTED_WITHIN)
        await press_first()  # product → days
        await press_first()  # days → amount
        last_confirmed = await press_first()  # amount → cause
        code = await bot.stop(signal.SIGKILL)  # right after the confirmation arrived
        assert code == -signal.SIGKILL
        assert fixture_text("steps.cause.prompt")["zh-hans"] in last_confirmed

        await bot.start()
        resume = fake.inject_message(chat, "/resume")
        resumed = await fake.wait_for_reply(resume, timeout=STARTED_WITHIN)
        assert resumed.message is not None
        assert resumed.message["text"] == last_confirmed, bot.log.read_text()
        assert await bot.stop(signal.SIGTERM) == 0, bot.log.read_text()


# -- privacy --------------------------------------------------------------------------------------------------------


async def test_forget_erases_progress_and_unanswered_questions_after_confirmation(user: Person, setup: Setup) -> None:
    await walk_to_days(user)
    await user.says(question_that(Status.FALLBACK))
    async with await Storage.open(setup.database) as storage:
        assert await storage.load_session(user.user_id) is not None
        for _ in range(60):  # unanswered questions are written in batches, within about a second
            if (await storage.stats()).unmatched == 1:
                break
            await asyncio.sleep(0.05)
        assert (await storage.stats()).unmatched == 1

    [confirm] = await user.says("/forget")
    assert confirm.text == say("forget_confirm")
    assert confirm.labels == [say("forget_yes"), say("forget_no")]
    [done] = await user.presses(say("forget_yes"), exact=True)

    assert done.text == say("forgotten")
    async with await Storage.open(setup.database) as storage:
        assert await storage.load_session(user.user_id) is None
        assert (await storage.stats()).unmatched == 0
        assert await storage.unmatched_report() == []
    [not_started] = await user.says("/resume")
    assert not_started.text == guide("messages.not_started")


async def test_forget_can_be_called_off(user: Person, setup: Setup) -> None:
    await walk_to_days(user)

    await user.says("/forget")
    [kept] = await user.presses(say("forget_no"), exact=True)

    assert kept.text == say("forget_cancelled")
    async with await Storage.open(setup.database) as storage:
        assert await storage.load_session(user.user_id) is not None


async def test_privacy_says_what_is_stored_and_offers_to_delete_it(user: Person) -> None:
    [privacy] = await user.says("/privacy")

    assert privacy.text == say("privacy")
    assert privacy.labels == [say("forget_button")]
    [confirm] = await user.presses(say("forget_button"), exact=True)
    assert confirm.text == say("forget_confirm")


async def test_logs_never_contain_what_users_wrote(user: Person, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    question, unanswerable, terms = question_that(Status.ANSWER), question_that(Status.FALLBACK), "每月还三百元共十二期"

    await user.says(question)
    await user.says(unanswerable)
    await user.says("/guide")
    await user.presses(guide("buttons.skip"), exact=True)  # product
    await user.says("15天")
    await user.says("2000元")
    for _ in ("cause", "materials", "channel", "requests", "monthly"):
        await user.presses(guide("buttons.skip"), exact=True)
    await user.presses(guide("buttons.contacted"), exact=True)
    await user.presses(shipped().walkthrough.results[0].label.render(ZH), exact=True)
    [noted, *_] = await user.says(terms)
    assert noted.text == guide("messages.terms_noted"), "the terms went into the walkthrough (and the database)"
    assert caplog.records, "nothing was logged at all: the check below would prove nothing"

    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    for private in (question, unanswerable, terms, "15天", "2000元", user.fake.token):
        assert private not in logged


# -- what the bot cannot read ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(lambda fake, user: fake.inject_sticker(user), id="sticker"),
        pytest.param(lambda fake, user: fake.inject_photo(user), id="photo"),
        pytest.param(lambda fake, user: fake.inject_photo(user, caption="看看这张截图"), id="photo-with-caption"),
        pytest.param(lambda fake, user: fake.inject_voice(user), id="voice"),
        pytest.param(lambda fake, user: fake.inject_location(user), id="location"),
        pytest.param(lambda fake, user: fake.inject_document(user), id="document"),
    ],
)
async def test_non_text_messages_get_the_i_can_read_text_reply(
    user: Person, send: Callable[[FakeBotAPI, int], int]
) -> None:
    [reply] = await user.answered(send(user.fake, user.user_id))

    assert reply.text == say("non_text")


# -- buttons that are not (or no longer) ours -----------------------------------------------------------------------


def _version() -> str:
    return shipped().kb.version[:4]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: "garbage", id="no-version-separator"),
        pytest.param(lambda: "x|zz:…", id="non-ascii-action"),
        pytest.param(lambda: "|", id="only-a-separator"),
        pytest.param(lambda: f"{_version()}|", id="empty-action"),
        pytest.param(lambda: f"{_version()}|zz", id="action-without-kind"),
        pytest.param(lambda: f"{_version()}|e:no.such.topic", id="unknown-topic"),
        pytest.param(lambda: f"{_version()}|l:klingon", id="unknown-language"),
        pytest.param(lambda: f"{_version()}|f:maybe", id="unknown-forget-answer"),
        pytest.param(lambda: "0000|e:impact.credit", id="another-knowledge-version"),
        pytest.param(lambda: "0000|f:yes", id="stale-forget-confirmation-does-not-erase"),
        pytest.param(lambda: f"{_version()}|w:o:days", id="walkthrough-option-without-its-value"),
        pytest.param(lambda: f"{_version()}|e:" + "x" * 60, id="longer-than-a-button-holds"),
    ],
)
async def test_forged_and_stale_buttons_get_menu_expired_and_the_current_menu(
    user: Person, setup: Setup, data: Callable[[], str]
) -> None:
    await user.says("/language zh-hans")  # something stored, so an erroneous erase would show

    expired, menu = await user.presses_data(data(), message_id=1)

    assert expired.text == say("menu_expired")
    assert menu.text == say("help")
    assert menu.buttons == ((say("guide_button"), f"{_version()}|g:start"),)
    assert user.fake.callback_answer(user.sent[-1]) is not None, "the press was answered (no spinning button)"
    async with await Storage.open(setup.database) as storage:
        assert await storage.load_session(user.user_id) is not None


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: "0000|w:next:days", id="another-knowledge-version"),
        pytest.param(lambda: f"{_version()}|w:o:product:huabei", id="a-button-of-an-earlier-step"),
        pytest.param(lambda: f"{_version()}|w:o:days:no_such_range", id="an-option-that-does-not-exist"),
        pytest.param(lambda: f"{_version()}|w:teleport", id="an-unknown-walkthrough-action"),
    ],
)
async def test_a_stale_button_mid_walkthrough_shows_the_current_step(user: Person, data: Callable[[], str]) -> None:
    days = await walk_to_days(user)

    *notice, step = await user.presses_data(data(), message_id=1)

    assert [n.text for n in notice] in ([say("menu_expired")], [guide("messages.stale")])
    assert step.text == days.text
    assert step.labels == days.labels


async def test_buttons_from_before_a_knowledge_reload_are_stale(setup: Setup, start_bot: StartBot) -> None:
    # Fixture knowledge: the /reload builds it in a child process, which for the shipped base is seconds of CPU.
    knowledge = setup.knowledge = write_runnable_kb(setup.tmp_path / "knowledge")
    before = Knowledge.load(knowledge).kb
    label = before.text("related_label", ZH, title="")
    setup.admin_ids = (4204,)
    async with start_bot() as advisor:
        user = Person(advisor, 4204)
        [answer] = await user.says(CREDIT[0])  # the fixture's impact.credit, related to respond.negotiate
        assert answer.labels[0].startswith(label)
        texts = knowledge / "texts.yaml"
        texts.write_text(texts.read_text(encoding="utf-8") + "\n# edited by an admin\n", encoding="utf-8")
        texts.write_text(texts.read_text(encoding="utf-8").replace(label, f"改过的{label}"), encoding="utf-8")

        [reloaded] = await user.says("/reload", within=RELOADED_WITHIN)
        assert reloaded.text.startswith("Knowledge reloaded")
        new_version = reloaded.text.split("version ")[1][:4]
        assert new_version != before.version[:4]

        expired, menu = await user.presses_data(answer.buttons[0][1], answer.message_id)
        assert expired.text == before.text("menu_expired", ZH)
        assert menu.buttons[0][1].startswith(f"{new_version}|")
        [fresh] = await user.says(CREDIT[0])
        assert fresh.labels[0].startswith(f"改过的{label}")


async def test_admin_commands_are_unknown_to_other_users(user: Person) -> None:
    unknown, help_text = await user.says("/reload")

    assert unknown.text == say("unknown_command")
    assert help_text.text == say("help")


# -- groups ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def group_member(advisor: AdvisorBot) -> Person:
    return Person(advisor, 4205, chat_type="group")


async def test_in_a_group_plain_messages_are_left_alone(group_member: Person) -> None:
    assert await group_member.says(question_that(Status.ANSWER)) == []
    assert await group_member.answered(group_member.fake.inject_sticker(4205, chat_id=-4205, chat_type="group")) == []


async def test_in_a_group_a_mention_is_answered_with_a_hint_to_talk_privately(group_member: Person) -> None:
    question = question_that(Status.ANSWER)

    answer, hint = await group_member.says(f"@{group_member.fake.bot_username} {question}")

    assert answer.bold() == [shipped().matcher.match(question).entry.title_in(ZH)]  # type: ignore[union-attr]
    assert hint.text == say("group_hint")


# -- languages ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "wording"), [("zh-hant", Lang.ZH_HANT), ("zh-tw", Lang.ZH_HANT), ("zh-hk", Lang.ZH_HK)]
)
async def test_a_traditional_chinese_user_reads_traditional_chinese(
    advisor: AdvisorBot, code: str, wording: Lang
) -> None:
    user = Person(advisor, 4206, language_code=code)

    [greeting] = await user.says("/start")
    [answer] = await user.says("逾期了徵信會受影響嗎")

    for text in (greeting.text, answer.text):
        assert "還" in text
        assert "还" not in text
    assert greeting.text == say("greeting", wording)
    assert answer.bold() == [shipped().kb.entry("impact.credit").title_in(wording)]  # type: ignore[union-attr]


async def test_a_chinese_message_from_an_english_telegram_is_answered_in_chinese(advisor: AdvisorBot) -> None:
    user = Person(advisor, 4209, language_code="en")  # Telegram has no Chinese interface: many use it in English

    [greeting] = await user.says("/start")
    [answer] = await user.says("逾期了征信会受影响吗")
    [still] = await user.says("ok")  # tells no language: the conversation keeps its own
    welcome, _step = await user.says("/guide")

    assert greeting.text == say("greeting", Lang.EN)  # before anything typed: Telegram's language
    assert answer.bold() == [shipped().kb.entry("impact.credit").title_in(ZH)]  # type: ignore[union-attr]
    assert say("guide_button") in answer.labels  # the buttons too
    assert still.text == say("courtesy_thanks")
    assert welcome.text == guide("messages.welcome")  # and the walkthrough

    # Back to English: one short English line is answered in the conversation's Chinese, the second in a row (or a
    # whole sentence, SWITCH_WORDS words) in English.
    [first, *_] = await user.says("Will my credit suffer?")
    assert re.search(r"[\u4e00-\u9fff]", first.text)
    [english, *_] = await user.says("Can they take me to court over this?")
    assert not re.search(r"[\u4e00-\u9fff]", "\n".join([english.text, *english.labels]))


async def test_a_traditional_message_is_answered_in_traditional_and_the_walkthrough_follows(
    advisor: AdvisorBot,
) -> None:
    user = Person(advisor, 4210, language_code="zh-hans")

    [answer] = await user.says("逾期了徵信會受影響嗎")
    welcome, _step = await user.says("/guide")

    assert answer.bold() == [shipped().kb.entry("impact.credit").title_in(Lang.ZH_HANT)]  # type: ignore[union-attr]
    assert welcome.text == guide("messages.welcome", Lang.ZH_HANT)


async def test_the_language_chosen_wins_over_what_is_typed(advisor: AdvisorBot) -> None:
    user = Person(advisor, 4211, language_code="zh-hans")

    await user.says("/language en")
    [answer] = await user.says("逾期了征信会受影响吗")

    assert answer.bold() == [shipped().kb.entry("impact.credit").title_in(Lang.EN)]  # type: ignore[union-attr]


async def test_an_english_user_reads_english(advisor: AdvisorBot) -> None:
    user = Person(advisor, 4207, language_code="en")

    [greeting] = await user.says("/start")
    welcome, step = await user.says("/guide")
    [edited] = await user.presses(step.labels[0], exact=True)

    assert greeting.text == say("greeting", Lang.EN)
    assert welcome.text == guide("messages.welcome", Lang.EN)
    assert guide("steps.days.prompt", Lang.EN) in edited.text


async def test_language_command_overrides_telegram_and_survives_a_restart(start_bot: StartBot) -> None:
    async with start_bot() as first:
        [chosen] = await Person(first, 4208, language_code="zh-hans").says("/language en")
        assert chosen.text == say("language_set", Lang.EN, language="English")

    async with start_bot() as second:
        user = Person(second, 4208, language_code="zh-hans")
        [help_text] = await user.says("/help")
        assert help_text.text == say("help", Lang.EN)
        welcome, _ = await user.says("/guide")
        assert welcome.text == guide("messages.welcome", Lang.EN)


async def test_language_menu_switches_to_traditional_chinese(user: Person) -> None:
    [menu] = await user.says("/language")
    assert menu.labels == ["简体中文", "繁體中文", "English"]

    await user.presses("繁體中文", exact=True)
    [help_text] = await user.says("/help")

    assert help_text.text == say("help", Lang.ZH_HANT)
    assert help_text.text != say("help")


# -- when the network misbehaves ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(lambda fake: fake.fail_next("sendMessage", 1, status=500), id="server-error-once"),
        pytest.param(
            lambda fake: fake.fail_next("sendMessage", 1, status=502, description="Bad Gateway"), id="bad-gateway-once"
        ),
        pytest.param(lambda fake: fake.rate_limit_next("sendMessage", 1, retry_after=1), id="flood-wait-once"),
    ],
)
async def test_every_message_is_answered_despite_one_failed_send(
    user: Person, fault: Callable[[FakeBotAPI], None]
) -> None:
    fault(user.fake)

    [answer] = await user.says(question_that(Status.ANSWER))

    assert answer.bold()
    assert [call.ok for call in user.fake.calls("sendMessage")] == [False, True]


async def test_without_a_rate_limiter_a_flood_wait_is_still_waited_out(setup: Setup, start_bot: StartBot) -> None:
    setup.throttle = False
    async with start_bot() as bot:
        assert bot.app.bot.rate_limiter is None
        user = Person(bot, 4299)
        setup.fake.rate_limit_next("sendMessage", 1, retry_after=1)
        [answer] = await user.says(question_that(Status.ANSWER))
        assert answer.bold()
        assert [call.status for call in setup.fake.calls("sendMessage")] == [429, 200]


async def test_a_flood_wait_that_never_ends_is_tried_attempts_times_then_counted(
    setup: Setup, start_bot: StartBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup.admin_ids = (4290,)
    setup.telegram = {"retry": {"attempts": 2}}  # each flood wait is a real second: two tries keep it to three
    monkeypatch.setattr(poller_module, "RETRY_WAIT", 0.1)  # the pause between attempts at the update: not the point
    async with start_bot(expect_errors=True) as bot:
        assert bot.app.bot.rate_limiter is not None  # the production limiter adds no retries of its own
        setup.fake.rate_limit_next("sendMessage", 6, retry_after=1)
        update_id = Person(bot, 4291).type(question_that(Status.ANSWER))
        await setup.fake.wait_for(lambda: setup.fake.confirmed(update_id) or None, timeout=30)
        # Two tries of the send at each of the three attempts at the update (bot.telegram.poller), then counted.
        assert [call.status for call in setup.fake.calls("sendMessage")] == [429] * 6
        assert len(bot.errors) == 2, "the two attempts that will be tried again fail; the last one counts it"
        [stats] = await Person(bot, 4290).says("/stats")
    assert f"replies not sent 1 (updates {update_id})" in stats.text
    assert question_that(Status.ANSWER) not in stats.text


async def test_a_reply_whose_answer_was_lost_is_not_sent_twice(setup: Setup, start_bot: StartBot) -> None:
    setup.admin_ids = (4292,)
    async with start_bot() as bot:
        user = Person(bot, 4293)
        setup.fake.drop_next("sendMessage", 1, after_processing=True)
        answers = await user.answered(user.type(question_that(Status.ANSWER)))
        assert len(answers) == 1  # it arrived once, and was not sent again
        assert [call.status for call in setup.fake.calls("sendMessage")] == [0]
        [stats] = await Person(bot, 4292).says("/stats")
    assert "sent without confirmation 1" in stats.text


async def test_polling_survives_a_bad_gateway(advisor: AdvisorBot, user: Person) -> None:
    fake = advisor.fake
    fake.fail_next("getUpdates", 1, status=502, description="Bad Gateway")
    await fake.wait_for(lambda: any(call.status == 502 for call in fake.calls("getUpdates")))

    [answer] = await user.says(question_that(Status.ANSWER))

    assert answer.bold()
    assert advisor.polling_errors == []  # the 502 was tried again inside the request (one retry policy)
    assert all(record["text"] != say("error_apology") for record in fake.sent_messages())


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(lambda fake: None, id="smooth"),
        pytest.param(lambda fake: fake.fail_next("sendMessage", 1, status=500), id="first-send-fails"),
    ],
)
async def test_a_burst_from_one_user_is_answered_in_order(user: Person, fault: Callable[[FakeBotAPI], None]) -> None:
    first, second = "逾期了征信会受影响吗", "不还钱会被起诉吗"
    expected = [
        *(shipped().matcher.match(q).entry.title_in(ZH) for q in (first, second)),  # type: ignore[union-attr]
        say("privacy"),
        say("help"),
        say("greeting"),
    ]
    fault(user.fake)

    update_ids = [user.type(text) for text in (first, second, "/privacy", "/help", "/start")]
    await user.bot.until_handled(*update_ids)

    sent = [record["text"] for record in user.fake.sent_messages(user.chat_id)]
    assert len(sent) == len(expected)
    assert all(text.startswith(start) for text, start in zip(sent, expected, strict=True)), [t[:12] for t in sent]


async def test_many_users_at_once_are_all_answered(advisor: AdvisorBot) -> None:
    users = [Person(advisor, 5000 + n) for n in range(20)]
    question = question_that(Status.ANSWER)

    answers = await asyncio.gather(*(user.says(question) for user in users))

    assert all(len(answer) == 1 and answer[0].bold() for answer in answers)


async def test_a_double_press_on_a_step_applies_once(user: Person) -> None:
    """Two quick presses of "skip" on the same step message: the second is stale, not a second skip."""
    _, product = await user.says("/guide")
    skip = dict(product.buttons)[guide("buttons.skip")]

    first, second = user.tap(skip, product.message_id), user.tap(skip, product.message_id)
    await user.bot.until_handled(first, second)

    [resumed] = await user.says("/resume")
    assert guide("steps.days.prompt") in resumed.text


# -- the command menu -----------------------------------------------------------------------------------------------


async def test_commands_are_registered_for_every_language(advisor: AdvisorBot) -> None:
    default_scope = '{"type": "default"}'

    for code, lang in (("", ZH), ("zh", ZH), ("en", Lang.EN)):
        commands = advisor.fake.commands[(default_scope, code)]
        assert [c["command"] for c in commands] == list(USER_COMMANDS)
        assert len({c["command"] for c in commands}) == len(commands)  # each once
        assert [c["description"] for c in commands] == [say(f"command_{name}", lang) for name in USER_COMMANDS]


# -- long answers ---------------------------------------------------------------------------------------------------


LONG_EXAMPLES = [
    "长答案测试问题",
    "请给我看长答案",
    "长答案是什么",
    "我要看很长的回答",
    "显示长答案",
    "长篇回答测试",
    "超长回答",
    "给我一个长答案",
]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(
            "第{n}条：逾期后要尽早联系官方客服，说明情况 & 保存记录 <重要>。", id="chinese-with-html-specials"
        ),
        pytest.param("👉🏻📌💡 {n} 👉🏻📌💡👉🏻📌💡👉🏻📌💡", id="emoji-heavy-counts-utf16-like-telegram"),
    ],
)
async def test_a_very_long_answer_is_split_into_messages_within_telegrams_limit(
    setup: Setup, start_bot: StartBot, line: str
) -> None:
    knowledge = setup.own_knowledge()
    paragraphs = ["\n".join(line.format(n=f"{p}.{n}") for n in range(12)) for p in range(40)]
    answer = "\n\n".join(paragraphs)
    assert utf16_len(answer) > 2 * MAX_MESSAGE_LENGTH
    long_entry = {
        "id": "about.long",
        "section": "9.9",
        "title": {"zh-hans": "很长的回答", "en": "A long answer"},
        "answer": {"zh-hans": answer, "en": answer},
        "examples": LONG_EXAMPLES,
        "keywords": ["长答案"],
    }
    (knowledge / "entries" / "long.yaml").write_text(
        yaml.safe_dump({"entries": [long_entry]}, allow_unicode=True), encoding="utf-8"
    )

    async with start_bot() as advisor:
        pieces = await Person(advisor, 4209).says("长答案测试问题")

    assert len(pieces) >= 3
    assert all(utf16_len(piece.text) <= MAX_MESSAGE_LENGTH for piece in pieces)
    assert pieces[0].bold() == ["很长的回答"]
    assert all(not piece.buttons for piece in pieces[:-1])
    assert pieces[-1].labels == [say("guide_button"), say("feedback_up"), say("feedback_down")]
    shown = "".join(piece.text for piece in pieces).removeprefix("很长的回答")
    assert re.sub(r"\s", "", shown) == re.sub(r"\s", "", answer), "nothing lost or doubled at the cuts"


# -- starting from the command line ---------------------------------------------------------------------------------


async def run_cli(tmp_path: Path, env: dict[str, str], timeout: float = 20.0) -> tuple[int, str]:  # noqa: ASYNC109
    base = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "ADVISOR_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=base | env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, output.decode("utf-8", "replace")


async def test_run_without_a_token_exits_with_a_clear_message(tmp_path: Path) -> None:
    code, output = await run_cli(tmp_path, {"ADVISOR_DB": str(tmp_path / "db.sqlite3")})

    assert code != 0
    assert "TELEGRAM_BOT_TOKEN" in output
    assert "Traceback" not in output


async def test_run_with_a_token_telegram_rejects_exits_with_a_clear_message(
    tmp_path: Path, fake_api: FakeBotAPI
) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "987654321:RevokedTokenRevokedTokenRevoked",
        "TELEGRAM_API_BASE_URL": fake_api.base_url,
        "ADVISOR_DB": str(tmp_path / "db.sqlite3"),
    }

    code, output = await run_cli(tmp_path, env)

    assert code != 0
    assert output.strip().splitlines()[-1] == "error: Telegram rejected the token; check TELEGRAM_BOT_TOKEN"
    assert "RevokedToken" not in output, "the token is never printed, not even in PTB's traceback"


@pytest.mark.parametrize(
    ("question", "entry_id", "must_say"),
    [
        pytest.param("逾期的钱该在哪还", "route.where_to_repay", "95188", id="where-to-repay"),
        pytest.param("支付宝客服电话是多少", "steps.channel", "95188", id="the-official-hotline"),
        pytest.param("逾期了坐火车坐飞机受影响吗", "impact.credit", "火车", id="travel"),
        pytest.param("花呗逾期了会影响我老公贷款吗", "impact.credit", "家人贷款", id="a-family-members-loan"),
    ],
)
async def test_answers_users_need(user: Person, question: str, entry_id: str, must_say: str) -> None:
    entry = shipped().kb.entry(entry_id)
    assert entry is not None
    [answer] = await user.says(question)
    assert answer.bold() == [entry.title_in(ZH)]
    assert must_say in answer.text
