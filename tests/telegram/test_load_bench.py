"""The load benchmark's driver measures a real bot process end to end, and builds bot commands as documented."""

import argparse
import shlex
import sys
from pathlib import Path

import pytest

from bench.load import bot_argv, measure_bot, parse_bots

URL, TOKEN, DB = "http://127.0.0.1:8080/bot", "1:abc", "/tmp/x y/advisor.sqlite3"


@pytest.mark.parametrize(
    ("template", "argv"),
    [
        pytest.param(
            "python -m bench.echo_bot",
            ["python", "-m", "bench.echo_bot"],
            id="nothing-appended-the-environment-carries-it",
        ),
        pytest.param(
            "python -m bot run --base-url {base_url} --token {token} --db {db}",
            ["python", "-m", "bot", "run", "--base-url", URL, "--token", TOKEN, "--db", DB],
            id="placeholders-filled",
        ),
        pytest.param(
            "advisor run --db={db}",
            ["advisor", "run", f"--db={DB}"],
            id="only-what-is-asked-for",
        ),
    ],
)
def test_bot_commands_get_the_fake_servers_address(template: str, argv: list[str]) -> None:
    assert bot_argv(template, URL, TOKEN, DB) == argv


def test_bots_are_named_by_module_or_explicitly() -> None:
    assert parse_bots(["python -m bench.echo_bot", "advisor=python -m bot run"]) == [
        ("echo_bot", "python -m bench.echo_bot"),
        ("advisor", "python -m bot run"),
    ]


async def test_a_small_run_against_the_echo_bot_measures_everything(tmp_path: Path) -> None:
    args = argparse.Namespace(
        users=3,
        messages=3,
        script="advisor",
        start_timeout=30.0,
        step_timeout=10.0,
        burst_timeout=60.0,
        stop_grace=10.0,
    )
    command = f"{shlex.quote(sys.executable)} -m bench.echo_bot"

    result = await measure_bot("echo", command, args, tmp_path / "echo.log")

    assert result.error is None, (tmp_path / "echo.log").read_text()
    assert (result.messages, result.replied, result.lost) == (9, 9, 0)
    assert result.steps["text"] >= 3  # every user starts with /start
    assert result.first_reply_s is not None
    assert 0 < result.first_reply_s < 30
    assert 0 < result.p50_ms <= result.p99_ms <= result.max_ms
    assert result.cpu_ms_per_message > 0
    assert result.peak_rss_mib > 10
    assert result.stop == "stopped on SIGINT"
    assert result.bot_api_errors == {}
