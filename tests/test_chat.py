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
import yaml

from bot.chat import TERMINAL_USER, files_folder, run_chat
from bot.cli import main
from bot.config import Config, load_config
from bot.core.dialogue import Progress, Step, continue_choice, from_saved
from bot.core.i18n import Lang
from bot.engine import Knowledge
from bot.storage import Storage
from tests.kbfactory import CREDIT, write_runnable_kb

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"
ZH = Lang.ZH_HANS


@pytest.fixture(scope="module")
def shipped() -> Knowledge:
    return Knowledge.load(SHIPPED)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(None, env={"ADVISOR_DB": str(tmp_path / "chat.sqlite3")})


def chat(config: Config, *lines: str, lang: Lang | None = ZH) -> list[str]:
    """Run a chat on `lines`; returns what was shown before the first prompt, then after each line typed."""
    out = io.StringIO()
    code = run_chat(config, lang, io.StringIO("".join(f"{line}\n" for line in lines)), out)
    assert code == 0
    return re.split(r"(?m)^> ", out.getvalue())


async def saved_guide(config: Config) -> Progress | None:
    async with await Storage.open(config.database) as storage:
        session = await storage.load_session(TERMINAL_USER)
    if session is None or session.state is None:
        return None
    return from_saved(session.state.get("guide"))


def test_a_conversation_with_a_question_and_the_walkthrough(config: Config, shipped: Knowledge) -> None:
    credit = shipped.kb.entry("impact.credit")
    assert credit is not None
    greeting, answer, welcome, days, amount, goodbye = chat(
        config, "逾期了征信会受影响吗", "/guide", "1", "15", "/quit"
    )

    assert greeting.startswith(shipped.kb.text("greeting", ZH).strip())
    assert f"  #1. {shipped.kb.text('guide_button', ZH)}" in greeting
    assert f"({shipped.kb.text('chat_quit_hint', ZH)})" in greeting

    assert f"【{credit.title_in(ZH)}】" in answer
    assert credit.answer_in(ZH).strip() in answer

    assert shipped.walkthrough.say("steps.product.prompt", ZH) in welcome
    assert "  #1. 花呗" in welcome
    assert shipped.walkthrough.say("steps.days.prompt", ZH) in days  # "1" pressed the first button: 花呗
    assert "15" in amount  # more than the 8 buttons: typed as the number of days
    assert shipped.walkthrough.say("steps.amount.prompt", ZH) in amount
    assert goodbye.strip() == shipped.kb.text("goodbye", ZH)


def test_the_walkthrough_typed_in_a_terminal_is_saved(config: Config, shipped: Knowledge) -> None:
    chat(config, "/guide", "1", "15", "/quit")
    state = asyncio.run(saved_guide(config))
    assert state == Progress(step=Step.AMOUNT, product="huabei", days="d8_30", days_typed=15)

    # the next chat offers, as its first option, to continue where the last one stopped
    resume = continue_choice(state, shipped.walkthrough, ZH)
    assert resume is not None
    greeting, _goodbye = chat(config, "/quit")
    assert f"  #1. {resume.label}" in greeting  # a typed number still answers the amount, so buttons are #N


def test_a_clarify_menu_is_answered_by_number(tmp_path: Path, shipped: Knowledge) -> None:
    settings = tmp_path / "config.yaml"
    settings.write_text(
        "storage: {path: chat.sqlite3}\n"
        "matcher: {learned: false, answer_threshold: 2.0, lone_answer_threshold: 2.0, clarify_threshold: 0.25}\n",
        encoding="utf-8",
    )
    config = load_config(settings, env={})
    credit = shipped.kb.entry("impact.credit")
    assert credit is not None
    _greeting, menu, answer, _goodbye = chat(config, "逾期了征信会受影响吗", "1", "/quit")
    assert menu.startswith(shipped.kb.text("clarify_prompt", ZH))
    assert f"  #1. {credit.title_in(ZH)}" in menu
    assert shipped.kb.text("none_of_these", ZH) in menu
    assert f"【{credit.title_in(ZH)}】" in answer


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("/", id="a-bare-slash"),
        pytest.param("/nonsense", id="an-unknown-command"),
        pytest.param("/ 逾期了征信会受影响吗", id="a-slash-before-a-question"),
    ],
)
def test_an_unknown_command_is_explained_not_a_crash(config: Config, shipped: Knowledge, typed: str) -> None:
    _greeting, reply, _goodbye = chat(config, typed, "/quit")
    assert reply.startswith(shipped.kb.text("unknown_command", ZH))


def test_the_end_of_input_says_goodbye_like_quit(config: Config, shipped: Knowledge) -> None:
    *_turns, last = chat(config, "逾期了征信会受影响吗")
    assert last.strip() == shipped.kb.text("goodbye", ZH)


def test_a_language_chosen_in_the_chat_is_used_for_its_own_lines_too(config: Config, shipped: Knowledge) -> None:
    *_turns, switched, goodbye = chat(config, "/language en", "/quit")
    assert switched.startswith(shipped.kb.text("language_set", Lang.EN, language="English"))
    assert f"({shipped.kb.text('chat_quit_hint', Lang.EN)})" in switched
    assert goodbye.strip() == shipped.kb.text("goodbye", Lang.EN)


def test_an_english_question_in_the_terminal_is_answered_in_english(config: Config, shipped: Knowledge) -> None:
    greeting, answer, goodbye = chat(config, "Can being late affect my credit record?", "/quit", lang=None)

    assert greeting.startswith(shipped.kb.text("greeting", ZH))  # nothing typed yet: Simplified Chinese
    assert not re.search(r"[\u4e00-\u9fff]", answer)  # the answer, its options and the chat's own lines
    assert f"({shipped.kb.text('chat_quit_hint', Lang.EN)})" in answer
    assert goodbye.strip() == shipped.kb.text("goodbye", Lang.EN)


def test_a_traditional_question_in_the_terminal_is_answered_in_traditional(config: Config, shipped: Knowledge) -> None:
    credit = shipped.kb.entry("impact.credit")
    assert credit is not None
    _greeting, answer, welcome, _goodbye = chat(config, "逾期了徵信會受影響嗎", "/guide", "/quit", lang=None)

    assert f"【{credit.title_in(Lang.ZH_HANT)}】" in answer
    assert shipped.walkthrough.say("messages.welcome", Lang.ZH_HANT) in welcome


def test_lang_fixes_the_chat_language_whatever_is_typed(config: Config, shipped: Knowledge) -> None:
    credit = shipped.kb.entry("impact.credit")
    assert credit is not None
    greeting, answer, _goodbye = chat(config, "逾期了征信会受影响吗", "/quit", lang=Lang.EN)

    assert greeting.startswith(shipped.kb.text("greeting", Lang.EN))
    assert f"【{credit.title_in(Lang.EN)}】" in answer


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["chat", "--lang", "en"], id="after-the-subcommand"),
        pytest.param(["--lang", "en", "chat"], id="before-it-as-older-versions-took-it"),
    ],
)
def test_advisor_chat_takes_lang(
    tmp_path: Path, shipped: Knowledge, argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The `advisor` command line in this process (the next test runs `python -m bot chat` as a process)."""
    monkeypatch.delenv("ADVISOR_CONFIG", raising=False)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("ADVISOR_DB", str(tmp_path / "chat.sqlite3"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("逾期了征信会受影响吗\n/quit\n"))
    out = io.StringIO()
    assert main(argv, out) == 0
    credit = shipped.kb.entry("impact.credit")
    assert credit is not None
    assert f"【{credit.title_in(Lang.EN)}】" in out.getvalue()
    assert out.getvalue().rstrip().endswith(shipped.kb.text("goodbye", Lang.EN))


def test_python_dash_m_bot_chat_reads_stdin(tmp_path: Path) -> None:
    # Fixture knowledge, from the config.yaml an admin would write: the process reads a few small files at start-up
    # instead of building the whole shipped base.
    folder = write_runnable_kb(tmp_path / "knowledge")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"knowledge": {"path": str(folder)}}), encoding="utf-8")
    kb = Knowledge.load(folder).kb
    env = {key: value for key, value in os.environ.items() if key not in {"ADVISOR_CONFIG", "TELEGRAM_BOT_TOKEN"}}
    env |= {"ADVISOR_DB": str(tmp_path / "chat.sqlite3"), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input=f"{CREDIT[0]}\n/quit\n",
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
    credit = kb.entry("impact.credit")
    assert credit is not None
    assert f"【{credit.title_in(ZH)}】" in done.stdout
    assert done.stdout.rstrip().endswith(kb.text("goodbye", ZH))
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


def test_buttons_are_shown_as_hash_numbers_on_every_screen(config: Config) -> None:
    *_, at_product, at_days, _ = chat(config, "/guide", "1", "/quit")
    for screen in (at_product, at_days):  # one convention, whether or not the step takes a number
        assert re.search(r"(?m)^  #1\. ", screen)
        assert not re.search(r"(?m)^  1\. ", screen)


def test_a_bare_one_at_the_monthly_step_is_asked_about_once_then_noted(config: Config, shipped: Knowledge) -> None:
    to_monthly = ["/guide", "1", "20", "3000元", "1", "5", "2", "4"]  # as in the walkthrough test below
    *_, at_monthly, asked, noted, _ = chat(config, *to_monthly, "1", "1", "/quit")
    assert shipped.walkthrough.say("steps.monthly.prompt", ZH) in at_monthly
    assert shipped.walkthrough.say("messages.small_amount", ZH, n=1) in asked
    assert shipped.walkthrough.say("messages.small_amount", ZH, n=1) not in noted  # no loop
    state = asyncio.run(saved_guide(config))
    assert state is not None
    assert (state.step, state.monthly_typed) == (Step.CONTACT, 1)


def test_a_bare_small_amount_is_asked_about_and_hash_one_confirms_it(config: Config, shipped: Knowledge) -> None:
    *_, asked, confirmed, _ = chat(config, "/guide", "1", "15", "3", "#1", "/quit")
    assert shipped.walkthrough.say("messages.small_amount", ZH, n=3) in asked
    typed = shipped.walkthrough.say("steps.amount.typed", ZH, n=3)
    assert f"#1. {shipped.walkthrough.say('buttons.confirm_number', ZH, value=typed)}" in asked
    assert shipped.walkthrough.say("steps.cause.prompt", ZH) in confirmed
    state = asyncio.run(saved_guide(config))
    assert state is not None
    assert (state.step, state.amount_typed) == (Step.CAUSE, 3)


def test_a_bare_small_amount_then_a_range_button_picks_the_range(config: Config) -> None:
    chat(config, "/guide", "1", "15", "3", "#3", "/quit")  # #1 confirms 3 yuan, #2 is the first range
    state = asyncio.run(saved_guide(config))
    assert state is not None
    assert (state.step, state.amount, state.amount_typed) == (Step.CAUSE, "k1_5", None)


def test_the_terminal_walkthrough_in_the_order_of_a_real_negotiation(config: Config, shipped: Knowledge) -> None:
    walk = shipped.walkthrough
    turns = chat(
        config,
        "/guide",
        "1",  # 花呗
        "20",  # days
        "3000元",  # amount
        "1",  # income dropped
        "1", "#", "/resume",  # tick identity proof; "#" is not a choice here; back to the screen
        "5",  # next (after the 3 items ticked or not and the 1 proof of the cause)
        "2",  # hotline
        "3",  # instalments I can afford
        "4",  # next
        "600",  # a month
        "1",  # I've contacted them
        "2",  # refused
        "/quit",
    )  # fmt: skip
    contact, result, retry = turns[-4], turns[-3], turns[-2]
    assert walk.say("steps.contact.prompt", ZH, how=walk.channels[1].how.render(ZH)) in contact
    assert walk.say("script.monthly", ZH, n=600) in contact
    assert "95188" in contact
    assert walk.say("steps.result.prompt", ZH) in result
    assert walk.say("steps.retry.prompt", ZH) in retry
    state = asyncio.run(saved_guide(config))
    assert state is not None
    assert (state.step, state.result, state.monthly_typed, state.channel) == (Step.RETRY, "refused", 600, "hotline")

    # days later, a new terminal session: /resume asks how the next contact went (the retry screen said to), nothing
    # lost
    _greeting, resumed, _ = chat(config, "/resume", "/quit")
    assert walk.say("steps.result.prompt", ZH) in resumed
    state = asyncio.run(saved_guide(config))
    assert state is not None
    assert (state.step, state.result, state.monthly_typed, state.channel) == (Step.RESULT, "refused", 600, "hotline")


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        pytest.param("逾期的钱该在哪还", "route.where_to_repay", id="where-to-repay"),
        pytest.param("逾期了坐火车坐飞机受影响吗", "impact.credit", id="travel"),
        pytest.param("逾期会不会影响我去找工作", "impact.credit", id="job-applications"),
        pytest.param("花呗逾期了会影响我老公贷款吗", "impact.credit", id="a-family-members-loan"),
    ],
)
def test_questions_users_need_are_answered_in_the_terminal(
    config: Config, shipped: Knowledge, question: str, entry_id: str
) -> None:
    entry = shipped.kb.entry(entry_id)
    assert entry is not None
    _greeting, answer, _goodbye = chat(config, question, "/quit")
    assert f"【{entry.title_in(ZH)}】" in answer
    assert entry.answer_in(ZH).strip() in answer
    if entry_id == "impact.credit":  # the credit entry now says what the guide does and does not say on these
        assert all(topic in answer for topic in ("火车", "找工作", "家人贷款", "征信中心"))


def test_the_official_hotline_is_named_where_the_channels_are_explained(config: Config, shipped: Knowledge) -> None:
    _greeting, answer, _goodbye = chat(config, "支付宝客服电话是多少", "/quit")
    channel = shipped.kb.entry("steps.channel")
    assert channel is not None
    assert f"【{channel.title_in(ZH)}】" in answer
    assert "95188" in answer


def test_a_crisis_mid_walkthrough_gets_the_crisis_reply_and_the_walkthrough_resumes(
    config: Config, shipped: Knowledge
) -> None:
    _greeting, _welcome, days, crisis, resumed, amount, _goodbye = chat(
        config, "/guide", "1", "我不想活了", "/resume", "15", "/quit"
    )
    assert shipped.walkthrough.say("steps.days.prompt", ZH) in days
    assert shipped.advisor.crisis_text(ZH) in crisis
    assert shipped.walkthrough.say("steps.days.prompt", ZH) not in crisis  # the crisis reply alone, with a way back
    assert shipped.walkthrough.say("steps.days.prompt", ZH) in resumed
    assert shipped.walkthrough.say("steps.amount.prompt", ZH) in amount
    state = asyncio.run(saved_guide(config))
    assert state == Progress(step=Step.AMOUNT, product="huabei", days="d8_30", days_typed=15)


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
    assert shipped.advisor.crisis_text(lang) in crisis


def test_a_scam_gets_the_warning_card_and_then_the_answer_in_the_terminal(config: Config, shipped: Knowledge) -> None:
    question = "借呗逾期了会不会影响到征信，有人要我的银行卡密码"
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
    _greeting, answer, _goodbye = chat(config, "想问问怎么和支付宝协商还款", "/quit")
    assert card.title_in(ZH) not in answer


def test_the_calculator_at_the_monthly_step_fills_in_the_monthly_amount(config: Config, shipped: Knowledge) -> None:
    to_monthly = ["/guide", "1", "20", "30000", "1", "5", "2", "4"]  # as in the walkthrough test above
    *_, at_monthly, _owed, _income, _spending, _other, _proposal, result, contact, _ = chat(
        config, *to_monthly, "#2", "#1", "8000", "5000", "500", "#1", "#1", "/quit"
    )
    assert f"#2. {shipped.walkthrough.say('buttons.calculate', ZH)}" in at_monthly
    value = shipped.walkthrough.say("steps.monthly.typed", ZH, n=2500)  # 8000 - 5000 - 500
    assert f"#1. {shipped.walkthrough.say('buttons.use_amount', ZH, value=value)}" in result
    assert shipped.walkthrough.say("script.monthly", ZH, n=2500) in contact
    state = asyncio.run(saved_guide(config))
    assert state is not None
    assert (state.step, state.monthly_typed) == (Step.CONTACT, 2500)


def test_an_export_is_saved_where_the_user_is_told_and_not_said_to_be_uncopied(
    config: Config, shipped: Knowledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, downloads = tmp_path / "where-the-chat-runs", tmp_path / "exports"
    here.mkdir()
    monkeypatch.chdir(here)
    out = io.StringIO()
    assert run_chat(config, ZH, io.StringIO("/export\n/quit\n"), out, directory=downloads) == 0
    [saved] = list(downloads.iterdir())
    assert saved.suffix == ".pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    assert shipped.kb.text("chat_file_saved", ZH, path=str(saved.resolve())) in out.getvalue()
    assert shipped.kb.text("export_sent_note", ZH) not in out.getvalue()  # a copy is exactly what it just made
    assert list(here.iterdir()) == []  # nothing left in the folder the chat ran in


def test_files_go_to_downloads_or_a_folder_of_their_own(tmp_path: Path) -> None:
    assert files_folder(tmp_path) == tmp_path / "advisor-files"
    (tmp_path / "Downloads").mkdir()
    assert files_folder(tmp_path) == tmp_path / "Downloads"


def test_a_second_file_of_the_same_name_is_kept_beside_the_first(config: Config, tmp_path: Path) -> None:
    downloads = tmp_path / "exports"
    out = io.StringIO()
    assert run_chat(config, ZH, io.StringIO("/export\n/export\n/quit\n"), out, directory=downloads) == 0
    first, second = sorted(downloads.iterdir(), key=lambda path: len(path.name))
    assert second.name == f"{first.stem}-2{first.suffix}"  # same day, same name: a suffix, not an overwrite
    for saved in (first, second):
        assert str(saved.resolve()) in out.getvalue()
        assert saved.read_bytes().startswith(b"%PDF")
