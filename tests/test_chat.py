"""`advisor chat` as transcripts: what the terminal user types, what the terminal shows, one turn per prompt."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.chat import TERMINAL_USER, run_chat
from bot.config import Config, load_config
from bot.core.dialogue import GuideState, Step, continue_choice
from bot.core.i18n import Lang
from bot.engine import Knowledge
from bot.storage import Storage

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"
ZH = Lang.ZH_HANS


@pytest.fixture(scope="module")
def shipped() -> Knowledge:
    return Knowledge.load(SHIPPED)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(None, env={"ADVISOR_DB": str(tmp_path / "chat.sqlite3")})


def chat(config: Config, *lines: str, lang: Lang = ZH) -> list[str]:
    """Run a chat on `lines`; returns what was shown before the first prompt, then after each line typed."""
    out = io.StringIO()
    code = run_chat(config, lang, io.StringIO("".join(f"{line}\n" for line in lines)), out)
    assert code == 0
    return re.split(r"(?m)^> ", out.getvalue())


async def saved_guide(config: Config) -> GuideState | None:
    async with await Storage.open(config.database) as storage:
        session = await storage.load_session(TERMINAL_USER)
    if session is None or session.state is None:
        return None
    return GuideState.from_dict(session.state.get("guide"))


def test_a_conversation_with_a_question_and_the_walkthrough(config: Config, shipped: Knowledge) -> None:
    credit = shipped.kb.entry("impact.credit")
    assert credit is not None
    greeting, answer, welcome, days, amount, goodbye = chat(config, "逾期会影响征信吗", "/guide", "1", "15", "/quit")

    assert greeting.startswith(shipped.kb.text("greeting", ZH).strip())
    assert f"  1. {shipped.kb.text('guide_button', ZH)}" in greeting
    assert f"({shipped.kb.text('chat_quit_hint', ZH)})" in greeting

    assert f"【{credit.title_in(ZH)}】" in answer
    assert credit.answer_in(ZH).strip() in answer

    assert shipped.guide.say("steps.product.prompt", ZH) in welcome
    assert "  1. 花呗" in welcome
    assert shipped.guide.say("steps.days.prompt", ZH) in days  # "1" pressed the first button: 花呗
    assert "15" in amount  # more than the 8 buttons: typed as the number of days
    assert shipped.guide.say("steps.amount.prompt", ZH) in amount
    assert goodbye.strip() == shipped.kb.text("goodbye", ZH)


def test_the_walkthrough_typed_in_a_terminal_is_saved(config: Config, shipped: Knowledge) -> None:
    chat(config, "/guide", "1", "15", "/quit")
    state = asyncio.run(saved_guide(config))
    assert state == GuideState(step=Step.AMOUNT, product="huabei", days="d8_30", days_typed=15)

    # the next chat offers, as its first option, to continue where the last one stopped
    resume = continue_choice(state, shipped.guide, ZH)
    assert resume is not None
    greeting, _goodbye = chat(config, "/quit")
    assert f"  1. {resume.label}" in greeting


def test_a_clarify_menu_is_answered_by_number(tmp_path: Path, shipped: Knowledge) -> None:
    settings = tmp_path / "config.yaml"
    settings.write_text(
        "storage: {path: chat.sqlite3}\n"
        "matcher: {answer_threshold: 2.0, lone_answer_threshold: 2.0, clarify_threshold: 0.25}\n",
        encoding="utf-8",
    )
    config = load_config(settings, env={})
    credit = shipped.kb.entry("impact.credit")
    assert credit is not None
    _greeting, menu, answer, _goodbye = chat(config, "逾期会影响征信吗", "1", "/quit")
    assert menu.startswith(shipped.kb.text("clarify_prompt", ZH))
    assert f"  1. {credit.title_in(ZH)}" in menu
    assert shipped.kb.text("none_of_these", ZH) in menu
    assert f"【{credit.title_in(ZH)}】" in answer


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("/", id="a-bare-slash"),
        pytest.param("/nonsense", id="an-unknown-command"),
        pytest.param("/ 逾期会影响征信吗", id="a-slash-before-a-question"),
    ],
)
def test_an_unknown_command_is_explained_not_a_crash(config: Config, shipped: Knowledge, typed: str) -> None:
    _greeting, reply, _goodbye = chat(config, typed, "/quit")
    assert reply.startswith(shipped.kb.text("unknown_command", ZH))


def test_the_end_of_input_says_goodbye_like_quit(config: Config, shipped: Knowledge) -> None:
    *_turns, last = chat(config, "逾期会影响征信吗")
    assert last.strip() == shipped.kb.text("goodbye", ZH)


def test_a_language_chosen_in_the_chat_is_used_for_its_own_lines_too(config: Config, shipped: Knowledge) -> None:
    *_turns, switched, goodbye = chat(config, "/language en", "/quit")
    assert switched.startswith(shipped.kb.text("language_set", Lang.EN))
    assert f"({shipped.kb.text('chat_quit_hint', Lang.EN)})" in switched
    assert goodbye.strip() == shipped.kb.text("goodbye", Lang.EN)


def test_python_dash_m_bot_chat_reads_stdin(tmp_path: Path, shipped: Knowledge) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"ADVISOR_CONFIG", "TELEGRAM_BOT_TOKEN"}}
    env |= {"ADVISOR_DB": str(tmp_path / "chat.sqlite3"), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="逾期会影响征信吗\n/quit\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    credit = shipped.kb.entry("impact.credit")
    assert credit is not None
    assert f"【{credit.title_in(ZH)}】" in done.stdout
    assert done.stdout.rstrip().endswith(shipped.kb.text("goodbye", ZH))
    assert (tmp_path / "chat.sqlite3").is_file()


@pytest.mark.parametrize(
    ("typed", "step_after", "days"),
    [
        pytest.param("7", Step.AMOUNT, 7, id="a-bare-number-is-the-days-not-the-seventh-button"),
        pytest.param("#1", Step.AMOUNT, None, id="hash-number-picks-a-button"),
    ],
)
def test_at_a_number_step_typed_numbers_are_answers(
    config: Config, shipped: Knowledge, typed: str, step_after: Step, days: int | None
) -> None:
    *_, at_days, _after, _ = chat(config, "/guide", "1", typed, "/quit")
    assert f"({shipped.kb.text('chat_number_hint', ZH)})" in at_days
    state = asyncio.run(saved_guide(config))
    assert state is not None
    assert state.step is step_after
    assert state.days_typed == days
    assert state.days is not None


def test_a_crisis_mid_walkthrough_gets_the_crisis_reply_and_the_walkthrough_resumes(
    config: Config, shipped: Knowledge
) -> None:
    _greeting, _welcome, days, crisis, resumed, amount, _goodbye = chat(
        config, "/guide", "1", "我不想活了", "/resume", "15", "/quit"
    )
    assert shipped.guide.say("steps.days.prompt", ZH) in days
    assert shipped.kb.text("crisis", ZH) in crisis
    assert shipped.guide.say("steps.days.prompt", ZH) not in crisis  # the crisis reply alone, with a way back
    assert shipped.guide.say("steps.days.prompt", ZH) in resumed
    assert shipped.guide.say("steps.amount.prompt", ZH) in amount
    state = asyncio.run(saved_guide(config))
    assert state == GuideState(step=Step.AMOUNT, product="huabei", days="d8_30", days_typed=15)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        pytest.param(Lang.ZH_HANT, "活著好累，不想活了", id="traditional"),
        pytest.param(Lang.EN, "I can't go on anymore", id="english"),
    ],
)
def test_the_crisis_reply_in_the_terminal_speaks_the_chats_language(
    config: Config, shipped: Knowledge, lang: Lang, message: str
) -> None:
    _greeting, crisis, _goodbye = chat(config, message, "/quit", lang=lang)
    assert shipped.kb.text("crisis", lang) in crisis


def test_a_scam_gets_the_warning_card_and_then_the_answer_in_the_terminal(config: Config, shipped: Knowledge) -> None:
    question = "借呗逾期了会不会影响征信，有人要我的银行卡密码"
    card = shipped.kb.entry("safety.scams")
    answered = shipped.matcher.match(question).entry
    assert card is not None
    assert answered is not None
    assert answered is not card, "pick a question about something else"
    _greeting, answer, _goodbye = chat(config, question, "/quit")
    assert answer.index(f"【{card.title_in(ZH)}】") < answer.index(f"【{answered.title_in(ZH)}】")


def test_asking_how_to_negotiate_with_alipay_gets_no_scam_card(config: Config, shipped: Knowledge) -> None:
    card = shipped.kb.entry("safety.scams")
    assert card is not None
    _greeting, answer, _goodbye = chat(config, "怎么跟支付宝协商还款", "/quit")
    assert card.title_in(ZH) not in answer
