"""/plan in `advisor chat`: typed amounts are answers, buttons are #N, the chart is a PNG file shown by its path."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.chat import TERMINAL_USER
from bot.config import Config, load_config
from bot.core.i18n import Lang
from bot.core.plan import Field, Inputs
from bot.core.planchat import PlanState
from bot.core.plantexts import PlanTexts, load_plan_texts
from bot.storage import Storage
from tests.test_chat import chat

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"
ZH = Lang.ZH_HANS


@pytest.fixture(scope="module")
def texts() -> PlanTexts:
    return load_plan_texts(SHIPPED / "plan.yaml")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("HOME", str(tmp_path))  # the terminal keeps charts with its other files, in the home folder
    return load_config(None, env={"ADVISOR_DB": str(tmp_path / "chat.sqlite3")})


async def saved_plan(config: Config) -> PlanState | None:
    async with await Storage.open(config.database) as storage:
        session = await storage.load_session(TERMINAL_USER)
    if session is None or session.state is None:
        return None
    return PlanState.from_dict(session.state.get("plan"))


def test_a_plan_in_the_terminal_ends_with_the_chart_saved_as_a_file(
    config: Config, texts: PlanTexts, tmp_path: Path
) -> None:
    *_, owed, income, spending, other, proposal, result, _goodbye = chat(
        config, "/plan", "3万1千", "8000", "5000", "500", "#1", "/quit"
    )

    for chunk, question in ((owed, "owed"), (income, "income"), (spending, "spending"), (other, "other"),
                            (proposal, "proposal")):  # fmt: skip
        assert texts.say(f"questions.{question}", ZH) in chunk
    assert "  #1. " + texts.say("buttons.skip", ZH) in proposal  # what "#1" pressed
    assert texts.say("result.title", ZH) in result
    assert texts.say("verdicts.fits", ZH, months=13) in result
    before, after = (re.escape(part) for part in texts.say("result.chart_file", ZH, path="\0").split("\0"))
    [path] = re.findall(f"{before}(.+?){after}$", result, flags=re.MULTILINE)
    chart = Path(path)
    assert chart.parent == tmp_path / "advisor-files"  # beside the exports, not in the temporary folder
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert texts.say("result.chart_file", ZH, path=chart) in result
    assert asyncio.run(saved_plan(config)) == PlanState(
        None, Inputs(owed=31_000, income=8_000, spending=5_000, other=500)
    )


def test_a_typed_number_is_an_amount_not_a_button(config: Config, texts: PlanTexts) -> None:
    *_, owed, _goodbye = chat(config, "/plan", "2", "/quit")
    assert asyncio.run(saved_plan(config)) == PlanState(Field.INCOME, Inputs(owed=2))
    assert texts.say("questions.income", ZH) in owed


def test_an_unreadable_amount_is_asked_again_in_the_terminal(config: Config, texts: PlanTexts) -> None:
    *_, asked_again, _goodbye = chat(config, "/plan", "-200", "/quit")
    assert asked_again.startswith(texts.say("problems.negative", ZH))
    assert texts.say("questions.owed", ZH) in asked_again
    assert asyncio.run(saved_plan(config)) == PlanState(Field.OWED, Inputs())
