"""The `advisor` command line: `ask` for scripts and people, and the admins' `kb validate / lint / import`."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.core.advisor import Advisor
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from tests.kbfactory import CREDIT, runnable_entries, write_kb, write_runnable_kb

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"
JSON_KEYS = {"question", "status", "entry", "candidates", "score", "lang", "safety"}


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config.yaml or environment of the machine running the tests leaks in."""
    monkeypatch.chdir(tmp_path)
    for name in ("ADVISOR_CONFIG", "ADVISOR_DB", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def advisor(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out)
    return code, out.getvalue()


def copy_of_shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(SHIPPED, folder)
    return folder


def line_of(path: Path, text: str) -> int:
    """The 1-based line of `path` that contains `text`."""
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def total_examples(folder: Path) -> int:
    return sum(len(entry.examples) for entry in load_knowledge(folder).entries)


# -- ask -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        pytest.param("逾期了征信会受影响吗", "zh-hans", id="simplified"),
        pytest.param("逾期了徵信會受影響嗎", "zh-hant", id="traditional"),
        pytest.param("Can being late affect my credit?", "en", id="english"),
        pytest.param("5000", "zh-hans", id="a-message-that-tells-nothing-gets-simplified"),
    ],
)
def test_ask_json_says_which_language_the_reply_is_in(question: str, lang: str) -> None:
    code, output = advisor("ask", "--json", question)
    assert code == 0
    assert json.loads(output)["lang"] == lang


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["ask", "--lang", "en", "逾期了征信会受影响吗"], id="after-the-subcommand"),
        pytest.param(["ask", "逾期了征信会受影响吗", "--lang", "en"], id="after-the-question"),
        pytest.param(["--lang", "en", "ask", "逾期了征信会受影响吗"], id="before-it-as-older-versions-took-it"),
    ],
)
def test_ask_lang_fixes_the_reply_language(argv: list[str]) -> None:
    credit = load_knowledge(SHIPPED).entry("impact.credit")
    assert credit is not None
    code, output = advisor(*argv)
    assert code == 0
    assert output.startswith(f"【{credit.title_in(Lang.EN)}】")
    code, output = advisor(*argv, "--json")
    assert (code, json.loads(output)["lang"]) == (0, "en")


def test_ask_lang_auto_follows_the_question() -> None:
    code, output = advisor("ask", "--lang", "auto", "--json", "逾期了徵信會受影響嗎")
    assert (code, json.loads(output)["lang"]) == (0, "zh-hant")


@pytest.mark.parametrize(
    ("question", "status", "entry", "route"),
    [
        pytest.param("逾期了征信会受影响吗", "answer", "impact.credit", None, id="answer-names-the-entry"),
        pytest.param(
            "花呗逾期了还能用吗",
            "fallback",
            None,
            "route.usage_after_overdue",
            id="route-topic-is-a-fallback-with-route",
        ),
        pytest.param("xyz qwerty", "fallback", None, None, id="nothing-matches"),
    ],
)
def test_ask_json_prints_one_object_describing_the_match(
    question: str, status: str, entry: str | None, route: str | None
) -> None:
    code, output = advisor("ask", "--json", question)
    assert code == 0
    (line,) = output.splitlines()
    data = json.loads(line)
    assert set(data) == JSON_KEYS | ({"route"} if route else set())
    assert data["question"] == question
    assert question in line  # Chinese stays readable, not \\u escapes
    assert (data["status"], data["entry"], data.get("route")) == (status, entry, route)
    assert isinstance(data["score"], float)
    assert all(isinstance(candidate, str) for candidate in data["candidates"])
    if entry is not None:
        assert data["candidates"][0] == entry


@pytest.mark.parametrize(
    ("question", "safety"),
    [
        pytest.param("我不想活了", "crisis", id="crisis-in-chinese"),
        pytest.param("I want to kill myself", "crisis", id="crisis-in-english"),
        pytest.param("有人说交两千就能帮我停息挂账，靠谱吗", "scam", id="scam"),
        pytest.param("想问问怎么和支付宝协商还款", None, id="negotiating-with-alipay-is-not-a-scam"),
        pytest.param("好崩溃，逾期了征信会受影响吗", None, id="despair-is-not-reported"),
    ],
)
def test_ask_json_says_what_safety_reply_the_user_gets(question: str, safety: str | None) -> None:
    _code, output = advisor("ask", "--json", question)
    data = json.loads(output)
    assert set(data) - {"route"} == JSON_KEYS
    assert data["safety"] == safety
    if safety == "crisis":  # the crisis reply is all the user gets: no topic, no route
        assert (data["status"], data["entry"], data["candidates"], data.get("route")) == ("fallback", None, [], None)


def test_ask_prints_the_crisis_reply_a_user_would_read() -> None:
    _code, output = advisor("ask", "我不想活了")
    kb = load_knowledge(SHIPPED)
    crisis = Advisor(kb, Matcher(kb)).crisis_text(Lang.ZH_HANS)
    assert output.startswith(crisis)


def test_ask_json_reports_a_clarify_with_its_candidates(tmp_path: Path) -> None:
    settings = tmp_path / "undecided.yaml"
    settings.write_text(
        "matcher: {learned: false, answer_threshold: 2.0, lone_answer_threshold: 2.0}\n", encoding="utf-8"
    )
    code, output = advisor("--config", str(settings), "ask", "--json", "逾期了征信会受影响吗")
    assert code == 0
    data = json.loads(output)
    assert (data["status"], data["entry"]) == ("clarify", None)
    assert "impact.credit" in data["candidates"]
    assert "route" not in data


def test_ask_words_are_joined_into_one_question() -> None:
    _code, output = advisor("ask", "--json", "逾期", "会影响征信吗")
    assert json.loads(output)["question"] == "逾期 会影响征信吗"


def test_ask_without_json_prints_the_answer_a_user_would_read() -> None:
    kb = load_knowledge(SHIPPED)
    credit = kb.entry("impact.credit")
    assert credit is not None
    code, output = advisor("--lang", "en", "ask", "will being late hurt my credit")
    assert code == 0
    assert output.startswith(f"【{credit.title_in(Lang.EN)}】\n{credit.answer_in(Lang.EN).strip()}")
    assert kb.text("guide_button", Lang.EN) in output


def test_ask_reads_one_question_per_line_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("逾期了征信会受影响吗\n\n不还钱会被起诉吗\n"))
    code, output = advisor("ask", "--json")
    assert code == 0
    assert [json.loads(line)["entry"] for line in output.splitlines()] == ["impact.credit", "impact.legal"]


def test_ask_batch_through_python_dash_m_bot(tmp_path: Path) -> None:
    questions = ["逾期了征信会受影响吗", "花呗逾期了还能用吗", "不还钱会被起诉吗", "xyz qwerty"]
    stdin = "\n".join([questions[0], "", questions[1], "   ", questions[2], questions[3]]) + "\n"
    env = {key: value for key, value in os.environ.items() if key != "ADVISOR_CONFIG"} | {"PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [json.loads(line)["question"] for line in lines] == questions  # blank lines skipped, order kept
    assert [json.loads(line)["status"] for line in lines] == ["answer", "fallback", "answer", "fallback"]
    assert "route" in json.loads(lines[1])


def test_ask_into_a_reader_that_stops_early_ends_without_a_traceback(tmp_path: Path) -> None:
    """`advisor ask … | head -1`: the pipe closes after the first line; no BrokenPipeError traceback follows."""
    # Fixture knowledge (config.yaml in the working folder): what is matched does not matter here, only the pipe.
    folder = write_runnable_kb(tmp_path / "knowledge")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"knowledge": {"path": str(folder)}}), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "ADVISOR_CONFIG"} | {"PYTHONIOENCODING": "utf-8"}
    stdin = f"{CREDIT[0]}\n" * 400  # far more output than a pipe buffer holds
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdin.write(stdin.encode("utf-8"))
        process.stdin.close()
        process.stdout.readline()
        process.stdout.close()  # the reader leaves, as head does
        errors = process.stderr.read().decode("utf-8", "replace")
        code = process.wait(timeout=120)
    assert "Traceback" not in errors, errors
    assert "BrokenPipeError" not in errors
    assert code == 141


# -- kb validate ---------------------------------------------------------------------------------------------------


def test_validate_defaults_to_the_configured_folder() -> None:
    code, output = advisor("kb", "validate")
    assert code == 0
    assert output.startswith("ok: ")


def test_validate_lists_every_problem_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = copy_of_shipped(tmp_path)
    impact = folder / "entries" / "impact.yaml"
    text = impact.read_text(encoding="utf-8")
    text = text.replace('section: "3.1"', 'section: "3.1"\n    colour: blue', 1)
    text = text.replace("related: [", "related: [no.such.entry, ", 1)
    impact.write_text(text, encoding="utf-8")
    walkthrough = folder / "walkthrough.yaml"
    walkthrough.write_text(walkthrough.read_text(encoding="utf-8").replace("  noted:\n", "  notted:\n"), "utf-8")

    code, output = advisor("kb", "validate", str(folder))
    assert code == 1
    assert output == ""
    problems = capsys.readouterr().err.splitlines()
    assert problems[0] == f"{len(problems) - 1} problems in the knowledge base"
    assert f"entries/impact.yaml:{line_of(impact, 'colour: blue')}: unknown field 'colour'" in "\n".join(problems)
    assert f"entries/impact.yaml:{line_of(impact, 'no.such.entry')}: " in "\n".join(problems)
    assert f"walkthrough.yaml:{line_of(walkthrough, 'notted:')}: " in "\n".join(problems)


def test_validate_a_folder_that_does_not_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _output = advisor("kb", "validate", str(tmp_path / "nowhere"))
    assert code == 1
    assert "does not exist" in capsys.readouterr().err


# -- kb lint -------------------------------------------------------------------------------------------------------


def test_lint_names_an_example_that_belongs_to_another_entry(tmp_path: Path) -> None:
    stray = "逾期了征信会不会受影响"  # plainly impact.credit's question, filed under impact.legal
    entries = runnable_entries()
    legal = next(e for e in entries if e["id"] == "impact.legal")
    legal["examples"] = [*legal["examples"], stray]
    folder = write_kb(tmp_path / "knowledge", entries)

    code, output = advisor("kb", "lint", str(folder))
    assert code == 1
    problem, summary = output.splitlines()
    assert problem.startswith("entries/main.yaml:")
    assert f"'{stray}' of 'impact.legal'" in problem
    assert "impact.credit" in problem  # lands on it, or is ambiguous with it
    assert summary == f"problems: 1 of {total_examples(folder)} example questions misplaced"


def test_lint_passes_knowledge_whose_examples_all_come_home(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "knowledge", runnable_entries())

    code, output = advisor("kb", "lint", str(folder))
    assert (code, output.strip()) == (0, f"ok: 0 of {total_examples(folder)} example questions misplaced")


# -- kb import -----------------------------------------------------------------------------------------------------

NUMBERED_DOC = """\
协商之前先看这篇。

一、逾期的原因
1.1 收入减少
失业或降薪，钱不够还。
1. 收入减少：失业会导致无法按时还款。
2. 突发支出：看病花了很多钱。
1.2 突发支出
医疗、教育的开销。
二、应对
先联系官方客服。
"""

MARKDOWN_DOC = """\
# 材料清单
身份证明和工资单。

## 选择渠道
支付宝App里的在线客服。
"""


def imported(output: str) -> list[dict[str, object]]:
    data = yaml.safe_load(output)
    entries: list[dict[str, object]] = data["entries"]
    return entries


def test_import_turns_a_numbered_document_into_entries(tmp_path: Path) -> None:
    document = tmp_path / "guide.txt"
    document.write_text(NUMBERED_DOC, encoding="utf-8")
    code, output = advisor("kb", "import", str(document))
    assert code == 0
    assert output.startswith("# Skeleton made by `advisor kb import`")
    entries = imported(output)
    assert [(e["section"], e["title"]["zh-hans"]) for e in entries] == [  # type: ignore[index]
        ("intro", "导语"),
        ("1.1", "收入减少"),
        ("1.2", "突发支出"),
        ("2", "应对"),
    ]  # chapter 一 has no text of its own, so no entry
    first = entries[1]
    assert first["id"] == "section_1_1"
    assert "1. 收入减少：失业会导致无法按时还款。" in first["answer"]["zh-hans"]  # type: ignore[index]
    assert first["examples"] == []
    assert first["answer"]["en"] == "TODO"  # type: ignore[index]


def test_import_recognises_markdown_headings_and_writes_a_file(tmp_path: Path) -> None:
    document = tmp_path / "guide.md"
    document.write_text(MARKDOWN_DOC, encoding="utf-8")
    target = tmp_path / "skeleton.yaml"
    code, output = advisor("kb", "import", str(document), "-o", str(target))
    assert (code, output) == (0, f"wrote {target}\n")
    entries = imported(target.read_text(encoding="utf-8"))
    assert [e["title"]["zh-hans"] for e in entries] == ["材料清单", "选择渠道"]  # type: ignore[index]
    assert entries[1]["answer"]["zh-hans"] == "支付宝App里的在线客服。"  # type: ignore[index]


def test_import_repair_mends_a_damaged_copy_with_the_given_table(tmp_path: Path) -> None:
    document = tmp_path / "damaged.txt"
    document.write_text(
        "1.1 主動協(xié)商\n借款人可以主動協(xié)商，問可以解決。\n聯系人：13800000000 x@example.com\n本文完\n",
        encoding="utf-8",
    )
    table = tmp_path / "repairs.yaml"
    table.write_text('regex:\n  "問(?!題)": "問題"\ndrop_lines:\n  - "^本文完$"\n', encoding="utf-8")
    code, output = advisor("kb", "import", "--repair", "--repairs", str(table), str(document))
    assert code == 0
    (entry,) = imported(output)
    assert entry["title"]["zh-hans"] == "主动协商"  # type: ignore[index]
    assert entry["answer"]["zh-hans"] == "借款人可以主动协商，问题可以解决。"  # type: ignore[index]
    assert not re.search(r"1[3-9]\d{9}|@", output)


@pytest.mark.parametrize(
    ("table", "content"),
    [
        pytest.param("broken.yaml", "regex: [unclosed\n", id="not-yaml"),
        pytest.param("bad-regex.yaml", 'regex:\n  "(unclosed": "x"\n', id="bad-regular-expression"),
        pytest.param("list.yaml", "- just\n- a list\n", id="not-a-mapping"),
        pytest.param("missing.yaml", None, id="named-but-missing"),
    ],
)
def test_import_refuses_a_repair_table_it_cannot_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, content: str | None
) -> None:
    document = tmp_path / "guide.txt"
    document.write_text(NUMBERED_DOC, encoding="utf-8")
    if content is not None:
        (tmp_path / table).write_text(content, encoding="utf-8")
    code, output = advisor("kb", "import", "--repair", "--repairs", str(tmp_path / table), str(document))
    assert (code, output) == (2, "")
    error = capsys.readouterr().err
    assert table in error
    assert "Traceback" not in error


def test_import_a_missing_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _output = advisor("kb", "import", str(tmp_path / "nowhere.txt"))
    assert code == 2
    assert "cannot read" in capsys.readouterr().err


# -- the command line itself ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["frobnicate"], id="unknown-sub-command"),
        pytest.param(["kb"], id="kb-without-a-tool"),
        pytest.param(["kb", "polish"], id="unknown-kb-tool"),
        pytest.param(["--lang", "fr", "ask", "x"], id="unknown-language"),
    ],
)
def test_a_wrong_command_line_is_a_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv, io.StringIO())
    assert exit_.value.code == 2
    assert "usage: advisor" in capsys.readouterr().err


def test_a_broken_config_file_is_one_line_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = tmp_path / "config.yaml"
    settings.write_text("matcher: {answer_treshold: 0.5}\n", encoding="utf-8")
    code, _output = advisor("--config", str(settings), "ask", "--json", "逾期了征信会受影响吗")
    assert code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ")
    assert "answer_treshold" in line


async def test_kb_unmatched_lists_what_users_asked_that_nobody_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from bot.storage import Storage

    db = tmp_path / "advisor.sqlite3"
    async with await Storage.open(db) as storage:
        for user in (1, 2):
            await storage.log_unmatched(user, "股票怎么买", "zh-hans", "steps.demands", 0.27)
        await storage.log_unmatched(3, "今天天气怎么样", "zh-hans", None, 0.0)
    monkeypatch.setenv("ADVISOR_DB", str(db))
    out = io.StringIO()
    code = await asyncio.to_thread(main, ["kb", "unmatched"], out)
    lines = out.getvalue().splitlines()
    assert code == 0
    assert lines[0].split()[:3] == ["2×", "2", "users"]
    assert lines[0].endswith("股票怎么买")
    assert "closest steps.demands (0.27)" in lines[0]
    assert "nothing close" in lines[1]
