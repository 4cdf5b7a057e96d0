"""/plan end to end in Telegram: real PTB over HTTP against the fake Bot API, a real SQLite file, the chart uploaded."""

from __future__ import annotations

from functools import cache

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.i18n import Lang
from bot.core.plantexts import PlanTexts, load_plan_texts
from tests.telegram.conftest import Person, StartBot

ZH = Lang.ZH_HANS


@cache
def texts() -> PlanTexts:
    return load_plan_texts(DEFAULT_KNOWLEDGE_DIR / "plan.yaml")


def plan(key: str, lang: Lang = ZH, **values: object) -> str:
    """A sentence of plan.yaml as the user reads it."""
    return texts().say(key, lang, **values)


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


async def test_a_plan_ends_with_the_result_and_its_chart_as_a_photo(user: Person) -> None:
    intro, owed = await user.says("/plan")
    assert intro.text == plan("messages.intro")
    assert owed.text == plan("questions.owed")
    assert owed.labels == [plan("buttons.skip"), plan("buttons.stop")]

    [income] = await user.says("3万1千")
    assert income.text == plan("questions.income")
    [asked_again] = await user.says("-200")
    assert asked_again.text == f"{plan('problems.negative')}\n\n{plan('questions.income')}"
    for typed in ("8k", "五千", "500"):
        await user.says(typed)
    result, photo = await user.presses(plan("buttons.skip"))

    assert result.bold() == [plan("result.title")]
    assert plan("verdicts.fits", months=13) in result.text
    assert plan("result.no_interest") in result.text
    assert result.labels == [plan("buttons.again")]
    sent = user.fake.last_message(user.chat_id)
    assert sent is not None
    assert sent["method"] == "sendPhoto"
    assert photo.text == plan("result.chart_caption")
    [size] = sent["message"]["photo"]
    picture = user.fake.uploaded(size["file_id"])
    width, height = png_size(picture)
    assert (size["width"], size["height"]) == (width, height)
    assert width <= 1280
    assert height <= 1280
    assert len(picture) < 300_000


async def test_a_short_plan_has_no_chart(user: Person) -> None:
    await user.says("/plan")
    for typed in ("9000", "5000", "2000", "0"):
        await user.says(typed)
    [result] = await user.presses(plan("buttons.skip"))
    assert plan("result.schedule_even", months=3, amount="3,000") in result.text
    assert all(record["method"] != "sendPhoto" for record in user.fake.sent_messages(user.chat_id))


async def test_a_plan_survives_a_restart(start_bot: StartBot) -> None:
    async with start_bot() as first:
        user = Person(first, 4203)
        await user.says("/plan")
        await user.says("3万")

    async with start_bot() as second:
        user = Person(second, 4203)
        [spending] = await user.says("8000")
        assert spending.text == plan("questions.spending")
        await user.says("5000")
        await user.says("500")
        [result, _photo] = await user.says("4000")
        assert plan("verdicts.too_high", proposal="4,000", surplus="2,500") in result.text
        assert plan("verdicts.instead", amount="2,500", months=12) in result.text


async def test_plan_speaks_english_to_an_english_user(start_bot: StartBot) -> None:
    async with start_bot() as advisor:
        user = Person(advisor, 4204, language_code="en")
        _intro, owed = await user.says("/plan")
        assert owed.text == plan("questions.owed", Lang.EN)
        [stopped] = await user.presses(plan("buttons.stop", Lang.EN))
        assert stopped.text == plan("messages.stopped", Lang.EN)
