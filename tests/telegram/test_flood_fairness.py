"""One user flooding the bot gets a burst of answers, one slow-down note and then silence; others are answered."""

from __future__ import annotations

import re

from tests.telegram.conftest import Person, Setup, StartBot
from tests.telegram.test_advisor_bot import ZH, say, shipped

FLOOD = 60


async def test_a_flooder_gets_the_burst_and_one_note_while_someone_else_is_answered(
    setup: Setup, start_bot: StartBot
) -> None:
    setup.admin_ids = (4502,)
    setup.budget = True  # as in production: a burst of 10, then one a second
    async with start_bot() as advisor:
        flooder, other, admin = Person(advisor, 4501), Person(advisor, 4503), Person(advisor, 4502)
        flood = [flooder.type("花呗逾期了征信会受影响吗") for _ in range(FLOOD)]
        asked = other.type("逾期了征信会受影响吗")
        await advisor.until_handled(asked)
        # Messages past the budget are dropped unread (never handled), and confirmed to Telegram all the same.
        await advisor.fake.wait_for(lambda: all(map(advisor.fake.confirmed, flood)) or None, timeout=10)
        answered = advisor.answers(asked)
        [stats] = await admin.says("/stats")

    texts = [message["text"] for message in advisor.fake.sent_messages(4501)]
    assert texts.count(say("slow_down")) == 1
    assert 10 <= len(texts) - 1 <= 12  # the burst of 10, and at most a refill or two while the flood is read
    assert answered
    assert f"{FLOOD - (len(texts) - 1)} messages dropped, 1 slow-down notes" in stats.text


async def test_a_persons_fast_button_presses_are_all_handled_under_the_production_budget(
    setup: Setup, start_bot: StartBot
) -> None:
    setup.admin_ids = (4512,)
    setup.budget = True  # a burst of 10, then one a second
    async with start_bot() as advisor:
        fake, person, admin = advisor.fake, Person(advisor, 4511), Person(advisor, 4512)
        for text in ("我想先问一下还款的事", "这个会怎么样呢"):  # a person who has been asking first
            assert await person.says(text)
        *_, step = await person.says("/guide")
        buttons = [data for _, data in step.buttons]
        # Five taps at once on the step's buttons (the fastest a thumb can go, and then some): 5 taps in 2 s.
        taps = [person.tap(buttons[n % len(buttons)], step.message_id) for n in range(5)]
        await advisor.until_handled(*taps)
        [stats] = await admin.says("/stats")

    for tap in taps:
        assert fake.callback_answer(tap) is not None, f"press {tap} was dropped (its spinner never stopped)"
    texts = [message["text"] for message in fake.sent_messages(4511)]
    assert say("slow_down") not in texts
    assert "over the message budget: 0 messages dropped, 0 slow-down notes" in stats.text


async def test_a_press_dropped_by_the_budget_is_answered_so_its_spinner_stops(
    setup: Setup, start_bot: StartBot
) -> None:
    setup.admin_ids = (4522,)
    setup.budget = True  # a burst of 10, then one a second
    async with start_bot() as advisor:
        fake, person, admin = advisor.fake, Person(advisor, 4521), Person(advisor, 4522)
        *_, step = await person.says("/guide")
        buttons = [data for _, data in step.buttons]
        taps = [person.tap(buttons[n % len(buttons)], step.message_id) for n in range(15)]  # past the burst
        await advisor.until_handled(*taps)
        [stats] = await admin.says("/stats")

    unanswered = [tap for tap in taps if fake.callback_answer(tap) is None]
    assert unanswered == [], f"presses {unanswered} were left spinning"
    over = re.search(r"(\d+) messages dropped, 1 slow-down notes", stats.text)
    assert over is not None, stats.text
    assert 4 <= int(over.group(1)) <= 6  # 15 presses after /guide: 9 left of the burst, and a refill or two
    texts = [message["text"] for message in fake.sent_messages(4521)]
    assert texts.count(say("slow_down")) == 1


async def test_a_flood_of_presses_waits_behind_nobody_else(setup: Setup, start_bot: StartBot) -> None:
    """Dropped presses are answered one at a time and only so many: the flooder never fills the outgoing limiter."""
    setup.budget = True
    presses = 90  # one getUpdates batch, with the other user's question behind it
    async with start_bot() as advisor:
        fake, flooder, other = advisor.fake, Person(advisor, 4531), Person(advisor, 4532)
        fake.delay("answerCallbackQuery", 0.1)  # answers take a while, as over a real network
        flood = [flooder.tap("x", 1) for _ in range(presses)]
        asked = other.type("逾期了征信会受影响吗")
        await advisor.until_handled(asked, *flood)

    answers = [fake.callback_answer(tap) for tap in flood]
    answered = sum(answer is not None for answer in answers)
    assert 10 + 20 <= answered <= 10 + 3 + 20 + 1, answered  # the burst (and refills), then the waiting ones
    [reply, *_] = fake.replies_to(asked)
    last_answer = max(call.at for call in fake.calls("answerCallbackQuery"))
    assert reply.at < last_answer, "the other user's answer waited behind the flooder's presses"


async def test_someone_in_crisis_typing_fast_past_the_budget_gets_the_crisis_reply(
    setup: Setup, start_bot: StartBot
) -> None:
    setup.budget = True  # a burst of 10, then one a second
    async with start_bot() as advisor:
        person = Person(advisor, 4541)
        lines = [person.type(line) for line in ("我", "真的", "钱还不上", "家里也知道了", "怎么办") * 3]  # 15 lines
        last = person.type("我不想活了")  # the sixteenth: past the burst
        await advisor.until_handled(last)
        await advisor.fake.wait_for(lambda: all(map(advisor.fake.confirmed, lines)) or None, timeout=10)

    texts = [message["text"] for message in advisor.fake.sent_messages(4541)]
    assert texts[-1] == shipped().advisor.crisis_text(ZH)
    assert say("slow_down") in texts  # the lines past the burst before it were dropped, with the note


async def test_a_flood_of_crisis_words_is_not_screened_message_by_message(setup: Setup, start_bot: StartBot) -> None:
    """Past the budget, only as many messages as a second budget allows go through the crisis screen."""
    setup.budget = True
    flood = 200
    async with start_bot() as advisor:
        flooder = Person(advisor, 4551)
        sent = [flooder.type("我不想活了") for _ in range(flood)]
        await advisor.fake.wait_for(lambda: all(map(advisor.fake.confirmed, sent)) or None, timeout=15)

    answered = [message for message in advisor.fake.sent_messages(4551) if message["text"] != say("slow_down")]
    assert 10 + 10 <= len(answered) <= 10 + 10 + 6  # the burst, the second budget's burst, a few refills
